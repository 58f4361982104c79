//! Compiling rules into one query per language and matching them against syntax trees.
//!
//! All of a language's patterns are compiled into a single [`Query`], so one cursor pass over the
//! tree dispatches only the patterns whose root node kind matches (tree-sitter indexes patterns by
//! their first step). A capture named like a rule id marks what that rule reports. Matches then go
//! through the rule's checks, severity overrides and message templates.
//!
//! A literal prefilter ([`crate::rules::prefilter`]) sits in front of the matching: patterns that
//! can never report (every rule they report is switched off) are disabled in the compiled query,
//! and per file one Aho-Corasick pass over the text decides which patterns and rule captures can
//! match at all (the strings of `#eq?`/`#any-of?`, literal cores of `#match?` regexes and the
//! names of `resolves-to` checks); matches of the others are dropped before any predicate text is
//! read or any check runs. Full and changed-range checks apply the same prefilter over the whole
//! text, so they agree.

use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::prelude::*;
use tree_sitter::{Node, Query, QueryCursor, StreamingIterator, Tree};

use crate::rules::checks::{self, CheckCtx, FileFacts, Verdict};
use crate::rules::load::{LoadError, RuleSource, line_of_rule, parse_rule_file, read_source};
use crate::rules::partial::{self, Selection};
use crate::rules::prefilter::{self, Literals, PatternPlan, Prefilter, Requirement};
use crate::rules::{Finding, FixEdit, Rule, RuleEngineKind, RuleMeta, Severity, SeverityOverrides};
use crate::syntax::{self, Lang};
use crate::text::Source;

/// Decides whether a match (pattern index, captures) is kept.
type KeepMatch<'k> = dyn Fn(usize, &[tree_sitter::QueryCapture<'_>]) -> bool + 'k;

/// Matches beyond this per query pass are dropped (protects against pathological patterns).
const MATCH_LIMIT: u32 = 4096;

struct LangQuery {
    query: Query,
    /// For each capture index, the rule it reports (if it is named after a rule).
    capture_rule: Vec<Option<usize>>,
    /// Some pattern may match the tree's root node; changed-range checking must then re-check all.
    has_root_patterns: bool,
    /// The node kinds a pattern can be rooted at; `None` when some pattern can be rooted at any
    /// kind (a wildcard, an alternation, or a sequence of siblings).
    heads: Option<std::collections::HashSet<String>>,
    /// Which patterns can report in a given file.
    prefilter: Prefilter,
    /// The compiled query's source (pattern texts for the partial plan).
    text: String,
    /// Which statements of a file to parse for the CLI (`None`: the whole file); built on the
    /// first CLI check, so the language server never pays for it.
    partial: OnceLock<Option<partial::Plan>>,
}

/// One piece of query source for a language: a `.scm` file or a rule's inline query.
struct QueryPart {
    file: String,
    /// Zero-based line of the text's start within `file`.
    line: usize,
    text: String,
    /// Whether the text was written for this language (errors are reported) or inherited.
    own: bool,
    /// The rule of an inline query.
    rule: Option<String>,
}

/// Problems met so far, and the keys already reported (each is reported once).
type ErrorLog = (Vec<LoadError>, BTreeSet<(String, usize, String)>);

/// The rules of all layers. Queries compile lazily, once per language, on first use (tree-sitter's
/// query analysis costs 0.1–1 s per language, so a run that sees only Python files never pays for
/// Ruby); [`RuleSet::compile_all`] compiles everything, for reports of broken rule files.
pub struct RuleSet {
    rules: Vec<Arc<Rule>>,
    by_id: HashMap<String, usize>,
    sources: HashMap<Lang, Vec<QueryPart>>,
    compiled: HashMap<Lang, OnceLock<Option<LangQuery>>>,
    secrets_rules: Vec<usize>,
    overrides: SeverityOverrides,
    errors: Mutex<ErrorLog>,
    /// Each rule's severity after overrides (`None`: switched off), by rule index.
    severities: Vec<Option<Severity>>,
    /// Whether the literal prefilter is used (`CODOMYRMEX_NO_PREFILTER=1` switches it off, to
    /// measure it or to rule it out when a finding seems to be missing).
    use_prefilter: bool,
    /// Whether the CLI parses only the statements that can hold a finding, where the language
    /// supports it (`CODOMYRMEX_NO_PARTIAL=1` switches it off).
    use_partial: bool,
}

