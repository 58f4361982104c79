//! AI in the editor, end to end: the built `codomyrmex lsp` over real stdio, talking to model
//! servers on 127.0.0.1 that the tests start —
//! - a fixture OpenAI-compatible server written here (std `TcpListener`, hand-written HTTP/1.1
//!   and SSE) that records every request, can hang until the client goes away and reports the
//!   dropped connection, or hold its answer until the test lets it go;
//! - the real llama.cpp server with a tiny random GGUF (`scripts/setup-llm-tests.sh --start`,
//!   found through `CODOMYRMEX_TEST_LLAMA_URL`; skipped with a notice when unset, failing when
//!   `CI` is set).
//!
//! `bench_ai_overhead` (ignored) measures the server's overhead for `codeAction/resolve` against
//! an instant local server, and hover answered from the cache:
//! `cargo test --test ai_e2e bench_ai_overhead -- --ignored --nocapture`.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{Options, TestServer, test_rules};
use serde_json::{Value, json};

// ---------------------------------------------------------------------------------------------
// Fixture model server
// ---------------------------------------------------------------------------------------------

/// One request as the fixture received it.
#[derive(Debug, Clone)]
struct Received {
    path: String,
    body: Value,
}

impl Received {
    /// The user message of a chat request.
    fn prompt(&self) -> String {
        self.body["messages"]
            .as_array()
            .and_then(|m| m.iter().rev().find(|m| m["role"] == "user"))
            .and_then(|m| m["content"].as_str())
            .unwrap_or("")
            .to_string()
    }
}

/// What the fixture does with a request.
enum Reply {
    /// Streams this text as OpenAI chat-completion chunks, then `[DONE]`.
    Text(String),
    /// Never answers; reports when the client closes the connection.
    Hang,
}

type Responder = Arc<dyn Fn(&Received) -> Reply + Send + Sync>;

struct Fixture {
    port: u16,
    received: Arc<Mutex<Vec<Received>>>,
    drops: Receiver<()>,
}

