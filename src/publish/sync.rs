//! Keeping a published folder up to date: every file olke writes there is listed with its
//! SHA-256 (or, for a file made from a source, the source's state) in `.olke-publish.json`. A file whose content is unchanged is not written again
//! (a static host syncing the folder sees only what changed); files of the previous export
//! that this one no longer has (a document no longer publishable, a collection gone) are
//! removed. Files olke did not write are never touched, and a folder that is not empty
//! and not an olke export is not written to at all.

use std::collections::BTreeMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::archive::{write_atomic, AtomicFile};

/// The list of the files of an export, in the export's folder.
pub(crate) const STATE_FILE: &str = ".olke-publish.json";

#[derive(Debug, thiserror::Error)]
pub(crate) enum SyncError {
    #[error("{0} is not empty and was not made by `olke publish`; choose an empty or new folder")]
    NotAnExport(PathBuf),
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error("{path}: unreadable list of published files ({source}); remove the folder and publish again")]
    State { path: PathBuf, source: serde_json::Error },
}

fn io_at(path: &Path) -> impl FnOnce(io::Error) -> SyncError + '_ {
    move |source| SyncError::Io(crate::path_error::PathError { path: path.to_path_buf(), source })
}

/// What an export changed, by paths relative to its folder.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub(crate) struct Changes {
    pub written: Vec<String>,
    pub unchanged: usize,
    pub removed: Vec<String>,
}

/// An export being written into a folder.
pub(crate) struct Sync {
    root: PathBuf,
    /// Path → SHA-256 of the files of the previous export.
    previous: BTreeMap<String, String>,
    current: BTreeMap<String, String>,
    changes: Changes,
}

impl Sync {
    pub(crate) fn open(root: &Path) -> Result<Sync, SyncError> {
        let state = root.join(STATE_FILE);
        let previous = match fs::read(&state) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| SyncError::State { path: state.clone(), source })?
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                let empty = match fs::read_dir(root) {
                    Ok(mut entries) => entries.next().is_none(),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => true,
                    Err(e) => return Err(io_at(root)(e)),
                };
                if !empty {
                    return Err(SyncError::NotAnExport(root.to_path_buf()));
                }
                BTreeMap::new()
            }
            Err(e) => return Err(io_at(&state)(e)),
        };
        fs::create_dir_all(root).map_err(io_at(root))?;
        Ok(Sync { root: root.to_path_buf(), previous, current: BTreeMap::new(), changes: Changes::default() })
    }

    /// True when `path` was exported with `sha256` and is still there.
    fn unchanged(&mut self, path: &str, sha256: &str) -> bool {
        self.current.insert(path.to_string(), sha256.to_string());
        let same = self.previous.get(path).is_some_and(|h| h == sha256) && self.root.join(path).is_file();
        if same {
            self.changes.unchanged += 1;
        } else {
            self.changes.written.push(path.to_string());
        }
        same
    }

    /// Puts a file of `bytes` at `path` (relative, `/`-separated).
    pub(crate) fn put(&mut self, path: &str, bytes: &[u8]) -> Result<(), SyncError> {
        if self.unchanged(path, &hex::encode(Sha256::digest(bytes))) {
            return Ok(());
        }
        let target = self.root.join(path);
        write_atomic(&target, bytes).map_err(io_at(&target))
    }

    /// Puts at `path` the file `make` makes from a source whose state `stamp` names (its
    /// checksum, say), made again only when the stamp changed: for files that are costly to
    /// make and follow from their source alone (a page's images).
    pub(crate) fn derive<E: From<SyncError>>(
        &mut self,
        path: &str,
        stamp: &str,
        make: impl FnOnce() -> Result<Vec<u8>, E>,
    ) -> Result<(), E> {
        let stamp = format!("made from {stamp}");
        if self.unchanged(path, &stamp) {
            return Ok(());
        }
        let target = self.root.join(path);
        write_atomic(&target, &make()?).map_err(io_at(&target)).map_err(E::from)
    }

    /// Puts a copy of the file `from`, whose SHA-256 the caller knows, at `path`.
    pub(crate) fn copy(&mut self, path: &str, from: &Path, sha256: &str) -> Result<(), SyncError> {
        if self.unchanged(path, sha256) {
            return Ok(());
        }
        let target = self.root.join(path);
        let mut source = fs::File::open(from).map_err(io_at(from))?;
        let mut file = AtomicFile::create(&target).map_err(io_at(&target))?;
        io::copy(&mut source, &mut file).map_err(io_at(&target))?;
        file.commit().map_err(io_at(&target))
    }

    /// Removes what the previous export had and this one has not, with folders left empty,
    /// and records this export's files.
    pub(crate) fn finish(mut self) -> Result<Changes, SyncError> {
        for path in self.previous.keys().filter(|p| !self.current.contains_key(*p)) {
            let target = self.root.join(path);
            match fs::remove_file(&target) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_at(&target)(e)),
            }
            self.changes.removed.push(path.clone());
            // Folders emptied by the removal go too (a removed document's folder).
            let mut folder = target.parent();
            while let Some(dir) = folder.filter(|d| *d != self.root) {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
                folder = dir.parent();
            }
        }
        let state = self.root.join(STATE_FILE);
        write_atomic(&state, &serde_json::to_vec_pretty(&self.current).expect("paths serialize"))
            .map_err(io_at(&state))?;
        Ok(self.changes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_changes_are_written_and_what_is_gone_is_removed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("site");
        let mut sync = Sync::open(&root).unwrap();
        sync.put("index.html", b"one").unwrap();
        sync.put("documents/a/index.html", b"a").unwrap();
        let changes = sync.finish().unwrap();
        assert_eq!(changes.written, vec!["index.html", "documents/a/index.html"]);

        let mut sync = Sync::open(&root).unwrap();
        sync.put("index.html", b"one").unwrap();
        sync.put("documents/b/index.html", b"b").unwrap();
        let changes = sync.finish().unwrap();
        assert_eq!(
            (changes.written, changes.unchanged, changes.removed),
            (vec!["documents/b/index.html".to_string()], 1, vec!["documents/a/index.html".to_string()])
        );
        assert!(!root.join("documents/a").exists(), "the emptied folder is removed");
        assert!(root.join("documents/b/index.html").is_file());

        // A file deleted by hand is written again even though its content is the same.
        fs::remove_file(root.join("index.html")).unwrap();
        let mut sync = Sync::open(&root).unwrap();
        sync.put("index.html", b"one").unwrap();
        sync.put("documents/b/index.html", b"b").unwrap();
        assert_eq!(sync.finish().unwrap().written, vec!["index.html"]);
    }

    #[test]
    fn a_folder_of_other_files_is_not_written_to() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("index.html"), "someone's site").unwrap();
        assert!(matches!(Sync::open(dir.path()), Err(SyncError::NotAnExport(_))));
    }
}
