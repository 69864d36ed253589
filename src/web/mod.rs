//! `olke serve`: the archive on the web. Readers search it, read what rights allow and ask
//! for copies; staff answer the requests.
//!
//! The server reads the archive, so it runs while an ingest writes: documents come from
//! their `record.json` files (loaded into a [`Snapshot`] in the background and again
//! whenever the search index changes), page text and search from the tantivy index, page
//! images from the archived PDFs. It opens the sled catalogue, which admits one process and
//! which an ingest must be able to take at any time, only for the moment a text correction
//! is written ([`correct`]), under the archive's writer lock like any writer. Otherwise it
//! writes the request register's files (`requests/NNNN.json`, the register's source of
//! truth; see [`crate::deliver::register`]), whose catalogue copy catches up when the next
//! writer opens it, and the correction queue's (`corrections/NNNN.json`). Copies made on
//! the staff pages go to `archive/deliveries/`, page images to `archive/cache/`, the
//! documents OAI-PMH has seen to `archive/oai/`.
//!
//! [`routes`] has the handlers, [`templates`] the pages, [`security`] cookies, CSRF, the
//! staff session and headers, [`images`] the page images, [`i18n`] the two languages,
//! [`oai`] OAI-PMH for harvesters, [`iiif`] the IIIF image service and manifests, [`reader`]
//! a page with its hits, [`cite`] citations, [`assets`] the embedded scripts, [`correct`]
//! the correction view and its review queue.

mod articles;
mod assets;
mod cite;
mod correct;
mod download;
pub(crate) mod i18n;
mod iiif;
pub(crate) mod images;
pub(crate) mod limits;
mod oai;
mod reader;
mod routes;
mod server;

pub use server::serve;
pub(crate) mod security;
mod staff;
mod templates;

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::archive::files;
use crate::archive::Archive;
use crate::catalog::{CatalogError, Documents, Reader};
use crate::config::Config;
use crate::deliver::register::Register;
use crate::index::SearchIndex;
use crate::page::RecognizedPage;
use crate::record::request::Request;
use crate::record::{collections, CollectionSummary, DocumentRecord};
use security::StaffGate;

pub const SERVE_HELP: &str = "Routes: / (search box), /search?q=… (the same query syntax as `olke search`; filters\n\
    collection, type, source, year, lang as parameters), /doc/ID, /collections, /request\n\
    (the delivery form), /doc/ID/page/N?q=… (a page, the query's words outlined),\n\
    /doc/ID/cite.ris|.bib|.json (citations), /staff (the request queue, behind the staff token),\n\
    /doc/ID/page/N/correct (correcting the text line by line; /staff/corrections reviews\n\
    volunteers' corrections and readers' reports); for machines,\n\
    /oai (OAI-PMH 2.0), /iiif/3/ID~PAGE/info.json (IIIF images) and /iiif/3/ID/manifest.\n\n\
    The server only reads the archive and runs while an ingest writes it. Requests filed on\n\
    the website are written to archive/requests/ at once; staff fulfil or refuse them on\n\
    /staff (copies go to archive/deliveries/) or with `olke requests fulfil|refuse`.\n\n\
    The staff token is OLKE_STAFF_TOKEN or [web] staff_token in olke.toml (16 characters at\n\
    least); without one the staff pages are closed. Put the server behind a TLS proxy\n\
    (nginx, Caddy) before opening it beyond the library's own machine.\n\n\
    Examples:\n  olke serve\n  olke --archive /srv/olke serve --bind 0.0.0.0:8080\n  \
    OLKE_STAFF_TOKEN=$(cat /etc/olke/staff-token) olke serve --bind 127.0.0.1:8080";

/// Largest form accepted (the delivery form with a long purpose is well under it).
pub const MAX_FORM_BYTES: usize = 16 * 1024;

/// An answer that is not the page asked for: the status and what to tell the reader.
#[derive(Debug)]
pub struct WebError {
    pub status: StatusCode,
    pub kk: String,
    pub ru: String,
    /// For 429: when to try again.
    retry_after: Option<Duration>,
}

impl WebError {
    pub fn new(status: StatusCode, kk: impl Into<String>, ru: impl Into<String>) -> WebError {
        WebError { status, kk: kk.into(), ru: ru.into(), retry_after: None }
    }

