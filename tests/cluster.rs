//! Ingest on a real Slurm cluster: a single-node Slurm (munge, slurmctld, slurmd, started
//! by scripts/slurm-single-node.sh with this machine's CPUs and memory) runs a batch as
//! four array tasks of `olke recognize` and a filing job after them, and the archive it
//! makes must be the one `olke ingest` makes of the same batch.
//!
//! Needs root and Debian's slurm-wlm and munge (`scripts/install-deps.sh --test`). When
//! Slurm cannot be started the test fails; set OLKE_SKIP_SLURM_TEST=1 to skip it on a
//! machine where that is known and accepted.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use common::*;

const SKIP: &str = "OLKE_SKIP_SLURM_TEST";

/// A running single-node cluster, stopped when dropped.
struct Slurm {
    dir: PathBuf,
    conf: PathBuf,
}

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/slurm-single-node.sh")
}

/// A port nothing listens on now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

impl Slurm {
    fn start(dir: &Path) -> Slurm {
        let output = run(Command::new(script())
            .arg("start")
            .arg(dir)
            .env("OLKE_SLURMCTLD_PORT", free_port().to_string())
            .env("OLKE_SLURMD_PORT", free_port().to_string()));
        let slurm = Slurm { dir: dir.to_path_buf(), conf: dir.join("slurm.conf") };
        assert!(
            output.status.success(),
            "Slurm could not be started (set {SKIP}=1 to skip this test where that is expected):\n{}{}",
            stdout(&output),
            stderr(&output)
        );
        slurm
    }

    fn command(&self, program: &str) -> Command {
        let mut command = Command::new(program);
        command.env("SLURM_CONF", &self.conf);
        command
    }

    /// Waits until none of `jobs` is queued or running any more.
    fn wait_for(&self, jobs: &[&str], limit: Duration) {
        let started = Instant::now();
        loop {
            let output = run(self.command("squeue").args(["-h", "-o", "%i %T", "-j", &jobs.join(",")]));
            let queued = stdout(&output);
            if output.status.success() && queued.trim().is_empty() {
                return;
            }
            assert!(started.elapsed() < limit, "jobs {jobs:?} still queued after {limit:?}:\n{queued}");
            std::thread::sleep(Duration::from_millis(500));
        }
    }
}

impl Drop for Slurm {
    fn drop(&mut self) {
        let _ = Command::new(script()).arg("stop").arg(&self.dir).status();
    }
}

/// Submits the batch with `olke cluster slurm` and returns the two job ids.
fn submit(slurm: &Slurm, archive: &Path, batch: &Path, packages: &Path) -> (String, String) {
    let mut command = olke(archive);
    command.env("SLURM_CONF", &slurm.conf).args(["cluster", "slurm", "--tasks", "4", "--json", "--packages"]);
    let submitted = json(&expect_code(command.arg(packages).arg(batch), 0));
    let job = |key: &str| submitted[key].as_str().unwrap_or_else(|| panic!("no {key}: {submitted:#}")).to_string();
    (job("recognize_job"), job("file_job"))
}

/// Each document's description, pages (words, confidence, preparation) and text, as the
/// archive shows them.
fn contents(archive: &Path) -> Vec<(String, [serde_json::Value; 4], String)> {
    listed_ids(archive)
        .into_iter()
        .map(|id| {
            let shown = shown(archive, &id);
            let described = ["pages", "languages", "bib", "citation"].map(|key| shown[key].clone());
            assert!(shown["pages"].as_array().is_some_and(|p| !p.is_empty()), "{shown:#}");
            let text = stdout(&expect_code(olke(archive).args(["text", &id]), 0));
            (id, described, text)
        })
        .collect()
}

