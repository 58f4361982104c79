//! Where the index lives and how processes share it.
//!
//! Layout: `<cache_dir>/<first 16 hex digits of SHA-256 of the canonical workspace root>/` holds
//! `workspace.json` (the root, for humans and `doctor`), `writer.lock` + `writer.pid` (who may
//! write) and `index-v<FORMAT_VERSION>/` (the tantivy index). A new format version gets a new
//! directory, so an upgrade rebuilds from scratch and the old directory is removed.
//!
//! Writing, creating and repairing all happen under `writer.lock` (an `flock`, released by the OS
//! if the process dies). Readers take no lock: tantivy's commits are atomic renames of
//! `meta.json`, so a reader in another process always sees a consistent index.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};
use tantivy::directory::error::LockError;
use tantivy::directory::{Directory, DirectoryLock, Lock, MmapDirectory};
use tantivy::query::TermQuery;
use tantivy::schema::IndexRecordOption;
use tantivy::{Index, IndexReader, ReloadPolicy, Term};

use super::IndexError;
use super::schema::{DOCTYPE_FILE, Fields, build_schema, register_tokenizers};

/// Bumped whenever the schema, the tokenizer or the chunking changes what is stored.
pub const FORMAT_VERSION: u32 = 3;
const WRITER_LOCK_FILE: &str = "writer.lock";
const WRITER_PID_FILE: &str = "writer.pid";
const WORKSPACE_FILE: &str = "workspace.json";

/// The per-workspace directory under `cache_dir`.
pub fn workspace_dir(cache_dir: &Path, root: &Path) -> PathBuf {
    let digest = Sha256::digest(root.to_string_lossy().as_bytes());
    cache_dir.join(&hex::encode(digest)[..16])
}

/// The tantivy directory inside a workspace directory.
pub fn index_dir(ws_dir: &Path) -> PathBuf {
    ws_dir.join(format!("index-v{FORMAT_VERSION}"))
}

/// Whether an index exists in `ws_dir` (it may still be unreadable).
pub fn index_exists(ws_dir: &Path) -> bool {
    index_dir(ws_dir).join("meta.json").is_file()
}

fn io_err(path: &Path, err: std::io::Error) -> IndexError {
    IndexError::Io {
        path: path.to_path_buf(),
        source: Arc::new(err),
    }
}

/// Exclusive right to write (and create, and repair) the index of one workspace.
pub struct WriterLock {
    _lock: DirectoryLock,
    pid_file: PathBuf,
}

impl Drop for WriterLock {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.pid_file);
    }
}

/// The pid recorded by the process holding the writer lock, if any.
pub fn lock_holder(ws_dir: &Path) -> Option<u32> {
    std::fs::read_to_string(ws_dir.join(WRITER_PID_FILE))
        .ok()
        .and_then(|s| s.trim().parse().ok())
}

/// Takes the writer lock, retrying for up to `wait`.
pub fn acquire_writer_lock(ws_dir: &Path, wait: Duration) -> Result<WriterLock, IndexError> {
    std::fs::create_dir_all(ws_dir).map_err(|e| io_err(ws_dir, e))?;
    let dir = MmapDirectory::open(ws_dir).map_err(|e| IndexError::Other(e.to_string()))?;
    let lock = Lock {
        filepath: PathBuf::from(WRITER_LOCK_FILE),
        is_blocking: false,
    };
    let started = Instant::now();
    let mut announced = false;
    loop {
        match dir.acquire_lock(&lock) {
            Ok(lock) => {
                let pid_file = ws_dir.join(WRITER_PID_FILE);
                let _ = std::fs::write(&pid_file, std::process::id().to_string());
                return Ok(WriterLock {
                    _lock: lock,
                    pid_file,
                });
            }
            Err(LockError::LockBusy) if started.elapsed() < wait => {
                if !announced && started.elapsed() > Duration::from_millis(500) {
                    announced = true;
                    tracing::info!(
                        "index: another codomyrmex process{} is writing {}; waiting up to {} s",
                        holder_suffix(ws_dir),
                        ws_dir.display(),
                        wait.as_secs()
                    );
                }
                std::thread::sleep(Duration::from_millis(100));
            }
            Err(LockError::LockBusy) => {
                return Err(IndexError::Locked {
                    dir: ws_dir.to_path_buf(),
                    holder: lock_holder(ws_dir),
                    waited: started.elapsed(),
                });
            }
            Err(LockError::IoError(source)) => {
                return Err(IndexError::Io {
                    path: ws_dir.join(WRITER_LOCK_FILE),
                    source,
                });
            }
        }
    }
}

