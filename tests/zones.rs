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
    let mut writer = csv::Writer::from_path(batch.join("batch.csv")).unwrap();
    writer.write_record(&headers).unwrap();
    for row in &rows {
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
    for id in &hosted {
        let text = String::from_utf8(expect_code(olke(&archive).args(["text", id]), 0).stdout).unwrap();
        assert!(text.split_whitespace().count() >= 10, "{id} has its text: {text}");
    }
    let (code, verified) = common::verify(&archive, &[]);
    assert_eq!(code, Some(0), "{verified:#}");
}
