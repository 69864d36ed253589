//! Shared helpers for the integration tests: run the real `olke` binary, make fixture
//! batches with known text, and read PDFs back with poppler and qpdf.
#![allow(dead_code)] // each test binary uses its own subset

pub mod browser;
pub mod server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use olke::testkit::fixtures::{self, PageSpec, RenderedPage};

pub fn olke(archive: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_olke"));
    command.arg("--archive").arg(archive).env_remove("OLKE_ARCHIVE").env_remove("RUST_LOG");
    command
}

/// Runs a command and returns its output, failing with stderr shown if it could not start.
pub fn run(command: &mut Command) -> Output {
    command.output().unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"))
}

pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Runs and expects the given exit code, showing both streams otherwise.
pub fn expect_code(command: &mut Command, code: i32) -> Output {
    let output = run(command);
    assert_eq!(
        output.status.code(),
        Some(code),
        "{command:?}\n--- stdout\n{}\n--- stderr\n{}",
        stdout(&output),
        stderr(&output)
    );
    output
}

pub fn json(output: &Output) -> serde_json::Value {
    serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(output)))
}

/// An XML schema kept in the tests' fixtures (ALTO 4.4, METS 1.12.1, XLink, MARC21slim;
/// their imports point at each other, so validation needs no network).
pub fn schema(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/schemas").join(name)
}

/// The archived PDF of document `id`.
pub fn pdf_of(archive: &Path, id: &str) -> PathBuf {
    archive.join("documents").join(id).join(format!("{id}.pdf"))
}

/// Document `id`'s record as `olke show --json` prints it.
pub fn shown(archive: &Path, id: &str) -> serde_json::Value {
    json(&expect_code(olke(archive).args(["show", id, "--json"]), 0))
}

