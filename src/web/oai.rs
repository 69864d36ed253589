//! OAI-PMH 2.0 at `/oai` (GET, or POST of a form), for union catalogues and aggregators
//! that harvest the archive's descriptions.
//!
//! - Identifiers are `oai:REPOSITORY:ID`: REPOSITORY is `[oai] repository_id` (see
//!   [`crate::config::Oai`]), ID the document's id with every byte outside ASCII letters,
//!   digits and `-_.` percent-encoded (ids may be Kazakh words; the identifier scheme allows
//!   only ASCII).
//! - Formats: `oai_dc` (Dublin Core) and `marc21` (the MARCXML record of `olke export`).
//! - Sets are the collections. A setSpec is the collection's name transliterated to
//!   lower-case ASCII (Kazakh and Russian letters by [`transliterate`], any other run of
//!   characters as one `-`, at most 40 characters), then `-` and the first 8 hex digits of
//!   the SHA-256 of the name as written: «Балқаш тарихы» is `balqash-tarikhy-…`. The
//!   digest keeps two names that transliterate alike apart, and the setSpec stays as long
//!   as the name does.
//! - Datestamps are the record's last change (`updated`) in UTC, to the second.
//! - Lists come `[oai] page_size` at a time in the ids' natural order; a resumption token
//!   carries the request and the last id given, so documents added, changed or removed
//!   between pages neither repeat nor shift what follows.
//! - Deleted records: see [`deleted`].
//! - Links (the document's page, its PDF) are given only for documents whose rights allow
//!   them to be shown, read afresh for every record sent.

mod deleted;

use std::cmp::Ordering;
use std::fmt::Write as _;
use std::sync::Arc;

use crate::export::xml::escaped as escape;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sha2::{Digest, Sha256};

pub(crate) use deleted::{reconcile, Gone};

use super::{public_url, AppState};
use crate::index::document::type_name;
use crate::record::rights_statements::statement;
use crate::record::DocumentRecord;

const DATESTAMP: &str = "%Y-%m-%dT%H:%M:%SZ";

/// Answers a harvester's GET.
pub(super) async fn get(State(state): State<Arc<AppState>>, headers: HeaderMap, RawQuery(query): RawQuery) -> Response {
    answer(state, &headers, query.unwrap_or_default().as_bytes()).await
}

/// Answers a harvester's POST (`application/x-www-form-urlencoded`, as the protocol says).
pub(super) async fn post(State(state): State<Arc<AppState>>, headers: HeaderMap, body: Bytes) -> Response {
    answer(state, &headers, &body).await
}

async fn answer(state: Arc<AppState>, headers: &HeaderMap, arguments: &[u8]) -> Response {
    let pairs: Vec<(String, String)> = form_urlencoded::parse(arguments).into_owned().collect();
    let base_url = format!("{}/oai", public_url(&state.config, headers));
    state.refresh();
    match tokio::task::spawn_blocking(move || respond(&state, &base_url, &pairs, Utc::now())).await {
        Ok(xml) => ([(CONTENT_TYPE, "text/xml; charset=utf-8")], xml).into_response(),
        Err(e) => super::WebError::internal(e).into_response(),
    }
}

/// An OAI-PMH error: its code and what is wrong.
#[derive(Debug)]
struct OaiError {
    code: &'static str,
    message: String,
}

