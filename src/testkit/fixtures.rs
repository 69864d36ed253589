//! Test pages with known text: Kazakh, Russian and English prose drawn into page images
//! with a system font at a known resolution, and written as the files scanners make
//! (TIFF with any compression, JPEG, PNG, each with its DPI). The test suite and the
//! bundled `scans/` sample are made with it, so their ground truth is exact. Documents
//! of known text can also be filed without OCR ([`file_text_document`]), for what comes
//! after it.

use std::io::{Cursor, Write};
use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, Luma};
use sha2::Digest;
use tiff::encoder::compression::DeflateLevel;
use tiff::encoder::{colortype, Compression, Rational, TiffEncoder};
use tiff::tags::{CompressionMethod, PhotometricInterpretation, ResolutionUnit, Tag};

use crate::archive::{write_atomic, Archive};
use crate::catalog::Catalog;
use crate::page::{BBox, Line, RecognizedPage, Word};
use crate::record::{Bibliographic, DocumentRecord, OcrInfo, PageSummary, SCHEMA_VERSION};

/// Prose for test pages. Kazakh paragraphs between them use every letter Kazakh adds to
/// the Russian alphabet (ә ғ қ ң ө ұ ү һ і), in both cases.
pub mod texts {
    pub const KAZAKH: &[&str] = &[
        "Балқаш қаласы көлдің солтүстік жағалауында орналасқан. Қала тарихы мыс кенішінің \
         ашылуымен тығыз байланысты. Бірінші құрылысшылар мұнда отызыншы жылдары келді.",
        "Өлкетану бөлімі жергілікті ақын-жазушылардың шығармаларын жинайды. Оқырмандар \
         үшін көне газеттердің электрондық көшірмелері әзірленді. Һижра жылнамасы да бар.",
        "Ұлы Отан соғысының ардагерлері мен қаһармандары туралы естеліктер кітапханада сақталған. Әрбір \
         құжат мұқият сканерленіп, мәтіні танылып, каталогқа енгізілді.",
        "Әуезов көшесіндегі ғимаратта облыстық мұрағаттың филиалы жұмыс істейді. Ғалымдар \
         мен студенттер өңірдің өткенін зерттеу үшін осында жиі келеді.",
        "Қазақ тілі мен орыс тіліндегі басылымдар бірге сақталады. Ұйымдастырушылар \
         Іле өзенінің аңғары туралы жаңа көрме әзірлеуде. Үздік жұмыстар марапатталды.",
        "ӘҒҚҢӨҰҮҺІ әріптері қазақ әліпбиінде ғана кездеседі. Һәм мұны әр оқушы біледі.",
    ];

    pub const RUSSIAN: &[&str] = &[
        "Город Балхаш расположен на северном берегу озера. История города тесно связана \
         с открытием медного месторождения. Первые строители приехали сюда в тридцатые годы.",
        "Отдел краеведения собирает произведения местных поэтов и писателей. Для читателей \
         подготовлены электронные копии старых газет и журналов областной библиотеки.",
        "Воспоминания ветеранов Великой Отечественной войны хранятся в библиотеке. Каждый \
         документ тщательно отсканирован, распознан и внесён в каталог.",
        "В здании на улице Ауэзова работает филиал областного архива. Учёные и студенты \
         часто приходят сюда, чтобы изучать прошлое региона.",
    ];

    pub const ENGLISH: &[&str] = &["The local history collection of the city library holds newspapers, books and \
         photographs about the region and its people."];
}

/// Loads the fixture font, or explains which package provides it.
pub fn load_font() -> Result<FontVec, String> {
    let path = crate::pdf::truetype::system_font()
        .ok_or("no DejaVu font found; install it with: apt-get install fonts-dejavu-core")?;
    let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    FontVec::try_from_vec(bytes).map_err(|e| format!("{}: {e}", path.display()))
}

/// The layout of a rendered page.
#[derive(Clone, Debug)]
pub struct PageSpec {
    pub width_in: f32,
    pub height_in: f32,
    pub dpi: f32,
    /// Font size in points.
    pub font_pt: f32,
    pub margin_in: f32,
    /// Line spacing as a multiple of the font size.
    pub leading: f32,
}

