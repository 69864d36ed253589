//! `olke reindex`: the whole index made again from the archive, in one commit.

use std::path::Path;
use std::time::Instant;

use serde::Serialize;

use super::{Result, Updater};
use crate::archive::Archive;
use crate::catalog::{Catalog, CatalogError, Documents, Reader};

/// What a rebuild did.
#[derive(Clone, Debug, Serialize)]
pub struct ReindexReport {
    pub documents: usize,
    pub pages: u64,
    pub seconds: f64,
    pub pages_per_second: f64,
    pub index_bytes: u64,
}

/// Rebuilds the search index of `archive` with `threads` indexing threads, under the writer
/// lock. Searches see the old index until the new one is complete.
pub fn reindex(archive: &Archive, threads: usize) -> Result<ReindexReport> {
    if !archive.exists() {
        return Err(CatalogError::NoArchive(archive.root().to_path_buf()).into());
    }
    let started = Instant::now();
    let _lock = archive.lock().map_err(CatalogError::from)?;
    // The catalogue, brought up to date with the files; the files themselves when a
    // reader (another olke process) holds it.
    let source: Box<dyn Documents> = match Catalog::open(archive) {
        Ok(catalog) => {
            catalog.adopt(archive)?;
            Box::new(catalog)
        }
        Err(CatalogError::Busy) => Box::new(Reader::Files(archive.clone())),
        Err(e) => return Err(e.into()),
    };
    let mut updater = Updater::open(archive, threads)?;
    let (documents, pages) = updater.rebuild(source.as_ref())?;
    updater.finish()?;
    let seconds = started.elapsed().as_secs_f64();
    Ok(ReindexReport {
        documents,
        pages,
        seconds,
        pages_per_second: if seconds > 0.0 { pages as f64 / seconds } else { 0.0 },
        index_bytes: folder_bytes(&archive.index_dir()),
    })
}

fn folder_bytes(dir: &Path) -> u64 {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|entry| entry.ok())
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum()
}
