//! Configuration layering and workspace trust, the privacy guard, the audit log, and the `doctor`
//! and `audit` commands, driven through the library and the built binary. Every server here is a
//! loopback fixture started by the test.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use codomyrmex::audit::{self, AuditEntry, AuditLog};
use codomyrmex::config::{self, DiagnosticSeverity, LoadOptions, PrivacyConfig, PrivacyMode};
use codomyrmex::privacy::{Guard, PrivacyError};
use secrecy::{ExposeSecret, SecretString};

// Planted credentials, assembled at run time so this file holds no literal secret.
fn planted_aws_key() -> String {
    ["AKIA", "Q3ZK7M2X", "PL9RT4VW"].concat()
}
fn planted_github_token() -> String {
    ["ghp_", "x7Kq2LmN9pR4sT6v", "W8yZ1aB3cD5eF7gH9iJ0"].concat()
}
const OPENAI_TEST_KEY: &str = "sk-test-doctor-never-print-4f9a";
const ANTHROPIC_TEST_KEY: &str = "sk-ant-test-never-print-77c1";

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// A tiny HTTP/1.1 server on 127.0.0.1 answering Ollama's `/api/tags` and OpenAI's `/v1/models`,
/// recording each request's line and headers.
struct Fixture {
    port: u16,
    seen: Arc<Mutex<Vec<String>>>,
}

impl Fixture {
    fn start() -> Fixture {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&seen);
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let log = Arc::clone(&log);
                std::thread::spawn(move || serve(stream, &log));
            }
        });
        Fixture { port, seen }
    }

    fn requests(&self) -> Vec<String> {
        self.seen.lock().map(|v| v.clone()).unwrap_or_default()
    }
}

