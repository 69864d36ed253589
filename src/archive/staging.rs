//! Changing a document's files as one step.
//!
//! A document is a PDF, one JSON file per page and `record.json`, and no file system can
//! replace several files at once. So a new version (an ingest, a rescan, an edit of the
//! description) is first written whole into `documents/<id>/.staging/`, each file synced;
//! writing `record.json` — atomically, naming the new PDF's SHA-256 — commits it; then the
//! staged files are moved into place. A writer killed before the commit leaves the old
//! version as it was; killed after it, the next writer finishes the move. [`recover`]
//! tells the two apart by comparing the staged PDF with the checksum in `record.json`.
//!
//! Moving pages first and the PDF last means that a staging folder without a PDF never
//! holds anything still needed: it is either uncommitted or already moved.

use std::fs;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::archive::{is_temporary_file, page_file_name, page_number, sha256_file, sync_dir, write_atomic, Archive};
use crate::path_error::{at, PathError};
use crate::record::DocumentRecord;

type Result<T> = std::result::Result<T, PathError>;

/// Writes a document's `record.json` atomically.
pub(crate) fn write_record(archive: &Archive, record: &DocumentRecord) -> Result<()> {
    let path = archive.record_path(&record.id);
    let json = serde_json::to_vec_pretty(record).expect("records serialize");
    write_atomic(&path, &json).map_err(at(&path))
}

/// A new version of a document's files, written beside the current one.
pub(crate) struct Staged {
    archive: Archive,
    id: String,
    dir: PathBuf,
}

impl Staged {
    /// Starts a new version of document `id`. What an earlier attempt left staged is
    /// discarded: it was never committed, or [`recover`] would have moved it in.
    pub(crate) fn begin(archive: &Archive, id: &str) -> Result<Staged> {
        let dir = archive.staging_dir(id);
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(at(&dir))?;
        }
        fs::create_dir_all(dir.join("pages")).map_err(at(&dir))?;
        Ok(Staged { archive: archive.clone(), id: id.to_string(), dir })
    }

    /// Where the new PDF is written (through an [`crate::archive::AtomicFile`]).
    pub(crate) fn pdf_path(&self) -> PathBuf {
        staged_pdf(&self.archive, &self.id)
    }

    /// Writes page `number`'s file of the new version.
    pub(crate) fn write_page(&self, number: u32, json: &[u8]) -> Result<()> {
        let path = self.dir.join("pages").join(page_file_name(number));
        write_atomic(&path, json).map_err(at(&path))
    }

    /// Commits the new version: writes `record` (which must name the staged PDF's
    /// checksum; a change without a new PDF commits just the record), then moves the
    /// staged files into place.
    pub(crate) fn commit(self, record: &DocumentRecord) -> Result<()> {
        write_record(&self.archive, record)?;
        move_into_place(&self.archive, &self.id, record.pages.len())
    }
}

fn staged_pdf(archive: &Archive, id: &str) -> PathBuf {
    archive.staging_dir(id).join(format!("{id}.pdf"))
}

/// Moves a committed version's staged files into place: the pages, then away with pages
/// of an older, longer version, then the PDF, then the staging folder.
fn move_into_place(archive: &Archive, id: &str, pages: usize) -> Result<()> {
    let staging = archive.staging_dir(id);
    let staged_pages = staging.join("pages");
    let pages_dir = archive.pages_dir(id);
    if staged_pages.is_dir() {
        fs::create_dir_all(&pages_dir).map_err(at(&pages_dir))?;
        for entry in fs::read_dir(&staged_pages).map_err(at(&staged_pages))? {
            let entry = entry.map_err(at(&staged_pages))?;
            let name = entry.file_name();
            if name.to_str().and_then(page_number).is_some() {
                let target = pages_dir.join(&name);
                fs::rename(entry.path(), &target).map_err(at(&target))?;
            }
        }
    }
    if pages_dir.is_dir() {
        for entry in fs::read_dir(&pages_dir).map_err(at(&pages_dir))? {
            let entry = entry.map_err(at(&pages_dir))?;
            if entry.file_name().to_str().and_then(page_number).is_some_and(|n| n as usize > pages) {
                fs::remove_file(entry.path()).map_err(at(&entry.path()))?;
            }
        }
        // The pages must be in place for good before the PDF is: a staging folder without
        // its PDF is taken for one whose move is over.
        sync_dir(&pages_dir).map_err(at(&pages_dir))?;
    }
    let pdf = staged_pdf(archive, id);
    if pdf.is_file() {
        let target = archive.pdf_path(id);
        fs::rename(&pdf, &target).map_err(at(&target))?;
    }
    let document = archive.document_dir(id);
    sync_dir(&document).map_err(at(&document))?;
    fs::remove_dir_all(&staging).map_err(at(&staging))
}

