//! What every response goes through: the reader's interface language and the CSRF token
//! (both remembered in cookies), the staff session, security headers and caching, bounds
//! on what a client may send in the address (its size, no control characters) and on how
//! long it may take to send a request's body.
//!
//! CSRF: each browser gets a random id in an HttpOnly, SameSite=Strict cookie, and every
//! form carries a token made of it with the server's secret (HMAC-SHA-256) in a hidden
//! field; a post is taken only when the field is the token of the browser's own id
//! (compared in constant time). A page from another site can neither read the cookie nor
//! make the browser send it along, and an id planted in the browser by someone else gets
//! them no token, which needs the secret.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::header::{HeaderName, HeaderValue, CACHE_CONTROL, CONNECTION, COOKIE, SET_COOKIE, VARY};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::i18n::Ui;
use super::{AppState, WebError};

const CSRF_COOKIE: &str = "olke_csrf";
const UI_COOKIE: &str = "olke_ui";
const STAFF_COOKIE: &str = "olke_staff";
/// Longest address (path and query) answered; longer ones get 414. A query as long as the
/// search box takes fits with room for the filters: a Kazakh or Russian letter is two bytes
/// of UTF-8, six percent-encoded.
pub(crate) const MAX_URI_BYTES: usize = super::routes::MAX_QUERY_CHARS * 6 + 1024;
/// How long a client has to send a request's body once its headers are in.
const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// How long a staff session lasts without being used.
const STAFF_SESSION: Duration = Duration::from_secs(8 * 3600);

/// 32 random bytes, hex: session ids and CSRF tokens.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system gives random bytes");
    hex::encode(bytes)
}

/// Equal, in time that depends only on the lengths: nothing about a secret leaks through
/// how soon a wrong guess is turned down.
pub(crate) fn same_secret(given: &str, secret: &str) -> bool {
    let (given, secret) = (given.as_bytes(), secret.as_bytes());
    let differences = given.iter().zip(secret).fold(0u8, |acc, (a, b)| acc | (a ^ b));
    differences == 0 && given.len() == secret.len()
}

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find_map(|(key, value)| (key == name).then_some(value))
}

fn is_token(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The staff token and the open sessions.
pub struct StaffGate {
    token: String,
    sessions: Mutex<HashMap<String, Instant>>,
}

impl StaffGate {
    /// The shortest token accepted: a guessable one would open the register to anyone.
    pub const MIN_TOKEN_CHARS: usize = 16;

    pub fn new(token: String) -> StaffGate {
        StaffGate { token, sessions: Mutex::new(HashMap::new()) }
    }

    /// A new session when `given` is the token.
    pub fn log_in(&self, given: &str) -> Option<String> {
        if !same_secret(given, &self.token) {
            return None;
        }
        let session = random_token();
        let mut sessions = self.sessions.lock().expect("sessions lock");
        sessions.retain(|_, expires| *expires > Instant::now());
        sessions.insert(session.clone(), Instant::now() + STAFF_SESSION);
        Some(session)
    }

    fn is_open(&self, session: &str) -> bool {
        let mut sessions = self.sessions.lock().expect("sessions lock");
        match sessions.get_mut(session) {
            Some(expires) if *expires > Instant::now() => {
                *expires = Instant::now() + STAFF_SESSION;
                true
            }
            _ => false,
        }
    }

    pub fn log_out(&self, session: &str) {
        self.sessions.lock().expect("sessions lock").remove(session);
    }
}

/// What a handler knows of the browser asking.
#[derive(Clone, Debug)]
pub(crate) struct Context {
    pub ui: Ui,
    /// The token the page's forms carry.
    pub csrf: String,
    /// Whether cookies are `Secure` (`[web] secure_cookies`, `olke serve --secure-cookies`).
    pub secure_cookies: bool,
    /// The staff session, when one is open.
    pub staff: Option<String>,
    /// The client's address, as the connection gives it ("unknown" when it does not).
    pub address: String,
    /// The address asked for without the `ui` parameter (for the language switch).
    pub path: String,
    pub query: Vec<(String, String)>,
}

impl Context {
    /// Whether a form's token is this browser's.
    pub(crate) fn check_csrf(&self, given: &str) -> Result<(), WebError> {
        if same_secret(given, &self.csrf) {
            Ok(())
        } else {
            Err(WebError::new(
                StatusCode::FORBIDDEN,
                "Пішін ескірген: бетті қайта ашып, қайталаңыз.",
                "Форма устарела: откройте страницу заново и повторите.",
            ))
        }
    }

    /// The same address in the other interface language.
    pub(crate) fn switch_to(&self, ui: Ui) -> String {
        let mut pairs = form_urlencoded::Serializer::new(String::new());
        for (key, value) in &self.query {
            pairs.append_pair(key, value);
        }
        pairs.append_pair("ui", ui.code());
        format!("{}?{}", self.path, pairs.finish())
    }
}

/// A cookie's name. `Secure` cookies carry the `__Host-` prefix: the browser then takes
/// them only over HTTPS, from this host alone, for the whole site, so neither a page served
/// in the clear nor a neighbouring subdomain can plant one.
fn cookie_name(base: &str, secure: bool) -> String {
    if secure {
        format!("__Host-{base}")
    } else {
        base.to_string()
    }
}

fn set_cookie(headers: &mut HeaderMap, name: &str, value: &str, max_age: u64, secure: bool) {
    let name = cookie_name(name, secure);
    let secure = if secure { "; Secure" } else { "" };
    let cookie = format!("{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; SameSite=Strict{secure}");
    headers.append(SET_COOKIE, HeaderValue::from_str(&cookie).expect("cookies are ASCII"));
}

/// HMAC-SHA-256 (RFC 2104) of `message` under `key`.
fn hmac_sha256(key: &[u8; 32], message: &[u8]) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let (mut inner_pad, mut outer_pad) = ([0x36u8; 64], [0x5cu8; 64]);
    for (i, byte) in key.iter().enumerate() {
        inner_pad[i] ^= byte;
        outer_pad[i] ^= byte;
    }
    let inner = Sha256::new().chain_update(inner_pad).chain_update(message).finalize();
    Sha256::new().chain_update(outer_pad).chain_update(inner).finalize().into()
}

