//! The reader (`olke serve`'s `/doc/ID/page/N`): a search's words outlined on the page
//! image with the search's own analysis, hits across pages, jumping and searching within
//! a document, rights, citations in RIS, BibTeX and CSL-JSON, OpenSeadragon served from
//! olke itself; in headless Chromium the issue's walk (search an inflected Kazakh word,
//! open it, find the outlines, zoom, next hit) and axe-core over every page type.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::browser::{browser, click, screenshot, Driver};
use common::server::{http_get, Server};
use common::*;
use fantoccini::{Client, Locator};
use olke::testkit::fixtures::texts;
use serde_json::Value;

const TOKEN: &str = "staff-token-for-tests-0123";

/// A form of «кітапхана» that no page has: pages say «кітапханада», «кітапхананың».
const QUERY: &str = "кітапханалар";

/// A four-page public-domain Kazakh document (the library on pages 2 and 4, in two
/// inflected forms; a Russian paragraph on page 3) and an in-copyright one whose page
/// says «кітапханада» too.
fn fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "reader-fixture", |batch, archive| {
        scan(batch, "p1.png", &texts::KAZAKH[..1], Saved::Png);
        scan(batch, "p2.png", &texts::KAZAKH[2..3], Saved::Png);
        scan(batch, "p3.png", &texts::RUSSIAN[2..3], Saved::Png);
        scan(
            batch,
            "p4.png",
            &["Қалалық кітапхананың оқу залы жаңартылды. Балалар мен жастар үшін жаңа кітаптар алынды."],
            Saved::Png,
        );
        scan(batch, "closed.png", &texts::KAZAKH[2..3], Saved::Png);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,source,date,issue,source_pages,year,language,collections,rights\n\
             p1.png; p2.png; p3.png; p4.png,kitap,newspaper_article,Кітапхана {жаңалықтары} & 100%,\"Сейітов, А.\",Балқаш өңірі,1995-03-02,9,1-4,,kaz,Өлкетану,public_domain\n\
             closed.png,jabyq,book,Жабық кітап,\"Кәрім, Н.\",,,,,2016,kaz,Өлкетану,in_copyright\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        fs::write(
            archive.join("olke.toml"),
            format!("[web]\nstaff_token = \"{TOKEN}\"\nsearches_per_minute = 0\nrequests_per_hour = 0\n"),
        )
        .unwrap();
    })
}

fn encoded(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The server over a copy of the fixture.
fn server() -> (Server, tempfile::TempDir) {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, Some(TOKEN));
    (server, tmp)
}

/// The answer to a GET: status line and headers, and the body.
fn get(server: &Server, path: &str) -> (String, String) {
    let answer = http_get(server.port, path).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.to_string(), body.to_string())
}

/// A box as `[x0, y0, x1, y1]`.
type Box4 = [u32; 4];

/// The outlines a reader page draws: its SVG's rectangles, in page pixels.
fn outlines(html: &str) -> Vec<Box4> {
    let attribute = |tag: &str, name: &str| -> u32 {
        let at = tag.find(&format!(" {name}=\"")).unwrap_or_else(|| panic!("no {name} in {tag}")) + name.len() + 3;
        tag[at..at + tag[at..].find('"').unwrap()].parse().unwrap()
    };
    html.split("<rect class=\"hit\"")
        .skip(1)
        .map(|rest| {
            let tag = &rest[..rest.find('>').unwrap()];
            let (x, y) = (attribute(tag, "x"), attribute(tag, "y"));
            [x, y, x + attribute(tag, "width"), y + attribute(tag, "height")]
        })
        .collect()
}

/// The stored boxes of the words on page `page` of `id` whose text starts with `stem`.
fn word_boxes(archive: &Path, id: &str, page: u32, stem: &str) -> Vec<Box4> {
    let path = archive.join(format!("documents/{id}/pages/{page:04}.json"));
    let page: Value = serde_json::from_slice(&fs::read(path).unwrap()).unwrap();
    let mut boxes = Vec::new();
    for line in page["lines"].as_array().unwrap() {
        for word in line["words"].as_array().unwrap() {
            if word["text"].as_str().unwrap().to_lowercase().starts_with(stem) {
                let b = &word["bbox"];
                let n = |k: &str| b[k].as_u64().unwrap() as u32;
                boxes.push([n("x0"), n("y0"), n("x1"), n("y1")]);
            }
        }
    }
    boxes
}

