//! Literal prefilter for rule patterns.
//!
//! Most patterns can only produce a finding when some literal occurs in the file: the string of an
//! `#eq?`/`#any-of?` predicate, the literal core of a `#match?` regex (`^(md5|sha1)$` needs `md5` or
//! `sha1`), or a name of the rule's `resolves-to` check. When a language's query is compiled, each
//! pattern's literal requirements are extracted into a small conjunctive form (every clause needs
//! one of its literals); per file, one Aho-Corasick pass over the text finds which literals occur,
//! and patterns (and rule captures) whose requirements fail are skipped before any node text is
//! read or any check runs.
//!
//! The prefilter is conservative: literals are searched ASCII-case-insensitively, and a requirement
//! is only derived when it certainly holds for every match (a predicate on a capture that may be
//! absent from a match, a negated predicate, or a regex construct that is not understood yields
//! no requirement).

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use tree_sitter::CaptureQuantifier;

/// A conjunction of clauses; a clause is satisfied when one of its literals occurs.
/// An empty clause can never be satisfied; an empty requirement always is.
pub type Requirement = Vec<Vec<u32>>;

/// What a pattern needs, with literal ids from a [`Literals`] table.
#[derive(Debug, Clone, Default)]
pub struct PatternPlan {
    /// The pattern can never produce a finding (its query pattern is disabled).
    pub never: bool,
    /// Requirements from the pattern's own predicates.
    pub clauses: Requirement,
    /// The pattern's rule captures, each with what its rule needs (`None`: nothing).
    pub rule_caps: Vec<(u32, Option<Requirement>)>,
}

/// The literals of one language's patterns.
#[derive(Debug, Default)]
pub struct Literals {
    list: Vec<String>,
}

impl Literals {
    /// The id of `lit`, adding it when new.
    pub fn id(&mut self, lit: &str) -> u32 {
        if let Some(i) = self.list.iter().position(|l| l.eq_ignore_ascii_case(lit)) {
            return i as u32;
        }
        self.list.push(lit.to_string());
        (self.list.len() - 1) as u32
    }

    pub fn len(&self) -> usize {
        self.list.len()
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// The compiled prefilter of one language.
pub struct Prefilter {
    automaton: Option<AhoCorasick>,
    literal_count: usize,
    plans: Vec<PatternPlan>,
    /// Whether any pattern has a requirement at all (otherwise the scan is skipped).
    any_requirement: bool,
}

/// Which patterns and rule captures may produce findings in one file.
pub struct Active<'p> {
    prefilter: &'p Prefilter,
    /// `None`: everything that is not `never` is on.
    present: Option<Vec<bool>>,
    patterns: Vec<bool>,
}

fn satisfied(req: &Requirement, present: &Option<Vec<bool>>) -> bool {
    match present {
        None => req.iter().all(|c| !c.is_empty()),
        Some(p) => req
            .iter()
            .all(|clause| clause.iter().any(|&l| p[l as usize])),
    }
}

impl Prefilter {
    pub fn new(literals: Literals, plans: Vec<PatternPlan>) -> Prefilter {
        let any_requirement = plans.iter().any(|p| {
            !p.never && (!p.clauses.is_empty() || p.rule_caps.iter().any(|(_, r)| r.is_some()))
        });
        let automaton = if literals.is_empty() || !any_requirement {
            None
        } else {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                // A few hundred short literals: a DFA is small and the fastest to scan with.
                .kind(Some(AhoCorasickKind::DFA))
                .build(&literals.list)
                .ok()
        };
        Prefilter {
            automaton,
            literal_count: literals.len(),
            plans,
            any_requirement,
        }
    }

    /// Whether pattern `p` can never report (its rules are all switched off).
    pub fn never(&self, p: usize) -> bool {
        self.plans.get(p).is_some_and(|plan| plan.never)
    }

    /// Number of distinct literals.
    pub fn literal_count(&self) -> usize {
        self.literal_count
    }

