//! Files from the wild (issue 22): encrypted PDFs of every kind qpdf makes, damaged streams,
//! soft masks, odd pixel shapes and resolutions, single pages that look like spreads, text
//! layers that do not map to Unicode, pictures at the page's edge, non-UTF-8 names, sideways
//! pages of a few words, exit codes and stderr noise, English text layers, `--out` onto
//! FIFOs and standard output, and XFA forms. Every case is built here, with qpdf, lopdf,
//! tesseract or olke's own PDF writer; nothing is downloaded.

mod common;

use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStringExt;
use std::os::unix::fs::FileTypeExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use ab_glyph::PxScale;
use common::*;
use image::{imageops, GrayImage, Luma};
use lopdf::{dictionary, Document, Object, Stream};
use olke::page::{PageImage, RecognizedPage};
use olke::pdf::{Metadata, PdfPage, PdfWriter};
use olke::testkit::fixtures::{self, texts, write_png, PageSpec};

/// A searchable PDF made by `tesseract … pdf` from a rendered page; returns it and its text.
fn tesseract_pdf(dir: &Path, name: &str, paragraphs: &[&str], languages: &str) -> (PathBuf, String) {
    fs::create_dir_all(dir).unwrap();
    let rendered = page(paragraphs, 300.0);
    let png = dir.join(format!("{name}.png"));
    write_png(&png, &rendered.image, 300.0).unwrap();
    let out = dir.join(name);
    expect_code(Command::new("tesseract").arg(&png).arg(&out).args(["-l", languages, "pdf"]), 0);
    fs::remove_file(&png).unwrap();
    (out.with_extension("pdf"), rendered.text())
}

/// An image-only PDF written by olke's own writer, the image placed at `dpi`.
fn writer_pdf(path: &Path, image: &GrayImage, dpi: f32) {
    let blank = RecognizedPage {
        width: image.width(),
        height: image.height(),
        dpi,
        lines: Vec::new(),
        mean_conf: 0.0,
        models: String::new(),
        corrections: Vec::new(),
    };
    let mut writer = PdfWriter::new(fs::File::create(path).unwrap()).unwrap();
    writer.add_page(PdfPage::new(&PageImage::Gray(image.clone()), &blank, 90)).unwrap();
    writer.finish(&Metadata { id: "scan".into(), title: "Wild".into(), ..Default::default() }).unwrap();
}

/// An 8-bit DeviceGray image XObject, Flate-compressed.
fn gray_image(image: &GrayImage) -> Stream {
    let mut encoder = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(image.as_raw()).unwrap();
    let data = encoder.finish().unwrap();
    Stream::new(
        dictionary! {
            "Type" => "XObject",
            "Subtype" => "Image",
            "Width" => image.width() as i64,
            "Height" => image.height() as i64,
            "ColorSpace" => "DeviceGray",
            "BitsPerComponent" => 8,
            "Filter" => "FlateDecode",
        },
        data,
    )
}

/// A one-page PDF of `width`×`height` pt built by hand: the XObjects and fonts given, drawn
/// by `content`.
fn hand_pdf(
    path: &Path,
    width: f64,
    height: f64,
    images: Vec<(&str, Stream)>,
    fonts: Vec<(&str, Object)>,
    content: &str,
) {
    let mut doc = Document::with_version("1.5");
    let mut xobjects = lopdf::Dictionary::new();
    for (name, stream) in images {
        let id = doc.add_object(stream);
        xobjects.set(name, id);
    }
    let mut font_dict = lopdf::Dictionary::new();
    for (name, font) in fonts {
        let id = doc.add_object(font);
        font_dict.set(name, id);
    }
    let resources = dictionary! { "XObject" => xobjects, "Font" => font_dict };
    save_one_page(doc, path, width, height, resources, content);
}

/// Saves `doc` (holding what `resources` refers to) as a one-page PDF of `width`×`height` pt
/// drawn by `content`.
fn save_one_page(mut doc: Document, path: &Path, width: f64, height: f64, resources: lopdf::Dictionary, content: &str) {
    let pages_id = doc.new_object_id();
    let content_id = doc.add_object(Stream::new(dictionary! {}, content.as_bytes().to_vec()));
    let page_id = doc.add_object(dictionary! {
        "Type" => "Page",
        "Parent" => pages_id,
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(width as f32), Object::Real(height as f32)],
        "Resources" => resources,
        "Contents" => content_id,
    });
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! { "Type" => "Pages", "Kids" => vec![page_id.into()], "Count" => 1 }),
    );
    let catalog = doc.add_object(dictionary! { "Type" => "Catalog", "Pages" => pages_id });
    doc.trailer.set("Root", catalog);
    doc.save(path).unwrap();
}

/// Page size in points from `pdfinfo` (page 1).
fn page_size(pdf: &Path) -> (f64, f64) {
    let output = expect_code(Command::new("pdfinfo").arg(pdf), 0);
    let line = stdout(&output).lines().find(|l| l.starts_with("Page size:")).unwrap().to_string();
    let numbers: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    (numbers[0], numbers[1])
}

