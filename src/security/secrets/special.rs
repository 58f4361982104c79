//! Detectors that need more than one regex: PEM/PGP private key blocks (multi-line, body checked
//! for entropy), passwords embedded in URLs (`scheme://user:pass@host`), and JWT validation
//! (the header must decode to JSON with `alg` or `typ`).

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

use super::heuristics::{base64_decode, entropy, is_placeholder};
use super::{Candidate, KIND_PRIVATE_KEY, KIND_URL_PASSWORD, PRIO_PRIVATE_KEY, PRIO_URL};
use crate::rules::Confidence;

static PEM_HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----")
        .expect("constant PEM header regex compiles")
});

static URL_CREDENTIALS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)\b[a-z][a-z0-9+.-]{1,30}://(?P<user>[^\s:/?#@"'`<>]{0,128}):(?P<pass>[^\s/@"'`<>]{1,256})@(?P<host>[^\s/?#"'`<>]*)"#,
    )
    .expect("constant URL credentials regex compiles")
});

/// Longest body we read after a `BEGIN … PRIVATE KEY` header.
const PEM_MAX_BODY: usize = 64 * 1024;

/// Finds private key blocks whose header starts on the line beginning at `line_start`.
pub(super) fn private_keys(
    text: &str,
    line_start: usize,
    line_end: usize,
    out: &mut Vec<Candidate>,
) {
    let line = &text[line_start..line_end];
    for m in PEM_HEADER.find_iter(line) {
        let start = line_start + m.start();
        let header_end = line_start + m.end();
        let window_end = floor_char_boundary(text, (header_end + PEM_MAX_BODY).min(text.len()));
        let window = &text[header_end..window_end];
        // With an END marker the block is well delimited; without one, the body runs while
        // lines are key material. Either way the body must be key material, not code.
        let material = match window.find("-----END") {
            Some(i) => {
                let after = &window[i + 8..];
                let close = after
                    .find("-----")
                    .map(|j| i + 8 + j + 5)
                    .filter(|&j| !window[i..j].contains('\n'))
                    .unwrap_or(i + 8);
                key_material(&window[..i]).map(|m| (m, header_end + close))
            }
            None => {
                let mut used = 0;
                let mut material = String::new();
                for l in window.split_inclusive('\n') {
                    match key_material(l) {
                        Some(m) if !m.is_empty() || used == 0 => material.push_str(&m),
                        _ => break,
                    }
                    used += l.len();
                }
                let body = &window[..used];
                Some((material, header_end + body.trim_end().len()))
            }
        };
        let Some((material, end)) = material else {
            continue;
        };
        if material.len() < 8 || (material.len() < 64 && is_placeholder(&material, true)) {
            continue;
        }
        let h = entropy(&material);
        let confidence = if material.len() >= 64 && h >= 4.0 {
            Confidence::High
        } else if material.len() >= 8 && h >= 2.5 {
            Confidence::Medium
        } else {
            continue;
        };
        out.push(Candidate {
            kind: KIND_PRIVATE_KEY,
            range: start..end,
            confidence,
            prio: PRIO_PRIVATE_KEY,
        });
    }
}

/// The base64 characters of a key body, without PEM headers (`Proc-Type: …`), string quoting,
/// concatenation or escaped newlines; `None` when a line is not key material (code, prose).
fn key_material(body: &str) -> Option<String> {
    let mut s = String::new();
    for line in body.replace("\\n", "\n").replace("\\r", "\n").lines() {
        let t = line
            .trim()
            .trim_matches(|c: char| matches!(c, '"' | '\'' | '`' | ',' | '+' | ';' | '\\'))
            .trim();
        if t.is_empty() || t.contains(": ") {
            continue;
        }
        if !t
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        {
            return None;
        }
        s.push_str(t);
    }
    Some(s)
}

fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// Well-known example passwords in URLs (`postgres://user:password@localhost`).
const URL_PLACEHOLDERS: &[&str] = &[
    "password", "passwd", "pass", "pwd", "secret", "changeme", "user", "username", "pw", "xxx",
];

/// Passwords in `scheme://user:password@host` on one line.
pub(super) fn url_passwords(text: &str, line: Range<usize>, out: &mut Vec<Candidate>) {
    let slice = &text[line.clone()];
    for caps in URL_CREDENTIALS.captures_iter(slice) {
        let (Some(user), Some(pass), Some(host)) =
            (caps.name("user"), caps.name("pass"), caps.name("host"))
        else {
            continue;
        };
        let p = pass.as_str();
        let u = user.as_str();
        let c = p.bytes();
        let varied = c.clone().any(|b| !b.is_ascii_lowercase());
        if p.len() < 6
            || (!varied && p.len() < 8)
            || p == u
            || URL_PLACEHOLDERS.contains(&p.to_ascii_lowercase().as_str())
            || p.contains(['{', '}', '<', '>'])
            || p.starts_with(['$', '%'])
            || p.contains("%s")
            || p.chars()
                .all(|c| matches!(c, '*' | 'x' | 'X' | '.' | '\u{2022}' | '\u{25cf}'))
            || (p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()))
        // host:port@
        {
            continue;
        }
        let local = {
            let h = host.as_str().to_ascii_lowercase();
            h.starts_with("localhost") || h.starts_with("127.0.0.1") || h.contains("example.")
        };
        let confidence = if !local && p.len() >= 8 && entropy(p) >= 3.0 {
            Confidence::High
        } else if local {
            Confidence::Low
        } else {
            Confidence::Medium
        };
        out.push(Candidate {
            kind: KIND_URL_PASSWORD,
            range: line.start + pass.start()..line.start + pass.end(),
            confidence,
            prio: PRIO_URL,
        });
    }
}

/// A JWT's header segment decodes to a JSON object naming `alg` or `typ`.
pub(super) fn valid_jwt(token: &str) -> bool {
    let header = token.split('.').next().unwrap_or("");
    base64_decode(header).is_some_and(|bytes| {
        let s = String::from_utf8_lossy(&bytes);
        s.trim_start().starts_with('{') && (s.contains("\"alg\"") || s.contains("\"typ\""))
    })
}

/// Base64 of a JWT: decodes to text starting with a JWT header (`eyJ…`).
pub(super) fn valid_jwt_base64(s: &str) -> bool {
    // Decode a prefix only: 4 base64 chars give 3 bytes, so take a multiple of 4.
    let n = (s.len().min(96) / 4) * 4;
    base64_decode(&s[..n]).is_some_and(|bytes| {
        let inner = String::from_utf8_lossy(&bytes);
        let head: String = inner.chars().take_while(|c| *c != '.').collect();
        let m = (head.len() / 4) * 4;
        inner.starts_with("eyJ")
            && head
                .get(..m)
                .and_then(base64_decode)
                .is_some_and(|b| String::from_utf8_lossy(&b).starts_with("{\""))
    })
}
