//! Chunking: cuts a file into the pieces the index stores and retrieval returns.
//!
//! Source files in a language codomyrmex parses are cut along tree-sitter definitions (functions,
//! methods, classes, impl/struct/trait/interface blocks) together with the doc comments, attributes
//! and decorators right above them. Containers (classes, impls, traits, modules) give a header
//! chunk (from their first line to the line before their first member) and one chunk per member.
//! Code outside any definition (imports, module-level statements) is gathered into `code` chunks.
//! Oversized pieces are split into overlapping line windows. Markdown, reStructuredText and text
//! documents are cut at headings; other text files into line windows. Python files are parsed
//! from an outline of their definitions ([`super::outline`]) rather than whole, for the same
//! chunks at a fraction of the parse.

use std::path::Path;

use serde::Serialize;
use tree_sitter::Node;

use super::outline::Outline;
use crate::syntax::{self, Lang};
use crate::text::Source;

/// A definition longer than this many lines is split into windows.
pub const MAX_CHUNK_LINES: u32 = 150;
/// A definition larger than this many bytes is split into windows.
pub const MAX_CHUNK_BYTES: usize = 8 * 1024;
/// Lines per window when splitting oversized pieces and plain text files.
pub const WINDOW_LINES: u32 = 60;
/// Lines shared by consecutive windows.
pub const WINDOW_OVERLAP: u32 = 5;
/// Parse budget, in tree-sitter progress polls (one per 100 operations) per KB of input.
const PARSE_POLLS_PER_KB: u64 = 100;
/// Uncovered code with fewer non-blank bytes than this is not worth its own chunk.
const MIN_GAP_BYTES: usize = 40;

/// What a chunk is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChunkKind {
    Function,
    Method,
    Class,
    Struct,
    Enum,
    Trait,
    Interface,
    Impl,
    Module,
    Type,
    Macro,
    /// Code outside any definition (imports, module-level statements).
    Code,
    /// A document section, from a heading to the next.
    Section,
    /// A line window of a file that has no finer structure.
    Window,
}

impl ChunkKind {
    /// Every kind, for parsing names.
    pub const ALL: [ChunkKind; 14] = [
        ChunkKind::Function,
        ChunkKind::Method,
        ChunkKind::Class,
        ChunkKind::Struct,
        ChunkKind::Enum,
        ChunkKind::Trait,
        ChunkKind::Interface,
        ChunkKind::Impl,
        ChunkKind::Module,
        ChunkKind::Type,
        ChunkKind::Macro,
        ChunkKind::Code,
        ChunkKind::Section,
        ChunkKind::Window,
    ];

    /// Lowercase name, as stored in the index and printed by `search --json`.
    pub fn as_str(self) -> &'static str {
        match self {
            ChunkKind::Function => "function",
            ChunkKind::Method => "method",
            ChunkKind::Class => "class",
            ChunkKind::Struct => "struct",
            ChunkKind::Enum => "enum",
            ChunkKind::Trait => "trait",
            ChunkKind::Interface => "interface",
            ChunkKind::Impl => "impl",
            ChunkKind::Module => "module",
            ChunkKind::Type => "type",
            ChunkKind::Macro => "macro",
            ChunkKind::Code => "code",
            ChunkKind::Section => "section",
            ChunkKind::Window => "window",
        }
    }

    /// Inverse of [`ChunkKind::as_str`].
    pub fn from_name(name: &str) -> Option<ChunkKind> {
        ChunkKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The LSP `SymbolKind` number for `workspace/symbol` answers.
    pub fn lsp_symbol_kind(self) -> u32 {
        match self {
            ChunkKind::Module => 2,
            ChunkKind::Class | ChunkKind::Impl => 5,
            ChunkKind::Method => 6,
            ChunkKind::Enum => 10,
            ChunkKind::Trait | ChunkKind::Interface => 11,
            ChunkKind::Function | ChunkKind::Macro => 12,
            ChunkKind::Struct => 23,
            ChunkKind::Type => 26,
            ChunkKind::Code | ChunkKind::Window => 1,
            ChunkKind::Section => 15,
        }
    }

    /// Whether chunks of this kind name a symbol (answers `workspace/symbol`).
    pub fn is_symbol(self) -> bool {
        !matches!(
            self,
            ChunkKind::Code | ChunkKind::Section | ChunkKind::Window
        )
    }
}

/// One indexed piece of a file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Chunk {
    /// Workspace-relative path with `/` separators.
    pub path: String,
    /// Language name (`rust`, `python`, …, `markdown`, `rst`, `text`).
    pub lang: String,
    pub kind: ChunkKind,
    /// Name of the definition or heading text.
    pub symbol: Option<String>,
    /// Name of the enclosing class, impl, trait or module, for members.
    pub container: Option<String>,
    /// First line, 1-based.
    pub start_line: u32,
    /// Last line, 1-based, inclusive.
    pub end_line: u32,
    /// The chunk's lines.
    pub text: String,
}

