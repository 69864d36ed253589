//! Editing the description of archived documents (`olke catalog set`, `olke catalog
//! apply`). An edit stages the PDF with its new metadata, commits it with `record.json`
//! (the previous values kept in its history; see [`crate::archive::staging`]), then updates the
//! catalogue: files first, as everywhere, so the catalogue can always be rebuilt from them.
//!
//! The caller holds the archive's writer lock.

use chrono::Utc;
use serde::Serialize;

use super::{Catalog, CatalogError};
use crate::archive::files;
use crate::archive::staging::Staged;
use crate::archive::Archive;
use crate::pdf::pdfa::PdfA;
use crate::pdf::update::{convert_to_pdf_a, rewrite_metadata, UpdateError};
use crate::pdf::Metadata;
use crate::record::fields::FIELDS;
use crate::record::table::{Problem, Table, COMPUTED_COLUMNS, FILES, ID};
use crate::record::{Edit, FieldError, Value};

#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("no document '{0}' in the archive; `olke list` shows what is there")]
    NoSuchDocument(String),
    #[error("{}", .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Invalid(Vec<FieldError>),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Pdf(#[from] UpdateError),
    #[error(transparent)]
    Files(#[from] crate::archive::files::FileError),
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
}

/// Why a column that names no bibliographic field cannot be edited.
fn not_editable(field: &str) -> Option<&'static str> {
    match field {
        ID => Some("the id names the document's folder and its links; it cannot be changed"),
        FILES => Some("a document's scans change by ingesting them again"),
        _ => None,
    }
}

/// Sets fields of document `id` (each value as a manifest cell takes it; a blank value
/// clears the field). Nothing is written when any value is refused or the description
/// would be incomplete; nothing either when no field actually changes. Returns the
/// changes made.
pub(crate) fn edit(
    archive: &Archive,
    catalog: &Catalog,
    id: &str,
    changes: &[(String, Value)],
) -> Result<Vec<Edit>, EditError> {
    if !archive.record_path(id).is_file() {
        return Err(EditError::NoSuchDocument(id.to_string()));
    }
    let mut record = files::record(archive, id)?;
    let mut bib = record.bib.clone();
    let mut errors = Vec::new();
    for (field, value) in changes {
        match not_editable(field) {
            Some(reason) => errors.push(FieldError::new(field, reason)),
            None => errors.extend(bib.set(field, value).err()),
        }
    }
    errors.extend(bib.check());
    if !errors.is_empty() {
        return Err(EditError::Invalid(errors));
    }
    let now = Utc::now();
    let edits = bib.changes_from(&record.bib, now);
    if edits.is_empty() {
        return Ok(edits);
    }
    record.bib = bib;
    record.history.extend(edits.iter().cloned());
    record.updated = now;
    let staged = Staged::begin(archive, id)?;
    // An article on an issue's pages has no PDF of its own: its record is all it has.
    if !record.is_hosted() {
        let written = rewrite_metadata(&archive.pdf_path(id), &staged.pdf_path(), &Metadata::of(&record))?;
        record.pdf_sha256 = written.sha256;
        record.pdf_bytes = written.bytes;
    }
    staged.commit(&record)?;
    catalog.update_record(&record)?;
    catalog.flush()?;
    Ok(edits)
}

/// Brings document `id`'s PDF, archived before olke wrote PDF/A, to PDF/A-2b (its pages
/// as they are), or records why it cannot be; a record that already says is left as it is.
/// Returns what the record says now.
pub(crate) fn to_pdf_a(archive: &Archive, catalog: &Catalog, id: &str) -> Result<PdfA, EditError> {
    if !archive.record_path(id).is_file() {
        return Err(EditError::NoSuchDocument(id.to_string()));
    }
    let mut record = files::record(archive, id)?;
    if let Some(pdf_a) = &record.pdf_a {
        return Ok(pdf_a.clone());
    }
    let staged = Staged::begin(archive, id)?;
    // Without a new PDF staged, the commit is of the record alone.
    match convert_to_pdf_a(&archive.pdf_path(id), &staged.pdf_path(), &Metadata::of(&record))? {
        Ok(written) => {
            record.pdf_sha256 = written.sha256;
            record.pdf_bytes = written.bytes;
            record.pdf_a = Some(PdfA::conforming());
            record.updated = Utc::now();
        }
        Err(reasons) => record.pdf_a = Some(PdfA::NotConforming(reasons)),
    }
    staged.commit(&record)?;
    catalog.update_record(&record)?;
    catalog.flush()?;
    Ok(record.pdf_a.clone().expect("set above"))
}

/// The changes made to one document.
#[derive(Clone, Debug, Serialize)]
pub struct Changed {
    pub id: String,
    pub edits: Vec<Edit>,
}

/// What applying a CSV of corrections did.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ApplyReport {
    pub changed: Vec<Changed>,
    /// Rows that matched their record already.
    pub unchanged: Vec<String>,
    /// Rows not applied, and why.
    pub problems: Vec<Problem>,
}

/// Applies a CSV with the manifest's columns (as `olke export csv` writes it) to the
/// records named in its `id` column. Only the columns present are changed; `files` and
/// the computed columns are read past. A row with a problem is not applied; the others are.
pub(crate) fn apply(archive: &Archive, catalog: &Catalog, table: &Table) -> Result<ApplyReport, EditError> {
    let mut report = ApplyReport::default();
    if !table.columns.iter().any(|c| c == ID) {
        report.problems.push(
            table.file_problem(Some(ID), "the header has no 'id' column: it says which record each row corrects"),
        );
    }
    let known: Vec<&str> =
        [FILES, ID].into_iter().chain(FIELDS.iter().copied()).chain(COMPUTED_COLUMNS.iter().copied()).collect();
    for (column, hint) in table.unknown_columns(&known) {
        report.problems.push(table.file_problem(Some(column), format!("not a catalogue column{hint}")));
    }
    if !report.problems.is_empty() {
        return Ok(report);
    }
    let mut seen: Vec<(String, usize)> = Vec::new();
    // A row with cells that could not be read was reported when the table was read.
    for row in table.rows.iter().filter(|r| !r.unreadable) {
        let id = match row.cell(ID).map(|c| c.value.single()) {
            Some(Ok(Some(id))) => id,
            Some(Err(reason)) => {
                report.problems.push(table.problem(row, Some(ID), reason));
                continue;
            }
            _ => {
                report.problems.push(table.problem(row, Some(ID), "no id: which record does this row correct?"));
                continue;
            }
        };
        if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == id) {
            report.problems.push(table.problem(row, Some(ID), format!("'{id}' is already corrected in row {first}")));
            continue;
        }
        seen.push((id.clone(), row.number));
        let changes: Vec<(String, Value)> = row
            .cells
            .iter()
            .filter(|c| FIELDS.contains(&c.column.as_str()))
            .map(|c| (c.column.clone(), c.value.clone()))
            .collect();
        match edit(archive, catalog, &id, &changes) {
            Ok(edits) if edits.is_empty() => report.unchanged.push(id),
            Ok(edits) => report.changed.push(Changed { id, edits }),
            Err(EditError::NoSuchDocument(id)) => {
                report.problems.push(table.problem(row, Some(ID), format!("no document '{id}' in the archive")))
            }
            Err(EditError::Invalid(errors)) => {
                report.problems.extend(errors.into_iter().map(|e| table.problem(row, Some(&e.field), e.reason)));
            }
            Err(other) => return Err(other),
        }
    }
    Ok(report)
}
