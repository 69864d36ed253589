//! Turning text into index terms, the same way for pages and for queries.
//!
//! Page text is normalised once before it is indexed and stored ([`normalize_text`]):
//! Unicode NFC, soft hyphens removed, words hyphenated at a line end joined again. Each
//! word is then folded for matching ([`fold_word`]: lower case, ё→е, Latin letters that
//! OCR puts into Cyrillic words turned into the Cyrillic letters they look like) and
//! stemmed by its language ([`Analyzer`]).
//!
//! Every word gives the index two kinds of term at one position: its stems, which
//! queries match, and its folded surface form behind [`SURFACE_MARK`], which prefix
//! queries and the exact-form bonus match.

use std::borrow::Cow;
use std::sync::Arc;

use tantivy::tokenizer::{PreTokenizedStream, PreTokenizedString, Token, TokenStream, Tokenizer};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use super::kazakh;
use super::mixed::second_languages;

/// Marks a word's surface form among the terms, apart from the stems.
pub(crate) const SURFACE_MARK: char = '=';

/// Longer "words" are OCR noise (rules, ornaments read as letters) and are not indexed.
pub(crate) const MAX_WORD_CHARS: usize = 64;

/// The languages with their own analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Lang {
    Kazakh,
    Russian,
    English,
}

impl Lang {
    pub(crate) const ALL: [Lang; 3] = [Lang::Kazakh, Lang::Russian, Lang::English];

    /// ISO 639-2, as records and pages spell languages.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Lang::Kazakh => "kaz",
            Lang::Russian => "rus",
            Lang::English => "eng",
        }
    }

    /// Reads ISO 639-2 or 639-1 codes, and the Kazakh `kz` people also write.
    pub(crate) fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "kaz" | "kk" | "kz" => Some(Lang::Kazakh),
            "rus" | "ru" => Some(Lang::Russian),
            "eng" | "en" => Some(Lang::English),
            _ => None,
        }
    }

    /// The language `crate::language::detect` finds in `text`.
    pub(crate) fn detect(text: &str) -> Option<Lang> {
        crate::language::detect(text).and_then(Lang::from_code)
    }

    /// The name the analyzer is registered under in the index.
    pub(crate) fn tokenizer_name(self) -> &'static str {
        match self {
            Lang::Kazakh => "olke_kaz",
            Lang::Russian => "olke_rus",
            Lang::English => "olke_eng",
        }
    }
}

fn is_hyphen(c: char) -> bool {
    matches!(c, '-' | '\u{2010}' | '\u{2011}' | '\u{00AC}')
}

/// NFC, soft hyphens dropped, and a word broken by a hyphen at a line end joined:
/// «кітап-\nхана» → «кітапхана». Only a lower-case letter after the break joins, so a
/// hyphenated name at a line end («Алматы-\nАстана») keeps its hyphen.
pub(crate) fn normalize_text(text: &str) -> String {
    let text: Cow<str> = match is_nfc_quick(text.chars()) {
        IsNormalized::Yes => Cow::Borrowed(text),
        _ => Cow::Owned(text.nfc().collect()),
    };
    let chars: Vec<char> = text.chars().filter(|&c| c != '\u{00AD}').collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if is_hyphen(c) && i > 0 && chars[i - 1].is_alphabetic() {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j], ' ' | '\t' | '\r') {
                j += 1;
            }
            if j < chars.len() && chars[j] == '\n' {
                let mut k = j + 1;
                while k < chars.len() && matches!(chars[k], ' ' | '\t') {
                    k += 1;
                }
                if k < chars.len() && chars[k].is_lowercase() {
                    i = k;
                    continue;
                }
            }
        }
        out.push(c);
        i += 1;
    }
    out
}

fn is_cyrillic(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{04FF}')
}

