//! `olke ingest` end to end: real Tesseract, real PDFs read back with poppler and qpdf,
//! on pages rendered from known text.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use olke::language::KAZAKH_LETTERS;
use olke::testkit::fixtures::{texts, threshold, write_jpeg, write_png, write_tiff, TiffKind};

/// A batch of three documents in three formats: Kazakh G4 TIFF, Russian JPEG, Kazakh PNG.
/// Returns the ground truth per document id.
fn mixed_batch(dir: &Path) -> Vec<(&'static str, String)> {
    fs::create_dir_all(dir).unwrap();
    let kaz1 = page(&texts::KAZAKH[..2], 300.0);
    write_tiff(&dir.join("kaz-book.tif"), &[threshold(&kaz1.image)], 300.0, TiffKind::G4).unwrap();
    let rus = page(&texts::RUSSIAN[..2], 300.0);
    write_jpeg(&dir.join("rus-news.jpg"), &rus.image, 300.0, 90).unwrap();
    let kaz2 = page(&[texts::KAZAKH[4], texts::KAZAKH[5]], 300.0);
    write_png(&dir.join("kaz-letters.png"), &kaz2.image, 300.0).unwrap();
    vec![("kaz-book", kaz1.text()), ("rus-news", rus.text()), ("kaz-letters", kaz2.text())]
}

#[test]
fn text_layer_reads_back_with_every_kazakh_letter() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let truth = mixed_batch(&batch);
    let archive = tmp.path().join("archive");
    let report = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0));
    assert_eq!(report["documents"].as_array().unwrap().len(), 3);
    assert_eq!(report["pages"], 3);

    for (id, expected) in &truth {
        let pdf = archive.join("documents").join(id).join(format!("{id}.pdf"));
        qpdf_check(&pdf);
        let text = pdftotext_raw(&pdf);
        let rate = cer(&text, expected);
        assert!(rate < 0.02, "{id}: CER {:.2}% over 2%\n--- got\n{text}\n--- expected\n{expected}", rate * 100.0);
        for letter in KAZAKH_LETTERS.chars().filter(|c| expected.contains(*c)) {
            assert!(text.contains(letter), "{id}: letter {letter} lost in the text layer\n{text}");
        }
        // The text layer is the recognized text, in the recognized order.
        let recognized = stdout(&expect_code(olke(&archive).args(["text", id]), 0));
        assert_eq!(normalize(&text), normalize(&recognized), "{id}: text layer differs from the OCR text");
    }
}

#[test]
fn word_boxes_in_the_pdf_match_the_ocr_boxes() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let dpi = 300.0;
    write_png(&batch.join("boxes.png"), &page(&texts::KAZAKH[..2], dpi).image, dpi).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);

    let pdf_words = &pdftotext_bbox(&archive.join("documents/boxes/boxes.pdf"))[0];
    let page: olke::page::RecognizedPage =
        serde_json::from_slice(&fs::read(archive.join("documents/boxes/pages/0001.json")).unwrap()).unwrap();
    let ocr_words: Vec<_> = page.words().collect();
    assert_eq!(pdf_words.len(), ocr_words.len(), "poppler sees as many words as Tesseract found");
    let pt = |px: u32| px as f64 * 72.0 / dpi as f64;
    for (pdf, ocr) in pdf_words.iter().zip(ocr_words) {
        assert_eq!(pdf.text, ocr.text);
        // Horizontally the word spans its box (less the small gap kept before a touching
        // neighbour); vertically it spans the text row, so within a few points.
        assert!((pdf.x_min - pt(ocr.bbox.x0)).abs() < 1.0, "{pdf:?} vs {ocr:?}");
        assert!((pdf.x_max - pt(ocr.bbox.x1)).abs() < 3.0, "{pdf:?} vs {ocr:?}");
        assert!((pdf.y_min - pt(ocr.bbox.y0)).abs() < 4.0, "{pdf:?} vs {ocr:?}");
        assert!((pdf.y_max - pt(ocr.bbox.y1)).abs() < 4.0, "{pdf:?} vs {ocr:?}");
    }
}

