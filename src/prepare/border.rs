//! Dark scanner edges: the strip where the scanner lid did not cover the glass, or the
//! page did not reach the edge, is cropped away.

use image::GrayImage;

use crate::page::BBox;

/// A pixel is dark when below this share of the paper's brightness.
const DARK: f32 = 0.6;
/// A column or row is scanner edge when this share of it is dark.
const EDGE_SHARE: f32 = 0.8;
/// Never crop more than this share of a side: beyond it the "edge" is content.
const MAX_SHARE: f32 = 0.25;

/// The share of dark pixels in each column (`by_column`) or row. A scanner's edge is dark
/// almost throughout; a line of text, even a dense one, is mostly paper.
fn dark_share(image: &GrayImage, dark_below: u8, by_column: bool) -> Vec<f32> {
    let (width, height) = image.dimensions();
    let (len, other) = if by_column { (width, height) } else { (height, width) };
    let mut counts = vec![0u32; len as usize];
    for (y, row) in image.as_raw().chunks(width as usize).enumerate() {
        for (x, &v) in row.iter().enumerate() {
            counts[if by_column { x } else { y }] += (v < dark_below) as u32;
        }
    }
    counts.into_iter().map(|n| n as f32 / other as f32).collect()
}

/// How many edge lines lie at the start of `shares`, plus a margin.
fn edge_run(shares: impl Iterator<Item = f32>, limit: usize, margin: usize) -> usize {
    let run = shares.take(limit).take_while(|&share| share >= EDGE_SHARE).count();
    if run == 0 {
        0
    } else {
        (run + margin).min(limit)
    }
}

/// The part of the page inside any dark scanner edges, or `None` when there are none.
pub(super) fn inside_dark_edges(image: &GrayImage, dpi: f32) -> Option<BBox> {
    let (width, height) = image.dimensions();
    // The paper's brightness: most of a page is paper.
    let mut histogram = [0u32; 256];
    image.as_raw().iter().step_by(7).for_each(|&v| histogram[v as usize] += 1);
    let paper = super::clean::percentile(&histogram, 0.7) as f32;
    let dark_below = (DARK * paper) as u8;
    let columns = dark_share(image, dark_below, true);
    let rows = dark_share(image, dark_below, false);
    // A margin past the edge's last dark line: its blurred border and shadow.
    let margin = (dpi / 50.0).round() as usize;
    let (w, h) = (width as usize, height as usize);
    let limit_x = (w as f32 * MAX_SHARE) as usize;
    let limit_y = (h as f32 * MAX_SHARE) as usize;
    let left = edge_run(columns.iter().copied(), limit_x, margin);
    let right = edge_run(columns.iter().rev().copied(), limit_x, margin);
    let top = edge_run(rows.iter().copied(), limit_y, margin);
    let bottom = edge_run(rows.iter().rev().copied(), limit_y, margin);
    if left + right + top + bottom == 0 {
        return None;
    }
    Some(BBox { x0: left as u32, y0: top as u32, x1: (w - right) as u32, y1: (h - bottom) as u32 })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dark_left_edge_is_cropped_and_text_is_not() {
        let image = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if x < 30 {
                25
            } else if (100..300).contains(&x) && y % 20 < 6 {
                20
            } else {
                235
            }])
        });
        let inside = inside_dark_edges(&image, 300.0).expect("an edge");
        assert_eq!((inside.x0, inside.y0, inside.x1, inside.y1), (36, 0, 400, 300));
    }

    #[test]
    fn a_clean_page_is_left_alone() {
        let image = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if (50..350).contains(&x) && y % 20 < 6 { 20 } else { 240 }])
        });
        assert_eq!(inside_dark_edges(&image, 300.0), None);
    }
}
