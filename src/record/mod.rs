//! The archive's record of a document: what it is (bibliographic description), where it
//! came from (source files and checksums), what was made of it (pages, PDF, OCR).
//!
//! `record.json` beside each PDF holds this record; the catalogue caches it.
//!
//! Beside the record: [`fields`] (each field as text), [`table`] (descriptions as
//! bibliographers keep them, CSV or TOML), [`gost`] (the GOST 7.1 citation), [`cite`] (RIS,
//! BibTeX and CSL-JSON for reference managers), [`pages`]
//! (page ranges and selections) and [`request`] (a reader's delivery request).

pub(crate) mod article;
pub(crate) mod cite;
pub(crate) mod fields;
pub(crate) mod gost;
pub(crate) mod pages;
pub(crate) mod request;
pub(crate) mod rights_statements;
pub(crate) mod table;

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use article::ArticleZone;
pub use fields::{Edit, FieldError, Value};

use crate::page::{Preparation, RecognizedPage};

/// Version of the record layout, stored in every record and in the catalogue.
pub const SCHEMA_VERSION: u32 = 1;

/// What kind of publication a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    NewspaperArticle,
    JournalArticle,
    Book,
    BookChapter,
    /// A newspaper issue, or the pages scanned of it: the newspaper's title in `source`,
    /// with its date and issue number. Its articles are catalogued as zones on its pages.
    NewspaperIssue,
}

/// What the library may do with a document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rights {
    PublicDomain,
    /// Published under a contract with the (local) author.
    AuthorContract,
    InCopyright,
}

impl Rights {
    /// Whether a document's full text and whole PDF may be shown to anyone: public domain,
    /// or a contract with the author. A record that states no rights is treated as in
    /// copyright.
    pub fn allows_full_text(rights: Option<Rights>) -> bool {
        matches!(rights, Some(Rights::PublicDomain | Rights::AuthorContract))
    }
}

/// Marks the library reports on (rare books, local history, books about Kazakhstan).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flag {
    Rare,
    LocalHistory,
    KazakhstanContent,
}

/// What the document is, as a bibliographer describes it (the batch manifest's columns).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Bibliographic {
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<DocumentType>,
    pub title: String,
    /// "Surname, I. O.", in the order given.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub authors: Vec<String>,
    /// Newspaper or journal title, or the host book of a chapter.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `YYYY-MM-DD` or `YYYY`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<String>,
    /// Pages in the source, e.g. `4` or `46-65`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_pages: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub place: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publisher: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub year: Option<i32>,
    /// Languages as described (ISO 639-2: `kaz`, `rus`, `eng`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub language: Vec<String>,
    /// Thematic collections (folders) the document is filed in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub collections: Vec<String>,
    /// `None` when not stated: treated as in copyright.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rights: Option<Rights>,
    /// Reference and date of the author's contract.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contract: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subjects: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub flags: Vec<Flag>,
    /// The printed number of the first scanned page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_page_number: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}

/// One source file of a document, as it was when ingested.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceFile {
    /// The path given at ingest (as the user wrote it, made absolute).
    pub path: String,
    /// Name of the batch folder, and the file's path inside it: together they say which
    /// scan this is, wherever the batch folder later lives.
    pub batch: String,
    pub name: String,
    pub sha256: String,
    pub bytes: u64,
    /// The path's bytes in hex, when they are not UTF-8 (a name written in a legacy code
    /// page): `path` then shows it readably but cannot find the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_bytes: Option<String>,
}

impl SourceFile {
    /// The record of scan `path`, found in batch folder `batch` under `name`.
    pub fn at(path: &Path, batch: String, name: String, sha256: String, bytes: u64) -> SourceFile {
        use std::os::unix::ffi::OsStrExt;
        let raw = path.as_os_str();
        let path_bytes = raw.to_str().is_none().then(|| hex::encode(raw.as_bytes()));
        SourceFile { path: path.to_string_lossy().into_owned(), batch, name, sha256, bytes, path_bytes }
    }

    /// Where the scan was when it was archived, exactly.
    pub fn os_path(&self) -> PathBuf {
        use std::os::unix::ffi::OsStringExt;
        match self.path_bytes.as_deref().and_then(|h| hex::decode(h).ok()) {
            Some(bytes) => PathBuf::from(std::ffi::OsString::from_vec(bytes)),
            None => PathBuf::from(&self.path),
        }
    }

    /// `batch/name`: the identity of a scan across re-ingests.
    pub fn identity(&self) -> String {
        format!("{}/{}", self.batch, self.name)
    }
}

