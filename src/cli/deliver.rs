//! `olke deliver` (a copy of a document's pages for a reader) and `olke requests` (the
//! request register).

use std::path::PathBuf;

use anyhow::Result;
use chrono::Local;
use clap::{Args, Subcommand};

use super::{open_for_writing, print_json, EXIT_USAGE};
use crate::archive::files;
use crate::archive::Archive;
use crate::config::Config;
use crate::deliver::{self, CopyOptions, DeliverError};
use crate::record::pages::PageRange;
use crate::record::request::{reader_key, NewRequest, Requester, Status};
use crate::report::local_year;

pub(super) const DELIVER_HELP: &str =
    "Pages are the numbers printed on them when the document's record gives the printed\n\
    number of its first scanned page (first_page_number); otherwise the PDF's page numbers,\n\
    from 1. Without --pages the whole document is copied.\n\n\
    Public-domain documents and those under an author's contract may be copied whole. Of a\n\
    document in copyright (or without a rights statement) one reader may have at most 20%\n\
    of a book's pages in a calendar year, counting what earlier requests delivered to the\n\
    same email, or one whole article or chapter ([delivery] in olke.toml); a request for\n\
    more is refused with the reason and what is left (exit code 1). Every request, refused ones too, is\n\
    kept in the request register (`olke requests`).\n\n\
    The copy starts with a cover page: the library's name and address (olke.toml), the\n\
    citation, the pages, the requester, the date, the request number and what the reader\n\
    may do with it. The pages keep their searchable text. --max-mb makes page images\n\
    smaller until the file fits (1 MB = 1024 × 1024 bytes; mail encoding adds about a third).\n\n\
    Examples:\n  \
    olke deliver tom-6 --pages 46-65 --requester 'Асқар Сейітов <askar@example.kz>'\n  \
    olke deliver balkhash-1968 --requester 'Иванов И. И. <ivanov@mail.kz>' --purpose 'диссертация' --out copy.pdf\n  \
    olke deliver kitap-qamshy --pages 3-10 --requester 'A. Smith <a.smith@uni.edu>' --max-mb 10 --json";

#[derive(Args, Debug)]
pub(super) struct DeliverArgs {
    /// The document's id (`olke list`).
    id: String,
    /// Pages to copy, `46-65` or `46`: printed page numbers when the record knows the
    /// printed number of its first page, else PDF page numbers (default: all).
    #[arg(long, value_name = "PAGES")]
    pages: Option<String>,
    /// Who asked, as "Name <email>".
    #[arg(long, value_name = "NAME <EMAIL>")]
    requester: String,
    /// What the copy is for (printed on the cover and kept in the register).
    #[arg(long, value_name = "TEXT")]
    purpose: Option<String>,
    /// Where to write the copy (default: request-NNNN-ID.pdf in the current folder).
    #[arg(long, short = 'o', value_name = "FILE.pdf")]
    out: Option<PathBuf>,
    /// Make the file at most this many megabytes, downsampling page images as needed.
    #[arg(long, value_name = "N")]
    max_mb: Option<f64>,
    /// Of an article on an issue's pages: `zones` (its zones, cropped) or `page` (the
    /// whole pages, when every article on them may be delivered).
    #[arg(long, value_enum, default_value_t = Context::Zones)]
    context: Context,
    /// Print the outcome as JSON.
    #[arg(long)]
    json: bool,
}

/// What of an issue's pages an article's copy holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum Context {
    Zones,
    Page,
}

