//! Command-line subcommands. Each file owns one subcommand's arguments and its `run`.

pub mod ai;
pub mod audit;
pub mod check;
pub mod doctor;
pub mod index;
pub mod rules;
pub mod search;

/// Sets up tracing to stderr; the level comes from `CODOMYRMEX_LOG_LEVEL` (default `info`).
pub fn init_logging() {
    let level = std::env::var("CODOMYRMEX_LOG_LEVEL").unwrap_or_else(|_| "info".to_string());
    let filter = tracing_subscriber::EnvFilter::try_new(&level)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .with_target(false)
        .try_init();
}
