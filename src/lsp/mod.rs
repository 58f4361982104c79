//! The LSP layer: the only module that imports tower-lsp-server. Handlers are thin: they convert
//! positions (through `convert`), read document snapshots, call plain modules, convert back.

pub mod convert;
pub mod handlers;
pub mod progress;
pub mod server;
pub mod state;
pub mod transport;

use tower_lsp_server::{LspService, Server};

/// How many requests may be in flight at once; high so slow AI requests never hold up `didChange`.
pub const CONCURRENCY: usize = 64;

/// Serves LSP on stdin/stdout until `exit`.
pub fn serve_stdio() -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .worker_threads(2)
        .build()?;
    runtime.block_on(async {
        let stdin = transport::SanitizingReader::new(tokio::io::stdin());
        let stdout = tokio::io::stdout();
        let (service, socket) = LspService::build(server::Backend::new)
            .custom_method(
                "codomyrmex/malformedMessage",
                server::Backend::malformed_message,
            )
            .custom_method(
                "window/workDoneProgress/cancel",
                progress::cancel_notification,
            )
            .finish();
        Server::new(stdin, stdout, socket)
            .concurrency_level(CONCURRENCY)
            .serve(service)
            .await;
    });
    // Blocking analysis threads may still be running; do not wait for them.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    Ok(())
}