    /// Past an abuse limit: 429, and when to try again.
    pub(crate) fn too_many(wait: Duration) -> WebError {
        let minutes = wait.as_secs().div_ceil(60);
        WebError {
            retry_after: Some(wait),
            ..WebError::new(
                StatusCode::TOO_MANY_REQUESTS,
                format!("Сұраныстар тым көп; {minutes} минуттан кейін қайталаңыз."),
                format!("Слишком много запросов; повторите через {minutes} мин."),
            )
        }
    }

    pub fn not_found() -> WebError {
        WebError::new(StatusCode::NOT_FOUND, "Мұндай бет жоқ.", "Такой страницы нет.")
    }

    pub fn bad_request(message: impl Into<String>) -> WebError {
        let message = message.into();
        WebError::new(
            StatusCode::BAD_REQUEST,
            format!("Сұраныс қате: {message}"),
            format!("Ошибка в запросе: {message}"),
        )
    }

    /// A failure of the server itself: logged in full, the reader told little.
    pub fn internal(error: impl std::fmt::Display) -> WebError {
        tracing::error!("{error}");
        WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Сервер қатесі; кейінірек қайталаңыз.",
            "Ошибка сервера; повторите позже.",
        )
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let mut response = (self.status, Html(templates::error_page(&self))).into_response();
        if let Some(wait) = self.retry_after {
            response.headers_mut().insert(axum::http::header::RETRY_AFTER, wait.as_secs().max(1).into());
        }
        response
    }
}

/// The documents as last read, for the pages that list them and the search facets.
#[derive(Default)]
pub struct Snapshot {
    pub documents: Vec<DocumentRecord>,
    by_id: HashMap<String, usize>,
    pub collections: Vec<CollectionSummary>,
    /// The index state it was read at.
    fingerprint: Option<u64>,
    /// Documents OAI-PMH reported before that are gone.
    pub(crate) gone: Vec<oai::Gone>,
    /// False until the documents are first read.
    loaded: bool,
}

impl Snapshot {
    fn read(archive: &Archive, fingerprint: Option<u64>) -> Result<Snapshot, CatalogError> {
        // The files, which a reader never has to wait for; only an archive that has none
        // (built straight into the catalogue, as the benchmark's is) is read from the
        // catalogue, which is held no longer than the reading takes.
        let documents = if archive.document_ids()?.is_empty() {
            Reader::open(archive)?.documents()?
        } else {
            // A damaged record hides its document, not the archive (`olke verify` names it).
            let (records, unreadable) = files::records(archive)?;
            for (id, error) in unreadable {
                tracing::warn!("{id}: {error}");
            }
            let mut documents: Vec<DocumentRecord> = records.into_values().collect();
            documents.sort_by(|a, b| natord::compare(&a.id, &b.id));
            documents
        };
        let by_id = documents.iter().enumerate().map(|(i, d)| (d.id.clone(), i)).collect();
        let collections = collections(&documents);
        let gone = oai::reconcile(archive, &documents, chrono::Utc::now());
        Ok(Snapshot { documents, by_id, collections, fingerprint, gone, loaded: true })
    }

    pub fn get(&self, id: &str) -> Option<&DocumentRecord> {
        self.by_id.get(id).map(|&i| &self.documents[i])
    }
}

/// Everything the handlers share.
pub struct AppState {
    pub archive: Archive,
    pub config: Config,
    index: RwLock<Option<Arc<SearchIndex>>>,
    snapshot: RwLock<Arc<Snapshot>>,
    reading: AtomicBool,
    last_reload: Mutex<Instant>,
    pub staff: Option<StaffGate>,
    limits: limits::Limits,
    /// Made at start: what CSRF tokens are derived with (a restart asks for forms anew).
    csrf_secret: [u8; 32],
}

/// How often the server looks for a newer index (and so for changed documents).
const RELOAD_EVERY: Duration = Duration::from_secs(1);

impl AppState {
    /// The index, opened when it first exists.
    pub fn index(&self) -> Option<Arc<SearchIndex>> {
        if let Some(index) = self.index.read().expect("index lock").clone() {
            return Some(index);
        }
        let opened = Arc::new(SearchIndex::open_rebuilding(&self.archive).ok()?);
        *self.index.write().expect("index lock") = Some(opened.clone());
        Some(opened)
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.read().expect("snapshot lock").clone()
    }

