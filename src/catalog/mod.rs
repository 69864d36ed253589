//! The catalogue: a sled store of document records and recognized pages, for fast lookup
//! by id, by content and by source file.
//!
//! sled is beta software, so nothing lives only here: every record and page is also a file
//! under `documents/`, every delivery request one under `requests/`, and the catalogue can
//! be rebuilt from them ([`Catalog::adopt`]).
//! sled allows one process at a time; readers that find it held by a writer read the
//! files instead ([`Reader`]). [`edit`] changes records after ingest.

pub mod edit;

use std::path::PathBuf;

use serde::de::DeserializeOwned;

use crate::archive::Archive;
use crate::deliver::request::Request;
use crate::page::RecognizedPage;
use crate::record::{DocumentRecord, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalogue is open in another olke process")]
    Busy,
    #[error("catalogue {path}: {source}")]
    Store { path: PathBuf, source: sled::Error },
    #[error("catalogue {path} has schema version {found}, newer than this olke ({SCHEMA_VERSION}); upgrade olke")]
    TooNew { path: PathBuf, found: u32 },
    #[error("{what}: unreadable entry: {source}")]
    Decode { what: String, source: serde_json::Error },
    #[error("{path}: {source}")]
    File { path: PathBuf, source: std::io::Error },
    #[error("no archive at {0}; run `olke ingest` first or pass --archive")]
    NoArchive(PathBuf),
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
}

type Result<T> = std::result::Result<T, CatalogError>;

const SCHEMA_KEY: &[u8] = b"schema_version";

/// The open sled catalogue. Only one process can hold it.
pub struct Catalog {
    path: PathBuf,
    db: sled::Db,
    documents: sled::Tree,
    pages: sled::Tree,
    /// content key → document id
    content: sled::Tree,
    /// source identity (`batch/name`) → document id
    sources: sled::Tree,
    /// request number (big-endian, so in order) → the request register's entry
    requests: sled::Tree,
}

fn page_key(id: &str, number: u32) -> Vec<u8> {
    let mut key = id.as_bytes().to_vec();
    key.push(0);
    key.extend(number.to_be_bytes());
    key
}

fn page_prefix(id: &str) -> Vec<u8> {
    let mut key = id.as_bytes().to_vec();
    key.push(0);
    key
}

fn decode<T: DeserializeOwned>(what: impl Into<String>, bytes: &[u8]) -> Result<T> {
    serde_json::from_slice(bytes).map_err(|source| CatalogError::Decode { what: what.into(), source })
}

fn encode<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).expect("records serialize to JSON")
}

impl Catalog {
    /// Opens (or creates) the catalogue of `archive`.
    pub fn open(archive: &Archive) -> Result<Catalog> {
        let path = archive.catalog_dir();
        let store = |source| CatalogError::Store { path: path.clone(), source };
        let db = match sled::open(&path) {
            Ok(db) => db,
            Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") => return Err(CatalogError::Busy),
            Err(e) => return Err(store(e)),
        };
        match db.get(SCHEMA_KEY).map_err(store)? {
            Some(v) => {
                let found = u32::from_be_bytes(v.as_ref().try_into().unwrap_or([0xFF; 4]));
                if found > SCHEMA_VERSION {
                    return Err(CatalogError::TooNew { path, found });
                }
            }
            None => {
                db.insert(SCHEMA_KEY, &SCHEMA_VERSION.to_be_bytes()).map_err(store)?;
            }
        }
        let tree = |name: &str| db.open_tree(name).map_err(|source| CatalogError::Store { path: path.clone(), source });
        Ok(Catalog {
            documents: tree("documents")?,
            pages: tree("pages")?,
            content: tree("content")?,
            sources: tree("sources")?,
            requests: tree("requests")?,
            db,
            path,
        })
    }

