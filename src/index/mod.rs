//! Full-text search over the archive: a tantivy index in `archive/index/`, one entry per
//! page, with analysis that understands Kazakh and Russian.
//!
//! | file | does |
//! |---|---|
//! | [`analysis`] | normalisation and folding, the per-language analyzers |
//! | [`kazakh`] | the Kazakh stemmer |
//! | [`mixed`] | words of one language in a paragraph of another |
//! | [`schema`] | the fields of a page entry |
//! | [`document`] | a record and its pages → page entries |
//! | [`query`] | the query language |
//! | [`compile`] | a parsed query and the filters as tantivy queries |
//! | [`grouping`] | a query decided document by document: each word somewhere in it |
//! | [`search`] | running a query: ranking, grouping by document, snippets |
//! | [`hits`] | a query's matches inside one document: its pages, the words on a page |
//! | [`facets`] | what the documents found have in common, for narrowing a search |
//! | [`reindex`] | the whole index made again |
//!
//! The index is kept by whoever changes the archive, through the writer that
//! [`crate::integrity::open_for_writing`] opens: ingest updates it after each document it
//! files, catalogue edits call [`refresh`], and `olke reindex` rebuilds it from the
//! catalogue. It is derived data: [`Updater::sync`] puts back any
//! document that a crash left out.
//!
//! tantivy allows one writer and any number of readers, in any processes: `olke search`
//! reads the last commit while an ingest writes the next one.

pub(crate) mod analysis;
mod compile;
pub(crate) mod document;
pub(crate) mod facets;
mod grouping;
pub(crate) mod hits;
pub(crate) mod kazakh;
mod mixed;
pub(crate) mod query;
mod reindex;
pub(crate) mod schema;
pub(crate) mod search;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use tantivy::indexer::UserOperation;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term};

use crate::archive::Archive;
use crate::catalog::{Catalog, CatalogError, Documents};
use crate::page::RecognizedPage;
use crate::record::DocumentRecord;
use analysis::{Analyzer, FoldingTokenizer, Lang};
use schema::{Fields, FOLDING_TOKENIZER, FORMAT};

pub use analysis::{analyze_text, AnalyzedWord};
pub use reindex::{reindex, ReindexReport};
pub use search::{Filters, Hit, SearchError, SearchRequest, SearchResults, Snippet, YearRange};

#[derive(Debug, thiserror::Error)]
pub enum IndexError {
    #[error("the archive at {0} has no search index yet; build it with `olke reindex`")]
    Missing(PathBuf),
    #[error("the search index at {0} was made by another version of olke; rebuild it with `olke reindex`")]
    Outdated(PathBuf),
    #[error("search index {path}: {source}")]
    Tantivy { path: PathBuf, source: tantivy::TantivyError },
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
}

type Result<T> = std::result::Result<T, IndexError>;

/// Memory for the indexing threads: tantivy flushes a segment when it is used up.
const WRITER_MEMORY_PER_THREAD: usize = 128 << 20;

fn tantivy_err(path: &Path) -> impl Fn(tantivy::TantivyError) -> IndexError + '_ {
    move |source| IndexError::Tantivy { path: path.to_path_buf(), source }
}

fn register_analyzers(index: &Index) {
    for lang in Lang::ALL {
        index.tokenizers().register(lang.tokenizer_name(), TextAnalyzer::from(Analyzer::new(lang)));
    }
    index.tokenizers().register(FOLDING_TOKENIZER, TextAnalyzer::from(FoldingTokenizer));
}

/// Opens the index at `path` if it is there and of this olke's format.
fn open_current(path: &Path, fields: &Fields) -> Result<Index> {
    if !path.join("meta.json").is_file() {
        return Err(IndexError::Missing(path.to_path_buf()));
    }
    let index = Index::open_in_dir(path).map_err(tantivy_err(path))?;
    let payload = index.load_metas().map_err(tantivy_err(path))?.payload;
    if !fields.matches(&index.schema()) || payload.as_deref() != Some(FORMAT) {
        return Err(IndexError::Outdated(path.to_path_buf()));
    }
    register_analyzers(&index);
    Ok(index)
}

