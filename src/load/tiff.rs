//! TIFF scans through the `tiff` crate: multi-page, LZW/Deflate/PackBits/CCITT G4, 1–16 bits.
//! The `image` crate reads only the first page of a TIFF, so pages are decoded here.

use std::fs::File;
use std::io::{BufReader, Read, Seek};
use std::path::Path;

use image::{GrayImage, RgbImage};
use tiff::decoder::{Decoder, DecodingResult, Limits};
use tiff::tags::Tag;
use tiff::ColorType;

use super::{check_dimensions, over_white, Decoded, LoadError, LoadOptions};
use crate::page::PageImage;

fn corrupt(err: tiff::TiffError) -> LoadError {
    match err {
        tiff::TiffError::UnsupportedError(e) => LoadError::Unsupported { format: "TIFF", detail: e.to_string() },
        tiff::TiffError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            LoadError::Corrupt { format: "TIFF", detail: "the file is truncated".into() }
        }
        tiff::TiffError::LimitsExceeded => {
            LoadError::Unsupported { format: "TIFF", detail: "a tag or page too large to decode".into() }
        }
        other => LoadError::Corrupt { format: "TIFF", detail: other.to_string() },
    }
}

/// Opens a TIFF with the crate's limit on tag values (a tag claiming billions of values
/// must not be allocated: found by fuzzing) and, when decoding, buffers as large as the
/// largest page `options` accept (the crate's defaults would refuse legitimate 16-bit
/// A3 scans; our pixel limit is checked on the header before decoding).
fn open(path: &Path, options: Option<&LoadOptions>) -> Result<Decoder<BufReader<File>>, LoadError> {
    reader_decoder(BufReader::new(File::open(path)?), options)
}

fn reader_decoder<R: Read + Seek>(reader: R, options: Option<&LoadOptions>) -> Result<Decoder<R>, LoadError> {
    let mut limits = Limits::default();
    if let Some(options) = options {
        // Four 16-bit samples per pixel at most.
        let largest_page = usize::try_from(options.max_pixels.saturating_mul(8)).unwrap_or(usize::MAX);
        limits.decoding_buffer_size = largest_page;
        limits.intermediate_buffer_size = largest_page;
    }
    Ok(Decoder::new(reader).map_err(corrupt)?.with_limits(limits))
}

/// Pages in the file. When a later page's directory is unreadable, the pages before it
/// are still counted and the damage is returned beside the count.
pub(super) fn page_count(path: &Path) -> Result<(usize, Option<String>), LoadError> {
    let mut decoder = open(path, None)?;
    let mut count = 1;
    while decoder.more_images() {
        if let Err(e) = decoder.next_image() {
            return Ok((count, Some(format!("pages after page {count} cannot be read: {}", corrupt(e)))));
        }
        count += 1;
    }
    Ok((count, None))
}

/// Resolution in dots per inch from XResolution/ResolutionUnit.
fn resolution<R: std::io::Read + std::io::Seek>(decoder: &mut Decoder<R>) -> Option<f32> {
    let x = match decoder.find_tag(Tag::XResolution).ok()?? {
        tiff::decoder::ifd::Value::Rational(n, d) if d != 0 => n as f32 / d as f32,
        other => other.into_f32().ok()?,
    };
    let unit = decoder.find_tag(Tag::ResolutionUnit).ok().flatten().and_then(|v| v.into_u16().ok()).unwrap_or(2);
    match unit {
        2 => Some(x),
        3 => Some(x * 2.54),
        _ => None, // "no absolute unit": an aspect ratio, not a resolution
    }
}

pub(super) fn decode(path: &Path, index: usize, options: &LoadOptions) -> Result<Decoded, LoadError> {
    let mut decoder = open(path, Some(options))?;
    seek(&mut decoder, index)?;
    // FillOrder 2 (a fax's order): each byte's first pixel is its lowest bit. The tiff crate
    // reads only the usual order, so the page's data is read with each byte's bits reversed.
    // As libtiff, only for the codings that are bit streams (none, the CCITT ones,
    // PackBits): JPEG's bytes are never reversed.
    let mut tag = |tag| decoder.find_tag(tag).ok().flatten().and_then(|v| v.into_u16().ok());
    let bit_stream = matches!(tag(Tag::Compression), None | Some(1..=4 | 32773));
    if tag(Tag::FillOrder) == Some(2) && bit_stream {
        let ranges = data_ranges(&mut decoder)?;
        let reader = LowBitFirst { inner: BufReader::new(File::open(path)?), ranges, position: 0 };
        let mut decoder = reader_decoder(reader, Some(options))?;
        seek(&mut decoder, index)?;
        return decode_page(decoder, options);
    }
    decode_page(decoder, options)
}