#[test]
fn reingest_runs_no_ocr_and_a_changed_scan_is_made_again() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let first = page(&texts::RUSSIAN[..1], 300.0);
    write_png(&batch.join("p1.png"), &first.image, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0);

    let again = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0));
    assert_eq!(again["pages"], 0, "no page recognized again");
    assert_eq!(again["documents"][0]["outcome"], "unchanged");
    let listed = json(&expect_code(olke(&archive).args(["list", "--json"]), 0));
    assert_eq!(listed.as_array().unwrap().len(), 1, "no duplicate");

    // The same scan copied elsewhere is recognized by its content.
    let copy = tmp.path().join("copy");
    fs::create_dir_all(&copy).unwrap();
    fs::copy(batch.join("p1.png"), copy.join("renamed.png")).unwrap();
    let copied = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&copy), 0));
    assert_eq!(copied["pages"], 0);
    assert_eq!(copied["documents"][0]["id"], "p1");

    // A rescan of the same page replaces the document and keeps the old PDF.
    let second = page(&texts::RUSSIAN[1..2], 300.0);
    write_png(&batch.join("p1.png"), &second.image, 300.0).unwrap();
    let changed = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0));
    assert_eq!(changed["pages"], 1);
    assert_eq!(changed["documents"][0]["outcome"], "updated");
    assert_eq!(changed["documents"][0]["id"], "p1");
    let text = pdftotext_raw(&archive.join("documents/p1/p1.pdf"));
    assert!(cer(&text, &second.text()) < 0.02, "the PDF has the new text: {text}");
    let previous: Vec<_> = walkdir::WalkDir::new(archive.join("documents/p1/previous"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
        .collect();
    assert_eq!(previous.len(), 1, "the earlier PDF is kept");
    assert!(cer(&pdftotext_raw(previous[0].path()), &first.text()) < 0.02);
    assert_eq!(json(&expect_code(olke(&archive).args(["list", "--json"]), 0)).as_array().unwrap().len(), 1);
}

/// A minimal PNG whose header claims the given size, with no pixel data.
fn png_header_only(width: u32, height: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(width.to_be_bytes());
    ihdr.extend(height.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc32fast::hash(&ihdr).to_be_bytes());
    png.extend(0u32.to_be_bytes());
    png.extend(b"IEND");
    png.extend(crc32fast::hash(b"IEND").to_be_bytes());
    png
}

#[test]
fn bad_inputs_are_named_and_the_rest_of_the_batch_goes_on() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let good = page(&texts::KAZAKH[..1], 300.0);
    write_png(&batch.join("good.png"), &good.image, 300.0).unwrap();

    // Valid files to cut short.
    let scratch = tmp.path().join("scratch");
    fs::create_dir_all(&scratch).unwrap();
    write_png(&scratch.join("a.png"), &good.image, 300.0).unwrap();
    write_jpeg(&scratch.join("a.jpg"), &good.image, 300.0, 85).unwrap();
    write_tiff(&scratch.join("a.tif"), std::slice::from_ref(&good.image), 300.0, TiffKind::Lzw).unwrap();
    for name in ["a.png", "a.jpg", "a.tif"] {
        let bytes = fs::read(scratch.join(name)).unwrap();
        fs::write(batch.join(format!("truncated-{name}")), &bytes[..bytes.len() / 3]).unwrap();
    }
    fs::write(batch.join("empty.tif"), b"").unwrap();
    fs::write(batch.join("notes-named.tif"), "Бұл сурет емес, мәтін.\n").unwrap();
    fs::write(batch.join("huge.png"), png_header_only(100_000, 100_000)).unwrap();
    let mut tiny = Vec::new();
    image::GrayImage::new(1, 1).write_to(&mut std::io::Cursor::new(&mut tiny), image::ImageFormat::Png).unwrap();
    fs::write(batch.join("tiny.png"), tiny).unwrap();

    let before = snapshot(&batch);
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let failures = report["failures"].as_array().unwrap();
    let reason = |file: &str| -> String {
        failures
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file} not reported: {failures:?}"))["reason"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(reason("truncated-a.png").contains("truncated"), "{}", reason("truncated-a.png"));
    assert!(reason("truncated-a.jpg").contains("damaged JPEG"), "{}", reason("truncated-a.jpg"));
    assert!(reason("truncated-a.tif").contains("TIFF"), "{}", reason("truncated-a.tif"));
    assert!(reason("empty.tif").contains("empty file"));
    assert!(reason("notes-named.tif").contains("not an image"));
    assert!(reason("huge.png").contains("over the limit"));
    assert!(reason("tiny.png").contains("too small"));
    assert_eq!(failures.len(), 7, "{failures:?}");
    // Each failure is one line on stderr naming the file.
    let err = stderr(&output);
    for file in ["truncated-a.png", "empty.tif", "notes-named.tif", "huge.png", "tiny.png"] {
        assert_eq!(err.lines().filter(|l| l.contains(file)).count(), 1, "{file} in:\n{err}");
    }

    assert_eq!(report["documents"].as_array().unwrap().len(), 1, "the good scan is archived");
    assert_eq!(report["documents"][0]["id"], "good");
    assert_eq!(snapshot(&batch), before, "the batch folder is untouched");
}

