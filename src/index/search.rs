//! Queries over the index: free-text search, symbol look-up and retrieval of related chunks
//! for prompts.
//!
//! Scoring is BM25 over the code-tokenized fields, summed: symbol names weigh
//! [`SYMBOL_BOOST`] times the body, container names [`CONTAINER_BOOST`] times, paths
//! [`PATH_BOOST`] times. Scores of test chunks are then multiplied by [`TEST_WEIGHT`] and those
//! of prose chunks by [`PROSE_WEIGHT`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use serde::Serialize;
use tantivy::collector::{Collector, TopDocs};
use tantivy::columnar::ColumnValues;
use tantivy::query::{AllQuery, BooleanQuery, BoostQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentReader, TantivyDocument, Term};

use super::IndexError;
use super::chunk::{Chunk, ChunkKind};
use super::schema::{DOCTYPE_CHUNK, Fields};
use super::tokenizer::{analyze, code_analyzer, ident_analyzer, light_stem};
use crate::syntax::{self, Lang};
use crate::text::Source;

/// Weight of a match in a symbol name relative to one in the body.
pub const SYMBOL_BOOST: f32 = 2.0;
/// Weight of a match in the name of a member's container (class, impl, trait, module) relative
/// to one in the body: `JSONProvider.dumps` is about JSON even if its body never says so.
pub const CONTAINER_BOOST: f32 = 2.0;
/// Weight of a match in the path relative to one in the body.
pub const PATH_BOOST: f32 = 0.5;
/// Scores of chunks from test files are multiplied by this in free-text search.
pub const TEST_WEIGHT: f32 = 0.8;
/// Scores of prose chunks (sections of Markdown, reStructuredText and text documents) are
/// multiplied by this in free-text search and retrieval: the index exists to find code, so when
/// a code chunk and a document section match about as well, the code comes first. Prose stays
/// findable.
pub const PROSE_WEIGHT: f32 = 0.7;
/// Default token budget of [`crate::index::IndexHandle::related`].
pub const DEFAULT_RELATED_BUDGET: usize = 1_500;
/// At most this many related chunks come from one file.
pub const RELATED_PER_FILE: usize = 2;
/// Query terms kept for retrieval, the most specific first.
const RELATED_TERMS: usize = 40;

/// Restricts a search.
#[derive(Debug, Clone, Default)]
pub struct SearchFilters {
    /// Language name (`rust`, `python`, `markdown`, …).
    pub lang: Option<String>,
    /// Chunk kind name (`function`, `class`, …).
    pub kind: Option<String>,
    /// Glob over workspace-relative paths (`src/**/*.rs`).
    pub path_glob: Option<String>,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SearchHit {
    /// Workspace-relative path.
    pub path: String,
    /// 1-based.
    pub start_line: u32,
    /// 1-based, inclusive.
    pub end_line: u32,
    pub symbol: Option<String>,
    pub kind: ChunkKind,
    pub lang: String,
    pub score: f32,
    /// The few lines of the chunk that match best.
    pub snippet: String,
}

/// One `workspace/symbol` answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SymbolHit {
    pub name: String,
    pub kind: ChunkKind,
    pub container: Option<String>,
    /// Workspace-relative path.
    pub path: String,
    pub start_line: u32,
    pub end_line: u32,
    pub lang: String,
}

