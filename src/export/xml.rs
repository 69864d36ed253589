//! A small indenting XML writer for the ALTO and METS exports: elements with attributes
//! and text, everything escaped, characters XML 1.0 forbids dropped.

use crate::record::fields::is_unprintable;

/// Text as XML 1.0 allows it, escaped for an attribute or element: control characters
/// (OCR can read a speck as one) and XML's non-characters become spaces.
pub(crate) fn escaped(text: &str) -> String {
    let allowed: String = text.chars().map(|c| if is_unprintable(c) { ' ' } else { c }).collect();
    quick_xml::escape::escape(allowed.as_str()).into_owned()
}

/// An XML document being written.
pub(crate) struct Xml {
    out: String,
    depth: usize,
}

impl Xml {
    pub(crate) fn new() -> Xml {
        Xml { out: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".to_string(), depth: 0 }
    }

    fn start_tag(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.out.push_str(&"  ".repeat(self.depth));
        self.out.push('<');
        self.out.push_str(name);
        for (key, value) in attributes {
            self.out.push_str(&format!(" {key}=\"{}\"", escaped(value)));
        }
    }

    /// `<name …>`; the elements written next are inside it until [`Xml::close`].
    pub(crate) fn open(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.start_tag(name, attributes);
        self.out.push_str(">\n");
        self.depth += 1;
    }

    pub(crate) fn close(&mut self, name: &str) {
        self.depth -= 1;
        self.out.push_str(&format!("{}</{name}>\n", "  ".repeat(self.depth)));
    }

    /// `<name …/>`.
    pub(crate) fn empty(&mut self, name: &str, attributes: &[(&str, String)]) {
        self.start_tag(name, attributes);
        self.out.push_str("/>\n");
    }

    /// `<name …>text</name>`.
    pub(crate) fn text(&mut self, name: &str, attributes: &[(&str, String)], text: &str) {
        self.start_tag(name, attributes);
        self.out.push_str(&format!(">{}</{name}>\n", escaped(text)));
    }

    pub(crate) fn finish(self) -> String {
        debug_assert_eq!(self.depth, 0, "every element opened is closed");
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nests_and_escapes() {
        let mut xml = Xml::new();
        xml.open("a", &[("x", "1 < 2 & \"3\"".into())]);
        xml.text("b", &[], "Қ\u{7}<\u{FFFF}");
        xml.empty("c", &[]);
        xml.close("a");
        assert_eq!(
            xml.finish(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a x=\"1 &lt; 2 &amp; &quot;3&quot;\">\n  <b>Қ &lt; </b>\n  <c/>\n</a>\n"
        );
    }
}
