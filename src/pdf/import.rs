//! Pages copied out of an existing PDF, text layer and all: out of an archived PDF for a
//! delivery, out of an earlier digitization's PDF when it is ingested.
//!
//! A 500-page book's PDF can be hundreds of megabytes, almost all of it page images. So the
//! file is memory-mapped, lopdf parses its
//! structure with every image's data left out (page dictionaries, content streams with
//! the text layer, the shared font: small), and an image's bytes are taken from the map
//! only when the page that shows it is written. Each page's objects are written as soon
//! as the page is copied, so memory holds one page's images at a time.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use lopdf::xref::XrefEntry;
use lopdf::{Dictionary, Document, LoadOptions, Object, ObjectId, Stream};
use memmap2::Mmap;

use super::{pdfa, PdfWriter};

#[derive(Debug, thiserror::Error)]
#[error("{path}: {reason}")]
pub(crate) struct SourceError {
    pub path: PathBuf,
    pub reason: String,
}

/// Page attributes a page may inherit from the page tree above it.
const INHERITED: [&[u8]; 4] = [b"Resources", b"MediaBox", b"CropBox", b"Rotate"];

fn is_image(dict: &Dictionary) -> bool {
    matches!(dict.get(b"Subtype"), Ok(Object::Name(name)) if name == b"Image")
}

/// The load filter: image streams keep their dictionary and lose their data. (lopdf keeps
/// the object as changed in place, or for objects inside object streams the one returned,
/// so both are the same; the clone is of a small object.)
fn without_image_data(id: ObjectId, object: &mut Object) -> Option<(ObjectId, Object)> {
    if let Object::Stream(stream) = object {
        if is_image(&stream.dict) {
            stream.content = Vec::new();
        }
    }
    Some((id, object.clone()))
}

/// A PDF opened for copying pages.
pub(crate) struct SourcePdf {
    path: PathBuf,
    map: Mmap,
    document: Document,
    /// Page objects in page order.
    pages: Vec<ObjectId>,
}

impl SourcePdf {
    pub(crate) fn open(path: &Path) -> Result<SourcePdf, SourceError> {
        // What lopdf warns of while parsing is logged with the file it concerns.
        let _file = tracing::warn_span!("pdf", file = %path.display()).entered();
        let error = |reason: String| SourceError { path: path.to_path_buf(), reason };
        let file = File::open(path).map_err(|e| error(e.to_string()))?;
        // SAFETY: archive files are never changed in place: a new version is written under
        // another name and renamed over the old one, so the mapped file stays as it is. A
        // batch's source PDFs are only read, by olke and (by convention) by everyone else
        // while they are being ingested.
        let map = unsafe { Mmap::map(&file) }.map_err(|e| error(e.to_string()))?;
        let document = Document::load_mem_with_options(&map, LoadOptions::with_filter(without_image_data))
            .map_err(|e| error(e.to_string()))?;
        let pages = document.get_pages().into_values().collect();
        Ok(SourcePdf { path: path.to_path_buf(), map, document, pages })
    }

    fn error(&self, reason: impl Into<String>) -> SourceError {
        SourceError { path: self.path.clone(), reason: reason.into() }
    }

    pub(crate) fn page_count(&self) -> u32 {
        self.pages.len() as u32
    }

    fn page(&self, number: u32) -> Result<ObjectId, SourceError> {
        let index = number.checked_sub(1).ok_or_else(|| self.error("there is no page 0"))? as usize;
        self.pages
            .get(index)
            .copied()
            .ok_or_else(|| self.error(format!("the PDF has {} pages, not {number}", self.pages.len())))
    }

    /// A page's dictionary with what it inherits from the page tree made its own, and
    /// without its place in the source's tree.
    fn page_dictionary(&self, id: ObjectId) -> Result<Dictionary, SourceError> {
        let mut page =
            self.document.get_dictionary(id).map_err(|e| self.error(format!("page object {id:?}: {e}")))?.clone();
        let mut parent = page.get(b"Parent").and_then(Object::as_reference).ok();
        // A page tree is shallow; a deeper one is a damaged file, or one built to loop, and
        // a page whose inherited fonts and turn were left behind would lose its text.
        const DEEPEST: usize = 64;
        let mut depth = 0;
        while let Some(node) = parent.and_then(|p| self.document.get_dictionary(p).ok()) {
            depth += 1;
            if depth > DEEPEST {
                return Err(self.error(format!("its page tree is more than {DEEPEST} levels deep or loops")));
            }
            for key in INHERITED {
                if !page.has(key) {
                    if let Ok(value) = node.get(key) {
                        page.set(key.to_vec(), value.clone());
                    }
                }
            }
            parent = node.get(b"Parent").and_then(Object::as_reference).ok();
        }
        page.remove(b"Parent");
        // The structure tree and article threads are the source document's, which this
        // copy does not have; annotations are chosen in `copy_page`.
        for key in [&b"Annots"[..], b"StructParents", b"B"] {
            page.remove(key);
        }
        Ok(page)
    }

