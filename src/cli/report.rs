//! `olke report`: the annual digitization report.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{Datelike, Local};
use clap::Args;

use super::print_json;
use crate::archive::files;
use crate::archive::{write_atomic, Archive};
use crate::catalog::{Documents, Reader};
use crate::correct;
use crate::report::{chart, compute, format};

#[derive(Args, Debug)]
pub(super) struct ReportArgs {
    /// The year reported (default: this year).
    #[arg(long, value_name = "YEAR", value_parser = clap::value_parser!(i32).range(1000..=9999))]
    year: Option<i32>,
    /// Print JSON.
    #[arg(long, conflicts_with_all = ["csv", "md"])]
    json: bool,
    /// Print CSV (for a spreadsheet).
    #[arg(long, conflicts_with = "md")]
    csv: bool,
    /// Print Markdown.
    #[arg(long)]
    md: bool,
    /// Also draw pages digitized per month as an SVG chart in FILE.
    #[arg(long, value_name = "FILE.svg", value_parser = svg_file)]
    chart: Option<PathBuf>,
}

fn svg_file(text: &str) -> std::result::Result<PathBuf, String> {
    let path = PathBuf::from(text);
    match path.extension().and_then(|e| e.to_str()) {
        Some(extension) if extension.eq_ignore_ascii_case("svg") => Ok(path),
        _ => Err("the chart is drawn as SVG; name the file .svg".into()),
    }
}

pub(super) fn run(archive: &Archive, args: ReportArgs) -> Result<u8> {
    let year = args.year.unwrap_or_else(|| Local::now().year());
    let reader = Reader::open(archive)?;
    let mut report = compute(year, &reader.documents()?, &files::requests(archive)?);
    report.corrected_lines = correct::corrected_in(&correct::list(archive, None)?, year);
    if args.json {
        print_json(&report)?;
    } else {
        let mut out = BufWriter::new(std::io::stdout().lock());
        match (args.csv, args.md) {
            (true, _) => format::csv(&report, &mut out)?,
            (_, true) => format::markdown(&report, &mut out)?,
            _ => format::text(&report, &mut out)?,
        }
        out.flush()?;
    }
    if let Some(path) = &args.chart {
        write_atomic(path, chart::svg(&report).as_bytes()).with_context(|| path.display().to_string())?;
        eprintln!("Chart of pages per month written to {}", path.display());
    }
    Ok(0)
}
