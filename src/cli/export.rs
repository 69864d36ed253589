//! `olke export`: the catalogue for the library's e-catalogue.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Args, ValueEnum};

use crate::archive::{Archive, AtomicFile};
use crate::catalog::{Documents, Reader};
use crate::config::Config;
use crate::export::{export, Format};

#[derive(Clone, Copy, Debug, ValueEnum)]
enum ExportFormat {
    /// MARC 21 as MARCXML.
    Marcxml,
    /// MARC 21 as ISO 2709 (.mrc).
    Marc,
    /// One JSON object per document and line, with its citation.
    Jsonl,
    /// The manifest's columns with id, pages, citation and url.
    Csv,
}

#[derive(Args, Debug)]
pub(super) struct ExportArgs {
    #[arg(value_enum)]
    format: ExportFormat,
    /// Address where the archive is published; links each record to its PDF
    /// (BASE/documents/ID/ID.pdf, MARC 856 $u). Default: `[publish] base_url` in olke.toml.
    #[arg(long, value_name = "URL", value_parser = super::web_address)]
    base_url: Option<String>,
    /// Write to FILE instead of standard output.
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
}

pub(super) fn run(archive: &Archive, args: ExportArgs) -> Result<u8> {
    let format = match args.format {
        ExportFormat::Marcxml => Format::MarcXml,
        ExportFormat::Marc => Format::Marc,
        ExportFormat::Jsonl => Format::Jsonl,
        ExportFormat::Csv => Format::Csv,
    };
    let records = Reader::open(archive)?.documents()?;
    let config = Config::load(archive)?;
    let base_url = args.base_url.as_deref().or(config.publish.base_url());
    match &args.out {
        Some(path) => {
            let mut out = BufWriter::new(AtomicFile::create(path).with_context(|| path.display().to_string())?);
            export(&records, format, base_url, &mut out)?;
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
            export(&records, format, base_url, &mut out)?;
            out.flush()?;
        }
    }
    Ok(0)
}