/// The Cyrillic letter a Latin letter in a Cyrillic word stands for. OCR (and people
/// without a Kazakh keyboard) put Latin i for і, h for һ, y for ү, ə for ә.
fn cyrillic_lookalike(c: char, lang: Lang) -> char {
    match c {
        'A' => 'А',
        'a' => 'а',
        'B' => 'В',
        'C' => 'С',
        'c' => 'с',
        'E' => 'Е',
        'e' => 'е',
        'H' => 'Н',
        'h' => 'һ',
        'I' => 'І',
        'i' => 'і',
        'K' => 'К',
        'k' => 'к',
        'M' => 'М',
        'O' => 'О',
        'o' => 'о',
        'P' => 'Р',
        'p' => 'р',
        'T' => 'Т',
        'X' => 'Х',
        'x' => 'х',
        'Y' if lang == Lang::Kazakh => 'Ү',
        'y' if lang == Lang::Kazakh => 'ү',
        'Y' => 'У',
        'y' => 'у',
        'Ə' => 'Ә',
        'ə' => 'ә',
        other => other,
    }
}

/// Folds a word for matching into `out`: lower case, ё→е, combining marks (stress
/// accents) dropped, and in a word with Cyrillic letters the Latin look-alikes made
/// Cyrillic. A word all in Latin letters stays Latin.
pub(crate) fn fold_word(word: &str, lang: Lang, out: &mut String) {
    out.clear();
    let cyrillic = word.chars().any(is_cyrillic);
    for c in word.chars() {
        // Combining marks start at U+0300; letters below it and Cyrillic ones are not.
        if c >= '\u{0300}' && !is_cyrillic_letter(c) && is_combining_mark(c) {
            continue;
        }
        let c = if cyrillic { cyrillic_lookalike(c, lang) } else { c };
        for lower in c.to_lowercase() {
            out.push(if lower == 'ё' { 'е' } else { lower });
        }
    }
}

/// A word's terms: its folded surface form and its stems (one, or more for an ambiguous
/// Kazakh ending).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct WordTerms {
    pub surface: String,
    /// What the word is sought by.
    pub stems: Vec<String>,
    /// What it is derived from: indexed, so that the base finds it, but not sought.
    pub bases: Vec<String>,
}

impl WordTerms {
    /// The surface form as it is stored among the terms.
    pub(crate) fn marked_surface(&self) -> String {
        marked(&self.surface)
    }
}

/// `word` behind the surface mark.
pub(crate) fn marked(word: &str) -> String {
    let mut term = String::with_capacity(word.len() + 1);
    term.push(SURFACE_MARK);
    term.push_str(word);
    term
}

/// Snowball's stem of a word, and the stems of that stem while they change. Snowball
/// takes noun ends for verb endings in base forms only: «журнал» → журна (-л), while
/// «журналов» → журнал (-ов); «архив» → арх, «архиве» → архив. Stemming the stem again
/// gives the inflected form the base form's stem too, so the two meet.
fn snowball_stems(stemmer: &frostem::Stemmer, word: &str) -> Vec<String> {
    // Twice is enough for the two to meet; more would merge unrelated words.
    const MAX_ROUNDS: usize = 2;
    let mut stems = vec![stemmer.stem(word).into_owned()];
    for _ in 1..MAX_ROUNDS {
        let last = stems.last().expect("one stem at least");
        let next = stemmer.stem(last);
        if next == last.as_str() || next.chars().count() < 3 {
            break;
        }
        let next = next.into_owned();
        stems.push(next);
    }
    stems
}

/// The analysis of one language: word splitting, folding and stemming.
#[derive(Clone)]
pub(crate) struct Analyzer {
    lang: Lang,
    snowball: Option<frostem::Stemmer>,
}

impl Analyzer {
    pub(crate) fn new(lang: Lang) -> Analyzer {
        let snowball = match lang {
            Lang::Kazakh => None,
            Lang::Russian => Some(frostem::Stemmer::new(frostem::Algorithm::Russian)),
            Lang::English => Some(frostem::Stemmer::new(frostem::Algorithm::English)),
        };
        Analyzer { lang, snowball }
    }

    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    /// The terms of one word (a run of letters and digits).
    pub(crate) fn word_terms(&self, word: &str) -> WordTerms {
        let mut surface = String::with_capacity(word.len());
        fold_word(word, self.lang, &mut surface);
        let kazakh::Analysis { stems, bases } = self.analyse(&surface);
        WordTerms { surface, stems, bases }
    }