fn error(code: &'static str, message: impl Into<String>) -> OaiError {
    OaiError { code, message: message.into() }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verb {
    Identify,
    ListMetadataFormats,
    ListSets,
    ListIdentifiers,
    ListRecords,
    GetRecord,
}

impl Verb {
    const ALL: [Verb; 6] = [
        Verb::Identify,
        Verb::ListMetadataFormats,
        Verb::ListSets,
        Verb::ListIdentifiers,
        Verb::ListRecords,
        Verb::GetRecord,
    ];

    fn name(self) -> &'static str {
        match self {
            Verb::Identify => "Identify",
            Verb::ListMetadataFormats => "ListMetadataFormats",
            Verb::ListSets => "ListSets",
            Verb::ListIdentifiers => "ListIdentifiers",
            Verb::ListRecords => "ListRecords",
            Verb::GetRecord => "GetRecord",
        }
    }

    /// The arguments the verb takes besides itself.
    fn arguments(self) -> &'static [&'static str] {
        match self {
            Verb::Identify => &[],
            Verb::ListMetadataFormats => &["identifier"],
            Verb::ListSets => &["resumptionToken"],
            Verb::ListIdentifiers | Verb::ListRecords => &["metadataPrefix", "from", "until", "set", "resumptionToken"],
            Verb::GetRecord => &["identifier", "metadataPrefix"],
        }
    }
}

/// The metadata formats disseminated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Dc,
    Marc21,
}

impl Format {
    const ALL: [Format; 2] = [Format::Dc, Format::Marc21];

    fn parse(prefix: &str) -> Result<Format, OaiError> {
        Format::ALL.into_iter().find(|f| f.prefix() == prefix).ok_or_else(|| {
            error("cannotDisseminateFormat", format!("'{prefix}' is not a format of this repository (oai_dc, marc21)"))
        })
    }

    fn prefix(self) -> &'static str {
        match self {
            Format::Dc => "oai_dc",
            Format::Marc21 => "marc21",
        }
    }

    fn schema(self) -> &'static str {
        match self {
            Format::Dc => "http://www.openarchives.org/OAI/2.0/oai_dc.xsd",
            Format::Marc21 => "http://www.loc.gov/standards/marcxml/schema/MARC21slim.xsd",
        }
    }

    fn namespace(self) -> &'static str {
        match self {
            Format::Dc => "http://www.openarchives.org/OAI/2.0/oai_dc/",
            Format::Marc21 => "http://www.loc.gov/MARC21/slim",
        }
    }
}

/// The request's arguments, each given once.
struct Arguments<'a> {
    verb: Verb,
    given: Vec<(&'a str, &'a str)>,
}

impl<'a> Arguments<'a> {
    fn parse(pairs: &'a [(String, String)]) -> Result<Arguments<'a>, OaiError> {
        let verbs: Vec<&str> = pairs.iter().filter(|(k, _)| k == "verb").map(|(_, v)| v.as_str()).collect();
        let verb = match verbs[..] {
            [] => return Err(error("badVerb", "no verb")),
            [one] => Verb::ALL
                .into_iter()
                .find(|v| v.name() == one)
                .ok_or_else(|| error("badVerb", format!("'{one}' is not a verb of OAI-PMH")))?,
            _ => return Err(error("badVerb", "the verb is given more than once")),
        };
        let mut given: Vec<(&str, &str)> = Vec::new();
        for (key, value) in pairs.iter().filter(|(k, _)| k != "verb") {
            if !verb.arguments().contains(&key.as_str()) {
                return Err(error("badArgument", format!("{} takes no argument '{key}'", verb.name())));
            }
            if given.iter().any(|(k, _)| k == key) {
                return Err(error("badArgument", format!("'{key}' is given more than once")));
            }
            given.push((key, value));
        }
        let arguments = Arguments { verb, given };
        if arguments.get("resumptionToken").is_some() && arguments.given.len() > 1 {
            return Err(error("badArgument", "resumptionToken is an exclusive argument"));
        }
        Ok(arguments)
    }

    fn get(&self, key: &str) -> Option<&'a str> {
        self.given.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    fn required(&self, key: &str) -> Result<&'a str, OaiError> {
        self.get(key).ok_or_else(|| error("badArgument", format!("{} needs '{key}'", self.verb.name())))
    }
}

