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

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::xml::Xml;
use super::{alto, marc, ExportError};
use crate::archive::{files, sha256_file, write_atomic, Archive};
use crate::config::Library;
use crate::path_error::at;
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

/// The package's content files: the PDF and one ALTO per page, or none.
pub(crate) struct Content {
    pub pdf: PackageFile,
    pub alto: Vec<PackageFile>,
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
        xml.text("mods:languageTerm", &attrs([("type", "code"), ("authority", "iso639-2b")]), language);
        xml.close("mods:language");
    }
    xml.open("mods:physicalDescription", &[]);
    xml.text("mods:form", &attrs([("authority", "marcform")]), "electronic");
    xml.text("mods:internetMediaType", &[], "application/pdf");
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

fn page_id(number: usize) -> String {
    format!("PHYS_{number:04}")
}

/// The METS document of `record`, with `content` when its rights allow the text to be shown.
pub(crate) fn document(
    record: &DocumentRecord,
    content: Option<&Content>,
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

    xml.open("mets:dmdSec", &attrs([("ID", "DMD")]));
    xml.open("mets:mdWrap", &attrs([("MDTYPE", "MODS"), ("MIMETYPE", "text/xml")]));
    xml.open("mets:xmlData", &[]);
    mods(&mut xml, record, library, pdf_url);
    xml.close("mets:xmlData");
    xml.close("mets:mdWrap");
    xml.close("mets:dmdSec");

    xml.open("mets:amdSec", &attrs([("ID", "AMD")]));
    xml.open("mets:rightsMD", &attrs([("ID", "RIGHTS")]));
    xml.open("mets:mdWrap", &attrs([("MDTYPE", "METSRIGHTS"), ("MIMETYPE", "text/xml")]));
    xml.open("mets:xmlData", &[]);
    rights(&mut xml, bib.rights);
    xml.close("mets:xmlData");
    xml.close("mets:mdWrap");
    xml.close("mets:rightsMD");
    xml.close("mets:amdSec");

    if let Some(content) = content {
        xml.open("mets:fileSec", &[]);
        xml.open("mets:fileGrp", &attrs([("USE", "PDF")]));
        xml.open("mets:file", &file_attributes("PDF", "application/pdf", &content.pdf));
        xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &content.pdf.path)]));
        for number in 1..=record.pages.len() {
            xml.open("mets:file", &attrs([("ID", &format!("PDF_{number:04}")), ("MIMETYPE", "application/pdf")]));
            let href = format!("{}#page={number}", content.pdf.path);
            xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &href)]));
            xml.close("mets:file");
        }
        xml.close("mets:file");
        xml.close("mets:fileGrp");
        xml.open("mets:fileGrp", &attrs([("USE", "FULLTEXT")]));
        for (n, file) in content.alto.iter().enumerate() {
            xml.open("mets:file", &file_attributes(&format!("ALTO_{:04}", n + 1), "text/xml", file));
            xml.empty("mets:FLocat", &attrs([("LOCTYPE", "URL"), ("xlink:href", &file.path)]));
            xml.close("mets:file");
        }
        xml.close("mets:fileGrp");
        xml.close("mets:fileSec");
    }

    xml.open("mets:structMap", &attrs([("TYPE", "PHYSICAL")]));
    xml.open("mets:div", &attrs([("ID", "PHYS"), ("TYPE", "physSequence")]));
    for (n, summary) in record.pages.iter().enumerate() {
        let number = n + 1;
        let mut attributes = attrs([("ID", &page_id(number)), ("TYPE", "page"), ("ORDER", &number.to_string())]);
        if let Some(first) = bib.first_page_number {
            attributes.push(("ORDERLABEL", (first as usize + n).to_string()));
        }
        xml.open("mets:div", &attributes);
        if content.is_some() {
            xml.empty("mets:fptr", &attrs([("FILEID", &format!("PDF_{number:04}"))]));
            xml.empty("mets:fptr", &attrs([("FILEID", &format!("ALTO_{number:04}"))]));
        }
        debug_assert_eq!(summary.number as usize, number);
        xml.close("mets:div");
    }
    xml.close("mets:div");
    xml.close("mets:structMap");

    xml.open("mets:structMap", &attrs([("TYPE", "LOGICAL")]));
    xml.open(
        "mets:div",
        &attrs([("ID", "LOG"), ("TYPE", kind), ("LABEL", &bib.title), ("DMDID", "DMD"), ("ADMID", "RIGHTS")]),
    );
    if content.is_some() {
        xml.empty("mets:fptr", &attrs([("FILEID", "PDF")]));
    }
    xml.close("mets:div");
    xml.close("mets:structMap");

    if !record.pages.is_empty() {
        xml.open("mets:structLink", &[]);
        for number in 1..=record.pages.len() {
            xml.empty("mets:smLink", &attrs([("xlink:from", "LOG"), ("xlink:to", &page_id(number))]));
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
    /// False when the rights keep the PDF and the text out.
    pub content: bool,
}

/// Writes `record`'s package to `out/ID`, replacing an earlier package there.
pub fn write_package(
    archive: &Archive,
    record: &DocumentRecord,
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
    let content = if record.full_text_allowed() {
        let alto_dir = dir.join("alto");
        std::fs::create_dir_all(&alto_dir).map_err(at(&alto_dir))?;
        let pdf_name = format!("{}.pdf", record.id);
        let pdf = dir.join(&pdf_name);
        let source = archive.root().join(&record.pdf);
        std::fs::copy(&source, &pdf).map_err(at(&source))?;
        let (sha256, bytes) = sha256_file(&pdf).map_err(at(&pdf))?;
        let pages = files::pages(archive, record).map_err(|e| ExportError::Page(record.id.clone(), e))?;
        let mut alto_files = Vec::new();
        for (n, page) in pages.iter().enumerate() {
            let number = n as u32 + 1;
            let text = alto::alto(record, number, page);
            let path = format!("alto/{number:04}.xml");
            write_atomic(&dir.join(&path), text.as_bytes()).map_err(at(&dir.join(&path)))?;
            let sha256 = hex::encode(Sha256::digest(text.as_bytes()));
            alto_files.push(PackageFile { path, sha256, bytes: text.len() as u64 });
        }
        Some(Content { pdf: PackageFile { path: pdf_name, sha256, bytes }, alto: alto_files })
    } else {
        std::fs::create_dir_all(&dir).map_err(at(&dir))?;
        None
    };
    let mets = document(record, content.as_ref(), library, pdf_url);
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
        let mets = document(&record, None, &Library::default(), None);
        assert!(!mets.contains("<mets:fileSec>") && !mets.contains("mets:fptr"), "{mets}");
        assert!(mets.contains("<mets:div ID=\"PHYS_0002\" TYPE=\"page\" ORDER=\"2\">"), "{mets}");
        assert!(mets.contains("RIGHTSCATEGORY=\"COPYRIGHTED\""), "{mets}");
        assert!(mets.contains("<mods:namePart>А, Б.</mods:namePart>"), "{mets}");
    }
}
