//! OAI-PMH at `/oai` as a harvester sees it: `olke serve` on a test archive of more
//! records than one page of answers, harvested with Sickle (PyPI; installed by
//! `scripts/install-deps.sh --test`) over GET and POST, through resumption tokens; sets,
//! `from`/`until`, a deleted document, every error code of the protocol, and links only
//! to what the rights allow to be shown.

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use common::server::{http_get, Server};
use common::*;
use serde_json::{json, Value};

const REPOSITORY: &str = "archive.balqash.kz";

/// Five one-page documents (answers hold two): public-domain, in copyright (with a Kazakh
/// id), unstated rights, public domain, under an author's contract; in three collections.
fn fixture() -> &'static Path {
    static ARCHIVE: OnceLock<PathBuf> = OnceLock::new();
    shared_archive(&ARCHIVE, "oai-fixture", |batch, archive| {
        small_batch(batch, 5);
        fs::write(
            batch.join("batch.csv"),
            "files,id,type,title,authors,year,language,collections,rights\n\
             doc-01.png,doc-01,book,Медный город,\"Иванов, И. И.\",1968,rus,Балқаш тарихы; Өлкетану,public_domain\n\
             doc-02.png,қамшы,book,Қамшы,\"Кәрім, Н.\",2016,kaz,Өлкетану,in_copyright\n\
             doc-03.png,doc-03,,Без описания прав,,,rus,,\n\
             doc-04.png,doc-04,book,Ағыбай батыр,,1990,kaz,Батырлар,public_domain\n\
             doc-05.png,doc-05,book,Балқаш,\"Шөженов, Ж.\",2019,kaz,Балқаш тарихы,author_contract\n",
        )
        .unwrap();
        expect_code(olke(archive).arg("ingest").arg(batch), 0);
        fs::write(
            archive.join("olke.toml"),
            format!(
                "[library]\nname_kk = \"Балқаш қалалық кітапханасы\"\nname_ru = \"Балхашская городская библиотека\"\n\
                 email = \"olke@balqash.kz\"\n[oai]\nrepository_id = \"{REPOSITORY}\"\npage_size = 2\n"
            ),
        )
        .unwrap();
    })
}

/// Sickle's calls, given as JSON (`[{"call": "ListRecords", "args": {...}}, ...]`), each
/// answered with what Sickle made of the response: its items, or the name of the
/// exception it raised for the OAI error; and how many HTTP requests it took.
const HARVESTER: &str = r#"
import json, sys
from lxml import etree
from sickle import Sickle
from sickle.iterator import OAIResponseIterator

url, method, calls, marc_xsd = sys.argv[1], sys.argv[2], json.loads(sys.argv[3]), sys.argv[4]
sickle = Sickle(url, http_method=method)
requests = []
harvest = sickle.harvest
def counted(**kwargs):
    requests.append(kwargs)
    return harvest(**kwargs)
sickle.harvest = counted
MARC = "{http://www.loc.gov/MARC21/slim}"
marc_schema = etree.XMLSchema(etree.parse(marc_xsd))

def header(h):
    return {"identifier": h.identifier, "datestamp": h.datestamp, "sets": h.setSpecs, "deleted": h.deleted}

def marc(record):
    element = record.xml.find(".//" + MARC + "record")
    if element is None:
        return None
    subfields = lambda tag, code: [s.text for s in element.findall(
        f"{MARC}datafield[@tag='{tag}']/{MARC}subfield[@code='{code}']")]
    return {"valid": marc_schema.validate(etree.fromstring(etree.tostring(element))),
            "245a": subfields("245", "a"), "856u": subfields("856", "u")}

def item(value):
    name = type(value).__name__
    if name == "Record":
        out = header(value.header)
        out["metadata"] = None if value.header.deleted else value.metadata
        out["marc"] = marc(value)
        return out
    if name == "Header":
        return header(value)
    if name == "Set":
        return {"spec": value.setSpec, "name": value.setName}
    if name == "MetadataFormat":
        return {"prefix": value.metadataPrefix}
    raise TypeError(name)

