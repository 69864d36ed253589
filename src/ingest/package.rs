//! Document packages: the contract between recognition and filing.
//!
//! Recognition writes each document it made into a folder of its own, a *package*, that
//! holds everything filing needs and nothing of the archive: the searchable PDF, one JSON
//! file per page with its words and boxes, and `package.json` (the document as the batch
//! describes it, its source files and their checksums, the record as recognized, the pages
//! to review). Filing takes packages into the archive as its one writer.
//!
//! A package is written under a temporary name (`.partial-…`) and renamed into place
//! whole, so a folder under a package name is always finished: a recognition killed
//! halfway leaves only a `.partial-` folder, which nothing reads and the next run removes.
//! Names are made of the document's id and its content key, so re-running recognition on
//! the same scans finds its packages done and skips them.
//!
//! `package.json` names the olke version that wrote it and [`FORMAT`]; filing refuses a
//! package of another format rather than guess at it.

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::{Failure, ReviewPage, StageSeconds};
use crate::archive::{page_file_name, sync_dir, write_atomic};
use crate::page::RecognizedPage;
use crate::path_error::{at, PathError};
use crate::record::table::Problem;
use crate::record::{Bibliographic, DocumentRecord};

/// The package format this olke writes and files. Raised whenever a change would make an
/// older olke misread a package.
pub(crate) const FORMAT: u32 = 2;

const MANIFEST: &str = "package.json";
const PARTIAL: &str = ".partial-";
/// Where each recognition run writes its report (`<shard>-of-<shards>.json`).
pub(crate) const SHARDS_DIR: &str = "shards";

/// What a package says of itself and its document (`package.json`).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Manifest {
    pub format: u32,
    pub olke_version: String,
    /// The document's place in its batch's plan: filing goes in this order, as ingest would.
    pub order: usize,
    /// The id was given by the batch manifest (taken or refused, never changed).
    pub id_given: bool,
    /// The batch name and file stem that make an id when the one recognized is taken.
    pub batch: String,
    pub stem: String,
    /// The manifest row that describes the document, if one does.
    pub described: Option<(PathBuf, usize)>,
    /// The languages found in the text, those of the most pages first.
    pub text_languages: Vec<String>,
    /// The record as recognition made it: id, description, sources, pages, PDF checksum.
    pub record: DocumentRecord,
    /// Pages doubtful enough for a person to look at (the id is the package's).
    pub review: Vec<ReviewPage>,
    /// Articles catalogued on the document's pages, filed after it (format 2).
    #[serde(default)]
    pub articles: Vec<super::hosted::HostedArticle>,
}

/// A finished package, read back.
pub(crate) struct Package {
    pub dir: PathBuf,
    pub manifest: Manifest,
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum PackageError {
    #[error(transparent)]
    Io(#[from] PathError),
    #[error("{path}: not a document package ({reason}); give the folder recognition wrote packages into")]
    Unreadable { path: PathBuf, reason: String },
    #[error(
        "{path}: package format {found} (written by olke {by}), this olke files format {FORMAT}; \
         file it with the olke that wrote it, or recognize the batch again"
    )]
    UnknownFormat { path: PathBuf, found: u32, by: String },
}

/// The name of the package of document `id` made of scans with `content_key`.
pub(crate) fn name(id: &str, content_key: &str) -> String {
    format!("{id}-{}", &content_key[..content_key.len().min(12)])
}

/// Is the package `name` in `out` finished?
pub(crate) fn finished(out: &Path, name: &str) -> bool {
    out.join(name).join(MANIFEST).is_file()
}

/// A package being written, under its temporary name.
pub(crate) struct Writing {
    partial: PathBuf,
    target: PathBuf,
}

impl Writing {
    pub(crate) fn begin(out: &Path, name: &str) -> Result<Writing, PathError> {
        let partial = out.join(format!("{PARTIAL}{name}-{}", std::process::id()));
        if partial.exists() {
            fs::remove_dir_all(&partial).map_err(at(&partial))?;
        }
        fs::create_dir_all(partial.join("pages")).map_err(at(&partial))?;
        Ok(Writing { partial, target: out.join(name) })
    }

