//! Bibliographic records end to end: batch manifests grouping scans into described
//! documents, GOST citations, metadata in the PDF, editing with history, collections, and
//! the MARC export read back with an independent parser (Python's pymarc).

mod common;

use std::fs;
use std::path::Path;
use std::process::Command;

use common::*;
use olke::testkit::fixtures::{texts, write_jpeg, write_png};
use serde_json::Value;

const ARTICLE_CITATION: &str =
    "Шөженов, Ж. Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен / Ж. Шөженов // Пульс. – 2019. – 12 июля (№ 28). – С. 4.";
const BOOK_CITATION: &str = "Кәрім, Н. Қамшы / Н. Кәрім. – Қарағанды : Типография Арко, 2016. – 84 б.";

/// The fields `pdfinfo` reports, by name.
fn pdfinfo(pdf: &Path) -> Vec<(String, String)> {
    let output = run(Command::new("pdfinfo").args(["-enc", "UTF-8"]).arg(pdf));
    assert!(output.status.success(), "pdfinfo {}: {}", pdf.display(), stderr(&output));
    stdout(&output)
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.to_string(), v.trim().to_string()))
        .collect()
}

fn info(pdf: &Path, key: &str) -> String {
    pdfinfo(pdf).into_iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap_or_default()
}

fn sha256(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(fs::read(path).unwrap()))
}

/// The report's manifest problems as `file: row N, column 'C': reason` with the file's
/// name only, checking each has the fields the JSON promises.
fn problems(report: &Value, key: &str) -> Vec<String> {
    report[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            let file = Path::new(p["file"].as_str().unwrap()).file_name().unwrap().to_string_lossy().into_owned();
            let column = p["column"].as_str().map(|c| format!(", column '{c}'")).unwrap_or_default();
            format!("{file}: row {}{column}: {}", p["row"], p["reason"].as_str().unwrap())
        })
        .collect()
}

/// Runs Python's pymarc over a MARCXML and an ISO 2709 file; returns, per record id, its
/// leader and fields (`{"tag": [control data | {"ind": "..", "sub": [[code, value]]}]}`).
fn pymarc(xml: &Path, iso: &Path) -> Value {
    const SCRIPT: &str = r#"
import json, sys
import pymarc

def dump(records):
    out = {}
    for record in records:
        if record is None:
            raise SystemExit("pymarc could not read a record")
        fields = {}
        for field in record.get_fields():
            if field.is_control_field():
                value = field.data
            else:
                value = {"ind": field.indicator1 + field.indicator2, "sub": [[s.code, s.value] for s in field.subfields]}
            fields.setdefault(field.tag, []).append(value)
        out[record["001"].data] = {"leader": str(record.leader), "fields": fields}
    return out

xml = dump(pymarc.parse_xml_to_array(sys.argv[1]))
with open(sys.argv[2], "rb") as handle:
    iso = dump(pymarc.MARCReader(handle, to_unicode=True, force_utf8=True))
print(json.dumps({"xml": xml, "iso": iso}, ensure_ascii=False))
"#;
    let output = run(Command::new("python3").arg("-c").arg(SCRIPT).arg(xml).arg(iso));
    assert!(
        output.status.success(),
        "pymarc failed (it is installed by `scripts/install-deps.sh --test`, or `pip install pymarc`):\n{}",
        stderr(&output)
    );
    json(&output)
}

/// The subfields of every `tag` field of a record dumped by [`pymarc`].
fn subfields(record: &Value, tag: &str) -> Vec<Vec<(String, String)>> {
    record["fields"][tag]
        .as_array()
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    f["sub"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| (s[0].as_str().unwrap().to_string(), s[1].as_str().unwrap().to_string()))
                        .collect()
                })
                .collect()
        })
        .unwrap_or_default()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

