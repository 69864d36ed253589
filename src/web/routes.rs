//! The public pages: home, search, documents, page images and PDFs (where rights allow),
//! collections, the delivery request form.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::rejection::{FormRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;
use tokio::sync::{Semaphore, SemaphorePermit};

use super::articles;
use super::images::{page_image as render_page_image, Size};
use super::security::Context;
use super::templates::{self, DocumentPage, Facet, PageView, RequestForm, SearchPage};
use super::{AppState, FileRegister, Snapshot, WebError};
use crate::index::document::type_name;
use crate::index::facets::Facets;
use crate::index::{Filters, SearchError, SearchRequest, SearchResults};
use crate::publish::html::kind_label;
use crate::record::pages::PageRange;
use crate::record::request::{unfit_in_text, NewRequest, Requester};
use crate::record::DocumentRecord;

/// Results on a page of search results.
const RESULTS_PER_PAGE: usize = 20;
/// Deepest offset into results (no reader pages further; bounds the work of one request).
const MAX_OFFSET: usize = 1000;
/// Longest query taken.
pub(super) const MAX_QUERY_CHARS: usize = 500;
/// Pages of a document shown at once.
const PAGES_PER_VIEW: u32 = 10;

type Page = Result<Response, WebError>;

fn html(body: String) -> Page {
    Ok(Html(body).into_response())
}

/// Blocking work (search, reading files, PDFs) off the async workers.
pub(super) async fn blocking<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, WebError> {
    tokio::task::spawn_blocking(work).await.map_err(WebError::internal)
}

/// [`AppState::articles_of`] `record`, off the async workers: what deciding which of its
/// pages may be shown needs.
pub(super) async fn articles_now(
    state: &Arc<AppState>,
    record: &crate::record::DocumentRecord,
) -> Result<Vec<crate::record::DocumentRecord>, WebError> {
    let (state, record) = (state.clone(), record.clone());
    blocking(move || state.articles_of(&record)).await
}

fn rejected(status: StatusCode, body: String) -> WebError {
    WebError::new(status, format!("Сұраныс қате: {body}"), format!("Ошибка в запросе: {body}"))
}

pub(super) fn query_error(e: QueryRejection) -> WebError {
    rejected(e.status(), e.body_text())
}

pub(super) fn form_error(e: FormRejection) -> WebError {
    rejected(e.status(), e.body_text())
}

pub(super) fn path_error(e: PathRejection) -> WebError {
    rejected(e.status(), e.body_text())
}

pub(super) async fn home(State(state): State<Arc<AppState>>, Extension(ctx): Extension<Context>) -> Page {
    state.refresh();
    html(templates::home(&ctx, &state.config.library, &state.snapshot()))
}

pub(super) async fn style() -> Response {
    ([(CONTENT_TYPE, "text/css; charset=utf-8"), (CACHE_CONTROL, "public, max-age=3600")], templates::stylesheet())
        .into_response()
}

pub(super) async fn not_found() -> WebError {
    WebError::not_found()
}

/// `/search`'s parameters: the CLI's filters, one value each.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchParams {
    q: String,
    collection: String,
    #[serde(rename = "type")]
    kind: String,
    source: String,
    year: String,
    lang: String,
    offset: usize,
}

fn filters(params: &SearchParams) -> Result<Filters, String> {
    let one = |value: &str| if value.trim().is_empty() { Vec::new() } else { vec![value.trim().to_string()] };
    let years = if params.year.trim().is_empty() {
        None
    } else {
        Some(params.year.trim().parse().map_err(|e: String| e.replace("--year ", ""))?)
    };
    Ok(Filters {
        collections: one(&params.collection),
        types: one(&params.kind),
        source: (!params.source.trim().is_empty()).then(|| params.source.trim().to_string()),
        years,
        langs: one(&params.lang),
    })
}

