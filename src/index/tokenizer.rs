//! Code-aware tokenizer for tantivy.
//!
//! Splits text into identifier runs (letters, digits, `_`), then each run into its `snake_case`
//! and `camelCase` parts, keeping the whole identifier as well, everything lowercased. Paths and
//! punctuation separate runs, so `src/index/mod.rs` gives `src`, `index`, `mod`, `rs`, and
//! `parseHTTPRequest_v2` gives `parsehttprequest_v2`, `parse`, `http`, `request`, `v2`.

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name under which the stemming analyzer (bodies, symbols) is registered.
pub const CODE_TOKENIZER: &str = "codomyrmex_code";
/// Name under which the analyzer without stemming (symbol look-up) is registered.
pub const IDENT_TOKENIZER: &str = "codomyrmex_ident";

/// Longest token kept, in bytes: longer runs are usually hashes or base64 blobs.
const MAX_TOKEN_BYTES: usize = 64;

/// The tokenizer itself; see the module documentation. With `stem`, every token goes through
/// [`light_stem`].
#[derive(Clone, Default)]
pub struct CodeTokenizer {
    tokens: Vec<Token>,
    stem: bool,
}

/// Stream over the tokens of one text, computed eagerly.
pub struct CodeTokenStream<'a> {
    tokens: &'a mut [Token],
    index: usize,
}

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = CodeTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CodeTokenStream<'a> {
        let used = fill(text, &mut self.tokens);
        let tokens = &mut self.tokens[..used];
        if self.stem {
            for token in tokens.iter_mut() {
                light_stem(&mut token.text);
            }
        }
        CodeTokenStream { tokens, index: 0 }
    }
}

impl TokenStream for CodeTokenStream<'_> {
    fn advance(&mut self) -> bool {
        if self.index < self.tokens.len() {
            self.index += 1;
            true
        } else {
            false
        }
    }

    // Only called after `advance` returned true, so the index is in range.
    fn token(&self) -> &Token {
        &self.tokens[self.index - 1]
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.tokens[self.index - 1]
    }
}

/// The analyzer used for bodies and symbols: code tokens, lightly stemmed.
pub fn code_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CodeTokenizer {
        tokens: Vec::new(),
        stem: true,
    })
    .build()
}

/// A cheap English suffix stemmer, so prose matches code (`cookies`/`cookie`,
/// `parsed`/`parsing`/`parse`, `sends`/`send`). Porter stemming costs as much as the rest of
/// the tokenizer and did not find more (see `scripts/eval-retrieval`). Only ASCII words of more
/// than three letters are touched.
pub fn light_stem(word: &mut String) {
    if word.len() <= 3 || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return;
    }
    // `cookies` → `cooki` (as `cookie` → `cooki`), `classes` → `class`.
    if (word.ends_with("ies") && word.len() > 4) || word.ends_with("sses") {
        word.truncate(word.len() - 2);
    } else if word.ends_with('s')
        && !word.ends_with("ss")
        && !word.ends_with("us")
        && !word.ends_with("is")
    {
        word.truncate(word.len() - 1);
    }
    for suffix in ["ing", "ed"] {
        if word.ends_with(suffix) && word.len() - suffix.len() >= 3 {
            word.truncate(word.len() - suffix.len());
            // `tagged` → `tagg` → `tag`, `mapping` → `mapp` → `map`; `called`, `passed` and
            // `diffing` keep their double letter, as `call`, `pass` and `diff` do.
            let b = word.as_bytes();
            let n = b.len();
            if n >= 4 && b[n - 1] == b[n - 2] && !b"aeiouflsz".contains(&b[n - 1]) {
                word.truncate(n - 1);
            }
            break;
        }
    }
    if word.ends_with('e') && word.len() > 3 {
        word.truncate(word.len() - 1);
    } else if word.ends_with('y') && word.len() > 3 {
        word.truncate(word.len() - 1);
        word.push('i');
    }
}

/// The analyzer used for symbol look-up: code tokens without stemming.
pub fn ident_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CodeTokenizer::default()).build()
}

/// Runs `analyzer` over `text` and returns the token texts, in order (duplicates kept).
pub fn analyze(analyzer: &mut TextAnalyzer, text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        out.push(stream.token().text.clone());
    }
    out
}

/// Tokenizes `text` into `out` (see the module documentation).
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let used = fill(text, out);
    out.truncate(used);
}

/// Token slots, reused from one text to the next so their strings keep their allocations.
struct Sink<'a> {
    slots: &'a mut Vec<Token>,
    used: usize,
}

impl Sink<'_> {
    fn push(&mut self, text: &str, from: usize, to: usize, position: usize) {
        if self.used == self.slots.len() {
            self.slots.push(Token::default());
        }
        let token = &mut self.slots[self.used];
        token.offset_from = from;
        token.offset_to = to;
        token.position = position;
        token.position_length = 1;
        token.text.clear();
        if text.is_ascii() {
            token.text.push_str(text);
            token.text.make_ascii_lowercase();
        } else {
            token.text.extend(text.chars().flat_map(char::to_lowercase));
        }
        self.used += 1;
    }
}

