//! Secrets engine: provider patterns, keyword prefilter, entropy, allow-lists, redaction.
//!
//! [`scan`] finds hard-coded credentials in any text (source, `.env`, YAML, JSON, prompts) and
//! [`redact`] replaces them with stable placeholders before a prompt leaves the machine. The
//! design follows gitleaks: an Aho-Corasick keyword prefilter decides which detectors run on
//! which lines, each detector is a regex (provider formats, from the embedded
//! `config/security/secrets.yaml`) or a small parser (the generic `name = value` detector,
//! private key blocks, URL credentials), and allow-lists plus Shannon-entropy floors drop
//! placeholders, templates, references and fake values. Everything is compiled once.
//!
//! Values are never logged or returned whole outside [`SecretMatch::range`]: messages use
//! [`SecretMatch::masked`].

mod data;
mod generic;
mod heuristics;
mod special;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};
use std::ops::Range;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::rules::Confidence;
use data::{Check, Target, engine};

/// Kind of a `-----BEGIN … PRIVATE KEY-----` block.
pub const KIND_PRIVATE_KEY: &str = "private-key";
/// Kind of a password in `scheme://user:password@host`.
pub const KIND_URL_PASSWORD: &str = "url-password";
/// Kind of a value assigned to a password-like name.
pub const KIND_GENERIC_PASSWORD: &str = "generic-password";
/// Kind of a value assigned to a secret-, token- or key-like name.
pub const KIND_GENERIC_SECRET: &str = "generic-secret";

/// Overlap resolution: the higher wins.
const PRIO_PRIVATE_KEY: u16 = 3000;
const PRIO_PROVIDER_BASE: u16 = 2000;
const PRIO_URL: u16 = 500;
const PRIO_GENERIC: u16 = 100;

/// One secret found in a text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretMatch {
    /// `secrets.<kind>`, a rule of `config/rules/security/secrets.yaml`.
    pub rule_id: String,
    /// What was found, e.g. `aws-access-key-id`.
    pub kind: &'static str,
    /// Byte range of the secret value in the scanned text.
    pub range: Range<usize>,
    /// A display form that never holds the whole value, e.g. `AKIA…XY (20 chars)`.
    pub masked: String,
    pub confidence: Confidence,
}

/// A text with its secrets replaced by placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redacted {
    pub text: String,
    /// Number of replacements made.
    pub count: usize,
    /// Kinds replaced, sorted, without duplicates.
    pub kinds: Vec<String>,
}

/// A detector's raw result before overlaps are resolved.
#[derive(Debug, Clone)]
struct Candidate {
    kind: &'static str,
    range: Range<usize>,
    confidence: Confidence,
    prio: u16,
}

/// Every kind [`scan`] can report (each has a rule `secrets.<kind>`).
pub fn kinds() -> impl Iterator<Item = &'static str> {
    engine().kinds.iter().map(String::as_str)
}

/// Finds the secrets in `text`, in order of position, without overlaps.
pub fn scan(text: &str) -> Vec<SecretMatch> {
    let mut cands = candidates(text);
    // Highest priority first, then leftmost, then longest; keep what does not overlap. Kept
    // ranges are disjoint, so the kept range starting last before a candidate's end is the only
    // one that can overlap it.
    cands.sort_by(|a, b| {
        b.prio
            .cmp(&a.prio)
            .then(a.range.start.cmp(&b.range.start))
            .then(b.range.end.cmp(&a.range.end))
    });
    let mut taken: BTreeMap<usize, usize> = BTreeMap::new(); // start -> end
    let mut kept: Vec<Candidate> = Vec::with_capacity(cands.len());
    for c in cands {
        if c.range.is_empty() {
            continue;
        }
        let overlaps = taken
            .range(..c.range.end)
            .next_back()
            .is_some_and(|(_, &end)| end > c.range.start);
        if !overlaps {
            taken.insert(c.range.start, c.range.end);
            kept.push(c);
        }
    }
    kept.sort_by_key(|c| c.range.start);
    kept.into_iter()
        .map(|c| SecretMatch {
            rule_id: format!("secrets.{}", c.kind),
            kind: c.kind,
            masked: mask(c.kind, &text[c.range.clone()]),
            range: c.range,
            confidence: c.confidence,
        })
        .collect()
}

