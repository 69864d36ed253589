//! The server's pages, made with maud (which escapes everything it inserts): plain HTML
//! with one stylesheet, JavaScript only to enhance what works without it (`/static/reader.js`:
//! deep zoom, copying a citation), a layout that narrows to a phone's width, labels on
//! every field, headings in order, alt text on every image. Labels shared with the
//! published site come from [`crate::publish::html`].

use std::collections::BTreeMap;

use maud::{html, Markup, PreEscaped, DOCTYPE};

use super::i18n::{language_name, Ui};
use super::routes::MAX_QUERY_CHARS;
use super::security::Context;
use super::{Snapshot, WebError};
use crate::config::Library;
use crate::index::{Hit, SearchResults};
use crate::publish::html::{head, kind_label, rights_label, STYLE};
use crate::record::request::{Request, Status};
use crate::record::DocumentRecord;

/// The published site's stylesheet and what the server's pages add to it.
pub(super) fn stylesheet() -> String {
    format!(
        "{STYLE}{}{}",
        "nav { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; margin: 0.5rem 0; }\n\
form.search { display: flex; flex-wrap: wrap; gap: 0.5rem; margin: 1rem 0; }\n\
form.search input[type=search] { flex: 1 1 16rem; font-size: 1.1rem; padding: 0.4rem; }\n\
label { display: block; margin-top: 0.6rem; font-weight: bold; }\n\
input, textarea, select, button { font: inherit; max-width: 100%; box-sizing: border-box; }\n\
form.stack input, form.stack textarea { width: 100%; padding: 0.3rem; }\n\
button { padding: 0.4rem 1rem; margin-top: 0.6rem; }\n\
.facets { display: flex; flex-wrap: wrap; gap: 0 2rem; font-size: 0.9rem; }\n\
.facets ul { list-style: none; padding: 0; margin: 0 0 0.5rem; }\n\
ol.hits { padding-left: 1.2rem; }\n\
ol.hits li { margin-bottom: 1rem; overflow: hidden; }\n\
img.thumb { float: right; width: 90px; height: auto; margin: 0 0 0.5rem 0.8rem; border: 1px solid #ccc; }\n\
img.page { width: 100%; height: auto; border: 1px solid #ccc; }\n\
img.line { display: block; max-width: 100%; height: auto; border: 1px solid #ccc; }\n\
ol.lines li { margin-bottom: 1.2rem; }\n\
mark { background: #ffe58a; }\n\
.error { color: #a00; font-weight: bold; }\n\
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }\n\
td, th { border-bottom: 1px solid #ddd; padding: 0.3rem; text-align: left; vertical-align: top; }\n\
.inline { display: inline; }\n\
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }\n\
@media (max-width: 40rem) { body { padding: 0.5rem; } table, tbody, tr, td { display: block; } th { display: none; } }\n",
        super::reader::STYLE
    )
}

/// A whole page.
pub(super) fn layout(ctx: &Context, library: &Library, title: &str, body: Markup) -> String {
    let ui = ctx.ui;
    let library_name = match ui {
        Ui::Kazakh => &library.name_kk,
        Ui::Russian => &library.name_ru,
    };
    html! {
        (DOCTYPE)
        html lang=(ui.code()) {
            (head(title, library_name, "/style.css"))
            body {
                header {
                    p { a href="/" { (library_name) } }
                    nav aria-label=(ui.t("Негізгі мәзір", "Главное меню")) {
                        a href="/" { (ui.t("Іздеу", "Поиск")) }
                        a href="/collections" { (ui.t("Жинақтар", "Коллекции")) }
                        a href="/request" { (ui.t("Көшірме сұрау", "Заказ копии")) }
                        @for other in Ui::ALL.iter().filter(|&&u| u != ui) {
                            a href=(ctx.switch_to(*other)) lang=(other.code()) hreflang=(other.code()) { (other.name()) }
                        }
                    }
                }
                main { (body) }
                footer {
                    p { (ui.t("Өлкетану деректер қоры", "Краеведческая полнотекстовая база данных")) " · " a href="/staff" { (ui.t("Қызметкерлерге", "Для сотрудников")) } }
                }
            }
        }
    }
    .into_string()
}

