//! Workflows: named multi-step runs declared in YAML (`config/workflows/default.yaml`, then
//! `<user config dir>/workflows/*.yaml`, then a workspace's `.codomyrmex/workflows/*.yaml`).
//!
//! A step is a rule scan (`scan: true`) or an action (`action: NAME`), with `depends_on`. Steps
//! whose dependencies are done run at the same time; an action step sees the findings of the scan
//! steps it depends on as `{{diagnostics}}` and the text of its dependencies as `{{previous}}`. A
//! step that fails makes its dependents skip. `output: report` joins the steps' text into one
//! Markdown report; `output: edit` combines the action steps' edits into one proposed change.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use futures_util::future::join_all;
use serde::Deserialize;
use tokio_util::sync::CancellationToken;
use tree_sitter::Tree;

use super::engine::{self, AssistError, Env, Output, Proposed, Request};
use crate::ai::prompt::DiagnosticContext;
use crate::ai::reply;
use crate::syntax::Lang;

/// The shipped workflows.
pub const BUILTIN_WORKFLOWS: &str = include_str!("../../config/workflows/default.yaml");

/// What a workflow produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WorkflowOutput {
    #[default]
    Report,
    Edit,
}

/// One step as written.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct StepDef {
    pub id: String,
    #[serde(default)]
    pub scan: bool,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub depends_on: Vec<String>,
    /// An instruction for the action.
    #[serde(default)]
    pub instruction: Option<String>,
}

/// One workflow as written.
#[derive(Debug, Clone, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct WorkflowDef {
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub output: WorkflowOutput,
    pub steps: Vec<StepDef>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct WorkflowFile {
    #[serde(default)]
    workflows: BTreeMap<String, WorkflowDef>,
}

/// Checks ids, step kinds, dependencies and cycles.
pub fn validate(name: &str, def: &WorkflowDef) -> Result<(), String> {
    if def.steps.is_empty() {
        return Err(format!("workflow `{name}` has no steps"));
    }
    let mut ids = HashSet::new();
    for s in &def.steps {
        if !ids.insert(s.id.as_str()) {
            return Err(format!(
                "workflow `{name}`: two steps are called `{}`",
                s.id
            ));
        }
        if s.scan == s.action.is_some() {
            return Err(format!(
                "workflow `{name}`, step `{}`: a step is either `scan: true` or `action: NAME`",
                s.id
            ));
        }
    }
    for s in &def.steps {
        if let Some(d) = s.depends_on.iter().find(|d| !ids.contains(d.as_str())) {
            return Err(format!(
                "workflow `{name}`, step `{}`: depends on `{d}`, which is not a step",
                s.id
            ));
        }
    }
    // Kahn: every step must become ready.
    let mut done: HashSet<&str> = HashSet::new();
    while done.len() < def.steps.len() {
        let ready: Vec<&str> = def
            .steps
            .iter()
            .filter(|s| {
                !done.contains(s.id.as_str())
                    && s.depends_on.iter().all(|d| done.contains(d.as_str()))
            })
            .map(|s| s.id.as_str())
            .collect();
        if ready.is_empty() {
            return Err(format!("workflow `{name}`: `depends_on` has a cycle"));
        }
        done.extend(ready);
    }
    Ok(())
}

/// Every workflow by name, later layers replacing earlier ones; problems as one sentence each.
#[derive(Debug, Clone, Default)]
pub struct Workflows {
    pub workflows: BTreeMap<String, WorkflowDef>,
    pub warnings: Vec<String>,
}

impl Workflows {
    pub fn load(user_dir: Option<&Path>, workspace_root: Option<&Path>) -> Workflows {
        let mut out = Workflows::default();
        out.add("builtin:config/workflows/default.yaml", BUILTIN_WORKFLOWS);
        let mut dirs: Vec<PathBuf> = Vec::new();
        if let Some(d) = user_dir {
            dirs.push(d.join("workflows"));
        }
        if let Some(r) = workspace_root {
            dirs.push(crate::config::paths::workspace_config_dir(r).join("workflows"));
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(&dir) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
                .collect();
            files.sort();
            for f in files {
                match std::fs::read_to_string(&f) {
                    Ok(text) => out.add(&f.display().to_string(), &text),
                    Err(e) => out
                        .warnings
                        .push(format!("{}: cannot read: {e}", f.display())),
                }
            }
        }
        out
    }

