//! The report written out: a text table for the terminal, CSV for a spreadsheet, Markdown
//! for a document, JSON for scripts. Labels are in Kazakh and Russian.

use std::io::{self, Write};

use super::{Report, Row};

/// Column headings of the document tables.
const COLUMNS: [&str; 4] = [
    "Құжаттар, жылы · Документов за год",
    "Беттер, жылы · Страниц за год",
    "Құжаттар, барлығы · Документов всего",
    "Беттер, барлығы · Страниц всего",
];

fn title(report: &Report) -> String {
    format!("Цифрландыру есебі · Отчёт об оцифровке, {}", report.year)
}

fn cells(row: &Row) -> [u64; 4] {
    [row.year.documents, row.year.pages, row.all_years.documents, row.all_years.pages]
}

fn label(row: &Row) -> String {
    format!("{} · {}", row.label_kk, row.label_ru)
}

/// A line of a section of single numbers: key, Kazakh and Russian labels, number.
type Figure = (&'static str, &'static str, &'static str, u64);

/// The sections of single numbers after the tables: CSV's section key, heading, lines.
fn figures(report: &Report) -> [(&'static str, &'static str, Vec<Figure>); 2] {
    let d = &report.deliveries;
    [
        (
            "deliveries",
            "Құжаттарды жеткізу · Доставка документов",
            vec![
                ("requests", "Сұраныстар", "Запросов", d.requests),
                ("delivered", "Берілді", "Выдано", d.delivered),
                ("refused", "Бас тартылды", "Отказано", d.refused),
                ("waiting", "Күтуде", "Ожидают", d.waiting),
                ("pages_delivered", "Берілген беттер", "Выдано страниц", d.pages_delivered),
            ],
        ),
        (
            "corrections",
            "Мәтінді түзету · Исправление текста",
            vec![("corrected_lines", "Түзетілген жолдар", "Исправлено строк", report.corrected_lines)],
        ),
    ]
}

const BOOKS_HEADING: &str = "Кітаптардың ішінде · Из них книг";

pub(crate) fn text(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let width = report.kinds.iter().chain(&report.books).map(|r| label(r).chars().count()).max().unwrap_or(0);
    let pad = |text: &str| format!("{text}{}", " ".repeat(width.saturating_sub(text.chars().count())));
    writeln!(out, "{}\n", title(report))?;
    writeln!(out, "{}  {:^21}   {:^21}", pad(""), "Жылы · За год", "Барлығы · Всего")?;
    writeln!(out, "{}  {:>10} {:>10}   {:>10} {:>10}", pad(""), "құжат·док", "бет·стр", "құжат·док", "бет·стр")?;
    for (heading, rows) in [("", &report.kinds), (BOOKS_HEADING, &report.books)] {
        if !heading.is_empty() {
            writeln!(out, "{heading}:")?;
        }
        for row in rows {
            let [a, b, c, d] = cells(row);
            writeln!(out, "{}  {a:>10} {b:>10}   {c:>10} {d:>10}", pad(&label(row)))?;
        }
    }
    for (_, heading, lines) in figures(report) {
        writeln!(out, "\n{heading}, {}:", report.year)?;
        for (_, kk, ru, value) in lines {
            let name = format!("{kk} · {ru}");
            writeln!(out, "  {name}{}  {value:>6}", " ".repeat(34usize.saturating_sub(name.chars().count())))?;
        }
    }
    Ok(())
}

pub(crate) fn csv(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut writer = csv::Writer::from_writer(out);
    let error = |e: csv::Error| io::Error::other(e.to_string());
    writer
        .write_record([
            "section",
            "key",
            "label_kk",
            "label_ru",
            "documents_year",
            "pages_year",
            "documents_all_years",
            "pages_all_years",
        ])
        .map_err(error)?;
    for (section, rows) in [("documents", &report.kinds), ("books", &report.books)] {
        for row in rows {
            let numbers = cells(row).map(|n| n.to_string());
            writer
                .write_record(
                    [section, row.key, row.label_kk, row.label_ru].into_iter().map(str::to_string).chain(numbers),
                )
                .map_err(error)?;
        }
    }
    for (section, _, lines) in figures(report) {
        for (key, kk, ru, value) in lines {
            writer.write_record([section, key, kk, ru, &value.to_string(), "", "", ""]).map_err(error)?;
        }
    }
    writer.flush()
}

pub(crate) fn markdown(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "# {}\n", title(report))?;
    for (heading, rows) in [("", &report.kinds), (BOOKS_HEADING, &report.books)] {
        if !heading.is_empty() {
            writeln!(out, "\n## {heading}\n")?;
        }
        writeln!(out, "| | {} |", COLUMNS.join(" | "))?;
        writeln!(out, "|---|---:|---:|---:|---:|")?;
        for row in rows {
            let numbers: Vec<String> = cells(row).iter().map(u64::to_string).collect();
            let name = if row.key == "total" { format!("**{}**", label(row)) } else { label(row) };
            writeln!(out, "| {name} | {} |", numbers.join(" | "))?;
        }
    }
    for (_, heading, lines) in figures(report) {
        writeln!(out, "\n## {heading}, {}\n", report.year)?;
        writeln!(out, "| | |\n|---|---:|")?;
        for (_, kk, ru, value) in lines {
            writeln!(out, "| {kk} · {ru} | {value} |")?;
        }
    }
    Ok(())
}
