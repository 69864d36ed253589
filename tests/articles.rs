//! Newspaper articles on shared pages, end to end with Tesseract: a two-page issue whose
//! pages carry two articles each (one article continued on the second page), described in
//! `batch.csv` by zones (numbered in `zones.json`, or boxes), ingested once; then each
//! article's text, search, citation, verification and delivery.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;
use image::{GrayImage, Luma};
use olke::page::BBox;
use olke::testkit::fixtures::{self, texts, PageSpec};
use olke::zones::{Zone, ZoneFile, ZoneKind, ZonedPage, VERSION};

/// A newspaper page: two columns of 900 × 1200 pixels at 300 dpi.
const COLUMN: (u32, u32) = (900, 1200);

const LEFT: BBox = BBox { x0: 0, y0: 0, x1: COLUMN.0, y1: COLUMN.1 };
const RIGHT: BBox = BBox { x0: COLUMN.0, y0: 0, x1: 2 * COLUMN.0, y1: COLUMN.1 };

/// Renders a page whose left and right columns hold the given paragraphs.
fn newspaper_page(path: &Path, left: &str, right: &str) {
    let spec = PageSpec { width_in: 3.0, height_in: 4.0, dpi: 300.0, font_pt: 11.0, margin_in: 0.25, leading: 1.4 };
    let font = font();
    let mut page = GrayImage::from_pixel(2 * COLUMN.0, COLUMN.1, Luma([255]));
    for (text, x) in [(left, 0), (right, COLUMN.0)] {
        let column = fixtures::render_page(&font, &spec, &[text]);
        assert!(column.overflow.is_empty(), "the column holds its text");
        image::imageops::replace(&mut page, &column.image, x.into(), 0);
    }
    fixtures::write_png(path, &page, 300.0).unwrap();
}

fn zoned(file: &str, zones: &[BBox]) -> ZonedPage {
    let zones = zones
        .iter()
        .enumerate()
        .map(|(i, bbox)| Zone { number: i as u32 + 1, bbox: *bbox, kind: ZoneKind::Article, headline: None })
        .collect();
    ZonedPage { file: file.into(), index: 0, width: 2 * COLUMN.0, height: COLUMN.1, zones }
}

const HEADER: &str = "files,id,type,title,authors,source,date,issue,language,rights,zones\n";

/// The issue «Пульс» № 28 of 2019-07-12 on p1.png and p2.png: «town» (public domain) in
/// the left columns of both pages, «memory» (in copyright) right on page 1, «museum»
/// (public domain, its zone given as a box) right on page 2. Beside them, rows with
/// problems, and an article scanned alone as before.
fn archive() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "articles-fixture", |batch, archive| {
        fs::create_dir_all(batch).unwrap();
        newspaper_page(&batch.join("p1.png"), texts::KAZAKH[0], texts::RUSSIAN[2]);
        newspaper_page(&batch.join("p2.png"), texts::KAZAKH[1], texts::RUSSIAN[3]);
        scan(batch, "solo.png", &texts::RUSSIAN[..1], Saved::Png);
        ZoneFile { olke_zones: VERSION, pages: vec![zoned("p1.png", &[LEFT, RIGHT]), zoned("p2.png", &[LEFT, RIGHT])] }
            .write(batch)
            .unwrap();
        fs::write(
            batch.join("batch.csv"),
            format!(
                "{HEADER}\
                 p1.png;p2.png,pulse-28,newspaper_issue,Пульс,,Пульс,2019-07-12,28,,public_domain,\n\
                 p1.png;p2.png,town,newspaper_article,Қала тарихы,\"Шөженов, Ж.\",Пульс,2019-07-12,28,kaz,public_domain,p1.png#1;p2.png#1\n\
                 p1.png,memory,newspaper_article,Воспоминания,\"Иванов, И.\",Пульс,2019-07-12,28,rus,in_copyright,p1.png#2\n\
                 p2.png,museum,newspaper_article,Филиал архива,,Пульс,2019-07-12,28,rus,public_domain,\"p2.png@900,0,900,1200\"\n\
                 p2.png,twice,newspaper_article,Дважды,,Пульс,2019-07-12,28,rus,,p2.png#2;p2.png#7\n\
                 p1.png,outside,newspaper_article,Вне страницы,,Пульс,2019-07-12,28,rus,,\"p1.png@100,1300,200,50\"\n\
                 solo.png,solo,newspaper_article,Медный город,,Пульс,2019-07-13,29,rus,public_domain,\n"
            ),
        )
        .unwrap();
        let output = run(olke(archive).arg("ingest").arg(batch));
        fs::write(archive.with_file_name("ingest.txt"), stdout(&output) + &stderr(&output)).unwrap();
    })
}

/// What the fixture's ingest printed.
fn ingest_output() -> String {
    fs::read_to_string(archive().with_file_name("ingest.txt")).unwrap()
}

fn text(id: &str) -> String {
    stdout(&expect_code(olke(archive()).args(["text", id]), 0))
}

/// The words of a fixture paragraph that Tesseract surely reads: the long ones.
fn long_words(paragraph: &str) -> Vec<String> {
    paragraph
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()).to_string())
        .filter(|w| w.chars().count() >= 8)
        .collect()
}

/// How many of `words` `text` holds.
fn found(text: &str, words: &[String]) -> usize {
    words.iter().filter(|w| text.contains(w.as_str())).count()
}

#[test]
fn each_article_has_its_own_words_and_none_of_the_others() {
    let own = |paragraphs: &[&str]| -> Vec<String> { paragraphs.iter().flat_map(|p| long_words(p)).collect() };
    let town = own(&[texts::KAZAKH[0], texts::KAZAKH[1]]);
    let memory = own(&[texts::RUSSIAN[2]]);
    let museum = own(&[texts::RUSSIAN[3]]);
    for (id, mine, others) in [
        ("town", &town, [&memory, &museum]),
        ("memory", &memory, [&town, &museum]),
        ("museum", &museum, [&town, &memory]),
    ] {
        let text = text(id);
        assert!(found(&text, mine) * 10 >= mine.len() * 7, "{id}: most of its words: {text}");
        for other in others {
            assert_eq!(found(&text, other), 0, "{id} holds none of another article's words: {text}");
        }
    }
    // The article continued on page 2 has both parts, in zone order.
    let town_text = text("town");
    assert!(town_text.find("Балқаш").unwrap() < town_text.find("Өлкетану").unwrap(), "{town_text}");
}

#[test]
fn the_issue_holds_the_scans_once_and_articles_point_at_it() {
    let issue = record_json(archive(), "pulse-28");
    assert_eq!(issue["type"], "newspaper_issue");
    assert_eq!(issue["pages"].as_array().unwrap().len(), 2);
    assert!(pdf_of(archive(), "pulse-28").is_file());
    let town = shown(archive(), "town");
    assert_eq!(town["host"], "pulse-28");
    let zones: Vec<(u64, u64)> = town["zones"]
        .as_array()
        .unwrap()
        .iter()
        .map(|z| (z["page"].as_u64().unwrap(), z["bbox"]["x0"].as_u64().unwrap()))
        .collect();
    assert_eq!(zones, [(1, 0), (2, 0)]);
    assert!(town["source_files"].as_array().unwrap().is_empty(), "no scans of its own");
    assert!(!pdf_of(archive(), "town").exists(), "no PDF of its own");
    let cited = citation(archive(), "town");
    assert!(cited.starts_with("Шөженов, Ж. Қала тарихы / Ж. Шөженов // Пульс. – 2019. – "), "{cited}");
    assert!(cited.contains("(№ 28)") && cited.ends_with(" 1–2."), "the host's pages: {cited}");
    let show = stdout(&expect_code(olke(archive()).args(["show", "memory"]), 0));
    assert!(show.contains("host:       pulse-28") && show.contains("pages:      1 of pulse-28"), "{show}");
    // The article scanned alone is archived as before.
    assert_eq!(record_json(archive(), "solo")["pages"].as_array().unwrap().len(), 1);
    assert!(pdf_of(archive(), "solo").is_file());
}

