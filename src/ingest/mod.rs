//! Ingest: batch folders (or single scan files) into the archive, in two halves with a
//! stable contract between them, the document package ([`package`]):
//!
//! - **recognition** ([`recognize`]): plan the documents of a batch ([`plan`]: which scans
//!   form which document, read from the batch manifests), run every page through load →
//!   prepare → ocr → pdf on the workers ([`run`]), and assemble each document into a
//!   package ([`assemble`]). No catalogue and no lock: any number may run at once, each on
//!   its share of the batch (`--shard I/N`), on as many machines.
//! - **filing** ([`file_packages`]): finished packages into the archive, the catalogue
//!   and the search index ([`file`]), as the archive's one writer.
//!
//! [`ingest`] is the two on one machine: planned against the catalogue first (so archived
//! scans are not recognized again), each package filed as soon as it is finished.

mod assemble;
mod file;
mod hosted;
pub(crate) mod manifest;
mod options;
mod package;
mod plan;
mod report;
mod run;

use std::path::{Path, PathBuf};
use std::time::Instant;

pub(crate) use options::{IngestOptions, Progress, Shard};
pub(crate) use package::{RecordedFailure, ShardReport, Survey};
pub(crate) use report::{
    DocumentReport, Failure, IngestError, IngestReport, Outcome, Reason, ReviewPage, StageSeconds,
};
pub(crate) use run::recognize_prepared;

use crate::archive::Archive;
use crate::path_error::at;
use crate::{integrity, ocr};

/// Where ingest writes its packages before filing them, inside the archive (so filing
/// moves files within one file system) and removed when done.
const WORKSPACE: &str = ".ingest";

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

    let plan::Plan { documents, on_archived } =
        plan::plan(Some((archive, &writer.catalog)), inputs, options, &mut report, progress)?;

    // A killed ingest's packages are made again: the options may have changed since.
    let workspace = archive.root().join(WORKSPACE);
    if workspace.exists() {
        std::fs::remove_dir_all(&workspace).map_err(at(&workspace))?;
    }
    std::fs::create_dir_all(&workspace).map_err(at(&workspace))?;
    let mut filer = file::Filer::new(archive, &mut writer);
    for (host, articles) in &on_archived {
        filer.file_articles_on_archived(host, articles, progress)?;
    }
    let mut assembler = assemble::Assembler::new(&workspace, options, &documents, report, |_, dir| {
        filer.file(&package::Package::read(&dir)?, progress)?;
        std::fs::remove_dir_all(&dir).map_err(|e| at(&dir)(e).into())
    });
    run::run_pages(&documents, options, progress, |job, result, seconds| {
        assembler.accept(job, result, seconds, progress)
    })?;
    let (mut report, _) = assembler.finish();
    filer.finish(&mut report)?;
    std::fs::remove_dir_all(&workspace).map_err(at(&workspace))?;

    writer.finish()?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// Recognizes share `shard` of the documents of `inputs` into packages in `out`, skipping