impl Chunk {
    /// Rough token count (4 bytes a token), used for prompt budgets.
    pub fn estimated_tokens(&self) -> usize {
        self.text.len().div_ceil(4)
    }
}

/// How a file is cut.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A language with a grammar and definitions.
    Code(Lang),
    Markdown,
    Rst,
    /// Plain text documents: cut at Markdown-style headings when there are any.
    Text,
    /// Any other text file (data files, configs, unknown extensions): line windows.
    Other(&'static str),
}

impl FileKind {
    /// Decides from the file name.
    pub fn of(path: &Path) -> FileKind {
        if let Some(lang) = Lang::from_path(path) {
            return match lang {
                Lang::Json | Lang::Yaml | Lang::Toml => FileKind::Other(lang.name()),
                lang => FileKind::Code(lang),
            };
        }
        let ext = path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase());
        match ext.as_deref() {
            Some("md" | "markdown" | "mdx" | "mkd") => FileKind::Markdown,
            Some("rst" | "rest") => FileKind::Rst,
            Some("txt" | "text") | None => FileKind::Text,
            Some(_) => FileKind::Other("text"),
        }
    }

    /// The language name stored with the chunks.
    pub fn lang_name(self) -> &'static str {
        match self {
            FileKind::Code(lang) => lang.name(),
            FileKind::Markdown => "markdown",
            FileKind::Rst => "rst",
            FileKind::Text => "text",
            FileKind::Other(name) => name,
        }
    }
}

/// Cuts `text` (the content of workspace-relative `rel_path`) into chunks, in line order.
pub fn chunk_file(rel_path: &str, text: &str) -> Vec<Chunk> {
    chunk_file_with(rel_path, text, crate::rules::partial::enabled())
}

/// [`chunk_file`], parsing only an outline of the file where the language has one when
/// `outline` is set (the chunks are the same; see [`super::outline`]).
pub(crate) fn chunk_file_with(rel_path: &str, text: &str, outline: bool) -> Vec<Chunk> {
    let kind = FileKind::of(Path::new(rel_path));
    let lines = LineIndex::new(text);
    let mut spans = match kind {
        FileKind::Code(lang) => code_spans(lang, text, &lines, outline),
        FileKind::Markdown => heading_spans(text, &lines, markdown_heading_at),
        FileKind::Rst => heading_spans(text, &lines, rst_heading_at),
        FileKind::Text => heading_spans(text, &lines, markdown_heading_at),
        FileKind::Other(_) => Vec::new(),
    };
    if matches!(kind, FileKind::Code(_)) {
        add_gaps(&mut spans, text, &lines);
    } else if spans.is_empty() {
        spans = window_spans(0, lines.count(), ChunkKind::Window, None, None);
    }
    spans.sort_by_key(|s| (s.start, s.end));
    let mut out = Vec::with_capacity(spans.len());
    for span in spans {
        for piece in split_oversized(span, &lines) {
            let body = lines.text_of(text, piece.start, piece.end);
            if body.trim().is_empty() {
                continue;
            }
            out.push(Chunk {
                path: rel_path.to_string(),
                lang: kind.lang_name().to_string(),
                kind: piece.kind,
                symbol: piece.symbol,
                container: piece.container,
                start_line: piece.start + 1,
                end_line: piece.end + 1,
                text: body.to_string(),
            });
        }
    }
    out
}

/// A chunk before its text is cut out: 0-based inclusive line range.
#[derive(Debug, Clone)]
struct Span {
    start: u32,
    end: u32,
    kind: ChunkKind,
    symbol: Option<String>,
    container: Option<String>,
}

/// Byte offsets of line starts.
struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    fn new(text: &str) -> LineIndex {
        let mut starts = vec![0];
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' && i + 1 < text.len() {
                starts.push(i + 1);
            }
        }
        LineIndex {
            starts,
            len: text.len(),
        }
    }

    /// Number of lines (a trailing newline does not start a new one).
    fn count(&self) -> u32 {
        if self.len == 0 {
            0
        } else {
            self.starts.len() as u32
        }
    }

    fn line_range(&self, line: u32) -> (usize, usize) {
        let i = line as usize;
        let start = self.starts.get(i).copied().unwrap_or(self.len);
        let end = self.starts.get(i + 1).copied().unwrap_or(self.len);
        (start, end)
    }

    fn text_of<'t>(&self, text: &'t str, first: u32, last: u32) -> &'t str {
        let (start, _) = self.line_range(first);
        let (_, end) = self.line_range(last);
        text.get(start..end).unwrap_or("")
    }

    fn line<'t>(&self, text: &'t str, line: u32) -> &'t str {
        let (start, end) = self.line_range(line);
        text.get(start..end)
            .unwrap_or("")
            .trim_end_matches(['\n', '\r'])
    }

    fn bytes_of(&self, first: u32, last: u32) -> usize {
        let (start, _) = self.line_range(first);
        let (_, end) = self.line_range(last);
        end.saturating_sub(start)
    }
}

