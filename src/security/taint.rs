//! Intraprocedural taint: is a value built from a parameter or a request-like source?
//!
//! [`classify`] looks at one expression and answers, within the enclosing function (and the
//! scopes around it), whether it is built from a function parameter or a request-like source
//! ([`Taint::Tainted`]), only from constants ([`Taint::Constant`]), through a sanitiser
//! ([`Taint::Sanitized`]), or cannot be told ([`Taint::Unknown`]). It follows f-strings, `%`,
//! `.format`, `+`, `+=`, template literals, interpolation, containers and local variables (by
//! name, assignments that come before the use), but never crosses a function call: the result
//! of an unknown call is tainted when an argument is, unknown otherwise. It works on node-kind
//! tables per language, so the cost is a walk of the enclosing function per variable looked up.
//!
//! [`is_formatted`] answers a narrower, syntactic question used by SQL rules: is the value a
//! string built by formatting or concatenation (possibly through local variables)?

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use crate::syntax::Lang;
use crate::text::Source;

/// What an expression is built from. Ordered: combining two parts keeps the larger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Taint {
    /// Only literals (and pure operations on them).
    Constant,
    /// Went through a sanitiser or a conversion that makes it safe (`shlex.quote`, `int`, …).
    Sanitized,
    /// Could not be told (a call result, an attribute of an unknown object, a global).
    Unknown,
    /// Built from a parameter of the enclosing function (a caller may control it).
    Tainted,
    /// Built from local process input: command-line arguments, environment, stdin. Controlled by
    /// whoever runs the program, so it matters for injection into commands and code, less for
    /// web-only classes (path traversal, redirects, SSRF).
    LocalInput,
    /// Built from request-like input (`request.args`, `req.query`, `sys.argv`, `os.environ`,
    /// `input()`, a URL parameter of a route handler, …).
    Source,
}

impl Taint {
    /// Tainted by a parameter or by a source.
    pub fn is_tainted(self) -> bool {
        self >= Taint::Tainted
    }
}

impl Taint {
    fn join(self, other: Taint) -> Taint {
        self.max(other)
    }
}

/// Node kinds of one grammar that the analysis needs.
struct Kinds {
    functions: &'static [&'static str],
    strings: &'static [&'static str],
    interpolations: &'static [&'static str],
    binaries: &'static [&'static str],
    calls: &'static [&'static str],
    members: &'static [&'static str],
    identifiers: &'static [&'static str],
    assigns: &'static [&'static str],
    loops: &'static [&'static str],
}

const PY: Kinds = Kinds {
    functions: &["function_definition", "lambda"],
    strings: &["string", "concatenated_string"],
    interpolations: &["interpolation"],
    binaries: &["binary_operator", "boolean_operator"],
    calls: &["call"],
    members: &["attribute", "subscript"],
    identifiers: &["identifier"],
    assigns: &["assignment", "augmented_assignment", "named_expression"],
    loops: &["for_statement", "for_in_clause"],
};

const JS: Kinds = Kinds {
    functions: &[
        "function_declaration",
        "function_expression",
        "function",
        "arrow_function",
        "method_definition",
        "generator_function_declaration",
        "generator_function",
    ],
    strings: &["string", "template_string"],
    interpolations: &["template_substitution"],
    binaries: &["binary_expression"],
    calls: &["call_expression", "new_expression"],
    members: &["member_expression", "subscript_expression"],
    identifiers: &["identifier"],
    assigns: &[
        "variable_declarator",
        "assignment_expression",
        "augmented_assignment_expression",
    ],
    loops: &["for_in_statement"],
};

const GO: Kinds = Kinds {
    functions: &["function_declaration", "method_declaration", "func_literal"],
    strings: &["interpreted_string_literal", "raw_string_literal"],
    interpolations: &[],
    binaries: &["binary_expression"],
    calls: &["call_expression"],
    members: &["selector_expression", "index_expression"],
    identifiers: &["identifier"],
    assigns: &[
        "short_var_declaration",
        "assignment_statement",
        "var_spec",
        "const_spec",
    ],
    loops: &["range_clause"],
};

const JAVA: Kinds = Kinds {
    functions: &[
        "method_declaration",
        "constructor_declaration",
        "lambda_expression",
    ],
    strings: &["string_literal", "text_block"],
    interpolations: &[],
    binaries: &["binary_expression"],
    calls: &["method_invocation", "object_creation_expression"],
    members: &["field_access", "array_access"],
    identifiers: &["identifier"],
    assigns: &["variable_declarator", "assignment_expression"],
    loops: &["enhanced_for_statement"],
};

const RUBY: Kinds = Kinds {
    functions: &["method", "singleton_method", "block", "do_block", "lambda"],
    strings: &["string", "subshell", "heredoc_body"],
    interpolations: &["interpolation"],
    binaries: &["binary"],
    calls: &["call"],
    members: &["element_reference"],
    identifiers: &["identifier"],
    assigns: &["assignment", "operator_assignment"],
    loops: &["for"],
};

const RUST: Kinds = Kinds {
    functions: &["function_item", "closure_expression"],
    strings: &["string_literal", "raw_string_literal"],
    interpolations: &[],
    binaries: &["binary_expression"],
    calls: &["call_expression", "macro_invocation"],
    members: &["field_expression", "index_expression"],
    identifiers: &["identifier"],
    assigns: &[
        "let_declaration",
        "assignment_expression",
        "compound_assignment_expr",
    ],
    loops: &["for_expression"],
};

const NONE: Kinds = Kinds {
    functions: &[],
    strings: &[],
    interpolations: &[],
    binaries: &[],
    calls: &[],
    members: &[],
    identifiers: &[],
    assigns: &[],
    loops: &[],
};

fn kinds(lang: Lang) -> &'static Kinds {
    match lang {
        Lang::Python => &PY,
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => &JS,
        Lang::Go => &GO,
        Lang::Java => &JAVA,
        Lang::Ruby => &RUBY,
        Lang::Rust => &RUST,
        _ => &NONE,
    }
}

/// Literal kinds other than strings, in every grammar.
const CONSTANTS: &[&str] = &[
    "integer",
    "float",
    "number",
    "true",
    "false",
    "none",
    "null",
    "nil",
    "undefined",
    "int_literal",
    "float_literal",
    "imaginary_literal",
    "rune_literal",
    "integer_literal",
    "decimal_integer_literal",
    "hex_integer_literal",
    "decimal_floating_point_literal",
    "boolean",
    "boolean_literal",
    "char_literal",
    "character_literal",
    "null_literal",
    "simple_symbol",
    "delimited_symbol",
    "regex",
    "unit_expression",
    "ellipsis",
    "string_fragment",
    "string_content",
    "escape_sequence",
];

/// Function literals: code the developer wrote, not data (`page.evaluate(() => …)`).
const FUNCTION_LITERALS: &[&str] = &[
    "arrow_function",
    "function_expression",
    "function",
    "lambda",
    "func_literal",
    "closure_expression",
    "lambda_expression",
];

/// Kinds whose value is the combination of their named children.
const PASSTHROUGH: &[&str] = &[
    "parenthesized_expression",
    "await",
    "await_expression",
    "as_expression",
    "non_null_expression",
    "satisfies_expression",
    "type_assertion",
    "type_assertion_expression",
    "argument_list",
    "arguments",
    "expression_list",
    "list",
    "tuple",
    "set",
    "array",
    "list_splat",
    "dictionary_splat",
    "spread_element",
    "splat_argument",
    "hash_splat_argument",
    "unary_operator",
    "unary_expression",
    "not_operator",
    "reference_expression",
    "try_expression",
    "cast_expression",
    "parenthesized_statements",
    "composite_literal",
    "literal_value",
    "keyed_element",
    "literal_element",
    "array_creation_expression",
    "array_initializer",
    "array_expression",
    "tuple_expression",
    "token_tree",
    "begin_block",
    "interpolation",
    "template_substitution",
    "list_comprehension",
    "generator_expression",
    "conditional_expression",
    "ternary_expression",
    "conditional",
];

