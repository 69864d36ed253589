//! The image loader: any bytes as a scan file, probed and decoded as ingest does.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;

/// One scratch folder for the whole run: the loader reads files, as in ingest.
fn scratch() -> &'static tempfile::TempDir {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| tempfile::tempdir().expect("a scratch folder"))
}

fuzz_target!(|data: &[u8]| {
    let path = scratch().path().join("scan");
    std::fs::write(&path, data).expect("the scratch file is written");
    olke::testkit::fuzzing::scan_file(&path);
});
