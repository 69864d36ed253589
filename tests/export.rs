//! The exports in the library world's standards, checked with the standards' own tools:
//! ALTO 4.4 and METS 1.12.1 against the shared schemas (xmllint), MARC 21 with MARC::Lint
//! (Perl), pymarc and MARC21slim.xsd, UNIMARC with pymarc, JSON lines and OpenSearch
//! `_bulk` pairs parsed back.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

use common::*;
use olke::testkit::fixtures::{texts, write_png};
use serde_json::Value;

const SECOND_ENGLISH_PAGE: &str = "The copper works were built on the northern shore of Lake Balkhash in the \
    thirties, and the town grew around them: schools, a theatre, a library and the newspaper.";

/// A four-author English book of two pages (public domain, published in Balkhash), a
/// Russian newspaper article under an author's contract, and an undated Kazakh book whose
/// rights are not stated; the library's MARC code set in olke.toml.
fn archive() -> &'static Path {
    static CELL: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&CELL, "export", |batch, archive| {
        fs::create_dir_all(batch).unwrap();
        let pages = [
            ("copper-1.png", &texts::ENGLISH[..1]),
            ("copper-2.png", &[SECOND_ENGLISH_PAGE][..]),
            ("gazeta.png", &texts::RUSSIAN[..1]),
            ("khat.png", &texts::KAZAKH[..1]),
        ];
        for (name, paragraphs) in pages {
            write_png(&batch.join(name), &page(paragraphs, 300.0).image, 300.0).unwrap();
        }
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,source,date,issue,source_pages,place,publisher,year,language,rights,subjects\n\
             copper-*.png,copper,book,The copper town,\"Smith, J.; Brown, A. B.; Green, C.; White, D.\",,,,,Балхаш,Өнер,1968,eng,public_domain,Copper\n\
             gazeta.png,gazeta,newspaper_article,Медный город,\"Иванов, И. И.\",Балхашский рабочий,1968-04-12,44,2,,,,rus,author_contract,\n\
             khat.png,khat,book,Хат,,,,,,,,,kaz,,\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        let config = fs::read_to_string(archive.join("olke.toml")).unwrap();
        assert!(config.contains("marc_code = \"KZ-OLKE\""), "the default file names the key");
        fs::write(archive.join("olke.toml"), config.replace("marc_code = \"KZ-OLKE\"", "marc_code = \"KZ-BlkCL\""))
            .unwrap();
    })
}

/// xmllint's verdict on `file` against the shared schema `xsd`: `Ok` or its messages.
fn xmllint(xsd: &str, file: &Path) -> Result<(), String> {
    let output = run(Command::new("xmllint").arg("--noout").arg("--nonet").arg("--schema").arg(schema(xsd)).arg(file));
    if output.status.success() {
        Ok(())
    } else {
        Err(stderr(&output))
    }
}

fn valid(xsd: &str, file: &Path) {
    if let Err(messages) = xmllint(xsd, file) {
        panic!(
            "{} is not valid against {xsd} (xmllint is in libxml2-utils, `scripts/install-deps.sh --test`):\n{messages}",
            file.display()
        );
    }
}

/// Runs a Python script over `args`; returns what it prints as JSON.
fn python(script: &str, args: &[&Path]) -> Value {
    let output = run(Command::new("python3").arg("-c").arg(script).args(args));
    assert!(output.status.success(), "python3 failed:\n{}", stderr(&output));
    json(&output)
}

/// The files of a METS document (id, href, checksum, size, MIME type), its divs by
/// structMap type, and the MODS title.
const READ_METS: &str = r#"
import json, sys, xml.etree.ElementTree as ET
ns = {"mets": "http://www.loc.gov/METS/", "mods": "http://www.loc.gov/mods/v3", "xlink": "http://www.w3.org/1999/xlink"}
root = ET.parse(sys.argv[1]).getroot()
files = []
for f in root.iterfind(".//mets:fileSec//mets:file", ns):
    loc = f.find("mets:FLocat", ns)
    files.append({"id": f.get("ID"), "href": loc.get("{http://www.w3.org/1999/xlink}href"), "checksum": f.get("CHECKSUM"),
                  "type": f.get("CHECKSUMTYPE"), "size": f.get("SIZE"), "mime": f.get("MIMETYPE")})
maps = {}
for m in root.iterfind("mets:structMap", ns):
    maps[m.get("TYPE")] = [{"id": d.get("ID"), "type": d.get("TYPE"), "files": [p.get("FILEID") for p in d.iterfind("mets:fptr", ns)]}
                           for d in m.iter("{http://www.loc.gov/METS/}div")]
