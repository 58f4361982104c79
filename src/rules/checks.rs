//! Rust-side checks that rules attach to their matches (`checks:` in rule YAML).
//!
//! A check looks at one match (its captures, the tree, the source and per-file facts such as the
//! import map) and keeps it, keeps it with another confidence, or drops it. Check names are
//! validated when rules load, so a typo is a load error rather than a silent no-op.
//!
//! | check | args | on the captured node | verdict |
//! |---|---|---|---|
//! | `not-literal` | — | any expression | drops plain literals |
//! | `resolves-to` | qualified names (`subprocess.call`, `child_process.exec`, `os/exec.Command`, `java.lang.Runtime.exec`, `std::process::Command::new`; `prefix.*` for any member) | a callee expression or a whole call | keeps when the callee, resolved through the file's imports, is one of the names |
//! | `not-resolves-to` | same | same | the opposite |
//! | `tainted` | optional `strict` or `source` | any expression or argument list | built from a parameter or request-like source → high; constant or sanitised → low (dropped when `strict`); unknown → medium; with `source`, kept (high) only when built from request-like input (a route handler's parameters count) |
//! | `is-formatted-string` | — | any expression | keeps strings built by formatting/concatenation (through local variables) |
//! | `not-formatted-string` | — | any expression | the opposite |
//! | `permissive-mode` | optional octal mask (default `0o022`) | a file mode expression (`0o777`, `511`, `stat.S_IWOTH \| …`) | keeps when the mode's known bits intersect the mask |
//! | `value-matches` | regex, optional exclusion regex | any expression | keeps when one of the constant string values it may hold (literal, literal prefix of a formatted string, through local variables and parameter defaults) matches the first regex and not the second |
//! | `security-context` | optional regex (default: token, secret, password, key, nonce, salt, otp, csrf, session, auth…) | any expression | keeps when the enclosing assignment target, keyword, property or function name mentions a security-sensitive word |
//!
//! Name resolution (`resolves-to`): a callee whose head is imported resolves through the import
//! map (`import subprocess as sp; sp.call` → `subprocess.call`); a callee whose head is not
//! imported resolves to its own text, so `subprocess.call(...)` in a file without the import still
//! matches `subprocess.call`, while `from mylib import md5; md5()` does not match `hashlib.md5`.
//! A bare name without an import (`exec(...)`) only matches a bare arg (`exec`), never
//! `child_process.exec`.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, OnceLock};

use regex::Regex;
use tree_sitter::{Node, Tree};

use crate::rules::Confidence;
use crate::security::imports::ImportMap;
use crate::security::taint::{self, Taint};
use crate::syntax::Lang;
use crate::text::Source;

/// Facts about one file computed at most once per check run (import maps and the like).
#[derive(Default)]
pub struct FileFacts {
    imports: OnceLock<ImportMap>,
    /// The file's text, copied once when a prefilter first needs it.
    text: OnceLock<String>,
    /// Whether the file's text mentions a word (prefilter for `resolves-to`).
    mentions: Mutex<HashMap<String, bool>>,
    /// `resolves-to` name lists digested for this file, by the address of the rule's args (rules
    /// do not change during one run).
    name_sets: Mutex<HashMap<usize, Arc<NameSet>>>,
}

/// A `resolves-to` name list, digested once per file.
struct NameSet {
    /// Some name's last segment occurs in the file (otherwise nothing can resolve to it).
    mentioned: bool,
    /// Last segments of the names (`system` for `os.system`, `open` for `*.open`).
    lasts: HashSet<String>,
    /// Some name is a `prefix.*` wildcard, so a callee's last segment cannot rule it out.
    any_member: bool,
}

impl FileFacts {
    pub fn new() -> FileFacts {
        crate::security::taint::reset_memo();
        FileFacts::default()
    }

    /// The file's import map, built on first use.
    pub fn imports(&self, lang: Lang, tree: &Tree, source: Source<'_>) -> &ImportMap {
        self.imports
            .get_or_init(|| ImportMap::build(lang, tree, source))
    }

