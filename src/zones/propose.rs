//! Proposing a newspaper page's article zones from its layout.
//!
//! The page is cut into column blocks: in each column, the text from one headline, rule,
//! box or picture to the next, or to a blank of more than a body line. A block that begins
//! with a headline begins an article, and the blocks that the same headline tops in the
//! other columns it spans belong to it. A block with no headline of its own that starts
//! level with an article's headline in the column to its left continues that article (a
//! headline shorter than the article is wide: the text flows on beside its end). What is
//! left has no headline: it becomes a zone of its own and is said so, for the bibliographer
//! to join, rather than guessed onto a neighbour.

use image::GrayImage;

use super::layout::{self, Ink, Rule};
use super::{Zone, ZoneKind};
use crate::page::{BBox, Line, RecognizedPage, Word};

/// A page's proposed zones, numbered in reading order, and what the bibliographer should
/// check.
#[derive(Clone, Debug, Default)]
pub(crate) struct Proposal {
    pub zones: Vec<Zone>,
    /// Each article's zone numbers, in reading order; an article without a headline
    /// found has `false`.
    pub articles: Vec<(Vec<u32>, bool)>,
    pub notes: Vec<String>,
}

/// A line's words in one column.
#[derive(Clone, Debug)]
struct Piece {
    bbox: BBox,
    /// The headline this piece is part of, if it is one.
    headline: Option<usize>,
}

/// Consecutive pieces of one column.
#[derive(Clone, Debug)]
struct Block {
    column: usize,
    bbox: BBox,
    headline: Option<usize>,
    article: Option<usize>,
}

