//! Planning: which scans form which document, settled against the catalogue before any
//! page is recognized. A batch folder's manifest says it where there is one (checked whole
//! first); otherwise every scan file is a document of its own.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use tempfile::TempPath;

use super::hosted::HostedArticle;
use super::manifest;
use super::{DocumentReport, Failure, IngestError, IngestOptions, IngestReport, Outcome, Progress, Reason};
use crate::archive::{sanitize_id, sha256_file, Archive};
use crate::catalog::Catalog;
use crate::load::pdf::EmbeddedMetadata;
use crate::load::{self, Format, LoadError};
use crate::ocr;
use crate::record::table::{Problem, ID};
use crate::record::{Bibliographic, DocumentRecord, SourceFile};

/// The documents to make of `inputs`, and the articles to file on issues archived before.
pub(super) struct Plan {
    pub(super) documents: Vec<PlannedDocument>,
    /// Articles whose host issue's scans are archived already, by the host's id: filed on
    /// it without recognizing its pages again.
    pub(super) on_archived: Vec<(String, Vec<HostedArticle>)>,
}

/// The documents to make of `inputs` (batch folders or single scan files), each with its
/// id settled. What cannot be used goes into `report`.
/// Without a catalogue (recognition on its own), documents are settled only among
/// themselves: each gets the id it would get in an empty archive, and filing settles it
/// against the archive.
pub(super) fn plan(
    archived: Option<(&Archive, &Catalog)>,
    inputs: &[PathBuf],
    options: &IngestOptions,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Result<Plan, IngestError> {
    let archive_root = archived.and_then(|(archive, _)| std::fs::canonicalize(archive.root()).ok());
    let batches: Vec<Batch> = inputs.iter().map(|input| Batch::of(input, archive_root.as_deref())).collect();
    note_archive_left_out(&batches, archive_root.as_deref(), progress);
    let sources = survey(&batches, &mut report.failures, progress);
    for failure in &report.failures {
        progress.note(&failure.to_string());
    }
    let drafts = drafts(&batches, sources, options, report, progress);
    let mut plan = resolve(archived, drafts, options, report, progress)?;
    for (order, document) in plan.documents.iter_mut().enumerate() {
        document.order = order;
    }
    Ok(plan)
}

/// Says when the archive lies inside a batch folder (it is left out of the batch).
fn note_archive_left_out(batches: &[Batch], archive: Option<&Path>, progress: &dyn Progress) {
    let Some(archive) = archive else { return };
    for batch in batches.iter().filter(|b| b.folder) {
        if std::fs::canonicalize(&batch.root).is_ok_and(|root| archive.starts_with(root)) {
            progress.note(&format!("{}: the archive is inside this batch folder; left out", archive.display()));
        }
    }
}

/// A source file planned into a document.
#[derive(Clone, Debug)]
pub(super) struct PlannedSource {
    pub(super) path: PathBuf,
    pub(super) format: Format,
    pub(super) pages: usize,
    pub(super) file: SourceFile,
    /// What a PDF says about itself.
    pub(super) metadata: Option<EmbeddedMetadata>,
    /// An encrypted PDF's decrypted copy, which its pages are read from.
    pub(super) decrypted: Option<Arc<TempPath>>,
}

impl PlannedSource {
    /// Where the file's pages are read from: the file, or its decrypted copy.
    pub(super) fn readable(&self) -> &Path {
        self.decrypted.as_deref().map_or(&self.path, |copy| copy)
    }
}

/// A document to make.
#[derive(Debug)]
pub(super) struct PlannedDocument {
    /// Its place in the plan of the whole batch (shards are cut by it).
    pub(super) order: usize,
    pub(super) id: String,
    /// The id is the one the manifest gives.
    pub(super) id_given: bool,
    /// The batch name and first file's stem, which make an id when the planned one is taken.
    pub(super) batch: String,
    pub(super) stem: String,
    /// Tesseract models for its pages: those of the record's languages when it states them.
    pub(super) models: String,
    pub(super) bib: Bibliographic,
    /// The manifest row the description comes from (none: made up from the file name).
    pub(super) described: Option<(PathBuf, usize)>,
    pub(super) sources: Vec<PlannedSource>,
    pub(super) content_key: String,
    /// The articles catalogued on its pages.
    pub(super) articles: Vec<HostedArticle>,
}

impl PlannedDocument {
    pub(super) fn scanned_pages(&self) -> usize {
        self.sources.iter().map(|s| s.pages).sum()
    }

    /// The name of its package (see [`super::package`]).
    pub(super) fn package_name(&self) -> String {
        super::package::name(&self.id, &self.content_key)
    }
}

/// A batch argument, listed: a folder of scans, or a single file (its folder is the batch).
struct Batch {
    name: String,
    root: PathBuf,
    entries: Vec<load::BatchEntry>,
    /// Given as a folder: only then does its manifest apply.
    folder: bool,
}

impl Batch {
    /// The batch `input`, without the folder `archive` (canonical) if it lies inside.
    fn of(input: &Path, archive: Option<&Path>) -> Batch {
        let absolute = std::path::absolute(input).unwrap_or_else(|_| input.to_path_buf());
        let folder = absolute.is_dir();
        let root = if folder { absolute.clone() } else { absolute.parent().map(Path::to_path_buf).unwrap_or_default() };
        let name = root.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| "batch".into());
        let entries = if folder {
            load::batch_files(&absolute, archive)
        } else if absolute.exists() {
            vec![Ok(absolute)]
        } else {
            vec![Err((input.to_path_buf(), "no such file or folder".to_string()))]
        };
        Batch { name, root, entries, folder }
    }

    /// The files that may be scans (those plainly not, like notes, left out).
    fn scans(&self) -> impl Iterator<Item = &PathBuf> {
        self.entries.iter().filter_map(|e| e.as_ref().ok()).filter(|path| load::not_a_scan(path).is_none())
    }
}

