//! The reader: one page of a document at its own address, `/doc/ID/page/N` (a permalink),
//! with the page image, the words a search matched outlined on it (`?q=`, kept in every
//! link), the next and previous hit across pages, search within the document, a strip
//! of thumbnails, and the page's recognized text. Rights as everywhere: of a page that may
//! not be shown ([`DocumentRecord::page_shown`]: a work's by its rights, a newspaper
//! issue's by every article on it), the reader shows neither its image nor its text.
//!
//! Everything works without JavaScript: the outlines are an SVG drawn over the image in
//! the page's own pixels. `/static/reader.js` then turns the image into an OpenSeadragon
//! viewer over the IIIF image service, the outlines as its overlays.

use std::sync::Arc;

use axum::extract::rejection::{PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, LOCATION};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Extension;
use maud::{html, Markup};
use serde::Deserialize;

use super::routes::{articles_now, blocking, content_caching, path_error, query_error, MAX_QUERY_CHARS};
use super::security::Context;
use super::templates::{encode, layout, restricted_notice};
use super::{AppState, WebError};
use crate::archive::files;
use crate::index::hits::DocumentHits;
use crate::page::{BBox, RecognizedPage};
use crate::record::DocumentRecord;

/// Thumbnails in the strip, the current page's among them.
const THUMBNAILS: u32 = 15;
/// Width the thumbnails are shown at (the page image route's smallest size, scaled).
const THUMBNAIL_WIDTH: u32 = 60;

/// What the reader page adds to the stylesheet.
pub(super) const STYLE: &str = "\
.reader-nav { display: flex; flex-wrap: wrap; gap: 0.4rem 1.2rem; align-items: center; margin: 0.6rem 0; }\n\
.reader-nav form { display: flex; gap: 0.4rem; align-items: center; margin: 0; }\n\
.reader-nav label { display: inline; margin: 0; }\n\
.reader-nav input[type=number] { width: 5rem; }\n\
.reader-nav button { margin: 0; }\n\
.viewer { position: relative; }\n\
.viewer svg.hits { position: absolute; left: 0; top: 0; width: 100%; height: 100%; pointer-events: none; }\n\
svg.hits rect { fill: rgba(255, 200, 0, 0.25); stroke: #c60; stroke-width: 0.4%; }\n\
.zoom { width: 100%; max-height: 80vh; border: 1px solid #ccc; background: #333; }\n\
.zoomed .viewer { display: none; }\n\
.zoom .hit { outline: 3px solid #c60; background: rgba(255, 200, 0, 0.25); }\n\
.thumbs { display: flex; gap: 0.4rem; overflow-x: auto; padding: 0.3rem 0; }\n\
.thumbs a { display: block; text-align: center; font-size: 0.85rem; border: 2px solid transparent; padding: 2px; }\n\
.thumbs a[aria-current] { border-color: #234; font-weight: bold; }\n\
.thumbs a.has-hits { background: #ffe58a; }\n\
.thumbs img { display: block; width: 60px; height: auto; }\n\
.cite input { width: 100%; padding: 0.3rem; }\n";

/// The reader's parameters: the query whose matches are shown.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ReaderParams {
    q: String,
}

/// `/doc/ID/go`'s: a page to go to, or (`find`) the first page at or after it matching `q`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct GoParams {
    page: u32,
    q: String,
    find: String,
}

/// The address of page `page` of `id`, with the query if there is one.
fn page_link(id: &str, page: u32, query: &str) -> String {
    let mut link = format!("/doc/{}/page/{page}", encode(id));
    if !query.is_empty() {
        link.push_str("?q=");
        link.push_str(&encode(query));
    }
    link
}

/// The query as the reader takes it: trimmed, no longer than a search's.
fn query_of(q: &str) -> String {
    q.trim().chars().take(MAX_QUERY_CHARS).collect()
}

