//! `olke verify`: is every document whole, and does every derived store agree with the
//! files? With `repair`, what can be put right from what is still sound is put right,
//! and each problem says what was done or why nothing could be.
//!
//! Checks, per document folder: no interrupted write left behind; `record.json` readable
//! and naming its folder; the PDF present, with the SHA-256 its record names, and (unless
//! `open_pdfs` is off) opening with as many pages as the record, and passing `qpdf --check`
//! when it holds pages copied from another PDF; every page file present
//! and readable, none left over; every scan still at its recorded path unchanged; an
//! article's host issue there with the pages its zones lie on, and every article an issue
//! lists there as its article. Then the catalogue and any other [`DerivedStore`] against the
//! records, both ways.
//!
//! The caller holds the archive's writer lock: nothing changes while it looks.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::archive::files;
use crate::archive::staging::{self, Staged};
use crate::archive::store::{self, DerivedStore, Difference, Held, StoreError};
use crate::archive::{page_number, sha256_file, write_atomic, Archive, ArchiveError};
use crate::catalog::{Catalog, CatalogError};
use crate::page::RecognizedPage;
use crate::record::DocumentRecord;

#[derive(Debug, thiserror::Error)]
pub(crate) enum VerifyError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error("{store}: {source}")]
    Store { store: &'static str, source: StoreError },
}

/// What to check and whether to repair.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VerifyOptions {
    pub repair: bool,
    /// Open each PDF whose checksum is right and count its pages (reading is needed for
    /// the checksum anyway; parsing costs a little more).
    pub open_pdfs: bool,
    /// Check the scans still at their recorded paths against their checksums.
    pub sources: bool,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions { repair: false, open_pdfs: true, sources: true }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum ProblemKind {
    /// A writer was stopped halfway: staged or temporary files are left.
    UnfinishedChange,
    /// A document folder without `record.json`.
    IncompleteDocument,
    RecordUnreadable,
    PdfMissing,
    /// The PDF is not the file its record names (changed or damaged).
    PdfChecksum,
    /// The PDF has the right checksum but does not open or has the wrong page count.
    PdfUnreadable,
    PageMissing,
    PageUnreadable,
    /// A page file past the document's last page.
    StalePage,
    /// A scan still at its recorded path is not the file that was archived.
    SourceChanged,
    CatalogUnreadable,
    /// A store lacks a document that has files.
    StoreMissing,
    /// A store holds another version of a document than its files.
    StoreStale,
    /// A store holds a document that has no files.
    StoreOrphan,
    /// A hosted article's host issue is missing, or lacks a page its zones lie on.
    HostMissing,
    /// A newspaper issue lists an article that is not archived as its article.
    ArticleMissing,
}

/// One thing found wrong, and what `--repair` made of it.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Problem {
    pub kind: ProblemKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    /// The derived store concerned.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub store: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<PathBuf>,
    pub detail: String,
    /// What the repair did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repaired: Option<String>,
    /// Why it could not be repaired, and what a person can do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_repaired: Option<String>,
}

impl Problem {
    fn new(kind: ProblemKind, document: Option<&str>, path: Option<PathBuf>, detail: impl Into<String>) -> Problem {
        Problem {
            kind,
            document: document.map(str::to_string),
            store: None,
            path,
            detail: detail.into(),
            repaired: None,
            not_repaired: None,
        }
    }

    fn settle(&mut self, outcome: Result<String, String>) {
        match outcome {
            Ok(done) => self.repaired = Some(done),
            Err(why) => self.not_repaired = Some(why),
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let kind =
            serde_json::to_value(self.kind).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_default();
        write!(f, "{kind}")?;
        for part in
            [self.document.clone(), self.store.map(str::to_string), self.path.as_ref().map(|p| p.display().to_string())]
                .into_iter()
                .flatten()
        {
            write!(f, ": {part}")?;
        }
        write!(f, ": {}", self.detail)
    }
}

/// What `olke verify` found.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct VerifyReport {
    /// Documents with a readable record.
    pub documents: usize,
    pub pdfs_checked: usize,
    pub pages_checked: usize,
    /// Scans found at their recorded paths and checked.
    pub sources_checked: usize,
    /// Scans no longer at their recorded paths (not a problem: batches move).
    pub sources_absent: usize,
    pub repair: bool,
    pub problems: Vec<Problem>,
}

