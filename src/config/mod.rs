//! Configuration: where files live and the layered YAML settings
//! (built-in defaults → user dir → workspace, restricted → editor settings).
//!
//! [`load`] never fails: a broken file becomes a [`ConfigDiagnostic`] naming file, line and key,
//! and the other layers still apply. The workspace layer (`.codomyrmex/`) is untrusted: it may set
//! rule severities, disabled rules, ignore globs and *tighten* privacy, but every provider key
//! except `enabled: false` (or `enabled: true` for a provider the user made local), all of
//! `llm/models.yaml` and any key file there are ignored with a warning (CVE-2026-21852).
//! `${VAR}` / `${VAR:-default}` are expanded in provider fields of trusted layers only.

pub mod env;
pub mod keys;
pub mod layers;
pub mod models;
pub mod paths;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use crate::rules::{Severity, SeverityOverrides};
pub use layers::RedactPattern;
use layers::{
    EditorLayer, LayerData, ModelsFile, PrivacyFile, ProviderLayer, ProvidersFile, SettingsFile,
};
pub use models::{ModelOptions, ModelsConfig, ResolvedModel};

/// Files of a layer, relative to its root.
pub const PROVIDERS_FILE: &str = "llm/providers.yaml";
pub const MODELS_FILE: &str = "llm/models.yaml";
pub const PRIVACY_FILE: &str = "security/privacy.yaml";
pub const SETTINGS_FILE: &str = "settings.yaml";

/// The shipped defaults, embedded in the binary.
pub const BUILTIN_FILES: &[(&str, &str)] = &[
    (
        PROVIDERS_FILE,
        include_str!("../../config/llm/providers.yaml"),
    ),
    (MODELS_FILE, include_str!("../../config/llm/models.yaml")),
    (
        PRIVACY_FILE,
        include_str!("../../config/security/privacy.yaml"),
    ),
];

/// Cloud key variables an Ollama endpoint must never receive.
pub const CLOUD_KEY_VARS: &[&str] = &["OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GEMINI_API_KEY"];

/// Wire format of a provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ProviderKind {
    Ollama,
    Openai,
    Anthropic,
    Gemini,
}

impl ProviderKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProviderKind::Ollama => "ollama",
            ProviderKind::Openai => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Gemini => "gemini",
        }
    }

    pub fn parse(s: &str) -> Option<ProviderKind> {
        match s {
            "ollama" => Some(ProviderKind::Ollama),
            "openai" => Some(ProviderKind::Openai),
            "anthropic" => Some(ProviderKind::Anthropic),
            "gemini" => Some(ProviderKind::Gemini),
            _ => None,
        }
    }

    /// The vendor's endpoint, following each SDK's `base_url` convention.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::Ollama => "${OLLAMA_HOST:-http://localhost:11434}",
            ProviderKind::Openai => "https://api.openai.com/v1",
            ProviderKind::Anthropic => "https://api.anthropic.com",
            ProviderKind::Gemini => "https://generativelanguage.googleapis.com",
        }
    }
}

impl fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a provider's key came from (never the key itself).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "from", rename_all = "kebab-case")]
pub enum KeySource {
    /// No key configured.
    None,
    /// `${VAR}` that is set.
    Env { var: String },
    /// `${VAR}` that is unset or empty.
    MissingEnv { var: String },
    /// A literal key written in a config file or editor settings.
    Literal { origin: String },
    /// The encrypted key file in the user config dir.
    KeyFile,
}

/// One provider after merging and expansion.
#[derive(Debug, Clone)]
pub struct ProviderSettings {
    /// The entry name (`ollama`, `openai`, `my-llamacpp`, …).
    pub name: String,
    pub kind: ProviderKind,
    pub enabled: bool,
    /// Expanded and validated; no trailing slash.
    pub base_url: String,
    pub api_key: Option<SecretString>,
    pub key_source: KeySource,
    pub default_model: Option<String>,
    /// May receive local-only content and unredacted prompts.
    pub local: bool,
    pub timeout_s: Option<u64>,
    pub max_retries: u32,
}

impl ProviderSettings {
    /// Whether this provider cannot work without a key (cloud kinds that are not local).
    pub fn needs_key(&self) -> bool {
        !self.local && self.kind != ProviderKind::Ollama
    }

    /// A line safe to print: `OPENAI_API_KEY: set`, `api key: not set`, … Never the key.
    pub fn key_status(&self) -> String {
        match &self.key_source {
            KeySource::Env { var } => format!("{var}: set"),
            KeySource::MissingEnv { var } => format!("{var}: not set"),
            KeySource::Literal { origin } => format!("api key: set (written in {origin})"),
            KeySource::KeyFile => "api key: set (encrypted key file)".to_string(),
            KeySource::None => "api key: not set".to_string(),
        }
    }
}

