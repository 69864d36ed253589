//! Preparation: turns a decoded scan into what is archived and what is recognized.
//!
//! Steps, each switchable, in order:
//! 1. **crop** dark scanner edges ([`border`]);
//! 2. **clean** for OCR: noise smoothed, paper normalized to white, ink stretched to black
//!    ([`clean`]);
//! 3. **orient**: pages scanned sideways or upside down turned upright ([`orient`]);
//! 4. **split** two facing pages into two pages, left then right ([`split`]);
//! 5. **deskew** each page (up to ±10°) with Leptonica's skew finder ([`leptonica`]);
//! 6. **upscale** the OCR image of pages scanned under 300 dpi.
//!
//! Geometric steps apply to the archived image and the OCR image alike, so a word's box on
//! one is its box on the other (up to [`PreparedPage::ocr_scale`]). What is archived is
//! the page as scanned, only cropped, turned and straightened (or, with
//! [`ImageMode::Bitonal`], the cleaned page in black and white).

mod border;
mod clean;
mod geometry;
pub(crate) mod guard;
mod leptonica;
mod orient;
mod split;

use image::GrayImage;

use crate::page::{BBox, PageImage, Preparation, PreparedPage, SourcePage};

/// Largest skew searched for, degrees.
pub(crate) const MAX_SKEW: f32 = 10.0;
/// Skew below this is left alone: Tesseract follows such slopes itself, and resampling
/// only blurs the print (on the komi-1939 scans, turning pages by 0.2° cost 3–6 points
/// of bag-of-words error; on the dev corpus 0.5° changed nothing).
const MIN_SKEW: f32 = 0.5;
/// Leptonica's own threshold for trusting a skew measurement.
pub(crate) const MIN_SKEW_CONFIDENCE: f32 = 3.0;
/// Pages scanned below this are upscaled for OCR; Tesseract reads best at 300 dpi.
pub(crate) const OCR_DPI: f32 = 300.0;

/// How the archived page image is stored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum ImageMode {
    /// As scanned: colour stays colour, gray stays gray, black-and-white stays so.
    #[default]
    Auto,
    /// Gray, even when scanned in colour.
    Gray,
    /// The cleaned page in black and white (CCITT G4): the smallest files.
    Bitonal,
}

/// Which preparation steps run.
#[derive(Clone, Debug)]
pub(crate) struct PrepareOptions {
    pub crop: bool,
    pub clean: bool,
    pub orient: bool,
    pub split: bool,
    pub deskew: bool,
    pub upscale: bool,
    /// Check the reading against the scan and read again where lines were missed ([`guard`]).
    pub guard: bool,
    pub image_mode: ImageMode,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        PrepareOptions {
            crop: true,
            clean: true,
            orient: true,
            split: true,
            deskew: true,
            upscale: true,
            guard: true,
            image_mode: ImageMode::Auto,
        }
    }
}

impl PrepareOptions {
    /// No preparation at all: the scan is archived and recognized as it is.
    pub(crate) fn none() -> Self {
        PrepareOptions {
            crop: false,
            clean: false,
            orient: false,
            split: false,
            deskew: false,
            upscale: false,
            guard: false,
            image_mode: ImageMode::Auto,
        }
    }
}

/// A page being prepared: the archived image and its OCR counterpart, kept in step.
struct Work {
    archive: PageImage,
    ocr: GrayImage,
    log: Preparation,
}

impl Work {
    fn cropped(&self, area: BBox) -> Work {
        Work {
            archive: geometry::crop(&self.archive, area),
            ocr: image::imageops::crop_imm(&self.ocr, area.x0, area.y0, area.width(), area.height()).to_image(),
            log: self.log.clone(),
        }
    }
}

/// Prepares one scanned page. A two-page spread becomes two pages, hence the `Vec`.
pub(crate) fn prepare(source: SourcePage, options: &PrepareOptions) -> Vec<PreparedPage> {
    let SourcePage { origin, image, dpi, .. } = source;
    let mut work = Work { ocr: image.to_gray(), archive: image, log: Preparation::default() };

    let timer = std::time::Instant::now();
    let lap = |step: &str| tracing::trace!(step, ms = timer.elapsed().as_millis() as u64, "preparation");
    if options.crop {
        if let Some(inside) = border::inside_dark_edges(&work.ocr, dpi) {
            work = work.cropped(inside);
            work.log.crop = Some(inside);
            work.log.steps.push("crop".into());
        }
        lap("crop");
    }
    if options.clean {
        let (clean, cleaning) = clean::clean(&work.ocr, dpi);
        work.ocr = clean;
        if let clean::Cleaning::Cleaned { noise, smoothed, threshold, faint } = cleaning {
            let smoothing =
                smoothed.map(|sigma| format!(", smoothed (noise {noise}, σ {sigma:.1})")).unwrap_or_default();
            let touching =
                if faint > threshold { format!(", faint ink to {faint} kept by print") } else { String::new() };
            work.log.threshold = Some(format!("normalized, threshold {threshold}{touching}{smoothing}"));
            work.log.steps.push("clean".into());
        }
        lap("clean");
    }
    if options.orient && orient::looks_sideways(&work.ocr, dpi) {
        if let Some(turn) = orient::upright_turn(&work.ocr, dpi).filter(|&t| t != 0) {
            work.archive = geometry::turn(&work.archive, turn);
            work.ocr = geometry::turned(&work.ocr, turn);
            work.log.rotation = Some(turn);
            work.log.steps.push("orient".into());
        }
        lap("orient");
    }
    let halves = match options.split.then(|| split::gutter(&work.ocr, dpi)).flatten() {
        Some(cut) => {
            let (width, height) = work.ocr.dimensions();
            let mut halves = Vec::new();
            for (side, area) in [
                ("left", BBox { x0: 0, y0: 0, x1: cut, y1: height }),
                ("right", BBox { x0: cut, y0: 0, x1: width, y1: height }),
            ] {
                let mut half = work.cropped(area);
                half.log.split = Some(side.into());
                half.log.steps.push("split".into());
                halves.push(half);
            }
            halves
        }
        None => vec![work],
    };
    lap("split");

    halves
        .into_iter()
        .map(|mut page| {
            if options.deskew {
                deskew(&mut page);
                lap("deskew");
            }
            let archive = match options.image_mode {
                ImageMode::Auto => page.archive,
                ImageMode::Gray => geometry::to_gray(page.archive),
                ImageMode::Bitonal => PageImage::Bitonal(geometry::binarize(page.ocr.clone())),
            };
            // Files often state 299.99 dpi for 300: only a real shortfall is worth resampling.
            let (ocr, ocr_scale) = if options.upscale && dpi < 0.95 * OCR_DPI {
                upscale(&page.ocr, OCR_DPI / dpi)
            } else {
                (page.ocr, 1.0)
            };
            if ocr_scale != 1.0 {
                page.log.ocr_scale = Some(ocr_scale);
                page.log.steps.push("upscale".into());
            }
            lap("upscale");
            PreparedPage { origin: origin.clone(), archive, dpi, ocr, ocr_scale, preparation: page.log }
        })
        .collect()
}