fn seek<R: Read + Seek>(decoder: &mut Decoder<R>, index: usize) -> Result<(), LoadError> {
    if index > 0 {
        decoder.seek_to_image(index).map_err(corrupt)?;
    }
    Ok(())
}

/// Where the page's strips (or tiles) lie in the file: (offset, length), by offset.
fn data_ranges<R: Read + Seek>(decoder: &mut Decoder<R>) -> Result<Vec<(u64, u64)>, LoadError> {
    let (offsets, counts) = match decoder.find_tag(Tag::TileOffsets).map_err(corrupt)? {
        Some(_) => (Tag::TileOffsets, Tag::TileByteCounts),
        None => (Tag::StripOffsets, Tag::StripByteCounts),
    };
    let offsets = decoder.get_tag_u64_vec(offsets).map_err(corrupt)?;
    let counts = decoder.get_tag_u64_vec(counts).map_err(corrupt)?;
    let mut ranges: Vec<(u64, u64)> = offsets.into_iter().zip(counts).collect();
    ranges.sort_unstable();
    Ok(merged(ranges))
}

/// Sorted ranges with those that overlap made one, so no byte is reversed twice.
fn merged(ranges: Vec<(u64, u64)>) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (offset, length) in ranges {
        match out.last_mut() {
            Some((start, len)) if offset <= start.saturating_add(*len) => {
                *len = (*len).max(offset.saturating_add(length) - *start)
            }
            _ => out.push((offset, length)),
        }
    }
    out
}

/// A file read with the bits of each byte within `ranges` reversed.
struct LowBitFirst<R> {
    inner: R,
    ranges: Vec<(u64, u64)>,
    position: u64,
}

impl<R: Read> Read for LowBitFirst<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        let (start, end) = (self.position, self.position + n as u64);
        let first = self.ranges.partition_point(|&(offset, length)| offset.saturating_add(length) <= start);
        for &(offset, length) in self.ranges[first..].iter().take_while(|&&(offset, _)| offset < end) {
            let from = offset.max(start) - start;
            let to = offset.saturating_add(length).min(end) - start;
            buf[from as usize..to as usize].iter_mut().for_each(|b| *b = b.reverse_bits());
        }
        self.position = end;
        Ok(n)
    }
}

impl<R: Seek> Seek for LowBitFirst<R> {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.position = self.inner.seek(to)?;
        Ok(self.position)
    }
}

fn decode_page<R: Read + Seek>(mut decoder: Decoder<R>, options: &LoadOptions) -> Result<Decoded, LoadError> {
    let (width, height) = decoder.dimensions().map_err(corrupt)?;
    check_dimensions(width, height, options)?;
    let color = decoder.colortype().map_err(corrupt)?;
    let dpi = resolution(&mut decoder);
    let palette = match color {
        ColorType::Palette(_) => Some(decoder.get_tag_u16_vec(Tag::ColorMap).map_err(corrupt)?),
        _ => None,
    };
    let data = decoder.read_image().map_err(corrupt)?;
    let image = to_page_image(width, height, color, data, palette.as_deref())?;
    Ok(Decoded { image, dpi })
}

/// Scales a sample of `bits` bits to 0–255.
fn to_u8(value: u32, bits: u8) -> u8 {
    let max = (1u32 << bits) - 1;
    ((value * 255 + max / 2) / max) as u8
}

