//! `codomyrmex search QUERY`: searches the local index.
//!
//! The workspace is `--workspace`, else the nearest of the current directory and its ancestors
//! that has an index. `--json` prints an array of `{path, start_line, end_line, symbol, kind,
//! score}` (1-based lines, workspace-relative paths). Exit codes: 0 done (even with no results),
//! 1 no index yet, 2 other errors.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use crate::index::{IndexError, IndexHandle, SearchFilters, SearchHit};

/// Arguments of `codomyrmex search`.
#[derive(Debug, clap::Args)]
pub struct SearchArgs {
    /// What to look for: words, identifiers (`parseRequest`, `open_in_dir`), paths.
    #[arg(required_unless_present = "queries", num_args = 1..)]
    pub query: Vec<String>,
    /// Most results to print.
    #[arg(short = 'n', long, default_value_t = 10)]
    pub limit: usize,
    /// Print a JSON array.
    #[arg(long)]
    pub json: bool,
    /// Workspace root (default: the current directory or its nearest indexed ancestor).
    #[arg(short, long)]
    pub workspace: Option<PathBuf>,
    /// Only this language (`rust`, `python`, `markdown`, …).
    #[arg(long)]
    pub lang: Option<String>,
    /// Only this kind of chunk (`function`, `method`, `class`, `struct`, `section`, …).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only paths matching this glob (`src/**/*.rs`).
    #[arg(long)]
    pub path: Option<String>,
    /// Look up definitions by name (what `workspace/symbol` answers) instead of full text.
    #[arg(long)]
    pub symbols: bool,
    /// Run every line of FILE as a query and print one JSON object per line:
    /// `{query, elapsed_us, results}` (for scripts and benchmarks).
    #[arg(long, value_name = "FILE", conflicts_with = "query")]
    pub queries: Option<PathBuf>,
}

pub fn run(args: SearchArgs) -> anyhow::Result<i32> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let root = match &args.workspace {
        Some(dir) => dir.clone(),
        None => IndexHandle::find_indexed_root(&cwd, None).unwrap_or(cwd),
    };
    let handle = match IndexHandle::open_existing(&root) {
        Ok(handle) => handle,
        Err(err @ IndexError::NotFound { .. }) => {
            eprintln!("codomyrmex: {err}");
            return Ok(1);
        }
        Err(err) => {
            return Err(err).context(format!("cannot open the index of {}", root.display()));
        }
    };
    if let Some(file) = &args.queries {
        return run_batch(&handle, &args, file);
    }
    let query = args.query.join(" ");
    let mut out = std::io::stdout().lock();
    if args.symbols {
        let hits = handle.symbols(&query, args.limit)?;
        if args.json {
            let rows: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "path": h.path, "start_line": h.start_line, "end_line": h.end_line,
                        "symbol": h.name, "kind": h.kind, "container": h.container,
                    })
                })
                .collect();
            writeln!(out, "{}", serde_json::Value::Array(rows))?;
        } else {
            for h in &hits {
                let container = h
                    .container
                    .as_deref()
                    .map(|c| format!(" in {c}"))
                    .unwrap_or_default();
                writeln!(
                    out,
                    "{}:{}  {} {}{}",
                    h.path,
                    h.start_line,
                    h.kind.as_str(),
                    h.name,
                    container
                )?;
            }
            if hits.is_empty() {
                eprintln!("no symbol matches `{query}`");
            }
        }
        return Ok(0);
    }
    let hits = handle.search(&query, args.limit, &filters(&args))?;
    if args.json {
        writeln!(out, "{}", hits_json(&hits))?;
        return Ok(0);
    }
    for h in &hits {
        let symbol = h
            .symbol
            .as_deref()
            .map(|s| format!(" {s}"))
            .unwrap_or_default();
        writeln!(
            out,
            "{}:{}-{}  {}{}  ({:.2})",
            h.path,
            h.start_line,
            h.end_line,
            h.kind.as_str(),
            symbol,
            h.score
        )?;
        for line in h.snippet.lines() {
            writeln!(out, "    {line}")?;
        }
    }
    if hits.is_empty() {
        eprintln!("no results for `{query}` in {}", handle.root().display());
    }
    Ok(0)
}

fn filters(args: &SearchArgs) -> SearchFilters {
    SearchFilters {
        lang: args.lang.clone(),
        kind: args.kind.clone(),
        path_glob: args.path.clone(),
    }
}

/// The `--json` shape: `[{path, start_line, end_line, symbol, kind, score}]`.
fn hits_json(hits: &[SearchHit]) -> serde_json::Value {
    hits.iter()
        .map(|h| {
            serde_json::json!({
                "path": h.path,
                "start_line": h.start_line,
                "end_line": h.end_line,
                "symbol": h.symbol,
                "kind": h.kind,
                "score": h.score,
            })
        })
        .collect()
}

fn run_batch(handle: &IndexHandle, args: &SearchArgs, file: &Path) -> anyhow::Result<i32> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("cannot read queries from {}", file.display()))?;
    let filters = filters(args);
    let mut out = std::io::stdout().lock();
    for query in text.lines().map(str::trim).filter(|q| !q.is_empty()) {
        let started = Instant::now();
        let results = if args.symbols {
            let hits = handle.symbols(query, args.limit)?;
            let elapsed = started.elapsed();
            let rows: Vec<serde_json::Value> = hits
                .iter()
                .map(|h| {
                    serde_json::json!({
                        "path": h.path, "start_line": h.start_line, "end_line": h.end_line,
                        "symbol": h.name, "kind": h.kind, "container": h.container,
                    })
                })
                .collect();
            (elapsed, serde_json::Value::Array(rows))
        } else {
            let hits = handle.search(query, args.limit, &filters)?;
            (started.elapsed(), hits_json(&hits))
        };
        let line = serde_json::json!({
            "query": query,
            "elapsed_us": results.0.as_micros() as u64,
            "results": results.1,
        });
        writeln!(out, "{line}")?;
    }
    Ok(0)
}
