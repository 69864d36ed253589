//! Compiling a parsed query: each word of the [`Expr`] analysed with every language's
//! analyzer and turned into tantivy queries over that language's fields, titles and
//! authors weighing more; and the filters (collection, type, source, years) as clauses
//! that must match without adding to the score.

use std::collections::{HashMap, HashSet};
use std::ops::Bound;

use tantivy::query::{
    BooleanQuery, BoostQuery, ConstScoreQuery, EmptyQuery, Occur, PhraseQuery, Query, RangeQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{Score, Searcher, Term};

use super::analysis::{marked, Analyzer, Lang};
use super::document::{collection_key, type_name};
use super::grouping::{Logic, Word};
use super::query::Expr;
use super::schema::{Fields, LangFields};
use super::search::{Filters, SearchError};
use crate::record::DocumentType;

/// A word found in a title counts this many times more than in the text.
const TITLE_BOOST: Score = 3.0;
const AUTHOR_BOOST: Score = 2.0;
/// The word's exact form, on top of its stem: «кітапханада» ranks pages saying just that first.
const EXACT_FORM_BOOST: Score = 0.3;
/// Terms a prefix expands to, per field (the most frequent are kept).
const MAX_PREFIX_TERMS: usize = 64;
/// Readings of a phrase tried when its words have several stems each.
const MAX_PHRASE_READINGS: usize = 16;

/// Turns an [`Expr`] into tantivy queries, analysing each word with every language's
/// analyzer for that language's fields.
pub(super) struct Compiler<'a> {
    fields: &'a Fields,
    searcher: &'a Searcher,
    analyzers: Vec<Analyzer>,
    /// The positive clauses on page text alone: they tell which pages matched in their text.
    pub(super) text_clauses: Vec<Box<dyn Query>>,
    /// Terms to mark in snippets.
    pub(super) highlight: HashSet<String>,
}

fn term_query(field: Field, text: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(Term::from_field_text(field, text), IndexRecordOption::WithFreqs))
}

fn boosted(query: Box<dyn Query>, boost: Score) -> Box<dyn Query> {
    Box::new(BoostQuery::new(query, boost))
}

pub(super) fn any_of(mut queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    match queries.len() {
        0 => Box::new(EmptyQuery),
        1 => queries.remove(0),
        _ => Box::new(BooleanQuery::union(queries)),
    }
}

/// A clause of a boolean query.
pub(super) type Clause = (Occur, Box<dyn Query>);

/// A filter: must match, adds nothing to the score.
fn filter(query: Box<dyn Query>) -> Clause {
    (Occur::Must, Box::new(ConstScoreQuery::new(query, 0.0)))
}

/// Every reading of a phrase whose words have several stems, up to `limit`.
fn readings(words: &[Vec<String>], limit: usize) -> Vec<Vec<&str>> {
    let mut result: Vec<Vec<&str>> = vec![Vec::new()];
    for stems in words {
        result = result
            .iter()
            .flat_map(|prefix| stems.iter().map(move |s| [prefix.as_slice(), &[s.as_str()]].concat()))
            .take(limit)
            .collect();
    }
    result
}

/// Queries over one language's fields, for one leaf of the expression.
struct FieldQueries {
    text: Vec<Box<dyn Query>>,
    heading: Vec<Box<dyn Query>>,
}

