//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_regressions.rs`,
//! which replays the inputs they found: each takes anything at all and must neither
//! panic, nor hang, nor allocate without bound. Refusing the input is fine.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::archive::Archive;
use crate::index::search::{Filters, SearchError, SearchRequest};
use crate::index::{SearchIndex, Updater};
use crate::ingest::manifest::{check, Manifest, CSV_NAME, TOML_NAME};
use crate::load::{self, LoadOptions};
use crate::record::table::{parse_csv, parse_toml};
use crate::record::Bibliographic;
use crate::testkit::fixtures::{recognized_page, text_record, texts};

/// `data` as a batch's `batch.csv`, and as its `batch.toml` when it is text, read and
/// checked against a few scans, every problem formatted.
pub fn manifest(data: &[u8]) {
    // A batch folder that does not exist: the checker then looks only at these names.
    let dir = Path::new("/nonexistent/olke-fuzz-batch");
    let scans: Vec<PathBuf> =
        ["p1.png", "p2.png", "p10.png", "sub/p3.tif", "Қала тарихы 1.jpg"].iter().map(|name| dir.join(name)).collect();
    let mut tables = Vec::new();
    let mut csv = Manifest { path: dir.join(CSV_NAME), ..Default::default() };
    tables.push((parse_csv(&dir.join(CSV_NAME), data, &mut csv.problems), csv));
    if let Ok(text) = std::str::from_utf8(data) {
        let mut toml = Manifest { path: dir.join(TOML_NAME), ..Default::default() };
        tables.push((parse_toml(&dir.join(TOML_NAME), text, &mut toml.problems), toml));
    }
    for (table, mut manifest) in tables {
        if let Some(table) = table {
            check(dir, &scans, &table, &mut manifest);
        }
        for problem in manifest.problems.iter().chain(&manifest.warnings) {
            let _ = problem.to_string();
        }
    }
}

/// The file at `path` as a scan: probed, then each page (up to four) decoded, as ingest
/// does, with a smaller pixel limit than ingest's to keep a fuzzer within its memory.
pub fn scan_file(path: &Path) {
    let options = LoadOptions { max_pixels: 4_000_000, ..LoadOptions::default() };
    if let Ok(info) = load::probe(path) {
        for index in 0..info.pages.min(4) {
            let _ = load::decode_page(path, info.format, index, &options);
        }
    }
}

/// `data` as a search query, and the same text as the source and year filters, run
/// against a small index of Kazakh, Russian and English pages; results and errors are
/// formatted as the CLI would.
pub fn query(data: &[u8]) {
    let text = String::from_utf8_lossy(data).into_owned();
    let filters = Filters { source: Some(text.clone()), years: text.parse().ok(), ..Filters::default() };
    for filters in [Filters::default(), filters] {
        let request = SearchRequest { query: text.clone(), filters, limit: 10, offset: 0, count_matches: true };
        match query_index().search(&request) {
            Ok(results) => {
                for snippet in results.hits.iter().filter_map(|hit| hit.snippet.as_ref()) {
                    let _ = snippet.marked("[", "]");
                }
            }
            Err(SearchError::Query(error)) => {
                let _ = (error.to_string(), error.pointer(&request.query));
            }
            Err(error) if error.is_usage() => {
                let _ = error.to_string();
            }
            Err(error) => panic!("the index failed on a query: {error}"),
        }
    }
}

/// The index searched by [`query`], built once per process in a temporary archive.
fn query_index() -> &'static SearchIndex {
    static INDEX: OnceLock<(tempfile::TempDir, SearchIndex)> = OnceLock::new();
    let (_dir, index) = INDEX.get_or_init(|| {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let archive = Archive::new(dir.path().to_path_buf());
        let mut updater = Updater::open(&archive, 1).expect("a new index");
        for (id, paragraphs) in [("kaz", texts::KAZAKH), ("rus", texts::RUSSIAN), ("eng", texts::ENGLISH)] {
            let page = recognized_page(&paragraphs.join("\n\n"));
            let bib = Bibliographic { title: paragraphs[0].chars().take(40).collect(), ..Bibliographic::default() };
            updater.update(&text_record(id, bib, std::slice::from_ref(&page)), &[page]).expect("indexing a page");
        }
        updater.commit().expect("committing the index");
        updater.finish().expect("merging the index");
        let index = SearchIndex::open(&archive).expect("the index just built");
        assert_eq!(index.pages(), 3, "the fuzzed queries need pages to match");
        (dir, index)
    });
    index
}
