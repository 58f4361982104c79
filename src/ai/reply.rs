//! Turning a model's reply into a proposed edit: take the code out of the reply (a fenced block,
//! or the bare reply), re-indent it to the target node, check with tree-sitter that the result
//! parses, and reduce it to a minimal edit inside the node's byte range. Never a whole-file
//! replacement unless the target was the whole file. Hidden Unicode (zero-width, bidi controls,
//! tag characters) in the reply is counted so the caller can flag it.

use std::ops::Range;

use super::prompt::{Action, Placement, Target, fence_tag};
use crate::syntax::{Lang, parse};
use crate::text::Source;

/// A text replacement over a byte range of the original file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub range: Range<usize>,
    pub new_text: String,
}

impl Edit {
    /// Applies the edit to `text`.
    pub fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.new_text.len());
        out.push_str(&text[..self.range.start]);
        out.push_str(&self.new_text);
        out.push_str(&text[self.range.end..]);
        out
    }
}

/// A proposed change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Proposal {
    /// The minimal edit.
    pub edit: Edit,
    /// The whole file after the edit.
    pub new_text: String,
    /// Where the model's code sits in `new_text`.
    pub new_range: Range<usize>,
    /// Whether the changed region parses without syntax errors.
    pub parses: bool,
    /// Zero-width, bidi-control and tag characters found in the model's code.
    pub hidden_chars: usize,
}

/// Why a reply cannot become an edit.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    #[error("the model's reply holds no code")]
    NoCode,
    #[error("the model proposed no change")]
    NoChange,
}

/// Takes the code out of a reply: the first fenced block tagged with the language (or untagged),
/// else the first fenced block, else the whole reply. An unclosed fence (a reply cut off by the
/// token limit) yields what follows it. `None` when nothing but whitespace is left.
pub fn extract_code(reply: &str, lang: Lang) -> Option<String> {
    let blocks = fenced_blocks(reply);
    let wanted = [fence_tag(lang), lang.name()];
    let pick = blocks
        .iter()
        .find(|(info, _)| {
            let tag = info
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_lowercase();
            tag.is_empty() || wanted.contains(&tag.as_str()) || Lang::from_name(&tag) == Some(lang)
        })
        .or_else(|| blocks.first());
    let code = match pick {
        Some((_, code)) => code.clone(),
        None => reply.to_string(),
    };
    let code = code.trim_matches('\n').trim_end().to_string();
    if code.trim().is_empty() {
        None
    } else {
        Some(code)
    }
}

fn fenced_blocks(reply: &str) -> Vec<(String, String)> {
    let mut blocks = Vec::new();
    let mut lines = reply.split_inclusive('\n');
    while let Some(line) = lines.next() {
        let trimmed = line.trim_start();
        let fence_char = match trimmed.chars().next() {
            Some(c @ ('`' | '~')) => c,
            _ => continue,
        };
        let fence_len = trimmed.chars().take_while(|c| *c == fence_char).count();
        if fence_len < 3 {
            continue;
        }
        let info = trimmed[fence_len..].trim().to_string();
        let mut code = String::new();
        for inner in lines.by_ref() {
            let t = inner.trim();
            if t.len() >= fence_len && t.chars().all(|c| c == fence_char) {
                break;
            }
            code.push_str(inner);
        }
        blocks.push((info, code));
    }
    blocks
}

/// Re-indents `code` for insertion at a node whose first line is indented by `indent`: the
/// common indentation is removed, every line but the first gets `indent`, blank lines stay empty.
pub fn reindent(code: &str, indent: &str) -> String {
    let lines: Vec<&str> = code.lines().collect();
    let common = lines
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start_matches([' ', '\t']).len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(code.len() + lines.len() * indent.len());
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if line.trim().is_empty() {
            continue;
        }
        if i > 0 {
            out.push_str(indent);
        }
        out.push_str(line.get(common..).unwrap_or(line.trim_start()));
    }
    out
}

/// Counts characters that can hide text from a reader.
pub fn hidden_chars(text: &str) -> usize {
    text.chars()
        .filter(|c| {
            matches!(*c as u32,
                0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x2069 | 0xFEFF | 0xE0000..=0xE007F)
        })
        .count()
}

/// Whether `text` parses without errors inside `range` (errors elsewhere were already there).
pub fn parses_in(lang: Lang, text: &str, range: Range<usize>) -> bool {
    let Ok(tree) = parse(lang, &Source::Str(text), None) else {
        return false;
    };
    let root = tree.root_node();
    if !root.has_error() {
        return true;
    }
    let mut stack = vec![root];
    while let Some(node) = stack.pop() {
        let overlaps =
            node.start_byte() < range.end.max(range.start + 1) && node.end_byte() > range.start;
        if !overlaps {
            continue;
        }
        if node.is_error() || node.is_missing() {
            return false;
        }
        if node.has_error() {
            let mut cursor = node.walk();
            stack.extend(node.children(&mut cursor));
        }
    }
    true
}

/// The smallest edit that turns `text[range]` into `replacement` (common prefix and suffix
/// trimmed on character boundaries). `None` when they are equal.
pub fn minimal_edit(text: &str, range: Range<usize>, replacement: &str) -> Option<Edit> {
    let old = &text[range.clone()];
    if old == replacement {
        return None;
    }
    let prefix: usize = old
        .char_indices()
        .zip(replacement.chars())
        .take_while(|((_, a), b)| a == b)
        .last()
        .map_or(0, |((i, a), _)| i + a.len_utf8());
    let old_rest = &old[prefix..];
    let new_rest = &replacement[prefix..];
    let suffix: usize = old_rest
        .chars()
        .rev()
        .zip(new_rest.chars().rev())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a.len_utf8())
        .sum();
    let start = range.start + prefix;
    let end = range.end - suffix;
    let new_text = new_rest[..new_rest.len() - suffix].to_string();
    Some(Edit {
        range: start..end,
        new_text,
    })
}

