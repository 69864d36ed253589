//! PDF/A-2b (ISO 19005-2, level B), the archival form of PDF that OCRmyPDF and FineReader
//! write by default. What olke writes itself conforms by construction once it carries an
//! sRGB output intent and the identification in its XMP (the page images are DeviceGray
//! or DeviceRGB, the one font is embedded, nothing else is used). Pages copied from a PDF
//! made elsewhere are looked over object by object as they are copied: what can be made
//! conforming without changing what the page shows or says is (a rendering hint, a missing
//! print flag), and anything else is recorded as a reason the file cannot claim PDF/A.

use lopdf::content::Content;
use lopdf::{dictionary, Dictionary, Object, Stream};
use serde::{Deserialize, Serialize};

use super::font::compress;

/// The level claimed in the XMP identification (`pdfaid:part`, `pdfaid:conformance`).
pub(crate) const PART: u8 = 2;
pub(crate) const CONFORMANCE: &str = "B";

/// What the record says of its PDF's archival form.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PdfA {
    /// The PDF claims and meets PDF/A-2b.
    Conforms(String),
    /// Pages kept from an earlier digitization use what PDF/A forbids; the reasons.
    NotConforming(Vec<String>),
}

impl PdfA {
    pub(crate) fn conforming() -> PdfA {
        PdfA::Conforms(format!("PDF/A-{PART}{}", CONFORMANCE.to_lowercase()))
    }
}

/// Why a file being written cannot claim PDF/A: each problem once, with the first page
/// it was found on and how many pages had it.
#[derive(Debug, Default)]
pub(crate) struct Problems(Vec<(String, usize, usize)>);

