//! The bibliographic description after GOST 7.1 (as Kazakh and Russian libraries write
//! references), made from a record:
//!
//! ```text
//! Шөженов, Ж. Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен / Ж. Шөженов // Пульс. – 2019. – 12 июля (№ 28). – С. 4.
//! Кәрім, Н. Қамшы / Н. Кәрім. – Қарағанды : Типография Арко, 2016. – 84 б.
//! ```
//!
//! The words the description adds (page abbreviations, month names, "and others") follow
//! the record's first stated `language`, which the manifest should give as the language of
//! the publication: for an article, that of the newspaper or journal, whose date and pages
//! the description quotes. A Kazakh article in the Russian-language «Пульс» is described
//! as `rus;kaz`, hence «12 июля» and «С. 4». With no language stated, the main language
//! found in the text is used, and Russian when none was found.
//!
//! Elements are separated by «. – » (en dash); an element that already ends with a full
//! stop (an abbreviation, an initial) does not get a second one. Elements the record does
//! not have are left out rather than replaced by «[Б. м.]» and the like.

use chrono::{Datelike, NaiveDate};

use super::{fields::date_year, Bibliographic, DocumentType};

/// The words a description adds, per language.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Conventions {
    /// Extent of a whole book: «84 б.».
    pub pages_extent: &'static str,
    /// Pages of a part in its host: «С. 4».
    pub pages_part: &'static str,
    /// Month names as they follow a day («12 июля», «12 шілде»).
    pub months: [&'static str; 12],
    /// Put after the first three of more than four authors.
    pub and_others: &'static str,
}

pub(crate) const KAZAKH: Conventions = Conventions {
    pages_extent: "б.",
    pages_part: "Б.",
    months: [
        "қаңтар",
        "ақпан",
        "наурыз",
        "сәуір",
        "мамыр",
        "маусым",
        "шілде",
        "тамыз",
        "қыркүйек",
        "қазан",
        "қараша",
        "желтоқсан",
    ],
    and_others: "[және т.б.]",
};

pub(crate) const RUSSIAN: Conventions = Conventions {
    pages_extent: "с.",
    pages_part: "С.",
    months: [
        "января",
        "февраля",
        "марта",
        "апреля",
        "мая",
        "июня",
        "июля",
        "августа",
        "сентября",
        "октября",
        "ноября",
        "декабря",
    ],
    and_others: "[и др.]",
};

pub(crate) const ENGLISH: Conventions = Conventions {
    pages_extent: "p.",
    pages_part: "P.",
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    and_others: "[et al.]",
};

/// The separator of the description's areas.
const AREA: &str = ". – ";

impl Conventions {
    /// The conventions of the record's first language, else of the text's main language.
    pub(crate) fn for_record(bib: &Bibliographic, detected: &[String]) -> Conventions {
        match bib.language.first().or(detected.first()).map(String::as_str) {
            Some("kaz") => KAZAKH,
            Some("eng") => ENGLISH,
            _ => RUSSIAN,
        }
    }
}

/// "Surname, I. O." → "I. O. Surname"; a name without a comma stays as it is.
fn inverted(author: &str) -> String {
    match author.split_once(',') {
        Some((surname, initials)) if !initials.trim().is_empty() => format!("{} {}", initials.trim(), surname.trim()),
        _ => author.trim().to_string(),
    }
}

/// Appends `.` unless the text already ends with one.
pub(crate) fn with_full_stop(text: &str) -> String {
    if text.ends_with('.') {
        text.to_string()
    } else {
        format!("{text}.")
    }
}

/// Joins areas with «. – », keeping one full stop where an area ends with one.
pub(crate) fn areas(parts: &[String]) -> String {
    let mut out = String::new();
    for part in parts.iter().filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with('.') { " – " } else { AREA });
        }
        out.push_str(part);
    }
    with_full_stop(&out)
}

/// `46-65` → `46–65`: ranges take an en dash.
fn page_range(pages: &str) -> String {
    pages.replace('-', "–")
}

/// The statement of responsibility («Ж. Шөженов»): up to four authors are all named;
/// of more, the first three and "and others".
pub(crate) fn responsibility(bib: &Bibliographic, conventions: &Conventions) -> Option<String> {
    let authors = &bib.authors;
    let named: Vec<String> = authors.iter().take(if authors.len() > 4 { 3 } else { 4 }).map(|a| inverted(a)).collect();
    let mut out = named.join(", ");
    if authors.len() > 4 {
        out.push(' ');
        out.push_str(conventions.and_others);
    }
    (!out.is_empty()).then_some(out)
}

/// Heading, title and statement of responsibility: one to three authors give a heading
/// (the first); with four or more the description starts with the title.
fn title_and_responsibility(bib: &Bibliographic, conventions: &Conventions) -> String {
    let heading = (1..=3).contains(&bib.authors.len()).then(|| with_full_stop(bib.authors[0].trim()));
    let mut out = heading.map(|h| format!("{h} ")).unwrap_or_default();
    out.push_str(bib.title.trim());
    if let Some(responsibility) = responsibility(bib, conventions) {
        out.push_str(" / ");
        out.push_str(&responsibility);
    }
    out
}