/// Value-carrying kinds whose key is irrelevant (`{"k": v}`, `k=v`).
const KEYED: &[&str] = &["pair", "keyword_argument"];

/// Receivers that stand for the object itself, never a caller-controlled parameter.
const SELF_NAMES: &[&str] = &["self", "cls", "this", "super"];

/// Expression prefixes that read request-like input (matched on whitespace-free text, at a
/// path boundary).
const SOURCE_PREFIXES: &[&str] = &[
    // Python: Flask/Django/Starlette/aiohttp requests, environment, argv, stdin.
    "request.args",
    "request.form",
    "request.values",
    "request.json",
    "request.data",
    "request.files",
    "request.cookies",
    "request.headers",
    "request.GET",
    "request.POST",
    "request.FILES",
    "request.COOKIES",
    "request.META",
    "request.body",
    "request.query_params",
    "request.path_params",
    "request.get_json",
    "request.get_data",
    "request.match_info",
    "request.query_string",
    "request.query",
    "request.params",
    "request.payload",
    "request.url",
    "request.path",
    "flask.request",
    "self.request",
    "os.environ",
    "os.getenv",
    "sys.argv",
    "sys.stdin",
    "input",
    "raw_input",
    // JavaScript: Express/Koa/Hapi requests, process, browser locations and messages.
    "req.query",
    "req.body",
    "req.params",
    "req.param",
    "req.headers",
    "req.header",
    "req.get",
    "req.cookies",
    "req.signedCookies",
    "req.url",
    "req.originalUrl",
    "req.path",
    "req.files",
    "ctx.query",
    "ctx.request",
    "ctx.params",
    "ctx.req",
    "process.argv",
    "process.env",
    "location.hash",
    "location.search",
    "location.href",
    "location.pathname",
    "window.location",
    "document.location",
    "document.URL",
    "document.documentURI",
    "document.referrer",
    "document.cookie",
    "window.name",
    // Go: net/http, gin/echo, os.
    "r.URL",
    "r.Form",
    "r.FormValue",
    "r.PostForm",
    "r.PostFormValue",
    "r.Header",
    "r.Body",
    "r.Cookie",
    "r.MultipartForm",
    "req.URL",
    "req.Form",
    "req.FormValue",
    "os.Args",
    "os.Getenv",
    "c.Query",
    "c.Param",
    "c.PostForm",
    "c.GetHeader",
    "c.QueryParam",
    "c.FormValue",
    "mux.Vars",
    "flag.Arg",
    // Java: servlet requests, environment.
    "request.getParameter",
    "request.getParameterValues",
    "request.getParameterMap",
    "request.getHeader",
    "request.getQueryString",
    "request.getCookies",
    "request.getInputStream",
    "request.getReader",
    "request.getPathInfo",
    "request.getRequestURI",
    "req.getParameter",
    "req.getHeader",
    "System.getenv",
    // Ruby: Rails params, environment, argv, stdin.
    "params",
    "cookies",
    "request.env",
    "request.raw_post",
    "ENV",
    "ARGV",
    "gets",
    "STDIN",
    "$stdin",
    // Rust: environment, stdin.
    "std::env::args",
    "env::args",
    "std::env::var",
    "env::var",
    "std::io::stdin",
    "io::stdin",
    "stdin",
];

/// Method names that read request input whatever the receiver is called.
const SOURCE_METHODS: &[&str] = &[
    "getParameter",
    "getParameterValues",
    "getParameterMap",
    "getQueryString",
    "getHeader",
    "getHeaders",
    "getCookies",
    "getInputStream",
    "getReader",
    "getRequestURI",
    "getPathInfo",
    "FormValue",
    "PostFormValue",
    "get_json",
];

/// Last segments of callee names that sanitise or convert their argument into something safe.
const SANITIZERS: &[&str] = &[
    "quote",
    "escape",
    "escape_string",
    "escape_shell_arg",
    "basename",
    "secure_filename",
    "sanitize",
    "sanitize_html",
    "sanitizeHtml",
    "sanitize_filename",
    "clean",
    "purify",
    "encodeURIComponent",
    "encodeURI",
    "escapeHtml",
    "escapeHTML",
    "escapeHtml4",
    "escapeXml",
    "escapeSql",
    "escapeId",
    "html_escape",
    "xml_escape",
    "url_quote",
    "quote_plus",
    "quote_identifier",
    "quote_ident",
    "Identifier",
    "Literal",
    "forHtml",
    "forJavaScript",
    "encodeForHTML",
    "encodeForSQL",
    "shellescape",
    "shell_escape",
    "int",
    "float",
    "bool",
    "len",
    "abs",
    "round",
    "Number",
    "parseInt",
    "parseFloat",
    "Boolean",
    "Atoi",
    "ParseInt",
    "ParseFloat",
    "ParseBool",
    "Itoa",
    "QueryEscape",
    "PathEscape",
    "EscapeString",
    "HTMLEscapeString",
    "JSEscapeString",
    "HTMLEscaper",
    "parseLong",
    "valueOf",
    "to_i",
    "to_f",
    "Integer",
    "Float",
    "h",
    "uuid4",
    "hexdigest",
    "isdigit",
    "isnumeric",
    "isalnum",
    // Rendering through an autoescaping template or serialising to JSON.
    "render_template",
    "render_to_string",
    "render",
    "jsonify",
    "dumps",
];

/// Calls that wrap a key or string without changing what it is.
const KEY_WRAPPERS: &[&str] = &[
    "asKey",
    "createSecretKey",
    "from",
    "encode",
    "getBytes",
    "String",
    "str",
    "bytes",
];

/// Last segments of functions that check a value against an allow-list.
const VALIDATORS: &[&str] = &[
    "is_safe_url",
    "url_has_allowed_host_and_scheme",
    "is_safe_redirect_url",
    "validate_redirect_url",
    "is_safe_path",
    "isValidRedirect",
    "isSafeUrl",
];

/// Last segments of calls that format or combine strings without any outside input of their own.
const PURE_STRING_CALLS: &[&str] = &[
    "format",
    "join",
    "str",
    "String",
    "upper",
    "lower",
    "strip",
    "lstrip",
    "rstrip",
    "replace",
    "concat",
    "trim",
    "toString",
    "toLowerCase",
    "toUpperCase",
    "Sprintf",
    "sprintf",
    "format!",
    "to_string",
    "to_owned",
    "into",
    "encode",
    "decode",
    "Join",
    "valueOf",
    "append",
    "substring",
    "slice",
    "split",
];

/// Whether `text` (whitespace-free) reads request-like input.
fn is_source_text(text: &str) -> bool {
    source_kind(text).is_some()
}

/// Prefixes of [`SOURCE_PREFIXES`] that read local process input rather than a request.
const LOCAL_PREFIXES: &[&str] = &[
    "os.environ",
    "os.getenv",
    "sys.argv",
    "sys.stdin",
    "input",
    "raw_input",
    "process.argv",
    "process.env",
    "os.Args",
    "os.Getenv",
    "flag.Arg",
    "System.getenv",
    "ENV",
    "ARGV",
    "gets",
    "STDIN",
    "$stdin",
    "std::env::args",
    "env::args",
    "std::env::var",
    "env::var",
    "std::io::stdin",
    "io::stdin",
    "stdin",
];

