//! Provider layer against real HTTP servers on 127.0.0.1:
//! - fixture servers written here (tokio `TcpListener` + hand-written HTTP/1.1, so the tests
//!   control every byte and can hang or drop connections) for the Ollama and Gemini formats and
//!   for fault injection (429 + retry-after, 529, 500, 401, hangs, truncation, malformed chunks,
//!   errors after HTTP 200, cancellation);
//! - a real llama.cpp server (xllamacpp + a tiny random GGUF, see `scripts/setup-llm-tests.sh`)
//!   for the OpenAI and Anthropic formats, found through `CODOMYRMEX_TEST_LLAMA_URL`.
//!
//! The ignored `bench_ai_overhead` measures the per-call overhead of the whole `ai` pipeline
//! against an instant local server.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use codomyrmex::ai::{
    ChatRequest, Completion, FinishReason, Message, ModelProvider, ProviderError, ProviderKind,
    ProviderSpec, build_provider,
};
use secrecy::SecretString;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

// ---------------------------------------------------------------------------------------------
// Fixture server
// ---------------------------------------------------------------------------------------------

/// One request as the server received it.
#[derive(Debug, Clone)]
struct Received {
    method: String,
    /// Path and query.
    path: String,
    /// Lower-cased names.
    headers: Vec<(String, String)>,
    body: String,
}

impl Received {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }
}

/// What the server does for one request.
#[derive(Debug, Clone)]
enum Step {
    /// Writes bytes and flushes.
    Write(Vec<u8>),
    /// Lets the client read what was written before the next write (chunk boundaries only; no
    /// assertion depends on it).
    Pause(u64),
    /// Keeps the connection open until the client closes it, then reports the drop.
    AwaitDrop,
    /// Never answers (until the client goes away).
    Hang,
}

type Script = Vec<Step>;

struct Fixture {
    addr: SocketAddr,
    received: Arc<Mutex<Vec<Received>>>,
    drops: mpsc::UnboundedReceiver<()>,
}

impl Fixture {
    /// Serves each request with the next script of `scripts`; the last one repeats.
    async fn start(scripts: Vec<Script>) -> Fixture {
        let listener = match TcpListener::bind("127.0.0.1:0").await {
            Ok(l) => l,
            Err(e) => panic!("bind: {e}"),
        };
        let addr = match listener.local_addr() {
            Ok(a) => a,
            Err(e) => panic!("addr: {e}"),
        };
        let received = Arc::new(Mutex::new(Vec::new()));
        let (drop_tx, drops) = mpsc::unbounded_channel();
        let queue = Arc::new(Mutex::new(VecDeque::from(scripts)));
        let log = received.clone();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let queue = queue.clone();
                let log = log.clone();
                let drop_tx = drop_tx.clone();
                tokio::spawn(async move { serve(socket, queue, log, drop_tx).await });
            }
        });
        Fixture {
            addr,
            received,
            drops,
        }
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Received> {
        self.received.lock().map(|g| g.clone()).unwrap_or_default()
    }

    /// Waits until the server has seen a client close its connection.
    async fn dropped(&mut self) -> bool {
        // A generous bound so a broken build fails instead of hanging; not a timing assertion.
        matches!(
            tokio::time::timeout(Duration::from_secs(20), self.drops.recv()).await,
            Ok(Some(()))
        )
    }
}

async fn read_request(socket: &mut TcpStream) -> Option<Received> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let head_end = loop {
        if let Some(pos) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break pos;
        }
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split_whitespace();
    let method = request_line.next()?.to_string();
    let path = request_line.next()?.to_string();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let n = socket.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Received {
        method,
        path,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    })
}

async fn serve(
    mut socket: TcpStream,
    queue: Arc<Mutex<VecDeque<Script>>>,
    log: Arc<Mutex<Vec<Received>>>,
    drop_tx: mpsc::UnboundedSender<()>,
) {
    let Some(request) = read_request(&mut socket).await else {
        return;
    };
    if let Ok(mut log) = log.lock() {
        log.push(request);
    }
    let script = {
        let Ok(mut q) = queue.lock() else { return };
        if q.len() > 1 {
            q.pop_front()
        } else {
            q.front().cloned()
        }
    };
    for step in script.unwrap_or_default() {
        match step {
            Step::Write(bytes) => {
                if socket.write_all(&bytes).await.is_err() || socket.flush().await.is_err() {
                    let _ = drop_tx.send(());
                    return;
                }
            }
            Step::Pause(ms) => tokio::time::sleep(Duration::from_millis(ms)).await,
            Step::AwaitDrop => {
                let mut sink = [0u8; 1024];
                loop {
                    match socket.read(&mut sink).await {
                        Ok(0) | Err(_) => break,
                        Ok(_) => {}
                    }
                }
                let _ = drop_tx.send(());
                return;
            }
            Step::Hang => {
                let mut sink = [0u8; 1024];
                while let Ok(n) = socket.read(&mut sink).await {
                    if n == 0 {
                        break;
                    }
                }
                let _ = drop_tx.send(());
                return;
            }
        }
    }
    let _ = socket.shutdown().await;
}

fn status_text(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        529 => "Overloaded",
        _ => "Status",
    }
}

/// A complete response with a body.
fn respond(status: u16, headers: &[(&str, &str)], body: &str) -> Script {
    let mut head = format!(
        "HTTP/1.1 {status} {}\r\ncontent-length: {}\r\nconnection: close\r\n",
        status_text(status),
        body.len()
    );
    if !headers
        .iter()
        .any(|(n, _)| n.eq_ignore_ascii_case("content-type"))
    {
        head.push_str("content-type: application/json\r\n");
    }
    for (n, v) in headers {
        head.push_str(&format!("{n}: {v}\r\n"));
    }
    head.push_str("\r\n");
    head.push_str(body);
    vec![Step::Write(head.into_bytes())]
}

/// The head of a streamed (close-delimited) 200 response.
fn stream_head(content_type: &str) -> Step {
    Step::Write(
        format!("HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\nconnection: close\r\n\r\n")
            .into_bytes(),
    )
}

/// A streamed response: head, then each chunk written separately.
fn streamed(content_type: &str, chunks: &[&str]) -> Script {
    let mut script = vec![stream_head(content_type)];
    for chunk in chunks {
        script.push(Step::Write(chunk.as_bytes().to_vec()));
        script.push(Step::Pause(2));
    }
    script
}

fn sse(chunks: &[&str]) -> Script {
    streamed("text/event-stream", chunks)
}

fn ndjson(chunks: &[&str]) -> Script {
    streamed("application/x-ndjson", chunks)
}

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const KEY: &str = "test-key-9f8e7d6c5b4a3210";

fn spec(name: &str, kind: ProviderKind, url: &str) -> ProviderSpec {
    let mut spec = ProviderSpec::new(name, kind);
    spec.base_url = Some(url.to_string());
    spec.default_model = Some("test-model".to_string());
    spec
}