/// The index, open for searching.
pub struct SearchIndex {
    reader: IndexReader,
    fields: Fields,
}

impl SearchIndex {
    /// Opens the archive's index for reading; another process may be writing it.
    pub fn open(archive: &Archive) -> Result<SearchIndex> {
        let path = archive.index_dir();
        let fields = Fields::new();
        let index = open_current(&path, &fields)?;
        let reader =
            index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into().map_err(tantivy_err(&path))?;
        Ok(SearchIndex { reader, fields })
    }

    /// Opens the archive's index for reading, first rebuilding it (under the writer lock)
    /// when an olke that analysed text differently made it: its terms would not meet this
    /// olke's queries, and searching it would miss what it should find.
    pub fn open_rebuilding(archive: &Archive) -> Result<SearchIndex> {
        match SearchIndex::open(archive) {
            Err(IndexError::Outdated(path)) => {
                tracing::warn!("the search index at {} is of another format; rebuilding it", path.display());
                reindex(archive, std::thread::available_parallelism().map_or(1, usize::from))?;
                SearchIndex::open(archive)
            }
            opened => opened,
        }
    }

    /// Sees the latest commit (a long-running reader, such as a web server, calls this).
    pub fn reload(&self) -> Result<()> {
        self.reader.reload().map_err(|source| IndexError::Tantivy { path: PathBuf::new(), source })
    }

    /// Tells one state of the index from another: changes whenever a commit adds or
    /// deletes pages (an ingest, an edit, a reindex) and the reader has been reloaded.
    pub fn fingerprint(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        for segment in self.reader.searcher().segment_readers() {
            segment.segment_id().hash(&mut hasher);
            segment.num_deleted_docs().hash(&mut hasher);
        }
        hasher.finish()
    }

    /// Pages in the index.
    pub fn pages(&self) -> u64 {
        self.reader.searcher().num_docs()
    }
}

/// Ids of the documents in the index, with their record version (`updated`, in
/// microseconds) and the number of their pages indexed.
fn indexed_versions(index: &Index) -> tantivy::Result<HashMap<String, (i64, usize)>> {
    let reader: IndexReader = index.reader_builder().reload_policy(ReloadPolicy::Manual).try_into()?;
    let searcher = reader.searcher();
    let mut versions = HashMap::new();
    for segment in searcher.segment_readers() {
        let Some(ids) = segment.fast_fields().str("id")? else { continue };
        let updated = segment.fast_fields().i64("updated")?;
        let mut version_of: Vec<Option<(i64, usize)>> = vec![None; ids.num_terms()];
        for doc in segment.doc_ids_alive() {
            if let (Some(ord), Some(version)) = (ids.ords().first(doc), updated.first(doc)) {
                let entry = version_of[ord as usize].get_or_insert((version, 0));
                entry.1 += 1;
            }
        }
        // The ids in one pass over the dictionary, in ordinal order; a document's pages
        // may lie in several segments.
        let mut terms = ids.dictionary().stream()?;
        while terms.advance() {
            if let Some(Some((version, pages))) = version_of.get(terms.term_ord() as usize) {
                let entry = versions.entry(String::from_utf8_lossy(terms.key()).into_owned()).or_insert((*version, 0));
                entry.1 += pages;
            }
        }
    }
    Ok(versions)
}

/// A document's pages from `source` (a hosted article's: its zones, read from its host's
/// pages); a page missing there is indexed as empty, so the page numbers of the rest stay
/// right.
fn pages_of(source: &dyn Documents, record: &DocumentRecord) -> Result<Vec<RecognizedPage>> {
    if let Some(host) = &record.host {
        return crate::record::article::zone_pages(record, |number| Ok(source.page(host, number)?));
    }
    (1..=record.pages.len() as u32)
        .map(|number| {
            Ok(source.page(&record.id, number)?.unwrap_or_else(|| {
                tracing::warn!("{}: page {number} is missing from the archive; indexed without text", record.id);
                RecognizedPage::empty()
            }))
        })
        .collect()
}

