//! UNIMARC (RUSMARC) records in ISO 2709, as RABIS and ИРБИС import them. The same
//! description as the MARC 21 export (see [`super::marc`]): a record of the electronic
//! reproduction, under the title when there are four or more authors, the link only for
//! works whose rights allow it to be shown. UNIMARC generates ISBD punctuation from the
//! subfields, so none is written inside them.
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
//! | 463 `_ 1` $t $d $v | the host of an article or chapter: title, year, pages |
//! | 606 $a, 610 `0 _` $a | subjects; collections |
//! | 700 / 701 `_ 1` $a $b $4 | the first of one to three authors; the other authors (all of four and more) |
//! | 801 `_ 0` $a $b $c | country, the library's code, date archived |
//! | 856 `4 _` $u $q | the PDF, only where rights allow |

use marc::{BibliographicLevel, CharacterCodingScheme, EncodingLevel, FieldRepr, Record, RecordBuilder, TypeOfControl};

use super::marc::{agency_name, clean, country, data_field, main_entry_author, Facts};
use crate::config::Library;
use crate::record::gost::{self, Conventions, ENGLISH, KAZAKH};
use crate::record::rights_statements::statement;
use crate::record::DocumentRecord;

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
    let script = if bib.title.chars().any(|c| matches!(c, '\u{0400}'..='\u{04FF}')) { "ca" } else { "ba" };
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
/// rights allow the PDF to be shown.
pub(crate) fn record(
    document: &DocumentRecord,
    pdf_url: Option<&str>,
    library: &Library,
) -> Result<Record<'static>, marc::Error> {
    let Facts { bib, conventions, languages, year } = Facts::of(document);
    let some = |s: &str| Some(s.to_string());
    // An article or chapter is an analytic of its host.
    let analytic = gost::is_part(bib);
    let mut builder = RecordBuilder::new();
    builder
        .set_bibliographic_level(if analytic {
            BibliographicLevel::MonographicComponentPart
        } else {
            BibliographicLevel::MonographOrItem
        })
        // Leader/08 hierarchical level: 2 subordinate (an analytic), 0 none.
        .set_type_of_control(TypeOfControl::Unknown(if analytic { b'2' } else { b'0' }))
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
        data_field(b"200", b"1 ", &[(b'a', some(&bib.title)), (b'f', gost::responsibility(bib, &conventions))]),
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
    fields.push(data_field(b"300", b"  ", &[(b'a', bib.notes.clone())]));
    let reproduction = format!(
        "Electronic reproduction. {}, {}",
        clean(agency_name(library, &conventions)),
        document.created.format("%Y")
    );
    fields.push(data_field(b"325", b"  ", &[(b'a', Some(reproduction))]));
    fields.push(data_field(b"371", b"1 ", &[(b'a', some(statement(bib.rights).en))]));
    if analytic {
        fields.push(data_field(
            b"463",
            b" 1",
            &[
                (b't', bib.source.clone()),
                (b'd', year.map(|y| y.to_string())),
                (b'v', gost::part_pages(bib, &conventions)),
            ],
        ));
    }
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
        let monograph = record(&book, None, &Library::default()).unwrap();
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
        let analytic = record(&article, Some("https://lib.kz/a.pdf"), &Library::default()).unwrap();
        assert_eq!(&analytic.as_ref()[5..9], b"naa2");
        let shown = fields(&analytic);
        assert!(shown.contains(&"463  1$tПульс$d2019$vБ. 4".to_string()), "{shown:?}");
        assert!(!shown.iter().any(|f| f.starts_with("700") || f.starts_with("210")), "{shown:?}");
        assert_eq!(shown.iter().filter(|f| f.starts_with("701")).count(), 4);
        assert!(shown.contains(&"701  0$aАбай$4070".to_string()), "{shown:?}");
        assert!(shown.contains(&"856 4 $uhttps://lib.kz/a.pdf$qapplication/pdf".to_string()), "{shown:?}");
    }
}
