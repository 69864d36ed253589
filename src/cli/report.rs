//! `olke report`: the annual digitization report.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use chrono::{Datelike, Local};
use clap::Args;

use super::{print_json, EXIT_USAGE};
use crate::archive::files;
use crate::archive::{write_atomic, Archive};
use crate::catalog::{Documents, Reader};
use crate::report::{chart, compute, format};

#[derive(Args, Debug)]
pub(super) struct ReportArgs {
    /// The year reported (default: this year).
    #[arg(long, value_name = "YEAR")]
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
    #[arg(long, value_name = "FILE.svg")]
    chart: Option<PathBuf>,
}

pub(super) fn run(archive: &Archive, args: ReportArgs) -> Result<u8> {
    let year = args.year.unwrap_or_else(|| Local::now().year());
    if !(1000..=9999).contains(&year) {
        eprintln!("olke: --year {year}: expected a year of four digits (2025)");
        return Ok(EXIT_USAGE);
    }
    if let Some(chart) = &args.chart {
        if chart.extension().and_then(|e| e.to_str()).is_none_or(|e| !e.eq_ignore_ascii_case("svg")) {
            eprintln!("olke: --chart {}: the chart is drawn as SVG; name the file .svg", chart.display());
            return Ok(EXIT_USAGE);
        }
    }
    let reader = Reader::open(archive)?;
    let report = compute(year, &reader.documents()?, &files::requests(archive)?);
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