/// What the next writer did with a change a stopped writer left behind.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Recovery {
    /// The change had been committed: its staged files were moved into place.
    Completed,
    /// The change had not been committed: its staged files were removed and the document
    /// is as it was before (a new document that never got its record is gone).
    Discarded,
    /// Temporary files of interrupted writes were removed.
    TemporaryFilesRemoved(usize),
}

/// A document's recovery, for reports.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recovered {
    pub document: String,
    pub recovery: Recovery,
}

impl std::fmt::Display for Recovered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.recovery {
            Recovery::Completed => {
                write!(f, "{}: an interrupted change had been committed; completed it", self.document)
            }
            Recovery::Discarded => {
                write!(f, "{}: an interrupted change had not been committed; discarded it", self.document)
            }
            Recovery::TemporaryFilesRemoved(n) => {
                write!(f, "{}: removed {n} temporary file(s) of an interrupted write", self.document)
            }
        }
    }
}

/// The folders of a document where files are written: the document's own, its pages and
/// each kept previous version.
fn written_folders(archive: &Archive, id: &str) -> Vec<PathBuf> {
    let document = archive.document_dir(id);
    let mut folders = vec![document.clone(), archive.pages_dir(id)];
    if let Ok(entries) = fs::read_dir(document.join("previous")) {
        folders.extend(entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()));
    }
    folders
}

fn temporary_files_in(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = fs::read_dir(dir) else { return Vec::new() };
    entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_str().is_some_and(is_temporary_file))
        .map(|e| e.path())
        .collect()
}

/// What an interrupted writer left in document `id`'s folder: its staging folder and
/// temporary files (for a report; [`recover_document`] deals with them).
pub(crate) fn leftovers(archive: &Archive, id: &str) -> Vec<PathBuf> {
    let staging = archive.staging_dir(id);
    let mut found: Vec<PathBuf> = written_folders(archive, id).iter().flat_map(|dir| temporary_files_in(dir)).collect();
    if staging.exists() {
        found.insert(0, staging);
    }
    found
}

/// Finishes or undoes what a stopped writer left in document `id`'s folder. The caller
/// holds the writer lock, so nothing there is still being written.
pub(crate) fn recover_document(archive: &Archive, id: &str) -> Result<Vec<Recovered>> {
    let mut done = Vec::new();
    let temporary: Vec<PathBuf> = written_folders(archive, id).iter().flat_map(|dir| temporary_files_in(dir)).collect();
    for path in &temporary {
        fs::remove_file(path).map_err(at(path))?;
    }
    if !temporary.is_empty() {
        done.push(Recovered { document: id.to_string(), recovery: Recovery::TemporaryFilesRemoved(temporary.len()) });
    }
    let staging = archive.staging_dir(id);
    if !staging.exists() {
        return Ok(done);
    }
    let pdf = staged_pdf(archive, id);
    let committed =
        match fs::read(archive.record_path(id)).ok().and_then(|b| serde_json::from_slice::<DocumentRecord>(&b).ok()) {
            Some(record) if pdf.is_file() => {
                (sha256_file(&pdf).map_err(at(&pdf))?.0 == record.pdf_sha256).then_some(record)
            }
            _ => None,
        };
    let recovery = match committed {
        Some(record) => {
            move_into_place(archive, id, record.pages.len())?;
            Recovery::Completed
        }
        None => {
            fs::remove_dir_all(&staging).map_err(at(&staging))?;
            if !archive.record_path(id).exists() {
                // A document that never got its record: only empty folders may remain.
                let _ = fs::remove_dir(archive.pages_dir(id));
                let _ = fs::remove_dir(archive.document_dir(id));
            }
            Recovery::Discarded
        }
    };
    done.push(Recovered { document: id.to_string(), recovery });
    Ok(done)
}

