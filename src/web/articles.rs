//! Newspaper articles on the website: an article's page shows its zones, each cut from its
//! issue's page image (the article's own rights decide, whatever the other articles on the
//! page); an issue's page lists its articles and shows whole only the pages every article
//! on which may be shown, the issue's rights allowing (see
//! [`crate::record::DocumentRecord::page_shown`]), saying why the others are not.

use std::collections::BTreeMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::IntoResponse;
use maud::{html, Markup};

use super::images;
use super::routes::{content_caching, path_error, refused_whole};
use super::security::Context;
use super::{AppState, WebError};
use crate::record::{DocumentRecord, Rights};
use crate::web::templates::encode;

/// How wide a zone's image is made at most, pixels (the website's reading size).
const ZONE_WIDTH: u32 = 1000;

/// `/doc/{id}/zone/{k}`: zone `k` (from 1) of article `id`, cut from its issue's page.
pub(super) async fn zone_image(
    State(state): State<Arc<AppState>>,
    params: Result<Path<(String, u32)>, PathRejection>,
) -> Result<axum::response::Response, WebError> {
    let Path((id, number)) = params.map_err(path_error)?;
    let article = state.record(&id).ok_or_else(WebError::not_found)?;
    let zone =
        number.checked_sub(1).and_then(|k| article.zones.get(k as usize)).ok_or_else(WebError::not_found)?.clone();
    if !article.full_text_allowed() {
        return Err(refused_whole());
    }
    let host = article.host.as_deref().and_then(|host| state.record(host)).ok_or_else(WebError::not_found)?;
    let summary = host.pages.get(zone.page as usize - 1).ok_or_else(WebError::not_found)?.clone();
    let archive = state.archive.clone();
    let caching = content_caching(true);
    let bytes = tokio::task::spawn_blocking(move || {
        let pixels = images::archived_pixels(&archive, &host, zone.page)?;
        // The zone is in the page's recorded pixels; an image of another size is scaled to it.
        let pixels = images::resized(&pixels, summary.width, summary.height);
        let b = zone.bbox;
        let (x, y) = (b.x0.min(summary.width), b.y0.min(summary.height));
        let (w, h) = (b.width().min(summary.width - x), b.height().min(summary.height - y));
        if w == 0 || h == 0 {
            return None;
        }
        let cut = pixels.crop_imm(x, y, w, h);
        let width = w.min(ZONE_WIDTH);
        images::jpeg(&images::resized(&cut, width, images::scaled_height(w, h, width)))
    })
    .await
    .map_err(WebError::internal)?
    .ok_or_else(WebError::not_found)?;
    Ok(([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, caching)], bytes).into_response())
}

/// What an article's page shows of it: its issue, and (where its rights allow) its zones.
pub(super) fn article_section(
    ctx: &Context,
    article: &DocumentRecord,
    host: Option<&DocumentRecord>,
    texts: &BTreeMap<u32, String>,
) -> Markup {
    let ui = ctx.ui;
    let id = encode(&article.id);
    html! {
        @if let (Some(host_id), Some(host)) = (&article.host, host) {
            p { (ui.t("Басылым нөмірі", "Номер издания")) ": " a href={ "/doc/" (encode(host_id)) } { (host.bib.title) } }
        }
        @if article.full_text_allowed() {
            p { a href={ "/request?doc=" (id) } { (ui.t("Мақаланың көшірмесін сұрау", "Заказать копию статьи")) } }
            h2 { (ui.t("Мақала беттерде", "Статья на страницах")) }
            @for (k, zone) in (1..).zip(&article.zones) {
                figure.zone {
                    img.page src={ "/doc/" (id) "/zone/" (k) } loading="lazy"
                        alt={ (ui.t("Мақаланың бөлігі, бет", "Часть статьи, страница")) " " (zone.page) };
                    figcaption { (ui.t("Бет", "Страница")) " " (zone.page) }
                }
            }
            h2 { (ui.t("Мәтіні", "Текст")) }
            @for paragraph in texts.values().flat_map(|text| text.split("\n\n")).filter(|p| !p.trim().is_empty()) {
                p { (paragraph.split('\n').collect::<Vec<_>>().join(" ")) }
            }
        }
    }
}

/// What an issue's page lists: which of its pages are shown whole and why the others are
/// not, and the articles catalogued on its pages.
pub(super) fn issue_section(
    ctx: &Context,
    issue: &DocumentRecord,
    articles: &[DocumentRecord],
    shown: &[u32],
) -> Markup {
    let ui = ctx.ui;
    let hidden: Vec<u32> = (1..=issue.pages.len() as u32).filter(|page| !shown.contains(page)).collect();
    // Of a page not shown, the articles on it that may not be.
    let withheld = |page: u32| -> Vec<&DocumentRecord> {
        articles
            .iter()
            .filter(|a| a.zones.iter().any(|z| z.page == page) && !Rights::allows_full_text(a.bib.rights))
            .collect()
    };
    // Of a page not shown, the articles the issue lists on it that are not in the archive
    // (not filed yet, or removed): their text is on the page all the same.
    let missing = |page: u32| -> Vec<&str> {
        let listed = issue.articles.iter().filter(|l| l.pages.contains(&page));
        listed.filter(|l| !articles.iter().any(|a| a.id == l.id)).map(|l| l.id.as_str()).collect()
    };
    let list = |pages: &[u32]| pages.iter().map(u32::to_string).collect::<Vec<_>>().join(", ");
    html! {
        p.note { (ui.t("Нөмірдің беті толығымен тек ондағы әр мақаланы көрсетуге болатын жерде көрсетіледі; әр мақала өз құқықтарымен көрсетіледі.",
                     "Страница номера показывается целиком, только если можно показать каждую статью на ней; каждая статья показывается по своим правам.")) }
        @if !shown.is_empty() {
            p #pages-shown { (ui.t("Толығымен көрсетілетін беттер", "Страницы, показанные целиком")) ": " (list(shown)) }
        }
        @if !hidden.is_empty() {
            p #pages-withheld { (ui.t("Толығымен көрсетілмейтін беттер", "Страницы, не показанные целиком")) ": " (list(&hidden)) }
            ul.withheld {
                @if !Rights::allows_full_text(issue.bib.rights) {
                    li { (ui.t("Нөмірдің құқықтары көрсетуге рұқсат бермейді.", "Права номера не позволяют его показывать.")) }
                } @else {
                    @for page in &hidden {
                        @let (kept, absent) = (withheld(*page), missing(*page));
                        li {
                            (ui.t("Бет", "Страница")) " " (page) ": "
                            @if !kept.is_empty() {
                                (ui.t("авторлық құқықпен қорғалған мақала", "статья, охраняемая авторским правом")) " "
                                @for (i, article) in kept.iter().enumerate() {
                                    @if i > 0 { ", " }
                                    a href={ "/doc/" (encode(&article.id)) } { (article.bib.title) }
                                }
                            }
                            @if !absent.is_empty() {
                                @if !kept.is_empty() { "; " }
                                (ui.t("мұрағатта жоқ мақала", "статья, которой нет в архиве")) " "
                                span.absent { (absent.join(", ")) }
                            }
                        }
                    }
                }
            }
        }
        @if !articles.is_empty() {
            h2 { (ui.t("Мақалалар", "Статьи")) }
            ul {
                @for article in articles {
                    li { a href={ "/doc/" (encode(&article.id)) } { (article.bib.title) } }
                }
            }
        }
    }
}