#[test]
fn multi_page_tiffs_are_one_document_in_any_compression() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let pages: Vec<_> =
        [&texts::KAZAKH[..1], &texts::RUSSIAN[..1], &texts::KAZAKH[2..3]].iter().map(|p| page(p, 300.0)).collect();
    let images: Vec<_> = pages.iter().map(|p| p.image.clone()).collect();
    write_tiff(&batch.join("book-lzw.tif"), &images, 300.0, TiffKind::Lzw).unwrap();
    write_tiff(&batch.join("book-16bit.tif"), &images[..1], 300.0, TiffKind::Gray16).unwrap();
    write_tiff(&batch.join("book-deflate.tif"), &images[1..2], 300.0, TiffKind::Deflate).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);

    let pdf = archive.join("documents/book-lzw/book-lzw.pdf");
    assert_eq!(pdf_pages(&pdf), 3);
    let text = pdftotext_raw(&pdf);
    let layers: Vec<&str> = text.split('\x0c').collect();
    for (layer, page) in layers.iter().zip(&pages) {
        assert!(cer(layer, &page.text()) < 0.02, "page text in order:\n{layer}");
    }
    let shown = json(&expect_code(olke(&archive).args(["show", "book-lzw", "--json"]), 0));
    assert_eq!(shown["pages"].as_array().unwrap().len(), 3);
    assert!(cer(&pdftotext_raw(&archive.join("documents/book-16bit/book-16bit.pdf")), &pages[0].text()) < 0.02);
    assert!(cer(&pdftotext_raw(&archive.join("documents/book-deflate/book-deflate.pdf")), &pages[1].text()) < 0.02);
    // `olke text` separates pages with form feeds.
    let all = stdout(&expect_code(olke(&archive).args(["text", "book-lzw"]), 0));
    assert_eq!(all.matches('\x0c').count(), 2);
}

#[test]
fn pdfs_of_jpeg_and_g4_scans_do_not_balloon() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    // A full book page at 400 dpi, as a bitonal scanner makes it.
    let spec = olke::testkit::fixtures::PageSpec::a5(400.0);
    let text = olke::testkit::fixtures::render_page(&font(), &spec, &[texts::RUSSIAN, texts::KAZAKH].concat());
    write_jpeg(&batch.join("photo.jpg"), &text.image, 400.0, 80).unwrap();
    write_tiff(&batch.join("fax.tif"), &[threshold(&text.image)], 400.0, TiffKind::G4).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    for (id, source) in [("photo", "photo.jpg"), ("fax", "fax.tif")] {
        let source = fs::metadata(batch.join(source)).unwrap().len() as f64;
        let pdf = fs::metadata(archive.join(format!("documents/{id}/{id}.pdf"))).unwrap().len() as f64;
        assert!(pdf <= 1.5 * source, "{id}: PDF {pdf} bytes for a {source}-byte scan");
    }
}

#[test]
fn a_plain_pngs_compressed_rows_go_into_the_pdf_as_they_are() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let scan = batch.join("gray.png");
    write_png(&scan, &page(&texts::RUSSIAN[..1], 300.0).image, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);

    // The PNG's IDAT payload (zlib-compressed filtered rows) appears whole in the PDF.
    let png = fs::read(&scan).unwrap();
    let mut rows = Vec::new();
    let mut at = 8;
    while at + 8 <= png.len() {
        let length = u32::from_be_bytes(png[at..at + 4].try_into().unwrap()) as usize;
        if &png[at + 4..at + 8] == b"IDAT" {
            rows.extend_from_slice(&png[at + 8..at + 8 + length]);
        }
        at += 12 + length;
    }
    let pdf_path = archive.join("documents/gray/gray.pdf");
    let pdf = fs::read(&pdf_path).unwrap();
    let start = pdf.windows(64).position(|w| w == &rows[..64]).expect("the PNG's rows are in the PDF");
    assert_eq!(&pdf[start..start + rows.len()], &rows[..], "the rows are copied unchanged");
    assert!(cer(&pdftotext_raw(&pdf_path), &page(&texts::RUSSIAN[..1], 300.0).text()) < 0.02);
    qpdf_check(&pdf_path);
}

