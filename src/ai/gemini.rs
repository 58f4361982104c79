//! Google Gemini (Generative Language API; `base_url` is the host root).
//!
//! `POST /v1beta/models/<model>:streamGenerateContent?alt=sse` with `x-goog-api-key`; the system
//! prompt goes in `systemInstruction`, limits in `generationConfig`. There is no `[DONE]`: the
//! stream is complete when the body ends after a chunk carrying `finishReason`; ending before
//! that is a truncated stream. Models: `GET /v1beta/models`; embeddings: `:batchEmbedContents`.

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::ProviderError;
use super::http::{Endpoint, error_message, json_headers};
use super::openai::floats;
use super::provider::{
    BoxFuture, ChatRequest, Completion, FinishReason, ModelProvider, OnChunk, ProviderKind, Role,
    Usage, pick_model,
};

/// A Gemini provider.
#[derive(Debug)]
pub struct Gemini {
    ep: Endpoint,
}

/// The model as a path segment: `models/` prefix removed, anything unusual percent-encoded.
fn model_segment(model: &str) -> String {
    let model = model.strip_prefix("models/").unwrap_or(model);
    let mut out = String::with_capacity(model.len());
    for b in model.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl Gemini {
    pub fn new(ep: Endpoint) -> Gemini {
        Gemini { ep }
    }

    fn headers(&self) -> Result<HeaderMap, ProviderError> {
        let official = reqwest::Url::parse(&self.ep.base_url)
            .ok()
            .and_then(|u| u.host_str().map(|h| h.ends_with("googleapis.com")))
            .unwrap_or(false);
        if official {
            self.ep.require_key("GEMINI_API_KEY")?;
        }
        Ok(json_headers(self.ep.key_header("x-goog-api-key", "")?))
    }

    fn body(request: &ChatRequest) -> Value {
        let mut system: Vec<&str> = request.system.iter().map(String::as_str).collect();
        let mut contents = Vec::new();
        for m in &request.messages {
            let role = match m.role {
                Role::System => {
                    system.push(&m.content);
                    continue;
                }
                Role::User => "user",
                Role::Assistant => "model",
            };
            contents.push(json!({"role": role, "parts": [{"text": m.content}]}));
        }
        let mut config = json!({"maxOutputTokens": request.max_tokens});
        if let Some(t) = request.temperature {
            config["temperature"] = json!(t);
        }
        if !request.stop.is_empty() {
            config["stopSequences"] = json!(request.stop);
        }
        let mut body = json!({"contents": contents, "generationConfig": config});
        if !system.is_empty() {
            body["systemInstruction"] = json!({"parts": [{"text": system.join("\n\n")}]});
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
        let body = Self::body(request);
        let path = if request.stream {
            format!(
                "/v1beta/models/{}:streamGenerateContent?alt=sse",
                model_segment(&model)
            )
        } else {
            format!("/v1beta/models/{}:generateContent", model_segment(&model))
        };
        let (resp, retries) = ep
            .send(
                Method::POST,
                &ep.url(&path),
                &headers,
                Some(&body),
                deadline,
            )
            .await?;
        let mut state = State {
            text: String::new(),
            reason: None,
            usage: Usage::default(),
            model: model.clone(),
        };
        if request.stream {
            ep.read_sse(resp, |event| {
                let v = ep.chunk_json(&event.data)?;
                state.absorb(ep, &v, &mut *on_chunk)?;
                Ok(false)
            })
            .await?;
        } else {
            let v = ep.read_json(resp).await?;
            let mut whole = String::new();
            state.absorb(ep, &v, &mut |t: &str| whole.push_str(t))?;
            on_chunk(&whole);
        }
        let Some(finish_reason) = state.reason else {
            return Err(ep.truncated());
        };
        Ok(Completion {
            text: state.text,
            finish_reason,
            usage: state.usage,
            model: state.model,
            retries,
        })
    }
}

struct State {
    text: String,
    reason: Option<FinishReason>,
    usage: Usage,
    model: String,
}

impl State {
    fn absorb(
        &mut self,
        ep: &Endpoint,
        v: &Value,
        on_chunk: &mut dyn FnMut(&str),
    ) -> Result<(), ProviderError> {
        if let Some(msg) = error_message(v) {
            return Err(ep.in_stream(&msg));
        }
        if let Some(m) = v.get("modelVersion").and_then(Value::as_str) {
            self.model = m.to_string();
        }
        if let Some(u) = v.get("usageMetadata") {
            self.usage.input_tokens = u
                .get("promptTokenCount")
                .and_then(Value::as_u64)
                .or(self.usage.input_tokens);
            self.usage.output_tokens = u
                .get("candidatesTokenCount")
                .and_then(Value::as_u64)
                .or(self.usage.output_tokens);
        }
        if v.pointer("/promptFeedback/blockReason")
            .is_some_and(|r| !r.is_null())
        {
            self.reason = Some(FinishReason::ContentFilter);
        }
        if let Some(candidate) = v.pointer("/candidates/0") {
            if let Some(parts) = candidate
                .pointer("/content/parts")
                .and_then(Value::as_array)
            {
                for part in parts {
                    // Thought summaries are not part of the answer.
                    if part.get("thought").and_then(Value::as_bool) == Some(true) {
                        continue;
                    }
                    if let Some(t) = part.get("text").and_then(Value::as_str)
                        && !t.is_empty()
                    {
                        self.text.push_str(t);
                        on_chunk(t);
                    }
                }
            }
            if let Some(r) = candidate.get("finishReason").and_then(Value::as_str) {
                self.reason = Some(FinishReason::from_wire(r));
            }
        }
        Ok(())
    }
}

impl ModelProvider for Gemini {
    fn endpoint(&self) -> &Endpoint {
        &self.ep
    }

    fn kind(&self) -> ProviderKind {
        ProviderKind::Gemini
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
                .json_call(Method::GET, "/v1beta/models", &headers, None)
                .await?;
            let models = v
                .get("models")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no models list"))?;
            Ok(models
                .iter()
                .filter_map(|m| m.get("name").and_then(Value::as_str))
                .map(|n| n.strip_prefix("models/").unwrap_or(n).to_string())
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
            let segment = model_segment(model);
            let headers = self.headers()?;
            let requests: Vec<Value> = inputs
                .iter()
                .map(|text| json!({"model": format!("models/{segment}"), "content": {"parts": [{"text": text}]}}))
                .collect();
            let body = json!({"requests": requests});
            let path = format!("/v1beta/models/{segment}:batchEmbedContents");
            let v = self
                .ep
                .json_call(Method::POST, &path, &headers, Some(&body))
                .await?;
            let rows = v
                .get("embeddings")
                .and_then(Value::as_array)
                .ok_or_else(|| self.ep.bad("no embeddings"))?;
            let vectors: Option<Vec<Vec<f32>>> =
                rows.iter().map(|r| floats(r.get("values"))).collect();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_names_become_safe_path_segments() {
        assert_eq!(model_segment("models/gemini-2.5-flash"), "gemini-2.5-flash");
        assert_eq!(model_segment("a/b?c"), "a%2Fb%3Fc");
    }
}
