//! ALTO 4.4 (the newspaper archives' format for OCR text with its layout) of one page,
//! made from the page record, the source of truth: a corrected page record gives a
//! corrected ALTO. Coordinates are pixels of the archived image (the PDF page's image),
//! origin top left; blocks and lines are Tesseract's; each block carries the language its
//! text reads as, the page its main language and the others.
//!
//! On a newspaper issue's page the words of each article zone form a TextBlock of their
//! own, `P{page}_Z{article id}_{k}` (the article's k-th zone, from 1), so that the METS
//! article structure can point at exactly that zone's words; the words no zone claims
//! stay in Tesseract's blocks, `P{page}_B{n}` as on any page.

use super::xml::Xml;
use crate::language;
use crate::page::{BBox, Line, RecognizedPage, Word};
use crate::record::{DocumentRecord, TextLayer};

pub(crate) const NAMESPACE: &str = "http://www.loc.gov/standards/alto/ns-v4#";
const SCHEMA_LOCATION: &str = "http://www.loc.gov/standards/alto/ns-v4# http://www.loc.gov/alto/v4/alto-4-4.xsd";

/// A language as XML's `xml:lang` and ALTO's `LANG` take it (BCP 47: the two-letter code
/// where ISO 639-1 has one).
pub(crate) fn bcp47(language: &str) -> &str {
    match language {
        "kaz" => "kk",
        "rus" => "ru",
        "eng" => "en",
        other => other,
    }
}

/// The position attributes of a box.
fn position(bbox: &BBox) -> [(&'static str, String); 4] {
    [
        ("HPOS", bbox.x0.to_string()),
        ("VPOS", bbox.y0.to_string()),
        ("WIDTH", bbox.width().to_string()),
        ("HEIGHT", bbox.height().to_string()),
    ]
}

fn union(boxes: impl Iterator<Item = BBox>) -> BBox {
    boxes.reduce(|a, b| a.union(&b)).unwrap_or_default()
}

/// An article's zone on a page, written as a TextBlock of its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ZoneBlock {
    /// The TextBlock's ID, see [`zone_block_id`].
    pub id: String,
    pub bbox: BBox,
}

/// The ID of the TextBlock of zone `zone` (from 1, in the article's reading order) of
/// article `article` on page `page`: derived from the record alone, so it stays the same
/// from one export to the next. Document ids are letters, digits, `-`, `_` and `.`, which
/// an XML ID may hold after the leading `P`.
pub(crate) fn zone_block_id(page: u32, article: &str, zone: usize) -> String {
    format!("P{page}_Z{article}_{zone}")
}

/// The zones on page `page` of `articles` (a newspaper issue's), as TextBlocks.
pub(crate) fn zone_blocks<'a>(page: u32, articles: impl IntoIterator<Item = &'a DocumentRecord>) -> Vec<ZoneBlock> {
    articles
        .into_iter()
        .flat_map(|article| {
            article
                .zones
                .iter()
                .enumerate()
                .filter(|(_, z)| z.page == page)
                .map(|(k, zone)| ZoneBlock { id: zone_block_id(page, &article.id, k + 1), bbox: zone.bbox })
        })
        .collect()
}

/// What a word belongs to: the zone holding its centre (the first of `zones` that does),
/// else its Tesseract block (by position among the page's blocks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Owner {
    Zone(usize),
    Block(usize),
}

/// The page's lines grouped into blocks, in reading order (a block where its first word
/// is): each zone's words, and each Tesseract block's words that no zone holds. A line
/// crossing a zone's edge is split there. Zones holding no word come last, empty.
fn blocks(page: &RecognizedPage, zones: &[ZoneBlock]) -> Vec<(Owner, Vec<Line>)> {
    let mut blocks: Vec<(Owner, Vec<Line>)> = Vec::new();
    for (b, lines) in page.lines.chunk_by(|a, b| a.block == b.block).enumerate() {
        for line in lines {
            let owner = |word: &Word| match zones.iter().position(|z| z.bbox.holds_centre_of(&word.bbox)) {
                Some(zone) => Owner::Zone(zone),
                None => Owner::Block(b),
            };
            let mut parts: Vec<(Owner, Vec<Word>)> = Vec::new();
            for word in &line.words {
                match parts.iter_mut().find(|(o, _)| *o == owner(word)) {
                    Some((_, words)) => words.push(word.clone()),
                    None => parts.push((owner(word), vec![word.clone()])),
                }
            }
            if line.words.is_empty() {
                parts.push((Owner::Block(b), Vec::new()));
            }
            for (owner, words) in parts {
                // A part holds a word at least (an empty line is whole).
                let part = if words.len() == line.words.len() {
                    line.clone()
                } else {
                    line.keeping(words).expect("a part of a line holds a word")
                };
                match blocks.iter_mut().find(|(o, _)| *o == owner) {
                    Some((_, lines)) => lines.push(part),
                    None => blocks.push((owner, vec![part])),
                }
            }
        }
    }
    for zone in 0..zones.len() {
        if !blocks.iter().any(|(o, _)| *o == Owner::Zone(zone)) {
            blocks.push((Owner::Zone(zone), Vec::new()));
        }
    }
    blocks
}