/// Collection, type, source, decade and language of the documents found.
fn facets(ctx: &Context, snapshot: &Snapshot, results: &SearchResults) -> Vec<Facet> {
    let found: Vec<_> = results.matched.iter().filter_map(|id| snapshot.get(id)).collect();
    if found.is_empty() {
        return Vec::new();
    }
    let ui = ctx.ui;
    let facets = Facets::of(&found);
    let same = |values: Vec<(String, usize)>| values.into_iter().map(|(value, n)| (value.clone(), value, n)).collect();
    let facet = |param, title, values: Vec<(String, String, usize)>| Facet { param, title, values };
    vec![
        facet("collection", ("Жинақ", "Коллекция"), same(facets.collections)),
        facet(
            "type",
            ("Түрі", "Вид"),
            facets
                .types
                .into_iter()
                .map(|(kind, n)| (type_name(kind).to_string(), ui.pick(kind_label(Some(kind))).to_string(), n))
                .collect(),
        ),
        facet("source", ("Басылым", "Издание"), same(facets.sources)),
        facet(
            "year",
            ("Жылдар", "Годы"),
            facets
                .decades
                .into_iter()
                .map(|(decade, n)| (format!("{decade}..{}", decade + 9), format!("{decade}–"), n))
                .collect(),
        ),
        facet(
            "lang",
            ("Тілі", "Язык"),
            facets
                .languages
                .into_iter()
                .map(|(code, n)| (code.clone(), super::i18n::language_name(ui, &code), n))
                .collect(),
        ),
    ]
    .into_iter()
    .filter(|f| !f.values.is_empty())
    .collect()
}

pub(super) async fn search(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    params: Result<Query<SearchParams>, QueryRejection>,
) -> Page {
    let Query(params) = params.map_err(query_error)?;
    let library = &state.config.library;
    let query = params.q.trim().to_string();
    if query.is_empty() {
        return html(templates::home(&ctx, library, &state.snapshot()));
    }
    state.limits.searches.take(&ctx.address).map_err(WebError::too_many)?;
    let invalid = |message: String| {
        let body = templates::search(
            &ctx,
            library,
            SearchPage {
                query: &query,
                results: None,
                facets: &[],
                error: Some(message),
                limit: RESULTS_PER_PAGE,
                search_only: &HashSet::new(),
            },
        );
        Ok((StatusCode::BAD_REQUEST, Html(body)).into_response())
    };
    if query.chars().count() > MAX_QUERY_CHARS {
        return invalid(format!("{} ({MAX_QUERY_CHARS})", ctx.ui.t("Сұраныс тым ұзын", "Слишком длинный запрос")));
    }
    if params.offset > MAX_OFFSET {
        return invalid(format!("offset ≤ {MAX_OFFSET}"));
    }
    let filters = match filters(&params) {
        Ok(filters) => filters,
        Err(message) => return invalid(message),
    };
    state.refresh();
    let Some(index) = state.index() else {
        return Err(WebError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "Іздеу индексі әлі жасалмаған.",
            "Поисковый индекс ещё не создан.",
        ));
    };
    let request = SearchRequest {
        query: query.clone(),
        filters,
        limit: RESULTS_PER_PAGE,
        count_matches: true,
        offset: params.offset,
    };
    let outcome = blocking(move || index.search(&request)).await?;
    let results = match outcome {
        Ok(results) => results,
        Err(e) if e.is_usage() => {
            let message = match e {
                SearchError::Query(bad) => {
                    bad.pointer(&query).map(|p| format!("{bad}\n{p}")).unwrap_or_else(|| bad.to_string())
                }
                other => other.to_string(),
            };
            return invalid(message);
        }
        Err(e) => return Err(WebError::internal(e)),
    };
    let facets = facets(&ctx, &state.snapshot(), &results);
    // Search-only access to what may not be shown: where the words are, never the text
    // around them (staff, logged in, see it). Rights are read as they are now.
    let mut results = results;
    let mut search_only = HashSet::new();
    // A snippet is of one page: shown where that page may be (an issue's page by the
    // articles on it).
    if ctx.staff.is_none() {
        let hits = std::mem::take(&mut results.hits);
        let state = state.clone();
        let (hits, restricted) = blocking(move || {
            let mut restricted = HashSet::new();
            let mut hits = hits;
            for hit in &mut hits {
                let page = hit.snippet.as_ref().map(|s| s.page).or(hit.pages.first().copied()).unwrap_or(1);
                let record = state.record(&hit.id);
                let shown = record.as_ref().is_some_and(|record| record.page_shown(page, &state.articles_of(record)));
                if !shown {
                    hit.snippet = None;
                    restricted.insert(hit.id.clone());
                } else if record
                    .is_some_and(|article| article.is_hosted() && !articles::page_clear(&state, &article, page))
                {
                    // A shown article whose zone another one, withheld, overlaps: no text around the words.
                    hit.snippet = None;
                }
            }
            (hits, restricted)
        })
        .await?;
        results.hits = hits;
        search_only = restricted;
    }
    let page = SearchPage {
        query: &query,
        results: Some(&results),
        facets: &facets,
        error: None,
        limit: RESULTS_PER_PAGE,
        search_only: &search_only,
    };
    html(templates::search(&ctx, library, page))
}

