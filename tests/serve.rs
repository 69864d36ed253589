//! `olke serve`: every route and every safety rule at the HTTP level (the application
//! called in-process), the server reading while a writer holds the archive, the
//! `olke requests fulfil|refuse` commands, the start-up time, and a reader and a member
//! of staff going through it in headless Chromium.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use common::browser::{browser, click, screenshot, Driver};
use common::server::{http_get, Server};
use common::*;
use fantoccini::{Client, Locator};
use http_body_util::BodyExt;
use olke::archive::Archive;
use olke::config::Config;
use olke::testkit::fixtures::texts;
use tower::ServiceExt;

const TOKEN: &str = "staff-token-for-tests-0123";

/// The abuse limits lifted, so that tests may search and file as fast as they like; the
/// limits themselves are tested with their own settings.
const NO_LIMITS: &str = "searches_per_minute = 0\nrequests_per_hour = 0\n";

/// A public-domain newspaper article, an in-copyright book of 84 printed pages (one
/// scanned), a document whose rights are not stated; and a staff token in olke.toml.
fn fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "serve-fixture", |batch, archive| {
        scan(batch, "gazeta.png", &texts::RUSSIAN[..1], Saved::Png);
        scan(batch, "qamshy.png", &texts::KAZAKH[2..3], Saved::Png);
        scan(batch, "loose.png", &texts::RUSSIAN[3..4], Saved::Png);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,source,date,issue,source_pages,year,language,collections,rights\n\
             gazeta.png,gazeta,newspaper_article,Медный город,\"Иванов, И. И.\",Балхашский рабочий,1968-04-12,44,2,,rus,Балқаш тарихы; Өлкетану,public_domain\n\
             qamshy.png,qamshy,book,Қамшы,\"Кәрім, Н.\",,,,84,2016,kaz,Өлкетану,in_copyright\n\
             loose.png,loose,,Без описания прав,,,,,,,rus,,\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        fs::write(archive.join("olke.toml"), format!("[library]\nname_kk = \"Балқаш қалалық кітапханасы\"\nname_ru = \"Балхашская городская библиотека\"\n[web]\nstaff_token = \"{TOKEN}\"\n{NO_LIMITS}")).unwrap();
    })
}

/// A word of the article's text, to search for.
fn gazeta_word() -> String {
    texts::RUSSIAN[0]
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
        .find(|w| w.chars().count() >= 7)
        .unwrap()
        .to_string()
}

/// A response, its body as text.
struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

impl Answer {
    fn header(&self, name: &str) -> String {
        self.headers.get_all(name).iter().map(|v| v.to_str().unwrap().to_string()).collect::<Vec<_>>().join("\n")
    }

    /// The value of the hidden CSRF field of the page's forms.
    fn csrf(&self) -> String {
        let at =
            self.body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no CSRF field: {}", self.body)) + 19;
        self.body[at..at + 64].to_string()
    }
}

/// The application over a copy of the fixture, and the browser's cookies, kept between calls.
struct Site {
    app: Router,
    archive: PathBuf,
    cookies: Vec<(String, String)>,
    _tmp: tempfile::TempDir,
}

impl Site {
    async fn new() -> Site {
        Site::with_limits(NO_LIMITS).await
    }

    /// The site with these abuse limits (lines of `[web]` in olke.toml).
    async fn with_limits(limits: &str) -> Site {
        let tmp = tempfile::tempdir().unwrap();
        let archive = archive_copy(fixture(), tmp.path());
        let settings = fs::read_to_string(archive.join("olke.toml")).unwrap().replace(NO_LIMITS, limits);
        fs::write(archive.join("olke.toml"), settings).unwrap();
        let config = Config::load(&Archive::new(&archive)).unwrap();
        let app = olke::web::app(Archive::new(&archive), config.clone(), olke::web::staff_token(&config));
        let mut site = Site { app, archive, cookies: Vec::new(), _tmp: tmp };
        // The documents are read in the background; wait until they are.
        for _ in 0..100 {
            if site.get("/collections/Өлкетану").await.status == StatusCode::OK {
                return site;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the documents were never read");
    }

    async fn send(&mut self, request: Request<Body>) -> Answer {
        let response = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        for cookie in headers.get_all(header::SET_COOKIE) {
            let (pair, _) = cookie.to_str().unwrap().split_once(';').unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.cookies.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.cookies.push((name.to_string(), value.to_string()));
            }
        }
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        Answer { status, headers, body: String::from_utf8_lossy(&bytes).into_owned() }
    }

    fn request(&self, method: Method, uri: &str) -> axum::http::request::Builder {
        let cookies: Vec<String> = self.cookies.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let builder = Request::builder().method(method).uri(uri);
        if cookies.is_empty() {
            builder
        } else {
            builder.header(header::COOKIE, cookies.join("; "))
        }
    }

    async fn get(&mut self, uri: &str) -> Answer {
        let request = self.request(Method::GET, &encode_uri(uri)).body(Body::empty()).unwrap();
        self.send(request).await
    }

    async fn post(&mut self, uri: &str, form: &[(&str, &str)]) -> Answer {
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let request = self
            .request(Method::POST, uri)
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(body))
            .unwrap();
        self.send(request).await
    }

    fn register(&self) -> Vec<serde_json::Value> {
        let mut numbers: Vec<PathBuf> = fs::read_dir(self.archive.join("requests"))
            .map(|d| d.map(|e| e.unwrap().path()).filter(|p| p.extension().is_some_and(|e| e == "json")).collect())
            .unwrap_or_default();
        numbers.sort();
        numbers.iter().map(|p| serde_json::from_slice(&fs::read(p).unwrap()).unwrap()).collect()
    }
}

/// Non-ASCII in an address percent-encoded, as a browser sends it.
fn encode_uri(uri: &str) -> String {
    uri.chars()
        .map(|c| {
            if c.is_ascii() {
                c.to_string()
            } else {
                percent_encoding::utf8_percent_encode(&c.to_string(), percent_encoding::NON_ALPHANUMERIC).to_string()
            }
        })
        .collect()
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap()
}

