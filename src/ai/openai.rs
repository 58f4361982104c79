//! OpenAI chat completions and every server that copies it (llama.cpp, vLLM, LM Studio, LiteLLM).
//!
//! `base_url` includes the version prefix (`https://api.openai.com/v1`); `/chat/completions`,
//! `/models` and `/embeddings` are appended. Streams are SSE `data:` chunks ended by
//! `data: [DONE]`; usage arrives in a final chunk thanks to `stream_options.include_usage`. A
//! `data:` payload with an `error` key (vLLM, SGLang, OpenRouter) fails the request.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::http::{Endpoint, error_message, json_headers};
use super::provider::{
    BoxFuture, ChatRequest, Completion, FinishReason, ModelProvider, OnChunk, ProviderKind, Usage,
    pick_model,
};

/// An OpenAI-compatible provider.
#[derive(Debug)]
pub struct OpenAi {
    ep: Endpoint,
}

impl OpenAi {
    pub fn new(ep: Endpoint) -> OpenAi {
        OpenAi { ep }
    }

    fn is_official(&self) -> bool {
        reqwest::Url::parse(&self.ep.base_url)
            .ok()
            .and_then(|u| u.host_str().map(|h| h == "api.openai.com"))
            .unwrap_or(false)
    }

    fn headers(&self) -> Result<HeaderMap, ProviderError> {
        if self.is_official() {
            self.ep.require_key("OPENAI_API_KEY")?;
        }
        Ok(json_headers(
            self.ep.key_header("authorization", "Bearer ")?,
        ))
    }

    fn body(&self, request: &ChatRequest, model: &str) -> Value {
        let mut messages = Vec::new();
        if let Some(system) = &request.system {
            messages.push(json!({"role": "system", "content": system}));
        }
        for m in &request.messages {
            messages.push(json!({"role": m.role.as_str(), "content": m.content}));
        }
        let mut body = json!({"model": model, "messages": messages, "stream": request.stream});
        // The official API wants `max_completion_tokens` for newer models; compatible servers
        // know `max_tokens`.
        let max_key = if self.is_official() {
            "max_completion_tokens"
        } else {
            "max_tokens"
        };
        body[max_key] = json!(request.max_tokens);
        if let Some(t) = request.temperature {
            body["temperature"] = json!(t);
        }
        if !request.stop.is_empty() {
            body["stop"] = json!(request.stop);
        }
        if request.stream {
            body["stream_options"] = json!({"include_usage": true});
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
        let body = self.body(request, &model);
        let (resp, retries) = ep
            .send(
                Method::POST,
                &ep.url("/chat/completions"),
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
            let choice = v
                .pointer("/choices/0")
                .ok_or_else(|| ep.bad("no choices in the reply"))?;
            let text = choice
                .pointer("/message/content")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string();
            on_chunk(&text);
            return Ok(Completion {
                text,
                finish_reason: finish(choice.get("finish_reason")),
                usage: usage(v.get("usage")),
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
                if event.data.trim() == "[DONE]" {
                    return Ok(true);
                }
                if event.event == "error" {
                    return Err(ep.in_stream(
                        &serde_json::from_str::<Value>(&event.data)
                            .ok()
                            .and_then(|v| error_message(&v))
                            .unwrap_or_else(|| event.data.clone()),
                    ));
                }
                let v = ep.chunk_json(&event.data)?;
                if let Some(msg) = error_message(&v) {
                    return Err(ep.in_stream(&msg));
                }
                if let Some(m) = v
                    .get("model")
                    .and_then(Value::as_str)
                    .filter(|m| !m.is_empty())
                {
                    served_model = m.to_string();
                }
                if let Some(choice) = v.pointer("/choices/0") {
                    if let Some(delta) = choice.pointer("/delta/content").and_then(Value::as_str)
                        && !delta.is_empty()
                    {
                        text.push_str(delta);
                        on_chunk(delta);
                    }
                    if let Some(r) = choice.get("finish_reason").filter(|r| !r.is_null()) {
                        reason = Some(finish(Some(r)));
                    }
                }
                if v.get("usage").is_some_and(|u| !u.is_null()) {
                    used = usage(v.get("usage"));
                }
                Ok(false)
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

fn finish(value: Option<&Value>) -> FinishReason {
    value
        .and_then(Value::as_str)
        .map(FinishReason::from_wire)
        .unwrap_or(FinishReason::Stop)
}

fn usage(value: Option<&Value>) -> Usage {
    let get = |k: &str| value.and_then(|u| u.get(k)).and_then(Value::as_u64);
    Usage {
        input_tokens: get("prompt_tokens"),
        output_tokens: get("completion_tokens"),
    }
}

impl ModelProvider for OpenAi {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Openai
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
                .json_call(Method::GET, "/models", &headers, None)
                .await?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no data list in /models"))?;
            Ok(data
                .iter()
                .filter_map(|m| m.get("id").and_then(Value::as_str))
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
            let headers = self.headers()?;
            let body = json!({"model": model, "input": inputs, "encoding_format": "float"});
            let v = self
                .ep
                .json_call(Method::POST, "/embeddings", &headers, Some(&body))
                .await?;
            let data = v
                .get("data")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no data list in /embeddings"))?;
            let mut rows: Vec<(u64, Vec<f32>)> = Vec::with_capacity(data.len());
            for (i, item) in data.iter().enumerate() {
                let index = item
                    .get("index")
                    .and_then(Value::as_u64)
                    .unwrap_or(i as u64);
                let vector = floats(item.get("embedding"))
                    .ok_or_else(|| self.ep.bad("an embedding that is not a number list"))?;
                rows.push((index, vector));
            }
            rows.sort_by_key(|(i, _)| *i);
            if rows.len() != inputs.len() {
                return Err(self.ep.bad(format!(
                    "{} embeddings for {} inputs",
                    rows.len(),
                    inputs.len()
                )));
            }
            Ok(rows.into_iter().map(|(_, v)| v).collect())
        })
    }
}

/// A JSON number array as `f32`s.
pub(crate) fn floats(value: Option<&Value>) -> Option<Vec<f32>> {
    value?
        .as_array()?
        .iter()
        .map(|x| x.as_f64().map(|f| f as f32))
        .collect()
}
