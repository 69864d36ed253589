//! Where the words of a corrected line go on the page image. Nobody types boxes, yet the
//! PDF's text layer, the ALTO and the hit outlines need one per word: with as many words
//! as before, each new word takes the box of the word it replaces (a corrected letter
//! rarely moves a word); otherwise the words are spread over the span the old words took,
//! each as wide as its share of the letters.

use crate::page::{BBox, Line, Word};

/// Confidence of a word a person typed: it is what the page says.
pub(crate) const TYPED_CONFIDENCE: f32 = 100.0;

/// The words of `text` (split at white space) placed over `line`.
pub(crate) fn place(line: &Line, text: &str) -> Vec<Word> {
    let tokens: Vec<&str> = text.split_whitespace().collect();
    let typed = |text: &str, bbox: BBox| Word { text: text.to_string(), bbox, conf: TYPED_CONFIDENCE };
    if tokens.len() == line.words.len() {
        return tokens.iter().zip(&line.words).map(|(token, old)| typed(token, old.bbox)).collect();
    }
    let span = span(line);
    // One letter's width of gap between words, so a PDF reader still sees the breaks.
    let letters: usize = tokens.iter().map(|t| t.chars().count()).sum();
    let units = (letters + tokens.len().saturating_sub(1)).max(1) as f32;
    let unit = span.width() as f32 / units;
    let mut at = 0usize;
    tokens
        .iter()
        .map(|token| {
            let length = token.chars().count();
            let x0 = span.x0 + (at as f32 * unit).round() as u32;
            let x1 = (span.x0 + ((at + length) as f32 * unit).round() as u32).max(x0 + 1);
            at += length + 1;
            typed(token, BBox { x0, x1, ..span })
        })
        .collect()
}

/// The part of the line its words took (its whole box when it had none), top and bottom
/// of the line's box.
fn span(line: &Line) -> BBox {
    let x0 = line.words.iter().map(|w| w.bbox.x0).min().unwrap_or(line.bbox.x0);
    let x1 = line.words.iter().map(|w| w.bbox.x1).max().unwrap_or(line.bbox.x1);
    BBox { x0, x1: x1.max(x0 + 1), ..line.bbox }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x0: u32, x1: u32) -> Word {
        Word { text: text.into(), bbox: BBox { x0, y0: 12, x1, y1: 38 }, conf: 61.0 }
    }

    fn line(words: Vec<Word>) -> Line {
        Line {
            bbox: BBox { x0: 100, y0: 10, x1: 500, y1: 40 },
            baseline_slope: 0.0,
            baseline_offset: -5.0,
            x_size: 30.0,
            x_descenders: 5.0,
            block: 0,
            paragraph: 0,
            words,
            corrected: false,
        }
    }

    #[test]
    fn the_same_number_of_words_keeps_the_old_boxes() {
        let old = line(vec![word("Маг", 110, 200), word("Обап", 230, 330)]);
        let new = place(&old, "  Nur   Otan ");
        assert_eq!(new.iter().map(|w| w.text.as_str()).collect::<Vec<_>>(), ["Nur", "Otan"]);
        assert_eq!(new[0].bbox, old.words[0].bbox);
        assert_eq!(new[1].bbox, old.words[1].bbox);
        assert!(new.iter().all(|w| w.conf == TYPED_CONFIDENCE));
    }

    #[test]
    fn another_number_of_words_is_spread_by_length_over_the_old_span() {
        let old = line(vec![word("Қазақстанреспубликасы", 110, 410)]);
        // 9 + 1 gap + 12 letters = 22 units over 300 pixels.
        let new = place(&old, "Қазақстан Республикасы");
        assert_eq!(new.len(), 2);
        assert_eq!((new[0].bbox.x0, new[0].bbox.x1), (110, 233));
        assert_eq!((new[1].bbox.x0, new[1].bbox.x1), (246, 410));
        assert_eq!((new[0].bbox.y0, new[0].bbox.y1), (10, 40), "the line's height");
        assert!(new[0].bbox.x1 < new[1].bbox.x0, "a gap between the words");
    }

    #[test]
    fn a_line_without_words_is_filled_across_its_box() {
        let new = place(&line(Vec::new()), "бір");
        assert_eq!((new[0].bbox.x0, new[0].bbox.x1), (100, 500));
    }
}
