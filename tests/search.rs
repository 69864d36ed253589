//! `olke search` and `olke reindex` through the real binary, on archives of known text
//! filed without OCR, and one end-to-end check through a real `olke ingest`.

mod common;

use std::fs;
use std::path::Path;

use common::*;
use olke::archive::Archive;
use olke::catalog::Catalog;
use olke::record::{Bibliographic, DocumentType};
use olke::testkit::fixtures::{self, file_text_document, recognized_page, text_record};

/// Inflected Kazakh forms and the base form each must find: plural, possessive and case
/// endings in every harmony, stacked; consonant alternation (кітап → кітабы), dropped
/// vowels (халық → халқы), derivational -шы and -лық, names and places.
const KAZAKH: &[(&str, &str)] = &[
    ("кітапханаларымыздың", "кітапхана"),
    ("кітапханашылар", "кітапхана"),
    ("қаласының", "қала"),
    ("қалалардағы", "қала"),
    ("көшесіндегі", "көше"),
    ("көшелерге", "көше"),
    ("ауылдарында", "ауыл"),
    ("ауылдың", "ауыл"),
    ("облысының", "облыс"),
    ("облыстық", "облыс"),
    ("ауданынан", "аудан"),
    ("мектебіне", "мектеп"),
    ("мектептерде", "мектеп"),
    ("кітабының", "кітап"),
    ("кітаптарымыз", "кітап"),
    ("газеттерінде", "газет"),
    ("журналдарда", "журнал"),
    ("мұрағаттағы", "мұрағат"),
    ("құжаттарын", "құжат"),
    ("халқымыздың", "халық"),
    ("халықтың", "халық"),
    ("жерлерінде", "жер"),
    ("еліміздің", "ел"),
    ("тарихымыздың", "тарих"),
    ("тарихына", "тарих"),
    ("соғысқа", "соғыс"),
    ("соғыстан", "соғыс"),
    ("ардагерлеріне", "ардагер"),
    ("ақындарымыздың", "ақын"),
    ("жазушылармен", "жазушы"),
    ("өзенінің", "өзен"),
    ("көлдің", "көл"),
    ("кеніштерінен", "кеніш"),
    ("зауыттың", "зауыт"),
    ("құрылысшылары", "құрылыс"),
    ("мұғалімдеріміз", "мұғалім"),
    ("оқушыларға", "оқушы"),
    ("студенттерімен", "студент"),
    ("ғалымдардың", "ғалым"),
    ("театрында", "театр"),
    ("музейіне", "музей"),
    ("кеңесінің", "кеңес"),
    ("жолдасының", "жолдас"),
    ("жылдары", "жыл"),
    ("басылымдарында", "басылым"),
    ("естеліктерінен", "естелік"),
    ("суреттері", "сурет"),
    ("Балқаштағы", "Балқаш"),
    ("Қарағандыдан", "Қарағанды"),
    ("Әуезовтің", "Әуезов"),
];

/// Inflected Russian forms and their base forms (Snowball, after ё→е).
const RUSSIAN: &[(&str, &str)] = &[
    ("библиотеками", "библиотека"),
    ("библиотеке", "библиотека"),
    ("городами", "город"),
    ("районного", "районный"),
    ("областного", "областной"),
    ("озере", "озеро"),
    ("истории", "история"),
    ("писателей", "писатель"),
    ("поэтов", "поэт"),
    ("газетах", "газета"),
    ("журналов", "журнал"),
    ("ветеранам", "ветеран"),
    ("войны", "война"),
    ("документами", "документ"),
    ("архиве", "архив"),
    ("улицах", "улица"),
    ("студентами", "студент"),
    ("строителей", "строитель"),
    ("месторождения", "месторождение"),
    ("воспоминаниях", "воспоминание"),
    ("читателям", "читатель"),
    ("краеведению", "краеведение"),
    ("рудника", "рудник"),
    ("заводе", "завод"),
    ("комбината", "комбинат"),
    ("учёных", "ученый"),
    ("Балхаша", "Балхаш"),
];

fn bib(title: &str) -> Bibliographic {
    Bibliographic { title: title.to_string(), ..Default::default() }
}