fn split_oversized(span: Span, lines: &LineIndex) -> Vec<Span> {
    let n = span.end - span.start + 1;
    if n <= MAX_CHUNK_LINES && lines.bytes_of(span.start, span.end) <= MAX_CHUNK_BYTES {
        return vec![span];
    }
    // Windows of fewer lines when the lines are long.
    let bytes = lines.bytes_of(span.start, span.end).max(1);
    let avg = bytes / n as usize + 1;
    let by_bytes = (MAX_CHUNK_BYTES / avg).max(8) as u32;
    let window = WINDOW_LINES.min(by_bytes);
    windows(span.start, span.end + 1, window)
        .into_iter()
        .map(|(start, end)| Span {
            start,
            end,
            kind: span.kind,
            symbol: span.symbol.clone(),
            container: span.container.clone(),
        })
        .collect()
}

/// Inclusive line ranges covering `[start, end)` in windows of `size` lines sharing
/// [`WINDOW_OVERLAP`] lines.
fn windows(start: u32, end: u32, size: u32) -> Vec<(u32, u32)> {
    let mut out = Vec::new();
    let size = size.max(WINDOW_OVERLAP + 1);
    let mut s = start;
    while s < end {
        let e = (s + size).min(end);
        out.push((s, e - 1));
        if e >= end {
            break;
        }
        s = e - WINDOW_OVERLAP;
    }
    out
}

fn window_spans(
    start: u32,
    end: u32,
    kind: ChunkKind,
    symbol: Option<String>,
    container: Option<String>,
) -> Vec<Span> {
    windows(start, end, WINDOW_LINES)
        .into_iter()
        .map(|(s, e)| Span {
            start: s,
            end: e,
            kind,
            symbol: symbol.clone(),
            container: container.clone(),
        })
        .collect()
}

/// Adds `code` chunks for runs of lines no definition covers.
fn add_gaps(spans: &mut Vec<Span>, text: &str, lines: &LineIndex) {
    let count = lines.count() as usize;
    if count == 0 {
        return;
    }
    let mut covered = vec![false; count];
    for span in spans.iter() {
        for line in span.start..=span.end.min(count as u32 - 1) {
            covered[line as usize] = true;
        }
    }
    let mut gaps = Vec::new();
    let mut line = 0usize;
    while line < count {
        if covered[line] || lines.line(text, line as u32).trim().is_empty() {
            line += 1;
            continue;
        }
        let start = line;
        let mut last_non_blank = line;
        let mut weight = 0usize;
        while line < count && !covered[line] {
            let l = lines.line(text, line as u32);
            if !l.trim().is_empty() {
                last_non_blank = line;
                weight += l.bytes().filter(|b| !b.is_ascii_whitespace()).count();
            }
            line += 1;
        }
        if weight >= MIN_GAP_BYTES {
            gaps.push(Span {
                start: start as u32,
                end: last_non_blank as u32,
                kind: ChunkKind::Code,
                symbol: None,
                container: None,
            });
        }
    }
    spans.extend(gaps);
}

// ---------------------------------------------------------------------------------------------
// Code

fn code_spans(lang: Lang, text: &str, lines: &LineIndex, outline: bool) -> Vec<Span> {
    let source = Source::Str(text);
    if outline && lang == Lang::Python {
        match super::outline::python_outline(text) {
            Some(Outline::Empty) => return Vec::new(),
            Some(Outline::Ranges { ranges, ends }) => {
                let budget = parse_budget(text);
                match syntax::parse_ranges_with_cancel(lang, &source, &ranges, &budget) {
                    Ok(tree) if !tree.root_node().has_error() => {
                        return walk_tree(lang, text, lines, &tree, &ends);
                    }
                    _ => tracing::debug!("index: outline did not parse; parsing the whole file"),
                }
            }
            None => {}
        }
    }
    let tree = match syntax::parse_with_cancel(lang, &source, None, &parse_budget(text)) {
        Ok(tree) => tree,
        Err(err) => {
            tracing::debug!("index: parse failed ({err}); falling back to windows");
            return Vec::new();
        }
    };
    walk_tree(lang, text, lines, &tree, &[])
}

