//! Words of one language inside a paragraph of another: a Russian title in a Kazakh
//! bibliography list, a Kazakh name in a Russian article. The paragraph's language is
//! detected from its text as a whole; these words are analysed in their own language too,
//! so that «книгу» finds the «книга» of a Kazakh list.
//!
//! The rule is the languages' spelling and sound system, not a word list:
//! - A word with a letter only Kazakh has (ә ғ қ ң ө ұ ү һ і) is Kazakh, in any paragraph.
//! - A Cyrillic word without those letters could still be Kazakh (бала, адам, тарих); it is
//!   taken for Russian only when a native Kazakh word could not be spelled so:
//!   a letter Kazakh writes only in Russian borrowings (в ф ц ч щ ъ ь э ё); two consonants
//!   at its start; к or г beside a back vowel (Kazakh writes қ ғ there); о past the first
//!   syllable; back and front vowels mixed (vowel harmony), endings that keep one form
//!   whatever the harmony (-мен, -гер) aside; a Russian case ending Kazakh has no form of.
//!
//! Such a word may be a Russian borrowing inflected in Kazakh (республикасы): analysed as
//! Russian too, it gains a term or two, which costs little; a Russian word analysed only as
//! Kazakh is not found by its other forms.

use super::analysis::Lang;

/// Letters only Kazakh has among the Cyrillic alphabets of the archive.
fn is_kazakh_letter(c: char) -> bool {
    matches!(c, 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і')
}

/// Letters Kazakh writes only in words borrowed from Russian.
fn is_russian_letter(c: char) -> bool {
    matches!(c, 'в' | 'ф' | 'ц' | 'ч' | 'щ' | 'ъ' | 'ь' | 'э' | 'ё')
}

fn is_vowel(c: char) -> bool {
    matches!(c, 'а' | 'о' | 'ы' | 'е' | 'э' | 'и' | 'у' | 'ю' | 'я' | 'ё')
}

/// Back vowels that have a front partner (и, у, ю, я have none to tell harmony by).
fn is_back_vowel(c: char) -> bool {
    matches!(c, 'а' | 'о' | 'ы')
}

/// Kazakh endings with a single form, that follow back stems as well as front ones.
const HARMONY_FREE_ENDINGS: &[&str] = &["менен", "бенен", "пенен", "мен", "бен", "пен", "гер", "кер"];

/// Russian case and adjective endings that no Kazakh ending looks like (-их, -ых are left
/// out: тарих).
const RUSSIAN_ENDINGS: &[&str] = &[
    "ого", "его", "ому", "ему", "ыми", "ими", "ями", "ый", "ий", "ая", "яя", "ое", "ее", "ую", "юю", "ие", "ые", "ия",
    "ию", "ии",
];

/// A Russian ending is only told in a word this long: short words (мая, их) say too little.
const MIN_LETTERS_FOR_ENDING: usize = 4;

/// Could not be a native Kazakh word: see the module's rules. `word` is folded (lower
/// case, ё kept as е) and all Cyrillic, without Kazakh letters.
fn breaks_kazakh_phonology(word: &str) -> bool {
    let letters: Vec<char> = word.chars().collect();
    if letters.len() < 2 {
        return false;
    }
    if letters.iter().copied().any(is_russian_letter) {
        return true;
    }
    if !is_vowel(letters[0]) && !is_vowel(letters[1]) {
        return true;
    }
    let velar_by_back = letters.windows(2).any(|pair| {
        let [a, b] = [pair[0], pair[1]];
        (matches!(a, 'к' | 'г') && is_back_vowel(b)) || (matches!(b, 'к' | 'г') && is_back_vowel(a))
    });
    if velar_by_back {
        return true;
    }
    if letters.iter().copied().filter(|&c| is_vowel(c)).skip(1).any(|c| c == 'о') {
        return true;
    }
    let root = HARMONY_FREE_ENDINGS
        .iter()
        .find_map(|ending| word.strip_suffix(ending).filter(|root| root.chars().count() > 1))
        .unwrap_or(word);
    if root.chars().any(is_back_vowel) && root.contains('е') {
        return true;
    }
    letters.len() >= MIN_LETTERS_FOR_ENDING && RUSSIAN_ENDINGS.iter().any(|ending| word.ends_with(ending))
}

fn is_cyrillic_word(word: &str) -> bool {
    word.chars().all(|c| matches!(c, '\u{0400}'..='\u{04FF}'))
}

/// The other language each folded word of a `paragraph`-language paragraph is analysed in
/// as well, if any, word by word. In a Kazakh paragraph that is a run of Cyrillic words
/// without Kazakh letters of which one at least could not be Kazakh: a Russian title is
/// such a run («Книга памяти Балхаша»), and its words that could be Kazakh (памяти) are
/// Russian with the rest, or a phrase of the title would not match.
pub(crate) fn second_languages<S: AsRef<str>>(words: &[S], paragraph: Lang) -> Vec<Option<Lang>> {
    let has_kazakh_letters = |word: &str| word.chars().any(is_kazakh_letter);
    match paragraph {
        Lang::Russian | Lang::English => words
            .iter()
            .map(|w| (is_cyrillic_word(w.as_ref()) && has_kazakh_letters(w.as_ref())).then_some(Lang::Kazakh))
            .collect(),
        Lang::Kazakh => {
            let mut languages = vec![None; words.len()];
            let could_be_russian = |w: &str| is_cyrillic_word(w) && !has_kazakh_letters(w);
            let mut start = 0;
            while start < words.len() {
                let length = words[start..].iter().take_while(|w| could_be_russian(w.as_ref())).count();
                let run = start..start + length;
                if words[run.clone()].iter().any(|w| breaks_kazakh_phonology(w.as_ref())) {
                    languages[run].fill(Some(Lang::Russian));
                }
                start += length + 1;
            }
            languages
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn russian_in_kazakh(word: &str) -> bool {
        second_languages(&[word], Lang::Kazakh) == [Some(Lang::Russian)]
    }

    #[test]
    fn russian_words_in_a_kazakh_paragraph_are_told_by_kazakh_phonology() {
        for word in [
            "книга",        // two consonants at the start; г before а
            "книгу",        // two consonants at the start
            "карантина",    // к before а
            "город",        // о in the second syllable
            "библиотека",   // back and front vowels
            "истории",      // -ии
            "районный",     // -ый
            "воспоминаний", // в
        ] {
            assert!(russian_in_kazakh(word), "{word}");
        }
    }

    #[test]
    fn native_kazakh_words_without_kazakh_letters_stay_kazakh_only() {
        for word in [
            "бала",
            "адам",
            "тарих",
            "жер",
            "ел",
            "мектеп",
            "жазушы",
            "оқу",
            "алды",
            "берді",
            "сонымен",
            "баламен",
            "сазгер",
            "тарихи",
            "саяси",
            "орта",
            "жылы",
            "ауыл",
            "келеді",
            "барады",
        ] {
            assert!(!russian_in_kazakh(word), "{word}");
        }
    }

    #[test]
    fn a_run_of_words_without_kazakh_letters_is_russian_when_one_of_them_could_not_be_kazakh() {
        let words = ["2", "иванов", "и", "книга", "памяти", "балхаша", "2015", "тарих", "бала", "қала", "алма"];
        let r = Some(Lang::Russian);
        assert_eq!(second_languages(&words, Lang::Kazakh), [None, r, r, r, r, r, None, None, None, None, None]);
    }

    #[test]
    fn kazakh_words_in_a_russian_paragraph_are_told_by_their_letters() {
        let words = ["книга", "қазақстан", "өлкетану", "балхаш", "library"];
        let k = Some(Lang::Kazakh);
        assert_eq!(second_languages(&words, Lang::Russian), [None, k, k, None, None]);
        assert_eq!(second_languages(&["қала", "library"], Lang::Kazakh), [None, None]);
    }
}
