//! Ingesting PDFs of an earlier digitization: pages with a text layer (made here by
//! Tesseract itself, an independent tool) are kept as they are and not recognized again;
//! image-only pages are recognized; bad PDFs are reported while the rest is archived.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use olke::page::{OriginalFormat, PageImage, RecognizedPage};
use olke::pdf::{Metadata, PdfPage, PdfWriter};
use olke::testkit::fixtures::{texts, write_jpeg, write_png};

const FOLDER: &str = "Өлкетану";

/// A searchable PDF made by `tesseract … pdf` from a rendered page; returns its text.
fn tesseract_pdf(dir: &Path, name: &str, paragraphs: &[&str]) -> PathBuf {
    let rendered = page(paragraphs, 300.0);
    let png = dir.join(format!("{name}.png"));
    write_png(&png, &rendered.image, 300.0).unwrap();
    let out = dir.join(name);
    expect_code(Command::new("tesseract").arg(&png).arg(&out).args(["-l", "kaz+rus", "pdf"]), 0);
    fs::remove_file(&png).unwrap();
    out.with_extension("pdf")
}

/// An image-only PDF (the page image, no text layer) carrying a title and an author.
fn image_only_pdf(path: &Path, paragraphs: &[&str]) -> String {
    let rendered = page(paragraphs, 300.0);
    write_image_only_pdf(path, &PageImage::Gray(rendered.image.clone()));
    rendered.text()
}

fn write_image_only_pdf(path: &Path, image: &PageImage) {
    let blank = RecognizedPage {
        width: image.width(),
        height: image.height(),
        dpi: 300.0,
        lines: Vec::new(),
        mean_conf: 0.0,
        models: String::new(),
        corrections: Vec::new(),
    };
    let mut writer = PdfWriter::new(fs::File::create(path).unwrap()).unwrap();
    writer.add_page(PdfPage::new(image, &blank, 90)).unwrap();
    let metadata = Metadata {
        id: "scan".into(),
        title: "Балқаш өңірі".into(),
        authors: vec!["Кәрім, Н.".into()],
        ..Default::default()
    };
    writer.finish(&metadata).unwrap();
}

fn pdftotext(pdf: &Path, args: &[&str]) -> String {
    let output = expect_code(Command::new("pdftotext").args(args).args(["-enc", "UTF-8"]).arg(pdf).arg("-"), 0);
    stdout(&output)
}

struct Imported {
    archive: PathBuf,
    report: serde_json::Value,
    source_text_pdf: PathBuf,
    scan_truth: String,
}

static IMPORTED: OnceLock<PathBuf> = OnceLock::new();
static SCAN_TRUTH: OnceLock<String> = OnceLock::new();

/// One batch of every kind, ingested once: a text-layer PDF in a thematic folder, an
/// image-only PDF, the two combined, and an encrypted, a truncated and a fake PDF.
fn imported() -> Imported {
    let archive = shared_archive(&IMPORTED, "pdf-import", |batch, archive| {
        let thematic = batch.join(FOLDER);
        fs::create_dir_all(&thematic).unwrap();
        let text_pdf = tesseract_pdf(&thematic, "tesseract-text", &texts::KAZAKH[..2]);
        let truth = image_only_pdf(&batch.join("scan-only.pdf"), &[texts::KAZAKH[3], texts::RUSSIAN[0]]);
        SCAN_TRUTH.set(truth).unwrap();
        expect_code(
            Command::new("qpdf")
                .arg("--empty")
                .arg("--pages")
                .arg(&text_pdf)
                .arg(batch.join("scan-only.pdf"))
                .arg("--")
                .arg(batch.join("mixed.pdf")),
            0,
        );
        expect_code(
            Command::new("qpdf")
                .args(["--encrypt", "u", "o", "256", "--"])
                .arg(&text_pdf)
                .arg(batch.join("locked.pdf")),
            0,
        );
        let bytes = fs::read(&text_pdf).unwrap();
        fs::write(batch.join("truncated.pdf"), &bytes[..bytes.len() / 3]).unwrap();
        fs::write(batch.join("fake.pdf"), "Бұл PDF емес, жай мәтін.\n").unwrap();
        let output = expect_code(olke(archive).args(["ingest", "--json", "--collection-from-folder"]).arg(batch), 3);
        fs::write(archive.join("..").join("report.json"), &output.stdout).unwrap();
    });
    let dir = archive.parent().unwrap();
    let report = serde_json::from_slice(&fs::read(dir.join("report.json")).unwrap()).unwrap();
    let source_text_pdf = dir.join("batch").join(FOLDER).join("tesseract-text.pdf");
    Imported {
        archive: archive.to_path_buf(),
        report,
        source_text_pdf,
        scan_truth: SCAN_TRUTH.get().cloned().unwrap_or_default(),
    }
}

