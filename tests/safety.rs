//! Keeping the archive whole: `olke verify [--repair]`, one writer at a time, `olke
//! backup` and `olke restore`, through the real binary on real OCR output.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::*;
use sha2::{Digest, Sha256};

fn flip_one_byte(path: &Path) {
    let mut bytes = fs::read(path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    fs::write(path, bytes).unwrap();
}

/// An archive of the given documents, ingested from `batch`.
fn archive_of(tmp: &Path, count: usize) -> (PathBuf, PathBuf, Vec<String>) {
    let batch = tmp.join("batch");
    let ids = small_batch(&batch, count);
    let archive = tmp.join("archive");
    expect_code(olke(&archive).args(["ingest", "--jobs", "2"]).arg(&batch), 0);
    let (code, report) = verify(&archive, &[]);
    assert_eq!(code, Some(0), "a fresh archive is sound: {report}");
    (batch, archive, ids)
}

#[test]
fn verify_finds_a_pdf_changed_by_one_byte_and_a_catalogue_entry_whose_files_are_gone() {
    let tmp = tempfile::tempdir().unwrap();
    let (batch, archive, ids) = archive_of(tmp.path(), 3);
    let (_, sound) = verify(&archive, &[]);
    assert_eq!(
        (sound["documents"].as_u64(), sound["pdfs_checked"].as_u64(), sound["sources_checked"].as_u64()),
        (Some(3), Some(3), Some(3))
    );

    flip_one_byte(&pdf_of(&archive, &ids[0]));
    fs::remove_dir_all(archive.join("documents").join(&ids[1])).unwrap();
    let (code, report) = verify(&archive, &[]);
    assert_eq!(code, Some(4));
    // The entry without files is found in both stores derived from them.
    let orphan = ("store_orphan".to_string(), ids[1].clone());
    assert_eq!(problem_kinds(&report), vec![("pdf_checksum".to_string(), ids[0].clone()), orphan.clone(), orphan]);
    let stores: Vec<&str> = report["problems"].as_array().unwrap().iter().filter_map(|p| p["store"].as_str()).collect();
    assert_eq!(stores, ["catalogue", "search index"]);
    let human = stdout(&run(olke(&archive).arg("verify")));
    assert!(human.contains(&format!("pdf_checksum: {}", ids[0])) && human.contains("3 problems found"), "{human}");

    // The repair takes the entry without files out and says which scans would bring it
    // back; a damaged PDF cannot be repaired from the archive alone.
    let (code, repaired) = verify(&archive, &["--repair"]);
    assert_eq!(code, Some(4));
    let problems = repaired["problems"].as_array().unwrap();
    assert!(problems[0]["not_repaired"].as_str().unwrap().contains("ingest its scans again"), "{}", problems[0]);
    assert!(problems[1]["repaired"].as_str().unwrap().contains(&format!("{}.png", ids[1])), "{}", problems[1]);
    assert_eq!(listed_ids(&archive), vec![ids[0].clone(), ids[2].clone()]);

    // Ingesting the batch again makes both anew.
    let again = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0));
    let mut outcomes: Vec<(String, String)> = again["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap().to_string(), d["outcome"].as_str().unwrap().to_string()))
        .collect();
    outcomes.sort();
    assert_eq!(
        outcomes,
        vec![
            (ids[0].clone(), "updated".into()),
            (ids[1].clone(), "created".into()),
            (ids[2].clone(), "unchanged".into())
        ]
    );
    assert_eq!(verify(&archive, &[]).0, Some(0));
    qpdf_check(&pdf_of(&archive, &ids[0]));
}

