//! Page images for the web: the archived PDF's image of a page (one per page: a scanner's
//! JPEG, Flate, or CCITT G4 for black and white) scaled down to a JPEG, cached under
//! `archive/cache/pages/` beside nothing else. The cache is named by the PDF's checksum,
//! so a document ingested again gets new images; it may be deleted at any time.

use std::path::PathBuf;

use image::{imageops::FilterType, ImageFormat};

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

    fn width(self) -> u32 {
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

/// The JPEG of page `page` of `record` at `size`, made and cached when not cached yet.
/// `None` when the page has no image olke can read.
pub(crate) fn page_image(archive: &Archive, record: &DocumentRecord, page: u32, size: Size) -> Option<Vec<u8>> {
    let cached = cache_path(archive, record, page, size);
    if let Ok(bytes) = std::fs::read(&cached) {
        return Some(bytes);
    }
    let source = SourcePdf::open(&archive.pdf_path(&record.id)).ok()?;
    let pixels = page_pixels(&source, page)?;
    let width = size.width().min(pixels.width());
    let height = ((pixels.height() as u64 * width as u64) / pixels.width().max(1) as u64).max(1) as u32;
    let scaled = pixels.resize_exact(width, height, FilterType::Triangle);
    let mut bytes = Vec::new();
    scaled.write_to(&mut std::io::Cursor::new(&mut bytes), ImageFormat::Jpeg).ok()?;
    // A cache that cannot be written costs time, not the answer.
    if let Err(e) = write_atomic(&cached, &bytes) {
        tracing::warn!("{}: {e}", cached.display());
    }
    Some(bytes)
}
