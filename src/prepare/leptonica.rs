//! Leptonica, the image library Tesseract is built on, reached through the bindings the
//! `tesseract` crate already pulls in: its skew finder and its rotation are well-tested C
//! that olke need not write again.

use image::{GrayImage, RgbImage};

use crate::page::BBox;
use tesseract::plumbing::leptonica_plumbing::leptonica_sys as sys;

/// An owned Leptonica image.
struct Pix(*mut sys::Pix);

impl Drop for Pix {
    fn drop(&mut self) {
        // SAFETY: the pointer came from pixCreate/pixRotate and is owned by us alone.
        unsafe { sys::pixDestroy(&mut self.0) }
    }
}

impl Pix {
    fn create(width: u32, height: u32, depth: i32) -> Pix {
        // SAFETY: plain allocation; null only when out of memory.
        let pix = unsafe { sys::pixCreate(width as i32, height as i32, depth) };
        assert!(!pix.is_null(), "Leptonica could not allocate a {width}×{height} image");
        Pix(pix)
    }

    /// The image's rows as 32-bit words, `wpl` words per row.
    fn words(&mut self) -> (&mut [u32], usize) {
        // SAFETY: pixGetData points at height × wpl words owned by this Pix.
        unsafe {
            let wpl = sys::pixGetWpl(self.0) as usize;
            let height = (*self.0).h as usize;
            (std::slice::from_raw_parts_mut(sys::pixGetData(self.0), wpl * height), wpl)
        }
    }

    fn size(&self) -> (u32, u32) {
        // SAFETY: reading two fields of a valid Pix.
        unsafe { ((*self.0).w, (*self.0).h) }
    }

    /// An 8-bit Pix. Leptonica keeps the leftmost pixel of each word in its most
    /// significant byte, whatever the machine's byte order.
    fn from_gray(image: &GrayImage) -> Pix {
        let (width, height) = image.dimensions();
        let mut pix = Pix::create(width, height, 8);
        let (words, wpl) = pix.words();
        for (row, line) in image.as_raw().chunks(width as usize).zip(words.chunks_mut(wpl)) {
            for (word, pixels) in line.iter_mut().zip(row.chunks(4)) {
                let mut bytes = [0u8; 4];
                bytes[..pixels.len()].copy_from_slice(pixels);
                *word = u32::from_be_bytes(bytes);
            }
        }
        pix
    }

    fn into_gray(mut self) -> GrayImage {
        let (width, height) = self.size();
        let (words, wpl) = self.words();
        let mut pixels = Vec::with_capacity(width as usize * height as usize);
        for line in words.chunks(wpl) {
            pixels.extend(line.iter().flat_map(|w| w.to_be_bytes()).take(width as usize));
        }
        GrayImage::from_raw(width, height, pixels).expect("sizes match")
    }

    /// A 32-bit colour Pix: red in the most significant byte, then green and blue.
    fn from_rgb(image: &RgbImage) -> Pix {
        let (width, height) = image.dimensions();
        let mut pix = Pix::create(width, height, 32);
        let (words, wpl) = pix.words();
        for (row, line) in image.as_raw().chunks(3 * width as usize).zip(words.chunks_mut(wpl)) {
            for (word, p) in line.iter_mut().zip(row.chunks(3)) {
                *word = u32::from_be_bytes([p[0], p[1], p[2], 0]);
            }
        }
        pix
    }

    fn into_rgb(mut self) -> RgbImage {
        let (width, height) = self.size();
        let (words, wpl) = self.words();
        let mut pixels = Vec::with_capacity(3 * width as usize * height as usize);
        for line in words.chunks(wpl) {
            pixels.extend(line.iter().take(width as usize).flat_map(|w| {
                let [r, g, b, _] = w.to_be_bytes();
                [r, g, b]
            }));
        }
        RgbImage::from_raw(width, height, pixels).expect("sizes match")
    }

    /// Takes ownership of a Pix Leptonica returned, checking it is there.
    fn returned(pix: *mut sys::Pix, what: &str) -> Pix {
        assert!(!pix.is_null(), "Leptonica could not {what}");
        Pix(pix)
    }

    /// A 1-bit Pix where `ink` pixels are set (Leptonica's 1 is black).
    fn from_ink(image: &GrayImage, ink: impl Fn(u8) -> bool) -> Pix {
        let (width, height) = image.dimensions();
        let mut pix = Pix::create(width, height, 1);
        let (words, wpl) = pix.words();
        for (row, line) in image.as_raw().chunks(width as usize).zip(words.chunks_mut(wpl)) {
            for (word, pixels) in line.iter_mut().zip(row.chunks(32)) {
                *word = pixels.iter().enumerate().filter(|(_, &v)| ink(v)).fold(0, |w, (i, _)| w | (1 << (31 - i)));
            }
        }
        pix
    }
}

