//! The correction view, `/doc/ID/page/N/correct`: the page line by line, each line's image
//! beside its recognized text. Staff correct a line (through [`crate::correct::apply`], as
//! `olke correct` does) and revert a corrected one; registered volunteers, when
//! `[corrections] volunteers` allows, send corrections that wait for staff on
//! `/staff/corrections`; every reader may report an error on a line, which waits there too
//! ([`crate::correct::queue`]). The view and its line images are shown to those who may see
//! the page's image: staff always, others when the document's rights allow its full text.
//!
//! A change takes the archive's writer lock for as long as it is written; while an ingest
//! holds it, staff are asked to try again.

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use chrono::Utc;
use maud::{html, Markup};
use serde::Deserialize;

use super::images::{page_image, Size};
use super::routes::{form_error, path_error};
use super::security::{same_secret, Context};
use super::staff::staff_only;
use super::{templates, AppState, WebError};
use crate::config::Corrections;
use crate::correct::queue::{self, Decision, Item, Proposal};
use crate::correct::{self, Change, Request};
use crate::page::RecognizedPage;
use crate::record::DocumentRecord;

type Page = Result<Response, WebError>;

/// Longest line text or note accepted.
const MAX_TEXT_CHARS: usize = 1000;

/// Who sends a change, as the history names them.
const STAFF: &str = "staff";

/// The volunteer whose token `given` is, when volunteers may correct. Every token is
/// compared, whichever matches, so the time taken tells nothing.
fn volunteer<'a>(corrections: &'a Corrections, given: &str) -> Option<&'a str> {
    if !corrections.volunteers || given.is_empty() {
        return None;
    }
    let mut found = None;
    for (name, token) in &corrections.accounts {
        if same_secret(given, token) {
            found = Some(name.as_str());
        }
    }
    found
}

/// Document `id`'s record and page `page`, when this browser may see the page's image
/// (blocking: rights are read now).
fn visible(state: &AppState, ctx: &Context, id: &str, page: u32) -> Result<(DocumentRecord, RecognizedPage), WebError> {
    let record = state.record(id).ok_or_else(WebError::not_found)?;
    if page == 0 || page as usize > record.pages.len() {
        return Err(WebError::not_found());
    }
    if ctx.staff.is_none() && !record.page_shown(page, &state.articles_of(&record)) {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "Бұл құжаттың беттерін тек кітапханада көруге болады.",
            "Страницы этого документа можно смотреть только в библиотеке.",
        ));
    }
    let recognized = crate::archive::files::page(&state.archive, id, page).map_err(WebError::internal)?;
    Ok((record, recognized))
}

fn line_path(id: &str, page: u32, what: &str, line: usize) -> String {
    format!("/doc/{id}/page/{page}/{what}/{line}")
}

/// The view's page, with `notice` said above the lines.
async fn render(state: &Arc<AppState>, ctx: &Context, id: String, page: u32, notice: Option<String>) -> Page {
    let worker = state.clone();
    let looker = ctx.clone();
    let (record, recognized) = tokio::task::spawn_blocking(move || visible(&worker, &looker, &id, page))
        .await
        .map_err(WebError::internal)??;
    let ui = ctx.ui;
    let staff = ctx.staff.is_some();
    let volunteers = state.config.corrections.volunteers;
    let id = &record.id;
    let body = html! {
        h1 { (ui.t("Мәтінді түзету", "Исправление текста")) ": " (record.bib.title) ", " (ui.t("бет", "стр.")) " " (page) }
        p { a href=(format!("/doc/{id}")) { (ui.t("Құжатқа оралу", "К документу")) } }
        @if let Some(notice) = &notice { p.notice role="status" { (notice) } }
        @if recognized.lines.is_empty() { p { (ui.t("Бұл бетте танылған мәтін жоқ.", "На этой странице нет распознанного текста.")) } }
        ol.lines {
            @for (i, line) in recognized.lines.iter().enumerate() {
                @let number = i + 1;
                li id=(format!("line-{number}")) {
                    img.line src=(line_path(id, page, "line", number)) alt=(format!("{} {number}", ui.t("Беттегі жол", "Строка на странице")));
                    @if line.corrected { p { strong { (ui.t("Түзетілген", "Исправлена")) } } }
                    @if staff || volunteers {
                        (correction_form(ctx, id, page, number, &line.text(), staff))
                    } @else {
                        p { (line.text()) }
                    }
                    @if staff && line.corrected {
                        form.inline method="post" action=(line_path(id, page, "revert", number)) {
                            input type="hidden" name="csrf" value=(ctx.csrf);
                            button type="submit" { (ui.t("OCR мәтінін қайтару", "Вернуть текст OCR")) }
                        }
                    }
                    @if !staff { (report_form(ctx, id, page, number)) }
                }
            }
        }
    };
    let title = ui.t("Мәтінді түзету", "Исправление текста");
    Ok(Html(templates::layout(ctx, &state.config.library, title, body)).into_response())
}

