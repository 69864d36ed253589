//! Document delivery: a reader asks for pages of a document ("pages 46–65 of volume 6")
//! and gets a PDF by email: a cover page, then the requested pages copied from the
//! archived PDF with their text layer. What may be copied depends on the document's
//! rights ([`rights`]); every request, refused ones too, is kept in the request register
//! ([`register`]), which the web layer files into and staff decide on with the same
//! functions `olke deliver` uses.
//!
//! [`pages`] reads and resolves page numbers, [`request`] is the register's entry,
//! [`cover`] the cover page, [`crate::pdf::import`] copies pages out of the archived PDF, [`shrink`]
//! makes a copy small enough for email.

pub(crate) mod article;
pub(crate) mod cover;
pub(crate) mod register;
pub(crate) mod rights;
pub(crate) mod shrink;

use std::collections::HashMap;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::{Local, Utc};
use serde::Serialize;

pub(crate) use register::{file, fulfil, refuse, Outcome};

use self::cover::Block;
use crate::archive::{files, Archive, AtomicFile};
use crate::catalog::CatalogError;
use crate::config::Library;
use crate::pdf::import::{CopyError, PageCopier, SourceError, SourcePdf};
use crate::pdf::truetype::{EmbeddedFont, FontError};
use crate::pdf::{Metadata, PdfWriter};
use crate::record::request::Request;
use crate::record::{ArticleZone, DocumentRecord};

#[derive(Debug, thiserror::Error)]
pub(crate) enum DeliverError {
    #[error("no document '{0}' in the archive; `olke list` shows what is there")]
    NoSuchDocument(String),
    /// Pages the document does not have.
    #[error("{0}")]
    Pages(String),
    #[error("no request № {0} in the register; `olke requests` lists it")]
    NoSuchRequest(u32),
    #[error("request № {number} is already {status}")]
    AlreadyDecided { number: u32, status: &'static str },
    #[error("the archived PDF of {id} has {found} pages, its record {recorded}; run `olke ingest` on its scans again")]
    PageCountMismatch { id: String, found: u32, recorded: usize },
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error("no font for the cover page; install one with: apt-get install fonts-dejavu-core")]
    NoFont,
    #[error(transparent)]
    Font(#[from] FontError),
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Files(#[from] crate::archive::files::FileError),
}

impl DeliverError {
    /// True for a request that cannot be what it asks (unknown document, pages it does
    /// not have), as opposed to a failure making it.
    pub(crate) fn is_bad_request(&self) -> bool {
        matches!(
            self,
            DeliverError::NoSuchDocument(_)
                | DeliverError::Pages(_)
                | DeliverError::NoSuchRequest(_)
                | DeliverError::AlreadyDecided { .. }
        )
    }
}

/// How to make a copy.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CopyOptions {
    /// Largest file wanted, in bytes: page images are made smaller until it fits.
    pub max_bytes: Option<u64>,
    /// Of an article on an issue's pages: the whole pages its zones lie on, not the zones.
    pub whole_pages: bool,
}

/// The file made for a request.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct Copy {
    pub path: PathBuf,
    pub bytes: u64,
    /// Pages copied from the document (the cover page not counted).
    pub pages: u32,
    /// Page images were made smaller to meet [`CopyOptions::max_bytes`].
    pub downsampled: bool,
    /// Whether the file is within [`CopyOptions::max_bytes`] (always, without a limit).
    pub within_limit: bool,
}

/// The copy being written: a PDF in a temporary file beside its place.
type CopyWriter = PdfWriter<BufWriter<AtomicFile>>;

/// Writes the cover and the pages `add_pages` adds to a temporary file beside `out`;
/// returns it uncommitted with its size.
fn write_copy(
    out: &Path,
    blocks: &[Block],
    metadata: &Metadata,
    add_pages: impl FnOnce(&mut CopyWriter) -> Result<(), DeliverError>,
) -> Result<(AtomicFile, u64), DeliverError> {
    let font = EmbeddedFont::load(&crate::pdf::truetype::system_font().ok_or(DeliverError::NoFont)?)?;
    let file = AtomicFile::create(out).map_err(write_error(out))?;
    let mut writer = PdfWriter::new(BufWriter::new(file)).map_err(write_error(out))?;
    cover::write_cover(&mut writer, blocks, font)?;
    add_pages(&mut writer)?;
    let written = writer.finish(metadata).map_err(write_error(out))?;
    let mut file = written.into_inner().map_err(|e| write_error(out)(e.into_error()))?;
    let bytes = file.file().metadata().map_err(write_error(out))?.len();
    Ok((file, bytes))
}

