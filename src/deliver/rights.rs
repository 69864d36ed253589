//! What may be delivered. Public-domain works and works published under a contract with
//! their author may be copied whole. Of a work in copyright (or whose rights the record
//! does not state) a library may copy, for one reader's study, a fragment: at most a set
//! share of a book's pages, or one whole article or chapter (`[delivery]` in olke.toml).

use crate::config::Delivery;
use crate::record::gost::is_part;
use crate::record::pages::Selection;
use crate::record::{DocumentRecord, Rights};

/// The pages of the whole book the share is taken of: the printed page count when the
/// record gives it (a book archived in part is still a book of that many pages), else the
/// pages archived.
pub(crate) fn book_pages(record: &DocumentRecord) -> u32 {
    record.bib.source_pages.as_deref().and_then(|p| p.parse().ok()).unwrap_or(record.pages.len() as u32)
}

/// `Ok` when `selection` of `record` may be delivered; otherwise why not, for the reader.
pub(crate) fn check(record: &DocumentRecord, selection: &Selection, limits: &Delivery) -> Result<(), String> {
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
    if selection.count() <= allowed {
        return Ok(());
    }
    Err(format!(
        "«{title}» {stated}: a request may take at most {allowed} of its {total} pages ({}%), and pages {} are {}",
        limits.book_percent,
        selection.asked,
        selection.count()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::pages::PageRange;
    use crate::record::tests::document;

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
        assert_eq!(check(&book, &selection(&book, 1, 16), &limits), Ok(()), "20% of 84 is 16 pages");
        assert_eq!(
            check(&book, &selection(&book, 1, 17), &limits),
            Err("«Қамшы» is in copyright: a request may take at most 16 of its 84 pages (20%), and pages 1–17 are 17"
                .into())
        );
        let stricter = Delivery { book_percent: 10, ..limits };
        assert!(check(&book, &selection(&book, 1, 16), &stricter).is_err());
        // Unstated rights count as in copyright; without a printed count, the pages archived.
        let unstated = document("b", &[("type", "book"), ("title", "Б")]);
        let mut unstated = unstated;
        unstated.pages = vec![crate::record::tests::page(); 10];
        let two = Selection::resolve(&unstated, Some(PageRange { first: 1, last: 2 })).unwrap();
        let three = Selection::resolve(&unstated, Some(PageRange { first: 1, last: 3 })).unwrap();
        assert_eq!(check(&unstated, &two, &limits), Ok(()));
        assert!(check(&unstated, &three, &limits).unwrap_err().contains("has no rights statement"));
    }

    #[test]
    fn free_works_go_whole_and_articles_in_copyright_go_whole_unless_configured() {
        for rights in ["public_domain", "author_contract"] {
            let book = document("b", &[("type", "book"), ("title", "Б"), ("source_pages", "84"), ("rights", rights)]);
            assert_eq!(check(&book, &selection(&book, 1, 84), &Delivery::default()), Ok(()));
        }
        let article = document(
            "a",
            &[("type", "newspaper_article"), ("title", "Мақала"), ("source", "Пульс"), ("rights", "in_copyright")],
        );
        assert_eq!(check(&article, &selection(&article, 1, 3), &Delivery::default()), Ok(()));
        let none = Delivery { whole_articles: false, ..Delivery::default() };
        assert!(check(&article, &selection(&article, 1, 1), &none).unwrap_err().contains("whole_articles = false"));
    }
}