/// those already finished there; writes and returns the run's report.
pub(crate) fn recognize(
    inputs: &[PathBuf],
    out: &Path,
    shard: Shard,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<ShardReport, IngestError> {
    let started = Instant::now();
    ocr::check_models(&options.models)?;
    std::fs::create_dir_all(out).map_err(at(out))?;
    let mut report = IngestReport::default();
    let documents = plan::plan(None, inputs, options, &mut report, progress)?.documents;
    // What is wrong with the batch itself every share finds: the first one reports it.
    if shard.index != 0 {
        report = IngestReport::default();
    }
    let mine: Vec<_> = documents.into_iter().filter(|d| shard.has(d.order)).collect();
    let expected: Vec<String> = mine.iter().map(|d| d.package_name()).collect();
    let (done, to_do): (Vec<_>, Vec<_>) = mine.into_iter().partition(|d| package::finished(out, &d.package_name()));
    let skipped: Vec<String> = done.iter().map(|d| d.package_name()).collect();
    if !skipped.is_empty() {
        progress.note(&format!("{} package(s) of this share are finished already, skipped", skipped.len()));
    }
    let mut written = Vec::new();
    let mut assembler = assemble::Assembler::new(out, options, &to_do, report, |document, _| {
        written.push(document.package_name());
        Ok(())
    });
    run::run_pages(&to_do, options, progress, |job, result, seconds| assembler.accept(job, result, seconds, progress))?;
    let (report, words) = assembler.finish();
    let shard_report = ShardReport {
        format: package::FORMAT,
        olke_version: env!("CARGO_PKG_VERSION").to_string(),
        shard: shard.index,
        shards: shard.count,
        expected,
        written,
        skipped,
        pages: report.pages,
        kept_pages: report.kept_pages,
        mean_conf: report.mean_conf,
        words,
        stage_seconds: report.stage_seconds,
        failures: report.failures.iter().map(Into::into).collect(),
        manifest_problems: report.manifest_problems,
        manifest_warnings: report.manifest_warnings,
        unlisted: report.unlisted,
        seconds: started.elapsed().as_secs_f64(),
    };
    shard_report.write(out)?;
    Ok(shard_report)
}

/// Files the finished packages in `dirs` (folders recognition wrote into) into the
/// archive, in the order their batches planned them. The report also carries what the
/// recognition runs reported (failed inputs, manifest problems) and names the packages
/// they expected that are not there.
pub(crate) fn file_packages(
    archive: &Archive,
    dirs: &[PathBuf],
    progress: &dyn Progress,
) -> Result<IngestReport, IngestError> {
    let started = Instant::now();
    let mut packages = Vec::new();
    let mut recognized = Vec::new();
    for dir in dirs {
        packages.extend(package::list(dir)?);
        recognized.push(package::Survey::of(dir)?);
    }
    archive.create_layout()?;
    let mut writer = integrity::open_for_writing(archive)?;
    for recovered in &writer.recovered {
        progress.note(&recovered.to_string());
    }
    let mut report = IngestReport::opening(&mut writer);
    for survey in recognized {
        survey.add_to(&mut report, progress);
    }
    progress.start(packages.iter().map(|p| p.manifest.record.pages.len() as u64).sum());
    let mut filer = file::Filer::new(archive, &mut writer);
    for package in &packages {
        if let Err(e) = filer.file(package, progress) {
            let failure = Failure { path: package.dir.clone(), page: None, reason: e.of_one_document()? };
            progress.note(&failure.to_string());
            report.failures.push(failure);
        }
        for _ in &package.manifest.record.pages {
            progress.page_done();
        }
    }
    progress.finish();
    filer.finish(&mut report)?;
    writer.finish()?;
    report.seconds = started.elapsed().as_secs_f64();
    Ok(report)
}

/// The packages recognition of `inputs` in `shards` shares will write: their names, with
/// each one's share and scanned pages.
pub(crate) fn planned_packages(
    inputs: &[PathBuf],
    shards: usize,
    options: &IngestOptions,
    progress: &dyn Progress,
) -> Result<Vec<package::Planned>, IngestError> {
    let mut report = IngestReport::default();
    let documents = plan::plan(None, inputs, options, &mut report, progress)?.documents;
    Ok(documents
        .iter()
        .map(|d| package::Planned {
            package: d.package_name(),
            shard: d.order % shards.max(1),
            pages: d.scanned_pages(),
        })
        .collect())
}

/// Writes `plan.json` into `out`: the packages recognition in `shards` shares will write.
pub(crate) fn write_plan(out: &Path, shards: usize, packages: Vec<package::Planned>) -> Result<(), IngestError> {
    Ok(package::Plan { format: package::FORMAT, shards, packages }.write(out)?)
}

/// How far recognition into `dir` has come.
pub(crate) fn survey(dir: &Path) -> Result<Survey, IngestError> {
    Ok(Survey::of(dir)?)
}