    fn name_set(&self, source: Source<'_>, names: &[String]) -> Arc<NameSet> {
        let key = names.as_ptr() as usize;
        if let Ok(cache) = self.name_sets.lock()
            && let Some(set) = cache.get(&key)
        {
            return Arc::clone(set);
        }
        let mut lasts = HashSet::new();
        let mut any_member = false;
        let mut mentioned = false;
        for n in names {
            let base = match n.strip_suffix(".*").or_else(|| n.strip_suffix("::*")) {
                Some(prefix) => {
                    any_member = true;
                    prefix
                }
                None => n.as_str(),
            };
            let last = base.rsplit(['.', ':', '/']).next().unwrap_or(base);
            mentioned = mentioned || last.is_empty() || self.mentions(source, last);
            if base.len() < n.len() {
                continue;
            }
            lasts.insert(last.to_string());
        }
        let set = Arc::new(NameSet {
            mentioned,
            lasts,
            any_member,
        });
        if let Ok(mut cache) = self.name_sets.lock() {
            cache.insert(key, Arc::clone(&set));
        }
        set
    }

    /// Whether the file's text contains `word` (cached per word).
    fn mentions(&self, source: Source<'_>, word: &str) -> bool {
        if let Ok(cache) = self.mentions.lock()
            && let Some(hit) = cache.get(word)
        {
            return *hit;
        }
        // One copy of the text per file run (a rope is not contiguous), shared by every word.
        let text = self.text.get_or_init(|| source.full_text().into_owned());
        let hit = text.contains(word);
        if let Ok(mut cache) = self.mentions.lock() {
            cache.insert(word.to_string(), hit);
        }
        hit
    }
}

/// Everything a check may look at.
pub struct CheckCtx<'a, 'tree> {
    pub lang: Lang,
    pub source: Source<'a>,
    pub tree: &'tree Tree,
    pub facts: &'a FileFacts,
    /// All captures of the match, by name.
    pub captures: &'a [(&'a str, Node<'tree>)],
}

impl<'a, 'tree> CheckCtx<'a, 'tree> {
    pub fn capture(&self, name: &str) -> Option<Node<'tree>> {
        self.captures
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, node)| *node)
    }

    pub fn text(&self, node: Node<'_>) -> std::borrow::Cow<'a, str> {
        self.source.slice(node.byte_range())
    }
}

/// What a check decided about a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Keep,
    KeepWith(Confidence),
    Drop,
}

/// Names of every known check.
pub const KNOWN: &[&str] = &[
    "not-literal",
    "resolves-to",
    "not-resolves-to",
    "tainted",
    "is-formatted-string",
    "not-formatted-string",
    "security-context",
    "permissive-mode",
    "value-matches",
    "parent",
    "inside",
];

pub fn is_known(name: &str) -> bool {
    KNOWN.contains(&name)
}

/// Runs check `name` on the node captured as `capture` (or the match's first capture).
pub fn run(name: &str, args: &[String], capture: Option<&str>, ctx: &CheckCtx<'_, '_>) -> Verdict {
    let node = match capture {
        Some(c) => ctx.capture(c),
        None => ctx.captures.first().map(|(_, n)| *n),
    };
    let Some(node) = node else {
        return Verdict::Keep;
    };
    let keep_if = |b: bool| if b { Verdict::Keep } else { Verdict::Drop };
    match name {
        "not-literal" => keep_if(!is_literal(node)),
        "resolves-to" => keep_if(resolves_to(ctx, node, args)),
        "not-resolves-to" => keep_if(!resolves_to(ctx, node, args)),
        "tainted" => tainted(ctx, node, args),
        "is-formatted-string" => keep_if(taint::is_formatted(ctx.lang, ctx.source, node)),
        "not-formatted-string" => keep_if(!taint::is_formatted(ctx.lang, ctx.source, node)),
        "security-context" => keep_if(security_context(
            ctx,
            node,
            args.first().map(String::as_str),
        )),
        "permissive-mode" => keep_if(permissive_mode(ctx, node, args.first().map(String::as_str))),
        "value-matches" => keep_if(value_matches(ctx, node, args)),
        // The node's parent is of one of these kinds (`superclasses` of a class: its
        // `argument_list` whose parent is the `class_definition`).
        "parent" => keep_if(
            node.parent()
                .is_some_and(|p| args.iter().any(|k| k == p.kind())),
        ),
        // Some ancestor of the node is of one of these kinds. Lets a pattern be rooted at the
        // node itself rather than at the ancestor, so that editing a large class re-queries only
        // the member being edited.
        "inside" => {
            let mut up = node.parent();
            let mut found = false;
            while let Some(p) = up {
                if args.iter().any(|k| k == p.kind()) {
                    found = true;
                    break;
                }
                up = p.parent();
            }
            keep_if(found)
        }
        _ => Verdict::Keep,
    }
}