fn provider(spec: &ProviderSpec) -> Arc<dyn ModelProvider> {
    match build_provider(spec) {
        Ok(p) => p,
        Err(e) => panic!("build_provider: {e}"),
    }
}

fn request(text: &str) -> ChatRequest {
    ChatRequest {
        system: Some("be brief".to_string()),
        messages: vec![Message::user(text)],
        max_tokens: 64,
        temperature: Some(0.0),
        timeout: Some(Duration::from_secs(20)),
        ..ChatRequest::default()
    }
}

/// Runs a chat call, collecting the streamed deltas.
async fn chat(
    p: &dyn ModelProvider,
    req: &ChatRequest,
) -> (Result<Completion, ProviderError>, Vec<String>) {
    let mut deltas = Vec::new();
    let cancel = CancellationToken::new();
    let mut on_chunk = |d: &str| deltas.push(d.to_string());
    let result = p.chat_stream(req, &mut on_chunk, &cancel).await;
    (result, deltas)
}

fn ok(result: Result<Completion, ProviderError>) -> Completion {
    match result {
        Ok(c) => c,
        Err(e) => panic!("expected success, got: {e}"),
    }
}

fn err(result: Result<Completion, ProviderError>) -> ProviderError {
    match result {
        Ok(c) => panic!("expected an error, got a completion: {c:?}"),
        Err(e) => e,
    }
}

/// Every error must be one sentence that names the provider and never shows the key.
fn assert_one_sentence(e: &ProviderError, provider: &str) {
    let text = e.to_string();
    assert!(text.starts_with(&format!("{provider}: ")), "{text}");
    assert!(!text.contains('\n'), "{text}");
    assert!(
        !text.contains(KEY) && !text.contains(&KEY[..12]),
        "key leaked: {text}"
    );
    assert!(
        !format!("{e:?}").contains(KEY),
        "key leaked in Debug: {e:?}"
    );
}

const ANTHROPIC_OK: &[&str] = &[
    "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-test\",\"usage\":{\"input_tokens\":11,\"output_tokens\":1}}}\n\n",
    "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n",
    "event: ping\ndata: {\"type\":\"ping\"}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n\n",
    "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\" world\"}}\n\n",
    "event: content_block_stop\ndata: {\"type\":\"content_block_stop\",\"index\":0}\n\n",
    "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n",
    "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n",
];

const OPENAI_OK: &[&str] = &[
    "data: {\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"\"}}]}\n\n",
    ": keep-alive comment\n\n",
    "data: {\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}]}\n\n",
    "data: {\"model\":\"gpt-test\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\n\n",
    "data: {\"model\":\"gpt-test\",\"choices\":[],\"usage\":{\"prompt_tokens\":5,\"completion_tokens\":1}}\n\n",
    "data: [DONE]\n\n",
];

// ---------------------------------------------------------------------------------------------
// Ollama format (fixture built from docs/api.md)
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn ollama_streams_ndjson_and_passes_options_explicitly() {
    let server = Fixture::start(vec![ndjson(&[
        "{\"model\":\"llama3.2\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"The \"},\"done\":false}\n",
        "{\"model\":\"llama3.2\",\"created_at\":\"2026-01-01T00:00:00Z\",\"message\":{\"role\":\"assistant\",\"content\":\"answer\"},\"done\":false}\n",
        "{\"model\":\"llama3.2\",\"created_at\":\"2026-01-01T00:00:01Z\",\"message\":{\"role\":\"assistant\",\"content\":\"\"},\"done\":true,\"done_reason\":\"length\",\"total_duration\":1000,\"prompt_eval_count\":26,\"eval_count\":2,\"eval_duration\":500}\n",
    ])])
    .await;
    let p = provider(&spec("ollama", ProviderKind::Ollama, &server.url()));
    let mut req = request("why?");
    req.context_size = Some(4096);
    let (result, deltas) = chat(p.as_ref(), &req).await;
    let done = ok(result);
    assert_eq!(done.text, "The answer");
    assert_eq!(deltas, vec!["The ", "answer"]);
    assert_eq!(done.finish_reason, FinishReason::Length);
    assert_eq!(
        (done.usage.input_tokens, done.usage.output_tokens),
        (Some(26), Some(2))
    );
    assert_eq!(done.model, "llama3.2");

    let got = server.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(
        (got[0].method.as_str(), got[0].path.as_str()),
        ("POST", "/api/chat")
    );
    assert_eq!(
        got[0].header("authorization"),
        None,
        "no key configured, none sent"
    );
    let body = got[0].json();
    assert_eq!(body["model"], "test-model");
    assert_eq!(body["stream"], true);
    assert_eq!(body["options"]["num_ctx"], 4096);
    assert_eq!(body["options"]["num_predict"], 64);
    assert_eq!(body["options"]["temperature"], 0.0);
    assert!(
        body["keep_alive"].is_string(),
        "keep_alive must be explicit: {body}"
    );
    assert_eq!(body["messages"][0]["role"], "system");
    assert_eq!(body["messages"][1]["content"], "why?");
}

#[tokio::test]
async fn ollama_error_line_after_200_fails_the_request() {
    let server = Fixture::start(vec![ndjson(&[
        "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"par\"},\"done\":false}\n",
        "{\"error\":\"model runner has unexpectedly stopped\"}\n",
    ])])
    .await;
    let p = provider(&spec("ollama", ProviderKind::Ollama, &server.url()));
    let e = err(chat(p.as_ref(), &request("x")).await.0);
    assert!(matches!(e, ProviderError::InStream { .. }), "{e:?}");
    assert!(
        e.to_string()
            .contains("model runner has unexpectedly stopped"),
        "{e}"
    );
    assert_one_sentence(&e, "ollama");
}

