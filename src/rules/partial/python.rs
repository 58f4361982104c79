//! Python's logical lines without a parse, and the grammar facts a partial check relies on.
//!
//! [`logical_lines`] splits a file the way Python's tokenizer does: a logical line ends at a
//! newline outside brackets, strings and backslash continuations; blank and comment-only lines
//! belong to none. Each line knows its indentation, its first word and whether it is a compound
//! statement's header (it ends with `:`). String bodies and comments are returned as non-code
//! spans (an f-string's `{…}` fields are code). The lexer gives up (`None`) on what it does not
//! understand, such as an unterminated string or a line that starts with a continuation; the
//! caller then parses the whole file.

use super::Lexicon;

/// One logical line: from the start of its first physical line (indentation included) to the
/// end of its last one (newline included).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Line {
    pub start: usize,
    pub end: usize,
    /// Zero-based row of `start`; `end` is at (`end_row`, `end_col`).
    pub row: usize,
    pub end_row: usize,
    pub end_col: usize,
    /// Indentation in columns (tabs to the next multiple of 8, as CPython does).
    pub indent: u32,
    /// Byte range of the first token when it is a word or `@`.
    pub word: (usize, usize),
    /// Ends with `:` outside brackets: a compound statement's header.
    pub header: bool,
    /// The ASCII punctuation that occurs in its code (bit `c` for byte `c`), quotes included.
    pub punct: u128,
}

/// Byte ranges of string bodies and comments, in order.
pub type NonCode = Vec<(usize, usize)>;

/// The logical lines of `text` and its non-code spans, both in order.
pub fn logical_lines(text: &str) -> Option<(Vec<Line>, NonCode)> {
    let b = text.as_bytes();
    let n = b.len();
    // A lone `\r` ends a line for Python but not a row for tree-sitter: not worth the care.
    if text.contains('\r')
        && b.iter()
            .enumerate()
            .any(|(i, c)| *c == b'\r' && b.get(i + 1) != Some(&b'\n'))
    {
        return None;
    }
    let mut lines = Vec::new();
    let mut non_code = Vec::new();
    let mut i = 0;
    let mut row = 0;
    let mut row_start = 0;
    while i < n {
        let line_start = i;
        let mut col = 0u32;
        while i < n {
            match b[i] {
                b' ' => col += 1,
                b'\t' => col = (col / 8 + 1) * 8,
                b'\x0c' => col = 0,
                _ => break,
            }
            i += 1;
        }
        if i >= n {
            break;
        }
        match b[i] {
            b'\n' | b'\r' => {
                i = newline(b, i);
                row += 1;
                row_start = i;
                continue;
            }
            b'#' => {
                let end = eol(b, i);
                non_code.push((i, end));
                i = end;
                continue;
            }
            // A continuation before the first token: tree-sitter and Python count the
            // indentation differently there.
            b'\\' => return None,
            _ => {}
        }
        let first_row = row;
        let word_start = i;
        let mut word_end = i;
        if b[i] == b'@' {
            word_end = i + 1;
        } else if is_ident_start(b[i]) {
            word_end = ident_end(b, i);
        }
        let mut depth = 0usize;
        let mut last = 0u8;
        let mut punct = 0u128;
        let end;
        loop {
            if i >= n {
                end = n;
                break;
            }
            let c = b[i];
            match c {
                b'#' => {
                    let e = eol(b, i);
                    non_code.push((i, e));
                    i = e;
                }
                b'\n' | b'\r' => {
                    i = newline(b, i);
                    row += 1;
                    row_start = i;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                b'\\' => {
                    if i + 1 < n && (b[i + 1] == b'\n' || b[i + 1] == b'\r') {
                        i = newline(b, i + 1);
                        row += 1;
                        row_start = i;
                    } else {
                        i += 1;
                        last = c;
                        punct |= bit(c);
                    }
                }
                b'(' | b'[' | b'{' => {
                    depth += 1;
                    last = c;
                    punct |= bit(c);
                    i += 1;
                }
                b')' | b']' | b'}' => {
                    depth = depth.checked_sub(1)?;
                    last = c;
                    punct |= bit(c);
                    i += 1;
                }
                _ if c == b'"' || c == b'\'' || is_ident_start(c) => {
                    let (quote, f) = if c == b'"' || c == b'\'' {
                        (i, false)
                    } else {
                        match prefix_or_ident(b, i) {
                            Ok(string) => string,
                            Err(end) => {
                                i = end;
                                last = b'a';
                                continue;
                            }
                        }
                    };
                    let mut cur = Cursor {
                        non_code: &mut non_code,
                        row: &mut row,
                        row_start: &mut row_start,
                        punct: &mut punct,
                    };
                    i = string(b, quote, f, &mut cur)?;
                    last = b'"';
                }
                b' ' | b'\t' | b'\x0c' => i += 1,
                _ => {
                    last = c;
                    punct |= bit(c);
                    i += 1;
                }
            }
        }
        lines.push(Line {
            start: line_start,
            end,
            row: first_row,
            end_row: row,
            end_col: end - row_start,
            indent: col,
            word: (word_start, word_end),
            header: last == b':' && depth == 0,
            punct,
        });
    }
    Some((lines, non_code))
}

fn bit(c: u8) -> u128 {
    if c < 128 { 1u128 << c } else { 0 }
}

/// What string and field skipping update: non-code spans, the row, and the line's punctuation.
struct Cursor<'a> {
    non_code: &'a mut Vec<(usize, usize)>,
    row: &'a mut usize,
    row_start: &'a mut usize,
    punct: &'a mut u128,
}

