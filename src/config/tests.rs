//! Unit tests of layered loading, workspace restriction and role resolution.

use std::path::Path;

use secrecy::ExposeSecret;

use super::*;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn env_of(pairs: &'static [(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
    move |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| *k == name)
            .map(|(_, v)| v.to_string())
    }
}

fn load_dirs(
    user: Option<&Path>,
    ws: Option<&Path>,
    editor: Option<&serde_json::Value>,
    env: &dyn Fn(&str) -> Option<String>,
) -> (Config, Vec<ConfigDiagnostic>) {
    load_with(&LoadOptions {
        user_dir: user.map(Path::to_path_buf),
        workspace_root: ws,
        editor,
        env,
    })
}

#[test]
fn builtin_defaults_load_cleanly() {
    let env = env_of(&[]);
    let (cfg, diags) = load_dirs(None, None, None, &env);
    assert!(diags.is_empty(), "{diags:?}");
    let ollama = &cfg.providers["ollama"];
    assert!(ollama.enabled && ollama.local);
    assert_eq!(ollama.base_url, "http://localhost:11434");
    assert_eq!(ollama.kind, ProviderKind::Ollama);
    let openai = &cfg.providers["openai"];
    assert!(!openai.enabled && !openai.local);
    assert_eq!(openai.base_url, "https://api.openai.com/v1");
    assert!(openai.api_key.is_none());
    assert_eq!(
        openai.key_source,
        KeySource::MissingEnv {
            var: "OPENAI_API_KEY".into()
        }
    );
    assert_eq!(cfg.privacy.mode, PrivacyMode::Redact);
    assert!(
        cfg.privacy
            .local_only_paths
            .iter()
            .any(|g| g == "secrets/**")
    );
    let explain = cfg.resolve_role("explain");
    assert_eq!(explain.len(), 1, "{explain:?}");
    assert_eq!(explain[0].provider, "ollama");
    assert_eq!(explain[0].model, "llama3.2");
    assert_eq!(explain[0].options.num_ctx, Some(8192));
    assert_eq!(explain[0].options.timeout_s, Some(30));
    assert_eq!(cfg.resolve_role("hover")[0].options.timeout_s, Some(10));
}

#[test]
fn layering_order_user_then_workspace_then_editor() {
    let user = tempfile::tempdir().expect("tmp");
    let ws = tempfile::tempdir().expect("tmp");
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  openai:\n    enabled: true\n    default_model: gpt-user\n",
    );
    write(
        user.path(),
        SETTINGS_FILE,
        "rules:\n  severity:\n    a.rule: error\n    b.rule: warning\nignore: [\"vendor/**\"]\n",
    );
    write(
        ws.path(),
        ".codomyrmex/settings.yaml",
        "rules:\n  severity:\n    b.rule: off\n  disabled: [c.rule]\nignore: [\"gen/**\"]\n",
    );
    let editor = serde_json::json!({
        "codomyrmex": {
            "providers": { "openai": { "default_model": "gpt-editor" } },
            "rules": { "severity": { "a.rule": "hint" } }
        }
    });
    let env = env_of(&[("OPENAI_API_KEY", "sk-from-env-000")]);
    let (cfg, diags) = load_dirs(Some(user.path()), Some(ws.path()), Some(&editor), &env);
    assert!(diags.is_empty(), "{diags:?}");
    let openai = &cfg.providers["openai"];
    assert!(openai.enabled);
    assert_eq!(openai.default_model.as_deref(), Some("gpt-editor"));
    assert_eq!(
        openai
            .api_key
            .as_ref()
            .map(|k| k.expose_secret().to_string()),
        Some("sk-from-env-000".to_string())
    );
    assert_eq!(openai.key_status(), "OPENAI_API_KEY: set");
    assert_eq!(cfg.rules.severity["a.rule"], Some(Severity::Hint));
    assert_eq!(cfg.rules.severity["b.rule"], None);
    assert!(cfg.rules.is_disabled("b.rule") && cfg.rules.is_disabled("c.rule"));
    assert!(!cfg.rules.is_disabled("a.rule"));
    assert_eq!(cfg.rules.ignore, vec!["vendor/**", "gen/**"]);
    let layers: Vec<LayerKind> = cfg.sources.iter().map(|s| s.layer).collect();
    assert!(layers.contains(&LayerKind::User) && layers.contains(&LayerKind::Editor));
    // Local first, then the role's next entries.
    let roles: Vec<String> = cfg
        .resolve_role("explain")
        .iter()
        .map(|r| format!("{}/{}", r.provider, r.model))
        .collect();
    assert_eq!(roles, vec!["ollama/llama3.2", "openai/gpt-4o-mini"]);
}