#[test]
fn ids_come_from_file_names_and_clashes_get_the_batch_name() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    for (batch, paragraph) in [("2019-05", texts::RUSSIAN[0]), ("2020-01", texts::RUSSIAN[1])] {
        let dir = tmp.path().join(batch);
        fs::create_dir_all(&dir).unwrap();
        write_png(&dir.join("p 001.png"), &page(&[paragraph], 300.0).image, 300.0).unwrap();
    }
    // --archive after the subcommand works too.
    expect_code(
        std::process::Command::new(env!("CARGO_BIN_EXE_olke"))
            .args(["ingest", "--archive"])
            .arg(&archive)
            .arg(tmp.path().join("2019-05"))
            .arg(tmp.path().join("2020-01")),
        0,
    );
    let listed = json(&expect_code(olke(&archive).args(["list", "--json"]), 0));
    let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["2020-01-p_001", "p_001"]);
    for entry in listed.as_array().unwrap() {
        for key in ["id", "title", "pages", "pdf", "source_files"] {
            assert!(entry.get(key).is_some(), "list --json lacks {key}");
        }
        assert!(archive.join(entry["pdf"].as_str().unwrap()).is_file());
    }
}

#[test]
fn usage_errors_exit_with_two_and_unknown_ids_are_explained() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest"), 2);
    expect_code(olke(&archive).args(["ingest", "--dpi", "5", "x"]), 2);
    let output = expect_code(olke(&archive).args(["show", "nothing"]), 1);
    assert!(stderr(&output).contains("no archive"), "{}", stderr(&output));
}

/// Writes `image` as a 16-bit grayscale PNG.
fn write_png16(path: &Path, image: &image::GrayImage) {
    let wide = image::ImageBuffer::<image::Luma<u16>, Vec<u16>>::from_fn(image.width(), image.height(), |x, y| {
        image::Luma([image.get_pixel(x, y)[0] as u16 * 257])
    });
    wide.save(path).unwrap();
}

/// Writes `image` as a 4-bit palette PNG whose paper colour is fully transparent (a
/// tRNS chunk), as some scanning software saves cleaned pages.
fn write_palette_png_with_alpha(path: &Path, image: &image::GrayImage) {
    let mut encoder = png::Encoder::new(fs::File::create(path).unwrap(), image.width(), image.height());
    encoder.set_color(png::ColorType::Indexed);
    encoder.set_depth(png::BitDepth::Eight);
    // Sixteen gray levels; entry 15 (white) is transparent, the ink opaque.
    encoder.set_palette((0..16u8).flat_map(|i| [i * 17; 3]).collect::<Vec<u8>>());
    encoder.set_trns((0..16u8).map(|i| if i == 15 { 0 } else { 255 }).collect::<Vec<u8>>());
    let indices: Vec<u8> = image.as_raw().iter().map(|&v| v / 17).collect();
    encoder.write_header().unwrap().write_image_data(&indices).unwrap();
}

/// Writes `image` as a CMYK JPEG (Adobe's inverted convention, as Photoshop saves it),
/// the page printed with black ink only.
fn write_cmyk_jpeg(path: &Path, image: &image::GrayImage) {
    let cmyk: Vec<u8> = image.as_raw().iter().flat_map(|&v| [0, 0, 0, 255 - v]).collect();
    let mut encoder = jpeg_encoder::Encoder::new_file(path, 90).unwrap();
    encoder.set_density(jpeg_encoder::PixelDensity::dpi(300));
    encoder.encode(&cmyk, image.width() as u16, image.height() as u16, jpeg_encoder::ColorType::Cmyk).unwrap();
}

