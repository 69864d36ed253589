//! IIIF for viewers (Mirador, Universal Viewer) and aggregators: the Image API 3 at level
//! 1 for page images, and a Presentation API 3 manifest per document.
//!
//! - An image is a page: its identifier is the document's id, `~` and the page's number in
//!   the PDF (`gazeta~1`; ids never hold `~`). `/iiif/3/{ID}~{N}/info.json` describes it,
//!   `/iiif/3/{ID}~{N}/{region}/{size}/0/{quality}.jpg` cuts it: regions `full`, `square`,
//!   `x,y,w,h`, `pct:x,y,w,h`; sizes `max`, `w,`, `,h`, `w,h`, `!w,h`, `pct:n`, each with
//!   `^` to enlarge; rotation 0 only; qualities `default`, `color`, `gray`. Every answer is
//!   at most [`MAX_SIDE`] pixels a side and [`MAX_AREA`] in all, and pages are decoded a
//!   few at a time, sharing the website's turns ([`super::routes::decode_turn`]). The pixels are the archived page's, decoded and
//!   encoded as the website's page images are ([`super::images`]); the sizes the website
//!   caches come from its cache.
//! - `/iiif/3/{ID}/manifest` is the document: its description, its rights as a
//!   rightsstatements.org or Creative Commons URI and as a `requiredStatement`, and a canvas
//!   per page. A canvas of a work whose rights allow showing it paints the page's image
//!   (with its image service) and refers to an annotation page,
//!   `/iiif/3/{ID}/annotations/{N}`, with the page's text line by line where it stands.
//! - A page that may not be shown ([`DocumentRecord::page_shown`]: of a work in copyright
//!   or whose rights are not stated, or of a newspaper issue with an article in copyright
//!   on it) is never shown: its image, its `info.json` and its text answer 403, and its
//!   canvas in the manifest has the page's size only, empty: what the catalogue tells
//!   anyone, and where to ask for a copy (`homepage`).
//!
//! Rights are read afresh for every request, as on the website.

mod manifest;
mod request;

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_TYPE, LOCATION};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::images::{self, Size};
use super::{public_url, AppState};
use crate::export::iiif;
use crate::record::DocumentRecord;
pub(crate) use manifest::{annotations, manifest};
use request::{ImageRequest, Quality, Rejection};

/// Largest side of an image answered, in pixels.
pub(crate) const MAX_SIDE: u32 = 5000;
/// Largest image answered, in pixels.
pub(crate) const MAX_AREA: u64 = 16_000_000;

const JSON_LD: &str = "application/ld+json;profile=\"http://iiif.io/api/image/3/context.json\"";

/// An answer to a IIIF request, open to pages of any site (viewers run elsewhere).
fn open(status: StatusCode, headers: &[(axum::http::HeaderName, String)], body: impl IntoResponse) -> Response {
    let mut response = (status, body).into_response();
    for (name, value) in headers {
        response.headers_mut().insert(name, value.parse().expect("header values are ASCII"));
    }
    response.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, "*".parse().expect("ASCII"));
    response
}

fn failed(status: StatusCode, message: &str) -> Response {
    open(
        status,
        &[(CONTENT_TYPE, "text/plain; charset=utf-8".into()), (CACHE_CONTROL, "no-cache".into())],
        format!("{message}\n"),
    )
}

fn rejected(rejection: Rejection) -> Response {
    let (status, message) = match rejection {
        Rejection::BadRequest(message) => (StatusCode::BAD_REQUEST, message),
        Rejection::NotImplemented(message) => (StatusCode::NOT_IMPLEMENTED, message),
    };
    failed(status, &message)
}

fn not_found() -> Response {
    failed(StatusCode::NOT_FOUND, "no such image")
}

fn forbidden() -> Response {
    failed(StatusCode::FORBIDDEN, "this work is in copyright: its pages are not shown")
}

/// Why a page is not shown.
enum Refusal {
    NoSuchPage,
    InCopyright,
}

impl Refusal {
    fn answer(self) -> Response {
        match self {
            Refusal::NoSuchPage => not_found(),
            Refusal::InCopyright => forbidden(),
        }
    }
}

/// The document and page an image identifier names, and the document's record as it is
/// now; `Err` when there is none or it may not be shown. Blocking.
fn page_of(state: &AppState, identifier: &str) -> Result<(DocumentRecord, u32), Refusal> {
    let (id, page) = identifier.rsplit_once('~').ok_or(Refusal::NoSuchPage)?;
    let page: u32 = page.parse().map_err(|_| Refusal::NoSuchPage)?;
    let record = state.record(id).ok_or(Refusal::NoSuchPage)?;
    if page == 0 || page as usize > record.pages.len() {
        return Err(Refusal::NoSuchPage);
    }
    if !record.page_shown(page, &state.articles_of(&record)) {
        return Err(Refusal::InCopyright);
    }
    Ok((record, page))
}

