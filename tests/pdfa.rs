//! PDF/A-2b: every PDF olke writes (archived, rewritten after a catalogue edit, delivered)
//! passes a check list of ISO 19005-2's rules (tests/tools/pdfa_check.py, with pikepdf,
//! fontTools and LittleCMS), as OCRmyPDF 17's PDF/A-2b output of the same page does, with
//! the same structure; the list fails on copies broken one way each; pages kept from an
//! earlier PDF are made conforming where that changes nothing shown, or recorded as not;
//! an archive of the release before PDF/A is brought to it by `olke catalog pdfa`.
//!
//! The Python tools come from the virtual environment `scripts/install-deps.sh --test`
//! makes (OCRmyPDF 17 and its pikepdf); `OLKE_PDFA_PYTHON` names another interpreter.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use olke::testkit::fixtures::texts;
use serde_json::Value;

const VENV: &str = "/opt/olke-venv";

fn python() -> PathBuf {
    std::env::var_os("OLKE_PDFA_PYTHON").map_or_else(|| Path::new(VENV).join("bin/python"), PathBuf::from)
}

fn check_list() -> Command {
    let mut command = Command::new(python());
    command.arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/tools/pdfa_check.py"));
    command
}

/// The rules `pdf` fails (empty when it passes).
fn failed_rules(pdf: &Path) -> Vec<String> {
    let output = run(check_list().arg("check").arg(pdf));
    let report = json(&output);
    let failed: Vec<String> =
        report[pdf.to_str().unwrap()].as_array().unwrap().iter().map(|r| r.as_str().unwrap().to_string()).collect();
    assert_eq!(output.status.success(), failed.is_empty(), "{}", stderr(&output));
    failed
}

fn assert_pdfa(pdf: &Path) {
    let failed = failed_rules(pdf);
    assert!(failed.is_empty(), "{} is not PDF/A-2b:\n{}", pdf.display(), failed.join("\n"));
}

fn structure(pdf: &Path) -> Value {
    json(&expect_code(check_list().arg("structure").arg(pdf), 0))
}

fn mutated(kind: &str, pdf: &Path, dir: &Path) -> PathBuf {
    let out = dir.join(format!("{kind}.pdf"));
    expect_code(check_list().args(["mutate", kind]).arg(pdf).arg(&out), 0);
    out
}

/// An archive of one recognized page; returns it with the page's scan.
fn archived_page(dir: &Path) -> (PathBuf, PathBuf) {
    let batch = dir.join("batch");
    scan(&batch, "qamshy.png", &texts::KAZAKH[..2], Saved::Png);
    let archive = dir.join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    (archive, batch.join("qamshy.png"))
}

#[test]
fn archived_edited_and_delivered_pdfs_pass_the_check_list() {
    let tmp = tempfile::tempdir().unwrap();
    let (archive, _) = archived_page(tmp.path());
    let pdf = pdf_of(&archive, "qamshy");
    assert_pdfa(&pdf);
    assert_eq!(record_json(&archive, "qamshy")["pdf_a"], serde_json::json!({ "conforms": "PDF/A-2b" }));
    assert!(stdout(&expect_code(olke(&archive).args(["show", "qamshy"]), 0)).contains("PDF/A-2b"));

    // A catalogue edit rewrites the metadata: Info and XMP stay in step, the claim stays.
    expect_code(olke(&archive).args(["catalog", "set", "qamshy", "title", "Қамшы: өлеңдер"]), 0);
    expect_code(olke(&archive).args(["catalog", "set", "qamshy", "authors", "Кәрім, Н.; Сейітов, Б."]), 0);
    assert_pdfa(&pdf);

    // A delivered copy: a cover page in an embedded font, then the archived page.
    fs::write(archive.join("olke.toml"), "[library]\nname_kk = \"Балқаш қалалық кітапханасы\"\n").unwrap();
    expect_code(olke(&archive).args(["catalog", "set", "qamshy", "rights", "public_domain"]), 0);
    let copy = tmp.path().join("copy.pdf");
    expect_code(
        olke(&archive)
            .args(["deliver", "qamshy", "--pages", "1", "--requester", "Асқар <a@example.kz>", "--out"])
            .arg(&copy),
        0,
    );
    assert_pdfa(&copy);
}

#[test]
fn ocrmypdf_17_output_of_the_same_page_passes_the_same_list_with_the_same_structure() {
    let tmp = tempfile::tempdir().unwrap();
    let (archive, scan) = archived_page(tmp.path());
    let ocrmypdf = Path::new(VENV).join("bin/ocrmypdf");
    assert!(ocrmypdf.exists(), "{} is missing: run scripts/install-deps.sh --test", ocrmypdf.display());
    let theirs = tmp.path().join("ocrmypdf.pdf");
    expect_code(
        Command::new(&ocrmypdf)
            .args(["--output-type", "pdfa-2", "-l", "kaz+rus", "--image-dpi", "300"])
            .arg(&scan)
            .arg(&theirs),
        0,
    );
    // The list agrees with a producer known to write PDF/A-2b...
    assert_pdfa(&theirs);
    // ...and olke's file is built the same way: an sRGB output intent, part 2 level B in the
    // XMP, uncompressed metadata, a file identifier, embedded fonts, no encryption.
    assert_eq!(structure(&pdf_of(&archive, "qamshy")), structure(&theirs));
}

