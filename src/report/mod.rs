//! The annual digitization report, as libraries report it: documents and pages digitized
//! in the year and through its end, by kind of publication; among whole books, the rare,
//! local-history and Kazakhstan-content ones (the manifest's `flags`); the deliveries of
//! the year; pages digitized per month ([`chart`]); the lines of text corrected. A document counts in the year it was
//! archived (its record's `created`), a request in the year it was filed, both in local
//! time, as the library keeps its year.
//!
//! [`format`] writes the report as a text table, CSV, Markdown or JSON.

pub(crate) mod chart;
pub(crate) mod format;

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Local, Utc};
use serde::Serialize;

use crate::record::request::{Request, Status};
use crate::record::{DocumentRecord, DocumentType, Flag};

/// The year of `time` at the library.
pub(crate) fn local_year(time: DateTime<Utc>) -> i32 {
    time.with_timezone(&Local).year()
}

/// Documents and their pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Count {
    pub documents: u64,
    pub pages: u64,
}

impl Count {
    /// Adds a document and its pages; an issue `hosting` articles adds its pages only.
    fn add(&mut self, record: &DocumentRecord, hosting: bool) {
        self.documents += u64::from(!hosting);
        self.pages += record.pages.len() as u64;
    }
}

/// One line of the table: in the year, and through the end of it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Row {
    /// `newspaper_article`, …, `untyped`, `total`; `rare`, `local_history`, `kazakhstan_content`.
    pub key: &'static str,
    pub label_kk: &'static str,
    pub label_ru: &'static str,
    pub year: Count,
    pub all_years: Count,
}

/// What the register holds for the year.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct Deliveries {
    pub requests: u64,
    pub delivered: u64,
    pub refused: u64,
    pub waiting: u64,
    /// Pages sent in the copies delivered.
    pub pages_delivered: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub(crate) struct Report {
    pub year: i32,
    /// By kind of publication, then the total.
    pub kinds: Vec<Row>,
    /// Whole books carrying each flag.
    pub books: Vec<Row>,
    pub deliveries: Deliveries,
    /// Pages archived in each month of the year, January first.
    pub pages_by_month: [u64; 12],
    /// Lines of recognized text corrected in the year (see [`crate::correct::corrected_in`]).
    pub corrected_lines: u64,
}

/// The kinds the table has a line for, in the order libraries list them.
const KINDS: [(Option<DocumentType>, &str, &str, &str); 6] = [
    (Some(DocumentType::NewspaperArticle), "newspaper_article", "Газет мақалалары", "Газетные статьи"),
    (Some(DocumentType::JournalArticle), "journal_article", "Журнал мақалалары", "Журнальные статьи"),
    (Some(DocumentType::BookChapter), "book_chapter", "Кітап тараулары", "Главы книг"),
    (Some(DocumentType::Book), "book", "Кітаптар (толық)", "Книги (целиком)"),
    (Some(DocumentType::NewspaperIssue), "newspaper_issue", "Газет нөмірлері", "Номера газет"),
    (None, "untyped", "Түрі көрсетілмеген", "Вид не указан"),
];

const FLAGS: [(Flag, &str, &str, &str); 3] = [
    (Flag::Rare, "rare", "Сирек кітаптар", "Редкие книги"),
    (Flag::LocalHistory, "local_history", "Өлкетану кітаптары", "Краеведческие книги"),
    (Flag::KazakhstanContent, "kazakhstan_content", "Қазақстан туралы кітаптар", "Книги о Казахстане"),
];

/// Counts the documents for which `belongs` holds: archived in `year`, and through it.
fn row(
    key: &'static str,
    label_kk: &'static str,
    label_ru: &'static str,
    year: i32,
    documents: &[DocumentRecord],
    hosts: &HashSet<&str>,
    belongs: impl Fn(&DocumentRecord) -> bool,
) -> Row {
    let mut row = Row { key, label_kk, label_ru, year: Count::default(), all_years: Count::default() };
    for record in documents.iter().filter(|r| belongs(r)) {
        let archived = local_year(record.created);
        let hosting = hosts.contains(record.id.as_str());
        if archived == year {
            row.year.add(record, hosting);
        }
        if archived <= year {
            row.all_years.add(record, hosting);
        }
    }
    row
}

