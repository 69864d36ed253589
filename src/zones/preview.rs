//! The preview of a page's zones: the prepared page, made small enough to look over whole
//! on a screen, with each zone outlined in its kind's colour and its number drawn large.

use image::{imageops, GrayImage, Rgb, RgbImage};

use super::{Zone, ZoneKind};

/// The preview's height: a page fits a screen, and numbers stay readable.
pub(crate) const HEIGHT: u32 = 1600;

/// The preview of `page` (the prepared page's gray image) with `zones` on it.
pub(crate) fn render(page: &GrayImage, zones: &[Zone]) -> RgbImage {
    let scale = (HEIGHT as f32 / page.height() as f32).min(1.0);
    let (width, height) =
        (((page.width() as f32 * scale).round() as u32).max(1), ((page.height() as f32 * scale).round() as u32).max(1));
    let small = imageops::resize(page, width, height, imageops::FilterType::Triangle);
    // The page paler, so the outlines stand out on print.
    let mut preview = RgbImage::from_fn(width, height, |x, y| {
        let v = 96 + small.get_pixel(x, y)[0] as u32 * 159 / 255;
        Rgb([v as u8; 3])
    });
    let line = (height / 400).max(2);
    let digit = (height / 60).max(8);
    for zone in zones {
        let colour = colour(zone.kind);
        let b = zone.bbox.scaled(scale);
        let (x0, y0) = (b.x0.min(width - 1), b.y0.min(height - 1));
        let (x1, y1) = (b.x1.clamp(x0 + 1, width), b.y1.clamp(y0 + 1, height));
        for t in 0..line {
            for x in x0..x1 {
                paint(&mut preview, x, y0 + t, colour);
                paint(&mut preview, x, (y1 - 1).saturating_sub(t), colour);
            }
            for y in y0..y1 {
                paint(&mut preview, x0 + t, y, colour);
                paint(&mut preview, (x1 - 1).saturating_sub(t), y, colour);
            }
        }
        draw_number(&mut preview, zone.number, x0 + 2 * line, y0 + 2 * line, digit, colour);
    }
    preview
}

fn colour(kind: ZoneKind) -> Rgb<u8> {
    match kind {
        ZoneKind::Article => Rgb([220, 30, 30]),
        ZoneKind::Picture => Rgb([20, 110, 220]),
        ZoneKind::Advertisement => Rgb([0, 150, 60]),
        ZoneKind::Masthead => Rgb([150, 60, 180]),
    }
}

fn paint(image: &mut RgbImage, x: u32, y: u32, colour: Rgb<u8>) {
    if x < image.width() && y < image.height() {
        image.put_pixel(x, y, colour);
    }
}

/// Digits as 3×5 cells, row by row from the top, the high bit on the left.
const DIGITS: [[u8; 5]; 10] = [
    [7, 5, 5, 5, 7],
    [2, 6, 2, 2, 7],
    [7, 1, 7, 4, 7],
    [7, 1, 7, 1, 7],
    [5, 5, 7, 1, 1],
    [7, 4, 7, 1, 7],
    [7, 4, 7, 5, 7],
    [7, 1, 1, 1, 1],
    [7, 5, 7, 5, 7],
    [7, 5, 7, 1, 7],
];

/// Draws `number` `height` pixels tall at (x, y), white on a block of `colour`, so it
/// reads on text and on pictures alike (no font is needed in the release binary).
fn draw_number(image: &mut RgbImage, number: u32, x: u32, y: u32, height: u32, colour: Rgb<u8>) {
    let cell = (height / 5).max(1);
    let text = number.to_string();
    let width = text.len() as u32 * 4 * cell + cell;
    for by in 0..7 * cell {
        for bx in 0..width {
            paint(image, x + bx, y + by, colour);
        }
    }
    for (i, d) in text.bytes().enumerate() {
        let rows = DIGITS[(d - b'0') as usize];
        for (r, bits) in rows.iter().enumerate() {
            for c in 0..3u32 {
                if bits & (4 >> c) != 0 {
                    for py in 0..cell {
                        for px in 0..cell {
                            let gx = x + cell + i as u32 * 4 * cell + c * cell + px;
                            paint(image, gx, y + cell + r as u32 * cell + py, Rgb([255, 255, 255]));
                        }
                    }
                }
            }
        }
    }
}
