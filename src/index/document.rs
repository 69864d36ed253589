//! From an archived document (record and recognized pages) to the index's page entries.

use tantivy::TantivyDocument;

use super::analysis::{borrowed_words, fold_word, normalize_text, paragraphs, Analyzer, Lang};
use super::schema::Fields;
use crate::page::RecognizedPage;
use crate::record::{DocumentRecord, DocumentType};

/// What a search result shows for a document: its GOST citation (the id when untitled).
pub(crate) fn display_name(record: &DocumentRecord) -> String {
    if record.bib.title.trim().is_empty() {
        record.id.clone()
    } else {
        record.citation()
    }
}

/// The year a document belongs to: its stated year, else the year of its date.
pub(crate) fn year_of(record: &DocumentRecord) -> Option<i64> {
    if let Some(year) = record.bib.year {
        return Some(year.into());
    }
    let date = record.bib.date.as_deref()?;
    date.get(..4).filter(|y| y.chars().all(|c| c.is_ascii_digit())).and_then(|y| y.parse().ok())
}

/// A document type as the index and `--type` spell it (`newspaper_article`, `book`, …).
pub(crate) fn type_name(kind: DocumentType) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .expect("document types serialize as strings")
}

/// A collection name as the index keeps it: folded, so `--collection` ignores case.
pub(crate) fn collection_key(name: &str) -> String {
    let mut out = String::new();
    let normalized = normalize_text(name.trim());
    for (i, (_, word)) in Analyzer::words(&normalized).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let mut folded = String::new();
        fold_word(word, Lang::Kazakh, &mut folded);
        out.push_str(&folded);
    }
    out
}

fn languages(codes: &[String]) -> Vec<Lang> {
    let mut langs: Vec<Lang> = Vec::new();
    for lang in codes.iter().filter_map(|c| Lang::from_code(c)) {
        if !langs.contains(&lang) {
            langs.push(lang);
        }
    }
    langs
}

/// The document's main language: the detected one, else the one described, else Kazakh
/// (the library's own language).
fn document_language(record: &DocumentRecord) -> Lang {
    languages(&record.languages).into_iter().chain(languages(&record.bib.language)).next().unwrap_or(Lang::Kazakh)
}

/// The page's main language: as detected at ingest, else detected now, else the document's.
fn page_language(record: &DocumentRecord, number: usize, text: &str) -> Lang {
    let detected = record.pages.get(number).map(|p| languages(&p.languages)).unwrap_or_default();
    detected.first().copied().or_else(|| Lang::detect(text)).unwrap_or_else(|| document_language(record))
}

/// The index entries of a document, one per page.
pub(crate) fn page_entries(fields: &Fields, record: &DocumentRecord, pages: &[RecognizedPage]) -> Vec<TantivyDocument> {
    let document_lang = document_language(record);
    let title_lang = Lang::detect(&record.bib.title).unwrap_or(document_lang);
    let citation = display_name(record);
    let year = year_of(record);
    let kind = record.bib.kind.map(type_name);
    let collections: Vec<String> = record.bib.collections.iter().map(|c| collection_key(c)).collect();
    let updated = record.updated.timestamp_micros();
    pages
        .iter()
        .enumerate()
        .map(|(i, page)| {
            let text = normalize_text(&page.text());
            let main = page_language(record, i, &text);
            let mut doc = TantivyDocument::default();
            doc.add_text(fields.id, &record.id);
            // A hosted article's pages are its zones, each on a page of its host.
            let number = record.zones.get(i).map_or(i as u32 + 1, |zone| zone.page);
            doc.add_u64(fields.page, number.into());
            doc.add_i64(fields.updated, updated);
            doc.add_text(fields.citation, &citation);
            // Each paragraph is analysed in its own language: a Russian article on a
            // Kazakh newspaper page is stemmed as Russian; and the words of another
            // language inside a paragraph in theirs as well.
            let mut page_langs = vec![main];
            for (_, paragraph, lang) in paragraphs(&text, main) {
                if !page_langs.contains(&lang) {
                    page_langs.push(lang);
                }
                doc.add_text(fields.lang(lang).body, paragraph);
                // A Russian title in a Kazakh list is found by its Russian forms too.
                for (other, words) in borrowed_words(paragraph, lang) {
                    doc.add_pre_tokenized_text(fields.lang(other).body, words);
                }
            }
            for lang in &page_langs {
                doc.add_text(fields.page_lang, lang.code());
            }
            doc.add_text(fields.lang(title_lang).title, &record.bib.title);
            for author in &record.bib.authors {
                doc.add_text(fields.lang(document_lang).authors, author);
            }
            for collection in &collections {
                doc.add_text(fields.collection, collection);
            }
            if let Some(kind) = &kind {
                doc.add_text(fields.kind, kind);
            }
            if let Some(source) = &record.bib.source {
                doc.add_text(fields.source, source);
            }
            if let Some(year) = year {
                doc.add_i64(fields.year, year);
            }
            doc.add_text(fields.text, &text);
            doc
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collection_keys_ignore_case_and_spacing() {
        assert_eq!(collection_key("  Өлкетану   Тарихы "), "өлкетану тарихы");
        assert_eq!(collection_key("ӨЛКЕТАНУ тарихы"), collection_key("өлкетану Тарихы"));
    }

    #[test]
    fn document_types_are_spelled_as_in_records() {
        assert_eq!(type_name(DocumentType::NewspaperArticle), "newspaper_article");
        assert_eq!(type_name(DocumentType::Book), "book");
    }
}