/// The page for an error: both languages, as it may come before the reader's choice is known.
pub(super) fn error_page(error: &WebError) -> String {
    html! {
        (DOCTYPE)
        html lang="kk" {
            (head(&error.status.as_u16().to_string(), &error.kk, "/style.css"))
            body {
                main {
                    h1 { (error.status.as_u16()) }
                    p lang="kk" { (error.kk) }
                    p.ru lang="ru" { (error.ru) }
                    p { a href="/" { "Басты бет · Главная" } }
                }
            }
        }
    }
    .into_string()
}

pub(super) fn search_form(ctx: &Context, query: &str) -> Markup {
    let ui = ctx.ui;
    html! {
        form.search method="get" action="/search" role="search" {
            label.visually-hidden for="q" { (ui.t("Не іздейміз?", "Что ищем?")) }
            input #q type="search" name="q" value=(query) maxlength=(MAX_QUERY_CHARS) required;
            button type="submit" { (ui.t("Іздеу", "Найти")) }
        }
    }
}

pub(super) fn home(ctx: &Context, library: &Library, snapshot: &Snapshot) -> String {
    let ui = ctx.ui;
    let pages: usize = snapshot.documents.iter().map(|d| d.pages.len()).sum();
    let body = html! {
        h1 { (ui.t("Өлкетану деректер қорынан іздеу", "Поиск по краеведческой базе данных")) }
        (search_form(ctx, ""))
        p.note {
            (ui.t("Сөздің кез келген тұлғасы табылады; \"тіркес\", сөз* (басы), OR, NOT.", "Находятся все формы слова; \"фраза\", слово* (начало), OR, NOT."))
            " " (snapshot.documents.len()) " " (ui.t("құжат", "документов")) ", " (pages) " " (ui.t("бет", "страниц")) "."
        }
        (collection_list(ctx, snapshot))
    };
    layout(ctx, library, ui.t("Іздеу", "Поиск"), body)
}

fn collection_list(ctx: &Context, snapshot: &Snapshot) -> Markup {
    let ui = ctx.ui;
    html! {
        @if !snapshot.collections.is_empty() {
            h2 { (ui.t("Жинақтар", "Коллекции")) }
            ul.collections {
                @for c in &snapshot.collections {
                    li { a href={ "/collections/" (encode(&c.name)) } { (c.name) } " " span.note { "(" (c.documents) ")" } }
                }
            }
        }
    }
}

pub(super) fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The search page's address with `changes` made to its parameters (`""` removes one).
pub(super) fn search_link(ctx: &Context, changes: &[(&str, &str)]) -> String {
    let mut pairs = form_urlencoded::Serializer::new(String::new());
    for (key, value) in &ctx.query {
        if !changes.iter().any(|(k, _)| k == key) && key != "offset" {
            pairs.append_pair(key, value);
        }
    }
    for (key, value) in changes.iter().filter(|(_, v)| !v.is_empty()) {
        pairs.append_pair(key, value);
    }
    format!("/search?{}", pairs.finish())
}

/// One group of facet values with their counts, each a link narrowing the search.
pub(super) struct Facet {
    pub param: &'static str,
    pub title: (&'static str, &'static str),
    /// (value for the parameter, label, documents)
    pub values: Vec<(String, String, usize)>,
}