/// Looks at every input file: format, pages, checksum. Returns the usable ones.
fn survey(batches: &[Batch], failures: &mut Vec<Failure>, progress: &dyn Progress) -> Vec<(String, PlannedSource)> {
    let mut candidates = Vec::new();
    for batch in batches {
        let before = candidates.len();
        for entry in &batch.entries {
            match entry {
                Ok(path) => match load::not_a_scan(path) {
                    Some(reason) => progress.note(&format!("{}: {reason}", path.display())),
                    None => candidates.push((batch.name.clone(), batch.root.clone(), path.clone())),
                },
                Err((path, reason)) => {
                    failures.push(Failure { path: path.clone(), page: None, reason: Reason::Unlisted(reason.clone()) })
                }
            }
        }
        if batch.folder && candidates.len() == before {
            progress.note(&format!(
                "{}: no scans in this folder (olke reads TIFF, JPEG, PNG and PDF)",
                batch.root.display()
            ));
        }
    }
    let surveyed: Vec<_> = candidates
        .into_par_iter()
        .map(|(batch, root, path)| {
            let result = load::probe(&path).map_err(Reason::Load).and_then(|info| {
                let (sha256, bytes) = sha256_file(&path).map_err(Reason::Read)?;
                let name = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().into_owned();
                let file = SourceFile::at(&path, batch.clone(), name, sha256, bytes);
                Ok((
                    PlannedSource {
                        path: path.clone(),
                        format: info.format,
                        pages: info.pages,
                        file,
                        metadata: info.metadata,
                        decrypted: info.decrypted,
                    },
                    info.damage,
                ))
            });
            (batch, path, result)
        })
        .collect();
    let mut usable = Vec::new();
    for (batch, path, result) in surveyed {
        match result {
            Ok((source, damage)) => {
                if let Some(damage) = damage {
                    failures.push(Failure { path: path.clone(), page: None, reason: Reason::Damaged(damage) });
                }
                usable.push((batch, source));
            }
            Err(Reason::Load(LoadError::TextFile)) => {
                progress.note(&format!("{}: {}", path.display(), LoadError::TextFile))
            }
            Err(reason) => failures.push(Failure { path, page: None, reason }),
        }
    }
    usable
}

/// SHA-256 over the sources' checksums in page order.
fn content_key(sources: &[PlannedSource]) -> String {
    let mut hasher = Sha256::new();
    for source in sources {
        hasher.update(source.file.sha256.as_bytes());
        hasher.update(b"\n");
    }
    hex::encode(hasher.finalize())
}

