//! An archive written by an earlier version of olke (tests/fixtures/archive-90d1820, made
//! by the release before the renovation of issue 20) opens, verifies, lists, shows and
//! searches as that version did, and takes changes.

mod common;

use std::path::{Path, PathBuf};

use common::{archive_copy, expect_code, json, olke, stdout};

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/archive-90d1820")
}

/// What the earlier version printed, as JSON.
fn printed(name: &str) -> serde_json::Value {
    let path = fixture().join(name);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Search results with each hit's score taken out, after checking it is positive, and its
/// highlight ranges each given once.
fn comparable(mut results: serde_json::Value) -> serde_json::Value {
    for hit in results["hits"].as_array_mut().into_iter().flatten() {
        let score = hit.as_object_mut().and_then(|hit| hit.remove("score"));
        assert!(score.as_ref().and_then(serde_json::Value::as_f64).is_some_and(|s| s > 0.0), "{hit:#}");
        if let Some(ranges) = hit["snippet"]["highlights"].as_array_mut() {
            ranges.dedup();
        }
    }
    results
}

#[test]
fn an_archive_of_the_earlier_version_reads_as_it_did() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(&fixture().join("archive"), tmp.path());

    for id in ["kitap-balqash-tarihy", "zhurnal-ulagat-12"] {
        let text = stdout(&expect_code(olke(&archive).args(["text", id]), 0));
        assert_eq!(text, std::fs::read_to_string(fixture().join(format!("{id}.txt"))).unwrap(), "text of {id}");
        let shown = json(&expect_code(olke(&archive).args(["show", id, "--json"]), 0));
        assert_eq!(shown, printed(&format!("show-{id}.json")), "record of {id}");
    }
    assert_eq!(json(&expect_code(olke(&archive).args(["list", "--json"]), 0)), printed("list.json"));
    assert_eq!(json(&expect_code(olke(&archive).args(["requests", "--json"]), 0)), printed("requests.json"));
    // The index is of an older format and is rebuilt on the first search. Scores are BM25
    // over the terms each word is indexed under, which the analysis of issue 26 changed
    // (verb stems, bases of derived words): the hits, their order, pages and passages must
    // stay as they were, the scores need not. The earlier version repeated a highlight range
    // once per query term the word had among its stems; it is given once now.
    for (query, expected) in [("қала", "search-qala.json"), ("history", "search-history.json")] {
        let found = json(&expect_code(olke(&archive).args(["search", query, "--json"]), 0));
        assert_eq!(comparable(found), comparable(printed(expected)), "search {query}");
    }
    // The scans it was made from are not here; everything else is checked, PDFs opened.
    let verified = json(&expect_code(olke(&archive).args(["verify", "--no-sources", "--json"]), 0));
    assert_eq!(verified["problems"], serde_json::json!([]), "{verified:#}");
}

#[test]
fn an_archive_of_the_earlier_version_takes_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(&fixture().join("archive"), tmp.path());
    expect_code(olke(&archive).args(["catalog", "set", "zhurnal-ulagat-12", "title", "Ұлағат"]), 0);
    let found = json(&expect_code(olke(&archive).args(["search", "Ұлағат", "--json"]), 0));
    assert_eq!(found["hits"][0]["id"], "zhurnal-ulagat-12", "{found:#}");
    let shown = json(&expect_code(olke(&archive).args(["show", "zhurnal-ulagat-12", "--json"]), 0));
    assert_eq!(shown["title"], "Ұлағат");
    assert_eq!(shown["history"].as_array().map(Vec::len), Some(1), "{shown:#}");
    let verified = json(&expect_code(olke(&archive).args(["verify", "--no-sources", "--json"]), 0));
    assert_eq!(verified["problems"], serde_json::json!([]), "{verified:#}");
}
