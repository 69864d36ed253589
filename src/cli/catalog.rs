//! `olke catalog`: changing documents' descriptions after ingest, one field at a time or
//! from a corrected CSV. Each change is kept in the record's history and carried into the
//! PDF's metadata.

use std::path::PathBuf;

use anyhow::{anyhow, Result};
use clap::{Args, Subcommand};

use super::{open_for_writing, print_json, EXIT_PARTIAL, EXIT_USAGE};
use crate::archive::Archive;
use crate::catalog::edit::{self, EditError};
use crate::integrity::ChangeError;
use crate::pdf::pdfa::PdfA;
use crate::record::table::read_csv;
use crate::record::{Edit, Value};

#[derive(Args, Debug)]
pub(super) struct CatalogArgs {
    #[command(subcommand)]
    command: CatalogCommand,
}

#[derive(Subcommand, Debug)]
enum CatalogCommand {
    /// Set fields of one document's description.
    #[command(after_help = "FIELD is a manifest column: type, title, authors, source, date, issue,\n\
        source_pages, place, publisher, year, language, collections, rights, contract,\n\
        subjects, flags, first_page_number, notes. Lists are ';'-separated; an empty VALUE\n\
        clears the field. Give several FIELD VALUE pairs to change fields that depend on\n\
        each other at once (an article needs a source).\n\n\
        Examples:\n  olke catalog set kitap-qamshy title 'Қамшы'\n  \
        olke catalog set p001 collections 'Батырлар; Балқаш тарихы'\n  \
        olke catalog set p002 type newspaper_article source 'Пульс' date 2019-07-12")]
    Set {
        /// The document's id.
        id: String,
        /// A manifest column (listed below).
        field: String,
        /// Its new value; '' clears it.
        #[arg(allow_hyphen_values = true)]
        value: String,
        /// More FIELD VALUE pairs, set together with the first.
        #[arg(value_name = "FIELD VALUE", allow_hyphen_values = true)]
        more: Vec<String>,
        /// Print the changes as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Apply a corrected CSV to the records its 'id' column names.
    #[command(after_help = "The CSV has the manifest's columns and an 'id' column (as `olke export csv`\n\
        writes it); only the columns present are changed, and an empty cell clears the field.\n\
        'files', 'pages', 'citation' and 'url' are read past. A row with a problem is not\n\
        applied; the others are (exit code 3 then).\n\n\
        Examples:\n  olke export csv --out catalogue.csv   # correct it in a spreadsheet, then:\n  \
        olke catalog apply catalogue.csv\n  olke catalog apply fixes.csv --json")]
    Apply {
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Bring PDFs archived before olke wrote PDF/A to PDF/A-2b, their pages as they are.
    #[command(after_help = "Each PDF gets the sRGB output intent and the PDF/A identification, after its\n\
        objects are looked over as pages kept from an earlier digitization are (what can be\n\
        made conforming without changing what is shown is). A PDF that cannot be (a font not\n\
        embedded, DeviceCMYK, …) is left as it is, and its record says why. Documents whose\n\
        record already says are left alone; `olke show` prints what it says.\n\n\
        Examples:\n  olke catalog pdfa\n  olke catalog pdfa kitap-qamshy --json")]
    Pdfa {
        /// The documents' ids; all documents when none is given.
        ids: Vec<String>,
        /// Print each document's result as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn print_edits(id: &str, edits: &[Edit]) {
    if edits.is_empty() {
        println!("{id}: nothing changed");
    }
    for edit in edits {
        println!("{id}: {}: «{}» → «{}»", edit.field, edit.old, edit.new);
    }
}

pub(super) fn run(archive: &Archive, args: CatalogArgs) -> Result<u8> {
    match args.command {
        CatalogCommand::Set { id, field, value, more, json } => {
            if more.len() % 2 != 0 {
                eprintln!("olke: '{}' has no value; give FIELD VALUE pairs", more[more.len() - 1]);
                return Ok(EXIT_USAGE);
            }
            let mut changes = vec![(field, Value::Text(value))];
            changes.extend(more.chunks(2).map(|pair| (pair[0].clone(), Value::Text(pair[1].clone()))));
            let mut writer = open_for_writing(archive)?;
            let code = match writer.edit(archive, &id, &changes) {
                Ok(edits) => {
                    if json {
                        print_json(&edit::Changed { id, edits })?;
                    } else {
                        print_edits(&id, &edits);
                    }
                    0
                }
                Err(ChangeError::Edit(EditError::Invalid(errors))) => {
                    for error in errors {
                        eprintln!("olke: {id}: {error}");
                    }
                    EXIT_USAGE
                }
                Err(other) => return Err(other.into()),
            };
            writer.finish()?;
            Ok(code)
        }
        CatalogCommand::Apply { file, json } => {
            if !file.is_file() {
                return Err(anyhow!("{}: no such file", file.display()));
            }
            let mut problems = Vec::new();
            let table = read_csv(&file, &mut problems);
            let mut writer = open_for_writing(archive)?;
            let mut report = match table {
                Some(table) => writer.apply(archive, &table)?,
                None => edit::ApplyReport::default(),
            };
            writer.finish()?;
            report.problems.splice(0..0, problems);
            for problem in &report.problems {
                eprintln!("{problem}");
            }
            if json {
                print_json(&report)?;
            } else {
                for changed in &report.changed {
                    print_edits(&changed.id, &changed.edits);
                }
                println!(
                    "{} documents changed, {} already as given, {} problems",
                    report.changed.len(),
                    report.unchanged.len(),
                    report.problems.len()
                );
            }
            Ok(if report.problems.is_empty() { 0 } else { EXIT_PARTIAL })
        }
        CatalogCommand::Pdfa { ids, json } => {
            let mut writer = open_for_writing(archive)?;
            let ids = if ids.is_empty() { archive.document_ids()? } else { ids };
            let mut results = Vec::new();
            for id in ids {
                let pdf_a = writer.to_pdf_a(archive, &id)?;
                if !json {
                    match &pdf_a {
                        PdfA::Conforms(level) => println!("{id}: {level}"),
                        PdfA::NotConforming(reasons) => println!("{id}: not PDF/A: {}", reasons.join("; ")),
                    }
                }
                results.push(serde_json::json!({ "id": id, "pdf_a": pdf_a }));
            }
            writer.finish()?;
            if json {
                print_json(&results)?;
            }
            Ok(0)
        }
    }
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use crate::record::fields::FIELDS;

    #[test]
    fn the_help_of_set_names_every_field() {
        let mut cli = super::super::Cli::command();
        let set = cli.find_subcommand_mut("catalog").unwrap().find_subcommand_mut("set").unwrap();
        let help = set.render_long_help().to_string();
        let listed = help.split_once("FIELD is a manifest column:").unwrap().1.split_once(". Lists").unwrap().0;
        let listed: Vec<&str> = listed.split(',').map(str::trim).collect();
        assert_eq!(listed, FIELDS);
    }
}
