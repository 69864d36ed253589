//! Tables of document descriptions as bibliographers keep them: a CSV spreadsheet, or TOML
//! with one `[[document]]` table per document. Batch manifests (`crate::ingest::manifest`)
//! and corrections (`olke catalog apply`) are read with these.
//!
//! Every problem names the file, the row (as a spreadsheet numbers it: the header is row 1;
//! in TOML, the n-th `[[document]]`, with its line), the column and the reason.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::fields::Value;

/// Columns of a table besides the bibliographic fields.
pub(crate) const FILES: &str = "files";
pub(crate) const ID: &str = "id";
/// Columns the CSV export adds after the manifest's: computed, so `catalog apply` reads
/// past them.
pub(crate) const COMPUTED_COLUMNS: &[&str] = &["pages", "citation", "url", "host", "host_zones"];

/// Something wrong (or worth a warning) in a manifest or a CSV of corrections.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Problem {
    pub file: PathBuf,
    /// Spreadsheet row (the header is row 1), or the n-th `[[document]]` of a TOML file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row: Option<usize>,
    /// Line in the file, where the format tells it (TOML).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub column: Option<String>,
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        let place: Vec<String> = [
            self.row.map(|r| format!("row {r}")),
            self.line.map(|l| format!("line {l}")),
            self.column.as_ref().map(|c| format!("column '{c}'")),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !place.is_empty() {
            write!(f, ": {}", place.join(", "))?;
        }
        write!(f, ": {}", self.reason)
    }
}

/// One cell of a table, with its line when the format tells it.
#[derive(Clone, Debug, PartialEq)]
pub struct Cell {
    pub column: String,
    pub value: Value,
    pub line: Option<usize>,
}

/// One row: a document.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub number: usize,
    pub line: Option<usize>,
    pub cells: Vec<Cell>,
    /// Cells that could not be read (already reported): the row cannot be used.
    pub unreadable: bool,
}

impl Row {
    pub fn cell(&self, column: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.column == column)
    }
}

/// A manifest or a CSV of corrections, read but not yet understood.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub path: PathBuf,
    /// True for a CSV file, whose header is row 1.
    pub has_header: bool,
    /// Column names in the order they first appear.
    pub columns: Vec<String>,
    pub rows: Vec<Row>,
}

impl Table {
    /// A problem at `row` (and `column`, when given), placed on the cell's line if known.
    pub fn problem(&self, row: &Row, column: Option<&str>, reason: impl Into<String>) -> Problem {
        let line = column.and_then(|c| row.cell(c)).and_then(|c| c.line).or(row.line);
        Problem {
            file: self.path.clone(),
            row: Some(row.number),
            line,
            column: column.map(str::to_string),
            reason: reason.into(),
        }
    }

    /// A problem with the file as a whole or its header (row 1 of a CSV).
    pub fn file_problem(&self, column: Option<&str>, reason: impl Into<String>) -> Problem {
        let row = self.has_header.then_some(1);
        Problem { file: self.path.clone(), row, line: None, column: column.map(str::to_string), reason: reason.into() }
    }

    /// Column names that are none of `known`, each with a hint when it is a known name
    /// spelled in other letter case.
    pub fn unknown_columns<'a>(&'a self, known: &'a [&str]) -> impl Iterator<Item = (&'a str, String)> + 'a {
        self.columns.iter().filter(|c| !known.contains(&c.as_str())).map(move |column| {
            let hint = known
                .iter()
                .find(|k| k.eq_ignore_ascii_case(column))
                .map(|k| format!(" (did you mean '{k}'?)"))
                .unwrap_or_default();
            (column.as_str(), hint)
        })
    }
}

pub(crate) fn problem_at(path: &Path, row: Option<usize>, reason: impl Into<String>) -> Problem {
    Problem { file: path.to_path_buf(), row, line: None, column: None, reason: reason.into() }
}

/// Reads a comma-separated file with a header row. Rows that cannot be read are reported
/// and left out; `None` when the file as a whole cannot be used.
pub(crate) fn read_csv(path: &Path, problems: &mut Vec<Problem>) -> Option<Table> {
    match std::fs::read(path) {
        Ok(bytes) => parse_csv(path, &bytes, problems),
        Err(e) => {
            problems.push(problem_at(path, None, format!("cannot read: {e}")));
            None
        }
    }
}

