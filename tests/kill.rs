//! The kill test: an ingest of a batch of documents is killed with SIGKILL at random
//! moments, again and again, then run to completion. After every kill no PDF under its
//! final name may be truncated or half-written; at the end every document is there
//! exactly once, `olke verify` finds nothing wrong and `qpdf --check` passes every PDF.
//! A second round does the same while a rescan replaces documents already archived.
//!
//! The moments are drawn from a seed printed at the start; `OLKE_KILL_SEED=N` replays a
//! run.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use common::*;
use olke::testkit::fixtures::{texts, write_png, write_tiff, TiffKind};

/// Pages per multi-page document of [`make_batch`].
const BOOK_PAGES: usize = 3;

/// A batch of `count` documents: every third a multi-page TIFF (a book, whose PDF stays
/// open over several pages, so kills land in the middle of it), the rest one-page PNGs.
/// `variant` changes every page's text. Returns the ids.
fn make_batch(dir: &Path, count: usize, variant: &str) -> Vec<String> {
    fs::create_dir_all(dir).unwrap();
    let paragraphs: Vec<&str> = texts::KAZAKH.iter().chain(texts::RUSSIAN).copied().collect();
    let render = |n: usize, p: usize| {
        page(&[&format!("{variant} {n}.{p}. {}", paragraphs[(n + p) % paragraphs.len()])], 300.0).image
    };
    (1..=count)
        .map(|n| {
            let id = format!("doc-{n:02}");
            if n % 3 == 0 {
                let pages: Vec<_> = (1..=BOOK_PAGES).map(|p| render(n, p)).collect();
                write_tiff(&dir.join(format!("{id}.tif")), &pages, 300.0, TiffKind::Lzw).unwrap();
            } else {
                write_png(&dir.join(format!("{id}.png")), &render(n, 1), 300.0).unwrap();
            }
            id
        })
        .collect()
}

/// A small, seedable generator (xorshift64*): the test needs reproducible moments, not
/// statistical quality.
struct Moments(u64);

impl Moments {
    fn next_millis(&mut self, below: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d) % below
    }
}

fn start_ingest(archive: &Path, batch: &Path) -> Child {
    olke(archive)
        .args(["ingest", "--jobs", "2"])
        .arg(batch)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// Every `<id>.pdf` under its final name in the archive.
fn final_pdfs(archive: &Path) -> Vec<PathBuf> {
    let Ok(folders) = fs::read_dir(archive.join("documents")) else { return Vec::new() };
    folders
        .map(|f| f.unwrap().path())
        .map(|dir| dir.join(format!("{}.pdf", dir.file_name().unwrap().to_string_lossy())))
        .filter(|pdf| pdf.is_file())
        .collect()
}

/// Files of unfinished writes anywhere under the archive's documents.
fn leftovers(archive: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(archive.join("documents"))
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy();
            name == ".staging" || name.contains(".tmp-")
        })
        .map(|e| e.into_path())
        .collect()
}

/// How a round of kills went.
struct Round {
    /// Runs that finished on their own before their moment came.
    finished: usize,
    /// Kills that left an unfinished write (staged or temporary files) behind.
    interrupted_writes: usize,
}

/// Starts the ingest over and over, killing each run after a random delay below
/// `max_delay`, until `kills` runs were killed while still at work. A run that finishes
/// first is followed by `rescan`, which changes scans so the next runs have work again
/// (on a fast machine the batch is otherwise done before the kills are).
fn kill_repeatedly(
    archive: &Path,
    batch: &Path,
    kills: usize,
    max_delay: Duration,
    moments: &mut Moments,
    rescan: &dyn Fn(usize),
) -> Round {
    let (mut killed, mut finished, mut interrupted_writes) = (0, 0, 0);
    while killed < kills {
        assert!(finished < 20, "the ingest keeps finishing before it can be killed");
        let delay = Duration::from_millis(150 + moments.next_millis(max_delay.as_millis() as u64));
        let mut child = start_ingest(archive, batch);
        let start = Instant::now();
        let mut exited = None;
        while start.elapsed() < delay && exited.is_none() {
            std::thread::sleep(Duration::from_millis(10));
            exited = child.try_wait().unwrap();
        }
        match exited {
            Some(status) => {
                assert!(status.success(), "an ingest after kills failed: {status}");
                finished += 1;
                rescan(finished);
            }
            None => {
                child.kill().unwrap(); // SIGKILL
                child.wait().unwrap();
                killed += 1;
                let left = leftovers(archive);
                interrupted_writes += !left.is_empty() as usize;
                eprintln!("kill {killed}: after {} ms; left {left:?}", delay.as_millis());
            }
        }
        // Whatever the moment, a PDF under its final name is whole.
        for pdf in final_pdfs(archive) {
            qpdf_check(&pdf);
        }
    }
    Round { finished, interrupted_writes }
}

