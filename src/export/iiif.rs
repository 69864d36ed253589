//! IIIF documents of a work, the same whether `olke serve` answers them (Image API level 1,
//! cut on request) or `olke publish` writes them as files (level 0: the sizes and tiles
//! listed, made beforehand): an image's `info.json`, the Presentation API 3 manifest of a
//! document, and the text of each page as an annotation page of `supplementing`
//! annotations, one per line, each on the line's box.
//!
//! An image is a page: its identifier is the document's id, `~` and the page's number in
//! the PDF (`gazeta~1`; ids never hold `~`).

use serde_json::{json, Value};

use crate::config::Library;
use crate::export::url_path;
use crate::page::RecognizedPage;
use crate::record::rights_statements::statement;
use crate::record::DocumentRecord;

/// The side of the square tiles viewers are told to ask for.
pub(crate) const TILE: u32 = 512;

/// How the images of a site are served, and so where its documents are found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Level {
    /// `olke serve`: images cut on request; manifests and annotations at extensionless
    /// addresses.
    Served,
    /// `olke publish`: files on a static host, each named as the address a viewer asks for;
    /// manifests and annotations end in `.json` so the host gives them a JSON type.
    Static,
}

/// The addresses of the IIIF documents of a site whose root is `base`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Site<'a> {
    pub base: &'a str,
    pub level: Level,
}

impl Site<'_> {
    fn document(&self, id: &str) -> String {
        format!("{}/iiif/3/{}", self.base, url_path(id))
    }

    pub(crate) fn manifest(&self, id: &str) -> String {
        match self.level {
            Level::Served => format!("{}/manifest", self.document(id)),
            Level::Static => format!("{}/manifest.json", self.document(id)),
        }
    }

    pub(crate) fn annotations(&self, id: &str, page: u32) -> String {
        match self.level {
            Level::Served => format!("{}/annotations/{page}", self.document(id)),
            Level::Static => format!("{}/annotations/{page}.json", self.document(id)),
        }
    }

    /// The image service of page `page` of document `id`.
    pub(crate) fn service(&self, id: &str, page: u32) -> String {
        format!("{}/iiif/3/{}~{page}", self.base, url_path(id))
    }

    fn profile(&self) -> &'static str {
        match self.level {
            Level::Served => "level1",
            Level::Static => "level0",
        }
    }
}

/// A size of an image, pixels.
pub(crate) type Size = (u32, u32);

/// The tiles' scale factors of a `width` × `height` image: halving until the whole image is
/// about a tile, which a viewer shows first.
pub(crate) fn scale_factors(width: u32, height: u32) -> Vec<u32> {
    (0..8).map(|n| 1u32 << n).take_while(|&f| f == 1 || width.max(height) / f >= TILE / 2).collect()
}

/// The whole image made `1/factor` as large, rounded up as the Image API does for tiles.
pub(crate) fn scaled(width: u32, height: u32, factor: u32) -> Size {
    (width.div_ceil(factor), height.div_ceil(factor))
}

/// An image's `info.json` with what every level says; `sizes` are the whole image's sizes
/// that may be asked for besides `max`.
pub(crate) fn image_info(site: &Site, record: &DocumentRecord, page: u32, sizes: &[Size]) -> Value {
    let summary = &record.pages[page as usize - 1];
    let (width, height) = (summary.width, summary.height);
    json!({
        "@context": "http://iiif.io/api/image/3/context.json",
        "id": site.service(&record.id, page),
        "type": "ImageService3",
        "protocol": "http://iiif.io/api/image",
        "profile": site.profile(),
        "width": width,
        "height": height,
        "sizes": sizes.iter().map(|&(w, h)| json!({ "width": w, "height": h })).collect::<Vec<_>>(),
        "tiles": [{ "width": TILE, "height": TILE, "scaleFactors": scale_factors(width, height) }],
        "rights": statement(record.bib.rights).uri,
    })
}

