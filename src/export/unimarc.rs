//! UNIMARC (RUSMARC) records in ISO 2709, as RABIS and ИРБИС import them. The same
//! description as the MARC 21 export (see [`super::marc`]): a record of the electronic
//! reproduction, under the title when there are four or more authors, the link only for
//! works whose rights allow it to be shown. UNIMARC generates ISBD punctuation from the
//! subfields, so none is written inside them.
//!
//! Links between levels are 4XX fields with embedded fields (`$1` then the tag, the
//! indicators and the field's own subfields), as RUSMARC catalogues record a newspaper
//! article: 461 the newspaper (the set), 463 the issue (the physical piece) with the
//! article's pages, e.g. `461 _0 $12001 $aНародная газета`, `463 _0 $12000 $a20 июня $vС. 18
//! $1210   $d2003`. An issue is described under its designation (200 $a «12 июля (№ 28)»)
//! with its newspaper in 461, and lists the articles catalogued on it in 464
//! (piece-analytic), the link from the piece down to its analytics that UNIMARC pairs
//! with 463.
//!
//! | UNIMARC | from the record |
//! |---|---|
//! | leader | `n`, `a` language material, `m` monograph or `a` analytic (article, chapter); 17 `3` less than full, material examined; 18 blank (ISBD from the subfields) |
//! | 001, 005 | id; last change |
//! | 100 $a | date archived; `d` and the year of publication, or `u` unknown; the language catalogued in; Unicode (`50`); Cyrillic or Latin title |
//! | 101 `0 _` $a | each language |
//! | 102 $a | the country of the place, when known |
//! | 200 `1 _` $a $f | title; statement of responsibility |
//! | 210 $a $c $d | place, publisher, year (books) |
//! | 215 $a | «1 online resource», with the extent |
//! | 300 $a | notes |
//! | 325 $a | electronic reproduction, by the library, year archived |
//! | 371 `1 _` $a | terms of use |
//! | 461 `_ 0` $1 | an article's newspaper or journal, an issue's newspaper (with the issue in $v) |
//! | 463 `_ 0` $1 | the issue an article is in (its 001 where the archive holds it; 200 $a the issue, $v the pages; 210 $d the year), or a chapter's book |
//! | 464 `_ 0` $1 | each article an issue carries: 001, 200 $a $f, $v its pages |
//! | 606 $a, 610 `0 _` $a | subjects; collections |
//! | 700 / 701 `_ 1` $a $b $4 | the first of one to three authors; the other authors (all of four and more) |
//! | 801 `_ 0` $a $b $c | country, the library's code, date archived |
//! | 856 `4 _` $u $q | the PDF, only where rights allow |

use marc::{BibliographicLevel, CharacterCodingScheme, EncodingLevel, FieldRepr, Record, RecordBuilder, TypeOfControl};

use super::marc::{agency_name, clean, country, data_field, main_entry_author, note_pieces, Facts};
use crate::config::Library;
use crate::record::gost::{self, Conventions, ENGLISH, KAZAKH};
use crate::record::rights_statements::statement;
use crate::record::{DocumentRecord, DocumentType};

/// A field embedded in a 4XX link.
enum Embedded<'a> {
    /// A control field (001): its tag and data.
    Control(&'static str, Option<&'a str>),
    /// A data field: its tag with its indicators (`"2001 "`), and its subfields.
    Data(&'static str, Vec<(u8, Option<String>)>),
}

/// A linking field of embedded fields, each written as `$1` with its tag (and a data
/// field's indicators) followed by its own subfields. An embedded field without a value
/// is left out, and the link when none has one.
fn link(tag: &[u8; 3], embedded: Vec<Embedded>) -> Option<FieldRepr> {
    let mut subfields: Vec<(u8, String)> = Vec::new();
    for field in embedded {
        match field {
            Embedded::Control(tag, Some(value)) => subfields.push((b'1', format!("{tag}{}", clean(value)))),
            Embedded::Control(_, None) => {}
            Embedded::Data(head, values) => {
                let values: Vec<(u8, String)> = values
                    .into_iter()
                    .filter_map(|(code, value)| value.map(|v| clean(&v)).filter(|v| !v.is_empty()).map(|v| (code, v)))
                    .collect();
                if !values.is_empty() {
                    subfields.push((b'1', head.to_string()));
                    subfields.extend(values);
                }
            }
        }
    }
    (!subfields.is_empty()).then(|| FieldRepr::from((tag, b" 0", subfields)))
}