#[test]
fn manifest_problems_name_row_and_column_and_the_rest_is_ingested() {
    let output = &ingest_output();
    for expected in [
        "row 6, column 'zones': 'p2.png#2' is claimed by row 5 too ('p2.png@900,0,900,1200'); a zone belongs to one article",
        "row 6, column 'zones': 'p2.png#7': zones.json has no zone 7 on 'p2.png' (it has 1, 2)",
        "row 7, column 'zones': 'p1.png@100,1300,200,50': the box lies outside the page (1800×1200 pixels)",
    ] {
        assert!(output.contains(expected), "{expected}\nin:\n{output}");
    }
    let list = stdout(&expect_code(olke(archive()).args(["list"]), 0));
    for id in ["pulse-28", "town", "memory", "museum", "solo"] {
        assert!(list.contains(id), "{id} in {list}");
    }
    assert!(!list.contains("twice") && !list.contains("outside"), "{list}");
}

#[test]
fn search_lands_on_the_article_and_its_page() {
    for (word, id, page) in [("ветеранов", "memory", 1), ("Ауэзова", "museum", 2), ("өлкетану", "town", 2)]
    {
        let hits = json(&expect_code(olke(archive()).args(["search", word, "--json"]), 0));
        let hits = hits["hits"].as_array().unwrap_or_else(|| panic!("{hits}"));
        let article = hits.iter().find(|h| h["id"] == id).unwrap_or_else(|| panic!("{word}: {id} in {hits:?}"));
        assert_eq!(article["pages"], serde_json::json!([page]), "{word}: {article}");
    }
}

#[test]
fn verify_is_clean() {
    // On a copy: verify takes the archive's writer lock, which the other tests' commands would meet.
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let output = expect_code(olke(&archive).args(["verify", "--json"]), 0);
    assert_eq!(json(&output)["problems"], serde_json::json!([]), "{}", stdout(&output));
}

#[test]
fn a_zone_without_zones_json_and_a_scan_on_two_documents_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    for name in ["a.png", "b.png"] {
        fixtures::write_png(&batch.join(name), &GrayImage::from_pixel(200, 100, Luma([255])), 300.0).unwrap();
    }
    fs::write(
        batch.join("batch.csv"),
        format!(
            "{HEADER}\
             a.png,x,newspaper_article,X,,Пульс,2019-07-12,28,rus,,a.png#1\n\
             b.png,y,book,Y,,,,,,,\n\
             b.png,z,newspaper_article,Z,,Пульс,2019-07-12,28,rus,,\"b.png@0,0,10,10\"\n"
        ),
    )
    .unwrap();
    let output = run(olke(&tmp.path().join("archive")).arg("ingest").arg(&batch));
    let all = stdout(&output) + &stderr(&output);
    assert!(all.contains("row 2, column 'zones': 'a.png#1' names a zone, but the batch has no zones.json"), "{all}");
    assert!(all.contains("row 4, column 'files': 'b.png' is already listed in row 3"), "{all}");
}

const LIBRARY: &str =
    "[library]\nname_kk = \"Балқаш қалалық кітапханасы\"\nname_ru = \"Балхашская городская библиотека\"\n";

#[test]
fn an_article_is_delivered_as_its_zones_and_whole_pages_only_where_every_article_may_go() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    fs::write(archive.join("olke.toml"), LIBRARY).unwrap();
    let deliver = |args: &[&str], out: &Path, code: i32| {
        let mut command = olke(&archive);
        command.arg("deliver").args(args).args(["--requester", "Асқар Сейітов <askar@example.kz>", "--out"]).arg(out);
        expect_code(&mut command, code)
    };
    let memory = long_words(texts::RUSSIAN[2]);
    let museum = long_words(texts::RUSSIAN[3]);

    // «town»: its two zones, after the cover, with their text and none of the others'.
    let out = tmp.path().join("town.pdf");
    deliver(&["town"], &out, 0);
    assert_eq!(pdf_pages(&out), 3, "the cover and two zones");
    qpdf_check(&out);
    let delivered = pdftotext_pages(&out, 2, 3);
    let own = long_words(texts::KAZAKH[0]).into_iter().chain(long_words(texts::KAZAKH[1])).collect::<Vec<_>>();
    assert!(found(&delivered, &own) * 10 >= own.len() * 7, "its own words: {delivered}");
    assert_eq!(found(&delivered, &memory) + found(&delivered, &museum), 0, "no other article's words: {delivered}");
    // The zone is cropped: a page of a column's size (900 × 1200 px at 300 dpi), not of the newspaper page.
    let info = stdout(&run(std::process::Command::new("pdfinfo").args(["-f", "2", "-l", "2"]).arg(&out)));
    assert!(info.contains("216 x 288 pts"), "{info}");

    // Whole pages: page 1 also carries «memory», in copyright.
    let refused = deliver(&["town", "--context", "page"], &tmp.path().join("page.pdf"), 1);
    assert!(
        stderr(&refused).contains("page 1 of pulse-28 also carries «Воспоминания» (memory)"),
        "{}",
        stderr(&refused)
    );
    assert!(!tmp.path().join("page.pdf").exists());
    // Nor is the issue delivered whole over it.
    let refused = deliver(&["pulse-28"], &tmp.path().join("issue.pdf"), 1);
    assert!(stderr(&refused).contains("(memory)"), "{}", stderr(&refused));
    // Page 2 carries only free articles: «museum» goes with its whole page.
    let out = tmp.path().join("museum-page.pdf");
    deliver(&["museum", "--context", "page"], &out, 0);
    assert_eq!(pdf_pages(&out), 2, "the cover and page 2");
    let page = pdftotext_pages(&out, 2, 2);
    assert!(found(&page, &museum) > 0 && found(&page, &long_words(texts::KAZAKH[1])) > 0, "{page}");
}

#[test]
fn marc_links_the_article_to_its_issue_and_exports_carry_host_and_zones() {
    let xml = stdout(&expect_code(olke(archive()).args(["export", "marcxml", "memory"]), 0));
    let host = xml.find("tag=\"773\"").map(|at| &xml[at..]).unwrap_or_else(|| panic!("no 773: {xml}"));
    let host = &host[..host.find("datafield>").unwrap()];
    assert!(host.contains("code=\"t\">Пульс<"), "{host}");
    assert!(host.contains("code=\"g\">2019. – 12 июля (№ 28). – С. 1<"), "{host}");
    assert!(host.contains("code=\"w\">(KZ-OLKE)pulse-28<"), "the issue's record: {host}");

    // The issue links down to its articles in reading order, as UNIMARC's 464 does, and
    // MARC::Lint finds nothing wrong with the links.
    let tmp = tempfile::tempdir().unwrap();
    let iso = tmp.path().join("issue.mrc");
    expect_code(olke(archive()).args(["export", "marc", "pulse-28", "--out"]).arg(&iso), 0);
    let output = run(std::process::Command::new("python3").arg("-c").arg(PYMARC).arg(&iso));
    assert!(output.status.success(), "pymarc (`scripts/install-deps.sh --test`): {}", stderr(&output));
    assert_eq!(
        fields(&json(&output)["pulse-28"], "774"),
        [
            "0 |$aШөженов, Ж.$tҚала тарихы$gБ. 1–2$w(KZ-OLKE)town",
            "0 |$aИванов, И.$tВоспоминания$gС. 1$w(KZ-OLKE)memory",
            "0 |$tФилиал архива$gС. 2$w(KZ-OLKE)museum",
        ]
    );
    let lint = run(std::process::Command::new("perl").arg("-e").arg(MARC_LINT).arg(&iso));
    assert_eq!((stderr(&lint).trim(), stdout(&lint).as_str()), ("1 records", ""), "MARC::Lint");

    let line = stdout(&expect_code(olke(archive()).args(["export", "jsonl", "town"]), 0));
    let town: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
    assert_eq!(town["host"], "pulse-28");
    assert_eq!(town["zones"].as_array().map(Vec::len), Some(2));
    assert_eq!(town["source_pages"], "1-2", "filled in from the zones");

    let csv = stdout(&expect_code(olke(archive()).args(["export", "csv", "town"]), 0));
    assert!(csv.contains(",pulse-28,\"1@0,0,900,1200; 2@0,0,900,1200\""), "{csv}");
}