/// The CSRF token of the browser whose cookie holds `browser`: made with the server's
/// secret, so a browser id that someone else chose (a cookie planted from a neighbouring
/// site) gets them no token they can put in a form.
pub(crate) fn csrf_token(secret: &[u8; 32], browser: &str) -> String {
    hex::encode(hmac_sha256(secret, browser.as_bytes()))
}

/// Opens a staff session in the browser.
pub(crate) fn staff_cookie(headers: &mut HeaderMap, session: &str, secure: bool) {
    set_cookie(headers, STAFF_COOKIE, session, STAFF_SESSION.as_secs(), secure);
}

/// Ends it.
pub(crate) fn clear_staff_cookie(headers: &mut HeaderMap, secure: bool) {
    set_cookie(headers, STAFF_COOKIE, "", 0, secure);
}

const SECURITY_HEADERS: [(&str, &str); 6] = [
    // Pages use one stylesheet, images and scripts from here (the reader's: deep zoom, which
    // fetches the IIIF info.json, hence connect-src), and post only here.
    ("content-security-policy", "default-src 'none'; img-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"),
    ("x-content-type-options", "nosniff"),
    ("x-frame-options", "DENY"),
    ("referrer-policy", "same-origin"),
    ("cross-origin-opener-policy", "same-origin"),
    ("permissions-policy", "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
];

/// Every request: the context in, the cookies and security headers out.
pub(crate) async fn frame(State(state): State<Arc<AppState>>, mut request: Request, next: Next) -> Response {
    if request.uri().path_and_query().map_or(0, |p| p.as_str().len()) > MAX_URI_BYTES {
        return with_security_headers(
            WebError::new(StatusCode::URI_TOO_LONG, "Сұраныс тым ұзын.", "Слишком длинный запрос.").into_response(),
            Audience::Anyone,
        );
    }
    if let Some(clean) = without_control_characters(request.uri()) {
        *request.uri_mut() = clean;
    }
    let uri = request.uri().clone();
    let headers = request.headers();
    let query: Vec<(String, String)> =
        form_urlencoded::parse(uri.query().unwrap_or("").as_bytes()).into_owned().collect();
    let asked_ui = query.iter().find(|(k, _)| k == "ui").and_then(|(_, v)| Ui::from_code(v));
    let secure = state.config.web.secure_cookies;
    let name = |base| cookie_name(base, secure);
    let ui = asked_ui.or_else(|| cookie(headers, &name(UI_COOKIE)).and_then(Ui::from_code)).unwrap_or_default();
    let existing_browser = cookie(headers, &name(CSRF_COOKIE)).filter(|v| is_token(v)).map(str::to_string);
    let browser = existing_browser.clone().unwrap_or_else(random_token);
    let csrf = csrf_token(&state.csrf_secret, &browser);
    let staff = cookie(headers, &name(STAFF_COOKIE))
        .filter(|v| is_token(v))
        .filter(|session| state.staff.as_ref().is_some_and(|gate| gate.is_open(session)))
        .map(str::to_string);
    let audience = if uri.path().starts_with("/staff") {
        Audience::StaffPage
    } else if staff.is_some() {
        Audience::StaffSession
    } else {
        Audience::Anyone
    };
    let address = request
        .extensions()
        .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |info| info.0.ip().to_string());
    let context = Context {
        ui,
        csrf,
        secure_cookies: secure,
        staff,
        address,
        path: uri.path().to_string(),
        query: query.into_iter().filter(|(k, _)| k != "ui").collect(),
    };
    request.extensions_mut().insert(context);

    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    // A response a shared cache may keep never sets a cookie: the cache would hand this
    // browser's token to everyone. The next page sets it.
    let shared = headers.get(CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("public"));
    if existing_browser.is_none() && !shared {
        set_cookie(headers, CSRF_COOKIE, &browser, 365 * 24 * 3600, secure);
    }
    if let Some(ui) = asked_ui.filter(|_| !shared) {
        set_cookie(headers, UI_COOKIE, ui.code(), 365 * 24 * 3600, secure);
    }
    with_security_headers(response, audience)
}

