//! The ingest driver: walks batch folders, plans documents, runs every page through
//! load → prepare → ocr → pdf on a pool of workers, and files each finished document in
//! the archive and the catalogue.
//!
//! Pages are handed to workers in document order and the results are written in order by
//! one collector, so memory holds only the pages in flight, however large the batch. Each
//! worker thread keeps its own Tesseract engine for the whole run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use chrono::Utc;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive::{sanitize_id, sha256_file, write_atomic, Archive, AtomicFile};
use crate::catalog::{self, Catalog};
use crate::index::{IndexError, Updater};
use crate::load::pdf::{EmbeddedMetadata, OcrMode, PdfPageContent};
use crate::load::{self, Format, LoadOptions};
use crate::page::RecognizedPage;
use crate::pdf::import::{CopyError, PageCopier, SourcePdf};
use crate::pdf::{PdfPage, PdfWriter};
use crate::prepare::{self, PrepareOptions};
use crate::record::manifest::{self, Problem};
use crate::record::{Bibliographic, DocumentRecord, OcrInfo, PageSummary, SourceFile, TextLayer, SCHEMA_VERSION};
use crate::staging::{Recovered, Staged, StagingError};
use crate::ocr;

/// Settings of one ingest run.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Worker threads, each with its own OCR engine.
    pub jobs: usize,
    /// Tesseract languages, `+`-separated.
    pub languages: String,
    /// The models that read a record's stated language, where not the model of its name.
    pub models: BTreeMap<String, String>,
    pub load: LoadOptions,
    pub prepare: PrepareOptions,
    pub jpeg_quality: u8,
    /// Pages with a mean word confidence below this are listed for review.
    pub review_below: f32,
    /// Archive the scans a batch manifest does not list, each as a document of its own.
    pub include_unlisted: bool,
    /// What becomes of PDF pages that have a text layer.
    pub pdf_ocr: OcrMode,
    /// Each document is put in the collection named after its first file's folder.
    pub collection_from_folder: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jobs: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            languages: ocr::DEFAULT_LANGUAGES.to_string(),
            models: BTreeMap::new(),
            load: LoadOptions::default(),
            prepare: PrepareOptions::default(),
            jpeg_quality: crate::pdf::DEFAULT_JPEG_QUALITY,
            review_below: 70.0,
            include_unlisted: false,
            pdf_ocr: OcrMode::default(),
            collection_from_folder: false,
        }
    }
}

/// Receives progress from a running ingest (a progress bar, a log, or nothing).
pub trait Progress: Sync {
    /// The run will recognize this many scanned pages.
    fn start(&self, _pages: u64) {}
    fn page_done(&self) {}
    /// A line for the user (a failed input, a skipped document).
    fn note(&self, _line: &str) {}
    fn finish(&self) {}
}

/// Progress that goes nowhere.
pub struct Silent;
impl Progress for Silent {}

/// An input that could not be used, and why.
#[derive(Clone, Debug, Serialize)]
pub struct Failure {
    pub path: PathBuf,
    /// Page within the file (from 1), when only that page failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    pub reason: String,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.page {
            Some(page) => write!(f, "{}: page {page}: {}", self.path.display(), self.reason),
            None => write!(f, "{}: {}", self.path.display(), self.reason),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Archived for the first time.
    Created,
    /// A source changed since it was archived; made again (the previous PDF is kept).
    Updated,
    /// Already archived from the same scans; nothing done.
    Unchanged,
}

#[derive(Clone, Debug, Serialize)]
pub struct DocumentReport {
    pub id: String,
    pub outcome: Outcome,
    pub pages: usize,
    /// PDF path relative to the archive.
    pub pdf: String,
    pub mean_conf: f32,
    /// Pages of a source PDF kept with their own text layer (not recognized).
    #[serde(skip_serializing_if = "is_zero")]
    pub kept_pages: usize,
}

impl DocumentReport {
    fn of(record: &DocumentRecord, outcome: Outcome) -> DocumentReport {
        DocumentReport {
            id: record.id.clone(),
            outcome,
            pages: record.pages.len(),
            pdf: record.pdf.clone(),
            mean_conf: record.mean_conf(),
            kept_pages: record.kept_pages(),
        }
    }
}

/// A page whose recognition is doubtful enough for a person to look at.
#[derive(Clone, Debug, Serialize)]
pub struct ReviewPage {
    pub id: String,
    pub page: u32,
    pub mean_conf: f32,
}

/// Seconds spent in each stage, summed over the pages of a run (worker time, so with
/// several workers the sum exceeds the wall-clock time).
#[derive(Clone, Copy, Debug, Default, Serialize)]
pub struct StageSeconds {
    pub load: f64,
    pub prepare: f64,
    pub ocr: f64,
    pub pdf: f64,
}

impl std::ops::AddAssign for StageSeconds {
    fn add_assign(&mut self, other: StageSeconds) {
        self.load += other.load;
        self.prepare += other.prepare;
        self.ocr += other.ocr;
        self.pdf += other.pdf;
    }
}

