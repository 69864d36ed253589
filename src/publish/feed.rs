//! `documents.json`: the published database for the library's website and e-catalogue to
//! import. Every document of the export is listed with its description and citation;
//! those whose text is published also with the address of their page, and of their PDF
//! where it is (absolute under the base URL when one is known, else relative to the site's
//! folder); a newspaper issue published with some of its pages only, with their numbers.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::Site;
use crate::export::{url, url_path, Described};
use crate::record::DocumentRecord;

#[derive(Serialize)]
struct Feed<'a> {
    library_kk: &'a str,
    library_ru: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    base_url: Option<&'a str>,
    /// The latest change of any document listed (not the time of the export: an unchanged
    /// archive gives an unchanged file).
    updated: Option<DateTime<Utc>>,
    collections: Vec<CollectionEntry<'a>>,
    documents: Vec<DocumentEntry<'a>>,
}

#[derive(Serialize)]
struct CollectionEntry<'a> {
    name: &'a str,
    url: String,
    documents: &'a [String],
}

#[derive(Serialize)]
struct DocumentEntry<'a> {
    #[serde(flatten)]
    described: Described<'a>,
    /// Whether the full text (of every page) is published.
    full_text: bool,
    /// The pages published, where only some of a newspaper issue's may be.
    #[serde(skip_serializing_if = "Option::is_none")]
    pages_published: Option<Vec<u32>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pdf: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pdf_sha256: Option<&'a str>,
    updated: DateTime<Utc>,
}

pub(crate) fn json(site: &Site, base_url: Option<&str>) -> Vec<u8> {
    let address = |path: &str| match base_url {
        Some(base) => url(base, path),
        None => url_path(path),
    };
    let documents = site
        .documents
        .iter()
        .map(|record: &DocumentRecord| {
            let shown = site.shown(&record.id);
            let full_text = !shown.pages.is_empty() && shown.pages.len() == record.pages_held();
            let some = !shown.pages.is_empty();
            // An article on an issue's pages has no PDF of its own; an issue has one only
            // where every page may be shown.
            let pdf = shown.whole;
            DocumentEntry {
                described: Described::of(record),
                full_text,
                pages_published: (some && !full_text).then_some(shown.pages),
                url: some.then(|| address(&Site::document_page(&record.id))),
                pdf: pdf.then(|| address(&record.pdf)),
                pdf_sha256: pdf.then_some(record.pdf_sha256.as_str()),
                updated: record.updated,
            }
        })
        .collect();
    let feed = Feed {
        library_kk: &site.library.name_kk,
        library_ru: &site.library.name_ru,
        base_url,
        updated: site.documents.iter().map(|r| r.updated).max(),
        collections: site
            .collections
            .iter()
            .map(|c| CollectionEntry { name: &c.name, url: address(&c.path), documents: &c.ids })
            .collect(),
        documents,
    };
    let mut bytes = serde_json::to_vec_pretty(&feed).expect("the feed serializes");
    bytes.push(b'\n');
    bytes
}
