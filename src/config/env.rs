//! `${VAR}` expansion in configuration values.
//!
//! Supported forms: `${VAR}` (empty when unset), `${VAR:-default}` (default when unset or empty)
//! and `$$` for a literal `$`. A `$` not followed by `{` or `$` is kept as is. Expansion is only
//! applied to values from trusted layers (built-in, user, editor), never to workspace files.

/// The result of expanding one value.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Expanded {
    pub value: String,
    /// Variables referenced by the value, in order.
    pub vars: Vec<String>,
    /// Referenced variables that were unset or empty and had no default.
    pub missing: Vec<String>,
}

/// Expands `${VAR}` references in `input` using `lookup` (normally the process environment).
pub fn expand_with(input: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Expanded {
    let mut out = Expanded::default();
    let mut rest = input;
    while let Some(pos) = rest.find('$') {
        out.value.push_str(&rest[..pos]);
        let after = &rest[pos + 1..];
        if let Some(stripped) = after.strip_prefix('$') {
            out.value.push('$');
            rest = stripped;
            continue;
        }
        let Some(body_and_rest) = after.strip_prefix('{') else {
            out.value.push('$');
            rest = after;
            continue;
        };
        let Some(close) = body_and_rest.find('}') else {
            // Unterminated: keep the text literally.
            out.value.push('$');
            rest = after;
            continue;
        };
        let body = &body_and_rest[..close];
        let (name, default) = match body.split_once(":-") {
            Some((name, default)) => (name, Some(default)),
            None => (body, None),
        };
        let name = name.trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.value.push_str(&rest[pos..pos + 2 + close + 1]);
            rest = &body_and_rest[close + 1..];
            continue;
        }
        out.vars.push(name.to_string());
        match lookup(name).filter(|v| !v.is_empty()) {
            Some(value) => out.value.push_str(&value),
            None => match default {
                Some(default) => out.value.push_str(default),
                None => out.missing.push(name.to_string()),
            },
        }
        rest = &body_and_rest[close + 1..];
    }
    out.value.push_str(rest);
    out
}

/// Expands using the process environment.
pub fn expand(input: &str) -> Expanded {
    expand_with(input, &|name| std::env::var(name).ok())
}

/// The variable a value consists of entirely (`"${OPENAI_API_KEY}"` → `OPENAI_API_KEY`), if any.
pub fn sole_var(input: &str) -> Option<&str> {
    let body = input.trim().strip_prefix("${")?.strip_suffix('}')?;
    let name = body.split_once(":-").map_or(body, |(n, _)| n).trim();
    (!name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "HOME_X" => Some("/home/x".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    #[test]
    fn expands_set_unset_default_and_escape() {
        let e = expand_with("${HOME_X}/a", &env);
        assert_eq!(e.value, "/home/x/a");
        assert!(e.missing.is_empty());
        let e = expand_with("k=${NOPE}", &env);
        assert_eq!(e.value, "k=");
        assert_eq!(e.missing, vec!["NOPE"]);
        let e = expand_with("${EMPTY:-http://localhost:11434}", &env);
        assert_eq!(e.value, "http://localhost:11434");
        assert!(e.missing.is_empty());
        assert_eq!(expand_with("$$5 and $x", &env).value, "$5 and $x");
        assert_eq!(expand_with("${bad name}", &env).value, "${bad name}");
        assert_eq!(expand_with("${UNCLOSED", &env).value, "${UNCLOSED");
    }

    #[test]
    fn sole_var_detects_whole_value_references() {
        assert_eq!(sole_var("${OPENAI_API_KEY}"), Some("OPENAI_API_KEY"));
        assert_eq!(sole_var("${A:-b}"), Some("A"));
        assert_eq!(sole_var("x${A}"), None);
        assert_eq!(sole_var("sk-123"), None);
    }
}