    /// The stems and bases of a folded word.
    fn analyse(&self, surface: &str) -> kazakh::Analysis {
        if surface.chars().any(|c| c.is_numeric()) {
            return kazakh::Analysis { stems: vec![surface.to_string()], bases: Vec::new() };
        }
        match &self.snowball {
            Some(stemmer) => kazakh::Analysis { stems: snowball_stems(stemmer, surface), bases: Vec::new() },
            None => kazakh::analyse(surface),
        }
    }

    /// Every term a folded word is indexed under but its surface form: stems, then bases.
    fn index_terms(&self, surface: &str) -> impl Iterator<Item = String> {
        let kazakh::Analysis { stems, bases } = self.analyse(surface);
        stems.into_iter().chain(bases)
    }

    /// The words of `text` with their byte ranges.
    pub(crate) fn words(text: &str) -> impl Iterator<Item = (usize, &str)> + '_ {
        Words { text, at: 0 }
    }
}

/// Cyrillic letters (U+0400–U+04FF less the signs U+0482–U+0489): most of the text, so
/// they are told apart before the general Unicode tables are asked.
fn is_cyrillic_letter(c: char) -> bool {
    matches!(c, '\u{0400}'..='\u{0481}' | '\u{048A}'..='\u{04FF}')
}

fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        is_cyrillic_letter(c) || c.is_alphanumeric() || is_combining_mark(c)
    }
}

/// Runs of letters, digits and combining marks, with their byte offsets; over-long runs
/// are passed over.
struct Words<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Iterator for Words<'a> {
    type Item = (usize, &'a str);

    fn next(&mut self) -> Option<(usize, &'a str)> {
        loop {
            let rest = &self.text[self.at..];
            let start = self.at + rest.find(is_word_char)?;
            let len = self.text[start..].find(|c| !is_word_char(c)).unwrap_or(self.text.len() - start);
            self.at = start + len;
            let word = &self.text[start..start + len];
            // Letters take at most four bytes: a short word needs no counting.
            let short = word.len() <= MAX_WORD_CHARS || word.chars().nth(MAX_WORD_CHARS).is_none();
            if short && !word.starts_with(is_combining_mark) {
                return Some((start, word));
            }
        }
    }
}

impl Tokenizer for Analyzer {
    type TokenStream<'a> = AnalyzedWords<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> AnalyzedWords<'a> {
        AnalyzedWords {
            analyzer: self,
            words: Words { text, at: 0 },
            pending: Vec::new(),
            token: Token::default(),
            position: None,
        }
    }
}

/// The token stream of an [`Analyzer`]: per word, its stems, bases, then its surface form, all
/// at the word's position.
pub(crate) struct AnalyzedWords<'a> {
    analyzer: &'a Analyzer,
    words: Words<'a>,
    /// Terms of the current word still to hand out, last first.
    pending: Vec<String>,
    token: Token,
    position: Option<usize>,
}