/// A search result. Of a work whose text may not be shown (`search_only`), it says where
/// the words are and never shows the text around them.
fn hit_item(ctx: &Context, hit: &Hit, search_only: bool) -> Markup {
    let ui = ctx.ui;
    // The thumbnail is of the page the snippet is from; the title opens the first matching page.
    let shown_page = hit.snippet.as_ref().map(|s| s.page).or(hit.pages.first().copied());
    let first_page = hit.pages.first().copied().or(shown_page);
    let query = ctx.query.iter().find(|(key, _)| key == "q").map_or("", |(_, q)| q.as_str());
    let read = |page: u32| format!("/doc/{}/page/{page}?q={}", encode(&hit.id), encode(query));
    html! {
        li {
            @if let Some(page) = shown_page {
                img.thumb src={ "/doc/" (encode(&hit.id)) "/page/" (page) "/thumb.jpg" } alt={ (ui.t("Бет", "Страница")) " " (page) } loading="lazy" width="90";
            }
            a href=(first_page.map_or_else(|| format!("/doc/{}", encode(&hit.id)), read)) { (hit.title) }
            @if let Some(year) = hit.year { " (" (year) ")" }
            br;
            span.note {
                @if hit.pages.is_empty() {
                    (ui.t("атауында немесе авторларында", "в заглавии или авторах"))
                } @else {
                    (ui.t("Беттер", "Страницы")) ": "
                    @for (i, page) in hit.pages.iter().take(20).enumerate() {
                        @if i > 0 { ", " }
                        a href=(read(*page)) { (page) }
                        // Where the text may not be shown, how often the words are there.
                        @if let Some(n) = hit.matches.get(i).filter(|_| search_only) { " (" (n) "×)" }
                    }
                    @if hit.pages.len() > 20 { " …" }
                }
            }
            @if search_only {
                p.note {
                    (ui.t(
                        "Авторлық құқықпен қорғалған: тек іздеу. Беттердің көшірмесін сұрауға болады.",
                        "Охраняется авторским правом: только поиск. Можно заказать копию страниц.",
                    ))
                }
            } @else if let Some(snippet) = &hit.snippet {
                p { span.note { (ui.t("б.", "с.")) " " (snippet.page) ": " } "…" (PreEscaped(marked_html(snippet))) "…" }
            }
        }
    }
}

/// The snippet's text, escaped, with its matches in `<mark>`.
fn marked_html(snippet: &crate::index::Snippet) -> String {
    // Marks are put in with placeholders no text has, then the whole is escaped.
    let marked = snippet.marked("\u{E000}", "\u{E001}");
    html! { (marked) }.into_string().replace('\u{E000}', "<mark>").replace('\u{E001}', "</mark>")
}

pub(super) struct SearchPage<'a> {
    pub query: &'a str,
    pub results: Option<&'a SearchResults>,
    pub facets: &'a [Facet],
    pub error: Option<String>,
    pub limit: usize,
    /// The documents found whose text may not be shown to this reader.
    pub search_only: &'a std::collections::HashSet<String>,
}

pub(super) fn search(ctx: &Context, library: &Library, page: SearchPage) -> String {
    let ui = ctx.ui;
    let body = html! {
        h1 { (ui.t("Іздеу нәтижелері", "Результаты поиска")) }
        (search_form(ctx, page.query))
        @if let Some(error) = &page.error { p.error role="alert" { (error) } }
        @let filters: Vec<&(String, String)> = ctx.query.iter().filter(|(k, v)| k != "q" && k != "offset" && !v.is_empty()).collect();
        @if !filters.is_empty() {
            p { (ui.t("Сүзгілер", "Фильтры")) ": "
                @for (key, value) in filters { a href=(search_link(ctx, &[(key.as_str(), "")])) title=(ui.t("алып тастау", "убрать")) { (key) " = " (value) " ✕" } " " }
            }
        }
        @if let Some(results) = page.results {
            @if results.total == 0 {
                p { (ui.t("Ештеңе табылмады.", "Ничего не найдено.")) }
            } @else {
                p { (ui.t("Табылған құжаттар", "Найдено документов")) ": " (results.total) " (" (ui.t("беттер", "страниц")) ": " (results.total_pages) ")" }
                @if !page.facets.is_empty() {
                    section.facets aria-label=(ui.t("Нақтылау", "Уточнить")) {
                        @for facet in page.facets {
                            div {
                                h2.note { (ui.pick(facet.title)) }
                                ul { @for (value, label, count) in &facet.values { li { a href=(search_link(ctx, &[(facet.param, value)])) { (label) } " (" (count) ")" } } }
                            }
                        }
                    }
                }
                ol.hits start=(results.offset + 1) { @for hit in &results.hits { (hit_item(ctx, hit, page.search_only.contains(&hit.id))) } }
                nav aria-label=(ui.t("Беттер", "Страницы")) {
                    @if results.offset > 0 {
                        a href=(search_link(ctx, &[("offset", &results.offset.saturating_sub(page.limit).to_string())])) { "← " (ui.t("Алдыңғы", "Назад")) }
                    }
                    @if results.offset + results.hits.len() < results.total {
                        a href=(search_link(ctx, &[("offset", &(results.offset + page.limit).to_string())])) { (ui.t("Келесі", "Дальше")) " →" }
                    }
                }
            }
        }
    };
    layout(ctx, library, &format!("{} — {}", page.query, ui.t("Іздеу", "Поиск")), body)
}

