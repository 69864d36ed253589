//! A document's rights as machines read them (a rightsstatements.org or Creative Commons
//! URI) and as people do: one table for MARC, UNIMARC, METS, OAI-PMH and IIIF. A record
//! that states no rights is not known to be in copyright: it is «Copyright undetermined»
//! (and treated as in copyright everywhere else).

use super::Rights;

/// The statement of `rights`: its URI and its words in English, Kazakh and Russian.
pub(crate) struct Statement {
    pub uri: &'static str,
    pub en: &'static str,
    pub kk: &'static str,
    pub ru: &'static str,
}

pub(crate) fn statement(rights: Option<Rights>) -> Statement {
    match rights {
        Some(Rights::PublicDomain) => Statement {
            uri: "http://creativecommons.org/publicdomain/mark/1.0/",
            en: "Public domain",
            kk: "Қоғамдық игілік",
            ru: "Общественное достояние",
        },
        Some(Rights::AuthorContract) => Statement {
            uri: "http://rightsstatements.org/vocab/InC/1.0/",
            en: "In copyright; made available under a contract with the author",
            kk: "Авторлық құқықпен қорғалған; автормен жасалған шарт бойынша жарияланған",
            ru: "Охраняется авторским правом; опубликовано по договору с автором",
        },
        Some(Rights::InCopyright) => Statement {
            uri: "http://rightsstatements.org/vocab/InC/1.0/",
            en: "In copyright",
            kk: "Авторлық құқықпен қорғалған",
            ru: "Охраняется авторским правом",
        },
        // Shown as a work in copyright would be, and said to be undetermined.
        None => Statement {
            uri: "http://rightsstatements.org/vocab/UND/1.0/",
            en: "Copyright undetermined",
            kk: "Авторлық құқық анықталмаған",
            ru: "Авторское право не определено",
        },
    }
}