/// Proposes the article zones of a prepared page (`gray`: its image) from its reading.
pub(crate) fn propose(gray: &GrayImage, page: &RecognizedPage) -> Proposal {
    let mut proposal = Proposal::default();
    let Some(body) = layout::body_height(page) else {
        proposal.notes.push("no text was read on this page: no zones".into());
        return proposal;
    };
    let ink = Ink::of(gray);
    let rules = layout::rules(&ink, body);
    let page = &RecognizedPage { lines: split_headlines(page, &rules, body), ..page.clone() };
    let frames = layout::frames(&rules, body);
    let pictures = layout::pictures(&ink, page, &rules, body);
    let inside = |b: BBox, regions: &[BBox]| regions.iter().any(|r| b.overlap(r) * 2 > b.area());

    // The masthead: what is above a rule across most of the page near its top.
    let masthead_rule = rules
        .iter()
        .filter(|r| r.horizontal && r.bbox.width() * 10 >= page.width * 6 && r.bbox.y1 * 4 <= page.height)
        .min_by_key(|r| r.bbox.y0);
    let masthead = masthead_rule.and_then(|rule| {
        let above =
            page.lines.iter().filter(|l| l.bbox.y1 <= rule.bbox.y0).map(|l| l.bbox).reduce(|a, b| a.union(&b))?;
        Some(above.union(&BBox { y1: above.y1, ..rule.bbox }))
    });
    let taken: Vec<BBox> = frames.iter().chain(&pictures).chain(masthead.iter()).copied().collect();

    // Headlines: lines set clearly larger than the body or in bold, run together when one
    // follows another within a line's height, or stands beside another a word space away
    // (Tesseract reads a headline over two columns as two lines at times).
    let lines: Vec<(usize, &Line)> =
        page.lines.iter().enumerate().filter(|(_, l)| !l.words.is_empty() && !inside(l.bbox, &taken)).collect();
    let bold = layout::bold_lines(&ink, &page.lines, body);
    let mut headlines: Vec<Vec<usize>> = Vec::new();
    let mut headline_of = vec![None; page.lines.len()];
    for &(i, line) in lines.iter().filter(|(i, l)| bold[*i] || layout::is_headline(l.x_size, body)) {
        let joined = headlines.iter().position(|h| {
            let last = &page.lines[*h.last().expect("a headline has lines")];
            let gap = line.bbox.y0 as f32 - last.bbox.y1 as f32;
            let below = gap >= -(line.x_size / 2.0)
                && gap <= line.x_size
                && line.bbox.x0 < last.bbox.x1
                && line.bbox.x1 > last.bbox.x0;
            let level = line.bbox.y0.max(last.bbox.y0) < line.bbox.y1.min(last.bbox.y1);
            let space = line.bbox.x0.max(last.bbox.x0).saturating_sub(line.bbox.x1.min(last.bbox.x1));
            below
                || (level && (space as f32) <= WORD_SPACE * line.x_size && !ruled_between(&rules, line.bbox, last.bbox))
        });
        let h = joined.unwrap_or_else(|| {
            headlines.push(Vec::new());
            headlines.len() - 1
        });
        headlines[h].push(i);
        headline_of[i] = Some(h);
    }

    // Pictures with their captions, whose lines are then no article's.
    let pictures: Vec<BBox> = pictures.iter().map(|p| with_caption(*p, &lines, &headline_of, body)).collect();
    let lines: Vec<(usize, &Line)> = lines.into_iter().filter(|(_, l)| !inside(l.bbox, &pictures)).collect();
    let taken: Vec<BBox> = taken.into_iter().chain(pictures.iter().copied()).collect();

    let body_words: Vec<BBox> = lines
        .iter()
        .filter(|(i, _)| headline_of[*i].is_none())
        .flat_map(|(_, l)| l.words.iter().map(|w| w.bbox))
        .collect();
    let columns = layout::columns(&body_words, page.width, body);
    if columns.is_empty() {
        proposal.notes.push("no columns of text found: no article zones".into());
    }
    // Each word goes to the column its middle is nearest.
    let column_of = |b: &BBox| {
        let middle = (b.x0 + b.x1) / 2;
        let distance = |c: &(u32, u32)| if middle < c.0 { c.0 - middle } else { middle.saturating_sub(c.1) };
        (0..columns.len()).min_by_key(|&c| distance(&columns[c]))
    };
    let mut pieces: Vec<Vec<Piece>> = vec![Vec::new(); columns.len()];
    for &(i, line) in &lines {
        let mut parts: Vec<Option<BBox>> = vec![None; columns.len()];
        for word in &line.words {
            if let Some(c) = column_of(&word.bbox) {
                parts[c] = Some(parts[c].map_or(word.bbox, |b| b.union(&word.bbox)));
            }
        }
        for (c, part) in parts.into_iter().enumerate() {
            if let Some(bbox) = part {
                pieces[c].push(Piece { bbox, headline: headline_of[i] });
            }
        }
    }

    let separators: Vec<BBox> =
        rules.iter().filter(|r| r.horizontal).map(|r: &Rule| r.bbox).chain(taken.iter().copied()).collect();
    let mut blocks = Vec::new();
    for (c, column) in pieces.iter_mut().enumerate() {
        column.sort_by_key(|p| p.bbox.y0);
        let span = columns[c];
        let crosses = |from: u32, to: u32| {
            separators.iter().any(|s| {
                let overlap = s.x1.min(span.1).saturating_sub(s.x0.max(span.0));
                overlap * 2 >= span.1 - span.0 && s.y0 + 1 >= from && s.y1 <= to + 1
            })
        };
        let mut current: Option<Block> = None;
        let mut last: Option<&Piece> = None;
        for piece in column.iter() {
            let breaks = match (last, &current) {
                (Some(prev), Some(_)) => {
                    let starts_headline = piece.headline.is_some() && piece.headline != prev.headline;
                    // A blank of more than a body line between body lines ends a block (a
                    // line pitch is about 1.2 body heights, so one line Tesseract missed
                    // does not); the space under a headline does not.
                    let blank = prev.headline.is_none()
                        && piece.headline.is_none()
                        && piece.bbox.y0 as f32 - prev.bbox.y1 as f32 > 1.5 * body;
                    starts_headline || blank || crosses(prev.bbox.y1, piece.bbox.y0)
                }
                _ => true,
            };
            if breaks {
                blocks.extend(current.take());
                current = Some(Block { column: c, bbox: piece.bbox, headline: piece.headline, article: None });
            } else if let Some(block) = current.as_mut() {
                block.bbox = block.bbox.union(&piece.bbox);
            }
            last = Some(piece);
        }
        blocks.extend(current);
    }

    // Articles: one per headline; blocks without one join the article level with them in
    // the column to their left, if any.
    let headline_box =
        |h: usize| headlines[h].iter().map(|&i| page.lines[i].bbox).reduce(|a, b| a.union(&b)).expect("lines");
    for block in &mut blocks {
        block.article = block.headline;
    }
    let mut articles: Vec<Option<usize>> = headlines.iter().enumerate().map(|(h, _)| Some(h)).collect();
    blocks.sort_by_key(|b| (b.column, b.bbox.y0));
    for b in 0..blocks.len() {
        if blocks[b].article.is_some() {
            continue;
        }
        let me = blocks[b].bbox;
        let level = blocks[..b].iter().filter(|l| l.column + 1 == blocks[b].column).find_map(|left| {
            let h = left.article.filter(|&a| a < headlines.len())?;
            let top = headline_box(h);
            let overlaps = left.bbox.y1 > me.y0 && left.bbox.y0 < me.y1;
            (overlaps && me.y0 as f32 + body >= top.y0 as f32 && me.y0 as f32 <= top.y1 as f32 + 2.0 * body)
                .then_some(h)
        });
        blocks[b].article = Some(level.unwrap_or_else(|| {
            articles.push(None);
            articles.len() - 1
        }));
    }
    if headlines.is_empty() && !blocks.is_empty() {
        proposal.notes.push("no headline found: one zone per column block, join them into articles by hand".into());
    }
    let untitled = articles.iter().filter(|a| a.is_none()).count();
    if !headlines.is_empty() && untitled > 0 {
        proposal.notes.push(format!("{untitled} block(s) of text with no headline above them, each a zone of its own"));
    }

    // Zones: an article's blocks as one box, unless that box would take in another's text
    // (an article that is not a rectangle); then a zone per block.
    let mut zones: Vec<(BBox, ZoneKind, Option<String>, Option<usize>)> = Vec::new();
    if let Some(m) = masthead {
        zones.push((m, ZoneKind::Masthead, None, None));
    }
    for (a, headline) in articles.iter().enumerate() {
        let mine: Vec<BBox> = blocks.iter().filter(|b| b.article == Some(a)).map(|b| b.bbox).collect();
        let Some(whole) = mine.iter().copied().reduce(|a, b| a.union(&b)) else { continue };
        let whole = headline.map_or(whole, |h| whole.union(&headline_box(h)));
        let text = headline.map(|h| headlines[h].iter().map(|&i| page.lines[i].text()).collect::<Vec<_>>().join(" "));
        let clashes =
            blocks.iter().filter(|b| b.article != Some(a)).any(|b| b.bbox.overlap(&whole) * 4 > b.bbox.area());
        if clashes {
            for (n, part) in mine.into_iter().enumerate() {
                zones.push((part, ZoneKind::Article, if n == 0 { text.clone() } else { None }, Some(a)));
            }
        } else {
            zones.push((whole, ZoneKind::Article, text, Some(a)));
        }
    }
    zones.extend(frames.iter().map(|f| (*f, ZoneKind::Advertisement, None, None)));
    zones.extend(pictures.iter().map(|p| (*p, ZoneKind::Picture, None, None)));

    // Reading order: the masthead, then down each column from the left, a zone counted in
    // the column it starts in.
    let column_index = |b: &BBox| columns.iter().position(|c| b.x0 + (body as u32) < c.1).unwrap_or(columns.len());
    zones.sort_by_key(|(b, kind, _, _)| (*kind != ZoneKind::Masthead, column_index(b), b.y0));
    let mut numbers: Vec<Vec<u32>> = vec![Vec::new(); articles.len()];
    for (n, (bbox, kind, headline, article)) in zones.into_iter().enumerate() {
        let number = n as u32 + 1;
        if let Some(a) = article {
            numbers[a].push(number);
        }
        proposal.zones.push(Zone { number, bbox, kind, headline });
    }
    proposal.articles = numbers.into_iter().zip(&articles).map(|(zones, h)| (zones, h.is_some())).collect();
    proposal.articles.retain(|(zones, _)| !zones.is_empty());
    proposal.articles.sort_by_key(|(zones, _)| zones[0]);
    proposal
}