impl VerifyReport {
    /// True when nothing is wrong, or everything found was repaired.
    pub(crate) fn sound(&self) -> bool {
        self.problems.iter().all(|p| p.repaired.is_some())
    }
}

/// Checks (and with `options.repair`, repairs) the archive; `others` are derived stores
/// besides the catalogue, opened by the caller.
pub(crate) fn verify(
    archive: &Archive,
    options: &VerifyOptions,
    others: &mut [&mut dyn DerivedStore],
) -> Result<VerifyReport, VerifyError> {
    let mut report = VerifyReport { repair: options.repair, ..Default::default() };
    for id in archive.document_folders()? {
        let left = staging::leftovers(archive, &id);
        if left.is_empty() {
            continue;
        }
        let names: Vec<String> =
            left.iter().map(|p| p.strip_prefix(archive.root()).unwrap_or(p).display().to_string()).collect();
        let mut problem = Problem::new(
            ProblemKind::UnfinishedChange,
            Some(&id),
            None,
            format!("an interrupted write left {}", names.join(", ")),
        );
        if options.repair {
            problem.settle(match staging::recover_document(archive, &id) {
                Ok(done) => Ok(done.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")),
                Err(e) => Err(e.to_string()),
            });
        }
        report.problems.push(problem);
    }

    let (mut catalog, catalog_held) = open_catalog(archive, options.repair, &mut report)?;
    let inspections: Vec<Inspection> =
        archive.document_folders()?.par_iter().map(|id| inspect(archive, id, options)).collect();
    let mut records = BTreeMap::new();
    for inspection in inspections {
        report.pdfs_checked += inspection.pdf_checked as usize;
        report.pages_checked += inspection.pages_checked;
        report.sources_checked += inspection.sources_checked;
        report.sources_absent += inspection.sources_absent;
        let mut record = inspection.record;
        for mut problem in inspection.problems {
            if options.repair {
                problem.settle(repair_document(archive, catalog.as_ref(), &problem, &mut record));
            }
            report.problems.push(problem);
        }
        if let Some(record) = record {
            records.insert(inspection.id, record);
        }
    }
    report.documents = records.len();
    for (mut problem, what_to_do) in listed_articles_not_found(archive, &records) {
        if options.repair {
            problem.settle(Err(what_to_do.into()));
        }
        report.problems.push(problem);
    }

    // Which scans made each document, for advice on documents whose files are gone.
    let scans: BTreeMap<String, Vec<String>> = match &catalog {
        Some(catalog) => catalog
            .documents()?
            .into_iter()
            .map(|r| (r.id, r.source_files.into_iter().map(|s| s.path).collect()))
            .collect(),
        None => BTreeMap::new(),
    };
    if let (Some(catalog), Some((held, rebuilt))) = (catalog.as_mut(), catalog_held) {
        let repaired = compare_store(archive, catalog, held, &records, &scans, options.repair, !rebuilt, &mut report)?;
        if let Some(problem) = report.problems.iter_mut().find(|p| p.kind == ProblemKind::CatalogUnreadable && rebuilt)
        {
            problem.repaired = problem
                .repaired
                .take()
                .map(|done| format!("{done}; {repaired} documents put in a new one from the files"));
        }
    }
    for store in others.iter_mut() {
        let held = store.held().map_err(|source| VerifyError::Store { store: store.name(), source })?;
        compare_store(archive, *store, held, &records, &scans, options.repair, true, &mut report)?;
    }
    Ok(report)
}

/// Opens the catalogue and reads what it holds. One that cannot be read is a problem; a
/// repair sets it aside and starts a new, empty one (filled from the files later).
/// Returns it with what it holds and whether it is the new one.
#[allow(clippy::type_complexity)]
fn open_catalog(
    archive: &Archive,
    repair: bool,
    report: &mut VerifyReport,
) -> Result<(Option<Catalog>, Option<(BTreeMap<String, Held>, bool)>), VerifyError> {
    let error = match Catalog::open(archive).and_then(|c| c.held_versions().map(|held| (c, held))) {
        Ok((catalog, held)) => return Ok((Some(catalog), Some((held, false)))),
        Err(e @ (CatalogError::Busy | CatalogError::TooNew { .. })) => return Err(e.into()),
        Err(e) => e,
    };
    let mut problem =
        Problem::new(ProblemKind::CatalogUnreadable, None, Some(archive.catalog_dir()), error.to_string());
    if !repair {
        report.problems.push(problem);
        return Ok((None, None));
    }
    let aside = Catalog::set_aside(archive, "damaged")?;
    let catalog = Catalog::open(archive)?;
    problem.repaired = Some(format!("moved to {}", aside.display()));
    report.problems.push(problem);
    Ok((Some(catalog), Some((BTreeMap::new(), true))))
}

/// Compares a store with the records; with `repair`, puts in what it lacks or holds out
/// of date and takes out what has no files. `report_each` is off for a store built anew,
/// whose every document is missing as a matter of course (what cannot be put in is still
/// reported). Returns the repairs made.
#[allow(clippy::too_many_arguments)]
fn compare_store(
    archive: &Archive,
    store: &mut dyn DerivedStore,
    held: BTreeMap<String, Held>,
    records: &BTreeMap<String, DocumentRecord>,
    scans: &BTreeMap<String, Vec<String>>,
    repair: bool,
    report_each: bool,
    report: &mut VerifyReport,
) -> Result<usize, VerifyError> {
    let name = store.name();
    let store_err = |source| VerifyError::Store { store: name, source };
    let mut repaired = 0;
    for (id, difference) in store::compare(records, &held) {
        let (kind, detail) = match difference {
            Difference::Missing => (ProblemKind::StoreMissing, format!("has files but is not in the {name}")),
            Difference::Stale => {
                (ProblemKind::StoreStale, format!("the {name} holds another version than its record.json"))
            }
            Difference::Orphan => {
                (ProblemKind::StoreOrphan, format!("is in the {name} but has no readable record.json"))
            }
        };
        let mut problem = Problem { store: Some(name), ..Problem::new(kind, Some(&id), None, detail) };
        if repair {
            let outcome = match difference {
                Difference::Missing | Difference::Stale => match files::pages(archive, &records[&id]) {
                    Ok(pages) => {
                        store.put(&records[&id], &pages).map_err(store_err)?;
                        Ok("put in from the files".to_string())
                    }
                    Err(e) => Err(format!("its pages cannot be read ({e})")),
                },
                // Files still there but damaged: the store may hold the last good record.
                Difference::Orphan if archive.document_dir(&id).exists() => {
                    Err("kept: the document's files are damaged (see the problems above)".to_string())
                }
                Difference::Orphan => {
                    store.remove(&id).map_err(store_err)?;
                    let again = scans.get(&id).map(|paths| format!(": {}", paths.join(", "))).unwrap_or_default();
                    Ok(format!("taken out, as its files are gone; ingest its scans again to archive it anew{again}"))
                }
            };
            repaired += outcome.is_ok() as usize;
            problem.settle(outcome);
        }
        if report_each || problem.not_repaired.is_some() {
            report.problems.push(problem);
        }
    }
    if repair {
        store.commit().map_err(store_err)?;
    }
    Ok(repaired)
}

/// What looking at one document folder found.
struct Inspection {
    id: String,
    record: Option<DocumentRecord>,
    problems: Vec<Problem>,
    pdf_checked: bool,
    pages_checked: usize,
    sources_checked: usize,
    sources_absent: usize,
}

/// Looks at one document folder, changing nothing.
fn inspect(archive: &Archive, id: &str, options: &VerifyOptions) -> Inspection {
    let mut inspection = Inspection {
        id: id.to_string(),
        record: None,
        problems: Vec::new(),
        pdf_checked: false,
        pages_checked: 0,
        sources_checked: 0,
        sources_absent: 0,
    };
    let path = archive.record_path(id);
    let problem = |kind, path: &Path, detail: String| Problem::new(kind, Some(id), Some(path.to_path_buf()), detail);
    let record = match fs::read(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(problem(
            ProblemKind::IncompleteDocument,
            &path,
            "no record.json: the folder holds no complete document".into(),
        )),
        Err(e) => Err(problem(ProblemKind::RecordUnreadable, &path, format!("cannot be read: {e}"))),
        Ok(bytes) => match serde_json::from_slice::<DocumentRecord>(&bytes) {
            Err(e) => Err(problem(ProblemKind::RecordUnreadable, &path, format!("not a record: {e}"))),
            Ok(record) if record.id != id => Err(problem(
                ProblemKind::RecordUnreadable,
                &path,
                format!("it is the record of '{}', not of its folder's document", record.id),
            )),
            Ok(record) => Ok(record),
        },
    };
    let record = match record {
        Ok(record) => record,
        Err(problem) => {
            inspection.problems.push(problem);
            return inspection;
        }
    };
    if record.is_hosted() {
        // An article has no PDF or pages of its own: its host must hold its zones.
        inspection.problems.extend(check_host(archive, &record));
    } else {
        inspection.problems.extend(check_pdf(archive, &record, options.open_pdfs));
        inspection.pdf_checked = true;
        let (pages_checked, page_problems) = check_pages(archive, &record);
        inspection.pages_checked = pages_checked;
        inspection.problems.extend(page_problems);
    }
    if options.sources {
        for source in &record.source_files {
            let path = &source.os_path();
            if !path.is_file() {
                inspection.sources_absent += 1;
                continue;
            }
            inspection.sources_checked += 1;
            let detail = match sha256_file(path) {
                Ok((sha256, _)) if sha256 == source.sha256 => continue,
                Ok((sha256, bytes)) => format!("the scan changed after it was archived: SHA-256 {sha256} ({bytes} bytes), archived as {} ({} bytes)", source.sha256, source.bytes),
                Err(e) => format!("the scan cannot be read to check it: {e}"),
            };
            inspection.problems.push(problem(ProblemKind::SourceChanged, path, detail));
        }
    }
    inspection.record = Some(record);
    inspection
}

/// What a person can do when an issue's article or an article's issue is not archived:
/// ingesting the issue's batch again files what is missing.
const INGEST_THE_ISSUE_AGAIN: &str =
    "ingest the issue's scans again with the batch.csv that describes the issue and its articles";

/// The articles an issue lists that are not archived as its articles, each with what a
/// person can do: an ingest stopped between the issue and its articles, or an article's
/// folder removed. The pages they are listed on are not shown whole (nothing tells that
/// their rights allow it), and search no longer finds them as articles: said here, not
/// left to be noticed.
fn listed_articles_not_found(
    archive: &Archive,
    records: &BTreeMap<String, DocumentRecord>,
) -> Vec<(Problem, &'static str)> {
    let mut problems = Vec::new();
    for issue in records.values() {
        for listed in &issue.articles {
            let article = records.get(&listed.id);
            // A folder whose record cannot be read is a problem of its own, found above.
            let unreadable = article.is_none() && archive.document_dir(&listed.id).exists();
            if unreadable || article.is_some_and(|a| a.is_hosted_by(&issue.id)) {
                continue;
            }
            let pages = listed.pages.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ");
            let (detail, what_to_do) = match article {
                // Only a record edited by hand gets here: ingest gives an id to one document.
                Some(other) => (
                    format!(
                        "lists the article {} on page(s) {pages}, but {} is {}",
                        listed.id,
                        listed.id,
                        other
                            .host
                            .as_deref()
                            .map_or("not an article".to_string(), |host| format!("an article of {host}"))
                    ),
                    "the two records disagree: put them back from a backup (olke restore)",
                ),
                None => (
                    format!(
                        "lists the article {} on page(s) {pages}, which is not in the archive: those pages are \
                         not shown whole, and search no longer finds it as an article",
                        listed.id
                    ),
                    INGEST_THE_ISSUE_AGAIN,
                ),
            };
            let path = Some(archive.document_dir(&listed.id));
            problems.push((Problem::new(ProblemKind::ArticleMissing, Some(&issue.id), path, detail), what_to_do));
        }
    }
    problems
}

/// A hosted article's host is archived and has the pages its zones lie on, each zone on
/// its page.
fn check_host(archive: &Archive, record: &DocumentRecord) -> Option<Problem> {
    let host = record.host.as_deref()?;
    let path = archive.record_path(host);
    let problem =
        |detail: String| Some(Problem::new(ProblemKind::HostMissing, Some(&record.id), Some(path.clone()), detail));
    let host_record = match files::record(archive, host) {
        Ok(host_record) => host_record,
        Err(e) => return problem(format!("its host issue {host} cannot be read: {e}")),
    };
    for zone in &record.zones {
        let Some(page) = host_record.pages.get(zone.page as usize - 1) else {
            return problem(format!(
                "its zone lies on page {} of {host}, which has {} pages",
                zone.page,
                host_record.pages.len()
            ));
        };
        let whole = crate::page::BBox { x0: 0, y0: 0, x1: page.width, y1: page.height };
        if !whole.contains(&zone.bbox) {
            return problem(format!("its zone on page {} lies outside that page of {host}", zone.page));
        }
    }
    None
}

/// The PDF is there, is the file its record names, and (when `open`) opens with the
/// record's number of pages.
fn check_pdf(archive: &Archive, record: &DocumentRecord, open: bool) -> Option<Problem> {
    let path = archive.pdf_path(&record.id);
    let problem = |kind, detail: String| Some(Problem::new(kind, Some(&record.id), Some(path.clone()), detail));
    let read = if open {
        fs::read(&path).map(|bytes| (hex::encode(Sha256::digest(&bytes)), bytes.len() as u64, Some(bytes)))
    } else {
        sha256_file(&path).map(|(sha, n)| (sha, n, None))
    };
    let (sha256, size, bytes) = match read {
        Ok(read) => read,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return problem(ProblemKind::PdfMissing, "the PDF is missing".into())
        }
        Err(e) => return problem(ProblemKind::PdfMissing, format!("the PDF cannot be read: {e}")),
    };
    if sha256 != record.pdf_sha256 {
        return problem(
            ProblemKind::PdfChecksum,
            format!(
                "SHA-256 {sha256} ({size} bytes), but its record names {} ({} bytes): the file was changed or damaged",
                record.pdf_sha256, record.pdf_bytes
            ),
        );
    }
    let bytes = bytes?; // not opened
    let pages = match lopdf::Document::load_mem(&bytes) {
        Ok(document) => document.get_pages().len(),
        Err(e) => return problem(ProblemKind::PdfUnreadable, format!("does not open as a PDF: {e}")),
    };
    if pages != record.pages.len() {
        return problem(ProblemKind::PdfUnreadable, format!("has {pages} pages, its record {}", record.pages.len()));
    }
    // Pages copied from a PDF made elsewhere are checked stream by stream: a checksum
    // only proves the file is what was archived, not that what was archived was sound.
    if record.kept_pages() > 0 {
        if let Err(detail) = crate::pdf::check_structure(&path) {
            return problem(ProblemKind::PdfUnreadable, detail);
        }
    }
    None
}