    /// Scans `text` once and decides which patterns may produce findings.
    pub fn scan(&self, text: &str) -> Active<'_> {
        let present = match (&self.automaton, self.any_requirement) {
            (Some(ac), true) => {
                let mut present = vec![false; self.literal_count];
                let mut left = self.literal_count;
                // Overlapping search: a literal inside another (`sha` in `sha1`) must be seen too.
                for m in ac.find_overlapping_iter(text) {
                    let i = m.pattern().as_usize();
                    if !present[i] {
                        present[i] = true;
                        left -= 1;
                        if left == 0 {
                            break;
                        }
                    }
                }
                Some(present)
            }
            _ => None,
        };
        let patterns = self
            .plans
            .iter()
            .map(|plan| {
                !plan.never
                    && satisfied(&plan.clauses, &present)
                    && plan
                        .rule_caps
                        .iter()
                        .any(|(_, req)| req.as_ref().is_none_or(|r| satisfied(r, &present)))
            })
            .collect();
        Active {
            prefilter: self,
            present,
            patterns,
        }
    }
}

impl Active<'_> {
    /// Whether pattern `p` may produce a finding.
    pub fn pattern(&self, p: usize) -> bool {
        self.patterns.get(p).copied().unwrap_or(true)
    }

    /// Whether rule capture `capture` of pattern `p` may produce a finding.
    pub fn capture(&self, p: usize, capture: u32) -> bool {
        let Some(plan) = self.prefilter.plans.get(p) else {
            return true;
        };
        match plan.rule_caps.iter().find(|(c, _)| *c == capture) {
            Some((_, Some(req))) => satisfied(req, &self.present),
            _ => true,
        }
    }

    /// Number of patterns switched on (for tests and logs).
    pub fn count(&self) -> usize {
        self.patterns.iter().filter(|b| **b).count()
    }
}

/// A positive text predicate of a pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Predicate {
    /// `#eq?`/`#any-eq?` on a capture with a string, or `#any-of?`: the capture's text is one of these.
    OneOf {
        capture: String,
        values: Vec<String>,
    },
    /// `#match?`/`#any-match?`: the capture's text matches this regex.
    Matches { capture: String, regex: String },
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Open(usize),
    Close,
    OpenAlt(usize),
    CloseAlt,
    Capture(String, usize),
    Str(String, usize),
    Pred(String),
    Word(String, usize),
}

/// Unescapes a tree-sitter query string body (`\n`, `\t`, `\r`, `\0`, anything else as itself).
pub(crate) fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('0') => out.push('\0'),
            Some(other) => out.push(other),
            None => {}
        }
    }
    out
}

/// Tokenizes query source (comments skipped); each token that can start a step carries its line.
fn tokenize(src: &str) -> Vec<Token> {
    let bytes = src.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut line = 0;
    let is_ident = |b: u8| {
        b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'?' | b'!' | b'$' | b'/')
    };
    while i < bytes.len() {
        let c = bytes[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b';' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'(' => {
                // A predicate: `(#name? …)`.
                let mut j = i + 1;
                while j < bytes.len() && bytes[j].is_ascii_whitespace() {
                    j += 1;
                }
                if j < bytes.len() && bytes[j] == b'#' {
                    let start = j + 1;
                    let mut k = start;
                    while k < bytes.len() && is_ident(bytes[k]) {
                        k += 1;
                    }
                    out.push(Token::Pred(src[start..k].to_string()));
                    i = k;
                } else {
                    out.push(Token::Open(line));
                    i += 1;
                }
            }
            b')' => {
                out.push(Token::Close);
                i += 1;
            }
            b'[' => {
                out.push(Token::OpenAlt(line));
                i += 1;
            }
            b']' => {
                out.push(Token::CloseAlt);
                i += 1;
            }
            b'"' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && bytes[j] != b'"' {
                    if bytes[j] == b'\\' {
                        j += 1;
                    }
                    j += 1;
                }
                let end = j.min(bytes.len());
                let body = &src[start..end];
                out.push(Token::Str(unescape(body), line));
                line += body.matches('\n').count();
                i = end + 1;
            }
            b'@' => {
                let start = i + 1;
                let mut j = start;
                while j < bytes.len() && is_ident(bytes[j]) {
                    j += 1;
                }
                out.push(Token::Capture(src[start..j].to_string(), line));
                i = j;
            }
            _ if c.is_ascii_whitespace() => i += 1,
            _ if is_ident(c) => {
                let start = i;
                let mut j = i;
                while j < bytes.len() && is_ident(bytes[j]) {
                    j += 1;
                }
                // A lone `?` is a quantifier: captures after it still belong to the node before.
                if &src[start..j] != "?" {
                    out.push(Token::Word(src[start..j].to_string(), line));
                }
                i = j;
            }
            _ => i += 1,
        }
    }
    out
}