fn assert_size(pdf: &Path, expected: (f64, f64), what: &str) {
    let (w, h) = page_size(pdf);
    assert!(
        (w - expected.0).abs() <= 1.0 && (h - expected.1).abs() <= 1.0,
        "{what}: archived page is {w}×{h} pt, the source's is {}×{} pt",
        expected.0,
        expected.1
    );
}

/// Fails if any `.staging` folder is left under the archive's documents.
fn assert_no_staging(archive: &Path) {
    let left: Vec<_> = walkdir::WalkDir::new(archive.join("documents"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_name().to_string_lossy().contains("staging"))
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(left.is_empty(), "staging left behind: {left:?}");
}

fn assert_verify_clean(archive: &Path) -> serde_json::Value {
    let (code, report) = verify(archive, &[]);
    assert_eq!(code, Some(0), "verify: {report:#}");
    report
}

/// Draws words at the given pixel positions on a white image.
fn words_image(width: u32, height: u32, words: &[(&str, i32, i32)], px: f32) -> GrayImage {
    let font = font();
    let mut image = GrayImage::from_pixel(width, height, Luma([255]));
    for (word, x, y) in words {
        imageproc::drawing::draw_text_mut(&mut image, Luma([0]), *x, *y, PxScale::from(px), &font, word);
    }
    image
}

fn page_count(archive: &Path, id: &str) -> usize {
    record_json(archive, id)["pages"].as_array().unwrap().len()
}

fn search_ids(archive: &Path, query: &str) -> Vec<String> {
    let results = json(&expect_code(olke(archive).args(["search", query, "--json"]), 0));
    results["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

// 1. Encrypted PDFs.

#[test]
fn owner_password_pdfs_are_archived_right_and_a_user_password_one_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let sources = tmp.path().join("sources");
    let (plain, _) = tesseract_pdf(&sources, "plain", &texts::KAZAKH[..1], "kaz+rus");
    let original_text = pdftotext_raw(&plain);
    fs::create_dir_all(&batch).unwrap();
    let kinds: [(&str, &[&str]); 4] = [
        ("rc4-40", &["--allow-weak-crypto", "--encrypt", "", "owner", "40", "--"]),
        ("rc4-128", &["--allow-weak-crypto", "--encrypt", "", "owner", "128", "--use-aes=n", "--"]),
        ("aes-128", &["--encrypt", "", "owner", "128", "--use-aes=y", "--"]),
        ("aes-256", &["--encrypt", "", "owner", "256", "--"]),
    ];
    for (name, args) in kinds {
        expect_code(Command::new("qpdf").args(args).arg(&plain).arg(batch.join(format!("{name}.pdf"))), 0);
    }
    expect_code(
        Command::new("qpdf")
            .args(["--encrypt", "user", "owner", "256", "--"])
            .arg(&plain)
            .arg(batch.join("locked.pdf")),
        0,
    );
    scan(&batch, "good.png", &texts::RUSSIAN[..1], Saved::Png);
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).arg("ingest").arg(&batch), 3);
    let err = stderr(&output);

    for (name, _) in kinds {
        let pdf = pdf_of(&archive, name);
        assert!(pdf.is_file(), "{name} archived:\n{err}");
        qpdf_check(&pdf);
        let rendered = tmp.path().join(format!("render-{name}"));
        let output = expect_code(Command::new("pdftoppm").args(["-r", "20", "-png"]).arg(&pdf).arg(&rendered), 0);
        assert!(stderr(&output).trim().is_empty(), "pdftoppm on {name}: {}", stderr(&output));
        assert_eq!(normalize(&pdftotext_raw(&pdf)), normalize(&original_text), "{name}'s text");
    }
    assert!(pdf_of(&archive, "good").is_file());
    assert!(!archive.join("documents/locked").exists(), "the user-password PDF is not archived");
    let named: Vec<&str> = err.lines().filter(|l| l.contains("locked.pdf")).collect();
    assert_eq!(named.len(), 1, "locked.pdf named once:\n{err}");
    assert!(named[0].contains("needs a password"), "{}", named[0]);
    assert_verify_clean(&archive);
    assert_no_staging(&archive);
}

// 2. One bad PDF never stops a batch.

/// A tesseract PDF uncompressed by `qpdf --qdf`: its bytes, the object number its image
/// stream's `/Length` refers to (`/Length 9 0 R`), that length's value, and where the
/// `stream` keyword's end of line is.
struct Qdf {
    bytes: Vec<u8>,
    length_reference: std::ops::Range<usize>,
    length_value: std::ops::Range<usize>,
    stream_eol: usize,
}

