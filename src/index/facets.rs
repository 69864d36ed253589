//! Facets of a set of documents found: how many of them are in each collection, of each
//! type, from each source, decade and language, each value spelled as the search filters
//! take it, the most frequent first.

use std::collections::HashMap;

use super::document::{type_name, year_of};
use crate::record::{DocumentRecord, DocumentType};

/// Values shown per facet.
const MAX_VALUES: usize = 12;

/// The documents per value of each facet.
#[derive(Debug, Default, PartialEq)]
pub(crate) struct Facets {
    pub collections: Vec<(String, usize)>,
    pub types: Vec<(DocumentType, usize)>,
    pub sources: Vec<(String, usize)>,
    /// The first year of each decade.
    pub decades: Vec<(i64, usize)>,
    pub languages: Vec<(String, usize)>,
}

impl Facets {
    pub(crate) fn of(found: &[&DocumentRecord]) -> Facets {
        let types = count(found.iter().filter_map(|r| r.bib.kind).map(|k| type_name(k).to_string()));
        let decades = count(found.iter().filter_map(|r| year_of(r)).map(|y| (y.div_euclid(10) * 10).to_string()));
        Facets {
            collections: count(found.iter().flat_map(|r| r.bib.collections.iter().cloned())),
            types: types
                .into_iter()
                .filter_map(|(key, n)| {
                    found.iter().filter_map(|r| r.bib.kind).find(|k| type_name(*k) == key).map(|k| (k, n))
                })
                .collect(),
            sources: count(found.iter().filter_map(|r| r.bib.source.clone())),
            decades: decades.into_iter().filter_map(|(decade, n)| Some((decade.parse().ok()?, n))).collect(),
            languages: count(found.iter().flat_map(|r| r.languages.iter().cloned())),
        }
    }
}

/// Each value with how often it occurs, the most frequent first (ties in natural order).
fn count(values: impl Iterator<Item = String>) -> Vec<(String, usize)> {
    let mut counts: HashMap<String, usize> = HashMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
    counts.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| natord::compare(&a.0, &b.0)));
    counts.truncate(MAX_VALUES);
    counts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    #[test]
    fn facets_count_documents_most_frequent_first() {
        let a = document("a", &[("title", "A"), ("type", "book"), ("collections", "Қала; Әдебиет"), ("year", "1968")]);
        let b = document("b", &[("title", "B"), ("type", "book"), ("collections", "Қала"), ("year", "1961")]);
        let c = document(
            "c",
            &[("title", "C"), ("type", "newspaper_article"), ("source", "Пульс"), ("date", "2019-07-12")],
        );
        let facets = Facets::of(&[&a, &b, &c]);
        assert_eq!(facets.collections, [("Қала".to_string(), 2), ("Әдебиет".to_string(), 1)]);
        assert_eq!(facets.types, [(DocumentType::Book, 2), (DocumentType::NewspaperArticle, 1)]);
        assert_eq!(facets.sources, [("Пульс".to_string(), 1)]);
        assert_eq!(facets.decades, [(1960, 2), (2010, 1)]);
    }
}