/// A cancel flag for one parse of `text` that trips when the parse runs over budget: error
/// recovery on broken input can make a parse tens of times slower. tree-sitter polls every 100
/// operations; real code needs under 20 polls per KB.
fn parse_budget(text: &str) -> impl Fn() -> bool {
    let budget = PARSE_POLLS_PER_KB * (text.len() as u64 / 1024 + 1) + 1_000;
    let polls = std::cell::Cell::new(0u64);
    move || {
        polls.set(polls.get() + 1);
        polls.get() > budget
    }
}

/// The definition spans of `tree`; `ends` overrides the last row of the definitions it lists
/// (by the byte their node starts at, sorted).
fn walk_tree(
    lang: Lang,
    text: &str,
    lines: &LineIndex,
    tree: &tree_sitter::Tree,
    ends: &[(usize, u32)],
) -> Vec<Span> {
    let mut out = Vec::new();
    let walker = Walker {
        lang,
        src: text.as_bytes(),
        text,
        lines,
        ends,
    };
    walker.visit(tree.root_node(), None, 0, &mut out);
    out
}

struct Walker<'a> {
    lang: Lang,
    src: &'a [u8],
    text: &'a str,
    lines: &'a LineIndex,
    /// Last rows of definitions whose node in an outline's tree ends early.
    ends: &'a [(usize, u32)],
}

/// What a definition node is.
struct Def {
    kind: ChunkKind,
    name: Option<String>,
    /// Members are chunked on their own; the container keeps a header chunk.
    container: bool,
}

/// Deep enough for any real nesting; protects the stack from pathological input.
const MAX_DEPTH: usize = 200;