/// Two newspaper articles and a two-page book, described by `batch.csv`, and a scan no
/// row lists. Returns the page texts by file name.
fn described_batch(dir: &Path) -> Vec<(&'static str, String)> {
    fs::create_dir_all(dir).unwrap();
    let pulse = page(&texts::KAZAKH[..1], 300.0);
    write_png(&dir.join("pulse-4.png"), &pulse.image, 300.0).unwrap();
    let gazeta = page(&texts::RUSSIAN[..1], 300.0);
    write_jpeg(&dir.join("gazeta.jpg"), &gazeta.image, 300.0, 90).unwrap();
    // Natural order: p2 before p10.
    let (p2, p10) = (page(&texts::KAZAKH[1..2], 300.0), page(&texts::KAZAKH[2..3], 300.0));
    write_png(&dir.join("qamshy-p2.png"), &p2.image, 300.0).unwrap();
    write_png(&dir.join("qamshy-p10.png"), &p10.image, 300.0).unwrap();
    write_png(&dir.join("stray.png"), &page(&texts::RUSSIAN[1..2], 300.0).image, 300.0).unwrap();
    fs::write(
        dir.join("batch.csv"),
        "files,id,type,title,authors,source,date,issue,source_pages,place,publisher,year,language,collections,rights,contract,subjects,shelf\n\
         pulse-4.png,pulse,newspaper_article,Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен,\"Шөженов, Ж.\",Пульс,2019-07-12,28,4,,,,rus;kaz,Батырлар; Өлкетану,author_contract,\"№ 12, 2021-03-01\",Ағыбай батыр; Тасарал,A-17\n\
         gazeta.jpg,,newspaper_article,Медный город,\"Иванов, И. И.; Петрова, А. С.\",Балхашский рабочий,1968-04-12,44,2,,,,rus,Өлкетану,public_domain,,,\n\
         qamshy-p*.png,kitap-qamshy,book,Қамшы,\"Кәрім, Н.\",,,,84,Қарағанды,Типография Арко,2016,kaz,Әдебиет,in_copyright,,,\n",
    )
    .unwrap();
    vec![
        ("pulse-4.png", pulse.text()),
        ("gazeta.jpg", gazeta.text()),
        ("qamshy-p2.png", p2.text()),
        ("qamshy-p10.png", p10.text()),
    ]
}

