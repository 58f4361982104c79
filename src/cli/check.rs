//! `codomyrmex check`: findings over files and directories as text, JSON or SARIF 2.1.0.
//!
//! Exit codes: 0 when nothing is at or above `--fail-on`, 1 when something is, 2 on usage,
//! configuration (broken rule files) or I/O errors.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::check::{CheckOutcome, FileReport, SkipReason, check_paths};
use crate::rules::{Finding, Rule, RuleSet, Severity, SeverityOverrides};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Sarif,
}

/// Arguments of `codomyrmex check`.
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Files or directories to check (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value = "text")]
    pub format: Format,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, default_value = "warning", value_parser = parse_severity)]
    pub fail_on: Severity,
    /// Worker threads (default: number of cores).
    #[arg(short = 'j', long)]
    pub jobs: Option<usize>,
    /// Only rules whose id starts with this, or `tag:NAME` (repeatable).
    #[arg(long)]
    pub select: Vec<String>,
    /// Leave out rules whose id starts with this, or `tag:NAME` (repeatable).
    #[arg(long)]
    pub exclude: Vec<String>,
    /// Write the report to a file instead of stdout.
    #[arg(short, long)]
    pub output: Option<PathBuf>,
    /// Never colour the text output.
    #[arg(long)]
    pub no_color: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    Severity::parse(s).ok_or_else(|| format!("unknown severity `{s}` (hint, info, warning, error)"))
}

fn matches_filter(rule: &Rule, filter: &str) -> bool {
    match filter.strip_prefix("tag:") {
        Some(tag) => rule.meta.tags.iter().any(|t| t == tag),
        None => rule.id().starts_with(filter),
    }
}

/// Severity overrides that switch off rules left out by `--select`/`--exclude`.
fn selection_overrides(
    rules: &RuleSet,
    select: &[String],
    exclude: &[String],
) -> SeverityOverrides {
    let mut overrides = SeverityOverrides::new();
    for rule in rules.rules() {
        let selected = select.is_empty() || select.iter().any(|f| matches_filter(rule, f));
        let excluded = exclude.iter().any(|f| matches_filter(rule, f));
        if !selected || excluded {
            overrides.insert(rule.id().to_string(), None);
        }
    }
    overrides
}

