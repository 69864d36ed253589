//! The ingest driver: walks batch folders, plans documents, runs every page through
//! load → prepare → ocr → pdf on a pool of workers, and files each finished document in
//! the archive and the catalogue.
//!
//! Pages are handed to workers in document order and the results are written in order by
//! one collector, so memory holds only the pages in flight, however large the batch. Each
//! worker thread keeps its own Tesseract engine for the whole run.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Instant;

use chrono::Utc;
use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive::{sanitize_id, write_atomic, Archive, AtomicFile};
use crate::catalog::Catalog;
use crate::index::{IndexError, Updater};
use crate::load::{self, Format, LoadOptions};
use crate::page::RecognizedPage;
use crate::pdf::{Metadata, PdfPage, PdfWriter};
use crate::prepare::{self, PrepareOptions};
use crate::record::{Bibliographic, DocumentRecord, OcrInfo, PageSummary, SourceFile, SCHEMA_VERSION};
use crate::{language, ocr};

/// Settings of one ingest run.
#[derive(Clone, Debug)]
pub struct IngestOptions {
    /// Worker threads, each with its own OCR engine.
    pub jobs: usize,
    /// Tesseract languages, `+`-separated.
    pub languages: String,
    pub load: LoadOptions,
    pub prepare: PrepareOptions,
    pub jpeg_quality: u8,
    /// Pages with a mean word confidence below this are listed for review.
    pub review_below: f32,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jobs: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            languages: ocr::DEFAULT_LANGUAGES.to_string(),
            load: LoadOptions::default(),
            prepare: PrepareOptions::default(),
            jpeg_quality: crate::pdf::DEFAULT_JPEG_QUALITY,
            review_below: 70.0,
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
}

/// A page whose recognition is doubtful enough for a person to look at.
#[derive(Clone, Debug, Serialize)]
pub struct ReviewPage {
    pub id: String,
    pub page: u32,
    pub mean_conf: f32,
}

/// What an ingest did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct IngestReport {
    pub documents: Vec<DocumentReport>,
    /// Pages recognized in this run.
    pub pages: usize,
    pub failures: Vec<Failure>,
    /// Mean word confidence over the pages recognized in this run.
    pub mean_conf: f32,
    pub review: Vec<ReviewPage>,
    pub seconds: f64,
    /// Documents found on disk but missing from the catalogue, taken back in.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adopted: Vec<String>,
    /// Documents missing from the search index (or changed since), indexed again first.
    #[serde(skip_serializing_if = "is_zero")]
    pub reindexed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
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
}

/// A source file planned into a document.
#[derive(Clone, Debug)]
struct PlannedSource {
    path: PathBuf,
    format: Format,
    pages: usize,
    file: SourceFile,
}

/// A document to make.
#[derive(Debug)]
struct PlannedDocument {
    id: String,
    /// Tesseract languages for its pages: the record's own when it states them.
    ocr_languages: String,
    outcome: Outcome,
    bib: Bibliographic,
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
    document: usize,
    /// Position among the document's scanned pages.
    seq: usize,
    source: usize,
    path: PathBuf,
    format: Format,
    index: usize,
    languages: String,
}

/// A recognized output page (a spread gives two).
struct PageOutput {
    pdf: PdfPage,
    recognized: RecognizedPage,
    summary: PageSummary,
}

fn sha256_file(path: &Path) -> io::Result<(String, u64)> {
    let mut file = File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buffer = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = file.read(&mut buffer)?;
        if n == 0 {
            break;
        }
        hasher.update(&buffer[..n]);
        total += n as u64;
    }
    Ok((hex::encode(hasher.finalize()), total))
}

