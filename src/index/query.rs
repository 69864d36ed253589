//! The query language, parsed into an [`Expr`]: words, "phrases", prefix*, AND, OR, NOT
//! (or -word), parentheses. Words side by side must all be found. A query that cannot
//! mean anything gets a [`QueryError`] saying what is wrong and where.

use std::fmt;

/// Longer input is refused before parsing: no one types it, and it would only be work.
pub(crate) const MAX_QUERY_CHARS: usize = 1000;
/// Words, phrases and prefixes in one query.
pub(crate) const MAX_TERMS: usize = 64;
/// A prefix needs this many letters, or it would expand to most of the vocabulary.
pub(crate) const MIN_PREFIX_CHARS: usize = 2;

/// A parsed query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Expr {
    Word(String),
    Prefix(String),
    Phrase(String),
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

/// What is wrong with a query, and at which character (counted from 1).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct QueryError {
    pub message: String,
    pub column: Option<usize>,
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.column {
            Some(column) => write!(f, "{} (at character {column})", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl QueryError {
    fn at(column: usize, message: impl Into<String>) -> QueryError {
        QueryError { message: message.into(), column: Some(column) }
    }

    fn whole(message: impl Into<String>) -> QueryError {
        QueryError { message: message.into(), column: None }
    }

    /// The query with a caret under the faulty character, for a terminal.
    pub fn pointer(&self, query: &str) -> Option<String> {
        let column = self.column?;
        let shown: String = query.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
        Some(format!("  {shown}\n  {}^", " ".repeat(column - 1)))
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Word(String),
    Prefix(String),
    Phrase(String),
    And,
    Or,
    Not,
    Open,
    Close,
}

impl Token {
    fn name(&self) -> &'static str {
        match self {
            Token::And => "AND",
            Token::Or => "OR",
            Token::Not => "NOT",
            Token::Open => "(",
            Token::Close => ")",
            Token::Word(_) | Token::Prefix(_) | Token::Phrase(_) => "word",
        }
    }
}

fn has_word_char(text: &str) -> bool {
    text.chars().any(char::is_alphanumeric)
}

/// Splits the query into tokens, each with its column (from 1).
fn lex(query: &str) -> Result<Vec<(usize, Token)>, QueryError> {
    let chars: Vec<char> = query.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let column = i + 1;
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' || c == ')' {
            tokens.push((column, if c == '(' { Token::Open } else { Token::Close }));
            i += 1;
        } else if c == '"' {
            let Some(length) = chars[i + 1..].iter().position(|&c| c == '"') else {
                return Err(QueryError::at(column, "this quote is never closed; close the phrase with another \""));
            };
            let phrase: String = chars[i + 1..i + 1 + length].iter().collect();
            if !has_word_char(&phrase) {
                return Err(QueryError::at(column, "this phrase has no words in it"));
            }
            i += length + 2;
            if chars.get(i) == Some(&'*') {
                return Err(QueryError::at(
                    i + 1,
                    "a phrase cannot end in *; put the * on a single word outside the quotes",
                ));
            }
            tokens.push((column, Token::Phrase(phrase)));
        } else {
            let start = i;
            while i < chars.len() && !chars[i].is_whitespace() && !matches!(chars[i], '"' | '(' | ')') {
                i += 1;
            }
            let word: String = chars[start..i].iter().collect();
            match word.as_str() {
                "AND" | "&&" => tokens.push((column, Token::And)),
                "OR" | "||" => tokens.push((column, Token::Or)),
                "NOT" => tokens.push((column, Token::Not)),
                _ => {
                    let (negated, word) = match word.strip_prefix('-') {
                        Some(rest) if has_word_char(rest) => (true, rest.to_string()),
                        _ => (false, word),
                    };
                    let Some(token) = word_token(&word, column)? else { continue };
                    if negated {
                        tokens.push((column, Token::Not));
                    }
                    tokens.push((column + usize::from(negated), token));
                }
            }
        }
    }
    Ok(tokens)
}

/// A word or prefix; `None` for punctuation standing alone («—»), which has nothing to find.
fn word_token(word: &str, column: usize) -> Result<Option<Token>, QueryError> {
    if let Some(star) = word.find('*') {
        let stem = &word[..star];
        if star + 1 != word.len() {
            let at = column + word[..star].chars().count();
            return Err(QueryError::at(at, "* may only end a word, as in кітап*"));
        }
        let letters = stem.chars().filter(|c| c.is_alphanumeric()).count();
        if letters < MIN_PREFIX_CHARS {
            return Err(QueryError::at(
                column,
                format!("a prefix needs at least {MIN_PREFIX_CHARS} letters before the *"),
            ));
        }
        return Ok(Some(Token::Prefix(stem.to_string())));
    }
    Ok(has_word_char(word).then(|| Token::Word(word.to_string())))
}

