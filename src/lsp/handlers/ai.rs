//! AI code actions, AI hover and the AI commands (issue 5). The LSP glue only: prompts, replies,
//! providers, user actions and workflows live in plain modules.

use serde_json::Value;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::document::DocSnapshot;
use crate::lsp::server::Backend;

/// AI actions for a range, listed at once without calling a model.
pub fn list_actions(_backend: &Backend, _snapshot: &DocSnapshot, _params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    Vec::new()
}

/// `codeAction/resolve`: calls the model for an AI action chosen by the user.
pub async fn resolve(_backend: &Backend, action: CodeAction) -> Result<CodeAction> {
    Ok(action)
}

/// `codomyrmex.ai.run`, `codomyrmex.workflow.run`, `codomyrmex.feedback`.
pub async fn execute(_backend: &Backend, params: ExecuteCommandParams) -> Result<Option<Value>> {
    Err(Error::invalid_params(format!("`{}` is not available yet", params.command)))
}

/// The AI part of a hover (from cache; computing it in the background when missing).
pub fn hover_section(_backend: &Backend, _snapshot: &DocSnapshot, _offset: usize) -> Option<String> {
    None
}
