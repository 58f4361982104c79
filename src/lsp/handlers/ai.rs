//! AI code actions, AI hover and the AI commands (issue 5). The LSP glue only: prompts, replies,
//! providers, user actions and workflows live in `crate::assist`.
//!
//! * `textDocument/codeAction` lists the actions at once, without a model call: clients that can
//!   resolve get `data` (the model runs in `codeAction/resolve`); others — and actions that need
//!   an instruction or answer with a message — get the command `codomyrmex.ai.run`
//!   (`{uri, range, action, version, instruction?}`), which ends in `workspace/applyEdit`.
//! * Every model call runs inside the request's future with a [`ProgressGuard`]: `$/cancelRequest`
//!   drops the future (tower-lsp-server answers `RequestCancelled`), which drops the HTTP request
//!   and ends the progress. At most [`MAX_IN_FLIGHT`] AI requests wait or run at once, and at most
//!   [`MAX_MODEL_CALLS`] call a model, so AI work never takes the server's request slots from
//!   `didChange`, diagnostics and hover.
//! * A result for a document that changed meanwhile is dropped with a message
//!   (`ContentModified`); edits also carry the document version they were made for.
//! * Edits come as `documentChanges` with a change annotation that needs confirmation and names
//!   provider and model; findings the proposed code would introduce are in its description and
//!   in the action's title.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use tokio::sync::Semaphore;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;

use crate::ai::prompt::DiagnosticContext;
use crate::assist::engine::{self, AssistError, Env, Output, Proposed, Request};
use crate::assist::feedback::{self, Feedback};
use crate::assist::hover::{self, HoverCache, HoverJobs};
use crate::assist::workflow::{self, WorkflowInput, WorkflowOutput, Workflows};
use crate::assist::{ActionDef, ContextKind, InstructionMode, OutputKind};
use crate::document::{DocSnapshot, current_tree};
use crate::lsp::convert;
use crate::lsp::progress::ProgressGuard;
use crate::lsp::server::Backend;
use crate::text::Text;

/// AI requests that may wait or run at once; more are refused with a message.
pub const MAX_IN_FLIGHT: usize = 16;
/// Model calls at once (the rest wait, cancellably).
pub const MAX_MODEL_CALLS: usize = 4;
/// How long a loaded configuration is reused before files are read again.
const ENV_TTL: Duration = Duration::from_secs(5);
/// The change annotation of AI edits.
const ANNOTATION: &str = "codomyrmex-ai";

/// The loaded environment: cache key, load time, environment, workflows.
type EnvSlot = Option<(String, Instant, Arc<Env>, Arc<Workflows>)>;

struct Shared {
    env: Mutex<EnvSlot>,
    hover_cache: HoverCache,
    hover_jobs: HoverJobs,
    in_flight: AtomicUsize,
    model_calls: Semaphore,
    resolve_support: AtomicBool,
}

static SHARED: LazyLock<Shared> = LazyLock::new(|| Shared {
    env: Mutex::new(None),
    hover_cache: HoverCache::new(Some(HoverCache::default_dir())),
    hover_jobs: HoverJobs::default(),
    in_flight: AtomicUsize::new(0),
    model_calls: Semaphore::new(MAX_MODEL_CALLS),
    resolve_support: AtomicBool::new(true),
});

/// Records what the client supports (call from `initialize`): `codeAction/resolve` of `edit`
/// (else AI actions come as commands).
pub fn note_client_capabilities(caps: &ClientCapabilities) {
    let resolve = caps
        .text_document
        .as_ref()
        .and_then(|t| t.code_action.as_ref())
        .and_then(|c| c.resolve_support.as_ref())
        .is_some_and(|r| r.properties.iter().any(|p| p == "edit"));
    SHARED.resolve_support.store(resolve, Ordering::Relaxed);
}

