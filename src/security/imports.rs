//! Per-file import and alias maps, so aliasing does not hide a finding.
//!
//! [`ImportMap::build`] walks the top of a syntax tree once and records which local names stand
//! for which qualified names (`import subprocess as sp` → `sp` = `subprocess`,
//! `from hashlib import md5 as h` → `h` = `hashlib.md5`, `const { exec } = require("child_process")`
//! → `exec` = `child_process.exec`, Go `import ex "os/exec"` → `ex` = `os/exec`, Java
//! `import java.lang.Runtime;` → `Runtime` = `java.lang.Runtime`, Rust `use std::process::Command
//! as C;` → `C` = `std::process::Command`). [`ImportMap::resolve`] then turns a callee's text
//! (`sp.call`, `h`, `exec.Command`, `Runtime.getRuntime().exec`) into qualified candidates.
//!
//! Qualified names use `.` between members in every language except Rust, which uses `::`; Go
//! qualifies with the import path (`os/exec.Command`). A name whose head is not imported resolves
//! to itself, so `subprocess.call(...)` in a snippet without its import still resolves to
//! `subprocess.call` (files in the wild and in tests often elide imports; a local variable that
//! shadows a module name is rarer than a missing import). Ruby has no aliasing imports (`require`
//! loads globals), so it resolves names to themselves. The map is cheap: only top-level and
//! import-like statements are looked at, plus JS `require(...)` declarations anywhere.

use std::collections::HashMap;

use tree_sitter::{Node, Tree};

use crate::syntax::Lang;
use crate::text::Source;

/// Local name → qualified name bindings of one file.
#[derive(Debug, Default, Clone)]
pub struct ImportMap {
    bindings: HashMap<String, String>,
    /// Modules imported with a wildcard (`from os import *`, `import java.io.*`, Go dot imports).
    wildcards: Vec<String>,
    sep: &'static str,
}

impl ImportMap {
    /// Builds the import map of a parsed file.
    pub fn build(lang: Lang, tree: &Tree, source: Source<'_>) -> ImportMap {
        let mut map = ImportMap {
            sep: separator(lang),
            ..ImportMap::default()
        };
        let root = tree.root_node();
        let text = |n: Node<'_>| source.slice(n.byte_range()).into_owned();
        match lang {
            Lang::Python => python(&mut map, root, &text),
            Lang::JavaScript | Lang::TypeScript | Lang::Tsx => javascript(&mut map, root, &text),
            Lang::Go => go(&mut map, root, &text),
            Lang::Java => java(&mut map, root, &text),
            Lang::Rust => rust(&mut map, root, &text),
            _ => {}
        }
        if lang == Lang::Java {
            map.wildcards.push("java.lang".to_string());
        }
        map
    }

    /// The qualified name a local name is bound to, if it was imported.
    pub fn binding(&self, local: &str) -> Option<&str> {
        self.bindings.get(local).map(String::as_str)
    }

    /// Number of bindings (for tests and diagnostics).
    pub fn len(&self) -> usize {
        self.bindings.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bindings.is_empty()
    }

    /// Qualified candidates for a callee's text, best first.
    ///
    /// `text` is a dotted or member path (`sp.call`, `os.path.join`, `cp.exec`, `C::new`,
    /// `Runtime.getRuntime().exec`). Whitespace is ignored, `?.` counts as `.`, and call
    /// parentheses inside the chain are dropped; a second candidate also drops the called
    /// segments themselves (`Runtime.getRuntime().exec` → `java.lang.Runtime.exec`), so factory
    /// chains match the class's qualified method name.
    pub fn resolve(&self, text: &str) -> Vec<String> {
        let normalized;
        let text = if text.contains('(') {
            normalized = normalize_dynamic(text);
            normalized.as_str()
        } else {
            text
        };
        let (segments, called) = split_path(text, self.sep);
        if segments.is_empty() {
            return Vec::new();
        }
        let mut heads: Vec<String> = Vec::new();
        if let Some(q) = self.bindings.get(&segments[0]) {
            heads.push(q.clone());
        } else {
            heads.push(segments[0].clone());
            for w in &self.wildcards {
                heads.push(format!("{w}{}{}", self.sep, segments[0]));
            }
        }
        let mut out = Vec::new();
        for head in heads {
            let full = join(&head, &segments[1..], self.sep, None);
            push_unique(&mut out, full);
            if called.iter().skip(1).any(|c| *c) {
                let short = join(&head, &segments[1..], self.sep, Some(&called[1..]));
                push_unique(&mut out, short);
            }
        }
        out
    }

