//! Partial checks: parse only the statements that can hold a finding.
//!
//! Most lines of a file cannot match any active pattern: a pattern needs its tokens and literals
//! ([`pattern::requirement`]) in the logical line of its root, or, for a root that spans lines (a
//! compound statement such as an `except` clause), in that statement. Per file, a lexer splits
//! the text into logical lines ([`python::logical_lines`]), one Aho-Corasick pass finds which
//! required literals each line holds, and only the selected statements are parsed, with
//! tree-sitter included ranges, together with what keeps the excerpt valid: the headers of the
//! enclosing statements, the earlier clauses of a clause (`try:` before `except:`), and the first
//! statement of a header's block when none of it is selected.
//!
//! Every included line is a whole logical line, so a match rooted within one line is a match of
//! the full parse. A match of a pattern rooted at a compound statement is kept only when every
//! enclosing statement of that kind containing its captures is included whole; when one is not,
//! the match is ambiguous and the caller parses the whole file. So is a file the lexer does not
//! understand, an excerpt that does not parse without errors, and a language whose active
//! patterns include one this cannot reason about (rooted at any kind, at a block or a comment, or
//! reporting through a rule with checks, which may look outside the statement).

pub mod pattern;
pub mod python;

use std::sync::atomic::{AtomicUsize, Ordering};

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use tree_sitter::{Node, Point, QueryCapture};

use crate::syntax::Lang;
use pattern::Bound;

/// Whether partial parses are on: `CODOMYRMEX_NO_PARTIAL` (non-empty, not `0`) switches them
/// off for checks and for the index's outline parses.
pub fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| {
        std::env::var_os("CODOMYRMEX_NO_PARTIAL").is_none_or(|v| v.is_empty() || v == "0")
    })
}

/// A language's grammar facts for the partial check.
pub struct Lexicon {
    /// Node kinds that can span several logical lines: the words their header starts with, and
    /// whether the clauses that follow (`elif`, `except`, …) belong to them.
    pub compound: &'static [(&'static str, &'static [&'static str], bool)],
    /// First words of the clauses that continue the statement before them.
    pub clause_words: &'static [&'static str],
    /// The first word of a decorator line, which needs the definition after it.
    pub decorator: &'static str,
    /// Kinds a pattern may not be rooted at here (they span anything, or lie outside lines).
    pub unsupported: &'static [&'static str],
    /// Kinds whose node is a single token, so its text starts at a token boundary.
    pub token_kinds: &'static [&'static str],
    /// Tokens present in the logical line of any node of a kind (each inner list: one of them).
    pub kind_tokens: fn(&str) -> &'static [&'static [&'static str]],
}

/// The lexicon of `lang`, when partial checks are supported for it.
pub fn lexicon(lang: Lang) -> Option<&'static Lexicon> {
    match lang {
        Lang::Python => Some(&python::LEXICON),
        _ => None,
    }
}

/// One pattern's unit: a logical line, or a compound statement of a kind (index into
/// [`Lexicon::compound`]); with its requirement over literal ids.
#[derive(Debug, Clone)]
struct Unit {
    compound: Option<usize>,
    cnf: Vec<Vec<u32>>,
}

/// The partial-check plan of one language's compiled query.
pub struct Plan {
    lexicon: &'static Lexicon,
    automaton: Option<AhoCorasick>,
    /// The literal id of each of the automaton's patterns.
    automaton_ids: Vec<usize>,
    /// Literals that are one ASCII punctuation byte in code: read from each line's mask.
    bytes: Vec<(usize, u8)>,
    literals: Vec<(String, Bound)>,
    /// By pattern index; `None` for a pattern that never reports.
    units: Vec<Option<Unit>>,
}

/// What a file needs.
pub enum Selection {
    /// No statement can hold a finding: nothing to parse.
    Nothing,
    /// Parse and check the whole file.
    Whole,
    /// Parse these ranges and keep the matches [`Excerpt::accept`] allows.
    Excerpt(Excerpt),
}

/// The parts of a file to parse, and what is included whole.
pub struct Excerpt {
    pub ranges: Vec<tree_sitter::Range>,
    /// Byte ranges of the included logical lines, in order.
    lines: Vec<(usize, usize)>,
    /// Byte ranges of compound statements included whole.
    statements: Vec<(usize, usize)>,
}

