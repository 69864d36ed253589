//! The `olke` command line: parses arguments, calls the library, prints for people or
//! (with `--json`) for scripts. Exit codes: 0 all good, 1 failure, 2 usage, 3 some inputs
//! failed.

mod progress;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{anyhow, Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use crate::archive::Archive;
use crate::catalog::Reader;
use crate::load::plausible_dpi;
use crate::pipeline::{self, IngestOptions, IngestReport, Outcome};
use crate::record::DocumentRecord;

/// Exit code when some inputs failed and the rest were processed.
pub const EXIT_PARTIAL: u8 = 3;
/// Exit code for usage errors (clap uses it too).
pub const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "olke",
    version,
    about = "Turns scanner output into a searchable local-history archive",
    long_about = "olke turns a library's scans into searchable PDFs with a catalogue: \
                  scans/<batch>/ → OCR (Tesseract, Kazakh, Russian, English) → archive/.",
    after_help = "Examples:\n  \
        olke ingest scans/2024-03\n  \
        olke --archive /srv/archive ingest scans/2024-03 scans/2024-04 --jobs 2\n  \
        olke list --json\n  \
        olke show balkhash-1968\n  \
        olke text balkhash-1968 > balkhash-1968.txt"
)]
pub struct Cli {
    /// The archive folder (created by the first ingest).
    #[arg(long, global = true, env = "OLKE_ARCHIVE", default_value = "archive", value_name = "DIR")]
    archive: PathBuf,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// OCR scan batches into searchable PDFs and catalogue records.
    #[command(after_help = "Each image file becomes one document named after the file (a multi-page TIFF\n\
        is one multi-page document). Scans already archived are skipped; a changed scan is\n\
        processed again and the previous PDF kept under documents/<id>/previous/.\n\n\
        Examples:\n  olke ingest scans/2024-03\n  olke ingest scans/2024-03/p001.tif --dpi 400\n  olke ingest scans/* --jobs 2 --json > report.json")]
    Ingest(IngestArgs),
    /// List the archived documents.
    #[command(after_help = "Examples:\n  olke list\n  olke list --json | jq '.[].id'")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one document's record.
    #[command(after_help = "Examples:\n  olke show p001\n  olke show p001 --json")]
    Show {
        id: String,
        #[arg(long)]
        json: bool,
    },
    /// Print a document's recognized text (pages separated by form feeds).
    #[command(after_help = "Examples:\n  olke text p001\n  olke text p001 --page 3")]
    Text {
        id: String,
        /// Only this page (from 1).
        #[arg(long)]
        page: Option<u32>,
    },
}

#[derive(Args, Debug)]
struct IngestArgs {
    /// Batch folders or scan files (TIFF, JPEG, PNG).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Pages recognized in parallel (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Tesseract languages, '+'-separated.
    #[arg(long, default_value = crate::ocr::DEFAULT_LANGUAGES, value_name = "LANGS")]
    lang: String,
    /// Resolution to assume when a file has none (or an implausible one).
    #[arg(long, default_value_t = 300.0, value_name = "N")]
    dpi: f32,
    /// JPEG quality for pages olke compresses itself (a scanner's JPEG is kept as it is).
    #[arg(long, default_value_t = crate::pdf::DEFAULT_JPEG_QUALITY, value_parser = clap::value_parser!(u8).range(10..=100), value_name = "Q")]
    jpeg_quality: u8,
    /// Largest image accepted, in megapixels.
    #[arg(long, default_value_t = 200, value_name = "N")]
    max_megapixels: u64,
    /// List pages whose mean word confidence is below this for review.
    #[arg(long, default_value_t = 70.0, value_name = "CONF")]
    review_below: f32,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// Parses the command line, runs the command and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("olke: {err:#}");
            ExitCode::from(1)
        }
    }
}

fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).try_init();
}

fn dispatch(cli: Cli) -> Result<u8> {
    let archive = Archive::new(cli.archive);
    match cli.command {
        Command::Ingest(args) => ingest(&archive, args),
        Command::List { json } => list(&archive, json),
        Command::Show { id, json } => show(&archive, &id, json),
        Command::Text { id, page } => text(&archive, &id, page),
    }
}

fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}

fn ingest(archive: &Archive, args: IngestArgs) -> Result<u8> {
    if !plausible_dpi(args.dpi) {
        eprintln!("olke: --dpi {} is not a scanning resolution (100–2400)", args.dpi);
        return Ok(EXIT_USAGE);
    }
    let mut options = IngestOptions { languages: args.lang, jpeg_quality: args.jpeg_quality, review_below: args.review_below, ..Default::default() };
    if let Some(jobs) = args.jobs {
        options.jobs = jobs.max(1);
    }
    options.load.fallback_dpi = args.dpi;
    options.load.max_pixels = args.max_megapixels.saturating_mul(1_000_000);

    let progress = progress::Bar::new();
    let report = pipeline::ingest(archive, &args.paths, &options, &progress)?;
    if args.json {
        print_json(&report)?;
    } else {
        print_ingest_summary(archive, &report);
    }
    Ok(if report.failures.is_empty() { 0 } else { EXIT_PARTIAL })
}

fn print_ingest_summary(archive: &Archive, report: &IngestReport) {
    let count = |o: Outcome| report.documents.iter().filter(|d| d.outcome == o).count();
    let (created, updated, unchanged) = (count(Outcome::Created), count(Outcome::Updated), count(Outcome::Unchanged));
    let per_minute = if report.seconds > 0.0 { report.pages as f64 / report.seconds * 60.0 } else { 0.0 };
    println!(
        "Archived {} documents ({created} new, {updated} updated, {unchanged} already archived), \
         {} pages recognized in {:.1} s ({per_minute:.1} pages/min)",
        created + updated,
        report.pages,
        report.seconds,
    );
    for document in report.documents.iter().filter(|d| d.outcome != Outcome::Unchanged) {
        println!("  {:<24} {:>4} pages  confidence {:>5.1}  {}", document.id, document.pages, document.mean_conf, archive.root().join(&document.pdf).display());
    }
    if report.pages > 0 {
        println!("Mean word confidence: {:.1}", report.mean_conf);
    }
    if !report.adopted.is_empty() {
        println!("Taken back into the catalogue from files on disk: {}", report.adopted.join(", "));
    }
    if !report.review.is_empty() {
        println!("Pages to review (low confidence):");
        for page in &report.review {
            println!("  {} page {}: {:.1}", page.id, page.page, page.mean_conf);
        }
    }
    if !report.failures.is_empty() {
        println!("{} input(s) failed:", report.failures.len());
        for failure in &report.failures {
            println!("  {failure}");
        }
    }
}

/// What `list --json` gives per document.
#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    title: &'a str,
    pages: usize,
    pdf: &'a str,
    languages: &'a [String],
    source_files: Vec<&'a str>,
    mean_conf: f32,
}

fn list(archive: &Archive, json: bool) -> Result<u8> {
    let reader = Reader::open(archive)?;
    let documents = reader.documents()?;
    if json {
        let entries: Vec<ListEntry> = documents
            .iter()
            .map(|d| ListEntry {
                id: &d.id,
                title: &d.bib.title,
                pages: d.pages.len(),
                pdf: &d.pdf,
                languages: &d.languages,
                source_files: d.source_files.iter().map(|s| s.path.as_str()).collect(),
                mean_conf: d.mean_conf(),
            })
            .collect();
        print_json(&entries)?;
    } else if documents.is_empty() {
        println!("The archive at {} has no documents yet.", archive.root().display());
    } else {
        for d in &documents {
            println!("{:<24} {:>4} pages  {:<8} {}", d.id, d.pages.len(), d.languages.join("+"), d.bib.title);
        }
        println!("{} documents", documents.len());
    }
    Ok(0)
}

fn find(reader: &Reader, archive: &Archive, id: &str) -> Result<DocumentRecord> {
    reader.get(id)?.ok_or_else(|| anyhow!("no document '{id}' in the archive at {}; `olke list` shows what is there", archive.root().display()))
}

fn show(archive: &Archive, id: &str, json: bool) -> Result<u8> {
    let reader = Reader::open(archive)?;
    let record = find(&reader, archive, id)?;
    if json {
        print_json(&record)?;
        return Ok(0);
    }
    println!("{}", record.id);
    println!("  title:      {}", record.bib.title);
    println!("  pages:      {}", record.pages.len());
    println!("  languages:  {}", record.languages.join(", "));
    println!("  PDF:        {} ({} bytes)", archive.root().join(&record.pdf).display(), record.pdf_bytes);
    println!("  OCR:        {} ({}), mean confidence {:.1}", record.ocr.engine, record.ocr.languages, record.mean_conf());
    println!("  archived:   {} (updated {})", record.created.format("%Y-%m-%d %H:%M"), record.updated.format("%Y-%m-%d %H:%M"));
    println!("  sources:");
    for source in &record.source_files {
        println!("    {} ({} bytes, sha256 {})", source.path, source.bytes, &source.sha256[..16]);
    }
    Ok(0)
}

fn text(archive: &Archive, id: &str, only: Option<u32>) -> Result<u8> {
    let reader = Reader::open(archive)?;
    let record = find(&reader, archive, id)?;
    let count = record.pages.len() as u32;
    let numbers: Vec<u32> = match only {
        Some(n) if n == 0 || n > count => return Err(anyhow!("{id} has {count} pages; there is no page {n}")),
        Some(n) => vec![n],
        None => (1..=count).collect(),
    };
    let mut out = std::io::stdout().lock();
    for (i, number) in numbers.iter().enumerate() {
        let page = reader.page(id, *number)?.with_context(|| format!("page {number} of {id} is missing from the archive; run `olke verify`"))?;
        if i > 0 {
            write!(out, "\x0c")?;
        }
        writeln!(out, "{}", page.text())?;
    }
    Ok(0)
}
