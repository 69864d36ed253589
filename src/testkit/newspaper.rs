//! Synthetic newspaper issues with known article boxes, to measure `olke zones` against.
//!
//! Pages are laid out as small-town papers are: a masthead, then bands across the page,
//! each divided into items one to all columns wide (articles under a headline that may be
//! shorter than the article is wide, pictures with captions, boxed advertisements), with
//! or without rules between them. An issue has two pages, and one article of page 1 ends
//! on page 2 ("Соңы 2-бетте" / "Окончание на стр. 2"). Two to five columns, several
//! typefaces, 200 or 300 dpi, up to a degree of skew and some noise. The truth is each
//! item's box on its page: the ink of what was drawn for it, before skew and noise.
//!
//! Issues from seed [`BOLD_SEEDS`] on also set about half their headlines in bold at (or
//! a little over) the body size, as short news items are: told from the body by weight
//! alone. Issues of lower seeds are made exactly as before that variant existed.

use std::path::Path;

use ab_glyph::{Font, FontVec, PxScale, ScaleFont};
use image::{GrayImage, Luma};
use serde::{Deserialize, Serialize};

use super::fixtures::{texts, wrap};
use crate::page::BBox;

/// A small deterministic random source (SplitMix64): pages are made again from their seed.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x5DEE_CE66)
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn between(&mut self, low: f32, high: f32) -> f32 {
        low + (high - low) * (self.next() >> 40) as f32 / (1u64 << 24) as f32
    }

    fn chance(&mut self, p: f32) -> bool {
        self.between(0.0, 1.0) < p
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TruthKind {
    Article,
    Picture,
    Advertisement,
    Masthead,
}

/// What is on a page where, as drawn.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TruthZone {
    pub kind: TruthKind,
    pub bbox: BBox,
    /// The article's number in the issue: the same on both pages for the continued one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub article: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

pub struct NewspaperPage {
    pub image: GrayImage,
    pub dpi: f32,
    pub truth: Vec<TruthZone>,
}

/// The typefaces pages are set in: DejaVu's serif and sans, normal and condensed.
pub struct Fonts {
    body: Vec<FontVec>,
    bold: Vec<FontVec>,
    italic: Vec<FontVec>,
}

impl Fonts {
    pub fn load() -> Result<Fonts, String> {
        let dir = Path::new("/usr/share/fonts/truetype/dejavu");
        let load = |names: &[&str]| -> Result<Vec<FontVec>, String> {
            names
                .iter()
                .map(|name| {
                    let path = dir.join(name);
                    let bytes = std::fs::read(&path).map_err(|e| {
                        format!("{}: {e} (apt-get install fonts-dejavu-core fonts-dejavu-extra)", path.display())
                    })?;
                    FontVec::try_from_vec(bytes).map_err(|e| format!("{}: {e}", path.display()))
                })
                .collect()
        };
        Ok(Fonts {
            body: load(&["DejaVuSerif.ttf", "DejaVuSans.ttf", "DejaVuSerifCondensed.ttf", "DejaVuSansCondensed.ttf"])?,
            bold: load(&["DejaVuSerif-Bold.ttf", "DejaVuSans-Bold.ttf", "DejaVuSansCondensed-Bold.ttf"])?,
            italic: load(&["DejaVuSerif-Italic.ttf", "DejaVuSans-Oblique.ttf"])?,
        })
    }
}

/// Sentences articles are made of.
pub struct Prose {
    kazakh: Vec<String>,
    russian: Vec<String>,
}

impl Prose {
    /// The `# text =` sentences of the CoNLL-U files in `treebank` (the Kazakh UD
    /// treebank), with the project's own Kazakh and Russian prose; the project's alone when
    /// `treebank` is not there.
    pub fn load(treebank: &Path) -> Prose {
        let split = |paragraphs: &[&str]| -> Vec<String> {
            paragraphs.iter().flat_map(|p| p.split_inclusive(". ")).map(|s| s.trim().to_string()).collect()
        };
        let mut kazakh = split(texts::KAZAKH);
        for entry in std::fs::read_dir(treebank).into_iter().flatten().flatten() {
            if entry.path().extension().is_some_and(|e| e == "conllu") {
                let text = std::fs::read_to_string(entry.path()).unwrap_or_default();
                kazakh.extend(text.lines().filter_map(|l| l.strip_prefix("# text = ")).map(str::to_string));
            }
        }
        Prose { kazakh, russian: split(texts::RUSSIAN) }
    }
}

/// What all pages of an issue share.
struct Paper<'a> {
    title: &'a str,
    body_size_headlines: bool,
}