/// Runs the ingest to the end and checks the archive as a whole.
fn complete_and_check(archive: &Path, batch: &Path, ids: &[String]) {
    let status = start_ingest(archive, batch).wait().unwrap();
    assert!(status.success(), "the final ingest: {status}");
    let (code, report) = verify(archive, &[]);
    assert_eq!(code, Some(0), "olke verify after the kills: {report:#}");
    assert_eq!(report["documents"].as_u64(), Some(ids.len() as u64));
    assert_eq!(listed_ids(archive), ids, "every document exactly once");
    let pdfs = final_pdfs(archive);
    assert_eq!(pdfs.len(), ids.len());
    // (verify has checked each PDF's page count against its record.)
    for pdf in &pdfs {
        qpdf_check(pdf);
    }
    assert_eq!(leftovers(archive), Vec::<PathBuf>::new(), "nothing of an unfinished write is left");
    assert!(
        !archive.join(".lock").exists() || fs::read_to_string(archive.join(".lock")).unwrap().is_empty(),
        "the last writer finished in order"
    );
}

#[test]
fn ingest_killed_at_random_moments_then_completed_leaves_a_sound_archive() {
    let seed = std::env::var("OLKE_KILL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos() as u64 | 1
    });
    eprintln!("OLKE_KILL_SEED={seed}");
    let mut moments = Moments(seed);
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    // About 0.6 s of work per page on two cores: 32 pages are enough that ten kills at
    // most 1.4 s into a run leave most of it for the final run.
    let ids = make_batch(&batch, 20, "Құжат");
    let archive = tmp.path().join("archive");
    let scan_of = |dir: &Path, id: &str| {
        fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).find(|p| p.file_stem().unwrap() == id).unwrap()
    };
    // Four of the documents the second round leaves alone get a changed scan (a few bytes
    // past the image's end, as a rescan changes the file), to be archived anew.
    let rescan = |round: usize| {
        use std::io::Write;
        for k in 0..4 {
            let id = &ids[6 + (4 * round + k) % (ids.len() - 6)];
            let mut scan = fs::OpenOptions::new().append(true).open(scan_of(&batch, id)).unwrap();
            scan.write_all(&(round as u32).to_be_bytes()).unwrap();
        }
    };
    let started = Instant::now();

    let round = kill_repeatedly(&archive, &batch, 10, Duration::from_millis(1250), &mut moments, &rescan);
    complete_and_check(&archive, &batch, &ids);
    eprintln!(
        "first round: 10 kills ({} left an unfinished write), {} runs finished on their own, {:.1} s",
        round.interrupted_writes,
        round.finished,
        started.elapsed().as_secs_f64()
    );

    // Rescans: a third of the documents change, and are replaced under the same ids while
    // being killed; the earlier versions are kept.
    let rescanned = &ids[..6];
    let other = tmp.path().join("other");
    make_batch(&other, 6, "Қайта");
    for id in rescanned {
        fs::copy(scan_of(&other, id), scan_of(&batch, id)).unwrap();
    }
    let started = Instant::now();
    let round = kill_repeatedly(&archive, &batch, 5, Duration::from_millis(1000), &mut moments, &rescan);
    complete_and_check(&archive, &batch, &ids);
    for id in rescanned {
        let record: serde_json::Value =
            serde_json::from_slice(&fs::read(archive.join("documents").join(id).join("record.json")).unwrap()).unwrap();
        let scan = fs::read(scan_of(&batch, id)).unwrap();
        use sha2::Digest;
        assert_eq!(
            record["source_files"][0]["sha256"].as_str().unwrap(),
            hex::encode(sha2::Sha256::digest(&scan)),
            "{id} is the rescan"
        );
        let kept: Vec<_> = walkdir::WalkDir::new(archive.join("documents").join(id).join("previous"))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.path().extension().is_some_and(|x| x == "pdf"))
            .collect();
        assert_eq!(kept.len(), 1, "{id}: the earlier PDF is kept once");
        qpdf_check(kept[0].path());
    }
    eprintln!(
        "second round: 5 kills ({} left an unfinished write), {} runs finished on their own, {:.1} s",
        round.interrupted_writes,
        round.finished,
        started.elapsed().as_secs_f64()
    );
}