fn assert_security_headers(answer: &Answer, what: &str) {
    let csp = answer.header("content-security-policy");
    assert!(csp.contains("default-src 'none'") && csp.contains("frame-ancestors 'none'"), "{what}: CSP {csp:?}");
    assert_eq!(answer.header("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(answer.header("x-frame-options"), "DENY", "{what}");
    assert_eq!(answer.header("referrer-policy"), "same-origin", "{what}");
    assert!(!answer.header("cache-control").is_empty(), "{what}");
}

#[test]
fn every_route_answers_with_security_headers_and_valid_accessible_html() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let word = gazeta_word();
        let pages = [
            "/".to_string(),
            format!("/search?q={word}"),
            "/doc/gazeta".into(),
            "/doc/qamshy".into(),
            format!("/doc/gazeta/page/1?q={word}"),
            "/doc/qamshy/page/1".into(),
            "/collections".into(),
            "/collections/Өлкетану".into(),
            "/request?doc=qamshy&pages=1".into(),
            "/staff".into(),
        ];
        let dir = tempfile::tempdir().unwrap();
        let mut saved = Vec::new();
        for (n, uri) in pages.iter().enumerate() {
            let answer = site.get(uri).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}: {}", answer.body);
            assert_eq!(answer.header("content-type"), "text/html; charset=utf-8", "{uri}");
            assert_security_headers(&answer, uri);
            // Accessible markup: one h1, every input labelled, every image described.
            assert_eq!(answer.body.matches("<h1").count(), 1, "{uri}");
            for input in answer.body.split("<input").skip(1) {
                let tag = &input[..input.find('>').unwrap()];
                if !tag.contains("type=\"hidden\"") {
                    let id = tag
                        .split("id=\"")
                        .nth(1)
                        .map(|s| &s[..s.find('"').unwrap()])
                        .unwrap_or_else(|| panic!("{uri}: an input without an id: {tag}"));
                    assert!(answer.body.contains(&format!("for=\"{id}\"")), "{uri}: no label for {id}");
                }
            }
            for img in answer.body.split("<img").skip(1) {
                assert!(img[..img.find('>').unwrap()].contains("alt=\""), "{uri}: an image without alt text");
            }
            assert!(answer.body.contains("name=\"viewport\""), "{uri}: made for phones too");
            // Scripts only enhance (the reader's tests read the pages without them), and
            // only files of the server's own: no inline script, which the CSP would refuse.
            for script in answer.body.split("<script").skip(1) {
                assert!(script.starts_with(" src=\"/static/") && script.contains("></script>"), "{uri}: {script}");
            }
            let file = dir.path().join(format!("{n}.html"));
            fs::write(&file, &answer.body).unwrap();
            saved.push(file);
        }
        validate_html_files(&saved);

        let style = site.get("/style.css").await;
        assert_eq!((style.status, style.header("content-type").as_str()), (StatusCode::OK, "text/css; charset=utf-8"));
        assert_security_headers(&style, "/style.css");
        let cookies = std::mem::take(&mut site.cookies);
        let fresh = site.get("/style.css?ui=ru").await;
        assert_eq!(fresh.header("set-cookie"), "", "no cookie on a response a shared cache may keep");
        site.cookies = cookies;
        let thumb = site.get("/doc/gazeta/page/1/thumb.jpg").await;
        assert_eq!((thumb.status, thumb.header("content-type").as_str()), (StatusCode::OK, "image/jpeg"));
        let full = site.get("/doc/gazeta/page/1/full.jpg").await;
        assert_eq!(full.status, StatusCode::OK);
        assert!(full.body.len() > thumb.body.len(), "the readable image is the larger");
        assert!(site.archive.join("cache/pages/gazeta").is_dir(), "page images are cached in the archive");
        let pdf = site.get("/doc/gazeta/pdf").await;
        assert_eq!((pdf.status, pdf.header("content-type").as_str()), (StatusCode::OK, "application/pdf"));
        assert_eq!(
            pdf.headers.get(header::CONTENT_LENGTH).unwrap().to_str().unwrap(),
            fs::metadata(site.archive.join("documents/gazeta/gazeta.pdf")).unwrap().len().to_string()
        );
        let missing = site.get("/no/such/page").await;
        assert_eq!(missing.status, StatusCode::NOT_FOUND);
        assert_security_headers(&missing, "404");
    });
}

#[test]
fn search_has_the_cli_syntax_filters_facets_snippets_pages_and_thumbnails() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let word = gazeta_word();
        let found = site.get(&format!("/search?q={word}")).await;
        assert!(found.body.contains("<mark>"), "the match is marked: {}", found.body);
        let reader = format!(
            "href=\"/doc/gazeta/page/1?q={}\"",
            percent_encoding::utf8_percent_encode(&word, percent_encoding::NON_ALPHANUMERIC)
        );
        assert!(found.body.contains(&reader), "the page is linked, in the reader with the query: {}", found.body);
        assert!(found.body.contains("src=\"/doc/gazeta/page/1/thumb.jpg\""), "with a thumbnail of the page");
        for facet in ["Жинақ", "Түрі", "Басылым", "Жылдар", "Тілі"] {
            assert!(found.body.contains(&format!("<h2 class=\"note\">{facet}</h2>")), "facet {facet}: {}", found.body);
        }
        assert!(
            found.body.contains("collection=%D3%A8%D0%BB%D0%BA%D0%B5%D1%82%D0%B0%D0%BD%D1%83"),
            "a facet narrows the search"
        );
        assert!(found.body.contains("year=1960..1969"), "years by decade");

        let narrowed = site.get(&format!("/search?q={word}&type=book")).await;
        assert!(narrowed.body.contains("Ештеңе табылмады"), "the type filter applies: {}", narrowed.body);
        let in_year =
            site.get(&format!("/search?q={word}&year=1968&lang=rus&collection=Өлкетану&source=Балхашский")).await;
        assert!(in_year.body.contains("/doc/gazeta"), "{}", in_year.body);
        let russian = site.get(&format!("/search?q={word}&ui=ru")).await;
        assert!(russian.body.contains("Найдено документов") && russian.body.contains("<html lang=\"ru\""));
        assert!(russian.header("set-cookie").contains("olke_ui=ru"), "the choice is remembered");
        let remembered = site.get("/").await;
        assert!(remembered.body.contains("Поиск по краеведческой базе данных"), "in Russian again without asking");
        assert!(remembered.body.contains("href=\"/?ui=kk\""), "and the way back to Kazakh is offered");
    });
}

#[test]
fn in_copyright_works_are_never_served_whole() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let text = fs::read_to_string(site.archive.join("documents/qamshy/pages/0001.json")).unwrap();
        let page: serde_json::Value = serde_json::from_str(&text).unwrap();
        let first_word = page["words"]
            .as_array()
            .and_then(|w| w.iter().find_map(|w| w["text"].as_str().filter(|t| t.chars().count() > 5)))
            .map(str::to_string);
        for id in ["qamshy", "loose"] {
            let shown = site.get(&format!("/doc/{id}")).await;
            assert_eq!(shown.status, StatusCode::OK);
            assert!(shown.body.contains("action=\"/request\""), "{id}: the delivery form is offered");
            assert!(!shown.body.contains("/pdf\""), "{id}: no PDF link");
            assert!(!shown.body.contains("full.jpg"), "{id}: no readable page images");
            if let (Some(word), "qamshy") = (&first_word, id) {
                assert!(!shown.body.contains(word.as_str()), "{id}: no text");
            }
            for uri in [
                format!("/doc/{id}/pdf"),
                format!("/doc/{id}/page/1/full.jpg"),
                format!("/doc/{id}/pdf?x=1"),
                format!("/doc/{id}/./pdf"),
                format!("/doc/{id}/pdf/"),
            ] {
                let answer = site.get(&uri).await;
                assert!(answer.status.is_client_error(), "{uri}: {}", answer.status);
                assert_ne!(answer.header("content-type"), "application/pdf", "{uri}");
                assert!(!answer.body.starts_with("%PDF"), "{uri}");
            }
            assert_eq!(
                site.get(&format!("/doc/{id}/page/1/thumb.jpg")).await.status,
                StatusCode::OK,
                "{id}: a thumbnail is fine"
            );
        }
        assert!(
            !site.get("/doc/gazeta").await.body.contains("action=\"/request\""),
            "a free document links to the form instead"
        );
    });
}