/// Whether a match of the excerpt's tree is one of the full tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    Drop,
    /// The match may or may not be one of the full tree: check the whole file.
    Unsure,
}

/// No line: the parent of a top-level line.
pub(crate) const NONE: usize = usize::MAX;

/// How files went through partial checks in this process, for the debug log.
#[derive(Debug, Default)]
pub struct Stats {
    /// Nothing could match: no parse.
    pub nothing: AtomicUsize,
    /// Checked from an excerpt.
    pub excerpt: AtomicUsize,
    /// Parsed whole: the lexer gave up.
    pub lexer: AtomicUsize,
    /// Parsed whole: the excerpt had syntax errors.
    pub errors: AtomicUsize,
    /// Parsed whole: a match was ambiguous.
    pub unsure: AtomicUsize,
}

pub static STATS: Stats = Stats {
    nothing: AtomicUsize::new(0),
    excerpt: AtomicUsize::new(0),
    lexer: AtomicUsize::new(0),
    errors: AtomicUsize::new(0),
    unsure: AtomicUsize::new(0),
};

impl Stats {
    pub fn count(counter: &AtomicUsize) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    pub fn summary(&self) -> String {
        let get = |c: &AtomicUsize| c.load(Ordering::Relaxed);
        format!(
            "partial checks: {} files without candidates, {} from excerpts, parsed whole: {} (lexer), {} (excerpt errors), {} (ambiguous matches)",
            get(&self.nothing),
            get(&self.excerpt),
            get(&self.lexer),
            get(&self.errors),
            get(&self.unsure)
        )
    }
}