    /// Whether `text` resolves to one of `names`.
    pub fn resolves_to_any(&self, text: &str, names: &[String]) -> bool {
        self.resolve(text)
            .iter()
            .any(|c| names.iter().any(|n| n == c))
    }

    fn bind(&mut self, local: &str, qualified: String) {
        if !local.is_empty() && !qualified.is_empty() {
            self.bindings.insert(local.to_string(), qualified);
        }
    }
}

/// Rewrites dynamic lookups of modules and attributes into plain paths:
/// `__import__("os").system` → `os.system`, `importlib.import_module("os").system` →
/// `os.system`, `getattr(os, "system")` → `os.system`, `require("child_process").exec` →
/// `child_process.exec`.
fn normalize_dynamic(text: &str) -> String {
    static PATTERNS: std::sync::OnceLock<Vec<(regex::Regex, &'static str)>> =
        std::sync::OnceLock::new();
    let patterns = PATTERNS.get_or_init(|| {
        [
            (r#"(?:__import__|importlib\.import_module|require)\(\s*['"](?:node:)?([\w./-]+)['"]\s*\)"#, "$1"),
            (r#"getattr\(\s*([\w.]+)\s*,\s*['"](\w+)['"]\s*\)"#, "$1.$2"),
        ]
        .into_iter()
        .filter_map(|(p, r)| regex::Regex::new(p).ok().map(|re| (re, r)))
        .collect()
    });
    let mut out = text.to_string();
    for _ in 0..3 {
        let before = out.clone();
        for (re, rep) in patterns {
            out = re.replace_all(&out, *rep).into_owned();
        }
        if out == before {
            break;
        }
    }
    out
}

fn push_unique(out: &mut Vec<String>, s: String) {
    if !out.contains(&s) {
        out.push(s);
    }
}

fn join(head: &str, rest: &[String], sep: &str, drop_called: Option<&[bool]>) -> String {
    let mut s = head.to_string();
    for (i, seg) in rest.iter().enumerate() {
        if drop_called.is_some_and(|c| c.get(i).copied().unwrap_or(false)) {
            continue;
        }
        s.push_str(sep);
        s.push_str(seg);
    }
    s
}

fn separator(lang: Lang) -> &'static str {
    if lang == Lang::Rust { "::" } else { "." }
}

/// Splits `a.b().c` into segments (`a`, `b`, `c`) and whether each was called.
fn split_path(text: &str, sep: &str) -> (Vec<String>, Vec<bool>) {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let compact = compact.replace("?.", ".");
    // Drop parenthesised groups (call arguments), remembering that the segment was called.
    let mut cleaned = String::with_capacity(compact.len());
    let mut depth = 0usize;
    let mut marks: Vec<usize> = Vec::new();
    for ch in compact.chars() {
        match ch {
            '(' | '[' => {
                if depth == 0 && ch == '(' {
                    marks.push(cleaned.len());
                }
                depth += 1;
            }
            ')' | ']' => depth = depth.saturating_sub(1),
            _ if depth == 0 => cleaned.push(ch),
            _ => {}
        }
    }
    let mut segments = Vec::new();
    let mut called = Vec::new();
    let mut start = 0usize;
    let pieces: Vec<&str> = cleaned.split(sep).collect();
    for p in pieces {
        let end = start + p.len();
        // A call mark at the end of this segment means the segment was called.
        let was_called = marks.contains(&end);
        if !p.is_empty() {
            segments.push(p.to_string());
            called.push(was_called);
        }
        start = end + sep.len();
    }
    (segments, called)
}

type TextFn<'t> = dyn Fn(Node<'_>) -> String + 't;

fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

fn python(map: &mut ImportMap, root: Node<'_>, text: &TextFn<'_>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" => {
                for child in named_children(node) {
                    match child.kind() {
                        // `import a.b` binds `a` to `a`.
                        "dotted_name" => {
                            let full = text(child);
                            let head = full.split('.').next().unwrap_or("").trim().to_string();
                            map.bind(&head, head.clone());
                        }
                        "aliased_import" => {
                            if let (Some(name), Some(alias)) = (
                                child.child_by_field_name("name"),
                                child.child_by_field_name("alias"),
                            ) {
                                map.bind(&text(alias), compact(&text(name)));
                            }
                        }
                        _ => {}
                    }
                }
            }
            "import_from_statement" => {
                let Some(module) = node.child_by_field_name("module_name") else {
                    continue;
                };
                let module = compact(&text(module));
                let mut cursor = node.walk();
                for (i, child) in node.children(&mut cursor).enumerate() {
                    if child.kind() == "wildcard_import" {
                        map.wildcards.push(module.clone());
                        continue;
                    }
                    if node.field_name_for_child(i as u32) != Some("name") {
                        continue;
                    }
                    match child.kind() {
                        "dotted_name" => {
                            let name = compact(&text(child));
                            map.bind(&name, format!("{module}.{name}"));
                        }
                        "aliased_import" => {
                            if let (Some(name), Some(alias)) = (
                                child.child_by_field_name("name"),
                                child.child_by_field_name("alias"),
                            ) {
                                map.bind(
                                    &text(alias),
                                    format!("{module}.{}", compact(&text(name))),
                                );
                            }
                        }
                        _ => {}
                    }
                }
            }
            // Imports sit at module level or inside functions/blocks/try/if; never in expressions.
            "module"
            | "block"
            | "if_statement"
            | "try_statement"
            | "else_clause"
            | "elif_clause"
            | "except_clause"
            | "finally_clause"
            | "function_definition"
            | "class_definition"
            | "decorated_definition"
            | "with_statement" => {
                stack.extend(named_children(node));
            }
            _ => {}
        }
    }
}