impl Problems {
    pub(crate) fn add(&mut self, page: usize, problems: Vec<String>) {
        for problem in problems {
            match self.0.iter_mut().find(|(p, _, _)| *p == problem) {
                Some((_, _, pages)) => *pages += 1,
                None => self.0.push((problem, page, 1)),
            }
        }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn pdf_a(&self) -> PdfA {
        if self.0.is_empty() {
            return PdfA::conforming();
        }
        let said = |(problem, page, pages): &(String, usize, usize)| match pages {
            1 => format!("page {page}: {problem}"),
            _ => format!("page {page} and {} more: {problem}", pages - 1),
        };
        PdfA::NotConforming(self.0.iter().map(said).collect())
    }
}

/// The output intent's condition: the colour space the page images are meant in.
const OUTPUT_CONDITION: &str = "sRGB IEC61966-2.1";

/// The document's output intent, with `profile` the number of the ICC profile stream.
pub(crate) fn output_intent(profile: u32) -> Dictionary {
    dictionary! {
        "Type" => "OutputIntent",
        "S" => "GTS_PDFA1",
        "OutputConditionIdentifier" => Object::string_literal(OUTPUT_CONDITION),
        "Info" => Object::string_literal(OUTPUT_CONDITION),
        "RegistryName" => Object::string_literal("http://www.color.org"),
        "DestOutputProfile" => Object::Reference((profile, 0)),
    }
}

/// The sRGB profile as a compressed ICC stream for [`output_intent`].
pub(crate) fn profile_stream() -> Stream {
    let mut stream = Stream::new(dictionary! { "N" => 3 }, srgb_profile());
    compress(&mut stream);
    stream
}

/// An sRGB display profile (ICC version 2.1), built from IEC 61966-2.1's published values
/// rather than shipped as an opaque file: primaries adapted to the D50 connection space
/// (Bradford), the D65 white point, and the sRGB tone curve sampled at 1024 points. The
/// bytes are the same on every run, so PDFs stay reproducible.
pub(crate) fn srgb_profile() -> Vec<u8> {
    let be16 = |v: u16| v.to_be_bytes();
    let fixed = |v: f64| ((v * 65536.0).round() as i32).to_be_bytes();
    let typed = |signature: &[u8; 4], body: &[u8]| [&signature[..], &[0; 4], body].concat();
    let xyz = |x: f64, y: f64, z: f64| typed(b"XYZ ", &[fixed(x), fixed(y), fixed(z)].concat());
    let description = {
        let ascii = b"sRGB IEC61966-2.1 (olke)\0";
        let mut body = (ascii.len() as u32).to_be_bytes().to_vec();
        body.extend(ascii);
        // No Unicode or ScriptCode description: language, count, code, count, 67 bytes.
        body.extend([0; 8]);
        body.extend([0; 3 + 67]);
        typed(b"desc", &body)
    };
    let curve = {
        const POINTS: u32 = 1024;
        let mut body = POINTS.to_be_bytes().to_vec();
        for i in 0..POINTS {
            let v = f64::from(i) / f64::from(POINTS - 1);
            let linear = if v <= 0.04045 { v / 12.92 } else { ((v + 0.055) / 1.055).powf(2.4) };
            body.extend(be16((linear * 65535.0).round() as u16));
        }
        typed(b"curv", &body)
    };
    let tags: [(&[u8; 4], Vec<u8>); 7] = [
        (b"desc", description),
        (b"cprt", typed(b"text", b"No copyright, use freely\0")),
        (b"wtpt", xyz(0.9505, 1.0, 1.0891)),
        (b"rXYZ", xyz(0.4361, 0.2225, 0.0139)),
        (b"gXYZ", xyz(0.3851, 0.7169, 0.0971)),
        (b"bXYZ", xyz(0.1431, 0.0606, 0.7141)),
        (b"rTRC", curve),
    ];
    // The three channels share one curve: the green and blue entries point at red's data.
    let entries = tags.len() + 2;
    let mut offset = 128 + 4 + 12 * entries;
    let mut table = (entries as u32).to_be_bytes().to_vec();
    let mut data = Vec::new();
    let mut curve_at = (0, 0);
    for (signature, body) in &tags {
        table.extend([&signature[..], &(offset as u32).to_be_bytes(), &(body.len() as u32).to_be_bytes()].concat());
        if *signature == b"rTRC" {
            curve_at = (offset, body.len());
        }
        data.extend(body);
        let padding = body.len().next_multiple_of(4) - body.len();
        data.extend(vec![0; padding]);
        offset += body.len() + padding;
    }
    for signature in [b"gTRC", b"bTRC"] {
        table.extend([&signature[..], &(curve_at.0 as u32).to_be_bytes(), &(curve_at.1 as u32).to_be_bytes()].concat());
    }
    let size = 128 + table.len() + data.len();
    let mut header = Vec::with_capacity(128);
    header.extend((size as u32).to_be_bytes());
    header.extend([0; 4]); // preferred CMM: none
    header.extend([0x02, 0x10, 0, 0]); // version 2.1
    header.extend(b"mntrRGB XYZ ");
    for part in [2026u16, 1, 1, 0, 0, 0] {
        header.extend(be16(part));
    }
    header.extend(b"acsp");
    header.extend([0; 4 + 4 + 4 + 4 + 8]); // platform, flags, manufacturer, model, attributes
    header.extend(0u32.to_be_bytes()); // rendering intent: perceptual
    header.extend([fixed(0.9642), fixed(1.0), fixed(0.8249)].concat()); // D50
    header.extend([0; 4 + 16 + 28]); // creator, profile id (none in version 2), reserved
    [header, table, data].concat()
}

/// Annotation kinds PDF/A-2 forbids (ISO 19005-2, 6.3.1).
const FORBIDDEN_ANNOTATIONS: [&[u8]; 5] = [b"3D", b"Sound", b"Screen", b"Movie", b"FileAttachment"];
/// Actions PDF/A-2 forbids (6.5.1).
const FORBIDDEN_ACTIONS: [&[u8]; 11] = [
    b"Launch",
    b"Sound",
    b"Movie",
    b"ResetForm",
    b"ImportData",
    b"JavaScript",
    b"Hide",
    b"SetOCGState",
    b"Rendition",
    b"Trans",
    b"GoTo3DView",
];
/// Blend modes of PDF 1.7 (ISO 32000-1, tables 136 and 137; 6.2.10 allows only these).
const BLEND_MODES: [&[u8]; 17] = [
    b"Normal",
    b"Compatible",
    b"Multiply",
    b"Screen",
    b"Overlay",
    b"Darken",
    b"Lighten",
    b"ColorDodge",
    b"ColorBurn",
    b"HardLight",
    b"SoftLight",
    b"Difference",
    b"Exclusion",
    b"Hue",
    b"Saturation",
    b"Color",
    b"Luminosity",
];
/// Annotation flags: Invisible, Hidden, Print, NoView, ToggleNoView.
const INVISIBLE: i64 = 1;
const HIDDEN: i64 = 2;
const PRINT: i64 = 4;
const NO_VIEW: i64 = 32;
const TOGGLE_NO_VIEW: i64 = 256;

fn name_of<'a>(dict: &'a Dictionary, key: &[u8]) -> &'a [u8] {
    dict.get(key).and_then(Object::as_name).unwrap_or_default()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Looks over one object copied from another PDF: makes it conforming where that changes
