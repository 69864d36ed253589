//! The cover page of a delivered copy: which library made it, of what (the GOST citation),
//! which pages, for whom, when, under which request number, and what the reader may do
//! with it. Labels are in Kazakh and Russian; the text is real text in an embedded font,
//! so the cover can be searched and copied like the pages behind it.

use chrono::NaiveDate;
use lopdf::{dictionary, Object, Stream};

use crate::config::Library;
use crate::pdf::font::compress;
use crate::pdf::truetype::{EmbeddedFont, FontError};
use crate::pdf::PdfWriter;
use crate::record::gost::is_part;
use crate::record::pages::Numbering;
use crate::record::request::Request;
use crate::record::{DocumentRecord, Rights};

/// A4, in points.
pub(crate) const PAGE_SIZE: (f32, f32) = (595.28, 841.89);
const MARGIN: f32 = 56.0;
const BODY: f32 = 10.5;
const LEADING: f32 = 1.35;
const FONT_RESOURCE: &str = "F1";

/// A paragraph of the cover.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Block {
    pub text: String,
    pub size: f32,
    /// Space above it, in points.
    pub gap: f32,
}

fn block(text: impl Into<String>, size: f32, gap: f32) -> Block {
    Block { text: text.into(), size, gap }
}

/// What the reader may do with the copy, in Kazakh and in Russian.
pub(crate) fn rights_notice(record: &DocumentRecord) -> [String; 2] {
    let personal_kk = "Көшірме бір данада жеке ғылыми және оқу мақсатында пайдалану үшін берілді; құқық иеленушінің келісімінсіз оны көбейтуге және таратуға болмайды.";
    let personal_ru = "Копия предоставлена в одном экземпляре для личного использования в научных и учебных целях; воспроизведение и распространение без согласия правообладателя не допускается.";
    match record.bib.rights {
        Some(Rights::PublicDomain) => [
            "Шығарма қоғамдық игілікке айналған: оны еркін пайдалануға болады.".into(),
            "Произведение перешло в общественное достояние: его использование свободно.".into(),
        ],
        Some(Rights::AuthorContract) => {
            let contract = record.bib.contract.as_deref().map(|c| format!(" ({c})")).unwrap_or_default();
            [
                format!("Шығарма автормен жасалған шарт{contract} бойынша беріледі. {personal_kk}"),
                format!("Произведение предоставляется по договору с автором{contract}. {personal_ru}"),
            ]
        }
        Some(Rights::InCopyright) | None => {
            let (kk, ru) = if is_part(&record.bib) {
                ("Шығарма авторлық құқықпен қорғалады.", "Произведение охраняется авторским правом.")
            } else {
                ("Авторлық құқықпен қорғалатын кітаптың үзіндісі.", "Фрагмент книги, охраняемой авторским правом.")
            };
            [format!("{kk} {personal_kk}"), format!("{ru} {personal_ru}")]
        }
    }
}

/// The cover's paragraphs for `request` of `record`, made on `date`.
pub(crate) fn blocks(library: &Library, request: &Request, record: &DocumentRecord, date: NaiveDate) -> Vec<Block> {
    let mut out = vec![block(&library.name_kk, 14.0, 0.0), block(&library.name_ru, 14.0, 2.0)];
    for address in [&library.address_kk, &library.address_ru].into_iter().filter(|a| !a.trim().is_empty()) {
        out.push(block(address, BODY, 2.0));
    }
    if !library.email.trim().is_empty() {
        out.push(block(&library.email, BODY, 2.0));
    }
    out.push(block("Құжат көшірмесі · Копия документа", 18.0, 36.0));
    out.push(block(format!("Сұраныс № {0} · Запрос № {0}", request.number), 12.0, 8.0));
    out.push(block(format!("Күні · Дата: {}", date.format("%d.%m.%Y")), BODY, 14.0));
    out.push(block(format!("Тапсырыс беруші · Заказчик: {}", request.requester), BODY, 4.0));
    if let Some(purpose) = &request.purpose {
        out.push(block(format!("Мақсаты · Цель: {purpose}"), BODY, 4.0));
    }
    out.push(block("Библиографиялық сипаттама · Библиографическое описание:", BODY, 14.0));
    out.push(block(&request.citation, BODY, 4.0));
    let pages = &request.pages;
    let which = match pages.numbering {
        Numbering::Printed => format!("басылымдағы нөмірлер · печатные номера; PDF {}", pages.pdf),
        Numbering::Pdf => "PDF беттері · страницы PDF".to_string(),
    };
    out.push(block(
        format!("Берілген беттер · Выданные страницы: {} ({which}), {} бет · стр.", pages.asked, pages.count()),
        BODY,
        14.0,
    ));
    out.push(block(format!("Құжаттың сәйкестендіргіші · Идентификатор документа: {}", record.id), BODY, 4.0));
    let [kk, ru] = rights_notice(record);
    out.push(block("Пайдалану шарттары · Условия использования:", BODY, 14.0));
    out.push(block(kk, BODY, 4.0));
    out.push(block(ru, BODY, 4.0));
    out
}

