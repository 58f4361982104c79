//! Hash-chained audit log of model calls: `<cache dir>/audit.jsonl`, one JSON object per line.
//!
//! Each line carries `seq` (1-based), the call's metadata (never a key, a secret, a prompt or a
//! response: only their sizes and SHA-256) and `prev`, the SHA-256 (hex) of the exact bytes of the
//! previous line without its newline; the first line's `prev` is [`GENESIS`]. A sidecar
//! `audit.jsonl.head` records the count and hash of the last line so that removing lines at the
//! end is detected too. Appends take an exclusive lock on the log file and write each line with a
//! single `write` on an `O_APPEND` descriptor, so concurrent processes never interleave or fork
//! the chain.

use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// `prev` of the first line.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// File name inside the cache dir.
pub const FILE_NAME: &str = "audit.jsonl";

/// One model call, as the caller describes it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// RFC 3339 UTC; filled in by [`AuditLog::append`] when empty.
    #[serde(default)]
    pub time: String,
    pub provider: String,
    pub model: String,
    /// `explain`, `document`, `hover`, …
    pub action: String,
    /// Workspace-relative path of the file the call was about.
    #[serde(default)]
    pub file: Option<String>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    #[serde(default)]
    pub tokens_in: Option<u64>,
    #[serde(default)]
    pub tokens_out: Option<u64>,
    pub latency_ms: u64,
    /// SHA-256 (hex) of the prompt as sent (after redaction).
    pub prompt_sha256: String,
    /// SHA-256 (hex) of the response text.
    pub response_sha256: String,
    /// Secrets replaced by placeholders in the prompt.
    pub redactions: u64,
    /// `ok`, `error: <short reason>`, `cancelled`, `refused`, …
    pub outcome: String,
}

impl AuditEntry {
    /// Fills the sizes and hashes from the prompt as sent and the response as received.
    pub fn with_payloads(mut self, prompt: &str, response: &str) -> Self {
        self.bytes_in = prompt.len() as u64;
        self.bytes_out = response.len() as u64;
        self.prompt_sha256 = sha256_hex(prompt.as_bytes());
        self.response_sha256 = sha256_hex(response.as_bytes());
        self
    }
}

/// A line of the log: the entry plus its place in the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditLine {
    pub seq: u64,
    #[serde(flatten)]
    pub entry: AuditEntry,
    pub prev: String,
}

/// Why the log could not be written or read.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    #[error("audit log {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "audit log {path}: the last line is not a valid audit entry; run `codomyrmex audit verify`, keep a copy, then move the file aside to start a new chain"
    )]
    Corrupt { path: PathBuf },
}

/// Where and why the chain breaks. `line` is 1-based; 0 for the whole file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {reason}")]
pub struct VerifyError {
    pub line: usize,
    pub reason: String,
}

/// SHA-256 as lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// `<cache dir>/audit.jsonl`.
pub fn default_path() -> PathBuf {
    crate::config::paths::cache_dir().join(FILE_NAME)
}

fn head_path(path: &Path) -> PathBuf {
    let mut os = path.as_os_str().to_owned();
    os.push(".head");
    PathBuf::from(os)
}

#[derive(Debug, Serialize, Deserialize)]
struct Head {
    count: u64,
    last: String,
}