/// The positive text predicates of one pattern's source (negated ones say nothing about literals).
pub fn predicates(pattern_src: &str) -> Vec<Predicate> {
    let tokens = tokenize(pattern_src);
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        let Token::Pred(name) = &tokens[i] else {
            i += 1;
            continue;
        };
        let mut args = Vec::new();
        let mut j = i + 1;
        while j < tokens.len() && tokens[j] != Token::Close {
            args.push(tokens[j].clone());
            j += 1;
        }
        i = j + 1;
        match (name.as_str(), args.as_slice()) {
            ("eq?" | "any-eq?", [Token::Capture(c, _), Token::Str(s, _)]) => {
                out.push(Predicate::OneOf {
                    capture: c.clone(),
                    values: vec![s.clone()],
                });
            }
            ("any-of?", [Token::Capture(c, _), rest @ ..]) if !rest.is_empty() => {
                let values: Option<Vec<String>> = rest
                    .iter()
                    .map(|t| match t {
                        Token::Str(s, _) => Some(s.clone()),
                        _ => None,
                    })
                    .collect();
                if let Some(values) = values {
                    out.push(Predicate::OneOf {
                        capture: c.clone(),
                        values,
                    });
                }
            }
            ("match?" | "any-match?", [Token::Capture(c, _), Token::Str(re, _)]) => {
                out.push(Predicate::Matches {
                    capture: c.clone(),
                    regex: re.clone(),
                });
            }
            _ => {}
        }
    }
    out
}

/// The literal clauses of a pattern: for each positive predicate on a capture that every match
/// holds (quantifier one or one-or-more), one clause of the literals one of which must occur.
pub fn pattern_requirement(
    pattern_src: &str,
    capture_names: &[&str],
    quantifiers: &[CaptureQuantifier],
    literals: &mut Literals,
) -> Requirement {
    let mut clauses = Vec::new();
    for pred in predicates(pattern_src) {
        let capture = match &pred {
            Predicate::OneOf { capture, .. } | Predicate::Matches { capture, .. } => capture,
        };
        if !always_present(capture, capture_names, quantifiers) {
            continue;
        }
        let lits: Option<Vec<String>> = match pred {
            Predicate::OneOf { values, .. } => {
                // An empty value needs no literal.
                if values.iter().any(|v| v.is_empty()) {
                    None
                } else {
                    Some(values)
                }
            }
            Predicate::Matches { regex, .. } => regex_literals(&regex),
        };
        if let Some(lits) = lits {
            let mut clause: Vec<u32> = lits.iter().map(|l| literals.id(l)).collect();
            clause.sort_unstable();
            clause.dedup();
            clauses.push(clause);
        }
    }
    clauses
}

/// Whether capture `name` is part of every match of a pattern with these quantifiers.
pub fn always_present(
    name: &str,
    capture_names: &[&str],
    quantifiers: &[CaptureQuantifier],
) -> bool {
    capture_names
        .iter()
        .position(|n| *n == name)
        .and_then(|i| quantifiers.get(i))
        .is_some_and(|q| matches!(q, CaptureQuantifier::One | CaptureQuantifier::OneOrMore))
}

