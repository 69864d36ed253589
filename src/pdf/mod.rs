//! The searchable PDF: each page is the archived scan with an invisible, word-aligned
//! text layer over it, so that search, copy and paste work in any viewer.

pub(crate) mod decode;
pub(crate) mod font;
pub(crate) mod image;
pub(crate) mod import;
pub(crate) mod text;
pub(crate) mod truetype;
pub(crate) mod update;
pub(crate) mod writer;

use chrono::{DateTime, Utc};
use lopdf::{dictionary, Dictionary, Object};
use sha2::{Digest, Sha256};

pub use self::image::EncodedImage;
pub use update::rewrite_metadata;
pub use writer::PdfWriter;

use crate::page::{PageImage, RecognizedPage};
use crate::record::DocumentRecord;

/// Resource name of the page image.
pub const IMAGE_RESOURCE: &str = "Im0";

/// Default quality for pages olke itself has to compress as JPEG.
pub const DEFAULT_JPEG_QUALITY: u8 = 85;

/// One page, encoded and ready to append to a [`PdfWriter`]; built on a worker thread.
#[derive(Clone, Debug)]
pub struct PdfPage {
    pub width_pt: f32,
    pub height_pt: f32,
    pub image: EncodedImage,
    /// Uncompressed content stream: the image, then the text layer.
    pub content: Vec<u8>,
    /// The code blocks of the text layer, for the document's ToUnicode CMap.
    pub blocks: font::CodeBlocks,
}

impl PdfPage {
    /// Lays the text layer of `recognized` over `image`; the page size follows from the DPI.
    pub fn new(image: &PageImage, recognized: &RecognizedPage, jpeg_quality: u8) -> PdfPage {
        let points_per_pixel = 72.0 / recognized.dpi;
        let width_pt = round2(image.width() as f32 * points_per_pixel);
        let height_pt = round2(image.height() as f32 * points_per_pixel);
        let mut content = format!("q\n{width_pt} 0 0 {height_pt} 0 0 cm\n/{IMAGE_RESOURCE} Do\nQ\n");
        content.push_str(&text::text_layer(recognized));
        // The text layer writes the words and the spaces between them.
        let mut blocks = font::CodeBlocks::default();
        blocks.add_text(" ");
        recognized.lines.iter().flat_map(|line| &line.words).for_each(|word| blocks.add_text(&word.text));
        PdfPage {
            width_pt,
            height_pt,
            image: self::image::encode(image, jpeg_quality),
            content: content.into_bytes(),
            blocks,
        }
    }
}

fn round2(v: f32) -> f32 {
    (v * 100.0).round() / 100.0
}

/// Document metadata written into the Info dictionary and the XMP packet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Metadata {
    /// Stable identifier, also the seed of the PDF file identifier.
    pub id: String,
    pub title: String,
    pub authors: Vec<String>,
    pub subject: String,
    pub keywords: Vec<String>,
    /// ISO 639-2 codes as olke uses them (`kaz`, `rus`, `eng`).
    pub languages: Vec<String>,
    pub created: Option<DateTime<Utc>>,
    /// What recognized the text (`Tesseract 5.3.0`), named in the Producer after olke.
    pub engine: Option<String>,
}

/// Checks a finished PDF's structure and every stream's encoding with `qpdf --check`, the
/// check the archive's PDFs are held to; the problem qpdf names, if any.
pub(crate) fn check_structure(path: &std::path::Path) -> Result<(), String> {
    let output = std::process::Command::new("qpdf")
        .arg("--check")
        .arg(path)
        .output()
        .map_err(|e| format!("cannot run qpdf to check the PDF made: {e} (install the qpdf package)"))?;
    if output.status.success() {
        return Ok(());
    }
    let said = [output.stderr, output.stdout].concat();
    let said = String::from_utf8_lossy(&said);
    let first = said.lines().map(str::trim).find(|l| !l.is_empty() && !l.starts_with("checking")).unwrap_or("");
    Err(format!("qpdf --check: {first}"))
}

/// PDF and XMP want BCP 47 tags; olke and Tesseract use ISO 639-2.
pub fn bcp47(language: &str) -> &str {
    match language {
        "kaz" => "kk",
        "rus" => "ru",
        "eng" => "en",
        other => other,
    }
}

/// A PDF text string: ASCII as it is, anything else as UTF-16BE with a byte-order mark.
pub fn text_string(text: &str) -> Object {
    if text.is_ascii() {
        Object::string_literal(text)
    } else {
        let mut bytes = vec![0xFE, 0xFF];
        bytes.extend(text.encode_utf16().flat_map(u16::to_be_bytes));
        Object::String(bytes, lopdf::StringFormat::Hexadecimal)
    }
}

fn pdf_date(date: DateTime<Utc>) -> Object {
    Object::string_literal(date.format("D:%Y%m%d%H%M%SZ").to_string())
}

fn xml(text: &str) -> String {
    quick_xml::escape::escape(text).into_owned()
}

impl Metadata {
    /// What an archived document's PDF carries: title, authors, the citation as the subject
    /// (a PDF saved alone still says what it is), subjects and collections as keywords,
    /// and the languages.
    pub fn of(record: &DocumentRecord) -> Metadata {
        let bib = &record.bib;
        let mut keywords = bib.subjects.clone();
        keywords.extend(bib.collections.iter().filter(|c| !bib.subjects.contains(c)).cloned());
        Metadata {
            id: record.id.clone(),
            title: bib.title.clone(),
            authors: bib.authors.clone(),
            subject: record.citation(),
            keywords,
            languages: record.languages.clone(),
            created: Some(record.created),
            engine: Some(record.ocr.engine.clone()),
        }
    }