struct Parser {
    tokens: Vec<(usize, Token)>,
    at: usize,
    /// Column just past the end of the query, for errors about what is missing there.
    end: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.at).map(|(_, t)| t)
    }

    fn column(&self) -> usize {
        self.tokens.get(self.at).map_or(self.end, |(c, _)| *c)
    }

    fn next(&mut self) -> Option<(usize, Token)> {
        let token = self.tokens.get(self.at).cloned();
        self.at += 1;
        token
    }

    /// After an operator at `column`: there must be something to apply it to.
    fn operand_after(&self, column: usize, operator: &str) -> Result<(), QueryError> {
        match self.peek() {
            None | Some(Token::Close) => Err(QueryError::at(column, format!("{operator} has nothing after it"))),
            Some(t @ (Token::And | Token::Or)) => {
                Err(QueryError::at(self.column(), format!("{} cannot follow {operator}", t.name())))
            }
            _ => Ok(()),
        }
    }

    fn or(&mut self) -> Result<Expr, QueryError> {
        let mut alternatives = vec![self.and()?];
        while let Some(Token::Or) = self.peek() {
            let (column, _) = self.next().expect("peeked");
            self.operand_after(column, "OR")?;
            alternatives.push(self.and()?);
        }
        Ok(if alternatives.len() == 1 { alternatives.remove(0) } else { Expr::Or(alternatives) })
    }

    fn and(&mut self) -> Result<Expr, QueryError> {
        let mut all = vec![self.unary()?];
        loop {
            match self.peek() {
                None | Some(Token::Close) | Some(Token::Or) => break,
                Some(Token::And) => {
                    let (column, _) = self.next().expect("peeked");
                    self.operand_after(column, "AND")?;
                }
                _ => {}
            }
            all.push(self.unary()?);
        }
        Ok(if all.len() == 1 { all.remove(0) } else { Expr::And(all) })
    }

    fn unary(&mut self) -> Result<Expr, QueryError> {
        let column = self.column();
        match self.next() {
            Some((_, Token::Word(w))) => Ok(Expr::Word(w)),
            Some((_, Token::Prefix(p))) => Ok(Expr::Prefix(p)),
            Some((_, Token::Phrase(p))) => Ok(Expr::Phrase(p)),
            Some((_, Token::Not)) => {
                self.operand_after(column, "NOT")?;
                if let Some(Token::Not) = self.peek() {
                    return Err(QueryError::at(self.column(), "NOT NOT cancels out; remove both"));
                }
                Ok(Expr::Not(Box::new(self.unary()?)))
            }
            Some((_, Token::Open)) => {
                if let Some(Token::Close) = self.peek() {
                    return Err(QueryError::at(column, "these parentheses are empty"));
                }
                let inner = self.or()?;
                match self.next() {
                    Some((_, Token::Close)) => Ok(inner),
                    _ => Err(QueryError::at(column, "this ( is never closed")),
                }
            }
            Some((_, Token::Close)) => Err(QueryError::at(column, "this ) has no ( before it")),
            Some((_, t @ (Token::And | Token::Or))) => {
                Err(QueryError::at(column, format!("{} has nothing before it", t.name())))
            }
            None => Err(QueryError::at(column, "the query ends where a word was expected")),
        }
    }
}

fn count_terms(expr: &Expr) -> usize {
    match expr {
        Expr::Word(_) | Expr::Prefix(_) | Expr::Phrase(_) => 1,
        Expr::And(all) | Expr::Or(all) => all.iter().map(count_terms).sum(),
        Expr::Not(inner) => count_terms(inner),
    }
}

/// True when `expr` can match by itself (is not only exclusions). An OR whose branch only
/// excludes would match nearly everything, so it is refused.
fn finds_something(expr: &Expr) -> Result<bool, QueryError> {
    match expr {
        Expr::Word(_) | Expr::Prefix(_) | Expr::Phrase(_) => Ok(true),
        Expr::Not(_) => Ok(false),
        Expr::And(all) => {
            let mut any = false;
            for e in all {
                any |= finds_something(e)?;
            }
            Ok(any)
        }
        Expr::Or(alternatives) => {
            for e in alternatives {
                if !finds_something(e)? {
                    return Err(QueryError::whole(
                        "an OR branch with only NOT would find nearly every page; write «a AND NOT b» instead",
                    ));
                }
            }
            Ok(true)
        }
    }
}

