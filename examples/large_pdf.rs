//! Writes a long PDF like those of the library's earlier digitization, to measure what
//! ingesting one costs (memory above all): every page a different A5 scan at 300 dpi,
//! with a word-aligned invisible text layer, or with none (`--image-only`).
//!
//! Usage: large_pdf OUT.pdf PAGES [--image-only]
//! then e.g. `/usr/bin/time -v olke --archive /tmp/a ingest OUT.pdf`.

use std::path::PathBuf;

use olke::page::{PageImage, RecognizedPage};
use olke::pdf::{Metadata, PdfPage, PdfWriter};
use olke::testkit::fixtures::{self, texts, PageSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (Some(out), Some(pages)) = (args.next().map(PathBuf::from), args.next().and_then(|n| n.parse::<usize>().ok()))
    else {
        return Err("usage: large_pdf OUT.pdf PAGES [--image-only]".into());
    };
    let image_only = args.next().as_deref() == Some("--image-only");
    let font = fixtures::load_font()?;
    let spec = PageSpec::a5(300.0);
    let paragraphs: Vec<&str> = texts::KAZAKH.iter().chain(texts::RUSSIAN).copied().collect();
    let mut writer = PdfWriter::new(std::io::BufWriter::new(std::fs::File::create(&out)?))?;
    for n in 0..pages {
        // A page number and a different choice of paragraphs make every page unique.
        let heading = format!("{} бет", n + 1);
        let chosen = [heading.as_str(), paragraphs[n % paragraphs.len()], paragraphs[(n * 7 + 3) % paragraphs.len()]];
        let rendered = fixtures::render_page(&font, &spec, &chosen);
        let mut recognized = if image_only {
            RecognizedPage { lines: Vec::new(), ..fixtures::recognized_page("") }
        } else {
            fixtures::recognized_page(&rendered.text())
        };
        (recognized.width, recognized.height) = rendered.image.dimensions();
        writer.add_page(PdfPage::new(&PageImage::Gray(rendered.image), &recognized, 85))?;
    }
    writer.finish(&Metadata { id: "large".into(), title: format!("{pages} pages"), ..Default::default() })?;
    Ok(())
}
