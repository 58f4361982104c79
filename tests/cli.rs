//! The `check` and `rules test` commands, driven as a user would: the built binary on real files.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn bin() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_codomyrmex"));
    cmd.env("CODOMYRMEX_CONFIG_DIR", "/nonexistent-codomyrmex-config")
        .env("NO_COLOR", "1");
    cmd
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(p) = path.parent() {
        std::fs::create_dir_all(p).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

/// A workspace with its own rules (so these tests do not depend on the shipped packs).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        ".codomyrmex/rules/t.yaml",
        "rules:\n  - id: t.eval\n    languages: [python]\n    severity: error\n    message: eval call\n    explanation: Do not eval.\n    docs: https://example.com/t-eval\n    cwe: [CWE-95]\n    tags: [security]\n    fix:\n      title: use literal_eval\n      target: _f\n      replace: ast.literal_eval\n  - id: t.print\n    languages: [python]\n    severity: hint\n    message: print call\n    query: '((call function: (identifier) @_f) @t.print (#eq? @_f \"print\"))'\n",
    );
    write(
        dir.path(),
        ".codomyrmex/queries/python/t.scm",
        "((call function: (identifier) @_f) @t.eval (#eq? @_f \"eval\"))\n",
    );
    write(dir.path(), "src/a.py", "x = '😀'; y = eval(x)\nprint(y)\n");
    write(dir.path(), "src/b.py", "print(1)\n");
    write(dir.path(), "ignored/c.py", "eval(2)\n");
    write(dir.path(), ".gitignore", "ignored/\n");
    std::fs::write(dir.path().join("src/blob.py"), b"eval(1)\0\0\0").expect("write");
    dir
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run");
    (
        status.code().unwrap_or(-1),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

#[test]
fn text_output_exit_codes_and_gitignore() {
    let ws = workspace();
    let (code, out, err) = run(bin().current_dir(ws.path()).args(["check", "."]));
    assert_eq!(code, 1, "{out}\n{err}");
    assert!(
        out.contains("src/a.py:1:14: error [t.eval] eval call"),
        "{out}"
    );
    assert!(
        out.contains("src/a.py:2:1: hint [t.print] print call"),
        "{out}"
    );
    assert!(
        !out.contains("ignored/c.py"),
        "gitignored file was checked: {out}"
    );
    assert!(!out.contains("blob.py"), "binary file was checked: {out}");
    // Only hints at or above --fail-on error? The eval is an error, so still 1; with only b.py, 0.
    let (code, out, _) = run(bin().current_dir(ws.path()).args(["check", "src/b.py"]));
    assert_eq!(code, 0, "{out}");
    let (code, _, _) =
        run(bin()
            .current_dir(ws.path())
            .args(["check", "--fail-on", "hint", "src/b.py"]));
    assert_eq!(code, 1);
    // Suppression holds in the CLI too.
    write(
        ws.path(),
        "src/a.py",
        "x = 1\n# codomyrmex-ignore: t.eval\ny = eval(x)\n",
    );
    let (code, out, _) = run(bin().current_dir(ws.path()).args(["check", "src/a.py"]));
    assert_eq!(code, 0, "{out}");
}

#[test]
fn missing_paths_and_bad_usage_exit_2() {
    let ws = workspace();
    let (code, _, err) = run(bin()
        .current_dir(ws.path())
        .args(["check", "does/not/exist"]));
    assert_eq!(code, 2);
    assert!(
        err.contains("does/not/exist: no such file or directory"),
        "{err}"
    );
    let (code, _, err) = run(bin().args(["check", "--format", "xml"]));
    assert_eq!(code, 2, "{err}");
    let (code, _, _) = run(bin().args(["no-such-command"]));
    assert_eq!(code, 2);
    // A broken workspace rule file is a configuration error (2), reported with file and line.
    write(
        ws.path(),
        ".codomyrmex/rules/broken.yaml",
        "rules:\n  - id: [x\n",
    );
    let (code, _, err) = run(bin().current_dir(ws.path()).args(["check", "."]));
    assert_eq!(code, 2);
    assert!(err.contains("broken.yaml:2"), "{err}");
}

#[test]
fn json_output() {
    let ws = workspace();
    let (_, out, _) = run(bin()
        .current_dir(ws.path())
        .args(["check", "--format", "json", "src/a.py"]));
    let v: Value = serde_json::from_str(&out).expect("json");
    let first = &v[0];
    assert_eq!(first["path"], "src/a.py");
    assert_eq!(first["rule_id"], "t.eval");
    assert_eq!(first["start"]["line"], 1);
    assert_eq!(first["start"]["column"], 14);
    assert_eq!(first["cwe"][0], "CWE-95");
    assert_eq!(first["fix"]["replacement"], "ast.literal_eval");
}

#[test]
fn sarif_output_validates_against_the_2_1_0_schema() {
    let ws = workspace();
    let (code, out, err) = run(bin()
        .current_dir(ws.path())
        .args(["check", "--format", "sarif", "."]));
    assert_eq!(code, 1, "{err}");
    let sarif: Value = serde_json::from_str(&out).expect("sarif json");
    let schema_path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sarif-schema-2.1.0.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("schema file"))
            .expect("schema json");
    let validator = jsonschema::validator_for(&schema).expect("compile schema");
    let errors: Vec<String> = validator
        .iter_errors(&sarif)
        .map(|e| format!("{e} at {}", e.instance_path))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let run0 = &sarif["runs"][0];
    let rule = run0["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .find(|r| r["id"] == "t.eval")
        .expect("t.eval");
    assert_eq!(rule["helpUri"], "https://example.com/t-eval");
    assert!(
        rule["properties"]["tags"]
            .as_array()
            .expect("tags")
            .contains(&Value::from("CWE-95"))
    );
    let result = run0["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["ruleId"] == "t.eval")
        .expect("result");
    assert_eq!(result["level"], "error");
    let region = &result["locations"][0]["physicalLocation"]["region"];
    // 1-based, UTF-16 columns (the run declares columnKind utf16CodeUnits): "x = '😀'; y = " is
    // 13 characters (text output column 14) but 14 UTF-16 units (the emoji is a surrogate pair).
    assert_eq!(region["startLine"], 1);
    assert_eq!(region["startColumn"], 15);
    assert_eq!(
        result["fixes"][0]["artifactChanges"][0]["replacements"][0]["insertedContent"]["text"],
        "ast.literal_eval"
    );
}

#[test]
fn shipped_rule_samples_pass() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, out, err) =
        run(bin()
            .current_dir(root)
            .args(["rules", "test", "--quiet", "--strict", "tests/rules"]));
    assert_eq!(code, 0, "rules test failed:\n{out}\n{err}");
    assert!(
        out.lines()
            .last()
            .is_some_and(|l| l.ends_with(" passed, 0 failed")),
        "{out}"
    );
}

