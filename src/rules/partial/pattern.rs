//! What text one query pattern needs in the lines it can match.
//!
//! A pattern is read as a tree of steps; every step that each match must contain adds a clause:
//! an anonymous node (`"except"`, `"=="`) needs that token, a named node whose kind the language's
//! [`Lexicon`] knows needs its tokens (`(none)` needs `None`, `(default_parameter)` needs `=` and
//! `def` or `lambda` in the same logical line), and a positive predicate on a capture that every
//! match has needs its literals. Steps under `?`/`*`, negated fields and anchors need nothing; an
//! alternation needs one clause of each branch. The result is conservative: a line without the
//! required text cannot hold a match's root.

use super::Lexicon;
use crate::rules::prefilter::{self, Predicate};

/// How a literal must occur.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Bound {
    /// As a token: in code (not in a string body or comment), and not glued to identifier
    /// characters at an end that is itself an identifier character.
    Token,
    /// As the start of a token: in code, not preceded by an identifier character.
    Prefix,
    /// Anywhere, as a substring.
    Text,
}

/// A conjunction of clauses, each satisfied by one of its literals.
pub type Cnf = Vec<Vec<(String, Bound)>>;

struct Capture {
    name: String,
    kind: Option<String>,
    mandatory: bool,
}

struct Reader<'a> {
    s: &'a [u8],
    src: &'a str,
    i: usize,
    lexicon: &'a Lexicon,
}

/// The requirement of one pattern's source.
pub fn requirement(src: &str, lexicon: &Lexicon) -> Cnf {
    let mut r = Reader {
        s: src.as_bytes(),
        src,
        i: 0,
        lexicon,
    };
    let mut cnf = Cnf::new();
    let mut caps = Vec::new();
    while r.skip_ws() {
        let (c, k) = r.item();
        cnf.extend(c);
        caps.extend(k);
    }
    for pred in prefilter::predicates(src) {
        let (capture, clause) = match &pred {
            Predicate::OneOf { capture, values } => {
                (capture, one_of(capture, values, &caps, lexicon))
            }
            Predicate::Matches { capture, regex } => {
                (capture, matches(capture, regex, &caps, lexicon))
            }
        };
        let mandatory = caps.iter().any(|c| &c.name == capture && c.mandatory);
        if let Some(clause) = clause.filter(|c| mandatory && !c.is_empty()) {
            cnf.push(clause);
        }
    }
    for clause in &mut cnf {
        clause.sort();
        clause.dedup();
    }
    cnf.sort();
    cnf.dedup();
    cnf
}

fn capture_kind<'c>(name: &str, caps: &'c [Capture]) -> Option<&'c str> {
    caps.iter()
        .find(|c| c.name == name && c.mandatory)
        .and_then(|c| c.kind.as_deref())
}

fn one_of(
    capture: &str,
    values: &[String],
    caps: &[Capture],
    lexicon: &Lexicon,
) -> Option<Vec<(String, Bound)>> {
    if values.iter().any(String::is_empty) {
        return None;
    }
    let token = capture_kind(capture, caps).is_some_and(|k| lexicon.token_kinds.contains(&k));
    let bound = if token { Bound::Token } else { Bound::Text };
    Some(values.iter().map(|v| (v.clone(), bound)).collect())
}

fn matches(
    capture: &str,
    regex: &str,
    caps: &[Capture],
    lexicon: &Lexicon,
) -> Option<Vec<(String, Bound)>> {
    let token = capture_kind(capture, caps).is_some_and(|k| lexicon.token_kinds.contains(&k));
    if token && let Some(prefixes) = anchored_prefixes(regex) {
        return Some(prefixes.into_iter().map(|p| (p, Bound::Prefix)).collect());
    }
    prefilter::regex_literals(regex)
        .map(|lits| lits.into_iter().map(|l| (l, Bound::Text)).collect())
}