#[test]
fn no_address_reaches_outside_the_archive_or_into_its_files() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        for uri in [
            "/doc/..%2F..%2F..%2Fetc%2Fpasswd",
            "/doc/..%2Folke.toml",
            "/doc/%2E%2E/pdf",
            "/doc/..%2Fdocuments%2Fqamshy/pdf",
            "/doc/gazeta%2F..%2Fqamshy/pdf",
            "/doc/.lock/pdf",
            "/doc/gazeta/page/1/..%2F..%2Frecord.json",
            "/doc/gazeta/page/1/..%2F..%2F..%2F..%2Folke.toml",
            "/collections/..%2F..%2Fetc",
            "/documents/qamshy/qamshy.pdf",
            "/archive/olke.toml",
            "/olke.toml",
            "/requests/0001.json",
            "/style.css/..%2F..%2Folke.toml",
            "/staff/requests/1/copy",
            "/doc/gazeta/page/4294967296/thumb.jpg",
            "/doc/gazeta/page/0/thumb.jpg",
            "/doc/gazeta/page/2/thumb.jpg",
            "/doc/%00/pdf",
            "/doc/gazeta/page/2",
            "/doc/gazeta/page/0",
            "/static/..%2F..%2FCargo.toml",
            "/static/%2E%2E/olke.toml",
            "/static/openseadragon/..%2F..%2F..%2Folke.toml",
        ] {
            let answer = site.get(uri).await;
            assert!(answer.status.is_client_error(), "{uri}: {}", answer.status);
            assert!(
                !answer.body.contains(TOKEN) && !answer.body.contains("root:") && !answer.body.starts_with("%PDF"),
                "{uri}: {}",
                answer.body
            );
            assert_eq!(answer.header("content-type"), "text/html; charset=utf-8", "{uri}: an error page");
        }
    });
}

#[test]
fn malformed_and_oversized_input_gets_a_4xx_page_never_a_500() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let long_query = format!("/search?q={}", "ab+".repeat(200));
        let long_uri = format!("/search?q={}", "a".repeat(5000));
        for (uri, status) in [
            (long_query.as_str(), StatusCode::BAD_REQUEST),
            ("/search?q=%22unclosed", StatusCode::BAD_REQUEST),
            ("/search?q=AND", StatusCode::BAD_REQUEST),
            ("/search?q=x&offset=abc", StatusCode::BAD_REQUEST),
            ("/search?q=x&offset=-1", StatusCode::BAD_REQUEST),
            ("/search?q=x&offset=99999999", StatusCode::BAD_REQUEST),
            ("/search?q=x&year=nineteen", StatusCode::BAD_REQUEST),
            ("/search?q=x&year=1970..1960", StatusCode::BAD_REQUEST),
            ("/search?q=x&type=poster", StatusCode::BAD_REQUEST),
            ("/search?q=x&lang=xx", StatusCode::BAD_REQUEST),
            ("/search?q=%FF%FE", StatusCode::BAD_REQUEST),
            ("/doc/gazeta?page=abc", StatusCode::BAD_REQUEST),
            (long_uri.as_str(), StatusCode::URI_TOO_LONG),
        ] {
            let answer = site.get(uri).await;
            assert_eq!(answer.status, status, "{}: {}", &uri[..uri.len().min(80)], answer.body);
            assert_eq!(answer.header("content-type"), "text/html; charset=utf-8");
            assert_security_headers(&answer, uri);
        }
        assert!(
            site.get("/search?q=%22unclosed").await.body.contains("role=\"alert\""),
            "the reader is told what is wrong"
        );

        let csrf = site.get("/request").await.csrf();
        let huge = "я".repeat(20_000);
        let oversized = site
            .post(
                "/request",
                &[
                    ("csrf", &csrf),
                    ("name", "А"),
                    ("email", "a@example.kz"),
                    ("document", "gazeta"),
                    ("purpose", &huge),
                ],
            )
            .await;
        assert_eq!(oversized.status, StatusCode::PAYLOAD_TOO_LARGE);
        let request = site
            .request(Method::POST, "/request")
            .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
            .body(Body::from(vec![0xFF, 0xFE, b'=', b'%']))
            .unwrap();
        assert!(site.send(request).await.status.is_client_error());
        let request = site
            .request(Method::POST, "/request")
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from("{}"))
            .unwrap();
        assert!(site.send(request).await.status.is_client_error());
        for (field, value) in [
            ("name", "A <b@c.kz>"),
            ("email", "not-an-address"),
            ("pages", "65-46"),
            ("pages", "x"),
            ("document", "no-such-document"),
            ("document", "../olke.toml"),
            ("name", ""),
        ] {
            let mut form = vec![
                ("csrf", csrf.as_str()),
                ("name", "Асқар Сейітов"),
                ("email", "askar@example.kz"),
                ("document", "gazeta"),
                ("pages", "1"),
            ];
            form.retain(|(k, _)| *k != field);
            form.push((field, value));
            let answer = site.post("/request", &form).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{field}={value}: {}", answer.body);
            assert!(answer.body.contains("role=\"alert\""), "{field}={value}: the form comes back with what is wrong");
        }
        assert!(site.register().is_empty(), "nothing was filed");
    });
}

#[test]
fn the_delivery_form_files_a_request_and_needs_its_csrf_token() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let form = site.get("/request?doc=qamshy&pages=1").await;
        assert!(form.body.contains("value=\"qamshy\""), "the document is filled in");
        let csrf = form.csrf();
        let fields = |csrf: &'static str| {
            vec![
                ("csrf", csrf),
                ("name", "Асқар Сейітов"),
                ("email", "askar@example.kz"),
                ("document", "qamshy"),
                ("pages", "1"),
                ("purpose", "диплом"),
            ]
        };
        let without = site.post("/request", &fields("")).await;
        assert_eq!(without.status, StatusCode::FORBIDDEN, "no token");
        let forged =
            site.post("/request", &fields("0000000000000000000000000000000000000000000000000000000000000000")).await;
        assert_eq!(forged.status, StatusCode::FORBIDDEN, "another token");
        // A page elsewhere cannot send this browser's cookie; a post with the token alone fails.
        let cookies = std::mem::take(&mut site.cookies);
        let leaked: &'static str = Box::leak(csrf.clone().into_boxed_str());
        assert_eq!(
            site.post("/request", &fields(leaked)).await.status,
            StatusCode::FORBIDDEN,
            "token without the cookie"
        );
        site.cookies = cookies;
        assert!(site.register().is_empty());

        let filed = site.post("/request", &fields(leaked)).await;
        assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
        assert!(filed.body.contains("<strong class=\"request-number\">1</strong>"), "{}", filed.body);
        let register = site.register();
        assert_eq!(register.len(), 1);
        assert_eq!(register[0]["status"], "requested");
        assert_eq!(register[0]["document"], "qamshy");
        assert_eq!(register[0]["requester"]["email"], "askar@example.kz");
        assert_eq!(register[0]["purpose"], "диплом");
        let second = site.post("/request", &fields(leaked)).await;
        assert!(second.body.contains("<strong class=\"request-number\">2</strong>"));
    });
}

