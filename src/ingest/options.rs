//! What an ingest run is told: its settings, and where its progress goes.

use std::collections::BTreeMap;

use crate::load::pdf::OcrMode;
use crate::load::LoadOptions;
use crate::ocr;
use crate::prepare::PrepareOptions;

/// Settings of one ingest run.
#[derive(Clone, Debug)]
pub(crate) struct IngestOptions {
    /// Worker threads, each with its own OCR engine.
    pub jobs: usize,
    /// Tesseract models, `+`-separated, for pages whose record states no language.
    pub models: String,
    /// The models that read a record's stated language, where not the model of its name.
    pub language_models: BTreeMap<String, String>,
    pub load: LoadOptions,
    pub prepare: PrepareOptions,
    pub jpeg_quality: u8,
    /// Pages with a mean word confidence below this are listed for review.
    pub review_below: f32,
    /// Archive the scans a batch manifest does not list, each as a document of its own.
    pub include_unlisted: bool,
    /// What becomes of PDF pages that have a text layer.
    pub pdf_ocr: OcrMode,
    /// Each document is put in the collection named after its first file's folder.
    pub collection_from_folder: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            jobs: std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
            models: ocr::DEFAULT_MODELS.to_string(),
            language_models: BTreeMap::new(),
            load: LoadOptions::default(),
            prepare: PrepareOptions::default(),
            jpeg_quality: crate::pdf::DEFAULT_JPEG_QUALITY,
            review_below: 70.0,
            include_unlisted: false,
            pdf_ocr: OcrMode::default(),
            collection_from_folder: false,
        }
    }
}

/// Receives progress from a running ingest (a progress bar, a log, or nothing).
pub(crate) trait Progress: Sync {
    /// The run will recognize this many scanned pages.
    fn start(&self, _pages: u64) {}
    fn page_done(&self) {}
    /// A line for the user (a failed input, a skipped document).
    fn note(&self, _line: &str) {}
    fn finish(&self) {}
}
