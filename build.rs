//! Exports olke's `pixWriteMem` from the binary so that libtesseract's calls reach it
//! instead of leptonica's (see src/ocr/line_images.rs for why), and embeds the page
//! viewer's files from npm (OpenSeadragon, installed into web/node_modules by `make
//! deps`) so that the server serves them from its own origin and fetches nothing.

use std::fmt::Write;
use std::path::{Path, PathBuf};

/// OpenSeadragon's built files, under web/node_modules.
const OPENSEADRAGON: &str = "web/node_modules/openseadragon/build/openseadragon";

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=web/package-lock.json");
    println!("cargo:rerun-if-changed={OPENSEADRAGON}");
    println!("cargo:rustc-link-arg-bins=-Wl,--export-dynamic-symbol=pixWriteMem");
    embed_web_assets();
}

/// Writes `$OUT_DIR/web_assets.rs`: `(path under /static/, bytes)` of each file served.
fn embed_web_assets() {
    let root = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let built = root.join(OPENSEADRAGON);
    let script = built.join("openseadragon.min.js");
    if !script.is_file() {
        panic!(
            "\n\n{} is missing: olke embeds OpenSeadragon from npm. Run `make deps` (scripts/install-deps.sh \
             installs Node.js and npm and runs `npm ci` in web/), then build again.\n\n",
            script.display()
        );
    }
    let mut files = vec![("openseadragon/openseadragon.min.js".to_string(), script)];
    let license = root.join("web/node_modules/openseadragon/LICENSE.txt");
    if license.is_file() {
        files.push(("openseadragon/LICENSE.txt".to_string(), license));
    }
    // The viewer's button images (prefixUrl).
    let mut images: Vec<PathBuf> = std::fs::read_dir(built.join("images"))
        .unwrap_or_else(|e| panic!("{}: {e}; run `make deps`", built.join("images").display()))
        .map(|entry| entry.expect("a readable folder").path())
        .filter(|path| path.extension().is_some_and(|e| e == "png"))
        .collect();
    images.sort();
    for image in images {
        let name = image.file_name().and_then(|n| n.to_str()).expect("npm's file names are UTF-8");
        files.push((format!("openseadragon/images/{name}"), image));
    }
    let mut code = String::from("/// `(path under /static/, bytes)`: OpenSeadragon's files from npm.\npub(crate) static NPM: &[(&str, &[u8])] = &[\n");
    for (path, file) in &files {
        writeln!(code, "    ({path:?}, include_bytes!({:?})),", file.display().to_string()).unwrap();
    }
    code.push_str("];\n");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("web_assets.rs");
    std::fs::write(out, code).expect("OUT_DIR is writable");
}