impl std::fmt::Debug for RuleSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RuleSet")
            .field("rules", &self.rules.len())
            .finish()
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
                problem = Some(format!(
                    "rule id `{}` must be non-empty and use only [a-z0-9._-]",
                    meta.id
                ));
            }
            for name in &meta.languages {
                match Lang::from_name(name) {
                    Some(lang) => langs.push(lang),
                    None => {
                        problem = Some(format!("rule `{}`: unknown language `{name}`", meta.id))
                    }
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
            let rule = Arc::new(Rule {
                meta,
                langs,
                origin: format!("{file}:{line}"),
            });
            match by_id.get(rule.id()) {
                Some(&idx) => rules[idx] = rule,
                None => {
                    by_id.insert(rule.id().to_string(), rules.len());
                    rules.push(rule);
                }
            }
        }

        let secrets_rules = rules
            .iter()
            .enumerate()
            .filter(|(_, r)| r.meta.engine == RuleEngineKind::Secrets)
            .map(|(i, _)| i)
            .collect();

        // Gather query sources per language; compilation happens on first use.
        let mut sources: HashMap<Lang, Vec<QueryPart>> = HashMap::new();
        for lang in Lang::ALL {
            let mut parts = Vec::new();
            for qf in &query_files {
                if lang.query_dirs().contains(&qf.lang_dir.as_str()) {
                    parts.push(QueryPart {
                        file: qf.file.path.clone(),
                        line: 0,
                        text: qf.file.text.clone(),
                        own: qf.lang_dir == lang.name(),
                        rule: None,
                    });
                }
            }
            for rule in &rules {
                let Some(q) = &rule.meta.query else { continue };
                if rule.langs.iter().any(|l| lang.accepts_rules_for(*l)) {
                    let (file, line) = split_origin(&rule.origin);
                    parts.push(QueryPart {
                        file,
                        line,
                        text: q.clone(),
                        own: rule.langs.contains(&lang),
                        rule: Some(rule.id().to_string()),
                    });
                }
            }
            if !parts.is_empty() {
                sources.insert(lang, parts);
            }
        }
        warn_overloaded_captures(&sources);
        let compiled = sources.keys().map(|l| (*l, OnceLock::new())).collect();
        let use_prefilter =
            std::env::var_os("CODOMYRMEX_NO_PREFILTER").is_none_or(|v| v.is_empty() || v == "0");
        let use_partial = crate::rules::partial::enabled();
        let severities = rules
            .iter()
            .map(|r| match overrides.get(r.id()) {
                Some(over) => *over,
                None => Some(r.meta.severity),
            })
            .collect();
        RuleSet {
            severities,
            rules,
            by_id,
            sources,
            compiled,
            secrets_rules,
            overrides,
            errors: Mutex::new((errors, BTreeSet::new())),
            use_prefilter,
            use_partial,
        }
    }

    /// Switches the literal prefilter off (before any language is compiled).
    #[cfg(test)]
    pub(crate) fn without_prefilter(mut self) -> RuleSet {
        self.use_prefilter = false;
        self.compiled = self.sources.keys().map(|l| (*l, OnceLock::new())).collect();
        self
    }

    /// Switches partial checks off (for comparisons in tests).
    #[cfg(test)]
    pub(crate) fn without_partial(mut self) -> RuleSet {
        self.use_partial = false;
        self
    }

    /// Whether `check_text` would parse only part of `text` (for tests).
    #[cfg(test)]
    pub(crate) fn excerpt_ranges(&self, lang: Lang, text: &str) -> Option<Vec<Range<usize>>> {
        match self.partial_plan(lang)?.select(text) {
            Selection::Nothing => Some(Vec::new()),
            Selection::Whole => None,
            Selection::Excerpt(e) => {
                Some(e.ranges.iter().map(|r| r.start_byte..r.end_byte).collect())
            }
        }
    }

    /// Only the rules shipped in the binary.
    pub fn builtin() -> RuleSet {
        RuleSet::load(&[RuleSource::Embedded], SeverityOverrides::new())
    }

    /// Problems met so far (broken files and rules were skipped). Query problems of a language
    /// appear once it has been compiled; call [`RuleSet::compile_all`] first for a full report.
    pub fn errors(&self) -> Vec<LoadError> {
        match self.errors.lock() {
            Ok(g) => g.0.clone(),
            Err(p) => p.into_inner().0.clone(),
        }
    }

    fn report(&self, err: LoadError) {
        let mut guard = match self.errors.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let key = (err.file.clone(), err.line, err.reason.clone());
        if guard.1.insert(key) {
            guard.0.push(err);
        }
    }

    /// Compiles every language's queries now (in parallel).
    pub fn compile_all(&self) {
        let langs: Vec<Lang> = self.compiled.keys().copied().collect();
        langs.par_iter().for_each(|lang| {
            self.lang_query(*lang);
        });
    }

    fn lang_query(&self, lang: Lang) -> Option<&LangQuery> {
        self.compiled
            .get(&lang)?
            .get_or_init(|| self.compile(lang))
            .as_ref()
    }

    fn compile(&self, lang: Lang) -> Option<LangQuery> {
        let started = std::time::Instant::now();
        let parts = self.sources.get(&lang)?;
        let all: Vec<&str> = parts.iter().map(|p| p.text.as_str()).collect();
        let combined = all.join("\n");
        let mut compiled_text = combined.clone();
        let mut query = match Query::new(lang.grammar(), &combined) {
            Ok(q) => q,
            Err(_) => {
                // Find the culprits part by part, then pattern by pattern. A file inherited from
                // another language (JavaScript queries for TypeScript, C for C++) may use nodes
                // this grammar lacks (JSX): those patterns simply do not apply. In the part's own
                // language each broken pattern is an error; the rest still work.
                let mut good: Vec<&str> = Vec::new();
                for part in parts {
                    if Query::new(lang.grammar(), &part.text).is_ok() {
                        good.push(&part.text);
                        continue;
                    }
                    for (line, pattern) in split_patterns(&part.text) {
                        match Query::new(lang.grammar(), pattern) {
                            Ok(_) => good.push(pattern),
                            Err(err) if part.own => {
                                let what = match &part.rule {
                                    Some(id) => format!("rule `{id}`: invalid inline query"),
                                    None => "invalid query".to_string(),
                                };
                                self.report(LoadError {
                                    file: part.file.clone(),
                                    line: part.line + line + err.row + 1,
                                    reason: format!(
                                        "{what}: {} ({:?})",
                                        err.message.trim(),
                                        err.kind
                                    ),
                                });
                            }
                            Err(err) => tracing::debug!(
                                "{}: pattern at line {} does not apply to {}: {}",
                                part.file,
                                part.line + line + 1,
                                lang.name(),
                                err.message.trim()
                            ),
                        }
                    }
                }
                if good.is_empty() {
                    return None;
                }
                compiled_text = good.join("\n");
                match Query::new(lang.grammar(), &compiled_text) {
                    Ok(q) => q,
                    Err(err) => {
                        self.report(LoadError {
                            file: format!("queries/{}", lang.name()),
                            line: err.row + 1,
                            reason: format!(
                                "combined query failed to compile: {}",
                                err.message.trim()
                            ),
                        });
                        return None;
                    }
                }
            }
        };
        let capture_rule: Vec<Option<usize>> = query
            .capture_names()
            .iter()
            .map(|name| {
                self.by_id.get(*name).copied().filter(|&i| {
                    self.rules[i]
                        .langs
                        .iter()
                        .any(|l| lang.accepts_rules_for(*l))
                })
            })
            .collect();
        if capture_rule.iter().all(Option::is_none) {
            return None;
        }
        let root_kind = syntax::parse(lang, &Source::Str(""), None)
            .map(|t| t.root_node().kind().to_string())
            .unwrap_or_default();
        let has_root_patterns = !root_kind.is_empty()
            && split_patterns(&combined).iter().any(|(_, pattern)| {
                // A pattern rooted at the tree's root node: `(module …)` or `((module …) …)`.
                let head =
                    pattern.trim_start_matches(|c: char| c == '(' || c == '[' || c.is_whitespace());
                head.starts_with(root_kind.as_str())
                    && !head[root_kind.len()..]
                        .starts_with(|c: char| c.is_alphanumeric() || c == '_')
            });
        let heads = pattern_heads(&query, &compiled_text);
        let prefilter = if self.use_prefilter {
            self.build_prefilter(&mut query, &compiled_text, &capture_rule)
        } else {
            Prefilter::new(Literals::default(), Vec::new())
        };
        tracing::debug!(
            "compiled {} rule patterns for {} in {:?} ({} prefilter literals; rooted at {})",
            query.pattern_count(),
            lang.name(),
            started.elapsed(),
            prefilter.literal_count(),
            heads.as_ref().map_or("any kind".to_string(), |h| {
                let mut h: Vec<&str> = h.iter().map(String::as_str).collect();
                h.sort_unstable();
                h.join(" ")
            })
        );
        Some(LangQuery {
            query,
            capture_rule,
            has_root_patterns,
            heads,
            prefilter,
            text: compiled_text,
            partial: OnceLock::new(),
        })
    }

    /// Extracts each pattern's literal requirements and disables the patterns that can never
    /// report (no rule capture of this language, or every rule switched off).
    fn build_prefilter(
        &self,
        query: &mut Query,
        text: &str,
        capture_rule: &[Option<usize>],
    ) -> Prefilter {
        let names: Vec<&str> = query.capture_names().to_vec();
        let mut literals = Literals::default();
        let mut plans = Vec::with_capacity(query.pattern_count());
        for p in 0..query.pattern_count() {
            let quants = query.capture_quantifiers(p);
            let src = text
                .get(query.start_byte_for_pattern(p)..query.end_byte_for_pattern(p))
                .unwrap_or("");
            let clauses = prefilter::pattern_requirement(src, &names, quants, &mut literals);
            let mut rule_caps = Vec::new();
            for (ci, rule) in capture_rule.iter().enumerate() {
                let Some(ri) = *rule else { continue };
                if quants
                    .get(ci)
                    .is_none_or(|q| *q == tree_sitter::CaptureQuantifier::Zero)
                {
                    continue;
                }
                let rule = &self.rules[ri];
                let req = if self.effective_severity(rule).is_none() {
                    Some(vec![Vec::new()])
                } else {
                    rule_requirement(rule, &names, quants, &mut literals)
                };
                rule_caps.push((ci as u32, req));
            }
            let impossible = |r: &Requirement| r.iter().any(|c| c.is_empty());
            let never = impossible(&clauses)
                || rule_caps
                    .iter()
                    .all(|(_, r)| r.as_ref().is_some_and(impossible));
            plans.push(PatternPlan {
                never,
                clauses,
                rule_caps,
            });
        }
        for (p, plan) in plans.iter().enumerate() {
            if plan.never {
                query.disable_pattern(p);
            }
        }
        Prefilter::new(literals, plans)
    }

    /// The partial-check plan of a language (see [`partial`]), built on first use.
    fn partial_plan(&self, lang: Lang) -> Option<&partial::Plan> {
        let lq = self.lang_query(lang)?;
        lq.partial
            .get_or_init(|| self.build_partial_plan(lang, lq))
            .as_ref()
    }

    fn build_partial_plan(&self, lang: Lang, lq: &LangQuery) -> Option<partial::Plan> {
        if !self.use_prefilter || lq.has_root_patterns {
            return None;
        }
        let (query, text, capture_rule, prefilter) =
            (&lq.query, &lq.text, &lq.capture_rule, &lq.prefilter);
        let count = query.pattern_count();
        let sources: Vec<&str> = (0..count)
            .map(|p| {
                text.get(query.start_byte_for_pattern(p)..query.end_byte_for_pattern(p))
                    .unwrap_or("")
            })
            .collect();
        let never: Vec<bool> = (0..count).map(|p| prefilter.never(p)).collect();
        let checked: Vec<bool> = (0..count)
            .map(|p| {
                let quants = query.capture_quantifiers(p);
                capture_rule.iter().enumerate().any(|(ci, rule)| {
                    rule.is_some_and(|ri| {
                        quants
                            .get(ci)
                            .is_some_and(|q| *q != tree_sitter::CaptureQuantifier::Zero)
                            && self.severities[ri].is_some()
                            && !self.rules[ri].meta.checks.is_empty()
                    })
                })
            })
            .collect();
        let plan = partial::Plan::build(lang, query, &sources, &never, &checked);
        tracing::debug!(
            "partial checks for {}: {}",
            lang.name(),
            if plan.is_some() { "on" } else { "off" }
        );
        plan
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

    /// Whether any query may apply to `lang` (without compiling it).
    pub fn has_query_rules(&self, lang: Lang) -> bool {
        self.sources.contains_key(&lang)
    }

    /// Whether changed-range checking is unsafe for this language (a pattern can match the root).
    pub fn needs_full_check(&self, lang: Lang) -> bool {
        self.lang_query(lang).is_some_and(|q| q.has_root_patterns)
    }

    /// Whether some pattern of this language can be rooted at a node of `kind` (a match of it
    /// could then span everything below such a node). True when unsure.
    pub fn may_root_at(&self, lang: Lang, kind: &str) -> bool {
        self.lang_query(lang)
            .is_some_and(|q| q.heads.as_ref().is_none_or(|h| h.contains(kind)))
    }

    fn effective_severity(&self, rule: &Rule) -> Option<Severity> {
        match self.overrides.get(rule.id()) {
            Some(over) => *over,
            None => Some(rule.meta.severity),
        }
    }

    /// Runs the query rules over `tree` (whole tree, or only `ranges` when given).
    /// Findings are not yet filtered by suppression comments.
    pub fn check_tree(
        &self,
        lang: Lang,
        source: Source<'_>,
        tree: &Tree,
        ranges: Option<&[Range<usize>]>,
    ) -> Vec<Finding> {
        self.check_tree_with(lang, source, tree, ranges, None)
    }

    /// [`RuleSet::check_tree`], keeping only the matches `keep(pattern, captures)` accepts (for
    /// an excerpt, whose plan has applied the literal prefilter line by line).
    fn check_tree_with(
        &self,
        lang: Lang,
        source: Source<'_>,
        tree: &Tree,
        ranges: Option<&[Range<usize>]>,
        keep: Option<&KeepMatch<'_>>,
    ) -> Vec<Finding> {
        let Some(lq) = self.lang_query(lang) else {
            return Vec::new();
        };
        // An excerpt's plan has already checked the literals line by line.
        let active =
            (self.use_prefilter && keep.is_none()).then(|| lq.prefilter.scan(&source.full_text()));
        if active.as_ref().is_some_and(|a| a.count() == 0) {
            return Vec::new();
        }
        let facts = FileFacts::new();
        let mut out = Vec::new();
        let full = 0..usize::MAX;
        let ranges = ranges.unwrap_or(std::slice::from_ref(&full));
        let names = lq.query.capture_names();
        for range in ranges {
            let mut cursor = QueryCursor::new();
            cursor.set_match_limit(MATCH_LIMIT);
            cursor.set_byte_range(range.clone());
            let mut matches = cursor.matches(&lq.query, tree.root_node(), source);
            while let Some(m) = matches.next() {
                if active.as_ref().is_some_and(|a| !a.pattern(m.pattern_index)) {
                    continue;
                }
                if keep.is_some_and(|keep| !keep(m.pattern_index, m.captures)) {
                    continue;
                }
                // Built on the first rule capture that is switched on.
                let mut captures: Option<Vec<(&str, Node<'_>)>> = None;
                for cap in m.captures {
                    let Some(rule_idx) = lq.capture_rule[cap.index as usize] else {
                        continue;
                    };
                    let Some(severity) = self.severities[rule_idx] else {
                        continue;
                    };
                    if active
                        .as_ref()
                        .is_some_and(|a| !a.capture(m.pattern_index, cap.index))
                    {
                        continue;
                    }
                    let captures = captures.get_or_insert_with(|| {
                        m.captures
                            .iter()
                            .map(|c| (names[c.index as usize], c.node))
                            .collect()
                    });
                    let rule = &self.rules[rule_idx];
                    let ctx = (lang, source, tree, &facts);
                    if let Some(finding) =
                        self.make_finding(rule, severity, ctx, captures, cap.node)
                    {
                        out.push(finding);
                    }
                }
            }
        }
        out.sort_by(|a, b| {
            (a.range.start, a.range.end, &a.rule_id).cmp(&(b.range.start, b.range.end, &b.rule_id))
        });
        out.dedup_by(|a, b| a.range == b.range && a.rule_id == b.rule_id);
        out
    }

    fn make_finding(
        &self,
        rule: &Rule,
        severity: Severity,
        (lang, source, tree, facts): (Lang, Source<'_>, &Tree, &FileFacts),
        captures: &[(&str, Node<'_>)],
        node: Node<'_>,
    ) -> Option<Finding> {
        let mut confidence = rule.meta.confidence;
        if !rule.meta.checks.is_empty() {
            let ctx = CheckCtx {
                lang,
                source,
                tree,
                facts,
                captures,
            };
            for check in &rule.meta.checks {
                match checks::run(&check.name, &check.args, check.capture.as_deref(), &ctx) {
                    Verdict::Keep => {}
                    Verdict::KeepWith(c) => confidence = Some(c),
                    Verdict::Drop => return None,
                }
            }
        }
        let capture_text = |name: &str| -> Option<String> {
            captures
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, n)| source.slice(n.byte_range()).into_owned())
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
        // Nothing to report when every secrets rule is switched off: skip the scan.
        if self.secrets_rules.is_empty()
            || (self.use_prefilter
                && self
                    .secrets_rules
                    .iter()
                    .all(|&i| self.effective_severity(&self.rules[i]).is_none()))
        {
            return Vec::new();
        }
        let mut out = Vec::new();
        for m in crate::security::secrets::scan(text) {
            let Some(&idx) = self.by_id.get(m.rule_id.as_str()) else {
                continue;
            };
            let rule = &self.rules[idx];
            if rule.meta.engine != RuleEngineKind::Secrets {
                continue;
            }
            let Some(severity) = self.effective_severity(rule) else {
                continue;
            };
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
        {
            if let Some(found) = self.check_excerpt(lang, text) {
                findings = found;
            } else if let Ok(tree) = syntax::parse(lang, &Source::Str(text), None) {
                findings = self.check_tree(lang, Source::Str(text), &tree, None);
            }
        }
        findings.extend(self.check_secrets(text));
        if !findings.is_empty() {
            let suppressions = crate::rules::suppress::Suppressions::scan(&Source::Str(text));
            findings.retain(|f| !suppressions.is_suppressed(&Source::Str(text), f));
        }
        findings.sort_by(|a, b| (a.range.start, &a.rule_id).cmp(&(b.range.start, &b.rule_id)));
        findings
    }

    /// The query findings of `text` from a parse of only the statements that can hold one (see
    /// [`partial`]); `None` when the whole file must be parsed.
    fn check_excerpt(&self, lang: Lang, text: &str) -> Option<Vec<Finding>> {
        if !self.use_partial {
            return None;
        }
        let plan = self.partial_plan(lang)?;
        let stats = &partial::STATS;
        let excerpt = match plan.select(text) {
            Selection::Nothing => {
                partial::Stats::count(&stats.nothing);
                return Some(Vec::new());
            }
            Selection::Whole => return None,
            Selection::Excerpt(excerpt) => excerpt,
        };
        let tree = syntax::parse_ranges(lang, &Source::Str(text), &excerpt.ranges).ok()?;
        if tree.root_node().has_error() {
            partial::Stats::count(&stats.errors);
            return None;
        }
        let unsure = std::cell::Cell::new(false);
        let keep = |p: usize, captures: &[tree_sitter::QueryCapture<'_>]| match plan
            .accept(&excerpt, p, captures)
        {
            partial::Verdict::Keep => true,
            partial::Verdict::Drop => false,
            partial::Verdict::Unsure => {
                unsure.set(true);
                false
            }
        };
        let findings = self.check_tree_with(lang, Source::Str(text), &tree, None, Some(&keep));
        if unsure.get() {
            partial::Stats::count(&stats.unsure);
            return None;
        }
        partial::Stats::count(&stats.excerpt);
        Some(findings)
    }

    /// The rule sources for a workspace: built-in, the user config dir, then the workspace.
    pub fn sources_for(workspace: Option<&Path>) -> Vec<RuleSource> {
        let mut sources = vec![RuleSource::Embedded];
        if let Some(dir) = crate::config::paths::user_config_dir() {
            sources.push(RuleSource::Dir {
                root: dir,
                label: "user".into(),
            });
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
/// The node kinds the patterns of `query` are rooted at (see [`LangQuery::heads`]).
fn pattern_heads(query: &Query, text: &str) -> Option<std::collections::HashSet<String>> {
    let mut heads = std::collections::HashSet::new();
    for i in 0..query.pattern_count() {
        if !query.is_pattern_rooted(i) || query.is_pattern_non_local(i) {
            return None;
        }
        let pattern = text.get(query.start_byte_for_pattern(i)..query.end_byte_for_pattern(i))?;
        heads.insert(pattern_head(pattern)?);
    }
    Some(heads)
}

/// The node kind a pattern's source is rooted at: `(kind …)` or `((kind …) @cap (#pred …))`;
/// `None` for anything else (a wildcard, an alternation, a sequence), which can root anywhere.
pub(crate) fn pattern_head(pattern: &str) -> Option<String> {
    let rest = pattern.trim_start().strip_prefix('(')?.trim_start();
    let rest = rest.strip_prefix('(').unwrap_or(rest).trim_start();
    let head: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!head.is_empty() && head != "_").then_some(head)
}

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

/// What a rule needs before any match can report it: a file that mentions one of the names of each
/// of its `resolves-to` checks (the check drops every match otherwise), when the check's capture is
/// part of every match of the pattern.
fn rule_requirement(
    rule: &Rule,
    names: &[&str],
    quants: &[tree_sitter::CaptureQuantifier],
    literals: &mut Literals,
) -> Option<Requirement> {
    let mut req = Vec::new();
    for check in &rule.meta.checks {
        if check.name != "resolves-to" {
            continue;
        }
        let present = match &check.capture {
            None => true,
            Some(c) => prefilter::always_present(c, names, quants),
        };
        if !present {
            continue;
        }
        if let Some(clause) = prefilter::resolves_to_clause(&check.args, literals) {
            req.push(clause);
        }
    }
    (!req.is_empty()).then_some(req)
}

/// Warns about patterns that put more than three captures on one node: tree-sitter keeps only
/// three, so the others (often a rule's own capture) silently never report.
fn warn_overloaded_captures(sources: &HashMap<Lang, Vec<QueryPart>>) {
    for parts in sources.values() {
        for part in parts.iter().filter(|p| p.own) {
            for (line, pattern) in split_patterns(&part.text) {
                for (inner, count) in prefilter::overloaded_steps(pattern) {
                    tracing::warn!(
                        "{}:{}: a pattern puts {count} captures on one node; tree-sitter keeps only 3, the rest never match",
                        part.file,
                        part.line + line + inner + 1
                    );
                }
            }
        }
    }
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