fn holder_suffix(ws_dir: &Path) -> String {
    lock_holder(ws_dir)
        .map(|pid| format!(" (pid {pid})"))
        .unwrap_or_default()
}

/// An opened index.
pub struct Opened {
    pub index: Index,
    pub reader: IndexReader,
    pub fields: Fields,
    /// Set when the index had to be (re)created, with the reason.
    pub rebuilt: Option<String>,
}

/// Opens the index of `root` in `ws_dir`. With `create`, a missing index is created and an
/// unreadable one (corrupt, or written by another schema) is wiped and recreated with a warning;
/// without, a missing index is [`IndexError::NotFound`] (an unreadable one is still repaired).
pub fn open(
    ws_dir: &Path,
    root: &Path,
    create: bool,
    wait: Duration,
) -> Result<Opened, IndexError> {
    let dir = index_dir(ws_dir);
    let problem = if index_exists(ws_dir) {
        match try_open(&dir) {
            Ok(opened) => return Ok(opened),
            Err(reason) => reason,
        }
    } else if create {
        String::new()
    } else {
        return Err(IndexError::NotFound {
            root: root.to_path_buf(),
            dir,
        });
    };
    // Creating or repairing: only under the writer lock, and check again once we hold it.
    let lock = acquire_writer_lock(ws_dir, wait)?;
    if index_exists(ws_dir) {
        match try_open(&dir) {
            Ok(opened) => return Ok(opened),
            Err(reason) => tracing::warn!(
                "index: {} is unreadable ({reason}); wiping it and rebuilding",
                dir.display()
            ),
        }
        std::fs::remove_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    }
    std::fs::create_dir_all(&dir).map_err(|e| io_err(&dir, e))?;
    let (schema, fields) = build_schema();
    let index = Index::create_in_dir(&dir, schema)?;
    register_tokenizers(&index);
    let reader = make_reader(&index)?;
    let workspace = serde_json::json!({ "root": root, "format_version": FORMAT_VERSION });
    let _ = std::fs::write(ws_dir.join(WORKSPACE_FILE), workspace.to_string());
    remove_old_versions(ws_dir);
    drop(lock);
    let rebuilt = if problem.is_empty() {
        "new index".to_string()
    } else {
        problem
    };
    Ok(Opened {
        index,
        reader,
        fields,
        rebuilt: Some(rebuilt),
    })
}

fn make_reader(index: &Index) -> Result<IndexReader, IndexError> {
    Ok(index
        .reader_builder()
        .reload_policy(ReloadPolicy::OnCommitWithDelay)
        .doc_store_cache_num_blocks(64)
        .try_into()?)
}

/// Opens and smoke-tests an existing index; the error is a human-readable reason.
fn try_open(dir: &Path) -> Result<Opened, String> {
    let attempt = || -> Result<Opened, String> {
        let index = Index::open_in_dir(dir).map_err(|e| e.to_string())?;
        let (schema, fields) = build_schema();
        if index.schema() != schema {
            return Err("it was written with another schema".to_string());
        }
        register_tokenizers(&index);
        let reader = make_reader(&index).map_err(|e| e.to_string())?;
        let searcher = reader.searcher();
        let query = TermQuery::new(
            Term::from_field_text(fields.doctype, DOCTYPE_FILE),
            IndexRecordOption::Basic,
        );
        let files = searcher
            .search(&query, &tantivy::collector::DocSetCollector)
            .map_err(|e| e.to_string())?;
        // Reading a stored document checks the doc store too.
        if let Some(addr) = files.iter().next() {
            searcher
                .doc::<tantivy::TantivyDocument>(*addr)
                .map_err(|e| e.to_string())?;
        }
        Ok(Opened {
            index,
            reader,
            fields,
            rebuilt: None,
        })
    };
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(attempt)) {
        Ok(result) => result,
        Err(_) => Err("reading it panicked".to_string()),
    }
}

fn remove_old_versions(ws_dir: &Path) {
    let current = index_dir(ws_dir);
    let Ok(entries) = std::fs::read_dir(ws_dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let is_index = path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with("index-v"));
        if is_index && path != current && path.is_dir() {
            tracing::info!("index: removing old index format {}", path.display());
            let _ = std::fs::remove_dir_all(&path);
        }
    }
}