impl Plan {
    /// Builds the plan for `query`'s patterns (`sources[p]`: pattern `p`'s text; `never[p]`:
    /// the pattern cannot report; `checked[p]`: it reports through a rule with checks).
    /// `None` when some active pattern is beyond what a partial check can reason about.
    pub fn build(
        lang: Lang,
        query: &tree_sitter::Query,
        sources: &[&str],
        never: &[bool],
        checked: &[bool],
    ) -> Option<Plan> {
        let lexicon = lexicon(lang)?;
        let mut literals: Vec<(String, Bound)> = Vec::new();
        let mut units = Vec::with_capacity(sources.len());
        for (p, src) in sources.iter().enumerate() {
            if never.get(p).copied().unwrap_or(false) {
                units.push(None);
                continue;
            }
            if checked.get(p).copied().unwrap_or(true)
                || !query.is_pattern_rooted(p)
                || query.is_pattern_non_local(p)
            {
                return None;
            }
            let head = crate::rules::engine::pattern_head(src)?;
            if lexicon.unsupported.contains(&head.as_str()) {
                return None;
            }
            let compound = lexicon.compound.iter().position(|(k, _, _)| *k == head);
            let cnf = pattern::requirement(src, lexicon)
                .into_iter()
                .map(|clause| {
                    clause
                        .into_iter()
                        .map(|lit| {
                            let id = literals.iter().position(|l| *l == lit).unwrap_or_else(|| {
                                literals.push(lit);
                                literals.len() - 1
                            });
                            id as u32
                        })
                        .collect()
                })
                .collect::<Vec<Vec<u32>>>();
            // A line pattern that needs nothing selects every line: not worth an excerpt.
            if cnf.is_empty() && compound.is_none() {
                return None;
            }
            units.push(Some(Unit { compound, cnf }));
        }
        let mut bytes = Vec::new();
        let mut automaton_ids = Vec::new();
        for (id, (lit, bound)) in literals.iter().enumerate() {
            match lit.as_bytes() {
                [c] if c.is_ascii_punctuation() && *bound != Bound::Text => bytes.push((id, *c)),
                _ => automaton_ids.push(id),
            }
        }
        let automaton = if automaton_ids.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(automaton_ids.iter().map(|&id| literals[id].0.as_str()))
                    .ok()?,
            )
        };
        Some(Plan {
            lexicon,
            automaton,
            automaton_ids,
            bytes,
            literals,
            units,
        })
    }

    /// Decides what of `text` to parse.
    pub fn select(&self, text: &str) -> Selection {
        let Some((lines, non_code)) = python::logical_lines(text) else {
            Stats::count(&STATS.lexer);
            return Selection::Whole;
        };
        let n = lines.len();
        if n == 0 {
            return Selection::Nothing;
        }
        let words = self.literals.len().div_ceil(64).max(1);
        let bits = self.line_literals(text, &lines, &non_code, words);
        let has = |k: usize, id: u32| bits[k * words + id as usize / 64] & (1 << (id % 64)) != 0;
        let word = |k: usize| &text[lines[k].word.0..lines[k].word.1];

        // Which units hold what their patterns need.
        let mut line_sel = vec![false; n];
        let mut statements: Vec<(usize, usize)> = Vec::new(); // line ranges
        let shape = Shape::new(&lines, self.lexicon, word);
        for unit in self.units.iter().flatten() {
            match unit.compound {
                None => {
                    for (k, sel) in line_sel.iter_mut().enumerate() {
                        if !*sel && unit.cnf.iter().all(|c| c.iter().any(|&id| has(k, id))) {
                            *sel = true;
                        }
                    }
                }
                Some(ci) => {
                    let (_, keywords, clauses) = self.lexicon.compound[ci];
                    for k in 0..n {
                        if !keywords.contains(&word(k)) {
                            continue;
                        }
                        let end = shape.extent(k, clauses);
                        let ok = unit
                            .cnf
                            .iter()
                            .all(|c| c.iter().any(|&id| (k..end).any(|j| has(j, id))));
                        if ok {
                            statements.push((k, end));
                        }
                    }
                }
            }
        }
        if !line_sel.iter().any(|s| *s) && statements.is_empty() {
            return Selection::Nothing;
        }

        // What is included: the selected units, their context, then a first statement for every
        // included header whose block has none.
        let mut inc = line_sel.clone();
        for &(a, b) in &statements {
            inc[a..b].iter_mut().for_each(|x| *x = true);
        }
        let firsts = (0..n).filter(|&k| line_sel[k]);
        for k in firsts.chain(statements.iter().map(|s| s.0)) {
            shape.context(k, &mut inc);
        }
        shape.fill_blocks(&mut inc, |_| None);
        let ranges = included_ranges(text, &lines, &inc, |_| None);
        let eof = eof_point(text, &lines[n - 1]);
        let upto = |k: usize| line_upto(text, &lines, k, eof).0;
        Selection::Excerpt(Excerpt {
            ranges,
            lines: (0..n)
                .filter(|&k| inc[k])
                .map(|k| (lines[k].start, upto(k)))
                .collect(),
            statements: statements
                .iter()
                .map(|&(a, b)| (lines[a].start, upto(b - 1)))
                .collect(),
        })
    }

    /// For each line, a bit set of the literals it holds (as their bounds require).
    fn line_literals(
        &self,
        text: &str,
        lines: &[python::Line],
        non_code: &[(usize, usize)],
        words: usize,
    ) -> Vec<u64> {
        let mut bits = vec![0u64; lines.len() * words];
        for (k, line) in lines.iter().enumerate() {
            for &(id, c) in &self.bytes {
                if line.punct & (1u128 << c) != 0 {
                    bits[k * words + id / 64] |= 1 << (id % 64);
                }
            }
        }
        let Some(ac) = &self.automaton else {
            return bits;
        };
        let b = text.as_bytes();
        let ident = |c: u8| c.is_ascii_alphanumeric() || c == b'_' || c >= 0x80;
        // Matches come in increasing end order, so their starts are near-sorted: cursors that
        // move back when needed are cheaper than a search per match.
        let mut li = 0;
        let mut ni = 0;
        for m in ac.find_overlapping_iter(text) {
            let (s, e) = (m.start(), m.end());
            let id = self.automaton_ids[m.pattern().as_usize()];
            let (lit, bound) = &self.literals[id];
            if *bound != Bound::Text {
                while ni > 0 && non_code[ni - 1].1 > s {
                    ni -= 1;
                }
                while ni < non_code.len() && non_code[ni].1 <= s {
                    ni += 1;
                }
                if ni < non_code.len() && non_code[ni].0 <= s {
                    continue; // in a string body or comment
                }
                let lb = lit.as_bytes();
                if lb.first().is_some_and(|c| ident(*c)) && s > 0 && ident(b[s - 1]) {
                    continue;
                }
                if *bound == Bound::Token
                    && lb.last().is_some_and(|c| ident(*c))
                    && e < b.len()
                    && ident(b[e])
                {
                    continue;
                }
            }
            while li > 0 && lines[li].start > s {
                li -= 1;
            }
            while li + 1 < lines.len() && lines[li + 1].start <= s {
                li += 1;
            }
            let line = &lines[li];
            if line.start <= s && s < line.end {
                bits[li * words + id / 64] |= 1 << (id % 64);
            }
        }
        bits
    }

    /// Whether a compound-rooted pattern's match is one of the full parse; line patterns always
    /// are.
    pub fn accept(
        &self,
        excerpt: &Excerpt,
        pattern: usize,
        captures: &[QueryCapture<'_>],
    ) -> Verdict {
        let Some(Some(unit)) = self.units.get(pattern) else {
            return Verdict::Drop;
        };
        let Some(ci) = unit.compound else {
            return Verdict::Keep;
        };
        let Some(first) = captures.first() else {
            return Verdict::Drop;
        };
        let start = captures
            .iter()
            .map(|c| c.node.start_byte())
            .min()
            .unwrap_or(0);
        let end = captures
            .iter()
            .map(|c| c.node.end_byte())
            .max()
            .unwrap_or(0);
        let kind = self.lexicon.compound[ci].0;
        // Every statement of the pattern's kind around the captures may be the match's root.
        let mut node: Option<Node<'_>> = Some(first.node);
        let mut seen = false;
        while let Some(n) = node {
            if n.kind() == kind && n.start_byte() <= start && end <= n.end_byte() {
                seen = true;
                if !excerpt.whole(n.start_byte(), n.end_byte()) {
                    return Verdict::Unsure;
                }
            }
            node = n.parent();
        }
        if seen { Verdict::Keep } else { Verdict::Drop }
    }
}

