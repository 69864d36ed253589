//! Search queries: any bytes as the query text (and as the source and year filters),
//! parsed, analysed and run against a small index.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| olke::testkit::fuzzing::query(data));
