//! Outline parses give the chunks of whole-file parses.

use super::*;
use crate::index::chunk::{Chunk, chunk_file_with};

fn both(text: &str) -> (Vec<Chunk>, Vec<Chunk>) {
    (
        chunk_file_with("m.py", text, true),
        chunk_file_with("m.py", text, false),
    )
}

/// Whether chunking `text` takes the outline path: an outline that parses without errors.
fn outlined(text: &str) -> bool {
    match python_outline(text) {
        Some(Outline::Empty) => true,
        Some(Outline::Ranges { ranges, .. }) => crate::syntax::parse_ranges(
            crate::syntax::Lang::Python,
            &crate::text::Source::Str(text),
            &ranges,
        )
        .is_ok_and(|t| !t.root_node().has_error()),
        None => false,
    }
}

/// Same chunks both ways, and the outline was used.
#[track_caller]
fn same(text: &str) {
    let (outline, whole) = both(text);
    assert_eq!(outline, whole, "outline vs whole for:\n{text}");
    assert!(outlined(text), "whole-file fallback for:\n{text}");
}

/// Same chunks both ways, through the whole-file fallback.
#[track_caller]
fn same_by_fallback(text: &str) {
    let (outline, whole) = both(text);
    assert_eq!(outline, whole, "outline vs whole for:\n{text}");
    assert!(!outlined(text), "outline used for:\n{text}");
}

/// Compares both ways over every `.py` file under `CODOMYRMEX_OUTLINE_CORPUS` (for example the
/// standard library and site-packages): `cargo test --release --lib outline_corpus -- --ignored
/// --nocapture`.
#[test]
#[ignore = "needs CODOMYRMEX_OUTLINE_CORPUS"]
fn outline_corpus() {
    let Some(root) = std::env::var_os("CODOMYRMEX_OUTLINE_CORPUS") else {
        panic!("set CODOMYRMEX_OUTLINE_CORPUS to a directory of Python files");
    };
    let mut files = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(root)];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "py") {
                files.push(p);
            }
        }
    }
    files.sort();
    let (mut used, mut fallback, mut broken, mut bytes, mut outline_bytes) =
        (0, 0, 0, 0usize, 0usize);
    let mut bad = Vec::new();
    for path in &files {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        bytes += text.len();
        if let Some(Outline::Ranges { ranges: r, .. }) = python_outline(&text) {
            outline_bytes += r.iter().map(|r| r.end_byte - r.start_byte).sum::<usize>();
        }
        if outlined(&text) {
            used += 1;
        } else {
            fallback += 1;
            if std::env::var_os("OUTLINE_SHOW_FALLBACK").is_some() {
                println!("whole: {}", path.display());
            }
        }
        let whole_ok = crate::syntax::parse(
            crate::syntax::Lang::Python,
            &crate::text::Source::Str(&text),
            None,
        )
        .is_ok_and(|t| !t.root_node().has_error());
        let (a, b) = both(&text);
        if !whole_ok {
            broken += 1;
            if a != b {
                println!(
                    "differs, with syntax errors in the whole parse: {}",
                    path.display()
                );
            }
            continue;
        }
        if a != b {
            if bad.len() < 40 {
                for (x, y) in a.iter().zip(&b).filter(|(x, y)| x != y).take(1) {
                    println!(
                        "{}: outline {:?} {:?} {}-{}, whole {:?} {:?} {}-{}",
                        path.display(),
                        x.kind,
                        x.symbol,
                        x.start_line,
                        x.end_line,
                        y.kind,
                        y.symbol,
                        y.start_line,
                        y.end_line
                    );
                }
            }
            bad.push(path.display().to_string());
        }
    }
    println!(
        "{} files: {used} by outline, {fallback} whole; outline {:.1}% of {bytes} bytes; {} differ; {broken} not compared (syntax errors in the whole parse)",
        files.len(),
        100.0 * outline_bytes as f64 / bytes.max(1) as f64,
        bad.len()
    );
    assert!(bad.is_empty(), "chunks differ: {bad:#?}");
}

