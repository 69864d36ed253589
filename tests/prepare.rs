//! Page preparation end to end: rendered pages turned, skewed, framed in a dark scanner
//! edge or scanned as two facing pages, run through `olke ingest`, read back with poppler.

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::*;
use image::{imageops, GrayImage, Luma};
use olke::testkit::fixtures::{self, texts, write_png, PageSpec};

fn ingest(batch: &Path, archive: &Path) {
    expect_code(olke(archive).arg("ingest").arg(batch), 0);
}

#[test]
fn pages_scanned_sideways_or_upside_down_are_turned_upright() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let page = page(&texts::KAZAKH[..3], 300.0);
    write_png(&batch.join("turned-90.png"), &imageops::rotate90(&page.image), 300.0).unwrap();
    write_png(&batch.join("turned-180.png"), &imageops::rotate180(&page.image), 300.0).unwrap();
    write_png(&batch.join("turned-270.png"), &imageops::rotate270(&page.image), 300.0).unwrap();
    let archive = tmp.path().join("archive");
    ingest(&batch, &archive);
    for (id, correction) in [("turned-90", 270), ("turned-180", 180), ("turned-270", 90)] {
        let record = record_json(&archive, id);
        assert_eq!(record["pages"].as_array().unwrap().len(), 1, "{id} stays one page");
        assert_eq!(record["pages"][0]["preparation"]["rotation"], correction, "{id}");
        let text = pdftotext_raw(&archive.join(format!("documents/{id}/{id}.pdf")));
        assert!(cer(&text, &page.text()) < 0.02, "{id} reads back:\n{text}");
    }
}

#[test]
fn a_skewed_page_is_straightened_and_its_text_layer_lies_on_the_ink() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let page = page(&texts::RUSSIAN[..2], 300.0);
    // imageproc turns clockwise for positive angles (y grows downwards): the page is
    // skewed 3° clockwise and must come back 3° counter-clockwise.
    let skewed = imageproc::geometric_transformations::rotate_about_center(
        &page.image,
        3.0f32.to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Constant(Luma([255])),
    );
    write_png(&batch.join("skewed.png"), &skewed, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    ingest(&batch, &archive);

    let turned =
        record_json(&archive, "skewed")["pages"][0]["preparation"]["deskew_degrees"].as_f64().expect("deskewed");
    assert!((turned - 3.0).abs() <= 0.2, "turned back by {turned}°");
    let pdf = archive.join("documents/skewed/skewed.pdf");
    assert!(cer(&pdftotext_raw(&pdf), &page.text()) < 0.02);

    // The embedded image is the straightened page: every word of the text layer covers ink.
    let images = tmp.path().join("img");
    expect_code(Command::new("pdfimages").args(["-png"]).arg(&pdf).arg(&images), 0);
    let embedded = image::open(tmp.path().join("img-000.png")).unwrap().to_luma8();
    let words = &pdftotext_bbox(&pdf)[0];
    assert!(words.len() > 20);
    let px = |pt: f64| (pt * 300.0 / 72.0) as u32;
    for word in words {
        let region = imageops::crop_imm(
            &embedded,
            px(word.x_min),
            px(word.y_min),
            px(word.x_max) - px(word.x_min),
            px(word.y_max) - px(word.y_min),
        )
        .to_image();
        let ink =
            region.pixels().filter(|p| p.0[0] < 128).count() as f64 / (region.width() * region.height()).max(1) as f64;
        assert!(ink > 0.05, "{word:?} covers no ink ({:.1}%)", ink * 100.0);
    }
}

#[test]
fn a_two_page_spread_becomes_two_pages_in_reading_order() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let font = fixtures::load_font().unwrap();
    let spec = PageSpec::a5(300.0);
    let left = fixtures::render_page(&font, &spec, &texts::KAZAKH[..2]);
    let right = fixtures::render_page(&font, &spec, &texts::RUSSIAN[..2]);
    let (w, h) = left.image.dimensions();
    let mut spread = GrayImage::from_pixel(2 * w, h, Luma([255]));
    imageops::replace(&mut spread, &left.image, 0, 0);
    imageops::replace(&mut spread, &right.image, w as i64, 0);
    write_png(&batch.join("spread.png"), &spread, 300.0).unwrap();
    write_png(&batch.join("whole.png"), &spread, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    ingest(&batch, &archive);

    let pdf = archive.join("documents/spread/spread.pdf");
    assert_eq!(pdf_pages(&pdf), 2);
    let record = record_json(&archive, "spread");
    assert_eq!(record["pages"][0]["preparation"]["split"], "left");
    assert_eq!(record["pages"][1]["preparation"]["split"], "right");
    let text = pdftotext_raw(&pdf);
    let pages: Vec<&str> = text.split('\x0c').collect();
    assert!(cer(pages[0], &left.text()) < 0.02, "left page first:\n{}", pages[0]);
    assert!(cer(pages[1], &right.text()) < 0.02, "right page second:\n{}", pages[1]);

    // --no-split keeps it whole.
    let whole_archive = tmp.path().join("whole");
    expect_code(olke(&whole_archive).args(["ingest", "--no-split"]).arg(batch.join("whole.png")), 0);
    assert_eq!(pdf_pages(&whole_archive.join("documents/whole/whole.pdf")), 1);
}

#[test]
fn a_dark_scanner_edge_is_cropped_away() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let page = page(&texts::KAZAKH[..2], 300.0);
    let (w, h) = page.image.dimensions();
    let mut framed = GrayImage::from_pixel(w + 120, h, Luma([20]));
    imageops::replace(&mut framed, &page.image, 120, 0);
    write_png(&batch.join("edge.png"), &framed, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    ingest(&batch, &archive);

    let prepared = &record_json(&archive, "edge")["pages"][0];
    let crop = &prepared["preparation"]["crop"];
    assert!(crop["x0"].as_u64().unwrap() >= 120, "the dark strip is cut: {crop}");
    assert!(crop["x0"].as_u64().unwrap() < 150, "and not much more: {crop}");
    assert_eq!(prepared["width"].as_u64().unwrap(), u64::from(w + 120) - crop["x0"].as_u64().unwrap());
    let text = pdftotext_raw(&archive.join("documents/edge/edge.pdf"));
    assert!(cer(&text, &page.text()) < 0.02, "{text}");
}