/// Runs `f` on a Leptonica copy of `image` that knows its resolution (Tesseract warns
/// about, and guesses for, images without one).
pub(super) fn with_pix<T>(image: &GrayImage, dpi: f32, f: impl FnOnce(*mut sys::Pix) -> T) -> T {
    let pix = Pix::from_gray(image);
    let dpi = dpi.round() as i32;
    // SAFETY: a valid Pix, alive until the end of this function.
    unsafe { sys::pixSetResolution(pix.0, dpi, dpi) };
    f(pix.0)
}

/// The angle in degrees that straightens the text lines (positive: turn the page
/// clockwise), and Leptonica's confidence in it.
pub(super) fn find_skew(image: &GrayImage, max_degrees: f32) -> Option<(f32, f32)> {
    skew_of(&Pix::from_ink(image, |v| v < 128), max_degrees, 1)
}

/// How well the page's text lines line up as they are, and turned by a quarter:
/// Leptonica's skew confidence for each (0 where it finds no lines). Ruled lines (a
/// newspaper's column rules, boxes, underlines) are left out: an inch of unbroken ink is
/// longer than any stroke of a letter in text type, and column rules line up as well as
/// text lines do, so that with them an upright newspaper page can look turned.
/// The test runs at half resolution, where the skew finder would sweep anyway.
pub(super) fn line_confidence_across_and_along(image: &GrayImage, dpi: f32, max_degrees: f32) -> (f32, f32) {
    let full = Pix::from_ink(image, |v| v < 128);
    // SAFETY: a valid 1-bit image; the reduction (a pixel set where any of its four was)
    // and the quarter turn return new images or null.
    let half = Pix::returned(unsafe { sys::pixReduceRankBinary2(full.0, 1, std::ptr::null_mut()) }, "reduce the page");
    let pix = without_rules(half, ((dpi / 2.0).round() as i32).max(8));
    let turned = Pix::returned(unsafe { sys::pixRotate90(pix.0, 1) }, "turn the page");
    let confidence = |pix: &Pix| skew_of(pix, max_degrees, 2).map_or(0.0, |(_, c)| c);
    (confidence(&pix), confidence(&turned))
}

/// `pix` without its runs of ink at least `length` pixels long, across or down.
fn without_rules(pix: Pix, length: i32) -> Pix {
    for (width, height) in [(length, 1), (1, length)] {
        // SAFETY: a valid 1-bit Pix; the opening is a new Pix, subtracted in place.
        unsafe {
            let rules = Pix::returned(sys::pixOpenCompBrick(std::ptr::null_mut(), pix.0, width, height), "find rules");
            sys::pixSubtract(pix.0, pix.0, rules.0);
        }
    }
    pix
}

/// The skew of `pix`, an image at 1/`scale` of the page's resolution.
fn skew_of(pix: &Pix, max_degrees: f32, scale: i32) -> Option<(f32, f32)> {
    let (mut angle, mut confidence, mut score) = (0f32, 0f32, 0f32);
    // Sweep at a quarter of the page's resolution, then refine by binary search at half.
    // SAFETY: pix is a valid 1-bit image; the out-pointers are live locals.
    let status = unsafe {
        sys::pixFindSkewSweepAndSearchScore(
            pix.0,
            &mut angle,
            &mut confidence,
            &mut score,
            4 / scale,
            2 / scale,
            0.0,
            max_degrees,
            0.5,
            0.01,
        )
    };
    (status == 0).then_some((angle, confidence))
}

/// The bounding boxes of the 8-connected groups of `ink` pixels.
pub(super) fn ink_components(image: &GrayImage, ink: impl Fn(u8) -> bool) -> Vec<BBox> {
    let pix = Pix::from_ink(image, ink);
    // SAFETY: a valid 1-bit Pix; the Boxa returned is ours to read and destroy.
    unsafe {
        let mut boxa = sys::pixConnCompBB(pix.0, 8);
        if boxa.is_null() {
            return Vec::new();
        }
        let boxes = (0..sys::boxaGetCount(boxa))
            .filter_map(|i| {
                let (mut x, mut y, mut w, mut h) = (0, 0, 0, 0);
                (sys::boxaGetBoxGeometry(boxa, i, &mut x, &mut y, &mut w, &mut h) == 0).then(|| BBox {
                    x0: x as u32,
                    y0: y as u32,
                    x1: (x + w) as u32,
                    y1: (y + h) as u32,
                })
            })
            .collect();
        sys::boxaDestroy(&mut boxa);
        boxes
    }
}

