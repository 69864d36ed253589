//! PDFs from an earlier digitization (ABBYY FineReader and the like), read page by page.
//!
//! A page that already has a text layer is kept as it is: its words and their boxes are
//! taken from the PDF, with no OCR. A page without one gives its scan for the normal
//! preparation and OCR: the embedded image itself where the page is one image (a JPEG
//! passes through byte for byte), else the page rendered at 300 dpi.
//!
//! Text and images are read with poppler's command-line tools: they are what the test
//! suite checks PDFs with, they decode every image filter and colour space, and poppler
//! maps fonts to Unicode (ToUnicode CMaps, Identity-H) far more reliably than a
//! hand-written reader, which matters for the Kazakh letters. Each call reads one page,
//! so a 500-page PDF is never in memory whole.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;

use lopdf::Dictionary;
use quick_xml::events::{BytesStart, Event};
use tempfile::TempPath;

use super::{decode_page, probe, LoadError, LoadOptions};
use crate::page::{BBox, Line, PageOrigin, RecognizedPage, SourcePage, Word};
use crate::pdf::import::SourcePdf;
use crate::record::fields::printable;
use crate::record::{Bibliographic, TextLayer};

/// Resolution at which a kept page's word boxes are given in pixels (PDF points are too
/// coarse for whole-number boxes), and at which pages are rendered when they must be.
pub(crate) const RENDER_DPI: f32 = 300.0;

/// What becomes of PDF pages that already have a text layer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum OcrMode {
    /// Keep the page and its text layer; only pages without text are recognized.
    #[default]
    KeepText,
    /// Recognize pages with text again from their image, replacing the old text layer.
    RedoText,
    /// Render every page and recognize it, whatever it holds.
    Force,
}

/// What [`probe_pdf`] learns: the page count and the description the PDF carries.
#[derive(Clone, Debug, Default)]
pub(crate) struct PdfInfo {
    pub pages: usize,
    pub metadata: EmbeddedMetadata,
    /// For a PDF encrypted with only an owner password: the decrypted copy every later
    /// reader opens (removed when the last holder drops it).
    pub decrypted: Option<Arc<TempPath>>,
    /// What the pages may not show: an XFA form's content is not in its pages.
    pub warning: Option<String>,
}

/// The Info dictionary's description of the document.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EmbeddedMetadata {
    pub title: Option<String>,
    pub authors: Vec<String>,
    pub subject: Option<String>,
    pub keywords: Vec<String>,
}

impl EmbeddedMetadata {
    /// Fills the fields `bib` leaves empty: a manifest row overrides the PDF field by field.
    /// The title counts as empty when it is only the file's stem, olke's stand-in.
    pub fn fill_blanks(&self, bib: &mut Bibliographic, stand_in_title: &str) {
        if let Some(title) = self.title.as_ref().filter(|_| bib.title.is_empty() || bib.title == stand_in_title) {
            bib.title = title.clone();
        }
        if bib.authors.is_empty() {
            bib.authors = self.authors.clone();
        }
        // The Subject entry is a free description of the document, not subject headings.
        if bib.notes.is_none() {
            bib.notes = self.subject.clone();
        }
        if bib.subjects.is_empty() {
            bib.subjects = self.keywords.clone();
        }
    }
}

/// A page of a PDF as the pipeline takes it.
#[derive(Debug)]
pub(crate) enum PdfPageContent {
    /// The page keeps its own text layer; these are its words.
    Text(RecognizedPage),
    /// The page's scan, for preparation and OCR, and what becomes of its text layer
    /// ([`TextLayer::Unmapped`] when it had one that was no use).
    Scan(SourcePage, TextLayer),
}

fn corrupt(detail: impl Into<String>) -> LoadError {
    LoadError::Corrupt { format: "PDF", detail: detail.into() }
}

/// True when the file's bytes hold an `/Encrypt` entry. Looked for in the bytes, not
/// through lopdf: lopdf decrypts some files as it loads them and drops the entry, while
/// image data, which olke copies from the file as stored, stays encrypted.
fn mentions_encryption(path: &Path) -> bool {
    let Ok(file) = std::fs::File::open(path) else { return false };
    // SAFETY: only read, once, while probing; a file changed meanwhile gives a wrong
    // guess at whether to decrypt, which the checks after opening catch.
    let Ok(map) = (unsafe { memmap2::Mmap::map(&file) }) else { return false };
    map.windows(8).any(|w| w == b"/Encrypt")
}

