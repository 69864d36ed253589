//! What an ingest did, for the user and for scripts (`--json`), and how it can fail.

use std::path::PathBuf;

use serde::Serialize;

use crate::archive::staging::Recovered;
use crate::index::IndexError;
use crate::load::LoadError;
use crate::ocr;
use crate::pdf::import::CopyError;
use crate::record::table::Problem;
use crate::record::DocumentRecord;

/// An input that could not be used, and why.
#[derive(Debug, Serialize)]
pub(crate) struct Failure {
    pub path: PathBuf,
    /// Page within the file (from 1), when only that page failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    #[serde(serialize_with = "as_text")]
    pub reason: Reason,
}

/// Why an input could not be used: the error itself, kept until it is printed.
#[derive(Debug, thiserror::Error)]
pub(crate) enum Reason {
    #[error(transparent)]
    Load(#[from] LoadError),
    #[error(transparent)]
    Ocr(#[from] ocr::OcrError),
    #[error("cannot read the file: {0}")]
    Read(std::io::Error),
    /// A folder entry that could not be listed, or a file given that is not there.
    #[error("{0}")]
    Unlisted(String),
    /// Found while surveying a file whose readable pages are still archived.
    #[error("{0}")]
    Damaged(String),
    /// A page kept from a PDF could not be copied, or the PDF made would be broken: the
    /// whole document is left out rather than archived damaged.
    #[error("{0}; the document is not archived (qpdf can often repair the file: qpdf in.pdf out.pdf)")]
    NotCopied(String),
    /// As a recognition run wrote it down for filing.
    #[error("{0}")]
    Recorded(String),
    #[error("row {row}: the document is not ingested, as {} could not be used", .files.join(", "))]
    RowNotIngested { row: usize, files: Vec<String> },
    /// Its package or its files in the archive could not be written; the rest of the run
    /// goes on.
    #[error("the document is not archived: {0}")]
    NotArchived(Box<IngestError>),
}

fn as_text<S: serde::Serializer>(reason: &Reason, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.collect_str(reason)
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
pub(crate) enum Outcome {
    /// Archived for the first time.
    Created,
    /// A source changed since it was archived; made again (the previous PDF is kept).
    Updated,
    /// Already archived from the same scans; nothing done.
    Unchanged,
}

#[derive(Clone, Debug, Serialize)]
pub(crate) struct DocumentReport {
    pub id: String,
    pub outcome: Outcome,
    pub pages: usize,
    /// PDF path relative to the archive.
    pub pdf: String,
    pub mean_conf: f32,
    /// Pages of a source PDF kept with their own text layer (not recognized).
    #[serde(skip_serializing_if = "is_zero")]
    pub kept_pages: usize,
    /// The issue a hosted article lies on (it has no pages or PDF of its own).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
}

impl DocumentReport {
    pub(super) fn of(record: &DocumentRecord, outcome: Outcome) -> DocumentReport {
        DocumentReport {
            id: record.id.clone(),
            outcome,
            pages: record.pages.len(),
            pdf: record.pdf.clone(),
            mean_conf: record.mean_conf(),
            kept_pages: record.kept_pages(),
            host: record.host.clone(),
        }
    }
}

/// A page whose recognition is doubtful enough for a person to look at.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub(crate) struct ReviewPage {
    pub id: String,
    pub page: u32,
    pub mean_conf: f32,
    /// Why the page is listed.
    pub reason: String,
}

/// Seconds spent in each stage, summed over the pages of a run (worker time, so with
/// several workers the sum exceeds the wall-clock time).
#[derive(Clone, Copy, Debug, Default, Serialize, serde::Deserialize)]
pub(crate) struct StageSeconds {
    pub load: f64,
    pub prepare: f64,
    pub ocr: f64,
    /// Checking the text read against the scan, and reading again where lines were missed.
    pub guard: f64,
    pub pdf: f64,
}

impl std::ops::AddAssign for StageSeconds {
    fn add_assign(&mut self, other: StageSeconds) {
        self.load += other.load;
        self.prepare += other.prepare;
        self.ocr += other.ocr;
        self.guard += other.guard;
        self.pdf += other.pdf;
    }
}

/// What an ingest did.
#[derive(Debug, Default, Serialize)]
pub(crate) struct IngestReport {
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
    /// Packages recognition was to write that were not there to file (`olke file`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing: Vec<PathBuf>,
    /// Documents missing from the search index (or changed since), indexed again first.
    #[serde(skip_serializing_if = "is_zero")]
    pub reindexed: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

impl IngestReport {
    /// A report that starts with what opening the archive for writing did.
    pub(super) fn opening(writer: &mut crate::integrity::Writer) -> IngestReport {
        IngestReport {
            adopted: std::mem::take(&mut writer.adopted),
            recovered: std::mem::take(&mut writer.recovered),
            refreshed: std::mem::take(&mut writer.refreshed),
            reindexed: writer.reindexed,
            ..Default::default()
        }
    }

    /// True when every input was used as it was meant to be.
    pub(crate) fn complete(&self) -> bool {
        self.failures.is_empty()
            && self.manifest_problems.is_empty()
            && self.unlisted.is_empty()
            && self.missing.is_empty()
    }
}

impl IngestError {
    /// The reason one document fails for this error, when it concerns that document's own
    /// files (a name the file system refuses, a folder in the way); errors of the
    /// catalogue, the index or the archive as a whole are given back, as they stop the run.
    pub(super) fn of_one_document(self) -> Result<Reason, IngestError> {
        use crate::archive::ArchiveError;
        match self {
            IngestError::Io(_)
            | IngestError::Package(_)
            | IngestError::Metadata(_)
            | IngestError::Import(_)
            | IngestError::Archive(ArchiveError::Io(_)) => Ok(Reason::NotArchived(Box::new(self))),
            other => Err(other),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum IngestError {
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    #[error(transparent)]
    Catalog(#[from] crate::catalog::CatalogError),
    #[error(transparent)]
    Writer(#[from] crate::integrity::WriterError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Ocr(#[from] ocr::OcrError),
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error(transparent)]
    Import(#[from] CopyError),
    #[error(transparent)]
    Package(#[from] super::package::PackageError),
    #[error(transparent)]
    Metadata(#[from] crate::pdf::update::UpdateError),
}