impl<'a> Compiler<'a> {
    pub(super) fn new(fields: &'a Fields, searcher: &'a Searcher) -> Compiler<'a> {
        Compiler {
            fields,
            searcher,
            analyzers: Lang::ALL.iter().map(|&l| Analyzer::new(l)).collect(),
            text_clauses: Vec::new(),
            highlight: HashSet::new(),
        }
    }

    /// The query's words (words, phrases, prefixes) as page queries into `out`, and its
    /// logic over them: what [`super::grouping`] decides each document by. `sought` is
    /// false under a NOT.
    pub(super) fn leaves(&mut self, expr: &Expr, sought: bool, out: &mut Vec<Word>) -> Option<Logic> {
        let query = match expr {
            Expr::Word(word) => self.words(word, sought)?,
            Expr::Phrase(phrase) => self.words(phrase, sought)?,
            Expr::Prefix(prefix) => self.leaf(sought, |c, fields, analyzer| c.prefix(fields, analyzer, prefix)),
            Expr::Or(alternatives) => {
                let parts: Vec<Logic> = alternatives.iter().filter_map(|e| self.leaves(e, sought, out)).collect();
                return (!parts.is_empty()).then_some(Logic::Or(parts));
            }
            Expr::And(all) => {
                let parts: Vec<Logic> = all.iter().filter_map(|e| self.leaves(e, sought, out)).collect();
                // Exclusions alone find nothing (the parser refuses them at the top).
                return parts.iter().any(|p| !matches!(p, Logic::Not(_))).then_some(Logic::And(parts));
            }
            Expr::Not(inner) => return self.leaves(inner, !sought, out).map(|l| Logic::Not(Box::new(l))),
        };
        out.push(Word { query, sought });
        Some(Logic::Word(out.len() - 1))
    }

    /// A word, or words in a row (a phrase, or a word with a hyphen: «ақын-жазушы»).
    fn words(&mut self, text: &str, positive: bool) -> Option<Box<dyn Query>> {
        let count = Analyzer::words(text).count();
        if count == 0 {
            return None;
        }
        Some(self.leaf(positive, |c, fields, analyzer| {
            let words: Vec<_> = Analyzer::words(text).map(|(_, w)| analyzer.word_terms(w)).collect();
            if let [word] = words.as_slice() {
                c.word(fields, word)
            } else {
                c.phrase(fields, &words.into_iter().map(|w| w.stems).collect::<Vec<_>>())
            }
        }))
    }

    /// Builds a leaf for every language and records what results need of it.
    fn leaf(
        &mut self,
        positive: bool,
        mut per_lang: impl FnMut(&mut Self, &LangFields, &Analyzer) -> FieldQueries,
    ) -> Box<dyn Query> {
        let mut all = Vec::new();
        let analyzers = std::mem::take(&mut self.analyzers);
        // Excluded words are not marked in snippets.
        let highlight_before = (!positive).then(|| self.highlight.clone());
        for analyzer in &analyzers {
            let fields = *self.fields.lang(analyzer.lang());
            let FieldQueries { text, heading } = per_lang(self, &fields, analyzer);
            if positive {
                self.text_clauses.extend(text.iter().map(|q| q.box_clone()));
            }
            all.extend(text);
            all.extend(heading);
        }
        if let Some(before) = highlight_before {
            self.highlight = before;
        }
        self.analyzers = analyzers;
        any_of(all)
    }

    fn word(&mut self, fields: &LangFields, word: &super::analysis::WordTerms) -> FieldQueries {
        let mut text = Vec::new();
        let mut heading = Vec::new();
        for stem in &word.stems {
            text.push(term_query(fields.body, stem));
            heading.push(boosted(term_query(fields.title, stem), TITLE_BOOST));
            heading.push(boosted(term_query(fields.authors, stem), AUTHOR_BOOST));
            self.highlight.insert(stem.clone());
        }
        let surface = word.marked_surface();
        text.push(boosted(term_query(fields.body, &surface), EXACT_FORM_BOOST));
        self.highlight.insert(surface);
        FieldQueries { text, heading }
    }

    fn phrase(&mut self, fields: &LangFields, words: &[Vec<String>]) -> FieldQueries {
        let mut text = Vec::new();
        let mut heading = Vec::new();
        for reading in readings(words, MAX_PHRASE_READINGS) {
            let terms = |field: Field| reading.iter().map(|s| Term::from_field_text(field, s)).collect::<Vec<_>>();
            text.push(Box::new(PhraseQuery::new(terms(fields.body))) as Box<dyn Query>);
            heading.push(boosted(Box::new(PhraseQuery::new(terms(fields.title))), TITLE_BOOST));
        }
        self.highlight.extend(words.iter().flatten().cloned());
        FieldQueries { text, heading }
    }

    /// The surface forms in `field` that start with `prefix`, most frequent first.
    fn expand(&self, field: Field, prefix: &str) -> tantivy::Result<Vec<String>> {
        let mut found: HashMap<String, u64> = HashMap::new();
        for segment in self.searcher.segment_readers() {
            let index = segment.inverted_index(field)?;
            let mut stream = index.terms().range().ge(prefix.as_bytes()).into_stream()?;
            while let Some((key, info)) = stream.next() {
                if !key.starts_with(prefix.as_bytes()) {
                    break;
                }
                *found.entry(String::from_utf8_lossy(key).into_owned()).or_default() += u64::from(info.doc_freq);
            }
        }
        let mut terms: Vec<(String, u64)> = found.into_iter().collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        Ok(terms.into_iter().take(MAX_PREFIX_TERMS).map(|(t, _)| t).collect())
    }

    fn prefix(&mut self, fields: &LangFields, analyzer: &Analyzer, prefix: &str) -> FieldQueries {
        let Some((_, word)) = Analyzer::words(prefix).last() else {
            return FieldQueries { text: Vec::new(), heading: Vec::new() };
        };
        let marked_prefix = marked(&analyzer.word_terms(word).surface);
        let mut expansions = |field: Field, boost: Score| -> Vec<Box<dyn Query>> {
            // A term dictionary that cannot be read expands to nothing; the search goes on.
            let terms = self.expand(field, &marked_prefix).unwrap_or_default();
            self.highlight.extend(terms.iter().cloned());
            terms.iter().map(|t| boosted(term_query(field, t), boost)).collect()
        };
        let text = expansions(fields.body, 1.0);
        let mut heading = expansions(fields.title, TITLE_BOOST);
        heading.extend(expansions(fields.authors, AUTHOR_BOOST));
        FieldQueries { text, heading }
    }
}

