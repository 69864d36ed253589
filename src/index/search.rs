//! Running a query: the parsed [`Expr`] becomes tantivy queries over every language's
//! fields, filters narrow the pages, BM25 ranks them (title and author matches weigh
//! more), and the pages are grouped into documents, each with the pages where it matched
//! and a snippet of its best page with the matches marked.

use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, TantivyDocument, Term};

use super::analysis::{Lang, PageAnalyzer, SURFACE_MARK};
use super::compile::{any_of, filter_clauses, Compiler};
use super::grouping::{id_names, match_documents, DocumentMatch};
use super::query::{self, QueryError};
use super::schema::Fields;
use super::{IndexError, SearchIndex};

/// Characters of text around the matches in a snippet.
const SNIPPET_CHARS: usize = 200;

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("bad query: {0}")]
    Query(#[from] QueryError),
    #[error("{0}")]
    Filter(String),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error("search failed: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
}

impl SearchError {
    /// True when the request itself is wrong (the user's to fix), not the index.
    pub fn is_usage(&self) -> bool {
        matches!(self, SearchError::Query(_) | SearchError::Filter(_))
    }
}

/// `--year FROM..TO`, either end open, or one year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct YearRange {
    pub from: Option<i64>,
    pub to: Option<i64>,
}

impl FromStr for YearRange {
    type Err = String;

    fn from_str(text: &str) -> Result<YearRange, String> {
        let bad = || format!("--year {text}: give a year (1968) or a range (1960..1970, 1960.., ..1970)");
        let year = |s: &str| -> Result<Option<i64>, String> {
            match s.trim() {
                "" => Ok(None),
                y if y.len() <= 4 && y.chars().all(|c| c.is_ascii_digit()) => Ok(Some(y.parse().map_err(|_| bad())?)),
                _ => Err(bad()),
            }
        };
        let range = match text.split_once("..") {
            Some((from, to)) => YearRange { from: year(from)?, to: year(to)? },
            None => {
                let single = year(text)?.ok_or_else(bad)?;
                YearRange { from: Some(single), to: Some(single) }
            }
        };
        match (range.from, range.to) {
            (None, None) => Err(bad()),
            (Some(from), Some(to)) if from > to => Err(format!("--year {text}: the range ends before it starts")),
            _ => Ok(range),
        }
    }
}

/// What pages may match, besides the query.
#[derive(Clone, Debug, Default)]
pub struct Filters {
    /// Any of these collections.
    pub collections: Vec<String>,
    /// Any of these document types (`book`, `newspaper_article`, …).
    pub types: Vec<String>,
    /// The source (newspaper, journal, host book): its words, in order.
    pub source: Option<String>,
    pub years: Option<YearRange>,
    /// Pages in any of these languages (`kaz`, `rus`, `eng`).
    pub langs: Vec<String>,
}

/// One search.
#[derive(Clone, Debug)]
pub struct SearchRequest {
    pub query: String,
    pub filters: Filters,
    pub limit: usize,
    pub offset: usize,
    /// Count the matching words on each page of the results shown ([`Hit::matches`]).
    pub count_matches: bool,
}

/// Pages of a result whose matching words are counted.
const COUNTED_PAGES: usize = 20;

/// A passage of a page with the matched words marked.
#[derive(Clone, Debug, Serialize)]
pub struct Snippet {
    pub page: u32,
    pub text: String,
    /// Matched words as character ranges (start, end) in `text`.
    pub highlights: Vec<(usize, usize)>,
}

impl Snippet {
    /// The text with each match between `before` and `after`.
    pub fn marked(&self, before: &str, after: &str) -> String {
        let mut out = String::with_capacity(self.text.len() + 16);
        let mut highlights = self.highlights.iter().peekable();
        for (i, c) in self.text.chars().enumerate() {
            if highlights.peek().is_some_and(|&&(from, _)| from == i) {
                out.push_str(before);
            }
            out.push(c);
            if let Some(&&(_, to)) = highlights.peek() {
                if to == i + 1 {
                    out.push_str(after);
                    highlights.next();
                }
            }
        }
        out
    }
}

/// One document found.
#[derive(Clone, Debug, Serialize)]
pub struct Hit {
    pub id: String,
    /// The document's name as results show it.
    pub title: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub year: Option<i64>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    pub score: f32,
    /// Pages whose text matched, in order (empty when only the title or authors did).
    pub pages: Vec<u32>,
    /// How many words match on each of the first pages of `pages`, when the request asks
    /// (what a search-only result tells instead of the text).
    #[serde(skip)]
    pub matches: Vec<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<Snippet>,
}

#[derive(Clone, Debug, Serialize)]
pub struct SearchResults {
    /// Documents found, in all.
    pub total: usize,
    /// Pages matched, in all.
    pub total_pages: usize,
    pub offset: usize,
    pub hits: Vec<Hit>,
    /// Every document found, best first (what facets are counted over; not printed).
    #[serde(skip)]
    pub matched: Vec<Arc<str>>,
}

/// A matched page.
pub(super) struct PageHit {
    id: Arc<str>,
    pub(super) page: u32,
    score: Score,
    pub(super) address: DocAddress,
}

