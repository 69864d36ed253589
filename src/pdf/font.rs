//! The invisible text layer's font, following Tesseract's own technique: a TrueType font
//! whose only glyph is blank, used as a CID font with `Identity-H` encoding so that each
//! two-byte code is a UTF-16 code unit, and a ToUnicode map that maps every code to itself.
//! Every code shows the same blank glyph, half an em wide; per-word horizontal scaling then
//! stretches the word to its box on the page.

use lopdf::{dictionary, Object, Stream};

/// Advance width of every glyph, in thousandths of the font size.
pub(crate) const GLYPH_WIDTH: f32 = 500.0;
/// Ascent and descent in thousandths of the font size: the font size is set to the text
/// row height, so a word's box in a viewer spans the row.
pub(crate) const ASCENT: i64 = 800;
pub(crate) const DESCENT: i64 = -200;

const UNITS_PER_EM: u16 = 1000;
pub(crate) const FONT_NAME: &str = "GlyphLessFont";

/// A tiny, valid TrueType font with two blank glyphs (.notdef and the one every code uses).
pub(crate) fn glyphless_truetype() -> Vec<u8> {
    let be16 = |v: u16| v.to_be_bytes().to_vec();
    let be32 = |v: u32| v.to_be_bytes().to_vec();
    let cat = |parts: &[Vec<u8>]| parts.concat();
    let width = GLYPH_WIDTH as u16;

    let head = cat(&[
        be32(0x0001_0000), // version
        be32(0x0001_0000), // fontRevision
        be32(0),           // checkSumAdjustment, filled in below
        be32(0x5F0F_3CF5), // magicNumber
        be16(0x000B),      // flags: baseline at y=0, lsb at x=0, integer scaling
        be16(UNITS_PER_EM),
        vec![0; 16],                 // created, modified
        be16(0),                     // xMin
        be16(DESCENT as i16 as u16), // yMin
        be16(width),                 // xMax
        be16(ASCENT as u16),         // yMax
        be16(0),                     // macStyle
        be16(3),                     // lowestRecPPEM
        be16(2),                     // fontDirectionHint
        be16(0),                     // indexToLocFormat: short offsets
        be16(0),                     // glyphDataFormat
    ]);
    let hhea = cat(&[
        be32(0x0001_0000),
        be16(ASCENT as u16),
        be16(DESCENT as i16 as u16),
        be16(0),     // lineGap
        be16(width), // advanceWidthMax
        be16(0),
        be16(0),
        be16(0), // minLeftSideBearing, minRightSideBearing, xMaxExtent
        be16(1),
        be16(0),
        be16(0),    // caretSlopeRise, caretSlopeRun, caretOffset
        vec![0; 8], // reserved
        be16(0),    // metricDataFormat
        be16(2),    // numberOfHMetrics
    ]);
    let maxp = cat(&[be32(0x0001_0000), be16(2), be16(0), be16(0), be16(0), be16(0), be16(2), vec![0; 16]]);
    let hmtx = cat(&[be16(width), be16(0), be16(width), be16(0)]);
    // Both glyphs are empty: the glyph table holds nothing and every offset is zero.
    let loca = cat(&[be16(0), be16(0), be16(0)]);
    let glyf = Vec::new();
    // A format-4 cmap with only the required final segment: codes reach glyphs through
    // the PDF's CIDToGIDMap, not through this table.
    let cmap = cat(&[
        be16(0),
        be16(1),
        be16(3),
        be16(1),
        be32(12), // one Windows Unicode subtable at offset 12
        be16(4),
        be16(24),
        be16(0), // format, length, language
        be16(2),
        be16(2),
        be16(0),
        be16(0), // segCountX2, searchRange, entrySelector, rangeShift
        be16(0xFFFF),
        be16(0),
        be16(0xFFFF),
        be16(1),
        be16(0), // endCode, pad, startCode, idDelta, idRangeOffset
    ]);
    let post = cat(&[be32(0x0003_0000), be32(0), be16((-100i16) as u16), be16(50), be32(0), vec![0; 16]]);
    let os2 = cat(&[
        be16(4),
        be16(width),
        be16(400),
        be16(5),
        be16(0),     // version, xAvgCharWidth, weight, width class, fsType
        vec![0; 16], // sub/superscript sizes and offsets
        be16(50),
        be16(250),   // strikeout size and position
        be16(0),     // sFamilyClass
        vec![0; 10], // panose
        vec![0; 16], // ulUnicodeRange1-4
        b"olke".to_vec(),
        be16(0x0040), // fsSelection: regular
        be16(0x0020),
        be16(0xFFFF), // first and last char index
        be16(ASCENT as u16),
        be16(DESCENT as i16 as u16),
        be16(0), // typo metrics
        be16(ASCENT as u16),
        be16((-DESCENT) as u16), // win ascent/descent
        vec![0; 8],              // code page ranges
        be16(500),
        be16(ASCENT as u16), // xHeight, capHeight
        be16(0),
        be16(0x20),
        be16(0), // default char, break char, max context
    ]);
    let name = name_table(&[(1, FONT_NAME), (2, "Regular"), (4, FONT_NAME), (6, FONT_NAME)]);

    let mut tables: Vec<(&[u8; 4], Vec<u8>)> = vec![
        (b"OS/2", os2),
        (b"cmap", cmap),
        (b"glyf", glyf),
        (b"head", head),
        (b"hhea", hhea),
        (b"hmtx", hmtx),
        (b"loca", loca),
        (b"maxp", maxp),
        (b"name", name),
        (b"post", post),
    ];
    tables.sort_by_key(|(tag, _)| **tag);

    let count = tables.len() as u16;
    let entry_selector = 15 - count.leading_zeros() as u16; // floor(log2(count))
    let search_range = (1u16 << entry_selector) * 16;
    let mut font = cat(&[
        be32(0x0001_0000),
        be16(count),
        be16(search_range),
        be16(entry_selector),
        be16(count * 16 - search_range),
    ]);
    let mut offset = 12 + 16 * tables.len();
    let mut body = Vec::new();
    let mut head_offset = 0;
    for (tag, data) in &tables {
        font.extend_from_slice(*tag);
        font.extend(be32(checksum(data)));
        font.extend(be32(offset as u32));
        font.extend(be32(data.len() as u32));
        if *tag == b"head" {
            head_offset = offset;
        }
        let mut padded = data.clone();
        padded.resize(data.len().next_multiple_of(4), 0);
        offset += padded.len();
        body.extend(padded);
    }
    font.extend(body);
    let adjustment = 0xB1B0_AFBAu32.wrapping_sub(checksum(&font));
    font[head_offset + 8..head_offset + 12].copy_from_slice(&adjustment.to_be_bytes());
    font
}