#[test]
fn the_report_counts_articles_as_documents_and_the_issue_pages_once() {
    use chrono::Datelike;
    let year = chrono::Local::now().year().to_string();
    let report = json(&expect_code(olke(archive()).args(["report", "--json", "--year", &year]), 0));
    let row = |key: &str| {
        let row = report["kinds"].as_array().unwrap().iter().find(|r| r["key"] == key).cloned();
        row.map(|r| (r["year"]["documents"].as_u64().unwrap(), r["year"]["pages"].as_u64().unwrap()))
    };
    // town, memory, museum and solo; the issue's two pages and solo's one.
    assert_eq!(row("newspaper_article"), Some((4, 3)), "{report}");
    assert_eq!(row("newspaper_issue"), None, "an issue carrying articles is not a document of its own");
    assert_eq!(row("total"), Some((4, 3)));
}

/// The status, head (lower case) and body of a GET to the server.
fn get(server: &common::server::Server, path: &str) -> (u16, String, Vec<u8>) {
    let answer = common::server::http_get_bytes(server.port, path).unwrap();
    let split = answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap();
    let head = String::from_utf8_lossy(&answer[..split]).to_ascii_lowercase();
    (head[9..12].parse().unwrap(), head, answer[split + 4..].to_vec())
}

/// On the website an article shows its zones cut from the issue's pages where its own
/// rights allow, whatever the rights of the other articles on the page; the issue lists
/// its articles and does not show page 1 (an article in copyright is on it) whole.
#[test]
fn the_website_shows_an_articles_zones_by_its_own_rights_and_an_issue_lists_its_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let (server, _) = common::server::Server::start(&archive, None);

    let (status, _, page) = get(&server, "/doc/town");
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("/doc/town/zone/1") && page.contains("/doc/town/zone/2"), "{page}");
    assert!(page.contains("href=\"/doc/pulse%2D28\""), "the issue is named: {page}");
    for zone in ["/doc/town/zone/1", "/doc/museum/zone/1"] {
        let (status, head, body) = get(&server, zone);
        assert_eq!(status, 200, "{zone}");
        assert!(head.contains("image/jpeg"));
        let image = image::load_from_memory(&body).unwrap();
        // A zone of the page's left or right column, at its own size (under 1000 pixels wide).
        assert_eq!((image.width(), image.height()), (COLUMN.0, COLUMN.1), "{zone}");
    }

    // «memory», in copyright, on page 1 beside the public «town»: nothing of it is shown.
    let (status, _, page) = get(&server, "/doc/memory");
    assert_eq!(status, 200);
    assert!(!String::from_utf8(page).unwrap().contains("/doc/memory/zone/"));
    let (status, head, body) = get(&server, "/doc/memory/zone/1");
    assert_eq!(status, 403);
    assert!(!head.contains("image/jpeg") && body.len() < 10_000);
    assert_eq!(get(&server, "/doc/town/zone/3").0, 404);

    // The issue: its articles listed, page 1 not whole.
    let (status, _, page) = get(&server, "/doc/pulse-28");
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, 200);
    for article in ["town", "memory", "museum"] {
        assert!(page.contains(&format!("href=\"/doc/{article}\"")), "{article} listed: {page}");
    }
    assert!(!page.contains("/page/1/full.jpg"), "{page}");
    assert_eq!(get(&server, "/doc/pulse-28/page/1/full.jpg").0, 403);

    // A IIIF manifest must have a canvas: the issue has one, an article (no pages of its
    // own) none.
    assert_eq!(get(&server, "/iiif/3/pulse-28/manifest").0, 200);
    assert_eq!(get(&server, "/iiif/3/town/manifest").0, 404);
}

/// `olke publish` gives a public article its page with its text (no PDF: it has none of
/// its own), an article in copyright its citation only.
#[test]
fn publishing_gives_each_article_by_its_own_rights() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let site = tmp.path().join("site");
    let published = json(&expect_code(
        olke(&archive).args(["publish", "--json", "--base-url", "https://lib.example.kz", "--out"]).arg(&site),
        0,
    ));
    let page = fs::read_to_string(site.join("documents/town/index.html")).unwrap();
    let town = text("town");
    let words = long_words(&town);
    assert!(found(&page, &words) * 10 >= words.len() * 9, "the article's text is on its page");
    assert!(!page.contains(".pdf"), "{page}");
    assert!(!site.join("documents/memory").exists());
    // Three words running of the article in copyright are nowhere (its title and single
    // words may be, in citations and in other texts).
    let memory: Vec<String> = text("memory").split_whitespace().map(str::to_string).collect();
    let phrases: Vec<String> = memory.windows(3).map(|w| w.join(" ")).collect();
    assert!(phrases.len() >= 8);
    for file in ["index.html", "documents.json", "documents/town/index.html", "documents/museum/index.html"] {
        let content = fs::read_to_string(site.join(file)).unwrap().split_whitespace().collect::<Vec<_>>().join(" ");
        let leaked: Vec<&String> = phrases.iter().filter(|p| content.contains(p.as_str())).collect();
        assert!(leaked.is_empty(), "{file} holds text of the article in copyright: {leaked:?}");
    }
    let feed: serde_json::Value = serde_json::from_slice(&fs::read(site.join("documents.json")).unwrap()).unwrap();
    let town_entry = feed["documents"].as_array().unwrap().iter().find(|d| d["id"] == "town").unwrap().clone();
    assert_eq!(town_entry["full_text"], true);
    assert!(town_entry.get("pdf").is_none(), "{town_entry}");
    assert!(published["iiif_skipped"].is_null(), "{published}");
}

/// A METS package as the tests read it: its files, the physical pages' file pointers, and
/// the logical divs (the document's and its articles') with their description, rights
/// and areas, each area resolved in the ALTO file it names to its TextBlock's words.
const READ_PACKAGE: &str = r#"
import json, os, sys, xml.etree.ElementTree as ET
ns = {"mets": "http://www.loc.gov/METS/", "mods": "http://www.loc.gov/mods/v3", "alto": "http://www.loc.gov/standards/alto/ns-v4#",
      "rights": "http://cosimo.stanford.edu/sdr/metsrights/"}
href = "{http://www.w3.org/1999/xlink}href"
package = sys.argv[1]
root = ET.parse(os.path.join(package, "mets.xml")).getroot()
files = {f.get("ID"): f.find("mets:FLocat", ns).get(href) for f in root.iterfind(".//mets:fileSec//mets:file", ns)}
titles = {d.get("ID"): d.findtext(".//mods:titleInfo/mods:title", namespaces=ns) for d in root.iterfind("mets:dmdSec", ns)}
rights = {r.get("ID"): r.find(".//rights:RightsDeclarationMD", ns).get("RIGHTSCATEGORY") for r in root.iterfind(".//mets:rightsMD", ns)}
def block_words(file_id, block_id):
    path = files.get(file_id)
    if path is None:
        return None
    blocks = [b for b in ET.parse(os.path.join(package, path)).getroot().iterfind(".//alto:TextBlock", ns) if b.get("ID") == block_id]
    return [s.get("CONTENT") for s in blocks[0].iterfind(".//alto:String", ns)] if len(blocks) == 1 else None