    /// The annotations of page `id` that can go with it into another document, each with
    /// the entries that tie it to this one removed: notes, highlights, stamps, form fields
    /// as they look, links to web addresses. Links to pages or named destinations of this
    /// document, and pop-up windows (shown by their note), are left out.
    fn portable_annotations(&self, id: ObjectId) -> Vec<Dictionary> {
        let Ok(page) = self.document.get_dictionary(id) else { return Vec::new() };
        let Ok(annotations) = page.get(b"Annots").map(|a| self.resolve(a)).and_then(Object::as_array) else {
            return Vec::new();
        };
        let name = |dict: &Dictionary, key: &[u8]| {
            dict.get(key).map(|o| self.resolve(o)).and_then(Object::as_name).map(<[u8]>::to_vec).unwrap_or_default()
        };
        let mut portable = Vec::new();
        for annotation in annotations {
            let Ok(dict) = self.resolve(annotation).as_dict() else { continue };
            let subtype = name(dict, b"Subtype");
            if subtype == b"Popup" {
                continue;
            }
            if subtype == b"Link" {
                let action = dict.get(b"A").map(|a| self.resolve(a)).and_then(Object::as_dict);
                if dict.has(b"Dest") || !action.is_ok_and(|a| name(a, b"S") == b"URI") {
                    continue;
                }
            }
            let mut dict = dict.clone();
            for key in [&b"P"[..], b"Parent", b"Popup", b"IRT", b"StructParent"] {
                dict.remove(key);
            }
            portable.push(dict);
        }
        portable
    }

    fn resolve<'a>(&'a self, object: &'a Object) -> &'a Object {
        self.document.dereference(object).map(|(_, o)| o).unwrap_or(object)
    }

    /// The parsed structure, image data left out.
    pub(crate) fn document(&self) -> &Document {
        &self.document
    }

    /// The images shown on pages `first..=last` (PDF page numbers).
    pub(crate) fn images_on(&self, first: u32, last: u32) -> Result<Vec<ObjectId>, SourceError> {
        let mut images = Vec::new();
        for number in first..=last {
            let page = self.page_dictionary(self.page(number)?)?;
            let Ok(resources) = page.get(b"Resources").map(|r| self.resolve(r)) else { continue };
            let Ok(xobjects) = resources.as_dict().and_then(|r| r.get(b"XObject")).map(|x| self.resolve(x)) else {
                continue;
            };
            for (_, value) in xobjects.as_dict().map(|d| d.iter().collect::<Vec<_>>()).unwrap_or_default() {
                if let Ok(id) = value.as_reference() {
                    if self.document.get_object(id).and_then(Object::as_stream).is_ok_and(|s| is_image(&s.dict))
                        && !images.contains(&id)
                    {
                        images.push(id);
                    }
                }
            }
        }
        Ok(images)
    }

    /// The size of an image's data as stored.
    pub(crate) fn stored_length(&self, id: ObjectId) -> Result<u64, SourceError> {
        let stream = self
            .document
            .get_object(id)
            .and_then(Object::as_stream)
            .map_err(|e| self.error(format!("image {id:?}: {e}")))?;
        stream
            .dict
            .get(b"Length")
            .map(|l| self.resolve(l))
            .and_then(Object::as_i64)
            .map(|l| l as u64)
            .map_err(|e| self.error(format!("image {id:?}: no length: {e}")))
    }

    /// An image stream with its data, read from the file.
    pub(crate) fn image(&self, id: ObjectId) -> Result<Stream, SourceError> {
        let stream = self
            .document
            .get_object(id)
            .and_then(Object::as_stream)
            .map_err(|e| self.error(format!("image {id:?}: {e}")))?;
        let data = self.stream_data(id, self.stored_length(id)? as usize)?;
        Ok(Stream::new(stream.dict.clone(), data.to_vec()).with_compression(false))
    }

