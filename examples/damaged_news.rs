//! Renders heavily damaged newspaper pages for the guard's benchmark (BENCHMARKS.md, "The
//! guard against dropped text"): Russian prose in three columns at 200 dpi, in a serif
//! face that corpus/dev does not use, with ink faded unevenly across the page, the reverse
//! side showing through (mirrored and blurred), yellowed paper, scanner noise and blur, a
//! slight skew. Writes `NAME.png`, `NAME.gt.txt` (the columns in reading order, one printed
//! line per line) and a `manifest.json` in corpus/dev's format, so `score.py` reads it.
//!
//! usage: cargo run --release --features testkit --example damaged_news -- OUT_DIR [FONT.ttf]

use std::path::PathBuf;

use ab_glyph::FontVec;
use image::{GrayImage, Luma};
use olke::testkit::fixtures::{self, texts, PageSpec};

const DPI: f32 = 200.0;
const COLUMNS: u32 = 3;

/// A small deterministic generator (the pages must be the same on every machine).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> f32 {
        self.0 = self.0.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
}

/// Paragraphs enough to fill three columns, the four Russian ones in a rotating order.
fn paragraphs(start: usize) -> Vec<&'static str> {
    (0..24).map(|i| texts::RUSSIAN[(start + i) % texts::RUSSIAN.len()]).collect()
}

/// Three columns of text on a white A4 page, and the text column by column.
fn columns(font: &FontVec, start: usize) -> (GrayImage, Vec<String>) {
    let (width_in, height_in, margin_in, gutter_in) = (8.27, 11.69, 0.6, 0.25);
    let column_in = (width_in - 2.0 * margin_in - (COLUMNS - 1) as f32 * gutter_in) / COLUMNS as f32;
    let spec = PageSpec {
        width_in: column_in,
        height_in: height_in - 2.0 * margin_in,
        dpi: DPI,
        font_pt: 10.0,
        margin_in: 0.0,
        leading: 1.3,
    };
    let mut page = GrayImage::from_pixel((width_in * DPI) as u32, (height_in * DPI) as u32, Luma([255]));
    let mut lines = Vec::new();
    let mut text: Vec<String> = paragraphs(start).into_iter().map(String::from).collect();
    for column in 0..COLUMNS {
        let rendered = fixtures::render_page(font, &spec, &text.iter().map(String::as_str).collect::<Vec<_>>());
        let x = ((margin_in + column as f32 * (column_in + gutter_in)) * DPI) as i64;
        image::imageops::overlay(&mut page, &rendered.image, x, (margin_in * DPI) as i64);
        lines.extend(rendered.lines);
        // The next column goes on where this one stopped.
        text = vec![rendered.overflow.join(" ")];
    }
    (page, lines)
}

/// The page damaged: `faded` is the least share of its contrast ink keeps anywhere.
fn damaged(front: &GrayImage, back: &GrayImage, faded: f32, seed: u64) -> GrayImage {
    let mut noise = Noise(seed);
    let (width, height) = front.dimensions();
    let back = imageproc::filter::box_filter(&image::imageops::flip_horizontal(back), 2, 2);
    let page = GrayImage::from_fn(width, height, |x, y| {
        let (u, v) = (x as f32 / width as f32, y as f32 / height as f32);
        // Fading worst in one band across the page, as where a page lay in the light.
        let fade = faded + (1.0 - faded) * ((u * 2.5 + v * 1.5 + seed as f32).sin() * 0.5 + 0.5);
        let paper = 228.0 - 18.0 * u;
        let ink = (255 - front.get_pixel(x, y)[0]) as f32 / 255.0 * fade;
        let through = (255 - back.get_pixel(x, y)[0]) as f32 / 255.0 * 0.22;
        let value = paper * (1.0 - ink) * (1.0 - through) + (noise.next() - 0.5) * 24.0;
        Luma([value.clamp(0.0, 255.0) as u8])
    });
    let skewed = imageproc::geometric_transformations::rotate_about_center(
        &page,
        (1.2f32 + seed as f32 * 0.3).to_radians(),
        imageproc::geometric_transformations::Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Constant(Luma([220])),
    );
    imageproc::filter::box_filter(&skewed, 1, 1)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let out = PathBuf::from(args.next().ok_or("usage: damaged_news OUT_DIR [FONT.ttf]")?);
    let font = match args.next() {
        Some(path) => FontVec::try_from_vec(std::fs::read(&path)?)?,
        None => FontVec::try_from_vec(std::fs::read("/usr/share/fonts/truetype/dejavu/DejaVuSerifCondensed.ttf")?)?,
    };
    std::fs::create_dir_all(&out)?;
    let mut manifest = Vec::new();
    for (i, faded) in [0.2f32, 0.3, 0.4, 0.5].into_iter().enumerate() {
        let (front, lines) = columns(&font, i);
        let (back, _) = columns(&font, i + 2);
        let name = format!("{i:03}_news_rus_heavy");
        fixtures::write_png(&out.join(format!("{name}.png")), &damaged(&front, &back, faded, i as u64), DPI)?;
        std::fs::write(out.join(format!("{name}.gt.txt")), lines.join("\n") + "\n")?;
        manifest.push(format!(
            r#"{{"image": "{name}.png", "gt": "{name}.gt.txt", "kind": "news", "lang": "rus", "level": "heavy", "dpi": {DPI}, "two_page_spread": false}}"#
        ));
    }
    std::fs::write(out.join("manifest.json"), format!("[\n{}\n]\n", manifest.join(",\n")))?;
    println!("{} pages written to {}", manifest.len(), out.display());
    Ok(())
}
