//! What one configuration layer may contain, as written: every field optional, so layers merge.
//!
//! Files of a layer (relative to its root: the embedded `config/`, the user config dir, or the
//! workspace `.codomyrmex/`): `llm/providers.yaml`, `llm/models.yaml`, `security/privacy.yaml`,
//! `settings.yaml`. Editor settings use the same shapes as JSON (see [`EditorLayer`]).

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde::Deserialize;

use super::{ConfigDiagnostic, DiagnosticSeverity, ModelOptions, PrivacyMode, ProviderKind};

/// `llm/providers.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProvidersFile {
    #[serde(default)]
    pub providers: BTreeMap<String, ProviderLayer>,
}

/// One provider entry as written in one layer.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProviderLayer {
    pub enabled: Option<bool>,
    pub kind: Option<ProviderKind>,
    pub base_url: Option<String>,
    pub api_key: Option<SecretString>,
    pub default_model: Option<String>,
    pub local: Option<bool>,
    pub timeout_s: Option<u64>,
    pub max_retries: Option<u32>,
}

impl ProviderLayer {
    /// Names of the fields this layer sets, in declaration order.
    pub fn set_fields(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.enabled.is_some() {
            out.push("enabled");
        }
        if self.kind.is_some() {
            out.push("kind");
        }
        if self.base_url.is_some() {
            out.push("base_url");
        }
        if self.api_key.is_some() {
            out.push("api_key");
        }
        if self.default_model.is_some() {
            out.push("default_model");
        }
        if self.local.is_some() {
            out.push("local");
        }
        if self.timeout_s.is_some() {
            out.push("timeout_s");
        }
        if self.max_retries.is_some() {
            out.push("max_retries");
        }
        out
    }
}

/// A role's target: `provider/model` or an ordered fallback list.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum RoleTargets {
    One(String),
    Many(Vec<String>),
}

impl RoleTargets {
    pub fn into_vec(self) -> Vec<String> {
        match self {
            RoleTargets::One(s) => vec![s],
            RoleTargets::Many(v) => v,
        }
    }
}

/// `llm/models.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelsFile {
    #[serde(default)]
    pub roles: BTreeMap<String, RoleTargets>,
    /// Options per `provider/model`.
    #[serde(default)]
    pub models: BTreeMap<String, ModelOptions>,
    /// Options for every model unless the model's own entry says otherwise.
    pub defaults: Option<ModelOptions>,
}

/// An extra redaction pattern (`security/privacy.yaml` → `redact_patterns`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct RedactPattern {
    /// Placeholder kind: matches become `<secret:ID-N>`.
    pub id: String,
    pub regex: String,
}

/// `security/privacy.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacyFile {
    pub mode: Option<PrivacyMode>,
    pub local_only_paths: Option<Vec<String>>,
    pub redact_patterns: Option<Vec<RedactPattern>>,
}

/// `rules:` in `settings.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulesLayer {
    /// Rule id → `error` | `warning` | `info` | `hint` | `off`.
    #[serde(default)]
    pub severity: BTreeMap<String, String>,
    #[serde(default)]
    pub disabled: Vec<String>,
}

/// `ai:` in `settings.yaml`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AiLayer {
    pub enabled: Option<bool>,
    pub hover: Option<bool>,
}

/// `settings.yaml`: rule severities, disabled rules, ignore globs, AI feature switches.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsFile {
    pub rules: Option<RulesLayer>,
    pub ignore: Option<Vec<String>>,
    pub ai: Option<AiLayer>,
}

/// Editor settings (`initializationOptions`, `didChangeConfiguration`), optionally wrapped in a
/// `codomyrmex` object. Unknown top-level keys are ignored (clients send their own).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct EditorLayer {
    pub providers: Option<BTreeMap<String, ProviderLayer>>,
    pub models: Option<ModelsFile>,
    pub privacy: Option<PrivacyFile>,
    pub rules: Option<RulesLayer>,
    pub ignore: Option<Vec<String>>,
    pub ai: Option<AiLayer>,
}

/// Everything one layer contributed.
#[derive(Debug, Clone, Default)]
pub struct LayerData {
    pub providers: Option<ProvidersFile>,
    pub models: Option<ModelsFile>,
    pub privacy: Option<PrivacyFile>,
    pub settings: Option<SettingsFile>,
}

impl From<EditorLayer> for LayerData {
    fn from(e: EditorLayer) -> Self {
        let settings =
            (e.rules.is_some() || e.ignore.is_some() || e.ai.is_some()).then_some(SettingsFile {
                rules: e.rules,
                ignore: e.ignore,
                ai: e.ai,
            });
        LayerData {
            providers: e.providers.map(|providers| ProvidersFile { providers }),
            models: e.models,
            privacy: e.privacy,
            settings,
        }
    }
}

/// True when `text` holds nothing but comments and blank lines (or a bare `---`).
pub fn is_blank_yaml(text: &str) -> bool {
    text.lines().all(|l| {
        let t = l.trim();
        t.is_empty() || t.starts_with('#') || t == "---"
    })
}

