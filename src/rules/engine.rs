//! Compiling rules into one query per language and matching them against syntax trees.
//!
//! All of a language's patterns are compiled into a single [`Query`], so one cursor pass over the
//! tree dispatches only the patterns whose root node kind matches (tree-sitter indexes patterns by
//! their first step). A capture named like a rule id marks what that rule reports. Matches then go
//! through the rule's checks, severity overrides and message templates.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

use crate::rules::checks::{self, CheckCtx, FileFacts, Verdict};
use crate::rules::load::{LoadError, RuleSource, line_of_rule, parse_rule_file, read_source};
use crate::rules::{Finding, FixEdit, Rule, RuleEngineKind, RuleMeta, Severity, SeverityOverrides};
use crate::syntax::{self, Lang};
use crate::text::Source;

/// Matches beyond this per query pass are dropped (protects against pathological patterns).
const MATCH_LIMIT: u32 = 4096;

struct LangQuery {
    query: Query,
    /// For each capture index, the rule it reports (if it is named after a rule).
    capture_rule: Vec<Option<usize>>,
    /// Some pattern may match the tree's root node; changed-range checking must then re-check all.
    has_root_patterns: bool,
}

/// The compiled rules of all layers.
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
    by_id: HashMap<String, usize>,
    langs: HashMap<Lang, LangQuery>,
    secrets_rules: Vec<usize>,
    overrides: SeverityOverrides,
    errors: Vec<LoadError>,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet").field("rules", &self.rules.len()).field("errors", &self.errors).finish()
    }
}

const RULE_ID_CHARS: &str = "abcdefghijklmnopqrstuvwxyz0123456789.-_";

