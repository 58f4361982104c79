//! Retry policy and circuit breaker for provider calls.
//!
//! The policy follows the official SDKs (see `notes/providers.md` and the provider-fault policy
//! in `notes/security.md`): at most N retries (2 by default), exponential backoff from 0.5 s
//! capped at 8 s minus up to 25 % jitter, on 408/409/429/5xx/529 and connection errors; the
//! server's `retry-after-ms`, `retry-after` (seconds or HTTP date) or Gemini `RetryInfo.retryDelay`
//! is honoured up to 60 s, and a longer wait fails at once saying when to retry; `x-should-retry`
//! overrides; never on 400/401/403/404 or a spend-limit 429. Retries happen only before the first
//! byte of a response body, which the caller guarantees by deciding here only on error statuses.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use reqwest::header::HeaderMap;

use super::ProviderError;
use super::error::clean_message;

/// Backoff parameters.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base: Duration,
    pub cap: Duration,
    /// Longest server-requested wait we honour.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: super::provider::DEFAULT_MAX_RETRIES,
            base: Duration::from_millis(500),
            cap: Duration::from_secs(8),
            max_retry_after: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// The computed delay before retry number `attempt` (0-based): `min(base·2ⁿ, cap)` minus up
    /// to 25 % jitter.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self.base.saturating_mul(1u32 << attempt.min(16));
        let full = exp.min(self.cap);
        let jitter: f64 = rand::random::<f64>() * 0.25;
        full.mul_f64(1.0 - jitter)
    }
}

/// What the error body of a failed request told us.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub message: String,
    /// `error.type` (OpenAI/Anthropic) or `error.status` (Gemini).
    pub kind: String,
    pub spend_limit: bool,
    pub retry_delay: Option<Duration>,
}

/// Reads any of the vendors' error shapes: `{"error":{"message","type"|"status","details"}}`,
/// `{"type":"error","error":{…}}`, Ollama's `{"error":"msg"}`, or plain text.
pub fn parse_api_error(body: &str, secret: Option<&str>) -> ApiError {
    let mut out = ApiError::default();
    let json: Option<serde_json::Value> = serde_json::from_str(body).ok();
    match json.as_ref().map(|j| (j, j.get("error"))) {
        Some((_, Some(serde_json::Value::String(msg)))) => out.message = msg.clone(),
        Some((_, Some(err @ serde_json::Value::Object(_)))) => {
            out.message = err
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or_default()
                .to_string();
            out.kind = err
                .get("type")
                .or_else(|| err.get("status"))
                .and_then(|t| t.as_str())
                .unwrap_or_default()
                .to_string();
            if let Some(details) = err.get("details") {
                out.retry_delay = find_retry_delay(details);
            }
        }
        Some((j, None)) => {
            out.message = j
                .get("message")
                .and_then(|m| m.as_str())
                .unwrap_or_default()
                .to_string();
        }
        _ => out.message = body.to_string(),
    }
    out.spend_limit = body.contains("enforced_spend_limit_reached");
    out.message = clean_message(&out.message, secret);
    out
}

fn find_retry_delay(details: &serde_json::Value) -> Option<Duration> {
    let items = details.as_array()?;
    items.iter().find_map(|d| {
        let is_retry_info = d
            .get("@type")
            .and_then(|t| t.as_str())
            .is_some_and(|t| t.ends_with("RetryInfo"));
        let delay = d.get("retryDelay")?.as_str()?;
        if !is_retry_info && d.get("@type").is_some() {
            return None;
        }
        parse_go_duration(delay)
    })
}

/// Parses protobuf-JSON durations such as `"35s"` or `"1.5s"`.
fn parse_go_duration(text: &str) -> Option<Duration> {
    let secs: f64 = text.strip_suffix('s')?.parse().ok()?;
    Duration::try_from_secs_f64(secs).ok()
}

/// The wait a server asked for: `retry-after-ms`, then `retry-after` (seconds or HTTP date).
pub fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
    };
    if let Some(wait) = header("retry-after-ms")
        .and_then(|v| v.parse::<f64>().ok())
        .and_then(|ms| Duration::try_from_secs_f64(ms / 1000.0).ok())
    {
        return Some(wait);
    }
    let value = header("retry-after")?;
    if let Ok(secs) = value.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).ok();
    }
    let date = chrono::DateTime::parse_from_rfc2822(value).ok()?;
    let wait = date.with_timezone(&chrono::Utc) - chrono::Utc::now();
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

fn should_retry_header(headers: &HeaderMap) -> Option<bool> {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => Some(true),
        Some("false") => Some(false),
        _ => None,
    }
}

/// The decision after a failed HTTP status.
#[derive(Debug)]
pub enum Verdict {
    Retry(Duration),
    Fail(ProviderError),
}