impl Excerpt {
    /// Whether bytes `start..end` lie in one included line or one statement included whole.
    fn whole(&self, start: usize, end: usize) -> bool {
        let i = self.lines.partition_point(|l| l.0 <= start);
        if i > 0 && self.lines[i - 1].1 >= end {
            return true;
        }
        self.statements.iter().any(|s| s.0 <= start && end <= s.1)
    }
}

/// The tree-sitter point of the end of `text`, whose last logical line is `last`.
fn eof_point(text: &str, last: &python::Line) -> Point {
    let rest = text.get(last.end..).unwrap_or("");
    match rest.rfind('\n') {
        Some(i) => Point::new(
            last.end_row + rest.matches('\n').count(),
            rest.len() - i - 1,
        ),
        None => Point::new(last.end_row, last.end_col + rest.len()),
    }
}

/// Where the range of line `k` ends: at the start of the next logical line, so that the comments
/// and blank lines after it are in (a comment after a block's last statement can be a child of the
/// block, and anchors (`.`) see it); at `eof` for the last line.
fn line_upto(text: &str, lines: &[python::Line], k: usize, eof: Point) -> (usize, Point) {
    match lines.get(k + 1) {
        Some(next) => (next.start, Point::new(next.row, 0)),
        None => (text.len(), eof),
    }
}

/// The tree-sitter ranges of the runs of included lines (`inc[k]`). Each line runs to the next
/// logical line ([`line_upto`]); `lead(k)` may give a byte and row where line `k`'s range starts
/// instead of its own start: the comment lines above it, which lie after the line before, so
/// ranges never overlap.
pub(crate) fn included_ranges(
    text: &str,
    lines: &[python::Line],
    inc: &[bool],
    lead: impl Fn(usize) -> Option<(usize, usize)>,
) -> Vec<tree_sitter::Range> {
    let n = lines.len();
    let Some(last) = lines.last() else {
        return Vec::new();
    };
    let eof = eof_point(text, last);
    let mut ranges = Vec::new();
    let mut k = 0;
    while k < n {
        if !inc[k] {
            k += 1;
            continue;
        }
        let (start_byte, start_row) = lead(k).unwrap_or((lines[k].start, lines[k].row));
        while k < n && inc[k] {
            k += 1;
        }
        let (end_byte, end_point) = line_upto(text, lines, k - 1, eof);
        ranges.push(tree_sitter::Range {
            start_byte,
            end_byte,
            start_point: Point::new(start_row, 0),
            end_point,
        });
    }
    ranges
}

/// The block structure of logical lines, from their indentation.
pub(crate) struct Shape<'a, W: Fn(usize) -> &'a str> {
    lines: &'a [python::Line],
    lexicon: &'static Lexicon,
    word: W,
    /// The header whose block holds the line ([`NONE`] at top level).
    pub(crate) parent: Vec<usize>,
    /// One past the last line of a header's block (`k + 1` for other lines).
    pub(crate) block_end: Vec<usize>,
    /// The previous line with the same parent.
    pub(crate) prev: Vec<usize>,
}

