//! The bibliographic fields as text: how a manifest cell, a `catalog set` value and an
//! exported CSV column read and write each field of [`Bibliographic`]. One table serves all
//! three, so whatever olke writes it can read back.

use chrono::{DateTime, NaiveDate, Utc};
use serde::de::{DeserializeOwned, IntoDeserializer};
use serde::{Deserialize, Serialize};

use super::{Bibliographic, DocumentType};

/// The fields of the bibliographic description, in the manifest's column order.
pub(crate) const FIELDS: &[&str] = &[
    "type",
    "title",
    "authors",
    "source",
    "date",
    "issue",
    "source_pages",
    "place",
    "publisher",
    "year",
    "language",
    "collections",
    "rights",
    "contract",
    "subjects",
    "flags",
    "first_page_number",
    "notes",
];

/// A record's language is a three-letter ISO 639-2 or 639-3 code, as Tesseract names its
/// models: the fund is in these, and `[ocr.models]` in olke.toml says which model reads
/// any other (`kpv`, Komi, has none of its own: the Cyrillic script model reads it).
const EXAMPLE_LANGUAGES: &str = "kaz, rus, eng";

/// Separates the items of a list field in one cell.
pub(crate) const LIST_SEPARATOR: char = ';';

/// Characters no field keeps: control characters (a PDF's metadata or a pasted cell can
/// carry them; XML 1.0 forbids most of them and a terminal obeys them) and the two
/// non-characters XML 1.0 forbids, U+FFFE and U+FFFF.
pub(crate) fn is_unprintable(c: char) -> bool {
    c.is_control() || c == '\u{FFFE}' || c == '\u{FFFF}'
}

/// `text` with every unprintable character a space; line breaks are kept where
/// `keep_lines` (in notes).
pub(crate) fn printable(text: &str, keep_lines: bool) -> String {
    text.chars().map(|c| if is_unprintable(c) && !(keep_lines && c == '\n') { ' ' } else { c }).collect()
}

/// A value as given: one cell of text (lists `;`-separated), or a list (from TOML).
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    List(Vec<String>),
}

impl Value {
    /// The items of a list: a text is split at `;`; blanks are dropped.
    pub fn items(&self) -> Vec<String> {
        let raw: Vec<&str> = match self {
            Value::Text(text) => text.split(LIST_SEPARATOR).collect(),
            Value::List(items) => items.iter().map(String::as_str).collect(),
        };
        raw.into_iter().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string).collect()
    }

    /// The items of a list field, each once (a collection named twice is one collection).
    fn distinct_items(&self) -> Vec<String> {
        let mut items = self.items();
        let mut seen = std::collections::HashSet::new();
        items.retain(|item| seen.insert(item.clone()));
        items
    }

    /// The value with its unprintable characters made spaces (see [`is_unprintable`]).
    fn printable(&self, keep_lines: bool) -> Value {
        match self {
            Value::Text(text) => Value::Text(printable(text, keep_lines)),
            Value::List(items) => Value::List(items.iter().map(|item| printable(item, keep_lines)).collect()),
        }
    }

    /// A single value, or `None` when blank.
    pub fn single(&self) -> Result<Option<String>, String> {
        let text = match self {
            Value::Text(text) => text.trim().to_string(),
            Value::List(items) if items.len() <= 1 => items.first().map(|s| s.trim().to_string()).unwrap_or_default(),
            Value::List(_) => return Err("expected one value, not a list".into()),
        };
        Ok((!text.is_empty()).then_some(text))
    }

    pub fn is_blank(&self) -> bool {
        self.items().is_empty()
    }
}

/// A field that cannot take a value, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

impl FieldError {
    pub fn new(field: &str, reason: impl Into<String>) -> FieldError {
        FieldError { field: field.to_string(), reason: reason.into() }
    }
}

/// One change of one field, as kept in a record's history.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Edit {
    pub time: DateTime<Utc>,
    pub field: String,
    pub old: String,
    pub new: String,
}

/// A keyword such as `newspaper_article`, read by the type's own serde names, so the
/// accepted spellings are exactly those stored in `record.json`. serde's message names the
/// accepted values ("unknown variant `x`, expected one of …").
fn keyword<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    T::deserialize(text.into_deserializer()).map_err(|e: serde::de::value::Error| e.to_string())
}

/// The name serde gives a keyword (the inverse of [`keyword`]).
fn keyword_name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(name)) => name,
        other => unreachable!("keywords serialize as strings, not {other:?}"),
    }
}