impl PageSpec {
    /// An A5 book page at `dpi`, 12 pt type.
    pub fn a5(dpi: f32) -> PageSpec {
        PageSpec { width_in: 5.83, height_in: 8.27, dpi, font_pt: 12.0, margin_in: 0.7, leading: 1.5 }
    }

    /// A compact page for fast tests: half an A5 page.
    pub fn small(dpi: f32) -> PageSpec {
        PageSpec { height_in: 4.0, ..PageSpec::a5(dpi) }
    }

    fn px(&self, inches: f32) -> f32 {
        inches * self.dpi
    }
}

/// A rendered page and the text on it, line by line, as a reader would copy it.
pub struct RenderedPage {
    pub image: GrayImage,
    pub lines: Vec<String>,
    /// Lines of the paragraphs that did not fit on the page.
    pub overflow: Vec<String>,
}

impl RenderedPage {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

/// Breaks `text` into lines no wider than `max_width` pixels at `scale`.
pub(crate) fn wrap(font: &FontVec, scale: PxScale, text: &str, max_width: f32) -> Vec<String> {
    let scaled = font.as_scaled(scale);
    let width = |s: &str| -> f32 { s.chars().map(|c| scaled.h_advance(scaled.glyph_id(c))).sum() };
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if width(&candidate) > max_width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
            line = word.to_string();
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Draws paragraphs onto a white page, black text, a blank line between paragraphs.
pub fn render_page(font: &FontVec, spec: &PageSpec, paragraphs: &[&str]) -> RenderedPage {
    let width = spec.px(spec.width_in).round() as u32;
    let height = spec.px(spec.height_in).round() as u32;
    let mut image = GrayImage::from_pixel(width, height, Luma([255]));
    let size_px = spec.font_pt / 72.0 * spec.dpi;
    let scale = PxScale::from(size_px);
    let margin = spec.px(spec.margin_in);
    let line_height = size_px * spec.leading;
    let mut y = margin;
    let mut lines = Vec::new();
    let mut overflow = Vec::new();
    for paragraph in paragraphs {
        for line in wrap(font, scale, paragraph, width as f32 - 2.0 * margin) {
            if y + line_height > height as f32 - margin {
                overflow.push(line);
                continue;
            }
            imageproc::drawing::draw_text_mut(&mut image, Luma([0]), margin as i32, y as i32, scale, font, &line);
            lines.push(line);
            y += line_height;
        }
        y += line_height * 0.6;
    }
    RenderedPage { image, lines, overflow }
}

/// Turns a page into pure black and white, as a bitonal scanner would.
pub fn threshold(image: &GrayImage) -> GrayImage {
    GrayImage::from_fn(image.width(), image.height(), |x, y| {
        Luma([if image.get_pixel(x, y)[0] < 160 { 0 } else { 255 }])
    })
}

/// Writes a grayscale PNG with its resolution in the pHYs chunk.
pub fn write_png(path: &Path, image: &GrayImage, dpi: f32) -> std::io::Result<()> {
    let file = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut encoder = png::Encoder::new(file, image.width(), image.height());
    encoder.set_color(png::ColorType::Grayscale);
    encoder.set_depth(png::BitDepth::Eight);
    let ppm = (dpi / 0.0254).round() as u32;
    encoder.set_pixel_dims(Some(png::PixelDimensions { xppu: ppm, yppu: ppm, unit: png::Unit::Meter }));
    let mut writer = encoder.write_header().map_err(std::io::Error::other)?;
    writer.write_image_data(image.as_raw()).map_err(std::io::Error::other)?;
    writer.finish().map_err(std::io::Error::other)
}

/// Writes a grayscale JPEG with its resolution in the JFIF header.
pub fn write_jpeg(path: &Path, image: &GrayImage, dpi: f32, quality: u8) -> std::io::Result<()> {
    let mut bytes = Vec::new();
    let mut encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, quality);
    encoder.set_pixel_density(image::codecs::jpeg::PixelDensity::dpi(dpi.round() as u16));
    encoder.encode_image(image).map_err(std::io::Error::other)?;
    std::fs::write(path, bytes)
}

/// How a fixture TIFF's pages are compressed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TiffKind {
    /// 8-bit gray, LZW.
    Lzw,
    /// 8-bit gray, Deflate.
    Deflate,
    /// 16-bit gray, uncompressed.
    Gray16,
    /// Black and white, CCITT Group 4.
    G4,
}

