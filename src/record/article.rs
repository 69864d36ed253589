//! Articles catalogued on a newspaper issue's pages: an article record names its host
//! issue and its zones, rectangles on the host's pages in reading order. Its text is not
//! stored with it: it is read from the host's recognized pages, the words whose box's
//! centre lies inside a zone, so a correction of the host's text reaches the article.

use image::{DynamicImage, GenericImage, Rgba};
use serde::{Deserialize, Serialize};

use super::{DocumentRecord, DocumentType, Rights};
use crate::page::{BBox, Line, RecognizedPage, Word};

/// A part of an article on one page of its host.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleZone {
    /// The host's page number (in its PDF), from 1.
    pub page: u32,
    /// In the pixels of that page's archived image.
    pub bbox: BBox,
}

impl DocumentRecord {
    /// True for an article catalogued on a host issue's pages.
    pub fn is_hosted(&self) -> bool {
        self.host.is_some()
    }

    /// The pages the catalogue and the index hold of the document: for a hosted article
    /// one per zone (the zone's words), else its own pages.
    pub fn pages_held(&self) -> usize {
        if self.is_hosted() {
            self.zones.len()
        } else {
            self.pages.len()
        }
    }

    /// Whether page `page` (of its PDF, or for a hosted article the page of its zone
    /// `page`) may be shown whole, image and text, wherever olke shows it: the one decision
    /// every route asks. A newspaper issue's page by [`page_shown_whole`]; any other
    /// document's by its own rights. `documents` must be all the archive's (an issue's
    /// articles among them, whatever part of the archive is being shown): an article left
    /// out would let its page be shown.
    pub(crate) fn page_shown(&self, page: u32, documents: &[DocumentRecord]) -> bool {
        self.page_rule(documents)(page)
    }

    /// The pages it holds ([`Self::pages_held`]) that may be shown, in order (see
    /// [`Self::page_shown`]).
    pub(crate) fn pages_shown(&self, documents: &[DocumentRecord]) -> Vec<u32> {
        let shown = self.page_rule(documents);
        (1..=self.pages_held() as u32).filter(|&page| shown(page)).collect()
    }

    /// [`Self::page_shown`] for each page, with which rule applies (whether it carries
    /// articles: a pass over `documents`) decided once rather than per page.
    fn page_rule<'a>(&'a self, documents: &'a [DocumentRecord]) -> impl Fn(u32) -> bool + 'a {
        let carries_articles = self.carries_articles(documents);
        move |page| if carries_articles { page_shown_whole(self, page, documents) } else { self.full_text_allowed() }
    }

    /// Whether the document as a whole (its PDF) may be shown: a document's by its rights;
    /// an issue's only where every page may be; never a hosted article's (it has no PDF).
    pub(crate) fn whole_shown(&self, documents: &[DocumentRecord]) -> bool {
        if self.carries_articles(documents) {
            !self.pages.is_empty() && self.pages_shown(documents).len() == self.pages.len()
        } else {
            self.full_text_allowed() && !self.is_hosted()
        }
    }

    /// Whether it is a newspaper issue, or carries articles of `documents` (an issue whose
    /// type was edited since still has them on its pages).
    fn carries_articles(&self, documents: &[DocumentRecord]) -> bool {
        self.bib.kind == Some(DocumentType::NewspaperIssue) || documents.iter().any(|d| d.is_hosted_by(&self.id))
    }

    /// True for an article catalogued on the pages of issue `issue`.
    pub(crate) fn is_hosted_by(&self, issue: &str) -> bool {
        self.host.as_deref() == Some(issue)
    }

    /// The host pages a hosted article's zones lie on, in reading order, each once.
    pub fn host_pages(&self) -> Vec<u32> {
        let mut pages: Vec<u32> = Vec::new();
        for zone in &self.zones {
            if !pages.contains(&zone.page) {
                pages.push(zone.page);
            }
        }
        pages
    }
}

/// An article as its issue lists it: its id and the issue's pages its zones lie on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hosted {
    pub id: String,
    pub pages: Vec<u32>,
}