/// `YYYY-MM-DD` (a real day) or `YYYY`.
pub(crate) fn parse_date(text: &str) -> Result<String, String> {
    let is_year = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
    let is_day = text.len() == 10 && NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok();
    if is_year || is_day {
        Ok(text.to_string())
    } else {
        Err(format!("bad date '{text}': expected YYYY-MM-DD or YYYY"))
    }
}

/// The year of a `YYYY-MM-DD` or `YYYY` date.
pub(crate) fn date_year(date: &str) -> Option<i32> {
    date.get(..4)?.parse().ok()
}

/// A page (`4`) or a range (`46-65`; an en dash is taken too), stored with a hyphen.
pub(crate) fn parse_pages(text: &str) -> Result<String, String> {
    let page = |s: &str| s.trim().parse::<u32>().ok().filter(|&n| n > 0);
    let parsed = match text.split_once(['-', '–']) {
        None => page(text).map(|n| n.to_string()),
        Some((first, last)) => match (page(first), page(last)) {
            (Some(a), Some(b)) if a <= b => Some(format!("{a}-{b}")),
            _ => None,
        },
    };
    parsed.ok_or_else(|| format!("page range '{text}' does not parse: expected a page (4) or a range (46-65)"))
}

fn parse_year(text: &str) -> Result<i32, String> {
    match text.parse::<i32>() {
        Ok(year) if (1000..=9999).contains(&year) => Ok(year),
        _ => Err(format!("year '{text}' is not a year: expected four digits (2016)")),
    }
}

fn parse_positive(text: &str) -> Result<u32, String> {
    text.parse::<u32>()
        .ok()
        .filter(|&n| n > 0)
        .ok_or_else(|| format!("'{text}' is not a page number: expected a whole number from 1"))
}

fn parse_languages(items: Vec<String>) -> Result<Vec<String>, String> {
    items
        .into_iter()
        .map(|item| match item.to_ascii_lowercase() {
            code if code.len() == 3 && code.bytes().all(|b| b.is_ascii_lowercase()) => Ok(code),
            _ => {
                Err(format!("unknown language '{item}': expected a three-letter ISO 639 code ({EXAMPLE_LANGUAGES}, …)"))
            }
        })
        .collect()
}

fn join(items: &[String]) -> String {
    items.join(&format!("{LIST_SEPARATOR} "))
}

impl Bibliographic {
    /// Sets one field from its text. The field is left as it was when the value is refused.
    pub fn set(&mut self, field: &str, value: &Value) -> Result<(), FieldError> {
        let fail = |reason: String| FieldError::new(field, reason);
        let value = &value.printable(field == "notes");
        // Lists may come as TOML arrays; every other field takes one value.
        let single = || value.single().map_err(fail);
        match field {
            "type" => self.kind = single()?.map(|s| keyword(&s)).transpose().map_err(fail)?,
            "title" => self.title = single()?.unwrap_or_default(),
            "authors" => self.authors = value.distinct_items(),
            "source" => self.source = single()?,
            "date" => self.date = single()?.map(|s| parse_date(&s)).transpose().map_err(fail)?,
            "issue" => self.issue = single()?,
            "source_pages" => self.source_pages = single()?.map(|s| parse_pages(&s)).transpose().map_err(fail)?,
            "place" => self.place = single()?,
            "publisher" => self.publisher = single()?,
            "year" => self.year = single()?.map(|s| parse_year(&s)).transpose().map_err(fail)?,
            "language" => self.language = parse_languages(value.distinct_items()).map_err(fail)?,
            "collections" => self.collections = value.distinct_items(),
            "rights" => self.rights = single()?.map(|s| keyword(&s)).transpose().map_err(fail)?,
            "contract" => self.contract = single()?,
            "subjects" => self.subjects = value.distinct_items(),
            "flags" => {
                self.flags =
                    value.distinct_items().iter().map(|s| keyword(s)).collect::<Result<_, _>>().map_err(fail)?
            }
            "first_page_number" => {
                self.first_page_number = single()?.map(|s| parse_positive(&s)).transpose().map_err(fail)?
            }
            "notes" => self.notes = single()?,
            _ => return Err(fail(format!("unknown field; the fields are {}", FIELDS.join(", ")))),
        }
        Ok(())
    }