fn metadata(ctx: &Context, record: &DocumentRecord) -> Markup {
    let ui = ctx.ui;
    html! {
        dl {
            dt { (ui.t("Түрі", "Вид")) } dd { (ui.pick(kind_label(record.bib.kind))) }
            dt { (ui.t("Тілдері", "Языки")) } dd { (record.languages.iter().map(|l| language_name(ui, l)).collect::<Vec<_>>().join(", ")) }
            dt { (ui.t("Беттер", "Страниц")) } dd { (record.pages.len()) }
            @if !record.bib.collections.is_empty() {
                dt { (ui.t("Жинақтар", "Коллекции")) }
                dd { @for (i, c) in record.bib.collections.iter().enumerate() { @if i > 0 { ", " } a href={ "/collections/" (encode(c)) } { (c) } } }
            }
            dt { (ui.t("Құқықтар", "Права")) } dd { (ui.pick(rights_label(record.bib.rights))) }
        }
    }
}

/// A document's pages on view: `(number printed, PDF page, text)`.
pub(super) struct PageView {
    pub printed: u32,
    pub pdf: u32,
    pub text: String,
}

pub(super) struct DocumentPage<'a> {
    pub record: &'a DocumentRecord,
    pub pages: &'a [PageView],
    /// An article's issue.
    pub host: Option<&'a DocumentRecord>,
    /// An issue's articles, their rights as they are now.
    pub articles: &'a [DocumentRecord],
    /// The pages that may be shown ([`DocumentRecord::pages_shown`]).
    pub shown: &'a [u32],
    /// Whether the whole PDF may be ([`DocumentRecord::whole_shown`]).
    pub whole: bool,
    /// The text of each page (of an article: of each page it is on), where it may be shown.
    pub texts: &'a BTreeMap<u32, String>,
    /// PDF page numbers of the previous and next views, when there are such.
    pub previous: Option<u32>,
    pub next: Option<u32>,
}

pub(super) fn document(ctx: &Context, library: &Library, page: DocumentPage) -> String {
    let ui = ctx.ui;
    let record = page.record;
    let id = encode(&record.id);
    let body = html! {
        h1 { (record.bib.title) }
        (metadata(ctx, record))
        (super::cite::section(ctx, record))
        @if record.is_hosted() {
            (super::articles::article_section(ctx, record, page.host, page.texts))
            @if !record.full_text_allowed() { (restricted_notice(ctx, record)) }
        } @else if record.bib.kind == Some(crate::record::DocumentType::NewspaperIssue) {
            (super::articles::issue_section(ctx, record, page.articles, page.shown))
            @if page.whole { (pdf_link(ctx, record)) }
            (page_views(ctx, &page))
        } @else if record.full_text_allowed() {
            (pdf_link(ctx, record))
            p { a href={ "/request?doc=" (id) } { (ui.t("Беттердің көшірмесін сұрау", "Заказать копию страниц")) } }
            (page_views(ctx, &page))
        } @else {
            (restricted_notice(ctx, record))
        }
        script src="/static/reader.js" defer {}
    };
    layout(ctx, library, &record.bib.title, body)
}

fn pdf_link(ctx: &Context, record: &DocumentRecord) -> Markup {
    html! {
        p { a.pdf href={ "/doc/" (encode(&record.id)) "/pdf" } type="application/pdf" { (ctx.ui.t("PDF жүктеу", "Скачать PDF")) } " " span.note { (format!("{:.1} MB", record.pdf_bytes as f64 / 1_048_576.0)) } }
    }
}