impl TokenStream for AnalyzedWords<'_> {
    fn advance(&mut self) -> bool {
        if let Some(text) = self.pending.pop() {
            self.token.text = text;
            return true;
        }
        let Some((start, word)) = self.words.next() else { return false };
        let terms = self.analyzer.word_terms(word);
        let position = self.position.map_or(0, |p| p + 1);
        self.position = Some(position);
        self.pending.push(marked(&terms.surface));
        self.pending.extend(terms.stems.into_iter().chain(terms.bases).rev());
        self.token = Token {
            offset_from: start,
            offset_to: start + word.len(),
            position,
            text: self.pending.pop().expect("a word has a stem"),
            position_length: 1,
        };
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

/// The paragraphs (separated by blank lines) of a normalised page text, with their byte
/// offsets and languages: each paragraph's own when it has enough text to tell, else
/// the page's `main` language — but never English for a Cyrillic paragraph (a Kazakh
/// caption on a page of English), which takes Kazakh, the fund's main language.
/// Indexing and snippets split pages alike through this.
pub(crate) fn paragraphs(text: &str, main: Lang) -> impl Iterator<Item = (usize, &str, Lang)> {
    let mut offset = 0;
    text.split("\n\n")
        .map(move |paragraph| {
            let start = offset;
            offset += paragraph.len() + 2;
            (start, paragraph, Lang::detect(paragraph).unwrap_or_else(|| short_paragraph_language(paragraph, main)))
        })
        .filter(|(_, paragraph, _)| !paragraph.trim().is_empty())
}

/// The words of a `lang` paragraph that are analysed in another language as well (a
/// Russian title in a Kazakh list: [`second_language`]), as pre-tokenized text for each
/// such language's field: every such word's terms at its position in the paragraph, so
/// that a phrase of them still matches.
pub(crate) fn borrowed_words(paragraph: &str, lang: Lang) -> Vec<(Lang, PreTokenizedString)> {
    let words = folded_words(paragraph, lang);
    let mut borrowed: Vec<(Analyzer, Vec<Token>)> = Vec::new();
    for (position, ((offset, word, _), other)) in
        words.iter().zip(second_languages(&surfaces(&words), lang)).enumerate()
    {
        let Some(other) = other else { continue };
        let at = match borrowed.iter().position(|(analyzer, _)| analyzer.lang == other) {
            Some(at) => at,
            None => {
                borrowed.push((Analyzer::new(other), Vec::new()));
                borrowed.len() - 1
            }
        };
        let (analyzer, tokens) = &mut borrowed[at];
        let terms = analyzer.word_terms(word);
        let token = |text: String| Token {
            offset_from: *offset,
            offset_to: offset + word.len(),
            position,
            text,
            position_length: 1,
        };
        tokens.push(token(marked(&terms.surface)));
        tokens.extend(terms.stems.into_iter().chain(terms.bases).map(token));
    }
    borrowed
        .into_iter()
        .map(|(analyzer, tokens)| (analyzer.lang, PreTokenizedString { text: String::new(), tokens }))
        .collect()
}

/// The words of a paragraph with their byte offsets and folded forms.
fn folded_words(paragraph: &str, lang: Lang) -> Vec<(usize, &str, String)> {
    Analyzer::words(paragraph)
        .map(|(offset, word)| {
            let mut surface = String::with_capacity(word.len());
            fold_word(word, lang, &mut surface);
            (offset, word, surface)
        })
        .collect()
}

fn surfaces<'a>(words: &'a [(usize, &str, String)]) -> Vec<&'a str> {
    words.iter().map(|(_, _, surface)| surface.as_str()).collect()
}

/// The language of a paragraph too short to tell: the page's, unless that is English and
/// the paragraph is mostly Cyrillic.
fn short_paragraph_language(paragraph: &str, main: Lang) -> Lang {
    let cyrillic = paragraph.chars().filter(|&c| is_cyrillic_letter(c)).count();
    let latin = paragraph.chars().filter(char::is_ascii_alphabetic).count();
    if main == Lang::English && cyrillic > latin {
        Lang::Kazakh
    } else {
        main
    }
}

/// One word of a text as the index sees it, for `olke analyze`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct AnalyzedWord {
    pub word: String,
    /// ISO 639-2 code of the analysis used.
    pub lang: &'static str,
    /// The folded form that prefix queries and the exact-form bonus match.
    pub surface: String,
    /// The terms the word is indexed under and sought by.
    pub stems: Vec<String>,
    /// The bases of a derived word: indexed, not sought.
    pub bases: Vec<String>,
}

/// The terms each word of `text` is indexed under: in `lang` (an ISO 639 code) if given,
/// else each paragraph in its detected language, Kazakh when the text is too short to tell.
/// `None` when `lang` is not one with its own analysis.
pub fn analyze_text(text: &str, lang: Option<&str>) -> Option<Vec<AnalyzedWord>> {
    let forced = match lang {
        Some(code) => Some(Lang::from_code(code)?),
        None => None,
    };
    let text = normalize_text(text);
    let main = forced.or_else(|| Lang::detect(&text)).unwrap_or(Lang::Kazakh);
    let mut words = Vec::new();
    for (_, paragraph, detected) in paragraphs(&text, main) {
        let analyzer = Analyzer::new(forced.unwrap_or(detected));
        let folded = folded_words(paragraph, analyzer.lang);
        let seconds = second_languages(&surfaces(&folded), analyzer.lang);
        for ((_, word, _), second) in folded.into_iter().zip(seconds) {
            // A word of another language in the paragraph is analysed in both.
            let second = second.map(Analyzer::new);
            for analyzer in std::iter::once(&analyzer).chain(second.as_ref()) {
                let WordTerms { surface, stems, bases } = analyzer.word_terms(word);
                words.push(AnalyzedWord { word: word.to_string(), lang: analyzer.lang.code(), surface, stems, bases });
            }
        }
    }
    Some(words)
}