/// For a regex anchored at `^` that starts with plain characters or one-letter-cased classes,
/// each optionally `?`: the possible literal starts (`^[rR]?[fF]` → `f`, `rf`). Matching is
/// case-insensitive, so the lower-case spelling stands for all.
fn anchored_prefixes(regex: &str) -> Option<Vec<String>> {
    let rest = regex.strip_prefix('^')?;
    let b = rest.as_bytes();
    let mut out = vec![String::new()];
    let mut i = 0;
    while i < b.len() && out.len() <= 16 {
        let (ch, next) = match b[i] {
            b'[' => {
                let close = rest[i..].find(']')? + i;
                let class = &rest[i + 1..close];
                let mut letters: Vec<char> =
                    class.chars().map(|c| c.to_ascii_lowercase()).collect();
                letters.dedup();
                if letters.len() != 1 || !letters[0].is_ascii_alphanumeric() {
                    break;
                }
                (letters[0], close + 1)
            }
            c if c.is_ascii_alphanumeric() || c == b'_' => {
                ((c as char).to_ascii_lowercase(), i + 1)
            }
            _ => break,
        };
        let optional = b.get(next) == Some(&b'?');
        if b.get(next).is_some_and(|c| matches!(c, b'*' | b'{' | b'+')) {
            break;
        }
        let grown: Vec<String> = out
            .iter()
            .map(|p| {
                let mut p = p.clone();
                p.push(ch);
                p
            })
            .collect();
        if optional {
            out.extend(grown);
            i = next + 1;
        } else {
            out = grown;
            i = next;
        }
    }
    if out.iter().any(String::is_empty) {
        return None;
    }
    out.sort();
    out.dedup();
    Some(out)
}

