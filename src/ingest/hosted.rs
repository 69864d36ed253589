//! Articles on shared pages: a manifest row with a `zones` column describes an article
//! printed on pages it shares with others. Its scans are archived once, in its host issue
//! (the `newspaper_issue` row whose files hold them, or one made from the articles'
//! source, date and issue number); the article becomes a record that points at the host
//! and at its zones on the host's pages, filed right after the host.
//!
//! A zone is `p1.tif#2` (zone 2 of that scan in the batch's `zones.json`) or
//! `p1.tif@120,340,900,1200` (left, top, width, height in the prepared page's pixels); on
//! a page of a multi-page TIFF, `issue.tif:3#2` and `issue.tif:3@…` (page 3, from 1).
//! What only the prepared page can tell (its size, so whether a box lies on it and
//! whether `zones.json` was drawn on this page) is checked when the article is filed.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::Entry;
use crate::page::BBox;
use crate::record::table::{Problem, Row, Table, FILES};
use crate::record::{ArticleZone, Bibliographic, DocumentRecord, DocumentType};
use crate::zones::ZoneFile;

/// The manifest column that names an article's zones.
pub(crate) const ZONES: &str = "zones";

/// A zone a manifest row names, checked as far as the manifest and `zones.json` tell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct ZoneClaim {
    /// As the row writes it (`p1.tif#2`), for messages.
    pub shown: String,
    pub file: PathBuf,
    /// The page inside `file`, from 0 (a multi-page TIFF's).
    #[serde(default)]
    pub page: usize,
    /// The scan's place among its host's files, once the host is known.
    pub scan: usize,
    pub bbox: BBox,
    /// The size of the page `zones.json` drew the zone on, for a numbered zone.
    pub drawn_on: Option<(u32, u32)>,
}

/// An article to file on its host's pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct HostedArticle {
    pub manifest: PathBuf,
    pub row: usize,
    pub id: Option<String>,
    pub bib: Bibliographic,
    pub zones: Vec<ZoneClaim>,
}

/// Whether a row is an article on shared pages (it names zones).
pub(crate) fn names_zones(row: &Row) -> bool {
    row.cell(ZONES).is_some_and(|c| !c.value.is_blank())
}

/// Reads a row's `zones` cell: each zone on one of `files` (the row's scans), its box from
/// `zone_file` for a numbered zone. Returns the zones and the reasons of those that fail.
pub(crate) fn read_zones(
    row: &Row,
    files: &[(String, PathBuf)],
    zone_file: &Result<Option<ZoneFile>, String>,
) -> (Vec<ZoneClaim>, Vec<String>) {
    let mut zones = Vec::new();
    let mut reasons = Vec::new();
    for shown in row.cell(ZONES).map(|c| c.value.items()).unwrap_or_default() {
        match read_zone(&shown, files, zone_file) {
            Ok(zone) => zones.push(zone),
            Err(reason) => reasons.push(reason),
        }
    }
    (zones, reasons)
}

fn read_zone(
    shown: &str,
    files: &[(String, PathBuf)],
    zone_file: &Result<Option<ZoneFile>, String>,
) -> Result<ZoneClaim, String> {
    let form = "write a zone as p1.tif#2 (zone 2 of zones.json), issue.tif:3#2 (on page 3 of a multi-page \
                TIFF) or p1.tif@left,top,width,height";
    let (name, number, bbox) = if let Some((name, number)) = shown.rsplit_once('#') {
        let number: u32 = number.trim().parse().map_err(|_| format!("'{shown}': {form}"))?;
        (name.trim(), Some(number), None)
    } else if let Some((name, numbers)) = shown.rsplit_once('@') {
        let numbers: Vec<u32> = numbers.split(',').filter_map(|n| n.trim().parse().ok()).collect();
        let [left, top, width, height] = numbers[..] else { return Err(format!("'{shown}': {form}")) };
        if width == 0 || height == 0 {
            return Err(format!("'{shown}': the box is empty"));
        }
        (name.trim(), None, Some(BBox { x0: left, y0: top, x1: left + width, y1: top + height }))
    } else {
        return Err(format!("'{shown}': {form}"));
    };
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    let written = name;
    let (name, page) = crate::zones::read_page_name(name, &names).map_err(|reason| format!("'{shown}': {reason}"))?;
    let file = &files.iter().find(|(n, _)| n == name).expect("read_page_name names one of the files").1;
    let claim =
        |bbox, drawn_on| ZoneClaim { shown: shown.to_string(), file: file.clone(), page, scan: 0, bbox, drawn_on };
    let Some(number) = number else { return Ok(claim(bbox.expect("a box or a number"), None)) };
    let zones = match zone_file {
        Ok(Some(zones)) => zones,
        Ok(None) => {
            return Err(format!(
                "'{shown}' names a zone, but the batch has no zones.json; run `olke zones` on the batch, \
                 or give the box as {name}@left,top,width,height"
            ))
        }
        Err(reason) => return Err(format!("'{shown}': {reason}")),
    };
    let zoned = zones.page(Path::new(name), page).ok_or_else(|| {
        let pages: Vec<String> =
            zones.pages.iter().filter(|p| p.file == Path::new(name)).map(|p| (p.index + 1).to_string()).collect();
        match pages.len() {
            0 => format!("'{shown}': zones.json has no zones for '{name}'"),
            _ => format!(
                "'{shown}': zones.json has no page {} of '{name}' (it has page {}); name one of those",
                page + 1,
                pages.join(", ")
            ),
        }
    })?;
    let zone = zoned.zone(number).ok_or_else(|| {
        let numbers: Vec<String> = zoned.zones.iter().map(|z| z.number.to_string()).collect();
        format!("'{shown}': zones.json has no zone {number} on '{written}' (it has {})", numbers.join(", "))
    })?;
    Ok(claim(zone.bbox, Some((zoned.width, zoned.height))))
}