/// Every page file is there and readable, and none is left past the last page. Returns
/// the pages checked and the problems.
fn check_pages(archive: &Archive, record: &DocumentRecord) -> (usize, Vec<Problem>) {
    let mut problems = Vec::new();
    let id = record.id.as_str();
    for number in 1..=record.pages.len() as u32 {
        let path = archive.page_path(id, number);
        let detail = match fs::read(&path) {
            Ok(bytes) => match serde_json::from_slice::<RecognizedPage>(&bytes) {
                Ok(_) => continue,
                Err(e) => (ProblemKind::PageUnreadable, format!("page {number} is not a page's words: {e}")),
            },
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                (ProblemKind::PageMissing, format!("page {number} of {} is missing", record.pages.len()))
            }
            Err(e) => (ProblemKind::PageUnreadable, format!("page {number} cannot be read: {e}")),
        };
        problems.push(Problem::new(detail.0, Some(id), Some(path), detail.1));
    }
    if let Ok(entries) = fs::read_dir(archive.pages_dir(id)) {
        for entry in entries.flatten() {
            if let Some(number) =
                entry.file_name().to_str().and_then(page_number).filter(|&n| n as usize > record.pages.len())
            {
                problems.push(Problem::new(
                    ProblemKind::StalePage,
                    Some(id),
                    Some(entry.path()),
                    format!("page {number} is past the document's {} pages", record.pages.len()),
                ));
            }
        }
    }
    (record.pages.len(), problems)
}