/// Analyses a whole page as it was indexed, each paragraph in its language: what a
/// snippet needs to find the query's terms in the stored text.
#[derive(Clone)]
pub(crate) struct PageAnalyzer {
    main: Lang,
    /// The beginnings of the terms sought. A word that starts otherwise cannot have them
    /// among its stems (stems begin as their word does, to the third letter), so it is
    /// not stemmed: stemming every word of a page costs more than the search.
    sought: Arc<Vec<String>>,
}

/// Letters of a term that a word must start with to have it as a stem.
const SOUGHT_PREFIX_CHARS: usize = 3;

impl PageAnalyzer {
    pub(crate) fn new<'a>(main: Lang, terms: impl IntoIterator<Item = &'a str>) -> PageAnalyzer {
        let mut sought: Vec<String> = terms
            .into_iter()
            .map(|t| t.trim_start_matches(SURFACE_MARK).chars().take(SOUGHT_PREFIX_CHARS).collect())
            .collect();
        sought.sort();
        sought.dedup();
        PageAnalyzer { main, sought: Arc::new(sought) }
    }
}

impl Tokenizer for PageAnalyzer {
    type TokenStream<'a> = PreTokenizedStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> PreTokenizedStream {
        let mut tokens = Vec::new();
        for (start, paragraph, lang) in paragraphs(text, self.main) {
            let analyzer = Analyzer::new(lang);
            let words = folded_words(paragraph, lang);
            let seconds = second_languages(&surfaces(&words), lang);
            let mut others: Vec<Analyzer> = Vec::new();
            for (position, ((offset, word, surface), second)) in words.into_iter().zip(seconds).enumerate() {
                let token = |text: String| Token {
                    offset_from: start + offset,
                    offset_to: start + offset + word.len(),
                    position,
                    text,
                    position_length: 1,
                };
                if self.sought.iter().any(|p| surface.starts_with(p.as_str())) {
                    tokens.extend(analyzer.index_terms(&surface).map(token));
                    // As indexed: a word of another language has that language's terms too.
                    if let Some(other) = second {
                        if !others.iter().any(|a| a.lang == other) {
                            others.push(Analyzer::new(other));
                        }
                        let other = others.iter().find(|a| a.lang == other).expect("just added");
                        let terms = other.word_terms(word);
                        tokens.push(token(marked(&terms.surface)));
                        tokens.extend(other.index_terms(&terms.surface).map(token));
                    }
                }
                tokens.push(token(marked(&surface)));
            }
        }
        PreTokenizedStream::from(PreTokenizedString { text: text.to_string(), tokens })
    }
}

/// Folding without stemming, for the source title that `--source` matches word by word.
#[derive(Clone)]
pub(crate) struct FoldingTokenizer;

impl Tokenizer for FoldingTokenizer {
    type TokenStream<'a> = FoldedWords<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> FoldedWords<'a> {
        FoldedWords { words: Words { text, at: 0 }, token: Token::default(), position: None }
    }
}

pub(crate) struct FoldedWords<'a> {
    words: Words<'a>,
    token: Token,
    position: Option<usize>,
}