/// The pages on view, image and text, of those that may be shown; the others (an issue's)
/// by their number only, said why by [`super::articles::issue_section`].
fn page_views(ctx: &Context, page: &DocumentPage) -> Markup {
    let ui = ctx.ui;
    let id = encode(&page.record.id);
    html! {
        h2 { (ui.t("Беттер", "Страницы")) }
        @for view in page.pages {
            section.page id={ "p" (view.pdf) } {
                h3 { a href={ "/doc/" (id) "/page/" (view.pdf) } { (ui.t("Бет", "Страница")) " " (view.printed) } }
                @if page.shown.contains(&view.pdf) {
                    img.page src={ "/doc/" (id) "/page/" (view.pdf) "/full.jpg" } alt={ (ui.t("Беттің суреті", "Изображение страницы")) " " (view.printed) } loading="lazy";
                    @for paragraph in view.text.split("\n\n").filter(|p| !p.trim().is_empty()) {
                        p { (paragraph.split('\n').collect::<Vec<_>>().join(" ")) }
                    }
                } @else {
                    p.note { (ui.t("Бет толығымен көрсетілмейді.", "Страница целиком не показывается.")) }
                }
            }
        }
        nav aria-label=(ui.t("Беттер", "Страницы")) {
            @if let Some(previous) = page.previous { a href={ "/doc/" (id) "?page=" (previous) } { "← " (ui.t("Алдыңғы беттер", "Предыдущие страницы")) } }
            @if let Some(next) = page.next { a href={ "/doc/" (id) "?page=" (next) } { (ui.t("Келесі беттер", "Следующие страницы")) " →" } }
        }
    }
}

/// What a document whose text may not be shown has instead: why, and the copy request form.
pub(super) fn restricted_notice(ctx: &Context, record: &DocumentRecord) -> Markup {
    let ui = ctx.ui;
    html! {
        p.note { (ui.t("Бұл шығарма авторлық құқықпен қорғалған: толық мәтіні мен PDF жарияланбайды. Оқу үшін беттердің көшірмесін сұрауға болады.",
                     "Произведение охраняется авторским правом: полный текст и PDF не публикуются. Для учёбы можно заказать копию страниц.")) }
        (request_fields_form(ctx, &RequestForm { document: record.id.clone(), ..RequestForm::default() }, None))
    }
}

pub(super) fn collections(ctx: &Context, library: &Library, snapshot: &Snapshot) -> String {
    let ui = ctx.ui;
    let body = html! {
        h1 { (ui.t("Жинақтар", "Коллекции")) }
        @if snapshot.collections.is_empty() { p { (ui.t("Жинақтар әлі жоқ.", "Коллекций пока нет.")) } }
        (collection_list(ctx, snapshot))
    };
    layout(ctx, library, ui.t("Жинақтар", "Коллекции"), body)
}

pub(super) fn collection(ctx: &Context, library: &Library, name: &str, documents: &[&DocumentRecord]) -> String {
    let ui = ctx.ui;
    let body = html! {
        p.note { (ui.t("Жинақ", "Коллекция")) }
        h1 { (name) }
        ul.documents { @for record in documents { li.citation { a href={ "/doc/" (encode(&record.id)) } { (record.citation()) } } } }
    };
    layout(ctx, library, name, body)
}

/// What the delivery form holds (as sent, to show it again with what is wrong).
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub(super) struct RequestForm {
    pub name: String,
    pub email: String,
    pub document: String,
    pub pages: String,
    pub purpose: String,
    pub csrf: String,
}

fn request_fields_form(ctx: &Context, form: &RequestForm, error: Option<&str>) -> Markup {
    let ui = ctx.ui;
    html! {
        form.stack method="post" action="/request" {
            h2 { (ui.t("Көшірмеге сұраныс", "Заявка на копию")) }
            @if let Some(error) = error { p.error role="alert" { (error) } }
            input type="hidden" name="csrf" value=(ctx.csrf);
            label for="name" { (ui.t("Аты-жөніңіз", "Ваше имя")) }
            input #name name="name" value=(form.name) required maxlength="200" autocomplete="name";
            label for="email" { (ui.t("Электрондық пошта", "Электронная почта")) }
            input #email type="email" name="email" value=(form.email) required maxlength="254" autocomplete="email";
            label for="document" { (ui.t("Құжат (идентификаторы)", "Документ (идентификатор)")) }
            input #document name="document" value=(form.document) required maxlength="200";
            label for="pages" { (ui.t("Беттер (мысалы 46-65; бос — бүкіл құжат)", "Страницы (например 46-65; пусто — весь документ)")) }
            input #pages name="pages" value=(form.pages) maxlength="20" inputmode="numeric";
            label for="purpose" { (ui.t("Мақсаты", "Цель")) }
            textarea #purpose name="purpose" rows="3" maxlength="1000" { (form.purpose) }
            button type="submit" { (ui.t("Сұраныс жіберу", "Отправить заявку")) }
        }
    }
}