    pub fn load_default(workspace_root: Option<&Path>) -> Workflows {
        Workflows::load(
            crate::config::paths::user_config_dir().as_deref(),
            workspace_root,
        )
    }

    fn add(&mut self, origin: &str, text: &str) {
        match serde_saphyr::from_str::<WorkflowFile>(text) {
            Ok(file) => {
                for (name, def) in file.workflows {
                    match validate(&name, &def) {
                        Ok(()) => {
                            self.workflows.insert(name, def);
                        }
                        Err(e) => self.warnings.push(format!("{origin}: {e}; skipped")),
                    }
                }
            }
            Err(e) => self.warnings.push(format!("{origin}: {e}")),
        }
    }

    pub fn get(&self, name: &str) -> Option<&WorkflowDef> {
        self.workflows.get(name)
    }
}

/// What one step did.
#[derive(Debug, Clone)]
pub struct StepResult {
    pub id: String,
    /// Markdown for the report.
    pub text: String,
    /// Findings of a scan step.
    pub findings: Vec<DiagnosticContext>,
    pub edit: Option<Proposed>,
    /// `provider/model` of an action step.
    pub model: Option<String>,
    pub error: Option<String>,
}

/// A finished workflow.
#[derive(Debug, Clone)]
pub struct WorkflowOutcome {
    pub name: String,
    pub output: WorkflowOutput,
    /// Every step's text, in declaration order.
    pub report: String,
    /// The combined edit (`output: edit`).
    pub edit: Option<Proposed>,
    pub steps: Vec<StepResult>,
}

/// The file a workflow runs on.
#[derive(Debug, Clone)]
pub struct WorkflowInput<'a> {
    pub lang: Lang,
    pub path: Option<&'a Path>,
    pub text: &'a str,
    pub tree: Option<&'a Tree>,
    pub range: Range<usize>,
}

/// Scan findings as prompt diagnostics, with the rules' explanations.
pub fn scan(env: &Env, lang: Lang, text: &str) -> Vec<DiagnosticContext> {
    let line_of = |o: usize| text[..o.min(text.len())].matches('\n').count();
    env.rules
        .check_text(Some(lang), text)
        .into_iter()
        .map(|f| {
            let rule = env.rules.rule(&f.rule_id);
            let cwe = rule.map(|r| r.meta.cwe.join(", ")).unwrap_or_default();
            let message = if cwe.is_empty() || f.message.contains(&cwe) {
                f.message.clone()
            } else {
                format!("{} ({cwe})", f.message)
            };
            DiagnosticContext {
                explanation: rule
                    .map(|r| r.meta.explanation.clone())
                    .filter(|e| !e.trim().is_empty()),
                rule_id: f.rule_id.to_string(),
                message,
                line: line_of(f.range.start),
            }
        })
        .collect()
}