fn write_error(out: &Path) -> impl Fn(std::io::Error) -> DeliverError + '_ {
    move |source| DeliverError::Io(crate::path_error::PathError { path: out.to_path_buf(), source })
}

/// Copies pages `numbers` of `source` into the copy, with their images replaced by `replaced`.
fn copy_pages(
    writer: &mut CopyWriter,
    out: &Path,
    source: &SourcePdf,
    numbers: &[u32],
    replaced: &HashMap<lopdf::ObjectId, lopdf::Stream>,
) -> Result<(), DeliverError> {
    let mut copier = PageCopier::replacing(replaced);
    for &number in numbers {
        copier.copy_page(source, writer, number).map_err(|e| match e {
            CopyError::Source(e) => DeliverError::Source(e),
            CopyError::Write(e) => write_error(out)(e),
        })?;
    }
    Ok(())
}

/// Makes the copy `request` asks for of `record` at `out` (written atomically). Of an
/// article on an issue's pages: its zones (without what of `withheld`, the zones of
/// overlapping articles that may not be copied, lies in them), or with
/// `options.whole_pages` those pages.
pub(crate) fn make_copy(
    archive: &Archive,
    library: &Library,
    request: &Request,
    record: &DocumentRecord,
    withheld: &[ArticleZone],
    out: &Path,
    options: CopyOptions,
) -> Result<Copy, DeliverError> {
    let blocks = cover::blocks(library, request, record, Local::now().date_naive());
    let metadata = Metadata {
        id: format!("{}/request-{}", record.id, request.number),
        title: record.bib.title.clone(),
        authors: record.bib.authors.clone(),
        subject: request.citation.clone(),
        keywords: record.bib.subjects.clone(),
        languages: record.languages.clone(),
        created: Some(Utc::now()),
        engine: Some(record.ocr.engine.clone()),
    };
    let (pdf_of, numbers): (DocumentRecord, Vec<u32>) = match &record.host {
        Some(_) if !options.whole_pages => {
            let pages = article::zone_copy_pages(archive, record, withheld)?;
            let count = pages.len() as u32;
            let (file, bytes) = write_copy(out, &blocks, &metadata, |writer| {
                pages.into_iter().try_for_each(|page| writer.add_page(page)).map_err(write_error(out))
            })?;
            return finish_copy(file, out, bytes, count, false, options);
        }
        Some(host) => (files::record(archive, host)?, record.host_pages()),
        None => (record.clone(), (request.pages.pdf.first..=request.pages.pdf.last).collect()),
    };
    let source = SourcePdf::open(&archive.pdf_path(&pdf_of.id))?;
    if source.page_count() as usize != pdf_of.pages.len() {
        return Err(DeliverError::PageCountMismatch {
            id: pdf_of.id.clone(),
            found: source.page_count(),
            recorded: pdf_of.pages.len(),
        });
    }
    let copy = |replaced: &HashMap<_, _>| {
        write_copy(out, &blocks, &metadata, |writer| copy_pages(writer, out, &source, &numbers, replaced))
    };
    let (mut file, mut bytes) = copy(&HashMap::new())?;
    let mut downsampled = false;
    if let Some(limit) = options.max_bytes.filter(|&limit| bytes > limit) {
        let (first, last) = (numbers.iter().min().copied().unwrap_or(1), numbers.iter().max().copied().unwrap_or(1));
        let images = source.images_on(first, last)?;
        let image_bytes: u64 = images.iter().map(|&id| source.stored_length(id)).sum::<Result<u64, _>>()?;
        // What the images leave: the rest of the file as made, less a margin for their
        // dictionaries growing a little.
        let budget = limit.saturating_sub(bytes - image_bytes.min(bytes) + 64 * images.len() as u64);
        let shrunk = shrink::shrink(&source, &images, budget)?;
        downsampled = !shrunk.is_empty();
        if downsampled {
            (file, bytes) = copy(&shrunk)?;
        }
    }
    finish_copy(file, out, bytes, numbers.len() as u32, downsampled, options)
}

/// Commits a copy written in full.
fn finish_copy(
    file: AtomicFile,
    out: &Path,
    bytes: u64,
    pages: u32,
    downsampled: bool,
    options: CopyOptions,
) -> Result<Copy, DeliverError> {
    file.commit().map_err(write_error(out))?;
    Ok(Copy {
        path: out.to_path_buf(),
        bytes,
        pages,
        downsampled,
        within_limit: options.max_bytes.is_none_or(|limit| bytes <= limit),
    })
}