fn line_element(xml: &mut Xml, id: &str, line: &Line, confidence: bool) {
    let baseline = |x: u32| format!("{x},{}", line.baseline_at(x as f32).round().max(0.0));
    let mut attributes = vec![("ID", id.to_string())];
    attributes.extend(position(&line.bbox));
    attributes.push(("BASELINE", format!("{} {}", baseline(line.bbox.x0), baseline(line.bbox.x1))));
    xml.open("TextLine", &attributes);
    for (n, word) in line.words.iter().enumerate() {
        if n > 0 {
            let previous = line.words[n - 1].bbox;
            let gap = BBox { x0: previous.x1, y0: line.bbox.y0, x1: word.bbox.x0.max(previous.x1), y1: line.bbox.y1 };
            xml.empty("SP", &position(&gap)[..3]);
        }
        let mut attributes = vec![("ID", format!("{id}_S{}", n + 1)), ("CONTENT", word.text.clone())];
        attributes.extend(position(&word.bbox));
        if confidence {
            attributes.push(("WC", format!("{:.2}", (word.conf / 100.0).clamp(0.0, 1.0))));
        }
        xml.empty("String", &attributes);
    }
    xml.close("TextLine");
}

/// The ALTO of page `number` (from 1) of `record`, or `None` when the rights do not allow
/// the work's text to be shown (see [`crate::deliver::rights`]): ALTO is the full text.
pub fn page(record: &DocumentRecord, number: u32, page: &RecognizedPage) -> Option<String> {
    record.full_text_allowed().then(|| alto(record, number, page, &[], &pdf_page(record, number)))
}

/// Page `number` of the document's PDF, as an RFC 8118 fragment: «gazeta.pdf#page=2».
pub(crate) fn pdf_page(record: &DocumentRecord, number: u32) -> String {
    let pdf_name = record.pdf.rsplit('/').next().unwrap_or(&record.pdf);
    format!("{pdf_name}#page={number}")
}