/// [`read_csv`] of the file's bytes (`path` names it in problems).
pub(crate) fn parse_csv(path: &Path, bytes: &[u8], problems: &mut Vec<Problem>) -> Option<Table> {
    let mut reader = csv::ReaderBuilder::new().has_headers(true).from_reader(bytes);
    let header = match reader.headers() {
        Ok(header) => header.clone(),
        Err(e) => {
            problems.push(problem_at(path, Some(1), csv_reason(&e)));
            return None;
        }
    };
    // Spreadsheets may start the file with a byte-order mark.
    let columns: Vec<String> = header.iter().map(|c| c.trim_start_matches('\u{FEFF}').trim().to_string()).collect();
    if columns.len() == 1 && columns[0].contains(';') {
        problems.push(problem_at(
            path,
            Some(1),
            "the columns are separated by semicolons; save the file comma-separated (CSV UTF-8)",
        ));
        return None;
    }
    let mut table = Table { path: path.to_path_buf(), has_header: true, columns: Vec::new(), rows: Vec::new() };
    // Spreadsheets save columns that were only formatted with empty names; they are
    // passed over as long as they hold nothing.
    for column in columns.iter().filter(|c| !c.is_empty()) {
        if table.columns.contains(column) {
            problems.push(table.file_problem(Some(column), "the column appears twice"));
            return None;
        }
        table.columns.push(column.clone());
    }
    for (index, record) in reader.records().enumerate() {
        let number = index + 2;
        match record {
            Ok(record) => {
                let cells: Vec<Cell> = columns
                    .iter()
                    .zip(record.iter())
                    .map(|(column, text)| Cell {
                        column: column.clone(),
                        value: Value::Text(text.to_string()),
                        line: None,
                    })
                    .collect();
                let (unnamed, cells): (Vec<Cell>, Vec<Cell>) = cells.into_iter().partition(|c| c.column.is_empty());
                let unreadable = unnamed.iter().any(|c| !c.value.is_blank());
                if unreadable {
                    problems.push(problem_at(
                        path,
                        Some(number),
                        "a value stands in a column without a name; name the column or move the value",
                    ));
                }
                // Spreadsheets save trailing empty rows as bare commas.
                if cells.iter().any(|c| !c.value.is_blank()) {
                    table.rows.push(Row { number, line: None, cells, unreadable });
                }
            }
            Err(e) => problems.push(problem_at(path, Some(number), csv_reason(&e))),
        }
    }
    Some(table)
}

fn csv_reason(error: &csv::Error) -> String {
    match error.kind() {
        csv::ErrorKind::UnequalLengths { expected_len, len, .. } => {
            format!("the row has {len} cells, the header {expected_len}")
        }
        csv::ErrorKind::Utf8 { .. } => "not UTF-8 text; save the file as CSV UTF-8".to_string(),
        _ => error.to_string(),
    }
}

/// `batch.toml`: an array of `[[document]]` tables whose keys are the columns.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TomlManifest {
    #[serde(default)]
    document: Vec<toml::Spanned<BTreeMap<String, toml::Spanned<toml::Value>>>>,
}

/// Line (from 1) of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A TOML value as a cell: text, a number, a date, or a list of them.
fn toml_value(value: &toml::Value) -> Option<Value> {
    let scalar = |v: &toml::Value| match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(n) => Some(n.to_string()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        _ => None,
    };
    match value {
        toml::Value::Array(items) => items.iter().map(scalar).collect::<Option<Vec<_>>>().map(Value::List),
        other => scalar(other).map(Value::Text),
    }
}

/// Reads `batch.toml`; `None` when it cannot be used.
pub(crate) fn read_toml(path: &Path, problems: &mut Vec<Problem>) -> Option<Table> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_toml(path, &text, problems),
        Err(e) => {
            problems.push(problem_at(path, None, format!("cannot read: {e}")));
            None
        }
    }
}

/// [`read_toml`] of the file's text (`path` names it in problems).
pub(crate) fn parse_toml(path: &Path, text: &str, problems: &mut Vec<Problem>) -> Option<Table> {
    let parsed: TomlManifest = match toml::from_str(text) {
        Ok(parsed) => parsed,
        Err(e) => {
            let line = e.span().map(|span| line_of(text, span.start));
            problems.push(Problem { line, ..problem_at(path, None, e.message().trim().to_string()) });
            return None;
        }
    };
    let mut table = Table { path: path.to_path_buf(), has_header: false, columns: Vec::new(), rows: Vec::new() };
    for (index, document) in parsed.document.iter().enumerate() {
        let mut row = Row {
            number: index + 1,
            line: Some(line_of(text, document.span().start)),
            cells: Vec::new(),
            unreadable: false,
        };
        for (key, value) in document.get_ref() {
            let line = Some(line_of(text, value.span().start));
            match toml_value(value.get_ref()) {
                Some(value) => row.cells.push(Cell { column: key.clone(), value, line }),
                None => {
                    row.unreadable = true;
                    problems.push(Problem {
                        line,
                        column: Some(key.clone()),
                        ..problem_at(path, Some(row.number), "expected text, a whole number, a date or a list of them")
                    });
                }
            }
            if !table.columns.contains(key) {
                table.columns.push(key.clone());
            }
        }
        table.rows.push(row);
    }
    Some(table)
}