/// Node kinds that are whole calls; `resolves-to` then looks at their callee.
const CALL_KINDS: &[&str] = &[
    "call",
    "call_expression",
    "method_invocation",
    "new_expression",
    "object_creation_expression",
    "macro_invocation",
];

fn resolves_to(ctx: &CheckCtx<'_, '_>, node: Node<'_>, names: &[String]) -> bool {
    if names.is_empty() {
        return false;
    }
    // Prefilter: every resolution of a name ends with text that occurs in the file.
    let set = ctx.facts.name_set(ctx.source, names);
    if !set.mentioned {
        return false;
    }
    let text = if CALL_KINDS.contains(&node.kind()) {
        match taint::callee_text(ctx.lang, ctx.source, node) {
            Some(t) => t.trim_end_matches('!').to_string(),
            None => return false,
        }
    } else {
        ctx.text(node).into_owned()
    };
    let imports = ctx.facts.imports(ctx.lang, ctx.tree, ctx.source);
    // Resolution only rewrites the head of a path, so a callee whose last segment is none of the
    // names' and whose head is not imported cannot match (dynamic lookups with `(` excepted).
    if !set.any_member && !text.contains('(') {
        let last = text.rsplit(['.', ':']).next().unwrap_or(&text);
        let head = text.split(['.', ':']).next().unwrap_or(&text);
        let head = head.trim_end_matches('?');
        if !set.lasts.contains(last) && imports.binding(head).is_none() {
            return false;
        }
    }
    let imports = ctx.facts.imports(ctx.lang, ctx.tree, ctx.source);
    let matches = |text: &str| {
        imports
            .resolve(text)
            .iter()
            .any(|cand| names.iter().any(|n| name_matches(n, cand)))
    };
    if matches(&text) {
        return true;
    }
    // A method on a local variable built by a constructor: `opener = URLopener(); opener.open(u)`
    // resolves like `URLopener().open(u)`.
    let callee = if CALL_KINDS.contains(&node.kind()) {
        node.child_by_field_name("function").unwrap_or(node)
    } else {
        node
    };
    let root = taint::chain_root(callee);
    if root.id() == callee.id() {
        return false;
    }
    let Some(ctor) = taint::constructor_of(ctx.lang, ctx.source, ctx.tree.root_node(), root) else {
        return false;
    };
    let root_text = ctx.text(root);
    let Some(rest) = text.strip_prefix(root_text.as_ref()) else {
        return false;
    };
    matches(&format!("{ctor}(){rest}"))
}

/// `pattern` is a qualified name, `prefix.*` / `prefix::*` for any member of `prefix`, or
/// `*.name` for a method `name` on any receiver.
fn name_matches(pattern: &str, candidate: &str) -> bool {
    if let Some(suffix) = pattern.strip_prefix("*.") {
        return candidate
            .strip_suffix(suffix)
            .is_some_and(|head| head.ends_with('.') || head.ends_with("::"));
    }
    if let Some(prefix) = pattern.strip_suffix(".*") {
        return candidate
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with('.') && r.len() > 1);
    }
    if let Some(prefix) = pattern.strip_suffix("::*") {
        return candidate
            .strip_prefix(prefix)
            .is_some_and(|r| r.starts_with("::") && r.len() > 2);
    }
    pattern == candidate
}

