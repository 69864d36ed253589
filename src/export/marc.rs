//! MARC 21 bibliographic records for the library's e-catalogue, built with the `marc`
//! crate, which writes them as ISO 2709 and as MARCXML.
//!
//! **A record of the reproduction.** What olke archives, and what a catalogue record from
//! it leads to, is the digitized copy, so each record describes the online resource and
//! says it reproduces the printed original: 007 `cr` (remote electronic resource), 008/23
//! `o` (online), 300 «1 online resource (120 с.)» (the original's extent in brackets), 533
//! «Electronic reproduction» by the library in the year archived, and 856 `4 0` (the link
//! is the resource itself). The original's imprint stays in 264 and 008's dates. This is
//! decided here once; the README says so too.
//!
//! **ISBD punctuation throughout** (leader/18 `i`): 245 «Title / responsibility.», 264
//! «Place : Publisher, 2016.», headings and notes end with a full stop, and 773 $g keeps
//! the GOST areas «2019. – 12 июля (№ 28). – С. 4». Initials in 245 $c are written
//! without a space between them («И.И. Иванов»), as LC practice (and MARC::Lint) asks.
//!
//! | MARC | from the record |
//! |---|---|
//! | leader/07 | `m` book, `b` newspaper or journal article, `a` book chapter |
//! | leader/17 | `7` minimal (described from a batch manifest), `3` abbreviated (no description: a file name's record) |
//! | 001, 003, 005 | id; the library's code (olke.toml `library.marc_code`); last change |
//! | 007 | `cr`: a remote electronic resource reproduced from the original |
//! | 008 | date archived; `s` and the year, or `n` with both dates `uuuu`; country of the place; 23 `o`; first language |
//! | 040 $a $c | the library's code |
//! | 041 `_ _` $a | each language |
//! | 100 `1 _` $a | the first of one to three authors (`0 _` for a name without initials) |
//! | 245 $a $c | title and statement of responsibility; ind1 `1` under an author, `0` under the title (no author, or four and more: title main entry); ind2 the nonfiling characters of «The», «A», «An» |
//! | 264 `_ 1` $a $b $c | place, publisher, year (books; a part's imprint is its host's) |
//! | 300 $a | «1 online resource», with the extent as in the citation |
//! | 500 $a | notes |
//! | 533 $a $c $d | electronic reproduction, by the library, year archived |
//! | 540 $a $c $u | rights, the author's contract, a rights statement URI («Copyright undetermined» when none is stated) |
//! | 650 `_ 4` $a | subjects (topical terms of no named thesaurus) |
//! | 653 `_ _` $a | collections (the library's thematic folders, uncontrolled terms) |
//! | 700 `1 _` $a | the other authors (all of them under a title main entry) |
//! | 773 `0 _` $t $d $g $w | the host: source; a book's imprint; date, issue and pages; a hosted article's issue record, `(code)id` |
//! | 774 `0 _` $a $t $g $w | each article an issue carries, in reading order: its first author, title, pages and record, `(code)id` |
//! | 856 `4 0` $u $q | the PDF under the base URL, only for works whose rights allow it to be shown |
//!
//! Leader/09 is `a` (UTF-8).

use chrono::{DateTime, Utc};
use marc::{
    BibliographicLevel, CharacterCodingScheme, DescriptiveCatalogingForm, EncodingLevel, FieldRepr, Record,
    RecordBuilder,
};

use super::country::{self, Country};
use crate::config::Library;
use crate::record::fields::is_unprintable;
use crate::record::gost::{self, with_full_stop, Conventions, KAZAKH};
use crate::record::rights_statements::{statement, Statement};
use crate::record::{Bibliographic, DocumentRecord, DocumentType};

/// MARC's delimiters are control characters; none may appear inside a value (nor what
/// MARCXML cannot carry).
pub(super) fn clean(text: &str) -> String {
    text.chars().map(|c| if is_unprintable(c) { ' ' } else { c }).collect::<String>().trim().to_string()
}

/// ISO 2709 writes a field's length in four digits: 9,999 bytes, its terminator included.
const FIELD_BYTES: usize = 9_999;
/// A value longer than its field may hold, with its end left out, ends in ISBD's mark of
/// omission.
const OMISSION: &str = " …";
/// A note longer than a field goes on in further fields of its repeatable tag; past this
/// many it is cut short, so the record keeps within ISO 2709's 99,999 bytes.
const NOTE_FIELDS: usize = 5;

