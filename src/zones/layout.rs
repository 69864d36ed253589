//! What a newspaper page's layout is measured by: the height of its body text, its
//! columns, its rules, boxes and pictures. Every length is a multiple of the page's own
//! body-text height, so the same reasoning holds at any resolution and type size.

use image::GrayImage;

use crate::page::{BBox, Line, RecognizedPage};

/// The height of the page's body text (Tesseract's row height, ascender to descender):
/// the row height most of the page's words are set in. Body text carries far more words
/// than headlines, captions and mastheads together, so the word-weighted median is it.
pub(crate) fn body_height(page: &RecognizedPage) -> Option<f32> {
    let mut rows: Vec<(f32, usize)> =
        page.lines.iter().filter(|l| !l.words.is_empty()).map(|l| (l.x_size, l.words.len())).collect();
    rows.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = rows.iter().map(|r| r.1).sum::<usize>().div_ceil(2);
    let mut seen = 0;
    rows.into_iter()
        .find(|r| {
            seen += r.1;
            seen >= half
        })
        .map(|r| r.0)
}

/// A headline is set clearly larger than the body: in newspapers from one and a half
/// times the body size up; or in bold (see [`bold_lines`]).
pub(crate) const HEADLINE_RATIO: f32 = 1.5;

pub(crate) fn is_headline(x_size: f32, body: f32) -> bool {
    x_size >= HEADLINE_RATIO * body
}

/// How much wider than the body text's a line's strokes must be for it to be bold. A bold
/// face's stems are about 1.5–1.8 times its regular's (DejaVu, Noto, Times, PT: a
/// typeface's weights are drawn so); a third wider lies between the two, and above what
/// regular lines differ from one another (letters and their mix, the binarized edge).
pub(crate) const BOLD_RATIO: f32 = 1.3;

/// A line's weight: the width of its strokes, in pixels, measured as twice the ink's area
/// over its outline's length (for strokes longer than they are wide, their width, whatever
/// their direction: stems, bars, bowls). Compared with the body text's on the same page,
/// it is a ratio that holds at any resolution. It is not divided by the line's row height:
/// Tesseract's row heights of body lines differ by a third from line to line, which made
/// body lines look bold; a line set a little larger in the regular weight weighs a little
/// more, not a third more.
pub(crate) fn weight(ink: &Ink, line: &Line) -> Option<f32> {
    let (area, outline) = ink.area_and_outline(line.bbox);
    (outline > 0).then(|| 2.0 * area as f32 / outline as f32)
}

/// Which of the page's lines are bold: set below headline size, but weighing at least
/// [`BOLD_RATIO`] times the body text, which is the word-weighted median weight of those
/// lines (most of them are body text). Lines set as headlines by size are left out of the
/// median, and are not called bold here; nor are lines that are not text read with
/// confidence (a letter or two Tesseract saw in a picture's dark ink weighs heavily).
pub(crate) fn bold_lines(ink: &Ink, lines: &[Line], body: f32) -> Vec<bool> {
    let text = |l: &Line| {
        let letters = l.words.iter().flat_map(|w| w.text.chars()).filter(|c| c.is_alphabetic()).count();
        let confidence = l.words.iter().map(|w| w.conf).sum::<f32>() / l.words.len().max(1) as f32;
        letters >= 2 && confidence >= 50.0
    };
    let weights: Vec<Option<f32>> =
        lines.iter().map(|l| if !text(l) || is_headline(l.x_size, body) { None } else { weight(ink, l) }).collect();
    let mut weighed: Vec<(f32, usize)> =
        weights.iter().zip(lines).filter_map(|(w, l)| Some(((*w)?, l.words.len()))).collect();
    weighed.sort_by(|a, b| a.0.total_cmp(&b.0));
    let half = weighed.iter().map(|w| w.1).sum::<usize>().div_ceil(2);
    let mut seen = 0;
    let Some((regular, _)) = weighed.into_iter().find(|w| {
        seen += w.1;
        seen >= half
    }) else {
        return vec![false; lines.len()];
    };
    weights.into_iter().map(|w| w.is_some_and(|w| w >= BOLD_RATIO * regular)).collect()
}