/// The clause of a `resolves-to` check, mirroring its own prefilter in `checks.rs`: a name can
/// only resolve in a file that mentions its last segment (`system` for `os.system`, `open` for
/// `*.open`, `subprocess` for `subprocess.*`). `None` when some name needs no literal; an empty
/// clause when the list is empty (the check then drops every match).
pub fn resolves_to_clause(names: &[String], literals: &mut Literals) -> Option<Vec<u32>> {
    let mut clause = Vec::new();
    for n in names {
        let base = n
            .strip_suffix(".*")
            .or_else(|| n.strip_suffix("::*"))
            .unwrap_or(n.as_str());
        let last = base.rsplit(['.', ':', '/']).next().unwrap_or(base);
        if last.is_empty() {
            return None;
        }
        clause.push(literals.id(last));
    }
    clause.sort_unstable();
    clause.dedup();
    Some(clause)
}

/// Literals one of which occurs in every text that `regex` matches (unanchored search), or `None`
/// when no such set is known. Under case-insensitive matching only the longest run of ASCII
/// characters without Unicode case variants (`k` and `s` also match the Kelvin sign and long s)
/// is kept.
pub fn regex_literals(regex: &str) -> Option<Vec<String>> {
    let chars: Vec<char> = regex.chars().collect();
    let mut parser = RegexParser {
        chars: &chars,
        pos: 0,
        case_insensitive: false,
    };
    let req = parser.alternation()?;
    if parser.pos != chars.len() {
        return None;
    }
    let mut lits = req?;
    if parser.case_insensitive {
        lits = lits.into_iter().map(|l| case_safe_core(&l)).collect();
    }
    if lits.is_empty() || lits.iter().any(|l| l.is_empty()) {
        return None;
    }
    lits.sort();
    lits.dedup();
    Some(lits)
}

fn case_safe_core(lit: &str) -> String {
    lit.split(|c: char| !c.is_ascii() || matches!(c, 'k' | 'K' | 's' | 'S'))
        .max_by_key(|s| s.len())
        .unwrap_or("")
        .to_string()
}

/// A recursive-descent reader of the subset of regex syntax the prefilter understands. Every
/// method returns `None` on syntax it does not know (the caller then derives no requirement) and
/// `Some(None)` for a sub-expression with no literal requirement.
struct RegexParser<'a> {
    chars: &'a [char],
    pos: usize,
    case_insensitive: bool,
}

/// A factor's requirement: one of these literals occurs in every match.
type Alts = Option<Vec<String>>;

