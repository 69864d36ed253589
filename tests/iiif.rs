//! IIIF from `olke serve`: the Image API validator (`iiif-validator` from PyPI) at level 1
//! of API 3.0 against a served page, the manifests loaded with `iiif-prezi3`, the page
//! text as annotations, and no page of a work in copyright served by any IIIF address
//! (both tools are installed by `scripts/install-deps.sh --test`).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::server::{http_get, http_get_bytes, Server};
use common::*;
use olke::testkit::fixtures::texts;
use serde_json::Value;

/// The validator's test image (a grid of coloured squares it checks every answer
/// against), drawn from the validator's own colour table.
const TEST_PATTERN: &str = r#"
import sys
from PIL import Image
from iiif_validator.validator import ValidationInfo
colours = ValidationInfo().colorInfo
image = Image.new("RGB", (1000, 1000))
for x in range(10):
    for y in range(10):
        image.paste(colours[x][y], (x * 100, y * 100, x * 100 + 100, y * 100 + 100))
image.save(sys.argv[1])
"#;

/// The test pattern and a page of Russian text, both in the public domain, and a book in
/// copyright; archived as scanned (no cropping or cleaning that would move the squares).
fn fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "iiif-fixture", |batch, archive| {
        fs::create_dir_all(batch).unwrap();
        let made = run(Command::new("python3").arg("-c").arg(TEST_PATTERN).arg(batch.join("grid.png")));
        assert!(made.status.success(), "{}", stderr(&made));
        scan(batch, "gazeta.png", &texts::RUSSIAN[..1], Saved::Png);
        scan(batch, "qamshy.png", &texts::KAZAKH[2..3], Saved::Png);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,year,language,collections,rights\n\
             grid.png,grid,book,Test pattern,,2024,eng,,public_domain\n\
             gazeta.png,gazeta,book,Медный город,\"Иванов, И. И.\",1968,rus,Балқаш тарихы,public_domain\n\
             qamshy.png,qamshy,book,Қамшы,\"Кәрім, Н.\",2016,kaz,Өлкетану,in_copyright\n",
        )
        .unwrap();
        expect_code(olke(archive).args(["ingest", "--no-prepare", "--jpeg-quality", "95"]).arg(batch), 0);
    })
}

fn served() -> (tempfile::TempDir, PathBuf, Server) {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, None);
    (tmp, archive, server)
}

/// The status code and body of a GET.
fn get(server: &Server, path: &str) -> (u16, String, String) {
    let answer = http_get(server.port, path).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    (status, head.to_ascii_lowercase(), body.to_string())
}

fn json_of(server: &Server, path: &str) -> Value {
    let (status, _, body) = get(server, path);
    assert_eq!(status, 200, "{path}: {body}");
    serde_json::from_str(&body).unwrap()
}

/// The validator's command line, `iiif-validate.py`, wherever pip put it.
const RUN_VALIDATOR: &str = r#"
import os, runpy, shutil, site, sys, sysconfig
places = [shutil.which("iiif-validate.py"), os.path.join(sysconfig.get_path("scripts"), "iiif-validate.py"),
          os.path.join(site.USER_BASE, "bin", "iiif-validate.py")]
script = next((p for p in places if p and os.path.exists(p)), None)
if script is None:
    sys.exit("iiif-validate.py is not installed (scripts/install-deps.sh --test)")
sys.argv = [script] + sys.argv[1:]
runpy.run_path(script, run_name="__main__")
"#;