/// Document `id`'s `record.json`, read from the archive.
pub fn record_json(archive: &Path, id: &str) -> serde_json::Value {
    let path = archive.join("documents").join(id).join("record.json");
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Document `id`'s GOST citation, as `olke show` makes it.
pub fn citation(archive: &Path, id: &str) -> String {
    shown(archive, id)["citation"].as_str().unwrap().to_string()
}

pub fn font() -> ab_glyph::FontVec {
    fixtures::load_font().expect("fixture font")
}

/// A compact page of the given paragraphs at `dpi`.
pub fn page(paragraphs: &[&str], dpi: f32) -> RenderedPage {
    fixtures::render_page(&font(), &PageSpec::small(dpi), paragraphs)
}

/// Text with whitespace folded, as the corpus scorer compares it.
pub fn normalize(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Character error rate of `got` against `truth`, whitespace folded.
pub fn cer(got: &str, truth: &str) -> f64 {
    let (got, truth) = (normalize(got), normalize(truth));
    strsim::levenshtein(&got, &truth) as f64 / truth.chars().count().max(1) as f64
}

pub fn pdftotext_raw(pdf: &Path) -> String {
    let output = run(Command::new("pdftotext").args(["-raw", "-enc", "UTF-8"]).arg(pdf).arg("-"));
    assert!(output.status.success(), "pdftotext failed on {}: {}", pdf.display(), stderr(&output));
    stdout(&output)
}

/// A word as `pdftotext -bbox` reports it, in points from the page's top left.
#[derive(Debug, Clone)]
pub struct BoxedWord {
    pub text: String,
    pub x_min: f64,
    pub y_min: f64,
    pub x_max: f64,
    pub y_max: f64,
}

/// Words per page from `pdftotext -bbox`.
pub fn pdftotext_bbox(pdf: &Path) -> Vec<Vec<BoxedWord>> {
    use quick_xml::events::Event;
    let output = run(Command::new("pdftotext").args(["-bbox", "-enc", "UTF-8"]).arg(pdf).arg("-"));
    assert!(output.status.success(), "pdftotext -bbox failed: {}", stderr(&output));
    let xml = stdout(&output);
    let mut reader = quick_xml::Reader::from_str(&xml);
    let mut pages: Vec<Vec<BoxedWord>> = Vec::new();
    let mut current: Option<BoxedWord> = None;
    loop {
        match reader.read_event().expect("pdftotext -bbox writes XHTML") {
            Event::Start(e) if e.name().as_ref() == b"page" => pages.push(Vec::new()),
            Event::Start(e) if e.name().as_ref() == b"word" => {
                let attr = |name: &str| -> f64 {
                    e.try_get_attribute(name).unwrap().unwrap().unescape_value().unwrap().parse().unwrap()
                };
                current = Some(BoxedWord {
                    text: String::new(),
                    x_min: attr("xMin"),
                    y_min: attr("yMin"),
                    x_max: attr("xMax"),
                    y_max: attr("yMax"),
                });
            }
            Event::Text(t) => {
                if let Some(w) = current.as_mut() {
                    w.text.push_str(&t.unescape().unwrap());
                }
            }
            Event::End(e) if e.name().as_ref() == b"word" => {
                if let Some(w) = current.take() {
                    pages.last_mut().expect("a word inside a page").push(w);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    pages
}

/// Runs `qpdf --check` and fails the test on any complaint.
pub fn qpdf_check(pdf: &Path) {
    let output = run(Command::new("qpdf").arg("--check").arg(pdf));
    assert!(
        output.status.success() && !stdout(&output).to_lowercase().contains("warning"),
        "qpdf --check {}:\n{}{}",
        pdf.display(),
        stdout(&output),
        stderr(&output)
    );
}

/// Page count from `pdfinfo`.
pub fn pdf_pages(pdf: &Path) -> usize {
    let output = run(Command::new("pdfinfo").arg(pdf));
    stdout(&output)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:").map(|v| v.trim().parse().unwrap()))
        .unwrap_or_else(|| panic!("pdfinfo gave no page count for {}", pdf.display()))
}

/// SHA-256 of every file under `dir`, to prove a batch folder was left untouched.
pub fn snapshot(dir: &Path) -> Vec<(PathBuf, String)> {
    use sha2::{Digest, Sha256};
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let bytes = std::fs::read(e.path()).unwrap();
            (e.path().to_path_buf(), hex::encode(Sha256::digest(&bytes)))
        })
        .collect();
    files.sort();
    files
}

/// How a fixture scan is saved.
#[derive(Clone, Copy, Debug)]
pub enum Saved {
    Png,
    /// A scanner's JPEG at this quality (archived as it is).
    Jpeg(u8),
}

/// Renders `paragraphs` into a 300-dpi scan `name` in `dir`; returns the page's text.
pub fn scan(dir: &Path, name: &str, paragraphs: &[&str], saved: Saved) -> String {
    std::fs::create_dir_all(dir).unwrap();
    let rendered = page(paragraphs, 300.0);
    match saved {
        Saved::Png => fixtures::write_png(&dir.join(name), &rendered.image, 300.0).unwrap(),
        Saved::Jpeg(quality) => fixtures::write_jpeg(&dir.join(name), &rendered.image, 300.0, quality).unwrap(),
    }
    rendered.text()
}

/// An archive a test binary builds once and its tests share: `build` is given a batch
/// folder to fill and the archive to ingest it into. Built afresh on each run, in a
/// folder `name` under the target's temporary folder.
pub fn shared_archive(
    cell: &'static std::sync::OnceLock<PathBuf>,
    name: &str,
    build: impl FnOnce(&Path, &Path),
) -> &'static Path {
    cell.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let archive = dir.join("archive");
        build(&dir.join("batch"), &archive);
        archive
    })
}

/// A copy of a shared archive in `tmp` for one test to change (tests run in parallel, and
/// a writing command takes the archive's lock).
pub fn archive_copy(from: &Path, tmp: &Path) -> PathBuf {
    let to = tmp.join("archive");
    for entry in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let relative = entry.path().strip_prefix(from).unwrap();
        let target = to.join(relative);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else if relative != Path::new(".lock") {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
    to
}

/// `pdftotext` of pages `first..=last` (PDF numbers), pages separated by form feeds.
pub fn pdftotext_pages(pdf: &Path, first: u32, last: u32) -> String {
    let output = run(Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8", "-f", &first.to_string(), "-l", &last.to_string()])
        .arg(pdf)
        .arg("-"));
    assert!(output.status.success(), "pdftotext failed on {}: {}", pdf.display(), stderr(&output));
    stdout(&output)
}

/// A batch folder of `count` one-page PNG documents (`doc-01`, `doc-02`, …), each with a
/// paragraph of its own. Returns the ids.
pub fn small_batch(dir: &Path, count: usize) -> Vec<String> {
    use olke::testkit::fixtures::texts;
    std::fs::create_dir_all(dir).unwrap();
    let paragraphs: Vec<&str> = texts::KAZAKH.iter().chain(texts::RUSSIAN).copied().collect();
    (1..=count)
        .map(|n| {
            let id = format!("doc-{n:02}");
            // Numbered, so no two documents are the same scan.
            let text = format!("Құжат {n}. {}", paragraphs[n % paragraphs.len()]);
            let image = page(&[&text], 300.0).image;
            olke::testkit::fixtures::write_png(&dir.join(format!("{id}.png")), &image, 300.0).unwrap();
            id
        })
        .collect()
}

/// Ids listed by `olke list --json`, in its order.
pub fn listed_ids(archive: &Path) -> Vec<String> {
    let listed = json(&expect_code(olke(archive).args(["list", "--json"]), 0));
    listed.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap().to_string()).collect()
}

/// `olke verify --json` with its exit code.
pub fn verify(archive: &Path, args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let output = run(olke(archive).arg("verify").arg("--json").args(args));
    (output.status.code(), json(&output))
}

/// The kinds of problem a verify report lists, with their document.
pub fn problem_kinds(report: &serde_json::Value) -> Vec<(String, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["kind"].as_str().unwrap().to_string(), p["document"].as_str().unwrap_or_default().to_string()))
        .collect()
}