/// How one page is set.
struct Style<'a> {
    dpi: f32,
    column_width: f32,
    gutter: f32,
    margin: f32,
    body: &'a FontVec,
    body_px: f32,
    leading: f32,
    rules: bool,
    kazakh: bool,
    /// Whether headlines may be set at body size, in bold (issues from [`BOLD_SEEDS`]).
    body_size_headlines: bool,
}

impl Style<'_> {
    fn column_x(&self, c: u32) -> f32 {
        self.margin + c as f32 * (self.column_width + self.gutter)
    }
}

/// Where an item goes: `span` columns from column `first`, and their box on the page.
#[derive(Clone, Copy)]
struct Slot {
    first: u32,
    span: u32,
    area: BBox,
}

/// An article being set: its text, and where it stands.
struct Article {
    number: usize,
    headline: String,
    paragraphs: Vec<String>,
    kazakh: bool,
}

/// The first seed of the issues whose headlines are often bold at body size.
pub const BOLD_SEEDS: u64 = 1000;

/// Page size: A3 folded, as district papers print (A4).
const PAGE_IN: (f32, f32) = (8.27, 11.69);

/// The two pages of issue `seed`.
pub fn issue(seed: u64, fonts: &Fonts, prose: &Prose) -> Vec<NewspaperPage> {
    let mut rng = Rng::new(seed);
    let title = *rng.pick(&["«Балқаш өңірі»", "«Пульс»"]);
    let mut articles = 0;
    let paper = Paper { title, body_size_headlines: seed >= BOLD_SEEDS };
    let (first, continued) = page(&mut rng, fonts, prose, &paper, 1, None, &mut articles);
    let (second, _) = page(&mut rng, fonts, prose, &paper, 2, continued, &mut articles);
    vec![first, second]
}