/// Repairs a problem found in a document's files, from what is still sound: the
/// catalogue's copy of the record and pages when it matches the PDF on disk. `record` is
/// the document's record, set when it is written back.
fn repair_document(
    archive: &Archive,
    catalog: Option<&Catalog>,
    problem: &Problem,
    record: &mut Option<DocumentRecord>,
) -> Result<String, String> {
    let id = problem.document.as_deref().expect("document problems name their document");
    let path = problem.path.clone().unwrap_or_default();
    let again = |record: &DocumentRecord| {
        let scans: Vec<&str> = record.source_files.iter().map(|s| s.path.as_str()).collect();
        format!("ingest its scans again to make it anew ({}), or put the file back from a backup", scans.join(", "))
    };
    match problem.kind {
        ProblemKind::IncompleteDocument | ProblemKind::RecordUnreadable => {
            let restored = restore_from_catalog(archive, catalog, id)?;
            *record = Some(restored);
            Ok("record.json and the pages written back from the catalogue's copy, which names this PDF".into())
        }
        ProblemKind::PageMissing | ProblemKind::PageUnreadable => {
            let record = record.as_ref().expect("page problems come with a record");
            let number = (1..=record.pages.len() as u32)
                .find(|&n| archive.page_path(id, n) == path)
                .expect("the problem names a page file");
            let page = catalog
                .filter(|c| c.get(id).ok().flatten().as_ref() == Some(record))
                .and_then(|c| c.page(id, number).ok().flatten())
                .ok_or_else(|| {
                    format!("the catalogue has no copy of this version's page {number}; {}", again(record))
                })?;
            write_atomic(&path, &serde_json::to_vec(&page).expect("pages serialize")).map_err(|e| e.to_string())?;
            Ok("written back from the catalogue".into())
        }
        ProblemKind::StalePage => fs::remove_file(&path)
            .map(|_| "removed: it was left from an earlier, longer version".into())
            .map_err(|e| e.to_string()),
        ProblemKind::PdfMissing | ProblemKind::PdfChecksum | ProblemKind::PdfUnreadable => {
            Err(again(record.as_ref().expect("PDF problems come with a record")))
        }
        ProblemKind::SourceChanged => {
            Err("the archive keeps the version it was made from; ingest the scan again to archive the new one".into())
        }
        ProblemKind::HostMissing => Err(INGEST_THE_ISSUE_AGAIN.into()),
        ProblemKind::UnfinishedChange
        | ProblemKind::ArticleMissing
        | ProblemKind::CatalogUnreadable
        | ProblemKind::StoreMissing
        | ProblemKind::StoreStale
        | ProblemKind::StoreOrphan => {
            unreachable!("not a document file problem")
        }
    }
}

