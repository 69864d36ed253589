//! Which pages a request asks for. Readers quote the printed page numbers ("pages 46–65
//! of volume 6"), so a document whose record knows the printed number of its first
//! scanned page (`first_page_number`) is asked for by printed numbers; any other by the
//! PDF's own page numbers, from 1.

use serde::{Deserialize, Serialize};

use crate::record::fields::parse_pages;
use crate::record::DocumentRecord;

/// A page or a range of pages, as asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRange {
    pub first: u32,
    pub last: u32,
}

impl PageRange {
    /// `46`, `46-65` or `46–65`.
    pub fn parse(text: &str) -> Result<PageRange, String> {
        let normalized = parse_pages(text.trim())?;
        let (first, last) = normalized.split_once('-').unwrap_or((&normalized, &normalized));
        let number = |s: &str| s.parse::<u32>().expect("parse_pages gives numbers");
        Ok(PageRange { first: number(first), last: number(last) })
    }

    pub fn count(&self) -> u32 {
        self.last - self.first + 1
    }
}

impl std::fmt::Display for PageRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.first == self.last {
            write!(f, "{}", self.first)
        } else {
            write!(f, "{}–{}", self.first, self.last)
        }
    }
}

/// How a document's pages are numbered in requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Numbering {
    /// The numbers printed on the pages.
    Printed,
    /// The PDF's page numbers, from 1.
    Pdf,
}

/// The pages of one request: as asked for, and where they are in the archived PDF.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selection {
    #[serde(flatten)]
    pub asked: PageRange,
    pub numbering: Numbering,
    /// The same pages as PDF page numbers (from 1).
    pub pdf: PageRange,
}

impl Selection {
    pub fn count(&self) -> u32 {
        self.pdf.count()
    }

    /// The document's pages, numbered as requests number them (a hosted article's: its
    /// zones, each a page of its copy).
    pub fn available(record: &DocumentRecord) -> (Numbering, PageRange) {
        let count = record.pages_held() as u32;
        match record.bib.first_page_number {
            Some(first) => (Numbering::Printed, PageRange { first, last: first + count.max(1) - 1 }),
            None => (Numbering::Pdf, PageRange { first: 1, last: count.max(1) }),
        }
    }

    /// Resolves `asked` (the whole document when `None`) against the record's pages.
    pub fn resolve(record: &DocumentRecord, asked: Option<PageRange>) -> Result<Selection, String> {
        let (numbering, available) = Selection::available(record);
        let asked = asked.unwrap_or(available);
        if asked.first < available.first || asked.last > available.last {
            let which = match (numbering, available.count()) {
                (Numbering::Printed, 1) => "printed page",
                (Numbering::Printed, _) => "printed pages",
                (Numbering::Pdf, 1) => "page",
                (Numbering::Pdf, _) => "pages",
            };
            let asked = if asked.count() == 1 { format!("page {asked} is") } else { format!("pages {asked} are") };
            return Err(format!("{asked} not in {}: it has {which} {available}", record.id));
        }
        let offset = available.first - 1;
        Ok(Selection { asked, numbering, pdf: PageRange { first: asked.first - offset, last: asked.last - offset } })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    fn with_pages(count: usize, first_page_number: Option<&str>) -> DocumentRecord {
        let mut cells = vec![("title", "Том 6")];
        if let Some(first) = first_page_number {
            cells.push(("first_page_number", first));
        }
        let mut record = document("tom-6", &cells);
        let page = crate::record::tests::page();
        record.pages = vec![page; count];
        record
    }

    #[test]
    fn ranges_parse_with_hyphen_or_en_dash_and_bad_ones_are_named() {
        assert_eq!(PageRange::parse("46-65"), Ok(PageRange { first: 46, last: 65 }));
        assert_eq!(PageRange::parse("46–65"), Ok(PageRange { first: 46, last: 65 }));
        assert_eq!(PageRange::parse(" 7 "), Ok(PageRange { first: 7, last: 7 }));
        assert_eq!(
            PageRange::parse("65-46").unwrap_err(),
            "page range '65-46' does not parse: expected a page (4) or a range (46-65)"
        );
        assert!(PageRange::parse("0").is_err());
        assert!(PageRange::parse("a-b").is_err());
        assert_eq!(PageRange { first: 46, last: 65 }.to_string(), "46–65");
    }

    #[test]
    fn printed_numbers_are_used_when_the_record_knows_the_first_one() {
        let record = with_pages(30, Some("40"));
        let selection = Selection::resolve(&record, Some(PageRange { first: 46, last: 65 })).unwrap();
        assert_eq!(selection.numbering, Numbering::Printed);
        assert_eq!(selection.pdf, PageRange { first: 7, last: 26 });
        assert_eq!(selection.count(), 20);
        assert_eq!(
            Selection::resolve(&record, Some(PageRange { first: 60, last: 70 })).unwrap_err(),
            "pages 60–70 are not in tom-6: it has printed pages 40–69"
        );
        assert_eq!(Selection::resolve(&record, None).unwrap().pdf, PageRange { first: 1, last: 30 });
    }

    #[test]
    fn pdf_numbers_otherwise() {
        let record = with_pages(3, None);
        let selection = Selection::resolve(&record, Some(PageRange { first: 2, last: 3 })).unwrap();
        assert_eq!((selection.numbering, selection.pdf), (Numbering::Pdf, PageRange { first: 2, last: 3 }));
        assert_eq!(
            Selection::resolve(&record, Some(PageRange { first: 4, last: 4 })).unwrap_err(),
            "page 4 is not in tom-6: it has pages 1–3"
        );
    }
}
