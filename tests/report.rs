//! `olke report` against an archive of known contents: a manifest batch of every kind of
//! publication, books with each flag, and two requests in the register.

mod common;

use std::fs;

use chrono::Datelike;
use common::*;
use olke::testkit::fixtures::texts;
use serde_json::{json as value, Value};

/// The counts of the table's rows: key → (documents in the year, pages in the year,
/// documents through it, pages through it).
fn rows(report: &Value, section: &str) -> Vec<(String, [u64; 4])> {
    report[section]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let n = |count: &str, what: &str| r[count][what].as_u64().unwrap();
            (
                r["key"].as_str().unwrap().to_string(),
                [n("year", "documents"), n("year", "pages"), n("all_years", "documents"), n("all_years", "pages")],
            )
        })
        .collect()
}

fn row(key: &str, counts: [u64; 4]) -> (String, [u64; 4]) {
    (key.to_string(), counts)
}

#[test]
fn the_annual_table_counts_what_was_archived_and_delivered() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("2025-03");
    scan(&batch, "rare-1.png", &texts::KAZAKH[..1], Saved::Png);
    scan(&batch, "rare-2.png", &texts::KAZAKH[1..2], Saved::Png);
    scan(&batch, "kz.png", &texts::KAZAKH[2..3], Saved::Png);
    scan(&batch, "news.png", &texts::RUSSIAN[..1], Saved::Png);
    scan(&batch, "journal.png", &texts::RUSSIAN[1..2], Saved::Png);
    scan(&batch, "chapter.png", &texts::KAZAKH[3..4], Saved::Png);
    scan(&batch, "loose.png", &texts::RUSSIAN[2..3], Saved::Png);
    fs::write(
        batch.join("batch.csv"),
        "files,id,type,title,source,year,rights,flags\n\
         rare-*.png,rare,book,Сирек кітап,,1910,public_domain,rare; local_history\n\
         kz.png,kz,book,Қазақстан,,2001,in_copyright,kazakhstan_content\n\
         news.png,news,newspaper_article,Заметка,Балхашский рабочий,1968,,\n\
         journal.png,journal,journal_article,Статья,Простор,1975,,\n\
         chapter.png,chapter,book_chapter,Тарау,Сирек кітап,1910,,\n\
         loose.png,loose,,Без вида,,,,\n",
    )
    .unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let requester = ["--requester", "Асқар Сейітов <askar@example.kz>"];
    expect_code(
        olke(&archive)
            .args(["deliver", "rare", "--pages", "1-2", "--out"])
            .arg(tmp.path().join("a.pdf"))
            .args(requester),
        0,
    );
    expect_code(olke(&archive).args(["deliver", "kz"]).args(requester), 1);

    let year = chrono::Local::now().year();
    let report = json(&expect_code(olke(&archive).args(["report", "--json", "--year", &year.to_string()]), 0));
    assert_eq!(report["year"], year);
    assert_eq!(
        rows(&report, "kinds"),
        vec![
            row("newspaper_article", [1, 1, 1, 1]),
            row("journal_article", [1, 1, 1, 1]),
            row("book_chapter", [1, 1, 1, 1]),
            row("book", [2, 3, 2, 3]),
            row("untyped", [1, 1, 1, 1]),
            row("total", [6, 7, 6, 7]),
        ]
    );
    assert_eq!(
        rows(&report, "books"),
        vec![row("rare", [1, 2, 1, 2]), row("local_history", [1, 2, 1, 2]), row("kazakhstan_content", [1, 1, 1, 1])]
    );
    assert_eq!(
        report["deliveries"],
        value!({"requests": 2, "delivered": 1, "refused": 1, "waiting": 0, "pages_delivered": 2})
    );
    let mut months = vec![0u64; 12];
    months[chrono::Local::now().month0() as usize] = 7;
    assert_eq!(report["pages_by_month"], value!(months));

    // The year before: nothing yet, in the year or through it.
    let before = json(&expect_code(olke(&archive).args(["report", "--json", "--year", &(year - 1).to_string()]), 0));
    assert_eq!(rows(&before, "kinds").last().unwrap(), &row("total", [0, 0, 0, 0]));
    assert_eq!(before["deliveries"]["requests"], 0);

    // The same figures as CSV, Markdown and text.
    let csv = stdout(&expect_code(olke(&archive).args(["report", "--csv"]), 0));
    let mut reader = csv::Reader::from_reader(csv.as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let find = |section: &str, key: &str| {
        records
            .iter()
            .find(|r| &r[0] == section && &r[1] == key)
            .unwrap_or_else(|| panic!("{section} {key} in\n{csv}"))
            .clone()
    };
    assert_eq!(&find("documents", "book").iter().skip(4).collect::<Vec<_>>(), &["2", "3", "2", "3"]);
    assert_eq!(&find("books", "rare")[3], "Редкие книги");
    assert_eq!(&find("deliveries", "pages_delivered")[4], "2");
    let markdown = stdout(&expect_code(olke(&archive).args(["report", "--md"]), 0));
    assert!(markdown.contains("| **Барлығы · Всего** | 6 | 7 | 6 | 7 |"), "{markdown}");
    assert!(markdown.contains("| Қазақстан туралы кітаптар · Книги о Казахстане | 1 | 1 | 1 | 1 |"), "{markdown}");
    assert!(markdown.contains("| Бас тартылды · Отказано | 1 |"), "{markdown}");
    let text = stdout(&expect_code(olke(&archive).arg("report"), 0));
    assert!(
        text.lines().any(|l| l.starts_with("Газет мақалалары · Газетные статьи")
            && l.split_whitespace().rev().take(4).all(|n| n == "1")),
        "{text}"
    );

    // The chart: one bar a month, this month's as tall as its pages.
    let chart = tmp.path().join("pages.svg");
    expect_code(olke(&archive).args(["report", "--chart"]).arg(&chart), 0);
    let svg = fs::read_to_string(&chart).unwrap();
    let bars: Vec<(u32, u64)> = svg
        .lines()
        .filter(|l| l.starts_with("<rect class=\"bar\""))
        .map(|l| {
            let attribute =
                |name: &str| l.split(&format!("{name}=\"")).nth(1).unwrap().split('"').next().unwrap().to_string();
            (attribute("data-month").parse().unwrap(), attribute("data-pages").parse().unwrap())
        })
        .collect();
    assert_eq!(bars.len(), 12);
    assert_eq!(bars.iter().map(|b| b.1).collect::<Vec<_>>(), months);
    let mut xml = quick_xml::Reader::from_str(&svg);
    while xml.read_event().unwrap_or_else(|e| panic!("the chart is not well-formed XML: {e}\n{svg}"))
        != quick_xml::events::Event::Eof
    {}
    let wrong = expect_code(olke(&archive).args(["report", "--chart", "pages.png"]), 2);
    assert!(stderr(&wrong).contains("the chart is drawn as SVG"), "{}", stderr(&wrong));
}
