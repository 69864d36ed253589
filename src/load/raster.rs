//! JPEG and PNG scans through the `image` crate. A scanner's JPEG is kept byte for byte
//! so the PDF can carry it without a second lossy compression, and a plain PNG so its
//! compressed rows go into the PDF without being compressed again.

use std::io::Cursor;
use std::sync::Arc;

use image::{DynamicImage, GrayImage, ImageFormat, ImageReader, RgbImage};

use super::{check_dimensions, dpi, over_white, Decoded, Format, LoadError, LoadOptions};
use crate::page::{OriginalFormat, OriginalImage, PageImage, PixelData};

pub(super) fn decode(format: Format, mut bytes: Vec<u8>, options: &LoadOptions) -> Result<Decoded, LoadError> {
    let corrupt = |detail: String| LoadError::Corrupt { format: format.name(), detail };
    let header = match format {
        Format::Jpeg => {
            let header = dpi::jpeg_header(&bytes).map_err(corrupt)?;
            // The padding is no part of the image, and the PDF would carry it byte for byte.
            bytes.truncate(dpi::jpeg_end(&bytes));
            header
        }
        Format::Png => {
            let (width, height) = dpi::png_size(&bytes).map_err(corrupt)?;
            check_dimensions(width, height, options)?;
            dpi::png_header(&bytes).map_err(corrupt)?
        }
        Format::Tiff | Format::Pdf => unreachable!("TIFF and PDF have decoders of their own"),
    };
    check_dimensions(header.width, header.height, options)?;

    let mut reader = ImageReader::with_format(
        Cursor::new(&bytes),
        if format == Format::Jpeg { ImageFormat::Jpeg } else { ImageFormat::Png },
    );
    let mut limits = image::Limits::default();
    limits.max_alloc = Some(options.max_pixels.saturating_mul(8));
    reader.limits(limits);
    let decoded = reader.decode().map_err(|e| match e {
        image::ImageError::Unsupported(u) => LoadError::Unsupported { format: format.name(), detail: u.to_string() },
        other => corrupt(describe(other)),
    })?;

    let original = |format, pixels| {
        PageImage::Original(Arc::new(OriginalImage {
            format,
            width: header.width,
            height: header.height,
            bytes,
            pixels,
        }))
    };
    let image = match (format, decoded) {
        // CMYK and other exotic JPEGs are converted; plain gray or colour ones pass through.
        (Format::Jpeg, DynamicImage::ImageLuma8(g)) if header.components == 1 => {
            original(OriginalFormat::Jpeg, PixelData::Gray(g))
        }
        (Format::Jpeg, other) if header.components == 3 => {
            original(OriginalFormat::Jpeg, PixelData::Rgb(other.to_rgb8()))
        }
        (Format::Png, DynamicImage::ImageLuma8(g)) if header.pdf_ready_rows => {
            original(OriginalFormat::Png, PixelData::Gray(g))
        }
        (Format::Png, DynamicImage::ImageRgb8(c)) if header.pdf_ready_rows => {
            original(OriginalFormat::Png, PixelData::Rgb(c))
        }
        (_, decoded) if header.bitonal => PageImage::Bitonal(flatten_gray(decoded)),
        (_, decoded) => flatten(decoded),
    };
    Ok(Decoded { image, dpi: header.dpi })
}

/// The `image` crate reports a short stream in several ways; say it plainly.
fn describe(err: image::ImageError) -> String {
    let text = err.to_string();
    let lower = text.to_lowercase();
    if lower.contains("eof")
        || lower.contains("end of")
        || lower.contains("truncat")
        || lower.contains("unexpected end")
    {
        format!("the file is truncated ({text})")
    } else {
        text
    }
}

fn flatten_gray(image: DynamicImage) -> GrayImage {
    match image {
        DynamicImage::ImageLuma8(g) => g,
        DynamicImage::ImageLumaA8(_) | DynamicImage::ImageLumaA16(_) => {
            let la = image.to_luma_alpha8();
            GrayImage::from_fn(la.width(), la.height(), |x, y| {
                let p = la.get_pixel(x, y);
                image::Luma([over_white(p[0], p[1])])
            })
        }
        other => other.to_luma8(),
    }
}

fn flatten(image: DynamicImage) -> PageImage {
    match image {
        DynamicImage::ImageLuma8(_)
        | DynamicImage::ImageLuma16(_)
        | DynamicImage::ImageLumaA8(_)
        | DynamicImage::ImageLumaA16(_) => PageImage::Gray(flatten_gray(image)),
        DynamicImage::ImageRgb8(c) => PageImage::Rgb(c),
        other if other.color().has_alpha() => {
            let rgba = other.to_rgba8();
            PageImage::Rgb(RgbImage::from_fn(rgba.width(), rgba.height(), |x, y| {
                let p = rgba.get_pixel(x, y);
                image::Rgb([0, 1, 2].map(|c| over_white(p[c], p[3])))
            }))
        }
        other => PageImage::Rgb(other.to_rgb8()),
    }
}
