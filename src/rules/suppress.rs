//! Suppression comments: `codomyrmex-ignore: <id>[, <id>…]` on a finding's line or on the line
//! before silences those rules there; a bare `codomyrmex-ignore` silences every rule on its line.
//! The same comments hold in the editor and the CLI.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;

use crate::rules::Finding;
use crate::syntax::Lang;
use crate::text::Source;

pub const MARKER: &str = "codomyrmex-ignore";
const COMMENT_LEADERS: &[&str] = &["#", "//", "/*", "--", ";", "<!--", "%", "*"];

/// What one suppression comment covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Covers {
    All,
    Rules(BTreeSet<String>),
}

impl Covers {
    fn covers(&self, rule_id: &str) -> bool {
        match self {
            Covers::All => true,
            Covers::Rules(ids) => ids.contains(rule_id),
        }
    }
}

/// The suppression comments of one text, by zero-based line. A comment covers its own line; a
/// comment alone on its line also covers the next line.
#[derive(Debug, Default, Clone)]
pub struct Suppressions {
    by_line: HashMap<usize, Covers>,
    /// Lines whose suppression comment stands alone (it then also covers the next line).
    own_line: std::collections::HashSet<usize>,
    line_starts: Vec<usize>,
}

/// Zero-based line starts, breaking at `\n`, `\r\n` and `\r` as LSP does.
pub fn line_starts(source: &Source<'_>) -> Vec<usize> {
    let mut starts = vec![0];
    let mut offset = 0;
    let mut prev_cr = false;
    for chunk in source.chunks() {
        for (i, b) in chunk.bytes().enumerate() {
            let at = offset + i;
            match b {
                b'\n' => {
                    if prev_cr {
                        // "\r\n": the line started after '\r' is really after '\n'.
                        if let Some(last) = starts.last_mut() {
                            *last = at + 1;
                        }
                    } else {
                        starts.push(at + 1);
                    }
                    prev_cr = false;
                }
                b'\r' => {
                    starts.push(at + 1);
                    prev_cr = true;
                }
                _ => prev_cr = false,
            }
        }
        offset += chunk.len();
    }
    starts
}

/// Zero-based line of a byte offset given line starts.
pub fn line_of(line_starts: &[usize], offset: usize) -> usize {
    match line_starts.binary_search(&offset) {
        Ok(i) => i,
        Err(i) => i.saturating_sub(1),
    }
}

impl Suppressions {
    pub fn scan(source: &Source<'_>) -> Suppressions {
        let text = source.full_text();
        let starts = line_starts(source);
        let mut by_line = HashMap::new();
        let mut own_line = std::collections::HashSet::new();
        let mut search_from = 0;
        while let Some(found) = text[search_from..].find(MARKER) {
            let at = search_from + found;
            search_from = at + MARKER.len();
            let line = line_of(&starts, at);
            let line_start = starts[line];
            let before = &text[line_start..at];
            if !COMMENT_LEADERS.iter().any(|l| before.contains(l)) {
                continue;
            }
            let line_end = starts.get(line + 1).copied().unwrap_or(text.len());
            let after = &text[at + MARKER.len()..line_end];
            let trimmed = before.trim_start();
            if COMMENT_LEADERS.iter().any(|l| trimmed.starts_with(l)) {
                own_line.insert(line);
            }
            let covers = parse_ids(after);
            let entry = by_line
                .entry(line)
                .or_insert(Covers::Rules(BTreeSet::new()));
            match (entry, covers) {
                (e @ Covers::Rules(_), Covers::All) => *e = Covers::All,
                (Covers::Rules(ids), Covers::Rules(new)) => ids.extend(new),
                (Covers::All, _) => {}
            }
        }
        Suppressions {
            by_line,
            own_line,
            line_starts: starts,
        }
    }

    /// Whether a finding is silenced by a comment on its line or the line before.
    pub fn is_suppressed(&self, _source: &Source<'_>, finding: &Finding) -> bool {
        self.suppresses(finding.range.start, &finding.rule_id)
    }

    pub fn suppresses(&self, offset: usize, rule_id: &str) -> bool {
        if self.by_line.is_empty() {
            return false;
        }
        let line = line_of(&self.line_starts, offset);
        let here = self.by_line.get(&line).is_some_and(|c| c.covers(rule_id));
        let above = line > 0
            && self.own_line.contains(&(line - 1))
            && self
                .by_line
                .get(&(line - 1))
                .is_some_and(|c| c.covers(rule_id));
        here || above
    }

    pub fn is_empty(&self) -> bool {
        self.by_line.is_empty()
    }
}

