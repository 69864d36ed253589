//! Static IIIF for the published works (Image API 3 at level 0, Presentation API 3): every
//! image address a viewer asks of a level-0 service is a file, made beforehand.
//!
//! ```text
//! iiif/3/<id>/manifest.json  iiif/3/<id>/annotations/<n>.json
//! iiif/3/<id>~<n>/info.json
//! iiif/3/<id>~<n>/full/max/0/default.jpg          the page as archived
//! iiif/3/<id>~<n>/full/<w>,<h>/0/default.jpg       the sizes info.json lists
//! iiif/3/<id>~<n>/<x>,<y>,<w>,<h>/<w>,<h>/0/default.jpg   its tiles
//! ```
//!
//! IIIF identifies everything by absolute address, so the files are written only when the
//! site's address is known (`--base-url`). Only the pages published with their text get
//! IIIF (of a newspaper issue, those that may be shown whole): what the site shows, and
//! nothing more. An image file is made again only when the
//! archived PDF it is cut from changed ([`Sync::derive`]).

use std::cell::OnceCell;

use image::DynamicImage;
use serde_json::Value;

use super::sync::{Sync, SyncError};
use super::{PublishError, Site};
use crate::archive::Archive;
use crate::catalog::{Documents, Reader};
use crate::config::Library;
use crate::export::iiif::{self, Level, Size};
use crate::export::url;
use crate::record::DocumentRecord;
use crate::web::images;

/// Bumped when the images are made differently, so that publishing again remakes them.
const IMAGES_VERSION: u32 = 1;

fn json_file(sync: &mut Sync, path: &str, document: &Value) -> Result<(), SyncError> {
    let mut bytes = serde_json::to_vec_pretty(document).expect("IIIF documents serialize");
    bytes.push(b'\n');
    sync.put(path, &bytes)
}

/// Writes the IIIF of `record`'s pages `shown` (those published) into the site at `base`;
/// returns the number of pages.
pub(super) fn write_work(
    sync: &mut Sync,
    archive: &Archive,
    reader: &Reader,
    library: &Library,
    base: &str,
    record: &DocumentRecord,
    shown: &[u32],
) -> Result<usize, PublishError> {
    let site = iiif::Site { base: base.trim_end_matches('/'), level: Level::Static };
    let id = &record.id;
    for (number, summary) in (1..).zip(&record.pages).filter(|(number, _)| shown.contains(number)) {
        let page =
            reader.page(id, number)?.ok_or_else(|| PublishError::MissingPage { id: id.clone(), page: number })?;
        json_file(
            sync,
            &format!("iiif/3/{id}/annotations/{number}.json"),
            &iiif::annotation_page(&site, record, number, &page),
        )?;

        let (width, height) = (summary.width, summary.height);
        let sizes: Vec<Size> =
            iiif::scale_factors(width, height).into_iter().skip(1).map(|f| iiif::scaled(width, height, f)).collect();
        let service = format!("iiif/3/{id}~{number}");
        json_file(sync, &format!("{service}/info.json"), &iiif::image_info(&site, record, number, &sizes))?;

        // The page is decoded once, and only when some image of it is to be made.
        let pixels: OnceCell<Option<DynamicImage>> = OnceCell::new();
        let unreadable = || PublishError::UnreadableImage { id: id.clone(), page: number };
        let mut image = |path: String, region: Option<(u32, u32, u32, u32)>, size: Size| {
            let stamp = format!("{} {IMAGES_VERSION}", record.pdf_sha256);
            sync.derive(&format!("{service}/{path}"), &stamp, || {
                let pixels = pixels
                    .get_or_init(|| {
                        // Boxes and sizes are the record's; a page image of another size is
                        // brought to it first.
                        let pixels = images::archived_pixels(archive, record, number)?;
                        Some(images::resized(&pixels, width, height))
                    })
                    .as_ref();
                let pixels = pixels.ok_or_else(unreadable)?;
                let part = match region {
                    Some((x, y, w, h)) => &pixels.crop_imm(x, y, w, h),
                    None => pixels,
                };
                images::jpeg(&images::resized(part, size.0, size.1)).ok_or_else(unreadable)
            })
        };
        image("full/max/0/default.jpg".into(), None, (width, height))?;
        for (w, h) in sizes {
            image(format!("full/{w},{h}/0/default.jpg"), None, (w, h))?;
        }
        for tile in iiif::tiles(width, height) {
            image(tile.path(), Some((tile.x, tile.y, tile.width, tile.height)), tile.size)?;
        }
    }
    // Last, so that a work whose page could not be made has no manifest.
    let homepage = url(base, &Site::document_page(id));
    json_file(sync, &format!("iiif/3/{id}/manifest.json"), &iiif::manifest(&site, library, record, shown, &homepage))?;
    Ok(shown.len())
}
