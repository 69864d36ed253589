//! Orientation: pages scanned sideways or upside down are turned upright with Tesseract's
//! orientation and script detection (OSD), through the C API the `tesseract` crate is
//! built on (the crate itself does not expose OSD).
//!
//! OSD costs about a third of a page's OCR time, so it is not run on every page: a
//! sideways page is told cheaply by its text lines (they line up better turned by 90°),
//! and an upside-down page by the poor confidence of its first reading (see
//! `pipeline`), and only those pages are shown to OSD.

use std::cell::RefCell;
use std::ffi::CString;

use image::GrayImage;
use tesseract::plumbing::tesseract_sys as sys;

/// Below this OSD confidence the page is left as it is: a wrong turn costs more than a
/// missed one.
const MIN_CONFIDENCE: f32 = 2.0;

/// A Tesseract instance loaded with the `osd` model only.
struct Osd(*mut sys::TessBaseAPI);

impl Drop for Osd {
    fn drop(&mut self) {
        // SAFETY: created by TessBaseAPICreate and owned by this value alone.
        unsafe { sys::TessBaseAPIDelete(self.0) }
    }
}

impl Osd {
    fn new() -> Option<Osd> {
        let language = CString::new("osd").expect("no NUL");
        // SAFETY: create, then initialise with the default data path.
        unsafe {
            let api = sys::TessBaseAPICreate();
            if api.is_null() {
                return None;
            }
            let osd = Osd(api);
            (sys::TessBaseAPIInit3(api, std::ptr::null(), language.as_ptr()) == 0).then_some(osd)
        }
    }

    /// Clockwise degrees (0, 90, 180, 270) that turn the page upright, with confidence.
    fn detect(&mut self, image: &GrayImage, dpi: f32) -> Option<(u16, f32)> {
        let (mut degrees, mut confidence) = (0, 0f32);
        let mut script: *const std::os::raw::c_char = std::ptr::null();
        let mut script_confidence = 0f32;
        let found = super::leptonica::with_pix(image, dpi, |pix| {
            // SAFETY: `pix` is valid for the call; Tesseract copies the image it is given.
            // The Pix types of the two bindings are the same C struct.
            unsafe {
                sys::TessBaseAPISetImage2(self.0, pix.cast());
                sys::TessBaseAPIDetectOrientationScript(
                    self.0,
                    &mut degrees,
                    &mut confidence,
                    &mut script,
                    &mut script_confidence,
                )
            }
        });
        // Tesseract reports the page's orientation: text turned 90° clockwise is
        // "orientation 90" and needs 270° more to come upright.
        let turn = ((360 - degrees.rem_euclid(360)) % 360) as u16;
        (found != 0).then_some((turn, confidence))
    }
}

thread_local! {
    static OSD: RefCell<Option<Option<Osd>>> = const { RefCell::new(None) };
}

/// Frees this thread's OSD engine (before the process exits, so Tesseract's model cache
/// is not torn down under a live engine).
pub(super) fn release() {
    OSD.with(|cell| cell.borrow_mut().take());
}

/// True when the page's text lines run up and down: they line up far better once the
/// page is turned by a quarter.
pub(super) fn looks_sideways(image: &GrayImage, dpi: f32) -> bool {
    let (across, along) = super::leptonica::line_confidence_across_and_along(image, dpi, super::MAX_SKEW);
    tracing::debug!(across, along, "line direction");
    along >= super::MIN_SKEW_CONFIDENCE && along > 2.0 * across
}

/// Clockwise turn (0, 90, 180 or 270 degrees) that sets the page upright, when Tesseract
/// is confident of it; `None` when it cannot tell (too little text, no `osd` model).
pub(super) fn upright_turn(image: &GrayImage, dpi: f32) -> Option<u16> {
    OSD.with(|cell| {
        let mut slot = cell.borrow_mut();
        let osd = slot.get_or_insert_with(Osd::new).as_mut()?;
        let (degrees, confidence) = osd.detect(image, dpi)?;
        tracing::debug!(degrees, confidence, "orientation");
        (confidence >= MIN_CONFIDENCE).then_some(degrees)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::newspaper::{self, Fonts, Prose};

    #[test]
    fn newspaper_columns_and_rules_are_not_taken_for_sideways_lines() {
        // Narrow columns between rules line up better turned than the lines of text do
        // across columns whose lines are not level with each other's. Of the first 30
        // issues, these two had a page that looked turned before rules were left out.
        let (fonts, prose) = (Fonts::load().unwrap(), Prose::load(std::path::Path::new("")));
        let pages: Vec<_> = [17, 21].into_iter().flat_map(|seed| newspaper::issue(seed, &fonts, &prose)).collect();
        for (n, page) in pages.iter().enumerate() {
            assert!(!looks_sideways(&page.image, page.dpi), "page {n} is upright");
        }
    }
}
