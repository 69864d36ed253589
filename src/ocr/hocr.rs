//! Reads Tesseract's hOCR into lines of words. hOCR is used rather than TSV because it
//! carries each line's baseline and row height, which place the PDF text layer.

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::page::{BBox, Line, Word};

/// The `title` properties of an hOCR element (`bbox 1 2 3 4; baseline 0.01 -5; …`).
struct Title<'a>(&'a str);

impl Title<'_> {
    fn values(&self, key: &str) -> Option<Vec<f32>> {
        self.0.split(';').map(str::trim).find_map(|prop| {
            let mut parts = prop.split_whitespace();
            (parts.next()? == key).then(|| parts.filter_map(|v| v.parse().ok()).collect())
        })
    }

    fn value(&self, key: &str) -> Option<f32> {
        self.values(key)?.first().copied()
    }

    fn bbox(&self, scale: f32) -> Option<BBox> {
        match self.values("bbox")?.as_slice() {
            &[x0, y0, x1, y1] => {
                let s = |v: f32| (v * scale).round().max(0.0) as u32;
                Some(BBox { x0: s(x0), y0: s(y0), x1: s(x1), y1: s(y1) })
            }
            _ => None,
        }
    }
}

fn attribute(element: &BytesStart, name: &str) -> Result<Option<String>, String> {
    match element.try_get_attribute(name).map_err(|e| e.to_string())? {
        Some(a) => Ok(Some(a.unescape_value().map_err(|e| e.to_string())?.into_owned())),
        None => Ok(None),
    }
}

/// The hOCR classes that open a text line.
const LINE_CLASSES: [&str; 4] = ["ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"];

/// Parses hOCR into lines in reading order, scaling every coordinate by `scale`.
pub(super) fn parse(hocr: &str, scale: f32) -> Result<Vec<Line>, String> {
    let mut reader = Reader::from_str(hocr);
    reader.config_mut().check_end_names = false;
    let mut lines: Vec<Line> = Vec::new();
    let mut block: Option<u32> = None;
    let mut paragraph: Option<u32> = None;
    // The class of every open element, to know which end tag closes a word.
    let mut open: Vec<String> = Vec::new();
    let mut word: Option<Word> = None;

    loop {
        match reader.read_event().map_err(|e| format!("at byte {}: {e}", reader.buffer_position()))? {
            Event::Start(element) => {
                let class = attribute(&element, "class")?.unwrap_or_default();
                let title = attribute(&element, "title")?.unwrap_or_default();
                let title = Title(&title);
                match class.as_str() {
                    "ocr_carea" => {
                        block = Some(block.map_or(0, |b| b + 1));
                    }
                    "ocr_par" => {
                        paragraph = Some(paragraph.map_or(0, |p| p + 1));
                    }
                    c if LINE_CLASSES.contains(&c) => {
                        let bbox = title.bbox(scale).ok_or("a line without a bbox")?;
                        let baseline = title.values("baseline").unwrap_or_default();
                        let x_size = title.value("x_size").map_or(bbox.height() as f32, |v| v * scale);
                        lines.push(Line {
                            bbox,
                            baseline_slope: baseline.first().copied().unwrap_or(0.0),
                            baseline_offset: baseline.get(1).copied().unwrap_or(0.0) * scale,
                            x_size,
                            x_descenders: title.value("x_descenders").unwrap_or(x_size * 0.2 / scale) * scale,
                            block: block.unwrap_or(0),
                            paragraph: paragraph.unwrap_or(0),
                            words: Vec::new(),
                            corrected: false,
                        });
                    }
                    "ocrx_word" => {
                        let bbox = title.bbox(scale).ok_or("a word without a bbox")?;
                        word = Some(Word { text: String::new(), bbox, conf: title.value("x_wconf").unwrap_or(0.0) });
                    }
                    _ => {}
                }
                open.push(class);
            }
            Event::Text(text) => {
                if let Some(w) = word.as_mut() {
                    w.text.push_str(&text.unescape().map_err(|e| e.to_string())?);
                }
            }
            Event::End(_) => {
                if open.pop().as_deref() != Some("ocrx_word") {
                    continue;
                }
                if let (Some(mut w), Some(line)) = (word.take(), lines.last_mut()) {
                    w.text = w.text.trim().to_string();
                    if !w.text.is_empty() {
                        line.words.push(w);
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    lines.retain(|l| !l.words.is_empty());
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"
  <div class='ocr_page' id='page_1' title='image "unknown"; bbox 0 0 1748 2480; ppageno 0; scan_res 300 300'>
   <div class='ocr_carea' id='block_1_1' title="bbox 212 246 1525 2316">
    <p class='ocr_par' id='par_1_1' lang='kaz' title="bbox 213 246 1513 342">
     <span class='ocr_line' id='line_1_1' title="bbox 275 246 1513 287; baseline 0.01 -9; x_size 38; x_descenders 6; x_ascenders 10">
      <span class='ocrx_word' id='word_1_1' title='bbox 275 248 348 278; x_wconf 93'>Қазақ</span>
      <span class='ocrx_word' id='word_1_2' title='bbox 365 265 375 268; x_wconf 90'><strong>A&amp;B</strong></span>
      <span class='ocrx_word' id='word_1_3' title='bbox 391 256 440 278; x_wconf 12'> </span>
     </span>
    </p>
    <p class='ocr_par' id='par_1_2' lang='rus' title="bbox 213 376 1321 467">
     <span class='ocr_line' id='line_1_2' title="bbox 213 311 396 342; baseline 0 -9; x_size 41.2; x_descenders 9; x_ascenders 9.7">
      <span class='ocrx_word' id='word_1_4' title='bbox 213 311 396 342; x_wconf 96'>предлог.</span>
     </span>
    </p>
   </div>
  </div>"#;

    #[test]
    fn reads_lines_words_and_structure() {
        let lines = parse(SAMPLE, 1.0).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].text(), "Қазақ A&B");
        assert_eq!(lines[0].words[0].bbox, BBox { x0: 275, y0: 248, x1: 348, y1: 278 });
        assert_eq!(lines[0].words[1].conf, 90.0);
        assert_eq!((lines[0].baseline_slope, lines[0].baseline_offset, lines[0].x_size), (0.01, -9.0, 38.0));
        assert_eq!((lines[0].block, lines[0].paragraph), (0, 0));
        assert_eq!((lines[1].block, lines[1].paragraph), (0, 1));
    }

    #[test]
    fn scales_coordinates_back_to_the_archived_image() {
        let lines = parse(SAMPLE, 0.5).unwrap();
        assert_eq!(lines[1].words[0].bbox, BBox { x0: 107, y0: 156, x1: 198, y1: 171 });
        assert_eq!(lines[1].x_size, 20.6);
        assert_eq!(lines[1].baseline_offset, -4.5);
    }
}