/// A decrypted copy of an encrypted PDF, made by qpdf, which opens a file encrypted with
/// only an owner password (restrictions on printing or copying, no password to read) with
/// every method PDF has. One that needs a password to be read is refused.
fn decrypt(path: &Path) -> Result<TempPath, LoadError> {
    let copy = tempfile::Builder::new().prefix("olke-decrypted-").suffix(".pdf").tempfile()?.into_temp_path();
    let output = Command::new("qpdf")
        .arg("--decrypt")
        .arg(path)
        .arg(&copy)
        .output()
        .map_err(|e| LoadError::Tool { tool: "qpdf".into(), detail: format!("{e} (install the qpdf package)") })?;
    let stderr = String::from_utf8_lossy(&output.stderr);
    match output.status.code() {
        // 3: qpdf repaired something and warned; the copy is complete.
        Some(0 | 3) => Ok(copy),
        _ if stderr.contains("password") => Err(LoadError::Encrypted),
        _ => Err(corrupt(format!("qpdf cannot decrypt it: {}", stderr.trim()))),
    }
}

/// Counts a PDF's pages and reads its Info dictionary; decrypts a PDF encrypted with only
/// an owner password; refuses one that needs a password, and damaged files.
pub(crate) fn probe_pdf(path: &Path) -> Result<PdfInfo, LoadError> {
    let decrypted = if mentions_encryption(path) { Some(Arc::new(decrypt(path)?)) } else { None };
    // Warnings about the decrypted copy name the file it was made from.
    let _original = decrypted.is_some().then(|| tracing::warn_span!("decrypted", from = %path.display()).entered());
    let readable: &Path = decrypted.as_deref().map_or(path, |copy| copy);
    // A parser bug met by one damaged file must not stop the batch.
    let opened = std::panic::catch_unwind(|| SourcePdf::open(readable))
        .map_err(|_| corrupt("its structure cannot be parsed"))?;
    let source = opened.map_err(|e| corrupt(e.reason))?;
    let document = source.document();
    if document.trailer.has(b"Encrypt") || document.is_encrypted() {
        return Err(LoadError::Encrypted);
    }
    let pages = source.page_count() as usize;
    if pages == 0 {
        return Err(corrupt("no pages"));
    }
    let info = document.trailer.get(b"Info").and_then(|i| document.dereference(i)).and_then(|(_, o)| o.as_dict()).ok();
    let warning = is_xfa_form(document).then(|| {
        "an XFA form: what it shows is drawn by a form engine from data that is not in its pages; \
         its pages are archived as poppler shows them (print the form to PDF to archive what Adobe Reader shows)"
            .to_string()
    });
    Ok(PdfInfo { pages, metadata: info.map(metadata).unwrap_or_default(), decrypted, warning })
}

/// True when the document's form is XFA (`/AcroForm` with an `/XFA` entry).
fn is_xfa_form(document: &lopdf::Document) -> bool {
    let form = document.catalog().and_then(|c| c.get(b"AcroForm")).and_then(|f| document.dereference(f));
    form.and_then(|(_, f)| f.as_dict()).is_ok_and(|f| f.has(b"XFA"))
}

fn metadata(info: &Dictionary) -> EmbeddedMetadata {
    let text = |key: &[u8]| {
        info.get(key)
            .ok()
            .and_then(|v| v.as_str().ok())
            .map(decode_text_string)
            .map(|t| printable(&t, false).trim().to_string())
            .filter(|t| !t.is_empty())
    };
    let list = |key: &[u8], separators: &[char]| -> Vec<String> {
        text(key)
            .map(|t| t.split(separators).map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect())
            .unwrap_or_default()
    };
    EmbeddedMetadata {
        title: text(b"Title"),
        authors: list(b"Author", &[';']),
        subject: text(b"Subject"),
        keywords: list(b"Keywords", &[';', ',']),
    }
}

/// A PDF text string: UTF-16BE or UTF-8 after their byte-order marks, else PDFDocEncoding
/// (Latin-1 where it matters: its other differences are typographic marks).
pub(crate) fn decode_text_string(bytes: &[u8]) -> String {
    if let Some(utf16) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        let units: Vec<u16> = utf16.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect();
        String::from_utf16_lossy(&units)
    } else if let Some(utf8) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        String::from_utf8_lossy(utf8).into_owned()
    } else {
        bytes.iter().map(|&b| b as char).collect()
    }
}

