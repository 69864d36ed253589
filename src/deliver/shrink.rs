//! Making a delivery small enough for email (`--max-mb`): the page images are encoded
//! again as JPEG at a lower resolution and quality, step by step, until the images fit in
//! what the limit leaves them. Black-and-white pages (CCITT G4) are a few dozen kilobytes
//! already and stay as they are, as do images olke cannot decode.
//!
//! The images of a step are kept only while their total stays under the budget, so memory
//! never holds more than the limit.

use std::collections::HashMap;

use image::{imageops::FilterType, DynamicImage, ExtendedColorType};
use lopdf::{ObjectId, Stream};

use crate::pdf::decode::pixels;
use crate::pdf::image::jpeg;
use crate::pdf::import::{SourceError, SourcePdf};

/// Tried in turn: the share of the pixels kept in each direction, and the JPEG quality.
pub(crate) const STEPS: [(f32, u8); 5] = [(1.0, 75), (0.75, 65), (0.5, 60), (0.35, 50), (0.25, 40)];

/// `pixels` scaled by `scale` as a JPEG image stream of `quality`.
fn encode(pixels: &DynamicImage, scale: f32, quality: u8) -> Stream {
    let width = ((pixels.width() as f32 * scale).round() as u32).max(1);
    let height = ((pixels.height() as f32 * scale).round() as u32).max(1);
    let scaled = if scale < 1.0 { pixels.resize_exact(width, height, FilterType::Triangle) } else { pixels.clone() };
    let encoded = match scaled {
        DynamicImage::ImageLuma8(gray) => jpeg(gray.as_raw(), width, height, ExtendedColorType::L8, quality),
        other => jpeg(other.to_rgb8().as_raw(), width, height, ExtendedColorType::Rgb8, quality),
    };
    encoded.into_stream()
}

/// Images of `ids` encoded again, at the first step whose images total at most `budget`
/// bytes (each image kept as it was where that is smaller), or at the last step when none
/// fits: new images for some of the delivery's pages. Whether the copy then fits is told
/// by its size.
pub(crate) fn shrink(
    source: &SourcePdf,
    ids: &[ObjectId],
    budget: u64,
) -> Result<HashMap<ObjectId, Stream>, SourceError> {
    for (step, (scale, quality)) in STEPS.iter().enumerate() {
        let last = step == STEPS.len() - 1;
        let mut images = HashMap::new();
        let mut total = 0u64;
        for &id in ids {
            let original = source.image(id)?;
            let smaller = pixels(&original)
                .map(|p| encode(&p, *scale, *quality))
                .filter(|s| s.content.len() < original.content.len());
            total += smaller.as_ref().map_or(original.content.len(), |s| s.content.len()) as u64;
            if let Some(smaller) = smaller {
                images.insert(id, smaller);
            }
            if total > budget && !last {
                break;
            }
        }
        if total <= budget || last {
            return Ok(images);
        }
    }
    unreachable!("the last step always returns")
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::GrayImage;

    #[test]
    fn gray_flate_and_jpeg_images_decode_and_get_smaller() {
        let gray = GrayImage::from_fn(300, 200, |x, y| image::Luma([((x * 7 + y * 3) % 251) as u8]));
        let jpeg_image = jpeg(gray.as_raw(), 300, 200, ExtendedColorType::L8, 95).into_stream();
        let decoded = pixels(&jpeg_image).expect("a JPEG decodes");
        assert_eq!((decoded.width(), decoded.height()), (300, 200));
        let smaller = encode(&decoded, 0.5, 50);
        assert!(smaller.content.len() < jpeg_image.content.len() / 2);
        assert_eq!(smaller.dict.get(b"Width").unwrap().as_i64().unwrap(), 150);
        assert_eq!(smaller.dict.get(b"ColorSpace").unwrap().as_name().unwrap(), b"DeviceGray");

        let encoded = crate::pdf::image::encode(
            &crate::page::PageImage::Gray(GrayImage::from_pixel(64, 64, image::Luma([200]))),
            85,
        );
        // A plain page is kept losslessly (Flate with PNG predictors); it decodes too.
        assert_eq!(encoded.dict.get(b"Filter").unwrap().as_name().unwrap(), b"FlateDecode");
        let flate = pixels(&encoded.into_stream()).expect("Flate gray decodes");
        assert_eq!(flate.to_luma8().get_pixel(10, 10)[0], 200);
    }

    #[test]
    fn black_and_white_pages_are_left_alone() {
        let page = GrayImage::from_fn(64, 64, |x, _| image::Luma([if x % 8 < 4 { 0 } else { 255 }]));
        let g4 = crate::pdf::image::encode(&crate::page::PageImage::Bitonal(page), 85);
        assert!(pixels(&g4.into_stream()).is_none());
    }
}