/// Points the strips of page `index` (from 0) of a little-endian TIFF past the end of
/// the file: that page's directory is intact, its pixels unreadable.
fn corrupt_tiff_page(bytes: &mut [u8], index: usize) {
    let u16_at = |b: &[u8], at: usize| u16::from_le_bytes([b[at], b[at + 1]]) as usize;
    let u32_at = |b: &[u8], at: usize| u32::from_le_bytes(b[at..at + 4].try_into().unwrap()) as usize;
    assert_eq!(&bytes[..2], b"II", "a little-endian TIFF");
    let mut ifd = u32_at(bytes, 4);
    for _ in 0..index {
        ifd = u32_at(bytes, ifd + 2 + 12 * u16_at(bytes, ifd));
    }
    let beyond = (bytes.len() as u32 + 1_000_000).to_le_bytes();
    for entry in (0..u16_at(bytes, ifd)).map(|i| ifd + 2 + 12 * i) {
        if u16_at(bytes, entry) == 273 {
            // StripOffsets: LONG values, inline when there is one strip.
            let count = u32_at(bytes, entry + 4);
            let values = if count == 1 { entry + 8 } else { u32_at(bytes, entry + 8) };
            for strip in 0..count {
                bytes[values + 4 * strip..values + 4 * strip + 4].copy_from_slice(&beyond);
            }
            return;
        }
    }
    panic!("page {index} has no StripOffsets");
}

#[test]
fn unusual_but_valid_scans_are_archived_and_broken_parts_named() {
    use std::os::unix::ffi::OsStrExt;
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let kazakh = page(&texts::KAZAKH[..1], 300.0);
    let russian = page(&texts::RUSSIAN[..1], 300.0);
    write_png16(&batch.join("gray16.png"), &kazakh.image);
    write_cmyk_jpeg(&batch.join("cmyk.jpg"), &russian.image);
    write_palette_png_with_alpha(&batch.join("palette.png"), &kazakh.image);
    let third = page(&texts::KAZAKH[2..3], 300.0);
    write_tiff(
        &batch.join("book.tif"),
        &[kazakh.image.clone(), russian.image.clone(), third.image.clone()],
        300.0,
        TiffKind::Lzw,
    )
    .unwrap();
    let mut tiff = fs::read(batch.join("book.tif")).unwrap();
    corrupt_tiff_page(&mut tiff, 1);
    fs::write(batch.join("book.tif"), tiff).unwrap();
    write_png(&batch.join("Қала тарихы 1.png"), &russian.image, 300.0).unwrap();
    // "Кам" in Windows-1251: a name from an old Windows share, not UTF-8.
    let legacy = batch.join(std::ffi::OsStr::from_bytes(b"\xca\xe0\xec.png"));
    write_png(&legacy, &kazakh.image, 300.0).unwrap();
    // A folder linking to itself and two links pointing at each other.
    std::os::unix::fs::symlink(&batch, batch.join("loop")).unwrap();
    std::os::unix::fs::symlink("cycle-b.png", batch.join("cycle-a.png")).unwrap();
    std::os::unix::fs::symlink("cycle-a.png", batch.join("cycle-b.png")).unwrap();

    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json", "--jobs", "2"]).arg(&batch), 3);
    let report = json(&output);
    let failures = report["failures"].as_array().unwrap();
    let failure = |file: &str| {
        failures
            .iter()
            .find(|f| f["path"].as_str().unwrap().ends_with(file))
            .unwrap_or_else(|| panic!("{file} not reported: {failures:?}"))
            .clone()
    };
    let book = failure("book.tif");
    assert_eq!(book["page"], 2, "{book}");
    assert!(book["reason"].as_str().unwrap().contains("damaged TIFF"), "{book}");
    assert!(failure("loop")["reason"].as_str().unwrap().contains("symbolic link loop"), "{failures:?}");
    for link in ["cycle-a.png", "cycle-b.png"] {
        assert!(failure(link)["reason"].as_str().unwrap().contains("symbolic link loop"), "{failures:?}");
    }
    assert_eq!(failures.len(), 4, "{failures:?}");
    let err = stderr(&output);
    assert!(err.lines().any(|l| l.contains("book.tif: page 2: damaged TIFF")), "{err}");

    let ids: Vec<&str> = report["documents"].as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), 6, "{ids:?}");
    let pdf = |id: &str| archive.join("documents").join(id).join(format!("{id}.pdf"));
    for (id, truth) in [("gray16", &kazakh), ("cmyk", &russian), ("palette", &kazakh), ("Қала_тарихы_1", &russian)]
    {
        assert!(ids.contains(&id), "{id} in {ids:?}");
        let text = pdftotext_raw(&pdf(id));
        assert!(cer(&text, &truth.text()) < 0.05, "{id}: the page reads back\n{text}");
    }
    // The good pages of the damaged TIFF are kept, in order.
    assert_eq!(pdf_pages(&pdf("book")), 2);
    let layers: Vec<String> = pdftotext_raw(&pdf("book")).split('\x0c').map(str::to_string).collect();
    assert!(cer(&layers[0], &kazakh.text()) < 0.05 && cer(&layers[1], &third.text()) < 0.05, "{layers:?}");
    // The file with a name that is not UTF-8 gets an id made of what could be read.
    let legacy_id = ids.iter().find(|id| !["gray16", "cmyk", "palette", "Қала_тарихы_1", "book"].contains(id)).unwrap();
    assert!(cer(&pdftotext_raw(&pdf(legacy_id)), &kazakh.text()) < 0.05);
    expect_code(olke(&archive).args(["show", "Қала_тарихы_1"]), 0);
    for id in &ids {
        qpdf_check(&pdf(id));
    }
}

