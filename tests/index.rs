//! The local index end to end: real tantivy indexes in temp dirs, through the library API and
//! through the built binary (`index`, `search`), including two processes on one index and a
//! corrupted index.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use codomyrmex::index::{ChunkKind, IndexError, IndexHandle, OpenOptions, SearchFilters, store};
use codomyrmex::syntax::Lang;

type TestResult = Result<(), Box<dyn std::error::Error>>;

fn write(root: &Path, rel: &str, text: &str) -> std::io::Result<()> {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, text)
}

/// A small multi-language workspace.
fn sample_workspace(root: &Path) -> std::io::Result<()> {
    write(
        root,
        "src/session.py",
        r#"import os


class Session:
    """Keeps cookies between requests."""

    def get_cookies(self):
        return self.cookie_jar

    def send_request(self, request):
        adapter = self.get_adapter(request.url)
        return adapter.send(request)


def merge_settings(request_setting, session_setting):
    return dict(session_setting, **request_setting)
"#,
    )?;
    write(
        root,
        "src/lib.rs",
        r#"/// Parses an HTTP request line.
pub fn parse_request_line(line: &str) -> Option<(&str, &str)> {
    let mut parts = line.split(' ');
    Some((parts.next()?, parts.next()?))
}

pub struct ConnectionPool {
    size: usize,
}

impl ConnectionPool {
    pub fn checkout(&self) -> usize {
        self.size
    }
}
"#,
    )?;
    write(
        root,
        "web/app.ts",
        "export function renderCookieBanner(el: HTMLElement): void {\n  el.textContent = 'cookies';\n}\n",
    )?;
    write(
        root,
        "README.md",
        "# Sample\n\nA sample workspace.\n\n## Cookies\n\nHow cookie jars work.\n",
    )?;
    write(root, ".gitignore", "build/\n")?;
    write(
        root,
        "build/generated.py",
        "def ignored_function():\n    pass\n",
    )?;
    write(root, "Cargo.lock", "# lock\n")?;
    std::fs::write(root.join("logo.dat"), [0u8, 1, 2, 3, 0, 0])?;
    Ok(())
}

fn options(cache: &Path) -> OpenOptions {
    OpenOptions {
        cache_dir: Some(cache.to_path_buf()),
        lock_wait: Duration::from_secs(20),
        commit_interval: Duration::from_millis(200),
        idle_release: Duration::from_millis(300),
        threads: Some(2),
        ..OpenOptions::default()
    }
}

/// Path of the best hit, which must be the chunk named `query`.
fn top_path(handle: &IndexHandle, query: &str) -> Result<Option<String>, IndexError> {
    let hits = handle.search(query, 10, &SearchFilters::default())?;
    Ok(hits
        .into_iter()
        .next()
        .filter(|h| h.symbol.as_deref() == Some(query))
        .map(|h| h.path))
}

/// Whether any hit for `query` is the chunk named `query`.
fn has_symbol(handle: &IndexHandle, query: &str) -> Result<bool, IndexError> {
    let hits = handle.search(query, 10, &SearchFilters::default())?;
    Ok(hits.iter().any(|h| h.symbol.as_deref() == Some(query)))
}