fn parse_ids(after: &str) -> Covers {
    let rest = after.trim_start();
    let Some(list) = rest.strip_prefix(':') else {
        return Covers::All;
    };
    let ids: BTreeSet<String> = list
        .split([',', ' ', '\t'])
        .map(|s| s.trim().trim_end_matches("*/").trim_end_matches("-->"))
        .filter(|s| {
            !s.is_empty()
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
        })
        .map(str::to_string)
        .collect();
    if ids.is_empty() {
        Covers::All
    } else {
        Covers::Rules(ids)
    }
}

/// The edit that suppresses `rule_id` on zero-based `line`: a comment line inserted above it with
/// the same indentation, or the id appended to an existing suppression comment on the line above.
/// `None` for languages without line comments (JSON).
pub fn suppression_edit(
    source: &Source<'_>,
    lang: Option<Lang>,
    line: usize,
    rule_id: &str,
) -> Option<(Range<usize>, String)> {
    let leader = match lang {
        Some(lang) => lang.line_comment()?,
        None => "#",
    };
    let starts = line_starts(source);
    let line = line.min(starts.len().saturating_sub(1));
    let line_start = starts[line];
    let line_end = starts.get(line + 1).copied().unwrap_or(source.len());
    let line_text = source.slice(line_start..line_end);
    if line > 0 {
        let prev_start = starts[line - 1];
        let prev = source.slice(prev_start..line_start);
        let trimmed = prev.trim_end_matches(['\n', '\r']);
        if let Some(pos) = trimmed.find(&format!("{MARKER}:")) {
            let before = trimmed[..pos].trim();
            if before == leader {
                let insert_at = prev_start + trimmed.len();
                return Some((insert_at..insert_at, format!(", {rule_id}")));
            }
        }
    }
    let indent: String = line_text
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    Some((
        line_start..line_start,
        format!("{indent}{leader} {MARKER}: {rule_id}\n"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn finding(text: &str, needle: &str, rule: &str) -> Finding {
        let start = text.find(needle).unwrap_or(0);
        Finding {
            rule_id: Arc::from(rule),
            range: start..start + needle.len(),
            severity: crate::rules::Severity::Warning,
            message: String::new(),
            confidence: None,
            fix: None,
        }
    }

    #[test]
    fn same_line_and_line_above() {
        let text = "a = eval(x)  # codomyrmex-ignore: py.eval\n# codomyrmex-ignore: py.exec, py.other\nexec(y)\nexec(z)\n";
        let s = Suppressions::scan(&Source::Str(text));
        assert!(s.is_suppressed(&Source::Str(text), &finding(text, "eval(x)", "py.eval")));
        assert!(!s.is_suppressed(
            &Source::Str(text),
            &finding(text, "eval(x)", "py.other-rule")
        ));
        assert!(s.is_suppressed(&Source::Str(text), &finding(text, "exec(y)", "py.exec")));
        assert!(!s.is_suppressed(&Source::Str(text), &finding(text, "exec(z)", "py.exec")));
    }

    #[test]
    fn bare_marker_silences_everything_on_its_line() {
        let text = "debugger; // codomyrmex-ignore\ndebugger;\n";
        let s = Suppressions::scan(&Source::Str(text));
        assert!(s.suppresses(0, "anything"));
        let second = text.rfind("debugger").unwrap_or(0);
        // A trailing comment covers only its own line; a comment on a line of its own also the next.
        assert!(!s.suppresses(second, "anything"));
        let own = "// codomyrmex-ignore\ndebugger;\n";
        assert!(
            Suppressions::scan(&Source::Str(own))
                .suppresses(own.rfind("debugger").unwrap_or(0), "x")
        );
        let text2 = "x = 1\ncodomyrmex-ignore\n";
        assert!(
            Suppressions::scan(&Source::Str(text2)).is_empty(),
            "marker outside a comment"
        );
    }

    #[test]
    fn suppression_edit_inserts_or_extends() {
        let text = "def f():\n    eval(x)\n";
        let (range, insert) =
            suppression_edit(&Source::Str(text), Some(Lang::Python), 1, "py.eval")
                .unwrap_or_default();
        assert_eq!(range, 9..9);
        assert_eq!(insert, "    # codomyrmex-ignore: py.eval\n");
        let text = "    // codomyrmex-ignore: a\n    x();\n";
        let (range, insert) = suppression_edit(&Source::Str(text), Some(Lang::JavaScript), 1, "b")
            .unwrap_or_default();
        assert_eq!(&text[..range.start], "    // codomyrmex-ignore: a");
        assert_eq!(insert, ", b");
        assert!(suppression_edit(&Source::Str("{}"), Some(Lang::Json), 0, "x").is_none());
    }

    #[test]
    fn crlf_and_cr_lines() {
        let starts = line_starts(&Source::Str("a\r\nb\rc\nd"));
        assert_eq!(starts, vec![0, 3, 5, 7]);
    }
}
