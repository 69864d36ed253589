//! Assembling: finished pages are written into their document's PDF in order, and a
//! document whose last page is in is made into a package (see [`super::package`]): the
//! PDF, its pages' words and boxes, and the record as recognized. Filing takes it from
//! there ([`super::file`]).

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use sha2::{Digest, Sha256};

use super::package::{self, Writing};
use super::plan::PlannedDocument;
use super::run::{ArchivedPage, PageJob, PageOutput, PageResult};
use super::{Failure, IngestError, IngestOptions, IngestReport, Progress, Reason, ReviewPage, StageSeconds};
use crate::archive::{Archive, AtomicFile};
use crate::load::Format;
use crate::ocr;
use crate::page::RecognizedPage;
use crate::pdf::import::{CopyError, PageCopier, SourcePdf};
use crate::pdf::{Metadata, PdfWriter};
use crate::record::{DocumentRecord, OcrInfo, PageSummary, SCHEMA_VERSION};

/// Hashes and counts bytes on their way to the file.
struct Hashing<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W: Write> Write for Hashing<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

type PdfOut = PdfWriter<Hashing<BufWriter<AtomicFile>>>;

/// A document whose pages are arriving.
#[derive(Default)]
struct Assembly {
    /// Its package, begun with the first good page.
    package: Option<Writing>,
    writer: Option<PdfOut>,
    next_seq: usize,
    waiting: BTreeMap<usize, PageResult>,
    pages: Vec<RecognizedPage>,
    summaries: Vec<PageSummary>,
    review: Vec<ReviewPage>,
    /// Source PDFs whose pages are being kept, by source index, each with its copier (so
    /// the objects its pages share are written once).
    imports: HashMap<usize, (SourcePdf, PageCopier<'static>)>,
    /// A page could not be copied: the document is not packaged, its later pages dropped.
    failed: bool,
}

/// Makes finished pages into document packages in `out`, in order, one document at a
/// time, and hands each finished package to `packaged`.
pub(super) struct Assembler<'a, F> {
    out: &'a Path,
    options: &'a IngestOptions,
    documents: &'a [PlannedDocument],
    packaged: F,
    open: HashMap<usize, Assembly>,
    report: IngestReport,
    conf_sum: f64,
    conf_words: usize,
}

