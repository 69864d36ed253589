//! Export in the library world's standards: catalogue records for the library's
//! e-catalogue (MARC 21 as MARCXML and ISO 2709, UNIMARC), JSON lines for search clusters,
//! CSV with the manifest's columns (so a corrected export can be applied back with
//! `olke catalog apply`), ALTO for each page and a METS package for each document.

pub mod alto;
mod country;
pub(crate) mod iiif;
pub(crate) mod jsonl;
pub(crate) mod marc;
pub mod mets;
pub(crate) mod unimarc;
pub(crate) mod xml;

use std::io::{self, Write};

use ::marc::MarcXml;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::archive::files::FileError;
use crate::config::Library;
use crate::path_error::PathError;
use crate::record::fields::FIELDS;
use crate::record::table::{COMPUTED_COLUMNS, FILES, ID};
use crate::record::{ArticleZone, Bibliographic, DocumentRecord};

/// The formats `olke export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    MarcXml,
    /// ISO 2709, the exchange format of library systems.
    Marc,
    /// UNIMARC (RUSMARC) in ISO 2709.
    Unimarc,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("document {id}: cannot be made a MARC record: {source}")]
    Marc { id: String, source: ::marc::Error },
    #[error("MARCXML: {0}")]
    MarcXml(::marc::Error),
    #[error("document {0}: {1}; `olke verify` says more, `olke verify --repair` may restore it")]
    Page(String, FileError),
    #[error("document {id}: page {page} of its PDF cannot be copied into the METS package: {reason}; `olke verify` says more")]
    PagePdf { id: String, page: u32, reason: String },
    #[error("{}: exists and is not a METS package olke wrote (no mets.xml); choose another --out folder", .0.display())]
    NotAPackage(std::path::PathBuf),
    #[error(transparent)]
    File(#[from] PathError),
    #[error(transparent)]
    Csv(#[from] csv::Error),
    #[error(transparent)]
    Io(#[from] io::Error),
}

/// Characters kept as they are in a URL path segment (RFC 3986 unreserved).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// A relative path as a URL path: each segment percent-encoded (ids and collection names
/// may hold Kazakh letters and spaces).
pub fn url_path(path: &str) -> String {
    path.split('/').map(|segment| utf8_percent_encode(segment, SEGMENT).to_string()).collect::<Vec<_>>().join("/")
}

/// `path` (relative to the archive or the published site) under `base_url`.
pub fn url(base_url: &str, path: &str) -> String {
    format!("{}/{}", base_url.trim_end_matches('/'), url_path(path))
}

/// The PDF's address under `base_url`.
pub fn pdf_url(base_url: &str, record: &DocumentRecord) -> String {
    url(base_url, &record.pdf)
}

/// The PDF's address under `base_url` for a work whose full text may be shown only: the
/// others are never published, so a link to their PDF would be dead on the published
/// site, or a leak where the archive is served.
pub fn shown_pdf_url(base_url: Option<&str>, record: &DocumentRecord) -> Option<String> {
    // A hosted article has no PDF of its own.
    base_url.filter(|_| record.full_text_allowed() && !record.is_hosted()).map(|base| pdf_url(base, record))
}

/// A record as JSON consumers get it: its id, description, citation, pages and languages.
#[derive(Serialize)]
pub struct Described<'a> {
    pub id: &'a str,
    #[serde(flatten)]
    pub bib: &'a Bibliographic,
    pub citation: String,
    pub pages: usize,
    pub languages: &'a [String],
    /// A hosted article's issue and its zones on the pages.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host: Option<&'a str>,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    pub zones: &'a [ArticleZone],
}

impl<'a> Described<'a> {
    pub fn of(record: &'a DocumentRecord) -> Described<'a> {
        Described {
            id: &record.id,
            bib: &record.bib,
            citation: record.citation(),
            pages: record.pages.len(),
            languages: &record.languages,
            host: record.host.as_deref(),
            zones: &record.zones,
        }
    }
}

/// A hosted article's zones as the CSV export writes them: `page@left,top,width,height`,
/// `; `-separated, in reading order.
fn zones_text(zones: &[ArticleZone]) -> String {
    let zone =
        |z: &ArticleZone| format!("{}@{},{},{},{}", z.page, z.bbox.x0, z.bbox.y0, z.bbox.width(), z.bbox.height());
    zones.iter().map(zone).collect::<Vec<_>>().join("; ")
}

/// Writes `records` in `format`; `base_url` makes PDF links (MARC 856, `url`), for the
/// works whose full text may be shown only (see [`shown_pdf_url`]).
/// Records are catalogued by `library` (its MARC code and name); `documents` are the
/// archive's (MARC lists an issue's articles from them).
pub fn export(
    records: &[DocumentRecord],
    documents: &[DocumentRecord],
    format: Format,
    base_url: Option<&str>,
    library: &Library,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let url = |record: &DocumentRecord| shown_pdf_url(base_url, record);
    match format {
        Format::MarcXml | Format::Marc | Format::Unimarc => {
            let make = |r: &DocumentRecord| {
                let articles = crate::record::article::articles_of(r, documents);
                match format {
                    Format::Unimarc => unimarc::record(r, &articles, url(r).as_deref(), library),
                    _ => self::marc::record(r, &articles, url(r).as_deref(), library),
                }
            };
            let marc: Vec<::marc::Record<'static>> = records
                .iter()
                .map(|r| make(r).map_err(|source| ExportError::Marc { id: r.id.clone(), source }))
                .collect::<Result<_, _>>()?;
            if format != Format::MarcXml {
                for record in &marc {
                    out.write_all(record.as_ref())?;
                }
            } else {
                out.write_all(&marc.xml_pretty().map_err(ExportError::MarcXml)?)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => {
            // RFC 4180 ends each record with CRLF.
            let mut writer = csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out);
            let header: Vec<&str> =
                [FILES, ID].into_iter().chain(FIELDS.iter().copied()).chain(COMPUTED_COLUMNS.iter().copied()).collect();
            writer.write_record(&header)?;
            for r in records {
                let files: Vec<&str> = r.source_files.iter().map(|s| s.name.as_str()).collect();
                let mut row = vec![files.join("; "), r.id.clone()];
                row.extend(FIELDS.iter().map(|field| r.bib.get(field)));
                row.extend([
                    r.pages.len().to_string(),
                    r.citation(),
                    url(r).unwrap_or_default(),
                    r.host.clone().unwrap_or_default(),
                    zones_text(&r.zones),
                ]);
                writer.write_record(&row)?;
            }
            writer.flush()?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    fn exported(format: Format, base_url: Option<&str>) -> Vec<u8> {
        let records = [
            document(
                "қамшы",
                &[
                    ("type", "book"),
                    ("title", "Қамшы"),
                    ("authors", "Кәрім, Н."),
                    ("year", "2016"),
                    ("collections", "Әдебиет"),
                    ("rights", "public_domain"),
                ],
            ),
            document("b", &[("title", "Екінші, \"тырнақшада\"")]),
        ];
        let mut out = Vec::new();
        export(&records, &records, format, base_url, &Library::default(), &mut out).unwrap();
        out
    }

    #[test]
    fn urls_are_percent_encoded() {
        let record = document("қамшы 1", &[("title", "x")]);
        assert_eq!(
            pdf_url("https://lib.kz/a/", &record),
            "https://lib.kz/a/documents/%D2%9B%D0%B0%D0%BC%D1%88%D1%8B%201/%D2%9B%D0%B0%D0%BC%D1%88%D1%8B%201.pdf"
        );
    }

    #[test]
    fn iso_2709_records_follow_one_another() {
        let out = exported(Format::Marc, None);
        let records: Vec<_> = ::marc::Records::new(&out[..]).collect::<Result<_, _>>().unwrap();
        assert_eq!(records.len(), 2);
        assert_eq!(records[0].field(b"001")[0].get_data::<str>(), "қамшы");
        assert_eq!(records[1].field(b"245")[0].subfield(b'a')[0].get_data::<str>(), "Екінші, \"тырнақшада\".");
    }

    #[test]
    fn csv_carries_the_citation_and_the_link() {
        let csv = exported(Format::Csv, None);
        let text = String::from_utf8(csv.clone()).unwrap();
        assert_eq!(text.matches("\r\n").count(), text.matches('\n').count(), "RFC 4180 lines end in CRLF");
        let mut reader = csv::Reader::from_reader(&csv[..]);
        let header: Vec<String> = reader.headers().unwrap().iter().map(str::to_string).collect();
        assert_eq!(&header[..3], ["files", "id", "type"]);
        let rows: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
        let column = |name: &str| header.iter().position(|h| h == name).unwrap();
        assert_eq!(&rows[1][column("title")], "Екінші, \"тырнақшада\"");
        assert_eq!(&rows[0][column("citation")], "Кәрім, Н. Қамшы / Н. Кәрім. – 2016.");
        assert_eq!(&rows[0][column("url")], "");
    }
}
