//! The website's full-text database as a static site (`olke publish`): an index page, a
//! page per collection, a page per document whose rights allow full publication (its
//! citation, description, full text, and its PDF copied beside it), and `documents.json`
//! for the library's website and e-catalogue to import. Documents in copyright appear
//! only as their citation, with neither text nor PDF. A newspaper issue is published with
//! the pages that may be shown ([`DocumentRecord::page_shown`]: every article on them may
//! be), their text and images, and its PDF only when every page may be.
//!
//! Whether a page may be shown is decided over the whole archive, whatever collection is
//! published: an article outside it still keeps its page.
//!
//! ```text
//! index.html  style.css  documents.json
//! collections/<name>.html
//! documents/<id>/index.html  documents/<id>/<id>.pdf
//! iiif/3/<id>/manifest.json  iiif/3/<id>~<n>/…   (with --base-url)
//! ```
//!
//! The PDF is where the archive has it (`documents/<id>/<id>.pdf`), so the links
//! `olke export --base-url` writes lead to the published copies. With the site's address
//! (`--base-url`), the works published are also IIIF, as files ([`iiif`]). Publishing
//! again rewrites only what changed ([`sync`]). [`html`] makes the pages, [`feed`] the JSON.

pub(crate) mod feed;
pub(crate) mod html;
mod iiif;
pub(crate) mod sync;

use std::path::{Path, PathBuf};

use serde::Serialize;

use self::html::PageText;
use self::sync::{Changes, Sync, SyncError};
use crate::archive::{sanitize_id, Archive};
use crate::catalog::{CatalogError, Documents, Reader};
use crate::config::Library;
use crate::record::{article, collections, DocumentRecord};

#[derive(Debug, thiserror::Error)]
pub(crate) enum PublishError {
    #[error("no collection '{name}'; the collections are: {}", if known.is_empty() { "none yet".to_string() } else { known.join(", ") })]
    UnknownCollection { name: String, known: Vec<String> },
    #[error("page {page} of {id} is missing from the archive")]
    MissingPage { id: String, page: u32 },
    #[error("page {page} of {id} has no image olke can read (its PDF page is not one image)")]
    UnreadableImage { id: String, page: u32 },
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Sync(#[from] SyncError),
}

/// A collection and its page on the site.
#[derive(Clone, Debug)]
pub(crate) struct SiteCollection {
    pub name: String,
    /// `collections/<file>.html`.
    pub path: String,
    pub ids: Vec<String>,
}

/// What of a document is published.
#[derive(Clone, Debug, Default)]
pub(crate) struct Shown {
    /// The pages it holds that may be shown ([`DocumentRecord::pages_shown`]); none, its
    /// citation only.
    pub pages: Vec<u32>,
    /// Whether its PDF is ([`DocumentRecord::whole_shown`]).
    pub whole: bool,
}

/// What the pages are made from.
pub(crate) struct Site<'a> {
    pub library: &'a Library,
    pub documents: &'a [DocumentRecord],
    pub collections: Vec<SiteCollection>,
    shown: std::collections::HashMap<String, Shown>,
}

impl<'a> Site<'a> {
    /// The site of `documents`; what of them may be shown is decided among `archive`, all
    /// the archive's documents.
    pub(crate) fn new(library: &'a Library, documents: &'a [DocumentRecord], archive: &[DocumentRecord]) -> Site<'a> {
        let shown = documents
            .iter()
            .map(|d| (d.id.clone(), Shown { pages: d.pages_shown(archive), whole: d.whole_shown(archive) }))
            .collect();
        let mut taken: Vec<String> = Vec::new();
        let collections = collections(documents)
            .into_iter()
            .map(|summary| {
                // File names from the collection's name (Kazakh letters kept); two names
                // that come out the same are told apart by a number.
                let base = sanitize_id(&summary.name);
                let mut file = base.clone();
                let mut n = 2;
                while taken.contains(&file.to_lowercase()) {
                    file = format!("{base}-{n}");
                    n += 1;
                }
                taken.push(file.to_lowercase());
                SiteCollection { name: summary.name, path: format!("collections/{file}.html"), ids: summary.ids }
            })
            .collect();
        Site { library, documents, collections, shown }
    }

    /// What of document `id` (one of the site's) is published.
    pub(crate) fn shown(&self, id: &str) -> Shown {
        self.shown.get(id).cloned().unwrap_or_default()
    }

    /// A document's page, relative to the site's folder.
    pub(crate) fn document_page(id: &str) -> String {
        format!("documents/{id}/index.html")
    }
}

