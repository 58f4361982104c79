//! Well-known directories: user config dir, cache dir, workspace config dir.

use std::path::{Path, PathBuf};

/// `$CODOMYRMEX_CONFIG_DIR`, else `$XDG_CONFIG_HOME/codomyrmex`, else `~/.config/codomyrmex`.
pub fn user_config_dir() -> Option<PathBuf> {
    if let Some(dir) = non_empty_env("CODOMYRMEX_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    if let Some(dir) = non_empty_env("XDG_CONFIG_HOME") {
        return Some(PathBuf::from(dir).join("codomyrmex"));
    }
    non_empty_env("HOME").map(|home| PathBuf::from(home).join(".config").join("codomyrmex"))
}

/// `$CODOMYRMEX_CACHE_DIR`, else `$XDG_CACHE_HOME/codomyrmex`, else `~/.cache/codomyrmex`,
/// else a directory under the system temp dir.
pub fn cache_dir() -> PathBuf {
    if let Some(dir) = non_empty_env("CODOMYRMEX_CACHE_DIR") {
        return PathBuf::from(dir);
    }
    if let Some(dir) = non_empty_env("XDG_CACHE_HOME") {
        return PathBuf::from(dir).join("codomyrmex");
    }
    match non_empty_env("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("codomyrmex"),
        None => std::env::temp_dir().join("codomyrmex-cache"),
    }
}

/// The workspace's own (untrusted) config dir: `<root>/.codomyrmex`.
pub fn workspace_config_dir(root: &Path) -> PathBuf {
    root.join(".codomyrmex")
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}