/// Columns: the spans across the page that body words fill, between gutters where no word
/// is. `words` are the boxes of the body text's words (headlines, which run across
/// gutters, left out); a gutter is at least half the body height wide (word spaces are
/// narrower and differ from line to line, so they do not line up down the page) and a
/// column at least four body heights (a few words).
pub(crate) fn columns(words: &[BBox], width: u32, body: f32) -> Vec<(u32, u32)> {
    let mut cover = vec![0u32; width as usize + 1];
    for w in words {
        cover[w.x0.min(width) as usize] += 1;
        cover[w.x1.min(width) as usize] = cover[w.x1.min(width) as usize].wrapping_sub(1);
    }
    // Running sum of the +1/−1 marks: words over each x.
    let mut over = 0u32;
    let filled: Vec<bool> = cover[..width as usize]
        .iter()
        .map(|d| {
            over = over.wrapping_add(*d);
            over > 0
        })
        .collect();
    let min_gutter = (0.5 * body).ceil() as usize;
    let mut spans: Vec<(u32, u32)> = Vec::new();
    let mut x = 0;
    while x < filled.len() {
        if !filled[x] {
            x += 1;
            continue;
        }
        let start = x;
        while x < filled.len() && filled[x] {
            x += 1;
        }
        match spans.last_mut() {
            Some(last) if start - last.1 as usize <= min_gutter => last.1 = x as u32,
            _ => spans.push((start as u32, x as u32)),
        }
    }
    spans.retain(|s| (s.1 - s.0) as f32 >= 4.0 * body);
    spans
}

/// The page's ink: pixels no lighter than Otsu's threshold between paper and print (and
/// clearly darker than white, for a page with hardly any print).
pub(crate) struct Ink {
    width: u32,
    height: u32,
    dark: Vec<bool>,
}

impl Ink {
    pub(crate) fn of(gray: &GrayImage) -> Ink {
        let level = imageproc::contrast::otsu_level(gray).min(200);
        Ink { width: gray.width(), height: gray.height(), dark: gray.as_raw().iter().map(|&v| v <= level).collect() }
    }

    fn at(&self, x: u32, y: u32) -> bool {
        self.dark[(y * self.width + x) as usize]
    }

    /// Dark pixels in `area`, and the length of their outline: the sides where a dark pixel
    /// meets a light one (or the edge of `area`), across and down.
    fn area_and_outline(&self, area: BBox) -> (u32, u32) {
        let (x0, x1) = (area.x0.min(self.width), area.x1.min(self.width));
        let (y0, y1) = (area.y0.min(self.height), area.y1.min(self.height));
        let dark = |x: u32, y: u32| x >= x0 && x < x1 && y >= y0 && y < y1 && self.at(x, y);
        let (mut inked, mut outline) = (0, 0);
        for y in y0..y1 {
            for x in x0..x1 {
                if dark(x, y) {
                    inked += 1;
                    // Each side counted once: from the dark pixel towards a light one.
                    let light =
                        [x == 0 || !dark(x - 1, y), !dark(x + 1, y), y == 0 || !dark(x, y - 1), !dark(x, y + 1)];
                    outline += light.iter().filter(|&&l| l).count() as u32;
                }
            }
        }
        (inked, outline)
    }

    /// Dark pixels in `area`.
    pub(crate) fn count(&self, area: BBox) -> u32 {
        let mut n = 0;
        for y in area.y0..area.y1.min(self.height) {
            let row = &self.dark[(y * self.width) as usize..((y + 1) * self.width) as usize];
            n += row[area.x0.min(self.width) as usize..area.x1.min(self.width) as usize].iter().filter(|&&d| d).count();
        }
        n as u32
    }
}

/// A long thin dark line: a separator rule, or a side of a box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rule {
    pub bbox: BBox,
    pub horizontal: bool,
}