#[test]
fn an_unreadable_scan_is_named_and_the_rest_of_the_batch_goes_on() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let good = page(&texts::RUSSIAN[..1], 300.0);
    write_png(&batch.join("good.png"), &good.image, 300.0).unwrap();
    write_png(&batch.join("locked.png"), &good.image, 300.0).unwrap();
    fs::set_permissions(batch.join("locked.png"), fs::Permissions::from_mode(0o000)).unwrap();
    let archive = tmp.path().join("archive");
    let mut command = olke(&archive);
    // root reads any file whatever its mode: then olke runs as an ordinary user, for whom
    // the folders are open and the scan is not.
    if unsafe { libc::geteuid() } == 0 {
        fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).unwrap();
        fs::create_dir_all(&archive).unwrap();
        std::os::unix::fs::chown(&archive, Some(65534), Some(65534)).unwrap();
        let program = command.get_program().to_owned();
        let args: Vec<_> = command.get_args().map(|a| a.to_owned()).collect();
        command = std::process::Command::new("setpriv");
        command
            .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(program)
            .args(args)
            .env_remove("OLKE_ARCHIVE");
    }
    let output = expect_code(command.args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0]["path"].as_str().unwrap().ends_with("locked.png"));
    assert!(failures[0]["reason"].as_str().unwrap().contains("ermission denied"), "{failures:?}");
    assert!(
        stderr(&output).lines().any(|l| l.contains("locked.png") && l.contains("ermission denied")),
        "{}",
        stderr(&output)
    );
    assert_eq!(report["documents"].as_array().unwrap().len(), 1);
    assert_eq!(report["documents"][0]["id"], "good");
}

