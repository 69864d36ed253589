//! `olke verify`, `olke backup`, `olke restore`: keeping the archive whole.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;
use serde::Serialize;

use super::{print_json, EXIT_PROBLEMS};
use crate::archive::staging::Recovered;
use crate::archive::Archive;
use crate::catalog::CatalogError;
use crate::integrity::backup::{self, BackupReport, Problem, RestoreReport};
use crate::integrity::verify::{self, VerifyOptions, VerifyReport};

#[derive(Args, Debug)]
pub(super) struct VerifyArgs {
    /// Put right what can be put right from what is still sound, and say what was done.
    #[arg(long)]
    repair: bool,
    /// Check the PDFs' checksums only, without opening them.
    #[arg(long)]
    quick: bool,
    /// Do not check the scans still at their recorded paths.
    #[arg(long)]
    no_sources: bool,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn verify(archive: &Archive, args: VerifyArgs) -> Result<u8> {
    if !archive.exists() {
        return Err(CatalogError::NoArchive(archive.root().to_path_buf()).into());
    }
    let lock = archive.lock()?;
    let options = VerifyOptions { repair: args.repair, open_pdfs: !args.quick, sources: !args.no_sources };
    let mut index = crate::index::Updater::open(archive, 1)?;
    let report = verify::verify(archive, &options, &mut [&mut index])?;
    index.finish()?;
    // Looking changes nothing: a stopped writer's leftovers stay flagged for the next one.
    if args.repair || !lock.previous_writer_unfinished() {
        lock.release()?;
    }
    if args.json {
        print_json(&report)?;
    } else {
        print_verify(archive, &report);
    }
    Ok(if report.sound() { 0 } else { EXIT_PROBLEMS })
}

fn print_verify(archive: &Archive, report: &VerifyReport) {
    println!(
        "Checked {} documents in {}: {} PDFs, {} pages, {} scans ({} no longer at their recorded paths).",
        report.documents,
        archive.root().display(),
        report.pdfs_checked,
        report.pages_checked,
        report.sources_checked,
        report.sources_absent
    );
    for problem in &report.problems {
        println!("  {problem}");
        if let Some(done) = &problem.repaired {
            println!("      repaired: {done}");
        }
        if let Some(why) = &problem.not_repaired {
            println!("      not repaired: {why}");
        }
    }
    let left = report.problems.iter().filter(|p| p.repaired.is_none()).count();
    match (report.problems.len(), left) {
        (0, _) => println!("The archive is sound."),
        (found, 0) => println!("{found} problems found, all repaired: the archive is sound."),
        (found, left) if report.repair => println!("{found} problems found, {left} not repaired."),
        (found, _) => println!("{found} problems found; `olke verify --repair` puts right what can be."),
    }
}

#[derive(Args, Debug)]
pub(super) struct BackupArgs {
    /// The folder to write catalog.jsonl and manifest.json into.
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

/// Prints a backup's or a restore's report: each problem on standard error, then the
/// report as JSON or, for people, the stopped writer's work dealt with and `summary`.
/// Returns the exit code.
fn finish<T: Serialize>(
    json: bool,
    report: &T,
    problems: &[Problem],
    recovered: &[Recovered],
    summary: impl FnOnce(),
) -> Result<u8> {
    for problem in problems {
        eprintln!("olke: {problem}");
    }
    if json {
        print_json(report)?;
    } else {
        for recovered in recovered {
            println!("{recovered}");
        }
        summary();
    }
    Ok(if problems.is_empty() { 0 } else { EXIT_PROBLEMS })
}

pub(super) fn backup(archive: &Archive, args: BackupArgs) -> Result<u8> {
    let report: BackupReport = backup::backup(archive, &args.out)?;
    finish(args.json, &report, &report.problems, &report.recovered, || {
        println!(
            "Backed up {} documents: {} files, {} bytes, listed with their checksums in {}.",
            report.documents,
            report.files,
            report.bytes,
            report.out.join(backup::MANIFEST_FILE).display()
        );
        println!("Keep it with a copy of {}.", archive.documents_dir().display());
    })
}

#[derive(Args, Debug)]
pub(super) struct RestoreArgs {
    /// A folder written by `olke backup`.
    #[arg(long, value_name = "DIR")]
    from: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn restore(archive: &Archive, args: RestoreArgs) -> Result<u8> {
    let mut index = crate::index::Updater::open(archive, 1)?;
    let report: RestoreReport = backup::restore(archive, &args.from, &mut [&mut index])?;
    index.finish()?;
    finish(args.json, &report, &report.problems, &report.recovered, || {
        if let Some(aside) = &report.catalog_set_aside {
            println!("The catalogue that was there is kept at {}.", aside.display());
        }
        let lists = [
            ("record.json written back from the backup", &report.records_from_backup),
            ("changed since the backup (their own files used)", &report.changed_since_backup),
            ("archived after the backup (their own files used)", &report.not_in_backup),
        ];
        for (what, ids) in lists.iter().filter(|(_, ids)| !ids.is_empty()) {
            println!("{what}: {}", ids.join(", "));
        }
        println!("Catalogue rebuilt with {} documents; {} problems.", report.documents, report.problems.len());
    })
}