/// Which kind of input `text` (whitespace-free) reads, if any.
fn source_kind(text: &str) -> Option<Taint> {
    let at_boundary = |p: &str| {
        text.strip_prefix(p)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[', '(', '?', ':']))
    };
    let p = SOURCE_PREFIXES.iter().find(|p| at_boundary(p))?;
    Some(if LOCAL_PREFIXES.contains(p) {
        Taint::LocalInput
    } else {
        Taint::Source
    })
}

/// The whitespace-free text of a node.
fn compact_text(source: Source<'_>, node: Node<'_>) -> String {
    source
        .slice(node.byte_range())
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect()
}

fn last_segment(name: &str) -> &str {
    name.rsplit(['.', ':']).next().unwrap_or(name)
}

/// The callee of a call node as text (`a.b.c`), for every grammar.
pub fn callee_text(lang: Lang, source: Source<'_>, call: Node<'_>) -> Option<String> {
    let _ = lang;
    match call.kind() {
        "method_invocation" => {
            let name = call.child_by_field_name("name")?;
            let name = compact_text(source, name);
            Some(match call.child_by_field_name("object") {
                Some(obj) => format!("{}.{name}", compact_text(source, obj)),
                None => name,
            })
        }
        "object_creation_expression" => call
            .child_by_field_name("type")
            .map(|t| compact_text(source, t)),
        "new_expression" => call
            .child_by_field_name("constructor")
            .map(|t| compact_text(source, t)),
        "macro_invocation" => call
            .child_by_field_name("macro")
            .map(|m| format!("{}!", compact_text(source, m))),
        "call" if call.child_by_field_name("method").is_some() => {
            // Ruby: receiver.method(args)
            let method = compact_text(source, call.child_by_field_name("method")?);
            Some(match call.child_by_field_name("receiver") {
                Some(r) => format!("{}.{method}", compact_text(source, r)),
                None => method,
            })
        }
        _ => call
            .child_by_field_name("function")
            .map(|f| compact_text(source, f)),
    }
}

/// The receiver of a method call (`x` in `x.f(...)`), if any.
fn receiver<'t>(call: Node<'t>) -> Option<Node<'t>> {
    match call.kind() {
        "method_invocation" => call.child_by_field_name("object"),
        "call" if call.child_by_field_name("receiver").is_some() => {
            call.child_by_field_name("receiver")
        }
        _ => {
            let f = call.child_by_field_name("function")?;
            match f.kind() {
                "attribute" | "member_expression" | "selector_expression" | "field_expression" => f
                    .child_by_field_name("object")
                    .or_else(|| f.child_by_field_name("operand"))
                    .or_else(|| f.child_by_field_name("value")),
                _ => None,
            }
        }
    }
}

/// The argument list node of a call.
fn call_args<'t>(call: Node<'t>) -> Option<Node<'t>> {
    match call.kind() {
        "macro_invocation" => named(call).into_iter().find(|n| n.kind() == "token_tree"),
        _ => call.child_by_field_name("arguments"),
    }
}

/// Where a name may be bound in one scope: name → the assignment, loop and mutating-call nodes
/// that may bind it, as (start byte, end byte, kind id). Built by one walk of the scope; the exact
/// per-name check runs on these candidates only.
type ScopeIndex = HashMap<String, Vec<(usize, usize, u16)>>;

thread_local! {
    /// Scope indexes (by scope node id) for the file run on this thread.
    static SCOPE_MEMO: std::cell::RefCell<HashMap<usize, std::rc::Rc<ScopeIndex>>> =
        std::cell::RefCell::new(HashMap::new());
}

/// Forgets memoised scope walks; called when checking of a new file (or new tree) starts, on the
/// thread that will run its checks.
pub fn reset_memo() {
    SCOPE_MEMO.with(|m| m.borrow_mut().clear());
}

/// The node under `scope` (or `scope` itself) with exactly this range and kind.
fn find_node(scope: Node<'_>, start: usize, end: usize, kind: u16) -> Option<Node<'_>> {
    let is = |n: Node<'_>| n.start_byte() == start && n.end_byte() == end && n.kind_id() == kind;
    if is(scope) {
        return Some(scope);
    }
    crate::syntax::path_to(scope, start..end, is).1
}

fn named<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.named_children(&mut cursor).collect()
}

/// Classifies what `node` is built from, looking through the enclosing function.
pub fn classify(lang: Lang, source: Source<'_>, node: Node<'_>) -> Taint {
    let mut a = Analyzer {
        lang,
        source,
        k: kinds(lang),
        visiting: HashSet::new(),
        budget: 400,
    };
    a.expr(node, 0)
}

/// Whether `node` is a string built by formatting or concatenation (f-strings, `%`, `.format`,
/// `+` with a string, template literals with substitutions, interpolation, `String.format`,
/// `fmt.Sprintf`, `format!`), directly or through local variables.
pub fn is_formatted(lang: Lang, source: Source<'_>, node: Node<'_>) -> bool {
    let mut a = Analyzer {
        lang,
        source,
        k: kinds(lang),
        visiting: HashSet::new(),
        budget: 200,
    };
    a.formatted(node, 0)
}

/// The constant string values `node` may hold, as far as they can be told: string literals
/// (without quotes), the literal prefix of formatted strings and concatenations, and through
/// local variables, their assignments and parameter defaults. Used to look at URLs, template
/// names and algorithm names that reach a call through a variable.
pub fn string_values(lang: Lang, source: Source<'_>, node: Node<'_>) -> Vec<String> {
    let mut a = Analyzer {
        lang,
        source,
        k: kinds(lang),
        visiting: HashSet::new(),
        budget: 200,
    };
    let mut out = Vec::new();
    a.values(node, 0, &mut out);
    out
}

/// The text of a string literal without quotes and prefixes, up to the first interpolation.
fn literal_prefix(source: Source<'_>, node: Node<'_>) -> String {
    let mut out = String::new();
    let mut saw_content = false;
    for child in named(node) {
        match child.kind() {
            "string_content"
            | "string_fragment"
            | "interpreted_string_literal_content"
            | "escape_sequence" => {
                out.push_str(&source.slice(child.byte_range()));
                saw_content = true;
            }
            "string_start" | "string_end" => {}
            _ => {
                if saw_content || !out.is_empty() {
                    return out;
                }
                if matches!(child.kind(), "interpolation" | "template_substitution") {
                    return out;
                }
            }
        }
    }
    if !saw_content && named(node).is_empty() {
        // Grammars without content children: strip the quotes by hand.
        let text = source.slice(node.byte_range());
        let t = text.trim_start_matches(|c: char| c.is_ascii_alphabetic());
        return t
            .trim_matches(|c| c == '"' || c == '\'' || c == '`')
            .to_string();
    }
    out
}

/// When `ident` is a local variable last assigned from a call or constructor
/// (`opener = urllib.URLopener()`, `const c = new Client()`), that call's callee text
/// (`urllib.URLopener`, `Client`), so a method call on the variable can be resolved like a call on
/// the constructor's result.
pub fn constructor_of<'t>(
    lang: Lang,
    source: Source<'_>,
    root: Node<'t>,
    ident: Node<'t>,
) -> Option<String> {
    let k = kinds(lang);
    if !k.identifiers.contains(&ident.kind()) {
        return None;
    }
    // The enclosing scopes, innermost first, from one walk down from the root
    // (`Node::parent` walks down from the root on every call).
    let mut scopes: Vec<Node<'t>> =
        crate::syntax::path_to(root, ident.byte_range(), |n| n.id() == ident.id())
            .0
            .into_iter()
            .filter(|n| k.functions.contains(&n.kind()))
            .collect();
    scopes.reverse();
    scopes.push(root);
    let a = Analyzer {
        lang,
        source,
        k,
        visiting: HashSet::new(),
        budget: 50,
    };
    let name = source.slice(ident.byte_range()).into_owned();
    for (i, &scope) in scopes.iter().enumerate() {
        let limit = (i == 0).then(|| ident.start_byte());
        let values = a.assignments(scope, &name, limit);
        if let Some(last) = values.last() {
            let mut v = *last;
            while matches!(
                v.kind(),
                "await" | "await_expression" | "parenthesized_expression"
            ) {
                v = named(v).into_iter().next()?;
            }
            return if k.calls.contains(&v.kind()) {
                callee_text(lang, source, v)
            } else {
                None
            };
        }
        // A parameter shadows every outer binding: it was not built by a constructor here.
        if k.functions.contains(&scope.kind())
            && parameter_names(lang, source, scope)
                .iter()
                .chain(["self", "cls", "this"].map(str::to_string).iter())
                .any(|p| *p == name)
        {
            return None;
        }
    }
    None
}

