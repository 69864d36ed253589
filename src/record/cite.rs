//! A record as reference managers import it: RIS, BibTeX and CSL-JSON (Zotero, Mendeley,
//! EndNote, pandoc), beside the GOST description ([`super::gost`]) readers copy as text.
//!
//! The record's type decides each format's type: a newspaper article is RIS `NEWS`, CSL
//! `article-newspaper`, BibTeX `@article`; a journal article `JOUR`, `article-journal`,
//! `@article`; a book `BOOK`, `book`, `@book`; a chapter `CHAP`, `chapter`,
//! `@incollection`; a record without a type the formats' generic one. `source_pages` is
//! where a part is in its host, and of a book its printed length (as GOST reads it).

use chrono::{Datelike, NaiveDate};
use serde_json::{json, Map, Value};

use super::gost::{is_part, publication_year};
use super::{DocumentRecord, DocumentType};

/// What each format calls the record's type: RIS `TY`, CSL `type`, the BibTeX entry type
/// and the BibTeX field its source goes in.
fn types(kind: Option<DocumentType>) -> (&'static str, &'static str, &'static str, &'static str) {
    match kind {
        Some(DocumentType::NewspaperArticle) => ("NEWS", "article-newspaper", "article", "journal"),
        // A whole issue: CSL 1.0.2's `periodical`; BibTeX has no type for it.
        Some(DocumentType::NewspaperIssue) => ("NEWS", "periodical", "misc", "howpublished"),
        Some(DocumentType::JournalArticle) => ("JOUR", "article-journal", "article", "journal"),
        Some(DocumentType::Book) => ("BOOK", "book", "book", "series"),
        Some(DocumentType::BookChapter) => ("CHAP", "chapter", "incollection", "booktitle"),
        None => ("GEN", "document", "misc", "howpublished"),
    }
}

/// The record's language codes (ISO 639-2) as BCP 47, which CSL and BibTeX expect.
fn languages(record: &DocumentRecord) -> Vec<String> {
    let codes = if record.bib.language.is_empty() { &record.languages } else { &record.bib.language };
    codes
        .iter()
        .map(|code| match code.as_str() {
            "kaz" => "kk".to_string(),
            "rus" => "ru".to_string(),
            "eng" => "en".to_string(),
            other => other.to_string(),
        })
        .collect()
}

/// The day of a `YYYY-MM-DD` date.
fn day(record: &DocumentRecord) -> Option<NaiveDate> {
    record.bib.date.as_deref().and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
}

/// Where a part is in its host: first and last page (`4` is `4`–`4`).
fn page_range(record: &DocumentRecord) -> Option<(String, String)> {
    let pages = record.bib.source_pages.as_deref().filter(|_| is_part(&record.bib))?;
    let (first, last) = pages.split_once('-').unwrap_or((pages, pages));
    Some((first.to_string(), last.to_string()))
}

/// A book's printed length.
fn book_length(record: &DocumentRecord) -> Option<&str> {
    record.bib.source_pages.as_deref().filter(|p| !is_part(&record.bib) && p.parse::<u32>().is_ok())
}

/// "Surname, I. O." as a family name and the rest; a name without a comma whole.
fn name_parts(author: &str) -> (&str, Option<&str>) {
    match author.split_once(',') {
        Some((family, given)) if !given.trim().is_empty() => (family.trim(), Some(given.trim())),
        _ => (author.trim(), None),
    }
}

/// RIS (the format's tags, `TAG  - value` lines ending in CR LF, the last `ER  - `):
/// `url` is the document's page.
pub(crate) fn ris(record: &DocumentRecord, url: &str) -> String {
    let bib = &record.bib;
    let (kind, _, _, _) = types(bib.kind);
    let mut lines: Vec<(&str, String)> = vec![("TY", kind.to_string())];
    lines.extend(bib.authors.iter().map(|a| ("AU", a.clone())));
    lines.push(("TI", bib.title.clone()));
    if let Some(source) = &bib.source {
        lines.push((if bib.kind == Some(DocumentType::BookChapter) { "BT" } else { "T2" }, source.clone()));
    }
    if let Some(year) = publication_year(bib) {
        lines.push(("PY", year.to_string()));
    }
    if let Some(d) = day(record) {
        lines.push(("DA", d.format("%Y/%m/%d/").to_string()));
    }
    lines.extend(bib.issue.iter().map(|i| ("IS", i.clone())));
    if let Some((first, last)) = page_range(record) {
        lines.push(("SP", first));
        lines.push(("EP", last));
    }
    lines.extend(book_length(record).map(|n| ("SP", n.to_string())));
    lines.extend(bib.publisher.iter().map(|p| ("PB", p.clone())));
    lines.extend(bib.place.iter().map(|p| ("CY", p.clone())));
    lines.extend(languages(record).into_iter().map(|l| ("LA", l)));
    lines.push(("UR", url.to_string()));
    lines.push(("ID", record.id.clone()));
    let mut out = String::new();
    for (tag, value) in lines {
        // One line per tag: a value's own line breaks would start a line RIS cannot read.
        out.push_str(&format!("{tag}  - {}\r\n", value.split_whitespace().collect::<Vec<_>>().join(" ")));
    }
    out.push_str("ER  - \r\n");
    out
}