#[test]
fn a_described_batch_becomes_grouped_cited_exportable_documents() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("2024-03");
    let truth = described_batch(&batch);
    let archive = tmp.path().join("archive");

    // The scan no row lists is reported and left out: exit code 3.
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    assert_eq!(report["pages"], 4, "only the listed scans are recognized");
    assert_eq!(report["unlisted"].as_array().unwrap().len(), 1);
    assert!(report["unlisted"][0].as_str().unwrap().ends_with("stray.png"));
    assert_eq!(problems(&report, "manifest_problems"), Vec::<String>::new());
    assert_eq!(
        problems(&report, "manifest_warnings"),
        vec!["batch.csv: row 1, column 'shelf': not a manifest column; its values are kept in the notes"]
    );
    let err = stderr(&output);
    assert_eq!(err.lines().filter(|l| l.contains("stray.png") && l.contains("not listed")).count(), 1, "{err}");
    let mut ids: Vec<(&str, u64)> = report["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["id"].as_str().unwrap(), d["pages"].as_u64().unwrap()))
        .collect();
    ids.sort();
    // The id from the manifest, or from the first file's name.
    assert_eq!(ids, vec![("gazeta", 1), ("kitap-qamshy", 2), ("pulse", 1)]);

    // The book's pages are in page order, each with its text.
    let book = pdf_of(&archive, "kitap-qamshy");
    assert_eq!(pdf_pages(&book), 2);
    let layers: Vec<String> = pdftotext_raw(&book).split('\x0c').map(str::to_string).collect();
    assert!(cer(&layers[0], &truth[2].1) < 0.03, "page 1 is qamshy-p2: {}", layers[0]);
    assert!(cer(&layers[1], &truth[3].1) < 0.03, "page 2 is qamshy-p10: {}", layers[1]);
    assert!(cer(&pdftotext_raw(&pdf_of(&archive, "pulse")), &truth[0].1) < 0.03);

    // The record carries the manifest's description; the recorded languages drive OCR.
    let pulse = record_json(&archive, "pulse");
    assert_eq!(pulse["type"], "newspaper_article");
    assert_eq!(pulse["language"], serde_json::json!(["rus", "kaz"]));
    assert_eq!(pulse["ocr"]["languages"], "rus+kaz+eng", "the record's languages first, then the usual ones");
    assert_eq!(pulse["contract"], "№ 12, 2021-03-01");
    assert_eq!(pulse["notes"], "shelf: A-17", "the extra column is kept");

    // GOST citations, verbatim, in `show` and `show --json`.
    for (id, citation) in [("pulse", ARTICLE_CITATION), ("kitap-qamshy", BOOK_CITATION)] {
        let shown = json(&expect_code(olke(&archive).args(["show", id, "--json"]), 0));
        assert_eq!(shown["citation"], citation);
        let text = stdout(&expect_code(olke(&archive).args(["show", id]), 0));
        assert!(text.contains(&format!("citation:   {citation}")), "{text}");
    }
    let gazeta = json(&expect_code(olke(&archive).args(["show", "gazeta", "--json"]), 0));
    assert_eq!(gazeta["citation"], "Иванов, И. И. Медный город / И. И. Иванов, А. С. Петрова // Балхашский рабочий. – 1968. – 12 апреля (№ 44). – С. 2.");

    // The PDFs carry the metadata.
    for (id, title, author, keywords) in [
        (
            "pulse",
            "Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен",
            "Шөженов, Ж.",
            "Ағыбай батыр; Тасарал; Батырлар; Өлкетану",
        ),
        ("kitap-qamshy", "Қамшы", "Кәрім, Н.", "Әдебиет"),
    ] {
        let pdf = pdf_of(&archive, id);
        qpdf_check(&pdf);
        assert_eq!(info(&pdf, "Title"), title);
        assert_eq!(info(&pdf, "Author"), author);
        assert_eq!(info(&pdf, "Keywords"), keywords);
        assert_eq!(info(&pdf, "Subject"), if id == "pulse" { ARTICLE_CITATION } else { BOOK_CITATION });
        assert_eq!(info(&pdf, "Metadata Stream"), "yes");
    }

    // Collections: a document may be in several.
    let collections = json(&expect_code(olke(&archive).args(["collections", "--json"]), 0));
    let counts: Vec<(&str, u64, u64)> = collections
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["documents"].as_u64().unwrap(), c["pages"].as_u64().unwrap()))
        .collect();
    assert_eq!(counts, vec![("Батырлар", 1, 1), ("Әдебиет", 1, 2), ("Өлкетану", 2, 2)]);
    let listed = stdout(&expect_code(olke(&archive).arg("collections"), 0));
    assert!(listed.contains("Өлкетану") && listed.contains("2 documents"), "{listed}");

    // MARC 21, read back by pymarc from MARCXML and from ISO 2709 alike.
    let base = "https://lib.example.kz/olke/";
    let (xml, iso) = (tmp.path().join("catalogue.xml"), tmp.path().join("catalogue.mrc"));
    expect_code(olke(&archive).args(["export", "marcxml", "--base-url", base, "--out"]).arg(&xml), 0);
    expect_code(olke(&archive).args(["export", "marc", "--base-url", base, "--out"]).arg(&iso), 0);
    let read = pymarc(&xml, &iso);
    assert_eq!(read["xml"], read["iso"], "both formats carry the same records");
    let records = &read["xml"];
    assert_eq!(records.as_object().unwrap().len(), 3);

    let article = &records["pulse"];
    assert_eq!(&article["leader"].as_str().unwrap()[6..8], "ab", "language material, serial component part");
    assert_eq!(subfields(article, "100"), vec![pairs(&[("a", "Шөженов, Ж.")])]);
    assert_eq!(
        subfields(article, "245"),
        vec![pairs(&[("a", "Ақжолтай Ағыбай батырдың Тасаралы – құт қонған мекен /"), ("c", "Ж. Шөженов.")])]
    );
    assert_eq!(subfields(article, "773"), vec![pairs(&[("t", "Пульс"), ("g", "2019. – 12 июля (№ 28). – С. 4")])]);
    assert_eq!(subfields(article, "041"), vec![pairs(&[("a", "rus"), ("a", "kaz")])]);
    assert_eq!(subfields(article, "650"), vec![pairs(&[("a", "Ағыбай батыр.")]), pairs(&[("a", "Тасарал.")])]);
    assert_eq!(subfields(article, "653"), vec![pairs(&[("a", "Батырлар")]), pairs(&[("a", "Өлкетану")])]);
    let rights = &subfields(article, "540")[0];
    assert!(rights.contains(&("c".to_string(), "№ 12, 2021-03-01.".to_string())), "{rights:?}");
    let link = &subfields(article, "856")[0];
    assert_eq!(link[0], ("u".to_string(), "https://lib.example.kz/olke/documents/pulse/pulse.pdf".to_string()));
    assert!(archive.join(link[0].1.strip_prefix(base).unwrap()).is_file(), "the link leads to the PDF");
    assert!(article["fields"].get("264").is_none(), "an article's imprint is its host's (773)");
    assert_eq!(&article["fields"]["008"][0].as_str().unwrap()[7..11], "2019");

    let gazeta = &records["gazeta"];
    assert_eq!(subfields(gazeta, "700"), vec![pairs(&[("a", "Петрова, А. С.")])]);
    assert_eq!(subfields(gazeta, "540")[0][0], ("a".to_string(), "Public domain.".to_string()));

    let book = &records["kitap-qamshy"];
    assert_eq!(&book["leader"].as_str().unwrap()[6..8], "am", "language material, monograph");
    assert_eq!(subfields(book, "264"), vec![pairs(&[("a", "Қарағанды :"), ("b", "Типография Арко,"), ("c", "2016.")])]);
    assert_eq!(subfields(book, "300"), vec![pairs(&[("a", "1 online resource (84 б.)")])]);
    assert!(book["fields"].get("773").is_none());
    assert!(book["fields"].get("856").is_none(), "no link to the PDF of a work in copyright: it is never published");

    // JSON lines and CSV carry the citations too.
    let jsonl = stdout(&expect_code(olke(&archive).args(["export", "jsonl", "--base-url", base]), 0));
    let lines: Vec<Value> = jsonl.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let line = |id: &str| lines.iter().find(|l| l["id"] == id).unwrap().clone();
    assert_eq!(line("kitap-qamshy")["citation"], BOOK_CITATION);
    assert_eq!(line("kitap-qamshy").get("url"), None, "a work in copyright is not linked");
    assert_eq!(line("pulse")["url"], "https://lib.example.kz/olke/documents/pulse/pulse.pdf");
    let csv = stdout(&expect_code(olke(&archive).args(["export", "csv"]), 0));
    assert!(csv.starts_with("files,id,type,title,"), "{csv}");
    assert!(csv.contains("qamshy-p2.png; qamshy-p10.png,kitap-qamshy,book,Қамшы,"), "{csv}");
}