impl<'a, F: FnMut(&PlannedDocument, PathBuf) -> Result<(), IngestError>> Assembler<'a, F> {
    pub(super) fn new(
        out: &'a Path,
        options: &'a IngestOptions,
        documents: &'a [PlannedDocument],
        report: IngestReport,
        packaged: F,
    ) -> Assembler<'a, F> {
        Assembler { out, options, documents, packaged, open: HashMap::new(), report, conf_sum: 0.0, conf_words: 0 }
    }

    /// Takes one finished page; packages its document when it was the last one missing.
    pub(super) fn accept(
        &mut self,
        job: PageJob,
        result: PageResult,
        seconds: StageSeconds,
        progress: &dyn Progress,
    ) -> Result<(), IngestError> {
        self.report.stage_seconds += seconds;
        let document = job.document;
        self.open.entry(document).or_default().waiting.insert(job.seq, result);
        loop {
            let assembly = self.open.get_mut(&document).expect("inserted above");
            let Some(result) = assembly.waiting.remove(&assembly.next_seq) else { break };
            assembly.next_seq += 1;
            match result {
                Ok(outputs) => {
                    for output in outputs {
                        if !self.open[&document].failed {
                            if let Err(e) = self.add_page(document, output, progress) {
                                let failure = self.document_failure(document, e)?;
                                self.abandon(document, failure, progress)?;
                            }
                        }
                    }
                }
                Err(failure) => self.report_failure(failure, progress),
            }
        }
        if self.open[&document].next_seq == self.documents[document].scanned_pages() {
            let assembly = self.open.remove(&document).expect("present");
            let packaged = match self.package(document, assembly, progress) {
                Ok(Some(dir)) => (self.packaged)(&self.documents[document], dir),
                Ok(None) => Ok(()),
                Err(e) => Err(e),
            };
            if let Err(e) = packaged {
                let failure = self.document_failure(document, e)?;
                self.report_failure(failure, progress);
            }
        }
        Ok(())
    }

    /// Document `document`'s failure for `error` met while packaging or filing it, named
    /// after its first scan; an error that is not the document's alone is given back.
    fn document_failure(&self, document: usize, error: IngestError) -> Result<Failure, IngestError> {
        let reason = error.of_one_document()?;
        Ok(Failure { path: self.documents[document].sources[0].path.clone(), page: None, reason })
    }

    fn add_page(&mut self, document: usize, output: PageOutput, progress: &dyn Progress) -> Result<(), IngestError> {
        let planned = &self.documents[document];
        let assembly = self.open.get_mut(&document).expect("open");
        if assembly.writer.is_none() {
            let package = Writing::begin(self.out, &planned.package_name())?;
            let path = package.pdf_path();
            let write_err = |source| IngestError::Io(crate::path_error::PathError { path: path.clone(), source });
            let file = AtomicFile::create(&path).map_err(write_err)?;
            let out = Hashing { inner: BufWriter::new(file), hasher: Sha256::new(), bytes: 0 };
            assembly.writer = Some(PdfWriter::new(out).map_err(write_err)?);
            assembly.package = Some(package);
        }
        let pdf_path = assembly.package.as_ref().expect("begun above").pdf_path();
        let writer = assembly.writer.as_mut().expect("created above");
        let mut summary = output.summary;
        match output.pdf {
            ArchivedPage::Made(page) => {
                writer
                    .add_page(page)
                    .map_err(|source| IngestError::Io(crate::path_error::PathError { path: pdf_path, source }))?;
                self.conf_sum += (output.recognized.mean_conf * summary.words as f32) as f64;
                self.conf_words += summary.words;
                self.report.pages += 1;
            }
            ArchivedPage::Kept => {
                let source = &planned.sources[summary.source];
                let copied = match assembly.imports.entry(summary.source) {
                    Entry::Occupied(open) => Ok(open.into_mut()),
                    Entry::Vacant(slot) => SourcePdf::open(source.readable())
                        .map(|pdf| &mut *slot.insert((pdf, PageCopier::new())))
                        .map_err(CopyError::from),
                }
                .and_then(|(pdf, copier)| copier.copy_page(pdf, writer, summary.source_page as u32 + 1));
                match copied {
                    Ok(()) => self.report.kept_pages += 1,
                    // What the source's structure refused is that file's failure; the
                    // package not taking a write stops the run.
                    Err(CopyError::Source(e)) => {
                        let reason = Reason::NotCopied(e.reason);
                        let failure =
                            Failure { path: source.path.clone(), page: Some(summary.source_page + 1), reason };
                        self.abandon(document, failure, progress)?;
                        return Ok(());
                    }
                    Err(CopyError::Write(source)) => {
                        return Err(IngestError::Io(crate::path_error::PathError { path: pdf_path, source }))
                    }
                }
            }
        }
        summary.number = writer.page_count() as u32;
        if summary.text_layer.recognized() {
            let unread = summary.preparation.unread_lines();
            let reason = if unread > 0 {
                Some(format!("{unread} line(s) on the scan that no reading recognized"))
            } else {
                (summary.mean_conf < self.options.review_below).then(|| "low confidence".to_string())
            };
            if let Some(reason) = reason {
                let (page, mean_conf) = (summary.number, summary.mean_conf);
                assembly.review.push(ReviewPage { id: planned.id.clone(), page, mean_conf, reason });
            }
        }
        assembly.pages.push(output.recognized);
        assembly.summaries.push(summary);
        Ok(())
    }

    /// Completes the PDF and writes the document's package; returns its folder, or nothing
    /// when the document could not be made.
    fn package(
        &mut self,
        document: usize,
        assembly: Assembly,
        progress: &dyn Progress,
    ) -> Result<Option<PathBuf>, IngestError> {
        let planned = &self.documents[document];
        let id = &planned.id;
        if assembly.failed {
            return Ok(None);
        }
        let (Some(writer), Some(package)) = (assembly.writer, assembly.package) else {
            progress.note(&format!("{id}: no page could be read; nothing archived"));
            return Ok(None);
        };
        let now = Utc::now();
        let text_languages = document_languages(&assembly.summaries);
        // The languages the record states, else those found in the text.
        let languages =
            if planned.bib.language.is_empty() { text_languages.clone() } else { planned.bib.language.clone() };
        let mut record = DocumentRecord {
            schema: SCHEMA_VERSION,
            id: id.clone(),
            bib: planned.bib.clone(),
            source_files: planned.sources.iter().map(|s| s.file.clone()).collect(),
            content_key: planned.content_key.clone(),
            pages: assembly.summaries,
            languages,
            pdf: Archive::pdf_relative(id),
            pdf_sha256: String::new(), // known once the PDF is written
            pdf_bytes: 0,
            pdf_a: Some(writer.pdf_a()),
            ocr: OcrInfo { engine: format!("Tesseract {}", ocr::engine_version()), models: planned.models.clone() },
            created: now,
            updated: now,
            history: Vec::new(),
            host: None,
            zones: Vec::new(),
            articles: Vec::new(),
        };
        let pdf_path = package.pdf_path();
        let write_err = |path: &Path| {
            let path = path.to_path_buf();
            move |source| IngestError::Io(crate::path_error::PathError { path, source })
        };
        let out = writer.finish(&Metadata::of(&record)).map_err(write_err(&pdf_path))?;
        record.pdf_sha256 = hex::encode(out.hasher.finalize());
        record.pdf_bytes = out.bytes;
        let file = out.inner.into_inner().map_err(|e| write_err(&pdf_path)(e.into_error()))?;
        file.commit().map_err(write_err(&pdf_path))?;
        // Pages olke wrote itself are sound by construction; pages copied from a PDF made
        // elsewhere are checked before the archive takes them.
        if record.kept_pages() > 0 {
            if let Err(problem) = crate::pdf::check_structure(&pdf_path) {
                let path = planned.sources.iter().find(|s| s.format == Format::Pdf).unwrap_or(&planned.sources[0]);
                let failure = Failure {
                    path: path.path.clone(),
                    page: None,
                    reason: Reason::NotCopied(format!("the PDF made from it fails {problem}")),
                };
                package.abandon()?;
                self.report_failure(failure, progress);
                return Ok(None);
            }
        }
        for (i, page) in assembly.pages.iter().enumerate() {
            package.write_page(i as u32 + 1, page)?;
        }
        let manifest = package::Manifest {
            format: package::FORMAT,
            olke_version: env!("CARGO_PKG_VERSION").to_string(),
            order: planned.order,
            id_given: planned.id_given,
            batch: planned.batch.clone(),
            stem: planned.stem.clone(),
            described: planned.described.clone(),
            text_languages,
            record,
            review: assembly.review,
            articles: planned.articles.clone(),
        };
        Ok(Some(package.finish(&manifest)?))
    }

    /// Gives up document `document` for `failure`: what was written of its package is
    /// removed, and its pages still to come are dropped.
    fn abandon(&mut self, document: usize, failure: Failure, progress: &dyn Progress) -> Result<(), IngestError> {
        let assembly = self.open.get_mut(&document).expect("open");
        assembly.failed = true;
        // The PDF's temporary file goes first: it is inside the package's folder.
        drop(assembly.writer.take());
        if let Some(package) = assembly.package.take() {
            package.abandon()?;
        }
        self.report_failure(failure, progress);
        Ok(())
    }

    /// Tells the user of `failure` and keeps it for the report.
    fn report_failure(&mut self, failure: Failure, progress: &dyn Progress) {
        progress.note(&failure.to_string());
        self.report.failures.push(failure);
    }

    /// The report of the run, with the mean confidence of the pages recognized and the
    /// words it is over.
    pub(super) fn finish(self) -> (IngestReport, usize) {
        let mean_conf = if self.conf_words == 0 { 0.0 } else { (self.conf_sum / self.conf_words as f64) as f32 };
        (IngestReport { mean_conf, ..self.report }, self.conf_words)
    }
}

/// The document's languages, those of the most pages first.
fn document_languages(summaries: &[PageSummary]) -> Vec<String> {
    let mut counts: Vec<(String, usize)> = Vec::new();
    for language in summaries.iter().flat_map(|s| s.languages.iter().cloned()) {
        match counts.iter_mut().find(|(l, _)| *l == language) {
            Some((_, n)) => *n += 1,
            None => counts.push((language, 1)),
        }
    }
    counts.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    counts.into_iter().map(|(l, _)| l).collect()
}