/// Collects every matched page with its document id and number: results are documents,
/// so all pages are needed to group them, not only the best few.
pub(super) struct PageHits;

pub(super) struct SegmentPageHits {
    segment: SegmentOrdinal,
    ids: tantivy::columnar::StrColumn,
    pages: tantivy::columnar::Column<u64>,
    /// (id ordinal, page, score, doc)
    hits: Vec<(u64, u32, Score, DocId)>,
}

impl Collector for PageHits {
    type Fruit = Vec<PageHit>;
    type Child = SegmentPageHits;

    fn for_segment(&self, segment: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentPageHits> {
        let ids =
            reader.fast_fields().str("id")?.ok_or_else(|| tantivy::TantivyError::SchemaError("no id column".into()))?;
        let pages = reader.fast_fields().u64("page")?;
        Ok(SegmentPageHits { segment, ids, pages, hits: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<Vec<PageHit>>) -> tantivy::Result<Vec<PageHit>> {
        Ok(fruits.into_iter().flatten().collect())
    }
}

impl SegmentCollector for SegmentPageHits {
    type Fruit = Vec<PageHit>;

    fn collect(&mut self, doc: DocId, score: Score) {
        if let (Some(ord), Some(page)) = (self.ids.ords().first(doc), self.pages.first(doc)) {
            self.hits.push((ord, page as u32, score, doc));
        }
    }

    fn harvest(self) -> Vec<PageHit> {
        let mut ords: Vec<u64> = self.hits.iter().map(|h| h.0).collect();
        ords.sort_unstable();
        ords.dedup();
        let names = id_names(&self.ids, &ords);
        let name = |ord: u64| ords.binary_search(&ord).ok().and_then(|i| names.get(i)).cloned();
        self.hits
            .into_iter()
            .filter_map(|(ord, page, score, doc)| {
                Some(PageHit { id: name(ord)?, page, score, address: DocAddress::new(self.segment, doc) })
            })
            .collect()
    }
}

pub(super) fn stored_str(doc: &TantivyDocument, field: Field) -> Option<String> {
    doc.get_first(field).and_then(|v| v.as_str().map(str::to_string))
}

/// The snippet of a page: the passage with the most (and rarest) query words.
fn snippet(doc: &TantivyDocument, fields: &Fields, page: u32, highlight: &BTreeMap<String, Score>) -> Option<Snippet> {
    let text = stored_str(doc, fields.text)?;
    let main = stored_str(doc, fields.page_lang).and_then(|l| Lang::from_code(&l)).unwrap_or(Lang::Kazakh);
    let analyzer = PageAnalyzer::new(main, highlight.keys().map(String::as_str));
    let generator = SnippetGenerator::new(highlight.clone(), TextAnalyzer::from(analyzer), fields.text, SNIPPET_CHARS);
    let found = generator.snippet(&text);
    if found.highlighted().is_empty() {
        return None;
    }
    // One line of text: runs of whitespace (line and paragraph breaks) become one space,
    // and the highlights move with the characters.
    let mut text = String::new();
    let mut char_of_byte = Vec::with_capacity(found.fragment().len() + 1);
    let mut chars = 0;
    for (byte, c) in found.fragment().char_indices() {
        char_of_byte.resize(byte + 1, chars);
        if !(c.is_whitespace() && text.ends_with(' ')) {
            text.push(if c.is_whitespace() { ' ' } else { c });
            chars += 1;
        }
    }
    char_of_byte.resize(found.fragment().len() + 1, chars);
    // A word is highlighted once per query term among its stems: one range is enough.
    let mut highlights: Vec<(usize, usize)> =
        found.highlighted().iter().map(|r| (char_of_byte[r.start], char_of_byte[r.end])).collect();
    highlights.dedup();
    Some(Snippet { page, text, highlights })
}

/// How many words of `doc`'s page text match: each word once, however many of its
/// forms (stem, surface) do; the same analysis as the snippets'.
fn matching_words(doc: &TantivyDocument, fields: &Fields, highlight: &BTreeMap<String, Score>) -> u32 {
    let Some(text) = stored_str(doc, fields.text) else { return 0 };
    let main = stored_str(doc, fields.page_lang).and_then(|l| Lang::from_code(&l)).unwrap_or(Lang::Kazakh);
    let mut analyzer = TextAnalyzer::from(PageAnalyzer::new(main, highlight.keys().map(String::as_str)));
    let mut stream = analyzer.token_stream(&text);
    let mut positions = std::collections::BTreeSet::new();
    while stream.advance() {
        let token = stream.token();
        if highlight.contains_key(&token.text) {
            positions.insert(token.position);
        }
    }
    positions.len() as u32
}

impl SearchIndex {
    /// Runs a search.
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults, SearchError> {
        let expr = query::parse(&request.query)?;
        let filters = filter_clauses(&self.fields, &request.filters)?;
        let searcher = self.reader.searcher();
        let mut compiler = Compiler::new(&self.fields, &searcher);
        let mut words = Vec::new();
        let Some(logic) = compiler.leaves(&expr, true, &mut words) else {
            return Err(QueryError { message: "the query has no words to search for".into(), column: None }.into());
        };
        let filtered = |query: Box<dyn Query>| -> Box<dyn Query> {
            let mut clauses = vec![(Occur::Must, query)];
            clauses.extend(filters.iter().map(|(occur, q)| (*occur, q.box_clone())));
            Box::new(BooleanQuery::new(clauses))
        };
        // Each word somewhere in the document; documents with a page holding them all first.
        let documents = match_documents(&searcher, &words, &logic, &filtered)?;
        let total = documents.len();
        let total_pages = documents.iter().map(|d| d.pages).sum();
        let matched: Vec<Arc<str>> = documents.iter().map(|d| d.id.clone()).collect();
        let shown: Vec<DocumentMatch> = documents.into_iter().skip(request.offset).take(request.limit).collect();
        if shown.is_empty() {
            return Ok(SearchResults { total, total_pages, offset: request.offset, hits: Vec::new(), matched });
        }

        // Which of the shown documents' pages matched in their text (rather than only
        // through the title or authors every page carries), and the best of them.
        let ids = TermSetQuery::new(shown.iter().map(|d| Term::from_field_text(self.fields.id, &d.id)));
        let in_text = filtered(Box::new(BooleanQuery::new(vec![
            (Occur::Must, any_of(compiler.text_clauses)),
            (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(ids), 0.0))),
        ])));
        let mut text_pages: HashMap<Arc<str>, Vec<PageHit>> = HashMap::new();
        for hit in searcher.search(&*in_text, &PageHits)? {
            text_pages.entry(hit.id.clone()).or_default().push(hit);
        }
        let weights: BTreeMap<String, Score> = compiler
            .highlight
            .into_iter()
            .map(|t| (t.clone(), if t.starts_with(SURFACE_MARK) { 0.5 } else { 1.0 }))
            .collect();

        let mut results = Vec::with_capacity(shown.len());
        for document in shown {
            let id = document.id;
            let mut pages = text_pages.remove(&id).unwrap_or_default();
            // The snippet's page: the best page of the document if its text matched (it
            // holds the most words of the query), else the best in text.
            pages.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.page.cmp(&b.page)));
            let best = pages.iter().find(|p| p.address == document.best).or(pages.first()).map(|p| (p.address, p.page));
            pages.sort_by_key(|p| p.page);
            let numbers: Vec<u32> = pages.iter().map(|p| p.page).collect();
            let mut matches = Vec::new();
            if request.count_matches {
                for page in pages.iter().take(COUNTED_PAGES) {
                    matches.push(matching_words(&searcher.doc(page.address)?, &self.fields, &weights));
                }
            }
            // Any page carries the document's fields; the best one in the text also gives the snippet.
            let doc: TantivyDocument = searcher.doc(best.map_or(document.best, |(address, _)| address))?;
            results.push(Hit {
                id: id.to_string(),
                title: stored_str(&doc, self.fields.citation).unwrap_or_else(|| id.to_string()),
                year: doc.get_first(self.fields.year).and_then(|v| v.as_i64()),
                kind: stored_str(&doc, self.fields.kind),
                source: stored_str(&doc, self.fields.source),
                score: document.score,
                pages: numbers,
                matches,
                snippet: best.and_then(|(_, page)| snippet(&doc, &self.fields, page, &weights)),
            });
        }
        Ok(SearchResults { total, total_pages, offset: request.offset, hits: results, matched })
    }

    /// The text of a document's pages as indexed, by page number (how the web server
    /// shows a document without opening the catalogue an ingest may hold).
    pub fn page_texts(&self, id: &str) -> Result<BTreeMap<u32, String>, SearchError> {
        let searcher = self.reader.searcher();
        let query = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let mut texts = BTreeMap::new();
        for hit in searcher.search(&query, &PageHits)? {
            let doc: TantivyDocument = searcher.doc(hit.address)?;
            texts.insert(hit.page, stored_str(&doc, self.fields.text).unwrap_or_default());
        }
        Ok(texts)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_ranges() {
        assert_eq!("1960..1970".parse(), Ok(YearRange { from: Some(1960), to: Some(1970) }));
        assert_eq!("1968".parse(), Ok(YearRange { from: Some(1968), to: Some(1968) }));
        assert_eq!("1960..".parse(), Ok(YearRange { from: Some(1960), to: None }));
        assert_eq!("..1970".parse(), Ok(YearRange { from: None, to: Some(1970) }));
        assert!("1970..1960".parse::<YearRange>().unwrap_err().contains("ends before"));
        assert!("..".parse::<YearRange>().is_err());
        assert!("сорок".parse::<YearRange>().is_err());
        assert!("19689".parse::<YearRange>().is_err());
    }

    #[test]
    fn snippets_mark_their_highlights() {
        let snippet = Snippet {
            page: 1, text: "Балқаш қаласы көлдің жағасында".into(), highlights: vec![(7, 13)]
        };
        assert_eq!(snippet.marked("[", "]"), "Балқаш [қаласы] көлдің жағасында");
    }
}
