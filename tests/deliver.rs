//! `olke deliver` and `olke requests` end to end, on an archive built from a manifest
//! batch of rendered pages: copies read back with poppler (page count, cover text, the
//! text layer of the delivered pages), refusals by rights, the request register, and
//! downsampling for email.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use olke::testkit::fixtures::texts;
use serde_json::Value;

const LIBRARY: &str = "[library]\n\
    name_kk = \"Балқаш қалалық кітапханасы\"\n\
    name_ru = \"Балхашская городская библиотека\"\n\
    address_kk = \"Балқаш қ., Абай көшесі, 10\"\n\
    address_ru = \"г. Балхаш, ул. Абая, 10\"\n";

/// A five-page excerpt of an in-copyright book of 20 printed pages whose scans start at
/// printed page 6; a public-domain newspaper article from a scanner's JPEG; a two-page
/// in-copyright article.
fn fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "deliver-fixture", |batch, archive| {
        for (i, paragraph) in texts::KAZAKH[..5].iter().enumerate() {
            scan(batch, &format!("tom6-p{}.png", i + 1), &[paragraph], Saved::Png);
        }
        scan(batch, "gazeta.jpg", &texts::RUSSIAN[..2], Saved::Jpeg(95));
        scan(batch, "pulse-1.png", &texts::KAZAKH[5..6], Saved::Png);
        scan(batch, "pulse-2.png", &texts::KAZAKH[..1], Saved::Png);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,source,date,issue,source_pages,place,publisher,year,language,rights,first_page_number\n\
             tom6-p*.png,tom-6,book,Балқаш өңірінің тарихы. 6-том,\"Сейітов, Б.\",,,,20,Балқаш,Өнер,1998,kaz,in_copyright,6\n\
             gazeta.jpg,gazeta,newspaper_article,Медный город,\"Иванов, И. И.\",Балхашский рабочий,1968-04-12,44,2,,,,rus,public_domain,\n\
             pulse-*.png,pulse,newspaper_article,Ағыбай батыр,\"Шөженов, Ж.\",Пульс,2019-07-12,28,4-5,,,,kaz,in_copyright,\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        fs::write(archive.join("olke.toml"), LIBRARY).unwrap();
    })
}

fn deliver(archive: &Path, args: &[&str]) -> Command {
    let mut command = olke(archive);
    command.arg("deliver").args(args);
    command
}

fn register(archive: &Path) -> Vec<Value> {
    json(&expect_code(olke(archive).args(["requests", "--json"]), 0)).as_array().unwrap().clone()
}

#[test]
fn printed_pages_are_delivered_behind_a_cover_with_their_text_layer() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let out = tmp.path().join("copy.pdf");
    let output = expect_code(
        deliver(
            &archive,
            &[
                "tom-6",
                "--pages",
                "7-9",
                "--requester",
                "Асқар Сейітов <askar@example.kz>",
                "--purpose",
                "Диссертация",
                "--json",
                "--out",
            ],
        )
        .arg(&out),
        0,
    );
    let result = json(&output);
    assert_eq!(result["request"]["number"], 1);
    assert_eq!(result["request"]["status"], "delivered");
    assert_eq!(result["copy"]["pages"], 3);
    assert_eq!(result["copy"]["bytes"], fs::metadata(&out).unwrap().len());

    // The cover and the three pages; a valid file.
    assert_eq!(pdf_pages(&out), 4);
    qpdf_check(&out);
    let cover = normalize(&pdftotext_pages(&out, 1, 1));
    let today = chrono::Local::now().format("%d.%m.%Y").to_string();
    for expected in [
        "Балқаш қалалық кітапханасы",
        "Балхашская городская библиотека",
        "г. Балхаш, ул. Абая, 10",
        "Сұраныс № 1 · Запрос № 1",
        &format!("Күні · Дата: {today}"),
        "Тапсырыс беруші · Заказчик: Асқар Сейітов <askar@example.kz>",
        "Мақсаты · Цель: Диссертация",
        &normalize(&citation(&archive, "tom-6")),
        "Берілген беттер · Выданные страницы: 7–9 (басылымдағы нөмірлер · печатные номера; PDF 2–4), 3 бет · стр.",
        "Фрагмент книги, охраняемой авторским правом.",
    ] {
        assert!(cover.contains(expected), "cover lacks «{expected}»:\n{cover}");
    }

    // Printed pages 7–9 are PDF pages 2–4 of the archived book, their text intact.
    for (delivered, archived) in [(2, 2), (3, 3), (4, 4)] {
        let text = pdftotext_pages(&out, delivered, delivered);
        let recognized =
            stdout(&expect_code(olke(&archive).args(["text", "tom-6", "--page", &archived.to_string()]), 0));
        assert!(!recognized.trim().is_empty());
        assert_eq!(normalize(&text), normalize(&recognized), "page {delivered} of the copy");
    }
    // Not the pages before or after.
    let first = stdout(&expect_code(olke(&archive).args(["text", "tom-6", "--page", "1"]), 0));
    assert!(!normalize(&pdftotext_raw(&out)).contains(&normalize(&first)));

    // The default file name carries the request number.
    expect_code(
        deliver(&archive, &["gazeta", "--requester", "Иванов И. И. <ivanov@mail.kz>"]).current_dir(tmp.path()),
        0,
    );
    assert_eq!(pdf_pages(&tmp.path().join("request-0002-gazeta.pdf")), 2);
}