fn dpi_rational(dpi: f32) -> Rational {
    Rational { n: (dpi * 100.0).round() as u32, d: 100 }
}

/// Writes a (multi-page) TIFF, one page per image, each with its resolution.
pub fn write_tiff(path: &Path, pages: &[GrayImage], dpi: f32, kind: TiffKind) -> std::io::Result<()> {
    let err = |e: tiff::TiffError| std::io::Error::other(e.to_string());
    let mut bytes = Cursor::new(Vec::new());
    {
        let compression = match kind {
            TiffKind::Lzw => Compression::Lzw,
            TiffKind::Deflate => Compression::Deflate(DeflateLevel::Balanced),
            TiffKind::Gray16 | TiffKind::G4 => Compression::Uncompressed,
        };
        let mut encoder = TiffEncoder::new(&mut bytes).map_err(err)?.with_compression(compression);
        for page in pages {
            let (w, h) = page.dimensions();
            match kind {
                TiffKind::Lzw | TiffKind::Deflate => {
                    let mut image = encoder.new_image::<colortype::Gray8>(w, h).map_err(err)?;
                    image.resolution(ResolutionUnit::Inch, dpi_rational(dpi));
                    image.write_data(page.as_raw()).map_err(err)?;
                }
                TiffKind::Gray16 => {
                    let wide: Vec<u16> = page.as_raw().iter().map(|&v| v as u16 * 257).collect();
                    let mut image = encoder.new_image::<colortype::Gray16>(w, h).map_err(err)?;
                    image.resolution(ResolutionUnit::Inch, dpi_rational(dpi));
                    image.write_data(&wide).map_err(err)?;
                }
                TiffKind::G4 => write_g4_page(&mut encoder, page, dpi).map_err(err)?,
            }
        }
    }
    let mut file = std::fs::File::create(path)?;
    file.write_all(bytes.get_ref())
}

/// A CCITT G4 page: the crate's encoder has no fax compressor, so the strip is encoded
/// with the `fax` crate and the directory written tag by tag.
fn write_g4_page<W: std::io::Write + std::io::Seek>(
    encoder: &mut TiffEncoder<W>,
    page: &GrayImage,
    dpi: f32,
) -> tiff::TiffResult<()> {
    use fax::{encoder::Encoder, Color, VecWriter};
    let (w, h) = page.dimensions();
    let mut fax = Encoder::new(VecWriter::new());
    for row in page.as_raw().chunks(w as usize) {
        fax.encode_line(row.iter().map(|&v| if v < 128 { Color::Black } else { Color::White }), w).expect("in memory");
    }
    let data = fax.finish().expect("in memory").finish();
    let mut dir = encoder.image_directory()?;
    let offset = dir.write_data(&data[..])?;
    dir.write_tag(Tag::ImageWidth, w)?;
    dir.write_tag(Tag::ImageLength, h)?;
    dir.write_tag(Tag::BitsPerSample, 1u16)?;
    dir.write_tag(Tag::Compression, CompressionMethod::Fax4.to_u16())?;
    dir.write_tag(Tag::PhotometricInterpretation, PhotometricInterpretation::WhiteIsZero.to_u16())?;
    dir.write_tag(Tag::StripOffsets, offset as u32)?;
    dir.write_tag(Tag::SamplesPerPixel, 1u16)?;
    dir.write_tag(Tag::RowsPerStrip, h)?;
    dir.write_tag(Tag::StripByteCounts, data.len() as u32)?;
    dir.write_tag(Tag::XResolution, dpi_rational(dpi))?;
    dir.write_tag(Tag::YResolution, dpi_rational(dpi))?;
    dir.write_tag(Tag::ResolutionUnit, ResolutionUnit::Inch.to_u16())?;
    dir.finish()
}

