//! The guard against silently dropped text.
//!
//! Cleaning decides what is ink and what is paper once for the whole page; where ink has
//! faded to the shade of show-through or stains, whole lines can go white with them, and
//! the reading of the cleaned page never sees them. So after a page is recognized, the
//! scan itself (cropped, turned and straightened like the page, but not cleaned) is
//! searched for marks that line up like printed text and lie outside every recognized
//! word: a line not read at all, a page number left out, or the part of a line Tesseract
//! found but gave no words (it drops the words of a stretch it cannot read, and keeps the
//! line's box). Where there are such rows, that part of the page is read again from the
//! scan with only its paper evened (no threshold: Tesseract's own, on just that part,
//! adapts to the faint ink), and the lines read there with confidence join the page. What
//! was read again, and what is still unread, goes into the page's record.
//!
//! Every limit is measured on the page itself: ink is what is darker than the paper by
//! several times the paper's own noise, a letter is sized like the lines already read, and
//! an unread line counts as missing text when it is as dark as text read on that page.

use image::GrayImage;

use super::{clean, leptonica, upscale, DOUBTFUL_CONFIDENCE, OCR_DPI};
use crate::ocr::{self, OcrError};
use crate::page::{BBox, Line, PreparedPage, RecognizedPage, Reread, Word};

/// Fewer marks in a row than this, among the lines read, are as likely the pieces of a
/// pencil stroke or a stain over print, or a stray hyphen, as text...
const MIN_MARKS_IN_A_LINE: usize = 4;
/// ...but this many standing apart from every line read (by a line's height) are a page
/// number (what a reader cites the book by) or a short heading, which Tesseract's layout
/// analysis can take for noise when it stands alone on an otherwise clean page.
const MIN_MARKS_STANDING_APART: usize = 3;
/// Type size assumed for letters when nothing on the page was read: 12 pt, with leading.
const DEFAULT_LINE_POINTS: f32 = 12.0;

/// Checks `recognized` against the scan of `page`, reads again from the scan where text
/// lines were missed, and records what it did in `page.preparation.rereads`.
pub(crate) fn guard(page: &mut PreparedPage, recognized: &mut RecognizedPage, models: &str) -> Result<(), OcrError> {
    let scan = clean::even_paper(&page.archive.to_gray(), page.dpi);
    let missed = missed_lines(&scan, &recognized.lines, page.dpi);
    if missed.is_empty() {
        return Ok(());
    }
    let read_darkness = faintest_read_darkness(&scan, &recognized.lines);
    let line_height = median_line_height(&recognized.lines, page.dpi);
    for area in regions(&missed, line_height, scan.dimensions()) {
        let crop = image::imageops::crop_imm(&scan, area.x0, area.y0, area.width(), area.height()).to_image();
        let (crop, scale) = if page.dpi < 0.95 * OCR_DPI { upscale(&crop, OCR_DPI / page.dpi) } else { (crop, 1.0) };
        let read = ocr::recognize_block(&crop, page.dpi * scale, 1.0 / scale, (area.x0, area.y0), models)?;
        let added = merge(recognized, read);
        let inside: Vec<&MissedLine> = missed.iter().filter(|m| contains(&area, &m.bbox)).collect();
        let unread = inside
            .iter()
            .filter(|m| !covered(&m.bbox, recognized.lines.iter().map(|l| &l.bbox), 0))
            .filter(|m| read_darkness.is_none_or(|faintest| m.darkness <= faintest))
            .count();
        page.preparation.rereads.push(Reread { area, lines: inside.len(), words_added: added, unread });
    }
    recognized.mean_conf = ocr::mean_confidence(&recognized.lines);
    Ok(())
}

/// A row of ink marks on the scan that no recognized line covers.
#[derive(Debug)]
struct MissedLine {
    bbox: BBox,
    /// The darkest ink in it (5th percentile of its pixels), 0–255.
    darkness: u8,
}

