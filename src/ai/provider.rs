//! The provider abstraction: one object-safe trait every backend implements, the request and
//! result types it speaks, and construction of a provider from its settings.
//!
//! Callers never see wire formats: they hand over a [`ChatRequest`], receive text deltas through
//! a callback while the answer streams (for progress only), and get a complete [`Completion`]
//! or a [`ProviderError`] at the end, never a partial result.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use secrecy::SecretString;
use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::http::Endpoint;

/// A boxed, sendable future; keeps [`ModelProvider`] object-safe without `async_trait`.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// The callback that receives text deltas as they arrive.
pub type OnChunk<'a> = &'a mut (dyn FnMut(&str) + Send);

/// Who said a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    System,
    User,
    Assistant,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::System => "system",
            Role::User => "user",
            Role::Assistant => "assistant",
        }
    }
}

/// One chat message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub content: String,
}

impl Message {
    pub fn user(content: impl Into<String>) -> Message {
        Message {
            role: Role::User,
            content: content.into(),
        }
    }

    pub fn assistant(content: impl Into<String>) -> Message {
        Message {
            role: Role::Assistant,
            content: content.into(),
        }
    }
}

/// A chat request, provider-neutral.
#[derive(Debug, Clone)]
pub struct ChatRequest {
    /// The model; `None` uses the provider's `default_model`.
    pub model: Option<String>,
    pub system: Option<String>,
    pub messages: Vec<Message>,
    /// Upper bound on generated tokens (Ollama `num_predict`, Gemini `maxOutputTokens`).
    pub max_tokens: u32,
    pub temperature: Option<f32>,
    pub stop: Vec<String>,
    /// Deadline for the whole call, retries included; `None` uses the provider's `timeout_s`.
    pub timeout: Option<Duration>,
    /// Context window to ask a local server for (Ollama `num_ctx`).
    pub context_size: Option<u32>,
    /// How long a local server keeps the model loaded (Ollama `keep_alive`, e.g. `"30m"`).
    pub keep_alive: Option<String>,
    /// Stream the answer (default). `false` asks for one JSON body; the callback then gets the
    /// whole text once.
    pub stream: bool,
}

impl Default for ChatRequest {
    fn default() -> Self {
        ChatRequest {
            model: None,
            system: None,
            messages: Vec::new(),
            max_tokens: 1024,
            temperature: None,
            stop: Vec::new(),
            timeout: None,
            context_size: None,
            keep_alive: None,
            stream: true,
        }
    }
}

/// Why generation stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    /// Natural end or a stop sequence.
    Stop,
    /// The token limit was hit; the text may be cut off.
    Length,
    /// A safety or content filter stopped it.
    ContentFilter,
    /// The model asked for a tool call.
    ToolCalls,
    /// Anything else, verbatim.
    Other(String),
}

impl FinishReason {
    /// Maps the vendors' names (`stop`, `end_turn`, `STOP`, `max_tokens`, `MAX_TOKENS`, …).
    pub fn from_wire(reason: &str) -> FinishReason {
        match reason {
            "stop" | "end_turn" | "stop_sequence" | "STOP" | "eos" => FinishReason::Stop,
            "length" | "max_tokens" | "MAX_TOKENS" | "model_length" => FinishReason::Length,
            "content_filter" | "refusal" | "SAFETY" | "RECITATION" | "BLOCKLIST"
            | "PROHIBITED_CONTENT" | "SPII" => FinishReason::ContentFilter,
            "tool_calls" | "tool_use" | "function_call" => FinishReason::ToolCalls,
            other => FinishReason::Other(other.to_string()),
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            FinishReason::Stop => "stop",
            FinishReason::Length => "length",
            FinishReason::ContentFilter => "content_filter",
            FinishReason::ToolCalls => "tool_calls",
            FinishReason::Other(s) => s,
        }
    }
}

/// Token counts as reported by the server (absent when it does not say).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Usage {
    pub input_tokens: Option<u64>,
    pub output_tokens: Option<u64>,
}

/// A complete answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    pub text: String,
    pub finish_reason: FinishReason,
    pub usage: Usage,
    /// The model that answered, as the server names it.
    pub model: String,
    /// How many times the request was retried before it succeeded.
    pub retries: u32,
}

/// The wire protocol a provider speaks (the configuration's enum, shared).
pub use crate::config::ProviderKind;