fn term_query(field: Field, text: &str, boost: f32) -> Box<dyn Query> {
    let q: Box<dyn Query> = Box::new(TermQuery::new(
        Term::from_field_text(field, text),
        IndexRecordOption::WithFreqs,
    ));
    if (boost - 1.0).abs() < f32::EPSILON {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// The disjunction of `terms` over symbol, body and (optionally) path.
fn text_query(fields: &Fields, terms: &[String], with_path: bool) -> BooleanQuery {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for term in terms {
        clauses.push((Occur::Should, term_query(fields.symbol, term, SYMBOL_BOOST)));
        clauses.push((Occur::Should, term_query(fields.body, term, 1.0)));
        clauses.push((
            Occur::Should,
            term_query(fields.container_text, term, CONTAINER_BOOST),
        ));
        if with_path {
            clauses.push((
                Occur::Should,
                term_query(fields.path_text, term, PATH_BOOST),
            ));
        }
    }
    BooleanQuery::new(clauses)
}

fn dedup(terms: Vec<String>) -> Vec<String> {
    let mut seen = HashSet::new();
    terms
        .into_iter()
        .filter(|t| seen.insert(t.clone()))
        .collect()
}

/// The terms of a free-text query: its code tokens, stemmed as the index is, without English
/// function words ("Sends a GET request." asks for `send`, `get`, `request`) unless the query
/// has nothing else.
fn query_terms(query: &str) -> Vec<String> {
    let words = analyze(&mut ident_analyzer(), query);
    let content: Vec<&String> = words
        .iter()
        .filter(|w| !ENGLISH_STOP_WORDS.contains(&w.as_str()))
        .collect();
    let kept = if content.is_empty() {
        words.iter().collect()
    } else {
        content
    };
    dedup(
        kept.into_iter()
            .map(|w| {
                let mut w = w.clone();
                light_stem(&mut w);
                w
            })
            .collect(),
    )
}

/// Free-text search.
pub fn search(
    searcher: &Searcher,
    fields: &Fields,
    query: &str,
    limit: usize,
    filters: &SearchFilters,
) -> Result<Vec<SearchHit>, IndexError> {
    let query_text = query;
    let terms = query_terms(query);
    if terms.is_empty() || limit == 0 {
        return Ok(Vec::new());
    }
    let mut clauses: Vec<(Occur, Box<dyn Query>)> =
        vec![(Occur::Must, Box::new(text_query(fields, &terms, true)))];
    if let Some(lang) = &filters.lang {
        clauses.push((Occur::Must, term_query(fields.lang, lang, 1.0)));
    }
    if let Some(kind) = &filters.kind {
        clauses.push((Occur::Must, term_query(fields.kind, kind, 1.0)));
    }
    let glob = match &filters.path_glob {
        Some(g) => Some(
            globset::Glob::new(g)
                .map_err(|e| IndexError::BadQuery(format!("bad path glob `{g}`: {e}")))?
                .compile_matcher(),
        ),
        None => None,
    };
    let fetch = if glob.is_some() {
        limit.saturating_mul(10).max(200)
    } else {
        limit
    };
    let query = BooleanQuery::new(clauses);
    let top = searcher.search(&query, &weighted_top(fetch, TEST_WEIGHT))?;
    let words: Vec<String> = dedup(analyze(&mut ident_analyzer(), query_text))
        .into_iter()
        .filter(|w| w.len() >= 2)
        .collect();
    let mut hits = Vec::new();
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let Some(chunk) = fields.chunk_of(&doc) else {
            continue;
        };
        if glob.as_ref().is_some_and(|g| !g.is_match(&chunk.path)) {
            continue;
        }
        hits.push(SearchHit {
            snippet: snippet(&chunk.text, &words),
            path: chunk.path,
            start_line: chunk.start_line,
            end_line: chunk.end_line,
            symbol: chunk.symbol,
            kind: chunk.kind,
            lang: chunk.lang,
            score,
        });
        if hits.len() >= limit {
            break;
        }
    }
    Ok(hits)
}

/// The best `limit` documents by score, with the scores of test chunks multiplied by
/// `test_weight` and those of prose chunks by [`PROSE_WEIGHT`].
fn weighted_top(
    limit: usize,
    test_weight: f32,
) -> impl Collector<Fruit = Vec<(Score, DocAddress)>> {
    TopDocs::with_limit(limit).tweak_score(move |segment: &SegmentReader| {
        let (tests, prose) = (flag_column(segment, "test"), flag_column(segment, "prose"));
        move |doc: DocId, score: Score| {
            let mut score = score;
            if is_set(&tests, doc) {
                score *= test_weight;
            }
            if is_set(&prose, doc) {
                score *= PROSE_WEIGHT;
            }
            score
        }
    })
}

type FlagColumn = Option<Arc<dyn ColumnValues<u64>>>;

/// A 0/1 fast field of `segment`; `None` when the segment has no such field (every doc reads 0).
fn flag_column(segment: &SegmentReader, name: &str) -> FlagColumn {
    segment
        .fast_fields()
        .u64(name)
        .ok()
        .map(|column| column.first_or_default_col(0))
}

fn is_set(column: &FlagColumn, doc: DocId) -> bool {
    column.as_ref().is_some_and(|c| c.get_val(doc) == 1)
}

/// Up to three lines of `text` around the line containing most of `words`, at most 300 bytes.
pub fn snippet(text: &str, words: &[String]) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut best = (0usize, 0usize);
    for (i, line) in lines.iter().enumerate() {
        let lower = line.to_lowercase();
        let score = words.iter().filter(|w| lower.contains(w.as_str())).count();
        if score > best.1 {
            best = (i, score);
        }
    }
    let from = best.0.saturating_sub(if best.1 > 0 { 1 } else { 0 });
    let mut out = String::new();
    for line in lines.iter().skip(from).take(3) {
        if !out.is_empty() {
            out.push('\n');
        }
        out.push_str(line.trim_end());
    }
    if out.len() > 300 {
        let mut cut = 300;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// Symbol look-up for `workspace/symbol`: every identifier part of `query` must prefix a part of
/// the name (or the whole query prefixes the whole name); exact and prefix matches come first.
pub fn symbols(
    searcher: &Searcher,
    fields: &Fields,
    query: &str,
    limit: usize,
) -> Result<Vec<SymbolHit>, IndexError> {
    if limit == 0 {
        return Ok(Vec::new());
    }
    let tokens = dedup(analyze(&mut ident_analyzer(), query));
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    if tokens.is_empty() {
        clauses.push((Occur::Must, Box::new(AllQuery)));
        clauses.push((Occur::Must, term_query(fields.doctype, DOCTYPE_CHUNK, 1.0)));
        for kind in [ChunkKind::Code, ChunkKind::Section, ChunkKind::Window] {
            clauses.push((Occur::MustNot, term_query(fields.kind, kind.as_str(), 1.0)));
        }
    } else {
        // `symbol_ident` holds only the names of definitions, so no other filter is needed.
        let prefix = |t: &str| -> Result<Box<dyn Query>, IndexError> {
            let clauses: Vec<(Occur, Box<dyn Query>)> =
                expand_prefix(searcher, fields.symbol_ident, t, PREFIX_TERMS)?
                    .into_iter()
                    .map(|term| (Occur::Should, term_query(fields.symbol_ident, &term, 1.0)))
                    .collect();
            Ok(Box::new(BooleanQuery::new(clauses)))
        };
        let whole = query.trim().to_lowercase();
        let mut alternatives: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        if !whole.is_empty() && whole.chars().all(|c| c.is_alphanumeric() || c == '_') {
            alternatives.push((
                Occur::Should,
                Box::new(BoostQuery::new(prefix(&whole)?, 2.0)),
            ));
        }
        // Parts: skip the first token when the query had several parts (it is the whole).
        let parts: Vec<&String> = if tokens.len() > 1 {
            tokens.iter().skip(1).collect()
        } else {
            tokens.iter().collect()
        };
        let mut all_parts: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for part in parts {
            all_parts.push((Occur::Must, prefix(part)?));
        }
        alternatives.push((Occur::Should, Box::new(BooleanQuery::new(all_parts))));
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(alternatives))));
    }
    let query_lower = query.trim().to_lowercase();
    let top = searcher.search(
        &BooleanQuery::new(clauses),
        &TopDocs::with_limit(limit.saturating_mul(2).max(20)).order_by_score(),
    )?;
    let mut hits: Vec<(u8, f32, SymbolHit)> = Vec::new();
    for (score, addr) in top {
        let doc: TantivyDocument = searcher.doc(addr)?;
        let Some(chunk) = fields.chunk_of(&doc) else {
            continue;
        };
        let Some(name) = chunk.symbol else {
            continue;
        };
        let lower = name.to_lowercase();
        let rank = if query_lower.is_empty() || lower == query_lower {
            0
        } else if lower.starts_with(&query_lower) {
            1
        } else if lower.contains(&query_lower) {
            2
        } else {
            3
        };
        hits.push((
            rank,
            score,
            SymbolHit {
                name,
                kind: chunk.kind,
                container: chunk.container,
                path: chunk.path,
                start_line: chunk.start_line,
                end_line: chunk.end_line,
                lang: chunk.lang,
            },
        ));
    }
    hits.sort_by(|a, b| {
        a.0.cmp(&b.0)
            .then(b.1.total_cmp(&a.1))
            .then_with(|| a.2.path.cmp(&b.2.path))
            .then(a.2.start_line.cmp(&b.2.start_line))
    });
    // Windows of one oversized definition share a name: keep the first.
    let mut seen = HashSet::new();
    Ok(hits
        .into_iter()
        .map(|(_, _, h)| h)
        .filter(|h| seen.insert((h.path.clone(), h.name.clone(), h.kind, h.container.clone())))
        .take(limit)
        .collect())
}