divs = []
for div in root.find("mets:structMap[@TYPE='LOGICAL']", ns).iter("{http://www.loc.gov/METS/}div"):
    areas = [{"file": a.get("FILEID"), "betype": a.get("BETYPE"), "begin": a.get("BEGIN"), "words": block_words(a.get("FILEID"), a.get("BEGIN"))}
             for a in div.findall("mets:fptr/mets:seq/mets:area", ns)]
    divs.append({"id": div.get("ID"), "type": div.get("TYPE"), "label": div.get("LABEL"), "title": titles.get(div.get("DMDID")),
                 "rights": rights.get(div.get("ADMID")), "files": [p.get("FILEID") for p in div.findall("mets:fptr", ns) if p.get("FILEID")],
                 "areas": areas})
physical = {d.get("ID"): [p.get("FILEID") for p in d.findall("mets:fptr", ns)]
            for d in root.find("mets:structMap[@TYPE='PHYSICAL']", ns).iter("{http://www.loc.gov/METS/}div") if d.get("TYPE") == "page"}
on_disk = sorted(os.path.relpath(os.path.join(d, f), package) for d, _, fs in os.walk(package) for f in fs)
print(json.dumps({"files": files, "divs": divs, "physical": physical, "on_disk": on_disk}, ensure_ascii=False))
"#;

/// Every word of an ALTO file, in order.
const ALTO_WORDS: &str = r#"
import sys, xml.etree.ElementTree as ET
print(" ".join(s.get("CONTENT") for s in ET.parse(sys.argv[1]).getroot().iter("{http://www.loc.gov/standards/alto/ns-v4#}String")))
"#;

/// xmllint's schema check of `file` against the shared `xsd`.
fn assert_valid(xsd: &str, file: &Path) {
    let output =
        run(std::process::Command::new("xmllint").args(["--noout", "--nonet", "--schema"]).arg(schema(xsd)).arg(file));
    assert!(output.status.success(), "{} against {xsd}:\n{}", file.display(), stderr(&output));
}

/// The readable text of each file of a package (ALTO: its words; PDF: pdftotext's;
/// mets.xml: as it is, less the articles' titles, which are their public description) by
/// its path, after checking each against its schema.
fn package_texts(package: &Path, on_disk: &[serde_json::Value]) -> Vec<(String, String)> {
    on_disk
        .iter()
        .map(|path| {
            let path = path.as_str().unwrap().to_string();
            let file = package.join(&path);
            let text = if path == "mets.xml" {
                assert_valid("mets-1-12-1.xsd", &file);
                fs::read_to_string(&file).unwrap().replace("Воспоминания", "")
            } else if path.ends_with(".xml") {
                assert_valid("alto-4-4.xsd", &file);
                stdout(&run(std::process::Command::new("python3").arg("-c").arg(ALTO_WORDS).arg(&file)))
            } else {
                qpdf_check(&file);
                pdftotext_raw(&file)
            };
            (path, text)
        })
        .collect()
}

fn read_package(package: &Path) -> serde_json::Value {
    let output = run(std::process::Command::new("python3").arg("-c").arg(READ_PACKAGE).arg(package));
    assert!(output.status.success(), "{}", stderr(&output));
    json(&output)
}

fn words(text: &str) -> Vec<String> {
    text.split_whitespace().map(str::to_string).collect()
}

/// The area words of the logical div `id`, in order, each area resolved to its block.
fn area_words(package: &serde_json::Value, id: &str) -> Vec<String> {
    let div = package["divs"].as_array().unwrap().iter().find(|d| d["id"] == id).unwrap_or_else(|| panic!("{id}"));
    div["areas"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|area| {
            assert_eq!(area["betype"], "IDREF");
            let words = area["words"].as_array().unwrap_or_else(|| panic!("{id}: {area} resolves to no TextBlock"));
            words.iter().map(|w| w.as_str().unwrap().to_string()).collect::<Vec<_>>()
        })
        .collect()
}

/// An area: the ALTO file's id and the TextBlock's.
type Area = (String, String);

/// The article divs of an issue package: (id, title, rights, areas).
fn article_divs(package: &serde_json::Value) -> Vec<(String, String, String, Vec<Area>)> {
    let divs = package["divs"].as_array().unwrap().iter().filter(|d| d["type"] == "article");
    divs.map(|d| {
        let areas = d["areas"].as_array().unwrap().iter();
        let areas = areas.map(|a| (a["file"].as_str().unwrap().to_string(), a["begin"].as_str().unwrap().to_string()));
        let text = |key: &str| d[key].as_str().unwrap_or_default().to_string();
        (text("id"), text("title"), text("rights"), areas.collect())
    })
    .collect()
}