/// The ALTO document, whatever the rights: callers decide whether it may be shown. The
/// words inside `zones` (an issue's article zones on this page) form their blocks; `image`
/// names the file the page's image is in (for a METS package, where the package holds it).
pub(crate) fn alto(
    record: &DocumentRecord,
    number: u32,
    page: &RecognizedPage,
    zones: &[ZoneBlock],
    image: &str,
) -> String {
    let summary = record.pages.get(number as usize - 1);
    let recognized = summary.is_none_or(|s| s.text_layer.recognized());
    let mut xml = Xml::new();
    xml.open(
        "alto",
        &[
            ("xmlns", NAMESPACE.into()),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance".into()),
            ("xsi:schemaLocation", SCHEMA_LOCATION.into()),
            ("SCHEMAVERSION", "4.4".into()),
        ],
    );
    xml.open("Description", &[]);
    xml.text("MeasurementUnit", &[], "pixel");
    xml.open("sourceImageInformation", &[]);
    // The image is a PDF's page; the scan it was made from beside it.
    xml.text("fileName", &[], image);
    if let Some(source) = summary.and_then(|s| record.source_files.get(s.source)) {
        xml.text("fileIdentifier", &[("fileIdentifierLocation", "scan".into())], &source.identity());
    }
    xml.text("documentIdentifier", &[("documentIdentifierLocation", "olke".into())], &record.id);
    xml.close("sourceImageInformation");
    xml.open("Processing", &[("ID", "OCR".into())]);
    xml.text("processingCategory", &[], "contentGeneration");
    xml.text("processingDateTime", &[], &record.created.to_rfc3339());
    let (description, settings) = match summary.map(|s| s.text_layer) {
        Some(TextLayer::Kept) => ("Text layer kept from the source PDF".to_string(), String::new()),
        _ => (format!("Text recognition ({})", record.ocr.engine), format!("models: {}", page.models)),
    };
    xml.text("processingStepDescription", &[], &description);
    if let Some(steps) = summary.map(|s| s.preparation.steps.join(", ")).filter(|s| !s.is_empty()) {
        xml.text("processingStepDescription", &[], &format!("Image preparation: {steps}"));
    }
    if !settings.is_empty() {
        xml.text("processingStepSettings", &[], &settings);
    }
    xml.open("processingSoftware", &[]);
    xml.text("softwareName", &[], "olke");
    xml.text("softwareVersion", &[], env!("CARGO_PKG_VERSION"));
    xml.text("applicationDescription", &[], &format!("olke with {}", record.ocr.engine));
    xml.close("processingSoftware");
    xml.close("Processing");
    xml.close("Description");

    xml.open("Layout", &[]);
    let mut attributes = vec![
        ("ID", format!("P{number}")),
        ("PHYSICAL_IMG_NR", number.to_string()),
        ("WIDTH", page.width.to_string()),
        ("HEIGHT", page.height.to_string()),
        ("PROCESSING", "OCR".to_string()),
    ];
    if let Some(printed) = record.bib.first_page_number {
        attributes.push(("PRINTED_IMG_NR", (printed + number - 1).to_string()));
    }
    let languages = summary.map(|s| s.languages.as_slice()).unwrap_or_default();
    if let Some((main, others)) = languages.split_first() {
        attributes.push(("LANG", bcp47(main).to_string()));
        if !others.is_empty() {
            attributes.push(("OTHERLANGS", others.iter().map(|l| bcp47(l)).collect::<Vec<_>>().join(" ")));
        }
    }
    if recognized && page.word_count() > 0 {
        attributes.push(("PC", format!("{:.2}", (page.mean_conf / 100.0).clamp(0.0, 1.0))));
    }
    xml.open("Page", &attributes);
    let full = BBox { x0: 0, y0: 0, x1: page.width, y1: page.height };
    xml.open("PrintSpace", &position(&full));
    for (owner, lines) in blocks(page, zones) {
        let lines_box = union(lines.iter().map(|l| l.bbox));
        let (block_id, bbox) = match owner {
            Owner::Block(b) => (format!("P{number}_B{}", b + 1), lines_box),
            // The zone as drawn, grown to hold its words' boxes (a word is the zone's
            // by its centre).
            Owner::Zone(z) if lines.is_empty() => (zones[z].id.clone(), zones[z].bbox),
            Owner::Zone(z) => (zones[z].id.clone(), zones[z].bbox.union(&lines_box)),
        };
        let mut attributes = vec![("ID", block_id.clone())];
        attributes.extend(position(&bbox));
        let text: Vec<String> = lines.iter().map(Line::text).collect();
        if let Some(language) = language::detect(&text.join("\n")) {
            attributes.push(("LANG", bcp47(language).to_string()));
        }
        xml.open("TextBlock", &attributes);
        for (l, line) in lines.iter().filter(|l| !l.words.is_empty()).enumerate() {
            line_element(&mut xml, &format!("{block_id}_L{}", l + 1), line, recognized);
        }
        xml.close("TextBlock");
    }
    xml.close("PrintSpace");
    xml.close("Page");
    xml.close("Layout");
    xml.close("alto");
    xml.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::Word;
    use crate::record::tests::document;

    fn word(text: &str, x0: u32, conf: f32) -> Word {
        Word { text: text.into(), bbox: BBox { x0, y0: 10, x1: x0 + 40, y1: 30 }, conf }
    }

    fn line(block: u32, words: Vec<Word>) -> Line {
        Line {
            bbox: union(words.iter().map(|w| w.bbox)),
            baseline_slope: 0.0,
            baseline_offset: -4.0,
            x_size: 20.0,
            x_descenders: 4.0,
            block,
            paragraph: 0,
            words,
            corrected: false,
        }
    }

    /// A 600 × 800 page of `lines`, read with a mean confidence of 80.
    fn recognized(lines: Vec<Line>) -> RecognizedPage {
        RecognizedPage {
            width: 600,
            height: 800,
            dpi: 300.0,
            lines,
            mean_conf: 80.0,
            models: "kaz+rus".into(),
            corrections: Vec::new(),
        }
    }

    #[test]
    fn words_lines_and_blocks_with_boxes_and_confidence() {
        let page = recognized(vec![
            line(0, vec![word("Қала", 10, 91.0), word("\"кітапханасы\"", 60, 45.5)]),
            line(1, vec![word("Библиотека", 10, 100.0)]),
        ]);
        let mut record = document("d", &[("title", "Т"), ("rights", "public_domain")]);
        record.pages = vec![crate::record::tests::page()];
        record.pages[0].languages = vec!["kaz".into(), "rus".into()];
        let alto = super::page(&record, 1, &page).unwrap();
        for expected in [
            "<MeasurementUnit>pixel</MeasurementUnit>",
            "<fileName>d.pdf#page=1</fileName>",
            "<Page ID=\"P1\" PHYSICAL_IMG_NR=\"1\" WIDTH=\"600\" HEIGHT=\"800\" PROCESSING=\"OCR\" LANG=\"kk\" OTHERLANGS=\"ru\" PC=\"0.80\">",
            "<TextBlock ID=\"P1_B1\" HPOS=\"10\" VPOS=\"10\" WIDTH=\"90\" HEIGHT=\"20\">",
            "<TextLine ID=\"P1_B1_L1\" HPOS=\"10\" VPOS=\"10\" WIDTH=\"90\" HEIGHT=\"20\" BASELINE=\"10,26 100,26\">",
            "<String ID=\"P1_B1_L1_S1\" CONTENT=\"Қала\" HPOS=\"10\" VPOS=\"10\" WIDTH=\"40\" HEIGHT=\"20\" WC=\"0.91\"/>",
            "<SP HPOS=\"50\" VPOS=\"10\" WIDTH=\"10\"/>",
            "CONTENT=\"&quot;кітапханасы&quot;\"",
            "WC=\"0.46\"",
            "<String ID=\"P1_B2_L1_S1\" CONTENT=\"Библиотека\" HPOS=\"10\" VPOS=\"10\" WIDTH=\"40\" HEIGHT=\"20\" WC=\"1.00\"/>",
            "<softwareName>olke</softwareName>",
            "<processingStepDescription>Text recognition (Tesseract)</processingStepDescription>",
        ] {
            assert!(alto.contains(expected), "{expected} not in\n{alto}");
        }
        // A correction of the page record is a correction of its ALTO.
        let mut corrected = page.clone();
        corrected.lines[1].words[0].text = "Кітапхана".into();
        assert!(super::page(&record, 1, &corrected).unwrap().contains("CONTENT=\"Кітапхана\""));
        // No text of a work whose rights do not allow it.
        record.bib.rights = None;
        assert_eq!(super::page(&record, 1, &page), None);
    }

    #[test]
    fn an_articles_zone_is_a_block_of_its_words_and_the_rest_stays_in_tesseracts_blocks() {
        // One Tesseract block whose line crosses from the left zone to no zone, and a
        // second block the right zone takes whole.
        let page = recognized(vec![
            line(0, vec![word("сол", 10, 90.0), word("ешкімдікі", 260, 90.0)]),
            line(1, vec![Word { bbox: BBox { x0: 320, y0: 400, x1: 360, y1: 420 }, ..word("оң", 0, 80.0) }]),
        ]);
        let mut record = document("issue", &[("title", "Пульс"), ("rights", "public_domain")]);
        record.pages = vec![crate::record::tests::page()];
        let mut article = document("a-1", &[("title", "A")]);
        article.host = Some("issue".into());
        article.zones = vec![
            crate::record::ArticleZone { page: 2, bbox: BBox { x0: 0, y0: 0, x1: 10, y1: 10 } },
            crate::record::ArticleZone { page: 1, bbox: BBox { x0: 0, y0: 0, x1: 200, y1: 200 } },
            crate::record::ArticleZone { page: 1, bbox: BBox { x0: 300, y0: 300, x1: 600, y1: 800 } },
            crate::record::ArticleZone { page: 1, bbox: BBox { x0: 0, y0: 700, x1: 10, y1: 710 } },
        ];
        let zones = zone_blocks(1, [&article]);
        let ids: Vec<&str> = zones.iter().map(|z| z.id.as_str()).collect();
        assert_eq!(ids, ["P1_Za-1_2", "P1_Za-1_3", "P1_Za-1_4"], "numbered among all the article's zones");
        let alto = alto(&record, 1, &page, &zones, &pdf_page(&record, 1));
        let blocks: Vec<&str> = alto.lines().filter(|l| l.contains("<TextBlock ")).map(str::trim).collect();
        assert_eq!(
            blocks,
            [
                "<TextBlock ID=\"P1_Za-1_2\" HPOS=\"0\" VPOS=\"0\" WIDTH=\"200\" HEIGHT=\"200\">",
                "<TextBlock ID=\"P1_B1\" HPOS=\"260\" VPOS=\"10\" WIDTH=\"40\" HEIGHT=\"20\">",
                "<TextBlock ID=\"P1_Za-1_3\" HPOS=\"300\" VPOS=\"300\" WIDTH=\"300\" HEIGHT=\"500\">",
                // A zone without words is there, empty, for the structure to point at.
                "<TextBlock ID=\"P1_Za-1_4\" HPOS=\"0\" VPOS=\"700\" WIDTH=\"10\" HEIGHT=\"10\">",
            ]
        );
        assert!(alto.contains("<String ID=\"P1_Za-1_2_L1_S1\" CONTENT=\"сол\""), "{alto}");
        assert!(alto.contains("<String ID=\"P1_B1_L1_S1\" CONTENT=\"ешкімдікі\""), "{alto}");
        assert!(alto.contains("<String ID=\"P1_Za-1_3_L1_S1\" CONTENT=\"оң\""), "{alto}");
    }
}