fn text_layers(record: &serde_json::Value) -> Vec<String> {
    record["pages"].as_array().unwrap().iter().map(|p| p["text_layer"].as_str().unwrap_or("ocr").to_string()).collect()
}

#[test]
fn a_text_layer_is_kept_exactly_and_not_recognized_again() {
    let imported = imported();
    let archived = pdf_of(&imported.archive, "tesseract-text");
    qpdf_check(&archived);
    for args in [&["-raw"][..], &[], &["-bbox"]] {
        // `-bbox` output starts with the Info dictionary, which is olke's description now.
        let body = |pdf: &Path| {
            let text = pdftotext(pdf, args);
            text.split_once("<doc>").map_or_else(|| text.clone(), |(_, doc)| doc.to_string())
        };
        assert_eq!(body(&archived), body(&imported.source_text_pdf), "pdftotext {args:?} differs");
    }
    let record = shown(&imported.archive, "tesseract-text");
    assert_eq!(text_layers(&record), ["kept"]);
    let shown = stdout(&expect_code(olke(&imported.archive).args(["show", "tesseract-text"]), 0));
    assert!(shown.contains("kept:") && !shown.contains("confidence"), "a kept page has no OCR confidence:\n{shown}");
    assert_eq!(record["collections"], serde_json::json!([FOLDER]));
    // Two pages kept (this one and the mixed PDF's first), two recognized.
    assert_eq!(imported.report["kept_pages"], 2);
    assert_eq!(imported.report["pages"], 2);
    // The catalogue has the text, every Kazakh letter as it was.
    let text = stdout(&expect_code(olke(&imported.archive).args(["text", "tesseract-text"]), 0));
    assert_eq!(normalize(&text), normalize(&pdftotext(&imported.source_text_pdf, &[])));
    assert!(text.contains("Балқаш") && text.contains("Өлкетану"), "{text}");
    let hits = json(&expect_code(olke(&imported.archive).args(["search", "жағалауында", "--json"]), 0));
    let mut ids: Vec<&str> = hits["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap()).collect();
    ids.sort();
    assert_eq!(ids, ["mixed", "tesseract-text"]);
}

#[test]
fn an_image_only_pdf_is_recognized_and_described_by_its_metadata() {
    let imported = imported();
    let archived = pdf_of(&imported.archive, "scan-only");
    qpdf_check(&archived);
    let text = pdftotext(&archived, &["-raw"]);
    let rate = cer(&text, &imported.scan_truth);
    assert!(rate < 0.03, "CER {:.2}%\n--- got\n{text}\n--- expected\n{}", rate * 100.0, imported.scan_truth);
    assert!(text.contains('ө') && text.contains('ғ'), "{text}");
    let record = shown(&imported.archive, "scan-only");
    assert_eq!(text_layers(&record), ["ocr"]);
    assert_eq!(record["title"], "Балқаш өңірі");
    assert_eq!(record["authors"], serde_json::json!(["Кәрім, Н."]));
    // Not in a subfolder: its collection is the batch folder's name.
    assert_eq!(record["collections"], serde_json::json!(["batch"]));
}

#[test]
fn a_scanners_jpeg_inside_a_pdf_is_archived_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let jpeg = tmp.path().join("scan.jpg");
    write_jpeg(&jpeg, &page(&texts::KAZAKH[..1], 300.0).image, 300.0, 85).unwrap();
    let scan = olke::load::decode_page(&jpeg, olke::load::Format::Jpeg, 0, &Default::default()).unwrap();
    assert!(matches!(&scan.image, PageImage::Original(o) if o.format == OriginalFormat::Jpeg));
    write_image_only_pdf(&batch.join("photo.pdf"), &scan.image);
    let archive = tmp.path().join("archive");
    // Without preparation the page's image is what the PDF held: nothing re-rendered.
    expect_code(olke(&archive).args(["ingest", "--no-prepare"]).arg(&batch), 0);
    let images = tmp.path().join("images");
    fs::create_dir_all(&images).unwrap();
    expect_code(Command::new("pdfimages").arg("-j").arg(pdf_of(&archive, "photo")).arg(images.join("page")), 0);
    assert_eq!(fs::read(images.join("page-000.jpg")).unwrap(), fs::read(&jpeg).unwrap());
    assert_eq!(shown(&archive, "photo")["pages"][0]["dpi"], 300.0);
}

