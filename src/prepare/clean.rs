//! Cleaning the page for OCR: scanner noise smoothed, the paper made evenly white
//! (yellowing, shadows, dark edges), faint show-through of the reverse side pushed to
//! white, the ink stretched to full black.
//!
//! The result is binarized in everything but the edges of the letters: a threshold found
//! on the background-normalized page (which makes a global threshold locally adaptive)
//! separates ink from paper, and values between typical ink and the threshold are
//! stretched rather than cut, because Tesseract's LSTM recognizer reads anti-aliased
//! edges better than jagged ones. On the project's damaged test pages this beat
//! Sauvola binarization clearly (BENCHMARKS.md, "Page preparation").
//!
//! The threshold is one value for the page, and blur (low resolution, JPEG, a soft focus)
//! lifts the thin parts of letters above it: the tail of ң, the bars of ұ and ғ, hairlines.
//! Cut to white, they turn ң into н and ұ into у. So marks fainter than the threshold but
//! still clearly darker than the paper are kept where they touch print (within a few
//! pixels of ink), and whitened only where they stand apart, as show-through, stains and
//! noise do (a hysteresis threshold, as edge detectors use).

use image::GrayImage;

/// What cleaning found and did, recorded in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Cleaning {
    /// Noise-free, evenly white paper: left as scanned, since any change could only cost
    /// the recognizer detail.
    AlreadyClean,
    Cleaned {
        /// Noise level (median deviation from a 3×3 median), 0 on clean scans.
        noise: f32,
        /// The smoothing before thresholding, as a Gaussian's σ in pixels (a 3×3 mean is
        /// about 0.8); `None` when the page was not smoothed.
        smoothed: Option<f32>,
        /// Ink/paper threshold on the normalized page (Otsu), 0–255.
        threshold: u8,
        /// Marks darker than this but lighter than the threshold were kept where they
        /// touch print; equal to `threshold` when the paper's noise leaves no such band.
        faint: u8,
    },
}

/// Paper at least this bright everywhere is already white.
const WHITE_PAPER: f32 = 235.0;

/// Noise at or above this level (grey levels) is smoothed away first: clean scans
/// measure 0, lightly noisy ones 2–4, heavily damaged ones 8 and more.
const NOISY: f32 = 6.0;

/// A mark is ink, however faint, when darker than the paper by this many times the
/// paper's noise (Gaussian noise strays that far one pixel in 30,000)...
const INK_NOISE_MULTIPLE: f32 = 4.0;
/// ...and by at least this many grey levels (3 % of white), so that JPEG ringing and
/// quantization on clean paper are not taken for ink.
const MIN_INK_CONTRAST: f32 = 8.0;

/// The grey level below which a mark on paper of shade `paper` and noise `noise` is ink,
/// however faint.
pub(super) fn faintest_ink(paper: f32, noise: f32) -> f32 {
    paper - (INK_NOISE_MULTIPLE * noise).max(MIN_INK_CONTRAST)
}

/// Smoothing blurs by at most this fraction of the page's typical stroke width (as σ):
/// the thin parts of letters, tails and bars about half a stroke wide, then keep most of
/// their darkness (a Gaussian of σ = w/6 leaves a stroke w/2 wide 87 % of its contrast,
/// where a 3×3 mean on a thin typeface at 200 dpi, strokes 3 px, leaves it 64 %, and the
/// threshold cuts it: ц is read as и, щ as ш, е as с).
const STROKE_PER_SIGMA: f32 = 6.0;

/// How far from print, in pixels at up to 300 dpi, faint marks count as part of it: blur
/// spreads a stroke's edge over one to three pixels whatever the resolution.
const TOUCHING_PRINT: f32 = 3.0;