/// [`recover_document`] for every document folder.
pub(crate) fn recover(archive: &Archive) -> std::result::Result<Vec<Recovered>, crate::archive::ArchiveError> {
    let mut done = Vec::new();
    for id in archive.document_folders()? {
        done.extend(recover_document(archive, &id).map_err(crate::archive::ArchiveError::from)?);
    }
    Ok(done)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    /// An archive holding document `a` at version 1: a PDF and two pages.
    fn archived() -> (tempfile::TempDir, Archive, DocumentRecord) {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let record = version(&archive, "version 1", 2);
        (dir, archive, record)
    }

    /// Stages and commits a version of `a` whose PDF and pages say `text`.
    fn version(archive: &Archive, text: &str, pages: u32) -> DocumentRecord {
        let (staged, record) = stage(archive, text, pages);
        staged.commit(&record).unwrap();
        record
    }

    fn stage(archive: &Archive, text: &str, pages: u32) -> (Staged, DocumentRecord) {
        let staged = Staged::begin(archive, "a").unwrap();
        write_atomic(&staged.pdf_path(), text.as_bytes()).unwrap();
        for n in 1..=pages {
            staged.write_page(n, format!("{text} page {n}").as_bytes()).unwrap();
        }
        let mut record = document("a", &[("title", text)]);
        record.pages = (0..pages).map(|_| crate::record::tests::page()).collect();
        record.pdf_sha256 = sha256_file(&staged.pdf_path()).unwrap().0;
        (staged, record)
    }

    fn read(path: PathBuf) -> String {
        fs::read_to_string(path).unwrap()
    }

    fn page_files(archive: &Archive) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(archive.pages_dir("a"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_committed_version_replaces_the_files_and_drops_extra_pages() {
        let (_dir, archive, _) = archived();
        assert_eq!(read(archive.pdf_path("a")), "version 1");
        version(&archive, "version 2", 1);
        assert_eq!(read(archive.pdf_path("a")), "version 2");
        assert_eq!(page_files(&archive), vec!["0001.json"]);
        assert_eq!(read(archive.page_path("a", 1)), "version 2 page 1");
        assert!(!archive.staging_dir("a").exists());
    }

    #[test]
    fn killed_before_the_record_the_old_version_stays() {
        let (_dir, archive, first) = archived();
        let (staged, _) = stage(&archive, "version 2", 3);
        drop(staged); // killed here
        fs::write(archive.document_dir("a").join(".record.json.tmp-999999-3"), "{").unwrap();
        let done = recover_document(&archive, "a").unwrap();
        assert_eq!(
            done.iter().map(|r| r.recovery.clone()).collect::<Vec<_>>(),
            vec![Recovery::TemporaryFilesRemoved(1), Recovery::Discarded]
        );
        assert_eq!(read(archive.pdf_path("a")), "version 1");
        assert_eq!(page_files(&archive), vec!["0001.json", "0002.json"]);
        let record: DocumentRecord = serde_json::from_str(&read(archive.record_path("a"))).unwrap();
        assert_eq!(record, first);
        assert!(leftovers(&archive, "a").is_empty());
    }

    #[test]
    fn killed_after_the_record_the_move_is_finished() {
        let (_dir, archive, _) = archived();
        let (_staged, record) = stage(&archive, "version 2", 3);
        write_record(&archive, &record).unwrap(); // committed, then killed before the move
        assert_eq!(leftovers(&archive, "a"), vec![archive.staging_dir("a")]);
        let done = recover_document(&archive, "a").unwrap();
        assert_eq!(done, vec![Recovered { document: "a".into(), recovery: Recovery::Completed }]);
        assert_eq!(read(archive.pdf_path("a")), "version 2");
        assert_eq!(page_files(&archive), vec!["0001.json", "0002.json", "0003.json"]);
        assert_eq!(read(archive.page_path("a", 3)), "version 2 page 3");
    }

    #[test]
    fn killed_halfway_through_the_move_it_is_finished() {
        let (_dir, archive, _) = archived();
        let (_staged, record) = stage(&archive, "version 2", 2);
        write_record(&archive, &record).unwrap();
        // The first page was moved, then the writer was killed.
        fs::rename(archive.staging_dir("a").join("pages/0001.json"), archive.page_path("a", 1)).unwrap();
        recover_document(&archive, "a").unwrap();
        assert_eq!(read(archive.pdf_path("a")), "version 2");
        assert_eq!(read(archive.page_path("a", 1)), "version 2 page 1");
        assert_eq!(read(archive.page_path("a", 2)), "version 2 page 2");
        // Killed after the PDF was moved: only the emptied staging folder is left.
        fs::create_dir_all(archive.staging_dir("a").join("pages")).unwrap();
        assert_eq!(recover_document(&archive, "a").unwrap()[0].recovery, Recovery::Discarded);
        assert_eq!(read(archive.pdf_path("a")), "version 2");
    }

    #[test]
    fn a_new_document_killed_before_its_record_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let (staged, _) = stage(&archive, "version 1", 1);
        drop(staged);
        assert!(archive.document_ids().unwrap().is_empty(), "not a document before its record");
        assert_eq!(recover(&archive).unwrap()[0].recovery, Recovery::Discarded);
        assert!(!archive.document_dir("a").exists());
    }
}
