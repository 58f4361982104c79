//! Feedback on AI edits and diagnostics, for later learning: `<cache dir>/feedback.jsonl`, one
//! JSON object per line, appended with one `write` on an `O_APPEND` descriptor.
//!
//! Format (also in `config/actions/README.md`); absent fields are omitted:
//!
//! ```json
//! {"time":"2026-11-25T16:40:00Z","kind":"edit","decision":"accept","action":"document",
//!  "provider":"ollama","model":"llama3.2","file":"src/a.py","content_sha256":"…","reason":"…"}
//! {"time":"…","kind":"diagnostic","decision":"dismiss","rule_id":"python.eval","file":"src/a.py"}
//! ```
//!
//! * `kind`: `edit` (an AI edit) or `diagnostic` (a finding);
//! * `decision`: `accept` or `reject` for edits; `dismiss` (or `accept`, the finding was right)
//!   for diagnostics;
//! * `file`: workspace-relative; `content_sha256`: hash of the proposed code or the flagged code
//!   (never the code itself); `reason`: the user's words, at most 500 characters, secrets redacted.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// File name in the cache dir.
pub const FILE_NAME: &str = "feedback.jsonl";

/// One line of the feedback log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Feedback {
    /// RFC 3339 UTC; filled in by [`record`] when empty.
    #[serde(default)]
    pub time: String,
    pub kind: String,
    pub decision: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub action: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_sha256: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Why feedback was not recorded.
#[derive(Debug, thiserror::Error)]
pub enum FeedbackError {
    #[error("feedback: {0}")]
    Invalid(String),
    #[error("feedback log {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Feedback {
    /// Checks the kind/decision pair and the shape of the optional fields.
    pub fn validate(&self) -> Result<(), FeedbackError> {
        let ok = matches!(
            (self.kind.as_str(), self.decision.as_str()),
            ("edit", "accept" | "reject") | ("diagnostic", "dismiss" | "accept")
        );
        if !ok {
            return Err(FeedbackError::Invalid(format!(
                "`kind: {}` with `decision: {}` is not recorded; use kind `edit` with accept|reject, or `diagnostic` with dismiss|accept",
                self.kind, self.decision
            )));
        }
        if self.kind == "diagnostic" && self.rule_id.as_deref().is_none_or(str::is_empty) {
            return Err(FeedbackError::Invalid(
                "a diagnostic's feedback needs its `rule_id`".into(),
            ));
        }
        if let Some(h) = &self.content_sha256
            && !(h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        {
            return Err(FeedbackError::Invalid(
                "`content_sha256` must be 64 hex digits".into(),
            ));
        }
        Ok(())
    }
}

/// `<cache dir>/feedback.jsonl`.
pub fn default_path() -> PathBuf {
    crate::config::paths::cache_dir().join(FILE_NAME)
}

/// Validates, cleans (reason truncated and redacted, fields bounded) and appends one line.
pub fn record(path: &Path, mut feedback: Feedback) -> Result<Feedback, FeedbackError> {
    feedback.validate()?;
    if feedback.time.is_empty() {
        feedback.time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    }
    let bound = |s: &mut Option<String>, n: usize| {
        if let Some(v) = s {
            *v = v.chars().take(n).collect();
        }
    };
    bound(&mut feedback.action, 100);
    bound(&mut feedback.rule_id, 200);
    bound(&mut feedback.provider, 100);
    bound(&mut feedback.model, 200);
    bound(&mut feedback.file, 1000);
    if let Some(reason) = &feedback.reason {
        let short: String = reason.chars().take(500).collect();
        feedback.reason = Some(crate::security::secrets::redact(&short).text);
    }
    let io = |source| FeedbackError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io)?;
    }
    let mut line =
        serde_json::to_string(&feedback).map_err(|e| FeedbackError::Invalid(e.to_string()))?;
    line.push('\n');
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(io)?;
    file.write_all(line.as_bytes()).map_err(io)?;
    Ok(feedback)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_valid_lines_and_refuses_nonsense() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("feedback.jsonl");
        let accepted = Feedback {
            kind: "edit".into(),
            decision: "accept".into(),
            action: Some("document".into()),
            ..Feedback::default()
        };
        record(&path, accepted).unwrap_or_else(|e| panic!("{e}"));
        let dismissed = Feedback {
            kind: "diagnostic".into(),
            decision: "dismiss".into(),
            rule_id: Some("python.eval".into()),
            ..Feedback::default()
        };
        record(&path, dismissed).unwrap_or_else(|e| panic!("{e}"));
        let bad = Feedback {
            kind: "diagnostic".into(),
            decision: "dismiss".into(),
            ..Feedback::default()
        };
        assert!(record(&path, bad).is_err());
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let lines: Vec<Feedback> = text
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        assert_eq!(lines.len(), 2);
        assert!(lines[0].time.ends_with('Z'));
        assert_eq!(lines[1].rule_id.as_deref(), Some("python.eval"));
    }
}
