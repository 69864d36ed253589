//! Writing one page's invisible text layer into an archived PDF again, after its words
//! were corrected: the page's content stream keeps the image drawing and gets a new text
//! layer ([`super::text::text_layer`], as when the PDF was made); the font's ToUnicode map
//! is widened when the new words use a block of characters it did not map; everything
//! else is written back as it was (see [`super::update`]), so a PDF/A file stays one.

use std::path::Path;

use lopdf::{Document, Object, ObjectId, Stream};

use super::font::{compress, to_unicode_stream, CodeBlocks, FONT_NAME};
use super::text::{text_layer, FONT_RESOURCE};
use super::update::{is_pdf_a, load, save, set_metadata, UpdateError, Written};
use super::Metadata;
use crate::page::RecognizedPage;

/// Where olke's text layer starts in a page's content: after the image, to the end.
const LAYER_START: &[u8] = b"BT\n3 Tr\n";

/// Writes the PDF at `path` to `target` with page `number`'s (from 1) text layer made
/// from `page`, and `metadata` (its modification time) renewed. A page whose text layer
/// was not written this way (a page kept from another PDF) is refused: its text cannot be
/// replaced without changing what it shows.
pub(crate) fn rewrite_page_text(
    path: &Path,
    target: &Path,
    number: u32,
    page: &RecognizedPage,
    metadata: &Metadata,
) -> Result<Written, UpdateError> {
    let mut document = load(path)?;
    let refuse = |reason: String| UpdateError::Page { path: path.to_path_buf(), reason };
    let page_id = *document
        .get_pages()
        .get(&number)
        .ok_or_else(|| refuse(format!("the PDF has no page {number}; `olke verify` compares it with its record")))?;
    let not_olke = || {
        refuse(format!("page {number}'s text layer was not written by olke (a page kept from another PDF), so its words cannot be replaced"))
    };
    let to_unicode = text_font_map(&document, page_id).ok_or_else(not_olke)?;
    let contents = document.get_page_contents(page_id);
    let [content_id] = contents[..] else { return Err(not_olke()) };
    let content = document
        .get_object(content_id)
        .and_then(Object::as_stream)
        .and_then(Stream::decompressed_content)
        .map_err(|e| refuse(format!("page {number}'s content cannot be read: {e}")))?;
    let start = find_last(&content, LAYER_START).filter(|_| content.ends_with(b"ET\n")).ok_or_else(not_olke)?;
    let mut new_content = content[..start].to_vec();
    new_content.extend(text_layer(page).into_bytes());
    let mut stream = Stream::new(lopdf::Dictionary::new(), new_content);
    compress(&mut stream);
    document.objects.insert(content_id, Object::Stream(stream));
    widen_map(&mut document, to_unicode, page).map_err(|e| refuse(format!("the text font's ToUnicode map: {e}")))?;
    let pdf_a = is_pdf_a(&document);
    set_metadata(&mut document, path, metadata, pdf_a)?;
    save(&mut document, target)
}

/// The ToUnicode map of the page's text-layer font, when it is the glyphless font.
fn text_font_map(document: &Document, page: ObjectId) -> Option<ObjectId> {
    let resolve = |object: &Object| match object {
        Object::Reference(id) => document.get_object(*id).ok().cloned(),
        other => Some(other.clone()),
    };
    let page = document.get_dictionary(page).ok()?;
    let resources = resolve(page.get(b"Resources").ok()?)?;
    let fonts = resolve(resources.as_dict().ok()?.get(b"Font").ok()?)?;
    let font = resolve(fonts.as_dict().ok()?.get(FONT_RESOURCE.as_bytes()).ok()?)?;
    let font = font.as_dict().ok()?;
    (font.get(b"BaseFont").and_then(Object::as_name).ok()? == FONT_NAME.as_bytes())
        .then(|| font.get(b"ToUnicode").and_then(Object::as_reference).ok())
        .flatten()
}

/// Adds the blocks of `page`'s characters to the map when it lacks any.
fn widen_map(document: &mut Document, id: ObjectId, page: &RecognizedPage) -> Result<(), String> {
    let cmap = document
        .get_object(id)
        .and_then(Object::as_stream)
        .and_then(Stream::decompressed_content)
        .map_err(|e| e.to_string())?;
    let mapped = CodeBlocks::mapped_by(&cmap).ok_or("it maps single codes, not olke's blocks")?;
    let mut needed = mapped;
    needed.add_text(" ");
    page.words().for_each(|word| needed.add_text(&word.text));
    if needed != mapped {
        document.objects.insert(id, Object::Stream(to_unicode_stream(&needed)));
    }
    Ok(())
}

fn find_last(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|window| window == needle)
}
