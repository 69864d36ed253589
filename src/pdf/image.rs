//! Page images as PDF image XObjects: black-and-white pages as CCITT Group 4, a scanner's
//! JPEG passed through untouched, other gray or colour pages as JPEG.

use image::codecs::jpeg::JpegEncoder;
use image::{ExtendedColorType, GrayImage};
use lopdf::{dictionary, Dictionary, Object, Stream};

use crate::page::PageImage;

/// An image ready to be written as an XObject.
#[derive(Clone, Debug)]
pub struct EncodedImage {
    pub width: u32,
    pub height: u32,
    pub dict: Dictionary,
    pub data: Vec<u8>,
}

impl EncodedImage {
    pub fn into_stream(self) -> Stream {
        // Already compressed by its own filter; lopdf must not deflate it again.
        Stream::new(self.dict, self.data).with_compression(false)
    }
}

/// True when every pixel is pure black or pure white.
fn is_bitonal(image: &GrayImage) -> bool {
    image.as_raw().iter().all(|&v| v == 0 || v == 255)
}

/// Encodes a page image for the PDF. `jpeg_quality` applies only where a JPEG is made here.
pub fn encode(image: &PageImage, jpeg_quality: u8) -> EncodedImage {
    match image {
        PageImage::Bitonal(g) => g4(g),
        PageImage::Gray(g) if is_bitonal(g) => g4(g),
        PageImage::Gray(g) => jpeg(g.as_raw(), g.width(), g.height(), ExtendedColorType::L8, jpeg_quality),
        PageImage::Rgb(c) => jpeg(c.as_raw(), c.width(), c.height(), ExtendedColorType::Rgb8, jpeg_quality),
        PageImage::Jpeg(j) => EncodedImage {
            width: j.width,
            height: j.height,
            dict: image_dict(j.width, j.height, if j.components == 1 { "DeviceGray" } else { "DeviceRGB" }, 8, "DCTDecode"),
            data: j.bytes.clone(),
        },
    }
}

fn image_dict(width: u32, height: u32, color_space: &str, bits: i64, filter: &str) -> Dictionary {
    dictionary! {
        "Type" => "XObject",
        "Subtype" => "Image",
        "Width" => width as i64,
        "Height" => height as i64,
        "ColorSpace" => Object::Name(color_space.into()),
        "BitsPerComponent" => bits,
        "Filter" => Object::Name(filter.into()),
    }
}

fn jpeg(pixels: &[u8], width: u32, height: u32, color: ExtendedColorType, quality: u8) -> EncodedImage {
    let mut data = Vec::new();
    JpegEncoder::new_with_quality(&mut data, quality)
        .encode(pixels, width, height, color)
        .expect("encoding a well-formed buffer into memory cannot fail");
    let space = if color == ExtendedColorType::L8 { "DeviceGray" } else { "DeviceRGB" };
    EncodedImage { width, height, dict: image_dict(width, height, space, 8, "DCTDecode"), data }
}

/// CCITT Group 4 (T.6), the fax code archives use for black-and-white pages.
fn g4(image: &GrayImage) -> EncodedImage {
    use fax::{encoder::Encoder, Color, VecWriter};
    let (width, height) = image.dimensions();
    let mut encoder = Encoder::new(VecWriter::new());
    for row in image.as_raw().chunks(width as usize) {
        let pels = row.iter().map(|&v| if v < 128 { Color::Black } else { Color::White });
        encoder.encode_line(pels, width).expect("writing to a Vec cannot fail");
    }
    let data = encoder.finish().expect("writing to a Vec cannot fail").finish();
    let mut dict = image_dict(width, height, "DeviceGray", 1, "CCITTFaxDecode");
    dict.set(
        "DecodeParms",
        dictionary! { "K" => -1, "Columns" => width as i64, "Rows" => height as i64, "BlackIs1" => false },
    );
    EncodedImage { width, height, dict, data }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g4_round_trips_through_the_fax_decoder() {
        let mut page = GrayImage::from_pixel(64, 16, image::Luma([255]));
        for x in 10..30 {
            for y in 4..9 {
                page.put_pixel(x, y, image::Luma([0]));
            }
        }
        let encoded = g4(&page);
        let mut rows = Vec::new();
        fax::decoder::decode_g4(encoded.data.iter().copied(), 64, Some(16), |transitions| {
            rows.push(fax::decoder::pels(transitions, 64).collect::<Vec<_>>());
        });
        assert_eq!(rows.len(), 16);
        assert_eq!(rows[5][20], fax::Color::Black);
        assert_eq!(rows[5][5], fax::Color::White);
        assert_eq!(rows[0][20], fax::Color::White);
    }

    #[test]
    fn gray_pages_of_pure_black_and_white_become_g4() {
        let page = GrayImage::from_pixel(40, 40, image::Luma([255]));
        let encoded = encode(&PageImage::Gray(page), 85);
        assert_eq!(encoded.dict.get(b"Filter").unwrap().as_name().unwrap(), b"CCITTFaxDecode");
    }
}
