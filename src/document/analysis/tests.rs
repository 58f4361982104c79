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
            old_tree: Some(tree),
            old_findings: Some(findings),
            edits: vec![edit],
            rules: rules.clone(),
            old_import_sig: Some(import_signature(
                Lang::Python,
                &syntax::parse(Lang::Python, &Source::Str(BASE), None).expect("parse"),
                &Text::new(BASE),
            )),
        },
        &AtomicBool::new(false),
    )
    .expect("analyze");
    assert!(out.incremental);
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
            old_tree: None,
            old_findings: None,
            edits: vec![],
            rules,
            old_import_sig: None,
        },
        &AtomicBool::new(true),
    );
    assert!(result.is_err());
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
    /// fresh parse, and changed-range findings equal a full re-check.
    #[test]
    fn incremental_equals_full(edits in proptest::collection::vec((0usize..400, 0usize..12, arb_insert()), 1..8)) {
        let rules = rules();
        let mut text = Text::new(BASE);
        let mut reference = BASE.to_string();
        let mut tree = syntax::parse(Lang::Python, &text.source(), None).expect("parse");
        let mut findings = Arc::new(rules.check_tree(Lang::Python, text.source(), &tree, None));
        let mut sig = import_signature(Lang::Python, &tree, &text);
        for chunk in edits.chunks(2) {
            let mut byte_edits = Vec::new();
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
                tree.edit(&edit.to_input_edit());
                byte_edits.push(edit);
            }
            prop_assert_eq!(text.to_string(), reference.clone());
            let out = analyze(AnalysisInput {
                lang: Lang::Python,
                text: text.clone(),
                old_tree: Some(tree.clone()),
                old_findings: Some(findings.clone()),
                edits: byte_edits,
                rules: rules.clone(),
                old_import_sig: Some(sig),
            }, &AtomicBool::new(false)).expect("analyze");
            sig = out.import_sig;
            let fresh = syntax::parse(Lang::Python, &Source::Str(&reference), None).expect("parse");
            prop_assert_eq!(out.tree.root_node().to_sexp(), fresh.root_node().to_sexp());
            prop_assert_eq!(&out.findings, &full(&rules, &text));
            tree = out.tree;
            findings = Arc::new(out.findings);
        }
    }
}