#[test]
fn batch_toml_works_and_unlisted_scans_can_be_included() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("b");
    fs::create_dir_all(&batch).unwrap();
    write_png(&batch.join("a.png"), &page(&texts::KAZAKH[3..4], 300.0).image, 300.0).unwrap();
    write_png(&batch.join("b.png"), &page(&texts::RUSSIAN[2..3], 300.0).image, 300.0).unwrap();
    fs::write(
        batch.join("batch.toml"),
        "# One document; b.png is not listed.\n\
         [[document]]\n\
         id = \"auezov-street\"\n\
         files = [\"a.png\"]\n\
         type = \"journal_article\"\n\
         title = \"Әуезов көшесі\"\n\
         authors = [\"Сейітов, Б.\"]\n\
         source = \"Ұлағат\"\n\
         date = 2020-05-07\n\
         issue = \"5\"\n\
         source_pages = \"46-65\"\n\
         language = [\"kaz\"]\n\
         collections = [\"Өлкетану\"]\n",
    )
    .unwrap();
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--include-unlisted", "--json"]).arg(&batch), 0);
    let report = json(&output);
    assert_eq!(report["unlisted"].as_array().unwrap().len(), 0);
    assert!(stderr(&output).contains("b.png: not listed in"), "{}", stderr(&output));
    let listed = json(&expect_code(olke(&archive).args(["list", "--json"]), 0));
    let ids: Vec<&str> = listed.as_array().unwrap().iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec!["auezov-street", "b"]);
    let shown = json(&expect_code(olke(&archive).args(["show", "auezov-street", "--json"]), 0));
    assert_eq!(
        shown["citation"],
        "Сейітов, Б. Әуезов көшесі / Б. Сейітов // Ұлағат. – 2020. – 7 мамыр (№ 5). – Б. 46–65."
    );
    assert_eq!(
        json(&expect_code(olke(&archive).args(["show", "b", "--json"]), 0))["title"],
        "b",
        "an unlisted scan is named after its file"
    );
}

