//! The staff pages, behind the staff token: the request queue, fulfilling a request
//! (the copy made exactly as `olke deliver` makes it, into `archive/deliveries/`) or
//! refusing it with a reason, and downloading a copy made.

use std::sync::Arc;

use axum::extract::rejection::{FormRejection, PathRejection};
use axum::extract::{Path, State};
use axum::http::header::LOCATION;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

use super::routes::{form_error, path_error};
use super::security::{clear_staff_cookie, staff_cookie, Context};
use super::{templates, AppState, FileRegister, WebError};
use crate::archive::files;
use crate::deliver::rights::received;
use crate::deliver::{self, CopyOptions, DeliverError};
use crate::record::request::{reader_key, Request, Status};

type Page = Result<Response, WebError>;

fn see_other(to: &'static str) -> (StatusCode, HeaderMap) {
    let mut headers = HeaderMap::new();
    headers.insert(LOCATION, HeaderValue::from_static(to));
    (StatusCode::SEE_OTHER, headers)
}

pub(super) fn staff_only(ctx: &Context) -> Result<(), WebError> {
    match ctx.staff {
        Some(_) => Ok(()),
        None => Err(WebError::new(StatusCode::FORBIDDEN, "Алдымен кіріңіз: /staff", "Сначала войдите: /staff")),
    }
}

/// The register, waiting requests first, then the rest newest first.
fn register(state: &AppState) -> Result<Vec<Request>, WebError> {
    let numbers = files::request_numbers(&state.archive).map_err(WebError::internal)?;
    let mut requests: Vec<Request> = numbers
        .into_iter()
        .rev()
        .map(|n| files::request(&state.archive, n))
        .collect::<Result<_, _>>()
        .map_err(WebError::internal)?;
    requests.sort_by_key(|r| !matches!(r.status, Status::Requested));
    Ok(requests)
}

/// Requests on one page of the queue.
const QUEUE_PAGE: usize = 50;

/// The queue, filtered by `?requester=EMAIL` and `?status=`, `QUEUE_PAGE` at a time
/// (`?page=N`); each request with how many pages of its document its reader was
/// delivered before, within the window of the delivery limits.
async fn queue_page(state: &Arc<AppState>, ctx: &Context, notice: Option<String>) -> Page {
    let reader = state.clone();
    let requests = tokio::task::spawn_blocking(move || register(&reader)).await.map_err(WebError::internal)??;
    let asked = |name: &str| ctx.query.iter().find(|(k, _)| k == name).map_or("", |(_, v)| v.trim());
    let (requester, status) = (reader_key(asked("requester")), asked("status"));
    let page = asked("page").parse::<usize>().unwrap_or(1).max(1);
    let now = chrono::Utc::now();
    let matching: Vec<&Request> = requests
        .iter()
        .filter(|r| requester.is_empty() || r.requester.reader() == requester)
        .filter(|r| status.is_empty() || r.status.name() == status)
        .collect();
    let pages = matching.len().div_ceil(QUEUE_PAGE).max(1);
    let shown: Vec<(Request, usize)> = matching
        .into_iter()
        .skip((page - 1) * QUEUE_PAGE)
        .take(QUEUE_PAGE)
        .map(|r| (r.clone(), received(r, &requests, &state.config.delivery, now).len()))
        .collect();
    let view = templates::QueueView { requests: &shown, page: page.min(pages), pages, requester: &requester, status };
    Ok(Html(templates::staff_queue(ctx, &state.config.library, &view, notice.as_deref())).into_response())
}

pub(super) async fn queue(State(state): State<Arc<AppState>>, Extension(ctx): Extension<Context>) -> Page {
    if ctx.staff.is_none() {
        return Ok(
            Html(templates::staff_login(&ctx, &state.config.library, None, state.staff.is_some())).into_response()
        );
    }
    queue_page(&state, &ctx, None).await
}

/// The one key that counts failed logins from every address together.
const EVERYWHERE: &str = "everywhere";

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct LoginForm {
    token: String,
    csrf: String,
}

