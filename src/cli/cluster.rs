//! Ingest on more than one machine: `olke recognize` (a share of a batch into document
//! packages), `olke file` (packages into the archive), and `olke cluster` (both submitted
//! to Slurm, and their progress).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use clap::{Args, Parser, Subcommand};
use serde::Serialize;

use super::ingest::{check_inputs, print_report, RecognitionArgs};
use super::{print_json, progress, EXIT_PARTIAL, EXIT_USAGE};
use crate::archive::Archive;
use crate::config::Config;
use crate::ingest::{self, RecordedFailure, Shard, ShardReport};
use crate::record::table::Problem;

pub(super) const RECOGNIZE_HELP: &str = "\
Writes one package per document into DIR: the searchable PDF, its pages' words and boxes,
and package.json (the manifest row, the source files and their checksums, the olke
version and package format). No catalogue, no lock: run as many at once as you like,
each with its share of the batch, on as many machines as share DIR. A package appears
whole or not at all, and a run skips the packages already finished in DIR, so a run
that failed or was stopped is simply run again. `olke file DIR` then files them.

Shares are documents, never pages of one document: share I of N takes the batch's
documents I, I+N, I+2N, … in the order the batch plans them (every run plans the same
batch the same way). The run's report goes to DIR/shards/I-of-N.json.

