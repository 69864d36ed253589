//! Stores derived from the archive's files: the sled catalogue, and any other (a search
//! index) that caches what `documents/` holds. The files are the source of truth; a
//! store is checked against them and brought back in line by the same few operations,
//! whatever it is: which documents it holds, in which version, and "put this document
//! (again)" or "take it out". `olke verify`, `olke restore` and the recovery after a
//! killed writer work on every store through [`DerivedStore`].

use std::collections::BTreeMap;

use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::page::RecognizedPage;
use crate::record::DocumentRecord;

/// Whatever went wrong inside a store, with its own error type.
pub(crate) type StoreError = Box<dyn std::error::Error + Send + Sync>;

/// What a store holds of one document: enough to tell whether it is the version on disk.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Held {
    /// The record's `updated` time in microseconds: every change of a record moves it.
    pub updated_micros: i64,
    /// Pages held.
    pub pages: usize,
    /// [`record_sha256`] of the record held, from a store that keeps whole records; it
    /// catches a record changed without a new `updated` time (a hand edit of the file).
    pub record_sha256: Option<String>,
}

impl Held {
    /// What a store holding exactly `record` and its pages has.
    pub fn of(record: &DocumentRecord) -> Held {
        Held {
            updated_micros: record.updated.timestamp_micros(),
            pages: record.pages_held(),
            record_sha256: Some(record_sha256(record)),
        }
    }

    fn is_version_of(&self, record: &DocumentRecord) -> bool {
        self.updated_micros == record.updated.timestamp_micros()
            && self.pages == record.pages_held()
            && self.record_sha256.as_ref().is_none_or(|sha| *sha == record_sha256(record))
    }
}

/// SHA-256 of a record's compact JSON form.
pub(crate) fn record_sha256(record: &DocumentRecord) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(record).expect("records serialize")))
}

/// A store derived from the files, checked and repaired against them.
pub(crate) trait DerivedStore {
    /// How reports name it ("catalogue", "search index").
    fn name(&self) -> &'static str;
    /// Every document it holds.
    fn held(&self) -> Result<BTreeMap<String, Held>, StoreError>;
    /// Puts a document in, replacing what it held of it.
    fn put(&mut self, record: &DocumentRecord, pages: &[RecognizedPage]) -> Result<(), StoreError>;
    /// Takes a document out.
    fn remove(&mut self, id: &str) -> Result<(), StoreError>;
    /// Makes the changes durable.
    fn commit(&mut self) -> Result<(), StoreError>;
}

/// How a store differs from the records on disk for one document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Difference {
    /// On disk, not in the store.
    Missing,
    /// In the store in another version than on disk.
    Stale,
    /// In the store, not on disk.
    Orphan,
}

/// The documents where `held` differs from `records` (the readable records on disk), in
/// id order.
pub(crate) fn compare(
    records: &BTreeMap<String, DocumentRecord>,
    held: &BTreeMap<String, Held>,
) -> Vec<(String, Difference)> {
    let mut differences: Vec<(String, Difference)> = records
        .iter()
        .filter_map(|(id, record)| match held.get(id) {
            None => Some((id.clone(), Difference::Missing)),
            Some(version) if !version.is_version_of(record) => Some((id.clone(), Difference::Stale)),
            Some(_) => None,
        })
        .chain(held.keys().filter(|id| !records.contains_key(*id)).map(|id| (id.clone(), Difference::Orphan)))
        .collect();
    differences.sort_by(|a, b| natord::compare(&a.0, &b.0));
    differences
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    #[test]
    fn differences_of_a_store_from_the_files() {
        let records: BTreeMap<String, DocumentRecord> =
            ["a", "b", "c", "d"].iter().map(|id| (id.to_string(), document(id, &[("title", id)]))).collect();
        let mut held: BTreeMap<String, Held> = records.iter().map(|(id, r)| (id.clone(), Held::of(r))).collect();
        held.remove("a");
        held.get_mut("b").unwrap().updated_micros += 1;
        // A store without whole records compares the time and the pages only.
        held.get_mut("c").unwrap().record_sha256 = None;
        held.insert("e".into(), Held::of(&document("e", &[("title", "e")])));
        let mut edited = records.clone();
        edited.get_mut("d").unwrap().bib.title = "changed by hand".into();
        assert_eq!(
            compare(&edited, &held),
            vec![
                ("a".into(), Difference::Missing),
                ("b".into(), Difference::Stale),
                ("d".into(), Difference::Stale),
                ("e".into(), Difference::Orphan)
            ]
        );
    }
}
