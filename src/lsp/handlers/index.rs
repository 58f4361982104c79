//! The local index in the server: background indexing after `initialize` (with
//! `workDoneProgress`), `workspace/symbol`, re-indexing saved and changed files, and the
//! `codomyrmex.index.rebuild` command. The index itself is `crate::index`.

use std::path::PathBuf;

use serde_json::{Value, json};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Error, Result};
use tower_lsp_server::ls_types::*;

use crate::index::{IndexHandle, Progress, RefreshStats};
use crate::lsp::server::Backend;

fn symbol_kind(kind: crate::index::ChunkKind) -> SymbolKind {
    use crate::index::ChunkKind as K;
    match kind {
        K::Function => SymbolKind::FUNCTION,
        K::Method => SymbolKind::METHOD,
        K::Class => SymbolKind::CLASS,
        K::Struct => SymbolKind::STRUCT,
        K::Enum => SymbolKind::ENUM,
        K::Trait | K::Interface => SymbolKind::INTERFACE,
        K::Impl => SymbolKind::OBJECT,
        K::Module => SymbolKind::MODULE,
        K::Type => SymbolKind::TYPE_PARAMETER,
        K::Macro => SymbolKind::FUNCTION,
        K::Code | K::Section | K::Window => SymbolKind::FILE,
    }
}

fn describe(stats: &RefreshStats) -> String {
    format!(
        "{} files ({} indexed, {} unchanged, {} removed, {} skipped), {} chunks in {:.1} s",
        stats.files_seen,
        stats.files_indexed,
        stats.files_unchanged,
        stats.files_removed,
        stats.files_skipped,
        stats.chunks,
        stats.elapsed.as_secs_f64()
    )
}

/// Opens the workspace's index and refreshes it, reporting progress; never delays `initialize`.
pub async fn refresh(
    backend: &Backend,
    rebuild: bool,
) -> std::result::Result<RefreshStats, String> {
    let Some(root) = backend.state.root() else {
        return Err("no workspace folder is open".into());
    };
    let token = NumberOrString::String(format!("codomyrmex-index-{}", std::process::id()));
    let progress = if backend.state.work_done_progress() {
        let _ = backend
            .client
            .create_work_done_progress(token.clone())
            .await;
        Some(
            backend
                .client
                .progress(token, "codomyrmex: indexing")
                .with_percentage(0)
                .begin()
                .await,
        )
    } else {
        None
    };
    let (tx, mut rx) = mpsc::unbounded_channel::<Progress>();
    let existing = backend.state.index();
    let work = tokio::task::spawn_blocking(
        move || -> std::result::Result<(IndexHandle, RefreshStats), String> {
            let handle = match existing {
                Some(h) => h,
                None => IndexHandle::open(&root).map_err(|e| e.to_string())?,
            };
            let report = |p: Progress| {
                let _ = tx.send(p);
            };
            let stats = if rebuild {
                handle.rebuild(report)
            } else {
                handle.refresh(report)
            }
            .map_err(|e| e.to_string())?;
            Ok((handle, stats))
        },
    );
    let mut last = 0;
    while let Some(p) = rx.recv().await {
        if let Some(progress) = &progress {
            let pct = (p.done * 100).checked_div(p.total).unwrap_or(0) as u32;
            if pct != last {
                last = pct;
                progress
                    .report_with_message(format!("{:?} {}/{}", p.phase, p.done, p.total), pct)
                    .await;
            }
        }
    }
    let result = match work.await {
        Ok(r) => r,
        Err(_) => Err("indexing panicked".to_string()),
    };
    match result {
        Ok((handle, stats)) => {
            let message = describe(&stats);
            backend.state.set_index(handle);
            if let Some(progress) = progress {
                progress.finish_with_message(message.clone()).await;
            }
            backend
                .client
                .log_message(
                    MessageType::INFO,
                    format!("codomyrmex: index ready: {message}"),
                )
                .await;
            Ok(stats)
        }
        Err(err) => {
            if let Some(progress) = progress {
                progress
                    .finish_with_message(format!("indexing failed: {err}"))
                    .await;
            }
            backend
                .client
                .log_message(
                    MessageType::WARNING,
                    format!("codomyrmex: indexing failed: {err}"),
                )
                .await;
            Err(err)
        }
    }
}

/// `workspace/symbol` from the index.
pub async fn symbol(
    backend: &Backend,
    params: WorkspaceSymbolParams,
) -> Result<Option<WorkspaceSymbolResponse>> {
    let Some(handle) = backend.state.index() else {
        return Ok(None);
    };
    // Hit paths are relative to the index's canonical root, which may differ from the client's.
    let root = handle.root().to_path_buf();
    let query = params.query;
    let hits = tokio::task::spawn_blocking(move || handle.symbols(&query, 100))
        .await
        .map_err(|_| Error::internal_error())?
        .map_err(|e| Error::invalid_params(format!("index: {e}")))?;
    #[allow(deprecated)]
    let symbols: Vec<SymbolInformation> = hits
        .into_iter()
        .filter_map(|h| {
            let uri = Uri::from_file_path(root.join(&h.path))?;
            let start = Position::new(h.start_line.saturating_sub(1), 0);
            let end = Position::new(h.end_line.saturating_sub(1), 0);
            Some(SymbolInformation {
                name: h.name,
                kind: symbol_kind(h.kind),
                tags: None,
                deprecated: None,
                location: Location {
                    uri,
                    range: Range::new(start, end),
                },
                container_name: h.container,
            })
        })
        .collect();
    Ok(Some(WorkspaceSymbolResponse::Flat(symbols)))
}

/// Re-indexes one file (after save or an outside change) with the given text, or removes it.
pub fn update(backend: &Backend, path: PathBuf, text: Option<String>) {
    let Some(handle) = backend.state.index() else {
        return;
    };
    tokio::task::spawn_blocking(move || {
        let result = match text {
            Some(text) => handle.update_file(&path, &text),
            None => match std::fs::read_to_string(&path) {
                Ok(text) => handle.update_file(&path, &text),
                Err(_) => handle.remove_file(&path),
            },
        };
        match result {
            Ok(()) => {}
            Err(crate::index::IndexError::OutsideWorkspace { .. }) => {
                tracing::debug!("not indexing {} (outside the workspace)", path.display())
            }
            Err(err) => tracing::warn!("index update of {} failed: {err}", path.display()),
        }
    });
}

/// `codomyrmex.index.rebuild`.
pub async fn rebuild_command(backend: &Backend) -> Result<Option<Value>> {
    match refresh(backend, true).await {
        Ok(stats) => Ok(Some(json!({
            "files": stats.files_seen,
            "indexed": stats.files_indexed,
            "chunks": stats.chunks,
            "bytes": stats.bytes,
            "message": describe(&stats),
        }))),
        Err(err) => Err(Error::invalid_params(format!(
            "index rebuild failed: {err}"
        ))),
    }
}