pub fn run(args: CheckArgs) -> anyhow::Result<i32> {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        args.paths.clone()
    };
    let workspace = match paths.as_slice() {
        [one] if one.is_dir() => Some(one.clone()),
        _ => std::env::current_dir().ok(),
    };
    let (config, config_diags) = crate::config::load(workspace.as_deref(), None);
    let mut config_error = false;
    for d in &config_diags {
        eprintln!("codomyrmex: config: {d}");
        config_error |= d.severity == crate::config::DiagnosticSeverity::Error;
    }
    let sources = RuleSet::sources_for(workspace.as_deref());
    let mut overrides = crate::lsp::state::rule_overrides(&config, &serde_json::Value::Null);
    let mut rules = RuleSet::load(&sources, overrides.clone());
    if !args.select.is_empty() || !args.exclude.is_empty() {
        overrides.extend(selection_overrides(&rules, &args.select, &args.exclude));
        rules = RuleSet::load(&sources, overrides);
    }
    let jobs = args.jobs.unwrap_or_else(|| {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
    });
    let tty = std::io::stderr().is_terminal();
    let progress = move |done: usize, total: usize| {
        if tty && (done.is_multiple_of(64) || done == total) {
            eprint!("\rchecking {done}/{total} files");
            if done == total {
                eprint!("\r\x1b[K");
            }
        }
    };
    let outcome = check_paths(&rules, &paths, &config.rules.ignore, jobs, &progress);
    tracing::debug!("{}", crate::rules::partial::STATS.summary());
    for err in rules.errors() {
        eprintln!("codomyrmex: rule error: {err}");
        config_error = true;
    }
    for (path, reason) in &outcome.skipped {
        match reason {
            SkipReason::Binary => tracing::debug!("skipped binary file {}", path.display()),
            SkipReason::TooLarge(n) => eprintln!(
                "codomyrmex: note: skipped {} ({} bytes, over the 2 MB limit)",
                path.display(),
                n
            ),
        }
    }
    for (path, err) in &outcome.errors {
        eprintln!("codomyrmex: {}: {err}", path.display());
    }

    let cwd = std::env::current_dir().unwrap_or_default();
    let color = !args.no_color
        && args.output.is_none()
        && std::io::stdout().is_terminal()
        && std::env::var_os("NO_COLOR").is_none();
    let rendered = match args.format {
        Format::Text => render_text(&outcome, &cwd, color),
        Format::Json => serde_json::to_string_pretty(&render_json(&outcome, &rules, &cwd))? + "\n",
        Format::Sarif => {
            serde_json::to_string_pretty(&render_sarif(&outcome, &rules, &cwd))? + "\n"
        }
    };
    match &args.output {
        Some(path) => std::fs::write(path, rendered)
            .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = out.write_all(rendered.as_bytes());
        }
    }
    if args.format == Format::Text {
        let n: usize = outcome.files.iter().map(|f| f.findings.len()).sum();
        eprintln!(
            "codomyrmex: {n} finding{} in {} of {} checked file{}",
            if n == 1 { "" } else { "s" },
            outcome.files.len(),
            outcome.checked,
            if outcome.checked == 1 { "" } else { "s" }
        );
    }
    if config_error || !outcome.errors.is_empty() {
        return Ok(2);
    }
    let failing = outcome
        .files
        .iter()
        .flat_map(|f| &f.findings)
        .any(|(f, _, _)| f.severity >= args.fail_on);
    Ok(i32::from(failing))
}

fn display_path(path: &Path, cwd: &Path) -> String {
    let rel = path.strip_prefix(cwd).unwrap_or(path);
    let s = rel.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

fn render_text(outcome: &CheckOutcome, cwd: &Path, color: bool) -> String {
    let mut out = String::new();
    for file in &outcome.files {
        let path = display_path(&file.path, cwd);
        for (f, start, _) in &file.findings {
            let (sev, c) = match f.severity {
                Severity::Error => ("error", "\x1b[31m"),
                Severity::Warning => ("warning", "\x1b[33m"),
                Severity::Info => ("info", "\x1b[36m"),
                Severity::Hint => ("hint", "\x1b[2m"),
            };
            if color {
                out.push_str(&format!(
                    "\x1b[1m{path}:{}:{}:\x1b[0m {c}{sev}\x1b[0m [{}] {}\n",
                    start.line, start.column, f.rule_id, f.message
                ));
            } else {
                out.push_str(&format!(
                    "{path}:{}:{}: {sev} [{}] {}\n",
                    start.line, start.column, f.rule_id, f.message
                ));
            }
        }
    }
    out
}

fn render_json(outcome: &CheckOutcome, rules: &RuleSet, cwd: &Path) -> Value {
    let mut items = Vec::new();
    for file in &outcome.files {
        for (i, (f, start, end)) in file.findings.iter().enumerate() {
            let rule = rules.rule(&f.rule_id);
            items.push(json!({
                "path": display_path(&file.path, cwd),
                "rule_id": &*f.rule_id,
                "severity": f.severity.as_str(),
                "message": f.message,
                "start": {"line": start.line, "column": start.column},
                "end": {"line": end.line, "column": end.column},
                "byte_range": [f.range.start, f.range.end],
                "cwe": rule.map(|r| r.meta.cwe.clone()).unwrap_or_default(),
                "confidence": f.confidence.map(|c| c.as_str()),
                "fix": f.fix.as_ref().map(|fix| json!({
                    "title": fix.title,
                    "replacement": fix.replacement,
                    "byte_range": [fix.range.start, fix.range.end],
                    "start": file.fix_positions[i].map(|(s, _)| json!({"line": s.line, "column": s.column})),
                    "end": file.fix_positions[i].map(|(_, e)| json!({"line": e.line, "column": e.column})),
                })),
            }));
        }
    }
    Value::Array(items)
}

fn sarif_level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info | Severity::Hint => "note",
    }
}

