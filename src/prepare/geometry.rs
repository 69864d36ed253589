//! Cropping and turning a page image in whatever form it came (bitonal, gray, colour,
//! a scan's original file), so the archived page and the OCR page always match pixel for pixel.

use image::{imageops, DynamicImage, GrayImage, ImageBuffer, Pixel, RgbImage};

use super::leptonica::{self, Resampling};
use crate::page::{BBox, PageImage, PixelData};

/// The pixels of a page image, borrowed: an original file's pixels are its gray or colour ones.
enum Pixels<'a> {
    Bitonal(&'a GrayImage),
    Gray(&'a GrayImage),
    Rgb(&'a RgbImage),
}

/// Once the pixels change, an original file's pass-through is lost: results are plain pixels.
fn pixels(image: &PageImage) -> Pixels<'_> {
    match image {
        PageImage::Bitonal(g) => Pixels::Bitonal(g),
        PageImage::Gray(g) => Pixels::Gray(g),
        PageImage::Rgb(c) => Pixels::Rgb(c),
        PageImage::Original(original) => match &original.pixels {
            PixelData::Gray(g) => Pixels::Gray(g),
            PixelData::Rgb(c) => Pixels::Rgb(c),
        },
    }
}

pub(super) fn crop(image: &PageImage, area: BBox) -> PageImage {
    let (x, y, w, h) = (area.x0, area.y0, area.width(), area.height());
    match pixels(image) {
        Pixels::Bitonal(g) => PageImage::Bitonal(imageops::crop_imm(g, x, y, w, h).to_image()),
        Pixels::Gray(g) => PageImage::Gray(imageops::crop_imm(g, x, y, w, h).to_image()),
        Pixels::Rgb(c) => PageImage::Rgb(imageops::crop_imm(c, x, y, w, h).to_image()),
    }
}

/// Turns an image by a multiple of 90 degrees clockwise, losslessly.
pub(super) fn turned<P: Pixel + 'static>(
    image: &ImageBuffer<P, Vec<P::Subpixel>>,
    clockwise: u16,
) -> ImageBuffer<P, Vec<P::Subpixel>> {
    match clockwise {
        90 => imageops::rotate90(image),
        180 => imageops::rotate180(image),
        270 => imageops::rotate270(image),
        _ => image.clone(),
    }
}

pub(super) fn turn(image: &PageImage, clockwise: u16) -> PageImage {
    match pixels(image) {
        Pixels::Bitonal(g) => PageImage::Bitonal(turned(g, clockwise)),
        Pixels::Gray(g) => PageImage::Gray(turned(g, clockwise)),
        Pixels::Rgb(c) => PageImage::Rgb(turned(c, clockwise)),
    }
}

/// Rotates by `degrees` counter-clockwise about the centre, same size, white corners.
pub(super) fn rotate(image: &PageImage, degrees: f32) -> PageImage {
    match pixels(image) {
        Pixels::Bitonal(g) => PageImage::Bitonal(binarize(leptonica::rotate_gray(g, degrees, Resampling::AreaMap))),
        Pixels::Gray(g) => PageImage::Gray(leptonica::rotate_gray(g, degrees, Resampling::AreaMap)),
        Pixels::Rgb(c) => PageImage::Rgb(leptonica::rotate_rgb(c, degrees)),
    }
}

/// Black below mid-gray, white from it.
pub(super) fn binarize(mut image: GrayImage) -> GrayImage {
    image.pixels_mut().for_each(|p| p[0] = if p[0] < 128 { 0 } else { 255 });
    image
}

/// The page as gray, for `--image-mode gray`.
pub(super) fn to_gray(image: PageImage) -> PageImage {
    match pixels(&image) {
        Pixels::Rgb(c) => PageImage::Gray(DynamicImage::ImageRgb8(c.clone()).to_luma8()),
        // A scan's original gray file becomes plain pixels here as every changed page does.
        Pixels::Gray(g) if matches!(image, PageImage::Original(_)) => PageImage::Gray(g.clone()),
        _ => image,
    }
}
