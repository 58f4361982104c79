//! The single writer of an index: a thread that owns the tantivy `IndexWriter` and the
//! workspace writer lock, applies queued operations and commits in batches (every
//! [`COMMIT_DOCS`] documents, or once the oldest uncommitted operation is `commit_interval` old,
//! or on an explicit flush). After `idle_release` without work it commits, drops the writer
//! and the lock (so another process may write) and exits; the next operation starts a new one.

use std::sync::atomic::Ordering;
use std::sync::mpsc::{Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, TryLockError, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use tantivy::{IndexWriter, TantivyDocument, Term};

use super::chunk::Chunk;
use super::schema::FileRecord;
use super::store::acquire_writer_lock;
use super::{IndexError, Inner};

/// Commit once this many documents are pending.
pub const COMMIT_DOCS: usize = 100_000;
/// Commit interval while a refresh is running (it flushes at its end anyway).
const BULK_COMMIT_INTERVAL: Duration = Duration::from_secs(30);
/// Memory budget of the writer (one indexing thread).
const WRITER_MEMORY: usize = 64_000_000;
/// Queue length between producers and the writer thread.
const QUEUE: usize = 512;

/// One queued change.
pub enum Op {
    /// Replace everything about a file.
    Upsert {
        file: FileRecord,
        chunks: Vec<Chunk>,
    },
    /// The content did not change, only its mtime: rewrite the file record.
    Touch(FileRecord),
    /// Forget a file.
    Remove(String),
    /// Forget everything.
    Clear,
    /// Commit now and report.
    Flush(mpsc::Sender<Result<(), IndexError>>),
}

/// The running writer thread, as seen by producers.
pub struct Slot {
    tx: SyncSender<Op>,
    thread: Option<JoinHandle<()>>,
}

/// Sends `op` to the writer thread, starting one when none is running.
pub fn send(inner: &Arc<Inner>, op: Op) -> Result<(), IndexError> {
    let mut slot = inner.writer_slot.lock().map_err(|_| IndexError::Poisoned)?;
    let mut op = op;
    for _ in 0..2 {
        if slot.is_none() {
            *slot = Some(spawn(inner)?);
        }
        let Some(running) = slot.as_ref() else {
            break;
        };
        match running.tx.send(op) {
            Ok(()) => return Ok(()),
            Err(mpsc::SendError(back)) => {
                // The thread died (it logs why); start a new one and retry once.
                *slot = None;
                op = back;
            }
        }
    }
    Err(IndexError::WriterGone)
}

/// Stops the writer thread, if any: it commits what is queued, lets running merges finish and
/// releases the lock. Blocks until then.
pub fn shutdown(inner: &Inner) -> Result<(), IndexError> {
    let running = inner
        .writer_slot
        .lock()
        .map_err(|_| IndexError::Poisoned)?
        .take();
    if let Some(Slot { tx, thread }) = running {
        drop(tx);
        if let Some(thread) = thread {
            thread.join().map_err(|_| IndexError::WriterGone)?;
        }
    }
    Ok(())
}

fn spawn(inner: &Arc<Inner>) -> Result<Slot, IndexError> {
    let (tx, rx) = mpsc::sync_channel(QUEUE);
    let inner = Arc::clone(inner);
    let thread = std::thread::Builder::new()
        .name("codomyrmex-index-writer".into())
        .spawn(move || run(inner, rx))
        .map_err(|e| IndexError::Other(format!("cannot start the index writer: {e}")))?;
    Ok(Slot {
        tx,
        thread: Some(thread),
    })
}

fn run(inner: Arc<Inner>, rx: Receiver<Op>) {
    let setup = acquire_writer_lock(&inner.ws_dir, inner.options.lock_wait).and_then(|lock| {
        let writer: IndexWriter<TantivyDocument> =
            inner.index.writer_with_num_threads(1, WRITER_MEMORY)?;
        Ok((lock, writer))
    });
    let (lock, writer) = match setup {
        Ok(pair) => pair,
        Err(err) => {
            tracing::warn!("index: cannot write: {err}");
            inner.record_error(err.to_string());
            fail_queued(&inner, &rx, &err);
            return;
        }
    };
    let mut state = WriterState {
        inner: &inner,
        writer,
        pending: 0,
        oldest: None,
    };
    loop {
        // A refresh flushes at its end: in between, commit rarely (each commit is a segment
        // to merge later).
        let interval = if inner.bulk.load(Ordering::Relaxed) {
            inner.options.commit_interval.max(BULK_COMMIT_INTERVAL)
        } else {
            inner.options.commit_interval
        };
        let timeout = match state.oldest {
            Some(t) => interval.saturating_sub(t.elapsed()),
            None => inner.options.idle_release,
        };
        match rx.recv_timeout(timeout) {
            Ok(op) => state.handle(op),
            Err(RecvTimeoutError::Timeout) if state.oldest.is_some() => {
                let _ = state.commit();
            }
            Err(RecvTimeoutError::Timeout) => {
                // Idle: give the lock back, unless something arrived meanwhile. `try_lock`:
                // a producer may hold the slot while it sends; then the next turn receives it.
                match inner.writer_slot.try_lock() {
                    Ok(mut slot) => match rx.try_recv() {
                        Ok(op) => {
                            drop(slot);
                            state.handle(op);
                        }
                        Err(_) => {
                            *slot = None;
                            break;
                        }
                    },
                    Err(TryLockError::WouldBlock) => {}
                    Err(TryLockError::Poisoned(_)) => break,
                }
            }
            Err(RecvTimeoutError::Disconnected) => {
                if state.oldest.is_some() {
                    let _ = state.commit();
                }
                break;
            }
        }
    }
    if let Err(err) = state.writer.wait_merging_threads() {
        tracing::warn!("index: finishing merges: {err}");
    }
    drop(lock);
    tracing::debug!("index: writer released");
}

/// Answers queued flushes with `err` and forgets the rest (a later refresh catches up). The
/// slot is cleared before anyone hears of the failure, so their next write starts a new writer.
fn fail_queued(inner: &Inner, rx: &Receiver<Op>, err: &IndexError) {
    let mut waiting = Vec::new();
    let mut drain = || {
        while let Ok(op) = rx.try_recv() {
            if let Op::Flush(reply) = op {
                waiting.push(reply);
            }
        }
    };
    // A producer blocked on a full queue holds the slot: keep draining until we get it.
    loop {
        drain();
        match inner.writer_slot.try_lock() {
            Ok(mut slot) => {
                drain();
                *slot = None;
                break;
            }
            Err(TryLockError::WouldBlock) => std::thread::sleep(Duration::from_millis(1)),
            Err(TryLockError::Poisoned(_)) => break,
        }
    }
    for reply in waiting {
        let _ = reply.send(Err(err.clone()));
    }
}

struct WriterState<'a> {
    inner: &'a Inner,
    writer: IndexWriter<TantivyDocument>,
    pending: usize,
    oldest: Option<Instant>,
}