pub(super) fn request_form(ctx: &Context, library: &Library, form: &RequestForm, error: Option<&str>) -> String {
    let ui = ctx.ui;
    let body = html! {
        h1 { (ui.t("Беттердің көшірмесін сұрау", "Заказ копии страниц")) }
        p.note { (ui.t("Көшірме электрондық поштаңызға PDF түрінде жіберіледі. Авторлық құқықпен қорғалған кітаптан бір сұраныспен беттердің бір бөлігі ғана беріледі.",
                     "Копия придёт на вашу почту в формате PDF. Из книги, охраняемой авторским правом, по одной заявке выдаётся лишь часть страниц.")) }
        (request_fields_form(ctx, form, error))
    };
    layout(ctx, library, ui.t("Көшірме сұрау", "Заказ копии"), body)
}

pub(super) fn request_filed(ctx: &Context, library: &Library, request: &Request) -> String {
    let ui = ctx.ui;
    let body = html! {
        h1 { (ui.t("Сұраныс қабылданды", "Заявка принята")) }
        p role="status" { (ui.t("Сұраныс нөмірі", "Номер заявки")) ": № " strong.request-number { (request.number) } }
        p.citation { (request.citation) }
        p { (ui.t("Беттер", "Страницы")) ": " (request.pages.asked) }
        p { (ui.t("Кітапхана қызметкерлері сұранысты қарап, көшірмені мына мекенжайға жібереді", "Сотрудники библиотеки рассмотрят заявку и пришлют копию на адрес")) " " (request.requester.email) "." }
    };
    layout(ctx, library, ui.t("Сұраныс қабылданды", "Заявка принята"), body)
}

pub(super) fn staff_login(ctx: &Context, library: &Library, error: Option<&str>, open: bool) -> String {
    let ui = ctx.ui;
    let body = html! {
        h1 { (ui.t("Қызметкерлерге", "Для сотрудников")) }
        @if !open {
            p { (ui.t("Қызметкерлер беттері жабық: токен берілмеген (OLKE_STAFF_TOKEN немесе olke.toml [web] staff_token).",
                     "Страницы сотрудников закрыты: не задан токен (OLKE_STAFF_TOKEN или olke.toml [web] staff_token).")) }
        } @else {
            form.stack method="post" action="/staff/login" {
                @if let Some(error) = error { p.error role="alert" { (error) } }
                input type="hidden" name="csrf" value=(ctx.csrf);
                label for="token" { (ui.t("Қызметкер токені", "Токен сотрудника")) }
                input #token type="password" name="token" required maxlength="200" autocomplete="current-password";
                button type="submit" { (ui.t("Кіру", "Войти")) }
            }
        }
    };
    layout(ctx, library, ui.t("Қызметкерлерге", "Для сотрудников"), body)
}

fn status_label(ui: Ui, status: &Status) -> String {
    match status {
        Status::Requested => ui.t("күтуде", "ожидает").to_string(),
        Status::Delivered { bytes, .. } => {
            format!("{} ({:.2} MB)", ui.t("жіберілді", "выполнена"), *bytes as f64 / 1_048_576.0)
        }
        Status::Refused { reason, .. } => format!("{}: {reason}", ui.t("бас тартылды", "отказано")),
    }
}

/// One page of the staff queue, and the filter it was asked with.
pub(super) struct QueueView<'a> {
    /// Each request with how many pages of its document its reader had been delivered.
    pub requests: &'a [(Request, usize)],
    pub page: usize,
    pub pages: usize,
    pub requester: &'a str,
    pub status: &'a str,
}

