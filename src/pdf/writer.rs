//! Writes a searchable PDF page by page, so a long book never sits in memory whole:
//! each page's objects go to the output as soon as the page is ready; the page tree,
//! catalogue, metadata and cross-reference stream follow at the end. Objects are
//! serialized by lopdf's own writer.

use std::io::{self, Write};

use lopdf::{dictionary, Dictionary, Object, Stream, Writer};

use super::font::{add_font_objects, compress, to_unicode_stream, CodeBlocks};
use super::pdfa::{self, PdfA};
use super::text::FONT_RESOURCE;
use super::{Metadata, PdfPage};

/// Counts bytes written, for the cross-reference offsets.
struct Counting<W> {
    inner: W,
    written: u64,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// A PDF being written.
pub struct PdfWriter<W: Write> {
    out: Counting<W>,
    /// Byte offset of each object, indexed by object number (0 is the free-list head).
    offsets: Vec<Option<u64>>,
    catalog: u32,
    page_tree: u32,
    /// The text-layer font, written with the first page that needs it (a PDF made of
    /// pages copied from another brings its own).
    font: Option<TextFont>,
    pages: Vec<u32>,
    /// Why the file cannot claim PDF/A-2b (pages copied from elsewhere).
    not_pdf_a: pdfa::Problems,
}

/// The text-layer font's object numbers, and the code blocks its pages have used.
struct TextFont {
    font: u32,
    to_unicode: u32,
    blocks: CodeBlocks,
}

impl<W: Write> PdfWriter<W> {
    /// Starts a PDF: the header, and numbers for the catalogue and the page tree.
    pub fn new(out: W) -> io::Result<Self> {
        let mut writer = PdfWriter {
            out: Counting { inner: out, written: 0 },
            offsets: vec![None],
            catalog: 0,
            page_tree: 0,
            font: None,
            pages: Vec::new(),
            not_pdf_a: pdfa::Problems::default(),
        };
        // The binary comment marks the file as binary for transfer tools.
        writer.out.write_all(b"%PDF-1.5\n%\xE2\xE3\xCF\xD3\n")?;
        writer.catalog = writer.reserve();
        writer.page_tree = writer.reserve();
        Ok(writer)
    }

    /// A number for an object written later with [`PdfWriter::write_object`] (so that
    /// objects can refer to each other before they are written).
    pub fn reserve(&mut self) -> u32 {
        self.offsets.push(None);
        (self.offsets.len() - 1) as u32
    }

    pub fn write_object(&mut self, id: u32, object: &Object) -> io::Result<()> {
        self.offsets[id as usize] = Some(self.out.written);
        write!(self.out, "{id} 0 obj\n{}", if Writer::need_separator(object) { " " } else { "" })?;
        Writer::write_object(&mut self.out, object)?;
        writeln!(self.out, "{}\nendobj", if Writer::need_end_separator(object) { " " } else { "" })
    }

    /// Writes an object and returns its number.
    pub fn add(&mut self, object: &Object) -> io::Result<u32> {
        let id = self.reserve();
        self.write_object(id, object)?;
        Ok(id)
    }

    /// Bytes written so far.
    pub fn written(&self) -> u64 {
        self.out.written
    }

    /// Appends a page given as its dictionary (resources and contents already written);
    /// its parent is set here.
    pub fn add_page_object(&mut self, mut page: Dictionary) -> io::Result<u32> {
        page.set("Type", "Page");
        page.set("Parent", Object::Reference((self.page_tree, 0)));
        let id = self.add(&Object::Dictionary(page))?;
        self.pages.push(id);
        Ok(id)
    }