/// The address with the control characters taken out of its parameters, when it has any:
/// no field of a form holds one, and a NUL or an escape echoed into a page is trouble.
fn without_control_characters(uri: &Uri) -> Option<Uri> {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(uri.query()?.as_bytes()).into_owned().collect();
    if !pairs.iter().any(|(key, value)| key.chars().chain(value.chars()).any(char::is_control)) {
        return None;
    }
    let clean = |text: &str| text.chars().filter(|c| !c.is_control()).collect::<String>();
    let query = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs.iter().map(|(key, value)| (clean(key), clean(value))))
        .finish();
    format!("{}?{query}", uri.path()).parse().ok()
}

/// Every request's body, read whole (forms are small) within [`BODY_TIMEOUT`] before the
/// handler sees it: a body sent a byte now and then would otherwise hold its connection
/// for as long as the client liked. Too slow, 408 and the connection closed; larger than
/// [`super::MAX_FORM_BYTES`] (or broken off), 413.
pub(crate) async fn body_in_time(request: Request, next: Next) -> Response {
    let (parts, body) = request.into_parts();
    match tokio::time::timeout(BODY_TIMEOUT, axum::body::to_bytes(body, super::MAX_FORM_BYTES)).await {
        Ok(Ok(bytes)) => next.run(Request::from_parts(parts, Body::from(bytes))).await,
        Ok(Err(_)) => {
            WebError::new(StatusCode::PAYLOAD_TOO_LARGE, "Пішін тым үлкен.", "Форма слишком велика.").into_response()
        }
        Err(_) => {
            let mut response =
                WebError::new(StatusCode::REQUEST_TIMEOUT, "Сұраныс тым баяу келді.", "Запрос шёл слишком долго.")
                    .into_response();
            response.headers_mut().insert(CONNECTION, HeaderValue::from_static("close"));
            response
        }
    }
}

/// Whom a response is made for, as far as caching goes.
enum Audience {
    Anyone,
    /// A page under `/staff`: readers' names and addresses.
    StaffPage,
    /// Any other page asked with a staff session open: it may show what readers are not
    /// shown (passages of works in copyright, the correction view).
    StaffSession,
}

fn with_security_headers(mut response: Response, audience: Audience) -> Response {
    let headers = response.headers_mut();
    for (name, value) in SECURITY_HEADERS {
        headers.insert(HeaderName::from_static(name), HeaderValue::from_static(value));
    }
    let said = headers.get(CACHE_CONTROL).and_then(|v| v.to_str().ok()).unwrap_or("");
    // What is the same for everyone (the stylesheet, scripts) is cached as it says.
    let shared = said.contains("public");
    let caching = match audience {
        Audience::StaffPage => Some("no-store"),
        Audience::StaffSession if !shared && !said.contains("no-store") => Some("private, no-store"),
        _ if said.is_empty() => Some("no-cache"),
        _ => None,
    };
    // Any other response a cache may keep differs with the cookies (the language, the
    // forms' token, a staff session): a cache keeps it apart for each.
    let varies = !shared && !caching.unwrap_or(said).contains("no-store");
    if let Some(caching) = caching {
        headers.insert(CACHE_CONTROL, HeaderValue::from_static(caching));
    }
    if varies {
        headers.append(VARY, HeaderValue::from_static("Cookie"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_is_rfc_4231s() {
        // Test case 2: key "Jefe" (shorter keys are padded with zeros, as here).
        let mut key = [0u8; 32];
        key[..4].copy_from_slice(b"Jefe");
        assert_eq!(
            hex::encode(hmac_sha256(&key, b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("staff-token-123456", "staff-token-123456"));
        assert!(!same_secret("staff-token-12345", "staff-token-123456"));
        assert!(!same_secret("staff-token-123457", "staff-token-123456"));
        assert!(!same_secret("", "x"));
    }

    #[test]
    fn tokens_are_random_hex() {
        let (a, b) = (random_token(), random_token());
        assert!(is_token(&a) && is_token(&b) && a != b);
    }

    #[test]
    fn sessions_open_only_with_the_token() {
        let gate = StaffGate::new("correct horse battery".into());
        assert!(gate.log_in("correct horse batterx").is_none());
        let session = gate.log_in("correct horse battery").unwrap();
        assert!(gate.is_open(&session));
        gate.log_out(&session);
        assert!(!gate.is_open(&session));
    }
}