/// The names a function binds as parameters (excluding `self`/`cls`/`this`).
pub fn parameter_names(lang: Lang, source: Source<'_>, function: Node<'_>) -> Vec<String> {
    let mut out = Vec::new();
    let params = function
        .child_by_field_name("parameters")
        .or_else(|| function.child_by_field_name("parameter"))
        .or_else(|| {
            named(function)
                .into_iter()
                .find(|n| n.kind().ends_with("parameters"))
        });
    if let Some(params) = params {
        collect_binders(source, params, &mut out);
    }
    let _ = lang;
    out.retain(|n| !SELF_NAMES.contains(&n.as_str()));
    out
}

/// The default value of parameter `name` of `function`, if it has one.
fn parameter_default<'t>(source: Source<'_>, function: Node<'t>, name: &str) -> Option<Node<'t>> {
    let params = function.child_by_field_name("parameters")?;
    for p in named(params) {
        let binder = p
            .child_by_field_name("name")
            .or_else(|| p.child_by_field_name("left"))
            .or_else(|| p.child_by_field_name("pattern"));
        let value = p
            .child_by_field_name("value")
            .or_else(|| p.child_by_field_name("right"));
        if let (Some(b), Some(v)) = (binder, value)
            && source.slice(b.byte_range()) == name
        {
            return Some(v);
        }
    }
    None
}

/// Collects identifiers in binding position under a parameter list or pattern.
fn collect_binders(source: Source<'_>, node: Node<'_>, out: &mut Vec<String>) {
    match node.kind() {
        "identifier" | "shorthand_property_identifier_pattern" => {
            out.push(source.slice(node.byte_range()).into_owned());
            return;
        }
        // `{key: binder}`: only the value binds.
        "pair_pattern" => {
            if let Some(v) = node.child_by_field_name("value") {
                collect_binders(source, v, out);
            }
            return;
        }
        _ => {}
    }
    let mut cursor = node.walk();
    for (i, child) in node.children(&mut cursor).enumerate() {
        if !child.is_named() {
            continue;
        }
        match node.field_name_for_child(i as u32) {
            Some(
                "type" | "value" | "right" | "default" | "key" | "return_type" | "decorator"
                | "dimensions",
            ) => {}
            _ => collect_binders(source, child, out),
        }
    }
}

struct Analyzer<'s, 'k> {
    lang: Lang,
    source: Source<'s>,
    k: &'k Kinds,
    visiting: HashSet<(usize, String)>,
    budget: usize,
}

const MAX_DEPTH: usize = 24;

impl Analyzer<'_, '_> {
    fn text(&self, node: Node<'_>) -> String {
        compact_text(self.source, node)
    }

    /// Whether a function handles web requests, so its parameters are request input: a Python
    /// function decorated as a route (`@app.route`, `@app.get`, `@router.post`, `@api_view`) or
    /// taking a `request`; a JS/TS function taking `req`/`request` (and its siblings).
    fn is_handler(&self, function: Node<'_>, params: &[String]) -> bool {
        if params
            .iter()
            .any(|p| matches!(p.as_str(), "request" | "req"))
        {
            return true;
        }
        if self.lang == Lang::Python
            && let Some(parent) = function.parent()
            && parent.kind() == "decorated_definition"
        {
            return named(parent)
                .into_iter()
                .filter(|d| d.kind() == "decorator")
                .any(|d| {
                    let t = self.text(d);
                    t.contains("route")
                        || t.contains(".get(")
                        || t.contains(".post(")
                        || t.contains(".put(")
                        || t.contains(".delete(")
                        || t.contains(".patch(")
                        || t.contains("api_view")
                        || t.contains("websocket")
                });
        }
        false
    }

    fn is_string_kind(&self, kind: &str) -> bool {
        self.k.strings.contains(&kind)
    }

    fn combine_children(&mut self, node: Node<'_>, depth: usize) -> Taint {
        let mut t = Taint::Constant;
        for child in named(node) {
            if child.kind() == "comment" {
                continue;
            }
            t = t.join(self.expr(child, depth + 1));
            if t == Taint::Source {
                break;
            }
        }
        t
    }

    fn expr(&mut self, node: Node<'_>, depth: usize) -> Taint {
        if depth > MAX_DEPTH || self.budget == 0 {
            return Taint::Unknown;
        }
        self.budget -= 1;
        let kind = node.kind();
        if CONSTANTS.contains(&kind) || FUNCTION_LITERALS.contains(&kind) {
            return Taint::Constant;
        }
        if self.is_string_kind(kind) {
            return self.string(node, depth);
        }
        if KEYED.contains(&kind) {
            return match node.child_by_field_name("value") {
                Some(v) => self.expr(v, depth + 1),
                None => Taint::Constant,
            };
        }
        if kind == "dictionary" || kind == "object" || kind == "hash" {
            return self.combine_children(node, depth);
        }
        if self.k.identifiers.contains(&kind) || kind == "constant" {
            return self.identifier(node, depth);
        }
        if self.k.binaries.contains(&kind) {
            return self.combine_children(node, depth);
        }
        if self.k.calls.contains(&kind) {
            return self.call(node, depth);
        }
        if self.k.members.contains(&kind) || kind == "attribute" || kind == "member_expression" {
            return self.member(node, depth);
        }
        if PASSTHROUGH.contains(&kind) {
            return self.combine_children(node, depth);
        }
        // Ruby `params[:x]` parses as element_reference (member); a bare method call without
        // arguments (`params`) is an identifier.
        Taint::Unknown
    }

    fn string(&mut self, node: Node<'_>, depth: usize) -> Taint {
        let mut t = Taint::Constant;
        for child in named(node) {
            let kind = child.kind();
            if self.k.interpolations.contains(&kind)
                || kind == "interpolation"
                || kind == "template_substitution"
            {
                t = t.join(self.combine_children(child, depth));
            } else if self.is_string_kind(kind) {
                t = t.join(self.string(child, depth + 1));
            }
        }
        t
    }

    fn identifier(&mut self, node: Node<'_>, depth: usize) -> Taint {
        let name = self.source.slice(node.byte_range()).into_owned();
        if SELF_NAMES.contains(&name.as_str()) {
            return Taint::Unknown;
        }
        if is_source_text(&name) {
            return Taint::Source;
        }
        if matches!(
            name.as_str(),
            "undefined" | "None" | "nil" | "null" | "NaN" | "Infinity"
        ) {
            return Taint::Constant;
        }
        let key = (node.start_byte(), name.clone());
        if !self.visiting.insert(key.clone()) {
            return Taint::Unknown;
        }
        let result = self.lookup(node, &name, depth);
        self.visiting.remove(&key);
        let result = result.unwrap_or(Taint::Unknown);
        if result.is_tainted() && self.validated(node, &name) {
            return Taint::Sanitized;
        }
        result
    }