#[test]
fn manifest_problems_name_file_row_column_and_reason_and_stop_only_their_rows() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("errors");
    fs::create_dir_all(batch.join("sub")).unwrap();
    write_png(&batch.join("good.png"), &page(&texts::RUSSIAN[3..4], 300.0).image, 300.0).unwrap();
    // The rows with problems name real scans: none of them may be recognized.
    let other = page(&texts::KAZAKH[4..5], 300.0);
    for name in ["p1.png", "p2.png", "p3.png", "p4.png", "sub/p5.png"] {
        write_png(&batch.join(name), &other.image, 300.0).unwrap();
    }
    fs::write(
        batch.join("batch.csv"),
        "files,id,type,title,source,date,source_pages\n\
         good.png,good,book,Медный город,,1968,\n\
         p1.png,,newspaper,Бір,Пульс,,\n\
         p2.png,,book,Екі,,12.07.2019,\n\
         p9.png,,book,Үш,,,\n\
         good.png;p3.png,,book,Төрт,,,\n\
         ../p4.png,,book,Бес,,,\n\
         sub/p5.png,,journal_article,Алты,Ұлағат,,46-\n\
         p4.png,,newspaper_article,Жеті,,,\n",
    )
    .unwrap();
    let archive = tmp.path().join("archive");
    let output = expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3);
    let report = json(&output);
    let expected = [
        "batch.csv: row 3, column 'type': unknown variant `newspaper`, expected one of `newspaper_article`, `journal_article`, `book`, `book_chapter`, `newspaper_issue`",
        "batch.csv: row 4, column 'date': bad date '12.07.2019': expected YYYY-MM-DD or YYYY",
        "batch.csv: row 5, column 'files': file 'p9.png' not found in the batch folder",
        "batch.csv: row 6, column 'files': 'good.png' is already listed in row 2",
        "batch.csv: row 7, column 'files': '../p4.png' is outside the batch folder",
        "batch.csv: row 8, column 'source_pages': page range '46-' does not parse: expected a page (4) or a range (46-65)",
        "batch.csv: row 9, column 'source': a newspaper_article needs a source (the newspaper's title)",
    ];
    assert_eq!(problems(&report, "manifest_problems"), expected);
    // One line each on stderr, with the file's path.
    let err = stderr(&output);
    let csv = batch.join("batch.csv").display().to_string();
    for line in expected {
        let full = line.replacen("batch.csv", &csv, 1);
        assert_eq!(err.lines().filter(|l| *l == full).count(), 1, "{full}\nnot in:\n{err}");
    }
    // Only the row without problems is ingested; the scans of the others are neither
    // recognized nor reported as unlisted.
    assert_eq!(report["pages"], 1);
    assert_eq!(report["documents"].as_array().unwrap().len(), 1);
    assert_eq!(report["documents"][0]["id"], "good");
    assert_eq!(report["unlisted"].as_array().unwrap().len(), 0, "{}", report["unlisted"]);

    // A manifest id another document already has is refused, not renamed.
    let second = tmp.path().join("second");
    fs::create_dir_all(&second).unwrap();
    write_png(&second.join("x.png"), &other.image, 300.0).unwrap();
    fs::write(second.join("batch.csv"), "files,id,title\nx.png,good,Басқа\n").unwrap();
    let report = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&second), 3));
    assert_eq!(
        problems(&report, "manifest_problems"),
        vec!["batch.csv: row 2, column 'id': id 'good' is already given to another document in the archive; choose another or leave the cell empty"]
    );
    assert_eq!(report["pages"], 0);

    // A manifest that cannot be read stops its whole batch.
    fs::write(second.join("batch.csv"), "files;id;title\nx.png;y;Басқа\n").unwrap();
    let report = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&second), 3));
    assert_eq!(
        problems(&report, "manifest_problems"),
        vec!["batch.csv: row 1: the columns are separated by semicolons; save the file comma-separated (CSV UTF-8)"]
    );
    assert_eq!((report["pages"].as_u64(), report["unlisted"].as_array().unwrap().len()), (Some(0), 0));
}

