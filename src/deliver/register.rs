//! The request register: every request for a copy, with what became of it. Each entry is a
//! file, `requests/NNNN.json` (the source of truth, written first and atomically), and an
//! entry in the catalogue's `requests` tree.
//!
//! [`file`] records a new request; [`fulfil`] checks it against the document's rights and
//! either makes the copy or refuses it with the reason; [`refuse`] refuses it for a reason
//! staff give. `olke deliver` files and fulfils at once; a web form would file, and staff
//! fulfil or refuse later. The caller holds the archive's writer lock.

use std::path::Path;

use chrono::Utc;

use super::pages::Selection;
use super::request::{NewRequest, Request, Status};
use super::{make_copy, rights, Copy, CopyOptions, DeliverError};
use crate::archive::Archive;
use crate::catalog::{files, Catalog};
use crate::config::Config;

/// Files a new request under the next free number, as `requested`. A request for a
/// document the archive does not have, or for pages it does not have, is not filed.
pub fn file(archive: &Archive, catalog: &Catalog, new: NewRequest) -> Result<Request, DeliverError> {
    let record = catalog.get(&new.document)?.ok_or_else(|| DeliverError::NoSuchDocument(new.document.clone()))?;
    let pages = Selection::resolve(&record, new.pages).map_err(DeliverError::Pages)?;
    let mut request = Request {
        number: catalog.last_request_number()? + 1,
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
    catalog.put_request(&request)?;
    catalog.flush()?;
    Ok(request)
}

/// A request still waiting for a decision.
fn pending(catalog: &Catalog, number: u32) -> Result<Request, DeliverError> {
    let request = catalog.request(number)?.ok_or(DeliverError::NoSuchRequest(number))?;
    match request.status {
        Status::Requested => Ok(request),
        ref decided => Err(DeliverError::AlreadyDecided { number, status: decided.name() }),
    }
}

fn save(archive: &Archive, catalog: &Catalog, request: &Request) -> Result<(), DeliverError> {
    files::write_request(archive, request)?;
    catalog.put_request(request)?;
    catalog.flush()?;
    Ok(())
}

/// What fulfilling a request came to: the request as now registered, and the copy when
/// one was made.
#[derive(Clone, Debug)]
pub struct Outcome {
    pub request: Request,
    pub copy: Option<Copy>,
}

/// Decides a filed request: refused, with the reason, when the document's rights do not
/// allow the pages asked for; otherwise the copy is made at `out` and the request marked
/// delivered. A failure making the copy leaves the request as it was.
pub fn fulfil(archive: &Archive, catalog: &Catalog, config: &Config, number: u32, out: &Path, options: CopyOptions) -> Result<Outcome, DeliverError> {
    let mut request = pending(catalog, number)?;
    let record = catalog.get(&request.document)?.ok_or_else(|| DeliverError::NoSuchDocument(request.document.clone()))?;
    let copy = match rights::check(&record, &request.pages, &config.delivery) {
        Err(reason) => {
            request.status = Status::Refused { refused: Utc::now(), reason };
            None
        }
        Ok(()) => {
            let copy = make_copy(archive, &config.library, &request, &record, out, options)?;
            request.status = Status::Delivered { delivered: Utc::now(), file: out.display().to_string(), bytes: copy.bytes };
            Some(copy)
        }
    };
    save(archive, catalog, &request)?;
    Ok(Outcome { request, copy })
}

/// Refuses a filed request for `reason`.
pub fn refuse(archive: &Archive, catalog: &Catalog, number: u32, reason: &str) -> Result<Request, DeliverError> {
    let mut request = pending(catalog, number)?;
    request.status = Status::Refused { refused: Utc::now(), reason: reason.to_string() };
    save(archive, catalog, &request)?;
    Ok(request)
}