    /// Whether the enclosing function passes `name` to an allow-list validator
    /// (`is_safe_url(next, …)`, `url_has_allowed_host_and_scheme(url=next, …)`), which guards the
    /// value on the paths that reach a sink.
    fn validated(&self, use_node: Node<'_>, name: &str) -> bool {
        let scope = enclosing_scope(self.k, use_node);
        let mut stack = vec![scope];
        while let Some(n) = stack.pop() {
            if self.k.calls.contains(&n.kind())
                && let Some(callee) = callee_text(self.lang, self.source, n)
                && VALIDATORS.contains(&last_segment(&callee))
                && let Some(args) = call_args(n)
                && named(args).into_iter().any(|a| {
                    let v = a.child_by_field_name("value").unwrap_or(a);
                    self.source.slice(v.byte_range()) == name
                })
            {
                return true;
            }
            stack.extend(named(n));
        }
        false
    }

    /// Finds what `name` (used at `use_node`) was bound to, innermost scope first; `None` when
    /// no scope binds it (a module, class or global defined elsewhere).
    fn lookup(&mut self, use_node: Node<'_>, name: &str, depth: usize) -> Option<Taint> {
        let mut scope = enclosing_scope(self.k, use_node);
        let mut innermost = true;
        loop {
            if self.k.functions.contains(&scope.kind()) {
                let params = parameter_names(self.lang, self.source, scope);
                if params.iter().any(|p| p == name) {
                    return Some(if self.is_handler(scope, &params) {
                        Taint::Source
                    } else {
                        Taint::Tainted
                    });
                }
            }
            let limit = if innermost {
                Some(use_node.start_byte())
            } else {
                None
            };
            let values = self.assignments(scope, name, limit);
            if !values.is_empty() {
                let mut t = Taint::Constant;
                for v in values {
                    t = t.join(self.expr(v, depth + 1));
                    if t == Taint::Source {
                        break;
                    }
                }
                return Some(t);
            }
            innermost = false;
            match scope.parent() {
                Some(parent) => scope = enclosing_scope(self.k, parent),
                None => return None,
            }
        }
    }

