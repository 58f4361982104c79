//! `workDoneProgress` for long requests, as an RAII guard: [`ProgressGuard::start`] creates the
//! token (`window/workDoneProgress/create`, unless the client sent one) and sends `begin`;
//! [`ProgressGuard::report`] queues a `report`; dropping the guard — normal end, error, or the
//! handler future dropped by `$/cancelRequest` — sends `end`, so a cancelled request never leaves
//! a spinner behind. One detached task per guard sends the notifications in order.
//!
//! Progress is `cancellable`: `window/workDoneProgress/cancel` for a token cancels the guard's
//! [`CancellationToken`] (see [`cancel_notification`]), which aborts the provider request.

use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};

use dashmap::DashMap;
use serde_json::Value;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;
use tower_lsp_server::Client;
use tower_lsp_server::ls_types::notification::Progress;
use tower_lsp_server::ls_types::request::WorkDoneProgressCreate;
use tower_lsp_server::ls_types::*;

use crate::lsp::server::Backend;

/// Live progress tokens and what cancelling each one cancels.
static CANCELS: LazyLock<DashMap<String, CancellationToken>> = LazyLock::new(DashMap::new);
static NEXT: AtomicU64 = AtomicU64::new(1);

enum Msg {
    Report(String),
    End(String),
}

fn token_key(token: &ProgressToken) -> String {
    match token {
        NumberOrString::Number(n) => format!("n:{n}"),
        NumberOrString::String(s) => format!("s:{s}"),
    }
}

/// An active progress; ends when dropped.
pub struct ProgressGuard {
    tx: Option<mpsc::UnboundedSender<Msg>>,
    key: Option<String>,
    cancel: CancellationToken,
}

impl ProgressGuard {
    /// Starts progress titled `title`. `enabled`: the client announced `window.workDoneProgress`
    /// (else the guard only carries the cancellation token). `client_token`: a `workDoneToken`
    /// the client sent with the request (no create request then).
    pub fn start(
        client: &Client,
        title: &str,
        enabled: bool,
        client_token: Option<ProgressToken>,
    ) -> ProgressGuard {
        let cancel = CancellationToken::new();
        if !enabled && client_token.is_none() {
            return ProgressGuard {
                tx: None,
                key: None,
                cancel,
            };
        }
        let created = client_token.is_some();
        let token = client_token.unwrap_or_else(|| {
            NumberOrString::String(format!(
                "codomyrmex/ai/{}",
                NEXT.fetch_add(1, Ordering::Relaxed)
            ))
        });
        let key = token_key(&token);
        CANCELS.insert(key.clone(), cancel.clone());
        let (tx, rx) = mpsc::unbounded_channel();
        tokio::spawn(drive(client.clone(), token, title.to_string(), created, rx));
        ProgressGuard {
            tx: Some(tx),
            key: Some(key),
            cancel,
        }
    }

    /// Queues a `report` (coalesced when the client is slower than the reports).
    pub fn report(&self, message: impl Into<String>) {
        if let Some(tx) = &self.tx {
            let _ = tx.send(Msg::Report(message.into()));
        }
    }

    /// Cancelled when the user cancels the progress in the editor.
    pub fn cancellation(&self) -> CancellationToken {
        self.cancel.clone()
    }

    /// Ends the progress with a message.
    pub fn finish(mut self, message: impl Into<String>) {
        self.end(message.into());
    }

    fn end(&mut self, message: String) {
        if let Some(tx) = self.tx.take() {
            let _ = tx.send(Msg::End(message));
        }
        if let Some(key) = self.key.take() {
            CANCELS.remove(&key);
        }
    }
}

impl Drop for ProgressGuard {
    fn drop(&mut self) {
        self.end("stopped".to_string());
    }
}

async fn drive(
    client: Client,
    token: ProgressToken,
    title: String,
    created: bool,
    mut rx: mpsc::UnboundedReceiver<Msg>,
) {
    if !created
        && let Err(e) = client
            .send_request::<WorkDoneProgressCreate>(WorkDoneProgressCreateParams {
                token: token.clone(),
            })
            .await
    {
        tracing::debug!("the client refused a progress token: {e}");
        return;
    }
    let send = |value: WorkDoneProgress| {
        let client = client.clone();
        let token = token.clone();
        async move {
            client
                .send_notification::<Progress>(ProgressParams {
                    token,
                    value: ProgressParamsValue::WorkDone(value),
                })
                .await;
        }
    };
    send(WorkDoneProgress::Begin(WorkDoneProgressBegin {
        title,
        cancellable: Some(true),
        message: None,
        percentage: None,
    }))
    .await;
    let mut end = None;
    while let Some(msg) = rx.recv().await {
        match msg {
            Msg::End(m) => {
                end = Some(m);
                break;
            }
            Msg::Report(mut latest) => {
                // Only the newest of the reports queued meanwhile is worth sending.
                while let Ok(next) = rx.try_recv() {
                    match next {
                        Msg::Report(m) => latest = m,
                        Msg::End(m) => {
                            end = Some(m);
                            break;
                        }
                    }
                }
                if end.is_some() {
                    break;
                }
                send(WorkDoneProgress::Report(WorkDoneProgressReport {
                    cancellable: Some(true),
                    message: Some(latest),
                    percentage: None,
                }))
                .await;
            }
        }
    }
    send(WorkDoneProgress::End(WorkDoneProgressEnd {
        message: Some(end.unwrap_or_else(|| "stopped".into())),
    }))
    .await;
}

/// `window/workDoneProgress/cancel`: cancels the work behind the token, if it is still running.
/// Register with `.custom_method("window/workDoneProgress/cancel", progress::cancel_notification)`.
pub async fn cancel_notification(_backend: &Backend, params: Value) {
    let token = match params.get("token") {
        Some(Value::String(s)) => NumberOrString::String(s.clone()),
        Some(Value::Number(n)) => match n.as_i64().and_then(|n| i32::try_from(n).ok()) {
            Some(n) => NumberOrString::Number(n),
            None => return,
        },
        _ => return,
    };
    cancel_token(&token);
}

/// Cancels the work behind a progress token; `false` when nothing was running under it.
pub fn cancel_token(token: &ProgressToken) -> bool {
    match CANCELS.remove(&token_key(token)) {
        Some((_, cancel)) => {
            cancel.cancel();
            true
        }
        None => false,
    }
}
