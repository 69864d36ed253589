//! The types that carry one page through the pipeline:
//! [`SourcePage`] (decoded scan) → [`PreparedPage`] (what to archive, what to OCR)
//! → [`RecognizedPage`] (words with boxes in archived-image pixels).

use std::path::PathBuf;
use std::sync::Arc;

use image::{GrayImage, RgbImage};
use serde::{Deserialize, Serialize};

/// Where a page came from: a file and the page's index inside it (multi-page TIFF).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PageOrigin {
    pub file: PathBuf,
    /// Zero-based page index inside `file`.
    pub index: usize,
}

impl std::fmt::Display for PageOrigin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.index == 0 {
            write!(f, "{}", self.file.display())
        } else {
            write!(f, "{} (page {})", self.file.display(), self.index + 1)
        }
    }
}

/// A page image in one of the forms the PDF stage can store without loss of meaning.
#[derive(Clone, Debug)]
pub enum PageImage {
    /// Black-and-white (values 0 or 255); stored as CCITT G4.
    Bitonal(GrayImage),
    Gray(GrayImage),
    Rgb(RgbImage),
    /// The scan's own compressed file, stored as it is (a JPEG's bytes, a PNG's rows).
    Original(Arc<OriginalImage>),
}

/// A scan file kept for pass-through into the PDF, so a JPEG is not compressed a second
/// time nor a PNG compressed again, with the decoded pixels beside it for OCR and
/// preparation.
#[derive(Debug)]
pub struct OriginalImage {
    pub format: OriginalFormat,
    /// The whole file.
    pub bytes: Vec<u8>,
    pub width: u32,
    pub height: u32,
    pub pixels: PixelData,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OriginalFormat {
    /// Gray or colour (YCbCr) JPEG, stored with DCTDecode.
    Jpeg,
    /// 8-bit gray or RGB PNG, not interlaced: its IDAT payload is stored with FlateDecode.
    Png,
}

/// Decoded pixels of an original file, gray or colour as the file has them.
#[derive(Debug)]
pub enum PixelData {
    Gray(GrayImage),
    Rgb(RgbImage),
}

impl PageImage {
    pub fn width(&self) -> u32 {
        match self {
            PageImage::Bitonal(i) | PageImage::Gray(i) => i.width(),
            PageImage::Rgb(i) => i.width(),
            PageImage::Original(o) => o.width,
        }
    }

    pub fn height(&self) -> u32 {
        match self {
            PageImage::Bitonal(i) | PageImage::Gray(i) => i.height(),
            PageImage::Rgb(i) => i.height(),
            PageImage::Original(o) => o.height,
        }
    }

    /// Luminance, as OCR and preparation see the page.
    pub fn to_gray(&self) -> GrayImage {
        match self {
            PageImage::Bitonal(i) | PageImage::Gray(i) => i.clone(),
            PageImage::Rgb(i) => image::DynamicImage::ImageRgb8(i.clone()).to_luma8(),
            PageImage::Original(o) => match &o.pixels {
                PixelData::Gray(g) => g.clone(),
                PixelData::Rgb(c) => image::DynamicImage::ImageRgb8(c.clone()).to_luma8(),
            },
        }
    }
}

/// A decoded scan page as it came from the file.
#[derive(Clone, Debug)]
pub struct SourcePage {
    pub origin: PageOrigin,
    pub image: PageImage,
    /// Resolution in pixels per inch (from the file, or the `--dpi` fallback).
    pub dpi: f32,
    /// True when `dpi` came from the file rather than the fallback.
    pub dpi_from_file: bool,
}

/// What preparation did to a page, recorded in the catalogue.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Preparation {
    /// Steps applied, in order, as short names (`"deskew"`, `"binarize"`, …).
    #[serde(default)]
    pub steps: Vec<String>,
    /// Deskew angle applied, degrees counter-clockwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deskew_degrees: Option<f32>,
    /// Rotation turned upright, degrees clockwise (0, 90, 180, 270).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rotation: Option<u16>,
    /// Which half of a two-page spread this page is (`"left"`/`"right"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub split: Option<String>,
    /// The part of the source image kept, in source pixels.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crop: Option<BBox>,
    /// Binarization threshold (global) or method used for the OCR image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threshold: Option<String>,
    /// Scale of the OCR image relative to the archived image.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ocr_scale: Option<f32>,
    /// Parts of the page where the scan shows lines of text that the reading of the
    /// prepared page missed, read again from the scan itself (`prepare::guard`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rereads: Vec<Reread>,
}