print(json.dumps({"files": files, "maps": maps, "title": root.findtext(".//mods:titleInfo/mods:title", namespaces=ns),
                  "rights": root.find(".//mets:rightsMD//{http://cosimo.stanford.edu/sdr/metsrights/}RightsDeclarationMD", ns).get("RIGHTSCATEGORY"),
                  "access": root.findtext(".//mods:accessCondition", namespaces=ns)}, ensure_ascii=False))
"#;

/// The page size and the words (content, box, confidence) of an ALTO file, with the
/// languages of its page and blocks.
const READ_ALTO: &str = r#"
import json, sys, xml.etree.ElementTree as ET
ns = {"a": "http://www.loc.gov/standards/alto/ns-v4#"}
root = ET.parse(sys.argv[1]).getroot()
page = root.find(".//a:Page", ns)
words = [{"content": s.get("CONTENT"), "box": [float(s.get(k)) for k in ("HPOS", "VPOS", "WIDTH", "HEIGHT")], "wc": float(s.get("WC"))}
         for s in root.iterfind(".//a:String", ns)]
print(json.dumps({"width": float(page.get("WIDTH")), "height": float(page.get("HEIGHT")), "lang": page.get("LANG"),
                  "blocks": [b.get("LANG") for b in root.iterfind(".//a:TextBlock", ns)],
                  "lines": len(root.findall(".//a:TextLine", ns)), "words": words,
                  "unit": root.findtext(".//a:MeasurementUnit", namespaces=ns),
                  "software": root.findtext(".//a:processingSoftware/a:softwareName", namespaces=ns)}, ensure_ascii=False))
"#;

fn sha256(path: &Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(fs::read(path).unwrap()))
}