#[test]
fn the_check_list_fails_on_copies_broken_one_way_each() {
    let tmp = tempfile::tempdir().unwrap();
    let (archive, _) = archived_page(tmp.path());
    let pdf = pdf_of(&archive, "qamshy");
    for (kind, clause) in [
        ("no-output-intent", "6.2.3"),
        ("info-title-differs", "6.6.3"),
        ("interpolate", "6.2.8"),
        ("page-javascript", "6.5.1"),
        ("unembedded-font", "6.2.11.4.1"),
    ] {
        let failed = failed_rules(&mutated(kind, &pdf, tmp.path()));
        assert!(failed.iter().any(|rule| rule.starts_with(clause)), "{kind}: expected {clause}, got {failed:?}");
    }
}

#[test]
fn pages_kept_from_an_earlier_pdf_are_made_conforming_or_recorded_as_not() {
    let tmp = tempfile::tempdir().unwrap();
    let (archive, _) = archived_page(tmp.path());
    let pdf = pdf_of(&archive, "qamshy");

    // An earlier digitization's PDF whose page asks for interpolation and runs JavaScript
    // when opened: both go (neither is content), and the file is PDF/A.
    let scripted = mutated("page-javascript", &pdf, tmp.path());
    let fixable = tmp.path().join("fixable");
    fs::create_dir_all(&fixable).unwrap();
    let old = mutated("interpolate", &scripted, &fixable);
    fs::rename(old, fixable.join("old-scan.pdf")).unwrap();
    let fixed = tmp.path().join("fixed");
    expect_code(olke(&fixed).arg("ingest").arg(&fixable), 0);
    assert_eq!(shown(&fixed, "old-scan")["pages"][0]["text_layer"], "kept");
    assert_pdfa(&pdf_of(&fixed, "old-scan"));
    assert_eq!(normalize(&pdftotext_raw(&pdf_of(&fixed, "old-scan"))), normalize(&pdftotext_raw(&pdf)));

    // One whose font is not embedded: kept as it is, without the claim, and the record says why.
    let unfixable = tmp.path().join("unfixable");
    fs::create_dir_all(&unfixable).unwrap();
    fs::rename(mutated("unembedded-font", &pdf, tmp.path()), unfixable.join("old-scan.pdf")).unwrap();
    let kept = tmp.path().join("kept");
    expect_code(olke(&kept).arg("ingest").arg(&unfixable), 0);
    let reasons = record_json(&kept, "old-scan")["pdf_a"]["not_conforming"].clone();
    assert_eq!(reasons, serde_json::json!(["page 1: the font GlyphLessFont is not embedded"]));
    let failed = failed_rules(&pdf_of(&kept, "old-scan"));
    assert!(failed.iter().any(|r| r.starts_with("6.6.4")), "no PDF/A claim is made: {failed:?}");
    qpdf_check(&pdf_of(&kept, "old-scan"));
    assert!(stdout(&expect_code(olke(&kept).args(["show", "old-scan"]), 0)).contains("not PDF/A: page 1"));
}

#[test]
fn pdfs_archived_before_pdfa_are_brought_to_it_with_their_pages_as_they_were() {
    let tmp = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archive-90d1820");
    let archive = archive_copy(&fixture.join("archive"), tmp.path());
    let ids = ["kitap-balqash-tarihy", "zhurnal-ulagat-12"];
    for id in ids {
        assert!(record_json(&archive, id)["pdf_a"].is_null(), "{id}: the earlier version made no claim");
        assert!(!failed_rules(&pdf_of(&archive, id)).is_empty(), "{id}: the earlier version's PDF is not PDF/A");
    }
    let before: Vec<String> = ids.iter().map(|id| pdftotext_raw(&pdf_of(&archive, id))).collect();

    let converted = json(&expect_code(olke(&archive).args(["catalog", "pdfa", "--json"]), 0));
    assert_eq!(converted.as_array().unwrap().len(), ids.len(), "{converted:#}");
    for (id, text) in ids.iter().zip(&before) {
        let pdf = pdf_of(&archive, id);
        assert_pdfa(&pdf);
        assert_eq!(record_json(&archive, id)["pdf_a"], serde_json::json!({ "conforms": "PDF/A-2b" }));
        assert_eq!(&pdftotext_raw(&pdf), text, "{id}: the text layer is as it was");
        qpdf_check(&pdf);
    }
    // The records name the new PDFs' checksums: the archive verifies clean.
    let verified = json(&expect_code(olke(&archive).args(["verify", "--no-sources", "--json"]), 0));
    assert_eq!(verified["problems"], serde_json::json!([]), "{verified:#}");
    // Converting again changes nothing.
    let pdf = fs::read(pdf_of(&archive, ids[0])).unwrap();
    expect_code(olke(&archive).args(["catalog", "pdfa"]), 0);
    assert_eq!(fs::read(pdf_of(&archive, ids[0])).unwrap(), pdf);
}