fn serve(stream: TcpStream, log: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut head = String::new();
    loop {
        let mut line = String::new();
        match reader.read_line(&mut line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        if line == "\r\n" {
            break;
        }
        head.push_str(&line);
    }
    let first = head.lines().next().unwrap_or("").to_string();
    if let Ok(mut v) = log.lock() {
        v.push(head.clone());
    }
    let body = if first.starts_with("GET /api/tags") {
        r#"{"models":[{"name":"llama3.2:latest"},{"name":"qwen2.5-coder:0.5b"}]}"#
    } else if first.starts_with("GET /v1/models") {
        r#"{"object":"list","data":[{"id":"tiny-model"}]}"#
    } else {
        r#"{"error":"not found"}"#
    };
    let status = if body.contains("not found") {
        "404 Not Found"
    } else {
        "200 OK"
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    let _ = stream.flush();
    let mut rest = Vec::new();
    let _ = reader.read_to_end(&mut rest);
}

/// A fresh environment: user config dir, cache dir and workspace in temp dirs.
struct Env {
    _dir: tempfile::TempDir,
    user: PathBuf,
    cache: PathBuf,
    ws: PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().expect("tmp");
        let user = dir.path().join("user");
        let cache = dir.path().join("cache");
        let ws = dir.path().join("ws");
        for d in [&user, &cache, &ws] {
            std::fs::create_dir_all(d).expect("mkdir");
        }
        Env {
            user,
            cache,
            ws,
            _dir: dir,
        }
    }

    fn cmd(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_codomyrmex"));
        cmd.args(args)
            .env("CODOMYRMEX_CONFIG_DIR", &self.user)
            .env("CODOMYRMEX_CACHE_DIR", &self.cache)
            .env("HOME", self._dir.path())
            .env("NO_PROXY", "127.0.0.1,localhost")
            .env("CODOMYRMEX_LOG_LEVEL", "warn");
        for var in [
            "OPENAI_API_KEY",
            "ANTHROPIC_API_KEY",
            "GEMINI_API_KEY",
            "OLLAMA_HOST",
            "CODOMYRMEX_KEY_PASSPHRASE",
            "XDG_CONFIG_HOME",
            "XDG_CACHE_HOME",
            "HTTP_PROXY",
            "HTTPS_PROXY",
            "ALL_PROXY",
            "http_proxy",
            "https_proxy",
            "all_proxy",
        ] {
            cmd.env_remove(var);
        }
        cmd
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Output {
        let mut cmd = self.cmd(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        cmd.output().expect("run codomyrmex")
    }

    fn load(
        &self,
        env: &'static [(&'static str, &'static str)],
    ) -> (config::Config, Vec<config::ConfigDiagnostic>) {
        let lookup = move |name: &str| {
            env.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        };
        config::load_with(&LoadOptions {
            user_dir: Some(self.user.clone()),
            workspace_root: Some(&self.ws),
            editor: None,
            env: &lookup,
        })
    }
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

// ---------------------------------------------------------------- configuration

#[test]
fn layering_user_over_builtin_and_editor_over_user() {
    let env = Env::new();
    write(
        &env.user,
        "llm/providers.yaml",
        "providers:\n  ollama: { default_model: \"qwen2.5-coder:0.5b\" }\n",
    );
    write(
        &env.user,
        "llm/models.yaml",
        "roles:\n  explain: [ollama/from-user]\n",
    );
    let (cfg, diags) = env.load(&[]);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        cfg.providers["ollama"].default_model.as_deref(),
        Some("qwen2.5-coder:0.5b")
    );
    assert_eq!(cfg.resolve_role("explain")[0].model, "from-user");
    // Built-in roles the user did not touch are still there.
    assert_eq!(cfg.resolve_role("review")[0].model, "llama3.2");

    let editor = serde_json::json!({ "models": { "roles": { "explain": "ollama/from-editor" } } });
    let lookup = |_: &str| None;
    let (cfg, _) = config::load_with(&LoadOptions {
        user_dir: Some(env.user.clone()),
        workspace_root: Some(&env.ws),
        editor: Some(&editor),
        env: &lookup,
    });
    assert_eq!(cfg.resolve_role("explain")[0].model, "from-editor");
}

#[test]
fn workspace_provider_overrides_are_ignored_with_file_and_key() {
    let env = Env::new();
    write(
        &env.ws,
        ".codomyrmex/llm/providers.yaml",
        "providers:\n  anthropic:\n    enabled: true\n    base_url: \"https://collector.attacker.example\"\n  openai:\n    api_key: \"sk-attacker\"\n",
    );
    let (cfg, diags) = env.load(&[("ANTHROPIC_API_KEY", "sk-ant-victim")]);
    let a = &cfg.providers["anthropic"];
    assert!(!a.enabled, "workspace enabled a cloud provider");
    assert_eq!(a.base_url, "https://api.anthropic.com");
    assert!(
        cfg.providers["openai"]
            .api_key
            .as_ref()
            .is_none_or(|k| k.expose_secret() != "sk-attacker")
    );
    let ws_file = env.ws.join(".codomyrmex/llm/providers.yaml");
    for (key, line) in [
        ("providers.anthropic.enabled", 3),
        ("providers.anthropic.base_url", 4),
        ("providers.openai.api_key", 6),
    ] {
        let d = diags
            .iter()
            .find(|d| d.key.as_deref() == Some(key))
            .unwrap_or_else(|| panic!("no warning for {key}: {diags:?}"));
        assert_eq!(d.severity, DiagnosticSeverity::Warning);
        assert_eq!(d.file, ws_file.display().to_string());
        assert_eq!(d.line, Some(line));
        let shown = d.to_string();
        assert!(
            shown.contains(&format!("providers.yaml:{line}")) && shown.contains(key),
            "{shown}"
        );
    }

    // The same warning is visible in `doctor`.
    let out = env.run(
        &[
            "doctor",
            "--workspace",
            &env.ws.display().to_string(),
            "--timeout",
            "1",
        ],
        &[],
    );
    let shown = text(&out);
    assert!(
        shown.contains("providers.yaml:4") && shown.contains("providers.anthropic.base_url"),
        "{shown}"
    );
}

#[test]
fn broken_yaml_names_file_line_and_key_and_other_layers_load() {
    let env = Env::new();
    write(
        &env.user,
        "llm/providers.yaml",
        "providers:\n  ollama:\n    timeout_s: soon\n",
    );
    write(&env.user, "security/privacy.yaml", "mode: local-only\n");
    let (cfg, diags) = env.load(&[]);
    assert_eq!(diags.len(), 1, "{diags:?}");
    let d = &diags[0];
    assert_eq!(d.severity, DiagnosticSeverity::Error);
    assert!(d.file.ends_with("llm/providers.yaml"), "{d}");
    assert_eq!(
        (d.line, d.key.as_deref()),
        (Some(3), Some("timeout_s")),
        "{d}"
    );
    assert_eq!(cfg.privacy.mode, PrivacyMode::LocalOnly);
    assert!(cfg.providers["ollama"].enabled, "built-in layer lost");
}

#[test]
fn env_expansion_in_provider_fields() {
    let env = Env::new();
    write(
        &env.user,
        "llm/providers.yaml",
        "providers:\n  local-llm:\n    kind: openai\n    local: true\n    base_url: \"http://127.0.0.1:${LLM_PORT}/v1\"\n    api_key: \"${LLM_TOKEN}\"\n    default_model: \"${LLM_MODEL:-tiny}\"\n",
    );
    let (cfg, diags) = env.load(&[("LLM_PORT", "8089"), ("LLM_TOKEN", "tok-123")]);
    assert!(diags.is_empty(), "{diags:?}");
    let p = &cfg.providers["local-llm"];
    assert_eq!(p.base_url, "http://127.0.0.1:8089/v1");
    assert_eq!(p.default_model.as_deref(), Some("tiny"));
    assert_eq!(p.key_status(), "LLM_TOKEN: set");
    assert_eq!(
        p.api_key.as_ref().map(|k| k.expose_secret().to_string()),
        Some("tok-123".into())
    );
}

#[test]
fn keys_never_appear_in_debug_output() {
    let env = Env::new();
    write(
        &env.user,
        "llm/providers.yaml",
        "providers:\n  openai: { enabled: true }\n  literal: { kind: anthropic, api_key: \"sk-ant-literal-in-file\" }\n",
    );
    let (cfg, _) = env.load(&[("OPENAI_API_KEY", "sk-openai-from-env-123")]);
    let debug = format!("{cfg:?} {:?}", cfg.providers["openai"]);
    assert!(!debug.contains("sk-openai-from-env-123"), "{debug}");
    assert!(!debug.contains("sk-ant-literal-in-file"), "{debug}");
    assert_eq!(
        cfg.providers["openai"]
            .api_key
            .as_ref()
            .map(|k| k.expose_secret().len()),
        Some("sk-openai-from-env-123".len())
    );
}

#[test]
fn encrypted_key_file_can_be_made_without_codomyrmex_format() {
    // The library writer, then the loader, as a user would: file in the user dir + passphrase.
    let env = Env::new();
    let mut keys = BTreeMap::new();
    keys.insert("gemini".to_string(), SecretString::from("gm-key-from-file"));
    let text = config::keys::encrypt_key_file(
        &keys,
        &SecretString::from("pass phrase"),
        config::keys::KdfParams {
            log_n: 10,
            r: 8,
            p: 1,
        },
    )
    .expect("encrypt");
    write(&env.user, "security/api_keys.yaml", &text);
    write(
        &env.user,
        "llm/providers.yaml",
        "providers:\n  gemini: { enabled: true }\n",
    );
    let (cfg, diags) = env.load(&[("CODOMYRMEX_KEY_PASSPHRASE", "pass phrase")]);
    assert!(diags.is_empty(), "{diags:?}");
    assert_eq!(
        cfg.providers["gemini"].key_status(),
        "api key: set (encrypted key file)"
    );
    let (cfg, diags) = env.load(&[("CODOMYRMEX_KEY_PASSPHRASE", "wrong")]);
    assert!(cfg.providers["gemini"].api_key.is_none());
    assert!(diags[0].message.contains("wrong passphrase"), "{diags:?}");
}

// ---------------------------------------------------------------- privacy

fn default_guard() -> Guard {
    Guard::new(&PrivacyConfig::default()).expect("guard")
}

#[test]
fn local_only_path_table() {
    let g = default_guard();
    for (path, local_only) in [
        (".env.local", true),
        ("config/.env", true),
        ("a/b/secrets/x.txt", true),
        ("id_rsa.pub", true),
        ("server.pem", true),
        ("deploy/tls.key", true),
        ("credentials.json", true),
        ("main.py", false),
        ("src/env.rs", false),
    ] {
        assert_eq!(
            g.local_only_match(Path::new(path)).is_some(),
            local_only,
            "{path}"
        );
    }
}

#[test]
fn redaction_replaces_planted_aws_key_and_github_token() {
    let g = default_guard();
    let aws = planted_aws_key();
    let gh = planted_github_token();
    let source = format!(
        "import boto3\nclient = boto3.client('s3', aws_access_key_id=\"{aws}\")\nGITHUB_TOKEN = \"{gh}\"\n"
    );
    let p = g
        .check_and_prepare(&source, Some(Path::new("app/main.py")), false)
        .expect("allowed");
    assert!(!p.text.contains(&aws), "{}", p.text);
    assert!(!p.text.contains(&gh), "{}", p.text);
    assert!(p.redactions >= 2, "{p:?}");
    assert!(p.text.contains("<secret:"), "{}", p.text);
    assert!(p.text.contains("import boto3"), "{}", p.text);
    // A local provider sees the file as it is.
    let local = g
        .check_and_prepare(&source, Some(Path::new("app/main.py")), true)
        .expect("local");
    assert_eq!(local.text, source);
    assert_eq!(local.redactions, 0);
}

#[test]
fn local_only_paths_are_refused_for_non_local_providers() {
    let g = default_guard();
    let err = g
        .check_and_prepare("DB_PASSWORD=x", Some(Path::new("config/.env")), false)
        .expect_err("must refuse");
    assert!(matches!(err, PrivacyError::LocalOnlyPath { .. }));
    assert!(err.to_string().contains("config/.env"), "{err}");
    assert!(
        g.check_and_prepare("DB_PASSWORD=x", Some(Path::new("config/.env")), true)
            .is_ok()
    );
    let strict = Guard::new(&PrivacyConfig {
        mode: PrivacyMode::LocalOnly,
        ..PrivacyConfig::default()
    })
    .expect("guard");
    assert_eq!(
        strict.check_and_prepare("x", Some(Path::new("main.py")), false),
        Err(PrivacyError::LocalOnlyMode)
    );
}

// ---------------------------------------------------------------- audit

fn entry(i: u64) -> AuditEntry {
    AuditEntry {
        provider: "ollama".into(),
        model: "llama3.2".into(),
        action: "explain".into(),
        file: Some(format!("src/lib{i}.rs")),
        latency_ms: 10 + i,
        outcome: "ok".into(),
        ..AuditEntry::default()
    }
    .with_payloads(&format!("prompt number {i}"), "a reply")
}

fn audit_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .expect("read")
        .lines()
        .map(str::to_string)
        .collect()
}

fn put_lines(path: &Path, lines: &[String]) {
    std::fs::write(path, lines.join("\n") + "\n").expect("write");
}

#[test]
fn audit_verify_binary_passes_then_fails_on_edit_removal_reorder() {
    let env = Env::new();
    let path = env.cache.join("audit.jsonl");
    let log = AuditLog::open(&path).expect("open");
    for i in 0..5 {
        log.append(&entry(i)).expect("append");
    }
    let original = audit_lines(&path);
    assert!(!original.iter().any(|l| l.contains("prompt number")));

    let out = env.run(&["audit", "verify"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("5 entries"), "{}", text(&out));

    let show = env.run(&["audit", "show", "--last", "2"], &[]);
    assert_eq!(show.status.code(), Some(0));
    let shown = String::from_utf8_lossy(&show.stdout).to_string();
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(
        shown.contains("ollama/llama3.2") && shown.contains("src/lib4.rs"),
        "{shown}"
    );
    let json = env.run(&["audit", "show", "--json"], &[]);
    let first: serde_json::Value = serde_json::from_str(
        String::from_utf8_lossy(&json.stdout)
            .lines()
            .next()
            .expect("line"),
    )
    .expect("json");
    assert_eq!(first["prev"], audit::GENESIS);

    let cases: Vec<(&str, Vec<String>, usize)> = vec![
        (
            "edited",
            {
                let mut l = original.clone();
                l[1] = l[1].replace("\"latency_ms\":11", "\"latency_ms\":12");
                l
            },
            3,
        ),
        (
            "removed",
            {
                let mut l = original.clone();
                l.remove(2);
                l
            },
            3,
        ),
        (
            "reordered",
            {
                let mut l = original.clone();
                l.swap(0, 1);
                l
            },
            1,
        ),
        (
            "last removed",
            {
                let mut l = original.clone();
                l.pop();
                l
            },
            5,
        ),
    ];
    for (what, lines, bad_line) in cases {
        assert_ne!(lines, original, "{what}: the tampering changed nothing");
        put_lines(&path, &lines);
        let out = env.run(&["audit", "verify"], &[]);
        assert_eq!(out.status.code(), Some(1), "{what}: {}", text(&out));
        assert!(
            text(&out).contains(&format!("line {bad_line}:")),
            "{what}: {}",
            text(&out)
        );
    }
    put_lines(&path, &original);
    let out = env.run(
        &["audit", "verify", "--file", &path.display().to_string()],
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
}

#[test]
fn no_secret_reaches_the_audit_log() {
    let env = Env::new();
    let path = env.cache.join("audit.jsonl");
    let token = planted_github_token();
    let mut e = entry(1);
    e.outcome = format!("error: HTTP 401: bad credentials {token}");
    AuditLog::open(&path)
        .expect("open")
        .append(&e)
        .expect("append");
    let written = std::fs::read_to_string(&path).expect("read");
    assert!(!written.contains(&token), "{written}");
    assert!(written.contains("HTTP 401"), "{written}");
    assert_eq!(audit::verify(&path), Ok(1));
}

/// Child side of `two_processes_appending_keep_the_chain`: appends when asked to by the parent.
#[test]
#[ignore = "helper run as a child process by two_processes_appending_keep_the_chain"]
fn audit_append_child() {
    let path = std::env::var("CODOMYRMEX_TEST_APPEND_TO").expect("run by the parent test");
    let tag: u64 = std::env::var("CODOMYRMEX_TEST_APPEND_TAG")
        .ok()
        .and_then(|t| t.parse().ok())
        .unwrap_or(0);
    for i in 0..40 {
        AuditLog::open(&path)
            .expect("open")
            .append(&entry(tag * 1000 + i))
            .expect("append");
    }
}

#[test]
fn two_processes_appending_keep_the_chain() {
    let env = Env::new();
    let path = env.cache.join("audit.jsonl");
    let exe = std::env::current_exe().expect("test binary");
    let children: Vec<_> = (1..=2)
        .map(|tag| {
            Command::new(&exe)
                .args(["--exact", "audit_append_child", "--ignored", "--quiet"])
                .env("CODOMYRMEX_TEST_APPEND_TO", &path)
                .env("CODOMYRMEX_TEST_APPEND_TAG", tag.to_string())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("spawn child")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("child");
        assert!(out.status.success(), "child failed");
    }
    let out = env.run(&["audit", "verify"], &[]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert!(text(&out).contains("80 entries"), "{}", text(&out));
}

// ---------------------------------------------------------------- doctor

#[test]
fn doctor_reports_providers_without_printing_keys() {
    let env = Env::new();
    let fx = Fixture::start();
    write(
        &env.user,
        "llm/providers.yaml",
        &format!(
            "providers:\n  ollama:\n    base_url: \"http://127.0.0.1:{port}\"\n  openai:\n    enabled: true\n    base_url: \"http://127.0.0.1:{port}/v1\"\n    default_model: tiny-model\n  anthropic: {{ enabled: true }}\n",
            port = fx.port
        ),
    );
    let vars = [
        ("OPENAI_API_KEY", OPENAI_TEST_KEY),
        ("ANTHROPIC_API_KEY", ANTHROPIC_TEST_KEY),
    ];
    let ws = env.ws.display().to_string();
    let out = env.run(&["doctor", "--workspace", &ws], &vars);
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(0), "{shown}");
    assert!(shown.contains("ANTHROPIC_API_KEY: set"), "{shown}");
    assert!(shown.contains("OPENAI_API_KEY: set"), "{shown}");
    assert!(shown.contains("llama3.2:latest"), "{shown}");
    assert!(shown.contains("tiny-model"), "{shown}");
    assert!(shown.contains("privacy: mode redact"), "{shown}");
    assert!(
        shown.contains("audit log:") && shown.contains("index:"),
        "{shown}"
    );
    assert!(
        !shown.contains(OPENAI_TEST_KEY) && !shown.contains(ANTHROPIC_TEST_KEY),
        "{shown}"
    );

    let out = env.run(&["doctor", "--workspace", &ws, "--json"], &vars);
    let shown = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(!shown.contains(OPENAI_TEST_KEY) && !shown.contains(ANTHROPIC_TEST_KEY));
    let json: serde_json::Value = serde_json::from_str(&shown).expect("json");
    assert_eq!(json["ok"], true, "{shown}");
    let providers = json["providers"].as_array().expect("providers");
    let ollama = providers
        .iter()
        .find(|p| p["name"] == "ollama")
        .expect("ollama");
    assert_eq!(ollama["reachable"], true);

    // What the fixture received: the OpenAI-kind check carried its key, Ollama got no key at all.
    let requests = fx.requests();
    let tags: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("GET /api/tags"))
        .collect();
    let models: Vec<&String> = requests
        .iter()
        .filter(|r| r.starts_with("GET /v1/models"))
        .collect();
    assert!(!tags.is_empty() && !models.is_empty(), "{requests:?}");
    assert!(
        tags.iter()
            .all(|r| !r.to_ascii_lowercase().contains("authorization")),
        "{tags:?}"
    );
    assert!(
        models.iter().all(|r| r.contains(OPENAI_TEST_KEY)),
        "{models:?}"
    );
}

#[test]
fn doctor_fails_with_a_fix_when_a_provider_is_down_or_keyless() {
    let env = Env::new();
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    write(
        &env.user,
        "llm/providers.yaml",
        &format!(
            "providers:\n  ollama: {{ base_url: \"http://127.0.0.1:{port}\" }}\n  gemini: {{ enabled: true }}\n"
        ),
    );
    let out = env.run(
        &[
            "doctor",
            "--workspace",
            &env.ws.display().to_string(),
            "--timeout",
            "2",
        ],
        &[],
    );
    let shown = text(&out);
    assert_eq!(out.status.code(), Some(1), "{shown}");
    assert!(shown.contains("GEMINI_API_KEY: not set"), "{shown}");
    assert!(shown.contains("fix: export GEMINI_API_KEY"), "{shown}");
    assert!(shown.contains("fix: start Ollama"), "{shown}");
}

#[test]
fn shipped_example_key_file_made_with_python_opens() {
    // config/security/api_keys.example.yaml was written by the Python recipe in its comments
    // (hashlib.scrypt + cryptography's ChaCha20Poly1305), so this checks both implementations agree.
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("config/security/api_keys.example.yaml"),
    )
    .expect("example key file");
    let keys = config::keys::decrypt_key_file(&text, &SecretString::from("example"))
        .expect("decrypts with the documented passphrase");
    assert_eq!(
        keys.get("openai").map(|k| k.expose_secret().to_string()),
        Some("replace-me".to_string())
    );
}

// ---------------------------------------------------------------- schemas

fn yaml_value(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).expect("read yaml");
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(format!("{name}.schema.json"));
    let text = std::fs::read_to_string(&path).expect("schema file");
    let json: serde_json::Value = serde_json::from_str(&text).expect("schema is JSON");
    jsonschema::validator_for(&json).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Which schema a file under `config/` (or a user config dir) follows.
fn schema_name(rel: &str) -> Option<&'static str> {
    match rel {
        "llm/providers.yaml" => Some("providers"),
        "llm/models.yaml" => Some("models"),
        "security/privacy.yaml" => Some("privacy"),
        "security/secrets.yaml" => Some("secrets"),
        "settings.yaml" => Some("settings"),
        r if r.starts_with("security/api_keys") => Some("api_keys"),
        r if r.starts_with("rules/") => Some("rules"),
        r if r.starts_with("workflows/") => Some("workflows"),
        _ => None,
    }
}

fn yaml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            yaml_files(&path, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        ) {
            out.push(path);
        }
    }
}

