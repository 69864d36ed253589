//! Correcting what OCR misread, a line at a time (`olke correct`, the web's correction
//! view). A correction replaces the line's words in the page's file (placed over the old
//! ones: [`place`]), writes the page's invisible text layer in the PDF again
//! ([`crate::pdf::retext`]), and is committed with the record that names the new PDF's
//! checksum, as every change of a document is ([`crate::archive::staging`]): a writer
//! killed midway leaves the old version or the new one. The catalogue and the search index
//! follow.
//!
//! The page's history ([`Correction`]s, oldest first) is kept in the page's own file: it
//! changes in the same commit as the words it describes, can never disagree with them,
//! goes wherever the page goes (catalogue, backups, a previous version kept at a re-ingest),
//! and keeps `record.json`, which every reader loads, small. A revert puts back the words
//! the line had before its first correction, boxes and confidences as OCR gave them.
//!
//! The caller holds the archive's writer lock ([`crate::integrity::Writer`]).

pub(crate) mod place;
pub(crate) mod queue;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::archive::files::{self, FileError};
use crate::archive::staging::Staged;
use crate::archive::Archive;
use crate::catalog::CatalogError;
use crate::index::IndexError;
use crate::integrity::Writer;
use crate::page::{RecognizedPage, Word};
use crate::pdf::retext::rewrite_page_text;
use crate::pdf::update::UpdateError;
use crate::pdf::Metadata;

/// What was done to a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Correct,
    Revert,
}

/// One change of a line, as the page's history keeps it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    pub action: Action,
    /// The line, from 1 in the page's reading order.
    pub line: u32,
    /// Who made it (a staff name, a volunteer's account, the user running `olke`).
    pub by: String,
    pub at: DateTime<Utc>,
    pub old: String,
    pub new: String,
    /// The line's words before the change, with their boxes: what a revert puts back.
    pub before: Vec<Word>,
}

/// What to do to a line.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum Change {
    /// Its words become these (split at white space).
    Text(String),
    /// Its words become what OCR read, before its first correction.
    Revert,
}

/// A change asked for: of which line, by whom.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Request {
    pub id: String,
    pub page: u32,
    pub line: u32,
    pub change: Change,
    pub by: String,
}

/// A correction or revert of one line, for listings and reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub(crate) struct Entry {
    pub id: String,
    pub page: u32,
    pub line: u32,
    pub action: Action,
    pub old: String,
    pub new: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

