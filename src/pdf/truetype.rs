//! Visible text in a real typeface (the delivery cover page): a system TrueType font,
//! reduced by the `subsetter` crate to the glyphs used, embedded as a CID font with
//! `Identity-H` encoding. Each two-byte code is the glyph's number in the subset, and a
//! ToUnicode map gives every code its character, so `pdftotext`, search, copy and paste
//! read Kazakh and Russian text exactly.
//!
//! Text is laid out character by character with the font's advance widths: Cyrillic and
//! Latin need no shaping.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use lopdf::{dictionary, Object, Stream};
use subsetter::GlyphRemapper;

use super::font::compress;

/// A system font that covers Cyrillic with the Kazakh letters.
pub(crate) fn system_font() -> Option<PathBuf> {
    const CANDIDATES: &[&str] = &[
        "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/TTF/DejaVuSerif.ttf",
        "/usr/share/fonts/dejavu/DejaVuSerif.ttf",
    ];
    CANDIDATES.iter().map(PathBuf::from).find(|p| p.is_file())
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum FontError {
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error("{path}: not a TrueType font olke can use ({reason})")]
    Parse { path: PathBuf, reason: String },
    #[error("cannot embed the font {name}: {reason}")]
    Subset { name: String, reason: String },
    #[error(transparent)]
    Write(#[from] std::io::Error),
}

/// Metrics in thousandths of the font size, as PDF font dictionaries give them.
#[derive(Clone, Copy, Debug)]
struct Metrics {
    ascent: i64,
    descent: i64,
    cap_height: i64,
    bbox: [i64; 4],
}

/// A font being used on pages: the glyphs used so far are what gets embedded.
pub(crate) struct EmbeddedFont {
    name: String,
    data: Vec<u8>,
    units_per_em: f32,
    metrics: Metrics,
    remapper: GlyphRemapper,
    /// Code (glyph number in the subset) → the character it shows and its advance width
    /// in thousandths of the font size.
    used: BTreeMap<u16, (char, i64)>,
}

impl EmbeddedFont {
    pub(crate) fn load(path: &Path) -> Result<EmbeddedFont, FontError> {
        let data = std::fs::read(path)
            .map_err(|source| FontError::Io(crate::path_error::PathError { path: path.to_path_buf(), source }))?;
        let parse_error = |reason: String| FontError::Parse { path: path.to_path_buf(), reason };
        let face = ttf_parser::Face::parse(&data, 0).map_err(|e| parse_error(e.to_string()))?;
        if face.tables().glyf.is_none() {
            return Err(parse_error("it has no TrueType outlines".into()));
        }
        let units_per_em = face.units_per_em() as f32;
        let scale = |v: i16| (v as f32 * 1000.0 / units_per_em).round() as i64;
        let bbox = face.global_bounding_box();
        let metrics = Metrics {
            ascent: scale(face.ascender()),
            descent: scale(face.descender()),
            cap_height: scale(face.capital_height().unwrap_or(face.ascender())),
            bbox: [scale(bbox.x_min), scale(bbox.y_min), scale(bbox.x_max), scale(bbox.y_max)],
        };
        // PostScript names have no spaces; the family name is enough to say what it is.
        let name = face
            .names()
            .into_iter()
            .find(|n| n.name_id == ttf_parser::name_id::POST_SCRIPT_NAME)
            .and_then(|n| n.to_string())
            .unwrap_or_else(|| path.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "");
        Ok(EmbeddedFont { name, data, units_per_em, metrics, remapper: GlyphRemapper::new(), used: BTreeMap::new() })
    }

    fn face(&self) -> ttf_parser::Face<'_> {
        ttf_parser::Face::parse(&self.data, 0).expect("parsed when loaded")
    }

    /// The glyph and advance (in font units) of `c`; a character the font lacks shows as
    /// `?`, so that every code keeps one meaning in the ToUnicode map.
    fn glyph(face: &ttf_parser::Face, c: char) -> (char, ttf_parser::GlyphId) {
        match face.glyph_index(c) {
            Some(glyph) => (c, glyph),
            None => ('?', face.glyph_index('?').unwrap_or(ttf_parser::GlyphId(0))),
        }
    }

    /// Width of `text` at `size` points, in points.
    pub(crate) fn width(&self, text: &str, size: f32) -> f32 {
        let face = self.face();
        let units: f32 =
            text.chars().map(|c| face.glyph_hor_advance(Self::glyph(&face, c).1).unwrap_or(0) as f32).sum();
        units * size / self.units_per_em
    }

    /// `text` as the string operand of `Tj`; its glyphs join the subset.
    pub(crate) fn encode(&mut self, text: &str) -> Vec<u8> {
        let face = ttf_parser::Face::parse(&self.data, 0).expect("parsed when loaded");
        // (Not `self.face()`: the face borrows the data while the subset grows.)
        let mut codes = Vec::with_capacity(text.len() * 2);
        for c in text.chars() {
            let (shown, glyph) = Self::glyph(&face, c);
            let code = self.remapper.remap(glyph.0);
            let advance = face.glyph_hor_advance(glyph).unwrap_or(0) as f32;
            self.used.entry(code).or_insert((shown, (advance * 1000.0 / self.units_per_em).round() as i64));
            codes.extend(code.to_be_bytes());
        }
        codes
    }

    pub(crate) fn ascent(&self, size: f32) -> f32 {
        self.metrics.ascent as f32 * size / 1000.0
    }

    pub(crate) fn descent(&self, size: f32) -> f32 {
        self.metrics.descent as f32 * size / 1000.0
    }

    /// The ToUnicode CMap: each code used to its character.
    fn to_unicode(&self) -> Vec<u8> {
        let mut cmap = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<(&u16, &(char, i64))> = self.used.iter().collect();
        // A bfchar section holds at most 100 entries.
        for chunk in entries.chunks(100) {
            let _ = writeln!(cmap, "{} beginbfchar", chunk.len());
            for (code, (c, _)) in chunk {
                let utf16: String = c.encode_utf16(&mut [0; 2]).iter().map(|u| format!("{u:04X}")).collect();
                let _ = writeln!(cmap, "<{code:04X}> <{utf16}>");
            }
            cmap.push_str("endbfchar\n");
        }
        cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        cmap.into_bytes()
    }

    /// Writes the subset font and its dictionaries with `add` (which gives each object its
    /// number); returns the number of the Type 0 font for page resources. Call it once all
    /// text has been encoded.
    pub(crate) fn write_objects(&self, add: &mut dyn FnMut(Object) -> std::io::Result<u32>) -> Result<u32, FontError> {
        let subset = subsetter::subset(&self.data, 0, &self.remapper)
            .map_err(|e| FontError::Subset { name: self.name.clone(), reason: e.to_string() })?;
        Ok(self.write_subset(subset, add)?)
    }

    fn write_subset(
        &self,
        subset: Vec<u8>,
        add: &mut dyn FnMut(Object) -> std::io::Result<u32>,
    ) -> std::io::Result<u32> {
        // A subset's name starts with a tag of six capital letters; this one is derived from
        // the glyphs it holds, so that two different subsets get different names.
        let tag: String = {
            let mut hash =
                self.used.keys().fold(0x811C_9DC5u32, |h, &code| (h ^ code as u32).wrapping_mul(0x0100_0193));
            (0..6)
                .map(|_| {
                    let letter = (b'A' + (hash % 26) as u8) as char;
                    hash /= 26;
                    letter
                })
                .collect()
        };
        let base_font = Object::Name(format!("{tag}+{}", self.name).into_bytes());
        let mut font_file = Stream::new(dictionary! { "Length1" => subset.len() as i64 }, subset);
        compress(&mut font_file);
        let font_file = add(Object::Stream(font_file))?;
        let metrics = self.metrics;
        let descriptor = add(Object::Dictionary(dictionary! {
            "Type" => "FontDescriptor",
            "FontName" => base_font.clone(),
            "Flags" => 32, // nonsymbolic: standard Latin and Cyrillic characters
            "FontBBox" => metrics.bbox.iter().map(|&v| Object::Integer(v)).collect::<Vec<_>>(),
            "ItalicAngle" => 0,
            "Ascent" => metrics.ascent,
            "Descent" => metrics.descent,
            "CapHeight" => metrics.cap_height,
            "StemV" => 80,
            "FontFile2" => Object::Reference((font_file, 0)),
        }))?;
        let mut widths = Vec::new();
        for (code, (_, width)) in &self.used {
            widths.push(Object::Integer(*code as i64));
            widths.push(Object::Array(vec![Object::Integer(*width)]));
        }
        let cid_font = add(Object::Dictionary(dictionary! {
            "Type" => "Font",
            "Subtype" => "CIDFontType2",
            "BaseFont" => base_font.clone(),
            "CIDSystemInfo" => dictionary! {
                "Registry" => Object::string_literal("Adobe"),
                "Ordering" => Object::string_literal("Identity"),
                "Supplement" => 0,
            },
            "FontDescriptor" => Object::Reference((descriptor, 0)),
            "W" => widths,
            // The subset numbers its glyphs as the codes do.
            "CIDToGIDMap" => "Identity",
        }))?;
        let mut to_unicode = Stream::new(dictionary! {}, self.to_unicode());
        compress(&mut to_unicode);
        let to_unicode = add(Object::Stream(to_unicode))?;
        add(Object::Dictionary(dictionary! {
            "Type" => "Font",
            "Subtype" => "Type0",
            "BaseFont" => base_font,
            "Encoding" => "Identity-H",
            "DescendantFonts" => vec![Object::Reference((cid_font, 0))],
            "ToUnicode" => Object::Reference((to_unicode, 0)),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn font() -> EmbeddedFont {
        EmbeddedFont::load(&crate::pdf::truetype::system_font().expect("DejaVu (fonts-dejavu-core)")).unwrap()
    }

    #[test]
    fn codes_are_subset_glyphs_and_map_back_to_their_characters() {
        let mut font = font();
        let codes = font.encode("Қала қ");
        // .notdef is glyph 0 of the subset; the letters follow in order of first use, and
        // a letter used twice keeps its code.
        assert_eq!(codes, vec![0, 1, 0, 2, 0, 3, 0, 2, 0, 4, 0, 5]);
        let cmap = String::from_utf8(font.to_unicode()).unwrap();
        assert!(cmap.contains("<0001> <049A>\n<0002> <0430>"), "{cmap}");
        assert!(cmap.contains("<0005> <049B>"), "{cmap}");
    }

    #[test]
    fn widths_follow_the_font_and_the_subset_parses() {
        let mut font = font();
        let narrow = font.width("ііі", 10.0);
        let wide = font.width("жжж", 10.0);
        assert!(narrow > 0.0 && wide > narrow * 1.5, "і {narrow} ж {wide}");
        font.encode("Әже");
        let subset = subsetter::subset(&font.data, 0, &font.remapper).unwrap();
        assert!(subset.len() < font.data.len() / 10, "the subset is small: {} of {}", subset.len(), font.data.len());
        let mut objects = Vec::new();
        let id = font.write_subset(subset, &mut |o| {
            objects.push(o);
            Ok(objects.len() as u32)
        });
        assert_eq!(id.unwrap(), 5, "font file, descriptor, CID font, ToUnicode, Type 0 font");
        let type0 = objects[4].as_dict().unwrap();
        assert_eq!(type0.get(b"Encoding").unwrap().as_name().unwrap(), b"Identity-H");
    }
}
