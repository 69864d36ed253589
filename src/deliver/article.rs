//! Copies of an article catalogued on an issue's pages. The copy's pages are the article's
//! zones, each cropped from its page image in the PDF, with the words inside it
//! laid over it again; or, asked for with the page context, the whole pages —
//! which carry the other articles too, so they may go only where each of those may be
//! copied by anyone ([`whole_pages_allowed`]).

use image::DynamicImage;

use super::DeliverError;
use crate::archive::{files, Archive};
use crate::page::{BBox, PageImage, RecognizedPage};
use crate::pdf::import::SourcePdf;
use crate::pdf::{decode, PdfPage, DEFAULT_JPEG_QUALITY};
use crate::record::article::{cut_zone, shown_zone_pages};
use crate::record::{ArticleZone, DocumentRecord, Rights};

/// `Ok` when pages `pages` of issue `host` may be delivered whole for a request of
/// `asked` (an article on them, or the issue): every other article on them is free to
/// copy. Otherwise why not, naming the article that forbids it.
pub(crate) fn whole_pages_allowed(
    documents: &[DocumentRecord],
    host: &str,
    pages: &[u32],
    asked: &str,
) -> Result<(), String> {
    let forbidding = documents.iter().filter(|d| d.is_hosted_by(host) && d.id != asked).find_map(|d| {
        let page = d.zones.iter().map(|z| z.page).find(|p| pages.contains(p))?;
        (!Rights::allows_full_text(d.bib.rights)).then_some((d, page))
    });
    match forbidding {
        None => Ok(()),
        Some((article, page)) => Err(format!(
            "page {page} of {host} also carries «{}» ({}), which is in copyright or has no rights statement: \
             its whole pages are not delivered; ask for the article alone (its zones, without --context page)",
            article.bib.title, article.id
        )),
    }
}

/// The pages of the copy of hosted article `record`: each zone cropped from its page of
/// the host's PDF, with its words; what of `withheld` (the zones of overlapping articles
/// that may not be copied, [`withheld_zones`](crate::record::article::withheld_zones))
/// lies in a zone is left out, its words and its pixels (painted white).
pub(crate) fn zone_copy_pages(
    archive: &Archive,
    record: &DocumentRecord,
    withheld: &[ArticleZone],
) -> Result<Vec<PdfPage>, DeliverError> {
    let host = record.host.as_deref().expect("a hosted article");
    let source = SourcePdf::open(&archive.pdf_path(host))?;
    let words = shown_zone_pages(record, withheld, |n| files::page(archive, host, n).map(Some))?;
    record
        .zones
        .iter()
        .zip(words)
        .map(|(zone, words)| {
            let unreadable = || {
                DeliverError::Pages(format!(
                    "the image of page {} of {host} cannot be read to crop {}'s zone from it; run `olke verify`",
                    zone.page, record.id
                ))
            };
            let pixels = decode::page_pixels(&source, zone.page).ok_or_else(unreadable)?;
            // The PDF's image is the archived page, in the pixels the zones are given in.
            let cropped = cut_zone(&pixels, words.width, zone, withheld).ok_or_else(unreadable)?;
            Ok(PdfPage::new(&page_image(cropped), &moved_into(&words, &zone.bbox), DEFAULT_JPEG_QUALITY))
        })
        .collect()
}

/// A cropped page image, black-and-white when it is (as the archived page was).
fn page_image(image: DynamicImage) -> PageImage {
    match image {
        DynamicImage::ImageLuma8(gray) if gray.pixels().all(|p| p.0[0] == 0 || p.0[0] == 255) => {
            PageImage::Bitonal(gray)
        }
        DynamicImage::ImageLuma8(gray) => PageImage::Gray(gray),
        other => PageImage::Rgb(other.to_rgb8()),
    }
}

/// The words of a zone (`words`, in page pixels) placed on the zone cut out as a page.
fn moved_into(words: &RecognizedPage, zone: &BBox) -> RecognizedPage {
    let shift = |b: BBox| BBox {
        x0: b.x0.saturating_sub(zone.x0),
        y0: b.y0.saturating_sub(zone.y0),
        x1: b.x1.saturating_sub(zone.x0),
        y1: b.y1.saturating_sub(zone.y0),
    };
    let mut moved = words.clone();
    moved.width = zone.width();
    moved.height = zone.height();
    for line in &mut moved.lines {
        line.bbox = shift(line.bbox);
        for word in &mut line.words {
            word.bbox = shift(word.bbox);
        }
    }
    moved
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;
    use crate::record::ArticleZone;

    fn article(id: &str, rights: &str, page: u32) -> DocumentRecord {
        let mut record = document(id, &[("title", id), ("rights", rights)]);
        record.host = Some("issue".into());
        record.zones = vec![ArticleZone { page, bbox: BBox { x0: 0, y0: 0, x1: 10, y1: 10 } }];
        record
    }

    #[test]
    fn whole_pages_go_only_where_every_other_article_on_them_is_free() {
        let documents = [
            article("free", "public_domain", 1),
            article("kept", "in_copyright", 1),
            article("other", "public_domain", 2),
        ];
        assert_eq!(whole_pages_allowed(&documents, "issue", &[2], "other"), Ok(()));
        let refused = whole_pages_allowed(&documents, "issue", &[1], "free").unwrap_err();
        assert!(refused.starts_with("page 1 of issue also carries «kept» (kept)"), "{refused}");
        // The article asked for does not forbid its own pages.
        assert_eq!(whole_pages_allowed(&documents, "issue", &[1], "kept"), Ok(()));
        assert!(whole_pages_allowed(&documents, "issue", &[1, 2], "issue").is_err(), "the issue itself");
    }
}