/// Files documents of known text, one page each unless the text has form feeds.
fn file(archive: &Path, documents: &[(String, Bibliographic, String)]) {
    let archive = Archive::new(archive);
    archive.create_layout().unwrap();
    let catalog = Catalog::open(&archive).unwrap();
    for (id, bib, text) in documents {
        let pages: Vec<_> = text.split('\x0c').map(recognized_page).collect();
        let record = text_record(id, bib.clone(), &pages);
        file_text_document(&archive, &catalog, &record, &pages).unwrap();
    }
    catalog.flush().unwrap();
}

fn reindex(archive: &Path) {
    let report = json(&expect_code(olke(archive).args(["reindex", "--json"]), 0));
    assert!(report["pages"].as_u64().unwrap() > 0, "{report}");
}

fn search(archive: &Path, args: &[&str]) -> serde_json::Value {
    json(&expect_code(olke(archive).arg("search").args(args).arg("--json"), 0))
}

fn ids(results: &serde_json::Value) -> Vec<String> {
    results["hits"].as_array().unwrap().iter().map(|h| h["id"].as_str().unwrap().to_string()).collect()
}

fn pages_of(results: &serde_json::Value, id: &str) -> Vec<u64> {
    let hit = results["hits"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["id"] == id)
        .unwrap_or_else(|| panic!("{id} not in {results}"));
    hit["pages"].as_array().unwrap().iter().map(|p| p.as_u64().unwrap()).collect()
}

/// The words a snippet marks, from its text and character ranges.
fn marked_words(snippet: &serde_json::Value) -> Vec<String> {
    let text: Vec<char> = snippet["text"].as_str().unwrap().chars().collect();
    snippet["highlights"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| text[r[0].as_u64().unwrap() as usize..r[1].as_u64().unwrap() as usize].iter().collect())
        .collect()
}

/// Each word in a sentence of its language, so it is analysed as that language.
fn sentence(word: &str, kazakh: bool) -> String {
    if kazakh {
        format!("Бұл жазбада {word} сөзі бірнеше рет кездеседі және оқырманға түсінікті.")
    } else {
        format!("В этой заметке слово {word} встречается несколько раз и понятно читателю.")
    }
}

/// Share of `pairs` where searching one form finds the document with the other, both
/// ways: the inflected form finds the base form, and the base form the inflected one.
fn recall(archive: &Path, label: &str, pairs: &[(&str, &str)]) -> f64 {
    let mut found = 0;
    let mut missed = Vec::new();
    for (n, (inflected, base)) in pairs.iter().enumerate() {
        for (query, target) in [(inflected, format!("{label}-base-{n}")), (base, format!("{label}-form-{n}"))] {
            let results = search(archive, &[query, "--limit", "200"]);
            if ids(&results).contains(&target) {
                found += 1;
            } else {
                missed.push(format!("{query} → {target}"));
            }
        }
    }
    let rate = found as f64 / (2 * pairs.len()) as f64;
    println!(
        "{label}: {} pairs, recall {:.1}% ({found} of {} searches){}",
        pairs.len(),
        rate * 100.0,
        2 * pairs.len(),
        if missed.is_empty() { String::new() } else { format!("; missed: {}", missed.join(", ")) }
    );
    rate
}

#[test]
fn inflected_kazakh_and_russian_forms_find_their_base_forms() {
    assert!(KAZAKH.len() >= 40 && RUSSIAN.len() >= 20);
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    let mut documents = Vec::new();
    for (label, pairs, kazakh) in [("kaz", KAZAKH, true), ("rus", RUSSIAN, false)] {
        for (n, (inflected, base)) in pairs.iter().enumerate() {
            documents.push((format!("{label}-base-{n}"), bib(&format!("{label} {n}")), sentence(base, kazakh)));
            documents.push((format!("{label}-form-{n}"), bib(&format!("{label} {n}")), sentence(inflected, kazakh)));
        }
    }
    file(&archive, &documents);
    reindex(&archive);
    let kazakh = recall(&archive, "kaz", KAZAKH);
    let russian = recall(&archive, "rus", RUSSIAN);
    assert!(kazakh >= 0.95, "Kazakh recall {:.1}% under 95%", kazakh * 100.0);
    assert!(russian >= 0.95, "Russian recall {:.1}% under 95%", russian * 100.0);

    // Stemming does not merge everything: a word finds only the documents of its family.
    let results = search(&archive, &["кітапханаларымыздың", "--limit", "200"]);
    let mut found = ids(&results);
    found.sort();
    assert_eq!(found, ["kaz-base-0", "kaz-base-1", "kaz-form-0", "kaz-form-1"]);
}