#[test]
fn refresh_indexes_then_only_changes() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    sample_workspace(ws.path())?;
    let handle = IndexHandle::open_with(ws.path(), &options(cache.path()))?;

    let first = handle.refresh(|_| {})?;
    assert_eq!(first.files_seen, 5, "{first:?}"); // .gitignore is hidden, build/ ignored
    assert_eq!(first.files_indexed, 4, "{first:?}"); // logo.bin is skipped by content
    assert_eq!(first.files_skipped, 2, "{first:?}"); // Cargo.lock by name, logo.bin by content
    assert!(first.chunks >= 8, "{first:?}");
    let status = handle.status()?;
    assert_eq!(status.chunks as usize, first.chunks);
    assert!(status.last_update.is_some());

    let hits = handle.search("get cookies", 5, &SearchFilters::default())?;
    assert_eq!(hits[0].path, "src/session.py");
    assert_eq!(hits[0].symbol.as_deref(), Some("get_cookies"));
    assert_eq!(hits[0].kind, ChunkKind::Method);
    assert_eq!((hits[0].start_line, hits[0].end_line), (7, 8));
    assert!(!has_symbol(&handle, "ignored_function")?);

    // Nothing changed: nothing re-indexed.
    let second = handle.refresh(|_| {})?;
    assert_eq!(second.files_indexed, 0, "{second:?}");
    assert_eq!(second.files_unchanged, 5, "{second:?}");

    // Add, change, delete.
    write(
        ws.path(),
        "src/extra.go",
        "package x\n\nfunc BrandNewThing() int { return 1 }\n",
    )?;
    write(
        ws.path(),
        "src/lib.rs",
        "pub fn tokenize_header(h: &str) -> Vec<&str> {\n    h.split(',').collect()\n}\n",
    )?;
    std::fs::remove_file(ws.path().join("web/app.ts"))?;
    let third = handle.refresh(|_| {})?;
    assert_eq!(third.files_indexed, 2, "{third:?}");
    assert_eq!(third.files_removed, 1, "{third:?}");
    assert_eq!(
        top_path(&handle, "BrandNewThing")?.as_deref(),
        Some("src/extra.go")
    );
    assert_eq!(
        top_path(&handle, "tokenize_header")?.as_deref(),
        Some("src/lib.rs")
    );
    assert!(!has_symbol(&handle, "parse_request_line")?);
    assert!(!has_symbol(&handle, "renderCookieBanner")?);

    // Touched but identical content: hashed, not re-indexed.
    let text = std::fs::read_to_string(ws.path().join("src/extra.go"))?;
    std::thread::sleep(Duration::from_millis(20));
    write(ws.path(), "src/extra.go", &text)?;
    let fourth = handle.refresh(|_| {})?;
    assert_eq!(fourth.files_indexed, 0, "{fourth:?}");
    Ok(())
}

#[test]
fn editor_updates_symbols_and_filters() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    sample_workspace(ws.path())?;
    let handle = IndexHandle::open_with(ws.path(), &options(cache.path()))?;
    handle.refresh(|_| {})?;

    let symbols = handle.symbols("ConnPool", 10)?;
    assert_eq!(symbols[0].name, "ConnectionPool");
    assert_eq!(symbols[0].kind, ChunkKind::Struct);
    let methods = handle.symbols("checkout", 10)?;
    assert_eq!(methods[0].container.as_deref(), Some("ConnectionPool"));
    assert!(!handle.symbols("", 5)?.is_empty());

    let only_rust = SearchFilters {
        lang: Some("rust".into()),
        ..SearchFilters::default()
    };
    assert!(
        handle
            .search("request", 10, &only_rust)?
            .iter()
            .all(|h| h.lang == "rust")
    );
    let only_docs = SearchFilters {
        path_glob: Some("*.md".into()),
        ..SearchFilters::default()
    };
    let docs = handle.search("cookie", 10, &only_docs)?;
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].symbol.as_deref(), Some("Cookies"));

    // Unsaved editor content, absolute path.
    let abs = ws.path().join("src/session.py");
    handle.update_file(&abs, "def freshly_typed_function():\n    return 42\n")?;
    handle.flush()?;
    assert_eq!(
        top_path(&handle, "freshly_typed_function")?.as_deref(),
        Some("src/session.py")
    );
    assert!(!has_symbol(&handle, "merge_settings")?);
    // Ignored files are left alone.
    handle.update_file(
        Path::new("build/generated.py"),
        "def also_ignored(): pass\n",
    )?;
    handle.remove_file(Path::new("README.md"))?;
    handle.flush()?;
    assert!(!has_symbol(&handle, "also_ignored")?);
    assert!(
        handle
            .search("sample workspace", 10, &only_docs)?
            .is_empty()
    );
    // Outside the workspace.
    assert!(matches!(
        handle.update_file(Path::new("/definitely/elsewhere.py"), "x = 1\n"),
        Err(IndexError::OutsideWorkspace { .. })
    ));
    // The next refresh sees the disk content again.
    let stats = handle.refresh(|_| {})?;
    assert!(stats.files_indexed >= 2, "{stats:?}");
    assert_eq!(
        top_path(&handle, "merge_settings")?.as_deref(),
        Some("src/session.py")
    );
    Ok(())
}