/// Zones of earlier rows, so that one claimed twice is found.
#[derive(Default)]
pub(crate) struct Claims(Vec<(usize, ZoneClaim)>);

impl Claims {
    /// Records `row`'s zones; returns why those that cover most of a zone an earlier row
    /// claimed (or are covered by one) are refused.
    pub(crate) fn claim(&mut self, row: usize, zones: &[ZoneClaim]) -> Vec<String> {
        let mut reasons = Vec::new();
        for zone in zones {
            let taken = self.0.iter().find(|(_, other)| {
                let shared = zone.bbox.overlap(&other.bbox);
                other.file == zone.file
                    && other.page == zone.page
                    && 2 * shared > zone.bbox.area().min(other.bbox.area())
            });
            match taken {
                Some((other_row, other)) => reasons.push(format!(
                    "'{}' is claimed by row {other_row} too ('{}'); a zone belongs to one article",
                    zone.shown, other.shown
                )),
                None => self.0.push((row, zone.clone())),
            }
        }
        reasons
    }
}

/// An issue as its articles' rows tell it: the newspaper's title, the date, the number.
type IssueKey = (Option<String>, Option<String>, Option<String>);

/// Puts each article (an entry with zones) on its host: the issue entry whose files hold
/// the article's scans, else an issue made from the articles of the same source, date and
/// issue number. `issue_rows`: the row of the issue (valid or not) that lists each scan.
/// Returns the entries to archive, the hosts carrying their articles; and the problems.
pub(crate) fn assign_hosts(
    table: &Table,
    entries: Vec<Entry>,
    issue_rows: &HashMap<PathBuf, usize>,
) -> (Vec<Entry>, Vec<Problem>) {
    let (articles, mut documents): (Vec<Entry>, Vec<Entry>) = entries.into_iter().partition(|e| !e.zones.is_empty());
    let mut problems = Vec::new();
    // Issues made up from articles, by (source, date, issue), as indexes into `documents`.
    let mut made: HashMap<IssueKey, usize> = HashMap::new();
    for article in articles {
        let row = table.rows.iter().find(|r| r.number == article.row).expect("entries come from rows");
        let problem = |reason: String| table.problem(row, Some(FILES), reason);
        let listed: Vec<Option<usize>> = article.files.iter().map(|f| issue_rows.get(f).copied()).collect();
        let host = match listed.first().copied().flatten() {
            Some(issue_row) if listed.iter().all(|r| *r == Some(issue_row)) => {
                match documents.iter().position(|d| d.row == issue_row && d.zones.is_empty()) {
                    Some(host) => host,
                    None => {
                        problems.push(problem(format!("its issue (row {issue_row}) has problems; fix that row first")));
                        continue;
                    }
                }
            }
            None if listed.iter().all(Option::is_none) => {
                let key = (article.bib.source.clone(), article.bib.date.clone(), article.bib.issue.clone());
                let host = made.get(&key).copied();
                let elsewhere = article
                    .files
                    .iter()
                    .find(|f| documents.iter().enumerate().any(|(i, d)| Some(i) != host && d.files.contains(f)));
                if let Some(file) = elsewhere {
                    problems.push(problem(format!(
                        "'{}' is on the issue of another row with another source, date or issue number; \
                         give the articles of one issue the same source, date and issue",
                        file.display()
                    )));
                    continue;
                }
                let host = host.unwrap_or_else(|| {
                    documents.push(made_issue(&article));
                    made.insert(key, documents.len() - 1);
                    documents.len() - 1
                });
                for file in &article.files {
                    if !documents[host].files.contains(file) {
                        documents[host].files.push(file.clone());
                    }
                }
                host
            }
            _ => {
                problems.push(problem(
                    "its scans are not all listed by one newspaper_issue row; an article lies on one issue".into(),
                ));
                continue;
            }
        };
        documents[host].articles.push(HostedArticle {
            manifest: table.path.clone(),
            row: article.row,
            id: article.id,
            bib: article.bib,
            zones: article.zones,
        });
    }
    for &host in made.values() {
        // A made-up issue's pages in the batch's order of its scans, as a row would list them.
        documents[host].files.sort_by(|a, b| natord::compare(&a.to_string_lossy(), &b.to_string_lossy()));
    }
    for host in &mut documents {
        for zone in host.articles.iter_mut().flat_map(|a| a.zones.iter_mut()) {
            zone.scan = host.files.iter().position(|f| *f == zone.file).expect("the host holds its scans");
        }
    }
    (documents, problems)
}

