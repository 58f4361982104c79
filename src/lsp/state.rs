//! Server-wide state shared by handlers: negotiated encoding, workspace root, trust, rules.

use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use crate::rules::{LoadError, RuleSet, SeverityOverrides};
use crate::text::PositionEncoding;

/// Mutable settings behind short-lived locks (never held across `.await`).
pub struct ServerState {
    encoding: RwLock<PositionEncoding>,
    root: RwLock<Option<PathBuf>>,
    trusted: RwLock<bool>,
    rules: RwLock<Arc<RuleSet>>,
    editor_settings: RwLock<serde_json::Value>,
}

impl ServerState {
    pub fn new(rules: Arc<RuleSet>) -> ServerState {
        ServerState {
            encoding: RwLock::new(PositionEncoding::Utf16),
            root: RwLock::new(None),
            trusted: RwLock::new(true),
            rules: RwLock::new(rules),
            editor_settings: RwLock::new(serde_json::Value::Null),
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
        self.editor_settings.read().map(|g| g.clone()).unwrap_or_default()
    }

    pub fn set_editor_settings(&self, v: serde_json::Value) {
        if let Ok(mut g) = self.editor_settings.write() {
            *g = v;
        }
    }

    /// Reloads rules from every layer (the workspace layer only when trusted).
    pub fn reload_rules(&self) -> (Arc<RuleSet>, Vec<LoadError>) {
        let root = self.root();
        let workspace = if self.trusted() { root.as_deref() } else { None };
        let sources = RuleSet::sources_for(workspace);
        let overrides = severity_overrides(&self.editor_settings());
        let rules = Arc::new(RuleSet::load(&sources, overrides));
        // Compile every language now so broken queries are reported (called off the request path).
        rules.compile_all();
        let errors = rules.errors();
        if let Ok(mut g) = self.rules.write() {
            *g = rules.clone();
        }
        (rules, errors)
    }
}

/// `rules.severity` from editor settings: `{ "rule-id": "error" | "warning" | "info" | "hint" | "off" }`.
fn severity_overrides(settings: &serde_json::Value) -> SeverityOverrides {
    let mut out = SeverityOverrides::new();
    if let Some(map) = settings.pointer("/rules/severity").and_then(|v| v.as_object()) {
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
