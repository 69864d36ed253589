//! Cropping and turning a page image in whatever form it came (bitonal, gray, colour,
//! a scan's original file), so the archived page and the OCR page always match pixel for pixel.

use image::{imageops, DynamicImage, ImageBuffer, Pixel};

use super::leptonica::{self, Resampling};
use crate::page::{BBox, PageImage, PixelData};

/// The image as plain pixels (an original file's pass-through is lost once the pixels change).
fn pixels(image: &PageImage) -> PageImage {
    match image {
        PageImage::Original(o) => match &o.pixels {
            PixelData::Gray(g) => PageImage::Gray(g.clone()),
            PixelData::Rgb(c) => PageImage::Rgb(c.clone()),
        },
        other => other.clone(),
    }
}

pub fn crop(image: &PageImage, area: BBox) -> PageImage {
    let (x, y, w, h) = (area.x0, area.y0, area.width(), area.height());
    match pixels(image) {
        PageImage::Bitonal(g) => PageImage::Bitonal(imageops::crop_imm(&g, x, y, w, h).to_image()),
        PageImage::Gray(g) => PageImage::Gray(imageops::crop_imm(&g, x, y, w, h).to_image()),
        PageImage::Rgb(c) => PageImage::Rgb(imageops::crop_imm(&c, x, y, w, h).to_image()),
        PageImage::Original(_) => unreachable!("converted to pixels above"),
    }
}

/// Turns an image by a multiple of 90 degrees clockwise, losslessly.
pub fn turned<P: Pixel + 'static>(image: &ImageBuffer<P, Vec<P::Subpixel>>, clockwise: u16) -> ImageBuffer<P, Vec<P::Subpixel>> {
    match clockwise {
        90 => imageops::rotate90(image),
        180 => imageops::rotate180(image),
        270 => imageops::rotate270(image),
        _ => image.clone(),
    }
}

pub fn turn(image: &PageImage, clockwise: u16) -> PageImage {
    match pixels(image) {
        PageImage::Bitonal(g) => PageImage::Bitonal(turned(&g, clockwise)),
        PageImage::Gray(g) => PageImage::Gray(turned(&g, clockwise)),
        PageImage::Rgb(c) => PageImage::Rgb(turned(&c, clockwise)),
        PageImage::Original(_) => unreachable!("converted to pixels above"),
    }
}

/// Rotates by `degrees` counter-clockwise about the centre, same size, white corners.
pub fn rotate(image: &PageImage, degrees: f32) -> PageImage {
    match pixels(image) {
        PageImage::Bitonal(g) => {
            let mut gray = leptonica::rotate_gray(&g, degrees, Resampling::AreaMap);
            gray.pixels_mut().for_each(|p| p[0] = if p[0] < 128 { 0 } else { 255 });
            PageImage::Bitonal(gray)
        }
        PageImage::Gray(g) => PageImage::Gray(leptonica::rotate_gray(&g, degrees, Resampling::AreaMap)),
        PageImage::Rgb(c) => PageImage::Rgb(leptonica::rotate_rgb(&c, degrees)),
        PageImage::Original(_) => unreachable!("converted to pixels above"),
    }
}

/// The page as gray, for `--image-mode gray`.
pub fn to_gray(image: &PageImage) -> PageImage {
    match pixels(image) {
        PageImage::Rgb(c) => PageImage::Gray(DynamicImage::ImageRgb8(c).to_luma8()),
        other => other,
    }
}