/// Rules: straight strokes at least five body heights long and at most a third of one
/// thick. No letter makes an unbroken stroke that long (letters are spaced), and a rule is
/// thinner than the type it separates; a dark picture area, thick, is not one. Strokes a
/// little off the straight (up to the half degree deskewing leaves) are followed from row
/// to row.
pub(crate) fn rules(ink: &Ink, body: f32) -> Vec<Rule> {
    let (min_length, max_thickness) = ((5.0 * body) as u32, (body / 3.0).max(2.0));
    let across = strokes(ink.width, ink.height, body, |x, y| ink.at(x, y));
    let down = strokes(ink.height, ink.width, body, |y, x| ink.at(x, y));
    let flip = |b: BBox| BBox { x0: b.y0, y0: b.x0, x1: b.y1, y1: b.x1 };
    let thin = |(b, count): &(BBox, u32)| {
        let (long, wide) = (b.width(), b.height());
        // Half a degree of slope over the length, besides the thickness.
        long >= min_length
            && (*count as f32) <= max_thickness * long as f32
            && (wide as f32) <= max_thickness + 2.0 + long as f32 / 100.0
    };
    let mut found: Vec<Rule> =
        across.iter().filter(|s| thin(s)).map(|s| Rule { bbox: s.0, horizontal: true }).collect();
    found.extend(down.iter().filter(|s| thin(s)).map(|s| Rule { bbox: flip(s.0), horizontal: false }));
    found
}

/// Strokes along the first coordinate: runs of ink at least a body height long, joined
/// with the runs of the next line that touch them end to end or side by side. Returns each
/// stroke's box (first coordinate as x) and its ink.
fn strokes(long: u32, short: u32, body: f32, dark: impl Fn(u32, u32) -> bool) -> Vec<(BBox, u32)> {
    let min_run = body.max(4.0) as u32;
    let mut open: Vec<(BBox, u32)> = Vec::new();
    let mut done = Vec::new();
    for y in 0..short {
        let mut x = 0;
        let mut runs = Vec::new();
        while x < long {
            if !dark(x, y) {
                x += 1;
                continue;
            }
            let start = x;
            while x < long && dark(x, y) {
                x += 1;
            }
            if x - start >= min_run {
                runs.push((start, x));
            }
        }
        let mut next: Vec<(BBox, u32)> = Vec::new();
        for (x0, x1) in runs {
            let joins = |b: &BBox| b.y1 + 1 >= y && x0 <= b.x1 + 1 && x1 + 1 >= b.x0;
            let mut stroke = (BBox { x0, y0: y, x1, y1: y + 1 }, x1 - x0);
            // Strokes this run touches, in the lines before or in this one, become one.
            for list in [&mut open, &mut next] {
                let mut i = 0;
                while i < list.len() {
                    if joins(&list[i].0) {
                        let (b, n) = list.swap_remove(i);
                        stroke.0 = stroke.0.union(&b);
                        stroke.1 += n;
                    } else {
                        i += 1;
                    }
                }
            }
            next.push(stroke);
        }
        // Strokes no run of this line continued are finished.
        done.append(&mut open);
        open = next;
    }
    done.append(&mut open);
    done
}

/// Boxes drawn by rules: two horizontal rules of the same extent joined at both ends by
/// vertical ones (an advertisement's or an announcement's frame). Ends may miss each
/// other by a body height, as printed frames with rounded or broken corners do.
pub(crate) fn frames(rules: &[Rule], body: f32) -> Vec<BBox> {
    let near = |a: u32, b: u32| (a as f32 - b as f32).abs() <= body;
    let (across, down): (Vec<&Rule>, Vec<&Rule>) = rules.iter().partition(|r| r.horizontal);
    let side = |x: u32, top: BBox, bottom: BBox| {
        down.iter().any(|v| {
            near((v.bbox.x0 + v.bbox.x1) / 2, x)
                && v.bbox.y0 as f32 <= top.y1 as f32 + body
                && v.bbox.y1 as f32 + body >= bottom.y0 as f32
        })
    };
    let mut found: Vec<BBox> = Vec::new();
    for top in &across {
        // The nearest matching rule below closes the frame.
        let bottom = across
            .iter()
            .filter(|b| {
                b.bbox.y0 as f32 > top.bbox.y1 as f32 + 2.0 * body
                    && near(b.bbox.x0, top.bbox.x0)
                    && near(b.bbox.x1, top.bbox.x1)
            })
            .min_by_key(|b| b.bbox.y0);
        if let Some(bottom) = bottom {
            let (t, b) = (top.bbox, bottom.bbox);
            if side(t.x0, t, b) && side(t.x1, t, b) {
                let frame = t.union(&b);
                if !found.iter().any(|f| f.overlap(&frame) > 0) {
                    found.push(frame);
                }
            }
        }
    }
    found
}

