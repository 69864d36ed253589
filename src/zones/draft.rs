//! The draft manifest `BATCH/batch.zones.csv`: one row per proposed article, in the
//! columns of `batch.csv`, for the bibliographer to correct and take over (the
//! bibliographer's own `batch.csv` is never written). An article whose part on one page
//! says where it goes on («Соңы 2-бетте») is one row with the zones of both pages, when
//! that page has a part saying where it began («Басы 1-бетте»).

use std::path::{Path, PathBuf};

use super::continued::{continued_from, continued_on};
use crate::record::fields::FIELDS;
use crate::record::table::{FILES, ID};

/// The draft's name in the batch folder.
pub(crate) const FILE_NAME: &str = "batch.zones.csv";
/// The column naming an article's zones.
pub(crate) const ZONES: &str = "zones";

/// A newspaper page as the draft sees it: its scan and its articles.
#[derive(Clone, Debug)]
pub(crate) struct DraftPage {
    /// The scan as `batch.csv` names it.
    pub file: String,
    /// The page as a zone names it: the scan's name, with the page's number in a
    /// multi-page file (`issue.tif:2`).
    pub page: String,
    pub articles: Vec<PageArticle>,
}

/// An article's part on one page.
#[derive(Clone, Debug)]
pub(crate) struct PageArticle {
    pub zones: Vec<u32>,
    pub headline: Option<String>,
    /// The words read in its zones.
    pub text: String,
}

/// A row of the draft.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct DraftRow {
    pub files: Vec<String>,
    /// `p1.tif#2` for each zone.
    pub zones: Vec<String>,
    pub title: String,
    pub notes: String,
}

/// The draft's article rows. Pages are numbered from 1 in the order given (an issue's pages
/// in order), which is how a note's page number is found.
pub(crate) fn rows(pages: &[DraftPage]) -> Vec<DraftRow> {
    let zones = |page: &DraftPage, article: &PageArticle| -> Vec<String> {
        article.zones.iter().map(|n| format!("{}#{n}", page.page)).collect()
    };
    let mut joined: Vec<(usize, usize)> = Vec::new();
    let mut rows = Vec::new();
    for (p, page) in pages.iter().enumerate() {
        for (a, article) in page.articles.iter().enumerate() {
            if joined.contains(&(p, a)) {
                continue;
            }
            let mut row = DraftRow {
                files: vec![page.file.clone()],
                zones: zones(page, article),
                title: article.headline.clone().unwrap_or_default(),
                notes: if article.headline.is_none() {
                    "no headline found: check the zones".into()
                } else {
                    String::new()
                },
            };
            if let Some(to) = continued_on(&article.text) {
                let here = p as u32 + 1;
                let rest = pages.get(to as usize - 1).filter(|_| to >= 1).and_then(|next| {
                    let b = next.articles.iter().position(|r| continued_from(&r.text) == Some(here))?;
                    Some((to as usize - 1, b))
                });
                match rest {
                    Some((q, b)) if !joined.contains(&(q, b)) && q != p => {
                        joined.push((q, b));
                        if !row.files.contains(&pages[q].file) {
                            row.files.push(pages[q].file.clone());
                        }
                        row.zones.extend(zones(&pages[q], &pages[q].articles[b]));
                    }
                    _ => row.notes = format!("continued on page {to}, whose part was not found: add its zones"),
                }
            }
            rows.push(row);
        }
    }
    rows
}

/// The draft's columns: those of `batch.csv`, and `zones`.
fn columns() -> Vec<&'static str> {
    let mut columns = vec![FILES, ID];
    columns.extend(FIELDS);
    columns.push(ZONES);
    columns
}

