//! Two facing pages scanned as one image (an A3 scan of an open book): found by the
//! empty gutter between two blocks of text, and cut there.

use image::GrayImage;

/// Wider than tall by this much before a scan can be a spread.
const SPREAD_ASPECT: f32 = 1.15;

/// The column to cut a spread at, or `None` for a single page. `clean` is the page as
/// cleaned for OCR (ink black, paper white, gutter shadow gone).
pub(super) fn gutter(clean: &GrayImage) -> Option<u32> {
    let (width, height) = clean.dimensions();
    if (width as f32) < SPREAD_ASPECT * height as f32 {
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
    (empty && left > 20.0 * least.max(0.5) && right > 20.0 * least.max(0.5)).then_some(cut as u32)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text_block(x: u32, y: u32, x0: u32, x1: u32) -> bool {
        (x0..x1).contains(&x) && (40..560).contains(&y) && y % 24 < 10 && x % 13 < 10
    }

    #[test]
    fn two_facing_pages_are_cut_in_the_gutter() {
        let spread = GrayImage::from_fn(900, 600, |x, y| {
            image::Luma([if text_block(x, y, 60, 400) || text_block(x, y, 500, 840) { 0 } else { 255 }])
        });
        let cut = gutter(&spread).expect("a spread");
        assert!((400..500).contains(&cut), "{cut}");
    }

    #[test]
    fn a_portrait_page_or_a_full_width_landscape_page_is_not_cut() {
        let portrait =
            GrayImage::from_fn(600, 900, |x, y| image::Luma([if text_block(x, y, 60, 540) { 0 } else { 255 }]));
        assert_eq!(gutter(&portrait), None);
        let landscape =
            GrayImage::from_fn(900, 600, |x, y| image::Luma([if text_block(x, y, 60, 840) { 0 } else { 255 }]));
        assert_eq!(gutter(&landscape), None);
    }
}
