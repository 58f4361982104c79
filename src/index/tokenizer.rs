//! Code-aware tokenizer for tantivy.
//!
//! Splits text into identifier runs (letters, digits, `_`), then each run into its `snake_case`
//! and `camelCase` parts, keeping the whole identifier as well, everything lowercased. Paths and
//! punctuation separate runs, so `src/index/mod.rs` gives `src`, `index`, `mod`, `rs`, and
//! `parseHTTPRequest_v2` gives `parsehttprequest_v2`, `parse`, `http`, `request`, `v2`.
//!
//! The body analyzer ([`body_analyzer`]) also leaves out what searches do not need from a
//! chunk's text and what makes up over a quarter of its tokens: number literals (runs starting
//! with a digit) and one-character tokens. Leaving out English stop words and `self` as well
//! was tried: it cost MRR on flask (0.540 → 0.529 with `scripts/eval-retrieval`).

use tantivy::tokenizer::{TextAnalyzer, Token, TokenStream, Tokenizer};

/// Name under which the stemming analyzer (symbols, containers, paths) is registered.
pub const CODE_TOKENIZER: &str = "codomyrmex_code";
/// Name under which the analyzer without stemming (symbol look-up) is registered.
pub const IDENT_TOKENIZER: &str = "codomyrmex_ident";
/// Name under which the analyzer of chunk bodies is registered (see [`body_analyzer`]).
pub const BODY_TOKENIZER: &str = "codomyrmex_body";

/// Longest token kept, in bytes: longer runs are usually hashes or base64 blobs.
const MAX_TOKEN_BYTES: usize = 64;

/// The tokenizer itself; see the module documentation. With `stem`, every token goes through
/// [`light_stem`]; with `body`, number literals and one-character tokens are left out.
#[derive(Clone, Default)]
pub struct CodeTokenizer {
    tokens: Vec<Token>,
    stem: bool,
    body: bool,
}

/// Stream over the tokens of one text, computed eagerly.
pub struct CodeTokenStream<'a> {
    tokens: &'a mut [Token],
    index: usize,
}

impl Tokenizer for CodeTokenizer {
    type TokenStream<'a> = CodeTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> CodeTokenStream<'a> {
        let mode = Mode {
            stem: self.stem,
            body: self.body,
        };
        let used = fill(text, &mut self.tokens, mode);
        CodeTokenStream {
            tokens: &mut self.tokens[..used],
            index: 0,
        }
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

/// The analyzer used for symbols, containers and paths: code tokens, lightly stemmed.
pub fn code_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CodeTokenizer {
        tokens: Vec::new(),
        stem: true,
        body: false,
    })
    .build()
}

/// The analyzer used for chunk bodies: as [`code_analyzer`], without number literals and
/// one-character tokens.
pub fn body_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(CodeTokenizer {
        tokens: Vec::new(),
        stem: true,
        body: true,
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

/// Tokenizes `text` into `out` (see the module documentation), without stemming.
pub fn tokenize_into(text: &str, out: &mut Vec<Token>) {
    out.clear();
    let used = fill(text, out, Mode::default());
    out.truncate(used);
}

/// What [`fill`] does besides splitting.
#[derive(Debug, Clone, Copy, Default)]
struct Mode {
    stem: bool,
    body: bool,
}

/// Whether the body analyzer keeps `word` (lowercase).
fn body_keeps(word: &str) -> bool {
    word.len() > 1
}

/// Token slots, reused from one text to the next so their strings keep their allocations.
struct Sink<'a> {
    slots: &'a mut Vec<Token>,
    used: usize,
    mode: Mode,
}

impl Sink<'_> {
    /// Takes the next slot, with its offsets and position set and its text empty.
    fn next_slot(&mut self, from: usize, to: usize, position: usize) -> &mut String {
        if self.used == self.slots.len() {
            self.slots.push(Token::default());
        }
        let token = &mut self.slots[self.used];
        self.used += 1;
        token.offset_from = from;
        token.offset_to = to;
        token.position = position;
        token.position_length = 1;
        token.text.clear();
        &mut token.text
    }

    /// Adds `text[from..to]`, which is already lowercase ASCII.
    fn add_lower(&mut self, text: &str, from: usize, to: usize, position: usize) {
        let word = &text[from..to];
        if self.mode.body && !body_keeps(word) {
            return;
        }
        let stem = self.mode.stem;
        let slot = self.next_slot(from, to, position);
        slot.push_str(word);
        if stem {
            light_stem(slot);
        }
    }

    /// Adds `text[from..to]`, lowercased.
    fn add(&mut self, text: &str, from: usize, to: usize, position: usize) {
        let word = &text[from..to];
        let Mode { stem, body } = self.mode;
        let slot = self.next_slot(from, to, position);
        if word.is_ascii() {
            slot.push_str(word);
            slot.make_ascii_lowercase();
        } else {
            slot.extend(word.chars().flat_map(char::to_lowercase));
        }
        if body && !body_keeps(slot) {
            self.used -= 1;
            return;
        }
        if stem {
            light_stem(slot);
        }
    }
}

