//! Presentation API 3 from `olke serve`: a manifest per document and the text of each
//! page as an annotation page, made by [`crate::export::iiif`] as `olke publish` makes them.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::Value;

use super::super::{public_url, AppState};
use super::{not_found, open, site, Refusal};
use crate::archive::files;
use crate::export::{iiif, url_path};

const JSON_LD: &str = "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"";

fn answer(document: Value) -> Response {
    open(StatusCode::OK, &[(CONTENT_TYPE, JSON_LD.into()), (CACHE_CONTROL, "no-cache".into())], document.to_string())
}

/// `/iiif/3/{ID}/manifest`.
pub(crate) async fn manifest(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else { return not_found() };
    let worker = state.clone();
    let Ok(Some((record, shown))) = tokio::task::spawn_blocking(move || {
        // An article on an issue's pages has no pages of its own to paint, and a manifest
        // must have a canvas: its pages are the issue's.
        let record = worker.record(&id).filter(|record| !record.pages.is_empty())?;
        let shown = record.pages_shown(&worker.articles_of(&record));
        Some((record, shown))
    })
    .await
    else {
        return not_found();
    };
    let base = public_url(&state.config, &headers);
    let homepage = format!("{base}/doc/{}", url_path(&record.id));
    answer(iiif::manifest(&site(&base), &state.config.library, &record, &shown, &homepage))
}

/// `/iiif/3/{ID}/annotations/{N}`: page N's text, a `supplementing` annotation per line.
pub(crate) async fn annotations(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    parts: Result<Path<(String, u32)>, PathRejection>,
) -> Response {
    let Ok(Path((id, number))) = parts else { return not_found() };
    let Some(record) = state.record(&id) else { return not_found() };
    if number == 0 || number as usize > record.pages.len() {
        return not_found();
    }
    let worker = state.clone();
    let shown_record = record.clone();
    let page = tokio::task::spawn_blocking(move || {
        if !shown_record.page_shown(number, &worker.articles_of(&shown_record)) {
            return Err(Refusal::InCopyright);
        }
        files::page(&worker.archive, &shown_record.id, number).map_err(|_| Refusal::NoSuchPage)
    })
    .await;
    let page = match page {
        Ok(Ok(page)) => page,
        Ok(Err(refusal)) => return refusal.answer(),
        Err(_) => return not_found(),
    };
    let base = public_url(&state.config, &headers);
    answer(iiif::annotation_page(&site(&base), &record, number, &page))
}
