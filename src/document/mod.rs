//! The document actor: one task owns every open document and applies `didOpen`/`didChange`/
//! `didClose` strictly in arrival order. Parsing and rule checks run off the actor on blocking
//! threads, debounced, cancellable, and their results are dropped when the document has moved on.
//! Readers get cheap immutable [`DocSnapshot`]s. Nothing here knows about LSP.

pub mod analysis;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use dashmap::DashMap;
use tokio::sync::{mpsc, oneshot};
use tree_sitter::Tree;

use crate::rules::suppress::Suppressions;
use crate::rules::{Finding, RuleSet};
use crate::syntax::{self, Lang};
use crate::text::{ByteEdit, PosRange, PositionEncoding, Text};

use analysis::{AnalysisInput, Base, Mode, analyze, rescan_secrets};

/// Documents over this size are parsed on open and save only.
pub const DEGRADED_BYTES: usize = 2 * 1024 * 1024;
/// Within a burst of changes, the quiet time before diagnostics are computed. A change after a
/// quiet period is analysed immediately (leading edge).
pub const DEBOUNCE: Duration = Duration::from_millis(50);
/// How long a reparse after an edit may take before the analysis sketches instead (see
/// [`analysis::Mode::Provisional`]).
/// (Zero in unit tests, so that every edit after the first analysis sketches.)
pub const PARSE_BUDGET: Duration = Duration::from_millis(if cfg!(test) { 0 } else { 20 });
/// After a sketch, the quiet time before the full reparse is done without a budget.
pub const SETTLE: Duration = Duration::from_millis(if cfg!(test) { 100 } else { 400 });

/// One content change of a `didChange`.
#[derive(Debug, Clone)]
pub struct TextChange {
    pub range: Option<PosRange>,
    pub text: String,
}

/// Everything the actor reacts to, in order.
pub enum DocEvent {
    SetEncoding(PositionEncoding),
    Open {
        uri: String,
        path: Option<PathBuf>,
        language_id: String,
        version: i32,
        text: String,
    },
    Change {
        uri: String,
        version: i32,
        changes: Vec<TextChange>,
    },
    Close {
        uri: String,
    },
    Save {
        uri: String,
        text: Option<String>,
    },
    SetRules(Arc<RuleSet>),
    /// Replies once every earlier event has been applied (not analysed).
    Barrier(oneshot::Sender<()>),
    AnalysisDue {
        uri: String,
        generation: u64,
        /// Reparse without a budget (typing has paused after a sketch).
        settle: bool,
    },
    AnalysisDone {
        uri: String,
        generation: u64,
        result: Box<AnalysisResult>,
    },
}

/// What an analysis hands back to the actor.
pub struct AnalysisResult {
    pub version: i32,
    pub outcome: Result<analysis::AnalysisOutput, String>,
    pub secrets: Vec<Finding>,
    /// The suppression comments of the analysed text (scanned off the actor).
    pub suppressions: Suppressions,
}

/// What the actor publishes.
#[derive(Debug, Clone)]
pub enum DocOutput {
    /// Diagnostics for one version of a document (`findings` are already suppression-filtered).
    Diagnostics {
        uri: String,
        version: i32,
        text: Text,
        findings: Arc<Vec<Finding>>,
    },
    /// A message for the log (degraded mode, binary content, …).
    Log { uri: String, message: String },
}

/// An immutable view of a document at one version.
#[derive(Clone)]
pub struct DocSnapshot {
    pub uri: String,
    pub path: Option<PathBuf>,
    pub version: i32,
    pub lang: Option<Lang>,
    pub text: Text,
    /// The latest tree; it matches `text` only when `tree_current` is true.
    pub tree: Option<Tree>,
    pub tree_current: bool,
    /// Published findings (suppression applied) and the version they were computed for.
    pub findings: Arc<Vec<Finding>>,
    pub findings_version: i32,
    pub degraded: bool,
}