/// What [`Updater::sync`] changed.
#[derive(Clone, Debug, Default)]
pub struct SyncReport {
    /// Documents (re)indexed: missing from the index, or changed since.
    pub indexed: Vec<String>,
    /// Documents no longer in the archive, taken out of the index.
    pub removed: Vec<String>,
}

/// The index, open for writing. Only one can exist at a time: callers hold the archive's
/// writer lock ([`Archive::lock`]), and tantivy's own lock guards the rest.
pub struct Updater {
    index: Index,
    writer: IndexWriter,
    fields: Fields,
    path: PathBuf,
    /// The index was made anew (it was missing, unreadable or of another format).
    pub created: bool,
}

impl Updater {
    /// Opens the archive's index for writing with `threads` indexing threads, making a new
    /// one when it is missing, unreadable or of another format.
    pub fn open(archive: &Archive, threads: usize) -> Result<Updater> {
        let path = archive.index_dir();
        let fields = Fields::new();
        let (index, created) = match open_current(&path, &fields) {
            Ok(index) => (index, false),
            Err(IndexError::Missing(_)) => (Self::create(&path, &fields)?, true),
            Err(e) => {
                tracing::warn!("{e}; making a new index");
                std::fs::remove_dir_all(&path)
                    .map_err(|source| IndexError::Io(crate::path_error::PathError { path: path.clone(), source }))?;
                (Self::create(&path, &fields)?, true)
            }
        };
        let threads = threads.max(1);
        let writer =
            index.writer_with_num_threads(threads, threads * WRITER_MEMORY_PER_THREAD).map_err(tantivy_err(&path))?;
        let mut updater = Updater { index, writer, fields, path, created };
        if created {
            // Commit the empty index, so readers find it in this olke's format.
            updater.commit()?;
        }
        Ok(updater)
    }

    fn create(path: &Path, fields: &Fields) -> Result<Index> {
        std::fs::create_dir_all(path)
            .map_err(|source| IndexError::Io(crate::path_error::PathError { path: path.to_path_buf(), source }))?;
        let index = Index::create_in_dir(path, fields.schema.clone()).map_err(tantivy_err(path))?;
        register_analyzers(&index);
        Ok(index)
    }

    fn id_term(&self, id: &str) -> Term {
        Term::from_field_text(self.fields.id, id)
    }

    fn entries(&self, record: &DocumentRecord, pages: &[RecognizedPage]) -> Vec<UserOperation<TantivyDocument>> {
        document::page_entries(&self.fields, record, pages).into_iter().map(UserOperation::Add).collect()
    }

    /// Replaces a document's pages in the index; seen by searches after [`Updater::commit`].
    pub fn update(&mut self, record: &DocumentRecord, pages: &[RecognizedPage]) -> Result<()> {
        let mut operations = vec![UserOperation::Delete(self.id_term(&record.id))];
        operations.extend(self.entries(record, pages));
        // One group: the old pages go and the new come in the same commit.
        self.writer.run(operations).map_err(tantivy_err(&self.path))?;
        Ok(())
    }

    /// Takes a document out of the index (committed with the next [`Updater::commit`]).
    pub fn remove(&mut self, id: &str) {
        self.writer.delete_term(self.id_term(id));
    }

    /// Makes the changes durable and visible to searches.
    pub fn commit(&mut self) -> Result<()> {
        let mut commit = self.writer.prepare_commit().map_err(tantivy_err(&self.path))?;
        commit.set_payload(FORMAT);
        commit.commit().map_err(tantivy_err(&self.path))?;
        Ok(())
    }

    /// Indexes `records` (with their pages from `source`) in parallel, without committing.
    fn add_all(&self, source: &dyn Documents, records: &[DocumentRecord]) -> Result<()> {
        records.par_iter().try_for_each(|record| {
            let pages = pages_of(source, record)?;
            for entry in document::page_entries(&self.fields, record, &pages) {
                self.writer.add_document(entry).map_err(tantivy_err(&self.path))?;
            }
            Ok(())
        })
    }

