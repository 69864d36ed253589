//! Filing: a finished package into the archive (staged, then committed by its record;
//! see [`crate::archive::staging`]), the catalogue and the search index, as the archive's
//! one writer.
//!
//! A package is settled against the archive as ingest settles a document before it is
//! recognized: scans already archived are skipped (so filing the same packages twice
//! files them once), a changed version of an archived document takes its id, and a new
//! document keeps the id recognition gave it unless the archive has it already.

use std::collections::HashSet;
use std::io;
use std::path::Path;
use std::time::{Duration, Instant};

use chrono::Utc;
use rayon::prelude::*;

use super::hosted::{self, HostedArticle, ZONES};
use super::package::Package;
use super::plan::{self, Archived};
use super::{DocumentReport, IngestError, IngestReport, Outcome, Progress, ReviewPage};
use crate::archive::staging::Staged;
use crate::archive::{sanitize_id, write_atomic, Archive};
use crate::integrity::Writer;
use crate::page::RecognizedPage;
use crate::pdf::update::rewrite_metadata;
use crate::pdf::Metadata;
use crate::record::article::{listing, zone_pages, ArticleZone, Hosted};
use crate::record::table::{Problem, ID};
use crate::record::{DocumentRecord, SCHEMA_VERSION};

/// An article of a manifest placed on its issue, to be filed.
struct Placed<'a> {
    article: &'a HostedArticle,
    id: String,
    zones: Vec<ArticleZone>,
}

/// How the issue lists the `placed` articles.
fn listed(placed: &[Placed]) -> Vec<Hosted> {
    placed.iter().map(|p| Hosted::on(&p.id, &p.zones)).collect()
}

/// Files packages, one at a time, keeping what it did for the report.
pub(super) struct Filer<'a> {
    archive: &'a Archive,
    writer: &'a mut Writer,
    /// Ids filed by this run (a second part of a split document does not take the first's).
    filed: HashSet<String>,
    documents: Vec<DocumentReport>,
    review: Vec<ReviewPage>,
    manifest_problems: Vec<Problem>,
    /// Documents filed since the catalogue was flushed and the index committed, and when
    /// that was.
    unsaved: bool,
    last_saved: Instant,
}

/// How often the catalogue is flushed and the search index committed while documents are
/// filed. Each costs a sync to disk, tens of milliseconds: per document it was most of
/// filing's cost. A crash loses nothing by it: the documents' files are committed one by
/// one, and the next writer takes those the catalogue lacks back in from them and puts
/// those the index lacks back into it (see [`crate::integrity::open_for_writing`]).
const SAVE_EVERY: Duration = Duration::from_secs(1);