/// `olke export mets`: the issue's package holds page 2 only (page 1 carries «memory», in
/// copyright), as a PDF of its own with its ALTO, whose blocks are the articles' zones;
/// the logical structure lists the three articles, «museum» (on page 2 alone) pointing at
/// its block, whose words are its text. When every article may be shown, the issue's PDF
/// and both pages are there and every article points at its zones. No file of a package
/// holds a word of the article in copyright.
#[test]
fn mets_packages_give_the_issue_its_allowed_pages_and_articles_pointing_at_alto_blocks() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("packages");
    expect_code(olke(archive()).args(["export", "mets", "--out"]).arg(&out), 0);
    let memory_words = long_words(texts::RUSSIAN[2]);
    let no_memory = |package: &Path, on_disk: &[serde_json::Value]| {
        for (path, text) in package_texts(package, on_disk) {
            assert_eq!(found(&text, &memory_words), 0, "{path} of {} holds «memory»'s words", package.display());
        }
    };

    let issue = out.join("pulse-28");
    let package = read_package(&issue);
    let on_disk = package["on_disk"].as_array().unwrap();
    assert_eq!(
        on_disk,
        &["alto/0002.xml", "mets.xml", "pages/0002.pdf"].map(serde_json::Value::from),
        "no file of page 1"
    );
    no_memory(&issue, on_disk);
    assert_eq!(pdf_pages(&issue.join("pages/0002.pdf")), 1);
    let alto = std::fs::read_to_string(issue.join("alto/0002.xml")).unwrap();
    assert!(alto.contains("<fileName>pages/0002.pdf#page=1</fileName>"), "the ALTO names the image the package holds");
    assert_eq!(package["physical"]["PHYS_0001"], serde_json::json!([]));
    assert_eq!(package["physical"]["PHYS_0002"], serde_json::json!(["PDF_0002", "ALTO_0002"]));
    let articles = article_divs(&package);
    let area = |page: u32, block: &str| (format!("ALTO_{page:04}"), block.to_string());
    assert_eq!(
        articles,
        [
            ("ART_town".into(), "Қала тарихы".into(), "PUBLIC DOMAIN".into(), vec![]),
            ("ART_memory".into(), "Воспоминания".into(), "COPYRIGHTED".into(), vec![]),
            ("ART_museum".into(), "Филиал архива".into(), "PUBLIC DOMAIN".into(), vec![area(2, "P2_Zmuseum_1")]),
        ],
        "«town» lies on page 1 too: described only"
    );
    assert_eq!(area_words(&package, "ART_museum"), words(&text("museum")));
    // The page's ALTO has every word of the page: «town»'s zone a block of its own too.
    let page_two = stdout(&expect_code(olke(archive()).args(["text", "pulse-28", "--page", "2"]), 0));
    let alto =
        stdout(&run(std::process::Command::new("python3").arg("-c").arg(ALTO_WORDS).arg(issue.join("alto/0002.xml"))));
    assert_eq!(words(&alto), words(&page_two));
    assert!(fs::read_to_string(issue.join("alto/0002.xml")).unwrap().contains("<TextBlock ID=\"P2_Ztown_2\""));

    // The articles' own packages: «town» the ALTO of its two zones and nothing else of
    // the pages, «memory» its description only.
    let town = out.join("town");
    let package = read_package(&town);
    let on_disk = package["on_disk"].as_array().unwrap();
    assert_eq!(on_disk, &["alto/0001.xml", "alto/0002.xml", "mets.xml"].map(serde_json::Value::from));
    no_memory(&town, on_disk);
    assert_eq!(area_words(&package, "LOG"), words(&text("town")));
    let all_words: Vec<String> = ["alto/0001.xml", "alto/0002.xml"]
        .iter()
        .flat_map(|f| {
            let output = run(std::process::Command::new("python3").arg("-c").arg(ALTO_WORDS).arg(town.join(f)));
            words(&stdout(&output))
        })
        .collect();
    assert_eq!(all_words, words(&text("town")), "the zones' words only");
    let memory = read_package(&out.join("memory"));
    assert_eq!(memory["on_disk"], serde_json::json!(["mets.xml"]));
    assert_valid("mets-1-12-1.xsd", &out.join("memory/mets.xml"));

    // Every article allowed: the issue's PDF whole, and each article at its blocks.
    let archive = archive_copy(archive(), tmp.path());
    expect_code(olke(&archive).args(["catalog", "set", "memory", "rights", "public_domain"]), 0);
    let verified = expect_code(olke(&archive).args(["verify", "--json"]), 0);
    assert_eq!(json(&verified)["problems"], serde_json::json!([]), "an article's record edited alone");
    let out = tmp.path().join("allowed");
    expect_code(olke(&archive).args(["export", "mets", "pulse-28", "--out"]).arg(&out), 0);
    let issue = out.join("pulse-28");
    let package = read_package(&issue);
    let on_disk = package["on_disk"].as_array().unwrap();
    assert_eq!(on_disk, &["alto/0001.xml", "alto/0002.xml", "mets.xml", "pulse-28.pdf"].map(serde_json::Value::from));
    package_texts(&issue, on_disk);
    assert_eq!(package["divs"][0]["files"], serde_json::json!(["PDF"]));
    let areas: Vec<Vec<Area>> = article_divs(&package).into_iter().map(|a| a.3).collect();
    assert_eq!(
        areas,
        [
            vec![area(1, "P1_Ztown_1"), area(2, "P2_Ztown_2")],
            vec![area(1, "P1_Zmemory_1")],
            vec![area(2, "P2_Zmuseum_1")]
        ]
    );
    for id in ["town", "memory", "museum"] {
        let text = stdout(&expect_code(olke(&archive).args(["text", id]), 0));
        assert_eq!(area_words(&package, &format!("ART_{id}")), words(&text), "{id}");
    }
}

/// `olke export unimarc`, read back by pymarc ([`PYMARC`]): each article links up to its newspaper (461) and its issue (463,
/// with the issue's 001, its designation, the article's pages and the year), and the
/// issue, described under its designation with its newspaper in 461, lists its articles
/// in 464 (piece-analytic) in reading order.
#[test]
fn unimarc_links_articles_and_their_issue_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let iso = tmp.path().join("rusmarc.iso");
    expect_code(olke(archive()).args(["export", "unimarc", "--out"]).arg(&iso), 0);
    let output = run(std::process::Command::new("python3").arg("-c").arg(PYMARC).arg(&iso));
    assert!(output.status.success(), "pymarc (`scripts/install-deps.sh --test`): {}", stderr(&output));
    let records = json(&output);
    let links = |id: &str| -> Vec<String> {
        let tagged = |tag: &'static str| fields(&records[id], tag).into_iter().map(move |f| format!("{tag} {f}"));
        ["200", "461", "463", "464"].into_iter().flat_map(tagged).collect()
    };
    assert_eq!(
        links("pulse-28"),
        [
            "200 1 |$a12 шілде (№ 28)",
            "461  0|$12001 $aПульс$v12 шілде (№ 28)",
            "464  0|$1001town$12001 $aҚала тарихы$fЖ. Шөженов$vБ. 1–2",
            "464  0|$1001memory$12001 $aВоспоминания$fИ. Иванов$vС. 1",
            "464  0|$1001museum$12001 $aФилиал архива$vС. 2",
        ]
    );
    assert_eq!(&records["pulse-28"]["leader"].as_str().unwrap()[6..9], "am2", "a piece below its newspaper");
    assert_eq!(
        links("memory"),
        [
            "200 1 |$aВоспоминания$fИ. Иванов",
            "461  0|$12001 $aПульс",
            "463  0|$1001pulse-28$12000 $a12 июля (№ 28)$vС. 1$1210  $d2019",
        ]
    );
    assert_eq!(&records["memory"]["leader"].as_str().unwrap()[6..9], "aa2");
    // The article scanned alone has no issue in the archive: its 463 names the issue only.
    assert_eq!(links("solo")[2], "463  0|$12000 $a13 июля (№ 29)$1210  $d2019");
}

/// Three words running of the article in copyright («memory», on page 1 of the issue), as
/// recognized: what must be nowhere the issue's pages are shown.
fn memory_phrases() -> Vec<String> {
    let memory: Vec<String> = text("memory").split_whitespace().map(str::to_string).collect();
    let phrases: Vec<String> = memory.windows(3).map(|w| w.join(" ")).collect();
    assert!(phrases.len() >= 8, "{memory:?}");
    phrases
}

/// The text a reader sees of an HTML page (or any file): tags taken out (a `<mark>` inside
/// a phrase would hide it), runs of white space made one space.
fn visible_text(content: &str) -> String {
    let mut out = String::with_capacity(content.len());
    let mut in_tag = false;
    for c in content.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The phrases of `phrases` that `content` shows.
fn leaked<'a>(content: &str, phrases: &'a [String]) -> Vec<&'a String> {
    let content = visible_text(content);
    phrases.iter().filter(|p| content.contains(p.as_str())).collect()
}

/// A query in a URL: every byte escaped.
fn escaped(query: &str) -> String {
    query.bytes().map(|b| format!("%{b:02X}")).collect()
}

/// The rights of `id` set (or, with "", cleared) as a cataloguer does it.
fn set_rights(archive: &Path, id: &str, rights: &str) {
    expect_code(olke(archive).args(["catalog", "set", id, "rights", rights]), 0);
}

/// Every route by which `olke serve` shows page `page` of the issue whole: `(status, route)`
/// of each, the image service asked for several regions.
fn whole_page_routes(server: &common::server::Server, page: u32) -> Vec<(u16, String)> {
    let mut routes: Vec<String> = [
        format!("/doc/pulse-28/page/{page}/full.jpg"),
        format!("/doc/pulse-28/page/{page}/correct"),
        format!("/doc/pulse-28/page/{page}/line/1"),
        format!("/iiif/3/pulse-28~{page}/info.json"),
        format!("/iiif/3/pulse-28/annotations/{page}"),
    ]
    .into();
    for region in ["full", "square", "0,0,200,200", "900,0,900,1200", "pct:0,0,50,50"] {
        for size in ["max", "200,", "!100,100"] {
            routes.push(format!("/iiif/3/pulse-28~{page}/{region}/{size}/0/default.jpg"));
        }
    }
    routes.into_iter().map(|route| (get(server, &route).0, route)).collect()
}

