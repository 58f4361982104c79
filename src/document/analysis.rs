//! Incremental analysis of one document: reparse from the edited previous tree, then re-query
//! only the top-level statements that the edits and tree-sitter's `changed_ranges` touch since the
//! last exact analysis, and merge with its findings. The result equals a full re-check (a property
//! test holds us to that) — except when an edit opened a syntax error whose recovery reshaped far
//! more than the edit: then only the statements being edited are re-queried and the result is
//! provisional (see [`Mode`]).
//! Secrets are rescanned in the same spirit: only the lines around the edits ([`rescan_secrets`]).

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tree_sitter::Tree;

use crate::rules::{Finding, RuleSet};
use crate::syntax::{self, Lang, SyntaxError};
use crate::text::{ByteEdit, Text};

/// An earlier analysis a new one builds on: its tree (already `edit`ed with every edit since),
/// its query findings and facts.
#[derive(Clone)]
pub struct Base {
    pub tree: Tree,
    /// `None` when the findings must be recomputed (rules changed).
    pub findings: Option<Arc<Vec<Finding>>>,
    /// [`import_signature`] of the base tree.
    pub import_sig: u64,
}

/// What an analysis needs; everything is a cheap clone of the document's state.
pub struct AnalysisInput {
    pub lang: Lang,
    pub text: Text,
    /// The last exact analysis ([`Mode::Full`] or [`Mode::Incremental`]) and the edits since it.
    pub exact: Option<Base>,
    pub exact_edits: Vec<ByteEdit>,
    /// The last analysis of any mode and the edits since it (the same as `exact` when that was
    /// the last one).
    pub last: Option<Base>,
    pub last_edits: Vec<ByteEdit>,
    pub rules: Arc<RuleSet>,
    /// How long the full reparse may take before the analysis falls back to a sketch (see
    /// [`Mode::Provisional`]); `None` waits for it.
    pub parse_budget: Option<std::time::Duration>,
}

/// How the findings of an analysis were obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every rule over the whole tree.
    Full,
    /// The last exact analysis's findings, with the statements touched by the edits since or by
    /// tree-sitter's `changed_ranges` re-queried. Equal to a full check.
    Incremental,
    /// The tree has syntax errors and error recovery reshaped much more than the edits touched
    /// (an unmatched `(` swallows the rest of a file): only the statements the edits touched
    /// are re-queried, and the last analysis's findings are kept everywhere else — the text
    /// there has not changed. The next analysis still compares with the last exact one, so
    /// undoing the error is a cheap exact check again.
    ///
    /// When even the reparse is slow (error recovery over a large broken region costs a full
    /// parse, on every keystroke), the analysis gives up the full reparse after its budget and
    /// sketches: it parses only the statements being edited (with the file's imports) and
    /// queries those. It then has no new full tree (`tree` is `None`); the document schedules
    /// an analysis without a budget for when typing pauses.
    Provisional,
}

/// The outcome: the new tree and its query findings (unsuppressed).
pub struct AnalysisOutput {
    /// `None` for a sketch (see [`Mode::Provisional`]).
    pub tree: Option<Tree>,
    pub findings: Vec<Finding>,
    pub mode: Mode,
    /// Bytes re-queried (the whole text for a full check).
    pub queried_bytes: usize,
    /// [`import_signature`] of the new tree.
    pub import_sig: u64,
    /// Time spent parsing.
    pub parse_time: std::time::Duration,
}

impl AnalysisOutput {
    /// Whether the output describes the text exactly (and so can be the next exact base).
    pub fn exact(&self) -> bool {
        self.mode != Mode::Provisional
    }
}

/// If the widened ranges cover more than this fraction of the text, check everything.
const FULL_CHECK_FRACTION: f64 = 0.5;
/// A tree with errors is checked provisionally when an exact check would re-query more than
/// this many times the bytes a provisional one does (and more than [`PROVISIONAL_MIN_BYTES`]).
const PROVISIONAL_RATIO: usize = 4;
/// (Smaller in unit tests, so that their small samples exercise the provisional path.)
const PROVISIONAL_MIN_BYTES: usize = if cfg!(test) { 512 } else { 32 * 1024 };

