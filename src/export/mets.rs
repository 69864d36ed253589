//! METS 1.12.1 packages, one folder per document: `mets.xml`, the PDF and an ALTO file per
//! page (`alto/0001.xml`). The archive keeps no page images apart from the PDF, so a page
//! is its PDF page: a file nested in the PDF's entry, located by an RFC 8118 fragment
//! (`ID.pdf#page=3`).
//!
//! `mets.xml` holds the description as MODS 3.7 (the METS community's descriptive format,
//! which viewers and repositories such as the DFG-Viewer, Goobi and Kitodo read) wrapped in
//! `dmdSec`; the MODS schema is not at hand offline, and METS takes `xmlData` laxly, so it
//! is checked for well-formedness there. The rights are `rightsMD` (METSRights); the
//! `fileSec` lists every file with its SHA-256 and MIME type; the physical `structMap` has
//! the pages (the PDF page and the ALTO of each), the logical one the document, linked to
//! its pages by `structLink`.
//!
//! A work whose rights do not allow its text to be shown gets a package of metadata only:
//! no PDF and no ALTO, its pages listed without files.
//!
//! A newspaper issue's package holds the pages that may be shown whole
//! ([`DocumentRecord::page_shown`]: the issue's rights and every article's on the page
//! allow): each page's ALTO and its PDF page, as a fragment of the issue's PDF when every page may be
//! shown, else as a single-page PDF of its own; the other pages are listed without files.
//! Its logical structure has a div `TYPE="article"` (the type the package's own top div uses) per article it hosts (as the
//! Europeana Newspapers and ENMAP profiles do), with the article's MODS and rights; an
//! article all of whose zones lie on pages in the package points at them as ALTO
//! TextBlocks in reading order (`mets:area BETYPE="IDREF" BEGIN="P2_Zid_1"`, see
//! [`alto::zone_block_id`]), any other is described only. A hosted article's own package
//! (where its rights allow its text) holds the ALTO of the issue's pages it lies on with
//! its zones' words only, and points at them the same way.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::xml::Xml;
use super::{alto, marc, ExportError};
use crate::archive::{files, sha256_file, write_atomic, Archive};
use crate::config::Library;
use crate::page::{BBox, Line, RecognizedPage};
use crate::path_error::at;
use crate::pdf::import::{PageCopier, SourcePdf};
use crate::pdf::writer::PdfWriter;
use crate::pdf::Metadata;
use crate::record::article::{articles_of, outside_withheld, withheld_zones};
use crate::record::gost::{self, Conventions};
use crate::record::rights_statements::{statement, Statement};
use crate::record::{DocumentRecord, DocumentType, Rights};

const METS: &str = "http://www.loc.gov/METS/";
const MODS: &str = "http://www.loc.gov/mods/v3";
const METS_RIGHTS: &str = "http://cosimo.stanford.edu/sdr/metsrights/";
const XLINK: &str = "http://www.w3.org/1999/xlink";
const SCHEMA_LOCATION: &str = "http://www.loc.gov/METS/ http://www.loc.gov/standards/mets/version1121/mets.xsd";

