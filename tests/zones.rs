//! `olke zones` on a synthetic newspaper issue with known article boxes, through the real
//! binary and real Tesseract.

mod common;

use std::collections::HashMap;
use std::path::Path;

use common::{expect_code, olke, snapshot, stderr};
use olke::page::BBox;
use olke::testkit::fixtures;
use olke::testkit::newspaper::{self, Fonts, Prose, TruthKind};
use olke::zones::ZoneFile;

/// The bibliographer's part: the draft's rows, with the newspaper, date, issue and rights
/// filled in (and a title where none was proposed), saved as the batch's `batch.csv`.
fn save_as_batch_csv(batch: &Path, headers: &csv::StringRecord, rows: &[csv::StringRecord]) {
    let mut writer = csv::Writer::from_path(batch.join("batch.csv")).unwrap();
    writer.write_record(headers).unwrap();
    for row in rows {
        let filled: Vec<&str> = headers
            .iter()
            .zip(row.iter())
            .map(|(name, value)| match name {
                "source" => "Балқаш өңірі",
                "date" => "1998-12-05",
                "issue" => "48",
                "rights" => "public_domain",
                "title" if value.is_empty() => "Атаусыз",
                _ => value,
            })
            .collect();
        writer.write_record(&filled).unwrap();
    }
    writer.flush().unwrap();
}

#[test]
fn a_newspaper_issue_is_zoned_into_its_articles() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("balqash-1998-12");
    std::fs::create_dir_all(&batch).unwrap();
    let pages =
        newspaper::issue(5, &Fonts::load().unwrap(), &Prose::load(Path::new("/work/shared/texts/ud-kazakh-ktb")));
    for (n, page) in pages.iter().enumerate() {
        fixtures::write_png(&batch.join(format!("p{}.png", n + 1)), &page.image, page.dpi).unwrap();
    }
    // A file named like a scan that is none: reported, and the pages still zoned.
    std::fs::write(batch.join("p3.png"), "not an image").unwrap();
    let before = snapshot(&batch);

    let output = expect_code(olke(&tmp.path().join("archive")).arg("zones").arg(&batch).arg("--json"), 3);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{report:#}");
    assert!(failures[0].as_str().unwrap().starts_with("p3.png: "), "{failures:?}");
    assert_eq!(
        snapshot(&batch).into_iter().filter(|(p, _)| before.iter().any(|(q, _)| q == p)).collect::<Vec<_>>(),
        before,
        "scans unchanged"
    );
    assert!(stderr(&output).contains("p3.png"), "{}", stderr(&output));

    let zones = ZoneFile::read(&batch).unwrap().expect("zones.json written");
    assert_eq!(zones.pages.len(), 2);
    for page in &zones.pages {
        let preview = image::open(batch.join("zones").join(format!("{}.zones.png", page.file.display()))).unwrap();
        let (w, h) = (preview.width() as f64, preview.height() as f64);
        assert!(h <= 1600.0, "preview {w}×{h}");
        let aspect = page.width as f64 / page.height as f64;
        assert!((w / h - aspect).abs() < 0.01, "preview {w}×{h}, page {}×{}", page.width, page.height);
    }

    // The draft: read as batch.csv is, one row per article naming zones that exist.
    let mut reader = csv::Reader::from_path(batch.join("batch.zones.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap_or_else(|| panic!("no {name} column"));
    let (files, kind, title, zones_column) = (column("files"), column("type"), column("title"), column("zones"));
    assert_eq!(headers.get(0), Some("files"));
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.last().unwrap().get(kind), Some("newspaper_issue"));
    assert_eq!(rows.last().unwrap().get(files), Some("p1.png;p2.png"));
    let mut article_boxes: Vec<HashMap<String, BBox>> = Vec::new();
    for row in rows.iter().filter(|r| r.get(kind) == Some("newspaper_article")) {
        let mut boxes: HashMap<String, BBox> = HashMap::new();
        for name in row.get(zones_column).unwrap().split(';') {
            let (file, number) = name.split_once('#').unwrap_or_else(|| panic!("zone {name}"));
            assert!(row.get(files).unwrap().split(';').any(|f| f == file), "{name} is not in the row's files");
            let page = zones.page(Path::new(file), 0).unwrap_or_else(|| panic!("{file} has no zones"));
            let zone = page.zone(number.parse().unwrap()).unwrap_or_else(|| panic!("{name} is no zone"));
            boxes.entry(file.to_string()).and_modify(|b| *b = b.union(&zone.bbox)).or_insert(zone.bbox);
        }
        assert!(!row.get(title).unwrap().is_empty() || !row.get(column("notes")).unwrap().is_empty());
        article_boxes.push(boxes);
    }

    // Most articles are found: one row's zones on the page cover the article's true box.
    let (mut articles, mut found) = (0, 0);
    for (n, page) in pages.iter().enumerate() {
        let file = format!("p{}.png", n + 1);
        for truth in page.truth.iter().filter(|t| t.kind == TruthKind::Article) {
            articles += 1;
            let best =
                article_boxes.iter().filter_map(|b| b.get(&file)).map(|b| b.iou(&truth.bbox)).fold(0.0, f64::max);
            found += usize::from(best >= 0.8);
        }
    }
    assert!(articles >= 5, "{articles} articles");
    assert!(found * 10 >= articles * 8, "{found} of {articles} articles found");
    // The article continued on page 2 is one row with zones on both pages.
    assert!(article_boxes.iter().any(|b| b.len() == 2), "no row joins the continued article");

    // The bibliographer's part: the draft, with the newspaper, date and issue filled in,
    // becomes batch.csv; ingest archives the issue once and each proposed article on it.
    std::fs::remove_file(batch.join("p3.png")).unwrap();
    save_as_batch_csv(&batch, &headers, &rows);
    let archive = tmp.path().join("archive");
    let ingested = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0);
    let report: serde_json::Value = serde_json::from_slice(&ingested.stdout).unwrap();
    assert_eq!(report["pages"], 2, "the issue's two pages recognized once: {report:#}");
    let listed: serde_json::Value =
        serde_json::from_slice(&expect_code(olke(&archive).args(["list", "--json"]), 0).stdout).unwrap();
    let show = |id: &str| -> serde_json::Value {
        serde_json::from_slice(&expect_code(olke(&archive).args(["show", id, "--json"]), 0).stdout).unwrap()
    };
    let ids = listed.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string());
    let hosted: Vec<String> = ids.filter(|id| show(id)["host"].is_string()).collect();
    assert_eq!(hosted.len(), article_boxes.len(), "one article per draft row: {listed:#}");
    // Every article has text; as many as zoning found whole have their body with it (an
    // article zoned short, a headline's first line alone, say, has only a few words).
    let mut with_body = 0;
    for id in &hosted {
        let text = String::from_utf8(expect_code(olke(&archive).args(["text", id]), 0).stdout).unwrap();
        assert!(text.split_whitespace().count() >= 2, "{id} has its text: {text}");
        with_body += usize::from(text.split_whitespace().count() >= 10);
    }
    assert!(with_body * 10 >= hosted.len() * 8, "{with_body} of {} articles have their body", hosted.len());
    let (code, verified) = common::verify(&archive, &[]);
    assert_eq!(code, Some(0), "{verified:#}");
}