#[test]
fn related_chunks_for_prompts() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    let mut helpers = String::new();
    for i in 0..5 {
        helpers.push_str(&format!(
            "def cookie_helper_{i}(cookie_jar):\n    return cookie_jar.get('session_token_{i}')\n\n\n"
        ));
    }
    write(ws.path(), "helpers.py", &helpers)?;
    write(
        ws.path(),
        "secrets/keys.py",
        "def cookie_secret(cookie_jar):\n    return cookie_jar.get('session_token')\n",
    )?;
    write(
        ws.path(),
        "main.py",
        "def use_cookies(cookie_jar):\n    return cookie_jar.get('session_token')\n\n\ndef unrelated():\n    return 1\n",
    )?;
    let handle = IndexHandle::open_with(ws.path(), &options(cache.path()))?;
    handle.refresh(|_| {})?;

    let node = "def use_cookies(cookie_jar):\n    return cookie_jar.get('session_token')\n";
    let all = handle.related(
        Lang::Python,
        node,
        &ws.path().join("main.py"),
        (1, 2),
        1_500,
        |_| true,
    )?;
    assert!(!all.is_empty());
    assert!(
        all.iter()
            .all(|c| !(c.path == "main.py" && c.start_line == 1)),
        "{all:?}"
    );
    assert!(
        all.iter().filter(|c| c.path == "helpers.py").count() <= 2,
        "{all:?}"
    );
    assert!(all.iter().any(|c| c.path == "secrets/keys.py"));
    let allowed = handle.related(
        Lang::Python,
        node,
        Path::new("main.py"),
        (1, 2),
        1_500,
        |p| !p.starts_with("secrets/"),
    )?;
    assert!(
        allowed.iter().all(|c| !c.path.starts_with("secrets/")),
        "{allowed:?}"
    );
    let tiny = handle.related(Lang::Python, node, Path::new("main.py"), (1, 2), 20, |_| {
        true
    })?;
    assert!(tiny.iter().map(|c| c.estimated_tokens()).sum::<usize>() <= 20);
    Ok(())
}

#[test]
fn old_format_versions_are_removed() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    write(ws.path(), "a.py", "def a():\n    pass\n")?;
    let ws_dir = store::workspace_dir(cache.path(), &ws.path().canonicalize()?);
    std::fs::create_dir_all(ws_dir.join("index-v0"))?;
    std::fs::write(ws_dir.join("index-v0/meta.json"), "{}")?;
    let handle = IndexHandle::open_with(ws.path(), &options(cache.path()))?;
    assert!(!ws_dir.join("index-v0").exists());
    assert_eq!(handle.dir(), store::index_dir(&ws_dir));
    Ok(())
}

#[test]
fn writes_wait_for_another_writer_then_say_why() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    write(ws.path(), "a.py", "def alpha_function():\n    pass\n")?;
    let options = OpenOptions {
        lock_wait: Duration::from_millis(300),
        ..options(cache.path())
    };
    let handle = IndexHandle::open_with(ws.path(), &options)?;
    handle.refresh(|_| {})?;
    // Another process takes the lock (acquiring waits until our writer goes idle).
    let ws_dir = store::workspace_dir(cache.path(), &ws.path().canonicalize()?);
    let other = store::acquire_writer_lock(&ws_dir, Duration::from_secs(20))?;

    handle.update_file(Path::new("a.py"), "def beta_function():\n    pass\n")?;
    let err = handle
        .flush()
        .err()
        .ok_or("flush should fail while locked")?;
    assert!(matches!(err, IndexError::Locked { .. }), "{err}");
    assert!(
        err.to_string().contains("another codomyrmex process"),
        "{err}"
    );
    assert!(!handle.status()?.errors.is_empty());
    assert!(matches!(
        handle.refresh(|_| {}),
        Err(IndexError::Locked { .. })
    ));
    // Reads still work.
    assert_eq!(
        top_path(&handle, "alpha_function")?.as_deref(),
        Some("a.py")
    );

    drop(other);
    handle.refresh(|_| {})?;
    assert_eq!(
        top_path(&handle, "alpha_function")?.as_deref(),
        Some("a.py")
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Through the binary.

fn bin(cache: &Path) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codomyrmex"));
    cmd.env("CODOMYRMEX_CACHE_DIR", cache)
        .env("CODOMYRMEX_LOG_LEVEL", "info")
        .env_remove("NO_COLOR");
    cmd
}

fn run(cmd: &mut Command) -> std::io::Result<Output> {
    cmd.output()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn search_json(
    cache: &Path,
    ws: &Path,
    query: &str,
) -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
    let out = run(bin(cache)
        .args(["search", "--json", "--workspace"])
        .arg(ws)
        .arg(query))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    Ok(serde_json::from_slice(&out.stdout)?)
}

