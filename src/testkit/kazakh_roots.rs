//! Lists drawn from a Hunspell dictionary (Debian's hunspell-kk) for the Kazakh stemmer:
//! the stems it must not cut (`src/index/kazakh_roots.txt`) and the verb roots
//! (`src/index/kazakh_verbs.txt`), both written by `examples/kazakh_roots.rs`.

use std::collections::HashSet;

use crate::index::analysis::{fold_word, Lang};
use crate::index::kazakh;

/// The entries of a Hunspell `.dic` file (a count on the first line, then `stem/FLAGS`
/// lines): each stem folded, with its affix flags.
fn entries(dic: &str) -> impl Iterator<Item = (String, &str)> {
    dic.lines().skip(1).map(|line| {
        let (stem, flags) = line.split_once('/').unwrap_or((line, ""));
        let mut folded = String::new();
        fold_word(stem.trim().trim_start_matches('\u{FEFF}'), Lang::Kazakh, &mut folded);
        (folded, flags.trim())
    })
}

/// The stems of a Hunspell `.dic` file that the stemmer would cut to something the
/// dictionary does not know, folded, sorted and deduplicated. The dictionary lists many
/// inflected forms as well (білімнің, басы), which are cut to a word it knows; a cut that
/// leaves a non-word (отбасы → отба) took part of the root.
pub fn protected_roots(dic: &str) -> Vec<String> {
    let words: HashSet<String> = entries(dic).map(|(stem, _)| stem).collect();
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

/// hunspell-kk gives its verbs the affix class `M` (the converb -ып/-іп/-п, taken off the
/// infinitive) with the other verb classes, and lists each verb by its infinitive in -у
/// (жазу, оқу) or -ю (қою). The verb roots, in the stemmer's own form of a verb stem
/// (see `kazakh::verb_root_of_infinitive`), sorted and deduplicated.
pub fn verb_roots(dic: &str) -> Vec<String> {
    let mut roots: Vec<String> = entries(dic)
        .filter(|(stem, flags)| flags.contains('M') && stem.chars().all(is_kazakh_letter))
        .filter_map(|(stem, _)| kazakh::verb_root_of_infinitive(&stem))
        .collect();
    roots.sort();
    roots.dedup();
    roots
}

fn is_kazakh_letter(c: char) -> bool {
    matches!(c, 'а'..='я' | 'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'і')
}
