//! Article zones on newspaper pages.
//!
//! A newspaper page carries several articles; the library catalogues the articles. `olke
//! zones BATCH` proposes, for each newspaper page of a batch, rectangles that each hold one
//! article (or its part), numbered, and writes them to `BATCH/zones.json` with a preview
//! image per page; `batch.csv` rows then name zones as `p1.tif#2` (or `issue.tif:3#2` on
//! page 3 of a multi-page TIFF), resolved through that file at ingest.
//!
//! Zone boxes are in the pixels of the page as olke archives it: the prepared image (cropped
//! of dark scanner edges, turned upright, straightened), which is the preview image and the
//! PDF page's image. For a scan olke neither cropped, turned nor straightened those are the
//! scan's own pixels. The file records each page's size so that ingest can tell when the page
//! it prepared is not the one the zones were drawn on (other options, another scan).

mod batch;
mod continued;
pub(crate) mod draft;
pub(crate) mod layout;
mod preview;
pub(crate) mod propose;

use std::path::{Path, PathBuf};

pub(crate) use batch::{zones, PREVIEW_SUFFIX};
#[cfg(any(test, feature = "testkit"))]
pub(crate) use preview::render as preview_image;
use serde::{Deserialize, Serialize};

use crate::page::BBox;

/// The name of the zones file in a batch folder.
pub const FILE_NAME: &str = "zones.json";

/// The format's version, written as `olke_zones`.
pub const VERSION: u32 = 1;

/// `BATCH/zones.json`: the numbered zones of each newspaper page of a batch.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ZoneFile {
    pub olke_zones: u32,
    pub pages: Vec<ZonedPage>,
}

/// One page's zones.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ZonedPage {
    /// The scan, relative to the batch folder, as `batch.csv` names it.
    pub file: PathBuf,
    /// Zero-based page inside `file` (a multi-page TIFF); 0 for a one-page scan.
    #[serde(default)]
    pub index: usize,
    /// Size of the prepared page the boxes are on, pixels.
    pub width: u32,
    pub height: u32,
    pub zones: Vec<Zone>,
}

/// A numbered rectangle on a page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    /// From 1, in the page's reading order; `p1.tif#2` names zone 2.
    pub number: u32,
    pub bbox: BBox,
    pub kind: ZoneKind,
    /// The headline's text, for an article zone that begins with one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZoneKind {
    /// An article's text (with its headline), or the part of it on this page.
    Article,
    /// A picture, with its caption.
    Picture,
    Advertisement,
    /// The newspaper's own title block (masthead, date, issue number).
    Masthead,
}

/// Why a zones file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ZoneFileError {
    #[error("{}: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    #[error("{}: not a zones file ({source}); run `olke zones` on the batch again", path.display())]
    Format { path: PathBuf, source: serde_json::Error },
    #[error("{}: zones format {found}, this olke reads {VERSION}; run `olke zones` on the batch again", path.display())]
    Version { path: PathBuf, found: u32 },
}

/// How `batch.csv`'s `zones` column names a page of a scan: `p1.tif`, or `issue.tif:3`
/// for page 3 (from 1) of a multi-page file. `page` is zero-based; the first page of a
/// multi-page file is named with its number too when `multi_page`, so that a row says
/// which page it means.
pub(crate) fn page_name(file: &str, page: usize, multi_page: bool) -> String {
    if multi_page {
        format!("{file}:{}", page + 1)
    } else {
        file.to_string()
    }
}

/// Reads a page's name (see [`page_name`]) against the files it may name: the file as
/// named among `files` and the zero-based page. A name that is itself a file's (a file
/// whose name has a colon) is that file's first page.
pub(crate) fn read_page_name<'a>(name: &'a str, files: &[&str]) -> Result<(&'a str, usize), String> {
    if files.contains(&name) {
        return Ok((name, 0));
    }
    match name.rsplit_once(':') {
        Some((file, page)) if files.contains(&file) => match page.trim().parse::<usize>() {
            Ok(page) if page >= 1 => Ok((file, page - 1)),
            _ => Err(format!("'{page}' is not a page number of '{file}' (pages are counted from 1: {file}:2)")),
        },
        _ => Err(format!("'{name}' is not among this row's files; list it in 'files' too")),
    }
}

impl ZoneFile {
    /// The zones file of batch folder `batch`, or `None` when it has none.
    pub fn read(batch: &Path) -> Result<Option<ZoneFile>, ZoneFileError> {
        let path = batch.join(FILE_NAME);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(source) => return Err(ZoneFileError::Io { path, source }),
        };
        let file: ZoneFile =
            serde_json::from_str(&text).map_err(|source| ZoneFileError::Format { path: path.clone(), source })?;
        if file.olke_zones != VERSION {
            return Err(ZoneFileError::Version { path, found: file.olke_zones });
        }
        Ok(Some(file))
    }

    /// Writes the file into batch folder `batch` whole (never half-written).
    pub fn write(&self, batch: &Path) -> Result<(), ZoneFileError> {
        let path = batch.join(FILE_NAME);
        let json = serde_json::to_vec_pretty(self).expect("zones serialize");
        crate::archive::write_atomic(&path, &json).map_err(|source| ZoneFileError::Io { path, source })
    }

    /// The zones of page `index` of scan `file` (as `batch.csv` names it).
    pub fn page(&self, file: &Path, index: usize) -> Option<&ZonedPage> {
        self.pages.iter().find(|p| p.file == file && p.index == index)
    }
}

impl ZonedPage {
    pub fn zone(&self, number: u32) -> Option<&Zone> {
        self.zones.iter().find(|z| z.number == number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        assert!(ZoneFile::read(dir.path()).unwrap().is_none());
        let zone = Zone {
            number: 2,
            bbox: BBox { x0: 10, y0: 20, x1: 300, y1: 400 },
            kind: ZoneKind::Article,
            headline: Some("Қала тарихы".into()),
        };
        let file = ZoneFile {
            olke_zones: VERSION,
            pages: vec![ZonedPage { file: "p1.tif".into(), index: 0, width: 800, height: 1200, zones: vec![zone] }],
        };
        file.write(dir.path()).unwrap();
        let back = ZoneFile::read(dir.path()).unwrap().unwrap();
        assert_eq!(back, file);
        assert_eq!(back.page(Path::new("p1.tif"), 0).unwrap().zone(2).unwrap().bbox.x1, 300);
        std::fs::write(dir.path().join(FILE_NAME), r#"{"olke_zones": 9, "pages": []}"#).unwrap();
        assert!(ZoneFile::read(dir.path()).unwrap_err().to_string().contains("run `olke zones`"));
    }

    #[test]
    fn a_page_of_a_multi_page_file_is_named_by_its_number() {
        let files = ["p1.tif", "issue.tif", "odd:name.png"];
        assert_eq!(page_name("issue.tif", 2, true), "issue.tif:3");
        assert_eq!(page_name("p1.tif", 0, false), "p1.tif");
        for (name, file, page) in
            [("p1.tif", "p1.tif", 0), ("issue.tif:3", "issue.tif", 2), ("odd:name.png", "odd:name.png", 0)]
        {
            assert_eq!(read_page_name(name, &files), Ok((file, page)), "{name}");
            assert_eq!(read_page_name(&page_name(file, page, page > 0), &files), Ok((file, page)));
        }
        assert!(read_page_name("issue.tif:0", &files).unwrap_err().contains("counted from 1"));
        assert!(read_page_name("issue.tif:x", &files).unwrap_err().contains("not a page number"));
        assert!(read_page_name("p2.tif:1", &files).unwrap_err().contains("not among this row's files"));
    }
}
