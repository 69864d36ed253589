//! The archive's settings, `olke.toml` in the archive root: the library's name and address
//! (printed on delivery cover pages and the website), the website's address, how much of
//! an in-copyright work one request may take, and the OCR languages.
//!
//! A missing file is not an error: the defaults apply, and a commented file with them is
//! written for staff to edit. A file with an unknown key or a bad value is refused with a
//! message naming it, so a typo never silently falls back to a default.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::archive::{write_atomic, Archive};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error(transparent)]
    Io(#[from] crate::path_error::PathError),
    #[error("{path}: {message}")]
    Invalid { path: PathBuf, message: String },
}

/// Everything `olke.toml` holds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub library: Library,
    pub publish: Publish,
    pub delivery: Delivery,
    pub ocr: Ocr,
    pub web: Web,
    pub oai: Oai,
    pub corrections: Corrections,
}

/// Who may correct recognized text on the website besides staff.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Corrections {
    /// Registered volunteers may send corrections, which wait for staff to approve them.
    pub volunteers: bool,
    /// The volunteers' accounts: name → token (at least 16 characters), as the staff token.
    pub accounts: BTreeMap<String, String>,
}

/// `olke serve`'s OAI-PMH 2.0 interface at `/oai`, for harvesters.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Oai {
    /// The repository's part of every identifier, `oai:REPOSITORY:ID`: a domain name the
    /// library controls. Empty: the host of `publish.base_url`, else `olke.invalid`.
    pub repository_id: String,
    /// Records (or headers) in one answer to a list request; a resumption token gives the next.
    pub page_size: usize,
}

impl Oai {
    /// The repository identifier in use (see [`Oai::repository_id`]).
    pub fn repository(&self, publish: &Publish) -> String {
        let configured = self.repository_id.trim();
        if !configured.is_empty() {
            return configured.to_string();
        }
        let host =
            publish.base_url().and_then(|url| url.split("://").nth(1)).and_then(|rest| rest.split(['/', ':']).next());
        host.filter(|h| is_domain_name(h)).unwrap_or("olke.invalid").to_ascii_lowercase()
    }
}

impl Default for Oai {
    fn default() -> Self {
        Oai { repository_id: String::new(), page_size: 100 }
    }
}

/// `olke serve`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Web {
    /// What staff type to reach the staff pages; the environment variable
    /// `OLKE_STAFF_TOKEN` takes precedence. Empty: the staff pages are closed.
    pub staff_token: String,
    /// Searches one address may make a minute (0: no limit).
    pub searches_per_minute: u32,
    /// Delivery requests one address, and one email, may file an hour (0: no limit).
    pub requests_per_hour: u32,
    /// Wrong staff tokens one address may give an hour before it is locked out until the
    /// hour is over; ten times as many from all addresses together lock the login for all.
    pub failed_logins_per_hour: u32,
    /// Cookies only over HTTPS (`Secure`, with the `__Host-` prefix): for a server behind a
    /// TLS proxy (`olke serve --secure-cookies` sets it too).
    pub secure_cookies: bool,
    /// Connections served at once; the next wait until one closes.
    pub max_connections: usize,
    /// The address readers reach the server at (`https://lib.example.kz/archive`), for
    /// the absolute links of OAI-PMH and IIIF; empty: the request's `Host`, over http.
    pub public_url: String,
}

impl Web {
    pub fn public_url(&self) -> Option<&str> {
        let url = self.public_url.trim().trim_end_matches('/');
        (!url.is_empty()).then_some(url)
    }
}

impl Default for Web {
    fn default() -> Self {
        Web {
            staff_token: String::new(),
            searches_per_minute: 60,
            requests_per_hour: 5,
            failed_logins_per_hour: 10,
            secure_cookies: false,
            max_connections: 512,
            public_url: String::new(),
        }
    }
}

/// The library, in Kazakh and Russian.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Library {
    pub name_kk: String,
    pub name_ru: String,
    pub address_kk: String,
    pub address_ru: String,
    /// Where readers write about their requests; printed on cover pages when set.
    pub email: String,
    /// The library's MARC organization code or ISIL: who catalogued the exported records
    /// (MARC 003 and 040, UNIMARC 801).
    pub marc_code: String,
}