/// Parses a query.
pub(crate) fn parse(query: &str) -> Result<Expr, QueryError> {
    let length = query.chars().count();
    if length > MAX_QUERY_CHARS {
        return Err(QueryError::whole(format!(
            "the query is {length} characters long; the limit is {MAX_QUERY_CHARS}"
        )));
    }
    let tokens = lex(query)?;
    if tokens.is_empty() {
        return Err(QueryError::whole("the query has no words to search for"));
    }
    let mut parser = Parser { tokens, at: 0, end: length + 1 };
    let expr = parser.or()?;
    if parser.peek().is_some() {
        return Err(QueryError::at(parser.column(), "this ) has no ( before it"));
    }
    let terms = count_terms(&expr);
    if terms > MAX_TERMS {
        return Err(QueryError::whole(format!("the query has {terms} words; the limit is {MAX_TERMS}")));
    }
    if !finds_something(&expr)? {
        return Err(QueryError::whole("the query only excludes (NOT …); add a word to find"));
    }
    Ok(expr)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(w: &str) -> Expr {
        Expr::Word(w.to_string())
    }

    fn error(query: &str) -> QueryError {
        parse(query).expect_err(query)
    }

    #[test]
    fn words_side_by_side_are_all_required() {
        assert_eq!(parse("Балқаш тарихы").unwrap(), Expr::And(vec![word("Балқаш"), word("тарихы")]));
        assert_eq!(parse("Балқаш AND тарихы").unwrap(), parse("Балқаш тарихы").unwrap());
        assert_eq!(parse("  мыс  ").unwrap(), word("мыс"));
    }

    #[test]
    fn operators_bind_not_then_and_then_or() {
        assert_eq!(
            parse("a b OR c NOT d").unwrap(),
            Expr::Or(vec![
                Expr::And(vec![word("a"), word("b")]),
                Expr::And(vec![word("c"), Expr::Not(Box::new(word("d")))])
            ])
        );
        assert_eq!(parse("a -b").unwrap(), Expr::And(vec![word("a"), Expr::Not(Box::new(word("b")))]));
        assert_eq!(parse("(a OR b) c").unwrap(), Expr::And(vec![Expr::Or(vec![word("a"), word("b")]), word("c")]));
    }

    #[test]
    fn phrases_and_prefixes() {
        assert_eq!(
            parse("\"мыс кеніші\" кітап*").unwrap(),
            Expr::And(vec![Expr::Phrase("мыс кеніші".into()), Expr::Prefix("кітап".into())])
        );
        // A lone dash or punctuation has nothing to find and is passed over.
        assert_eq!(parse("Балқаш — қала").unwrap(), Expr::And(vec![word("Балқаш"), word("қала")]));
        assert_eq!(parse("ақын-жазушы").unwrap(), word("ақын-жазушы"));
    }

    #[test]
    fn bad_queries_say_what_and_where() {
        assert_eq!(error("Балқаш \"мыс кеніші").column, Some(8));
        assert!(error("Балқаш \"мыс кеніші").message.contains("never closed"));
        assert_eq!(error("AND мыс").column, Some(1));
        assert!(error("мыс AND").message.contains("nothing after"));
        assert!(error("мыс OR").message.contains("nothing after"));
        assert!(error("NOT").message.contains("nothing after"));
        assert!(error("мыс OR OR кен").message.contains("cannot follow"));
        assert!(error("NOT мыс").message.contains("only excludes"));
        assert!(error("мыс OR NOT кен").message.contains("OR branch"));
        assert_eq!(error("(мыс кен").column, Some(1));
        assert_eq!(error("мыс) кен").column, Some(4));
        assert!(error("()").message.contains("empty"));
        assert!(error("\"\"").message.contains("no words"));
        assert!(error("к*").message.contains("prefix"));
        assert!(error("кі*тап").message.contains("only end"));
        assert!(error("*").message.contains("prefix"));
        assert!(error("").message.contains("no words"));
        assert!(error("— ,").message.contains("no words"));
        assert!(error(&"қала ".repeat(2000)).message.contains("limit is 1000"));
        assert!(error(&"сөз ".repeat(MAX_TERMS + 1)).message.contains("limit is 64"));
        assert!(error("NOT NOT мыс").message.contains("NOT NOT"));
    }

    #[test]
    fn the_pointer_marks_the_column() {
        let query = "Балқаш \"мыс";
        assert_eq!(error(query).pointer(query).unwrap(), format!("  {query}\n         ^"));
    }
}
