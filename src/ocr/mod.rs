//! OCR: Tesseract in-process through the `tesseract` crate, one engine per worker thread.
//!
//! An engine loads its language models once (a few hundred milliseconds for kaz+rus+eng)
//! and is reused for every page its thread recognizes. Word boxes come from Tesseract's
//! hOCR, which carries the line baselines the PDF text layer is placed on.

mod hocr;
mod line_images;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::path::PathBuf;

use image::GrayImage;
use tesseract::{PageSegMode, Tesseract};

use crate::page::{BBox, Line, PreparedPage, RecognizedPage};

/// Languages used when neither the command line nor the record says otherwise.
pub const DEFAULT_MODELS: &str = "kaz+rus+eng";

#[derive(Debug, thiserror::Error)]
pub enum OcrError {
    #[error(
        "Tesseract has no '{language}' model{where_}: install it (Debian: apt-get install \
         tesseract-ocr-{language}, or tesseract-ocr-script-* for a script's model)"
    )]
    MissingLanguage { language: String, where_: String },
    #[error("Tesseract could not start with models '{models}': {detail}")]
    Init { models: String, detail: String },
    #[error("Tesseract failed on this page: {0}")]
    Recognize(String),
    #[error("Tesseract's hOCR output could not be read: {0}")]
    Hocr(String),
}

/// Re-executes the program with `OMP_THREAD_LIMIT=1` unless it is already set.
///
/// Debian's libtesseract is built with OpenMP, and libgomp reads its limits once, when the
/// library is loaded — before `main` runs — so setting the variable in-process is too late.
/// With several engines in parallel, unlimited OpenMP threads only fight over the cores.
pub fn limit_openmp_threads() {
    use std::os::unix::process::CommandExt;
    if std::env::var_os("OMP_THREAD_LIMIT").is_some() {
        return;
    }
    let Ok(exe) = std::env::current_exe() else { return };
    let err = std::process::Command::new(exe).args(std::env::args_os().skip(1)).env("OMP_THREAD_LIMIT", "1").exec();
    // exec only returns on failure; carry on with OpenMP unlimited rather than fail.
    tracing::warn!("could not re-execute with OMP_THREAD_LIMIT=1: {err}");
}

/// Tesseract's version string, e.g. `5.3.0`.
pub fn engine_version() -> String {
    tesseract::plumbing::version().to_string_lossy().into_owned()
}

/// Where Tesseract looks for `*.traineddata`, when it can be found.
fn tessdata_dirs() -> Vec<PathBuf> {
    let mut dirs = Vec::new();
    if let Some(prefix) = std::env::var_os("TESSDATA_PREFIX") {
        dirs.push(PathBuf::from(prefix));
    }
    for candidate in
        ["/usr/share/tesseract-ocr/5/tessdata", "/usr/share/tesseract-ocr/4.00/tessdata", "/usr/share/tessdata"]
    {
        dirs.push(PathBuf::from(candidate));
    }
    dirs.into_iter().filter(|d| d.is_dir()).collect()
}

/// The Tesseract models (`+`-separated) that read a record's languages: each language's
/// entry in `models` (olke.toml's `[ocr.models]`), else the model named like the language
/// followed by the fund's usual models (`defaults`, `kaz+rus+eng`). The record's language
/// leads but does not shut the others out: pages of a Kazakh local-history fund quote
/// Russian names and titles and English abbreviations, and one model alone misreads them
/// (on every set measured, dev, dev2 and two sets in typefaces in neither, the record's
/// model alone read worse than kaz+rus+eng; BENCHMARKS.md). A language with its own entry
/// is read with exactly what the library named. A model named twice is loaded once.
pub fn models_for(languages: &[String], models: &BTreeMap<String, String>, defaults: &str) -> String {
    let named_by_library = languages.iter().any(|language| models.contains_key(language));
    let chosen = languages.iter().flat_map(|language| models.get(language).unwrap_or(language).split('+'));
    let usual = defaults.split('+').filter(|_| !named_by_library);
    let mut named: Vec<&str> = Vec::new();
    for model in chosen.chain(usual) {
        if !model.is_empty() && !named.contains(&model) {
            named.push(model);
        }
    }
    named.join("+")
}

/// Checks that every language in `kaz+rus+eng` has its model installed, so a missing one
/// is reported by name before any page is processed.
pub fn check_models(models: &str) -> Result<(), OcrError> {
    let dirs = tessdata_dirs();
    let Some(dir) = dirs.iter().find(|d| d.join("eng.traineddata").exists()).or(dirs.first()) else {
        return Ok(()); // unknown layout: let Tesseract itself report
    };
    for language in models.split('+').filter(|l| !l.is_empty()) {
        if !dir.join(format!("{language}.traineddata")).exists() {
            return Err(OcrError::MissingLanguage {
                language: language.to_string(),
                where_: format!(" in {}", dir.display()),
            });
        }
    }
    Ok(())
}

/// One Tesseract instance with its models loaded.
pub struct Engine {
    /// The `tesseract` crate's builder consumes the instance on every call; it is put back
    /// after each page, and left empty (to be re-created) when a call fails.
    tesseract: Option<Tesseract>,
    models: String,
}