/// A small library: a Kazakh book, a Russian newspaper article, a bilingual journal article.
fn library(archive: &Path) {
    let book = Bibliographic {
        kind: Some(DocumentType::Book),
        authors: vec!["Әуезов, М. О.".into()],
        year: Some(1968),
        collections: vec!["Өлкетану".into()],
        source: Some("Балқаш өңірі".into()),
        ..bib("Балқаш мыс кенішінің тарихы")
    };
    let book_text = [
        "Балқаш қаласы көлдің солтүстік жағалауында орналасқан. Мыс кеніші отызыншы жылдары ашылды.",
        "Бұл бетте басқа тақырып: оқушылар мен мұғалімдер туралы естеліктер.",
        "Кеніші жоқ жерде мыс табылмайды деген сөз бар. Кітап-\nханада сақталған құжаттар.",
    ]
    .join("\x0c");
    let article = Bibliographic {
        kind: Some(DocumentType::NewspaperArticle),
        authors: vec!["Петров, И. С.".into()],
        date: Some("1985-05-09".into()),
        collections: vec!["Периодика".into()],
        source: Some("Балхашский рабочий".into()),
        ..bib("Медный рудник и его люди")
    };
    let article_text = "Медный рудник был открыт в тридцатые годы. Ветераны рудника вспоминают строителей города.\n\n\
                        Библиотека собирает воспоминания ветеранов.";
    let journal =
        Bibliographic {
            kind: Some(DocumentType::JournalArticle), year: Some(2001), ..bib("Өлкетану жұмысы")
        };
    let journal_text = "Кітапханамыздың өлкетану бөлімі кiтапханашылар жұмысы туралы айтады.\n\n\
                        Отдел краеведения нашей библиотеки собирает старые газеты и журналы.";
    // The same text under two titles: only the title can rank one over the other.
    let river = "Жазда Ертіс жағасында балықшылар көп болады.";
    file(
        archive,
        &[
            ("kitap".into(), book, book_text),
            ("gazeta".into(), article, article_text.into()),
            ("zhurnal".into(), journal, journal_text.into()),
            ("ertis-a".into(), bib("Жаз туралы"), river.into()),
            ("ertis-b".into(), bib("Ертіс өзені"), river.into()),
        ],
    );
    reindex(archive);
}

#[test]
fn phrases_prefixes_and_operators() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    library(&archive);

    // A phrase matches the words in a row only: page 1 has «мыс кеніші», page 3 both
    // words apart. The words alone find both pages.
    let phrase = search(&archive, &["\"мыс кеніші\""]);
    assert_eq!(ids(&phrase), ["kitap"]);
    assert_eq!(pages_of(&phrase, "kitap"), [1]);
    assert_eq!(pages_of(&search(&archive, &["мыс кеніші"]), "kitap"), [1, 3]);
    // In an inflected form too.
    assert_eq!(pages_of(&search(&archive, &["\"мыс кенішінің\""]), "kitap"), [1]);

    // Prefixes match the word as written, whatever its ending.
    let prefix = search(&archive, &["кітапхан*"]);
    assert_eq!(sorted(ids(&prefix)), ["kitap", "zhurnal"]);
    assert_eq!(pages_of(&prefix, "kitap"), [3], "the hyphenated «Кітап-хана» is joined");

    assert_eq!(ids(&search(&archive, &["мыс OR рудник"])).len(), 2);
    assert_eq!(ids(&search(&archive, &["мыс AND рудник"])).len(), 0);
    assert_eq!(ids(&search(&archive, &["(мыс OR рудник) NOT ветераны"])), ["kitap"]);
    assert_eq!(ids(&search(&archive, &["рудник -Балқаш"])), ["gazeta"]);

    // The snippet shows the match, marked.
    let results = search(&archive, &["рудника"]);
    let snippet = &results["hits"][0]["snippet"];
    let marked = marked_words(snippet);
    assert!(marked.contains(&"рудник".to_string()) && marked.contains(&"рудника".to_string()), "{marked:?}");
    // «рудника» is sought by two stems (рудник, рудн): its range is given once all the same.
    let ranges = snippet["highlights"].as_array().unwrap();
    assert!(ranges.windows(2).all(|pair| pair[0] != pair[1]), "{ranges:?}");

    // People read the same, with the match between markers.
    let human = stdout(&expect_code(olke(&archive).args(["search", "рудника"]), 0));
    assert!(
        human.contains("**рудника**") && human.contains("gazeta") && human.contains("Медный рудник и его люди"),
        "{human}"
    );
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

