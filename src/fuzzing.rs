//! Entry points for the fuzz targets in `fuzz/` and for `tests/fuzz_regressions.rs`,
//! which replays the inputs they found: each takes anything at all and must neither
//! panic, nor hang, nor allocate without bound. Refusing the input is fine.

use std::path::{Path, PathBuf};

use crate::load::{self, LoadOptions};
use crate::record::manifest::{check, parse_csv, parse_toml, Manifest, CSV_NAME, TOML_NAME};

/// `data` as a batch's `batch.csv`, and as its `batch.toml` when it is text, read and
/// checked against a few scans, every problem formatted.
pub fn manifest(data: &[u8]) {
    // A batch folder that does not exist: the checker then looks only at these names.
    let dir = Path::new("/nonexistent/olke-fuzz-batch");
    let scans: Vec<PathBuf> = ["p1.png", "p2.png", "p10.png", "sub/p3.tif", "Қала тарихы 1.jpg"].iter().map(|name| dir.join(name)).collect();
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
