//! `codomyrmex ai ACTION FILE[:LINE[:COL]] [--instruction TEXT] [--apply] [--provider NAME] [--model M]`.
//!
//! Runs one AI action through [`crate::ai::action::run_action`] (the same code the editor uses):
//! `explain` prints the explanation; the edit actions print a unified diff of the enclosing syntax
//! node and write the file only with `--apply`. Exit codes: 0 done, 1 the model failed or its
//! reply held no usable code (one sentence on stderr), 2 usage, configuration or I/O error.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use tokio_util::sync::CancellationToken;

use crate::ai::action::{ActionError, ActionOutput, ActionRequest, GenerationOptions, run_action};
use crate::ai::prompt::{Action, DiagnosticContext};
use crate::ai::{ProviderSpec, build_provider};
use crate::audit::AuditLog;
use crate::config::Config;
use crate::rules::{RuleSet, SeverityOverrides};
use crate::syntax::Lang;

/// Arguments of `codomyrmex ai`.
#[derive(Debug, clap::Args)]
pub struct AiArgs {
    /// The action: explain, document, rewrite, tests or fix.
    pub action: String,
    /// The file, optionally with a 1-based line and column: `src/lib.rs:42:5`.
    #[arg(value_name = "FILE[:LINE[:COL]]")]
    pub target: String,
    /// What to do (required by `rewrite`; extra guidance for the others).
    #[arg(long, short = 'i')]
    pub instruction: Option<String>,
    /// Write the proposed change to the file (otherwise only print the diff).
    #[arg(long)]
    pub apply: bool,
    /// Use this configured provider instead of the role's choice.
    #[arg(long)]
    pub provider: Option<String>,
    /// Use this model instead of the role's or the provider's default.
    #[arg(long)]
    pub model: Option<String>,
}

/// Splits `FILE[:LINE[:COL]]`, preferring an existing file when the name itself has colons.
fn parse_target(target: &str) -> (PathBuf, Option<usize>, Option<usize>) {
    if Path::new(target).exists() {
        return (PathBuf::from(target), None, None);
    }
    let parts: Vec<&str> = target.rsplitn(3, ':').collect();
    let num = |s: &str| s.parse::<usize>().ok().filter(|n| *n > 0);
    match parts.as_slice() {
        [col, line, file] if num(col).is_some() && num(line).is_some() => {
            (PathBuf::from(file), num(line), num(col))
        }
        [line, rest @ ..] if num(line).is_some() => {
            let file = rest.iter().rev().copied().collect::<Vec<_>>().join(":");
            (PathBuf::from(file), num(line), None)
        }
        _ => (PathBuf::from(target), None, None),
    }
}

/// The byte offset of a 1-based line and column (column counted in characters).
fn offset_of(text: &str, line: usize, col: Option<usize>) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line {
        start += text[start..].find('\n')? + 1;
    }
    let line_text = text[start..].split('\n').next().unwrap_or("");
    let byte_col = match col {
        None => line_text.len() - line_text.trim_start().len(),
        Some(c) => line_text
            .char_indices()
            .nth(c - 1)
            .map_or(line_text.len(), |(i, _)| i),
    };
    Some(start + byte_col)
}

/// The nearest ancestor holding `.codomyrmex/` or `.git`, else the file's directory.
fn workspace_root(file: &Path) -> PathBuf {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    let mut cur = Some(dir.as_path());
    while let Some(d) = cur {
        if d.join(".codomyrmex").is_dir() || d.join(".git").exists() {
            return d.to_path_buf();
        }
        cur = d.parent();
    }
    dir
}

