//! Changing an archived PDF's metadata after a catalogue edit: the Info dictionary, the
//! XMP packet and the document language are replaced, everything else is written back as
//! it was (lopdf keeps the page streams as stored, without decoding them). The new file
//! is written atomically, where the caller says (beside the old one, to be committed
//! with the record). A PDF archived before olke wrote PDF/A is brought to it the same way.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use lopdf::{Document, Object, ObjectId};
use sha2::{Digest, Sha256};

use super::pdfa;
use super::Metadata;
use crate::archive::write_atomic;

#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("{path}: cannot read the PDF: {source}")]
    Read { path: PathBuf, source: lopdf::Error },
    #[error("{path}: the PDF has no document catalogue")]
    NoCatalog { path: PathBuf },
    #[error("{path}: {reason}")]
    Page { path: PathBuf, reason: String },
    #[error("{path}: cannot write the PDF: {source}")]
    Write { path: PathBuf, source: std::io::Error },
}

/// The PDF file as written: its SHA-256 and size, for the record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Written {
    pub sha256: String,
    pub bytes: u64,
}

pub(super) fn load(path: &Path) -> Result<Document, UpdateError> {
    Document::load(path).map_err(|source| UpdateError::Read { path: path.to_path_buf(), source })
}

fn xmp_id(document: &Document) -> Option<ObjectId> {
    document.catalog().ok().and_then(|c| c.get(b"Metadata").and_then(Object::as_reference).ok())
}

/// Writes the PDF at `path` to `target` with `metadata` in place of its Info dictionary,
/// XMP packet and language.
pub fn rewrite_metadata(path: &Path, target: &Path, metadata: &Metadata) -> Result<Written, UpdateError> {
    let mut document = load(path)?;
    // Only the metadata changes, so the file stays PDF/A exactly when it was.
    let was_pdf_a = is_pdf_a(&document);
    set_metadata(&mut document, path, metadata, was_pdf_a)?;
    save(&mut document, target)
}

/// Whether the document's XMP packet claims PDF/A.
pub(super) fn is_pdf_a(document: &Document) -> bool {
    xmp_id(document)
        .and_then(|id| document.get_object(id).ok())
        .and_then(|o| o.as_stream().ok())
        .is_some_and(|xmp| claims_pdf_a(&xmp.content))
}