pub(super) async fn log_in(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    form: Result<Form<LoginForm>, FormRejection>,
) -> Page {
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    let Some(gate) = &state.staff else { return Err(WebError::not_found()) };
    // An address that guessed too often is locked out, the right token or not; so is
    // everyone while many addresses guess together.
    let limits = &state.limits;
    if let Some(wait) =
        limits.failed_logins.exhausted(&ctx.address).or(limits.failed_logins_everywhere.exhausted(EVERYWHERE))
    {
        tracing::warn!("staff login from {} refused: locked out after repeated wrong tokens", ctx.address);
        return Err(WebError::too_many(wait));
    }
    match gate.log_in(&form.token) {
        Some(session) => {
            let (status, mut headers) = see_other("/staff");
            staff_cookie(&mut headers, &session, ctx.secure_cookies);
            Ok((status, headers).into_response())
        }
        None => {
            tracing::warn!("staff login failed: a wrong token from {}", ctx.address);
            let _ = limits.failed_logins.take(&ctx.address);
            let _ = limits.failed_logins_everywhere.take(EVERYWHERE);
            // A wrong token costs the guesser a second.
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            let page = templates::staff_login(
                &ctx,
                &state.config.library,
                Some(ctx.ui.t("Токен қате.", "Неверный токен.")),
                true,
            );
            Ok((StatusCode::UNAUTHORIZED, Html(page)).into_response())
        }
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct CsrfForm {
    csrf: String,
}

pub(super) async fn log_out(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Page {
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    if let (Some(gate), Some(session)) = (&state.staff, &ctx.staff) {
        gate.log_out(session);
    }
    let (status, mut headers) = see_other("/");
    clear_staff_cookie(&mut headers, ctx.secure_cookies);
    Ok((status, headers).into_response())
}

/// Where the server puts the copy of request `number` for `document`.
fn copy_path(state: &AppState, request: &Request) -> std::path::PathBuf {
    state.archive.deliveries_dir().join(request.copy_file_name())
}

fn decision_error(error: DeliverError) -> WebError {
    if error.is_bad_request() {
        WebError::new(StatusCode::CONFLICT, error.to_string(), error.to_string())
    } else {
        WebError::internal(error)
    }
}

fn request_number(number: Result<Path<u32>, PathRejection>) -> Result<u32, WebError> {
    number.map(|Path(n)| n).map_err(path_error)
}

pub(super) async fn fulfil(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    number: Result<Path<u32>, PathRejection>,
    form: Result<Form<CsrfForm>, FormRejection>,
) -> Page {
    staff_only(&ctx)?;
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    let number = request_number(number)?;
    let worker = state.clone();
    let outcome = tokio::task::spawn_blocking(move || {
        let request = files::request(&worker.archive, number).map_err(|_| DeliverError::NoSuchRequest(number))?;
        let out = copy_path(&worker, &request);
        deliver::fulfil(&worker.archive, &FileRegister(&worker), &worker.config, number, &out, CopyOptions::default())
    })
    .await
    .map_err(WebError::internal)?
    .map_err(decision_error)?;
    let ui = ctx.ui;
    let notice = match &outcome.request.status {
        Status::Refused { reason, .. } => format!(
            "№ {number}: {} — {reason}",
            ui.t("құқықтар рұқсат етпейді, бас тартылды", "права не позволяют, отказано")
        ),
        _ => format!("№ {number}: {}", ui.t("көшірме жасалды", "копия сделана")),
    };
    queue_page(&state, &ctx, Some(notice)).await
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct RefuseForm {
    reason: String,
    csrf: String,
}

pub(super) async fn refuse(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    number: Result<Path<u32>, PathRejection>,
    form: Result<Form<RefuseForm>, FormRejection>,
) -> Page {
    staff_only(&ctx)?;
    let Form(form) = form.map_err(form_error)?;
    ctx.check_csrf(&form.csrf)?;
    let number = request_number(number)?;
    let reason = form.reason.trim().to_string();
    if reason.is_empty() || reason.chars().count() > 1000 {
        return Err(WebError::bad_request(ctx.ui.t("себеп 1–1000 таңба", "причина 1–1000 знаков")));
    }
    let worker = state.clone();
    tokio::task::spawn_blocking(move || deliver::refuse(&worker.archive, &FileRegister(&worker), number, &reason))
        .await
        .map_err(WebError::internal)?
        .map_err(decision_error)?;
    queue_page(&state, &ctx, Some(format!("№ {number}: {}", ctx.ui.t("бас тартылды", "отказано")))).await
}

/// The copy made for a delivered request (its name made here, never taken from the address).
pub(super) async fn copy(
    State(state): State<Arc<AppState>>,
    Extension(ctx): Extension<Context>,
    number: Result<Path<u32>, PathRejection>,
    headers: axum::http::HeaderMap,
) -> Page {
    staff_only(&ctx)?;
    let number = request_number(number)?;
    let worker = state.clone();
    tokio::task::spawn_blocking(move || {
        let request =
            files::request(&worker.archive, number).ok().filter(|r| matches!(r.status, Status::Delivered { .. }))?;
        let path = copy_path(&worker, &request);
        // A reader's copy: never kept by a browser or a proxy.
        super::download::pdf(
            &path,
            &request.copy_file_name(),
            super::download::Disposition::Attachment,
            "no-store",
            &headers,
        )
        .ok()
    })
    .await
    .map_err(WebError::internal)?
    .ok_or_else(WebError::not_found)
}