    pub(crate) fn pdf_path(&self) -> PathBuf {
        self.partial.join("document.pdf")
    }

    pub(crate) fn write_page(&self, number: u32, page: &RecognizedPage) -> Result<(), PathError> {
        let path = self.partial.join("pages").join(page_file_name(number));
        write_atomic(&path, &serde_json::to_vec(page).expect("pages serialize")).map_err(at(&path))
    }

    /// Writes `package.json` and moves the package into place. Returns its folder. When a
    /// finished package of the same name is already there (another task, an earlier run),
    /// that one is kept: it was made of the same scans.
    pub(crate) fn finish(self, manifest: &Manifest) -> Result<PathBuf, PathError> {
        let path = self.partial.join(MANIFEST);
        write_atomic(&path, &serde_json::to_vec_pretty(manifest).expect("packages serialize")).map_err(at(&path))?;
        sync_dir(&self.partial).map_err(at(&self.partial))?;
        if self.target.join(MANIFEST).is_file() {
            fs::remove_dir_all(&self.partial).map_err(at(&self.partial))?;
            return Ok(self.target);
        }
        if self.target.exists() {
            // A folder of that name without its manifest is nothing olke wrote: a leftover
            // of a copy by hand, replaced.
            fs::remove_dir_all(&self.target).map_err(at(&self.target))?;
        }
        fs::rename(&self.partial, &self.target).map_err(at(&self.target))?;
        if let Some(out) = self.target.parent() {
            sync_dir(out).map_err(at(out))?;
        }
        Ok(self.target)
    }

    /// Gives the package up (its document could not be made).
    pub(crate) fn abandon(self) -> Result<(), PathError> {
        fs::remove_dir_all(&self.partial).map_err(at(&self.partial))
    }
}

impl Package {
    /// Reads the package in `dir`, refusing one of an unknown format.
    pub(crate) fn read(dir: &Path) -> Result<Package, PackageError> {
        let path = dir.join(MANIFEST);
        let bytes = fs::read(&path).map_err(at(&path))?;
        let unreadable = |reason: String| PackageError::Unreadable { path: path.clone(), reason };
        // The format is read on its own first, so a future layout is named as such.
        #[derive(Deserialize)]
        struct Stamp {
            format: u32,
            #[serde(default)]
            olke_version: String,
        }
        let stamp: Stamp = serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
        if stamp.format != FORMAT {
            return Err(PackageError::UnknownFormat { path, found: stamp.format, by: stamp.olke_version });
        }
        let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| unreadable(e.to_string()))?;
        Ok(Package { dir: dir.to_path_buf(), manifest })
    }

    pub(crate) fn pdf_path(&self) -> PathBuf {
        self.dir.join("document.pdf")
    }

    /// The pages with their words and boxes, in order, as JSON and as read.
    pub(crate) fn pages(&self) -> Result<Vec<(Vec<u8>, RecognizedPage)>, PackageError> {
        (1..=self.manifest.record.pages.len() as u32)
            .map(|number| {
                let path = self.dir.join("pages").join(page_file_name(number));
                let json = fs::read(&path).map_err(at(&path))?;
                let page = serde_json::from_slice(&json)
                    .map_err(|e| PackageError::Unreadable { path: path.clone(), reason: e.to_string() })?;
                Ok((json, page))
            })
            .collect()
    }

    pub(crate) fn bib(&self) -> &Bibliographic {
        &self.manifest.record.bib
    }
}

/// The finished packages in `dir` (a folder of packages, or one package), in the order
/// their batches planned them.
pub(crate) fn list(dir: &Path) -> Result<Vec<Package>, PackageError> {
    if dir.join(MANIFEST).is_file() {
        return Ok(vec![Package::read(dir)?]);
    }
    let entries = fs::read_dir(dir).map_err(at(dir))?;
    let mut packages = Vec::new();
    for entry in entries {
        let entry = entry.map_err(at(dir))?;
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') || name == SHARDS_DIR || !entry.path().join(MANIFEST).is_file() {
            continue;
        }
        packages.push(Package::read(&entry.path())?);
    }
    packages.sort_by(|a, b| (a.manifest.order, &a.dir).cmp(&(b.manifest.order, &b.dir)));
    Ok(packages)
}