impl<'a> Walker<'a> {
    fn node_text(&self, node: Node<'_>) -> &'a str {
        node.utf8_text(self.src).unwrap_or("")
    }

    fn field_text(&self, node: Node<'_>, field: &str) -> Option<String> {
        node.child_by_field_name(field)
            .map(|n| self.node_text(n).trim().to_string())
            .filter(|s| !s.is_empty())
    }

    fn visit(&self, node: Node<'_>, container: Option<&str>, depth: usize, out: &mut Vec<Span>) {
        if depth > MAX_DEPTH {
            return;
        }
        let mut cursor = node.walk();
        let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
        for child in children {
            if child.kind().contains("comment") {
                continue;
            }
            let (def_node, outer) = match self.unwrap_wrapper(child) {
                Some(inner) => (inner, child),
                None => (child, child),
            };
            let Some(def) = self.classify(def_node, container.is_some()) else {
                self.visit(child, container, depth + 1, out);
                continue;
            };
            let start = self.start_with_docs(outer);
            let start_byte = def_node.start_byte();
            let end = match self.ends.binary_search_by_key(&start_byte, |e| e.0) {
                Ok(i) => self.ends[i].1,
                Err(_) => end_row(outer),
            };
            let kind = match def.kind {
                ChunkKind::Function if container.is_some() => ChunkKind::Method,
                k => k,
            };
            let span = |end: u32| Span {
                start,
                end: end.max(start),
                kind,
                symbol: def.name.clone(),
                container: container.map(str::to_string),
            };
            if def.container {
                let mut members = Vec::new();
                let own = def.name.as_deref().map(container_name).unwrap_or_default();
                self.visit(def_node, Some(&own), depth + 1, &mut members);
                match members.iter().map(|m| m.start).min() {
                    Some(first) if first > start => out.push(span(first - 1)),
                    Some(_) => out.push(span(start)),
                    None => out.push(span(end)),
                }
                out.extend(members);
            } else {
                out.push(span(end));
            }
        }
    }

    /// For wrappers around a definition (decorators, `export`, `template<…>`), the definition.
    fn unwrap_wrapper<'t>(&self, node: Node<'t>) -> Option<Node<'t>> {
        match (self.lang, node.kind()) {
            (Lang::Python, "decorated_definition") => node.child_by_field_name("definition"),
            (Lang::JavaScript | Lang::TypeScript | Lang::Tsx, "export_statement") => {
                node.child_by_field_name("declaration")
            }
            (Lang::TypeScript | Lang::Tsx, "ambient_declaration") => node.named_child(0),
            (Lang::Cpp, "template_declaration") => {
                let mut cursor = node.walk();
                node.named_children(&mut cursor)
                    .filter(|c| self.classify(*c, false).is_some())
                    .last()
            }
            _ => None,
        }
    }

    fn classify(&self, node: Node<'_>, in_container: bool) -> Option<Def> {
        use ChunkKind as K;
        let name = || self.field_text(node, "name");
        let def = |kind, name, container| {
            Some(Def {
                kind,
                name,
                container,
            })
        };
        match (self.lang, node.kind()) {
            (Lang::Rust, "function_item") => def(K::Function, name(), false),
            (Lang::Rust, "function_signature_item") => def(K::Method, name(), false),
            (Lang::Rust, "struct_item" | "union_item") => def(K::Struct, name(), false),
            (Lang::Rust, "enum_item") => def(K::Enum, name(), false),
            (Lang::Rust, "trait_item") => def(K::Trait, name(), true),
            (Lang::Rust, "impl_item") => {
                let ty = self.field_text(node, "type");
                let name = match (self.field_text(node, "trait"), ty) {
                    (Some(t), Some(ty)) => Some(format!("{t} for {ty}")),
                    (None, Some(ty)) => Some(ty),
                    _ => None,
                };
                def(K::Impl, name, true)
            }
            (Lang::Rust, "mod_item") if node.child_by_field_name("body").is_some() => {
                def(K::Module, name(), true)
            }
            (Lang::Rust, "macro_definition") => def(K::Macro, name(), false),
            (Lang::Rust, "type_item") => def(K::Type, name(), false),

            (Lang::Python, "function_definition") => def(K::Function, name(), false),
            (Lang::Python, "class_definition") => def(K::Class, name(), true),

            (Lang::JavaScript | Lang::TypeScript | Lang::Tsx, kind) => match kind {
                "function_declaration"
                | "generator_function_declaration"
                | "function_signature" => def(K::Function, name(), false),
                "class_declaration" | "abstract_class_declaration" => def(K::Class, name(), true),
                "method_definition" | "abstract_method_signature" => def(K::Method, name(), false),
                "interface_declaration" => def(K::Interface, name(), false),
                "type_alias_declaration" => def(K::Type, name(), false),
                "enum_declaration" => def(K::Enum, name(), false),
                "lexical_declaration" | "variable_declaration" => {
                    let mut cursor = node.walk();
                    let declarators: Vec<Node<'_>> = node
                        .named_children(&mut cursor)
                        .filter(|c| c.kind() == "variable_declarator")
                        .collect();
                    let [one] = declarators.as_slice() else {
                        return None;
                    };
                    let value = one.child_by_field_name("value")?;
                    is_function_value(value.kind()).then_some(())?;
                    def(K::Function, self.field_text(*one, "name"), false)
                }
                "public_field_definition" | "field_definition" if in_container => {
                    let value = node.child_by_field_name("value")?;
                    is_function_value(value.kind()).then_some(())?;
                    let name = self
                        .field_text(node, "name")
                        .or_else(|| self.field_text(node, "property"));
                    def(K::Method, name, false)
                }
                _ => None,
            },

            (Lang::Go, "function_declaration") => def(K::Function, name(), false),
            (Lang::Go, "method_declaration") => def(K::Method, name(), false),
            (Lang::Go, "type_declaration") => {
                let mut cursor = node.walk();
                let spec = node
                    .named_children(&mut cursor)
                    .find(|c| matches!(c.kind(), "type_spec" | "type_alias"))?;
                let kind = match spec.child_by_field_name("type").map(|t| t.kind()) {
                    Some("struct_type") => K::Struct,
                    Some("interface_type") => K::Interface,
                    _ => K::Type,
                };
                def(kind, self.field_text(spec, "name"), false)
            }

            (Lang::Java, kind) => match kind {
                "class_declaration" | "record_declaration" => def(K::Class, name(), true),
                "interface_declaration" | "annotation_type_declaration" => {
                    def(K::Interface, name(), true)
                }
                "enum_declaration" => def(K::Enum, name(), true),
                "method_declaration"
                | "constructor_declaration"
                | "compact_constructor_declaration" => def(K::Method, name(), false),
                _ => None,
            },

            (Lang::C | Lang::Cpp, kind) => match kind {
                "function_definition" => def(K::Function, self.c_function_name(node), false),
                "struct_specifier" | "union_specifier" | "class_specifier"
                    if node.child_by_field_name("body").is_some() =>
                {
                    let kind = if node.kind() == "class_specifier" {
                        K::Class
                    } else {
                        K::Struct
                    };
                    def(kind, name(), self.lang == Lang::Cpp)
                }
                "enum_specifier" if node.child_by_field_name("body").is_some() => {
                    def(K::Enum, name(), false)
                }
                "type_definition" => {
                    let ty = node.child_by_field_name("type")?;
                    ty.child_by_field_name("body")?;
                    let kind = match ty.kind() {
                        "enum_specifier" => K::Enum,
                        "class_specifier" => K::Class,
                        _ => K::Struct,
                    };
                    let name = self
                        .field_text(node, "declarator")
                        .or_else(|| self.field_text(ty, "name"));
                    def(kind, name, false)
                }
                _ => None,
            },

            (Lang::Ruby, "method") => def(K::Function, name(), false),
            (Lang::Ruby, "singleton_method") => def(K::Method, name(), false),
            (Lang::Ruby, "class") => def(K::Class, name(), true),
            (Lang::Ruby, "module") => def(K::Module, name(), true),

            (Lang::Bash, "function_definition") => def(K::Function, name(), false),
            _ => None,
        }
    }

    /// The declared name of a C/C++ function: the declarator of its `function_declarator`.
    fn c_function_name(&self, node: Node<'_>) -> Option<String> {
        let mut decl = node.child_by_field_name("declarator")?;
        for _ in 0..16 {
            if decl.kind() == "function_declarator" {
                return decl
                    .child_by_field_name("declarator")
                    .map(|n| self.node_text(n).to_string());
            }
            decl = decl.child_by_field_name("declarator")?;
        }
        None
    }

    /// The first row of `node` extended upwards over the comments, attributes and decorators
    /// directly above it (each on its own lines, no blank line between).
    fn start_with_docs(&self, node: Node<'_>) -> u32 {
        let mut start = node.start_position().row as u32;
        let mut prev = node.prev_named_sibling();
        while let Some(p) = prev {
            let kind = p.kind();
            let attached = kind.contains("comment")
                || matches!(
                    kind,
                    "attribute_item" | "decorator" | "annotation" | "marker_annotation"
                );
            let shebang = self.node_text(p).starts_with("#!");
            if !attached || shebang || end_row(p) + 1 < start || !self.starts_line(p) {
                break;
            }
            start = p.start_position().row as u32;
            prev = p.prev_named_sibling();
        }
        start
    }

    /// Whether only whitespace precedes `node` on its first line.
    fn starts_line(&self, node: Node<'_>) -> bool {
        let (line_start, _) = self.lines.line_range(node.start_position().row as u32);
        self.text
            .get(line_start..node.start_byte())
            .is_some_and(|prefix| prefix.trim().is_empty())
    }
}