fn correction_form(ctx: &Context, id: &str, page: u32, number: usize, text: &str, staff: bool) -> Markup {
    let ui = ctx.ui;
    html! {
        form.stack method="post" action=(line_path(id, page, "correct", number)) {
            label for=(format!("text-{number}")) { (ui.t("Жол", "Строка")) " " (number) }
            input id=(format!("text-{number}")) type="text" name="text" value=(text) maxlength="1000" required;
            @if !staff {
                label for=(format!("token-{number}")) { (ui.t("Ерікті токені", "Токен волонтёра")) }
                input id=(format!("token-{number}")) type="password" name="token" autocomplete="current-password" required;
            }
            input type="hidden" name="csrf" value=(ctx.csrf);
            button type="submit" {
                @if staff { (ui.t("Түзету", "Исправить")) } @else { (ui.t("Түзетуді жіберу", "Отправить исправление")) }
            }
        }
    }
}

fn report_form(ctx: &Context, id: &str, page: u32, number: usize) -> Markup {
    let ui = ctx.ui;
    html! {
        form.stack method="post" action=(line_path(id, page, "report", number)) {
            label for=(format!("note-{number}")) { (ui.t("Осы жолдағы қате туралы хабарлау", "Сообщить об ошибке в этой строке")) }
            textarea id=(format!("note-{number}")) name="note" maxlength="1000" rows="2" required {}
            input type="hidden" name="csrf" value=(ctx.csrf);
            button type="submit" { (ui.t("Хабарлау", "Сообщить")) }
        }
    }
}

type PagePath = Result<Path<(String, u32)>, PathRejection>;
/// A line's place: the document, the page and the line.
type LineAt = (String, u32, u32);
type LinePath = Result<Path<LineAt>, PathRejection>;

pub(super) async fn view(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: PagePath,
) -> Page {
    let Path((id, page)) = path.map_err(path_error)?;
    render(&state, &ctx, id, page, None).await
}

