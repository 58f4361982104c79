//! Rule tests: annotated sample files (`ruleid: <id>` / `ok: <id>` in a comment on the line before
//! the expected line, the semgrep convention). For every rule annotated in a file, the lines where
//! it fires must be exactly its `ruleid` lines, and never an `ok` line.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use crate::rules::RuleSet;
use crate::rules::suppress::{line_of, line_starts};
use crate::syntax::Lang;
use crate::text::Source;

/// One failed expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    pub what: String,
}

/// Results per rule id.
#[derive(Debug, Default)]
pub struct Report {
    pub cases: BTreeMap<String, usize>,
    pub failures: BTreeMap<String, Vec<Failure>>,
    /// Annotations naming rules that do not exist.
    pub unknown: Vec<Failure>,
    pub files: usize,
}

impl Report {
    pub fn passed_rules(&self) -> impl Iterator<Item = (&String, &usize)> {
        self.cases
            .iter()
            .filter(|(id, _)| !self.failures.contains_key(*id))
    }

    /// Rules of the set that no sample mentions.
    pub fn untested<'a>(&'a self, rules: &'a RuleSet) -> Vec<&'a str> {
        rules
            .rules()
            .map(|r| r.id())
            .filter(|id| !self.cases.contains_key(*id))
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    RuleId,
    Ok,
}

struct Annotation {
    kind: Kind,
    ids: Vec<String>,
    /// Zero-based line the annotation is about.
    target: usize,
}

/// Finds annotations in a sample's text.
fn annotations(text: &str) -> Vec<Annotation> {
    let lines: Vec<&str> = text.split('\n').collect();
    let is_annotation_only = |l: &str| {
        let t = l.trim_start();
        (t.starts_with('#')
            || t.starts_with("//")
            || t.starts_with("/*")
            || t.starts_with("--")
            || t.starts_with("<!--"))
            && (t.contains("ruleid:") || t.contains("ok:"))
    };
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        for (marker, kind) in [("ruleid:", Kind::RuleId), ("ok:", Kind::Ok)] {
            let Some(pos) = find_marker(line, marker) else {
                continue;
            };
            let before = &line[..pos];
            if !["#", "//", "/*", "--", "<!--"]
                .iter()
                .any(|l| before.contains(l))
            {
                continue;
            }
            let rest = &line[pos + marker.len()..];
            let ids: Vec<String> = rest
                .split([',', ' ', '\t'])
                .map(|s| {
                    s.trim()
                        .trim_end_matches("*/")
                        .trim_end_matches("-->")
                        .trim()
                })
                .filter(|s| !s.is_empty())
                .take_while(|s| {
                    s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                })
                .map(str::to_string)
                .collect();
            if ids.is_empty() {
                continue;
            }
            // The expected line is the next line that is not itself an annotation.
            let mut target = i + 1;
            while target < lines.len() && is_annotation_only(lines[target]) {
                target += 1;
            }
            out.push(Annotation { kind, ids, target });
        }
    }
    out
}

/// Finds `marker` at a word boundary (so `ok:` does not match inside `token:`).
fn find_marker(line: &str, marker: &str) -> Option<usize> {
    let mut from = 0;
    while let Some(found) = line[from..].find(marker) {
        let at = from + found;
        let boundary = at == 0 || !line.as_bytes()[at - 1].is_ascii_alphanumeric();
        if boundary {
            return Some(at);
        }
        from = at + marker.len();
    }
    None
}

/// Runs every sample file under `dirs` against `rules`.
pub fn run(rules: &RuleSet, dirs: &[PathBuf]) -> std::io::Result<Report> {
    let mut report = Report::default();
    let mut files = Vec::new();
    for dir in dirs {
        if dir.is_file() {
            files.push(dir.clone());
        } else if dir.is_dir() {
            collect(dir, &mut files)?;
        } else {
            return Err(std::io::Error::new(
                std::io::ErrorKind::NotFound,
                format!("{}: no such file or directory", dir.display()),
            ));
        }
    }
    files.sort();
    for file in files {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let anns = annotations(&text);
        if anns.is_empty() {
            continue;
        }
        report.files += 1;
        check_file(rules, &file, &text, &anns, &mut report);
    }
    Ok(report)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

fn check_file(rules: &RuleSet, file: &Path, text: &str, anns: &[Annotation], report: &mut Report) {
    let lang = Lang::from_path(file);
    let findings = rules.check_text(lang, text);
    let starts = line_starts(&Source::Str(text));
    let mut fired: BTreeMap<&str, BTreeSet<usize>> = BTreeMap::new();
    for f in &findings {
        fired
            .entry(&f.rule_id)
            .or_default()
            .insert(line_of(&starts, f.range.start));
    }
    let mut expected: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    let mut ok_lines: BTreeMap<String, BTreeSet<usize>> = BTreeMap::new();
    for ann in anns {
        for id in &ann.ids {
            if rules.rule(id).is_none() {
                report.unknown.push(Failure {
                    file: file.to_path_buf(),
                    line: ann.target,
                    what: format!("annotation names unknown rule `{id}`"),
                });
                continue;
            }
            *report.cases.entry(id.clone()).or_default() += 1;
            match ann.kind {
                Kind::RuleId => expected.entry(id.clone()).or_default().insert(ann.target),
                Kind::Ok => ok_lines.entry(id.clone()).or_default().insert(ann.target),
            };
        }
    }
    let annotated: BTreeSet<&String> = expected.keys().chain(ok_lines.keys()).collect();
    let empty = BTreeSet::new();
    for id in annotated {
        let got = fired.get(id.as_str()).unwrap_or(&empty);
        let want = expected.get(id).unwrap_or(&empty);
        let oks = ok_lines.get(id).unwrap_or(&empty);
        let mut fail = |line: usize, what: String| {
            report
                .failures
                .entry(id.clone())
                .or_default()
                .push(Failure {
                    file: file.to_path_buf(),
                    line: line + 1,
                    what,
                });
        };
        for line in want.difference(got) {
            fail(
                *line,
                "expected a finding here (ruleid), got none".to_string(),
            );
        }
        for line in got.difference(want) {
            if oks.contains(line) {
                fail(*line, "finding on an `ok` line".to_string());
            } else {
                fail(
                    *line,
                    "unexpected finding (line is not annotated `ruleid`)".to_string(),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_target_the_next_code_line() {
        let text = "x = 1\n# ruleid: a.b, c\n# ok: d\nfoo()\n// ok: e\nbar()\n";
        let anns = annotations(text);
        assert_eq!(anns.len(), 3);
        assert_eq!(anns[0].ids, vec!["a.b".to_string(), "c".to_string()]);
        assert_eq!(anns[0].target, 3);
        assert_eq!(anns[1].kind, Kind::Ok);
        assert_eq!(anns[1].target, 3);
        assert_eq!(anns[2].target, 5);
        assert!(annotations("token: abc # not an annotation\n").is_empty());
    }
}