/// Runs the prefilter and the detectors it selects.
fn candidates(text: &str) -> Vec<Candidate> {
    let eng = engine();
    let mut out = Vec::new();
    let mut provider_lines: Vec<(usize, usize)> = Vec::new(); // (provider, line start)
    let mut generic_hits: Vec<usize> = Vec::new();
    let mut pem_lines: Vec<usize> = Vec::new();
    let mut url_lines: Vec<usize> = Vec::new();

    let mut hits: Vec<(usize, &[Target])> = Vec::new();
    for m in eng.ac_ci.find_overlapping_iter(text) {
        hits.push((m.start(), &eng.ci_targets[m.pattern().as_usize()]));
    }
    for m in eng.ac_cs.find_overlapping_iter(text) {
        hits.push((m.start(), &eng.cs_targets[m.pattern().as_usize()]));
    }
    if hits.is_empty() {
        return out;
    }
    let lines = LineIndex::new(text);
    for (pos, targets) in hits {
        for t in targets {
            match *t {
                Target::Provider(i) => provider_lines.push((i, lines.start_of(pos))),
                Target::Generic => generic_hits.push(pos),
                Target::PrivateKey => pem_lines.push(lines.start_of(pos)),
                Target::UrlPassword => url_lines.push(lines.start_of(pos)),
            }
        }
    }

    provider_lines.sort_unstable();
    provider_lines.dedup();
    for (i, ls) in provider_lines {
        let p = &eng.providers[i];
        let le = lines.end_of(text, ls);
        let line = &text[ls..le];
        for caps in p.regex.captures_iter(line) {
            let Some(m) = caps.name("s").or_else(|| caps.get(0)) else {
                continue;
            };
            let s = m.as_str();
            if heuristics::entropy(s) < p.min_entropy
                || (p.placeholder && heuristics::is_placeholder(s, true))
            {
                continue;
            }
            let ok = match p.check {
                Check::None => true,
                Check::Jwt => special::valid_jwt(s),
                Check::JwtBase64 => special::valid_jwt_base64(s),
            };
            if !ok {
                continue;
            }
            let prio = PRIO_PROVIDER_BASE.saturating_sub(u16::try_from(i).unwrap_or(u16::MAX));
            out.push(Candidate {
                kind: p.kind.as_str(),
                range: ls + m.start()..ls + m.end(),
                confidence: p.confidence,
                prio,
            });
        }
    }

    generic_hits.sort_unstable();
    generic_hits.dedup();
    let mut last_key: Option<usize> = None;
    let mut consumed_until = 0;
    for pos in generic_hits {
        if pos < consumed_until {
            continue;
        }
        let ls = lines.start_of(pos);
        let le = lines.end_of(text, ls);
        if let Some(end) = generic::scan_at(text, pos, ls..le, &eng.vocab, &mut last_key, &mut out)
        {
            consumed_until = end;
        }
    }

    pem_lines.sort_unstable();
    pem_lines.dedup();
    for ls in pem_lines {
        special::private_keys(text, ls, lines.end_of(text, ls), &mut out);
    }
    url_lines.sort_unstable();
    url_lines.dedup();
    for ls in url_lines {
        special::url_passwords(text, ls..lines.end_of(text, ls), &mut out);
    }
    out
}

/// Newline positions, for mapping a byte offset to its line.
struct LineIndex {
    newlines: Vec<usize>,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        LineIndex {
            newlines: text
                .bytes()
                .enumerate()
                .filter(|(_, b)| *b == b'\n')
                .map(|(i, _)| i)
                .collect(),
        }
    }

    /// Start of the line holding byte `pos`.
    fn start_of(&self, pos: usize) -> usize {
        match self.newlines.partition_point(|&n| n < pos) {
            0 => 0,
            i => self.newlines[i - 1] + 1,
        }
    }

    /// End (exclusive, before `\n`) of the line starting at `start`.
    fn end_of(&self, text: &str, start: usize) -> usize {
        let i = self.newlines.partition_point(|&n| n < start);
        self.newlines.get(i).copied().unwrap_or(text.len())
    }
}

/// A display form of a secret that shows at most a third of it (never more than 4 leading and
/// 2 trailing characters) and its length: `AKIA…XY (20 chars)`. Private keys show their header.
pub fn mask(kind: &str, value: &str) -> String {
    let n = value.chars().count();
    if kind == KIND_PRIVATE_KEY
        && value.starts_with("-----BEGIN")
        && let Some(j) = value[10..].find("-----")
    {
        return format!("{}\u{2026} ({n} chars)", &value[..10 + j + 5]);
    }
    let reveal = (n / 3).min(6);
    let head = reveal.min(4);
    let tail = reveal - head;
    let prefix: String = value.chars().take(head).collect();
    let suffix: String = value.chars().skip(n - tail).collect();
    format!("{prefix}\u{2026}{suffix} ({n} chars)")
}

/// Replaces every secret of `text` with `<secret:KIND-N>`: `N` counts per kind from 1 in order
/// of appearance, and the same value always gets the same placeholder. A value found once is
/// also replaced where it appears again without context.
pub fn redact(text: &str) -> Redacted {
    let found = scan(text);
    if found.is_empty() {
        return Redacted {
            text: text.to_string(),
            count: 0,
            kinds: Vec::new(),
        };
    }
    // Placeholders in order of first appearance.
    let mut placeholder_of: HashMap<&str, String> = HashMap::new();
    let mut per_kind: HashMap<&str, usize> = HashMap::new();
    let mut values: Vec<&str> = Vec::new();
    for m in &found {
        let v = &text[m.range.clone()];
        if !placeholder_of.contains_key(v) {
            let n = per_kind.entry(m.kind).or_insert(0);
            *n += 1;
            placeholder_of.insert(v, format!("<secret:{}-{}>", m.kind, n));
            values.push(v);
        }
    }
    // Ranges to replace: the matches, plus later bare repeats of values long enough to be
    // unambiguous.
    let mut spans: Vec<(Range<usize>, &str)> = found
        .iter()
        .map(|m| (m.range.clone(), &text[m.range.clone()]))
        .collect();
    let repeatable: Vec<&str> = values.iter().copied().filter(|v| v.len() >= 8).collect();
    if !repeatable.is_empty()
        && let Ok(ac) = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&repeatable)
    {
        for m in ac.find_iter(text) {
            let r = m.start()..m.end();
            if spans
                .iter()
                .all(|(s, _)| r.end <= s.start || s.end <= r.start)
            {
                spans.push((r, repeatable[m.pattern().as_usize()]));
            }
        }
    }
    spans.sort_by_key(|(r, _)| r.start);

    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut kinds: Vec<String> = Vec::new();
    for (r, v) in &spans {
        out.push_str(&text[last..r.start]);
        if let Some(p) = placeholder_of.get(v) {
            out.push_str(p);
        }
        last = r.end;
    }
    out.push_str(&text[last..]);
    for m in &found {
        if !kinds.iter().any(|k| k == m.kind) {
            kinds.push(m.kind.to_string());
        }
    }
    kinds.sort();
    Redacted {
        text: out,
        count: spans.len(),
        kinds,
    }
}
