//! `olke zones`: proposes the article zones of a batch's newspaper pages and says where
//! the zones file, the previews and the draft manifest are.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::ingest::RecognitionArgs;
use super::{print_json, progress, EXIT_PARTIAL};
use crate::archive::Archive;
use crate::config::Config;

pub(super) const ZONES_HELP: &str =
    "Every newspaper page of the batch (the scans of its manifest's newspaper rows, or\n\
    every scan when no row is typed so) is prepared and read as `olke ingest` would, with\n\
    the same options, and its articles are proposed as numbered zones on the prepared page:\n\
    from its columns, headlines (type clearly larger than the body, or bold), rules, boxed\n\
    advertisements, pictures with captions and the masthead. Written into the batch:\n\
    \n  zones.json          the zones of each page (ingest resolves p1.tif#2 through it;\
    \n                      issue.tif:2#1 is zone 1 on page 2 of a multi-page TIFF)\
    \n  zones/*.zones.png   each page with its zones outlined and numbered\
    \n  batch.zones.csv     a draft manifest: a row per proposed article (the headline as\
    \n                      title, its zones filled in), and one for the issue\n\n\
    Check the previews, correct the draft and save it as batch.csv (your own batch.csv is\n\
    never written; nor are the scans). An article continued on another page («Соңы 2-бетте»,\n\
    «Окончание на стр. 2») is one row when the part it goes on in is found («Басы 1-бетте»);\n\
    otherwise its row says so. Text found with no headline above it is a zone of its own,\n\
    noted in its row. Pages are counted in the batch's order. Exit code 3 when some scans\n\
    could not be read (the others are zoned).\n\n\
    Examples:\n  olke zones scans/balqash-1998-12\n  olke zones scans/puls-2003-07 --lang rus+kaz\n  \
    olke zones scans/balqash-1998-12 --json | jq '.pages[].notes'";

#[derive(Args, Debug)]
pub(super) struct ZonesArgs {
    /// The batch folder of newspaper page scans.
    #[arg(value_name = "BATCH")]
    batch: PathBuf,
    #[command(flatten)]
    recognition: RecognitionArgs,
    /// Print the report as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(archive: &Archive, args: ZonesArgs) -> Result<u8> {
    if let Some(code) = super::ingest::check_inputs(std::slice::from_ref(&args.batch)) {
        return Ok(code);
    }
    let options = args.recognition.options(Config::load(archive)?);
    let report = crate::zones::zones(&args.batch, &options, &progress::Bar::new())?;
    if args.json {
        print_json(&report)?;
    } else {
        let zones: usize = report.pages.iter().map(|p| p.zones).sum();
        println!(
            "{} pages zoned in {:.1} s: {zones} zones, {} articles proposed",
            report.pages.len(),
            report.seconds,
            report.articles
        );
        for page in &report.pages {
            println!("  {}  {} zones  {}", page.file.display(), page.zones, page.preview.display());
            for note in &page.notes {
                println!("    {note}");
            }
        }
        println!("Zones: {}\nDraft manifest: {}", report.zones_file.display(), report.draft.display());
        if !report.failures.is_empty() {
            println!("{} scan(s) could not be zoned:", report.failures.len());
            for failure in &report.failures {
                println!("  {failure}");
            }
        }
    }
    Ok(if report.failures.is_empty() { 0 } else { EXIT_PARTIAL })
}