/// Noise estimate: the median absolute difference between a pixel and the median of its
/// 3×3 neighbourhood, over a central window (text edges are too few to move a median).
pub(super) fn noise_level(image: &GrayImage) -> f32 {
    let (width, height) = image.dimensions();
    let size = 384.min(width).min(height);
    if size < 3 {
        return 0.0;
    }
    let (x0, y0) = ((width - size) / 2, (height - size) / 2);
    let window = image::imageops::crop_imm(image, x0, y0, size, size).to_image();
    let median = imageproc::filter::median_filter(&window, 1, 1);
    let deviations = window.as_raw().iter().zip(median.as_raw()).map(|(a, b)| a.abs_diff(*b));
    percentile(&histogram(deviations), 0.5) as f32
}

/// How many of `values` there are of each value 0–255.
pub(super) fn histogram(values: impl IntoIterator<Item = u8>) -> [u32; 256] {
    let mut histogram = [0u32; 256];
    values.into_iter().for_each(|v| histogram[v as usize] += 1);
    histogram
}

/// The value below which `share` of the histogram lies.
pub(super) fn percentile(histogram: &[u32; 256], share: f64) -> u8 {
    let total: u64 = histogram.iter().map(|&n| n as u64).sum();
    let target = (total as f64 * share).ceil() as u64;
    let mut seen = 0u64;
    for (value, &n) in histogram.iter().enumerate() {
        seen += n as u64;
        if seen >= target.max(1) {
            return value as u8;
        }
    }
    255
}

/// Otsu's threshold: the value that best separates the histogram into two classes.
/// Where several values separate them equally well (an empty stretch between ink and
/// paper), the middle of that stretch is taken: the first one, as most implementations
/// return, would class the palest ink as paper.
pub(super) fn otsu_threshold(histogram: &[u32; 256]) -> u8 {
    let total: f64 = histogram.iter().map(|&n| n as f64).sum();
    let sum: f64 = histogram.iter().enumerate().map(|(v, &n)| v as f64 * n as f64).sum();
    let (mut below, mut below_sum) = (0.0, 0.0);
    let mut variances = [0f64; 256];
    for t in 1..256 {
        below += histogram[t - 1] as f64;
        below_sum += (t - 1) as f64 * histogram[t - 1] as f64;
        let above = total - below;
        if below > 0.0 && above > 0.0 {
            let difference = below_sum / below - (sum - below_sum) / above;
            variances[t] = below * above * difference * difference;
        }
    }
    let best = variances.iter().cloned().fold(0.0, f64::max);
    let ties: Vec<usize> = (0..256).filter(|&t| variances[t] >= best * (1.0 - 1e-9)).collect();
    if ties.is_empty() {
        128
    } else {
        ((ties[0] + ties[ties.len() - 1]) / 2) as u8
    }
}

/// The paper's brightness around every pixel, estimated on tiles: the brightest pixel of
/// each tile, closed over neighbouring tiles (so that tiles inside large letters borrow
/// their neighbours' paper) and smoothed. Returns tile values and the tile size.
fn background(image: &GrayImage, tile: u32) -> Background {
    let (width, height) = image.dimensions();
    let (cols, rows) = (width.div_ceil(tile), height.div_ceil(tile));
    let mut tiles = vec![0u8; (cols * rows) as usize];
    for (y, row) in image.as_raw().chunks(width as usize).enumerate() {
        let base = (y as u32 / tile * cols) as usize;
        for (x, &v) in row.iter().enumerate() {
            let t = &mut tiles[base + x / tile as usize];
            *t = (*t).max(v);
        }
    }
    let grid = GrayImage::from_raw(cols, rows, tiles).expect("sizes match");
    // Closing: a maximum over two tiles around, then a minimum, keeps large dark areas
    // (a scanner's edge) their size while filling in the text.
    let closed = imageproc::morphology::grayscale_erode(
        &imageproc::morphology::grayscale_dilate(&grid, &imageproc::morphology::Mask::square(2)),
        &imageproc::morphology::Mask::square(2),
    );
    let smooth = imageproc::filter::box_filter(&closed, 1, 1);
    Background { tiles: smooth.as_raw().iter().map(|&v| v as f32).collect(), cols, rows, tile }
}

/// The paper's brightness per tile, as [`background`] estimates it.
struct Background {
    tiles: Vec<f32>,
    cols: u32,
    rows: u32,
    tile: u32,
}

