//! The generic detector: `<name> <op> <value>` where the name says "password", "secret",
//! "token", "api key"… in any common syntax — assignments in code (`=`, `:=`, `=>`), YAML and
//! JSON (`:`), `.env` and properties files, XML string resources (`name="api_key">…<`),
//! call arguments (`define('TOKEN', '…')`), comparisons with a literal and command-line flags
//! (`--token …`). The name decides how random the value must look; allow-lists drop
//! placeholders, code, references and benign formats.

use std::ops::Range;

use super::data::Vocab;
use super::heuristics::{
    Classes, entropy, is_benign_format, is_periodic, is_placeholder, is_uuid, looks_like_code,
};
use super::{Candidate, KIND_GENERIC_PASSWORD, KIND_GENERIC_SECRET, PRIO_GENERIC};
use crate::rules::Confidence;

/// How strongly a name says it holds a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Tier {
    /// `password`, `passwd`, `pwd`…
    Password,
    /// `secret`, `token`, `api_key`, `credentials`…
    Strong,
    /// A vendor name (`SOFTLAYER`, `HEROKU_KEY`, `sumologic.accessId`).
    Provider,
    /// `key`, `client_id`: only random-looking values.
    Weak,
}

/// What the name of an assignment says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct KeyInfo {
    pub tier: Tier,
    /// The last word of the name is itself a secret word (`DB_PASSWORD`, not `PasswordMgr`).
    pub last_is_secret: bool,
    /// A UUID value counts as a secret under this name.
    pub uuid_ok: bool,
}

/// Words that may sit next to a vendor name without changing what the name means.
const PROVIDER_FILLER: &[&str] = &[
    "key",
    "api",
    "client",
    "id",
    "access",
    "app",
    "token",
    "secret",
    "my",
    "the",
    "default",
    "prod",
    "production",
    "live",
    "dev",
    "account",
    "user",
    "auth",
    "oauth",
    "private",
    "personal",
];

/// Splits an identifier into lower-case words: snake, kebab, camel case; digits separate words
/// and are dropped (`token1` → `token`, `APIKey` → `api`, `key`).
pub(super) fn words(ident: &str) -> Vec<String> {
    let chars: Vec<char> = ident.chars().collect();
    let mut out = Vec::new();
    let mut cur = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphabetic() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let prev = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
        let next = chars.get(i + 1).copied();
        let boundary = c.is_ascii_uppercase()
            && match prev {
                Some(p) if p.is_ascii_lowercase() => true,
                Some(p) if p.is_ascii_uppercase() => next.is_some_and(|n| n.is_ascii_lowercase()),
                _ => false,
            };
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c.to_ascii_lowercase());
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// `word` is `kw`, ends with it (`snyktoken`, `dbpassword`; keywords of 5+ letters) or is `kw`
/// plus a neutral suffix (`secretvalue`).
fn word_is(word: &str, kw: &str) -> bool {
    if word == kw {
        return true;
    }
    if kw.len() >= 5 && word.ends_with(kw) {
        return true;
    }
    word.strip_prefix(kw)
        .is_some_and(|rest| matches!(rest, "value" | "key" | "str" | "string" | "text" | "s"))
}

