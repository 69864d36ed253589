//! Citing a document: the GOST description to copy, and `/doc/ID/cite.ris`, `.bib` and
//! `.json` (CSL-JSON) for reference managers, made by [`crate::record::cite`]. Citations
//! are the record's description, which every document's page shows whatever its rights.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use maud::{html, Markup};

use super::routes::path_error;
use super::security::Context;
use super::templates::encode;
use super::{AppState, WebError};
use crate::record::{cite, DocumentRecord};

/// The formats offered: (file extension, name shown, content type).
const FORMATS: [(&str, &str, &str); 3] = [
    ("ris", "RIS", "application/x-research-info-systems; charset=utf-8"),
    ("bib", "BibTeX", "application/x-bibtex; charset=utf-8"),
    ("json", "CSL-JSON", "application/vnd.citationstyles.csl+json"),
];

/// The citation section of a document's pages.
pub(super) fn section(ctx: &Context, record: &DocumentRecord) -> Markup {
    let ui = ctx.ui;
    let id = encode(&record.id);
    html! {
        section.cite aria-labelledby="cite-heading" {
            h2 #cite-heading { (ui.t("Сілтеме жасау", "Цитирование")) }
            label for="cite-gost" { (ui.t("ГОСТ 7.1 бойынша сипаттама", "Описание по ГОСТ 7.1")) }
            input #cite-gost type="text" readonly value=(record.citation())
                data-copy=(ui.t("Көшіру", "Копировать")) data-copied=(ui.t("Көшірілді", "Скопировано"));
            p {
                (ui.t("Жүктеу", "Скачать")) ": "
                @for (i, (extension, name, _)) in FORMATS.iter().enumerate() {
                    @if i > 0 { " · " }
                    a href={ "/doc/" (id) "/cite." (extension) } download { (name) }
                }
            }
        }
    }
}

async fn download(
    state: &AppState,
    headers: &HeaderMap,
    id: Result<Path<String>, PathRejection>,
    extension: &str,
) -> Result<Response, WebError> {
    let Path(id) = id.map_err(path_error)?;
    let record = state.record(&id).ok_or_else(WebError::not_found)?;
    let url = format!("{}/doc/{}", super::public_url(&state.config, headers), encode(&record.id));
    let body = match extension {
        "ris" => cite::ris(&record, &url),
        "bib" => cite::bibtex(&record, &url),
        _ => serde_json::to_string_pretty(&cite::csl_json(&record, &url)).map_err(WebError::internal)?,
    };
    let content_type = FORMATS.iter().find(|f| f.0 == extension).map_or("text/plain", |f| f.2);
    // A header is ASCII: the id's other letters become _.
    let name: String =
        record.id.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.".contains(c) { c } else { '_' }).collect();
    let disposition = format!("attachment; filename=\"{name}.{extension}\"");
    Ok((
        [
            (CONTENT_TYPE, content_type.to_string()),
            (CACHE_CONTROL, "no-cache".to_string()),
            (CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response())
}

/// The three downloads' routes.
pub(super) fn routes() -> Router<Arc<AppState>> {
    FORMATS.iter().fold(Router::new(), |router, &(extension, _, _)| {
        let handler = move |State(state): State<Arc<AppState>>, headers: HeaderMap, id| async move {
            download(&state, &headers, id, extension).await
        };
        router.route(&format!("/doc/{{id}}/cite.{extension}"), get(handler))
    })
}