fn tainted(ctx: &CheckCtx<'_, '_>, node: Node<'_>, args: &[String]) -> Verdict {
    let strict = args.iter().any(|a| a == "strict");
    let source_only = args.iter().any(|a| a == "source");
    let t = taint::classify(ctx.lang, ctx.source, node);
    if source_only {
        return if t == Taint::Source {
            Verdict::KeepWith(Confidence::High)
        } else {
            Verdict::Drop
        };
    }
    match t {
        Taint::Tainted | Taint::LocalInput | Taint::Source => Verdict::KeepWith(Confidence::High),
        Taint::Unknown => Verdict::KeepWith(Confidence::Medium),
        Taint::Constant | Taint::Sanitized => {
            if strict {
                Verdict::Drop
            } else {
                Verdict::KeepWith(Confidence::Low)
            }
        }
    }
}

const DEFAULT_CONTEXT: &str = r"(?i)(token|secret|passw|pwd|nonce|salt|otp|csrf|xsrf|session|auth|api_?key|private_?key|crypt|cipher|\biv\b|_iv\b|reset|verif|signature|credential|uuid)";

fn context_regex(custom: Option<&str>) -> Option<Regex> {
    static DEFAULT: OnceLock<Option<Regex>> = OnceLock::new();
    match custom {
        None => DEFAULT
            .get_or_init(|| Regex::new(DEFAULT_CONTEXT).ok())
            .clone(),
        Some(p) => cached_regex(p),
    }
}

/// Names near `node` that tell what its value is for: the assignment target, keyword or
/// property it initialises, and the enclosing function's name.
fn security_context(ctx: &CheckCtx<'_, '_>, node: Node<'_>, custom: Option<&str>) -> bool {
    let Some(re) = context_regex(custom) else {
        return false;
    };
    let mut cur = node;
    let mut hops = 0;
    while let Some(parent) = cur.parent() {
        hops += 1;
        let kind = parent.kind();
        let target = match kind {
            "assignment"
            | "augmented_assignment"
            | "assignment_expression"
            | "augmented_assignment_expression" => parent.child_by_field_name("left"),
            "variable_declarator"
            | "keyword_argument"
            | "pair"
            | "keyed_element"
            | "let_declaration" => parent
                .child_by_field_name("name")
                .or_else(|| parent.child_by_field_name("key"))
                .or_else(|| parent.child_by_field_name("pattern"))
                .or_else(|| parent.named_child(0)),
            "short_var_declaration" | "assignment_statement" | "var_spec" => parent
                .child_by_field_name("left")
                .or_else(|| parent.child_by_field_name("name")),
            "return_statement" => None,
            _ => None,
        };
        if let Some(t) = target
            && re.is_match(&ctx.text(t))
        {
            return true;
        }
        let is_function = matches!(
            kind,
            "function_definition"
                | "function_declaration"
                | "method_definition"
                | "method_declaration"
                | "function_item"
                | "method"
                | "function_expression"
                | "arrow_function"
        );
        if is_function {
            let name = parent
                .child_by_field_name("name")
                .map(|n| ctx.text(n).into_owned());
            let name = name.or_else(|| {
                // `const makeToken = () => …`
                parent
                    .parent()
                    .filter(|p| p.kind() == "variable_declarator")
                    .and_then(|p| p.child_by_field_name("name"))
                    .map(|n| ctx.text(n).into_owned())
            });
            return name.is_some_and(|n| re.is_match(&n));
        }
        if hops > 12 {
            break;
        }
        cur = parent;
    }
    false
}

/// Permission bits of `stat` constants.
const STAT_BITS: &[(&str, u32)] = &[
    ("S_IRWXU", 0o700),
    ("S_IRUSR", 0o400),
    ("S_IWUSR", 0o200),
    ("S_IXUSR", 0o100),
    ("S_IRWXG", 0o070),
    ("S_IRGRP", 0o040),
    ("S_IWGRP", 0o020),
    ("S_IXGRP", 0o010),
    ("S_IRWXO", 0o007),
    ("S_IROTH", 0o004),
    ("S_IWOTH", 0o002),
    ("S_IXOTH", 0o001),
    ("S_ISUID", 0o4000),
    ("S_ISGID", 0o2000),
    ("S_ISVTX", 0o1000),
];