/// Every edit's span in the text after all of `edits`.
fn edited_spans(edits: &[ByteEdit]) -> Vec<Range<usize>> {
    edits
        .iter()
        .enumerate()
        .map(|(i, edit)| {
            let mut start = edit.start_byte;
            let mut end = edit.new_end_byte;
            for later in &edits[i + 1..] {
                start = later.map_offset(start);
                end = later.map_offset(end).max(start);
            }
            start..end
        })
        .collect()
}

fn total(ranges: &[Range<usize>]) -> usize {
    ranges.iter().map(|r| r.len()).sum()
}

pub fn analyze(input: AnalysisInput, cancel: &AtomicBool) -> Result<AnalysisOutput, SyntaxError> {
    let source = input.text.source();
    let old_tree = input
        .exact
        .as_ref()
        .or(input.last.as_ref())
        .map(|b| &b.tree);
    let started = std::time::Instant::now();
    // A budget only makes sense with an earlier analysis to sketch from.
    let budget = input
        .parse_budget
        .filter(|_| input.last.as_ref().is_some_and(|l| l.findings.is_some()));
    let parsed = syntax::parse_with_cancel(input.lang, &source, old_tree, &|| {
        cancel.load(Ordering::Relaxed) || budget.is_some_and(|b| started.elapsed() > b)
    });
    let tree = match parsed {
        Ok(tree) => tree,
        Err(SyntaxError::Cancelled(_)) if budget.is_some() && !cancel.load(Ordering::Relaxed) => {
            if let Some(out) = sketch(&input, started) {
                return Ok(out);
            }
            syntax::parse_with_cancel(input.lang, &source, old_tree, &|| {
                cancel.load(Ordering::Relaxed)
            })?
        }
        Err(e) => return Err(e),
    };
    let parse_time = started.elapsed();
    let len = input.text.len_bytes();
    let import_sig = import_signature(input.lang, &tree, &input.text);
    let may_root_at = |kind: &str| input.rules.may_root_at(input.lang, kind);
    let output =
        |tree: Tree, findings: Vec<Finding>, mode: Mode, queried_bytes: usize| AnalysisOutput {
            tree: Some(tree),
            findings,
            mode,
            queried_bytes,
            import_sig,
            parse_time,
        };
    let full = |tree: Tree| {
        let findings = input.rules.check_tree(input.lang, source, &tree, None);
        output(tree, findings, Mode::Full, len)
    };
    let Some((exact, exact_findings)) = input
        .exact
        .as_ref()
        .and_then(|b| b.findings.as_ref().map(|f| (b, f)))
    else {
        return Ok(full(tree));
    };
    // The exact path: what changed since the last exact analysis, in text or in structure.
    // Imports feed per-file facts (alias maps) that any match may depend on.
    let exact_region =
        (!input.rules.needs_full_check(input.lang) && exact.import_sig == import_sig).then(|| {
            let mut ranges: Vec<Range<usize>> = exact
                .tree
                .changed_ranges(&tree)
                .map(|r| r.start_byte..r.end_byte)
                .collect();
            ranges.extend(edited_spans(&input.exact_edits));
            widen_to_units(&tree, &ranges, &may_root_at)
        });
    let exact_cost = exact_region.as_deref().map_or(len, total);
    // The provisional path, when error recovery made the exact one expensive.
    if tree.root_node().has_error()
        && let Some((last, last_findings)) = input
            .last
            .as_ref()
            .and_then(|b| b.findings.as_ref().map(|f| (b, f)))
    {
        // The statements being edited, as the last tree delimits them.
        let region = widen_to_units(&last.tree, &edited_spans(&input.last_edits), &may_root_at);
        let cost = total(&region);
        if exact_cost > (PROVISIONAL_RATIO * cost).max(PROVISIONAL_MIN_BYTES)
            && (cost as f64) <= FULL_CHECK_FRACTION * len as f64
        {
            let findings = requery(&input, &tree, last_findings, &input.last_edits, &region);
            return Ok(output(tree, findings, Mode::Provisional, cost));
        }
    }
    let Some(region) = exact_region else {
        return Ok(full(tree));
    };
    if exact_cost as f64 > FULL_CHECK_FRACTION * len as f64 {
        return Ok(full(tree));
    }
    let findings = requery(&input, &tree, exact_findings, &input.exact_edits, &region);
    Ok(output(tree, findings, Mode::Incremental, exact_cost))
}

