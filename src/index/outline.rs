//! Outline parses: the part of a Python file that chunking needs, for a cheaper parse.
//!
//! Chunking reads, from the tree, the definitions outside functions (their names, nesting, first
//! and last rows) and the comments directly above them. Everything else (function bodies,
//! module-level statements) only costs parse time. [`python_outline`] picks, from the lexer's
//! logical lines ([`python::logical_lines`]), the lines that carry those facts: every
//! `def`/`class` header not inside a function, its decorators and the comment lines right above
//! them. Added so that the excerpt parses as the whole file does: the headers around each of those
//! lines and the earlier clauses of a clause (as for partial checks), one short statement in every
//! block that would otherwise be empty, and, where comments lead a definition, the lines that decide
//! which block tree-sitter gives them to. Every included line is whole, so a definition of the
//! excerpt's tree has the name, nesting and first row it has in the full tree. Its last row does
//! not come from the tree (the excerpt leaves most of its body out) but from the logical lines, as
//! tree-sitter's scanner ends a block: [`Outline::Ranges`] carries it.
//!
//! The caller parses the whole file when this gives `None` (the lexer gave up, or tabs and spaces
//! are mixed in an indentation, which tree-sitter counts differently from Python) or when the
//! excerpt does not parse without errors. `tests` compare the chunks of both ways on hand-written
//! cases and random files, and over a corpus on demand (the standard library and site-packages:
//! no difference on files that parse without errors).

use tree_sitter::Range;

use crate::rules::partial::{self, NONE, Shape, python};

/// What to parse of a Python file for chunking.
#[derive(Debug)]
pub enum Outline {
    /// No definition to chunk: nothing to parse.
    Empty,
    /// Parse these ranges. `ends`: for each definition with a block, the byte of its first
    /// token (`def`, `async`, `class`) and its last row (0-based), in byte order; the excerpt's
    /// tree ends its definitions early.
    Ranges {
        ranges: Vec<Range>,
        ends: Vec<(usize, u32)>,
    },
}

/// The outline of `text`, or `None` when the whole file must be parsed.
pub fn python_outline(text: &str) -> Option<Outline> {
    let (lines, _) = python::logical_lines(text)?;
    let n = lines.len();
    let b = text.as_bytes();
    if lines.iter().any(|l| mixed_indent(&b[l.start..l.end])) {
        return None;
    }
    if lines.first().is_some_and(|l| l.indent > 0) {
        return None; // not Python; leave it to tree-sitter's error recovery
    }
    let word = |k: usize| &text[lines[k].word.0..lines[k].word.1];
    let is_function = |k: usize| match word(k) {
        "def" => true,
        "async" => next_word(b, lines[k].word.1) == b"def",
        _ => false,
    };
    let shape = Shape::new(&lines, &python::LEXICON, word);

    let mut inc = vec![false; n];
    let mut in_function = vec![false; n];
    let mut lead: Vec<Option<(usize, usize)>> = vec![None; n];
    let mut ends = Vec::new();
    let mut any = false;
    for k in 0..n {
        let p = shape.parent[k];
        in_function[k] = p != NONE && (in_function[p] || is_function(p));
        if in_function[k] || !(is_function(k) || word(k) == "class") {
            continue;
        }
        any = true;
        inc[k] = true;
        shape.context(k, &mut inc);
        // Its decorators, and the comment lines right above them.
        let mut first = k;
        while first > 0 && word(first - 1) == "@" {
            if lines[first - 1].indent != lines[k].indent {
                return None; // not Python; leave it to tree-sitter's error recovery
            }
            first -= 1;
            inc[first] = true;
        }
        let floor = if first == 0 { 0 } else { lines[first - 1].end };
        if first > 0 && ends_in_comment_row(&text[lines[first - 1].start..floor]) {
            return None; // a comment after a continuation: its own line for tree-sitter
        }
        let above = comments_above(text, floor, lines[first].start, lines[first].row);
        lead[first] = above.map(|(byte, row, _)| (byte, row));
        if let Some((_, _, deepest)) = above {
            place_leading_comments(&lines, &shape, first, deepest, &mut inc);
        }
        if lines[k].header {
            if shape.block_end[k] == k + 1 {
                return None; // an empty block: not Python
            }
            ends.push((
                lines[k].word.0,
                end_row(text, &lines, k, shape.block_end[k]),
            ));
        }
    }
    if !any {
        return Some(Outline::Empty);
    }
    shape.fill_blocks(&mut inc, |k| shortest_statement(&lines, &shape, k));
    Some(Outline::Ranges {
        ranges: partial::included_ranges(text, &lines, &inc, |k| lead[k]),
        ends,
    })
}