/// The matches of `query` on the `shown` pages of `record`, or why there are none (a query
/// search refuses). It is a search as `/search`'s is, so it counts against the same limit
/// per address; and a hit on a page that may not be shown is none: that a withheld page
/// matches, query after query, would spell out its words.
async fn hits_of(
    state: &AppState,
    ctx: &Context,
    record: &DocumentRecord,
    query: &str,
    shown: &[u32],
) -> Result<Result<DocumentHits, String>, WebError> {
    let Some(index) = state.index().filter(|_| !query.is_empty()) else {
        return Ok(Ok(DocumentHits::default()));
    };
    state.limits.searches.take(&ctx.address).map_err(WebError::too_many)?;
    let (query, id) = (query.to_string(), record.id.clone());
    match blocking(move || index.document_hits(&query, &id)).await? {
        Ok(mut hits) => {
            hits.pages.retain(|page, _| shown.contains(page));
            Ok(Ok(hits))
        }
        Err(e) if e.is_usage() => Ok(Err(e.to_string())),
        Err(e) => Err(WebError::internal(e)),
    }
}

/// The pages of `record` that may be shown, rights read now.
async fn shown_pages(state: &Arc<AppState>, record: &DocumentRecord) -> Result<Vec<u32>, WebError> {
    Ok(record.pages_shown(&articles_now(state, record).await?))
}

/// `/doc/ID/go?page=N[&q=…][&find=1]`: the jump-to-page and search-in-document forms
/// land here and are sent on to the page's permalink.
pub(super) async fn go(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<GoParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let Path(id) = id.map_err(path_error)?;
    let Query(params) = params.map_err(query_error)?;
    let record = state.record(&id).ok_or_else(WebError::not_found)?;
    let count = record.pages.len() as u32;
    let query = query_of(&params.q);
    let mut page = params.page.clamp(1, count.max(1));
    let shown = shown_pages(&state, &record).await?;
    if !params.find.is_empty() && !shown.is_empty() {
        if let Ok(hits) = hits_of(&state, &ctx, &record, &query, &shown).await? {
            let pages = || hits.pages.keys().copied();
            page = pages().find(|&p| p >= page).or_else(|| pages().next()).unwrap_or(page);
        }
    }
    let location = HeaderValue::from_str(&page_link(&record.id, page, &query)).map_err(WebError::internal)?;
    Ok((StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response())
}

/// A page of a document as the reader shows it.
struct ReaderPage<'a> {
    record: &'a DocumentRecord,
    number: u32,
    query: &'a str,
    /// The recognized page, when its file can be read.
    page: Option<&'a RecognizedPage>,
    /// Of its words (as [`RecognizedPage::words`] numbers them), those matching.
    matched: &'a [usize],
    hits: &'a DocumentHits,
    /// Why the query found nothing, when search refused it.
    error: Option<String>,
}

/// `/doc/ID/page/N[?q=…]`: the page's permalink.
pub(super) async fn page(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: Result<Path<(String, u32)>, PathRejection>,
    params: Result<Query<ReaderParams>, QueryRejection>,
) -> Result<Response, WebError> {
    let Path((id, number)) = path.map_err(path_error)?;
    let Query(params) = params.map_err(query_error)?;
    state.refresh();
    let record = state.record(&id).ok_or_else(WebError::not_found)?;
    // An article on an issue's pages has no pages of its own (a search hit names the
    // issue's page its zone is on): its own page shows its zones.
    if record.is_hosted() {
        let location = HeaderValue::from_str(&format!("/doc/{}", encode(&record.id))).map_err(WebError::internal)?;
        return Ok((StatusCode::SEE_OTHER, [(LOCATION, location)]).into_response());
    }
    if number == 0 || number as usize > record.pages.len() {
        return Err(WebError::not_found());
    }
    let query = query_of(&params.q);
    let title = format!("{} — {} {number}", record.bib.title, ctx.ui.t("бет", "страница"));
    let shown_pages = shown_pages(&state, &record).await?;
    let shown = shown_pages.contains(&number);
    let body = if shown {
        let archive = state.archive.clone();
        let recognized = {
            let id = record.id.clone();
            blocking(move || files::page(&archive, &id, number).ok()).await?
        };
        let (hits, error) = match hits_of(&state, &ctx, &record, &query, &shown_pages).await? {
            Ok(hits) => (hits, None),
            Err(message) => (DocumentHits::default(), Some(message)),
        };
        let matched = recognized.as_ref().map(|page| hits.words(number, page)).unwrap_or_default();
        let view = ReaderPage {
            record: &record,
            number,
            query: &query,
            page: recognized.as_ref(),
            matched: &matched,
            hits: &hits,
            error,
        };
        reader(&ctx, &view)
    } else {
        html! {
            h1 { (record.bib.title) }
            p { (ctx.ui.t("Бет", "Страница")) " " (number) " / " (record.pages.len()) }
            (restricted_notice(&ctx, &record))
        }
    };
    let mut response = Html(layout(&ctx, &state.config.library, &title, body)).into_response();
    response.headers_mut().insert(CACHE_CONTROL, HeaderValue::from_static(content_caching(shown)));
    Ok(response)
}

