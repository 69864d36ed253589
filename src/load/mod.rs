//! Loading: finding scans in a batch folder and decoding them into [`SourcePage`]s; PDFs
//! of an earlier digitization are read page by page by [`pdf`].
//!
//! Formats are recognised by their first bytes, not their names, so a text file called
//! `page.tif` is reported as what it is. Every failure names the reason; the caller adds
//! the file name.

mod dpi;
pub(crate) mod pdf;
mod raster;
mod tiff;

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::page::{PageOrigin, SourcePage};

/// Smallest side, in pixels, that can be a scanned page.
pub const MIN_SIDE: u32 = 32;

/// Longest side, in pixels, Tesseract reads.
pub const MAX_SIDE: u32 = 32767;

/// How pages are decoded.
#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Resolution to assume when the file has none or an implausible one.
    pub fallback_dpi: f32,
    /// Largest image accepted, in pixels (width × height).
    pub max_pixels: u64,
}

impl Default for LoadOptions {
    fn default() -> Self {
        // 200 megapixels: an A3 page at 1200 dpi; anything larger is a broken header.
        LoadOptions { fallback_dpi: 300.0, max_pixels: 200_000_000 }
    }
}

/// A scan resolution outside this range is treated as missing (72 and 96 are screen
/// defaults written by software that did not know the real value).
pub fn plausible_dpi(dpi: f32) -> bool {
    (100.0..=2400.0).contains(&dpi)
}

/// Why a file or page could not be loaded. The message is written to follow `FILE: `.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("empty file (0 bytes); rescan or remove it")]
    Empty,
    #[error("not an image: {0}; olke reads TIFF, JPEG and PNG scans and PDFs")]
    NotAnImage(String),
    /// A text file not named as a scan (notes, hOCR, a README): passed over, not a failure.
    #[error("not a scan (a text file), skipped")]
    TextFile,
    #[error("named .pdf but not a PDF: {0}")]
    NotAPdf(String),
    #[error(
        "the PDF needs a password to be opened; decrypt it with the password first: \
         qpdf --decrypt --password=PASSWORD in.pdf out.pdf"
    )]
    Encrypted,
    #[error("cannot run {tool}: {detail}")]
    Tool { tool: String, detail: String },
    #[error(
        "{width}×{height} pixels is over the limit of {limit_mp} megapixels; \
         the header is probably corrupt, or raise --max-megapixels"
    )]
    TooLarge { width: u64, height: u64, limit_mp: u64 },
    #[error(
        "the file has {bytes} bytes, more than an image within the limit of {limit_mp} megapixels \
         can take ({limit}); it is probably damaged (padding or junk after the image), or raise --max-megapixels"
    )]
    FileTooLarge { bytes: u64, limit: u64, limit_mp: u64 },
    #[error("{width}×{height} pixels is too small to be a scanned page")]
    TooSmall { width: u32, height: u32 },
    #[error("{width}×{height} pixels: Tesseract reads at most {MAX_SIDE} pixels a side; cut the scan into pages")]
    TooLong { width: u32, height: u32 },
    #[error("damaged {format}: {detail}; rescan or remove it")]
    Corrupt { format: &'static str, detail: String },
    #[error("unsupported {format}: {detail}")]
    Unsupported { format: &'static str, detail: String },
    #[error("page {page} does not exist (the file has {count})")]
    NoSuchPage { page: usize, count: usize },
}

/// The file formats olke takes in, told apart by their first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Tiff,
    Jpeg,
    Png,
    Pdf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Tiff => "TIFF",
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Pdf => "PDF",
        }
    }
}

/// Recognises a format by its magic bytes.
pub fn sniff(head: &[u8]) -> Option<Format> {
    match head {
        [b'I', b'I', 42, 0, ..] | [b'M', b'M', 0, 42, ..] => Some(Format::Tiff),
        [b'I', b'I', 43, 0, ..] | [b'M', b'M', 0, 43, ..] => Some(Format::Tiff), // BigTIFF
        [0xFF, 0xD8, 0xFF, ..] => Some(Format::Jpeg),
        [0x89, b'P', b'N', b'G', ..] => Some(Format::Png),
        // The header may follow a little junk (the standard allows it within 1024 bytes).
        _ if head.windows(5).any(|w| w == b"%PDF-") => Some(Format::Pdf),
        _ => None,
    }
}

/// The names scans go by: a file so named is taken for a scan whatever it holds.
const SCAN_EXTENSIONS: &[&str] = &["tif", "tiff", "jpg", "jpeg", "png", "pdf"];