#[test]
fn a_language_without_a_model_fails_its_row_until_olke_toml_names_the_model_that_reads_it() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("b");
    fs::create_dir_all(&batch).unwrap();
    let russian = page(&texts::RUSSIAN[0..1], 300.0);
    write_png(&batch.join("ru.png"), &russian.image, 300.0).unwrap();
    // Tesseract has no Komi model: the bibliographer's `kpv` has to be read by another.
    let komi = page(&texts::RUSSIAN[3..4], 300.0);
    write_png(&batch.join("kv.png"), &komi.image, 300.0).unwrap();
    fs::write(batch.join("batch.csv"), "files,id,title,language\nru.png,ru,Город,rus\nkv.png,kv,Кар,kpv\n").unwrap();
    let archive = tmp.path().join("archive");

    let report = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 3));
    let problems = problems(&report, "manifest_problems");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("batch.csv: row 3, column 'language': Tesseract has no 'kpv' model in "),
        "{}",
        problems[0]
    );
    assert!(problems[0].ends_with("; or name the model that reads it in olke.toml's [ocr.models]"), "{}", problems[0]);
    assert_eq!(
        (report["pages"].as_u64(), listed_ids(&archive)),
        (Some(1), vec!["ru".to_string()]),
        "the other row goes on"
    );

    let config = archive.join("olke.toml");
    let mut settings = fs::read_to_string(&config).unwrap();
    settings.push_str("\n[ocr.models]\nkpv = \"rus\"\n");
    fs::write(&config, settings).unwrap();
    let report = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0));
    assert_eq!(report["pages"], 1, "only the Komi row is left to recognize");
    let kv = record_json(&archive, "kv");
    assert_eq!(
        (kv["language"].clone(), kv["ocr"]["languages"].clone()),
        (serde_json::json!(["kpv"]), serde_json::json!("rus"))
    );
    assert!(
        cer(&pdftotext_raw(&pdf_of(&archive, "kv")), &komi.lines.join("\n")) < 0.03,
        "read with the model named for kpv"
    );
}