/// Pictures: regions at least four body heights each way where the page has ink but no
/// word was read with confidence, mostly filled. Found on a grid of cells one body height
/// square; the cells of confident words and of rules are text and lines, not picture.
pub(crate) fn pictures(ink: &Ink, page: &RecognizedPage, rules: &[Rule], body: f32) -> Vec<BBox> {
    let cell = body.max(4.0).round() as u32;
    let (cols, rows) = (ink.width.div_ceil(cell), ink.height.div_ceil(cell));
    let mut taken = vec![false; (cols * rows) as usize];
    let mut mark = |b: BBox| {
        for r in b.y0 / cell..b.y1.div_ceil(cell).min(rows) {
            for c in b.x0 / cell..b.x1.div_ceil(cell).min(cols) {
                taken[(r * cols + c) as usize] = true;
            }
        }
    };
    page.words().filter(|w| w.conf >= 50.0).for_each(|w| mark(w.bbox));
    rules.iter().for_each(|r| mark(r.bbox));
    let inked: Vec<bool> = (0..rows * cols)
        .map(|i| {
            let (c, r) = (i % cols, i / cols);
            let b = BBox {
                x0: c * cell,
                y0: r * cell,
                x1: ((c + 1) * cell).min(ink.width),
                y1: ((r + 1) * cell).min(ink.height),
            };
            // A tenth of the cell inked: more than specks of dirt or noise.
            !taken[i as usize] && ink.count(b) as u64 * 10 >= b.area()
        })
        .collect();
    let mut seen = vec![false; inked.len()];
    let mut found = Vec::new();
    for start in 0..inked.len() {
        if !inked[start] || seen[start] {
            continue;
        }
        let (mut stack, mut cells) = (vec![start], 0u32);
        seen[start] = true;
        let (mut c0, mut r0, mut c1, mut r1) = (u32::MAX, u32::MAX, 0, 0);
        while let Some(i) = stack.pop() {
            let (c, r) = (i as u32 % cols, i as u32 / cols);
            cells += 1;
            (c0, r0, c1, r1) = (c0.min(c), r0.min(r), c1.max(c + 1), r1.max(r + 1));
            let mut visit = |j: usize| {
                if inked[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if c > 0 {
                visit(i - 1);
            }
            if c + 1 < cols {
                visit(i + 1);
            }
            if r > 0 {
                visit(i - cols as usize);
            }
            if r + 1 < rows {
                visit(i + cols as usize);
            }
        }
        let (w, h) = (c1 - c0, r1 - r0);
        if w >= 4 && h >= 4 && cells * 2 >= w * h {
            found.push(BBox {
                x0: c0 * cell,
                y0: r0 * cell,
                x1: (c1 * cell).min(ink.width),
                y1: (r1 * cell).min(ink.height),
            });
        }
    }
    found
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::page::{Line, Word};
    use image::Luma;

    /// A line of words spanning `words` (x ranges) at `y0`, `x_size` high.
    pub(crate) fn line(x0: u32, y0: u32, x_size: f32, words: &[(u32, u32)]) -> Line {
        let height = x_size as u32;
        let words: Vec<Word> = words
            .iter()
            .map(|&(a, b)| Word { text: "сөз".into(), bbox: BBox { x0: a, y0, x1: b, y1: y0 + height }, conf: 90.0 })
            .collect();
        let x1 = words.last().map_or(x0, |w| w.bbox.x1);
        Line {
            bbox: BBox { x0, y0, x1, y1: y0 + height },
            baseline_slope: 0.0,
            baseline_offset: 0.0,
            x_size,
            x_descenders: 0.0,
            block: 0,
            paragraph: 0,
            corrected: false,
            words,
        }
    }

    pub(crate) fn page(lines: Vec<Line>) -> RecognizedPage {
        RecognizedPage {
            width: 1000,
            height: 1000,
            dpi: 300.0,
            lines,
            mean_conf: 90.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        }
    }

    #[test]
    fn body_height_is_what_most_words_are_set_in() {
        let mut lines = vec![line(0, 0, 80.0, &[(0, 200), (210, 400)])];
        lines.extend((0..10).map(|i| line(0, 100 + 30 * i, 24.0, &[(0, 40), (50, 90), (100, 140)])));
        lines.push(line(0, 500, 18.0, &[(0, 40)]));
        assert_eq!(body_height(&page(lines)), Some(24.0));
        assert_eq!(body_height(&page(Vec::new())), None);
        assert!(is_headline(80.0, 24.0));
        assert!(!is_headline(30.0, 24.0), "a little larger is not a headline");
    }

    /// A line of `text` drawn in DejaVu face `face` at `size` px on `image` at `top`, as
    /// Tesseract would give it: its ink's box, its row height the type size.
    fn drawn(image: &mut GrayImage, face: &str, size: f32, top: u32, text: &str) -> Line {
        let path = format!("/usr/share/fonts/truetype/dejavu/{face}");
        let font = ab_glyph::FontVec::try_from_vec(std::fs::read(&path).expect(&path)).unwrap();
        imageproc::drawing::draw_text_mut(image, Luma([0]), 10, top as i32, ab_glyph::PxScale::from(size), &font, text);
        let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
        for (x, y, p) in image.enumerate_pixels() {
            if p[0] < 128 && y >= top && (y as f32) < top as f32 + 1.5 * size {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
        Line { x_size: size, ..line(x0, y0, (y1 - y0) as f32, &[(x0, x1)]) }
    }

    #[test]
    fn a_bold_line_is_told_from_the_body_by_weight_in_any_face_and_resolution() {
        let body_text = "Қаланың тарихы туралы өлкетанушылар жаңа кітап жазды";
        for (regular, bold, body) in [
            ("DejaVuSerif.ttf", "DejaVuSerif-Bold.ttf", 25.0),
            ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", 40.0),
            ("DejaVuSansCondensed.ttf", "DejaVuSansCondensed-Bold.ttf", 33.0),
        ] {
            let mut image = white(1400, 20 * body as u32);
            let pitch = (1.3 * body) as u32;
            let mut lines: Vec<Line> = (0..8).map(|n| drawn(&mut image, regular, body, n * pitch, body_text)).collect();
            lines.push(drawn(&mut image, bold, body, 9 * pitch, "Өңір жаңалықтары"));
            lines.push(drawn(&mut image, bold, 1.15 * body, 11 * pitch, "Ғылым күні"));
            // A line a little larger in the regular face is not bold.
            lines.push(drawn(&mut image, regular, 1.2 * body, 13 * pitch, "Ұлы дала елі"));
            let ink = Ink::of(&image);
            let weights: Vec<f32> = lines.iter().map(|l| weight(&ink, l).unwrap()).collect();
            let bold_found = bold_lines(&ink, &lines, body);
            let expected: Vec<bool> = (0..lines.len()).map(|n| n == 8 || n == 9).collect();
            assert_eq!(bold_found, expected, "{regular} at {body} px: weights {weights:?}");
        }
    }

    #[test]
    fn columns_are_spans_between_gutters_that_run_down_the_page() {
        // Two columns 300 px wide with a 30 px gutter; word spaces (10 px) differ per line.
        let mut words = Vec::new();
        for row in 0..20u32 {
            let shift = (row * 37) % 50;
            for start in [0u32, 330] {
                words.push(BBox { x0: start, y0: row * 30, x1: start + 60 + shift, y1: row * 30 + 20 });
                words.push(BBox { x0: start + 70 + shift, y0: row * 30, x1: start + 300, y1: row * 30 + 20 });
            }
        }
        assert_eq!(columns(&words, 700, 24.0), vec![(0, 300), (330, 630)]);
        // A gutter narrower than half the body height is a word space.
        assert_eq!(columns(&words, 700, 80.0), vec![(0, 630)]);
    }

    fn white(w: u32, h: u32) -> GrayImage {
        GrayImage::from_pixel(w, h, Luma([255]))
    }

    fn fill(image: &mut GrayImage, b: BBox) {
        for y in b.y0..b.y1 {
            for x in b.x0..b.x1 {
                image.put_pixel(x, y, Luma([0]));
            }
        }
    }

    #[test]
    fn rules_are_long_thin_strokes_even_slightly_sloped() {
        let mut image = white(800, 600);
        fill(&mut image, BBox { x0: 50, y0: 100, x1: 750, y1: 103 });
        // Sloped: one pixel down every 200.
        for x in 50..750 {
            let y = 300 + (x - 50) / 200;
            fill(&mut image, BBox { x0: x, y0: y, x1: x + 1, y1: y + 3 });
        }
        fill(&mut image, BBox { x0: 400, y0: 120, x1: 403, y1: 280 });
        // A thick block is no rule; nor are letter-sized marks.
        fill(&mut image, BBox { x0: 50, y0: 400, x1: 400, y1: 480 });
        for x in (50..750).step_by(20) {
            fill(&mut image, BBox { x0: x, y0: 520, x1: x + 12, y1: 540 });
        }
        let found = rules(&Ink::of(&image), 24.0);
        let mut across: Vec<BBox> = found.iter().filter(|r| r.horizontal).map(|r| r.bbox).collect();
        across.sort_by_key(|b| b.y0);
        assert_eq!(
            across,
            vec![BBox { x0: 50, y0: 100, x1: 750, y1: 103 }, BBox { x0: 50, y0: 300, x1: 750, y1: 306 }]
        );
        let down: Vec<BBox> = found.iter().filter(|r| !r.horizontal).map(|r| r.bbox).collect();
        assert_eq!(down, vec![BBox { x0: 400, y0: 120, x1: 403, y1: 280 }]);
    }

    #[test]
    fn a_frame_is_four_rules_meeting_at_the_corners() {
        let mut image = white(800, 600);
        let (x0, y0, x1, y1) = (100, 100, 500, 400);
        fill(&mut image, BBox { x0, y0, x1, y1: y0 + 3 });
        fill(&mut image, BBox { x0, y0: y1 - 3, x1, y1 });
        fill(&mut image, BBox { x0, y0: y0 + 6, x1: x0 + 3, y1: y1 - 6 });
        fill(&mut image, BBox { x0: x1 - 3, y0: y0 + 6, x1, y1: y1 - 6 });
        // Two rules without sides are separators, not a frame.
        fill(&mut image, BBox { x0: 100, y0: 450, x1: 500, y1: 453 });
        fill(&mut image, BBox { x0: 100, y0: 560, x1: 500, y1: 563 });
        let found = rules(&Ink::of(&image), 24.0);
        assert_eq!(frames(&found, 24.0), vec![BBox { x0, y0, x1, y1 }]);
    }

    #[test]
    fn a_picture_is_ink_where_no_word_was_read() {
        let mut image = white(800, 600);
        // A halftone-like picture: dots on every other pixel.
        for y in (200..400).step_by(2) {
            for x in (100..400).step_by(2) {
                image.put_pixel(x, y, Luma([0]));
            }
        }
        // Text that was read is not a picture.
        fill(&mut image, BBox { x0: 500, y0: 200, x1: 700, y1: 220 });
        let read = page(vec![line(500, 200, 24.0, &[(500, 700)])]);
        let found = pictures(&Ink::of(&image), &read, &[], 24.0);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].iou(&BBox { x0: 100, y0: 200, x1: 400, y1: 400 }) > 0.8, "{found:?}");
    }
}