fn is_function_value(kind: &str) -> bool {
    matches!(
        kind,
        "arrow_function" | "function_expression" | "function" | "generator_function"
    )
}

/// The container name members record: `Display for Foo` → `Foo`.
fn container_name(name: &str) -> String {
    match name.rsplit_once(" for ") {
        Some((_, ty)) => ty.to_string(),
        None => name.to_string(),
    }
}

/// Last row of `node`, not counting a final position at column 0 of the next line.
fn end_row(node: Node<'_>) -> u32 {
    let end = node.end_position();
    let start = node.start_position();
    if end.column == 0 && end.row > start.row {
        end.row as u32 - 1
    } else {
        end.row as u32
    }
}

// ---------------------------------------------------------------------------------------------
// Documents

/// For a heading starting at `line`, its text and how many lines the heading takes.
type HeadingFn = fn(&str, &LineIndex, u32) -> Option<(String, u32)>;

fn heading_spans(text: &str, lines: &LineIndex, heading_at: HeadingFn) -> Vec<Span> {
    let count = lines.count();
    let mut heads: Vec<(u32, String)> = Vec::new();
    let mut fence: Option<&str> = None;
    let mut line = 0;
    while line < count {
        let l = lines.line(text, line);
        let trimmed = l.trim_start();
        if let Some(open) = fence {
            if trimmed.starts_with(open) {
                fence = None;
            }
            line += 1;
            continue;
        }
        if trimmed.starts_with("```") {
            fence = Some("```");
            line += 1;
            continue;
        }
        if trimmed.starts_with("~~~") {
            fence = Some("~~~");
            line += 1;
            continue;
        }
        if let Some((title, taken)) = heading_at(text, lines, line) {
            heads.push((line, title));
            line += taken;
            continue;
        }
        line += 1;
    }
    if heads.is_empty() {
        return Vec::new();
    }
    let mut spans = Vec::new();
    if heads[0].0 > 0 {
        spans.push(Span {
            start: 0,
            end: heads[0].0 - 1,
            kind: ChunkKind::Section,
            symbol: None,
            container: None,
        });
    }
    for (i, (start, title)) in heads.iter().enumerate() {
        let end = heads.get(i + 1).map(|(s, _)| s - 1).unwrap_or(count - 1);
        spans.push(Span {
            start: *start,
            end,
            kind: ChunkKind::Section,
            symbol: Some(title.clone()),
            container: None,
        });
    }
    spans
}

fn markdown_heading_at(text: &str, lines: &LineIndex, line: u32) -> Option<(String, u32)> {
    let l = lines.line(text, line);
    let trimmed = l.trim_start();
    if l.len() - trimmed.len() < 4 && trimmed.starts_with('#') {
        let hashes = trimmed.chars().take_while(|&c| c == '#').count();
        let rest = &trimmed[hashes..];
        if hashes <= 6 && (rest.is_empty() || rest.starts_with([' ', '\t'])) {
            let title = rest.trim().trim_end_matches('#').trim().to_string();
            return Some((title, 1));
        }
    }
    // Setext: a text line underlined with `===` or `---`.
    if !l.trim().is_empty() && line + 1 < lines.count() {
        let next = lines.line(text, line + 1).trim();
        let underline =
            next.len() >= 2 && (next.bytes().all(|b| b == b'=') || next.bytes().all(|b| b == b'-'));
        if underline && !l.trim_start().starts_with(['-', '*', '>', '|']) {
            return Some((l.trim().to_string(), 2));
        }
    }
    None
}

