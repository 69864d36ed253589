//! Measures the Kazakh stemmer against a gold standard of forms and lemmas: the Universal
//! Dependencies treebank's CoNLL-U files. Two distinct forms of one part of speech should
//! share a stem exactly when they share a lemma; precision and recall count the pairs of
//! forms that the stemmer conflates against the pairs the lemmas join.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::index::analysis::{fold_word, Lang};
use crate::index::kazakh;

/// The two halves of the treebank's sentences: every other sentence, in file order, so
/// that both halves draw on every text. One is tuned on, the other reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Half {
    /// Sentences 0, 2, 4, …
    Tune,
    /// Sentences 1, 3, 5, …
    Report,
}

/// Conflation figures for one part of speech.
#[derive(Clone, Debug, Default)]
pub struct Conflation {
    pub forms: usize,
    /// Pairs of forms that share a lemma.
    pub gold_pairs: usize,
    /// Pairs of forms that share a stem.
    pub stemmed_pairs: usize,
    /// Pairs that share both.
    pub correct_pairs: usize,
    /// The pairs that share a lemma but no stem, and those that share a stem but no lemma,
    /// a few of each for tuning.
    pub missed: Vec<(String, String)>,
    pub merged: Vec<(String, String)>,
}

impl Conflation {
    pub fn precision(&self) -> f64 {
        ratio(self.correct_pairs, self.stemmed_pairs)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.correct_pairs, self.gold_pairs)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        1.0
    } else {
        a as f64 / b as f64
    }
}

/// Forms of one part of speech with the lemmas each was given.
pub type Forms = BTreeMap<String, BTreeSet<String>>;

/// Reads the CoNLL-U files in `dir` (in name order) and gathers, per part of speech, the
/// folded forms of `half`'s sentences with their lemmas.
pub fn read_treebank(dir: &Path, half: Half) -> std::io::Result<BTreeMap<String, Forms>> {
    let mut files: Vec<_> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "conllu"))
        .collect();
    files.sort();
    let mut by_pos: BTreeMap<String, Forms> = BTreeMap::new();
    let mut sentence = 0usize;
    for file in files {
        let text = std::fs::read_to_string(&file)?;
        for block in text.split("\n\n").filter(|b| b.lines().any(|l| !l.starts_with('#') && !l.trim().is_empty())) {
            let in_half = sentence.is_multiple_of(2) == (half == Half::Tune);
            sentence += 1;
            if !in_half {
                continue;
            }
            for line in block.lines().filter(|l| !l.starts_with('#')) {
                let columns: Vec<&str> = line.split('\t').collect();
                // Multi-word tokens (1-2) and empty nodes (1.1) carry no lemma of their own.
                if columns.len() != 10 || !columns[0].bytes().all(|b| b.is_ascii_digit()) {
                    continue;
                }
                let (form, lemma, pos) = (fold(columns[1]), fold(columns[2]), columns[3]);
                if form.chars().all(char::is_alphabetic) {
                    by_pos.entry(pos.to_string()).or_default().entry(form).or_default().insert(lemma);
                }
            }
        }
    }
    Ok(by_pos)
}

fn fold(word: &str) -> String {
    let mut out = String::new();
    fold_word(word, Lang::Kazakh, &mut out);
    out
}

/// How many example pairs of each kind of error to keep.
const EXAMPLES: usize = 40;

/// Compares every pair of distinct forms: shared lemma against shared query stem (the
/// stems a search for the form looks for).
pub fn conflation(forms: &Forms) -> Conflation {
    let entries: Vec<(&String, &BTreeSet<String>, Vec<String>)> =
        forms.iter().map(|(form, lemmas)| (form, lemmas, kazakh::query_stems(form))).collect();
    let mut result = Conflation { forms: entries.len(), ..Conflation::default() };
    for (i, (a, a_lemmas, a_stems)) in entries.iter().enumerate() {
        for (b, b_lemmas, b_stems) in &entries[i + 1..] {
            let gold = !a_lemmas.is_disjoint(b_lemmas);
            let stemmed = a_stems.iter().any(|s| b_stems.contains(s));
            result.gold_pairs += usize::from(gold);
            result.stemmed_pairs += usize::from(stemmed);
            result.correct_pairs += usize::from(gold && stemmed);
            let pair = || (a.to_string(), b.to_string());
            if gold && !stemmed && result.missed.len() < EXAMPLES {
                result.missed.push(pair());
            }
            if stemmed && !gold && result.merged.len() < EXAMPLES {
                result.merged.push(pair());
            }
        }
    }
    result
}

/// A lemma whose forms fall apart into groups that share no stem: the recall lost, by lemma.
#[derive(Clone, Debug)]
pub struct Split {
    pub lemma: String,
    /// Pairs of the lemma's forms left apart.
    pub missed_pairs: usize,
    /// The groups: each form with the stems a search for it looks for.
    pub groups: Vec<Vec<(String, Vec<String>)>>,
}

/// Every lemma whose forms the stemmer leaves in more than one group, the most pairs
/// lost first: what `stem_eval --splits` lists for tuning.
pub fn splits(forms: &Forms) -> Vec<Split> {
    let mut by_lemma: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (form, lemmas) in forms {
        for lemma in lemmas {
            by_lemma.entry(lemma).or_default().push(form);
        }
    }
    let mut result = Vec::new();
    for (lemma, members) in by_lemma {
        let mut groups: Vec<Vec<(String, Vec<String>)>> = Vec::new();
        for form in members {
            let stems = kazakh::query_stems(form);
            // Merge every group this form shares a stem with.
            let (joined, rest): (Vec<_>, Vec<_>) =
                groups.into_iter().partition(|group| group.iter().any(|(_, s)| s.iter().any(|x| stems.contains(x))));
            let mut merged: Vec<(String, Vec<String>)> = joined.into_iter().flatten().collect();
            merged.push((form.to_string(), stems));
            groups = rest;
            groups.push(merged);
        }
        if groups.len() > 1 {
            let total: usize = groups.iter().map(Vec::len).sum();
            let within: usize = groups.iter().map(|g| g.len() * (g.len() - 1) / 2).sum();
            let missed_pairs = total * (total - 1) / 2 - within;
            result.push(Split { lemma: lemma.to_string(), missed_pairs, groups });
        }
    }
    result.sort_by(|a, b| b.missed_pairs.cmp(&a.missed_pairs).then_with(|| a.lemma.cmp(&b.lemma)));
    result
}