/// The whole response to `pairs`.
fn respond(state: &AppState, base_url: &str, pairs: &[(String, String)], now: DateTime<Utc>) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<OAI-PMH xmlns=\"http://www.openarchives.org/OAI/2.0/\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/ \
         http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd\">\n",
    );
    let _ = writeln!(xml, "<responseDate>{}</responseDate>", now.format(DATESTAMP));
    let request = |attributes: &[(String, String)]| {
        let attributes: String =
            attributes.iter().map(|(k, v)| format!(" {}=\"{}\"", escape(k.as_str()), escape(v.as_str()))).collect();
        format!("<request{attributes}>{}</request>\n", escape(base_url))
    };
    let body = Arguments::parse(pairs).and_then(|arguments| {
        let repository = Repository::new(state, base_url);
        repository.answer(&arguments).map(|body| (arguments.verb, body))
    });
    match body {
        Ok((verb, body)) => {
            xml.push_str(&request(pairs));
            let _ = write!(xml, "<{0}>\n{body}</{0}>\n", verb.name());
        }
        Err(e) => {
            // A request with a bad verb or arguments is echoed without them.
            let echoed = if matches!(e.code, "badVerb" | "badArgument") { &[][..] } else { pairs };
            xml.push_str(&request(echoed));
            let _ = writeln!(xml, "<error code=\"{}\">{}</error>", e.code, escape(e.message.as_str()));
        }
    }
    xml.push_str("</OAI-PMH>\n");
    xml
}

/// A record of the repository: a document, or one that is gone.
#[derive(Clone, Copy)]
enum Item<'a> {
    Live(&'a DocumentRecord),
    Gone(&'a Gone),
}

impl Item<'_> {
    fn id(&self) -> &str {
        match self {
            Item::Live(record) => &record.id,
            Item::Gone(gone) => &gone.id,
        }
    }

    fn datestamp(&self) -> DateTime<Utc> {
        match self {
            Item::Live(record) => record.updated,
            Item::Gone(gone) => gone.since,
        }
    }

    fn collections(&self) -> &[String] {
        match self {
            Item::Live(record) => &record.bib.collections,
            Item::Gone(gone) => &gone.collections,
        }
    }
}

/// The repository as the snapshot of the archive holds it.
struct Repository<'a> {
    state: &'a AppState,
    snapshot: Arc<super::Snapshot>,
    base_url: &'a str,
    name: String,
}