impl Background {
    /// Paper that needs no normalizing: white (at least `white`) everywhere.
    fn is_white(&self, white: f32) -> bool {
        self.tiles.iter().all(|&v| v >= white)
    }
}

/// Divides every pixel by its background, so the paper becomes 255 everywhere.
fn normalize(image: &GrayImage, background: &Background) -> GrayImage {
    let (width, height) = image.dimensions();
    let Background { tiles: bg, cols, rows, tile } = background;
    let (bg, cols, rows, tile) = (bg.as_slice(), *cols, *rows, *tile);
    let at = |c: u32, r: u32| bg[(r.min(rows - 1) * cols + c.min(cols - 1)) as usize];
    let mut out = GrayImage::new(width, height);
    let t = tile as f32;
    // Bilinear interpolation between tile centres: where a pixel falls between columns
    // is the same on every row, so it is worked out once.
    let columns: Vec<(u32, f32)> = (0..width)
        .map(|x| {
            let fx = ((x as f32 + 0.5) / t - 0.5).max(0.0);
            (fx as u32, fx.fract())
        })
        .collect();
    let mut gain = vec![0f32; width as usize];
    for (y, (src, dst)) in image.as_raw().chunks(width as usize).zip(out.chunks_mut(width as usize)).enumerate() {
        let fy = ((y as f32 + 0.5) / t - 0.5).max(0.0);
        let (r0, wy) = (fy as u32, fy.fract());
        for (g, &(c0, wx)) in gain.iter_mut().zip(&columns) {
            let top = at(c0, r0) * (1.0 - wx) + at(c0 + 1, r0) * wx;
            let bottom = at(c0, r0 + 1) * (1.0 - wx) + at(c0 + 1, r0 + 1) * wx;
            *g = 255.0 / (top * (1.0 - wy) + bottom * wy).max(1.0);
        }
        for ((s, d), g) in src.iter().zip(dst.iter_mut()).zip(&gain) {
            *d = (*s as f32 * g).min(255.0) as u8;
        }
    }
    out
}

/// Background tiles for a page scanned at `dpi`: a twentieth of an inch, smaller than the
/// gaps between lines.
fn tile_size(dpi: f32) -> u32 {
    ((dpi / 20.0).round() as u32).max(4)
}

/// The page with its paper made evenly white and nothing else changed: no smoothing, no
/// threshold, so the faintest ink keeps what contrast it has.
pub(super) fn even_paper(image: &GrayImage, dpi: f32) -> GrayImage {
    normalize(image, &background(image, tile_size(dpi)))
}

/// Cleans a page scanned at `dpi` for OCR.
pub(super) fn clean(image: &GrayImage, dpi: f32) -> (GrayImage, Cleaning) {
    let noise = noise_level(image);
    let tile = tile_size(dpi);
    let paper = background(image, tile);
    if noise < 1.0 && paper.is_white(WHITE_PAPER) {
        return (image.clone(), Cleaning::AlreadyClean);
    }
    let (mut page, smoothed) = if noise >= NOISY { smooth(image, dpi) } else { (normalize(image, &paper), None) };

    let shades = histogram(page.as_raw().iter().copied());
    let threshold = otsu_threshold(&shades);
    // Most of a page is paper, so the median is the paper's shade.
    let paper = percentile(&shades, 0.5) as f32;
    let faint = faintest_ink(paper, noise).max(threshold as f32) as u8;
    let ink_histogram = histogram(page.as_raw().iter().copied().filter(|&v| v < threshold));
    // Typical ink (the median below the threshold) becomes black; lighter values up to
    // the faint limit, the letters' edges and thin parts, are stretched.
    let ink = percentile(&ink_histogram, 0.5).min(threshold.saturating_sub(1));
    let span = (faint - ink).max(1) as f32;
    let stretch: Vec<u8> = (0..=255u8)
        .map(|v| if v >= faint { 255 } else { (v.saturating_sub(ink) as f32 * 255.0 / span) as u8 })
        .collect();
    let near_print = near_print(&page, threshold, dpi);
    for (p, near) in page.pixels_mut().zip(near_print.as_raw()) {
        let v = p[0];
        p[0] = if v < threshold || (*near > 0 && v < faint) { stretch[v as usize] } else { 255 };
    }
    (page, Cleaning::Cleaned { noise, smoothed, threshold, faint })
}

