//! `olke backup` and `olke restore`.
//!
//! A backup is a folder with two files:
//!
//! - `catalog.jsonl`: every document's record, one JSON object per line (what the
//!   catalogue holds of it, made from its `record.json`);
//! - `manifest.json`: every file under `documents/` (PDFs, records, page files, kept
//!   previous versions) with its size and SHA-256, and the checksum of `catalog.jsonl`.
//!
//! The pages' words and boxes are not copied into the backup but named by reference: they
//! are files under `documents/`, as large as the text they hold, and go wherever the PDFs
//! go; the manifest's checksums tell whether a copy of them is whole. A backup is
//! therefore kept together with a copy of `documents/` (any file tool: `rsync -a`, tape),
//! and `olke restore` rebuilds the catalogue (and every other derived store) from the two,
//! checking each file against the manifest and writing back a document's record from the
//! backup when its own is lost or damaged and its PDF is the one the backup names.
//!
//! Both files are written atomically, the manifest last: a backup folder with a manifest
//! is complete.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::{BufRead, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::archive::files;
use crate::archive::staging::{self, Recovered, Staged};
use crate::archive::store::{record_sha256, DerivedStore, StoreError};
use crate::archive::{sha256_file, Archive, ArchiveError, AtomicFile};
use crate::catalog::{Catalog, CatalogError};
use crate::page::RecognizedPage;
use crate::record::DocumentRecord;

pub(crate) const CATALOG_FILE: &str = "catalog.jsonl";
pub(crate) const MANIFEST_FILE: &str = "manifest.json";
const FORMAT: &str = "olke-backup-1";

#[derive(Debug, thiserror::Error)]
pub(crate) enum BackupError {
    #[error(transparent)]
    Archive(#[from] ArchiveError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Writer(#[from] super::WriterError),
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error("{path}: not an olke backup: {reason}")]
    NotABackup { path: PathBuf, reason: String },
    #[error("{store}: {source}")]
    Store { store: &'static str, source: StoreError },
    #[error(transparent)]
    Files(#[from] crate::archive::files::FileError),
}

fn io_at(path: &Path) -> impl FnOnce(std::io::Error) -> BackupError + '_ {
    move |source| BackupError::Io(crate::path_error::PathError { path: path.to_path_buf(), source })
}

/// A file of the archive as the backup saw it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct FileEntry {
    /// Relative to the archive root, `/`-separated.
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// `manifest.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: String,
    pub created: DateTime<Utc>,
    pub olke: String,
    /// The archive backed up.
    pub archive: PathBuf,
    /// `catalog.jsonl`, and how many records it holds.
    pub catalog: FileEntry,
    pub documents: usize,
    pub files: Vec<FileEntry>,
}

/// Something wrong found by a backup or a restore, about a document or a file.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Problem {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    pub detail: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for part in [&self.document, &self.path].into_iter().flatten() {
            write!(f, "{part}: ")?;
        }
        write!(f, "{}", self.detail)
    }
}

fn problem(document: Option<&str>, path: Option<&str>, detail: impl Into<String>) -> Problem {
    Problem { document: document.map(str::to_string), path: path.map(str::to_string), detail: detail.into() }
}

/// What `olke backup` wrote.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct BackupReport {
    pub out: PathBuf,
    pub documents: usize,
    pub files: usize,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<Recovered>,
    /// Documents whose files were found damaged (backed up as they are).
    pub problems: Vec<Problem>,
}

/// Every file under `documents/` but those of unfinished writes, with its checksum, in
/// path order.
fn archive_files(archive: &Archive) -> Result<Vec<FileEntry>, BackupError> {
    let root = archive.root();
    let mut paths = Vec::new();
    // Staging folders and temporary files start with a dot: never part of a document.
    for entry in walkdir::WalkDir::new(archive.documents_dir())
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| !e.file_name().to_string_lossy().starts_with('.'))
    {
        let entry = entry.map_err(|e| {
            BackupError::Io(crate::path_error::PathError {
                path: e.path().map(Path::to_path_buf).unwrap_or_default(),
                source: e.into(),
            })
        })?;
        if entry.file_type().is_file() {
            paths.push(entry.into_path());
        }
    }
    paths
        .into_par_iter()
        .map(|path| {
            let (sha256, bytes) = sha256_file(&path).map_err(io_at(&path))?;
            let relative = path
                .strip_prefix(root)
                .unwrap_or(&path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            Ok(FileEntry { path: relative, sha256, bytes })
        })
        .collect()
}