/// Breaks `text` into lines no wider than `width` points at `size`.
fn wrap(font: &EmbeddedFont, text: &str, size: f32, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() { word.to_string() } else { format!("{line} {word}") };
        if !line.is_empty() && font.width(&candidate, size) > width {
            lines.push(std::mem::replace(&mut line, word.to_string()));
        } else {
            line = candidate;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect()
}

/// The content stream of the cover: the blocks top down, and a rule under the library's
/// name. Text past the bottom margin is left out (a cover's text is a few lines).
fn content(blocks: &[Block], font: &mut EmbeddedFont) -> Vec<u8> {
    let (page_width, page_height) = PAGE_SIZE;
    let width = page_width - 2.0 * MARGIN;
    let mut ops = String::from("BT\n");
    let mut y = page_height - MARGIN;
    let mut rule = None;
    for (index, block) in blocks.iter().enumerate() {
        y -= block.gap;
        for line in wrap(font, &block.text, block.size, width) {
            y -= font.ascent(block.size);
            if y < MARGIN {
                break;
            }
            ops.push_str(&format!(
                "/{FONT_RESOURCE} {} Tf\n1 0 0 1 {MARGIN} {y:.2} Tm\n<{}> Tj\n",
                block.size,
                hex(&font.encode(&line))
            ));
            y -= block.size * LEADING - font.ascent(block.size);
        }
        // The rule goes under the library's name and address.
        if rule.is_none() && blocks.get(index + 1).is_some_and(|next| next.gap >= 30.0) {
            rule = Some(y + font.descent(block.size) - 6.0);
        }
    }
    ops.push_str("ET\n");
    if let Some(y) = rule {
        ops.push_str(&format!("0.5 w\n{MARGIN} {y:.2} m\n{:.2} {y:.2} l\nS\n", page_width - MARGIN));
    }
    ops.into_bytes()
}

/// Writes the cover as the next page of `writer`.
pub(crate) fn write_cover<W: std::io::Write>(
    writer: &mut PdfWriter<W>,
    blocks: &[Block],
    mut font: EmbeddedFont,
) -> Result<(), FontError> {
    let mut stream = Stream::new(dictionary! {}, content(blocks, &mut font));
    compress(&mut stream);
    let font = font.write_objects(&mut |object| writer.add(&object))?;
    let content = writer.add(&Object::Stream(stream))?;
    let (width, height) = PAGE_SIZE;
    writer.add_page_object(dictionary! {
        "MediaBox" => vec![0.into(), 0.into(), Object::Real(width), Object::Real(height)],
        "Resources" => dictionary! { "Font" => dictionary! { FONT_RESOURCE => Object::Reference((font, 0)) } },
        "Contents" => Object::Reference((content, 0)),
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::tests::document;

    #[test]
    fn notices_follow_the_rights() {
        let notice = |cells: &[(&str, &str)]| rights_notice(&document("a", cells)).join(" | ");
        assert!(notice(&[("title", "A"), ("rights", "public_domain")]).contains("общественное достояние"));
        let contract = notice(&[("title", "A"), ("rights", "author_contract"), ("contract", "№ 12, 2021-03-01")]);
        assert!(contract.contains("по договору с автором (№ 12, 2021-03-01)"), "{contract}");
        assert!(
            notice(&[("title", "A"), ("type", "book")]).contains("Фрагмент книги"),
            "unstated rights: in copyright"
        );
        assert!(notice(&[
            ("title", "A"),
            ("type", "newspaper_article"),
            ("source", "Пульс"),
            ("rights", "in_copyright")
        ])
        .starts_with("Шығарма авторлық құқықпен қорғалады."));
    }

    #[test]
    fn long_text_wraps_within_the_margins() {
        let font =
            EmbeddedFont::load(&crate::pdf::truetype::system_font().expect("DejaVu (fonts-dejavu-core)")).unwrap();
        let text =
            "Ұлы Отан соғысының ардагерлері мен қаһармандары туралы естеліктер кітапханада сақталған. ".repeat(4);
        let lines = wrap(&font, &text, BODY, 200.0);
        assert!(lines.len() > 4);
        assert!(lines.iter().all(|l| font.width(l, BODY) <= 200.0), "{lines:?}");
        assert_eq!(lines.join(" "), text.trim());
    }
}
