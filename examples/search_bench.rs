//! The search benchmark (`bench/search.sh`): a synthetic archive the size of the library's
//! digitized fund — 7,300 documents, 58,700 pages of Kazakh and Russian text — then
//! `olke reindex` (indexing speed and index size) and 200 mixed queries, in-process and
//! through the CLI (latency).
//!
//! The text is made from the project's own sources: the words of `olke::testkit::fixtures::texts`,
//! and the word lists below, Kazakh nouns inflected with their real endings, Russian nouns
//! declined, names and places, drawn with a Zipf distribution like real text. No OCR: the
//! pages go into the catalogue as ingest would file them.
//!
//! Usage: search_bench OUT_DIR (the archive is made once in OUT_DIR/archive and reused;
//! `SEARCH_BENCH_TENTHS=1` makes it a tenth of the size, in another OUT_DIR).

use std::path::PathBuf;
use std::process::Command;
use std::time::Instant;

use olke::archive::Archive;
use olke::catalog::Catalog;
use olke::index::{Filters, SearchIndex, SearchRequest, YearRange};
use olke::record::{Bibliographic, DocumentType};
use olke::testkit::fixtures::{recognized_page, text_record, texts};

const DOCUMENTS: usize = 7_300;
const PAGES: usize = 58_700;
/// `SEARCH_BENCH_TENTHS=1` makes an archive a tenth of the size (730 documents, 5,870 pages):
/// for comparing two versions quickly; the figures quoted are of the whole size.
fn tenths() -> usize {
    std::env::var("SEARCH_BENCH_TENTHS")
        .ok()
        .and_then(|t| t.parse().ok())
        .filter(|&t| (1..=10).contains(&t))
        .unwrap_or(10)
}
/// Newspaper articles among the documents; the rest are books, which have most pages.
const ARTICLES: usize = 5_500;
const QUERIES: usize = 200;