/// A line's image: the page's web image cut to the line's box, a little margin around it.
pub(super) async fn line_image(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: LinePath,
) -> Page {
    let Path((id, page, line)) = path.map_err(path_error)?;
    let worker = state.clone();
    let bytes = tokio::task::spawn_blocking(move || -> Result<Vec<u8>, WebError> {
        let (record, recognized) = visible(&worker, &ctx, &id, page)?;
        let line = recognized.lines.get((line as usize).wrapping_sub(1)).ok_or_else(WebError::not_found)?;
        let jpeg = page_image(&worker.archive, &record, page, Size::Full).ok_or_else(WebError::not_found)?;
        let image = image::load_from_memory(&jpeg).map_err(WebError::internal)?;
        let scale = image.width() as f32 / recognized.width.max(1) as f32;
        let margin = line.bbox.height() / 4;
        let (x0, y0) = (line.bbox.x0.saturating_sub(margin), line.bbox.y0.saturating_sub(margin));
        let at = |v: u32| (v as f32 * scale).round() as u32;
        let (left, top) = (at(x0).min(image.width() - 1), at(y0).min(image.height() - 1));
        let width = at(line.bbox.x1 + margin).clamp(left + 1, image.width()) - left;
        let height = at(line.bbox.y1 + margin).clamp(top + 1, image.height()) - top;
        super::images::jpeg(&image.crop_imm(left, top, width, height)).ok_or_else(|| WebError::internal("JPEG"))
    })
    .await
    .map_err(WebError::internal)??;
    Ok(([(CONTENT_TYPE, "image/jpeg"), (CACHE_CONTROL, "private, no-cache")], bytes).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LineForm {
    text: String,
    token: String,
    note: String,
    csrf: String,
}

/// Applies a change under the writer lock, as the command line does.
fn apply(state: &AppState, request: &Request) -> Result<correct::Entry, WebError> {
    let mut writer = crate::integrity::open_for_writing(&state.archive).map_err(|e| {
        let said = format!("{e}");
        WebError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("Мұрағат қазір жазылып жатыр; біраздан соң қайталаңыз ({said})."),
            format!("Архив сейчас записывается; повторите позже ({said})."),
        )
    })?;
    let outcome = correct::apply(&mut writer, &state.archive, request);
    writer.finish().map_err(WebError::internal)?;
    outcome.map_err(|e| {
        if e.is_usage() {
            WebError::new(StatusCode::CONFLICT, e.to_string(), e.to_string())
        } else {
            WebError::internal(e)
        }
    })
}

/// What a form sent for a line, checked: the line exists and the browser may see it.
async fn checked_line(
    state: &Arc<AppState>,
    ctx: &Context,
    id: &str,
    page: u32,
    line: u32,
) -> Result<String, WebError> {
    let (worker, looker, id) = (state.clone(), ctx.clone(), id.to_string());
    let (_, recognized) = tokio::task::spawn_blocking(move || visible(&worker, &looker, &id, page))
        .await
        .map_err(WebError::internal)??;
    let text = recognized.lines.get((line as usize).wrapping_sub(1)).ok_or_else(WebError::not_found)?.text();
    Ok(text)
}

/// A line's form as sent: the line it is for, its CSRF token checked, and the text `pick`
/// takes from it (trimmed, 1–1000 characters).
fn sent(
    ctx: &Context,
    path: LinePath,
    form: Result<Form<LineForm>, FormRejection>,
    pick: fn(&LineForm) -> &str,
) -> Result<(LineAt, String, LineForm), WebError> {
    let Path(line) = path.map_err(path_error)?;
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    let text = pick(&form).trim().to_string();
    if text.is_empty() || text.chars().count() > MAX_TEXT_CHARS {
        return Err(WebError::bad_request(ctx.ui.t("мәтін 1–1000 таңба", "текст 1–1000 знаков")));
    }
    Ok((line, text, form))
}

/// A correction: applied at once for staff, filed for staff to approve for a volunteer.
pub(super) async fn submit(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: LinePath,
    form: Result<Form<LineForm>, FormRejection>,
) -> Page {
    let ((id, page, line), text, form) = sent(&ctx, path, form, |f| &f.text)?;
    let line_text = checked_line(&state, &ctx, &id, page, line).await?;
    let ui = ctx.ui;
    if ctx.staff.is_some() {
        let request = Request { id: id.clone(), page, line, change: Change::Text(text), by: STAFF.to_string() };
        let worker = state.clone();
        tokio::task::spawn_blocking(move || apply(&worker, &request)).await.map_err(WebError::internal)??;
        let notice = format!("{} {line}: {}", ui.t("Жол", "Строка"), ui.t("түзетілді", "исправлена"));
        return render(&state, &ctx, id, page, Some(notice)).await;
    }
    let limits = &state.limits;
    if let Some(wait) = limits.failed_logins.exhausted(&ctx.address) {
        return Err(WebError::too_many(wait));
    }
    let Some(by) = volunteer(&state.config.corrections, &form.token).map(str::to_string) else {
        tracing::warn!("a correction with a wrong volunteer token from {}", ctx.address);
        let _ = limits.failed_logins.take(&ctx.address);
        return Err(WebError::new(StatusCode::FORBIDDEN, "Ерікті токені қате.", "Неверный токен волонтёра."));
    };
    let proposal = Proposal::Correction { text, by };
    file(&state, id.clone(), page, line, line_text, proposal).await?;
    let notice = ui.t(
        "Түзету жіберілді; қызметкерлер қарағаннан кейін қолданылады.",
        "Исправление отправлено; оно будет применено после проверки сотрудниками.",
    );
    render(&state, &ctx, id, page, Some(notice.to_string())).await
}

async fn file(
    state: &Arc<AppState>,
    id: String,
    page: u32,
    line: u32,
    line_text: String,
    proposal: Proposal,
) -> Result<Item, WebError> {
    let item = Item { number: 0, id, page, line, line_text, proposal, filed: Utc::now(), decision: Decision::Waiting };
    let worker = state.clone();
    tokio::task::spawn_blocking(move || queue::file(&worker.archive, item))
        .await
        .map_err(WebError::internal)?
        .map_err(WebError::internal)
}

/// A reader's report of an error on a line: a note for staff, limited as requests are.
pub(super) async fn report(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: LinePath,
    form: Result<Form<LineForm>, FormRejection>,
) -> Page {
    let ((id, page, line), note, _) = sent(&ctx, path, form, |f| &f.note)?;
    let line_text = checked_line(&state, &ctx, &id, page, line).await?;
    state.limits.requests_per_address.take(&ctx.address).map_err(WebError::too_many)?;
    file(&state, id.clone(), page, line, line_text, Proposal::Report { note }).await?;
    let notice =
        ctx.ui.t("Рахмет! Хабарламаңыз қызметкерлерге жіберілді.", "Спасибо! Ваше сообщение передано сотрудникам.");
    render(&state, &ctx, id, page, Some(notice.to_string())).await
}

/// Staff revert a corrected line to what OCR read.
pub(super) async fn revert(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: LinePath,
    form: Result<Form<LineForm>, FormRejection>,
) -> Page {
    staff_only(&ctx)?;
    let Path((id, page, line)) = path.map_err(path_error)?;
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    let request = Request { id: id.clone(), page, line, change: Change::Revert, by: STAFF.to_string() };
    let worker = state.clone();
    tokio::task::spawn_blocking(move || apply(&worker, &request)).await.map_err(WebError::internal)??;
    let ui = ctx.ui;
    let notice = format!("{} {line}: {}", ui.t("Жол", "Строка"), ui.t("OCR мәтіні қайтарылды", "возвращён текст OCR"));
    render(&state, &ctx, id, page, Some(notice)).await
}

/// The review queue: what waits, oldest first.
async fn queue_page(state: &Arc<AppState>, ctx: &Context, notice: Option<String>) -> Page {
    staff_only(ctx)?;
    let worker = state.clone();
    let items = tokio::task::spawn_blocking(move || queue::items(&worker.archive))
        .await
        .map_err(WebError::internal)?
        .map_err(WebError::internal)?;
    let ui = ctx.ui;
    let waiting: Vec<&Item> = items.iter().filter(|i| i.decision == Decision::Waiting).collect();
    let body = html! {
        h1 { (ui.t("Мәтін түзетулері мен хабарламалар", "Исправления текста и сообщения")) }
        p { a href="/staff" { (ui.t("Сұраныстар кезегі", "Очередь запросов")) } }
        @if let Some(notice) = &notice { p.notice role="status" { (notice) } }
        @if waiting.is_empty() { p { (ui.t("Күтіп тұрған ештеңе жоқ.", "Ничего не ожидает.")) } }
        @else {
            table {
                thead { tr {
                    th { "№" } th { (ui.t("Жол", "Строка")) } th { (ui.t("Қазіргі мәтін", "Текст сейчас")) }
                    th { (ui.t("Ұсыныс", "Предложение")) } th { (ui.t("Шешім", "Решение")) }
                } }
                tbody {
                    @for item in &waiting {
                        tr {
                            td { (item.number) }
                            td { a href=(format!("/doc/{}/page/{}/correct#line-{}", item.id, item.page, item.line)) { (item.id) ", " (ui.t("бет", "стр.")) " " (item.page) ", " (ui.t("жол", "строка")) " " (item.line) } }
                            td { (item.line_text) }
                            @match &item.proposal {
                                Proposal::Correction { text, by } => td { (text) " — " (by) }
                                Proposal::Report { note } => td { (ui.t("Хабарлама", "Сообщение")) ": " (note) }
                            }
                            td {
                                @for (verdict, label) in verdicts(ctx, &item.proposal) {
                                    form.inline method="post" action=(format!("/staff/corrections/{}/{verdict}", item.number)) {
                                        input type="hidden" name="csrf" value=(ctx.csrf);
                                        button type="submit" { (label) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    let title = ui.t("Мәтін түзетулері", "Исправления текста");
    Ok(Html(templates::layout(ctx, &state.config.library, title, body)).into_response())
}

fn verdicts(ctx: &Context, proposal: &Proposal) -> [(&'static str, &'static str); 2] {
    let ui = ctx.ui;
    match proposal {
        Proposal::Correction { .. } => {
            [("approve", ui.t("Қолдану", "Применить")), ("reject", ui.t("Қабылдамау", "Отклонить"))]
        }
        Proposal::Report { .. } => [("approve", ui.t("Қаралды", "Рассмотрено")), ("reject", ui.t("Жабу", "Закрыть"))],
    }
}

pub(super) async fn queue(State(state): State<Arc<AppState>>, Extension(ctx): Extension<Context>) -> Page {
    queue_page(&state, &ctx, None).await
}

/// Approving a volunteer's correction applies it (in the volunteer's name); a report is
/// approved once staff saw to it. Rejecting leaves the text as it is.
pub(super) async fn decide(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    path: Result<Path<(u32, String)>, PathRejection>,
    form: Result<Form<LineForm>, FormRejection>,
) -> Page {
    staff_only(&ctx)?;
    let Path((number, verdict)) = path.map_err(path_error)?;
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    let approve = match verdict.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(WebError::not_found()),
    };
    let worker = state.clone();
    tokio::task::spawn_blocking(move || -> Result<(), WebError> {
        let mut item =
            queue::item(&worker.archive, number).map_err(WebError::internal)?.ok_or_else(WebError::not_found)?;
        if item.decision != Decision::Waiting {
            return Err(WebError::new(StatusCode::CONFLICT, "Бұл шешілген.", "Это уже решено."));
        }
        if let (true, Proposal::Correction { text, by }) = (approve, &item.proposal) {
            let change = Change::Text(text.clone());
            apply(&worker, &Request { id: item.id.clone(), page: item.page, line: item.line, change, by: by.clone() })?;
        }
        let (by, at) = (STAFF.to_string(), Utc::now());
        item.decision = if approve { Decision::Approved { by, at } } else { Decision::Rejected { by, at } };
        queue::decide(&worker.archive, &item).map_err(WebError::internal)
    })
    .await
    .map_err(WebError::internal)??;
    let ui = ctx.ui;
    let said = if approve {
        ui.t("қабылданды", "принято")
    } else {
        ui.t("қабылданбады", "отклонено")
    };
    queue_page(&state, &ctx, Some(format!("№ {number}: {said}"))).await
}
