//! `workspace/executeCommand`.

use serde_json::{Value, json};
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::lsp::server::Backend;

pub async fn execute_command(
    backend: &Backend,
    params: ExecuteCommandParams,
) -> Result<Option<Value>> {
    match params.command.as_str() {
        "codomyrmex.rules.reload" => {
            let (n, errors) = backend.reload_rules().await;
            Ok(Some(json!({
                "rules": n,
                "errors": errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            })))
        }
        "codomyrmex.index.rebuild" => crate::lsp::handlers::index::rebuild_command(backend).await,
        "codomyrmex.doctor" => {
            let root = backend.state.root();
            let workspace = if backend.state.trusted() {
                root.as_deref()
            } else {
                None
            };
            let editor = backend.state.editor_settings();
            let report = crate::cli::doctor::report(
                workspace,
                Some(&editor),
                std::time::Duration::from_secs(3),
            )
            .await;
            let text = crate::cli::doctor::render_text(&report);
            Ok(Some(json!({"text": text, "report": report})))
        }
        "codomyrmex.ai.run" | "codomyrmex.workflow.run" | "codomyrmex.feedback" => {
            crate::lsp::handlers::ai::execute(backend, params).await
        }
        "codomyrmex.debug.panic" if std::env::var_os("CODOMYRMEX_TEST_HOOKS").is_some() => {
            panic!("deliberate panic for testing");
        }
        "codomyrmex.debug.sleep" if std::env::var_os("CODOMYRMEX_TEST_HOOKS").is_some() => {
            let ms = params
                .arguments
                .first()
                .and_then(Value::as_u64)
                .unwrap_or(1000);
            tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            Ok(Some(json!({"slept_ms": ms})))
        }
        other => Err(Error::invalid_params(format!("unknown command `{other}`"))),
    }
}