/// nothing a reader sees or reads, and returns what cannot be. `is_content` says the object
/// is one of a page's content streams (forms are known by their subtype).
pub(crate) fn conform(object: &mut Object, is_content: bool) -> Vec<String> {
    match object {
        Object::Stream(stream) => {
            let is_content = is_content || name_of(&stream.dict, b"Subtype") == b"Form";
            let mut problems = Vec::new();
            conform_stream(stream, is_content, &mut problems);
            problems.extend(conform_dictionary(&mut stream.dict));
            problems
        }
        Object::Dictionary(dict) => conform_dictionary(dict),
        _ => Vec::new(),
    }
}

/// A dictionary copied from another PDF (a page's with its resources inline or not, a
/// font's, a stream's), as [`conform`] looks over objects.
pub(crate) fn conform_dictionary(dict: &mut Dictionary) -> Vec<String> {
    let mut problems = Vec::new();
    conform_entries(dict, &mut problems);
    if dict.iter().any(|(_, v)| mentions_cmyk(v)) {
        problems.push(CMYK.into());
    }
    problems
}

const CMYK: &str = "uses the DeviceCMYK colour space, which the sRGB output intent does not cover";

/// An annotation copied onto a page: printable and visible (PDF/A wants what is shown on
/// screen to be what prints), its appearance the normal one only.
pub(crate) fn conform_annotation(annotation: &mut Dictionary) -> Vec<String> {
    let mut problems = Vec::new();
    let subtype = name_of(annotation, b"Subtype").to_vec();
    let flags = annotation.get(b"F").and_then(Object::as_i64).unwrap_or(0);
    annotation.set("F", (flags | PRINT) & !(INVISIBLE | HIDDEN | NO_VIEW | TOGGLE_NO_VIEW));
    if let Ok(Object::Dictionary(appearance)) = annotation.get_mut(b"AP") {
        appearance.remove(b"D");
        appearance.remove(b"R");
    }
    let has_area = annotation
        .get(b"Rect")
        .and_then(Object::as_array)
        .map(|r| r.iter().filter_map(|v| v.as_float().ok()).collect::<Vec<_>>())
        .is_ok_and(|r| r.len() == 4 && r[0] != r[2] && r[1] != r[3]);
    if subtype != b"Link" && subtype != b"Popup" && has_area && !annotation.has(b"AP") {
        problems.push(format!("a {} annotation has no appearance of its own", text(&subtype)));
    }
    conform_entries(annotation, &mut problems);
    problems
}