#[test]
fn rules_test_reports_failures_precisely() {
    let ws = workspace();
    write(
        ws.path(),
        "samples/x.py",
        "# ruleid: t.eval\neval(1)\n# ok: t.eval\nliteral(2)\n# ruleid: t.eval\nnot_eval(3)\n# ok: t.eval\neval(4)\n",
    );
    let (code, out, _) = run(bin().current_dir(ws.path()).args([
        "rules",
        "test",
        "--rules",
        ".codomyrmex",
        "samples",
    ]));
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("FAIL  t.eval"), "{out}");
    assert!(
        out.contains("samples/x.py:6: expected a finding here"),
        "{out}"
    );
    assert!(
        out.contains("samples/x.py:8: finding on an `ok` line"),
        "{out}"
    );
}

#[test]
fn workspace_settings_change_severity_disable_rules_and_ignore_paths() {
    let ws = workspace();
    write(
        ws.path(),
        ".codomyrmex/settings.yaml",
        "rules:\n  severity:\n    t.eval: hint\n  disabled: [t.print]\nignore:\n  - \"src/b.py\"\n",
    );
    let (code, out, err) = run(bin().current_dir(ws.path()).args(["check", "."]));
    assert_eq!(code, 0, "eval is only a hint now:\n{out}\n{err}");
    assert!(out.contains("hint [t.eval]"), "{out}");
    assert!(!out.contains("t.print"), "disabled rule fired: {out}");
    let (_, out, err) = run(bin()
        .current_dir(ws.path())
        .args(["check", "--format", "json", "."]));
    assert!(
        !out.contains("src/b.py"),
        "ignored path was checked: {out}\n{err}"
    );
}
