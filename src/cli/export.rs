//! `olke export`: the catalogue for the library's e-catalogue, search clusters and
//! digital-library systems.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use clap::{Args, ValueEnum};

use crate::archive::{files, Archive, AtomicFile};
use crate::catalog::{Documents, Reader};
use crate::config::Config;
use crate::export::{export, jsonl, mets, shown_pdf_url, ExportError, Format};
use crate::record::DocumentRecord;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ExportFormat {
    /// MARC 21 as MARCXML.
    Marcxml,
    /// MARC 21 as ISO 2709 (.mrc).
    Marc,
    /// UNIMARC (RUSMARC) as ISO 2709, for RABIS and ИРБИС.
    Unimarc,
    /// One JSON object per document and line, with its citation.
    Jsonl,
    /// The manifest's columns with id, pages, citation and url.
    Csv,
    /// A METS package per document (mets.xml, the PDF, ALTO per page) under --out DIR.
    Mets,
}

/// Search engines whose bulk format `--bulk` writes.
#[derive(Clone, Copy, Debug, ValueEnum)]
enum Bulk {
    /// Elasticsearch/OpenSearch `_bulk`: an `index` action line before each document.
    Opensearch,
}

#[derive(Args, Debug)]
pub(super) struct ExportArgs {
    #[arg(value_enum)]
    format: ExportFormat,
    /// Only these documents (default: all).
    #[arg(value_name = "ID")]
    ids: Vec<String>,
    /// Address where the archive is published; links each record to its PDF
    /// (BASE/documents/ID/ID.pdf, MARC 856 $u), for works whose rights allow it. Default:
    /// `[publish] base_url` in olke.toml.
    #[arg(long, value_name = "URL", value_parser = super::web_address)]
    base_url: Option<String>,
    /// Write to FILE instead of standard output (mets: the folder the packages go in).
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// jsonl: each page's text, as `text` (a list, a page each), for works whose rights
    /// allow it to be shown.
    #[arg(long)]
    text: bool,
    /// jsonl: write a search engine's bulk-load body instead of plain lines.
    #[arg(long, value_enum, value_name = "ENGINE")]
    bulk: Option<Bulk>,
    /// The index the --bulk actions name.
    #[arg(long, value_name = "NAME", default_value = "olke", requires = "bulk")]
    index: String,
}

/// The examples of `olke export --help`.
pub(super) const EXPORT_HELP: &str =
    "Catalogue records describe the digitized copy (007 cr, 300 «1 online resource»,\n\
    533 electronic reproduction) and link to its PDF only where the rights allow it to be\n\
    shown; the same holds for page text (jsonl --text) and for METS packages, which for a\n\
    work in copyright hold the description only. A newspaper issue's package holds the\n\
    pages every article on them allows, and its articles' structure pointing at their\n\
    ALTO blocks; an article's, the ALTO of its zones. olke.toml's `library.marc_code` names\n\
    the library in MARC 003/040 and UNIMARC 801.\n\n\
    Examples:\n  \
    olke export marcxml --base-url https://lib.example.kz/olke --out catalogue.xml\n  \
    olke export marc --out catalogue.mrc\n  \
    olke export unimarc --out catalogue-rusmarc.iso\n  \
    olke export jsonl | jq .citation\n  \
    olke export jsonl --text --bulk opensearch --index olke > bulk.ndjson\n  \
    olke export csv --out catalogue.csv\n  \
    olke export mets --out packages\n  \
    olke export mets --out packages balkhash-1968 pulse";

/// The documents `ids` names (all when none) out of `all`.
fn selected(all: &[DocumentRecord], ids: &[String]) -> Result<Vec<DocumentRecord>> {
    if let Some(missing) = ids.iter().find(|id| !all.iter().any(|r| &&r.id == id)) {
        bail!("no document {missing} in the archive; `olke list` shows the ids");
    }
    Ok(all.iter().filter(|r| ids.is_empty() || ids.contains(&r.id)).cloned().collect())
}

pub(super) fn run(archive: &Archive, args: ExportArgs) -> Result<u8> {
    if args.format != ExportFormat::Jsonl && (args.text || args.bulk.is_some()) {
        eprintln!("olke: --text and --bulk are for `olke export jsonl`");
        return Ok(super::EXIT_USAGE);
    }
    let config = Config::load(archive)?;
    let all = Reader::open(archive)?.documents()?;
    let records = selected(&all, &args.ids)?;
    let base_url = args.base_url.as_deref().or(config.publish.base_url());
    let library = &config.library;
    if args.format == ExportFormat::Mets {
        let Some(out) = &args.out else {
            eprintln!("olke: `olke export mets` needs --out DIR, the folder the packages go in");
            return Ok(super::EXIT_USAGE);
        };
        return write_packages(archive, &records, &all, out, base_url, library);
    }
    let url = |record: &DocumentRecord| shown_pdf_url(base_url, record);
    let pages = |record: &DocumentRecord| {
        files::shown_pages(archive, record, &all).map_err(|e| ExportError::Page(record.id.clone(), e))
    };
    let write = |out: &mut dyn Write| -> Result<(), ExportError> {
        let format = match args.format {
            ExportFormat::Marcxml => Format::MarcXml,
            ExportFormat::Marc => Format::Marc,
            ExportFormat::Unimarc => Format::Unimarc,
            ExportFormat::Csv => Format::Csv,
            ExportFormat::Jsonl => {
                let options = jsonl::Options {
                    url: &url,
                    pages: args.text.then_some(&pages as _),
                    bulk_index: args.bulk.map(|_| args.index.as_str()),
                };
                return jsonl::write(&records, &options, out);
            }
            ExportFormat::Mets => unreachable!("packages are written above"),
        };
        export(&records, &all, format, base_url, library, out)
    };
    match &args.out {
        Some(path) => {
            let mut out = BufWriter::new(AtomicFile::create(path).with_context(|| path.display().to_string())?);
            write(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?.commit().with_context(|| path.display().to_string())?;
            // With `--out -` the records are standard output: the summary must not join them.
            let summary = format!("{} records written to {}", records.len(), path.display());
            if path.as_os_str() == "-" {
                eprintln!("{summary}");
            } else {
                println!("{summary}");
            }
        }
        None => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            write(&mut out)?;
            out.flush()?;
        }
    }
    Ok(0)
}

/// Writes the packages of `records`; `all` the archive's documents (an issue's articles).
fn write_packages(
    archive: &Archive,
    records: &[DocumentRecord],
    all: &[DocumentRecord],
    out: &Path,
    base_url: Option<&str>,
    library: &crate::config::Library,
) -> Result<u8> {
    std::fs::create_dir_all(out).with_context(|| format!("{}: cannot create the folder", out.display()))?;
    let mut described_only = 0;
    for record in records {
        let package =
            mets::write_package(archive, record, all, out, library, shown_pdf_url(base_url, record).as_deref())?;
        if !package.content {
            described_only += 1;
        }
    }
    println!(
        "{} METS packages written to {} ({described_only} described only: their rights keep the PDF and text out)",
        records.len(),
        out.display()
    );
    Ok(0)
}
