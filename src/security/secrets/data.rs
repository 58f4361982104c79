//! The embedded pattern data (`config/security/secrets.yaml`), compiled once: provider regexes, the
//! generic detector's vocabulary and the Aho-Corasick keyword prefilters that decide what runs.

use std::collections::{BTreeMap, HashSet};
use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;
use serde::Deserialize;

use crate::rules::Confidence;

/// The embedded data file.
pub(super) const SECRETS_YAML: &str = include_str!("../../../config/security/secrets.yaml");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DataFile {
    providers: Vec<ProviderSpec>,
    generic: GenericSpec,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ProviderSpec {
    kind: String,
    #[serde(default)]
    keywords: Vec<String>,
    #[serde(default)]
    keywords_cs: Vec<String>,
    regex: String,
    #[serde(default)]
    entropy: f64,
    confidence: Confidence,
    #[serde(default)]
    check: Option<String>,
    #[serde(default = "default_true")]
    placeholder: bool,
}

fn default_true() -> bool {
    true
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GenericSpec {
    password_words: Vec<String>,
    secret_words: Vec<String>,
    secret_pairs: Vec<[String; 2]>,
    last_word_secret: Vec<String>,
    weak_words: Vec<String>,
    weak_pairs: Vec<[String; 2]>,
    negative_words: Vec<String>,
    stop_suffixes: Vec<String>,
    providers: Vec<String>,
}

/// Extra validation of a provider match, done in Rust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Check {
    None,
    Jwt,
    JwtBase64,
}

/// A compiled provider pattern.
#[derive(Debug)]
pub(super) struct Provider {
    pub kind: String,
    pub regex: Regex,
    pub min_entropy: f64,
    pub confidence: Confidence,
    pub check: Check,
    pub placeholder: bool,
}

/// Vocabulary of the generic `name = value` detector.
#[derive(Debug)]
pub(super) struct Vocab {
    pub password_words: HashSet<String>,
    pub secret_words: HashSet<String>,
    pub secret_pairs: HashSet<(String, String)>,
    pub last_word_secret: HashSet<String>,
    pub weak_words: HashSet<String>,
    pub weak_pairs: HashSet<(String, String)>,
    pub negative_words: HashSet<String>,
    pub stop_suffixes: HashSet<String>,
    pub providers: Vec<String>,
    /// Finds [`Vocab::providers`] in a lower-case name.
    pub provider_ac: AhoCorasick,
}

/// What a prefilter keyword switches on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Target {
    Provider(usize),
    Generic,
    PrivateKey,
    UrlPassword,
}

/// Everything `scan` needs, compiled once.
#[derive(Debug)]
pub(super) struct Engine {
    pub providers: Vec<Provider>,
    pub vocab: Vocab,
    /// ASCII case-insensitive keywords.
    pub ac_ci: AhoCorasick,
    pub ci_targets: Vec<Vec<Target>>,
    /// Case-sensitive keywords.
    pub ac_cs: AhoCorasick,
    pub cs_targets: Vec<Vec<Target>>,
    /// Every kind the engine can report, sorted, without duplicates.
    pub kinds: Vec<String>,
}

/// Kinds produced by Rust-side detectors (not listed in the data file).
pub(super) const BUILTIN_KINDS: &[&str] = &[
    super::KIND_PRIVATE_KEY,
    super::KIND_URL_PASSWORD,
    super::KIND_GENERIC_PASSWORD,
    super::KIND_GENERIC_SECRET,
];