/// A label in the interface's languages.
fn label(en: &str, kk: &str, ru: &str) -> Value {
    json!({ "en": [en], "kk": [kk], "ru": [ru] })
}

/// A value in no particular language (titles and names are given as catalogued).
fn values(values: &[String]) -> Value {
    json!({ "none": values })
}

fn metadata(record: &DocumentRecord) -> Vec<Value> {
    let bib = &record.bib;
    let one = |value: &Option<String>| value.iter().cloned().collect::<Vec<_>>();
    let date = bib.date.clone().or_else(|| bib.year.map(|y| y.to_string()));
    let languages = if bib.language.is_empty() { &record.languages } else { &bib.language };
    [
        (label("Title", "Атауы", "Заглавие"), vec![bib.title.clone()]),
        (label("Authors", "Авторлары", "Авторы"), bib.authors.clone()),
        (label("Published in", "Басылым", "Издание"), one(&bib.source)),
        (label("Date", "Күні", "Дата"), one(&date)),
        (label("Place", "Орны", "Место"), one(&bib.place)),
        (label("Publisher", "Баспа", "Издательство"), one(&bib.publisher)),
        (label("Languages", "Тілдері", "Языки"), languages.clone()),
        (label("Collections", "Жинақтар", "Коллекции"), bib.collections.clone()),
        (label("Subjects", "Тақырыптар", "Темы"), bib.subjects.clone()),
        (
            label("Citation (GOST 7.1)", "Библиографиялық сипаттама", "Библиографическое описание"),
            vec![record.citation()],
        ),
    ]
    .into_iter()
    .filter(|(_, value)| !value.is_empty())
    .map(|(label, value)| json!({ "label": label, "value": values(&value) }))
    .collect()
}

/// A canvas per page: of the page's size, and — for a page that may be shown (`shown`,
/// [`DocumentRecord::pages_shown`]) — painted with the page's image and referring to the
/// page's text.
fn canvases(site: &Site, record: &DocumentRecord, shown: &[u32]) -> Vec<Value> {
    let document = site.document(&record.id);
    let first_printed = record.bib.first_page_number.unwrap_or(1);
    (1..=record.pages.len() as u32)
        .zip(&record.pages)
        .map(|(number, page)| {
            let canvas = format!("{document}/canvas/{number}");
            let mut canvas_json = json!({
                "id": canvas,
                "type": "Canvas",
                "label": { "none": [(first_printed + number - 1).to_string()] },
                "width": page.width,
                "height": page.height,
            });
            if shown.contains(&number) {
                let service = site.service(&record.id, number);
                canvas_json["items"] = json!([{
                    "id": format!("{canvas}/paint"),
                    "type": "AnnotationPage",
                    "items": [{
                        "id": format!("{canvas}/paint/image"),
                        "type": "Annotation",
                        "motivation": "painting",
                        "body": {
                            "id": format!("{service}/full/max/0/default.jpg"),
                            "type": "Image",
                            "format": "image/jpeg",
                            "width": page.width,
                            "height": page.height,
                            "service": [{ "id": service, "type": "ImageService3", "profile": site.profile() }],
                        },
                        "target": canvas,
                    }],
                }]);
                canvas_json["annotations"] =
                    json!([{ "id": site.annotations(&record.id, number), "type": "AnnotationPage" }]);
            }
            canvas_json
        })
        .collect()
}