fn qdf_pdf(dir: &Path) -> (Qdf, String) {
    let (pdf, text) = tesseract_pdf(dir, "layered", &texts::KAZAKH[1..2], "kaz+rus");
    let qdf = dir.join("qdf.pdf");
    expect_code(
        Command::new("qpdf").args(["--qdf", "--object-streams=disable", "--stream-data=preserve"]).arg(&pdf).arg(&qdf),
        0,
    );
    let bytes = fs::read(&qdf).unwrap();
    let find =
        |needle: &[u8], from: usize| bytes[from..].windows(needle.len()).position(|w| w == needle).map(|p| p + from);
    let digits_from = |start: usize| start..start + bytes[start..].iter().position(|b| !b.is_ascii_digit()).unwrap();
    let image = find(b"/Subtype /Image", 0).expect("an image XObject");
    let dict_start = bytes[..image].windows(7).rposition(|w| w == b" 0 obj\n").unwrap();
    let stream_kw = find(b"stream\n", image).unwrap();
    let length_key = find(b"/Length ", dict_start).unwrap();
    assert!(length_key < stream_kw, "the image's /Length is in its dictionary");
    // qpdf --qdf writes the length as an object of its own: `/Length 12 0 R`.
    let length_reference = digits_from(length_key + b"/Length ".len());
    assert!(bytes[length_reference.end..].starts_with(b" 0 R"), "an indirect length");
    let number = std::str::from_utf8(&bytes[length_reference.clone()]).unwrap();
    let header = format!("\n{number} 0 obj\n");
    let length_value = digits_from(find(header.as_bytes(), 0).unwrap() + header.len());
    (Qdf { bytes, length_reference, length_value, stream_eol: stream_kw + b"stream".len() }, text)
}

#[test]
fn a_pdf_whose_image_has_no_usable_length_fails_alone_and_others_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let (qdf, text) = qdf_pdf(&tmp.path().join("sources"));

    // The image's /Length points at the catalog (object 1), not at a number. Padded to
    // the same number of bytes, so the cross-reference table stays right.
    let mut no_length = qdf.bytes.clone();
    let width = qdf.length_reference.len();
    no_length.splice(qdf.length_reference.clone(), format!("{:<width$}", 1).into_bytes());
    fs::write(batch.join("no-length.pdf"), &no_length).unwrap();

    // A /Length 1000 bytes longer than the data (the same number of digits): recovered.
    let mut long_length = qdf.bytes.clone();
    let length: usize = std::str::from_utf8(&long_length[qdf.length_value.clone()]).unwrap().parse().unwrap();
    let wrong = (length + 1000).to_string();
    assert_eq!(wrong.len(), qdf.length_value.len());
    long_length.splice(qdf.length_value.clone(), wrong.into_bytes());
    fs::write(batch.join("long-length.pdf"), &long_length).unwrap();

    // `stream` followed by a bare CR.
    let mut bare_cr = qdf.bytes.clone();
    assert_eq!(bare_cr[qdf.stream_eol], b'\n');
    bare_cr[qdf.stream_eol] = b'\r';
    fs::write(batch.join("bare-cr.pdf"), &bare_cr).unwrap();

    scan(&batch, "good.png", &texts::RUSSIAN[1..2], Saved::Png);
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let failures = report["failures"].as_array().unwrap_or_else(|| panic!("failures in {report:#}"));
    assert_eq!(failures.len(), 1, "one failure: {report:#}\n{}", stderr(&output));
    // The PDF library's complaints name the file they concern, without colour.
    let err = stderr(&output);
    assert!(!err.contains("\x1b["), "{err:?}");
    for line in err.lines().filter(|l| l.contains("WARN") || l.contains("ERROR")) {
        assert!(
            ["no-length.pdf", "long-length.pdf", "bare-cr.pdf"].iter().any(|f| line.contains(f)),
            "unnamed: {line}"
        );
    }
    assert!(failures[0].to_string().contains("no-length.pdf"), "{report:#}");
    let left: Vec<_> = walkdir::WalkDir::new(archive.join("documents/no-length"))
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.path().to_path_buf())
        .collect();
    assert!(left.is_empty(), "nothing of the failed PDF is left: {left:?}");
    assert!(pdf_of(&archive, "good").is_file());
    for id in ["bare-cr", "long-length"] {
        let pdf = pdf_of(&archive, id);
        assert!(pdf.is_file(), "{id} is archived: {report:#}\n{}", stderr(&output));
        qpdf_check(&pdf);
        let read = pdftotext_raw(&pdf);
        assert!(cer(&read, &text) < 0.05, "{id}: {read}");
    }
    assert_no_staging(&archive);
    assert_verify_clean(&archive);
}

// 3. Soft mask.