#[test]
fn rights_decide_and_every_request_is_registered() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let out = tmp.path().join("copy.pdf");
    let requester = ["--requester", "Асқар Сейітов <askar@example.kz>"];

    // 20% of the book's 20 pages is 4 pages: printed pages 6–10 are five.
    let refused = expect_code(deliver(&archive, &["tom-6", "--pages", "6-10", "--out"]).arg(&out).args(requester), 1);
    assert!(
        stderr(&refused).contains("request № 1 refused: «Балқаш өңірінің тарихы. 6-том» is in copyright: one reader may have at most 4 of its 20 pages (20%), and pages 6–10 are 5"),
        "{}",
        stderr(&refused)
    );
    assert!(!out.exists(), "nothing is written for a refused request");
    expect_code(deliver(&archive, &["tom-6", "--pages", "6-9", "--out"]).arg(&out).args(requester), 0);
    assert_eq!(pdf_pages(&out), 5);
    // An article in copyright may go whole.
    expect_code(deliver(&archive, &["pulse", "--out"]).arg(tmp.path().join("pulse.pdf")).args(requester), 0);
    assert_eq!(pdf_pages(&tmp.path().join("pulse.pdf")), 3);

    // The limits are the archive's settings.
    fs::write(archive.join("olke.toml"), format!("{LIBRARY}[delivery]\nbook_percent = 10\nwhole_articles = false\n"))
        .unwrap();
    let refused = expect_code(deliver(&archive, &["tom-6", "--pages", "6-8"]).args(requester), 1);
    assert!(stderr(&refused).contains("at most 2 of its 20 pages (10%)"), "{}", stderr(&refused));
    let refused = expect_code(deliver(&archive, &["pulse"]).args(requester), 1);
    assert!(
        stderr(&refused).contains("«Ағыбай батыр» is in copyright, and articles in copyright are not delivered"),
        "{}",
        stderr(&refused)
    );
    // Public domain: any range.
    expect_code(deliver(&archive, &["gazeta", "--out"]).arg(tmp.path().join("gazeta.pdf")).args(requester), 0);

    // The register: number, date, requester, document, pages, outcome; a file each.
    let entries = register(&archive);
    let summary: Vec<(u64, &str, &str, u64, u64, &str)> = entries
        .iter()
        .map(|r| {
            (
                r["number"].as_u64().unwrap(),
                r["document"].as_str().unwrap(),
                r["status"].as_str().unwrap(),
                r["pages"]["first"].as_u64().unwrap(),
                r["pages"]["last"].as_u64().unwrap(),
                r["pages"]["numbering"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            (1, "tom-6", "refused", 6, 10, "printed"),
            (2, "tom-6", "delivered", 6, 9, "printed"),
            (3, "pulse", "delivered", 1, 2, "pdf"),
            (4, "tom-6", "refused", 6, 8, "printed"),
            (5, "pulse", "refused", 1, 2, "pdf"),
            (6, "gazeta", "delivered", 1, 1, "pdf"),
        ]
    );
    for entry in &entries {
        assert_eq!(entry["requester"], serde_json::json!({"name": "Асқар Сейітов", "email": "askar@example.kz"}));
        assert!(entry["filed"].as_str().unwrap().starts_with(&chrono::Utc::now().format("%Y-").to_string()));
        let file = archive.join("requests").join(format!("{:04}.json", entry["number"].as_u64().unwrap()));
        assert_eq!(&serde_json::from_slice::<Value>(&fs::read(file).unwrap()).unwrap(), entry);
    }
    assert!(entries[0]["reason"].as_str().unwrap().contains("at most 4 of its 20 pages"));
    assert_eq!(entries[1]["file"], out.display().to_string());
    assert_eq!(entries[1]["bytes"], fs::metadata(&out).unwrap().len());

    let listed = stdout(&expect_code(olke(&archive).arg("requests"), 0));
    assert!(listed.contains("6 requests: 3 delivered, 3 refused, 0 waiting"), "{listed}");
    assert!(listed.lines().any(|l| l.starts_with("№ 4") && l.contains("refused: «Балқаш")), "{listed}");
    let year = chrono::Local::now().format("%Y").to_string();
    assert_eq!(
        json(&expect_code(olke(&archive).args(["requests", "--json", "--year", &year]), 0)).as_array().unwrap().len(),
        6
    );
    assert_eq!(
        json(&expect_code(olke(&archive).args(["requests", "--json", "--year", "2000"]), 0)),
        serde_json::json!([])
    );

    // The files are the register: a lost catalogue is rebuilt from them, numbering goes on.
    fs::remove_dir_all(archive.join("catalog")).unwrap();
    let result = json(&expect_code(
        deliver(&archive, &["gazeta", "--json", "--out"]).arg(tmp.path().join("again.pdf")).args(requester),
        0,
    ));
    assert_eq!(result["request"]["number"], 7);
    assert_eq!(register(&archive).len(), 7);
}

#[test]
fn bad_requests_are_named_and_not_registered() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let requester = ["--requester", "Асқар Сейітов <askar@example.kz>"];
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["nothing"], "no document 'nothing' in the archive"),
        (
            vec!["tom-6", "--pages", "9-7"],
            "--pages: page range '9-7' does not parse: expected a page (4) or a range (46-65)",
        ),
        (vec!["tom-6", "--pages", "11-12"], "pages 11–12 are not in tom-6: it has printed pages 6–10"),
        (vec!["gazeta", "--pages", "2"], "page 2 is not in gazeta: it has page 1"),
        (vec!["gazeta", "--max-mb", "0"], "--max-mb 0: expected a size in megabytes above 0"),
    ];
    for (args, message) in cases {
        let output = expect_code(deliver(&archive, &args).args(requester), 2);
        assert!(stderr(&output).contains(message), "{args:?}: {}", stderr(&output));
    }
    for (requester, message) in [
        ("askar@example.kz", "expected \"Name <email>\""),
        ("Асқар <askar@example>", "not an email address"),
        ("Асқар <askar.example.kz>", "not an email address"),
    ] {
        let output = expect_code(&mut deliver(&archive, &["gazeta", "--requester", requester]), 2);
        assert!(stderr(&output).contains(message), "{requester}: {}", stderr(&output));
    }
    assert_eq!(register(&archive).len(), 0, "usage errors file no request");
}

