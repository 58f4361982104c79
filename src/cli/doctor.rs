//! `codomyrmex doctor`: where configuration came from, each enabled provider's reachability and
//! models, key presence (never a key), privacy mode, cache dir, audit log and index state. Every
//! problem comes with how to fix it. Exit 0 when there is no error, 1 otherwise.

use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::ExposeSecret;
use serde::Serialize;

use crate::config::{
    self, Config, ConfigSource, DiagnosticSeverity, ProviderKind, ProviderSettings,
};

/// Arguments of `codomyrmex doctor`.
#[derive(Debug, clap::Args)]
pub struct DoctorArgs {
    /// Workspace root whose `.codomyrmex/` is read (default: the current directory).
    #[arg(long, value_name = "DIR")]
    pub workspace: Option<PathBuf>,
    /// Print one JSON object instead of text.
    #[arg(long)]
    pub json: bool,
    /// Seconds to wait for each provider.
    #[arg(long, value_name = "S", default_value_t = 4)]
    pub timeout: u64,
}

/// How bad a problem is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    Warning,
    Error,
}

/// Something wrong, and how to fix it.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    pub level: Level,
    pub what: String,
    pub fix: String,
}

/// One provider's check.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderReport {
    pub name: String,
    pub kind: ProviderKind,
    pub enabled: bool,
    pub local: bool,
    pub base_url: String,
    pub default_model: Option<String>,
    /// `OPENAI_API_KEY: set`, … never the key.
    pub key: String,
    /// Whether the key line is worth showing (cloud kinds, or a key is configured).
    #[serde(skip)]
    pub show_key: bool,
    /// `None` when not contacted.
    pub reachable: Option<bool>,
    pub models: Vec<String>,
    pub status: String,
    pub problems: Vec<Problem>,
}

/// Audit log state.
#[derive(Debug, Clone, Serialize)]
pub struct AuditReport {
    pub path: String,
    pub exists: bool,
    pub entries: usize,
    pub chain_ok: bool,
    pub error: Option<String>,
}

/// Index state.
#[derive(Debug, Clone, Serialize)]
pub struct IndexReport {
    /// The index directory, when known.
    pub dir: Option<String>,
    pub exists: bool,
    pub files: u64,
    pub chunks: u64,
    /// RFC 3339 time of the last commit.
    pub last_update: Option<String>,
    /// Recent indexing problems, or why the status could not be read.
    pub errors: Vec<String>,
}

/// Everything `doctor` found.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub ok: bool,
    pub workspace: Option<String>,
    /// Where user configuration is read from, and whether it exists.
    pub user_config_dir: Option<String>,
    pub user_config_dir_exists: bool,
    pub sources: Vec<ConfigSource>,
    pub config_problems: Vec<Problem>,
    pub providers: Vec<ProviderReport>,
    pub privacy_mode: String,
    pub local_only_paths: Vec<String>,
    pub cache_dir: String,
    pub cache_dir_exists: bool,
    pub audit: AuditReport,
    pub index: IndexReport,
    pub problems: Vec<Problem>,
}

impl Report {
    fn all_problems(&self) -> impl Iterator<Item = &Problem> {
        self.config_problems
            .iter()
            .chain(self.providers.iter().flat_map(|p| p.problems.iter()))
            .chain(self.problems.iter())
    }
}

pub fn run(args: DoctorArgs) -> anyhow::Result<i32> {
    let workspace = match args.workspace {
        Some(dir) => Some(dir),
        None => std::env::current_dir().ok(),
    };
    let timeout = Duration::from_secs(args.timeout.clamp(1, 60));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let report = runtime.block_on(report(workspace.as_deref(), None, timeout));
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_text(&report));
    }
    Ok(if report.ok { 0 } else { 1 })
}

/// The doctor's report for a workspace (also served by the language server's `codomyrmex.doctor`).
pub async fn report(
    workspace: Option<&Path>,
    editor: Option<&serde_json::Value>,
    timeout: Duration,
) -> Report {
    let (cfg, diags) = config::load(workspace, editor);
    let providers = check_providers(&cfg, timeout).await;
    build_report(workspace, &cfg, &diags, providers)
}

fn fix_for_diagnostic(d: &config::ConfigDiagnostic) -> String {
    if d.message.starts_with("ignored") {
        "remove the key from that file; set providers and models only in your user config dir or editor settings".into()
    } else if d.message.contains("skipped") {
        format!(
            "correct {} at the line shown; `schemas/` has a JSON Schema for each file",
            d.file
        )
    } else {
        "edit the setting named above".into()
    }
}