/// The page smoothed and its paper evened, with the σ of the smoothing: a 3×3 mean at 300
/// dpi (wider at higher resolutions), or a narrower Gaussian where the page's strokes are
/// too thin for it (see [`STROKE_PER_SIGMA`]).
fn smooth(image: &GrayImage, dpi: f32) -> (GrayImage, Option<f32>) {
    let tile = tile_size(dpi);
    let radius = (dpi / 300.0).round().max(1.0) as u32;
    let side = (2 * radius + 1) as f32;
    let mean_sigma = ((side * side - 1.0) / 12.0).sqrt();
    let boxed = imageproc::filter::box_filter(image, radius, radius);
    let boxed = normalize(&boxed, &background(&boxed, tile));
    match stroke_width(&boxed, dpi).map(|width| width / STROKE_PER_SIGMA) {
        Some(sigma) if sigma < mean_sigma => {
            let blurred = imageproc::filter::gaussian_blur_f32(image, sigma.max(0.3));
            (normalize(&blurred, &background(&blurred, tile)), Some(sigma))
        }
        _ => (boxed, Some(mean_sigma)),
    }
}

/// The page's typical stroke width in pixels: the median length of the horizontal runs of
/// ink (darker than Otsu's threshold) in every fourth row. Runs wider than a tenth of an
/// inch are rules, pictures and headlines' bold, not the text's strokes.
fn stroke_width(page: &GrayImage, dpi: f32) -> Option<f32> {
    let threshold = otsu_threshold(&histogram(page.as_raw().iter().copied()));
    let widest = ((dpi / 10.0) as usize).min(255);
    let runs = page.as_raw().chunks_exact(page.width() as usize).step_by(4).flat_map(|row| {
        row.split(move |&v| v >= threshold).map(<[u8]>::len).filter(|&n| n > 0 && n <= widest).map(|n| n as u8)
    });
    let widths = histogram(runs);
    widths.iter().any(|&n| n > 0).then(|| percentile(&widths, 0.5) as f32)
}