impl Hosted {
    /// Article `id` with `zones`.
    pub(crate) fn on(id: &str, zones: &[ArticleZone]) -> Hosted {
        let mut pages: Vec<u32> = zones.iter().map(|z| z.page).collect();
        pages.sort_unstable();
        pages.dedup();
        Hosted { id: id.to_string(), pages }
    }
}

/// `listed` with `articles` listed in place of what it said of them before, by id.
pub(crate) fn listing(listed: &[Hosted], articles: &[Hosted]) -> Vec<Hosted> {
    let mut all: Vec<Hosted> = listed.iter().filter(|l| !articles.iter().any(|a| a.id == l.id)).cloned().collect();
    all.extend(articles.iter().cloned());
    all.sort_by(|a, b| a.id.cmp(&b.id));
    all
}

/// Whether page `page` of newspaper issue `issue` may be shown whole — on the website, by
/// IIIF, in a published copy or an exported package: the issue's own rights allow it (what
/// no article claims, advertisements and notices, is the issue's), every article of
/// `documents` hosted by it with a zone on that page allows it, and every article the
/// issue lists on that page is among them (one not yet filed, or removed, still has its
/// text on the page: nothing tells that its rights allow it).
pub(crate) fn page_shown_whole(issue: &DocumentRecord, page: u32, documents: &[DocumentRecord]) -> bool {
    let hosted = |d: &&DocumentRecord| d.is_hosted_by(&issue.id);
    Rights::allows_full_text(issue.bib.rights)
        && documents
            .iter()
            .filter(hosted)
            .filter(|d| d.zones.iter().any(|z| z.page == page))
            .all(|d| Rights::allows_full_text(d.bib.rights))
        && issue
            .articles
            .iter()
            .filter(|listed| listed.pages.contains(&page))
            .all(|listed| documents.iter().filter(hosted).any(|d| d.id == listed.id))
}

/// The articles `documents` hosts on `issue`, in reading order: by the page, then the
/// top and left of their first zone. Only a newspaper issue carries articles: for any
/// other document none, without a pass over `documents`.
pub(crate) fn articles_of<'a>(issue: &DocumentRecord, documents: &'a [DocumentRecord]) -> Vec<&'a DocumentRecord> {
    if issue.bib.kind != Some(DocumentType::NewspaperIssue) {
        return Vec::new();
    }
    let mut articles: Vec<&DocumentRecord> = documents.iter().filter(|d| d.is_hosted_by(&issue.id)).collect();
    let first = |a: &DocumentRecord| a.zones.first().map(|z| (z.page, z.bbox.y0, z.bbox.x0));
    articles.sort_by(|a, b| (first(a), &a.id).cmp(&(first(b), &b.id)));
    articles
}

/// The words of `page` whose box's centre lies inside `zone`, as a page of their own (of
/// the same size, the words where they are), lines kept in the page's reading order.
pub(crate) fn words_in(page: &RecognizedPage, zone: &BBox) -> RecognizedPage {
    words_where(page, |word| zone.holds_centre_of(&word.bbox))
}

/// The words of `page` that `keep`, as a page of their own (see [`words_in`]).
fn words_where(page: &RecognizedPage, keep: impl Fn(&Word) -> bool) -> RecognizedPage {
    let lines: Vec<Line> = page
        .lines
        .iter()
        .filter_map(|line| line.keeping(line.words.iter().filter(|w| keep(w)).cloned().collect()))
        .collect();
    RecognizedPage { mean_conf: crate::ocr::mean_confidence(&lines), lines, ..page.clone() }
}

/// The zones of the other articles on `article`'s host that may not be shown and that
/// overlap one of its zones. Ingest lets zones overlap a little, and rights change after
/// ingest: where `article` is shown, what lies in these is left out (their words, their
/// pixels), or it would show them. `documents`: at least the host's articles, with their
/// rights as they are now.
pub(crate) fn withheld_zones(article: &DocumentRecord, documents: &[DocumentRecord]) -> Vec<ArticleZone> {
    let Some(host) = article.host.as_deref() else { return Vec::new() };
    documents
        .iter()
        .filter(|d| d.is_hosted_by(host) && d.id != article.id && !Rights::allows_full_text(d.bib.rights))
        .flat_map(|d| &d.zones)
        .filter(|other| article.zones.iter().any(|zone| zone.overlaps(other)))
        .cloned()
        .collect()
}