impl Default for Library {
    fn default() -> Self {
        Library {
            name_kk: "Қалалық кітапхана".into(),
            name_ru: "Городская библиотека".into(),
            address_kk: String::new(),
            address_ru: String::new(),
            email: String::new(),
            marc_code: DEFAULT_MARC_CODE.into(),
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Publish {
    /// Where `olke publish` output is served (`https://lib.example.kz/olke`); empty when
    /// not known. Used for absolute links in `documents.json` and exports.
    pub base_url: String,
}

impl Publish {
    pub fn base_url(&self) -> Option<&str> {
        let url = self.base_url.trim();
        (!url.is_empty()).then_some(url)
    }
}

/// How much of an in-copyright work one request may take (documents whose rights are not
/// stated count as in copyright).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Delivery {
    /// A book: at most this share of its pages, in percent.
    pub book_percent: u32,
    /// An article or a chapter: may it be delivered whole (one per request)?
    pub whole_articles: bool,
    /// What one reader received of a book counts toward the share for this many days;
    /// 0: within the calendar year.
    pub reader_window_days: u32,
}

impl Default for Delivery {
    fn default() -> Self {
        Delivery { book_percent: 20, whole_articles: true, reader_window_days: 0 }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ocr {
    /// Tesseract models, `+`-separated, when neither `--lang` nor a manifest says
    /// (olke.toml's `[ocr] languages`).
    #[serde(rename = "languages")]
    pub models: String,
    /// The Tesseract models (`+`-separated) that read a record's language, where that is
    /// not the model of the same name.
    #[serde(rename = "models")]
    pub language_models: BTreeMap<String, String>,
}

impl Default for Ocr {
    fn default() -> Self {
        Ocr { models: crate::ocr::DEFAULT_MODELS.to_string(), language_models: BTreeMap::new() }
    }
}

/// The code exported records carry until the library sets its own.
pub const DEFAULT_MARC_CODE: &str = "KZ-OLKE";

/// A MARC organization code or ISIL (ISO 15511): letters first, then letters, digits,
/// `-`, `:` or `/`, at most 16 in all.
fn is_marc_code(code: &str) -> bool {
    code.len() <= 16
        && code.starts_with(|c: char| c.is_ascii_alphabetic())
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '/'))
}

/// The file written where none exists: the defaults, with what each setting does.
pub const DEFAULT_FILE: &str = r#"# olke archive settings. olke reads this file at every command; edit and save.

[library]
# The library's name and address, printed on delivery cover pages and the website.
name_kk = "Қалалық кітапхана"
name_ru = "Городская библиотека"
address_kk = ""
address_ru = ""
# Where readers write about their requests (printed on cover pages when set).
email = ""
# Who catalogued the records `olke export marc` and `unimarc` write (MARC 003 and 040,
# UNIMARC 801): the library's MARC organization code or ISIL, e.g. "KZ-AlNLK". Set it;
# the default only says the records come from olke.
marc_code = "KZ-OLKE"

[publish]
# Where the website made by `olke publish` is served, e.g. "https://lib.example.kz/olke".
# Gives documents.json and `olke export` absolute links.
base_url = ""

[delivery]
# In-copyright documents (and those whose rights are not stated): one request may take
# at most this share of a book's pages, in percent ...
book_percent = 20
# ... or one whole article or chapter (false: none of it).
whole_articles = true
# The share is counted per reader (by email): what one reader was delivered of a book
# within the calendar year counts toward it (or within this many days, when above 0).
reader_window_days = 0

[ocr]
# Languages `olke ingest` recognizes when neither --lang nor a batch manifest says.
languages = "kaz+rus+eng"
# A manifest's `language` is read with the Tesseract model of that name (kaz, rus, eng, …)
# first, then with `languages` above. Name here the models that read a language exactly
# (nothing else added), e.g. for a language Tesseract has no model of its own for, the
# model of its script (here Komi with Cyrillic: apt-get install tesseract-ocr-script-cyrl),
# or several models for one language (kaz = "kaz+eng": Kazakh pages that name things in
# English, as in "Halyk Bank" or "COVID", which the kaz model alone misreads).
# [ocr.models]
# kpv = "Cyrillic"

[web]
# The token staff type to open the staff pages of `olke serve` (at least 16 characters;
# the OLKE_STAFF_TOKEN environment variable takes precedence). Empty: no staff pages.
staff_token = ""
# Abuse limits (0: none). Searches one address may make a minute: a reader makes a few, a
# script copying text thousands.
searches_per_minute = 60
# Delivery requests one address, and one email, may file an hour.
requests_per_hour = 5
# Wrong staff tokens one address may give an hour before it is locked out for the rest of
# the hour (every failure is logged with the address); ten times as many from all
# addresses together lock the login for everyone.
failed_logins_per_hour = 10
# Cookies only over HTTPS (Secure, __Host- names): set it when a TLS proxy serves the site.
secure_cookies = false
# Connections served at once (each has ten seconds to send its request's headers).
max_connections = 512
# The address readers reach the server at, e.g. "https://lib.example.kz/archive": OAI-PMH
# and IIIF answers carry absolute links. Empty: the address the request was sent to.
public_url = ""

[corrections]
# Registered volunteers may correct recognized text on the website (their corrections wait
# on /staff/corrections for staff to approve); staff always may. Each account is a name
# and a token of at least 16 characters the volunteer types with a correction:
#   [corrections.accounts]
#   "Асқар Сейітов" = "a-token-of-16-characters-or-more"
volunteers = false

[oai]
# The repository's part of OAI-PMH identifiers (oai:REPOSITORY:ID): a domain name of the
# library's. Empty: the host of publish.base_url, else "olke.invalid".
repository_id = ""
# Records in one answer to a harvester; a resumption token asks for the next.
page_size = 100
"#;

impl Config {
    /// Reads `olke.toml` from the archive; when it is missing, the defaults (and the file
    /// is written with them if the archive folder can be written to).
    pub fn load(archive: &Archive) -> Result<Config, ConfigError> {
        let path = archive.config_path();
        match std::fs::read_to_string(&path) {
            Ok(text) => Config::parse(&path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                if archive.root().is_dir() {
                    if let Err(e) = write_atomic(&path, DEFAULT_FILE.as_bytes()) {
                        tracing::warn!("{}: could not write the default settings: {e}", path.display());
                    }
                }
                Ok(Config::default())
            }
            Err(source) => Err(ConfigError::Io(crate::path_error::PathError { path, source })),
        }
    }

    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let invalid = |message: String| ConfigError::Invalid { path: path.to_path_buf(), message };
        let config: Config = toml::from_str(text).map_err(|e| invalid(e.to_string().trim_end().to_string()))?;
        if config.delivery.book_percent > 100 {
            return Err(invalid(format!(
                "delivery.book_percent = {}: a share of a book's pages is at most 100",
                config.delivery.book_percent
            )));
        }
        if !is_marc_code(&config.library.marc_code) {
            return Err(invalid(format!(
                "library.marc_code = \"{}\": expected the library's MARC organization code or ISIL \
                 (a letter, then up to 15 letters, digits, -, : or /, e.g. \"KZ-AlNLK\")",
                config.library.marc_code
            )));
        }
        let repository = config.oai.repository_id.trim();
        if !repository.is_empty() && !is_domain_name(repository) {
            return Err(invalid(format!(
                "oai.repository_id = \"{repository}\": expected a domain name, as lib.example.kz (letters, digits and '-', parts separated by dots, each starting with a letter)"
            )));
        }
        if let Some((name, _)) = config.corrections.accounts.iter().find(|(_, t)| t.chars().count() < 16) {
            return Err(invalid(format!(
                "corrections.accounts.\"{name}\": the token is shorter than 16 characters; a guessable one would let anyone correct as {name}"
            )));
        }
        if config.oai.page_size == 0 {
            return Err(invalid("oai.page_size = 0: a page holds at least one record".to_string()));
        }
        for (key, url) in [("publish.base_url", config.publish.base_url()), ("web.public_url", config.web.public_url())]
        {
            let Some(url) = url else { continue };
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(invalid(format!("{key} = \"{url}\": expected an http:// or https:// address")));
            }
        }
        Ok(config)
    }
}