/// A data field from its tag, indicators and non-empty subfields. A field longer than ISO
/// 2709 allows loses the end of its longest value (marked « …»), as no MARC record can
/// carry it: olke's own record keeps it whole.
pub(super) fn data_field(tag: &[u8; 3], indicators: &[u8; 2], subfields: &[(u8, Option<String>)]) -> Option<FieldRepr> {
    let mut subfields: Vec<(u8, String)> = subfields
        .iter()
        .filter_map(|(code, value)| value.as_deref().map(clean).filter(|v| !v.is_empty()).map(|v| (*code, v)))
        .collect();
    // Indicators, each subfield's delimiter, code and value, and the terminator.
    let length = |subfields: &[(u8, String)]| 3 + subfields.iter().map(|(_, v)| 2 + v.len()).sum::<usize>();
    while length(&subfields) > FIELD_BYTES {
        let excess = length(&subfields) - FIELD_BYTES;
        let longest = subfields.iter_mut().map(|(_, v)| v).max_by_key(|v| v.len())?;
        if longest.len() > excess + OMISSION.len() {
            *longest = shortened(longest, longest.len() - excess);
        } else {
            subfields.pop();
        }
    }
    (!subfields.is_empty()).then(|| FieldRepr::from((tag, indicators, subfields)))
}

/// `text` in at most `bytes` bytes: cut at a space where one is near, then « …».
fn shortened(text: &str, bytes: usize) -> String {
    let end = cut_point(text, bytes.saturating_sub(OMISSION.len()));
    format!("{}{OMISSION}", text[..end].trim_end())
}

/// Where to cut `text` to keep at most `bytes` bytes: at a character boundary, and back
/// at a space where one is within the last tenth, so a word is not split.
fn cut_point(text: &str, bytes: usize) -> usize {
    let mut end = bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text[..end].rfind(' ').filter(|&space| space >= end * 9 / 10).unwrap_or(end)
}

/// A note as the values of as many fields of a repeatable note tag as it needs (each
/// piece ending at a space where it can), at most [`NOTE_FIELDS`] of them.
pub(super) fn note_pieces(note: &str) -> Vec<String> {
    // What one subfield $a may hold beside the indicators, its code and the terminator.
    const PIECE: usize = FIELD_BYTES - 5;
    let mut pieces = Vec::new();
    let mut rest = clean(note);
    while rest.len() > PIECE && pieces.len() + 1 < NOTE_FIELDS {
        let end = cut_point(&rest, PIECE);
        pieces.push(rest[..end].trim_end().to_string());
        rest = rest[end..].trim_start().to_string();
    }
    pieces.push(rest);
    pieces
}

/// The main entry: the first author of one to three; with none, or four and more, the
/// title (GOST starts the description with the title then too).
pub(crate) fn main_entry_author(bib: &Bibliographic) -> Option<&str> {
    (1..=3).contains(&bib.authors.len()).then(|| bib.authors[0].as_str())
}

/// The country of the place of publication, when olke knows it.
pub(crate) fn country(bib: &Bibliographic) -> Option<Country> {
    bib.place.as_deref().and_then(country::of_place)
}

/// Whether the record was described (from a batch manifest) rather than named after a file.
pub(crate) fn is_described(bib: &Bibliographic) -> bool {
    bib.kind.is_some() || !bib.authors.is_empty() || gost::publication_year(bib).is_some()
}

/// The library's name in the language the record is catalogued in.
pub(crate) fn agency_name<'a>(library: &'a Library, conventions: &Conventions) -> &'a str {
    if *conventions == KAZAKH {
        &library.name_kk
    } else {
        &library.name_ru
    }
}

/// Fixed-length data elements (40 characters).
fn field_008(created: DateTime<Utc>, year: Option<i32>, country: Option<Country>, language: &str) -> String {
    // `n`: dates unknown, both given as `uuuu`.
    let dates = match year {
        Some(year) => format!("s{year:04}    "),
        None => "nuuuuuuuu".to_string(),
    };
    let place = country.map_or("xx ", |c| c.marc);
    // 18–22 and 24–34 not coded; 23 `o` online; 38 not modified; 39 other source.
    format!("{}{dates}{place}{}o{}{language: <3} d", created.format("%y%m%d"), "|".repeat(5), "|".repeat(11))
}

