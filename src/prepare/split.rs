//! Two facing pages scanned as one image (an A3 scan of an open book): found by the
//! empty gutter between two blocks of text, and cut there.
//!
//! Cutting a single page in two shifts every later page number (which `deliver --pages`
//! relies on), while a spread left whole is still read. So a scan is cut only when it looks
//! like two pages in every respect: wider than tall, each half the size of a book page, an
//! empty gutter, and on each side of it several lines of text.

use image::GrayImage;

/// Wider than tall by this much before a scan can be a spread.
const SPREAD_ASPECT: f32 = 1.15;
/// The smallest page a spread is made of, in inches: under A6 (4.1 × 5.8 in) with room for
/// a scan cropped close.
const MIN_PAGE_WIDTH_IN: f32 = 3.5;
const MIN_PAGE_HEIGHT_IN: f32 = 5.0;
/// A page of text holds this many lines at least (the last page of a chapter too); a
/// title, a caption or a few words do not.
const MIN_LINES: usize = 3;

/// The column to cut a spread at, or `None` for a single page. `clean` is the page as
/// cleaned for OCR (ink black, paper white, gutter shadow gone).
pub(super) fn gutter(clean: &GrayImage, dpi: f32) -> Option<u32> {
    let (width, height) = clean.dimensions();
    if (width as f32) < SPREAD_ASPECT * height as f32
        || (width as f32) < 2.0 * MIN_PAGE_WIDTH_IN * dpi
        || (height as f32) < MIN_PAGE_HEIGHT_IN * dpi
    {
        return None;
    }
    let mut ink = vec![0u32; width as usize];
    for row in clean.as_raw().chunks(width as usize) {
        for (x, &v) in row.iter().enumerate() {
            ink[x] += (v < 128) as u32;
        }
    }
    // Smooth over a hundredth of the width, so a gap between words is no gutter.
    let window = (width as usize / 100).max(3);
    let smooth: Vec<f32> = (0..ink.len())
        .map(|x| {
            let (a, b) = (x.saturating_sub(window / 2), (x + window / 2 + 1).min(ink.len()));
            ink[a..b].iter().sum::<u32>() as f32 / (b - a) as f32
        })
        .collect();
    let (lo, hi) = (width as usize * 35 / 100, width as usize * 65 / 100);
    let (cut, &least) = smooth[lo..hi].iter().enumerate().min_by(|a, b| a.1.total_cmp(b.1))?;
    let cut = lo + cut;
    // A gutter is (almost) empty, with text on both sides of it.
    let mean = |range: std::ops::Range<usize>| smooth[range.clone()].iter().sum::<f32>() / range.len().max(1) as f32;
    let (left, right) = (mean(0..cut), mean(cut..ink.len()));
    let empty = least <= height as f32 * 0.002;
    let inked = empty && left > 20.0 * least.max(0.5) && right > 20.0 * least.max(0.5);
    let pages = |x: std::ops::Range<u32>| looks_like_a_page_of_text(clean, x);
    (inked && pages(0..cut as u32) && pages(cut as u32..width)).then_some(cut as u32)
}

/// True when columns `x` of the page hold at least [`MIN_LINES`] lines of ink.
fn looks_like_a_page_of_text(clean: &GrayImage, x: std::ops::Range<u32>) -> bool {
    let height = clean.height();
    // A row is inked when a few pixels in a thousand of its width are ink: a line of text.
    let least = ((x.len() / 1000).max(2)) as u32;
    let inked: Vec<bool> =
        (0..height).map(|y| x.clone().filter(|&c| clean.get_pixel(c, y).0[0] < 128).count() as u32 >= least).collect();
    let lines = inked.windows(2).filter(|w| !w[0] && w[1]).count() + usize::from(inked.first() == Some(&true));
    lines >= MIN_LINES
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_block(x: u32, y: u32, x0: u32, x1: u32) -> bool {
        (x0..x1).contains(&x) && (40..560).contains(&y) && y % 24 < 10 && x % 13 < 10
    }

    /// The test images are 900 × 600 pixels: at 100 dpi, an A5 spread.
    const DPI: f32 = 100.0;

    #[test]
    fn two_facing_pages_are_cut_in_the_gutter() {
        let spread = GrayImage::from_fn(900, 600, |x, y| {
            image::Luma([if text_block(x, y, 60, 400) || text_block(x, y, 500, 840) { 0 } else { 255 }])
        });
        let cut = gutter(&spread, DPI).expect("a spread");
        assert!((400..500).contains(&cut), "{cut}");
    }

    #[test]
    fn a_portrait_page_or_a_full_width_landscape_page_is_not_cut() {
        let portrait =
            GrayImage::from_fn(600, 900, |x, y| image::Luma([if text_block(x, y, 60, 540) { 0 } else { 255 }]));
        assert_eq!(gutter(&portrait, DPI), None);
        let landscape =
            GrayImage::from_fn(900, 600, |x, y| image::Luma([if text_block(x, y, 60, 840) { 0 } else { 255 }]));
        assert_eq!(gutter(&landscape, DPI), None);
    }

    #[test]
    fn a_small_scan_or_a_landscape_page_with_a_few_words_apart_is_not_cut() {
        let words = |x: u32, y: u32| {
            let word = |x0: u32| (x0..x0 + 250).contains(&x) && (280..320).contains(&y) && x % 13 < 10;
            image::Luma([if word(80) || word(570) { 0 } else { 255 }])
        };
        // Two words far apart on a landscape page: one line is no page of text.
        assert_eq!(gutter(&GrayImage::from_fn(900, 600, words), DPI), None);
        // The same scan as a small image at 300 dpi (3 × 2 inches): no page is that small.
        let spread = GrayImage::from_fn(900, 600, |x, y| {
            image::Luma([if text_block(x, y, 60, 400) || text_block(x, y, 500, 840) { 0 } else { 255 }])
        });
        assert_eq!(gutter(&spread, 300.0), None);
    }
}