/// `old` findings moved through `edits`, with those inside `region` replaced by what querying
/// `tree` there finds.
fn requery(
    input: &AnalysisInput,
    tree: &Tree,
    old: &[Finding],
    edits: &[ByteEdit],
    region: &[Range<usize>],
) -> Vec<Finding> {
    let mut findings = shifted_outside(old, edits, region);
    if !region.is_empty() {
        findings.extend(
            input
                .rules
                .check_tree(input.lang, input.text.source(), tree, Some(region))
                .into_iter()
                .filter(|f| region.iter().any(|w| intersects(w, &f.range))),
        );
    }
    sort_dedup(&mut findings);
    findings
}

/// The provisional analysis without a new full tree: parse only the statements the edits since
/// the last analysis touched (and the file's imports, which matches may resolve through), query
/// them, and keep the last analysis's findings elsewhere. `None` when there is nothing to build
/// on or the statements are most of the file.
fn sketch(input: &AnalysisInput, started: std::time::Instant) -> Option<AnalysisOutput> {
    let last = input.last.as_ref()?;
    let last_findings = last.findings.as_ref()?;
    let len = input.text.len_bytes();
    let may_root_at = |kind: &str| input.rules.may_root_at(input.lang, kind);
    let region: Vec<Range<usize>> =
        widen_to_units(&last.tree, &edited_spans(&input.last_edits), &may_root_at)
            .into_iter()
            .map(|r| r.start.min(len)..r.end.min(len))
            .filter(|r| !r.is_empty())
            .collect();
    let cost = total(&region);
    if cost as f64 > FULL_CHECK_FRACTION * len as f64 {
        return None;
    }
    if region.is_empty() {
        let findings = requery(input, &last.tree, last_findings, &input.last_edits, &region);
        return Some(sketch_output(findings, last, cost, started));
    }
    // What to parse: the imports, each unit from the start of its line (indentation is syntax
    // in Python), and the first line of every definition around a unit (`class C:`).
    let text = &input.text;
    let mut ranges = import_ranges(input.lang, &last.tree, text);
    for r in &region {
        let from = text.line_start(text.line_of(r.start));
        ranges.push(from..r.end);
        let (around, _) = syntax::path_to(last.tree.root_node(), r.clone(), |_| false);
        for node in around {
            if node.start_byte() < from && node.child_by_field_name("name").is_some() {
                let line = text.line_of(node.start_byte());
                let header = text.line_start(line)..text.line_start(line + 1);
                if header.end <= from {
                    ranges.push(header);
                }
            }
        }
    }
    ranges.retain(|r| r.end <= len && !r.is_empty());
    let point = |offset: usize| {
        let (row, column) = text.point_of(offset);
        tree_sitter::Point { row, column }
    };
    let ts_ranges: Vec<tree_sitter::Range> = merge_ranges(ranges)
        .iter()
        .map(|r| tree_sitter::Range {
            start_byte: r.start,
            end_byte: r.end,
            start_point: point(r.start),
            end_point: point(r.end),
        })
        .collect();
    let tree = syntax::parse_ranges(input.lang, &text.source(), &ts_ranges).ok()?;
    let findings = requery(input, &tree, last_findings, &input.last_edits, &region);
    Some(sketch_output(findings, last, cost, started))
}

fn sketch_output(
    findings: Vec<Finding>,
    last: &Base,
    cost: usize,
    started: std::time::Instant,
) -> AnalysisOutput {
    AnalysisOutput {
        tree: None,
        findings,
        mode: Mode::Provisional,
        queried_bytes: cost,
        import_sig: last.import_sig,
        parse_time: started.elapsed(),
    }
}