#[test]
fn outline_is_small() {
    let text = "import os\n\ndef f(x):\n    \"\"\"Doc.\"\"\"\n    y = x + 1\n    return y\n\nz = [1, 2, 3]\n";
    let Some(Outline::Ranges { ranges, .. }) = python_outline(text) else {
        panic!("no outline");
    };
    let parsed: Vec<&str> = ranges
        .iter()
        .map(|r| &text[r.start_byte..r.end_byte])
        .collect();
    assert_eq!(parsed, vec!["def f(x):\n", "    return y\n\n"]);
    assert!(matches!(
        python_outline("x = 1\nprint(x)\n"),
        Some(Outline::Empty)
    ));
    assert!(python_outline("def f():\n \tpass\n").is_none());
}

#[test]
fn definitions_classes_and_members() {
    same(
        "import os\n\n\n# About A.\n# More.\nclass A(Base):\n    \"\"\"Doc.\"\"\"\n    x = 1\n\n    @property\n    def f(self):\n        if self.x:\n            return 1\n        else:\n            try:\n                pass\n            finally:\n                return 2\n\n    # trailing, in f's class\n\n    async def g(self):\n        def inner():\n            class Hidden:\n                pass\n        return inner\n        # trailing comment of g\n\n\ndef top(a,\n        b):\n    return a + b\n",
    );
}

#[test]
fn definitions_in_compound_statements() {
    same(
        "try:\n    import a\nexcept ImportError:\n    def a():\n        pass\nelse:\n    x = 1\n\nif TYPE_CHECKING:\n    pass\nelif sys.version_info >= (3, 8):\n    # comment above\n    @decorator(\n        arg)\n    def f() -> int: return 1\nelse:\n    class C: pass\n\nwith open(p) as fh:\n    for line in fh:\n        def g(): ...\n",
    );
}

#[test]
fn trailing_comments_at_several_indentations() {
    same(
        "class A:\n    def f(self):\n        return 1\n        # deep\n    # shallower\n# at zero\n    # back in?\n    x = 2\n\n\n# about g\ndef g():\n    pass\n    # g's\n\n# about h\n\ndef h():\n    x = '''\n# not a comment\n'''\n    return x\n",
    );
}

#[test]
fn empty_class_and_one_line_definitions() {
    same(
        "class E(Exception): pass\nclass F:\n    '''Only a doc.'''\n\ndef f(): return 1\nasync def g(): await x\n",
    );
}

#[test]
fn files_without_definitions_and_broken_files() {
    same("x = 1\nprint(x)\n");
    same("");
    same_by_fallback("def f(:\n    pass\n");
    same_by_fallback("def f():\n    x = 'unterminated\n");
    same_by_fallback("class A:\n    def f(self):\n \tpass\n");
}

#[test]
fn crlf_and_multibyte_text() {
    same("# 注释\r\ndef f():\r\n    return '😀'\r\n\r\nclass Ä:\r\n    def g(self): pass\r\n");
}

#[test]
fn comments_above_a_member_after_the_docstring() {
    same(
        "class Q(dict):\n    \"\"\"Doc.\n    \"\"\"\n    # About init.\n    def __init__(self):\n        pass\n",
    );
    same("class Q(dict):\n    # About init.\n    def __init__(self):\n        pass\n");
}

mod random {
    use super::*;
    use proptest::prelude::*;

    /// Statements; `{d}` is replaced by the block's depth, for distinct names.
    const LINES: &[&str] = &[
        "x = 1",
        "\"\"\"A docstring.\n\nWith # no comment.\n\"\"\"",
        "y = [1,\n     2]",
        "return x",
        "",
        "",
        "# a comment",
        "pass",
        "z = f'{x}' \\\n    + 'a'",
        "try: import x\nexcept ImportError: x = None",
        "if x: y = 1\nelse: y = 2",
        "@decorator\ndef k{d}(): pass",
        "class E{d}(Exception): pass",
    ];
    /// Block openers, with the clause statements they can follow.
    const HEADERS: &[&str] = &[
        "def f{d}(a, b=None):",
        "async def g{d}():",
        "class C{d}(Base):",
        "@decorator\ndef h{d}():",
        "@decorator(arg)\n@other\nclass D{d}:",
        "if x:",
        "try:\n    pass\nexcept ValueError:",
        "if x:\n    pass\nelse:",
        "for i in x:",
        "with open(p) as fh:",
    ];