fn rule_tags(rule: &Rule) -> Vec<String> {
    let mut tags = rule.meta.tags.clone();
    for cwe in &rule.meta.cwe {
        if !tags.contains(cwe) {
            tags.push(cwe.clone());
        }
    }
    tags
}

fn render_sarif(outcome: &CheckOutcome, rules: &RuleSet, cwd: &Path) -> Value {
    let rule_list: Vec<&Rule> = rules.rules().collect();
    let index_of = |id: &str| rule_list.iter().position(|r| r.id() == id);
    let driver_rules: Vec<Value> = rule_list
        .iter()
        .map(|rule| {
            let mut r = json!({
                "id": rule.id(),
                "name": rule.id(),
                "shortDescription": {"text": crate::rules::engine::render_template(&rule.meta.message, |_| Some("…".to_string()))},
                "fullDescription": {"text": if rule.meta.explanation.is_empty() { rule.meta.message.clone() } else { rule.meta.explanation.clone() }},
                "help": {"text": rule.meta.explanation.clone(), "markdown": rule.meta.explanation.clone()},
                "defaultConfiguration": {"level": sarif_level(rule.meta.severity)},
                "properties": {"tags": rule_tags(rule)},
            });
            if let Some(docs) = &rule.meta.docs {
                r["helpUri"] = json!(docs);
            }
            if let Some(c) = rule.meta.confidence {
                r["properties"]["precision"] = json!(match c {
                    crate::rules::Confidence::High => "high",
                    crate::rules::Confidence::Medium => "medium",
                    crate::rules::Confidence::Low => "low",
                });
            }
            r
        })
        .collect();
    let mut results = Vec::new();
    for file in &outcome.files {
        let uri = display_path(&file.path, cwd);
        for (i, (f, start, end)) in file.findings.iter().enumerate() {
            results.push(sarif_result(
                f,
                file,
                i,
                &uri,
                *start,
                *end,
                rules,
                index_of(&f.rule_id),
            ));
        }
    }
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "codomyrmex",
                "version": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/codomyrmex/codomyrmex",
                "rules": driver_rules,
            }},
            "columnKind": "utf16CodeUnits",
            "results": results,
        }]
    })
}

#[allow(clippy::too_many_arguments)]
fn sarif_result(
    f: &Finding,
    file: &FileReport,
    i: usize,
    uri: &str,
    start: crate::check::LineCol,
    end: crate::check::LineCol,
    rules: &RuleSet,
    rule_index: Option<usize>,
) -> Value {
    let region = |s: crate::check::LineCol, e: crate::check::LineCol| json!({"startLine": s.line, "startColumn": s.column_utf16, "endLine": e.line, "endColumn": e.column_utf16});
    let mut result = json!({
        "ruleId": &*f.rule_id,
        "level": sarif_level(f.severity),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region(start, end)}}],
    });
    if let Some(idx) = rule_index {
        result["ruleIndex"] = json!(idx);
    }
    let mut props = serde_json::Map::new();
    if let Some(rule) = rules.rule(&f.rule_id) {
        props.insert("tags".into(), json!(rule_tags(rule)));
    }
    if let Some(c) = f.confidence {
        props.insert("confidence".into(), json!(c.as_str()));
    }
    result["properties"] = Value::Object(props);
    if let (Some(fix), Some((fs, fe))) = (&f.fix, file.fix_positions.get(i).copied().flatten()) {
        result["fixes"] = json!([{
            "description": {"text": fix.title},
            "artifactChanges": [{
                "artifactLocation": {"uri": uri},
                "replacements": [{"deletedRegion": region(fs, fe), "insertedContent": {"text": fix.replacement}}],
            }],
        }]);
    }
    result
}