#[test]
fn cli_index_then_search_json_shape_and_persistence() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    sample_workspace(ws.path())?;

    // No index yet: a clear message.
    let out = run(bin(cache.path())
        .args(["search", "--workspace"])
        .arg(ws.path())
        .arg("cookies"))?;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("codomyrmex index"),
        "{}",
        text(&out.stderr)
    );

    let out = run(bin(cache.path()).arg("index").arg(ws.path()))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(
        summary.contains("chunks") && summary.contains("MB"),
        "{summary}"
    );

    // A new process reads what the first one wrote.
    let rows = search_json(cache.path(), ws.path(), "parse_request_line")?;
    let first = rows.first().ok_or("no results")?;
    let keys: Vec<&str> = first
        .as_object()
        .ok_or("not an object")?
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        ["end_line", "kind", "path", "score", "start_line", "symbol"]
    );
    assert_eq!(first["path"], "src/lib.rs");
    assert_eq!(first["start_line"], 1);
    assert_eq!(first["end_line"], 5);
    assert_eq!(first["symbol"], "parse_request_line");
    assert_eq!(first["kind"], "function");
    assert!(first["score"].as_f64().is_some_and(|s| s > 0.0));

    // From a subdirectory, the indexed ancestor is found.
    let out = run(bin(cache.path()).current_dir(ws.path().join("src")).args([
        "search",
        "--json",
        "ConnectionPool",
    ]))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)?;
    assert!(rows.iter().any(|r| r["symbol"] == "ConnectionPool"));

    // Second run: incremental.
    write(
        ws.path(),
        "src/new.rb",
        "def brand_new_ruby_method\n  1\nend\n",
    )?;
    let out = run(bin(cache.path()).args(["index", "--json"]).arg(ws.path()))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    assert_eq!(stats["files_indexed"], 1, "{stats}");
    assert_eq!(
        search_json(cache.path(), ws.path(), "brand_new_ruby_method")?[0]["path"],
        "src/new.rb"
    );
    Ok(())
}

/// A workspace big enough that indexing takes a while.
fn big_workspace(root: &Path, files: usize) -> std::io::Result<()> {
    for f in 0..files {
        let mut src = String::new();
        for i in 0..40 {
            src.push_str(&format!(
                "def function_{f}_{i}(alpha, beta):\n    \"\"\"Combines alpha and beta number {i}.\"\"\"\n    total = alpha + beta * {i}\n    return total - {f}\n\n\n"
            ));
        }
        write(root, &format!("pkg{}/module_{f}.py", f % 10), &src)?;
    }
    Ok(())
}

