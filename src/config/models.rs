//! Roles → models: `llm/models.yaml` after merging, and the fallback order of [`ModelsConfig::resolve_role`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{ProviderKind, ProviderSettings};

/// Per-model options; every field optional so layers and `defaults` merge.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelOptions {
    /// Context window (Ollama `num_ctx`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub num_ctx: Option<u32>,
    /// Most tokens to generate (Ollama `num_predict`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f32>,
    /// Whole-request deadline in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout_s: Option<u64>,
    /// Ollama `keep_alive` (e.g. `"5m"`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub keep_alive: Option<String>,
}

impl ModelOptions {
    /// `self` with every field that `over` sets replaced.
    pub fn merged(&self, over: &ModelOptions) -> ModelOptions {
        ModelOptions {
            num_ctx: over.num_ctx.or(self.num_ctx),
            max_tokens: over.max_tokens.or(self.max_tokens),
            temperature: over.temperature.or(self.temperature),
            timeout_s: over.timeout_s.or(self.timeout_s),
            keep_alive: over.keep_alive.clone().or_else(|| self.keep_alive.clone()),
        }
    }
}

/// Default deadline for the `hover` role, in seconds.
pub const HOVER_TIMEOUT_S: u64 = 10;
/// Default deadline for every other role, in seconds.
pub const ACTION_TIMEOUT_S: u64 = 30;

/// Merged `llm/models.yaml`.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ModelsConfig {
    /// Role → ordered targets (`provider/model`, or `provider` for its default model).
    pub roles: BTreeMap<String, Vec<String>>,
    /// `provider/model` → options.
    pub models: BTreeMap<String, ModelOptions>,
    /// Options applied to every model first.
    pub defaults: ModelOptions,
}

/// One candidate for a role, in the order to try.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ResolvedModel {
    pub provider: String,
    pub kind: ProviderKind,
    pub local: bool,
    pub model: String,
    /// Merged options; `timeout_s` is always set.
    pub options: ModelOptions,
}

impl ModelsConfig {
    /// Candidates for `role`, best first: the role's targets whose provider exists and is enabled,
    /// then the first enabled provider (local ones first, then by name) with its `default_model`.
    /// Empty when no provider is enabled.
    pub fn resolve_role(
        &self,
        role: &str,
        providers: &BTreeMap<String, ProviderSettings>,
    ) -> Vec<ResolvedModel> {
        let mut out: Vec<ResolvedModel> = Vec::new();
        let targets = self.roles.get(role).map(Vec::as_slice).unwrap_or(&[]);
        for target in targets {
            let (provider_name, model) = match target.split_once('/') {
                Some((p, m)) => (p.trim(), m.trim()),
                None => (target.trim(), ""),
            };
            let Some(provider) = providers.get(provider_name).filter(|p| p.enabled) else {
                continue;
            };
            let model = if model.is_empty() {
                match &provider.default_model {
                    Some(m) => m.clone(),
                    None => continue,
                }
            } else {
                model.to_string()
            };
            self.push_candidate(&mut out, role, provider, model);
        }
        let mut enabled: Vec<&ProviderSettings> =
            providers.values().filter(|p| p.enabled).collect();
        enabled.sort_by_key(|p| (!p.local, p.name.clone()));
        if let Some((provider, model)) = enabled
            .iter()
            .find_map(|p| p.default_model.clone().map(|m| (*p, m)))
        {
            self.push_candidate(&mut out, role, provider, model);
        }
        out
    }

    fn push_candidate(
        &self,
        out: &mut Vec<ResolvedModel>,
        role: &str,
        provider: &ProviderSettings,
        model: String,
    ) {
        if out
            .iter()
            .any(|c| c.provider == provider.name && c.model == model)
        {
            return;
        }
        let key = format!("{}/{}", provider.name, model);
        let mut options = self.defaults.clone();
        if let Some(own) = self.models.get(&key) {
            options = options.merged(own);
        }
        if options.timeout_s.is_none() {
            options.timeout_s = Some(provider.timeout_s.unwrap_or(if role == "hover" {
                HOVER_TIMEOUT_S
            } else {
                ACTION_TIMEOUT_S
            }));
        }
        out.push(ResolvedModel {
            provider: provider.name.clone(),
            kind: provider.kind,
            local: provider.local,
            model,
            options,
        });
    }
}