/// An append handle on one log file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// Creates the parent directory if needed; the file is created on first append.
    pub fn open(path: impl Into<PathBuf>) -> Result<AuditLog, AuditError> {
        let path = path.into();
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(|source| AuditError::Io {
                path: path.clone(),
                source,
            })?;
        }
        Ok(AuditLog { path })
    }

    /// The log at [`default_path`].
    pub fn open_default() -> Result<AuditLog, AuditError> {
        AuditLog::open(default_path())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line chained to the current last line; returns the new line's hash.
    pub fn append(&self, entry: &AuditEntry) -> Result<String, AuditError> {
        let io = |source| AuditError::Io {
            path: self.path.clone(),
            source,
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .read(true)
            .open(&self.path)
            .map_err(io)?;
        file.lock().map_err(io)?;
        let result = self.append_locked(&mut file, entry);
        let _ = file.unlock();
        result
    }

    fn append_locked(&self, file: &mut File, entry: &AuditEntry) -> Result<String, AuditError> {
        let io = |source| AuditError::Io {
            path: self.path.clone(),
            source,
        };
        let (last_line, ends_with_newline) = read_last_line(file).map_err(io)?;
        let (seq, prev) = match &last_line {
            None => (1, GENESIS.to_string()),
            Some(bytes) => {
                let seq = serde_json::from_slice::<serde_json::Value>(bytes)
                    .ok()
                    .and_then(|v| v.get("seq").and_then(serde_json::Value::as_u64))
                    .ok_or_else(|| AuditError::Corrupt {
                        path: self.path.clone(),
                    })?;
                (seq + 1, sha256_hex(bytes))
            }
        };
        let mut entry = entry.clone();
        // Free-text fields may carry a provider's error message; no secret may enter the log.
        for field in [
            &mut entry.outcome,
            &mut entry.model,
            &mut entry.provider,
            &mut entry.action,
        ] {
            *field = crate::security::secrets::redact(field).text;
        }
        if let Some(file) = entry.file.as_mut() {
            *file = crate::security::secrets::redact(file).text;
        }
        if entry.time.is_empty() {
            entry.time = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
        }
        let line = AuditLine { seq, entry, prev };
        let json = serde_json::to_string(&line).map_err(|e| io(std::io::Error::other(e)))?;
        let hash = sha256_hex(json.as_bytes());
        let mut buf = Vec::with_capacity(json.len() + 2);
        if last_line.is_some() && !ends_with_newline {
            buf.push(b'\n');
        }
        buf.extend_from_slice(json.as_bytes());
        buf.push(b'\n');
        file.write_all(&buf).map_err(io)?;
        file.flush().map_err(io)?;
        let head = serde_json::to_string(&Head {
            count: seq,
            last: hash.clone(),
        })
        .map_err(|e| io(std::io::Error::other(e)))?;
        let head_path = head_path(&self.path);
        let tmp = head_path.with_extension("head.tmp");
        std::fs::write(&tmp, head).map_err(io)?;
        std::fs::rename(&tmp, &head_path).map_err(io)?;
        Ok(hash)
    }
}

/// The last non-empty line's bytes, and whether the file ends with a newline.
fn read_last_line(file: &mut File) -> std::io::Result<(Option<Vec<u8>>, bool)> {
    let len = file.seek(SeekFrom::End(0))?;
    if len == 0 {
        return Ok((None, true));
    }
    let mut window: u64 = 4096;
    loop {
        let start = len.saturating_sub(window);
        file.seek(SeekFrom::Start(start))?;
        let mut buf = Vec::with_capacity((len - start) as usize);
        Read::by_ref(file).take(len - start).read_to_end(&mut buf)?;
        let ends_nl = buf.last() == Some(&b'\n');
        let body: &[u8] = if ends_nl { &buf[..buf.len() - 1] } else { &buf };
        if let Some(pos) = body.iter().rposition(|b| *b == b'\n') {
            return Ok((Some(body[pos + 1..].to_vec()), ends_nl));
        }
        if start == 0 {
            return Ok(((!body.is_empty()).then(|| body.to_vec()), ends_nl));
        }
        window *= 4;
    }
}

/// Reads every line (for `audit show`); stops at the first unparsable line with an error.
pub fn read_all(path: &Path) -> Result<Vec<AuditLine>, VerifyError> {
    let text = std::fs::read_to_string(path).map_err(|e| VerifyError {
        line: 0,
        reason: format!("cannot read {}: {e}", path.display()),
    })?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(i, l)| {
            serde_json::from_str::<AuditLine>(l).map_err(|e| VerifyError {
                line: i + 1,
                reason: format!("not a valid audit entry: {e}"),
            })
        })
        .collect()
}