#[test]
fn two_processes_share_one_index() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    big_workspace(ws.path(), 300)?;
    write(
        ws.path(),
        "marker.py",
        "def unique_marker_function():\n    pass\n",
    )?;

    // One process indexes while another indexes too and a third searches.
    let mut writer = bin(cache.path())
        .args(["index", "--quiet"])
        .arg(ws.path())
        .stdout(std::process::Stdio::null())
        .spawn()?;
    let second = bin(cache.path())
        .args(["index", "--quiet", "--wait", "120"])
        .arg(ws.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()?;
    let mut searches = Vec::new();
    for _ in 0..5 {
        let out = run(bin(cache.path())
            .args(["search", "--json", "--workspace"])
            .arg(ws.path())
            .arg("function_3_7"))?;
        // Either no index yet (1) or results (0); never a crash or garbage.
        assert!(
            matches!(out.status.code(), Some(0 | 1)),
            "{}",
            text(&out.stderr)
        );
        if out.status.success() {
            let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout)?;
            searches.push(rows.len());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(writer.wait()?.success());
    let second = second.wait_with_output()?;
    assert!(second.status.success(), "{}", text(&second.stderr));

    // A third writer that cannot wait says why.
    let handle_holder = {
        let options = OpenOptions {
            cache_dir: Some(cache.path().to_path_buf()),
            idle_release: Duration::from_secs(30),
            ..OpenOptions::default()
        };
        let handle = IndexHandle::open_with(ws.path(), &options)?;
        // Queue a change so this process holds the writer lock for a while.
        handle.update_file(
            Path::new("marker.py"),
            "def unique_marker_function():\n    pass\n",
        )?;
        handle.flush()?;
        handle
    };
    let out = run(bin(cache.path())
        .args(["index", "--quiet", "--wait", "0"])
        .arg(ws.path()))?;
    assert_eq!(out.status.code(), Some(1), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("another codomyrmex process"),
        "{}",
        text(&out.stderr)
    );
    drop(handle_holder);

    let rows = search_json(cache.path(), ws.path(), "unique_marker_function")?;
    assert_eq!(rows[0]["path"], "marker.py");
    let rows = search_json(cache.path(), ws.path(), "function_299_39")?;
    assert_eq!(rows[0]["symbol"], "function_299_39");
    Ok(())
}

fn files_under(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn corrupted_index_is_rebuilt_with_a_warning() -> TestResult {
    let ws = tempfile::tempdir()?;
    let cache = tempfile::tempdir()?;
    sample_workspace(ws.path())?;
    let out = run(bin(cache.path()).arg("index").arg(ws.path()))?;
    assert!(out.status.success(), "{}", text(&out.stderr));

    let ws_dir = store::workspace_dir(cache.path(), &ws.path().canonicalize()?);
    let dir = store::index_dir(&ws_dir);
    let files = files_under(&dir);
    assert!(files.len() > 3, "{files:?}");
    for file in files {
        if file
            .file_name()
            .is_some_and(|n| n.to_string_lossy().ends_with(".lock"))
        {
            continue;
        }
        std::fs::write(&file, b"\x00garbage\xffnot an index at all")?;
    }

    let out = run(bin(cache.path()).arg("index").arg(ws.path()))?;
    let stderr = text(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("rebuilding"), "{stderr}");
    let rows = search_json(cache.path(), ws.path(), "ConnectionPool")?;
    assert_eq!(rows[0]["symbol"], "ConnectionPool");

    // Segment files only (meta.json intact): also detected.
    let files = files_under(&dir);
    for file in files {
        let name = file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if name.ends_with(".store") || name.ends_with(".idx") || name.ends_with(".term") {
            std::fs::write(&file, b"garbage")?;
        }
    }
    let out = run(bin(cache.path()).arg("index").arg(ws.path()))?;
    assert!(out.status.success(), "{}", text(&out.stderr));
    let rows = search_json(cache.path(), ws.path(), "parse_request_line")?;
    assert_eq!(rows[0]["path"], "src/lib.rs");
    Ok(())
}

/// Python files are chunked from an outline parse; with partial parses switched off they are
/// parsed whole. Both give the same chunks.
#[test]
fn outline_and_whole_parses_index_the_same_chunks() -> TestResult {
    let ws = tempfile::tempdir()?;
    sample_workspace(ws.path())?;
    write(
        ws.path(),
        "src/nested.py",
        "import sys\n\nif sys.platform == 'win32':\n    # Windows only.\n    def open_console():\n        return 1\n        # trailing note\nelse:\n    @staticmethod\n    def open_console():\n        '''Elsewhere.'''\n        x = 1\n        return [\n            x,\n        ]\n",
    )?;
    let mut answers = Vec::new();
    for whole in [false, true] {
        let cache = tempfile::tempdir()?;
        let mut cmd = bin(cache.path());
        if whole {
            cmd.env("CODOMYRMEX_NO_PARTIAL", "1");
        }
        let out = run(cmd.arg("index").arg(ws.path()))?;
        assert!(out.status.success(), "{}", text(&out.stderr));
        let mut rows = Vec::new();
        for query in ["send_request", "merge_settings", "open_console", "Session"] {
            for row in search_json(cache.path(), ws.path(), query)? {
                rows.push(format!(
                    "{} {} {}-{} {} {}",
                    query,
                    row["path"],
                    row["start_line"],
                    row["end_line"],
                    row["symbol"],
                    row["kind"]
                ));
            }
        }
        answers.push(rows);
    }
    assert_eq!(answers[0], answers[1]);
    let consoles: Vec<&String> = answers[0]
        .iter()
        .filter(|r| r.starts_with("open_console") && r.contains("\"open_console\""))
        .collect();
    // The trailing comment is in the first definition; the comment above it is not (it comes
    // before the block's first statement, so tree-sitter gives it to the `if`).
    assert!(
        consoles.iter().any(|r| r.contains(" 5-7 "))
            && consoles.iter().any(|r| r.contains(" 9-15 ")),
        "{consoles:#?}"
    );
    assert!(
        answers[0]
            .iter()
            .any(|r| r.starts_with("send_request") && r.contains(" 10-12 ")),
        "{:#?}",
        answers[0]
    );
    Ok(())
}