/// `text` for a BibTeX field: TeX's special characters escaped, braces balanced.
fn tex(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.split_whitespace().collect::<Vec<_>>().join(" ").chars() {
        match c {
            '\\' => out.push_str("\\textbackslash{}"),
            '{' | '}' | '%' | '&' | '$' | '#' | '_' => {
                out.push('\\');
                out.push(c);
            }
            '^' => out.push_str("\\textasciicircum{}"),
            '~' => out.push_str("\\textasciitilde{}"),
            other => out.push(other),
        }
    }
    out
}

/// A BibTeX entry (UTF-8, as biber and BibLaTeX read it; the title's case kept by a
/// second pair of braces): `url` is the document's page.
pub(crate) fn bibtex(record: &DocumentRecord, url: &str) -> String {
    let bib = &record.bib;
    let (_, _, kind, source_field) = types(bib.kind);
    let mut fields: Vec<(&str, String)> = Vec::new();
    if !bib.authors.is_empty() {
        fields.push(("author", bib.authors.iter().map(|a| tex(a)).collect::<Vec<_>>().join(" and ")));
    }
    fields.push(("title", format!("{{{}}}", tex(&bib.title))));
    if let Some(source) = &bib.source {
        fields.push((source_field, tex(source)));
    }
    if let Some(year) = publication_year(bib) {
        fields.push(("year", year.to_string()));
    }
    if let Some(d) = day(record) {
        fields.push(("month", d.month().to_string()));
        fields.push(("date", d.format("%Y-%m-%d").to_string()));
    }
    fields.extend(bib.issue.iter().map(|i| ("number", tex(i))));
    if let Some((first, last)) = page_range(record) {
        fields.push(("pages", if first == last { first } else { format!("{first}--{last}") }));
    }
    fields.extend(book_length(record).map(|n| ("pagetotal", n.to_string())));
    fields.extend(bib.publisher.iter().map(|p| ("publisher", tex(p))));
    fields.extend(bib.place.iter().map(|p| ("address", tex(p))));
    let languages = languages(record);
    if !languages.is_empty() {
        fields.push(("langid", languages.join(", ")));
    }
    fields.push(("url", tex(url)));
    // Keys are ASCII: the id's letters and digits.
    let key: String = record.id.chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let mut out = format!("@{kind}{{{key},\n");
    for (name, value) in fields {
        out.push_str(&format!("  {name} = {{{value}}},\n"));
    }
    out.push_str("}\n");
    out
}

