//! A small LSP client over the built binary's real stdio, with real JSON-RPC framing.
#![allow(dead_code)]

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

pub const TIMEOUT: Duration = Duration::from_secs(30);

pub struct TestServer {
    child: Child,
    stdin: ChildStdin,
    rx: Receiver<Value>,
    next_id: i64,
    /// Messages read but not yet consumed by a wait.
    backlog: VecDeque<Value>,
    pub workspace: tempfile::TempDir,
}

/// Reads framed messages from the server's stdout.
fn read_messages(stdout: impl Read + Send + 'static, tx: std::sync::mpsc::Sender<Value>) {
    let mut reader = BufReader::new(stdout);
    loop {
        let mut len = None;
        loop {
            let mut line = String::new();
            match reader.read_line(&mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
            let line = line.trim_end();
            if line.is_empty() {
                break;
            }
            if let Some(v) = line.strip_prefix("Content-Length:") {
                len = v.trim().parse::<usize>().ok();
            }
        }
        let Some(len) = len else { return };
        let mut buf = vec![0; len];
        if reader.read_exact(&mut buf).is_err() {
            return;
        }
        match serde_json::from_slice(&buf) {
            Ok(v) => {
                if tx.send(v).is_err() {
                    return;
                }
            }
            Err(_) => return,
        }
    }
}

pub struct Options {
    pub encodings: Option<Vec<&'static str>>,
    pub init_options: Value,
    pub env: Vec<(String, String)>,
    pub capabilities: Value,
    /// Files written into the workspace before the server starts (relative path, content).
    pub files: Vec<(String, String)>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            encodings: None,
            init_options: json!({}),
            env: Vec::new(),
            capabilities: json!({}),
            files: test_rules(),
        }
    }
}

/// Workspace rules used by the end-to-end tests, so they do not depend on the shipped packs.
pub fn test_rules() -> Vec<(String, String)> {
    vec![
        (
            ".codomyrmex/rules/e2e.yaml".into(),
            r#"rules:
  - id: e2e.eval
    languages: [python]
    severity: error
    message: "eval of {{_arg}}"
    explanation: "Evaluating strings runs arbitrary code. Parse the data instead."
    docs: https://docs.python.org/3/library/ast.html#ast.literal_eval
    cwe: [CWE-95]
    tags: [security]
    fix:
      title: "Use ast.literal_eval"
      target: _fn
      replace: "ast.literal_eval"
  - id: e2e.debugger
    languages: [javascript]
    severity: warning
    message: "debugger statement"
    explanation: "Remove debugger statements before committing."
    query: "(debugger_statement) @e2e.debugger"
"#
            .into(),
        ),
        (
            ".codomyrmex/queries/python/e2e.scm".into(),
            r#"((call function: (identifier) @_fn arguments: (argument_list . (_) @_arg)) @e2e.eval (#eq? @_fn "eval"))"#.into(),
        ),
    ]
}

impl TestServer {
    pub fn start() -> TestServer {
        Self::start_with(Options::default())
    }