fn archive_of(tmp: &tempfile::TempDir) -> PathBuf {
    tmp.path().join("archive")
}

#[test]
fn a_search_opens_the_matching_page_with_the_inflected_words_outlined() {
    let (server, tmp) = server();
    let archive = archive_of(&tmp);
    let q = encoded(QUERY);
    let (_, results) = get(&server, &format!("/search?q={q}"));
    assert!(results.contains(&format!("href=\"/doc/kitap/page/2?q={q}\"")), "the first matching page: {results}");

    let (head, page) = get(&server, &format!("/doc/kitap/page/2?q={q}"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    let expected = word_boxes(&archive, "kitap", 2, "кітапхана");
    assert_eq!(expected.len(), 1, "page 2 says «кітапханада» once");
    assert_eq!(outlines(&page), expected, "the outlines are the matched word's stored box");
    // Without JavaScript: the image itself, the outlines over it in its pixels.
    assert!(page.contains("<img class=\"page\" src=\"/doc/kitap/page/2/full.jpg\""), "{page}");
    assert!(page.contains("<mark>кітапханада</mark>"), "the word is marked in the text too");
    assert!(page.contains(&format!("id=\"next-hit\" rel=\"next\" href=\"/doc/kitap/page/4?q={q}\"")), "{page}");
    assert!(!page.contains("Алдыңғы сәйкестік"), "no hit before page 2");
    assert!(page.contains(&format!("href=\"/doc/kitap/page/2?q={q}\" class=\"has-hits\" aria-current=\"page\"")));
    assert!(page.contains(&format!("href=\"/doc/kitap/page/4?q={q}\" class=\"has-hits\"")));
    assert!(page.contains(&format!("href=\"/doc/kitap/page/3?q={q}\"><img src=\"/doc/kitap/page/3/thumb.jpg\"")));
    assert!(page.contains("data-info=\"/iiif/3/kitap~2/info.json\""));

    let (_, fourth) = get(&server, &format!("/doc/kitap/page/4?q={q}"));
    assert_eq!(outlines(&fourth), word_boxes(&archive, "kitap", 4, "кітапхана"), "«кітапхананың» on page 4");
    assert!(fourth.contains(&format!("rel=\"prev\" href=\"/doc/kitap/page/2?q={q}\">← Алдыңғы сәйкестік")));
    let (_, first) = get(&server, &format!("/doc/kitap/page/1?q={q}"));
    assert!(outlines(&first).is_empty(), "nothing on page 1");

    // A Russian paragraph of the Kazakh document, by the Russian analysis.
    let (_, russian) = get(&server, &format!("/doc/kitap/page/3?q={}", encoded("библиотеками")));
    let library = word_boxes(&archive, "kitap", 3, "библиотек");
    assert!(!library.is_empty());
    assert_eq!(outlines(&russian), library, "«библиотеке» found by «библиотеками»");

    // A permalink without a query: the page, nothing outlined.
    let (head, plain) = get(&server, "/doc/kitap/page/4");
    assert!(head.starts_with("HTTP/1.1 200") && outlines(&plain).is_empty());
    assert!(plain.contains("rel=\"prev\" href=\"/doc/kitap/page/3\""), "previous page");
    for missing in ["/doc/kitap/page/0", "/doc/kitap/page/5", "/doc/nothing/page/1"] {
        assert!(get(&server, missing).0.starts_with("HTTP/1.1 404"), "{missing}");
    }
}

#[test]
fn jumping_and_searching_within_a_document_land_on_a_permalink() {
    let (server, _tmp) = server();
    let q = encoded(QUERY);
    let location = |path: &str| -> String {
        let (head, _) = get(&server, path);
        assert!(head.starts_with("HTTP/1.1 303"), "{path}: {head}");
        head.lines().find_map(|l| l.strip_prefix("location: ")).unwrap().to_string()
    };
    assert_eq!(location("/doc/kitap/go?page=3"), "/doc/kitap/page/3");
    assert_eq!(location("/doc/kitap/go?page=99"), "/doc/kitap/page/4", "past the end: the last page");
    assert_eq!(location(&format!("/doc/kitap/go?page=3&q={q}&find=1")), format!("/doc/kitap/page/4?q={q}"));
    assert_eq!(location(&format!("/doc/kitap/go?page=1&q={q}&find=1")), format!("/doc/kitap/page/2?q={q}"));
    let none = encoded("жоқсөз");
    assert_eq!(location(&format!("/doc/kitap/go?page=3&q={none}&find=1")), format!("/doc/kitap/page/3?q={none}"));
    let (_, page) = get(&server, &format!("/doc/kitap/page/3?q={none}"));
    assert!(page.contains("Бұл құжатта табылмады."), "{page}");
    let (head, bad) = get(&server, &format!("/doc/kitap/page/3?q={}", encoded("\"unclosed")));
    assert!(head.starts_with("HTTP/1.1 200") && bad.contains("class=\"error\""), "a bad query is said: {bad}");
}

#[test]
fn a_restricted_documents_page_shows_no_image_and_no_text() {
    let (server, tmp) = server();
    let q = encoded(QUERY);
    let text = word_boxes(&archive_of(&tmp), "jabyq", 1, "");
    assert!(!text.is_empty());
    for path in ["/doc/jabyq/page/1".to_string(), format!("/doc/jabyq/page/1?q={q}")] {
        let (head, page) = get(&server, &path);
        assert!(head.starts_with("HTTP/1.1 200"), "{path}: {head}");
        assert!(head.contains("cache-control: private, no-store"), "{head}");
        assert!(!page.contains("<img") && !page.contains(".jpg") && !page.contains("/iiif/"), "{path}: {page}");
        assert!(outlines(&page).is_empty() && !page.contains("<mark>"), "{path}");
        for word in ["кітапханада", "ардагерлері", "сканерленіп"] {
            assert!(!page.contains(word), "{path}: «{word}» of the page's text shown");
        }
        assert!(page.contains("авторлық құқықпен қорғалған"), "{path}: says why");
    }
    for image in ["/doc/jabyq/page/1/full.jpg", "/iiif/3/jabyq~1/info.json"] {
        assert!(get(&server, image).0.starts_with("HTTP/1.1 403"), "{image}");
    }
}

#[test]
fn citations_download_as_ris_bibtex_and_csl_json() {
    let (server, _tmp) = server();
    let (head, ris) = get(&server, "/doc/kitap/cite.ris");
    assert!(head.contains("content-type: application/x-research-info-systems"), "{head}");
    assert!(head.contains("content-disposition: attachment; filename=\"kitap.ris\""), "{head}");
    let lines: Vec<&str> = ris.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert_eq!((lines[0], *lines.last().unwrap()), ("TY  - NEWS", "ER  - "), "{ris}");
    for tag in [
        "AU  - Сейітов, А.",
        "TI  - Кітапхана {жаңалықтары} & 100%",
        "T2  - Балқаш өңірі",
        "PY  - 1995",
        "SP  - 1",
        "EP  - 4",
        "IS  - 9",
        "LA  - kk",
    ] {
        assert!(lines.contains(&tag), "{tag} in {ris}");
    }
    assert!(lines.iter().any(|l| l.starts_with("UR  - http://127.0.0.1:") && l.ends_with("/doc/kitap")), "{ris}");

    let (head, json) = get(&server, "/doc/kitap/cite.json");
    assert!(head.contains("content-type: application/vnd.citationstyles.csl+json"), "{head}");
    let csl: Value = serde_json::from_str(&json).unwrap();
    let item = &csl[0];
    assert_eq!(item["type"], "article-newspaper");
    assert_eq!(item["title"], "Кітапхана {жаңалықтары} & 100%");
    assert_eq!(item["author"][0]["family"], "Сейітов");
    assert_eq!(item["container-title"], "Балқаш өңірі");
    assert_eq!(item["issued"]["date-parts"][0], serde_json::json!([1995, 3, 2]));
    assert_eq!(item["page"], "1-4");

    let (head, bib) = get(&server, "/doc/kitap/cite.bib");
    assert!(head.contains("content-type: application/x-bibtex"), "{head}");
    // Read back by a BibTeX parser of its own (bibtexparser, `scripts/install-deps.sh --test`).
    let script = r#"
import sys, json, bibtexparser
text = sys.stdin.read()
if hasattr(bibtexparser, "parse_string"):  # 2.x
    library = bibtexparser.parse_string(text)
    assert not library.failed_blocks, [b.error for b in library.failed_blocks]
    entries = [dict({k: f.value for k, f in e.fields_dict.items()}, ENTRYTYPE=e.entry_type, ID=e.key) for e in library.entries]
else:  # 1.x
    entries = bibtexparser.loads(text).entries
print(json.dumps(entries, ensure_ascii=False))
"#;
    let mut child = Command::new("python3")
        .args(["-c", script])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child.stdin.take().unwrap().write_all(bib.as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let entries: Value = serde_json::from_slice(&output.stdout).unwrap();
    let entry = &entries[0];
    assert_eq!((entry["ENTRYTYPE"].as_str(), entry["ID"].as_str()), (Some("article"), Some("kitap")), "{bib}");
    assert_eq!(entry["title"], "{Кітапхана \\{жаңалықтары\\} \\& 100\\%}", "{bib}");
    assert_eq!(entry["journal"], "Балқаш өңірі");
    assert_eq!(entry["pages"], "1--4");
    assert_eq!(entry["author"], "Сейітов, А.");

    let (_, document) = get(&server, "/doc/kitap");
    assert!(document.contains("id=\"cite-gost\" type=\"text\" readonly value=\"Сейітов, А. Кітапхана"), "{document}");
    for format in ["ris", "bib", "json"] {
        assert!(document.contains(&format!("href=\"/doc/kitap/cite.{format}\" download")), "{format}");
    }
}

#[test]
fn openseadragon_comes_from_olke_itself_within_the_csp() {
    let (server, _tmp) = server();
    let (head, script) = get(&server, "/static/openseadragon/openseadragon.min.js");
    assert!(head.starts_with("HTTP/1.1 200") && head.contains("content-type: text/javascript"), "{head}");
    assert!(script.contains("OpenSeadragon"));
    let (head, _) = get(&server, "/static/openseadragon/images/zoomin_rest.png");
    assert!(head.contains("content-type: image/png"), "{head}");
    assert!(get(&server, "/static/reader.js").0.starts_with("HTTP/1.1 200"));
    assert!(get(&server, "/static/../Cargo.toml").0.starts_with("HTTP/1.1 404"));
    let (head, page) = get(&server, "/doc/kitap/page/2");
    assert!(head.contains("script-src 'self'") && head.contains("default-src 'none'"), "{head}");
    let sources: Vec<&str> = page.split("<script src=\"").skip(1).map(|s| &s[..s.find('"').unwrap()]).collect();
    assert_eq!(sources, ["/static/openseadragon/openseadragon.min.js", "/static/reader.js"]);
    assert_eq!(page.matches("<script").count(), 2, "no inline script");
}

/// Waits until `script` (a function body) returns true.
async fn wait_for(client: &Client, what: &str, script: &str) {
    for _ in 0..100 {
        if client.execute(script, vec![]).await.unwrap() == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never: {what}");
}

/// The OpenSeadragon overlays' sizes in CSS pixels, `[left, top, width, height]`.
async fn overlay_boxes(client: &Client) -> Vec<Vec<f64>> {
    let script = "return Array.from(document.querySelectorAll('#zoom .hit')).map(e => { \
                  const r = e.getBoundingClientRect(); return [r.left, r.top, r.width, r.height]; })";
    serde_json::from_value(client.execute(script, vec![]).await.unwrap()).unwrap()
}

/// The reader page's outlines as its SVG draws them, from the browser's DOM.
async fn dom_outlines(client: &Client) -> Vec<Box4> {
    let html = client.source().await.unwrap();
    outlines(&html)
}

#[test]
fn a_reader_finds_an_inflected_word_outlined_zooms_and_moves_to_the_next_hit_in_chromium() {
    let (server, tmp) = server();
    let archive = archive_of(&tmp);
    let driver = Driver::start();
    let shots = "reader-screenshots";
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let client = browser(&driver, &tmp.path().join("profile")).await;
        client.goto(&format!("{}/", server.url)).await.unwrap();
        client.find(Locator::Css("input[name=q]")).await.unwrap().send_keys(QUERY).await.unwrap();
        click(&client, "form.search button").await;
        click(&client, "ol.hits li > a").await;
        let url = client.current_url().await.unwrap();
        assert_eq!(url.path(), "/doc/kitap/page/2", "the result opens the matching page");
        assert_eq!(url.query_pairs().find(|(k, _)| k == "q").map(|(_, v)| v.into_owned()).as_deref(), Some(QUERY));
        assert_eq!(dom_outlines(&client).await, word_boxes(&archive, "kitap", 2, "кітапхана"), "the right word");

        // Deep zoom: OpenSeadragon opens over the IIIF service, the outlines its overlays.
        wait_for(&client, "OpenSeadragon opens", "return document.body.classList.contains('zoomed') && !!document.querySelector('#zoom canvas')").await;
        wait_for(&client, "the overlay is placed", "const h = document.querySelector('#zoom .hit'); return !!h && h.getBoundingClientRect().width > 0").await;
        let before = overlay_boxes(&client).await;
        assert_eq!(before.len(), 1, "one overlay per outline");
        // The overlay sits where the word is: its share of the canvas is the box's share of the page.
        let page: Value = serde_json::from_slice(&fs::read(archive.join("documents/kitap/pages/0002.json")).unwrap()).unwrap();
        let canvas: Vec<f64> = serde_json::from_value(
            client.execute("const r = document.querySelector('#zoom canvas').getBoundingClientRect(); return [r.left, r.top, r.width, r.height]", vec![]).await.unwrap(),
        )
        .unwrap();
        let [x0, _, x1, _] = word_boxes(&archive, "kitap", 2, "кітапхана")[0];
        let scale = before[0][2] / f64::from(x1 - x0);
        let image_width = page["width"].as_f64().unwrap() * scale;
        let image_left = canvas[0] + (canvas[2] - image_width) / 2.0;
        assert!((before[0][0] - (image_left + f64::from(x0) * scale)).abs() < 3.0, "{before:?} {canvas:?} {scale}");
        screenshot(&client, shots, "reader-hit").await;

        client.find(Locator::Css("#zoom [title='Үлкейту']")).await.expect("the zoom-in control").click().await.unwrap();
        let mut zoomed = before.clone();
        for _ in 0..50 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            zoomed = overlay_boxes(&client).await;
            if zoomed[0][2] > before[0][2] * 1.5 {
                break;
            }
        }
        assert!(zoomed[0][2] > before[0][2] * 1.5, "zoomed in: the outline grew from {before:?} to {zoomed:?}");
        screenshot(&client, shots, "reader-zoomed").await;

        click(&client, "#next-hit").await;
        assert_eq!(client.current_url().await.unwrap().path(), "/doc/kitap/page/4");
        assert_eq!(dom_outlines(&client).await, word_boxes(&archive, "kitap", 4, "кітапхана"), "the next hit's word");
        wait_for(&client, "OpenSeadragon opens again", "return !!document.querySelector('#zoom .hit')").await;

        // The citation's copy button, which the script adds beside the field.
        client.goto(&format!("{}/doc/kitap", server.url)).await.unwrap();
        let copy = client.find(Locator::Css("#cite-gost + button")).await.expect("a copy button");
        assert_eq!(copy.text().await.unwrap(), "Көшіру");
        copy.click().await.unwrap();
        wait_for(&client, "the copy is confirmed", "return document.querySelector('#cite-gost + button').textContent === 'Көшірілді'").await;
        client.close().await.unwrap();
    });
    let saved = Path::new(env!("CARGO_TARGET_TMPDIR")).join(shots);
    assert!(saved.join("reader-zoomed.png").is_file(), "screenshots are kept in {}", saved.display());
}

/// axe-core from web/node_modules (npm, `make deps`), put into the page by WebDriver: the
/// server never serves it.
fn axe_source() -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("web/node_modules/axe-core/axe.min.js");
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}; run `make deps`", path.display()))
}

