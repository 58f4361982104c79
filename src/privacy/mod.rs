//! Privacy guard: redaction and local-only enforcement before anything leaves the machine.
//!
//! Every feature path that sends context to a model goes through [`Guard::check_and_prepare`]
//! (or [`Guard::check_and_prepare_parts`]):
//! * a provider that is `local: true` gets the text as is (hidden Unicode still stripped);
//! * otherwise, in `local-only` mode or for a file matching `local_only_paths`, the call is refused;
//! * otherwise (`redact`), every secret found by the secrets engine, and every match of the
//!   configured `redact_patterns`, is replaced by a `<secret:KIND-N>` placeholder.
//!
//! Zero-width, bidi-control and Unicode-tag characters are stripped from outgoing context and
//! flagged in model output ([`scan_output`]), the "Rules File Backdoor" lesson.

use std::path::Path;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use regex::Regex;
use serde::Serialize;

use crate::config::{PrivacyConfig, PrivacyMode};

/// Why context may not be sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PrivacyError {
    #[error(
        "`{path}` matches local_only_paths (`{glob}`), so it is only sent to local providers; enable a local provider (e.g. Ollama) for this action, or remove the pattern from security/privacy.yaml in your user config"
    )]
    LocalOnlyPath { path: String, glob: String },
    #[error(
        "privacy mode is `local-only`, so nothing is sent to a non-local provider; enable a local provider (e.g. Ollama), or set `mode: redact` in security/privacy.yaml in your user config"
    )]
    LocalOnlyMode,
    #[error("bad local_only_paths glob `{glob}`: {reason}")]
    BadGlob { glob: String, reason: String },
    #[error("bad redact_patterns regex `{id}`: {reason}")]
    BadPattern { id: String, reason: String },
}

/// Context ready to send.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Prepared {
    pub text: String,
    /// Secrets replaced by placeholders.
    pub redactions: usize,
    /// Kinds of the replaced secrets (e.g. `aws-access-key-id`), sorted, without duplicates.
    pub redacted_kinds: Vec<String>,
    /// Hidden Unicode characters stripped.
    pub flagged_unicode: usize,
}

/// One piece of context and the workspace-relative file it came from, if any.
#[derive(Debug, Clone, Copy)]
pub struct ContextPart<'a> {
    pub path: Option<&'a Path>,
    pub text: &'a str,
}

/// The class of a hidden character.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HiddenKind {
    ZeroWidth,
    BidiControl,
    UnicodeTag,
}

impl HiddenKind {
    pub fn as_str(self) -> &'static str {
        match self {
            HiddenKind::ZeroWidth => "zero-width",
            HiddenKind::BidiControl => "bidi-control",
            HiddenKind::UnicodeTag => "unicode-tag",
        }
    }
}

/// A hidden character found in text; `line` and `column` are 1-based, column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Flag {
    pub offset: usize,
    pub line: usize,
    pub column: usize,
    pub codepoint: u32,
    pub kind: HiddenKind,
}

impl std::fmt::Display for Flag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: hidden {} character U+{:04X}",
            self.line,
            self.column,
            self.kind.as_str(),
            self.codepoint
        )
    }
}

/// Classifies `c` as a hidden character, if it is one.
pub fn hidden_kind(c: char) -> Option<HiddenKind> {
    match c as u32 {
        0x200B..=0x200D | 0x2060..=0x2064 | 0xFEFF | 0x180E | 0x00AD => Some(HiddenKind::ZeroWidth),
        0x200E | 0x200F | 0x061C | 0x202A..=0x202E | 0x2066..=0x2069 => {
            Some(HiddenKind::BidiControl)
        }
        0xE0000..=0xE007F => Some(HiddenKind::UnicodeTag),
        _ => None,
    }
}