/// A page of the archived document, in brief; words and boxes are kept per page beside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PageSummary {
    /// Page number in the PDF, from 1.
    pub number: u32,
    /// Which source file (index into `source_files`) and which page of it.
    pub source: usize,
    pub source_page: usize,
    pub width: u32,
    pub height: u32,
    pub dpi: f32,
    pub words: usize,
    pub mean_conf: f32,
    /// Languages of the page's text, main one first (empty when there is too little text).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub languages: Vec<String>,
    #[serde(default)]
    pub preparation: Preparation,
    /// Where the page's text layer came from (absent in the record: OCR).
    #[serde(default, skip_serializing_if = "TextLayer::is_ocr")]
    pub text_layer: TextLayer,
}

impl PageSummary {
    /// The summary of a recognized page, numbered when its document is assembled.
    pub fn of(
        page: &RecognizedPage,
        source: usize,
        source_page: usize,
        preparation: Preparation,
        text_layer: TextLayer,
    ) -> PageSummary {
        PageSummary {
            number: 0,
            source,
            source_page,
            width: page.width,
            height: page.height,
            dpi: page.dpi,
            words: page.word_count(),
            mean_conf: page.mean_conf,
            languages: crate::language::detect_all(&page.text()).into_iter().map(str::to_string).collect(),
            preparation,
            text_layer,
        }
    }
}

/// Where a page's text layer came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TextLayer {
    /// olke recognized the page.
    #[default]
    Ocr,
    /// The page came from a PDF with a text layer, kept as it was, with no OCR.
    Kept,
    /// The page came from a PDF whose text layer does not map to Unicode (its words could
    /// not be searched or copied): olke recognized the page, and its text replaced that layer.
    Unmapped,
}

impl TextLayer {
    fn is_ocr(&self) -> bool {
        *self == TextLayer::Ocr
    }

    /// True when olke recognized the page's text.
    pub fn recognized(self) -> bool {
        matches!(self, TextLayer::Ocr | TextLayer::Unmapped)
    }
}

/// How the text was recognized.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OcrInfo {
    pub engine: String,
    /// The Tesseract models it was read with (`kaz+rus+eng`).
    #[serde(rename = "languages")]
    pub models: String,
}

/// The archive's record of one document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DocumentRecord {
    pub schema: u32,
    pub id: String,
    #[serde(flatten)]
    pub bib: Bibliographic,
    pub source_files: Vec<SourceFile>,
    /// SHA-256 over the source files' checksums in page order: the same scans give the
    /// same key wherever they are, which is how a re-ingest is recognized.
    pub content_key: String,
    pub pages: Vec<PageSummary>,
    /// Languages of the text (ISO 639-2), as recorded or detected.
    pub languages: Vec<String>,
    /// The PDF's path relative to the archive root.
    pub pdf: String,
    pub pdf_sha256: String,
    pub pdf_bytes: u64,
    /// Whether the PDF is PDF/A-2b; absent in records made before olke wrote PDF/A.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pdf_a: Option<crate::pdf::pdfa::PdfA>,
    pub ocr: OcrInfo,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    /// Every change of the description after ingest, oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<Edit>,
    /// For an article catalogued on the pages of a newspaper issue: the issue's id. Such
    /// a record has no scans, pages or PDF of its own; its text is read from the host's
    /// pages through `zones`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// The article's zones on the host's pages, in reading order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub zones: Vec<ArticleZone>,
    /// For a newspaper issue: the articles catalogued on its pages and the pages each lies
    /// on, written on the issue before the articles' own records are filed. A page is shown
    /// whole only when every article listed on it is found and allows it, so neither an
    /// ingest killed between the issue and its articles, nor a reader of a list of
    /// documents older than the issue, nor an article's folder removed by hand shows an
    /// article its rights keep back.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub articles: Vec<article::Hosted>,
}

impl DocumentRecord {
    /// Mean word confidence over all pages, weighted by words.
    /// Pages kept from a source PDF with their own text layer.
    pub fn kept_pages(&self) -> usize {
        self.pages.iter().filter(|p| p.text_layer == TextLayer::Kept).count()
    }

    pub fn mean_conf(&self) -> f32 {
        // A kept text layer has no recognition confidence.
        let recognized = || self.pages.iter().filter(|p| p.text_layer.recognized());
        let words: usize = recognized().map(|p| p.words).sum();
        if words == 0 {
            return 0.0;
        }
        recognized().map(|p| p.mean_conf * p.words as f32).sum::<f32>() / words as f32
    }