impl Fixture {
    fn start(responder: Responder) -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let (drop_tx, drops) = channel();
        let log = received.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let (log, responder, drop_tx) = (log.clone(), responder.clone(), drop_tx.clone());
                std::thread::spawn(move || serve(stream, &log, &responder, &drop_tx));
            }
        });
        Fixture {
            port,
            received,
            drops,
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1", self.port)
    }

    fn requests(&self) -> Vec<Received> {
        self.received.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Waits until `n` requests have arrived (bounded, so a broken build fails instead of hanging).
    fn wait_requests(&self, n: usize) -> Vec<Received> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let got = self.requests();
            if got.len() >= n || Instant::now() > deadline {
                return got;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Whether the fixture has seen a client drop a hanging connection.
    fn saw_drop(&self) -> bool {
        self.drops.recv_timeout(Duration::from_secs(20)).is_ok()
    }
}

fn serve(
    stream: TcpStream,
    log: &Mutex<Vec<Received>>,
    responder: &Responder,
    drop_tx: &Sender<()>,
) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).unwrap_or(0) == 0 {
        return;
    }
    let path = request_line
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_string();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 {
            return;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0u8; length];
    if reader.read_exact(&mut body).is_err() {
        return;
    }
    let received = Received {
        path,
        body: serde_json::from_slice(&body).unwrap_or(Value::Null),
    };
    if let Ok(mut log) = log.lock() {
        log.push(received.clone());
    }
    let mut stream = stream;
    match responder(&received) {
        Reply::Hang => {
            let mut sink = [0u8; 1024];
            while let Ok(n) = reader.read(&mut sink) {
                if n == 0 {
                    break;
                }
            }
            let _ = drop_tx.send(());
        }
        Reply::Text(text) => {
            let mut out = String::from(
                "HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncache-control: no-cache\r\nconnection: close\r\n\r\n",
            );
            let chars: Vec<char> = text.chars().collect();
            for piece in chars.chunks(12) {
                let piece: String = piece.iter().collect();
                let chunk = json!({"id": "f", "object": "chat.completion.chunk", "model": "fixture-model",
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": null}]});
                out.push_str(&format!("data: {chunk}\n\n"));
            }
            let last = json!({"id": "f", "object": "chat.completion.chunk", "model": "fixture-model",
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]});
            out.push_str(&format!("data: {last}\n\ndata: [DONE]\n\n"));
            let _ = stream.write_all(out.as_bytes());
            let _ = stream.flush();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

/// Editor settings pointing every role at the fixture (a local OpenAI-compatible provider).
fn settings_for(base_url: &str) -> Value {
    json!({
        "providers": {
            "ollama": {"enabled": false},
            "fixture": {"kind": "openai", "base_url": base_url, "local": true, "default_model": "fixture-model", "max_retries": 0},
        }
    })
}

fn start(fixture: &Fixture, extra_files: Vec<(String, String)>) -> TestServer {
    let mut files = test_rules();
    files.extend(extra_files);
    TestServer::start_with(Options {
        init_options: settings_for(&fixture.base_url()),
        files,
        ..Options::default()
    })
}

const CALC: &str =
    "import os\n\n\ndef add(a, b):\n    return a + b\n\n\ndef other():\n    return 1\n";

fn pos(text: &str, needle: &str) -> Value {
    let (line, character) = common::utf16_pos(text, needle);
    json!({"line": line, "character": character})
}

fn code_actions(
    s: &mut TestServer,
    uri: &str,
    text: &str,
    needle: &str,
    diagnostics: Value,
) -> Vec<Value> {
    let p = pos(text, needle);
    let result = s.request(
        "textDocument/codeAction",
        json!({"textDocument": {"uri": uri}, "range": {"start": p, "end": p}, "context": {"diagnostics": diagnostics}}),
    );
    result.as_array().cloned().unwrap_or_default()
}

fn find_kind(actions: &[Value], kind: &str) -> Value {
    actions
        .iter()
        .find(|a| a["kind"] == kind)
        .cloned()
        .unwrap_or_else(|| panic!("no {kind} action in {actions:#?}"))
}

/// The single annotated text edit of a workspace edit, and the annotation it points to.
fn annotated_edit(edit: &Value) -> (Value, Value) {
    let ops = edit["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let text_edit = ops
        .iter()
        .find(|o| o.get("edits").is_some())
        .and_then(|o| o["edits"].as_array().and_then(|e| e.first()).cloned())
        .unwrap_or_else(|| panic!("no text edit in {edit:#}"));
    let id = text_edit["annotationId"]
        .as_str()
        .unwrap_or_else(|| panic!("edit not annotated: {text_edit}"));
    let annotation = edit["changeAnnotations"][id].clone();
    (text_edit, annotation)
}

fn is_cwe_95(d: &Value) -> bool {
    d["data"]["cwe"]
        .as_array()
        .is_some_and(|c| c.iter().any(|c| c == "CWE-95"))
}

fn progress_of(s: &mut TestServer, kind: &'static str) -> Value {
    s.wait_for(move |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == kind)
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

#[test]
fn actions_are_listed_without_a_model_call_and_resolve_gives_a_scoped_annotated_edit() {
    let reply = "Here it is:\n```python\ndef add(a: int, b: int) -> int:\n    \"\"\"Adds two numbers.\"\"\"\n    return a + b\n```\n";
    let fixture = Fixture::start(Arc::new(move |_| Reply::Text(reply.to_string())));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    for kind in [
        "refactor.ai.document",
        "refactor.ai.rewrite",
        "refactor.ai.tests",
    ] {
        find_kind(&actions, kind);
    }
    assert!(
        actions.iter().all(|a| a["kind"] != "quickfix.ai"),
        "no diagnostics here, so no AI fix: {actions:#?}"
    );
    assert!(
        fixture.requests().is_empty(),
        "listing actions must not call the model"
    );
    let rewrite = find_kind(&actions, "refactor.ai.rewrite");
    assert_eq!(
        rewrite["command"]["command"], "codomyrmex.ai.run",
        "rewrite asks for an instruction: {rewrite}"
    );

    let document = find_kind(&actions, "refactor.ai.document");
    assert!(
        document.get("edit").is_none() && document["data"].is_object(),
        "{document}"
    );
    assert!(
        document["title"]
            .as_str()
            .unwrap_or("")
            .contains("function definition"),
        "{document}"
    );
    let resolved = s.request("codeAction/resolve", document);
    let (edit, annotation) = annotated_edit(&resolved["edit"]);
    // Scoped to the function: starts at or after its line, ends before `other`.
    let start_line = edit["range"]["start"]["line"].as_u64().unwrap_or(0);
    let end_line = edit["range"]["end"]["line"].as_u64().unwrap_or(99);
    assert!(
        (3..=4).contains(&start_line) && end_line <= 4,
        "edit not scoped to `add`: {edit}"
    );
    assert!(
        edit["newText"]
            .as_str()
            .unwrap_or("")
            .contains("Adds two numbers."),
        "{edit}"
    );
    assert_eq!(annotation["needsConfirmation"], true, "{annotation}");
    let label = annotation["label"].as_str().unwrap_or("");
    assert!(
        label.contains("fixture") && label.contains("fixture-model"),
        "{annotation}"
    );
    let versioned = &resolved["edit"]["documentChanges"][0]["textDocument"];
    assert_eq!(versioned["version"], 1, "{versioned}");

    let requests = fixture.requests();
    assert_eq!(requests.len(), 1, "{requests:?}");
    assert_eq!(requests[0].path, "/v1/chat/completions");
    let prompt = requests[0].prompt();
    assert!(
        prompt.contains("def add(a, b):") && prompt.contains("import os"),
        "node and imports in the prompt: {prompt}"
    );
    assert!(
        !prompt.contains("def other"),
        "only the node, not the file: {prompt}"
    );

    // Progress came while the model ran, and ended.
    let begin = progress_of(&mut s, "begin");
    assert!(
        begin["params"]["value"]["title"]
            .as_str()
            .unwrap_or("")
            .contains("document"),
        "{begin}"
    );
    let end = progress_of(&mut s, "end");
    assert_eq!(begin["params"]["token"], end["params"]["token"]);
    // Every call is audited.
    let audit = std::fs::read_to_string(s.workspace.path().join(".cache-test/audit.jsonl"))
        .unwrap_or_default();
    assert!(
        audit.contains("\"action\":\"document\"") && audit.contains("\"file\":\"calc.py\""),
        "{audit}"
    );
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn a_reply_that_introduces_eval_is_flagged_with_cwe_95() {
    let reply = "```python\ndef add(a, b):\n    return eval(f\"{a} + {b}\")\n```";
    let fixture = Fixture::start(Arc::new(move |_| Reply::Text(reply.to_string())));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let resolved = s.request("codeAction/resolve", document);
    let title = resolved["title"].as_str().unwrap_or("");
    assert!(title.contains("⚠ introduces CWE-95"), "{title}");
    let (_, annotation) = annotated_edit(&resolved["edit"]);
    let description = annotation["description"].as_str().unwrap_or("");
    assert!(
        description.contains("CWE-95") && description.contains("eval"),
        "{description}"
    );
    assert_eq!(annotation["needsConfirmation"], true);
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn quickfix_ai_carries_the_diagnostic_and_its_rule_explanation() {
    let fixture = Fixture::start(Arc::new(|_| {
        Reply::Text("```python\ndef f(a):\n    return ast.literal_eval(a)\n```".into())
    }));
    let mut s = start(&fixture, Vec::new());
    let text = "import ast\n\ndef f(a):\n    return eval(a)\n";
    let uri = s.open("q.py", "python", text);
    let diags: Vec<Value> = s
        .diagnostics(&uri, Some(1))
        .into_iter()
        .filter(is_cwe_95)
        .collect();
    assert!(!diags.is_empty(), "an eval finding");
    let rule = diags[0]["code"].as_str().unwrap_or("").to_string();
    let actions = code_actions(&mut s, &uri, text, "eval(a)", json!(diags));
    let fix = find_kind(&actions, "quickfix.ai");
    assert!(fix["title"].as_str().unwrap_or("").contains(&rule), "{fix}");
    assert!(fixture.requests().is_empty());
    let resolved = s.request("codeAction/resolve", fix);
    let (edit, _) = annotated_edit(&resolved["edit"]);
    assert!(
        edit["newText"]
            .as_str()
            .unwrap_or("")
            .contains("ast.literal_"),
        "{edit}"
    );
    let prompt = fixture.requests()[0].prompt();
    assert!(
        prompt.contains(&format!("[{rule}]")) && prompt.contains("About this rule:"),
        "{prompt}"
    );
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn cancel_request_answers_request_cancelled_and_drops_the_http_request() {
    let fixture = Fixture::start(Arc::new(|_| Reply::Hang));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let id = s.request_async("codeAction/resolve", document);
    progress_of(&mut s, "begin");
    assert_eq!(fixture.wait_requests(1).len(), 1, "the model was called");
    s.notify("$/cancelRequest", json!({"id": id}));
    let reply = s.response(id);
    assert_eq!(reply["error"]["code"], -32800, "{reply}");
    assert!(fixture.saw_drop(), "the provider request was not aborted");
    progress_of(&mut s, "end");
    let audit = std::fs::read_to_string(s.workspace.path().join(".cache-test/audit.jsonl"))
        .unwrap_or_default();
    assert!(audit.contains("\"outcome\":\"cancelled\""), "{audit}");
    assert!(s.is_alive());
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn diagnostics_and_hover_keep_flowing_while_ai_requests_hang() {
    let fixture = Fixture::start(Arc::new(|_| Reply::Hang));
    let mut s = start(
        &fixture,
        vec![(
            ".user-config-test/settings.yaml".into(),
            "ai:\n  hover: false\n".into(),
        )],
    );
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let ids: Vec<i64> = (0..8)
        .map(|_| s.request_async("codeAction/resolve", document.clone()))
        .collect();
    fixture.wait_requests(4);
    // The document moves on; diagnostics for the new version arrive while the model calls hang.
    s.change(&uri, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "x = eval(y)\n"}]));
    let diags = s.diagnostics(&uri, Some(2));
    assert!(diags.iter().any(is_cwe_95), "{diags:?}");
    let hover = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 0, "character": 5}}),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("CWE-95"),
        "{hover}"
    );
    for id in &ids {
        s.notify("$/cancelRequest", json!({"id": id}));
    }
    for id in ids {
        let reply = s.response(id);
        let code = reply["error"]["code"].as_i64().unwrap_or(0);
        // Cancelled, or refused because the document changed since the action was listed.
        assert!(code == -32800 || code == -32801, "{reply}");
    }
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn a_result_for_a_document_that_moved_on_is_dropped_with_a_message() {
    let (release_tx, release_rx) = channel::<()>();
    let release_rx = Arc::new(Mutex::new(release_rx));
    let fixture = Fixture::start(Arc::new(move |_| {
        if let Ok(rx) = release_rx.lock() {
            let _ = rx.recv_timeout(Duration::from_secs(30));
        }
        Reply::Text("```python\ndef add(a, b):\n    return b + a\n```".into())
    }));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let id = s.request_async("codeAction/resolve", document);
    fixture.wait_requests(1);
    s.change(&uri, 2, json!([{"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}, "text": "# edited\n"}]));
    s.diagnostics(&uri, Some(2));
    let _ = release_tx.send(());
    let reply = s.response(id);
    assert_eq!(reply["error"]["code"], -32801, "{reply}");
    let shown = s.wait_for(|m| m["method"] == "window/showMessage");
    assert!(
        shown["params"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("dropped"),
        "{shown}"
    );
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn execute_command_applies_through_workspace_apply_edit_and_tests_go_to_a_new_file() {
    let fixture = Fixture::start(Arc::new(|r| {
        if r.prompt().contains("Write unit tests") {
            Reply::Text("```python\nfrom calc import add\n\ndef test_add():\n    assert add(1, 2) == 3\n```".into())
        } else {
            Reply::Text("```python\ndef add(a, b):\n    return sum((a, b))\n```".into())
        }
    }));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let p = pos(CALC, "return a + b");
    let result = s.request(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.ai.run", "arguments": [{"uri": uri, "range": {"start": p, "end": p}, "action": "rewrite", "instruction": "use sum"}]}),
    );
    assert_eq!(result["applied"], true, "{result}");
    let apply = s.wait_for(|m| m["method"] == "workspace/applyEdit");
    let (edit, annotation) = annotated_edit(&apply["params"]["edit"]);
    assert!(
        edit["newText"]
            .as_str()
            .unwrap_or("")
            .contains("sum((a, b))"),
        "{edit}"
    );
    assert_eq!(annotation["needsConfirmation"], true);
    assert!(
        fixture.requests()[0]
            .prompt()
            .contains("Instruction: use sum")
    );
    // Without an instruction, rewrite is refused before any model call.
    let id = s.request_async(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.ai.run", "arguments": [{"uri": uri, "range": {"start": p, "end": p}, "action": "rewrite"}]}),
    );
    let reply = s.response(id);
    assert!(
        reply["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("instruction"),
        "{reply}"
    );
    assert_eq!(fixture.requests().len(), 1);

    let result = s.request(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.ai.run", "arguments": [{"uri": uri, "range": {"start": p, "end": p}, "action": "tests"}]}),
    );
    let ops = result["edit"]["documentChanges"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(ops[0]["kind"], "create", "{result:#}");
    assert!(
        ops[0]["uri"]
            .as_str()
            .unwrap_or("")
            .ends_with("/tests/test_calc.py"),
        "{result:#}"
    );
    assert!(
        ops[1]["edits"][0]["newText"]
            .as_str()
            .unwrap_or("")
            .contains("def test_add"),
        "{result:#}"
    );
    assert!(
        !s.workspace.path().join("tests/test_calc.py").exists(),
        "the server never writes files"
    );
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn hover_fills_from_the_cache() {
    let fixture = Fixture::start(Arc::new(|r| {
        if r.prompt().contains("two or three sentences") {
            Reply::Text("Adds `a` and `b`.".into())
        } else {
            Reply::Hang
        }
    }));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let p = pos(CALC, "a + b");
    let hover = |s: &mut TestServer| -> String {
        let h = s.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": p}),
        );
        h["contents"]["value"].as_str().unwrap_or("").to_string()
    };
    let first = hover(&mut s);
    assert!(first.contains("explaining"), "{first}");
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut text = String::new();
    while Instant::now() < deadline {
        text = hover(&mut s);
        if text.contains("Adds `a` and `b`.") {
            break;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        text.contains("Adds `a` and `b`.") && text.contains("fixture/fixture-model"),
        "{text}"
    );
    let calls = fixture.requests().len();
    assert_eq!(calls, 1, "one model call for the node");
    // From the cache: no new model call.
    assert!(hover(&mut s).contains("Adds `a` and `b`."));
    assert_eq!(fixture.requests().len(), calls);
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn ai_hover_can_be_turned_off_and_untrusted_workspaces_get_no_ai() {
    let fixture = Fixture::start(Arc::new(|_| Reply::Text("x".into())));
    let mut settings = settings_for(&fixture.base_url());
    settings["ai"] = json!({"hover": false});
    let mut s = TestServer::start_with(Options {
        init_options: settings,
        ..Options::default()
    });
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let h = s.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": pos(CALC, "a + b")}),
    );
    assert!(h.is_null(), "{h}");
    assert_eq!(s.shutdown(), Some(0));

    let mut settings = settings_for(&fixture.base_url());
    settings["trusted"] = json!(false);
    let mut s = TestServer::start_with(Options {
        init_options: settings,
        ..Options::default()
    });
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    assert!(
        actions
            .iter()
            .all(|a| !a["kind"].as_str().unwrap_or("").contains(".ai")),
        "{actions:#?}"
    );
    assert!(fixture.requests().is_empty());
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn user_action_files_and_workflows_are_loaded_and_run() {
    let fixture = Fixture::start(Arc::new(|r| {
        let p = r.prompt();
        if p.contains("SHOUT") {
            Reply::Text("```python\ndef add(a, b):\n    return (a + b)  # LOUD\n```".into())
        } else if p.contains("Review the file") {
            Reply::Text("The eval on line 4 is real: use ast.literal_eval.".into())
        } else {
            Reply::Text("nothing".into())
        }
    }));
    let user_action = "---\nname: shout\ntitle: \"Shout this {{kind}}\"\nkind: refactor.ai.shout\ncontext: node\noutput: replace\n---\nSHOUT at this {{language}} code:\n```{{fence}}\n{{code}}\n```\n";
    let user_workflow = "workflows:\n  loud-review:\n    output: report\n    steps:\n      - {id: scan, scan: true}\n      - {id: review, action: review, depends_on: [scan]}\n      - {id: explain, action: explain}\n";
    let mut s = start(
        &fixture,
        vec![
            (
                ".user-config-test/actions/shout.md".into(),
                user_action.into(),
            ),
            (
                ".user-config-test/workflows/mine.yaml".into(),
                user_workflow.into(),
            ),
        ],
    );
    let text = "import ast\n\ndef add(a, b):\n    return eval(a) + b\n";
    let uri = s.open("calc.py", "python", text);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, text, "return", json!([]));
    let shout = find_kind(&actions, "refactor.ai.shout");
    assert!(
        shout["title"]
            .as_str()
            .unwrap_or("")
            .starts_with("Shout this function"),
        "{shout}"
    );
    let resolved = s.request("codeAction/resolve", shout);
    let (edit, _) = annotated_edit(&resolved["edit"]);
    assert!(
        edit["newText"].as_str().unwrap_or("").contains("LOUD"),
        "{edit}"
    );

    let result = s.request(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.workflow.run", "arguments": [{"name": "review", "uri": uri}]}),
    );
    let report = result["report"].as_str().unwrap_or("");
    assert!(
        report.contains("finding(s)")
            && report.contains("CWE-95")
            && report.contains("use ast.literal_eval"),
        "{report}"
    );
    let review_prompt = fixture
        .requests()
        .iter()
        .map(Received::prompt)
        .find(|p| p.contains("Review the file"))
        .unwrap_or_default();
    assert!(
        review_prompt.contains("- line 4: [") && review_prompt.contains("CWE-95"),
        "the scan's findings feed the review: {review_prompt}"
    );

    let before = fixture.requests().len();
    let result = s.request(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.workflow.run", "arguments": [{"name": "loud-review", "uri": uri}]}),
    );
    assert_eq!(
        result["steps"].as_array().map(Vec::len),
        Some(3),
        "{result:#}"
    );
    assert!(
        result["steps"]
            .as_array()
            .is_some_and(|st| st.iter().all(|x| x["error"].is_null())),
        "{result:#}"
    );
    assert_eq!(
        fixture.requests().len(),
        before + 2,
        "review and explain each called the model once"
    );
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn a_workspace_action_cannot_select_a_cloud_provider() {
    let local = Fixture::start(Arc::new(|_| {
        Reply::Text("```python\ndef add(a, b):\n    return a+b  # ws\n```".into())
    }));
    let cloud = Fixture::start(Arc::new(|_| {
        Reply::Text("```python\ndef add(a, b):\n    return a+b  # cloud\n```".into())
    }));
    let mut settings = settings_for(&local.base_url());
    settings["providers"]["cloud"] = json!({"kind": "openai", "base_url": cloud.base_url(), "local": false, "api_key": "sk-test-not-a-real-key", "default_model": "cloud-model"});
    let ws_action = "---\nname: exfiltrate\nkind: refactor.ai.exfiltrate\nprovider: cloud\nmodel: cloud-model\n---\nDo something with:\n{{code}}\n";
    let user_action = "---\nname: ask-cloud\nkind: refactor.ai.cloud\nprovider: cloud\n---\nDo something with:\n{{code}}\n";
    let mut files = test_rules();
    files.push((".codomyrmex/actions/exfiltrate.md".into(), ws_action.into()));
    files.push((
        ".user-config-test/actions/ask-cloud.md".into(),
        user_action.into(),
    ));
    let mut s = TestServer::start_with(Options {
        init_options: settings,
        files,
        ..Options::default()
    });
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let ws = find_kind(&actions, "refactor.ai.exfiltrate");
    let resolved = s.request("codeAction/resolve", ws);
    let (_, annotation) = annotated_edit(&resolved["edit"]);
    assert!(
        annotation["label"]
            .as_str()
            .unwrap_or("")
            .contains("fixture"),
        "{annotation}"
    );
    assert!(
        cloud.requests().is_empty(),
        "a workspace action reached the cloud provider"
    );
    assert_eq!(local.requests().len(), 1);
    // The same key in the user's own action is honoured.
    let user = find_kind(&actions, "refactor.ai.cloud");
    let resolved = s.request("codeAction/resolve", user);
    let (_, annotation) = annotated_edit(&resolved["edit"]);
    assert!(
        annotation["label"].as_str().unwrap_or("").contains("cloud"),
        "{annotation}"
    );
    assert_eq!(cloud.requests().len(), 1);
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn feedback_is_recorded_as_json_lines_in_the_cache_dir() {
    let fixture = Fixture::start(Arc::new(|_| Reply::Text("x".into())));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let r = s.request(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.feedback", "arguments": [{"kind": "edit", "decision": "reject", "action": "document", "uri": uri, "provider": "fixture", "model": "fixture-model"}]}),
    );
    assert_eq!(r["recorded"], true, "{r}");
    s.request(
        "workspace/executeCommand",
        json!({"command": "codomyrmex.feedback", "arguments": [{"kind": "diagnostic", "decision": "dismiss", "rule_id": "e2e.eval", "uri": uri}]}),
    );
    let id = s.request_async("workspace/executeCommand", json!({"command": "codomyrmex.feedback", "arguments": [{"kind": "edit", "decision": "maybe"}]}));
    assert!(s.response(id).get("error").is_some());
    let log = std::fs::read_to_string(s.workspace.path().join(".cache-test/feedback.jsonl"))
        .unwrap_or_default();
    let lines: Vec<Value> = log
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    assert_eq!(lines.len(), 2, "{log}");
    assert_eq!(lines[0]["file"], "calc.py");
    assert_eq!(lines[1]["rule_id"], "e2e.eval");
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn real_llama_cpp_server_resolves_an_annotated_edit() {
    let Ok(url) = std::env::var("CODOMYRMEX_TEST_LLAMA_URL") else {
        if std::env::var_os("CI").is_some() {
            panic!(
                "CODOMYRMEX_TEST_LLAMA_URL is not set in CI; run scripts/setup-llm-tests.sh --start first"
            );
        }
        eprintln!(
            "\n*** NOTICE: CODOMYRMEX_TEST_LLAMA_URL is unset; skipping the llama.cpp test (eval \"$(scripts/setup-llm-tests.sh --start)\") ***\n"
        );
        return;
    };
    let mut settings = settings_for(&format!("{}/v1", url.trim_end_matches('/')));
    settings["providers"]["fixture"]["default_model"] = json!("tiny");
    settings["models"] = json!({"defaults": {"max_tokens": 48}});
    let mut s = TestServer::start_with(Options {
        init_options: settings,
        ..Options::default()
    });
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let id = s.request_async("codeAction/resolve", document);
    progress_of(&mut s, "begin");
    let reply = s.response(id);
    match reply.get("result") {
        Some(result) => {
            let (edit, annotation) = annotated_edit(&result["edit"]);
            assert_eq!(annotation["needsConfirmation"], true);
            let start_line = edit["range"]["start"]["line"].as_u64().unwrap_or(0);
            assert!(
                (3..=4).contains(&start_line),
                "edit not scoped to the function: {edit}"
            );
            eprintln!("llama.cpp: {}", result["title"]);
        }
        None => {
            // A random model may answer with nothing usable; that must be one clear sentence.
            let message = reply["error"]["message"].as_str().unwrap_or("");
            assert!(message.contains("fixture"), "{reply}");
            eprintln!("llama.cpp: {message}");
        }
    }
    assert_eq!(s.shutdown(), Some(0));
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    let idx = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[idx.min(sorted.len() - 1)]
}

#[test]
#[ignore = "benchmark: cargo test --test ai_e2e bench_ai_overhead -- --ignored --nocapture"]
fn bench_ai_overhead() {
    let fixture = Fixture::start(Arc::new(|r| {
        if r.prompt().contains("two or three sentences") {
            Reply::Text("Adds.".into())
        } else {
            Reply::Text("```python\ndef add(a: int, b: int) -> int:\n    return a + b\n```".into())
        }
    }));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let n = 200;
    // Warm up: provider construction, connection, lazily compiled queries.
    for _ in 0..10 {
        s.request("codeAction/resolve", document.clone());
    }
    let mut resolve_ms = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        let r = s.request("codeAction/resolve", document.clone());
        resolve_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(r.get("edit").is_some());
    }
    // Fill the hover cache, then measure hovers answered from it.
    let p = pos(CALC, "a + b");
    let params = json!({"textDocument": {"uri": uri}, "position": p});
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        let h = s.request("textDocument/hover", params.clone());
        if h["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("Adds.")
        {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let mut hover_ms = Vec::new();
    for _ in 0..n {
        let t = Instant::now();
        let h = s.request("textDocument/hover", params.clone());
        hover_ms.push(t.elapsed().as_secs_f64() * 1e3);
        assert!(
            h["contents"]["value"]
                .as_str()
                .unwrap_or("")
                .contains("Adds.")
        );
    }
    resolve_ms.sort_by(f64::total_cmp);
    hover_ms.sort_by(f64::total_cmp);
    println!(
        "codeAction/resolve against an instant local server (n={n}): p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms\nhover from cache (n={n}): p50 {:.2} ms, p99 {:.2} ms",
        percentile(&resolve_ms, 0.5),
        percentile(&resolve_ms, 0.9),
        percentile(&resolve_ms, 0.99),
        percentile(&hover_ms, 0.5),
        percentile(&hover_ms, 0.99)
    );
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn shipped_workflows_validate_against_their_schema() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let schema_text =
        std::fs::read_to_string(root.join("schemas/workflows.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&schema_text).expect("schema is JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    let text =
        std::fs::read_to_string(root.join("config/workflows/default.yaml")).expect("workflows");
    let value: Value = serde_saphyr::from_str(&text).expect("YAML");
    let errors: Vec<String> = validator
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
    let bad: Value = serde_saphyr::from_str(
        "workflows:\n  x:\n    steps:\n      - {id: a, scan: true, action: review}\n",
    )
    .expect("YAML");
    assert!(!validator.is_valid(&bad));
}

#[test]
fn cancelling_the_progress_aborts_the_model_call() {
    let fixture = Fixture::start(Arc::new(|_| Reply::Hang));
    let mut s = start(&fixture, Vec::new());
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    let id = s.request_async("codeAction/resolve", document);
    let begin = progress_of(&mut s, "begin");
    assert_eq!(begin["params"]["value"]["cancellable"], true, "{begin}");
    fixture.wait_requests(1);
    s.notify(
        "window/workDoneProgress/cancel",
        json!({"token": begin["params"]["token"]}),
    );
    let reply = s.response(id);
    assert_eq!(reply["error"]["code"], -32800, "{reply}");
    assert!(fixture.saw_drop(), "the provider request was not aborted");
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn clients_without_resolve_support_get_a_command_that_ends_in_apply_edit() {
    let fixture = Fixture::start(Arc::new(|_| {
        Reply::Text("```python\ndef add(a, b):\n    return b + a\n```".into())
    }));
    let mut files = test_rules();
    files.push(("calc.py".into(), CALC.into()));
    let mut s = TestServer::start_with(Options {
        init_options: settings_for(&fixture.base_url()),
        capabilities: json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}, "codeAction": {}}}),
        files,
        ..Options::default()
    });
    let uri = s.open("calc.py", "python", CALC);
    s.diagnostics(&uri, Some(1));
    let actions = code_actions(&mut s, &uri, CALC, "return a + b", json!([]));
    let document = find_kind(&actions, "refactor.ai.document");
    assert!(document.get("data").is_none(), "{document}");
    let command = document["command"].clone();
    assert_eq!(command["command"], "codomyrmex.ai.run", "{document}");
    assert!(fixture.requests().is_empty());
    let result = s.request(
        "workspace/executeCommand",
        json!({"command": command["command"], "arguments": command["arguments"]}),
    );
    assert_eq!(result["applied"], true, "{result}");
    let apply = s.wait_for(|m| m["method"] == "workspace/applyEdit");
    let (_, annotation) = annotated_edit(&apply["params"]["edit"]);
    assert_eq!(annotation["needsConfirmation"], true);
    assert_eq!(s.shutdown(), Some(0));
}

#[test]
fn the_cli_entry_points_run_action_files_and_workflows_on_files() {
    use codomyrmex::assist::{self, Catalog, Env, Output};
    use codomyrmex::rules::{RuleSet, RuleSource, SeverityOverrides};
    use tokio_util::sync::CancellationToken;

    let fixture = Fixture::start(Arc::new(|r| {
        let p = r.prompt();
        if p.contains("Review the file") {
            Reply::Text("Looks risky: line 4 evaluates input.".into())
        } else if p.contains("Fix the reported problems") {
            Reply::Text("```python\ndef run(a):\n    return ast.literal_eval(a)\n```".into())
        } else {
            Reply::Text(
                "```python\ndef run(a):\n    \"\"\"Runs a.\"\"\"\n    return eval(a)\n```".into(),
            )
        }
    }));
    let dir = tempfile::tempdir().expect("tempdir");
    let text = "import ast\n\ndef run(a):\n    return eval(a)\n";
    let file = dir.path().join("run.py");
    std::fs::write(&file, text).expect("write");
    let settings = settings_for(&fixture.base_url());
    let no_env = |_: &str| None;
    let (config, diags) = codomyrmex::config::load_with(&codomyrmex::config::LoadOptions {
        user_dir: None,
        workspace_root: Some(dir.path()),
        editor: Some(&settings),
        env: &no_env,
    });
    let rules = Arc::new(RuleSet::load(
        &[RuleSource::Embedded],
        SeverityOverrides::new(),
    ));
    let audit = codomyrmex::audit::AuditLog::open(dir.path().join("audit.jsonl")).expect("audit");
    let catalog = Catalog::load(None, Some(dir.path()));
    let env = Env::with_parts(
        config,
        diags,
        rules,
        Some(dir.path().to_path_buf()),
        catalog,
        Some(audit),
    );
    let (actions, warnings) = assist::list_actions(Some(dir.path()));
    assert!(warnings.is_empty(), "{warnings:?}");
    assert!(actions.iter().any(|a| a.name == "document"));

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let cancel = CancellationToken::new();
    let at = text.find("return").expect("offset");
    let documented = runtime
        .block_on(assist::run_on_file(
            &env,
            "document",
            &file,
            Some(at),
            None,
            &mut |_: &str| {},
            &cancel,
        ))
        .expect("document");
    let Output::Edit(p) = documented.output else {
        panic!("document proposes an edit")
    };
    assert!(
        p.new_text.contains("\"\"\"Runs a.\"\"\"") && p.parses,
        "{}",
        p.new_text
    );
    let fixed = runtime
        .block_on(assist::run_on_file(
            &env,
            "fix",
            &file,
            Some(at),
            None,
            &mut |_: &str| {},
            &cancel,
        ))
        .expect("fix");
    assert!(matches!(fixed.output, Output::Edit(ref p) if p.new_text.contains("literal_eval")));
    let fix_prompt = fixture
        .requests()
        .iter()
        .map(Received::prompt)
        .find(|p| p.contains("Fix the reported"))
        .unwrap_or_default();
    assert!(fix_prompt.contains("CWE-95"), "{fix_prompt}");
    let review = runtime
        .block_on(assist::run_workflow_on_file(
            &env,
            "review",
            &file,
            Arc::new(|_: &str| {}),
            &cancel,
        ))
        .expect("review");
    assert!(review.report.contains("Looks risky"), "{}", review.report);
    assert!(
        std::fs::read_to_string(&file).expect("read") == text,
        "nothing is written"
    );
    let audit = std::fs::read_to_string(dir.path().join("audit.jsonl")).unwrap_or_default();
    assert_eq!(audit.lines().count(), 3, "{audit}");
}