/// `security/privacy.yaml` → `mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PrivacyMode {
    /// Secrets are replaced by placeholders before a non-local provider sees them.
    #[default]
    Redact,
    /// Nothing is sent to non-local providers.
    LocalOnly,
    /// No redaction and no path restriction (hidden Unicode is still stripped).
    Off,
}

impl PrivacyMode {
    /// Higher is stricter.
    pub fn strictness(self) -> u8 {
        match self {
            PrivacyMode::Off => 0,
            PrivacyMode::Redact => 1,
            PrivacyMode::LocalOnly => 2,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PrivacyMode::Redact => "redact",
            PrivacyMode::LocalOnly => "local-only",
            PrivacyMode::Off => "off",
        }
    }
}

/// Default `local_only_paths`, also written in the shipped `config/security/privacy.yaml`.
pub const DEFAULT_LOCAL_ONLY_PATHS: &[&str] = &[
    ".env*",
    "*.pem",
    "*.key",
    "*.p12",
    "id_rsa*",
    "secrets/**",
    "credentials*",
];

/// Merged privacy settings.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PrivacyConfig {
    pub mode: PrivacyMode,
    /// Globs matched against workspace-relative paths and basenames.
    pub local_only_paths: Vec<String>,
    /// Extra patterns redacted besides the secrets engine's.
    pub redact_patterns: Vec<RedactPattern>,
}

impl Default for PrivacyConfig {
    fn default() -> Self {
        PrivacyConfig {
            mode: PrivacyMode::Redact,
            local_only_paths: DEFAULT_LOCAL_ONLY_PATHS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            redact_patterns: Vec::new(),
        }
    }
}

/// Rule settings (`settings.yaml` → `rules`, `ignore`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RulesConfig {
    /// Rule id → severity, or `None` for `off`.
    pub severity: SeverityOverrides,
    pub disabled: BTreeSet<String>,
    /// Extra ignore globs (on top of `.gitignore`).
    pub ignore: Vec<String>,
}

impl RulesConfig {
    /// Whether `rule_id` is turned off (listed in `disabled` or set to `off`).
    pub fn is_disabled(&self, rule_id: &str) -> bool {
        self.disabled.contains(rule_id) || matches!(self.severity.get(rule_id), Some(None))
    }
}

/// AI feature switches (`settings.yaml` → `ai`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct AiConfig {
    pub enabled: bool,
    /// AI explanation in hover.
    pub hover: bool,
}

impl Default for AiConfig {
    fn default() -> Self {
        AiConfig {
            enabled: true,
            hover: true,
        }
    }
}

/// Which layer a source belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum LayerKind {
    BuiltIn,
    User,
    Workspace,
    Editor,
}

impl LayerKind {
    pub fn as_str(self) -> &'static str {
        match self {
            LayerKind::BuiltIn => "built-in",
            LayerKind::User => "user",
            LayerKind::Workspace => "workspace",
            LayerKind::Editor => "editor",
        }
    }

    fn trusted(self) -> bool {
        self != LayerKind::Workspace
    }
}

/// What happened to one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceStatus {
    Loaded,
    /// Unreadable or invalid; skipped.
    Failed,
    /// Present but never read (e.g. a workspace key file).
    Ignored,
}

/// One file (or the editor settings) that was considered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigSource {
    pub layer: LayerKind,
    /// A path, `built-in:llm/providers.yaml`, or `editor settings`.
    pub origin: String,
    pub status: SourceStatus,
}

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosticSeverity {
    Warning,
    Error,
}

/// A configuration problem; `Display` gives `file:line: `key`: message` (no severity).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ConfigDiagnostic {
    pub severity: DiagnosticSeverity,
    pub file: String,
    pub line: Option<u64>,
    pub key: Option<String>,
    pub message: String,
}

