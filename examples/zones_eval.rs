//! Measures `olke zones`' article zones on synthetic newspaper issues (two pages each):
//! `cargo run --release --example zones_eval -- ISSUES [FIRST_SEED] [OUT]`. Issues with
//! even seeds are the tuning half, odd seeds the held-back half; ISSUES of each. With OUT,
//! each page is written there with its proposed zones outlined, and the missed articles
//! are listed.

use std::path::PathBuf;

use olke::testkit::zones_eval::{evaluate, Score};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let issues: u64 = args.first().map(|a| a.parse()).transpose()?.unwrap_or(6);
    let first: u64 = args.get(1).map(|a| a.parse()).transpose()?.unwrap_or(0);
    let out = args.get(2).map(PathBuf::from);
    let treebank =
        PathBuf::from(std::env::var("OLKE_TREEBANK").unwrap_or_else(|_| "/work/shared/texts/ud-kazakh-ktb".into()));
    let models = std::env::var("OLKE_MODELS").unwrap_or_else(|_| olke::ocr::DEFAULT_MODELS.into());
    println!("| half | issues | pages | articles | matched (IoU ≥ 0.8) | zoning s/page | with reading s/page |");
    println!("|---|---|---|---|---|---|---|");
    for (name, parity) in [("tune", 0), ("held back", 1)] {
        let seeds: Vec<u64> = (0..issues).map(|i| 2 * (first + i) + parity).collect();
        let (score, pages) = evaluate(&seeds, &treebank, &models)?;
        print_row(name, seeds.len(), &score);
        if let Some(out) = &out {
            std::fs::create_dir_all(out)?;
            for page in &pages {
                for (headline, best) in &page.missed {
                    eprintln!(
                        "{name}: issue {} page {}: missed «{headline}» (best IoU {best:.2})",
                        page.seed, page.page
                    );
                }
                let preview = olke::testkit::zones_eval::preview(page);
                preview.save(out.join(format!("issue-{}-p{}.png", page.seed, page.page)))?;
            }
        }
    }
    Ok(())
}

fn print_row(name: &str, issues: usize, score: &Score) {
    let per_page = |s: f64| s / score.pages.max(1) as f64;
    println!(
        "| {name} | {issues} | {} | {} | {} ({:.1} %) | {:.3} | {:.1} |",
        score.pages,
        score.articles,
        score.matched,
        100.0 * score.share(),
        per_page(score.zoning_seconds),
        per_page(score.zoning_seconds + score.reading_seconds),
    );
}