const KAZAKH_NOUNS: &[&str] = &[
    "кітапхана",
    "қала",
    "көше",
    "ауыл",
    "облыс",
    "аудан",
    "мектеп",
    "кітап",
    "газет",
    "журнал",
    "мұрағат",
    "құжат",
    "халық",
    "жер",
    "ел",
    "тарих",
    "соғыс",
    "ардагер",
    "ақын",
    "жазушы",
    "өзен",
    "көл",
    "кеніш",
    "зауыт",
    "құрылыс",
    "мұғалім",
    "оқушы",
    "студент",
    "ғалым",
    "театр",
    "музей",
    "кеңес",
    "жолдас",
    "жыл",
    "басылым",
    "естелік",
    "сурет",
    "мыс",
    "тау",
    "дала",
    "бала",
    "ана",
    "әке",
    "отбасы",
    "үй",
    "мәдениет",
    "әдебиет",
    "өнер",
    "ғылым",
    "білім",
    "еңбек",
    "жұмыс",
    "шахта",
    "темір",
    "жол",
    "вокзал",
    "теміржол",
    "порт",
    "балық",
    "балықшы",
    "кеме",
    "су",
    "жағалау",
    "арал",
    "той",
    "мереке",
    "ескерткіш",
    "көрме",
    "конференция",
    "кездесу",
    "жиналыс",
    "комбинат",
    "бригада",
    "колхоз",
    "совхоз",
    "егін",
    "мал",
    "шопан",
    "дәрігер",
    "аурухана",
    "емхана",
    "спорт",
    "жарыс",
    "чемпион",
    "ұстаз",
    "шәкірт",
    "ұрпақ",
    "дәстүр",
    "тіл",
    "ән",
    "күй",
    "домбыра",
    "ақпарат",
    "баспасөз",
    "редакция",
    "тілші",
    "мақала",
    "хат",
    "сөз",
    "ой",
    "арман",
    "жеңіс",
    "батыр",
    "қаһарман",
    "майдан",
    "тыл",
    "өндіріс",
    "өнім",
    "жоспар",
    "қор",
    "қаржы",
    "бюджет",
    "әкімдік",
    "депутат",
    "сайлау",
    "заң",
    "құқық",
    "азамат",
];
const KAZAKH_OTHER: &[&str] = &[
    "және",
    "мен",
    "үшін",
    "туралы",
    "бойынша",
    "кейін",
    "дейін",
    "бұл",
    "осы",
    "сол",
    "бір",
    "екі",
    "үш",
    "жаңа",
    "көне",
    "үлкен",
    "кіші",
    "жақсы",
    "алғашқы",
    "соңғы",
    "жергілікті",
    "облыстық",
    "қалалық",
    "ашылды",
    "өтті",
    "келді",
    "жазды",
    "айтты",
    "сақталған",
    "жинады",
    "көрсетті",
    "болды",
    "болып",
    "табылады",
    "атты",
    "деген",
    "көп",
    "аз",
    "барлық",
];
const RUSSIAN_NOUNS: &[&str] = &[
    "город",
    "район",
    "завод",
    "комбинат",
    "рудник",
    "музей",
    "архив",
    "журнал",
    "документ",
    "студент",
    "ветеран",
    "поэт",
    "писатель",
    "учитель",
    "строитель",
    "читатель",
    "народ",
    "край",
    "берег",
    "колхоз",
    "совхоз",
    "праздник",
    "памятник",
    "концерт",
    "театр",
    "стадион",
    "вокзал",
    "порт",
    "рабочий",
    "шахтер",
    "инженер",
    "врач",
    "депутат",
    "выбор",
    "план",
    "библиотека",
    "улица",
    "школа",
    "газета",
    "история",
    "область",
    "степь",
    "война",
    "победа",
    "память",
    "встреча",
    "выставка",
    "конференция",
    "больница",
    "семья",
    "работа",
    "культура",
    "литература",
    "наука",
    "медь",
    "рыба",
    "вода",
];
const RUSSIAN_OTHER: &[&str] = &[
    "и",
    "в",
    "на",
    "с",
    "по",
    "для",
    "о",
    "из",
    "к",
    "от",
    "новый",
    "старый",
    "первый",
    "местный",
    "областной",
    "городской",
    "был",
    "была",
    "было",
    "были",
    "открыт",
    "построен",
    "прошел",
    "состоялся",
    "рассказал",
    "собрали",
    "после",
    "до",
    "этот",
];
const NAME_PARTS: (&[&str], &[&str]) = (
    &[
        "Нұр", "Сұл", "Ер", "Ас", "Бол", "Дәу", "Жан", "Қай", "Мұх", "Сә", "Тө", "Ай", "Ғал", "Қан", "Мар", "Сер",
        "Бақ", "Ораз", "Тұр", "Ал",
    ],
    &["тан", "бек", "ай", "жан", "ен", "ат", "ғали", "бай", "хан", "ым", "ар", "ғазы", "тай", "әлі"],
);
const PLACES: &[&str] = &[
    "Балқаш",
    "Қарағанды",
    "Алматы",
    "Астана",
    "Жезқазған",
    "Сарышаған",
    "Ақтоғай",
    "Шет",
    "Тоқырауын",
    "Приозерск",
    "Балхаш",
    "Караганда",
    "Семей",
    "Павлодар",
    "Шымкент",
    "Ақмола",
    "Қостанай",
    "Торғай",
    "Ертіс",
    "Іле",
    "Жетісу",
    "Сарыарқа",
];

/// splitmix64: a fixed, reproducible stream (the archive is the same on every machine).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    /// An index in 0..n drawn with Zipf's law (weight 1/(rank+1)).
    fn zipf(&mut self, n: usize) -> usize {
        let total = (n as f64).ln() + 0.5772;
        let target = (self.next() >> 11) as f64 / (1u64 << 53) as f64 * total;
        ((target - 0.5772).exp().floor() as usize).min(n - 1)
    }
}

fn back_vowels(word: &str) -> bool {
    word.chars()
        .rev()
        .find_map(|c| match c {
            'а' | 'о' | 'ұ' | 'ы' => Some(true),
            'ә' | 'е' | 'ө' | 'ү' | 'і' => Some(false),
            _ => None,
        })
        .unwrap_or(true)
}