#[test]
fn mets_packages_and_their_alto_validate_and_hold_what_the_rights_allow() {
    let archive = archive();
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("packages");
    let printed = stdout(&expect_code(olke(archive).args(["export", "mets", "--out"]).arg(&out), 0));
    assert!(printed.contains("3 METS packages") && printed.contains("1 described only"), "{printed}");

    // The book: its PDF and an ALTO per page, every file with its checksum.
    let book = out.join("copper");
    valid("mets-1-12-1.xsd", &book.join("mets.xml"));
    let mets = python(READ_METS, &[&book.join("mets.xml")]);
    assert_eq!(mets["title"], "The copper town");
    assert_eq!(mets["rights"], "PUBLIC DOMAIN");
    let with_checksum: Vec<&Value> =
        mets["files"].as_array().unwrap().iter().filter(|f| !f["checksum"].is_null()).collect();
    let hrefs: Vec<&str> = with_checksum.iter().map(|f| f["href"].as_str().unwrap()).collect();
    assert_eq!(hrefs, ["copper.pdf", "alto/0001.xml", "alto/0002.xml"]);
    for file in with_checksum {
        let path = book.join(file["href"].as_str().unwrap());
        assert_eq!(file["type"], "SHA-256");
        assert_eq!(file["checksum"].as_str().unwrap(), sha256(&path), "{}", path.display());
        assert_eq!(file["size"].as_str().unwrap(), fs::metadata(&path).unwrap().len().to_string());
    }
    assert_eq!(sha256(&book.join("copper.pdf")), sha256(&pdf_of(archive, "copper")), "the archived PDF, unchanged");
    let pdf_pages: Vec<&str> = mets["files"].as_array().unwrap().iter().filter_map(|f| f["href"].as_str()).collect();
    assert!(pdf_pages.contains(&"copper.pdf#page=2"), "{pdf_pages:?}");
    let physical = mets["maps"]["PHYSICAL"].as_array().unwrap();
    assert_eq!(physical[2], serde_json::json!({"id": "PHYS_0002", "type": "page", "files": ["PDF_0002", "ALTO_0002"]}));
    assert_eq!(mets["maps"]["LOGICAL"][0]["files"], serde_json::json!(["PDF"]));

    // Each ALTO validates, and holds the page record's words with their boxes.
    for number in 1..=2u32 {
        let file = book.join(format!("alto/{number:04}.xml"));
        valid("alto-4-4.xsd", &file);
        let alto = python(READ_ALTO, &[&file]);
        assert_eq!(alto["unit"], "pixel");
        assert_eq!(alto["software"], "olke");
        let record = record_json(archive, "copper");
        assert_eq!(alto["width"], record["pages"][number as usize - 1]["width"].as_f64().unwrap());
        assert_eq!(alto["height"], record["pages"][number as usize - 1]["height"].as_f64().unwrap());
        assert_eq!(alto["lang"], "en");
        assert!(alto["blocks"].as_array().unwrap().iter().any(|l| l == "en"), "{}", alto["blocks"]);
        let words: Vec<&str> =
            alto["words"].as_array().unwrap().iter().map(|w| w["content"].as_str().unwrap()).collect();
        let text = stdout(&expect_code(olke(archive).args(["text", "copper", "--page", &number.to_string()]), 0));
        assert_eq!(words, text.split_whitespace().collect::<Vec<_>>(), "the ALTO's words are the page's");
        assert!(words.len() > 10 && alto["lines"].as_u64().unwrap() >= 2, "{}", alto["lines"]);
        for word in alto["words"].as_array().unwrap() {
            let b: Vec<f64> = word["box"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
            assert!(b[2] > 0.0 && b[3] > 0.0 && b[0] + b[2] <= alto["width"].as_f64().unwrap(), "{word}");
            assert!(b[1] + b[3] <= alto["height"].as_f64().unwrap(), "{word}");
            let wc = word["wc"].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&wc), "{word}");
        }
    }

    // The article, under contract, has its files too.
    valid("mets-1-12-1.xsd", &out.join("gazeta/mets.xml"));
    valid("alto-4-4.xsd", &out.join("gazeta/alto/0001.xml"));
    assert_eq!(python(READ_ALTO, &[&out.join("gazeta/alto/0001.xml")])["lang"], "ru");

    // The book whose rights are not stated: described, without its PDF or text.
    let khat = out.join("khat");
    valid("mets-1-12-1.xsd", &khat.join("mets.xml"));
    let names: Vec<String> =
        fs::read_dir(&khat).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
    assert_eq!(names, ["mets.xml"]);
    let mets = python(READ_METS, &[&khat.join("mets.xml")]);
    assert_eq!(mets["files"], serde_json::json!([]));
    assert_eq!(mets["access"], "Copyright undetermined");
    assert_eq!(mets["maps"]["PHYSICAL"][1]["files"], serde_json::json!([]));

    // The checks can fail: an ALTO without its measurement unit, a METS file with an
    // unknown checksum type.
    let broken = tmp.path().join("broken.xml");
    let alto = fs::read_to_string(book.join("alto/0001.xml")).unwrap();
    fs::write(&broken, alto.replace("<MeasurementUnit>pixel</MeasurementUnit>", "")).unwrap();
    assert!(xmllint("alto-4-4.xsd", &broken).is_err());
    let mets = fs::read_to_string(book.join("mets.xml")).unwrap();
    fs::write(&broken, mets.replacen("SHA-256", "SHA-3", 1)).unwrap();
    assert!(xmllint("mets-1-12-1.xsd", &broken).is_err());

    // Exporting again replaces the packages; one document may be asked for; a folder that
    // is not a package is left alone.
    expect_code(olke(archive).args(["export", "mets", "khat", "--out"]).arg(&out), 0);
    fs::create_dir_all(tmp.path().join("other/khat")).unwrap();
    let refused = expect_code(olke(archive).args(["export", "mets", "khat", "--out"]).arg(tmp.path().join("other")), 1);
    assert!(stderr(&refused).contains("is not a METS package olke wrote"), "{}", stderr(&refused));
    let unknown = expect_code(olke(archive).args(["export", "mets", "nosuch", "--out"]).arg(&out), 1);
    assert!(stderr(&unknown).contains("no document nosuch"), "{}", stderr(&unknown));
    expect_code(olke(archive).args(["export", "mets"]), 2);
}

