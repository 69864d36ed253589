//! Batch manifests: `batch.csv` (bibliographers keep spreadsheets) or `batch.toml` in a
//! batch folder says which scans form which document and what each document is, one row
//! (or `[[document]]` table) per document, with the columns of [`FIELDS`] plus `files` and
//! `id`.
//!
//! The whole manifest is checked before any page is recognized. Every problem names the
//! file, the row (as a spreadsheet numbers it: the header is row 1; in TOML, the n-th
//! `[[document]]`, with its line), the column and the reason. A row with a problem is not
//! ingested; the other rows are.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use globset::GlobBuilder;

use super::hosted::{self, Claims, HostedArticle, ZoneClaim, ZONES};
use crate::archive::{sanitize_id, MAX_ID_BYTES};
use crate::record::fields::FIELDS;
use crate::record::table::{self, problem_at, Problem, Row, Table, FILES, ID};
use crate::record::{Bibliographic, DocumentType};
use crate::zones::ZoneFile;

pub(crate) const CSV_NAME: &str = "batch.csv";
pub(crate) const TOML_NAME: &str = "batch.toml";

/// A document the manifest describes, checked.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Entry {
    pub row: usize,
    /// The id the manifest gives (sanitized), if any.
    pub id: Option<String>,
    pub bib: Bibliographic,
    /// The scans in page order (paths as found in the batch listing).
    pub files: Vec<PathBuf>,
    /// An article's zones on pages it shares with others (see [`hosted`]).
    pub zones: Vec<ZoneClaim>,
    /// A newspaper issue's articles, catalogued as zones on its pages.
    pub articles: Vec<HostedArticle>,
}

/// A batch's manifest, checked against the batch's scans.
#[derive(Clone, Debug, Default)]
pub(crate) struct Manifest {
    pub path: PathBuf,
    /// The rows without problems.
    pub entries: Vec<Entry>,
    /// Every scan some row names, valid or not: none of them is "unlisted".
    pub claimed: HashSet<PathBuf>,
    pub problems: Vec<Problem>,
    pub warnings: Vec<Problem>,
    /// False when the manifest as a whole cannot be used: then nothing of the batch is
    /// ingested, since which scans form which document is unknown.
    pub usable: bool,
}

/// The manifest of batch folder `dir`, checked against its scans (`scans`: the scan files
/// found in it); `None` when the folder has no manifest.
pub(crate) fn read(dir: &Path, scans: &[PathBuf]) -> Option<Manifest> {
    let (csv, toml) = (dir.join(CSV_NAME), dir.join(TOML_NAME));
    let mut manifest = Manifest { path: csv.clone(), ..Default::default() };
    let table = match (csv.is_file(), toml.is_file()) {
        (false, false) => return None,
        (true, true) => {
            manifest.problems.push(problem_at(
                &toml,
                None,
                format!("both {CSV_NAME} and {TOML_NAME} describe this batch; keep one"),
            ));
            return Some(manifest);
        }
        (true, false) => table::read_csv(&csv, &mut manifest.problems),
        (false, true) => {
            manifest.path = toml;
            table::read_toml(&manifest.path, &mut manifest.problems)
        }
    };
    if let Some(table) = table {
        check(dir, scans, &table, &mut manifest);
    }
    Some(manifest)
}

/// Checks a manifest's `table` against the scans of batch folder `dir`, filling in
/// `manifest` (whose problems so far are those of reading the table).
pub(crate) fn check(dir: &Path, scans: &[PathBuf], table: &Table, manifest: &mut Manifest) {
    Checker::new(dir, scans, manifest).check(table);
}

/// Checks rows one by one, remembering what earlier rows claimed.
struct Checker<'a> {
    dir: &'a Path,
    /// The batch's scans by their path inside the batch, `/`-separated, in batch order.
    scans: Vec<(String, &'a PathBuf)>,
    manifest: &'a mut Manifest,
    /// Rows that listed each scan, and how; the row that gave each id.
    file_rows: HashMap<PathBuf, Vec<(usize, Listing)>>,
    id_rows: HashMap<String, usize>,
    /// The batch's `zones.json`, or why it cannot be read.
    zone_file: Result<Option<ZoneFile>, String>,
    zone_claims: Claims,
}