#[test]
fn a_mixed_pdf_keeps_one_page_and_recognizes_the_other() {
    let imported = imported();
    let archived = pdf_of(&imported.archive, "mixed");
    qpdf_check(&archived);
    assert_eq!(pdf_pages(&archived), 2);
    assert_eq!(text_layers(&shown(&imported.archive, "mixed")), ["kept", "ocr"]);
    assert_eq!(pdftotext_pages(&archived, 1, 1), pdftotext_pages(&imported.source_text_pdf, 1, 1));
    let second = pdftotext_pages(&archived, 2, 2);
    assert!(cer(&second, &imported.scan_truth) < 0.03, "{second}");
}

#[test]
fn bad_pdfs_are_named_with_their_reason_and_the_rest_is_archived() {
    let imported = imported();
    let failures = imported.report["failures"].as_array().unwrap();
    let reason = |name: &str| -> String {
        let failure = failures
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(name))
            .unwrap_or_else(|| panic!("{name} not reported: {failures:?}"));
        failure["reason"].as_str().unwrap().to_string()
    };
    assert!(reason("locked.pdf").contains("needs a password to be opened"), "{}", reason("locked.pdf"));
    assert!(reason("truncated.pdf").contains("damaged PDF"), "{}", reason("truncated.pdf"));
    assert!(reason("fake.pdf").contains("named .pdf but not a PDF: the file is text"), "{}", reason("fake.pdf"));
    assert_eq!(failures.len(), 3, "{failures:?}");
    let mut ids = listed_ids(&imported.archive);
    ids.sort();
    assert_eq!(ids, ["mixed", "scan-only", "tesseract-text"]);
}

#[test]
fn redo_and_force_ocr_recognize_a_page_that_has_a_text_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    tesseract_pdf(&batch, "text", &texts::KAZAKH[..1]);
    for flag in ["--redo-ocr", "--force-ocr"] {
        let archive = tmp.path().join(flag);
        let report = json(&expect_code(olke(&archive).args(["ingest", "--json", flag]).arg(&batch), 0));
        assert_eq!((report["kept_pages"].as_u64(), report["pages"].as_u64()), (Some(0), Some(1)), "{flag}");
        assert_eq!(text_layers(&shown(&archive, "text")), ["ocr"], "{flag}");
        let archived = pdf_of(&archive, "text");
        qpdf_check(&archived);
        // One text layer, the new one: the old one would double every word.
        let text = pdftotext(&archived, &["-raw"]);
        assert!(cer(&text, texts::KAZAKH[0]) < 0.03, "{flag}: {text}");
    }
}

#[test]
fn a_manifest_row_overrides_the_pdf_metadata_field_by_field() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    image_only_pdf(&batch.join("scan.pdf"), &texts::KAZAKH[..1]);
    fs::write(batch.join("batch.csv"), "files,id,title,authors,subjects\nscan.pdf,balqash,Балқаш қаласы,,тарих\n")
        .unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let record = shown(&archive, "balqash");
    assert_eq!(record["title"], "Балқаш қаласы");
    assert_eq!(record["authors"], serde_json::json!(["Кәрім, Н."]), "the PDF's author fills the empty cell");
    assert_eq!(record["subjects"], serde_json::json!(["тарих"]));
}
