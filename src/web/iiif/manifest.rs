//! Presentation API 3: a manifest per document, and the text of each page as an
//! annotation page of `supplementing` annotations, one per line, each on the line's box.

use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde_json::{json, Value};

use super::super::{public_url, AppState};
use super::{forbidden, not_found, open, service_id};
use crate::archive::files;
use crate::export::url_path;
use crate::record::rights_statements::statement;
use crate::record::DocumentRecord;

const JSON_LD: &str = "application/ld+json;profile=\"http://iiif.io/api/presentation/3/context.json\"";

fn answer(document: Value) -> Response {
    open(StatusCode::OK, &[(CONTENT_TYPE, JSON_LD.into()), (CACHE_CONTROL, "no-cache".into())], document.to_string())
}

/// A label in the interface's languages.
fn label(en: &str, kk: &str, ru: &str) -> Value {
    json!({ "en": [en], "kk": [kk], "ru": [ru] })
}

/// A value in no particular language (titles and names are given as catalogued).
fn values(values: &[String]) -> Value {
    json!({ "none": values })
}

fn metadata(record: &DocumentRecord) -> Vec<Value> {
    let bib = &record.bib;
    let one = |value: &Option<String>| value.iter().cloned().collect::<Vec<_>>();
    let date = bib.date.clone().or_else(|| bib.year.map(|y| y.to_string()));
    let languages = if bib.language.is_empty() { &record.languages } else { &bib.language };
    [
        (label("Title", "Атауы", "Заглавие"), vec![bib.title.clone()]),
        (label("Authors", "Авторлары", "Авторы"), bib.authors.clone()),
        (label("Published in", "Басылым", "Издание"), one(&bib.source)),
        (label("Date", "Күні", "Дата"), one(&date)),
        (label("Place", "Орны", "Место"), one(&bib.place)),
        (label("Publisher", "Баспа", "Издательство"), one(&bib.publisher)),
        (label("Languages", "Тілдері", "Языки"), languages.clone()),
        (label("Collections", "Жинақтар", "Коллекции"), bib.collections.clone()),
        (label("Subjects", "Тақырыптар", "Темы"), bib.subjects.clone()),
        (
            label("Citation (GOST 7.1)", "Библиографиялық сипаттама", "Библиографическое описание"),
            vec![record.citation()],
        ),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(label, value)| json!({ "label": label, "value": values(&value) }))
    .collect()
}

/// `/iiif/3/{ID}/manifest`.
pub(crate) async fn manifest(
    State(state): State<Arc<AppState>>,
    headers: HeaderMap,
    id: Result<Path<String>, PathRejection>,
) -> Response {
    let Ok(Path(id)) = id else { return not_found() };
    let Some(record) = state.record(&id) else { return not_found() };
    let base = public_url(&state.config, &headers);
    let document = format!("{base}/iiif/3/{}", url_path(&record.id));
    let shown = record.full_text_allowed();
    let first_printed = record.bib.first_page_number.unwrap_or(1);
    let canvases: Vec<Value> = record
        .pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let number = i as u32 + 1;
            let canvas = format!("{document}/canvas/{number}");
            let mut canvas_json = json!({
                "id": canvas,
                "type": "Canvas",
                "label": { "none": [(first_printed + i as u32).to_string()] },
                "width": page.width,
                "height": page.height,
            });
            if shown {
                let service = service_id(&base, &record.id, number);
                canvas_json["items"] = json!([{
                    "id": format!("{canvas}/paint"),
                    "type": "AnnotationPage",
                    "items": [{
                        "id": format!("{canvas}/paint/image"),
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": {
                            "id": format!("{service}/full/max/0/default.jpg"),
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": page.width,
                            "height": page.height,
                            "service": [{ "id": service, "type": "ImageService3", "profile": "level1" }],
                        },
                        "target": canvas,
                    }],
                }]);
                canvas_json["annotations"] =
                    json!([{ "id": format!("{document}/annotations/{number}"), "type": "AnnotationPage" }]);
            }
            canvas_json
        })
        .collect();
    let rights = statement(record.bib.rights);
    let library = &state.config.library;
    let manifest = json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": format!("{document}/manifest"),
        "type": "Manifest",
        "label": values(std::slice::from_ref(&record.bib.title)),
        "summary": values(&[record.citation()]),
        "metadata": metadata(&record),
        "rights": rights.uri,
        "requiredStatement": {
            "label": label("Rights", "Құқықтар", "Права"),
            "value": { "en": [rights.en], "kk": [rights.kk], "ru": [rights.ru] },
        },
        "provider": [{
            "id": base,
            "type": "Agent",
            "label": { "kk": [library.name_kk], "ru": [library.name_ru] },
        }],
        "homepage": [{
            "id": format!("{base}/doc/{}", url_path(&record.id)),
            "type": "Text",
            "label": values(std::slice::from_ref(&record.bib.title)),
            "format": "text/html",
        }],
        "items": canvases,
    });
    answer(manifest)
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
    if !record.full_text_allowed() {
        return forbidden();
    }
    let archive = state.archive.clone();
    let page_id = record.id.clone();
    let Ok(Ok(page)) = tokio::task::spawn_blocking(move || files::page(&archive, &page_id, number)).await else {
        return not_found();
    };
    let document = format!("{}/iiif/3/{}", public_url(&state.config, &headers), url_path(&record.id));
    let canvas = format!("{document}/canvas/{number}");
    let id = format!("{document}/annotations/{number}");
    let lines: Vec<Value> = page
        .lines
        .iter()
        .enumerate()
        .filter(|(_, line)| !line.words.is_empty())
        .map(|(n, line)| {
            let b = line.bbox;
            json!({
                "id": format!("{id}/line/{}", n + 1),
                "type": "Annotation",
                "motivation": "supplementing",
                "body": { "type": "TextualBody", "value": line.text(), "format": "text/plain" },
                "target": format!("{canvas}#xywh={},{},{},{}", b.x0, b.y0, b.width(), b.height()),
            })
        })
        .collect();
    answer(json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": id,
        "type": "AnnotationPage",
        "items": lines,
    }))
}
