//! The Kazakh stemmer against the UD Kazakh treebank: conflation precision and recall of
//! nouns and verbs (two forms should share a stem exactly when they share a lemma).
//!
//! Usage: stem_eval TREEBANK_DIR [--half tune|report] [--errors]
//! The report half (odd sentences) is the one quoted in BENCHMARKS.md; the stemmer was
//! tuned on the other (even sentences). `--errors` lists example pairs missed and merged.

use std::path::PathBuf;

use olke::testkit::stem_eval::{conflation, read_treebank, Half};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut half = Half::Report;
    let mut errors = false;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--half" => {
                half = match args.next().as_deref() {
                    Some("tune") => Half::Tune,
                    Some("report") => Half::Report,
                    other => return Err(format!("--half takes tune or report, not {other:?}").into()),
                }
            }
            "--errors" => errors = true,
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let dir = dir.ok_or("usage: stem_eval TREEBANK_DIR [--half tune|report] [--errors]")?;
    let by_pos = read_treebank(&dir, half)?;
    println!("half: {half:?}");
    println!("| POS | forms | lemma pairs | stem pairs | precision | recall |");
    println!("|---|---|---|---|---|---|");
    for pos in ["NOUN", "VERB"] {
        let figures = conflation(by_pos.get(pos).map(|forms| forms as &_).unwrap_or(&Default::default()));
        println!(
            "| {pos} | {} | {} | {} | {:.3} | {:.3} |",
            figures.forms,
            figures.gold_pairs,
            figures.stemmed_pairs,
            figures.precision(),
            figures.recall()
        );
        if errors {
            for (a, b) in &figures.missed {
                println!("  missed {pos}: {a} / {b}");
            }
            for (a, b) in &figures.merged {
                println!("  merged {pos}: {a} / {b}");
            }
        }
    }
    Ok(())
}