/// WCAG 2.1 A and AA violations of the page shown, one line each.
async fn violations(client: &Client, axe: &str) -> Vec<String> {
    client.execute(axe, vec![]).await.unwrap();
    let run = "const done = arguments[arguments.length - 1]; \
               axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }) \
                 .then(r => done(r.violations.flatMap(v => v.nodes.map(n => v.id + ' (' + v.impact + '): ' + n.target.join(' ') + ' — ' + n.failureSummary)))) \
                 .catch(e => done(['axe failed: ' + e]));";
    serde_json::from_value(client.execute_async(run, vec![]).await.unwrap()).unwrap()
}

#[test]
fn every_page_type_has_no_wcag_2_1_aa_violations_by_axe_core_in_chromium() {
    let (server, tmp) = server();
    let axe = axe_source();
    let driver = Driver::start();
    let q = encoded(QUERY);
    let pages = [
        ("home", "/".to_string()),
        ("search", format!("/search?q={q}")),
        ("document", "/doc/kitap".into()),
        ("reader", format!("/doc/kitap/page/2?q={q}")),
        ("restricted-page", "/doc/jabyq/page/1".into()),
        ("correction-view", "/doc/kitap/page/2/correct".into()),
        ("collections", "/collections".into()),
        ("collection", format!("/collections/{}", encoded("Өлкетану"))),
        ("request", "/request?doc=jabyq".into()),
        ("staff-login", "/staff".into()),
        ("not-found", "/doc/nothing".into()),
    ];
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let client = browser(&driver, &tmp.path().join("profile")).await;
        let mut found = Vec::new();
        for (name, path) in &pages {
            for ui in ["kk", "ru"] {
                let separator = if path.contains('?') { '&' } else { '?' };
                client.goto(&format!("{}{path}{separator}ui={ui}", server.url)).await.unwrap();
                if *name == "reader" {
                    wait_for(&client, "OpenSeadragon opens", "return !!document.querySelector('#zoom .hit')").await;
                }
                found.extend(violations(&client, &axe).await.into_iter().map(|v| format!("{name} ({ui}): {v}")));
            }
            screenshot(&client, "reader-axe", name).await;
        }
        client.close().await.unwrap();
        assert!(found.is_empty(), "axe-core found WCAG 2.1 AA violations:\n{}", found.join("\n"));
    });
}