/// Rows of letter-sized ink marks on `scan` (paper evened) outside every word of `lines`.
fn missed_lines(scan: &GrayImage, lines: &[Line], dpi: f32) -> Vec<MissedLine> {
    let line_height = median_line_height(lines, dpi);
    let tallest = lines.iter().map(|l| l.bbox.height() as f32).fold(line_height, f32::max);
    // Letters are the size of lines' x-height and more; dots and accents, which are
    // smaller, are not needed to see a line.
    let (lowest, highest) = (0.25 * line_height, 1.5 * tallest);
    let smooth = imageproc::filter::box_filter(scan, 1, 1);
    let ink = ink_threshold(&smooth);
    let marks: Vec<BBox> = leptonica::ink_components(&smooth, |v| (v as f32) < ink)
        .into_iter()
        .filter(|b| (lowest..=highest).contains(&(b.height() as f32)) && (b.width() as f32) <= 2.0 * highest)
        .filter(|b| !covered(b, lines.iter().flat_map(|l| &l.words).map(|w| &w.bbox), (0.25 * line_height) as u32))
        .collect();
    let apart = |row: &BBox| lines.iter().all(|l| grown(&l.bbox, line_height as u32).overlap(row) == 0);
    rows(marks)
        .into_iter()
        .map(|row| (row.len(), union(&row)))
        .filter(|(marks, row)| *marks >= MIN_MARKS_IN_A_LINE || (*marks >= MIN_MARKS_STANDING_APART && apart(row)))
        .map(|(_, row)| row)
        .filter(|b| b.width() >= 2 * b.height())
        .map(|bbox| MissedLine { darkness: darkness(scan, &bbox), bbox })
        .collect()
}

/// The grey level below which a pixel of `scan` (paper evened) is ink: darker than Otsu's
/// threshold over the whole page, which is how Tesseract itself tells ink from paper on a
/// page it is given unprepared (so what it would read there is looked for), and darker
/// than the paper by clearly more than the paper's own noise.
fn ink_threshold(scan: &GrayImage) -> f32 {
    let histogram = clean::histogram(scan.as_raw().iter().copied());
    // Most of any page is paper, so the median is the paper's shade.
    let paper = clean::percentile(&histogram, 0.5) as f32;
    let above_noise = clean::faintest_ink(paper, clean::noise_level(scan));
    above_noise.min(clean::otsu_threshold(&histogram) as f32)
}

/// Whether the centre of `bbox` lies on one of `boxes` (grown by `margin`).
fn covered<'a>(bbox: &BBox, mut boxes: impl Iterator<Item = &'a BBox>, margin: u32) -> bool {
    let (x, y) = ((bbox.x0 + bbox.x1) / 2, (bbox.y0 + bbox.y1) / 2);
    boxes.any(|b| x + margin >= b.x0 && x < b.x1 + margin && y + margin >= b.y0 && y < b.y1 + margin)
}

/// Groups marks into rows: marks that share most of their height and are no further
/// apart than a letter is tall (word spaces are narrower than that).
fn rows(mut marks: Vec<BBox>) -> Vec<Vec<BBox>> {
    marks.sort_by_key(|b| b.x0);
    let mut parent: Vec<usize> = (0..marks.len()).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    for i in 0..marks.len() {
        let a = marks[i];
        for (j, &b) in marks.iter().enumerate().skip(i + 1) {
            let reach = a.height().max(b.height());
            if b.x0 > a.x1 + reach {
                break; // sorted by x0: every later mark starts further right
            }
            let shared = a.y1.min(b.y1).saturating_sub(a.y0.max(b.y0));
            if 2 * shared >= a.height().min(b.height()) {
                let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
                parent[ra] = rb;
            }
        }
    }
    let mut groups: std::collections::BTreeMap<usize, Vec<BBox>> = Default::default();
    for (i, mark) in marks.iter().enumerate() {
        groups.entry(root(&mut parent, i)).or_default().push(*mark);
    }
    groups.into_values().collect()
}