impl RuleSet {
    /// Loads and compiles every source, later sources overriding rules with the same id.
    pub fn load(sources: &[RuleSource], overrides: SeverityOverrides) -> RuleSet {
        let mut errors = Vec::new();
        let mut metas: Vec<(RuleMeta, String, usize)> = Vec::new();
        let mut query_files = Vec::new();
        for source in sources {
            let raw = read_source(source);
            errors.extend(raw.errors);
            for file in &raw.rule_files {
                match parse_rule_file(file) {
                    Ok(list) => {
                        for meta in list {
                            let line = line_of_rule(&file.text, &meta.id);
                            metas.push((meta, file.path.clone(), line));
                        }
                    }
                    Err(err) => errors.push(err),
                }
            }
            query_files.extend(raw.query_files);
        }

        // Validate metadata; later definitions of an id replace earlier ones.
        let mut rules: Vec<Arc<Rule>> = Vec::new();
        let mut by_id: HashMap<String, usize> = HashMap::new();
        for (meta, file, line) in metas {
            let mut langs = Vec::new();
            let mut problem = None;
            if meta.id.is_empty() || !meta.id.chars().all(|c| RULE_ID_CHARS.contains(c)) {
                problem = Some(format!("rule id `{}` must be non-empty and use only [a-z0-9._-]", meta.id));
            }
            for name in &meta.languages {
                match Lang::from_name(name) {
                    Some(lang) => langs.push(lang),
                    None => problem = Some(format!("rule `{}`: unknown language `{name}`", meta.id)),
                }
            }
            if langs.is_empty() && problem.is_none() {
                problem = Some(format!("rule `{}` lists no language", meta.id));
            }
            for check in &meta.checks {
                if !checks::is_known(&check.name) {
                    problem = Some(format!(
                        "rule `{}`: unknown check `{}` (known: {})",
                        meta.id,
                        check.name,
                        checks::KNOWN.join(", ")
                    ));
                }
            }
            if let Some(reason) = problem {
                errors.push(LoadError { file, line, reason });
                continue;
            }
            let rule = Arc::new(Rule { meta, langs, origin: format!("{file}:{line}") });
            match by_id.get(rule.id()) {
                Some(&idx) => rules[idx] = rule,
                None => {
                    by_id.insert(rule.id().to_string(), rules.len());
                    rules.push(rule);
                }
            }
        }

        let secrets_rules =
            rules.iter().enumerate().filter(|(_, r)| r.meta.engine == RuleEngineKind::Secrets).map(|(i, _)| i).collect();

        // Compile one query per language.
        let mut langs = HashMap::new();
        let mut seen_errors = BTreeSet::new();
        for lang in Lang::ALL {
            let mut parts: Vec<String> = Vec::new();
            for qf in &query_files {
                if !lang.query_dirs().contains(&qf.lang_dir.as_str()) {
                    continue;
                }
                if Query::new(lang.grammar(), &qf.file.text).is_ok() {
                    parts.push(qf.file.text.clone());
                    continue;
                }
                // Salvage pattern by pattern. A file inherited from another language (JavaScript
                // queries for TypeScript, C for C++) may use nodes this grammar lacks (JSX): those
                // patterns simply do not apply. In the file's own language each is an error.
                let own = qf.lang_dir == lang.name();
                for (line, pattern) in split_patterns(&qf.file.text) {
                    match Query::new(lang.grammar(), pattern) {
                        Ok(_) => parts.push(pattern.to_string()),
                        Err(err) if own => {
                            let reason = format!("invalid query: {} ({:?})", err.message.trim(), err.kind);
                            let key = (qf.file.path.clone(), line + err.row, reason.clone());
                            if seen_errors.insert(key) {
                                errors.push(LoadError { file: qf.file.path.clone(), line: line + err.row + 1, reason });
                            }
                        }
                        Err(err) => tracing::debug!(
                            "{}: pattern at line {} does not apply to {}: {}",
                            qf.file.path,
                            line + 1,
                            lang.name(),
                            err.message.trim()
                        ),
                    }
                }
            }
            for rule in &rules {
                let Some(q) = &rule.meta.query else { continue };
                if !rule.langs.iter().any(|l| lang.accepts_rules_for(*l)) {
                    continue;
                }
                match Query::new(lang.grammar(), q) {
                    Ok(_) => parts.push(q.clone()),
                    Err(err) => {
                        let (file, line) = split_origin(&rule.origin);
                        let key = (file.clone(), err.row, rule.id().to_string());
                        if seen_errors.insert(key) {
                            errors.push(LoadError {
                                file,
                                line: line + 1 + err.row,
                                reason: format!(
                                    "rule `{}`: invalid inline query for {}: {}",
                                    rule.id(),
                                    lang.name(),
                                    err.message.trim()
                                ),
                            });
                        }
                    }
                }
            }
            if parts.is_empty() {
                continue;
            }
            let combined = parts.join("\n");
            let query = match Query::new(lang.grammar(), &combined) {
                Ok(q) => q,
                Err(err) => {
                    errors.push(LoadError {
                        file: format!("queries/{}", lang.name()),
                        line: err.row + 1,
                        reason: format!("combined query failed to compile: {}", err.message.trim()),
                    });
                    continue;
                }
            };
            let capture_rule: Vec<Option<usize>> = query
                .capture_names()
                .iter()
                .map(|name| {
                    by_id.get(*name).copied().filter(|&i| rules[i].langs.iter().any(|l| lang.accepts_rules_for(*l)))
                })
                .collect();
            if capture_rule.iter().all(Option::is_none) {
                continue;
            }
            let root_kind = syntax::parse(lang, &Source::Str(""), None)
                .map(|t| t.root_node().kind().to_string())
                .unwrap_or_default();
            let has_root_patterns = !root_kind.is_empty() && combined.contains(&format!("({root_kind}"));
            langs.insert(lang, LangQuery { query, capture_rule, has_root_patterns });
        }

        RuleSet { rules, by_id, langs, secrets_rules, overrides, errors }
    }

    /// Only the rules shipped in the binary.
    pub fn builtin() -> RuleSet {
        RuleSet::load(&[RuleSource::Embedded], SeverityOverrides::new())
    }