fn token_lit(s: &str) -> (String, Bound) {
    (s.to_string(), Bound::Token)
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    /// Skips whitespace and comments; false at the end.
    fn skip_ws(&mut self) -> bool {
        while let Some(c) = self.peek() {
            if c.is_ascii_whitespace() {
                self.i += 1;
            } else if c == b';' {
                while self.peek().is_some_and(|c| c != b'\n') {
                    self.i += 1;
                }
            } else {
                return true;
            }
        }
        false
    }

    fn word(&mut self) -> &str {
        let start = self.i;
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/'))
        {
            self.i += 1;
        }
        &self.src[start..self.i]
    }

    fn string(&mut self) -> String {
        self.i += 1; // opening quote
        let start = self.i;
        while let Some(c) = self.peek() {
            if c == b'"' {
                break;
            }
            self.i += if c == b'\\' { 2 } else { 1 };
        }
        let end = self.i.min(self.s.len());
        self.i = end + 1;
        prefilter::unescape(self.src.get(start..end).unwrap_or(""))
    }

    /// Steps until `close` (consumed).
    fn seq(&mut self, close: u8) -> (Cnf, Vec<Capture>) {
        let mut cnf = Cnf::new();
        let mut caps = Vec::new();
        while self.skip_ws() {
            if self.peek() == Some(close) {
                self.i += 1;
                break;
            }
            let (c, k) = self.item();
            cnf.extend(c);
            caps.extend(k);
        }
        (cnf, caps)
    }

    /// One step with its field name, quantifier and captures.
    fn item(&mut self) -> (Cnf, Vec<Capture>) {
        // `field:`
        let save = self.i;
        if self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
        {
            let w = self.word().to_string();
            self.skip_ws();
            if self.peek() == Some(b':') && !w.is_empty() {
                self.i += 1;
                self.skip_ws();
            } else {
                self.i = save;
            }
        }
        let Some(c) = self.peek() else {
            return (Cnf::new(), Vec::new());
        };
        let (mut cnf, mut caps, kind): (Cnf, Vec<Capture>, Option<String>) = match c {
            b'!' => {
                self.i += 1;
                self.word();
                return (Cnf::new(), Vec::new());
            }
            b'(' => {
                self.i += 1;
                self.skip_ws();
                if self.peek() == Some(b'#') {
                    self.skip_balanced();
                    return (Cnf::new(), Vec::new());
                }
                if self
                    .peek()
                    .is_some_and(|c| c.is_ascii_alphabetic() || c == b'_')
                {
                    let kind = self.word().to_string();
                    let (mut cnf, caps) = self.seq(b')');
                    if kind != "_" {
                        for clause in (self.lexicon.kind_tokens)(&kind) {
                            cnf.push(clause.iter().map(|t| token_lit(t)).collect());
                        }
                    }
                    (cnf, caps, (kind != "_").then_some(kind))
                } else {
                    let (cnf, caps) = self.seq(b')');
                    (cnf, caps, None)
                }
            }
            b'[' => {
                self.i += 1;
                let mut alts: Vec<Cnf> = Vec::new();
                let mut caps = Vec::new();
                while self.skip_ws() {
                    if self.peek() == Some(b']') {
                        self.i += 1;
                        break;
                    }
                    let (c, k) = self.item();
                    alts.push(c);
                    caps.extend(k);
                }
                for cap in &mut caps {
                    cap.mandatory = false;
                }
                let cnf = if alts.is_empty() || alts.iter().any(Vec::is_empty) {
                    Cnf::new()
                } else {
                    vec![
                        alts.into_iter()
                            .flat_map(|a| a.into_iter().next())
                            .flatten()
                            .collect(),
                    ]
                };
                (cnf, caps, None)
            }
            b'"' => {
                let s = self.string();
                // `"is not"` is two tokens with any space between: its first word is certain.
                let first = s.split_whitespace().next().unwrap_or("").to_string();
                let cnf = if first.is_empty() {
                    Cnf::new()
                } else {
                    vec![vec![token_lit(&first)]]
                };
                (cnf, Vec::new(), None)
            }
            _ => {
                // An anchor `.`, a bare wildcard `_`, or something not understood.
                if self.word().is_empty() {
                    self.i += 1;
                }
                return (Cnf::new(), Vec::new());
            }
        };
        // Quantifiers and captures, in any order.
        let mut optional = false;
        loop {
            self.skip_ws();
            match self.peek() {
                Some(b'?' | b'*') => {
                    optional = true;
                    self.i += 1;
                }
                Some(b'+') => self.i += 1,
                Some(b'@') => {
                    self.i += 1;
                    let name = self.word().to_string();
                    caps.push(Capture {
                        name,
                        kind: kind.clone(),
                        mandatory: true,
                    });
                }
                _ => break,
            }
        }
        if optional {
            cnf.clear();
            for cap in &mut caps {
                cap.mandatory = false;
            }
        }
        (cnf, caps)
    }

    /// Skips to after the `)` closing the parenthesis already consumed.
    fn skip_balanced(&mut self) {
        let mut depth = 1;
        while let Some(c) = self.peek() {
            match c {
                b'"' => {
                    self.string();
                    continue;
                }
                b'(' => depth += 1,
                b')' => {
                    depth -= 1;
                    if depth == 0 {
                        self.i += 1;
                        return;
                    }
                }
                _ => {}
            }
            self.i += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::partial::python::LEXICON;

    fn req(src: &str) -> Vec<Vec<String>> {
        requirement(src, &LEXICON)
            .into_iter()
            .map(|c| c.into_iter().map(|(s, b)| format!("{s}:{b:?}")).collect())
            .collect()
    }

    #[test]
    fn anonymous_nodes_and_known_kinds() {
        assert_eq!(
            req("((comparison_operator . (_) . operators: \"==\" @_op . (none) .) @r)"),
            vec![vec!["==:Token"], vec!["None:Token"]]
        );
        assert_eq!(
            req("(except_clause !value \"except\" @r)"),
            vec![vec!["except:Token"]]
        );
        assert_eq!(
            req("(comparison_operator operators: [\"is\" \"is not\"] @_op)"),
            vec![vec!["is:Token"]]
        );
    }

    #[test]
    fn optional_steps_and_open_alternations_need_nothing() {
        assert!(req("(string (string_content)? @c)")[0] == vec!["\":Token", "':Token"]);
        assert_eq!(req("(string (string_content)? @c)").len(), 1);
        assert_eq!(
            req("(default_parameter value: [(list) (dictionary)] @r)"),
            vec![
                vec!["=:Token"],
                vec!["[:Token", "{:Token"],
                vec!["def:Token", "lambda:Token"]
            ]
        );
        assert_eq!(
            req("(assignment right: [(list) (identifier)] @r)"),
            Vec::<Vec<String>>::new()
        );
    }

    #[test]
    fn predicates_on_mandatory_captures() {
        assert_eq!(
            req("((call function: (identifier) @_fn) @r (#eq? @_fn \"breakpoint\"))"),
            vec![vec!["(:Token"], vec!["breakpoint:Token"]]
        );
        // An optional capture says nothing.
        assert_eq!(
            req("((call function: (identifier)? @_fn) @r (#eq? @_fn \"breakpoint\"))"),
            vec![vec!["(:Token"]]
        );
        // A prefix regex on a token kind: `f` or `rf` at a token start.
        assert_eq!(
            req("((string_start) @_s (#match? @_s \"^[rR]?[fF]\"))"),
            vec![vec!["\":Token", "':Token"], vec!["f:Prefix", "rf:Prefix"]]
        );
        // Not a token kind: substring anywhere.
        assert_eq!(
            req("((string) @_s (#eq? @_s \"x\"))"),
            vec![vec!["\":Token", "':Token"], vec!["x:Text"]]
        );
    }
}