/// The configuration (the server's, see `ServerState::config`), actions and workflows (cached;
/// rebuilt when configuration, rules or trust change, and every few seconds for action files).
fn env(backend: &Backend) -> Option<(Arc<Env>, Arc<Workflows>)> {
    if !backend.state.trusted() {
        return None;
    }
    let root = backend.state.root();
    let config = backend.state.config();
    let rules = backend.state.rules();
    let key = format!(
        "{root:?}\u{0}{:p}\u{0}{:p}",
        Arc::as_ptr(&config),
        Arc::as_ptr(&rules)
    );
    let mut slot = SHARED.env.lock().ok()?;
    if let Some((k, at, env, workflows)) = slot.as_ref()
        && *k == key
        && at.elapsed() < ENV_TTL
    {
        if let Some(index) = backend.state.index() {
            env.set_index(index);
        }
        return Some((env.clone(), workflows.clone()));
    }
    let changed = slot.as_ref().is_none_or(|(k, ..)| *k != key);
    let env = Arc::new(Env::new(
        (*config).clone(),
        Vec::new(),
        rules,
        root.clone(),
        true,
    ));
    if let Some((_, _, old, _)) = slot.as_ref() {
        env.adopt_providers(old);
    }
    if let Some(index) = backend.state.index() {
        env.set_index(index);
    }
    let workflows = Arc::new(Workflows::load_default(root.as_deref()));
    if changed {
        for w in &env.catalog.warnings {
            tracing::warn!("action {w}");
        }
        for w in &workflows.warnings {
            tracing::warn!("workflow {w}");
        }
    }
    *slot = Some((key, Instant::now(), env.clone(), workflows.clone()));
    Some((env, workflows))
}

/// Findings of the snapshot overlapping `range`, with their rules' explanations.
fn diagnostics_in(
    backend: &Backend,
    snapshot: &DocSnapshot,
    range: &std::ops::Range<usize>,
) -> Vec<DiagnosticContext> {
    if snapshot.findings_version != snapshot.version {
        return Vec::new();
    }
    let rules = backend.state.rules();
    let source = snapshot.text.to_string();
    snapshot
        .findings
        .iter()
        .filter(|f| f.range.start <= range.end && range.start <= f.range.end)
        .map(|f| {
            let rule = rules.rule(&f.rule_id);
            let cwe = rule.map(|r| r.meta.cwe.join(", ")).unwrap_or_default();
            DiagnosticContext {
                rule_id: f.rule_id.to_string(),
                message: if cwe.is_empty() || f.message.contains(&cwe) {
                    f.message.clone()
                } else {
                    format!("{} ({cwe})", f.message)
                },
                line: source[..f.range.start.min(source.len())]
                    .matches('\n')
                    .count(),
                explanation: rule
                    .map(|r| r.meta.explanation.clone())
                    .filter(|e| !e.trim().is_empty()),
            }
        })
        .collect()
}

fn kind_matches(kind: &str, only: &Option<Vec<CodeActionKind>>) -> bool {
    match only {
        None => true,
        Some(list) => list
            .iter()
            .any(|k| kind == k.as_str() || kind.starts_with(&format!("{}.", k.as_str()))),
    }
}