/// The OpenType table checksum: the sum of big-endian 32-bit words, zero-padded.
fn checksum(data: &[u8]) -> u32 {
    data.chunks(4).fold(0u32, |sum, chunk| {
        let mut word = [0u8; 4];
        word[..chunk.len()].copy_from_slice(chunk);
        sum.wrapping_add(u32::from_be_bytes(word))
    })
}

/// A `name` table with Windows/Unicode English records.
fn name_table(records: &[(u16, &str)]) -> Vec<u8> {
    let strings: Vec<Vec<u8>> =
        records.iter().map(|(_, s)| s.encode_utf16().flat_map(u16::to_be_bytes).collect()).collect();
    let mut table = Vec::new();
    let header_len = 6 + 12 * records.len();
    for v in [0u16, records.len() as u16, header_len as u16] {
        table.extend(v.to_be_bytes());
    }
    let mut string_offset = 0u16;
    for ((id, _), bytes) in records.iter().zip(&strings) {
        for v in [3u16, 1, 0x0409, *id, bytes.len() as u16, string_offset] {
            table.extend(v.to_be_bytes());
        }
        string_offset += bytes.len() as u16;
    }
    table.extend(strings.concat());
    table
}

/// The blocks of 256 UTF-16 code units (by high byte) a document's text layer uses, so
/// its ToUnicode CMap maps those and no more (all 248 blocks would cost 1.7 KB a file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CodeBlocks([u64; 4]);

impl CodeBlocks {
    pub fn add_text(&mut self, text: &str) {
        for high in text.chars().map(|c| code(c) >> 8) {
            self.0[high as usize / 64] |= 1 << (high % 64);
        }
    }

