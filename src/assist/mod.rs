//! AI assistance in the editor and the CLI, front-end neutral: actions defined as Markdown files
//! ([`actions`]), prompt templates ([`template`]), the run of one action from context to a checked,
//! minimal edit ([`engine`]), multi-step workflows ([`workflow`]), the AI hover cache ([`hover`])
//! and the feedback log ([`feedback`]). The LSP glue is `lsp::handlers::ai`; the `ai` CLI calls
//! [`list_actions`], [`run_on_file`] and [`run_workflow_on_file`].
//!
//! Reuses the provider layer (`crate::ai`: providers, target-node location, reply extraction and
//! minimal edits), the privacy guard, the audit log, the rule engine and the local index.

pub mod actions;
pub mod engine;
pub mod feedback;
pub mod hover;
pub mod template;
pub mod workflow;

use std::path::Path;
use std::sync::Arc;

use tokio_util::sync::CancellationToken;

pub use actions::{
    ActionDef, ActionWarning, Catalog, ContextKind, InstructionMode, Origin, OutputKind,
};
pub use engine::{AssistError, Env, Introduced, Outcome, Output, Proposed, Request};
pub use workflow::{WorkflowOutcome, Workflows};

use crate::ai::prompt::DiagnosticContext;
use crate::syntax::Lang;

/// Every action the CLI can run for a workspace (built-in, user, workspace), with the problems
/// found while loading them (print them as warnings).
pub fn list_actions(workspace_root: Option<&Path>) -> (Vec<ActionDef>, Vec<ActionWarning>) {
    let catalog = Catalog::load_default(workspace_root);
    (catalog.iter().cloned().collect(), catalog.warnings.clone())
}

/// The findings on the line of `offset` (all findings without an offset), for `fix`-like actions.
pub fn diagnostics_at(
    env: &Env,
    lang: Lang,
    text: &str,
    offset: Option<usize>,
) -> Vec<DiagnosticContext> {
    let all = workflow::scan(env, lang, text);
    match offset {
        None => all,
        Some(o) => {
            let line = text[..o.min(text.len())].matches('\n').count();
            all.into_iter().filter(|d| d.line == line).collect()
        }
    }
}

/// Runs action `name` on `file` at byte `offset` (`None`: the start of the file) — the library
/// entry point of `codomyrmex ai NAME FILE[:LINE[:COL]]` for action files. Build `env` once with
/// [`Env::load_for_cli`]. Diagnostics on the cursor's line are passed to actions that use them.
/// The result's [`Output::Edit`] holds the whole new text of the file (or of the new test file)
/// for a diff; nothing is written.
pub async fn run_on_file(
    env: &Env,
    name: &str,
    file: &Path,
    offset: Option<usize>,
    instruction: Option<&str>,
    on_chunk: &mut (dyn FnMut(&str) + Send),
    cancel: &CancellationToken,
) -> Result<Outcome, AssistError> {
    let action = env
        .catalog
        .get(name)
        .ok_or_else(|| AssistError::UnknownAction(name.to_string()))?;
    let text = std::fs::read_to_string(file)
        .map_err(|e| AssistError::Other(format!("cannot read {}: {e}", file.display())))?;
    let lang = Lang::from_path(file).ok_or_else(|| {
        AssistError::Other(format!("cannot tell the language of {}", file.display()))
    })?;
    let uses_diagnostics = action.context == ContextKind::Diagnostics
        || template::uses(&action.template, "diagnostics");
    let diagnostics = if uses_diagnostics {
        diagnostics_at(env, lang, &text, offset)
    } else {
        Vec::new()
    };
    let at = offset.unwrap_or(0).min(text.len());
    let request = Request {
        action,
        lang,
        path: Some(file),
        text: &text,
        tree: None,
        range: at..at,
        instruction,
        diagnostics: &diagnostics,
        previous: None,
    };
    engine::run(env, &request, on_chunk, cancel).await
}

/// Runs workflow `name` on `file` — the library entry point of `codomyrmex ai workflow NAME FILE`.
/// The outcome's `report` is Markdown to print; `edit` (for `output: edit` workflows) holds the
/// combined change.
pub async fn run_workflow_on_file(
    env: &Env,
    name: &str,
    file: &Path,
    on_chunk: Arc<dyn Fn(&str) + Send + Sync>,
    cancel: &CancellationToken,
) -> Result<WorkflowOutcome, AssistError> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| AssistError::Other(format!("cannot read {}: {e}", file.display())))?;
    let lang = Lang::from_path(file).ok_or_else(|| {
        AssistError::Other(format!("cannot tell the language of {}", file.display()))
    })?;
    let workflows = Workflows::load_default(env.root.as_deref());
    for w in &workflows.warnings {
        tracing::warn!("{w}");
    }
    let input = workflow::WorkflowInput {
        lang,
        path: Some(file),
        text: &text,
        tree: None,
        range: 0..0,
    };
    workflow::run(env, &workflows, name, &input, on_chunk, cancel).await
}