    /// The snapshot, read here and now when the background has not read it yet: for
    /// answers that must not take an archive not yet read for an empty one (a harvester
    /// would delete what it holds). Blocking.
    pub(crate) fn loaded_snapshot(&self) -> Arc<Snapshot> {
        let snapshot = self.snapshot();
        if snapshot.loaded {
            return snapshot;
        }
        let fingerprint = self.index().map(|index| index.fingerprint());
        match Snapshot::read(&self.archive, fingerprint) {
            Ok(read) => {
                let read = Arc::new(read);
                *self.snapshot.write().expect("snapshot lock") = read.clone();
                read
            }
            Err(e) => {
                tracing::warn!("reading the documents: {e}");
                snapshot
            }
        }
    }

    /// Sees the latest index commit, at most once a second, and reads the documents
    /// again in the background when it changed.
    pub fn refresh(self: &Arc<Self>) {
        {
            let mut last = self.last_reload.lock().expect("reload lock");
            if last.elapsed() < RELOAD_EVERY {
                return;
            }
            *last = Instant::now();
        }
        let fingerprint = self.index().map(|index| {
            if let Err(e) = index.reload() {
                tracing::warn!("{e}");
            }
            index.fingerprint()
        });
        if fingerprint != self.snapshot().fingerprint || fingerprint.is_none() {
            self.read_documents(fingerprint);
        }
    }

    fn read_documents(self: &Arc<Self>, fingerprint: Option<u64>) {
        if self.reading.swap(true, Ordering::AcqRel) {
            return;
        }
        let state = self.clone();
        std::thread::spawn(move || {
            match Snapshot::read(&state.archive, fingerprint) {
                Ok(snapshot) => *state.snapshot.write().expect("snapshot lock") = Arc::new(snapshot),
                Err(e) => tracing::warn!("reading the documents: {e}"),
            }
            state.reading.store(false, Ordering::Release);
        });
    }

    /// What deciding whether `record`'s pages may be shown needs
    /// ([`DocumentRecord::page_shown`]): the articles on its pages (a newspaper issue's,
    /// whatever its type says now), each as its `record.json` says now (which articles
    /// there are comes from the documents as read, read now the first time: a list taken
    /// for empty would show every page). Blocking.
    pub(crate) fn articles_of(&self, record: &DocumentRecord) -> Vec<DocumentRecord> {
        // Whatever its type says now: an issue edited to another type keeps its articles.
        let snapshot = self.loaded_snapshot();
        snapshot
            .documents
            .iter()
            .filter(|d| d.is_hosted_by(&record.id))
            // One whose file cannot be read now keeps its rights as read.
            .map(|d| self.record(&d.id).unwrap_or_else(|| d.clone()))
            .collect()
    }

    /// A document by id, as its `record.json` says now: every request that serves a
    /// document's content reads its rights afresh, so no snapshot or cache outlives a
    /// rights change. From the snapshot only in an archive kept in the catalogue alone.
    pub fn record(&self, id: &str) -> Option<DocumentRecord> {
        // Only names olke gives documents reach the file system.
        if !crate::archive::is_document_id(id) {
            return None;
        }
        if self.archive.record_path(id).is_file() {
            return files::record(&self.archive, id).ok();
        }
        self.snapshot().get(id).cloned()
    }
}

/// Where readers reach the server: `[web] public_url`, else `http://` and the request's
/// `Host` (only the characters a host and port may hold; `localhost` otherwise).
pub(crate) fn public_url(config: &Config, headers: &axum::http::HeaderMap) -> String {
    if let Some(url) = config.web.public_url() {
        return url.to_string();
    }
    let host = headers.get(axum::http::header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
    let fit = !host.is_empty() && host.chars().all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    format!("http://{}", if fit { host } else { "localhost" })
}

/// The register as the server keeps it: the request files alone.
struct FileRegister<'a>(&'a AppState);