    pub fn add(&mut self, other: CodeBlocks) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine |= theirs;
        }
    }

    /// The blocks a ToUnicode CMap maps to themselves whole: every block of one written by
    /// [`to_unicode_cmap`], and all of them for Tesseract's single range over every code.
    /// None when it maps single codes (`bfchar`): not a text layer of this kind.
    pub(crate) fn mapped_by(cmap: &[u8]) -> Option<CodeBlocks> {
        let cmap = String::from_utf8_lossy(cmap);
        if cmap.contains("beginbfchar") {
            return None;
        }
        let code = |token: &str| u16::from_str_radix(token.strip_prefix('<')?.strip_suffix('>')?, 16).ok();
        let mut blocks = CodeBlocks::default();
        for line in cmap.lines() {
            let tokens: Vec<Option<u16>> = line.split_whitespace().map(code).collect();
            if let [Some(first), Some(last), Some(to)] = tokens[..] {
                if first == to && first & 0xFF == 0 && last & 0xFF == 0xFF {
                    for high in first >> 8..=last >> 8 {
                        blocks.0[high as usize / 64] |= 1 << (high % 64);
                    }
                }
            }
        }
        Some(blocks)
    }

    fn high_bytes(&self) -> impl Iterator<Item = u8> + '_ {
        (0u8..=255).filter(|&high| self.0[high as usize / 64] & (1 << (high % 64)) != 0)
    }
}

/// The ToUnicode CMap: every two-byte code is the UTF-16 code unit of its character.
/// Written as one range per block used, since a bfrange may only vary its last byte;
/// surrogate halves never occur (see [`encode`]).
pub(crate) fn to_unicode_cmap(blocks: &CodeBlocks) -> Vec<u8> {
    let ranges: Vec<u8> = blocks.high_bytes().collect();
    let mut cmap = String::from(
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
         /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
         /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
         1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
    );
    for chunk in ranges.chunks(100) {
        cmap.push_str(&format!("{} beginbfrange\n", chunk.len()));
        for high in chunk {
            cmap.push_str(&format!("<{high:02X}00> <{high:02X}FF> <{high:02X}00>\n"));
        }
        cmap.push_str("endbfrange\n");
    }
    cmap.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
    cmap.into_bytes()
}

/// The ToUnicode stream for the text of a document, written when the document is complete.
pub(crate) fn to_unicode_stream(blocks: &CodeBlocks) -> Stream {
    let mut stream = Stream::new(dictionary! {}, to_unicode_cmap(blocks));
    compress(&mut stream);
    stream
}

/// Encodes text for `Tj` with this font: UTF-16BE code units. Characters outside the Basic
/// Multilingual Plane (none occur in Kazakh, Russian or English text) become U+FFFD,
/// because a surrogate pair would be two codes with no meaning of their own.
pub(crate) fn encode(text: &str) -> Vec<u8> {
    text.chars().flat_map(|c| code(c).to_be_bytes()).collect()
}

/// The two-byte code of a character in the text layer (see [`encode`]).
fn code(c: char) -> u16 {
    u16::try_from(c as u32).unwrap_or(0xFFFD)
}