/// Byte ranges of the top-level statements [`import_signature`] hashes.
fn import_ranges(lang: Lang, tree: &Tree, text: &Text) -> Vec<Range<usize>> {
    let root = tree.root_node();
    let mut cursor = root.walk();
    root.children(&mut cursor)
        .filter(|child| is_import_node(lang, *child, text))
        .map(|child| child.byte_range())
        .collect()
}

fn sort_dedup(findings: &mut Vec<Finding>) {
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.rule_id).cmp(&(b.range.start, b.range.end, &b.rule_id))
    });
    findings.dedup_by(|a, b| a.range == b.range && a.rule_id == b.rule_id);
}

/// Old findings moved through `edits` into the new text; those whose text an edit replaced or
/// split, and those inside a range of `drop`, are left out.
pub fn shifted_outside(old: &[Finding], edits: &[ByteEdit], drop: &[Range<usize>]) -> Vec<Finding> {
    old.iter()
        .filter_map(|f| {
            let shifted = shift_range(f.range.clone(), edits)?;
            if drop.iter().any(|w| intersects(w, &shifted)) {
                return None;
            }
            let mut f = f.clone();
            let delta = shifted.start as isize - f.range.start as isize;
            f.range = shifted;
            if let Some(fix) = &mut f.fix {
                let s = (fix.range.start as isize + delta).max(0) as usize;
                let e = (fix.range.end as isize + delta).max(0) as usize;
                fix.range = s..e.max(s);
            }
            Some(f)
        })
        .collect()
}

/// A range moved through `edits`; `None` when an edit replaced part of it or inserted inside it.
fn shift_range(range: Range<usize>, edits: &[ByteEdit]) -> Option<Range<usize>> {
    let (mut start, mut end) = (range.start, range.end);
    for edit in edits {
        // A finding whose text was (partly) replaced is gone; re-querying finds what is left.
        let replaced = edit.start_byte < edit.old_end_byte
            && start < edit.old_end_byte
            && edit.start_byte < end;
        let split = edit.start_byte == edit.old_end_byte
            && start < edit.start_byte
            && edit.start_byte < end;
        if replaced || split {
            return None;
        }
        start = edit.map_offset(start);
        end = edit.map_offset(end).max(start);
    }
    Some(start..end)
}

/// Lines of context rescanned for secrets above and below each edited line.
const SECRET_CONTEXT_LINES: usize = 2;
/// If the rescan windows cover more than this fraction of the text, scan everything.
const SECRET_FULL_FRACTION: f64 = 0.25;

/// The secrets findings of `text`, from those of the text before `edits` (`old`): the lines
/// around each edit are rescanned and the rest is shifted. Equal to a full scan (a property test
/// holds us to that); a text that holds a PEM private key header is always scanned whole, since
/// a key's body spans many lines.
pub fn rescan_secrets(
    rules: &RuleSet,
    text: &Text,
    old: Option<&[Finding]>,
    edits: &[ByteEdit],
) -> Vec<Finding> {
    let full = || rules.check_secrets(&text.source().full_text());
    let Some(old) = old else {
        return full();
    };
    if edits.is_empty() {
        return old.to_vec();
    }
    // The private-key detector reads up to 64 KB after a `-----BEGIN … PRIVATE KEY-----` header.
    if source_contains(&text.source(), "PRIVATE KEY") {
        return full();
    }
    let len = text.len_bytes();
    let windows = edited_spans(edits)
        .into_iter()
        .map(|span| {
            let first = text
                .line_of(span.start)
                .saturating_sub(SECRET_CONTEXT_LINES);
            let last = text.line_of(span.end) + SECRET_CONTEXT_LINES + 1;
            text.line_start(first)..text.line_start(last).min(len)
        })
        .collect();
    let merged = merge_ranges(windows);
    if total(&merged) as f64 > SECRET_FULL_FRACTION * len as f64 {
        return full();
    }
    let mut findings = shifted_outside(old, edits, &merged);
    for w in &merged {
        let slice = text.slice(w.clone());
        findings.extend(rules.check_secrets(&slice).into_iter().map(|mut f| {
            f.range = f.range.start + w.start..f.range.end + w.start;
            if let Some(fix) = &mut f.fix {
                fix.range = fix.range.start + w.start..fix.range.end + w.start;
            }
            f
        }));
    }
    findings.sort_by_key(|f| (f.range.start, f.range.end));
    findings
}

