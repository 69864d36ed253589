//! The pages of the published site, made with maud (which escapes everything it inserts).
//! Plain HTML and one stylesheet, no JavaScript; every link is relative, so the folder
//! works opened from the disk as well as on any static host. Labels are in Kazakh and
//! Russian side by side.

use maud::{html, Markup, DOCTYPE};

use super::{Site, SiteCollection};
use crate::export::url_path;
use crate::language;
use crate::pdf::bcp47;
use crate::record::{DocumentRecord, DocumentType, Rights};

pub(crate) const STYLE: &str = "body { font-family: 'DejaVu Serif', Georgia, serif; max-width: 52rem; margin: 0 auto; padding: 1rem 1.5rem; line-height: 1.5; color: #222; }\n\
header { border-bottom: 1px solid #999; margin-bottom: 1.5rem; }\n\
header a { color: inherit; text-decoration: none; font-size: 1.2rem; }\n\
.ru { color: #555; }\n\
.citation { margin: 0.4rem 0; }\n\
.note { color: #666; font-size: 0.9rem; }\n\
dl { display: grid; grid-template-columns: max-content auto; gap: 0.2rem 1rem; }\n\
dt { font-weight: bold; }\n\
dd { margin: 0; }\n\
section.page { border-top: 1px dotted #bbb; margin-top: 1rem; }\n\
section.page h3 { font-size: 0.9rem; color: #666; }\n\
footer { border-top: 1px solid #999; margin-top: 2rem; font-size: 0.85rem; color: #666; }\n";

/// A label in both languages.
fn both(kk: &str, ru: &str) -> Markup {
    html! { span lang="kk" { (kk) } " · " span.ru lang="ru" { (ru) } }
}

pub(crate) fn kind_label(kind: Option<DocumentType>) -> (&'static str, &'static str) {
    match kind {
        Some(DocumentType::NewspaperArticle) => ("Газет мақаласы", "Газетная статья"),
        Some(DocumentType::JournalArticle) => ("Журнал мақаласы", "Журнальная статья"),
        Some(DocumentType::BookChapter) => ("Кітап тарауы", "Глава книги"),
        Some(DocumentType::Book) => ("Кітап", "Книга"),
        Some(DocumentType::NewspaperIssue) => ("Газет нөмірі", "Номер газеты"),
        None => ("Көрсетілмеген", "Не указан"),
    }
}

pub(crate) fn rights_label(rights: Option<Rights>) -> (&'static str, &'static str) {
    match rights {
        Some(Rights::PublicDomain) => ("Қоғамдық игілік", "Общественное достояние"),
        Some(Rights::AuthorContract) => ("Автормен шарт бойынша жарияланған", "Опубликовано по договору с автором"),
        Some(Rights::InCopyright) | None => ("Авторлық құқықпен қорғалған", "Охраняется авторским правом"),
    }
}

/// The head of every page, on the static site and in `olke serve`: `stylesheet` is the
/// address of the one stylesheet.
pub(crate) fn head(title: &str, site_name: &str, stylesheet: &str) -> Markup {
    html! {
        head {
            meta charset="utf-8";
            meta name="viewport" content="width=device-width, initial-scale=1";
            title { (title) " — " (site_name) }
            link rel="stylesheet" href=(stylesheet);
        }
    }
}

/// A whole page: `root` leads from it to the site's top folder (`""`, `"../"`, …).
fn layout(site: &Site, root: &str, title: &str, body: Markup) -> String {
    let library = site.library;
    html! {
        (DOCTYPE)
        html lang="kk" {
            (head(title, &library.name_kk, &format!("{root}style.css")))
            body {
                header {
                    p { a href={ (root) "index.html" } { (both(&library.name_kk, &library.name_ru)) } }
                    p.note { (both("Өлкетану деректер қоры", "Краеведческая полнотекстовая база данных")) }
                }
                main { (body) }
                footer {
                    p {
                        (both("Деректер қоры JSON түрінде", "База данных в формате JSON")) ": "
                        a href={ (root) "documents.json" } { "documents.json" }
                    }
                }
            }
        }
    }
    .into_string()
}

/// A document as listed: its citation, a link when its text is published.
fn entry(site: &Site, root: &str, record: &DocumentRecord) -> Markup {
    html! {
        li.citation {
            @if !site.shown(&record.id).pages.is_empty() {
                a href={ (root) (url_path(&Site::document_page(&record.id))) } { (record.citation()) }
            } @else {
                (record.citation())
                " "
                span.note { "(" (both("толық мәтін авторлық құқыққа байланысты жарияланбайды", "полный текст не публикуется: авторское право")) ")" }
            }
        }
    }
}

fn collection_link(root: &str, collection: &SiteCollection) -> Markup {
    html! { a href={ (root) (url_path(&collection.path)) } { (collection.name) } }
}

pub(crate) fn index(site: &Site) -> String {
    let body = html! {
        h1 { (both("Өлкетану деректер қоры", "Краеведческая база данных")) }
        @if !site.collections.is_empty() {
            h2 { (both("Жинақтар", "Коллекции")) }
            ul.collections {
                @for collection in &site.collections {
                    li { (collection_link("", collection)) " " span.note { "(" (collection.ids.len()) ")" } }
                }
            }
        }
        h2 { (both("Барлық құжаттар", "Все документы")) }
        ul.documents { @for record in site.documents { (entry(site, "", record)) } }
    };
    layout(site, "", "Өлкетану деректер қоры", body)
}