/// A document before its id is settled: the batch it came from and the name it suggests.
struct Draft {
    batch: String,
    /// The first file's stem: the id when none is given.
    stem: String,
    /// The id its manifest gives.
    id: Option<String>,
    /// The manifest row that describes it.
    described: Option<(PathBuf, usize)>,
    bib: Bibliographic,
    sources: Vec<PlannedSource>,
    articles: Vec<HostedArticle>,
}

fn file_stem(path: &Path) -> String {
    path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Without a manifest, every scan file is one document named after the file (or titled
/// as its PDF says).
fn drafts_from_files(sources: Vec<(String, PlannedSource)>) -> Vec<Draft> {
    sources
        .into_iter()
        .map(|(batch, source)| {
            let stem = file_stem(&source.path);
            Draft {
                batch,
                bib: Bibliographic { title: stem.clone(), ..Default::default() },
                stem,
                id: None,
                described: None,
                sources: vec![source],
                articles: Vec::new(),
            }
        })
        .collect()
}

impl Draft {
    /// Completes the description with what the files know: a PDF's own metadata where the
    /// manifest (if any) leaves a field empty, and the folder as a collection when asked.
    fn complete(&mut self, collection_from_folder: bool) {
        if let Some(metadata) = &self.sources[0].metadata {
            metadata.fill_blanks(&mut self.bib, &self.stem);
        }
        let folder = self.sources[0].path.parent().and_then(Path::file_name).map(|n| n.to_string_lossy().into_owned());
        if let Some(folder) = folder.filter(|f| collection_from_folder && !self.bib.collections.contains(f)) {
            self.bib.collections.push(folder);
        }
    }
}

/// The usable scans not yet planned into a document, in survey order.
struct Unplanned {
    index: HashMap<PathBuf, usize>,
    sources: Vec<Option<(String, PlannedSource)>>,
}

impl Unplanned {
    fn new(sources: Vec<(String, PlannedSource)>) -> Unplanned {
        let index = sources.iter().enumerate().map(|(i, (_, s))| (s.path.clone(), i)).collect();
        Unplanned { index, sources: sources.into_iter().map(Some).collect() }
    }

    fn take(&mut self, path: &Path) -> Option<(String, PlannedSource)> {
        self.index.get(path).and_then(|&i| self.sources[i].take())
    }

    fn contains(&self, path: &Path) -> bool {
        self.index.get(path).is_some_and(|&i| self.sources[i].is_some())
    }

    fn rest(self) -> Vec<(String, PlannedSource)> {
        self.sources.into_iter().flatten().collect()
    }
}

/// Which scans form which document: as a batch folder's manifest says where it has one
/// (checked whole before any page is recognized), else one document per scan file.
fn drafts(
    batches: &[Batch],
    sources: Vec<(String, PlannedSource)>,
    options: &IngestOptions,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Vec<Draft> {
    let mut unplanned = Unplanned::new(sources);
    let mut planned = Vec::new();
    for batch in batches.iter().filter(|b| b.folder) {
        let scans: Vec<PathBuf> = batch.scans().cloned().collect();
        let Some(manifest) = manifest::read(&batch.root, &scans) else { continue };
        for problem in &manifest.problems {
            progress.note(&problem.to_string());
        }
        for warning in &manifest.warnings {
            progress.note(&format!("warning: {warning}"));
        }
        report.manifest_problems.extend(manifest.problems.iter().cloned());
        report.manifest_warnings.extend(manifest.warnings.iter().cloned());
        if !manifest.usable {
            progress.note(&format!(
                "{}: nothing ingested from this batch until its manifest is fixed",
                batch.root.display()
            ));
            for scan in &scans {
                unplanned.take(scan);
            }
            continue;
        }
        for entry in manifest.entries {
            let found: Vec<Option<(String, PlannedSource)>> =
                entry.files.iter().map(|file| unplanned.take(file)).collect();
            let unusable: Vec<String> = entry
                .files
                .iter()
                .zip(&found)
                .filter(|(_, f)| f.is_none())
                .map(|(file, _)| file.display().to_string())
                .collect();
            if !unusable.is_empty() {
                let reason = Reason::RowNotIngested { row: entry.row, files: unusable };
                let failure = Failure { path: manifest.path.clone(), page: None, reason };
                progress.note(&failure.to_string());
                report.failures.push(failure);
                continue;
            }
            let sources: Vec<PlannedSource> = found.into_iter().flatten().map(|(_, source)| source).collect();
            let stem = file_stem(&sources[0].path);
            planned.push(Draft {
                batch: batch.name.clone(),
                stem,
                id: entry.id,
                described: Some((manifest.path.clone(), entry.row)),
                bib: entry.bib,
                sources,
                articles: entry.articles,
            });
        }
        // Scans of rows with problems are accounted for by those problems.
        for scan in &manifest.claimed {
            unplanned.take(scan);
        }
        let unlisted: Vec<&PathBuf> = scans.iter().filter(|scan| unplanned.contains(scan)).collect();
        for scan in unlisted {
            let listed = manifest.path.display();
            if options.include_unlisted {
                progress
                    .note(&format!("{}: not listed in {listed}; archived as a document of its own", scan.display()));
            } else {
                progress.note(&format!("{}: not listed in {listed}; not ingested (--include-unlisted archives it as a document of its own)", scan.display()));
                unplanned.take(scan);
                report.unlisted.push(scan.clone());
            }
        }
    }
    planned.extend(drafts_from_files(unplanned.rest()));
    for draft in &mut planned {
        draft.complete(options.collection_from_folder);
    }
    planned
}

/// Settles each draft against the catalogue: already archived (skip), a changed version of
/// an archived document (same id, made again), or new (its own unique id).
fn resolve(
    archived: Option<(&Archive, &Catalog)>,
    drafts: Vec<Draft>,
    options: &IngestOptions,
    report: &mut IngestReport,
    progress: &dyn Progress,
) -> Result<Plan, IngestError> {
    let mut on_archived = Vec::new();
    let mut taken: HashSet<String> = match archived {
        Some((_, catalog)) => catalog.ids()?.into_iter().collect(),
        None => HashSet::new(),
    };
    let mut keys_this_run: HashMap<String, String> = HashMap::new();
    // Ids planned in this run, with where each came from (a manifest row or a scan).
    let mut planned_ids: HashMap<String, String> = HashMap::new();
    let mut planned = Vec::new();
    for draft in drafts {
        let key = content_key(&draft.sources);
        let mut remake = None;
        if let Some((archive, catalog)) = archived {
            match archived_as(archive, catalog, &key)? {
                Archived::No => {}
                Archived::Damaged(id, damage) => {
                    progress.note(&format!("{id}: {damage}; made again from its scans"));
                    remake = Some(id);
                }
                Archived::Sound(record) => {
                    let differs = if draft.described.is_some() && draft.bib != record.bib {
                        "; its manifest row differs from the archived description (`olke catalog apply` changes that)"
                    } else {
                        ""
                    };
                    progress.note(&format!(
                        "{}: already archived as {}, skipped{differs}",
                        draft.sources[0].path.display(),
                        record.id
                    ));
                    report.documents.push(DocumentReport::of(&record, Outcome::Unchanged));
                    if !draft.articles.is_empty() {
                        on_archived.push((record.id, draft.articles));
                    }
                    continue;
                }
            }
        }
        if let Some(id) = keys_this_run.get(&key) {
            progress.note(&format!("{}: same scans as {id} in this run, skipped", draft.sources[0].path.display()));
            continue;
        }
        let models = if draft.bib.language.is_empty() {
            // Checked before anything started.
            options.models.clone()
        } else {
            let models = ocr::models_for(&draft.bib.language, &options.language_models, &options.models);
            // A language a manifest row states (only a manifest states them) without a
            // model fails that row only.
            if let (Err(missing), Some((file, row))) = (ocr::check_models(&models), &draft.described) {
                let reason = format!("{missing}; or name the model that reads it in olke.toml's [ocr.models]");
                let problem = Problem {
                    file: file.clone(),
                    row: Some(*row),
                    line: None,
                    column: Some("language".to_string()),
                    reason,
                };
                progress.note(&problem.to_string());
                report.manifest_problems.push(problem);
                continue;
            }
            models
        };
        let files: Vec<&SourceFile> = draft.sources.iter().map(|s| &s.file).collect();
        let existing = match (remake, archived) {
            (Some(id), _) => Some(id),
            (None, Some((_, catalog))) => archived_source(catalog, &files)?,
            (None, None) => None,
        };
        // When a manifest splits an archived document, its first part keeps the id.
        let existing = existing.filter(|id| !planned_ids.contains_key(id));
        let id = match (existing, &draft.id) {
            (Some(id), _) => id,
            (None, Some(id)) if taken.contains(id) => {
                let (file, row) = draft.described.clone().expect("only a manifest gives ids");
                let holder = match planned_ids.get(id) {
                    Some(origin) => format!("another document of this run ({origin})"),
                    None => "another document in the archive".to_string(),
                };
                let reason = format!("id '{id}' is already given to {holder}; choose another or leave the cell empty");
                let problem = Problem { file, row: Some(row), line: None, column: Some(ID.to_string()), reason };
                progress.note(&problem.to_string());
                report.manifest_problems.push(problem);
                continue;
            }
            (None, Some(id)) => id.clone(),
            (None, None) => unique_id(&draft.batch, &draft.stem, |id| taken.contains(id)),
        };
        taken.insert(id.clone());
        let origin = match &draft.described {
            Some((file, row)) => format!("{}, row {row}", file.display()),
            None => draft.sources[0].path.display().to_string(),
        };
        planned_ids.insert(id.clone(), origin);
        keys_this_run.insert(key.clone(), id.clone());
        planned.push(PlannedDocument {
            order: 0, // numbered once the plan is whole
            id,
            id_given: draft.id.is_some(),
            batch: draft.batch,
            stem: draft.stem,
            models,
            bib: draft.bib,
            described: draft.described,
            sources: draft.sources,
            content_key: key,
            articles: draft.articles,
        });
    }
    Ok(Plan { documents: planned, on_archived })
}

/// Whether scans with content key `key` are archived, and in what state.
pub(super) enum Archived {
    No,
    /// Archived, its PDF sound: nothing to do.
    Sound(Box<DocumentRecord>),
    /// Archived, but its PDF is gone or damaged (why): made again under its id.
    Damaged(String, String),
}

pub(super) fn archived_as(archive: &Archive, catalog: &Catalog, key: &str) -> Result<Archived, IngestError> {
    let record = match catalog.find_content(key)? {
        Some(id) => catalog.get(&id)?,
        None => None,
    };
    Ok(match record {
        None => Archived::No,
        Some(record) => match pdf_damage(archive, &record) {
            Some(damage) => Archived::Damaged(record.id, damage),
            None => Archived::Sound(Box::new(record)),
        },
    })
}

/// The archived document one of `files` belongs to (an earlier version of these scans).
pub(super) fn archived_source(catalog: &Catalog, files: &[&SourceFile]) -> Result<Option<String>, IngestError> {
    for file in files {
        if let Some(id) = catalog.find_source(&file.identity())? {
            return Ok(Some(id));
        }
    }
    Ok(None)
}

/// Why a document's archived PDF cannot be trusted (missing, or not the bytes its record
/// names), if it cannot.
fn pdf_damage(archive: &Archive, record: &DocumentRecord) -> Option<String> {
    let path = archive.pdf_path(&record.id);
    match sha256_file(&path) {
        Ok((sha256, _)) if sha256 == record.pdf_sha256 => None,
        Ok(_) => Some(format!("{} differs from the PDF its record names (damaged)", path.display())),
        Err(e) => Some(format!("{}: {e}", path.display())),
    }
}

/// The file stem, or `batch-stem` when the stem is taken, or a numbered variant.
pub(super) fn unique_id(batch: &str, stem: &str, taken: impl Fn(&str) -> bool) -> String {
    let plain = sanitize_id(stem);
    if !taken(&plain) {
        return plain;
    }
    let qualified = sanitize_id(&format!("{batch}-{stem}"));
    if !taken(&qualified) {
        return qualified;
    }
    (2..).map(|n| sanitize_id(&format!("{qualified}-{n}"))).find(|id| !taken(id)).expect("an unused number exists")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Progress that goes nowhere.
    struct Silent;
    impl Progress for Silent {}

    /// A batch folder of stand-in scans (planning does not decode them), with `csv` as its
    /// manifest when given.
    fn batch(name: &str, scans: &[&str], csv: Option<&str>) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join(name);
        std::fs::create_dir_all(&root).unwrap();
        for scan in scans {
            std::fs::write(root.join(scan), format!("{name}/{scan}")).unwrap();
        }
        if let Some(csv) = csv {
            std::fs::write(root.join(manifest::CSV_NAME), csv).unwrap();
        }
        (dir, root)
    }

    /// What the survey would find of `path`: one page, its checksum from its bytes.
    fn source(batch: &str, path: &Path) -> (String, PlannedSource) {
        let (sha256, bytes) = sha256_file(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let file = SourceFile::at(path, batch.into(), name, sha256, bytes);
        (
            batch.to_string(),
            PlannedSource {
                path: path.to_path_buf(),
                format: Format::Png,
                pages: 1,
                file,
                metadata: None,
                decrypted: None,
            },
        )
    }

    fn sources_of(batch: &Batch) -> Vec<(String, PlannedSource)> {
        batch.scans().map(|path| source(&batch.name, path)).collect()
    }

    fn draft(batch: &str, path: &Path) -> Draft {
        let (batch, source) = source(batch, path);
        drafts_from_files(vec![(batch, source)]).pop().unwrap()
    }

    #[test]
    fn an_id_is_the_stem_then_batch_and_stem_then_numbered() {
        let (_dir, root) = batch("gazeta", &["p1.png"], None);
        let draft = draft("gazeta", &root.join("p1.png"));
        let mut taken = HashSet::new();
        let ids: Vec<String> = (0..4)
            .map(|_| {
                let id = unique_id(&draft.batch, &draft.stem, |id| taken.contains(id));
                taken.insert(id.clone());
                id
            })
            .collect();
        assert_eq!(ids, ["p1", "gazeta-p1", "gazeta-p1-2", "gazeta-p1-3"]);
    }

    #[test]
    fn the_content_key_changes_with_any_source_and_with_their_order() {
        let (_dir, root) = batch("b", &["a.png", "c.png"], None);
        let a = source("b", &root.join("a.png")).1;
        let c = source("b", &root.join("c.png")).1;
        let ac = content_key(&[a.clone(), c.clone()]);
        assert_eq!(ac, content_key(&[a.clone(), c.clone()]));
        assert_ne!(ac, content_key(&[c.clone(), a.clone()]));
        assert_ne!(ac, content_key(&[a]));
    }

    #[test]
    fn a_manifest_groups_scans_into_documents_and_leaves_unlisted_scans_out() {
        let csv = "files,title\np1.png;p2.png,Қала тарихы\n";
        let (_dir, root) = batch("kitap", &["p1.png", "p2.png", "stray.png"], Some(csv));
        let batches = vec![Batch::of(&root, None)];
        let mut report = IngestReport::default();
        let options = IngestOptions::default();
        let planned = drafts(&batches, sources_of(&batches[0]), &options, &mut report, &Silent);
        assert_eq!(planned.len(), 1);
        assert_eq!(planned[0].bib.title, "Қала тарихы");
        let files: Vec<&Path> = planned[0].sources.iter().map(|s| s.path.as_path()).collect();
        assert_eq!(files, [root.join("p1.png"), root.join("p2.png")]);
        assert_eq!(report.unlisted, [root.join("stray.png")]);

        let options = IngestOptions { include_unlisted: true, ..IngestOptions::default() };
        let mut report = IngestReport::default();
        let planned = drafts(&batches, sources_of(&batches[0]), &options, &mut report, &Silent);
        assert_eq!(planned.len(), 2, "the stray scan becomes a document of its own");
        assert_eq!(planned[1].bib.title, "stray");
        assert!(report.unlisted.is_empty());
    }

    #[test]
    fn resolving_gives_new_documents_unique_ids_and_skips_the_same_scans_twice() {
        let (_a, first) = batch("a", &["p1.png"], None);
        let (_b, second) = batch("b", &["p1.png", "p2.png"], None);
        std::fs::write(second.join("p2.png"), "a/p1.png").unwrap(); // the bytes of a/p1.png
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        archive.create_layout().unwrap();
        let catalog = Catalog::open(&archive).unwrap();
        let drafts = vec![
            draft("a", &first.join("p1.png")),
            draft("b", &second.join("p1.png")),
            draft("b", &second.join("p2.png")),
        ];
        let mut report = IngestReport::default();
        let planned = resolve(Some((&archive, &catalog)), drafts, &IngestOptions::default(), &mut report, &Silent)
            .unwrap()
            .documents;
        let ids: Vec<&str> = planned.iter().map(|d| d.id.as_str()).collect();
        assert_eq!(ids, ["p1", "b-p1"], "b/p2.png has the same bytes as a/p1.png, so it is skipped");
        assert_eq!(planned[0].models, crate::ocr::DEFAULT_MODELS);
    }
}