impl Engine {
    pub fn new(models: &str) -> Result<Engine, OcrError> {
        let mut engine = Engine { tesseract: None, models: models.to_string() };
        engine.tesseract = Some(engine.start()?);
        Ok(engine)
    }

    fn start(&self) -> Result<Tesseract, OcrError> {
        let tesseract = Tesseract::new(None, Some(&self.models))
            .map_err(|e| OcrError::Init { models: self.models.clone(), detail: e.to_string() })?;
        // Tesseract's layout stage still tests every text row for typewriter-like fixed
        // pitch, a dynamic program that is 2–3 % of a page's time; the LSTM recognizer
        // finds characters and spaces without it. Declaring all text proportional skips
        // the test: the text came out byte-identical on corpus/dev and komi-1939, and
        // the words and their boxes on a typewriter-style (monospaced) page.
        tesseract
            .set_variable("textord_all_prop", "1")
            .map_err(|e| OcrError::Init { models: self.models.clone(), detail: e.to_string() })
    }

    /// Recognizes the page's OCR image; boxes come back in archived-image pixels.
    pub fn recognize(&mut self, page: &PreparedPage) -> Result<RecognizedPage, OcrError> {
        // The API's default is one uniform block of text, which runs newspaper columns
        // together; the tesseract command line, like olke, analyses the page layout.
        let hocr = self.hocr(&page.ocr, page.dpi * page.ocr_scale, PageSegMode::PsmAuto)?;
        let lines = hocr::parse(&hocr, 1.0 / page.ocr_scale).map_err(OcrError::Hocr)?;
        Ok(RecognizedPage {
            width: page.archive.width(),
            height: page.archive.height(),
            dpi: page.dpi,
            mean_conf: mean_confidence(&lines),
            lines,
            models: self.models.clone(),
            corrections: Vec::new(),
        })
    }

    /// Recognizes `image` (at `dpi`) as one block of text, with no layout analysis: a part
    /// of a page read again. Boxes are scaled by `scale` and moved by `offset`.
    fn recognize_block(
        &mut self,
        image: &GrayImage,
        dpi: f32,
        scale: f32,
        offset: (u32, u32),
    ) -> Result<Vec<Line>, OcrError> {
        let hocr = self.hocr(image, dpi, PageSegMode::PsmSingleBlock)?;
        let mut lines = hocr::parse(&hocr, scale).map_err(OcrError::Hocr)?;
        let moved = |b: &mut BBox| {
            (b.x0, b.x1, b.y0, b.y1) = (b.x0 + offset.0, b.x1 + offset.0, b.y0 + offset.1, b.y1 + offset.1);
        };
        for line in &mut lines {
            moved(&mut line.bbox);
            line.words.iter_mut().for_each(|w| moved(&mut w.bbox));
        }
        Ok(lines)
    }

    /// Tesseract's hOCR for `image` read in `mode`.
    fn hocr(&mut self, image: &GrayImage, dpi: f32, mode: PageSegMode) -> Result<String, OcrError> {
        let mut tesseract = match self.tesseract.take() {
            Some(t) => t,
            None => self.start()?,
        };
        tesseract.set_page_seg_mode(mode);
        let fail = |e: &dyn std::fmt::Display| OcrError::Recognize(e.to_string());
        let width = i32::try_from(image.width()).map_err(|e| fail(&e))?;
        let height = i32::try_from(image.height()).map_err(|e| fail(&e))?;
        // A black-and-white page (a bitonal scan, as G4 TIFFs are) is handed over as
        // such: given it as grey, Tesseract would threshold it again, twice (its layout's
        // image and its thresholds), to the same black and white.
        let packed = two_tone_packed(image);
        let (frame, bytes_per_pixel, bytes_per_line) = match &packed {
            Some((bits, row_bytes)) => (bits.as_slice(), 0, *row_bytes as i32),
            None => (image.as_raw().as_slice(), 1, width),
        };
        let mut tesseract = tesseract
            .set_frame(frame, width, height, bytes_per_pixel, bytes_per_line)
            .map_err(|e| fail(&e))?
            .set_source_resolution(dpi.round() as i32)
            .recognize()
            .map_err(|e| fail(&e))?;
        let hocr = tesseract.get_hocr_text(0).map_err(|e| fail(&e))?;
        self.tesseract = Some(tesseract);
        Ok(hocr)
    }
}

/// `image` packed one bit a pixel, as Tesseract takes a binary image (rows padded to
/// whole bytes, the first pixel in the high bit, 1 for white), with the bytes a row
/// takes, when every pixel is black or white; `None` for a grey or an empty image.
fn two_tone_packed(image: &GrayImage) -> Option<(Vec<u8>, usize)> {
    let empty = image.width() == 0 || image.height() == 0;
    if empty || !image.as_raw().iter().all(|&v| v == 0 || v == 255) {
        return None;
    }
    let row_bytes = image.width().div_ceil(8) as usize;
    let mut bits = vec![0u8; row_bytes * image.height() as usize];
    for (row, packed) in image.as_raw().chunks(image.width() as usize).zip(bits.chunks_mut(row_bytes)) {
        for (eight, byte) in row.chunks(8).zip(packed.iter_mut()) {
            *byte = eight.iter().enumerate().fold(0, |b, (i, &v)| if v == 255 { b | 0x80 >> i } else { b });
        }
    }
    Some((bits, row_bytes))
}