answers = []
for call in calls:
    before = len(requests)
    try:
        verb, args = call["call"], call.get("args", {})
        if verb == "Identify":
            result = dict(sickle.Identify())
        elif verb == "raw":
            result = [etree.tostring(next(OAIResponseIterator(sickle, dict(args))).xml).decode()]
        elif verb == "GetRecord":
            result = [item(sickle.GetRecord(**args))]
        else:
            result = [item(v) for v in getattr(sickle, verb)(**args)]
        answers.append({"items": result, "requests": len(requests) - before})
    except Exception as error:
        answers.append({"error": type(error).__name__, "message": str(error), "requests": len(requests) - before})
print(json.dumps(answers))
"#;

fn harvest(server: &Server, method: &str, calls: Value) -> Vec<Value> {
    let xsd = schema("MARC21slim.xsd");
    let output = run(Command::new("python3")
        .arg("-c")
        .arg(HARVESTER)
        .arg(format!("{}/oai", server.url))
        .arg(method)
        .arg(calls.to_string())
        .arg(&xsd));
    assert!(output.status.success(), "the harvester failed: {}", stderr(&output));
    let answers: Value = serde_json::from_str(&stdout(&output)).unwrap();
    answers.as_array().unwrap().clone()
}

fn items(answer: &Value) -> &Vec<Value> {
    answer["items"].as_array().unwrap_or_else(|| panic!("an error: {answer}"))
}

fn identifier(id: &str) -> String {
    let local: String = id
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("oai:{REPOSITORY}:{local}")
}

fn identifiers(answer: &Value) -> Vec<String> {
    items(answer).iter().map(|i| i["identifier"].as_str().unwrap().to_string()).collect()
}

fn served(archive: &Path) -> (tempfile::TempDir, Server) {
    let tmp = tempfile::tempdir().unwrap();
    let copy = archive_copy(archive, tmp.path());
    let (server, _) = Server::start(&copy, None);
    (tmp, server)
}

fn all_ids() -> Vec<String> {
    ["doc-01", "doc-03", "doc-04", "doc-05", "қамшы"].iter().map(|id| identifier(id)).collect()
}