/// The issue is public domain; page 2 carries public-domain articles only, page 1 an
/// article in copyright («memory») beside a public one. Page 2 is shown whole on every
/// route (the issue's page, the reader, the page image, the IIIF image service, manifest
/// and text, search snippets, OAI), page 1 on none, nor the issue's PDF; a change of an
/// article's or the issue's rights reaches the next request.
#[test]
fn an_issues_page_is_shown_whole_only_where_every_article_on_it_may_be() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let (server, _) = common::server::Server::start(&archive, None);
    let phrases = memory_phrases();
    let museum = long_words(&text("museum"));
    assert!(museum.len() >= 3, "{museum:?}");

    // The issue's page: page 2's image and text, page 1 said to be withheld and why.
    let (status, head, page) = get(&server, "/doc/pulse-28");
    let page = String::from_utf8(page).unwrap();
    assert_eq!(status, 200);
    assert!(page.contains("/doc/pulse%2D28/page/2/full.jpg"), "{page}");
    assert!(!page.contains("/page/1/full.jpg"), "{page}");
    assert!(found(&page, &museum) * 10 >= museum.len() * 7, "page 2's text is shown: {page}");
    assert!(leaked(&page, &phrases).is_empty(), "page 1's text is not: {:?}", leaked(&page, &phrases));
    let withheld = &page[page.find("id=\"pages-withheld\"").expect("the pages not shown are named")..];
    assert!(withheld.contains(": 1<") && withheld.contains("href=\"/doc/memory\""), "{withheld}");
    assert!(!page.contains("/doc/pulse%2D28/pdf"), "no PDF while a page may not be shown");
    assert!(head.contains("cache-control: no-cache"), "{head}");

    // Every route: page 2 served, page 1 refused.
    for (status, route) in whole_page_routes(&server, 2) {
        assert_eq!(status, 200, "{route}");
    }
    for (status, route) in whole_page_routes(&server, 1) {
        assert_eq!(status, 403, "{route}");
    }
    let (_, head, image) = get(&server, "/iiif/3/pulse-28~2/full/max/0/default.jpg");
    assert!(head.contains("image/jpeg"));
    assert_eq!(image::load_from_memory(&image).unwrap().width(), 2 * COLUMN.0);
    let (_, _, annotations) = get(&server, "/iiif/3/pulse-28/annotations/2");
    assert!(found(&String::from_utf8(annotations).unwrap(), &museum) * 10 >= museum.len() * 7);
    assert_eq!(get(&server, "/doc/pulse-28/pdf").0, 403);

    // The reader: page 2 with its image and text; page 1 neither, and cached nowhere.
    let (status, _, reader) = get(&server, "/doc/pulse-28/page/2");
    let reader = String::from_utf8(reader).unwrap();
    assert_eq!(status, 200);
    assert!(reader.contains("/doc/pulse%2D28/page/2/full.jpg") && found(&reader, &museum) * 10 >= museum.len() * 7);
    let (status, head, reader) = get(&server, "/doc/pulse-28/page/1");
    let reader = String::from_utf8(reader).unwrap();
    assert_eq!(status, 200);
    assert!(!reader.contains("full.jpg") && !reader.contains("info.json"), "{reader}");
    assert!(leaked(&reader, &phrases).is_empty());
    assert!(head.contains("cache-control: private, no-store"), "{head}");

    // The manifest paints page 2 only, and refers to page 2's text only.
    let (_, _, manifest) = get(&server, "/iiif/3/pulse-28/manifest");
    let manifest: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    let canvases = manifest["items"].as_array().unwrap();
    assert_eq!(canvases.len(), 2);
    assert!(canvases[0].get("items").is_none() && canvases[0].get("annotations").is_none(), "{}", canvases[0]);
    assert!(canvases[1]["items"][0]["items"][0]["body"]["id"].as_str().unwrap().contains("pulse-28~2/"));

    // Search: a word only «memory» has finds the issue and the article, with no text
    // around it; a word of «museum» finds the issue's page 2, its snippet shown.
    let memory_word = long_words(&text("memory")).into_iter().next().unwrap();
    let (status, _, results) = get(&server, &format!("/search?q={}", escaped(&memory_word)));
    let results = String::from_utf8(results).unwrap();
    assert_eq!(status, 200);
    assert!(results.contains("/doc/pulse%2D28/page/1"), "the issue is found: {results}");
    assert!(leaked(&results, &phrases).is_empty(), "{:?}", leaked(&results, &phrases));
    assert!(!results.contains("<mark>"), "no snippet of page 1: {results}");
    let (_, _, results) = get(&server, &format!("/search?q={}", escaped(&museum[0])));
    let results = String::from_utf8(results).unwrap();
    let issue_hit = results.split("<li").find(|hit| hit.contains("/doc/pulse%2D28/page/2")).expect("the issue found");
    assert!(issue_hit.contains("<mark>"), "its snippet, from page 2: {issue_hit}");

    // OAI-PMH: the issue's page is linked, its PDF not.
    let (_, _, oai) = get(&server, "/oai?verb=ListRecords&metadataPrefix=oai_dc");
    let oai = String::from_utf8(oai).unwrap();
    assert!(oai.contains("/doc/pulse-28<") && !oai.contains("/doc/pulse-28/pdf"), "{oai}");

    // «museum» in copyright now: page 2 is refused from the next request on.
    set_rights(&archive, "museum", "in_copyright");
    for (status, route) in whole_page_routes(&server, 2) {
        assert_eq!(status, 403, "{route}");
    }
    // Every article public: both pages, and the PDF, are shown.
    set_rights(&archive, "museum", "public_domain");
    set_rights(&archive, "memory", "public_domain");
    for page in [1, 2] {
        assert!(whole_page_routes(&server, page).iter().all(|(status, _)| *status == 200));
    }
    let (status, head, pdf) = get(&server, "/doc/pulse-28/pdf");
    assert_eq!(status, 200, "{head}");
    assert!(pdf.starts_with(b"%PDF"));
    // The issue's rights unset: nothing of it is shown whole, whatever its articles'.
    set_rights(&archive, "pulse-28", "");
    for page in [1, 2] {
        for (status, route) in whole_page_routes(&server, page) {
            assert_eq!(status, 403, "{route}");
        }
    }
    assert_eq!(get(&server, "/doc/pulse-28/pdf").0, 403);
    let (_, _, page) = get(&server, "/doc/pulse-28");
    assert!(!String::from_utf8(page).unwrap().contains("full.jpg"));
}

/// An ingest killed after the issue was filed and before an article was, or an article's
/// folder removed by hand: the issue lists the article on its pages, so those pages are
/// not shown whole, though every article still found there allows it; and verify says
/// which article is gone and how to bring it back.
#[test]
fn an_issues_page_listing_an_article_not_found_is_not_shown_whole() {
    let issue = record_json(archive(), "pulse-28");
    let listed: Vec<(String, Vec<u64>)> = issue["articles"]
        .as_array()
        .expect("the issue lists its articles")
        .iter()
        .map(|a| {
            (
                a["id"].as_str().unwrap().to_string(),
                a["pages"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect(),
            )
        })
        .collect();
    assert_eq!(listed, [("memory".into(), vec![1]), ("museum".into(), vec![2]), ("town".into(), vec![1, 2])]);

    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    set_rights(&archive, "memory", "public_domain");
    fs::remove_dir_all(archive.join("documents/museum")).unwrap();
    let verified = json(&expect_code(olke(&archive).args(["verify", "--repair", "--json"]), 4));
    let problems = verified["problems"].as_array().expect("problems");
    let (missing, others): (Vec<_>, Vec<_>) = problems.iter().partition(|p| p["kind"] == "article_missing");
    assert_eq!(missing.len(), 1, "{verified}");
    assert_eq!(missing[0]["document"], "pulse-28", "{verified}");
    let detail = missing[0]["detail"].as_str().unwrap();
    assert!(detail.contains("the article museum on page(s) 2, which is not in the archive"), "{detail}");
    assert!(missing[0]["not_repaired"].as_str().unwrap().contains("batch.csv"), "{verified}");
    // What can be put right is: the catalogue's and the index's entries for the article.
    assert!(!others.is_empty() && others.iter().all(|p| p["repaired"].is_string()), "{verified}");
    let (server, _) = common::server::Server::start(&archive, None);
    for (status, route) in whole_page_routes(&server, 1) {
        assert_eq!(status, 200, "{route}");
    }
    for (status, route) in whole_page_routes(&server, 2) {
        assert_eq!(status, 403, "{route}");
    }
    assert_eq!(get(&server, "/doc/pulse-28/pdf").0, 403);
    // The issue's page says why: the article it lists there is not in the archive.
    let (_, _, page) = get(&server, "/doc/pulse-28");
    let page = String::from_utf8(page).unwrap();
    let withheld = &page[page.find("id=\"pages-withheld\"").expect("page 2 is named withheld")..];
    assert!(withheld.contains(": 2<") && withheld.contains("<span class=\"absent\">museum</span>"), "{withheld}");
}

/// Every file of a published site as text (images and PDFs left out: they hold no words).
fn site_texts(site: &Path) -> Vec<(PathBuf, String)> {
    walkdir::WalkDir::new(site)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| fs::read_to_string(e.path()).ok().map(|text| (e.path().to_path_buf(), text)))
        .collect()
}