#[test]
fn staff_pages_need_the_token_and_fulfil_as_olke_deliver_does_or_refuse() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let csrf = site.get("/request").await.csrf();
        for (document, pages) in [("qamshy", "1"), ("gazeta", "1"), ("loose", "")] {
            let answer = site
                .post(
                    "/request",
                    &[
                        ("csrf", &csrf),
                        ("name", "Асқар Сейітов"),
                        ("email", "askar@example.kz"),
                        ("document", document),
                        ("pages", pages),
                    ],
                )
                .await;
            assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        }

        let login = site.get("/staff").await;
        assert!(
            login.body.contains("type=\"password\"") && !login.body.contains("askar@example.kz"),
            "a login form, not the queue"
        );
        assert_eq!(login.header("cache-control"), "no-store");
        for uri in ["/staff/requests/1/fulfil", "/staff/requests/1/refuse"] {
            let answer = site.post(uri, &[("csrf", &csrf), ("reason", "x")]).await;
            assert_eq!(answer.status, StatusCode::FORBIDDEN, "{uri} without a session");
        }
        assert_eq!(site.get("/staff/requests/1/copy").await.status, StatusCode::FORBIDDEN);
        let wrong = site.post("/staff/login", &[("csrf", &csrf), ("token", "staff-token-for-tests-0124")]).await;
        assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        assert!(!wrong.header("set-cookie").contains("olke_staff"));
        assert_eq!(
            site.post("/staff/login", &[("csrf", "bad"), ("token", TOKEN)]).await.status,
            StatusCode::FORBIDDEN,
            "the login form needs its token too"
        );
        let right = site.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await;
        assert_eq!(right.status, StatusCode::SEE_OTHER);
        let cookie = right.header("set-cookie");
        assert!(
            cookie.contains("olke_staff=") && cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
            "{cookie}"
        );

        let queue = site.get("/staff").await;
        assert!(
            queue.body.contains("askar@example.kz") && queue.body.contains("action=\"/staff/requests/1/fulfil\""),
            "{}",
            queue.body
        );
        assert_eq!(
            site.post("/staff/requests/1/fulfil", &[("csrf", "")]).await.status,
            StatusCode::FORBIDDEN,
            "a staff post needs its token"
        );

        let fulfilled = site.post("/staff/requests/1/fulfil", &[("csrf", &csrf)]).await;
        assert_eq!(fulfilled.status, StatusCode::OK, "{}", fulfilled.body);
        let register = site.register();
        assert_eq!(register[0]["status"], "delivered");
        let copy = site.archive.join("deliveries/request-0001-qamshy.pdf");
        qpdf_check(&copy);
        assert_eq!(pdf_pages(&copy), 2, "a cover page and the page asked for");
        let cover = pdftotext_pages(&copy, 1, 1);
        assert!(
            cover.contains("Балқаш қалалық кітапханасы") && cover.contains("Асқар Сейітов"),
            "the cover of `olke deliver`: {cover}"
        );
        assert_eq!(
            normalize(&pdftotext_pages(&copy, 2, 2)),
            normalize(&pdftotext_pages(&site.archive.join("documents/qamshy/qamshy.pdf"), 1, 1)),
            "the page with its text layer"
        );
        let download = site.get("/staff/requests/1/copy").await;
        assert_eq!((download.status, download.header("content-type").as_str()), (StatusCode::OK, "application/pdf"));
        assert!(download.header("content-disposition").starts_with("attachment"));
        assert_eq!(download.header("cache-control"), "no-store");
        let again = site.post("/staff/requests/1/fulfil", &[("csrf", &csrf)]).await;
        assert_eq!(again.status, StatusCode::CONFLICT, "decided once");

        let refused =
            site.post("/staff/requests/2/refuse", &[("csrf", &csrf), ("reason", "Газет тігіндісі жөндеуде")]).await;
        assert_eq!(refused.status, StatusCode::OK);
        assert_eq!(site.register()[1]["status"], "refused");
        assert_eq!(site.register()[1]["reason"], "Газет тігіндісі жөндеуде");
        assert_eq!(
            site.post("/staff/requests/3/refuse", &[("csrf", &csrf), ("reason", "  ")]).await.status,
            StatusCode::BAD_REQUEST
        );
        // A whole book whose rights are not stated: refused, as `olke deliver` would.
        site.post("/staff/requests/3/fulfil", &[("csrf", &csrf)]).await;
        assert_eq!(site.register()[2]["status"], "refused");
        assert!(
            site.register()[2]["reason"].as_str().unwrap().contains("has no rights statement"),
            "{}",
            site.register()[2]
        );
        assert_eq!(site.post("/staff/requests/9/fulfil", &[("csrf", &csrf)]).await.status, StatusCode::CONFLICT);

        site.post("/staff/logout", &[("csrf", &csrf)]).await;
        assert!(!site.get("/staff").await.body.contains("askar@example.kz"), "logged out");
    });
}

#[test]
fn the_server_reads_and_files_requests_while_a_writer_holds_the_archive() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let archive = Archive::new(&site.archive);
        // What an ingest holds: the writer lock, the catalogue and the index writer.
        let writer = olke::integrity::open_for_writing(&archive).unwrap();
        let word = gazeta_word();
        assert!(site.get(&format!("/search?q={word}")).await.body.contains("/doc/gazeta"));
        assert!(site.get("/doc/gazeta").await.body.contains("Медный город"));
        let csrf = site.get("/request").await.csrf();
        let filed = site
            .post(
                "/request",
                &[
                    ("csrf", &csrf),
                    ("name", "Асқар Сейітов"),
                    ("email", "askar@example.kz"),
                    ("document", "gazeta"),
                    ("pages", "1"),
                ],
            )
            .await;
        assert_eq!(filed.status, StatusCode::OK, "{}", filed.body);
        writer.finish().unwrap();
        // The next writer's catalogue takes the request in.
        let listed = json(&expect_code(olke(&site.archive).args(["requests", "--json"]), 0));
        assert_eq!(listed[0]["status"], "requested");
        expect_code(olke(&site.archive).args(["verify", "--quick", "--no-sources"]), 0);
        let listed = json(&expect_code(olke(&site.archive).args(["requests", "--json"]), 0));
        assert_eq!(listed.as_array().unwrap().len(), 1);
    });
}