/// A failure as a package folder keeps it (the reason as text).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct RecordedFailure {
    pub path: PathBuf,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<usize>,
    pub reason: String,
}

impl From<&Failure> for RecordedFailure {
    fn from(failure: &Failure) -> RecordedFailure {
        RecordedFailure { path: failure.path.clone(), page: failure.page, reason: failure.reason.to_string() }
    }
}

impl From<RecordedFailure> for Failure {
    fn from(recorded: RecordedFailure) -> Failure {
        Failure { path: recorded.path, page: recorded.page, reason: super::Reason::Recorded(recorded.reason) }
    }
}

/// One recognition run's share of a batch and what became of it
/// (`shards/<shard>-of-<shards>.json` beside the packages).
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub(crate) struct ShardReport {
    pub format: u32,
    pub olke_version: String,
    /// This run's share, from 0, of `shards`.
    pub shard: usize,
    pub shards: usize,
    /// The packages of this share, finished or not: what filing expects from it.
    pub expected: Vec<String>,
    /// Packages this run wrote.
    pub written: Vec<String>,
    /// Packages an earlier run had finished, left as they were.
    pub skipped: Vec<String>,
    /// Pages recognized by this run, and those of PDFs kept with their own text layer.
    pub pages: usize,
    pub kept_pages: usize,
    /// Mean word confidence over this run's pages, and the words it is over.
    pub mean_conf: f32,
    pub words: usize,
    pub stage_seconds: StageSeconds,
    pub failures: Vec<RecordedFailure>,
    pub manifest_problems: Vec<Problem>,
    pub manifest_warnings: Vec<Problem>,
    pub unlisted: Vec<PathBuf>,
    pub seconds: f64,
}

impl ShardReport {
    pub(crate) fn path(out: &Path, shard: usize, shards: usize) -> PathBuf {
        out.join(SHARDS_DIR).join(format!("{shard}-of-{shards}.json"))
    }

    pub(crate) fn write(&self, out: &Path) -> Result<(), PathError> {
        let path = ShardReport::path(out, self.shard, self.shards);
        let dir = path.parent().expect("under the shards folder");
        fs::create_dir_all(dir).map_err(at(dir))?;
        write_atomic(&path, &serde_json::to_vec_pretty(self).expect("reports serialize")).map_err(at(&path))
    }

    /// Every shard report in `out`, by shard.
    pub(crate) fn all(out: &Path) -> Result<Vec<ShardReport>, PackageError> {
        let dir = out.join(SHARDS_DIR);
        let Ok(entries) = fs::read_dir(&dir) else { return Ok(Vec::new()) };
        let mut reports = Vec::new();
        for entry in entries.filter_map(Result::ok) {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let bytes = fs::read(&path).map_err(at(&path))?;
            let report: ShardReport = serde_json::from_slice(&bytes)
                .map_err(|e| PackageError::Unreadable { path: path.clone(), reason: e.to_string() })?;
            if report.format != FORMAT {
                return Err(PackageError::UnknownFormat { path, found: report.format, by: report.olke_version });
            }
            reports.push(report);
        }
        reports.sort_by_key(|r| (r.shards, r.shard));
        Ok(reports)
    }
}

/// `plan.json`: the packages a batch will make, written when recognition is submitted, so
/// progress can be told before every run has reported.
pub(crate) const PLAN: &str = "plan.json";

/// One package a batch's recognition will write.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Planned {
    pub package: String,
    pub shard: usize,
    /// Scanned pages (a spread is one).
    pub pages: usize,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub(crate) struct Plan {
    pub format: u32,
    pub shards: usize,
    pub packages: Vec<Planned>,
}