/// Classifies the name of an assignment, or `None` when it does not name a secret.
pub(super) fn classify_key(key: &str, vocab: &Vocab) -> Option<KeyInfo> {
    let segments: Vec<&str> = key.split('.').filter(|s| !s.is_empty()).collect();
    let w = words(segments.last()?);
    let last = w.last()?;
    let all: Vec<String> = segments.iter().flat_map(|s| words(s)).collect();
    if all.iter().any(|x| vocab.negative_words.contains(x)) {
        return None;
    }
    let joined: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let vendors: Vec<&String> = vocab
        .provider_ac
        .find_overlapping_iter(&joined)
        .map(|m| &vocab.providers[m.pattern().as_usize()])
        .collect();
    let has_provider = !vendors.is_empty();

    let pair_in = |set: &std::collections::HashSet<(String, String)>| {
        w.windows(2)
            .any(|p| set.contains(&(p[0].clone(), p[1].clone())))
    };
    let pw = w
        .iter()
        .any(|x| vocab.password_words.iter().any(|k| word_is(x, k)));
    let sec = w
        .iter()
        .any(|x| vocab.secret_words.iter().any(|k| word_is(x, k)))
        || pair_in(&vocab.secret_pairs)
        || vocab.last_word_secret.contains(last);
    let weak_pair_end = w.len() >= 2
        && vocab
            .weak_pairs
            .contains(&(w[w.len() - 2].clone(), last.clone()));
    let weak = w.iter().any(|x| vocab.weak_words.contains(x)) || pair_in(&vocab.weak_pairs);
    let provider_only = has_provider
        && w.iter().all(|x| {
            PROVIDER_FILLER.contains(&x.as_str())
                || vendors
                    .iter()
                    .any(|v| v.contains(x.as_str()) || x.contains(v.as_str()))
        });

    let stop = vocab.stop_suffixes.contains(last) && !weak_pair_end;
    if stop && !provider_only {
        return None;
    }
    if w.len() == 1 && matches!(last.as_str(), "key" | "pass" | "pw") && !has_provider {
        return None; // `key = …` (map, sort, cache keys), `pass: …` (SPF results, flags)
    }
    let tier = if pw {
        Tier::Password
    } else if sec {
        Tier::Strong
    } else if provider_only || (weak && has_provider) {
        Tier::Provider
    } else if weak {
        Tier::Weak
    } else {
        return None;
    };
    let compound = w.windows(2).any(|p| {
        matches!(
            (p[0].as_str(), p[1].as_str()),
            ("api", "key")
                | ("api", "token")
                | ("access", "key")
                | ("auth", "token")
                | ("app", "key")
        )
    }) || w.iter().any(|x| {
        x.contains("secret")
            || matches!(
                x.as_str(),
                "apikey" | "apitoken" | "authtoken" | "accesskey" | "secretkey"
            )
    });
    let uuid_ok = matches!(tier, Tier::Provider | Tier::Password) || has_provider || compound;
    let last_is_secret = vocab
        .password_words
        .iter()
        .chain(&vocab.secret_words)
        .any(|k| word_is(last, k))
        || (w.len() >= 2
            && vocab
                .secret_pairs
                .contains(&(w[w.len() - 2].clone(), last.clone())));
    Some(KeyInfo {
        tier,
        last_is_secret,
        uuid_ok,
    })
}

/// How the value is introduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Assign,
    Compare,
    Xml,
    Comma,
    Space,
}

fn is_key_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')
}

/// What follows an unquoted value ends it as in a config file: end of line, a comment, the
/// next query parameter (`&`), or trailing spaces. Code goes on with `,`, `;`, `)`…
fn ends_statement(after: &str) -> bool {
    let t = after.trim_start();
    t.is_empty() || t.starts_with('#') || t.starts_with("//") || t.starts_with('&')
}