/// Everything [`decide`] needs about one failed attempt.
pub struct Failure<'a> {
    pub provider: &'a str,
    pub status: u16,
    pub headers: &'a HeaderMap,
    pub body: &'a str,
    pub secret: Option<&'a str>,
    /// Retries already done.
    pub retries: u32,
    /// Time left before the call's deadline.
    pub remaining: Duration,
}

/// Decides whether to retry a failed status, and how long to wait.
pub fn decide(policy: &RetryPolicy, failure: Failure<'_>) -> Verdict {
    let api = parse_api_error(failure.body, failure.secret);
    let status = failure.status;
    let asked = retry_after(failure.headers).or(api.retry_delay);
    let mut retryable = matches!(status, 408 | 409 | 429) || status >= 500;
    if let Some(forced) = should_retry_header(failure.headers) {
        retryable = forced;
    }
    if status == 429 && api.spend_limit {
        retryable = false;
    }
    let provider = failure.provider.to_string();
    if retryable && let Some(wait) = asked.filter(|w| *w > policy.max_retry_after) {
        let retry_at = chrono::Duration::from_std(wait)
            .ok()
            .and_then(|d| chrono::Utc::now().checked_add_signed(d))
            .map_or_else(
                || "much later".to_string(),
                |at| at.format("%H:%M:%S UTC").to_string(),
            );
        return Verdict::Fail(ProviderError::RetryTooFar {
            provider,
            status,
            wait,
            retry_at,
        });
    }
    if retryable && failure.retries < policy.max_retries {
        let wait = asked.unwrap_or_else(|| policy.backoff(failure.retries));
        if wait < failure.remaining {
            return Verdict::Retry(wait);
        }
    }
    Verdict::Fail(final_error(provider, status, &api, failure.retries, asked))
}

/// The error for a status we give up on.
pub fn final_error(
    provider: String,
    status: u16,
    api: &ApiError,
    retries: u32,
    asked: Option<Duration>,
) -> ProviderError {
    let message = api.message.clone();
    let key_problem = api.kind.contains("API_KEY")
        || message.contains("API_KEY_INVALID")
        || message.contains("API key not valid");
    match status {
        429 if api.spend_limit => ProviderError::SpendLimit { provider },
        429 => ProviderError::RateLimited {
            provider,
            status,
            retries,
            retry_after: asked,
        },
        529 => ProviderError::Overloaded {
            provider,
            status,
            retries,
        },
        503 if api.kind.contains("overloaded") => ProviderError::Overloaded {
            provider,
            status,
            retries,
        },
        401 | 403 => ProviderError::Auth {
            provider,
            status,
            message,
        },
        400 if key_problem => ProviderError::Auth {
            provider,
            status,
            message,
        },
        404 => ProviderError::NotFound { provider, message },
        408 | 409 | 500..=599 => ProviderError::Server {
            provider,
            status,
            message,
            retries,
        },
        _ => ProviderError::BadRequest {
            provider,
            status,
            message,
        },
    }
}

/// Opens after `threshold` consecutive provider faults and refuses calls for `cooldown`; the
/// first call after the cooldown is a trial: success closes it, failure opens it again.
#[derive(Debug)]
pub struct CircuitBreaker {
    threshold: u32,
    cooldown: Duration,
    state: Mutex<BreakerState>,
}

#[derive(Debug, Default)]
struct BreakerState {
    failures: u32,
    open_until: Option<Instant>,
}

impl CircuitBreaker {
    pub fn new(threshold: u32, cooldown: Duration) -> CircuitBreaker {
        CircuitBreaker {
            threshold,
            cooldown,
            state: Mutex::new(BreakerState::default()),
        }
    }

    /// `Err((failures, time left))` while open.
    pub fn check(&self) -> Result<(), (u32, Duration)> {
        let state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        match state.open_until {
            Some(until) => {
                let now = Instant::now();
                if now < until {
                    Err((state.failures, until - now))
                } else {
                    Ok(())
                }
            }
            None => Ok(()),
        }
    }

    pub fn record_success(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        *state = BreakerState::default();
    }

    pub fn record_failure(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.failures = state.failures.saturating_add(1);
        if state.failures >= self.threshold {
            state.open_until = Some(Instant::now() + self.cooldown);
        }
    }
}

/// Consecutive faults that open a breaker.
pub const BREAKER_THRESHOLD: u32 = 5;
/// How long an open breaker refuses calls.
pub const BREAKER_COOLDOWN: Duration = Duration::from_secs(30);

/// The process-wide breaker for a provider (keyed by name and endpoint), so rebuilding providers
/// after a configuration reload keeps their health.
pub fn breaker_for(key: &str) -> Arc<CircuitBreaker> {
    static BREAKERS: OnceLock<Mutex<HashMap<String, Arc<CircuitBreaker>>>> = OnceLock::new();
    let map = BREAKERS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut map = map.lock().unwrap_or_else(|p| p.into_inner());
    map.entry(key.to_string())
        .or_insert_with(|| Arc::new(CircuitBreaker::new(BREAKER_THRESHOLD, BREAKER_COOLDOWN)))
        .clone()
}

