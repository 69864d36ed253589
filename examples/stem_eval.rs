//! The Kazakh stemmer against the UD Kazakh treebank: conflation precision and recall of
//! nouns and verbs (two forms should share a stem exactly when they share a lemma).
//!
//! Usage: stem_eval TREEBANK_DIR [--half tune|report] [--errors] [--splits]
//! The report half (odd sentences) is the one quoted in BENCHMARKS.md; the stemmer was
//! tuned on the other (even sentences). `--errors` lists example pairs missed and merged;
//! `--splits` lists every lemma whose forms fall into groups sharing no stem, with each
//! form's stems, the most pairs lost first.

use std::path::PathBuf;

use olke::testkit::stem_eval::{conflation, read_treebank, splits, Half};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let mut dir = None;
    let mut half = Half::Report;
    let mut errors = false;
    let mut list_splits = false;
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
            "--splits" => list_splits = true,
            _ => dir = Some(PathBuf::from(arg)),
        }
    }
    let dir = dir.ok_or("usage: stem_eval TREEBANK_DIR [--half tune|report] [--errors] [--splits]")?;
    let by_pos = read_treebank(&dir, half)?;
    println!("half: {half:?}");
    println!("| POS | forms | lemma pairs | stem pairs | precision | recall |");
    println!("|---|---|---|---|---|---|");
    for pos in ["NOUN", "VERB"] {
        let forms = by_pos.get(pos).cloned().unwrap_or_default();
        let figures = conflation(&forms);
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
        if list_splits {
            for split in splits(&forms) {
                println!("  split {pos} {} ({} pairs):", split.lemma, split.missed_pairs);
                for group in &split.groups {
                    let shown: Vec<String> =
                        group.iter().map(|(form, stems)| format!("{form} [{}]", stems.join(" "))).collect();
                    println!("    {}", shown.join(", "));
                }
            }
        }
    }
    Ok(())
}