/// `olke publish` gives the issue with page 2 (its text, its IIIF image and canvas) and
/// neither page 1 nor the PDF; publishing a collection the issue is in and «memory» is not
/// still keeps page 1; with the issue's rights unset, the issue is a citation only.
#[test]
fn publishing_gives_an_issue_with_the_pages_that_may_be_shown() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let phrases = memory_phrases();
    let museum = long_words(&text("museum"));
    expect_code(olke(&archive).args(["catalog", "set", "pulse-28", "collections", "Газеттер"]), 0);
    let publish = |site: &Path, collection: Option<&str>| {
        let mut command = olke(&archive);
        command.args(["publish", "--json", "--base-url", "https://lib.example.kz", "--out"]).arg(site);
        if let Some(name) = collection {
            command.args(["--collection", name]);
        }
        json(&expect_code(&mut command, 0))
    };
    for (site, collection) in [(tmp.path().join("site"), None), (tmp.path().join("newspapers"), Some("Газеттер"))]
    {
        publish(&site, collection);
        let page = fs::read_to_string(site.join("documents/pulse-28/index.html")).unwrap();
        assert!(found(&page, &museum) * 10 >= museum.len() * 7, "page 2's text: {page}");
        assert!(page.contains("id=\"p2\"") && !page.contains("id=\"p1\""), "{page}");
        assert!(!page.contains(".pdf"), "{page}");
        let published: Vec<PathBuf> = walkdir::WalkDir::new(&site)
            .into_iter()
            .filter_map(Result::ok)
            .map(|e| e.path().strip_prefix(&site).unwrap().to_path_buf())
            .collect();
        let named = |part: &str| published.iter().filter(|p| p.to_string_lossy().contains(part)).count();
        assert!(named("pulse-28~2/full/max/0/default.jpg") == 1, "{published:?}");
        assert_eq!(
            (named("pulse-28~1"), named("pulse-28/annotations/1.json"), named("pulse-28.pdf")),
            (0, 0, 0),
            "{published:?}"
        );
        assert_eq!(named("pulse-28/annotations/2.json"), 1);
        for (file, content) in site_texts(&site) {
            assert!(leaked(&content, &phrases).is_empty(), "{}: {:?}", file.display(), leaked(&content, &phrases));
        }
        let manifest: serde_json::Value =
            serde_json::from_slice(&fs::read(site.join("iiif/3/pulse-28/manifest.json")).unwrap()).unwrap();
        assert!(manifest["items"][0].get("items").is_none() && manifest["items"][1].get("items").is_some());
        let feed: serde_json::Value = serde_json::from_slice(&fs::read(site.join("documents.json")).unwrap()).unwrap();
        let issue = feed["documents"].as_array().unwrap().iter().find(|d| d["id"] == "pulse-28").unwrap().clone();
        assert_eq!((&issue["full_text"], &issue["pages_published"]), (&false.into(), &serde_json::json!([2])));
        assert!(issue.get("pdf").is_none(), "{issue}");
    }

    // The issue's rights unset: publishing again takes its page and images away.
    let site = tmp.path().join("site");
    set_rights(&archive, "pulse-28", "");
    publish(&site, None);
    for gone in ["documents/pulse-28/index.html", "iiif/3/pulse-28/manifest.json", "iiif/3/pulse-28~2/info.json"] {
        assert!(!site.join(gone).exists(), "{gone}");
    }
    assert!(!site.join("iiif/3/pulse-28~2/full/max/0/default.jpg").exists());
}

/// An issue («Пульс» № 30, public domain) of one page, p1.png, whose zones overlap as much
/// as ingest lets them: «bigopen» (public domain) takes the left column and the first
/// third of the right one, «smallsecret» (in copyright) the right column.
fn overlapping_archive() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "articles-overlap", |batch, archive| {
        fs::create_dir_all(batch).unwrap();
        newspaper_page(&batch.join("p1.png"), texts::KAZAKH[3], texts::RUSSIAN[0]);
        fs::write(
            batch.join("batch.csv"),
            format!(
                "{HEADER}\
                 p1.png,pulse-30,newspaper_issue,Пульс,,Пульс,2019-07-26,30,,public_domain,\n\
                 p1.png,bigopen,newspaper_article,Big open,,Пульс,2019-07-26,30,kaz,public_domain,\"p1.png@0,0,1200,1200\"\n\
                 p1.png,smallsecret,newspaper_article,Small secret,,Пульс,2019-07-26,30,rus,in_copyright,\"p1.png@900,0,900,1200\"\n"
            ),
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
    })
}

/// The words of `bigopen` (as the archive holds its zone) that are `smallsecret`'s: in
/// the part of its zone that is smallsecret's too, and not of bigopen's own column.
fn overlap_words() -> Vec<String> {
    let text = |id| stdout(&expect_code(olke(overlapping_archive()).args(["text", id]), 0));
    let secret: Vec<String> = words(&text("smallsecret"));
    let shared: Vec<String> = words(&text("bigopen"))
        .into_iter()
        .filter(|w| w.chars().count() >= 4 && secret.contains(w) && !texts::KAZAKH[3].contains(w.as_str()))
        .collect();
    assert!(shared.len() >= 3, "the zones share words: {shared:?}");
    shared
}

/// Of `words`, those `content` shows as words of its visible text.
fn shown_words<'a>(content: &[u8], words: &'a [String]) -> Vec<&'a String> {
    let visible = self::words(&visible_text(&String::from_utf8_lossy(content)));
    words.iter().filter(|w| visible.contains(w)).collect()
}

/// The darkest pixel of `image` (a JPEG) between columns `from` and `to`.
fn darkest_between(image: &[u8], from: u32, to: u32) -> u8 {
    let image = image::load_from_memory(image).unwrap().to_luma8();
    (from..to.min(image.width()))
        .flat_map(|x| (0..image.height()).map(move |y| (x, y)))
        .map(|(x, y)| image.get_pixel(x, y).0[0])
        .min()
        .unwrap()
}