/// The quoted name starting at `ks` (after its quote) is the first argument of a call:
/// `define('TOKEN', …)`, `put("password", …)`, not an item of a list.
fn first_call_argument(bytes: &[u8], line_start: usize, ks: usize) -> bool {
    let mut i = ks.saturating_sub(1); // the opening quote
    while i > line_start && matches!(bytes[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    i > line_start && bytes[i - 1] == b'('
}

/// Longest name or value we look at.
const MAX_KEY: usize = 128;
const MAX_VALUE: usize = 1024;

/// Parses the assignment whose name contains the keyword hit at byte `hit` of `text`, on the
/// line `line`. `last_key` is the start of the name parsed last (hits come in order, so a name
/// holding several keywords is parsed once). Returns the end of
/// the value when a secret-named assignment was parsed, reported or not, so that words inside
/// that value (`arn:…:secret:…`) are not taken for names.
pub(super) fn scan_at(
    text: &str,
    hit: usize,
    line: Range<usize>,
    vocab: &Vocab,
    last_key: &mut Option<usize>,
    out: &mut Vec<Candidate>,
) -> Option<usize> {
    let bytes = text.as_bytes();
    let (ls, le) = (line.start, line.end);
    let mut ks = hit;
    while ks > ls && is_key_byte(bytes[ks - 1]) && hit - ks < MAX_KEY {
        ks -= 1;
    }
    let mut ke = hit;
    while ke < le && is_key_byte(bytes[ke]) && ke - hit < MAX_KEY {
        ke += 1;
    }
    let mut flag = false;
    while ks < ke && matches!(bytes[ks], b'-' | b'.') {
        flag |= bytes[ks] == b'-';
        ks += 1;
    }
    while ke > ks && matches!(bytes[ke - 1], b'-' | b'.') {
        ke -= 1;
    }
    if ks >= ke || *last_key == Some(ks) {
        return None;
    }
    *last_key = Some(ks);
    let key = &text[ks..ke];
    let info = classify_key(key, vocab)?;
    let prev = if ks > ls { bytes[ks - 1] } else { b'\n' };
    if prev == b'/' {
        return None; // a path or URL segment (`wiki/The_Secret_Saturdays:_Beasts…`)
    }
    let quoted_key = matches!(prev, b'"' | b'\'' | b'`');
    let xml_element = prev == b'<';
    let key_starts_line = bytes[ls..ks]
        .iter()
        .rev()
        .all(|b| matches!(b, b' ' | b'\t'));

    // Closing quote / bracket of the name: `"key":`, `['key'] =`, `\"key\":`.
    let mut p = ke;
    let mut closed = false;
    let mut n = 0;
    while p < le && n < 3 && matches!(bytes[p], b'"' | b'\'' | b'`' | b']' | b'\\') {
        closed |= matches!(bytes[p], b'"' | b'\'' | b'`');
        p += 1;
        n += 1;
    }
    let ws_start = p;
    while p < le && matches!(bytes[p], b' ' | b'\t') {
        p += 1;
    }
    let had_ws = p > ws_start;
    let rest = &bytes[p..le];
    let (op, op_len) = if rest.starts_with(b":::=") {
        (Op::Assign, 4)
    } else if rest.starts_with(b"::=") {
        (Op::Assign, 3)
    } else if rest.starts_with(b":=") || rest.starts_with(b"?=") || rest.starts_with(b"=>") {
        (Op::Assign, 2)
    } else if rest.starts_with(b"===") || rest.starts_with(b"!==") {
        (Op::Compare, 3)
    } else if rest.starts_with(b"==") || rest.starts_with(b"!=") {
        (Op::Compare, 2)
    } else if rest.starts_with(b"=") {
        (Op::Assign, 1)
    } else if rest.starts_with(b":") {
        if matches!(rest.get(1), Some(b':' | b'/')) {
            return None; // `Foo::Bar`, `https://`
        }
        (Op::Assign, 1)
    } else if rest.starts_with(b">") && (closed || xml_element) {
        (Op::Xml, 1)
    } else if rest.starts_with(b",")
        && quoted_key
        && closed
        && first_call_argument(bytes, ls, ks)
        && info.last_is_secret
    {
        (Op::Comma, 1)
    } else if had_ws
        && !rest.is_empty()
        && (flag || (key_starts_line && matches!(info.tier, Tier::Password | Tier::Strong)))
    {
        (Op::Space, 0)
    } else {
        return None;
    };
    p += op_len;
    while p < le && matches!(bytes[p], b' ' | b'\t') {
        p += 1;
    }
    // `@"…"` (C#), `r"…"`/`b'…'` (Python, Rust), `\"…\"` (JSON inside a string).
    if p + 1 < le && matches!(bytes[p + 1], b'"' | b'\'') {
        if matches!(
            bytes[p],
            b'@' | b'r' | b'R' | b'b' | b'B' | b'u' | b'U' | b'\\'
        ) {
            p += 1;
        }
    } else if p < le && bytes[p] == b'@' && p + 1 < le && bytes[p + 1] == b'"' {
        p += 1;
    }
    let quote = match bytes.get(p) {
        Some(&q @ (b'"' | b'\'' | b'`')) if p < le => {
            p += 1;
            Some(q)
        }
        _ => None,
    };
    if matches!(op, Op::Comma | Op::Compare) && quote.is_none() {
        return None;
    }
    if xml_element && op != Op::Xml {
        return None; // `<name:…`, e.g. our own `<secret:KIND-N>` placeholders
    }
    // `Authorization: Bearer <token>`
    for scheme in ["bearer ", "basic ", "token "] {
        let end = p + scheme.len();
        if end < le
            && text
                .get(p..end)
                .is_some_and(|w| w.eq_ignore_ascii_case(scheme))
        {
            p = end;
            break;
        }
    }
    let vs = p;
    let mut ve = p;
    match (op, quote) {
        (Op::Xml, _) => {
            while ve < le && bytes[ve] != b'<' {
                ve += 1;
            }
        }
        (_, Some(q)) => {
            while ve < le && bytes[ve] != q && bytes[ve] != b'\\' {
                ve += 1;
            }
        }
        (_, None) => {
            while ve < le
                && !matches!(
                    bytes[ve],
                    b' ' | b'\t'
                        | b'\r'
                        | b'"'
                        | b'\''
                        | b'`'
                        | b','
                        | b';'
                        | b'<'
                        | b'>'
                        | b'&'
                        | b')'
                        | b']'
                        | b'}'
                        | b'\\'
                )
            {
                ve += 1;
            }
        }
    }
    let raw = &text[vs..ve];
    let closed_value = quote.is_some_and(|q| ve < le && bytes[ve] == q);
    if closed_value && raw.trim() != raw {
        return None; // `" --user "`: text, not a token
    }
    let value = if op == Op::Xml {
        raw.trim()
    } else {
        raw.trim_end()
    };
    let start = vs + (raw.len() - raw.trim_start().len());
    let value = value.trim_start();
    if value.is_empty() || value.len() > MAX_VALUE || value.contains([' ', '\t']) {
        return None;
    }
    if op == Op::Space && !flag && (value.len() < 20 || !value.bytes().any(|b| b.is_ascii_digit()))
    {
        return None;
    }
    if op == Op::Xml && !text[ve..le].starts_with("</") {
        return None; // `<key>value</…>` only; `parse::<TokenStream>().unwrap()` is code
    }
    if quote.is_none() && op != Op::Xml && !flag && !ends_statement(&text[ve..le]) {
        return None; // `Password: super::UNICODE_STRING,`, `{ token: value1, … }`
    }
    let quoted = quote.is_some() || op == Op::Xml;
    let end = start + value.len();
    let name_letters: String = key.chars().filter(char::is_ascii_alphabetic).collect();
    let value_letters: String = value.chars().filter(char::is_ascii_alphabetic).collect();
    let names_itself = !value_letters.is_empty()
        && name_letters
            .to_ascii_lowercase()
            .contains(&value_letters.to_ascii_lowercase());
    let verdict = if names_itself {
        None // `[aux_sym_string_token1] = "string_token1"`: the value is the name
    } else {
        validate(value, info, quoted, vocab)
    };
    let Some(confidence) = verdict else {
        // A URL value may still hold `?token=…`; anything else is consumed.
        return (!value.contains("://")).then_some(end);
    };
    let kind = if info.tier == Tier::Password {
        KIND_GENERIC_PASSWORD
    } else {
        KIND_GENERIC_SECRET
    };
    out.push(Candidate {
        kind,
        range: start..end,
        confidence,
        prio: PRIO_GENERIC,
    });
    Some(end)
}

/// Mostly words joined by `_`, `-` or `.`: a name or a slug, not a generated token.
fn is_slug(v: &str) -> bool {
    let parts: Vec<&str> = v.split(['_', '-', '.']).filter(|p| !p.is_empty()).collect();
    let words = parts
        .iter()
        .filter(|p| p.len() >= 2 && p.bytes().all(|b| b.is_ascii_alphabetic()))
        .count();
    words >= 3 && words * 10 >= parts.len() * 6
}

/// Mostly capitalised words (`FlowAuthMethodRegistrationRequiredV2`): at least three `Xxxxx+`
/// words holding half the letters. Generated tokens almost never have three.
fn is_wordy(v: &str) -> bool {
    let b = v.as_bytes();
    let letters = b.iter().filter(|c| c.is_ascii_alphabetic()).count();
    let (mut count, mut in_words, mut i) = (0, 0, 0);
    while i < b.len() {
        if b[i].is_ascii_uppercase() {
            let mut j = i + 1;
            while j < b.len() && b[j].is_ascii_lowercase() {
                j += 1;
            }
            if j - i >= 5 {
                count += 1;
                in_words += j - i;
            }
            i = j;
        } else {
            i += 1;
        }
    }
    count >= 3 && in_words * 2 >= letters
}

/// Publishable client-side tokens, public by design: Stripe `pk_live_…`, `pub…` client tokens.
fn is_public_token(lower: &str) -> bool {
    lower.starts_with("pk_live_")
        || lower.starts_with("pk_test_")
        || lower
            .strip_prefix("pub")
            .is_some_and(|rest| rest.len() >= 16 && rest.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Decides whether `v`, assigned to a name of `info`, is a secret, and how sure we are.
pub(super) fn validate(v: &str, info: KeyInfo, quoted: bool, vocab: &Vocab) -> Option<Confidence> {
    let len = v.len();
    let min_len = match info.tier {
        Tier::Password => 6,
        Tier::Strong => 8,
        Tier::Provider => 10,
        Tier::Weak => 16,
    };
    if len < min_len || len > MAX_VALUE {
        return None;
    }
    if is_placeholder(v, true) || (!quoted && looks_like_code(v)) || is_benign_format(v) {
        return None;
    }
    if is_uuid(v) {
        return info.uuid_ok.then_some(Confidence::Low);
    }
    let lower = v.to_ascii_lowercase();
    if is_public_token(&lower) || is_periodic(v) {
        return None;
    }
    let c = Classes::of(v);
    let h = entropy(v);
    if c.digit && !c.letter() && !c.other {
        // Only digits: long random numbers (not timestamps, not ids).
        return (len >= 16 && info.tier != Tier::Weak && h >= 2.5).then_some(Confidence::Low);
    }
    let symbol = v
        .bytes()
        .any(|b| !b.is_ascii_alphanumeric() && !matches!(b, b'_' | b'-' | b'.'));
    if !c.digit && !symbol {
        // Letters (and `_-.`) only: a word or an identifier (`__globPaths__`) unless mixed
        // case and random enough; a passphrase (`CorrectHorseBatteryStaple`) under a password
        // name.
        let passphrase = info.tier == Tier::Password && v.bytes().all(|b| b.is_ascii_alphabetic());
        let (min_len, min_h) = if passphrase { (12, 3.0) } else { (20, 3.5) };
        if !(c.lower && c.upper) || len < min_len || h < min_h {
            return None;
        }
    }
    let secret_word = |w: &String| w.len() >= 5;
    let mut vocab_words = vocab
        .password_words
        .iter()
        .chain(&vocab.secret_words)
        .filter(|w| secret_word(w));
    if !c.digit && vocab_words.clone().any(|w| lower.contains(w.as_str())) {
        return None; // `txtCfmPassword`, `secret_token_name`
    }
    let value_words = words(v);
    if !symbol && vocab_words.any(|k| value_words.iter().any(|vw| vw == k)) {
        return None; // `FlowPasswordRequiredV2`, `access_token_2`: a name with a number
    }
    if info.tier != Tier::Password && !v.is_ascii() {
        return None; // prose in another script
    }
    if matches!(info.tier, Tier::Strong | Tier::Provider) && is_slug(v) {
        return None; // `prod-db-credentials-v2`, `The_Beasts_of_the_Sun`
    }
    if info.tier != Tier::Password && is_wordy(v) {
        return None; // `FlowAuthMethodRegistrationRequiredV2`: an identifier
    }
    // Entropy floor: `target` bits/char, eased for short values (8 chars hold at most 3 bits).
    let floor = |target: f64| target.min(0.85 * (len as f64).log2());
    let ok = match info.tier {
        Tier::Password => c.count() >= 2 && h >= floor(2.3),
        Tier::Strong => c.count() >= 2 && h >= floor(3.0),
        Tier::Provider => c.letter() && c.digit && h >= floor(3.0),
        Tier::Weak => {
            // Only token alphabets (hex, base64): `cache_key = "user_profile_2024"` is a name.
            c.letter()
                && c.digit
                && h >= 3.1
                && v.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        }
    };
    if !ok {
        return None;
    }
    let confidence = match info.tier {
        Tier::Password if c.count() >= 3 && len >= 10 => Confidence::Medium,
        Tier::Strong if len >= 16 && h >= 3.5 => Confidence::Medium,
        _ => Confidence::Low,
    };
    Some(confidence)
}