    /// The values assigned to `name` in `scope` (not inside nested functions), ending before
    /// `limit` when given. Each scope is walked once per file run (see [`reset_memo`]) into an
    /// index by name: module-level code in a large file would otherwise be walked again for every
    /// variable of every match.
    fn assignments<'t>(&self, scope: Node<'t>, name: &str, limit: Option<usize>) -> Vec<Node<'t>> {
        let cached = SCOPE_MEMO.with(|m| m.borrow().get(&scope.id()).cloned());
        let index = match cached {
            Some(index) => index,
            None => {
                let index = std::rc::Rc::new(self.index_scope(scope));
                SCOPE_MEMO.with(|m| m.borrow_mut().insert(scope.id(), index.clone()));
                index
            }
        };
        let mut out = Vec::new();
        for &(s, e, k) in index.get(name).map(Vec::as_slice).unwrap_or_default() {
            let Some(node) = find_node(scope, s, e, k) else {
                continue;
            };
            if self.k.calls.contains(&node.kind()) {
                self.mutation_values(node, name, &mut out);
            } else {
                self.assignment_values(node, name, &mut out);
            }
        }
        if let Some(limit) = limit {
            out.retain(|v| v.end_byte() <= limit);
        }
        out.sort_by_key(|n| n.start_byte());
        out
    }

    /// One walk of `scope` (skipping nested functions): every assignment or loop node under each
    /// name its target may bind, and every call under the receiver it may mutate. A superset:
    /// [`Self::assignment_values`] and [`Self::mutation_values`] decide exactly.
    fn index_scope(&self, scope: Node<'_>) -> ScopeIndex {
        let mut index: ScopeIndex = HashMap::new();
        let mut names = Vec::new();
        let mut cursor = scope.walk();
        if !cursor.goto_first_child() {
            return index;
        }
        'walk: loop {
            let node = cursor.node();
            let mut descend = true;
            if node.is_named() {
                let kind = node.kind();
                if self.k.functions.contains(&kind) {
                    descend = false;
                } else if self.k.assigns.contains(&kind) || self.k.loops.contains(&kind) {
                    if let Some(left) = node
                        .child_by_field_name("left")
                        .or_else(|| node.child_by_field_name("name"))
                        .or_else(|| node.child_by_field_name("pattern"))
                    {
                        names.clear();
                        self.bound_names(left, &mut names);
                        names.sort_unstable();
                        names.dedup();
                        for n in names.drain(..) {
                            index.entry(n).or_default().push((
                                node.start_byte(),
                                node.end_byte(),
                                node.kind_id(),
                            ));
                        }
                    }
                } else if self.k.calls.contains(&kind)
                    && let Some(callee) = callee_text(self.lang, self.source, node)
                    && let Some((recv, _)) = callee.rsplit_once('.')
                {
                    index.entry(recv.to_string()).or_default().push((
                        node.start_byte(),
                        node.end_byte(),
                        node.kind_id(),
                    ));
                }
            }
            if descend && cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() || cursor.node().id() == scope.id() {
                    break 'walk;
                }
            }
        }
        index
    }

    /// Every name an assignment to `left` binds: an identifier's text, the object of a member or
    /// index write, each element of a pattern or list.
    fn bound_names(&self, left: Node<'_>, out: &mut Vec<String>) {
        match left.kind() {
            "identifier" | "shorthand_property_identifier_pattern" | "constant" => {
                out.push(self.source.slice(left.byte_range()).into_owned());
            }
            "subscript"
            | "attribute"
            | "subscript_expression"
            | "member_expression"
            | "index_expression"
            | "element_reference"
            | "field_access"
            | "array_access"
            | "selector_expression"
            | "field_expression" => {
                if let Some(root) = left
                    .child_by_field_name("object")
                    .or_else(|| left.child_by_field_name("value"))
                    .or_else(|| left.child_by_field_name("operand"))
                    .or_else(|| left.child_by_field_name("array"))
                {
                    self.bound_names(root, out);
                }
            }
            "pattern_list"
            | "tuple_pattern"
            | "list_pattern"
            | "expression_list"
            | "array_pattern"
            | "object_pattern"
            | "pair_pattern"
            | "left_assignment_list"
            | "destructured_left_assignment"
            | "tuple"
            | "list"
            | "mut_pattern"
            | "ref_pattern"
            | "parenthesized_expression" => {
                let mut cursor = left.walk();
                for c in left.named_children(&mut cursor) {
                    self.bound_names(c, out);
                }
            }
            _ => {}
        }
    }

    /// Whether assigning to `left` binds `name` (`x`, `x[i]`, `x.y`, `a, x = …`).
    fn binds(&self, left: Node<'_>, name: &str) -> bool {
        let mut names = Vec::new();
        self.bound_names(left, &mut names);
        names.iter().any(|n| n == name)
    }

    fn assignment_values<'t>(&self, node: Node<'t>, name: &str, out: &mut Vec<Node<'t>>) {
        let left = node
            .child_by_field_name("left")
            .or_else(|| node.child_by_field_name("name"))
            .or_else(|| node.child_by_field_name("pattern"));
        let right = node
            .child_by_field_name("right")
            .or_else(|| node.child_by_field_name("value"))
            .or_else(|| node.child_by_field_name("iterable"));
        let (Some(left), Some(right)) = (left, right) else {
            return;
        };
        if !self.binds(left, name) {
            return;
        }
        // Go `a, b := x, y`: pick the matching value when counts agree.
        if left.kind() == "expression_list" && right.kind() == "expression_list" {
            let lefts = named(left);
            let rights = named(right);
            if lefts.len() == rights.len()
                && let Some(i) = lefts.iter().position(|l| self.binds(*l, name))
            {
                out.push(rights[i]);
                return;
            }
        }
        out.push(right);
    }

    /// `name.append(v)`, `name.push(v)`, `name.extend(v)`, … add `v` to `name`.
    fn mutation_values<'t>(&self, call: Node<'t>, name: &str, out: &mut Vec<Node<'t>>) {
        let Some(callee) = callee_text(self.lang, self.source, call) else {
            return;
        };
        let Some((recv, method)) = callee.rsplit_once('.') else {
            return;
        };
        if recv != name {
            return;
        }
        if matches!(
            method,
            "append"
                | "extend"
                | "push"
                | "unshift"
                | "insert"
                | "add"
                | "write"
                | "concat"
                | "update"
                | "push_str"
                | "Add"
        ) && let Some(args) = call_args(call)
        {
            out.push(args);
        }
    }

    fn call(&mut self, node: Node<'_>, depth: usize) -> Taint {
        let callee = callee_text(self.lang, self.source, node).unwrap_or_default();
        let text = self.text(node);
        if let Some(kind) = source_kind(&callee).or_else(|| source_kind(&text)) {
            return kind;
        }
        let last = last_segment(callee.trim_end_matches('!'));
        if SOURCE_METHODS.contains(&last) {
            return Taint::Source;
        }
        if SANITIZERS.contains(&last) {
            return Taint::Sanitized;
        }
        let mut t = Taint::Constant;
        if let Some(recv) = receiver(node) {
            // A receiver that nothing binds is a module or class (`os`, `String`, `fmt`) — except
            // for string methods (`tpl.format(…)`, `sep.join(…)`), whose receiver is the data.
            let root = chain_root(recv);
            let unbound_name = self.k.identifiers.contains(&root.kind()) && {
                let name = self.source.slice(root.byte_range()).into_owned();
                let module_like = name.starts_with(|c: char| c.is_ascii_uppercase())
                    || matches!(
                        name.as_str(),
                        "fmt" | "strings" | "path" | "filepath" | "os" | "str" | "string"
                    );
                (module_like || !PURE_STRING_CALLS.contains(&last))
                    && !is_source_text(&name)
                    && !SELF_NAMES.contains(&name.as_str())
                    && self.lookup(root, &name, depth).is_none()
            };
            if !unbound_name {
                t = t.join(self.expr(recv, depth + 1));
            }
        }
        if let Some(args) = call_args(node) {
            t = t.join(self.combine_children(args, depth));
        }
        if t == Taint::Constant
            && !PURE_STRING_CALLS.contains(&last)
            && !PURE_STRING_CALLS.contains(&callee.as_str())
        {
            // An unknown function of constants may still read outside input.
            return Taint::Unknown;
        }
        t
    }

    fn member(&mut self, node: Node<'_>, depth: usize) -> Taint {
        let text = self.text(node);
        if let Some(kind) = source_kind(&text) {
            return kind;
        }
        let object = node
            .child_by_field_name("object")
            .or_else(|| node.child_by_field_name("value"))
            .or_else(|| node.child_by_field_name("operand"))
            .or_else(|| node.child_by_field_name("array"))
            .or_else(|| named(node).into_iter().next());
        // `os.P_WAIT`, `stat.S_IRUSR`, `subprocess.PIPE`: an upper-case attribute of a module.
        if let (Some(obj), Some(attr)) = (
            object,
            node.child_by_field_name("attribute")
                .or_else(|| node.child_by_field_name("property"))
                .or_else(|| node.child_by_field_name("field")),
        ) && self.k.identifiers.contains(&obj.kind())
        {
            let attr = self.source.slice(attr.byte_range());
            let obj_name = self.source.slice(obj.byte_range()).into_owned();
            if attr.len() > 1
                && attr
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                && !SELF_NAMES.contains(&obj_name.as_str())
                && self.lookup(obj, &obj_name, depth).is_none()
            {
                return Taint::Constant;
            }
        }
        match object {
            Some(obj) => match self.expr(obj, depth + 1) {
                // An attribute of a constant (`"x".join`) is not a constant value in general.
                Taint::Constant => Taint::Unknown,
                t => t,
            },
            None => Taint::Unknown,
        }
    }

    fn values(&mut self, node: Node<'_>, depth: usize, out: &mut Vec<String>) {
        if depth > MAX_DEPTH || self.budget == 0 || out.len() > 16 {
            return;
        }
        self.budget -= 1;
        let kind = node.kind();
        if kind == "regex_pattern" {
            out.push(self.source.slice(node.byte_range()).into_owned());
            return;
        }
        if kind == "regex" {
            if let Some(p) = node.child_by_field_name("pattern") {
                out.push(self.source.slice(p.byte_range()).into_owned());
            }
            return;
        }
        if self.is_string_kind(kind) {
            if kind == "concatenated_string" {
                if let Some(first) = named(node).into_iter().next() {
                    self.values(first, depth + 1, out);
                }
                return;
            }
            out.push(literal_prefix(self.source, node));
            return;
        }
        if matches!(
            kind,
            "list" | "tuple" | "array" | "expression_list" | "argument_list" | "arguments"
        ) {
            for child in named(node) {
                self.values(child, depth + 1, out);
            }
            return;
        }
        if self.k.binaries.contains(&kind) || kind == "parenthesized_expression" {
            if let Some(first) = node
                .child_by_field_name("left")
                .or_else(|| named(node).into_iter().next())
            {
                self.values(first, depth + 1, out);
            }
            return;
        }
        if self.k.calls.contains(&kind) {
            // `"http://{}".format(x)`: the receiver's prefix.
            let callee = callee_text(self.lang, self.source, node).unwrap_or_default();
            let last = last_segment(&callee);
            if last == "format"
                && let Some(recv) = receiver(node)
            {
                self.values(recv, depth + 1, out);
            } else if KEY_WRAPPERS.contains(&last)
                && let Some(first) = call_args(node).and_then(|a| named(a).into_iter().next())
            {
                // `JWK.asKey("secret")`, `Buffer.from("secret")`: the wrapped literal.
                self.values(first, depth + 1, out);
            }
            return;
        }
        if self.k.identifiers.contains(&kind) {
            let name = self.source.slice(node.byte_range()).into_owned();
            let key = (node.start_byte(), name.clone());
            if !self.visiting.insert(key.clone()) {
                return;
            }
            let mut scope = enclosing_scope(self.k, node);
            let mut innermost = true;
            loop {
                if self.k.functions.contains(&scope.kind())
                    && let Some(default) = parameter_default(self.source, scope, &name)
                {
                    self.values(default, depth + 1, out);
                    break;
                }
                let limit = if innermost {
                    Some(node.start_byte())
                } else {
                    None
                };
                let values = self.assignments(scope, &name, limit);
                if !values.is_empty() {
                    // The last assignment before the use wins in straight-line code; keep all
                    // for branches.
                    for v in values {
                        self.values(v, depth + 1, out);
                    }
                    break;
                }
                innermost = false;
                match scope.parent() {
                    Some(p) => scope = enclosing_scope(self.k, p),
                    None => break,
                }
            }
            self.visiting.remove(&key);
        }
    }

    fn formatted(&mut self, node: Node<'_>, depth: usize) -> bool {
        if depth > MAX_DEPTH || self.budget == 0 {
            return false;
        }
        self.budget -= 1;
        let kind = node.kind();
        if self.is_string_kind(kind) {
            // Interpolated strings, and Python's implicit concatenation of an f-string.
            return named(node).iter().any(|c| {
                self.k.interpolations.contains(&c.kind())
                    || c.kind() == "interpolation"
                    || c.kind() == "template_substitution"
                    || (self.is_string_kind(c.kind())
                        && named(*c).iter().any(|g| g.kind() == "interpolation"))
            });
        }
        if self.k.binaries.contains(&kind) {
            let op = node
                .child_by_field_name("operator")
                .map(|o| o.kind().to_string())
                .unwrap_or_default();
            let (left, right) = (
                node.child_by_field_name("left"),
                node.child_by_field_name("right"),
            );
            return match op.as_str() {
                "%" => left.is_some_and(|l| self.stringish(l, depth)),
                "+" => {
                    left.is_some_and(|l| self.stringish(l, depth) || self.formatted(l, depth + 1))
                        || right.is_some_and(|r| {
                            self.stringish(r, depth) || self.formatted(r, depth + 1)
                        })
                }
                _ => false,
            };
        }
        if self.k.calls.contains(&kind) {
            let callee = callee_text(self.lang, self.source, node).unwrap_or_default();
            let last = last_segment(callee.trim_end_matches('!'));
            if matches!(
                last,
                "format" | "Sprintf" | "sprintf" | "formatted" | "concat"
            ) {
                return true;
            }
            if last == "join" || last == "replace" {
                return receiver(node)
                    .is_some_and(|r| self.stringish(r, depth) || self.formatted(r, depth + 1));
            }
            return false;
        }
        if kind == "parenthesized_expression" || kind == "await" || kind == "await_expression" {
            return named(node)
                .into_iter()
                .any(|c| self.formatted(c, depth + 1));
        }
        if self.k.identifiers.contains(&kind) {
            let name = self.source.slice(node.byte_range()).into_owned();
            let key = (node.start_byte(), name.clone());
            if !self.visiting.insert(key.clone()) {
                return false;
            }
            let mut scope = enclosing_scope(self.k, node);
            let mut innermost = true;
            let mut found = false;
            loop {
                let limit = if innermost {
                    Some(node.start_byte())
                } else {
                    None
                };
                let values = self.assignments(scope, &name, limit);
                if !values.is_empty() {
                    found = values.into_iter().any(|v| self.formatted(v, depth + 1));
                    break;
                }
                // `query += ...` without a prior plain assignment is covered above.
                innermost = false;
                match scope.parent() {
                    Some(p) => scope = enclosing_scope(self.k, p),
                    None => break,
                }
            }
            self.visiting.remove(&key);
            return found;
        }
        // Augmented `+=` of a string onto a variable is seen through the variable's assignments.
        false
    }

    /// Whether a node is a string literal or obviously string-valued.
    fn stringish(&mut self, node: Node<'_>, depth: usize) -> bool {
        if self.is_string_kind(node.kind()) {
            return true;
        }
        if depth > MAX_DEPTH {
            return false;
        }
        match node.kind() {
            "parenthesized_expression" => named(node)
                .into_iter()
                .any(|c| self.stringish(c, depth + 1)),
            k if self.k.binaries.contains(&k) => {
                node.child_by_field_name("left")
                    .is_some_and(|l| self.stringish(l, depth + 1))
                    || node
                        .child_by_field_name("right")
                        .is_some_and(|r| self.stringish(r, depth + 1))
            }
            k if self.k.identifiers.contains(&k) => {
                // A variable holding a string literal (`q = "SELECT ..."; q + x`).
                let name = self.source.slice(node.byte_range()).into_owned();
                let scope = enclosing_scope(self.k, node);
                let values = self.assignments(scope, &name, Some(node.start_byte()));
                values
                    .into_iter()
                    .any(|v| self.is_string_kind(v.kind()) || self.formatted(v, depth + 1))
            }
            _ => false,
        }
    }
}