fn reader(ctx: &Context, view: &ReaderPage) -> Markup {
    let ui = ctx.ui;
    let record = view.record;
    let (id, number, query) = (record.id.as_str(), view.number, view.query);
    let count = record.pages.len() as u32;
    let printed = record.bib.first_page_number.unwrap_or(1) + number - 1;
    let previous_hit = view.hits.pages.range(..number).next_back().map(|(&p, _)| p);
    let next_hit = view.hits.pages.range(number + 1..).next().map(|(&p, _)| p);
    html! {
        h1 { (record.bib.title) }
        p { a href={ "/doc/" (encode(id)) } { (ui.t("Құжат туралы", "О документе")) } }
        h2 #page-heading { (ui.t("Бет", "Страница")) " " (printed) " (" (number) " / " (count) ")" }
        nav.reader-nav aria-label=(ui.t("Беттер бойынша", "По страницам")) {
            @if number > 1 { a rel="prev" href=(page_link(id, number - 1, query)) { "← " (ui.t("Алдыңғы бет", "Предыдущая страница")) } }
            @if number < count { a rel="next" href=(page_link(id, number + 1, query)) { (ui.t("Келесі бет", "Следующая страница")) " →" } }
            form method="get" action={ "/doc/" (encode(id)) "/go" } {
                label for="goto" { (ui.t("Бетке өту", "Перейти к странице")) }
                input #goto type="number" name="page" min="1" max=(count) value=(number) required;
                @if !query.is_empty() { input type="hidden" name="q" value=(query); }
                button type="submit" { (ui.t("Өту", "Перейти")) }
            }
        }
        (thumbnails(ctx, view))
        form.search method="get" action={ "/doc/" (encode(id)) "/go" } role="search" {
            label.visually-hidden for="in-doc" { (ui.t("Құжаттан іздеу", "Поиск в документе")) }
            input #in-doc type="search" name="q" value=(query) maxlength=(MAX_QUERY_CHARS) required placeholder=(ui.t("Құжаттан іздеу", "Поиск в документе"));
            input type="hidden" name="page" value=(number);
            input type="hidden" name="find" value="1";
            button type="submit" { (ui.t("Құжаттан іздеу", "Искать в документе")) }
        }
        @if let Some(error) = &view.error { p.error role="alert" { (error) } }
        @if !query.is_empty() && view.error.is_none() {
            nav.reader-nav aria-label=(ui.t("Сәйкестіктер", "Совпадения")) {
                span role="status" {
                    @if view.hits.pages.is_empty() {
                        (ui.t("Бұл құжатта табылмады.", "В этом документе не найдено."))
                    } @else {
                        (ui.t("Осы беттегі сәйкестіктер", "Совпадений на этой странице")) ": " (view.matched.len()) "; "
                        (ui.t("сәйкестігі бар беттер", "страниц с совпадениями")) ": " (view.hits.pages.len())
                    }
                }
                @if let Some(p) = previous_hit { a.hit-link rel="prev" href=(page_link(id, p, query)) { "← " (ui.t("Алдыңғы сәйкестік", "Предыдущее совпадение")) " (" (p) ")" } }
                @if let Some(p) = next_hit { a.hit-link #next-hit rel="next" href=(page_link(id, p, query)) { (ui.t("Келесі сәйкестік", "Следующее совпадение")) " (" (p) ") →" } }
            }
        }
        (image(ctx, view, printed))
        @if let Some(page) = view.page {
            (page_text(ctx, page, view.matched))
            p { a href={ "/doc/" (encode(&record.id)) "/page/" (view.number) "/correct" } {
                (ui.t("Мәтіндегі қатені түзету немесе хабарлау", "Исправить ошибку в тексте или сообщить о ней"))
            } }
        }
        (super::cite::section(ctx, record))
        script src="/static/openseadragon/openseadragon.min.js" defer {}
        script src="/static/reader.js" defer {}
    }
}

/// The page image with the matched words outlined over it, in the page's own pixels.
fn image(ctx: &Context, view: &ReaderPage, printed: u32) -> Markup {
    let ui = ctx.ui;
    let id = encode(&view.record.id);
    // The recognized page's size, which its summary keeps: the words' boxes are in it.
    let summary = &view.record.pages[view.number as usize - 1];
    let (width, height) = (summary.width, summary.height);
    let boxes: Vec<BBox> = match view.page {
        Some(page) => {
            let words: Vec<_> = page.words().collect();
            view.matched.iter().filter_map(|&i| words.get(i).map(|w| w.bbox)).collect()
        }
        None => Vec::new(),
    };
    html! {
        div.viewer #viewer data-info={ "/iiif/3/" (id) "~" (view.number) "/info.json" } data-width=(width) data-height=(height)
            data-label=(ui.t("Беттің суретін үлкейту", "Увеличение изображения страницы"))
            data-zoom-in=(ui.t("Үлкейту", "Увеличить")) data-zoom-out=(ui.t("Кішірейту", "Уменьшить"))
            data-home=(ui.t("Бүкіл бет", "Вся страница")) data-full-page=(ui.t("Толық экран", "Во весь экран")) {
            img.page src={ "/doc/" (id) "/page/" (view.number) "/full.jpg" } width=(width) height=(height)
                alt={ (ui.t("Беттің суреті", "Изображение страницы")) " " (printed) };
            svg.hits viewBox={ "0 0 " (width) " " (height) } preserveAspectRatio="none" aria-hidden="true" focusable="false" {
                @for b in &boxes {
                    rect.hit x=(b.x0) y=(b.y0) width=(b.width()) height=(b.height()) {}
                }
            }
        }
    }
}

/// The page's recognized text, paragraph by paragraph, the matched words marked.
fn page_text(ctx: &Context, page: &RecognizedPage, matched: &[usize]) -> Markup {
    let mut paragraphs: Vec<Vec<(usize, &str)>> = Vec::new();
    let mut previous = None;
    let mut number = 0;
    for line in &page.lines {
        if previous != Some((line.block, line.paragraph)) {
            paragraphs.push(Vec::new());
            previous = Some((line.block, line.paragraph));
        }
        let paragraph = paragraphs.last_mut().expect("just pushed");
        for word in &line.words {
            paragraph.push((number, word.text.as_str()));
            number += 1;
        }
    }
    html! {
        section.page-text aria-labelledby="text-heading" {
            h2 #text-heading { (ctx.ui.t("Танылған мәтін", "Распознанный текст")) }
            @for paragraph in &paragraphs {
                p {
                    @for (i, (n, word)) in paragraph.iter().enumerate() {
                        @if i > 0 { " " }
                        @if matched.binary_search(n).is_ok() { mark { (word) } } @else { (word) }
                    }
                }
            }
        }
    }
}

/// A strip of the document's pages around this one, each a link to its permalink.
fn thumbnails(ctx: &Context, view: &ReaderPage) -> Markup {
    let ui = ctx.ui;
    let record = view.record;
    let count = record.pages.len() as u32;
    let first = view.number.saturating_sub(THUMBNAILS / 2).max(1).min(count.saturating_sub(THUMBNAILS - 1).max(1));
    let last = (first + THUMBNAILS - 1).min(count);
    html! {
        nav.thumbs aria-label=(ui.t("Құжаттың беттері", "Страницы документа")) {
            @for n in first..=last {
                @let summary = &record.pages[n as usize - 1];
                @let hit = view.hits.pages.contains_key(&n);
                a href=(page_link(&record.id, n, view.query)) class=[hit.then_some("has-hits")] aria-current=[(n == view.number).then_some("page")] {
                    img src={ "/doc/" (encode(&record.id)) "/page/" (n) "/thumb.jpg" } alt="" loading="lazy"
                        width=(THUMBNAIL_WIDTH) height=(super::images::scaled_height(summary.width, summary.height, THUMBNAIL_WIDTH));
                    (n)
                    @if hit { span.visually-hidden { " (" (ui.t("сәйкестік бар", "есть совпадения")) ")" } }
                }
            }
        }
    }
}