    pub fn start_with(opts: Options) -> TestServer {
        let workspace = tempfile::tempdir().expect("tempdir");
        for (rel, content) in &opts.files {
            let path = workspace.path().join(rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent).expect("mkdir");
            }
            std::fs::write(path, content).expect("write");
        }
        let cache = workspace.path().join(".cache-test");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_codomyrmex"));
        cmd.arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .env("CODOMYRMEX_CACHE_DIR", &cache)
            .env(
                "CODOMYRMEX_CONFIG_DIR",
                workspace.path().join(".user-config-test"),
            )
            .env("CODOMYRMEX_LOG_LEVEL", "warn");
        for (k, v) in &opts.env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().expect("spawn codomyrmex lsp");
        let stdin = child.stdin.take().expect("stdin");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = channel();
        std::thread::spawn(move || read_messages(stdout, tx));
        let mut server = TestServer {
            child,
            stdin,
            rx,
            next_id: 1,
            backlog: VecDeque::new(),
            workspace,
        };
        let mut caps = json!({
            "textDocument": {"publishDiagnostics": {"versionSupport": true}, "codeAction": {"resolveSupport": {"properties": ["edit"]}}},
            "window": {"workDoneProgress": true},
        });
        if let Some(enc) = &opts.encodings {
            caps["general"] = json!({"positionEncodings": enc});
        }
        if let (Some(obj), Some(extra)) = (caps.as_object_mut(), opts.capabilities.as_object()) {
            for (k, v) in extra {
                obj.insert(k.clone(), v.clone());
            }
        }
        let root = url(server.workspace.path());
        let result = server.request(
            "initialize",
            json!({"processId": null, "rootUri": root, "capabilities": caps, "initializationOptions": opts.init_options,
                   "workspaceFolders": [{"uri": root, "name": "ws"}]}),
        );
        assert!(
            result.get("capabilities").is_some(),
            "initialize result: {result}"
        );
        server.notify("initialized", json!({}));
        server
    }

    pub fn write_raw(&mut self, bytes: &[u8]) {
        self.stdin.write_all(bytes).expect("write");
        self.stdin.flush().expect("flush");
    }

    pub fn send(&mut self, msg: &Value) {
        let body = serde_json::to_vec(msg).expect("json");
        let mut frame = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
        frame.extend(body);
        self.write_raw(&frame);
    }

    pub fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// Sends a request and returns its id without waiting.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        id
    }

    /// Sends a request and waits for its result (panics on an error reply).
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        let reply = self.response(id);
        if let Some(err) = reply.get("error") {
            panic!("{method} failed: {err}");
        }
        reply.get("result").cloned().unwrap_or(Value::Null)
    }

    /// Waits for the response to request `id` (result or error), answering server requests.
    pub fn response(&mut self, id: i64) -> Value {
        self.wait_for(|m| m.get("id") == Some(&json!(id)) && m.get("method").is_none())
    }

    fn next_message(&mut self, deadline: Instant) -> Option<Value> {
        let now = Instant::now();
        if now >= deadline {
            return None;
        }
        match self.rx.recv_timeout(deadline - now) {
            Ok(msg) => {
                // Answer server-to-client requests so the server never waits on us.
                if msg.get("id").is_some() && msg.get("method").is_some() {
                    let reply = match msg["method"].as_str() {
                        Some("workspace/applyEdit") => json!({"applied": true}),
                        _ => Value::Null,
                    };
                    let id = msg["id"].clone();
                    self.send(&json!({"jsonrpc": "2.0", "id": id, "result": reply}));
                }
                Some(msg)
            }
            Err(RecvTimeoutError::Timeout) => None,
            Err(RecvTimeoutError::Disconnected) => None,
        }
    }

    /// Waits for the first message (backlog first) satisfying `pred`; others stay in the backlog.
    pub fn wait_for(&mut self, pred: impl Fn(&Value) -> bool) -> Value {
        self.try_wait_for(TIMEOUT, pred)
            .expect("timed out waiting for a message")
    }

    pub fn try_wait_for(
        &mut self,
        timeout: Duration,
        pred: impl Fn(&Value) -> bool,
    ) -> Option<Value> {
        if let Some(pos) = self.backlog.iter().position(&pred) {
            return self.backlog.remove(pos);
        }
        let deadline = Instant::now() + timeout;
        while let Some(msg) = self.next_message(deadline) {
            if pred(&msg) {
                return Some(msg);
            }
            self.backlog.push_back(msg);
        }
        None
    }

    /// Waits for diagnostics of `uri` at `version` (or any version when `None`).
    pub fn diagnostics(&mut self, uri: &str, version: Option<i64>) -> Vec<Value> {
        let uri = uri.to_string();
        let msg = self.wait_for(move |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && version.is_none_or(|v| m["params"]["version"] == json!(v))
        });
        msg["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    /// All messages received so far plus those arriving within `wait`.
    pub fn drain(&mut self, wait: Duration) -> Vec<Value> {
        let deadline = Instant::now() + wait;
        while let Some(msg) = self.next_message(deadline) {
            self.backlog.push_back(msg);
        }
        self.backlog.drain(..).collect()
    }

    pub fn open(&mut self, name: &str, language_id: &str, text: &str) -> String {
        let path = self.workspace.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        let uri = url(&path);
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": uri, "languageId": language_id, "version": 1, "text": text}}),
        );
        uri
    }

    pub fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": changes}),
        );
    }

    /// Shuts down cleanly and returns the exit code.
    pub fn shutdown(mut self) -> Option<i32> {
        let id = self.request_async("shutdown", Value::Null);
        let _ = self.response(id);
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status.code(),
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => {
                    let _ = self.child.kill();
                    return None;
                }
            }
        }
    }

    pub fn is_alive(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn url(path: &std::path::Path) -> String {
    let mut s = String::from("file://");
    for c in path.to_string_lossy().chars() {
        match c {
            ' ' => s.push_str("%20"),
            c => s.push(c),
        }
    }
    s
}

/// Position helper: zero-based (line, UTF-16 column) of the first `needle` in `text`.
pub fn utf16_pos(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("needle");
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let col = before
        .rsplit('\n')
        .next()
        .unwrap_or("")
        .encode_utf16()
        .count() as u32;
    (line, col)
}

/// Position helper in UTF-8 bytes.
pub fn utf8_pos(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).expect("needle");
    let before = &text[..at];
    let line = before.matches('\n').count() as u32;
    let col = before.rsplit('\n').next().unwrap_or("").len() as u32;
    (line, col)
}