impl<'a> Repository<'a> {
    fn new(state: &'a AppState, base_url: &'a str) -> Repository<'a> {
        Repository {
            state,
            snapshot: state.loaded_snapshot(),
            base_url,
            name: state.config.oai.repository(&state.config.publish),
        }
    }

    fn answer(&self, arguments: &Arguments) -> Result<String, OaiError> {
        match arguments.verb {
            Verb::Identify => Ok(self.identify()),
            Verb::ListMetadataFormats => self.list_metadata_formats(arguments.get("identifier")),
            Verb::ListSets => self.list_sets(arguments.get("resumptionToken")),
            Verb::GetRecord => {
                // Both present before either is judged: a missing one is badArgument.
                let (prefix, identifier) = (arguments.required("metadataPrefix")?, arguments.required("identifier")?);
                let format = Format::parse(prefix)?;
                let item = self.item(identifier)?;
                self.record(item, format)?.ok_or_else(|| {
                    error(
                        "cannotDisseminateFormat",
                        format!("{identifier} cannot be made a {} record", format.prefix()),
                    )
                })
            }
            Verb::ListIdentifiers | Verb::ListRecords => {
                let list = match arguments.get("resumptionToken") {
                    Some(token) => List::resume(token, arguments.verb)?,
                    None => List::new(arguments)?,
                };
                self.list(&list)
            }
        }
    }

    /// Every record, gone ones too, in the natural order of their ids.
    fn items(&self) -> Vec<Item<'_>> {
        let mut items: Vec<Item> = self.snapshot.documents.iter().map(Item::Live).collect();
        items.extend(self.snapshot.gone.iter().map(Item::Gone));
        items.sort_by(|a, b| natord::compare(a.id(), b.id()));
        items
    }

    fn identifier(&self, id: &str) -> String {
        format!("oai:{}:{}", self.name, local_identifier(id))
    }

    /// The item an OAI identifier names.
    fn item(&self, identifier: &str) -> Result<Item<'_>, OaiError> {
        let missing = || error("idDoesNotExist", format!("{identifier} is not an identifier of this repository"));
        let local = identifier.strip_prefix("oai:").and_then(|rest| rest.strip_prefix(self.name.as_str()));
        let local = local.and_then(|rest| rest.strip_prefix(':')).ok_or_else(missing)?;
        let id = percent_encoding::percent_decode_str(local).decode_utf8().map_err(|_| missing())?;
        if let Some(record) = self.snapshot.get(&id) {
            return Ok(Item::Live(record));
        }
        self.snapshot.gone.iter().find(|g| g.id == id).map(Item::Gone).ok_or_else(missing)
    }

    fn identify(&self) -> String {
        let config = &self.state.config;
        let earliest = self.items().iter().map(Item::datestamp).min().unwrap_or(DateTime::UNIX_EPOCH);
        let email = match config.library.email.trim() {
            "" => format!("postmaster@{}", self.name),
            email => email.to_string(),
        };
        let sample = self.identifier(self.snapshot.documents.first().map_or("document", |d| d.id.as_str()));
        format!(
            "<repositoryName>{} / {}</repositoryName>\n<baseURL>{}</baseURL>\n<protocolVersion>2.0</protocolVersion>\n\
             <adminEmail>{}</adminEmail>\n<earliestDatestamp>{}</earliestDatestamp>\n<deletedRecord>transient</deletedRecord>\n\
             <granularity>YYYY-MM-DDThh:mm:ssZ</granularity>\n<description>\n\
             <oai-identifier xmlns=\"http://www.openarchives.org/OAI/2.0/oai-identifier\" \
             xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai-identifier http://www.openarchives.org/OAI/2.0/oai-identifier.xsd\">\n\
             <scheme>oai</scheme>\n<repositoryIdentifier>{}</repositoryIdentifier>\n<delimiter>:</delimiter>\n\
             <sampleIdentifier>{}</sampleIdentifier>\n</oai-identifier>\n</description>\n",
            escape(config.library.name_kk.as_str()),
            escape(config.library.name_ru.as_str()),
            escape(self.base_url),
            escape(email.as_str()),
            earliest.format(DATESTAMP),
            escape(self.name.as_str()),
            escape(sample.as_str()),
        )
    }

    fn list_metadata_formats(&self, identifier: Option<&str>) -> Result<String, OaiError> {
        let formats: Vec<Format> = match identifier {
            None => Format::ALL.to_vec(),
            Some(identifier) => match self.item(identifier)? {
                Item::Gone(_) => {
                    return Err(error("noMetadataFormats", format!("{identifier} is deleted: it has no metadata")))
                }
                Item::Live(record) => Format::ALL
                    .into_iter()
                    .filter(|f| *f == Format::Dc || marc21(record, None, &self.state.config.library).is_some())
                    .collect(),
            },
        };
        Ok(formats
            .into_iter()
            .map(|f| {
                format!(
                    "<metadataFormat><metadataPrefix>{}</metadataPrefix><schema>{}</schema>\
                     <metadataNamespace>{}</metadataNamespace></metadataFormat>\n",
                    f.prefix(),
                    f.schema(),
                    f.namespace()
                )
            })
            .collect())
    }

    fn list_sets(&self, token: Option<&str>) -> Result<String, OaiError> {
        if let Some(token) = token {
            // Every set is in the first answer: no token was ever given for the rest.
            return Err(error("badResumptionToken", format!("'{token}' was not given by this repository")));
        }
        if self.snapshot.collections.is_empty() {
            return Err(error("noSetHierarchy", "no document is filed in a collection"));
        }
        Ok(self
            .snapshot
            .collections
            .iter()
            .map(|c| {
                format!(
                    "<set><setSpec>{}</setSpec><setName>{}</setName></set>\n",
                    set_spec(&c.name),
                    escape(c.name.as_str())
                )
            })
            .collect())
    }

    fn header(&self, item: Item) -> String {
        let status = if matches!(item, Item::Gone(_)) { " status=\"deleted\"" } else { "" };
        let sets: String = item.collections().iter().map(|c| format!("<setSpec>{}</setSpec>", set_spec(c))).collect();
        format!(
            "<header{status}><identifier>{}</identifier><datestamp>{}</datestamp>{sets}</header>\n",
            escape(self.identifier(item.id()).as_str()),
            item.datestamp().format(DATESTAMP)
        )
    }

    /// The `<record>` of `item` in `format`; `None` when it cannot be made in it.
    fn record(&self, item: Item, format: Format) -> Result<Option<String>, OaiError> {
        let Item::Live(snapshot_record) = item else {
            return Ok(Some(format!("<record>\n{}</record>\n", self.header(item))));
        };
        // The record as it is now: its rights decide the links.
        let record = self.state.record(&snapshot_record.id).unwrap_or_else(|| snapshot_record.clone());
        let links = self.links(&record);
        let metadata = match format {
            Format::Dc => Some(dublin_core(&record, &links)),
            // Without an issue's 774s: its datestamp does not move when one of its articles
            // changes, so a harvester would keep them stale. Each article's 773 links up.
            Format::Marc21 => marc21(&record, links.get(1).map(String::as_str), &self.state.config.library),
        };
        Ok(metadata
            .map(|m| format!("<record>\n{}<metadata>\n{m}</metadata>\n</record>\n", self.header(Item::Live(&record)))))
    }

    /// The document's page and its PDF on this server, when its rights allow showing them
    /// (of a newspaper issue: its page where some of its pages may be shown, its PDF only
    /// where every page may).
    fn links(&self, record: &DocumentRecord) -> Vec<String> {
        let articles = self.state.articles_of(record);
        if record.pages_shown(&articles).is_empty() {
            return Vec::new();
        }
        let site = self.base_url.trim_end_matches("/oai");
        let id = crate::export::url_path(&record.id);
        let mut links = vec![format!("{site}/doc/{id}")];
        if record.whole_shown(&articles) {
            links.push(format!("{site}/doc/{id}/pdf"));
        }
        links
    }

    fn list(&self, list: &List) -> Result<String, OaiError> {
        if list.set.is_some() && self.snapshot.collections.is_empty() {
            return Err(error("noSetHierarchy", "no document is filed in a collection"));
        }
        let items = self.items();
        let matching: Vec<Item> = items.into_iter().filter(|item| list.matches(item)).collect();
        let remaining: Vec<&Item> = matching
            .iter()
            .filter(|item| {
                list.after.as_deref().is_none_or(|after| natord::compare(item.id(), after) == Ordering::Greater)
            })
            .collect();
        if remaining.is_empty() {
            return Err(error("noRecordsMatch", "no record matches the arguments"));
        }
        let page_size = self.state.config.oai.page_size;
        let mut out = String::new();
        for item in remaining.iter().take(page_size) {
            match list.verb {
                Verb::ListIdentifiers => out.push_str(&self.header(**item)),
                _ => match self.record(**item, list.format)? {
                    Some(record) => out.push_str(&record),
                    None => tracing::warn!("{}: cannot be made a {} record", item.id(), list.format.prefix()),
                },
            }
        }
        let given = remaining.len().min(page_size);
        let more = remaining.len() > page_size;
        if more || list.after.is_some() {
            let token = if more { list.next(remaining[given - 1].id(), list.cursor + given) } else { String::new() };
            let _ = writeln!(
                out,
                "<resumptionToken completeListSize=\"{}\" cursor=\"{}\">{token}</resumptionToken>",
                matching.len(),
                list.cursor
            );
        }
        Ok(out)
    }
}