/// A document type as `--type` may give it: `book`, `newspaper-article`, `Newspaper article`.
fn type_key(text: &str) -> Result<String, SearchError> {
    let key = text.trim().to_lowercase().replace(['-', ' '], "_");
    let known = [
        DocumentType::NewspaperArticle,
        DocumentType::JournalArticle,
        DocumentType::Book,
        DocumentType::BookChapter,
        DocumentType::NewspaperIssue,
    ]
    .map(type_name);
    if known.contains(&key) {
        Ok(key)
    } else {
        Err(SearchError::Filter(format!("--type {text}: not a document type; use one of {}", known.join(", "))))
    }
}

pub(super) fn filter_clauses(fields: &Fields, filters: &Filters) -> Result<Vec<Clause>, SearchError> {
    let mut clauses = Vec::new();
    if !filters.collections.is_empty() {
        let terms = filters.collections.iter().map(|c| Term::from_field_text(fields.collection, &collection_key(c)));
        clauses.push(filter(Box::new(TermSetQuery::new(terms))));
    }
    if !filters.types.is_empty() {
        let keys = filters.types.iter().map(|t| type_key(t)).collect::<Result<Vec<_>, _>>()?;
        clauses.push(filter(Box::new(TermSetQuery::new(keys.iter().map(|k| Term::from_field_text(fields.kind, k))))));
    }
    if let Some(source) = &filters.source {
        let mut folded = String::new();
        let words: Vec<Term> = Analyzer::words(source)
            .map(|(_, w)| {
                super::analysis::fold_word(w, Lang::Russian, &mut folded);
                Term::from_field_text(fields.source, &folded)
            })
            .collect();
        let query: Box<dyn Query> = match words.len() {
            0 => return Err(SearchError::Filter(format!("--source {source:?}: has no words to match"))),
            1 => Box::new(TermQuery::new(words[0].clone(), IndexRecordOption::Basic)),
            _ => Box::new(PhraseQuery::new(words)),
        };
        clauses.push(filter(query));
    }
    if let Some(years) = filters.years {
        let bound = |year: Option<i64>| {
            year.map_or(Bound::Unbounded, |y| Bound::Included(Term::from_field_i64(fields.year, y)))
        };
        clauses.push(filter(Box::new(RangeQuery::new(bound(years.from), bound(years.to)))));
    }
    if !filters.langs.is_empty() {
        let langs = filters
            .langs
            .iter()
            .map(|l| {
                Lang::from_code(l).ok_or_else(|| {
                    SearchError::Filter(format!("--lang {l}: not a language of the archive; use kaz, rus or eng"))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        clauses.push(filter(Box::new(TermSetQuery::new(
            langs.iter().map(|l| Term::from_field_text(fields.page_lang, l.code())),
        ))));
    }
    Ok(clauses)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrase_readings_are_every_combination_up_to_the_limit() {
        let words =
            vec![vec!["а".to_string(), "б".to_string()], vec!["в".to_string()], vec!["г".to_string(), "д".to_string()]];
        assert_eq!(
            readings(&words, 16),
            vec![vec!["а", "в", "г"], vec!["а", "в", "д"], vec!["б", "в", "г"], vec!["б", "в", "д"]]
        );
        assert_eq!(readings(&words, 3).len(), 3);
    }

    #[test]
    fn types_are_read_loosely() {
        assert_eq!(type_key("Newspaper article").unwrap(), "newspaper_article");
        assert_eq!(type_key("book-chapter").unwrap(), "book_chapter");
        assert!(type_key("poster").is_err());
    }
}
