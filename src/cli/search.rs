//! `olke search` and `olke reindex`.

use std::io::{IsTerminal, Write};

use anyhow::Result;
use clap::Args;

use super::{print_json, EXIT_USAGE};
use crate::archive::Archive;
use crate::index::{Filters, SearchError, SearchIndex, SearchRequest, SearchResults, YearRange};

#[derive(Args, Debug)]
pub(super) struct SearchArgs {
    /// What to find: words (all must be there), "a phrase", prefix*, AND, OR, NOT or -word,
    /// parentheses. Inflected Kazakh and Russian forms find each other. (A query word that
    /// starts with - goes after --, or inside the quoted query: 'мыс -кен'.)
    #[arg(required = true, value_name = "QUERY")]
    query: Vec<String>,
    /// Only documents in this collection (repeat for any of several).
    #[arg(long, value_name = "NAME")]
    collection: Vec<String>,
    /// Only documents of this type: book, book_chapter, newspaper_article, journal_article.
    #[arg(long = "type", value_name = "TYPE")]
    kind: Vec<String>,
    /// Only documents from this newspaper, journal or host book (its words, in order).
    #[arg(long, value_name = "TITLE")]
    source: Option<String>,
    /// Only documents of these years: 1968, 1960..1970, 1960.. or ..1970.
    #[arg(long, value_name = "FROM..TO")]
    year: Option<YearRange>,
    /// Only pages in this language: kaz, rus or eng (repeat for any of several).
    #[arg(long, value_name = "LANG")]
    lang: Vec<String>,
    /// Documents to show.
    #[arg(long, default_value_t = 10, value_name = "N")]
    limit: usize,
    /// Documents to skip (for the next page of results).
    #[arg(long, default_value_t = 0, value_name = "N")]
    offset: usize,
    /// Print the results as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(super) fn search(archive: &Archive, args: SearchArgs) -> Result<u8> {
    let query = args.query.join(" ");
    let request = SearchRequest {
        query: query.clone(),
        filters: Filters {
            collections: args.collection,
            types: args.kind,
            source: args.source,
            years: args.year,
            langs: args.lang,
        },
        limit: args.limit,
        offset: args.offset,
        count_matches: false,
    };
    let outcome =
        SearchIndex::open_rebuilding(archive).map_err(SearchError::from).and_then(|index| index.search(&request));
    let results = match outcome {
        Ok(results) => results,
        Err(ref err @ SearchError::Query(ref bad)) => {
            eprintln!("olke: {err}");
            if let Some(pointer) = bad.pointer(&query) {
                eprintln!("{pointer}");
            }
            return Ok(EXIT_USAGE);
        }
        Err(err) if err.is_usage() => {
            eprintln!("olke: {err}");
            return Ok(EXIT_USAGE);
        }
        Err(err) => return Err(err.into()),
    };
    if args.json {
        print_json(&results)?;
    } else {
        print_results(&results)?;
    }
    Ok(0)
}

fn print_results(results: &SearchResults) -> Result<()> {
    let mut out = std::io::stdout().lock();
    if results.total == 0 {
        writeln!(out, "Nothing found.")?;
        return Ok(());
    }
    let (before, after) = if std::io::stdout().is_terminal() { ("\x1b[1;33m", "\x1b[0m") } else { ("**", "**") };
    let first = results.offset + 1;
    let last = results.offset + results.hits.len();
    let plural = |n: usize, one: &'static str, many: &'static str| if n == 1 { one } else { many };
    writeln!(
        out,
        "{} {} ({} {}) found; {first}–{last} shown",
        results.total,
        plural(results.total, "document", "documents"),
        results.total_pages,
        plural(results.total_pages, "page", "pages")
    )?;
    for (n, hit) in results.hits.iter().enumerate() {
        let year = hit.year.map(|y| format!(" ({y})")).unwrap_or_default();
        let title = if hit.title == hit.id { String::new() } else { format!("  {}", hit.title) };
        writeln!(out, "\n{:>3}. {}{title}{year}", first + n, hit.id)?;
        if hit.pages.is_empty() {
            writeln!(out, "     in the title or authors")?;
        } else {
            let pages: Vec<String> = hit.pages.iter().map(u32::to_string).collect();
            writeln!(out, "     {} {}", plural(hit.pages.len(), "page", "pages"), pages.join(", "))?;
        }
        if let Some(snippet) = &hit.snippet {
            writeln!(out, "     p. {}: …{}…", snippet.page, snippet.marked(before, after))?;
        }
    }
    if last < results.total {
        writeln!(out, "\nMore with --offset {last}.")?;
    }
    Ok(())
}

#[derive(Args, Debug)]
pub(super) struct ReindexArgs {
    /// Indexing threads (default: the number of cores).
    #[arg(long, short = 'j', value_name = "N")]
    jobs: Option<usize>,
    /// Print the summary as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(super) fn reindex(archive: &Archive, args: ReindexArgs) -> Result<u8> {
    let threads = args.jobs.unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1));
    let report = crate::index::reindex(archive, threads)?;
    if args.json {
        print_json(&report)?;
    } else {
        println!(
            "Indexed {} documents, {} pages in {:.1} s ({:.0} pages/s); the index takes {:.1} MB",
            report.documents,
            report.pages,
            report.seconds,
            report.pages_per_second,
            report.index_bytes as f64 / 1e6
        );
    }
    Ok(0)
}

#[derive(Args, Debug)]
pub(super) struct AnalyzeArgs {
    /// The text to analyse.
    #[arg(required = true)]
    text: Vec<String>,
    /// Analyse it as this language (kaz, rus, eng) instead of detecting each paragraph's.
    #[arg(long, value_name = "LANG")]
    lang: Option<String>,
    /// Print the words and their terms as JSON on stdout.
    #[arg(long)]
    json: bool,
}

pub(super) fn analyze(args: AnalyzeArgs) -> Result<u8> {
    let Some(words) = crate::index::analyze_text(&args.text.join(" "), args.lang.as_deref()) else {
        eprintln!("olke: --lang takes kaz, rus or eng");
        return Ok(EXIT_USAGE);
    };
    if args.json {
        print_json(&words)?;
        return Ok(0);
    }
    let mut out = std::io::stdout().lock();
    for word in words {
        let bases = if word.bases.is_empty() { String::new() } else { format!("  (base: {})", word.bases.join(" ")) };
        writeln!(out, "{}\t{}\t{}{bases}", word.word, word.lang, word.stems.join(" "))?;
    }
    Ok(0)
}