/// A list request, first or resumed.
struct List {
    verb: Verb,
    format: Format,
    set: Option<String>,
    from: Option<String>,
    until: Option<String>,
    /// Seconds since 1970, inclusive.
    range: (i64, i64),
    /// The last id given so far, and how many were.
    after: Option<String>,
    cursor: usize,
}

impl List {
    fn new(arguments: &Arguments) -> Result<List, OaiError> {
        let format = Format::parse(arguments.required("metadataPrefix")?)?;
        let from = arguments.get("from").map(str::to_string);
        let until = arguments.get("until").map(str::to_string);
        let range = range(from.as_deref(), until.as_deref())?;
        let set = arguments.get("set").map(str::to_string);
        Ok(List { verb: arguments.verb, format, set, from, until, range, after: None, cursor: 0 })
    }

    /// The list a token of ours goes on with: its fields, one a line, in hex.
    fn resume(token: &str, verb: Verb) -> Result<List, OaiError> {
        let bad = || error("badResumptionToken", "the resumption token is not one this repository gave");
        let text = hex::decode(token).ok().and_then(|bytes| String::from_utf8(bytes).ok()).ok_or_else(bad)?;
        let fields: Vec<&str> = text.split('\n').collect();
        let [given_verb, prefix, set, from, until, after, cursor] = fields[..] else { return Err(bad()) };
        if given_verb != verb.name() {
            return Err(error("badResumptionToken", format!("the resumption token continues a {given_verb}")));
        }
        let optional = |s: &str| (!s.is_empty()).then(|| s.to_string());
        let (from, until) = (optional(from), optional(until));
        Ok(List {
            verb,
            format: Format::parse(prefix).map_err(|_| bad())?,
            set: optional(set),
            range: range(from.as_deref(), until.as_deref()).map_err(|_| bad())?,
            from,
            until,
            after: Some(after.to_string()).filter(|a| !a.is_empty()).ok_or_else(bad).map(Some)?,
            cursor: cursor.parse().map_err(|_| bad())?,
        })
    }