fn usage(message: impl std::fmt::Display) -> Result<u8> {
    eprintln!("olke: {message}");
    Ok(EXIT_USAGE)
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub(super) fn deliver(archive: &Archive, args: DeliverArgs) -> Result<u8> {
    let pages = match args.pages.as_deref().map(PageRange::parse).transpose() {
        Ok(pages) => pages,
        Err(reason) => return usage(format!("--pages: {reason}")),
    };
    let requester = match Requester::parse(&args.requester) {
        Ok(requester) => requester,
        Err(reason) => return usage(format!("--requester {reason}")),
    };
    let max_bytes = match max_bytes(args.max_mb) {
        Ok(bytes) => bytes,
        Err(message) => return usage(message),
    };
    let config = Config::load(archive)?;
    let writer = open_for_writing(archive)?;
    let new = NewRequest { requester, purpose: args.purpose, document: args.id.clone(), pages };
    let filed = deliver::file(archive, &writer.catalog, new);
    let out = match &filed {
        Ok(filed) => args.out.unwrap_or_else(|| PathBuf::from(filed.copy_file_name())),
        Err(_) => PathBuf::new(),
    };
    let fulfilled = filed.as_ref().ok().map(|filed| {
        deliver::fulfil(
            archive,
            &writer.catalog,
            &config,
            filed.number,
            &out,
            CopyOptions { max_bytes, whole_pages: args.context == Context::Page },
        )
    });
    // Whatever happened, the register and the copy are complete or were never begun.
    writer.finish()?;
    let filed = match filed {
        Ok(request) => request,
        Err(e) if e.is_bad_request() => return usage(e),
        Err(e) => return Err(e.into()),
    };
    report_outcome(filed.number, fulfilled.expect("fulfilled when filed"), args.max_mb, args.json)
}

/// Says what became of a request that was fulfilled: the copy made, or why it was refused.
fn report_outcome(
    number: u32,
    outcome: Result<deliver::Outcome, DeliverError>,
    max_mb: Option<f64>,
    json: bool,
) -> Result<u8> {
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) if e.is_bad_request() => return usage(e),
        Err(e) => {
            return Err(anyhow::Error::new(e)
                .context(format!("request № {number} is registered as requested; the copy was not made")))
        }
    };
    if json {
        print_json(&serde_json::json!({ "request": outcome.request, "copy": outcome.copy }))?;
    }
    match (&outcome.request.status, &outcome.copy) {
        (Status::Refused { reason, .. }, _) => {
            eprintln!("olke: request № {number} refused: {reason}");
            return Ok(1);
        }
        (_, Some(copy)) if !json => {
            println!(
                "Request № {number}: {} ({} pages and a cover page, {:.2} MB)",
                copy.path.display(),
                copy.pages,
                megabytes(copy.bytes)
            );
            if copy.downsampled {
                println!("Page images were made smaller to fit {} MB.", max_mb.unwrap_or_default());
            }
        }
        _ => {}
    }
    if let Some(copy) = outcome.copy.filter(|c| !c.within_limit) {
        eprintln!(
            "olke: warning: {} is {:.2} MB even with the page images at their smallest, over the {} MB asked; deliver fewer pages at a time",
            copy.path.display(),
            megabytes(copy.bytes),
            max_mb.unwrap_or_default()
        );
    }
    Ok(0)
}

pub(super) const REQUESTS_HELP: &str =
    "Requests filed on the website (`olke serve`) wait as `requested` until staff fulfil\n\
    or refuse them, on the staff pages or here. Fulfilling makes the copy exactly as\n\
    `olke deliver` does (refusing it with the reason when the document's rights do not\n\
    allow the pages asked for); refusing records the reason given.\n\n\
    Examples:\n  olke requests\n  olke requests --year 2025\n  \
    olke requests --json | jq '.[] | select(.status == \"refused\")'\n  \
    olke requests fulfil 12 --out copy-12.pdf\n  \
    olke requests refuse 13 --reason 'Кітап қорда жоқ / книги нет в фонде'";

#[derive(Args, Debug)]
pub(super) struct RequestsArgs {
    #[command(subcommand)]
    action: Option<RequestAction>,
    /// Only the requests filed in this year.
    #[arg(long, value_name = "YEAR")]
    year: Option<i32>,
    /// Only one reader's requests (by email, in any case): what they asked for and received.
    #[arg(long, value_name = "EMAIL")]
    requester: Option<String>,
    #[arg(long)]
    json: bool,
}

