//! PDFs sent from disk: the file is mapped, not read into memory, and a `Range` request
//! (a viewer fetching one page of a large book, a resumed download) gets just that part.

use std::ops::RangeInclusive;
use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::header::{ACCEPT_RANGES, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_RANGE, CONTENT_TYPE};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// How a PDF is offered: shown in the browser, or saved under its name.
pub(crate) enum Disposition {
    Inline,
    Attachment,
}

/// The bytes of `range` (`bytes=A-B`, `bytes=A-`, `bytes=-N`) of a file of `length`
/// bytes: `None` when the header asks for no part of the file (416), `Some(None)` when it
/// is absent or not one range this server serves (then the whole file, 200).
fn requested(range: Option<&HeaderValue>, length: u64) -> Option<Option<RangeInclusive<u64>>> {
    let Some(spec) = range.and_then(|v| v.to_str().ok()).and_then(|v| v.trim().strip_prefix("bytes=")) else {
        return Some(None);
    };
    if spec.contains(',') {
        return Some(None);
    }
    let (first, last) = spec.split_once('-')?;
    let (first, last) = match (first.trim(), last.trim()) {
        ("", suffix) => {
            let n: u64 = suffix.parse().ok()?;
            (length.checked_sub(n.min(length)).filter(|_| n > 0)?, length.checked_sub(1)?)
        }
        (first, "") => (first.parse().ok()?, length.checked_sub(1)?),
        (first, last) => (first.parse().ok()?, last.parse::<u64>().ok()?.min(length.checked_sub(1)?)),
    };
    (first <= last && first < length).then_some(Some(first..=last))
}

/// `path` as a PDF response named `name`, whole or the part `range` asks for.
pub(crate) fn pdf(
    path: &Path,
    name: &str,
    disposition: Disposition,
    caching: &'static str,
    headers: &HeaderMap,
) -> std::io::Result<Response> {
    let file = std::fs::File::open(path)?;
    // SAFETY: archived PDFs and copies are written to a temporary name and renamed into
    // place, never changed where they are, so the mapping does not change under us.
    let map = unsafe { memmap2::Mmap::map(&file)? };
    let length = map.len() as u64;
    let bytes = Bytes::from_owner(map);
    let kind = match disposition {
        Disposition::Inline => "inline",
        Disposition::Attachment => "attachment",
    };
    let name = percent_encoding::utf8_percent_encode(name, percent_encoding::NON_ALPHANUMERIC);
    let common = [
        (CONTENT_TYPE, "application/pdf".to_string()),
        (CONTENT_DISPOSITION, format!("{kind}; filename*=UTF-8''{name}")),
        (CACHE_CONTROL, caching.to_string()),
        (ACCEPT_RANGES, "bytes".to_string()),
    ];
    Ok(match requested(headers.get(axum::http::header::RANGE), length) {
        None => (StatusCode::RANGE_NOT_SATISFIABLE, [(CONTENT_RANGE, format!("bytes */{length}"))]).into_response(),
        Some(None) => (common, Body::from(bytes)).into_response(),
        Some(Some(range)) => {
            let part = bytes.slice(*range.start() as usize..=*range.end() as usize);
            let content_range = format!("bytes {}-{}/{length}", range.start(), range.end());
            (StatusCode::PARTIAL_CONTENT, common, [(CONTENT_RANGE, content_range)], Body::from(part)).into_response()
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(text: &str, length: u64) -> Option<Option<RangeInclusive<u64>>> {
        requested(Some(&HeaderValue::from_str(text).unwrap()), length)
    }

    #[test]
    fn ranges_are_read_as_rfc_9110_says() {
        assert_eq!(requested(None, 100), Some(None));
        assert_eq!(range("bytes=0-9", 100), Some(Some(0..=9)));
        assert_eq!(range("bytes=90-", 100), Some(Some(90..=99)));
        assert_eq!(range("bytes=-10", 100), Some(Some(90..=99)));
        assert_eq!(range("bytes=-1000", 100), Some(Some(0..=99)));
        assert_eq!(range("bytes=95-1000", 100), Some(Some(95..=99)));
        assert_eq!(range("bytes=0-1,5-6", 100), Some(None), "several ranges: the whole file");
        assert_eq!(range("items=0-1", 100), Some(None));
        assert_eq!(range("bytes=100-", 100), None, "past the end: 416");
        assert_eq!(range("bytes=9-0", 100), None);
        assert_eq!(range("bytes=-0", 100), None);
        assert_eq!(range("bytes=x-1", 100), None);
    }
}