/// Runs the validator at `level` on the test pattern `grid~1` served at `port`; asserts it
/// passed with no failure and returns how many tests it ran.
fn validate(port: u16, level: u8) -> usize {
    let output = run(Command::new("python3").arg("-c").arg(RUN_VALIDATOR).args([
        "--server",
        &format!("127.0.0.1:{port}"),
        "--prefix",
        "iiif/3",
        "--identifier",
        "grid~1",
        "--version",
        "3.0",
        "--level",
        &level.to_string(),
        "--verbose",
    ]));
    let report = stderr(&output);
    assert!(output.status.success(), "the validator failed:\n{report}");
    let done = report.lines().find(|l| l.starts_with("Done (")).unwrap_or_else(|| panic!("{report}"));
    assert!(done.ends_with(" 0 failures)"), "{done}");
    done["Done (".len()..].split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn the_iiif_validator_passes_level_1_on_a_served_page() {
    let (_tmp, _archive, server) = served();
    assert!(validate(server.port, 1) >= 15);
}

#[test]
fn images_are_cut_and_scaled_within_the_limits_and_errors_are_the_apis() {
    let (_tmp, _archive, server) = served();
    let info = json_of(&server, "/iiif/3/grid~1/info.json");
    assert_eq!(info["profile"], "level1");
    assert_eq!(info["id"], format!("{}/iiif/3/grid~1", server.url));
    assert_eq!((info["width"].as_u64(), info["height"].as_u64()), (Some(1000), Some(1000)));
    assert_eq!(info["rights"], "http://creativecommons.org/publicdomain/mark/1.0/");
    assert!(info["maxWidth"].as_u64().unwrap() >= 1000 && info["maxArea"].is_u64());
    let sizes: Vec<u64> = info["sizes"].as_array().unwrap().iter().map(|s| s["width"].as_u64().unwrap()).collect();
    assert_eq!(sizes, [180]);

    let image = |path: &str| {
        let (status, head, _) = get(&server, path);
        assert!(head.contains("access-control-allow-origin: *"), "{path}: {head}");
        status
    };
    assert_eq!(image("/iiif/3/grid~1/full/max/0/default.jpg"), 200);
    assert_eq!(image("/iiif/3/grid~1/pct:10,10,50,50/!100,100/0/gray.jpg"), 200);
    assert_eq!(image("/iiif/3/grid~1/full/^2000,/0/default.jpg"), 200, "enlarged with ^");
    assert_eq!(image("/iiif/3/grid~1/full/2000,/0/default.jpg"), 400, "not without");
    assert_eq!(image("/iiif/3/grid~1/full/^9000,/0/default.jpg"), 400, "beyond maxWidth");
    assert_eq!(image("/iiif/3/grid~1/2000,0,10,10/max/0/default.jpg"), 400, "outside the page");
    assert_eq!(image("/iiif/3/grid~1/full/max/90/default.jpg"), 501);
    assert_eq!(image("/iiif/3/grid~1/full/max/!0/default.jpg"), 501);
    assert_eq!(image("/iiif/3/grid~1/full/max/0/default.png"), 501);
    assert_eq!(image("/iiif/3/grid~2/full/max/0/default.jpg"), 404);
    assert_eq!(image("/iiif/3/grid~0/info.json"), 404);
    assert_eq!(image("/iiif/3/..~1/info.json"), 404);

    // A cut comes at the size asked for.
    let answer = http_get_bytes(server.port, "/iiif/3/grid~1/10,20,300,200/150,/0/default.jpg").unwrap();
    let body = &answer[answer.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4..];
    let decoded = image::load_from_memory(body).unwrap();
    assert_eq!((decoded.width(), decoded.height()), (150, 100));
}

/// Rights are a promise: no page of a work in copyright comes out of any IIIF address,
/// before or after the website cached its thumbnail, nor after a work's rights change.
#[test]
fn a_page_in_copyright_is_never_served_by_iiif() {
    let (_tmp, archive, server) = served();
    let refused = [
        "/iiif/3/qamshy~1",
        "/iiif/3/qamshy~1/info.json",
        "/iiif/3/qamshy~1/full/max/0/default.jpg",
        "/iiif/3/qamshy~1/full/180,/0/default.jpg",
        "/iiif/3/qamshy~1/0,0,100,100/max/0/gray.jpg",
        "/iiif/3/qamshy/annotations/1",
    ];
    let check = |when: &str| {
        for path in refused {
            let (status, head, body) = get(&server, path);
            assert_eq!(status, 403, "{when}: {path}");
            assert!(!head.contains("image/jpeg") && body.len() < 200, "{when}: {path}");
        }
    };
    check("at first");
    // The website shows any document's thumbnail; it is now in the cache.
    assert_eq!(get(&server, "/doc/qamshy/page/1/thumb.jpg").0, 200);
    check("with the thumbnail cached");

    // The manifest says what the catalogue says, and shows nothing of the pages.
    let manifest = json_of(&server, "/iiif/3/qamshy/manifest");
    assert_eq!(manifest["rights"], "http://rightsstatements.org/vocab/InC/1.0/");
    let canvases = manifest["items"].as_array().unwrap();
    assert_eq!(canvases.len(), 1);
    assert_eq!(canvases[0].get("items"), None);
    assert_eq!(canvases[0].get("annotations"), None);
    let text = manifest.to_string();
    assert!(!text.contains("ImageService3") && !text.contains("painting"), "{text}");
    let page_words: Vec<&str> = texts::KAZAKH[2].split_whitespace().filter(|w| w.chars().count() > 6).collect();
    assert!(page_words.iter().all(|w| !text.contains(w)), "no word of the page in the manifest");

    // A work whose rights change is refused from the next request on.
    assert_eq!(get(&server, "/iiif/3/gazeta~1/full/max/0/default.jpg").0, 200);
    expect_code(olke(&archive).args(["catalog", "set", "gazeta", "rights", "in_copyright"]), 0);
    assert_eq!(get(&server, "/iiif/3/gazeta~1/full/max/0/default.jpg").0, 403);
    assert_eq!(get(&server, "/iiif/3/gazeta~1/info.json").0, 403);
}

/// Loads manifests with iiif-prezi3 (its models validate them) and prints what a viewer
/// would use.
const LOAD_MANIFEST: &str = r#"
import json, sys
from iiif_prezi3 import Manifest
manifest = Manifest.model_validate_json(sys.stdin.read())
canvases = []
for canvas in manifest.items:
    painted = []
    for page in canvas.items or []:
        for annotation in page.items:
            body = annotation.body
            painted.append({"id": str(body.id), "service": [str(s.id) for s in body.service or []]})
    canvases.append({"width": canvas.width, "height": canvas.height, "painted": painted,
                     "annotations": [str(page.id) for page in canvas.annotations or []]})
print(json.dumps({"rights": str(manifest.rights), "canvases": canvases}))
"#;

fn load_manifest(manifest: &Value) -> Value {
    use std::io::Write;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(LOAD_MANIFEST)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(manifest.to_string().as_bytes()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(output.status.success(), "iiif-prezi3 could not load the manifest: {}", stderr(&output));
    serde_json::from_str(&stdout(&output)).unwrap()
}

#[test]
fn manifests_load_in_iiif_prezi3_with_the_text_as_line_annotations() {
    let (_tmp, _archive, server) = served();
    let manifest = json_of(&server, "/iiif/3/gazeta/manifest");
    assert_eq!(manifest["label"]["none"][0], "Медный город");
    assert_eq!(manifest["requiredStatement"]["value"]["en"][0], "Public domain");
    let loaded = load_manifest(&manifest);
    assert_eq!(loaded["rights"], "http://creativecommons.org/publicdomain/mark/1.0/");
    let canvas = &loaded["canvases"][0];
    let service = format!("{}/iiif/3/gazeta~1", server.url);
    assert_eq!(canvas["painted"][0]["service"][0], service);
    // The painted image is served, at the canvas's size.
    let info = json_of(&server, &format!("{}/info.json", service.trim_start_matches(&server.url)));
    assert_eq!((&info["width"], &info["height"]), (&canvas["width"], &canvas["height"]));
    let image_path = canvas["painted"][0]["id"].as_str().unwrap().trim_start_matches(&server.url).to_string();
    assert_eq!(get(&server, &image_path).0, 200);

    // The text, a line an annotation, each on its line's box within the canvas.
    let annotations_path = canvas["annotations"][0].as_str().unwrap().trim_start_matches(&server.url).to_string();
    let page = json_of(&server, &annotations_path);
    let lines = page["items"].as_array().unwrap();
    assert!(lines.len() >= 3, "{page}");
    let (width, height) = (canvas["width"].as_u64().unwrap(), canvas["height"].as_u64().unwrap());
    let mut text = String::new();
    for line in lines {
        assert_eq!(line["motivation"], "supplementing");
        let target = line["target"].as_str().unwrap();
        let (on, xywh) = target.split_once("#xywh=").unwrap();
        assert_eq!(on, manifest["items"][0]["id"].as_str().unwrap());
        let b: Vec<u64> = xywh.split(',').map(|n| n.parse().unwrap()).collect();
        assert!(b[2] > 0 && b[3] > 0 && b[0] + b[2] <= width && b[1] + b[3] <= height, "{target}");
        text.push_str(line["body"]["value"].as_str().unwrap());
        text.push(' ');
    }
    assert!(cer(&text, texts::RUSSIAN[0]) < 0.1, "the page's text: {text}");

    // The manifest of a work in copyright loads too (with nothing to show).
    let closed = load_manifest(&json_of(&server, "/iiif/3/qamshy/manifest"));
    assert_eq!(closed["canvases"][0]["painted"], serde_json::json!([]));
    assert_eq!(get(&server, "/iiif/3/nothing/manifest").0, 404);
}

/// A static host for a published site: Python's own HTTP server over the folder.
struct StaticHost {
    child: std::process::Child,
    port: u16,
}

impl StaticHost {
    fn start(site: &Path) -> StaticHost {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("python3")
            .args(["-m", "http.server", &port.to_string(), "--bind", "127.0.0.1", "--directory"])
            .arg(site)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while http_get(port, "/").is_none() {
            assert!(std::time::Instant::now() < deadline, "python3 -m http.server did not start");
            std::thread::sleep(std::time::Duration::from_millis(100));
        }
        StaticHost { child, port }
    }
}

impl Drop for StaticHost {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `olke publish --base-url` writes the published works as static IIIF: the Image API
/// validator passes level 0 on a page served by a plain static host, every tile the
/// info.json promises is there at its size, the manifest loads in iiif-prezi3 and points
/// at files that exist, a work in copyright gets nothing, and publishing again makes no
/// image anew.
#[test]
fn publish_writes_static_level_0_iiif_for_the_published_works() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let site = tmp.path().join("site");
    fs::create_dir_all(&site).unwrap();
    let host = StaticHost::start(&site);
    let base = format!("http://127.0.0.1:{}", host.port);
    let publish =
        || json(&expect_code(olke(&archive).args(["publish", "--json", "--base-url", &base, "--out"]).arg(&site), 0));
    // The host started on the empty folder (a listing); publishing into it is allowed.
    let first = publish();
    assert_eq!(first["iiif_pages"], 2, "grid and gazeta, one page each: {first}");
    assert!(!site.join("iiif/3/qamshy").exists() && !site.join("iiif/3/qamshy~1").exists(), "in copyright");

    // Level 0 asks little of the server (info.json, the full image at max); the tiles and
    // sizes, which a static host must hold as files, are checked below.
    assert!(validate(host.port, 0) >= 5);

    // Every tile and size info.json lists is a file, of the size the Image API says.
    let info: Value = serde_json::from_slice(&fs::read(site.join("iiif/3/gazeta~1/info.json")).unwrap()).unwrap();
    assert_eq!(info["profile"], "level0");
    assert_eq!(info["id"], format!("{base}/iiif/3/gazeta~1"));
    let (width, height) = (info["width"].as_u64().unwrap() as u32, info["height"].as_u64().unwrap() as u32);
    let tile = info["tiles"][0]["width"].as_u64().unwrap() as u32;
    let image_size = |path: String| {
        let decoded = image::open(site.join("iiif/3/gazeta~1").join(&path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        (decoded.width(), decoded.height())
    };
    let mut count = 0;
    for factor in info["tiles"][0]["scaleFactors"].as_array().unwrap() {
        let factor = factor.as_u64().unwrap() as u32;
        let span = tile * factor;
        for y in (0..height).step_by(span as usize) {
            for x in (0..width).step_by(span as usize) {
                let (w, h) = (span.min(width - x), span.min(height - y));
                let size = (w.div_ceil(factor), h.div_ceil(factor));
                assert_eq!(image_size(format!("{x},{y},{w},{h}/{},{}/0/default.jpg", size.0, size.1)), size);
                count += 1;
            }
        }
    }
    assert!(count >= 2, "more than one tile");
    for size in info["sizes"].as_array().unwrap() {
        let (w, h) = (size["width"].as_u64().unwrap() as u32, size["height"].as_u64().unwrap() as u32);
        assert_eq!(image_size(format!("full/{w},{h}/0/default.jpg")), (w, h));
    }
    assert_eq!(image_size("full/max/0/default.jpg".into()), (width, height));

    // The manifest, fetched from the host, loads and leads to what the host has.
    let manifest: Value = serde_json::from_str(
        http_get(host.port, "/iiif/3/gazeta/manifest.json").unwrap().split_once("\r\n\r\n").unwrap().1,
    )
    .unwrap();
    assert_eq!(manifest["id"], format!("{base}/iiif/3/gazeta/manifest.json"));
    let loaded = load_manifest(&manifest);
    let canvas = &loaded["canvases"][0];
    for address in [canvas["painted"][0]["id"].as_str().unwrap(), canvas["annotations"][0].as_str().unwrap()] {
        let path = address.strip_prefix(&base).unwrap();
        let answer = http_get_bytes(host.port, path).unwrap();
        assert!(answer.starts_with(b"HTTP/1.0 200") || answer.starts_with(b"HTTP/1.1 200"), "{path}");
    }
    let annotations: Value =
        serde_json::from_slice(&fs::read(site.join("iiif/3/gazeta/annotations/1.json")).unwrap()).unwrap();
    let text: Vec<&str> =
        annotations["items"].as_array().unwrap().iter().map(|a| a["body"]["value"].as_str().unwrap()).collect();
    assert!(cer(&text.join(" "), texts::RUSSIAN[0]) < 0.1, "{text:?}");

    // Publishing again makes nothing anew; a work whose rights close loses its IIIF.
    let again = publish();
    assert_eq!(again["written"], serde_json::json!([]), "{again}");
    expect_code(olke(&archive).args(["catalog", "set", "gazeta", "rights", "in_copyright"]), 0);
    let closed = publish();
    assert_eq!(closed["iiif_pages"], 1);
    assert!(!site.join("iiif/3/gazeta").exists() && !site.join("iiif/3/gazeta~1").exists());
}