impl Plan {
    pub(crate) fn write(&self, out: &Path) -> Result<(), PathError> {
        fs::create_dir_all(out).map_err(at(out))?;
        let path = out.join(PLAN);
        write_atomic(&path, &serde_json::to_vec_pretty(self).expect("plans serialize")).map_err(at(&path))
    }

    fn read(out: &Path) -> Result<Option<Plan>, PackageError> {
        let path = out.join(PLAN);
        let Ok(bytes) = fs::read(&path) else { return Ok(None) };
        let plan: Plan = serde_json::from_slice(&bytes)
            .map_err(|e| PackageError::Unreadable { path: path.clone(), reason: e.to_string() })?;
        if plan.format != FORMAT {
            return Err(PackageError::UnknownFormat { path, found: plan.format, by: "?".into() });
        }
        Ok(Some(plan))
    }
}

/// How far recognition into a folder has come: the packages expected (by the plan and
/// the runs' reports) and finished, the shares that reported, and what they reported.
#[derive(Debug, Default, Serialize)]
pub(crate) struct Survey {
    pub dir: PathBuf,
    /// Into how many shares the batch was cut (when known).
    pub shards: Option<usize>,
    pub documents_expected: usize,
    pub documents_done: usize,
    pub pages_expected: usize,
    pub pages_done: usize,
    /// Shares whose run has reported, and those that have not (still running, not
    /// started, or failed: their log says which).
    pub shards_reported: Vec<usize>,
    pub shards_missing: Vec<usize>,
    /// Packages expected and not there whose share has not reported, with their share.
    pub missing: Vec<(String, Option<usize>)>,
    /// Packages their share's run could not make (its failures say why).
    pub not_made: Vec<String>,
    /// Pages recognized by the runs that reported, and their mean word confidence.
    pub pages_recognized: usize,
    pub kept_pages: usize,
    pub mean_conf: f32,
    #[serde(skip)]
    words: usize,
    #[serde(skip)]
    stage_seconds: StageSeconds,
    /// Inputs that failed, by file.
    pub failures: Vec<RecordedFailure>,
    pub manifest_problems: Vec<Problem>,
    #[serde(skip)]
    manifest_warnings: Vec<Problem>,
    pub unlisted: Vec<PathBuf>,
}

impl Survey {
    pub(crate) fn of(dir: &Path) -> Result<Survey, PackageError> {
        let plan = Plan::read(dir)?;
        let reports = ShardReport::all(dir)?;
        let shards = plan.as_ref().map(|p| p.shards).or_else(|| reports.iter().map(|r| r.shards).max());
        // Expected packages, each with its share and scanned pages where the plan tells.
        let mut expected: std::collections::BTreeMap<String, (Option<usize>, Option<usize>)> = Default::default();
        for planned in plan.iter().flat_map(|p| &p.packages) {
            expected.insert(planned.package.clone(), (Some(planned.shard), Some(planned.pages)));
        }
        let mut survey = Survey { dir: dir.to_path_buf(), shards, ..Default::default() };
        for report in reports.iter().filter(|r| Some(r.shards) == shards) {
            survey.shards_reported.push(report.shard);
            for name in &report.expected {
                expected.entry(name.clone()).or_insert((Some(report.shard), None));
            }
            let words = survey.words + report.words;
            if words > 0 {
                survey.mean_conf = ((survey.mean_conf as f64 * survey.words as f64
                    + report.mean_conf as f64 * report.words as f64)
                    / words as f64) as f32;
            }
            survey.words = words;
            survey.pages_recognized += report.pages;
            survey.kept_pages += report.kept_pages;
            survey.stage_seconds += report.stage_seconds;
            survey.failures.extend(report.failures.iter().cloned());
            survey.manifest_problems.extend(report.manifest_problems.iter().cloned());
            survey.manifest_warnings.extend(report.manifest_warnings.iter().cloned());
            survey.unlisted.extend(report.unlisted.iter().cloned());
        }
        survey.shards_missing = (0..shards.unwrap_or(0)).filter(|s| !survey.shards_reported.contains(s)).collect();
        for (name, (shard, pages)) in &expected {
            let package = finished(dir, name).then(|| Package::read(&dir.join(name))).transpose()?;
            let pages = pages.or_else(|| package.as_ref().map(|p| p.manifest.record.pages.len())).unwrap_or(0);
            survey.documents_expected += 1;
            survey.pages_expected += pages;
            match package {
                Some(_) => {
                    survey.documents_done += 1;
                    survey.pages_done += pages;
                }
                None if shard.is_some_and(|s| survey.shards_reported.contains(&s)) => {
                    survey.not_made.push(name.clone())
                }
                None => survey.missing.push((name.clone(), *shard)),
            }
        }
        Ok(survey)
    }

