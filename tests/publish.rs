//! `olke publish` end to end: the static site checked file by file (valid HTML by an
//! independent parser, Python's html5lib; no in-copyright text anywhere; the feed; updates
//! that rewrite only what changed) and walked in headless Chromium through chromedriver:
//! index → collection → document → PDF.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use common::browser::{browser, screenshot, Driver};
use common::*;
use fantoccini::{Client, Locator};
use olke::testkit::fixtures::texts;
use serde_json::Value;

/// A public-domain newspaper article in two collections, an article under an author's
/// contract, an in-copyright book, and a document whose rights are not stated.
fn fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "publish-fixture", |batch, archive| {
        scan(batch, "gazeta.png", &texts::RUSSIAN[..1], Saved::Png);
        scan(batch, "pulse.png", &texts::KAZAKH[..1], Saved::Png);
        scan(batch, "qamshy.png", &texts::KAZAKH[2..3], Saved::Png);
        scan(batch, "loose.png", &texts::RUSSIAN[3..4], Saved::Png);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,source,date,issue,source_pages,year,language,collections,rights,contract\n\
             gazeta.png,gazeta,newspaper_article,Медный город,\"Иванов, И. И.\",Балхашский рабочий,1968-04-12,44,2,,rus,Балқаш тарихы; Өлкетану,public_domain,\n\
             pulse.png,pulse,newspaper_article,Ағыбай батыр,\"Шөженов, Ж.\",Пульс,2019-07-12,28,4,,kaz,Батырлар,author_contract,\"№ 12, 2021-03-01\"\n\
             qamshy.png,qamshy,book,Қамшы,\"Кәрім, Н.\",,,,84,2016,kaz,Өлкетану,in_copyright,\n\
             loose.png,loose,,Без описания прав,,,,,,,rus,,,\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        fs::write(
            archive.join("olke.toml"),
            "[library]\nname_kk = \"Балқаш қалалық кітапханасы\"\nname_ru = \"Балхашская городская библиотека\"\n",
        )
        .unwrap();
    })
}

fn publish(archive: &Path, out: &Path, more: &[&str]) -> Value {
    json(&expect_code(olke(archive).args(["publish", "--json", "--out"]).arg(out).args(more), 0))
}

fn strings(value: &Value) -> Vec<String> {
    let mut items: Vec<String> = value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    items.sort();
    items
}

/// The paths not under `iiif/` (the static IIIF is tested in tests/iiif.rs).
fn without_iiif(paths: Vec<String>) -> Vec<String> {
    paths.into_iter().filter(|p| !p.starts_with("iiif/")).collect()
}

/// Every file of the site, relative, sorted (the list of published files left out).
fn files(site: &Path) -> Vec<String> {
    let mut files: Vec<String> = walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(site).unwrap().to_string_lossy().into_owned())
        .filter(|p| p != ".olke-publish.json")
        .collect();
    files.sort();
    files
}

/// Parses every HTML file with html5lib in strict mode, which stops at the first error.
fn validate_html(site: &Path) {
    let pages: Vec<PathBuf> = files(site).into_iter().filter(|p| p.ends_with(".html")).map(|p| site.join(p)).collect();
    assert!(pages.len() >= 3);
    validate_html_files(&pages);
}

fn recognized(archive: &Path, id: &str) -> String {
    normalize(&stdout(&expect_code(olke(archive).args(["text", id]), 0)))
}

/// The text of a page as a reader sees it (tags dropped, entities decoded, whitespace folded).
fn visible_text(html: &str) -> String {
    let mut reader = quick_xml::Reader::from_str(html);
    reader.config_mut().check_end_names = false;
    let mut text = String::new();
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Text(t)) => {
                text.push_str(&t.unescape().unwrap());
                text.push(' ');
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("{e}"),
        }
    }
    normalize(&text)
}

