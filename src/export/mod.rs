//! Catalogue export for the library's e-catalogue: MARC 21 (MARCXML and ISO 2709), JSON
//! lines, and CSV with the manifest's columns (so a corrected export can be applied back
//! with `olke catalog apply`).

pub(crate) mod marc;

use std::io::{self, Write};

use ::marc::MarcXml;
use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
use serde::Serialize;

use crate::record::fields::FIELDS;
use crate::record::table::{COMPUTED_COLUMNS, FILES, ID};
use crate::record::{Bibliographic, DocumentRecord};

/// The formats `olke export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    MarcXml,
    /// ISO 2709, the exchange format of library systems.
    Marc,
    Jsonl,
    Csv,
}

#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("document {id}: cannot be made a MARC record: {source}")]
    Marc { id: String, source: ::marc::Error },
    #[error("MARCXML: {0}")]
    MarcXml(::marc::Error),
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

/// A record as JSON consumers get it: its id, description, citation, pages and languages.
#[derive(Serialize)]
pub struct Described<'a> {
    pub id: &'a str,
    #[serde(flatten)]
    pub bib: &'a Bibliographic,
    pub citation: String,
    pub pages: usize,
    pub languages: &'a [String],
}

impl<'a> Described<'a> {
    pub fn of(record: &'a DocumentRecord) -> Described<'a> {
        Described {
            id: &record.id,
            bib: &record.bib,
            citation: record.citation(),
            pages: record.pages.len(),
            languages: &record.languages,
        }
    }
}

/// One line of the JSON lines export.
#[derive(Serialize)]
struct JsonEntry<'a> {
    #[serde(flatten)]
    described: Described<'a>,
    pdf: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
}

/// Writes `records` in `format`; `base_url` makes PDF links (MARC 856, `url`), for the
/// works whose full text may be shown only: the others are never published, so a link to
/// their PDF would be dead on the published site, or a leak where the archive is served.
pub fn export(
    records: &[DocumentRecord],
    format: Format,
    base_url: Option<&str>,
    out: &mut dyn Write,
) -> Result<(), ExportError> {
    let url =
        |record: &DocumentRecord| base_url.filter(|_| record.full_text_allowed()).map(|base| pdf_url(base, record));
    match format {
        Format::MarcXml | Format::Marc => {
            let marc: Vec<::marc::Record<'static>> = records
                .iter()
                .map(|r| {
                    self::marc::record(r, url(r).as_deref())
                        .map_err(|source| ExportError::Marc { id: r.id.clone(), source })
                })
                .collect::<Result<_, _>>()?;
            if format == Format::Marc {
                for record in &marc {
                    out.write_all(record.as_ref())?;
                }
            } else {
                out.write_all(&marc.xml_pretty().map_err(ExportError::MarcXml)?)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Jsonl => {
            for r in records {
                let entry = JsonEntry { described: Described::of(r), pdf: &r.pdf, url: url(r) };
                serde_json::to_writer(&mut *out, &entry).map_err(io::Error::from)?;
                out.write_all(b"\n")?;
            }
        }
        Format::Csv => {
            let mut writer = csv::Writer::from_writer(out);
            let header: Vec<&str> =
                [FILES, ID].into_iter().chain(FIELDS.iter().copied()).chain(COMPUTED_COLUMNS.iter().copied()).collect();
            writer.write_record(&header)?;
            for r in records {
                let files: Vec<&str> = r.source_files.iter().map(|s| s.name.as_str()).collect();
                let mut row = vec![files.join("; "), r.id.clone()];
                row.extend(FIELDS.iter().map(|field| r.bib.get(field)));
                row.extend([r.pages.len().to_string(), r.citation(), url(r).unwrap_or_default()]);
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
        export(&records, format, base_url, &mut out).unwrap();
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
        assert_eq!(records[1].field(b"245")[0].subfield(b'a')[0].get_data::<str>(), "Екінші, \"тырнақшада\"");
    }

    #[test]
    fn jsonl_and_csv_carry_the_citation_and_the_link() {
        let jsonl = String::from_utf8(exported(Format::Jsonl, Some("https://lib.kz"))).unwrap();
        let lines: Vec<serde_json::Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0]["citation"], "Кәрім, Н. Қамшы / Н. Кәрім. – 2016.");
        assert_eq!(lines[0]["collections"][0], "Әдебиет");
        assert!(lines[0]["url"].as_str().unwrap().starts_with("https://lib.kz/documents/"));
        assert_eq!(lines[1].get("url"), None, "no link to a work whose rights are not stated: it is not published");

        let csv = exported(Format::Csv, None);
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