/// The year of publication: the date's, else the stated year.
pub(crate) fn publication_year(bib: &Bibliographic) -> Option<i32> {
    bib.date.as_deref().and_then(date_year).or(bib.year)
}

/// «Қарағанды : Типография Арко, 2016», with whichever of the three the record has.
pub(crate) fn imprint(bib: &Bibliographic, year: Option<i32>) -> String {
    let place_publisher = match (&bib.place, &bib.publisher) {
        (Some(place), Some(publisher)) => format!("{place} : {publisher}"),
        (Some(one), None) | (None, Some(one)) => one.clone(),
        (None, None) => String::new(),
    };
    match (place_publisher.is_empty(), year) {
        (false, Some(year)) => format!("{place_publisher}, {year}"),
        (true, Some(year)) => year.to_string(),
        (_, None) => place_publisher,
    }
}

/// The issue of a newspaper or journal: «12 июля (№ 28)», «№ 28» or «12 июля».
pub(crate) fn issue_area(bib: &Bibliographic, conventions: &Conventions) -> String {
    let issue = bib.issue.as_deref().map(|i| if i.starts_with('№') { i.to_string() } else { format!("№ {i}") });
    let day = bib.date.as_deref().and_then(|date| NaiveDate::parse_from_str(date, "%Y-%m-%d").ok());
    let day = day.map(|d| format!("{} {}", d.day(), conventions.months[d.month0() as usize]));
    match (day, issue) {
        (Some(day), Some(issue)) => format!("{day} ({issue})"),
        (Some(text), None) | (None, Some(text)) => text,
        (None, None) => String::new(),
    }
}

/// Where a part is in its host: «С. 4», «С. 46–65».
pub(crate) fn part_pages(bib: &Bibliographic, conventions: &Conventions) -> Option<String> {
    bib.source_pages.as_deref().map(|p| format!("{} {}", conventions.pages_part, page_range(p)))
}

/// The host areas of an article or chapter after «// Source»: «2019», «12 июля (№ 28)»,
/// «С. 4» (a chapter: the book's imprint, then the pages).
pub(crate) fn host_details(bib: &Bibliographic, conventions: &Conventions) -> Vec<String> {
    let year = publication_year(bib);
    let mut parts = match bib.kind {
        Some(DocumentType::BookChapter) => vec![imprint(bib, year)],
        _ => vec![year.map(|y| y.to_string()).unwrap_or_default(), issue_area(bib, conventions)],
    };
    parts.extend(part_pages(bib, conventions));
    parts.retain(|p| !p.is_empty());
    parts
}

/// The extent: of a book, a numeric `source_pages` when given (the printed page count),
/// else the pages archived; of a part, the pages archived (its `source_pages` says where
/// it is in the host, not how long it is).
pub(crate) fn extent(bib: &Bibliographic, archived_pages: usize, conventions: &Conventions) -> Option<String> {
    let printed = if is_part(bib) { None } else { bib.source_pages.as_deref().and_then(|p| p.parse::<usize>().ok()) };
    let count = printed.or((archived_pages > 0).then_some(archived_pages))?;
    Some(format!("{count} {}", conventions.pages_extent))
}

/// Whether the record describes one issue of a newspaper.
pub(crate) fn is_issue(bib: &Bibliographic) -> bool {
    bib.kind == Some(DocumentType::NewspaperIssue)
}

/// Whether the record describes a part of another publication (described after «//»).
pub(crate) fn is_part(bib: &Bibliographic) -> bool {
    matches!(bib.kind, Some(DocumentType::NewspaperArticle | DocumentType::JournalArticle | DocumentType::BookChapter))
}

