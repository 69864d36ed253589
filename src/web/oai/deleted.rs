//! What OAI-PMH tells harvesters of documents that are gone. olke has no command that
//! withdraws a document: staff remove its folder (`documents/ID/`) and `olke verify
//! --repair` takes it out of the catalogue and the index. So the server remembers every
//! document it has seen, with its collections, in `archive/oai/documents.json`; one seen
//! before whose folder is gone is reported deleted from the time the server noticed, in
//! the sets it was in, until a document of that id is archived again.
//!
//! A document removed before the server first ran is never reported (Identify declares
//! `deletedRecord` `transient` for that reason).

use std::collections::BTreeMap;
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::archive::{write_atomic, Archive};
use crate::record::DocumentRecord;

/// A document as last seen: its collections, and when it was noticed gone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Seen {
    collections: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gone: Option<DateTime<Utc>>,
}

/// A document that is gone, as a harvester is told of it.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Gone {
    pub id: String,
    pub since: DateTime<Utc>,
    pub collections: Vec<String>,
}

fn register_path(archive: &Archive) -> PathBuf {
    archive.root().join("oai").join("documents.json")
}

/// Brings the register up to date with `documents` (all the archive holds now) and returns
/// the documents that are gone. A document missing from `documents` whose folder is still
/// there (a damaged record) is not gone: `olke verify` names it, and it comes back.
pub(crate) fn reconcile(archive: &Archive, documents: &[DocumentRecord], now: DateTime<Utc>) -> Vec<Gone> {
    let path = register_path(archive);
    let mut register: BTreeMap<String, Seen> = match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes).unwrap_or_else(|e| {
            tracing::warn!("{}: {e}; the documents gone before now are no longer reported", path.display());
            BTreeMap::new()
        }),
        Err(_) => BTreeMap::new(),
    };
    let before = register.clone();
    let present: BTreeMap<&str, &DocumentRecord> = documents.iter().map(|d| (d.id.as_str(), d)).collect();
    for (id, seen) in register.iter_mut() {
        if seen.gone.is_none() && !present.contains_key(id.as_str()) && !archive.document_dir(id).exists() {
            seen.gone = Some(now);
        }
    }
    for document in documents {
        register.insert(document.id.clone(), Seen { collections: document.bib.collections.clone(), gone: None });
    }
    if register != before {
        let json = serde_json::to_vec_pretty(&register).expect("the register serializes");
        // Unwritten, the register is only out of date: the next reading tries again.
        if let Err(e) = write_atomic(&path, &json) {
            tracing::warn!("{}: {e}", path.display());
        }
    }
    register
        .into_iter()
        .filter_map(|(id, seen)| seen.gone.map(|since| Gone { id, since, collections: seen.collections }))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    #[test]
    fn a_document_seen_before_is_gone_once_its_folder_is_and_back_when_archived_again() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        let a = document("a", &[("title", "A"), ("collections", "Батырлар")]);
        let b = document("b", &[("title", "B")]);
        let t0: DateTime<Utc> = "2025-01-01T00:00:00Z".parse().unwrap();
        let t1: DateTime<Utc> = "2025-02-01T00:00:00Z".parse().unwrap();
        assert!(reconcile(&archive, &[a.clone(), b.clone()], t0).is_empty());

        // b's record cannot be read, but its folder is there: not gone.
        std::fs::create_dir_all(archive.document_dir("b")).unwrap();
        assert!(reconcile(&archive, std::slice::from_ref(&a), t1).is_empty());
        std::fs::remove_dir_all(archive.document_dir("b")).unwrap();
        let gone = reconcile(&archive, &[], t1);
        let expected = |id: &str, collections: &[&str]| Gone {
            id: id.into(),
            since: t1,
            collections: collections.iter().map(|c| c.to_string()).collect(),
        };
        assert_eq!(gone, vec![expected("a", &["Батырлар"]), expected("b", &[])]);
        // Later readings keep the time it was first noticed.
        let later: DateTime<Utc> = "2025-03-01T00:00:00Z".parse().unwrap();
        assert_eq!(reconcile(&archive, &[], later), gone);
        assert_eq!(reconcile(&archive, &[a], later), vec![expected("b", &[])], "a is archived again");
    }
}