/// A staff member in Chromium logs in and corrects a line in the correction view: search
/// finds the new word, the archived PDF's text layer has it and `olke verify` is clean;
/// axe-core finds nothing on the staff's correction view and the review queue.
#[test]
fn a_staff_member_corrects_a_line_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, Some(TOKEN));
    let axe = axe_source();
    let driver = Driver::start();
    let corrected = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
        let client = browser(&driver, &tmp.path().join("profile")).await;
        client.goto(&format!("{}/staff", server.url)).await.unwrap();
        client.find(Locator::Css("#token")).await.unwrap().send_keys(TOKEN).await.unwrap();
        click(&client, "form[action='/staff/login'] button").await;
        client.goto(&format!("{}/doc/kitap/page/2/correct", server.url)).await.unwrap();
        let mut found = violations(&client, &axe).await;
        let field = client.find(Locator::Css("#text-1")).await.unwrap();
        let read = field.prop("value").await.unwrap().unwrap();
        // The line's last word replaced by one no page holds.
        let corrected = match read.rsplit_once(' ') {
            Some((start, _)) => format!("{start} Балқашбектер"),
            None => "Балқашбектер".to_string(),
        };
        field.clear().await.unwrap();
        field.send_keys(&corrected).await.unwrap();
        click(&client, "#line-1 form[action$='/correct/1'] button").await;
        let shown = client.find(Locator::Css("#text-1")).await.unwrap().prop("value").await.unwrap().unwrap();
        assert_eq!(shown, corrected, "the view shows the corrected line");
        screenshot(&client, "reader-axe", "correction-view-staff").await;
        client.goto(&format!("{}/staff/corrections", server.url)).await.unwrap();
        found.extend(violations(&client, &axe).await);
        screenshot(&client, "reader-axe", "staff-corrections").await;
        client.close().await.unwrap();
        assert!(found.is_empty(), "axe-core found WCAG 2.1 AA violations:\n{}", found.join("\n"));
        corrected
    });
    let hits = json(&expect_code(olke(&archive).args(["search", "Балқашбектер", "--json"]), 0));
    assert_eq!(hits["hits"][0]["id"], "kitap", "{hits}");
    assert!(pdftotext_raw(&pdf_of(&archive, "kitap")).contains(&corrected), "the PDF's text layer has the line");
    let (code, report) = verify(&archive, &[]);
    assert_eq!(code, Some(0), "{report:#}");
}

