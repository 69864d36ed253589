//! What waits for staff on `/staff/corrections`: corrections sent by volunteers (applied
//! only when staff approve them) and readers' reports of an error on a line. One file per
//! item, `archive/corrections/NNNN.json`, written by `olke serve` as the request register
//! is (a new number claimed with [`AtomicFile::commit_new`], so two at once never share
//! one); nothing in it is archived text until staff apply it.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::archive::files::FileError;
use crate::archive::{write_atomic, Archive, AtomicFile};
use crate::path_error::PathError;

/// What was sent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub(crate) enum Proposal {
    /// A volunteer's corrected text of the line.
    Correction { text: String, by: String },
    /// A reader's note that the line is misread.
    Report { note: String },
}

/// Where an item stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "status")]
pub(crate) enum Decision {
    Waiting,
    /// Applied (a correction) or seen to (a report).
    Approved {
        by: String,
        at: DateTime<Utc>,
    },
    Rejected {
        by: String,
        at: DateTime<Utc>,
    },
}

/// One item of the queue.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Item {
    pub number: u32,
    pub id: String,
    pub page: u32,
    pub line: u32,
    /// The line's text when the item was sent.
    pub line_text: String,
    pub proposal: Proposal,
    pub filed: DateTime<Utc>,
    pub decision: Decision,
}

fn dir(archive: &Archive) -> PathBuf {
    archive.root().join("corrections")
}

fn path(archive: &Archive, number: u32) -> PathBuf {
    dir(archive).join(format!("{number:04}.json"))
}

fn io(path: &std::path::Path) -> impl FnOnce(std::io::Error) -> FileError + '_ {
    move |source| FileError::Io(PathError { path: path.to_path_buf(), source })
}

/// Every item, oldest first.
pub(crate) fn items(archive: &Archive) -> Result<Vec<Item>, FileError> {
    let dir = dir(archive);
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(io(&dir)(e)),
    };
    let mut items = Vec::new();
    for entry in entries {
        let path = entry.map_err(io(&dir))?.path();
        if path.extension().is_some_and(|e| e == "json") {
            items.push(read(&path)?);
        }
    }
    items.sort_by_key(|i: &Item| i.number);
    Ok(items)
}

fn read(path: &std::path::Path) -> Result<Item, FileError> {
    let bytes = std::fs::read(path).map_err(io(path))?;
    serde_json::from_slice(&bytes).map_err(|source| FileError::Decode { path: path.to_path_buf(), source })
}

/// Item `number`, if there is one.
pub(crate) fn item(archive: &Archive, number: u32) -> Result<Option<Item>, FileError> {
    let path = path(archive, number);
    if !path.is_file() {
        return Ok(None);
    }
    read(&path).map(Some)
}

/// Files a new item (its `number` is given here) and returns it.
pub(crate) fn file(archive: &Archive, mut item: Item) -> Result<Item, FileError> {
    use std::io::Write;
    loop {
        item.number = items(archive)?.last().map_or(1, |last| last.number + 1);
        let path = path(archive, item.number);
        let mut file = AtomicFile::create(&path).map_err(io(&path))?;
        file.write_all(&serde_json::to_vec_pretty(&item).expect("items serialize")).map_err(io(&path))?;
        // Another item took the number meanwhile: take the next.
        if file.commit_new().map_err(io(&path))? {
            return Ok(item);
        }
    }
}

/// Records the decision on an item.
pub(crate) fn decide(archive: &Archive, item: &Item) -> Result<(), FileError> {
    let path = path(archive, item.number);
    write_atomic(&path, &serde_json::to_vec_pretty(item).expect("items serialize")).map_err(io(&path))
}
