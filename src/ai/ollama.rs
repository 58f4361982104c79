//! Ollama's native API (`base_url` is the host root, e.g. `http://localhost:11434`).
//!
//! `POST /api/chat` streams NDJSON lines ending with `"done": true`; an `{"error": …}` line after
//! HTTP 200 fails the request. `num_ctx`, `num_predict` and `keep_alive` are always sent, so an
//! autocomplete model cannot evict the chat model with a smaller context (continue#10378).
//! Also `GET /api/tags` (models) and `POST /api/embed`.

use reqwest::Method;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::http::{Endpoint, error_message, json_headers};
use super::openai::floats;
use super::provider::{
    BoxFuture, ChatRequest, Completion, FinishReason, ModelProvider, OnChunk, ProviderKind, Usage,
    pick_model,
};

/// Context window asked for when the request does not say.
pub const DEFAULT_NUM_CTX: u32 = 8192;
/// How long Ollama keeps the model loaded after a call.
pub const KEEP_ALIVE: &str = "30m";

/// An Ollama server.
#[derive(Debug)]
pub struct Ollama {
    ep: Endpoint,
}

impl Ollama {
    pub fn new(ep: Endpoint) -> Ollama {
        Ollama { ep }
    }

    fn body(request: &ChatRequest, model: &str) -> Value {
        let mut messages = Vec::new();
        if let Some(system) = &request.system {
            messages.push(json!({"role": "system", "content": system}));
        }
        for m in &request.messages {
            messages.push(json!({"role": m.role.as_str(), "content": m.content}));
        }
        let mut options = json!({
            "num_ctx": request.context_size.unwrap_or(DEFAULT_NUM_CTX),
            "num_predict": request.max_tokens,
        });
        if let Some(t) = request.temperature {
            options["temperature"] = json!(t);
        }
        if !request.stop.is_empty() {
            options["stop"] = json!(request.stop);
        }
        json!({
            "model": model,
            "messages": messages,
            "stream": request.stream,
            "keep_alive": request.keep_alive.as_deref().unwrap_or(KEEP_ALIVE),
            "options": options,
        })
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
        let headers = json_headers(ep.key_header("authorization", "Bearer ")?);
        let body = Self::body(request, &model);
        let (resp, retries) = ep
            .send(
                Method::POST,
                &ep.url("/api/chat"),
                &headers,
                Some(&body),
                deadline,
            )
            .await?;
        let mut text = String::new();
        let mut last = Value::Null;
        if request.stream {
            let done = ep
                .read_ndjson(resp, |line| {
                    let v = ep.chunk_json(line)?;
                    if let Some(msg) = error_message(&v) {
                        return Err(ep.in_stream(&msg));
                    }
                    if let Some(delta) = v.pointer("/message/content").and_then(Value::as_str)
                        && !delta.is_empty()
                    {
                        text.push_str(delta);
                        on_chunk(delta);
                    }
                    let done = v.get("done").and_then(Value::as_bool).unwrap_or(false);
                    if done {
                        last = v;
                    }
                    Ok(done)
                })
                .await?;
            if !done {
                return Err(ep.truncated());
            }
        } else {
            let v = ep.read_json(resp).await?;
            if let Some(msg) = error_message(&v) {
                return Err(ep.in_stream(&msg));
            }
            if v.get("done").and_then(Value::as_bool) != Some(true) {
                return Err(ep.truncated());
            }
            text = v
                .pointer("/message/content")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            on_chunk(&text);
            last = v;
        }
        let finish_reason = last
            .get("done_reason")
            .and_then(Value::as_str)
            .map(FinishReason::from_wire)
            .unwrap_or(FinishReason::Stop);
        Ok(Completion {
            text,
            finish_reason,
            usage: Usage {
                input_tokens: last.get("prompt_eval_count").and_then(Value::as_u64),
                output_tokens: last.get("eval_count").and_then(Value::as_u64),
            },
            model: last
                .get("model")
                .and_then(Value::as_str)
                .unwrap_or(&model)
                .to_string(),
            retries,
        })
    }
}

impl ModelProvider for Ollama {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Ollama
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
            let headers = json_headers(self.ep.key_header("authorization", "Bearer ")?);
            let v = self
                .ep
                .json_call(Method::GET, "/api/tags", &headers, None)
                .await?;
            let models = v
                .get("models")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no models list in /api/tags"))?;
            Ok(models
                .iter()
                .filter_map(|m| {
                    m.get("name")
                        .or_else(|| m.get("model"))
                        .and_then(Value::as_str)
                })
                .map(str::to_string)
                .collect())
        })
    }

    fn embed<'a>(
        &'a self,
        model: Option<&'a str>,
        inputs: &'a [String],
    ) -> BoxFuture<'a, Result<Vec<Vec<f32>>, ProviderError>> {
        Box::pin(async move {
            let model = pick_model(&self.ep.name, model, self.ep.default_model.as_deref())?;
            let headers = json_headers(self.ep.key_header("authorization", "Bearer ")?);
            let body = json!({"model": model, "input": inputs, "keep_alive": KEEP_ALIVE});
            let v = self
                .ep
                .json_call(Method::POST, "/api/embed", &headers, Some(&body))
                .await?;
            let rows = v
                .get("embeddings")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no embeddings in /api/embed"))?;
            let vectors: Option<Vec<Vec<f32>>> = rows.iter().map(|r| floats(Some(r))).collect();
            let vectors =
                vectors.ok_or_else(|| self.ep.bad("an embedding that is not a number list"))?;
            if vectors.len() != inputs.len() {
                return Err(self.ep.bad(format!(
                    "{} embeddings for {} inputs",
                    vectors.len(),
                    inputs.len()
                )));
            }
            Ok(vectors)
        })
    }
}
