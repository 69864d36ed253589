//! `olke ingest`: runs the pipeline over batch folders and prints its report.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{print_json, progress, EXIT_PARTIAL, EXIT_USAGE};
use crate::archive::Archive;
use crate::config::Config;
use crate::ingest::{self, IngestOptions, IngestReport, Outcome};
use crate::load::pdf::OcrMode;
use crate::load::plausible_dpi;
use crate::prepare::{ImageMode, PrepareOptions};

#[derive(Args, Debug)]
pub(super) struct IngestArgs {
    /// Batch folders or scan files (TIFF, JPEG, PNG, PDF).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    #[command(flatten)]
    pub recognition: RecognitionArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

/// How pages are recognized: the options `olke ingest` and `olke recognize` share.
#[derive(Args, Debug)]
pub(super) struct RecognitionArgs {
    /// Pages recognized in parallel (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Tesseract languages, '+'-separated (default: `[ocr] languages` in the archive's
    /// olke.toml, kaz+rus+eng). A manifest row's `language` takes precedence.
    #[arg(long, value_name = "LANGS")]
    lang: Option<String>,
    /// Resolution to assume when a file has none (or an implausible one).
    #[arg(long, default_value_t = 300.0, value_name = "N", value_parser = scanning_dpi)]
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
    /// How the archived page is stored: as scanned, gray, or the cleaned page in black and white.
    #[arg(long, value_enum, default_value_t = ImageMode::Auto, value_name = "MODE")]
    image_mode: ImageMode,
    /// Turn off page preparation entirely (archive and recognize the scans as they are).
    #[arg(long)]
    no_prepare: bool,
    /// Do not crop dark scanner edges.
    #[arg(long)]
    no_crop: bool,
    /// Do not clean the page for OCR (noise, uneven paper, show-through).
    #[arg(long)]
    no_clean: bool,
    /// Do not turn sideways or upside-down pages upright.
    #[arg(long)]
    no_orient: bool,
    /// Keep two-page spreads whole instead of splitting them into two pages.
    #[arg(long)]
    no_split: bool,
    /// Do not straighten skewed pages.
    #[arg(long)]
    no_deskew: bool,
    /// Do not upscale pages scanned under 300 dpi for OCR.
    #[arg(long)]
    no_upscale: bool,
    /// Do not check the text read against the scan for lines preparation lost.
    #[arg(long)]
    no_guard: bool,
    /// Also archive the scans a batch manifest does not list, each as a document of its own.
    #[arg(long)]
    include_unlisted: bool,
    /// PDF pages that have a text layer are recognized again from their image, the new
    /// text layer replacing the old (by default they are kept as they are, with no OCR).
    #[arg(long, conflicts_with = "force_ocr")]
    redo_ocr: bool,
    /// Every PDF page is rendered and recognized, whatever it holds.
    #[arg(long)]
    force_ocr: bool,
    /// Put each document in a collection named after the folder its file is in.
    #[arg(long)]
    collection_from_folder: bool,
}

impl RecognitionArgs {
    fn prepare_options(&self) -> PrepareOptions {
        let base = if self.no_prepare { PrepareOptions::none() } else { PrepareOptions::default() };
        PrepareOptions {
            crop: base.crop && !self.no_crop,
            clean: base.clean && !self.no_clean,
            orient: base.orient && !self.no_orient,
            split: base.split && !self.no_split,
            deskew: base.deskew && !self.no_deskew,
            upscale: base.upscale && !self.no_upscale,
            guard: base.guard && !self.no_guard,
            image_mode: self.image_mode,
        }
    }

    /// No `--jobs` was given (a job script then gives the cores it was allotted).
    pub(super) fn jobs_unset(&self) -> bool {
        self.jobs.is_none()
    }