/// The kind a document is counted under. The library catalogues newspaper articles, so an
/// issue scanned to carry articles (`hosts`) is not a document of the fund but the pages
/// its articles were digitized on: its pages count (once) with the articles, which count
/// as documents with no pages of their own. An issue catalogued whole is a document.
fn counted_kind(record: &DocumentRecord, hosts: &HashSet<&str>) -> Option<DocumentType> {
    match record.bib.kind {
        Some(DocumentType::NewspaperIssue) if hosts.contains(record.id.as_str()) => {
            Some(DocumentType::NewspaperArticle)
        }
        kind => kind,
    }
}

/// The report for `year` of the archive's documents and request register.
pub(crate) fn compute(year: i32, documents: &[DocumentRecord], requests: &[Request]) -> Report {
    let hosts: HashSet<&str> = documents.iter().filter_map(|r| r.host.as_deref()).collect();
    let mut kinds: Vec<Row> = KINDS
        .iter()
        .map(|(kind, key, kk, ru)| row(key, kk, ru, year, documents, &hosts, |r| counted_kind(r, &hosts) == *kind))
        .collect();
    // Lines for documents without a type, and for issues catalogued whole, only when there are any.
    kinds.retain(|r| !matches!(r.key, "untyped" | "newspaper_issue") || r.all_years.documents > 0);
    kinds.push(row("total", "Барлығы", "Всего", year, documents, &hosts, |_| true));
    let books = FLAGS
        .iter()
        .map(|(flag, key, kk, ru)| {
            row(key, kk, ru, year, documents, &hosts, |r| {
                r.bib.kind == Some(DocumentType::Book) && r.bib.flags.contains(flag)
            })
        })
        .collect();
    let mut deliveries = Deliveries::default();
    for request in requests.iter().filter(|r| local_year(r.filed) == year) {
        deliveries.requests += 1;
        match request.status {
            Status::Requested => deliveries.waiting += 1,
            Status::Refused { .. } => deliveries.refused += 1,
            Status::Delivered { .. } => {
                deliveries.delivered += 1;
                deliveries.pages_delivered += request.pages.count() as u64;
            }
        }
    }
    let mut pages_by_month = [0u64; 12];
    for record in documents.iter().filter(|r| local_year(r.created) == year) {
        pages_by_month[record.created.with_timezone(&Local).month0() as usize] += record.pages.len() as u64;
    }
    Report { year, kinds, books, deliveries, pages_by_month, corrected_lines: 0 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::pages::{Numbering, PageRange, Selection};
    use crate::record::request::Requester;
    use crate::record::tests::document;

    fn archived(id: &str, cells: &[(&str, &str)], pages: usize, created: &str) -> DocumentRecord {
        let mut record = document(id, cells);
        let page = crate::record::tests::page();
        record.pages = vec![page; pages];
        // Noon, so that the local date is the same day in any time zone this runs in.
        record.created = format!("{created}T12:00:00Z").parse().unwrap();
        record
    }

    fn request(filed: &str, status: Status, pages: u32) -> Request {
        let range = PageRange { first: 1, last: pages };
        Request {
            number: 1,
            filed: format!("{filed}T12:00:00Z").parse().unwrap(),
            requester: Requester { name: "А".into(), email: "a@b.kz".into() },
            purpose: None,
            document: "x".into(),
            citation: String::new(),
            pages: Selection { asked: range, numbering: Numbering::Pdf, pdf: range },
            status,
        }
    }

    fn counts(rows: &[Row]) -> Vec<(&str, u64, u64, u64, u64)> {
        rows.iter().map(|r| (r.key, r.year.documents, r.year.pages, r.all_years.documents, r.all_years.pages)).collect()
    }

    #[test]
    fn articles_count_as_documents_and_their_issue_pages_once() {
        let article = |id: &str| {
            let mut record =
                archived(id, &[("title", id), ("type", "newspaper_article"), ("source", "Пульс")], 0, "2024-03-10");
            record.host = Some("issue".into());
            record
        };
        let issue = &[("title", "Пульс"), ("type", "newspaper_issue"), ("source", "Пульс")];
        let documents = vec![
            archived("issue", issue, 2, "2024-03-10"),
            article("a"),
            article("b"),
            archived("whole", issue, 4, "2024-03-10"),
        ];
        let report = compute(2024, &documents, &[]);
        let counted: Vec<_> = counts(&report.kinds).into_iter().filter(|c| c.3 > 0).collect();
        assert_eq!(
            counted,
            [("newspaper_article", 2, 2, 2, 2), ("newspaper_issue", 1, 4, 1, 4), ("total", 3, 6, 3, 6)],
            "two articles on two pages; an issue catalogued whole is a document"
        );
    }

    #[test]
    fn documents_count_in_the_year_they_were_archived_and_in_every_later_total() {
        let documents = vec![
            archived("a", &[("title", "A"), ("type", "newspaper_article"), ("source", "Пульс")], 1, "2023-05-02"),
            archived("b", &[("title", "B"), ("type", "newspaper_article"), ("source", "Пульс")], 2, "2024-03-10"),
            archived("c", &[("title", "C"), ("type", "book"), ("flags", "rare; local_history")], 120, "2024-03-11"),
            archived("d", &[("title", "D"), ("type", "book"), ("flags", "kazakhstan_content")], 80, "2024-11-30"),
            archived("e", &[("title", "E"), ("type", "book_chapter"), ("source", "C")], 15, "2025-01-15"),
            archived("f", &[("title", "F")], 3, "2024-06-01"),
        ];
        let report = compute(2024, &documents, &[]);
        assert_eq!(
            counts(&report.kinds),
            vec![
                ("newspaper_article", 1, 2, 2, 3),
                ("journal_article", 0, 0, 0, 0),
                ("book_chapter", 0, 0, 0, 0),
                ("book", 2, 200, 2, 200),
                ("untyped", 1, 3, 1, 3),
                ("total", 4, 205, 5, 206),
            ]
        );
        assert_eq!(
            counts(&report.books),
            vec![("rare", 1, 120, 1, 120), ("local_history", 1, 120, 1, 120), ("kazakhstan_content", 1, 80, 1, 80)]
        );
        assert_eq!(report.pages_by_month, [0, 0, 122, 0, 0, 3, 0, 0, 0, 0, 80, 0]);
        let earlier = compute(2023, &documents, &[]);
        assert_eq!(counts(&earlier.kinds).last(), Some(&("total", 1, 1, 1, 1)));
        assert!(
            !earlier.kinds.iter().any(|r| r.key == "untyped"),
            "no line for untyped documents before there were any"
        );
    }

    #[test]
    fn deliveries_of_the_year() {
        let now: DateTime<Utc> = "2024-05-01T12:00:00Z".parse().unwrap();
        let requests = vec![
            request("2024-02-01", Status::Delivered { delivered: now, file: "a.pdf".into(), bytes: 1 }, 20),
            request("2024-02-03", Status::Refused { refused: now, reason: "in copyright".into() }, 40),
            request("2024-12-20", Status::Requested, 2),
            request("2023-12-20", Status::Delivered { delivered: now, file: "b.pdf".into(), bytes: 1 }, 5),
        ];
        let report = compute(2024, &[], &requests);
        assert_eq!(
            report.deliveries,
            Deliveries { requests: 3, delivered: 1, refused: 1, waiting: 1, pages_delivered: 20 }
        );
    }
}