impl fmt::Display for ConfigDiagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        if let Some(key) = &self.key {
            write!(f, ": `{key}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

impl ConfigDiagnostic {
    fn warning(file: &str, line: Option<u64>, key: Option<String>, message: String) -> Self {
        ConfigDiagnostic {
            severity: DiagnosticSeverity::Warning,
            file: file.to_string(),
            line,
            key,
            message,
        }
    }

    fn error(file: &str, line: Option<u64>, key: Option<String>, message: String) -> Self {
        ConfigDiagnostic {
            severity: DiagnosticSeverity::Error,
            ..ConfigDiagnostic::warning(file, line, key, message)
        }
    }
}

/// The merged configuration.
#[derive(Debug, Clone, Default)]
pub struct Config {
    pub providers: BTreeMap<String, ProviderSettings>,
    pub models: ModelsConfig,
    pub privacy: PrivacyConfig,
    pub rules: RulesConfig,
    pub ai: AiConfig,
    pub sources: Vec<ConfigSource>,
}

impl Config {
    /// Candidates for a role, best first (see [`ModelsConfig::resolve_role`]).
    pub fn resolve_role(&self, role: &str) -> Vec<ResolvedModel> {
        self.models.resolve_role(role, &self.providers)
    }

    /// Enabled providers, local first.
    pub fn enabled_providers(&self) -> Vec<&ProviderSettings> {
        let mut v: Vec<&ProviderSettings> = self.providers.values().filter(|p| p.enabled).collect();
        v.sort_by_key(|p| (!p.local, p.name.clone()));
        v
    }
}

/// Inputs of [`load_with`]; [`load`] fills them from the process.
pub struct LoadOptions<'a> {
    /// The user config dir (`None`: no user layer).
    pub user_dir: Option<PathBuf>,
    /// The workspace root; its `.codomyrmex/` is the workspace layer.
    pub workspace_root: Option<&'a Path>,
    /// Editor settings.
    pub editor: Option<&'a serde_json::Value>,
    /// Environment lookup for `${VAR}` and `CODOMYRMEX_KEY_PASSPHRASE`.
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// Loads every layer from the real user config dir and environment.
pub fn load(
    workspace_root: Option<&Path>,
    editor: Option<&serde_json::Value>,
) -> (Config, Vec<ConfigDiagnostic>) {
    let env = |name: &str| std::env::var(name).ok();
    load_with(&LoadOptions {
        user_dir: paths::user_config_dir(),
        workspace_root,
        editor,
        env: &env,
    })
}

/// Logs each diagnostic through `tracing` (stderr): errors as errors, the rest as warnings.
pub fn log_diagnostics(diags: &[ConfigDiagnostic]) {
    for d in diags {
        match d.severity {
            DiagnosticSeverity::Error => tracing::error!("config: {d}"),
            DiagnosticSeverity::Warning => tracing::warn!("config: {d}"),
        }
    }
}

/// One layer as read, with file texts kept for locating keys.
struct RawLayer {
    kind: LayerKind,
    data: LayerData,
    /// Relative file → (origin, text).
    texts: BTreeMap<&'static str, (String, String)>,
}

impl RawLayer {
    fn origin(&self, rel: &str) -> String {
        self.texts
            .get(rel)
            .map(|(o, _)| o.clone())
            .unwrap_or_else(|| "editor settings".to_string())
    }

    fn line(&self, rel: &str, path: &[&str]) -> Option<u64> {
        self.texts
            .get(rel)
            .and_then(|(_, text)| layers::find_key_line(text, path))
    }
}

fn read_builtin(sources: &mut Vec<ConfigSource>, diags: &mut Vec<ConfigDiagnostic>) -> RawLayer {
    let mut layer = RawLayer {
        kind: LayerKind::BuiltIn,
        data: LayerData::default(),
        texts: BTreeMap::new(),
    };
    for (rel, text) in BUILTIN_FILES {
        let origin = format!("built-in:{rel}");
        let ok = parse_into(&mut layer.data, rel, &origin, text, diags);
        sources.push(ConfigSource {
            layer: LayerKind::BuiltIn,
            origin: origin.clone(),
            status: if ok {
                SourceStatus::Loaded
            } else {
                SourceStatus::Failed
            },
        });
        layer.texts.insert(rel, (origin, text.to_string()));
    }
    layer
}

fn read_dir_layer(
    kind: LayerKind,
    root: &Path,
    sources: &mut Vec<ConfigSource>,
    diags: &mut Vec<ConfigDiagnostic>,
) -> RawLayer {
    let mut layer = RawLayer {
        kind,
        data: LayerData::default(),
        texts: BTreeMap::new(),
    };
    for rel in [PROVIDERS_FILE, MODELS_FILE, PRIVACY_FILE, SETTINGS_FILE] {
        let path = root.join(rel);
        if !path.is_file() {
            continue;
        }
        let origin = path.display().to_string();
        let status = match read_limited(&path) {
            Ok(text) => {
                let ok = parse_into(&mut layer.data, rel, &origin, &text, diags);
                layer.texts.insert(rel, (origin.clone(), text));
                if ok {
                    SourceStatus::Loaded
                } else {
                    SourceStatus::Failed
                }
            }
            Err(err) => {
                diags.push(ConfigDiagnostic::error(
                    &origin,
                    None,
                    None,
                    format!("cannot read: {err}; this file was skipped"),
                ));
                SourceStatus::Failed
            }
        };
        sources.push(ConfigSource {
            layer: kind,
            origin,
            status,
        });
    }
    layer
}

/// Largest configuration file read (a workspace is untrusted).
pub const MAX_FILE_BYTES: u64 = 1024 * 1024;

fn read_limited(path: &Path) -> std::io::Result<String> {
    use std::io::Read;
    let mut text = String::new();
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(std::io::Error::other(format!(
            "larger than {} KiB",
            MAX_FILE_BYTES / 1024
        )));
    }
    Ok(text)
}

fn parse_into(
    data: &mut LayerData,
    rel: &str,
    origin: &str,
    text: &str,
    diags: &mut Vec<ConfigDiagnostic>,
) -> bool {
    let result = match rel {
        PROVIDERS_FILE => layers::parse_yaml::<ProvidersFile>(origin, text).map(|v| {
            data.providers = Some(v);
        }),
        MODELS_FILE => layers::parse_yaml::<ModelsFile>(origin, text).map(|v| {
            data.models = Some(v);
        }),
        PRIVACY_FILE => layers::parse_yaml::<PrivacyFile>(origin, text).map(|v| {
            data.privacy = Some(v);
        }),
        SETTINGS_FILE => layers::parse_yaml::<SettingsFile>(origin, text).map(|v| {
            data.settings = Some(v);
        }),
        _ => Ok(()),
    };
    match result {
        Ok(()) => true,
        Err(d) => {
            diags.push(d);
            false
        }
    }
}

fn read_editor(
    value: &serde_json::Value,
    sources: &mut Vec<ConfigSource>,
    diags: &mut Vec<ConfigDiagnostic>,
) -> Option<RawLayer> {
    if value.is_null() {
        return None;
    }
    let inner = value.get("codomyrmex").unwrap_or(value);
    let origin = "editor settings".to_string();
    match serde_json::from_value::<EditorLayer>(inner.clone()) {
        Ok(editor) => {
            sources.push(ConfigSource {
                layer: LayerKind::Editor,
                origin,
                status: SourceStatus::Loaded,
            });
            Some(RawLayer {
                kind: LayerKind::Editor,
                data: editor.into(),
                texts: BTreeMap::new(),
            })
        }
        Err(err) => {
            diags.push(ConfigDiagnostic::error(
                &origin,
                None,
                None,
                format!(
                    "{}; editor settings were skipped, the other layers still apply",
                    crate::security::secrets::redact(&err.to_string()).text
                ),
            ));
            sources.push(ConfigSource {
                layer: LayerKind::Editor,
                origin,
                status: SourceStatus::Failed,
            });
            None
        }
    }
}

/// Kind and locality of providers as the trusted layers define them.
fn trusted_view(layers: &[&RawLayer]) -> BTreeMap<String, (Option<ProviderKind>, bool)> {
    let mut acc: BTreeMap<String, ProviderLayer> = BTreeMap::new();
    for layer in layers.iter().filter(|l| l.kind.trusted()) {
        if let Some(p) = &layer.data.providers {
            for (name, entry) in &p.providers {
                let slot = acc.entry(name.clone()).or_default();
                slot.kind = entry.kind.or(slot.kind);
                slot.local = entry.local.or(slot.local);
            }
        }
    }
    acc.into_iter()
        .map(|(name, l)| {
            let kind = l.kind.or_else(|| ProviderKind::parse(&name));
            let local = l.local.unwrap_or(kind == Some(ProviderKind::Ollama));
            (name, (kind, local))
        })
        .collect()
}

/// Workspace privacy additions, applied after every layer has merged.
#[derive(Default)]
struct WorkspaceTightening {
    min_mode: Option<PrivacyMode>,
    local_only_paths: Vec<String>,
    redact_patterns: Vec<RedactPattern>,
}

/// Drops what the untrusted workspace layer may not set, with a warning for each key.
fn restrict_workspace(
    ws: &mut RawLayer,
    trusted: &BTreeMap<String, (Option<ProviderKind>, bool)>,
    trusted_mode: PrivacyMode,
    diags: &mut Vec<ConfigDiagnostic>,
) -> WorkspaceTightening {
    let mut tight = WorkspaceTightening::default();
    let mut warn = |ws: &RawLayer, rel: &str, path: &[&str], why: &str| {
        diags.push(ConfigDiagnostic::warning(
            &ws.origin(rel),
            ws.line(rel, path),
            Some(path.join(".")),
            format!("ignored: {why}"),
        ));
    };
    if let Some(mut providers) = ws.data.providers.take() {
        let mut kept = BTreeMap::new();
        for (name, entry) in std::mem::take(&mut providers.providers) {
            let mut allowed = ProviderLayer::default();
            for field in entry.set_fields() {
                let path = ["providers", name.as_str(), field];
                match (field, entry.enabled) {
                    ("enabled", Some(false)) => allowed.enabled = Some(false),
                    ("enabled", Some(true)) => {
                        if trusted.get(&name).is_some_and(|(_, local)| *local) {
                            allowed.enabled = Some(true);
                        } else {
                            warn(
                                ws,
                                PROVIDERS_FILE,
                                &path,
                                "a workspace may not enable a non-local provider; enable it in your user config or editor settings",
                            );
                        }
                    }
                    _ => warn(
                        ws,
                        PROVIDERS_FILE,
                        &path,
                        "a workspace may not set a provider's endpoint, key, kind, locality, model or limits (CVE-2026-21852); set it in your user config or editor settings",
                    ),
                }
            }
            if allowed.enabled.is_some() && trusted.contains_key(&name) {
                kept.insert(name, allowed);
            }
        }
        ws.data.providers = Some(ProvidersFile { providers: kept });
    }
    if let Some(models) = ws.data.models.take() {
        let why = "a workspace may not route roles to models or change model options; set them in your user config";
        for role in models.roles.keys() {
            warn(ws, MODELS_FILE, &["roles", role.as_str()], why);
        }
        for model in models.models.keys() {
            warn(ws, MODELS_FILE, &["models", model.as_str()], why);
        }
        if models.defaults.is_some() {
            warn(ws, MODELS_FILE, &["defaults"], why);
        }
    }
    if let Some(privacy) = ws.data.privacy.take() {
        if let Some(mode) = privacy.mode {
            if mode.strictness() >= trusted_mode.strictness() {
                tight.min_mode = Some(mode);
            } else {
                warn(
                    ws,
                    PRIVACY_FILE,
                    &["mode"],
                    "a workspace may only make the privacy mode stricter",
                );
            }
        }
        tight.local_only_paths = privacy.local_only_paths.unwrap_or_default();
        tight.redact_patterns = privacy.redact_patterns.unwrap_or_default();
    }
    let mut turned_on = Vec::new();
    if let Some(settings) = ws.data.settings.as_mut()
        && let Some(ai) = settings.ai.as_mut()
    {
        if ai.enabled == Some(true) {
            ai.enabled = None;
            turned_on.push("enabled");
        }
        if ai.hover == Some(true) {
            ai.hover = None;
            turned_on.push("hover");
        }
    }
    for field in turned_on {
        warn(
            ws,
            SETTINGS_FILE,
            &["ai", field],
            "a workspace may turn AI features off, not on",
        );
    }
    tight
}

/// Per-provider merge state: the fields plus where the sensitive ones came from.
#[derive(Default)]
struct ProviderAcc {
    layer: ProviderLayer,
    origin: String,
    api_key_origin: String,
    base_url_origin: String,
}

/// Loads and merges every layer. Never fails; problems come back as diagnostics.
pub fn load_with(opts: &LoadOptions<'_>) -> (Config, Vec<ConfigDiagnostic>) {
    let mut diags = Vec::new();
    let mut sources = Vec::new();
    let builtin = read_builtin(&mut sources, &mut diags);
    let user = opts
        .user_dir
        .as_deref()
        .map(|dir| read_dir_layer(LayerKind::User, dir, &mut sources, &mut diags));
    let ws_root = opts.workspace_root.map(paths::workspace_config_dir);
    let mut workspace = ws_root
        .as_deref()
        .map(|dir| read_dir_layer(LayerKind::Workspace, dir, &mut sources, &mut diags));
    let editor = opts
        .editor
        .and_then(|v| read_editor(v, &mut sources, &mut diags));

    if let Some(dir) = &ws_root {
        let key_file = dir.join(keys::KEY_FILE_REL);
        if key_file.exists() {
            let origin = key_file.display().to_string();
            diags.push(ConfigDiagnostic::warning(
                &origin,
                None,
                None,
                "ignored: keys are never read from a workspace; put the key file in your user config dir".to_string(),
            ));
            sources.push(ConfigSource {
                layer: LayerKind::Workspace,
                origin,
                status: SourceStatus::Ignored,
            });
        }
    }

    // The trusted view (everything but the workspace) decides what the workspace may do.
    let trusted_layers: Vec<&RawLayer> = std::iter::once(&builtin)
        .chain(user.as_ref())
        .chain(editor.as_ref())
        .collect();
    let trusted = trusted_view(&trusted_layers);
    let trusted_mode = trusted_layers
        .iter()
        .filter_map(|l| l.data.privacy.as_ref().and_then(|p| p.mode))
        .next_back()
        .unwrap_or_default();
    let tightening = match workspace.as_mut() {
        Some(ws) => restrict_workspace(ws, &trusted, trusted_mode, &mut diags),
        None => WorkspaceTightening::default(),
    };

    let ordered: Vec<&RawLayer> = std::iter::once(&builtin)
        .chain(user.as_ref())
        .chain(workspace.as_ref())
        .chain(editor.as_ref())
        .collect();

    let mut provider_accs: BTreeMap<String, ProviderAcc> = BTreeMap::new();
    let mut models = ModelsConfig::default();
    let mut role_origins: BTreeMap<String, String> = BTreeMap::new();
    let mut privacy = PrivacyConfig::default();
    let mut rules = RulesConfig::default();
    let mut ai = AiConfig::default();

    for layer in &ordered {
        if let Some(p) = &layer.data.providers {
            let origin = layer.origin(PROVIDERS_FILE);
            for (name, entry) in &p.providers {
                let acc = provider_accs
                    .entry(name.clone())
                    .or_insert_with(|| ProviderAcc {
                        origin: origin.clone(),
                        ..ProviderAcc::default()
                    });
                merge_provider(acc, entry, &origin);
            }
        }
        if let Some(m) = &layer.data.models {
            for (role, targets) in &m.roles {
                models
                    .roles
                    .insert(role.clone(), targets.clone().into_vec());
                role_origins.insert(role.clone(), layer.origin(MODELS_FILE));
            }
            for (model, opts) in &m.models {
                let slot = models.models.entry(model.clone()).or_default();
                *slot = slot.merged(opts);
            }
            if let Some(d) = &m.defaults {
                models.defaults = models.defaults.merged(d);
            }
        }
        if let Some(p) = &layer.data.privacy {
            if let Some(mode) = p.mode {
                privacy.mode = mode;
            }
            if let Some(paths) = &p.local_only_paths {
                privacy.local_only_paths = paths.clone();
            }
            if let Some(pats) = &p.redact_patterns {
                privacy.redact_patterns = pats.clone();
            }
        }
        if let Some(s) = &layer.data.settings {
            merge_settings(layer, s, &mut rules, &mut ai, &mut diags);
        }
    }

    // Workspace tightening survives later layers.
    if let Some(mode) = tightening.min_mode
        && mode.strictness() > privacy.mode.strictness()
    {
        privacy.mode = mode;
    }
    for glob in tightening.local_only_paths {
        if !privacy.local_only_paths.contains(&glob) {
            privacy.local_only_paths.push(glob);
        }
    }
    for pat in tightening.redact_patterns {
        if !privacy.redact_patterns.contains(&pat) {
            privacy.redact_patterns.push(pat);
        }
    }
    validate_privacy(&mut privacy, &mut diags);

    let mut providers = BTreeMap::new();
    for (name, acc) in provider_accs {
        if let Some(p) = finalize_provider(&name, acc, opts.env, &mut diags) {
            providers.insert(name, p);
        }
    }
    for (role, targets) in &models.roles {
        for target in targets {
            let name = target
                .split_once('/')
                .map_or(target.as_str(), |(p, _)| p)
                .trim();
            if !providers.contains_key(name) {
                diags.push(ConfigDiagnostic::warning(
                    role_origins.get(role).map_or(MODELS_FILE, String::as_str),
                    None,
                    Some(format!("roles.{role}")),
                    format!(
                        "`{target}` names no configured provider `{name}`; it is skipped (typo?)"
                    ),
                ));
            }
        }
    }
    fill_from_key_file(&mut providers, opts, &mut diags);
    guard_ollama_keys(&mut providers, opts.env, &mut diags);

    let config = Config {
        providers,
        models,
        privacy,
        rules,
        ai,
        sources,
    };
    (config, diags)
}

fn merge_provider(acc: &mut ProviderAcc, entry: &ProviderLayer, origin: &str) {
    let l = &mut acc.layer;
    l.enabled = entry.enabled.or(l.enabled);
    l.kind = entry.kind.or(l.kind);
    if entry.base_url.is_some() {
        l.base_url = entry.base_url.clone();
        acc.base_url_origin = origin.to_string();
    }
    if entry.api_key.is_some() {
        l.api_key = entry.api_key.clone();
        acc.api_key_origin = origin.to_string();
    }
    l.default_model = entry.default_model.clone().or(l.default_model.take());
    l.local = entry.local.or(l.local);
    l.timeout_s = entry.timeout_s.or(l.timeout_s);
    l.max_retries = entry.max_retries.or(l.max_retries);
}

fn merge_settings(
    layer: &RawLayer,
    s: &SettingsFile,
    rules: &mut RulesConfig,
    ai: &mut AiConfig,
    diags: &mut Vec<ConfigDiagnostic>,
) {
    if let Some(r) = &s.rules {
        for (id, value) in &r.severity {
            let v = value.trim();
            let parsed = if v.eq_ignore_ascii_case("off") {
                Some(None)
            } else {
                Severity::parse(v).map(Some)
            };
            match parsed {
                Some(sev) => {
                    rules.severity.insert(id.clone(), sev);
                }
                None => diags.push(ConfigDiagnostic::error(
                    &layer.origin(SETTINGS_FILE),
                    layer.line(SETTINGS_FILE, &["rules", "severity", id]),
                    Some(format!("rules.severity.{id}")),
                    format!("`{v}` is not a severity; use error, warning, info, hint or off"),
                )),
            }
        }
        rules.disabled.extend(r.disabled.iter().cloned());
    }
    if let Some(ignore) = &s.ignore {
        for glob in ignore {
            match globset::Glob::new(glob) {
                Ok(_) if !rules.ignore.contains(glob) => rules.ignore.push(glob.clone()),
                Ok(_) => {}
                Err(err) => diags.push(ConfigDiagnostic::error(
                    &layer.origin(SETTINGS_FILE),
                    layer.line(SETTINGS_FILE, &["ignore"]),
                    Some("ignore".into()),
                    format!("bad glob `{glob}`: {err}; it was skipped"),
                )),
            }
        }
    }
    if let Some(a) = &s.ai {
        ai.enabled = a.enabled.unwrap_or(ai.enabled);
        ai.hover = a.hover.unwrap_or(ai.hover);
    }
}

fn validate_privacy(privacy: &mut PrivacyConfig, diags: &mut Vec<ConfigDiagnostic>) {
    privacy
        .local_only_paths
        .retain(|glob| match globset::Glob::new(glob) {
            Ok(_) => true,
            Err(err) => {
                diags.push(ConfigDiagnostic::error(
                    PRIVACY_FILE,
                    None,
                    Some("local_only_paths".into()),
                    format!("bad glob `{glob}`: {err}; it was skipped"),
                ));
                false
            }
        });
    privacy
        .redact_patterns
        .retain(|p| match regex::Regex::new(&p.regex) {
            Ok(_) => true,
            Err(err) => {
                diags.push(ConfigDiagnostic::error(
                    PRIVACY_FILE,
                    None,
                    Some(format!("redact_patterns.{}", p.id)),
                    format!("bad regex: {err}; it was skipped"),
                ));
                false
            }
        });
}

/// `OLLAMA_HOST`-style values (`0.0.0.0`, `host:port`) → a URL.
fn normalize_ollama_url(raw: &str) -> String {
    let mut s = raw.trim().to_string();
    if !s.contains("://") {
        s = format!("http://{s}");
    }
    if let Ok(mut url) = reqwest::Url::parse(&s) {
        if url.host_str() == Some("0.0.0.0") {
            let _ = url.set_host(Some("127.0.0.1"));
        }
        if url.port().is_none() && url.scheme() == "http" && !raw.contains("://") {
            let _ = url.set_port(Some(11434));
        }
        s = url.to_string();
    }
    s
}

/// Whether `url`'s host is loopback.
pub fn is_loopback_url(url: &reqwest::Url) -> bool {
    match url.host_str() {
        Some(host) => {
            let host = host.trim_start_matches('[').trim_end_matches(']');
            host.eq_ignore_ascii_case("localhost")
                || host
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        None => false,
    }
}

fn finalize_provider(
    name: &str,
    acc: ProviderAcc,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Vec<ConfigDiagnostic>,
) -> Option<ProviderSettings> {
    let l = acc.layer;
    let Some(kind) = l.kind.or_else(|| ProviderKind::parse(name)) else {
        diags.push(ConfigDiagnostic::error(
            &acc.origin,
            None,
            Some(format!("providers.{name}.kind")),
            format!(
                "provider `{name}` has no `kind` and its name is not one; add `kind: ollama`, `openai`, `anthropic` or `gemini`"
            ),
        ));
        return None;
    };
    let mut enabled = l.enabled.unwrap_or(true);
    let local = l.local.unwrap_or(kind == ProviderKind::Ollama);

    let base_origin = if acc.base_url_origin.is_empty() {
        "built-in default".to_string()
    } else {
        acc.base_url_origin.clone()
    };
    let raw_url = l
        .base_url
        .clone()
        .unwrap_or_else(|| kind.default_base_url().to_string());
    let expanded = env::expand_with(&raw_url, env);
    if enabled && !expanded.missing.is_empty() {
        diags.push(ConfigDiagnostic::warning(
            &base_origin,
            None,
            Some(format!("providers.{name}.base_url")),
            format!(
                "uses unset variable(s) {}; set them or write the URL",
                expanded.missing.join(", ")
            ),
        ));
    }
    let url_text = if kind == ProviderKind::Ollama {
        normalize_ollama_url(&expanded.value)
    } else {
        expanded.value.trim().to_string()
    };
    let base_url = match reqwest::Url::parse(&url_text) {
        Ok(url) if matches!(url.scheme(), "http" | "https") && url.host().is_some() => {
            if enabled && url.scheme() == "http" && !is_loopback_url(&url) {
                diags.push(ConfigDiagnostic::warning(
                    &base_origin,
                    None,
                    Some(format!("providers.{name}.base_url")),
                    format!(
                        "`{}` is plain http to a non-loopback host: prompts travel unencrypted and anyone on the network can reach it; use https or a loopback address",
                        url.as_str()
                    ),
                ));
            }
            url.as_str().trim_end_matches('/').to_string()
        }
        _ => {
            if enabled {
                diags.push(ConfigDiagnostic::error(
                    &base_origin,
                    None,
                    Some(format!("providers.{name}.base_url")),
                    format!(
                        "`{url_text}` is not an http(s) URL; provider `{name}` is disabled until it is fixed"
                    ),
                ));
            }
            enabled = false;
            url_text
        }
    };

    let (api_key, key_source) = match &l.api_key {
        None => (None, KeySource::None),
        Some(secret) => {
            let raw = secret.expose_secret();
            let expanded = env::expand_with(raw, env);
            let source = match env::sole_var(raw) {
                Some(var) if expanded.missing.is_empty() => KeySource::Env {
                    var: var.to_string(),
                },
                Some(var) => KeySource::MissingEnv {
                    var: var.to_string(),
                },
                None if expanded.vars.is_empty() => KeySource::Literal {
                    origin: acc.api_key_origin.clone(),
                },
                None => match expanded.vars.first() {
                    Some(var) if !expanded.missing.is_empty() => {
                        KeySource::MissingEnv { var: var.clone() }
                    }
                    Some(var) => KeySource::Env { var: var.clone() },
                    None => KeySource::None,
                },
            };
            if expanded.value.trim().is_empty() {
                (None, source)
            } else {
                (Some(SecretString::from(expanded.value)), source)
            }
        }
    };

    let default_model = l
        .default_model
        .as_deref()
        .map(|m| env::expand_with(m, env).value)
        .filter(|m| !m.trim().is_empty());

    Some(ProviderSettings {
        name: name.to_string(),
        kind,
        enabled,
        base_url,
        api_key,
        key_source,
        default_model,
        local,
        timeout_s: l.timeout_s,
        max_retries: l.max_retries.unwrap_or(2),
    })
}

fn fill_from_key_file(
    providers: &mut BTreeMap<String, ProviderSettings>,
    opts: &LoadOptions<'_>,
    diags: &mut Vec<ConfigDiagnostic>,
) {
    let wanting: Vec<String> = providers
        .values()
        .filter(|p| p.enabled && p.api_key.is_none() && p.kind != ProviderKind::Ollama)
        .map(|p| p.name.clone())
        .collect();
    if wanting.is_empty() {
        return;
    }
    let Some(path) = opts
        .user_dir
        .as_ref()
        .map(|d| d.join(keys::KEY_FILE_REL))
        .filter(|p| p.is_file())
    else {
        return;
    };
    let origin = path.display().to_string();
    let Some(pass) = (opts.env)(keys::PASSPHRASE_ENV)
        .filter(|p| !p.is_empty())
        .map(SecretString::from)
    else {
        diags.push(ConfigDiagnostic::warning(
            &origin,
            None,
            None,
            format!(
                "encrypted key file not opened: set {} to its passphrase",
                keys::PASSPHRASE_ENV
            ),
        ));
        return;
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(err) => {
            diags.push(ConfigDiagnostic::error(
                &origin,
                None,
                None,
                format!("cannot read: {err}"),
            ));
            return;
        }
    };
    match keys::decrypt_key_file(&text, &pass) {
        Ok(mut map) => {
            for name in wanting {
                if let (Some(p), Some(key)) = (providers.get_mut(&name), map.remove(&name)) {
                    p.api_key = Some(key);
                    p.key_source = KeySource::KeyFile;
                }
            }
        }
        Err(err) => diags.push(ConfigDiagnostic::error(
            &origin,
            None,
            None,
            err.to_string(),
        )),
    }
}

/// Ollama has no authentication; a cloud key sent there is a leaked key.
fn guard_ollama_keys(
    providers: &mut BTreeMap<String, ProviderSettings>,
    env: &dyn Fn(&str) -> Option<String>,
    diags: &mut Vec<ConfigDiagnostic>,
) {
    let mut cloud_keys: Vec<String> = CLOUD_KEY_VARS
        .iter()
        .filter_map(|v| env(v))
        .filter(|v| !v.is_empty())
        .collect();
    cloud_keys.extend(
        providers
            .values()
            .filter(|p| p.kind != ProviderKind::Ollama)
            .filter_map(|p| p.api_key.as_ref().map(|k| k.expose_secret().to_string())),
    );
    for p in providers
        .values_mut()
        .filter(|p| p.kind == ProviderKind::Ollama)
    {
        let from_cloud_var = match &p.key_source {
            KeySource::Env { var } | KeySource::MissingEnv { var } => {
                CLOUD_KEY_VARS.contains(&var.as_str())
            }
            _ => false,
        };
        let equals_cloud = p
            .api_key
            .as_ref()
            .is_some_and(|k| cloud_keys.iter().any(|c| c == k.expose_secret()));
        if from_cloud_var || equals_cloud {
            p.api_key = None;
            p.key_source = KeySource::None;
            diags.push(ConfigDiagnostic::warning(
                PROVIDERS_FILE,
                None,
                Some(format!("providers.{}.api_key", p.name)),
                "ignored: a cloud provider's key is never sent to an Ollama endpoint".to_string(),
            ));
        }
    }
}

#[cfg(test)]
mod tests;
