//! Grammar registry and parsing.
//!
//! Owns the mapping from LSP `languageId`s and file extensions to tree-sitter grammars, and parsing
//! from either a flat string or a rope (through [`crate::text::Source`] chunks, never a full copy).
//! Nothing here knows about LSP.

use std::path::Path;
use std::sync::OnceLock;

use tree_sitter::{Language, Node, Parser, Tree};

use crate::text::Source;

/// Every language codomyrmex parses.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Rust,
    Python,
    JavaScript,
    TypeScript,
    Tsx,
    Go,
    Java,
    C,
    Cpp,
    Ruby,
    Bash,
    Json,
    Yaml,
    Toml,
}

impl Lang {
    pub const ALL: [Lang; 14] = [
        Lang::Rust,
        Lang::Python,
        Lang::JavaScript,
        Lang::TypeScript,
        Lang::Tsx,
        Lang::Go,
        Lang::Java,
        Lang::C,
        Lang::Cpp,
        Lang::Ruby,
        Lang::Bash,
        Lang::Json,
        Lang::Yaml,
        Lang::Toml,
    ];

    /// The canonical name, used in rule files and as the `queries/<name>/` directory.
    pub fn name(self) -> &'static str {
        match self {
            Lang::Rust => "rust",
            Lang::Python => "python",
            Lang::JavaScript => "javascript",
            Lang::TypeScript => "typescript",
            Lang::Tsx => "tsx",
            Lang::Go => "go",
            Lang::Java => "java",
            Lang::C => "c",
            Lang::Cpp => "cpp",
            Lang::Ruby => "ruby",
            Lang::Bash => "bash",
            Lang::Json => "json",
            Lang::Yaml => "yaml",
            Lang::Toml => "toml",
        }
    }

    /// Parses a canonical name or an LSP `languageId` (`typescriptreact`, `shellscript`, …).
    pub fn from_name(name: &str) -> Option<Lang> {
        let lang = match name.to_ascii_lowercase().as_str() {
            "rust" | "rs" => Lang::Rust,
            "python" | "py" => Lang::Python,
            "javascript" | "js" | "javascriptreact" | "jsx" => Lang::JavaScript,
            "typescript" | "ts" => Lang::TypeScript,
            "tsx" | "typescriptreact" => Lang::Tsx,
            "go" | "golang" => Lang::Go,
            "java" => Lang::Java,
            "c" => Lang::C,
            "cpp" | "c++" | "cuda-cpp" => Lang::Cpp,
            "ruby" | "rb" => Lang::Ruby,
            "bash" | "sh" | "shellscript" | "shell" | "zsh" => Lang::Bash,
            "json" | "jsonc" | "json5" => Lang::Json,
            "yaml" | "yml" => Lang::Yaml,
            "toml" => Lang::Toml,
            _ => return None,
        };
        Some(lang)
    }

    /// Guesses the language from a file name.
    pub fn from_path(path: &Path) -> Option<Lang> {
        let file_name = path.file_name()?.to_str()?;
        match file_name {
            "Cargo.lock" | "Pipfile" | "poetry.lock" => return Some(Lang::Toml),
            ".bashrc" | ".bash_profile" | ".profile" | ".zshrc" => return Some(Lang::Bash),
            "Gemfile" | "Rakefile" | "Vagrantfile" => return Some(Lang::Ruby),
            _ => {}
        }
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        let lang = match ext.as_str() {
            "rs" => Lang::Rust,
            "py" | "pyi" | "pyw" => Lang::Python,
            "js" | "mjs" | "cjs" | "jsx" => Lang::JavaScript,
            "ts" | "mts" | "cts" => Lang::TypeScript,
            "tsx" => Lang::Tsx,
            "go" => Lang::Go,
            "java" => Lang::Java,
            "c" | "h" => Lang::C,
            "cc" | "cpp" | "cxx" | "c++" | "hpp" | "hh" | "hxx" | "h++" | "ipp" => Lang::Cpp,
            "rb" | "rake" | "gemspec" => Lang::Ruby,
            "sh" | "bash" | "zsh" | "ksh" => Lang::Bash,
            "json" | "jsonc" | "json5" | "geojson" => Lang::Json,
            "yaml" | "yml" => Lang::Yaml,
            "toml" => Lang::Toml,
            _ => return None,
        };
        Some(lang)
    }

    /// The tree-sitter grammar (built once per process).
    pub fn grammar(self) -> &'static Language {
        static GRAMMARS: OnceLock<Vec<Language>> = OnceLock::new();
        let all = GRAMMARS.get_or_init(|| {
            Lang::ALL
                .iter()
                .map(|lang| match lang {
                    Lang::Rust => tree_sitter_rust::LANGUAGE.into(),
                    Lang::Python => tree_sitter_python::LANGUAGE.into(),
                    Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
                    Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
                    Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
                    Lang::Go => tree_sitter_go::LANGUAGE.into(),
                    Lang::Java => tree_sitter_java::LANGUAGE.into(),
                    Lang::C => tree_sitter_c::LANGUAGE.into(),
                    Lang::Cpp => tree_sitter_cpp::LANGUAGE.into(),
                    Lang::Ruby => tree_sitter_ruby::LANGUAGE.into(),
                    Lang::Bash => tree_sitter_bash::LANGUAGE.into(),
                    Lang::Json => tree_sitter_json::LANGUAGE.into(),
                    Lang::Yaml => tree_sitter_yaml::LANGUAGE.into(),
                    Lang::Toml => tree_sitter_toml_ng::LANGUAGE.into(),
                })
                .collect()
        });
        &all[self as usize]
    }

    /// Query directories whose `.scm` files apply to this language, most specific first.
    /// TypeScript's grammar extends JavaScript's, TSX extends TypeScript, C++ extends C.
    pub fn query_dirs(self) -> &'static [&'static str] {
        match self {
            Lang::Rust => &["rust"],
            Lang::Python => &["python"],
            Lang::JavaScript => &["javascript"],
            Lang::TypeScript => &["typescript", "javascript"],
            Lang::Tsx => &["tsx", "typescript", "javascript"],
            Lang::Go => &["go"],
            Lang::Java => &["java"],
            Lang::C => &["c"],
            Lang::Cpp => &["cpp", "c"],
            Lang::Ruby => &["ruby"],
            Lang::Bash => &["bash"],
            Lang::Json => &["json"],
            Lang::Yaml => &["yaml"],
            Lang::Toml => &["toml"],
        }
    }

    /// Whether a rule written for `rule_lang` applies to files of `self`.
    pub fn accepts_rules_for(self, rule_lang: Lang) -> bool {
        self == rule_lang || self.query_dirs().contains(&rule_lang.name())
    }

    /// The line-comment leader, used for suppression comments and rule-test annotations.
    pub fn line_comment(self) -> Option<&'static str> {
        match self {
            Lang::Python | Lang::Ruby | Lang::Bash | Lang::Yaml | Lang::Toml => Some("#"),
            Lang::Json => None,
            _ => Some("//"),
        }
    }
}