struct Document {
    uri: String,
    path: Option<PathBuf>,
    version: i32,
    lang: Option<Lang>,
    text: Text,
    /// The last exact analysis, edited with `pending` (the edits since).
    exact: Option<Base>,
    pending: Vec<ByteEdit>,
    /// The last analysis (exact or provisional), edited with `recent` (the edits since).
    last: Option<Base>,
    recent: Vec<ByteEdit>,
    /// Secrets findings of the last analysis.
    secrets: Option<Arc<Vec<Finding>>>,
    /// The last analysis was a sketch: until typing pauses, the next ones sketch at once
    /// instead of trying a reparse that will go over budget again.
    sketching: bool,
    published: Arc<Vec<Finding>>,
    published_version: i32,
    degraded: bool,
    generation: u64,
    cancel: Arc<AtomicBool>,
    /// When the previous change arrived (for the leading-edge debounce).
    last_change: Option<std::time::Instant>,
}

/// Handle to the actor.
#[derive(Clone)]
pub struct DocumentStore {
    tx: mpsc::UnboundedSender<DocEvent>,
    snapshots: Arc<DashMap<String, Arc<DocSnapshot>>>,
}

impl DocumentStore {
    /// Starts the actor on the current tokio runtime.
    pub fn spawn(rules: Arc<RuleSet>, out: mpsc::UnboundedSender<DocOutput>) -> DocumentStore {
        let (tx, rx) = mpsc::unbounded_channel();
        let snapshots = Arc::new(DashMap::new());
        let actor = Actor {
            docs: HashMap::new(),
            rules,
            out,
            tx: tx.clone(),
            snapshots: snapshots.clone(),
            encoding: PositionEncoding::Utf16,
        };
        tokio::spawn(actor.run(rx));
        DocumentStore { tx, snapshots }
    }

    /// Queues an event; never blocks.
    pub fn send(&self, event: DocEvent) {
        if self.tx.send(event).is_err() {
            tracing::error!("document actor has stopped; event dropped");
        }
    }

    pub fn snapshot(&self, uri: &str) -> Option<Arc<DocSnapshot>> {
        self.snapshots.get(uri).map(|s| s.clone())
    }

    pub fn uris(&self) -> Vec<String> {
        self.snapshots.iter().map(|e| e.key().clone()).collect()
    }

    /// Waits until every event sent before this call has been applied.
    pub async fn barrier(&self) {
        let (tx, rx) = oneshot::channel();
        self.send(DocEvent::Barrier(tx));
        let _ = rx.await;
    }
}

struct Actor {
    docs: HashMap<String, Document>,
    rules: Arc<RuleSet>,
    out: mpsc::UnboundedSender<DocOutput>,
    tx: mpsc::UnboundedSender<DocEvent>,
    snapshots: Arc<DashMap<String, Arc<DocSnapshot>>>,
    encoding: PositionEncoding,
}

