//! Correcting recognized text (`olke correct`, `olke corrections`, the web's correction
//! view) on a page scanned, recognized and archived by the real `olke ingest`: the
//! correction must reach the search index, the PDF's text layer (read back by poppler),
//! `olke text`, the ALTO export and the history, keep the PDF sound for qpdf and the
//! archive clean for `olke verify`, and be undone by a revert.

mod common;

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use common::*;

const ID: &str = "doc-01";
/// A word no Kazakh or Russian text has, so a search for it finds only the correction.
const NEW_WORD: &str = "Нұротанбек";

static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();

/// A copy, for one test, of an archive holding one scanned and recognized page.
fn archive(tmp: &Path) -> PathBuf {
    let shared = shared_archive(&ARCHIVE, "correct", |batch, archive| {
        small_batch(batch, 1);
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
    });
    archive_copy(shared, tmp)
}

/// The page's lines as `olke correct ID --page 1 --json` lists them.
fn lines(archive: &Path) -> Vec<serde_json::Value> {
    let listed = json(&expect_code(olke(archive).args(["correct", ID, "--page", "1", "--json"]), 0));
    listed.as_array().unwrap().clone()
}

fn page_json(archive: &Path) -> serde_json::Value {
    let path = archive.join("documents").join(ID).join("pages/0001.json");
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// Pages of document `ID` where `olke search` finds `word` in the text.
fn found_on(archive: &Path, word: &str) -> Vec<u64> {
    let results = json(&expect_code(olke(archive).args(["search", word, "--json"]), 0));
    let hits = results["hits"].as_array().unwrap();
    let hit = hits.iter().find(|h| h["id"] == ID);
    hit.map(|h| h["pages"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect()).unwrap_or_default()
}

/// A line and one of its words that no other line of the page shares the start of (so a
/// search for it finds this line alone, whatever the stemming): its number from 1, index
/// among the line's words, and the word.
fn misread(page: &serde_json::Value) -> (usize, usize, String) {
    let lines = page["lines"].as_array().unwrap();
    let words = |l: &serde_json::Value| -> Vec<String> {
        l["words"].as_array().unwrap().iter().map(|w| w["text"].as_str().unwrap().to_string()).collect()
    };
    let stem = |w: &str| w.to_lowercase().chars().filter(|c| c.is_alphabetic()).take(5).collect::<String>();
    for (n, line) in lines.iter().enumerate() {
        for (i, word) in words(line).iter().enumerate() {
            let letters = word.chars().filter(|c| c.is_alphabetic()).count();
            let elsewhere = lines
                .iter()
                .enumerate()
                .filter(|(m, _)| *m != n)
                .flat_map(|(_, l)| words(l))
                .chain(words(line).into_iter().enumerate().filter(|(j, _)| *j != i).map(|(_, w)| w))
                .any(|w| stem(&w) == stem(word));
            if letters >= 6 && letters == word.chars().count() && !elsewhere {
                return (n + 1, i, word.clone());
            }
        }
    }
    panic!("no line with a word of its own on the page: {page}");
}

fn verify_clean(archive: &Path) {
    let (code, report) = verify(archive, &[]);
    assert_eq!(code, Some(0), "olke verify: {report}");
}

#[test]
fn a_corrected_line_is_found_read_and_exported_and_a_revert_restores_it() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive(tmp.path());
    let before = page_json(&archive);
    let (line, index, old_word) = misread(&before);
    let old_line = lines(&archive)[line - 1]["text"].as_str().unwrap().to_string();
    let mut words: Vec<&str> = old_line.split(' ').collect();
    words[index] = NEW_WORD;
    let new_line = words.join(" ");
    assert_eq!(found_on(&archive, &old_word), [1], "the misreading is found before the correction");
    assert!(found_on(&archive, NEW_WORD).is_empty());
    let pdf = pdf_of(&archive, ID);
    let pdf_before = std::fs::read(&pdf).unwrap();
    let pdf_a_before = record_json(&archive, ID)["pdf_a"].clone();

    let corrected =
        json(&expect_code(
            olke(&archive)
                .args(["correct", ID, "--page", "1", "--line", &line.to_string(), "--text", &new_line])
                .args(["--by", "Асқар", "--json"]),
            0,
        ));
    assert_eq!(corrected["action"], "correct");
    assert_eq!(corrected["old"], old_line.as_str());
    assert_eq!(corrected["new"], new_line.as_str());
    assert_eq!(corrected["by"], "Асқар");

    // The page file: the new word on the old word's box, the line marked, the history kept.
    let after = page_json(&archive);
    let old_box = &before["lines"][line - 1]["words"][index]["bbox"];
    assert_eq!(after["lines"][line - 1]["words"][index]["text"], NEW_WORD);
    assert_eq!(&after["lines"][line - 1]["words"][index]["bbox"], old_box, "same word count: same boxes");
    assert_eq!(after["lines"][line - 1]["corrected"], true);
    assert_eq!(after["corrections"][0]["old"], old_line.as_str());
    assert!(lines(&archive)[line - 1]["corrected"].as_bool().unwrap());

    // Search, text, PDF, ALTO, history, verify.
    assert_eq!(found_on(&archive, NEW_WORD), [1]);
    assert!(found_on(&archive, &old_word).is_empty(), "the misreading is no longer found");
    let text = stdout(&expect_code(olke(&archive).args(["text", ID]), 0));
    assert!(text.contains(&new_line), "{text}");
    assert_ne!(std::fs::read(&pdf).unwrap(), pdf_before);
    qpdf_check(&pdf);
    let raw = pdftotext_raw(&pdf);
    assert!(raw.contains(&new_line), "pdftotext gives the corrected line: {raw}");
    assert!(!raw.contains(&old_word), "{raw}");
    let dpi = after["dpi"].as_f64().unwrap();
    let boxed = pdftotext_bbox(&pdf);
    let placed = boxed[0].iter().find(|w| w.text == NEW_WORD).expect("the new word in the PDF");
    let px = |points: f64| points * dpi / 72.0;
    let near = |points: f64, pixels: &serde_json::Value| (px(points) - pixels.as_f64().unwrap()).abs() < 6.0;
    assert!(near(placed.x_min, &old_box["x0"]) && near(placed.x_max, &old_box["x1"]), "{placed:?} on {old_box}");
    let line_box = &after["lines"][line - 1]["bbox"];
    let middle = px((placed.y_min + placed.y_max) / 2.0);
    assert!(
        middle > line_box["y0"].as_f64().unwrap() && middle < line_box["y1"].as_f64().unwrap(),
        "{placed:?} within the line {line_box}"
    );
    assert_eq!(record_json(&archive, ID)["pdf_a"], pdf_a_before, "still PDF/A when it was");
    verify_clean(&archive);
    // ALTO goes into packages of documents whose rights allow the full text.
    expect_code(olke(&archive).args(["catalog", "set", ID, "rights", "public_domain"]), 0);
    assert!(pdftotext_raw(&pdf).contains(&new_line), "a later edit of the record keeps the text layer");
    let out = tmp.path().join("packages");
    expect_code(olke(&archive).args(["export", "mets", "--out"]).arg(&out).arg(ID), 0);
    let alto = std::fs::read_to_string(out.join(ID).join("alto/0001.xml")).unwrap();
    assert!(alto.contains(&format!("CONTENT=\"{NEW_WORD}\"")), "{alto}");
    let listed = json(&expect_code(olke(&archive).args(["corrections", "--json"]), 0));
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["id"], ID);
    assert_eq!(listed[0]["line"], line);
    assert_eq!(listed[0]["new"], new_line.as_str());
    let since = json(&expect_code(olke(&archive).args(["corrections", "--since", "2999-01-01", "--json"]), 0));
    assert_eq!(since, serde_json::json!([]));
    let year = chrono::Local::now().format("%Y").to_string();
    let report = json(&expect_code(olke(&archive).args(["report", "--year", &year, "--json"]), 0));
    assert_eq!(report["corrected_lines"], 1);

    // Revert: the original words with their boxes, searches as before.
    let reverted = json(&expect_code(
        olke(&archive).args(["correct", ID, "--page", "1", "--line", &line.to_string(), "--revert", "--json"]),
        0,
    ));
    assert_eq!(reverted["action"], "revert");
    assert_eq!(reverted["new"], old_line.as_str());
    let restored = page_json(&archive);
    assert_eq!(restored["lines"], before["lines"], "words and boxes as OCR gave them");
    assert_eq!(restored["corrections"].as_array().unwrap().len(), 2, "both kept in the history");
    assert_eq!(found_on(&archive, &old_word), [1]);
    assert!(found_on(&archive, NEW_WORD).is_empty());
    assert!(pdftotext_raw(&pdf).contains(&old_line));
    qpdf_check(&pdf);
    verify_clean(&archive);
    let listed = json(&expect_code(olke(&archive).args(["corrections", "--json"]), 0));
    assert_eq!(listed.as_array().unwrap().len(), 2);
    assert_eq!(listed[1]["action"], "revert");
}

#[test]
fn a_line_or_page_that_is_not_there_is_a_usage_error_that_says_what_is() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive(tmp.path());
    let count = lines(&archive).len();
    let output = expect_code(olke(&archive).args(["correct", ID, "--page", "1", "--line", "999", "--text", "сөз"]), 2);
    let said = stderr(&output);
    assert!(said.contains(&format!("page 1 of {ID} has {count} lines; there is no line 999")), "{said}");
    let output = expect_code(olke(&archive).args(["correct", ID, "--page", "7", "--line", "1", "--text", "сөз"]), 2);
    assert!(stderr(&output).contains("has 1 pages; there is no page 7"), "{}", stderr(&output));
    let output = expect_code(olke(&archive).args(["correct", ID, "--page", "1", "--line", "1", "--revert"]), 2);
    assert!(stderr(&output).contains("is not corrected; there is nothing to revert"), "{}", stderr(&output));
    let output = expect_code(olke(&archive).args(["correct", ID, "--page", "1", "--line", "1", "--text", "  "]), 2);
    assert!(stderr(&output).contains("the new text is empty"), "{}", stderr(&output));
    assert_eq!(page_json(&archive)["corrections"], serde_json::Value::Null, "nothing written");
    verify_clean(&archive);
}