#[test]
fn editing_keeps_history_and_the_pdf_follows() {
    let tmp = tempfile::tempdir().unwrap();
    let batch = tmp.path().join("b");
    fs::create_dir_all(&batch).unwrap();
    let first = page(&texts::KAZAKH[5..6], 300.0);
    write_png(&batch.join("p1.png"), &first.image, 300.0).unwrap();
    fs::write(
        batch.join("batch.csv"),
        "files,id,type,title,authors,place,publisher,year,source_pages,language\n\
         p1.png,qamshy,book,Қамшы,\"Кәрім, Н.\",Қарағанды,Типография Арко,2016,84,kaz\n",
    )
    .unwrap();
    let archive = tmp.path().join("archive");
    expect_code(olke(&archive).arg("ingest").arg(&batch), 0);
    let pdf = pdf_of(&archive, "qamshy");

    let output = expect_code(
        olke(&archive).args([
            "catalog",
            "set",
            "qamshy",
            "title",
            "Қамшы. Өлеңдер",
            "authors",
            "Кәрім, Н.; Әбенов, Қ.",
        ]),
        0,
    );
    assert!(stdout(&output).contains("title: «Қамшы» → «Қамшы. Өлеңдер»"), "{}", stdout(&output));
    let record = record_json(&archive, "qamshy");
    let history: Vec<(&str, &str, &str)> = record["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["field"].as_str().unwrap(), e["old"].as_str().unwrap(), e["new"].as_str().unwrap()))
        .collect();
    assert_eq!(history, vec![("title", "Қамшы", "Қамшы. Өлеңдер"), ("authors", "Кәрім, Н.", "Кәрім, Н.; Әбенов, Қ.")]);
    assert!(record["history"][0]["time"].is_string());
    let citation = "Кәрім, Н. Қамшы. Өлеңдер / Н. Кәрім, Қ. Әбенов. – Қарағанды : Типография Арко, 2016. – 84 б.";
    let shown = json(&expect_code(olke(&archive).args(["show", "qamshy", "--json"]), 0));
    assert_eq!(shown["citation"], citation);
    assert_eq!(shown["history"], record["history"], "the catalogue has the edited record");

    // The PDF's metadata follows; the file stays valid, and the record knows its new checksum.
    assert_eq!(info(&pdf, "Title"), "Қамшы. Өлеңдер");
    assert_eq!(info(&pdf, "Author"), "Кәрім, Н.; Әбенов, Қ.");
    assert_eq!(info(&pdf, "Subject"), citation);
    qpdf_check(&pdf);
    assert_eq!(record["pdf_sha256"], sha256(&pdf));
    assert_eq!(record["pdf_bytes"], fs::metadata(&pdf).unwrap().len());
    assert!(cer(&pdftotext_raw(&pdf), &first.text()) < 0.03, "the text layer is kept");

    // Refused values change nothing and say why.
    let refused = expect_code(olke(&archive).args(["catalog", "set", "qamshy", "year", "16"]), 2);
    assert!(
        stderr(&refused).contains("qamshy: year: year '16' is not a year: expected four digits (2016)"),
        "{}",
        stderr(&refused)
    );
    let refused = expect_code(olke(&archive).args(["catalog", "set", "qamshy", "files", "p2.png"]), 2);
    assert!(
        stderr(&refused).contains("files: a document's scans change by ingesting them again"),
        "{}",
        stderr(&refused)
    );
    assert_eq!(record_json(&archive, "qamshy"), record);
    let missing = expect_code(olke(&archive).args(["catalog", "set", "nothing", "title", "x"]), 1);
    assert!(stderr(&missing).contains("no document 'nothing'"), "{}", stderr(&missing));

    // A corrected CSV: export, change in a "spreadsheet", apply. Rows with problems are
    // reported and skipped.
    let csv = tmp.path().join("catalogue.csv");
    expect_code(olke(&archive).args(["export", "csv", "--out"]).arg(&csv), 0);
    let exported = fs::read_to_string(&csv).unwrap();
    let mut lines: Vec<String> = exported.lines().map(str::to_string).collect();
    lines[1] = lines[1].replacen(",kaz,,", ",kaz,Әдебиет; Поэзия,", 1);
    lines.push(lines[1].replacen(",qamshy,", ",missing,", 1));
    lines.push(lines[1].replacen(",2016,", ",20l6,", 1));
    fs::write(&csv, lines.join("\n")).unwrap();
    let applied = expect_code(olke(&archive).args(["catalog", "apply", "--json"]).arg(&csv), 3);
    let report = json(&applied);
    assert_eq!(
        problems(&report, "problems"),
        vec![
            "catalogue.csv: row 3, column 'id': no document 'missing' in the archive",
            "catalogue.csv: row 4, column 'id': 'qamshy' is already corrected in row 2",
        ]
    );
    assert_eq!(report["changed"][0]["id"], "qamshy");
    assert_eq!(report["changed"][0]["edits"][0]["field"], "collections");
    let collections = json(&expect_code(olke(&archive).args(["collections", "--json"]), 0));
    assert_eq!(collections.as_array().unwrap().len(), 2);
    assert_eq!(info(&pdf, "Keywords"), "Әдебиет; Поэзия");
    // Applying the same again changes nothing.
    fs::write(&csv, lines[..2].join("\n")).unwrap();
    let again = json(&expect_code(olke(&archive).args(["catalog", "apply", "--json"]).arg(&csv), 0));
    assert_eq!(again["unchanged"], serde_json::json!(["qamshy"]));
    let bad = tmp.path().join("bad.csv");
    fs::write(&bad, "id,year,shelf\nqamshy,20l6,A\n").unwrap();
    let report = json(&expect_code(olke(&archive).args(["catalog", "apply", "--json"]).arg(&bad), 3));
    assert_eq!(problems(&report, "problems"), vec!["bad.csv: row 1, column 'shelf': not a catalogue column"]);
    fs::write(&bad, "id,year\nqamshy,20l6\n").unwrap();
    let report = json(&expect_code(olke(&archive).args(["catalog", "apply", "--json"]).arg(&bad), 3));
    assert_eq!(
        problems(&report, "problems"),
        vec!["bad.csv: row 2, column 'year': year '20l6' is not a year: expected four digits (2016)"]
    );

    // A rescan without the manifest keeps the edited description and its history.
    fs::remove_file(batch.join("batch.csv")).unwrap();
    write_png(&batch.join("p1.png"), &page(&texts::KAZAKH[4..5], 300.0).image, 300.0).unwrap();
    let rescanned = json(&expect_code(olke(&archive).args(["ingest", "--json"]).arg(&batch), 0));
    assert_eq!(rescanned["documents"][0]["outcome"], "updated");
    let record = record_json(&archive, "qamshy");
    assert_eq!(record["title"], "Қамшы. Өлеңдер");
    assert_eq!(record["history"].as_array().unwrap().len(), 3);
    assert_eq!(info(&pdf, "Title"), "Қамшы. Өлеңдер");
}

#[test]
fn export_refuses_a_base_url_that_is_not_http() {
    let tmp = tempfile::tempdir().unwrap();
    let output = expect_code(olke(&tmp.path().join("archive")).args(["export", "marcxml", "--base-url", "lib.kz"]), 2);
    assert!(stderr(&output).contains("expected an http:// or https:// address"), "{}", stderr(&output));
}