impl Entry {
    fn of(id: &str, page: u32, correction: &Correction) -> Entry {
        Entry {
            id: id.to_string(),
            page,
            line: correction.line,
            action: correction.action,
            old: correction.old.clone(),
            new: correction.new.clone(),
            by: correction.by.clone(),
            at: correction.at,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum CorrectError {
    #[error("no document '{0}' in the archive; `olke list` shows what is there")]
    NoSuchDocument(String),
    #[error("{id} has {pages} pages; there is no page {page}")]
    NoSuchPage { id: String, page: u32, pages: usize },
    #[error(
        "page {page} of {id} has {lines} lines; there is no line {line} (lines are numbered from 1: \
         `olke correct {id} --page {page}` lists them)"
    )]
    NoSuchLine { id: String, page: u32, line: u32, lines: usize },
    #[error("line {line} of page {page} of {id}: the new text is empty; give the line's words, or --revert to put back what OCR read")]
    Empty { id: String, page: u32, line: u32 },
    #[error("line {line} of page {page} of {id} already reads «{text}»; nothing changed")]
    Unchanged { id: String, page: u32, line: u32, text: String },
    #[error("line {line} of page {page} of {id} is not corrected; there is nothing to revert")]
    NotCorrected { id: String, page: u32, line: u32 },
    #[error(transparent)]
    Files(#[from] FileError),
    #[error(transparent)]
    Pdf(#[from] UpdateError),
    #[error(transparent)]
    Catalog(#[from] CatalogError),
    #[error(transparent)]
    Index(#[from] IndexError),
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
}

impl CorrectError {
    /// True when the request itself is wrong (a usage error), not the archive.
    pub(crate) fn is_usage(&self) -> bool {
        matches!(
            self,
            CorrectError::NoSuchDocument(_)
                | CorrectError::NoSuchPage { .. }
                | CorrectError::NoSuchLine { .. }
                | CorrectError::Empty { .. }
                | CorrectError::Unchanged { .. }
                | CorrectError::NotCorrected { .. }
        )
    }
}

/// Page `number` of document `id`, checked to be one of its pages.
pub(crate) fn page(archive: &Archive, id: &str, number: u32) -> Result<RecognizedPage, CorrectError> {
    if !crate::archive::is_document_id(id) || !archive.record_path(id).is_file() {
        return Err(CorrectError::NoSuchDocument(id.to_string()));
    }
    let pages = files::record(archive, id)?.pages.len();
    if number == 0 || number as usize > pages {
        return Err(CorrectError::NoSuchPage { id: id.to_string(), page: number, pages });
    }
    Ok(files::page(archive, id, number)?)
}

/// The words a line had before its first correction since it was last reverted (none
/// when it is not corrected).
fn original_words(history: &[Correction], line: u32) -> Option<Vec<Word>> {
    let changes = history.iter().rev().filter(|c| c.line == line);
    changes.take_while(|c| c.action == Action::Correct).last().map(|c| c.before.clone())
}

/// Corrects or reverts one line: the page's file, the PDF and the record are committed
/// together, then the catalogue and the search index follow.
pub(crate) fn apply(writer: &mut Writer, archive: &Archive, request: &Request) -> Result<Entry, CorrectError> {
    let Request { id, page: number, line, by, .. } = request;
    let (number, line) = (*number, *line);
    let mut page = page(archive, id, number)?;
    let lines = page.lines.len();
    if line == 0 || line as usize > lines {
        return Err(CorrectError::NoSuchLine { id: id.clone(), page: number, line, lines });
    }
    let at = |id: &String| (id.clone(), number, line);
    let target = &page.lines[line as usize - 1];
    let old = target.text();
    let (words, corrected, action) = match &request.change {
        Change::Text(text) => {
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            let (id, page, line) = at(id);
            if text.is_empty() {
                return Err(CorrectError::Empty { id, page, line });
            }
            if text == old {
                return Err(CorrectError::Unchanged { id, page, line, text });
            }
            (place::place(target, &text), true, Action::Correct)
        }
        Change::Revert => {
            let original = original_words(&page.corrections, line).filter(|_| target.corrected);
            let (id, page, line) = at(id);
            (original.ok_or(CorrectError::NotCorrected { id, page, line })?, false, Action::Revert)
        }
    };
    let target = &mut page.lines[line as usize - 1];
    let before = std::mem::replace(&mut target.words, words);
    target.corrected = corrected;
    let new = target.text();
    let now = Utc::now();
    page.corrections.push(Correction { action, line, by: by.clone(), at: now, old, new, before });

    let mut record = files::record(archive, id)?;
    record.pages[number as usize - 1].words = page.word_count();
    record.updated = now;
    let staged = Staged::begin(archive, id)?;
    staged.write_page(number, &serde_json::to_vec(&page).expect("pages serialize"))?;
    let written = rewrite_page_text(&archive.pdf_path(id), &staged.pdf_path(), number, &page, &Metadata::of(&record))?;
    record.pdf_sha256 = written.sha256;
    record.pdf_bytes = written.bytes;
    staged.commit(&record)?;

    let pages = files::pages(archive, &record)?;
    writer.catalog.put(&record, &pages)?;
    writer.catalog.flush()?;
    // The articles on an issue's page take their text from it: they are indexed again too.
    crate::index::refresh(&mut writer.index, &writer.catalog, std::slice::from_ref(id))?;
    Ok(Entry::of(id, number, page.corrections.last().expect("pushed above")))
}

/// Every correction and revert in the archive, oldest first; with `since`, those made
/// on or after that day. Read from the page files, the history's source of truth.
pub(crate) fn list(archive: &Archive, since: Option<NaiveDate>) -> Result<Vec<Entry>, FileError> {
    let since = since.map(|day| day.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    let (records, _) = files::records(archive)?;
    let mut entries = Vec::new();
    // A change of a page moves its record's time, so older records hold none since.
    for record in records.values().filter(|r| since.is_none_or(|s| r.updated >= s)) {
        for number in 1..=record.pages.len() as u32 {
            let page = files::page(archive, &record.id, number)?;
            let made = page.corrections.iter().filter(|c| since.is_none_or(|s| c.at >= s));
            entries.extend(made.map(|c| Entry::of(&record.id, number, c)));
        }
    }
    entries.sort_by_key(|e| e.at);
    Ok(entries)
}

/// Lines corrected in `year`: the corrections made in it (a line corrected twice counts
/// twice; reverts do not count).
pub(crate) fn corrected_in(entries: &[Entry], year: i32) -> u64 {
    entries.iter().filter(|e| e.action == Action::Correct && crate::report::local_year(e.at) == year).count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::BBox;

    fn correction(action: Action, line: u32, before: &str) -> Correction {
        Correction {
            action,
            line,
            by: "staff".into(),
            at: Utc::now(),
            old: String::new(),
            new: String::new(),
            before: vec![Word { text: before.into(), bbox: BBox::default(), conf: 50.0 }],
        }
    }

    #[test]
    fn a_revert_puts_back_the_words_before_the_first_correction_since_the_last_revert() {
        let history = vec![
            correction(Action::Correct, 2, "ocr"),
            correction(Action::Correct, 3, "other line"),
            correction(Action::Correct, 2, "first fix"),
        ];
        assert_eq!(original_words(&history, 2).unwrap()[0].text, "ocr");
        assert_eq!(original_words(&history, 4), None, "never corrected");
        let mut reverted = history.clone();
        reverted.push(correction(Action::Revert, 2, "first fix"));
        assert_eq!(original_words(&reverted, 2), None, "reverted: nothing to revert");
        reverted.push(correction(Action::Correct, 2, "ocr again"));
        assert_eq!(original_words(&reverted, 2).unwrap()[0].text, "ocr again");
    }
}