fn find(state: &AppState, id: Result<Path<String>, PathRejection>) -> Result<crate::record::DocumentRecord, WebError> {
    let Path(id) = id.map_err(path_error)?;
    state.record(&id).ok_or_else(WebError::not_found)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DocumentParams {
    /// A PDF page to show (the view holding it).
    page: u32,
}

pub(super) async fn document(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    id: Result<Path<String>, PathRejection>,
    params: Result<Query<DocumentParams>, QueryRejection>,
) -> Page {
    let Query(params) = params.map_err(query_error)?;
    state.refresh();
    let record = find(&state, id)?;
    let count = record.pages.len() as u32;
    // Views of PAGES_PER_VIEW pages; the one holding `page`.
    let start = params.page.clamp(1, count.max(1)).saturating_sub(1) / PAGES_PER_VIEW * PAGES_PER_VIEW + 1;
    let end = (start + PAGES_PER_VIEW - 1).min(count);
    // An issue's articles, their rights as they are now: which of its pages are shown.
    let articles = articles_now(&state, &record).await?;
    let shown = record.pages_shown(&articles);
    let texts = if shown.is_empty() { BTreeMap::new() } else { shown_texts(&state, &record, &shown).await? };
    let first_printed = record.bib.first_page_number.unwrap_or(1);
    let pages: Vec<PageView> = (start..=end)
        .map(|n| PageView { printed: first_printed + n - 1, pdf: n, text: texts.get(&n).cloned().unwrap_or_default() })
        .collect();
    let host = record.host.as_deref().and_then(|host| state.record(host));
    let page = DocumentPage {
        record: &record,
        pages: &pages,
        host: host.as_ref(),
        articles: &articles,
        shown: &shown,
        whole: record.whole_shown(&articles),
        texts: &texts,
        previous: (start > 1).then(|| start - PAGES_PER_VIEW),
        next: (end < count).then_some(end + 1),
    };
    let caching = content_caching(!shown.is_empty());
    let mut response = html(templates::document(&ctx, &state.config.library, page))?;
    response.headers_mut().insert(CACHE_CONTROL, axum::http::HeaderValue::from_static(caching));
    Ok(response)
}

/// The texts of `record`'s pages that are `shown`, by page: a hosted article's read from
/// its issue's pages, less what withheld articles overlapping it have there (the index
/// holds its zones' words as ingested, whatever the rights now); any other's from the
/// index.
async fn shown_texts(
    state: &Arc<AppState>,
    record: &DocumentRecord,
    shown: &[u32],
) -> Result<BTreeMap<u32, String>, WebError> {
    let mut texts = if record.is_hosted() {
        let (state, record) = (state.clone(), record.clone());
        blocking(move || articles::shown_texts(&state, &record)).await?
    } else if let Some(index) = state.index() {
        let id = record.id.clone();
        blocking(move || index.page_texts(&id)).await?.map_err(WebError::internal)?
    } else {
        BTreeMap::new()
    };
    texts.retain(|page, _| shown.contains(page));
    Ok(texts)
}

pub(super) fn refused_whole() -> WebError {
    WebError::new(
        StatusCode::FORBIDDEN,
        "Бұл шығарма авторлық құқықпен қорғалған: толық PDF берілмейді. Беттердің көшірмесін сұраңыз.",
        "Произведение охраняется авторским правом: полный PDF не выдаётся. Закажите копию страниц.",
    )
}

/// How a response with a document's content may be cached: of what may not be `shown`
/// (a work, or a page of it), nowhere; of the rest, only as long as the server says again
/// that it may be (a rights change, the work's or an article's on the page, reaches the
/// next request).
pub(super) fn content_caching(shown: bool) -> &'static str {
    if shown {
        "no-cache"
    } else {
        "private, no-store"
    }
}