/// What an ingest did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestReport {
    pub documents: Vec<DocumentReport>,
    /// Pages recognized in this run.
    pub pages: usize,
    /// Pages of PDFs archived with their own text layer, not recognized.
    pub kept_pages: usize,
    pub failures: Vec<Failure>,
    /// Mean word confidence over the pages recognized in this run.
    pub mean_conf: f32,
    pub review: Vec<ReviewPage>,
    pub seconds: f64,
    pub stage_seconds: StageSeconds,
    /// Documents found on disk but missing from the catalogue, taken back in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adopted: Vec<String>,
    /// What an earlier run that was killed or failed halfway left, completed or undone.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<Recovered>,
    /// Documents the catalogue held in another version than their files, replaced.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub refreshed: Vec<String>,
    /// Problems in batch manifests: the rows concerned were not ingested.
    pub manifest_problems: Vec<Problem>,
    pub manifest_warnings: Vec<Problem>,
    /// Scans in a batch with a manifest that no row lists, left out (see
    /// [`IngestOptions::include_unlisted`]).
    pub unlisted: Vec<PathBuf>,
    /// Documents missing from the search index (or changed since), indexed again first.
    #[serde(skip_serializing_if = "is_zero")]
    pub reindexed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl IngestReport {
    /// True when every input was used as it was meant to be.
    pub fn complete(&self) -> bool {
        self.failures.is_empty() && self.manifest_problems.is_empty() && self.unlisted.is_empty()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum IngestError {
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Ocr(#[from] ocr::OcrError),
    #[error("{path}: {source}")]
    Write { path: PathBuf, source: io::Error },
    #[error(transparent)]
    Staging(#[from] StagingError),
    #[error(transparent)]
    Import(#[from] CopyError),
}

/// A source file planned into a document.
#[derive(Clone, Debug)]
struct PlannedSource {
    path: PathBuf,
    format: Format,
    pages: usize,
    file: SourceFile,
    /// What a PDF says about itself.
    metadata: Option<EmbeddedMetadata>,
}

/// A document to make.
#[derive(Debug)]
struct PlannedDocument {
    id: String,
    /// Tesseract languages for its pages: the record's own when it states them.
    ocr_languages: String,
    outcome: Outcome,
    bib: Bibliographic,
    /// The description comes from a manifest (not made up from the file name).
    described: bool,
    sources: Vec<PlannedSource>,
    content_key: String,
}

impl PlannedDocument {
    fn scanned_pages(&self) -> usize {
        self.sources.iter().map(|s| s.pages).sum()
    }
}

/// One scanned page to process: which document, where in it, where from.
#[derive(Clone, Debug)]
struct PageJob {
    /// Position in the whole run, in the order pages are filed.
    order: usize,
    document: usize,
    /// Position among the document's scanned pages.
    seq: usize,
    source: usize,
    path: PathBuf,
    format: Format,
    index: usize,
    languages: String,
}

/// Keeps workers from running far ahead of the oldest page not yet back: finished pages
/// wait in memory until the pages before them are filed, so a slow page would otherwise
/// let the others pile up behind it.
struct Window {
    size: usize,
    /// Pages back in one run from the start (`low`), and those back beyond it.
    state: std::sync::Mutex<(usize, std::collections::BTreeSet<usize>)>,
    moved: std::sync::Condvar,
    /// Set when the run stops early: nobody waits any more.
    abandoned: std::sync::atomic::AtomicBool,
}

impl Window {
    fn new(size: usize) -> Window {
        Window {
            size,
            state: std::sync::Mutex::new((0, Default::default())),
            moved: std::sync::Condvar::new(),
            abandoned: Default::default(),
        }
    }

    /// Blocks until page `order` is within the window. The oldest page out is always
    /// within it, so the run never stalls.
    fn wait_for(&self, order: usize) {
        let mut state = self.state.lock().expect("window lock");
        while order >= state.0 + self.size && !self.abandoned.load(std::sync::atomic::Ordering::Relaxed) {
            state = self.moved.wait(state).expect("window lock");
        }
    }

    fn received(&self, order: usize) {
        let mut state = self.state.lock().expect("window lock");
        let (low, beyond) = &mut *state;
        beyond.insert(order);
        while beyond.remove(low) {
            *low += 1;
        }
        self.moved.notify_all();
    }

    fn abandon(&self) {
        let _state = self.state.lock().expect("window lock");
        self.abandoned.store(true, std::sync::atomic::Ordering::Relaxed);
        self.moved.notify_all();
    }
}

/// How a page gets into the archived PDF.
enum ArchivedPage {
    /// Made by olke: the page image and the text layer laid over it.
    Made(PdfPage),
    /// The source PDF's page, copied as it is (its `PageSummary` names it).
    Kept,
}

/// A recognized output page (a spread gives two).
struct PageOutput {
    pdf: ArchivedPage,
    recognized: RecognizedPage,
    summary: PageSummary,
}

/// A batch argument, listed: a folder of scans, or a single file (its folder is the batch).
struct Batch {
    name: String,
    root: PathBuf,
    entries: Vec<load::BatchEntry>,
    /// Given as a folder: only then does its manifest apply.
    folder: bool,
}

impl Batch {
    fn of(input: &Path) -> Batch {
        let absolute = std::path::absolute(input).unwrap_or_else(|_| input.to_path_buf());
        let folder = absolute.is_dir();
        let root = if folder { absolute.clone() } else { absolute.parent().map(Path::to_path_buf).unwrap_or_default() };
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "batch".into());
        let entries = if folder {
            load::batch_files(&absolute)
        } else if absolute.exists() {
            vec![Ok(absolute)]
        } else {
            vec![Err((input.to_path_buf(), "no such file or folder".to_string()))]
        };
        Batch { name, root, entries, folder }
    }

    /// The files that may be scans (those plainly not, like notes, left out).
    fn scans(&self) -> impl Iterator<Item = &PathBuf> {
        self.entries.iter().filter_map(|e| e.as_ref().ok()).filter(|path| load::not_a_scan(path).is_none())
    }
}

/// Looks at every input file: format, pages, checksum. Returns the usable ones.
fn survey(batches: &[Batch], failures: &mut Vec<Failure>, progress: &dyn Progress) -> Vec<(String, PlannedSource)> {
    let mut candidates = Vec::new();
    for batch in batches {
        for entry in &batch.entries {
            match entry {
                Ok(path) => match load::not_a_scan(path) {
                    Some(reason) => progress.note(&format!("{}: {reason}", path.display())),
                    None => candidates.push((batch.name.clone(), batch.root.clone(), path.clone())),
                },
                Err((path, reason)) => failures.push(Failure { path: path.clone(), page: None, reason: reason.clone() }),
            }
        }
    }
    let surveyed: Vec<_> = candidates
        .into_par_iter()
        .map(|(batch, root, path)| {
            let result = load::probe(&path).map_err(|e| e.to_string()).and_then(|info| {
                let (sha256, bytes) = sha256_file(&path).map_err(|e| format!("cannot read the file: {e}"))?;
                let name = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().into_owned();
                let file = SourceFile { path: path.to_string_lossy().into_owned(), batch: batch.clone(), name, sha256, bytes };
                Ok((PlannedSource { path: path.clone(), format: info.format, pages: info.pages, file, metadata: info.metadata }, info.damage))
            });
            (batch, path, result)
        })
        .collect();
    let mut usable = Vec::new();
    for (batch, path, result) in surveyed {
        match result {
            Ok((source, damage)) => {
                if let Some(reason) = damage {
                    failures.push(Failure { path: path.clone(), page: None, reason });
                }
                usable.push((batch, source));
            }
            Err(reason) => failures.push(Failure { path, page: None, reason }),
        }
    }
    usable
}

/// SHA-256 over the sources' checksums in page order.
fn content_key(sources: &[PlannedSource]) -> String {
    let mut hasher = Sha256::new();
    for source in sources {
        hasher.update(source.file.sha256.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// A document before its id is settled: the batch it came from and the name it suggests.
struct Draft {
    batch: String,
    /// The first file's stem: the id when none is given.
    stem: String,
    /// The id its manifest gives.
    id: Option<String>,
    /// The manifest row that describes it.
    described: Option<(PathBuf, usize)>,
    bib: Bibliographic,
    sources: Vec<PlannedSource>,
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Without a manifest, every scan file is one document named after the file (or titled
/// as its PDF says).
fn drafts_from_files(sources: Vec<(String, PlannedSource)>) -> Vec<Draft> {
    sources
        .into_iter()
        .map(|(batch, source)| {
            let stem = file_stem(&source.path);
            Draft { batch, bib: Bibliographic { title: stem.clone(), ..Default::default() }, stem, id: None, described: None, sources: vec![source] }
        })
        .collect()
}

impl Draft {
    /// Completes the description with what the files know: a PDF's own metadata where the
    /// manifest (if any) leaves a field empty, and the folder as a collection when asked.
    fn complete(&mut self, collection_from_folder: bool) {
        if let Some(metadata) = &self.sources[0].metadata {
            metadata.fill_blanks(&mut self.bib, &self.stem);
        }
        let folder = self.sources[0].path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        if let Some(folder) = folder.filter(|f| collection_from_folder && !self.bib.collections.contains(f)) {
            self.bib.collections.push(folder);
        }
    }
}

/// The usable scans not yet planned into a document, in survey order.
struct Unplanned {
    index: HashMap<PathBuf, usize>,
    sources: Vec<Option<(String, PlannedSource)>>,
}

impl Unplanned {
    fn new(sources: Vec<(String, PlannedSource)>) -> Unplanned {
        let index = sources.iter().enumerate().map(|(i, (_, s))| (s.path.clone(), i)).collect();
        Unplanned { index, sources: sources.into_iter().map(Some).collect() }
    }

    fn take(&mut self, path: &Path) -> Option<(String, PlannedSource)> {
        self.index.get(path).and_then(|&i| self.sources[i].take())
    }

    fn contains(&self, path: &Path) -> bool {
        self.index.get(path).is_some_and(|&i| self.sources[i].is_some())
    }

    fn rest(self) -> Vec<(String, PlannedSource)> {
        self.sources.into_iter().flatten().collect()
    }
}

/// Which scans form which document: as a batch folder's manifest says where it has one
/// (checked whole before any page is recognized), else one document per scan file.
fn drafts(batches: &[Batch], sources: Vec<(String, PlannedSource)>, options: &IngestOptions, report: &mut IngestReport, progress: &dyn Progress) -> Vec<Draft> {
    let mut unplanned = Unplanned::new(sources);
    let mut planned = Vec::new();
    for batch in batches.iter().filter(|b| b.folder) {
        let scans: Vec<PathBuf> = batch.scans().cloned().collect();
        let Some(manifest) = manifest::read(&batch.root, &scans) else { continue };
        for problem in &manifest.problems {
            progress.note(&problem.to_string());
        }
        for warning in &manifest.warnings {
            progress.note(&format!("warning: {warning}"));
        }
        report.manifest_problems.extend(manifest.problems.iter().cloned());
        report.manifest_warnings.extend(manifest.warnings.iter().cloned());
        if !manifest.usable {
            progress.note(&format!("{}: nothing ingested from this batch until its manifest is fixed", batch.root.display()));
            for scan in &scans {
                unplanned.take(scan);
            }
            continue;
        }
        for entry in manifest.entries {
            let found: Vec<Option<(String, PlannedSource)>> = entry.files.iter().map(|file| unplanned.take(file)).collect();
            let unusable: Vec<String> = entry.files.iter().zip(&found).filter(|(_, f)| f.is_none()).map(|(file, _)| file.display().to_string()).collect();
            if !unusable.is_empty() {
                let reason = format!("row {}: the document is not ingested, as {} could not be used", entry.row, unusable.join(", "));
                let failure = Failure { path: manifest.path.clone(), page: None, reason };
                progress.note(&failure.to_string());
                report.failures.push(failure);
                continue;
            }
            let sources: Vec<PlannedSource> = found.into_iter().flatten().map(|(_, source)| source).collect();
            let stem = file_stem(&sources[0].path);
            planned.push(Draft { batch: batch.name.clone(), stem, id: entry.id, described: Some((manifest.path.clone(), entry.row)), bib: entry.bib, sources });
        }
        // Scans of rows with problems are accounted for by those problems.
        for scan in &manifest.claimed {
            unplanned.take(scan);
        }
        let unlisted: Vec<&PathBuf> = scans.iter().filter(|scan| unplanned.contains(scan)).collect();
        for scan in unlisted {
            let listed = manifest.path.display();
            if options.include_unlisted {
                progress.note(&format!("{}: not listed in {listed}; archived as a document of its own", scan.display()));
            } else {
                progress.note(&format!("{}: not listed in {listed}; not ingested (--include-unlisted archives it as a document of its own)", scan.display()));
                unplanned.take(scan);
                report.unlisted.push(scan.clone());
            }
        }
    }
    planned.extend(drafts_from_files(unplanned.rest()));
    for draft in &mut planned {
        draft.complete(options.collection_from_folder);
    }
    planned
}

/// Settles each draft against the catalogue: already archived (skip), a changed version of
/// an archived document (same id, made again), or new (its own unique id).
fn resolve(
    archive: &Archive,
    catalog: &Catalog,
    drafts: Vec<Draft>,
    options: &IngestOptions,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Result<Vec<PlannedDocument>, IngestError> {
    let mut taken: HashSet<String> = catalog.ids()?.into_iter().collect();
    let mut keys_this_run: HashMap<String, String> = HashMap::new();
    // Ids planned in this run, with where each came from (a manifest row or a scan).
    let mut planned_ids: HashMap<String, String> = HashMap::new();
    let mut planned = Vec::new();
    for draft in drafts {
        let key = content_key(&draft.sources);
        let archived = match catalog.find_content(&key)? {
            Some(id) => catalog.get(&id)?,
            None => None,
        };
        // An archived document whose PDF is gone or damaged is made again from its scans.
        let mut remake = None;
        if let Some(record) = archived {
            if let Some(damage) = pdf_damage(archive, &record) {
                progress.note(&format!("{}: {damage}; made again from its scans", record.id));
                remake = Some(record.id);
            } else {
                let differs = if draft.described.is_some() && draft.bib != record.bib { "; its manifest row differs from the archived description (`olke catalog apply` changes that)" } else { "" };
                progress.note(&format!("{}: already archived as {}, skipped{differs}", draft.sources[0].path.display(), record.id));
                report.documents.push(DocumentReport::of(&record, Outcome::Unchanged));
                continue;
            }
        }
        if let Some(id) = keys_this_run.get(&key) {
            progress.note(&format!("{}: same scans as {id} in this run, skipped", draft.sources[0].path.display()));
            continue;
        }
        let ocr_languages = if draft.bib.language.is_empty() {
            // Checked before anything started.
            options.languages.clone()
        } else {
            let languages = ocr::models_for(&draft.bib.language, &options.models);
            // A language a manifest row states (only a manifest states them) without a
            // model fails that row only.
            if let (Err(missing), Some((file, row))) = (ocr::check_languages(&languages), &draft.described) {
                let reason = format!("{missing}; or name the model that reads it in olke.toml's [ocr.models]");
                let problem = Problem { file: file.clone(), row: Some(*row), line: None, column: Some("language".to_string()), reason };
                progress.note(&problem.to_string());
                report.manifest_problems.push(problem);
                continue;
            }
            languages
        };
        let mut existing = remake;
        for source in draft.sources.iter().filter(|_| existing.is_none()) {
            if let Some(id) = catalog.find_source(&source.file.identity())? {
                existing = Some(id);
                break;
            }
        }
        // When a manifest splits an archived document, its first part keeps the id.
        let existing = existing.filter(|id| !planned_ids.contains_key(id));
        let (id, outcome) = match (existing, &draft.id) {
            (Some(id), _) => (id, Outcome::Updated),
            (None, Some(id)) if taken.contains(id) => {
                let (file, row) = draft.described.clone().expect("only a manifest gives ids");
                let holder = match planned_ids.get(id) {
                    Some(origin) => format!("another document of this run ({origin})"),
                    None => "another document in the archive".to_string(),
                };
                let reason = format!("id '{id}' is already given to {holder}; choose another or leave the cell empty");
                let problem = Problem { file, row: Some(row), line: None, column: Some(manifest::ID.to_string()), reason };
                progress.note(&problem.to_string());
                report.manifest_problems.push(problem);
                continue;
            }
            (None, Some(id)) => (id.clone(), Outcome::Created),
            (None, None) => (unique_id(&draft, &mut taken), Outcome::Created),
        };
        taken.insert(id.clone());
        let origin = match &draft.described {
            Some((file, row)) => format!("{}, row {row}", file.display()),
            None => draft.sources[0].path.display().to_string(),
        };
        planned_ids.insert(id.clone(), origin);
        keys_this_run.insert(key.clone(), id.clone());
        planned.push(PlannedDocument { id, outcome, ocr_languages, bib: draft.bib, described: draft.described.is_some(), sources: draft.sources, content_key: key });
    }
    Ok(planned)
}

/// Why a document's archived PDF cannot be trusted (missing, or not the bytes its record
/// names), if it cannot.
fn pdf_damage(archive: &Archive, record: &DocumentRecord) -> Option<String> {
    let path = archive.pdf_path(&record.id);
    match sha256_file(&path) {
        Ok((sha256, _)) if sha256 == record.pdf_sha256 => None,
        Ok(_) => Some(format!("{} differs from the PDF its record names (damaged)", path.display())),
        Err(e) => Some(format!("{}: {e}", path.display())),
    }
}

/// The file stem, or `batch-stem` when the stem is taken, or a numbered variant.
fn unique_id(draft: &Draft, taken: &mut HashSet<String>) -> String {
    let plain = sanitize_id(&draft.stem);
    if !taken.contains(&plain) {
        return plain;
    }
    let qualified = sanitize_id(&format!("{}-{}", draft.batch, draft.stem));
    if !taken.contains(&qualified) {
        return qualified;
    }
    (2..).map(|n| format!("{qualified}-{n}")).find(|id| !taken.contains(id)).expect("an unused number exists")
}

/// Runs one scanned page through load → prepare → ocr → pdf, timing each stage.
fn process_page(job: &PageJob, pages_in_file: usize, options: &IngestOptions) -> (Result<Vec<PageOutput>, Failure>, StageSeconds) {
    let mut seconds = StageSeconds::default();
    let result = run_stages(job, pages_in_file, options, &mut seconds);
    tracing::debug!(file = %job.path.display(), page = job.index + 1, ?seconds, "page done");
    (result, seconds)
}

fn run_stages(job: &PageJob, pages_in_file: usize, options: &IngestOptions, seconds: &mut StageSeconds) -> Result<Vec<PageOutput>, Failure> {
    let fail = |reason: String| Failure { path: job.path.clone(), page: (pages_in_file > 1).then_some(job.index + 1), reason };
    let timer = Instant::now();
    let source = match job.format {
        Format::Pdf => match load::pdf::read_page(&job.path, job.index, options.pdf_ocr, &options.load).map_err(|e| fail(e.to_string()))? {
            PdfPageContent::Text(recognized) => {
                seconds.load += timer.elapsed().as_secs_f64();
                let summary = PageSummary::of(&recognized, job.source, job.index, Default::default(), TextLayer::Kept);
                return Ok(vec![PageOutput { pdf: ArchivedPage::Kept, recognized, summary }]);
            }
            PdfPageContent::Scan(source) => source,
        },
        _ => load::decode_page(&job.path, job.format, job.index, &options.load).map_err(|e| fail(e.to_string()))?,
    };
    seconds.load += timer.elapsed().as_secs_f64();
    let timer = Instant::now();
    let pages = prepare::prepare(source, &options.prepare);
    seconds.prepare += timer.elapsed().as_secs_f64();
    pages
        .into_iter()
        .map(|page| {
            let timer = Instant::now();
            let mut recognized = ocr::recognize(&page, &job.languages).map_err(|e| fail(e.to_string()))?;
            seconds.ocr += timer.elapsed().as_secs_f64();
            // A poor first reading may be an upside-down page: only then is orientation
            // detection worth its cost.
            let mut page = page;
            if options.prepare.orient && recognized.mean_conf < prepare::DOUBTFUL_CONFIDENCE {
                let timer = Instant::now();
                let turned = prepare::reorient(&page);
                seconds.prepare += timer.elapsed().as_secs_f64();
                if let Some(turned) = turned {
                    let timer = Instant::now();
                    let again = ocr::recognize(&turned, &job.languages).map_err(|e| fail(e.to_string()))?;
                    seconds.ocr += timer.elapsed().as_secs_f64();
                    if again.mean_conf > recognized.mean_conf {
                        (page, recognized) = (turned, again);
                    }
                }
            }
            let timer = Instant::now();
            let summary = PageSummary::of(&recognized, job.source, job.index, page.preparation.clone(), TextLayer::Ocr);
            let pdf = ArchivedPage::Made(PdfPage::new(&page.archive, &recognized, options.jpeg_quality));
            seconds.pdf += timer.elapsed().as_secs_f64();
            Ok(PageOutput { pdf, recognized, summary })
        })
        .collect()
}

/// Hashes and counts bytes on their way to the file.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type PdfOut = PdfWriter<Hashing<BufWriter<AtomicFile>>>;

/// A document whose pages are arriving.
#[derive(Default)]
struct Assembly {
    /// The new version's files, staged from the first good page on.
    staged: Option<Staged>,
    writer: Option<PdfOut>,
    next_seq: usize,
    waiting: BTreeMap<usize, Result<Vec<PageOutput>, Failure>>,
    pages: Vec<RecognizedPage>,
    summaries: Vec<PageSummary>,
    /// Source PDFs whose pages are being kept, by source index, each with its copier (so
    /// the objects its pages share are written once).
    imports: HashMap<usize, (SourcePdf, PageCopier<'static>)>,
}

/// Files finished pages into the archive, in order, one document at a time.
struct Collector<'a> {
    archive: &'a Archive,
    catalog: &'a Catalog,
    search: Updater,
    options: &'a IngestOptions,
    documents: &'a [PlannedDocument],
    open: HashMap<usize, Assembly>,
    report: IngestReport,
    conf_sum: f64,
    conf_words: usize,
}

impl Collector<'_> {
    fn accept(&mut self, job: PageJob, result: Result<Vec<PageOutput>, Failure>, progress: &dyn Progress) -> Result<(), IngestError> {
        let document = job.document;
        self.open.entry(document).or_default().waiting.insert(job.seq, result);
        loop {
            let assembly = self.open.get_mut(&document).expect("inserted above");
            let Some(result) = assembly.waiting.remove(&assembly.next_seq) else { break };
            assembly.next_seq += 1;
            match result {
                Ok(outputs) => {
                    for output in outputs {
                        self.add_page(document, output)?;
                    }
                }
                Err(failure) => {
                    progress.note(&failure.to_string());
                    self.report.failures.push(failure);
                }
            }
        }
        if self.open[&document].next_seq == self.documents[document].scanned_pages() {
            let assembly = self.open.remove(&document).expect("present");
            self.finish(document, assembly, progress)?;
        }
        Ok(())
    }

    fn add_page(&mut self, document: usize, output: PageOutput) -> Result<(), IngestError> {
        let id = &self.documents[document].id;
        let assembly = self.open.get_mut(&document).expect("open");
        if assembly.writer.is_none() {
            let staged = Staged::begin(self.archive, id)?;
            let path = staged.pdf_path();
            let write_err = |source| IngestError::Write { path: path.clone(), source };
            let file = AtomicFile::create(&path).map_err(write_err)?;
            let out = Hashing { inner: BufWriter::new(file), hasher: Sha256::new(), bytes: 0 };
            assembly.writer = Some(PdfWriter::new(out).map_err(write_err)?);
            assembly.staged = Some(staged);
        }
        let writer = assembly.writer.as_mut().expect("created above");
        let mut summary = output.summary;
        match output.pdf {
            ArchivedPage::Made(page) => {
                writer.add_page(page).map_err(|source| IngestError::Write { path: self.archive.pdf_path(id), source })?;
                self.conf_sum += (output.recognized.mean_conf * summary.words as f32) as f64;
                self.conf_words += summary.words;
                self.report.pages += 1;
            }
            ArchivedPage::Kept => {
                let (source, copier) = match assembly.imports.entry(summary.source) {
                    std::collections::hash_map::Entry::Occupied(open) => open.into_mut(),
                    std::collections::hash_map::Entry::Vacant(slot) => {
                        let source = SourcePdf::open(&self.documents[document].sources[summary.source].path).map_err(CopyError::from)?;
                        slot.insert((source, PageCopier::new()))
                    }
                };
                copier.copy_page(source, writer, summary.source_page as u32 + 1)?;
                self.report.kept_pages += 1;
            }
        }
        summary.number = writer.page_count() as u32;
        if summary.text_layer == TextLayer::Ocr && summary.mean_conf < self.options.review_below {
            self.report.review.push(ReviewPage { id: id.clone(), page: summary.number, mean_conf: summary.mean_conf });
        }
        assembly.pages.push(output.recognized);
        assembly.summaries.push(summary);
        Ok(())
    }

    /// Completes the PDF and files the document: PDF and pages staged, the record
    /// committing them (see [`crate::staging`]), then the catalogue.
    fn finish(&mut self, document: usize, assembly: Assembly, progress: &dyn Progress) -> Result<(), IngestError> {
        let planned = &self.documents[document];
        let id = &planned.id;
        let (Some(writer), Some(staged)) = (assembly.writer, assembly.staged) else {
            progress.note(&format!("{id}: no page could be read; nothing archived"));
            return Ok(());
        };
        let now = Utc::now();
        let previous = self.catalog.get(id)?;
        let (bib, history) = match &previous {
            // A rescan without a manifest keeps the description it had, edits and all.
            Some(old) if !planned.described => (old.bib.clone(), old.history.clone()),
            // A manifest's description replaces it; what changes goes into the history.
            Some(old) => (planned.bib.clone(), [old.history.clone(), planned.bib.changes_from(&old.bib, now)].concat()),
            None => (planned.bib.clone(), Vec::new()),
        };
        // The languages the record states, else those found in the text.
        let languages = if bib.language.is_empty() { document_languages(&assembly.summaries) } else { bib.language.clone() };
        let mut record = DocumentRecord {
            schema: SCHEMA_VERSION,
            id: id.clone(),
            bib,
            source_files: planned.sources.iter().map(|s| s.file.clone()).collect(),
            content_key: planned.content_key.clone(),
            pages: assembly.summaries,
            languages,
            pdf: Archive::pdf_relative(id),
            pdf_sha256: String::new(), // known once the PDF is written
            pdf_bytes: 0,
            ocr: OcrInfo { engine: format!("Tesseract {}", ocr::engine_version()), languages: planned.ocr_languages.clone() },
            created: previous.as_ref().map_or(now, |p| p.created),
            updated: now,
            history,
        };
        let pdf_path = staged.pdf_path();
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IngestError::Write { path, source }
        };
        let out = writer.finish(&record.pdf_metadata()).map_err(write_err(&pdf_path))?;
        record.pdf_sha256 = hex::encode(out.hasher.finalize());
        record.pdf_bytes = out.bytes;
        let file = out.inner.into_inner().map_err(|e| write_err(&pdf_path)(e.into_error()))?;
        file.commit().map_err(write_err(&pdf_path))?;
        for (i, page) in assembly.pages.iter().enumerate() {
            staged.write_page(i as u32 + 1, &serde_json::to_vec(page).expect("pages serialize"))?;
        }
        if let Some(old) = &previous {
            self.keep_previous_version(old).map_err(write_err(&self.archive.document_dir(id)))?;
        }
        staged.commit(&record)?;
        self.catalog.put(&record, &assembly.pages)?;
        self.catalog.flush()?;
        // Committed per document: a crash loses at most this one from the index, and the
        // next run's sync puts it back.
        self.search.update(&record, &assembly.pages)?;
        self.search.commit()?;
        self.report.documents.push(DocumentReport::of(&record, planned.outcome));
        Ok(())
    }

    /// Before a changed document replaces its PDF, the old PDF and record are kept under
    /// `previous/`, so nothing archived is lost.
    fn keep_previous_version(&self, old: &DocumentRecord) -> io::Result<()> {
        let stamp = old.updated.format("%Y%m%dT%H%M%SZ").to_string();
        let dir = self.archive.document_dir(&old.id).join("previous").join(stamp);
        std::fs::create_dir_all(&dir)?;
        let pdf = self.archive.pdf_path(&old.id);
        if pdf.exists() {
            let kept = dir.join(pdf.file_name().expect("a PDF path has a name"));
            if !kept.exists() {
                std::fs::hard_link(&pdf, &kept).or_else(|_| std::fs::copy(&pdf, &kept).map(|_| ()))?;
            }
        }
        let record = self.archive.record_path(&old.id);
        if record.exists() {
            write_atomic(&dir.join("record.json"), &std::fs::read(&record)?)?;
        }
        Ok(())
    }
}

/// The document's languages, those of the most pages first.
fn document_languages(summaries: &[PageSummary]) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for language in summaries.iter().flat_map(|s| s.languages.iter().cloned()) {
        match counts.iter_mut().find(|(l, _)| *l == language) {
            Some((_, n)) => *n += 1,
            None => counts.push((language, 1)),
        }
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts.into_iter().map(|(l, _)| l).collect()
}

/// How far resident memory may grow past what it was after the last release before
/// workers hand freed memory back to the system.
const RESIDENT_GROWTH: u64 = 200 << 20;

/// Hands memory that finished pages freed back to the system, once resident memory has
/// grown [`RESIDENT_GROWTH`] past what it was after the last release. glibc keeps freed
/// memory in each thread's arena, where a page's images (tens of megabytes each) left
/// resident memory creeping up through a batch (sampled on 200 pages with one worker: about
/// 430 MB where the live heap was under 190 MB). Releasing after every page held it at
/// about 185 MB but cost 3–5 % more CPU on corpus/dev, as the next pages faulted the same
/// memory back in; releasing on growth bounds resident memory by the pages in flight plus
/// the allowance, with half the page faults.
struct MemoryRelease {
    /// Resident bytes right after the last release; 0 before the first.
    after_last: std::sync::atomic::AtomicU64,
}

impl MemoryRelease {
    fn new() -> MemoryRelease {
        MemoryRelease { after_last: Default::default() }
    }

    /// Called by a worker after each page.
    fn page_done(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        // Where resident memory cannot be read, release every time: the bound matters more.
        let grown = resident_bytes().is_none_or(|now| now >= self.after_last.load(Relaxed) + RESIDENT_GROWTH);
        if grown {
            release_freed_memory();
            self.after_last.store(resident_bytes().unwrap_or(0), Relaxed);
        }
    }
}

/// This process's resident memory, from /proc/self/statm.
fn resident_bytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let page_size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    Some(pages * u64::try_from(page_size).ok()?)
}

fn release_freed_memory() {
    #[cfg(target_env = "gnu")]
    // SAFETY: malloc_trim only returns free memory to the system; nothing is freed or moved.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Ingests batch folders (or single scan files) into the archive.
pub fn ingest(archive: &Archive, inputs: &[PathBuf], options: &IngestOptions, progress: &dyn Progress) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    ocr::check_languages(&options.languages)?;
    archive.create_layout()?;
    let writer = catalog::open_for_writing(archive)?;
    let catalog = writer.catalog;
    for recovered in &writer.recovered {
        progress.note(&recovered.to_string());
    }
    let mut report = IngestReport { adopted: writer.adopted, recovered: writer.recovered, refreshed: writer.refreshed, ..Default::default() };
    let mut search = Updater::open(archive, 1)?;
    report.reindexed = search.sync(&catalog)?.indexed.len();

    let batches: Vec<Batch> = inputs.iter().map(|input| Batch::of(input)).collect();
    let sources = survey(&batches, &mut report.failures, progress);
    for failure in &report.failures {
        progress.note(&failure.to_string());
    }
    let drafts = drafts(&batches, sources, options, &mut report, progress);
    let documents = resolve(archive, &catalog, drafts, options, &mut report, progress)?;

    let mut jobs = Vec::new();
    for (d, document) in documents.iter().enumerate() {
        let mut seq = 0;
        for (s, source) in document.sources.iter().enumerate() {
            for index in 0..source.pages {
                jobs.push(PageJob {
                    order: jobs.len(),
                    document: d,
                    seq,
                    source: s,
                    path: source.path.clone(),
                    format: source.format,
                    index,
                    languages: document.ocr_languages.clone(),
                });
                seq += 1;
            }
        }
    }
    let pages_in_file: HashMap<PathBuf, usize> =
        documents.iter().flat_map(|d| &d.sources).map(|s| (s.path.clone(), s.pages)).collect();
    progress.start(jobs.len() as u64);

    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.jobs.max(1))
        .thread_name(|i| format!("olke-worker-{i}"))
        .build()
        .expect("a thread pool can be built");
    // Bounded, so workers wait for the collector instead of piling up finished pages.
    let (sender, receiver) = mpsc::sync_channel(options.jobs.max(1) * 2);
    let stop = std::sync::atomic::AtomicBool::new(false);
    let window = Window::new(options.jobs.max(1) * 4);
    let memory = MemoryRelease::new();
    let mut collector = Collector { archive, catalog: &catalog, search, options, documents: &documents, open: HashMap::new(), report, conf_sum: 0.0, conf_words: 0 };

    let outcome = std::thread::scope(|scope| {
        let stop = &stop;
        let window = &window;
        let memory = &memory;
        let pages_in_file = &pages_in_file;
        scope.spawn(move || {
            pool.install(|| {
                jobs.into_iter().par_bridge().for_each_with(sender, |sender, job| {
                    window.wait_for(job.order);
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    let (result, seconds) = process_page(&job, pages_in_file[&job.path], options);
                    memory.page_done();
                    let _ = sender.send((job, result, seconds));
                });
            });
            pool.broadcast(|_| {
                ocr::release();
                prepare::release();
            });
        });
        for (job, result, seconds) in receiver {
            progress.page_done();
            collector.report.stage_seconds += seconds;
            window.received(job.order);
            if let Err(e) = collector.accept(job, result, progress) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                window.abandon();
                return Err(e);
            }
        }
        Ok(())
    });
    progress.finish();
    outcome?;
    collector.search.finish()?;

    writer.lock.release()?;
    let mut report = collector.report;
    report.mean_conf = if collector.conf_words == 0 { 0.0 } else { (collector.conf_sum / collector.conf_words as f64) as f32 };
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[cfg(target_os = "linux")]
    fn resident_memory_includes_a_block_being_held() {
        let block = std::hint::black_box(vec![1u8; 32 << 20]);
        let resident = resident_bytes().expect("resident memory is readable on Linux");
        assert!(resident >= block.len() as u64, "{resident} bytes resident while holding {}", block.len());
        assert!(resident < 1 << 40, "{resident} bytes resident is not plausible");
    }
}
