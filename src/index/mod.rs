//! Local tantivy index of the workspace: chunking, storage, search and retrieval.
//!
//! [`IndexHandle`] is the whole API: open the index of a workspace root, [`refresh`] it
//! (re-indexes only files whose content hash changed, forgets deleted ones), queue single-file
//! updates from the editor ([`update_file`], [`remove_file`]), and query it ([`search`],
//! [`symbols`], [`related`]). Handles are cheap to clone, `Send + Sync`, and every method blocks
//! only the calling thread (call them from `spawn_blocking` in async code). Writes go through
//! one writer thread per process that batches commits; between processes, the writer lock in the
//! workspace's cache directory decides who writes (see [`store`]).
//!
//! [`refresh`]: IndexHandle::refresh
//! [`update_file`]: IndexHandle::update_file
//! [`remove_file`]: IndexHandle::remove_file
//! [`search`]: IndexHandle::search
//! [`symbols`]: IndexHandle::symbols
//! [`related`]: IndexHandle::related

pub mod chunk;
mod outline;
pub mod schema;
pub mod search;
pub mod store;
pub mod tokenizer;
pub mod walk;
mod writer;

use std::collections::{HashMap, HashSet, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak, mpsc};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rayon::prelude::*;
use sha2::{Digest, Sha256};
use tantivy::collector::{Count, DocSetCollector};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, TantivyDocument, Term};

pub use chunk::{Chunk, ChunkKind};
pub use schema::FileRecord;
pub use search::{DEFAULT_RELATED_BUDGET, SearchFilters, SearchHit, SymbolHit};
pub use store::FORMAT_VERSION;

use crate::syntax::Lang;
use schema::{DOCTYPE_CHUNK, DOCTYPE_FILE, Fields};
use walk::{SkipReason, WalkEntry};
use writer::Op;

/// Errors of the index.
#[derive(Debug, Clone, thiserror::Error)]
pub enum IndexError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: Arc<std::io::Error>,
    },
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    #[error(
        "the index in {} is being written by another codomyrmex process{}; waited {:.1} s. \
         Searching still works; try again when that process is done",
        dir.display(),
        holder.map(|p| format!(" (pid {p})")).unwrap_or_default(),
        waited.as_secs_f32()
    )]
    Locked {
        dir: PathBuf,
        holder: Option<u32>,
        waited: Duration,
    },
    #[error("no index for {} yet (looked in {}); run `codomyrmex index {}` first", root.display(), dir.display(), root.display())]
    NotFound { root: PathBuf, dir: PathBuf },
    #[error("{} is outside the workspace {}", path.display(), root.display())]
    OutsideWorkspace { path: PathBuf, root: PathBuf },
    #[error("{0}")]
    BadQuery(String),
    #[error("the index writer stopped unexpectedly")]
    WriterGone,
    #[error("an index lock was poisoned by a panic")]
    Poisoned,
    #[error("{0}")]
    Other(String),
}

/// How to open an index.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Cache directory; defaults to [`crate::config::paths::cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// How long to wait for another process's writer lock before giving up.
    pub lock_wait: Duration,
    /// Oldest an uncommitted change gets before it is committed.
    pub commit_interval: Duration,
    /// Idle time after which the writer commits and releases the lock.
    pub idle_release: Duration,
    /// Create a missing index (otherwise [`IndexError::NotFound`]).
    pub create: bool,
    /// Threads reading and chunking files during a refresh; `None` uses rayon's global pool
    /// (all cores). A server may want fewer to stay responsive.
    pub threads: Option<usize>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            cache_dir: None,
            lock_wait: Duration::from_secs(30),
            commit_interval: Duration::from_secs(2),
            idle_release: Duration::from_secs(5),
            create: true,
            threads: None,
        }
    }
}

/// Where a refresh is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Listing the workspace.
    Walking,
    /// Reading, chunking and queueing changed files: `done` of `total`.
    Indexing,
    /// Waiting for the final commit.
    Committing,
}