/// The whole PDF, of a document whose rights allow it (of an issue, only when every page
/// may be shown); never of any other.
pub(super) async fn document_pdf(
    State(state): State<Arc<AppState>>,
    id: Result<Path<String>, PathRejection>,
    headers: axum::http::HeaderMap,
) -> Page {
    let record = find(&state, id)?;
    if !record.whole_shown(&articles_now(&state, &record).await?) {
        return Err(refused_whole());
    }
    let path = state.archive.pdf_path(&record.id);
    let name = format!("{}.pdf", record.id);
    let caching = content_caching(true);
    blocking(move || super::download::pdf(&path, &name, super::download::Disposition::Inline, caching, &headers))
        .await?
        .map_err(WebError::internal)
}

/// Page images decoded at once: a decoded page can take a hundred megabytes and more, so
/// their number, not the readers', bounds the server's memory.
const DECODES_AT_ONCE: usize = 2;
/// How long a request waits for its turn to decode before it is told to come back.
const DECODE_WAIT: Duration = Duration::from_secs(20);

/// A turn to decode a page image, of [`DECODES_AT_ONCE`]; the next requests wait for one
/// (a page of search results asks for its thumbnails all at once), up to [`DECODE_WAIT`],
/// then are answered 503 with Retry-After rather than hold their connection longer.
pub(super) async fn decode_turn() -> Result<SemaphorePermit<'static>, WebError> {
    static DECODES: Semaphore = Semaphore::const_new(DECODES_AT_ONCE);
    match tokio::time::timeout(DECODE_WAIT, DECODES.acquire()).await {
        Ok(Ok(turn)) => Ok(turn),
        _ => Err(WebError {
            retry_after: Some(Duration::from_secs(10)),
            ..WebError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "Сервер бос емес; кейінірек қайталаңыз.",
                "Сервер занят; повторите позже.",
            )
        }),
    }
}

/// A page's image: small for any document, readable only where the page may be shown.
pub(super) async fn page_image(
    State(state): State<Arc<AppState>>,
    params: Result<Path<(String, u32, String)>, PathRejection>,
) -> Page {
    let Path((id, page, size)) = params.map_err(path_error)?;
    let size = Size::parse(&size).ok_or_else(WebError::not_found)?;
    let record = state.record(&id).ok_or_else(WebError::not_found)?;
    if record.is_hosted() {
        return articles::page_image(&state, record, page, size).await;
    }
    if page == 0 || page as usize > record.pages.len() {
        return Err(WebError::not_found());
    }
    let shown = record.page_shown(page, &articles_now(&state, &record).await?);
    if size == Size::Full && !shown {
        return Err(refused_whole());
    }
    let caching = content_caching(shown);
    let archive = state.archive.clone();
    // Cached or not (the turn's wait lets one request make what the next ones read).
    let _turn = decode_turn().await?;
    let bytes =
        blocking(move || render_page_image(&archive, &record, page, size)).await?.ok_or_else(WebError::not_found)?;
    Ok(([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, caching)], bytes).into_response())
}