/// An issue scanned as one two-page TIFF: `olke zones` proposes the zones of each page and
/// names them by page (`issue.tif:2#1`), ingest archives the file once as the issue and
/// each article on its page, with that page's text; a page the file does not have is a
/// manifest problem with row and column.
#[test]
fn the_pages_of_a_multi_page_tiff_are_zoned_and_named_by_page() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("pulse-tiff");
    std::fs::create_dir_all(&batch).unwrap();
    let (fonts, prose) = (Fonts::load().unwrap(), Prose::load(Path::new("/work/shared/texts/ud-kazakh-ktb")));
    // A TIFF has one resolution for its pages here: the first issue whose pages share one.
    let pages =
        (7..).map(|seed| newspaper::issue(seed, &fonts, &prose)).find(|pages| pages[0].dpi == pages[1].dpi).unwrap();
    let images: Vec<image::GrayImage> = pages.iter().map(|p| p.image.clone()).collect();
    fixtures::write_tiff(&batch.join("issue.tif"), &images, pages[0].dpi, fixtures::TiffKind::Deflate).unwrap();

    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).arg("zones").arg(&batch).arg("--json"), 0);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["pages"].as_array().map(Vec::len), Some(2), "{report:#}");
    let zones = ZoneFile::read(&batch).unwrap().expect("zones.json written");
    assert!(zones.page(Path::new("issue.tif"), 1).is_some_and(|p| !p.zones.is_empty()), "{zones:?}");
    assert!(batch.join("zones/issue.tif.2.zones.png").is_file(), "page 2's preview");

    let mut reader = csv::Reader::from_path(batch.join("batch.zones.csv")).unwrap();
    let headers = reader.headers().unwrap().clone();
    let column = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let mut rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.iter().all(|r| r.get(column("files")) == Some("issue.tif")), "one file named once: {rows:?}");
    let zone_names = |row: &csv::StringRecord| -> Vec<(u32, usize)> {
        let cell = row.get(column("zones")).unwrap();
        cell.split(';')
            .filter(|z| !z.is_empty())
            .map(|z| {
                let (page, number) =
                    z.strip_prefix("issue.tif:").and_then(|z| z.split_once('#')).unwrap_or_else(|| panic!("zone {z}"));
                (number.parse().unwrap(), page.parse().unwrap())
            })
            .collect()
    };
    let on_second = rows
        .iter()
        .filter(|r| {
            let zones = zone_names(r);
            !zones.is_empty() && zones.iter().all(|z| z.1 == 2)
        })
        .count();
    assert!(on_second >= 1, "articles proposed on page 2: {rows:?}");
    assert!(
        rows.iter().any(|r| zone_names(r).iter().any(|z| z.1 == 1) && zone_names(r).iter().any(|z| z.1 == 2)),
        "the article continued on page 2 is one row with zones on both pages: {rows:?}"
    );

    // The bibliographer's draft, with two rows naming a page 3 the file does not have.
    let problem_rows = [("Үшінші бет", "issue.tif:3#1"), ("Жоқ бет", "issue.tif:3@0,0,100,100")];
    for (title, zone) in problem_rows {
        let mut row: Vec<String> = rows[0].iter().map(str::to_string).collect();
        row[column("title")] = title.into();
        row[column("zones")] = zone.into();
        rows.insert(0, csv::StringRecord::from(row));
    }
    save_as_batch_csv(&batch, &headers, &rows);
    let ingested = olke(&archive).args(["ingest", "--json"]).arg(&batch).output().unwrap();
    let all = String::from_utf8_lossy(&ingested.stdout).to_string() + &stderr(&ingested);
    for expected in [
        "row 3, column 'zones': 'issue.tif:3#1': zones.json has no page 3 of 'issue.tif' (it has page 1, 2)",
        "row 2, column 'zones': 'issue.tif:3@0,0,100,100': the file has 2 page(s), no page 3",
    ] {
        assert!(all.contains(expected), "{expected}\nin:\n{all}");
    }

    // Each article on page 2 is filed with its zones there and the text of its true article.
    let listed: serde_json::Value =
        serde_json::from_slice(&expect_code(olke(&archive).args(["list", "--json"]), 0).stdout).unwrap();
    let show = |id: &str| -> serde_json::Value {
        serde_json::from_slice(&expect_code(olke(&archive).args(["show", id, "--json"]), 0).stdout).unwrap()
    };
    let words = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric()).filter(|w| w.chars().count() > 3).map(str::to_lowercase).collect()
    };
    let mut checked = 0;
    for id in listed.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()) {
        let shown = show(id);
        let Some(zones) = shown["zones"].as_array().filter(|z| !z.is_empty()) else { continue };
        if zones.iter().any(|z| z["page"] != 2) {
            continue;
        }
        let bbox = |z: &serde_json::Value| -> BBox { serde_json::from_value(z["bbox"].clone()).unwrap() };
        let whole = zones.iter().map(bbox).reduce(|a, b| a.union(&b)).unwrap();
        let Some(truth) =
            pages[1].truth.iter().filter(|t| t.kind == TruthKind::Article).find(|t| t.bbox.iou(&whole) >= 0.8)
        else {
            continue;
        };
        let text = String::from_utf8(expect_code(olke(&archive).args(["text", id]), 0).stdout).unwrap();
        let read = words(&text);
        let headline = words(truth.headline.as_deref().unwrap());
        let found = headline.iter().filter(|w| read.contains(w)).count();
        assert!(found * 2 >= headline.len(), "{id}: its headline «{:?}» in its text: {text}", truth.headline);
        assert!(read.len() >= 10, "{id} has its text: {text}");
        checked += 1;
    }
    assert!(checked >= 1, "articles on page 2 found and checked: {checked}");
}