    /// A field as text, as [`set`](Self::set) reads it (lists joined with `; `).
    pub fn get(&self, field: &str) -> String {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let number = |v: Option<u32>| v.map(|n| n.to_string()).unwrap_or_default();
        match field {
            "type" => self.kind.as_ref().map(keyword_name).unwrap_or_default(),
            "title" => self.title.clone(),
            "authors" => join(&self.authors),
            "source" => text(&self.source),
            "date" => text(&self.date),
            "issue" => text(&self.issue),
            "source_pages" => text(&self.source_pages),
            "place" => text(&self.place),
            "publisher" => text(&self.publisher),
            "year" => self.year.map(|y| y.to_string()).unwrap_or_default(),
            "language" => join(&self.language),
            "collections" => join(&self.collections),
            "rights" => self.rights.as_ref().map(keyword_name).unwrap_or_default(),
            "contract" => text(&self.contract),
            "subjects" => join(&self.subjects),
            "flags" => join(&self.flags.iter().map(keyword_name).collect::<Vec<_>>()),
            "first_page_number" => number(self.first_page_number),
            "notes" => text(&self.notes),
            _ => String::new(),
        }
    }

    /// What no single field shows: a title is required, an article or chapter needs the
    /// publication it appeared in, and a stated year must agree with the date.
    pub fn check(&self) -> Vec<FieldError> {
        let mut problems = Vec::new();
        if self.title.trim().is_empty() {
            problems.push(FieldError::new("title", "a title is required"));
        }
        let host = match self.kind {
            Some(DocumentType::NewspaperArticle) => Some("the newspaper's title"),
            Some(DocumentType::JournalArticle) => Some("the journal's title"),
            Some(DocumentType::BookChapter) => Some("the title of the book it is in"),
            Some(DocumentType::NewspaperIssue) => Some("the newspaper's title"),
            Some(DocumentType::Book) | None => None,
        };
        if let (Some(host), None) = (host, &self.source) {
            problems.push(FieldError::new("source", format!("a {} needs a source ({host})", self.get("type"))));
        }
        if let (Some(year), Some(date)) = (self.year, &self.date) {
            if date_year(date) != Some(year) {
                problems.push(FieldError::new("year", format!("year {year} differs from the date {date}")));
            }
        }
        problems
    }