#[test]
fn what_a_soft_mask_shows_is_recognized() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let rendered = page(&texts::KAZAKH[2..3], 300.0);
    let (w, h) = rendered.image.dimensions();
    let mut mask = rendered.image.clone();
    imageops::invert(&mut mask); // white where the text is: the black image shows there
    let mut black = gray_image(&GrayImage::from_pixel(w, h, Luma([0])));
    let (wpt, hpt) = (f64::from(w) * 72.0 / 300.0, f64::from(h) * 72.0 / 300.0);
    let mut doc_mask = gray_image(&mask);
    doc_mask.dict.remove(b"Type");
    let content = format!("q {wpt} 0 0 {hpt} 0 0 cm /Im0 Do Q");
    // The mask is an indirect object of its own.
    let path = batch.join("masked.pdf");
    let mut doc = Document::with_version("1.5");
    let mask_id = doc.add_object(doc_mask);
    black.dict.set("SMask", mask_id);
    let image_id = doc.add_object(black);
    let resources = dictionary! { "XObject" => dictionary! { "Im0" => image_id } };
    save_one_page(doc, &path, wpt, hpt, resources, &content);
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let text = pdftotext_raw(&pdf_of(&archive, "masked"));
    assert!(cer(&text, &rendered.text()) < 0.1, "what the mask shows is read:\n{text}");
    let word = rendered.text().split_whitespace().max_by_key(|w| w.chars().count()).unwrap().to_string();
    let word: String = word.chars().filter(|c| c.is_alphabetic()).collect();
    assert!(search_ids(&archive, &word).contains(&"masked".to_string()), "search {word}");
}

// 4–5. Page geometry from the page: non-square pixels, low ppi, a page larger than its image.

#[test]
fn archived_pages_keep_the_source_page_size() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();

    // 1500×600 pixels on 360×288 pt: 300 ppi across, 150 ppi down.
    let square = page(&texts::KAZAKH[..1], 300.0).image;
    let tall =
        imageops::resize(&imageops::crop_imm(&square, 0, 0, 1500, 1200).to_image(), 1500, 600, imageops::Triangle);
    hand_pdf(
        &batch.join("non-square.pdf"),
        360.0,
        288.0,
        vec![("Im0", gray_image(&tall))],
        vec![],
        "q 360 0 0 288 0 0 cm /Im0 Do Q",
    );

    // A 72-ppi image placed at the page's size.
    let low = fixtures::render_page(&font(), &PageSpec::small(72.0), &texts::RUSSIAN[..1]).image;
    let low_size = (f64::from(low.width()), f64::from(low.height()));
    writer_pdf(&batch.join("low-ppi.pdf"), &low, 72.0);

    // A Letter page with a 300×200 pt image in its top left corner.
    let corner = imageops::crop_imm(&square, 0, 0, 1250, 833).to_image();
    hand_pdf(
        &batch.join("corner.pdf"),
        612.0,
        792.0,
        vec![("Im0", gray_image(&corner))],
        vec![],
        "q 300 0 0 200 0 592 cm /Im0 Do Q",
    );

    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    assert_size(&pdf_of(&archive, "non-square"), (360.0, 288.0), "non-square pixels");
    assert_size(&pdf_of(&archive, "low-ppi"), low_size, "a 72-ppi image");
    assert_size(&pdf_of(&archive, "corner"), (612.0, 792.0), "a page larger than its image");
}

// 6. Single pages stay whole.

#[test]
fn small_and_landscape_single_pages_are_not_split() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let hello = words_image(900, 250, &[("Hello", 40, 90), ("Google", 640, 90)], 56.0);
    write_png(&batch.join("hello-google.png"), &hello, 300.0).unwrap();

    // A5 landscape at 300 dpi: a short block either side of a wide gap.
    let spec = PageSpec { width_in: 3.0, height_in: 1.0, margin_in: 0.2, ..PageSpec::small(300.0) };
    let left = fixtures::render_page(&font(), &spec, &["Балқаш көлінің жағасында шағын қала бар."]);
    let right = fixtures::render_page(&font(), &spec, &["Город стоит на берегу озера Балхаш."]);
    let mut landscape = GrayImage::from_pixel(2481, 1749, Luma([255]));
    imageops::replace(&mut landscape, &left.image, 150, 700);
    imageops::replace(&mut landscape, &right.image, 2481 - 150 - i64::from(right.image.width()), 700);
    write_png(&batch.join("landscape.png"), &landscape, 300.0).unwrap();

    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    for id in ["hello-google", "landscape"] {
        assert_eq!(page_count(&archive, id), 1, "{id} stays one page: {:#}", record_json(&archive, id)["pages"]);
        assert_eq!(pdf_pages(&pdf_of(&archive, id)), 1, "{id}");
    }
    let text = pdftotext_raw(&pdf_of(&archive, "hello-google"));
    assert!(text.contains("Hello") && text.contains("Google"), "{text}");
}

// 7. A text layer that does not map to Unicode.