/// AI actions for a range, listed at once without calling a model.
pub fn list_actions(
    backend: &Backend,
    snapshot: &DocSnapshot,
    params: &CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let Some((env, _)) = env(backend) else {
        return Vec::new();
    };
    if !env.config.ai.enabled {
        return Vec::new();
    }
    let Some(lang) = snapshot.lang else {
        return Vec::new();
    };
    let enc = backend.state.encoding();
    let range = convert::byte_range(&snapshot.text, params.range, enc);
    let only = &params.context.only;
    let candidates: Vec<&ActionDef> = env
        .catalog
        .iter()
        .filter(|a| {
            a.kind.as_deref().is_some_and(|k| kind_matches(k, only))
                && a.applies_to(lang)
                && a.output != OutputKind::Hover
        })
        .collect();
    if candidates.is_empty() {
        return Vec::new();
    }
    let diagnostics = diagnostics_in(backend, snapshot, &range);
    // The node kind for titles, from the editor's tree when it is current (no parse here).
    let node_kind = match (&snapshot.tree, snapshot.tree_current) {
        (Some(tree), true) => {
            let text = snapshot.text.to_string();
            crate::ai::prompt::context_with_tree(lang, &text, tree, Some(range.start))
                .map(|c| c.target.kind)
                .unwrap_or_else(|_| "code".into())
        }
        _ => "code".into(),
    };
    let lsp_diags: Vec<Diagnostic> = params
        .context
        .diagnostics
        .iter()
        .filter(|d| d.source.as_deref() == Some("codomyrmex"))
        .cloned()
        .collect();
    let rule_ids = {
        let mut ids: Vec<&str> = diagnostics.iter().map(|d| d.rule_id.as_str()).collect();
        ids.dedup();
        ids.join(", ")
    };
    let resolve = SHARED.resolve_support.load(Ordering::Relaxed);
    let mut out = Vec::new();
    for action in candidates {
        if action.context == ContextKind::Diagnostics && diagnostics.is_empty() {
            continue;
        }
        let kind = action.kind.clone().unwrap_or_default();
        let what = if action.context == ContextKind::File {
            "file"
        } else {
            node_kind.as_str()
        };
        let title = action.title_for(what).replace("{{rule_ids}}", &rule_ids);
        let args = json!({
            "uri": snapshot.uri,
            "range": params.range,
            "action": action.name,
            "version": snapshot.version,
        });
        let as_command =
            !resolve || action.instruction == InstructionMode::Required || !action.output.is_edit();
        let diags = (action.context == ContextKind::Diagnostics && !lsp_diags.is_empty())
            .then(|| lsp_diags.clone());
        let mut ca = CodeAction {
            title: title.clone(),
            kind: Some(CodeActionKind::from(kind)),
            diagnostics: diags,
            ..Default::default()
        };
        if as_command {
            ca.command = Some(Command {
                title,
                command: "codomyrmex.ai.run".into(),
                arguments: Some(vec![args]),
            });
        } else {
            let mut data = args;
            data["codomyrmex"] = json!("ai");
            ca.data = Some(data);
        }
        out.push(CodeActionOrCommand::CodeAction(ca));
    }
    out
}

/// What a request asks an AI action to do.
#[derive(Debug, Clone, serde::Deserialize)]
struct RunArgs {
    uri: String,
    #[serde(default)]
    range: Option<Range>,
    action: String,
    #[serde(default)]
    version: Option<i32>,
    #[serde(default)]
    instruction: Option<String>,
}

/// Counts an in-flight AI request; refuses beyond [`MAX_IN_FLIGHT`].
struct InFlight;