    /// The ingest options these arguments give, with the archive's settings (its olke.toml)
    /// where the arguments leave them open.
    pub(super) fn options(&self, config: Config) -> IngestOptions {
        let mut options = IngestOptions {
            prepare: self.prepare_options(),
            models: self.lang.clone().unwrap_or(config.ocr.models),
            language_models: config.ocr.language_models,
            jpeg_quality: self.jpeg_quality,
            review_below: self.review_below,
            include_unlisted: self.include_unlisted,
            pdf_ocr: match (self.redo_ocr, self.force_ocr) {
                (_, true) => OcrMode::Force,
                (true, false) => OcrMode::RedoText,
                (false, false) => OcrMode::KeepText,
            },
            collection_from_folder: self.collection_from_folder,
            ..Default::default()
        };
        if let Some(jobs) = self.jobs {
            options.jobs = jobs.max(1);
        }
        options.load.fallback_dpi = self.dpi;
        options.load.max_pixels = self.max_megapixels.saturating_mul(1_000_000);
        options
    }
}

fn scanning_dpi(text: &str) -> std::result::Result<f32, String> {
    match text.parse::<f32>() {
        Ok(dpi) if plausible_dpi(dpi) => Ok(dpi),
        _ => Err("not a scanning resolution (100–2400)".into()),
    }
}

/// Usage error unless every path given is there.
pub(super) fn check_inputs(paths: &[PathBuf]) -> Option<u8> {
    let missing = paths.iter().find(|p| !p.exists())?;
    eprintln!("olke: {}: no such file or folder; give a batch folder or scan files", missing.display());
    Some(EXIT_USAGE)
}

pub(super) fn run(archive: &Archive, args: IngestArgs) -> Result<u8> {
    if let Some(code) = check_inputs(&args.paths) {
        return Ok(code);
    }
    // The archive folder is made first so that a new archive gets its olke.toml at once.
    archive.create_layout()?;
    let options = args.recognition.options(Config::load(archive)?);

    let progress = progress::Bar::new();
    let report = ingest::ingest(archive, &args.paths, &options, &progress)?;
    print_report(archive, &report, args.json)
}

/// Prints an ingest's (or a filing's) report and gives its exit code.
pub(super) fn print_report(archive: &Archive, report: &IngestReport, json: bool) -> Result<u8> {
    if json {
        print_json(report)?;
    } else {
        print_ingest_summary(archive, report);
    }
    Ok(if report.complete() { 0 } else { EXIT_PARTIAL })
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
        if let Some(host) = &document.host {
            println!("  {:<24} an article on the pages of {host}", document.id);
            continue;
        }
        let reading = if document.kept_pages == document.pages {
            "text layer kept".to_string()
        } else {
            format!("confidence {:>5.1}", document.mean_conf)
        };
        println!(
            "  {:<24} {:>4} pages  {reading}  {}",
            document.id,
            document.pages,
            archive.root().join(&document.pdf).display()
        );
    }
    if report.kept_pages > 0 {
        println!("{} PDF pages kept with their own text layer (not recognized)", report.kept_pages);
    }
    if report.pages > 0 {
        println!("Mean word confidence: {:.1}", report.mean_conf);
    }
    if !report.recovered.is_empty() {
        println!("An earlier run was stopped halfway; its unfinished work was dealt with:");
        for recovered in &report.recovered {
            println!("  {recovered}");
        }
    }
    if !report.adopted.is_empty() {
        println!("Taken back into the catalogue from files on disk: {}", report.adopted.join(", "));
    }
    if report.reindexed > 0 {
        println!("Put back into the search index (missing or out of date): {} documents", report.reindexed);
    }
    if !report.refreshed.is_empty() {
        println!("Catalogue entries brought up to date from the files: {}", report.refreshed.join(", "));
    }
    if !report.review.is_empty() {
        println!("Pages to review:");
        for page in &report.review {
            println!("  {} page {}: {} (confidence {:.1})", page.id, page.page, page.reason, page.mean_conf);
        }
    }
    if !report.failures.is_empty() {
        println!("{} input(s) failed:", report.failures.len());
        for failure in &report.failures {
            println!("  {failure}");
        }
    }
    if !report.manifest_problems.is_empty() {
        println!("{} manifest problem(s); those rows were not ingested:", report.manifest_problems.len());
        for problem in &report.manifest_problems {
            println!("  {problem}");
        }
    }
    if !report.missing.is_empty() {
        println!(
            "{} package(s) expected and not there (their recognition failed or is still running; run it again, then file again):",
            report.missing.len()
        );
        for path in &report.missing {
            println!("  {}", path.display());
        }
    }
    if !report.unlisted.is_empty() {
        println!(
            "{} scan(s) not listed in their batch's manifest, not ingested (--include-unlisted archives them):",
            report.unlisted.len()
        );
        for path in &report.unlisted {
            println!("  {}", path.display());
        }
    }
}
