//! One AI action from start to finish, front-end neutral (the `ai` CLI and the LSP both call
//! [`run_action`]): find the target node, build the prompt, pass it through the privacy guard,
//! call the provider (streaming, cancellable), append the audit line, and turn the reply into an
//! explanation or a proposed edit. Never writes files.

use std::time::Instant;

use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::prompt::{self, Action, Context, DiagnosticContext, PromptError, PromptInput};
use super::provider::{ChatRequest, Completion, Message, ModelProvider};
use super::reply::{self, Proposal, ReplyError};
use crate::audit::{AuditEntry, AuditLog};
use crate::syntax::Lang;

/// What the privacy layer does to a prompt before it leaves the process.
pub trait PromptGuard: Send + Sync {
    /// Returns the text to send and the number of secrets replaced, or a refusal sentence
    /// (e.g. a local-only file and a non-local provider).
    fn prepare(&self, provider_local: bool, path: &str, text: &str) -> Result<Guarded, String>;
}

/// A prompt after the guard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Guarded {
    pub text: String,
    pub redactions: usize,
}

/// A guard that sends the text unchanged (privacy `mode: off`, and tests of other layers).
#[derive(Debug, Clone, Copy, Default)]
pub struct PassThrough;

impl PromptGuard for PassThrough {
    fn prepare(&self, _provider_local: bool, _path: &str, text: &str) -> Result<Guarded, String> {
        Ok(Guarded {
            text: text.to_string(),
            redactions: 0,
        })
    }
}

/// Generation options resolved from `models.yaml` for the chosen model.
#[derive(Debug, Clone, Default)]
pub struct GenerationOptions {
    pub max_tokens: Option<u32>,
    pub temperature: Option<f32>,
    pub timeout: Option<std::time::Duration>,
    pub context_size: Option<u32>,
    pub keep_alive: Option<String>,
}

/// One action to run.
#[derive(Debug, Clone)]
pub struct ActionRequest<'a> {
    pub action: Action,
    pub lang: Lang,
    /// The file as shown to the user and written to the audit log (workspace-relative).
    pub path: &'a str,
    pub text: &'a str,
    /// Byte offset of the cursor; `None` for the whole file.
    pub offset: Option<usize>,
    pub instruction: Option<&'a str>,
    pub diagnostics: &'a [DiagnosticContext],
    /// `None`: the provider's default model.
    pub model: Option<&'a str>,
    pub options: GenerationOptions,
}

/// What the action produced.
#[derive(Debug, Clone)]
pub enum ActionOutput {
    Explanation(String),
    Edit(Proposal),
}

/// A finished action.
#[derive(Debug, Clone)]
pub struct ActionOutcome {
    pub output: ActionOutput,
    pub context: Context,
    pub completion: Completion,
    pub redactions: usize,
}

/// Why an action produced nothing usable. Each renders as one sentence.
#[derive(Debug, thiserror::Error)]
pub enum ActionError {
    #[error("{0}")]
    Prompt(#[from] PromptError),
    #[error("{0}")]
    Provider(#[from] ProviderError),
    #[error("{provider}: {error}; try again or rephrase the instruction")]
    Reply { provider: String, error: ReplyError },
    #[error("{0}")]
    Refused(String),
}

/// Runs an action. `on_chunk` sees the reply as it streams (progress only).
pub async fn run_action(
    provider: &dyn ModelProvider,
    request: &ActionRequest<'_>,
    guard: &dyn PromptGuard,
    audit: Option<&AuditLog>,
    on_chunk: &mut (dyn FnMut(&str) + Send),
    cancel: &CancellationToken,
) -> Result<ActionOutcome, ActionError> {
    let context = prompt::context(request.lang, request.text, request.offset)?;
    let built = prompt::build(&PromptInput {
        action: request.action,
        path: request.path,
        text: request.text,
        context: &context,
        instruction: request.instruction,
        diagnostics: request.diagnostics,
    })?;
    let guarded = guard.prepare(provider.is_local(), request.path, &built.user);
    let model_name = request
        .model
        .or(provider.default_model())
        .unwrap_or("")
        .to_string();
    let mut entry = AuditEntry {
        provider: provider.name().to_string(),
        model: model_name,
        action: request.action.name().to_string(),
        file: Some(request.path.to_string()),
        ..AuditEntry::default()
    };
    let guarded = match guarded {
        Ok(g) => g,
        Err(reason) => {
            entry.outcome = "refused".to_string();
            write_audit(audit, entry);
            return Err(ActionError::Refused(reason));
        }
    };
    let chat = ChatRequest {
        model: request.model.map(str::to_string),
        system: Some(built.system.clone()),
        messages: vec![Message::user(guarded.text.clone())],
        max_tokens: request
            .options
            .max_tokens
            .unwrap_or(if request.action.is_edit() { 2048 } else { 1024 }),
        temperature: Some(request.options.temperature.unwrap_or(0.2)),
        stop: Vec::new(),
        timeout: request.options.timeout,
        context_size: request.options.context_size,
        keep_alive: request.options.keep_alive.clone(),
        stream: true,
    };
    let sent = format!("{}\n\n{}", built.system, guarded.text);
    let started = Instant::now();
    let result = provider.chat_stream(&chat, on_chunk, cancel).await;
    entry.latency_ms = started.elapsed().as_millis() as u64;
    entry.redactions = guarded.redactions as u64;
    let completion = match result {
        Ok(c) => c,
        Err(err) => {
            entry.outcome = match &err {
                ProviderError::Cancelled { .. } => "cancelled".to_string(),
                other => format!("error: {}", other.code()),
            };
            write_audit(audit, entry.with_payloads(&sent, ""));
            return Err(err.into());
        }
    };
    if !completion.model.is_empty() {
        entry.model = completion.model.clone();
    }
    entry.tokens_in = completion.usage.input_tokens;
    entry.tokens_out = completion.usage.output_tokens;
    let output = if request.action.is_edit() {
        match reply::propose(
            request.action,
            &context.target,
            request.text,
            &completion.text,
        ) {
            Ok(p) => ActionOutput::Edit(p),
            Err(error) => {
                entry.outcome = format!(
                    "error: {}",
                    if error == ReplyError::NoCode {
                        "no_code"
                    } else {
                        "no_change"
                    }
                );
                write_audit(audit, entry.with_payloads(&sent, &completion.text));
                return Err(ActionError::Reply {
                    provider: provider.name().to_string(),
                    error,
                });
            }
        }
    } else {
        ActionOutput::Explanation(completion.text.trim().to_string())
    };
    entry.outcome = "ok".to_string();
    write_audit(audit, entry.with_payloads(&sent, &completion.text));
    Ok(ActionOutcome {
        output,
        context,
        completion,
        redactions: guarded.redactions,
    })
}

fn write_audit(audit: Option<&AuditLog>, entry: AuditEntry) {
    if let Some(log) = audit
        && let Err(err) = log.append(&entry)
    {
        tracing::error!("cannot write the audit log: {err}");
    }
}
