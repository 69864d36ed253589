//! Ingest: batch folders (or single scan files) into the archive, in four steps that read
//! top to bottom in [`ingest`]:
//!
//! 1. **plan** ([`plan`]): survey the files, read the batch manifests, settle each document
//!    against the catalogue (new, changed or already archived) before any page is read;
//! 2. **run** ([`run`]): every page through load → prepare → ocr → pdf on the workers;
//! 3. **assemble** ([`assemble`]): the pages of each document into its PDF, in order;
//! 4. **file**: the finished document into the archive, the catalogue and the search index.

mod assemble;
pub(crate) mod manifest;
mod options;
mod plan;
mod report;
mod run;

use std::path::PathBuf;
use std::time::Instant;

pub(crate) use options::{IngestOptions, Progress};
pub(crate) use report::{
    DocumentReport, Failure, IngestError, IngestReport, Outcome, Reason, ReviewPage, StageSeconds,
};

use crate::archive::Archive;
use crate::{integrity, ocr};

/// Ingests batch folders (or single scan files) into the archive.
pub(crate) fn ingest(
    archive: &Archive,
    inputs: &[PathBuf],
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    ocr::check_models(&options.models)?;
    archive.create_layout()?;
    // The catalogue and the search index, brought in step with the files first.
    let mut writer = integrity::open_for_writing(archive)?;
    for recovered in &writer.recovered {
        progress.note(&recovered.to_string());
    }
    let mut report = IngestReport::opening(&mut writer);

    let documents = plan::plan(archive, &writer.catalog, inputs, options, &mut report, progress)?;

    let mut collector = assemble::Collector::new(archive, &mut writer, options, &documents, report);
    run::run_pages(&documents, options, progress, |job, result, seconds| {
        collector.accept(job, result, seconds, progress)
    })?;
    let mut report = collector.finish();

    writer.finish()?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}