    /// A random Python file: headers open blocks, dedents close them, and comments land at any
    /// indentation up to one level deeper than the code around them; indented with spaces or
    /// with tabs.
    fn file() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(
                (
                    0usize..LINES.len() + HEADERS.len() + 2,
                    0usize..4,
                    0usize..3,
                ),
                1..50,
            ),
            any::<bool>(),
        )
            .prop_map(|(steps, tabs)| {
                let out = lines(steps);
                if tabs { out.replace("    ", "\t") } else { out }
            })
    }

    fn lines(steps: Vec<(usize, usize, usize)>) -> String {
        let mut out = String::new();
        let mut depth = 0usize;
        for (pick, dedent, comment) in steps {
            depth = depth.saturating_sub(dedent % 3);
            let d = depth.to_string();
            if pick >= LINES.len() + HEADERS.len() {
                // A comment line at a random indentation around the current depth.
                let level = (depth + 1).saturating_sub(comment);
                out.push_str(&"    ".repeat(level));
                out.push_str("# comment\n");
                continue;
            }
            let pad = "    ".repeat(depth);
            let (text, header) = if pick < LINES.len() {
                (LINES[pick].replace("{d}", &d), false)
            } else {
                (HEADERS[pick - LINES.len()].replace("{d}", &d), true)
            };
            for line in text.split('\n') {
                if !line.is_empty() {
                    out.push_str(&pad);
                }
                out.push_str(line);
                out.push('\n');
            }
            if header {
                depth += 1;
                out.push_str(&"    ".repeat(depth));
                out.push_str(if comment == 0 {
                    "\"\"\"Doc.\"\"\"\n"
                } else {
                    "pass\n"
                });
            }
        }
        out
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            // More locally with `OUTLINE_CASES=20000`.
            cases: std::env::var("OUTLINE_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(512),
            max_global_rejects: 2_000_000,
            ..ProptestConfig::default()
        })]

        /// Over files without syntax errors, outline and whole parses give the same chunks.
        #[test]
        fn random_files_chunk_the_same(text in file()) {
            let tree = crate::syntax::parse(
                crate::syntax::Lang::Python,
                &crate::text::Source::Str(&text),
                None,
            );
            prop_assume!(tree.is_ok_and(|t| !t.root_node().has_error()));
            let (outline, whole) = both(&text);
            prop_assert_eq!(outline, whole, "text:\n{}", text);
        }
    }
}

#[test]
fn one_line_clauses_are_not_fillers() {
    same(
        "class A:\n    def f(self):\n        try: x()\n        except: pass\n        if a: b = 1\n        else: b = 2\n",
    );
}

#[test]
fn comments_above_a_member_after_clauses_and_decorators() {
    same(
        "class A:\n    try: import x\n    except ImportError: x = None\n    # About f.\n    def f(self):\n        pass\n",
    );
    same("class A:\n    if x:\n        y = 1\n    # About f.\n    def f(self):\n        pass\n");
}

mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any text, however broken: no panic, and the same chunks when it parses without errors.
        #[test]
        fn arbitrary_text_is_safe(
            text in r#"(def f\(\):|class C:|async def g\(\):|@d\n|if x:|else:|    |\t|\r\n|\n|# c|'''|'|\\\n|\(|\)|:|x|\x0c|é){0,80}"#
        ) {
            let (outline, whole) = both(&text);
            let tree = crate::syntax::parse(
                crate::syntax::Lang::Python,
                &crate::text::Source::Str(&text),
                None,
            );
            if tree.is_ok_and(|t| !t.root_node().has_error()) {
                prop_assert_eq!(outline, whole, "text:\n{:?}", text);
            }
        }
    }
}
