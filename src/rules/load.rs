//! Loading rule metadata and queries from the embedded packs, the user dir and the workspace.
//!
//! Every problem becomes a [`LoadError`] naming file, line and reason; the broken file (or rule) is
//! skipped and everything else still loads.

use std::path::{Path, PathBuf};

use include_dir::{Dir, include_dir};
use serde::Deserialize;

use crate::rules::RuleMeta;

static EMBEDDED_CONFIG: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/config");
static EMBEDDED_QUERIES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/queries");

/// Where a set of rule files comes from, in increasing precedence.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RuleSource {
    /// The packs shipped in the binary (`config/rules/`, `queries/`).
    Embedded,
    /// A directory with the same layout (`rules/**/*.yaml`, `queries/<lang>/*.scm`):
    /// the user config dir, or a workspace's `.codomyrmex/`.
    Dir { root: PathBuf, label: String },
}

impl RuleSource {
    pub fn label(&self) -> String {
        match self {
            RuleSource::Embedded => "built-in".to_string(),
            RuleSource::Dir { label, .. } => label.clone(),
        }
    }
}

/// A rule or query file that could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}:{line}: {reason}")]
pub struct LoadError {
    pub file: String,
    pub line: usize,
    pub reason: String,
}

/// One text file read from a source.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Display path (`builtin:config/rules/x.yaml` or a filesystem path).
    pub path: String,
    pub text: String,
}

/// A query file with the language directory it sits in.
#[derive(Debug, Clone)]
pub struct QueryFile {
    pub lang_dir: String,
    pub file: SourceFile,
}

/// The raw files of one source.
#[derive(Debug, Default)]
pub struct RawFiles {
    pub rule_files: Vec<SourceFile>,
    pub query_files: Vec<QueryFile>,
    pub errors: Vec<LoadError>,
}

/// Reads a source's files (no parsing yet).
pub fn read_source(source: &RuleSource) -> RawFiles {
    let mut raw = RawFiles::default();
    match source {
        RuleSource::Embedded => {
            if let Some(rules) = EMBEDDED_CONFIG.get_dir("rules") {
                collect_embedded_yaml(rules, &mut raw.rule_files);
            }
            for lang_dir in EMBEDDED_QUERIES.dirs() {
                let Some(lang) = lang_dir.path().file_name().and_then(|n| n.to_str()) else {
                    continue;
                };
                for file in lang_dir.files() {
                    if file.path().extension().and_then(|e| e.to_str()) != Some("scm") {
                        continue;
                    }
                    let text = String::from_utf8_lossy(file.contents()).into_owned();
                    raw.query_files.push(QueryFile {
                        lang_dir: lang.to_string(),
                        file: SourceFile {
                            path: format!("builtin:queries/{}", file.path().display()),
                            text,
                        },
                    });
                }
            }
        }
        RuleSource::Dir { root, .. } => {
            let rules_dir = root.join("rules");
            if rules_dir.is_dir() {
                collect_fs_yaml(&rules_dir, &mut raw, 0);
            }
            let queries_dir = root.join("queries");
            if let Ok(entries) = std::fs::read_dir(&queries_dir) {
                let mut dirs: Vec<PathBuf> = entries
                    .flatten()
                    .map(|e| e.path())
                    .filter(|p| p.is_dir())
                    .collect();
                dirs.sort();
                for dir in dirs {
                    let Some(lang) = dir.file_name().and_then(|n| n.to_str()).map(str::to_string)
                    else {
                        continue;
                    };
                    let Ok(files) = std::fs::read_dir(&dir) else {
                        continue;
                    };
                    let mut files: Vec<PathBuf> = files.flatten().map(|e| e.path()).collect();
                    files.sort();
                    for path in files
                        .into_iter()
                        .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("scm"))
                    {
                        match std::fs::read_to_string(&path) {
                            Ok(text) => raw.query_files.push(QueryFile {
                                lang_dir: lang.clone(),
                                file: SourceFile {
                                    path: path.display().to_string(),
                                    text,
                                },
                            }),
                            Err(err) => raw.errors.push(LoadError {
                                file: path.display().to_string(),
                                line: 0,
                                reason: format!("cannot read query file: {err}"),
                            }),
                        }
                    }
                }
            }
        }
    }
    raw
}

fn collect_embedded_yaml(dir: &Dir<'static>, out: &mut Vec<SourceFile>) {
    let mut files: Vec<_> = dir.files().collect();
    files.sort_by_key(|f| f.path());
    for file in files {
        if is_yaml(file.path()) {
            out.push(SourceFile {
                path: format!("builtin:config/{}", file.path().display()),
                text: String::from_utf8_lossy(file.contents()).into_owned(),
            });
        }
    }
    let mut dirs: Vec<_> = dir.dirs().collect();
    dirs.sort_by_key(|d| d.path());
    for sub in dirs {
        collect_embedded_yaml(sub, out);
    }
}

fn collect_fs_yaml(dir: &Path, raw: &mut RawFiles, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        if path.is_dir() {
            collect_fs_yaml(&path, raw, depth + 1);
        } else if is_yaml(&path) {
            match std::fs::read_to_string(&path) {
                Ok(text) => raw.rule_files.push(SourceFile {
                    path: path.display().to_string(),
                    text,
                }),
                Err(err) => raw.errors.push(LoadError {
                    file: path.display().to_string(),
                    line: 0,
                    reason: format!("cannot read rule file: {err}"),
                }),
            }
        }
    }
}

fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleFile {
    #[serde(default)]
    rules: Vec<RuleMeta>,
}

/// Parses one rule YAML file. A file that does not parse yields one error and no rules.
pub fn parse_rule_file(file: &SourceFile) -> Result<Vec<RuleMeta>, LoadError> {
    if file.text.trim().is_empty() {
        return Ok(Vec::new());
    }
    match serde_saphyr::from_str::<RuleFile>(&file.text) {
        Ok(parsed) => Ok(parsed.rules),
        Err(err) => {
            let line = err.location().map(|l| l.line() as usize).unwrap_or(0);
            let reason = err.to_string();
            let reason = reason.lines().next().unwrap_or("invalid YAML").to_string();
            Err(LoadError {
                file: file.path.clone(),
                line,
                reason,
            })
        }
    }
}

/// 1-based line of `id: <id>` in a rule file (for validation errors), or 0.
pub fn line_of_rule(file_text: &str, id: &str) -> usize {
    for (i, line) in file_text.lines().enumerate() {
        let t = line.trim_start().trim_start_matches("- ").trim_start();
        if let Some(rest) = t.strip_prefix("id:") {
            let v = rest.trim().trim_matches(|c| c == '"' || c == '\'');
            if v == id {
                return i + 1;
            }
        }
    }
    0
}
