//! Newspaper articles on the website: an article's page shows its zones, each cut from its
//! issue's page image (the article's own rights decide, whatever the other articles on the
//! page), and their words; what of another article that may not be shown lies in them
//! (zones may overlap a little) is left out, its words and pixels. An issue's page lists its articles and shows whole only the pages every article
//! on which may be shown, the issue's rights allowing (see
//! [`crate::record::DocumentRecord::page_shown`]), saying why the others are not.

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};

use super::images::{self, Size};
use super::routes::{blocking, content_caching, decode_turn, path_error, refused_whole};
use super::security::Context;
use super::{AppState, WebError};
use crate::archive::files;
use crate::page::RecognizedPage;
use crate::record::article::{cut_zone, shown_zone_pages, withheld_zones};
use crate::record::{ArticleZone, DocumentRecord, Rights};
use crate::web::templates::encode;

/// `/doc/{id}/zone/{k}`: zone `k` (from 1) of article `id`, cut from its issue's page, at
/// the website's reading size; only where the article's rights allow.
pub(super) async fn zone_image(
    State(state): State<Arc<AppState>>,
    params: Result<Path<(String, u32)>, PathRejection>,
) -> Result<Response, WebError> {
    let Path((id, number)) = params.map_err(path_error)?;
    let article = state.record(&id).ok_or_else(WebError::not_found)?;
    let zone = number.checked_sub(1).and_then(|k| article.zones.get(k as usize)).ok_or_else(WebError::not_found)?;
    zone_response(&state, zone.clone(), article, Size::Full).await
}

/// Page `page` of hosted `article` as search results name it (as the index numbers its
/// zones: by their page of the issue), in `size`: its first zone on that page.
pub(super) async fn page_image(
    state: &Arc<AppState>,
    article: DocumentRecord,
    page: u32,
    size: Size,
) -> Result<Response, WebError> {
    let zone = article.zones.iter().find(|zone| zone.page == page).ok_or_else(WebError::not_found)?;
    zone_response(state, zone.clone(), article, size).await
}

/// `zone` of hosted `article` as an image at most `size` wide: small for any article (as
/// a page's thumbnail is), readable only where its rights allow. What other articles
/// that may not be shown have in it is painted white ([`withheld_zones`]).
async fn zone_response(
    state: &Arc<AppState>,
    zone: ArticleZone,
    article: DocumentRecord,
    size: Size,
) -> Result<Response, WebError> {
    let shown = article.full_text_allowed();
    if size == Size::Full && !shown {
        return Err(refused_whole());
    }
    let (host, withheld) = {
        let state = state.clone();
        blocking(move || withheld_around(&state, &article)).await?.ok_or_else(WebError::not_found)?
    };
    let summary = host.pages.get(zone.page as usize - 1).ok_or_else(WebError::not_found)?.clone();
    let archive = state.archive.clone();
    let _turn = decode_turn().await?;
    let bytes = blocking(move || {
        let pixels = images::archived_pixels(&archive, &host, zone.page)?;
        let cut = cut_zone(&pixels, summary.width, &zone, &withheld)?;
        let (w, h) = (zone.bbox.width(), zone.bbox.height());
        // An article that may not be shown is no sharper in its thumbnail than its page is
        // in the page's: a column shrunk only to 180 pixels could still be read.
        let width = if shown {
            w.min(size.width())
        } else {
            (u64::from(w) * u64::from(size.width()) / u64::from(summary.width.max(1))).clamp(1, u64::from(w)) as u32
        };
        images::jpeg(&images::resized(&cut, width, images::scaled_height(w, h, width)))
    })
    .await?
    .ok_or_else(WebError::not_found)?;
    Ok(([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, content_caching(shown))], bytes).into_response())
}

/// Hosted `article`'s issue, and the zones of the articles on its pages that may not be
/// shown, their rights as they are now, where they overlap its own ([`withheld_zones`]).
/// `None` when its issue cannot be read. Blocking.
pub(super) fn withheld_around(
    state: &AppState,
    article: &DocumentRecord,
) -> Option<(DocumentRecord, Vec<ArticleZone>)> {
    let host = state.record(article.host.as_deref()?)?;
    let withheld = withheld_zones(article, &state.articles_of(&host));
    Some((host, withheld))
}

/// The text of each zone of hosted `article` that may be shown, by zone number: read from
/// its issue's pages, the words of withheld articles' zones left out. Blocking.
pub(super) fn shown_texts(state: &AppState, article: &DocumentRecord) -> BTreeMap<u32, String> {
    let Some((host, withheld)) = withheld_around(state, article) else { return BTreeMap::new() };
    let host_page = |n| Ok::<_, Infallible>(files::page(&state.archive, &host.id, n).ok());
    let Ok(pages) = shown_zone_pages(article, &withheld, host_page);
    (1..).zip(pages.iter().map(RecognizedPage::text)).collect()
}

/// Whether no zone of an article that may not be shown overlaps a zone of hosted
/// `article` on page `page` of its issue: a search snippet of that page (of its zone's
/// words as indexed, which the index numbers by their page of the issue) would not show
/// theirs. Blocking.
pub(super) fn page_clear(state: &AppState, article: &DocumentRecord, page: u32) -> bool {
    let on_page: Vec<&ArticleZone> = article.zones.iter().filter(|zone| zone.page == page).collect();
    withheld_around(state, article)
        .is_some_and(|(_, withheld)| !withheld.iter().any(|w| on_page.iter().any(|zone| zone.overlaps(w))))
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
