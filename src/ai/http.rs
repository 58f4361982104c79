//! HTTP plumbing shared by every provider: ONE process-wide `reqwest` client (rustls with ring,
//! 5 s connect timeout), the per-provider [`Endpoint`] (settings, breaker, concurrency limit),
//! and the call driver that applies the deadline, cancellation, retries before the first byte,
//! a per-chunk read timeout and bounded framing to every request.

use std::sync::{Arc, OnceLock};
use std::time::Duration;

use futures_util::StreamExt;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, Response};
use secrecy::{ExposeSecret, SecretString};
use tokio::sync::Semaphore;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::provider::{DEFAULT_TIMEOUT, ProviderKind, ProviderSpec};
use super::retry::{self, CircuitBreaker, Failure, RetryPolicy, Verdict};
use super::stream::{MAX_LINE, NdjsonParser, SseEvent, SseParser};

/// Connect timeout of the shared client.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// Longest silence accepted between two chunks of a response body.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(30);
/// Concurrent requests per provider; more wait, so AI work cannot pile up without bound.
pub const MAX_CONCURRENT_PER_PROVIDER: usize = 4;
/// Longest deadline accepted for one call.
pub const MAX_DEADLINE: Duration = Duration::from_secs(24 * 3600);
/// Largest non-streamed body we read.
const MAX_BODY: usize = 16 * 1024 * 1024;
/// Largest error body we read.
const MAX_ERROR_BODY: usize = 64 * 1024;

/// The vendor's endpoint when none is configured (SDK convention: OpenAI includes `/v1`).
pub fn vendor_base_url(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::Ollama => "http://localhost:11434",
        ProviderKind::Openai => "https://api.openai.com/v1",
        ProviderKind::Anthropic => "https://api.anthropic.com",
        ProviderKind::Gemini => "https://generativelanguage.googleapis.com",
    }
}

/// The process-wide client. Installs the ring crypto provider for rustls on first use.
pub fn shared_client() -> Result<reqwest::Client, String> {
    static CLIENT: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    CLIENT
        .get_or_init(|| {
            let _ = rustls::crypto::ring::default_provider().install_default();
            reqwest::Client::builder()
                .connect_timeout(CONNECT_TIMEOUT)
                .pool_idle_timeout(Duration::from_secs(60))
                .user_agent(concat!("codomyrmex/", env!("CARGO_PKG_VERSION")))
                .build()
                .map_err(|e| format!("cannot create the HTTP client: {e}"))
        })
        .clone()
}

/// One configured provider endpoint with its settings and health state.
pub struct Endpoint {
    pub name: String,
    pub kind: ProviderKind,
    /// Without a trailing `/`.
    pub base_url: String,
    pub api_key: Option<SecretString>,
    pub default_model: Option<String>,
    pub local: bool,
    pub timeout: Duration,
    pub read_timeout: Duration,
    pub policy: RetryPolicy,
    pub breaker: Arc<CircuitBreaker>,
    permits: Arc<Semaphore>,
    client: reqwest::Client,
}

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Endpoint")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("base_url", &self.base_url)
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("local", &self.local)
            .finish_non_exhaustive()
    }
}

impl Endpoint {
    pub fn from_spec(spec: &ProviderSpec) -> Result<Endpoint, ProviderError> {
        let config_err = |message: String| ProviderError::Config {
            provider: spec.name.clone(),
            message,
        };
        let base = spec
            .base_url
            .as_deref()
            .unwrap_or(vendor_base_url(spec.kind))
            .trim()
            .trim_end_matches('/');
        let parsed = reqwest::Url::parse(base)
            .map_err(|e| config_err(format!("base_url {base:?} is not a URL ({e})")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(config_err(format!(
                "base_url {base:?} must start with http:// or https://"
            )));
        }
        if !parsed.username().is_empty() || parsed.password().is_some() || parsed.query().is_some()
        {
            return Err(config_err(
                "base_url must not carry credentials or a query; use api_key".to_string(),
            ));
        }
        let client = shared_client().map_err(config_err)?;
        let policy = RetryPolicy {
            max_retries: spec
                .max_retries
                .unwrap_or(super::provider::DEFAULT_MAX_RETRIES)
                .min(10),
            ..RetryPolicy::default()
        };
        let timeout = spec
            .timeout_s
            .filter(|s| *s > 0)
            .map(Duration::from_secs)
            .unwrap_or(DEFAULT_TIMEOUT)
            .min(MAX_DEADLINE);
        Ok(Endpoint {
            name: spec.name.clone(),
            kind: spec.kind,
            base_url: base.to_string(),
            api_key: spec.api_key.clone(),
            default_model: spec.default_model.clone(),
            local: spec.local,
            timeout,
            read_timeout: spec
                .read_timeout
                .filter(|d| !d.is_zero())
                .unwrap_or(DEFAULT_READ_TIMEOUT)
                .min(timeout),
            policy,
            breaker: retry::breaker_for(&format!("{}|{}", spec.name, base)),
            permits: Arc::new(Semaphore::new(MAX_CONCURRENT_PER_PROVIDER)),
            client,
        })
    }

    /// The deadline of a call: the request's, else the provider's, at most a day (so a huge
    /// configured value cannot overflow a clock).
    pub fn limit(&self, requested: Option<Duration>) -> Duration {
        requested.unwrap_or(self.timeout).min(MAX_DEADLINE)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path)
    }