/// A backend that answers chat requests.
pub trait ModelProvider: Send + Sync {
    /// The HTTP endpoint (settings, client, retries, breaker) the provider talks through.
    fn endpoint(&self) -> &Endpoint;
    /// The configured name (`ollama`, `my-llamacpp`, …), used in every message.
    fn name(&self) -> &str {
        &self.endpoint().name
    }
    fn kind(&self) -> ProviderKind;
    /// May receive local-only content.
    fn is_local(&self) -> bool {
        self.endpoint().local
    }
    fn default_model(&self) -> Option<&str> {
        self.endpoint().default_model.as_deref()
    }
    /// Sends `request`; `on_chunk` gets text deltas as they arrive. Cancelling `cancel` (or
    /// dropping the future) aborts the HTTP request.
    fn chat_stream<'a>(
        &'a self,
        request: &'a ChatRequest,
        on_chunk: OnChunk<'a>,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>>;
    /// Model names the server offers.
    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, ProviderError>>;
    /// Embeddings of `inputs`, one vector each, in order.
    fn embed<'a>(
        &'a self,
        model: Option<&'a str>,
        inputs: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, ProviderError>>;
}

/// What is needed to build a provider. Mirrors the config layer's provider settings.
#[derive(Debug, Clone)]
pub struct ProviderSpec {
    pub name: String,
    pub kind: ProviderKind,
    pub enabled: bool,
    /// `None` uses the vendor endpoint ([`super::http::vendor_base_url`]).
    pub base_url: Option<String>,
    pub api_key: Option<SecretString>,
    pub default_model: Option<String>,
    pub local: bool,
    /// Default deadline of a call; 30 s when absent.
    pub timeout_s: Option<u64>,
    /// Retries on transient failures; 2 when absent.
    pub max_retries: Option<u32>,
    /// Longest silence between two chunks of a response; 30 s (or the deadline) when absent.
    pub read_timeout: Option<Duration>,
}

impl ProviderSpec {
    /// A spec with the vendor defaults for `kind`, named after it.
    pub fn new(name: impl Into<String>, kind: ProviderKind) -> ProviderSpec {
        ProviderSpec {
            name: name.into(),
            kind,
            enabled: true,
            base_url: None,
            api_key: None,
            default_model: None,
            local: kind == ProviderKind::Ollama,
            timeout_s: None,
            max_retries: None,
            read_timeout: None,
        }
    }
}

impl From<&crate::config::ProviderSettings> for ProviderSpec {
    /// The provider as the merged configuration describes it (already expanded and validated).
    fn from(settings: &crate::config::ProviderSettings) -> ProviderSpec {
        ProviderSpec {
            name: settings.name.clone(),
            kind: settings.kind,
            enabled: settings.enabled,
            base_url: Some(settings.base_url.clone()),
            api_key: settings.api_key.clone(),
            default_model: settings.default_model.clone(),
            local: settings.local,
            timeout_s: settings.timeout_s,
            max_retries: Some(settings.max_retries),
            read_timeout: None,
        }
    }
}

/// Default per-call deadline.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default number of retries.
pub const DEFAULT_MAX_RETRIES: u32 = 2;

/// Builds the provider for `spec`. Fails only on settings that can never work (a malformed
/// `base_url`); a missing key is reported when the provider is used, so `doctor` can list it.
pub fn build_provider(spec: &ProviderSpec) -> Result<Arc<dyn ModelProvider>, ProviderError> {
    let endpoint = Endpoint::from_spec(spec)?;
    Ok(match spec.kind {
        ProviderKind::Ollama => Arc::new(super::ollama::Ollama::new(endpoint)),
        ProviderKind::Openai => Arc::new(super::openai::OpenAi::new(endpoint)),
        ProviderKind::Anthropic => Arc::new(super::anthropic::Anthropic::new(endpoint)),
        ProviderKind::Gemini => Arc::new(super::gemini::Gemini::new(endpoint)),
    })
}

/// Fails with a clear sentence when no model was given and the provider has no default.
pub(crate) fn pick_model<'a>(
    provider: &str,
    request: Option<&'a str>,
    default: Option<&'a str>,
) -> Result<&'a str, ProviderError> {
    request
        .or(default)
        .filter(|m| !m.is_empty())
        .ok_or_else(|| ProviderError::Config {
            provider: provider.to_string(),
            message: "no model given and no default_model configured".to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_reasons_map_across_vendors() {
        assert_eq!(FinishReason::from_wire("end_turn"), FinishReason::Stop);
        assert_eq!(FinishReason::from_wire("MAX_TOKENS"), FinishReason::Length);
        assert_eq!(
            FinishReason::from_wire("SAFETY"),
            FinishReason::ContentFilter
        );
        assert_eq!(
            FinishReason::from_wire("weird"),
            FinishReason::Other("weird".into())
        );
    }

    #[test]
    fn spec_debug_never_shows_the_key() {
        let mut spec = ProviderSpec::new("openai", ProviderKind::Openai);
        spec.api_key = Some(SecretString::from("sk-very-secret-value"));
        let debug = format!("{spec:?}");
        assert!(!debug.contains("sk-very-secret-value"), "{debug}");
    }

    #[test]
    fn bad_base_url_is_a_config_error() {
        let mut spec = ProviderSpec::new("x", ProviderKind::Ollama);
        spec.base_url = Some("not a url".into());
        let err = build_provider(&spec)
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default();
        assert!(err.starts_with("x: invalid configuration"), "{err}");
    }
}