#[test]
fn staff_fulfil_and_refuse_requests_from_the_command_line() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let csrf = site.get("/request").await.csrf();
        for document in ["gazeta", "qamshy"] {
            site.post(
                "/request",
                &[
                    ("csrf", &csrf),
                    ("name", "Асқар Сейітов"),
                    ("email", "askar@example.kz"),
                    ("document", document),
                    ("pages", "1"),
                ],
            )
            .await;
        }
        let out = site.archive.parent().unwrap().join("copy-1.pdf");
        let done = expect_code(olke(&site.archive).args(["requests", "fulfil", "1", "--out"]).arg(&out), 0);
        assert!(stdout(&done).contains("Request № 1"), "{}", stdout(&done));
        assert_eq!(pdf_pages(&out), 2);
        expect_code(olke(&site.archive).args(["requests", "refuse", "2", "--reason", "Кітап қорда жоқ"]), 0);
        let again = expect_code(olke(&site.archive).args(["requests", "refuse", "2", "--reason", "x"]), 2);
        assert!(stderr(&again).contains("already refused"), "{}", stderr(&again));
        expect_code(olke(&site.archive).args(["requests", "fulfil", "7"]), 2);
        expect_code(olke(&site.archive).args(["requests", "refuse", "1", "--reason", " "]), 2);
        let listed = json(&expect_code(olke(&site.archive).args(["requests", "--json"]), 0));
        assert_eq!(listed[0]["status"], "delivered");
        assert_eq!(listed[1]["status"], "refused");
        assert_eq!(listed[1]["reason"], "Кітап қорда жоқ");
        // The staff page shows the decisions made elsewhere.
        site.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await;
        let queue = site.get("/staff").await;
        assert!(
            queue.body.contains("Кітап қорда жоқ") && !queue.body.contains("/staff/requests/2/fulfil"),
            "{}",
            queue.body
        );
    });
}

#[test]
fn olke_serve_answers_within_a_second_of_starting() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (_server, took) = Server::start(&archive, Some(TOKEN));
    assert!(took < Duration::from_secs(1), "first answer after {took:?}");
    let short = expect_code(
        Command::new(env!("CARGO_BIN_EXE_olke"))
            .args(["--archive"])
            .arg(&archive)
            .args(["serve", "--bind", "127.0.0.1:0"])
            .env("OLKE_STAFF_TOKEN", "short"),
        1,
    );
    assert!(stderr(&short).contains("shorter than 16 characters"), "{}", stderr(&short));
    let help = expect_code(Command::new(env!("CARGO_BIN_EXE_olke")).args(["serve", "--help"]), 0);
    assert!(stdout(&help).contains("Examples:") && stdout(&help).contains("--bind"));
}

/// At most `max_connections` connections are served at once: the next waits (in the
/// listening queue, not refused) until one closes.
#[test]
fn connections_beyond_the_limit_wait_for_one_to_close() {
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let settings = fs::read_to_string(archive.join("olke.toml")).unwrap();
    fs::write(archive.join("olke.toml"), format!("{settings}max_connections = 2\n")).unwrap();
    let (server, _) = Server::start(&archive, Some(TOKEN));
    let port = server.port;
    std::thread::sleep(Duration::from_millis(200)); // the start's probe has let go of its slot
    let idle: Vec<std::net::TcpStream> = (0..2)
        .map(|_| {
            let mut stream = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
            stream.write_all(b"GET / HTTP/1.1\r\n").unwrap();
            stream
        })
        .collect();
    std::thread::sleep(Duration::from_millis(200));
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || sender.send(http_get(port, "/")).unwrap());
    assert!(receiver.recv_timeout(Duration::from_secs(2)).is_err(), "a third connection is not served meanwhile");
    drop(idle);
    let answer = receiver.recv_timeout(Duration::from_secs(5)).expect("served once a slot is free");
    assert!(answer.is_some_and(|a| a.starts_with("HTTP/1.1 200")));
}

/// A client that starts a request and never finishes its headers is cut off (after ten
/// seconds), and holds nothing up meanwhile.
#[test]
fn a_request_whose_headers_never_end_is_cut_off() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, Some(TOKEN));
    let port = server.port;
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.write_all(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let started = Instant::now();
    assert!(http_get(port, "/").is_some_and(|a| a.starts_with("HTTP/1.1 200")), "others are served meanwhile");
    let mut rest = Vec::new();
    let closed = slow.read_to_end(&mut rest);
    let took = started.elapsed();
    assert!(closed.is_ok(), "the server closed the connection: {closed:?}");
    assert!(took >= Duration::from_secs(8) && took < Duration::from_secs(25), "cut off after {took:?}");
}

async fn fill(client: &Client, css: &str, text: &str) {
    client.find(Locator::Css(css)).await.unwrap_or_else(|e| panic!("no {css}: {e}")).send_keys(text).await.unwrap();
}

async fn main_text(client: &Client) -> String {
    normalize(&client.find(Locator::Css("main")).await.unwrap().text().await.unwrap())
}

#[test]
fn a_reader_searches_reads_and_asks_for_a_copy_and_staff_fulfil_it_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, Some(TOKEN));
    let driver = Driver::start();
    let shots = "serve-screenshots";
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let client = browser(&driver, &tmp.path().join("profile")).await;
        client.goto(&format!("{}/", server.url)).await.unwrap();
        assert!(client.title().await.unwrap().contains("Балқаш қалалық кітапханасы"));
        fill(&client, "input[name=q]", &gazeta_word()).await;
        screenshot(&client, shots, "1-home").await;
        click(&client, "form.search button").await;
        let results = main_text(&client).await;
        assert!(results.contains("Медный город"), "{results}");
        assert!(client.find(Locator::Css("ol.hits mark")).await.is_ok(), "the match is marked");
        screenshot(&client, shots, "2-results").await;

        click(&client, "ol.hits li > a").await;
        assert_eq!(client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap(), "Медный город");
        let image = client.find(Locator::Css("img.page")).await.unwrap();
        // Page images load lazily: brought into view, the first is fetched.
        let mut width = 0;
        for _ in 0..50 {
            let args = vec![serde_json::to_value(&image).unwrap()];
            width = client
                .execute(
                    "arguments[0].scrollIntoView(); return arguments[0].complete ? arguments[0].naturalWidth : 0",
                    args,
                )
                .await
                .unwrap()
                .as_u64()
                .unwrap();
            if width > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        assert!(width > 100, "the page image loaded ({width} px)");
        screenshot(&client, shots, "3-document").await;

        client.goto(&format!("{}/doc/qamshy?ui=ru", server.url)).await.unwrap();
        let closed = main_text(&client).await;
        assert!(closed.contains("охраняется авторским правом"), "{closed}");
        fill(&client, "#name", "Асқар Сейітов").await;
        fill(&client, "#email", "askar@example.kz").await;
        fill(&client, "#pages", "1").await;
        fill(&client, "#purpose", "Дипломдық жұмыс").await;
        screenshot(&client, shots, "4-request-form").await;
        click(&client, "form.stack button").await;
        let number = client.find(Locator::Css(".request-number")).await.unwrap().text().await.unwrap();
        assert_eq!(number, "1");
        assert!(main_text(&client).await.contains("Заявка принята"), "the interface stayed in Russian");
        screenshot(&client, shots, "5-request-filed").await;

        client.goto(&format!("{}/staff", server.url)).await.unwrap();
        fill(&client, "#token", TOKEN).await;
        click(&client, "form.stack button").await;
        assert!(main_text(&client).await.contains("askar@example.kz"));
        screenshot(&client, shots, "6-staff-queue").await;
        click(&client, "form[action='/staff/requests/1/fulfil'] button").await;
        let decided = main_text(&client).await;
        assert!(decided.contains("копия сделана"), "{decided}");
        assert!(client.find(Locator::Css("a[href='/staff/requests/1/copy']")).await.is_ok());
        screenshot(&client, shots, "7-fulfilled").await;
        client.close().await.unwrap();
    });
    let request: serde_json::Value =
        serde_json::from_slice(&fs::read(archive.join("requests/0001.json")).unwrap()).unwrap();
    assert_eq!(request["status"], "delivered");
    assert_eq!(pdf_pages(&archive.join("deliveries/request-0001-qamshy.pdf")), 2);
    let saved = Path::new(env!("CARGO_TARGET_TMPDIR")).join(shots);
    assert!(saved.join("7-fulfilled.png").is_file(), "screenshots are kept in {}", saved.display());
}