#[test]
fn a_text_layer_without_unicode_mapping_is_recognized_instead() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let rendered = page(&texts::RUSSIAN[2..3], 300.0);
    let (w, h) = rendered.image.dimensions();
    let (wpt, hpt) = (f64::from(w) * 72.0 / 300.0, f64::from(h) * 72.0 / 300.0);
    let descendant = dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => "ABCDEF+Unmapped",
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => "ABCDEF+Unmapped",
            "Flags" => 4,
            "FontBBox" => vec![0.into(), (-200).into(), 1000.into(), 800.into()],
            "ItalicAngle" => 0,
            "Ascent" => 800,
            "Descent" => -200,
            "CapHeight" => 700,
            "StemV" => 80,
        },
        "DW" => 500,
    };
    let font = Object::Dictionary(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => "ABCDEF+Unmapped",
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Dictionary(descendant)],
    });
    // Invisible words of glyph codes, one per position, over the page as a text layer would be.
    let mut content = format!("q {wpt} 0 0 {hpt} 0 0 cm /Im0 Do Q\nBT 3 Tr /F1 11 Tf\n");
    for line in 0..8 {
        for word in 0..5 {
            let codes: String = (0..5).map(|c| format!("{:04X}", 3 + (line * 7 + word * 3 + c) % 40)).collect();
            let (x, y) = (50.0 + 70.0 * f64::from(word), hpt - 50.0 - 18.0 * f64::from(line));
            content.push_str(&format!("1 0 0 1 {x} {y} Tm <{codes}> Tj\n"));
        }
    }
    content.push_str("ET\n");
    let pdf = batch.join("unmapped.pdf");
    hand_pdf(&pdf, wpt, hpt, vec![("Im0", gray_image(&rendered.image))], vec![("F1", font)], &content);
    let layer = pdftotext_raw(&pdf);
    assert!(
        layer.chars().any(|c| c.is_control() && c != '\n' && c != '\x0c'),
        "poppler reads control characters: {layer:?}"
    );

    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    assert_eq!(record_json(&archive, "unmapped")["pages"][0]["text_layer"], "unmapped");
    let text = pdftotext_raw(&pdf_of(&archive, "unmapped"));
    assert!(cer(&text, &rendered.text()) < 0.1, "the visible words are the text:\n{text:?}");
    let word = rendered.text().split_whitespace().max_by_key(|w| w.chars().count()).unwrap().to_string();
    let word: String = word.chars().filter(|c| c.is_alphabetic()).collect();
    assert!(search_ids(&archive, &word).contains(&"unmapped".to_string()), "search {word}");
}

// 8. A picture at the page's edge.

/// A page of `paragraphs` with a 300-pixel dark hatched picture along its left side.
fn pictured(paragraphs: &[&str], hatch: fn(u32, u32) -> u8) -> GrayImage {
    let page = page(paragraphs, 300.0);
    let (w, h) = page.image.dimensions();
    let mut pictured = GrayImage::from_fn(w + 300, h, |x, y| Luma([hatch(x, y)]));
    imageops::replace(&mut pictured, &page.image, 300, 0);
    pictured
}

fn stripes(v: u32) -> u8 {
    if v.is_multiple_of(2) {
        10
    } else {
        110
    }
}

#[test]
fn a_hatched_picture_along_the_edge_is_not_cropped() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    // Diagonal hatching, and bands across the page 6 pixels high.
    write_png(&batch.join("diagonal.png"), &pictured(&texts::KAZAKH[..2], |x, y| stripes((x + y) / 8)), 300.0).unwrap();
    write_png(&batch.join("bands.png"), &pictured(&texts::KAZAKH[..2], |_, y| stripes(y / 6)), 300.0).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    for id in ["diagonal", "bands"] {
        let prepared = &record_json(&archive, id)["pages"][0];
        assert!(prepared["preparation"]["crop"].is_null(), "{id}: the picture is kept: {prepared:#}");
        assert!(prepared["preparation"]["rotation"].is_null(), "{id}: {prepared:#}");
        assert_eq!(prepared["width"].as_u64().unwrap(), 1749 + 300, "{id}: {prepared:#}");
    }
}

#[test]
fn a_page_with_a_hatched_picture_is_not_turned() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    write_png(&batch.join("one-paragraph.png"), &pictured(&texts::KAZAKH[..1], |x, y| stripes((x + y) / 8)), 300.0)
        .unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let prepared = &record_json(&archive, "one-paragraph")["pages"][0];
    // Hatching beside a single paragraph reads poorly either way; a turn must not be
    // taken on the strength of that.
    assert!(prepared["preparation"]["rotation"].is_null(), "{prepared:#}");
}

// 9. A non-UTF-8 file name.

#[test]
fn a_scan_with_a_non_utf8_name_is_found_by_verify() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let name = std::ffi::OsString::from_vec(b"scan-\xe0\xf1.png".to_vec());
    let image = page(&texts::RUSSIAN[..1], 300.0).image;
    write_png(&batch.join(&name), &image, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    assert_eq!(listed_ids(&archive).len(), 1);
    let report = assert_verify_clean(&archive);
    assert_eq!(report["sources_checked"], 1, "{report:#}");
    assert_eq!(report["sources_absent"], 0, "{report:#}");
}

// 10. Sideways pages of a few words.