/// A Kazakh noun with plural, possessive and case endings chosen by vowel harmony and
/// by the sound the stem ends in.
fn kazakh_form(stem: &str, rng: &mut Rng) -> String {
    let mut word = stem.to_string();
    let ending =
        |word: &str, back: &str, front: &str| if back_vowels(word) { back.to_string() } else { front.to_string() };
    let class = |word: &str| match word.chars().last().unwrap_or('а') {
        'а' | 'ә' | 'е' | 'о' | 'ө' | 'ұ' | 'ү' | 'ы' | 'і' | 'и' | 'у' | 'р' | 'й' => 0,
        'л' | 'м' | 'н' | 'ң' | 'з' | 'ж' => 1,
        _ => 2,
    };
    if rng.chance(0.25) {
        let plural = ["л", "д", "т"][class(&word)].to_string() + &ending(&word, "ар", "ер");
        word += &plural;
    }
    if rng.chance(0.3) {
        let vowel_end = class(&word) == 0 && !word.ends_with('р') && !word.ends_with('й');
        word += &ending(&word, if vowel_end { "сы" } else { "ы" }, if vowel_end { "сі" } else { "і" });
        let case = ["", "ның", "на", "нда", "нан", "н", "мен"][rng.below(7)];
        let case = if back_vowels(&word) || case == "мен" {
            case.to_string()
        } else {
            case.replace('а', "е").replace('ы', "і")
        };
        return word + &case;
    }
    let c = class(&word);
    let case = match rng.below(7) {
        0 => String::new(),
        1 => ["н", "д", "т"][c].to_string() + &ending(&word, "ың", "ің"),
        2 => ["ғ", "ғ", "қ"][c].to_string() + &ending(&word, "а", "е"),
        3 => ["д", "д", "т"][c].to_string() + &ending(&word, "а", "е"),
        4 => ["д", "д", "т"][c].to_string() + &ending(&word, "ан", "ен"),
        5 => ["н", "д", "т"][c].to_string() + &ending(&word, "ы", "і"),
        _ => ["мен", "мен", "пен"][c].to_string(),
    };
    word + &case
}

/// A Russian noun in one of its cases.
fn russian_form(noun: &str, rng: &mut Rng) -> String {
    if let Some(stem) = noun.strip_suffix('а') {
        let ending = ["а", "ы", "е", "у", "ой", "ам", "ами", "ах"][rng.below(8)];
        return format!("{stem}{ending}");
    }
    if noun.ends_with(['ь', 'й']) {
        return noun.to_string();
    }
    format!("{noun}{}", ["", "а", "у", "ом", "е", "ы", "ов", "ам", "ами", "ах"][rng.below(10)])
}

fn name(rng: &mut Rng) -> String {
    let first = format!("{}{}", rng.pick(NAME_PARTS.0), rng.pick(NAME_PARTS.1));
    let family =
        format!("{}{}{}", rng.pick(NAME_PARTS.0), rng.pick(NAME_PARTS.1), ["ов", "ев", "ұлы", "ова"][rng.below(4)]);
    format!("{first} {family}")
}

/// The words of the project's fixture texts, for the vocabulary's long tail.
fn fixture_words(paragraphs: &[&str]) -> Vec<String> {
    paragraphs
        .iter()
        .flat_map(|p| p.split_whitespace())
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()).to_string())
        .filter(|w| !w.is_empty())
        .collect()
}

struct Vocabulary {
    kazakh_fixture: Vec<String>,
    russian_fixture: Vec<String>,
}

impl Vocabulary {
    fn word(&self, kazakh: bool, rng: &mut Rng) -> String {
        match rng.below(20) {
            0 => name(rng),
            1 => rng.pick(PLACES).to_string(),
            2 => (1900 + rng.below(120)).to_string(),
            3..=5 => {
                let fixture = if kazakh { &self.kazakh_fixture } else { &self.russian_fixture };
                fixture[rng.below(fixture.len())].to_lowercase()
            }
            6..=10 => rng.pick(if kazakh { KAZAKH_OTHER } else { RUSSIAN_OTHER }).to_string(),
            _ if kazakh => kazakh_form(KAZAKH_NOUNS[rng.zipf(KAZAKH_NOUNS.len())], rng),
            _ => russian_form(RUSSIAN_NOUNS[rng.zipf(RUSSIAN_NOUNS.len())], rng),
        }
    }

    /// A page of about `words` words in paragraphs of sentences, lines of about 60
    /// characters, now and then a word hyphenated at a line end.
    fn page(&self, kazakh: bool, words: usize, rng: &mut Rng) -> String {
        let mut text = String::new();
        let mut line = 0;
        let mut written = 0;
        while written < words {
            for _ in 0..3 + rng.below(5) {
                let length = 6 + rng.below(12);
                for i in 0..length {
                    let mut word = self.word(kazakh, rng);
                    if i == 0 {
                        let mut chars = word.chars();
                        word = chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default();
                    }
                    if line + word.len() > 110 {
                        let split = word.char_indices().nth(word.chars().count() / 2).map(|(b, _)| b).unwrap_or(0);
                        if rng.chance(0.1) && split > 4 {
                            text.push_str(&word[..split]);
                            text.push_str("-\n");
                            word = word[split..].to_string();
                        } else {
                            text.push('\n');
                        }
                        line = 0;
                    } else if line > 0 {
                        text.push(' ');
                    }
                    text.push_str(&word);
                    line += word.len() + 1;
                }
                text.push('.');
                written += length;
            }
            text.push_str("\n\n");
            line = 0;
        }
        text.trim_end().to_string()
    }
}