/// The issue's designation, RUSMARC's 200 $a of the piece: «12 июля (№ 28)».
fn issue_designation(document: &DocumentRecord, conventions: &Conventions) -> Option<String> {
    Some(gost::issue_area(&document.bib, conventions)).filter(|d| !d.is_empty())
}

/// The 4XX links of `document`: up to its newspaper and issue (or its book), down to the
/// `articles` an issue carries.
fn links(document: &DocumentRecord, articles: &[&DocumentRecord], conventions: &Conventions) -> Vec<Option<FieldRepr>> {
    let bib = &document.bib;
    let year = gost::publication_year(bib).map(|y| y.to_string());
    let pages = gost::part_pages(bib, conventions);
    match bib.kind {
        Some(DocumentType::BookChapter) => vec![link(
            b"463",
            vec![
                Embedded::Data("2001 ", vec![(b'a', bib.source.clone()), (b'v', pages)]),
                Embedded::Data("210  ", vec![(b'd', year)]),
            ],
        )],
        Some(DocumentType::NewspaperArticle | DocumentType::JournalArticle) => vec![
            link(b"461", vec![Embedded::Data("2001 ", vec![(b'a', bib.source.clone())])]),
            link(
                b"463",
                vec![
                    // The issue's record, where the archive holds it (its id is the host's).
                    Embedded::Control("001", document.host.as_deref()),
                    Embedded::Data("2000 ", vec![(b'a', issue_designation(document, conventions)), (b'v', pages)]),
                    Embedded::Data("210  ", vec![(b'd', year)]),
                ],
            ),
        ],
        Some(DocumentType::NewspaperIssue) => {
            let newspaper = bib.source.clone().or(Some(bib.title.clone()));
            let designation = issue_designation(document, conventions);
            let mut fields =
                vec![link(b"461", vec![Embedded::Data("2001 ", vec![(b'a', newspaper), (b'v', designation)])])];
            fields.extend(articles.iter().map(|article| {
                let own = Conventions::for_record(&article.bib, &article.languages);
                link(
                    b"464",
                    vec![
                        Embedded::Control("001", Some(&article.id)),
                        Embedded::Data(
                            "2001 ",
                            vec![
                                (b'a', Some(article.bib.title.clone())),
                                (b'f', gost::responsibility(&article.bib, &own)),
                                (b'v', gost::part_pages(&article.bib, &own)),
                            ],
                        ),
                    ],
                )
            }));
            fields
        }
        Some(DocumentType::Book) | None => Vec::new(),
    }
}

/// 100 $a, general processing data (36 characters).
fn general_processing(document: &DocumentRecord, conventions: &Conventions) -> String {
    let bib = &document.bib;
    let dates = match gost::publication_year(bib) {
        // `d`: a monograph complete when issued (or an article in one issue).
        Some(year) => format!("d{year:04}    "),
        None => format!("u{}", " ".repeat(8)),
    };
    let cataloguing = match *conventions {
        c if c == KAZAKH => "kaz",
        c if c == ENGLISH => "eng",
        _ => "rus",
    };
    // The title's script: the one most of its letters are in (an English title may quote a
    // Russian name).
    let cyrillic = bib.title.chars().filter(|c| matches!(c, '\u{0400}'..='\u{04FF}')).count();
    let letters = bib.title.chars().filter(|c| c.is_alphabetic()).count();
    let script = if 2 * cyrillic > letters { "ca" } else { "ba" };
    // Audience unknown, government publication unknown, not modified, no transliteration,
    // ISO 10646 (`50`).
    format!("{}{dates}u  u0{cataloguing}y50      {script}", document.created.format("%Y%m%d"))
}

/// 700/701 of an author «Surname, I. O.»: $a surname, $b initials, $4 070 (author).
fn author_field(tag: &[u8; 3], author: &str) -> Option<FieldRepr> {
    let relator = (b'4', Some("070".to_string()));
    match author.split_once(',') {
        Some((surname, initials)) => data_field(
            tag,
            b" 1",
            &[(b'a', Some(surname.to_string())), (b'b', Some(initials.trim().to_string())), relator],
        ),
        None => data_field(tag, b" 0", &[(b'a', Some(author.to_string())), relator]),
    }
}