#[test]
fn a_sideways_page_of_a_few_words_is_turned_upright() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let truth = "Балқаш көлі жағасында";
    let upright = words_image(1300, 260, &[(truth, 60, 100)], 64.0);
    write_png(&batch.join("turned-90.png"), &imageops::rotate90(&upright), 300.0).unwrap();
    write_png(&batch.join("turned-270.png"), &imageops::rotate270(&upright), 300.0).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    for (id, correction) in [("turned-90", 270), ("turned-270", 90)] {
        let record = record_json(&archive, id);
        assert_eq!(record["pages"][0]["preparation"]["rotation"], correction, "{id}: {:#}", record["pages"][0]);
        let pdf = pdf_of(&archive, id);
        let words = &pdftotext_bbox(&pdf)[0];
        assert!(!words.is_empty(), "{id} has words");
        for word in words {
            assert!(word.x_max - word.x_min > word.y_max - word.y_min, "{id}: {word:?} lies across the page");
        }
        let text = pdftotext_raw(&pdf);
        assert!(cer(&text, truth) < 0.1, "{id} reads:\n{text}");
    }
}

// 11. Exit codes and noise.

#[test]
fn exit_codes_skipped_text_files_no_colour_and_a_quiet_broken_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");

    let missing = tmp.path().join("does-not-exist");
    let output = expect_code(olke(&archive).arg("ingest").arg(&missing), 2);
    assert!(stderr(&output).contains(&*missing.to_string_lossy()), "{}", stderr(&output));

    let empty = tmp.path().join("empty");
    fs::create_dir_all(&empty).unwrap();
    let output = expect_code(olke(&archive).arg("ingest").arg(&empty), 0);
    let said = format!("{}{}", stdout(&output), stderr(&output));
    assert!(said.contains("no scans"), "an empty folder says so: {said}");

    let batch = tmp.path().join("batch");
    let truth = scan(&batch, "long.png", &texts::KAZAKH[..2], Saved::Png);
    fs::write(batch.join("page.hocr"), "<html><body><div class='ocr_page'></div></body></html>\n").unwrap();
    fs::write(batch.join("notes.rst"), "Notes\n=====\n\nScanned in March.\n").unwrap();
    fs::write(batch.join("notes.txt"), "Scanned in March.\n").unwrap();
    let output = expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let err = stderr(&output);
    for name in ["page.hocr", "notes.rst", "notes.txt"] {
        let line = err.lines().find(|l| l.contains(name)).unwrap_or_else(|| panic!("{name} is mentioned:\n{err}"));
        assert!(line.contains("skipped"), "{name}: {line}");
    }
    assert!(!err.contains("\x1b["), "no colour when stderr is not a terminal: {err:?}");
    assert_eq!(listed_ids(&archive), ["long"]);

    // A reader that goes away ends `olke text` quietly.
    let command = format!("'{}' --archive '{}' text long | head -c 1", env!("CARGO_BIN_EXE_olke"), archive.display());
    let output = expect_code(Command::new("sh").arg("-c").arg(&command), 0);
    assert!(!stderr(&output).contains("Broken pipe"), "{}", stderr(&output));
    assert_eq!(output.stdout.len(), 1);
    // A pipe closed before olke writes: certain to meet EPIPE.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = run(olke(&archive).args(["text", "long"]).stdout(writer).stderr(Stdio::piped()));
    assert!(!stderr(&output).contains("Broken pipe"), "{}", stderr(&output));
    assert!(stderr(&output).trim().is_empty(), "nothing said: {}", stderr(&output));
    assert!(truth.len() > 1);
}

// 12. An English text layer.

#[test]
fn an_english_text_layer_is_english_with_an_english_citation() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    tesseract_pdf(&batch, "english", &texts::ENGLISH[..1], "eng");
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let record = record_json(&archive, "english");
    assert_eq!(record["pages"][0]["text_layer"], "kept", "{:#}", record["pages"][0]);
    assert_eq!(record["languages"], serde_json::json!(["eng"]), "{record:#}");
    let citation = citation(&archive, "english");
    assert!(citation.ends_with("p."), "{citation}");
    assert!(!citation.contains("с."), "{citation}");
}

// 13. --out onto a FIFO, and - for standard output.

/// Makes a FIFO at `path`, runs `command` while a thread reads it, and returns what was
/// read and the command's output. The FIFO must still be a FIFO afterwards.
fn through_fifo(path: &Path, command: &mut Command) -> (Vec<u8>, std::process::Output) {
    expect_code(Command::new("mkfifo").arg(path), 0);
    let reading = path.to_path_buf();
    let reader = std::thread::spawn(move || {
        let mut read = Vec::new();
        fs::File::open(&reading).unwrap().read_to_end(&mut read).unwrap();
        read
    });
    let output = run(command);
    // Should the command never have opened the FIFO, let the reader see its end.
    let _ = fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(path);
    let read = reader.join().unwrap();
    let meta = fs::symlink_metadata(path).unwrap();
    assert!(meta.file_type().is_fifo(), "{} is still a FIFO after {command:?}", path.display());
    (read, output)
}

use std::os::unix::fs::OpenOptionsExt;