/// Terms of a prefix a symbol look-up expands to; the shortest are kept, so a short prefix
/// (`get`, `test`) stays cheap.
const PREFIX_TERMS: usize = 64;
/// Terms scanned per segment when expanding a prefix.
const PREFIX_SCAN: usize = 512;

/// Indexed terms of `field` that start with `prefix`, shortest first, at most `cap`.
fn expand_prefix(
    searcher: &Searcher,
    field: Field,
    prefix: &str,
    cap: usize,
) -> Result<Vec<String>, IndexError> {
    let mut found: HashSet<String> = HashSet::new();
    for segment in searcher.segment_readers() {
        let inverted = segment.inverted_index(field)?;
        let mut stream = inverted
            .terms()
            .range()
            .ge(prefix.as_bytes())
            .into_stream()
            .map_err(|e| IndexError::Other(format!("reading the term dictionary: {e}")))?;
        let mut scanned = 0;
        while stream.advance() && scanned < PREFIX_SCAN {
            let key = stream.key();
            if !key.starts_with(prefix.as_bytes()) {
                break;
            }
            scanned += 1;
            if let Ok(term) = std::str::from_utf8(key) {
                found.insert(term.to_string());
            }
        }
    }
    let mut terms: Vec<String> = found.into_iter().collect();
    terms.sort_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    terms.truncate(cap);
    Ok(terms)
}