/// The words of `text`, lower case, letters only.
fn words_of(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphabetic()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect()
}

/// Every run of three words of `text` that `body` (tags dropped) shows.
fn runs_of_three_shown(text: &str, body: &str) -> Vec<String> {
    let mut visible = String::new();
    let mut in_tag = false;
    for c in body.chars() {
        match c {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                visible.push(' ');
            }
            _ if !in_tag => visible.push(c),
            _ => {}
        }
    }
    let shown = format!(" {} ", words_of(&visible).join(" "));
    let words = words_of(text);
    words.windows(3).map(|run| run.join(" ")).filter(|run| shown.contains(&format!(" {run} "))).collect()
}

/// The reconstruction attack: chained queries (every word of the in-copyright book alone,
/// then with NOT to steer to other passages) against the search and the document pages.
/// No response shows three words of its text in a row; the same probe against the
/// public-domain article does find its text (so the probe can see text where it is).
#[test]
fn search_only_access_gives_no_text_of_an_in_copyright_work() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let book = texts::KAZAKH[2];
        let article = texts::RUSSIAN[0];
        let mut vocabulary = words_of(book);
        vocabulary.sort();
        vocabulary.dedup();
        let search = |query: &str| {
            format!("/search?q={}", form_urlencoded::byte_serialize(query.as_bytes()).collect::<String>())
        };
        let mut addresses: Vec<String> = vocabulary.iter().map(|w| search(w)).collect();
        for pair in vocabulary.windows(2) {
            addresses.push(search(&format!("{} NOT {}", pair[0], pair[1])));
            addresses.push(search(&format!("\"{} {}\"", pair[0], pair[1])));
        }
        addresses.extend(["/doc/qamshy".to_string(), "/doc/qamshy?page=1".to_string(), "/collections/Өлкетану".into()]);
        // The reader's page of the book, with each word as its query.
        let reader: Vec<String> = addresses
            .iter()
            .filter_map(|a| a.strip_prefix("/search?"))
            .map(|q| format!("/doc/qamshy/page/1?{q}"))
            .collect();
        addresses.extend(reader);
        let mut found_book = 0;
        for address in &addresses {
            let answer = site.get(address).await;
            assert!(answer.status.is_success() || answer.status == StatusCode::BAD_REQUEST, "{address}");
            found_book += usize::from(answer.body.contains("href=\"/doc/qamshy"));
            let leaked = runs_of_three_shown(book, &answer.body);
            assert!(leaked.is_empty(), "{address} shows the in-copyright text: {leaked:?}");
        }
        assert!(found_book > vocabulary.len() / 2, "the book is found ({found_book} times): search still works");
        let found = site.get(&format!("/search?q={}", vocabulary[0])).await;
        assert!(found.body.contains("тек іздеу"), "the result says it is search-only: {}", found.body);
        // Instead of the text: on which pages, and how many words there match.
        let marker = format!(
            "href=\"/doc/qamshy/page/1?q={}\">1</a> (",
            percent_encoding::utf8_percent_encode(&vocabulary[0], percent_encoding::NON_ALPHANUMERIC)
        );
        let at = found.body.find(&marker).unwrap_or_else(|| panic!("no count: {}", found.body)) + marker.len();
        let count: usize = found.body[at..].split('×').next().unwrap().parse().unwrap();
        let exact = words_of(book).iter().filter(|w| **w == vocabulary[0]).count();
        assert!(count >= exact.max(1), "{count} matching words, the word itself {exact} times");

        let article_word = gazeta_word();
        let public = site.get(&format!("/search?q={article_word}")).await;
        assert!(!runs_of_three_shown(article, &public.body).is_empty(), "public-domain text is shown");

        // Staff, logged in, see the passage.
        let csrf = site.get("/request").await.csrf();
        assert_eq!(site.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await.status, StatusCode::SEE_OTHER);
        let staff = site.get(&format!("/search?q={}", words_of(book)[3])).await;
        assert!(!runs_of_three_shown(book, &staff.body).is_empty(), "staff see the snippet: {}", staff.body);
    });
}

/// A rights change reaches the very next request to every content route, without any
/// other page being visited first; content of a work that may not be shown is never
/// cached, and that of others only while the server says so again.
#[test]
fn a_rights_change_reaches_the_next_request_to_every_content_route() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let word = gazeta_word();
        let pdf = site.get("/doc/gazeta/pdf").await;
        assert_eq!(pdf.status, StatusCode::OK);
        assert_eq!(pdf.header("cache-control"), "no-cache");
        let image = site.get("/doc/gazeta/page/1/full.jpg").await;
        assert_eq!(image.status, StatusCode::OK);
        assert_eq!(image.header("cache-control"), "no-cache", "no public caching that could outlive a rights change");
        assert!(site.get("/doc/gazeta").await.body.contains(&word));
        let reader = format!("/doc/gazeta/page/1?q={word}");
        assert!(site.get(&reader).await.body.contains(&format!("<mark>{word}</mark>")));

        expect_code(olke(&site.archive).args(["catalog", "set", "gazeta", "rights", "in_copyright"]), 0);
        for uri in ["/doc/gazeta/pdf", "/doc/gazeta/page/1/full.jpg"] {
            assert_eq!(site.get(uri).await.status, StatusCode::FORBIDDEN, "{uri} after the change");
        }
        let shown = site.get("/doc/gazeta").await;
        assert!(!shown.body.contains(&word), "no text after the change");
        assert!(!shown.body.contains("/pdf\""), "no PDF link after the change");
        assert_eq!(shown.header("cache-control"), "private, no-store");
        let read = site.get(&reader).await;
        assert!(!read.body.contains(&word) && !read.body.contains("<img"), "no page, no text: {}", read.body);
        assert!(!read.body.contains("<mark>") && !read.body.contains("<rect"), "{}", read.body);
        assert_eq!(read.header("cache-control"), "private, no-store");
        let thumb = site.get("/doc/gazeta/page/1/thumb.jpg").await;
        assert_eq!(thumb.status, StatusCode::OK);
        assert_eq!(thumb.header("cache-control"), "private, no-store");
        let found = site.get(&format!("/search?q={word}")).await;
        assert!(found.body.contains("/doc/gazeta") && !found.body.contains("<mark>"), "{}", found.body);

        expect_code(olke(&site.archive).args(["catalog", "set", "gazeta", "rights", "public_domain"]), 0);
        assert_eq!(site.get("/doc/gazeta/pdf").await.status, StatusCode::OK, "and back");
    });
}