/// A public-domain issue of two pages that both say «кітапханада», the first also
/// «ғимаратта», and an article in copyright on the first page: page 1 may not be shown.
fn issue_fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "reader-issue-fixture", |batch, archive| {
        scan(batch, "p1.png", &[texts::KAZAKH[2], texts::KAZAKH[3]], Saved::Png);
        scan(batch, "p2.png", &texts::KAZAKH[2..3], Saved::Png);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,source,date,issue,language,rights,zones\n\
             p1.png;p2.png,pulse,newspaper_issue,Пульс,,Пульс,2019-07-12,28,kaz,public_domain,\n\
             p1.png,closed,newspaper_article,Естеліктер,\"Кәрім, Н.\",Пульс,2019-07-12,28,kaz,in_copyright,\"p1.png@0,0,1700,600\"\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        fs::write(archive.join("olke.toml"), "[web]\nsearches_per_minute = 0\n").unwrap();
    })
}

/// The reader's hits count and link only pages that may be shown: of a withheld page it
/// says neither that it matches nor where, query after query.
#[test]
fn the_readers_hits_leave_out_pages_that_may_not_be_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(issue_fixture(), tmp.path());
    let (server, _) = Server::start(&archive, None);
    assert!(get(&server, "/doc/pulse/page/1").0.contains("cache-control: private, no-store"), "page 1 is withheld");
    let q = encoded(QUERY);
    let (head, page) = get(&server, &format!("/doc/pulse/page/2?q={q}"));
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(page.contains("<mark>кітапханада</mark>"), "the shown page's own hit: {page}");
    assert!(page.contains("сәйкестігі бар беттер: 1<"), "only the shown page counts: {page}");
    assert!(!page.contains("Алдыңғы сәйкестік"), "no link to the withheld page's hit: {page}");
    assert!(!page.contains(&format!("href=\"/doc/pulse/page/1?q={q}\" class=\"has-hits\"")), "{page}");
    let (_, only_withheld) = get(&server, &format!("/doc/pulse/page/2?q={}", encoded("ғимаратта")));
    assert!(only_withheld.contains("Бұл құжатта табылмады."), "a word of the withheld page alone: {only_withheld}");
    let found = http_get(server.port, &format!("/doc/pulse/go?page=1&q={q}&find=1")).unwrap();
    assert!(found.contains(&format!("location: /doc/pulse/page/2?q={q}")), "{found}");
}