impl ArticleZone {
    /// Whether it shares pixels with `other`.
    pub(crate) fn overlaps(&self, other: &ArticleZone) -> bool {
        self.page == other.page && self.bbox.overlap(&other.bbox) > 0
    }
}

/// [`zone_pages`] without the words whose centre lies in one of `withheld` (see
/// [`withheld_zones`]): what of the article may be shown.
pub(crate) fn shown_zone_pages<E>(
    record: &DocumentRecord,
    withheld: &[ArticleZone],
    mut host_page: impl FnMut(u32) -> Result<Option<RecognizedPage>, E>,
) -> Result<Vec<RecognizedPage>, E> {
    zone_pages(record, |number| Ok(host_page(number)?.map(|page| outside_withheld(&page, number, withheld))))
}

/// Page `number` (of an issue, or an article's words on it) without the words whose
/// centre lies in one of `withheld` (see [`withheld_zones`]).
pub(crate) fn outside_withheld(page: &RecognizedPage, number: u32, withheld: &[ArticleZone]) -> RecognizedPage {
    let boxes: Vec<&BBox> = withheld.iter().filter(|w| w.page == number).map(|w| &w.bbox).collect();
    words_where(page, |word: &Word| !boxes.iter().any(|b| b.holds_centre_of(&word.bbox)))
}

/// Zone `zone` cut from `pixels`, the image of its page (`page_width` pixels wide as
/// recorded, the zones' pixels: an image of another size is scaled to it), with what of
/// `withheld` lies in it painted white. `None` for a zone outside the image.
pub(crate) fn cut_zone(
    pixels: &DynamicImage,
    page_width: u32,
    zone: &ArticleZone,
    withheld: &[ArticleZone],
) -> Option<DynamicImage> {
    let scale = pixels.width() as f32 / page_width.max(1) as f32;
    let cut = zone.bbox.scaled(scale);
    let mut image = pixels.crop_imm(cut.x0, cut.y0, cut.width(), cut.height());
    if image.width() == 0 || image.height() == 0 {
        return None;
    }
    for other in withheld.iter().filter(|w| w.page == zone.page) {
        let b = other.bbox.scaled(scale);
        let (x0, y0) = (b.x0.saturating_sub(cut.x0), b.y0.saturating_sub(cut.y0));
        let (x1, y1) =
            (b.x1.saturating_sub(cut.x0).min(image.width()), b.y1.saturating_sub(cut.y0).min(image.height()));
        for (x, y) in (y0..y1).flat_map(|y| (x0..x1).map(move |x| (x, y))) {
            image.put_pixel(x, y, Rgba([255, 255, 255, 255]));
        }
    }
    Some(image)
}

