//! Value heuristics shared by the detectors: Shannon entropy, placeholders and fake values,
//! character classes, and formats that look like secrets but are not (UUIDs, integrity hashes,
//! versions, paths, references to a secret store).

/// Shannon entropy of the bytes of `s`, in bits per byte.
pub(super) fn entropy(s: &str) -> f64 {
    let bytes = s.as_bytes();
    if bytes.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for &b in bytes {
        counts[usize::from(b)] += 1;
    }
    let n = bytes.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Character classes present in a value.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Classes {
    pub lower: bool,
    pub upper: bool,
    pub digit: bool,
    pub other: bool,
}

impl Classes {
    pub fn of(s: &str) -> Classes {
        let mut c = Classes::default();
        for b in s.bytes() {
            match b {
                b'a'..=b'z' => c.lower = true,
                b'A'..=b'Z' => c.upper = true,
                b'0'..=b'9' => c.digit = true,
                _ => c.other = true,
            }
        }
        c
    }

    pub fn count(self) -> usize {
        [self.lower, self.upper, self.digit, self.other]
            .iter()
            .filter(|&&x| x)
            .count()
    }

    pub fn letter(self) -> bool {
        self.lower || self.upper
    }
}

/// Words in a value that say it is not a real secret. Matched case-insensitively anywhere.
const FAKE_MARKERS: &[&str] = &[
    "example",
    "sample",
    "dummy",
    "placeholder",
    "redacted",
    "changeme",
    "change_me",
    "change-me",
    "changeit",
    "replace_me",
    "replaceme",
    "replace-me",
    "fake",
    "notreal",
    "not_real",
    "not-a-real",
    "testkey",
    "test_key",
    "testtoken",
    "test_token",
    "testsecret",
    "test_secret",
    "testpass",
    "your_",
    "your-",
    "yourkey",
    "yourtoken",
    "yoursecret",
    "yourpass",
    "_here",
    "-here",
    "insert_",
    "insert-",
];

/// Values that are words, not secrets (compared case-insensitively with the whole value).
const PLACEHOLDER_WORDS: &[&str] = &[
    "password",
    "passwd",
    "secret",
    "token",
    "apikey",
    "api_key",
    "none",
    "null",
    "nil",
    "undefined",
    "true",
    "false",
    "empty",
    "default",
    "required",
    "optional",
    "todo",
    "tbd",
    "fixme",
    "string",
    "value",
    "bearer",
    "basic",
    "changeit",
    "password1",
    "password123",
    "secret123",
    "12345678",
    "123456789",
    "1234567890",
    "qwertyuiop",
    "abcdefgh",
];

/// Is this value a placeholder, template, masked or self-declared fake value?
///
/// `markers` also applies [`FAKE_MARKERS`] (off for URL passwords, where words such as "sample"
/// are common in real ones).
pub(super) fn is_placeholder(v: &str, markers: bool) -> bool {
    let lower = v.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.contains(&lower.as_str()) {
        return true;
    }
    let first = v.as_bytes().first().copied().unwrap_or(b' ');
    if matches!(first, b'$' | b'%' | b'{' | b'<' | b'!' | b'&' | b'*' | b'[') {
        return true;
    }
    if ["${", "{{", "}}", "%(", "%s", "...", "\u{2026}", "#{"]
        .iter()
        .any(|p| v.contains(p))
        || (v.contains('<') && v.contains('>'))
    {
        return true;
    }
    if has_mask_run(v) {
        return true;
    }
    if markers && has_fake_marker(v, &lower) {
        return true;
    }
    if lower.starts_with("your") || lower.starts_with("my_") || lower.starts_with("enter") {
        return true;
    }
    // "abababab", "aaaa": too few distinct characters to be a key.
    let mut distinct: Vec<u8> = v.bytes().collect();
    distinct.sort_unstable();
    distinct.dedup();
    distinct.len() <= 2
}

/// A [`FAKE_MARKERS`] word written as people write it (`fake`, `FAKE`, `Fake`), not a chance
/// mixed-case run inside a random token (`…lFaKe…`).
fn has_fake_marker(v: &str, lower: &str) -> bool {
    FAKE_MARKERS.iter().any(|m| {
        lower.match_indices(m).any(|(i, _)| {
            let orig = &v[i..i + m.len()];
            let letters = || orig.chars().filter(char::is_ascii_alphabetic);
            letters().all(|c| c.is_ascii_lowercase())
                || letters().all(|c| c.is_ascii_uppercase())
                || (letters().next().is_some_and(|c| c.is_ascii_uppercase())
                    && letters().skip(1).all(|c| c.is_ascii_lowercase()))
        })
    })
}

/// The value (almost: 90 %) repeats a unit of at most 8 characters (`abcd1234abcd1234…`):
/// typed by hand, not generated.
pub(super) fn is_periodic(v: &str) -> bool {
    let b = v.as_bytes();
    (1..=8).any(|p| {
        b.len() >= 3 * p
            && (p..b.len()).filter(|&i| b[i] == b[i - p]).count() * 10 >= (b.len() - p) * 9
    })
}

/// Four or more of `x`, `X`, `*`, `#`, `.`, `•` in a row, the usual ways to mask or elide a value.
fn has_mask_run(v: &str) -> bool {
    let mut prev = '\0';
    let mut run = 0;
    for c in v.chars() {
        if matches!(c, 'x' | 'X' | '*' | '#' | '.' | '\u{2022}' | '\u{25cf}') && c == prev {
            run += 1;
            if run >= 4 {
                return true;
            }
        } else {
            run = 1;
        }
        prev = c;
    }
    false
}

/// `8-4-4-4-12` hex digits.
pub(super) fn is_uuid(v: &str) -> bool {
    let b = v.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &c)| match i {
            8 | 13 | 18 | 23 => c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An unquoted value that is code rather than a literal: a call, an index, a member chain
/// (`this.password`, `os.environ[...]`, `process.env.TOKEN`), or a bare identifier.
pub(super) fn looks_like_code(v: &str) -> bool {
    if v.bytes()
        .any(|b| matches!(b, b'(' | b')' | b'[' | b']' | b'{' | b'}'))
        || v.contains("::")
        || v.starts_with(':')
        || v.ends_with('!')
    {
        return true; // calls, indexing, paths (`std::env`), macros (`quote!`)
    }
    let ident_start = |s: &str| {
        s.bytes()
            .next()
            .is_some_and(|b| b.is_ascii_alphabetic() || b == b'_' || b == b'$')
    };
    let ident_rest = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'$' | b'-'))
    };
    let parts: Vec<&str> = v.split('.').collect();
    if parts.len() >= 2 && parts.iter().all(|p| ident_start(p) && ident_rest(p)) {
        return true;
    }
    // A bare identifier without digits is a variable, not a value.
    ident_start(v)
        && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !v.bytes().any(|b| b.is_ascii_digit())
}