#[test]
fn marc_21_is_lint_clean_valid_and_catalogue_grade() {
    let archive = archive();
    let tmp = tempfile::tempdir().unwrap();
    let (iso, xml) = (tmp.path().join("catalogue.mrc"), tmp.path().join("catalogue.xml"));
    let base = "https://lib.example.kz/olke";
    expect_code(olke(archive).args(["export", "marc", "--base-url", base, "--out"]).arg(&iso), 0);
    expect_code(olke(archive).args(["export", "marcxml", "--base-url", base, "--out"]).arg(&xml), 0);

    let lint = run(Command::new("perl").arg("-e").arg(MARC_LINT).arg(&iso));
    assert!(
        lint.status.success(),
        "MARC::Lint could not run (libmarc-lint-perl, `scripts/install-deps.sh --test`):\n{}",
        stderr(&lint)
    );
    assert_eq!(stderr(&lint).trim(), "3 records");
    assert_eq!(stdout(&lint), "", "MARC::Lint warnings");
    valid("MARC21slim.xsd", &xml);

    let records = python(PYMARC, &[&iso]);
    let book = &records["copper"];
    let leader = book["leader"].as_str().unwrap();
    assert_eq!(&leader[5..10], "nam a");
    assert_eq!(&leader[17..19], "7i", "minimal level from a manifest, ISBD punctuation");
    assert_eq!(fields(book, "003"), ["KZ-BlkCL"]);
    assert_eq!(fields(book, "040"), ["  |$aKZ-BlkCL$cKZ-BlkCL"]);
    assert_eq!(&fields(book, "007")[0][..2], "cr");
    let fixed = &fields(book, "008")[0];
    assert_eq!(&fixed[6..15], "s1968    ");
    assert_eq!(&fixed[15..18], "kz ", "Балхаш is in Kazakhstan");
    assert_eq!(&fixed[23..24], "o");
    assert_eq!(&fixed[35..38], "eng");
    // Four authors: a title main entry, every author an added entry; «The» files as 4.
    assert_eq!(fields(book, "100"), Vec::<String>::new());
    assert_eq!(fields(book, "245"), ["04|$aThe copper town /$cJ. Smith, A.B. Brown, C. Green, D. White."]);
    assert_eq!(fields(book, "700"), ["1 |$aSmith, J.", "1 |$aBrown, A. B.", "1 |$aGreen, C.", "1 |$aWhite, D."]);
    assert_eq!(fields(book, "264"), [" 1|$aБалхаш :$bӨнер,$c1968."]);
    assert_eq!(fields(book, "300"), ["  |$a1 online resource (2 p.)"]);
    assert!(fields(book, "533")[0].starts_with("  |$aElectronic reproduction.$cГородская библиотека,$d20"));
    assert_eq!(fields(book, "856"), ["40|$uhttps://lib.example.kz/olke/documents/copper/copper.pdf$qapplication/pdf"]);

    let article = &records["gazeta"];
    assert_eq!(fields(article, "100"), ["1 |$aИванов, И. И."]);
    assert_eq!(fields(article, "245"), ["10|$aМедный город /$cИ.И. Иванов."]);
    assert_eq!(fields(article, "773"), ["0 |$tБалхашский рабочий$g1968. – 12 апреля (№ 44). – С. 2"]);
    assert_eq!(fields(article, "856").len(), 1, "a contract allows the PDF to be shown");

    // Undated, rights not stated: both dates unknown, copyright undetermined, no link.
    let undated = &records["khat"];
    assert_eq!(&fields(undated, "008")[0][6..18], "nuuuuuuuuxx ");
    assert_eq!(fields(undated, "245"), ["00|$aХат."]);
    assert_eq!(fields(undated, "540"), ["  |$aCopyright undetermined.$uhttp://rightsstatements.org/vocab/UND/1.0/"]);
    assert_eq!(fields(undated, "856"), Vec::<String>::new());
    assert_eq!(fields(undated, "264"), Vec::<String>::new());

    // The lint check can fail: a 245 without its closing full stop is flagged.
    let bad = tmp.path().join("bad.mrc");
    let bytes = fs::read(&iso).unwrap();
    let title = "$aХат.".replace('$', "\x1f");
    let at = bytes.windows(title.len()).position(|w| w == title.as_bytes()).unwrap();
    let mut changed = bytes.clone();
    changed[at + title.len() - 1] = b' ';
    fs::write(&bad, changed).unwrap();
    let lint = run(Command::new("perl").arg("-e").arg(MARC_LINT).arg(&bad));
    assert!(stdout(&lint).contains("khat: 245: Must end with . (period)."), "{}", stdout(&lint));
}