#[test]
fn the_site_holds_what_rights_allow_and_is_brought_up_to_date() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let site = tmp.path().join("site");
    let result = publish(&archive, &site, &["--base-url", "https://lib.example.kz/olke/"]);
    assert_eq!(
        (result["full_text"].as_u64(), result["citation_only"].as_u64(), result["collections"].as_u64()),
        (Some(2), Some(2), Some(3))
    );
    // (The works' static IIIF, under iiif/, is tested in tests/iiif.rs.)
    let iiif: Vec<String> = files(&site).into_iter().filter(|f| f.starts_with("iiif/")).collect();
    assert!(
        iiif.contains(&"iiif/3/gazeta/manifest.json".to_string())
            && iiif.contains(&"iiif/3/pulse~1/info.json".to_string())
    );
    assert!(iiif.iter().all(|f| f.starts_with("iiif/3/gazeta") || f.starts_with("iiif/3/pulse")), "{iiif:?}");
    let manifest = fs::read_to_string(site.join("iiif/3/gazeta/manifest.json")).unwrap();
    assert!(manifest.contains("\"https://lib.example.kz/olke/iiif/3/gazeta/manifest.json\""), "{manifest}");
    assert_eq!(
        without_iiif(files(&site)),
        vec![
            "collections/Балқаш_тарихы.html",
            "collections/Батырлар.html",
            "collections/Өлкетану.html",
            "documents.json",
            "documents/gazeta/gazeta.pdf",
            "documents/gazeta/index.html",
            "documents/pulse/index.html",
            "documents/pulse/pulse.pdf",
            "index.html",
            "style.css",
        ]
    );
    assert_eq!(
        fs::read(site.join("documents/gazeta/gazeta.pdf")).unwrap(),
        fs::read(archive.join("documents/gazeta/gazeta.pdf")).unwrap()
    );
    validate_html(&site);

    // Published documents: citation and full text on their page.
    let page = visible_text(&fs::read_to_string(site.join("documents/gazeta/index.html")).unwrap());
    assert!(page.contains(&normalize(&citation(&archive, "gazeta"))), "{page}");
    assert!(page.contains(&recognized(&archive, "gazeta")), "the full text is on the page:\n{page}");
    assert!(page.contains("Общественное достояние"));
    // In copyright, or rights not stated: the citation in the lists, the text nowhere.
    let index = visible_text(&fs::read_to_string(site.join("index.html")).unwrap());
    for id in ["qamshy", "loose"] {
        assert!(index.contains(&normalize(&citation(&archive, id))), "{id} is listed by its citation");
        let text = recognized(&archive, id);
        let words: Vec<&str> = text.split(' ').collect();
        let sample = words[..6].join(" ");
        for file in files(&site).iter().filter(|f| !f.ends_with(".pdf") && !f.ends_with(".jpg")) {
            let content = fs::read_to_string(site.join(file)).unwrap();
            assert!(!normalize(&content).contains(&sample), "{file} has text of {id}: «{sample}»");
        }
    }

    // The feed: everything listed, links only for what is published, absolute under the base URL.
    let feed: Value = serde_json::from_slice(&fs::read(site.join("documents.json")).unwrap()).unwrap();
    let documents = feed["documents"].as_array().unwrap();
    assert_eq!(documents.len(), 4);
    let entry = |id: &str| documents.iter().find(|d| d["id"] == id).unwrap().clone();
    assert_eq!(entry("gazeta")["full_text"], true);
    assert_eq!(entry("gazeta")["pdf"], "https://lib.example.kz/olke/documents/gazeta/gazeta.pdf");
    assert_eq!(entry("gazeta")["url"], "https://lib.example.kz/olke/documents/gazeta/index.html");
    assert_eq!(entry("gazeta")["citation"], citation(&archive, "gazeta"));
    assert_eq!(entry("qamshy")["full_text"], false);
    assert!(entry("qamshy").get("pdf").is_none() && entry("qamshy").get("url").is_none());
    let collection = feed["collections"].as_array().unwrap().iter().find(|c| c["name"] == "Өлкетану").unwrap().clone();
    assert_eq!(
        collection["url"],
        "https://lib.example.kz/olke/collections/%D3%A8%D0%BB%D0%BA%D0%B5%D1%82%D0%B0%D0%BD%D1%83.html"
    );
    assert_eq!(strings(&collection["documents"]), vec!["gazeta", "qamshy"]);

    // Again: nothing changed, nothing written.
    let again = publish(&archive, &site, &["--base-url", "https://lib.example.kz/olke/"]);
    assert_eq!(
        (
            again["written"].as_array().unwrap().len(),
            again["unchanged"].as_u64(),
            again["removed"].as_array().unwrap().len()
        ),
        (0, Some(files(&site).len() as u64), 0)
    );

    // Rights change: the book is published, the newspaper withdrawn; only what differs is written.
    expect_code(olke(&archive).args(["catalog", "set", "qamshy", "rights", "public_domain"]), 0);
    expect_code(olke(&archive).args(["catalog", "set", "gazeta", "rights", "in_copyright"]), 0);
    let changed = publish(&archive, &site, &["--base-url", "https://lib.example.kz/olke/"]);
    assert_eq!(
        without_iiif(strings(&changed["written"])),
        vec![
            "collections/Балқаш_тарихы.html",
            "collections/Өлкетану.html",
            "documents.json",
            "documents/qamshy/index.html",
            "documents/qamshy/qamshy.pdf",
            "index.html"
        ]
    );
    assert_eq!(
        without_iiif(strings(&changed["removed"])),
        vec!["documents/gazeta/gazeta.pdf", "documents/gazeta/index.html"]
    );
    assert!(strings(&changed["written"]).contains(&"iiif/3/qamshy/manifest.json".to_string()));
    assert!(strings(&changed["removed"]).contains(&"iiif/3/gazeta/manifest.json".to_string()));
    assert!(!site.join("documents/gazeta").exists());
    assert!(site.join("documents/pulse/index.html").is_file());
    validate_html(&site);

    // One collection only.
    let batyrlar = tmp.path().join("batyrlar");
    let result = publish(&archive, &batyrlar, &["--collection", "Батырлар"]);
    assert_eq!((result["full_text"].as_u64(), result["citation_only"].as_u64()), (Some(1), Some(0)));
    let feed: Value = serde_json::from_slice(&fs::read(batyrlar.join("documents.json")).unwrap()).unwrap();
    assert_eq!(feed["documents"][0]["url"], "documents/pulse/index.html", "relative links without a base URL");

    // Refusals.
    let unknown =
        expect_code(olke(&archive).args(["publish", "--collection", "Жоқ", "--out"]).arg(tmp.path().join("x")), 2);
    assert!(
        stderr(&unknown).contains("no collection 'Жоқ'; the collections are: Балқаш тарихы, Батырлар, Өлкетану"),
        "{}",
        stderr(&unknown)
    );
    let foreign = tmp.path().join("foreign");
    fs::create_dir_all(&foreign).unwrap();
    fs::write(foreign.join("index.html"), "<p>someone else's</p>").unwrap();
    let refused = expect_code(olke(&archive).args(["publish", "--out"]).arg(&foreign), 1);
    assert!(stderr(&refused).contains("is not empty and was not made by `olke publish`"), "{}", stderr(&refused));
    assert_eq!(fs::read_to_string(foreign.join("index.html")).unwrap(), "<p>someone else's</p>");
}