/// Runs workflow `name`. `on_chunk` sees every action step's streamed text (progress only).
pub async fn run(
    env: &Env,
    workflows: &Workflows,
    name: &str,
    input: &WorkflowInput<'_>,
    on_chunk: Arc<dyn Fn(&str) + Send + Sync>,
    cancel: &CancellationToken,
) -> Result<WorkflowOutcome, AssistError> {
    let def = workflows.get(name).ok_or_else(|| {
        let names: Vec<&str> = workflows.workflows.keys().map(String::as_str).collect();
        AssistError::Other(format!(
            "no workflow named `{name}`; known: {}",
            names.join(", ")
        ))
    })?;
    let mut results: HashMap<String, StepResult> = HashMap::new();
    while results.len() < def.steps.len() {
        let ready: Vec<&StepDef> = def
            .steps
            .iter()
            .filter(|s| {
                !results.contains_key(&s.id) && s.depends_on.iter().all(|d| results.contains_key(d))
            })
            .collect();
        if ready.is_empty() {
            return Err(AssistError::Other(format!(
                "workflow `{name}`: `depends_on` has a cycle"
            )));
        }
        let wave = ready.into_iter().map(|step| {
            let deps: Vec<&StepResult> = step
                .depends_on
                .iter()
                .filter_map(|d| results.get(d))
                .collect();
            run_step(env, step, deps, input, on_chunk.clone(), cancel)
        });
        let done = join_all(wave).await;
        for r in done {
            if cancel.is_cancelled() {
                return Err(AssistError::Provider(crate::ai::ProviderError::Cancelled {
                    provider: "workflow".into(),
                }));
            }
            results.insert(r.id.clone(), r);
        }
    }
    let steps: Vec<StepResult> = def
        .steps
        .iter()
        .filter_map(|s| results.remove(&s.id))
        .collect();
    if let Some(e) = steps
        .iter()
        .find_map(|s| s.error.as_ref().filter(|e| e.contains("cancelled")))
    {
        return Err(AssistError::Other(e.clone()));
    }
    let mut report = format!("# Workflow `{name}`\n");
    for s in &steps {
        report.push_str(&format!("\n## {}\n\n", s.id));
        match &s.error {
            Some(e) => report.push_str(&format!("_failed: {e}_\n")),
            None => report.push_str(s.text.trim_end()),
        }
        report.push('\n');
    }
    let edit = if def.output == WorkflowOutput::Edit {
        let edits: Vec<&Proposed> = steps.iter().filter_map(|s| s.edit.as_ref()).collect();
        if edits.is_empty() {
            let why: Vec<String> = steps.iter().filter_map(|s| s.error.clone()).collect();
            return Err(AssistError::Other(format!(
                "workflow `{name}` proposed no edit{}",
                if why.is_empty() {
                    String::new()
                } else {
                    format!(": {}", why.join("; "))
                }
            )));
        }
        Some(combine(env, input, &edits)?)
    } else {
        if steps.iter().all(|s| s.error.is_some()) {
            let why: Vec<String> = steps.iter().filter_map(|s| s.error.clone()).collect();
            return Err(AssistError::Other(format!(
                "workflow `{name}` failed: {}",
                why.join("; ")
            )));
        }
        None
    };
    Ok(WorkflowOutcome {
        name: name.to_string(),
        output: def.output,
        report,
        edit,
        steps,
    })
}

async fn run_step(
    env: &Env,
    step: &StepDef,
    deps: Vec<&StepResult>,
    input: &WorkflowInput<'_>,
    on_chunk: Arc<dyn Fn(&str) + Send + Sync>,
    cancel: &CancellationToken,
) -> StepResult {
    let mut result = StepResult {
        id: step.id.clone(),
        text: String::new(),
        findings: Vec::new(),
        edit: None,
        model: None,
        error: None,
    };
    if let Some(failed) = deps.iter().find(|d| d.error.is_some()) {
        result.error = Some(format!("skipped: step `{}` failed", failed.id));
        return result;
    }
    if step.scan {
        let findings = scan(env, input.lang, input.text);
        result.text = if findings.is_empty() {
            "No findings.".to_string()
        } else {
            let mut t = format!("{} finding(s):\n", findings.len());
            for f in &findings {
                t.push_str(&format!(
                    "- line {}: `{}` {}\n",
                    f.line + 1,
                    f.rule_id,
                    f.message
                ));
            }
            t
        };
        result.findings = findings;
        return result;
    }
    let Some(action) = step.action.as_deref().and_then(|a| env.catalog.get(a)) else {
        result.error = Some(format!(
            "no action named `{}`",
            step.action.as_deref().unwrap_or("")
        ));
        return result;
    };
    let diagnostics: Vec<DiagnosticContext> = deps
        .iter()
        .flat_map(|d| d.findings.iter().cloned())
        .collect();
    let previous: String = deps
        .iter()
        .map(|d| format!("{}:\n{}\n", d.id, d.text))
        .collect();
    let request = Request {
        action,
        lang: input.lang,
        path: input.path,
        text: input.text,
        tree: input.tree,
        range: input.range.clone(),
        instruction: step.instruction.as_deref(),
        diagnostics: &diagnostics,
        previous: (!previous.is_empty()).then_some(previous.as_str()),
    };
    let mut forward = |delta: &str| on_chunk(delta);
    match engine::run(env, &request, &mut forward, cancel).await {
        Ok(outcome) => {
            result.model = Some(format!("{}/{}", outcome.provider, outcome.model));
            match outcome.output {
                Output::Text { text, hidden_chars } => {
                    result.text = text;
                    if hidden_chars > 0 {
                        result.text.push_str(&format!(
                            "\n\n⚠ the reply contained {hidden_chars} hidden Unicode character(s)"
                        ));
                    }
                }
                Output::Edit(p) => {
                    let flags = p.flags();
                    result.text = format!(
                        "Proposed a change of {} byte(s) at line {}{}.",
                        p.edit.new_text.len(),
                        p.old_text[..p.edit.range.start.min(p.old_text.len())]
                            .matches('\n')
                            .count()
                            + 1,
                        if flags.is_empty() {
                            String::new()
                        } else {
                            format!(" ({})", flags.join("; "))
                        }
                    );
                    result.edit = Some(p);
                }
            }
        }
        Err(e) if e.is_cancelled() => result.error = Some("cancelled".into()),
        Err(e) => result.error = Some(e.to_string()),
    }
    result
}