/// Makes a PDF archived before olke wrote PDF/A into PDF/A-2b at `target`, its pages as
/// they are: every object is looked over as pages copied from another PDF are (what can be
/// made conforming without changing what is shown is), the sRGB output intent is added and
/// the metadata written with the claim. When something stands in the way nothing is
/// written, and the reasons are returned.
pub(crate) fn convert_to_pdf_a(
    path: &Path,
    target: &Path,
    metadata: &Metadata,
) -> Result<Result<Written, Vec<String>>, UpdateError> {
    let mut document = load(path)?;
    let contents: HashSet<ObjectId> =
        document.get_pages().into_values().flat_map(|page| document.get_page_contents(page)).collect();
    let mut problems: Vec<String> = Vec::new();
    for (id, object) in document.objects.iter_mut() {
        let found = match object {
            Object::Dictionary(dict) if dict.has_type(b"Annot") => pdfa::conform_annotation(dict),
            object => pdfa::conform(object, contents.contains(id)),
        };
        for problem in found {
            if !problems.contains(&problem) {
                problems.push(problem);
            }
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let profile = document.add_object(pdfa::profile_stream());
    let intent = document.add_object(pdfa::output_intent(profile.0));
    let catalog = document.catalog_mut().map_err(|_| UpdateError::NoCatalog { path: path.to_path_buf() })?;
    catalog.set("OutputIntents", vec![Object::Reference(intent)]);
    set_metadata(&mut document, path, metadata, true)?;
    save(&mut document, target).map(Ok)
}

/// Puts `metadata` in place of the document's Info dictionary, XMP packet and language.
pub(super) fn set_metadata(
    document: &mut Document,
    path: &Path,
    metadata: &Metadata,
    pdf_a: bool,
) -> Result<(), UpdateError> {
    let (info, xmp) = metadata.info_and_xmp(pdf_a);
    let info = Object::Dictionary(info);
    match document.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => {
            document.objects.insert(id, info);
        }
        Err(_) => {
            let id = document.add_object(info);
            document.trailer.set("Info", id);
        }
    }
    let xmp_id = match xmp_id(document) {
        Some(id) => {
            document.objects.insert(id, Object::Stream(xmp));
            id
        }
        None => document.add_object(xmp),
    };
    let catalog = document.catalog_mut().map_err(|_| UpdateError::NoCatalog { path: path.to_path_buf() })?;
    catalog.set("Metadata", xmp_id);
    match metadata.pdf_language() {
        Some(lang) => catalog.set("Lang", Object::string_literal(lang)),
        None => {
            catalog.remove(b"Lang");
        }
    }
    Ok(())
}

pub(super) fn save(document: &mut Document, target: &Path) -> Result<Written, UpdateError> {
    let write_err = |source| UpdateError::Write { path: target.to_path_buf(), source };
    let mut bytes = Vec::new();
    document.save_to(&mut bytes).map_err(write_err)?;
    write_atomic(target, &bytes).map_err(write_err)?;
    Ok(Written { sha256: hex::encode(Sha256::digest(&bytes)), bytes: bytes.len() as u64 })
}

/// Whether an XMP packet carries a PDF/A identification (olke writes it uncompressed).
pub(crate) fn claims_pdf_a(xmp: &[u8]) -> bool {
    let xmp = String::from_utf8_lossy(xmp);
    xmp.contains("http://www.aiim.org/pdfa/ns/id/") && xmp.contains("pdfaid:part")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::page::{PageImage, RecognizedPage};
    use crate::pdf::{PdfPage, PdfWriter};

    fn string(document: &Document, dictionary: &lopdf::Dictionary, key: &[u8]) -> String {
        let object = dictionary.get(key).unwrap();
        let object = match object.as_reference() {
            Ok(id) => document.get_object(id).unwrap(),
            Err(_) => object,
        };
        let bytes = object.as_str().unwrap();
        match bytes.strip_prefix(&[0xFE, 0xFF][..]) {
            Some(utf16) => {
                String::from_utf16(&utf16.chunks(2).map(|c| u16::from_be_bytes([c[0], c[1]])).collect::<Vec<_>>())
                    .unwrap()
            }
            None => String::from_utf8(bytes.to_vec()).unwrap(),
        }
    }

    #[test]
    fn metadata_is_replaced_and_the_pages_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        let page = RecognizedPage {
            width: 64,
            height: 64,
            dpi: 300.0,
            lines: Vec::new(),
            mean_conf: 0.0,
            models: "kaz".into(),
            corrections: Vec::new(),
        };
        let image = PageImage::Gray(image::GrayImage::from_pixel(64, 64, image::Luma([200])));
        let mut writer = PdfWriter::new(std::fs::File::create(&path).unwrap()).unwrap();
        writer.add_page(PdfPage::new(&image, &page, 85)).unwrap();
        let first = Metadata { id: "a".into(), title: "a".into(), languages: vec!["rus".into()], ..Default::default() };
        writer.finish(&first).unwrap();
        let before = Document::load(&path).unwrap();

        let second = Metadata {
            id: "a".into(),
            title: "Қамшы".into(),
            authors: vec!["Кәрім, Н.".into()],
            subject: "Кәрім, Н. Қамшы / Н. Кәрім.".into(),
            keywords: vec!["поэзия".into()],
            languages: vec!["kaz".into()],
            created: None,
            engine: None,
        };
        let written = rewrite_metadata(&path, &path, &second).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(written, Written { sha256: hex::encode(Sha256::digest(&bytes)), bytes: bytes.len() as u64 });

        let after = Document::load(&path).unwrap();
        let info = after.get_dictionary(after.trailer.get(b"Info").unwrap().as_reference().unwrap()).unwrap();
        assert_eq!(string(&after, info, b"Title"), "Қамшы");
        assert_eq!(string(&after, info, b"Author"), "Кәрім, Н.");
        assert_eq!(string(&after, info, b"Keywords"), "поэзия");
        assert_eq!(after.catalog().unwrap().get(b"Lang").unwrap(), &Object::string_literal("kk"));
        let xmp_id = after.catalog().unwrap().get(b"Metadata").unwrap().as_reference().unwrap();
        let xmp = String::from_utf8(after.get_object(xmp_id).unwrap().as_stream().unwrap().content.clone()).unwrap();
        assert!(xmp.contains("<rdf:li xml:lang=\"x-default\">Қамшы</rdf:li>"), "{xmp}");
        assert!(claims_pdf_a(xmp.as_bytes()), "a PDF/A file stays one: {xmp}");
        assert_eq!(after.get_pages().len(), before.get_pages().len());
        assert_eq!(
            after.trailer.get(b"ID").unwrap(),
            before.trailer.get(b"ID").unwrap(),
            "the file identifier is kept"
        );
    }
}
