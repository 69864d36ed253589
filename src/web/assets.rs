//! `/static/…`: the few files pages load besides the stylesheet, all compiled into the
//! binary (OpenSeadragon from npm by build.rs, the reader's own script from
//! `web/static/`), so the server needs no folder of them and fetches nothing.

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use super::WebError;

include!(concat!(env!("OUT_DIR"), "/web_assets.rs"));

/// The reader's script: deep zoom and the copy button, over pages that work without it.
const READER_JS: &[u8] = include_bytes!("../../web/static/reader.js");

fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map(|(_, extension)| extension) {
        Some("js") => "text/javascript; charset=utf-8",
        Some("png") => "image/png",
        _ => "text/plain; charset=utf-8",
    }
}

/// `/static/{path}`: an embedded file, or 404.
pub(super) async fn file(Path(path): Path<String>) -> Result<Response, WebError> {
    let bytes = match path.as_str() {
        "reader.js" => READER_JS,
        other => {
            NPM.iter().find(|(name, _)| *name == other).map(|(_, bytes)| *bytes).ok_or_else(WebError::not_found)?
        }
    };
    // A new olke may bring other files under the same names: cached for an hour only.
    Ok(([(CONTENT_TYPE, content_type(&path)), (CACHE_CONTROL, "public, max-age=3600")], bytes).into_response())
}