    fn next(&self, after: &str, cursor: usize) -> String {
        let fields = [
            self.verb.name(),
            self.format.prefix(),
            self.set.as_deref().unwrap_or(""),
            self.from.as_deref().unwrap_or(""),
            self.until.as_deref().unwrap_or(""),
            after,
            &cursor.to_string(),
        ];
        hex::encode(fields.join("\n"))
    }

    fn matches(&self, item: &Item) -> bool {
        let stamp = item.datestamp().timestamp();
        (self.range.0..=self.range.1).contains(&stamp)
            && self.set.as_deref().is_none_or(|set| item.collections().iter().any(|c| set_spec(c) == set))
    }
}

/// `from`..=`until` in seconds; both of one granularity, and in order.
fn range(from: Option<&str>, until: Option<&str>) -> Result<(i64, i64), OaiError> {
    let from_stamp = from.map(|f| datestamp(f, false)).transpose()?;
    let until_stamp = until.map(|u| datestamp(u, true)).transpose()?;
    if let (Some(f), Some(u)) = (from, until) {
        if f.len() != u.len() {
            return Err(error("badArgument", "from and until are of different granularities"));
        }
    }
    let range = (from_stamp.unwrap_or(i64::MIN), until_stamp.unwrap_or(i64::MAX));
    if range.0 > range.1 {
        return Err(error("badArgument", "from is later than until"));
    }
    Ok(range)
}