/// One-line fields take no control characters (a line break would start a new line on the
/// cover page or a new header in a mail) and no direction overrides; the answer names
/// the field.
#[test]
fn form_fields_refuse_line_breaks_and_direction_overrides() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let csrf = site.get("/request").await.csrf();
        for (field, value) in [
            ("name", "Ivan\r\nBcc: all@example.kz"),
            ("name", "Ivan\u{202E}vonaI"),
            ("email", "ivan@example.kz\n"),
            ("pages", "1\u{2066}"),
            ("purpose", "study \u{202D}x"),
        ] {
            let mut form =
                vec![("csrf", csrf.as_str()), ("name", "Ivan"), ("email", "ivan@example.kz"), ("document", "gazeta")];
            form.retain(|(name, _)| *name != field);
            form.push((field, value));
            let answer = site.post("/request", &form).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{field}={value:?}: {}", answer.body);
            assert!(answer.body.contains(&format!(": {field}")), "{field} is named: {}", answer.body);
        }
        assert!(site.register().is_empty(), "nothing was filed");
        let several_lines = [
            ("csrf", csrf.as_str()),
            ("name", "Ivan"),
            ("email", "ivan@example.kz"),
            ("document", "gazeta"),
            ("purpose", "Line one\r\nline two"),
        ];
        assert_eq!(site.post("/request", &several_lines).await.status, StatusCode::OK, "the purpose may run on");
    });
}

/// Searches, delivery requests and wrong staff tokens are limited per address (and
/// requests per email too): past a limit, 429 with Retry-After; an address that guessed
/// the token too often is locked out even with the right one.
#[test]
fn abuse_limits_answer_429_with_retry_after() {
    runtime().block_on(async {
        let mut site =
            Site::with_limits("searches_per_minute = 3\nrequests_per_hour = 2\nfailed_logins_per_hour = 3\n").await;
        let word = gazeta_word();
        for _ in 0..3 {
            assert_eq!(site.get(&format!("/search?q={word}")).await.status, StatusCode::OK);
        }
        let limited = site.get(&format!("/search?q={word}")).await;
        assert_eq!(limited.status, StatusCode::TOO_MANY_REQUESTS);
        let wait: u64 = limited.header("retry-after").parse().unwrap();
        assert!((1..=60).contains(&wait), "{wait}");
        assert_eq!(site.get("/doc/gazeta").await.status, StatusCode::OK, "reading is not limited");

        let csrf = site.get("/request").await.csrf();
        let form =
            |email: &'static str| vec![("name", "Ivan"), ("email", email), ("document", "gazeta"), ("pages", "1")];
        for email in ["a@example.kz", "b@example.kz"] {
            let mut fields = form(email);
            fields.push(("csrf", &csrf));
            assert_eq!(site.post("/request", &fields).await.status, StatusCode::OK);
        }
        let mut third = form("c@example.kz");
        third.push(("csrf", &csrf));
        let flooded = site.post("/request", &third).await;
        assert_eq!(flooded.status, StatusCode::TOO_MANY_REQUESTS);
        assert!(!flooded.header("retry-after").is_empty());
        assert_eq!(site.register().len(), 2, "the third was not filed");

        for _ in 0..3 {
            let wrong = site.post("/staff/login", &[("csrf", &csrf), ("token", "staff-token-for-tests-9999")]).await;
            assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
        }
        let locked = site.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await;
        assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "locked out, the right token or not");
        assert!(!locked.header("set-cookie").contains("olke_staff"));
    });
}

/// The staff queue is paged and filtered by reader and status, and says what a reader
/// was delivered of a document before.
#[test]
fn the_staff_queue_is_paged_filtered_and_shows_a_readers_history() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let csrf = site.get("/request").await.csrf();
        for n in 0..52 {
            let email = if n < 2 { "askar@example.kz" } else { "bota@example.kz" };
            let form =
                [("csrf", csrf.as_str()), ("name", "Reader"), ("email", email), ("document", "gazeta"), ("pages", "1")];
            assert_eq!(site.post("/request", &form).await.status, StatusCode::OK);
        }
        assert_eq!(site.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await.status, StatusCode::SEE_OTHER);
        assert_eq!(site.post("/staff/requests/1/fulfil", &[("csrf", &csrf)]).await.status, StatusCode::OK);

        let first = site.get("/staff").await;
        assert_eq!(first.body.matches("<tr id=\"r").count(), 50, "fifty a page");
        assert!(first.body.contains("1 / 2") && first.body.contains("page=2"), "{}", first.body);
        let second = site.get("/staff?page=2").await;
        assert_eq!(second.body.matches("<tr id=\"r").count(), 2);

        let askar = site.get("/staff?requester=Askar@example.kz").await;
        assert_eq!(askar.body.matches("<tr id=\"r").count(), 2, "one reader's requests");
        assert!(!askar.body.contains("bota@example.kz"));
        assert!(
            askar.body.contains("бұрын берілген беттер: 1"),
            "request 2 shows what request 1 delivered: {}",
            askar.body
        );
        let delivered = site.get("/staff?status=delivered").await;
        assert_eq!(delivered.body.matches("<tr id=\"r").count(), 1);
    });
}

/// A PDF is sent from disk with Range support: a part is 206 with Content-Range, a part
/// past the end 416.
#[test]
fn pdfs_answer_range_requests() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let whole = site.get("/doc/gazeta/pdf").await;
        assert_eq!(whole.status, StatusCode::OK);
        assert_eq!(whole.header("accept-ranges"), "bytes");
        let length = fs::metadata(site.archive.join("documents/gazeta/gazeta.pdf")).unwrap().len();
        let ranged = |site: &Site, uri: &str, range: &str| {
            site.request(Method::GET, uri).header(header::RANGE, range).body(Body::empty()).unwrap()
        };
        let part = site.send(ranged(&site, "/doc/gazeta/pdf", "bytes=0-4")).await;
        assert_eq!(part.status, StatusCode::PARTIAL_CONTENT);
        assert_eq!(part.body, "%PDF-");
        assert_eq!(part.header("content-range"), format!("bytes 0-4/{length}"));
        let tail = site.send(ranged(&site, "/doc/gazeta/pdf", "bytes=-6")).await;
        assert_eq!(tail.body.trim_end(), "%%EOF");
        let refused = site.send(ranged(&site, "/doc/gazeta/pdf", &format!("bytes={length}-"))).await;
        assert_eq!(refused.status, StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(refused.header("content-range"), format!("bytes */{length}"));
        let in_copyright = site.send(ranged(&site, "/doc/qamshy/pdf", "bytes=0-4")).await;
        assert_eq!(in_copyright.status, StatusCode::FORBIDDEN, "a range is no way round the rights");
    });
}

