//! `olke collections`: the thematic folders with their document and page counts.

use anyhow::Result;

use super::print_json;
use crate::archive::Archive;
use crate::catalog::{Documents, Reader};
use crate::record::collections;

pub(super) fn run(archive: &Archive, json: bool) -> Result<u8> {
    let documents = Reader::open(archive)?.documents()?;
    let summaries = collections(&documents);
    if json {
        print_json(&summaries)?;
        return Ok(0);
    }
    if summaries.is_empty() {
        println!("No document is in a collection yet (the manifest's 'collections' column, or `olke catalog set ID collections NAME`).");
    }
    for summary in &summaries {
        println!("{:<32} {:>5} documents {:>6} pages", summary.name, summary.documents, summary.pages);
    }
    let outside = documents.iter().filter(|d| d.bib.collections.is_empty()).count();
    if outside > 0 {
        println!("{outside} of {} documents are in no collection", documents.len());
    }
    Ok(0)
}