/// True when a file's first bytes are text (UTF-8, no control characters but spacing).
fn looks_like_text(head: &[u8]) -> bool {
    let text = String::from_utf8_lossy(head);
    // The head may end inside a multi-byte character.
    let text = text.trim_end_matches(char::REPLACEMENT_CHARACTER);
    text.chars().all(|c| !c.is_control() || c.is_whitespace()) && text.chars().any(char::is_alphanumeric)
}

/// Describes the start of a file that is not an image, for the error message.
fn describe_unknown(head: &[u8]) -> String {
    let head = &head[..head.len().min(16)];
    if looks_like_text(head) {
        let text = String::from_utf8_lossy(head);
        format!("the file is text (starts with {:?})", text.trim_end_matches(char::REPLACEMENT_CHARACTER).trim_end())
    } else {
        let hex: Vec<String> = head.iter().take(8).map(|b| format!("{b:02x}")).collect();
        format!("unknown file signature {}", hex.join(" "))
    }
}

/// What [`probe`] learns about a scan file without decoding its pixels.
#[derive(Clone, Debug)]
pub struct ScanInfo {
    pub format: Format,
    /// More than one only for multi-page TIFF and PDF.
    pub pages: usize,
    /// Damage found past the readable pages (a broken multi-page TIFF), or what the pages
    /// may not show (an XFA form): the pages are archived, this is reported.
    pub damage: Option<String>,
    /// The description a PDF carries about itself.
    pub metadata: Option<pdf::EmbeddedMetadata>,
    /// The decrypted copy to read an encrypted PDF from (see [`pdf::probe_pdf`]).
    pub decrypted: Option<std::sync::Arc<tempfile::TempPath>>,
}

/// Tells a scan's format and page count, or why it is not a scan.
pub fn probe(path: &Path) -> Result<ScanInfo, LoadError> {
    let mut head = Vec::with_capacity(1024);
    File::open(path)?.take(1024).read_to_end(&mut head)?;
    if head.is_empty() {
        return Err(LoadError::Empty);
    }
    let Some(format) = sniff(&head) else {
        let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase()).unwrap_or_default();
        return Err(if extension == "pdf" {
            LoadError::NotAPdf(describe_unknown(&head))
        } else if !SCAN_EXTENSIONS.contains(&extension.as_str()) && looks_like_text(&head) {
            LoadError::TextFile
        } else {
            LoadError::NotAnImage(describe_unknown(&head))
        });
    };
    let info = match format {
        Format::Tiff => {
            let (pages, damage) = tiff::page_count(path)?;
            ScanInfo { format, pages, damage, metadata: None, decrypted: None }
        }
        Format::Jpeg | Format::Png => ScanInfo { format, pages: 1, damage: None, metadata: None, decrypted: None },
        Format::Pdf => {
            let found = pdf::probe_pdf(path)?;
            ScanInfo {
                format,
                pages: found.pages,
                damage: found.warning,
                metadata: Some(found.metadata),
                decrypted: found.decrypted,
            }
        }
    };
    Ok(info)
}

/// Decodes page `index` (zero-based) of a scan file (of a PDF: the page's scan).
pub fn decode_page(path: &Path, format: Format, index: usize, options: &LoadOptions) -> Result<SourcePage, LoadError> {
    let decoded = match format {
        Format::Pdf => return pdf::page_scan(path, index, options),
        Format::Tiff => tiff::decode(path, index, options)?,
        Format::Jpeg | Format::Png => {
            if index != 0 {
                return Err(LoadError::NoSuchPage { page: index + 1, count: 1 });
            }
            check_file_size(path, options)?;
            let bytes = std::fs::read(path)?;
            if bytes.is_empty() {
                return Err(LoadError::Empty);
            }
            raster::decode(format, bytes, options)?
        }
    };
    let (dpi, dpi_from_file) = match decoded.dpi {
        Some(d) if plausible_dpi(d) => (d, true),
        _ => (options.fallback_dpi, false),
    };
    Ok(SourcePage { origin: PageOrigin { file: path.to_path_buf(), index }, image: decoded.image, dpi, dpi_from_file })
}

/// What a format decoder hands back.
struct Decoded {
    image: crate::page::PageImage,
    dpi: Option<f32>,
}

/// The most bytes a pixel takes in a JPEG or PNG (16-bit colour with alpha, stored),
/// beside the most a file's headers, metadata and embedded profiles take.
const MAX_BYTES_PER_PIXEL: u64 = 8;
const MAX_HEADER_BYTES: u64 = 64 << 20;