    /// Adds what recognition reported to a filing's report, and names the packages
    /// expected that are not there.
    pub(crate) fn add_to(self, report: &mut super::IngestReport, progress: &dyn super::Progress) {
        if self.words > 0 {
            report.mean_conf = self.mean_conf;
        }
        report.pages += self.pages_recognized;
        report.kept_pages += self.kept_pages;
        report.stage_seconds += self.stage_seconds;
        for failure in self.failures.into_iter().map(Failure::from) {
            progress.note(&failure.to_string());
            report.failures.push(failure);
        }
        report.manifest_problems.extend(self.manifest_problems);
        report.manifest_warnings.extend(self.manifest_warnings);
        report.unlisted.extend(self.unlisted);
        for shard in &self.shards_missing {
            let shards = self.shards.unwrap_or(0);
            progress.note(&format!(
                "{}: share {shard}/{shards} has not reported (still running, or failed: see its log); \
                 run its recognition again, then file again",
                self.dir.display()
            ));
        }
        for (name, _) in self.missing {
            report.missing.push(self.dir.join(name));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    fn manifest(order: usize) -> Manifest {
        Manifest {
            format: FORMAT,
            olke_version: env!("CARGO_PKG_VERSION").into(),
            order,
            id_given: false,
            batch: "b".into(),
            stem: "a".into(),
            described: None,
            text_languages: vec![],
            record: document("a", &[("title", "A")]),
            review: vec![],
            articles: vec![],
        }
    }

    #[test]
    fn a_package_is_seen_only_once_finished_and_listed_in_plan_order() {
        let out = tempfile::tempdir().unwrap();
        let first = Writing::begin(out.path(), "later").unwrap();
        assert!(list(out.path()).unwrap().is_empty(), "a package being written is not listed");
        assert!(!finished(out.path(), "later"));
        first.finish(&manifest(5)).unwrap();
        Writing::begin(out.path(), "sooner").unwrap().finish(&manifest(2)).unwrap();
        // A run killed halfway leaves a partial folder, never taken for a package.
        let killed = Writing::begin(out.path(), "killed").unwrap();
        std::mem::forget(killed);
        let names: Vec<String> = list(out.path())
            .unwrap()
            .iter()
            .map(|p| p.dir.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["sooner", "later"]);
        assert!(finished(out.path(), "later"));
    }

    #[test]
    fn a_package_of_another_format_is_refused_by_name() {
        let out = tempfile::tempdir().unwrap();
        let dir = Writing::begin(out.path(), "p").unwrap().finish(&manifest(0)).unwrap();
        let path = dir.join(MANIFEST);
        let text = fs::read_to_string(&path).unwrap().replacen(&format!("\"format\": {FORMAT}"), "\"format\": 99", 1);
        fs::write(&path, text).unwrap();
        let error = Package::read(&dir).err().expect("format 99 is refused").to_string();
        assert!(error.contains("package format 99"), "{error}");
        assert!(error.contains(&dir.display().to_string()), "{error}");
        fs::write(&path, "{\"pages\": 3}").unwrap();
        let error = Package::read(&dir).err().expect("no format at all is refused").to_string();
        assert!(error.contains("not a document package"), "{error}");
    }
}