    /// Brings the index in line with `source`: documents missing or changed since they
    /// were indexed are indexed again, documents gone are removed. Commits if anything
    /// changed. This is how a document left out by a crash comes back.
    pub fn sync(&mut self, source: &dyn Documents) -> Result<SyncReport> {
        let indexed = indexed_versions(&self.index).map_err(tantivy_err(&self.path))?;
        let records = source.documents()?;
        let stale: Vec<DocumentRecord> = records
            .iter()
            .filter(|r| indexed.get(&r.id).map(|v| v.0) != Some(r.updated.timestamp_micros()))
            .cloned()
            .collect();
        let present: HashSet<&str> = records.iter().map(|r| r.id.as_str()).collect();
        let mut report = SyncReport::default();
        for id in indexed.keys().filter(|id| !present.contains(id.as_str())) {
            self.remove(id);
            report.removed.push(id.clone());
        }
        for record in &stale {
            self.writer.delete_term(self.id_term(&record.id));
        }
        self.add_all(source, &stale)?;
        report.indexed = stale.into_iter().map(|r| r.id).collect();
        if !report.indexed.is_empty() || !report.removed.is_empty() {
            self.commit()?;
        }
        Ok(report)
    }

    /// Rebuilds the index from `source`, in one commit: searches see the old index until
    /// the new one is complete. Returns the documents and pages indexed.
    pub fn rebuild(&mut self, source: &dyn Documents) -> Result<(usize, u64)> {
        let records = source.documents()?;
        self.writer.delete_all_documents().map_err(tantivy_err(&self.path))?;
        self.add_all(source, &records)?;
        self.commit()?;
        Ok((records.len(), records.iter().map(|r| r.pages.len() as u64).sum()))
    }

    /// Waits for background merges, so the index is left in few segments.
    pub fn finish(self) -> Result<()> {
        let path = self.path;
        self.writer.wait_merging_threads().map_err(tantivy_err(&path))
    }
}

/// Re-indexes documents whose records changed (a catalogue edit), reading them from
/// `catalog`, and commits. The articles on a changed issue follow it: their text is read
/// from its pages.
pub fn refresh(updater: &mut Updater, catalog: &Catalog, ids: &[String]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let mut issues = Vec::new();
    for id in ids {
        if catalog.get(id)?.is_some_and(|r| r.bib.kind == Some(crate::record::DocumentType::NewspaperIssue)) {
            issues.push(id);
        }
    }
    let articles: Vec<String> = if issues.is_empty() {
        Vec::new()
    } else {
        let documents = catalog.documents()?.into_iter();
        documents.filter(|d| d.host.as_ref().is_some_and(|host| issues.contains(&host))).map(|d| d.id).collect()
    };
    for id in ids.iter().chain(&articles) {
        match catalog.get(id)? {
            Some(record) => updater.update(&record, &pages_of(catalog, &record)?)?,
            None => updater.remove(id),
        }
    }
    updater.commit()
}

/// The index is one more store derived from the files: `olke verify` and `olke restore`
/// check it and bring it back in line as they do the catalogue.
impl crate::archive::store::DerivedStore for Updater {
    fn name(&self) -> &'static str {
        "search index"
    }

    fn held(
        &self,
    ) -> std::result::Result<
        std::collections::BTreeMap<String, crate::archive::store::Held>,
        crate::archive::store::StoreError,
    > {
        let indexed = indexed_versions(&self.index).map_err(tantivy_err(&self.path))?;
        Ok(indexed
            .into_iter()
            .map(|(id, (updated_micros, pages))| {
                (id, crate::archive::store::Held { updated_micros, pages, record_sha256: None })
            })
            .collect())
    }

    fn put(
        &mut self,
        record: &DocumentRecord,
        pages: &[RecognizedPage],
    ) -> std::result::Result<(), crate::archive::store::StoreError> {
        Ok(self.update(record, pages)?)
    }

    fn remove(&mut self, id: &str) -> std::result::Result<(), crate::archive::store::StoreError> {
        Updater::remove(self, id);
        Ok(())
    }

    fn commit(&mut self) -> std::result::Result<(), crate::archive::store::StoreError> {
        Ok(Updater::commit(self)?)
    }
}
