//! Which files the index covers: a gitignore-aware walk of the workspace and the skip rules
//! (binary, huge, generated or minified, lock files).

use std::path::{Path, PathBuf};
use std::time::UNIX_EPOCH;

/// Files larger than this are not indexed.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;
/// A file with a line longer than this is taken for minified or generated.
const MAX_LINE_BYTES: usize = 4000;
/// A file whose lines average more than this is taken for minified or generated.
const MAX_AVERAGE_LINE_BYTES: usize = 300;
/// Directories never indexed, whatever the ignore files say.
const ALWAYS_SKIPPED_DIRS: [&str; 4] = [".git", "node_modules", "__pycache__", ".hg"];
/// Workspace-specific ignore file, same syntax as `.gitignore`.
pub const IGNORE_FILE: &str = ".codomyrmexignore";

/// Why a file is left out of the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SkipReason {
    TooLarge,
    Binary,
    Generated,
    LockFile,
}

impl SkipReason {
    pub fn as_str(self) -> &'static str {
        match self {
            SkipReason::TooLarge => "too large",
            SkipReason::Binary => "binary",
            SkipReason::Generated => "generated or minified",
            SkipReason::LockFile => "lock file",
        }
    }
}

/// A file found by the walk.
#[derive(Debug, Clone)]
pub struct WalkEntry {
    /// Workspace-relative, `/`-separated.
    pub rel: String,
    pub abs: PathBuf,
    pub size: u64,
    /// Modification time in nanoseconds since the epoch (0 when unknown).
    pub mtime_ns: u64,
}

/// Walks `root`, honouring `.gitignore` (also outside git repositories), `.ignore` and
/// [`IGNORE_FILE`], skipping hidden entries. Returns the files sorted by path and the number of
/// files left out by name (binary extensions, lock files).
pub fn walk(root: &Path) -> (Vec<WalkEntry>, Vec<(String, SkipReason)>) {
    let mut files = Vec::new();
    let mut skipped = Vec::new();
    let walker = ignore::WalkBuilder::new(root)
        .hidden(true)
        .git_ignore(true)
        .git_exclude(true)
        .require_git(false)
        .follow_links(false)
        .add_custom_ignore_filename(IGNORE_FILE)
        .filter_entry(|entry| {
            !(entry.file_type().is_some_and(|t| t.is_dir())
                && entry
                    .file_name()
                    .to_str()
                    .is_some_and(|n| ALWAYS_SKIPPED_DIRS.contains(&n)))
        })
        .build();
    for entry in walker {
        let entry = match entry {
            Ok(entry) => entry,
            Err(err) => {
                tracing::debug!("index: walk: {err}");
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) {
            continue;
        }
        let Some(rel) = relative(root, entry.path()) else {
            continue;
        };
        if let Some(reason) = skip_by_name(&rel) {
            skipped.push((rel, reason));
            continue;
        }
        let (size, mtime_ns) = match entry.metadata() {
            Ok(meta) => (meta.len(), mtime_ns(&meta)),
            Err(_) => continue,
        };
        files.push(WalkEntry {
            rel,
            abs: entry.into_path(),
            size,
            mtime_ns,
        });
    }
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    (files, skipped)
}

/// Modification time of `meta` in nanoseconds since the epoch, 0 when unknown.
pub fn mtime_ns(meta: &std::fs::Metadata) -> u64 {
    meta.modified()
        .ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0)
}

/// `path` relative to `root` with `/` separators, or `None` when outside.
pub fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let mut out = String::new();
    for part in rel.components() {
        let std::path::Component::Normal(part) = part else {
            return None;
        };
        if !out.is_empty() {
            out.push('/');
        }
        out.push_str(part.to_str()?);
    }
    (!out.is_empty()).then_some(out)
}

/// Whether the walk would leave `rel` (workspace-relative) out: hidden or always-skipped
/// components, or matched by an ignore file in `root` or a directory between.
pub fn is_excluded(root: &Path, rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    if parts
        .iter()
        .any(|p| p.starts_with('.') || ALWAYS_SKIPPED_DIRS.contains(p))
    {
        return true;
    }
    let abs = root.join(rel);
    let mut dir = root.to_path_buf();
    for part in &parts {
        for name in [".gitignore", ".ignore", IGNORE_FILE] {
            let file = dir.join(name);
            if !file.is_file() {
                continue;
            }
            let (matcher, _) = ignore::gitignore::Gitignore::new(&file);
            if matcher.matched_path_or_any_parents(&abs, false).is_ignore() {
                return true;
            }
        }
        dir.push(part);
    }
    false
}

