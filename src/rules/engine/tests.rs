use super::*;
use crate::rules::Severity;

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).unwrap_or_default();
    }
    std::fs::write(path, text).unwrap_or_default();
}

fn dir_source(dir: &Path) -> RuleSource {
    RuleSource::Dir {
        root: dir.to_path_buf(),
        label: "test".into(),
    }
}

const RULES: &str = r#"
rules:
  - id: t.eval
    languages: [python]
    severity: error
    message: "call to {{_fn}}"
    fix:
      title: "use ast.literal_eval"
      target: _fn
      replace: "ast.literal_eval"
  - id: t.debugger
    languages: [javascript]
    severity: warning
    message: "debugger statement"
    query: "(debugger_statement) @t.debugger"
"#;

const QUERY: &str = r#"
; t.eval
((call function: (identifier) @_fn) @t.eval (#eq? @_fn "eval"))
"#;

#[test]
fn rules_match_with_messages_and_fixes() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "rules/t.yaml", RULES);
    write(dir.path(), "queries/python/t.scm", QUERY);
    let set = RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new());
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    let text = "x = eval(input())\ny = evil(1)\n";
    let findings = set.check_text(Some(Lang::Python), text);
    assert_eq!(findings.len(), 1);
    let f = &findings[0];
    assert_eq!(&*f.rule_id, "t.eval");
    assert_eq!(f.message, "call to eval");
    assert_eq!(&text[f.range.clone()], "eval(input())");
    let fix = f.fix.as_ref().expect("fix");
    assert_eq!(&text[fix.range.clone()], "eval");
    assert_eq!(fix.replacement, "ast.literal_eval");
    // Inline query, and JavaScript queries apply to TypeScript and TSX too.
    for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
        let f = set.check_text(Some(lang), "function f() { debugger; }\n");
        assert_eq!(f.len(), 1, "{lang:?}");
    }
}

#[test]
fn broken_files_are_reported_and_skipped() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "rules/t.yaml", RULES);
    write(
        dir.path(),
        "rules/broken.yaml",
        "rules:\n  - id: x\n    languages: [python\n",
    );
    write(
        dir.path(),
        "rules/bad-lang.yaml",
        "rules:\n  - id: t.cobol\n    languages: [cobol]\n    severity: error\n    message: m\n",
    );
    write(dir.path(), "queries/python/t.scm", QUERY);
    write(
        dir.path(),
        "queries/python/zz-broken.scm",
        "(call\n  (no_such_node) @t.eval)\n",
    );
    let set = RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new());
    set.compile_all();
    let errors: Vec<String> = set.errors().iter().map(|e| e.to_string()).collect();
    assert!(
        errors.iter().any(|e| e.contains("broken.yaml:")),
        "{errors:?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains("bad-lang.yaml:2:") && e.contains("cobol")),
        "{errors:?}"
    );
    assert!(
        errors.iter().any(|e| e.contains("zz-broken.scm:2:")),
        "{errors:?}"
    );
    // The good rule still works.
    assert_eq!(set.check_text(Some(Lang::Python), "eval(x)\n").len(), 1);
}

#[test]
fn severity_overrides_change_or_disable() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "rules/t.yaml", RULES);
    write(dir.path(), "queries/python/t.scm", QUERY);
    let mut overrides = SeverityOverrides::new();
    overrides.insert("t.eval".into(), Some(Severity::Hint));
    let set = RuleSet::load(&[dir_source(dir.path())], overrides);
    assert_eq!(
        set.check_text(Some(Lang::Python), "eval(x)\n")[0].severity,
        Severity::Hint
    );
    let mut off = SeverityOverrides::new();
    off.insert("t.eval".into(), None);
    let set = RuleSet::load(&[dir_source(dir.path())], off);
    assert!(set.check_text(Some(Lang::Python), "eval(x)\n").is_empty());
}

#[test]
fn builtin_packs_load_without_errors() {
    let set = RuleSet::builtin();
    set.compile_all();
    assert!(set.errors().is_empty(), "{:#?}", set.errors());
}

#[test]
fn templates() {
    assert_eq!(
        render_template("a {{x}} b {{ y }} {{z}}", |n| (n != "z")
            .then(|| n.to_uppercase())),
        "a X b Y {{z}}"
    );
    assert_eq!(render_template("open {{", |_| None), "open {{");
}

#[test]
fn patterns_split_with_lines_and_captures() {
    let src =
        "; comment (not a pattern)\n(a) @x\n\n((b \"str ) (\") @y (#eq? @y \")\"))\n[(c) (d)] @z\n";
    let parts = split_patterns(src);
    let texts: Vec<&str> = parts.iter().map(|(_, t)| *t).collect();
    assert_eq!(
        texts,
        vec![
            "(a) @x",
            "((b \"str ) (\") @y (#eq? @y \")\"))",
            "[(c) (d)] @z"
        ]
    );
    assert_eq!(
        parts.iter().map(|(l, _)| *l).collect::<Vec<_>>(),
        vec![1, 3, 4]
    );
}

