//! Every input a fuzz target ever crashed on (kept under `fuzz/regressions/<target>/`)
//! is replayed through the same entry point, so a fixed crash stays fixed. The fuzz
//! targets themselves need `cargo fuzz` (see the README); this runs with the tests.

use std::path::PathBuf;

/// Caps this test process's memory at 4 GiB, as the fuzzer caps its own at 2 GiB: an
/// input that makes the loader allocate without bound then fails the test instead of
/// passing on a machine generous enough to grant it.
fn limit_memory() {
    let limit = libc::rlimit { rlim_cur: 4 << 30, rlim_max: 4 << 30 };
    // SAFETY: setrlimit with a valid struct; it only lowers this process's own limit.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &limit) }, 0);
}

fn inputs(target: &str) -> Vec<PathBuf> {
    limit_memory();
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions").join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

#[test]
fn image_loader_regressions() {
    let files = inputs("image_loader");
    assert!(!files.is_empty());
    for file in files {
        eprintln!("{}", file.display());
        olke::testkit::fuzzing::scan_file(&file);
    }
}

#[test]
fn manifest_regressions() {
    let files = inputs("manifest");
    assert!(!files.is_empty());
    for file in files {
        eprintln!("{}", file.display());
        olke::testkit::fuzzing::manifest(&std::fs::read(&file).unwrap());
    }
}

#[test]
fn query_regressions() {
    let files = inputs("query");
    assert!(!files.is_empty());
    for file in files {
        eprintln!("{}", file.display());
        olke::testkit::fuzzing::query(&std::fs::read(&file).unwrap());
    }
}