fn union(boxes: &[BBox]) -> BBox {
    boxes.iter().skip(1).fold(boxes[0], |u, b| BBox {
        x0: u.x0.min(b.x0),
        y0: u.y0.min(b.y0),
        x1: u.x1.max(b.x1),
        y1: u.y1.max(b.y1),
    })
}

/// `bbox` grown by `margin` on every side.
fn grown(bbox: &BBox, margin: u32) -> BBox {
    BBox {
        x0: bbox.x0.saturating_sub(margin),
        y0: bbox.y0.saturating_sub(margin),
        x1: bbox.x1 + margin,
        y1: bbox.y1 + margin,
    }
}

fn contains(outer: &BBox, inner: &BBox) -> bool {
    inner.x0 >= outer.x0 && inner.y0 >= outer.y0 && inner.x1 <= outer.x1 && inner.y1 <= outer.y1
}

/// The darkest ink in `bbox` of `scan`: the 5th percentile of its pixels.
fn darkness(scan: &GrayImage, bbox: &BBox) -> u8 {
    let (x1, y1) = (bbox.x1.min(scan.width()), bbox.y1.min(scan.height()));
    let pixels = (bbox.y0..y1).flat_map(|y| (bbox.x0..x1).map(move |x| scan.get_pixel(x, y)[0]));
    clean::percentile(&clean::histogram(pixels), 0.05)
}

/// How dark the faintest tenth of the recognized lines is, or `None` when nothing was read.
fn faintest_read_darkness(scan: &GrayImage, lines: &[Line]) -> Option<u8> {
    let mut shades: Vec<u8> = lines.iter().map(|l| darkness(scan, &l.bbox)).collect();
    shades.sort_unstable();
    shades.get(shades.len() * 9 / 10).or(shades.last()).copied()
}

/// The median height of the recognized lines, or that of 12 pt type when there are none.
fn median_line_height(lines: &[Line], dpi: f32) -> f32 {
    let mut heights: Vec<u32> = lines.iter().map(|l| l.bbox.height()).collect();
    heights.sort_unstable();
    heights.get(heights.len() / 2).map_or(DEFAULT_LINE_POINTS / 72.0 * dpi, |&h| h as f32)
}

/// The parts of the page to read again: missed lines one above the other (sharing most
/// of their width, a line or two apart) read together, as Tesseract reads a block better
/// than its lines one by one; each with a margin of half a line.
fn regions(missed: &[MissedLine], line_height: f32, (width, height): (u32, u32)) -> Vec<BBox> {
    let mut lines: Vec<BBox> = missed.iter().map(|m| m.bbox).collect();
    lines.sort_by_key(|b| b.y0);
    let mut regions: Vec<BBox> = Vec::new();
    for line in lines {
        let joins = |r: &BBox| {
            let shared = r.x1.min(line.x1).saturating_sub(r.x0.max(line.x0));
            2 * shared >= r.width().min(line.width()) && line.y0 as f32 <= r.y1 as f32 + 1.5 * line_height
        };
        match regions.iter_mut().find(|r| joins(r)) {
            Some(region) => *region = union(&[*region, line]),
            None => regions.push(line),
        }
    }
    let margin = (line_height / 2.0) as u32;
    regions
        .into_iter()
        .map(|r| {
            let g = grown(&r, margin);
            BBox { x1: g.x1.min(width), y1: g.y1.min(height), ..g }
        })
        .collect()
}