/// Writes a backup of `archive` into `out` (created if needed). Takes the writer lock, so
/// the files do not change while they are read; what a stopped writer left is dealt with
/// first.
pub(crate) fn backup(archive: &Archive, out: &Path) -> Result<BackupReport, BackupError> {
    if !archive.exists() {
        return Err(CatalogError::NoArchive(archive.root().to_path_buf()).into());
    }
    let mut writer = super::open_for_writing(archive)?;
    let (records, unreadable) = files::records(archive)?;
    let mut problems: Vec<Problem> = unreadable
        .iter()
        .map(|(id, e)| {
            problem(Some(id), None, format!("record.json cannot be read, so it is not in {CATALOG_FILE}: {e}"))
        })
        .collect();
    let files = archive_files(archive)?;
    let by_path: BTreeMap<&str, &FileEntry> = files.iter().map(|f| (f.path.as_str(), f)).collect();
    for record in records.values() {
        if by_path.get(record.pdf.as_str()).map(|f| &f.sha256) != Some(&record.pdf_sha256) {
            problems.push(problem(
                Some(&record.id),
                Some(&record.pdf),
                "the PDF is missing or not the file its record names; `olke verify` tells more",
            ));
        }
    }

    fs::create_dir_all(out).map_err(io_at(out))?;
    let catalog_path = out.join(CATALOG_FILE);
    let mut lines = BufWriter::new(AtomicFile::create(&catalog_path).map_err(io_at(&catalog_path))?);
    for record in records.values() {
        serde_json::to_writer(&mut lines, record).expect("records serialize");
        lines.write_all(b"\n").map_err(io_at(&catalog_path))?;
    }
    lines.into_inner().map_err(|e| io_at(&catalog_path)(e.into_error()))?.commit().map_err(io_at(&catalog_path))?;
    let (sha256, bytes) = sha256_file(&catalog_path).map_err(io_at(&catalog_path))?;

    let report = BackupReport {
        out: out.to_path_buf(),
        documents: records.len(),
        files: files.len(),
        bytes: files.iter().map(|f| f.bytes).sum(),
        recovered: std::mem::take(&mut writer.recovered),
        problems,
    };
    let manifest = Manifest {
        format: FORMAT.into(),
        created: Utc::now(),
        olke: env!("CARGO_PKG_VERSION").into(),
        archive: std::path::absolute(archive.root()).unwrap_or_else(|_| archive.root().to_path_buf()),
        catalog: FileEntry { path: CATALOG_FILE.into(), sha256, bytes },
        documents: records.len(),
        files,
    };
    let manifest_path = out.join(MANIFEST_FILE);
    crate::archive::write_atomic(&manifest_path, &serde_json::to_vec_pretty(&manifest).expect("manifests serialize"))
        .map_err(io_at(&manifest_path))?;
    writer.finish()?;
    Ok(report)
}

/// A backup folder, read and checked.
struct Backup {
    manifest: Manifest,
    records: BTreeMap<String, DocumentRecord>,
}

fn read_backup(dir: &Path) -> Result<Backup, BackupError> {
    let manifest_path = dir.join(MANIFEST_FILE);
    let not_a_backup = |path: &Path, reason: String| BackupError::NotABackup { path: path.to_path_buf(), reason };
    let bytes = fs::read(&manifest_path).map_err(|e| not_a_backup(&manifest_path, e.to_string()))?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| not_a_backup(&manifest_path, e.to_string()))?;
    if manifest.format != FORMAT {
        return Err(not_a_backup(&manifest_path, format!("format '{}', expected '{FORMAT}'", manifest.format)));
    }
    let catalog_path = dir.join(&manifest.catalog.path);
    let (sha256, _) = sha256_file(&catalog_path).map_err(io_at(&catalog_path))?;
    if sha256 != manifest.catalog.sha256 {
        return Err(not_a_backup(&catalog_path, "damaged: its checksum is not the one the manifest names".into()));
    }
    let mut records = BTreeMap::new();
    let file = fs::File::open(&catalog_path).map_err(io_at(&catalog_path))?;
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io_at(&catalog_path))?;
        let record: DocumentRecord =
            serde_json::from_str(&line).map_err(|e| not_a_backup(&catalog_path, format!("line {}: {e}", n + 1)))?;
        records.insert(record.id.clone(), record);
    }
    Ok(Backup { manifest, records })
}

/// What `olke restore` did.
#[derive(Clone, Debug, Default, Serialize)]
pub(crate) struct RestoreReport {
    /// Documents in the rebuilt catalogue.
    pub documents: usize,
    /// Documents whose `record.json` was lost or damaged, written back from the backup.
    pub records_from_backup: Vec<String>,
    /// Documents changed since the backup (an edit, a rescan): their own files are used.
    pub changed_since_backup: Vec<String>,
    /// Documents archived after the backup: their own files are used.
    pub not_in_backup: Vec<String>,
    /// Where the catalogue that was there went.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub catalog_set_aside: Option<PathBuf>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recovered: Vec<Recovered>,
    /// Documents that could not be restored, and files that are missing or differ.
    pub problems: Vec<Problem>,
}

/// A document whose files are whole: its record names the PDF on disk.
fn sound_record(archive: &Archive, id: &str) -> Option<DocumentRecord> {
    let record = files::record(archive, id).ok().filter(|r| r.id == id)?;
    let (sha256, _) = sha256_file(&archive.pdf_path(id)).ok()?;
    (sha256 == record.pdf_sha256).then_some(record)
}

