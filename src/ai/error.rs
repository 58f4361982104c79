//! Provider errors. Each variant renders as ONE sentence a user can act on: which provider, what
//! happened, what to do. Messages that come from a server are cleaned (one line, bounded length,
//! the API key masked) before they are stored, so an error can be logged or shown as is.

use std::time::Duration;

/// Everything that can go wrong while talking to a model provider.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProviderError {
    #[error("{provider}: rate limited ({status}){}; {}", retried(*retries), wait_hint(*retry_after))]
    RateLimited {
        provider: String,
        status: u16,
        retries: u32,
        retry_after: Option<Duration>,
    },
    #[error(
        "{provider}: rate limited ({status}) and the server asks to wait {}; not retrying, try again after {retry_at}",
        secs(*wait)
    )]
    RetryTooFar {
        provider: String,
        status: u16,
        wait: Duration,
        retry_at: String,
    },
    #[error(
        "{provider}: spending limit reached (429); raise the limit in the provider's console, retrying will not help"
    )]
    SpendLimit { provider: String },
    #[error("{provider}: server overloaded ({status}){}; try again in a minute", retried(*retries))]
    Overloaded {
        provider: String,
        status: u16,
        retries: u32,
    },
    #[error("{provider}: server error ({status}{}){}; try again later", detail(message), retried(*retries))]
    Server {
        provider: String,
        status: u16,
        message: String,
        retries: u32,
    },
    #[error(
        "{provider}: authentication failed ({status}{}); check the provider's API key",
        detail(message)
    )]
    Auth {
        provider: String,
        status: u16,
        message: String,
    },
    #[error(
        "{provider}: not found (404{}); check the model name and base_url",
        detail(message)
    )]
    NotFound { provider: String, message: String },
    #[error(
        "{provider}: request rejected ({status}{}); check the model name and options",
        detail(message)
    )]
    BadRequest {
        provider: String,
        status: u16,
        message: String,
    },
    #[error("{provider}: cannot connect to {url}{}; is the server running and reachable?", retried(*retries))]
    Connect {
        provider: String,
        url: String,
        retries: u32,
    },
    #[error("{provider}: no complete answer within {}; the server is slow or stuck, try again or raise timeout_s", secs(*after))]
    Timeout { provider: String, after: Duration },
    #[error("{provider}: the response stopped arriving for {}; the server is stuck, try again", secs(*after))]
    Stalled { provider: String, after: Duration },
    #[error(
        "{provider}: the response ended before it was complete; nothing was applied, try again"
    )]
    Truncated { provider: String },
    #[error(
        "{provider}: the server reported an error in the middle of the answer ({message}); nothing was applied, try again"
    )]
    InStream { provider: String, message: String },
    #[error("{provider}: malformed response ({detail}); is base_url pointing at a {kind} API?")]
    Malformed {
        provider: String,
        kind: &'static str,
        detail: String,
    },
    #[error("{provider}: request cancelled")]
    Cancelled { provider: String },
    #[error("{provider}: skipped after {failures} failures in a row; it will be tried again in {}", secs(*retry_in))]
    CircuitOpen {
        provider: String,
        failures: u32,
        retry_in: Duration,
    },
    #[error("{provider}: {what} is not supported by this provider")]
    Unsupported {
        provider: String,
        what: &'static str,
    },
    #[error("{provider}: invalid configuration: {message}")]
    Config { provider: String, message: String },
}

impl ProviderError {
    /// The provider name the error is about.
    pub fn provider(&self) -> &str {
        match self {
            ProviderError::RateLimited { provider, .. }
            | ProviderError::RetryTooFar { provider, .. }
            | ProviderError::SpendLimit { provider }
            | ProviderError::Overloaded { provider, .. }
            | ProviderError::Server { provider, .. }
            | ProviderError::Auth { provider, .. }
            | ProviderError::NotFound { provider, .. }
            | ProviderError::BadRequest { provider, .. }
            | ProviderError::Connect { provider, .. }
            | ProviderError::Timeout { provider, .. }
            | ProviderError::Stalled { provider, .. }
            | ProviderError::Truncated { provider }
            | ProviderError::InStream { provider, .. }
            | ProviderError::Malformed { provider, .. }
            | ProviderError::Cancelled { provider }
            | ProviderError::CircuitOpen { provider, .. }
            | ProviderError::Unsupported { provider, .. }
            | ProviderError::Config { provider, .. } => provider,
        }
    }