    /// Problems met while loading (broken files and rules were skipped).
    pub fn errors(&self) -> &[LoadError] {
        &self.errors
    }

    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter().map(|r| r.as_ref())
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.by_id.get(id).map(|&i| self.rules[i].as_ref())
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Whether any query rule applies to `lang`.
    pub fn has_query_rules(&self, lang: Lang) -> bool {
        self.langs.contains_key(&lang)
    }

    /// Whether changed-range checking is unsafe for this language (a pattern can match the root).
    pub fn needs_full_check(&self, lang: Lang) -> bool {
        self.langs.get(&lang).is_some_and(|q| q.has_root_patterns)
    }

    fn effective_severity(&self, rule: &Rule) -> Option<Severity> {
        match self.overrides.get(rule.id()) {
            Some(over) => *over,
            None => Some(rule.meta.severity),
        }
    }

    /// Runs the query rules over `tree` (whole tree, or only `ranges` when given).
    /// Findings are not yet filtered by suppression comments.
    pub fn check_tree(&self, lang: Lang, source: Source<'_>, tree: &Tree, ranges: Option<&[Range<usize>]>) -> Vec<Finding> {
        let Some(lq) = self.langs.get(&lang) else { return Vec::new() };
        let facts = FileFacts::new();
        let mut out = Vec::new();
        let full = [0..usize::MAX];
        let ranges = ranges.unwrap_or(&full);
        let names = lq.query.capture_names();
        for range in ranges {
            let mut cursor = QueryCursor::new();
            cursor.set_match_limit(MATCH_LIMIT);
            cursor.set_byte_range(range.clone());
            let mut matches = cursor.matches(&lq.query, tree.root_node(), source);
            while let Some(m) = matches.next() {
                let captures: Vec<(&str, Node<'_>)> =
                    m.captures.iter().map(|c| (names[c.index as usize], c.node)).collect();
                for cap in m.captures {
                    let Some(rule_idx) = lq.capture_rule[cap.index as usize] else { continue };
                    let rule = &self.rules[rule_idx];
                    if let Some(finding) = self.make_finding(rule, lang, source, tree, &facts, &captures, cap.node) {
                        out.push(finding);
                    }
                }
            }
        }
        out.sort_by(|a, b| (a.range.start, a.range.end, &a.rule_id).cmp(&(b.range.start, b.range.end, &b.rule_id)));
        out.dedup_by(|a, b| a.range == b.range && a.rule_id == b.rule_id);
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn make_finding(
        &self,
        rule: &Rule,
        lang: Lang,
        source: Source<'_>,
        tree: &Tree,
        facts: &FileFacts,
        captures: &[(&str, Node<'_>)],
        node: Node<'_>,
    ) -> Option<Finding> {
        let severity = self.effective_severity(rule)?;
        let mut confidence = rule.meta.confidence;
        if !rule.meta.checks.is_empty() {
            let ctx = CheckCtx { lang, source, tree, facts, captures };
            for check in &rule.meta.checks {
                match checks::run(&check.name, &check.args, check.capture.as_deref(), &ctx) {
                    Verdict::Keep => {}
                    Verdict::KeepWith(c) => confidence = Some(c),
                    Verdict::Drop => return None,
                }
            }
        }
        let capture_text = |name: &str| -> Option<String> {
            captures.iter().find(|(n, _)| *n == name).map(|(_, n)| source.slice(n.byte_range()).into_owned())
        };
        let message = render_template(&rule.meta.message, |name| {
            capture_text(name).map(|t| shorten(&t, 60))
        });
        let fix = rule.meta.fix.as_ref().and_then(|fix| {
            let target = match &fix.target {
                Some(name) => captures.iter().find(|(n, _)| n == name).map(|(_, n)| *n)?,
                None => node,
            };
            Some(FixEdit {
                title: fix.title.clone(),
                range: target.byte_range(),
                replacement: render_template(&fix.replace, capture_text),
            })
        });
        Some(Finding {
            rule_id: Arc::from(rule.id()),
            range: node.byte_range(),
            severity,
            message,
            confidence,
            fix,
        })
    }

    /// Runs the secrets rules over any text.
    pub fn check_secrets(&self, text: &str) -> Vec<Finding> {
        if self.secrets_rules.is_empty() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for m in crate::security::secrets::scan(text) {
            let Some(&idx) = self.by_id.get(m.rule_id.as_str()) else { continue };
            let rule = &self.rules[idx];
            if rule.meta.engine != RuleEngineKind::Secrets {
                continue;
            }
            let Some(severity) = self.effective_severity(rule) else { continue };
            let message = render_template(&rule.meta.message, |name| match name {
                "masked" => Some(m.masked.clone()),
                "kind" => Some(m.kind.to_string()),
                _ => None,
            });
            out.push(Finding {
                rule_id: Arc::from(rule.id()),
                range: m.range.clone(),
                severity,
                message,
                confidence: Some(m.confidence),
                fix: None,
            });
        }
        out
    }

    /// Parses and checks one file's text: query rules (when the language is known) and secrets,
    /// with suppression comments applied. Used by the CLI and the rule tests.
    pub fn check_text(&self, lang: Option<Lang>, text: &str) -> Vec<Finding> {
        let mut findings = Vec::new();
        if let Some(lang) = lang
            && self.has_query_rules(lang)
            && let Ok(tree) = syntax::parse(lang, &Source::Str(text), None)
        {
            findings = self.check_tree(lang, Source::Str(text), &tree, None);
        }
        findings.extend(self.check_secrets(text));
        let suppressions = crate::rules::suppress::Suppressions::scan(&Source::Str(text));
        findings.retain(|f| !suppressions.is_suppressed(&Source::Str(text), f));
        findings.sort_by(|a, b| (a.range.start, &a.rule_id).cmp(&(b.range.start, &b.rule_id)));
        findings
    }

    /// The rule sources for a workspace: built-in, the user config dir, then the workspace.
    pub fn sources_for(workspace: Option<&Path>) -> Vec<RuleSource> {
        let mut sources = vec![RuleSource::Embedded];
        if let Some(dir) = crate::config::paths::user_config_dir() {
            sources.push(RuleSource::Dir { root: dir, label: "user".into() });
        }
        if let Some(ws) = workspace {
            sources.push(RuleSource::Dir {
                root: crate::config::paths::workspace_config_dir(ws),
                label: "workspace".into(),
            });
        }
        sources
    }
}

/// Splits query source into its top-level patterns, with each pattern's zero-based first line.
/// Comments (`;`) and strings are respected; captures and quantifiers after a closing parenthesis
/// stay with their pattern.
pub fn split_patterns(src: &str) -> Vec<(usize, &str)> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut start: Option<usize> = None;
    let mut i = 0;
    let mut line = 0;
    let mut start_line = 0;
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => line += 1,
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    if bytes[i] == b'\\' {
                        i += 1;
                    }
                    if i < bytes.len() && bytes[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'(' | b'[' => {
                if depth == 0 {
                    if let Some(s) = start.take() {
                        out.push((start_line, src[s..i].trim_end()));
                    }
                    start = Some(i);
                    start_line = line;
                }
                depth += 1;
            }
            b')' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    if let Some(s) = start {
        out.push((start_line, src[s..].trim_end()));
    }
    out
}

fn split_origin(origin: &str) -> (String, usize) {
    match origin.rsplit_once(':') {
        Some((file, line)) => (file.to_string(), line.parse().unwrap_or(0)),
        None => (origin.to_string(), 0),
    }
}

/// Replaces `{{name}}` with `lookup(name)` (unknown names are left as they are).
pub fn render_template(template: &str, lookup: impl Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) => {
                let name = after[..end].trim();
                match lookup(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

fn shorten(text: &str, max_chars: usize) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= max_chars {
        one_line
    } else {
        let cut: String = one_line.chars().take(max_chars).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests;
