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
    let claims = |bytes: &[u8]| bytes.windows(11).any(|w| w == b"pdfaid:part");
    assert_eq!(claims(&std::fs::read(&pdf).unwrap()), claims(&pdf_before), "the XMP keeps its PDF/A claim");
    assert!(claims(&pdf_before), "olke writes PDF/A");
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

/// One HTTP exchange with the server: the status, the cookies it sets, the body.
struct Answer {
    status: u16,
    cookies: Vec<(String, String)>,
    body: String,
}

impl Answer {
    /// The CSRF token the page's forms carry.
    fn csrf(&self) -> String {
        let at =
            self.body.find("name=\"csrf\" value=\"").unwrap_or_else(|| panic!("no CSRF field: {}", self.body)) + 19;
        self.body[at..at + 64].to_string()
    }
}

/// A browser: the server's address and the cookies it was given.
struct Browser {
    port: u16,
    jar: Vec<(String, String)>,
}

impl Browser {
    fn send(&mut self, method: &str, path: &str, form: &[(&str, &str)]) -> Answer {
        use std::io::{Read, Write};
        let body = form_urlencoded::Serializer::new(String::new()).extend_pairs(form).finish();
        let cookies: Vec<String> = self.jar.iter().map(|(n, v)| format!("{n}={v}")).collect();
        let mut stream = std::net::TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            stream,
            "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{}\r\nConnection: close\r\nCookie: {}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
            self.port,
            cookies.join("; "),
            body.len()
        )
        .unwrap();
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).unwrap();
        let answer = String::from_utf8_lossy(&answer).into_owned();
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let status = head[9..12].parse().unwrap();
        let mut cookies = Vec::new();
        for line in head.lines().filter(|l| l.to_ascii_lowercase().starts_with("set-cookie:")) {
            let pair = line[11..].trim().split(';').next().unwrap();
            let (name, value) = pair.split_once('=').unwrap();
            self.jar.retain(|(n, _)| n != name);
            if !value.is_empty() {
                self.jar.push((name.to_string(), value.to_string()));
            }
            cookies.push((name.to_string(), value.to_string()));
        }
        Answer { status, cookies, body: body.to_string() }
    }

    fn get(&mut self, path: &str) -> Answer {
        self.send("GET", path, &[])
    }

    fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Answer {
        self.send("POST", path, form)
    }
}

const STAFF_TOKEN: &str = "staff-token-for-correct-0123";
const VOLUNTEER_TOKEN: &str = "volunteer-token-0123456789";