/// The leftmost object of a member chain (`os` in `os.path`, `a` in `a.b.c`).
pub fn chain_root(node: Node<'_>) -> Node<'_> {
    let mut cur = node;
    while matches!(
        cur.kind(),
        "attribute"
            | "member_expression"
            | "selector_expression"
            | "field_access"
            | "field_expression"
            | "scoped_identifier"
    ) {
        match cur
            .child_by_field_name("object")
            .or_else(|| cur.child_by_field_name("operand"))
            .or_else(|| cur.child_by_field_name("value"))
            .or_else(|| cur.child_by_field_name("path"))
        {
            Some(next) => cur = next,
            None => break,
        }
    }
    cur
}

/// The nearest enclosing function (or the root) of `node`, including `node` itself.
fn enclosing_scope<'t>(k: &Kinds, node: Node<'t>) -> Node<'t> {
    let mut cur = node;
    loop {
        if k.functions.contains(&cur.kind()) {
            return cur;
        }
        match cur.parent() {
            Some(p) => cur = p,
            None => return cur,
        }
    }
}

/// The nearest enclosing function of `node` (not the root), if any.
pub fn enclosing_function(lang: Lang, node: Node<'_>) -> Option<Node<'_>> {
    let k = kinds(lang);
    let mut cur = node.parent();
    while let Some(n) = cur {
        if k.functions.contains(&n.kind()) {
            return Some(n);
        }
        cur = n.parent();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::syntax::parse;

    /// Classifies the first argument of the last call whose callee text ends with `sink`.
    fn sink_arg(lang: Lang, src: &str, sink: &str) -> (Taint, bool) {
        let source = Source::Str(src);
        let tree = parse(lang, &source, None).expect("parse");
        let k = kinds(lang);
        let mut found = None;
        let mut stack = vec![tree.root_node()];
        while let Some(n) = stack.pop() {
            if k.calls.contains(&n.kind())
                && callee_text(lang, source, n).is_some_and(|c| c.ends_with(sink))
                && found.is_none_or(|f: Node<'_>| f.start_byte() < n.start_byte())
            {
                found = Some(n);
            }
            stack.extend(named(n));
        }
        let call = found.expect("sink call");
        let args = call_args(call).expect("args");
        let first = named(args).into_iter().next().expect("first arg");
        (
            classify(lang, source, first),
            is_formatted(lang, source, first),
        )
    }

    #[test]
    fn python_parameter_through_fstring_is_tainted() {
        let src = "def f(user_id):\n    q = f\"SELECT * FROM t WHERE id={user_id}\"\n    cursor.execute(q)\n";
        assert_eq!(
            sink_arg(Lang::Python, src, "execute"),
            (Taint::Tainted, true)
        );
    }

    #[test]
    fn python_constants_and_binding() {
        let src =
            "def f(user_id):\n    cursor.execute(\"SELECT * FROM t WHERE id=%s\", (user_id,))\n";
        assert_eq!(
            sink_arg(Lang::Python, src, "execute"),
            (Taint::Constant, false)
        );
        let src = "Q = 'SELECT 1'\ndef f():\n    q = Q + ' LIMIT 1'\n    cursor.execute(q)\n";
        assert_eq!(
            sink_arg(Lang::Python, src, "execute"),
            (Taint::Constant, true)
        );
    }

    #[test]
    fn python_augmented_percent_and_format() {
        let src = "def f(name):\n    q = 'SELECT * FROM t WHERE '\n    q += 'name = %s' % name\n    db.execute(q)\n";
        assert_eq!(
            sink_arg(Lang::Python, src, "execute"),
            (Taint::Tainted, true)
        );
        let src = "def f():\n    cmd = 'ls {}'.format(request.args.get('d'))\n    os.system(cmd)\n";
        assert_eq!(sink_arg(Lang::Python, src, "system"), (Taint::Source, true));
    }

    #[test]
    fn python_sources_and_sanitizers() {
        let src = "import os\nos.system(sys.argv[1])\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::LocalInput);
        let src = "def f(path):\n    os.system('ls ' + shlex.quote(path))\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::Sanitized);
        let src = "def f():\n    x = input()\n    eval(x)\n";
        assert_eq!(sink_arg(Lang::Python, src, "eval").0, Taint::LocalInput);
        let src = "def f(self):\n    os.system(self.cmd)\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::Unknown);
        let src = "def f():\n    os.system(get_cmd())\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::Unknown);
    }

    #[test]
    fn unbound_string_receiver_is_data() {
        let src = "eval(dynamic.format('x'))\n";
        assert_eq!(sink_arg(Lang::Python, src, "eval").0, Taint::Unknown);
        let src = "os.system(os.path.join('a', 'b'))\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::Constant);
    }

    #[test]
    fn python_self_reassignment_terminates() {
        let src = "def f(a):\n    x = 'a'\n    while True:\n        x = x + x\n    os.system(x)\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::Constant);
        let src = "def f(a):\n    x = x + a\n    os.system(x)\n";
        assert_eq!(sink_arg(Lang::Python, src, "system").0, Taint::Tainted);
    }

    #[test]
    fn javascript_template_and_request() {
        let src =
            "app.get('/', (req, res) => { const q = `SELECT ${req.query.id}`; db.query(q); });\n";
        assert_eq!(
            sink_arg(Lang::JavaScript, src, "query"),
            (Taint::Source, true)
        );
        let src = "function f() { let c = 'ls'; c += ' -l'; exec(c); }\n";
        assert_eq!(sink_arg(Lang::JavaScript, src, "exec").0, Taint::Constant);
        let src = "function f({ name }) { exec('ls ' + name); }\n";
        assert_eq!(
            sink_arg(Lang::JavaScript, src, "exec"),
            (Taint::Tainted, true)
        );
        let src = "function f(x) { el.write(encodeURIComponent(x)); }\n";
        assert_eq!(sink_arg(Lang::JavaScript, src, "write").0, Taint::Sanitized);
        let src = "exec(process.env.CMD);\n";
        assert_eq!(sink_arg(Lang::JavaScript, src, "exec").0, Taint::LocalInput);
    }

    #[test]
    fn typescript_parameters() {
        let src = "function f(cmd: string, n?: number) { const parts: string[] = []; parts.push(cmd); exec(parts.join(' ')); }\n";
        assert_eq!(sink_arg(Lang::TypeScript, src, "exec").0, Taint::Tainted);
    }

    #[test]
    fn go_java_ruby_rust() {
        let src = "package m\nfunc f(w http.ResponseWriter, r *http.Request) {\n  name := r.URL.Query().Get(\"n\")\n  q := \"SELECT \" + name\n  db.Query(q)\n}\n";
        assert_eq!(sink_arg(Lang::Go, src, "Query"), (Taint::Source, true));
        let src = "package m\nfunc f() { db.Query(\"SELECT 1\") }\n";
        assert_eq!(sink_arg(Lang::Go, src, "Query").0, Taint::Constant);
        let src = "class A { void f(HttpServletRequest request) { String s = \"x\" + request.getParameter(\"a\"); stmt.executeQuery(s); } }\n";
        assert_eq!(
            sink_arg(Lang::Java, src, "executeQuery"),
            (Taint::Source, true)
        );
        let src = "class A { void f() { String s = String.format(\"x%s\", \"y\"); stmt.executeQuery(s); } }\n";
        assert_eq!(
            sink_arg(Lang::Java, src, "executeQuery"),
            (Taint::Constant, true)
        );
        let src = "def f\n  x = \"ls #{params[:d]}\"\n  system(x)\nend\n";
        assert_eq!(sink_arg(Lang::Ruby, src, "system"), (Taint::Source, true));
        let src = "def f\n  system(\"ls\")\nend\n";
        assert_eq!(sink_arg(Lang::Ruby, src, "system").0, Taint::Constant);
        let src = "fn f(a: &str) { let x = format!(\"{}\", a); Command::new(x); }\n";
        assert_eq!(sink_arg(Lang::Rust, src, "new"), (Taint::Tainted, true));
    }

    #[test]
    fn string_values_follow_variables_and_defaults() {
        let vals = |lang: Lang, src: &str, sink: &str| {
            let source = Source::Str(src);
            let tree = parse(lang, &source, None).expect("parse");
            let k = kinds(lang);
            let mut stack = vec![tree.root_node()];
            let mut found = None;
            while let Some(n) = stack.pop() {
                if k.calls.contains(&n.kind())
                    && callee_text(lang, source, n).is_some_and(|c| c.ends_with(sink))
                {
                    found = Some(n);
                }
                stack.extend(named(n));
            }
            let args = call_args(found.expect("call")).expect("args");
            let first = named(args).into_iter().next().expect("arg");
            string_values(lang, source, first)
        };
        assert_eq!(
            vals(
                Lang::Python,
                "def f():\n    url = 'http://x'\n    urlopen(url)\n",
                "urlopen"
            ),
            vec!["http://x"]
        );
        assert_eq!(
            vals(
                Lang::Python,
                "def f(url='ftp://x'):\n    urlopen(url)\n",
                "urlopen"
            ),
            vec!["ftp://x"]
        );
        assert_eq!(
            vals(Lang::Python, "urlopen(f'http://{h}/x')\n", "urlopen"),
            vec!["http://"]
        );
        assert_eq!(
            vals(Lang::Python, "urlopen('http://{}'.format(h))\n", "urlopen"),
            vec!["http://{}"]
        );
        assert_eq!(
            vals(
                Lang::JavaScript,
                "const u = 'http://a' + b; fetch(u);\n",
                "fetch"
            ),
            vec!["http://a"]
        );
        assert_eq!(
            vals(Lang::JavaScript, "fetch(`http://${h}`);\n", "fetch"),
            vec!["http://"]
        );
        assert!(vals(Lang::Python, "def f(u):\n    urlopen(u)\n", "urlopen").is_empty());
    }

    #[test]
    fn validators_guard_values() {
        let src = "def f(request):\n    nxt = request.POST.get('next')\n    if not is_safe_url(url=nxt, allowed_hosts=None):\n        nxt = '/'\n    redirect(nxt)\n";
        assert_eq!(sink_arg(Lang::Python, src, "redirect").0, Taint::Sanitized);
        let src = "def f(request):\n    nxt = request.POST.get('next')\n    redirect(nxt)\n";
        assert_eq!(sink_arg(Lang::Python, src, "redirect").0, Taint::Source);
    }

    #[test]
    fn constructors_of_local_variables() {
        let src = "def f():\n    opener = urllib.URLopener()\n    opener.open(url)\n";
        let source = Source::Str(src);
        let tree = parse(Lang::Python, &source, None).expect("parse");
        let at = src.rfind("opener.open").expect("use");
        let node = tree
            .root_node()
            .descendant_for_byte_range(at, at + 6)
            .expect("node");
        assert_eq!(
            constructor_of(Lang::Python, source, tree.root_node(), node).as_deref(),
            Some("urllib.URLopener")
        );
        let src = "const c = new Telnet();\nc.connect(p);\n";
        let source = Source::Str(src);
        let tree = parse(Lang::JavaScript, &source, None).expect("parse");
        let at = src.rfind("c.connect").expect("use");
        let node = tree
            .root_node()
            .descendant_for_byte_range(at, at + 1)
            .expect("node");
        assert_eq!(
            constructor_of(Lang::JavaScript, source, tree.root_node(), node).as_deref(),
            Some("Telnet")
        );
    }

    #[test]
    fn parameter_names_skip_types_and_defaults() {
        let src = "def f(self, a, b: int = c, *d, **e):\n    pass\n";
        let source = Source::Str(src);
        let tree = parse(Lang::Python, &source, None).expect("parse");
        let func = tree.root_node().named_child(0).expect("func");
        assert_eq!(
            parameter_names(Lang::Python, source, func),
            vec!["a", "b", "d", "e"]
        );
        let src = "function f(a, {b, c: e}, g = h, ...r) {}\n";
        let source = Source::Str(src);
        let tree = parse(Lang::JavaScript, &source, None).expect("parse");
        let func = tree.root_node().named_child(0).expect("func");
        assert_eq!(
            parameter_names(Lang::JavaScript, source, func),
            vec!["a", "b", "e", "g", "r"]
        );
    }
}