/// Reads page `index` (zero-based) of a PDF: its text layer, or its scan for OCR.
pub(crate) fn read_page(
    path: &Path,
    index: usize,
    mode: OcrMode,
    options: &LoadOptions,
) -> Result<PdfPageContent, LoadError> {
    let number = index + 1;
    let scan = |page| PdfPageContent::Scan(page, TextLayer::Ocr);
    if mode == OcrMode::Force {
        return render(path, number, options).map(scan);
    }
    if mode == OcrMode::KeepText {
        let text = text_layer(path, number)?;
        if text.word_count() > 0 {
            if !maps_to_unicode(&text) {
                return page_scan(path, index, options).map(|page| PdfPageContent::Scan(page, TextLayer::Unmapped));
            }
            return Ok(PdfPageContent::Text(text));
        }
    }
    page_scan(path, index, options).map(scan)
}

/// Share of a text layer's words that may fail to map to Unicode before the layer is no
/// use: a real layer maps every glyph (a few symbols in the private-use area are normal),
/// one whose fonts have no mapping gives poppler control characters and empty words.
const MAX_UNMAPPED_WORDS: f32 = 0.1;

/// True when the words poppler read from the text layer are text: few of them empty or
/// holding control, private-use or replacement characters.
fn maps_to_unicode(page: &RecognizedPage) -> bool {
    let unmapped = |c: char| {
        (c.is_control() && !c.is_whitespace())
            || c == char::REPLACEMENT_CHARACTER
            || matches!(c, '\u{E000}'..='\u{F8FF}' | '\u{F0000}'..='\u{10FFFF}')
    };
    let words = page.words().count();
    let bad = page.words().filter(|w| w.text.trim().is_empty() || w.text.chars().any(unmapped)).count();
    (bad as f32) <= MAX_UNMAPPED_WORDS * words as f32
}

/// The scan of page `index` (zero-based): its one image, or else the page rendered.
pub(crate) fn page_scan(path: &Path, index: usize, options: &LoadOptions) -> Result<SourcePage, LoadError> {
    let number = index + 1;
    match single_image_ppi(path, number)? {
        Some(ppi) => extract_image(path, number, ppi, options),
        None => render(path, number, options),
    }
}

/// Runs a poppler tool on page `number` of `pdf` and returns its standard output.
/// `after` is what follows the PDF on the command line (an output file or root).
fn poppler(
    tool: &str,
    options: &[&str],
    number: usize,
    pdf: &Path,
    after: Option<&Path>,
) -> Result<Vec<u8>, LoadError> {
    let number = number.to_string();
    let output =
        Command::new(tool).args(options).args(["-f", &number, "-l", &number]).arg(pdf).args(after).output().map_err(
            |e| LoadError::Tool { tool: tool.to_string(), detail: format!("{e} (it comes with poppler-utils)") },
        )?;
    if !output.status.success() {
        return Err(corrupt(format!("{tool}: {}", String::from_utf8_lossy(&output.stderr).trim())));
    }
    Ok(output.stdout)
}

/// The words of page `number` with their boxes, in pixels at [`RENDER_DPI`].
pub(crate) fn text_layer(path: &Path, number: usize) -> Result<RecognizedPage, LoadError> {
    let xhtml = poppler("pdftotext", &["-bbox-layout", "-enc", "UTF-8"], number, path, Some(Path::new("-")))?;
    parse_bbox_layout(&String::from_utf8_lossy(&xhtml)).map_err(|e| corrupt(format!("pdftotext -bbox-layout: {e}")))
}

