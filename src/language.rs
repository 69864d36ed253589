//! Telling Kazakh, Russian and English text apart by its letters.
//!
//! Kazakh Cyrillic has every Russian letter plus nine of its own (ә ғ қ ң ө ұ ү һ і), which
//! are frequent enough that even a short Kazakh paragraph shows several of them.

/// The letters Kazakh has and Russian does not, lower and upper case.
pub const KAZAKH_LETTERS: &str = "әғқңөұүһіӘҒҚҢӨҰҮҺІ";

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// The main language of `text` (`kaz`, `rus` or `eng`), or `None` when there is too
/// little text to tell.
pub fn detect(text: &str) -> Option<&'static str> {
    let (mut cyrillic, mut kazakh, mut latin) = (0usize, 0usize, 0usize);
    for c in text.chars() {
        if KAZAKH_LETTERS.contains(c) {
            kazakh += 1;
            cyrillic += 1;
        } else if is_cyrillic(c) {
            cyrillic += 1;
        } else if c.is_ascii_alphabetic() {
            latin += 1;
        }
    }
    if cyrillic + latin < 20 {
        None
    } else if latin > cyrillic {
        Some("eng")
    } else if kazakh * 100 >= cyrillic {
        // In Kazakh prose these letters are some 8% of all; 1% leaves room for OCR slips
        // while a Russian text with a Kazakh name or two stays Russian.
        Some("kaz")
    } else {
        Some("rus")
    }
}

/// Every language with at least a fifth of the text, main language first. The text is
/// judged paragraph by paragraph (paragraphs are separated by blank lines), so a Kazakh
/// article with an English abstract is both.
///
/// Paragraphs too short to tell on their own (a PDF's text layer may come in blocks of a
/// few words) are judged together, so that no text goes without a language.
pub fn detect_all(text: &str) -> Vec<&'static str> {
    let mut letters: Vec<(&'static str, usize)> = Vec::new();
    let mut add = |language: &'static str, text: &str| {
        let count = text.chars().filter(|c| c.is_alphabetic()).count();
        match letters.iter_mut().find(|(l, _)| *l == language) {
            Some((_, n)) => *n += count,
            None => letters.push((language, count)),
        }
    };
    let mut short = String::new();
    for paragraph in text.split("\n\n") {
        match detect(paragraph) {
            Some(language) => add(language, paragraph),
            None => {
                short.push_str(paragraph);
                short.push('\n');
            }
        }
    }
    if let Some(language) = detect(&short) {
        add(language, &short);
    }
    let total: usize = letters.iter().map(|(_, n)| n).sum();
    letters.sort_by_key(|&(_, n)| std::cmp::Reverse(n));
    letters.into_iter().filter(|(_, n)| n * 5 >= total).map(|(l, _)| l).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_the_three_languages_apart() {
        assert_eq!(detect("Балқаш қаласының тарихы туралы кітаптар көрмесі өтті"), Some("kaz"));
        assert_eq!(detect("История города Балхаш в документах областного архива"), Some("rus"));
        assert_eq!(detect("The history of the city of Balkhash in archive documents"), Some("eng"));
        assert_eq!(detect("№ 28"), None);
    }

    #[test]
    fn mixed_pages_have_every_language_of_weight() {
        let text = "Балқаш қаласы көлдің солтүстік жағалауында орналасқан.\n\n\
                    The local history collection of the city library.";
        assert_eq!(detect_all(text), vec!["kaz", "eng"]);
        // A text layer in blocks of a few words each.
        let blocks = "The local\n\nhistory of\n\nthe city library\n\nholds books";
        assert_eq!(detect_all(blocks), vec!["eng"]);
        assert_eq!(detect_all("История города Балхаш в документах"), vec!["rus"]);
    }
}
