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

/// A share of a batch for one recognition run: its documents are those whose place in the
/// batch's plan is `index` modulo `count` (a document is never split, and every run finds
/// the same shares, as they plan the same batch).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Shard {
    pub index: usize,
    pub count: usize,
}

impl Shard {
    pub(crate) fn has(&self, order: usize) -> bool {
        order % self.count == self.index
    }
}

impl std::str::FromStr for Shard {
    type Err = String;

    /// `I/N`, shares numbered from 0 as Slurm's array tasks and Kubernetes' completion
    /// indexes are.
    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = || format!("'{text}' is not a share: give I/N with 0 ≤ I < N, e.g. 0/4");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let (index, count) = (index.trim().parse().map_err(|_| usage())?, count.trim().parse().map_err(|_| usage())?);
        if count == 0 || index >= count {
            return Err(usage());
        }
        Ok(Shard { index, count })
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_read_from_i_of_n_and_cover_every_document_once() {
        let shards: Vec<Shard> = (0..4).map(|i| format!("{i}/4").parse().unwrap()).collect();
        for order in 0..20 {
            assert_eq!(shards.iter().filter(|s| s.has(order)).count(), 1, "document {order}");
        }
        for bad in ["4/4", "1/0", "x/2", "3", "-1/2"] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(" 2 / 3".parse::<Shard>().unwrap(), Shard { index: 2, count: 3 });
    }
}
