use super::*;
use crate::rules::{RuleSource, SeverityOverrides};
use crate::text::{Pos, PosRange, PositionEncoding, Source};
use proptest::prelude::*;

fn rules() -> Arc<RuleSet> {
    let dir = tempfile::tempdir().expect("tempdir");
    let root = dir.path();
    std::fs::create_dir_all(root.join("rules")).unwrap_or_default();
    std::fs::create_dir_all(root.join("queries/python")).unwrap_or_default();
    std::fs::write(
        root.join("rules/t.yaml"),
        "rules:\n  - id: t.eval\n    languages: [python]\n    severity: error\n    message: eval\n  - id: t.bare-except\n    languages: [python]\n    severity: warning\n    message: bare\n  - id: t.none-cmp\n    languages: [python]\n    severity: info\n    message: none\n",
    )
    .unwrap_or_default();
    std::fs::write(
        root.join("queries/python/t.scm"),
        "((call function: (identifier) @_f) @t.eval (#eq? @_f \"eval\"))\n(except_clause . \":\") @t.bare-except\n(comparison_operator (none) @t.none-cmp)\n",
    )
    .unwrap_or_default();
    let set = RuleSet::load(
        &[RuleSource::Dir {
            root: root.to_path_buf(),
            label: "t".into(),
        }],
        SeverityOverrides::new(),
    );
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    Arc::new(set)
}

fn full(rules: &RuleSet, text: &Text) -> Vec<Finding> {
    let tree = syntax::parse(Lang::Python, &text.source(), None).expect("parse");
    rules.check_tree(Lang::Python, text.source(), &tree, None)
}

const BASE: &str = "import os\n\ndef f(a):\n    x = eval(a)  # 😀\n    return x == None\n\nclass C:\n    def g(self):\n        try:\n            pass\n        except:\n            pass\n\ny = 中文 = eval('1')\n";

#[test]
fn small_edit_is_incremental_and_matches_full() {
    let rules = rules();
    let mut text = Text::new(BASE);
    let tree = syntax::parse(Lang::Python, &text.source(), None).expect("parse");
    let findings = Arc::new(rules.check_tree(Lang::Python, text.source(), &tree, None));
    assert_eq!(findings.len(), 4);
    let mut tree = tree;
    // Replace `eval('1')` on the last line with `evil('1')`.
    let line = 13;
    let col = "y = 中文 = ".encode_utf16().count() as u32;
    let edit = text.apply_change(
        Some(PosRange {
            start: Pos::new(line, col),
            end: Pos::new(line, col + 4),
        }),
        "evil",
        PositionEncoding::Utf16,
    );
    tree.edit(&edit.to_input_edit());
    let out = analyze(
        AnalysisInput {
            lang: Lang::Python,
            text: text.clone(),
            exact: Some(Base {
                tree,
                findings: Some(findings),
                import_sig: import_signature(
                    Lang::Python,
                    &syntax::parse(Lang::Python, &Source::Str(BASE), None).expect("parse"),
                    &Text::new(BASE),
                ),
            }),
            exact_edits: vec![edit],
            last: None,
            last_edits: vec![],
            rules: rules.clone(),
            parse_budget: None,
        },
        &AtomicBool::new(false),
    )
    .expect("analyze");
    assert_eq!(out.mode, Mode::Incremental);
    assert!(out.queried_bytes < text.len_bytes() / 2);
    assert_eq!(out.findings, full(&rules, &text));
    assert_eq!(out.findings.len(), 3);
}

#[test]
fn cancelled_parse_reports_cancellation() {
    let rules = rules();
    let text = Text::new(&BASE.repeat(50));
    let result = analyze(
        AnalysisInput {
            lang: Lang::Python,
            text,
            exact: None,
            exact_edits: vec![],
            last: None,
            last_edits: vec![],
            rules,
            parse_budget: None,
        },
        &AtomicBool::new(true),
    );
    assert!(result.is_err());
}

/// A document's analysis state, as the document actor keeps it.
struct State {
    exact: Base,
    pending: Vec<ByteEdit>,
    last: Base,
    recent: Vec<ByteEdit>,
}

impl State {
    fn new(rules: &RuleSet, text: &Text) -> State {
        let tree = syntax::parse(Lang::Python, &text.source(), None).expect("parse");
        let base = Base {
            findings: Some(Arc::new(rules.check_tree(
                Lang::Python,
                text.source(),
                &tree,
                None,
            ))),
            import_sig: import_signature(Lang::Python, &tree, text),
            tree,
        };
        State {
            exact: base.clone(),
            pending: Vec::new(),
            last: base,
            recent: Vec::new(),
        }
    }