    /// The data of stream `id`: after the `stream` keyword and its end of line, `length`
    /// bytes, which `endstream` must follow. An image's dictionary holds only names and
    /// numbers, so the first `stream` after the object's start is the keyword.
    fn stream_data(&self, id: ObjectId, length: usize) -> Result<&[u8], SourceError> {
        let unexpected = || self.error(format!("image {id:?} is not where the cross-reference table says"));
        let offset = match self.document.reference_table.get(id.0) {
            Some(XrefEntry::Normal { offset, .. }) => *offset as usize,
            _ => return Err(unexpected()),
        };
        let object = self.map.get(offset..).ok_or_else(unexpected)?;
        let keyword = object.windows(6).position(|w| w == b"stream").ok_or_else(unexpected)?;
        let after = &object[keyword + 6..];
        // The standard's end of line here is CR LF or LF; a bare CR, which some writers
        // put, is taken as readers take it.
        let start = keyword
            + 6
            + if after.starts_with(b"\r\n") {
                2
            } else if after.starts_with(b"\n") || after.starts_with(b"\r") {
                1
            } else {
                return Err(unexpected());
            };
        let data = object.get(start..start + length).ok_or_else(unexpected)?;
        let rest = &object[start + length..];
        let rest = rest
            .strip_prefix(b"\r\n")
            .or_else(|| rest.strip_prefix(b"\n"))
            .or_else(|| rest.strip_prefix(b"\r"))
            .unwrap_or(rest);
        if !rest.starts_with(b"endstream") {
            return Err(unexpected());
        }
        Ok(data)
    }
}

/// Copies pages from one source into a PDF being written, each shared object (the
/// text-layer font) once.
pub(crate) struct PageCopier<'a> {
    /// Images to write in place of the source's (made smaller for email).
    replaced: Option<&'a HashMap<ObjectId, Stream>>,
    /// Source object → its number in the output.
    numbers: HashMap<ObjectId, u32>,
    /// Objects given a number but not written yet.
    pending: Vec<ObjectId>,
}

impl PageCopier<'static> {
    /// A copier of pages as they are.
    pub(crate) fn new() -> PageCopier<'static> {
        PageCopier { replaced: None, numbers: HashMap::new(), pending: Vec::new() }
    }
}

impl Default for PageCopier<'static> {
    fn default() -> Self {
        PageCopier::new()
    }
}

