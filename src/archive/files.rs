//! The archive's files read and written directly: they are the source of truth, which the
//! catalogue and the search index are derived from.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::de::DeserializeOwned;

use super::{Archive, ArchiveError};
use crate::page::RecognizedPage;
use crate::path_error::PathError;
use crate::record::article::{shown_zone_pages, withheld_zones};
use crate::record::request::Request;
use crate::record::DocumentRecord;

#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error(transparent)]
    Io(#[from] PathError),
    #[error("{path}: unreadable: {source}")]
    Decode { path: PathBuf, source: serde_json::Error },
    #[error(transparent)]
    Archive(#[from] ArchiveError),
}

type Result<T> = std::result::Result<T, FileError>;

fn read<T: DeserializeOwned>(path: PathBuf) -> Result<T> {
    let bytes = std::fs::read(&path).map_err(|source| FileError::Io(PathError { path: path.clone(), source }))?;
    serde_json::from_slice(&bytes).map_err(|source| FileError::Decode { path, source })
}

pub(crate) fn record(archive: &Archive, id: &str) -> Result<DocumentRecord> {
    read(archive.record_path(id))
}

pub(crate) fn page(archive: &Archive, id: &str, number: u32) -> Result<RecognizedPage> {
    read(archive.page_path(id, number))
}

pub(crate) fn request(archive: &Archive, number: u32) -> Result<Request> {
    read(archive.request_path(number))
}

/// The request register, in order of number. Always read from its files: `olke serve`
/// writes them without the catalogue, whose copy catches up when the next writer opens it.
pub(crate) fn requests(archive: &Archive) -> Result<Vec<Request>> {
    request_numbers(archive)?.into_iter().map(|n| request(archive, n)).collect()
}

/// The numbers of the request files, in order.
pub(crate) fn request_numbers(archive: &Archive) -> Result<Vec<u32>> {
    let dir = archive.requests_dir();
    let entries = match std::fs::read_dir(&dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(source) => return Err(FileError::Io(PathError { path: dir, source })),
    };
    let mut numbers = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|source| FileError::Io(PathError { path: dir.clone(), source }))?;
        let name = entry.file_name();
        if let Some(number) = name.to_str().and_then(|n| n.strip_suffix(".json")).and_then(|n| n.parse::<u32>().ok()) {
            numbers.push(number);
        }
    }
    numbers.sort_unstable();
    Ok(numbers)
}

fn request_json(request: &Request) -> Vec<u8> {
    serde_json::to_vec_pretty(request).expect("requests serialize")
}

/// Writes a request's file, replacing the previous state of the same request.
pub(crate) fn write_request(archive: &Archive, request: &Request) -> Result<()> {
    let path = archive.request_path(request.number);
    super::write_atomic(&path, &request_json(request)).map_err(|source| FileError::Io(PathError { path, source }))
}

/// Writes a new request's file unless its number is taken; returns whether it was written.
pub(crate) fn create_request(archive: &Archive, request: &Request) -> Result<bool> {
    use std::io::Write;
    let path = archive.request_path(request.number);
    let error = |source| FileError::Io(PathError { path: path.clone(), source });
    let mut file = super::AtomicFile::create(&path).map_err(error)?;
    file.write_all(&request_json(request)).map_err(error)?;
    file.commit_new().map_err(error)
}

/// All of a document's pages (a hosted article's: its zones, read from its host's pages).
pub(crate) fn pages(archive: &Archive, record: &DocumentRecord) -> Result<Vec<RecognizedPage>> {
    if let Some(host) = &record.host {
        return crate::record::article::zone_pages(record, |n| page(archive, host, n).map(Some));
    }
    (1..=record.pages.len() as u32).map(|n| page(archive, &record.id, n)).collect()
}

/// [`pages`] as they may be shown, `documents` being all the archive's: an issue's page
/// that may not be shown whole ([`DocumentRecord::page_shown`]) without its words, and an
/// article without what an overlapping article that may not be shown has in its zones.
pub(crate) fn shown_pages(
    archive: &Archive,
    record: &DocumentRecord,
    documents: &[DocumentRecord],
) -> Result<Vec<RecognizedPage>> {
    if let Some(host) = &record.host {
        return shown_zone_pages(record, &withheld_zones(record, documents), |n| page(archive, host, n).map(Some));
    }
    let shown = record.pages_shown(documents);
    let words_if_shown = |number: u32, page: RecognizedPage| match shown.contains(&number) {
        true => page,
        false => RecognizedPage { lines: Vec::new(), ..page },
    };
    (1..=record.pages.len() as u32).map(|n| Ok(words_if_shown(n, page(archive, &record.id, n)?))).collect()
}

/// The records of the documents on disk by id, and the ids whose record cannot be
/// read, with why.
#[allow(clippy::type_complexity)]
pub(crate) fn records(archive: &Archive) -> Result<(BTreeMap<String, DocumentRecord>, Vec<(String, FileError)>)> {
    let mut records = BTreeMap::new();
    let mut unreadable = Vec::new();
    for id in archive.document_ids()? {
        match record(archive, &id) {
            Ok(record) => {
                records.insert(id, record);
            }
            Err(e) => unreadable.push((id, e)),
        }
    }
    Ok((records, unreadable))
}