fn build_report(
    workspace: Option<&Path>,
    cfg: &Config,
    diags: &[config::ConfigDiagnostic],
    providers: Vec<ProviderReport>,
) -> Report {
    let config_problems = diags
        .iter()
        .map(|d| Problem {
            level: match d.severity {
                DiagnosticSeverity::Warning => Level::Warning,
                DiagnosticSeverity::Error => Level::Error,
            },
            what: d.to_string(),
            fix: fix_for_diagnostic(d),
        })
        .collect();
    let mut problems = Vec::new();
    if cfg.enabled_providers().is_empty() {
        problems.push(Problem {
            level: Level::Warning,
            what: "no provider is enabled: AI features are off".into(),
            fix: "enable one in <user config dir>/llm/providers.yaml, e.g. `providers: { ollama: { enabled: true } }`".into(),
        });
    }
    if cfg.privacy.mode == config::PrivacyMode::Off
        && cfg.enabled_providers().iter().any(|p| !p.local)
    {
        problems.push(Problem {
            level: Level::Warning,
            what: "privacy mode is `off` and a non-local provider is enabled: secrets in context are sent as is".into(),
            fix: "set `mode: redact` in <user config dir>/security/privacy.yaml".into(),
        });
    }

    let cache = config::paths::cache_dir();
    let user_dir = config::paths::user_config_dir();
    let audit_path = crate::audit::default_path();
    let audit = match crate::audit::verify(&audit_path) {
        Ok(entries) => AuditReport {
            path: audit_path.display().to_string(),
            exists: audit_path.exists(),
            entries,
            chain_ok: true,
            error: None,
        },
        Err(err) => {
            problems.push(Problem {
                level: Level::Error,
                what: format!("audit log {}: {err}", audit_path.display()),
                fix: "run `codomyrmex audit verify` for details; keep a copy, then move the file aside to start a new chain".into(),
            });
            AuditReport {
                path: audit_path.display().to_string(),
                exists: audit_path.exists(),
                entries: 0,
                chain_ok: false,
                error: Some(err.to_string()),
            }
        }
    };
    let index = index_report(workspace, &mut problems);

    let mut report = Report {
        ok: true,
        workspace: workspace.map(|w| w.display().to_string()),
        user_config_dir: user_dir.as_ref().map(|d| d.display().to_string()),
        user_config_dir_exists: user_dir.as_ref().is_some_and(|d| d.is_dir()),
        sources: cfg.sources.clone(),
        config_problems,
        providers,
        privacy_mode: cfg.privacy.mode.as_str().to_string(),
        local_only_paths: cfg.privacy.local_only_paths.clone(),
        cache_dir_exists: cache.is_dir(),
        cache_dir: cache.display().to_string(),
        audit,
        index,
        problems,
    };
    let has_error = report.all_problems().any(|p| p.level == Level::Error);
    report.ok = !has_error;
    report
}

fn index_report(workspace: Option<&Path>, problems: &mut Vec<Problem>) -> IndexReport {
    let mut report = IndexReport {
        dir: None,
        exists: false,
        files: 0,
        chunks: 0,
        last_update: None,
        errors: Vec::new(),
    };
    let Some(root) = workspace else {
        return report;
    };
    match crate::index::IndexHandle::open_existing(root) {
        Ok(handle) => {
            report.exists = true;
            report.dir = Some(handle.dir().display().to_string());
            match handle.status() {
                Ok(status) => {
                    report.files = status.files;
                    report.chunks = status.chunks;
                    report.last_update = status.last_update.map(|t| {
                        chrono::DateTime::<chrono::Utc>::from(t)
                            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
                    });
                    report.errors = status.errors;
                }
                Err(err) => report.errors.push(err.to_string()),
            }
        }
        Err(crate::index::IndexError::NotFound { dir, .. }) => {
            report.dir = Some(dir.display().to_string());
            problems.push(Problem {
                level: Level::Warning,
                what: format!(
                    "no index for {} yet: search and AI context are limited",
                    root.display()
                ),
                fix: format!("run `codomyrmex index {}`", root.display()),
            });
        }
        Err(err) => {
            report.errors.push(err.to_string());
            problems.push(Problem {
                level: Level::Warning,
                what: format!("index of {}: {err}", root.display()),
                fix: format!("run `codomyrmex index {}` to rebuild it", root.display()),
            });
        }
    }
    report
}

/// The URL without user info or query (they may carry credentials).
fn display_url(raw: &str) -> String {
    match reqwest::Url::parse(raw) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.as_str().trim_end_matches('/').to_string()
        }
        Err(_) => raw.to_string(),
    }
}

async fn check_providers(cfg: &Config, timeout: Duration) -> Vec<ProviderReport> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder()
        .connect_timeout(timeout.min(Duration::from_secs(3)))
        .timeout(timeout)
        .redirect(reqwest::redirect::Policy::none())
        .build();
    let client = match client {
        Ok(c) => Some(c),
        Err(err) => {
            tracing::warn!("cannot build an HTTP client: {err}");
            None
        }
    };
    let checks = cfg
        .providers
        .values()
        .map(|p| check_provider(client.as_ref(), p));
    futures_util::future::join_all(checks).await
}

