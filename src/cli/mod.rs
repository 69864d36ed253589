//! The `olke` command line: parses arguments, calls the library, prints for people or
//! (with `--json`) for scripts. Exit codes: 0 all good, 1 failure, 2 usage, 3 some inputs
//! failed, 4 the archive has problems (verify, backup, restore).

mod catalog;
mod cluster;
mod collections;
mod correct;
mod deliver;
mod documents;
mod export;
mod ingest;
mod integrity;
mod progress;
mod publish;
mod report;
mod search;
mod serve;
mod zones;

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::archive::Archive;

/// Exit code when some inputs failed and the rest were processed.
pub const EXIT_PARTIAL: u8 = 3;
/// Exit code for usage errors (clap uses it too).
pub const EXIT_USAGE: u8 = 2;
/// Exit code when the archive has problems (left after a repair, if one was asked for).
pub const EXIT_PROBLEMS: u8 = 4;

#[derive(Parser, Debug)]
#[command(
    name = "olke",
    version,
    about = "Turns scanner output into a searchable local-history archive",
    long_about = "olke turns a library's scans into searchable PDFs with a catalogue: \
                  scans/<batch>/ → OCR (Tesseract, Kazakh, Russian, English) → archive/.",
    after_help = "Examples:\n  \
        olke ingest scans/2024-03\n  \
        olke zones scans/balqash-1998-12\n  \
        olke cluster slurm scans/2024-03 --tasks 8 --packages /shared/olke-packages\n  \
        olke --archive /srv/archive ingest scans/2024-03 scans/2024-04 --jobs 2\n  \
        olke list --json\n  \
        olke show balkhash-1968\n  \
        olke text balkhash-1968 > balkhash-1968.txt\n  \
        olke correct balkhash-1968 --page 3 --line 12 --text 'Nur Otan'\n  \
        olke catalog set balkhash-1968 collections 'Балқаш тарихы'\n  \
        olke collections\n  \
        olke export marcxml --base-url https://lib.example.kz/olke --out catalogue.xml\n  \
        olke deliver tom-6 --pages 46-65 --requester 'Асқар Сейітов <askar@example.kz>' --max-mb 10\n  \
        olke requests --year 2025\n  \
        olke requests fulfil 12\n  \
        olke serve --bind 127.0.0.1:8080\n  \
        olke publish --out site\n  \
        olke report --year 2025 --md\n  \
        olke search кітапхана --year 1960..1970\n  \
        olke verify --repair\n  \
        olke backup --out /mnt/backup/olke"
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
    #[command(after_help = "A batch folder with a manifest (batch.csv or batch.toml) is ingested as it says:\n\
        one document per row, of the files it lists in page order, with its description; the\n\
        manifest is checked whole first, and a row with a problem is not ingested (exit code\n\
        3). Without a manifest each image file becomes one document named after the file (a\n\
        multi-page TIFF is one multi-page document). Scans already archived are skipped; a\n\
        changed scan is processed again and the previous PDF kept under\n\
        documents/<id>/previous/.\n\n\
        Examples:\n  olke ingest scans/2024-03\n  olke ingest scans/2024-03 --include-unlisted\n  olke ingest scans/2024-03/p001.tif --dpi 400\n  olke ingest scans/* --jobs 2 --json > report.json")]
    Ingest(ingest::IngestArgs),
    /// Propose article zones on a batch's newspaper pages: zones.json, previews, a draft batch.csv.
    #[command(after_help = zones::ZONES_HELP)]
    Zones(zones::ZonesArgs),
    /// Recognize a share of a batch into document packages, for `olke file` (no archive
    /// needed; any number at once).
    #[command(after_help = cluster::RECOGNIZE_HELP)]
    Recognize(cluster::RecognizeArgs),
    /// File document packages written by `olke recognize` into the archive.
    #[command(after_help = cluster::FILE_HELP)]
    File(cluster::FileArgs),
    /// Ingest on a cluster: recognition as a Slurm array job, filing after it; progress.
    #[command(after_help = cluster::CLUSTER_HELP)]
    Cluster(cluster::ClusterArgs),
    /// List the archived documents.
    #[command(after_help = "Examples:\n  olke list\n  olke list --json | jq '.[].id'")]
    List {
        #[arg(long)]
        json: bool,
    },
    /// Show one document's record and its GOST 7.1 citation.
    #[command(after_help = "Examples:\n  olke show p001\n  olke show p001 --json | jq -r .citation")]
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
    /// Correct a line of a page's recognized text (the PDF, catalogue and index follow), or revert it.
    #[command(after_help = correct::CORRECT_HELP)]
    Correct(correct::CorrectArgs),
    /// List the corrections of recognized text, oldest first.
    #[command(after_help = correct::CORRECTIONS_HELP)]
    Corrections(correct::CorrectionsArgs),
    /// Change documents' descriptions (keeps the history; the PDF's metadata follows); bring older PDFs to PDF/A.
    Catalog(catalog::CatalogArgs),
    /// List the thematic collections with their document and page counts.
    #[command(after_help = "Examples:\n  olke collections\n  olke collections --json")]
    Collections {
        #[arg(long)]
        json: bool,
    },
    /// Export the catalogue: MARC 21 (MARCXML, ISO 2709), UNIMARC, JSON lines, CSV, or METS
    /// packages with ALTO.
    #[command(after_help = export::EXPORT_HELP)]
    Export(export::ExportArgs),
    /// Search the archive's text, titles and authors.
    #[command(after_help = "Kazakh and Russian words are matched in any inflected form: кітапхана finds\n\
        кітапханаларымыздың, библиотека finds библиотеки. Results are documents, best first,\n\
        with the pages where the words are and a passage with them marked.\n\n\
        Examples:\n  olke search Балқаш мыс\n  olke search '\"мыс кеніші\"' --year 1930..1960\n  \
        olke search 'кітапхана* OR библиотек*' --lang kaz --limit 20\n  \
        olke search Әуезов NOT театр --type book --collection Өлкетану\n  \
        olke search 'соғыс ардагерлері' --source 'Балқаш өңірі' --json\n\n\
        A query that cannot be read (an unclosed quote, an AND with nothing after it)\n\
        exits with code 2 and says what is wrong where.")]
    Search(search::SearchArgs),
    /// Print the terms a text is indexed under: each word's language, stems and bases.
    #[command(after_help = "For bibliographers checking why a word is or is not found, and for bug reports.\n\n\
        Examples:\n  olke analyze кітапханашыларымыздың\n  olke analyze 'Книга о Балқаше' --lang rus --json")]
    Analyze(search::AnalyzeArgs),
    /// Rebuild the search index from the catalogue.
    #[command(after_help = "Ingest keeps the index up to date; reindex rebuilds it whole, e.g. after an\n\
        upgrade of olke. Searches go on meanwhile and see the new index once it is complete.\n\n\
        Examples:\n  olke reindex\n  olke --archive /srv/archive reindex --json")]
    Reindex(search::ReindexArgs),
    /// Make a copy of a document's pages for a reader: a cover page, then the pages.
    #[command(after_help = deliver::DELIVER_HELP)]
    Deliver(deliver::DeliverArgs),
    /// List the request register: every delivery asked for, delivered or refused.
    #[command(after_help = deliver::REQUESTS_HELP, args_conflicts_with_subcommands = true)]
    Requests(deliver::RequestsArgs),
    /// Serve the archive on the web: search, documents, delivery requests, staff pages.
    #[command(after_help = crate::web::SERVE_HELP)]
    Serve(serve::ServeArgs),
    /// The annual digitization report: documents and pages by kind, rare, local-history and
    /// Kazakhstan-content books, deliveries.
    #[command(after_help = "A document counts in the year it was archived; the totals are through the end of\n\
        the year reported. Requests count in the year they were filed.\n\n\
        Examples:\n  olke report\n  olke report --year 2024 --md > report-2024.md\n  \
        olke report --year 2024 --csv > report-2024.csv\n  olke report --json | jq .kinds\n  \
        olke report --year 2024 --chart pages-2024.svg")]
    Report(report::ReportArgs),
    /// Export the full-text database as a static website (only what rights allow).
    #[command(after_help = "The site has an index page, a page per collection, and a page per document whose\n\
        rights allow full publication (public domain, author's contract): its citation, its\n\
        full text and a link to its PDF, copied beside it. Documents in copyright are listed\n\
        by their citation only. Labels are in Kazakh and Russian; links are relative, so the\n\
        folder works opened from the disk or on any static host. documents.json lists\n\
        everything for the library's website and e-catalogue. With --base-url, the works\n\
        published are also IIIF (Image API 3 at level 0, as tiles and sizes made beforehand,\n\
        and Presentation API 3 manifests at iiif/3/ID/manifest.json) for IIIF viewers and\n\
        aggregators. Publishing into the same folder again writes only what changed (page\n\
        images only when the archived PDF changed) and removes what is no longer published.\n\n\
        Examples:\n  olke publish --out site\n  olke publish --out site-batyrlar --collection 'Батырлар'\n  \
        olke publish --out /var/www/olke --base-url https://lib.example.kz/olke --json")]
    Publish(publish::PublishArgs),
    /// Check every PDF, record, page and scan, and the catalogue against them.
    #[command(after_help = "Each PDF must be the file its record names (SHA-256) and open with the record's\n\
        pages; each page file must be there; each scan still at its recorded path must be\n\
        unchanged; each article's issue must have the pages its zones lie on, and each article\n\
        an issue lists must be there; the catalogue must hold exactly the documents on disk,\n\
        in their version.\n\
        --repair finishes or undoes what a killed writer left, rebuilds catalogue entries\n\
        from the files (a damaged catalogue is moved aside and made anew), writes back a lost\n\
        record.json or page from the catalogue when it still names the PDF on disk, and says\n\
        what it did and what it could not do. Exit code 4 while anything is wrong.\n\n\
        Examples:\n  olke verify\n  olke verify --repair\n  olke verify --quick --no-sources --json")]
    Verify(integrity::VerifyArgs),
    /// Write the catalogue as JSON lines and a manifest of every archive file's checksum.
    #[command(after_help = "The backup folder gets catalog.jsonl (one record per line) and manifest.json\n\
        (every file under documents/ with its size and SHA-256). Page words are named in the\n\
        manifest, not copied: keep the backup with a copy of documents/ (rsync -a, tape).\n\n\
        Examples:\n  olke backup --out /mnt/backup/olke-2024-03\n  rsync -a archive/documents/ /mnt/backup/olke-2024-03/documents/")]
    Backup(integrity::BackupArgs),
    /// Rebuild the catalogue from a backup and the archive's files.
    #[command(after_help = "Every file is checked against the backup's manifest; a document whose record.json\n\
        is lost or damaged gets it back from the backup when its PDF and pages are the files\n\
        the backup saw. Documents changed or archived since the backup keep their own files.\n\
        The catalogue that was there is moved aside, never deleted.\n\n\
        Examples:\n  olke restore --from /mnt/backup/olke-2024-03\n  olke --archive /srv/olke restore --from /mnt/backup/olke-2024-03 --json")]
    Restore(integrity::RestoreArgs),
}

/// Parses the command line, runs the command and returns the process exit code.
pub fn run() -> ExitCode {
    let cli = Cli::parse();
    init_logging();
    if !matches!(cli.command, Command::Serve(_)) {
        end_quietly_on_closed_pipe();
    }
    match dispatch(cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("olke: {err:#}");
            ExitCode::from(1)
        }
    }
}

/// Warnings of olke and the libraries it uses, on stderr, in colour only for a terminal.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn".into());
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .without_time()
        .with_target(false)
        .try_init();
}

/// `olke text ID | head`: when the reader of stdout goes away, end as command-line tools
/// do (SIGPIPE) instead of failing with "Broken pipe". Not for `serve`, whose clients may
/// close a connection at any time.
fn end_quietly_on_closed_pipe() {
    // SAFETY: restores the default disposition before any thread is started; no handler
    // code runs.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn dispatch(cli: Cli) -> Result<u8> {
    let archive = Archive::new(cli.archive);
    match cli.command {
        Command::Ingest(args) => ingest::run(&archive, args),
        Command::Zones(args) => zones::run(&archive, args),
        Command::Recognize(args) => cluster::recognize(&archive, args),
        Command::File(args) => cluster::file(&archive, args),
        Command::Cluster(args) => cluster::cluster(&archive, args),
        Command::List { json } => documents::list(&archive, json),
        Command::Show { id, json } => documents::show(&archive, &id, json),
        Command::Text { id, page } => documents::text(&archive, &id, page),
        Command::Correct(args) => correct::correct(&archive, args),
        Command::Corrections(args) => correct::corrections(&archive, args),
        Command::Catalog(args) => catalog::run(&archive, args),
        Command::Collections { json } => collections::run(&archive, json),
        Command::Export(args) => export::run(&archive, args),
        Command::Search(args) => search::search(&archive, args),
        Command::Reindex(args) => search::reindex(&archive, args),
        Command::Analyze(args) => search::analyze(args),
        Command::Deliver(args) => deliver::deliver(&archive, args),
        Command::Requests(args) => deliver::requests(&archive, args),
        Command::Serve(args) => serve::run(&archive, args),
        Command::Report(args) => report::run(&archive, args),
        Command::Publish(args) => publish::run(&archive, args),
        Command::Verify(args) => integrity::verify(&archive, args),
        Command::Backup(args) => integrity::backup(&archive, args),
        Command::Restore(args) => integrity::restore(&archive, args),
    }
}

/// The archive opened for writing (see [`crate::integrity::open_for_writing`]), with
/// what a stopped writer left said.
pub(crate) fn open_for_writing(archive: &Archive) -> Result<crate::integrity::Writer> {
    let writer = crate::integrity::open_for_writing(archive)?;
    for recovered in &writer.recovered {
        eprintln!("olke: {recovered}");
    }
    Ok(writer)
}

/// `--base-url`: an http:// or https:// address.
pub(crate) fn web_address(text: &str) -> std::result::Result<String, String> {
    if text.starts_with("http://") || text.starts_with("https://") {
        Ok(text.to_string())
    } else {
        Err("expected an http:// or https:// address".into())
    }
}

pub(crate) fn print_json<T: Serialize>(value: &T) -> Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer_pretty(&mut out, value)?;
    writeln!(out)?;
    Ok(())
}