/// One change from the steps' edits to the same file (non-overlapping; an overlapping one fails).
fn combine(
    env: &Env,
    input: &WorkflowInput<'_>,
    edits: &[&Proposed],
) -> Result<Proposed, AssistError> {
    if edits.len() == 1 {
        return Ok(edits[0].clone());
    }
    let same_file: Vec<&&Proposed> = edits.iter().filter(|p| p.file.is_none()).collect();
    if same_file.len() != edits.len() {
        return Err(AssistError::Other(
            "a workflow can combine edits of the file it runs on only".into(),
        ));
    }
    let mut sorted: Vec<&reply::Edit> = same_file.iter().map(|p| &p.edit).collect();
    sorted.sort_by_key(|e| e.range.start);
    if sorted.windows(2).any(|w| w[0].range.end > w[1].range.start) {
        return Err(AssistError::Other(
            "the workflow's steps proposed overlapping edits; run them one at a time".into(),
        ));
    }
    let mut new_text = input.text.to_string();
    for e in sorted.iter().rev() {
        new_text = e.apply(&new_text);
    }
    let edit = reply::minimal_edit(input.text, 0..input.text.len(), &new_text)
        .ok_or_else(|| AssistError::Other("the workflow's edits cancel out".into()))?;
    let parses = reply::parses_in(
        input.lang,
        &new_text,
        edit.range.start..edit.range.start + edit.new_text.len(),
    );
    Ok(Proposed {
        file: None,
        create: false,
        old_text: input.text.to_string(),
        parses,
        hidden_chars: edits.iter().map(|p| p.hidden_chars).sum(),
        introduced: engine::introduced_findings(&env.rules, input.lang, input.text, &new_text),
        edit,
        new_text,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_workflows_load_and_bad_ones_are_reported() {
        let w = Workflows::load(None, None);
        assert!(w.warnings.is_empty(), "{:?}", w.warnings);
        assert!(w.get("review").is_some());
        assert_eq!(
            w.get("document-file").map(|d| d.output),
            Some(WorkflowOutput::Edit)
        );
        let cyclic = WorkflowDef {
            description: None,
            output: WorkflowOutput::Report,
            steps: vec![
                StepDef {
                    id: "a".into(),
                    scan: true,
                    action: None,
                    depends_on: vec!["b".into()],
                    instruction: None,
                },
                StepDef {
                    id: "b".into(),
                    scan: true,
                    action: None,
                    depends_on: vec!["a".into()],
                    instruction: None,
                },
            ],
        };
        assert!(validate("x", &cyclic).is_err_and(|e| e.contains("cycle")));
        let both = WorkflowDef {
            description: None,
            output: WorkflowOutput::Report,
            steps: vec![StepDef {
                id: "a".into(),
                scan: true,
                action: Some("review".into()),
                depends_on: vec![],
                instruction: None,
            }],
        };
        assert!(validate("y", &both).is_err());
    }
}