/// Whether an ASCII byte belongs to an identifier run.
const fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Tokenizes `text` into the first slots of `slots` (growing it as needed); returns how many
/// were used. Slots past that are stale. Bytes are scanned directly; only non-ASCII text is
/// decoded.
fn fill(text: &str, slots: &mut Vec<Token>, mode: Mode) -> usize {
    let bytes = text.as_bytes();
    let mut out = Sink {
        slots,
        used: 0,
        mode,
    };
    let mut position = 0usize;
    let mut i = 0;
    let n = bytes.len();
    let char_at = |i: usize| text.get(i..).and_then(|rest| rest.chars().next());
    while i < n {
        let b = bytes[i];
        if b < 0x80 {
            if !is_word_byte(b) {
                i += 1;
                continue;
            }
        } else {
            match char_at(i) {
                Some(ch) if ch.is_alphanumeric() => {}
                Some(ch) => {
                    i += ch.len_utf8();
                    continue;
                }
                None => break,
            }
        }
        // A run starts at `i`; `simple` while it is only ASCII lowercase letters and digits.
        let start = i;
        let mut simple = true;
        while i < n {
            let b = bytes[i];
            if b.is_ascii_lowercase() || b.is_ascii_digit() {
                i += 1;
            } else if b < 0x80 {
                if !is_word_byte(b) {
                    break;
                }
                simple = false;
                i += 1;
            } else {
                match char_at(i) {
                    Some(ch) if ch.is_alphanumeric() => {
                        simple = false;
                        i += ch.len_utf8();
                    }
                    _ => break,
                }
            }
        }
        if mode.body && bytes[start].is_ascii_digit() {
            // A number literal.
            position += 1;
        } else if simple {
            // The common case: one lowercase word, nothing to trim or split.
            if i - start <= MAX_TOKEN_BYTES {
                out.add_lower(text, start, i, position);
            }
            position += 1;
        } else {
            push_run(text, start, i, &mut position, &mut out);
        }
    }
    out.used
}

/// A run with capitals, `_` or non-ASCII letters: the whole run (when it has several parts)
/// and each part.
fn push_run(text: &str, start: usize, end: usize, position: &mut usize, out: &mut Sink<'_>) {
    let run = &text[start..end];
    let trimmed = run.trim_matches('_');
    if trimmed.is_empty() {
        return;
    }
    let base = start + (run.len() - run.trim_start_matches('_').len());
    let mut count = 0usize;
    for_each_part(trimmed, |_, _| count += 1);
    let first_position = *position;
    if count > 1 && trimmed.len() <= MAX_TOKEN_BYTES {
        out.add(text, base, base + trimmed.len(), first_position);
    }
    let mut i = 0;
    for_each_part(trimmed, |from, to| {
        if to - from <= MAX_TOKEN_BYTES {
            out.add(text, base + from, base + to, first_position + i);
        }
        i += 1;
    });
    *position = first_position + count.max(1);
}

/// Byte ranges of the parts of an identifier: split at `_` and at case changes
/// (`fooBar` → `foo` `Bar`, `HTTPServer` → `HTTP` `Server`). Digits stick to what precedes them.
pub fn split_identifier(ident: &str) -> Vec<(usize, usize)> {
    let mut parts = Vec::new();
    for_each_part(ident, |from, to| parts.push((from, to)));
    parts
}

/// Calls `f` with the byte range of each part of an identifier (see [`split_identifier`]).
fn for_each_part(ident: &str, mut f: impl FnMut(usize, usize)) {
    let mut start: Option<usize> = None;
    let mut prev: Option<char> = None;
    let mut chars = ident.char_indices().peekable();
    while let Some((offset, ch)) = chars.next() {
        if ch == '_' {
            if let Some(s) = start.take() {
                f(s, offset);
            }
            prev = Some(ch);
            continue;
        }
        match (start, prev) {
            (Some(s), Some(p)) => {
                let next = chars.peek().map(|&(_, c)| c);
                let boundary = ch.is_uppercase()
                    && (p.is_lowercase()
                        || p.is_ascii_digit()
                        || (p.is_uppercase() && next.is_some_and(|n| n.is_lowercase())));
                if boundary {
                    f(s, offset);
                    start = Some(offset);
                }
            }
            _ => start = Some(offset),
        }
        prev = Some(ch);
    }
    if let Some(s) = start {
        f(s, ident.len());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The tokenizer as it was before the byte-level rewrite, to compare with.
    mod reference {
        use tantivy::tokenizer::Token;
        const MAX_TOKEN_BYTES: usize = 64;

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
        pub fn fill(text: &str, slots: &mut Vec<Token>) -> usize {
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

        fn push_run(
            text: &str,
            start: usize,
            end: usize,
            position: &mut usize,
            out: &mut Sink<'_>,
        ) {
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
        fn split_identifier(ident: &str) -> Vec<(usize, usize)> {
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
    }

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
    proptest::proptest! {
        #[test]
        fn same_tokens_as_the_reference(text in "([a-zA-Z0-9_ ./:éÉßİ\u{212A}-]|\\PC){0,40}") {
            let mut new = Vec::new();
            tokenize_into(&text, &mut new);
            let mut old = Vec::new();
            let used = reference::fill(&text, &mut old);
            old.truncate(used);
            let key = |t: &Token| (t.text.clone(), t.offset_from, t.offset_to, t.position);
            let new: Vec<_> = new.iter().map(key).collect();
            let old: Vec<_> = old.iter().map(key).collect();
            proptest::prop_assert_eq!(new, old);
        }
    }

    #[test]
    fn body_analyzer_leaves_out_numbers_and_single_letters() {
        let mut b = body_analyzer();
        assert_eq!(
            analyze(
                &mut b,
                "for x in self.items: return 0x1F + 42 if the_value else a_b"
            ),
            [
                "for",
                "in",
                "self",
                "item",
                "return",
                "if",
                "the_value",
                "the",
                "valu",
                "els",
                "a_b"
            ]
        );
        assert_eq!(
            analyze(&mut b, "parseHTTPRequest_v2"),
            analyze(&mut code_analyzer(), "parseHTTPRequest_v2")
        );
    }
}