/// Whether `needle` occurs in the text, without copying it.
fn source_contains(source: &crate::text::Source<'_>, needle: &str) -> bool {
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let keep = needle.len().saturating_sub(1);
    let mut carry: Vec<u8> = Vec::new();
    for chunk in source.chunks() {
        let bytes = chunk.as_bytes();
        if !carry.is_empty() {
            carry.extend_from_slice(&bytes[..bytes.len().min(keep)]);
            if finder.find(&carry).is_some() {
                return true;
            }
        }
        if finder.find(bytes).is_some() {
            return true;
        }
        carry.clear();
        carry.extend_from_slice(&bytes[bytes.len().saturating_sub(keep)..]);
    }
    false
}

/// Whether finding range `b` lies (partly) inside re-queried range `a`. Touching is not
/// overlapping: a finding that ends where a re-queried range starts belongs to a top-level node
/// that was not re-queried, so it must be kept.
fn intersects(a: &Range<usize>, b: &Range<usize>) -> bool {
    if b.is_empty() {
        return a.start <= b.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

/// Nodes smaller than this are re-queried whole rather than descended into.
const UNIT_MIN_BYTES: usize = if cfg!(test) { 48 } else { 2048 };

/// Widens byte ranges to the units that must be re-queried whole, and merges them. A unit is a
/// top-level node (a child of the root), or — inside a large node that no pattern can be rooted
/// at (a class, its body) — the children of that node the range touches: every match that
/// involves the range is then rooted inside a unit, so all its captures are too.
fn widen_to_units(
    tree: &Tree,
    ranges: &[Range<usize>],
    may_root_at: &dyn Fn(&str) -> bool,
) -> Vec<Range<usize>> {
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        let mut node = tree.root_node();
        let mut unit = r.clone();
        loop {
            let mut cursor = node.walk();
            let touched: Vec<tree_sitter::Node<'_>> = node
                .children(&mut cursor)
                .filter(|c| c.start_byte() <= r.end && r.start <= c.end_byte())
                .collect();
            let (Some(first), Some(last)) = (touched.first(), touched.last()) else {
                break;
            };
            unit = r.start.min(first.start_byte())..r.end.max(last.end_byte());
            // Descend into a single large child that holds the whole range and cannot be a
            // pattern root.
            let [only] = touched.as_slice() else {
                break;
            };
            if only.start_byte() > r.start
                || only.end_byte() < r.end
                || only.byte_range().len() < UNIT_MIN_BYTES
                || may_root_at(only.kind())
            {
                break;
            }
            node = *only;
        }
        out.push(unit);
    }
    merge_ranges(out)
}

/// Sorts ranges and merges those that overlap or touch.
fn merge_ranges(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    merged
}

/// Node kinds that import names into a file (or declare its package).
fn is_import_kind(kind: &str) -> bool {
    matches!(
        kind,
        "import_statement"
            | "import_from_statement"
            | "future_import_statement"
            | "import_declaration"
            | "package_clause"
            | "package_declaration"
            | "use_declaration"
            | "extern_crate_declaration"
            | "preproc_include"
    )
}

/// A hash of the file's top-level import statements (and, for JavaScript and Ruby, top-level
/// statements that call `require`). When it changes, every match may resolve differently.
pub fn import_signature(lang: Lang, tree: &Tree, text: &Text) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let root = tree.root_node();
    let mut cursor = root.walk();
    for child in root.children(&mut cursor) {
        if is_import_node(lang, child, text) {
            text.slice(child.byte_range()).hash(&mut hasher);
        }
    }
    hasher.finish()
}

/// Whether a top-level node imports names (for JavaScript and Ruby, also a statement that calls
/// `require`).
fn is_import_node(lang: Lang, node: tree_sitter::Node<'_>, text: &Text) -> bool {
    let requires = matches!(
        lang,
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx | Lang::Ruby
    );
    is_import_kind(node.kind())
        || (requires
            && node.byte_range().len() < 4096
            && text.slice(node.byte_range()).contains("require"))
}

#[cfg(test)]
mod tests;