#[cfg(test)]
mod tests {
    use reqwest::header::HeaderValue;

    use super::*;

    fn failure<'a>(
        status: u16,
        headers: &'a HeaderMap,
        body: &'a str,
        retries: u32,
    ) -> Failure<'a> {
        Failure {
            provider: "p",
            status,
            headers,
            body,
            secret: None,
            retries,
            remaining: Duration::from_secs(30),
        }
    }

    #[test]
    fn backoff_grows_caps_and_jitters_down() {
        let policy = RetryPolicy::default();
        for attempt in 0..10 {
            let d = policy.backoff(attempt);
            let full = Duration::from_millis(500)
                .saturating_mul(1 << attempt)
                .min(Duration::from_secs(8));
            assert!(d <= full && d >= full.mul_f64(0.75), "{attempt}: {d:?}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(retry_after(&h), Some(Duration::from_secs(3)));
        h.insert("retry-after-ms", HeaderValue::from_static("1500"));
        assert_eq!(retry_after(&h), Some(Duration::from_millis(1500)));
        let mut h = HeaderMap::new();
        h.insert(
            "retry-after",
            HeaderValue::from_static("Wed, 21 Oct 2015 07:28:00 GMT"),
        );
        assert_eq!(retry_after(&h), Some(Duration::ZERO));
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("1e300"));
        assert_eq!(
            retry_after(&h),
            None,
            "absurd values are ignored, not a panic"
        );
        h.insert("retry-after-ms", HeaderValue::from_static("-5"));
        assert_eq!(retry_after(&h), None);
    }

    #[test]
    fn statuses_that_never_retry() {
        let h = HeaderMap::new();
        for status in [400, 401, 403, 404] {
            assert!(
                matches!(
                    decide(&RetryPolicy::default(), failure(status, &h, "{}", 0)),
                    Verdict::Fail(_)
                ),
                "{status}"
            );
        }
        let spend = r#"{"type":"error","error":{"type":"rate_limit_error","message":"limit","details":{"error_code":"enforced_spend_limit_reached"}}}"#;
        match decide(&RetryPolicy::default(), failure(429, &h, spend, 0)) {
            Verdict::Fail(ProviderError::SpendLimit { .. }) => {}
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn statuses_that_retry_until_exhausted() {
        let h = HeaderMap::new();
        for status in [408, 409, 429, 500, 502, 503, 529] {
            assert!(
                matches!(
                    decide(&RetryPolicy::default(), failure(status, &h, "", 0)),
                    Verdict::Retry(_)
                ),
                "{status}"
            );
            assert!(
                matches!(
                    decide(&RetryPolicy::default(), failure(status, &h, "", 2)),
                    Verdict::Fail(_)
                ),
                "{status}"
            );
        }
    }

    #[test]
    fn x_should_retry_overrides() {
        let mut h = HeaderMap::new();
        h.insert("x-should-retry", HeaderValue::from_static("false"));
        assert!(matches!(
            decide(&RetryPolicy::default(), failure(500, &h, "", 0)),
            Verdict::Fail(_)
        ));
        h.insert("x-should-retry", HeaderValue::from_static("true"));
        assert!(matches!(
            decide(&RetryPolicy::default(), failure(400, &h, "", 0)),
            Verdict::Retry(_)
        ));
    }

    #[test]
    fn gemini_retry_delay_and_too_long_waits() {
        let h = HeaderMap::new();
        let body = r#"{"error":{"code":429,"status":"RESOURCE_EXHAUSTED","message":"quota","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"35s"}]}}"#;
        match decide(
            &RetryPolicy::default(),
            Failure {
                remaining: Duration::from_secs(100),
                ..failure(429, &h, body, 0)
            },
        ) {
            Verdict::Retry(d) => assert_eq!(d, Duration::from_secs(35)),
            other => panic!("{other:?}"),
        }
        let mut h = HeaderMap::new();
        h.insert("retry-after", HeaderValue::from_static("120"));
        match decide(&RetryPolicy::default(), failure(429, &h, "", 0)) {
            Verdict::Fail(err @ ProviderError::RetryTooFar { .. }) => {
                assert!(err.to_string().contains("wait 2 min 0 s"), "{err}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn breaker_opens_after_threshold_and_resets_on_success() {
        let breaker = CircuitBreaker::new(3, Duration::from_secs(60));
        for _ in 0..2 {
            breaker.record_failure();
        }
        assert!(breaker.check().is_ok());
        breaker.record_failure();
        assert!(breaker.check().is_err());
        breaker.record_success();
        assert!(breaker.check().is_ok());
        let zero = CircuitBreaker::new(1, Duration::ZERO);
        zero.record_failure();
        assert!(zero.check().is_ok(), "cooldown over: trial call allowed");
    }
}