/// The widest a word space is, in type heights: about a third of the type size, and
/// headlines are not justified (Tesseract's row height is a little over the type size).
const WORD_SPACE: f32 = 0.6;

/// Whether a vertical rule stands between boxes `left` and `right` of one line.
fn ruled_between(rules: &[Rule], left: BBox, right: BBox) -> bool {
    let (left, right) = if left.x0 <= right.x0 { (left, right) } else { (right, left) };
    rules.iter().any(|r| {
        !r.horizontal && r.bbox.x0 >= left.x1 && r.bbox.x1 <= right.x0 && r.bbox.y0 < left.y1 && r.bbox.y1 > left.y0
    })
}

/// Headline lines cut where Tesseract ran the headlines of neighbouring columns together:
/// at a vertical rule, or at a gap wider than a word space could be.
fn split_headlines(page: &RecognizedPage, rules: &[Rule], body: f32) -> Vec<Line> {
    let part = |line: &Line, words: Vec<Word>| {
        let bbox = words.iter().map(|w| w.bbox).reduce(|a, b| a.union(&b)).unwrap_or(line.bbox);
        Line { bbox, words, ..line.clone() }
    };
    let mut out = Vec::new();
    for line in &page.lines {
        if !layout::is_headline(line.x_size, body) {
            out.push(line.clone());
            continue;
        }
        let mut words = line.words.clone();
        words.sort_by_key(|w| w.bbox.x0);
        let mut current: Vec<Word> = Vec::new();
        for word in words {
            if let Some(previous) = current.last() {
                let gap = word.bbox.x0.saturating_sub(previous.bbox.x1) as f32;
                if ruled_between(rules, previous.bbox, word.bbox) || gap > WORD_SPACE * line.x_size {
                    out.push(part(line, std::mem::take(&mut current)));
                }
            }
            current.push(word);
        }
        out.push(part(line, current));
    }
    out
}