fn is_ident_start(c: u8) -> bool {
    c.is_ascii_alphabetic() || c == b'_' || c >= 0x80
}

fn ident_end(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] >= 0x80) {
        i += 1;
    }
    i
}

/// At an identifier's start: `Ok((opening quote, is an f-string))` when the identifier is a
/// string prefix, else `Err(end of the identifier)`.
fn prefix_or_ident(b: &[u8], i: usize) -> Result<(usize, bool), usize> {
    let e = ident_end(b, i);
    if e < b.len() && (b[e] == b'"' || b[e] == b'\'') && is_prefix(&b[i..e]) {
        let f = b[i..e]
            .iter()
            .any(|c| matches!(c, b'f' | b'F' | b't' | b'T'));
        Ok((e, f))
    } else {
        Err(e)
    }
}

/// String prefixes: any mix of r, b, u, f, t of length at most two (`rb`, `Rf`, `u`, …).
fn is_prefix(p: &[u8]) -> bool {
    p.len() <= 2
        && p.iter()
            .all(|c| matches!(c.to_ascii_lowercase(), b'r' | b'b' | b'u' | b'f' | b't'))
}

/// Offset of the end of the line at `i` (the newline itself excluded).
fn eol(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && b[i] != b'\n' && b[i] != b'\r' {
        i += 1;
    }
    i
}

/// Skips the newline at `i` (`\n`, `\r\n` or `\r`).
fn newline(b: &[u8], i: usize) -> usize {
    if b[i] == b'\r' && i + 1 < b.len() && b[i + 1] == b'\n' {
        i + 2
    } else {
        i + 1
    }
}

/// Skips the string whose opening quote is at `i`; returns the offset after its closing quote.
/// The body (without quotes, without an f-string's fields) is recorded as non-code.
fn string(b: &[u8], i: usize, f: bool, cur: &mut Cursor<'_>) -> Option<usize> {
    let n = b.len();
    let q = b[i];
    *cur.punct |= bit(q);
    let triple = i + 2 < n && b[i + 1] == q && b[i + 2] == q;
    let mut j = if triple { i + 3 } else { i + 1 };
    let mut body = j;
    loop {
        if j >= n {
            return None;
        }
        match b[j] {
            b'\\' => {
                if j + 1 < n && (b[j + 1] == b'\n' || b[j + 1] == b'\r') {
                    j = newline(b, j + 1);
                    *cur.row += 1;
                    *cur.row_start = j;
                } else {
                    j += 2;
                }
            }
            b'\n' | b'\r' => {
                if !triple {
                    return None;
                }
                j = newline(b, j);
                *cur.row += 1;
                *cur.row_start = j;
            }
            b'{' if f => {
                if j + 1 < n && b[j + 1] == b'{' {
                    j += 2;
                    continue;
                }
                cur.non_code.push((body, j));
                j = field(b, j + 1, cur)?;
                body = j;
            }
            c if c == q => {
                if !triple {
                    cur.non_code.push((body, j));
                    return Some(j + 1);
                }
                if j + 2 < n && b[j + 1] == q && b[j + 2] == q {
                    cur.non_code.push((body, j));
                    return Some(j + 3);
                }
                j += 1;
            }
            _ => j += 1,
        }
    }
}

/// Skips an f-string field from just after its `{`; returns the offset after its `}`.
fn field(b: &[u8], mut j: usize, cur: &mut Cursor<'_>) -> Option<usize> {
    let n = b.len();
    let mut depth = 0usize;
    while j < n {
        *cur.punct |= bit(b[j]);
        match b[j] {
            b'(' | b'[' | b'{' => {
                depth += 1;
                j += 1;
            }
            b')' | b']' => {
                depth = depth.checked_sub(1)?;
                j += 1;
            }
            b'}' => {
                if depth == 0 {
                    return Some(j + 1);
                }
                depth -= 1;
                j += 1;
            }
            b'"' | b'\'' => j = string(b, j, false, cur)?,
            c if is_ident_start(c) => match prefix_or_ident(b, j) {
                Ok((quote, f)) => j = string(b, quote, f, cur)?,
                Err(end) => j = end,
            },
            b'\n' | b'\r' => {
                j = newline(b, j);
                *cur.row += 1;
                *cur.row_start = j;
            }
            _ => j += 1,
        }
    }
    None
}