/// Parses one YAML file; on failure returns a diagnostic naming `origin`, the line and the key.
pub fn parse_yaml<T: for<'de> Deserialize<'de> + Default>(
    origin: &str,
    text: &str,
) -> Result<T, ConfigDiagnostic> {
    if is_blank_yaml(text) {
        return Ok(T::default());
    }
    serde_saphyr::from_str::<T>(text).map_err(|err| {
        let line = err.location().map(|l| l.line()).filter(|l| *l > 0);
        let key = line.and_then(|l| key_at_line(text, l));
        let message = err.without_snippet().to_string();
        // The library appends its own "at line X column Y"; keep only the first line.
        let message = message.lines().next().unwrap_or("invalid YAML");
        // The message may quote a value; a misplaced key must not reach logs.
        let message = crate::security::secrets::redact(message).text;
        ConfigDiagnostic {
            severity: DiagnosticSeverity::Error,
            file: origin.to_string(),
            line,
            key,
            message: format!("{message}; this file was skipped, the other layers still apply"),
        }
    })
}

/// The mapping key written on 1-based `line` of `text`, if that line has one.
pub fn key_at_line(text: &str, line: u64) -> Option<String> {
    let idx = usize::try_from(line.checked_sub(1)?).ok()?;
    let raw = text.lines().nth(idx)?;
    let t = raw.trim_start().trim_start_matches("- ").trim_start();
    let (key, _) = t.split_once(':')?;
    let key = key.trim().trim_matches(|c| c == '"' || c == '\'');
    (!key.is_empty() && !key.contains(' ') && !key.starts_with('#')).then(|| key.to_string())
}

/// The 1-based line where the nested key `path` (e.g. `["providers", "openai", "base_url"]`) is
/// written, found by indentation; handles flow mappings on one line. Best effort.
pub fn find_key_line(text: &str, path: &[&str]) -> Option<u64> {
    let mut start = 0usize;
    let mut min_indent: Option<usize> = None;
    let lines: Vec<&str> = text.lines().collect();
    let mut found_line: Option<usize> = None;
    for (depth, comp) in path.iter().enumerate() {
        let mut hit = None;
        // Flow mapping on the previous component's line: `openai: { base_url: ... }`.
        if depth > 0
            && let Some(prev) = found_line
            && let Some(line) = lines.get(prev)
            && line.contains('{')
            && contains_key(line, comp)
        {
            return Some(prev as u64 + 1);
        }
        for (i, line) in lines.iter().enumerate().skip(start) {
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let indent = line.len() - trimmed.len();
            if let Some(min) = min_indent
                && indent <= min
            {
                break; // left the parent's block
            }
            let t = trimmed.trim_start_matches("- ");
            if starts_with_key(t, comp) {
                hit = Some((i, indent));
                break;
            }
        }
        let (i, indent) = hit?;
        found_line = Some(i);
        start = i + 1;
        min_indent = Some(indent);
    }
    found_line.map(|l| l as u64 + 1)
}

fn starts_with_key(t: &str, key: &str) -> bool {
    for quoted in [key.to_string(), format!("\"{key}\""), format!("'{key}'")] {
        if let Some(rest) = t.strip_prefix(&quoted)
            && rest.trim_start().starts_with(':')
        {
            return true;
        }
    }
    false
}

fn contains_key(line: &str, key: &str) -> bool {
    line.match_indices(key).any(|(i, _)| {
        let before = line[..i].chars().next_back();
        let after = line[i + key.len()..].trim_start();
        matches!(before, Some('{' | ',' | ' ' | '"' | '\''))
            && after.trim_start_matches(['"', '\'']).starts_with(':')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SRC: &str = "providers:\n  openai:\n    enabled: true\n    base_url: \"https://evil\"\n  anthropic: { base_url: \"x\", api_key: \"y\" }\n";

    #[test]
    fn finds_nested_and_flow_keys() {
        assert_eq!(
            find_key_line(SRC, &["providers", "openai", "base_url"]),
            Some(4)
        );
        assert_eq!(
            find_key_line(SRC, &["providers", "openai", "enabled"]),
            Some(3)
        );
        assert_eq!(
            find_key_line(SRC, &["providers", "anthropic", "api_key"]),
            Some(5)
        );
        assert_eq!(find_key_line(SRC, &["providers", "gemini"]), None);
    }

    #[test]
    fn key_at_line_reads_the_key() {
        assert_eq!(key_at_line(SRC, 4).as_deref(), Some("base_url"));
        assert_eq!(key_at_line(SRC, 99), None);
    }

    #[test]
    fn parse_error_names_line_and_key() {
        let text = "providers:\n  openai:\n    enabled: maybe\n";
        let err = parse_yaml::<ProvidersFile>("x/providers.yaml", text).expect_err("must fail");
        assert_eq!(err.line, Some(3), "{err}");
        assert_eq!(err.key.as_deref(), Some("enabled"));
        let text = "providers:\n  openai:\n    base_ur1: \"x\"\n";
        let err = parse_yaml::<ProvidersFile>("x/providers.yaml", text).expect_err("must fail");
        assert!(err.message.contains("base_ur1"), "{err}");
    }

    #[test]
    fn blank_file_is_default() {
        let p: ProvidersFile = parse_yaml("f", "# nothing\n\n").expect("blank");
        assert!(p.providers.is_empty());
    }
}