#[test]
fn verify_repair_rebuilds_from_what_is_sound_and_says_what_it_did() {
    let tmp = tempfile::tempdir().unwrap();
    let (batch, archive, ids) = archive_of(tmp.path(), 3);
    let document = |id: &str| archive.join("documents").join(id);

    // Lost files the catalogue still has; a page left over; a scan changed since.
    fs::remove_file(document(&ids[0]).join("record.json")).unwrap();
    fs::remove_file(document(&ids[1]).join("pages/0001.json")).unwrap();
    fs::copy(document(&ids[2]).join("pages/0001.json"), document(&ids[2]).join("pages/0002.json")).unwrap();
    fs::write(batch.join(format!("{}.png", ids[2])), b"rescanned later").unwrap();
    let (code, report) = verify(&archive, &[]);
    assert_eq!(code, Some(4));
    let expected = [
        ("incomplete_document", &ids[0]),
        ("page_missing", &ids[1]),
        ("stale_page", &ids[2]),
        ("source_changed", &ids[2]),
        // In the catalogue and in the search index.
        ("store_orphan", &ids[0]),
        ("store_orphan", &ids[0]),
    ];
    assert_eq!(problem_kinds(&report), expected.map(|(k, id)| (k.to_string(), id.clone())));
    let (code, repaired) = verify(&archive, &["--repair"]);
    assert_eq!(code, Some(4), "the changed scan cannot be repaired: {repaired}");
    // With record.json written back, the catalogue entry is no longer without files.
    assert_eq!(
        problem_kinds(&repaired),
        expected[..4].iter().map(|(k, id)| (k.to_string(), (*id).clone())).collect::<Vec<_>>()
    );
    for problem in repaired["problems"].as_array().unwrap() {
        if problem["kind"] == "source_changed" {
            assert!(problem["not_repaired"].as_str().unwrap().contains("ingest the scan again"), "{problem}");
        } else {
            assert!(problem["repaired"].is_string(), "{problem}");
        }
    }
    assert!(document(&ids[0]).join("record.json").is_file());
    assert!(document(&ids[1]).join("pages/0001.json").is_file());
    assert!(!document(&ids[2]).join("pages/0002.json").exists());
    // Written back exactly: the text reads as before.
    assert!(!stdout(&expect_code(olke(&archive).args(["text", &ids[1]]), 0)).trim().is_empty());
    assert_eq!(problem_kinds(&verify(&archive, &[]).1), vec![("source_changed".to_string(), ids[2].clone())]);
    assert_eq!(verify(&archive, &["--no-sources"]).0, Some(0));

    // A catalogue that sled cannot read is moved aside and built anew from the files.
    let catalog = archive.join("catalog");
    for entry in fs::read_dir(&catalog).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            fs::write(&path, b"not a sled file").unwrap();
        }
    }
    // Readers fall back to the files meanwhile.
    assert_eq!(listed_ids(&archive), ids);
    let (code, report) = verify(&archive, &["--no-sources"]);
    assert_eq!((code, problem_kinds(&report)), (Some(4), vec![("catalog_unreadable".to_string(), String::new())]));
    let (code, repaired) = verify(&archive, &["--no-sources", "--repair"]);
    assert_eq!(code, Some(0), "{repaired}");
    let done = repaired["problems"][0]["repaired"].as_str().unwrap();
    assert!(done.contains("catalog.damaged-") && done.contains("3 documents put in"), "{done}");
    let kept: Vec<_> = fs::read_dir(&archive)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.starts_with("catalog.damaged-"))
        .collect();
    assert_eq!(kept.len(), 1, "the damaged catalogue is kept");
    assert_eq!(verify(&archive, &["--no-sources"]).0, Some(0));
    assert_eq!(listed_ids(&archive), ids);
}