/// Makes the archive, unless it is there already.
fn generate(archive: &Archive, vocabulary: &Vocabulary) -> Result<(), String> {
    let done = archive.root().join(".bench-complete");
    if done.exists() {
        return Ok(());
    }
    let _ = std::fs::remove_dir_all(archive.root());
    archive.create_layout().map_err(|e| e.to_string())?;
    let catalog = Catalog::open(archive).map_err(|e| e.to_string())?;
    let mut rng = Rng(1968);
    let (documents, pages_wanted, articles) =
        (DOCUMENTS * tenths() / 10, PAGES * tenths() / 10, ARTICLES * tenths() / 10);
    let book_pages = pages_wanted - articles * 7 / 5;
    let started = Instant::now();
    let mut pages_made = 0;
    for n in 0..documents {
        let kazakh = rng.chance(0.6);
        let article = n < articles;
        let (pages, words) = if article {
            (if n % 5 < 2 { 2 } else { 1 }, 600)
        } else {
            let books = documents - articles;
            let i = n - articles;
            (book_pages * (i + 1) / books - book_pages * i / books, 280)
        };
        let texts: Vec<_> = (0..pages)
            .map(|_| recognized_page(&vocabulary.page(kazakh, words * (80 + rng.below(40)) / 100, &mut rng)))
            .collect();
        let title_words: Vec<String> = (0..3 + rng.below(4)).map(|_| vocabulary.word(kazakh, &mut rng)).collect();
        let year = 1930 + rng.below(90) as i32;
        let bib = Bibliographic {
            kind: Some(if article { DocumentType::NewspaperArticle } else { DocumentType::Book }),
            title: title_words.join(" "),
            authors: vec![name(&mut rng)],
            source: article.then(|| {
                if kazakh {
                    "Балқаш өңірі".to_string()
                } else {
                    "Балхашский рабочий".to_string()
                }
            }),
            year: Some(year),
            language: vec![if kazakh { "kaz" } else { "rus" }.to_string()],
            collections: vec![["Өлкетану", "Периодика", "Сирек кітаптар"][rng.below(3)].to_string()],
            ..Default::default()
        };
        let record = text_record(&format!("doc-{n:05}"), bib, &texts);
        catalog.put(&record, &texts).map_err(|e| e.to_string())?;
        pages_made += pages;
        if n % 1000 == 999 {
            eprintln!("  {} documents, {pages_made} pages ({:.0} s)", n + 1, started.elapsed().as_secs_f64());
        }
    }
    catalog.flush().map_err(|e| e.to_string())?;
    assert_eq!(pages_made, pages_wanted);
    std::fs::write(&done, b"").map_err(|e| e.to_string())
}