impl<'a> Filer<'a> {
    pub(super) fn new(archive: &'a Archive, writer: &'a mut Writer) -> Filer<'a> {
        Filer {
            archive,
            writer,
            filed: HashSet::new(),
            documents: Vec::new(),
            review: Vec::new(),
            manifest_problems: Vec::new(),
            unsaved: false,
            last_saved: Instant::now(),
        }
    }

    /// Files `package` into the archive, unless its scans are archived already.
    pub(super) fn file(&mut self, package: &Package, progress: &dyn Progress) -> Result<(), IngestError> {
        let Some((id, outcome)) = self.settle(package, progress)? else { return Ok(()) };
        let recognized = &package.manifest.record;
        let now = Utc::now();
        let previous = self.writer.catalog.get(&id)?;
        let (bib, history) = match &previous {
            // A rescan without a manifest keeps the description it had, edits and all.
            Some(old) if package.manifest.described.is_none() => (old.bib.clone(), old.history.clone()),
            // A manifest's description replaces it; what changes goes into the history.
            Some(old) => {
                (package.bib().clone(), [old.history.clone(), package.bib().changes_from(&old.bib, now)].concat())
            }
            None => (package.bib().clone(), Vec::new()),
        };
        // The languages the record states, else those found in the text.
        let languages =
            if bib.language.is_empty() { package.manifest.text_languages.clone() } else { bib.language.clone() };
        let mut record = DocumentRecord {
            id: id.clone(),
            bib,
            history,
            languages,
            pdf: Archive::pdf_relative(&id),
            created: previous.as_ref().map_or(recognized.created, |p| p.created),
            updated: now,
            ..recognized.clone()
        };
        let staged = Staged::begin(self.archive, &id)?;
        let (source, target) = (package.pdf_path(), staged.pdf_path());
        let metadata = Metadata::of(&record);
        if metadata == Metadata::of(recognized) {
            link_or_copy(&source, &target)
                .map_err(|source| IngestError::Io(crate::path_error::PathError { path: target, source }))?;
        } else {
            // Filing chose another id or description than recognition wrote into the PDF.
            let written = rewrite_metadata(&source, &target, &metadata)?;
            record.pdf_sha256 = written.sha256;
            record.pdf_bytes = written.bytes;
        }
        let pages = package.pages()?;
        // Each page file is synced to disk; syncs issued together are committed together,
        // where one after the other each waits for the disk (most of filing's cost).
        pages.par_iter().enumerate().try_for_each(|(i, (json, _))| staged.write_page(i as u32 + 1, json))?;
        let pages: Vec<_> = pages.into_iter().map(|(_, page)| page).collect();
        if let Some(old) = &previous {
            self.keep_previous_version(old).map_err(|source| {
                IngestError::Io(crate::path_error::PathError { path: self.archive.document_dir(&id), source })
            })?;
        }
        // The issue lists its articles from its first commit, before their own records
        // exist: until each is filed its pages are not shown whole.
        let placed = self.place_articles(&record, &package.manifest.articles, progress)?;
        record.articles = listing(previous.as_ref().map_or(&[], |p| &p.articles[..]), &listed(&placed));
        staged.commit(&record)?;
        self.writer.catalog.put(&record, &pages)?;
        self.writer.index.update(&record, &pages)?;
        self.unsaved = true;
        if self.last_saved.elapsed() >= SAVE_EVERY {
            self.save()?;
        }
        self.filed.insert(id.clone());
        self.review.extend(package.manifest.review.iter().map(|r| ReviewPage { id: id.clone(), ..r.clone() }));
        self.documents.push(DocumentReport::of(&record, outcome));
        self.write_articles(&record, &pages, placed)
    }

    /// Files `articles` on the pages of issue `host`, archived before.
    pub(super) fn file_articles_on_archived(
        &mut self,
        host: &str,
        articles: &[HostedArticle],
        progress: &dyn Progress,
    ) -> Result<(), IngestError> {
        let catalog = &self.writer.catalog;
        let Some(mut record) = catalog.get(host)? else { return Ok(()) };
        let pages = (1..=record.pages.len() as u32)
            .filter_map(|n| catalog.page(host, n).transpose())
            .collect::<Result<Vec<_>, _>>()?;
        let placed = self.place_articles(&record, articles, progress)?;
        // The issue lists the new articles before their records are filed (see file()).
        let articles = listing(&record.articles, &listed(&placed));
        if articles != record.articles {
            record.articles = articles;
            Staged::begin(self.archive, host)?.commit(&record)?;
            self.writer.catalog.update_record(&record)?;
            self.unsaved = true;
        }
        self.write_articles(&record, &pages, placed)
    }

    /// Places `articles` on the pages of issue `host`: each with its id and zones. An
    /// article whose zones do not fit the pages, or whose id is taken, is a manifest
    /// problem; the others are returned, in the manifest's order, to be filed.
    fn place_articles<'m>(
        &mut self,
        host: &DocumentRecord,
        articles: &'m [HostedArticle],
        progress: &dyn Progress,
    ) -> Result<Vec<Placed<'m>>, IngestError> {
        let mut placed = Vec::new();
        for (number, article) in articles.iter().enumerate() {
            let problem = |column: &str, reason: String| Problem {
                file: article.manifest.clone(),
                row: Some(article.row),
                line: None,
                column: Some(column.to_string()),
                reason,
            };
            let zones = match hosted::place(host, article) {
                Ok(zones) => zones,
                Err(reasons) => {
                    reasons.into_iter().for_each(|reason| self.refuse(problem(ZONES, reason), progress));
                    continue;
                }
            };
            let id = match self.article_id(host, article, number + 1)? {
                Ok(id) => id,
                Err(reason) => {
                    self.refuse(problem(ID, reason), progress);
                    continue;
                }
            };
            // Taken from now on: a later row may not give the same id.
            self.filed.insert(id.clone());
            placed.push(Placed { article, id, zones });
        }
        Ok(placed)
    }

    /// Files the `placed` articles of issue `host` (its recognized `host_pages`): each a
    /// record pointing at the host and its zones, its text read from the host's pages.
    fn write_articles(
        &mut self,
        host: &DocumentRecord,
        host_pages: &[RecognizedPage],
        placed: Vec<Placed>,
    ) -> Result<(), IngestError> {
        for Placed { article, id, zones } in placed {
            let mut bib = article.bib.clone();
            if bib.source_pages.is_none() {
                bib.source_pages = Some(hosted::printed_pages(host, &zones));
            }
            let previous = self.writer.catalog.get(&id)?;
            let now = Utc::now();
            let mut record = DocumentRecord {
                schema: SCHEMA_VERSION,
                id: id.clone(),
                languages: if bib.language.is_empty() { host.languages.clone() } else { bib.language.clone() },
                history: match &previous {
                    Some(old) => [old.history.clone(), bib.changes_from(&old.bib, now)].concat(),
                    None => Vec::new(),
                },
                bib,
                source_files: Vec::new(),
                content_key: hosted::content_key(host, &zones),
                pages: Vec::new(),
                pdf: String::new(),
                pdf_sha256: String::new(),
                pdf_bytes: 0,
                pdf_a: None,
                ocr: host.ocr.clone(),
                created: previous.as_ref().map_or(now, |p| p.created),
                updated: now,
                host: Some(host.id.clone()),
                zones,
                articles: Vec::new(),
            };
            let outcome = match &previous {
                None => Outcome::Created,
                Some(old) if DocumentRecord { updated: old.updated, ..record.clone() } == *old => {
                    record.updated = old.updated;
                    Outcome::Unchanged
                }
                Some(old) => {
                    self.keep_previous_version(old).map_err(|source| {
                        IngestError::Io(crate::path_error::PathError { path: self.archive.document_dir(&id), source })
                    })?;
                    Outcome::Updated
                }
            };
            if outcome != Outcome::Unchanged {
                Staged::begin(self.archive, &id)?.commit(&record)?;
            }
            // Put in again even when unchanged: the host's pages it is read from may be new.
            let pages = zone_pages(&record, |n| Ok::<_, IngestError>(host_pages.get(n as usize - 1).cloned()))?;
            self.writer.catalog.put(&record, &pages)?;
            self.writer.index.update(&record, &pages)?;
            self.unsaved = true;
            self.filed.insert(id);
            self.documents.push(DocumentReport::of(&record, outcome));
        }
        Ok(())
    }

    /// The id of the `number`-th article on `host`: the one its row gives, else the host's
    /// id and the number; or why the given one cannot be used. An article's id may be one
    /// it had on this host before.
    fn article_id(
        &self,
        host: &DocumentRecord,
        article: &HostedArticle,
        number: usize,
    ) -> Result<Result<String, String>, IngestError> {
        let catalog = &self.writer.catalog;
        let free = |id: &str| -> Result<bool, IngestError> {
            Ok(match catalog.get(id)? {
                Some(other) => other.is_hosted_by(&host.id),
                None => !self.filed.contains(id),
            })
        };
        if let Some(id) = &article.id {
            return Ok(if free(id)? {
                Ok(id.clone())
            } else {
                Err(format!(
                    "id '{id}' is already given to another document in the archive; choose another or leave the cell empty"
                ))
            });
        }
        let plain = format!("{}-{number}", host.id);
        // Through sanitize_id, which keeps an id within MAX_ID_BYTES (a host's may be at it).
        let candidates = std::iter::once(plain.clone()).chain((2..).map(|n| format!("{plain}-{n}")));
        for id in candidates.map(|id| sanitize_id(&id)) {
            if free(&id)? {
                return Ok(Ok(id));
            }
        }
        unreachable!("an unused number exists")
    }

    /// The id `package` is filed under and why, or nothing when it is not filed (already
    /// archived, or its manifest's id is taken).
    fn settle(&mut self, package: &Package, progress: &dyn Progress) -> Result<Option<(String, Outcome)>, IngestError> {
        let manifest = &package.manifest;
        let recognized = &manifest.record;
        let catalog = &self.writer.catalog;
        let mut existing = None;
        match plan::archived_as(self.archive, catalog, &recognized.content_key)? {
            Archived::No => {}
            Archived::Damaged(id, _) => existing = Some(id),
            Archived::Sound(record) => {
                progress.note(&format!("{}: already archived as {}, skipped", package.dir.display(), record.id));
                self.documents.push(DocumentReport::of(&record, Outcome::Unchanged));
                self.file_articles_on_archived(&record.id, &manifest.articles, progress)?;
                return Ok(None);
            }
        }
        if existing.is_none() {
            let files: Vec<_> = recognized.source_files.iter().collect();
            // When a manifest splits an archived document, its first part keeps the id.
            existing = plan::archived_source(catalog, &files)?.filter(|id| !self.filed.contains(id));
        }
        if let Some(id) = existing {
            return Ok(Some((id, Outcome::Updated)));
        }
        let taken = |id: &str| self.filed.contains(id) || catalog.get(id).ok().flatten().is_some();
        if !taken(&recognized.id) {
            return Ok(Some((recognized.id.clone(), Outcome::Created)));
        }
        if let (true, Some((file, row))) = (manifest.id_given, &manifest.described) {
            let id = &recognized.id;
            let reason = format!(
                "id '{id}' is already given to another document in the archive; choose another or leave the cell empty"
            );
            let problem =
                Problem { file: file.clone(), row: Some(*row), line: None, column: Some(ID.to_string()), reason };
            self.refuse(problem, progress);
            return Ok(None);
        }
        Ok(Some((plan::unique_id(&manifest.batch, &manifest.stem, taken), Outcome::Created)))
    }

    /// Reports a manifest problem found while filing: its document is not filed.
    fn refuse(&mut self, problem: Problem, progress: &dyn Progress) {
        progress.note(&problem.to_string());
        self.manifest_problems.push(problem);
    }

    /// Flushes the catalogue and commits the search index.
    fn save(&mut self) -> Result<(), IngestError> {
        self.writer.catalog.flush()?;
        self.writer.index.commit()?;
        self.unsaved = false;
        self.last_saved = Instant::now();
        Ok(())
    }

    /// Saves what is not saved yet, and adds what was filed to `report`.
    pub(super) fn finish(mut self, report: &mut IngestReport) -> Result<(), IngestError> {
        if self.unsaved {
            self.save()?;
        }
        report.documents.extend(self.documents);
        report.review.extend(self.review);
        report.manifest_problems.extend(self.manifest_problems);
        Ok(())
    }

    /// Before a changed document replaces its PDF, the old PDF and record are kept under
    /// `previous/`, so nothing archived is lost.
    fn keep_previous_version(&self, old: &DocumentRecord) -> io::Result<()> {
        let stamp = old.updated.format("%Y%m%dT%H%M%SZ").to_string();
        let dir = self.archive.document_dir(&old.id).join("previous").join(stamp);
        std::fs::create_dir_all(&dir)?;
        let pdf = self.archive.pdf_path(&old.id);
        if pdf.exists() {
            let kept = dir.join(pdf.file_name().expect("a PDF path has a name"));
            if !kept.exists() {
                link_or_copy(&pdf, &kept)?;
            }
        }
        let record = self.archive.record_path(&old.id);
        if record.exists() {
            write_atomic(&dir.join("record.json"), &std::fs::read(&record)?)?;
        }
        Ok(())
    }
}

/// A second name for a file that is never changed in place (archived PDFs are replaced,
/// not rewritten), or a copy where the two folders are on different file systems.
fn link_or_copy(from: &Path, to: &Path) -> io::Result<()> {
    std::fs::hard_link(from, to).or_else(|_| std::fs::copy(from, to).map(|_| ()))
}