async fn check_provider(client: Option<&reqwest::Client>, p: &ProviderSettings) -> ProviderReport {
    let mut report = ProviderReport {
        name: p.name.clone(),
        kind: p.kind,
        enabled: p.enabled,
        local: p.local,
        base_url: display_url(&p.base_url),
        default_model: p.default_model.clone(),
        key: p.key_status(),
        show_key: p.needs_key() || p.key_source != config::KeySource::None,
        reachable: None,
        models: Vec::new(),
        status: String::new(),
        problems: Vec::new(),
    };
    if !p.enabled {
        report.status = "disabled".into();
        return report;
    }
    if p.needs_key() && p.api_key.is_none() {
        let var = match &p.key_source {
            config::KeySource::MissingEnv { var } => var.clone(),
            _ => format!("{}_API_KEY", p.kind.as_str().to_ascii_uppercase()),
        };
        report.status = report.key.clone();
        report.problems.push(Problem {
            level: Level::Error,
            what: format!("provider `{}` is enabled but has no key ({})", p.name, report.key),
            fix: format!(
                "export {var}=… (or add it to the encrypted key file), or set `enabled: false` for `{}`",
                p.name
            ),
        });
        return report;
    }
    if p.default_model.is_none() {
        report.problems.push(Problem {
            level: Level::Warning,
            what: format!("provider `{}` has no default_model", p.name),
            fix: format!(
                "set `default_model` for `{}` in your providers.yaml",
                p.name
            ),
        });
    }
    let Some(client) = client else {
        report.status = "not checked (no HTTP client)".into();
        return report;
    };
    match p.kind {
        ProviderKind::Ollama => {
            let url = format!("{}/api/tags", p.base_url);
            match fetch_json(client, &url, None).await {
                Ok(json) => {
                    report.reachable = Some(true);
                    report.models = json
                        .get("models")
                        .and_then(|m| m.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|m| m.get("name").and_then(|n| n.as_str()))
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    report.status = format!("reachable, {} model(s)", report.models.len());
                    if let Some(model) = &p.default_model {
                        let present = report.models.iter().any(|m| {
                            m == model || m.strip_suffix(":latest") == Some(model.as_str())
                        });
                        if !present {
                            report.problems.push(Problem {
                                level: Level::Error,
                                what: format!(
                                    "Ollama at {} does not have `{model}`",
                                    report.base_url
                                ),
                                fix: format!(
                                    "run `ollama pull {model}`, or set `default_model` to one of: {}",
                                    if report.models.is_empty() {
                                        "(none installed)".to_string()
                                    } else {
                                        report.models.join(", ")
                                    }
                                ),
                            });
                        }
                    }
                }
                Err(err) => unreachable(&mut report, p, err),
            }
        }
        ProviderKind::Openai => {
            let url = format!("{}/models", p.base_url);
            let key = p.api_key.as_ref().map(|k| k.expose_secret().to_string());
            match fetch_json(client, &url, key.as_deref()).await {
                Ok(json) => {
                    report.reachable = Some(true);
                    report.models = json
                        .get("data")
                        .and_then(|m| m.as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|m| m.get("id").and_then(|n| n.as_str()))
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default();
                    report.status = format!("reachable, {} model(s)", report.models.len());
                }
                Err(err) => unreachable(&mut report, p, err),
            }
        }
        ProviderKind::Anthropic | ProviderKind::Gemini => {
            report.status = format!("{} (not contacted)", report.key);
        }
    }
    report
}

fn unreachable(report: &mut ProviderReport, p: &ProviderSettings, err: String) {
    report.reachable = Some(false);
    report.status = format!("unreachable: {err}");
    let fix = match p.kind {
        ProviderKind::Ollama => format!(
            "start Ollama (`ollama serve`) or point `base_url` / OLLAMA_HOST at it; or set `enabled: false` for `{}`",
            p.name
        ),
        _ => format!(
            "start the server at {} or fix `base_url`; or set `enabled: false` for `{}`",
            report.base_url, p.name
        ),
    };
    report.problems.push(Problem {
        level: Level::Error,
        what: format!("provider `{}` at {}: {err}", p.name, report.base_url),
        fix,
    });
}