#[tokio::test]
async fn ollama_stream_without_done_is_truncated() {
    let server = Fixture::start(vec![ndjson(&[
        "{\"model\":\"m\",\"message\":{\"role\":\"assistant\",\"content\":\"part\"},\"done\":false}\n",
    ])])
    .await;
    let p = provider(&spec("ollama", ProviderKind::Ollama, &server.url()));
    let e = err(chat(p.as_ref(), &request("x")).await.0);
    assert!(matches!(e, ProviderError::Truncated { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "ollama: the response ended before it was complete; nothing was applied, try again"
    );
}

#[tokio::test]
async fn ollama_tags_embed_and_non_streaming_chat() {
    let server = Fixture::start(vec![
        respond(200, &[], r#"{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","size":1},{"name":"nomic-embed-text:latest"}]}"#),
        respond(200, &[], r#"{"model":"nomic-embed-text","embeddings":[[0.1,0.2],[0.3,0.4]]}"#),
        respond(200, &[], r#"{"model":"m","message":{"role":"assistant","content":"whole"},"done":true,"done_reason":"stop","prompt_eval_count":3,"eval_count":1}"#),
    ])
    .await;
    let p = provider(&spec("ollama", ProviderKind::Ollama, &server.url()));
    let models = match p.list_models().await {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(models, vec!["llama3.2:latest", "nomic-embed-text:latest"]);
    let vectors = match p
        .embed(
            Some("nomic-embed-text"),
            &["a".to_string(), "b".to_string()],
        )
        .await
    {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(vectors, vec![vec![0.1f32, 0.2], vec![0.3, 0.4]]);
    let mut req = request("x");
    req.stream = false;
    let (result, deltas) = chat(p.as_ref(), &req).await;
    assert_eq!(ok(result).text, "whole");
    assert_eq!(deltas, vec!["whole"]);

    let got = server.requests();
    assert_eq!(
        (got[0].method.as_str(), got[0].path.as_str()),
        ("GET", "/api/tags")
    );
    assert_eq!(got[1].path, "/api/embed");
    assert_eq!(got[1].json()["input"], serde_json::json!(["a", "b"]));
    assert_eq!(got[2].json()["stream"], false);
}

// ---------------------------------------------------------------------------------------------
// Gemini format (fixture built from the Generative Language API docs)
// ---------------------------------------------------------------------------------------------

fn gemini_spec(url: &str) -> ProviderSpec {
    let mut s = spec("gemini", ProviderKind::Gemini, url);
    s.api_key = Some(SecretString::from(KEY));
    s.default_model = Some("gemini-2.5-flash".to_string());
    s
}

#[tokio::test]
async fn gemini_streams_sse_until_the_body_ends_after_finish_reason() {
    let server = Fixture::start(vec![sse(&[
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}],\"modelVersion\":\"gemini-2.5-flash-001\"}\r\n\r\n",
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"lo\"}],\"role\":\"model\"},\"finishReason\":\"STOP\",\"index\":0}],\"usageMetadata\":{\"promptTokenCount\":9,\"candidatesTokenCount\":2,\"totalTokenCount\":11},\"modelVersion\":\"gemini-2.5-flash-001\"}\r\n\r\n",
    ])])
    .await;
    let p = provider(&gemini_spec(&server.url()));
    let (result, deltas) = chat(p.as_ref(), &request("hi")).await;
    let done = ok(result);
    assert_eq!(done.text, "Hello");
    assert_eq!(deltas, vec!["Hel", "lo"]);
    assert_eq!(done.finish_reason, FinishReason::Stop);
    assert_eq!(
        (done.usage.input_tokens, done.usage.output_tokens),
        (Some(9), Some(2))
    );
    assert_eq!(done.model, "gemini-2.5-flash-001");

    let got = server.requests();
    assert_eq!(
        got[0].path,
        "/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
    );
    assert_eq!(got[0].header("x-goog-api-key"), Some(KEY));
    assert_eq!(got[0].header("authorization"), None);
    assert!(
        !got[0].path.contains("key="),
        "the key travels in a header, not the URL"
    );
    let body = got[0].json();
    assert_eq!(body["systemInstruction"]["parts"][0]["text"], "be brief");
    assert_eq!(body["contents"][0]["role"], "user");
    assert_eq!(body["contents"][0]["parts"][0]["text"], "hi");
    assert_eq!(body["generationConfig"]["maxOutputTokens"], 64);
    assert_eq!(body["generationConfig"]["temperature"], 0.0);
}

#[tokio::test]
async fn gemini_body_ending_before_finish_reason_is_truncated() {
    let server = Fixture::start(vec![sse(&[
        "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Hel\"}],\"role\":\"model\"},\"index\":0}]}\n\n",
    ])])
    .await;
    let p = provider(&gemini_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::Truncated { .. }), "{e:?}");
    assert_one_sentence(&e, "gemini");
}

#[tokio::test]
async fn gemini_429_with_retry_info_is_retried_after_the_delay() {
    let rate = r#"{"error":{"code":429,"message":"Resource has been exhausted","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"0.2s"}]}}"#;
    let server = Fixture::start(vec![
        respond(429, &[], rate),
        sse(&["data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"ok\"}]},\"finishReason\":\"STOP\"}]}\n\n"]),
    ])
    .await;
    let p = provider(&gemini_spec(&server.url()));
    let done = ok(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(done.text, "ok");
    assert_eq!(done.retries, 1);
    assert_eq!(server.requests().len(), 2);
}

#[tokio::test]
async fn gemini_bad_key_is_an_auth_error_without_retry() {
    let body = format!(
        r#"{{"error":{{"code":400,"message":"API key not valid. Please pass a valid API key. Got {KEY}","status":"INVALID_ARGUMENT","details":[{{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}}]}}}}"#
    );
    let server = Fixture::start(vec![respond(400, &[], &body)]).await;
    let p = provider(&gemini_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(
        matches!(e, ProviderError::Auth { status: 400, .. }),
        "{e:?}"
    );
    assert_one_sentence(&e, "gemini");
    assert_eq!(server.requests().len(), 1);
}

// ---------------------------------------------------------------------------------------------
// Fault injection (OpenAI and Anthropic formats)
// ---------------------------------------------------------------------------------------------

fn anthropic_spec(url: &str) -> ProviderSpec {
    let mut s = spec("anthropic", ProviderKind::Anthropic, url);
    s.api_key = Some(SecretString::from(KEY));
    s
}

fn openai_spec(url: &str) -> ProviderSpec {
    let mut s = spec("openai", ProviderKind::Openai, url);
    s.api_key = Some(SecretString::from(KEY));
    s
}

#[tokio::test]
async fn anthropic_sends_its_headers_and_skips_pings() {
    let server = Fixture::start(vec![sse(ANTHROPIC_OK)]).await;
    let p = provider(&anthropic_spec(&server.url()));
    let (result, deltas) = chat(p.as_ref(), &request("hi")).await;
    let done = ok(result);
    assert_eq!(done.text, "Hello world");
    assert_eq!(deltas, vec!["Hello", " world"]);
    assert_eq!(done.finish_reason, FinishReason::Stop);
    assert_eq!(
        (done.usage.input_tokens, done.usage.output_tokens),
        (Some(11), Some(2))
    );
    let got = server.requests();
    assert_eq!(got[0].path, "/v1/messages");
    assert_eq!(got[0].header("x-api-key"), Some(KEY));
    assert_eq!(got[0].header("anthropic-version"), Some("2023-06-01"));
    let body = got[0].json();
    assert_eq!(body["system"], "be brief");
    assert_eq!(body["max_tokens"], 64);
    assert_eq!(body["messages"][0]["role"], "user");
}

#[tokio::test]
async fn openai_sends_bearer_and_include_usage() {
    let server = Fixture::start(vec![sse(OPENAI_OK)]).await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let done = ok(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(done.text, "Hi");
    assert_eq!(
        (done.usage.input_tokens, done.usage.output_tokens),
        (Some(5), Some(1))
    );
    let got = server.requests();
    assert_eq!(got[0].path, "/v1/chat/completions");
    assert_eq!(
        got[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    let body = got[0].json();
    assert_eq!(body["stream_options"]["include_usage"], true);
    assert_eq!(body["max_tokens"], 64);
}

#[tokio::test]
async fn rate_limit_with_retry_after_is_honoured_then_succeeds() {
    let server = Fixture::start(vec![
        respond(
            429,
            &[("retry-after", "0")],
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
        ),
        respond(
            429,
            &[("retry-after-ms", "100")],
            r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
        ),
        sse(ANTHROPIC_OK),
    ])
    .await;
    let p = provider(&anthropic_spec(&server.url()));
    let done = ok(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(done.retries, 2);
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn rate_limit_exhausts_retries_with_one_clear_sentence() {
    let server = Fixture::start(vec![respond(
        429,
        &[("retry-after", "0")],
        r#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
    )])
    .await;
    let p = provider(&anthropic_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(
        e.to_string(),
        "anthropic: rate limited (429); retried 2 times; try again in a minute"
    );
    assert_eq!(server.requests().len(), 3, "one call plus two retries");
}

#[tokio::test]
async fn retry_after_beyond_60_s_fails_fast_saying_when() {
    let server = Fixture::start(vec![respond(429, &[("retry-after", "3600")], "{}")]).await;
    let p = provider(&anthropic_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::RetryTooFar { .. }), "{e:?}");
    assert!(e.to_string().contains("try again after"), "{e}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn overloaded_529_is_retried_twice() {
    let overloaded =
        r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#;
    let server = Fixture::start(vec![respond(529, &[], overloaded)]).await;
    let mut s = anthropic_spec(&server.url());
    s.name = "anthropic-529".into();
    let p = provider(&s);
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(
        matches!(
            e,
            ProviderError::Overloaded {
                status: 529,
                retries: 2,
                ..
            }
        ),
        "{e:?}"
    );
    assert_one_sentence(&e, "anthropic-529");
    assert_eq!(server.requests().len(), 3);
}

#[tokio::test]
async fn server_error_500_retries_then_succeeds_and_x_should_retry_false_stops() {
    let server = Fixture::start(vec![
        respond(
            500,
            &[],
            r#"{"error":{"message":"boom","type":"server_error"}}"#,
        ),
        sse(OPENAI_OK),
    ])
    .await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let done = ok(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(done.retries, 1);

    let server = Fixture::start(vec![respond(
        500,
        &[("x-should-retry", "false")],
        r#"{"error":{"message":"boom"}}"#,
    )])
    .await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(
        e.to_string(),
        "openai: server error (500: boom); try again later"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn unauthorized_is_not_retried_and_never_echoes_the_key() {
    let body = format!(
        r#"{{"error":{{"message":"Incorrect API key provided: {}****. You can find your API key at https://example.invalid.","type":"invalid_request_error","code":"invalid_api_key"}}}}"#,
        &KEY[..14]
    );
    let server = Fixture::start(vec![respond(401, &[], &body)]).await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(
        matches!(e, ProviderError::Auth { status: 401, .. }),
        "{e:?}"
    );
    assert_one_sentence(&e, "openai");
    assert!(
        e.to_string().contains("check the provider's API key"),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn spend_limit_429_is_not_retried() {
    let body = r#"{"type":"error","error":{"type":"rate_limit_error","message":"spend limit","details":{"error_code":"enforced_spend_limit_reached"}}}"#;
    let server = Fixture::start(vec![respond(429, &[], body)]).await;
    let p = provider(&anthropic_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::SpendLimit { .. }), "{e:?}");
    assert_eq!(server.requests().len(), 1);
}

#[tokio::test]
async fn a_hanging_server_hits_the_deadline_and_sees_the_connection_drop() {
    let mut server = Fixture::start(vec![vec![Step::Hang]]).await;
    let mut s = openai_spec(&format!("{}/v1", server.url()));
    s.max_retries = Some(0);
    let p = provider(&s);
    let mut req = request("hi");
    req.timeout = Some(Duration::from_millis(300));
    let e = err(chat(p.as_ref(), &req).await.0);
    assert!(matches!(e, ProviderError::Timeout { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "openai: no complete answer within 300 ms; the server is slow or stuck, try again or raise timeout_s"
    );
    assert!(
        server.dropped().await,
        "the server must see the client give up"
    );

    // Headers and one chunk, then silence.
    let mut server = Fixture::start(vec![vec![
        stream_head("text/event-stream"),
        Step::Write(OPENAI_OK[0].as_bytes().to_vec()),
        Step::Hang,
    ]])
    .await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let e = err(chat(p.as_ref(), &req).await.0);
    assert!(matches!(e, ProviderError::Timeout { .. }), "{e:?}");
    assert!(server.dropped().await);
    assert_eq!(
        server.requests().len(),
        1,
        "no retry once the stream started"
    );
}

#[tokio::test]
async fn truncated_streams_are_errors_never_partial_results() {
    let server = Fixture::start(vec![sse(&OPENAI_OK[..3])]).await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let (result, deltas) = chat(p.as_ref(), &request("hi")).await;
    let e = err(result);
    assert!(matches!(e, ProviderError::Truncated { .. }), "{e:?}");
    assert_eq!(
        deltas,
        vec!["Hi"],
        "progress was reported, but the result is an error"
    );
    assert_eq!(server.requests().len(), 1, "no retry after the first byte");

    // Cut in the middle of an event.
    let server = Fixture::start(vec![sse(&[
        ANTHROPIC_OK[0],
        ANTHROPIC_OK[3],
        "event: content_block_delta\ndata: {\"type\":\"content_bl",
    ])])
    .await;
    let p = provider(&anthropic_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::Truncated { .. }), "{e:?}");
}

#[tokio::test]
async fn a_malformed_chunk_fails_only_its_own_request() {
    let server = Fixture::start(vec![
        sse(&[OPENAI_OK[0], "data: {not json\n\n", "data: [DONE]\n\n"]),
        sse(OPENAI_OK),
    ])
    .await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::Malformed { .. }), "{e:?}");
    assert_one_sentence(&e, "openai");
    let done = ok(chat(p.as_ref(), &request("again")).await.0);
    assert_eq!(done.text, "Hi");
}

#[tokio::test]
async fn http_200_then_an_error_event_fails_the_request() {
    let server = Fixture::start(vec![sse(&[
        ANTHROPIC_OK[0],
        "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n",
    ])])
    .await;
    let p = provider(&anthropic_spec(&server.url()));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::InStream { .. }), "{e:?}");
    assert!(
        e.to_string().contains("overloaded_error: Overloaded"),
        "{e}"
    );
    assert_eq!(server.requests().len(), 1);

    let server = Fixture::start(vec![sse(&[
        OPENAI_OK[0],
        "data: {\"error\":{\"message\":\"engine died\",\"type\":\"internal\"}}\n\n",
    ])])
    .await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(matches!(e, ProviderError::InStream { .. }), "{e:?}");
}

#[tokio::test]
async fn cancelling_aborts_the_http_request() {
    let mut server = Fixture::start(vec![vec![
        stream_head("text/event-stream"),
        Step::Write(ANTHROPIC_OK[0].as_bytes().to_vec()),
        Step::Write(ANTHROPIC_OK[3].as_bytes().to_vec()),
        Step::AwaitDrop,
    ]])
    .await;
    let p = provider(&anthropic_spec(&server.url()));
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let mut deltas = Vec::new();
    let mut on_chunk = |d: &str| {
        deltas.push(d.to_string());
        token.cancel();
    };
    let req = request("hi");
    let e = err(p.chat_stream(&req, &mut on_chunk, &cancel).await);
    assert_eq!(
        e,
        ProviderError::Cancelled {
            provider: "anthropic".into()
        }
    );
    assert_eq!(deltas, vec!["Hello"]);
    assert!(
        server.dropped().await,
        "the server must see the connection close"
    );
}

#[tokio::test]
async fn dropping_the_future_aborts_the_http_request() {
    let mut server = Fixture::start(vec![vec![
        stream_head("text/event-stream"),
        Step::AwaitDrop,
    ]])
    .await;
    let p = provider(&anthropic_spec(&server.url()));
    let req = request("hi");
    let cancel = CancellationToken::new();
    let mut on_chunk = |_: &str| {};
    let fut = p.chat_stream(&req, &mut on_chunk, &cancel);
    // Poll until the request is in flight, then drop the future.
    let _ = tokio::time::timeout(Duration::from_millis(200), fut).await;
    assert!(server.dropped().await);
}

#[tokio::test]
async fn connection_refused_is_one_sentence_naming_the_url() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0");
    let addr = match listener.and_then(|l| l.local_addr()) {
        Ok(a) => a,
        Err(e) => panic!("{e}"),
    };
    // The listener is gone: nothing listens there now.
    let mut s = spec(
        "local-llama",
        ProviderKind::Openai,
        &format!("http://{addr}/v1"),
    );
    s.max_retries = Some(1);
    let p = provider(&s);
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(
        e.to_string(),
        format!(
            "local-llama: cannot connect to http://{addr}/v1; retried once; is the server running and reachable?"
        )
    );
}

#[tokio::test]
async fn circuit_breaker_opens_after_five_failures() {
    let server = Fixture::start(vec![respond(500, &[("x-should-retry", "false")], "{}")]).await;
    let mut s = openai_spec(&format!("{}/v1", server.url()));
    s.name = "breaker-test".into();
    let p = provider(&s);
    for _ in 0..5 {
        let e = err(chat(p.as_ref(), &request("hi")).await.0);
        assert!(matches!(e, ProviderError::Server { .. }), "{e:?}");
    }
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert!(
        matches!(e, ProviderError::CircuitOpen { failures: 5, .. }),
        "{e:?}"
    );
    assert!(
        e.to_string().starts_with(
            "breaker-test: skipped after 5 failures in a row; it will be tried again in"
        ),
        "{e}"
    );
    assert_eq!(server.requests().len(), 5, "an open breaker sends nothing");
}

#[tokio::test]
async fn a_stalled_stream_hits_the_per_chunk_read_timeout() {
    let mut server = Fixture::start(vec![vec![
        stream_head("text/event-stream"),
        Step::Write(OPENAI_OK[0].as_bytes().to_vec()),
        Step::Hang,
    ]])
    .await;
    let mut s = openai_spec(&format!("{}/v1", server.url()));
    s.read_timeout = Some(Duration::from_millis(200));
    let p = provider(&s);
    let e = err(chat(p.as_ref(), &request("hi")).await.0);
    assert_eq!(
        e.to_string(),
        "openai: the response stopped arriving for 200 ms; the server is stuck, try again"
    );
    assert!(server.dropped().await);
    assert_eq!(server.requests().len(), 1, "no retry after the first byte");
}

#[tokio::test]
async fn openai_and_gemini_models_and_embeddings() {
    let server = Fixture::start(vec![
        respond(200, &[], r#"{"object":"list","data":[{"id":"gpt-a","object":"model"},{"id":"text-embedding-3-small","object":"model"}]}"#),
        respond(200, &[], r#"{"object":"list","data":[{"index":1,"embedding":[0.5,0.25]},{"index":0,"embedding":[1.0,0.0]}]}"#),
    ])
    .await;
    let p = provider(&openai_spec(&format!("{}/v1", server.url())));
    let models = p.list_models().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(models, vec!["gpt-a", "text-embedding-3-small"]);
    let v = p
        .embed(Some("text-embedding-3-small"), &["a".into(), "b".into()])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        v,
        vec![vec![1.0f32, 0.0], vec![0.5, 0.25]],
        "ordered by index"
    );
    let got = server.requests();
    assert_eq!(
        (got[0].method.as_str(), got[0].path.as_str()),
        ("GET", "/v1/models")
    );
    assert_eq!(
        got[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(got[1].path, "/v1/embeddings");

    let server = Fixture::start(vec![
        respond(200, &[], r#"{"models":[{"name":"models/gemini-2.5-flash"},{"name":"models/text-embedding-004"}]}"#),
        respond(200, &[], r#"{"embeddings":[{"values":[0.1,0.2]},{"values":[0.3,0.4]}]}"#),
    ])
    .await;
    let p = provider(&gemini_spec(&server.url()));
    let models = p.list_models().await.unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(models, vec!["gemini-2.5-flash", "text-embedding-004"]);
    let v = p
        .embed(Some("text-embedding-004"), &["a".into(), "b".into()])
        .await
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(v.len(), 2);
    let got = server.requests();
    assert_eq!(got[0].path, "/v1beta/models");
    assert_eq!(got[0].header("x-goog-api-key"), Some(KEY));
    assert_eq!(
        got[1].path,
        "/v1beta/models/text-embedding-004:batchEmbedContents"
    );
    assert_eq!(
        got[1].json()["requests"][1]["content"]["parts"][0]["text"],
        "b"
    );

    let p = provider(&anthropic_spec("http://127.0.0.1:9"));
    let e = p
        .embed(None, &["a".into()])
        .await
        .err()
        .map(|e| e.to_string());
    assert_eq!(
        e.as_deref(),
        Some("anthropic: embeddings is not supported by this provider")
    );
}

#[tokio::test]
async fn cloud_providers_without_a_key_fail_before_any_request() {
    let mut s = ProviderSpec::new("openai", ProviderKind::Openai);
    s.default_model = Some("gpt-4o-mini".into());
    let e = err(chat(provider(&s).as_ref(), &request("hi")).await.0);
    assert_eq!(
        e.to_string(),
        "openai: invalid configuration: no API key; set OPENAI_API_KEY or api_key in providers.yaml"
    );
    let e = err(chat(
        provider(&ProviderSpec::new("anthropic", ProviderKind::Anthropic)).as_ref(),
        &request("hi"),
    )
    .await
    .0);
    assert!(
        matches!(e, ProviderError::Config { .. }),
        "no model and no key: {e:?}"
    );
}

// ---------------------------------------------------------------------------------------------
// A real llama.cpp server (OpenAI and Anthropic formats)
// ---------------------------------------------------------------------------------------------

/// The llama.cpp server's URL, or `None` (with a loud notice) when the tests should be skipped.
/// Under CI the server is required.
fn llama_url() -> Option<String> {
    match std::env::var("CODOMYRMEX_TEST_LLAMA_URL") {
        Ok(url) if !url.is_empty() => Some(url.trim_end_matches('/').to_string()),
        _ => {
            if std::env::var_os("CI").is_some() {
                panic!(
                    "CODOMYRMEX_TEST_LLAMA_URL is not set under CI: run `eval \"$(scripts/setup-llm-tests.sh --start)\"` first"
                );
            }
            eprintln!(
                "\n*** SKIPPED: the real llama.cpp tests need CODOMYRMEX_TEST_LLAMA_URL.\n\
                 *** Run `eval \"$(scripts/setup-llm-tests.sh --start)\"` and re-run the tests. ***\n"
            );
            None
        }
    }
}

#[tokio::test]
async fn llama_cpp_speaks_openai_and_anthropic_streaming_and_not() {
    let Some(url) = llama_url() else { return };
    let mut openai = ProviderSpec::new("llamacpp", ProviderKind::Openai);
    openai.base_url = Some(format!("{url}/v1"));
    openai.default_model = Some("tiny".to_string());
    openai.local = true;
    let openai = provider(&openai);
    let mut anthropic = ProviderSpec::new("llamacpp-anthropic", ProviderKind::Anthropic);
    anthropic.base_url = Some(url.clone());
    anthropic.default_model = Some("tiny".to_string());
    anthropic.api_key = Some(SecretString::from("unused-local-key"));
    let anthropic = provider(&anthropic);

    let models = match openai.list_models().await {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    };
    assert!(models.iter().any(|m| m == "tiny"), "{models:?}");

    for p in [&openai, &anthropic] {
        for stream in [true, false] {
            let mut req = request("Explain this: fn main() { println!(\"héllo\"); }");
            req.max_tokens = 8;
            req.stream = stream;
            let (result, deltas) = chat(p.as_ref(), &req).await;
            let done = match result {
                Ok(c) => c,
                Err(e) => panic!("{} stream={stream}: {e}", p.name()),
            };
            assert!(!done.text.is_empty(), "{} stream={stream}", p.name());
            assert_eq!(
                deltas.concat(),
                done.text,
                "{} stream={stream}: deltas add up to the text",
                p.name()
            );
            if stream {
                assert!(
                    deltas.len() > 1,
                    "{} streamed in pieces: {deltas:?}",
                    p.name()
                );
            }
            // The tiny model never emits EOS, so it always stops at the token limit.
            assert_eq!(
                done.finish_reason,
                FinishReason::Length,
                "{} stream={stream}",
                p.name()
            );
            assert_eq!(
                done.usage.output_tokens,
                Some(8),
                "{} stream={stream}",
                p.name()
            );
            assert!(
                done.usage.input_tokens.is_some_and(|n| n > 0),
                "{} stream={stream}",
                p.name()
            );
            assert_eq!(done.model, "tiny");
        }
    }

    // Deterministic at temperature 0: the same prompt gives the same text.
    let mut req = request("same prompt");
    req.max_tokens = 6;
    let a = ok(chat(openai.as_ref(), &req).await.0);
    let b = ok(chat(openai.as_ref(), &req).await.0);
    assert_eq!(a.text, b.text);

    // An unknown route is a clear error (llama.cpp has no Gemini API).
    let mut gemini = ProviderSpec::new("llamacpp-gemini", ProviderKind::Gemini);
    gemini.base_url = Some(url.clone());
    gemini.default_model = Some("tiny".into());
    gemini.max_retries = Some(0);
    let e = err(chat(provider(&gemini).as_ref(), &request("x")).await.0);
    assert!(matches!(e, ProviderError::NotFound { .. }), "{e:?}");

    // All llama.cpp checks run in this one test: the shared HTTP client pools connections per
    // host, and a pooled connection must not outlive the runtime of another test.
    llama_cpp_cancellation_mid_stream(&url).await;
}

/// Cancels a long generation after a few chunks; the server stays healthy.
async fn llama_cpp_cancellation_mid_stream(url: &str) {
    let mut s = ProviderSpec::new("llamacpp-cancel", ProviderKind::Openai);
    s.base_url = Some(format!("{url}/v1"));
    s.default_model = Some("tiny".into());
    let p = provider(&s);
    let mut req = request("write a lot");
    req.max_tokens = 1000;
    let cancel = CancellationToken::new();
    let token = cancel.clone();
    let mut seen = 0usize;
    let mut on_chunk = |_: &str| {
        seen += 1;
        if seen == 3 {
            token.cancel();
        }
    };
    let e = err(p.chat_stream(&req, &mut on_chunk, &cancel).await);
    assert!(matches!(e, ProviderError::Cancelled { .. }), "{e:?}");
    // The server is still healthy afterwards.
    req.max_tokens = 4;
    assert!(!ok(chat(p.as_ref(), &req).await.0).text.is_empty());
}

// ---------------------------------------------------------------------------------------------
// The `ai` command, end to end through the built binary
// ---------------------------------------------------------------------------------------------

struct Workspace {
    _dir: tempfile::TempDir,
    root: std::path::PathBuf,
    config: std::path::PathBuf,
    cache: std::path::PathBuf,
}

impl Workspace {
    fn new(providers_yaml: &str) -> Workspace {
        let dir = match tempfile::tempdir() {
            Ok(d) => d,
            Err(e) => panic!("tempdir: {e}"),
        };
        let base = dir.path().to_path_buf();
        let root = base.join("ws");
        let config = base.join("config");
        let cache = base.join("cache");
        for d in [root.join(".git"), config.join("llm"), cache.clone()] {
            if let Err(e) = std::fs::create_dir_all(&d) {
                panic!("mkdir {}: {e}", d.display());
            }
        }
        write(&config.join("llm/providers.yaml"), providers_yaml);
        Workspace {
            _dir: dir,
            root,
            config,
            cache,
        }
    }

    fn file(&self, rel: &str, text: &str) -> std::path::PathBuf {
        let path = self.root.join(rel);
        if let Some(parent) = path.parent()
            && let Err(e) = std::fs::create_dir_all(parent)
        {
            panic!("mkdir: {e}");
        }
        write(&path, text);
        path
    }

    async fn ai(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_codomyrmex"));
        cmd.arg("ai").args(args).current_dir(&self.root);
        cmd.env("CODOMYRMEX_CONFIG_DIR", &self.config)
            .env("CODOMYRMEX_CACHE_DIR", &self.cache)
            .env("HOME", &self.root);
        for var in [
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "GEMINI_API_KEY",
            "OLLAMA_HOST",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
        ] {
            cmd.env_remove(var);
        }
        let out = match cmd.output().await {
            Ok(o) => o,
            Err(e) => panic!("run codomyrmex: {e}"),
        };
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn audit_lines(&self) -> Vec<Value> {
        let text = std::fs::read_to_string(self.cache.join("audit.jsonl")).unwrap_or_default();
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect()
    }
}

fn write(path: &std::path::Path, text: &str) {
    if let Err(e) = std::fs::write(path, text) {
        panic!("write {}: {e}", path.display());
    }
}

fn ollama_yaml(url: &str) -> String {
    format!(
        "providers:\n  ollama:\n    enabled: true\n    base_url: \"{url}\"\n    default_model: \"fixture-model\"\n"
    )
}

/// An Ollama reply streaming `text` in two pieces.
fn ollama_reply(text: &str) -> Script {
    let (a, b) = text.split_at(text.len() / 2);
    let line = |s: &str, done: bool| {
        let mut v = serde_json::json!({"model": "fixture-model", "message": {"role": "assistant", "content": s}, "done": done});
        if done {
            v["done_reason"] = "stop".into();
            v["prompt_eval_count"] = 40.into();
            v["eval_count"] = 12.into();
        }
        format!("{v}\n")
    };
    let lines = [line(a, false), line(b, false), line("", true)];
    let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
    ndjson(&refs)
}

const PY_FILE: &str =
    "import os\n\n\ndef add(a, b):\n    return a + b\n\n\ndef other():\n    pass\n";

#[tokio::test]
async fn ai_explain_prints_the_answer_and_writes_an_audit_line() {
    let server = Fixture::start(vec![ollama_reply("It adds two numbers.")]).await;
    let ws = Workspace::new(&ollama_yaml(&server.url()));
    ws.file("src/calc.py", PY_FILE);
    let (code, stdout, stderr) = ws.ai(&["explain", "src/calc.py:5"]).await;
    assert_eq!(code, 0, "stderr: {stderr}");
    assert_eq!(stdout.trim(), "It adds two numbers.");
    let got = server.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/api/chat");
    let body = got[0].json();
    let user = body["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(user.contains("def add(a, b):\n    return a + b"), "{user}");
    assert!(
        !user.contains("def other"),
        "only the enclosing function is sent: {user}"
    );
    assert!(user.contains("import os"), "imports are context: {user}");
    let audit = ws.audit_lines();
    assert_eq!(audit.len(), 1, "{audit:?}");
    assert_eq!(audit[0]["provider"], "ollama");
    assert_eq!(audit[0]["action"], "explain");
    assert_eq!(audit[0]["file"], "src/calc.py");
    assert_eq!(audit[0]["outcome"], "ok");
    assert_eq!(audit[0]["tokens_out"], 12);
}

#[tokio::test]
async fn ai_document_prints_a_diff_and_writes_only_with_apply() {
    let reply = "```python\ndef add(a: int, b: int) -> int:\n    \"\"\"Returns the sum of a and b.\"\"\"\n    return a + b\n```";
    let server = Fixture::start(vec![ollama_reply(reply)]).await;
    let ws = Workspace::new(&ollama_yaml(&server.url()));
    let path = ws.file("calc.py", PY_FILE);
    let (code, stdout, stderr) = ws.ai(&["document", "calc.py:5:5"]).await;
    assert_eq!(code, 0, "stderr: {stderr}");
    assert!(
        stdout.contains("--- a/calc.py\n+++ b/calc.py\n"),
        "{stdout}"
    );
    assert!(stdout.contains("-def add(a, b):\n+def add(a: int, b: int) -> int:\n+    \"\"\"Returns the sum of a and b.\"\"\""), "{stdout}");
    assert_eq!(
        std::fs::read_to_string(&path).unwrap_or_default(),
        PY_FILE,
        "no --apply: file untouched"
    );

    let (code, _, stderr) = ws.ai(&["document", "calc.py:5", "--apply"]).await;
    assert_eq!(code, 0, "stderr: {stderr}");
    let now = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(now.contains("def add(a: int, b: int) -> int:\n    \"\"\"Returns the sum of a and b.\"\"\"\n    return a + b\n\n\ndef other():"), "{now}");
}

#[tokio::test]
async fn ai_fails_with_one_sentence_when_the_model_fails_or_gives_no_code() {
    let server = Fixture::start(vec![respond(
        500,
        &[("x-should-retry", "false")],
        r#"{"error":"model crashed"}"#,
    )])
    .await;
    let ws = Workspace::new(&ollama_yaml(&server.url()));
    ws.file("calc.py", PY_FILE);
    let (code, stdout, stderr) = ws
        .ai(&["rewrite", "calc.py:5", "--instruction", "use sum()"])
        .await;
    assert_eq!(code, 1);
    assert!(stdout.is_empty());
    assert_eq!(
        stderr.trim(),
        "codomyrmex: ollama: server error (500: model crashed); try again later"
    );

    let server = Fixture::start(vec![ollama_reply("   ")]).await;
    let ws = Workspace::new(&ollama_yaml(&server.url()));
    ws.file("calc.py", PY_FILE);
    let (code, _, stderr) = ws
        .ai(&["rewrite", "calc.py:5", "--instruction", "use sum()"])
        .await;
    assert_eq!(code, 1);
    assert!(
        stderr.contains("ollama: the model's reply holds no code"),
        "{stderr}"
    );

    let (code, _, stderr) = ws.ai(&["rewrite", "calc.py:5"]).await;
    assert_eq!(code, 2, "missing instruction is a usage error: {stderr}");
    let (code, _, stderr) = ws.ai(&["frobnicate", "calc.py:5"]).await;
    assert_eq!(code, 2, "{stderr}");
}

#[tokio::test]
async fn ai_fix_sends_the_diagnostic_and_the_rule_explanation() {
    let reply = "```python\ndef run(cmd):\n    subprocess.run(shlex.split(cmd), check=True)\n```";
    let server = Fixture::start(vec![ollama_reply(reply)]).await;
    let ws = Workspace::new(&ollama_yaml(&server.url()));
    ws.file(
        "job.py",
        "import os\n\n\ndef run(cmd):\n    os.system(cmd)\n",
    );
    let (code, stdout, stderr) = ws.ai(&["fix", "job.py:5"]).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("-    os.system(cmd)\n+    subprocess.run(shlex.split(cmd), check=True)"),
        "{stdout}"
    );
    let user = server.requests()[0].json()["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(user.contains("[python.os-system]"), "{user}");
    assert!(user.contains("About this rule:"), "{user}");
}

#[tokio::test]
async fn ai_strips_hidden_unicode_going_out_and_refuses_it_coming_back() {
    let reply = "```python\ndef add(a, b):\n    return a + b  # \u{202E}evil\n```";
    let server = Fixture::start(vec![ollama_reply(reply)]).await;
    let ws = Workspace::new(&ollama_yaml(&server.url()));
    let path = ws.file(
        "calc.py",
        "def add(a, b):\n    # note\u{200B}\u{E0041}\n    return a+b\n",
    );
    let (code, _, stderr) = ws
        .ai(&["rewrite", "calc.py:3", "-i", "tidy", "--apply"])
        .await;
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hidden Unicode character"), "{stderr}");
    assert!(
        std::fs::read_to_string(&path)
            .unwrap_or_default()
            .contains("a+b"),
        "not applied"
    );
    let sent = server.requests()[0].json()["messages"][1]["content"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(sent.contains("# note\n"), "{sent:?}");
    assert!(
        !sent.contains('\u{200B}') && !sent.contains('\u{E0041}'),
        "hidden characters were sent: {sent:?}"
    );
}

fn remote_yaml(url: &str) -> String {
    format!(
        "providers:\n  ollama:\n    enabled: false\n  remote:\n    kind: openai\n    enabled: true\n    local: false\n    base_url: \"{url}/v1\"\n    api_key: \"{KEY}\"\n    default_model: \"remote-model\"\n"
    )
}

#[tokio::test]
async fn ai_redacts_secrets_for_non_local_providers_and_keeps_local_only_files_home() {
    let server = Fixture::start(vec![sse(OPENAI_OK)]).await;
    let ws = Workspace::new(&remote_yaml(&server.url()));
    let planted = "ghp_R7d2Kx9QmT4vLw8ZbN3cY6pHs1JfEa5GuXoq";
    ws.file(
        "app.py",
        &format!("def connect():\n    token = \"{planted}\"\n    return token\n"),
    );
    let (code, _, stderr) = ws
        .ai(&["explain", "app.py:2", "--provider", "remote"])
        .await;
    assert_eq!(code, 0, "{stderr}");
    let got = server.requests();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].path, "/v1/chat/completions");
    assert!(
        !got[0].body.contains(planted),
        "a planted secret reached a non-local provider: {}",
        got[0].body
    );
    assert!(got[0].body.contains("<secret:"), "{}", got[0].body);
    assert_eq!(
        ws.audit_lines().last().map(|l| l["redactions"].clone()),
        Some(serde_json::json!(1))
    );
    let log = std::fs::read_to_string(ws.cache.join("audit.jsonl")).unwrap_or_default();
    assert!(
        !log.contains(planted) && !log.contains(KEY),
        "the audit log holds no secret and no key"
    );

    ws.file("secrets/db.py", "PASSWORD = 'x'\n");
    let (code, _, stderr) = ws
        .ai(&["explain", "secrets/db.py:1", "--provider", "remote"])
        .await;
    assert_eq!(code, 1);
    assert!(stderr.contains("only sent to local providers"), "{stderr}");
    assert_eq!(
        server.requests().len(),
        1,
        "nothing was sent for a local-only path"
    );
}

// ---------------------------------------------------------------------------------------------
// Benchmark: overhead of one `ai` call against an instant local server
// ---------------------------------------------------------------------------------------------

/// The secrets-engine redaction the CLI applies, rebuilt here so the benchmark pays for it.
struct RedactingGuard;

impl codomyrmex::ai::action::PromptGuard for RedactingGuard {
    fn prepare(
        &self,
        _local: bool,
        _path: &str,
        text: &str,
    ) -> Result<codomyrmex::ai::action::Guarded, String> {
        let redacted = codomyrmex::security::secrets::redact(text);
        Ok(codomyrmex::ai::action::Guarded {
            text: redacted.text,
            redactions: redacted.count,
        })
    }
}

/// `cargo test --test providers bench_ai_overhead -- --ignored --nocapture`
#[tokio::test]
#[ignore = "benchmark; run explicitly"]
async fn bench_ai_overhead() {
    use codomyrmex::ai::action::{ActionRequest, GenerationOptions, run_action};
    use codomyrmex::ai::prompt::Action;

    const N: usize = 300;
    let reply =
        "```python\ndef add(a: int, b: int) -> int:\n    \"\"\"Sum.\"\"\"\n    return a + b\n```";
    // Instant server: the whole reply in one write, no pauses.
    let instant: Script = vec![
        ollama_reply(reply)
            .into_iter()
            .filter(|s| !matches!(s, Step::Pause(_)))
            .fold(Vec::new(), |mut acc, s| {
                if let Step::Write(b) = s {
                    acc.extend(b);
                }
                acc
            }),
    ]
    .into_iter()
    .map(Step::Write)
    .collect();
    let server = Fixture::start(vec![instant]).await;
    let p = provider(&spec("bench", ProviderKind::Ollama, &server.url()));
    let mut text = String::from("import os\nimport sys\n\n");
    for i in 0..200 {
        text.push_str(&format!("def f{i}(x):\n    return x * {i}\n\n\n"));
    }
    text.push_str(PY_FILE);
    let offset = text.find("return a + b");
    let guard = RedactingGuard;
    let request = ActionRequest {
        action: Action::Document,
        lang: codomyrmex::syntax::Lang::Python,
        path: "calc.py",
        text: &text,
        offset,
        instruction: None,
        diagnostics: &[],
        model: None,
        options: GenerationOptions::default(),
    };
    let cancel = CancellationToken::new();
    let mut full = Vec::with_capacity(N);
    let mut http = Vec::with_capacity(N);
    for _ in 0..N {
        let start = std::time::Instant::now();
        let mut sink = |_: &str| {};
        let outcome = run_action(p.as_ref(), &request, &guard, None, &mut sink, &cancel).await;
        full.push(start.elapsed());
        assert!(outcome.is_ok());
        let start = std::time::Instant::now();
        let _ = chat(p.as_ref(), &request_for_bench()).await;
        http.push(start.elapsed());
    }
    let pct = |v: &mut Vec<Duration>, q: f64| {
        v.sort();
        v[((v.len() as f64 - 1.0) * q).round() as usize]
    };
    let (f50, f99) = (pct(&mut full, 0.5), pct(&mut full, 0.99));
    let (h50, h99) = (pct(&mut http, 0.5), pct(&mut http, 0.99));
    println!(
        "ai overhead, {N} calls, instant local Ollama-format server, {}-byte file:\n  full action (node lookup + prompt + redaction + HTTP + reply parse/re-parse + edit): p50 {:.2} ms, p99 {:.2} ms\n  bare chat round trip (HTTP + stream decode only): p50 {:.2} ms, p99 {:.2} ms\n  => in-process work excluding loopback HTTP: p50 ≈ {:.2} ms",
        text.len(),
        f50.as_secs_f64() * 1e3,
        f99.as_secs_f64() * 1e3,
        h50.as_secs_f64() * 1e3,
        h99.as_secs_f64() * 1e3,
        (f50.as_secs_f64() - h50.as_secs_f64()).max(0.0) * 1e3,
    );
}

fn request_for_bench() -> ChatRequest {
    request("x")
}