/// Sets page `number`; on page 1 the last article is cut short and handed back, to end on
/// the next page.
fn page(
    rng: &mut Rng,
    fonts: &Fonts,
    prose: &Prose,
    paper: &Paper,
    number: u32,
    continued: Option<Article>,
    articles: &mut usize,
) -> (NewspaperPage, Option<Article>) {
    let title = paper.title;
    let dpi = if rng.chance(0.5) { 300.0 } else { 200.0 };
    let (width, height) = ((PAGE_IN.0 * dpi).round() as u32, (PAGE_IN.1 * dpi).round() as u32);
    let columns = 2 + rng.below(4) as u32;
    let body_pt = [10.0, 10.0, 10.0, 9.0, 8.5][columns as usize - 1] + rng.between(-0.5, 0.5);
    let margin = 0.45 * dpi;
    let gutter = 0.2 * dpi;
    let column_width = (width as f32 - 2.0 * margin - (columns - 1) as f32 * gutter) / columns as f32;
    let body_px = body_pt / 72.0 * dpi;
    let style = Style {
        dpi,
        column_width,
        gutter,
        margin,
        body: rng.pick(&fonts.body),
        body_px,
        leading: body_px * rng.between(1.15, 1.3),
        rules: rng.chance(0.5),
        kazakh: rng.chance(0.7),
        body_size_headlines: paper.body_size_headlines,
    };
    let mut image = GrayImage::from_pixel(width, height, Luma([255]));
    let mut truth = Vec::new();

    // The masthead: the paper's title large on page 1, a running head on the others, and a
    // rule across under it.
    let mut y = margin;
    let head_size = if number == 1 { 0.45 * dpi } else { body_px };
    let head = if number == 1 { title.to_string() } else { format!("{title} · {number}-бет") };
    let bold = rng.pick(&fonts.bold);
    draw_centred(&mut image, bold, head_size, &head, width as f32 / 2.0, y);
    y += head_size * 1.25;
    if number == 1 {
        let line = if style.kazakh {
            "№ 12 (4567) · 1998 жылғы 14 наурыз · Жұма"
        } else {
            "№ 12 (4567) · 14 марта 1998 года · пятница"
        };
        draw_centred(&mut image, style.body, body_px, line, width as f32 / 2.0, y);
        y += body_px * 1.4;
    }
    let thick = (0.02 * dpi).round() as u32;
    fill(&mut image, BBox { x0: margin as u32, y0: y as u32, x1: width - margin as u32, y1: y as u32 + thick });
    y += thick as f32;
    let masthead = BBox { x0: 0, y0: 0, x1: width, y1: y as u32 + 1 };
    truth.extend(ink_box(&image, masthead).map(|bbox| TruthZone {
        kind: TruthKind::Masthead,
        bbox,
        article: None,
        headline: None,
    }));
    y += style.leading * 1.5;

    // Bands down the page, each cut into items across.
    let bottom = height as f32 - margin;
    let bands = 2 + rng.below(2);
    let mut shares: Vec<f32> = (0..bands).map(|_| rng.between(0.7, 1.3)).collect();
    let total: f32 = shares.iter().sum();
    shares.iter_mut().for_each(|s| *s /= total);
    let gap = style.leading * 1.6;
    let room = bottom - y - gap * (bands - 1) as f32;
    let mut carried = continued;
    let mut last_article: Option<(Article, Slot)> = None;
    let (mut picture_done, mut advert_done) = (false, false);
    for (b, share) in shares.iter().enumerate() {
        let band_bottom = y + room * share;
        let mut c = 0;
        while c < columns {
            let span =
                if c == 0 && rng.chance(0.25) { columns } else { 1 + rng.below(3.min(columns - c) as usize) as u32 };
            let (x0, x1) = (style.column_x(c), style.column_x(c + span - 1) + column_width);
            let area = BBox { x0: x0 as u32, y0: y as u32, x1: x1.ceil() as u32, y1: band_bottom as u32 };
            let slot = Slot { first: c, span, area };
            if c > 0 && style.rules {
                let x = (x0 - gutter / 2.0) as u32;
                fill(
                    &mut image,
                    BBox { x0: x, y0: y as u32, x1: x + (0.01 * dpi).max(2.0) as u32, y1: band_bottom as u32 },
                );
            }
            let zone = if let Some(article) = carried.take() {
                // The end of page 1's article, under its headline again.
                set_article(&mut image, rng, fonts, &style, &article, slot, Ending::Continues(1)).map(|bbox| {
                    TruthZone {
                        kind: TruthKind::Article,
                        bbox,
                        article: Some(article.number),
                        headline: Some(article.headline.clone()),
                    }
                })
            } else if !picture_done && span <= 2 && rng.chance(0.25) {
                picture_done = true;
                set_picture(&mut image, rng, fonts, &style, prose, area).map(|bbox| TruthZone {
                    kind: TruthKind::Picture,
                    bbox,
                    article: None,
                    headline: None,
                })
            } else if !advert_done && rng.chance(0.2) {
                advert_done = true;
                set_advert(&mut image, rng, fonts, &style, area).map(|bbox| TruthZone {
                    kind: TruthKind::Advertisement,
                    bbox,
                    article: None,
                    headline: None,
                })
            } else {
                let article = new_article(rng, prose, &style, articles);
                let bbox = set_article(&mut image, rng, fonts, &style, &article, slot, Ending::Ends);
                let zone = bbox.map(|bbox| TruthZone {
                    kind: TruthKind::Article,
                    bbox,
                    article: Some(article.number),
                    headline: Some(article.headline.clone()),
                });
                last_article = Some((article, slot));
                zone
            };
            truth.extend(zone);
            c += span;
        }
        y = band_bottom + gap;
        if b + 1 < bands && style.rules {
            let ry = (band_bottom + gap / 2.0) as u32;
            fill(
                &mut image,
                BBox { x0: margin as u32, y0: ry, x1: width - margin as u32, y1: ry + (0.01 * dpi).max(2.0) as u32 },
            );
        }
    }

    // Page 1's last article is set again, cut short, to end on page 2.
    let mut handed_on = None;
    if number == 1 {
        if let Some((article, slot)) = last_article {
            fill_white(&mut image, slot.area);
            truth.retain(|t| t.article != Some(article.number));
            let bbox = set_article(&mut image, rng, fonts, &style, &article, slot, Ending::Continued(2));
            truth.extend(bbox.map(|bbox| TruthZone {
                kind: TruthKind::Article,
                bbox,
                article: Some(article.number),
                headline: Some(article.headline.clone()),
            }));
            handed_on = Some(article);
        }
    }

    let image = damage(rng, image);
    (NewspaperPage { image, dpi, truth }, handed_on)
}

