//! `impl LanguageServer`: thin forwarding to the document actor and the handler modules, with
//! every request guarded so a panic becomes an error reply and the server keeps serving.

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt;
use serde_json::Value;
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, ErrorCode, Result};
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};

use crate::document::{DocEvent, DocOutput, DocumentStore, TextChange};
use crate::lsp::convert;
use crate::lsp::handlers;
use crate::lsp::state::ServerState;
use crate::rules::RuleSet;

/// Commands accepted by `workspace/executeCommand`.
pub const COMMANDS: &[&str] = &[
    "codomyrmex.ai.run",
    "codomyrmex.index.rebuild",
    "codomyrmex.rules.reload",
    "codomyrmex.feedback",
    "codomyrmex.workflow.run",
    "codomyrmex.doctor",
];

pub struct Backend {
    pub client: Client,
    pub store: DocumentStore,
    pub state: Arc<ServerState>,
    /// Configuration problems found in `initialize`, shown once the client is initialized.
    pending_problems: std::sync::Mutex<Vec<crate::config::ConfigDiagnostic>>,
}

impl Backend {
    pub fn new(client: Client) -> Backend {
        let rules = Arc::new(RuleSet::load(
            &RuleSet::sources_for(None),
            Default::default(),
        ));
        let state = Arc::new(ServerState::new(rules.clone()));
        let (out_tx, out_rx) = mpsc::unbounded_channel();
        let store = DocumentStore::spawn(rules, out_tx);
        tokio::spawn(publish_loop(client.clone(), state.clone(), out_rx));
        Backend {
            client,
            store,
            state,
            pending_problems: std::sync::Mutex::new(Vec::new()),
        }
    }

    async fn report_rule_errors(&self, errors: &[crate::rules::LoadError]) {
        if errors.is_empty() {
            return;
        }
        for err in errors {
            tracing::warn!("rule error: {err}");
        }
        let shown: Vec<String> = errors.iter().take(5).map(|e| e.to_string()).collect();
        let more = if errors.len() > 5 {
            format!(" (and {} more; see the log)", errors.len() - 5)
        } else {
            String::new()
        };
        self.client
            .show_message(
                MessageType::WARNING,
                format!(
                    "codomyrmex: {} rule file problem(s), skipped: {}{more}",
                    errors.len(),
                    shown.join("; ")
                ),
            )
            .await;
    }

    /// Stands in for a frame that was not valid JSON (see `transport`): log it and keep serving.
    pub async fn malformed_message(&self, params: Value) {
        let reason = params
            .get("reason")
            .and_then(Value::as_str)
            .unwrap_or("unknown");
        self.client
            .log_message(
                MessageType::ERROR,
                format!("codomyrmex: ignored a malformed message: {reason}"),
            )
            .await;
    }

    pub async fn reload_rules(&self) -> (usize, Vec<crate::rules::LoadError>) {
        let state = self.state.clone();
        let Ok((rules, _, config_diags)) =
            tokio::task::spawn_blocking(move || state.reload()).await
        else {
            tracing::error!("configuration reload panicked");
            return (0, Vec::new());
        };
        self.store.send(DocEvent::SetRules(rules.clone()));
        self.report_problems(rules, config_diags).await
    }

    /// Compiles every language's queries off the request path and shows rule and config problems.
    async fn report_problems(
        &self,
        rules: Arc<RuleSet>,
        config_diags: Vec<crate::config::ConfigDiagnostic>,
    ) -> (usize, Vec<crate::rules::LoadError>) {
        if !config_diags.is_empty() {
            for d in &config_diags {
                tracing::warn!("config: {d}");
            }
            let shown: Vec<String> = config_diags.iter().take(4).map(|d| d.to_string()).collect();
            self.client
                .show_message(
                    MessageType::WARNING,
                    format!("codomyrmex configuration: {}", shown.join("; ")),
                )
                .await;
        }
        let compiled = rules.clone();
        let _ = tokio::task::spawn_blocking(move || compiled.compile_all()).await;
        let errors = rules.errors();
        self.report_rule_errors(&errors).await;
        (rules.len(), errors)
    }
}

/// Runs a request handler, turning a panic into an `InternalError` reply.
pub async fn guard<T>(method: &str, fut: impl Future<Output = Result<T>>) -> Result<T> {
    match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            tracing::error!("{method} panicked: {msg}");
            Err(Error {
                code: ErrorCode::InternalError,
                message: format!("internal error in {method}: {msg}").into(),
                data: None,
            })
        }
    }
}

async fn publish_loop(
    client: Client,
    state: Arc<ServerState>,
    mut rx: mpsc::UnboundedReceiver<DocOutput>,
) {
    while let Some(out) = rx.recv().await {
        match out {
            DocOutput::Diagnostics {
                uri,
                version,
                text,
                findings,
            } => {
                let Ok(parsed) = uri.parse::<Uri>() else {
                    continue;
                };
                let rules = state.rules();
                let enc = state.encoding();
                let diags: Vec<Diagnostic> = findings
                    .iter()
                    .map(|f| convert::diagnostic(&text, f, &rules, enc))
                    .collect();
                let version = (version != 0).then_some(version);
                client.publish_diagnostics(parsed, diags, version).await;
            }
            DocOutput::Log { uri, message } => {
                tracing::info!("{uri}: {message}");
                client
                    .log_message(MessageType::INFO, format!("codomyrmex: {uri}: {message}"))
                    .await;
            }
        }
    }
}