/// Fails unless every file is valid HTML5 to an independent parser (Python's html5lib,
/// installed by `scripts/install-deps.sh --test`).
pub fn validate_html_files(pages: &[PathBuf]) {
    const SCRIPT: &str = r#"
import sys, html5lib
parser = html5lib.HTMLParser(strict=True)
for path in sys.argv[1:]:
    with open(path, "rb") as handle:
        try:
            parser.parse(handle)
        except Exception as error:
            raise SystemExit(f"{path}: {error!r} at {parser.errors[-1] if parser.errors else '?'}")
"#;
    let output = run(Command::new("python3").arg("-c").arg(SCRIPT).args(pages));
    assert!(output.status.success(), "invalid HTML:\n{}", stderr(&output));
}

/// MARC::Lint's warnings on every record of an ISO 2709 file, one per line (standard
/// output), and how many records it read (standard error).
pub const MARC_LINT: &str = r#"
use strict; use warnings;
use MARC::Batch; use MARC::Lint;
binmode STDOUT, ':utf8';
my $batch = MARC::Batch->new('USMARC', $ARGV[0]);
my $lint = MARC::Lint->new;
my $count = 0;
while (my $record = $batch->next) {
    $count++;
    $lint->check_record($record);
    print $record->field('001')->data, ": $_\n" for $lint->warnings;
}
print STDERR "$count records\n";
"#;

/// Runs Python's pymarc over a MARC 21 or UNIMARC ISO 2709 file; per record id, its
/// leader and fields as in tests/records.rs.
pub const PYMARC: &str = r#"
import json, sys, pymarc
out = {}
with open(sys.argv[1], "rb") as handle:
    for record in pymarc.MARCReader(handle, to_unicode=True, force_utf8=True):
        if record is None:
            raise SystemExit("pymarc could not read a record")
        fields = {}
        for field in record.get_fields():
            value = field.data if field.is_control_field() else {"ind": field.indicator1 + field.indicator2,
                                                                  "sub": [[s.code, s.value] for s in field.subfields]}
            fields.setdefault(field.tag, []).append(value)
        out[record["001"].data] = {"leader": str(record.leader), "fields": fields}
print(json.dumps(out, ensure_ascii=False))
"#;

/// `tag`'s fields of a record read by [`PYMARC`] as `ind|$aone$btwo`.
pub fn fields(record: &serde_json::Value, tag: &str) -> Vec<String> {
    let Some(fields) = record["fields"][tag].as_array() else { return Vec::new() };
    fields
        .iter()
        .map(|f| match f.as_str() {
            Some(data) => data.to_string(),
            None => {
                let subfields: String = f["sub"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| format!("${}{}", s[0].as_str().unwrap(), s[1].as_str().unwrap()))
                    .collect();
                format!("{}|{subfields}", f["ind"].as_str().unwrap())
            }
        })
        .collect()
}