/// The issue an article's row implies when no row describes it: the newspaper's title,
/// date and issue number of the article.
fn made_issue(article: &Entry) -> Entry {
    let bib = Bibliographic {
        kind: Some(DocumentType::NewspaperIssue),
        title: article.bib.source.clone().unwrap_or_default(),
        source: article.bib.source.clone(),
        date: article.bib.date.clone(),
        issue: article.bib.issue.clone(),
        year: article.bib.year,
        place: article.bib.place.clone(),
        collections: article.bib.collections.clone(),
        ..Default::default()
    };
    Entry { row: article.row, id: None, bib, files: Vec::new(), zones: Vec::new(), articles: Vec::new() }
}

/// An article's zones on its filed `host`'s pages, or why they cannot be placed there.
pub(crate) fn place(host: &DocumentRecord, article: &HostedArticle) -> Result<Vec<ArticleZone>, Vec<String>> {
    let mut zones = Vec::new();
    let mut reasons = Vec::new();
    for claim in &article.zones {
        let of_scan = host.pages.iter().filter(|p| p.source == claim.scan);
        let pages: Vec<_> = of_scan.clone().filter(|p| p.source_page == claim.page).collect();
        if pages.is_empty() {
            let count = of_scan.map(|p| p.source_page + 1).max().unwrap_or(0);
            reasons.push(format!(
                "'{}': the file has {count} page(s), no page {}; name a page from 1 to {count}",
                claim.shown,
                claim.page + 1
            ));
            continue;
        }
        let [page] = pages[..] else {
            reasons.push(format!(
                "'{}': ingest made {} pages of '{}' (a spread split in two?); zones need one page per scan",
                claim.shown,
                pages.len(),
                claim.file.display()
            ));
            continue;
        };
        if let Some((width, height)) = claim.drawn_on.filter(|size| *size != (page.width, page.height)) {
            reasons.push(format!(
                "'{}': zones.json drew its zones on a {width}×{height} page, but ingest prepared a {}×{} page \
                 of it; run `olke zones` on the batch again (with the same ingest options)",
                claim.shown, page.width, page.height
            ));
            continue;
        }
        let whole = BBox { x0: 0, y0: 0, x1: page.width, y1: page.height };
        if !whole.contains(&claim.bbox) {
            reasons.push(format!(
                "'{}': the box lies outside the page ({}×{} pixels)",
                claim.shown, page.width, page.height
            ));
            continue;
        }
        zones.push(ArticleZone { page: page.number, bbox: claim.bbox });
    }
    if reasons.is_empty() {
        Ok(zones)
    } else {
        Err(reasons)
    }
}

/// The content key of an article: its host's scans and its zones on them.
pub(crate) fn content_key(host: &DocumentRecord, zones: &[ArticleZone]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(host.content_key.as_bytes());
    hasher.update(serde_json::to_vec(zones).expect("zones serialize"));
    hex::encode(hasher.finalize())
}

/// The printed pages an article's `zones` lie on, as `source_pages` writes them (`3` or
/// `3-4`): the host's page numbers counted from its first printed page number.
pub(crate) fn printed_pages(host: &DocumentRecord, zones: &[ArticleZone]) -> String {
    let first = host.bib.first_page_number.unwrap_or(1);
    let printed = |page: u32| first + page - 1;
    let low = zones.iter().map(|z| z.page).min().map_or(first, printed);
    let high = zones.iter().map(|z| z.page).max().map_or(first, printed);
    if low == high {
        low.to_string()
    } else {
        format!("{low}-{high}")
    }
}