/// Writes the draft into batch folder `batch`: the article rows, then a row for the issue
/// naming all its pages.
pub(crate) fn write(batch: &Path, pages: &[String], rows: &[DraftRow]) -> Result<PathBuf, std::io::Error> {
    let columns = columns();
    let mut out = csv::Writer::from_writer(Vec::new());
    out.write_record(&columns)?;
    let mut record = |files: &[String], kind: &str, title: &str, zones: &[String], notes: &str| {
        let cells: Vec<String> = columns
            .iter()
            .map(|&c| match c {
                FILES => files.join(";"),
                "type" => kind.to_string(),
                "title" => title.to_string(),
                "notes" => notes.to_string(),
                ZONES => zones.join(";"),
                _ => String::new(),
            })
            .collect();
        out.write_record(&cells)
    };
    for row in rows {
        record(&row.files, "newspaper_article", &row.title, &row.zones, &row.notes)?;
    }
    record(pages, "newspaper_issue", "", &[], "")?;
    let bytes = out.into_inner().map_err(|e| e.into_error())?;
    let path = batch.join(FILE_NAME);
    crate::archive::write_atomic(&path, &bytes)?;
    Ok(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::table;

    fn page(file: &str, articles: Vec<PageArticle>) -> DraftPage {
        DraftPage { file: file.into(), page: file.into(), articles }
    }

    fn article(zones: &[u32], headline: Option<&str>, text: &str) -> PageArticle {
        PageArticle { zones: zones.to_vec(), headline: headline.map(str::to_string), text: text.into() }
    }

    #[test]
    fn a_continued_article_is_one_row_with_the_zones_of_both_pages() {
        let pages = vec![
            page(
                "p1.tif",
                vec![
                    article(&[2], Some("Қала тарихы"), "Қала тарихы … Соңы 2-бетте"),
                    article(&[3, 4], Some("Кітапхана"), "…"),
                ],
            ),
            page("p2.tif", vec![article(&[1], None, "…"), article(&[2], Some("Қала тарихы"), "(Басы 1-бетте) …")]),
        ];
        let rows = rows(&pages);
        assert_eq!(rows.len(), 3);
        assert_eq!(rows[0].files, vec!["p1.tif", "p2.tif"]);
        assert_eq!(rows[0].zones, vec!["p1.tif#2", "p2.tif#2"]);
        assert_eq!(rows[1].zones, vec!["p1.tif#3", "p1.tif#4"]);
        assert_eq!(rows[2].title, "");
        assert!(rows[2].notes.contains("no headline"));
    }

    #[test]
    fn a_continuation_not_found_is_said_so() {
        let pages = vec![page("p1.tif", vec![article(&[1], Some("Х"), "Окончание на стр. 4")])];
        assert!(rows(&pages)[0].notes.contains("continued on page 4"));
    }

    #[test]
    fn zones_on_the_pages_of_one_multi_page_file_name_their_page() {
        let pages = vec![
            DraftPage {
                file: "issue.tif".into(),
                page: "issue.tif:1".into(),
                articles: vec![article(&[1], Some("Қала тарихы"), "… Соңы 2-бетте")],
            },
            DraftPage {
                file: "issue.tif".into(),
                page: "issue.tif:2".into(),
                articles: vec![article(&[1], Some("Қала тарихы"), "(Басы 1-бетте) …"), article(&[2], Some("Ә"), "…")],
            },
        ];
        let rows = rows(&pages);
        assert_eq!(rows[0].files, vec!["issue.tif"], "the file once");
        assert_eq!(rows[0].zones, vec!["issue.tif:1#1", "issue.tif:2#1"]);
        assert_eq!(rows[1].zones, vec!["issue.tif:2#2"]);
    }

    #[test]
    fn the_draft_reads_as_a_manifest_table_with_the_batch_columns() {
        let dir = tempfile::tempdir().unwrap();
        let row = DraftRow {
            files: vec!["p1.tif".into()],
            zones: vec!["p1.tif#2".into(), "p1.tif#3".into()],
            title: "Қала, тарихы".into(),
            notes: String::new(),
        };
        let path = write(dir.path(), &["p1.tif".into(), "p2.tif".into()], &[row]).unwrap();
        let mut problems = Vec::new();
        let table = table::read_csv(&path, &mut problems).expect("a table");
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(table.columns, columns().iter().map(|c| c.to_string()).collect::<Vec<_>>());
        assert_eq!(table.rows.len(), 2);
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains("p1.tif#2;p1.tif#3"), "{text}");
        assert!(text.contains("\"Қала, тарихы\""), "{text}");
        assert!(text.contains("p1.tif;p2.tif,,newspaper_issue"), "{text}");
    }
}
