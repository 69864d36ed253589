//! `olke publish`: the full-text database as a static website.

use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use super::{print_json, EXIT_USAGE};
use crate::archive::Archive;
use crate::catalog::Reader;
use crate::config::Config;
use crate::publish::{publish, PublishError, PublishOptions};

#[derive(Args, Debug)]
pub(super) struct PublishArgs {
    /// The site's folder: new, empty, or made by an earlier `olke publish`.
    #[arg(long, short = 'o', value_name = "DIR")]
    out: PathBuf,
    /// Only the documents of this collection (`olke collections`).
    #[arg(long, value_name = "NAME")]
    collection: Option<String>,
    /// Where the site is served, for absolute links in documents.json and for the static
    /// IIIF of the works published, which only absolute addresses allow
    /// (default: `[publish] base_url` in olke.toml; else the links are relative and no IIIF
    /// is written).
    #[arg(long, value_name = "URL", value_parser = super::web_address)]
    base_url: Option<String>,
    /// Print what was done as JSON.
    #[arg(long)]
    json: bool,
}

pub(super) fn run(archive: &Archive, args: PublishArgs) -> Result<u8> {
    let config = Config::load(archive)?;
    let reader = Reader::open(archive)?;
    let options = PublishOptions {
        collection: args.collection,
        base_url: args.base_url.or_else(|| config.publish.base_url().map(str::to_string)),
    };
    let options_base_url = options.base_url.clone();
    let published = match publish(archive, &reader, &config.library, &args.out, &options) {
        Ok(published) => published,
        Err(e @ PublishError::UnknownCollection { .. }) => {
            eprintln!("olke: --collection: {e}");
            return Ok(EXIT_USAGE);
        }
        Err(e) => return Err(e.into()),
    };
    if args.json {
        print_json(&published)?;
        return Ok(0);
    }
    println!(
        "Published {} documents with their full text and {} by citation only, {} collections, in {}",
        published.full_text,
        published.citation_only,
        published.collections,
        published.out.join("index.html").display()
    );
    match &options_base_url {
        Some(_) => println!("IIIF (level 0) for {} pages", published.iiif_pages),
        None => println!("No IIIF: it needs the site's address (--base-url)"),
    }
    for skipped in &published.iiif_skipped {
        println!("  without IIIF: {skipped}");
    }
    let changes = &published.changes;
    println!(
        "{} files written, {} unchanged, {} removed",
        changes.written.len(),
        changes.unchanged,
        changes.removed.len()
    );
    Ok(0)
}