/// Frees this thread's preparation engines (Tesseract OSD).
pub(crate) fn release() {
    orient::release();
}

/// Below this mean word confidence a page may be upside down (readings of upright pages,
/// damaged ones included, score 85 and more; upside-down ones 25–40).
pub(crate) const DOUBTFUL_CONFIDENCE: f32 = 60.0;

/// The turns that may set a page upright, asked when its first reading was doubtful: the
/// one Tesseract's orientation detection is sure of; or, for a reading that ran down the
/// page when detection cannot tell (too little text), both quarter turns, to be judged by
/// reading; else none.
///
/// A page preparation already turned (its lines looked sideways) may have been turned
/// wrongly, by a picture's hatching, say: turning it back is always among the candidates.
pub(crate) fn upright_turns(page: &PreparedPage, read_sideways: bool) -> Vec<u16> {
    let mut turns = match orient::upright_turn(&page.ocr, page.dpi * page.ocr_scale) {
        Some(0) if !read_sideways => Vec::new(),
        Some(turn) if turn != 0 => vec![turn],
        _ if read_sideways => vec![90, 270],
        _ => Vec::new(),
    };
    if let Some(back) = page.preparation.rotation.map(|turned| (360 - turned) % 360).filter(|&t| t != 0) {
        if !turns.contains(&back) {
            turns.push(back);
        }
    }
    turns
}

/// The page turned clockwise by `turn` degrees.
pub(crate) fn turned(page: &PreparedPage, turn: u16) -> PreparedPage {
    let mut log = page.preparation.clone();
    log.rotation = Some((log.rotation.unwrap_or(0) + turn) % 360).filter(|&total| total != 0);
    log.steps.push("orient".into());
    PreparedPage {
        origin: page.origin.clone(),
        archive: geometry::turn(&page.archive, turn),
        dpi: page.dpi,
        ocr: geometry::turned(&page.ocr, turn),
        ocr_scale: page.ocr_scale,
        preparation: log,
    }
}

/// Straightens the page when its lines are measurably skewed.
fn deskew(page: &mut Work) {
    let Some((angle, confidence)) = leptonica::find_skew(&page.ocr, MAX_SKEW) else { return };
    tracing::debug!(angle, confidence, "skew");
    if confidence < MIN_SKEW_CONFIDENCE || angle.abs() < MIN_SKEW {
        return;
    }
    // Leptonica's angle turns the page clockwise; ours are counter-clockwise.
    let degrees = -angle;
    page.archive = geometry::rotate(&page.archive, degrees);
    page.ocr = leptonica::rotate_gray(&page.ocr, degrees, leptonica::Resampling::Shear);
    page.log.deskew_degrees = Some((degrees * 100.0).round() / 100.0);
    page.log.steps.push("deskew".into());
}

fn upscale(image: &GrayImage, factor: f32) -> (GrayImage, f32) {
    let scaled = leptonica::scale_gray(image, factor);
    let actual = scaled.width() as f32 / image.width() as f32;
    (scaled, actual)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::PageOrigin;
    use crate::testkit::fixtures::{self, texts, PageSpec};

    fn rendered(paragraphs: &[&str]) -> GrayImage {
        let font = fixtures::load_font().expect("fixture font");
        fixtures::render_page(&font, &PageSpec::small(300.0), paragraphs).image
    }

    fn source(image: GrayImage) -> SourcePage {
        SourcePage {
            origin: PageOrigin { file: "test.png".into(), index: 0 },
            image: PageImage::Gray(image),
            dpi: 300.0,
            dpi_from_file: true,
        }
    }

    #[test]
    fn a_known_skew_is_measured_within_a_fifth_of_a_degree() {
        let page = rendered(texts::KAZAKH);
        for skew in [-6.5f32, -2.0, 1.3, 4.0] {
            let skewed = leptonica::rotate_gray(&page, skew, leptonica::Resampling::AreaMap);
            let prepared = prepare(source(skewed), &PrepareOptions::default());
            let found = prepared[0].preparation.deskew_degrees.expect("deskewed");
            assert!((found + skew).abs() <= 0.2, "skew {skew}°: turned back by {found}°");
        }
    }
}