/// Python's grammar facts for the partial check.
pub static LEXICON: Lexicon = Lexicon {
    compound: &[
        ("function_definition", &["def", "async"], false),
        ("class_definition", &["class"], false),
        ("if_statement", &["if"], true),
        ("for_statement", &["for", "async"], true),
        ("while_statement", &["while"], true),
        ("try_statement", &["try"], true),
        ("with_statement", &["with", "async"], false),
        ("match_statement", &["match"], false),
        ("case_clause", &["case"], false),
        ("except_clause", &["except"], false),
        ("except_group_clause", &["except"], false),
        ("elif_clause", &["elif"], false),
        ("else_clause", &["else"], false),
        ("finally_clause", &["finally"], false),
    ],
    clause_words: &["except", "elif", "else", "finally"],
    decorator: "@",
    unsupported: &[
        "module",
        "block",
        "comment",
        "decorated_definition",
        "ERROR",
        "line_continuation",
    ],
    token_kinds: &["identifier", "string_start", "integer", "float"],
    kind_tokens: python_kind_tokens,
};

/// Tokens present in the logical line of any node of `kind` (each inner list: one of them).
fn python_kind_tokens(kind: &str) -> &'static [&'static [&'static str]] {
    match kind {
        "none" => &[&["None"]],
        "true" => &[&["True"]],
        "false" => &[&["False"]],
        "ellipsis" => &[&["..."]],
        "pass_statement" => &[&["pass"]],
        "break_statement" => &[&["break"]],
        "continue_statement" => &[&["continue"]],
        // Parameters with defaults only occur in a `def` header or a lambda.
        "default_parameter" => &[&["="], &["def", "lambda"]],
        "typed_default_parameter" => &[&["="], &["def"]],
        "keyword_argument" => &[&["="], &["("]],
        "list" | "list_comprehension" | "subscript" => &[&["["]],
        "dictionary" | "set" | "dictionary_comprehension" | "set_comprehension" => &[&["{"]],
        "call" | "argument_list" => &[&["("]],
        "string" | "string_start" => &[&["\"", "'"]],
        "assert_statement" => &[&["assert"]],
        "raise_statement" => &[&["raise"]],
        "return_statement" => &[&["return"]],
        "not_operator" => &[&["not"]],
        "lambda" => &[&["lambda"]],
        "await" => &[&["await"]],
        "delete_statement" => &[&["del"]],
        "global_statement" => &[&["global"]],
        "nonlocal_statement" => &[&["nonlocal"]],
        "import_statement" => &[&["import"]],
        "import_from_statement" => &[&["from"], &["import"]],
        "attribute" => &[&["."]],
        "except_clause" | "except_group_clause" => &[&["except"]],
        "finally_clause" => &[&["finally"]],
        "else_clause" => &[&["else"]],
        "elif_clause" => &[&["elif"]],
        "try_statement" => &[&["try"]],
        "while_statement" => &[&["while"]],
        "with_statement" => &[&["with"]],
        "class_definition" => &[&["class"]],
        "function_definition" => &[&["def"]],
        "for_statement" => &[&["for"], &["in"]],
        "if_statement" => &[&["if"]],
        _ => &[],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<(String, u32, bool)> {
        let (lines, _) = logical_lines(text).expect("lexes");
        lines
            .iter()
            .map(|l| (text[l.word.0..l.word.1].to_string(), l.indent, l.header))
            .collect()
    }

    #[test]
    fn splits_logical_lines() {
        let text = "import os\n\n# c\nclass A(B,\n        C):\n    def f(self, x=[1,\n 2]):  # c\n        s = '''a\nb'''\n        return f\"{x['k']}\" \\\n  + 1\n    @d\n    def g(): pass\n";
        assert_eq!(
            words(text),
            vec![
                ("import".into(), 0, false),
                ("class".into(), 0, true),
                ("def".into(), 4, true),
                ("s".into(), 8, false),
                ("return".into(), 8, false),
                ("@".into(), 4, false),
                ("def".into(), 4, false),
            ]
        );
        let (lines, non_code) = logical_lines(text).expect("lexes");
        assert_eq!(lines[3].row, 7);
        assert_eq!(lines[3].end_row, 9);
        assert_eq!(lines.last().map(|l| l.end), Some(text.len()));
        // String bodies and comments are not code; the f-string's field is.
        let spans: Vec<&str> = non_code.iter().map(|&(a, b)| &text[a..b]).collect();
        assert!(spans.contains(&"a\nb"));
        assert!(spans.contains(&"k"));
        assert!(spans.contains(&"# c"));
        assert!(!spans.iter().any(|s| s.contains("x[")));
    }

    #[test]
    fn gives_up_on_unterminated_strings() {
        assert!(logical_lines("x = 'abc\ny = 1\n").is_none());
        assert!(logical_lines("x = '''abc\n").is_none());
        assert!(logical_lines("x = (1))\n").is_none());
        assert!(logical_lines("x = 1\ry = 2\n").is_none());
        assert!(logical_lines("\\\ndef f():\n    pass\n").is_none());
    }

    #[test]
    fn rows_and_columns_without_final_newline() {
        let (lines, _) = logical_lines("a = 1\r\nb = 'é'").expect("lexes");
        assert_eq!(lines[0].end, 7);
        assert_eq!(lines.len(), 2);
        assert_eq!(
            (lines[1].row, lines[1].end_row, lines[1].end_col),
            (1, 1, 8)
        );
    }
}