impl<'a> PageCopier<'a> {
    /// A copier that writes `replaced` in place of the source's images of those ids.
    pub(crate) fn replacing(replaced: &'a HashMap<ObjectId, Stream>) -> PageCopier<'a> {
        PageCopier { replaced: Some(replaced), numbers: HashMap::new(), pending: Vec::new() }
    }

    /// `object` with its references to source objects turned into output numbers.
    fn renumber<W: Write>(&mut self, writer: &mut PdfWriter<W>, object: &Object) -> Object {
        match object {
            Object::Reference(id) => {
                let number = match self.numbers.get(id) {
                    Some(&number) => number,
                    None => {
                        let number = writer.reserve();
                        self.numbers.insert(*id, number);
                        self.pending.push(*id);
                        number
                    }
                };
                Object::Reference((number, 0))
            }
            Object::Array(items) => Object::Array(items.iter().map(|i| self.renumber(writer, i)).collect()),
            Object::Dictionary(dict) => Object::Dictionary(self.renumber_dictionary(writer, dict)),
            // Streams are never inside other objects; `copy_page` renumbers their dictionaries.
            other => other.clone(),
        }
    }

    fn renumber_dictionary<W: Write>(&mut self, writer: &mut PdfWriter<W>, dict: &Dictionary) -> Dictionary {
        let mut copy = Dictionary::new();
        for (key, value) in dict.iter() {
            copy.set(key.clone(), self.renumber(writer, value));
        }
        copy
    }

    /// Appends PDF page `number` of `source` with everything it uses. One copier serves
    /// one source.
    pub(crate) fn copy_page<W: Write>(
        &mut self,
        source: &SourcePdf,
        writer: &mut PdfWriter<W>,
        number: u32,
    ) -> Result<(), CopyError> {
        let id = source.page(number)?;
        let mut page = source.page_dictionary(id)?;
        let contents: Vec<ObjectId> = match page.get(b"Contents") {
            Ok(Object::Reference(id)) => vec![*id],
            Ok(Object::Array(items)) => items.iter().filter_map(|i| i.as_reference().ok()).collect(),
            _ => Vec::new(),
        };
        // Before renumbering, so that what conforming removes is not copied.
        let mut not_pdf_a = pdfa::conform_dictionary(&mut page);
        let mut page = self.renumber_dictionary(writer, &page);
        let page_number = writer.page_count() + 1;
        let mut annotations = Vec::new();
        for mut annotation in source.portable_annotations(id) {
            not_pdf_a.extend(pdfa::conform_annotation(&mut annotation));
            let annotation = Object::Dictionary(self.renumber_dictionary(writer, &annotation));
            annotations.push(Object::Reference((writer.add(&annotation)?, 0)));
        }
        if !annotations.is_empty() {
            page.set("Annots", annotations);
        }
        writer.add_page_object(page)?;
        while let Some(id) = self.pending.pop() {
            let object = match self.replaced.and_then(|r| r.get(&id)) {
                Some(image) => Object::Stream(image.clone()),
                None => match source.document.get_object(id) {
                    Ok(Object::Stream(stream)) if is_image(&stream.dict) => Object::Stream(source.image(id)?),
                    // A page reached from something copied (an annotation's appearance, say)
                    // would bring the source's whole page tree: it reads as null instead.
                    Ok(Object::Dictionary(dict)) if dict.has_type(b"Page") || dict.has_type(b"Pages") => Object::Null,
                    Ok(object) => object.clone(),
                    // A dangling reference reads as null, as PDF readers take it.
                    Err(_) => Object::Null,
                },
            };
            let mut object = object;
            not_pdf_a.extend(pdfa::conform(&mut object, contents.contains(&id)));
            let object = match object {
                Object::Stream(mut stream) => {
                    stream.dict = self.renumber_dictionary(writer, &stream.dict);
                    Object::Stream(stream.with_compression(false))
                }
                other => self.renumber(writer, &other),
            };
            writer.write_object(self.numbers[&id], &object)?;
        }
        writer.not_pdf_a(page_number, not_pdf_a);
        Ok(())
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum CopyError {
    #[error(transparent)]
    Source(#[from] SourceError),
    #[error(transparent)]
    Write(#[from] std::io::Error),
}

#[cfg(test)]
mod tests {
    use lopdf::dictionary;

    use super::*;
    use crate::page::{PageImage, RecognizedPage};
    use crate::pdf::{Metadata, PdfPage};

    /// A PDF of `count` gray pages, each a different shade, written by olke's writer.
    fn archived(path: &Path, count: u8) {
        let mut writer = PdfWriter::new(File::create(path).unwrap()).unwrap();
        for shade in 0..count {
            let recognized = RecognizedPage {
                width: 40,
                height: 60,
                dpi: 72.0,
                lines: Vec::new(),
                mean_conf: 0.0,
                models: "kaz".into(),
                corrections: Vec::new(),
            };
            let image =
                PageImage::Gray(image::GrayImage::from_fn(40, 60, |x, _| image::Luma([shade * 20 + (x % 7) as u8])));
            writer.add_page(PdfPage::new(&image, &recognized, 85)).unwrap();
        }
        writer.finish(&Metadata { id: "a".into(), ..Default::default() }).unwrap();
    }

    #[test]
    fn images_are_read_from_the_file_as_they_are_stored() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        archived(&path, 3);
        // As olke's writer made it, and as lopdf saves it after a catalogue edit.
        for edited in [false, true] {
            if edited {
                crate::pdf::rewrite_metadata(
                    &path,
                    &path,
                    &Metadata { id: "a".into(), title: "Қамшы".into(), ..Default::default() },
                )
                .unwrap();
            }
            let full = Document::load(&path).unwrap();
            let source = SourcePdf::open(&path).unwrap();
            assert_eq!(source.page_count(), 3);
            let images = source.images_on(2, 3).unwrap();
            assert_eq!(images.len(), 2);
            for id in images {
                assert!(
                    source.document.get_object(id).unwrap().as_stream().unwrap().content.is_empty(),
                    "not loaded with the structure"
                );
                assert_eq!(
                    source.image(id).unwrap().content,
                    full.get_object(id).unwrap().as_stream().unwrap().content,
                    "edited: {edited}"
                );
            }
        }
    }

    #[test]
    fn copied_pages_keep_notes_and_web_links_and_nothing_that_points_into_the_source() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        archived(&path, 2);
        let mut document = Document::load(&path).unwrap();
        let pages: Vec<ObjectId> = document.get_pages().into_values().collect();
        let web = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "A" => dictionary! { "S" => "URI", "URI" => Object::string_literal("https://lib.example.kz") },
            "P" => pages[0],
        });
        let to_page = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Link", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "Dest" => vec![pages[1].into(), "Fit".into()],
        });
        let note = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Text", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "Contents" => Object::string_literal("1968"), "P" => pages[0],
        });
        let popup = document.add_object(dictionary! {
            "Type" => "Annot", "Subtype" => "Popup", "Rect" => vec![0.into(), 0.into(), 10.into(), 10.into()],
            "Parent" => note,
        });
        document
            .get_object_mut(pages[0])
            .unwrap()
            .as_dict_mut()
            .unwrap()
            .set("Annots", vec![web.into(), to_page.into(), note.into(), popup.into()]);
        document.save(&path).unwrap();

        let source = SourcePdf::open(&path).unwrap();
        let mut writer = PdfWriter::new(Vec::new()).unwrap();
        PageCopier::new().copy_page(&source, &mut writer, 1).unwrap();
        let copy =
            Document::load_mem(&writer.finish(&Metadata { id: "b".into(), ..Default::default() }).unwrap()).unwrap();
        let page = *copy.get_pages().values().next().unwrap();
        let subtypes: Vec<Vec<u8>> = copy
            .get_page_annotations(page)
            .unwrap()
            .iter()
            .map(|a| a.get(b"Subtype").unwrap().as_name().unwrap().to_vec())
            .collect();
        assert_eq!(subtypes, vec![b"Link".to_vec(), b"Text".to_vec()]);
        let page_objects = copy.objects.values().filter(|o| o.as_dict().is_ok_and(|d| d.has_type(b"Page"))).count();
        assert_eq!(page_objects, 1, "no page of the source came along");
    }

    #[test]
    fn a_page_tree_too_deep_to_follow_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        archived(&path, 1);
        let mut document = Document::load(&path).unwrap();
        let page = *document.get_pages().values().next().unwrap();
        let mut parent = document.get_dictionary(page).unwrap().get(b"Parent").unwrap().as_reference().unwrap();
        for _ in 0..100 {
            parent = document.add_object(dictionary! { "Type" => "Pages", "Parent" => parent });
        }
        document.get_object_mut(page).unwrap().as_dict_mut().unwrap().set("Parent", parent);
        document.save(&path).unwrap();

        let source = SourcePdf::open(&path).unwrap();
        let mut writer = PdfWriter::new(Vec::new()).unwrap();
        let refused = PageCopier::new().copy_page(&source, &mut writer, 1).unwrap_err();
        assert!(refused.to_string().contains("more than 64 levels deep"), "{refused}");
    }

    #[test]
    fn copied_pages_keep_their_images_and_share_the_font() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.pdf");
        archived(&path, 3);
        let source = SourcePdf::open(&path).unwrap();
        let mut copier = PageCopier::new();
        let mut writer = PdfWriter::new(Vec::new()).unwrap();
        copier.copy_page(&source, &mut writer, 3).unwrap();
        copier.copy_page(&source, &mut writer, 1).unwrap();
        let bytes = writer.finish(&Metadata { id: "b".into(), ..Default::default() }).unwrap();
        let copy = Document::load_mem(&bytes).unwrap();
        let full = Document::load(&path).unwrap();
        let pages: Vec<ObjectId> = copy.get_pages().into_values().collect();
        let original: Vec<ObjectId> = full.get_pages().into_values().collect();
        let image = |document: &Document, page: ObjectId| document.get_page_images(page).unwrap()[0].content.to_vec();
        assert_eq!(image(&copy, pages[0]), image(&full, original[2]));
        assert_eq!(image(&copy, pages[1]), image(&full, original[0]));
        let font = |document: &Document, page: ObjectId| {
            *document.get_page_fonts(page).unwrap().values().next().unwrap() as *const Dictionary
        };
        assert_eq!(font(&copy, pages[0]), font(&copy, pages[1]), "one font object serves both pages");
        let fonts = copy
            .objects
            .values()
            .filter(|o| {
                o.as_dict().is_ok_and(|d| {
                    d.has_type(b"Font") && d.get(b"Subtype").is_ok_and(|s| s.as_name().is_ok_and(|n| n == b"Type0"))
                })
            })
            .count();
        assert_eq!(fonts, 1);
    }
}
