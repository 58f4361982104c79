//! The tantivy schema: one document per chunk and one per file (content hash, mtime, size),
//! and the conversions between them and [`Chunk`]/[`FileRecord`].

use std::path::Path;

use tantivy::schema::{
    FAST, Field, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions, Value,
};
use tantivy::{Index, TantivyDocument};

use super::chunk::{Chunk, ChunkKind, FileKind};
use super::tokenizer::{
    BODY_TOKENIZER, CODE_TOKENIZER, IDENT_TOKENIZER, body_analyzer, code_analyzer, ident_analyzer,
};

/// `doctype` of chunk documents.
pub const DOCTYPE_CHUNK: &str = "chunk";
/// `doctype` of file documents.
pub const DOCTYPE_FILE: &str = "file";

/// Handles to every field.
#[derive(Debug, Clone, Copy)]
pub struct Fields {
    /// `chunk` or `file`.
    pub doctype: Field,
    /// Chunk documents: workspace-relative path (exact term, for filters and deletes).
    pub path: Field,
    /// Chunk documents: the path, tokenized, so queries can match directory and file names.
    pub path_text: Field,
    pub lang: Field,
    pub kind: Field,
    /// Name of the definition or heading, tokenized with stemming, stored.
    pub symbol: Field,
    /// Name of the definition, tokenized without stemming, for symbol look-up.
    pub symbol_ident: Field,
    pub container: Field,
    /// Chunk documents: the name of the enclosing class, impl, trait or module, tokenized.
    pub container_text: Field,
    pub body: Field,
    pub start_line: Field,
    pub end_line: Field,
    /// Chunk documents: 1 when the path looks like a test, 0 otherwise (fast field).
    pub test: Field,
    /// Chunk documents: 1 for prose (sections and windows of Markdown, reStructuredText and
    /// text documents), 0 otherwise (fast field).
    pub prose: Field,
    /// File documents: workspace-relative path (exact term).
    pub file_path: Field,
    pub hash: Field,
    pub mtime: Field,
    pub size: Field,
    /// File documents: why the file is not indexed, empty when it is.
    pub skip: Field,
    pub chunks: Field,
}

/// What the index remembers of a file, to re-index only what changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileRecord {
    pub path: String,
    /// Hex SHA-256 of the content.
    pub hash: String,
    pub mtime_ns: u64,
    pub size: u64,
    pub lang: String,
    /// Why the file is left out, if it is.
    pub skip: Option<String>,
    pub chunks: u64,
}

/// Builds the schema and the field handles.
pub fn build_schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = |tokenizer: &str, record: IndexRecordOption| {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(tokenizer)
                .set_index_option(record),
        )
    };
    let doctype = b.add_text_field("doctype", STRING);
    let path = b.add_text_field("path", STRING | STORED);
    let path_text = b.add_text_field(
        "path_text",
        text(CODE_TOKENIZER, IndexRecordOption::WithFreqs),
    );
    let lang = b.add_text_field("lang", STRING | STORED);
    let kind = b.add_text_field("kind", STRING | STORED);
    let symbol = b.add_text_field(
        "symbol",
        text(CODE_TOKENIZER, IndexRecordOption::WithFreqs).set_stored(),
    );
    let symbol_ident = b.add_text_field(
        "symbol_ident",
        text(IDENT_TOKENIZER, IndexRecordOption::Basic),
    );
    let container = b.add_text_field("container", STORED);
    let container_text = b.add_text_field(
        "container_text",
        text(CODE_TOKENIZER, IndexRecordOption::WithFreqs),
    );
    let body = b.add_text_field(
        "body",
        text(BODY_TOKENIZER, IndexRecordOption::WithFreqs).set_stored(),
    );
    let start_line = b.add_u64_field("start_line", STORED);
    let end_line = b.add_u64_field("end_line", STORED);
    let test = b.add_u64_field("test", FAST);
    let prose = b.add_u64_field("prose", FAST);
    let file_path = b.add_text_field("file_path", STRING | STORED);
    let hash = b.add_text_field("hash", STORED);
    let mtime = b.add_u64_field("mtime", STORED);
    let size = b.add_u64_field("size", STORED);
    let skip = b.add_text_field("skip", STORED);
    let chunks = b.add_u64_field("chunks", STORED);
    let fields = Fields {
        doctype,
        path,
        path_text,
        lang,
        kind,
        symbol,
        symbol_ident,
        container,
        container_text,
        body,
        start_line,
        end_line,
        test,
        prose,
        file_path,
        hash,
        mtime,
        size,
        skip,
        chunks,
    };
    (b.build(), fields)
}

/// Registers the analyzers the schema names; needed on every opened index.
pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(CODE_TOKENIZER, code_analyzer());
    index.tokenizers().register(BODY_TOKENIZER, body_analyzer());
    index
        .tokenizers()
        .register(IDENT_TOKENIZER, ident_analyzer());
}