impl Actor {
    async fn run(mut self, mut rx: mpsc::UnboundedReceiver<DocEvent>) {
        while let Some(event) = rx.recv().await {
            // A bug in one event must not stop the actor.
            let result =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.handle(event)));
            if result.is_err() {
                tracing::error!(
                    "document actor: an event handler panicked; the actor keeps running"
                );
            }
        }
    }

    fn handle(&mut self, event: DocEvent) {
        match event {
            DocEvent::SetEncoding(enc) => self.encoding = enc,
            DocEvent::Open {
                uri,
                path,
                language_id,
                version,
                text,
            } => self.open(uri, path, &language_id, version, text),
            DocEvent::Change {
                uri,
                version,
                changes,
            } => self.change(&uri, version, changes),
            DocEvent::Close { uri } => {
                if let Some(doc) = self.docs.remove(&uri) {
                    doc.cancel.store(true, Ordering::Relaxed);
                }
                self.snapshots.remove(&uri);
                let _ = self.out.send(DocOutput::Diagnostics {
                    uri,
                    version: 0,
                    text: Text::default(),
                    findings: Arc::new(Vec::new()),
                });
            }
            DocEvent::Save { uri, text } => self.save(&uri, text),
            DocEvent::SetRules(rules) => {
                self.rules = rules;
                let uris: Vec<String> = self.docs.keys().cloned().collect();
                for uri in uris {
                    if let Some(doc) = self.docs.get_mut(&uri) {
                        for base in [&mut doc.exact, &mut doc.last].into_iter().flatten() {
                            base.findings = None;
                        }
                        doc.secrets = None;
                    }
                    self.start_analysis(&uri, None);
                }
            }
            DocEvent::Barrier(tx) => {
                let _ = tx.send(());
            }
            DocEvent::AnalysisDue {
                uri,
                generation,
                settle,
            } => {
                if self
                    .docs
                    .get(&uri)
                    .is_some_and(|d| d.generation == generation)
                {
                    self.start_analysis(&uri, (!settle).then_some(PARSE_BUDGET));
                }
            }
            DocEvent::AnalysisDone {
                uri,
                generation,
                result,
            } => self.finish_analysis(&uri, generation, *result),
        }
    }

    fn open(
        &mut self,
        uri: String,
        path: Option<PathBuf>,
        language_id: &str,
        version: i32,
        text: String,
    ) {
        let binary = text.contains('\0');
        let lang = if binary {
            None
        } else {
            Lang::from_name(language_id).or_else(|| path.as_deref().and_then(Lang::from_path))
        };
        if binary {
            let _ = self.out.send(DocOutput::Log {
                uri: uri.clone(),
                message: "binary content: no analysis".into(),
            });
        }
        let degraded = text.len() > DEGRADED_BYTES;
        if degraded {
            let _ = self.out.send(DocOutput::Log {
                uri: uri.clone(),
                message: format!(
                    "{} bytes is over the 2 MB limit: degraded mode, parsed on open and save only",
                    text.len()
                ),
            });
        }
        if let Some(old) = self.docs.get(&uri) {
            old.cancel.store(true, Ordering::Relaxed);
        }
        let doc = Document {
            uri: uri.clone(),
            path,
            version,
            lang,
            text: Text::new(&text),
            exact: None,
            pending: Vec::new(),
            last: None,
            recent: Vec::new(),
            secrets: None,
            sketching: false,
            published: Arc::new(Vec::new()),
            published_version: version,
            degraded,
            generation: 0,
            cancel: Arc::new(AtomicBool::new(false)),
            last_change: None,
        };
        self.docs.insert(uri.clone(), doc);
        self.update_snapshot(&uri);
        if !binary {
            self.start_analysis(&uri, None);
        }
    }

    fn change(&mut self, uri: &str, version: i32, changes: Vec<TextChange>) {
        let encoding = self.encoding;
        let Some(doc) = self.docs.get_mut(uri) else {
            tracing::warn!("didChange for {uri}, which is not open; ignored");
            return;
        };
        if version <= doc.version {
            tracing::warn!(
                "stale didChange for {uri}: version {version} after {}; ignored",
                doc.version
            );
            return;
        }
        for change in changes {
            let edit = doc.text.apply_change(change.range, &change.text, encoding);
            let input_edit = edit.to_input_edit();
            for base in [&mut doc.exact, &mut doc.last].into_iter().flatten() {
                base.tree.edit(&input_edit);
            }
            doc.pending.push(edit);
            doc.recent.push(edit);
        }
        doc.version = version;
        doc.cancel.store(true, Ordering::Relaxed);
        doc.generation += 1;
        let generation = doc.generation;
        let degraded_now = doc.text.len_bytes() > DEGRADED_BYTES;
        if degraded_now && !doc.degraded {
            let _ = self.out.send(DocOutput::Log {
                uri: uri.to_string(),
                message: "document grew over 2 MB: degraded mode, parsed on save only".into(),
            });
        }
        doc.degraded = degraded_now;
        // Leading edge: an edit after a quiet period is analysed at once; edits inside a burst
        // wait until the burst pauses for DEBOUNCE, so a paste or fast typing is parsed once.
        let now = std::time::Instant::now();
        let quiet = doc
            .last_change
            .is_none_or(|t| now.duration_since(t) >= DEBOUNCE);
        doc.last_change = Some(now);
        self.update_snapshot(uri);
        if degraded_now {
            return;
        }
        if quiet {
            self.start_analysis(uri, Some(PARSE_BUDGET));
            return;
        }
        let tx = self.tx.clone();
        let uri = uri.to_string();
        tokio::spawn(async move {
            tokio::time::sleep(DEBOUNCE).await;
            let _ = tx.send(DocEvent::AnalysisDue {
                uri,
                generation,
                settle: false,
            });
        });
    }

    fn save(&mut self, uri: &str, text: Option<String>) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        if let Some(text) = text
            && text != doc.text.to_string()
        {
            // The client says the saved content differs from ours; trust it.
            doc.text = Text::new(&text);
            doc.exact = None;
            doc.pending.clear();
            doc.last = None;
            doc.recent.clear();
            doc.secrets = None;
        }
        doc.generation += 1;
        self.start_analysis(uri, None);
    }

    /// Starts analysing the document's current version; `budget` bounds the reparse (see
    /// [`PARSE_BUDGET`]).
    fn start_analysis(&mut self, uri: &str, budget: Option<Duration>) {
        let rules = self.rules.clone();
        let tx = self.tx.clone();
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        doc.cancel.store(true, Ordering::Relaxed);
        let cancel = Arc::new(AtomicBool::new(false));
        doc.cancel = cancel.clone();
        let generation = doc.generation;
        let version = doc.version;
        let text = doc.text.clone();
        let lang = doc.lang.filter(|l| rules.has_query_rules(*l));
        let input = lang.map(|lang| AnalysisInput {
            lang,
            text: text.clone(),
            exact: doc.exact.clone(),
            exact_edits: doc.pending.clone(),
            last: doc.last.clone(),
            last_edits: doc.recent.clone(),
            rules: rules.clone(),
            parse_budget: budget.map(|b| if doc.sketching { Duration::ZERO } else { b }),
        });
        let old_secrets = doc.secrets.clone();
        let recent = doc.recent.clone();
        let uri = uri.to_string();
        tokio::task::spawn_blocking(move || {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let started = std::time::Instant::now();
                let outcome = match input {
                    Some(input) => analyze(input, &cancel).map_err(|e| e.to_string()),
                    None => Err(String::new()),
                };
                let queried = started.elapsed();
                let secrets = if cancel.load(Ordering::Relaxed) {
                    Vec::new()
                } else {
                    rescan_secrets(
                        &rules,
                        &text,
                        old_secrets.as_deref().map(Vec::as_slice),
                        &recent,
                    )
                };
                if let Ok(o) = &outcome {
                    tracing::debug!(
                        "analysed {uri} v{version}: {:?}, {} bytes queried, syntax errors: {}, \
                         {} ms (parse {} ms); secrets {} ms",
                        o.mode,
                        o.queried_bytes,
                        o.tree.as_ref().map_or("unknown (sketch)".to_string(), |t| t
                            .root_node()
                            .has_error()
                            .to_string()),
                        queried.as_millis(),
                        o.parse_time.as_millis(),
                        (started.elapsed() - queried).as_millis()
                    );
                }
                AnalysisResult {
                    version,
                    outcome,
                    secrets,
                    suppressions: Suppressions::scan(&text.source()),
                }
            }));
            let result = match run {
                Ok(r) => r,
                Err(_) => {
                    tracing::error!("analysis of {uri} panicked");
                    AnalysisResult {
                        version,
                        outcome: Err("analysis panicked".into()),
                        secrets: Vec::new(),
                        suppressions: Suppressions::default(),
                    }
                }
            };
            if cancel.load(Ordering::Relaxed) {
                return;
            }
            let _ = tx.send(DocEvent::AnalysisDone {
                uri,
                generation,
                result: Box::new(result),
            });
        });
    }

    fn finish_analysis(&mut self, uri: &str, generation: u64, result: AnalysisResult) {
        let Some(doc) = self.docs.get_mut(uri) else {
            return;
        };
        if doc.generation != generation || doc.version != result.version {
            tracing::debug!(
                "dropping analysis of {uri} v{} (document is at v{})",
                result.version,
                doc.version
            );
            return;
        }
        let mut findings = Vec::new();
        match result.outcome {
            Ok(out) => {
                let query_findings = Arc::new(out.findings);
                findings.extend(query_findings.iter().cloned());
                match out.tree {
                    Some(tree) => {
                        let base = Base {
                            tree,
                            findings: Some(query_findings),
                            import_sig: out.import_sig,
                        };
                        if out.mode != Mode::Provisional {
                            doc.exact = Some(base.clone());
                            doc.pending.clear();
                        }
                        doc.last = Some(base);
                        doc.sketching = false;
                    }
                    None => {
                        // A sketch: the last tree stays (edited), with the new findings; the
                        // full reparse waits until typing pauses.
                        if let Some(last) = &mut doc.last {
                            last.findings = Some(query_findings);
                        }
                        doc.sketching = true;
                        let tx = self.tx.clone();
                        let uri = uri.to_string();
                        tokio::spawn(async move {
                            tokio::time::sleep(SETTLE).await;
                            let _ = tx.send(DocEvent::AnalysisDue {
                                uri,
                                generation,
                                settle: true,
                            });
                        });
                    }
                }
            }
            Err(msg) if msg.is_empty() => {
                doc.pending.clear();
            }
            Err(msg) => {
                tracing::warn!("analysis of {uri} failed: {msg}");
                return;
            }
        }
        let secrets = Arc::new(result.secrets);
        findings.extend(secrets.iter().cloned());
        doc.secrets = Some(secrets);
        doc.recent.clear();
        let source = doc.text.source();
        findings.retain(|f| !result.suppressions.is_suppressed(&source, f));
        findings.sort_by(|a, b| (a.range.start, &a.rule_id).cmp(&(b.range.start, &b.rule_id)));
        let findings = Arc::new(findings);
        doc.published = findings.clone();
        doc.published_version = doc.version;
        let _ = self.out.send(DocOutput::Diagnostics {
            uri: uri.to_string(),
            version: doc.version,
            text: doc.text.clone(),
            findings,
        });
        self.update_snapshot(uri);
    }

    fn update_snapshot(&self, uri: &str) {
        let Some(doc) = self.docs.get(uri) else {
            return;
        };
        let snapshot = DocSnapshot {
            uri: doc.uri.clone(),
            path: doc.path.clone(),
            version: doc.version,
            lang: doc.lang,
            text: doc.text.clone(),
            // The last analysis's tree; it matches the text when no edit came since and it was
            // not a sketch (which leaves the tree behind).
            tree: doc.last.as_ref().map(|b| b.tree.clone()),
            tree_current: doc.last.is_some() && doc.recent.is_empty() && !doc.sketching,
            findings: doc.published.clone(),
            findings_version: doc.published_version,
            degraded: doc.degraded,
        };
        self.snapshots.insert(uri.to_string(), Arc::new(snapshot));
    }
}

/// Parses a snapshot's text freshly when its tree is behind (for requests that need a current tree).
pub fn current_tree(snapshot: &DocSnapshot) -> Option<Tree> {
    if snapshot.tree_current {
        return snapshot.tree.clone();
    }
    let lang = snapshot.lang?;
    syntax::parse(lang, &snapshot.text.source(), None).ok()
}

#[cfg(test)]
mod tests;
