//! Renders the bundled sample batch (`make sample`): a two-page Kazakh book excerpt as a
//! CCITT G4 TIFF, a Russian newspaper page as JPEG, and a Kazakh page as PNG, all at
//! 300 dpi, with the ground truth beside them in `.ground-truth/` (hidden, so not ingested).

use std::path::PathBuf;

use olke::testkit::fixtures::{self, texts, PageSpec, TiffKind};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "scans/sample".into()));
    let truth = out.join(".ground-truth");
    std::fs::create_dir_all(&truth)?;
    let font = fixtures::load_font()?;
    let spec = PageSpec::a5(300.0);

    let book1 = fixtures::render_page(&font, &spec, &texts::KAZAKH[..3]);
    let book2 = fixtures::render_page(&font, &spec, &texts::KAZAKH[3..]);
    let pages = [fixtures::threshold(&book1.image), fixtures::threshold(&book2.image)];
    fixtures::write_tiff(&out.join("kitap-balqash-tarihy.tif"), &pages, 300.0, TiffKind::G4)?;
    std::fs::write(truth.join("kitap-balqash-tarihy.txt"), format!("{}\n\x0c{}\n", book1.text(), book2.text()))?;

    let news = fixtures::render_page(&font, &spec, texts::RUSSIAN);
    fixtures::write_jpeg(&out.join("gazeta-1968-04-12.jpg"), &news.image, 300.0, 85)?;
    std::fs::write(truth.join("gazeta-1968-04-12.txt"), format!("{}\n", news.text()))?;

    let mut paragraphs: Vec<&str> = vec![texts::KAZAKH[5]];
    paragraphs.extend(texts::ENGLISH);
    let page = fixtures::render_page(&font, &spec, &paragraphs);
    fixtures::write_png(&out.join("zhurnal-ulagat-12.png"), &page.image, 300.0)?;
    std::fs::write(truth.join("zhurnal-ulagat-12.txt"), format!("{}\n", page.text()))?;

    println!("sample batch written to {}", out.display());
    Ok(())
}