    fn store_err(&self) -> impl Fn(sled::Error) -> CatalogError + '_ {
        move |source| CatalogError::Store { path: self.path.clone(), source }
    }

    /// Stores a document with its pages, replacing any earlier version of the same id.
    pub fn put(&self, record: &DocumentRecord, pages: &[RecognizedPage]) -> Result<()> {
        self.remove(&record.id)?;
        let err = self.store_err();
        for (i, page) in pages.iter().enumerate() {
            self.pages.insert(page_key(&record.id, i as u32 + 1), encode(page)).map_err(&err)?;
        }
        self.content.insert(record.content_key.as_bytes(), record.id.as_bytes()).map_err(&err)?;
        for source in &record.source_files {
            self.sources.insert(source.identity().as_bytes(), record.id.as_bytes()).map_err(&err)?;
        }
        // The record goes in last: a document is visible only once its pages are there.
        self.documents.insert(record.id.as_bytes(), encode(record)).map_err(&err)?;
        Ok(())
    }

    /// Replaces a document's record, its pages and keys unchanged (after an edit of its
    /// description).
    pub fn update_record(&self, record: &DocumentRecord) -> Result<()> {
        self.documents.insert(record.id.as_bytes(), encode(record)).map_err(self.store_err())?;
        Ok(())
    }

    /// Removes a document and everything keyed to it.
    pub fn remove(&self, id: &str) -> Result<()> {
        let err = self.store_err();
        if let Some(old) = self.get(id)? {
            self.documents.remove(id.as_bytes()).map_err(&err)?;
            if self.content.get(old.content_key.as_bytes()).map_err(&err)?.as_deref() == Some(id.as_bytes()) {
                self.content.remove(old.content_key.as_bytes()).map_err(&err)?;
            }
            for source in &old.source_files {
                let key = source.identity();
                if self.sources.get(key.as_bytes()).map_err(&err)?.as_deref() == Some(id.as_bytes()) {
                    self.sources.remove(key.as_bytes()).map_err(&err)?;
                }
            }
        }
        for entry in self.pages.scan_prefix(page_prefix(id)).keys() {
            self.pages.remove(entry.map_err(&err)?).map_err(&err)?;
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Result<Option<DocumentRecord>> {
        match self.documents.get(id.as_bytes()).map_err(self.store_err())? {
            Some(bytes) => Ok(Some(decode(format!("document {id}"), &bytes)?)),
            None => Ok(None),
        }
    }

    /// All documents, in natural order of their ids.
    pub fn documents(&self) -> Result<Vec<DocumentRecord>> {
        let mut records = Vec::new();
        for entry in self.documents.iter() {
            let (key, value) = entry.map_err(self.store_err())?;
            records.push(decode(format!("document {}", String::from_utf8_lossy(&key)), &value)?);
        }
        records.sort_by(|a: &DocumentRecord, b| natord::compare(&a.id, &b.id));
        Ok(records)
    }

    pub fn len(&self) -> usize {
        self.documents.len()
    }

    pub fn is_empty(&self) -> bool {
        self.documents.is_empty()
    }

    pub fn ids(&self) -> Result<Vec<String>> {
        self.documents
            .iter()
            .keys()
            .map(|k| k.map(|k| String::from_utf8_lossy(&k).into_owned()).map_err(self.store_err()))
            .collect()
    }

    /// The document made from exactly these scans, if any.
    pub fn find_content(&self, content_key: &str) -> Result<Option<String>> {
        Ok(self.content.get(content_key.as_bytes()).map_err(self.store_err())?.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// The document a scan (`batch/name`) went into, if any.
    pub fn find_source(&self, identity: &str) -> Result<Option<String>> {
        Ok(self.sources.get(identity.as_bytes()).map_err(self.store_err())?.map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    pub fn page(&self, id: &str, number: u32) -> Result<Option<RecognizedPage>> {
        match self.pages.get(page_key(id, number)).map_err(self.store_err())? {
            Some(bytes) => Ok(Some(decode(format!("page {number} of {id}"), &bytes)?)),
            None => Ok(None),
        }
    }

    /// Stores a request of the register (new, or with a new status).
    pub fn put_request(&self, request: &Request) -> Result<()> {
        self.requests.insert(request.number.to_be_bytes(), encode(request)).map_err(self.store_err())?;
        Ok(())
    }

    pub fn request(&self, number: u32) -> Result<Option<Request>> {
        match self.requests.get(number.to_be_bytes()).map_err(self.store_err())? {
            Some(bytes) => Ok(Some(decode(format!("request {number}"), &bytes)?)),
            None => Ok(None),
        }
    }

    /// The request register, in order of number.
    pub fn requests(&self) -> Result<Vec<Request>> {
        self.requests.iter().values().map(|v| decode("request", &v.map_err(self.store_err())?)).collect()
    }

    /// The highest request number in the register (0 when it is empty).
    pub fn last_request_number(&self) -> Result<u32> {
        let last = self.requests.last().map_err(self.store_err())?;
        Ok(last.map(|(key, _)| u32::from_be_bytes(key.as_ref().try_into().unwrap_or([0; 4]))).unwrap_or(0))
    }

    /// Makes sure everything written so far is on disk.
    pub fn flush(&self) -> Result<()> {
        self.db.flush().map(|_| ()).map_err(self.store_err())
    }

    /// Adds the documents found on disk that the catalogue lacks (left by a crash between
    /// writing the files and updating the catalogue). Returns the ids adopted.
    pub fn adopt(&self, archive: &Archive) -> Result<Vec<String>> {
        let mut adopted = Vec::new();
        for id in archive.document_ids()? {
            if self.documents.contains_key(id.as_bytes()).map_err(self.store_err())? {
                continue;
            }
            let record = files::record(archive, &id)?;
            let pages = (1..=record.pages.len() as u32).map(|n| files::page(archive, &id, n)).collect::<Result<Vec<_>>>()?;
            self.put(&record, &pages)?;
            adopted.push(id);
        }
        // Requests are few (a library delivers dozens a year): each file is compared, so
        // a status written to its file but not yet here is caught up as well.
        for number in files::request_numbers(archive)? {
            let request = files::request(archive, number)?;
            if self.request(number)?.as_ref() != Some(&request) {
                self.put_request(&request)?;
            }
        }
        Ok(adopted)
    }
}

/// Reading the per-document files directly.
pub mod files {
    use super::*;

    fn read<T: DeserializeOwned>(path: PathBuf) -> Result<T> {
        let bytes = std::fs::read(&path).map_err(|source| CatalogError::File { path: path.clone(), source })?;
        decode(path.display().to_string(), &bytes)
    }

    pub fn record(archive: &Archive, id: &str) -> Result<DocumentRecord> {
        read(archive.record_path(id))
    }

    /// Writes a document's `record.json` atomically.
    pub fn write_record(archive: &Archive, record: &DocumentRecord) -> Result<()> {
        let path = archive.record_path(&record.id);
        let json = serde_json::to_vec_pretty(record).expect("records serialize");
        crate::archive::write_atomic(&path, &json).map_err(|source| CatalogError::File { path, source })
    }

    pub fn page(archive: &Archive, id: &str, number: u32) -> Result<RecognizedPage> {
        read(archive.page_path(id, number))
    }

    pub fn request(archive: &Archive, number: u32) -> Result<Request> {
        read(archive.request_path(number))
    }

    /// The numbers of the request files, in order.
    pub fn request_numbers(archive: &Archive) -> Result<Vec<u32>> {
        let dir = archive.requests_dir();
        let entries = match std::fs::read_dir(&dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(source) => return Err(CatalogError::File { path: dir, source }),
        };
        let mut numbers = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|source| CatalogError::File { path: dir.clone(), source })?;
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
    pub fn write_request(archive: &Archive, request: &Request) -> Result<()> {
        let path = archive.request_path(request.number);
        crate::archive::write_atomic(&path, &request_json(request)).map_err(|source| CatalogError::File { path, source })
    }

    /// Writes a new request's file unless its number is taken; returns whether it was written.
    pub fn create_request(archive: &Archive, request: &Request) -> Result<bool> {
        use std::io::Write;
        let path = archive.request_path(request.number);
        let error = |source| CatalogError::File { path: path.clone(), source };
        let mut file = crate::archive::AtomicFile::create(&path).map_err(error)?;
        file.write_all(&request_json(request)).map_err(error)?;
        file.commit_new().map_err(error)
    }
}

/// Read access for commands that only look: the catalogue when it is free, the files when
/// a writer (an ingest in progress) holds it.
pub enum Reader {
    Catalog(Catalog),
    Files(Archive),
}

impl Reader {
    pub fn open(archive: &Archive) -> Result<Reader> {
        if !archive.exists() {
            return Err(CatalogError::NoArchive(archive.root().to_path_buf()));
        }
        match Catalog::open(archive) {
            Ok(catalog) => Ok(Reader::Catalog(catalog)),
            Err(CatalogError::Busy) => Ok(Reader::Files(archive.clone())),
            Err(e) => Err(e),
        }
    }

    pub fn documents(&self) -> Result<Vec<DocumentRecord>> {
        match self {
            Reader::Catalog(c) => c.documents(),
            Reader::Files(archive) => {
                let ids = archive.document_ids()?;
                ids.iter().map(|id| files::record(archive, id)).collect()
            }
        }
    }

    pub fn get(&self, id: &str) -> Result<Option<DocumentRecord>> {
        match self {
            Reader::Catalog(c) => c.get(id),
            Reader::Files(archive) => {
                if archive.record_path(id).is_file() {
                    files::record(archive, id).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// The request register, in order of number.
    pub fn requests(&self) -> Result<Vec<Request>> {
        match self {
            Reader::Catalog(c) => c.requests(),
            Reader::Files(archive) => files::request_numbers(archive)?.into_iter().map(|n| files::request(archive, n)).collect(),
        }
    }

    pub fn page(&self, id: &str, number: u32) -> Result<Option<RecognizedPage>> {
        match self {
            Reader::Catalog(c) => c.page(id, number),
            Reader::Files(archive) => {
                if archive.page_path(id, number).is_file() {
                    files::page(archive, id, number).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }
}