/// Strips quotes and the `node:` scheme from a JS module specifier.
fn js_module(raw: &str) -> String {
    let s = raw
        .trim()
        .trim_matches(|c| c == '"' || c == '\'' || c == '`');
    s.strip_prefix("node:").unwrap_or(s).to_string()
}

/// If `node` is `require("m")` (possibly `require("m").a.b`), the qualified name it stands for.
fn js_require_target(node: Node<'_>, text: &TextFn<'_>) -> Option<String> {
    match node.kind() {
        "call_expression" => {
            let func = node.child_by_field_name("function")?;
            if text(func) != "require" {
                return None;
            }
            let args = node.child_by_field_name("arguments")?;
            let first = named_children(args).into_iter().next()?;
            if first.kind() != "string" {
                return None;
            }
            Some(js_module(&text(first)))
        }
        "member_expression" => {
            let object = node.child_by_field_name("object")?;
            let property = node.child_by_field_name("property")?;
            let base = js_require_target(object, text)?;
            Some(format!("{base}.{}", text(property)))
        }
        "await_expression" | "parenthesized_expression" => {
            js_require_target(named_children(node).into_iter().next()?, text)
        }
        _ => None,
    }
}

fn js_bind_pattern(map: &mut ImportMap, pattern: Node<'_>, base: &str, text: &TextFn<'_>) {
    match pattern.kind() {
        "identifier" => map.bind(&text(pattern), base.to_string()),
        "object_pattern" => {
            for child in named_children(pattern) {
                match child.kind() {
                    "shorthand_property_identifier_pattern" => {
                        let name = text(child);
                        map.bind(&name, format!("{base}.{name}"));
                    }
                    "pair_pattern" => {
                        if let (Some(key), Some(value)) = (
                            child.child_by_field_name("key"),
                            child.child_by_field_name("value"),
                        ) {
                            let key = js_module(&text(key));
                            js_bind_pattern(map, value, &format!("{base}.{key}"), text);
                        }
                    }
                    "object_assignment_pattern" => {
                        if let Some(left) = child.child_by_field_name("left") {
                            let name = text(left);
                            map.bind(&name, format!("{base}.{name}"));
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

fn javascript(map: &mut ImportMap, root: Node<'_>, text: &TextFn<'_>) {
    let mut aliases = Vec::new();
    javascript_imports(map, root, text, &mut aliases);
    // Second pass: `const { JWT } = jose` / `const e = cp.exec` where `jose`/`cp` hold a module.
    for _ in 0..2 {
        for &(name, value) in &aliases {
            let value_text = compact(&text(value));
            let (head, rest) = match value_text.split_once('.') {
                Some((h, r)) => (h.to_string(), Some(r.to_string())),
                None => (value_text.clone(), None),
            };
            if value_text.contains('(') {
                continue;
            }
            if let Some(base) = map.binding(&head).map(str::to_string) {
                let target = match rest {
                    Some(r) => format!("{base}.{r}"),
                    None => base,
                };
                js_bind_pattern(map, name, &target, text);
            }
        }
    }
}

fn javascript_imports<'t>(
    map: &mut ImportMap,
    root: Node<'t>,
    text: &TextFn<'_>,
    aliases: &mut Vec<(Node<'t>, Node<'t>)>,
) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "import_statement" => {
                let source = node
                    .child_by_field_name("source")
                    .map(|s| js_module(&text(s)));
                for child in named_children(node) {
                    match child.kind() {
                        "import_clause" => {
                            let Some(module) = &source else { continue };
                            for part in named_children(child) {
                                match part.kind() {
                                    // Default import: for CommonJS modules it is the module object.
                                    "identifier" => map.bind(&text(part), module.clone()),
                                    "namespace_import" => {
                                        if let Some(id) = named_children(part)
                                            .into_iter()
                                            .find(|n| n.kind() == "identifier")
                                        {
                                            map.bind(&text(id), module.clone());
                                        }
                                    }
                                    "named_imports" => {
                                        for spec in named_children(part) {
                                            if spec.kind() != "import_specifier" {
                                                continue;
                                            }
                                            let Some(name) = spec.child_by_field_name("name")
                                            else {
                                                continue;
                                            };
                                            let name = js_module(&text(name));
                                            let local = spec
                                                .child_by_field_name("alias")
                                                .map(text)
                                                .unwrap_or_else(|| name.clone());
                                            map.bind(&local, format!("{module}.{name}"));
                                        }
                                    }
                                    _ => {}
                                }
                            }
                        }
                        "import_require_clause" => {
                            let id = named_children(child)
                                .into_iter()
                                .find(|n| n.kind() == "identifier");
                            let src = child
                                .child_by_field_name("source")
                                .map(|s| js_module(&text(s)));
                            if let (Some(id), Some(src)) = (id, src) {
                                map.bind(&text(id), src);
                            }
                        }
                        _ => {}
                    }
                }
            }
            "variable_declarator" => {
                if let (Some(name), Some(value)) = (
                    node.child_by_field_name("name"),
                    node.child_by_field_name("value"),
                ) {
                    if let Some(target) = js_require_target(value, text) {
                        js_bind_pattern(map, name, &target, text);
                    } else if matches!(value.kind(), "identifier" | "member_expression") {
                        aliases.push((name, value));
                    }
                }
                stack.extend(named_children(node));
            }
            // Expressions cannot hold a declaration except through functions; keep walking
            // statements and function bodies but skip the leaves.
            "identifier"
            | "string"
            | "number"
            | "template_string"
            | "comment"
            | "property_identifier" => {}
            _ => stack.extend(named_children(node)),
        }
    }
}

/// The package name Go gives an import path by default (`gopkg.in/yaml.v2` → `yaml`,
/// `github.com/dgrijalva/jwt-go` → `jwt`, `github.com/x/y/v5` → `y`).
pub fn go_default_name(path: &str) -> String {
    let mut parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    if parts.len() > 1
        && let Some(last) = parts.last()
        && last.len() >= 2
        && last.starts_with('v')
        && last[1..].chars().all(|c| c.is_ascii_digit())
    {
        parts.pop();
    }
    let last = parts.last().copied().unwrap_or("");
    let mut name = last;
    if let Some(dot) = name.find(".v")
        && name[dot + 2..].chars().all(|c| c.is_ascii_digit())
    {
        name = &name[..dot];
    }
    let name = name.strip_prefix("go-").unwrap_or(name);
    let name = name.strip_suffix("-go").unwrap_or(name);
    let name = name.strip_suffix(".go").unwrap_or(name);
    name.replace('-', "_")
}

fn go(map: &mut ImportMap, root: Node<'_>, text: &TextFn<'_>) {
    let mut specs = Vec::new();
    for decl in named_children(root) {
        if decl.kind() != "import_declaration" {
            continue;
        }
        for child in named_children(decl) {
            match child.kind() {
                "import_spec" => specs.push(child),
                "import_spec_list" => specs.extend(
                    named_children(child)
                        .into_iter()
                        .filter(|n| n.kind() == "import_spec"),
                ),
                _ => {}
            }
        }
    }
    for spec in specs {
        let Some(path) = spec.child_by_field_name("path") else {
            continue;
        };
        let path = text(path)
            .trim_matches(|c| c == '"' || c == '`')
            .to_string();
        match spec.child_by_field_name("name") {
            Some(name) if name.kind() == "dot" => map.wildcards.push(path),
            Some(name) if name.kind() == "blank_identifier" => {}
            Some(name) => map.bind(&text(name), path),
            None => {
                let local = go_default_name(&path);
                map.bind(&local, path);
            }
        }
    }
}

fn java(map: &mut ImportMap, root: Node<'_>, text: &TextFn<'_>) {
    for decl in named_children(root) {
        if decl.kind() != "import_declaration" {
            continue;
        }
        let children = named_children(decl);
        let Some(path) = children
            .iter()
            .find(|n| matches!(n.kind(), "scoped_identifier" | "identifier"))
        else {
            continue;
        };
        let path = compact(&text(*path));
        if children.iter().any(|n| n.kind() == "asterisk") {
            map.wildcards.push(path);
        } else if let Some(last) = path.rsplit('.').next() {
            let last = last.to_string();
            map.bind(&last, path);
        }
    }
}

fn rust_use(map: &mut ImportMap, node: Node<'_>, prefix: &str, text: &TextFn<'_>) {
    let join = |p: &str, s: &str| {
        if p.is_empty() {
            s.to_string()
        } else {
            format!("{p}::{s}")
        }
    };
    match node.kind() {
        "identifier" | "scoped_identifier" | "crate" | "super" => {
            let full = join(prefix, &compact(&text(node)));
            let last = full.rsplit("::").next().unwrap_or("").to_string();
            map.bind(&last, full);
        }
        "self" => {
            let last = prefix.rsplit("::").next().unwrap_or("").to_string();
            map.bind(&last, prefix.to_string());
        }
        "use_as_clause" => {
            if let (Some(path), Some(alias)) = (
                node.child_by_field_name("path"),
                node.child_by_field_name("alias"),
            ) {
                map.bind(&text(alias), join(prefix, &compact(&text(path))));
            }
        }
        "scoped_use_list" => {
            let base = node
                .child_by_field_name("path")
                .map(|p| join(prefix, &compact(&text(p))));
            let base = base.unwrap_or_else(|| prefix.to_string());
            if let Some(list) = node.child_by_field_name("list") {
                rust_use(map, list, &base, text);
            }
        }
        "use_list" => {
            for child in named_children(node) {
                rust_use(map, child, prefix, text);
            }
        }
        "use_wildcard" => {
            let inner = named_children(node)
                .into_iter()
                .next()
                .map(|p| join(prefix, &compact(&text(p))));
            map.wildcards
                .push(inner.unwrap_or_else(|| prefix.to_string()));
        }
        _ => {}
    }
}

fn rust(map: &mut ImportMap, root: Node<'_>, text: &TextFn<'_>) {
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        match node.kind() {
            "use_declaration" => {
                if let Some(arg) = node.child_by_field_name("argument") {
                    rust_use(map, arg, "", text);
                }
            }
            "source_file" | "mod_item" | "declaration_list" | "function_item" | "block" => {
                stack.extend(named_children(node));
            }
            _ => {}
        }
    }
}

fn compact(s: &str) -> String {
    s.chars().filter(|c| !c.is_whitespace()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    fn map(lang: Lang, src: &str) -> ImportMap {
        let tree = parse(lang, &Source::Str(src), None).expect("parse");
        ImportMap::build(lang, &tree, Source::Str(src))
    }

    fn resolves(m: &ImportMap, text: &str, want: &str) -> bool {
        m.resolve(text).iter().any(|c| c == want)
    }

    #[test]
    fn python_aliases() {
        let m = map(
            Lang::Python,
            "import subprocess as sp\nfrom hashlib import md5 as h, sha1\nimport os.path\nfrom os import *\n\
             def f():\n    import pickle as p\n",
        );
        assert!(resolves(&m, "sp.call", "subprocess.call"));
        assert!(resolves(&m, "h", "hashlib.md5"));
        assert!(resolves(&m, "sha1", "hashlib.sha1"));
        assert!(resolves(&m, "os.path.join", "os.path.join"));
        assert!(resolves(&m, "system", "os.system"), "wildcard import");
        assert!(resolves(&m, "p.loads", "pickle.loads"));
        assert!(!resolves(&m, "h", "md5"));
        // Unknown heads resolve to themselves.
        assert!(resolves(&m, "yaml.load", "yaml.load"));
    }

    #[test]
    fn python_shadowing_import_is_not_the_module() {
        let m = map(Lang::Python, "from mylib import md5\nmd5()\n");
        assert!(!resolves(&m, "md5", "hashlib.md5"));
        assert!(resolves(&m, "md5", "mylib.md5"));
    }

    #[test]
    fn javascript_require_and_import() {
        let m = map(
            Lang::JavaScript,
            "const { exec, execSync: es } = require('child_process');\nconst cp = require(\"node:child_process\");\n\
             const ex2 = require('child_process').exec;\nimport * as ns from 'child_process';\n\
             import d, { spawn as sp } from 'child_process';\nfunction f() { const crypto = require('crypto'); }\n",
        );
        assert!(resolves(&m, "exec", "child_process.exec"));
        assert!(resolves(&m, "es", "child_process.execSync"));
        assert!(resolves(&m, "cp.exec", "child_process.exec"));
        assert!(resolves(&m, "ex2", "child_process.exec"));
        assert!(resolves(&m, "ns.exec", "child_process.exec"));
        assert!(resolves(&m, "d.execFile", "child_process.execFile"));
        assert!(resolves(&m, "sp", "child_process.spawn"));
        assert!(resolves(&m, "crypto.createHash", "crypto.createHash"));
        assert!(resolves(&m, "cp?.exec", "child_process.exec"));
        let m = map(
            Lang::JavaScript,
            "function f() { const { JWT } = jose; }\nconst jose = require('jose');\n",
        );
        assert!(resolves(&m, "JWT.sign", "jose.JWT.sign"));
    }

    #[test]
    fn typescript_import_equals() {
        let m = map(
            Lang::TypeScript,
            "import cp = require('child_process');\nimport { exec } from 'node:child_process';\n",
        );
        assert!(resolves(&m, "cp.spawn", "child_process.spawn"));
        assert!(resolves(&m, "exec", "child_process.exec"));
    }

    #[test]
    fn go_imports() {
        let m = map(
            Lang::Go,
            "package m\nimport (\n ex \"os/exec\"\n \"net/http\"\n jwt \"github.com/dgrijalva/jwt-go\"\n \"gopkg.in/yaml.v2\"\n)\n",
        );
        assert!(resolves(&m, "ex.Command", "os/exec.Command"));
        assert!(resolves(
            &m,
            "http.ListenAndServe",
            "net/http.ListenAndServe"
        ));
        assert!(resolves(
            &m,
            "jwt.Parse",
            "github.com/dgrijalva/jwt-go.Parse"
        ));
        assert!(resolves(&m, "yaml.Unmarshal", "gopkg.in/yaml.v2.Unmarshal"));
        assert_eq!(go_default_name("github.com/golang-jwt/jwt/v5"), "jwt");
        assert_eq!(go_default_name("github.com/go-sql-driver/mysql"), "mysql");
    }

    #[test]
    fn java_imports() {
        let m = map(
            Lang::Java,
            "import java.security.MessageDigest;\nimport static java.lang.Math.max;\nimport java.io.*;\nclass A {}\n",
        );
        assert!(resolves(
            &m,
            "MessageDigest.getInstance",
            "java.security.MessageDigest.getInstance"
        ));
        assert!(resolves(&m, "max", "java.lang.Math.max"));
        assert!(resolves(
            &m,
            "ObjectInputStream",
            "java.io.ObjectInputStream"
        ));
        assert!(resolves(
            &m,
            "Runtime.getRuntime().exec",
            "java.lang.Runtime.exec"
        ));
        assert!(resolves(
            &m,
            "Runtime.getRuntime().exec",
            "java.lang.Runtime.getRuntime.exec"
        ));
    }

    #[test]
    fn rust_uses() {
        let m = map(
            Lang::Rust,
            "use std::process::{self, Command as C};\nuse std::env;\nuse md5::*;\nfn main() {}\n",
        );
        assert!(resolves(&m, "C::new", "std::process::Command::new"));
        assert!(resolves(
            &m,
            "process::Command::new",
            "std::process::Command::new"
        ));
        assert!(resolves(&m, "env::var", "std::env::var"));
        assert!(resolves(&m, "compute", "md5::compute"));
    }

    #[test]
    fn dynamic_lookups_resolve() {
        let m = map(Lang::Python, "import os as o\n");
        assert!(resolves(&m, "__import__('os').system", "os.system"));
        assert!(resolves(&m, "getattr(o, \"system\")", "os.system"));
        assert!(resolves(
            &m,
            "getattr(__import__(\"os\"), \"system\")",
            "os.system"
        ));
        let m = map(Lang::JavaScript, "");
        assert!(resolves(
            &m,
            "require('child_process').exec",
            "child_process.exec"
        ));
    }

    #[test]
    fn ruby_resolves_to_itself() {
        let m = map(Lang::Ruby, "require 'open3'\nOpen3.capture2(x)\n");
        assert!(resolves(&m, "Open3.capture2", "Open3.capture2"));
        assert!(m.is_empty());
    }
}