    /// Appends a page: its image, its content (image and text layer) and the page object.
    pub fn add_page(&mut self, page: PdfPage) -> io::Result<()> {
        if self.font.is_none() {
            let to_unicode = self.reserve();
            let font = add_font_objects(&mut |object| self.add(&object), to_unicode)?;
            self.font = Some(TextFont { font, to_unicode, blocks: CodeBlocks::default() });
        }
        let text_font = self.font.as_mut().expect("written above");
        text_font.blocks.add(page.blocks);
        let font = text_font.font;
        let image = self.add(&Object::Stream(page.image.into_stream()))?;
        let mut content = Stream::new(dictionary! {}, page.content);
        compress(&mut content);
        let content = self.add(&Object::Stream(content))?;
        self.add_page_object(dictionary! {
            "MediaBox" => vec![0.into(), 0.into(), Object::Real(page.width_pt), Object::Real(page.height_pt)],
            "Resources" => dictionary! {
                "XObject" => dictionary! { super::IMAGE_RESOURCE => Object::Reference((image, 0)) },
                "Font" => dictionary! { FONT_RESOURCE => Object::Reference((font, 0)) },
            },
            "Contents" => Object::Reference((content, 0)),
        })?;
        Ok(())
    }

    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Records why page `page` keeps the file from being PDF/A; it is then written
    /// without the claim.
    pub(crate) fn not_pdf_a(&mut self, page: usize, problems: Vec<String>) {
        self.not_pdf_a.add(page, problems);
    }

    /// The archival form the file will have when finished.
    pub fn pdf_a(&self) -> PdfA {
        self.not_pdf_a.pdf_a()
    }

    /// Writes the page tree, catalogue, metadata and cross-reference stream, and returns the
    /// output for the caller to sync and close.
    pub fn finish(mut self, metadata: &Metadata) -> io::Result<W> {
        let kids: Vec<Object> = self.pages.iter().map(|&id| Object::Reference((id, 0))).collect();
        let tree = dictionary! { "Type" => "Pages", "Kids" => kids, "Count" => self.pages.len() as i64 };
        self.write_object(self.page_tree, &Object::Dictionary(tree))?;
        if let Some(TextFont { to_unicode, blocks, .. }) = self.font.take() {
            self.write_object(to_unicode, &Object::Stream(to_unicode_stream(&blocks)))?;
        }

        let (info, xmp) = metadata.info_and_xmp(self.not_pdf_a.is_empty());
        let xmp = self.add(&Object::Stream(xmp))?;
        // The output intent names the colour space the images are meant in, with or
        // without the PDF/A claim: it helps any reader render them.
        let profile = self.add(&Object::Stream(pdfa::profile_stream()))?;
        let intent = self.add(&Object::Dictionary(pdfa::output_intent(profile)))?;
        let mut catalog = dictionary! {
            "Type" => "Catalog",
            "Pages" => Object::Reference((self.page_tree, 0)),
            "Metadata" => Object::Reference((xmp, 0)),
            "OutputIntents" => vec![Object::Reference((intent, 0))],
        };
        if let Some(lang) = metadata.pdf_language() {
            catalog.set("Lang", Object::string_literal(lang));
        }
        self.write_object(self.catalog, &Object::Dictionary(catalog))?;
        let info = self.add(&Object::Dictionary(info))?;

        // A cross-reference stream (PDF 1.5) rather than a table: a fifth of the bytes.
        let xref = self.reserve();
        let xref_offset = self.out.written;
        self.offsets[xref as usize] = Some(xref_offset);
        let offset_bytes = (u64::BITS - xref_offset.leading_zeros()).div_ceil(8).max(1) as usize;
        // Entry 0 heads the free list; every other object is in use, generation 0.
        let mut entries = vec![0u8; 1 + offset_bytes];
        entries.extend([0xFF, 0xFF]);
        for (id, offset) in self.offsets.iter().enumerate().skip(1) {
            let offset =
                offset.ok_or_else(|| io::Error::other(format!("PDF object {id} was reserved but never written")))?;
            entries.push(1);
            entries.extend_from_slice(&offset.to_be_bytes()[8 - offset_bytes..]);
            entries.extend([0, 0]);
        }
        let file_id = Object::String(metadata.file_id().to_vec(), lopdf::StringFormat::Hexadecimal);
        let mut xref_stream = Stream::new(
            dictionary! {
                "Type" => "XRef",
                "Size" => self.offsets.len() as i64,
                "W" => vec![1.into(), (offset_bytes as i64).into(), 2.into()],
                "Root" => Object::Reference((self.catalog, 0)),
                "Info" => Object::Reference((info, 0)),
                "ID" => vec![file_id.clone(), file_id],
            },
            entries,
        );
        compress(&mut xref_stream);
        self.write_object(xref, &Object::Stream(xref_stream))?;
        write!(self.out, "startxref\n{xref_offset}\n%%EOF\n")?;
        self.out.flush()?;
        Ok(self.out.inner)
    }
}