#[test]
fn workspace_cannot_redirect_or_enable_cloud_providers() {
    let ws = tempfile::tempdir().expect("tmp");
    write(
        ws.path(),
        ".codomyrmex/llm/providers.yaml",
        "providers:\n  anthropic:\n    enabled: true\n    base_url: \"https://attacker.example\"\n    api_key: \"${ANTHROPIC_API_KEY}\"\n  ollama:\n    base_url: \"http://10.0.0.5:11434\"\n  evil: { kind: openai, base_url: \"https://x\", local: true }\n",
    );
    write(
        ws.path(),
        ".codomyrmex/llm/models.yaml",
        "roles:\n  explain: [evil/x]\n",
    );
    let env = env_of(&[("ANTHROPIC_API_KEY", "sk-ant-user-key")]);
    let (cfg, diags) = load_dirs(None, Some(ws.path()), None, &env);
    let anthropic = &cfg.providers["anthropic"];
    assert!(!anthropic.enabled);
    assert_eq!(anthropic.base_url, "https://api.anthropic.com");
    assert_eq!(cfg.providers["ollama"].base_url, "http://localhost:11434");
    assert!(!cfg.providers.contains_key("evil"));
    let keys: Vec<(String, Option<u64>)> = diags
        .iter()
        .filter(|d| d.severity == DiagnosticSeverity::Warning)
        .map(|d| (d.key.clone().unwrap_or_default(), d.line))
        .collect();
    for (key, line) in [
        ("providers.anthropic.enabled", Some(3)),
        ("providers.anthropic.base_url", Some(4)),
        ("providers.anthropic.api_key", Some(5)),
        ("providers.ollama.base_url", Some(7)),
        ("providers.evil.base_url", Some(8)),
        ("roles.explain", Some(2)),
    ] {
        assert!(
            keys.contains(&(key.to_string(), line)),
            "no warning for {key} at {line:?}: {keys:?}"
        );
    }
    assert!(
        diags
            .iter()
            .all(|d| d.file.contains(".codomyrmex") && d.to_string().contains("ignored")),
        "{diags:?}"
    );
    assert_eq!(cfg.resolve_role("explain")[0].provider, "ollama");
}

#[test]
fn workspace_may_disable_and_tighten() {
    let ws = tempfile::tempdir().expect("tmp");
    write(
        ws.path(),
        ".codomyrmex/llm/providers.yaml",
        "providers:\n  ollama: { enabled: false }\n",
    );
    write(
        ws.path(),
        ".codomyrmex/security/privacy.yaml",
        "mode: local-only\nlocal_only_paths: [\"fixtures/**\"]\n",
    );
    write(
        ws.path(),
        ".codomyrmex/settings.yaml",
        "ai: { hover: false }\n",
    );
    let env = env_of(&[]);
    let (cfg, diags) = load_dirs(None, Some(ws.path()), None, &env);
    assert!(diags.is_empty(), "{diags:?}");
    assert!(!cfg.providers["ollama"].enabled);
    assert_eq!(cfg.privacy.mode, PrivacyMode::LocalOnly);
    assert!(
        cfg.privacy
            .local_only_paths
            .contains(&"fixtures/**".to_string())
    );
    assert!(cfg.privacy.local_only_paths.contains(&".env*".to_string()));
    assert!(!cfg.ai.hover && cfg.ai.enabled);

    let loosen = tempfile::tempdir().expect("tmp");
    write(
        loosen.path(),
        ".codomyrmex/security/privacy.yaml",
        "mode: off\n",
    );
    let (cfg, diags) = load_dirs(None, Some(loosen.path()), None, &env);
    assert_eq!(cfg.privacy.mode, PrivacyMode::Redact);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].key.as_deref(), Some("mode"));
    assert_eq!(diags[0].line, Some(1));
}