/// Mean word confidence of `lines`, 0 when there are no words.
pub(crate) fn mean_confidence(lines: &[Line]) -> f32 {
    let (sum, count) = lines.iter().flat_map(|l| &l.words).fold((0.0, 0usize), |(s, n), w| (s + w.conf, n + 1));
    if count == 0 {
        0.0
    } else {
        sum / count as f32
    }
}

thread_local! {
    /// This thread's engines, one per language combination, created on first use.
    static ENGINES: RefCell<HashMap<String, Engine>> = RefCell::new(HashMap::new());
}

/// Frees this thread's engines. Called on every worker when a run ends: Tesseract tears
/// down its shared model cache at exit and complains about engines still alive.
pub fn release() {
    ENGINES.with(|engines| engines.borrow_mut().clear());
}

/// Runs `f` with this thread's engine for `models`, creating it the first time.
fn with_engine<T>(models: &str, f: impl FnOnce(&mut Engine) -> Result<T, OcrError>) -> Result<T, OcrError> {
    ENGINES.with(|engines| {
        let mut engines = engines.borrow_mut();
        if !engines.contains_key(models) {
            engines.insert(models.to_string(), Engine::new(models)?);
        }
        f(engines.get_mut(models).expect("engine inserted above"))
    })
}

/// Recognizes `page` with this thread's engine for `models`, creating it the first time.
pub fn recognize(page: &PreparedPage, models: &str) -> Result<RecognizedPage, OcrError> {
    with_engine(models, |engine| engine.recognize(page))
}

/// Recognizes `image`, scanned at `dpi`, as one block of text with this thread's engine
/// for `models`; boxes are scaled by `scale` and moved by `offset` (to page coordinates).
pub(crate) fn recognize_block(
    image: &GrayImage,
    dpi: f32,
    scale: f32,
    offset: (u32, u32),
    models: &str,
) -> Result<Vec<Line>, OcrError> {
    with_engine(models, |engine| engine.recognize_block(image, dpi, scale, offset))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::fixtures::{self, texts, PageSpec};

    fn strings(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_black_and_white_page_reads_the_same_handed_over_as_bits() {
        let font = fixtures::load_font().expect("fixture font");
        let rendered = fixtures::render_page(&font, &PageSpec::small(300.0), &texts::RUSSIAN[..2]);
        let page = fixtures::threshold(&rendered.image);
        // One pixel off black and white, in a corner no text reaches: handed over grey.
        let mut grey = page.clone();
        grey.put_pixel(0, 0, image::Luma([254]));
        assert!(two_tone_packed(&page).is_some());
        assert!(two_tone_packed(&grey).is_none());

        let mut engine = Engine::new("rus").expect("rus model");
        let as_bits = engine.hocr(&page, 300.0, PageSegMode::PsmAuto).expect("read as bits");
        let as_grey = engine.hocr(&grey, 300.0, PageSegMode::PsmAuto).expect("read as grey");
        assert_eq!(as_bits, as_grey);
        let first_word = rendered.lines[0].split_whitespace().next().expect("a word");
        assert!(as_bits.contains(first_word), "{first_word} not read:\n{as_bits}");
    }

    #[test]
    fn packing_puts_the_first_pixel_in_the_high_bit_and_white_as_one() {
        let row = [0, 255, 255, 0, 0, 0, 0, 0, 255, 0];
        let image = GrayImage::from_raw(10, 2, [row, row].concat()).expect("sizes match");
        assert_eq!(two_tone_packed(&image), Some((vec![0b0110_0000, 0b1000_0000, 0b0110_0000, 0b1000_0000], 2)));
        assert_eq!(two_tone_packed(&GrayImage::new(0, 5)), None);
    }

    #[test]
    fn languages_map_to_models_named_once_in_the_records_order() {
        let models =
            BTreeMap::from([("kpv".to_string(), "Cyrillic".to_string()), ("kaz".to_string(), "kaz+eng".to_string())]);
        let usual = "kaz+rus+eng";
        // The record's language leads, the usual models follow.
        assert_eq!(models_for(&strings(&["rus"]), &models, usual), "rus+kaz+eng");
        assert_eq!(models_for(&strings(&["eng", "rus"]), &models, usual), "eng+rus+kaz");
        assert_eq!(models_for(&strings(&["tat"]), &BTreeMap::new(), usual), "tat+kaz+rus+eng");
        // What the library named for a language is read as named.
        assert_eq!(models_for(&strings(&["kpv"]), &models, usual), "Cyrillic");
        assert_eq!(models_for(&strings(&["kaz"]), &models, usual), "kaz+eng");
        assert_eq!(models_for(&strings(&["kaz", "rus"]), &models, usual), "kaz+eng+rus");
    }
}