async fn fetch_json(
    client: &reqwest::Client,
    url: &str,
    bearer: Option<&str>,
) -> Result<serde_json::Value, String> {
    let mut req = client.get(url);
    if let Some(key) = bearer {
        req = req.bearer_auth(key);
    }
    let resp = req.send().await.map_err(|e| {
        if e.is_timeout() {
            "timed out".to_string()
        } else if e.is_connect() {
            "connection refused or host unreachable".to_string()
        } else {
            "request failed".to_string()
        }
    })?;
    let status = resp.status();
    if !status.is_success() {
        return Err(match status.as_u16() {
            401 | 403 => format!("HTTP {status}: the key was rejected"),
            _ => format!("HTTP {status}"),
        });
    }
    resp.json::<serde_json::Value>()
        .await
        .map_err(|_| "the reply is not JSON".to_string())
}

fn render_problem(out: &mut String, indent: &str, p: &Problem) {
    let tag = match p.level {
        Level::Warning => "warning",
        Level::Error => "error",
    };
    out.push_str(&format!(
        "{indent}{tag}: {}\n{indent}  fix: {}\n",
        p.what, p.fix
    ));
}

/// The human-readable report.
pub fn render_text(r: &Report) -> String {
    let mut out = String::new();
    out.push_str("config:\n");
    match &r.user_config_dir {
        Some(dir) => out.push_str(&format!(
            "  user config dir: {dir}{}\n",
            if r.user_config_dir_exists {
                ""
            } else {
                " (does not exist)"
            }
        )),
        None => out.push_str(
            "  user config dir: none (set CODOMYRMEX_CONFIG_DIR, XDG_CONFIG_HOME or HOME)\n",
        ),
    }
    if let Some(ws) = &r.workspace {
        out.push_str(&format!("  workspace: {ws}\n"));
    }
    for s in &r.sources {
        out.push_str(&format!(
            "  {:<9} {}  {}\n",
            s.layer.as_str(),
            s.origin,
            match s.status {
                config::SourceStatus::Loaded => "loaded",
                config::SourceStatus::Failed => "FAILED",
                config::SourceStatus::Ignored => "ignored",
            }
        ));
    }
    for p in &r.config_problems {
        render_problem(&mut out, "  ", p);
    }
    out.push_str("providers:\n");
    for p in &r.providers {
        let mark = if !p.enabled {
            "-    "
        } else if p.problems.iter().any(|x| x.level == Level::Error) {
            "FAIL "
        } else {
            "ok   "
        };
        let locality = if p.local { ", local" } else { "" };
        out.push_str(&format!(
            "  {mark}{} ({}{locality}) {}: {}",
            p.name, p.kind, p.base_url, p.status
        ));
        if p.enabled {
            if p.show_key {
                out.push_str(&format!("; {}", p.key));
            }
            if let Some(m) = &p.default_model {
                out.push_str(&format!("; default model {m}"));
            }
        }
        out.push('\n');
        if !p.models.is_empty() {
            let shown: Vec<&str> = p.models.iter().take(12).map(String::as_str).collect();
            let more = p.models.len().saturating_sub(shown.len());
            out.push_str(&format!("       models: {}", shown.join(", ")));
            if more > 0 {
                out.push_str(&format!(" (+{more} more)"));
            }
            out.push('\n');
        }
        for x in &p.problems {
            render_problem(&mut out, "       ", x);
        }
    }
    out.push_str(&format!(
        "privacy: mode {}; local-only paths: {}\n",
        r.privacy_mode,
        r.local_only_paths.join(" ")
    ));
    out.push_str(&format!(
        "cache dir: {} ({})\n",
        r.cache_dir,
        if r.cache_dir_exists {
            "exists"
        } else {
            "not created yet"
        }
    ));
    let a = &r.audit;
    out.push_str(&format!(
        "audit log: {}: {}\n",
        a.path,
        if !a.exists {
            "none yet".to_string()
        } else if a.chain_ok {
            format!("{} entries, hash chain intact", a.entries)
        } else {
            format!(
                "hash chain BROKEN ({})",
                a.error.as_deref().unwrap_or("unknown")
            )
        }
    ));
    let i = &r.index;
    let dir = i.dir.as_deref().unwrap_or("-");
    if i.exists {
        out.push_str(&format!(
            "index: {dir}: {} files, {} chunks, last update {}\n",
            i.files,
            i.chunks,
            i.last_update.as_deref().unwrap_or("unknown")
        ));
    } else {
        out.push_str(&format!("index: {dir} (not built)\n"));
    }
    for e in &i.errors {
        out.push_str(&format!("       index problem: {e}\n"));
    }
    for p in &r.problems {
        render_problem(&mut out, "", p);
    }
    let errors = r.all_problems().filter(|p| p.level == Level::Error).count();
    let warnings = r
        .all_problems()
        .filter(|p| p.level == Level::Warning)
        .count();
    out.push_str(&format!(
        "result: {errors} error(s), {warnings} warning(s)\n"
    ));
    out
}