impl TokenStream for FoldedWords<'_> {
    fn advance(&mut self) -> bool {
        let Some((start, word)) = self.words.next() else { return false };
        let position = self.position.map_or(0, |p| p + 1);
        self.position = Some(position);
        let mut text = std::mem::take(&mut self.token.text);
        fold_word(word, Lang::Russian, &mut text);
        self.token = Token { offset_from: start, offset_to: start + word.len(), position, text, position_length: 1 };
        true
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(lang: Lang, text: &str) -> Vec<(usize, String)> {
        let mut analyzer = Analyzer::new(lang);
        let mut stream = analyzer.token_stream(text);
        let mut out = Vec::new();
        while let Some(token) = stream.next() {
            out.push((token.position, token.text.clone()));
        }
        out
    }

    fn folded(word: &str, lang: Lang) -> String {
        let mut out = String::new();
        fold_word(word, lang, &mut out);
        out
    }

    #[test]
    fn a_short_cyrillic_paragraph_on_an_english_page_is_never_english() {
        let text = "The history of the city of Balkhash in archive documents\n\nКітапхана қоры\n\nSee p. 4";
        let languages: Vec<Lang> = paragraphs(text, Lang::English).map(|(_, _, lang)| lang).collect();
        assert_eq!(languages, [Lang::English, Lang::Kazakh, Lang::English]);
        // On a Russian page a short paragraph stays Russian.
        let languages: Vec<Lang> = paragraphs("Книга", Lang::Russian).map(|(_, _, lang)| lang).collect();
        assert_eq!(languages, [Lang::Russian]);
    }

    #[test]
    fn hyphenated_line_ends_are_joined_and_text_is_nfc() {
        assert_eq!(normalize_text("кітап-\nханада оқыдық"), "кітапханада оқыдық");
        assert_eq!(normalize_text("библио-  \n  теке"), "библиотеке");
        assert_eq!(normalize_text("Алматы-\nАстана"), "Алматы-\nАстана");
        assert_eq!(normalize_text("ақын-жазушы"), "ақын-жазушы");
        assert_eq!(normalize_text("кі\u{00AD}тап"), "кітап");
        // й written as и + combining breve becomes the one letter.
        assert_eq!(normalize_text("музе\u{0438}\u{0306}"), "музей");
    }

    #[test]
    fn folding_lowers_and_maps_lookalikes_only_inside_cyrillic_words() {
        assert_eq!(folded("ЁЛКА", Lang::Russian), "елка");
        assert_eq!(folded("кiтап", Lang::Kazakh), "кітап"); // Latin i
        assert_eq!(folded("қаhарман", Lang::Kazakh), "қаһарман"); // Latin h
        assert_eq!(folded("yш", Lang::Kazakh), "үш"); // Latin y
        assert_eq!(folded("Бaлқaш", Lang::Kazakh), "балқаш"); // Latin a
        assert_eq!(folded("əдебиет", Lang::Kazakh), "әдебиет"); // Latin schwa
        assert_eq!(folded("замо\u{0301}к", Lang::Russian), "замок"); // stress mark
        assert_eq!(folded("Library", Lang::Kazakh), "library");
    }

    #[test]
    fn each_word_gives_its_stems_then_its_surface_form_at_one_position() {
        assert_eq!(
            tokens(Lang::Kazakh, "Кітапханаларымыздың қоры"),
            vec![
                (0, "кітапхана".to_string()),
                // The reading that keeps the case ending, in case the root ends so.
                (0, "кітапханаларымыздың".to_string()),
                (0, "=кітапханаларымыздың".to_string()),
                (1, "қор".to_string()),
                (1, "=қоры".to_string()),
            ]
        );
        assert_eq!(
            tokens(Lang::Russian, "Библиотеки"),
            vec![(0, "библиотек".to_string()), (0, "=библиотеки".to_string())]
        );
        // Snowball cuts «журнал» to журна, but «журналов» to журнал: stemming again meets.
        assert_eq!(
            tokens(Lang::Russian, "журналов"),
            vec![(0, "журнал".into()), (0, "журна".into()), (0, "=журналов".into())]
        );
        assert_eq!(
            tokens(Lang::Russian, "журнал"),
            vec![(0, "журна".into()), (0, "журн".into()), (0, "=журнал".into())]
        );
        assert_eq!(tokens(Lang::English, "libraries"), vec![(0, "librari".to_string()), (0, "=libraries".to_string())]);
    }

    #[test]
    fn words_split_at_punctuation_and_skip_noise() {
        let words: Vec<&str> = Analyzer::words("ақын-жазушы, 1968 ж. — «Балқаш»").map(|(_, w)| w).collect();
        assert_eq!(words, ["ақын", "жазушы", "1968", "ж", "Балқаш"]);
        let long = "а".repeat(MAX_WORD_CHARS + 1);
        assert_eq!(Analyzer::words(&format!("{long} сөз")).count(), 1);
    }
}
