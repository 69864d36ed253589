//! Header facts the `image` crate does not expose: size, colour components and resolution
//! of JPEG (JFIF or Exif) and PNG (pHYs) files, read without decoding pixels.

use std::io::Cursor;

/// What a JPEG or PNG header says about the image.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Header {
    pub width: u32,
    pub height: u32,
    /// Colour components (JPEG only: 1 gray, 3 colour, 4 CMYK).
    pub components: u8,
    pub dpi: Option<f32>,
    /// One bit per pixel, black and white.
    pub bitonal: bool,
    /// PNG only: 8-bit gray or colour without alpha, not interlaced — its compressed rows
    /// are a PDF FlateDecode image stream as they are.
    pub pdf_ready_rows: bool,
}

fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Walks the JPEG marker segments up to the start of scan.
pub(super) fn jpeg_header(bytes: &[u8]) -> Result<Header, String> {
    let mut jfif_dpi = None;
    let mut exif_dpi = None;
    let mut frame = None;
    let mut i = 2;
    while i + 4 <= bytes.len() {
        if bytes[i] != 0xFF {
            return Err(format!("marker expected at byte {i}"));
        }
        let marker = bytes[i + 1];
        if marker == 0xFF {
            i += 1; // fill byte
            continue;
        }
        if (0xD0..=0xD7).contains(&marker) || marker == 0x01 {
            i += 2;
            continue;
        }
        if marker == 0xDA || marker == 0xD9 {
            break;
        }
        let len = be16(&bytes[i + 2..]) as usize;
        let end = i + 2 + len;
        if len < 2 || end > bytes.len() {
            return Err("the file is truncated inside its header".into());
        }
        let segment = &bytes[i + 4..end];
        match marker {
            0xE0 if segment.starts_with(b"JFIF\0") && segment.len() >= 12 => {
                let density = be16(&segment[8..]) as f32;
                jfif_dpi = match segment[7] {
                    1 => Some(density),
                    2 => Some(density * 2.54),
                    _ => None,
                };
            }
            0xE1 if segment.starts_with(b"Exif\0\0") => exif_dpi = exif_resolution(&segment[6..]),
            0xC0..=0xCF if !matches!(marker, 0xC4 | 0xC8 | 0xCC) && segment.len() >= 6 => {
                frame = Some((be16(&segment[3..]) as u32, be16(&segment[1..]) as u32, segment[5]));
            }
            _ => {}
        }
        i = end;
    }
    let (width, height, components) = frame.ok_or("no frame header before the image data; the file is truncated")?;
    // JPEG decoders fill a cut-off scan with gray and carry on; a file that does not end
    // with the end-of-image marker (padding aside) lost its tail.
    if !bytes[..jpeg_end(bytes)].ends_with(&[0xFF, 0xD9]) {
        return Err("the file is truncated (no end-of-image marker)".into());
    }
    Ok(Header { width, height, components, dpi: jfif_dpi.or(exif_dpi), bitonal: false, pdf_ready_rows: false })
}

/// The length of a JPEG without the zero padding some scanners write after it: what the
/// PDF carries.
pub(super) fn jpeg_end(bytes: &[u8]) -> usize {
    bytes.iter().rposition(|&b| b != 0x00).map_or(0, |i| i + 1)
}

fn exif_resolution(tiff_bytes: &[u8]) -> Option<f32> {
    let exif = exif::Reader::new().read_raw(tiff_bytes.to_vec()).ok()?;
    let x = match &exif.get_field(exif::Tag::XResolution, exif::In::PRIMARY)?.value {
        exif::Value::Rational(v) if !v.is_empty() && v[0].denom != 0 => v[0].to_f32(),
        _ => return None,
    };
    let unit =
        exif.get_field(exif::Tag::ResolutionUnit, exif::In::PRIMARY).and_then(|f| f.value.get_uint(0)).unwrap_or(2);
    match unit {
        2 => Some(x),
        3 => Some(x * 2.54),
        _ => None,
    }
}

/// Width and height straight from a PNG's IHDR chunk, so an absurd size can be refused
/// before a decoder looks any further.
pub(super) fn png_size(bytes: &[u8]) -> Result<(u32, u32), String> {
    if bytes.len() < 24 || &bytes[12..16] != b"IHDR" {
        return Err("no image header (IHDR); the file is truncated or not a PNG".into());
    }
    let word = |at: usize| u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
    Ok((word(16), word(20)))
}

pub(super) fn png_header(bytes: &[u8]) -> Result<Header, String> {
    let reader = png::Decoder::new(Cursor::new(bytes)).read_info().map_err(|e| e.to_string())?;
    let info = reader.info();
    let dpi = info.pixel_dims.and_then(|d| match d.unit {
        png::Unit::Meter => Some(d.xppu as f32 * 0.0254),
        png::Unit::Unspecified => None,
    });
    Ok(Header {
        width: info.width,
        height: info.height,
        components: info.color_type.samples() as u8,
        dpi,
        bitonal: info.bit_depth == png::BitDepth::One && info.color_type == png::ColorType::Grayscale,
        pdf_ready_rows: info.bit_depth == png::BitDepth::Eight
            && matches!(info.color_type, png::ColorType::Grayscale | png::ColorType::Rgb)
            && !info.interlaced,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_jfif_density_and_frame() {
        let mut jpeg = vec![0xFF, 0xD8];
        // APP0 JFIF, 300 dpi.
        jpeg.extend([0xFF, 0xE0, 0, 16, b'J', b'F', b'I', b'F', 0, 1, 1, 1, 0x01, 0x2C, 0x01, 0x2C, 0, 0]);
        // SOF0: 8-bit, 20 high, 10 wide, 3 components.
        jpeg.extend([0xFF, 0xC0, 0, 17, 8, 0, 20, 0, 10, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg.extend([0xFF, 0xDA, 0, 2, 0xFF, 0xD9]);
        let h = jpeg_header(&jpeg).unwrap();
        assert_eq!((h.width, h.height, h.components, h.dpi), (10, 20, 3, Some(300.0)));
    }

    #[test]
    fn a_jpeg_cut_off_in_its_scan_is_reported() {
        let mut jpeg = vec![0xFF, 0xD8];
        jpeg.extend([0xFF, 0xC0, 0, 17, 8, 0, 20, 0, 10, 3, 1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1]);
        jpeg.extend([0xFF, 0xDA, 0, 2, 0x12, 0x34]);
        assert!(jpeg_header(&jpeg).unwrap_err().contains("end-of-image"));
        jpeg.extend([0xFF, 0xD9, 0, 0]);
        assert!(jpeg_header(&jpeg).is_ok(), "padding after the marker is fine");
    }

    #[test]
    fn truncated_header_is_reported() {
        let jpeg = [0xFF, 0xD8, 0xFF, 0xE0, 0, 16, b'J', b'F'];
        assert!(jpeg_header(&jpeg).unwrap_err().contains("truncated"));
    }
}