    fn edit(&mut self, edit: ByteEdit) {
        self.exact.tree.edit(&edit.to_input_edit());
        self.last.tree.edit(&edit.to_input_edit());
        self.pending.push(edit);
        self.recent.push(edit);
    }

    fn analyze(&mut self, rules: &Arc<RuleSet>, text: &Text) -> AnalysisOutput {
        let out = analyze(
            AnalysisInput {
                lang: Lang::Python,
                text: text.clone(),
                exact: Some(self.exact.clone()),
                exact_edits: self.pending.clone(),
                last: Some(self.last.clone()),
                last_edits: self.recent.clone(),
                rules: rules.clone(),
                parse_budget: None,
            },
            &AtomicBool::new(false),
        )
        .expect("analyze");
        let base = Base {
            tree: out.tree.clone().expect("a tree without a parse budget"),
            findings: Some(Arc::new(out.findings.clone())),
            import_sig: out.import_sig,
        };
        if out.exact() {
            self.exact = base.clone();
            self.pending.clear();
        }
        self.last = base;
        self.recent.clear();
        out
    }
}

/// An edit that opens a syntax error re-queries only the statement being edited and keeps every
/// other finding, although error recovery reshapes the rest of the file; undoing it is an exact
/// incremental check of that statement again.
#[test]
fn syntax_error_edit_is_provisional_and_its_undo_is_incremental() {
    let rules = rules();
    let body: String = (0..40)
        .map(|i| {
            format!("def f{i}(a):\n    x = eval(a)\n    if x == None:\n        return {i}\n\n")
        })
        .collect();
    let mut text = Text::new(&body);
    let mut state = State::new(&rules, &text);
    let findings = state.exact.findings.clone().expect("findings");
    assert_eq!(findings.len(), 80);
    // An unmatched `(` at the start of line 11 (inside f2) swallows the rest of the file.
    let open = text.apply_change(
        Some(PosRange {
            start: Pos::new(11, 0),
            end: Pos::new(11, 0),
        }),
        "(",
        PositionEncoding::Utf16,
    );
    state.edit(open);
    let out = state.analyze(&rules, &text);
    assert_eq!(out.mode, Mode::Provisional);
    let f2 = body.split("\n\n").nth(2).map_or(0, str::len);
    assert!(
        out.queried_bytes <= f2 + 2,
        "{} bytes re-queried",
        out.queried_bytes
    );
    // Every finding outside f2 (lines 10–13) is still there.
    let kept = out
        .findings
        .iter()
        .filter(|f| !(10..14).contains(&text.line_of(f.range.start)))
        .count();
    assert_eq!(kept, 78);
    // Typing on inside the broken statement stays provisional and cheap.
    let more = text.apply_change(
        Some(PosRange {
            start: Pos::new(11, 1),
            end: Pos::new(11, 1),
        }),
        "y",
        PositionEncoding::Utf16,
    );
    state.edit(more);
    let out = state.analyze(&rules, &text);
    assert_eq!(out.mode, Mode::Provisional);
    assert!(out.queried_bytes <= f2 + 3);
    // Undo both: exact again, incremental against the last exact analysis, equal to a full check.
    let undo = text.apply_change(
        Some(PosRange {
            start: Pos::new(11, 0),
            end: Pos::new(11, 2),
        }),
        "",
        PositionEncoding::Utf16,
    );
    state.edit(undo);
    let out = state.analyze(&rules, &text);
    assert_eq!(out.mode, Mode::Incremental);
    assert!(out.queried_bytes < text.len_bytes() / 10);
    assert_eq!(out.findings, full(&rules, &text));
    assert_eq!(&out.findings, &*findings);
}