#[test]
fn a_library_code_that_is_not_one_is_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("archive");
    fs::create_dir_all(&archive).unwrap();
    fs::write(archive.join("olke.toml"), "[library]\nmarc_code = \"Балқаш кітапханасы\"\n").unwrap();
    let output = expect_code(olke(&archive).args(["export", "marc"]), 1);
    assert!(
        stderr(&output)
            .contains("library.marc_code = \"Балқаш кітапханасы\": expected the library's MARC organization code"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn unimarc_is_read_by_pymarc_with_rusmarc_fields() {
    let archive = archive();
    let tmp = tempfile::tempdir().unwrap();
    let iso = tmp.path().join("rusmarc.iso");
    let base = "https://lib.example.kz/olke";
    expect_code(olke(archive).args(["export", "unimarc", "--base-url", base, "--out"]).arg(&iso), 0);
    let records = python(PYMARC, &[&iso]);
    assert_eq!(records.as_object().unwrap().len(), 3);

    let book = &records["copper"];
    assert_eq!(&book["leader"].as_str().unwrap()[5..9], "nam0");
    assert_eq!(&book["leader"].as_str().unwrap()[20..24], "450 ");
    let general = &fields(book, "100")[0];
    assert_eq!(general.chars().count(), "  |$a".len() + 36);
    assert_eq!(&general[5 + 8..5 + 17], "d1968    ");
    assert_eq!(fields(book, "101"), ["0 |$aeng"]);
    assert_eq!(fields(book, "102"), ["  |$aKZ"]);
    assert_eq!(fields(book, "200"), ["1 |$aThe copper town$fJ. Smith, A. B. Brown, C. Green, D. White"]);
    assert_eq!(fields(book, "210"), ["  |$aБалхаш$cӨнер$d1968"]);
    assert_eq!(fields(book, "215"), ["  |$a1 online resource (2 p.)"]);
    assert_eq!(fields(book, "700"), Vec::<String>::new(), "four authors: none is the main entry");
    assert_eq!(fields(book, "701").len(), 4);
    assert_eq!(fields(book, "701")[1], " 1|$aBrown$bA. B.$4070");
    assert!(fields(book, "801")[0].starts_with(" 0|$aKZ$bKZ-BlkCL$c20"), "{:?}", fields(book, "801"));
    assert_eq!(fields(book, "856"), ["4 |$uhttps://lib.example.kz/olke/documents/copper/copper.pdf$qapplication/pdf"]);

    let article = &records["gazeta"];
    assert_eq!(&article["leader"].as_str().unwrap()[5..9], "naa2");
    assert_eq!(fields(article, "700"), [" 1|$aИванов$bИ. И.$4070"]);
    assert_eq!(fields(article, "461"), [" 0|$12001 $aБалхашский рабочий"]);
    assert_eq!(fields(article, "463"), [" 0|$12000 $a12 апреля (№ 44)$vС. 2$1210  $d1968"]);

    let undated = &records["khat"];
    assert_eq!(&fields(undated, "100")[0][5 + 8..5 + 17], "u        ");
    assert_eq!(fields(undated, "856"), Vec::<String>::new(), "no link without a rights statement");
    assert_eq!(fields(undated, "371"), ["1 |$aCopyright undetermined"]);
}

#[test]
fn jsonl_gives_page_text_where_rights_allow_and_opensearch_bulk_pairs() {
    let archive = archive();
    let bulk = stdout(&expect_code(olke(archive).args(["export", "jsonl", "--text", "--bulk", "opensearch"]), 0));
    let lines: Vec<Value> = bulk.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 6);
    let mut documents = std::collections::BTreeMap::new();
    for pair in lines.chunks(2) {
        let id = pair[0]["index"]["_id"].as_str().unwrap();
        assert_eq!(pair[0]["index"]["_index"], "olke");
        assert_eq!(pair[1]["id"], id, "the action names the document after it");
        documents.insert(id.to_string(), pair[1].clone());
    }
    let book = &documents["copper"];
    assert_eq!(book["year"], 1968);
    let text = book["text"].as_array().unwrap();
    assert_eq!(text.len(), 2);
    let page_two = stdout(&expect_code(olke(archive).args(["text", "copper", "--page", "2"]), 0));
    assert_eq!(text[1].as_str().unwrap().trim(), page_two.trim());
    let article = &documents["gazeta"];
    assert_eq!(article["date"], "1968-04-12");
    assert_eq!(article["year"], 1968);
    assert!(chrono::DateTime::parse_from_rfc3339(article["created"].as_str().unwrap()).is_ok());
    assert!(chrono::DateTime::parse_from_rfc3339(article["updated"].as_str().unwrap()).is_ok());
    assert_eq!(documents["khat"].get("text"), None, "no text of a work whose rights are not stated");
    assert_eq!(documents["khat"].get("year"), None);

    let plain = stdout(&expect_code(olke(archive).args(["export", "jsonl", "gazeta"]), 0));
    let lines: Vec<Value> = plain.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0].get("text"), None, "text only with --text");
    expect_code(olke(archive).args(["export", "marc", "--text"]), 2);
}