fn conform_entries(dict: &mut Dictionary, problems: &mut Vec<String>) {
    // Additional actions run on events (page open, mouse over): never content.
    dict.remove(b"AA");
    let kind = name_of(dict, b"Type").to_vec();
    let subtype = name_of(dict, b"Subtype").to_vec();
    if subtype == b"Image" {
        // Interpolation is a rendering hint; alternate and OPI images are for other devices.
        if dict.get(b"Interpolate").and_then(Object::as_bool).unwrap_or(false) {
            dict.set("Interpolate", false);
        }
        dict.remove(b"Alternates");
        dict.remove(b"OPI");
    }
    if subtype == b"Form" {
        dict.remove(b"OPI");
        if name_of(dict, b"Subtype2") == b"PS" || dict.has(b"PS") {
            problems.push("a form holds PostScript".into());
        }
    }
    if subtype == b"PS" {
        problems.push("a PostScript XObject".into());
    }
    if FORBIDDEN_ANNOTATIONS.iter().any(|a| subtype == *a) {
        problems.push(format!("a {} annotation", text(&subtype)));
    }
    let action = name_of(dict, b"S");
    if FORBIDDEN_ACTIONS.contains(&action) {
        problems.push(format!("a {} action", text(action)));
    }
    if kind == b"FontDescriptor" && !(dict.has(b"FontFile") || dict.has(b"FontFile2") || dict.has(b"FontFile3")) {
        problems.push(format!("the font {} is not embedded", text(name_of(dict, b"FontName"))));
    }
    if kind == b"Font" {
        if matches!(&subtype[..], b"Type1" | b"MMType1" | b"TrueType") && !dict.has(b"FontDescriptor") {
            problems.push(format!("the font {} is not embedded", text(name_of(dict, b"BaseFont"))));
        }
        // Identity is the default mapping (ISO 32000-1, 9.7.4.2); PDF/A wants it said.
        if subtype == b"CIDFontType2" && !dict.has(b"CIDToGIDMap") {
            dict.set("CIDToGIDMap", "Identity");
        }
    }
    if kind == b"ExtGState" {
        let default_or_identity =
            |key: &[u8]| dict.get(key).map_or(true, |v| matches!(v.as_name(), Ok(b"Default") | Ok(b"Identity")));
        if dict.has(b"TR") || !default_or_identity(b"TR2") {
            problems.push("a transfer function changes the page's tones".into());
        }
        if dict.has(b"HTP") {
            problems.push("a halftone phase is set".into());
        }
        let blend = dict.get(b"BM").ok();
        let modes: Vec<&Object> = match blend {
            Some(Object::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
            None => Vec::new(),
        };
        if modes.iter().any(|m| !BLEND_MODES.iter().any(|b| m.as_name().is_ok_and(|n| n == *b))) {
            problems.push("a blend mode PDF 1.7 does not define".into());
        }
    }
}

fn conform_stream(stream: &mut Stream, is_content: bool, problems: &mut Vec<String>) {
    let filters = stream.filters().unwrap_or_default();
    if filters.iter().any(|f| f == b"LZWDecode") {
        // LZW is forbidden (6.1.7.2) but lossless to undo: the same bytes, deflated.
        match stream.decompressed_content() {
            Ok(content) if filters.len() == 1 => {
                stream.dict.remove(b"Filter");
                stream.dict.remove(b"DecodeParms");
                stream.set_content(content);
                compress(stream);
            }
            _ => problems.push("a stream compressed with LZW that cannot be re-encoded".into()),
        }
    }
    for key in [&b"F"[..], b"FFilter", b"FDecodeParms"] {
        if stream.dict.has(key) {
            problems.push("a stream's data is in an external file".into());
            break;
        }
    }
    if !is_content {
        return;
    }
    let content = if stream.filters().is_ok_and(|f| !f.is_empty()) {
        stream.decompressed_content().ok()
    } else {
        Some(stream.content.clone())
    };
    let Some(operations) = content.and_then(|c| Content::decode(&c).ok()) else {
        problems.push("a page's content cannot be read to check its colours".into());
        return;
    };
    let cmyk = operations.operations.iter().any(|op| {
        op.operator == "k"
            || op.operator == "K"
            || op.operands.iter().any(|o| o.as_name().is_ok_and(|n| n == b"DeviceCMYK"))
    });
    if cmyk {
        problems.push(CMYK.into());
    }
}

/// Whether a colour space of DeviceCMYK is named anywhere in the object (streams are
/// never inside other objects: [`conform`] looks at a stream's dictionary itself).
fn mentions_cmyk(object: &Object) -> bool {
    match object {
        Object::Name(name) => name == b"DeviceCMYK",
        Object::Array(items) => items.iter().any(mentions_cmyk),
        Object::Dictionary(dict) => dict.iter().any(|(_, v)| mentions_cmyk(v)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_profile_is_a_well_formed_icc_header_and_tag_table() {
        let icc = srgb_profile();
        assert_eq!(u32::from_be_bytes(icc[0..4].try_into().unwrap()) as usize, icc.len());
        assert_eq!(&icc[12..24], b"mntrRGB XYZ ");
        assert_eq!(&icc[36..40], b"acsp");
        let count = u32::from_be_bytes(icc[128..132].try_into().unwrap()) as usize;
        assert_eq!(count, 9);
        for i in 0..count {
            let entry = &icc[132 + 12 * i..144 + 12 * i];
            let offset = u32::from_be_bytes(entry[4..8].try_into().unwrap()) as usize;
            let size = u32::from_be_bytes(entry[8..12].try_into().unwrap()) as usize;
            assert_eq!(offset % 4, 0, "tag {i} is aligned");
            assert!(offset + size <= icc.len(), "tag {i} lies inside the profile");
        }
    }

    #[test]
    fn conversions_keep_what_the_page_shows_and_problems_are_named() {
        let mut image = Object::Dictionary(dictionary! {
            "Type" => "XObject", "Subtype" => "Image", "Interpolate" => true, "ColorSpace" => "DeviceRGB",
        });
        assert!(conform(&mut image, false).is_empty());
        assert!(!image.as_dict().unwrap().get(b"Interpolate").unwrap().as_bool().unwrap());

        let mut luminosity = Object::Dictionary(dictionary! { "Type" => "ExtGState", "BM" => "Luminosity" });
        assert!(conform(&mut luminosity, false).is_empty(), "a blend mode of PDF 1.7");
        let mut unknown = Object::Dictionary(dictionary! { "Type" => "ExtGState", "BM" => "Glow" });
        assert_eq!(conform(&mut unknown, false), vec!["a blend mode PDF 1.7 does not define".to_string()]);

        let mut cmyk = Object::Dictionary(dictionary! { "Subtype" => "Image", "ColorSpace" => "DeviceCMYK" });
        assert_eq!(conform(&mut cmyk, false).len(), 1);

        let mut helvetica =
            Object::Dictionary(dictionary! { "Type" => "Font", "Subtype" => "Type1", "BaseFont" => "Helvetica" });
        assert_eq!(conform(&mut helvetica, false), vec!["the font Helvetica is not embedded".to_string()]);

        let mut content = Object::Stream(Stream::new(dictionary! {}, b"0 0 0 1 k 0 0 10 10 re f".to_vec()));
        assert_eq!(conform(&mut content, true), vec![CMYK.to_string()]);

        let mut note = dictionary! { "Type" => "Annot", "Subtype" => "Text", "F" => 2, "Rect" => vec![0.into(), 0.into(), 20.into(), 20.into()] };
        assert_eq!(conform_annotation(&mut note).len(), 1, "a note without an appearance");
        assert_eq!(note.get(b"F").unwrap().as_i64().unwrap(), PRINT);
    }
}