fn rst_heading_at(text: &str, lines: &LineIndex, line: u32) -> Option<(String, u32)> {
    let count = lines.count();
    let is_adornment = |s: &str| {
        let s = s.trim_end();
        s.len() >= 3 && {
            let first = s.as_bytes()[0];
            b"=-~^\"'`#*+:._".contains(&first) && s.bytes().all(|b| b == first)
        }
    };
    let l = lines.line(text, line);
    // Overline, title, underline.
    if is_adornment(l) && line + 2 < count {
        let title = lines.line(text, line + 1);
        let under = lines.line(text, line + 2);
        if !title.trim().is_empty() && !is_adornment(title) && is_adornment(under) {
            return Some((title.trim().to_string(), 3));
        }
    }
    // Title, underline at least as long as the title.
    if !l.trim().is_empty() && !l.starts_with([' ', '\t']) && !is_adornment(l) && line + 1 < count {
        let under = lines.line(text, line + 1);
        if is_adornment(under) && under.trim_end().len() >= l.trim_end().chars().count() {
            return Some((l.trim().to_string(), 2));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `kind symbol start-end` per chunk, the snapshot format of these tests.
    fn outline(path: &str, text: &str) -> Vec<String> {
        chunk_file(path, text)
            .into_iter()
            .map(|c| {
                let container = c.container.map(|c| format!(" in {c}")).unwrap_or_default();
                format!(
                    "{} {}{} {}-{}",
                    c.kind.as_str(),
                    c.symbol.unwrap_or_else(|| "-".into()),
                    container,
                    c.start_line,
                    c.end_line
                )
            })
            .collect()
    }

    #[track_caller]
    fn check(path: &str, text: &str, expected: &[&str]) {
        let got = outline(path, text);
        assert_eq!(got, expected, "\n{}", got.join("\n"));
    }

    #[test]
    fn rust() {
        let src = r#"use std::fmt;
use std::io;

/// A point.
#[derive(Debug)]
pub struct Point {
    x: i32,
}

impl fmt::Display for Point {
    /// Formats it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.x)
    }
}

pub trait Shape {
    fn area(&self) -> f64;
}

// A free function.
fn helper() {}

mod inner {
    pub enum E { A, B }
}

macro_rules! m { () => {} }
"#;
        check(
            "src/a.rs",
            src,
            &[
                "struct Point 4-8",
                "impl fmt::Display for Point 10-10",
                "method fmt in Point 11-14",
                "trait Shape 17-17",
                "method area in Shape 18-18",
                "function helper 21-22",
                "module inner 24-24",
                "enum E in inner 25-25",
                "macro m 28-28",
            ],
        );
    }

    #[test]
    fn python() {
        let src = r#"import os
import sys, re, json, collections, functools

# Helper comment.
def top(a, b):
    """Adds."""
    return a + b


@decorator
class Session(Base):
    """A session."""

    timeout = 3

    def get(self, url):
        return url

    @property
    def cookies(self):
        def inner():
            pass
        return inner
"#;
        check(
            "pkg/mod.py",
            src,
            &[
                "code - 1-2",
                "function top 4-7",
                "class Session 10-15",
                "method get in Session 16-17",
                "method cookies in Session 19-23",
            ],
        );
    }

    #[test]
    fn javascript_and_typescript() {
        let js = r#"// Adds two numbers.
export function add(a, b) {
  return a + b;
}

const mul = (a, b) => a * b;

class Calc {
  constructor() { this.v = 0; }
  /** Increments. */
  inc() { this.v++; }
}
"#;
        check(
            "a.js",
            js,
            &[
                "function add 1-4",
                "function mul 6-6",
                "class Calc 8-8",
                "method constructor in Calc 9-9",
                "method inc in Calc 10-11",
            ],
        );
        let ts = r#"export interface Opts {
  name: string;
}

type Id = string | number;

export enum Color { Red, Green }

export abstract class Base {
  abstract run(): void;
  handler = (e: Event) => { console.log(e); };
}
"#;
        check(
            "a.ts",
            ts,
            &[
                "interface Opts 1-3",
                "type Id 5-5",
                "enum Color 7-7",
                "class Base 9-9",
                "method run in Base 10-10",
                "method handler in Base 11-11",
            ],
        );
        let tsx = "export function App(): JSX.Element {\n  return <div>hi</div>;\n}\n";
        check("a.tsx", tsx, &["function App 1-3"]);
    }

    #[test]
    fn go_java_c_cpp() {
        let go = r#"package main

// Point is a point.
type Point struct {
	X int
}

type Shape interface { Area() float64 }

func (p *Point) Move(dx int) {
	p.X += dx
}

func main() {}
"#;
        check(
            "main.go",
            go,
            &[
                "struct Point 3-6",
                "interface Shape 8-8",
                "method Move 10-12",
                "function main 14-14",
            ],
        );
        let java = r#"package a;

/** A thing. */
@Deprecated
public class Thing {
    private int x;

    public Thing() { x = 1; }

    @Override
    public String toString() {
        return "t";
    }
}
"#;
        check(
            "Thing.java",
            java,
            &[
                "class Thing 3-7",
                "method Thing in Thing 8-8",
                "method toString in Thing 10-13",
            ],
        );
        let c = r#"#include <stdio.h>

/* A point. */
struct point { int x; int y; };

typedef struct { int a; } pair_t;

static int *make(int n) {
    return 0;
}
"#;
        check(
            "a.c",
            c,
            &[
                "struct point 3-4",
                "struct pair_t 6-6",
                "function make 8-10",
            ],
        );
        let cpp = r#"namespace ns {
class Widget {
public:
    int size() const { return 0; }
};

template <typename T>
T max(T a, T b) { return a > b ? a : b; }

int Widget::count() { return 1; }
}
"#;
        check(
            "a.cpp",
            cpp,
            &[
                "class Widget 2-3",
                "method size in Widget 4-4",
                "function max 7-8",
                "function Widget::count 10-10",
            ],
        );
    }

    #[test]
    fn ruby_and_bash() {
        let rb = r#"# A greeter.
class Greeter
  def initialize(name)
    @name = name
  end

  def self.create
    new("x")
  end
end

module Util
  def helper; end
end
"#;
        check(
            "g.rb",
            rb,
            &[
                "class Greeter 1-2",
                "method initialize in Greeter 3-5",
                "method create in Greeter 7-9",
                "module Util 12-12",
                "method helper in Util 13-13",
            ],
        );
        let sh = "#!/bin/sh\n# Greets.\ngreet() {\n  echo hi\n}\necho done and done and done and done and done and done\n";
        check("x.sh", sh, &["function greet 2-5", "code - 6-6"]);
    }

    #[test]
    fn documents() {
        let md = "Intro text.\n\n# Title\n\nSome text.\n\n```sh\n# not a heading\n```\n\nSub\n---\nmore\n";
        check(
            "README.md",
            md,
            &["section - 1-2", "section Title 3-10", "section Sub 11-13"],
        );
        let rst = "=====\nTitle\n=====\n\nBody.\n\nPart\n----\n\nText.\n";
        check("doc.rst", rst, &["section Title 1-6", "section Part 7-10"]);
        let other: String = (1..=130).map(|i| format!("key{i} = {i}\n")).collect();
        check(
            "conf.ini",
            &other,
            &["window - 1-60", "window - 56-115", "window - 111-130"],
        );
    }

    #[test]
    fn oversized_definitions_are_windowed() {
        let mut src = String::from("def big():\n");
        for i in 0..200 {
            src.push_str(&format!("    x{i} = {i}\n"));
        }
        let chunks = chunk_file("big.py", &src);
        assert!(chunks.len() >= 4, "{}", chunks.len());
        assert!(chunks.iter().all(|c| c.symbol.as_deref() == Some("big")));
        assert_eq!(chunks[0].start_line, 1);
        assert_eq!(chunks.last().map(|c| c.end_line), Some(201));
        assert!(
            chunks
                .iter()
                .all(|c| c.end_line - c.start_line < MAX_CHUNK_LINES)
        );
    }

    proptest::proptest! {
        #[test]
        fn chunks_stay_within_the_file(
            text in "[a-z(){}:;=#\n \t\"'`_-]{0,400}",
            ext in proptest::sample::select(vec!["rs", "py", "ts", "go", "c", "rb", "sh", "md", "rst", "txt", "ini"]),
        ) {
            let lines = text.lines().count().max(1) as u32;
            let chunks = chunk_file(&format!("f.{ext}"), &text);
            for c in &chunks {
                proptest::prop_assert!(c.start_line >= 1 && c.start_line <= c.end_line);
                proptest::prop_assert!(c.end_line <= lines, "{c:?} past {lines}");
                proptest::prop_assert!(!c.text.trim().is_empty());
            }
        }
    }

    #[test]
    fn broken_and_empty_input_do_not_panic() {
        assert!(chunk_file("e.rs", "").is_empty());
        let _ = chunk_file("b.rs", "fn ( { struct impl <<<");
        let _ = chunk_file("b.md", "#\n===\n");
        let _ = chunk_file("b.rst", "===\n===\n===\n");
    }
}