/// The GOST 7.1 description of a record with `archived_pages` pages whose text was found
/// to be in `detected` languages.
pub(crate) fn describe(bib: &Bibliographic, archived_pages: usize, detected: &[String]) -> String {
    let conventions = Conventions::for_record(bib, detected);
    let mut first = title_and_responsibility(bib, &conventions);
    match (is_part(bib), &bib.source) {
        (true, Some(source)) => {
            first.push_str(" // ");
            first.push_str(source.trim());
            areas(&[vec![first], host_details(bib, &conventions)].concat())
        }
        _ => {
            let extent = extent(bib, archived_pages, &conventions).unwrap_or_default();
            // One issue of a newspaper is told from the others by its day and number.
            let issue = if is_issue(bib) { issue_area(bib, &conventions) } else { String::new() };
            areas(&[first, imprint(bib, publication_year(bib)), issue, extent])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(cells: &[(&str, &str)]) -> Bibliographic {
        crate::record::tests::document("test", cells).bib
    }

    /// The two examples of the issue, verbatim.
    #[test]
    fn the_newspaper_article_example() {
        let bib = record(&[
            ("type", "newspaper_article"),
            ("title", "Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен"),
            ("authors", "Шөженов, Ж."),
            ("source", "Пульс"),
            ("date", "2019-07-12"),
            ("issue", "28"),
            ("source_pages", "4"),
            ("language", "rus;kaz"),
        ]);
        assert_eq!(
            describe(&bib, 1, &["kaz".into()]),
            "Шөженов, Ж. Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен / Ж. Шөженов // Пульс. – 2019. – 12 июля (№ 28). – С. 4."
        );
    }

    #[test]
    fn an_issue_is_told_from_the_others_by_its_day_and_number() {
        let bib = record(&[
            ("type", "newspaper_issue"),
            ("title", "Балқаш өңірі"),
            ("source", "Балқаш өңірі"),
            ("date", "1968-04-12"),
            ("issue", "44"),
            ("language", "rus"),
        ]);
        assert_eq!(describe(&bib, 4, &[]), "Балқаш өңірі. – 1968. – 12 апреля (№ 44). – 4 с.");
    }

    #[test]
    fn the_book_example() {
        let bib = record(&[
            ("type", "book"),
            ("title", "Қамшы"),
            ("authors", "Кәрім, Н."),
            ("place", "Қарағанды"),
            ("publisher", "Типография Арко"),
            ("year", "2016"),
            ("source_pages", "84"),
            ("language", "kaz"),
        ]);
        assert_eq!(describe(&bib, 2, &[]), "Кәрім, Н. Қамшы / Н. Кәрім. – Қарағанды : Типография Арко, 2016. – 84 б.");
        // Without a printed page count, the pages archived.
        let unpaged = Bibliographic { source_pages: None, ..bib };
        assert_eq!(
            describe(&unpaged, 2, &[]),
            "Кәрім, Н. Қамшы / Н. Кәрім. – Қарағанды : Типография Арко, 2016. – 2 б."
        );
    }

    #[test]
    fn kazakh_article_conventions() {
        let bib = record(&[
            ("type", "newspaper_article"),
            ("title", "Балқаш"),
            ("source", "Балқаш өңірі"),
            ("date", "1968-04-12"),
            ("source_pages", "2-3"),
            ("language", "kaz"),
        ]);
        assert_eq!(describe(&bib, 1, &[]), "Балқаш // Балқаш өңірі. – 1968. – 12 сәуір. – Б. 2–3.");
    }

    #[test]
    fn journal_article_with_issue_only_and_english_conventions() {
        let bib = record(&[
            ("type", "journal_article"),
            ("title", "Copper town"),
            ("authors", "Smith, J."),
            ("source", "Central Asian Survey"),
            ("date", "2001"),
            ("issue", "3"),
            ("source_pages", "46-65"),
            ("language", "eng"),
        ]);
        assert_eq!(
            describe(&bib, 3, &[]),
            "Smith, J. Copper town / J. Smith // Central Asian Survey. – 2001. – № 3. – P. 46–65."
        );
    }

    #[test]
    fn chapter_gives_the_host_imprint() {
        let bib = record(&[
            ("type", "book_chapter"),
            ("title", "Медеплавильный завод"),
            ("authors", "Иванов, И. И.; Петров, П. П."),
            ("source", "История Балхаша"),
            ("place", "Алматы"),
            ("publisher", "Өнер"),
            ("year", "1998"),
            ("source_pages", "10-24"),
        ]);
        assert_eq!(
            describe(&bib, 15, &["rus".into()]),
            "Иванов, И. И. Медеплавильный завод / И. И. Иванов, П. П. Петров // История Балхаша. – Алматы : Өнер, 1998. – С. 10–24."
        );
    }

    #[test]
    fn many_authors_and_missing_elements() {
        let four = record(&[
            ("title", "Өлке"),
            ("authors", "А, Б.; В, Г.; Д, Е.; Ж, З."),
            ("year", "2020"),
            ("language", "kaz"),
        ]);
        assert_eq!(describe(&four, 10, &[]), "Өлке / Б. А, Г. В, Е. Д, З. Ж. – 2020. – 10 б.");
        let five = record(&[("title", "Край"), ("authors", "А, Б.; В, Г.; Д, Е.; Ж, З.; И, К."), ("language", "rus")]);
        assert_eq!(describe(&five, 0, &[]), "Край / Б. А, Г. В, Е. Д [и др.].");
        // No language stated: the text's; a pseudonym without initials is kept as it is.
        let bare = record(&[("title", "Жыр"), ("authors", "Абай")]);
        assert_eq!(describe(&bare, 1, &["kaz".into()]), "Абай. Жыр / Абай. – 1 б.");
        assert_eq!(describe(&bare, 1, &[]), "Абай. Жыр / Абай. – 1 с.");
    }
}