/// Progress report of a refresh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    pub phase: Phase,
    pub done: usize,
    pub total: usize,
}

/// What a refresh did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RefreshStats {
    /// Files the walk found (indexable by name).
    pub files_seen: usize,
    /// Files (re)indexed because they are new or their content changed.
    pub files_indexed: usize,
    /// Files whose content was unchanged.
    pub files_unchanged: usize,
    /// Files removed from the index (deleted, or now ignored).
    pub files_removed: usize,
    /// Files left out (binary, huge, generated, lock files).
    pub files_skipped: usize,
    /// Files that could not be read.
    pub files_failed: usize,
    /// Chunks written.
    pub chunks: usize,
    /// Bytes of the files read and indexed.
    pub bytes: u64,
    pub elapsed: Duration,
}

/// State of an index, for `doctor`, logs and status notifications.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexStatus {
    pub root: PathBuf,
    pub dir: PathBuf,
    /// Files recorded (indexed or deliberately skipped).
    pub files: u64,
    pub chunks: u64,
    /// Time of the last commit (by any process).
    pub last_update: Option<SystemTime>,
    /// Recent problems (newest last), at most [`MAX_ERRORS`].
    pub errors: Vec<String>,
    /// Why the index was (re)created when this process opened it.
    pub rebuilt: Option<String>,
    /// Pid of the process holding the writer lock, if any.
    pub writer_pid: Option<u32>,
    /// Bytes on disk.
    pub size_bytes: u64,
    pub format_version: u32,
}

/// Errors kept for [`IndexStatus::errors`].
pub const MAX_ERRORS: usize = 20;

/// A shared handle on the index of one workspace.
#[derive(Clone)]
pub struct IndexHandle {
    inner: Arc<Inner>,
}

// Shared across threads and tasks (`spawn_blocking`).
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<IndexHandle>();
};

impl std::fmt::Debug for IndexHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IndexHandle")
            .field("root", &self.inner.root)
            .field("dir", &self.inner.dir)
            .finish()
    }
}

struct Inner {
    root: PathBuf,
    ws_dir: PathBuf,
    dir: PathBuf,
    index: Index,
    reader: IndexReader,
    fields: Fields,
    options: OpenOptions,
    writer_slot: Mutex<Option<writer::Slot>>,
    state: Mutex<State>,
    refreshing: Mutex<()>,
    /// Set while a refresh runs: the writer commits rarely.
    bulk: AtomicBool,
}

#[derive(Default)]
struct State {
    errors: VecDeque<String>,
    last_commit: Option<SystemTime>,
    rebuilt: Option<String>,
}

impl Inner {
    fn record_error(&self, message: String) {
        if let Ok(mut state) = self.state.lock() {
            if state.errors.len() >= MAX_ERRORS {
                state.errors.pop_front();
            }
            state.errors.push_back(message);
        }
    }

    fn note_commit(&self, time: SystemTime) {
        if let Ok(mut state) = self.state.lock() {
            state.last_commit = Some(time);
        }
    }
}

/// Open handles of this process by index directory, so every caller shares one writer.
fn registry() -> &'static Mutex<HashMap<PathBuf, Weak<Inner>>> {
    static REGISTRY: OnceLock<Mutex<HashMap<PathBuf, Weak<Inner>>>> = OnceLock::new();
    REGISTRY.get_or_init(Default::default)
}

impl IndexHandle {
    /// Opens (creating if needed) the index of the workspace at `root`.
    pub fn open(root: &Path) -> Result<IndexHandle, IndexError> {
        IndexHandle::open_with(root, &OpenOptions::default())
    }

    /// Opens the index of `root` only if one exists ([`IndexError::NotFound`] otherwise).
    pub fn open_existing(root: &Path) -> Result<IndexHandle, IndexError> {
        IndexHandle::open_with(
            root,
            &OpenOptions {
                create: false,
                ..OpenOptions::default()
            },
        )
    }

