//! MARC 21 bibliographic records for the library's e-catalogue, built with the `marc`
//! crate, which writes them as ISO 2709 and as MARCXML.
//!
//! | MARC | from the record |
//! |---|---|
//! | leader/07 | `m` book, `b` newspaper or journal article, `a` book chapter |
//! | 001, 005 | id; last change |
//! | 008 | date archived, year, first language |
//! | 041 `_ _` $a | each language |
//! | 100 `1 _` $a | the first author (`0 _` for a name without initials) |
//! | 245 `1 0` $a $c | title; statement of responsibility as in the citation |
//! | 264 `_ 1` $a $b $c | place, publisher, year (books; a part's imprint is its host's) |
//! | 300 $a | extent, as in the citation |
//! | 500 $a | notes |
//! | 540 $a $c $u | rights, the author's contract, a rights statement URI |
//! | 650 `_ 4` $a | subjects (topical terms of no named thesaurus) |
//! | 653 `_ _` $a | collections (the library's thematic folders, uncontrolled terms) |
//! | 700 `1 _` $a | the other authors |
//! | 773 `0 _` $t $d $g | the host: source; a book's imprint; date, issue and pages |
//! | 856 `4 0` $u $q | the PDF under the base URL |
//!
//! Leader/09 is `a` (UTF-8) and leader/18 `c`: no ISBD punctuation inside subfields.

use chrono::{DateTime, Utc};
use marc::{BibliographicLevel, CharacterCodingScheme, DescriptiveCatalogingForm, FieldRepr, Record, RecordBuilder};

use crate::record::gost::{self, Conventions};
use crate::record::{DocumentRecord, DocumentType, Rights};