/// The Presentation API 3 manifest of a document whose pages `shown` may be shown. Of the
/// others (all of a work in copyright or whose rights are not stated) it gives a canvas of
/// the page's size, empty: with the description and the rights, what the catalogue tells
/// anyone, and where to ask for a copy (`homepage`).
pub(crate) fn manifest(
    site: &Site,
    library: &Library,
    record: &DocumentRecord,
    shown: &[u32],
    homepage: &str,
) -> Value {
    let rights = statement(record.bib.rights);
    json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": site.manifest(&record.id),
        "type": "Manifest",
        "label": values(std::slice::from_ref(&record.bib.title)),
        "summary": values(&[record.citation()]),
        "metadata": metadata(record),
        "rights": rights.uri,
        "requiredStatement": {
            "label": label("Rights", "Құқықтар", "Права"),
            "value": { "en": [rights.en], "kk": [rights.kk], "ru": [rights.ru] },
        },
        "provider": [{
            "id": site.base,
            "type": "Agent",
            "label": { "kk": [library.name_kk], "ru": [library.name_ru] },
        }],
        "homepage": [{
            "id": homepage,
            "type": "Text",
            "label": values(std::slice::from_ref(&record.bib.title)),
            "format": "text/html",
        }],
        "items": canvases(site, record, shown),
    })
}

/// Page `number`'s text as an annotation page, a `supplementing` annotation per line on the
/// line's box.
pub(crate) fn annotation_page(site: &Site, record: &DocumentRecord, number: u32, page: &RecognizedPage) -> Value {
    let canvas = format!("{}/canvas/{number}", site.document(&record.id));
    let id = site.annotations(&record.id, number);
    let lines: Vec<Value> = page
        .lines
        .iter()
        .enumerate()
        .filter(|(_, line)| !line.words.is_empty())
        .map(|(n, line)| {
            let b = line.bbox;
            json!({
                "id": format!("{id}/line/{}", n + 1),
                "type": "Annotation",
                "motivation": "supplementing",
                "body": { "type": "TextualBody", "value": line.text(), "format": "text/plain" },
                "target": format!("{canvas}#xywh={},{},{},{}", b.x0, b.y0, b.width(), b.height()),
            })
        })
        .collect();
    json!({
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": id,
        "type": "AnnotationPage",
        "items": lines,
    })
}

/// A tile of a level-0 image: the part of the full image it shows and its size.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Tile {
    pub x: u32,
    pub y: u32,
    pub width: u32,
    pub height: u32,
    /// The scale factor it is at: `size` is the part `1/factor` as large.
    pub factor: u32,
    pub size: Size,
}

impl Tile {
    /// Its address under the image service: `x,y,w,h/w,h/0/default.jpg`, the canonical form
    /// viewers ask for.
    pub(crate) fn path(&self) -> String {
        let Tile { x, y, width, height, size: (w, h), .. } = *self;
        format!("{x},{y},{width},{height}/{w},{h}/0/default.jpg")
    }
}

/// Every tile of a `width` × `height` image at every scale factor of [`scale_factors`].
pub(crate) fn tiles(width: u32, height: u32) -> Vec<Tile> {
    let mut tiles = Vec::new();
    for factor in scale_factors(width, height) {
        let span = TILE * factor;
        for y in (0..height).step_by(span as usize) {
            for x in (0..width).step_by(span as usize) {
                let (w, h) = (span.min(width - x), span.min(height - y));
                tiles.push(Tile { x, y, width: w, height: h, factor, size: scaled(w, h, factor) });
            }
        }
    }
    tiles
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tiles_cover_the_image_once_at_each_scale() {
        let (width, height) = (2480, 3508);
        let factors = scale_factors(width, height);
        assert_eq!(factors, vec![1, 2, 4, 8]);
        let tiles = tiles(width, height);
        for factor in factors {
            let area: u64 = tiles.iter().filter(|t| t.factor == factor).map(|t| t.width as u64 * t.height as u64).sum();
            assert_eq!(area, width as u64 * height as u64, "factor {factor} covers the page once");
        }
        // No tile is larger than a tile once scaled, and none reaches past the image.
        assert!(tiles.iter().all(|t| t.size.0 <= TILE && t.size.1 <= TILE));
        assert!(tiles.iter().all(|t| t.x + t.width <= width && t.y + t.height <= height));
        assert_eq!(tiles[0].path(), "0,0,512,512/512,512/0/default.jpg");
        let last = tiles.last().unwrap();
        assert_eq!((last.x, last.y, last.width, last.height, last.size), (0, 0, 2480, 3508, (310, 439)));
    }
}
