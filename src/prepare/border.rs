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

/// Mean absolute difference between neighbours along the side, over the pixels of
/// `area` (x0, y0, x1, y1) that pass `keep`: how much the tone changes going along the
/// edge. `along_columns` compares each pixel with the one below it, else with the one to
/// its right.
fn roughness(image: &GrayImage, area: (u32, u32, u32, u32), along_columns: bool, keep: impl Fn(u8) -> bool) -> f32 {
    let (x0, y0, x1, y1) = area;
    let (mut sum, mut count) = (0u64, 0u64);
    // Every third line across and every step along: enough to measure a texture. (Every
    // other step along would never see the changes of bands an even number of pixels wide.)
    for y in (y0..y1.saturating_sub(1)).step_by(if along_columns { 1 } else { 3 }) {
        for x in (x0..x1.saturating_sub(1)).step_by(if along_columns { 3 } else { 1 }) {
            let here = image.get_pixel(x, y).0[0];
            let next = if along_columns { image.get_pixel(x, y + 1) } else { image.get_pixel(x + 1, y) }.0[0];
            if keep(here) && keep(next) {
                sum += here.abs_diff(next) as u64;
                count += 1;
            }
        }
    }
    if count == 0 {
        0.0
    } else {
        sum as f32 / count as f32
    }
}

/// The part of the page inside any dark scanner edges, or `None` when there are none.
///
/// A scanner's edge is as smooth along its length as the paper is (the lid, or the shadow
/// of the page's edge); a picture printed up to the edge has detail. So a dark strip whose
/// tone changes along it much more than the paper's does is content, and stays.
pub(super) fn inside_dark_edges(image: &GrayImage, dpi: f32) -> Option<BBox> {
    let (width, height) = image.dimensions();
    // The paper's brightness: most of a page is paper.
    let histogram = super::clean::histogram(image.as_raw().iter().step_by(7).copied());
    let paper = super::clean::percentile(&histogram, 0.7) as f32;
    let dark_below = (DARK * paper) as u8;
    let columns = dark_share(image, dark_below, true);
    let rows = dark_share(image, dark_below, false);
    // A margin past the edge's last dark line: its blurred border and shadow.
    let margin = (dpi / 50.0).round() as usize;
    let (w, h) = (width as usize, height as usize);
    let limit_x = (w as f32 * MAX_SHARE) as usize;
    let limit_y = (h as f32 * MAX_SHARE) as usize;
    let paper_noise =
        roughness(image, (width / 4, height / 4, width * 3 / 4, height * 3 / 4), true, |v| v >= dark_below);
    // Twice the paper's noise, and a few grey levels for a scanner's banding and JPEG.
    let smooth = |strip: (u32, u32, u32, u32), along_columns: bool| {
        roughness(image, strip, along_columns, |_| true) <= 2.0 * paper_noise + 6.0
    };
    let edge = |run: usize, strip: &dyn Fn(u32) -> (u32, u32, u32, u32), along_columns: bool| {
        // The run's own dark lines, without the margin added past them.
        let dark = run.saturating_sub(margin).max(1) as u32;
        if run > 0 && smooth(strip(dark), along_columns) {
            run
        } else {
            0
        }
    };
    let left = edge(edge_run(columns.iter().copied(), limit_x, margin), &|d| (0, 0, d, height), true);
    let right =
        edge(edge_run(columns.iter().rev().copied(), limit_x, margin), &|d| (width - d, 0, width, height), true);
    let top = edge(edge_run(rows.iter().copied(), limit_y, margin), &|d| (0, 0, width, d), false);
    let bottom =
        edge(edge_run(rows.iter().rev().copied(), limit_y, margin), &|d| (0, height - d, width, height), false);
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
    fn a_picture_printed_up_to_the_edge_is_not_cropped() {
        // A dark engraving-like picture along the left side: hatching, not a flat edge.
        let image = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if x < 90 {
                if (x + y) % 7 < 3 {
                    10
                } else {
                    110
                }
            } else if (150..300).contains(&x) && y % 20 < 6 {
                20
            } else {
                235
            }])
        });
        assert_eq!(inside_dark_edges(&image, 300.0), None);
    }

    #[test]
    fn a_noisy_dark_edge_is_still_cropped() {
        // Scanner noise on both the edge and the paper: the edge is no rougher than the paper.
        let noise = |x: u32, y: u32| ((x * 7919 + y * 104_729) % 23) as u8;
        let image = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if x < 30 {
                20 + noise(x, y)
            } else if (100..300).contains(&x) && y % 20 < 6 {
                20
            } else {
                215 + noise(x, y)
            }])
        });
        let inside = inside_dark_edges(&image, 300.0).expect("an edge");
        assert_eq!(inside.x0, 36);
    }

    #[test]
    fn a_clean_page_is_left_alone() {
        let image = GrayImage::from_fn(400, 300, |x, y| {
            image::Luma([if (50..350).contains(&x) && y % 20 < 6 { 20 } else { 240 }])
        });
        assert_eq!(inside_dark_edges(&image, 300.0), None);
    }
}