/// The cataloguing agency's country: an ISIL's prefix («KZ-…»), else Kazakhstan's.
fn agency_country(code: &str) -> String {
    match code.split_once('-') {
        Some((prefix, _)) if prefix.len() == 2 => prefix.to_ascii_uppercase(),
        _ => "KZ".to_string(),
    }
}

/// The UNIMARC record of a document, catalogued by `library`; `pdf_url` only where the
/// rights allow the PDF to be shown; `articles` those a newspaper issue carries.
pub(crate) fn record(
    document: &DocumentRecord,
    articles: &[&DocumentRecord],
    pdf_url: Option<&str>,
    library: &Library,
) -> Result<Record<'static>, marc::Error> {
    let Facts { bib, conventions, languages, year } = Facts::of(document);
    let some = |s: &str| Some(s.to_string());
    // An article or chapter is an analytic of its host.
    let analytic = gost::is_part(bib);
    let issue = gost::is_issue(bib);
    let mut builder = RecordBuilder::new();
    builder
        .set_bibliographic_level(if analytic {
            BibliographicLevel::MonographicComponentPart
        } else {
            BibliographicLevel::MonographOrItem
        })
        // Leader/08 hierarchical level: 2 subordinate (an analytic, an issue of its
        // newspaper), 0 none.
        .set_type_of_control(TypeOfControl::Unknown(if analytic || issue { b'2' } else { b'0' }))
        // Leader/09 is undefined in UNIMARC; the character set is in 100.
        .set_character_coding_scheme(CharacterCodingScheme::Unknown(b' '))
        .set_encoding_level(EncodingLevel::AbbreviatedLevel)
        .set_descriptive_cataloging_form(marc::DescriptiveCatalogingForm::NonIsbd);
    builder.add_field((b"001", clean(&document.id)))?;
    builder.add_field((b"005", document.updated.format("%Y%m%d%H%M%S.0").to_string()))?;

    let mut fields: Vec<Option<FieldRepr>> = vec![
        data_field(b"100", b"  ", &[(b'a', Some(general_processing(document, &conventions)))]),
        data_field(b"101", b"0 ", &languages.iter().map(|l| (b'a', some(l))).collect::<Vec<_>>()),
        data_field(b"102", b"  ", &[(b'a', country(bib).map(|c| c.iso.to_string()))]),
        // An issue under its designation, its newspaper in 461 (as RUSMARC describes the
        // piece of a set).
        data_field(
            b"200",
            b"1 ",
            &[
                (b'a', issue.then(|| issue_designation(document, &conventions)).flatten().or(some(&bib.title))),
                (b'f', gost::responsibility(bib, &conventions)),
            ],
        ),
    ];
    if !analytic {
        fields.push(data_field(
            b"210",
            b"  ",
            &[(b'a', bib.place.clone()), (b'c', bib.publisher.clone()), (b'd', year.map(|y| y.to_string()))],
        ));
    }
    let extent = gost::extent(bib, document.pages.len(), &conventions);
    let online = extent.map_or("1 online resource".to_string(), |e| format!("1 online resource ({e})"));
    fields.push(data_field(b"215", b"  ", &[(b'a', Some(online))]));
    let notes = bib.notes.as_deref().map(note_pieces).unwrap_or_default();
    fields.extend(notes.into_iter().map(|piece| data_field(b"300", b"  ", &[(b'a', Some(piece))])));
    let reproduction = format!(
        "Electronic reproduction. {}, {}",
        clean(agency_name(library, &conventions)),
        document.created.format("%Y")
    );
    fields.push(data_field(b"325", b"  ", &[(b'a', Some(reproduction))]));
    fields.push(data_field(b"371", b"1 ", &[(b'a', some(statement(bib.rights).en))]));
    fields.extend(links(document, articles, &conventions));
    fields.extend(bib.subjects.iter().map(|s| data_field(b"606", b"  ", &[(b'a', some(s))])));
    fields.extend(bib.collections.iter().map(|c| data_field(b"610", b"0 ", &[(b'a', some(c))])));
    let main_entry = main_entry_author(bib);
    fields.extend(main_entry.map(|a| author_field(b"700", a)));
    let others = bib.authors.iter().skip(usize::from(main_entry.is_some()));
    fields.extend(others.map(|a| author_field(b"701", a)));
    fields.push(data_field(
        b"801",
        b" 0",
        &[
            (b'a', Some(agency_country(&library.marc_code))),
            (b'b', some(&library.marc_code)),
            (b'c', Some(document.created.format("%Y%m%d").to_string())),
        ],
    ));
    if let Some(url) = pdf_url {
        fields.push(data_field(b"856", b"4 ", &[(b'u', some(url)), (b'q', some("application/pdf"))]));
    }
    builder.add_fields(fields.into_iter().flatten().collect())?;
    let record = builder.get_record()?;
    // Leader/20–23 of UNIMARC are «450 » where MARC 21 has «4500».
    let mut bytes = record.as_ref().to_vec();
    bytes[23] = b' ';
    Record::from_vec(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::marc::tests::fields;
    use crate::record::tests::document;

    #[test]
    fn the_title_script_is_that_of_most_of_its_letters() {
        let script = |title: &str| {
            let record = document("d", &[("title", title)]);
            general_processing(&record, &Conventions::for_record(&record.bib, &[]))[34..36].to_string()
        };
        assert_eq!(script("Балқаш тарихы"), "ca");
        assert_eq!(script("Letters of Абай to his friends"), "ba");
    }

    #[test]
    fn a_book_and_an_article_as_rusmarc() {
        let book = document(
            "qamshy",
            &[
                ("type", "book"),
                ("title", "Қамшы"),
                ("authors", "Кәрім, Н."),
                ("place", "Қарағанды"),
                ("publisher", "Арко"),
                ("year", "2016"),
                ("source_pages", "84"),
                ("language", "kaz"),
                ("rights", "in_copyright"),
            ],
        );
        let monograph = record(&book, &[], None, &Library::default()).unwrap();
        assert_eq!(&monograph.as_ref()[5..9], b"nam0");
        assert_eq!(&monograph.as_ref()[17..24], b"3  450 ");
        assert_eq!(
            fields(&monograph),
            vec![
                "001 qamshy".to_string(),
                "005 20240305100000.0".into(),
                "100   $a20240305d2016    u  u0kazy50      ca".into(),
                "101 0 $akaz".into(),
                "102   $aKZ".into(),
                "200 1 $aҚамшы$fН. Кәрім".into(),
                "210   $aҚарағанды$cАрко$d2016".into(),
                "215   $a1 online resource (84 б.)".into(),
                "325   $aElectronic reproduction. Қалалық кітапхана, 2024".into(),
                "371 1 $aIn copyright".into(),
                "700  1$aКәрім$bН.$4070".into(),
                "801  0$aKZ$bKZ-OLKE$c20240305".into(),
            ]
        );

        let article = document(
            "a",
            &[
                ("type", "newspaper_article"),
                ("title", "Мыс"),
                ("authors", "А, Б.; В, Г.; Д, Е.; Абай"),
                ("source", "Пульс"),
                ("date", "2019-07-12"),
                ("source_pages", "4"),
                ("rights", "public_domain"),
            ],
        );
        let analytic = record(&article, &[], Some("https://lib.kz/a.pdf"), &Library::default()).unwrap();
        assert_eq!(&analytic.as_ref()[5..9], b"naa2");
        let shown = fields(&analytic);
        assert!(shown.contains(&"461  0$12001 $aПульс".to_string()), "{shown:?}");
        assert!(shown.contains(&"463  0$12000 $a12 шілде$vБ. 4$1210  $d2019".to_string()), "{shown:?}");
        assert!(!shown.iter().any(|f| f.starts_with("700") || f.starts_with("210")), "{shown:?}");
        assert_eq!(shown.iter().filter(|f| f.starts_with("701")).count(), 4);
        assert!(shown.contains(&"701  0$aАбай$4070".to_string()), "{shown:?}");
        assert!(shown.contains(&"856 4 $uhttps://lib.kz/a.pdf$qapplication/pdf".to_string()), "{shown:?}");
    }
}