fn file_url(path: &Path) -> String {
    format!("file://{}", olke::export::url_path(&path.display().to_string()))
}

/// The file a `file://` URL names.
fn url_file(url: &str) -> PathBuf {
    let path = url.strip_prefix("file://").unwrap_or_else(|| panic!("not a file URL: {url}"));
    PathBuf::from(percent_encoding::percent_decode_str(path).decode_utf8().unwrap().into_owned())
}

async fn click_link(client: &Client, text: &str) {
    let url = client.current_url().await.unwrap();
    let link = client.find(Locator::LinkText(text)).await.unwrap_or_else(|e| panic!("no link «{text}» on {url}: {e}"));
    link.click().await.unwrap();
}

#[test]
fn a_browser_goes_from_the_index_to_a_collection_a_document_and_its_pdf() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let site = tmp.path().join("site");
    publish(&archive, &site, &[]);
    let gazeta_citation = citation(&archive, "gazeta");
    let qamshy_citation = citation(&archive, "qamshy");
    let qamshy_text = recognized(&archive, "qamshy");
    let gazeta_text = recognized(&archive, "gazeta");
    let driver = Driver::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    runtime.block_on(async {
        let client = browser(&driver, &tmp.path().join("profile")).await;
        client.goto(&file_url(&site.join("index.html"))).await.unwrap();
        assert_eq!(client.title().await.unwrap(), "Өлкетану деректер қоры — Балқаш қалалық кітапханасы");
        screenshot(&client, "publish-screenshots", "1-index").await;

        click_link(&client, "Өлкетану").await;
        let url = client.current_url().await.unwrap();
        assert!(url.as_str().ends_with("/collections/%D3%A8%D0%BB%D0%BA%D0%B5%D1%82%D0%B0%D0%BD%D1%83.html"), "{url}");
        let body = normalize(&client.find(Locator::Css("body")).await.unwrap().text().await.unwrap());
        assert!(body.contains(&normalize(&qamshy_citation)), "the in-copyright book is listed: {body}");
        assert!(!body.contains(&qamshy_text[..60]), "but not its text");
        assert!(client.find(Locator::LinkText(&qamshy_citation)).await.is_err(), "and has no page to go to");
        screenshot(&client, "publish-screenshots", "2-collection").await;

        click_link(&client, &gazeta_citation).await;
        assert_eq!(client.find(Locator::Css("h1")).await.unwrap().text().await.unwrap(), "Медный город");
        let body = normalize(&client.find(Locator::Css("main")).await.unwrap().text().await.unwrap());
        assert!(body.contains(&gazeta_text), "the full text is shown:\n{body}");
        screenshot(&client, "publish-screenshots", "3-document").await;

        let pdf = client.find(Locator::Css("a.pdf")).await.unwrap();
        let href = pdf.prop("href").await.unwrap().expect("the PDF link has an address");
        let target = url_file(&href);
        assert_eq!(target, site.join("documents/gazeta/gazeta.pdf"));
        assert!(fs::read(&target).unwrap().starts_with(b"%PDF-"));
        pdf.click().await.unwrap();
        // Chromium shows the PDF in its viewer or downloads it; either way it went there.
        tokio::time::sleep(Duration::from_millis(500)).await;
        let shown = client.current_url().await.unwrap();
        assert!(shown.as_str() == href || shown.as_str().ends_with("/documents/gazeta/index.html"), "{shown}");

        client.goto(&file_url(&site.join("index.html"))).await.unwrap();
        click_link(&client, "Батырлар").await;
        click_link(&client, &citation(&archive, "pulse")).await;
        let body = client.find(Locator::Css("main")).await.unwrap().text().await.unwrap();
        assert!(body.contains("Опубликовано по договору с автором"), "{body}");
        client.close().await.unwrap();
    });
}
