//! Exports olke's `pixWriteMem` from the binary so that libtesseract's calls reach it
//! instead of leptonica's (see src/ocr/line_images.rs for why).

fn main() {
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol=pixWriteMem");
}