fn uri_path(uri: &Uri) -> Option<std::path::PathBuf> {
    uri.to_file_path().map(|p| p.into_owned())
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        guard("initialize", async {
            let enc = convert::negotiate_encoding(
                params
                    .capabilities
                    .general
                    .as_ref()
                    .and_then(|g| g.position_encodings.as_deref()),
            );
            self.state.set_encoding(enc);
            self.store.send(DocEvent::SetEncoding(enc));
            #[allow(deprecated)]
            let root = params
                .workspace_folders
                .as_ref()
                .and_then(|f| f.first())
                .and_then(|f| uri_path(&f.uri))
                .or_else(|| params.root_uri.as_ref().and_then(uri_path));
            self.state.set_root(root);
            handlers::ai::note_client_capabilities(&params.capabilities);
            self.state.set_work_done_progress(
                params
                    .capabilities
                    .window
                    .as_ref()
                    .and_then(|w| w.work_done_progress)
                    .unwrap_or(false),
            );
            if let Some(opts) = &params.initialization_options {
                if opts.get("trusted").and_then(Value::as_bool) == Some(false) {
                    self.state.set_trusted(false);
                }
                self.state.set_editor_settings(opts.clone());
            }
            // Load configuration and rules before answering, so the first didOpen is checked with
            // every layer (cheap: queries compile lazily). Problems are shown after `initialized`.
            let (rules, _, config_diags) = self.state.reload();
            self.store.send(DocEvent::SetRules(rules));
            if let Ok(mut pending) = self.pending_problems.lock() {
                *pending = config_diags;
            }
            Ok(InitializeResult {
                capabilities: handlers::capabilities::server_capabilities(enc),
                server_info: Some(ServerInfo {
                    name: "codomyrmex".into(),
                    version: Some(env!("CARGO_PKG_VERSION").into()),
                }),
                offset_encoding: None,
            })
        })
        .await
    }

    async fn initialized(&self, _: InitializedParams) {
        let config_diags = self
            .pending_problems
            .lock()
            .map(|mut p| std::mem::take(&mut *p))
            .unwrap_or_default();
        let (n, _) = self.report_problems(self.state.rules(), config_diags).await;
        tracing::info!(
            "codomyrmex {} ready: {n} rules, encoding {:?}",
            env!("CARGO_PKG_VERSION"),
            self.state.encoding()
        );
        let watch = Registration {
            id: "codomyrmex-watch".into(),
            method: "workspace/didChangeWatchedFiles".into(),
            register_options: serde_json::to_value(DidChangeWatchedFilesRegistrationOptions {
                watchers: vec![FileSystemWatcher {
                    glob_pattern: GlobPattern::String("**/.codomyrmex/**".into()),
                    kind: None,
                }],
            })
            .ok(),
        };
        // Clients without dynamic registration simply answer with an error; that is fine.
        let _ = self.client.register_capability(vec![watch]).await;
        // Index in the background; `initialize` has long been answered.
        if self.state.root().is_some() && std::env::var_os("CODOMYRMEX_NO_INDEX").is_none() {
            let _ = handlers::index::refresh(self, false).await;
        }
    }

    async fn shutdown(&self) -> Result<()> {
        // Commit pending index updates and release the writer lock for other processes.
        if let Some(handle) = self.state.index() {
            let _ = tokio::task::spawn_blocking(move || handle.close()).await;
        }
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        let path = uri_path(&doc.uri);
        self.store.send(DocEvent::Open {
            uri: doc.uri.as_str().to_string(),
            path,
            language_id: doc.language_id,
            version: doc.version,
            text: doc.text,
        });
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let changes = params
            .content_changes
            .into_iter()
            .map(|c| TextChange {
                range: c.range.map(convert::range_from_lsp),
                text: c.text,
            })
            .collect();
        self.store.send(DocEvent::Change {
            uri: params.text_document.uri.as_str().to_string(),
            version: params.text_document.version,
            changes,
        });
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        self.store.send(DocEvent::Close {
            uri: params.text_document.uri.as_str().to_string(),
        });
        handlers::ai::document_closed(params.text_document.uri.as_str());
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let uri = params.text_document.uri;
        self.store.send(DocEvent::Save {
            uri: uri.as_str().to_string(),
            text: params.text.clone(),
        });
        if let Some(path) = uri_path(&uri) {
            let text = params.text.or_else(|| {
                self.store
                    .snapshot(uri.as_str())
                    .map(|s| s.text.to_string())
            });
            handlers::index::update(self, path, text);
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let settings = params
            .settings
            .get("codomyrmex")
            .cloned()
            .unwrap_or(params.settings);
        if settings.is_object() {
            self.state.set_editor_settings(settings);
            self.reload_rules().await;
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        for change in &params.changes {
            if let Some(path) = uri_path(&change.uri)
                && !path.components().any(|c| c.as_os_str() == ".codomyrmex")
            {
                handlers::index::update(self, path, None);
            }
        }
        let relevant = params.changes.iter().any(|c| {
            let s = c.uri.as_str();
            s.contains("/.codomyrmex/rules")
                || s.contains("/.codomyrmex/queries")
                || s.contains("/codomyrmex/rules")
        });
        if relevant {
            self.reload_rules().await;
        }
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        guard("textDocument/hover", handlers::hover::hover(self, params)).await
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        guard(
            "textDocument/codeAction",
            handlers::code_action::code_action(self, params),
        )
        .await
    }

    async fn code_action_resolve(&self, params: CodeAction) -> Result<CodeAction> {
        guard("codeAction/resolve", handlers::ai::resolve(self, params)).await
    }

    async fn symbol(
        &self,
        params: WorkspaceSymbolParams,
    ) -> Result<Option<WorkspaceSymbolResponse>> {
        guard("workspace/symbol", handlers::index::symbol(self, params)).await
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<Value>> {
        guard(
            "workspace/executeCommand",
            handlers::execute_command::execute_command(self, params),
        )
        .await
    }
}
