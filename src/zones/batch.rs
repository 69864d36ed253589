//! `olke zones BATCH`: every newspaper page of a batch prepared and read as ingest would,
//! its zones proposed, and the zones file, the previews and the draft manifest written.
//! The scans are only read.

use std::path::{Path, PathBuf};
use std::time::Instant;

use rayon::prelude::*;
use serde::Serialize;

use super::draft::{self, DraftPage, PageArticle};
use super::propose::{propose, Proposal};
use super::{preview, ZoneFile, ZoneFileError, ZonedPage, VERSION};
use crate::ingest::{self, manifest, IngestOptions, Progress, StageSeconds};
use crate::page::{BBox, RecognizedPage};
use crate::record::DocumentType;
use crate::{load, ocr, prepare};

/// Where the previews go in the batch folder.
const PREVIEWS: &str = "zones";
/// A preview's name ends so, which tells it from a scan (`load::is_batch_sidecar`).
pub(crate) const PREVIEW_SUFFIX: &str = ".zones.png";

#[derive(Debug, thiserror::Error)]
pub(crate) enum ZonesError {
    #[error("{}: not a batch folder", .0.display())]
    NotAFolder(PathBuf),
    #[error(transparent)]
    Models(#[from] ocr::OcrError),
    #[error(transparent)]
    File(#[from] ZoneFileError),
    #[error("{}: {source}", path.display())]
    Write { path: PathBuf, source: std::io::Error },
}

/// What a run did.
#[derive(Debug, Default, Serialize)]
pub(crate) struct ZonesReport {
    pub pages: Vec<PageReport>,
    /// Scans (or pages) that could not be used, each with its file and the reason.
    pub failures: Vec<String>,
    /// Rows of the draft: proposed articles, continued ones joined.
    pub articles: usize,
    pub zones_file: PathBuf,
    pub draft: PathBuf,
    pub seconds: f64,
}

#[derive(Debug, Serialize)]
pub(crate) struct PageReport {
    pub file: PathBuf,
    pub index: usize,
    pub zones: usize,
    pub articles: usize,
    pub preview: PathBuf,
    /// What the bibliographer should check on this page.
    pub notes: Vec<String>,
    /// Preparing and reading the page, and proposing its zones, seconds.
    pub read_seconds: f64,
    pub zoning_seconds: f64,
}

/// A page of a scan to zone.
struct Job {
    /// As `batch.csv` names it: relative to the batch, `/`-separated.
    name: String,
    path: PathBuf,
    format: load::Format,
    index: usize,
    /// The file's pages: zones on a page of several name it (`issue.tif:2#1`).
    pages: usize,
}

/// A page zoned, with what the draft needs of it.
struct Zoned {
    page: ZonedPage,
    report: PageReport,
    articles: Vec<PageArticle>,
    /// The page as a zone names it.
    name: String,
}

/// Proposes the zones of every newspaper page of batch folder `batch`.
pub(crate) fn zones(batch: &Path, options: &IngestOptions, progress: &dyn Progress) -> Result<ZonesReport, ZonesError> {
    let started = Instant::now();
    if !batch.is_dir() {
        return Err(ZonesError::NotAFolder(batch.to_path_buf()));
    }
    ocr::check_models(&options.models)?;
    let mut report = ZonesReport::default();
    let mut jobs = Vec::new();
    for scan in newspaper_scans(batch, &mut report.failures) {
        let name = scan.strip_prefix(batch).unwrap_or(&scan).to_string_lossy().replace('\\', "/");
        match load::probe(&scan) {
            Ok(info) => jobs.extend((0..info.pages).map(|index| Job {
                name: name.clone(),
                path: scan.clone(),
                format: info.format,
                index,
                pages: info.pages,
            })),
            Err(e) => report.failures.push(format!("{name}: {e}")),
        }
    }
    // What cannot be read is said at once; the other pages are zoned all the same.
    for failure in &report.failures {
        progress.note(&format!("olke: {failure}"));
    }
    progress.start(jobs.len() as u64);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .thread_name(|i| format!("olke-zones-{i}"))
        .build()
        .expect("a thread pool can be built");
    let results: Vec<Result<Vec<Zoned>, String>> = pool.install(|| {
        jobs.par_iter()
            .map(|job| {
                let zoned = zone_page(batch, job, options);
                progress.page_done();
                if let Err(e) = &zoned {
                    progress.note(&format!("olke: {e}"));
                }
                zoned
            })
            .collect()
    });
    pool.broadcast(|_| {
        ocr::release();
        prepare::release();
    });
    progress.finish();

    let mut file = ZoneFile { olke_zones: VERSION, pages: Vec::new() };
    let mut draft_pages = Vec::new();
    for result in results {
        match result {
            Ok(pages) => {
                for zoned in pages {
                    draft_pages.push(DraftPage {
                        file: zoned.page.file.to_string_lossy().into(),
                        page: zoned.name,
                        articles: zoned.articles,
                    });
                    file.pages.push(zoned.page);
                    report.pages.push(zoned.report);
                }
            }
            Err(e) => report.failures.push(e),
        }
    }
    file.write(batch)?;
    report.zones_file = batch.join(super::FILE_NAME);
    let rows = draft::rows(&draft_pages);
    report.articles = rows.len();
    let mut names: Vec<String> = draft_pages.iter().map(|p| p.file.clone()).collect();
    names.dedup();
    report.draft = draft::write(batch, &names, &rows)
        .map_err(|source| ZonesError::Write { path: batch.join(draft::FILE_NAME), source })?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The batch's newspaper scans: those of the manifest's newspaper rows, or every scan when
/// there is no manifest or none of its rows is a newspaper's.
fn newspaper_scans(batch: &Path, failures: &mut Vec<String>) -> Vec<PathBuf> {
    let mut scans = Vec::new();
    for entry in load::batch_files(batch, None) {
        match entry {
            Ok(path) if load::not_a_scan(&path).is_none() => scans.push(path),
            Ok(_) => {}
            Err((path, reason)) => failures.push(format!("{}: {reason}", path.display())),
        }
    }
    let Some(manifest) = manifest::read(batch, &scans) else { return scans };
    let listed: Vec<&PathBuf> = manifest
        .entries
        .iter()
        .filter(|e| e.bib.kind == Some(DocumentType::NewspaperArticle))
        .flat_map(|e| &e.files)
        .collect();
    if listed.is_empty() {
        return scans;
    }
    scans.into_iter().filter(|s| listed.contains(&s)).collect()
}

/// Prepares, reads and zones one page of a scan (a spread gives two pages), writing its
/// preview.
fn zone_page(batch: &Path, job: &Job, options: &IngestOptions) -> Result<Vec<Zoned>, String> {
    let fail = |e: &dyn std::fmt::Display| match job.index {
        0 => format!("{}: {e}", job.name),
        i => format!("{}: page {}: {e}", job.name, i + 1),
    };
    let started = Instant::now();
    let source = load::decode_page(&job.path, job.format, job.index, &options.load).map_err(|e| fail(&e))?;
    let prepared = prepare::prepare(source, &options.prepare);
    let halves = prepared.len();
    let mut zoned = Vec::new();
    for (half, page) in prepared.into_iter().enumerate() {
        let mut seconds = StageSeconds::default();
        let (page, recognized) =
            ingest::recognize_prepared(page, &options.models, &options.prepare, &mut seconds).map_err(|e| fail(&e))?;
        let read_seconds = started.elapsed().as_secs_f64();
        let timer = Instant::now();
        let gray = page.archive.to_gray();
        let proposal = propose(&gray, &recognized);
        let zoning_seconds = timer.elapsed().as_secs_f64();
        // Pages are counted through the file, a spread's halves one after the other.
        let index = job.index * halves + half;
        let preview = preview_path(batch, &job.name, index);
        write_preview(&preview, &gray, &proposal).map_err(|e| fail(&e))?;
        let articles = page_articles(&proposal, &recognized);
        let report = PageReport {
            file: job.name.clone().into(),
            index,
            zones: proposal.zones.len(),
            articles: articles.len(),
            preview,
            notes: proposal.notes,
            read_seconds,
            zoning_seconds,
        };
        let page = ZonedPage {
            file: job.name.clone().into(),
            index,
            width: page.archive.width(),
            height: page.archive.height(),
            zones: proposal.zones,
        };
        let name = super::page_name(&job.name, index, job.pages > 1);
        zoned.push(Zoned { page, report, articles, name });
    }
    Ok(zoned)
}

/// `BATCH/zones/NAME.zones.png`, with the page's number for a file of several.
fn preview_path(batch: &Path, name: &str, index: usize) -> PathBuf {
    let numbered = if index == 0 { name.to_string() } else { format!("{name}.{}", index + 1) };
    batch.join(PREVIEWS).join(format!("{numbered}{PREVIEW_SUFFIX}"))
}

fn write_preview(path: &Path, gray: &image::GrayImage, proposal: &Proposal) -> Result<(), String> {
    let fail = |e: &dyn std::fmt::Display| format!("preview {}: {e}", path.display());
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| fail(&e))?;
    }
    let mut png = std::io::Cursor::new(Vec::new());
    preview::render(gray, &proposal.zones).write_to(&mut png, image::ImageFormat::Png).map_err(|e| fail(&e))?;
    crate::archive::write_atomic(path, png.get_ref()).map_err(|e| fail(&e))
}

/// Each proposed article's part on the page, with the words read in it.
fn page_articles(proposal: &Proposal, recognized: &RecognizedPage) -> Vec<PageArticle> {
    proposal
        .articles
        .iter()
        .map(|(numbers, _)| {
            let zones: Vec<&super::Zone> = proposal.zones.iter().filter(|z| numbers.contains(&z.number)).collect();
            let boxes: Vec<BBox> = zones.iter().map(|z| z.bbox).collect();
            let headline = zones.first().and_then(|z| z.headline.clone());
            PageArticle { zones: numbers.clone(), headline, text: text_in(recognized, &boxes) }
        })
        .collect()
}

/// The words read inside `boxes` (by their middle), in reading order.
fn text_in(page: &RecognizedPage, boxes: &[BBox]) -> String {
    let inside = |b: &BBox| {
        let (x, y) = ((b.x0 + b.x1) / 2, (b.y0 + b.y1) / 2);
        boxes.iter().any(|z| x >= z.x0 && x < z.x1 && y >= z.y0 && y < z.y1)
    };
    let words: Vec<&str> = page.words().filter(|w| inside(&w.bbox)).map(|w| w.text.as_str()).collect();
    words.join(" ")
}