/// A `from` or `until` in seconds: a day (its first second, or its last for `until`) or a
/// time to the second in UTC.
fn datestamp(text: &str, end_of_day: bool) -> Result<i64, OaiError> {
    let bad = || error("badArgument", format!("'{text}' is not a datestamp (YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ)"));
    if text.len() == 10 {
        let day = NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|_| bad())?;
        let time = if end_of_day { day.and_hms_opt(23, 59, 59) } else { day.and_hms_opt(0, 0, 0) };
        return Ok(time.ok_or_else(bad)?.and_utc().timestamp());
    }
    if text.len() != 20 {
        return Err(bad());
    }
    Ok(NaiveDateTime::parse_from_str(text, DATESTAMP).map_err(|_| bad())?.and_utc().timestamp())
}

/// A document id as the local part of an OAI identifier.
fn local_identifier(id: &str) -> String {
    const KEPT: &percent_encoding::AsciiSet =
        &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'_').remove(b'.');
    percent_encoding::utf8_percent_encode(id, KEPT).to_string()
}

/// Kazakh and Russian letters in Latin ones (lower case); `None` for other characters.
fn transliterate(c: char) -> Option<&'static str> {
    const LETTERS: [(char, &str); 42] = [
        ('а', "a"),
        ('ә', "ae"),
        ('б', "b"),
        ('в', "v"),
        ('г', "g"),
        ('ғ', "gh"),
        ('д', "d"),
        ('е', "e"),
        ('ё', "yo"),
        ('ж', "zh"),
        ('з', "z"),
        ('и', "i"),
        ('й', "y"),
        ('к', "k"),
        ('қ', "q"),
        ('л', "l"),
        ('м', "m"),
        ('н', "n"),
        ('ң', "ng"),
        ('о', "o"),
        ('ө', "oe"),
        ('п', "p"),
        ('р', "r"),
        ('с', "s"),
        ('т', "t"),
        ('у', "u"),
        ('ұ', "u"),
        ('ү', "ue"),
        ('ф', "f"),
        ('х', "kh"),
        ('һ', "h"),
        ('ц', "ts"),
        ('ч', "ch"),
        ('ш', "sh"),
        ('щ', "shch"),
        ('ъ', ""),
        ('ы', "y"),
        ('і', "i"),
        ('ь', ""),
        ('э', "e"),
        ('ю', "yu"),
        ('я', "ya"),
    ];
    LETTERS.iter().find(|(letter, _)| *letter == c).map(|(_, latin)| *latin)
}

/// A collection's setSpec (see the module's documentation).
fn set_spec(collection: &str) -> String {
    let mut readable = String::new();
    for c in collection.chars().flat_map(char::to_lowercase) {
        match transliterate(c) {
            Some(latin) => readable.push_str(latin),
            None if c.is_ascii_alphanumeric() => readable.push(c),
            None if !readable.ends_with('-') => readable.push('-'),
            None => {}
        }
    }
    let readable: String = readable.trim_matches('-').chars().take(40).collect();
    let digest = hex::encode(&Sha256::digest(collection.as_bytes())[..4]);
    match readable.trim_end_matches('-') {
        "" => digest,
        readable => format!("{readable}-{digest}"),
    }
}