/// A batch argument: a folder of scans, or single files (their folder is the batch).
fn batch_of(input: &Path) -> (String, Vec<load::BatchEntry>, PathBuf) {
    let absolute = std::path::absolute(input).unwrap_or_else(|_| input.to_path_buf());
    if absolute.is_dir() {
        let name = absolute.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "batch".into());
        (name, load::batch_files(&absolute), absolute)
    } else {
        let dir = absolute.parent().map(Path::to_path_buf).unwrap_or_default();
        let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "batch".into());
        let entry = if absolute.exists() { Ok(absolute.clone()) } else { Err((input.to_path_buf(), "no such file or folder".to_string())) };
        (name, vec![entry], dir)
    }
}

/// Looks at every input file: format, pages, checksum. Returns the usable ones.
fn survey(inputs: &[PathBuf], failures: &mut Vec<Failure>, progress: &dyn Progress) -> Vec<(String, PlannedSource)> {
    let mut candidates = Vec::new();
    for input in inputs {
        let (batch, files, root) = batch_of(input);
        for entry in files {
            match entry {
                Ok(path) => match load::not_a_scan(&path) {
                    Some(reason) => progress.note(&format!("{}: {reason}", path.display())),
                    None => candidates.push((batch.clone(), root.clone(), path)),
                },
                Err((path, reason)) => failures.push(Failure { path, page: None, reason }),
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
                Ok((PlannedSource { path: path.clone(), format: info.format, pages: info.pages, file }, info.damage))
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
    stem: String,
    bib: Bibliographic,
    sources: Vec<PlannedSource>,
}

/// Without a manifest, every scan file is one document named after the file.
fn drafts_from_files(sources: Vec<(String, PlannedSource)>) -> Vec<Draft> {
    sources
        .into_iter()
        .map(|(batch, source)| {
            let stem = source.path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
            Draft { batch, bib: Bibliographic { title: stem.clone(), ..Default::default() }, stem, sources: vec![source] }
        })
        .collect()
}

/// Settles each draft against the catalogue: already archived (skip), a changed version of
/// an archived document (same id, made again), or new (its own unique id).
fn resolve(
    catalog: &Catalog,
    drafts: Vec<Draft>,
    default_languages: &str,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Result<Vec<PlannedDocument>, IngestError> {
    let mut taken: HashSet<String> = catalog.ids()?.into_iter().collect();
    let mut keys_this_run: HashMap<String, String> = HashMap::new();
    let mut planned = Vec::new();
    for draft in drafts {
        let key = content_key(&draft.sources);
        let archived = match catalog.find_content(&key)? {
            Some(id) => catalog.get(&id)?,
            None => None,
        };
        if let Some(record) = archived {
            progress.note(&format!("{}: already archived as {}, skipped", draft.sources[0].path.display(), record.id));
            report.documents.push(DocumentReport {
                id: record.id.clone(),
                outcome: Outcome::Unchanged,
                pages: record.pages.len(),
                pdf: record.pdf.clone(),
                mean_conf: record.mean_conf(),
            });
            continue;
        }
        if let Some(id) = keys_this_run.get(&key) {
            progress.note(&format!("{}: same scans as {id} in this run, skipped", draft.sources[0].path.display()));
            continue;
        }
        let mut existing = None;
        for source in &draft.sources {
            if let Some(id) = catalog.find_source(&source.file.identity())? {
                existing = Some(id);
                break;
            }
        }
        let (id, outcome) = match existing {
            Some(id) => (id, Outcome::Updated),
            None => (unique_id(&draft, &mut taken), Outcome::Created),
        };
        taken.insert(id.clone());
        keys_this_run.insert(key.clone(), id.clone());
        let ocr_languages = if draft.bib.language.is_empty() { default_languages.to_string() } else { draft.bib.language.join("+") };
        planned.push(PlannedDocument { id, outcome, ocr_languages, bib: draft.bib, sources: draft.sources, content_key: key });
    }
    Ok(planned)
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

/// Runs one scanned page through load → prepare → ocr → pdf.
fn process_page(job: &PageJob, pages_in_file: usize, options: &IngestOptions) -> Result<Vec<PageOutput>, Failure> {
    let fail = |reason: String| Failure { path: job.path.clone(), page: (pages_in_file > 1).then_some(job.index + 1), reason };
    let source = load::decode_page(&job.path, job.format, job.index, &options.load).map_err(|e| fail(e.to_string()))?;
    prepare::prepare(source, &options.prepare)
        .into_iter()
        .map(|page| {
            let recognized = ocr::recognize(&page, &job.languages).map_err(|e| fail(e.to_string()))?;
            let summary = PageSummary {
                number: 0, // numbered when the document is assembled
                source: job.source,
                source_page: job.index,
                width: recognized.width,
                height: recognized.height,
                dpi: recognized.dpi,
                words: recognized.word_count(),
                mean_conf: recognized.mean_conf,
                languages: language::detect_all(&recognized.text()).into_iter().map(str::to_string).collect(),
                preparation: page.preparation.clone(),
            };
            let pdf = PdfPage::new(&page.archive, &recognized, options.jpeg_quality);
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
    writer: Option<PdfOut>,
    next_seq: usize,
    waiting: BTreeMap<usize, Result<Vec<PageOutput>, Failure>>,
    pages: Vec<RecognizedPage>,
    summaries: Vec<PageSummary>,
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
            let path = self.archive.pdf_path(id);
            let write_err = |source| IngestError::Write { path: path.clone(), source };
            let file = AtomicFile::create(&path).map_err(write_err)?;
            let out = Hashing { inner: BufWriter::new(file), hasher: Sha256::new(), bytes: 0 };
            assembly.writer = Some(PdfWriter::new(out).map_err(write_err)?);
        }
        let writer = assembly.writer.as_mut().expect("created above");
        writer.add_page(output.pdf).map_err(|source| IngestError::Write { path: self.archive.pdf_path(id), source })?;
        let mut summary = output.summary;
        summary.number = writer.page_count() as u32;
        self.conf_sum += (output.recognized.mean_conf * summary.words as f32) as f64;
        self.conf_words += summary.words;
        self.report.pages += 1;
        if summary.mean_conf < self.options.review_below {
            self.report.review.push(ReviewPage { id: id.clone(), page: summary.number, mean_conf: summary.mean_conf });
        }
        assembly.pages.push(output.recognized);
        assembly.summaries.push(summary);
        Ok(())
    }

    /// Completes the PDF and files the document: PDF, pages, record, then the catalogue.
    fn finish(&mut self, document: usize, assembly: Assembly, progress: &dyn Progress) -> Result<(), IngestError> {
        let planned = &self.documents[document];
        let id = &planned.id;
        let Some(writer) = assembly.writer else {
            progress.note(&format!("{id}: no page could be read; nothing archived"));
            return Ok(());
        };
        let languages = document_languages(&assembly.summaries);
        let now = Utc::now();
        let metadata = Metadata {
            id: id.clone(),
            title: planned.bib.title.clone(),
            authors: planned.bib.authors.clone(),
            languages: languages.clone(),
            created: Some(now),
            ..Default::default()
        };
        let pdf_path = self.archive.pdf_path(id);
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IngestError::Write { path, source }
        };
        let out = writer.finish(&metadata).map_err(write_err(&pdf_path))?;
        let pdf_sha256 = hex::encode(out.hasher.finalize());
        let pdf_bytes = out.bytes;
        let file = out.inner.into_inner().map_err(|e| write_err(&pdf_path)(e.into_error()))?;
        let previous = self.catalog.get(id)?;
        if let Some(old) = &previous {
            self.keep_previous_version(old).map_err(write_err(&self.archive.document_dir(id)))?;
        }
        file.commit().map_err(write_err(&pdf_path))?;

        for (i, page) in assembly.pages.iter().enumerate() {
            let path = self.archive.page_path(id, i as u32 + 1);
            write_atomic(&path, &serde_json::to_vec(page).expect("pages serialize")).map_err(write_err(&path))?;
        }
        if let Some(old) = &previous {
            for stale in assembly.pages.len() + 1..=old.pages.len() {
                let _ = std::fs::remove_file(self.archive.page_path(id, stale as u32));
            }
        }

        let record = DocumentRecord {
            schema: SCHEMA_VERSION,
            id: id.clone(),
            bib: planned.bib.clone(),
            source_files: planned.sources.iter().map(|s| s.file.clone()).collect(),
            content_key: planned.content_key.clone(),
            pages: assembly.summaries,
            languages,
            pdf: Archive::pdf_relative(id),
            pdf_sha256,
            pdf_bytes,
            ocr: OcrInfo { engine: format!("Tesseract {}", ocr::engine_version()), languages: planned.ocr_languages.clone() },
            created: previous.as_ref().map_or(now, |p| p.created),
            updated: now,
        };
        let record_path = self.archive.record_path(id);
        let json = serde_json::to_vec_pretty(&record).expect("records serialize");
        write_atomic(&record_path, &json).map_err(write_err(&record_path))?;
        self.catalog.put(&record, &assembly.pages)?;
        self.catalog.flush()?;
        // Committed per document: a crash loses at most this one from the index, and the
        // next run's sync puts it back.
        self.search.update(&record, &assembly.pages)?;
        self.search.commit()?;
        self.report.documents.push(DocumentReport {
            id: id.clone(),
            outcome: planned.outcome,
            pages: record.pages.len(),
            pdf: record.pdf.clone(),
            mean_conf: record.mean_conf(),
        });
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
            std::fs::copy(&record, dir.join("record.json"))?;
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

/// Ingests batch folders (or single scan files) into the archive.
pub fn ingest(archive: &Archive, inputs: &[PathBuf], options: &IngestOptions, progress: &dyn Progress) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    ocr::check_languages(&options.languages)?;
    let _lock = archive.lock()?;
    archive.create_layout()?;
    let catalog = Catalog::open(archive)?;
    let mut report = IngestReport { adopted: catalog.adopt(archive)?, ..Default::default() };
    let mut search = Updater::open(archive, 1)?;
    report.reindexed = search.sync(&catalog)?.indexed.len();

    let sources = survey(inputs, &mut report.failures, progress);
    for failure in &report.failures {
        progress.note(&failure.to_string());
    }
    let documents = resolve(&catalog, drafts_from_files(sources), &options.languages, &mut report, progress)?;
    for languages in documents.iter().map(|d| &d.ocr_languages) {
        ocr::check_languages(languages)?;
    }

    let mut jobs = Vec::new();
    for (d, document) in documents.iter().enumerate() {
        let mut seq = 0;
        for (s, source) in document.sources.iter().enumerate() {
            for index in 0..source.pages {
                jobs.push(PageJob {
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
    let mut collector = Collector { archive, catalog: &catalog, search, options, documents: &documents, open: HashMap::new(), report, conf_sum: 0.0, conf_words: 0 };

    let outcome = std::thread::scope(|scope| {
        let stop = &stop;
        let pages_in_file = &pages_in_file;
        scope.spawn(move || {
            pool.install(|| {
                jobs.into_iter().par_bridge().for_each_with(sender, |sender, job| {
                    if stop.load(std::sync::atomic::Ordering::Relaxed) {
                        return;
                    }
                    let result = process_page(&job, pages_in_file[&job.path], options);
                    let _ = sender.send((job, result));
                });
            });
        });
        for (job, result) in receiver {
            progress.page_done();
            if let Err(e) = collector.accept(job, result, progress) {
                stop.store(true, std::sync::atomic::Ordering::Relaxed);
                return Err(e);
            }
        }
        Ok(())
    });
    progress.finish();
    outcome?;
    collector.search.finish()?;

    let mut report = collector.report;
    report.mean_conf = if collector.conf_words == 0 { 0.0 } else { (collector.conf_sum / collector.conf_words as f64) as f32 };
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