/// Skip decisions that need only the name.
pub fn skip_by_name(rel: &str) -> Option<SkipReason> {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    let lower = name.to_ascii_lowercase();
    const LOCK_FILES: [&str; 11] = [
        "package-lock.json",
        "npm-shrinkwrap.json",
        "pnpm-lock.yaml",
        "go.sum",
        "packages.lock.json",
        "composer.lock",
        "gemfile.lock",
        "pipfile.lock",
        "yarn.lock",
        "cargo.lock",
        "bun.lockb",
    ];
    if LOCK_FILES.contains(&lower.as_str()) || lower.ends_with(".lock") {
        return Some(SkipReason::LockFile);
    }
    if lower.ends_with(".min.js") || lower.ends_with(".min.css") || lower.ends_with(".map") {
        return Some(SkipReason::Generated);
    }
    let ext = lower.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    const BINARY_EXTENSIONS: [&str; 52] = [
        "png", "jpg", "jpeg", "gif", "bmp", "ico", "webp", "tif", "tiff", "psd", "pdf", "zip",
        "gz", "tgz", "bz2", "xz", "zst", "7z", "rar", "jar", "war", "class", "o", "a", "so",
        "dylib", "dll", "exe", "bin", "pyc", "pyo", "whl", "woff", "woff2", "ttf", "otf", "eot",
        "mp3", "mp4", "wav", "ogg", "flac", "avi", "mov", "mkv", "db", "sqlite", "wasm", "rlib",
        "pack", "idx", "npy",
    ];
    BINARY_EXTENSIONS
        .contains(&ext)
        .then_some(SkipReason::Binary)
}

/// Skip decisions on the content: NUL bytes (binary), generated-file markers, very long lines.
pub fn skip_by_content(bytes: &[u8]) -> Option<SkipReason> {
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Some(SkipReason::TooLarge);
    }
    let head = &bytes[..bytes.len().min(8192)];
    if head.contains(&0) {
        return Some(SkipReason::Binary);
    }
    let first = String::from_utf8_lossy(&bytes[..bytes.len().min(1024)]);
    if first.contains("@generated")
        || (first.contains("Code generated") && first.contains("DO NOT EDIT"))
    {
        return Some(SkipReason::Generated);
    }
    let mut lines = 0usize;
    let mut longest = 0usize;
    for line in bytes.split(|&b| b == b'\n') {
        lines += 1;
        longest = longest.max(line.len());
    }
    if longest > MAX_LINE_BYTES
        || (bytes.len() > 2048 && bytes.len() / lines > MAX_AVERAGE_LINE_BYTES)
    {
        return Some(SkipReason::Generated);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skip_rules() {
        assert_eq!(skip_by_name("a/Cargo.lock"), Some(SkipReason::LockFile));
        assert_eq!(
            skip_by_name("web/package-lock.json"),
            Some(SkipReason::LockFile)
        );
        assert_eq!(skip_by_name("dist/app.min.js"), Some(SkipReason::Generated));
        assert_eq!(skip_by_name("img/logo.PNG"), Some(SkipReason::Binary));
        assert_eq!(skip_by_name("src/main.rs"), None);
        assert_eq!(skip_by_content(b"abc\0def"), Some(SkipReason::Binary));
        assert_eq!(
            skip_by_content(b"// Code generated by protoc. DO NOT EDIT.\npackage x\n"),
            Some(SkipReason::Generated)
        );
        let minified = "var a=1;".repeat(1000);
        assert_eq!(
            skip_by_content(minified.as_bytes()),
            Some(SkipReason::Generated)
        );
        assert_eq!(skip_by_content(b"fn main() {}\n"), None);
    }

    #[test]
    fn relative_paths() {
        let root = Path::new("/w");
        assert_eq!(
            relative(root, Path::new("/w/a/b.rs")).as_deref(),
            Some("a/b.rs")
        );
        assert_eq!(relative(root, Path::new("/x/b.rs")), None);
        assert_eq!(relative(root, Path::new("/w")), None);
    }

    #[test]
    fn walk_honours_gitignore_outside_git() -> std::io::Result<()> {
        let dir = tempfile::tempdir()?;
        let root = dir.path();
        std::fs::create_dir_all(root.join("src"))?;
        std::fs::create_dir_all(root.join("build"))?;
        std::fs::create_dir_all(root.join("node_modules/x"))?;
        std::fs::write(root.join(".gitignore"), "build/\n*.tmp\n")?;
        std::fs::write(root.join("src/a.rs"), "fn a() {}\n")?;
        std::fs::write(root.join("src/b.tmp"), "x\n")?;
        std::fs::write(root.join("build/out.rs"), "fn o() {}\n")?;
        std::fs::write(root.join("node_modules/x/i.js"), "1\n")?;
        std::fs::write(root.join("Cargo.lock"), "x\n")?;
        let (files, skipped) = walk(root);
        let rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
        assert_eq!(rels, ["src/a.rs"]);
        assert_eq!(skipped, [("Cargo.lock".to_string(), SkipReason::LockFile)]);
        assert!(is_excluded(root, "build/out.rs"));
        assert!(is_excluded(root, "src/b.tmp"));
        assert!(is_excluded(root, ".git/config"));
        assert!(!is_excluded(root, "src/a.rs"));
        Ok(())
    }
}