fn queued(archive: &Path, number: u32) -> serde_json::Value {
    let path = archive.join("corrections").join(format!("{number:04}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn line_text(archive: &Path, line: usize) -> String {
    lines(archive)[line - 1]["text"].as_str().unwrap().to_string()
}

#[test]
fn on_the_web_staff_correct_volunteers_wait_for_approval_and_readers_report() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive(tmp.path());
    std::fs::write(
        archive.join("olke.toml"),
        "[web]\nsearches_per_minute = 0\nrequests_per_hour = 0\n\
         [corrections]\nvolunteers = true\n[corrections.accounts]\n\"Волонтёр\" = \"volunteer-token-0123456789\"\n",
    )
    .unwrap();
    let (server, _) = common::server::Server::start(&archive, Some(STAFF_TOKEN));
    let view = format!("/doc/{ID}/page/1/correct");
    let mut reader = Browser { port: server.port, jar: Vec::new() };
    assert_eq!(reader.get(&view).status, 403, "rights not stated: the page's image is not shown to readers");
    expect_code(olke(&archive).args(["catalog", "set", ID, "rights", "public_domain"]), 0);
    let page = reader.get(&view);
    assert_eq!(page.status, 200, "{}", page.body);
    assert!(page.body.contains(&format!("/doc/{ID}/page/1/report/1")), "a report form per line");
    let image = reader.get(&format!("/doc/{ID}/page/1/line/1"));
    assert_eq!(image.status, 200);
    let csrf = page.csrf();

    // A reader reports an error: a note for staff; nothing changes in the text.
    let reported =
        reader.post(&format!("/doc/{ID}/page/1/report/1"), &[("csrf", &csrf), ("note", "Маг Обап — Nur Otan")]);
    assert_eq!(reported.status, 200, "{}", reported.body);
    assert_eq!(queued(&archive, 1)["proposal"]["kind"], "report");
    assert_eq!(queued(&archive, 1)["proposal"]["note"], "Маг Обап — Nur Otan");
    assert_eq!(reader.post(&format!("/doc/{ID}/page/1/report/1"), &[("csrf", "x"), ("note", "n")]).status, 403);

    // A volunteer's correction waits for staff; a wrong token is refused.
    let (line, volunteer_text) = (2, format!("{NEW_WORD} волонтёр"));
    let before = line_text(&archive, line);
    let correct = format!("/doc/{ID}/page/1/correct/{line}");
    let wrong =
        reader.post(&correct, &[("csrf", &csrf), ("text", &volunteer_text), ("token", "not-a-volunteer-token")]);
    assert_eq!(wrong.status, 403);
    let sent = reader.post(&correct, &[("csrf", &csrf), ("text", &volunteer_text), ("token", VOLUNTEER_TOKEN)]);
    assert_eq!(sent.status, 200, "{}", sent.body);
    assert_eq!(queued(&archive, 2)["proposal"]["by"], "Волонтёр");
    assert_eq!(queued(&archive, 2)["decision"]["status"], "waiting");
    assert_eq!(line_text(&archive, line), before, "not applied before staff approve it");
    assert!(found_on(&archive, NEW_WORD).is_empty());

    // Staff log in, see both in the queue, approve the correction.
    let mut staff = Browser { port: server.port, jar: Vec::new() };
    let csrf = staff.get("/staff").csrf();
    let login = staff.post("/staff/login", &[("csrf", &csrf), ("token", STAFF_TOKEN)]);
    assert_eq!(login.status, 303, "{}", login.body);
    assert!(!login.cookies.is_empty());
    assert!(
        staff.get("/staff").body.contains("href=\"/staff/corrections\""),
        "the request queue links the review queue"
    );
    let queue = staff.get("/staff/corrections");
    assert_eq!(queue.status, 200);
    assert!(queue.body.contains("Маг Обап") && queue.body.contains(&volunteer_text), "{}", queue.body);
    assert_eq!(reader.get("/staff/corrections").status, 403, "the queue is for staff");
    let approved = staff.post("/staff/corrections/2/approve", &[("csrf", &csrf)]);
    assert_eq!(approved.status, 200, "{}", approved.body);
    assert_eq!(line_text(&archive, line), volunteer_text);
    assert_eq!(page_json(&archive)["corrections"][0]["by"], "Волонтёр");
    assert_eq!(queued(&archive, 2)["decision"]["status"], "approved");
    assert_eq!(found_on(&archive, NEW_WORD), [1]);
    assert_eq!(staff.post("/staff/corrections/2/approve", &[("csrf", &csrf)]).status, 409, "decided once");
    assert_eq!(staff.post("/staff/corrections/1/reject", &[("csrf", &csrf)]).status, 200);

    // Staff correct a line directly and revert it.
    let (line, staff_text) = (3, "Қызметкер түзетті".to_string());
    let original = line_text(&archive, line);
    let form = staff.get(&view);
    assert!(!form.body.contains("type=\"password\""), "staff need no volunteer token");
    let done = staff.post(&format!("/doc/{ID}/page/1/correct/{line}"), &[("csrf", &csrf), ("text", &staff_text)]);
    assert_eq!(done.status, 200, "{}", done.body);
    assert_eq!(line_text(&archive, line), staff_text);
    assert!(pdftotext_raw(&pdf_of(&archive, ID)).contains(&staff_text));
    assert!(done.body.contains(&format!("/doc/{ID}/page/1/revert/{line}")), "a revert button on the corrected line");
    assert_eq!(reader.post(&format!("/doc/{ID}/page/1/revert/{line}"), &[("csrf", &csrf)]).status, 403);
    let reverted = staff.post(&format!("/doc/{ID}/page/1/revert/{line}"), &[("csrf", &csrf)]);
    assert_eq!(reverted.status, 200, "{}", reverted.body);
    assert_eq!(line_text(&archive, line), original);
    drop(server);
    qpdf_check(&pdf_of(&archive, ID));
    verify_clean(&archive);
}