impl InFlight {
    fn enter() -> Result<InFlight> {
        let n = SHARED.in_flight.fetch_add(1, Ordering::AcqRel);
        if n >= MAX_IN_FLIGHT {
            SHARED.in_flight.fetch_sub(1, Ordering::AcqRel);
            return Err(failed(format!(
                "{MAX_IN_FLIGHT} AI requests are already running; wait for one to finish"
            )));
        }
        Ok(InFlight)
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        SHARED.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

fn failed(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ServerError(-32803),
        message: message.into().into(),
        data: None,
    }
}

fn content_modified(message: impl Into<String>) -> Error {
    Error {
        code: ErrorCode::ContentModified,
        message: message.into().into(),
        data: None,
    }
}

fn assist_error(e: AssistError) -> Error {
    if e.is_cancelled() {
        return Error::request_cancelled();
    }
    match e {
        AssistError::NeedsInstruction(_)
        | AssistError::NeedsDiagnostics(_)
        | AssistError::UnknownAction(_)
        | AssistError::WrongLanguage(..) => Error::invalid_params(e.to_string()),
        other => failed(format!("codomyrmex: {other}")),
    }
}

/// A finished action, ready for the client.
struct Ran {
    outcome: engine::Outcome,
    snapshot: Arc<DocSnapshot>,
}

/// Runs an action for a request, with progress, limits and the stale-version check.
async fn run_action(
    backend: &Backend,
    args: &RunArgs,
    client_token: Option<ProgressToken>,
) -> Result<Ran> {
    if !backend.state.trusted() {
        return Err(failed(
            "codomyrmex: AI features are off in an untrusted workspace",
        ));
    }
    let Some((env, _)) = env(backend) else {
        return Err(failed("codomyrmex: AI features are unavailable"));
    };
    let Some(snapshot) = backend.store.snapshot(&args.uri) else {
        return Err(Error::invalid_params(format!("{} is not open", args.uri)));
    };
    if let Some(v) = args.version
        && v != snapshot.version
    {
        return Err(content_modified(
            "the document changed since the action was listed; ask for code actions again",
        ));
    }
    let Some(lang) = snapshot.lang else {
        return Err(Error::invalid_params(
            "the document's language is not supported",
        ));
    };
    let action = env
        .catalog
        .get(&args.action)
        .ok_or_else(|| assist_error(AssistError::UnknownAction(args.action.clone())))?;
    let _in_flight = InFlight::enter()?;
    let choice = env.choose(action).map_err(assist_error)?;
    let enc = backend.state.encoding();
    let text = snapshot.text.to_string();
    let range = match args.range {
        Some(r) => convert::byte_range(&snapshot.text, r, enc),
        None => 0..0,
    };
    let diagnostics = diagnostics_in(backend, &snapshot, &range);
    let tree = current_tree(&snapshot);
    let path = snapshot.path.clone();
    let progress = ProgressGuard::start(
        &backend.client,
        &format!("codomyrmex: {} ({})", action.name, choice.label()),
        backend.state.work_done_progress(),
        client_token,
    );
    let cancel = progress.cancellation();
    let permit = tokio::select! {
        p = SHARED.model_calls.acquire() => p.map_err(|_| failed("codomyrmex: shutting down"))?,
        () = cancel.cancelled() => return Err(Error::request_cancelled()),
    };
    let request = Request {
        action,
        lang,
        path: path.as_deref(),
        text: &text,
        tree: tree.as_ref(),
        range,
        instruction: args.instruction.as_deref(),
        diagnostics: &diagnostics,
        previous: None,
    };
    let mut chunks = 0usize;
    let mut last = Instant::now() - Duration::from_secs(1);
    let mut on_chunk = |_: &str| {
        chunks += 1;
        if last.elapsed() >= Duration::from_millis(100) {
            last = Instant::now();
            progress.report(format!("{chunks} tokens"));
        }
    };
    let outcome = engine::run(&env, &request, &mut on_chunk, &cancel).await;
    drop(permit);
    let outcome = outcome.map_err(assist_error)?;
    let now = backend.store.snapshot(&args.uri).map(|s| s.version);
    if now != Some(snapshot.version) {
        progress.finish("dropped: the document changed");
        let message = format!(
            "codomyrmex: the document changed while {} was answering; the `{}` result was dropped, run it again",
            outcome.provider, action.name
        );
        backend
            .client
            .show_message(MessageType::WARNING, &message)
            .await;
        return Err(content_modified(message));
    }
    progress.finish(format!("{chunks} tokens"));
    Ok(Ran { outcome, snapshot })
}

/// The edit for a proposal: `documentChanges` (a `CreateFile` first for a new file) with one
/// annotated text edit and its change annotation.
fn workspace_edit(
    backend: &Backend,
    ran: &Ran,
    proposal: &Proposed,
) -> Result<(WorkspaceEdit, Vec<String>)> {
    let enc = backend.state.encoding();
    let outcome = &ran.outcome;
    let flags = proposal.flags();
    let mut description = format!(
        "Proposed by {} (model {}) for `{}`; review it before applying. Nothing is written until you accept.",
        outcome.provider, outcome.model, outcome.action
    );
    for i in &proposal.introduced {
        description.push_str(&format!(
            "\n{} at line {}: {}",
            i.label(),
            i.line,
            i.message
        ));
    }
    if !proposal.parses {
        description.push_str("\n⚠ the proposed code does not parse");
    }
    if proposal.hidden_chars > 0 {
        description.push_str(&format!(
            "\n⚠ the proposed code contains {} hidden Unicode character(s)",
            proposal.hidden_chars
        ));
    }
    if outcome.redactions > 0 {
        description.push_str(&format!(
            "\n{} secret(s) were replaced by placeholders before sending",
            outcome.redactions
        ));
    }
    let annotation = ChangeAnnotation {
        label: format!("AI edit by {} ({})", outcome.provider, outcome.model),
        needs_confirmation: Some(true),
        description: Some(description),
    };
    let id: ChangeAnnotationIdentifier = ANNOTATION.to_string();
    let mut ops = Vec::new();
    let (uri, version, base) = match &proposal.file {
        None => {
            let uri: Uri = ran
                .snapshot
                .uri
                .parse()
                .map_err(|_| failed("codomyrmex: bad document URI"))?;
            (uri, Some(ran.snapshot.version), ran.snapshot.text.clone())
        }
        Some(path) => {
            let uri = Uri::from_file_path(path).ok_or_else(|| {
                failed(format!(
                    "codomyrmex: cannot make a URI for {}",
                    path.display()
                ))
            })?;
            if proposal.create {
                ops.push(DocumentChangeOperation::Op(ResourceOp::Create(
                    CreateFile {
                        uri: uri.clone(),
                        options: Some(CreateFileOptions {
                            overwrite: Some(false),
                            ignore_if_exists: Some(true),
                        }),
                        annotation_id: Some(id.clone()),
                    },
                )));
            }
            // An open document's version, else none.
            let version = backend.store.snapshot(uri.as_str()).map(|s| s.version);
            (uri, version, Text::new(&proposal.old_text))
        }
    };
    let text_edit = TextEdit {
        range: convert::lsp_range(&base, proposal.edit.range.clone(), enc),
        new_text: proposal.edit.new_text.clone(),
    };
    ops.push(DocumentChangeOperation::Edit(TextDocumentEdit {
        text_document: OptionalVersionedTextDocumentIdentifier { uri, version },
        edits: vec![OneOf::Right(AnnotatedTextEdit {
            text_edit,
            annotation_id: id.clone(),
        })],
    }));
    let edit = WorkspaceEdit {
        changes: None,
        document_changes: Some(DocumentChanges::Operations(ops)),
        change_annotations: Some(HashMap::from([(id, annotation)])),
    };
    Ok((edit, flags))
}

fn title_with_flags(title: &str, flags: &[String]) -> String {
    if flags.is_empty() {
        title.to_string()
    } else {
        format!("{title} — {}", flags.join("; "))
    }
}

/// `codeAction/resolve`: calls the model for an AI action chosen by the user.
pub async fn resolve(backend: &Backend, mut action: CodeAction) -> Result<CodeAction> {
    let Some(data) = action
        .data
        .clone()
        .filter(|d| d.get("codomyrmex") == Some(&json!("ai")))
    else {
        return Ok(action);
    };
    let args: RunArgs = serde_json::from_value(data)
        .map_err(|e| Error::invalid_params(format!("bad AI action data: {e}")))?;
    let ran = run_action(backend, &args, None).await?;
    match &ran.outcome.output {
        Output::Edit(p) => {
            let (edit, flags) = workspace_edit(backend, &ran, p)?;
            action.title = title_with_flags(&action.title, &flags);
            action.edit = Some(edit);
        }
        Output::Text { text, .. } => {
            backend.client.show_message(MessageType::INFO, text).await;
        }
    }
    Ok(action)
}

fn first_arg<T: serde::de::DeserializeOwned>(params: &ExecuteCommandParams) -> Result<T> {
    let arg = params.arguments.first().cloned().ok_or_else(|| {
        Error::invalid_params(format!("`{}` needs an argument object", params.command))
    })?;
    serde_json::from_value(arg)
        .map_err(|e| Error::invalid_params(format!("`{}`: {e}", params.command)))
}

/// `codomyrmex.ai.run`, `codomyrmex.workflow.run`, `codomyrmex.feedback`.
pub async fn execute(backend: &Backend, params: ExecuteCommandParams) -> Result<Option<Value>> {
    let token = params.work_done_progress_params.work_done_token.clone();
    match params.command.as_str() {
        "codomyrmex.ai.run" => {
            let args: RunArgs = first_arg(&params)?;
            let ran = run_action(backend, &args, token).await?;
            match &ran.outcome.output {
                Output::Edit(p) => {
                    let (edit, flags) = workspace_edit(backend, &ran, p)?;
                    let applied = backend.client.apply_edit(edit.clone()).await;
                    let (applied, reason) = match applied {
                        Ok(r) => (r.applied, r.failure_reason),
                        Err(e) => (false, Some(e.to_string())),
                    };
                    let message = format!(
                        "{} ({}) proposed an edit for `{}`{}{}",
                        ran.outcome.provider,
                        ran.outcome.model,
                        ran.outcome.action,
                        if flags.is_empty() {
                            String::new()
                        } else {
                            format!(" — {}", flags.join("; "))
                        },
                        match (&applied, &reason) {
                            (true, _) => String::new(),
                            (false, Some(r)) => format!("; not applied: {r}"),
                            (false, None) => "; not applied".to_string(),
                        }
                    );
                    Ok(Some(json!({
                        "message": message,
                        "applied": applied,
                        "failureReason": reason,
                        "flags": flags,
                        "provider": ran.outcome.provider,
                        "model": ran.outcome.model,
                        "edit": edit,
                    })))
                }
                Output::Text { text, hidden_chars } => {
                    backend.client.show_message(MessageType::INFO, text).await;
                    Ok(Some(
                        json!({"text": text, "hiddenChars": hidden_chars, "provider": ran.outcome.provider, "model": ran.outcome.model}),
                    ))
                }
            }
        }
        "codomyrmex.workflow.run" => run_workflow(backend, &params, token).await,
        "codomyrmex.feedback" => record_feedback(backend, &params),
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}

#[derive(Debug, serde::Deserialize)]
struct WorkflowArgs {
    name: String,
    uri: String,
}

async fn run_workflow(
    backend: &Backend,
    params: &ExecuteCommandParams,
    token: Option<ProgressToken>,
) -> Result<Option<Value>> {
    let args: WorkflowArgs = first_arg(params)?;
    let Some((env, workflows)) = env(backend) else {
        return Err(failed(
            "codomyrmex: AI features are off in an untrusted workspace",
        ));
    };
    let Some(snapshot) = backend.store.snapshot(&args.uri) else {
        return Err(Error::invalid_params(format!("{} is not open", args.uri)));
    };
    let Some(lang) = snapshot.lang else {
        return Err(Error::invalid_params(
            "the document's language is not supported",
        ));
    };
    if workflows.get(&args.name).is_none() {
        let names: Vec<&str> = workflows.workflows.keys().map(String::as_str).collect();
        return Err(Error::invalid_params(format!(
            "no workflow named `{}`; known: {}",
            args.name,
            names.join(", ")
        )));
    }
    let _in_flight = InFlight::enter()?;
    let text = snapshot.text.to_string();
    let tree = current_tree(&snapshot);
    let path = snapshot.path.clone();
    let progress = ProgressGuard::start(
        &backend.client,
        &format!("codomyrmex: workflow {}", args.name),
        backend.state.work_done_progress(),
        token,
    );
    let cancel = progress.cancellation();
    let permit = tokio::select! {
        p = SHARED.model_calls.acquire() => p.map_err(|_| failed("codomyrmex: shutting down"))?,
        () = cancel.cancelled() => return Err(Error::request_cancelled()),
    };
    let (tx, mut rx) = tokio::sync::watch::channel(0usize);
    let reporter: Arc<dyn Fn(&str) + Send + Sync> =
        Arc::new(move |_: &str| tx.send_modify(|n| *n += 1));
    let pump = async {
        while rx.changed().await.is_ok() {
            let n = *rx.borrow_and_update();
            progress.report(format!("{n} tokens"));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        std::future::pending::<()>().await;
    };
    let input = WorkflowInput {
        lang,
        path: path.as_deref(),
        text: &text,
        tree: tree.as_ref(),
        range: 0..0,
    };
    let result = tokio::select! {
        r = workflow::run(&env, &workflows, &args.name, &input, reporter, &cancel) => r,
        () = pump => Err(AssistError::Other("progress reporting stopped unexpectedly".into())),
    };
    drop(permit);
    let outcome = result.map_err(assist_error)?;
    if backend.store.snapshot(&args.uri).map(|s| s.version) != Some(snapshot.version) {
        let message = format!(
            "codomyrmex: the document changed while workflow `{}` ran; its result was dropped, run it again",
            args.name
        );
        backend
            .client
            .show_message(MessageType::WARNING, &message)
            .await;
        return Err(content_modified(message));
    }
    progress.finish("done");
    let steps: Vec<Value> = outcome
        .steps
        .iter()
        .map(|s| json!({"id": s.id, "model": s.model, "error": s.error, "findings": s.findings.len()}))
        .collect();
    match (&outcome.output, &outcome.edit) {
        (WorkflowOutput::Edit, Some(p)) => {
            let ran = Ran {
                outcome: engine::Outcome {
                    action: format!("workflow {}", args.name),
                    provider: outcome
                        .steps
                        .iter()
                        .find_map(|s| s.model.clone())
                        .unwrap_or_default(),
                    model: outcome
                        .steps
                        .iter()
                        .filter_map(|s| s.model.clone())
                        .collect::<Vec<_>>()
                        .join(", "),
                    target: crate::ai::prompt::Target {
                        lang,
                        range: 0..text.len(),
                        kind: "file".into(),
                        indent: String::new(),
                        start_line: 0,
                        end_line: 0,
                    },
                    output: Output::Edit(p.clone()),
                    redactions: 0,
                },
                snapshot,
            };
            let (edit, flags) = workspace_edit(backend, &ran, p)?;
            let applied = backend
                .client
                .apply_edit(edit.clone())
                .await
                .map(|r| r.applied)
                .unwrap_or(false);
            Ok(Some(
                json!({"name": outcome.name, "applied": applied, "flags": flags, "report": outcome.report, "steps": steps, "edit": edit}),
            ))
        }
        _ => {
            backend
                .client
                .show_message(MessageType::INFO, &outcome.report)
                .await;
            Ok(Some(
                json!({"name": outcome.name, "report": outcome.report, "steps": steps}),
            ))
        }
    }
}

fn record_feedback(backend: &Backend, params: &ExecuteCommandParams) -> Result<Option<Value>> {
    let mut arg =
        params.arguments.first().cloned().ok_or_else(|| {
            Error::invalid_params("`codomyrmex.feedback` needs an argument object")
        })?;
    // `uri` (from the editor) becomes a workspace-relative `file`.
    if let Some(uri) = arg.get("uri").and_then(Value::as_str).map(str::to_string)
        && let Some(obj) = arg.as_object_mut()
    {
        obj.remove("uri");
        let file = uri
            .parse::<Uri>()
            .ok()
            .and_then(|u| u.to_file_path().map(|p| p.into_owned()))
            .map(|p| {
                let root = backend.state.root();
                let rel = root
                    .as_deref()
                    .and_then(|r| p.strip_prefix(r).ok())
                    .unwrap_or(&p);
                rel.to_string_lossy().replace('\\', "/")
            });
        if let Some(file) = file {
            obj.insert("file".into(), json!(file));
        }
    }
    let fb: Feedback = serde_json::from_value(arg)
        .map_err(|e| Error::invalid_params(format!("`codomyrmex.feedback`: {e}")))?;
    let path = feedback::default_path();
    let recorded = feedback::record(&path, fb).map_err(|e| Error::invalid_params(e.to_string()))?;
    Ok(Some(
        json!({"recorded": true, "path": path, "entry": recorded}),
    ))
}

/// The AI part of a hover: from the cache at once; when missing, computed in the background
/// (one job per document, cancelled by the next hover elsewhere) so the next hover shows it.
pub fn hover_section(backend: &Backend, snapshot: &DocSnapshot, offset: usize) -> Option<String> {
    let (env, _) = env(backend)?;
    if !env.config.ai.enabled || !env.config.ai.hover {
        return None;
    }
    let lang = snapshot.lang?;
    let action = env.catalog.get("hover")?.clone();
    if !action.applies_to(lang) {
        return None;
    }
    // Only with the editor's current tree: hover never waits for a parse.
    let tree = snapshot.tree.clone().filter(|_| snapshot.tree_current)?;
    let text = snapshot.text.to_string();
    let (target, _) = engine::target(&action, lang, &text, Some(&tree), offset..offset).ok()?;
    let choice = env.choose(&action).ok()?;
    let label = choice.label();
    let node_text = &text[target.range.clone()];
    let key = hover::key(lang, &label, node_text);
    let what = target.kind.replace('_', " ");
    if let Some(explanation) = SHARED.hover_cache.get(&key) {
        return Some(format!("**AI** · {what} · _{label}_\n\n{explanation}"));
    }
    // Already being computed for this node: nothing to start.
    if let Some(cancel) = SHARED.hover_jobs.start(&snapshot.uri, &key) {
        spawn_hover_job(env, action, lang, text, tree, snapshot, offset, key, cancel);
    }
    Some(format!(
        "**AI** · {what} · _{label}_: _explaining… hover again in a moment._"
    ))
}

/// Computes a hover explanation in the background and stores it in the cache.
#[allow(clippy::too_many_arguments)]
fn spawn_hover_job(
    env: Arc<Env>,
    action: ActionDef,
    lang: crate::syntax::Lang,
    text: String,
    tree: tree_sitter::Tree,
    snapshot: &DocSnapshot,
    offset: usize,
    key: String,
    cancel: tokio_util::sync::CancellationToken,
) {
    let uri = snapshot.uri.clone();
    let path = snapshot.path.clone();
    tokio::spawn(async move {
        let job = async {
            let Ok(_permit) = SHARED.model_calls.acquire().await else {
                return;
            };
            let request = Request {
                action: &action,
                lang,
                path: path.as_deref(),
                text: &text,
                tree: Some(&tree),
                range: offset..offset,
                instruction: None,
                diagnostics: &[],
                previous: None,
            };
            match engine::run(&env, &request, &mut |_: &str| {}, &cancel).await {
                Ok(engine::Outcome {
                    output: Output::Text { text, hidden_chars },
                    ..
                }) => {
                    let text = if hidden_chars > 0 {
                        let (clean, _) = crate::privacy::strip_hidden(&text);
                        format!(
                            "{clean}\n\n⚠ the reply contained {hidden_chars} hidden Unicode character(s), removed"
                        )
                    } else {
                        text
                    };
                    if !text.trim().is_empty() {
                        SHARED.hover_cache.insert(&key, &text);
                    }
                }
                Ok(_) => {}
                Err(e) if e.is_cancelled() => {}
                Err(e) => tracing::info!("AI hover: {e}"),
            }
        };
        tokio::select! {
            () = job => {}
            () = cancel.cancelled() => {}
        }
        SHARED.hover_jobs.finish(&uri, &key);
    });
}

/// Cancels the document's background hover job (call from `didClose`).
pub fn document_closed(uri: &str) {
    SHARED.hover_jobs.cancel(uri);
}