#[test]
fn out_onto_a_fifo_is_written_into_and_dash_is_standard_output() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    scan(&batch, "gazeta.png", &texts::KAZAKH[..1], Saved::Png);
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    expect_code(olke(&archive).args(["catalog", "set", "gazeta", "rights", "public_domain"]), 0);

    // deliver
    let fifo = tmp.path().join("copy.pdf");
    let (read, output) = through_fifo(
        &fifo,
        olke(&archive).args(["deliver", "gazeta", "--requester", "A <a@b.kz>", "--out"]).arg(&fifo),
    );
    assert_eq!(output.status.code(), Some(0), "deliver: {}", stderr(&output));
    assert!(read.starts_with(b"%PDF"), "deliver wrote a PDF into the FIFO ({} bytes)", read.len());
    assert!(read.windows(5).any(|w| w == b"%%EOF"));

    // requests fulfil: a second request, as the website files it, waiting.
    let first = archive.join("requests").join("0001.json");
    let request: serde_json::Value = serde_json::from_slice(&fs::read(&first).unwrap()).unwrap();
    let mut waiting = request.clone();
    waiting["number"] = 2.into();
    waiting["status"] = serde_json::json!("requested");
    fs::write(archive.join("requests").join("0002.json"), serde_json::to_vec_pretty(&waiting).unwrap()).unwrap();
    let listed = json(&expect_code(olke(&archive).args(["requests", "--json"]), 0));
    assert_eq!(listed[1]["status"], "requested", "{listed:#}");
    let fifo = tmp.path().join("request-2.pdf");
    let (read, output) = through_fifo(&fifo, olke(&archive).args(["requests", "fulfil", "2", "--out"]).arg(&fifo));
    assert_eq!(output.status.code(), Some(0), "requests fulfil: {}", stderr(&output));
    assert!(read.starts_with(b"%PDF"), "fulfil wrote a PDF into the FIFO ({} bytes)", read.len());

    // export
    let fifo = tmp.path().join("catalogue.csv");
    let (read, output) = through_fifo(&fifo, olke(&archive).args(["export", "csv", "--out"]).arg(&fifo));
    assert_eq!(output.status.code(), Some(0), "export: {}", stderr(&output));
    let csv = String::from_utf8(read).unwrap();
    let stdout_csv = stdout(&expect_code(olke(&archive).args(["export", "csv", "--out", "-"]), 0));
    assert!(csv.lines().count() >= 2 && csv.contains("gazeta"), "{csv}");
    assert_eq!(csv, stdout_csv, "--out - writes the same to standard output");
    assert!(!tmp.path().join("-").exists() && !Path::new("-").exists(), "no file named -");

    // report --chart
    let fifo = tmp.path().join("chart.svg");
    let (read, output) = through_fifo(&fifo, olke(&archive).args(["report", "--chart"]).arg(&fifo));
    assert_eq!(output.status.code(), Some(0), "report: {}", stderr(&output));
    let svg = String::from_utf8(read).unwrap();
    assert!(svg.contains("<svg") && svg.trim_end().ends_with("</svg>"), "{svg}");
}

// 14. XFA forms.

#[test]
fn an_xfa_form_is_archived_with_a_warning() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let (plain, _) = tesseract_pdf(&tmp.path().join("sources"), "form", &texts::RUSSIAN[..1], "kaz+rus");
    let mut doc = Document::load(&plain).unwrap();
    let xfa = doc.add_object(Stream::new(
        dictionary! {},
        b"<xdp:xdp xmlns:xdp=\"http://ns.adobe.com/xdp/\"></xdp:xdp>".to_vec(),
    ));
    let form = doc.add_object(dictionary! { "Fields" => Vec::<Object>::new(), "XFA" => xfa });
    let root = doc.trailer.get(b"Root").unwrap().as_reference().unwrap();
    doc.get_object_mut(root).unwrap().as_dict_mut().unwrap().set("AcroForm", form);
    fs::create_dir_all(&batch).unwrap();
    doc.save(batch.join("xfa.pdf")).unwrap();
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).arg("ingest").arg(&batch), 3);
    let err = stderr(&output);
    assert!(err.lines().any(|l| l.contains("xfa.pdf") && l.contains("XFA")), "{err}");
    assert!(pdf_of(&archive, "xfa").is_file(), "still archived:\n{err}");
    assert_eq!(pdf_pages(&pdf_of(&archive, "xfa")), 1);
}

// All at once: one batch of hostile files and good ones.

