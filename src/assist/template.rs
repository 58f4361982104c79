//! Prompt templates: `{{name}}` placeholders replaced in one left-to-right pass, so text that is
//! substituted (code, diagnostics, an instruction) is never scanned for placeholders again — a
//! file containing `{{instruction}}` cannot inject into the prompt's structure. Unknown names are
//! left as they are. Also the per-language conventions the built-in templates refer to.

use std::path::Path;

use crate::syntax::Lang;

/// Renders `template`, looking each `{{name}}` up in `vars`.
pub fn render(template: &str, vars: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        match after.find("}}") {
            Some(end) if is_name(after[..end].trim()) => {
                let name = after[..end].trim();
                match vars(name) {
                    Some(value) => out.push_str(&value),
                    None => out.push_str(&rest[start..start + 2 + end + 2]),
                }
                rest = &after[end + 2..];
            }
            _ => {
                out.push_str("{{");
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
}

/// Whether the template uses `{{name}}`.
pub fn uses(template: &str, name: &str) -> bool {
    template.contains(&format!("{{{{{name}}}}}"))
}

/// The language's name as people write it.
pub fn language_title(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "Rust",
        Lang::Python => "Python",
        Lang::JavaScript => "JavaScript",
        Lang::TypeScript | Lang::Tsx => "TypeScript",
        Lang::Go => "Go",
        Lang::Java => "Java",
        Lang::C => "C",
        Lang::Cpp => "C++",
        Lang::Ruby => "Ruby",
        Lang::Bash => "Bash",
        Lang::Json => "JSON",
        Lang::Yaml => "YAML",
        Lang::Toml => "TOML",
    }
}

/// How the language documents code.
pub fn doc_convention(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "`///` doc comments",
        Lang::Python => "a docstring right under the signature, and type hints",
        Lang::JavaScript => "a JSDoc `/** … */` comment with @param and @returns types",
        Lang::TypeScript | Lang::Tsx => {
            "a TSDoc `/** … */` comment, and explicit parameter and return types"
        }
        Lang::Go => "a `//` comment starting with the name",
        Lang::Java => "a Javadoc `/** … */` comment",
        Lang::C | Lang::Cpp => "a Doxygen `/** … */` comment",
        Lang::Ruby => "YARD `#` comments with @param and @return",
        Lang::Bash => "`#` comments describing arguments and output",
        Lang::Json | Lang::Yaml | Lang::Toml => "comments where the format allows them",
    }
}

/// How the language writes unit tests.
pub fn test_convention(lang: Lang) -> &'static str {
    match lang {
        Lang::Rust => "`#[test]` functions inside a `#[cfg(test)] mod tests` module",
        Lang::Python => "pytest test functions",
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => {
            "`test(...)` cases in the style of Jest or Vitest"
        }
        Lang::Go => "`func TestXxx(t *testing.T)` functions",
        Lang::Java => "a JUnit 5 test class",
        Lang::Ruby => "Minitest test methods",
        Lang::C | Lang::Cpp => "a test function using assert()",
        Lang::Bash | Lang::Json | Lang::Yaml | Lang::Toml => "simple checks",
    }
}

/// Where tests for `file` (workspace-relative) usually live: `None` when the language keeps them
/// in the same file (Rust) or has no convention.
pub fn test_file_for(lang: Lang, file: &Path) -> Option<std::path::PathBuf> {
    let stem = file.file_stem()?.to_str()?;
    let dir = file.parent().unwrap_or(Path::new(""));
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("");
    match lang {
        Lang::Python => {
            if stem.starts_with("test_") {
                return None;
            }
            Some(dir.join("tests").join(format!("test_{stem}.py")))
        }
        Lang::JavaScript | Lang::TypeScript | Lang::Tsx => {
            if stem.ends_with(".test") || stem.ends_with(".spec") {
                return None;
            }
            Some(dir.join(format!("{stem}.test.{ext}")))
        }
        Lang::Go => {
            if stem.ends_with("_test") {
                return None;
            }
            Some(dir.join(format!("{stem}_test.go")))
        }
        Lang::Ruby => Some(dir.join("test").join(format!("test_{stem}.rb"))),
        Lang::Java => Some(dir.join(format!("{stem}Test.java"))),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_once_without_rescanning_values() {
        let vars = |n: &str| match n {
            "code" => Some("x = '{{instruction}}'".to_string()),
            "instruction" => Some("SECRET".to_string()),
            _ => None,
        };
        assert_eq!(
            render("A {{code}} B {{ instruction }} {{unknown}} {{", &vars),
            "A x = '{{instruction}}' B SECRET {{unknown}} {{"
        );
        assert!(uses("see {{related}}", "related"));
        assert!(!uses("see {{code}}", "related"));
    }

    #[test]
    fn test_files_follow_the_language() {
        let p =
            |l, f: &str| test_file_for(l, Path::new(f)).map(|p| p.to_string_lossy().into_owned());
        assert_eq!(
            p(Lang::Python, "pkg/util.py").as_deref(),
            Some("pkg/tests/test_util.py")
        );
        assert_eq!(
            p(Lang::JavaScript, "src/a.js").as_deref(),
            Some("src/a.test.js")
        );
        assert_eq!(p(Lang::Go, "x/y.go").as_deref(), Some("x/y_test.go"));
        assert_eq!(p(Lang::Rust, "src/lib.rs"), None);
    }
}
