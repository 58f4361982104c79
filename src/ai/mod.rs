//! Model providers (Ollama, OpenAI-compatible, Anthropic, Gemini) behind one trait, with
//! streaming, retries, deadlines, cancellation and a circuit breaker; plus the provider-neutral
//! prompt and reply handling that the `ai` CLI and the LSP AI actions share.
//!
//! Map: [`provider`] (trait, request/result types, construction from settings), [`http`] (the
//! shared client and call driver), [`stream`] (SSE/NDJSON framing), [`retry`] (policy, breaker),
//! one file per wire format, [`error`] (one sentence per failure); then the provider-neutral
//! action code: [`prompt`] (target node, imports, prompts), [`reply`] (code extraction,
//! re-indent, parse check, minimal edit) and [`action`] (the whole run, with privacy guard and
//! audit line). Nothing here prints, and nothing here knows about LSP or the CLI.

pub mod action;
pub mod anthropic;
pub mod error;
pub mod gemini;
pub mod http;
pub mod ollama;
pub mod openai;
pub mod prompt;
pub mod provider;
pub mod reply;
pub mod retry;
pub mod stream;

pub use error::ProviderError;
pub use provider::{
    BoxFuture, ChatRequest, Completion, FinishReason, Message, ModelProvider, ProviderKind,
    ProviderSpec, Role, Usage, build_provider,
};