#[test]
fn two_documents_claiming_the_same_id_are_reported_and_the_first_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let (first, second) = (tmp.path().join("first"), tmp.path().join("second"));
    let pages =
        [page(&texts::KAZAKH[..1], 300.0), page(&texts::RUSSIAN[..1], 300.0), page(&texts::KAZAKH[3..4], 300.0)];
    for dir in [&first, &second] {
        fs::create_dir_all(dir).unwrap();
    }
    write_png(&first.join("a.png"), &pages[0].image, 300.0).unwrap();
    write_png(&first.join("b.png"), &pages[1].image, 300.0).unwrap();
    write_png(&second.join("c.png"), &pages[2].image, 300.0).unwrap();
    fs::write(first.join("batch.csv"), "files,id,title\na.png,gazeta,Бірінші\nb.png,gazeta,Екінші\n").unwrap();
    fs::write(second.join("batch.csv"), "files,id,title\nc.png,gazeta,Үшінші\n").unwrap();
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&first).arg(&second), 3);
    let report = json(&output);
    let problems: Vec<(String, u64, String)> = report["manifest_problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["file"].as_str().unwrap().to_string(),
                p["row"].as_u64().unwrap(),
                p["reason"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let first_csv = first.join("batch.csv").display().to_string();
    assert_eq!(
        problems,
        vec![
            (first_csv.clone(), 3, "id 'gazeta' is already given in row 2".to_string()),
            (second.join("batch.csv").display().to_string(), 2, format!("id 'gazeta' is already given to another document of this run ({first_csv}, row 2); choose another or leave the cell empty")),
        ]
    );
    for (file, row, _) in &problems {
        assert!(
            stderr(&output).lines().any(|l| l.starts_with(&format!("{file}: row {row}, column 'id'"))),
            "{}",
            stderr(&output)
        );
    }
    let listed = json(&expect_code(olke(&archive).args(["list", "--json"]), 0));
    assert_eq!(listed.as_array().unwrap().len(), 1);
    assert_eq!(listed[0]["id"], "gazeta");
    assert_eq!(listed[0]["title"], "Бірінші");
}

/// src/ocr/line_images.rs only works when the binary exports its `pixWriteMem` for
/// libtesseract to find; without the export olke is silently slower, not wrong.
#[test]
fn the_binary_exports_its_line_image_hook_to_tesseract() {
    let output = std::process::Command::new("nm")
        .args(["-D", "--defined-only", env!("CARGO_BIN_EXE_olke")])
        .output()
        .expect("nm (binutils) runs");
    assert!(output.status.success(), "nm failed: {}", String::from_utf8_lossy(&output.stderr));
    let symbols = String::from_utf8_lossy(&output.stdout);
    assert!(symbols.lines().any(|l| l.ends_with(" T pixWriteMem")), "pixWriteMem is not exported:\n{symbols}");
}

/// Linux takes file names of up to 255 bytes, and olke derives longer ones from an id.
#[test]
fn a_long_scan_name_makes_an_id_that_fits_and_a_long_given_id_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let stem = "Қарағанды-облысы-".repeat(7) + "тарих";
    let pages =
        [page(&texts::KAZAKH[..1], 300.0), page(&texts::RUSSIAN[..1], 300.0), page(&texts::KAZAKH[3..4], 300.0)];
    write_png(&batch.join(format!("{stem}.png")), &pages[0].image, 300.0).unwrap();
    write_png(&batch.join("b.png"), &pages[1].image, 300.0).unwrap();
    write_png(&batch.join("c.png"), &pages[2].image, 300.0).unwrap();
    let long_id = "x".repeat(300);
    let csv = format!("files,id,title\n{stem}.png,,Тарих\nb.png,{long_id},Екінші\nc.png,,Үшінші\n");
    fs::write(batch.join("batch.csv"), csv).unwrap();
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let problems = report["manifest_problems"].as_array().unwrap();
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!((problems[0]["row"].as_u64(), problems[0]["column"].as_str()), (Some(3), Some("id")));
    assert!(problems[0]["reason"].as_str().unwrap().contains("300 bytes long"), "{problems:?}");
    let ids = listed_ids(&archive);
    assert_eq!(ids.len(), 2, "{ids:?}");
    let long = ids.iter().find(|id| id.starts_with("Қарағанды")).expect("the long-named scan is archived");
    assert!(long.len() <= 200, "{} bytes", long.len());
    assert_eq!(verify(&archive, &[]).0, Some(0));
}

/// A document whose files cannot be written (here a file where its folder goes) fails
/// alone: the others are archived and indexed, and the run reports as usual.
#[test]
fn a_document_that_cannot_be_filed_fails_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let ids = small_batch(&batch, 3);
    let archive = tmp.path().join("archive");
    fs::create_dir_all(archive.join("documents")).unwrap();
    fs::write(archive.join("documents").join(&ids[1]), "in the way").unwrap();
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let failures = report["failures"].as_array().unwrap();
    assert_eq!(failures.len(), 1, "{failures:?}");
    assert!(failures[0]["path"].as_str().unwrap().ends_with(&format!("{}.png", ids[1])), "{failures:?}");
    assert!(failures[0]["reason"].as_str().unwrap().starts_with("the document is not archived: "), "{failures:?}");
    assert_eq!(listed_ids(&archive), vec![ids[0].clone(), ids[2].clone()]);
    let found = json(&expect_code(olke(&archive).args(["search", "--json", "Құжат"]), 0));
    assert_eq!(found["total"], 2, "{found}");
    assert_eq!(verify(&archive, &[]).0, Some(0));
}

/// `cd batch && olke ingest .` with the default `./archive`: the archive's own PDFs and
/// catalogue are not scans of the batch.
#[test]
fn an_archive_inside_the_batch_folder_is_left_out_of_it() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let ids = small_batch(&batch, 1);
    let archive = batch.join("archive");
    for run in 1..=2 {
        let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0);
        let report = json(&output);
        assert_eq!(report["failures"], serde_json::json!([]), "run {run}");
        assert!(stderr(&output).contains("the archive is inside this batch folder; left out"), "{}", stderr(&output));
        assert_eq!(listed_ids(&archive), ids, "run {run}");
    }
}