/// What to publish.
#[derive(Clone, Debug, Default)]
pub(crate) struct PublishOptions {
    /// Only the documents of this collection.
    pub collection: Option<String>,
    /// Where the site will be served, for absolute links in `documents.json`.
    pub base_url: Option<String>,
}

/// What publishing did.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Published {
    pub out: PathBuf,
    /// Documents published with their full text and PDF.
    pub full_text: usize,
    /// Documents listed by their citation only.
    pub citation_only: usize,
    pub collections: usize,
    /// Pages published through static IIIF (none without a base URL).
    pub iiif_pages: usize,
    /// Works published without IIIF, and why.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub iiif_skipped: Vec<String>,
    #[serde(flatten)]
    pub changes: Changes,
}

/// Writes (or brings up to date) the site of `archive` in `out`.
pub(crate) fn publish(
    archive: &Archive,
    reader: &Reader,
    library: &Library,
    out: &Path,
    options: &PublishOptions,
) -> Result<Published, PublishError> {
    let archived = reader.documents()?;
    let mut documents = archived.clone();
    if let Some(name) = &options.collection {
        if !documents.iter().any(|d| d.bib.collections.contains(name)) {
            return Err(PublishError::UnknownCollection {
                name: name.clone(),
                known: collections(&documents).into_iter().map(|c| c.name).collect(),
            });
        }
        documents.retain(|d| d.bib.collections.contains(name));
    }
    let site = Site::new(library, &documents, &archived);
    let mut sync = Sync::open(out)?;
    sync.put("style.css", html::STYLE.as_bytes())?;
    sync.put("index.html", html::index(&site).as_bytes())?;
    for collection in &site.collections {
        sync.put(&collection.path, html::collection(&site, collection).as_bytes())?;
    }
    let (mut full_text, mut iiif_pages, mut iiif_skipped) = (0, 0, Vec::new());
    for record in &documents {
        let shown = site.shown(&record.id);
        if shown.pages.is_empty() {
            continue;
        }
        let first = record.bib.first_page_number.unwrap_or(1);
        // An article on an issue's pages: the catalogue holds a page per zone, its words,
        // numbered here by the issue's page the zone is on.
        let numbers: Vec<u32> = if record.is_hosted() {
            record.zones.iter().map(|zone| zone.page).collect()
        } else {
            (first..first + record.pages.len() as u32).collect()
        };
        // What an overlapping article that may not be shown has in the zones stays out.
        let withheld = article::withheld_zones(record, &archived);
        let pages = (1..)
            .zip(numbers)
            .filter(|(n, _)| shown.pages.contains(n))
            .map(|(n, number)| {
                let page = reader
                    .page(&record.id, n)?
                    .ok_or_else(|| PublishError::MissingPage { id: record.id.clone(), page: n })?;
                Ok(PageText { number, text: article::outside_withheld(&page, number, &withheld).text() })
            })
            .collect::<Result<Vec<_>, PublishError>>()?;
        sync.put(&Site::document_page(&record.id), html::document(&site, record, &pages).as_bytes())?;
        full_text += 1;
        if record.is_hosted() {
            // No PDF and no page images of its own: its issue's pages are not shown whole.
            continue;
        }
        if shown.whole {
            sync.copy(&record.pdf, &archive.root().join(&record.pdf), &record.pdf_sha256)?;
        }
        if let Some(base) = &options.base_url {
            match iiif::write_work(&mut sync, archive, reader, library, base, record, &shown.pages) {
                Ok(pages) => iiif_pages += pages,
                Err(e @ PublishError::UnreadableImage { .. }) => {
                    tracing::warn!("IIIF: {e}");
                    iiif_skipped.push(e.to_string());
                }
                Err(e) => return Err(e),
            }
        }
    }
    sync.put("documents.json", &feed::json(&site, options.base_url.as_deref()))?;
    let changes = sync.finish()?;
    Ok(Published {
        out: out.to_path_buf(),
        full_text,
        citation_only: documents.len() - full_text,
        collections: site.collections.len(),
        iiif_pages,
        iiif_skipped,
        changes,
    })
}