/// A file of the package: its path in the package, checksum and size.
pub(crate) struct PackageFile {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// A page the package holds: its ALTO, and its PDF page as a file of its own when the
/// whole PDF is not in the package (an issue some of whose pages may not be shown).
pub(crate) struct PageContent {
    /// The page's number in its document (a hosted article's: in its issue).
    pub number: u32,
    pub own_pdf: Option<PackageFile>,
    pub alto: PackageFile,
}

/// The package's content files: the whole PDF when every page may be shown, and the pages
/// that may be shown.
pub(crate) struct Content {
    pub pdf: Option<PackageFile>,
    pub pages: Vec<PageContent>,
}

impl Content {
    fn holds(&self, page: u32) -> bool {
        self.pages.iter().any(|p| p.number == page)
    }
}

fn attrs<const N: usize>(pairs: [(&'static str, &str); N]) -> Vec<(&'static str, String)> {
    pairs.into_iter().map(|(k, v)| (k, v.to_string())).collect()
}

/// The record's description as MODS.
fn mods(xml: &mut Xml, record: &DocumentRecord, library: &Library, pdf_url: Option<&str>) {
    let bib = &record.bib;
    let conventions = Conventions::for_record(bib, &record.languages);
    xml.open("mods:mods", &attrs([("version", "3.7")]));
    xml.open("mods:titleInfo", &[]);
    xml.text("mods:title", &[], &bib.title);
    if gost::is_issue(bib) {
        // The day and number that tell an issue from the newspaper's others.
        let issue = gost::issue_area(bib, &conventions);
        if !issue.is_empty() {
            xml.text("mods:partNumber", &[], &issue);
        }
    }
    xml.close("mods:titleInfo");
    for author in &bib.authors {
        xml.open("mods:name", &attrs([("type", "personal")]));
        xml.text("mods:namePart", &[], author);
        xml.open("mods:role", &[]);
        xml.text("mods:roleTerm", &attrs([("type", "code"), ("authority", "marcrelator")]), "aut");
        xml.close("mods:role");
        xml.close("mods:name");
    }
    xml.text("mods:typeOfResource", &[], "text");
    let genre = match bib.kind {
        Some(DocumentType::Book) | None => "book",
        Some(DocumentType::BookChapter | DocumentType::NewspaperArticle | DocumentType::JournalArticle) => "article",
        Some(DocumentType::NewspaperIssue) => "newspaper",
    };
    xml.text("mods:genre", &attrs([("authority", "marcgt")]), genre);
    let year = gost::publication_year(bib).map(|y| y.to_string());
    let date = bib.date.clone().or(year);
    if !gost::is_part(bib) && (bib.place.is_some() || bib.publisher.is_some() || date.is_some()) {
        xml.open("mods:originInfo", &attrs([("eventType", "publication")]));
        if let Some(place) = &bib.place {
            xml.open("mods:place", &[]);
            xml.text("mods:placeTerm", &attrs([("type", "text")]), place);
            xml.close("mods:place");
        }
        if let Some(publisher) = &bib.publisher {
            xml.text("mods:publisher", &[], publisher);
        }
        if let Some(date) = &date {
            xml.text("mods:dateIssued", &attrs([("encoding", "w3cdtf"), ("keyDate", "yes")]), date);
        }
        xml.close("mods:originInfo");
    }
    xml.open("mods:originInfo", &attrs([("eventType", "digitization")]));
    xml.text("mods:publisher", &[], marc::agency_name(library, &conventions));
    xml.text("mods:dateCaptured", &attrs([("encoding", "w3cdtf")]), &record.created.format("%Y-%m-%d").to_string());
    xml.close("mods:originInfo");
    let languages = if bib.language.is_empty() { &record.languages } else { &bib.language };
    for language in languages {
        xml.open("mods:language", &[]);
        xml.text(
            "mods:languageTerm",
            &attrs([("type", "code"), ("authority", "iso639-2b")]),
            marc::marc_language(language),
        );
        xml.close("mods:language");
    }
    xml.open("mods:physicalDescription", &[]);
    xml.text("mods:form", &attrs([("authority", "marcform")]), "electronic");
    // A hosted article has no PDF of its own: its text is its zones on the issue's pages.
    if !record.is_hosted() {
        xml.text("mods:internetMediaType", &[], "application/pdf");
    }
    if let Some(extent) = gost::extent(bib, record.pages.len(), &conventions) {
        xml.text("mods:extent", &[], &extent);
    }
    xml.text("mods:digitalOrigin", &[], "reformatted digital");
    xml.close("mods:physicalDescription");
    if let Some(notes) = &bib.notes {
        xml.text("mods:note", &[], notes);
    }
    for subject in &bib.subjects {
        xml.open("mods:subject", &[]);
        xml.text("mods:topic", &[], subject);
        xml.close("mods:subject");
    }
    for collection in &bib.collections {
        xml.open("mods:subject", &attrs([("authority", "local"), ("displayLabel", "collection")]));
        xml.text("mods:topic", &[], collection);
        xml.close("mods:subject");
    }
    if let (true, Some(source)) = (gost::is_part(bib), &bib.source) {
        xml.open("mods:relatedItem", &attrs([("type", "host")]));
        xml.open("mods:titleInfo", &[]);
        xml.text("mods:title", &[], source);
        xml.close("mods:titleInfo");
        xml.open("mods:part", &[]);
        if let Some(issue) = &bib.issue {
            xml.open("mods:detail", &attrs([("type", "issue")]));
            xml.text("mods:number", &[], issue);
            xml.close("mods:detail");
        }
        if let Some(pages) = &bib.source_pages {
            let (start, end) = pages.split_once('-').unwrap_or((pages, pages));
            xml.open("mods:extent", &attrs([("unit", "pages")]));
            xml.text("mods:start", &[], start.trim());
            xml.text("mods:end", &[], end.trim());
            xml.close("mods:extent");
        }
        if let Some(date) = &date {
            xml.text("mods:date", &attrs([("encoding", "w3cdtf")]), date);
        }
        xml.close("mods:part");
        xml.close("mods:relatedItem");
    }
    let Statement { en: terms, uri, .. } = statement(bib.rights);
    xml.text("mods:accessCondition", &attrs([("type", "use and reproduction"), ("xlink:href", uri)]), terms);
    xml.text("mods:identifier", &attrs([("type", "local")]), &record.id);
    if let Some(url) = pdf_url {
        xml.open("mods:location", &[]);
        xml.text("mods:url", &attrs([("access", "raw object")]), url);
        xml.close("mods:location");
    }
    xml.open("mods:recordInfo", &[]);
    xml.text("mods:recordContentSource", &attrs([("authority", "marcorg")]), &library.marc_code);
    xml.text("mods:recordCreationDate", &attrs([("encoding", "w3cdtf")]), &record.created.to_rfc3339());
    xml.text("mods:recordChangeDate", &attrs([("encoding", "w3cdtf")]), &record.updated.to_rfc3339());
    xml.text("mods:recordIdentifier", &[], &record.id);
    xml.close("mods:recordInfo");
    xml.close("mods:mods");
}

/// METSRights categories of the record's rights.
fn rights(xml: &mut Xml, rights: Option<Rights>) {
    let Statement { en: terms, uri, .. } = statement(rights);
    let category = match rights {
        Some(Rights::PublicDomain) => vec![("RIGHTSCATEGORY", "PUBLIC DOMAIN")],
        Some(Rights::AuthorContract) => vec![("RIGHTSCATEGORY", "CONTRACTUAL")],
        Some(Rights::InCopyright) => vec![("RIGHTSCATEGORY", "COPYRIGHTED")],
        None => vec![("RIGHTSCATEGORY", "OTHER"), ("OTHERCATEGORYTYPE", "UNDETERMINED")],
    };
    let mut attributes: Vec<(&str, String)> = vec![("xmlns:metsrights", METS_RIGHTS.into())];
    attributes.extend(category.into_iter().map(|(k, v)| (k, v.to_string())));
    xml.open("metsrights:RightsDeclarationMD", &attributes);
    xml.text("metsrights:RightsDeclaration", &attrs([("CONTEXT", uri)]), terms);
    xml.close("metsrights:RightsDeclarationMD");
}

fn file_attributes(id: &str, mimetype: &str, file: &PackageFile) -> Vec<(&'static str, String)> {
    attrs([
        ("ID", id),
        ("MIMETYPE", mimetype),
        ("SIZE", &file.bytes.to_string()),
        ("CHECKSUM", &file.sha256),
        ("CHECKSUMTYPE", "SHA-256"),
    ])
}

fn page_id(number: u32) -> String {
    format!("PHYS_{number:04}")
}

fn alto_id(number: u32) -> String {
    format!("ALTO_{number:04}")
}

fn pdf_page_id(number: u32) -> String {
    format!("PDF_{number:04}")
}

/// The logical div of an article hosted by the issue (the IDs are derived from its id,
/// which an XML ID may hold after a letter).
fn article_div_id(article: &DocumentRecord) -> String {
    format!("ART_{}", article.id)
}

fn dmd_id(article: &DocumentRecord) -> String {
    format!("DMD_{}", article_div_id(article))
}

fn rights_id(article: &DocumentRecord) -> String {
    format!("RIGHTS_{}", article_div_id(article))
}

/// The ALTO TextBlocks of a hosted article's zones, in reading order, each with its page
/// — when `content` holds every page they lie on; else none (an article is pointed at
/// whole or not at all).
fn article_areas(article: &DocumentRecord, content: Option<&Content>) -> Option<Vec<(u32, String)>> {
    let content = content?;
    (!article.zones.is_empty() && article.zones.iter().all(|z| content.holds(z.page))).then(|| {
        let zones = article.zones.iter().enumerate();
        zones.map(|(k, zone)| (zone.page, alto::zone_block_id(zone.page, &article.id, k + 1))).collect()
    })
}

/// An `fptr` to the areas, in reading order: each an ALTO TextBlock.
fn area_pointer(xml: &mut Xml, areas: &[(u32, String)]) {
    xml.open("mets:fptr", &[]);
    xml.open("mets:seq", &[]);
    for (page, block) in areas {
        xml.empty("mets:area", &attrs([("FILEID", &alto_id(*page)), ("BETYPE", "IDREF"), ("BEGIN", block)]));
    }
    xml.close("mets:seq");
    xml.close("mets:fptr");
}

fn md_wrap(xml: &mut Xml, mdtype: &str, write: impl FnOnce(&mut Xml)) {
    xml.open("mets:mdWrap", &attrs([("MDTYPE", mdtype), ("MIMETYPE", "text/xml")]));
    xml.open("mets:xmlData", &[]);
    write(xml);
    xml.close("mets:xmlData");
    xml.close("mets:mdWrap");
}

/// The METS document of `record`, with `content` (the files its rights allow to be
/// shown, if any). `pages` are the page numbers of the physical structure (a hosted
/// article's: its issue's pages it lies on); `articles` an issue's articles, in reading
/// order, each given a logical div of its own with its description and rights.
pub(crate) fn document(
    record: &DocumentRecord,
    pages: &[u32],
    content: Option<&Content>,
    articles: &[&DocumentRecord],
    library: &Library,
    pdf_url: Option<&str>,
) -> String {
    let bib = &record.bib;
    let mut xml = Xml::new();
    let kind = match bib.kind {
        Some(DocumentType::Book) | None => "monograph",
        Some(DocumentType::BookChapter) => "chapter",
        Some(DocumentType::NewspaperArticle | DocumentType::JournalArticle) => "article",
        Some(DocumentType::NewspaperIssue) => "issue",
    };
    xml.open(
        "mets:mets",
        &attrs([
            ("xmlns:mets", METS),
            ("xmlns:mods", MODS),
            ("xmlns:xlink", XLINK),
            ("xmlns:xsi", "http://www.w3.org/2001/XMLSchema-instance"),
            ("xsi:schemaLocation", SCHEMA_LOCATION),
            ("OBJID", &record.id),
            ("LABEL", &bib.title),
            ("TYPE", kind),
        ]),
    );
    let created = record.created.to_rfc3339();
    let updated = record.updated.to_rfc3339();
    xml.open("mets:metsHdr", &attrs([("CREATEDATE", &created), ("LASTMODDATE", &updated)]));
    xml.open("mets:agent", &attrs([("ROLE", "CREATOR"), ("TYPE", "ORGANIZATION")]));
    xml.text("mets:name", &[], &library.name_kk);
    xml.text("mets:note", &[], &library.name_ru);
    xml.close("mets:agent");
    xml.open("mets:agent", &attrs([("ROLE", "CREATOR"), ("TYPE", "OTHER"), ("OTHERTYPE", "SOFTWARE")]));
    xml.text("mets:name", &[], &format!("olke {}", env!("CARGO_PKG_VERSION")));
    xml.close("mets:agent");
    xml.close("mets:metsHdr");

    let described =
        std::iter::once(("DMD".to_string(), record)).chain(articles.iter().map(|&article| (dmd_id(article), article)));
    for (id, described) in described {
        xml.open("mets:dmdSec", &attrs([("ID", &id)]));
        md_wrap(&mut xml, "MODS", |xml| mods(xml, described, library, if id == "DMD" { pdf_url } else { None }));
        xml.close("mets:dmdSec");
    }

    xml.open("mets:amdSec", &attrs([("ID", "AMD")]));
    let rights_of = std::iter::once(("RIGHTS".to_string(), record))
        .chain(articles.iter().map(|&article| (rights_id(article), article)));
    for (id, of) in rights_of {
        xml.open("mets:rightsMD", &attrs([("ID", &id)]));
        md_wrap(&mut xml, "METSRIGHTS", |xml| rights(xml, of.bib.rights));
        xml.close("mets:rightsMD");
    }
    xml.close("mets:amdSec");

    if let Some(content) = content {
        xml.open("mets:fileSec", &[]);
        if content.pdf.is_some() || content.pages.iter().any(|p| p.own_pdf.is_some()) {
            xml.open("mets:fileGrp", &attrs([("USE", "PDF")]));
            if let Some(pdf) = &content.pdf {
                // The pages nested in the PDF's entry, each located by an RFC 8118 fragment.
                xml.open("mets:file", &file_attributes("PDF", "application/pdf", pdf));
                xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &pdf.path)]));
                for page in &content.pages {
                    let number = page.number;
                    xml.open("mets:file", &attrs([("ID", &pdf_page_id(number)), ("MIMETYPE", "application/pdf")]));
                    let href = format!("{}#page={number}", pdf.path);
                    xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &href)]));
                    xml.close("mets:file");
                }
                xml.close("mets:file");
            }
            for page in &content.pages {
                if let (None, Some(file)) = (&content.pdf, &page.own_pdf) {
                    xml.open("mets:file", &file_attributes(&pdf_page_id(page.number), "application/pdf", file));
                    xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &file.path)]));
                    xml.close("mets:file");
                }
            }
            xml.close("mets:fileGrp");
        }
        xml.open("mets:fileGrp", &attrs([("USE", "FULLTEXT")]));
        for page in &content.pages {
            xml.open("mets:file", &file_attributes(&alto_id(page.number), "text/xml", &page.alto));
            xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &page.alto.path)]));
            xml.close("mets:file");
        }
        xml.close("mets:fileGrp");
        xml.close("mets:fileSec");
    }

    xml.open("mets:structMap", &attrs([("TYPE", "PHYSICAL")]));
    xml.open("mets:div", &attrs([("ID", "PHYS"), ("TYPE", "physSequence")]));
    for (n, &number) in pages.iter().enumerate() {
        let order = n + 1;
        let mut attributes = attrs([("ID", &page_id(number)), ("TYPE", "page"), ("ORDER", &order.to_string())]);
        match (record.is_hosted(), bib.first_page_number) {
            // The issue's page number.
            (true, _) => attributes.push(("ORDERLABEL", number.to_string())),
            (false, Some(first)) => attributes.push(("ORDERLABEL", (first + number - 1).to_string())),
            (false, None) => {}
        }
        xml.open("mets:div", &attributes);
        if let Some(page) = content.and_then(|c| c.pages.iter().find(|p| p.number == number)) {
            if content.is_some_and(|c| c.pdf.is_some()) || page.own_pdf.is_some() {
                xml.empty("mets:fptr", &attrs([("FILEID", &pdf_page_id(number))]));
            }
            xml.empty("mets:fptr", &attrs([("FILEID", &alto_id(number))]));
        }
        xml.close("mets:div");
    }
    xml.close("mets:div");
    xml.close("mets:structMap");

    xml.open("mets:structMap", &attrs([("TYPE", "LOGICAL")]));
    xml.open(
        "mets:div",
        &attrs([("ID", "LOG"), ("TYPE", kind), ("LABEL", &bib.title), ("DMDID", "DMD"), ("ADMID", "RIGHTS")]),
    );
    if content.is_some_and(|c| c.pdf.is_some()) {
        xml.empty("mets:fptr", &attrs([("FILEID", "PDF")]));
    } else if let Some(areas) = article_areas(record, content) {
        area_pointer(&mut xml, &areas);
    }
    for (n, article) in articles.iter().enumerate() {
        xml.open(
            "mets:div",
            &attrs([
                ("ID", &article_div_id(article)),
                ("TYPE", "article"),
                ("ORDER", &(n + 1).to_string()),
                ("LABEL", &article.bib.title),
                ("DMDID", &dmd_id(article)),
                ("ADMID", &rights_id(article)),
            ]),
        );
        if let Some(areas) = article_areas(article, content) {
            area_pointer(&mut xml, &areas);
        }
        xml.close("mets:div");
    }
    xml.close("mets:div");
    xml.close("mets:structMap");

    if !pages.is_empty() {
        xml.open("mets:structLink", &[]);
        for &number in pages {
            xml.empty("mets:smLink", &attrs([("xlink:from", "LOG"), ("xlink:to", &page_id(number))]));
        }
        for article in articles {
            for number in article.host_pages() {
                xml.empty(
                    "mets:smLink",
                    &attrs([("xlink:from", &article_div_id(article)), ("xlink:to", &page_id(number))]),
                );
            }
        }
        xml.close("mets:structLink");
    }
    xml.close("mets:mets");
    xml.finish()
}