/// Over its parse budget, an analysis sketches: it parses and queries only the statement being
/// edited and keeps every other finding; it has no new tree.
#[test]
fn over_budget_analysis_sketches_the_edited_statement() {
    let rules = rules();
    let body: String = (0..40)
        .map(|i| {
            format!("def f{i}(a):\n    x = eval(a)\n    if x == None:\n        return {i}\n\n")
        })
        .collect();
    let mut text = Text::new(&body);
    let mut state = State::new(&rules, &text);
    // f30's `eval(a)` becomes `evil(a)` (line 121, column 8).
    let edit = text.apply_change(
        Some(PosRange {
            start: Pos::new(121, 8),
            end: Pos::new(121, 10),
        }),
        "ev",
        PositionEncoding::Utf16,
    );
    let edit2 = text.apply_change(
        Some(PosRange {
            start: Pos::new(121, 10),
            end: Pos::new(121, 11),
        }),
        "i",
        PositionEncoding::Utf16,
    );
    state.edit(edit);
    state.edit(edit2);
    assert!(text.line(121).contains("evil(a)"), "{}", text.line(121));
    let out = analyze(
        AnalysisInput {
            lang: Lang::Python,
            text: text.clone(),
            exact: Some(state.exact.clone()),
            exact_edits: state.pending.clone(),
            last: Some(state.last.clone()),
            last_edits: state.recent.clone(),
            rules: rules.clone(),
            parse_budget: Some(std::time::Duration::ZERO),
        },
        &AtomicBool::new(false),
    )
    .expect("analyze");
    assert_eq!(out.mode, Mode::Provisional);
    assert!(out.tree.is_none());
    let f30 = body.split("\n\n").nth(30).map_or(0, str::len);
    assert!(
        out.queried_bytes <= f30 + 2,
        "{} bytes re-queried",
        out.queried_bytes
    );
    // The sketch sees exactly what a full check sees: only f30's `eval` finding is gone.
    assert_eq!(out.findings, full(&rules, &text));
    assert_eq!(out.findings.len(), 79);
}

/// Inside a large class that no pattern can be rooted at, the unit re-queried is the method
/// being edited, not the class.
#[test]
fn units_are_members_of_large_classes() {
    let rules = rules();
    let methods: String = (0..6)
        .map(|i| format!("    def m{i}(self, b):\n        return eval(b) == None\n\n"))
        .collect();
    let text = format!("import os\n\nclass K:\n{methods}");
    let tree = syntax::parse(Lang::Python, &Source::Str(&text), None).expect("parse");
    let at = text.find("def m3").expect("m3") + 12;
    let may_root_at = |kind: &str| rules.may_root_at(Lang::Python, kind);
    assert!(!may_root_at("class_definition") && may_root_at("call"));
    let units = widen_to_units(&tree, std::slice::from_ref(&(at..at + 1)), &may_root_at);
    let m3 = text.find("def m3").expect("m3");
    let m4 = text.find("\n\n    def m4").expect("m4");
    assert_eq!(units, vec![m3..m4]);
    // A range that spans two methods is widened to both; one on the class line to the class.
    let both = widen_to_units(&tree, std::slice::from_ref(&(at..m4 + 8)), &may_root_at);
    assert_eq!(both.len(), 1);
    assert!(both[0].start == m3 && both[0].end > m4 + 8);
    // An edit of the class name re-queries only the header tokens it touches: no pattern can
    // be rooted at the class, so no match spans from the name into the methods.
    let k = text.find("K:").expect("K");
    let header = widen_to_units(&tree, std::slice::from_ref(&(k..k + 1)), &may_root_at);
    assert_eq!(header, vec![k..k + 2]);
}

