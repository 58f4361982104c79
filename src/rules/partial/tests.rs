//! Partial checks must report exactly what whole-file checks report.

use proptest::prelude::*;

use crate::rules::{RuleSet, RuleSource, SeverityOverrides};
use crate::syntax::Lang;

/// The built-in rules with only the Python quality pack switched on (the security pack's rules
/// have checks, which turn partial checks off).
fn quality_rules() -> RuleSet {
    let all = RuleSet::builtin();
    let mut overrides = SeverityOverrides::new();
    for rule in all.rules() {
        if rule.is_security() || !rule.id().starts_with("python.") {
            overrides.insert(rule.id().to_string(), None);
        }
    }
    RuleSet::load(&[RuleSource::Embedded], overrides)
}

/// Shared rule sets: loading and compiling them per case would dominate the test.
static PARTIAL: std::sync::LazyLock<RuleSet> = std::sync::LazyLock::new(quality_rules);
static WHOLE: std::sync::LazyLock<RuleSet> =
    std::sync::LazyLock::new(|| quality_rules().without_partial());

fn summary(rules: &RuleSet, text: &str) -> Vec<(usize, usize, String)> {
    rules
        .check_text(Some(Lang::Python), text)
        .into_iter()
        .map(|f| (f.range.start, f.range.end, f.rule_id.to_string()))
        .collect()
}

fn assert_same(text: &str) {
    assert_eq!(
        summary(&PARTIAL, text),
        summary(&WHOLE, text),
        "text:\n{text}"
    );
}

#[test]
fn samples_report_the_same() {
    let rules = &*PARTIAL;
    for file in ["quality.py", "security.py", "security_extra.py"] {
        let path = format!("{}/tests/rules/python/{file}", env!("CARGO_MANIFEST_DIR"));
        let text = std::fs::read_to_string(&path).expect("sample");
        assert_same(&text);
        assert!(
            rules.excerpt_ranges(Lang::Python, &text).is_some(),
            "{file}: a plan exists"
        );
    }
}

#[test]
fn only_candidate_statements_are_parsed() {
    let rules = &*PARTIAL;
    let text = "import os\n\nclass A:\n    def f(self):\n        x = 1\n        y = 2\n        return x\n\n    def g(self, v):\n        if v == None:\n            return 1\n        return 2\n";
    let ranges = rules.excerpt_ranges(Lang::Python, text).expect("partial");
    let parsed: Vec<&str> = ranges.iter().map(|r| &text[r.clone()]).collect();
    // The class and method headers, and the comparison's statement with a first statement of
    // its block; not `f`.
    assert_eq!(
        parsed,
        vec![
            "class A:\n",
            "    def g(self, v):\n        if v == None:\n            return 1\n"
        ]
    );
    assert_eq!(summary(rules, text).len(), 1);
    // Nothing to look at: nothing parsed.
    assert_eq!(
        rules.excerpt_ranges(Lang::Python, "x = 1\n"),
        Some(Vec::new())
    );
}

#[test]
fn clauses_keep_their_statement_and_nested_clauses_are_checked_whole() {
    for text in [
        "try:\n    a()\n    b()\nexcept ValueError:\n    c()\nexcept:\n    pass\n",
        "def f():\n    try:\n        a()\n    except ValueError:\n        try:\n            b()\n        except:\n            pass\n        c()\n",
        "for x in y:\n    pass\nelse:\n    if x == None: pass\n",
        "try:\n    a()\nexcept Exception:\n    pass\n    log()\n",
        "if a:\n    b()\nelif c:\n    d()\nelse:\n    try:\n        e()\n    except:  # c\n        pass\n",
        "@dec\ndef f(a, b=[]):\n    '''doc is None'''\n    return f'{a}' if a is 1 else f'x'\n",
        // A comment after the last statement of a block is a child of the block.
        "for l in x:\n    try:\n        w = 1\n    except:\n        pass\n        # note\n    #  old code\n    y = 2\n",
        "try:\n    a()\nexcept:\n    pass\n    # at the end\n",
        "try:\n    @dec\n    def f():\n        pass\nexcept:\n    pass\n",
        "class T:\n    @skipIf(x is None, 'why')\n    @other\n    def test(self):\n        a = 1\n        b = 2\n",
        "x = {\n  'a': f\"{b!r}\" ,\n}\nassert (x, 'm')\nif not x in y:\n    raise NotImplemented\n",
    ] {
        assert_same(text);
    }
}

/// Statements to compose files from, at any depth.
const LINES: &[&str] = &[
    "x = 1",
    "y = x == None",
    "z = f'a' + f\"{x}\"",
    "print(f'plain')",
    "assert (x, 'message')",
    "if not x in y: pass",
    "w = x is 1",
    "v = type(x) == type(y)",
    "s = '''a\nis None\n'''",
    "t = [1,\n  2 == None]",
    "u = x \\\n  != None",
    "breakpoint()",
    "raise NotImplemented",
    "# a comment with == None",
    "    # a deeper comment",
    "",
    "pass",
];
/// Block openers; a clause comes with a statement it can follow, so that most files parse.
const HEADERS: &[&str] = &[
    "if x:",
    "def f(a=[], b=None):",
    "class C:",
    "for i in x:",
    "while x != None:",
    "with open(p) as f:",
    "try:",
    "try:\n    pass\nexcept:",
    "try:\n    pass\nexcept Exception:",
    "try:\n    x == None\nexcept ValueError:\n    pass\nelse:",
    "if x:\n    pass\nelif y == None:",
    "try:\n    pass\nfinally:",
    "for i in x:\n    pass\nelse:",
    "@decorator\ndef g(a={}):",
    "@decorator(x is None)\nclass D:",
    "except:",
];

/// A random, not always valid, Python file: headers open blocks, dedents close them.
fn file() -> impl Strategy<Value = String> {
    prop::collection::vec((0usize..LINES.len() + HEADERS.len(), 0usize..4), 1..40).prop_map(
        |steps| {
            let mut out = String::new();
            let mut depth = 0usize;
            for (pick, dedent) in steps {
                depth = depth.saturating_sub(dedent % 3);
                let pad = "    ".repeat(depth);
                if pick < LINES.len() {
                    for line in LINES[pick].split('\n') {
                        out.push_str(&pad);
                        out.push_str(line);
                        out.push('\n');
                    }
                } else {
                    let h = HEADERS[pick - LINES.len()];
                    for line in h.split('\n') {
                        out.push_str(&pad);
                        out.push_str(line);
                        out.push('\n');
                    }
                    if h.ends_with(':') {
                        depth += 1;
                        out.push_str(&"    ".repeat(depth));
                        out.push_str("pass\n");
                    }
                }
            }
            out
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 256,
        max_global_rejects: 200_000,
        ..ProptestConfig::default()
    })]

    /// Over files without syntax errors (where error recovery differs, so may the findings).
    #[test]
    fn random_files_report_the_same(text in file()) {
        let tree = crate::syntax::parse(Lang::Python, &crate::text::Source::Str(&text), None);
        prop_assume!(tree.is_ok_and(|t| !t.root_node().has_error()));
        prop_assert_eq!(summary(&PARTIAL, &text), summary(&WHOLE, &text), "text:\n{}", text);
    }
}