impl RegexParser<'_> {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    /// `a|b|c`: one of the branches' literal sets.
    fn alternation(&mut self) -> Option<Alts> {
        let mut all: Vec<String> = Vec::new();
        let mut known = true;
        loop {
            match self.concatenation()? {
                Some(lits) => all.extend(lits),
                None => known = false,
            }
            if self.peek() == Some('|') {
                self.pos += 1;
            } else {
                break;
            }
        }
        Some(if known { Some(all) } else { None })
    }

    /// A sequence of atoms: the most selective necessary factor.
    fn concatenation(&mut self) -> Option<Alts> {
        let mut factors: Vec<Vec<String>> = Vec::new();
        let mut run = String::new();
        let flush = |run: &mut String, factors: &mut Vec<Vec<String>>| {
            if !run.is_empty() {
                factors.push(vec![std::mem::take(run)]);
            }
        };
        while let Some(c) = self.peek() {
            match c {
                '|' | ')' => break,
                '(' => {
                    self.pos += 1;
                    let inner = if self.peek() == Some('?') {
                        self.pos += 1;
                        // Flags `(?i)` / `(?i:…)`, non-capturing `(?:…)`, named `(?P<n>…)` / `(?<n>…)`.
                        match self.peek() {
                            Some('P') | Some('<') => {
                                while let Some(c) = self.peek() {
                                    self.pos += 1;
                                    if c == '>' {
                                        break;
                                    }
                                }
                                self.alternation()?
                            }
                            _ => {
                                let mut flags = String::new();
                                while let Some(c) = self.peek() {
                                    if c == ')' || c == ':' {
                                        break;
                                    }
                                    flags.push(c);
                                    self.pos += 1;
                                }
                                if flags.contains('i') {
                                    self.case_insensitive = true;
                                }
                                if !flags.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
                                    return None;
                                }
                                if self.peek() == Some(')') {
                                    // A bare flag group matches the empty string.
                                    self.pos += 1;
                                    continue;
                                }
                                self.pos += 1; // ':'
                                self.alternation()?
                            }
                        }
                    } else {
                        self.alternation()?
                    };
                    if self.peek() != Some(')') {
                        return None;
                    }
                    self.pos += 1;
                    flush(&mut run, &mut factors);
                    if self.quantifier()?.necessary()
                        && let Some(lits) = inner
                    {
                        factors.push(lits);
                    }
                }
                '[' => {
                    self.skip_class()?;
                    flush(&mut run, &mut factors);
                    self.quantifier()?;
                }
                '.' | '^' | '$' => {
                    self.pos += 1;
                    flush(&mut run, &mut factors);
                    self.quantifier()?;
                }
                '\\' => {
                    self.pos += 1;
                    let e = self.peek()?;
                    self.pos += 1;
                    if e.is_ascii_alphanumeric() {
                        // Classes (`\s`, `\d`, `\w`), assertions (`\b`) and escapes (`\n`, `\x41`):
                        // not read as literals.
                        if matches!(e, 'x' | 'u' | 'U' | 'p' | 'P') {
                            return None;
                        }
                        flush(&mut run, &mut factors);
                        self.quantifier()?;
                    } else {
                        self.literal_char(e, &mut run, &mut factors)?;
                    }
                }
                '*' | '+' | '?' | '{' => return None,
                _ => {
                    self.pos += 1;
                    self.literal_char(c, &mut run, &mut factors)?;
                }
            }
        }
        flush(&mut run, &mut factors);
        // The factor whose shortest literal is longest is the most selective.
        Some(
            factors
                .into_iter()
                .max_by_key(|f| f.iter().map(|l| l.chars().count()).min().unwrap_or(0)),
        )
    }

    /// A literal character, and the quantifier that may follow it.
    fn literal_char(
        &mut self,
        c: char,
        run: &mut String,
        factors: &mut Vec<Vec<String>>,
    ) -> Option<()> {
        let q = self.quantifier()?;
        match q {
            Quant::One => run.push(c),
            Quant::AtLeastOne => {
                run.push(c);
                factors.push(vec![std::mem::take(run)]);
            }
            Quant::Optional => {
                if !run.is_empty() {
                    factors.push(vec![std::mem::take(run)]);
                }
            }
        }
        Some(())
    }

    fn quantifier(&mut self) -> Option<Quant> {
        let q = match self.peek() {
            Some('?') | Some('*') => {
                self.pos += 1;
                Quant::Optional
            }
            Some('+') => {
                self.pos += 1;
                Quant::AtLeastOne
            }
            Some('{') => {
                let start = self.pos + 1;
                let mut end = start;
                while end < self.chars.len() && self.chars[end] != '}' {
                    end += 1;
                }
                if end >= self.chars.len() {
                    return None;
                }
                let body: String = self.chars[start..end].iter().collect();
                let min = body.split(',').next()?.trim().parse::<u32>().ok()?;
                self.pos = end + 1;
                if min == 0 {
                    Quant::Optional
                } else {
                    Quant::AtLeastOne
                }
            }
            _ => return Some(Quant::One),
        };
        // Lazy or possessive suffix.
        if matches!(self.peek(), Some('?') | Some('+')) {
            self.pos += 1;
        }
        Some(q)
    }

    /// Skips a character class `[…]` (nested classes and `[:alpha:]` included).
    fn skip_class(&mut self) -> Option<()> {
        self.pos += 1; // '['
        if self.peek() == Some('^') {
            self.pos += 1;
        }
        if self.peek() == Some(']') {
            // A leading `]` is a literal.
            self.pos += 1;
        }
        loop {
            let c = self.peek()?;
            match c {
                '\\' => self.pos += 2,
                '[' => self.skip_class()?,
                ']' => {
                    self.pos += 1;
                    return Some(());
                }
                _ => self.pos += 1,
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Quant {
    One,
    AtLeastOne,
    Optional,
}

impl Quant {
    fn necessary(self) -> bool {
        self != Quant::Optional
    }
}

/// Steps of a pattern that carry more than tree-sitter's three captures per node (the rest are
/// silently dropped), as (zero-based line within `pattern_src`, number of captures).
pub fn overloaded_steps(pattern_src: &str) -> Vec<(usize, usize)> {
    #[derive(PartialEq)]
    enum Open {
        Node,
        Group,
        Alt,
        Pred,
    }
    let tokens = tokenize(pattern_src);
    // (line, captures) of every step: a named node `(kind …)`, a wildcard or an anonymous node.
    let mut steps: Vec<(usize, usize)> = Vec::new();
    // Per open parenthesis or bracket: its kind, the step it is (a node) and its children's steps.
    struct Frame {
        kind: Open,
        step: Option<usize>,
        /// For each child item, the steps that captures written after it land on.
        children: Vec<Vec<usize>>,
    }
    let mut stack: Vec<Frame> = Vec::new();
    // The steps that a capture written now would land on.
    let mut target: Vec<usize> = Vec::new();
    for (i, tok) in tokens.iter().enumerate() {
        if stack.last().is_some_and(|f| f.kind == Open::Pred) {
            if *tok == Token::Close {
                stack.pop();
                target.clear();
            }
            continue;
        }
        match tok {
            Token::Pred(_) => {
                stack.push(Frame {
                    kind: Open::Pred,
                    step: None,
                    children: Vec::new(),
                });
                target.clear();
            }
            Token::Open(line) => {
                let step = match tokens.get(i + 1) {
                    Some(Token::Word(_, _)) => {
                        steps.push((*line, 0));
                        Some(steps.len() - 1)
                    }
                    _ => None,
                };
                let kind = if step.is_some() {
                    Open::Node
                } else {
                    Open::Group
                };
                stack.push(Frame {
                    kind,
                    step,
                    children: Vec::new(),
                });
                target.clear();
            }
            Token::OpenAlt(_) => {
                stack.push(Frame {
                    kind: Open::Alt,
                    step: None,
                    children: Vec::new(),
                });
                target.clear();
            }
            Token::Close | Token::CloseAlt => {
                let Some(frame) = stack.pop() else { continue };
                // A node's captures land on it; a grouping's on its first item's steps; an
                // alternation's on every branch's.
                target = match frame.kind {
                    Open::Node => frame.step.into_iter().collect(),
                    Open::Group => frame.children.first().cloned().unwrap_or_default(),
                    Open::Alt => frame.children.concat(),
                    Open::Pred => Vec::new(),
                };
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(target.clone());
                }
            }
            Token::Str(_, line) => {
                steps.push((*line, 0));
                target = vec![steps.len() - 1];
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(target.clone());
                }
            }
            Token::Word(w, line) => {
                let after_open = i > 0 && matches!(tokens[i - 1], Token::Open(_));
                if w == "_" && !after_open {
                    steps.push((*line, 0));
                    target = vec![steps.len() - 1];
                    if let Some(parent) = stack.last_mut() {
                        parent.children.push(target.clone());
                    }
                } else if !after_open {
                    // Field names, anchors and negated fields.
                    target.clear();
                }
            }
            Token::Capture(_, _) => {
                for &s in &target {
                    steps[s].1 += 1;
                }
            }
        }
    }
    let mut out: Vec<(usize, usize)> = steps.into_iter().filter(|(_, n)| *n > 3).collect();
    out.dedup();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lits(re: &str) -> Option<Vec<String>> {
        regex_literals(re)
    }

    fn v(items: &[&str]) -> Option<Vec<String>> {
        Some(items.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn regex_literal_cores() {
        assert_eq!(lits("^(md5|sha1)$"), v(&["md5", "sha1"]));
        assert_eq!(lits("Loader"), v(&["Loader"]));
        assert_eq!(
            lits("(unsafe_load|full_load)(_all)?$"),
            v(&["full_load", "unsafe_load"])
        );
        assert_eq!(lits("(Safe|Base)Loader"), v(&["Loader"]));
        assert_eq!(lits("shell\\s*=\\s*True"), v(&["shell"]));
        assert_eq!(
            lits("verify_signature['\"]\\s*:\\s*False"),
            v(&["verify_signature"])
        );
        assert_eq!(
            lits("(AutoAddPolicy|WarningPolicy)"),
            v(&["AutoAddPolicy", "WarningPolicy"])
        );
        assert_eq!(
            lits("(^|\\.)(SafeString|SafeText|SafeData|SafeBytes|Markup)$"),
            v(&["Markup", "SafeBytes", "SafeData", "SafeString", "SafeText"])
        );
        assert_eq!(lits("objects"), v(&["objects"]));
        // An optional last character is not required.
        assert_eq!(lits("^https?://"), v(&["http"]));
        assert_eq!(lits("ab+c"), v(&["ab"]));
        // Case-insensitive: only runs without k/s (Kelvin sign, long s) and non-ASCII are kept.
        assert_eq!(
            lits("^(?i)(md2|md4|md5|sha1)$"),
            v(&["ha1", "md2", "md4", "md5"])
        );
        assert_eq!(lits("['\"](?i)none['\"]"), v(&["none"]));
        assert_eq!(lits("(?i)secret_key"), v(&["ecret_"]));
        assert_eq!(lits("(?i)(jwt|jws|jose)"), v(&["jo", "jw", "jwt"]));
        // No requirement.
        assert_eq!(lits("^[\\[(]"), None);
        assert_eq!(lits("^([0-9]{1,3}|1[0-9]{3})$"), None);
        assert_eq!(lits("(a|.*)"), None);
        assert_eq!(lits("(ab)?c"), v(&["c"]));
        assert_eq!(lits("\\x41bc"), None);
        assert_eq!(lits("(foo"), None);
        assert_eq!(lits(""), None);
        // `[` inside a class and a leading `]`.
        assert_eq!(lits("[]a]xyz"), v(&["xyz"]));
        assert_eq!(lits("[[:alpha:]]name"), v(&["name"]));
        assert_eq!(lits("a\\.b"), v(&["a.b"]));
    }

    #[test]
    fn predicates_are_read_from_patterns() {
        let src = r#"(call
  function: (attribute attribute: (identifier) @_m) ; (#eq? @_m "comment")
  arguments: (argument_list . (string) @_s)
  (#eq? @_m "set_cookie")
  (#not-eq? @_m "get")
  (#any-of? @_s "''" "\"\"")
  (#match? @_m "^(a|b)$")
  (#eq? @_m @_s)) @rule"#;
        let preds = predicates(src);
        assert_eq!(
            preds,
            vec![
                Predicate::OneOf {
                    capture: "_m".into(),
                    values: vec!["set_cookie".into()]
                },
                Predicate::OneOf {
                    capture: "_s".into(),
                    values: vec!["''".into(), "\"\"".into()]
                },
                Predicate::Matches {
                    capture: "_m".into(),
                    regex: "^(a|b)$".into()
                },
            ]
        );
    }

    #[test]
    fn requirements_need_captures_in_every_match() {
        use CaptureQuantifier::*;
        let src = r#"(call function: [(identifier) @_m (attribute) @_a] (#eq? @_m "eval") (#eq? @_b "x") (#eq? @_c "y")) @r"#;
        let names = ["_m", "_a", "_b", "_c", "r"];
        let quants = [ZeroOrOne, ZeroOrOne, One, OneOrMore, One];
        let mut literals = Literals::default();
        let req = pattern_requirement(src, &names, &quants, &mut literals);
        assert_eq!(req.len(), 2);
        assert_eq!(literals.list, vec!["x".to_string(), "y".to_string()]);
    }

    #[test]
    fn resolves_to_clauses_use_last_segments() {
        let mut literals = Literals::default();
        let names: Vec<String> = [
            "os.system",
            "subprocess.*",
            "*.open",
            "std::process::Command::new",
            "os/exec.Command",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let clause = resolves_to_clause(&names, &mut literals).expect("clause");
        assert_eq!(clause.len(), 5);
        assert_eq!(
            literals.list,
            vec!["system", "subprocess", "open", "new", "Command"]
        );
        assert_eq!(
            resolves_to_clause(&["os.".to_string()], &mut literals),
            None
        );
        assert_eq!(resolves_to_clause(&[], &mut literals), Some(vec![]));
    }

    #[test]
    fn scan_switches_patterns_by_literals() {
        let mut literals = Literals::default();
        let eval = literals.id("eval");
        let md5 = literals.id("md5");
        let sha1 = literals.id("sha1");
        let plans = vec![
            // Always on.
            PatternPlan {
                never: false,
                clauses: vec![],
                rule_caps: vec![(0, None)],
            },
            // Needs eval.
            PatternPlan {
                never: false,
                clauses: vec![vec![eval]],
                rule_caps: vec![(1, None)],
            },
            // Its only rule needs md5 or sha1.
            PatternPlan {
                never: false,
                clauses: vec![],
                rule_caps: vec![(2, Some(vec![vec![md5, sha1]]))],
            },
            // Two rules, one needs md5.
            PatternPlan {
                never: false,
                clauses: vec![],
                rule_caps: vec![(3, None), (4, Some(vec![vec![md5]]))],
            },
            // Disabled.
            PatternPlan {
                never: true,
                clauses: vec![],
                rule_caps: vec![(5, None)],
            },
        ];
        let pf = Prefilter::new(literals, plans);
        let a = pf.scan("x = 1\n");
        assert_eq!(
            (0..5).map(|p| a.pattern(p)).collect::<Vec<_>>(),
            vec![true, false, false, true, false]
        );
        assert!(a.capture(3, 3));
        assert!(!a.capture(3, 4));
        let a = pf.scan("hashlib.SHA1(eval)\n");
        assert_eq!(
            (0..5).map(|p| a.pattern(p)).collect::<Vec<_>>(),
            vec![true, true, true, true, false]
        );
        assert!(!a.capture(3, 4));
        assert!(a.capture(2, 2));
    }

    #[test]
    fn overloaded_steps_are_found() {
        let src =
            "(call\n  function: (_) @_fn @a @b\n  arguments: (argument_list) @c @d @e @f) @g @h @i";
        assert_eq!(overloaded_steps(src), vec![(2, 4)]);
        let src = "((call) @a @b (#eq? @a \"x\")) @c @d";
        assert_eq!(overloaded_steps(src), vec![(0, 4)]);
        let src = "[(identifier) @a (attribute) @b] @c @d @e";
        assert_eq!(overloaded_steps(src), vec![(0, 4)]);
        let src = "(call function: (_) @_fn @a @b) @c @d @e";
        assert!(overloaded_steps(src).is_empty());
        let src = "(except_clause . \":\" ) @x";
        assert!(overloaded_steps(src).is_empty());
    }
}