/// How a rotation finds each new pixel.
#[derive(Clone, Copy)]
pub(super) enum Resampling {
    /// Each new pixel a weighted mean of the four it falls between: smooth edges, for
    /// images people look at.
    AreaMap,
    /// Three shears, each moving whole runs of pixels: no new grey levels and about a
    /// third of the time, for the OCR image (Tesseract binarizes it anyway).
    Shear,
}

/// Rotates `pix` by `degrees` counter-clockwise about its centre, keeping its size and
/// bringing in white paper at the corners.
fn rotate(pix: &Pix, degrees: f32, resampling: Resampling) -> Pix {
    let method = match resampling {
        Resampling::AreaMap => sys::L_ROTATE_AREA_MAP,
        Resampling::Shear => sys::L_ROTATE_SHEAR,
    };
    // SAFETY: a valid source; Leptonica returns a new image or null.
    let rotated = unsafe {
        sys::pixRotate(
            pix.0,
            -degrees.to_radians(), // Leptonica turns clockwise for positive angles
            method as i32,
            sys::L_BRING_IN_WHITE as i32,
            // Leptonica embeds the page in a larger canvas when given its size; 0 keeps the
            // size, as the colour rotation does, so gray and colour archived pages stay in
            // step with their OCR image.
            0,
            0,
        )
    };
    Pix::returned(rotated, "rotate the page")
}

pub(super) fn rotate_gray(image: &GrayImage, degrees: f32, resampling: Resampling) -> GrayImage {
    rotate(&Pix::from_gray(image), degrees, resampling).into_gray()
}

/// Colour pages use Leptonica's fast colour area-map rotation (a third of the time of the
/// general one, indistinguishable on scanned pages).
pub(super) fn rotate_rgb(image: &RgbImage, degrees: f32) -> RgbImage {
    let pix = Pix::from_rgb(image);
    // SAFETY: a valid 32-bit source; Leptonica returns a new image or null.
    let rotated = unsafe { sys::pixRotateAMColorFast(pix.0, -degrees.to_radians(), 0xFFFF_FF00) };
    Pix::returned(rotated, "rotate the page").into_rgb()
}

/// Scales a gray image by `factor` with Leptonica's interpolation (sharpened where it
/// helps), much faster than a generic resampling filter.
pub(super) fn scale_gray(image: &GrayImage, factor: f32) -> GrayImage {
    let pix = Pix::from_gray(image);
    // SAFETY: a valid 8-bit source; Leptonica returns a new image or null.
    Pix::returned(unsafe { sys::pixScale(pix.0, factor, factor) }, "scale the page").into_gray()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gray_images_survive_the_round_trip() {
        let image = GrayImage::from_fn(13, 5, |x, y| image::Luma([(x * 17 + y * 3) as u8]));
        assert_eq!(Pix::from_gray(&image).into_gray(), image);
    }

    #[test]
    fn colour_images_survive_the_round_trip() {
        let image = RgbImage::from_fn(7, 3, |x, y| image::Rgb([x as u8, y as u8, (x * y) as u8]));
        assert_eq!(Pix::from_rgb(&image).into_rgb(), image);
    }

    #[test]
    fn gray_and_colour_rotations_keep_the_page_size_and_agree() {
        let mut gray = GrayImage::from_pixel(300, 200, image::Luma([255]));
        (40..46).for_each(|x| (30..36).for_each(|y| gray.put_pixel(x, y, image::Luma([0]))));
        let colour = image::DynamicImage::ImageLuma8(gray.clone()).to_rgb8();
        let turned = rotate_gray(&gray, 3.0, Resampling::Shear);
        let turned_colour = image::DynamicImage::ImageRgb8(rotate_rgb(&colour, 3.0)).to_luma8();
        assert_eq!(turned.dimensions(), gray.dimensions());
        assert_eq!(turned_colour.dimensions(), gray.dimensions());
        let ink = |image: &GrayImage| ink_components(image, |v| v < 128);
        let (a, b) = (ink(&turned)[0], ink(&turned_colour)[0]);
        assert!(a.x0.abs_diff(b.x0) <= 1 && a.y0.abs_diff(b.y0) <= 1, "{a:?} against {b:?}");
    }

    #[test]
    fn a_rotation_by_zero_changes_nothing() {
        let image = GrayImage::from_fn(40, 30, |x, y| image::Luma([if (x + y) % 7 == 0 { 0 } else { 255 }]));
        for resampling in [Resampling::AreaMap, Resampling::Shear] {
            assert_eq!(rotate_gray(&image, 0.0, resampling), image);
        }
    }
}