/// Error in the embedded data: only reachable when the shipped YAML is broken, which the unit
/// tests rule out.
#[derive(Debug, thiserror::Error)]
pub(super) enum DataError {
    #[error("config/security/secrets.yaml: {0}")]
    Yaml(String),
    #[error("config/security/secrets.yaml: pattern for `{kind}`: {source}")]
    Regex { kind: String, source: regex::Error },
    #[error("config/security/secrets.yaml: pattern for `{0}` has no keyword")]
    NoKeyword(String),
    #[error("config/security/secrets.yaml: unknown check `{0}`")]
    UnknownCheck(String),
    #[error("keyword automaton: {0}")]
    Automaton(#[from] aho_corasick::BuildError),
}

fn set(words: &[String]) -> HashSet<String> {
    words.iter().map(|w| w.to_ascii_lowercase()).collect()
}

fn pairs(p: &[[String; 2]]) -> HashSet<(String, String)> {
    p.iter()
        .map(|[a, b]| (a.to_ascii_lowercase(), b.to_ascii_lowercase()))
        .collect()
}

/// Parses and compiles the embedded data.
pub(super) fn build() -> Result<Engine, DataError> {
    let file: DataFile =
        serde_saphyr::from_str(SECRETS_YAML).map_err(|e| DataError::Yaml(e.to_string()))?;
    let g = &file.generic;
    let vocab = Vocab {
        password_words: set(&g.password_words),
        secret_words: set(&g.secret_words),
        secret_pairs: pairs(&g.secret_pairs),
        last_word_secret: set(&g.last_word_secret),
        weak_words: set(&g.weak_words),
        weak_pairs: pairs(&g.weak_pairs),
        negative_words: set(&g.negative_words),
        stop_suffixes: set(&g.stop_suffixes),
        providers: g.providers.iter().map(|w| w.to_ascii_lowercase()).collect(),
        provider_ac: AhoCorasick::new(g.providers.iter().map(|w| w.to_ascii_lowercase()))?,
    };

    let mut ci: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    let mut cs: BTreeMap<String, Vec<Target>> = BTreeMap::new();
    let mut providers = Vec::with_capacity(file.providers.len());
    for (i, spec) in file.providers.into_iter().enumerate() {
        if spec.keywords.is_empty() && spec.keywords_cs.is_empty() {
            return Err(DataError::NoKeyword(spec.kind));
        }
        for k in &spec.keywords {
            ci.entry(k.to_ascii_lowercase())
                .or_default()
                .push(Target::Provider(i));
        }
        for k in &spec.keywords_cs {
            cs.entry(k.clone()).or_default().push(Target::Provider(i));
        }
        let regex = Regex::new(&spec.regex).map_err(|source| DataError::Regex {
            kind: spec.kind.clone(),
            source,
        })?;
        let check = match spec.check.as_deref() {
            None => Check::None,
            Some("jwt") => Check::Jwt,
            Some("jwt-base64") => Check::JwtBase64,
            Some(other) => return Err(DataError::UnknownCheck(other.to_string())),
        };
        providers.push(Provider {
            kind: spec.kind,
            regex,
            min_entropy: spec.entropy,
            confidence: spec.confidence,
            check,
            placeholder: spec.placeholder,
        });
    }

    // The generic detector wakes up on any secret-ish word or vendor name.
    let generic_words = vocab
        .password_words
        .iter()
        .chain(&vocab.secret_words)
        .chain(&vocab.last_word_secret)
        .chain(&vocab.weak_words)
        .chain(&vocab.providers)
        .cloned()
        .chain(
            ["key", "client", "access_id", "accessid", "app_id"]
                .iter()
                .map(|s| s.to_string()),
        );
    for w in generic_words {
        ci.entry(w).or_default().push(Target::Generic);
    }
    ci.entry("private key".into())
        .or_default()
        .push(Target::PrivateKey);
    ci.entry("://".into())
        .or_default()
        .push(Target::UrlPassword);

    let (ac_ci, ci_targets) = automaton(ci, true)?;
    let (ac_cs, cs_targets) = automaton(cs, false)?;

    let mut kinds: Vec<String> = providers.iter().map(|p| p.kind.clone()).collect();
    kinds.extend(BUILTIN_KINDS.iter().map(|k| k.to_string()));
    kinds.sort();
    kinds.dedup();

    Ok(Engine {
        providers,
        vocab,
        ac_ci,
        ci_targets,
        ac_cs,
        cs_targets,
        kinds,
    })
}

fn automaton(
    map: BTreeMap<String, Vec<Target>>,
    case_insensitive: bool,
) -> Result<(AhoCorasick, Vec<Vec<Target>>), DataError> {
    let mut words = Vec::with_capacity(map.len());
    let mut targets = Vec::with_capacity(map.len());
    for (w, mut t) in map {
        t.sort();
        t.dedup();
        words.push(w);
        targets.push(t);
    }
    let ac = AhoCorasick::builder()
        .ascii_case_insensitive(case_insensitive)
        .build(&words)?;
    Ok((ac, targets))
}

static ENGINE: LazyLock<Engine> = LazyLock::new(|| {
    // The data is compiled into the binary and `tests::data_compiles` builds it on every test
    // run, so this cannot fail in a shipped build.
    build().expect("embedded config/security/secrets.yaml is valid (checked by unit tests)")
});

/// The compiled engine.
pub(super) fn engine() -> &'static Engine {
    &ENGINE
}
