//! Whole-tree checking for the CLI: a gitignore-aware parallel walk, parse, rules, secrets.
//!
//! Binary files and files over [`MAX_FILE_BYTES`] are skipped with a note; unreadable files become
//! errors for the caller to report. Nothing here prints except the optional progress callback.

use std::io::Read;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use rayon::prelude::*;

use crate::rules::suppress::{line_of, line_starts};
use crate::rules::{Finding, RuleSet};
use crate::syntax::Lang;
use crate::text::Source;

/// Files larger than this are skipped by the CLI and degraded in the editor.
pub const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024;

/// A 1-based line/column position (column in Unicode scalar values and in UTF-16 units).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub column_utf16: usize,
}

/// The findings of one file, with the positions the reporters need.
#[derive(Debug, Clone)]
pub struct FileReport {
    pub path: PathBuf,
    pub lang: Option<Lang>,
    pub findings: Vec<(Finding, LineCol, LineCol)>,
    /// For fixes in SARIF: (start, end) positions of each finding's fix range.
    pub fix_positions: Vec<Option<(LineCol, LineCol)>>,
}

/// Why a file was not checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    Binary,
    TooLarge(u64),
}

/// The outcome of a whole check.
#[derive(Debug, Default)]
pub struct CheckOutcome {
    pub files: Vec<FileReport>,
    pub checked: usize,
    pub skipped: Vec<(PathBuf, SkipReason)>,
    pub errors: Vec<(PathBuf, String)>,
}

/// Converts byte offsets to 1-based line/columns.
pub fn line_col(text: &str, starts: &[usize], offset: usize) -> LineCol {
    let offset = offset.min(text.len());
    let line = line_of(starts, offset);
    let mut start = starts[line].min(offset);
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let mut end = offset;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let prefix = &text[start..end];
    LineCol {
        line: line + 1,
        column: prefix.chars().count() + 1,
        column_utf16: prefix.encode_utf16().count() + 1,
    }
}

/// Lists the files under `paths` (gitignore-aware; hidden files such as `.env` are included,
/// `.git/` is not). Missing paths are returned as errors.
pub fn collect_files(
    paths: &[PathBuf],
    extra_ignores: &[String],
) -> (Vec<PathBuf>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        if !path.exists() {
            errors.push((path.clone(), "no such file or directory".to_string()));
            continue;
        }
        if path.is_file() {
            files.push(path.clone());
            continue;
        }
        let mut overrides = ignore::overrides::OverrideBuilder::new(path);
        for glob in extra_ignores {
            if let Err(err) = overrides.add(&format!("!{glob}")) {
                errors.push((path.clone(), format!("bad ignore glob `{glob}`: {err}")));
            }
        }
        let overrides = overrides
            .build()
            .unwrap_or_else(|_| ignore::overrides::Override::empty());
        let walker = ignore::WalkBuilder::new(path)
            .overrides(overrides)
            .hidden(false)
            .git_ignore(true)
            .git_global(false)
            .git_exclude(true)
            .require_git(false)
            .filter_entry(|e| e.file_name() != ".git")
            .build();
        for entry in walker {
            match entry {
                Ok(e) if e.file_type().is_some_and(|t| t.is_file()) => files.push(e.into_path()),
                Ok(_) => {}
                Err(err) => errors.push((path.clone(), err.to_string())),
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// Reads a file for checking: `Ok(None)` when it is skipped (binary or too large).
pub fn read_checkable(path: &Path) -> Result<Result<String, SkipReason>, std::io::Error> {
    let meta = std::fs::metadata(path)?;
    if meta.len() > MAX_FILE_BYTES {
        return Ok(Err(SkipReason::TooLarge(meta.len())));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)?.read_to_end(&mut bytes)?;
    if bytes.iter().take(8192).any(|b| *b == 0) {
        return Ok(Err(SkipReason::Binary));
    }
    match String::from_utf8(bytes) {
        Ok(text) => Ok(Ok(text)),
        Err(err) => {
            // Mostly-text files in another encoding: check what decodes.
            let bytes = err.into_bytes();
            let invalid = bytes.len()
                - String::from_utf8_lossy(&bytes)
                    .chars()
                    .filter(|c| *c != '\u{fffd}')
                    .map(char::len_utf8)
                    .sum::<usize>();
            if invalid * 10 > bytes.len() {
                Ok(Err(SkipReason::Binary))
            } else {
                Ok(Ok(String::from_utf8_lossy(&bytes).into_owned()))
            }
        }
    }
}

/// Checks one text (already read) and computes positions.
pub fn check_one(rules: &RuleSet, path: &Path, text: &str) -> FileReport {
    let lang = Lang::from_path(path);
    let findings = rules.check_text(lang, text);
    let starts = if findings.is_empty() {
        Vec::new()
    } else {
        line_starts(&Source::Str(text))
    };
    let pos = |r: &Range<usize>| {
        (
            line_col(text, &starts, r.start),
            line_col(text, &starts, r.end),
        )
    };
    let fix_positions = findings
        .iter()
        .map(|f| f.fix.as_ref().map(|fix| pos(&fix.range)))
        .collect();
    let findings = findings
        .into_iter()
        .map(|f| {
            let (s, e) = pos(&f.range);
            (f, s, e)
        })
        .collect();
    FileReport {
        path: path.to_path_buf(),
        lang,
        findings,
        fix_positions,
    }
}

/// Checks every file under `paths` with `jobs` threads; `progress(done, total)` is called as files finish.
pub fn check_paths(
    rules: &RuleSet,
    paths: &[PathBuf],
    extra_ignores: &[String],
    jobs: usize,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> CheckOutcome {
    let (files, mut errors) = collect_files(paths, extra_ignores);
    let total = files.len();
    let done = AtomicUsize::new(0);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.max(1))
        .build();
    let work = || {
        files
            .par_iter()
            .map(|path| {
                let result = match read_checkable(path) {
                    Ok(Ok(text)) => Ok(Ok(check_one(rules, path, &text))),
                    Ok(Err(skip)) => Ok(Err(skip)),
                    Err(err) => Err(err.to_string()),
                };
                progress(done.fetch_add(1, Ordering::Relaxed) + 1, total);
                (path, result)
            })
            .collect::<Vec<_>>()
    };
    let results = match &pool {
        Ok(pool) => pool.install(work),
        Err(_) => work(),
    };
    let mut outcome = CheckOutcome::default();
    for (path, result) in results {
        match result {
            Ok(Ok(report)) => {
                outcome.checked += 1;
                if !report.findings.is_empty() {
                    outcome.files.push(report);
                }
            }
            Ok(Err(skip)) => outcome.skipped.push((path.clone(), skip)),
            Err(err) => errors.push((path.clone(), err)),
        }
    }
    outcome.errors = errors;
    outcome
}
