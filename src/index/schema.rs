//! The index schema: one tantivy document per page, carrying its document's fields.
//!
//! Pages are what a hit points at; the document's title, authors and bibliographic
//! fields are repeated on each page so that filters and the title and author boosts
//! apply page by page. Text is indexed once per language, each with its own analyzer:
//! a Kazakh paragraph goes into `body_kaz`, a Russian one into `body_rus`.

use tantivy::schema::{
    Field, IndexRecordOption, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STORED, STRING,
};

use super::analysis::Lang;

/// Written with every commit and checked on opening: an index made by an olke that
/// analysed text differently is rebuilt rather than searched with mismatched terms.
pub(crate) const FORMAT: &str = "olke-index 3";

/// The name the folding tokenizer (no stemming) is registered under.
pub(crate) const FOLDING_TOKENIZER: &str = "olke_fold";

/// The text fields of one language.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LangFields {
    pub lang: Lang,
    pub body: Field,
    pub title: Field,
    pub authors: Field,
}

/// Every field of the schema.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    pub schema: Schema,
    /// Document id: raw, for deleting a document's pages and grouping hits by document.
    pub id: Field,
    /// Page number, from 1.
    pub page: Field,
    /// When the document's record was last changed (microseconds): tells a stale entry.
    pub updated: Field,
    /// The page text as indexed (normalised), kept for snippets.
    pub text: Field,
    /// What a hit shows as the document's name.
    pub citation: Field,
    pub langs: Vec<LangFields>,
    pub collection: Field,
    pub kind: Field,
    pub source: Field,
    pub year: Field,
    /// Languages of the page (ISO 639-2).
    pub page_lang: Field,
}

fn analyzed(tokenizer: &str, stored: bool) -> TextOptions {
    let options = TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(tokenizer)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    );
    if stored {
        options.set_stored()
    } else {
        options
    }
}

impl Fields {
    pub(crate) fn new() -> Fields {
        let mut builder = Schema::builder();
        let id = builder.add_text_field("id", STRING | STORED | FAST);
        let page = builder.add_u64_field("page", STORED | FAST);
        let updated = builder.add_i64_field("updated", FAST);
        let text = builder.add_text_field("text", STORED);
        let citation = builder.add_text_field("citation", STORED);
        let langs = Lang::ALL
            .iter()
            .map(|&lang| {
                let name = lang.code();
                let tokenizer = lang.tokenizer_name();
                LangFields {
                    lang,
                    body: builder.add_text_field(&format!("body_{name}"), analyzed(tokenizer, false)),
                    title: builder.add_text_field(&format!("title_{name}"), analyzed(tokenizer, false)),
                    authors: builder.add_text_field(&format!("authors_{name}"), analyzed(tokenizer, false)),
                }
            })
            .collect();
        let collection = builder.add_text_field("collection", STRING | STORED);
        let kind = builder.add_text_field("type", STRING | STORED);
        let source = builder.add_text_field("source", analyzed(FOLDING_TOKENIZER, true));
        let year = builder.add_i64_field("year", NumericOptions::default() | INDEXED | STORED | FAST);
        let page_lang = builder.add_text_field("lang", STRING | STORED);
        Fields {
            schema: builder.build(),
            id,
            page,
            updated,
            text,
            citation,
            langs,
            collection,
            kind,
            source,
            year,
            page_lang,
        }
    }

    pub(crate) fn lang(&self, lang: Lang) -> &LangFields {
        self.langs.iter().find(|f| f.lang == lang).expect("every language has fields")
    }

    /// Finds the fields in an existing index's schema; `None` when it is another layout.
    pub(crate) fn matches(&self, schema: &Schema) -> bool {
        let ours: Vec<_> = self.schema.fields().map(|(_, entry)| entry).collect();
        let theirs: Vec<_> = schema.fields().map(|(_, entry)| entry).collect();
        ours == theirs
    }
}

impl Default for Fields {
    fn default() -> Self {
        Fields::new()
    }
}