/// Reads `pdftotext -bbox-layout` output (one page) into a [`RecognizedPage`]: its blocks
/// become paragraphs, its lines and words ours.
fn parse_bbox_layout(xhtml: &str) -> Result<RecognizedPage, quick_xml::Error> {
    let scale = RENDER_DPI / 72.0;
    let mut page = RecognizedPage {
        width: 0,
        height: 0,
        dpi: RENDER_DPI,
        lines: Vec::new(),
        mean_conf: 100.0,
        models: String::new(),
        corrections: Vec::new(),
    };
    let mut block = None::<u32>;
    let mut word: Option<Word> = None;
    let mut reader = quick_xml::Reader::from_str(xhtml);
    loop {
        match reader.read_event()? {
            Event::Start(e) => match e.name().as_ref() {
                b"page" => {
                    page.width = (number(&e, "width") * scale).round() as u32;
                    page.height = (number(&e, "height") * scale).round() as u32;
                }
                b"block" => block = Some(block.map_or(0, |b| b + 1)),
                b"line" => {
                    let bbox = bbox(&e, scale);
                    page.lines.push(Line {
                        bbox,
                        baseline_slope: 0.0,
                        baseline_offset: 0.0,
                        x_size: bbox.height() as f32,
                        x_descenders: 0.0,
                        block: block.unwrap_or(0),
                        paragraph: 0,
                        words: Vec::new(),
                        corrected: false,
                    });
                }
                // The text layer is the document's own: there is no recognition confidence
                // to doubt it by.
                b"word" => word = Some(Word { text: String::new(), bbox: bbox(&e, scale), conf: 100.0 }),
                _ => {}
            },
            Event::Text(t) => {
                if let Some(w) = word.as_mut() {
                    w.text.push_str(&t.unescape()?);
                }
            }
            Event::End(e) if e.name().as_ref() == b"word" => {
                if let (Some(w), Some(line)) = (word.take(), page.lines.last_mut()) {
                    line.words.push(w);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    page.lines.retain(|l| !l.words.is_empty());
    Ok(page)
}

fn number(element: &BytesStart, name: &str) -> f32 {
    element.try_get_attribute(name).ok().flatten().and_then(|a| a.unescape_value().ok()?.parse().ok()).unwrap_or(0.0)
}

fn bbox(element: &BytesStart, scale: f32) -> BBox {
    let at = |name| (number(element, name) * scale).max(0.0).round() as u32;
    BBox { x0: at("xMin"), y0: at("yMin"), x1: at("xMax"), y1: at("yMax") }
}

/// When page `number` is exactly one image covering the whole page (a scanned page), its
/// resolution on the page. Anything else is rendered, as a reader would see it: a soft mask
/// or stencil that changes what the image shows, a second image, an image smaller than the
/// page (the page's margins are part of it), pixels that are not square.
fn single_image_ppi(path: &Path, number: usize) -> Result<Option<f32>, LoadError> {
    let listing = poppler("pdfimages", &["-list"], number, path, None)?;
    // Two header lines, then: page num type width height color comp bpc enc interp object
    // ID x-ppi y-ppi size ratio.
    let listing = String::from_utf8_lossy(&listing);
    let rows: Vec<Vec<&str>> =
        listing.lines().skip(2).map(|l| l.split_whitespace().collect::<Vec<_>>()).filter(|r| r.len() > 13).collect();
    let [row] = rows.as_slice() else { return Ok(None) };
    let field = |i: usize| row[i].parse::<f32>().ok().filter(|v| *v > 0.0);
    let (Some(width), Some(height), Some(x_ppi), Some(y_ppi)) = (field(3), field(4), field(12), field(13)) else {
        return Ok(None);
    };
    // pdfimages rounds resolutions to whole numbers: 1 % is that rounding at 100 ppi.
    let close = |a: f32, b: f32| (a - b).abs() <= 0.01 * a.max(b) + 1.0;
    if row[2] != "image" || !close(x_ppi, y_ppi) {
        return Ok(None);
    }
    let (page_width, page_height) = page_size(path, number)?;
    let (placed_width, placed_height) = (width / x_ppi * 72.0, height / y_ppi * 72.0);
    let covers = |w: f32, h: f32| close(placed_width, w) && close(placed_height, h);
    // A page turned by /Rotate reports its size unturned; the image may be placed either way.
    Ok((covers(page_width, page_height) || covers(page_height, page_width)).then_some(x_ppi))
}

/// Page `number`'s size in points, as `pdfinfo` reports it (the crop box).
fn page_size(path: &Path, number: usize) -> Result<(f32, f32), LoadError> {
    let info = poppler("pdfinfo", &[], number, path, None)?;
    let info = String::from_utf8_lossy(&info);
    // "Page    1 size: 595.28 x 841.89 pts (A4)"
    let size = info
        .lines()
        .filter_map(|l| l.split_once(" size:").map(|(_, rest)| rest))
        .find_map(|rest| {
            let mut parts = rest.split_whitespace();
            let width = parts.next()?.parse().ok()?;
            let height = parts.nth(1)?.parse().ok()?;
            Some((width, height))
        })
        .ok_or_else(|| corrupt(format!("page {number}: pdfinfo gives no page size")))?;
    Ok(size)
}

/// The page's one image as it is stored (a JPEG byte for byte, other images losslessly).
/// Its resolution is the one it has on the page, whatever its header claims: that keeps the
/// page its printed size, even for an image of 72 ppi (which preparation upscales for OCR).
fn extract_image(path: &Path, number: usize, ppi: f32, options: &LoadOptions) -> Result<SourcePage, LoadError> {
    let dir = tempfile::tempdir()?;
    poppler("pdfimages", &["-j", "-tiff", "-q"], number, path, Some(&dir.path().join("image")))?;
    let image = std::fs::read_dir(dir.path())?.filter_map(Result::ok).map(|e| e.path()).next();
    let image = image.ok_or_else(|| corrupt(format!("page {number}: its image could not be extracted")))?;
    let mut page = scan_file(&image, path, number, options)?;
    page.dpi = ppi;
    page.dpi_from_file = true;
    Ok(page)
}

/// Page `number` rendered at [`RENDER_DPI`].
fn render(path: &Path, number: usize, options: &LoadOptions) -> Result<SourcePage, LoadError> {
    let dir = tempfile::tempdir()?;
    let root = dir.path().join("page");
    let dpi = RENDER_DPI.to_string();
    poppler("pdftoppm", &["-r", &dpi, "-singlefile", "-png"], number, path, Some(&root))?;
    let mut page = scan_file(&root.with_extension("png"), path, number, options)?;
    page.dpi = RENDER_DPI;
    page.dpi_from_file = true;
    Ok(page)
}

/// Decodes an image file poppler wrote, as page `number` of the PDF.
fn scan_file(image: &Path, pdf: &Path, number: usize, options: &LoadOptions) -> Result<SourcePage, LoadError> {
    let info = probe(image)?;
    let mut page = decode_page(image, info.format, 0, options)?;
    page.origin = PageOrigin { file: pdf.to_path_buf(), index: number - 1 };
    Ok(page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_strings_in_every_encoding() {
        let utf16: Vec<u8> = [0xFE, 0xFF].into_iter().chain("Өлке".encode_utf16().flat_map(u16::to_be_bytes)).collect();
        assert_eq!(decode_text_string(&utf16), "Өлке");
        assert_eq!(decode_text_string(b"Caf\xe9"), "Café");
        assert_eq!(decode_text_string("\u{FEFF}Қала".as_bytes()), "Қала");
    }

    #[test]
    fn bbox_layout_becomes_lines_and_paragraphs() {
        let xhtml = r#"<html><body><doc><page width="72.0" height="144.0"><flow><block xMin="1" yMin="2" xMax="60" yMax="20">
            <line xMin="1" yMin="2" xMax="60" yMax="10"><word xMin="1" yMin="2" xMax="20" yMax="10">Әуезов</word><word xMin="24" yMin="2" xMax="60" yMax="10">&amp;ұлы</word></line>
            </block><block xMin="1" yMin="30" xMax="60" yMax="40"><line xMin="1" yMin="30" xMax="30" yMax="40"><word xMin="1" yMin="30" xMax="30" yMax="40">қала</word></line></block></flow></page></doc></body></html>"#;
        let page = parse_bbox_layout(xhtml).unwrap();
        assert_eq!((page.width, page.height, page.dpi), (300, 600, 300.0));
        assert_eq!(page.text(), "Әуезов &ұлы\n\nқала");
        assert_eq!(page.lines[0].words[1].bbox, BBox { x0: 100, y0: 8, x1: 250, y1: 42 });
    }

    #[test]
    fn manifest_fields_override_the_pdf_field_by_field() {
        let embedded = EmbeddedMetadata {
            title: Some("Балқаш".into()),
            authors: vec!["Кәрім, Н.".into()],
            subject: Some("Өлкетану".into()),
            keywords: vec!["тарих".into()],
        };
        let mut from_file = Bibliographic { title: "scan-01".into(), ..Default::default() };
        embedded.fill_blanks(&mut from_file, "scan-01");
        assert_eq!((from_file.title.as_str(), from_file.authors.len(), from_file.subjects.len()), ("Балқаш", 1, 1));
        let mut from_manifest =
            Bibliographic { title: "Қамшы".into(), subjects: vec!["өлең".into()], ..Default::default() };
        embedded.fill_blanks(&mut from_manifest, "scan-01");
        assert_eq!(from_manifest.title, "Қамшы");
        assert_eq!(from_manifest.subjects, vec!["өлең".to_string()]);
        assert_eq!(from_manifest.authors, vec!["Кәрім, Н.".to_string()]);
        assert_eq!(from_manifest.notes.as_deref(), Some("Өлкетану"));
    }
}