Examples:
  olke recognize scans/2024-03 --out /shared/olke-packages
  olke recognize scans/2024-03 --out /shared/olke-packages --shard 2/4 --jobs 4
  olke recognize scans/* --out /shared/olke-packages --shard \"$SLURM_ARRAY_TASK_ID/8\" --json";

pub(super) const FILE_HELP: &str = "\
Files the finished packages of each DIR into the archive, as its one writer, with the
checks, crash safety and idempotence of `olke ingest`: scans already archived are
skipped (filing the same packages again files nothing twice), a changed scan updates its
document and keeps the previous PDF, and a killed filing is completed or undone by the
next writer. Packages are filed in the order their batch planned them, so a fresh
archive gets the ids `olke ingest` would give. A package of a format this olke does not
know is refused. Exit code 3 when a recognition run reported failed inputs or an
expected package is missing.

Examples:
  olke file /shared/olke-packages
  olke --archive /srv/olke file /shared/packages-2024-03 /shared/packages-2024-04 --json";

pub(super) const CLUSTER_HELP: &str = "\
Examples:
  olke cluster slurm scans/2024-03 --tasks 8 --packages /shared/olke-packages
  olke cluster slurm scans/* --tasks 16 --partition batch --time 02:00:00 --packages /shared/p -- --lang kaz+rus
  olke cluster status /shared/olke-packages
  olke cluster status /shared/olke-packages --json";

const SLURM_HELP: &str = "\
Writes DIR/recognize.sbatch (an array job: task I runs `olke recognize --shard I/N`) and
DIR/file.sbatch (`olke file DIR` into this archive), and DIR/plan.json (the packages to
expect), then submits the array with `sbatch --array=0-(N-1)` and the filing with
`--dependency=afterok:<array job>`, so the archive is written once, by one job, after
every task has succeeded. Prints both job ids (--json for scripts). Logs go to DIR/logs/.

If a task fails, the filing job is cancelled by Slurm; `olke cluster status DIR` says
which share and which files, and the same command submitted again picks up where it
stopped (finished packages are skipped). The olke binary, the batches, DIR and the
archive must be at the same paths on every node (shared storage).

Options after `--` are recognition options, as `olke recognize` takes them.

Examples:
  olke cluster slurm scans/2024-03 --tasks 8 --packages /shared/olke-packages
  olke cluster slurm scans/* --tasks 16 --cpus-per-task 2 --partition batch --time 02:00:00 \\
      --packages /shared/p -- --lang kaz+rus --no-guard
  olke cluster slurm scans/2024-03 --tasks 4 --packages /shared/p --dry-run";

const STATUS_HELP: &str = "\
Counts the finished packages in DIR against those planned (DIR/plan.json, written when
the work was submitted) and those the recognition runs reported, and lists the shares
that have not reported and the inputs that failed, by file.

Examples:
  olke cluster status /shared/olke-packages
  olke cluster status /shared/olke-packages --json | jq .documents_done";

#[derive(Args, Debug)]
pub(super) struct RecognizeArgs {
    /// Batch folders or scan files (TIFF, JPEG, PNG, PDF).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Folder the packages are written into (shared storage when several machines work).
    #[arg(long, value_name = "DIR")]
    out: PathBuf,
    /// This run's share of the batch's documents: I of N, from 0.
    #[arg(long, value_name = "I/N", default_value = "0/1")]
    shard: Shard,
    #[command(flatten)]
    recognition: RecognitionArgs,
    /// Print the run's report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub(super) struct FileArgs {
    /// Folders of packages written by `olke recognize` (or single packages).
    #[arg(required = true, value_name = "DIR")]
    dirs: Vec<PathBuf>,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub(super) struct ClusterArgs {
    #[command(subcommand)]
    command: ClusterCommand,
}

#[derive(Subcommand, Debug)]
enum ClusterCommand {
    /// Submit recognition as a Slurm array job and filing as a job that waits for it.
    #[command(after_help = SLURM_HELP)]
    Slurm(SlurmArgs),
    /// How far recognition into a packages folder has come.
    #[command(after_help = STATUS_HELP)]
    Status {
        /// The packages folder.
        #[arg(value_name = "DIR")]
        dir: PathBuf,
        #[arg(long)]
        json: bool,
    },
}

#[derive(Args, Debug)]
struct SlurmArgs {
    /// Batch folders or scan files.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Array tasks: the batch is cut into this many shares.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100_000))]
    tasks: u32,
    /// Slurm partition to run in (default: the cluster's default).
    #[arg(long, value_name = "P")]
    partition: Option<String>,
    /// Time limit of each task and of the filing, as sbatch takes it (e.g. 02:00:00).
    #[arg(long, value_name = "T")]
    time: Option<String>,
    /// Cores per task; each task recognizes that many pages at once.
    #[arg(long, value_name = "C", default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=1024))]
    cpus_per_task: u32,
    /// Folder for the packages, scripts and logs, on storage every node sees.
    #[arg(long, value_name = "DIR", default_value = "olke-packages")]
    packages: PathBuf,
    /// Write the scripts and the plan, print the sbatch commands, submit nothing.
    #[arg(long)]
    dry_run: bool,
    #[arg(long)]
    json: bool,
    /// Recognition options (as `olke recognize` takes them), after `--`.
    #[arg(last = true, value_name = "RECOGNIZE OPTIONS")]
    recognize: Vec<String>,
}

/// Recognition options given after `--`, checked before anything is submitted.
#[derive(Parser, Debug)]
#[command(name = "olke recognize")]
struct RecognizeOptions {
    #[command(flatten)]
    recognition: RecognitionArgs,
}

pub(super) fn recognize(archive: &Archive, args: RecognizeArgs) -> Result<u8> {
    if let Some(code) = check_inputs(&args.paths) {
        return Ok(code);
    }
    // The settings of the archive the packages will be filed into, where it is at hand.
    let options = args.recognition.options(Config::load(archive)?);
    let progress = progress::Bar::new();
    let report = ingest::recognize(&args.paths, &args.out, args.shard, &options, &progress)?;
    if args.json {
        print_json(&report)?;
    } else {
        print_shard_summary(&args.out, &report);
    }
    let complete = report.failures.is_empty() && report.manifest_problems.is_empty() && report.unlisted.is_empty();
    Ok(if complete { 0 } else { EXIT_PARTIAL })
}

fn print_shard_summary(out: &Path, report: &ShardReport) {
    let per_minute = if report.seconds > 0.0 { report.pages as f64 / report.seconds * 60.0 } else { 0.0 };
    println!(
        "Share {}/{}: {} package(s) written, {} finished already, of {}; {} pages recognized in {:.1} s ({per_minute:.1} pages/min) into {}",
        report.shard,
        report.shards,
        report.written.len(),
        report.skipped.len(),
        report.expected.len(),
        report.pages,
        report.seconds,
        out.display()
    );
    print_recorded(&report.failures, &report.manifest_problems);
    for path in &report.unlisted {
        println!("  not listed in its batch's manifest, not recognized: {}", path.display());
    }
}

/// The failed inputs and manifest problems recognition runs reported.
fn print_recorded(failures: &[RecordedFailure], problems: &[Problem]) {
    if !failures.is_empty() {
        println!("{} input(s) failed:", failures.len());
        for failure in failures {
            let page = failure.page.map(|p| format!("page {p}: ")).unwrap_or_default();
            println!("  {}: {page}{}", failure.path.display(), failure.reason);
        }
    }
    for problem in problems {
        println!("  manifest problem: {problem}");
    }
}

pub(super) fn file(archive: &Archive, args: FileArgs) -> Result<u8> {
    if let Some(missing) = args.dirs.iter().find(|d| !d.is_dir()) {
        eprintln!("olke: {}: no such folder; give the folder `olke recognize --out` wrote into", missing.display());
        return Ok(EXIT_USAGE);
    }
    let progress = progress::Bar::new();
    let report = ingest::file_packages(archive, &args.dirs, &progress)?;
    print_report(archive, &report, args.json)
}

pub(super) fn cluster(archive: &Archive, args: ClusterArgs) -> Result<u8> {
    match args.command {
        ClusterCommand::Slurm(args) => slurm(archive, args),
        ClusterCommand::Status { dir, json } => status(&dir, json),
    }
}

/// What `olke cluster slurm` submitted.
#[derive(Debug, Serialize)]
struct Submitted {
    /// The array job's id (none on a dry run).
    recognize_job: Option<String>,
    file_job: Option<String>,
    tasks: u32,
    packages: PathBuf,
    documents: usize,
    pages: usize,
    recognize_script: PathBuf,
    file_script: PathBuf,
    /// The commands run (or, on a dry run, to run).
    commands: Vec<String>,
}

fn slurm(archive: &Archive, args: SlurmArgs) -> Result<u8> {
    if let Some(code) = check_inputs(&args.paths) {
        return Ok(code);
    }
    let given = std::iter::once("olke recognize".to_string()).chain(args.recognize.iter().cloned());
    let recognition = match RecognizeOptions::try_parse_from(given) {
        Ok(parsed) => parsed.recognition,
        Err(e) => {
            eprintln!("olke: the recognition options after `--` are not right:\n{e}");
            return Ok(EXIT_USAGE);
        }
    };
    let absolute = |path: &Path| std::path::absolute(path).with_context(|| format!("{}", path.display()));
    let packages = absolute(&args.packages)?;
    let batches: Vec<PathBuf> = args.paths.iter().map(|p| absolute(p)).collect::<Result<_>>()?;
    let archive_root = absolute(archive.root())?;
    let olke = std::env::current_exe().context("cannot tell where this olke is, for the job scripts")?;
    let logs = packages.join("logs");
    std::fs::create_dir_all(&logs).with_context(|| format!("{}: cannot create the folder", logs.display()))?;

    // The plan is written first, so progress can be told before any task has started.
    let options = recognition.options(Config::load(archive)?);
    let planned = ingest::planned_packages(&batches, args.tasks as usize, &options, &progress::Bar::new())?;
    let pages = planned.iter().map(|p| p.pages).sum();
    let documents = planned.len();
    ingest::write_plan(&packages, args.tasks as usize, planned)?;

    let mut recognize = vec![olke.display().to_string(), "recognize".into(), "--out".into()];
    recognize.push(packages.display().to_string());
    recognize.push("--shard".into());
    recognize.push(format!("${{SLURM_ARRAY_TASK_ID}}/{}", args.tasks));
    if recognition.jobs_unset() {
        recognize.extend(["--jobs".into(), "${SLURM_CPUS_PER_TASK:-1}".into()]);
    }
    recognize.extend(args.recognize.iter().cloned());
    recognize.push("--".into());
    recognize.extend(batches.iter().map(|b| b.display().to_string()));
    let recognize_script = packages.join("recognize.sbatch");
    let recognize_lines = [
        "#SBATCH --job-name=olke-recognize".to_string(),
        format!("#SBATCH --cpus-per-task={}", args.cpus_per_task),
        format!("#SBATCH --output={}", logs.join("recognize-%A_%a.out").display()),
    ];
    write_script(&recognize_script, &recognize_lines, &recognize, true)?;
    let filing = [
        olke.display().to_string(),
        "--archive".into(),
        archive_root.display().to_string(),
        "file".into(),
        packages.display().to_string(),
    ];
    let file_script = packages.join("file.sbatch");
    let file_lines = [
        "#SBATCH --job-name=olke-file".to_string(),
        "#SBATCH --cpus-per-task=1".to_string(),
        format!("#SBATCH --output={}", logs.join("file-%j.out").display()),
    ];
    write_script(&file_script, &file_lines, &filing, false)?;

    let mut common = Vec::new();
    if let Some(partition) = &args.partition {
        common.push(format!("--partition={partition}"));
    }
    if let Some(time) = &args.time {
        common.push(format!("--time={time}"));
    }
    let mut array = vec!["--parsable".to_string(), format!("--array=0-{}", args.tasks - 1)];
    array.extend(common.iter().cloned());
    array.push(recognize_script.display().to_string());
    let mut submitted = Submitted {
        recognize_job: None,
        file_job: None,
        tasks: args.tasks,
        packages: packages.clone(),
        documents,
        pages,
        recognize_script: recognize_script.clone(),
        file_script: file_script.clone(),
        commands: vec![format!("sbatch {}", array.join(" "))],
    };
    let after = |job: &str| {
        let mut dependent =
            vec!["--parsable".to_string(), format!("--dependency=afterok:{job}"), "--kill-on-invalid-dep=yes".into()];
        dependent.extend(common.iter().cloned());
        dependent.push(file_script.display().to_string());
        dependent
    };
    if args.dry_run {
        submitted.commands.push(format!("sbatch {}", after("<array job>").join(" ")));
    } else {
        let job = sbatch(&array)?;
        let dependent = after(&job);
        submitted.commands.push(format!("sbatch {}", dependent.join(" ")));
        submitted.file_job = Some(sbatch(&dependent)?);
        submitted.recognize_job = Some(job);
    }
    if args.json {
        print_json(&submitted)?;
    } else {
        print_submitted(&submitted, args.dry_run);
    }
    Ok(0)
}

fn print_submitted(submitted: &Submitted, dry_run: bool) {
    let packages = submitted.packages.display();
    println!(
        "{} documents, {} scanned pages, in {} shares; packages, scripts and logs in {packages}",
        submitted.documents, submitted.pages, submitted.tasks
    );
    match (&submitted.recognize_job, &submitted.file_job) {
        (Some(recognize), Some(file)) => {
            println!("Recognition: array job {recognize} ({} tasks)", submitted.tasks);
            println!("Filing:      job {file} (starts once every task has succeeded)");
            println!("Progress:    olke cluster status {packages}");
        }
        _ if dry_run => {
            println!("Nothing submitted (--dry-run); to submit:");
            for command in &submitted.commands {
                println!("  {command}");
            }
        }
        _ => {}
    }
}

/// Writes a job script: the `#SBATCH` lines, then the command, its words quoted for the
/// shell except the `${…}` that Slurm's environment fills in. With `partial_succeeds`,
/// olke's exit code 3 (some inputs failed, and are reported) ends the job as a success,
/// so one unreadable scan does not hold back the filing of the rest.
fn write_script(path: &Path, directives: &[String], command: &[String], partial_succeeds: bool) -> Result<()> {
    let words: Vec<String> = command.iter().map(|w| shell_word(w)).collect();
    let run = if partial_succeeds {
        format!(
            "{}\ncode=$?\n# {EXIT_PARTIAL}: some inputs failed; `olke cluster status` and the filing name them.\n\
             [ \"$code\" -eq {EXIT_PARTIAL} ] && exit 0\nexit \"$code\"",
            words.join(" \\\n    ")
        )
    } else {
        format!("exec {}", words.join(" \\\n    "))
    };
    let script = format!(
        "#!/bin/sh\n# Written by olke {} (`olke cluster slurm`); submitted with sbatch.\n{}\n{run}\n",
        env!("CARGO_PKG_VERSION"),
        directives.join("\n"),
    );
    crate::archive::write_atomic(path, script.as_bytes()).with_context(|| format!("{}: cannot write", path.display()))
}

/// `word` for the shell: as it is when plain, in double quotes when it holds a `${…}` to
/// expand, else in single quotes.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "/._-+=:,%@".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else if word.contains("${") && !word.contains(['"', '`', '\\']) {
        format!("\"{word}\"")
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}

/// Runs `sbatch --parsable …` and returns the job id it printed.
fn sbatch(args: &[String]) -> Result<String> {
    let output = Command::new("sbatch").args(args).output().map_err(|e| {
        anyhow::anyhow!(
            "cannot run sbatch ({e}): run olke cluster slurm where Slurm's commands are (a login node), \
             or use --dry-run to write the scripts only"
        )
    })?;
    if !output.status.success() {
        bail!(
            "sbatch {} failed: {}; nothing more was submitted",
            args.join(" "),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    // `--parsable` prints `id` or `id;cluster`.
    let text = String::from_utf8_lossy(&output.stdout);
    let id = text.trim().split(';').next().unwrap_or_default().to_string();
    if id.is_empty() || !id.chars().all(|c| c.is_ascii_digit()) {
        bail!("sbatch printed no job id (it printed '{}')", text.trim());
    }
    Ok(id)
}

fn status(dir: &Path, json: bool) -> Result<u8> {
    if !dir.is_dir() {
        eprintln!("olke: {}: no such folder; give the --packages folder of `olke cluster slurm`", dir.display());
        return Ok(EXIT_USAGE);
    }
    let survey = ingest::survey(dir)?;
    if json {
        print_json(&survey)?;
        return Ok(0);
    }
    println!(
        "{} of {} documents recognized ({} of {} scanned pages)",
        survey.documents_done, survey.documents_expected, survey.pages_done, survey.pages_expected
    );
    if let Some(shards) = survey.shards {
        let reported = survey.shards_reported.len();
        println!("{reported} of {shards} shares have reported");
        if !survey.shards_missing.is_empty() {
            let missing: Vec<String> = survey.shards_missing.iter().map(|s| format!("{s}/{shards}")).collect();
            println!(
                "Not reported (running, waiting, or failed: see {}): {}",
                dir.join("logs").display(),
                missing.join(", ")
            );
        }
    }
    if survey.pages_recognized > 0 {
        println!("Mean word confidence so far: {:.1}", survey.mean_conf);
    }
    print_recorded(&survey.failures, &survey.manifest_problems);
    if !survey.not_made.is_empty() {
        println!("Documents their share could not make (see the failures above):");
        for name in &survey.not_made {
            println!("  {name}");
        }
    }
    Ok(0)
}