    pub fn secret(&self) -> Option<&str> {
        self.api_key
            .as_ref()
            .map(|k| k.expose_secret())
            .filter(|k| !k.is_empty())
    }

    /// A header carrying the key, marked sensitive so it never shows in debug output.
    pub fn key_header(
        &self,
        name: &'static str,
        prefix: &str,
    ) -> Result<Option<(HeaderName, HeaderValue)>, ProviderError> {
        let Some(key) = self.secret() else {
            return Ok(None);
        };
        let mut value = HeaderValue::from_str(&format!("{prefix}{key}")).map_err(|_| {
            ProviderError::Config {
                provider: self.name.clone(),
                message: "the API key contains characters not allowed in an HTTP header"
                    .to_string(),
            }
        })?;
        value.set_sensitive(true);
        Ok(Some((HeaderName::from_static(name), value)))
    }

    /// Fails when a key is required but absent.
    pub fn require_key(&self, env_hint: &str) -> Result<(), ProviderError> {
        if self.secret().is_none() {
            return Err(ProviderError::Config {
                provider: self.name.clone(),
                message: format!("no API key; set {env_hint} or api_key in providers.yaml"),
            });
        }
        Ok(())
    }

    fn err_cancelled(&self) -> ProviderError {
        ProviderError::Cancelled {
            provider: self.name.clone(),
        }
    }

    /// Runs `op` behind the circuit breaker and the concurrency limit, bounded by `deadline` and
    /// aborted (dropped, which closes the connection) when `cancel` fires.
    /// Runs `op` with a deadline from the request's timeout (or the endpoint's), guarded like
    /// [`Self::guarded`]: the body of every provider's `chat_stream`.
    pub async fn with_deadline<T, F>(
        &self,
        timeout: Option<Duration>,
        cancel: &CancellationToken,
        op: impl FnOnce(Instant) -> F,
    ) -> Result<T, ProviderError>
    where
        F: Future<Output = Result<T, ProviderError>>,
    {
        let limit = self.limit(timeout);
        self.guarded(limit, cancel, op(Instant::now() + limit))
            .await
    }

    pub async fn guarded<T>(
        &self,
        deadline: Duration,
        cancel: &CancellationToken,
        op: impl Future<Output = Result<T, ProviderError>>,
    ) -> Result<T, ProviderError> {
        if let Err((failures, retry_in)) = self.breaker.check() {
            return Err(ProviderError::CircuitOpen {
                provider: self.name.clone(),
                failures,
                retry_in,
            });
        }
        let result = tokio::select! {
            biased;
            _ = cancel.cancelled() => Err(self.err_cancelled()),
            r = tokio::time::timeout(deadline, async {
                let _permit = self.permits.acquire().await;
                op.await
            }) => r.unwrap_or_else(|_| Err(ProviderError::Timeout { provider: self.name.clone(), after: deadline })),
        };
        match &result {
            Ok(_) => self.breaker.record_success(),
            Err(err) if err.is_provider_fault() => self.breaker.record_failure(),
            Err(_) => {}
        }
        if let Err(err) = &result {
            tracing::debug!(provider = %self.name, code = err.code(), "{err}");
        }
        result
    }