/// CSL-JSON (a list of one item, as citeproc and Zotero read it): `url` is the
/// document's page.
pub(crate) fn csl_json(record: &DocumentRecord, url: &str) -> Value {
    let bib = &record.bib;
    let (_, kind, _, _) = types(bib.kind);
    let mut item = Map::new();
    item.insert("id".into(), json!(record.id));
    item.insert("type".into(), json!(kind));
    item.insert("title".into(), json!(bib.title));
    if !bib.authors.is_empty() {
        let authors: Vec<Value> = bib
            .authors
            .iter()
            .map(|a| match name_parts(a) {
                (family, Some(given)) => json!({ "family": family, "given": given }),
                (whole, None) => json!({ "literal": whole }),
            })
            .collect();
        item.insert("author".into(), Value::Array(authors));
    }
    let mut put = |key: &str, value: Option<Value>| {
        if let Some(value) = value {
            item.insert(key.into(), value);
        }
    };
    put("container-title", bib.source.as_ref().map(|s| json!(s)));
    let issued = match day(record) {
        Some(d) => Some(json!({ "date-parts": [[d.year(), d.month(), d.day()]] })),
        None => publication_year(bib).map(|y| json!({ "date-parts": [[y]] })),
    };
    put("issued", issued);
    put("issue", bib.issue.as_ref().map(|i| json!(i)));
    put(
        "page",
        page_range(record).map(|(first, last)| json!(if first == last { first } else { format!("{first}-{last}") })),
    );
    put("number-of-pages", book_length(record).map(|n| json!(n)));
    put("publisher", bib.publisher.as_ref().map(|p| json!(p)));
    put("publisher-place", bib.place.as_ref().map(|p| json!(p)));
    put("language", languages(record).first().map(|l| json!(l)));
    put("URL", Some(json!(url)));
    Value::Array(vec![Value::Object(item)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    fn article() -> DocumentRecord {
        document(
            "pulse-2019-28",
            &[
                ("type", "newspaper_article"),
                ("title", "Ақжолтай {батыр} 100% & #1"),
                ("authors", "Шөженов, Ж.; Кәрім, Н."),
                ("source", "Пульс"),
                ("date", "2019-07-12"),
                ("issue", "28"),
                ("source_pages", "4-5"),
                ("language", "rus; kaz"),
            ],
        )
    }

    #[test]
    fn ris_has_a_line_per_tag_and_ends_the_record() {
        let ris = ris(&article(), "http://x/doc/pulse-2019-28");
        let lines: Vec<&str> = ris.split("\r\n").filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.first(), Some(&"TY  - NEWS"));
        assert_eq!(lines.last(), Some(&"ER  - "));
        for line in &lines {
            assert!(line.len() >= 6 && line.as_bytes()[2..6] == *b"  - ", "{line}");
        }
        for expected in ["AU  - Шөженов, Ж.", "AU  - Кәрім, Н.", "T2  - Пульс", "PY  - 2019", "DA  - 2019/07/12/"]
        {
            assert!(lines.contains(&expected), "{expected} in {ris}");
        }
        assert!(lines.contains(&"SP  - 4") && lines.contains(&"EP  - 5") && lines.contains(&"IS  - 28"));
    }

    #[test]
    fn bibtex_escapes_tex_and_keeps_braces_balanced() {
        let entry = bibtex(&article(), "http://x/doc/a_b#c");
        assert!(entry.starts_with("@article{pulse_2019_28,\n"), "{entry}");
        assert!(entry.contains("title = {{Ақжолтай \\{батыр\\} 100\\% \\& \\#1}}"), "{entry}");
        assert!(entry.contains("author = {Шөженов, Ж. and Кәрім, Н.}"));
        assert!(entry.contains("pages = {4--5}") && entry.contains("journal = {Пульс}"));
        assert!(entry.contains("url = {http://x/doc/a\\_b\\#c}"));
        let mut depth = 0i32;
        let mut escaped = false;
        for c in entry.chars() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '{' => depth += 1,
                '}' => depth -= 1,
                _ => {}
            }
            assert!(depth >= 0, "{entry}");
        }
        assert_eq!(depth, 0, "{entry}");
    }

    #[test]
    fn csl_json_names_dates_and_types() {
        let csl = csl_json(&article(), "http://x/doc/pulse-2019-28");
        let item = &csl[0];
        assert_eq!(item["type"], "article-newspaper");
        assert_eq!(item["author"][0], json!({ "family": "Шөженов", "given": "Ж." }));
        assert_eq!(item["issued"]["date-parts"], json!([[2019, 7, 12]]));
        assert_eq!(item["container-title"], "Пульс");
        assert_eq!(item["page"], "4-5");
        assert_eq!(item["language"], "ru");
    }

    #[test]
    fn a_book_has_its_length_and_publisher() {
        let book = document(
            "balqash-1987",
            &[
                ("type", "book"),
                ("title", "Балқаш"),
                ("place", "Алматы"),
                ("publisher", "Өнер"),
                ("year", "1987"),
                ("source_pages", "212"),
            ],
        );
        assert!(ris(&book, "u").contains("TY  - BOOK\r\n"));
        assert!(ris(&book, "u").contains("SP  - 212\r\nPB  - Өнер\r\nCY  - Алматы\r\n"));
        assert!(bibtex(&book, "u").contains("pagetotal = {212}"));
        let csl = csl_json(&book, "u");
        assert_eq!((csl[0]["type"].as_str(), csl[0]["number-of-pages"].as_str()), (Some("book"), Some("212")));
        assert_eq!(csl[0]["publisher-place"], "Алматы");
    }
}