/// A public article whose zone overlaps one in copyright shows nothing of the part they
/// share: not its words (on its page, in a search snippet), not its pixels (its zone's
/// image); the rest of it, it shows. The rights are read as they are now.
#[test]
fn an_article_shows_nothing_of_an_article_in_copyright_its_zone_overlaps() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(overlapping_archive(), tmp.path());
    let shared = overlap_words();
    let own = long_words(texts::KAZAKH[3]);
    let (server, _) = common::server::Server::start(&archive, None);

    let (status, _, page) = get(&server, "/doc/bigopen");
    assert_eq!(status, 200);
    assert!(shown_words(&page, &shared).is_empty(), "{:?}", shown_words(&page, &shared));
    assert!(found(&String::from_utf8_lossy(&page), &own) * 10 >= own.len() * 7, "its own words are shown");
    // Its zone, 1200 pixels wide, is shown 1000 wide: the right column starts at 750.
    let (status, _, zone) = get(&server, "/doc/bigopen/zone/1");
    assert_eq!(status, 200);
    assert!(darkest_between(&zone, 0, 740) < 100, "its own column's ink");
    assert!(darkest_between(&zone, 760, 1000) > 200, "smallsecret's part is white");
    let (status, _, results) = get(&server, &format!("/search?q={}", escaped(&shared[0])));
    assert_eq!(status, 200);
    let results = String::from_utf8(results).unwrap();
    let hit = results.split("<li").find(|hit| hit.contains("href=\"/doc/bigopen")).expect("bigopen is found");
    assert!(!hit.contains("<mark>"), "no text around the word: {hit}");
    assert!(shown_words(results.as_bytes(), &shared[1..]).is_empty(), "{results}");

    // smallsecret public domain: bigopen shows its whole zone from the next request on.
    set_rights(&archive, "smallsecret", "public_domain");
    let (_, _, page) = get(&server, "/doc/bigopen");
    assert!(!shown_words(&page, &shared).is_empty());
    assert!(darkest_between(&get(&server, "/doc/bigopen/zone/1").2, 760, 1000) < 100);
}

/// A search hit on an article shows a thumbnail that is there: of its zone on the page of
/// the issue the hit names.
#[test]
fn a_search_hit_on_an_article_has_a_thumbnail_of_its_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let (server, _) = common::server::Server::start(&archive, None);
    let (_, _, results) = get(&server, &format!("/search?q={}", escaped("Ауэзова")));
    let results = String::from_utf8(results).unwrap();
    let hit = results.split("<li").find(|hit| hit.contains("href=\"/doc/museum")).expect("museum is found");
    assert!(hit.contains("src=\"/doc/museum/page/2/thumb.jpg\""), "{hit}");
    let (status, head, thumb) = get(&server, "/doc/museum/page/2/thumb.jpg");
    assert_eq!(status, 200, "{head}");
    assert!(head.contains("image/jpeg"), "{head}");
    // Its zone, the right column (900 pixels wide), as a thumbnail.
    let thumb = image::load_from_memory(&thumb).unwrap();
    assert_eq!((thumb.width(), thumb.height()), (180, 240));
    assert_eq!(get(&server, "/doc/museum/page/1/thumb.jpg").0, 404, "museum is on page 2 only");
    // An article in copyright: its zone no sharper than in its page's thumbnail (the zone is
    // half the page's width, so half of 180 pixels), not a readable column.
    let (status, _, thumb) = get(&server, "/doc/memory/page/1/thumb.jpg");
    assert_eq!(status, 200);
    let width = image::load_from_memory(&thumb).unwrap().width();
    assert!(width <= 92, "{width} pixels wide");
    // The hit's link, to the page its words are on, opens the article.
    let (status, head, _) = get(&server, "/doc/museum/page/2?q=%D0%90%D1%83%D1%8D%D0%B7%D0%BE%D0%B2%D0%B0");
    assert!(status == 303 && head.to_lowercase().contains("location: /doc/museum\r\n"), "{status} {head}");
    assert_eq!(get(&server, "/doc/memory/page/1/full.jpg").0, 403, "in copyright: no readable image");
}

/// The most memory `olke serve` on `port` has held (its VmHWM), and holds now, in MB.
fn server_memory(port: u16) -> (u64, u64) {
    let bind = format!("127.0.0.1:{port}");
    let pid = fs::read_dir("/proc")
        .unwrap()
        .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .find(|pid| fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains(&bind)))
        .expect("the server's process");
    let status = fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| -> u64 {
        let line = status.lines().find(|l| l.starts_with(name)).unwrap();
        line.split_whitespace().nth(1).unwrap().parse::<u64>().unwrap() / 1024
    };
    (field("VmHWM:"), field("VmRSS:"))
}

/// Many readers asking at once for zones and for page thumbnails not cached yet: the
/// pages are decoded a few at a time, so the server's memory stays small.
#[test]
fn page_images_asked_for_at_once_are_decoded_a_few_at_a_time() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(archive(), tmp.path());
    let _ = fs::remove_dir_all(archive.join("cache"));
    let (server, _) = common::server::Server::start(&archive, None);
    let (_, before) = server_memory(server.port);
    let port = server.port;
    let asked = (0..48).map(|_| "/doc/town/zone/1").chain((0..32).map(|_| "/doc/pulse-28/page/2/thumb.jpg"));
    let readers: Vec<_> =
        asked.map(|path| std::thread::spawn(move || common::server::http_get_bytes(port, path).unwrap())).collect();
    for reader in readers {
        assert!(reader.join().unwrap().starts_with(b"HTTP/1.1 200"));
    }
    let (peak, _) = server_memory(server.port);
    assert!(peak < before + 200, "{before} MB at rest, {peak} MB at most");
}

/// What leaves the archive by the other routes — a reader's copy, the published site, a
/// METS package — leaves out, of a public article, what an overlapping article in
/// copyright has in its zone, as the website does.
#[test]
fn copies_sites_and_packages_of_an_article_leave_out_an_overlapping_article_in_copyright() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(overlapping_archive(), tmp.path());
    fs::write(archive.join("olke.toml"), LIBRARY).unwrap();
    // (The library's name, on every page of the site and on the copy's cover, is no leak.)
    let shared: Vec<String> = overlap_words().into_iter().filter(|w| !LIBRARY.contains(w.as_str())).collect();
    let own = long_words(texts::KAZAKH[3]);

    let copy = tmp.path().join("bigopen.pdf");
    let mut deliver = olke(&archive);
    deliver.args(["deliver", "bigopen", "--requester", "Асқар Сейітов <askar@example.kz>", "--out"]).arg(&copy);
    expect_code(&mut deliver, 0);
    let delivered = pdftotext_pages(&copy, 2, pdf_pages(&copy) as u32);
    assert_eq!(found(&delivered, &shared), 0, "the copy: {delivered}");
    assert!(found(&delivered, &own) * 10 >= own.len() * 7, "its own words: {delivered}");

    let site = tmp.path().join("site");
    expect_code(olke(&archive).args(["publish", "--out"]).arg(&site), 0);
    for (path, text) in site_texts(&site) {
        let leaked: Vec<&String> = shared.iter().filter(|w| text.contains(w.as_str())).collect();
        assert!(leaked.is_empty(), "{}: {leaked:?}", path.display());
    }

    // JSON lines with the text: neither bigopen nor the issue's page (which carries
    // smallsecret) has smallsecret's words.
    let lines = stdout(&expect_code(olke(&archive).args(["export", "jsonl", "--text"]), 0));
    for line in lines.lines() {
        let leaked: Vec<&String> = shared.iter().filter(|w| line.contains(w.as_str())).collect();
        assert!(leaked.is_empty(), "{leaked:?} in {line}");
    }

    let packages = tmp.path().join("packages");
    expect_code(olke(&archive).args(["export", "mets", "--out"]).arg(&packages), 0);
    let package = packages.join("bigopen");
    let on_disk = read_package(&package)["on_disk"].as_array().unwrap().clone();
    for (path, text) in package_texts(&package, &on_disk) {
        assert_eq!(found(&text, &shared), 0, "{path} of bigopen's package");
    }
}