    /// The nearest of `start` and its ancestors that has an index, if any.
    pub fn find_indexed_root(start: &Path, cache_dir: Option<&Path>) -> Option<PathBuf> {
        let cache = cache_dir
            .map(Path::to_path_buf)
            .unwrap_or_else(crate::config::paths::cache_dir);
        let start = start.canonicalize().ok()?;
        start
            .ancestors()
            .find(|dir| store::index_exists(&store::workspace_dir(&cache, dir)))
            .map(Path::to_path_buf)
    }

    /// Opens with explicit options. Opening an index this process already has open returns
    /// the same shared handle (with the options it was first opened with).
    pub fn open_with(root: &Path, options: &OpenOptions) -> Result<IndexHandle, IndexError> {
        let root = root.canonicalize().map_err(|e| IndexError::Io {
            path: root.to_path_buf(),
            source: Arc::new(e),
        })?;
        let cache = options
            .cache_dir
            .clone()
            .unwrap_or_else(crate::config::paths::cache_dir);
        let ws_dir = store::workspace_dir(&cache, &root);
        let dir = store::index_dir(&ws_dir);
        let mut registry = registry().lock().map_err(|_| IndexError::Poisoned)?;
        if let Some(inner) = registry.get(&dir).and_then(Weak::upgrade) {
            return Ok(IndexHandle { inner });
        }
        let opened = store::open(&ws_dir, &root, options.create, options.lock_wait)?;
        if let Some(reason) = &opened.rebuilt
            && reason != "new index"
        {
            tracing::warn!("index: rebuilt {} ({reason})", dir.display());
        }
        let inner = Arc::new(Inner {
            root,
            ws_dir,
            dir: dir.clone(),
            index: opened.index,
            reader: opened.reader,
            fields: opened.fields,
            options: options.clone(),
            writer_slot: Mutex::new(None),
            state: Mutex::new(State {
                rebuilt: opened.rebuilt,
                ..State::default()
            }),
            refreshing: Mutex::new(()),
            bulk: AtomicBool::new(false),
        });
        registry.retain(|_, weak| weak.strong_count() > 0);
        registry.insert(dir, Arc::downgrade(&inner));
        Ok(IndexHandle { inner })
    }

    /// The canonical workspace root.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The tantivy directory.
    pub fn dir(&self) -> &Path {
        &self.inner.dir
    }

    /// Brings the index up to date with the workspace: new and changed files (by content hash)
    /// are indexed, deleted and newly ignored ones removed. Returns once everything is committed.
    /// Fails early with [`IndexError::Locked`] when another process keeps the writer lock.
    pub fn refresh(&self, progress: impl Fn(Progress)) -> Result<RefreshStats, IndexError> {
        self.refresh_inner(false, &progress)
    }

    /// Forgets everything and indexes the workspace from scratch.
    pub fn rebuild(&self, progress: impl Fn(Progress)) -> Result<RefreshStats, IndexError> {
        self.refresh_inner(true, &progress)
    }

    fn refresh_inner(
        &self,
        clear: bool,
        progress: &dyn Fn(Progress),
    ) -> Result<RefreshStats, IndexError> {
        let started = Instant::now();
        let _one_at_a_time = self
            .inner
            .refreshing
            .lock()
            .map_err(|_| IndexError::Poisoned)?;
        self.inner.bulk.store(true, Ordering::Relaxed);
        let result = self.refresh_locked(clear, started, progress);
        self.inner.bulk.store(false, Ordering::Relaxed);
        result
    }