/// What to find related chunks for.
pub struct RelatedRequest<'a> {
    pub lang: Lang,
    pub node_text: &'a str,
    /// Workspace-relative path of the node's file.
    pub node_path: &'a str,
    /// 1-based inclusive lines of the node, excluded from the results.
    pub node_lines: (u32, u32),
    pub budget_tokens: usize,
}

/// Chunks related to a syntax node: the query is made of the identifiers it uses, its name and
/// its doc comment; the node itself is excluded, at most [`RELATED_PER_FILE`] chunks come from
/// one file, `allow` vets each path, and the total stays within the token budget.
pub fn related(
    searcher: &Searcher,
    fields: &Fields,
    request: &RelatedRequest<'_>,
    allow: &dyn Fn(&str) -> bool,
) -> Result<Vec<Chunk>, IndexError> {
    let words = node_words(request.lang, request.node_text);
    let mut analyzer = code_analyzer();
    let mut terms = Vec::new();
    for word in &words {
        terms.extend(analyze(&mut analyzer, word));
    }
    let mut terms = dedup(terms);
    terms.retain(|t| t.len() >= 2 && !STOP_TERMS.contains(&t.as_str()));
    // Longer identifiers are more specific.
    terms.sort_by_key(|t| std::cmp::Reverse(t.len()));
    terms.truncate(RELATED_TERMS);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let query = text_query(fields, &terms, false);
    let top = searcher.search(&query, &weighted_top(60, 1.0))?;
    let mut per_file: HashMap<String, usize> = HashMap::new();
    let mut left = request.budget_tokens;
    let mut out = Vec::new();
    for (_, addr) in top {
        if left < 32 {
            break;
        }
        let doc: TantivyDocument = searcher.doc(addr)?;
        let Some(chunk) = fields.chunk_of(&doc) else {
            continue;
        };
        let (from, to) = request.node_lines;
        if chunk.path == request.node_path && chunk.start_line <= to && chunk.end_line >= from {
            continue;
        }
        if per_file.get(&chunk.path).copied().unwrap_or(0) >= RELATED_PER_FILE {
            continue;
        }
        if !allow(&chunk.path) {
            continue;
        }
        let cost = chunk.estimated_tokens();
        if cost > left {
            continue;
        }
        left -= cost;
        *per_file.entry(chunk.path.clone()).or_default() += 1;
        out.push(chunk);
    }
    Ok(out)
}

/// English function words dropped from free-text queries.
const ENGLISH_STOP_WORDS: [&str; 22] = [
    "a", "an", "the", "of", "to", "in", "is", "it", "be", "or", "on", "with", "as", "by", "at",
    "and", "for", "this", "that", "from", "are", "was",
];

/// Words too common in code to say anything about relatedness.
const STOP_TERMS: [&str; 40] = [
    "self", "this", "new", "len", "str", "string", "int", "none", "null", "nil", "true", "false",
    "return", "the", "and", "for", "not", "def", "fn", "let", "var", "const", "if", "else", "to",
    "of", "in", "is", "it", "be", "a", "an", "or", "on", "with", "as", "by", "at", "ok", "err",
];

