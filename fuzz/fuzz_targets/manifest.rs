//! Batch manifests: any bytes as `batch.csv`, and as `batch.toml` when they are text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| olke::testkit::fuzzing::manifest(data));
