//! `codomyrmex index [DIR]`: builds or refreshes the local index of a workspace.
//!
//! Incremental: only files whose content changed are re-indexed, deleted ones are removed.
//! Shows a progress bar on stderr when it is a terminal; prints a summary (files, chunks, MB,
//! time) on stdout, or JSON with `--json`. Exit codes: 0 done, 1 another process is writing the
//! index (after waiting `--wait` seconds), 2 other errors.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::index::{IndexError, IndexHandle, OpenOptions, Phase, Progress, RefreshStats};

/// Arguments of `codomyrmex index`.
#[derive(Debug, clap::Args)]
pub struct IndexArgs {
    /// Workspace root (default: the current directory).
    pub dir: Option<PathBuf>,
    /// Forget the existing index and build it again from scratch.
    #[arg(long)]
    pub rebuild: bool,
    /// Seconds to wait while another codomyrmex process writes the same index.
    #[arg(long, default_value_t = 30)]
    pub wait: u64,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
    /// No progress bar.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(args: IndexArgs) -> anyhow::Result<i32> {
    let dir = match &args.dir {
        Some(dir) => dir.clone(),
        None => std::env::current_dir().context("cannot read the current directory")?,
    };
    if !dir.is_dir() {
        anyhow::bail!("{} is not a directory", dir.display());
    }
    let options = OpenOptions {
        lock_wait: Duration::from_secs(args.wait),
        ..OpenOptions::default()
    };
    let handle = match IndexHandle::open_with(&dir, &options) {
        Ok(handle) => handle,
        Err(err @ IndexError::Locked { .. }) => {
            eprintln!("codomyrmex: {err}");
            return Ok(1);
        }
        Err(err) => return Err(err).context(format!("cannot open the index of {}", dir.display())),
    };
    let bar = Bar::new(!args.quiet && std::io::stderr().is_terminal());
    let report = |p: Progress| bar.draw(&p);
    let result = if args.rebuild {
        handle.rebuild(report)
    } else {
        handle.refresh(report)
    };
    bar.clear();
    // Let background merges finish so the next run starts from a compact index.
    if let Err(err) = handle.close() {
        tracing::warn!("index: closing the writer: {err}");
    }
    let stats = match result {
        Ok(stats) => stats,
        Err(err @ IndexError::Locked { .. }) => {
            eprintln!("codomyrmex: {err}");
            return Ok(1);
        }
        Err(err) => return Err(err).context(format!("cannot index {}", dir.display())),
    };
    let status = handle.status().context("cannot read the index status")?;
    let mut out = std::io::stdout().lock();
    if args.json {
        let value = serde_json::json!({
            "root": handle.root(),
            "dir": handle.dir(),
            "files_seen": stats.files_seen,
            "files_indexed": stats.files_indexed,
            "files_unchanged": stats.files_unchanged,
            "files_removed": stats.files_removed,
            "files_skipped": stats.files_skipped,
            "files_failed": stats.files_failed,
            "chunks": stats.chunks,
            "bytes": stats.bytes,
            "elapsed_ms": stats.elapsed.as_millis() as u64,
            "total_files": status.files,
            "total_chunks": status.chunks,
            "index_bytes": status.size_bytes,
            "errors": status.errors,
        });
        writeln!(out, "{value}")?;
    } else {
        writeln!(out, "{}", summary(&stats))?;
        writeln!(
            out,
            "index of {}: {} files, {} chunks, {:.1} MB in {}",
            handle.root().display(),
            status.files,
            status.chunks,
            status.size_bytes as f64 / 1e6,
            handle.dir().display()
        )?;
        for error in &status.errors {
            writeln!(out, "  problem: {error}")?;
        }
    }
    Ok(0)
}

fn summary(stats: &RefreshStats) -> String {
    format!(
        "indexed {} files ({} new or changed, {} unchanged, {} removed, {} skipped{}): {} chunks, \
         {:.1} MB in {:.2} s",
        stats.files_seen,
        stats.files_indexed,
        stats.files_unchanged,
        stats.files_removed,
        stats.files_skipped,
        if stats.files_failed > 0 {
            format!(", {} unreadable", stats.files_failed)
        } else {
            String::new()
        },
        stats.chunks,
        stats.bytes as f64 / 1e6,
        stats.elapsed.as_secs_f64()
    )
}

/// A one-line progress bar on stderr, redrawn at most every 100 ms.
struct Bar {
    enabled: bool,
    last: Mutex<Option<Instant>>,
}

impl Bar {
    fn new(enabled: bool) -> Bar {
        Bar {
            enabled,
            last: Mutex::new(None),
        }
    }

    fn draw(&self, p: &Progress) {
        if !self.enabled {
            return;
        }
        let Ok(mut last) = self.last.lock() else {
            return;
        };
        let final_step = p.phase != Phase::Indexing || p.done == p.total;
        if !final_step && last.is_some_and(|t| t.elapsed() < Duration::from_millis(100)) {
            return;
        }
        *last = Some(Instant::now());
        let line = match p.phase {
            Phase::Walking => "listing files…".to_string(),
            Phase::Committing => "committing…".to_string(),
            Phase::Indexing => {
                const WIDTH: usize = 30;
                let filled = (p.done * WIDTH).checked_div(p.total).unwrap_or(WIDTH);
                format!(
                    "[{}{}] {}/{} files",
                    "#".repeat(filled),
                    ".".repeat(WIDTH - filled),
                    p.done,
                    p.total
                )
            }
        };
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "\r\x1b[2K{line}");
        let _ = err.flush();
    }

    fn clear(&self) {
        if self.enabled {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "\r\x1b[2K");
            let _ = err.flush();
        }
    }
}