/// Parses an integer literal in any of the usual notations (`0o755`, `0755`, `0x1ff`, `493`).
fn parse_int(text: &str) -> Option<u32> {
    let t: String = text.chars().filter(|c| *c != '_').collect();
    let t = t.trim_end_matches(['u', 'U', 'l', 'L']);
    if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        return u32::from_str_radix(o, 8).ok();
    }
    if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        return u32::from_str_radix(h, 16).ok();
    }
    if t.len() > 1 && t.starts_with('0') && t.chars().all(|c| c.is_ascii_digit()) {
        return u32::from_str_radix(&t[1..], 8).ok();
    }
    t.parse().ok()
}

/// The permission bits an expression is known to set (unknown parts contribute none).
fn known_mode_bits(ctx: &CheckCtx<'_, '_>, node: Node<'_>, depth: usize) -> u32 {
    if depth > 16 {
        return 0;
    }
    match node.kind() {
        "integer"
        | "number"
        | "int_literal"
        | "decimal_integer_literal"
        | "octal_integer_literal"
        | "hex_integer_literal"
        | "integer_literal" => parse_int(&ctx.text(node)).unwrap_or(0),
        "binary_operator" | "binary_expression" | "parenthesized_expression" => {
            let op = node.child_by_field_name("operator").map(|o| o.kind());
            if matches!(op, Some("&" | "^" | "-")) {
                return 0;
            }
            let mut cursor = node.walk();
            let children: Vec<Node<'_>> = node.named_children(&mut cursor).collect();
            children
                .into_iter()
                .fold(0, |acc, c| acc | known_mode_bits(ctx, c, depth + 1))
        }
        _ => {
            let text = ctx.text(node);
            let last = text.rsplit(['.', ':']).next().unwrap_or("");
            STAT_BITS
                .iter()
                .find(|(n, _)| *n == last)
                .map(|(_, b)| *b)
                .unwrap_or(0)
        }
    }
}

fn value_matches(ctx: &CheckCtx<'_, '_>, node: Node<'_>, args: &[String]) -> bool {
    let Some(re) = args.first().and_then(|p| cached_regex(p)) else {
        return false;
    };
    let not = args.get(1).and_then(|p| cached_regex(p));
    taint::string_values(ctx.lang, ctx.source, node)
        .iter()
        .any(|v| re.is_match(v) && !not.as_ref().is_some_and(|n| n.is_match(v)))
}

/// Compiles rule-supplied regexes once per process.
fn cached_regex(pattern: &str) -> Option<Regex> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Regex>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let mut guard = cache.lock().ok()?;
    guard
        .entry(pattern.to_string())
        .or_insert_with(|| Regex::new(pattern).ok())
        .clone()
}

fn permissive_mode(ctx: &CheckCtx<'_, '_>, node: Node<'_>, mask: Option<&str>) -> bool {
    let mask = mask.and_then(parse_int).unwrap_or(0o022);
    known_mode_bits(ctx, node, 0) & mask != 0
}

/// Whether a node is a plain literal (string without interpolation, number, boolean, …).
pub fn is_literal(node: Node<'_>) -> bool {
    match node.kind() {
        "string"
        | "string_literal"
        | "raw_string_literal"
        | "interpreted_string_literal"
        | "template_string" => !has_descendant_kind(
            node,
            &[
                "interpolation",
                "template_substitution",
                "string_interpolation",
            ],
        ),
        "integer"
        | "float"
        | "number"
        | "true"
        | "false"
        | "none"
        | "null"
        | "nil"
        | "integer_literal"
        | "float_literal"
        | "decimal_integer_literal"
        | "boolean" => true,
        _ => false,
    }
}