/// Waits until `condition` holds, failing after `limit`.
fn wait_for(limit: Duration, what: &str, mut condition: impl FnMut() -> bool) {
    let start = Instant::now();
    while !condition() {
        assert!(start.elapsed() < limit, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_second_writer_is_refused_at_once_while_readers_go_on() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    let ids = small_batch(&batch, 8);
    let archive = tmp.path().join("archive");
    let mut ingest = olke(&archive)
        .args(["ingest", "--jobs", "1"])
        .arg(&batch)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let pid = ingest.id().to_string();
    wait_for(Duration::from_secs(60), "the first document", || {
        archive.join("documents").join(&ids[0]).join("record.json").is_file()
    });

    let started = Instant::now();
    let refused = expect_code(olke(&archive).arg("ingest").arg(&batch), 1);
    assert!(started.elapsed() < Duration::from_secs(3), "refused at once, not after waiting");
    assert!(stderr(&refused).contains(&format!("archive is in use by process {pid}")), "{}", stderr(&refused));
    for writer in [&["catalog", "set", ids[0].as_str(), "title", "Жаңа"][..], &["verify"], &["backup", "--out"]] {
        let mut command = olke(&archive);
        command.args(writer);
        if writer[0] == "backup" {
            command.arg(tmp.path().join("backup"));
        }
        let output = expect_code(&mut command, 1);
        assert!(
            stderr(&output).contains(&format!("archive is in use by process {pid}")),
            "{writer:?}: {}",
            stderr(&output)
        );
    }
    // Readers see what is archived so far.
    let listed = listed_ids(&archive);
    assert!(listed.contains(&ids[0]), "{listed:?}");
    let shown = json(&expect_code(olke(&archive).args(["show", &ids[0], "--json"]), 0));
    assert_eq!(shown["id"], ids[0].as_str());
    expect_code(olke(&archive).args(["text", &ids[0]]), 0);

    assert!(ingest.wait().unwrap().success());
    assert_eq!(listed_ids(&archive), ids);
    assert_eq!(verify(&archive, &[]).0, Some(0));
}

#[test]
fn backup_and_restore_rebuild_the_catalogue_from_the_files() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, archive, ids) = archive_of(tmp.path(), 3);
    expect_code(olke(&archive).args(["catalog", "set", &ids[0], "title", "Балқаш тарихы"]), 0);
    let out = tmp.path().join("backup");
    let output = expect_code(olke(&archive).args(["backup", "--json", "--out"]).arg(&out), 0);
    assert_eq!(json(&output)["documents"], 3);

    // catalog.jsonl: the records, one per line; manifest.json: every file's checksum.
    let lines: Vec<serde_json::Value> = fs::read_to_string(out.join("catalog.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.iter().map(|r| r["id"].as_str().unwrap()).collect::<Vec<_>>(), ids);
    assert_eq!(lines[0]["title"], "Балқаш тарихы");
    let manifest: serde_json::Value = serde_json::from_slice(&fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let files = manifest["files"].as_array().unwrap();
    let listed: Vec<&str> = files.iter().map(|f| f["path"].as_str().unwrap()).collect();
    for id in &ids {
        for file in [
            format!("documents/{id}/{id}.pdf"),
            format!("documents/{id}/record.json"),
            format!("documents/{id}/pages/0001.json"),
        ] {
            assert!(listed.contains(&file.as_str()), "{file} not in {listed:?}");
        }
    }
    for file in files {
        let bytes = fs::read(archive.join(file["path"].as_str().unwrap())).unwrap();
        assert_eq!(file["sha256"].as_str().unwrap(), hex::encode(Sha256::digest(&bytes)));
        assert_eq!(file["bytes"].as_u64().unwrap(), bytes.len() as u64);
    }
    assert_eq!(
        manifest["catalog"]["sha256"].as_str().unwrap(),
        hex::encode(Sha256::digest(fs::read(out.join("catalog.jsonl")).unwrap()))
    );

    // The catalogue is lost, one record.json lost and another damaged: restore rebuilds.
    fs::remove_dir_all(archive.join("catalog")).unwrap();
    fs::remove_file(archive.join("documents").join(&ids[0]).join("record.json")).unwrap();
    fs::write(archive.join("documents").join(&ids[1]).join("record.json"), b"{\"id\": ").unwrap();
    let report = json(&expect_code(olke(&archive).args(["restore", "--json", "--from"]).arg(&out), 0));
    assert_eq!(report["records_from_backup"], serde_json::json!([ids[0], ids[1]]));
    assert_eq!(report["documents"], 3);
    assert_eq!(listed_ids(&archive), ids);
    let shown = json(&expect_code(olke(&archive).args(["show", &ids[0], "--json"]), 0));
    assert_eq!(shown["title"], "Балқаш тарихы", "the edited record is back");
    assert_eq!(verify(&archive, &[]).0, Some(0));

    // A document edited since the backup keeps its own files; a PDF that is neither its
    // record's nor the backup's cannot be restored, and says so.
    expect_code(olke(&archive).args(["catalog", "set", &ids[2], "title", "Кейін өзгерді"]), 0);
    flip_one_byte(&pdf_of(&archive, &ids[1]));
    let output = expect_code(olke(&archive).args(["restore", "--json", "--from"]).arg(&out), 4);
    let report = json(&output);
    assert_eq!(report["changed_since_backup"], serde_json::json!([ids[2]]));
    let problems: Vec<String> = report["problems"].as_array().unwrap().iter().map(|p| p.to_string()).collect();
    assert!(problems.iter().any(|p| p.contains(&ids[1]) && p.contains("cannot be restored")), "{problems:?}");
    assert!(
        problems.iter().any(|p| p.contains(&format!("documents/{0}/{0}.pdf", ids[1])) && p.contains("differs")),
        "{problems:?}"
    );
    assert!(stderr(&output).lines().any(|l| l.contains(&ids[1])), "{}", stderr(&output));
    assert!(report["catalog_set_aside"].as_str().unwrap().contains("catalog.before-restore-"));
    assert_eq!(listed_ids(&archive), vec![ids[0].clone(), ids[2].clone()]);

    // Not a backup folder.
    let wrong = expect_code(olke(&archive).args(["restore", "--from"]).arg(tmp.path()), 1);
    assert!(stderr(&wrong).contains("not an olke backup"), "{}", stderr(&wrong));
}

#[test]
fn a_writer_killed_after_committing_is_finished_by_the_next_one() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, archive, ids) = archive_of(tmp.path(), 2);
    // The state a writer leaves when killed between writing record.json (the commit) and
    // moving the staged PDF into place: the record names the staged PDF, the catalogue
    // still holds the old record, the lock file still holds a process id.
    let document = archive.join("documents").join(&ids[0]);
    let staged = document.join(".staging").join(format!("{}.pdf", ids[0]));
    fs::create_dir_all(staged.parent().unwrap()).unwrap();
    let mut pdf = fs::read(pdf_of(&archive, &ids[0])).unwrap();
    pdf.extend_from_slice(b"% a new version\n");
    fs::write(&staged, &pdf).unwrap();
    let mut record: serde_json::Value =
        serde_json::from_slice(&fs::read(document.join("record.json")).unwrap()).unwrap();
    record["title"] = "Жаңа нұсқа".into();
    record["updated"] = "2030-01-01T00:00:00Z".into();
    record["pdf_sha256"] = hex::encode(Sha256::digest(&pdf)).into();
    record["pdf_bytes"] = pdf.len().into();
    fs::write(document.join("record.json"), serde_json::to_vec_pretty(&record).unwrap()).unwrap();
    fs::write(archive.join(".lock"), "999999").unwrap();

    let (code, report) = verify(&archive, &[]);
    assert_eq!(code, Some(4));
    let kinds: Vec<String> = problem_kinds(&report).into_iter().map(|(kind, _)| kind).collect();
    assert_eq!(
        kinds,
        ["unfinished_change", "pdf_checksum", "store_stale", "store_stale"],
        "catalogue and search index both behind"
    );
    assert!(!fs::read_to_string(archive.join(".lock")).unwrap().is_empty(), "looking leaves the next writer warned");

    // The next writer, whatever it is, completes the change before its own work.
    let output = expect_code(olke(&archive).args(["catalog", "set", &ids[1], "title", "Басқа"]), 0);
    assert!(
        stderr(&output).contains(&format!("{}: an interrupted change had been committed; completed it", ids[0])),
        "{}",
        stderr(&output)
    );
    assert_eq!(fs::read(pdf_of(&archive, &ids[0])).unwrap(), pdf);
    assert!(!document.join(".staging").exists());
    assert_eq!(verify(&archive, &[]).0, Some(0));
    let shown = json(&expect_code(olke(&archive).args(["show", &ids[0], "--json"]), 0));
    assert_eq!(shown["title"], "Жаңа нұсқа", "the catalogue holds the committed record");
    qpdf_check(&pdf_of(&archive, &ids[0]));
}
