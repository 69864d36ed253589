//! A request for a copy, as the register keeps it: who asked, for what, and what became of
//! it. A request is filed as `requested` (by staff at the desk through `olke deliver`, or
//! later by readers on the website) and then delivered or refused, with the reason.

use chrono::{DateTime, Utc};
use email_address::{EmailAddress, Options};
use serde::{Deserialize, Serialize};

use super::pages::{PageRange, Selection};

/// Who asked: a name and the address the copy goes to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Requester {
    pub name: String,
    pub email: String,
}

/// Whether `c` has no place in a reader's text: control characters (a line break in a
/// name would start a new line on the cover page, or a new header in a mail) except, in
/// text of several lines, line breaks and tabs; and the invisible marks that reverse the
/// direction text is shown in (a name that reads one way and is stored another).
pub(crate) fn unfit_in_text(c: char, several_lines: bool) -> bool {
    let reorders =
        matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}');
    reorders || (c.is_control() && !(several_lines && matches!(c, '\n' | '\r' | '\t')))
}

/// Who a reader is, for the delivery limits and a reader's history: the email address
/// in lower case, however it was typed.
pub(crate) fn reader_key(email: &str) -> String {
    email.trim().to_lowercase()
}

impl Requester {
    /// This requester as [`reader_key`] names them.
    pub(crate) fn reader(&self) -> String {
        reader_key(&self.email)
    }

    /// `Name <email>`, as a mail program writes an address.
    pub fn parse(text: &str) -> Result<Requester, String> {
        let expected = "expected \"Name <email>\", e.g. \"Асқар Сейітов <askar@example.kz>\"";
        let text = text.trim();
        let Some((name, address)) = text.strip_suffix('>').and_then(|t| t.rsplit_once('<')) else {
            return Err(format!("'{text}': {expected}"));
        };
        let name = name.trim().trim_matches('"').trim();
        if name.is_empty() {
            return Err(format!("'{text}': no name before the address; {expected}"));
        }
        if name.chars().any(|c| unfit_in_text(c, false)) {
            return Err(format!("{name:?}: a name may not hold control characters or direction marks"));
        }
        // Two labels at least after the @ (a domain with a dot): mail to a bare host name is a typo.
        let options = Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
            ..Options::default()
        };
        let address = EmailAddress::parse_with_options(address.trim(), options)
            .map_err(|e| format!("'{text}': not an email address ({e}); {expected}"))?;
        Ok(Requester { name: name.to_string(), email: address.email().to_string() })
    }
}

impl std::fmt::Display for Requester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} <{}>", self.name, self.email)
    }
}

/// What a reader asks for, before it is filed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct NewRequest {
    pub requester: Requester,
    pub purpose: Option<String>,
    pub document: String,
    /// `None`: the whole document.
    pub pages: Option<PageRange>,
}

/// Where a request stands.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Status {
    Requested,
    Delivered {
        delivered: DateTime<Utc>,
        /// The file made, as given to `olke deliver`.
        file: String,
        bytes: u64,
    },
    Refused {
        refused: DateTime<Utc>,
        reason: String,
    },
}

impl Status {
    pub fn name(&self) -> &'static str {
        match self {
            Status::Requested => "requested",
            Status::Delivered { .. } => "delivered",
            Status::Refused { .. } => "refused",
        }
    }
}

/// One entry of the request register (`requests/NNNN.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// From 1, in the order filed.
    pub number: u32,
    pub filed: DateTime<Utc>,
    pub requester: Requester,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    pub document: String,
    /// The citation when filed: the register says what was asked for even if the
    /// description is corrected later.
    pub citation: String,
    pub pages: Selection,
    #[serde(flatten)]
    pub status: Status,
}

impl Request {
    /// The file name of the copy made for this request (`request-0007-ID.pdf`).
    pub fn copy_file_name(&self) -> String {
        format!("request-{:04}-{}.pdf", self.number, self.document)
    }

    /// When it was delivered or refused, else when it was filed.
    pub fn decided(&self) -> DateTime<Utc> {
        match &self.status {
            Status::Requested => self.filed,
            Status::Delivered { delivered, .. } => *delivered,
            Status::Refused { refused, .. } => *refused,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::pages::Numbering;

    #[test]
    fn requesters_are_a_name_and_a_checked_address() {
        assert_eq!(
            Requester::parse(" Асқар Сейітов <askar@example.kz> ").unwrap(),
            Requester { name: "Асқар Сейітов".into(), email: "askar@example.kz".into() }
        );
        assert_eq!(Requester::parse("\"Иванов И. И.\" <ivanov@mail.ru>").unwrap().name, "Иванов И. И.");
        assert!(Requester::parse("askar@example.kz").unwrap_err().contains("expected \"Name <email>\""));
        assert!(Requester::parse("Асқар <askar@example>").unwrap_err().contains("not an email address"));
        assert!(Requester::parse("Асқар <askar.example.kz>").unwrap_err().contains("not an email address"));
        assert!(Requester::parse("<askar@example.kz>").unwrap_err().contains("no name"));
    }

    #[test]
    fn names_take_no_line_breaks_or_direction_overrides() {
        for name in ["Ivan\r\nBcc: x", "Ivan\u{202E}vonaI", "Iv\u{2067}an", "Ivan\u{7}"] {
            assert!(Requester::parse(&format!("{name} <ivan@example.kz>")).is_err(), "{name:?}");
        }
        assert!(unfit_in_text('\n', false) && !unfit_in_text('\n', true), "a purpose may run to several lines");
        assert!(unfit_in_text('\u{202E}', true), "but never reverse its direction");
        assert!(!unfit_in_text('қ', false));
    }

    #[test]
    fn the_status_is_a_field_of_the_request() {
        let request = Request {
            number: 7,
            filed: "2025-03-01T10:00:00Z".parse().unwrap(),
            requester: Requester { name: "А".into(), email: "a@b.kz".into() },
            purpose: None,
            document: "tom-6".into(),
            citation: "Том 6.".into(),
            pages: Selection {
                asked: PageRange { first: 46, last: 65 },
                numbering: Numbering::Printed,
                pdf: PageRange { first: 7, last: 26 },
            },
            status: Status::Refused { refused: "2025-03-01T10:00:01Z".parse().unwrap(), reason: "in copyright".into() },
        };
        let json = serde_json::to_value(&request).unwrap();
        assert_eq!(json["status"], "refused");
        assert_eq!(json["reason"], "in copyright");
        assert_eq!(
            json["pages"],
            serde_json::json!({"first": 46, "last": 65, "numbering": "printed", "pdf": {"first": 7, "last": 26}})
        );
        assert_eq!(serde_json::from_value::<Request>(json).unwrap(), request);
    }
}