/// A recognized page with the given text, as OCR would give it: one line per text line,
/// a new paragraph after each blank line, words in a row with plausible boxes. For tests
/// and benchmarks of what comes after OCR (search), which need known text, not pixels.
pub fn recognized_page(text: &str) -> RecognizedPage {
    const LINE_HEIGHT: u32 = 50;
    let mut lines = Vec::new();
    let mut paragraph = 0;
    for (row, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            paragraph += 1;
            continue;
        }
        let y0 = 100 + row as u32 * LINE_HEIGHT;
        let mut x = 100;
        let words: Vec<Word> = line
            .split_whitespace()
            .map(|w| {
                let width = 22 * w.chars().count() as u32;
                let bbox = BBox { x0: x, y0, x1: x + width, y1: y0 + 36 };
                x += width + 14;
                Word { text: w.to_string(), bbox, conf: 95.0 }
            })
            .collect();
        let bbox = BBox { x0: 100, y0, x1: x.max(101), y1: y0 + 36 };
        lines.push(Line {
            bbox,
            baseline_slope: 0.0,
            baseline_offset: -8.0,
            x_size: 36.0,
            x_descenders: 8.0,
            block: 0,
            paragraph,
            words,
            corrected: false,
        });
    }
    let words = lines.iter().map(|l| l.words.len()).sum::<usize>();
    RecognizedPage {
        width: 2480,
        height: 3508,
        dpi: 300.0,
        lines,
        mean_conf: if words == 0 { 0.0 } else { 95.0 },
        models: crate::ocr::DEFAULT_MODELS.to_string(),
        corrections: Vec::new(),
    }
}

/// The record ingest would write for these pages (no scans, no PDF behind it).
pub fn text_record(id: &str, bib: Bibliographic, pages: &[RecognizedPage]) -> DocumentRecord {
    let summaries: Vec<PageSummary> = pages
        .iter()
        .enumerate()
        .map(|(i, page)| PageSummary {
            number: i as u32 + 1,
            ..PageSummary::of(page, 0, i, Default::default(), Default::default())
        })
        .collect();
    let all_text: String = pages.iter().map(|p| p.text()).collect::<Vec<_>>().join("\n\n");
    let now = chrono::Utc::now();
    DocumentRecord {
        schema: SCHEMA_VERSION,
        id: id.to_string(),
        bib,
        source_files: Vec::new(),
        content_key: hex::encode(sha2::Sha256::digest(format!("{id}\n{all_text}"))),
        pages: summaries,
        languages: crate::language::detect_all(&all_text).into_iter().map(str::to_string).collect(),
        pdf: Archive::pdf_relative(id),
        pdf_sha256: String::new(),
        pdf_bytes: 0,
        pdf_a: None,
        ocr: OcrInfo { engine: "text fixture".to_string(), models: crate::ocr::DEFAULT_MODELS.to_string() },
        created: now,
        updated: now,
        history: Vec::new(),
        host: None,
        zones: Vec::new(),
        articles: Vec::new(),
    }
}

/// Files a document the way ingest does, without OCR: its pages and record as files,
/// then the catalogue (the search index is left to `olke reindex` or the next ingest).
pub fn file_text_document(
    archive: &Archive,
    catalog: &Catalog,
    record: &DocumentRecord,
    pages: &[RecognizedPage],
) -> Result<(), String> {
    for (i, page) in pages.iter().enumerate() {
        let path = archive.page_path(&record.id, i as u32 + 1);
        write_atomic(&path, &serde_json::to_vec(page).expect("pages serialize"))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let path = archive.record_path(&record.id);
    write_atomic(&path, &serde_json::to_vec_pretty(record).expect("records serialize"))
        .map_err(|e| format!("{}: {e}", path.display()))?;
    catalog.put(record, pages).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kazakh_texts_hold_every_kazakh_letter() {
        let all: String = texts::KAZAKH.concat();
        for letter in crate::language::KAZAKH_LETTERS.chars() {
            assert!(all.contains(letter), "missing {letter}");
        }
    }

    #[test]
    fn recognized_pages_give_back_their_text() {
        let text = "Балқаш қаласы көлдің\nсолтүстік жағалауында.\n\nГород Балхаш расположен.";
        assert_eq!(recognized_page(text).text(), text);
    }

    #[test]
    fn wrapped_lines_fit_and_keep_every_word() {
        let font = load_font().expect("the fixture font (fonts-dejavu-core)");
        let spec = PageSpec::a5(150.0);
        let page = render_page(&font, &spec, texts::RUSSIAN);
        assert!(page.lines.len() > 8);
        let words: Vec<&str> = texts::RUSSIAN.iter().flat_map(|p| p.split_whitespace()).collect();
        let rendered: Vec<String> =
            page.lines.iter().chain(&page.overflow).flat_map(|l| l.split(' ')).map(String::from).collect();
        assert_eq!(words, rendered);
    }
}