/// [`page_of`] off the async workers.
async fn shown_page(state: &Arc<AppState>, identifier: String) -> Result<(DocumentRecord, u32), Refusal> {
    let state = state.clone();
    tokio::task::spawn_blocking(move || page_of(&state, &identifier)).await.unwrap_or(Err(Refusal::NoSuchPage))
}

/// The IIIF addresses of the site served at `base`.
fn site(base: &str) -> iiif::Site<'_> {
    iiif::Site { base, level: iiif::Level::Served }
}

/// `/iiif/3/{identifier}`: the image's description is at `info.json`.
pub(super) async fn base(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    identifier: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(identifier)) = identifier else { return not_found() };
    match shown_page(&state, identifier).await {
        Ok((record, page)) => {
            let location =
                format!("{}/info.json", site(&public_url(&state.config, &headers)).service(&record.id, page));
            open(StatusCode::SEE_OTHER, &[(LOCATION, location)], ())
        }
        Err(refusal) => refusal.answer(),
    }
}

/// `info.json`: the page's size, what may be asked of it, its rights.
pub(super) async fn info(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    identifier: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(identifier)) = identifier else { return not_found() };
    let (record, page) = match shown_page(&state, identifier).await {
        Ok(found) => found,
        Err(refusal) => return refusal.answer(),
    };
    let summary = &record.pages[page as usize - 1];
    let (width, height) = (summary.width, summary.height);
    let sizes: Vec<_> = [Size::Thumb, Size::Full]
        .into_iter()
        .map(Size::width)
        .filter(|&w| w < width)
        .map(|w| (w, images::scaled_height(width, height, w)))
        .collect();
    let mut info = iiif::image_info(&site(&public_url(&state.config, &headers)), &record, page, &sizes);
    let cut_on_request = json!({
        "maxWidth": MAX_SIDE,
        "maxHeight": MAX_SIDE,
        "maxArea": MAX_AREA,
        "extraQualities": ["color", "gray"],
        "extraFeatures": ["regionByPct", "sizeByConfinedWh", "sizeByPct", "sizeUpscaling"],
    });
    info.as_object_mut().expect("an object").extend(cut_on_request.as_object().expect("an object").clone());
    open(StatusCode::OK, &[(CONTENT_TYPE, JSON_LD.into()), (CACHE_CONTROL, "no-cache".into())], info.to_string())
}

/// The parts of an image request's address.
#[derive(Deserialize)]
pub(super) struct ImageAddress {
    identifier: String,
    region: String,
    size: String,
    rotation: String,
    file: String,
}

/// `{region}/{size}/{rotation}/{quality}.{format}` of a page.
pub(super) async fn image(
    State(state): State<Arc<AppState>>,
    address: Result<Path<ImageAddress>, PathRejection>,
) -> Response {
    let Ok(Path(ImageAddress { identifier, region, size, rotation, file })) = address else { return not_found() };
    // The request is read before the image is looked for: a bad one is 400 whatever it names.
    let request = match ImageRequest::parse(&region, &size, &rotation, &file) {
        Ok(request) => request,
        Err(rejection) => return rejected(rejection),
    };
    let (record, page) = match shown_page(&state, identifier).await {
        Ok(found) => found,
        Err(refusal) => return refusal.answer(),
    };
    let summary = &record.pages[page as usize - 1];
    let cut = match request.resolve(summary.width, summary.height) {
        Ok(cut) => cut,
        Err(rejection) => return rejected(rejection),
    };
    let Ok(_turn) = super::routes::decode_turn().await else { return failed(StatusCode::SERVICE_UNAVAILABLE, "busy") };
    let archive = state.archive.clone();
    let made = tokio::task::spawn_blocking(move || {
        // The website's cached sizes, when that is what is asked.
        let (width, height) = (cut.region.width, cut.region.height);
        let cached = [Size::Thumb, Size::Full].into_iter().find(|size| {
            let w = size.width().min(width);
            cut.whole()
                && request.quality != Quality::Gray
                && (w, images::scaled_height(width, height, w)) == (cut.width, cut.height)
        });
        if let Some(size) = cached {
            return images::page_image(&archive, &record, page, size);
        }
        let pixels = images::archived_pixels(&archive, &record, page)?;
        let region = cut.region.within(pixels.width(), pixels.height())?;
        let cropped = pixels.crop_imm(region.x, region.y, region.width, region.height);
        let resized = images::resized(&cropped, cut.width, cut.height);
        let resized = if request.quality == Quality::Gray { resized.grayscale() } else { resized };
        images::jpeg(&resized)
    })
    .await;
    match made {
        Ok(Some(bytes)) => {
            open(StatusCode::OK, &[(CONTENT_TYPE, "image/jpeg".into()), (CACHE_CONTROL, "no-cache".into())], bytes)
        }
        Ok(None) => not_found(),
        Err(e) => {
            tracing::error!("cutting an image: {e}");
            failed(StatusCode::INTERNAL_SERVER_ERROR, "the image could not be made")
        }
    }
}
