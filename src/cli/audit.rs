//! `codomyrmex audit [show|verify]`: print the audit log of model calls, or check its hash chain.

use std::path::PathBuf;

use crate::audit::{self, AuditLine};

/// Arguments of `codomyrmex audit`.
#[derive(Debug, clap::Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    pub command: Option<AuditCommand>,
    /// The log file (default: `<cache dir>/audit.jsonl`).
    #[arg(long, global = true, value_name = "FILE")]
    pub file: Option<PathBuf>,
}

/// `audit show` (the default) or `audit verify`.
#[derive(Debug, clap::Subcommand)]
pub enum AuditCommand {
    /// Print the log readably.
    Show {
        /// One JSON object per line, as stored.
        #[arg(long)]
        json: bool,
        /// Only the last N entries.
        #[arg(long, value_name = "N")]
        last: Option<usize>,
    },
    /// Check the hash chain; exit 1 naming the first bad line.
    Verify,
}

pub fn run(args: AuditArgs) -> anyhow::Result<i32> {
    let path = args.file.unwrap_or_else(audit::default_path);
    match args.command.unwrap_or(AuditCommand::Show {
        json: false,
        last: None,
    }) {
        AuditCommand::Verify => match audit::verify(&path) {
            Ok(n) => {
                println!("{}: {n} entries, hash chain intact", path.display());
                Ok(0)
            }
            Err(err) => {
                println!("{}: {err}", path.display());
                eprintln!(
                    "codomyrmex: the audit log was modified after it was written; keep a copy for inspection and move it aside to start a new chain"
                );
                Ok(1)
            }
        },
        AuditCommand::Show { json, last } => {
            if !path.exists() {
                println!(
                    "no audit log yet at {} (no model calls made)",
                    path.display()
                );
                return Ok(0);
            }
            let lines = match audit::read_all(&path) {
                Ok(lines) => lines,
                Err(err) => {
                    eprintln!(
                        "codomyrmex: {}: {err}; run `codomyrmex audit verify`",
                        path.display()
                    );
                    return Ok(1);
                }
            };
            let skip = last.map_or(0, |n| lines.len().saturating_sub(n));
            let mut out = String::new();
            for line in &lines[skip..] {
                if json {
                    out.push_str(&serde_json::to_string(line)?);
                } else {
                    out.push_str(&format_line(line));
                }
                out.push('\n');
            }
            print!("{out}");
            Ok(0)
        }
    }
}

/// One entry on one line: `#seq time provider/model action file in→out latency outcome`.
pub fn format_line(line: &AuditLine) -> String {
    let e = &line.entry;
    let tokens = match (e.tokens_in, e.tokens_out) {
        (Some(i), Some(o)) => format!(" ({i}→{o} tok)"),
        _ => String::new(),
    };
    let redactions = if e.redactions > 0 {
        format!(" redacted={}", e.redactions)
    } else {
        String::new()
    };
    format!(
        "#{:<4} {}  {}/{}  {}  {}  {}→{} B{}  {} ms{}  {}",
        line.seq,
        e.time,
        e.provider,
        e.model,
        e.action,
        e.file.as_deref().unwrap_or("-"),
        e.bytes_in,
        e.bytes_out,
        tokens,
        e.latency_ms,
        redactions,
        e.outcome
    )
}