/// Adds the lines of `read` that the page lacks, in reading order; returns the words added.
/// A word already read is not added twice; a line is kept only when it reads with the
/// confidence of upright print (mirrored show-through and stains read far lower).
fn merge(page: &mut RecognizedPage, read: Vec<Line>) -> usize {
    let mut added = 0;
    for mut line in read {
        line.words.retain(|w| !page.words().any(|old| old.bbox.overlap(&w.bbox) * 2 > w.bbox.area()));
        if line.words.is_empty() || ocr::mean_confidence(std::slice::from_ref(&line)) < DOUBTFUL_CONFIDENCE {
            continue;
        }
        // The line's box narrows to the words kept; its baseline stays where it was.
        let kept = union(&line.words.iter().map(|w: &Word| w.bbox).collect::<Vec<_>>());
        line.baseline_offset += line.baseline_slope * (kept.x0 as f32 - line.bbox.x0 as f32);
        (line.bbox.x0, line.bbox.x1) = (kept.x0, kept.x1);
        added += line.words.len();
        insert_in_reading_order(&mut page.lines, line);
    }
    added
}

/// Puts `line` in reading order, after the line it continues (the same row, to its left)
/// or the last line above it in its column, and in that line's paragraph.
fn insert_in_reading_order(lines: &mut Vec<Line>, mut line: Line) {
    let new = line.bbox;
    let same_row =
        |l: &Line| 2 * l.bbox.y1.min(new.y1).saturating_sub(l.bbox.y0.max(new.y0)) >= l.bbox.height().min(new.height());
    let same_column = |l: &Line| l.bbox.x0 < new.x1 && new.x0 < l.bbox.x1;
    let middle = |b: &BBox| (b.y0 + b.y1) / 2;
    let continued = lines.iter().rposition(|l| same_row(l) && l.bbox.x1 <= new.x0 + new.height());
    // The text may flow on down from that line without lying over the new one (a short
    // last line over a centred page number): the new line goes where the flow reaches it.
    let above = lines.iter().rposition(|l| same_column(l) && middle(&l.bbox) < middle(&new)).map(|i| {
        let flow = lines[i..].windows(2).take_while(|pair| {
            let (line, next) = (middle(&pair[0].bbox), middle(&pair[1].bbox));
            line < next && next < middle(&new)
        });
        i + flow.count()
    });
    let below = lines.iter().position(|l| same_column(l) && middle(&l.bbox) >= middle(&new));
    // Of the line continued and the line above, the later: a row-mate in the column to the
    // left comes before the lines above in this column.
    let (at, neighbour) = match (continued.max(above), below) {
        (Some(i), _) => (i + 1, Some(i)),
        (None, Some(i)) => (i, Some(i)),
        (None, None) => (lines.len(), None),
    };
    (line.block, line.paragraph) = match neighbour {
        Some(i) => (lines[i].block, lines[i].paragraph),
        None => (lines.iter().map(|l| l.block + 1).max().unwrap_or(0), 0),
    };
    lines.insert(at, line);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{PageImage, PageOrigin, Preparation};
    use crate::testkit::fixtures::{self, texts, PageSpec};

    const DPI: f32 = 300.0;

    /// A page of Russian prose whose lower half is printed in faded ink (still darker than
    /// the paper by more than Otsu's threshold, as Tesseract would read it unprepared), its
    /// rendered text, and the row where the faded ink starts.
    fn half_faded_page() -> (GrayImage, String, u32) {
        let font = fixtures::load_font().expect("fixture font");
        let rendered = fixtures::render_page(&font, &PageSpec::small(DPI), &texts::RUSSIAN[..3]);
        let mut image = rendered.image;
        let fade_from = image.height() / 2;
        for (_, y, pixel) in image.enumerate_pixels_mut() {
            if y >= fade_from {
                pixel[0] = 255 - ((255 - pixel[0] as u32) * 5 / 9) as u8; // black ink becomes grey (114)
            }
        }
        (image, rendered.lines.join(" "), fade_from)
    }

    /// The page as a cleaner that takes everything lighter than dark grey for paper leaves it.
    fn carelessly_cleaned(scan: &GrayImage) -> PreparedPage {
        let mut ocr = scan.clone();
        ocr.pixels_mut().filter(|p| p[0] >= 100).for_each(|p| p[0] = 255);
        PreparedPage {
            origin: PageOrigin { file: "faded.png".into(), index: 0 },
            archive: PageImage::Gray(scan.clone()),
            dpi: DPI,
            ocr,
            ocr_scale: 1.0,
            preparation: Preparation::default(),
        }
    }

    /// The share of the text's words of four letters and more that `page` reads.
    fn recall(text: &str, page: &RecognizedPage) -> f32 {
        let read: Vec<String> = page.words().map(|w| w.text.to_lowercase()).collect();
        let words: Vec<String> = text
            .split_whitespace()
            .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_lowercase())
            .filter(|w| w.chars().count() >= 4)
            .collect();
        let found = words.iter().filter(|w| read.iter().any(|r| r.trim_matches(|c: char| !c.is_alphanumeric()) == *w));
        found.count() as f32 / words.len() as f32
    }

    #[test]
    fn faint_lines_a_careless_cleaner_removed_are_read_again_and_recorded() {
        let (scan, text, fade_from) = half_faded_page();
        let mut page = carelessly_cleaned(&scan);
        let mut recognized = ocr::recognize(&page, "rus").expect("recognized");
        let before = recall(&text, &recognized);
        assert!(before < 0.7, "the cleaner should have lost the faint half; read {before:.2} of the words");

        guard(&mut page, &mut recognized, "rus").expect("guarded");
        let after = recall(&text, &recognized);
        assert!(after >= 0.95, "the faint half should be read again: {after:.2} of the words read");
        let rereads = &page.preparation.rereads;
        assert!(!rereads.is_empty(), "the record should say where the page was read again");
        assert!(rereads.iter().all(|r| r.area.y1 > fade_from), "only the faint half is read again: {rereads:?}");
        assert!(rereads.iter().map(|r| r.words_added).sum::<usize>() > 0, "{rereads:?}");
        assert_eq!(page.preparation.unread_lines(), 0, "nothing should be left unread: {rereads:?}");
        let tops: Vec<u32> = recognized.lines.iter().map(|l| l.bbox.y0).collect();
        assert!(tops.is_sorted(), "lines read again should be in reading order: {tops:?}");
    }

    /// A clean page of Kazakh prose, and Tesseract's reading of it.
    fn kazakh_page_read() -> (PreparedPage, RecognizedPage) {
        let font = fixtures::load_font().expect("fixture font");
        let scan = fixtures::render_page(&font, &PageSpec::small(DPI), texts::KAZAKH).image;
        let page = carelessly_cleaned(&scan);
        let recognized = ocr::recognize(&page, "kaz").expect("recognized");
        (page, recognized)
    }

    #[test]
    fn words_dropped_from_a_line_that_was_found_are_read_again() {
        let (mut page, mut recognized) = kazakh_page_read();
        // Tesseract, failing on a stretch of a line, keeps the line's box and drops the
        // stretch's words: the second half of the longest line here.
        let longest = (0..recognized.lines.len()).max_by_key(|&i| recognized.lines[i].words.len()).expect("lines");
        let words = &mut recognized.lines[longest].words;
        assert!(words.len() >= 6, "a line of six words or more: {words:?}");
        let dropped: Vec<String> = words.split_off(words.len() / 2).into_iter().map(|w| w.text).collect();

        guard(&mut page, &mut recognized, "kaz").expect("guarded");
        let letters = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string();
        let read: Vec<String> = recognized.words().map(|w| letters(&w.text)).collect();
        let back = dropped.iter().filter(|w| read.contains(&letters(w))).count();
        assert!(back * 4 >= dropped.len() * 3, "dropped {dropped:?}, read again {back}: {read:?}");
        assert!(!page.preparation.rereads.is_empty());
    }

    /// A small page of one Kazakh paragraph with the number «124» in 12 pt type where `at`
    /// puts its top-left corner on the paragraph alone; the page and that corner.
    fn paragraph_and_number(at: impl FnOnce(&GrayImage) -> (u32, u32)) -> (GrayImage, (u32, u32)) {
        let font = fixtures::load_font().expect("fixture font");
        let spec = PageSpec::small(DPI);
        let mut scan = fixtures::render_page(&font, &spec, &texts::KAZAKH[..1]).image;
        let (x, y) = at(&scan);
        let size = ab_glyph::PxScale::from(spec.font_pt / 72.0 * DPI);
        imageproc::drawing::draw_text_mut(&mut scan, image::Luma([0]), x as i32, y as i32, size, &font, "124");
        (scan, (x, y))
    }

    #[test]
    fn a_page_number_the_reading_left_out_is_read_again() {
        // A short paragraph and, under it, the page's number centred on its own, as books
        // print it.
        // Centred: the three digits are about 60 px wide at 12 pt and 300 dpi.
        let (scan, (_, bottom)) =
            paragraph_and_number(|page| (page.width() / 2 - 30, page.height() - (0.9 * DPI) as u32));
        let mut page = carelessly_cleaned(&scan);
        let mut recognized = ocr::recognize(&page, "kaz").expect("recognized");
        // Tesseract's layout analysis sometimes takes a number standing alone on a clean
        // page for noise and leaves it out; here it is taken out of the reading.
        recognized.lines.retain(|l| l.bbox.y1 < bottom);
        assert!(recognized.words().all(|w| !w.text.contains("124")), "the number is out of the reading");

        guard(&mut page, &mut recognized, "kaz").expect("guarded");
        let read: Vec<&str> = recognized.words().map(|w| w.text.as_str()).collect();
        assert!(read.contains(&"124"), "the page number should be read again: {read:?}");
        let last = recognized.lines.last().map(|l| l.words.iter().map(|w| w.text.as_str()).collect::<Vec<_>>());
        assert_eq!(last, Some(vec!["124"]), "the number comes after the text above it");
        assert_eq!(page.preparation.rereads.len(), 1, "{:?}", page.preparation.rereads);
        let last_line = recognized.lines.iter().filter(|l| l.bbox.y1 < bottom).map(|l| l.bbox.y1).max();
        let area = page.preparation.rereads[0].area;
        assert!(last_line.is_some_and(|y| area.y0 >= y), "only the number is read again: {area:?}, {last_line:?}");
    }

    #[test]
    fn three_marks_beside_the_lines_read_are_not_read_again() {
        // Three digits at the end of the text's last line, taken out of the reading: among
        // the lines, three marks are as likely the pieces of a pencil stroke over print.
        let mut last = BBox { x0: 0, y0: 0, x1: 0, y1: 0 };
        let (scan, _) = paragraph_and_number(|paragraph| {
            let read = ocr::recognize(&carelessly_cleaned(paragraph), "kaz").expect("recognized");
            last = read.lines.last().expect("lines").bbox;
            (last.x1 + 60, last.y0)
        });
        let mut page = carelessly_cleaned(&scan);
        let mut recognized = ocr::recognize(&page, "kaz").expect("recognized");
        recognized.lines.iter_mut().for_each(|l| l.words.retain(|w| !(w.bbox.x0 > last.x1 && w.bbox.y1 > last.y0)));
        assert!(recognized.words().all(|w| !w.text.contains("124")), "the number is out of the reading");

        guard(&mut page, &mut recognized, "kaz").expect("guarded");
        assert_eq!(page.preparation.rereads, vec![], "three marks beside a line are not a line missed");
    }

    #[test]
    fn a_page_read_whole_is_not_read_again() {
        let (mut page, mut recognized) = kazakh_page_read();
        let words = recognized.word_count();
        guard(&mut page, &mut recognized, "kaz").expect("guarded");
        assert_eq!(page.preparation.rereads, vec![], "nothing was missed, so nothing is read again");
        assert_eq!(recognized.word_count(), words);
    }
}