/// The objects of the text-layer font, with `add` giving each its object number;
/// `to_unicode` is the number reserved for its ToUnicode CMap, written by the caller once
/// the text is known ([`to_unicode_stream`]). Returns the number of the Type 0 font to put
/// in page resources.
pub(crate) fn add_font_objects(
    add: &mut dyn FnMut(Object) -> std::io::Result<u32>,
    to_unicode: u32,
) -> std::io::Result<u32> {
    let font_program = glyphless_truetype();
    let mut font_file = Stream::new(dictionary! { "Length1" => font_program.len() as i64 }, font_program);
    compress(&mut font_file);
    let font_file = add(Object::Stream(font_file))?;

    // Every CID (UTF-16 code unit) shows glyph 1.
    let mut cid_to_gid = Stream::new(dictionary! {}, [0u8, 1].repeat(65536));
    compress(&mut cid_to_gid);
    let cid_to_gid = add(Object::Stream(cid_to_gid))?;

    let descriptor = add(Object::Dictionary(dictionary! {
        "Type" => "FontDescriptor",
        "FontName" => Object::Name(FONT_NAME.into()),
        "Flags" => 5, // fixed pitch, symbolic
        "FontBBox" => vec![0.into(), DESCENT.into(), (GLYPH_WIDTH as i64).into(), ASCENT.into()],
        "ItalicAngle" => 0,
        "Ascent" => ASCENT,
        "Descent" => DESCENT,
        "CapHeight" => ASCENT,
        "StemV" => 80,
        "FontFile2" => Object::Reference((font_file, 0)),
    }))?;
    let cid_font = add(Object::Dictionary(dictionary! {
        "Type" => "Font",
        "Subtype" => "CIDFontType2",
        "BaseFont" => Object::Name(FONT_NAME.into()),
        "CIDSystemInfo" => dictionary! {
            "Registry" => Object::string_literal("Adobe"),
            "Ordering" => Object::string_literal("Identity"),
            "Supplement" => 0,
        },
        "FontDescriptor" => Object::Reference((descriptor, 0)),
        "DW" => GLYPH_WIDTH as i64,
        "CIDToGIDMap" => Object::Reference((cid_to_gid, 0)),
    }))?;
    add(Object::Dictionary(dictionary! {
        "Type" => "Font",
        "Subtype" => "Type0",
        "BaseFont" => Object::Name(FONT_NAME.into()),
        "Encoding" => "Identity-H",
        "DescendantFonts" => vec![Object::Reference((cid_font, 0))],
        "ToUnicode" => Object::Reference((to_unicode, 0)),
    }))
}

/// Flate-compresses a stream in place.
pub(crate) fn compress(stream: &mut Stream) {
    use flate2::{write::ZlibEncoder, Compression};
    use std::io::Write;
    // Text layers and font tables are small: the best compression costs next to nothing.
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::best());
    encoder.write_all(&stream.content).expect("writing to a Vec cannot fail");
    let compressed = encoder.finish().expect("writing to a Vec cannot fail");
    stream.dict.set("Filter", "FlateDecode");
    stream.set_content(compressed);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn font_program_parses_as_truetype() {
        let bytes = glyphless_truetype();
        let face = ttf_parser::Face::parse(&bytes, 0).expect("a valid TrueType font");
        assert_eq!(face.number_of_glyphs(), 2);
        assert_eq!(face.units_per_em(), 1000);
        assert_eq!(face.glyph_hor_advance(ttf_parser::GlyphId(1)), Some(500));
        assert_eq!(face.ascender(), ASCENT as i16);
        assert_eq!(checksum(&bytes), 0xB1B0_AFBA, "whole-font checksum must match the magic");
    }

    #[test]
    fn encodes_kazakh_letters_as_utf16() {
        assert_eq!(encode("әҚ"), vec![0x04, 0xD9, 0x04, 0x9A]);
        assert_eq!(encode("😀"), vec![0xFF, 0xFD]);
    }

    #[test]
    fn cmap_maps_the_blocks_the_text_uses() {
        let mut blocks = CodeBlocks::default();
        blocks.add_text("Қала – city");
        let mut more = CodeBlocks::default();
        more.add_text("😀");
        blocks.add(more);
        let cmap = String::from_utf8(to_unicode_cmap(&blocks)).unwrap();
        for range in ["<0000> <00FF> <0000>", "<0400> <04FF> <0400>", "<2000> <20FF> <2000>", "<FF00> <FFFF> <FF00>"] {
            assert!(cmap.contains(range), "{range} missing from {cmap}");
        }
        assert!(cmap.contains("4 beginbfrange"), "{cmap}");
        assert!(!String::from_utf8(to_unicode_cmap(&CodeBlocks::default())).unwrap().contains("beginbfrange"));
        assert_eq!(CodeBlocks::mapped_by(&to_unicode_cmap(&blocks)), Some(blocks));
        let every = CodeBlocks::mapped_by(b"1 beginbfrange\n<0000> <FFFF> <0000>\nendbfrange\n").unwrap();
        assert_eq!(every, CodeBlocks([u64::MAX; 4]));
        assert_eq!(CodeBlocks::mapped_by(b"1 beginbfchar\n<0041> <0041>\nendbfchar\n"), None);
    }
}
