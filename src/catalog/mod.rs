//! The catalogue: a sled store of document records and recognized pages, for fast lookup
//! by id, by content and by source file.
//!
//! sled is beta software, so nothing lives only here: every record and page is also a file
//! under `documents/`, every delivery request one under `requests/`, and the catalogue can
//! be rebuilt from them ([`Catalog::adopt`], [`crate::archive::store`]). sled allows one
//! process at a time; readers that find it held by a writer read the files instead
//! ([`Reader`]; both answer through [`Documents`]). Writers open it with
//! [`crate::integrity::open_for_writing`], which first finishes what a killed writer left.
//! [`edit`] changes records after ingest.

pub(crate) mod edit;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::de::DeserializeOwned;

use crate::archive::files::{self, FileError};
use crate::archive::store::{DerivedStore, Held, StoreError};
use crate::archive::Archive;
use crate::page::RecognizedPage;
use crate::record::request::Request;
use crate::record::{DocumentRecord, SCHEMA_VERSION};

#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    #[error("the catalogue is open in another olke process")]
    Busy,
    #[error("catalogue {path}: {source}; `olke verify --repair` rebuilds it from the files")]
    Store { path: PathBuf, source: sled::Error },
    #[error("catalogue {path} is damaged ({message}); `olke verify --repair` rebuilds it from the files")]
    Damaged { path: PathBuf, message: String },
    #[error("catalogue {path} has schema version {found}, newer than this olke ({SCHEMA_VERSION}); upgrade olke")]
    TooNew { path: PathBuf, found: u32 },
    #[error("{what}: unreadable entry: {source}")]
    Decode { what: String, source: serde_json::Error },
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error("no archive at {0}; run `olke ingest` first or pass --archive")]
    NoArchive(PathBuf),
    #[error(transparent)]
    Archive(#[from] crate::archive::ArchiveError),
    #[error(transparent)]
    Files(#[from] FileError),
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

/// sled's page cache. Its default, 1 GB, lets an ingest's memory grow with the batch (every
/// page's words pass through the catalogue); the files on disk are the source of truth and
/// the catalogue is read a record at a time, so a small cache is enough.
const CACHE_BYTES: u64 = 64 << 20;

impl Catalog {
    /// Opens (or creates) the catalogue of `archive`.
    pub fn open(archive: &Archive) -> Result<Catalog> {
        let path = archive.catalog_dir();
        let store = |source| CatalogError::Store { path: path.clone(), source };
        // sled panics on some damaged files instead of returning an error.
        let opened = std::panic::catch_unwind(|| sled::Config::new().path(&path).cache_capacity(CACHE_BYTES).open())
            .map_err(|panic| {
                let message = panic
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()));
                CatalogError::Damaged { path: path.clone(), message: message.unwrap_or_else(|| "sled failed".into()) }
            })?;
        let db = match opened {
            Ok(db) => db,
            Err(sled::Error::Io(e)) if e.to_string().contains("could not acquire lock") => {
                return Err(CatalogError::Busy)
            }
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
        Ok(self
            .content
            .get(content_key.as_bytes())
            .map_err(self.store_err())?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
    }

    /// The document a scan (`batch/name`) went into, if any.
    pub fn find_source(&self, identity: &str) -> Result<Option<String>> {
        Ok(self
            .sources
            .get(identity.as_bytes())
            .map_err(self.store_err())?
            .map(|v| String::from_utf8_lossy(&v).into_owned()))
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

    /// Adds the documents found on disk that the catalogue lacks (copied in by hand, or
    /// left by a crash between writing the files and updating the catalogue). Returns the
    /// ids adopted.
    pub fn adopt(&self, archive: &Archive) -> Result<Vec<String>> {
        let mut adopted = Vec::new();
        for id in archive.document_ids()? {
            if self.documents.contains_key(id.as_bytes()).map_err(self.store_err())? {
                continue;
            }
            let record = files::record(archive, &id)?;
            self.put(&record, &files::pages(archive, &record)?)?;
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

    /// What the catalogue holds of each document. An entry that cannot be read counts as
    /// a version no file has, so it is put again.
    pub fn held_versions(&self) -> Result<BTreeMap<String, Held>> {
        let mut held = BTreeMap::new();
        for entry in self.documents.iter() {
            let (key, value) = entry.map_err(self.store_err())?;
            let id = String::from_utf8_lossy(&key).into_owned();
            let pages = self.pages.scan_prefix(page_prefix(&id)).keys().count();
            let version = match decode::<DocumentRecord>(&id, &value) {
                Ok(record) => Held { pages, ..Held::of(&record) },
                Err(_) => Held { updated_micros: i64::MIN, pages, record_sha256: Some(String::new()) },
            };
            held.insert(id, version);
        }
        Ok(held)
    }

    /// Moves the catalogue out of the way (never deleting it), so a new one can be built
    /// from the files; `why` goes into the new name (`catalog.damaged-<time>`). Returns
    /// where it went.
    pub fn set_aside(archive: &Archive, why: &str) -> Result<PathBuf> {
        let from = archive.catalog_dir();
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%SZ");
        let to = archive.root().join(format!("catalog.{why}-{stamp}"));
        std::fs::rename(&from, &to)
            .map_err(|source| CatalogError::Io(crate::path_error::PathError { path: from, source }))?;
        Ok(to)
    }
}

impl DerivedStore for Catalog {
    fn name(&self) -> &'static str {
        "catalogue"
    }

    fn held(&self) -> std::result::Result<BTreeMap<String, Held>, StoreError> {
        Ok(self.held_versions()?)
    }

    fn put(&mut self, record: &DocumentRecord, pages: &[RecognizedPage]) -> std::result::Result<(), StoreError> {
        Ok(Catalog::put(self, record, pages)?)
    }

    fn remove(&mut self, id: &str) -> std::result::Result<(), StoreError> {
        Ok(Catalog::remove(self, id)?)
    }

    fn commit(&mut self) -> std::result::Result<(), StoreError> {
        Ok(self.flush()?)
    }
}

/// Read access for commands that only look: the catalogue when it is free, the files when
/// a writer (an ingest in progress) holds it or the catalogue is damaged.
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
            Err(e @ (CatalogError::Store { .. } | CatalogError::Damaged { .. })) => {
                tracing::warn!("{e}; reading the files instead");
                Ok(Reader::Files(archive.clone()))
            }
            Err(e) => Err(e),
        }
    }
}

/// Read access to the archived documents, whichever store answers: the catalogue, or the
/// files themselves ([`Reader`] picks).
pub trait Documents: Sync {
    /// Every document's record.
    fn documents(&self) -> Result<Vec<DocumentRecord>>;
    fn record(&self, id: &str) -> Result<Option<DocumentRecord>>;
    fn page(&self, id: &str, number: u32) -> Result<Option<RecognizedPage>>;
}

impl Documents for Catalog {
    fn documents(&self) -> Result<Vec<DocumentRecord>> {
        Catalog::documents(self)
    }

    fn record(&self, id: &str) -> Result<Option<DocumentRecord>> {
        self.get(id)
    }

    fn page(&self, id: &str, number: u32) -> Result<Option<RecognizedPage>> {
        Catalog::page(self, id, number)
    }
}

impl Documents for Reader {
    fn documents(&self) -> Result<Vec<DocumentRecord>> {
        match self {
            Reader::Catalog(c) => c.documents(),
            Reader::Files(archive) => {
                let ids = archive.document_ids()?;
                ids.iter().map(|id| Ok(files::record(archive, id)?)).collect()
            }
        }
    }

    fn record(&self, id: &str) -> Result<Option<DocumentRecord>> {
        match self {
            Reader::Catalog(c) => c.get(id),
            Reader::Files(archive) => {
                if archive.record_path(id).is_file() {
                    Ok(Some(files::record(archive, id)?))
                } else {
                    Ok(None)
                }
            }
        }
    }

    fn page(&self, id: &str, number: u32) -> Result<Option<RecognizedPage>> {
        match self {
            Reader::Catalog(c) => c.page(id, number),
            Reader::Files(archive) => {
                if archive.page_path(id, number).is_file() {
                    Ok(Some(files::page(archive, id, number)?))
                } else {
                    Ok(None)
                }
            }
        }
    }
}
