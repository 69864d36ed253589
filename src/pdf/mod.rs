//! The searchable PDF: each page is the archived scan with an invisible, word-aligned
//! text layer over it, so that search, copy and paste work in any viewer.

pub(crate) mod decode;
pub(crate) mod font;
pub(crate) mod image;
pub(crate) mod import;
pub mod pdfa;
pub(crate) mod retext;
pub(crate) mod text;
pub(crate) mod truetype;
pub(crate) mod update;
pub(crate) mod writer;

use crate::export::xml::escaped;
use chrono::{DateTime, Utc};
use lopdf::{dictionary, Dictionary, Object, Stream};
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
        let olke = Self::creator();
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

    fn creator() -> String {
        format!("olke {}", env!("CARGO_PKG_VERSION"))
    }

    /// The Info dictionary and the XMP packet, saying the same things with the same times:
    /// PDF/A wants every Info entry repeated in the XMP with an equal value. `pdf_a` adds
    /// the PDF/A-2b identification to the XMP.
    pub(crate) fn info_and_xmp(&self, pdf_a: bool) -> (Dictionary, Stream) {
        let modified = Utc::now();
        let xmp = self.xmp(modified, pdf_a);
        // PDF/A: the metadata stream is not compressed, so any tool can find it.
        let xmp = Stream::new(dictionary! { "Type" => "Metadata", "Subtype" => "XML" }, xmp.into_bytes())
            .with_compression(false);
        (self.info_dictionary(modified), xmp)
    }

    fn info_dictionary(&self, modified: DateTime<Utc>) -> Dictionary {
        let mut info = dictionary! {
            "Title" => text_string(&self.title),
            "Creator" => Object::string_literal(Self::creator()),
            "Producer" => Object::string_literal(self.producer()),
            "CreationDate" => pdf_date(self.created()),
            "ModDate" => pdf_date(modified),
        };
        if !self.authors.is_empty() {
            info.set("Author", text_string(&self.author()));
        }
        if !self.subject.is_empty() {
            info.set("Subject", text_string(&self.subject));
        }
        if !self.keywords.is_empty() {
            info.set("Keywords", text_string(&self.keywords.join("; ")));
        }
        info
    }

    /// The authors as one Info entry. The XMP's `dc:creator` holds the same single string:
    /// PDF/A compares the two, and splitting one but not the other would break the match.
    fn author(&self) -> String {
        self.authors.join("; ")
    }

    /// The XMP packet (Dublin Core, PDF and XMP basic schemas; PDF/A identification).
    fn xmp(&self, modified: DateTime<Utc>, pdf_a: bool) -> String {
        let list = |kind: &str, items: &[String]| -> String {
            let items: String = items.iter().map(|i| format!("<rdf:li>{}</rdf:li>", escaped(i))).collect();
            format!("<rdf:{kind}>{items}</rdf:{kind}>")
        };
        let alternative =
            |text: &str| format!("<rdf:Alt><rdf:li xml:lang=\"x-default\">{}</rdf:li></rdf:Alt>", escaped(text));
        let optional = |name: &str, value: String, present: bool| {
            if present {
                format!("<{name}>{value}</{name}>\n")
            } else {
                String::new()
            }
        };
        let languages: Vec<String> = self.languages.iter().map(|l| bcp47(l).to_string()).collect();
        let time = |t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let identification = if pdf_a {
            format!(
                "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n\
                 <pdfaid:part>{}</pdfaid:part>\n<pdfaid:conformance>{}</pdfaid:conformance>\n</rdf:Description>\n",
                pdfa::PART,
                pdfa::CONFORMANCE
            )
        } else {
            String::new()
        };
        format!(
            "<?xpacket begin=\"\u{FEFF}\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n\
             <x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n\
             <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n\
             {identification}\
             <rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
             xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n\
             <dc:format>application/pdf</dc:format>\n\
             <dc:identifier>{id}</dc:identifier>\n\
             <dc:title>{title}</dc:title>\n\
             {creator}{description}{keywords}{pdf_keywords}\
             <dc:language>{languages}</dc:language>\n\
             <pdf:Producer>{producer}</pdf:Producer>\n\
             <xmp:CreatorTool>{creator_tool}</xmp:CreatorTool>\n\
             <xmp:CreateDate>{created}</xmp:CreateDate>\n\
             <xmp:ModifyDate>{modified}</xmp:ModifyDate>\n\
             <xmp:MetadataDate>{modified}</xmp:MetadataDate>\n\
             </rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>",
            id = escaped(&self.id),
            title = alternative(&self.title),
            creator = optional("dc:creator", list("Seq", &[self.author()]), !self.authors.is_empty()),
            description = optional("dc:description", alternative(&self.subject), !self.subject.is_empty()),
            keywords = optional("dc:subject", list("Bag", &self.keywords), !self.keywords.is_empty()),
            pdf_keywords = optional("pdf:Keywords", escaped(&self.keywords.join("; ")), !self.keywords.is_empty()),
            languages = list("Bag", &languages),
            producer = escaped(&self.producer()),
            creator_tool = escaped(&Self::creator()),
            created = time(self.created()),
            modified = time(modified),
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
            title: "Тарих & <мұра>\u{1b}[31m\u{0}\u{FFFE}".into(),
            authors: vec!["Кәрім, Н.".into()],
            languages: vec!["kaz".into(), "rus".into()],
            ..Default::default()
        };
        let xmp = meta.xmp(Utc::now(), true);
        // Control characters (an old PDF's Info or a pasted cell can carry them) would
        // make the XMP no XML at all.
        assert!(xmp.contains("<rdf:li xml:lang=\"x-default\">Тарих &amp; &lt;мұра&gt; [31m  </rdf:li>"));
        assert!(xmp.contains("<rdf:Seq><rdf:li>Кәрім, Н.</rdf:li></rdf:Seq>"));
        assert!(xmp.contains("<pdfaid:part>2</pdfaid:part>"));
        assert!(!meta.xmp(Utc::now(), false).contains("pdfaid"));
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