/// Checks the chain; `Ok(number of entries)`. A missing file is an empty log.
pub fn verify(path: &Path) -> Result<usize, VerifyError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => {
            return Err(VerifyError {
                line: 0,
                reason: format!("cannot read {}: {e}", path.display()),
            });
        }
    };
    let mut expected_prev = GENESIS.to_string();
    let mut count = 0usize;
    let mut hashes: Vec<String> = Vec::new();
    let body = bytes.strip_suffix(b"\n").unwrap_or(&bytes);
    if !body.is_empty() {
        for (i, line) in body.split(|b| *b == b'\n').enumerate() {
            let n = i + 1;
            if line.is_empty() {
                return Err(VerifyError {
                    line: n,
                    reason: "empty line inside the log".into(),
                });
            }
            let parsed: AuditLine = serde_json::from_slice(line).map_err(|e| VerifyError {
                line: n,
                reason: format!("not a valid audit entry ({e})"),
            })?;
            if parsed.seq != n as u64 {
                return Err(VerifyError {
                    line: n,
                    reason: format!(
                        "sequence number is {}, expected {n}: a line was removed, inserted or moved",
                        parsed.seq
                    ),
                });
            }
            if parsed.prev != expected_prev {
                return Err(VerifyError {
                    line: n,
                    reason: "`prev` does not match the hash of the line before: the previous line was edited, or lines were removed or reordered".into(),
                });
            }
            expected_prev = sha256_hex(line);
            hashes.push(expected_prev.clone());
            count = n;
        }
    }
    let head_file = head_path(path);
    if let Ok(text) = std::fs::read_to_string(&head_file) {
        let head: Head = serde_json::from_str(&text).map_err(|e| VerifyError {
            line: 0,
            reason: format!("{} is damaged: {e}", head_file.display()),
        })?;
        let idx = usize::try_from(head.count).unwrap_or(usize::MAX);
        if idx > count {
            return Err(VerifyError {
                line: count + 1,
                reason: format!(
                    "the log has {count} entries but {} were written: lines were removed from the end",
                    head.count
                ),
            });
        }
        if idx > 0 && hashes.get(idx - 1) != Some(&head.last) {
            return Err(VerifyError {
                line: idx,
                reason: "this line differs from the one that was written last (edited)".into(),
            });
        }
    }
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(i: u64) -> AuditEntry {
        AuditEntry {
            provider: "ollama".into(),
            model: "llama3.2".into(),
            action: "explain".into(),
            file: Some(format!("src/f{i}.rs")),
            latency_ms: i,
            outcome: "ok".into(),
            ..AuditEntry::default()
        }
        .with_payloads(&format!("prompt {i}"), "answer")
    }

    fn write_log(n: u64) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("sub").join(FILE_NAME);
        let log = AuditLog::open(&path).expect("open");
        for i in 0..n {
            log.append(&entry(i)).expect("append");
        }
        (dir, path)
    }

    fn lines(path: &Path) -> Vec<String> {
        std::fs::read_to_string(path)
            .expect("read")
            .lines()
            .map(str::to_string)
            .collect()
    }

    fn rewrite(path: &Path, lines: &[String]) {
        std::fs::write(path, lines.join("\n") + "\n").expect("write");
    }

    #[test]
    fn chain_verifies_and_starts_at_genesis() {
        let (_d, path) = write_log(4);
        assert_eq!(verify(&path), Ok(4));
        let all = read_all(&path).expect("read");
        assert_eq!(all[0].prev, GENESIS);
        assert_eq!(all[3].seq, 4);
        assert_eq!(all[1].entry.prompt_sha256, sha256_hex(b"prompt 1"));
        assert!(!all[0].entry.time.is_empty());
    }

    #[test]
    fn edited_line_fails_at_the_next_line() {
        let (_d, path) = write_log(4);
        let mut l = lines(&path);
        l[1] = l[1].replace("\"latency_ms\":1", "\"latency_ms\":9");
        rewrite(&path, &l);
        assert_eq!(verify(&path).map_err(|e| e.line), Err(3));
    }

    #[test]
    fn edited_last_line_fails() {
        let (_d, path) = write_log(3);
        let mut l = lines(&path);
        l[2] = l[2].replace("\"outcome\":\"ok\"", "\"outcome\":\"no\"");
        rewrite(&path, &l);
        assert_eq!(verify(&path).map_err(|e| e.line), Err(3));
    }

    #[test]
    fn removed_and_reordered_lines_fail() {
        let (_d, path) = write_log(4);
        let orig = lines(&path);
        let mut removed = orig.clone();
        removed.remove(1);
        rewrite(&path, &removed);
        assert_eq!(verify(&path).map_err(|e| e.line), Err(2));
        let mut last_removed = orig.clone();
        last_removed.pop();
        rewrite(&path, &last_removed);
        assert_eq!(verify(&path).map_err(|e| e.line), Err(4));
        let mut swapped = orig.clone();
        swapped.swap(1, 2);
        rewrite(&path, &swapped);
        assert_eq!(verify(&path).map_err(|e| e.line), Err(2));
        rewrite(&path, &orig);
        assert_eq!(verify(&path), Ok(4));
    }

    #[test]
    fn missing_log_is_empty_and_append_after_reopen_chains() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(FILE_NAME);
        assert_eq!(verify(&path), Ok(0));
        AuditLog::open(&path)
            .expect("open")
            .append(&entry(1))
            .expect("append");
        AuditLog::open(&path)
            .expect("open")
            .append(&entry(2))
            .expect("append");
        assert_eq!(verify(&path), Ok(2));
    }

    #[test]
    fn append_after_a_torn_last_line_is_refused() {
        let (_d, path) = write_log(2);
        let mut text = std::fs::read_to_string(&path).expect("read");
        text.push_str("{\"seq\":3,\"time\":\"2026-");
        std::fs::write(&path, text).expect("write");
        let err = AuditLog::open(&path)
            .expect("open")
            .append(&entry(9))
            .expect_err("refused");
        assert!(matches!(err, AuditError::Corrupt { .. }), "{err}");
        assert_eq!(verify(&path).map_err(|e| e.line), Err(3));
    }

    #[test]
    fn concurrent_appends_keep_one_chain() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join(FILE_NAME);
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let path = path.clone();
                std::thread::spawn(move || {
                    let log = AuditLog::open(&path).expect("open");
                    for i in 0..25 {
                        log.append(&entry(t * 100 + i)).expect("append");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("thread");
        }
        assert_eq!(verify(&path), Ok(100));
    }
}