/// Rebuilds the catalogue of `archive` (and the `others` stores) from its files and the
/// backup in `from`, checking the files against the backup's manifest. The catalogue that
/// was there is set aside, never deleted.
pub(crate) fn restore(
    archive: &Archive,
    from: &Path,
    others: &mut [&mut dyn DerivedStore],
) -> Result<RestoreReport, BackupError> {
    let backup = read_backup(from)?;
    if !archive.documents_dir().is_dir() {
        return Err(CatalogError::NoArchive(archive.root().to_path_buf()).into());
    }
    let lock = archive.lock()?;
    let mut report = RestoreReport::default();
    if lock.previous_writer_unfinished() {
        report.recovered = staging::recover(archive)?;
    }
    let manifest: BTreeMap<&str, &FileEntry> = backup.manifest.files.iter().map(|f| (f.path.as_str(), f)).collect();

    let ids: BTreeSet<String> = backup.records.keys().cloned().chain(archive.document_folders()?).collect();
    let mut restored = Vec::new();
    for id in &ids {
        let saved = backup.records.get(id);
        let record = match (sound_record(archive, id), saved) {
            (Some(record), Some(saved)) => {
                if record_sha256(&record) != record_sha256(saved) {
                    report.changed_since_backup.push(id.clone());
                }
                record
            }
            (Some(record), None) => {
                report.not_in_backup.push(id.clone());
                record
            }
            (None, Some(saved)) => match write_back(archive, saved, &manifest) {
                Ok(()) => {
                    report.records_from_backup.push(id.clone());
                    saved.clone()
                }
                Err(why) => {
                    report.problems.push(problem(Some(id), None, format!("cannot be restored: {why}")));
                    continue;
                }
            },
            (None, None) => {
                report.problems.push(problem(
                    Some(id),
                    None,
                    "cannot be restored: not in the backup, and its record.json is unreadable or does not name its PDF",
                ));
                continue;
            }
        };
        match files::pages(archive, &record) {
            Ok(pages) => restored.push((record, pages)),
            Err(e) => report.problems.push(problem(Some(id), None, format!("cannot be restored: {e}"))),
        }
    }
    // Every file the backup saw is still there and the same, but for the documents
    // changed since, whose files changed with them.
    for entry in &backup.manifest.files {
        let document = entry.path.strip_prefix("documents/").and_then(|p| p.split('/').next()).unwrap_or_default();
        if report.changed_since_backup.iter().any(|id| id == document) {
            continue;
        }
        match sha256_file(&archive.root().join(&entry.path)) {
            Ok((sha256, _)) if sha256 == entry.sha256 => {}
            Ok(_) => report.problems.push(problem(None, Some(&entry.path), "differs from the backed-up file")),
            Err(e) => report.problems.push(problem(None, Some(&entry.path), format!("backed up, now {e}"))),
        }
    }

    if archive.catalog_dir().exists() {
        report.catalog_set_aside = Some(Catalog::set_aside(archive, "before-restore")?);
    }
    refill(&mut Catalog::open(archive)?, &restored)?;
    for store in others.iter_mut() {
        refill(*store, &restored)?;
    }
    report.documents = restored.len();
    lock.release()?;
    Ok(report)
}

/// Empties a store and puts `documents` in.
fn refill(
    store: &mut dyn DerivedStore,
    documents: &[(DocumentRecord, Vec<RecognizedPage>)],
) -> Result<(), BackupError> {
    let name = store.name();
    let store_err = |source| BackupError::Store { store: name, source };
    for id in store.held().map_err(store_err)?.keys() {
        store.remove(id).map_err(store_err)?;
    }
    for (record, pages) in documents {
        store.put(record, pages).map_err(store_err)?;
    }
    store.commit().map_err(store_err)
}

/// Writes a document's record back from the backup, when the PDF on disk is the one it
/// names and every page file is the one the backup saw.
fn write_back(archive: &Archive, saved: &DocumentRecord, manifest: &BTreeMap<&str, &FileEntry>) -> Result<(), String> {
    let id = &saved.id;
    match sha256_file(&archive.pdf_path(id)) {
        Ok((sha256, _)) if sha256 == saved.pdf_sha256 => {}
        Ok(_) => {
            return Err(format!(
                "{} is not the PDF the backup names; put it back from a copy, or ingest its scans again",
                saved.pdf
            ))
        }
        Err(e) => return Err(format!("{}: {e}; put it back from a copy, or ingest its scans again", saved.pdf)),
    }
    for number in 1..=saved.pages.len() as u32 {
        let path = archive.page_path(id, number);
        let relative = format!("documents/{id}/pages/{}", crate::archive::page_file_name(number));
        match (sha256_file(&path), manifest.get(relative.as_str())) {
            (Ok((sha256, _)), Some(saved)) if sha256 == saved.sha256 => {}
            _ => return Err(format!("{relative} is missing or not the file the backup saw")),
        }
    }
    Staged::begin(archive, id).and_then(|staged| staged.commit(saved)).map_err(|e| e.to_string())
}