#[derive(Subcommand, Debug)]
enum RequestAction {
    /// Make the copy a waiting request asks for and mark it delivered (or refused, when
    /// the document's rights do not allow it).
    Fulfil {
        /// The request's number (`olke requests`).
        number: u32,
        /// Where to write the copy (default: request-NNNN-ID.pdf in the current folder).
        #[arg(long, short = 'o', value_name = "FILE.pdf")]
        out: Option<PathBuf>,
        /// Make the file at most this many megabytes, downsampling page images as needed.
        #[arg(long, value_name = "N")]
        max_mb: Option<f64>,
    },
    /// Refuse a waiting request, with the reason the reader is told.
    Refuse {
        number: u32,
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

pub(super) fn requests(archive: &Archive, args: RequestsArgs) -> Result<u8> {
    match args.action {
        None => list_requests(archive, args.year, args.requester.as_deref(), args.json),
        Some(RequestAction::Fulfil { number, out, max_mb }) => fulfil_request(archive, number, out, max_mb),
        Some(RequestAction::Refuse { number, reason }) => refuse_request(archive, number, &reason),
    }
}

fn max_bytes(max_mb: Option<f64>) -> Result<Option<u64>, String> {
    match max_mb {
        Some(mb) if !(mb.is_finite() && mb > 0.0) => {
            Err(format!("--max-mb {mb}: expected a size in megabytes above 0, e.g. 10"))
        }
        mb => Ok(mb.map(|mb| (mb * 1024.0 * 1024.0) as u64)),
    }
}

fn fulfil_request(archive: &Archive, number: u32, out: Option<PathBuf>, max_mb: Option<f64>) -> Result<u8> {
    let max_bytes = match max_bytes(max_mb) {
        Ok(bytes) => bytes,
        Err(message) => return usage(message),
    };
    let config = Config::load(archive)?;
    let writer = open_for_writing(archive)?;
    let out = match (out, writer.catalog.request(number)?) {
        (Some(out), _) => out,
        (None, Some(request)) => PathBuf::from(request.copy_file_name()),
        (None, None) => return usage(DeliverError::NoSuchRequest(number)),
    };
    let outcome =
        deliver::fulfil(archive, &writer.catalog, &config, number, &out, CopyOptions { max_bytes, whole_pages: false });
    writer.finish()?;
    report_outcome(number, outcome, max_mb, false)
}

fn refuse_request(archive: &Archive, number: u32, reason: &str) -> Result<u8> {
    if reason.trim().is_empty() {
        return usage("--reason: say why, for the reader");
    }
    let writer = open_for_writing(archive)?;
    let refused = deliver::refuse(archive, &writer.catalog, number, reason.trim());
    writer.finish()?;
    match refused {
        Ok(request) => {
            println!("Request № {} refused: {reason}", request.number);
            Ok(0)
        }
        Err(e) if e.is_bad_request() => usage(e),
        Err(e) => Err(e.into()),
    }
}

fn list_requests(archive: &Archive, year: Option<i32>, requester: Option<&str>, json: bool) -> Result<u8> {
    let mut register = files::requests(archive)?;
    register.retain(|r| year.is_none_or(|y| local_year(r.filed) == y));
    let reader = requester.map(reader_key);
    register.retain(|r| reader.as_ref().is_none_or(|reader| r.requester.reader() == *reader));
    if json {
        print_json(&register)?;
        return Ok(0);
    }
    if register.is_empty() {
        println!("No requests{}.", year.map(|y| format!(" in {y}")).unwrap_or_default());
        return Ok(0);
    }
    for request in &register {
        let outcome = match &request.status {
            Status::Refused { reason, .. } => format!("refused: {reason}"),
            other => other.name().to_string(),
        };
        println!(
            "№ {:<5} {}  {:<40} {:<24} pages {:<9} {outcome}",
            request.number,
            request.filed.with_timezone(&Local).format("%Y-%m-%d"),
            request.requester.to_string(),
            request.document,
            request.pages.asked.to_string(),
        );
    }
    let count = |status: &str| register.iter().filter(|r| r.status.name() == status).count();
    println!(
        "{} requests: {} delivered, {} refused, {} waiting",
        register.len(),
        count("delivered"),
        count("refused"),
        count("requested")
    );
    Ok(0)
}