    fn refresh_locked(
        &self,
        clear: bool,
        started: Instant,
        progress: &dyn Fn(Progress),
    ) -> Result<RefreshStats, IndexError> {
        progress(Progress {
            phase: Phase::Walking,
            done: 0,
            total: 0,
        });
        // Make sure we can write before doing any work.
        self.flush()?;
        let known = if clear {
            self.send(Op::Clear)?;
            HashMap::new()
        } else {
            self.file_table()?
        };
        let root = self.inner.root.clone();
        let (entries, skipped_by_name) = walk::walk(&root);
        let mut stats = RefreshStats {
            files_seen: entries.len(),
            files_skipped: skipped_by_name.len(),
            ..RefreshStats::default()
        };
        let present: HashSet<&str> = entries.iter().map(|e| e.rel.as_str()).collect();
        for path in known.keys() {
            if !present.contains(path.as_str()) {
                self.send(Op::Remove(path.clone()))?;
                stats.files_removed += 1;
            }
        }
        let candidates: Vec<&WalkEntry> = entries
            .iter()
            .filter(|e| match known.get(&e.rel) {
                Some(k) => k.mtime_ns != e.mtime_ns || k.size != e.size || e.mtime_ns == 0,
                None => true,
            })
            .collect();
        stats.files_unchanged = entries.len() - candidates.len();
        let total = candidates.len();
        progress(Progress {
            phase: Phase::Indexing,
            done: 0,
            total,
        });
        let pool = match self.inner.options.threads {
            Some(n) => Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n.max(1))
                    .thread_name(|i| format!("codomyrmex-index-{i}"))
                    .build()
                    .map_err(|e| IndexError::Other(format!("cannot start index threads: {e}")))?,
            ),
            None => None,
        };
        let mut done = 0;
        for batch in candidates.chunks(64) {
            let work = || -> Vec<Prepared> {
                batch
                    .par_iter()
                    .map(|entry| prepare(entry, known.get(&entry.rel)))
                    .collect()
            };
            let prepared = match &pool {
                Some(pool) => pool.install(work),
                None => work(),
            };
            for item in prepared {
                match item {
                    Prepared::Unchanged(file) => {
                        stats.files_unchanged += 1;
                        self.send(Op::Touch(file))?;
                    }
                    Prepared::Skipped(file) => {
                        stats.files_skipped += 1;
                        self.send(Op::Upsert {
                            file,
                            chunks: Vec::new(),
                        })?;
                    }
                    Prepared::Indexed { file, chunks } => {
                        stats.files_indexed += 1;
                        stats.chunks += chunks.len();
                        stats.bytes += file.size;
                        self.send(Op::Upsert { file, chunks })?;
                    }
                    Prepared::Failed(message) => {
                        stats.files_failed += 1;
                        tracing::debug!("index: {message}");
                        self.inner.record_error(message);
                    }
                }
            }
            done += batch.len();
            progress(Progress {
                phase: Phase::Indexing,
                done,
                total,
            });
        }
        progress(Progress {
            phase: Phase::Committing,
            done: total,
            total,
        });
        self.flush()?;
        stats.elapsed = started.elapsed();
        Ok(stats)
    }

    /// Re-indexes one file from `text` (the editor's content; `path` absolute or
    /// workspace-relative). Queued; committed within the commit interval. Ignored files are
    /// left alone.
    pub fn update_file(&self, path: &Path, text: &str) -> Result<(), IndexError> {
        let rel = self.relative(path)?;
        if walk::is_excluded(&self.inner.root, &rel) {
            return Ok(());
        }
        if walk::skip_by_name(&rel).is_some() {
            return self.send(Op::Remove(rel));
        }
        let bytes = text.as_bytes();
        let mut file = FileRecord {
            path: rel.clone(),
            hash: hex::encode(Sha256::digest(bytes)),
            // 0: the next refresh re-reads the file and compares hashes.
            mtime_ns: 0,
            size: bytes.len() as u64,
            lang: chunk::FileKind::of(Path::new(&rel)).lang_name().to_string(),
            skip: None,
            chunks: 0,
        };
        if let Some(reason) = walk::skip_by_content(bytes) {
            file.skip = Some(reason.as_str().to_string());
            return self.send(Op::Upsert {
                file,
                chunks: Vec::new(),
            });
        }
        let chunks = chunk::chunk_file(&rel, text);
        file.chunks = chunks.len() as u64;
        self.send(Op::Upsert { file, chunks })
    }

    /// Forgets one file (`path` absolute or workspace-relative). Queued.
    pub fn remove_file(&self, path: &Path) -> Result<(), IndexError> {
        let rel = self.relative(path)?;
        self.send(Op::Remove(rel))
    }

    /// Commits everything queued so far and waits for it.
    pub fn flush(&self) -> Result<(), IndexError> {
        let (tx, rx) = mpsc::channel();
        self.send(Op::Flush(tx))?;
        rx.recv().map_err(|_| IndexError::WriterGone)?
    }

    /// Commits what is queued, waits for background merges and releases the writer lock.
    /// Call before the process exits (the CLI does; the server on `shutdown`). The handle stays
    /// usable: a later write starts a new writer.
    pub fn close(&self) -> Result<(), IndexError> {
        writer::shutdown(&self.inner)
    }

    /// Free-text search over symbols, bodies and paths; best first.
    pub fn search(
        &self,
        query: &str,
        limit: usize,
        filters: &SearchFilters,
    ) -> Result<Vec<SearchHit>, IndexError> {
        let searcher = self.inner.reader.searcher();
        search::search(&searcher, &self.inner.fields, query, limit, filters)
    }

    /// Definitions whose name matches `query` (prefixes of its identifier parts), for
    /// `workspace/symbol`. An empty query lists some symbols.
    pub fn symbols(&self, query: &str, limit: usize) -> Result<Vec<SymbolHit>, IndexError> {
        let searcher = self.inner.reader.searcher();
        search::symbols(&searcher, &self.inner.fields, query, limit)
    }

    /// Chunks related to a syntax node, for prompts: the query is built from the identifiers the
    /// node uses, its name and doc comment; the node itself (`node_path`, 1-based inclusive
    /// `node_lines`) is excluded, at most two chunks come from one file, the total stays within
    /// `budget_tokens` (see [`DEFAULT_RELATED_BUDGET`]), and `allow(workspace_relative_path)`
    /// can veto files (local-only paths for a remote provider).
    pub fn related(
        &self,
        lang: Lang,
        node_text: &str,
        node_path: &Path,
        node_lines: (u32, u32),
        budget_tokens: usize,
        allow: impl Fn(&str) -> bool,
    ) -> Result<Vec<Chunk>, IndexError> {
        let rel = self.relative(node_path).unwrap_or_default();
        let searcher = self.inner.reader.searcher();
        let request = search::RelatedRequest {
            lang,
            node_text,
            node_path: &rel,
            node_lines,
            budget_tokens,
        };
        search::related(&searcher, &self.inner.fields, &request, &allow)
    }

    /// Counts, last update, recent errors.
    pub fn status(&self) -> Result<IndexStatus, IndexError> {
        let searcher = self.inner.reader.searcher();
        let count = |doctype: &str| -> Result<u64, IndexError> {
            let query = TermQuery::new(
                Term::from_field_text(self.inner.fields.doctype, doctype),
                IndexRecordOption::Basic,
            );
            Ok(searcher.search(&query, &Count)? as u64)
        };
        let files = count(DOCTYPE_FILE)?;
        let chunks = count(DOCTYPE_CHUNK)?;
        let committed = self
            .inner
            .index
            .load_metas()
            .ok()
            .and_then(|meta| meta.payload)
            .and_then(|payload| serde_json::from_str::<serde_json::Value>(&payload).ok())
            .and_then(|v| v.get("time").and_then(|t| t.as_u64()))
            .map(|secs| UNIX_EPOCH + Duration::from_secs(secs));
        let state = self.inner.state.lock().map_err(|_| IndexError::Poisoned)?;
        let last_update = match (committed, state.last_commit) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        };
        Ok(IndexStatus {
            root: self.inner.root.clone(),
            dir: self.inner.dir.clone(),
            files,
            chunks,
            last_update,
            errors: state.errors.iter().cloned().collect(),
            rebuilt: state.rebuilt.clone(),
            writer_pid: store::lock_holder(&self.inner.ws_dir),
            size_bytes: dir_size(&self.inner.dir),
            format_version: FORMAT_VERSION,
        })
    }

    fn send(&self, op: Op) -> Result<(), IndexError> {
        writer::send(&self.inner, op)
    }

    fn relative(&self, path: &Path) -> Result<String, IndexError> {
        let root = &self.inner.root;
        let outside = || IndexError::OutsideWorkspace {
            path: path.to_path_buf(),
            root: root.clone(),
        };
        if path.is_relative() {
            return walk::relative(root, &root.join(path)).ok_or_else(outside);
        }
        if let Some(rel) = walk::relative(root, path) {
            return Ok(rel);
        }
        // Symlinked or non-canonical spellings of the root.
        let canonical = match path.canonicalize() {
            Ok(p) => p,
            Err(_) => path
                .parent()
                .and_then(|p| p.canonicalize().ok())
                .zip(path.file_name())
                .map(|(p, n)| p.join(n))
                .ok_or_else(outside)?,
        };
        walk::relative(root, &canonical).ok_or_else(outside)
    }

    /// Every file record in the index (as of the last commit).
    fn file_table(&self) -> Result<HashMap<String, FileRecord>, IndexError> {
        self.inner.reader.reload()?;
        let searcher = self.inner.reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(self.inner.fields.doctype, DOCTYPE_FILE),
            IndexRecordOption::Basic,
        );
        let addrs = searcher.search(&query, &DocSetCollector)?;
        let mut table = HashMap::with_capacity(addrs.len());
        for addr in addrs {
            let doc: TantivyDocument = searcher.doc(addr)?;
            if let Some(file) = self.inner.fields.file_of(&doc) {
                table.insert(file.path.clone(), file);
            }
        }
        Ok(table)
    }
}