    /// Whether its full text and whole PDF may be shown (see [`Rights::allows_full_text`]).
    /// Never a newspaper issue's: its pages carry articles with rights of their own, and
    /// a record alone cannot tell whether each of them may be shown (the articles may, as
    /// their zones; delivery checks every article on the pages it gives whole). Whatever
    /// shows a page asks [`Self::page_shown`], which knows the articles.
    pub fn full_text_allowed(&self) -> bool {
        self.bib.kind != Some(DocumentType::NewspaperIssue) && Rights::allows_full_text(self.bib.rights)
    }

    /// The GOST 7.1 description, made from the record as it is now (never stored, so it
    /// cannot go stale).
    pub fn citation(&self) -> String {
        gost::describe(&self.bib, self.pages.len(), &self.languages)
    }
}

/// A thematic collection with what it holds.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CollectionSummary {
    pub name: String,
    pub documents: usize,
    pub pages: usize,
    pub ids: Vec<String>,
}

/// The collections of `records`, in natural order of their names; a document counts in
/// every collection it is filed in.
pub fn collections(records: &[DocumentRecord]) -> Vec<CollectionSummary> {
    let mut summaries: Vec<CollectionSummary> = Vec::new();
    for record in records {
        for name in &record.bib.collections {
            let index = match summaries.iter().position(|c| &c.name == name) {
                Some(index) => index,
                None => {
                    summaries.push(CollectionSummary { name: name.clone(), documents: 0, pages: 0, ids: Vec::new() });
                    summaries.len() - 1
                }
            };
            let summary = &mut summaries[index];
            summary.documents += 1;
            summary.pages += record.pages.len();
            summary.ids.push(record.id.clone());
        }
    }
    summaries.sort_by(|a, b| natord::compare(&a.name, &b.name));
    summaries
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A record of a document with the given fields and no pages.
    pub(crate) fn document(id: &str, cells: &[(&str, &str)]) -> DocumentRecord {
        let mut bib = Bibliographic::default();
        for (field, value) in cells {
            bib.set(field, &Value::Text(value.to_string())).unwrap();
        }
        let time = "2024-03-05T10:00:00Z".parse().unwrap();
        DocumentRecord {
            schema: SCHEMA_VERSION,
            id: id.into(),
            bib,
            source_files: Vec::new(),
            content_key: String::new(),
            pages: Vec::new(),
            languages: vec!["kaz".into()],
            pdf: crate::archive::Archive::pdf_relative(id),
            pdf_sha256: String::new(),
            pdf_bytes: 0,
            pdf_a: None,
            ocr: OcrInfo { engine: "Tesseract".into(), models: "kaz".into() },
            created: time,
            updated: time,
            history: Vec::new(),
            host: None,
            zones: Vec::new(),
            articles: Vec::new(),
        }
    }

    /// A page of no particular content, for records whose pages only need counting.
    pub(crate) fn page() -> PageSummary {
        PageSummary {
            number: 1,
            source: 0,
            source_page: 0,
            width: 10,
            height: 10,
            dpi: 300.0,
            words: 0,
            mean_conf: 0.0,
            languages: Vec::new(),
            preparation: Preparation::default(),
            text_layer: Default::default(),
        }
    }

    #[test]
    fn collections_count_documents_and_pages_and_a_document_may_be_in_several() {
        let mut a = document("a", &[("title", "A"), ("collections", "Батырлар; Әдебиет")]);
        a.pages = vec![page(), page()];
        let mut b = document("b", &[("title", "B"), ("collections", "Әдебиет")]);
        b.pages = vec![page()];
        let c = document("c", &[("title", "C")]);
        let summary: Vec<(String, usize, usize, Vec<String>)> =
            collections(&[a, b, c]).into_iter().map(|s| (s.name, s.documents, s.pages, s.ids)).collect();
        assert_eq!(
            summary,
            vec![
                ("Батырлар".to_string(), 1, 2, vec!["a".to_string()]),
                ("Әдебиет".to_string(), 2, 3, vec!["a".to_string(), "b".to_string()]),
            ]
        );
    }

    #[test]
    fn an_issue_is_never_shown_whole() {
        let issue = document("i", &[("title", "Пульс"), ("type", "newspaper_issue"), ("rights", "public_domain")]);
        let article = document("a", &[("title", "A"), ("type", "newspaper_article"), ("rights", "public_domain")]);
        assert!(!issue.full_text_allowed() && article.full_text_allowed());
    }

    #[test]
    fn old_records_without_history_still_load() {
        let mut json = serde_json::to_value(document("a", &[("title", "A")])).unwrap();
        json.as_object_mut().unwrap().remove("history");
        let record: DocumentRecord = serde_json::from_value(json).unwrap();
        assert!(record.history.is_empty());
    }
}