#[test]
fn filters_titles_authors_and_look_alikes() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    library(&archive);

    // кітапхана is on a page of the book, and in both languages of the journal.
    let all = || vec!["кітапхана OR библиотека"];
    let with = |extra: &[&str]| -> Vec<String> {
        let mut args = all();
        args.extend_from_slice(extra);
        sorted(ids(&search(&archive, &args)))
    };
    assert_eq!(with(&[]), ["gazeta", "kitap", "zhurnal"]);
    assert_eq!(with(&["--year", "1960..1970"]), ["kitap"]);
    assert_eq!(with(&["--year", "1985"]), ["gazeta"], "the year of the date");
    assert_eq!(with(&["--year", "1990.."]), ["zhurnal"]);
    assert_eq!(with(&["--type", "newspaper-article"]), ["gazeta"]);
    assert_eq!(with(&["--type", "book", "--type", "journal_article"]), ["kitap", "zhurnal"]);
    assert_eq!(with(&["--collection", "өлкетану"]), ["kitap"]);
    assert_eq!(with(&["--source", "балхашский рабочий"]), ["gazeta"]);
    assert_eq!(with(&["--lang", "rus"]), ["gazeta", "zhurnal"], "the journal has a Russian paragraph");
    assert_eq!(with(&["--lang", "kk", "--year", "..2000"]), ["kitap"]);

    // A title or an author finds the document, ranked over a mention in the text, and
    // says so when the pages themselves do not have the word.
    let author = search(&archive, &["Әуезовтің"]);
    assert_eq!(ids(&author), ["kitap"]);
    assert_eq!(pages_of(&author, "kitap"), Vec::<u64>::new());
    assert!(author["hits"][0]["snippet"].is_null());
    assert_eq!(ids(&search(&archive, &["людях"])), ["gazeta"], "a word of the title only");
    assert_eq!(ids(&search(&archive, &["Ертіске"])), ["ertis-b", "ertis-a"], "the title match first");

    // OCR's Latin «i» in «кiтапханашылар» and a user's Latin «i» both fold to «і».
    assert_eq!(ids(&search(&archive, &["кітапханашы*"])), ["zhurnal"]);
    assert_eq!(ids(&search(&archive, &["кiтапханашы*"])), ["zhurnal"]);

    // Pages of results.
    let first = search(&archive, &["кітапхана OR библиотека", "--limit", "2"]);
    let rest = search(&archive, &["кітапхана OR библиотека", "--limit", "2", "--offset", "2"]);
    assert_eq!(first["total"], 3);
    assert_eq!(ids(&first).len() + ids(&rest).len(), 3);
    assert!(ids(&rest).iter().all(|id| !ids(&first).contains(id)));
}

#[test]
fn bad_queries_exit_2_with_a_message_and_never_panic() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    library(&archive);
    let long = "қала ".repeat(2000);
    for (query, says) in [
        ("Балқаш \"мыс кеніші", "never closed"),
        ("AND", "nothing before"),
        ("мыс OR", "nothing after"),
        ("NOT", "nothing after"),
        ("NOT мыс", "only excludes"),
        ("(мыс", "never closed"),
        ("мыс)", "no ("),
        ("к*", "prefix"),
        (long.as_str(), "limit is 1000"),
        ("— …", "no words"),
    ] {
        let output = expect_code(olke(&archive).args(["search", query]), 2);
        let err = stderr(&output);
        assert!(err.contains("bad query") && err.contains(says), "{query:.40}: {err}");
        assert!(!err.contains("panicked"), "{err}");
        assert!(stdout(&output).is_empty());
    }
    let output = expect_code(olke(&archive).args(["search", "Балқаш \"мыс"]), 2);
    assert!(
        stderr(&output).contains("  Балқаш \"мыс\n         ^"),
        "the faulty quote is pointed at: {}",
        stderr(&output)
    );
    for args in [["мыс", "--year", "сорок"], ["мыс", "--lang", "deu"], ["мыс", "--type", "poster"]] {
        expect_code(olke(&archive).arg("search").args(args), 2);
    }
}