impl WriterState<'_> {
    fn handle(&mut self, op: Op) {
        let inner: &Inner = self.inner;
        let fields = &inner.fields;
        let path_term = |p: &str| Term::from_field_text(fields.path, p);
        let file_term = |p: &str| Term::from_field_text(fields.file_path, p);
        let result: Result<usize, tantivy::TantivyError> = (|| match op {
            Op::Upsert { file, chunks } => {
                self.writer.delete_term(path_term(&file.path));
                self.writer.delete_term(file_term(&file.path));
                self.writer.add_document(fields.file_doc(&file))?;
                for chunk in &chunks {
                    self.writer.add_document(fields.chunk_doc(chunk))?;
                }
                Ok(chunks.len() + 1)
            }
            Op::Touch(file) => {
                self.writer.delete_term(file_term(&file.path));
                self.writer.add_document(fields.file_doc(&file))?;
                Ok(1)
            }
            Op::Remove(path) => {
                self.writer.delete_term(path_term(&path));
                self.writer.delete_term(file_term(&path));
                Ok(1)
            }
            Op::Clear => {
                self.writer.delete_all_documents()?;
                Ok(1)
            }
            Op::Flush(reply) => {
                let _ = reply.send(self.commit());
                Ok(0)
            }
        })();
        match result {
            Ok(0) => {}
            Ok(docs) => {
                self.pending += docs;
                self.oldest.get_or_insert_with(Instant::now);
                if self.pending >= COMMIT_DOCS {
                    let _ = self.commit();
                }
            }
            Err(err) => {
                tracing::warn!("index: write failed: {err}");
                self.inner.record_error(format!("write failed: {err}"));
            }
        }
    }

    fn commit(&mut self) -> Result<(), IndexError> {
        let started = Instant::now();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let result = (|| -> Result<(), IndexError> {
            let mut prepared = self.writer.prepare_commit()?;
            prepared.set_payload(&serde_json::json!({ "time": now }).to_string());
            prepared.commit()?;
            self.inner.reader.reload()?;
            Ok(())
        })();
        match &result {
            Ok(()) => {
                tracing::debug!(
                    "index: committed {} documents in {:?}",
                    self.pending,
                    started.elapsed()
                );
                self.inner.note_commit(SystemTime::now());
            }
            Err(err) => {
                tracing::warn!("index: commit failed: {err}");
                self.inner.record_error(format!("commit failed: {err}"));
            }
        }
        self.pending = 0;
        self.oldest = None;
        result
    }
}