#[test]
fn a_harvester_walks_every_record_through_resumption_tokens_by_get_and_post() {
    let (_tmp, server) = served(fixture());
    for method in ["GET", "POST"] {
        let answers = harvest(
            &server,
            method,
            json!([
                {"call": "Identify"},
                {"call": "ListRecords", "args": {"metadataPrefix": "oai_dc"}},
                {"call": "ListIdentifiers", "args": {"metadataPrefix": "marc21"}},
                {"call": "ListRecords", "args": {"metadataPrefix": "marc21"}},
                {"call": "ListMetadataFormats"},
            ]),
        );
        let identify = &answers[0]["items"];
        assert_eq!(identify["baseURL"], json!([format!("{}/oai", server.url)]));
        assert_eq!(identify["protocolVersion"], json!(["2.0"]));
        assert_eq!(identify["granularity"], json!(["YYYY-MM-DDThh:mm:ssZ"]));
        assert_eq!(identify["deletedRecord"], json!(["transient"]));
        assert_eq!(identify["adminEmail"], json!(["olke@balqash.kz"]));
        assert!(identify["repositoryName"][0].as_str().unwrap().contains("Балқаш қалалық кітапханасы"));

        // Five records, two an answer: three requests, two of them with a token.
        let mut ids = identifiers(&answers[1]);
        assert_eq!(answers[1]["requests"], 3, "{method}");
        ids.sort();
        let mut expected = all_ids();
        expected.sort();
        assert_eq!(ids, expected, "{method}: every record once");
        assert_eq!(identifiers(&answers[2]).len(), 5);
        assert_eq!(answers[2]["requests"], 3);

        let records = items(&answers[1]);
        let record = |id: &str| records.iter().find(|r| r["identifier"] == identifier(id)).unwrap();
        let gazeta = &record("doc-01")["metadata"];
        assert_eq!(gazeta["title"], json!(["Медный город"]));
        assert_eq!(gazeta["creator"], json!(["Иванов, И. И."]));
        assert_eq!(gazeta["language"], json!(["rus"]));
        assert!(gazeta["rights"]
            .as_array()
            .unwrap()
            .contains(&json!("http://creativecommons.org/publicdomain/mark/1.0/")));
        let doc = format!("{}/doc/doc-01", server.url);
        assert_eq!(gazeta["identifier"], json!([doc, format!("{doc}/pdf")]), "links to what may be shown");
        // In copyright, unstated rights: described, never linked.
        for id in ["қамшы", "doc-03"] {
            assert_eq!(record(id)["metadata"].get("identifier"), None, "{id}: {}", record(id));
        }
        assert!(record("doc-03")["metadata"]["rights"]
            .as_array()
            .unwrap()
            .contains(&json!("http://rightsstatements.org/vocab/UND/1.0/")));
        let sets = &record("doc-01")["sets"];
        assert_eq!(sets.as_array().unwrap().len(), 2);

        // MARCXML, valid against MARC21slim.xsd; the PDF linked only where it may be shown.
        let marc = items(&answers[3]);
        assert_eq!(marc.len(), 5);
        for record in marc {
            assert_eq!(record["marc"]["valid"], true, "{record}");
        }
        let marc_of = |id: &str| &marc.iter().find(|r| r["identifier"] == identifier(id)).unwrap()["marc"];
        assert_eq!(
            marc_of("қамшы")["245a"],
            json!(["Қамшы /"]),
            "ISBD: the title proper, then / before the statement of responsibility"
        );
        assert_eq!(marc_of("қамшы")["856u"], json!([]));
        assert_eq!(marc_of("doc-04")["856u"], json!([format!("{}/doc/doc-04/pdf", server.url)]));

        let formats: Vec<&str> = items(&answers[4]).iter().map(|f| f["prefix"].as_str().unwrap()).collect();
        assert_eq!(formats, ["oai_dc", "marc21"]);
    }

    // The tokens: cursor and completeListSize, the last answer's token empty.
    let first = http_get(server.port, "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").unwrap();
    assert!(first.contains("completeListSize=\"5\" cursor=\"0\""), "{first}");
    let token = |answer: &str| {
        let start = answer.find("cursor=").and_then(|at| answer[at..].find('>').map(|end| at + end + 1)).unwrap();
        answer[start..start + answer[start..].find('<').unwrap()].to_string()
    };
    let second =
        http_get(server.port, &format!("/oai?verb=ListIdentifiers&resumptionToken={}", token(&first))).unwrap();
    assert!(second.contains("completeListSize=\"5\" cursor=\"2\""), "{second}");
    let third =
        http_get(server.port, &format!("/oai?verb=ListIdentifiers&resumptionToken={}", token(&second))).unwrap();
    assert!(third.contains("completeListSize=\"5\" cursor=\"4\"></resumptionToken>"), "{third}");
}

#[test]
fn sets_and_dates_select_records() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    // One record changed a while after the others were archived.
    std::thread::sleep(Duration::from_millis(1100));
    let changed_at = chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string();
    expect_code(olke(&archive).args(["catalog", "set", "doc-04", "title", "Ағыбай батыр (1990)"]), 0);
    let (server, _) = Server::start(&archive, None);

    let sets = harvest(&server, "GET", json!([{"call": "ListSets"}]));
    let sets: Vec<(String, String)> = items(&sets[0])
        .iter()
        .map(|s| (s["spec"].as_str().unwrap().to_string(), s["name"].as_str().unwrap().to_string()))
        .collect();
    let names: Vec<&str> = sets.iter().map(|(_, name)| name.as_str()).collect();
    assert_eq!(names, ["Балқаш тарихы", "Батырлар", "Өлкетану"]);
    for (spec, _) in &sets {
        assert!(spec.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'), "{spec}");
    }
    let spec = |name: &str| sets.iter().find(|(_, n)| n == name).unwrap().0.clone();
    assert!(spec("Балқаш тарихы").starts_with("balqash-tarikhy-"));

    let today = &changed_at[..10];
    let answers = harvest(
        &server,
        "GET",
        json!([
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "set": spec("Балқаш тарихы")}},
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "set": spec("Өлкетану")}},
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "from": changed_at}},
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "from": today, "until": today}},
            {"call": "ListRecords", "args": {"metadataPrefix": "oai_dc", "until": "2000-01-01"}},
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "set": "no-such-set"}},
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "set": spec("Батырлар"), "from": changed_at}},
        ]),
    );
    let mut set_ids = identifiers(&answers[0]);
    set_ids.sort();
    assert_eq!(set_ids, [identifier("doc-01"), identifier("doc-05")]);
    let mut set_ids = identifiers(&answers[1]);
    set_ids.sort();
    let mut expected = [identifier("doc-01"), identifier("қамшы")];
    expected.sort();
    assert_eq!(set_ids, expected);
    assert_eq!(identifiers(&answers[2]), [identifier("doc-04")], "only the record changed since");
    assert!(items(&answers[2])[0]["datestamp"].as_str().unwrap() >= changed_at.as_str());
    assert_eq!(identifiers(&answers[3]).len(), 5, "a day's until takes the whole day");
    assert_eq!(answers[4]["error"], "NoRecordsMatch");
    assert_eq!(answers[5]["error"], "NoRecordsMatch");
    assert_eq!(identifiers(&answers[6]), [identifier("doc-04")]);
}