#[test]
fn a_batch_of_hostile_files_archives_the_good_ones_and_names_each_bad_one() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let sources = tmp.path().join("sources");
    fs::create_dir_all(&batch).unwrap();
    let (plain, _) = tesseract_pdf(&sources, "plain", &texts::KAZAKH[..1], "kaz+rus");
    expect_code(
        Command::new("qpdf")
            .args(["--encrypt", "", "owner", "256", "--"])
            .arg(&plain)
            .arg(batch.join("owner-only.pdf")),
        0,
    );
    expect_code(
        Command::new("qpdf")
            .args(["--encrypt", "user", "owner", "256", "--"])
            .arg(&plain)
            .arg(batch.join("locked.pdf")),
        0,
    );
    let (qdf, _) = qdf_pdf(&sources);
    let mut no_length = qdf.bytes.clone();
    let width = qdf.length_reference.len();
    no_length.splice(qdf.length_reference.clone(), format!("{:<width$}", 1).into_bytes());
    fs::write(batch.join("no-length.pdf"), &no_length).unwrap();
    let mut bare_cr = qdf.bytes.clone();
    bare_cr[qdf.stream_eol] = b'\r';
    fs::write(batch.join("bare-cr.pdf"), &bare_cr).unwrap();
    let bytes = fs::read(&plain).unwrap();
    fs::write(batch.join("truncated.pdf"), &bytes[..bytes.len() / 3]).unwrap();
    fs::write(batch.join("fake.pdf"), "Бұл PDF емес.\n").unwrap();
    fs::write(batch.join("empty.tif"), "").unwrap();
    fs::write(batch.join("page.hocr"), "<html><body>hOCR</body></html>\n").unwrap();
    scan(&batch, "good.png", &texts::RUSSIAN[..1], Saved::Png);

    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let mut failed: Vec<String> = report["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| Path::new(f["path"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    failed.sort();
    assert_eq!(failed, ["empty.tif", "fake.pdf", "locked.pdf", "no-length.pdf", "truncated.pdf"], "{report:#}");
    let mut archived = listed_ids(&archive);
    archived.sort();
    assert_eq!(archived, ["bare-cr", "good", "owner-only"], "{}", stderr(&output));
    assert!(stderr(&output).contains("page.hocr"), "the hOCR file is named as skipped");
    assert_no_staging(&archive);
    assert_verify_clean(&archive);
}

/// Zero padding after a JPEG's end (some scanners write it) is accepted but not archived,
/// and a file larger than any image within the pixel limit is refused before it is read.
#[test]
fn jpeg_padding_is_not_archived_and_an_oversized_file_is_refused_unread() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    scan(&batch, "padded.jpg", &texts::KAZAKH[..1], Saved::Jpeg(90));
    let jpeg = fs::read(batch.join("padded.jpg")).unwrap();
    let padding = 8 << 20;
    fs::OpenOptions::new().append(true).open(batch.join("padded.jpg")).unwrap().write_all(&vec![0; padding]).unwrap();
    let huge = fs::File::create(batch.join("huge.jpg")).unwrap();
    (&huge).write_all(&jpeg).unwrap();
    huge.set_len(1 << 30).unwrap(); // sparse: nothing is written
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json", "--max-megapixels", "20"]).arg(&batch), 3);
    let report = json(&output);
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0]["path"].as_str().unwrap().ends_with("huge.jpg"), "{failures:?}");
    assert!(failures[0]["reason"].as_str().unwrap().contains("more than an image within the limit of 20 megapixels"));
    assert_eq!(listed_ids(&archive), ["padded"]);
    let pdf = fs::metadata(pdf_of(&archive, "padded")).unwrap().len();
    assert!(pdf < (jpeg.len() + padding / 2) as u64, "the PDF has {pdf} bytes, the JPEG {}", jpeg.len());
}

/// FillOrder 2 (each byte's first pixel in its lowest bit, as fax machines write) is
/// honoured for raw and CCITT G4 pages alike: both read as the usual order does.
#[test]
fn tiff_pages_in_fill_order_two_read_right() {
    use olke::testkit::fixtures::{threshold, write_tiff, TiffKind};
    let tmp = tempfile::tempdir().unwrap();
    let (sources, batch) = (tmp.path().join("sources"), tmp.path().join("batch"));
    fs::create_dir_all(&sources).unwrap();
    fs::create_dir_all(&batch).unwrap();
    let rendered = page(&texts::KAZAKH[..1], 300.0);
    let g4 = sources.join("g4.tif");
    write_tiff(&g4, &[threshold(&rendered.image)], 300.0, TiffKind::G4).unwrap();
    for (name, compression) in [("raw", "none"), ("fax", "g4")] {
        let out = batch.join(format!("{name}.tif"));
        expect_code(Command::new("tiffcp").args(["-c", compression, "-f", "lsb2msb"]).arg(&g4).arg(&out), 0);
    }
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0);
    assert_eq!(json(&output)["failures"], serde_json::json!([]));
    for id in ["raw", "fax"] {
        let text = stdout(&expect_code(olke(&archive).args(["text", id]), 0));
        let rate = cer(&text, &rendered.text());
        assert!(rate < 0.05, "{id}: CER {:.1}%\n{text}", rate * 100.0);
    }
}

/// Tesseract reads at most 32767 pixels a side: a longer scan is refused before it is read.
#[test]
fn a_scan_longer_than_tesseract_reads_is_refused_up_front() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    write_png(&batch.join("strip.png"), &GrayImage::from_pixel(32, 40_000, Luma([255])), 300.0).unwrap();
    let archive = tmp.path().join("archive");
    let report = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3));
    let reason = report["failures"][0]["reason"].as_str().unwrap_or_default().to_string();
    assert!(reason.contains("Tesseract reads at most 32767 pixels a side"), "{report:#}");
}