/// Every hidden character in `text` (use on model output before showing or applying it).
pub fn scan_output(text: &str) -> Vec<Flag> {
    let mut flags = Vec::new();
    let mut line = 1;
    let mut column = 1;
    for (offset, c) in text.char_indices() {
        if let Some(kind) = hidden_kind(c) {
            flags.push(Flag {
                offset,
                line,
                column,
                codepoint: c as u32,
                kind,
            });
        }
        if c == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    flags
}

/// `text` without hidden characters, and how many were removed.
pub fn strip_hidden(text: &str) -> (String, usize) {
    let mut removed = 0;
    let out = text
        .chars()
        .filter(|c| {
            let hidden = hidden_kind(*c).is_some();
            removed += usize::from(hidden);
            !hidden
        })
        .collect();
    (out, removed)
}

/// The privacy policy, compiled.
#[derive(Debug, Clone)]
pub struct Guard {
    mode: PrivacyMode,
    globs: Vec<String>,
    /// Two matchers per glob (anchored, and at any depth); index / 2 is the glob.
    set: GlobSet,
    patterns: Vec<(String, Regex)>,
}

impl Guard {
    /// Compiles the configuration. The loader already dropped bad globs and regexes with a
    /// diagnostic, so this only fails for a `PrivacyConfig` built by hand.
    pub fn new(cfg: &PrivacyConfig) -> Result<Guard, PrivacyError> {
        let mut builder = GlobSetBuilder::new();
        for glob in &cfg.local_only_paths {
            let anchored = glob.trim_start_matches('/');
            let deep = if glob.starts_with('/') || anchored.starts_with("**/") {
                anchored.to_string()
            } else {
                format!("**/{anchored}")
            };
            for g in [anchored.to_string(), deep] {
                let compiled = GlobBuilder::new(&g)
                    .literal_separator(true)
                    .build()
                    .map_err(|e| PrivacyError::BadGlob {
                        glob: glob.clone(),
                        reason: e.to_string(),
                    })?;
                builder.add(compiled);
            }
        }
        let set = builder.build().map_err(|e| PrivacyError::BadGlob {
            glob: cfg.local_only_paths.join(", "),
            reason: e.to_string(),
        })?;
        let patterns = cfg
            .redact_patterns
            .iter()
            .map(|p| {
                Regex::new(&p.regex)
                    .map(|re| (p.id.clone(), re))
                    .map_err(|e| PrivacyError::BadPattern {
                        id: p.id.clone(),
                        reason: e.to_string(),
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Guard {
            mode: cfg.mode,
            globs: cfg.local_only_paths.clone(),
            set,
            patterns,
        })
    }

    pub fn mode(&self) -> PrivacyMode {
        self.mode
    }

    /// Hidden characters in model output (same as [`scan_output`]).
    pub fn scan_output(&self, text: &str) -> Vec<Flag> {
        scan_output(text)
    }

    /// The `local_only_paths` glob that `rel` (workspace-relative) matches, if any.
    pub fn local_only_match(&self, rel: &Path) -> Option<&str> {
        let text = rel.to_string_lossy().replace('\\', "/");
        let text = text.trim_start_matches("./");
        let mut hits = self.set.matches(text);
        if hits.is_empty()
            && let Some(name) = rel.file_name()
        {
            hits = self.set.matches(Path::new(name));
        }
        hits.first()
            .and_then(|i| self.globs.get(i / 2))
            .map(String::as_str)
    }

    /// Refuses when context from `rel` may not go to this provider.
    pub fn check_path(
        &self,
        rel: Option<&Path>,
        provider_is_local: bool,
    ) -> Result<(), PrivacyError> {
        if provider_is_local || self.mode == PrivacyMode::Off {
            return Ok(());
        }
        if self.mode == PrivacyMode::LocalOnly {
            return Err(PrivacyError::LocalOnlyMode);
        }
        if let Some(rel) = rel
            && let Some(glob) = self.local_only_match(rel)
        {
            return Err(PrivacyError::LocalOnlyPath {
                path: rel.to_string_lossy().replace('\\', "/"),
                glob: glob.to_string(),
            });
        }
        Ok(())
    }

    /// Checks and prepares one piece of context for a provider.
    pub fn check_and_prepare(
        &self,
        text: &str,
        file_rel: Option<&Path>,
        provider_is_local: bool,
    ) -> Result<Prepared, PrivacyError> {
        self.check_path(file_rel, provider_is_local)?;
        Ok(self.prepare(text, provider_is_local))
    }

    /// Checks every part first (nothing is prepared if one is refused), then prepares each.
    pub fn check_and_prepare_parts(
        &self,
        parts: &[ContextPart<'_>],
        provider_is_local: bool,
    ) -> Result<Vec<Prepared>, PrivacyError> {
        for part in parts {
            self.check_path(part.path, provider_is_local)?;
        }
        Ok(parts
            .iter()
            .map(|p| self.prepare(p.text, provider_is_local))
            .collect())
    }

    fn prepare(&self, text: &str, provider_is_local: bool) -> Prepared {
        let (clean, flagged_unicode) = strip_hidden(text);
        if provider_is_local || self.mode == PrivacyMode::Off {
            return Prepared {
                text: clean,
                flagged_unicode,
                ..Prepared::default()
            };
        }
        let redacted = crate::security::secrets::redact(&clean);
        let mut text = redacted.text;
        let mut redactions = redacted.count;
        let mut kinds = redacted.kinds;
        for (id, re) in &self.patterns {
            let mut n = 0usize;
            let replaced = re
                .replace_all(&text, |_: &regex::Captures<'_>| {
                    n += 1;
                    format!("<secret:{id}-{n}>")
                })
                .into_owned();
            if n > 0 {
                redactions += n;
                kinds.push(id.clone());
                text = replaced;
            }
        }
        kinds.sort();
        kinds.dedup();
        Prepared {
            text,
            redactions,
            redacted_kinds: kinds,
            flagged_unicode,
        }
    }
}

/// The shared guard is what the AI actions (CLI and LSP) run every prompt through.
impl crate::ai::action::PromptGuard for Guard {
    fn prepare(
        &self,
        provider_local: bool,
        path: &str,
        text: &str,
    ) -> Result<crate::ai::action::Guarded, String> {
        let rel = (!path.is_empty()).then(|| Path::new(path));
        match self.check_and_prepare(text, rel, provider_local) {
            Ok(prepared) => Ok(crate::ai::action::Guarded {
                text: prepared.text,
                redactions: prepared.redactions,
            }),
            Err(err) => Err(err.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::RedactPattern;

    fn guard(mode: PrivacyMode) -> Guard {
        Guard::new(&PrivacyConfig {
            mode,
            ..PrivacyConfig::default()
        })
        .expect("guard")
    }

    #[test]
    fn local_only_path_table() {
        let g = guard(PrivacyMode::Redact);
        for (path, local_only) in [
            (".env", true),
            (".env.local", true),
            ("config/.env", true),
            ("a/b/secrets/x.txt", true),
            ("secrets/deep/y", true),
            ("id_rsa", true),
            ("id_rsa.pub", true),
            ("home/.ssh/id_rsa", true),
            ("server.pem", true),
            ("certs/server.key", true),
            ("store.p12", true),
            ("credentials.json", true),
            ("aws/credentials", true),
            ("main.py", false),
            ("src/environment.rs", false),
            ("docs/secrets.md", false),
            ("keys.txt", false),
        ] {
            assert_eq!(
                g.local_only_match(Path::new(path)).is_some(),
                local_only,
                "{path}"
            );
        }
    }

    #[test]
    fn refuses_local_only_for_cloud_but_not_for_local() {
        let g = guard(PrivacyMode::Redact);
        let err = g
            .check_and_prepare("API=1", Some(Path::new("config/.env")), false)
            .expect_err("refused");
        assert!(err.to_string().contains("local providers"), "{err}");
        assert!(
            g.check_and_prepare("API=1", Some(Path::new("config/.env")), true)
                .is_ok()
        );
        let g = guard(PrivacyMode::LocalOnly);
        assert_eq!(
            g.check_and_prepare("x", Some(Path::new("main.py")), false),
            Err(PrivacyError::LocalOnlyMode)
        );
        assert!(g.check_and_prepare("x", None, true).is_ok());
        let g = guard(PrivacyMode::Off);
        assert!(
            g.check_and_prepare("x", Some(Path::new(".env")), false)
                .is_ok()
        );
    }

    #[test]
    fn parts_are_all_checked_first() {
        let g = guard(PrivacyMode::Redact);
        let parts = [
            ContextPart {
                path: Some(Path::new("main.py")),
                text: "print(1)",
            },
            ContextPart {
                path: Some(Path::new("server.pem")),
                text: "-----",
            },
        ];
        assert!(g.check_and_prepare_parts(&parts, false).is_err());
        assert_eq!(
            g.check_and_prepare_parts(&parts, true)
                .expect("local")
                .len(),
            2
        );
    }

    #[test]
    fn hidden_unicode_is_stripped_and_flagged() {
        let text = "let a\u{200B} = 1;\n// \u{202E}evil\u{2066}\nx\u{E0041}";
        let flags = scan_output(text);
        let kinds: Vec<HiddenKind> = flags.iter().map(|f| f.kind).collect();
        assert_eq!(
            kinds,
            vec![
                HiddenKind::ZeroWidth,
                HiddenKind::BidiControl,
                HiddenKind::BidiControl,
                HiddenKind::UnicodeTag
            ]
        );
        assert_eq!((flags[1].line, flags[1].column), (2, 4));
        let g = guard(PrivacyMode::Redact);
        let p = g.check_and_prepare(text, None, true).expect("local");
        assert_eq!(p.flagged_unicode, 4);
        assert!(scan_output(&p.text).is_empty());
        assert_eq!(p.text, "let a = 1;\n// evil\nx");
    }

    #[test]
    fn extra_patterns_are_redacted_for_cloud_only() {
        let g = Guard::new(&PrivacyConfig {
            redact_patterns: vec![RedactPattern {
                id: "corp-host".into(),
                regex: r"[a-z0-9-]+\.corp\.example\.com".into(),
            }],
            ..PrivacyConfig::default()
        })
        .expect("guard");
        let text = "connect to db1.corp.example.com and db2.corp.example.com";
        let p = g.check_and_prepare(text, None, false).expect("cloud");
        assert!(!p.text.contains("corp.example.com"), "{}", p.text);
        assert!(p.text.contains("<secret:corp-host-2>"), "{}", p.text);
        assert_eq!(p.redactions, 2);
        let p = g.check_and_prepare(text, None, true).expect("local");
        assert_eq!(p.text, text);
        assert_eq!(p.redactions, 0);
    }
}