/// Width of the first image `pdfimages -list` reports on PDF page `page`.
fn image_width(pdf: &Path, page: u32) -> u64 {
    let output =
        run(Command::new("pdfimages").args(["-list", "-f", &page.to_string(), "-l", &page.to_string()]).arg(pdf));
    let listing = stdout(&output);
    let row = listing.lines().nth(2).unwrap_or_else(|| panic!("no image on page {page}:\n{listing}"));
    row.split_whitespace().nth(3).unwrap().parse().unwrap()
}

#[test]
fn max_mb_downsamples_page_images_until_the_copy_fits() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let requester = ["--requester", "Асқар Сейітов <askar@example.kz>"];
    let full = tmp.path().join("full.pdf");
    expect_code(deliver(&archive, &["gazeta", "--out"]).arg(&full).args(requester), 0);
    let full_bytes = fs::metadata(&full).unwrap().len();
    let archived = archive.join("documents/gazeta/gazeta.pdf");
    assert_eq!(image_width(&full, 2), image_width(&archived, 1), "without a limit the scan is copied as it is");

    let limit_mb = full_bytes as f64 * 0.5 / (1024.0 * 1024.0);
    let small = tmp.path().join("small.pdf");
    let output = expect_code(
        deliver(&archive, &["gazeta", "--json", "--max-mb", &format!("{limit_mb:.4}"), "--out"])
            .arg(&small)
            .args(requester),
        0,
    );
    let copy = &json(&output)["copy"];
    assert_eq!(copy["downsampled"], true);
    assert_eq!(copy["within_limit"], true);
    let small_bytes = fs::metadata(&small).unwrap().len();
    assert_eq!(copy["bytes"], small_bytes);
    assert!((small_bytes as f64) <= limit_mb * 1024.0 * 1024.0, "{small_bytes} bytes over {limit_mb} MB");
    qpdf_check(&small);
    assert_eq!(pdf_pages(&small), 2);
    // Still the same searchable text.
    assert_eq!(normalize(&pdftotext_pages(&small, 2, 2)), normalize(&pdftotext_pages(&full, 2, 2)));
    assert!(!normalize(&pdftotext_pages(&small, 2, 2)).is_empty());

    // A limit no image size meets: the smallest copy, and a warning saying so.
    let tiny = tmp.path().join("tiny.pdf");
    let output =
        expect_code(deliver(&archive, &["gazeta", "--max-mb", "0.001", "--out"]).arg(&tiny).args(requester), 0);
    assert!(stderr(&output).contains("over the 0.001 MB asked"), "{}", stderr(&output));
    assert!(
        image_width(&tiny, 2) < image_width(&small, 2).max(image_width(&full, 2)) / 2,
        "the last step keeps a quarter of the pixels"
    );
}