/// A picture with its caption: the body-sized lines right under it and within its width,
/// up to a blank or a headline.
fn with_caption(picture: BBox, lines: &[(usize, &Line)], headline_of: &[Option<usize>], body: f32) -> BBox {
    let mut zone = picture;
    let mut under: Vec<&(usize, &Line)> = lines
        .iter()
        .filter(|(i, l)| {
            headline_of[*i].is_none()
                && l.bbox.y0 >= picture.y0
                && l.bbox.x0 as f32 + body >= picture.x0 as f32
                && l.bbox.x1 as f32 <= picture.x1 as f32 + body
        })
        .collect();
    under.sort_by_key(|(_, l)| l.bbox.y0);
    for (_, line) in under {
        if line.bbox.y0 as f32 > zone.y1 as f32 + body {
            break;
        }
        zone = zone.union(&line.bbox);
    }
    zone
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::zones::layout::tests::{line, page};
    use image::Luma;

    /// Body lines 24 px high down a column from `top`, `rows` of them.
    fn body(x0: u32, top: u32, rows: u32) -> Vec<Line> {
        (0..rows).map(|r| line(x0, top + 30 * r, 24.0, &[(x0, x0 + 120), (x0 + 130, x0 + 300)])).collect()
    }

    #[test]
    fn an_article_runs_on_beside_the_end_of_its_headline_and_stops_at_the_next() {
        // Columns at 0–300 and 340–640. Article A's headline covers column 1 only, its text
        // runs on in column 2 level with it; article B below in column 1 has its own.
        let mut lines = vec![line(0, 0, 60.0, &[(0, 140), (150, 290)])];
        lines.extend(body(0, 80, 10));
        lines.extend(body(340, 0, 13));
        lines.push(line(0, 420, 60.0, &[(0, 200)]));
        lines.extend(body(0, 500, 8));
        let read = RecognizedPage { height: 800, ..page(lines) };
        let proposal = propose(&GrayImage::from_pixel(1000, 800, Luma([255])), &read);
        let articles: Vec<BBox> = proposal
            .articles
            .iter()
            .map(|(zones, titled)| {
                assert!(*titled);
                zones.iter().map(|n| proposal.zones[*n as usize - 1].bbox).reduce(|a, b| a.union(&b)).unwrap()
            })
            .collect();
        assert_eq!(
            articles,
            vec![BBox { x0: 0, y0: 0, x1: 640, y1: 384 }, BBox { x0: 0, y0: 420, x1: 300, y1: 734 }],
            "{proposal:?}"
        );
        assert_eq!(proposal.zones[0].headline.as_deref(), Some("сөз сөз"));
        assert!(proposal.notes.is_empty(), "{:?}", proposal.notes);
    }

    #[test]
    fn without_headlines_each_column_block_is_a_zone_and_said_so() {
        let mut lines = body(0, 0, 10);
        lines.extend(body(340, 0, 10));
        let proposal = propose(&GrayImage::from_pixel(1000, 800, Luma([255])), &page(lines));
        assert_eq!(proposal.articles.len(), 2);
        assert!(proposal.articles.iter().all(|(_, titled)| !titled));
        assert!(proposal.notes[0].contains("no headline"), "{:?}", proposal.notes);
    }
}