#[test]
fn a_batch_recognized_by_four_slurm_tasks_files_into_the_archive_ingest_makes() {
    if std::env::var(SKIP).is_ok_and(|v| v == "1") {
        eprintln!("skipped: {SKIP}=1");
        return;
    }
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cluster");
    let _ = std::fs::remove_dir_all(&dir);
    let batch = dir.join("batch");
    // Six one-page documents, the bundled samples (one of them two pages) and a scan that
    // cannot be read, which must be reported by file and not stop the rest.
    small_batch(&batch, 6);
    for entry in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("scans/sample")).unwrap() {
        let path = entry.unwrap().path();
        if !path.is_file() {
            continue; // the samples' ground truth
        }
        std::fs::copy(&path, batch.join(path.file_name().unwrap())).unwrap();
    }
    std::fs::write(batch.join("broken.png"), b"\x89PNG\r\n\x1a\n not really").unwrap();

    let reference = dir.join("reference");
    let ingested = json(&expect_code(olke(&reference).args(["ingest", "--jobs", "2", "--json"]).arg(&batch), 3));
    assert_eq!(ingested["documents"].as_array().unwrap().len(), 9, "{ingested:#}");

    let slurm = Slurm::start(&dir.join("slurm"));
    let (archive, packages) = (dir.join("archive"), dir.join("packages"));
    let (recognize, file) = submit(&slurm, &archive, &batch, &packages);
    slurm.wait_for(&[&recognize, &file], Duration::from_secs(240));
    let log = std::fs::read_to_string(packages.join("logs").join(format!("file-{file}.out")))
        .unwrap_or_else(|e| panic!("the filing job {file} left no log ({e}): did it run?"));

    // Every share reported, every document is there, the broken scan is named.
    let status = json(&expect_code(olke(&archive).args(["cluster", "status", "--json"]).arg(&packages), 0));
    assert_eq!(status["shards_reported"], serde_json::json!([0, 1, 2, 3]), "{status:#}");
    assert_eq!(status["documents_expected"], 10, "{status:#}");
    assert_eq!(status["documents_done"], 9, "{status:#}");
    assert_eq!(status["pages_done"], 10, "{status:#}");
    assert_eq!(status["missing"], serde_json::json!([]), "{status:#}");
    let not_made = status["not_made"].as_array().unwrap();
    assert!(not_made.len() == 1 && not_made[0].as_str().unwrap().starts_with("broken-"), "{status:#}");
    // Named by file, as ingest names it.
    let failed = |report: &serde_json::Value| -> Vec<String> {
        report["failures"].as_array().unwrap().iter().map(|f| f["path"].as_str().unwrap().to_string()).collect()
    };
    assert!(!failed(&status).is_empty(), "{status:#}");
    assert!(failed(&status).iter().all(|path| path.ends_with("/broken.png")), "{status:#}");
    assert_eq!(failed(&status), failed(&ingested));
    assert!(log.contains("broken.png"), "the filing names the failed input:\n{log}");

    // The same documents, pages and text as ingest made, and a sound archive.
    let made = contents(&archive);
    assert_eq!(made.len(), 9);
    assert_eq!(made, contents(&reference));
    let (code, report) = verify(&archive, &[]);
    assert_eq!(code, Some(0), "olke verify: {report:#}");

    // A package lost (a task that failed halfway): submitting again makes only that one,
    // and filing again changes nothing in the archive.
    let lost = std::fs::read_dir(&packages)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("doc-03-"))
        .expect("doc-03's package");
    std::fs::remove_dir_all(&lost).unwrap();
    let before = snapshot(&archive.join("documents"));
    let (recognize, file) = submit(&slurm, &archive, &batch, &packages);
    slurm.wait_for(&[&recognize, &file], Duration::from_secs(240));
    let written: Vec<String> = (0..4)
        .flat_map(|shard| {
            let report = std::fs::read(packages.join("shards").join(format!("{shard}-of-4.json"))).unwrap();
            let report: serde_json::Value = serde_json::from_slice(&report).unwrap();
            report["written"].as_array().unwrap().iter().map(|w| w.as_str().unwrap().to_string()).collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(written, [lost.file_name().unwrap().to_string_lossy().into_owned()]);
    assert!(lost.join("package.json").is_file());
    assert_eq!(snapshot(&archive.join("documents")), before, "filing the same scans again changes nothing");
    assert_eq!(listed_ids(&archive).len(), 9);
}