/// Builds the proposed edit for an edit action from the model's reply.
pub fn propose(
    action: Action,
    target: &Target,
    text: &str,
    reply: &str,
) -> Result<Proposal, ReplyError> {
    let code = extract_code(reply, target.lang).ok_or(ReplyError::NoCode)?;
    let hidden = hidden_chars(&code);
    let (region, placed) = match action.placement() {
        Placement::Replace => (target.range.clone(), reindent(&code, &target.indent)),
        Placement::InsertAfter => {
            let at = target.range.end;
            (
                at..at,
                format!("\n\n{}{}", target.indent, reindent(&code, &target.indent)),
            )
        }
    };
    let edit = minimal_edit(text, region.clone(), &placed).ok_or(ReplyError::NoChange)?;
    let new_text = edit.apply(text);
    let new_range = region.start..region.start + placed.len();
    let parses = parses_in(target.lang, &new_text, new_range.clone());
    Ok(Proposal {
        edit,
        new_text,
        new_range,
        parses,
        hidden_chars: hidden,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::prompt::context;

    #[test]
    fn extracts_the_language_block_or_the_bare_reply() {
        let reply = "Sure!\n```text\nnot this\n```\n```rust\nfn a() {}\n```\nDone.";
        assert_eq!(
            extract_code(reply, Lang::Rust).as_deref(),
            Some("fn a() {}")
        );
        assert_eq!(
            extract_code("```py\nx = 1\n```", Lang::Python).as_deref(),
            Some("x = 1")
        );
        assert_eq!(
            extract_code("fn b() {}\n", Lang::Rust).as_deref(),
            Some("fn b() {}")
        );
        assert_eq!(
            extract_code("```rust\nfn cut() {", Lang::Rust).as_deref(),
            Some("fn cut() {")
        );
        assert_eq!(extract_code("  \n", Lang::Rust), None);
        assert_eq!(extract_code("~~~\nx\n~~~", Lang::Go).as_deref(), Some("x"));
    }

    #[test]
    fn reindents_to_the_node() {
        let code = "def f():\n    return 1\n\n    # end";
        assert_eq!(
            reindent(code, "    "),
            "def f():\n        return 1\n\n        # end"
        );
        let deep = "        x = 1\n        y = 2";
        assert_eq!(reindent(deep, "\t"), "x = 1\n\ty = 2");
    }

    #[test]
    fn minimal_edit_trims_common_ends_on_char_boundaries() {
        let text = "aé(1)é;";
        let edit =
            minimal_edit(text, 0..text.len(), "aé(2)é;").unwrap_or_else(|| panic!("no edit"));
        assert_eq!(&text[edit.range.clone()], "1");
        assert_eq!(edit.new_text, "2");
        assert_eq!(edit.apply(text), "aé(2)é;");
        assert_eq!(minimal_edit(text, 0..text.len(), text), None);
    }

    #[test]
    fn proposes_a_scoped_edit_that_parses() {
        let text = "import os\n\nclass A:\n    def f(self, x):\n        return x+1\n\n    def g(self):\n        pass\n";
        let ctx = context(Lang::Python, text, text.find("x+1")).unwrap_or_else(|e| panic!("{e}"));
        let reply = "```python\ndef f(self, x: int) -> int:\n    \"\"\"Adds one.\"\"\"\n    return x + 1\n```";
        let p =
            propose(Action::Document, &ctx.target, text, reply).unwrap_or_else(|e| panic!("{e}"));
        assert!(p.parses);
        assert!(
            p.edit.range.start >= ctx.target.range.start
                && p.edit.range.end <= ctx.target.range.end
        );
        assert!(p.new_text.contains("    def f(self, x: int) -> int:\n        \"\"\"Adds one.\"\"\"\n        return x + 1\n\n    def g"));
        assert_eq!(p.hidden_chars, 0);
    }

    #[test]
    fn flags_replies_that_do_not_parse_or_change_nothing() {
        let text = "fn a() -> i32 {\n    1\n}\n";
        let ctx = context(Lang::Rust, text, text.find('1')).unwrap_or_else(|e| panic!("{e}"));
        let bad = propose(
            Action::Rewrite,
            &ctx.target,
            text,
            "```rust\nfn a() -> i32 {\n    1 +\n```",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(!bad.parses);
        let same = propose(
            Action::Rewrite,
            &ctx.target,
            text,
            "```rust\nfn a() -> i32 {\n    1\n}\n```",
        );
        assert_eq!(same, Err(ReplyError::NoChange));
        assert_eq!(
            propose(Action::Rewrite, &ctx.target, text, "\n"),
            Err(ReplyError::NoCode)
        );
    }

    #[test]
    fn tests_are_inserted_after_the_node() {
        let text = "fn a() -> i32 {\n    1\n}\n";
        let ctx = context(Lang::Rust, text, text.find('1')).unwrap_or_else(|e| panic!("{e}"));
        let reply = "```rust\n#[test]\nfn t() {\n    assert_eq!(a(), 1);\n}\n```";
        let p = propose(Action::Tests, &ctx.target, text, reply).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(p.edit.range, ctx.target.range.end..ctx.target.range.end);
        assert!(p.new_text.starts_with(text.trim_end()));
        assert!(p.new_text.contains("}\n\n#[test]\nfn t()"));
        assert!(p.parses);
    }

    #[test]
    fn hidden_characters_are_counted() {
        assert_eq!(hidden_chars("a\u{200B}b\u{202E}c\u{E0041}"), 3);
        assert_eq!(hidden_chars("plain"), 0);
    }
}
