//! The AI part of hover: a content-addressed cache of explanations (key: SHA-256 of the language,
//! the model and the node's text, so an unchanged function keeps its explanation wherever it moves
//! and a new model gets fresh ones), in memory and under `<cache dir>/hover/`, plus the
//! bookkeeping for background computation: one job per document, replaced by the next hover.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use crate::syntax::Lang;

/// Entries kept in memory.
pub const MEMORY_ENTRIES: usize = 512;
/// Largest explanation stored.
const MAX_BYTES: usize = 8 * 1024;

/// The cache key for `node_text` explained by `model` (`provider/model`).
pub fn key(lang: Lang, model: &str, node_text: &str) -> String {
    let mut material = Vec::with_capacity(node_text.len() + model.len() + 16);
    material.extend_from_slice(lang.name().as_bytes());
    material.push(0);
    material.extend_from_slice(model.as_bytes());
    material.push(0);
    material.extend_from_slice(node_text.as_bytes());
    crate::audit::sha256_hex(&material)
}

/// Key → (explanation, last use), and the use counter.
type Memory = (HashMap<String, (String, u64)>, u64);

/// Explanations by key.
#[derive(Debug)]
pub struct HoverCache {
    dir: Option<PathBuf>,
    memory: Mutex<Memory>,
}

impl HoverCache {
    /// A cache that also persists under `dir` (`None`: memory only).
    pub fn new(dir: Option<PathBuf>) -> HoverCache {
        HoverCache {
            dir,
            memory: Mutex::new((HashMap::new(), 0)),
        }
    }

    /// `<cache dir>/hover/`.
    pub fn default_dir() -> PathBuf {
        crate::config::paths::cache_dir().join("hover")
    }

    fn path(&self, key: &str) -> Option<PathBuf> {
        let ok = key.len() == 64 && key.bytes().all(|b| b.is_ascii_hexdigit());
        self.dir
            .as_ref()
            .filter(|_| ok)
            .map(|d| d.join(&key[..2]).join(format!("{key}.md")))
    }

    pub fn get(&self, key: &str) -> Option<String> {
        if let Ok(mut guard) = self.memory.lock() {
            let (map, tick) = &mut *guard;
            *tick += 1;
            let now = *tick;
            if let Some((text, used)) = map.get_mut(key) {
                *used = now;
                return Some(text.clone());
            }
        }
        let text = std::fs::read_to_string(self.path(key)?).ok()?;
        self.remember(key, &text);
        Some(text)
    }

    pub fn insert(&self, key: &str, text: &str) {
        let text: String = if text.len() > MAX_BYTES {
            let mut end = MAX_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            format!("{}…", &text[..end])
        } else {
            text.to_string()
        };
        self.remember(key, &text);
        if let Some(path) = self.path(key) {
            let write = || -> std::io::Result<()> {
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent)?;
                }
                let tmp = path.with_extension("tmp");
                std::fs::write(&tmp, &text)?;
                std::fs::rename(&tmp, &path)
            };
            if let Err(e) = write() {
                tracing::debug!("hover cache {}: {e}", path.display());
            }
        }
    }

    fn remember(&self, key: &str, text: &str) {
        let Ok(mut guard) = self.memory.lock() else {
            return;
        };
        let (map, tick) = &mut *guard;
        *tick += 1;
        let now = *tick;
        if map.len() >= MEMORY_ENTRIES
            && !map.contains_key(key)
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(key.to_string(), (text.to_string(), now));
    }
}

/// Background explanation jobs, at most one per document.
#[derive(Debug, Default)]
pub struct HoverJobs {
    running: Mutex<HashMap<String, (String, CancellationToken)>>,
}

impl HoverJobs {
    /// Registers a job for `key` on `doc`, cancelling the document's previous job. `None` when
    /// the same key is already being computed (nothing to start).
    pub fn start(&self, doc: &str, key: &str) -> Option<CancellationToken> {
        let mut running = self.running.lock().ok()?;
        if let Some((k, token)) = running.get(doc) {
            if k == key && !token.is_cancelled() {
                return None;
            }
            token.cancel();
        }
        let token = CancellationToken::new();
        running.insert(doc.to_string(), (key.to_string(), token.clone()));
        Some(token)
    }

    /// Forgets the job for `key` on `doc` once it is done (a newer job stays).
    pub fn finish(&self, doc: &str, key: &str) {
        if let Ok(mut running) = self.running.lock()
            && running.get(doc).is_some_and(|(k, _)| k == key)
        {
            running.remove(doc);
        }
    }

    /// Cancels the document's job (document closed).
    pub fn cancel(&self, doc: &str) {
        if let Ok(mut running) = self.running.lock()
            && let Some((_, token)) = running.remove(doc)
        {
            token.cancel();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_depend_on_text_and_model_and_survive_a_restart() {
        let a = key(Lang::Python, "p/m", "def f(): pass");
        assert_ne!(a, key(Lang::Python, "p/other", "def f(): pass"));
        assert_ne!(a, key(Lang::Python, "p/m", "def g(): pass"));
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let cache = HoverCache::new(Some(dir.path().to_path_buf()));
        assert_eq!(cache.get(&a), None);
        cache.insert(&a, "Does nothing.");
        assert_eq!(cache.get(&a).as_deref(), Some("Does nothing."));
        let fresh = HoverCache::new(Some(dir.path().to_path_buf()));
        assert_eq!(fresh.get(&a).as_deref(), Some("Does nothing."));
    }

    #[test]
    fn a_new_hover_cancels_the_previous_job_of_the_document() {
        let jobs = HoverJobs::default();
        let first = jobs.start("doc", "k1").unwrap_or_else(|| panic!("started"));
        assert!(jobs.start("doc", "k1").is_none(), "same key keeps running");
        let second = jobs.start("doc", "k2").unwrap_or_else(|| panic!("started"));
        assert!(first.is_cancelled());
        jobs.finish("doc", "k1");
        assert!(!second.is_cancelled());
        jobs.cancel("doc");
        assert!(second.is_cancelled());
    }
}
