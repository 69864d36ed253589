//! Preparation: turns a decoded scan into what is archived and what is recognized.
//!
//! The archived image is the page as the reader should see it; the OCR image is the
//! same page made easy for Tesseract. Coordinates found on the OCR image are mapped back
//! through [`PreparedPage::ocr_scale`].

use crate::page::{PreparedPage, SourcePage};

/// Which preparation steps run.
#[derive(Clone, Debug, Default)]
pub struct PrepareOptions {}

/// Prepares one scanned page. A two-page spread may become two pages, hence the `Vec`.
pub fn prepare(source: SourcePage, _options: &PrepareOptions) -> Vec<PreparedPage> {
    let ocr = source.image.to_gray();
    vec![PreparedPage {
        origin: source.origin,
        archive: source.image,
        dpi: source.dpi,
        ocr,
        ocr_scale: 1.0,
        preparation: Default::default(),
    }]
}
