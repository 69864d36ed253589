//! Keeping the archive whole. Every writer opens it through [`open_for_writing`], which
//! finishes what a stopped writer left and brings the catalogue and the search index in
//! step with the files, so no caller has to remember to; [`verify`] checks the archive and
//! [`backup`] copies it out and back.

pub(crate) mod backup;
pub(crate) mod verify;

use crate::archive::files;
use crate::archive::staging::{self, Recovered};
use crate::archive::store::{self, Difference};
use crate::archive::{Archive, WriterLock};
use crate::catalog::edit::{self, ApplyReport, EditError};
use crate::catalog::{Catalog, CatalogError};
use crate::index::{refresh, IndexError, Updater};
use crate::pdf::pdfa::PdfA;
use crate::record::table::Table;
use crate::record::{Edit, Value};

#[derive(Debug, thiserror::Error)]
pub enum WriterError {
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

/// Why a change to archived documents failed.
#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error(transparent)]
    Edit(#[from] EditError),
    #[error(transparent)]
    Index(#[from] IndexError),
}

impl From<crate::archive::ArchiveError> for WriterError {
    fn from(error: crate::archive::ArchiveError) -> Self {
        WriterError::Catalog(error.into())
    }
}

/// A writer's hold on the archive: the lock, the catalogue and the search index (both in
/// step with the files), and what was done to finish the work of a writer that stopped
/// halfway.
pub struct Writer {
    pub lock: WriterLock,
    pub catalog: Catalog,
    pub index: Updater,
    /// Interrupted changes completed or discarded, temporary files removed.
    pub recovered: Vec<Recovered>,
    /// Documents on disk that the catalogue lacked, taken in.
    pub adopted: Vec<String>,
    /// Documents the catalogue held in another version than their files, replaced.
    pub refreshed: Vec<String>,
    /// Documents missing from the search index (or changed since), indexed again.
    pub reindexed: usize,
}

/// Takes the writer lock and opens the catalogue and the search index. When the last
/// writer did not finish, its interrupted changes are first completed or undone and the
/// catalogue is brought in line with every record on disk; otherwise only documents it
/// lacks are taken in. The index then follows the catalogue.
pub fn open_for_writing(archive: &Archive) -> Result<Writer, WriterError> {
    if !archive.exists() {
        return Err(CatalogError::NoArchive(archive.root().to_path_buf()).into());
    }
    let lock = archive.lock()?;
    let catalog = Catalog::open(archive)?;
    let (recovered, adopted, refreshed) = if lock.previous_writer_unfinished() {
        recover(archive, &catalog)?
    } else {
        (Vec::new(), catalog.adopt(archive)?, Vec::new())
    };
    let mut index = Updater::open(archive, 1)?;
    let reindexed = index.sync(&catalog)?.indexed.len();
    Ok(Writer { lock, catalog, index, recovered, adopted, refreshed, reindexed })
}

type Recovery = (Vec<Recovered>, Vec<String>, Vec<String>);

/// Completes or undoes what a stopped writer left, then brings the catalogue in line with
/// every record on disk: returns what was recovered, adopted and refreshed.
fn recover(archive: &Archive, catalog: &Catalog) -> Result<Recovery, CatalogError> {
    let recovered = staging::recover(archive)?;
    let (records, unreadable) = files::records(archive)?;
    for (id, error) in &unreadable {
        tracing::warn!("{id}: {error}; `olke verify` tells more");
    }
    let (mut adopted, mut refreshed) = (Vec::new(), Vec::new());
    for (id, difference) in store::compare(&records, &catalog.held_versions()?) {
        let list = match difference {
            Difference::Missing => &mut adopted,
            Difference::Stale => &mut refreshed,
            // Never made by a crash (files are written before the catalogue): damage, left
            // for `olke verify` to report.
            Difference::Orphan => continue,
        };
        let record = &records[&id];
        catalog.put(record, &files::pages(archive, record)?)?;
        list.push(id);
    }
    // Requests, which the comparison above does not cover.
    catalog.adopt(archive)?;
    catalog.flush()?;
    Ok((recovered, adopted, refreshed))
}

impl Writer {
    /// Changes fields of one document's record (and its PDF's metadata); the index follows.
    pub fn edit(&mut self, archive: &Archive, id: &str, changes: &[(String, Value)]) -> Result<Vec<Edit>, ChangeError> {
        let edits = edit::edit(archive, &self.catalog, id, changes)?;
        refresh(&mut self.index, &self.catalog, std::slice::from_ref(&id.to_string()))?;
        Ok(edits)
    }

    /// Brings a document's PDF to PDF/A (`olke catalog pdfa`); the index follows.
    pub fn to_pdf_a(&mut self, archive: &Archive, id: &str) -> Result<PdfA, ChangeError> {
        let pdf_a = edit::to_pdf_a(archive, &self.catalog, id)?;
        refresh(&mut self.index, &self.catalog, std::slice::from_ref(&id.to_string()))?;
        Ok(pdf_a)
    }

    /// Applies a table of corrections (`olke catalog apply`); the index follows.
    pub fn apply(&mut self, archive: &Archive, table: &Table) -> Result<ApplyReport, ChangeError> {
        let report = edit::apply(archive, &self.catalog, table)?;
        let changed: Vec<String> = report.changed.iter().map(|c| c.id.clone()).collect();
        refresh(&mut self.index, &self.catalog, &changed)?;
        Ok(report)
    }

    /// Leaves the index in few segments and releases the lock: the writer finished.
    pub fn finish(self) -> Result<(), WriterError> {
        let Writer { lock, catalog, index, .. } = self;
        index.finish()?;
        // Closed before the lock goes, so the next writer finds the catalogue free.
        drop(catalog);
        lock.release()?;
        Ok(())
    }
}