/// What a package holds, for the summary.
pub struct Package {
    pub id: String,
    pub dir: PathBuf,
    /// False when the rights keep every file out.
    pub content: bool,
}

/// Writes `text` as the package file `path` of `dir`.
fn package_file(dir: &Path, path: String, bytes: &[u8]) -> Result<PackageFile, ExportError> {
    write_atomic(&dir.join(&path), bytes).map_err(at(&dir.join(&path)))?;
    let sha256 = hex::encode(Sha256::digest(bytes));
    Ok(PackageFile { path, sha256, bytes: bytes.len() as u64 })
}

/// Page `number` of `record`'s PDF as a PDF of its own, at `path` in `dir`.
fn single_page_pdf(
    archive: &Archive,
    record: &DocumentRecord,
    number: u32,
    dir: &Path,
    path: String,
) -> Result<PackageFile, ExportError> {
    let failed = |reason: String| ExportError::PagePdf { id: record.id.clone(), page: number, reason };
    let source = SourcePdf::open(&archive.pdf_path(&record.id)).map_err(|e| failed(e.to_string()))?;
    let mut writer = PdfWriter::new(Vec::new()).map_err(|e| failed(e.to_string()))?;
    PageCopier::new().copy_page(&source, &mut writer, number).map_err(|e| failed(e.to_string()))?;
    let bytes = writer.finish(&Metadata::of(record)).map_err(|e| failed(e.to_string()))?;
    package_file(dir, path, &bytes)
}