impl Documents for FileRegister<'_> {
    fn documents(&self) -> Result<Vec<DocumentRecord>, CatalogError> {
        Ok(self.0.snapshot().documents.clone())
    }

    fn record(&self, id: &str) -> Result<Option<DocumentRecord>, CatalogError> {
        Ok(self.0.record(id))
    }

    fn page(&self, id: &str, number: u32) -> Result<Option<RecognizedPage>, CatalogError> {
        match self.0.record(id) {
            Some(record) if (1..=record.pages.len() as u32).contains(&number) => {
                Ok(Some(files::page(&self.0.archive, id, number)?))
            }
            _ => Ok(None),
        }
    }
}

impl Register for FileRegister<'_> {
    fn last_request_number(&self) -> Result<u32, CatalogError> {
        Ok(files::request_numbers(&self.0.archive)?.last().copied().unwrap_or(0))
    }

    fn keep(&self, _request: &Request) -> Result<(), CatalogError> {
        Ok(())
    }
}

/// The staff token: the environment's, else the archive's setting; none when empty.
pub fn staff_token(config: &Config) -> Option<String> {
    let token = std::env::var("OLKE_STAFF_TOKEN")
        .ok()
        .filter(|t| !t.trim().is_empty())
        .unwrap_or_else(|| config.web.staff_token.clone());
    let token = token.trim().to_string();
    (!token.is_empty()).then_some(token)
}

/// The application over `archive`. Returns at once: the documents are read in the
/// background (until then the pages that list them show none).
pub fn app(archive: Archive, config: Config, staff_token: Option<String>) -> Router {
    let state = Arc::new(AppState {
        archive,
        index: RwLock::new(None),
        snapshot: RwLock::new(Arc::new(Snapshot::default())),
        reading: AtomicBool::new(false),
        last_reload: Mutex::new(Instant::now()),
        staff: staff_token.map(StaffGate::new),
        limits: limits::Limits::of(&config.web),
        csrf_secret: {
            let mut secret = [0u8; 32];
            getrandom::fill(&mut secret).expect("the operating system gives random bytes");
            secret
        },
        config,
    });
    let fingerprint = state.index().map(|index| index.fingerprint());
    state.read_documents(fingerprint);
    Router::new()
        .route("/", get(routes::home))
        .route("/search", get(routes::search))
        .route("/doc/{id}", get(routes::document))
        .route("/doc/{id}/pdf", get(routes::document_pdf))
        .route("/doc/{id}/page/{page}", get(reader::page))
        .route("/doc/{id}/go", get(reader::go))
        .route("/doc/{id}/zone/{zone}", get(articles::zone_image))
        .route("/doc/{id}/page/{page}/{size}", get(routes::page_image))
        .route("/doc/{id}/page/{page}/correct", get(correct::view))
        .route("/doc/{id}/page/{page}/line/{line}", get(correct::line_image))
        .route("/doc/{id}/page/{page}/correct/{line}", post(correct::submit))
        .route("/doc/{id}/page/{page}/revert/{line}", post(correct::revert))
        .route("/doc/{id}/page/{page}/report/{line}", post(correct::report))
        .route("/staff/corrections", get(correct::queue))
        .route("/staff/corrections/{number}/{verdict}", post(correct::decide))
        .route("/collections", get(routes::collections))
        .route("/collections/{name}", get(routes::collection))
        .route("/request", get(routes::request_form).post(routes::request_submit))
        .route("/staff", get(staff::queue))
        .route("/staff/login", post(staff::log_in))
        .route("/staff/logout", post(staff::log_out))
        .route("/staff/requests/{number}/fulfil", post(staff::fulfil))
        .route("/staff/requests/{number}/refuse", post(staff::refuse))
        .route("/staff/requests/{number}/copy", get(staff::copy))
        .route("/oai", get(oai::get).post(oai::post))
        .route("/iiif/3/{identifier}", get(iiif::base))
        .route("/iiif/3/{identifier}/info.json", get(iiif::info))
        .route("/iiif/3/{identifier}/manifest", get(iiif::manifest))
        .route("/iiif/3/{identifier}/annotations/{page}", get(iiif::annotations))
        .route("/iiif/3/{identifier}/{region}/{size}/{rotation}/{file}", get(iiif::image))
        .route("/style.css", get(routes::style))
        .route("/static/{*path}", get(assets::file))
        .merge(cite::routes())
        .fallback(routes::not_found)
        .layer(axum::middleware::from_fn(security::body_in_time))
        .layer(axum::middleware::from_fn_with_state(state.clone(), security::frame))
        .with_state(state)
}