/// 200 queries of the kinds researchers type: single words in inflected forms, two words,
/// names, phrases, prefixes, OR and NOT, some with filters.
fn queries(vocabulary: &Vocabulary) -> Vec<(String, Filters)> {
    let mut rng = Rng(2024);
    (0..QUERIES)
        .map(|i| {
            let kazakh = i % 5 < 3;
            let noun = |rng: &mut Rng| {
                if kazakh {
                    kazakh_form(rng.pick(KAZAKH_NOUNS), rng)
                } else {
                    russian_form(rng.pick(RUSSIAN_NOUNS), rng)
                }
            };
            let query = match i % 10 {
                0..=2 => noun(&mut rng),
                3 => format!("{} {}", noun(&mut rng), noun(&mut rng)),
                4 => rng.pick(PLACES).to_string(),
                5 => {
                    let text = vocabulary.page(kazakh, 12, &mut rng);
                    let words: Vec<&str> =
                        text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
                    let at = rng.below(words.len() - 1);
                    format!("\"{} {}\"", words[at], words[at + 1])
                }
                6 => {
                    let word = if kazakh { rng.pick(KAZAKH_NOUNS) } else { rng.pick(RUSSIAN_NOUNS) };
                    format!("{}*", word.chars().take(4).collect::<String>())
                }
                7 => format!("{} OR {}", noun(&mut rng), noun(&mut rng)),
                8 => format!("{} NOT {}", noun(&mut rng), noun(&mut rng)),
                _ => name(&mut rng),
            };
            let mut filters = Filters::default();
            match i % 8 {
                1 => {
                    let from = 1930 + rng.below(80) as i64;
                    filters.years = Some(YearRange { from: Some(from), to: Some(from + 10) });
                }
                3 => filters.types = vec!["book".into()],
                5 => filters.langs = vec![if kazakh { "kaz" } else { "rus" }.into()],
                _ => {}
            }
            (query, filters)
        })
        .collect()
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    sorted[((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len()) - 1]
}

fn cli_args(query: &str, filters: &Filters) -> Vec<String> {
    let mut args = vec!["search".to_string(), query.to_string(), "--json".to_string()];
    if let Some(years) = filters.years {
        args.extend(["--year".into(), format!("{}..{}", years.from.unwrap_or_default(), years.to.unwrap_or_default())]);
    }
    for kind in &filters.types {
        args.extend(["--type".into(), kind.clone()]);
    }
    for lang in &filters.langs {
        args.extend(["--lang".into(), lang.clone()]);
    }
    args
}

fn main() -> Result<(), String> {
    let out = PathBuf::from(std::env::args().nth(1).ok_or("usage: search_bench OUT_DIR")?);
    let olke = std::env::var("OLKE").map(PathBuf::from).unwrap_or_else(|_| PathBuf::from("target/release/olke"));
    let archive = Archive::new(out.join("archive"));
    let vocabulary =
        Vocabulary { kazakh_fixture: fixture_words(texts::KAZAKH), russian_fixture: fixture_words(texts::RUSSIAN) };

    eprintln!(
        "Making the synthetic archive ({} documents, {} pages) in {} …",
        DOCUMENTS * tenths() / 10,
        PAGES * tenths() / 10,
        archive.root().display()
    );
    generate(&archive, &vocabulary)?;

    eprintln!("Indexing with `olke reindex` …");
    let output = Command::new(&olke)
        .arg("--archive")
        .arg(archive.root())
        .args(["reindex", "--json"])
        .output()
        .map_err(|e| format!("{}: {e}", olke.display()))?;
    if !output.status.success() {
        return Err(format!("olke reindex failed: {}", String::from_utf8_lossy(&output.stderr)));
    }
    let reindex: serde_json::Value = serde_json::from_slice(&output.stdout).map_err(|e| e.to_string())?;
    // CPU time of the reindex, and how busy the machine was: on a shared machine the
    // wall time says as much about the neighbours as about olke.
    let reindex_cpu_seconds = {
        // SAFETY: getrusage fills the struct it is given.
        let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
        unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
        let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
        seconds(usage.ru_utime) + seconds(usage.ru_stime)
    };
    let load_average = std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .next()
        .unwrap_or("?")
        .to_string();

    let queries = queries(&vocabulary);
    let index = SearchIndex::open(&archive).map_err(|e| e.to_string())?;
    let request = |(query, filters): &(String, Filters)| SearchRequest {
        query: query.clone(),
        filters: filters.clone(),
        limit: 10,
        offset: 0,
        count_matches: false,
    };
    let mut found = 0;
    for q in &queries {
        found += usize::from(index.search(&request(q)).map_err(|e| format!("{}: {e}", q.0))?.total > 0);
    }
    let mut in_process: Vec<f64> = queries
        .iter()
        .map(|q| {
            let started = Instant::now();
            let _ = index.search(&request(q));
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    let mut cli: Vec<f64> = queries
        .iter()
        .map(|(query, filters)| {
            let started = Instant::now();
            let status = Command::new(&olke)
                .arg("--archive")
                .arg(archive.root())
                .args(cli_args(query, filters))
                .output()
                .map(|o| o.status.success());
            assert_eq!(status.ok(), Some(true), "olke search {query}");
            started.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    in_process.sort_by(f64::total_cmp);
    cli.sort_by(f64::total_cmp);

    let summary = serde_json::json!({
        "documents": reindex["documents"],
        "pages": reindex["pages"],
        "index_seconds": reindex["seconds"],
        "pages_per_second": reindex["pages_per_second"],
        "index_bytes": reindex["index_bytes"],
        "index_cpu_seconds": reindex_cpu_seconds,
        "pages_per_cpu_second": reindex["pages"].as_f64().unwrap_or(0.0) / reindex_cpu_seconds,
        "load_average_after_indexing": load_average,
        "queries": queries.len(),
        "queries_with_results": found,
        "in_process_ms": { "p50": percentile(&in_process, 0.5), "p99": percentile(&in_process, 0.99), "max": in_process[in_process.len() - 1] },
        "cli_ms": { "p50": percentile(&cli, 0.5), "p99": percentile(&cli, 0.99), "max": cli[cli.len() - 1] },
        "sample_queries": queries.iter().take(10).map(|(q, _)| q.clone()).collect::<Vec<_>>(),
    });
    println!("{}", serde_json::to_string_pretty(&summary).expect("JSON"));
    Ok(())
}