    fn producer(&self) -> String {
        let olke = format!("olke {}", env!("CARGO_PKG_VERSION"));
        match &self.engine {
            Some(engine) => format!("{olke} ({engine})"),
            None => olke,
        }
    }

    fn created(&self) -> DateTime<Utc> {
        self.created.unwrap_or_else(Utc::now)
    }

    pub fn pdf_language(&self) -> Option<&str> {
        self.languages.first().map(|l| bcp47(l))
    }

    /// A file identifier derived from the document id, so rewriting a document keeps it.
    pub fn file_id(&self) -> [u8; 16] {
        let digest = Sha256::digest(self.id.as_bytes());
        digest[..16].try_into().expect("a SHA-256 digest has 32 bytes")
    }

    pub fn info_dictionary(&self) -> Dictionary {
        let mut info = dictionary! {
            "Title" => text_string(&self.title),
            "Creator" => Object::string_literal(format!("olke {}", env!("CARGO_PKG_VERSION"))),
            "Producer" => Object::string_literal(self.producer()),
            "CreationDate" => pdf_date(self.created()),
            "ModDate" => pdf_date(Utc::now()),
        };
        if !self.authors.is_empty() {
            info.set("Author", text_string(&self.authors.join("; ")));
        }
        if !self.subject.is_empty() {
            info.set("Subject", text_string(&self.subject));
        }
        if !self.keywords.is_empty() {
            info.set("Keywords", text_string(&self.keywords.join("; ")));
        }
        info
    }

    /// The XMP packet (Dublin Core and PDF schemas) carrying the same metadata.
    pub fn xmp(&self) -> String {
        let list = |kind: &str, items: &[String]| -> String {
            let items: String = items.iter().map(|i| format!("<rdf:li>{}</rdf:li>", xml(i))).collect();
            format!("<rdf:{kind}>{items}</rdf:{kind}>")
        };
        let languages: Vec<String> = self.languages.iter().map(|l| bcp47(l).to_string()).collect();
        let lang = self.pdf_language().unwrap_or("x-default");
        let created = self.created().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let now = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        format!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
             <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
             <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
             xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n\
             <dc:format>application/pdf</dc:format>\n\
             <dc:identifier>{id}</dc:identifier>\n\
             <dc:title><rdf:Alt><rdf:li xml:lang=\"{lang}\">{title}</rdf:li></rdf:Alt></dc:title>\n\
             <dc:creator>{creators}</dc:creator>\n\
             <dc:description><rdf:Alt><rdf:li xml:lang=\"{lang}\">{subject}</rdf:li></rdf:Alt></dc:description>\n\
             <dc:subject>{keywords}</dc:subject>\n\
             <dc:language>{languages}</dc:language>\n\
             <pdf:Keywords>{pdf_keywords}</pdf:Keywords>\n\
             <pdf:Producer>olke {version}</pdf:Producer>\n\
             <xmp:CreatorTool>olke {version}</xmp:CreatorTool>\n\
             <xmp:CreateDate>{created}</xmp:CreateDate>\n\
             <xmp:ModifyDate>{now}</xmp:ModifyDate>\n\
             <xmp:MetadataDate>{now}</xmp:MetadataDate>\n\
             </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>",
            id = xml(&self.id),
            title = xml(&self.title),
            creators = list("Seq", &self.authors),
            subject = xml(&self.subject),
            keywords = list("Bag", &self.keywords),
            languages = list("Bag", &languages),
            pdf_keywords = xml(&self.keywords.join("; ")),
            version = env!("CARGO_PKG_VERSION"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_text_strings_are_utf16_with_bom() {
        match text_string("Қала") {
            Object::String(bytes, _) => assert_eq!(&bytes[..4], &[0xFE, 0xFF, 0x04, 0x9A]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn xmp_escapes_and_lists() {
        let meta = Metadata {
            id: "a".into(),
            title: "Тарих & <мұра>".into(),
            authors: vec!["Кәрім, Н.".into()],
            languages: vec!["kaz".into(), "rus".into()],
            ..Default::default()
        };
        let xmp = meta.xmp();
        assert!(xmp.contains("Тарих &amp; &lt;мұра&gt;"));
        assert!(xmp.contains("<rdf:Seq><rdf:li>Кәрім, Н.</rdf:li></rdf:Seq>"));
        assert!(xmp.contains("<rdf:Bag><rdf:li>kk</rdf:li><rdf:li>ru</rdf:li></rdf:Bag>"));
    }

    #[test]
    fn pdf_metadata_carries_the_description() {
        let record = crate::record::tests::document(
            "a",
            &[
                ("title", "Қамшы"),
                ("authors", "Кәрім, Н."),
                ("subjects", "поэзия"),
                ("collections", "Әдебиет; поэзия"),
                ("language", "kaz"),
            ],
        );
        let metadata = Metadata::of(&record);
        assert_eq!(metadata.title, "Қамшы");
        assert_eq!(metadata.authors, vec!["Кәрім, Н."]);
        assert_eq!(metadata.subject, record.citation());
        assert_eq!(metadata.producer(), format!("olke {} (Tesseract)", env!("CARGO_PKG_VERSION")));
        assert_eq!(metadata.keywords, vec!["поэзия", "Әдебиет"]);
    }
}