#[test]
fn inherited_queries_skip_patterns_the_grammar_lacks() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(
        dir.path(),
        "rules/t.yaml",
        "rules:\n  - id: t.dbg\n    languages: [javascript]\n    severity: warning\n    message: m\n  - id: t.jsx\n    languages: [javascript]\n    severity: warning\n    message: m\n",
    );
    write(
        dir.path(),
        "queries/javascript/t.scm",
        "(debugger_statement) @t.dbg\n(jsx_attribute (property_identifier) @_n (#eq? @_n \"dangerouslySetInnerHTML\")) @t.jsx\n",
    );
    let set = RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new());
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    assert_eq!(
        set.check_text(Some(Lang::TypeScript), "debugger;\n").len(),
        1
    );
    assert_eq!(
        set.check_text(
            Some(Lang::Tsx),
            "const a = <div dangerouslySetInnerHTML={x} />;\n"
        )
        .len(),
        1
    );
}

/// Every sample file under `tests/rules` (and each half of it, so that literals go missing)
/// gives the same findings with and without the literal prefilter.
#[test]
fn prefilter_keeps_findings_identical() {
    let on = RuleSet::builtin();
    let off = RuleSet::builtin().without_prefilter();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/rules");
    let mut stack = vec![root];
    let mut files = 0;
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            let lang = Lang::from_path(&path);
            let lines: Vec<&str> = text.lines().collect();
            let half = lines.len() / 2;
            let first = lines[..half].join("\n");
            let second = lines[half..].join("\n");
            for t in [text.as_str(), first.as_str(), second.as_str()] {
                assert_eq!(
                    on.check_text(lang, t),
                    off.check_text(lang, t),
                    "{}",
                    path.display()
                );
            }
            files += 1;
        }
    }
    assert!(files > 10, "{files} sample files");
}

#[test]
fn prefilter_skips_patterns_whose_literals_are_absent() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "rules/t.yaml", RULES);
    write(
        dir.path(),
        "rules/r.yaml",
        "rules:\n  - id: t.system\n    languages: [python]\n    severity: error\n    message: m\n    checks:\n      - name: resolves-to\n        capture: _fn\n        args: [os.system]\n",
    );
    write(dir.path(), "queries/python/t.scm", QUERY);
    write(
        dir.path(),
        "queries/python/r.scm",
        "(call function: (_) @_fn) @t.system\n",
    );
    let on = RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new());
    let off =
        RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new()).without_prefilter();
    let lq = on.lang_query(Lang::Python).expect("python query");
    assert!(lq.prefilter.literal_count() >= 2);
    for text in [
        "x = evil(1)\nprint(2)\n",
        "eval(x)\n",
        "import os\nos.system(cmd)\n",
        "from os import system as s\ns(cmd)\n",
        "EVAL(x)\nSystem(y)\n",
        "",
    ] {
        assert_eq!(
            on.check_text(Some(Lang::Python), text),
            off.check_text(Some(Lang::Python), text),
            "{text:?}"
        );
        // Literals are searched ASCII-case-insensitively (a superset is safe).
        let lower = text.to_ascii_lowercase();
        let expect = usize::from(lower.contains("eval")) + usize::from(lower.contains("system"));
        assert_eq!(lq.prefilter.scan(text).count(), expect, "{text:?}");
    }
    // A rule switched off disables its patterns in the compiled query.
    let mut overrides = SeverityOverrides::new();
    overrides.insert("t.system".into(), None);
    let set = RuleSet::load(&[dir_source(dir.path())], overrides);
    let lq = set.lang_query(Lang::Python).expect("python query");
    assert_eq!(lq.prefilter.scan("os.system(eval(x))").count(), 1);
    assert_eq!(
        set.check_text(Some(Lang::Python), "os.system(eval(x))\n")
            .len(),
        1
    );
}

#[test]
fn root_patterns_are_detected_by_their_first_node_not_by_comments() {
    let dir = tempfile::tempdir().expect("tempdir");
    write(dir.path(), "rules/t.yaml", RULES);
    write(
        dir.path(),
        "queries/python/t.scm",
        &format!("; not rooted at (module) despite this comment\n{QUERY}"),
    );
    let set = RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new());
    assert!(!set.needs_full_check(Lang::Python));
    write(
        dir.path(),
        "queries/python/root.scm",
        "(module (expression_statement (call) @t.eval))\n",
    );
    let set = RuleSet::load(&[dir_source(dir.path())], SeverityOverrides::new());
    assert!(set.needs_full_check(Lang::Python));
}
