//! The `codomyrmex` binary: argument parsing, logging set-up and dispatch to `cli::*` and `lsp`.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use codomyrmex::cli;

#[derive(Parser)]
#[command(
    name = "codomyrmex",
    version,
    about = "Pattern diagnostics, security findings and AI actions for your editor"
)]
struct Cli {
    /// Serve LSP on stdin/stdout (same as `codomyrmex lsp`).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Language server on stdin/stdout.
    Lsp {
        /// Accepted for compatibility with clients that always pass it.
        #[arg(long)]
        stdio: bool,
    },
    /// Pattern diagnostics and security findings over files and directories.
    Check(cli::check::CheckArgs),
    /// Rule packs: `rules test [DIR…]`.
    #[command(subcommand)]
    Rules(cli::rules::RulesCommand),
    /// Build or refresh the local index.
    Index(cli::index::IndexArgs),
    /// Search the local index.
    Search(cli::search::SearchArgs),
    /// Run an AI action from the shell.
    Ai(cli::ai::AiArgs),
    /// Show configuration sources, provider reachability, index and cache state.
    Doctor(cli::doctor::DoctorArgs),
    /// Show or verify the audit log of model calls.
    Audit(cli::audit::AuditArgs),
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { 2 } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    codomyrmex::cli::init_logging();
    let result = match cli.command {
        None if cli.stdio => codomyrmex::lsp::serve_stdio().map(|()| 0),
        None => {
            eprintln!("codomyrmex: no command given; try `codomyrmex --help`");
            Ok(2)
        }
        Some(Command::Lsp { .. }) => codomyrmex::lsp::serve_stdio().map(|()| 0),
        Some(Command::Check(args)) => cli::check::run(args),
        Some(Command::Rules(cmd)) => cli::rules::run(cmd),
        Some(Command::Index(args)) => cli::index::run(args),
        Some(Command::Search(args)) => cli::search::run(args),
        Some(Command::Ai(args)) => cli::ai::run(args),
        Some(Command::Doctor(args)) => cli::doctor::run(args),
        Some(Command::Audit(args)) => cli::audit::run(args),
    };
    match result {
        Ok(code) => ExitCode::from(code.clamp(0, 255) as u8),
        Err(err) => {
            eprintln!("codomyrmex: {err:#}");
            ExitCode::from(2)
        }
    }
}
