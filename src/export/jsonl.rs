//! JSON lines for search clusters and scripts: one document per line with its
//! description, citation, ISO 8601 dates (the publication `date` as described, one `year`,
//! `created` and `updated` times), the PDF's link and, on request, each page's text;
//! or the same documents as an Elasticsearch/OpenSearch `_bulk` body (an action line,
//! then the document).
//!
//! Text and links are given only for works whose rights allow them to be shown: the others
//! are described, never quoted.

use std::io::{self, Write};

use serde::Serialize;
use serde_json::{Map, Value};

use super::{Described, ExportError};
use crate::page::RecognizedPage;
use crate::record::{gost, DocumentRecord};

/// Reads a document's pages.
pub(crate) type PageReader<'a> = &'a dyn Fn(&DocumentRecord) -> Result<Vec<RecognizedPage>, ExportError>;

/// What each line carries besides the description.
pub(crate) struct Options<'a> {
    /// The PDF's address, for works whose rights allow it to be shown.
    pub(crate) url: &'a dyn Fn(&DocumentRecord) -> Option<String>,
    /// Each page's text (for works whose rights allow it), read when asked for.
    pub(crate) pages: Option<PageReader<'a>>,
    /// `_bulk` lines for this index, before each document.
    pub(crate) bulk_index: Option<&'a str>,
}

#[derive(Serialize)]
struct Entry<'a> {
    #[serde(flatten)]
    described: Described<'a>,
    pdf: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<String>,
    created: String,
    updated: String,
}

/// The JSON object of one document.
fn document(record: &DocumentRecord, options: &Options<'_>) -> Result<Value, ExportError> {
    let entry = Entry {
        described: Described::of(record),
        pdf: &record.pdf,
        url: (options.url)(record),
        created: record.created.to_rfc3339(),
        updated: record.updated.to_rfc3339(),
    };
    let mut object: Map<String, Value> = match serde_json::to_value(&entry).map_err(io::Error::from)? {
        Value::Object(object) => object,
        _ => unreachable!("a record serializes to an object"),
    };
    // One year: the date's, else the stated year (the record may hold both).
    object.remove("year");
    if let Some(year) = gost::publication_year(&record.bib) {
        object.insert("year".into(), year.into());
    }
    if let Some(pages) = options.pages.filter(|_| record.full_text_allowed()) {
        let text: Vec<Value> = pages(record)?.iter().map(|p| p.text().into()).collect();
        object.insert("text".into(), text.into());
    }
    Ok(Value::Object(object))
}

/// Writes `records` as JSON lines (or `_bulk` pairs).
pub(crate) fn write(records: &[DocumentRecord], options: &Options<'_>, out: &mut dyn Write) -> Result<(), ExportError> {
    for record in records {
        if let Some(index) = options.bulk_index {
            let action = serde_json::json!({ "index": { "_index": index, "_id": record.id } });
            serde_json::to_writer(&mut *out, &action).map_err(io::Error::from)?;
            out.write_all(b"\n")?;
        }
        serde_json::to_writer(&mut *out, &document(record, options)?).map_err(io::Error::from)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{BBox, Line, Word};
    use crate::record::tests::document;

    fn page(text: &str) -> RecognizedPage {
        let word = Word { text: text.into(), bbox: BBox { x0: 0, y0: 0, x1: 10, y1: 10 }, conf: 90.0 };
        let line = Line {
            bbox: word.bbox,
            baseline_slope: 0.0,
            baseline_offset: 0.0,
            x_size: 10.0,
            x_descenders: 2.0,
            block: 0,
            paragraph: 0,
            words: vec![word],
            corrected: false,
        };
        RecognizedPage {
            width: 10,
            height: 10,
            dpi: 300.0,
            lines: vec![line],
            mean_conf: 90.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        }
    }

    #[test]
    fn bulk_pairs_with_one_year_and_text_only_where_rights_allow() {
        let records = [
            document(
                "free",
                &[("title", "Ашық"), ("date", "1968-04-12"), ("year", "1967"), ("rights", "public_domain")],
            ),
            document("closed", &[("title", "Жабық"), ("year", "2016"), ("rights", "in_copyright")]),
        ];
        let url = |r: &DocumentRecord| r.full_text_allowed().then(|| format!("https://lib.kz/{}.pdf", r.id));
        let pages = |_: &DocumentRecord| Ok(vec![page("бірінші"), page("екінші")]);
        let options = Options { url: &url, pages: Some(&pages), bulk_index: Some("olke") };
        let mut out = Vec::new();
        write(&records, &options, &mut out).unwrap();
        let lines: Vec<Value> =
            String::from_utf8(out).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[0], serde_json::json!({"index": {"_index": "olke", "_id": "free"}}));
        assert_eq!(lines[1]["date"], "1968-04-12");
        assert_eq!(lines[1]["year"], 1968, "the date's year, the one year");
        assert_eq!(lines[1]["created"], "2024-03-05T10:00:00+00:00");
        assert_eq!(lines[1]["text"], serde_json::json!(["бірінші", "екінші"]));
        assert_eq!(lines[1]["url"], "https://lib.kz/free.pdf");
        assert_eq!(lines[2]["index"]["_id"], "closed");
        assert_eq!(lines[3]["year"], 2016);
        assert_eq!(lines[3].get("text"), None, "no text of a work in copyright");
        assert_eq!(lines[3].get("url"), None);
    }
}