/// Writes a document's record and pages back from the catalogue, when its copy names the
/// PDF that is on disk.
fn restore_from_catalog(archive: &Archive, catalog: Option<&Catalog>, id: &str) -> Result<DocumentRecord, String> {
    let catalog = catalog.ok_or("the catalogue cannot be read either")?;
    let record = catalog.get(id).map_err(|e| e.to_string())?.ok_or(
        "the catalogue has no copy of it either; ingest its scans again, or put the folder back from a backup",
    )?;
    let pdf = archive.pdf_path(id);
    match sha256_file(&pdf) {
        Ok((sha256, _)) if sha256 == record.pdf_sha256 => {}
        _ => {
            return Err(format!(
                "the catalogue's copy of the record names another PDF than {}; ingest its scans again",
                pdf.display()
            ))
        }
    }
    let staged = Staged::begin(archive, id).map_err(|e| e.to_string())?;
    for number in 1..=record.pages.len() as u32 {
        let page = catalog
            .page(id, number)
            .ok()
            .flatten()
            .ok_or_else(|| format!("the catalogue lacks page {number}; ingest its scans again"))?;
        staged.write_page(number, &serde_json::to_vec(&page).expect("pages serialize")).map_err(|e| e.to_string())?;
    }
    staged.commit(&record).map_err(|e| e.to_string())?;
    Ok(record)
}