#[test]
fn every_error_code_of_the_protocol() {
    let (_tmp, server) = served(fixture());
    let raw = |args: Value| json!({"call": "raw", "args": args});
    let cases = [
        (raw(json!({"verb": "Frobnicate"})), "BadVerb"),
        (raw(json!({})), "BadVerb"),
        (raw(json!({"verb": "Identify", "metadataPrefix": "oai_dc"})), "BadArgument"),
        (raw(json!({"verb": "ListRecords"})), "BadArgument"),
        (raw(json!({"verb": "GetRecord", "metadataPrefix": "oai_dc"})), "BadArgument"),
        (raw(json!({"verb": "GetRecord", "metadataPrefix": "mods"})), "BadArgument"),
        (raw(json!({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "yesterday"})), "BadArgument"),
        (
            raw(
                json!({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2024-01-01", "until": "2024-01-02T00:00:00Z"}),
            ),
            "BadArgument",
        ),
        (raw(json!({"verb": "ListRecords", "metadataPrefix": "oai_dc", "resumptionToken": "00"})), "BadArgument"),
        (raw(json!({"verb": "ListRecords", "resumptionToken": "not-a-token"})), "BadResumptionToken"),
        (raw(json!({"verb": "ListRecords", "resumptionToken": "6f6f"})), "BadResumptionToken"),
        (raw(json!({"verb": "ListSets", "resumptionToken": "6f6f"})), "BadResumptionToken"),
        (raw(json!({"verb": "ListRecords", "metadataPrefix": "mods"})), "CannotDisseminateFormat"),
        (
            raw(json!({"verb": "GetRecord", "metadataPrefix": "ese", "identifier": identifier("doc-01")})),
            "CannotDisseminateFormat",
        ),
        (
            raw(json!({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": identifier("doc-99")})),
            "IdDoesNotExist",
        ),
        (
            raw(json!({"verb": "GetRecord", "metadataPrefix": "oai_dc", "identifier": "oai:other.kz:doc-01"})),
            "IdDoesNotExist",
        ),
        (raw(json!({"verb": "ListMetadataFormats", "identifier": "doc-01"})), "IdDoesNotExist"),
        (raw(json!({"verb": "ListRecords", "metadataPrefix": "oai_dc", "from": "2999-01-01"})), "NoRecordsMatch"),
    ];
    let calls: Vec<Value> = cases.iter().map(|(call, _)| call.clone()).collect();
    let answers = harvest(&server, "GET", Value::Array(calls));
    for ((call, expected), answer) in cases.iter().zip(&answers) {
        assert_eq!(answer["error"], *expected, "{call}: {answer}");
    }
    // A repeated argument (which a dictionary of arguments cannot hold): by hand.
    let repeated = http_get(server.port, "/oai?verb=ListRecords&metadataPrefix=oai_dc&metadataPrefix=marc21").unwrap();
    assert!(repeated.contains("<error code=\"badArgument\">"), "{repeated}");
    assert!(repeated.contains("<request>"), "a bad request is echoed without its arguments: {repeated}");
    // A token of ListRecords does not go on with ListIdentifiers.
    let first = http_get(server.port, "/oai?verb=ListRecords&metadataPrefix=oai_dc").unwrap();
    let at = first.find("cursor=\"0\">").unwrap() + 11;
    let token = &first[at..at + first[at..].find('<').unwrap()];
    let other = http_get(server.port, &format!("/oai?verb=ListIdentifiers&resumptionToken={token}")).unwrap();
    assert!(other.contains("<error code=\"badResumptionToken\">"), "{other}");

    // noSetHierarchy and noMetadataFormats: an archive with no collections, and a deleted
    // document (see the next test for how deletion is noticed).
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    for id in ["doc-01", "қамшы", "doc-04", "doc-05"] {
        expect_code(olke(&archive).args(["catalog", "set", id, "collections", ""]), 0);
    }
    let (bare, _) = Server::start(&archive, None);
    let answers = harvest(
        &bare,
        "GET",
        json!([
            {"call": "ListSets"},
            {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc", "set": "batyrlar"}},
        ]),
    );
    assert_eq!(answers[0]["error"], "NoSetHierarchy");
    assert_eq!(answers[1]["error"], "NoSetHierarchy");
}

/// A document removed (its folder deleted, then `olke verify --repair`, the way olke takes
/// a document out) while the server runs is reported deleted, in its sets.
#[test]
fn a_removed_document_is_reported_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = archive_copy(fixture(), tmp.path());
    let (server, _) = Server::start(&archive, None);
    let before = harvest(&server, "GET", json!([{"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc"}}]));
    assert_eq!(identifiers(&before[0]).len(), 5);
    // A harvest begun before the removal, to finish after it.
    let first = http_get(server.port, "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc").unwrap();
    let at = first.find("cursor=\"0\">").unwrap() + 11;
    let token = first[at..at + first[at..].find('<').unwrap()].to_string();

    fs::remove_dir_all(archive.join("documents").join("doc-05")).unwrap();
    verify(&archive, &["--repair"]);
    let gone = identifier("doc-05");
    let mut answers = Vec::new();
    for _ in 0..100 {
        answers = harvest(
            &server,
            "POST",
            json!([
                {"call": "ListIdentifiers", "args": {"metadataPrefix": "oai_dc"}},
                {"call": "ListRecords", "args": {"metadataPrefix": "marc21"}},
                {"call": "GetRecord", "args": {"metadataPrefix": "oai_dc", "identifier": gone}},
            ]),
        );
        if items(&answers[0]).iter().any(|h| h["deleted"] == true) {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let headers = items(&answers[0]);
    assert_eq!(headers.len(), 5, "the deleted one is still listed");
    let deleted: Vec<&Value> = headers.iter().filter(|h| h["deleted"] == true).collect();
    assert_eq!(deleted.len(), 1, "{headers:?}");
    assert_eq!(deleted[0]["identifier"], gone);
    assert_eq!(deleted[0]["sets"].as_array().unwrap().len(), 1, "in the set it was in");
    let in_marc = items(&answers[1]).iter().find(|r| r["identifier"] == gone).unwrap();
    assert_eq!(in_marc["deleted"], true);
    assert_eq!(in_marc["marc"], Value::Null, "no metadata for a deleted record");
    assert_eq!(items(&answers[2])[0]["deleted"], true);

    // The harvest begun before goes on where it was: nothing twice, nothing skipped.
    let mut rest = Vec::new();
    let mut next = token;
    while !next.is_empty() {
        let page = http_get(server.port, &format!("/oai?verb=ListIdentifiers&resumptionToken={next}")).unwrap();
        rest.extend(page.split("<identifier>").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()));
        let at = page.find("<resumptionToken").and_then(|at| page[at..].find('>').map(|end| at + end + 1)).unwrap();
        next = page[at..at + page[at..].find('<').unwrap()].to_string();
    }
    let first_page: Vec<String> =
        first.split("<identifier>").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()).collect();
    let mut all: Vec<String> = first_page.into_iter().chain(rest).collect();
    all.sort();
    let mut expected = all_ids();
    expected.sort();
    assert_eq!(all, expected);
    // Sickle knows this code as "noMetadataFormat" (a typo of its own): read it by hand.
    let formats = http_get(server.port, &format!("/oai?verb=ListMetadataFormats&identifier={gone}")).unwrap();
    assert!(formats.contains("<error code=\"noMetadataFormats\">"), "{formats}");

    // It stays deleted after a restart: the server remembers what it saw.
    drop(server);
    let (again, _) = Server::start(&archive, None);
    let answers = harvest(
        &again,
        "GET",
        json!([{"call": "GetRecord", "args": {"metadataPrefix": "oai_dc", "identifier": gone}}]),
    );
    assert_eq!(items(&answers[0])[0]["deleted"], true);
}
