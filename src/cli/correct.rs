//! `olke correct` and `olke corrections`: correcting a page's recognized text a line at a
//! time, and listing what was corrected (see [`crate::correct`]).

use anyhow::Result;
use chrono::NaiveDate;
use clap::Args;

use super::{open_for_writing, print_json, EXIT_USAGE};
use crate::archive::Archive;
use crate::correct::{self, Action, Change, Entry, Request};

pub(super) const CORRECT_HELP: &str =
    "Lines are numbered from 1 in the page's reading order, as the web's correction view\n\
    shows them; without --line the page's lines are listed with their numbers. The new\n\
    words are placed over the old ones (each on the box of the word it replaces when their\n\
    number is the same), and the PDF's invisible text layer, the catalogue and the search\n\
    index follow. Every correction is kept in the page's history (who, when, old and new\n\
    line); --revert puts back what OCR read, with its word boxes. A line or page that does\n\
    not exist exits with code 2.\n\n\
    Examples:\n  olke correct balkhash-1968 --page 3\n  \
    olke correct balkhash-1968 --page 3 --line 12 --text 'Nur Otan партиясы'\n  \
    olke correct balkhash-1968 --page 3 --line 12 --text 'Nur Otan' --by 'Асқар С.' --json\n  \
    olke correct balkhash-1968 --page 3 --line 12 --revert";

pub(super) const CORRECTIONS_HELP: &str =
    "Oldest first: the document, page and line, what it read and reads now, who\n\
    corrected it and when; reverts are listed too.\n\n\
    Examples:\n  olke corrections\n  olke corrections --since 2025-01-01 --json";

#[derive(Args, Debug)]
pub(super) struct CorrectArgs {
    /// The document's id.
    id: String,
    /// The page, from 1.
    #[arg(long)]
    page: u32,
    /// The line, from 1 (without it, the page's lines are listed).
    #[arg(long)]
    line: Option<u32>,
    /// The line's corrected text.
    #[arg(long, allow_hyphen_values = true, conflicts_with = "revert", requires = "line")]
    text: Option<String>,
    /// Put back what OCR read (before the line's first correction).
    #[arg(long, requires = "line")]
    revert: bool,
    /// Who corrects (kept in the history); default: the user running olke.
    #[arg(long, value_name = "NAME")]
    by: Option<String>,
    /// Print the correction (or the lines) as JSON.
    #[arg(long)]
    json: bool,
}

#[derive(Args, Debug)]
pub(super) struct CorrectionsArgs {
    /// Only corrections made on or after this day (YYYY-MM-DD).
    #[arg(long, value_name = "DATE")]
    since: Option<NaiveDate>,
    #[arg(long)]
    json: bool,
}

/// A numbered line, as the listing prints it.
#[derive(serde::Serialize)]
struct NumberedLine {
    line: usize,
    text: String,
    corrected: bool,
}

pub(super) fn correct(archive: &Archive, args: CorrectArgs) -> Result<u8> {
    let Some(line) = args.line else { return list_lines(archive, &args) };
    let change = match (args.text, args.revert) {
        (Some(text), _) => Change::Text(text),
        (None, true) => Change::Revert,
        (None, false) => {
            eprintln!(
                "olke: give line {line}'s corrected text with --text TEXT, or --revert to put back what OCR read"
            );
            return Ok(EXIT_USAGE);
        }
    };
    let by = args.by.unwrap_or_else(|| std::env::var("USER").unwrap_or_else(|_| "olke".into()));
    let request = Request { id: args.id, page: args.page, line, change, by };
    let mut writer = open_for_writing(archive)?;
    let outcome = correct::apply(&mut writer, archive, &request);
    writer.finish()?;
    match outcome {
        Ok(entry) if args.json => print_json(&entry)?,
        Ok(entry) => print_entry(&entry),
        Err(e) if e.is_usage() => {
            eprintln!("olke: {e}");
            return Ok(EXIT_USAGE);
        }
        Err(e) => return Err(e.into()),
    }
    Ok(0)
}

fn list_lines(archive: &Archive, args: &CorrectArgs) -> Result<u8> {
    let page = match correct::page(archive, &args.id, args.page) {
        Ok(page) => page,
        Err(e) if e.is_usage() => {
            eprintln!("olke: {e}");
            return Ok(EXIT_USAGE);
        }
        Err(e) => return Err(e.into()),
    };
    let lines: Vec<NumberedLine> = page
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| NumberedLine { line: i + 1, text: l.text(), corrected: l.corrected })
        .collect();
    if args.json {
        print_json(&lines)?;
    } else {
        for l in &lines {
            println!("{:>4}{} {}", l.line, if l.corrected { "*" } else { " " }, l.text);
        }
    }
    Ok(0)
}

fn print_entry(entry: &Entry) {
    let what = match entry.action {
        Action::Correct => "corrected",
        Action::Revert => "reverted",
    };
    println!(
        "{} page {} line {}: {what} by {} at {}: «{}» → «{}»",
        entry.id,
        entry.page,
        entry.line,
        entry.by,
        entry.at.format("%Y-%m-%d %H:%M UTC"),
        entry.old,
        entry.new
    );
}

pub(super) fn corrections(archive: &Archive, args: CorrectionsArgs) -> Result<u8> {
    let entries = correct::list(archive, args.since)?;
    if args.json {
        print_json(&entries)?;
    } else if entries.is_empty() {
        println!("No corrections{}.", args.since.map(|d| format!(" since {d}")).unwrap_or_default());
    } else {
        entries.iter().for_each(print_entry);
    }
    Ok(0)
}