#[test]
fn search_reads_while_another_process_writes_and_ingest_repairs_the_index() {
    let tmp = tempfile::tempdir().unwrap();
    let archive_dir = tmp.path().join("archive");
    library(&archive_dir);
    let archive = Archive::new(&archive_dir);

    {
        // Hold what an ingest holds: the archive lock and the index writer, with a
        // change not yet committed.
        let _lock = archive.lock().unwrap();
        let mut updater = olke::index::Updater::open(&archive, 1).unwrap();
        updater.remove("kitap");
        let results = search(&archive_dir, &["мыс"]);
        assert_eq!(ids(&results), ["kitap"], "readers see the last commit");
        expect_code(olke(&archive_dir).arg("reindex"), 1);
    }

    // A crash that lost the index: search says what to do, the next ingest rebuilds it.
    fs::remove_dir_all(archive.index_dir()).unwrap();
    let output = expect_code(olke(&archive_dir).args(["search", "мыс"]), 1);
    assert!(stderr(&output).contains("olke reindex"), "{}", stderr(&output));
    let empty = tmp.path().join("empty-batch");
    fs::create_dir_all(&empty).unwrap();
    let report = json(&expect_code(olke(&archive_dir).args(["ingest", "--json"]).arg(&empty), 0));
    assert_eq!(report["reindexed"], 5);
    assert_eq!(ids(&search(&archive_dir, &["мыс"])), ["kitap"]);
}

#[test]
fn ingest_indexes_what_it_recognized() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("batch");
    fs::create_dir_all(&batch).unwrap();
    let rendered = page(&fixtures::texts::KAZAKH[..2], 300.0);
    fixtures::write_png(&batch.join("balqash.png"), &rendered.image, 300.0).unwrap();
    let russian = page(&fixtures::texts::RUSSIAN[1..3], 300.0);
    fixtures::write_png(&batch.join("gorod.png"), &russian.image, 300.0).unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);

    // The page says «кенішінің» and «газеттердің»; «библиотеки» on the Russian page.
    let results = search(&archive, &["кеніштері"]);
    assert_eq!(ids(&results), ["balqash"]);
    assert_eq!(pages_of(&results, "balqash"), [1]);
    assert_eq!(sorted(ids(&search(&archive, &["газет"]))), ["balqash", "gorod"], "газеттердің and газет");
    assert_eq!(ids(&search(&archive, &["библиотекам", "--lang", "rus"])), ["gorod"]);
    assert_eq!(ids(&search(&archive, &["\"электронные копии\""])), ["gorod"]);
}

#[test]
fn analyze_prints_the_terms_a_text_is_indexed_under() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    let words = json(&expect_code(olke(&archive).args(["analyze", "Кітапханашыларымыздың", "--json"]), 0));
    assert_eq!(words[0]["word"], "Кітапханашыларымыздың", "{words:#}");
    assert_eq!(words[0]["lang"], "kaz");
    assert_eq!(words[0]["stems"][0], "кітапханашы");
    assert_eq!(words[0]["bases"], serde_json::json!(["кітапхана"]));
    let russian = json(&expect_code(olke(&archive).args(["analyze", "библиотеки", "--lang", "rus", "--json"]), 0));
    assert_eq!(russian[0]["lang"], "rus");
    assert_eq!(russian[0]["stems"][0], "библиотек");
    let plain = stdout(&expect_code(olke(&archive).args(["analyze", "өткізілді"]), 0));
    assert!(plain.contains("өткіз"), "{plain}");
    expect_code(olke(&archive).args(["analyze", "word", "--lang", "xx"]), 2);
}

