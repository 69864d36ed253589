//! What may be delivered. Public-domain works and works published under a contract with
//! their author may be copied whole. Of a work in copyright (or whose rights the record
//! does not state) a library may copy, for one reader's study, a fragment: at most a set
//! share of a book's pages, or one whole article or chapter (`[delivery]` in olke.toml).

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Utc};

use crate::config::Delivery;
use crate::record::gost::is_part;
use crate::record::pages::Selection;
use crate::record::request::{Request, Status};
use crate::record::{DocumentRecord, Rights};

/// The pages of the whole book the share is taken of: the printed page count when the
/// record gives it (a book archived in part is still a book of that many pages), else the
/// pages archived.
pub(crate) fn book_pages(record: &DocumentRecord) -> u32 {
    record.bib.source_pages.as_deref().and_then(|p| p.parse().ok()).unwrap_or(record.pages.len() as u32)
}

/// The pages (PDF numbers) of `request`'s document already delivered to its reader (the
/// same email, in any case) within the window of `limits`, by the requests of `register`:
/// what counts toward the share with the pages asked for now.
pub(crate) fn received(
    request: &Request,
    register: &[Request],
    limits: &Delivery,
    now: DateTime<Utc>,
) -> BTreeSet<u32> {
    let reader = request.requester.reader();
    let within = |delivered: DateTime<Utc>| {
        if limits.reader_window_days == 0 {
            delivered.year() == now.year()
        } else {
            now - delivered <= chrono::Duration::days(limits.reader_window_days.into())
        }
    };
    register
        .iter()
        .filter(|r| r.number != request.number && r.document == request.document)
        .filter(|r| r.requester.reader() == reader)
        .filter(|r| matches!(r.status, Status::Delivered { delivered, .. } if within(delivered)))
        .flat_map(|r| r.pages.pdf.first..=r.pages.pdf.last)
        .collect()
}

/// `Ok` when `selection` of `record` may be delivered to a reader who has `received` these
/// of its pages already; otherwise why not, for the reader.
pub(crate) fn check(
    record: &DocumentRecord,
    selection: &Selection,
    received: &BTreeSet<u32>,
    limits: &Delivery,
) -> Result<(), String> {
    if Rights::allows_full_text(record.bib.rights) {
        return Ok(());
    }
    let stated = match record.bib.rights {
        Some(Rights::InCopyright) => "is in copyright",
        _ => "has no rights statement, so it is treated as in copyright",
    };
    let title = &record.bib.title;
    if is_part(&record.bib) {
        return if limits.whole_articles {
            Ok(())
        } else {
            Err(format!("«{title}» {stated}, and articles in copyright are not delivered (olke.toml: delivery.whole_articles = false)"))
        };
    }
    let total = book_pages(record);
    let allowed = total * limits.book_percent / 100;
    // A page delivered before and asked again counts once.
    let after: BTreeSet<u32> = received.iter().copied().chain(selection.pdf.first..=selection.pdf.last).collect();
    if after.len() as u32 <= allowed {
        return Ok(());
    }
    let share = format!("one reader may have at most {allowed} of its {total} pages ({}%)", limits.book_percent);
    let window = match limits.reader_window_days {
        0 => "this year".to_string(),
        days => format!("in {days} days"),
    };
    let asked = format!("pages {} are {}", selection.asked, selection.count());
    if received.is_empty() {
        return Err(format!("«{title}» {stated}: {share}, and {asked}"));
    }
    let left = allowed.saturating_sub(received.len() as u32);
    Err(format!(
        "«{title}» {stated}: {share} {window}; {} were delivered to this reader already, so {left} more may be, and {asked}",
        received.len()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::pages::PageRange;
    use crate::record::tests::document;

    /// Nothing received before.
    fn none() -> BTreeSet<u32> {
        BTreeSet::new()
    }

    fn selection(record: &DocumentRecord, first: u32, last: u32) -> Selection {
        let pages = vec![crate::record::tests::page(); 100];
        let mut record = record.clone();
        record.pages = pages;
        Selection::resolve(&record, Some(PageRange { first, last })).unwrap()
    }

    #[test]
    fn a_book_in_copyright_gives_at_most_its_share() {
        let book = document(
            "qamshy",
            &[("type", "book"), ("title", "Қамшы"), ("source_pages", "84"), ("rights", "in_copyright")],
        );
        let limits = Delivery::default();
        assert_eq!(check(&book, &selection(&book, 1, 16), &none(), &limits), Ok(()), "20% of 84 is 16 pages");
        assert_eq!(
            check(&book, &selection(&book, 1, 17), &none(), &limits),
            Err("«Қамшы» is in copyright: one reader may have at most 16 of its 84 pages (20%), and pages 1–17 are 17"
                .into())
        );
        let stricter = Delivery { book_percent: 10, ..limits };
        assert!(check(&book, &selection(&book, 1, 16), &none(), &stricter).is_err());
        // Unstated rights count as in copyright; without a printed count, the pages archived.
        let unstated = document("b", &[("type", "book"), ("title", "Б")]);
        let mut unstated = unstated;
        unstated.pages = vec![crate::record::tests::page(); 10];
        let two = Selection::resolve(&unstated, Some(PageRange { first: 1, last: 2 })).unwrap();
        let three = Selection::resolve(&unstated, Some(PageRange { first: 1, last: 3 })).unwrap();
        assert_eq!(check(&unstated, &two, &none(), &limits), Ok(()));
        assert!(check(&unstated, &three, &none(), &limits).unwrap_err().contains("has no rights statement"));
    }

    #[test]
    fn free_works_go_whole_and_articles_in_copyright_go_whole_unless_configured() {
        for rights in ["public_domain", "author_contract"] {
            let book = document("b", &[("type", "book"), ("title", "Б"), ("source_pages", "84"), ("rights", rights)]);
            assert_eq!(check(&book, &selection(&book, 1, 84), &none(), &Delivery::default()), Ok(()));
        }
        let article = document(
            "a",
            &[("type", "newspaper_article"), ("title", "Мақала"), ("source", "Пульс"), ("rights", "in_copyright")],
        );
        assert_eq!(check(&article, &selection(&article, 1, 3), &none(), &Delivery::default()), Ok(()));
        let no_articles = Delivery { whole_articles: false, ..Delivery::default() };
        assert!(check(&article, &selection(&article, 1, 1), &BTreeSet::new(), &no_articles)
            .unwrap_err()
            .contains("whole_articles = false"));
    }

    #[test]
    fn what_a_reader_received_counts_toward_the_share_once_per_page() {
        let book =
            document("q", &[("type", "book"), ("title", "Қамшы"), ("source_pages", "84"), ("rights", "in_copyright")]);
        let limits = Delivery::default();
        let received: BTreeSet<u32> = (1..=10).collect();
        assert_eq!(check(&book, &selection(&book, 5, 16), &received, &limits), Ok(()), "1–16: 16 pages in all");
        let refused = check(&book, &selection(&book, 11, 17), &received, &limits).unwrap_err();
        assert!(refused.contains("10 were delivered to this reader already, so 6 more may be"), "{refused}");
    }
}