    /// Sends a request until it gets a success status, retrying per policy (failed statuses and
    /// connection errors only, so never after a body byte was read). Returns the response with
    /// its body unread and the number of retries.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &HeaderMap,
        body: Option<&serde_json::Value>,
        deadline: Instant,
    ) -> Result<(Response, u32), ProviderError> {
        let mut retries = 0u32;
        loop {
            let mut builder = self
                .client
                .request(method.clone(), url)
                .headers(headers.clone());
            if let Some(body) = body {
                builder = builder.json(body);
            }
            tracing::debug!(provider = %self.name, %method, path = %url.strip_prefix(&self.base_url).unwrap_or(""), retries, "request");
            let remaining = || deadline.saturating_duration_since(Instant::now());
            match builder.send().await {
                Ok(resp) if resp.status().is_success() => return Ok((resp, retries)),
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let headers = resp.headers().clone();
                    let body = self.read_error_body(resp).await;
                    let verdict = retry::decide(
                        &self.policy,
                        Failure {
                            provider: &self.name,
                            status,
                            headers: &headers,
                            body: &body,
                            secret: self.secret(),
                            retries,
                            remaining: remaining(),
                        },
                    );
                    match verdict {
                        Verdict::Retry(wait) => {
                            tracing::info!(provider = %self.name, status, wait_ms = wait.as_millis() as u64, "retrying");
                            tokio::time::sleep(wait).await;
                            retries += 1;
                        }
                        Verdict::Fail(err) => return Err(err),
                    }
                }
                Err(err) if err.is_builder() => {
                    return Err(ProviderError::Config {
                        provider: self.name.clone(),
                        message: "the request URL is invalid; check base_url and the model name"
                            .to_string(),
                    });
                }
                Err(err) => {
                    tracing::debug!(provider = %self.name, connect = err.is_connect(), timeout = err.is_timeout(), "request failed before a response");
                    let wait = self.policy.backoff(retries);
                    if retries < self.policy.max_retries && wait < remaining() {
                        tokio::time::sleep(wait).await;
                        retries += 1;
                        continue;
                    }
                    return Err(ProviderError::Connect {
                        provider: self.name.clone(),
                        url: self.base_url.clone(),
                        retries,
                    });
                }
            }
        }
    }

    async fn read_error_body(&self, resp: Response) -> String {
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while body.len() < MAX_ERROR_BODY {
            match tokio::time::timeout(self.read_timeout, stream.next()).await {
                Ok(Some(Ok(bytes))) => body.extend_from_slice(&bytes),
                _ => break,
            }
        }
        body.truncate(MAX_ERROR_BODY);
        String::from_utf8_lossy(&body).into_owned()
    }

    fn malformed(&self, detail: impl Into<String>) -> ProviderError {
        ProviderError::Malformed {
            provider: self.name.clone(),
            kind: self.kind.as_str(),
            detail: detail.into(),
        }
    }

    /// Reads the next body chunk within the read timeout. `None` at end of body.
    async fn next_chunk(
        &self,
        stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    ) -> Result<Option<bytes::Bytes>, ProviderError> {
        match tokio::time::timeout(self.read_timeout, stream.next()).await {
            Err(_) => Err(ProviderError::Stalled {
                provider: self.name.clone(),
                after: self.read_timeout,
            }),
            Ok(None) => Ok(None),
            Ok(Some(Ok(bytes))) => Ok(Some(bytes)),
            Ok(Some(Err(err))) => {
                tracing::debug!(provider = %self.name, "body read failed: {err}");
                Err(ProviderError::Truncated {
                    provider: self.name.clone(),
                })
            }
        }
    }

    /// Feeds SSE events to `on_event` until it returns `true` (terminator seen). Returns whether
    /// the terminator was seen before the body ended.
    pub async fn read_sse(
        &self,
        resp: Response,
        mut on_event: impl FnMut(SseEvent) -> Result<bool, ProviderError>,
    ) -> Result<bool, ProviderError> {
        let mut parser = SseParser::new(MAX_LINE);
        let mut stream = resp.bytes_stream();
        while let Some(bytes) = self.next_chunk(&mut stream).await? {
            parser.push(&bytes);
            while let Some(event) = parser
                .next_event()
                .map_err(|e| self.malformed(e.to_string()))?
            {
                if on_event(event)? {
                    return Ok(true);
                }
            }
        }
        if let Some(event) = parser.finish() {
            return on_event(event);
        }
        Ok(false)
    }

    /// Feeds NDJSON lines to `on_line` until it returns `true`. Returns whether it did.
    pub async fn read_ndjson(
        &self,
        resp: Response,
        mut on_line: impl FnMut(&str) -> Result<bool, ProviderError>,
    ) -> Result<bool, ProviderError> {
        let mut parser = NdjsonParser::new(MAX_LINE);
        let mut stream = resp.bytes_stream();
        while let Some(bytes) = self.next_chunk(&mut stream).await? {
            parser.push(&bytes);
            while let Some(line) = parser
                .next_line()
                .map_err(|e| self.malformed(e.to_string()))?
            {
                if on_line(&line)? {
                    return Ok(true);
                }
            }
        }
        if let Some(line) = parser.finish().map_err(|e| self.malformed(e.to_string()))? {
            return on_line(&line);
        }
        Ok(false)
    }

    /// Reads a whole JSON body (bounded, with the read timeout per chunk).
    pub async fn read_json(&self, resp: Response) -> Result<serde_json::Value, ProviderError> {
        let mut body = Vec::new();
        let mut stream = resp.bytes_stream();
        while let Some(bytes) = self.next_chunk(&mut stream).await? {
            body.extend_from_slice(&bytes);
            if body.len() > MAX_BODY {
                return Err(self.malformed(format!("a body larger than {MAX_BODY} bytes")));
            }
        }
        self.parse_json(&body)
    }

    /// Parses one JSON document or fails with a malformed-response error (the request only).
    pub fn parse_json(&self, bytes: &[u8]) -> Result<serde_json::Value, ProviderError> {
        serde_json::from_slice(bytes).map_err(|e| self.malformed(format!("invalid JSON: {e}")))
    }

    /// Convenience for GET/POST returning a JSON body, with retries and the guard.
    pub async fn json_call(
        &self,
        method: Method,
        path: &str,
        headers: &HeaderMap,
        body: Option<&serde_json::Value>,
    ) -> Result<serde_json::Value, ProviderError> {
        let cancel = CancellationToken::new();
        let deadline = self.limit(None);
        self.guarded(deadline, &cancel, async {
            let (resp, _) = self
                .send(
                    method,
                    &self.url(path),
                    headers,
                    body,
                    Instant::now() + deadline,
                )
                .await?;
            self.read_json(resp).await
        })
        .await
    }

    /// An in-stream error reported by the server.
    pub fn in_stream(&self, message: &str) -> ProviderError {
        ProviderError::InStream {
            provider: self.name.clone(),
            message: super::error::clean_message(message, self.secret()),
        }
    }

    pub fn truncated(&self) -> ProviderError {
        ProviderError::Truncated {
            provider: self.name.clone(),
        }
    }

    pub fn bad(&self, detail: impl Into<String>) -> ProviderError {
        self.malformed(detail)
    }

    /// Parses a JSON chunk of a stream.
    pub fn chunk_json(&self, text: &str) -> Result<serde_json::Value, ProviderError> {
        serde_json::from_str(text)
            .map_err(|e| self.malformed(format!("a chunk that is not JSON ({e})")))
    }
}

/// Extracts the message of an in-stream error object (`{"error": "..."}` or `{"error": {...}}`).
pub fn error_message(value: &serde_json::Value) -> Option<String> {
    let err = value.get("error")?;
    if err.is_null() {
        return None;
    }
    Some(match err {
        serde_json::Value::String(s) => s.clone(),
        other => {
            let kind = other
                .get("type")
                .or_else(|| other.get("status"))
                .and_then(|t| t.as_str())
                .unwrap_or("");
            let msg = other.get("message").and_then(|m| m.as_str()).unwrap_or("");
            match (kind.is_empty(), msg.is_empty()) {
                (false, false) => format!("{kind}: {msg}"),
                (true, false) => msg.to_string(),
                (false, true) => kind.to_string(),
                (true, true) => other.to_string(),
            }
        }
    })
}

/// A JSON content-type header map with extra headers.
pub fn json_headers(extra: impl IntoIterator<Item = (HeaderName, HeaderValue)>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert(
        reqwest::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    for (name, value) in extra {
        headers.insert(name, value);
    }
    headers
}