pub fn run(args: AiArgs) -> anyhow::Result<i32> {
    let Some(action) = Action::from_name(&args.action) else {
        let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
        bail!(
            "unknown action `{}`; expected one of {}",
            args.action,
            names.join(", ")
        );
    };
    let (file, line, col) = parse_target(&args.target);
    let text = std::fs::read_to_string(&file)
        .with_context(|| format!("cannot read {}", file.display()))?;
    let Some(lang) = Lang::from_path(&file) else {
        bail!("cannot tell the language of {}", file.display());
    };
    let offset = match line {
        Some(l) => Some(
            offset_of(&text, l, col)
                .with_context(|| format!("{} has no line {l}", file.display()))?,
        ),
        None => None,
    };
    let abs = std::fs::canonicalize(&file)
        .with_context(|| format!("cannot resolve {}", file.display()))?;
    let root = workspace_root(&abs);
    let shown = abs
        .strip_prefix(&root)
        .unwrap_or(&abs)
        .to_string_lossy()
        .replace('\\', "/");

    let (config, diagnostics) = crate::config::load(Some(&root), None);
    for d in &diagnostics {
        eprintln!("codomyrmex: {d}");
    }
    if !config.ai.enabled {
        eprintln!("codomyrmex: AI features are turned off (settings.yaml: ai.enabled: false)");
        return Ok(1);
    }
    let (settings, model, options) = match choose(
        &config,
        action,
        args.provider.as_deref(),
        args.model.as_deref(),
    ) {
        Ok(choice) => choice,
        Err(sentence) => {
            eprintln!("codomyrmex: {sentence}");
            return Ok(1);
        }
    };
    let provider = match build_provider(&ProviderSpec::from(settings)) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("codomyrmex: {e}");
            return Ok(1);
        }
    };

    let fix_diagnostics = if action == Action::Fix {
        diagnostics_at(&root, lang, &text, offset)
    } else {
        Vec::new()
    };
    let guard = match crate::privacy::Guard::new(&config.privacy) {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("codomyrmex: privacy settings: {e}");
            return Ok(2);
        }
    };
    // Every model call is audited: no audit log, no call.
    let audit = match AuditLog::open_default() {
        Ok(log) => Some(log),
        Err(e) => {
            eprintln!(
                "codomyrmex: cannot open the audit log ({e}); refusing to call a model without it"
            );
            return Ok(2);
        }
    };
    let request = ActionRequest {
        action,
        lang,
        path: &shown,
        text: &text,
        offset,
        instruction: args.instruction.as_deref(),
        diagnostics: &fix_diagnostics,
        model: model.as_deref(),
        options,
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let cancel = CancellationToken::new();
    let progress = std::io::stderr().is_terminal();
    let mut received = 0usize;
    let mut on_chunk = |delta: &str| {
        received += delta.len();
        if progress {
            eprint!("\r{}: receiving… {received} bytes", provider.name());
        }
    };
    let outcome = runtime.block_on(async {
        let ctrl_c = cancel.clone();
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                ctrl_c.cancel();
            }
        });
        run_action(
            provider.as_ref(),
            &request,
            &guard,
            audit.as_ref(),
            &mut on_chunk,
            &cancel,
        )
        .await
    });
    if progress {
        eprint!("\r\x1b[K");
    }
    let outcome = match outcome {
        Ok(o) => o,
        Err(ActionError::Prompt(e)) => bail!("{e}"),
        Err(e) => {
            eprintln!("codomyrmex: {e}");
            return Ok(1);
        }
    };
    if outcome.redactions > 0 {
        eprintln!(
            "codomyrmex: {} secret(s) were replaced by placeholders before sending",
            outcome.redactions
        );
    }
    match outcome.output {
        ActionOutput::Explanation(text) => {
            println!("{text}");
            Ok(0)
        }
        ActionOutput::Edit(proposal) => {
            let diff = similar::TextDiff::from_lines(text.as_str(), proposal.new_text.as_str());
            let unified = diff
                .unified_diff()
                .context_radius(3)
                .header(&format!("a/{shown}"), &format!("b/{shown}"))
                .to_string();
            let mut out = std::io::stdout().lock();
            let _ = out.write_all(unified.as_bytes());
            let _ = out.flush();
            if proposal.hidden_chars > 0 {
                eprintln!(
                    "codomyrmex: {}: the proposed code contains {} hidden Unicode character(s) (zero-width, bidi or tag); not applying it",
                    provider.name(),
                    proposal.hidden_chars
                );
                return Ok(1);
            }
            if !proposal.parses {
                eprintln!(
                    "codomyrmex: {}: the proposed code does not parse as {}; not applying it, try again",
                    provider.name(),
                    lang.name()
                );
                return Ok(1);
            }
            if args.apply {
                let now = std::fs::read_to_string(&file)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                if now != text {
                    eprintln!(
                        "codomyrmex: {} changed while the model was answering; not applying, run again",
                        file.display()
                    );
                    return Ok(1);
                }
                write_atomically(&file, &proposal.new_text)?;
                eprintln!("codomyrmex: applied to {}", file.display());
            }
            Ok(0)
        }
    }
}