    /// The fields that differ from `old`, as history entries dated `time`.
    pub fn changes_from(&self, old: &Bibliographic, time: DateTime<Utc>) -> Vec<Edit> {
        FIELDS
            .iter()
            .filter_map(|&field| {
                let (before, after) = (old.get(field), self.get(field));
                (before != after).then(|| Edit { time, field: field.to_string(), old: before, new: after })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Flag, Rights};

    fn text(s: &str) -> Value {
        Value::Text(s.to_string())
    }

    #[test]
    fn fields_keep_no_control_characters_and_notes_keep_their_lines() {
        let mut bib = Bibliographic::default();
        bib.set("title", &text("Жыр\u{1b}[31m кітабы\u{FFFE}\nекі")).unwrap();
        assert_eq!(bib.title, "Жыр [31m кітабы  екі");
        bib.set("authors", &Value::List(vec!["Кәрім,\u{0} Н.".into()])).unwrap();
        assert_eq!(bib.authors, ["Кәрім,  Н."]);
        bib.set("notes", &text("бір\nекі\u{7}")).unwrap();
        assert_eq!(bib.notes.as_deref(), Some("бір\nекі"));
    }

    #[test]
    fn every_field_reads_back_what_it_writes() {
        let mut bib = Bibliographic::default();
        let cells = [
            ("type", "newspaper_article"),
            ("title", "Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен"),
            ("authors", "Шөженов, Ж.; Кәрім, Н."),
            ("source", "Пульс"),
            ("date", "2019-07-12"),
            ("issue", "28"),
            ("source_pages", "46-65"),
            ("place", "Қарағанды"),
            ("publisher", "Типография Арко"),
            ("year", "2019"),
            ("language", "rus; kaz"),
            ("collections", "Балқаш тарихы; Батырлар"),
            ("rights", "author_contract"),
            ("contract", "№ 12, 2021-03-01"),
            ("subjects", "Ағыбай батыр; өлкетану"),
            ("flags", "rare; local_history"),
            ("first_page_number", "4"),
            ("notes", "шкаф 3"),
        ];
        assert_eq!(cells.len(), FIELDS.len());
        for (field, value) in cells {
            bib.set(field, &text(value)).unwrap();
            assert_eq!(bib.get(field), value, "{field}");
        }
        assert_eq!(bib.kind, Some(DocumentType::NewspaperArticle));
        assert_eq!(bib.rights, Some(Rights::AuthorContract));
        assert_eq!(bib.flags, vec![Flag::Rare, Flag::LocalHistory]);
        assert_eq!(bib.language, vec!["rus", "kaz"]);
        assert!(bib.check().is_empty(), "{:?}", bib.check());
    }

    #[test]
    fn bad_values_are_refused_with_the_reason() {
        let mut bib = Bibliographic::default();
        let reason =
            |bib: &mut Bibliographic, field: &str, value: &str| bib.set(field, &text(value)).unwrap_err().reason;
        assert_eq!(
            reason(&mut bib, "type", "newspaper"),
            "unknown variant `newspaper`, expected one of `newspaper_article`, `journal_article`, `book`, `book_chapter`, `newspaper_issue`"
        );
        assert_eq!(reason(&mut bib, "date", "12.07.2019"), "bad date '12.07.2019': expected YYYY-MM-DD or YYYY");
        assert_eq!(reason(&mut bib, "date", "2019-02-30"), "bad date '2019-02-30': expected YYYY-MM-DD or YYYY");
        assert_eq!(
            reason(&mut bib, "source_pages", "65-46"),
            "page range '65-46' does not parse: expected a page (4) or a range (46-65)"
        );
        assert_eq!(
            reason(&mut bib, "source_pages", "IV"),
            "page range 'IV' does not parse: expected a page (4) or a range (46-65)"
        );
        assert_eq!(reason(&mut bib, "year", "16"), "year '16' is not a year: expected four digits (2016)");
        assert_eq!(
            reason(&mut bib, "language", "kk"),
            "unknown language 'kk': expected a three-letter ISO 639 code (kaz, rus, eng, …)"
        );
        assert_eq!(
            reason(&mut bib, "language", "рус"),
            "unknown language 'рус': expected a three-letter ISO 639 code (kaz, rus, eng, …)"
        );
        let mut komi = Bibliographic::default();
        komi.set("language", &text("KPV; rus")).unwrap();
        assert_eq!(komi.language, vec!["kpv", "rus"], "any ISO 639 code, in lower case");
        assert!(reason(&mut bib, "flags", "rare; old").starts_with("unknown variant `old`"));
        assert!(reason(&mut bib, "rights", "free").contains("`public_domain`, `author_contract`, `in_copyright`"));
        assert_eq!(
            reason(&mut bib, "first_page_number", "0"),
            "'0' is not a page number: expected a whole number from 1"
        );
        assert!(reason(&mut bib, "shelf", "A").starts_with("unknown field; the fields are type, title"));
        assert_eq!(bib, Bibliographic::default(), "refused values change nothing");
        assert_eq!(
            bib.set("title", &Value::List(vec!["a".into(), "b".into()])).unwrap_err().reason,
            "expected one value, not a list"
        );
    }

    #[test]
    fn en_dash_ranges_and_blank_cells() {
        let mut bib = Bibliographic { source: Some("x".into()), ..Default::default() };
        bib.set("source_pages", &text("46 – 65")).unwrap();
        assert_eq!(bib.source_pages.as_deref(), Some("46-65"));
        bib.set("source", &text("  ")).unwrap();
        assert_eq!(bib.source, None);
        bib.set("subjects", &Value::List(vec!["a; b".into(), " ".into()])).unwrap();
        assert_eq!(bib.subjects, vec!["a; b"], "a TOML list item is one item, whatever it contains");
    }

    #[test]
    fn cross_field_checks() {
        let article = Bibliographic {
            kind: Some(DocumentType::NewspaperArticle),
            year: Some(2018),
            date: Some("2019-07-12".into()),
            ..Default::default()
        };
        let problems: Vec<String> = article.check().iter().map(ToString::to_string).collect();
        assert_eq!(
            problems,
            vec![
                "title: a title is required",
                "source: a newspaper_article needs a source (the newspaper's title)",
                "year: year 2018 differs from the date 2019-07-12",
            ]
        );
    }

    #[test]
    fn changes_name_the_fields_that_differ() {
        let old = Bibliographic { title: "Қамшы".into(), ..Default::default() };
        let new = Bibliographic {
            title: "Қамшы".into(),
            authors: vec!["Кәрім, Н.".into()],
            year: Some(2016),
            ..Default::default()
        };
        let time = Utc::now();
        let changes = new.changes_from(&old, time);
        let fields: Vec<(&str, &str, &str)> =
            changes.iter().map(|c| (c.field.as_str(), c.old.as_str(), c.new.as_str())).collect();
        assert_eq!(fields, vec![("authors", "", "Кәрім, Н."), ("year", "", "2016")]);
    }
}