/// Unqualified Dublin Core of a document; `links` are its addresses, where it may be shown.
fn dublin_core(record: &DocumentRecord, links: &[String]) -> String {
    let bib = &record.bib;
    let mut elements: Vec<(&str, String)> = vec![("title", bib.title.clone())];
    elements.extend(bib.authors.iter().map(|a| ("creator", a.clone())));
    elements.extend(bib.subjects.iter().map(|s| ("subject", s.clone())));
    elements.extend(bib.notes.iter().map(|n| ("description", n.clone())));
    elements.extend(bib.publisher.iter().map(|p| ("publisher", p.clone())));
    let date = bib.date.clone().or_else(|| bib.year.map(|y| y.to_string()));
    elements.extend(date.map(|d| ("date", d)));
    elements.push(("type", "Text".to_string()));
    elements.extend(bib.kind.map(|kind| ("type", type_name(kind).to_string())));
    elements.push(("format", "application/pdf".to_string()));
    elements.extend(links.iter().map(|link| ("identifier", link.clone())));
    // The printed original this is a copy of.
    elements.push(("source", record.citation()));
    let languages = if bib.language.is_empty() { &record.languages } else { &bib.language };
    elements.extend(languages.iter().map(|l| ("language", l.clone())));
    let rights = statement(bib.rights);
    elements.push(("rights", rights.en.to_string()));
    elements.push(("rights", rights.uri.to_string()));
    let mut xml = String::from(
        "<oai_dc:dc xmlns:oai_dc=\"http://www.openarchives.org/OAI/2.0/oai_dc/\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\" \
         xsi:schemaLocation=\"http://www.openarchives.org/OAI/2.0/oai_dc/ http://www.openarchives.org/OAI/2.0/oai_dc.xsd\">\n",
    );
    for (name, value) in elements.into_iter().filter(|(_, v)| !v.trim().is_empty()) {
        let _ = writeln!(xml, "<dc:{name}>{}</dc:{name}>", escape(value.trim()));
    }
    xml.push_str("</oai_dc:dc>\n");
    xml
}

/// The MARCXML record of a document (as `olke export marcxml` makes it, but for an
/// issue's 774s), `pdf_url` its PDF where it may be shown; `None` when it cannot be made
/// a MARC record.
fn marc21(record: &DocumentRecord, pdf_url: Option<&str>, library: &crate::config::Library) -> Option<String> {
    use ::marc::MarcXml;
    let marc = crate::export::marc::record(record, &[], pdf_url, library).ok()?;
    let xml = String::from_utf8(marc.xml_minified().ok()?).ok()?;
    // Without the XML declaration: the record goes inside the response.
    let start = xml.find("<marc:record")?;
    Some(format!("{}\n", &xml[start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_specs_are_ascii_readable_and_apart() {
        let spec = set_spec("Балқаш тарихы");
        assert!(spec.starts_with("balqash-tarikhy-") && spec.len() == "balqash-tarikhy-".len() + 8, "{spec}");
        assert!(set_spec("Өлкетану").starts_with("oelketanu-"));
        // Two names alike in Latin letters are still two sets.
        assert_ne!(set_spec("Ұлы"), set_spec("Улы"));
        assert!(set_spec("«»").chars().all(|c| c.is_ascii_hexdigit()), "{}", set_spec("«»"));
        for name in ["Батырлар; 1941–1945", "A/B (c)", "  "] {
            let spec = set_spec(name);
            assert!(!spec.is_empty() && spec.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'), "{name}: {spec}");
        }
    }

    #[test]
    fn datestamps_are_days_or_seconds_and_until_takes_its_whole_day() {
        let day = datestamp("2024-03-05", false).unwrap();
        assert_eq!(datestamp("2024-03-05T00:00:00Z", false).unwrap(), day);
        assert_eq!(datestamp("2024-03-05", true).unwrap(), day + 86_399);
        for bad in ["2024-3-5", "2024-03-05T00:00:00", "2024-03-05T00:00:00.5Z", "yesterday", "2024-02-30"] {
            assert_eq!(datestamp(bad, false).unwrap_err().code, "badArgument", "{bad}");
        }
        assert_eq!(range(Some("2024-03-05"), Some("2024-03-05T10:00:00Z")).unwrap_err().code, "badArgument");
        assert_eq!(range(Some("2024-03-06"), Some("2024-03-05")).unwrap_err().code, "badArgument");
        assert!(range(Some("2024-03-05"), Some("2024-03-05")).is_ok());
    }

    #[test]
    fn local_identifiers_are_ascii_and_come_back() {
        let local = local_identifier("қамшы-1.2_a");
        assert_eq!(local, "%D2%9B%D0%B0%D0%BC%D1%88%D1%8B-1.2_a");
        assert_eq!(percent_encoding::percent_decode_str(&local).decode_utf8().unwrap(), "қамшы-1.2_a");
    }
}