fn new_article(rng: &mut Rng, prose: &Prose, style: &Style, articles: &mut usize) -> Article {
    let kazakh = style.kazakh || rng.chance(0.2);
    let pool = if kazakh { &prose.kazakh } else { &prose.russian };
    let words: Vec<&str> = rng.pick(pool).split_whitespace().filter(|w| w.chars().any(char::is_alphabetic)).collect();
    let length = (2 + rng.below(5)).min(words.len());
    let headline: String = words[..length].join(" ").trim_matches(|c: char| !c.is_alphanumeric()).to_string();
    let paragraphs =
        (0..12).map(|_| (0..3 + rng.below(3)).map(|_| rng.pick(pool).as_str()).collect::<Vec<_>>().join(" ")).collect();
    *articles += 1;
    Article { number: *articles, headline: capitalised(&headline), paragraphs, kazakh }
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// How an article's text on this page ends.
#[derive(Clone, Copy, PartialEq)]
enum Ending {
    /// Where its text runs out.
    Ends,
    /// Filling its columns, with "continued on page N".
    Continued(u32),
    /// The rest of an article begun on page N.
    Continues(u32),
}

/// Sets an article into its slot: headline, then body text flowing down the columns.
/// Returns the ink's box.
fn set_article(
    image: &mut GrayImage,
    rng: &mut Rng,
    fonts: &Fonts,
    style: &Style,
    article: &Article,
    slot: Slot,
    ending: Ending,
) -> Option<BBox> {
    let Slot { first, span, area } = slot;
    let font = rng.pick(&fonts.bold);
    // The variant's draw comes first, so that pages without it take the same numbers.
    let ratio = match ending {
        Ending::Ends | Ending::Continued(_) if style.body_size_headlines && rng.chance(0.5) => rng.between(1.0, 1.2),
        Ending::Continues(_) => rng.between(1.7, 2.0),
        _ if span == 1 => rng.between(1.7, 2.4),
        _ => rng.between(1.9, 3.2),
    };
    // A headline fits its columns, as an editor sets it: smaller, or without a long word.
    let room = area.width() as f32;
    let mut size = style.body_px * ratio;
    let widest = |size: f32| article.headline.split_whitespace().map(|w| text_width(font, size, w)).fold(0.0, f32::max);
    while widest(size) > room && size > style.body_px * ratio.min(1.7) {
        size *= 0.92;
    }
    let words: Vec<&str> = article.headline.split_whitespace().filter(|w| text_width(font, size, w) <= room).collect();
    let mut y = area.y0 as f32;
    for line in wrap(font, PxScale::from(size), &words.join(" "), room).iter().take(2) {
        imageproc::drawing::draw_text_mut(image, Luma([0]), area.x0 as i32, y as i32, PxScale::from(size), font, line);
        y += size * 1.15;
    }
    y += style.leading * 0.5;
    let mut lines: Vec<(String, bool)> = Vec::new();
    if let Ending::Continues(from) = ending {
        let note = if article.kazakh {
            format!("(Басы {from}-бетте)")
        } else {
            format!("(Начало на стр. {from})")
        };
        lines.push((note, true));
    }
    let scale = PxScale::from(style.body_px);
    for paragraph in &article.paragraphs {
        lines.extend(wrap(style.body, scale, paragraph, style.column_width).into_iter().map(|l| (l, false)));
    }
    let per_column = ((area.y1 as f32 - y) / style.leading).floor().max(0.0) as usize;
    let capacity = per_column * span as usize;
    if capacity < 3 {
        return ink_box(image, area);
    }
    let used = match ending {
        Ending::Ends => (capacity as f32 * rng.between(0.75, 1.0)) as usize,
        _ => capacity,
    };
    lines.truncate(used);
    if let Ending::Continued(to) = ending {
        let note = if article.kazakh {
            format!("Соңы {to}-бетте")
        } else {
            format!("Окончание на стр. {to}")
        };
        *lines.last_mut().expect("capacity is at least 3") = (note, true);
    }
    let italic = rng.pick(&fonts.italic);
    for (n, (line, note)) in lines.iter().enumerate() {
        let (column, row) = ((n / per_column) as u32, n % per_column);
        let x = style.column_x(first + column);
        let font = if *note { italic } else { style.body };
        let top = y + row as f32 * style.leading;
        imageproc::drawing::draw_text_mut(image, Luma([0]), x as i32, top as i32, scale, font, line);
    }
    ink_box(image, area)
}

/// A picture (a photograph's soft shapes in gray) the width of `area`, with a caption.
fn set_picture(
    image: &mut GrayImage,
    rng: &mut Rng,
    fonts: &Fonts,
    style: &Style,
    prose: &Prose,
    area: BBox,
) -> Option<BBox> {
    let height = (area.height() as f32 * rng.between(0.45, 0.7)) as u32;
    let (fx, fy, phase) = (rng.between(0.004, 0.02), rng.between(0.004, 0.02), rng.between(0.0, 6.0));
    for y in area.y0..area.y0 + height {
        for x in area.x0..area.x1 {
            let (u, v) = ((x - area.x0) as f32, (y - area.y0) as f32);
            let tone = 110.0 + 90.0 * (u * fx + phase).sin() * (v * fy).cos() + 30.0 * ((u + v) * 0.05).sin();
            image.put_pixel(x, y, Luma([tone.clamp(0.0, 255.0) as u8]));
        }
    }
    let pool = if style.kazakh { &prose.kazakh } else { &prose.russian };
    let font = rng.pick(&fonts.italic);
    let size = style.body_px * 0.9;
    let mut y = (area.y0 + height) as f32 + style.leading * 0.3;
    for line in wrap(font, PxScale::from(size), rng.pick(pool).as_str(), area.width() as f32).iter().take(2) {
        imageproc::drawing::draw_text_mut(image, Luma([0]), area.x0 as i32, y as i32, PxScale::from(size), font, line);
        y += style.leading;
    }
    ink_box(image, area)
}

/// A boxed advertisement: a frame of rules with a few centred lines inside.
fn set_advert(image: &mut GrayImage, rng: &mut Rng, fonts: &Fonts, style: &Style, area: BBox) -> Option<BBox> {
    const ADVERTS: &[&[&str]] = &[
        &["ЖАРНАМА", "Балқаш қаласындағы дүкенге", "сатушы қажет.", "Тел.: 8 (71036) 4-12-56"],
        &["ОБЪЯВЛЕНИЕ", "Продаётся дом в центре города,", "4 комнаты, гараж.", "Тел.: 6-45-18"],
        &["ҚҰТТЫҚТАЙМЫЗ!", "Айгүл Сейітқызын", "мерейтойымен құттықтаймыз!"],
        &["Кітапхана оқырмандарға", "жаңа кітаптар көрмесіне", "шақырады. Кіру тегін."],
    ];
    let height = (area.height() as f32 * rng.between(0.4, 0.8)) as u32;
    let frame = BBox { y1: area.y0 + height, ..area };
    let t = (0.012 * style.dpi).round().max(2.0) as u32;
    fill(image, BBox { y1: frame.y0 + t, ..frame });
    fill(image, BBox { y0: frame.y1 - t, ..frame });
    fill(image, BBox { x1: frame.x0 + t, ..frame });
    fill(image, BBox { x0: frame.x1 - t, ..frame });
    let lines = rng.pick(ADVERTS);
    let font = rng.pick(&fonts.bold);
    let mut y = frame.y0 as f32 + style.leading;
    for (n, line) in lines.iter().enumerate() {
        let size = if n == 0 { style.body_px * 1.3 } else { style.body_px };
        if y + size * 1.3 > (frame.y1 - t) as f32 {
            break;
        }
        draw_centred(image, if n == 0 { font } else { style.body }, size, line, (frame.x0 + frame.x1) as f32 / 2.0, y);
        y += size * 1.3;
    }
    Some(frame)
}

fn text_width(font: &FontVec, size: f32, text: &str) -> f32 {
    let scaled = font.as_scaled(PxScale::from(size));
    text.chars().map(|c| scaled.h_advance(scaled.glyph_id(c))).sum()
}

fn draw_centred(image: &mut GrayImage, font: &FontVec, size: f32, text: &str, centre: f32, y: f32) {
    let width = text_width(font, size, text);
    imageproc::drawing::draw_text_mut(
        image,
        Luma([0]),
        (centre - width / 2.0) as i32,
        y as i32,
        PxScale::from(size),
        font,
        text,
    );
}

fn fill(image: &mut GrayImage, b: BBox) {
    for y in b.y0..b.y1.min(image.height()) {
        for x in b.x0..b.x1.min(image.width()) {
            image.put_pixel(x, y, Luma([0]));
        }
    }
}

fn fill_white(image: &mut GrayImage, b: BBox) {
    for y in b.y0..b.y1.min(image.height()) {
        for x in b.x0..b.x1.min(image.width()) {
            image.put_pixel(x, y, Luma([255]));
        }
    }
}

/// The box of the ink (darker than mid-gray) inside `area`.
fn ink_box(image: &GrayImage, area: BBox) -> Option<BBox> {
    let mut found = BBox { x0: u32::MAX, y0: u32::MAX, x1: 0, y1: 0 };
    for y in area.y0..area.y1.min(image.height()) {
        for x in area.x0..area.x1.min(image.width()) {
            if image.get_pixel(x, y)[0] < 128 {
                found =
                    BBox { x0: found.x0.min(x), y0: found.y0.min(y), x1: found.x1.max(x + 1), y1: found.y1.max(y + 1) };
            }
        }
    }
    (found.x1 > 0).then_some(found)
}

/// A scanned page's usual faults: a little skew (up to a degree either way) and noise.
fn damage(rng: &mut Rng, image: GrayImage) -> GrayImage {
    let angle = rng.between(-1.0, 1.0).to_radians();
    let mut page = imageproc::geometric_transformations::rotate_about_center(
        &image,
        angle,
        imageproc::geometric_transformations::Interpolation::Bilinear,
        imageproc::geometric_transformations::Border::Constant(Luma([255])),
    );
    let mut noise = Rng::new(rng.next());
    for pixel in page.pixels_mut() {
        let jitter = (noise.next() % 25) as i32 - 12;
        pixel[0] = (pixel[0] as i32 + jitter).clamp(0, 255) as u8;
    }
    page
}