const FILE_EXTENSIONS: &[&str] = &[
    "json",
    "yaml",
    "yml",
    "xml",
    "txt",
    "pem",
    "key",
    "crt",
    "cer",
    "der",
    "p12",
    "pfx",
    "jks",
    "keystore",
    "env",
    "ini",
    "cfg",
    "conf",
    "properties",
    "toml",
    "js",
    "ts",
    "py",
    "rb",
    "go",
    "java",
    "sh",
    "html",
    "png",
    "jpg",
    "gpg",
    "asc",
    "pub",
    "csv",
    "log",
    "lock",
    "db",
    "sqlite",
    "gz",
    "zip",
    "tgz",
    "tar",
    "bin",
    "exe",
    "dll",
    "so",
    "img",
    "iso",
    "jar",
    "war",
    "svg",
    "gif",
    "css",
    "md",
];

/// Formats that are not secrets even under a secret-sounding name.
pub(super) fn is_benign_format(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    if lower.contains("://") {
        return true; // a URL; embedded passwords are the URL detector's job
    }
    if ["/", "./", "../", "~/"].iter().any(|p| v.starts_with(p))
        || (v.len() > 2 && v.as_bytes()[1] == b':' && v.as_bytes()[2] == b'\\')
    {
        return true; // a path
    }
    if [
        "sha1-",
        "sha256-",
        "sha384-",
        "sha512-",
        "sha1:",
        "sha256:",
        "sha512:",
        "md5:",
        "md5-",
        "h1:",
        "arn:",
        "vault:",
        "secretsmanager:",
        "ssm:",
        "projects/",
        "env:",
        "file:",
    ]
    .iter()
    .any(|p| lower.starts_with(p))
    {
        return true; // an integrity hash or a reference to a secret store
    }
    if v.starts_with("(?") || v.starts_with("^(") || (v.starts_with('^') && v.ends_with('$')) {
        return true; // a regular expression
    }
    if is_version_or_number(v) {
        return true;
    }
    if is_email(v) {
        return true;
    }
    if let Some((stem, ext)) = v.rsplit_once('.')
        && !stem.is_empty()
        && FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
        && stem
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'\\'))
    {
        return true; // a file name
    }
    // ALL_CAPS_CONSTANT: a reference to another setting.
    let b = v.as_bytes();
    b.first().is_some_and(u8::is_ascii_uppercase)
        && v.contains('_')
        && b.iter()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || *c == b'_')
}

/// `1.2.3`, `v2.0.1-beta`, `3.14`, an IPv4 address.
fn is_version_or_number(v: &str) -> bool {
    let s = v.strip_prefix(['v', 'V']).unwrap_or(v);
    let core = s.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= 2
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        && core.len() * 2 >= s.len()
}

fn is_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'+'))
        && domain.contains('.')
        && domain
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'))
}

/// Decodes base64 (standard or URL-safe alphabet, padding optional). `None` on a bad character.
pub(super) fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc: u32 = 0;
    let mut bits = 0;
    for b in s.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => break,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(((acc >> bits) & 0xff) as u8);
        }
    }
    Some(out)
}
