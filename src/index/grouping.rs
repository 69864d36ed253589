//! Document-level matching. The index holds pages, but words side by side must each be
//! somewhere in the document, not on one page: each word (phrase, prefix) of the query is
//! searched alone over the pages, the pages it is on are grouped by document, and the
//! query's AND, OR and NOT are then decided on each document's set of words.
//!
//! Ranking keeps pages that hold the whole query first: a document with such a page ranks
//! by that page's score (as a page-level search would) above every document whose words
//! are only spread over its pages, which ranks by the sum of each word's best page.
//!
//! Cost: one pass over each word's postings instead of one intersection; the words of a
//! query are few (at most [`super::query::MAX_TERMS`], which fits the bit mask).

use std::collections::hash_map::Entry;
use std::collections::HashMap;
use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::query::Query;
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// A query's logic over its words, each word a bit of a mask.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum Logic {
    Word(usize),
    And(Vec<Logic>),
    Or(Vec<Logic>),
    Not(Box<Logic>),
}

impl Logic {
    /// Does a page or document holding the words of `mask` match?
    pub(super) fn holds(&self, mask: u64) -> bool {
        match self {
            Logic::Word(bit) => mask & (1 << bit) != 0,
            Logic::And(all) => all.iter().all(|l| l.holds(mask)),
            Logic::Or(any) => any.iter().any(|l| l.holds(mask)),
            Logic::Not(inner) => !inner.holds(mask),
        }
    }
}

/// One word of the query as a page query, and whether it is sought (not excluded).
pub(super) struct Word {
    pub query: Box<dyn Query>,
    pub sought: bool,
}

/// A document that matched, with what the results need of it.
pub(super) struct DocumentMatch {
    pub id: Arc<str>,
    /// A page holds the whole query.
    pub on_one_page: bool,
    pub score: Score,
    /// Its pages on which a sought word is (in text, title or authors).
    pub pages: usize,
    /// The page holding most of the sought words, the best scored among those.
    pub best: DocAddress,
}

/// The ids (names) of the id column's ordinals `ords` (sorted, distinct), in one pass over
/// the dictionary: one at a time, each lookup decodes a block, which costs more than the search.
pub(super) fn id_names(ids: &StrColumn, ords: &[u64]) -> Vec<Arc<str>> {
    let mut names: Vec<Arc<str>> = Vec::with_capacity(ords.len());
    // Ordinals from the column itself always have their terms.
    let _ = ids.dictionary().sorted_ords_to_term_cb(ords, |bytes| names.push(String::from_utf8_lossy(bytes).into()));
    names
}

/// The pages one query matches, with their scores, segment by segment.
struct ScoredPages {
    scored: bool,
}

struct SegmentScoredPages {
    segment: SegmentOrdinal,
    pages: Vec<(DocId, Score)>,
}

impl Collector for ScoredPages {
    type Fruit = Vec<(SegmentOrdinal, Vec<(DocId, Score)>)>;
    type Child = SegmentScoredPages;

    fn for_segment(&self, segment: SegmentOrdinal, _: &SegmentReader) -> tantivy::Result<SegmentScoredPages> {
        Ok(SegmentScoredPages { segment, pages: Vec::new() })
    }

    fn requires_scoring(&self) -> bool {
        self.scored
    }

    fn merge_fruits(&self, fruits: Vec<(SegmentOrdinal, Vec<(DocId, Score)>)>) -> tantivy::Result<Self::Fruit> {
        Ok(fruits)
    }
}

impl SegmentCollector for SegmentScoredPages {
    type Fruit = (SegmentOrdinal, Vec<(DocId, Score)>);

    fn collect(&mut self, doc: DocId, score: Score) {
        self.pages.push((doc, score));
    }

    fn harvest(self) -> Self::Fruit {
        (self.segment, self.pages)
    }
}

/// A page's words so far.
#[derive(Clone, Copy, Default)]
struct PageWords {
    mask: u64,
    /// The sum of its sought words' scores.
    score: Score,
}

/// A document's words so far, within one segment or over all.
struct DocumentWords {
    mask: u64,
    /// Each sought word's best score on a page of the document.
    best_of_word: Vec<Score>,
    /// The best page holding the whole query: its score and address.
    best_whole: Option<(Score, DocAddress)>,
    /// The page with most sought words (then the best score): (words, score, address).
    best_page: Option<(u32, Score, DocAddress)>,
    /// Its pages holding a sought word.
    pages: usize,
}

impl DocumentWords {
    fn new(words: usize) -> DocumentWords {
        DocumentWords { mask: 0, best_of_word: vec![0.0; words], best_whole: None, best_page: None, pages: 0 }
    }

    fn merge(&mut self, other: DocumentWords) {
        self.mask |= other.mask;
        for (mine, theirs) in self.best_of_word.iter_mut().zip(other.best_of_word) {
            *mine = mine.max(theirs);
        }
        if other.best_whole.is_some_and(|(score, _)| self.best_whole.is_none_or(|(mine, _)| score > mine)) {
            self.best_whole = other.best_whole;
        }
        if let Some((words, score, _)) = other.best_page {
            if self.best_page.is_none_or(|(mine, my_score, _)| (words, score) > (mine, my_score)) {
                self.best_page = other.best_page;
            }
        }
        self.pages += other.pages;
    }
}