/// Reads `bits`-bit samples packed MSB-first, rows padded to whole bytes.
fn unpack_rows(bytes: &[u8], width: u32, height: u32, samples: u32, bits: u8) -> Vec<u32> {
    let per_row = width as usize * samples as usize;
    let row_bytes = (per_row * bits as usize).div_ceil(8);
    let mask = (1u32 << bits) - 1;
    let mut out = Vec::with_capacity(per_row * height as usize);
    for row in bytes.chunks(row_bytes).take(height as usize) {
        for i in 0..per_row {
            let bit = i * bits as usize;
            let byte = row.get(bit / 8).copied().unwrap_or(0) as u32;
            let shift = 8 - bits as usize - (bit % 8);
            out.push((byte >> shift) & mask);
        }
    }
    out
}

fn to_page_image(
    width: u32,
    height: u32,
    color: ColorType,
    data: DecodingResult,
    palette: Option<&[u16]>,
) -> Result<PageImage, LoadError> {
    let unsupported = |detail: String| LoadError::Unsupported { format: "TIFF", detail };
    let short =
        || LoadError::Corrupt { format: "TIFF", detail: "the page has fewer pixels than its header says".into() };
    let pixels = width as usize * height as usize;
    // Every sample as 8 bits, whatever the file's depth.
    let samples8: Vec<u8> = match (&data, color.bit_depth()) {
        (DecodingResult::U8(bytes), 8) => bytes.clone(),
        (DecodingResult::U8(bytes), bits @ (1 | 2 | 4)) => {
            let n = color.num_samples() as u32;
            if matches!(color, ColorType::Palette(_)) {
                unpack_rows(bytes, width, height, n, bits).into_iter().map(|v| v as u8).collect()
            } else {
                unpack_rows(bytes, width, height, n, bits).into_iter().map(|v| to_u8(v, bits)).collect()
            }
        }
        (DecodingResult::U16(words), 16) => words.iter().map(|&w| (w >> 8) as u8).collect(),
        _ => return Err(unsupported(format!("{color:?} samples"))),
    };
    let n = color.num_samples() as usize;
    if samples8.len() < pixels * n {
        return Err(short());
    }
    let gray = |v: Vec<u8>| GrayImage::from_raw(width, height, v).ok_or_else(short);
    let rgb = |v: Vec<u8>| RgbImage::from_raw(width, height, v).ok_or_else(short);
    Ok(match color {
        ColorType::Gray(1) => PageImage::Bitonal(gray(samples8)?),
        ColorType::Gray(_) => PageImage::Gray(gray(samples8)?),
        ColorType::GrayA(_) => PageImage::Gray(gray(samples8.chunks(2).map(|p| over_white(p[0], p[1])).collect())?),
        ColorType::RGB(_) => PageImage::Rgb(rgb(samples8)?),
        ColorType::RGBA(_) => {
            PageImage::Rgb(rgb(samples8.chunks(4).flat_map(|p| [0, 1, 2].map(|c| over_white(p[c], p[3]))).collect())?)
        }
        ColorType::CMYK(_) => {
            let to_rgb = |p: &[u8]| [0, 1, 2].map(|c| ((255 - p[c] as u32) * (255 - p[3] as u32) / 255) as u8);
            PageImage::Rgb(rgb(samples8.chunks(4).flat_map(to_rgb).collect())?)
        }
        ColorType::Palette(bits) => {
            let map = palette.ok_or_else(|| unsupported("palette without a colour map".into()))?;
            let entries = 1usize << bits;
            if map.len() < 3 * entries {
                return Err(LoadError::Corrupt { format: "TIFF", detail: "colour map too short".into() });
            }
            let lookup = |i: u8| [0, 1, 2].map(|c| (map[c * entries + i as usize] >> 8) as u8);
            PageImage::Rgb(rgb(samples8.iter().flat_map(|&i| lookup(i)).collect())?)
        }
        other => return Err(unsupported(format!("colour model {other:?}"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpacks_padded_one_bit_rows() {
        // Two rows of 10 pixels: each row takes 2 bytes.
        let bytes = [0b1010_0000, 0b0100_0000, 0b1111_1111, 0b1100_0000];
        let v = unpack_rows(&bytes, 10, 2, 1, 1);
        assert_eq!(&v[..10], &[1, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(&v[10..], &[1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
    }

    #[test]
    fn scales_samples_to_eight_bits() {
        assert_eq!(to_u8(1, 1), 255);
        assert_eq!(to_u8(0, 4), 0);
        assert_eq!(to_u8(15, 4), 255);
    }
}
