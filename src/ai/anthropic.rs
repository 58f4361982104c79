//! Anthropic Messages API (`base_url` is the host root; `/v1/messages` is appended).
//!
//! Headers `x-api-key` and `anthropic-version: 2023-06-01`; `max_tokens` is required; the system
//! prompt is a top-level field. The stream is SSE with named events: `message_start`,
//! `content_block_*`, `message_delta` (stop reason, cumulative output tokens), `message_stop`
//! (the terminator); `ping` is skipped and `event: error` fails the request.

use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::http::{Endpoint, error_message, json_headers};
use super::provider::{
    BoxFuture, ChatRequest, Completion, FinishReason, ModelProvider, OnChunk, ProviderKind, Role,
    Usage, pick_model,
};

/// The API version we speak.
pub const ANTHROPIC_VERSION: &str = "2023-06-01";

/// An Anthropic (or Anthropic-compatible, e.g. llama.cpp) provider.
#[derive(Debug)]
pub struct Anthropic {
    ep: Endpoint,
}

impl Anthropic {
    pub fn new(ep: Endpoint) -> Anthropic {
        Anthropic { ep }
    }

    fn headers(&self) -> Result<HeaderMap, ProviderError> {
        let official = reqwest::Url::parse(&self.ep.base_url)
            .ok()
            .and_then(|u| u.host_str().map(|h| h == "api.anthropic.com"))
            .unwrap_or(false);
        if official {
            self.ep.require_key("ANTHROPIC_API_KEY")?;
        }
        let version = (
            HeaderName::from_static("anthropic-version"),
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        Ok(json_headers(
            self.ep
                .key_header("x-api-key", "")?
                .into_iter()
                .chain([version]),
        ))
    }

    fn body(request: &ChatRequest, model: &str) -> Value {
        let mut system: Vec<&str> = request.system.iter().map(String::as_str).collect();
        let mut messages = Vec::new();
        for m in &request.messages {
            match m.role {
                Role::System => system.push(&m.content),
                role => messages.push(json!({"role": role.as_str(), "content": m.content})),
            }
        }
        let mut body = json!({
            "model": model,
            "max_tokens": request.max_tokens,
            "messages": messages,
            "stream": request.stream,
        });
        if !system.is_empty() {
            body["system"] = json!(system.join("\n\n"));
        }
        if let Some(t) = request.temperature {
            body["temperature"] = json!(t);
        }
        if !request.stop.is_empty() {
            body["stop_sequences"] = json!(request.stop);
        }
        body
    }

    async fn chat(
        &self,
        request: &ChatRequest,
        on_chunk: OnChunk<'_>,
        deadline: Instant,
    ) -> Result<Completion, ProviderError> {
        let ep = &self.ep;
        let model = pick_model(
            &ep.name,
            request.model.as_deref(),
            ep.default_model.as_deref(),
        )?
        .to_string();
        let headers = self.headers()?;
        let body = Self::body(request, &model);
        let (resp, retries) = ep
            .send(
                Method::POST,
                &ep.url("/v1/messages"),
                &headers,
                Some(&body),
                deadline,
            )
            .await?;
        if !request.stream {
            let v = ep.read_json(resp).await?;
            if let Some(msg) = error_message(&v) {
                return Err(ep.in_stream(&msg));
            }
            let blocks = v
                .get("content")
                .and_then(Value::as_array)
                .ok_or_else(|| ep.bad("no content in the reply"))?;
            let text: String = blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect();
            on_chunk(&text);
            return Ok(Completion {
                text,
                finish_reason: stop_reason(v.get("stop_reason")),
                usage: Usage {
                    input_tokens: v.pointer("/usage/input_tokens").and_then(Value::as_u64),
                    output_tokens: v.pointer("/usage/output_tokens").and_then(Value::as_u64),
                },
                model: v
                    .get("model")
                    .and_then(Value::as_str)
                    .unwrap_or(&model)
                    .to_string(),
                retries,
            });
        }
        let mut text = String::new();
        let mut reason = None;
        let mut used = Usage::default();
        let mut served_model = model.clone();
        let done = ep
            .read_sse(resp, |event| {
                let kind = event.event.as_str();
                if kind == "ping" {
                    return Ok(false);
                }
                if kind == "error" {
                    let parsed = serde_json::from_str::<Value>(&event.data).ok();
                    let message = parsed
                        .as_ref()
                        .and_then(error_message)
                        .unwrap_or_else(|| event.data.clone());
                    return Err(ep.in_stream(&message));
                }
                let v = ep.chunk_json(&event.data)?;
                let kind = if kind.is_empty() {
                    v.get("type").and_then(Value::as_str).unwrap_or("")
                } else {
                    kind
                };
                match kind {
                    "error" => {
                        Err(ep.in_stream(&error_message(&v).unwrap_or_else(|| event.data.clone())))
                    }
                    "message_start" => {
                        if let Some(m) = v.pointer("/message/model").and_then(Value::as_str) {
                            served_model = m.to_string();
                        }
                        used.input_tokens = v
                            .pointer("/message/usage/input_tokens")
                            .and_then(Value::as_u64);
                        Ok(false)
                    }
                    "content_block_delta" => {
                        if v.pointer("/delta/type").and_then(Value::as_str) == Some("text_delta")
                            && let Some(delta) = v.pointer("/delta/text").and_then(Value::as_str)
                        {
                            text.push_str(delta);
                            on_chunk(delta);
                        }
                        Ok(false)
                    }
                    "message_delta" => {
                        if let Some(r) = v.pointer("/delta/stop_reason").filter(|r| !r.is_null()) {
                            reason = Some(stop_reason(Some(r)));
                        }
                        if let Some(n) = v.pointer("/usage/output_tokens").and_then(Value::as_u64) {
                            used.output_tokens = Some(n);
                        }
                        if let Some(n) = v.pointer("/usage/input_tokens").and_then(Value::as_u64) {
                            used.input_tokens = Some(n);
                        }
                        Ok(false)
                    }
                    "message_stop" => Ok(true),
                    _ => Ok(false),
                }
            })
            .await?;
        if !done {
            return Err(ep.truncated());
        }
        Ok(Completion {
            text,
            finish_reason: reason.unwrap_or(FinishReason::Stop),
            usage: used,
            model: served_model,
            retries,
        })
    }
}

fn stop_reason(value: Option<&Value>) -> FinishReason {
    value
        .and_then(Value::as_str)
        .map(FinishReason::from_wire)
        .unwrap_or(FinishReason::Stop)
}

impl ModelProvider for Anthropic {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Anthropic
    }

    fn chat_stream<'a>(
        &'a self,
        request: &'a ChatRequest,
        on_chunk: OnChunk<'a>,
        cancel: &'a CancellationToken,
    ) -> BoxFuture<'a, Result<Completion, ProviderError>> {
        Box::pin(self.ep.with_deadline(request.timeout, cancel, |deadline| {
            self.chat(request, on_chunk, deadline)
        }))
    }

    fn list_models(&self) -> BoxFuture<'_, Result<Vec<String>, ProviderError>> {
        Box::pin(async move {
            let headers = self.headers()?;
            let v = self
                .ep
                .json_call(Method::GET, "/v1/models", &headers, None)
                .await?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no data list in /v1/models"))?;
            Ok(data
                .iter()
                .filter_map(|m| m.get("id").and_then(Value::as_str))
                .map(str::to_string)
                .collect())
        })
    }

    fn embed<'a>(
        &'a self,
        _model: Option<&'a str>,
        _inputs: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, ProviderError>> {
        Box::pin(async move {
            Err(ProviderError::Unsupported {
                provider: self.ep.name.clone(),
                what: "embeddings",
            })
        })
    }
}