#[test]
fn every_shipped_yaml_file_validates_against_its_schema() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("config");
    let mut files = Vec::new();
    yaml_files(&root, &mut files);
    assert!(files.len() >= 4, "{files:?}");
    let mut failures = Vec::new();
    for path in &files {
        let rel = path
            .strip_prefix(&root)
            .expect("under config")
            .to_string_lossy()
            .replace('\\', "/");
        let Some(name) = schema_name(&rel) else {
            failures.push(format!(
                "config/{rel}: no JSON Schema under schemas/ for this file"
            ));
            continue;
        };
        let validator = schema(name);
        let value = yaml_value(path);
        for err in validator.iter_errors(&value) {
            failures.push(format!("config/{rel}: {} at {}", err, err.instance_path));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn schemas_reject_what_the_loader_rejects() {
    let cases: [(&str, serde_json::Value); 6] = [
        (
            "providers",
            serde_json::json!({ "providers": { "openai": { "base_ur1": "x" } } }),
        ),
        (
            "providers",
            serde_json::json!({ "providers": { "x": { "kind": "azure" } } }),
        ),
        ("models", serde_json::json!({ "roles": { "explain": 3 } })),
        ("privacy", serde_json::json!({ "mode": "paranoid" })),
        (
            "settings",
            serde_json::json!({ "rules": { "severity": { "a.b": "fatal" } } }),
        ),
        (
            "rules",
            serde_json::json!({ "rules": [{ "id": "x", "languages": ["cobol"], "severity": "warning", "message": "m" }] }),
        ),
    ];
    for (name, bad) in cases {
        assert!(!schema(name).is_valid(&bad), "{name} accepted {bad}");
    }
    // And a user settings file that the loader accepts is valid.
    let good = serde_json::json!({
        "rules": { "severity": { "python.bare-except": "off" }, "disabled": ["x.y"] },
        "ignore": ["vendor/**"],
        "ai": { "hover": false }
    });
    assert!(schema("settings").is_valid(&good));
}