/// Refuses a JPEG or PNG larger than any image within the pixel limit can be, before it is
/// read into memory (a scanner's padding, a broken copy).
fn check_file_size(path: &Path, options: &LoadOptions) -> Result<(), LoadError> {
    let bytes = std::fs::metadata(path)?.len();
    let limit = options.max_pixels.saturating_mul(MAX_BYTES_PER_PIXEL).saturating_add(MAX_HEADER_BYTES);
    if bytes > limit {
        return Err(LoadError::FileTooLarge { bytes, limit, limit_mp: options.max_pixels / 1_000_000 });
    }
    Ok(())
}

/// Refuses images whose header promises an absurd or useless size, before any pixel is decoded.
fn check_dimensions(width: u32, height: u32, options: &LoadOptions) -> Result<(), LoadError> {
    let pixels = width as u64 * height as u64;
    if pixels > options.max_pixels {
        return Err(LoadError::TooLarge {
            width: width as u64,
            height: height as u64,
            limit_mp: options.max_pixels / 1_000_000,
        });
    }
    if width < MIN_SIDE || height < MIN_SIDE {
        return Err(LoadError::TooSmall { width, height });
    }
    if width.max(height) > MAX_SIDE {
        return Err(LoadError::TooLong { width, height });
    }
    Ok(())
}

/// Blends a sample over white paper by its alpha, so transparent areas read as blank paper.
fn over_white(value: u8, alpha: u8) -> u8 {
    let a = alpha as u32;
    ((value as u32 * a + 255 * (255 - a) + 127) / 255) as u8
}

/// Extensions of files that are clearly not scans (notes, spreadsheets, ground truth):
/// they are passed over with a note rather than reported as damaged scans.
const NOT_SCAN_EXTENSIONS: &[&str] =
    &["txt", "json", "xml", "csv", "toml", "md", "doc", "docx", "xls", "xlsx", "odt", "ods", "html", "htm", "log"];

/// Why a file in a batch folder is passed over, when it plainly is not a scan.
pub fn not_a_scan(path: &Path) -> Option<String> {
    let extension = path.extension()?.to_string_lossy().to_lowercase();
    NOT_SCAN_EXTENSIONS.contains(&extension.as_str()).then(|| format!("not a scan (.{extension} file), skipped"))
}

/// Files in a batch folder that are not scans and are passed over silently.
pub fn is_batch_sidecar(path: &Path) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    // `olke zones` writes its zones file, draft manifest and page previews into the batch.
    name.starts_with('.')
        || name.ends_with(crate::zones::PREVIEW_SUFFIX)
        || matches!(
            name.as_str(),
            "batch.csv"
                | "batch.toml"
                | "thumbs.db"
                | "desktop.ini"
                | crate::zones::FILE_NAME
                | crate::zones::draft::FILE_NAME
        )
}

/// A file found in a batch folder, or a folder entry that could not be read and why.
pub type BatchEntry = Result<PathBuf, (PathBuf, String)>;

/// The files of a batch folder, in natural order (`p2` before `p10`), sidecars left out,
/// and the folder `archive` (canonical) when it lies inside: the archive's own PDFs are not
/// scans to ingest. Symbolic links are followed; a link loop is reported as an error for
/// that entry.
pub fn batch_files(dir: &Path, archive: Option<&Path>) -> Vec<BatchEntry> {
    let mut found = Vec::new();
    let walker = walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by(|a, b| natord::compare(&a.file_name().to_string_lossy(), &b.file_name().to_string_lossy()));
    // Hidden folders (.git, .Trash, a sample's .ground-truth) are not part of the batch.
    let hidden = |e: &walkdir::DirEntry| {
        e.depth() > 0 && e.file_type().is_dir() && e.file_name().to_string_lossy().starts_with('.')
    };
    let is_archive = |e: &walkdir::DirEntry| {
        e.file_type().is_dir() && archive.is_some_and(|a| std::fs::canonicalize(e.path()).is_ok_and(|p| p == a))
    };
    for entry in walker.into_iter().filter_entry(|e| !hidden(e) && !is_archive(e)) {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                if !is_batch_sidecar(e.path()) {
                    found.push(Ok(e.into_path()));
                }
            }
            Ok(_) => {}
            Err(err) => {
                let path = err.path().map(Path::to_path_buf).unwrap_or_else(|| dir.to_path_buf());
                // A folder linking to its ancestor, or links pointing at each other (ELOOP).
                let link_cycle = err.io_error().and_then(std::io::Error::raw_os_error) == Some(libc::ELOOP);
                let reason = if err.loop_ancestor().is_some() || link_cycle {
                    "symbolic link loop; skipped".to_string()
                } else {
                    format!("cannot read: {}", err.io_error().map(|e| e.to_string()).unwrap_or_else(|| err.to_string()))
                };
                found.push(Err((path, reason)));
            }
        }
    }
    found
}