/// A hosted article's pages: for each zone, in reading order, the words inside it read
/// from its host page (`host_page(number)`); a host page that is missing gives none.
pub(crate) fn zone_pages<E>(
    record: &DocumentRecord,
    mut host_page: impl FnMut(u32) -> Result<Option<RecognizedPage>, E>,
) -> Result<Vec<RecognizedPage>, E> {
    let mut pages = Vec::with_capacity(record.zones.len());
    for zone in &record.zones {
        let page = match host_page(zone.page)? {
            Some(page) => words_in(&page, &zone.bbox),
            None => {
                tracing::warn!("{}: page {} of its host is missing; its zone there has no text", record.id, zone.page);
                RecognizedPage::empty()
            }
        };
        pages.push(page);
    }
    Ok(pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(text: &str, x0: u32, y0: u32) -> Word {
        Word { text: text.into(), bbox: BBox { x0, y0, x1: x0 + 40, y1: y0 + 20 }, conf: 90.0 }
    }

    fn line(words: Vec<Word>) -> Line {
        Line {
            bbox: BBox { x0: 0, y0: 0, x1: 1000, y1: 1000 },
            baseline_slope: 0.0,
            baseline_offset: 0.0,
            x_size: 20.0,
            x_descenders: 4.0,
            block: 0,
            paragraph: 0,
            corrected: false,
            words,
        }
    }

    #[test]
    fn a_zone_takes_the_words_whose_centre_lies_inside_it() {
        let page = RecognizedPage {
            width: 1000,
            height: 1000,
            dpi: 300.0,
            lines: vec![
                line(vec![word("сол", 10, 10), word("оң", 600, 10)]),
                // Its box reaches into the left zone, its centre does not.
                line(vec![word("шекара", 480, 50), word("төмен", 10, 600)]),
            ],
            mean_conf: 90.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        };
        let left = words_in(&page, &BBox { x0: 0, y0: 0, x1: 500, y1: 500 });
        assert_eq!(left.text(), "сол");
        assert_eq!(left.lines[0].bbox, BBox { x0: 10, y0: 10, x1: 50, y1: 30 });
        let right = words_in(&page, &BBox { x0: 500, y0: 0, x1: 1000, y1: 500 });
        assert_eq!(right.text(), "оң\nшекара");

        let mut record = crate::record::tests::document("a", &[("title", "A")]);
        record.host = Some("issue".into());
        record.zones = vec![
            ArticleZone { page: 2, bbox: BBox { x0: 0, y0: 500, x1: 500, y1: 1000 } },
            ArticleZone { page: 1, bbox: BBox { x0: 0, y0: 0, x1: 500, y1: 500 } },
            ArticleZone { page: 2, bbox: BBox { x0: 500, y0: 0, x1: 1000, y1: 500 } },
        ];
        let pages = zone_pages(&record, |n| Ok::<_, ()>((n != 3).then(|| page.clone()))).unwrap();
        let texts: Vec<String> = pages.iter().map(RecognizedPage::text).collect();
        assert_eq!(texts, ["төмен", "сол", "оң\nшекара"]);
        assert_eq!((record.pages_held(), record.host_pages()), (3, vec![2, 1]));
    }

    #[test]
    fn an_issue_page_is_shown_whole_only_where_the_issue_and_every_article_on_it_allow() {
        let issue = crate::record::tests::document("issue", &[("title", "Пульс"), ("rights", "public_domain")]);
        let article = |id: &str, rights: &str, pages: &[u32]| {
            let mut a = crate::record::tests::document(id, &[("title", id), ("rights", rights)]);
            a.host = Some("issue".into());
            a.zones =
                pages.iter().map(|&page| ArticleZone { page, bbox: BBox { x0: 0, y0: 0, x1: 9, y1: 9 } }).collect();
            a
        };
        let mut documents = vec![
            issue.clone(),
            article("free", "public_domain", &[1, 2]),
            article("kept", "in_copyright", &[2]),
            article("elsewhere", "in_copyright", &[1]),
        ];
        // "elsewhere" is another issue's article: its host is not this issue.
        documents[3].host = Some("other".into());
        assert!(page_shown_whole(&issue, 1, &documents));
        assert!(!page_shown_whole(&issue, 2, &documents));
        assert!(page_shown_whole(&issue, 3, &documents), "a page no article claims is the issue's");
        // An article the issue lists on page 1 that is not (yet, or no longer) filed.
        let mut listing_one_more = issue.clone();
        listing_one_more.articles =
            vec![Hosted { id: "unfiled".into(), pages: vec![1] }, Hosted::on("free", &documents[1].zones)];
        assert!(!page_shown_whole(&listing_one_more, 1, &documents), "an article listed but not found keeps its page");
        assert!(page_shown_whole(&listing_one_more, 3, &documents), "only on its own pages");
        let mut unstated = issue.clone();
        unstated.bib.rights = None;
        assert!(!page_shown_whole(&unstated, 1, &documents), "an issue without rights keeps its pages");
    }

    #[test]
    fn every_route_asks_one_question_per_page_and_the_whole_needs_every_page() {
        let mut issue = crate::record::tests::document(
            "issue",
            &[("title", "Пульс"), ("rights", "public_domain"), ("type", "newspaper_issue")],
        );
        issue.pages = vec![crate::record::tests::page(), crate::record::tests::page()];
        let mut kept = crate::record::tests::document("kept", &[("title", "kept"), ("rights", "in_copyright")]);
        kept.host = Some("issue".into());
        kept.zones = vec![ArticleZone { page: 2, bbox: BBox { x0: 0, y0: 0, x1: 9, y1: 9 } }];
        let documents = vec![issue.clone(), kept.clone()];
        assert_eq!(issue.pages_shown(&documents), vec![1]);
        assert!(!issue.whole_shown(&documents), "one page may not be shown: no PDF");
        assert!(issue.whole_shown(&documents[..1]), "with no article in copyright, the whole issue may");
        assert!(!issue.full_text_allowed(), "a record alone still never shows an issue");
        // An article: its own rights, for its zones; never a whole PDF.
        assert!(!kept.page_shown(1, &documents) && !kept.whole_shown(&documents));
        kept.bib.rights = Some(Rights::PublicDomain);
        assert_eq!((kept.pages_shown(&documents), kept.whole_shown(&documents)), (vec![1], false));
        let mut book = crate::record::tests::document("book", &[("title", "B"), ("rights", "public_domain")]);
        book.pages = vec![crate::record::tests::page()];
        assert!(book.page_shown(1, &[]) && book.whole_shown(&[]));
        book.bib.rights = None;
        assert!(book.pages_shown(&[]).is_empty() && !book.whole_shown(&[]));
    }

    #[test]
    fn an_article_leaves_out_the_words_and_pixels_a_withheld_article_shares_with_it() {
        let zone = |page, x0, x1| ArticleZone { page, bbox: BBox { x0, y0: 0, x1, y1: 100 } };
        let article = |id: &str, rights: &str, zones: Vec<ArticleZone>| {
            let mut a = crate::record::tests::document(id, &[("title", id), ("rights", rights)]);
            a.host = Some("issue".into());
            a.zones = zones;
            a
        };
        let open = article("open", "public_domain", vec![zone(1, 0, 60)]);
        let documents = vec![
            open.clone(),
            article("kept", "in_copyright", vec![zone(1, 40, 100), zone(2, 0, 60)]),
            article("free", "public_domain", vec![zone(1, 30, 100)]),
        ];
        assert_eq!(withheld_zones(&open, &documents), vec![zone(1, 40, 100)], "on its page, in copyright");
        let page = RecognizedPage {
            width: 100,
            height: 100,
            dpi: 300.0,
            lines: vec![line(vec![word("сол", 0, 0), word("орта", 45, 0)])],
            mean_conf: 90.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        };
        let withheld = withheld_zones(&open, &documents);
        let pages = shown_zone_pages(&open, &withheld, |_| Ok::<_, ()>(Some(page.clone()))).unwrap();
        assert_eq!(pages[0].text(), "сол", "«орта»'s centre is in «kept»'s zone");
        // An image twice the recorded size: the zone and the withheld part scale with it.
        let pixels = DynamicImage::ImageLuma8(image::GrayImage::new(200, 200));
        let cut = cut_zone(&pixels, 100, &open.zones[0], &withheld).unwrap().to_luma8();
        assert_eq!(cut.dimensions(), (120, 200));
        assert!((0..200).all(|y| cut.get_pixel(79, y).0[0] == 0 && cut.get_pixel(80, y).0[0] == 255));
        assert!(cut_zone(&pixels, 100, &zone(1, 300, 400), &[]).is_none(), "outside the image");
    }

    #[test]
    fn boxes_overlap_and_contain() {
        let a = BBox { x0: 0, y0: 0, x1: 100, y1: 100 };
        let b = BBox { x0: 50, y0: 50, x1: 150, y1: 150 };
        assert_eq!((a.overlap(&b), a.area()), (2500, 10000));
        assert!(!a.contains(&b) && a.contains(&BBox { x0: 10, y0: 10, x1: 100, y1: 100 }));
    }
}
