//! The invisible text layer of one page: every recognized word drawn in render mode 3
//! (neither filled nor stroked) with the glyphless font, on its line's baseline, scaled
//! horizontally so that it covers exactly its box on the page image.

use std::fmt::Write;

use super::font::{encode, GLYPH_WIDTH};
use crate::page::{Line, RecognizedPage};

/// Smallest gap between words of a line, as a share of the row height (the font size).
/// pdftotext puts a space between words only where the gap exceeds 0.15 of the font
/// size; this leaves a margin over that.
const MIN_WORD_GAP: f32 = 0.25;

/// Resource name of the text-layer font in page resources.
pub(crate) const FONT_RESOURCE: &str = "F0";

/// Writes `value` with at most two decimals and no trailing zeros (content streams are
/// mostly numbers; hundredths of a point are far below what a viewer can show).
fn num(out: &mut String, value: f32) {
    let rounded = (value * 100.0).round() / 100.0;
    let mut text = format!("{rounded:.2}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    if text == "-0" {
        text = "0".into();
    }
    out.push_str(&text);
}

fn hex(out: &mut String, bytes: &[u8]) {
    out.push('<');
    for b in bytes {
        let _ = write!(out, "{b:02X}");
    }
    out.push('>');
}

/// Content-stream operators for the text layer of `page`, drawn on a page of
/// `page.width × page.height` pixels at `page.dpi`.
pub(crate) fn text_layer(page: &RecognizedPage) -> String {
    let points_per_pixel = 72.0 / page.dpi;
    let page_height = page.height as f32;
    let mut out = String::from("BT\n3 Tr\n");
    for line in &page.lines {
        line_ops(&mut out, line, points_per_pixel, page_height);
    }
    out.push_str("ET\n");
    out
}

fn line_ops(out: &mut String, line: &Line, k: f32, page_height: f32) {
    // The row height gives the font size; a viewer's selection box then spans the row.
    let font_size = (line.x_size.max(1.0)) * k;
    // Text follows the baseline's slope (y grows downwards in the image, upwards in PDF).
    let slope = line.baseline_slope;
    let norm = (1.0 + slope * slope).sqrt();
    let (cos, sin) = (1.0 / norm, -slope / norm);
    out.push('/');
    out.push_str(FONT_RESOURCE);
    out.push(' ');
    num(out, font_size);
    out.push_str(" Tf\n");
    let last = line.words.len().saturating_sub(1);
    // PDF text extractors find word breaks by the gap between glyphs, not by space
    // characters; Tesseract's boxes of neighbouring words sometimes touch, so each word
    // ends at least this far (in pixels) before the next one starts.
    let min_gap = MIN_WORD_GAP * line.x_size.max(1.0);
    for (i, word) in line.words.iter().enumerate() {
        let chars = word.text.chars().count().max(1) as f32;
        let x = word.bbox.x0 as f32;
        let mut right = word.bbox.x1 as f32;
        if let Some(next) = line.words.get(i + 1) {
            right = right.min(next.bbox.x0 as f32 - min_gap);
        }
        // Never shrink a word below half its box.
        let width_px = (right - x).max(word.bbox.width() as f32 / 2.0).max(1.0);
        // Stretch the word's glyphs to its box: `chars` advances of half an em each.
        let box_width = width_px * k * norm;
        let natural = chars * font_size * GLYPH_WIDTH / 1000.0;
        let scale = 100.0 * box_width / natural;
        if i == 0 {
            for v in [cos, sin, -sin, cos] {
                num(out, v);
                out.push(' ');
            }
            num(out, x * k);
            out.push(' ');
            num(out, (page_height - line.baseline_at(x)) * k);
            out.push_str(" Tm ");
        } else {
            // Along the baseline from the previous word's start: shorter than a new matrix.
            num(out, (x - line.words[i - 1].bbox.x0 as f32) * k * norm);
            out.push_str(" 0 Td ");
        }
        num(out, scale);
        out.push_str(" Tz ");
        // A space after every word but the line's last, so that copy and paste separates
        // words even in viewers that do not infer spaces from gaps.
        let text = if i < last { format!("{} ", word.text) } else { word.text.clone() };
        hex(out, &encode(&text));
        out.push_str(" Tj\n");
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{BBox, Word};

    #[test]
    fn numbers_are_short() {
        let mut s = String::new();
        for v in [1.0, 0.5, 12.345, -0.001, 100.0] {
            num(&mut s, v);
            s.push(' ');
        }
        assert_eq!(s, "1 0.5 12.35 0 100 ");
    }

    #[test]
    fn words_are_placed_on_the_baseline_and_scaled_to_their_box() {
        let word =
            |text: &str, x0| Word { text: text.into(), bbox: BBox { x0, y0: 100, x1: x0 + 200, y1: 140 }, conf: 90.0 };
        let page = RecognizedPage {
            width: 1000,
            height: 1000,
            dpi: 72.0,
            lines: vec![Line {
                bbox: BBox { x0: 100, y0: 100, x1: 600, y1: 150 },
                baseline_slope: 0.0,
                baseline_offset: -10.0,
                x_size: 50.0,
                x_descenders: 10.0,
                block: 0,
                paragraph: 0,
                words: vec![word("Әже", 100), word("үй", 400)],
                corrected: false,
            }],
            mean_conf: 90.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        };
        let ops = text_layer(&page);
        // 3 glyphs × 25 pt natural width = 75 pt; the box is 200 pt wide.
        assert!(ops.contains("1 0 0 1 100 860 Tm 266.67 Tz <04D8043604350020> Tj"), "{ops}");
        // The next word moves along the baseline; the last word of the line has no
        // trailing space: 2 glyphs → 50 pt natural.
        assert!(ops.contains("\n300 0 Td 400 Tz <04AF0439> Tj"), "{ops}");
        assert!(ops.starts_with("BT\n3 Tr\n/F0 50 Tf\n"));
    }
}