pub(super) async fn collections(State(state): State<Arc<AppState>>, Extension(ctx): Extension<Context>) -> Page {
    state.refresh();
    html(templates::collections(&ctx, &state.config.library, &state.snapshot()))
}

pub(super) async fn collection(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    name: Result<Path<String>, PathRejection>,
) -> Page {
    let Path(name) = name.map_err(path_error)?;
    state.refresh();
    let snapshot = state.snapshot();
    let documents: Vec<_> = snapshot.documents.iter().filter(|d| d.bib.collections.contains(&name)).collect();
    if documents.is_empty() {
        return Err(WebError::not_found());
    }
    html(templates::collection(&ctx, &state.config.library, &name, &documents))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RequestParams {
    doc: String,
    pages: String,
}

pub(super) async fn request_form(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    params: Result<Query<RequestParams>, QueryRejection>,
) -> Page {
    let Query(params) = params.map_err(query_error)?;
    let form = RequestForm {
        document: params.doc.chars().take(200).collect(),
        pages: params.pages.chars().take(20).collect(),
        ..RequestForm::default()
    };
    html(templates::request_form(&ctx, &state.config.library, &form, None))
}

/// What is wrong with a delivery form, for the reader; or the request it makes.
fn new_request(form: &RequestForm) -> Result<NewRequest, (&'static str, &'static str, String)> {
    let fields = [
        ("name", &form.name, 200),
        ("email", &form.email, 254),
        ("document", &form.document, 200),
        ("pages", &form.pages, 20),
        ("purpose", &form.purpose, 1000),
    ];
    for (field, value, max) in fields {
        // Only the purpose may run to several lines; < and > would cut "Name <email>".
        let several_lines = field == "purpose";
        let unfit = |c: char| unfit_in_text(c, several_lines) || (!several_lines && matches!(c, '<' | '>'));
        if value.chars().count() > max || value.chars().any(unfit) {
            return Err((
                "Өріс тым ұзын немесе рұқсат етілмеген таңба бар",
                "Поле слишком длинное или содержит недопустимые символы",
                field.to_string(),
            ));
        }
    }
    let requester = Requester::parse(&format!("{} <{}>", form.name.trim(), form.email.trim()))
        .map_err(|e| ("Аты мен электрондық поштаны тексеріңіз", "Проверьте имя и адрес почты", e))?;
    let pages = if form.pages.trim().is_empty() {
        None
    } else {
        Some(PageRange::parse(&form.pages).map_err(|e| ("Беттерді тексеріңіз", "Проверьте страницы", e))?)
    };
    let purpose = form.purpose.trim();
    Ok(NewRequest {
        requester,
        purpose: (!purpose.is_empty()).then(|| purpose.to_string()),
        document: form.document.trim().to_string(),
        pages,
    })
}

pub(super) async fn request_submit(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    form: Result<Form<RequestForm>, FormRejection>,
) -> Page {
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    state.limits.requests_per_address.take(&ctx.address).map_err(WebError::too_many)?;
    let library = &state.config.library;
    let again = |message: String| {
        Ok((StatusCode::BAD_REQUEST, Html(templates::request_form(&ctx, library, &form, Some(&message))))
            .into_response())
    };
    let new = match new_request(&form) {
        Ok(new) => new,
        Err((kk, ru, detail)) => return again(format!("{}: {detail}", ctx.ui.t(kk, ru))),
    };
    state.limits.requests_per_reader.take(&new.requester.reader()).map_err(WebError::too_many)?;
    let filer = state.clone();
    let filed = blocking(move || crate::deliver::file(&filer.archive, &FileRegister(&filer), new)).await?;
    match filed {
        Ok(request) => html(templates::request_filed(&ctx, library, &request)),
        Err(e) if e.is_bad_request() => again(e.to_string()),
        Err(e) => Err(WebError::internal(e)),
    }
}