/// MARC's delimiters are control characters; none may appear inside a value.
fn clean(text: &str) -> String {
    text.chars().map(|c| if c.is_control() { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// A data field from its tag, indicators and non-empty subfields.
fn data_field(tag: &[u8; 3], indicators: &[u8; 2], subfields: &[(u8, Option<String>)]) -> Option<FieldRepr> {
    let subfields: Vec<(u8, String)> = subfields
        .iter()
        .filter_map(|(code, value)| value.as_deref().map(clean).filter(|v| !v.is_empty()).map(|v| (*code, v)))
        .collect();
    (!subfields.is_empty()).then(|| FieldRepr::from((tag, indicators, subfields)))
}

/// Terms of use per rights status, with a rightsstatements.org / Creative Commons URI a
/// catalogue can act on.
fn rights_statement(rights: Option<Rights>) -> (&'static str, &'static str) {
    match rights {
        Some(Rights::PublicDomain) => ("Public domain", "https://creativecommons.org/publicdomain/mark/1.0/"),
        Some(Rights::AuthorContract) => (
            "In copyright; made available under a contract with the author",
            "http://rightsstatements.org/vocab/InC/1.0/",
        ),
        Some(Rights::InCopyright) | None => ("In copyright", "http://rightsstatements.org/vocab/InC/1.0/"),
    }
}

/// Fixed-length data elements (40 characters).
fn field_008(created: DateTime<Utc>, year: Option<i32>, language: &str) -> String {
    let (date_type, year) = match year {
        Some(year) => ('s', format!("{year:04}")),
        None => ('n', "uuuu".to_string()),
    };
    // 15–17 place unknown; 18–34 book details not coded; 38 not modified; 39 other source.
    format!("{}{date_type}{year}    xx {}{language: <3} d", created.format("%y%m%d"), "|".repeat(17))
}

/// The MARC 21 record of a document; `pdf_url` is where the PDF can be read.
pub(crate) fn record(document: &DocumentRecord, pdf_url: Option<&str>) -> Result<Record<'static>, marc::Error> {
    let bib = &document.bib;
    let conventions = Conventions::for_record(bib, &document.languages);
    let languages = if bib.language.is_empty() { &document.languages } else { &bib.language };
    let year = gost::publication_year(bib);
    let some = |s: &str| Some(s.to_string());

    let mut builder = RecordBuilder::new();
    builder
        .set_bibliographic_level(match bib.kind {
            Some(DocumentType::NewspaperArticle | DocumentType::JournalArticle) => {
                BibliographicLevel::SerialComponentPart
            }
            Some(DocumentType::BookChapter) => BibliographicLevel::MonographicComponentPart,
            Some(DocumentType::Book) | None => BibliographicLevel::MonographOrItem,
        })
        .set_character_coding_scheme(CharacterCodingScheme::UcsUnicode)
        .set_descriptive_cataloging_form(DescriptiveCatalogingForm::IsbdPunctuationOmitted);
    builder.add_field((b"001", clean(&document.id)))?;
    builder.add_field((b"005", document.updated.format("%Y%m%d%H%M%S.0").to_string()))?;
    builder.add_field((b"008", field_008(document.created, year, languages.first().map_or("und", String::as_str))))?;

    let mut fields: Vec<Option<FieldRepr>> = Vec::new();
    fields.push(data_field(b"041", b"  ", &languages.iter().map(|l| (b'a', some(l))).collect::<Vec<_>>()));
    for (n, author) in bib.authors.iter().enumerate() {
        let indicators = if author.contains(',') { b"1 " } else { b"0 " };
        fields.push(data_field(if n == 0 { b"100" } else { b"700" }, indicators, &[(b'a', some(author))]));
    }
    let title_indicators = if bib.authors.is_empty() { b"00" } else { b"10" };
    fields.push(data_field(
        b"245",
        title_indicators,
        &[(b'a', some(&bib.title)), (b'c', gost::responsibility(bib, &conventions))],
    ));
    if !gost::is_part(bib) {
        fields.push(data_field(
            b"264",
            b" 1",
            &[(b'a', bib.place.clone()), (b'b', bib.publisher.clone()), (b'c', year.map(|y| y.to_string()))],
        ));
    }
    fields.push(data_field(b"300", b"  ", &[(b'a', gost::extent(bib, document.pages.len(), &conventions))]));
    fields.push(data_field(b"500", b"  ", &[(b'a', bib.notes.clone())]));
    let (terms, uri) = rights_statement(bib.rights);
    fields.push(data_field(b"540", b"  ", &[(b'a', some(terms)), (b'c', bib.contract.clone()), (b'u', some(uri))]));
    fields.extend(bib.subjects.iter().map(|s| data_field(b"650", b" 4", &[(b'a', some(s))])));
    fields.extend(bib.collections.iter().map(|c| data_field(b"653", b"  ", &[(b'a', some(c))])));
    if gost::is_part(bib) {
        let (imprint, details) = match bib.kind {
            Some(DocumentType::BookChapter) => (Some(gost::imprint(bib, year)), gost::part_pages(bib, &conventions)),
            _ => (None, Some(gost::host_details(bib, &conventions).join(". – "))),
        };
        fields.push(data_field(b"773", b"0 ", &[(b't', bib.source.clone()), (b'd', imprint), (b'g', details)]));
    }
    if let Some(url) = pdf_url {
        fields.push(data_field(b"856", b"40", &[(b'u', some(url)), (b'q', some("application/pdf"))]));
    }
    builder.add_fields(fields.into_iter().flatten().collect())?;
    builder.get_record()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    /// Tag, indicators and subfields of every data field, as text, for comparison.
    fn fields(record: &Record<'_>) -> Vec<String> {
        record
            .fields()
            .map(|f| {
                let tag = f.get_tag();
                if tag.as_str().starts_with("00") {
                    format!("{} {}", tag.as_str(), f.get_data::<str>())
                } else {
                    let subfields: String = f
                        .subfields()
                        .map(|s| format!("${}{}", s.get_identifier().as_char(), s.get_data::<str>()))
                        .collect();
                    format!("{} {}{}{}", tag.as_str(), f.get_indicator().first(), f.get_indicator().second(), subfields)
                }
            })
            .collect()
    }

    #[test]
    fn an_article_is_a_serial_component_part_with_its_host() {
        let article = document(
            "shozhenov",
            &[
                ("type", "newspaper_article"),
                ("title", "Ақжолтай"),
                ("authors", "Шөженов, Ж.; Абай"),
                ("source", "Пульс"),
                ("date", "2019-07-12"),
                ("issue", "28"),
                ("source_pages", "4"),
                ("language", "rus;kaz"),
                ("subjects", "Ағыбай батыр"),
                ("collections", "Батырлар"),
                ("rights", "author_contract"),
                ("contract", "№ 12, 2021-03-01"),
                ("notes", "line one\nline two"),
            ],
        );
        let record = record(&article, Some("https://lib.example/olke/documents/shozhenov/shozhenov.pdf")).unwrap();
        assert_eq!(&record.as_ref()[5..10], b"nab a", "status, type, level, control, UTF-8");
        assert_eq!(record.as_ref()[18], b'c');
        assert_eq!(
            fields(&record),
            vec![
                "001 shozhenov".to_string(),
                "005 20240305100000.0".into(),
                "008 240305s2019    xx |||||||||||||||||rus d".into(),
                "041   $arus$akaz".into(),
                "100 1 $aШөженов, Ж.".into(),
                "245 10$aАқжолтай$cЖ. Шөженов, Абай".into(),
                "500   $aline one line two".into(),
                "540   $aIn copyright; made available under a contract with the author$c№ 12, 2021-03-01$uhttp://rightsstatements.org/vocab/InC/1.0/".into(),
                "650  4$aАғыбай батыр".into(),
                "653   $aБатырлар".into(),
                "700 0 $aАбай".into(),
                "773 0 $tПульс$g2019. – 12 июля (№ 28). – С. 4".into(),
                "856 40$uhttps://lib.example/olke/documents/shozhenov/shozhenov.pdf$qapplication/pdf".into(),
            ]
        );
    }

    #[test]
    fn a_book_has_an_imprint_and_a_chapter_its_host_imprint() {
        let book = document(
            "qamshy",
            &[
                ("type", "book"),
                ("title", "Қамшы"),
                ("place", "Қарағанды"),
                ("publisher", "Арко"),
                ("year", "2016"),
                ("source_pages", "84"),
            ],
        );
        let shown = fields(&record(&book, None).unwrap());
        assert!(shown.contains(&"264  1$aҚарағанды$bАрко$c2016".to_string()), "{shown:?}");
        assert!(shown.contains(&"300   $a84 б.".to_string()), "{shown:?}");
        assert!(shown.contains(&"245 00$aҚамшы".to_string()), "{shown:?}");
        assert!(!shown.iter().any(|f| f.starts_with("773") || f.starts_with("856")), "{shown:?}");

        let chapter = document(
            "ch",
            &[
                ("type", "book_chapter"),
                ("title", "Тарау"),
                ("source", "Кітап"),
                ("place", "Алматы"),
                ("year", "1998"),
                ("source_pages", "10-24"),
            ],
        );
        let shown = fields(&record(&chapter, None).unwrap());
        assert!(shown.contains(&"773 0 $tКітап$dАлматы, 1998$gБ. 10–24".to_string()), "{shown:?}");
        assert!(!shown.iter().any(|f| f.starts_with("264")), "{shown:?}");
    }
}
