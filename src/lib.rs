//! codomyrmex: a language server and CLI for pattern diagnostics, security findings, AI actions
//! and a local index. See ARCHITECTURE.md for the map.
//!
//! Only `lsp` speaks the protocol; every other module is plain Rust, tested on its own.

pub mod ai;
pub mod assist;
pub mod audit;
pub mod check;
pub mod cli;
pub mod config;
pub mod document;
pub mod index;
pub mod lsp;
pub mod privacy;
pub mod rules;
pub mod security;
pub mod syntax;
pub mod text;