/// The OAI identifier scheme's repository identifier: `[a-zA-Z][a-zA-Z0-9-]*` parts, two
/// or more, joined by dots.
fn is_domain_name(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|part| {
            part.starts_with(|c: char| c.is_ascii_alphabetic())
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_file_says_exactly_the_defaults() {
        assert_eq!(Config::parse(Path::new("olke.toml"), DEFAULT_FILE).unwrap(), Config::default());
    }

    #[test]
    fn a_missing_file_is_written_with_the_defaults_and_an_edited_one_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let archive = Archive::new(dir.path());
        assert_eq!(Config::load(&archive).unwrap(), Config::default());
        assert_eq!(std::fs::read_to_string(archive.config_path()).unwrap(), DEFAULT_FILE);
        std::fs::write(
            archive.config_path(),
            "[delivery]\nbook_percent = 10\n[library]\nname_kk = \"Балқаш қалалық кітапханасы\"\n",
        )
        .unwrap();
        let config = Config::load(&archive).unwrap();
        assert_eq!(
            config.delivery,
            Delivery { book_percent: 10, whole_articles: true, reader_window_days: 0 },
            "keys left out keep their defaults"
        );
        assert_eq!(config.library.name_kk, "Балқаш қалалық кітапханасы");
        assert_eq!(config.library.name_ru, "Городская библиотека");
    }

    #[test]
    fn the_models_example_reads_as_written_once_uncommented() {
        let text = DEFAULT_FILE.replace("# [ocr.models]\n# kpv", "[ocr.models]\nkpv");
        let config = Config::parse(Path::new("olke.toml"), &text).unwrap();
        assert_eq!(config.ocr.language_models, BTreeMap::from([("kpv".to_string(), "Cyrillic".to_string())]));
    }

    #[test]
    fn typos_and_bad_values_are_named() {
        let message = |text: &str| Config::parse(Path::new("olke.toml"), text).unwrap_err().to_string();
        assert!(
            message("[library]\nnmae_kk = \"x\"\n").contains("unknown field `nmae_kk`"),
            "{}",
            message("[library]\nnmae_kk = \"x\"\n")
        );
        assert!(message("[delivery]\nbook_percent = \"20%\"\n").contains("book_percent"));
        assert_eq!(
            message("[delivery]\nbook_percent = 120\n"),
            "olke.toml: delivery.book_percent = 120: a share of a book's pages is at most 100"
        );
        assert_eq!(
            message("[library]\nmarc_code = \"Қалалық кітапхана\"\n"),
            "olke.toml: library.marc_code = \"Қалалық кітапхана\": expected the library's MARC organization code \
             or ISIL (a letter, then up to 15 letters, digits, -, : or /, e.g. \"KZ-AlNLK\")"
        );
        assert_eq!(
            message("[publish]\nbase_url = \"lib.kz\"\n"),
            "olke.toml: publish.base_url = \"lib.kz\": expected an http:// or https:// address"
        );
        assert!(message("[oai]\nrepository_id = \"lib kz\"\n").contains("expected a domain name"));
        assert!(message("[oai]\npage_size = 0\n").contains("oai.page_size = 0"));
    }

    #[test]
    fn the_oai_repository_is_the_setting_else_the_published_host() {
        let mut config = Config::default();
        assert_eq!(config.oai.repository(&config.publish), "olke.invalid");
        config.publish.base_url = "https://Lib.Example.kz:8443/olke".into();
        assert_eq!(config.oai.repository(&config.publish), "lib.example.kz");
        config.oai.repository_id = "archive.balqash.kz".into();
        assert_eq!(config.oai.repository(&config.publish), "archive.balqash.kz");
    }
}