/// A Kazakh list of new books with Russian titles in it, and a Russian note naming Kazakh
/// books: each paragraph is detected as its main language, and the other language's words
/// in it are found by their other forms all the same.
#[test]
fn russian_words_in_kazakh_paragraphs_and_kazakh_words_in_russian_ones_are_found_by_their_forms() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    let kazakh_list = "Кітапхана қорына жаңа түскен әдебиеттер тізімі. Оқырмандарымызға ұсынылатын \
                       кітаптар мен мақалалар жинағы төменде берілген.\n\
                       1. Абай. Қара сөздер. – Алматы: Жазушы, 2010. – 200 б.\n\
                       2. Иванов И. И. Книга памяти Балхаша. – Караганда, 2015. – 300 с.\n\
                       3. Петрова А. Карантин и здоровье: сборник статей. – Алматы, 2020. – 120 с.\n\
                       4. Сейфуллин С. Тар жол, тайғақ кешу. – Астана, 2005. – 400 б.";
    let russian_note = "В фонд библиотеки поступили новые издания на казахском языке. Среди них \
                        сборник «Өлкетану мұралары» и книга о городе, которую читатели давно ждали.";
    file(
        &archive,
        &[
            ("tizim".into(), bib("Жаңа әдебиеттер"), kazakh_list.into()),
            ("zametka".into(), bib("Новые поступления"), russian_note.into()),
        ],
    );
    reindex(&archive);
    // The Russian words of the Kazakh list, in forms the list does not have.
    for query in ["книги", "книгу", "карантина", "статья", "сборники"] {
        assert!(
            ids(&search(&archive, &[query])).contains(&"tizim".to_string()),
            "{query} does not find the Kazakh list"
        );
    }
    // A Russian phrase inside the Kazakh paragraph is still a phrase.
    assert_eq!(ids(&search(&archive, &["\"книгу памяти\""])), ["tizim"]);
    assert!(ids(&search(&archive, &["\"памяти книгу\""])).is_empty());
    // The Kazakh words of the Russian note, in other Kazakh forms.
    for query in ["өлкетану", "мұрасы"] {
        assert_eq!(ids(&search(&archive, &[query])), ["zametka"], "{query}");
    }
    // The Kazakh words of the list are still Kazakh: «сөздері» finds «сөздер».
    assert_eq!(ids(&search(&archive, &["сөздері"])), ["tizim"]);
    // The snippet marks the Russian word the query found in the Kazakh list.
    let results = search(&archive, &["карантина"]);
    let snippet = &results["hits"][0]["snippet"];
    let marked = marked_words(snippet);
    assert_eq!(marked, ["Карантин"], "{snippet}");
}

/// Words side by side are each somewhere in the document, not necessarily on one page;
/// documents with a page holding them all come first; phrases stay phrases; NOT excludes a
/// document with the word on any page.
#[test]
fn words_side_by_side_match_a_document_holding_each_on_any_page() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    let spread = [
        "Балқаш қаласының тарихы туралы кітап. Қала көлдің жағасында салынған.",
        "Бұл бетте басқа әңгіме: ауыл мектебінің оқушылары туралы.",
        "Мыс кеніштері соғыс жылдары көп өнім берді.",
    ]
    .join("\x0c");
    let together =
        ["Кіріспе: өлкетану туралы бірнеше сөз.", "Балқаш кеніштерінде мыс өндірісі отызыншы жылдары басталды."]
            .join("\x0c");
    let excluded = ["Балқаш қаласы туралы естеліктер.", "Мыс туралы әңгіме.", "Театр өмірі."].join("\x0c");
    let only_one = "Балқаш көлі туралы өлең.";
    file(
        &archive,
        &[
            ("spread".into(), bib("Бірінші"), spread),
            ("together".into(), bib("Екінші"), together),
            ("excluded".into(), bib("Үшінші"), excluded),
            ("only-one".into(), bib("Төртінші"), only_one.into()),
        ],
    );
    reindex(&archive);

    let results = search(&archive, &["Балқаштың", "мысы"]);
    // The document holding both words on one page first, then those holding them apart.
    assert_eq!(ids(&results)[0], "together", "{results:#}");
    assert_eq!(sorted(ids(&results)), ["excluded", "spread", "together"]);
    assert_eq!(results["total"], 3);
    // The pages a result points to are those with a word of the query, and the snippet is
    // on the page holding them all.
    assert_eq!(pages_of(&results, "spread"), [1, 3]);
    assert_eq!(pages_of(&results, "together"), [2]);
    let together = results["hits"].as_array().unwrap().iter().find(|h| h["id"] == "together").unwrap();
    assert_eq!(together["snippet"]["page"], 2);

    // A phrase is a phrase: its words in a row, on one page.
    assert_eq!(ids(&search(&archive, &["\"Балқаш кеніштерінде мыс\""])), ["together"]);
    assert!(ids(&search(&archive, &["\"Балқаш мыс\""])).is_empty());
    // NOT holds for the whole document: «театр» is on page 3 of «excluded» only.
    assert_eq!(sorted(ids(&search(&archive, &["Балқаш", "мыс", "NOT", "театр"]))), ["spread", "together"]);
    // OR and AND mix at document level: «мектеп» is on page 2 of «spread», «мыс» on page 3.
    assert_eq!(ids(&search(&archive, &["(мектеп OR өлең) AND мыс"])), ["spread"]);
}