pub(crate) fn collection(site: &Site, collection: &SiteCollection) -> String {
    let body = html! {
        p.note { (both("Жинақ", "Коллекция")) }
        h1 { (collection.name) }
        ul.documents {
            @for record in site.documents.iter().filter(|r| collection.ids.contains(&r.id)) { (entry(site, "../", record)) }
        }
    };
    layout(site, "../", &collection.name, body)
}

/// One page of a document's text, under its number.
pub(crate) struct PageText {
    pub number: u32,
    pub text: String,
}

/// A paragraph's language as an HTML `lang`, where it is not the text's main language (so
/// screen readers and hyphenation follow a Russian title in a Kazakh list).
fn paragraph_language(paragraph: &str, main: &str) -> Option<&'static str> {
    language::detect(paragraph).filter(|&l| l != main).map(bcp47)
}

pub(crate) fn document(site: &Site, record: &DocumentRecord, pages: &[PageText]) -> String {
    let root = "../../";
    let text_language = record.languages.first().map_or("kaz", String::as_str);
    let (kind_kk, kind_ru) = kind_label(record.bib.kind);
    let (rights_kk, rights_ru) = rights_label(record.bib.rights);
    let pdf_name = record.pdf.rsplit('/').next().unwrap_or(&record.pdf);
    let collections: Vec<&SiteCollection> = site.collections.iter().filter(|c| c.ids.contains(&record.id)).collect();
    let shown = site.shown(&record.id);
    let withheld: Vec<String> = (1..=record.pages.len() as u32)
        .filter(|n| !record.is_hosted() && !shown.pages.contains(n))
        .map(|n| (record.bib.first_page_number.unwrap_or(1) + n - 1).to_string())
        .collect();
    let body = html! {
        h1 { (record.bib.title) }
        p.citation { (record.citation()) }
        dl {
            dt { (both("Түрі", "Вид")) } dd { (both(kind_kk, kind_ru)) }
            dt { (both("Тілдері", "Языки")) } dd { (record.languages.join(", ")) }
            dt { (both("Беттер", "Страниц")) } dd { (if record.is_hosted() { record.host_pages().len() } else { record.pages.len() }) }
            @if !collections.is_empty() {
                dt { (both("Жинақтар", "Коллекции")) }
                dd { @for (i, collection) in collections.iter().enumerate() { @if i > 0 { ", " } (collection_link(root, collection)) } }
            }
            dt { (both("Құқықтар", "Права")) } dd { (both(rights_kk, rights_ru)) }
            @if shown.whole {
                dt { "PDF" }
                dd { a.pdf href=(url_path(pdf_name)) type="application/pdf" { (pdf_name) } " " span.note { (format!("{:.1} MB", record.pdf_bytes as f64 / 1_048_576.0)) } }
            }
        }
        h2 { (both("Толық мәтін", "Полный текст")) }
        @if !withheld.is_empty() {
            p.note { (both("Бұл беттер жарияланбайды: ондағы мақала авторлық құқықпен қорғалған", "Эти страницы не публикуются: статья на них охраняется авторским правом")) ": " (withheld.join(", ")) }
        }
        @for page in pages {
            section.page id={ "p" (page.number) } lang=(bcp47(text_language)) {
                h3 { (both("Бет", "Страница")) " " (page.number) }
                @for paragraph in page.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                    p lang=[paragraph_language(paragraph, text_language)] { (paragraph.split('\n').collect::<Vec<_>>().join(" ")) }
                }
            }
        }
        p { a href={ (root) "index.html" } { "← " (both("Басты бет", "Главная")) } }
    };
    layout(site, root, &record.bib.title, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Library;
    use crate::record::tests::document as record;

    #[test]
    fn text_is_escaped_and_in_copyright_documents_have_no_link() {
        let mut free = record("a", &[("title", "<b>Тарих</b> & мұра"), ("rights", "public_domain")]);
        free.pages = vec![crate::record::tests::page()];
        let closed = record("b", &[("title", "Жабық"), ("rights", "in_copyright")]);
        let documents = vec![free, closed];
        let library = Library::default();
        let site = Site::new(&library, &documents, &documents);
        let page = index(&site);
        assert!(page.contains("&lt;b&gt;Тарих&lt;/b&gt; &amp; мұра"), "{page}");
        assert!(!page.contains("<b>Тарих"));
        assert!(page.contains("href=\"documents/a/index.html\""));
        assert!(!page.contains("documents/b/"), "no page for an in-copyright document");
        assert!(page.contains("полный текст не публикуется"));
    }

    #[test]
    fn paragraphs_in_another_language_than_the_text_say_so() {
        let kazakh = record("a", &[("title", "Кітаптар"), ("rights", "public_domain"), ("language", "kaz")]);
        let library = Library::default();
        let site = Site::new(&library, std::slice::from_ref(&kazakh), &[]);
        let text = "Қала тарихы туралы кітаптар тізімі мен олардың қысқаша сипаттамасы.\n\n\
                    Иванов И. И. История города Балхаш. – Алма-Ата : Казахстан, 1985.\n\n\
                    The history of the copper smelter, with photographs."
            .to_string();
        let page = document(&site, &kazakh, &[PageText { number: 1, text }]);
        assert!(page.contains("<section class=\"page\" id=\"p1\" lang=\"kk\">"), "{page}");
        assert!(page.contains("<p>Қала тарихы"), "the main language is inherited: {page}");
        assert!(page.contains("<p lang=\"ru\">Иванов"), "{page}");
        assert!(page.contains("<p lang=\"en\">The history"), "{page}");
    }
}
