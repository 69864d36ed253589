//! The dictionary stems the Kazakh stemmer must not cut: the words a Hunspell dictionary
//! (Debian's hunspell-kk) lists as stems, from which the stemmer would take an "ending"
//! that is part of the root. Written to `src/index/kazakh_roots.txt` by
//! `examples/kazakh_roots.rs`.

use std::collections::HashSet;

use crate::index::analysis::{fold_word, Lang};
use crate::index::kazakh;

/// The stems of a Hunspell `.dic` file (a count on the first line, then `stem/FLAGS`
/// lines) that the stemmer would cut to something the dictionary does not know, folded,
/// sorted and deduplicated. The dictionary lists many inflected forms as well (білімнің,
/// басы), which are cut to a word it knows; a cut that leaves a non-word (отбасы → отба)
/// took part of the root.
pub fn protected_roots(dic: &str) -> Vec<String> {
    let words: HashSet<String> = dic
        .lines()
        .skip(1)
        .filter_map(|line| line.split('/').next())
        .map(|stem| {
            let mut folded = String::new();
            fold_word(stem.trim().trim_start_matches('\u{FEFF}'), Lang::Kazakh, &mut folded);
            folded
        })
        .collect();
    let mut roots: Vec<String> = words
        .iter()
        // Proper names and abbreviations are capitalised in the dictionary; a stem of
        // fewer than three letters has no ending to protect.
        .filter(|word| word.chars().count() >= 3 && word.chars().all(is_kazakh_letter))
        .filter(|word| {
            let stems = kazakh::unprotected_stems(word);
            !stems.is_empty() && !stems.iter().any(|stem| words.contains(stem))
        })
        .cloned()
        .collect();
    roots.sort();
    roots
}

fn is_kazakh_letter(c: char) -> bool {
    matches!(c, 'а'..='я' | 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і')
}
