//! Where a query's words are inside one document, for the reader: the pages whose text
//! matches, and on a page the recognized words to outline. Both go through the search's
//! own machinery ([`Compiler`] for the terms and page queries, [`PageAnalyzer`] for the
//! page text as indexed), so an inflected Kazakh form or the Russian analysis of a mixed
//! paragraph lights up exactly where search finds it.

use std::collections::{BTreeMap, HashSet};

use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{TantivyDocument, Term};

use super::analysis::{normalize_text, Lang, PageAnalyzer};
use super::compile::{any_of, Compiler};
use super::query::{self, QueryError};
use super::search::{stored_str, PageHits, SearchError};
use super::SearchIndex;
use crate::page::RecognizedPage;

/// A query's matches in one document.
#[derive(Clone, Debug, Default)]
pub(crate) struct DocumentHits {
    /// The pages whose text matches, in order, each with its main language as indexed.
    pub pages: BTreeMap<u32, Lang>,
    /// The terms a matching word has among its own (the snippets' highlight terms).
    terms: HashSet<String>,
}

impl DocumentHits {
    /// The words of `page` (numbered as [`RecognizedPage::words`] gives them) that match.
    pub(crate) fn words(&self, number: u32, page: &RecognizedPage) -> Vec<usize> {
        match self.pages.get(&number) {
            Some(&main) => matched_words(page, main, &self.terms),
            None => Vec::new(),
        }
    }
}

impl SearchIndex {
    /// The pages of document `id` whose text matches `query` (a search's query syntax).
    pub(crate) fn document_hits(&self, query: &str, id: &str) -> Result<DocumentHits, SearchError> {
        let expr = query::parse(query)?;
        let searcher = self.reader.searcher();
        let mut compiler = Compiler::new(&self.fields, &searcher);
        if compiler.leaves(&expr, true, &mut Vec::new()).is_none() {
            return Err(QueryError { message: "the query has no words to search for".into(), column: None }.into());
        }
        let document = TermQuery::new(Term::from_field_text(self.fields.id, id), IndexRecordOption::Basic);
        let in_text = BooleanQuery::new(vec![
            (Occur::Must, any_of(compiler.text_clauses)),
            (Occur::Must, Box::new(ConstScoreQuery::new(Box::new(document), 0.0))),
        ]);
        let mut pages = BTreeMap::new();
        for hit in searcher.search(&in_text, &PageHits)? {
            let doc: TantivyDocument = searcher.doc(hit.address)?;
            let main =
                stored_str(&doc, self.fields.page_lang).and_then(|l| Lang::from_code(&l)).unwrap_or(Lang::Kazakh);
            pages.insert(hit.page, main);
        }
        Ok(DocumentHits { pages, terms: compiler.highlight })
    }
}

/// The words of `page` whose terms, as the page's text is analysed for the index (in
/// `main` and each paragraph's own language), include one of `terms`.
fn matched_words(page: &RecognizedPage, main: Lang, terms: &HashSet<String>) -> Vec<usize> {
    // The page's text as `RecognizedPage::text` joins it, each word's bytes noted; words
    // in NFC first, so that normalising the whole only drops characters and each
    // character of the indexed text can be traced back.
    let mut raw = String::new();
    let mut spans = Vec::new();
    let mut previous: Option<(u32, u32)> = None;
    for line in &page.lines {
        if let Some(p) = previous {
            raw.push_str(if p == (line.block, line.paragraph) { "\n" } else { "\n\n" });
        }
        previous = Some((line.block, line.paragraph));
        for (i, word) in line.words.iter().enumerate() {
            if i > 0 {
                raw.push(' ');
            }
            let start = raw.len();
            raw.extend(unicode_normalization::UnicodeNormalization::nfc(word.text.as_str()));
            spans.push(start..raw.len());
        }
    }
    let text = normalize_text(&raw);
    let origin = origins(&raw, &text);
    let mut analyzer = TextAnalyzer::from(PageAnalyzer::new(main, terms.iter().map(String::as_str)));
    let mut stream = analyzer.token_stream(&text);
    let mut matched = Vec::new();
    while stream.advance() {
        let token = stream.token();
        if !terms.contains(&token.text) {
            continue;
        }
        // A word joined over a line-end hyphen outlines both of its halves.
        let (from, to) = (origin[token.offset_from], origin[token.offset_to - 1] + 1);
        matched.extend(spans.iter().enumerate().filter(|(_, s)| s.start < to && from < s.end).map(|(i, _)| i));
    }
    matched.sort_unstable();
    matched.dedup();
    matched
}

/// For each byte of `normalized` (which is `raw` with characters dropped), the byte of
/// `raw` it came from.
fn origins(raw: &str, normalized: &str) -> Vec<usize> {
    let mut origin = Vec::with_capacity(normalized.len() + 1);
    let mut source = raw.char_indices();
    for c in normalized.chars() {
        let at = source.find(|&(_, r)| r == c).map_or(raw.len(), |(at, _)| at);
        origin.extend((0..c.len_utf8()).map(|byte| at + byte));
    }
    origin.push(raw.len());
    origin
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{BBox, Line, Word};

    fn page(lines: &[(u32, &[&str])]) -> RecognizedPage {
        let lines = lines
            .iter()
            .enumerate()
            .map(|(i, (paragraph, words))| Line {
                bbox: BBox::default(),
                baseline_slope: 0.0,
                baseline_offset: 0.0,
                x_size: 10.0,
                x_descenders: 2.0,
                block: 0,
                paragraph: *paragraph,
                corrected: false,
                words: words
                    .iter()
                    .map(|w| Word { text: w.to_string(), bbox: BBox { x0: 0, y0: i as u32, x1: 1, y1: 1 }, conf: 90.0 })
                    .collect(),
            })
            .collect();
        RecognizedPage {
            width: 10,
            height: 10,
            dpi: 300.0,
            lines,
            mean_conf: 90.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        }
    }

    fn stems(word: &str, lang: Lang) -> HashSet<String> {
        super::super::analysis::Analyzer::new(lang).word_terms(word).stems.into_iter().collect()
    }

    #[test]
    fn an_inflected_form_matches_the_word_sought() {
        let page = page(&[(0, &["Біздің", "кітапханада", "оқырмандар", "көп."]), (0, &["Кітапхана", "жаңа."])]);
        let terms = stems("кітапханалар", Lang::Kazakh);
        assert_eq!(matched_words(&page, Lang::Kazakh, &terms), vec![1, 4]);
    }

    #[test]
    fn a_word_broken_at_a_line_end_outlines_both_halves() {
        let page = page(&[(0, &["Ауданның", "кітап-"]), (0, &["ханасы", "ашылды"])]);
        let terms = stems("кітапхана", Lang::Kazakh);
        assert_eq!(matched_words(&page, Lang::Kazakh, &terms), vec![1, 2]);
    }

    #[test]
    fn nothing_matches_on_a_page_without_the_word() {
        let page = page(&[(0, &["Ауданның", "мектебі"])]);
        assert!(matched_words(&page, Lang::Kazakh, &stems("кітапхана", Lang::Kazakh)).is_empty());
    }

    #[test]
    fn dropped_characters_are_traced_back() {
        assert_eq!(origins("ab-\ncd", "abcd"), vec![0, 1, 4, 5, 6]);
    }
}