/// A query in the reader is a search: counted against the address's searches a minute,
/// as `/search` is, so it is no way round that limit.
#[test]
fn the_readers_queries_count_against_the_search_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let settings = fs::read_to_string(archive.join("olke.toml")).unwrap();
    fs::write(archive.join("olke.toml"), settings.replace("searches_per_minute = 0", "searches_per_minute = 2"))
        .unwrap();
    let (server, _) = Server::start(&archive, Some(TOKEN));
    let q = encoded(QUERY);
    assert!(get(&server, &format!("/search?q={q}")).0.starts_with("HTTP/1.1 200"));
    assert!(get(&server, &format!("/doc/kitap/page/2?q={q}")).0.starts_with("HTTP/1.1 200"));
    for limited in
        [format!("/doc/kitap/page/4?q={q}"), format!("/doc/kitap/go?page=1&q={q}&find=1"), format!("/search?q={q}")]
    {
        let (head, _) = get(&server, &limited);
        assert!(head.starts_with("HTTP/1.1 429") && head.contains("retry-after: "), "{limited}: {head}");
    }
    assert!(get(&server, "/doc/kitap/page/4").0.starts_with("HTTP/1.1 200"), "reading without a query is not limited");
    let jump = http_get(server.port, &format!("/doc/kitap/go?page=3&q={q}")).unwrap();
    assert!(jump.starts_with("HTTP/1.1 303"), "a jump to a page searches nothing: {jump}");
}