impl Preparation {
    /// Text-like lines on the scan that no reading recognized: text may be missing.
    pub fn unread_lines(&self) -> usize {
        self.rereads.iter().map(|r| r.unread).sum()
    }
}

/// A part of a page read again because the first reading left text-like lines of the
/// scan unrecognized.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reread {
    /// The part read again, in archived-image pixels.
    pub area: BBox,
    /// Text-like lines on the scan there that the first reading did not cover.
    pub lines: usize,
    /// Words the second reading (the scan with its paper evened, not cleaned) added.
    pub words_added: usize,
    /// Of `lines`, those still unread that are as dark as text read elsewhere on the page.
    pub unread: usize,
}

/// A page ready for OCR: the image to archive, and the image to recognize.
#[derive(Clone, Debug)]
pub struct PreparedPage {
    pub origin: PageOrigin,
    /// What the PDF shows.
    pub archive: PageImage,
    /// Resolution of `archive`.
    pub dpi: f32,
    /// What Tesseract reads: `archive` cleaned, binarized or upscaled.
    pub ocr: GrayImage,
    /// `ocr` pixels per `archive` pixel (> 1 when upscaled for OCR).
    pub ocr_scale: f32,
    pub preparation: Preparation,
}

/// An axis-aligned box in pixels, origin top-left, `x1`/`y1` exclusive.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct BBox {
    pub x0: u32,
    pub y0: u32,
    pub x1: u32,
    pub y1: u32,
}

impl BBox {
    pub fn width(&self) -> u32 {
        self.x1.saturating_sub(self.x0)
    }

    pub fn height(&self) -> u32 {
        self.y1.saturating_sub(self.y0)
    }

    /// The box scaled by `factor` (e.g. from OCR-image to archived-image pixels).
    pub fn scaled(&self, factor: f32) -> BBox {
        let s = |v: u32| (v as f32 * factor).round() as u32;
        BBox { x0: s(self.x0), y0: s(self.y0), x1: s(self.x1), y1: s(self.y1) }
    }

    /// Whether `other` lies wholly inside this box.
    pub fn contains(&self, other: &BBox) -> bool {
        other.x0 >= self.x0 && other.y0 >= self.y0 && other.x1 <= self.x1 && other.y1 <= self.y1
    }

    /// Whether the centre of `other` lies inside this box.
    pub fn holds_centre_of(&self, other: &BBox) -> bool {
        let (x, y) = ((other.x0 + other.x1) / 2, (other.y0 + other.y1) / 2);
        (self.x0..self.x1).contains(&x) && (self.y0..self.y1).contains(&y)
    }

    /// The area this box shares with `other`, in pixels.
    pub fn overlap(&self, other: &BBox) -> u64 {
        let width = self.x1.min(other.x1).saturating_sub(self.x0.max(other.x0)) as u64;
        let height = self.y1.min(other.y1).saturating_sub(self.y0.max(other.y0)) as u64;
        width * height
    }

    pub fn area(&self) -> u64 {
        self.width() as u64 * self.height() as u64
    }

    /// The smallest box holding both.
    pub fn union(&self, other: &BBox) -> BBox {
        BBox {
            x0: self.x0.min(other.x0),
            y0: self.y0.min(other.y0),
            x1: self.x1.max(other.x1),
            y1: self.y1.max(other.y1),
        }
    }

    /// Intersection over union: 1 for the same box, 0 for boxes apart.
    pub fn iou(&self, other: &BBox) -> f64 {
        let both = self.overlap(other);
        match self.area() + other.area() - both {
            0 => 0.0,
            either => both as f64 / either as f64,
        }
    }
}

/// One recognized word.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Word {
    pub text: String,
    pub bbox: BBox,
    /// Tesseract's confidence, 0–100.
    pub conf: f32,
}