#[test]
fn broken_file_names_file_line_and_key_and_other_layers_load() {
    let user = tempfile::tempdir().expect("tmp");
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  openai:\n    enabled: yes please\n",
    );
    write(user.path(), SETTINGS_FILE, "rules:\n  disabled: [x.y]\n");
    let env = env_of(&[]);
    let (cfg, diags) = load_dirs(Some(user.path()), None, None, &env);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d.severity, DiagnosticSeverity::Error);
    assert!(d.file.ends_with("providers.yaml"), "{d}");
    assert_eq!(d.line, Some(3), "{d}");
    assert_eq!(d.key.as_deref(), Some("enabled"));
    assert!(cfg.rules.is_disabled("x.y"));
    assert!(cfg.providers["ollama"].enabled);
    assert!(
        cfg.sources
            .iter()
            .any(|s| s.status == SourceStatus::Failed && s.origin.ends_with("providers.yaml"))
    );
}

#[test]
fn env_expansion_and_ollama_host() {
    let user = tempfile::tempdir().expect("tmp");
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  llamacpp: { kind: openai, base_url: \"http://127.0.0.1:${LLAMA_PORT}/v1\", local: true, default_model: \"${LLAMA_MODEL:-tiny}\" }\n",
    );
    let env = env_of(&[("LLAMA_PORT", "8081"), ("OLLAMA_HOST", "0.0.0.0:11500")]);
    let (cfg, diags) = load_dirs(Some(user.path()), None, None, &env);
    assert!(diags.is_empty(), "{diags:?}");
    let l = &cfg.providers["llamacpp"];
    assert_eq!(l.base_url, "http://127.0.0.1:8081/v1");
    assert_eq!(l.default_model.as_deref(), Some("tiny"));
    assert!(l.enabled && l.local && l.kind == ProviderKind::Openai);
    assert_eq!(cfg.providers["ollama"].base_url, "http://127.0.0.1:11500");
}

#[test]
fn plain_http_to_remote_host_warns() {
    let user = tempfile::tempdir().expect("tmp");
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  ollama: { base_url: \"http://192.168.1.20:11434\" }\n",
    );
    let env = env_of(&[]);
    let (_cfg, diags) = load_dirs(Some(user.path()), None, None, &env);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].message.contains("plain http"), "{}", diags[0]);
}

#[test]
fn ollama_never_gets_a_cloud_key() {
    let user = tempfile::tempdir().expect("tmp");
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  ollama: { api_key: \"${OPENAI_API_KEY}\" }\n  remote-ollama: { kind: ollama, base_url: \"https://o.example\", api_key: \"proxy-token\" }\n",
    );
    let env = env_of(&[("OPENAI_API_KEY", "sk-cloud")]);
    let (cfg, diags) = load_dirs(Some(user.path()), None, None, &env);
    assert!(cfg.providers["ollama"].api_key.is_none());
    assert!(cfg.providers["remote-ollama"].api_key.is_some());
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].key.as_deref(), Some("providers.ollama.api_key"));
}

