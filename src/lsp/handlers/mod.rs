//! One module per LSP method (or family of methods).

pub mod ai;
pub mod capabilities;
pub mod code_action;
pub mod execute_command;
pub mod hover;
pub mod index;
