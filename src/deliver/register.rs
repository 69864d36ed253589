//! The request register: every request for a copy, with what became of it. Each entry is a
//! file, `requests/NNNN.json` (the source of truth, written first and atomically), and an
//! entry in the catalogue's `requests` tree.
//!
//! [`file`] records a new request; [`fulfil`] checks it against the document's rights and
//! either makes the copy or refuses it with the reason; [`refuse`] refuses it for a reason
//! staff give. `olke deliver` files and fulfils at once; the web form files, and staff
//! fulfil or refuse later, on the web or with `olke requests fulfil|refuse`.
//!
//! Who writes where ([`Register`]): the command line holds the archive's writer lock and
//! keeps the catalogue's tree up to date as it goes. `olke serve` never opens the catalogue
//! (sled admits one process, and an ingest must be able to take it while the server runs):
//! it writes the request files alone, and the next writer's [`crate::catalog::Catalog::adopt`]
//! brings the tree in line with them. Numbers are claimed by creating the file without
//! replacing one, and a decision is taken under `requests/.lock`, re-reading the request
//! from its file, so two processes can neither file under one number nor decide a request twice.

use std::fs::{File, OpenOptions};
use std::path::Path;

use chrono::Utc;

use super::article::whole_pages_allowed;
use super::{make_copy, rights, Copy, CopyOptions, DeliverError};
use crate::archive::files;
use crate::archive::Archive;
use crate::catalog::{Catalog, CatalogError, Documents};
use crate::config::Config;
use crate::record::article::withheld_zones;
use crate::record::pages::Selection;
use crate::record::request::{NewRequest, Request, Status};
use crate::record::{DocumentRecord, DocumentType};

/// Where the register's callers find documents, and what they keep beside the request files.
pub(crate) trait Register: Documents {
    /// The highest request number known (a start: the files decide which number is free).
    fn last_request_number(&self) -> Result<u32, CatalogError>;
    /// Keeps a request just written to its file (the catalogue caches it; the files alone need nothing).
    fn keep(&self, request: &Request) -> Result<(), CatalogError>;
}

impl Register for Catalog {
    fn last_request_number(&self) -> Result<u32, CatalogError> {
        Catalog::last_request_number(self)
    }

    fn keep(&self, request: &Request) -> Result<(), CatalogError> {
        self.put_request(request)?;
        self.flush()
    }
}

/// Files a new request under the next free number, as `requested`. A request for a
/// document the archive does not have, or for pages it does not have, is not filed.
pub(crate) fn file(archive: &Archive, register: &dyn Register, new: NewRequest) -> Result<Request, DeliverError> {
    let record = register.record(&new.document)?.ok_or_else(|| DeliverError::NoSuchDocument(new.document.clone()))?;
    let pages = Selection::resolve(&record, new.pages).map_err(DeliverError::Pages)?;
    let mut request = Request {
        number: register.last_request_number()? + 1,
        filed: Utc::now(),
        requester: new.requester,
        purpose: new.purpose.filter(|p| !p.trim().is_empty()),
        document: record.id.clone(),
        citation: record.citation(),
        pages,
        status: Status::Requested,
    };
    // The file claims the number: should another writer have taken it, the next is tried.
    while !files::create_request(archive, &request)? {
        request.number += 1;
    }
    register.keep(&request)?;
    Ok(request)
}

/// Held while a request is decided: one decision at a time, across processes.
fn decision_lock(archive: &Archive) -> Result<File, CatalogError> {
    let path = archive.requests_dir().join(".lock");
    let error = |source| CatalogError::Io(crate::path_error::PathError { path: path.clone(), source });
    std::fs::create_dir_all(archive.requests_dir()).map_err(error)?;
    let file = OpenOptions::new().create(true).truncate(false).write(true).open(&path).map_err(error)?;
    // SAFETY: flock on a descriptor we own; released when the file is closed.
    if unsafe { libc::flock(std::os::fd::AsRawFd::as_raw_fd(&file), libc::LOCK_EX) } != 0 {
        return Err(error(std::io::Error::last_os_error()));
    }
    Ok(file)
}