/// What one segment's pages hold so far.
/// Dense by page and by id ordinal: a hash per hit would cost more than the search.
struct SegmentWords {
    ids: StrColumn,
    pages: Vec<PageWords>,
    /// The pages with a word, in `pages`.
    touched: Vec<DocId>,
    /// By the id column's ordinal.
    documents: Vec<Option<DocumentWords>>,
}

/// The documents matching `logic` over `words`, each word searched over the pages that
/// `filtered` lets through; best first.
pub(super) fn match_documents(
    searcher: &Searcher,
    words: &[Word],
    logic: &Logic,
    filtered: &dyn Fn(Box<dyn Query>) -> Box<dyn Query>,
) -> tantivy::Result<Vec<DocumentMatch>> {
    let sought_mask: u64 = words.iter().enumerate().filter(|(_, w)| w.sought).map(|(i, _)| 1 << i).sum();
    let mut segments = searcher
        .segment_readers()
        .iter()
        .map(|reader| {
            let ids = reader
                .fast_fields()
                .str("id")?
                .ok_or_else(|| tantivy::TantivyError::SchemaError("the index has no id column".into()))?;
            let documents = std::iter::repeat_with(|| None).take(ids.num_terms()).collect();
            Ok(SegmentWords {
                ids,
                pages: vec![PageWords::default(); reader.max_doc() as usize],
                touched: Vec::new(),
                documents,
            })
        })
        .collect::<tantivy::Result<Vec<_>>>()?;
    for (bit, word) in words.iter().enumerate() {
        let query = filtered(word.query.box_clone());
        for (segment, pages) in searcher.search(&*query, &ScoredPages { scored: word.sought })? {
            let SegmentWords { ids, pages: page_words, touched, documents } = &mut segments[segment as usize];
            for (doc, score) in pages {
                let Some(ord) = ids.ords().first(doc) else { continue };
                let page = &mut page_words[doc as usize];
                if page.mask == 0 {
                    touched.push(doc);
                }
                page.mask |= 1 << bit;
                let document = documents[ord as usize].get_or_insert_with(|| DocumentWords::new(words.len()));
                document.mask |= 1 << bit;
                if word.sought {
                    page.score += score;
                    document.best_of_word[bit] = document.best_of_word[bit].max(score);
                }
            }
        }
    }
    let mut documents: HashMap<Arc<str>, DocumentWords> = HashMap::new();
    for (segment, SegmentWords { ids, pages, touched, documents: mut by_ord }) in segments.into_iter().enumerate() {
        for doc in touched {
            let page = pages[doc as usize];
            let Some(document) = ids.ords().first(doc).and_then(|ord| by_ord[ord as usize].as_mut()) else { continue };
            let address = DocAddress::new(segment as SegmentOrdinal, doc);
            if logic.holds(page.mask) && document.best_whole.is_none_or(|(best, _)| page.score > best) {
                document.best_whole = Some((page.score, address));
            }
            let sought_here = (page.mask & sought_mask).count_ones();
            if document.best_page.is_none_or(|(words, score, _)| (sought_here, page.score) > (words, score)) {
                document.best_page = Some((sought_here, page.score, address));
            }
            document.pages += usize::from(sought_here > 0);
        }
        let ords: Vec<u64> = (0..by_ord.len() as u64).filter(|&ord| by_ord[ord as usize].is_some()).collect();
        let names = id_names(&ids, &ords);
        for (ord, name) in ords.into_iter().zip(names) {
            let words_of_document = by_ord[ord as usize].take().expect("ordinal with words");
            match documents.entry(name) {
                Entry::Occupied(mut known) => known.get_mut().merge(words_of_document),
                Entry::Vacant(new) => {
                    new.insert(words_of_document);
                }
            }
        }
    }
    let mut matches: Vec<DocumentMatch> = documents
        .into_iter()
        .filter(|(_, document)| logic.holds(document.mask))
        .filter_map(|(id, document)| {
            let spread_score: Score = document
                .best_of_word
                .iter()
                .enumerate()
                .filter(|(bit, _)| sought_mask & (1 << bit) != 0)
                .map(|(_, score)| score)
                .sum();
            let (_, _, best_page) = document.best_page?;
            Some(DocumentMatch {
                id,
                on_one_page: document.best_whole.is_some(),
                score: document.best_whole.map_or(spread_score, |(score, _)| score),
                pages: document.pages,
                best: document.best_whole.map_or(best_page, |(_, address)| address),
            })
        })
        .collect();
    matches.sort_by(|a, b| {
        b.on_one_page
            .cmp(&a.on_one_page)
            .then_with(|| b.score.total_cmp(&a.score))
            .then_with(|| natord::compare(&a.id, &b.id))
    });
    Ok(matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logic_over_a_mask_of_words() {
        // a b NOT c
        let logic = Logic::And(vec![Logic::Word(0), Logic::Word(1), Logic::Not(Box::new(Logic::Word(2)))]);
        assert!(logic.holds(0b011));
        assert!(!logic.holds(0b001));
        assert!(!logic.holds(0b111));
        // (a OR b) c
        let logic = Logic::And(vec![Logic::Or(vec![Logic::Word(0), Logic::Word(1)]), Logic::Word(2)]);
        assert!(logic.holds(0b110) && logic.holds(0b101) && !logic.holds(0b011));
        assert!(Logic::Word(63).holds(1 << 63));
    }
}