/// Identifiers and comment words of a node, in order of appearance.
fn node_words(lang: Lang, text: &str) -> Vec<String> {
    let Ok(tree) = syntax::parse(lang, &Source::Str(text), None) else {
        return vec![text.to_string()];
    };
    let mut out = Vec::new();
    let mut cursor = tree.walk();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        let kind = node.kind();
        if kind.contains("comment")
            || (kind.contains("identifier") && node.child_count() == 0)
            || kind == "constant"
        {
            if let Ok(t) = node.utf8_text(text.as_bytes()) {
                out.push(t.to_string());
            }
            continue;
        }
        // Docstrings are strings right at the start of a body; cheap approximation: keep
        // strings that contain spaces (prose), skip the rest.
        if kind == "string"
            && node
                .utf8_text(text.as_bytes())
                .is_ok_and(|t| t.contains(' ') && t.len() > 20)
        {
            if let Ok(t) = node.utf8_text(text.as_bytes()) {
                out.push(t.to_string());
            }
            continue;
        }
        let children: Vec<_> = node.children(&mut cursor).collect();
        for child in children.into_iter().rev() {
            stack.push(child);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chunk(
        path: &str,
        kind: ChunkKind,
        symbol: &str,
        container: Option<&str>,
        text: &str,
    ) -> Chunk {
        Chunk {
            path: path.to_string(),
            lang: if path.ends_with(".py") {
                "python"
            } else {
                "markdown"
            }
            .to_string(),
            kind,
            symbol: Some(symbol.to_string()),
            container: container.map(str::to_string),
            start_line: 1,
            end_line: text.lines().count() as u32,
            text: text.to_string(),
        }
    }

    fn search_in(chunks: &[Chunk], query: &str) -> Vec<SearchHit> {
        let (schema, fields) = super::super::schema::build_schema();
        let index = tantivy::Index::create_in_ram(schema);
        super::super::schema::register_tokenizers(&index);
        let mut writer: tantivy::IndexWriter = index.writer(15_000_000).unwrap();
        for c in chunks {
            writer.add_document(fields.chunk_doc(c)).unwrap();
        }
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        search(&searcher, &fields, query, 10, &SearchFilters::default()).unwrap()
    }

    #[test]
    fn query_terms_drop_function_words_and_stem() {
        assert_eq!(
            query_terms("Sends a GET request."),
            ["send", "get", "request"]
        );
        assert_eq!(query_terms("Is it tagged?"), ["tag"]);
        // Nothing but function words: keep them.
        assert_eq!(query_terms("to be or"), ["to", "be", "or"]);
    }

    #[test]
    fn code_outranks_prose_that_matches_as_well() {
        let text = "def load_config(path):\n    return read_config_file(path)\n";
        let chunks = [
            chunk(
                "docs/config.md",
                ChunkKind::Section,
                "load_config",
                None,
                text,
            ),
            chunk(
                "app/config.py",
                ChunkKind::Function,
                "load_config",
                None,
                text,
            ),
        ];
        let hits = search_in(&chunks, "load config");
        let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, ["app/config.py", "docs/config.md"]);
    }

    #[test]
    fn container_names_count() {
        let text = "def dumps(self, obj):\n    return encode(obj)\n";
        let chunks = [
            chunk("a.py", ChunkKind::Method, "dumps", Some("Pickler"), text),
            chunk(
                "b.py",
                ChunkKind::Method,
                "dumps",
                Some("JSONProvider"),
                text,
            ),
        ];
        let hits = search_in(&chunks, "Dumps the object as JSON.");
        let paths: Vec<&str> = hits.iter().map(|h| h.path.as_str()).collect();
        assert_eq!(paths, ["b.py", "a.py"]);
    }

    #[test]
    fn snippet_picks_matching_lines() {
        let text = "fn a() {\n    let x = 1;\n    open_index(x);\n    done();\n}\n";
        let s = snippet(text, &["open".to_string(), "index".to_string()]);
        assert_eq!(s, "    let x = 1;\n    open_index(x);\n    done();");
    }

    #[test]
    fn node_words_collects_identifiers_and_comments() {
        let words = node_words(
            Lang::Rust,
            "/// Opens it.\nfn open(dir: &Path) -> Index { Index::open_in_dir(dir) }",
        );
        assert!(words.contains(&"open_in_dir".to_string()), "{words:?}");
        assert!(words.contains(&"Path".to_string()), "{words:?}");
        assert!(words.iter().any(|w| w.contains("Opens it")), "{words:?}");
    }
}
