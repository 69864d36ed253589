//! Exports olke's `pixWriteMem` from the binary so that libtesseract's calls reach it
//! instead of leptonica's (see src/ocr/line_images.rs for why).

fn main() {
    // Nothing else feeds this script: without this line cargo re-runs it on every change.
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol=pixWriteMem");
}