/// Non-zero where a pixel of `page` darker than `threshold` lies within
/// [`TOUCHING_PRINT`] pixels (more above 300 dpi).
fn near_print(page: &GrayImage, threshold: u8, dpi: f32) -> GrayImage {
    let print = GrayImage::from_fn(page.width(), page.height(), |x, y| {
        image::Luma([if page.get_pixel(x, y)[0] < threshold { 255 } else { 0 }])
    });
    let reach = (TOUCHING_PRINT * (dpi / 300.0).max(1.0)).round() as u8;
    imageproc::morphology::dilate(&print, imageproc::distance_transform::Norm::LInf, reach)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page with uneven paper (a dark gradient), black bars of "text", a faint
    /// reverse-side smudge, and optional noise.
    fn page(noise: bool) -> GrayImage {
        let mut seed = 7u32;
        GrayImage::from_fn(600, 400, |x, y| {
            let paper = 230.0 - x as f32 * 0.12; // yellowed towards the right
            let mut v = if (100..500).contains(&x) && (y % 40) < 12 && y > 40 && y < 360 {
                40.0
            } else if (300..400).contains(&x) && (y % 40) >= 20 && (y % 40) < 30 {
                paper - 35.0 // show-through
            } else {
                paper
            };
            if noise {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                v += ((seed >> 16) % 41) as f32 - 20.0;
            }
            image::Luma([v.clamp(0.0, 255.0) as u8])
        })
    }

    #[test]
    fn paper_becomes_white_and_ink_black() {
        let (clean, cleaning) = clean(&page(false), 300.0);
        assert!(matches!(cleaning, Cleaning::Cleaned { smoothed: None, .. }), "{cleaning:?}");
        assert_eq!(clean.get_pixel(550, 20)[0], 255, "yellowed paper is white");
        assert!(clean.get_pixel(350, 45)[0] < 32, "ink is black: {}", clean.get_pixel(350, 45)[0]);
        assert_eq!(clean.get_pixel(350, 65)[0], 255, "show-through is gone");
    }

    #[test]
    fn faint_parts_of_letters_are_kept_and_faint_marks_apart_from_print_are_not() {
        // A letter's blurred tail hanging below the first bar of text, as pale as the
        // show-through further down.
        let mut scan = page(false);
        for y in 52..56 {
            for x in 200..204 {
                let paper = scan.get_pixel(x, 20)[0];
                scan.put_pixel(x, y, image::Luma([paper - 35]));
            }
        }
        let (clean, cleaning) = clean(&scan, 300.0);
        let Cleaning::Cleaned { threshold, faint, .. } = cleaning else { panic!("{cleaning:?}") };
        assert!(faint > threshold, "noise-free paper leaves a band for faint ink: {threshold} {faint}");
        assert!(clean.get_pixel(201, 53)[0] < 255, "the tail touching the letter is kept");
        assert_eq!(clean.get_pixel(201, 58)[0], 255, "paper below the tail stays white");
        assert_eq!(clean.get_pixel(350, 65)[0], 255, "show-through apart from print is gone");
    }

    #[test]
    fn a_clean_white_page_is_left_as_it_is() {
        let page = GrayImage::from_fn(300, 300, |x, y| {
            image::Luma([if (50..250).contains(&x) && y % 30 < 8 { 10 } else { 250 }])
        });
        assert_eq!(clean(&page, 300.0), (page.clone(), Cleaning::AlreadyClean));
    }

    #[test]
    fn otsu_lands_in_the_middle_of_an_empty_stretch() {
        let mut histogram = [0u32; 256];
        histogram[50] = 100;
        histogram[250] = 400;
        assert_eq!(otsu_threshold(&histogram), 150);
    }

    /// A noisy page of upright strokes `width` pixels wide, 12 pixels apart.
    fn strokes(width: u32) -> GrayImage {
        let mut seed = 11u32;
        GrayImage::from_fn(600, 400, |x, y| {
            let ink = (60..540).contains(&x) && (x % (width + 12)) < width && (y % 40) < 24;
            seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            let v = if ink { 40.0 } else { 225.0 } + ((seed >> 16) % 41) as f32 - 20.0;
            image::Luma([v.clamp(0.0, 255.0) as u8])
        })
    }

    #[test]
    fn thin_strokes_are_smoothed_less_than_bold_ones() {
        for (width, thin) in [(3, true), (6, false)] {
            let (_, cleaning) = clean(&strokes(width), 200.0);
            let Cleaning::Cleaned { smoothed: Some(sigma), .. } = cleaning else { panic!("{cleaning:?}") };
            assert_eq!(sigma < 0.8, thin, "strokes {width} px wide: σ {sigma}");
        }
    }

    #[test]
    fn stroke_width_is_the_typical_run_of_ink() {
        for width in [2, 4, 7] {
            let page =
                GrayImage::from_fn(400, 100, |x, _| image::Luma([if x % (width + 10) < width { 0 } else { 255 }]));
            assert_eq!(stroke_width(&page, 300.0), Some(width as f32));
        }
    }

    #[test]
    fn noisy_pages_are_smoothed() {
        assert_eq!(noise_level(&page(false)), 0.0);
        let noisy = page(true);
        assert!(noise_level(&noisy) >= NOISY, "{}", noise_level(&noisy));
        let (clean, cleaning) = clean(&noisy, 300.0);
        assert!(matches!(cleaning, Cleaning::Cleaned { smoothed: Some(_), .. }), "{cleaning:?}");
        let speckles = (0..600).filter(|&x| clean.get_pixel(x, 20)[0] < 128).count();
        assert!(speckles < 6, "{speckles} dark pixels left in a blank row");
    }
}
