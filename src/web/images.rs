//! Page images for the web: the archived PDF's image of a page (one per page: a scanner's
//! JPEG, Flate, or CCITT G4 for black and white) scaled down to a JPEG, cached under
//! `archive/cache/pages/` beside nothing else. The cache is named by the PDF's checksum,
//! so a document ingested again gets new images; it may be deleted at any time. The IIIF
//! image service ([`super::iiif`]) cuts and scales the same pixels, and takes the cached
//! sizes from here.

use std::path::PathBuf;

use image::codecs::jpeg::JpegEncoder;
use image::{imageops::FilterType, DynamicImage};

use crate::archive::{write_atomic, Archive};
use crate::pdf::decode::page_pixels;
use crate::pdf::import::SourcePdf;
use crate::record::DocumentRecord;

/// How large a page image is made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Size {
    /// Beside a search result (any document: too small to stand in for the page).
    Thumb,
    /// To read, on the page of a document whose rights allow publishing it.
    Full,
}

impl Size {
    pub(crate) fn parse(name: &str) -> Option<Size> {
        match name {
            "thumb.jpg" => Some(Size::Thumb),
            "full.jpg" => Some(Size::Full),
            _ => None,
        }
    }

    pub(crate) fn width(self) -> u32 {
        match self {
            Size::Thumb => 180,
            Size::Full => 1000,
        }
    }
}

fn cache_path(archive: &Archive, record: &DocumentRecord, page: u32, size: Size) -> PathBuf {
    // The id was checked against the catalogue; the checksum prefix is hex.
    let version = record.pdf_sha256.get(..16).unwrap_or("unknown");
    archive.cache_dir().join("pages").join(&record.id).join(format!("{page:04}-{}-{version}.jpg", size.width()))
}

/// The height of a page `width` pixels wide scaled to `to_width`, as the cached sizes are made.
pub(crate) fn scaled_height(width: u32, height: u32, to_width: u32) -> u32 {
    ((height as u64 * to_width as u64) / width.max(1) as u64).max(1) as u32
}

/// The pixels of page `page` of `record` as archived. `None` when the page has no image
/// olke can read.
pub(crate) fn archived_pixels(archive: &Archive, record: &DocumentRecord, page: u32) -> Option<DynamicImage> {
    let source = SourcePdf::open(&archive.pdf_path(&record.id)).ok()?;
    page_pixels(&source, page)
}

/// `pixels` scaled to `width` × `height` (smoothly: pages are mostly scaled down).
pub(crate) fn resized(pixels: &DynamicImage, width: u32, height: u32) -> DynamicImage {
    if (width, height) == (pixels.width(), pixels.height()) {
        return pixels.clone();
    }
    pixels.resize_exact(width, height, FilterType::Triangle)
}

/// Quality of the JPEGs served: print stays crisp, colours true.
const JPEG_QUALITY: u8 = 90;

/// `pixels` as a JPEG (colour, gray, or black and white as gray).
pub(crate) fn jpeg(pixels: &DynamicImage) -> Option<Vec<u8>> {
    let pixels = match pixels {
        DynamicImage::ImageLuma8(_) | DynamicImage::ImageRgb8(_) => pixels.clone(),
        other if other.color().has_color() => DynamicImage::ImageRgb8(other.to_rgb8()),
        other => DynamicImage::ImageLuma8(other.to_luma8()),
    };
    let mut bytes = Vec::new();
    JpegEncoder::new_with_quality(&mut bytes, JPEG_QUALITY).encode_image(&pixels).ok()?;
    Some(bytes)
}

/// The JPEG of page `page` of `record` at `size`, made and cached when not cached yet.
/// `None` when the page has no image olke can read.
pub(crate) fn page_image(archive: &Archive, record: &DocumentRecord, page: u32, size: Size) -> Option<Vec<u8>> {
    let cached = cache_path(archive, record, page, size);
    if let Ok(bytes) = std::fs::read(&cached) {
        return Some(bytes);
    }
    let pixels = archived_pixels(archive, record, page)?;
    let width = size.width().min(pixels.width());
    let bytes = jpeg(&resized(&pixels, width, scaled_height(pixels.width(), pixels.height(), width)))?;
    // A cache that cannot be written costs time, not the answer.
    if let Err(e) = write_atomic(&cached, &bytes) {
        tracing::warn!("{}: {e}", cached.display());
    }
    Some(bytes)
}
