//! Server-wide state shared by handlers: negotiated encoding, workspace root, trust, rules.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::config::{Config, ConfigDiagnostic};
use crate::rules::{LoadError, RuleSet, SeverityOverrides};
use crate::text::PositionEncoding;

/// Mutable settings behind short-lived locks (never held across `.await`).
pub struct ServerState {
    encoding: RwLock<PositionEncoding>,
    root: RwLock<Option<PathBuf>>,
    trusted: RwLock<bool>,
    rules: RwLock<Arc<RuleSet>>,
    editor_settings: RwLock<serde_json::Value>,
    config: RwLock<Arc<Config>>,
    index: RwLock<Option<crate::index::IndexHandle>>,
    work_done_progress: RwLock<bool>,
}

impl ServerState {
    pub fn new(rules: Arc<RuleSet>) -> ServerState {
        ServerState {
            encoding: RwLock::new(PositionEncoding::Utf16),
            root: RwLock::new(None),
            trusted: RwLock::new(true),
            rules: RwLock::new(rules),
            editor_settings: RwLock::new(serde_json::Value::Null),
            config: RwLock::new(Arc::new(Config::default())),
            index: RwLock::new(None),
            work_done_progress: RwLock::new(false),
        }
    }

    /// The workspace's index, once it has been opened.
    pub fn index(&self) -> Option<crate::index::IndexHandle> {
        self.index.read().ok().and_then(|g| g.clone())
    }

    pub fn set_index(&self, handle: crate::index::IndexHandle) {
        if let Ok(mut g) = self.index.write() {
            *g = Some(handle);
        }
    }

    /// Whether the client accepts server-initiated `workDoneProgress`.
    pub fn work_done_progress(&self) -> bool {
        self.work_done_progress.read().map(|g| *g).unwrap_or(false)
    }

    pub fn set_work_done_progress(&self, on: bool) {
        if let Ok(mut g) = self.work_done_progress.write() {
            *g = on;
        }
    }

    /// The layered configuration (defaults → user → workspace, restricted → editor settings).
    pub fn config(&self) -> Arc<Config> {
        match self.config.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn encoding(&self) -> PositionEncoding {
        self.encoding.read().map(|g| *g).unwrap_or_default()
    }

    pub fn set_encoding(&self, enc: PositionEncoding) {
        if let Ok(mut g) = self.encoding.write() {
            *g = enc;
        }
    }

    pub fn root(&self) -> Option<PathBuf> {
        self.root.read().ok().and_then(|g| g.clone())
    }

    pub fn set_root(&self, root: Option<PathBuf>) {
        if let Ok(mut g) = self.root.write() {
            *g = root;
        }
    }

    pub fn trusted(&self) -> bool {
        self.trusted.read().map(|g| *g).unwrap_or(false)
    }

    pub fn set_trusted(&self, trusted: bool) {
        if let Ok(mut g) = self.trusted.write() {
            *g = trusted;
        }
    }

    pub fn rules(&self) -> Arc<RuleSet> {
        match self.rules.read() {
            Ok(g) => g.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn editor_settings(&self) -> serde_json::Value {
        self.editor_settings
            .read()
            .map(|g| g.clone())
            .unwrap_or_default()
    }

    pub fn set_editor_settings(&self, v: serde_json::Value) {
        if let Ok(mut g) = self.editor_settings.write() {
            *g = v;
        }
    }

    /// Reloads the configuration and the rules of every layer (the workspace's rule files only
    /// when the workspace is trusted). Returns the rules, rule-file problems found so far (YAML;
    /// query problems appear after `compile_all`) and config problems. Cheap: no query compiles.
    pub fn reload(&self) -> (Arc<RuleSet>, Vec<LoadError>, Vec<ConfigDiagnostic>) {
        let root = self.root();
        let trusted = self.trusted();
        let workspace = if trusted { root.as_deref() } else { None };
        let editor = self.editor_settings();
        let (config, config_diags) = crate::config::load(workspace, Some(&editor));
        let config = Arc::new(config);
        if let Ok(mut g) = self.config.write() {
            *g = config.clone();
        }
        let sources = RuleSet::sources_for(workspace);
        let overrides = rule_overrides(&config, &editor);
        // Queries compile lazily; callers run `compile_all` off the request path for a full report.
        let rules = Arc::new(RuleSet::load(&sources, overrides));
        let errors = rules.errors();
        if let Ok(mut g) = self.rules.write() {
            *g = rules.clone();
        }
        (rules, errors, config_diags)
    }
}

/// Severity overrides from the configuration (`settings.yaml` `rules.severity` / `rules.disabled`)
/// and the editor's `rules.severity` setting (which wins).
pub fn rule_overrides(config: &Config, editor: &serde_json::Value) -> SeverityOverrides {
    let mut out = config.rules.severity.clone();
    for id in &config.rules.disabled {
        out.insert(id.clone(), None);
    }
    out.extend(severity_overrides(editor));
    out
}

/// `rules.severity` from editor settings: `{ "rule-id": "error" | "warning" | "info" | "hint" | "off" }`.
fn severity_overrides(settings: &serde_json::Value) -> SeverityOverrides {
    let mut out = SeverityOverrides::new();
    if let Some(map) = settings
        .pointer("/rules/severity")
        .and_then(|v| v.as_object())
    {
        for (id, v) in map {
            match v.as_str() {
                Some("off") => {
                    out.insert(id.clone(), None);
                }
                Some(s) => {
                    if let Some(sev) = crate::rules::Severity::parse(s) {
                        out.insert(id.clone(), Some(sev));
                    }
                }
                None => {}
            }
        }
    }
    out
}