fn arb_insert() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("eval(x)".to_string()),
        Just("\n".to_string()),
        Just("    ".to_string()),
        Just("except:".to_string()),
        Just(" == None".to_string()),
        Just("(".to_string()),
        Just("\"".to_string()),
        Just("😀中".to_string()),
        Just("def h():\n    eval(1)\n".to_string()),
        Just(String::new()),
        Just("import sys\n".to_string()),
        Just("try:\n    pass\nexcept:\n    pass\n".to_string()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    /// Random multi-byte edits: rope equals the reference string, the incremental tree equals a
    /// fresh parse, and every exact analysis equals a full re-check. A provisional one (the edits
    /// opened a syntax error) holds only the base's findings moved by the edits and findings of a
    /// full re-check, and the next analysis starts from the same base again.
    #[test]
    fn incremental_equals_full(edits in proptest::collection::vec((0usize..2400, 0usize..12, arb_insert()), 1..8)) {
        let rules = rules();
        // Long enough for an unmatched `(` to reshape more than the provisional threshold.
        let sample = format!(
            "{BASE}{}class K:\n{}",
            (0..16).map(|i| format!("def g{i}(b):\n    return eval(b) == None\n\n")).collect::<String>(),
            (0..8).map(|i| format!("    def m{i}(self, b):\n        try:\n            return eval(b) == None\n        except:\n            pass\n\n")).collect::<String>(),
        );
        let mut text = Text::new(&sample);
        let mut reference = sample.clone();
        let mut state = State::new(&rules, &text);
        for chunk in edits.chunks(2) {
            for (at, del, insert) in chunk {
                let mut start = (*at).min(reference.len());
                while !reference.is_char_boundary(start) { start -= 1; }
                let mut end = (start + del).min(reference.len());
                while !reference.is_char_boundary(end) { end -= 1; }
                let range = text.range_of(start..end, PositionEncoding::Utf16);
                let s = text.offset_of(range.start, PositionEncoding::Utf16);
                let e = text.offset_of(range.end, PositionEncoding::Utf16);
                let edit = text.apply_change(Some(range), insert, PositionEncoding::Utf16);
                reference.replace_range(s..e, insert);
                state.edit(edit);
            }
            prop_assert_eq!(text.to_string(), reference.clone());
            let carried = shifted_outside(
                state.last.findings.as_deref().expect("findings"),
                &state.recent,
                &[],
            );
            let out = state.analyze(&rules, &text);
            let fresh = syntax::parse(Lang::Python, &Source::Str(&reference), None).expect("parse");
            prop_assert_eq!(out.tree.as_ref().map(|t| t.root_node().to_sexp()), Some(fresh.root_node().to_sexp()));
            let expected = full(&rules, &text);
            if out.exact() {
                prop_assert_eq!(&out.findings, &expected);
            } else {
                prop_assert!(fresh.root_node().has_error());
                for f in &out.findings {
                    prop_assert!(
                        carried.iter().chain(&expected).any(|g| g.range == f.range && g.rule_id == f.rule_id),
                        "provisional finding {:?} is neither carried over nor in a full check", f
                    );
                }
            }
        }
    }

    /// Rescanning the lines around edits finds exactly what a full secrets scan finds.
    #[test]
    fn secrets_rescan_equals_full(edits in proptest::collection::vec((0usize..4000, 0usize..40, arb_secret_insert()), 1..10)) {
        let rules = secret_rules();
        let mut text = Text::new(&secret_text());
        let mut reference = text.to_string();
        let mut old = rules.check_secrets(&reference);
        prop_assert!(old.len() >= 12, "only {} secrets in the sample", old.len());
        for chunk in edits.chunks(3) {
            let mut byte_edits = Vec::new();
            for (at, del, insert) in chunk {
                let mut start = (*at).min(reference.len());
                while !reference.is_char_boundary(start) { start -= 1; }
                let mut end = (start + del).min(reference.len());
                while !reference.is_char_boundary(end) { end -= 1; }
                let edit = text.replace_bytes(start..end, insert);
                reference.replace_range(start..end, insert);
                byte_edits.push(edit);
            }
            let mut got = rescan_secrets(&rules, &text, Some(&old), &byte_edits);
            let mut want = rules.check_secrets(&reference);
            got.sort_by_key(|f| (f.range.start, f.range.end));
            want.sort_by_key(|f| (f.range.start, f.range.end));
            prop_assert_eq!(&got, &want);
            old = got;
        }
    }
}

/// The built-in rules (secrets among them).
fn secret_rules() -> RuleSet {
    let set = RuleSet::load(&[RuleSource::Embedded], SeverityOverrides::new());
    assert!(set.errors().is_empty(), "{:?}", set.errors());
    set
}

/// Secrets of several kinds between ordinary lines, 😀 and 中文 included.
fn secret_text() -> String {
    let mut s = String::new();
    for i in 0..12 {
        s.push_str(&format!("def f{i}(x):  # 😀 中文\n    return x + {i}\n\n"));
        match i % 4 {
            0 => s.push_str("AWS_KEY = \"AKIAZ7QW3RT5YU8IOP2N\"\n"),
            1 => s.push_str("db_password = \"hT9#kL2$vQ8!zW4m\"\n"),
            2 => s.push_str("token: ghp_4fT9kQ2vW8zL1mN6pR3sX7yB0cD5eH2jK9aU\n"),
            _ => s.push_str("url = \"postgres://admin:s3cr3tPa55w0rd@db.internal:5432/app\"\n"),
        }
    }
    s
}

fn arb_secret_insert() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("\n".to_string()),
        Just("x".to_string()),
        Just("\"".to_string()),
        Just("password = \"Zq8!rT4#mW2$kP9x\"\n".to_string()),
        Just("AKIAQ4RT7YU2IO9PLK3M".to_string()),
        Just("😀中".to_string()),
        Just(String::new()),
        Just(" = ".to_string()),
        Just("secret".to_string()),
    ]
}
