//! Page images out of archived PDFs, as pixels: for the web's page images and for making a
//! delivery smaller. olke's own PDFs hold one image per page, a scanner's JPEG, Flate, or
//! CCITT G4 for black and white.

use image::{DynamicImage, GrayImage, ImageFormat, RgbImage};
use lopdf::{Object, Stream};

use super::import::SourcePdf;

fn name<'a>(image: &'a Stream, key: &[u8]) -> Option<&'a [u8]> {
    match image.dict.get(key) {
        Ok(Object::Name(name)) => Some(name),
        Ok(Object::Array(names)) if names.len() == 1 => names[0].as_name().ok(),
        _ => None,
    }
}

/// The pixels of an image olke can encode again: JPEG, or 8-bit gray or RGB in Flate.
pub(crate) fn pixels(image: &Stream) -> Option<DynamicImage> {
    let width = image.dict.get(b"Width").and_then(Object::as_i64).ok()? as u32;
    let height = image.dict.get(b"Height").and_then(Object::as_i64).ok()? as u32;
    match name(image, b"Filter")? {
        b"DCTDecode" => image::load_from_memory_with_format(&image.content, ImageFormat::Jpeg).ok(),
        b"FlateDecode" if image.dict.get(b"BitsPerComponent").and_then(Object::as_i64).ok() == Some(8) => {
            let raw = image.decompressed_content().ok()?;
            match name(image, b"ColorSpace")? {
                b"DeviceGray" => GrayImage::from_raw(width, height, raw).map(DynamicImage::ImageLuma8),
                b"DeviceRGB" => RgbImage::from_raw(width, height, raw).map(DynamicImage::ImageRgb8),
                _ => None,
            }
        }
        _ => None,
    }
}

/// A CCITT G4 image's pixels.
fn fax_pixels(image: &Stream) -> Option<DynamicImage> {
    let parms = image.dict.get(b"DecodeParms").ok()?.as_dict().ok()?;
    let width = parms.get(b"Columns").and_then(Object::as_i64).ok()? as u32;
    let height = image.dict.get(b"Height").and_then(Object::as_i64).ok()? as u32;
    let mut pixels = Vec::with_capacity(width as usize * height as usize);
    fax::decoder::decode_g4(image.content.iter().copied(), width, Some(height), |transitions| {
        pixels.extend(fax::decoder::pels(transitions, width).map(|c| if c == fax::Color::Black { 0u8 } else { 255 }));
    });
    GrayImage::from_raw(width, height, pixels).map(DynamicImage::ImageLuma8)
}

/// The pixels of page `page`'s (first) image, `None` when it has none olke can read.
pub(crate) fn page_pixels(source: &SourcePdf, page: u32) -> Option<DynamicImage> {
    let id = *source.images_on(page, page).ok()?.first()?;
    let stream = source.image(id).ok()?;
    match name(&stream, b"Filter")? {
        b"CCITTFaxDecode" => fax_pixels(&stream),
        _ => pixels(&stream),
    }
}