impl<'a, W: Fn(usize) -> &'a str> Shape<'a, W> {
    pub(crate) fn new(lines: &'a [python::Line], lexicon: &'static Lexicon, word: W) -> Self {
        let n = lines.len();
        let mut parent = vec![NONE; n];
        let mut block_end: Vec<usize> = (1..=n).collect();
        let mut prev = vec![NONE; n];
        let mut last_child = vec![NONE; n + 1];
        let mut stack: Vec<usize> = Vec::new();
        for k in 0..n {
            while let Some(&top) = stack.last() {
                if lines[top].indent >= lines[k].indent {
                    block_end[top] = k;
                    stack.pop();
                } else {
                    break;
                }
            }
            let p = stack.last().copied().unwrap_or(NONE);
            parent[k] = p;
            let slot = if p == NONE { n } else { p };
            prev[k] = last_child[slot];
            last_child[slot] = k;
            if lines[k].header {
                block_end[k] = n;
                stack.push(k);
            }
        }
        Shape {
            lines,
            lexicon,
            word,
            parent,
            block_end,
            prev,
        }
    }

    pub(crate) fn is_clause(&self, k: usize) -> bool {
        self.lexicon.clause_words.contains(&(self.word)(k))
    }

    /// Whether line `k` is a decorator.
    pub(crate) fn is_decorator(&self, k: usize) -> bool {
        (self.word)(k) == self.lexicon.decorator
    }

    /// A decorator needs what it decorates: the decorators after it and the definition.
    pub(crate) fn decorated(&self, k: usize, inc: &mut [bool]) {
        if !self.is_decorator(k) {
            return;
        }
        let mut j = k + 1;
        while j < self.lines.len() && self.lines[j].indent == self.lines[k].indent {
            inc[j] = true;
            if (self.word)(j) != self.lexicon.decorator {
                break;
            }
            j += 1;
        }
    }

    /// Includes a line in the block of every included header that has no included line in it,
    /// so that the excerpt parses: the line `pick(header)` gives, else the block's first line
    /// (with what a decorator there needs).
    pub(crate) fn fill_blocks(&self, inc: &mut [bool], pick: impl Fn(usize) -> Option<usize>) {
        let n = self.lines.len();
        let mut next_inc = vec![NONE; n + 1];
        for k in (0..n).rev() {
            next_inc[k] = if inc[k] { k } else { next_inc[k + 1] };
        }
        for k in 0..n {
            if inc[k] && self.lines[k].header {
                let end = self.block_end[k];
                if k + 1 < end && next_inc[k + 1] >= end {
                    match pick(k) {
                        Some(line) => inc[line] = true,
                        None => {
                            inc[k + 1] = true;
                            self.decorated(k + 1, inc);
                        }
                    }
                }
            }
        }
    }

    /// Whether line `k` is a simple statement: not a header, clause or decorator.
    pub(crate) fn is_simple(&self, k: usize) -> bool {
        !self.lines[k].header && !self.is_decorator(k) && !self.is_clause(k)
    }

    /// One past the last line of the statement whose header is line `k` (with the clauses that
    /// follow it when `clauses`).
    fn extent(&self, k: usize, clauses: bool) -> usize {
        let mut end = self.block_end[k];
        if clauses {
            while end < self.lines.len()
                && self.parent[end] == self.parent[k]
                && self.lines[end].indent == self.lines[k].indent
                && self.is_clause(end)
            {
                end = self.block_end[end];
            }
        }
        end
    }

    /// Marks what line `k` needs to parse as it does in the whole file: the headers around it,
    /// for a clause the clauses and header before it, for a decorator the definition after it.
    pub(crate) fn context(&self, k: usize, inc: &mut [bool]) {
        self.decorated(k, inc);
        let mut c = k;
        loop {
            if self.is_clause(c) {
                let mut s = self.prev[c];
                while s != NONE {
                    inc[s] = true;
                    if !self.is_clause(s) {
                        break;
                    }
                    s = self.prev[s];
                }
            }
            let p = self.parent[c];
            if p == NONE {
                break;
            }
            inc[p] = true;
            c = p;
        }
    }
}

#[cfg(test)]
mod tests;