/// Picks the provider settings, model and options: `--provider` (must be enabled), else the
/// first candidate of the action's role (the config layer handles fallbacks).
fn choose<'c>(
    config: &'c Config,
    action: Action,
    provider: Option<&str>,
    model: Option<&str>,
) -> Result<
    (
        &'c crate::config::ProviderSettings,
        Option<String>,
        GenerationOptions,
    ),
    String,
> {
    let candidates = config.resolve_role(action.role());
    let (name, resolved) = match provider {
        Some(name) => {
            let Some(settings) = config.providers.get(name) else {
                return Err(format!(
                    "no provider named `{name}` is configured (see `codomyrmex doctor`)"
                ));
            };
            if !settings.enabled {
                return Err(format!(
                    "provider `{name}` is disabled; set `enabled: true` in providers.yaml"
                ));
            }
            (
                name.to_string(),
                candidates.into_iter().find(|c| c.provider == name),
            )
        }
        None => match candidates.into_iter().next() {
            Some(c) => (c.provider.clone(), Some(c)),
            None => {
                return Err(
                    "no AI provider is enabled with a model; enable one in llm/providers.yaml (see `codomyrmex doctor`)"
                        .to_string(),
                );
            }
        },
    };
    let settings = config
        .providers
        .get(&name)
        .ok_or_else(|| format!("provider `{name}` vanished from the configuration"))?;
    let options = resolved
        .as_ref()
        .map(|r| r.options.clone())
        .unwrap_or_default();
    let model = model
        .map(str::to_string)
        .or_else(|| resolved.map(|r| r.model));
    let generation = GenerationOptions {
        max_tokens: options.max_tokens,
        temperature: options.temperature,
        timeout: options.timeout_s.map(std::time::Duration::from_secs),
        context_size: options.num_ctx,
        keep_alive: options.keep_alive,
    };
    Ok((settings, model, generation))
}

/// The findings on the cursor's line, with their rules' explanations, for `fix`.
fn diagnostics_at(
    root: &Path,
    lang: Lang,
    text: &str,
    offset: Option<usize>,
) -> Vec<DiagnosticContext> {
    let rules = RuleSet::load(&RuleSet::sources_for(Some(root)), SeverityOverrides::new());
    let line_of = |o: usize| text[..o.min(text.len())].matches('\n').count();
    let wanted = offset.map(line_of);
    rules
        .check_text(Some(lang), text)
        .into_iter()
        .filter(|f| {
            wanted.is_none_or(|l| (line_of(f.range.start)..=line_of(f.range.end)).contains(&l))
        })
        .map(|f| DiagnosticContext {
            explanation: rules
                .rule(&f.rule_id)
                .map(|r| r.meta.explanation.clone())
                .filter(|e| !e.is_empty()),
            rule_id: f.rule_id.to_string(),
            message: f.message,
            line: line_of(f.range.start),
        })
        .collect()
}

/// Writes through a temporary file in the same directory, then renames over the original.
fn write_atomically(path: &Path, text: &str) -> anyhow::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = path.with_file_name(format!(".{name}.codomyrmex-tmp"));
    std::fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
    if let Ok(meta) = std::fs::metadata(path) {
        let _ = std::fs::set_permissions(&tmp, meta.permissions());
    }
    std::fs::rename(&tmp, path).with_context(|| format!("cannot replace {}", path.display()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_split_into_file_line_and_column() {
        assert_eq!(
            parse_target("a/b.rs:12:5"),
            (PathBuf::from("a/b.rs"), Some(12), Some(5))
        );
        assert_eq!(
            parse_target("a/b.rs:12"),
            (PathBuf::from("a/b.rs"), Some(12), None)
        );
        assert_eq!(
            parse_target("a/b.rs"),
            (PathBuf::from("a/b.rs"), None, None)
        );
    }

    #[test]
    fn offsets_count_characters_and_default_to_the_first_code_column() {
        let text = "fn a() {}\n    é = 1;\n";
        assert_eq!(offset_of(text, 2, None), Some(14));
        assert_eq!(offset_of(text, 2, Some(6)), Some(15 + 1));
        assert_eq!(offset_of(text, 1, Some(1)), Some(0));
        assert_eq!(offset_of(text, 5, None), None);
    }
}