/// How a row lists a scan: a scan may be listed by one issue row and several article rows
/// (articles sharing the issue's pages), else by one row only.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listing {
    Whole,
    Issue,
    Article,
}

impl Listing {
    fn of(row: &Row, bib: &Bibliographic) -> Listing {
        if hosted::names_zones(row) {
            Listing::Article
        } else if bib.kind == Some(DocumentType::NewspaperIssue) {
            Listing::Issue
        } else {
            Listing::Whole
        }
    }

    /// Whether a scan listed by `earlier` may be listed so again.
    fn shares_with(self, earlier: Listing) -> bool {
        matches!(
            (self, earlier),
            (Listing::Article, Listing::Issue | Listing::Article) | (Listing::Issue, Listing::Article)
        )
    }
}

/// A path inside the batch folder in normal form (`a/./b/../c.png` → `a/c.png`, `\` read as
/// `/`), or `None` when it leads out of the folder.
fn inside_batch(name: &str) -> Option<String> {
    let name = name.trim().replace('\\', "/");
    let drive = name.as_bytes().get(1) == Some(&b':');
    if name.starts_with('/') || drive {
        return None;
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in name.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            part => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

fn is_pattern(name: &str) -> bool {
    name.contains(['*', '?', '[', '{'])
}

impl<'a> Checker<'a> {
    fn new(dir: &'a Path, scans: &'a [PathBuf], manifest: &'a mut Manifest) -> Checker<'a> {
        let relative = |path: &Path| {
            path.strip_prefix(dir)
                .unwrap_or(path)
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/")
        };
        let scans = scans.iter().map(|path| (relative(path), path)).collect();
        let zone_file = ZoneFile::read(dir).map_err(|e| e.to_string());
        Checker {
            dir,
            scans,
            manifest,
            file_rows: HashMap::new(),
            id_rows: HashMap::new(),
            zone_file,
            zone_claims: Claims::default(),
        }
    }

    fn check(mut self, table: &Table) {
        for required in [FILES, "title"] {
            // A TOML document without them is reported by its row.
            if table.has_header && !table.columns.iter().any(|c| c == required) {
                self.manifest
                    .problems
                    .push(table.file_problem(Some(required), format!("the header has no '{required}' column")));
            }
        }
        if !self.manifest.problems.is_empty() {
            return;
        }
        let known: Vec<&str> = [FILES, ID, ZONES].into_iter().chain(FIELDS.iter().copied()).collect();
        let unknown: Vec<(&str, String)> = table.unknown_columns(&known).collect();
        for (column, hint) in &unknown {
            let first = table.rows.iter().find(|r| r.cell(column).is_some());
            let reason = format!("not a manifest column{hint}; its values are kept in the notes");
            self.manifest.warnings.push(match first {
                Some(row) if !table.has_header => table.problem(row, Some(column), reason),
                _ => table.file_problem(Some(column), reason),
            });
        }
        let mut entries = Vec::new();
        for row in &table.rows {
            if let Some(entry) = self.entry(table, row, &unknown) {
                entries.push(entry);
            }
        }
        let issue_rows: HashMap<PathBuf, usize> = self
            .file_rows
            .iter()
            .filter_map(|(file, rows)| {
                rows.iter().find(|(_, l)| *l == Listing::Issue).map(|(row, _)| (file.clone(), *row))
            })
            .collect();
        let (entries, problems) = hosted::assign_hosts(table, entries, &issue_rows);
        self.manifest.entries = entries;
        self.manifest.problems.extend(problems);
        self.manifest.usable = true;
    }

    /// The row's document, or `None` (with its problems reported) when it has any.
    fn entry(&mut self, table: &Table, row: &Row, unknown: &[(&str, String)]) -> Option<Entry> {
        let before = self.manifest.problems.len();
        let mut bib = Bibliographic::default();
        for cell in row.cells.iter().filter(|c| FIELDS.contains(&c.column.as_str())) {
            if let Err(e) = bib.set(&cell.column, &cell.value) {
                self.manifest.problems.push(table.problem(row, Some(&cell.column), e.reason));
            }
        }
        // Extra columns are not lost: they go into the notes as "column: value".
        let extras: Vec<String> = unknown
            .iter()
            .filter_map(|(column, _)| row.cell(column))
            .filter(|c| !c.value.is_blank())
            .map(|c| format!("{}: {}", c.column, c.value.items().join("; ")))
            .collect();
        if !extras.is_empty() {
            bib.notes = Some(bib.notes.take().into_iter().chain(extras).collect::<Vec<_>>().join("; "));
        }
        for problem in bib.check() {
            self.manifest.problems.push(table.problem(row, Some(&problem.field), problem.reason));
        }
        let listing = Listing::of(row, &bib);
        let files = self.files(table, row, listing);
        let zones = if listing == Listing::Article { self.zones(table, row, &files) } else { Vec::new() };
        let id = self.id(table, row);
        (self.manifest.problems.len() == before && !row.unreadable).then_some(Entry {
            row: row.number,
            id,
            bib,
            files,
            zones,
            articles: Vec::new(),
        })
    }

    /// An article row's zones; each that cannot be read, or that an earlier row claimed,
    /// is reported.
    fn zones(&mut self, table: &Table, row: &Row, files: &[PathBuf]) -> Vec<ZoneClaim> {
        let named: Vec<(String, PathBuf)> = self
            .scans
            .iter()
            .filter(|(_, path)| files.contains(path))
            .map(|(name, path)| (name.clone(), (*path).clone()))
            .collect();
        let (zones, mut reasons) = hosted::read_zones(row, &named, &self.zone_file);
        reasons.extend(self.zone_claims.claim(row.number, &zones));
        for reason in reasons {
            self.manifest.problems.push(table.problem(row, Some(ZONES), reason));
        }
        zones
    }

    fn id(&mut self, table: &Table, row: &Row) -> Option<String> {
        let given = match row.cell(ID).map(|c| c.value.single()).transpose() {
            Ok(given) => given.flatten()?,
            Err(reason) => {
                self.manifest.problems.push(table.problem(row, Some(ID), reason));
                return None;
            }
        };
        if given.trim().len() > MAX_ID_BYTES {
            let reason = format!(
                "the id is {} bytes long; an id may have at most {MAX_ID_BYTES}, as it names the document's folder and files",
                given.trim().len()
            );
            self.manifest.problems.push(table.problem(row, Some(ID), reason));
            return None;
        }
        let id = sanitize_id(&given);
        if id != given {
            self.manifest.warnings.push(table.problem(
                row,
                Some(ID),
                format!("'{given}' is stored as '{id}' (ids keep letters, digits, '-', '_' and '.')"),
            ));
        }
        if let Some(first) = self.id_rows.get(&id) {
            self.manifest.problems.push(table.problem(
                row,
                Some(ID),
                format!("id '{id}' is already given in row {first}"),
            ));
        } else {
            self.id_rows.insert(id.clone(), row.number);
        }
        Some(id)
    }

    /// The row's scans in page order; each name that does not lead to exactly the
    /// batch's own, not yet listed scans is reported.
    fn files(&mut self, table: &Table, row: &Row, listing: Listing) -> Vec<PathBuf> {
        let names = row.cell(FILES).map(|c| c.value.items()).unwrap_or_default();
        let mut reasons = Vec::new();
        if names.is_empty() {
            reasons.push("no files listed".to_string());
        }
        let mut files: Vec<PathBuf> = Vec::new();
        for name in &names {
            match self.matches(name) {
                Ok(found) => {
                    for (shown, path) in found {
                        if files.contains(path) {
                            reasons.push(format!("'{shown}' is listed twice in this row"));
                        } else if let Some((first, _)) = self
                            .file_rows
                            .get(path)
                            .and_then(|rows| rows.iter().find(|(_, earlier)| !listing.shares_with(*earlier)))
                        {
                            reasons.push(format!("'{shown}' is already listed in row {first}"));
                        } else {
                            files.push(path.clone());
                        }
                    }
                }
                Err(reason) => reasons.push(reason),
            }
        }
        for path in &files {
            self.file_rows.entry(path.clone()).or_default().push((row.number, listing));
            self.manifest.claimed.insert(path.clone());
        }
        for reason in reasons {
            self.manifest.problems.push(table.problem(row, Some(FILES), reason));
        }
        files
    }

    /// The scans a name or glob pattern stands for, in batch order.
    fn matches(&self, name: &str) -> Result<Vec<(&str, &'a PathBuf)>, String> {
        let normal = inside_batch(name).ok_or_else(|| format!("'{name}' is outside the batch folder"))?;
        if let Some((shown, path)) = self.scans.iter().find(|(n, _)| *n == normal) {
            return Ok(vec![(shown.as_str(), *path)]);
        }
        if is_pattern(&normal) {
            let glob = GlobBuilder::new(&normal)
                .literal_separator(true)
                .build()
                .map_err(|e| format!("'{name}' is not a valid pattern: {}", e.kind()))?;
            let matcher = glob.compile_matcher();
            let found: Vec<_> =
                self.scans.iter().filter(|(n, _)| matcher.is_match(n)).map(|(n, p)| (n.as_str(), *p)).collect();
            return if found.is_empty() {
                Err(format!("no scan in the batch folder matches '{name}'"))
            } else {
                Ok(found)
            };
        }
        if let Some((other, _)) = self.scans.iter().find(|(n, _)| n.to_lowercase() == normal.to_lowercase()) {
            return Err(format!("file '{name}' not found in the batch folder (there is '{other}')"));
        }
        if self.dir.join(&normal).is_file() {
            return Err(format!("'{name}' is not a scan (olke reads TIFF, JPEG and PNG)"));
        }
        Err(format!("file '{name}' not found in the batch folder"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::DocumentType;

    /// A batch folder with empty stand-ins for scans (the manifest check does not read them).
    fn batch(names: &[&str]) -> (tempfile::TempDir, Vec<PathBuf>) {
        let dir = tempfile::tempdir().unwrap();
        let scans = names
            .iter()
            .map(|name| {
                let path = dir.path().join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(&path, b"scan").unwrap();
                path
            })
            .collect();
        (dir, scans)
    }

    #[test]
    fn csv_rows_become_documents_with_files_in_page_order() {
        let (dir, scans) = batch(&["book-p1.png", "book-p2.png", "book-p10.png", "a1.jpg", "sub/a2.tif"]);
        std::fs::write(
            dir.path().join(CSV_NAME),
            "\u{FEFF}files,id,type,title,authors,source,date,issue,source_pages,language,collections,shelf\n\
             book-p*.png,,book,Қамшы,\"Кәрім, Н.\",,,,84,kaz,Әдебиет,A-12\n\
             a1.jpg; sub\\a2.tif,пульс 1,newspaper_article,Ақжолтай,\"Шөженов, Ж.\",Пульс,2019-07-12,28,4,rus;kaz,Батырлар; Әдебиет,\n\
             ,,,,,,,,,,,\n",
        )
        .unwrap();
        let manifest = read(dir.path(), &scans).unwrap();
        assert_eq!(manifest.problems, vec![], "{:?}", manifest.problems);
        assert!(manifest.usable);
        let book = &manifest.entries[0];
        assert_eq!(book.row, 2);
        assert_eq!(
            book.files,
            vec![scans[0].clone(), scans[1].clone(), scans[2].clone()],
            "natural order: p2 before p10"
        );
        assert_eq!(book.bib.kind, Some(DocumentType::Book));
        assert_eq!(book.bib.notes.as_deref(), Some("shelf: A-12"), "extra columns are kept as notes");
        assert_eq!(book.id, None);
        let article = &manifest.entries[1];
        assert_eq!(article.files, vec![scans[3].clone(), scans[4].clone()]);
        assert_eq!(article.id.as_deref(), Some("пульс_1"));
        assert_eq!(article.bib.collections, vec!["Батырлар", "Әдебиет"]);
        assert_eq!(manifest.entries.len(), 2, "the blank row is passed over");
        let warnings: Vec<String> = manifest.warnings.iter().map(ToString::to_string).collect();
        let csv = dir.path().join(CSV_NAME).display().to_string();
        assert_eq!(
            warnings,
            vec![
                format!("{csv}: row 1, column 'shelf': not a manifest column; its values are kept in the notes"),
                format!("{csv}: row 3, column 'id': 'пульс 1' is stored as 'пульс_1' (ids keep letters, digits, '-', '_' and '.')"),
            ]
        );
        assert_eq!(manifest.claimed.len(), 5);
    }

    #[test]
    fn every_problem_names_file_row_column_and_reason() {
        let (dir, scans) = batch(&["p1.png", "p2.png", "p3.png", "p4.png", "p5.png", "notes/p6.png"]);
        std::fs::write(dir.path().join("readme.txt"), "not a scan").unwrap();
        std::fs::write(
            dir.path().join(CSV_NAME),
            "files,id,type,title,source,date,source_pages,language,rights,year\n\
             p1.png,a,newspaper,T,S,,,,,\n\
             p2.png,b,book,T,,12.07.2019,,,,\n\
             p9.png,c,book,T,,,,,,\n\
             p1.png;p3.png;p3.png,d,book,T,,,,,,\n\
             ../secret.png;/etc/passwd,e,book,T,,,,,,\n\
             q*.png,f,book,T,,,4-,,,\n\
             p4.png,a,newspaper_article,,,2019-07-12,,kk,free,2018\n\
             P5.PNG;readme.txt,g,book,T,,,,,,\n\
             ,h,book,T,,,,,,\n",
        )
        .unwrap();
        let manifest = read(dir.path(), &scans).unwrap();
        let csv = dir.path().join(CSV_NAME).display().to_string();
        let shown: Vec<String> =
            manifest.problems.iter().map(ToString::to_string).map(|s| s.replacen(&csv, "batch.csv", 1)).collect();
        let expected = [
            "batch.csv: row 2, column 'type': unknown variant `newspaper`, expected one of `newspaper_article`, `journal_article`, `book`, `book_chapter`, `newspaper_issue`",
            "batch.csv: row 3, column 'date': bad date '12.07.2019': expected YYYY-MM-DD or YYYY",
            "batch.csv: row 4, column 'files': file 'p9.png' not found in the batch folder",
            "batch.csv: row 5, column 'files': 'p1.png' is already listed in row 2",
            "batch.csv: row 5, column 'files': 'p3.png' is listed twice in this row",
            "batch.csv: row 6, column 'files': '../secret.png' is outside the batch folder",
            "batch.csv: row 6, column 'files': '/etc/passwd' is outside the batch folder",
            "batch.csv: row 7, column 'source_pages': page range '4-' does not parse: expected a page (4) or a range (46-65)",
            "batch.csv: row 7, column 'files': no scan in the batch folder matches 'q*.png'",
            "batch.csv: row 8, column 'language': unknown language 'kk': expected a three-letter ISO 639 code (kaz, rus, eng, …)",
            "batch.csv: row 8, column 'rights': unknown variant `free`, expected one of `public_domain`, `author_contract`, `in_copyright`",
            "batch.csv: row 8, column 'title': a title is required",
            "batch.csv: row 8, column 'source': a newspaper_article needs a source (the newspaper's title)",
            "batch.csv: row 8, column 'year': year 2018 differs from the date 2019-07-12",
            "batch.csv: row 8, column 'id': id 'a' is already given in row 2",
            "batch.csv: row 9, column 'files': file 'P5.PNG' not found in the batch folder (there is 'p5.png')",
            "batch.csv: row 9, column 'files': 'readme.txt' is not a scan (olke reads TIFF, JPEG and PNG)",
            "batch.csv: row 10, column 'files': no files listed",
        ];
        assert_eq!(shown, expected);
        assert_eq!(manifest.entries, vec![], "no row without a problem");
        // Files named by rows with problems are covered, not unlisted.
        assert!(manifest.claimed.contains(&scans[0]) && manifest.claimed.contains(&scans[3]));
        assert!(!manifest.claimed.contains(&scans[5]));
    }

    #[test]
    fn unusable_csv_files() {
        let (dir, scans) = batch(&["p1.png"]);
        let path = dir.path().join(CSV_NAME);
        let check = |content: &[u8]| {
            std::fs::write(&path, content).unwrap();
            let manifest = read(dir.path(), &scans).unwrap();
            manifest
                .problems
                .iter()
                .map(|p| p.to_string().replacen(&path.display().to_string(), "batch.csv", 1))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            check(b"title,id\nx,y\n"),
            vec!["batch.csv: row 1, column 'files': the header has no 'files' column"]
        );
        assert_eq!(
            check("files;title\np1.png;Қамшы\n".as_bytes()),
            vec![
                "batch.csv: row 1: the columns are separated by semicolons; save the file comma-separated (CSV UTF-8)"
            ]
        );
        assert_eq!(check(b"files,title,title\n"), vec!["batch.csv: row 1, column 'title': the column appears twice"]);
        assert_eq!(
            check(b"files,title,,\np1.png,a,,\n"),
            Vec::<String>::new(),
            "empty unnamed columns are passed over"
        );
        assert_eq!(
            check(b"files,title,\np1.png,a,b\n"),
            vec!["batch.csv: row 2: a value stands in a column without a name; name the column or move the value"]
        );
        assert_eq!(check(b"files,title\np1.png,a,b\n"), vec!["batch.csv: row 2: the row has 3 cells, the header 2"]);
        // "Қамшы" in Windows-1251, as an old spreadsheet saves it.
        assert_eq!(
            check(b"files,title\np1.png,\xca\xe0\xec\xf8\xfb\n"),
            vec!["batch.csv: row 2: not UTF-8 text; save the file as CSV UTF-8"]
        );
        std::fs::write(dir.path().join(TOML_NAME), "").unwrap();
        let both = read(dir.path(), &scans).unwrap();
        assert!(!both.usable);
        assert!(both.problems[0].reason.starts_with("both batch.csv and batch.toml"));
    }

    #[test]
    fn toml_manifest_with_lists_numbers_dates_and_lines() {
        let (dir, scans) = batch(&["p1.png", "p2.png", "p3.png"]);
        std::fs::write(
            dir.path().join(TOML_NAME),
            "[[document]]\n\
             files = [\"p1.png\", \"p2.png\"]\n\
             type = \"book\"\n\
             title = \"Қамшы\"\n\
             authors = [\"Кәрім, Н.\"]\n\
             year = 2016\n\
             source_pages = 84\n\
             \n\
             [[document]]\n\
             files = \"p3.png\"\n\
             type = \"newspaper_article\"\n\
             title = \"Ақжолтай\"\n\
             source = \"Пульс\"\n\
             date = 2019-07-32\n",
        )
        .unwrap();
        let manifest = read(dir.path(), &scans);
        // 2019-07-32 is not a TOML date: the whole file is refused, with the line.
        let problem = &manifest.unwrap().problems[0];
        assert_eq!(problem.line, Some(14), "{problem}");

        let text = std::fs::read_to_string(dir.path().join(TOML_NAME))
            .unwrap()
            .replace("2019-07-32", "2019-07-12\nissue = 28\nlanguage = [\"rus\", \"kk\"]");
        std::fs::write(dir.path().join(TOML_NAME), text).unwrap();
        let manifest = read(dir.path(), &scans).unwrap();
        assert_eq!(manifest.entries.len(), 1);
        let book = &manifest.entries[0];
        assert_eq!((book.bib.year, book.bib.source_pages.as_deref(), book.files.len()), (Some(2016), Some("84"), 2));
        let problems: Vec<String> =
            manifest.problems.iter().map(|p| p.to_string().rsplit_once('/').unwrap().1.to_string()).collect();
        assert_eq!(problems, vec!["batch.toml: row 2, line 16, column 'language': unknown language 'kk': expected a three-letter ISO 639 code (kaz, rus, eng, …)"]);
    }

    #[test]
    fn toml_refuses_unknown_top_level_keys_and_tables_as_values() {
        let (dir, scans) = batch(&["p1.png"]);
        std::fs::write(dir.path().join(TOML_NAME), "[[documents]]\nfiles = \"p1.png\"\n").unwrap();
        let manifest = read(dir.path(), &scans).unwrap();
        assert!(!manifest.usable);
        assert!(manifest.problems[0].reason.contains("unknown field `documents`"), "{}", manifest.problems[0]);
        std::fs::write(
            dir.path().join(TOML_NAME),
            "[[document]]\nfiles = \"p1.png\"\ntitle = \"T\"\nnotes = { a = 1 }\n",
        )
        .unwrap();
        let manifest = read(dir.path(), &scans).unwrap();
        assert_eq!(manifest.problems[0].reason, "expected text, a whole number, a date or a list of them");
        assert_eq!((manifest.problems[0].row, manifest.problems[0].line), (Some(1), Some(4)));
    }

    #[test]
    fn paths_stay_inside_the_batch() {
        assert_eq!(inside_batch("a/./b/../c.png").as_deref(), Some("a/c.png"));
        assert_eq!(inside_batch("sub\\p1.tif").as_deref(), Some("sub/p1.tif"));
        assert_eq!(inside_batch("a/../../c.png"), None);
        assert_eq!(inside_batch("/etc/passwd"), None);
        assert_eq!(inside_batch("C:\\scans\\p1.tif"), None);
    }
}