/// 245 ind2: the characters an initial English article takes, with the quotes or brackets
/// before it, so the title files under its next word.
fn nonfiling_characters(title: &str) -> u8 {
    let is_mark = |c: char| matches!(c, '"' | '\'' | '[' | '(');
    let marks = title.chars().take_while(|&c| is_mark(c)).count();
    let rest = &title[marks..];
    match rest.split_once(' ') {
        Some((word, after)) if ["the", "a", "an"].contains(&word.to_lowercase().as_str()) && !after.is_empty() => {
            let before_next = after.chars().take_while(|&c| is_mark(c) || c == ' ').count();
            (marks + word.len() + 1 + before_next).min(9) as u8
        }
        _ => 0,
    }
}

/// «И. И. Иванов, А. С. Петрова» → «И.И. Иванов, А.С. Петрова».
fn initials_together(text: &str) -> String {
    let is_initial = |word: &str| {
        let mut chars = word.chars();
        matches!((chars.next(), chars.next(), chars.next()), (Some(c), Some('.'), None) if c.is_alphabetic())
    };
    let words: Vec<&str> = text.split(' ').collect();
    let mut out = String::new();
    for (n, word) in words.iter().enumerate() {
        if n > 0 && !(is_initial(words[n - 1]) && is_initial(word)) {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// 245 $a and $c with ISBD punctuation: «Title /» «resp.», or «Title.».
fn title_statement(bib: &Bibliographic, conventions: &Conventions) -> Vec<(u8, Option<String>)> {
    let title = clean(&bib.title);
    // An issue's day and number, in $n, tell it from the newspaper's other issues.
    let issue = Some(gost::issue_area(bib, conventions)).filter(|n| gost::is_issue(bib) && !n.is_empty());
    match (gost::responsibility(bib, conventions), issue) {
        (Some(responsibility), issue) => {
            let title = if issue.is_some() { with_full_stop(&title) } else { format!("{title} /") };
            let issue = issue.map(|n| format!("{n} /"));
            vec![(b'a', Some(title)), (b'n', issue), (b'c', Some(with_full_stop(&initials_together(&responsibility))))]
        }
        (None, Some(issue)) => vec![(b'a', Some(with_full_stop(&title))), (b'n', Some(with_full_stop(&issue)))],
        (None, None) => vec![(b'a', Some(with_full_stop(&title)))],
    }
}

/// 264 $a $b $c with ISBD punctuation: «Place :» «Publisher,» «2016.».
fn imprint(bib: &Bibliographic, year: Option<i32>) -> Vec<(u8, Option<String>)> {
    let mut parts: Vec<(u8, String)> = Vec::new();
    parts.extend(bib.place.as_deref().map(clean).filter(|p| !p.is_empty()).map(|p| (b'a', p)));
    parts.extend(bib.publisher.as_deref().map(clean).filter(|p| !p.is_empty()).map(|p| (b'b', p)));
    parts.extend(year.map(|y| (b'c', y.to_string())));
    let codes: Vec<u8> = parts.iter().map(|(code, _)| *code).collect();
    parts
        .into_iter()
        .enumerate()
        .map(|(n, (code, value))| {
            let value = match codes.get(n + 1) {
                Some(b'b') => format!("{value} :"),
                Some(_) => format!("{value},"),
                None => with_full_stop(&value),
            };
            (code, Some(value))
        })
        .collect()
}

/// What the MARC 21 and the UNIMARC record take from a document before their fields.
pub(super) struct Facts<'a> {
    pub bib: &'a Bibliographic,
    /// The language the description's words follow (GOST's, see [`Conventions`]).
    pub conventions: Conventions,
    /// As described, else as found in the text; as MARC codes them.
    pub languages: Vec<&'a str>,
    pub year: Option<i32>,
}

/// The MARC code (ISO 639-2/B, which UNIMARC and MODS's `iso639-2b` use too) of a record's
/// language, which olke takes as Tesseract names its models: ISO 639-2/T, or 639-3 for a
/// language MARC codes as part of a group. Codes no rule changes are MARC's already.
pub(crate) fn marc_language(code: &str) -> &str {
    const BIBLIOGRAPHIC: &[(&str, &str)] = &[
        // ISO 639-2's twenty terminology codes and their bibliographic twins.
        ("bod", "tib"),
        ("ces", "cze"),
        ("cym", "wel"),
        ("deu", "ger"),
        ("ell", "gre"),
        ("eus", "baq"),
        ("fas", "per"),
        ("fra", "fre"),
        ("hye", "arm"),
        ("isl", "ice"),
        ("kat", "geo"),
        ("mkd", "mac"),
        ("mri", "mao"),
        ("msa", "may"),
        ("mya", "bur"),
        ("nld", "dut"),
        ("ron", "rum"),
        ("slk", "slo"),
        ("sqi", "alb"),
        ("zho", "chi"),
        // Komi-Zyrian and Komi-Permyak (ISO 639-3) are MARC's Komi.
        ("koi", "kom"),
        ("kpv", "kom"),
    ];
    BIBLIOGRAPHIC.iter().find(|(given, _)| *given == code).map_or(code, |(_, marc)| marc)
}

impl<'a> Facts<'a> {
    pub(super) fn of(document: &'a DocumentRecord) -> Facts<'a> {
        let bib = &document.bib;
        Facts {
            bib,
            conventions: Conventions::for_record(bib, &document.languages),
            languages: if bib.language.is_empty() { &document.languages } else { &bib.language }
                .iter()
                .map(|code| marc_language(code))
                .collect(),
            year: gost::publication_year(bib),
        }
    }
}

/// A heading or note as ISBD ends it.
fn ended(text: &str) -> Option<String> {
    Some(with_full_stop(&clean(text)))
}

/// The MARC 21 record of a document, catalogued by `library`; `articles` are those an issue
/// carries, in reading order (given none, the record lists none); `pdf_url` is where the
/// PDF can be read (only for works whose rights allow it to be shown).
pub(crate) fn record(
    document: &DocumentRecord,
    articles: &[&DocumentRecord],
    pdf_url: Option<&str>,
    library: &Library,
) -> Result<Record<'static>, marc::Error> {
    let Facts { bib, conventions, languages, year } = Facts::of(document);
    let some = |s: &str| Some(s.to_string());
    let mut builder = RecordBuilder::new();
    builder
        .set_bibliographic_level(match bib.kind {
            Some(DocumentType::NewspaperArticle | DocumentType::JournalArticle) => {
                BibliographicLevel::SerialComponentPart
            }
            Some(DocumentType::BookChapter) => BibliographicLevel::MonographicComponentPart,
            Some(DocumentType::Book) | None => BibliographicLevel::MonographOrItem,
            Some(DocumentType::NewspaperIssue) => BibliographicLevel::Serial,
        })
        .set_character_coding_scheme(CharacterCodingScheme::UcsUnicode)
        .set_encoding_level(if is_described(bib) {
            EncodingLevel::MinimalLevel
        } else {
            EncodingLevel::AbbreviatedLevel
        })
        .set_descriptive_cataloging_form(DescriptiveCatalogingForm::IsbdPunctuationIncluded);
    builder.add_field((b"001", clean(&document.id)))?;
    builder.add_field((b"003", library.marc_code.clone()))?;
    builder.add_field((b"005", document.updated.format("%Y%m%d%H%M%S.0").to_string()))?;
    // Remote; colour and sound not coded; dimensions n/a; reproduced from the original.
    builder.add_field((b"007", "cr |n||||||a||".to_string()))?;
    let language = languages.first().copied().unwrap_or("und");
    builder.add_field((b"008", field_008(document.created, year, country(bib), language)))?;

    let mut fields: Vec<Option<FieldRepr>> = Vec::new();
    let code = some(&library.marc_code);
    fields.push(data_field(b"040", b"  ", &[(b'a', code.clone()), (b'c', code)]));
    fields.push(data_field(b"041", b"  ", &languages.iter().map(|l| (b'a', some(l))).collect::<Vec<_>>()));
    let name_indicators = |author: &str| if author.contains(',') { b"1 " } else { b"0 " };
    let main_entry = main_entry_author(bib);
    if let Some(author) = main_entry {
        fields.push(data_field(b"100", name_indicators(author), &[(b'a', ended(author))]));
    }
    let title_indicators = [if main_entry.is_some() { b'1' } else { b'0' }, b'0' + nonfiling_characters(&bib.title)];
    fields.push(data_field(b"245", &title_indicators, &title_statement(bib, &conventions)));
    if !gost::is_part(bib) {
        fields.push(data_field(b"264", b" 1", &imprint(bib, year)));
    }
    let extent = gost::extent(bib, document.pages.len(), &conventions);
    let online = extent.map_or("1 online resource".to_string(), |e| format!("1 online resource ({e})"));
    fields.push(data_field(b"300", b"  ", &[(b'a', Some(online))]));
    let notes = bib.notes.as_deref().and_then(ended).map(|n| note_pieces(&n)).unwrap_or_default();
    fields.extend(notes.into_iter().map(|piece| data_field(b"500", b"  ", &[(b'a', Some(piece))])));
    fields.push(data_field(
        b"533",
        b"  ",
        &[
            (b'a', some("Electronic reproduction.")),
            (b'c', Some(format!("{},", clean(agency_name(library, &conventions))))),
            (b'd', Some(format!("{}.", document.created.format("%Y")))),
        ],
    ));
    let Statement { en: terms, uri, .. } = statement(bib.rights);
    let contract = bib.contract.as_deref().and_then(ended);
    fields.push(data_field(b"540", b"  ", &[(b'a', ended(terms)), (b'c', contract), (b'u', some(uri))]));
    fields.extend(bib.subjects.iter().map(|s| data_field(b"650", b" 4", &[(b'a', ended(s))])));
    fields.extend(bib.collections.iter().map(|c| data_field(b"653", b"  ", &[(b'a', some(c))])));
    let added_authors = bib.authors.iter().skip(usize::from(main_entry.is_some()));
    fields.extend(added_authors.map(|a| data_field(b"700", name_indicators(a), &[(b'a', ended(a))])));
    if gost::is_part(bib) {
        let (host_imprint, details) = match bib.kind {
            Some(DocumentType::BookChapter) => (Some(gost::imprint(bib, year)), gost::part_pages(bib, &conventions)),
            _ => (None, Some(gost::host_details(bib, &conventions).join(". – "))),
        };
        // A hosted article links to its issue's record: its control number (001), with
        // the library's code (003) before it.
        let host = document.host.as_ref().map(|host| format!("({}){host}", library.marc_code));
        fields.push(data_field(
            b"773",
            b"0 ",
            &[(b't', bib.source.clone()), (b'd', host_imprint), (b'g', details), (b'w', host)],
        ));
    }
    // An issue links down to its articles, as each links up to it in 773.
    fields.extend(articles.iter().map(|article| {
        let own = Conventions::for_record(&article.bib, &article.languages);
        let record = format!("({}){}", library.marc_code, article.id);
        data_field(
            b"774",
            b"0 ",
            &[
                (b'a', main_entry_author(&article.bib).and_then(ended)),
                (b't', Some(article.bib.title.clone())),
                (b'g', gost::part_pages(&article.bib, &own)),
                (b'w', Some(record)),
            ],
        )
    }));
    if let Some(url) = pdf_url {
        fields.push(data_field(b"856", b"40", &[(b'u', some(url)), (b'q', some("application/pdf"))]));
    }
    builder.add_fields(fields.into_iter().flatten().collect())?;
    builder.get_record()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::tests::document;

    /// Tag, indicators and subfields of every data field, as text, for comparison.
    pub(crate) fn fields(record: &Record<'_>) -> Vec<String> {
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

    fn marc(cells: &[(&str, &str)]) -> Vec<String> {
        fields(&record(&document("d", cells), &[], None, &Library::default()).unwrap())
    }

    fn field<'a>(fields: &'a [String], tag: &str) -> Vec<&'a str> {
        fields.iter().filter(|f| f.starts_with(tag)).map(String::as_str).collect()
    }

    #[test]
    fn values_past_iso_2709s_field_length_go_on_in_more_notes_or_are_cut_visibly() {
        let contents: Vec<String> = (1..200).map(|i| format!("{i}-тарау. Балқаш өңірінің тарихы")).collect();
        let contents = contents.join("; ");
        let title = "Балқаш ".repeat(1200);
        let made = marc(&[("title", &title), ("notes", &contents)]);
        let notes = field(&made, "500");
        assert_eq!(notes.len(), 2, "{} bytes of notes in two fields", contents.len());
        let rejoined: Vec<&str> = notes.iter().map(|n| n.trim_start_matches("500   $a")).collect();
        assert_eq!(rejoined.join(" "), format!("{contents}."), "no word of the note is lost");
        let title_field = field(&made, "245")[0];
        assert!(title_field.len() < FIELD_BYTES && title_field.ends_with("Балқаш …"), "{}", &title_field[..40]);

        // However long, the note stops at five fields, cut with the mark of omission.
        let made = marc(&[("notes", &contents.repeat(10))]);
        let notes = field(&made, "500");
        assert_eq!(notes.len(), NOTE_FIELDS);
        assert!(notes[4].ends_with(" …"));
        // Many short values that will not fit lose the last ones, not the whole field.
        let many = data_field(b"041", b"  ", &vec![(b'a', Some("kaz".to_string())); 3000]).unwrap();
        assert!(many.get_data().len() < FIELD_BYTES && many.get_data().len() > FIELD_BYTES - 6);
    }

    #[test]
    fn languages_take_marcs_codes() {
        let made = marc(&[("title", "Коми гижӧд"), ("language", "kpv;deu;kaz")]);
        assert_eq!(field(&made, "041"), ["041   $akom$ager$akaz"]);
        assert_eq!(&field(&made, "008")[0][4 + 35..4 + 38], "kom");
    }

    #[test]
    fn an_issues_title_carries_its_day_and_number() {
        let issue = [("type", "newspaper_issue"), ("source", "Пульс"), ("date", "2019-07-12"), ("issue", "28")];
        let made = marc(&[&issue[..], &[("title", "Пульс"), ("language", "rus")]].concat());
        assert_eq!(field(&made, "245"), ["245 00$aПульс.$n12 июля (№ 28)."]);
        let made =
            marc(&[&issue[..], &[("title", "Пульс"), ("authors", "Иванов, И. И."), ("language", "rus")]].concat());
        assert_eq!(field(&made, "245"), ["245 10$aПульс.$n12 июля (№ 28) /$cИ.И. Иванов."]);
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
                ("place", "Балхаш"),
            ],
        );
        let library = Library { marc_code: "KZ-BlkCL".into(), ..Library::default() };
        let record =
            record(&article, &[], Some("https://lib.example/olke/documents/shozhenov/shozhenov.pdf"), &library)
                .unwrap();
        assert_eq!(&record.as_ref()[5..10], b"nab a", "status, type, level, control, UTF-8");
        assert_eq!(&record.as_ref()[17..19], b"7i", "minimal level, ISBD punctuation");
        assert_eq!(
            fields(&record),
            vec![
                "001 shozhenov".to_string(),
                "003 KZ-BlkCL".into(),
                "005 20240305100000.0".into(),
                "007 cr |n||||||a||".into(),
                "008 240305s2019    kz |||||o|||||||||||rus d".into(),
                "040   $aKZ-BlkCL$cKZ-BlkCL".into(),
                "041   $arus$akaz".into(),
                "100 1 $aШөженов, Ж.".into(),
                "245 10$aАқжолтай /$cЖ. Шөженов, Абай.".into(),
                "300   $a1 online resource".into(),
                "500   $aline one line two.".into(),
                "533   $aElectronic reproduction.$cГородская библиотека,$d2024.".into(),
                "540   $aIn copyright; made available under a contract with the author.$c№ 12, 2021-03-01.$uhttp://rightsstatements.org/vocab/InC/1.0/".into(),
                "650  4$aАғыбай батыр.".into(),
                "653   $aБатырлар".into(),
                "700 0 $aАбай.".into(),
                "773 0 $tПульс$g2019. – 12 июля (№ 28). – С. 4".into(),
                "856 40$uhttps://lib.example/olke/documents/shozhenov/shozhenov.pdf$qapplication/pdf".into(),
            ]
        );
    }

    #[test]
    fn a_book_has_an_imprint_and_a_chapter_its_host_imprint() {
        let shown = marc(&[
            ("type", "book"),
            ("title", "Қамшы"),
            ("place", "Қарағанды"),
            ("publisher", "Арко"),
            ("year", "2016"),
            ("source_pages", "84"),
            ("language", "kaz"),
        ]);
        assert_eq!(field(&shown, "264"), ["264  1$aҚарағанды :$bАрко,$c2016."]);
        assert_eq!(field(&shown, "300"), ["300   $a1 online resource (84 б.)"]);
        assert_eq!(field(&shown, "245"), ["245 00$aҚамшы."]);
        assert_eq!(field(&shown, "533"), ["533   $aElectronic reproduction.$cҚалалық кітапхана,$d2024."]);
        assert!(field(&shown, "773").is_empty() && field(&shown, "856").is_empty(), "{shown:?}");

        let shown = marc(&[
            ("type", "book_chapter"),
            ("title", "Тарау"),
            ("source", "Кітап"),
            ("place", "Алматы"),
            ("year", "1998"),
            ("source_pages", "10-24"),
        ]);
        assert_eq!(field(&shown, "773"), ["773 0 $tКітап$dАлматы, 1998$gБ. 10–24"]);
        assert!(field(&shown, "264").is_empty(), "{shown:?}");
        let shown = marc(&[("title", "Жер"), ("place", "Москва"), ("year", "1990")]);
        assert_eq!(field(&shown, "264"), ["264  1$aМосква,$c1990."]);
    }

    #[test]
    fn four_authors_make_a_title_main_entry() {
        let shown = marc(&[
            ("type", "book"),
            ("title", "Өлке"),
            ("authors", "Иванов, И. И.; В, Г.; Д, Е.; Ж, З."),
            ("year", "2020"),
        ]);
        assert!(field(&shown, "100").is_empty(), "{shown:?}");
        assert_eq!(field(&shown, "245"), ["245 00$aӨлке /$cИ.И. Иванов, Г. В, Е. Д, З. Ж."]);
        assert_eq!(field(&shown, "700"), ["700 1 $aИванов, И. И.", "700 1 $aВ, Г.", "700 1 $aД, Е.", "700 1 $aЖ, З."]);
        let three = marc(&[("title", "Өлке"), ("authors", "А, Б.; В, Г.; Д, Е.")]);
        assert_eq!(field(&three, "100"), ["100 1 $aА, Б."]);
        assert_eq!(field(&three, "700").len(), 2);
        assert!(field(&three, "245")[0].starts_with("245 10"));
    }

    #[test]
    fn an_undated_record_has_both_dates_unknown_and_an_undetermined_copyright() {
        let shown = marc(&[("title", "Хат"), ("language", "kaz")]);
        assert_eq!(field(&shown, "008"), ["008 240305nuuuuuuuuxx |||||o|||||||||||kaz d"]);
        assert_eq!(field(&shown, "008")[0].len(), 4 + 40);
        assert_eq!(
            field(&shown, "540"),
            ["540   $aCopyright undetermined.$uhttp://rightsstatements.org/vocab/UND/1.0/"]
        );
        assert!(field(&shown, "264").is_empty(), "{shown:?}");
        // Nothing but a title: an abbreviated record.
        let record = record(&document("d", &[("title", "Хат")]), &[], None, &Library::default()).unwrap();
        assert_eq!(record.as_ref()[17], b'3');
    }

    #[test]
    fn english_articles_are_skipped_in_filing() {
        assert_eq!(nonfiling_characters("The Steppe"), 4);
        assert_eq!(nonfiling_characters("A town"), 2);
        assert_eq!(nonfiling_characters("An island"), 3);
        assert_eq!(nonfiling_characters("\"The\" word"), 0, "«The» with its quote is not an article here");
        assert_eq!(nonfiling_characters("[The town]"), 5);
        assert_eq!(nonfiling_characters("Theatre"), 0);
        assert_eq!(nonfiling_characters("Ақ жол"), 0);
        assert_eq!(nonfiling_characters("А город"), 0, "Cyrillic А is a word, not an article");
        assert_eq!(field(&marc(&[("title", "The Steppe"), ("language", "eng")]), "245"), ["245 04$aThe Steppe."]);
    }
}
