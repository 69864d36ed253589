//! Keeps Tesseract from compressing every text line it recognizes.
//!
//! Tesseract hands each text line to its LSTM recognizer as an `ImageData`, which stores
//! the line as PNG bytes: leptonica's `pixWriteMem(…, IFF_PNG)` deflates it and
//! `pixReadMem` inflates it again a moment later (Tesseract has a build option,
//! `TESSERACT_IMAGEDATA_AS_PIX`, to skip this; distributions do not set it). On a newspaper
//! page that round trip is 6–7 % of recognition time, and with several languages a line
//! can be recognized more than once.
//!
//! The olke binary exports its own `pixWriteMem` (see build.rs), which the dynamic linker
//! prefers to leptonica's. For PNG it writes leptonica's uncompressed serialization (SPIX)
//! instead; `pixReadMem` recognizes that by its header and copies the pixels straight back.
//! The pixels are the same, so the recognized text is too. Every other format goes to
//! leptonica's own function. olke itself never asks leptonica for PNG bytes: its PNGs come
//! from the `png` and `image` crates.

use std::sync::OnceLock;

use tesseract::plumbing::leptonica_plumbing::leptonica_sys as sys;

type WriteMem = unsafe extern "C" fn(*mut *mut u8, *mut usize, *mut sys::Pix, i32) -> i32;

/// Leptonica's own `pixWriteMem`, the next definition after this executable's.
fn leptonica_write_mem() -> Option<WriteMem> {
    static NEXT: OnceLock<Option<WriteMem>> = OnceLock::new();
    *NEXT.get_or_init(|| {
        // SAFETY: dlsym with a NUL-terminated name; a non-null result is leptonica's
        // pixWriteMem, whose signature WriteMem mirrors.
        let symbol = unsafe { libc::dlsym(libc::RTLD_NEXT, c"pixWriteMem".as_ptr()) };
        (!symbol.is_null()).then(|| unsafe { std::mem::transmute::<*mut libc::c_void, WriteMem>(symbol) })
    })
}

/// Leptonica's `pixWriteMem`, with PNG replaced by uncompressed SPIX.
///
/// # Safety
/// The caller's contract is leptonica's: `data` and `size` are valid for writes and `pix`
/// is a valid image; the returned buffer is freed with leptonica's allocator.
#[no_mangle]
pub(super) unsafe extern "C" fn pixWriteMem(
    data: *mut *mut u8,
    size: *mut usize,
    pix: *mut sys::Pix,
    format: i32,
) -> i32 {
    if format == sys::IFF_PNG as i32 {
        // SAFETY: the same contract as pixWriteMem's, passed on unchanged.
        return unsafe { sys::pixWriteMemSpix(data, size, pix) };
    }
    match leptonica_write_mem() {
        // SAFETY: as above.
        Some(write) => unsafe { write(data, size, pix, format) },
        None => 1, // leptonica's convention for failure
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shade(x: i32, y: i32) -> u32 {
        ((x * 7 + y * 13) % 256) as u32
    }

    /// Writes a small grey test image with `pixWriteMem` in `format`, returning the bytes.
    fn write(format: u32) -> Vec<u8> {
        unsafe {
            let mut pix = sys::pixCreate(37, 11, 8);
            for y in 0..11 {
                for x in 0..37 {
                    sys::pixSetPixel(pix, x, y, shade(x, y));
                }
            }
            let (mut data, mut size) = (std::ptr::null_mut(), 0usize);
            assert_eq!(pixWriteMem(&mut data, &mut size, pix, format as i32), 0);
            let bytes = std::slice::from_raw_parts(data, size).to_vec();
            sys::lept_free(data.cast());
            sys::pixDestroy(&mut pix);
            bytes
        }
    }

    #[test]
    fn png_requests_round_trip_through_uncompressed_spix() {
        let bytes = write(sys::IFF_PNG);
        assert_eq!(&bytes[..4], b"spix", "PNG requests should be written as SPIX");
        unsafe {
            let mut pix = sys::pixReadMem(bytes.as_ptr(), bytes.len());
            assert!(!pix.is_null(), "pixReadMem should read SPIX back");
            assert_eq!(((*pix).w, (*pix).h, (*pix).d), (37, 11, 8));
            for y in 0..11 {
                for x in 0..37 {
                    let mut value = 0;
                    sys::pixGetPixel(pix, x, y, &mut value);
                    assert_eq!(value, shade(x, y), "pixel ({x}, {y})");
                }
            }
            sys::pixDestroy(&mut pix);
        }
    }

    #[test]
    fn other_formats_go_to_leptonica() {
        let tiff = write(sys::IFF_TIFF_ZIP);
        assert!(tiff.starts_with(b"II*\0") || tiff.starts_with(b"MM\0*"), "expected a TIFF header");
    }
}