    /// Whether this failure says something about the provider's health (counts towards the
    /// circuit breaker). Client-side mistakes and cancellation do not.
    pub fn is_provider_fault(&self) -> bool {
        matches!(
            self,
            ProviderError::RateLimited { .. }
                | ProviderError::Overloaded { .. }
                | ProviderError::Server { .. }
                | ProviderError::Connect { .. }
                | ProviderError::Timeout { .. }
                | ProviderError::Stalled { .. }
                | ProviderError::Truncated { .. }
                | ProviderError::InStream { .. }
                | ProviderError::Malformed { .. }
        )
    }

    /// A short stable name for logs and the audit log's `outcome` field.
    pub fn code(&self) -> &'static str {
        match self {
            ProviderError::RateLimited { .. } => "rate_limited",
            ProviderError::RetryTooFar { .. } => "retry_too_far",
            ProviderError::SpendLimit { .. } => "spend_limit",
            ProviderError::Overloaded { .. } => "overloaded",
            ProviderError::Server { .. } => "server_error",
            ProviderError::Auth { .. } => "auth",
            ProviderError::NotFound { .. } => "not_found",
            ProviderError::BadRequest { .. } => "bad_request",
            ProviderError::Connect { .. } => "connect",
            ProviderError::Timeout { .. } => "timeout",
            ProviderError::Stalled { .. } => "stalled",
            ProviderError::Truncated { .. } => "truncated",
            ProviderError::InStream { .. } => "in_stream_error",
            ProviderError::Malformed { .. } => "malformed",
            ProviderError::Cancelled { .. } => "cancelled",
            ProviderError::CircuitOpen { .. } => "circuit_open",
            ProviderError::Unsupported { .. } => "unsupported",
            ProviderError::Config { .. } => "config",
        }
    }
}

fn retried(retries: u32) -> String {
    match retries {
        0 => String::new(),
        1 => "; retried once".to_string(),
        n => format!("; retried {n} times"),
    }
}

fn wait_hint(retry_after: Option<Duration>) -> String {
    match retry_after {
        Some(d) if d >= Duration::from_secs(1) => format!("try again in {}", secs(d)),
        _ => "try again in a minute".to_string(),
    }
}

fn detail(message: &str) -> String {
    if message.is_empty() {
        String::new()
    } else {
        format!(": {message}")
    }
}

/// A duration as a short human figure: `750 ms`, `30 s`, `2 min 5 s`.
pub(crate) fn secs(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms} ms");
    }
    let s = d.as_secs() + u64::from(d.subsec_millis() >= 500);
    if s < 120 {
        format!("{s} s")
    } else {
        format!("{} min {} s", s / 60, s % 60)
    }
}

/// Makes a server-supplied message safe to show: one line, at most 200 characters, with every
/// occurrence of `secret` (and of its visible prefix, which some servers echo) masked.
pub(crate) fn clean_message(message: &str, secret: Option<&str>) -> String {
    let mut text: String = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if let Some(secret) = secret.filter(|s| s.len() >= 4) {
        text = text.replace(secret, "<api-key>");
        // Servers often echo a prefix of a wrong key ("sk-abc123****"); mask any 8+ char prefix.
        let chars: Vec<char> = secret.chars().collect();
        for len in (8..chars.len()).rev() {
            let prefix: String = chars[..len].iter().collect();
            if text.contains(&prefix) {
                text = text.replace(&prefix, "<api-key>");
                break;
            }
        }
    }
    let text = text.trim_end_matches('.').to_string();
    if text.chars().count() > 200 {
        let mut cut: String = text.chars().take(199).collect();
        cut.push('…');
        cut
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_sentence_names_provider_retries_and_wait() {
        let err = ProviderError::RateLimited {
            provider: "anthropic".into(),
            status: 429,
            retries: 2,
            retry_after: Some(Duration::from_secs(30)),
        };
        assert_eq!(
            err.to_string(),
            "anthropic: rate limited (429); retried 2 times; try again in 30 s"
        );
    }

    #[test]
    fn server_messages_are_one_line_and_mask_the_key() {
        let key = "sk-test-0123456789abcdef";
        let msg =
            "Incorrect API key provided: sk-test-01234567****.\n You can find your key at ...";
        let cleaned = clean_message(msg, Some(key));
        assert!(!cleaned.contains("sk-test-01234567"), "{cleaned}");
        assert!(!cleaned.contains('\n'));
        let long = "x".repeat(500);
        assert_eq!(clean_message(&long, None).chars().count(), 200);
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(secs(Duration::from_millis(250)), "250 ms");
        assert_eq!(secs(Duration::from_secs(30)), "30 s");
        assert_eq!(secs(Duration::from_secs(125)), "2 min 5 s");
    }
}