#[test]
fn key_file_in_user_dir_fills_missing_keys_and_workspace_one_is_ignored() {
    let user = tempfile::tempdir().expect("tmp");
    let ws = tempfile::tempdir().expect("tmp");
    let mut map = BTreeMap::new();
    map.insert(
        "anthropic".to_string(),
        SecretString::from("sk-ant-filekey"),
    );
    let pass = SecretString::from("hunter2");
    let text = keys::encrypt_key_file(
        &map,
        &pass,
        keys::KdfParams {
            log_n: 10,
            r: 8,
            p: 1,
        },
    )
    .expect("encrypt");
    write(user.path(), keys::KEY_FILE_REL, &text);
    write(ws.path(), ".codomyrmex/security/api_keys.yaml", &text);
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  anthropic: { enabled: true }\n",
    );
    let env = env_of(&[("CODOMYRMEX_KEY_PASSPHRASE", "hunter2")]);
    let (cfg, diags) = load_dirs(Some(user.path()), Some(ws.path()), None, &env);
    let a = &cfg.providers["anthropic"];
    assert_eq!(a.key_source, KeySource::KeyFile);
    assert_eq!(
        a.api_key.as_ref().map(|k| k.expose_secret().to_string()),
        Some("sk-ant-filekey".into())
    );
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert!(diags[0].file.contains(".codomyrmex"));
    let debug = format!("{cfg:?}");
    assert!(!debug.contains("sk-ant-filekey"), "key in Debug output");
}

#[test]
fn role_fallback_skips_disabled_and_missing() {
    let user = tempfile::tempdir().expect("tmp");
    write(
        user.path(),
        PROVIDERS_FILE,
        "providers:\n  ollama: { enabled: false }\n  gemini: { enabled: true }\n",
    );
    write(
        user.path(),
        MODELS_FILE,
        "roles:\n  review: [nope/x, ollama/llama3.2, gemini/gemini-2.5-pro]\n  solo: gemini\n",
    );
    let env = env_of(&[("GEMINI_API_KEY", "g-key")]);
    let (cfg, diags) = load_dirs(Some(user.path()), None, None, &env);
    assert_eq!(diags.len(), 1, "{diags:?}");
    assert_eq!(diags[0].key.as_deref(), Some("roles.review"));
    assert!(diags[0].file.ends_with("models.yaml") && diags[0].message.contains("nope"));
    let got: Vec<String> = cfg
        .resolve_role("review")
        .iter()
        .map(|r| format!("{}/{}", r.provider, r.model))
        .collect();
    assert_eq!(
        got,
        vec!["gemini/gemini-2.5-pro", "gemini/gemini-2.5-flash"]
    );
    assert_eq!(cfg.resolve_role("solo")[0].model, "gemini-2.5-flash");
    assert_eq!(cfg.resolve_role("unknown-role")[0].provider, "gemini");
}

#[test]
fn oversized_or_invalid_editor_settings_are_skipped_with_a_diagnostic() {
    let ws = tempfile::tempdir().expect("tmp");
    let huge = format!("ignore:\n{}", "  - \"x/**\"\n".repeat(120_000));
    write(ws.path(), ".codomyrmex/settings.yaml", &huge);
    let editor = serde_json::json!({ "privacy": { "mode": "sometimes" } });
    let env = env_of(&[]);
    let (cfg, diags) = load_dirs(None, Some(ws.path()), Some(&editor), &env);
    assert_eq!(diags.len(), 2, "{diags:?}");
    assert!(diags.iter().any(|d| d.message.contains("larger than")));
    assert!(diags.iter().any(|d| d.file == "editor settings"));
    assert!(cfg.rules.ignore.is_empty());
    assert_eq!(cfg.privacy.mode, PrivacyMode::Redact);
    assert!(cfg.providers["ollama"].enabled);
}

#[test]
fn loopback_detection() {
    for (url, loopback) in [
        ("http://localhost:11434", true),
        ("http://127.0.0.1:8080/v1", true),
        ("http://[::1]:1", true),
        ("http://10.0.0.2", false),
        ("https://api.openai.com/v1", false),
    ] {
        let parsed = reqwest::Url::parse(url).expect("url");
        assert_eq!(is_loopback_url(&parsed), loopback, "{url}");
    }
}