enum Prepared {
    Unchanged(FileRecord),
    Skipped(FileRecord),
    Indexed {
        file: FileRecord,
        chunks: Vec<Chunk>,
    },
    Failed(String),
}

/// Reads, hashes and chunks one file (runs on the rayon pool).
fn prepare(entry: &WalkEntry, known: Option<&FileRecord>) -> Prepared {
    let lang = chunk::FileKind::of(Path::new(&entry.rel))
        .lang_name()
        .to_string();
    let mut file = FileRecord {
        path: entry.rel.clone(),
        hash: String::new(),
        mtime_ns: entry.mtime_ns,
        size: entry.size,
        lang,
        skip: None,
        chunks: 0,
    };
    if entry.size > walk::MAX_FILE_BYTES {
        file.skip = Some(SkipReason::TooLarge.as_str().to_string());
        return Prepared::Skipped(file);
    }
    let bytes = match std::fs::read(&entry.abs) {
        Ok(bytes) => bytes,
        Err(err) => return Prepared::Failed(format!("cannot read {}: {err}", entry.rel)),
    };
    file.size = bytes.len() as u64;
    file.hash = hex::encode(Sha256::digest(&bytes));
    if let Some(k) = known
        && k.hash == file.hash
    {
        file.skip = k.skip.clone();
        file.chunks = k.chunks;
        return Prepared::Unchanged(file);
    }
    if let Some(reason) = walk::skip_by_content(&bytes) {
        file.skip = Some(reason.as_str().to_string());
        return Prepared::Skipped(file);
    }
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
    };
    let chunks = chunk::chunk_file(&entry.rel, &text);
    file.chunks = chunks.len() as u64;
    Prepared::Indexed { file, chunks }
}

fn dir_size(dir: &Path) -> u64 {
    std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum()
        })
        .unwrap_or(0)
}