/// Errors from parsing.
#[derive(Debug, thiserror::Error)]
pub enum SyntaxError {
    #[error("grammar for {0} is incompatible with the tree-sitter runtime")]
    Incompatible(&'static str),
    #[error("parse of {0} was cancelled or timed out")]
    Cancelled(&'static str),
}

/// Parses `source` from scratch, or incrementally when `old` (already `edit`ed) is given.
pub fn parse(lang: Lang, source: &Source<'_>, old: Option<&Tree>) -> Result<Tree, SyntaxError> {
    parse_with_cancel(lang, source, old, &|| false)
}

/// Like [`parse`], but polls `cancelled` during the parse and gives up when it returns true.
pub fn parse_with_cancel(
    lang: Lang,
    source: &Source<'_>,
    old: Option<&Tree>,
    cancelled: &dyn Fn() -> bool,
) -> Result<Tree, SyntaxError> {
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(Parser::new());
    }
    with_parser(&PARSER, lang, |parser| {
        Ok(parse_polling(parser, source, old, cancelled))
    })
}

/// Parses `source` with `parser`, polling `cancelled` (`None` when it said stop).
fn parse_polling(
    parser: &mut Parser,
    source: &Source<'_>,
    old: Option<&Tree>,
    cancelled: &dyn Fn() -> bool,
) -> Option<Tree> {
    let mut progress = |_: &tree_sitter::ParseState| -> std::ops::ControlFlow<()> {
        if cancelled() {
            std::ops::ControlFlow::Break(())
        } else {
            std::ops::ControlFlow::Continue(())
        }
    };
    let options = tree_sitter::ParseOptions::new().progress_callback(&mut progress);
    let mut read = |byte: usize, _: tree_sitter::Point| source.chunk_at(byte);
    parser.parse_with_options(&mut read, old, Some(options))
}

/// Runs `parse` with this thread's parser from `slot`, set to `lang`, and resets the parser after.
fn with_parser(
    slot: &'static std::thread::LocalKey<std::cell::RefCell<Parser>>,
    lang: Lang,
    parse: impl FnOnce(&mut Parser) -> Result<Option<Tree>, SyntaxError>,
) -> Result<Tree, SyntaxError> {
    slot.with(|parser| {
        let mut parser = parser.borrow_mut();
        parser
            .set_language(lang.grammar())
            .map_err(|_| SyntaxError::Incompatible(lang.name()))?;
        let tree = parse(&mut parser);
        parser.reset();
        tree?.ok_or(SyntaxError::Cancelled(lang.name()))
    })
}

/// Walks down from `root` (excluded) through the nodes that contain `range`, outermost first,
/// until `is_target` accepts one. Returns the containing nodes passed on the way and the target,
/// if found. Children that end before the range are skipped without being looked at; unlike
/// `Node::parent`, which walks down from the root on every call, this is one walk.
pub fn path_to<'t>(
    root: Node<'t>,
    range: std::ops::Range<usize>,
    is_target: impl Fn(Node<'t>) -> bool,
) -> (Vec<Node<'t>>, Option<Node<'t>>) {
    let mut path = Vec::new();
    let mut cursor = root.walk();
    while cursor.goto_first_child_for_byte(range.start).is_some() {
        loop {
            let cur = cursor.node();
            if is_target(cur) {
                return (path, Some(cur));
            }
            if cur.start_byte() <= range.start && range.end <= cur.end_byte() {
                path.push(cur);
                break; // descend into it
            }
            if cur.start_byte() > range.start || !cursor.goto_next_sibling() {
                return (path, None);
            }
        }
    }
    (path, None)
}

/// Parses only the given byte ranges of `source` (sorted, disjoint), from scratch: the tree's
/// nodes keep their offsets in the whole text. For a quick look at a few statements of a large
/// file whose full reparse is slow.
pub fn parse_ranges(
    lang: Lang,
    source: &Source<'_>,
    ranges: &[tree_sitter::Range],
) -> Result<Tree, SyntaxError> {
    parse_ranges_with_cancel(lang, source, ranges, &|| false)
}

/// Like [`parse_ranges`], but polls `cancelled` during the parse and gives up when it returns
/// true.
pub fn parse_ranges_with_cancel(
    lang: Lang,
    source: &Source<'_>,
    ranges: &[tree_sitter::Range],
    cancelled: &dyn Fn() -> bool,
) -> Result<Tree, SyntaxError> {
    // Its own parser: the included ranges stay set on it.
    thread_local! {
        static PARSER: std::cell::RefCell<Parser> = std::cell::RefCell::new(Parser::new());
    }
    with_parser(&PARSER, lang, |parser| {
        parser
            .set_included_ranges(ranges)
            .map_err(|_| SyntaxError::Cancelled(lang.name()))?;
        Ok(parse_polling(parser, source, None, cancelled))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_loads_and_parses() {
        for lang in Lang::ALL {
            let tree = parse(lang, &Source::Str("x"), None).expect("parse");
            assert!(!tree.root_node().kind().is_empty(), "{lang:?}");
        }
    }

    #[test]
    fn names_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_name(lang.name()), Some(lang));
        }
        assert_eq!(Lang::from_name("typescriptreact"), Some(Lang::Tsx));
        assert_eq!(Lang::from_path(Path::new("a/b.pyi")), Some(Lang::Python));
        assert_eq!(Lang::from_path(Path::new("README")), None);
    }
}