pub(super) fn staff_queue(ctx: &Context, library: &Library, view: &QueueView, notice: Option<&str>) -> String {
    let ui = ctx.ui;
    let statuses = [
        ("", ui.t("Барлығы", "Все")),
        ("requested", ui.t("Күтуде", "Ожидают")),
        ("delivered", ui.t("Берілді", "Выданы")),
        ("refused", ui.t("Бас тартылды", "Отказано")),
    ];
    let page_link = |page: usize| {
        let query = form_urlencoded::Serializer::new(String::new())
            .append_pair("requester", view.requester)
            .append_pair("status", view.status)
            .append_pair("page", &page.to_string())
            .finish();
        format!("/staff?{query}")
    };
    let body = html! {
        h1 { (ui.t("Сұраныстар", "Заявки")) }
        @if let Some(notice) = notice { p role="status" { (notice) } }
        p { a href="/staff/corrections" { (ui.t("Мәтін түзетулері мен хабарламалар", "Исправления текста и сообщения")) } }
        form.inline method="post" action="/staff/logout" { input type="hidden" name="csrf" value=(ctx.csrf); button type="submit" { (ui.t("Шығу", "Выйти")) } }
        form.inline method="get" action="/staff" {
            label for="requester" { (ui.t("Оқырманның поштасы", "Почта читателя")) }
            input id="requester" name="requester" type="email" value=(view.requester);
            label for="status" { (ui.t("Күйі", "Статус")) }
            select id="status" name="status" {
                @for (value, label) in statuses {
                    option value=(value) selected[value == view.status] { (label) }
                }
            }
            button type="submit" { (ui.t("Іріктеу", "Отобрать")) }
        }
        table {
            thead { tr { th { "№" } th { (ui.t("Күні", "Дата")) } th { (ui.t("Кім", "Кто")) } th { (ui.t("Құжат", "Документ")) } th { (ui.t("Беттер", "Страницы")) } th { (ui.t("Күйі", "Статус")) } } }
            tbody {
                @for (request, received) in view.requests {
                    tr id={ "r" (request.number) } {
                        td { (request.number) }
                        td { (request.filed.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")) }
                        td { (request.requester.name) br; (request.requester.email) @if let Some(purpose) = &request.purpose { br; span.note { (purpose) } } }
                        td { a href={ "/doc/" (encode(&request.document)) } { (request.citation) } }
                        td {
                            (request.pages.asked)
                            @if *received > 0 {
                                br;
                                a.note href={ "/staff?requester=" (encode(&request.requester.email)) } {
                                    (ui.t("бұрын берілген беттер: ", "ранее выдано страниц: ")) (received)
                                }
                            }
                        }
                        td {
                            (status_label(ui, &request.status))
                            @match &request.status {
                                Status::Requested => {
                                    form method="post" action={ "/staff/requests/" (request.number) "/fulfil" } {
                                        input type="hidden" name="csrf" value=(ctx.csrf);
                                        button type="submit" { (ui.t("Орындау", "Выполнить")) " № " (request.number) }
                                    }
                                    form method="post" action={ "/staff/requests/" (request.number) "/refuse" } {
                                        input type="hidden" name="csrf" value=(ctx.csrf);
                                        label for={ "reason-" (request.number) } { (ui.t("Бас тарту себебі", "Причина отказа")) }
                                        input id={ "reason-" (request.number) } name="reason" required maxlength="1000";
                                        button type="submit" { (ui.t("Бас тарту", "Отказать")) }
                                    }
                                }
                                Status::Delivered { .. } => { br; a href={ "/staff/requests/" (request.number) "/copy" } { (ui.t("Көшірмені жүктеу", "Скачать копию")) } }
                                Status::Refused { .. } => {}
                            }
                        }
                    }
                }
            }
        }
        @if view.pages > 1 {
            nav aria-label=(ui.t("Беттер", "Страницы")) {
                @if view.page > 1 { a href=(page_link(view.page - 1)) { "← " (ui.t("Алдыңғы", "Назад")) } " " }
                (view.page) " / " (view.pages)
                @if view.page < view.pages { " " a href=(page_link(view.page + 1)) { (ui.t("Келесі", "Далее")) " →" } }
            }
        }
    };
    layout(ctx, library, ui.t("Сұраныстар", "Заявки"), body)
}