impl Fields {
    /// The document of one chunk.
    pub fn chunk_doc(&self, chunk: &Chunk) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.doctype, DOCTYPE_CHUNK);
        doc.add_text(self.path, &chunk.path);
        doc.add_text(self.path_text, &chunk.path);
        doc.add_text(self.lang, &chunk.lang);
        doc.add_text(self.kind, chunk.kind.as_str());
        if let Some(symbol) = &chunk.symbol {
            doc.add_text(self.symbol, symbol);
            if chunk.kind.is_symbol() {
                doc.add_text(self.symbol_ident, symbol);
            }
        }
        if let Some(container) = &chunk.container {
            doc.add_text(self.container, container);
            doc.add_text(self.container_text, container);
        }
        doc.add_u64(self.test, u64::from(is_test_path(&chunk.path)));
        doc.add_u64(self.prose, u64::from(is_prose(chunk)));
        doc.add_text(self.body, &chunk.text);
        doc.add_u64(self.start_line, u64::from(chunk.start_line));
        doc.add_u64(self.end_line, u64::from(chunk.end_line));
        doc
    }

    /// The document of one file.
    pub fn file_doc(&self, file: &FileRecord) -> TantivyDocument {
        let mut doc = TantivyDocument::default();
        doc.add_text(self.doctype, DOCTYPE_FILE);
        doc.add_text(self.file_path, &file.path);
        doc.add_text(self.hash, &file.hash);
        doc.add_u64(self.mtime, file.mtime_ns);
        doc.add_u64(self.size, file.size);
        doc.add_text(self.lang, &file.lang);
        doc.add_text(self.skip, file.skip.as_deref().unwrap_or(""));
        doc.add_u64(self.chunks, file.chunks);
        doc
    }

    /// Reads a chunk document back.
    pub fn chunk_of(&self, doc: &TantivyDocument) -> Option<Chunk> {
        let text = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let num = |f: Field| doc.get_first(f).and_then(|v| v.as_u64());
        Some(Chunk {
            path: text(self.path)?,
            lang: text(self.lang).unwrap_or_default(),
            kind: text(self.kind)
                .and_then(|k| ChunkKind::from_name(&k))
                .unwrap_or(ChunkKind::Window),
            symbol: text(self.symbol),
            container: text(self.container),
            start_line: num(self.start_line).unwrap_or(1) as u32,
            end_line: num(self.end_line).unwrap_or(1) as u32,
            text: text(self.body).unwrap_or_default(),
        })
    }

    /// Reads a file document back.
    pub fn file_of(&self, doc: &TantivyDocument) -> Option<FileRecord> {
        let text = |f: Field| {
            doc.get_first(f)
                .and_then(|v| v.as_str())
                .map(str::to_string)
        };
        let num = |f: Field| doc.get_first(f).and_then(|v| v.as_u64());
        Some(FileRecord {
            path: text(self.file_path)?,
            hash: text(self.hash).unwrap_or_default(),
            mtime_ns: num(self.mtime).unwrap_or(0),
            size: num(self.size).unwrap_or(0),
            lang: text(self.lang).unwrap_or_default(),
            skip: text(self.skip).filter(|s| !s.is_empty()),
            chunks: num(self.chunks).unwrap_or(0),
        })
    }
}

/// Whether a chunk is prose: a piece of a Markdown, reStructuredText or plain text document.
pub fn is_prose(chunk: &Chunk) -> bool {
    matches!(
        FileKind::of(Path::new(&chunk.path)),
        FileKind::Markdown | FileKind::Rst | FileKind::Text
    )
}

/// Whether a workspace-relative path looks like a test file.
pub fn is_test_path(path: &str) -> bool {
    let mut parts = path.split('/').peekable();
    while let Some(part) = parts.next() {
        let last = parts.peek().is_none();
        if !last {
            if matches!(
                part,
                "test" | "tests" | "testing" | "__tests__" | "spec" | "specs"
            ) {
                return true;
            }
            continue;
        }
        let stem = part.split('.').next().unwrap_or(part);
        return stem.starts_with("test_")
            || stem.ends_with("_test")
            || stem.ends_with("_spec")
            || stem.ends_with("Test")
            || stem.ends_with("Tests")
            || stem == "conftest"
            || part.contains(".test.")
            || part.contains(".spec.");
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prose_chunks() {
        let chunk = |path: &str| Chunk {
            path: path.to_string(),
            lang: String::new(),
            kind: ChunkKind::Section,
            symbol: None,
            container: None,
            start_line: 1,
            end_line: 1,
            text: String::new(),
        };
        for path in ["README.md", "docs/api.rst", "NOTES.txt", "LICENSE"] {
            assert!(is_prose(&chunk(path)), "{path}");
        }
        for path in ["src/lib.rs", "app.py", "config.yaml", "data.csv"] {
            assert!(!is_prose(&chunk(path)), "{path}");
        }
    }

    #[test]
    fn test_paths() {
        for path in [
            "tests/test_api.py",
            "src/foo/tests/helpers.rs",
            "pkg/thing_test.go",
            "web/app.test.ts",
            "spec/models/user_spec.rb",
            "src/test/java/FooTest.java",
            "conftest.py",
            "test_x.py",
        ] {
            assert!(is_test_path(path), "{path}");
        }
        for path in [
            "src/lib.rs",
            "src/testing_utils.py",
            "latest.py",
            "contest/a.py",
            "tests",
        ] {
            assert!(!is_test_path(path), "{path}");
        }
    }
}