/// A request still waiting for a decision, as its file says now.
fn pending(archive: &Archive, number: u32) -> Result<Request, DeliverError> {
    if !archive.request_path(number).is_file() {
        return Err(DeliverError::NoSuchRequest(number));
    }
    let request = files::request(archive, number)?;
    match request.status {
        Status::Requested => Ok(request),
        ref decided => Err(DeliverError::AlreadyDecided { number, status: decided.name() }),
    }
}

fn save(archive: &Archive, register: &dyn Register, request: &Request) -> Result<(), DeliverError> {
    files::write_request(archive, request)?;
    register.keep(request)?;
    Ok(())
}

/// What fulfilling a request came to: the request as now registered, and the copy when
/// one was made.
#[derive(Clone, Debug)]
pub(crate) struct Outcome {
    pub request: Request,
    pub copy: Option<Copy>,
}

/// Decides a filed request: refused, with the reason, when the document's rights do not
/// allow the pages asked for; otherwise the copy is made at `out` and the request marked
/// delivered. A failure making the copy leaves the request as it was.
pub(crate) fn fulfil(
    archive: &Archive,
    register: &dyn Register,
    config: &Config,
    number: u32,
    out: &Path,
    options: CopyOptions,
) -> Result<Outcome, DeliverError> {
    let _decision = decision_lock(archive)?;
    let mut request = pending(archive, number)?;
    let record =
        register.record(&request.document)?.ok_or_else(|| DeliverError::NoSuchDocument(request.document.clone()))?;
    let now = Utc::now();
    let received = rights::received(&request, &files::requests(archive)?, &config.delivery, now);
    let allowed = match rights::check(&record, &request.pages, &received, &config.delivery) {
        Ok(()) => whole_pages_check(register, &record, &request, options)?,
        refused => refused,
    };
    let copy = match allowed {
        Err(reason) => {
            request.status = Status::Refused { refused: Utc::now(), reason };
            None
        }
        Ok(()) => {
            let withheld =
                if record.is_hosted() { withheld_zones(&record, &register.documents()?) } else { Vec::new() };
            let copy = make_copy(archive, &config.library, &request, &record, &withheld, out, options)?;
            request.status =
                Status::Delivered { delivered: Utc::now(), file: out.display().to_string(), bytes: copy.bytes };
            Some(copy)
        }
    };
    save(archive, register, &request)?;
    Ok(Outcome { request, copy })
}

/// Whole pages of an issue carry each article on them: where a copy gives whole pages of
/// an issue (the issue asked for, or an article with `options.whole_pages`), `Ok(Err)`
/// names an article on them that may not go with it.
fn whole_pages_check(
    register: &dyn Register,
    record: &DocumentRecord,
    request: &Request,
    options: CopyOptions,
) -> Result<Result<(), String>, DeliverError> {
    let (host, pages) = match &record.host {
        Some(host) if options.whole_pages => (host.as_str(), record.host_pages()),
        None if record.bib.kind == Some(DocumentType::NewspaperIssue) => {
            (record.id.as_str(), (request.pages.pdf.first..=request.pages.pdf.last).collect())
        }
        _ => return Ok(Ok(())),
    };
    Ok(whole_pages_allowed(&register.documents()?, host, &pages, &record.id))
}

/// Refuses a filed request for `reason`.
pub(crate) fn refuse(
    archive: &Archive,
    register: &dyn Register,
    number: u32,
    reason: &str,
) -> Result<Request, DeliverError> {
    let _decision = decision_lock(archive)?;
    let mut request = pending(archive, number)?;
    request.status = Status::Refused { refused: Utc::now(), reason: reason.to_string() };
    save(archive, register, &request)?;
    Ok(request)
}
