//! Query-driven pattern rules: metadata, loading, matching, suppression, fixes and rule tests.
//!
//! A rule is YAML metadata plus a tree-sitter query whose capture is named after the rule id (see
//! `config/rules/README.md`). Nothing here knows about LSP: results are [`Finding`]s with byte ranges.

pub mod checks;
pub mod engine;
pub mod load;
pub mod partial;
pub mod prefilter;
pub mod suppress;
pub mod testing;

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::syntax::Lang;

pub use engine::RuleSet;
pub use load::{LoadError, RuleSource};

/// How serious a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Hint,
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Hint => "hint",
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(s: &str) -> Option<Severity> {
        match s.to_ascii_lowercase().as_str() {
            "hint" => Some(Severity::Hint),
            "info" | "information" | "note" => Some(Severity::Info),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// How sure a rule (or a check on a match) is that a finding is a real problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    Low,
    Medium,
    High,
}

impl Confidence {
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// Where a rule's matches come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RuleEngineKind {
    #[default]
    Query,
    Secrets,
}

/// A mechanical fix template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixTemplate {
    pub title: String,
    /// Capture whose range is replaced; the rule's own capture when absent.
    #[serde(default)]
    pub target: Option<String>,
    pub replace: String,
}

/// A Rust-side check run on each match (see [`checks`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckSpec {
    pub name: String,
    #[serde(default)]
    pub capture: Option<String>,
    #[serde(default)]
    pub args: Vec<String>,
}

/// A rule's metadata as written in YAML.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleMeta {
    pub id: String,
    pub languages: Vec<String>,
    pub severity: Severity,
    pub message: String,
    #[serde(default)]
    pub explanation: String,
    #[serde(default)]
    pub docs: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub cwe: Vec<String>,
    #[serde(default)]
    pub owasp: Vec<String>,
    #[serde(default)]
    pub confidence: Option<Confidence>,
    #[serde(default)]
    pub fix: Option<FixTemplate>,
    #[serde(default)]
    pub checks: Vec<CheckSpec>,
    #[serde(default)]
    pub engine: RuleEngineKind,
    #[serde(default)]
    pub query: Option<String>,
}

/// A loaded rule.
#[derive(Debug, Clone)]
pub struct Rule {
    pub meta: RuleMeta,
    pub langs: Vec<Lang>,
    /// Where the metadata came from (for error messages and `doctor`).
    pub origin: String,
}

impl Rule {
    pub fn id(&self) -> &str {
        &self.meta.id
    }

    pub fn is_security(&self) -> bool {
        !self.meta.cwe.is_empty() || self.meta.tags.iter().any(|t| t == "security")
    }
}

/// A concrete edit proposed by a rule's fix.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FixEdit {
    pub title: String,
    pub range: Range<usize>,
    pub replacement: String,
}

/// One reported problem, in byte offsets of the checked text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub rule_id: Arc<str>,
    pub range: Range<usize>,
    pub severity: Severity,
    pub message: String,
    pub confidence: Option<Confidence>,
    pub fix: Option<FixEdit>,
}

/// Per-workspace severity overrides (`rule id → severity`, or `off`).
pub type SeverityOverrides = BTreeMap<String, Option<Severity>>;
