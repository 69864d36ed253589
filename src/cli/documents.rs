//! Reading the archive back: `olke list`, `olke show`, `olke text`.

use std::io::Write;

use anyhow::{anyhow, Context, Result};
use serde::Serialize;

use super::print_json;
use crate::archive::Archive;
use crate::catalog::{Documents, Reader};
use crate::pdf::pdfa::PdfA;
use crate::record::article::zone_pages;
use crate::record::fields::FIELDS;
use crate::record::DocumentRecord;

/// What `list --json` gives per document.
#[derive(Serialize)]
struct ListEntry<'a> {
    id: &'a str,
    title: &'a str,
    pages: usize,
    pdf: &'a str,
    languages: &'a [String],
    source_files: Vec<&'a str>,
    mean_conf: f32,
}

pub(super) fn list(archive: &Archive, json: bool) -> Result<u8> {
    let reader = Reader::open(archive)?;
    let documents = reader.documents()?;
    if json {
        let entries: Vec<ListEntry> = documents
            .iter()
            .map(|d| ListEntry {
                id: &d.id,
                title: &d.bib.title,
                pages: d.pages.len(),
                pdf: &d.pdf,
                languages: &d.languages,
                source_files: d.source_files.iter().map(|s| s.path.as_str()).collect(),
                mean_conf: d.mean_conf(),
            })
            .collect();
        print_json(&entries)?;
    } else if documents.is_empty() {
        println!("The archive at {} has no documents yet.", archive.root().display());
    } else {
        for d in &documents {
            println!("{:<24} {:>4} pages  {:<8} {}", d.id, d.pages.len(), d.languages.join("+"), d.bib.title);
        }
        println!("{} documents", documents.len());
    }
    Ok(0)
}

fn find(reader: &Reader, archive: &Archive, id: &str) -> Result<DocumentRecord> {
    reader.record(id)?.ok_or_else(|| {
        anyhow!("no document '{id}' in the archive at {}; `olke list` shows what is there", archive.root().display())
    })
}

/// What `show --json` gives: the record and its citation, made from it now.
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    record: &'a DocumentRecord,
    citation: String,
}

pub(super) fn show(archive: &Archive, id: &str, json: bool) -> Result<u8> {
    let reader = Reader::open(archive)?;
    let record = find(&reader, archive, id)?;
    if json {
        print_json(&Shown { record: &record, citation: record.citation() })?;
        return Ok(0);
    }
    println!("{}", record.id);
    println!("  citation:   {}", record.citation());
    for field in FIELDS {
        let value = record.bib.get(field);
        if !value.is_empty() {
            println!("  {:<11} {value}", format!("{field}:"));
        }
    }
    if let Some(host) = &record.host {
        println!("  host:       {host} (its PDF and page images hold the article)");
        println!("  pages:      {} of {host}", join_numbers(&record.host_pages()));
        println!("  zones:");
        for zone in &record.zones {
            let b = zone.bbox;
            println!("    page {}: left {}, top {}, width {}, height {}", zone.page, b.x0, b.y0, b.width(), b.height());
        }
        println!("  languages:  {}", record.languages.join(", "));
    } else {
        show_scanned(archive, &record);
    }
    println!(
        "  archived:   {} (updated {})",
        record.created.format("%Y-%m-%d %H:%M"),
        record.updated.format("%Y-%m-%d %H:%M")
    );
    if !record.history.is_empty() {
        println!("  history:");
        for edit in &record.history {
            println!("    {}  {}: «{}» → «{}»", edit.time.format("%Y-%m-%d %H:%M"), edit.field, edit.old, edit.new);
        }
    }
    Ok(0)
}

fn join_numbers(numbers: &[u32]) -> String {
    numbers.iter().map(u32::to_string).collect::<Vec<_>>().join(", ")
}

/// What `show` tells of a document with scans, pages and a PDF of its own.
fn show_scanned(archive: &Archive, record: &DocumentRecord) {
    println!("  pages:      {}", record.pages.len());
    println!("  languages:  {}", record.languages.join(", "));
    println!("  PDF:        {} ({} bytes)", archive.root().join(&record.pdf).display(), record.pdf_bytes);
    match &record.pdf_a {
        Some(PdfA::Conforms(level)) => println!("  Archival:   {level}"),
        Some(PdfA::NotConforming(reasons)) => println!("  Archival:   not PDF/A: {}", reasons.join("; ")),
        None => println!("  Archival:   not PDF/A (made before olke wrote PDF/A)"),
    }
    // Kept pages were never recognized: a confidence of 0 would read as a failed OCR.
    if record.kept_pages() < record.pages.len() {
        println!(
            "  OCR:        {} ({}), mean confidence {:.1}",
            record.ocr.engine,
            record.ocr.models,
            record.mean_conf()
        );
    }
    if record.kept_pages() > 0 {
        println!("  kept:       {} pages with the source PDF's own text layer, not recognized", record.kept_pages());
    }
    println!("  sources:");
    for source in &record.source_files {
        println!("    {} ({} bytes, sha256 {})", source.path, source.bytes, &source.sha256[..16]);
    }
}

/// Prints a document's text, pages separated by form feeds; a hosted article's is read
/// from its host's pages, zone by zone (`only`: the zones on that host page).
pub(super) fn text(archive: &Archive, id: &str, only: Option<u32>) -> Result<u8> {
    let reader = Reader::open(archive)?;
    let record = find(&reader, archive, id)?;
    let mut out = std::io::stdout().lock();
    if let Some(host) = &record.host {
        if only.is_some_and(|n| !record.host_pages().contains(&n)) {
            let pages = join_numbers(&record.host_pages());
            return Err(anyhow!(
                "{id} lies on page(s) {pages} of {host}; there is none of it on page {}",
                only.unwrap_or(0)
            ));
        }
        let pages = zone_pages(&record, |n| reader.page(host, n))?;
        let mut previous = None;
        for (zone, page) in record.zones.iter().zip(pages).filter(|(zone, _)| only.is_none_or(|n| zone.page == n)) {
            if previous.is_some_and(|p| p != zone.page) {
                write!(out, "\x0c")?;
            }
            writeln!(out, "{}", page.text())?;
            previous = Some(zone.page);
        }
        return Ok(0);
    }
    let count = record.pages.len() as u32;
    let numbers: Vec<u32> = match only {
        Some(n) if n == 0 || n > count => return Err(anyhow!("{id} has {count} pages; there is no page {n}")),
        Some(n) => vec![n],
        None => (1..=count).collect(),
    };
    for (i, number) in numbers.iter().enumerate() {
        let page = reader
            .page(id, *number)?
            .with_context(|| format!("page {number} of {id} is missing from the archive; run `olke verify`"))?;
        if i > 0 {
            write!(out, "\x0c")?;
        }
        writeln!(out, "{}", page.text())?;
    }
    Ok(0)
}