/// Includes what makes tree-sitter give the comments right above line `first` (indented at most
/// `deepest`) the parent they have in the full parse.
fn place_leading_comments<'a, W: Fn(usize) -> &'a str>(
    lines: &[python::Line],
    shape: &Shape<'a, W>,
    first: usize,
    deepest: u32,
    inc: &mut [bool],
) {
    // A comment indented deeper than the definition belongs to the innermost block open before
    // it that is not deeper than the comment: the line before decides which.
    if deepest > lines[first].indent && first > 0 && !inc[first - 1] {
        inc[first - 1] = true;
        shape.context(first - 1, inc);
    }
    // Comments before a block's first statement belong to its header, not to the block: one
    // earlier statement of the block (the shortest, simple ones first) keeps them in the block.
    if shape.parent[first] == NONE {
        return;
    }
    let rank = |j: usize| (!shape.is_simple(j), lines[j].end - lines[j].start);
    let mut best = NONE;
    let mut s = shape.prev[first];
    while s != NONE && !inc[s] {
        if best == NONE || rank(s) < rank(best) {
            best = s;
        }
        s = shape.prev[s];
    }
    if s == NONE && best != NONE {
        inc[best] = true;
        shape.context(best, inc);
    }
}

/// The shortest simple statement directly in the block of header `k`, if any.
fn shortest_statement<'a, W: Fn(usize) -> &'a str>(
    lines: &[python::Line],
    shape: &Shape<'a, W>,
    k: usize,
) -> Option<usize> {
    let end = shape.block_end[k];
    let size = |l: usize| lines[l].end - lines[l].start;
    let mut best: Option<usize> = None;
    let mut j = k + 1;
    while j < end {
        if shape.is_simple(j) && best.is_none_or(|b| size(j) < size(b)) {
            best = Some(j);
        }
        j = shape.block_end[j].max(j + 1);
    }
    best
}

/// The last row (0-based) of the definition whose header is line `k` and whose block ends before
/// line `block_end`, as tree-sitter's scanner ends it: at its last statement, or at the last of
/// the comment lines right after it that are indented at least as deep as the block (the
/// scanner closes a block at the first comment indented less).
fn end_row(text: &str, lines: &[python::Line], k: usize, block_end: usize) -> u32 {
    let last = &lines[block_end - 1];
    let body = lines[k + 1].indent;
    if !text[..last.end].ends_with('\n') {
        return last.end_row as u32; // the file ends on the statement's row
    }
    let mut end = last.end_row - 1;
    let stop = lines.get(block_end).map_or(text.len(), |l| l.start);
    let after = text[last.end..stop].split_inclusive('\n');
    for (row, line) in (last.end_row..).zip(after) {
        if line
            .trim_start_matches([' ', '\t', '\x0c'])
            .starts_with('#')
        {
            if scanner_indent(line) < body {
                break;
            }
            end = row;
        }
    }
    end as u32
}

/// Indentation as tree-sitter's Python scanner counts it: a tab is 8 columns, a form feed
/// starts again from 0.
fn scanner_indent(line: &str) -> u32 {
    let mut indent = 0;
    for c in line.bytes() {
        match c {
            b' ' => indent += 1,
            b'\t' => indent += 8,
            b'\x0c' | b'\r' => indent = 0,
            _ => break,
        }
    }
    indent
}

/// Whether the indentation at the start of `line` has both tabs and spaces before its first
/// other byte.
fn mixed_indent(line: &[u8]) -> bool {
    let indent = line
        .iter()
        .take_while(|c| matches!(c, b' ' | b'\t' | b'\x0c'))
        .fold(0u8, |seen, c| seen | if *c == b'\t' { 1 } else { 2 });
    indent == 3
}

/// The identifier after the whitespace and line continuations at `i`.
fn next_word(b: &[u8], mut i: usize) -> &[u8] {
    loop {
        match b.get(i..) {
            Some([b' ' | b'\t' | b'\x0c', ..]) => i += 1,
            Some([b'\\', b'\n', ..]) => i += 2,
            Some([b'\\', b'\r', b'\n', ..]) => i += 3,
            _ => break,
        }
    }
    let len = b[i..]
        .iter()
        .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
        .count();
    &b[i..i + len]
}

/// Whether the last row of a logical line (continued onto it) holds only a comment.
fn ends_in_comment_row(line: &str) -> bool {
    let body = line.trim_end_matches(['\n', '\r']);
    body.contains('\n')
        && body
            .rsplit('\n')
            .next()
            .is_some_and(|row| row.trim_start().starts_with('#'))
}

/// The start byte and row of the comment-only lines directly above the line at `start` (row
/// `row`), with no blank line between, not reaching back before `floor`, and the deepest
/// indentation among them (a tab counts 8 columns, as for tree-sitter); `None` when there are
/// none.
fn comments_above(
    text: &str,
    floor: usize,
    start: usize,
    row: usize,
) -> Option<(usize, usize, u32)> {
    let mut top = None;
    let mut deepest = 0;
    let mut line_start = start;
    let mut r = row;
    while line_start > floor {
        // The line before `line_start`: from after the previous newline to its newline.
        let above = &text[floor..line_start - 1];
        let begin = above.rfind('\n').map_or(floor, |i| floor + i + 1);
        let line = &text[begin..line_start];
        if !line.trim_start().starts_with('#') {
            break;
        }
        deepest = deepest.max(scanner_indent(line));
        line_start = begin;
        r = r.saturating_sub(1);
        top = Some((line_start, r, deepest));
    }
    top
}

#[cfg(test)]
mod tests;