fn has_descendant_kind(node: Node<'_>, kinds: &[&str]) -> bool {
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        if kinds.contains(&child.kind()) || has_descendant_kind(child, kinds) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// Runs `check` on the last node of `kind` whose text is `text` (captured as `_x`).
    fn check_on(
        lang: Lang,
        src: &str,
        kind: &str,
        text: &str,
        check: &str,
        args: &[&str],
    ) -> Verdict {
        let source = Source::Str(src);
        let tree = parse(lang, &source, None).expect("parse");
        let mut stack = vec![tree.root_node()];
        let mut found = None;
        while let Some(n) = stack.pop() {
            if n.kind() == kind
                && source.slice(n.byte_range()) == text
                && found.is_none_or(|f: Node<'_>| f.start_byte() < n.start_byte())
            {
                found = Some(n);
            }
            let mut c = n.walk();
            let children: Vec<_> = n.children(&mut c).collect();
            stack.extend(children);
        }
        let node = found.expect("node");
        let facts = FileFacts::new();
        let captures = [("_x", node)];
        let ctx = CheckCtx {
            lang,
            source,
            tree: &tree,
            facts: &facts,
            captures: &captures,
        };
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        run(check, &args, Some("_x"), &ctx)
    }

    #[test]
    fn every_known_check_is_dispatched() {
        for name in KNOWN {
            assert!(is_known(name));
        }
        assert!(!is_known("resolve-to"));
    }

    #[test]
    fn resolves_to_sees_through_aliases() {
        let src = "from hashlib import md5 as h\nh(b'x')\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "identifier",
                "h",
                "resolves-to",
                &["hashlib.md5"]
            ),
            Verdict::Keep
        );
        let src = "import subprocess as sp\nsp.call(cmd, shell=True)\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "attribute",
                "sp.call",
                "resolves-to",
                &["subprocess.call"]
            ),
            Verdict::Keep
        );
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "attribute",
                "sp.call",
                "resolves-to",
                &["subprocess.*"]
            ),
            Verdict::Keep
        );
        let src = "from mylib import md5\nmd5(b'x')\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "identifier",
                "md5",
                "resolves-to",
                &["hashlib.md5"]
            ),
            Verdict::Drop
        );
        let src = "const { exec } = require(\"child_process\");\nexec(cmd);\n";
        assert_eq!(
            check_on(
                Lang::JavaScript,
                src,
                "call_expression",
                "exec(cmd)",
                "resolves-to",
                &["child_process.exec"]
            ),
            Verdict::Keep
        );
        let src = "exec(cmd);\n";
        assert_eq!(
            check_on(
                Lang::JavaScript,
                src,
                "call_expression",
                "exec(cmd)",
                "resolves-to",
                &["child_process.exec"]
            ),
            Verdict::Drop
        );
        let src = "import java.lang.Runtime;\nclass A { void f(String s) { Runtime.getRuntime().exec(s); } }\n";
        assert_eq!(
            check_on(
                Lang::Java,
                src,
                "method_invocation",
                "Runtime.getRuntime().exec(s)",
                "resolves-to",
                &["java.lang.Runtime.exec"]
            ),
            Verdict::Keep
        );
        // Unaliased names still match without an import.
        let src = "subprocess.call(cmd, shell=True)\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "attribute",
                "subprocess.call",
                "not-resolves-to",
                &["subprocess.call"]
            ),
            Verdict::Drop
        );
    }

    #[test]
    fn resolves_methods_of_constructed_locals() {
        let src =
            "import urllib\ndef f(url):\n    opener = urllib.URLopener()\n    opener.open(url)\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "attribute",
                "opener.open",
                "resolves-to",
                &["urllib.URLopener.open"]
            ),
            Verdict::Keep
        );
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "attribute",
                "opener.open",
                "resolves-to",
                &["urllib.FancyURLopener.open"]
            ),
            Verdict::Drop
        );
    }

    #[test]
    fn tainted_grades_confidence() {
        let src = "def f(user):\n    cursor.execute(f\"SELECT {user}\")\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "string",
                "f\"SELECT {user}\"",
                "tainted",
                &[]
            ),
            Verdict::KeepWith(Confidence::High)
        );
        let src = "def f():\n    cursor.execute(\"SELECT 1\")\n";
        assert_eq!(
            check_on(Lang::Python, src, "string", "\"SELECT 1\"", "tainted", &[]),
            Verdict::KeepWith(Confidence::Low)
        );
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "string",
                "\"SELECT 1\"",
                "tainted",
                &["strict"]
            ),
            Verdict::Drop
        );
        let src = "def f():\n    os.system(load())\n";
        assert_eq!(
            check_on(Lang::Python, src, "call", "load()", "tainted", &["strict"]),
            Verdict::KeepWith(Confidence::Medium)
        );
    }

    #[test]
    fn formatted_strings() {
        let src = "def f(a):\n    q = 'SELECT %s' % a\n    c.execute(q)\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "identifier",
                "q",
                "is-formatted-string",
                &[]
            ),
            Verdict::Keep
        );
        let src = "def f(a):\n    c.execute('SELECT %s', (a,))\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "string",
                "'SELECT %s'",
                "is-formatted-string",
                &[]
            ),
            Verdict::Drop
        );
        let src = "function f(a) { db.query(`SELECT ${a}`); }\n";
        assert_eq!(
            check_on(
                Lang::JavaScript,
                src,
                "template_string",
                "`SELECT ${a}`",
                "is-formatted-string",
                &[]
            ),
            Verdict::Keep
        );
    }

    #[test]
    fn security_context_reads_names() {
        let src = "x = random.random()\nreset_token = random.random()\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "call",
                "random.random()",
                "security-context",
                &[]
            ),
            Verdict::Keep
        );
        let src = "def roll():\n    return random.randint(1, 6)\n";
        assert_eq!(
            check_on(
                Lang::Python,
                src,
                "call",
                "random.randint(1, 6)",
                "security-context",
                &[]
            ),
            Verdict::Drop
        );
        let src = "function makeSessionId() { return Math.random().toString(36); }\n";
        assert_eq!(
            check_on(
                Lang::JavaScript,
                src,
                "call_expression",
                "Math.random()",
                "security-context",
                &[]
            ),
            Verdict::Keep
        );
    }

    #[test]
    fn permissive_modes() {
        let src = "os.chmod(p, 0o777)\nos.chmod(p, 0o644)\nos.chmod(p, 511)\nos.chmod(p, 0x1a4)\n\
                   os.chmod(p, stat.S_IRWXU | stat.S_IWOTH)\nos.chmod(p, st.st_mode | 0o111)\n";
        let mode =
            |t: &str, kind: &str| check_on(Lang::Python, src, kind, t, "permissive-mode", &[]);
        assert_eq!(mode("0o777", "integer"), Verdict::Keep);
        assert_eq!(mode("0o644", "integer"), Verdict::Drop);
        assert_eq!(mode("511", "integer"), Verdict::Keep);
        assert_eq!(mode("0x1a4", "integer"), Verdict::Drop);
        assert_eq!(
            mode("stat.S_IRWXU | stat.S_IWOTH", "binary_operator"),
            Verdict::Keep
        );
        assert_eq!(mode("st.st_mode | 0o111", "binary_operator"), Verdict::Drop);
    }

    #[test]
    fn method_wildcards() {
        assert!(name_matches("*.open", "opener.open"));
        assert!(name_matches("*.open", "urllib.request.URLopener.open"));
        assert!(!name_matches("*.open", "reopen"));
        assert!(!name_matches("*.open", "open"));
        assert!(name_matches("subprocess.*", "subprocess.run"));
        assert!(!name_matches("subprocess.*", "subprocess"));
    }

    #[test]
    fn literals() {
        let src = "eval('1')\neval(f'{x}')\n";
        assert_eq!(
            check_on(Lang::Python, src, "string", "'1'", "not-literal", &[]),
            Verdict::Drop
        );
        assert_eq!(
            check_on(Lang::Python, src, "string", "f'{x}'", "not-literal", &[]),
            Verdict::Keep
        );
    }
}