/// `page` with only the words whose centre lies inside one of `zones`.
fn words_inside(page: &RecognizedPage, zones: &[alto::ZoneBlock]) -> RecognizedPage {
    let inside = |bbox: &BBox| zones.iter().any(|z| z.bbox.holds_centre_of(bbox));
    let lines = page
        .lines
        .iter()
        .filter(|line| line.words.iter().any(|w| inside(&w.bbox)))
        .map(|line| Line { words: line.words.iter().filter(|w| inside(&w.bbox)).cloned().collect(), ..line.clone() })
        .collect();
    RecognizedPage { lines, ..page.clone() }
}

/// Writes `record`'s package to `out/ID`, replacing an earlier package there. `documents`
/// are the archive's (an issue's articles and an article's issue are read from them).
pub fn write_package(
    archive: &Archive,
    record: &DocumentRecord,
    documents: &[DocumentRecord],
    out: &Path,
    library: &Library,
    pdf_url: Option<&str>,
) -> Result<Package, ExportError> {
    let dir = out.join(&record.id);
    if dir.exists() {
        if !dir.join("mets.xml").is_file() {
            return Err(ExportError::NotAPackage(dir));
        }
        std::fs::remove_dir_all(&dir).map_err(at(&dir))?;
    }
    std::fs::create_dir_all(&dir).map_err(at(&dir))?;
    let page_error = |e| ExportError::Page(record.id.clone(), e);
    let articles = articles_of(record, documents);
    let alto_path = |number: u32| format!("alto/{number:04}.xml");
    let (pages, content): (Vec<u32>, Option<Content>) = match &record.host {
        // A hosted article: the ALTO of the issue's pages it lies on, with its zones' words only.
        Some(host) => {
            let pages = record.host_pages();
            let content = if record.full_text_allowed() {
                let host = match documents.iter().find(|d| &d.id == host) {
                    Some(host) => host.clone(),
                    None => files::record(archive, host).map_err(page_error)?,
                };
                // What an overlapping article that may not be shown has in the zones stays out.
                let withheld = withheld_zones(record, documents);
                let mut held = Vec::new();
                for &number in &pages {
                    let page = files::page(archive, &host.id, number).map_err(page_error)?;
                    let page = outside_withheld(&page, number, &withheld);
                    let zones = alto::zone_blocks(number, [record]);
                    let image = alto::pdf_page(&host, number);
                    let text = alto::alto(&host, number, &words_inside(&page, &zones), &zones, &image);
                    let alto = package_file(&dir, alto_path(number), text.as_bytes())?;
                    held.push(PageContent { number, own_pdf: None, alto });
                }
                Some(Content { pdf: None, pages: held })
            } else {
                None
            };
            (pages, content)
        }
        None => {
            let pages: Vec<u32> = (1..=record.pages.len() as u32).collect();
            // An issue's page whole where its rights and every article's on it allow;
            // any other document's pages as its rights allow.
            let shown = record.pages_shown(documents);
            let whole = !pages.is_empty() && shown.len() == pages.len();
            let pdf = if whole {
                let name = format!("{}.pdf", record.id);
                let (source, target) = (archive.root().join(&record.pdf), dir.join(&name));
                std::fs::copy(&source, &target).map_err(at(&source))?;
                let (sha256, bytes) = sha256_file(&target).map_err(at(&target))?;
                Some(PackageFile { path: name, sha256, bytes })
            } else {
                None
            };
            let mut held = Vec::new();
            for &number in &shown {
                let page = files::page(archive, &record.id, number).map_err(page_error)?;
                let zones = alto::zone_blocks(number, articles.iter().copied());
                // The page's image is in the package: in its whole PDF, or alone in its own.
                let own_pdf_path = format!("pages/{number:04}.pdf");
                let image = if whole { alto::pdf_page(record, number) } else { format!("{own_pdf_path}#page=1") };
                let text = alto::alto(record, number, &page, &zones, &image);
                let alto = package_file(&dir, alto_path(number), text.as_bytes())?;
                let own_pdf = match whole {
                    true => None,
                    false => Some(single_page_pdf(archive, record, number, &dir, own_pdf_path)?),
                };
                held.push(PageContent { number, own_pdf, alto });
            }
            (pages, (!held.is_empty()).then_some(Content { pdf, pages: held }))
        }
    };
    let mets = document(record, &pages, content.as_ref(), &articles, library, pdf_url);
    let path = dir.join("mets.xml");
    write_atomic(&path, mets.as_bytes()).map_err(at(&path))?;
    Ok(Package { id: record.id.clone(), dir, content: content.is_some() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::{document as record_of, page};

    #[test]
    fn a_restricted_work_is_described_without_its_files() {
        let mut record = record_of("d", &[("title", "Т"), ("rights", "in_copyright"), ("authors", "А, Б.")]);
        record.pages = vec![page(), page()];
        record.pages[1].number = 2;
        let mets = document(&record, &[1, 2], None, &[], &Library::default(), None);
        assert!(!mets.contains("<mets:fileSec>") && !mets.contains("mets:fptr"), "{mets}");
        assert!(mets.contains("<mets:div ID=\"PHYS_0002\" TYPE=\"page\" ORDER=\"2\">"), "{mets}");
        assert!(mets.contains("RIGHTSCATEGORY=\"COPYRIGHTED\""), "{mets}");
        assert!(mets.contains("<mods:namePart>А, Б.</mods:namePart>"), "{mets}");
    }
}