/// One recognized text line, in Tesseract's reading order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Line {
    pub bbox: BBox,
    /// Baseline as `y = bbox.y1 + offset + slope * (x - bbox.x0)`, in pixels (hOCR's convention).
    pub baseline_slope: f32,
    pub baseline_offset: f32,
    /// Height of the text row (ascender to descender), pixels.
    pub x_size: f32,
    /// Depth of descenders below the baseline, pixels.
    pub x_descenders: f32,
    /// Block and paragraph numbers, counted from 0 on the page.
    pub block: u32,
    pub paragraph: u32,
    pub words: Vec<Word>,
    /// True when a person corrected the line's words (`olke correct`); absent in what OCR made.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub corrected: bool,
}

impl Line {
    /// Baseline height at `x`, in pixels from the top of the page.
    pub fn baseline_at(&self, x: f32) -> f32 {
        self.bbox.y1 as f32 + self.baseline_offset + self.baseline_slope * (x - self.bbox.x0 as f32)
    }

    pub fn text(&self) -> String {
        let words: Vec<&str> = self.words.iter().map(|w| w.text.as_str()).collect();
        words.join(" ")
    }

    /// The line holding only `words` (some of its own), its box theirs; `None` for none.
    pub(crate) fn keeping(&self, words: Vec<Word>) -> Option<Line> {
        let bbox = words.iter().map(|w| w.bbox).reduce(|a, b| a.union(&b))?;
        Some(Line { bbox, words, ..self.clone() })
    }
}

/// A recognized page: text with positions in the coordinates of the archived image.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecognizedPage {
    pub width: u32,
    pub height: u32,
    pub dpi: f32,
    pub lines: Vec<Line>,
    /// Mean word confidence, 0–100 (0 for a page without words).
    pub mean_conf: f32,
    /// The Tesseract models the engine was asked for (`kaz+rus+eng`).
    #[serde(rename = "languages")]
    pub models: String,
    /// Every correction of the page's lines and every revert, oldest first: the page's
    /// history travels with its words (see [`crate::correct`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub corrections: Vec<crate::correct::Correction>,
}

impl RecognizedPage {
    /// A page without size or words: where a page that should be there is missing.
    pub fn empty() -> RecognizedPage {
        RecognizedPage {
            width: 0,
            height: 0,
            dpi: 0.0,
            lines: Vec::new(),
            mean_conf: 0.0,
            models: String::new(),
            corrections: Vec::new(),
        }
    }

    /// Plain text: words joined by spaces, lines by newlines, paragraphs by a blank line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        let mut previous: Option<(u32, u32)> = None;
        for line in &self.lines {
            if let Some(p) = previous {
                out.push('\n');
                if p != (line.block, line.paragraph) {
                    out.push('\n');
                }
            }
            out.push_str(&line.text());
            previous = Some((line.block, line.paragraph));
        }
        out
    }

    pub fn words(&self) -> impl Iterator<Item = &Word> {
        self.lines.iter().flat_map(|l| l.words.iter())
    }

    pub fn word_count(&self) -> usize {
        self.lines.iter().map(|l| l.words.len()).sum()
    }

    /// True when most lines of several letters run down the page rather than across it:
    /// Tesseract read a page lying on its side as vertical text (often with good
    /// confidence), which no page in Kazakh, Russian or English is set in.
    pub fn reads_sideways(&self) -> bool {
        let long = self.lines.iter().filter(|l| l.words.iter().map(|w| w.text.chars().count()).sum::<usize>() >= 4);
        let (down, across): (Vec<&Line>, Vec<&Line>) = long.partition(|l| l.bbox.height() > l.bbox.width());
        down.len() > across.len()
    }

    /// How much text was read upright: the letters of lines that run across the page,
    /// each weighed by its word's confidence. Readings of one page in different turns are
    /// compared by it: text read down the page counts for nothing, and a picture's hatching
    /// read as letters for little.
    pub fn upright_text(&self) -> f32 {
        let across = self.lines.iter().filter(|l| l.bbox.width() >= l.bbox.height());
        across.flat_map(|l| &l.words).map(|w| w.text.chars().count() as f32 * w.conf.max(0.0) / 100.0).sum()
    }
}