/// Tokenizes `text` into the first slots of `slots` (growing it as needed); returns how many
/// were used. Slots past that are stale.
fn fill(text: &str, slots: &mut Vec<Token>) -> usize {
    let mut out = Sink { slots, used: 0 };
    let out = &mut out;
    let mut position = 0usize;
    let mut run_start: Option<usize> = None;
    for (offset, ch) in text.char_indices() {
        let word = ch.is_alphanumeric() || ch == '_';
        match (word, run_start) {
            (true, None) => run_start = Some(offset),
            (false, Some(start)) => {
                push_run(text, start, offset, &mut position, out);
                run_start = None;
            }
            _ => {}
        }
    }
    if let Some(start) = run_start {
        push_run(text, start, text.len(), &mut position, out);
    }
    out.used
}

fn push_run(text: &str, start: usize, end: usize, position: &mut usize, out: &mut Sink<'_>) {
    let run = &text[start..end];
    let trimmed = run.trim_matches('_');
    if trimmed.is_empty() {
        return;
    }
    let lead = run.len() - run.trim_start_matches('_').len();
    let base = start + lead;
    // Fast path: one lowercase word, the common case.
    if trimmed
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    {
        if trimmed.len() <= MAX_TOKEN_BYTES {
            out.push(trimmed, base, base + trimmed.len(), *position);
        }
        *position += 1;
        return;
    }
    let parts = split_identifier(trimmed);
    let first_position = *position;
    if parts.len() > 1 && trimmed.len() <= MAX_TOKEN_BYTES {
        out.push(trimmed, base, base + trimmed.len(), first_position);
    }
    for (i, (from, to)) in parts.iter().enumerate() {
        let part = &trimmed[*from..*to];
        if part.len() > MAX_TOKEN_BYTES {
            continue;
        }
        out.push(part, base + from, base + to, first_position + i);
    }
    *position = first_position + parts.len().max(1);
}

/// Byte ranges of the parts of an identifier: split at `_` and at case changes
/// (`fooBar` → `foo` `Bar`, `HTTPServer` → `HTTP` `Server`). Digits stick to what precedes them.
pub fn split_identifier(ident: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    let chars: Vec<(usize, char)> = ident.char_indices().collect();
    let mut start: Option<usize> = None;
    for (i, &(offset, ch)) in chars.iter().enumerate() {
        if ch == '_' {
            if let Some(s) = start.take() {
                parts.push((s, offset));
            }
            continue;
        }
        let Some(s) = start else {
            start = Some(offset);
            continue;
        };
        let prev = chars[i - 1].1;
        let next = chars.get(i + 1).map(|&(_, c)| c);
        let boundary = ch.is_uppercase()
            && (prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next.is_some_and(|n| n.is_lowercase())));
        if boundary {
            parts.push((s, offset));
            start = Some(offset);
        }
    }
    if let Some(s) = start {
        parts.push((s, ident.len()));
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        tokenize_into(text, &mut out);
        out.into_iter().map(|t| t.text).collect()
    }

    #[test]
    fn splits_identifiers_and_keeps_whole() {
        assert_eq!(
            texts("parseHTTPRequest_v2"),
            ["parsehttprequest_v2", "parse", "http", "request", "v2"]
        );
        assert_eq!(
            texts("snake_case_name"),
            ["snake_case_name", "snake", "case", "name"]
        );
        assert_eq!(texts("__init__"), ["init"]);
        assert_eq!(texts("src/index/mod.rs"), ["src", "index", "mod", "rs"]);
        assert_eq!(texts("x = 42;"), ["x", "42"]);
        assert_eq!(
            texts("IndexHandle::open"),
            ["indexhandle", "index", "handle", "open"]
        );
        assert_eq!(texts("Über größe"), ["über", "größe"]);
    }

    #[test]
    fn long_runs_are_dropped() {
        let blob = "a".repeat(100);
        assert!(texts(&blob).is_empty());
    }

    #[test]
    fn stemming_analyzer_matches_plural_and_singular() {
        let mut a = code_analyzer();
        assert_eq!(analyze(&mut a, "cookies"), analyze(&mut a, "cookie"));
        assert_eq!(analyze(&mut a, "parsed"), analyze(&mut a, "parse"));
        assert_eq!(analyze(&mut a, "parsing"), analyze(&mut a, "parses"));
        assert_eq!(analyze(&mut a, "sends"), analyze(&mut a, "send"));
        assert_eq!(analyze(&mut a, "entries"), analyze(&mut a, "entry"));
        assert_eq!(analyze(&mut a, "tagged"), analyze(&mut a, "tag"));
        assert_eq!(analyze(&mut a, "mapping"), analyze(&mut a, "map"));
        assert_eq!(analyze(&mut a, "called"), analyze(&mut a, "call"));
        assert_eq!(analyze(&mut a, "added"), analyze(&mut a, "add"));
        assert_eq!(analyze(&mut a, "diffing"), analyze(&mut a, "diff"));
        assert_eq!(analyze(&mut a, "passed"), analyze(&mut a, "pass"));
        assert_eq!(analyze(&mut a, "class"), ["class"]);
        assert_eq!(analyze(&mut a, "status"), ["status"]);
        let mut i = ident_analyzer();
        assert_eq!(
            analyze(&mut i, "getCookies"),
            ["getcookies", "get", "cookies"]
        );
    }
}