/// A CSRF token is made with the server's secret: a browser id planted by someone else,
/// with the same value in the form, is refused. With secure cookies on, every cookie is
/// `Secure` and `__Host-`, and forms still work.
#[test]
fn csrf_tokens_need_the_servers_secret_and_cookies_can_be_secure_only() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let planted = "ab".repeat(32);
        site.cookies = vec![("olke_csrf".to_string(), planted.clone())];
        let form = |csrf: &str| {
            vec![
                ("csrf", csrf.to_string()),
                ("name", "Ivan".to_string()),
                ("email", "ivan@example.kz".to_string()),
                ("document", "gazeta".to_string()),
            ]
        };
        let as_pairs = |form: &[(&'static str, String)]| form.iter().map(|(k, v)| (*k, v.clone())).collect::<Vec<_>>();
        let planted_form = as_pairs(&form(&planted));
        let refs: Vec<(&str, &str)> = planted_form.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(
            site.post("/request", &refs).await.status,
            StatusCode::FORBIDDEN,
            "the cookie's own value is no token"
        );
        let csrf = site.get("/request").await.csrf();
        assert_ne!(csrf, planted);
        let good = as_pairs(&form(&csrf));
        let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(site.post("/request", &refs).await.status, StatusCode::OK, "the page's token for that id works");

        let mut secure = Site::with_limits(&format!("{NO_LIMITS}secure_cookies = true\n")).await;
        let page = secure.get("/request?ui=ru").await;
        let cookies = page.header("set-cookie");
        assert!(cookies.contains("__Host-olke_ui=ru"), "{cookies}");
        assert!(secure.cookies.iter().any(|(name, _)| name == "__Host-olke_csrf"), "{:?}", secure.cookies);
        assert!(cookies.lines().all(|c| c.contains("; Secure") && c.contains("Path=/")), "{cookies}");
        let csrf = page.csrf();
        let good = as_pairs(&form(&csrf));
        let refs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
        assert_eq!(secure.post("/request", &refs).await.status, StatusCode::OK);
        let login = secure.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await;
        assert!(login.header("set-cookie").contains("__Host-olke_staff="), "{}", login.header("set-cookie"));
    });
}

/// A delivery request for gazeta by `email`, as if from `address`.
async fn file_from(site: &mut Site, csrf: &str, address: [u8; 4], email: &str) -> StatusCode {
    let form = [("csrf", csrf), ("name", "Reader"), ("email", email), ("document", "gazeta")];
    let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
    let request = site
        .request(Method::POST, "/request")
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .extension(axum::extract::ConnectInfo(std::net::SocketAddr::from((address, 40000))))
        .body(Body::from(body))
        .unwrap();
    site.send(request).await.status
}

/// Requests are limited per email too: one reader filing from several addresses is
/// stopped at the limit, another reader at the same addresses is not.
#[test]
fn delivery_requests_are_limited_per_email_across_addresses() {
    runtime().block_on(async {
        let mut site = Site::with_limits("searches_per_minute = 0\nrequests_per_hour = 2\n").await;
        let csrf = site.get("/request").await.csrf();
        assert_eq!(file_from(&mut site, &csrf, [10, 0, 0, 1], "askar@example.kz").await, StatusCode::OK);
        assert_eq!(file_from(&mut site, &csrf, [10, 0, 0, 2], "ASKAR@example.kz").await, StatusCode::OK);
        assert_eq!(
            file_from(&mut site, &csrf, [10, 0, 0, 3], "askar@example.kz").await,
            StatusCode::TOO_MANY_REQUESTS,
            "a third by one reader"
        );
        assert_eq!(
            file_from(&mut site, &csrf, [10, 0, 0, 3], "bota@example.kz").await,
            StatusCode::OK,
            "another reader from that address"
        );
    });
}

/// A request whose body comes a byte now and then is cut off once its ten seconds for
/// the body are over (408, the connection closed), and holds nothing up meanwhile.
#[test]
fn a_request_whose_body_trickles_in_is_cut_off() {
    use std::io::{Read, Write};
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, Some(TOKEN));
    let port = server.port;
    let mut slow = std::net::TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        slow,
        "POST /oai HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n\
         Content-Length: 10000\r\n\r\nverb=Identify"
    )
    .unwrap();
    let started = Instant::now();
    let mut trickle = slow.try_clone().unwrap();
    let trickling = std::thread::spawn(move || {
        // A byte a second, for longer than the test waits, until the server hangs up.
        for _ in 0..60 {
            std::thread::sleep(Duration::from_secs(1));
            if trickle.write_all(b"x").is_err() {
                return;
            }
        }
    });
    assert!(http_get(port, "/").is_some_and(|a| a.starts_with("HTTP/1.1 200")), "others are served meanwhile");
    slow.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let mut answer = Vec::new();
    let closed = slow.read_to_end(&mut answer);
    let took = started.elapsed();
    let answer = String::from_utf8_lossy(&answer);
    assert!(closed.is_ok(), "the server closed the connection: {closed:?}");
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(took >= Duration::from_secs(8) && took < Duration::from_secs(20), "cut off after {took:?}");
    drop(slow);
    trickling.join().unwrap();
}

/// Whatever a staff session is shown, outside `/staff` too (passages of a work in
/// copyright in the results, the correction view), no cache keeps; what a cache may keep
/// is kept apart for each browser's cookies.
#[test]
fn what_a_staff_session_is_shown_is_never_cached() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let public = site.get("/doc/gazeta").await;
        assert_eq!(public.header("cache-control"), "no-cache");
        assert!(public.header("vary").contains("Cookie"), "{:?}", public.headers);
        assert_eq!(site.get("/style.css").await.header("vary"), "", "the same for everyone");

        let csrf = site.get("/request").await.csrf();
        assert_eq!(site.post("/staff/login", &[("csrf", &csrf), ("token", TOKEN)]).await.status, StatusCode::SEE_OTHER);
        let book_word = words_of(texts::KAZAKH[2])[3].clone();
        for uri in [format!("/search?q={book_word}"), "/doc/gazeta/page/1/correct".into(), "/doc/gazeta".into()] {
            let answer = site.get(&uri).await;
            assert_eq!(answer.status, StatusCode::OK, "{uri}");
            assert_eq!(answer.header("cache-control"), "private, no-store", "{uri}");
        }
        assert_eq!(site.get("/staff").await.header("cache-control"), "no-store");
        assert!(site.get("/style.css").await.header("cache-control").starts_with("public"));
    });
}

/// Control characters are taken out of an address's parameters (never echoed into a
/// page), and a query as long as the search box takes, in Kazakh, is answered, not 414.
#[test]
fn queries_lose_control_characters_and_a_full_length_kazakh_query_fits_the_address() {
    runtime().block_on(async {
        let mut site = Site::new().await;
        let nul = site.get("/search?q=a%00b%1B").await;
        assert_eq!(nul.status, StatusCode::OK, "{}", nul.body);
        assert!(!nul.body.contains(['\0', '\u{1b}']), "{}", nul.body);
        assert!(nul.body.contains("value=\"ab\""), "the query as taken: {}", nul.body);

        let home = site.get("/").await;
        let at = home.body.find("maxlength=\"").unwrap() + 11;
        let longest: usize = home.body[at..].split('"').next().unwrap().parse().unwrap();
        let words = vec!["қалалық"; longest / 8];
        let query = words.join("+") + &"ә".repeat(longest - (words.len() * 8 - 1));
        assert_eq!(query.replace('+', " ").chars().count(), longest);
        for uri in [format!("/search?q={query}"), format!("/doc/gazeta/page/1?q={query}")] {
            let answer = site.get(&uri).await;
            assert_eq!(answer.status, StatusCode::OK, "{}: {}", &uri[..40], answer.body);
        }
    });
}
