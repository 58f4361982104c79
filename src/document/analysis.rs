//! Incremental analysis of one document: reparse from the edited old tree, then re-query only the
//! top-level statements that the edits and tree-sitter's `changed_ranges` touch, and merge with the
//! previous findings. The result equals a full re-check (a property test holds us to that).

use std::ops::Range;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tree_sitter::Tree;

use crate::rules::{Finding, RuleSet};
use crate::syntax::{self, Lang, SyntaxError};
use crate::text::{ByteEdit, Text};

/// What an analysis needs; everything is a cheap clone of the document's state.
pub struct AnalysisInput {
    pub lang: Lang,
    pub text: Text,
    /// The previous tree, already `edit`ed with every edit in `edits`.
    pub old_tree: Option<Tree>,
    /// Query findings of the previous tree (before `edits`), if any.
    pub old_findings: Option<Arc<Vec<Finding>>>,
    /// Edits since the previous analysis, in order.
    pub edits: Vec<ByteEdit>,
    pub rules: Arc<RuleSet>,
    /// [`import_signature`] of the previous tree.
    pub old_import_sig: Option<u64>,
}

/// The outcome: the new tree and its query findings (unsuppressed), and whether it was incremental.
pub struct AnalysisOutput {
    pub tree: Tree,
    pub findings: Vec<Finding>,
    pub incremental: bool,
    /// Bytes re-queried (the whole text for a full check).
    pub queried_bytes: usize,
    /// [`import_signature`] of the new tree.
    pub import_sig: u64,
}

/// If the widened ranges cover more than this fraction of the text, check everything.
const FULL_CHECK_FRACTION: f64 = 0.5;

pub fn analyze(input: AnalysisInput, cancel: &AtomicBool) -> Result<AnalysisOutput, SyntaxError> {
    let source = input.text.source();
    let tree = syntax::parse_with_cancel(input.lang, &source, input.old_tree.as_ref(), &|| {
        cancel.load(Ordering::Relaxed)
    })?;
    let len = input.text.len_bytes();
    let import_sig = import_signature(input.lang, &tree, &input.text);
    let full = |tree: Tree| {
        let findings = input.rules.check_tree(input.lang, source, &tree, None);
        AnalysisOutput {
            tree,
            findings,
            incremental: false,
            queried_bytes: len,
            import_sig,
        }
    };
    let (Some(old_tree), Some(old_findings)) = (&input.old_tree, &input.old_findings) else {
        return Ok(full(tree));
    };
    // Imports feed per-file facts (alias maps) that any match may depend on.
    if input.rules.needs_full_check(input.lang) || input.old_import_sig != Some(import_sig) {
        return Ok(full(tree));
    }
    // Ranges touched: tree-sitter's structural changes plus every edit's new span.
    let mut ranges: Vec<Range<usize>> = old_tree
        .changed_ranges(&tree)
        .map(|r| r.start_byte..r.end_byte)
        .collect();
    for (i, edit) in input.edits.iter().enumerate() {
        let mut start = edit.start_byte;
        let mut end = edit.new_end_byte;
        for later in &input.edits[i + 1..] {
            start = later.map_offset(start);
            end = later.map_offset(end).max(start);
        }
        ranges.push(start..end);
    }
    let widened = widen_to_top_level(&tree, &ranges);
    let queried: usize = widened.iter().map(|r| r.len()).sum();
    if queried as f64 > FULL_CHECK_FRACTION * len as f64 {
        return Ok(full(tree));
    }
    // Shift old findings into the new text, drop those in re-queried ranges.
    let mut findings: Vec<Finding> = old_findings
        .iter()
        .filter_map(|f| {
            let mut start = f.range.start;
            let mut end = f.range.end;
            for edit in &input.edits {
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
            let shifted = start..end;
            if widened.iter().any(|w| intersects(w, &shifted)) {
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
        .collect();
    if !widened.is_empty() {
        findings.extend(
            input
                .rules
                .check_tree(input.lang, source, &tree, Some(&widened)),
        );
    }
    findings.sort_by(|a, b| {
        (a.range.start, a.range.end, &a.rule_id).cmp(&(b.range.start, b.range.end, &b.rule_id))
    });
    findings.dedup_by(|a, b| a.range == b.range && a.rule_id == b.rule_id);
    Ok(AnalysisOutput {
        tree,
        findings,
        incremental: true,
        queried_bytes: queried,
        import_sig,
    })
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

/// Widens byte ranges to whole top-level nodes (children of the root) and merges them.
fn widen_to_top_level(tree: &Tree, ranges: &[Range<usize>]) -> Vec<Range<usize>> {
    if ranges.is_empty() {
        return Vec::new();
    }
    let root = tree.root_node();
    let mut cursor = root.walk();
    let children: Vec<Range<usize>> = root.children(&mut cursor).map(|n| n.byte_range()).collect();
    let mut out: Vec<Range<usize>> = Vec::new();
    for r in ranges {
        let mut start = r.start;
        let mut end = r.end;
        for c in &children {
            if c.start <= r.end && r.start <= c.end {
                start = start.min(c.start);
                end = end.max(c.end);
            }
        }
        out.push(start..end);
    }
    out.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in out {
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
    let requires = matches!(
        lang,
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx | Lang::Ruby
    );
    for child in root.children(&mut cursor) {
        let kind = child.kind();
        let import = is_import_kind(kind)
            || (requires
                && child.byte_range().len() < 4096
                && text.slice(child.byte_range()).contains("require"));
        if import {
            text.slice(child.byte_range()).hash(&mut hasher);
        }
    }
    hasher.finish()
}

#[cfg(test)]
mod tests;