#[test]
fn the_share_of_a_book_is_counted_per_reader_across_requests() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let askar = ["--requester", "Асқар Сейітов <askar@example.kz>"];
    let askar_again = ["--requester", "А. Сейітов <ASKAR@Example.kz>"];
    let bota = ["--requester", "Бота Сейітова <bota@example.kz>"];
    let copy = |name: &str| tmp.path().join(format!("{name}.pdf"));

    // 20% of the book's 20 pages is 4: two requests of two pages each reach it.
    expect_code(deliver(&archive, &["tom-6", "--pages", "6-7", "--out"]).arg(copy("a")).args(askar), 0);
    expect_code(deliver(&archive, &["tom-6", "--pages", "8-9", "--out"]).arg(copy("b")).args(askar), 0);
    let refused =
        expect_code(deliver(&archive, &["tom-6", "--pages", "10", "--out"]).arg(copy("c")).args(askar_again), 1);
    assert!(
        stderr(&refused).contains("4 were delivered to this reader already, so 0 more may be"),
        "the same email in another case is the same reader: {}",
        stderr(&refused)
    );
    assert!(!copy("c").exists());
    // Pages received before count once.
    expect_code(deliver(&archive, &["tom-6", "--pages", "7-8", "--out"]).arg(copy("d")).args(askar), 0);
    // Another reader has a share of their own.
    expect_code(deliver(&archive, &["tom-6", "--pages", "10", "--out"]).arg(copy("e")).args(bota), 0);

    let history = json(&expect_code(olke(&archive).args(["requests", "--requester", "Askar@example.kz", "--json"]), 0));
    let statuses: Vec<&str> = history.as_array().unwrap().iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, ["delivered", "delivered", "refused", "delivered"], "one reader's history");
}
