//! AI actions as Markdown files: YAML front matter between `---` lines, then the prompt template.
//!
//! ```text
//! ---
//! name: document                 # unique; a later layer's file with the same name replaces it
//! title: "AI: document this {{kind}}"
//! kind: refactor.ai.document     # code-action kind; without it the action is not listed
//! role: document                 # models.yaml role choosing provider and model (default: name)
//! context: node                  # node | selection | file | diagnostics | related
//! output: replace                # replace | insert-after | new-file | hover | message
//! instruction: required          # none (default) | optional | required
//! provider: my-llamacpp          # optional, user and built-in actions only
//! model: qwen2.5-coder           # optional, user and built-in actions only
//! max_tokens: 1024               # optional
//! languages: [python]            # optional: only for these languages
//! description: one line for menus and `codomyrmex ai --list`
//! ---
//! Prompt with {{code}}, {{language}}, {{diagnostics}}, {{related}}, {{instruction}}, …
//! ```
//!
//! The built-ins are the files in `config/actions/`, embedded in the binary; users add theirs in
//! `<user config dir>/actions/`, workspaces in `.codomyrmex/actions/`. A workspace is untrusted:
//! its actions may not choose a provider or a model (those keys are ignored with a warning), so a
//! cloned repository cannot route code to a provider of its choosing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::syntax::Lang;

/// The shipped actions (`config/actions/*.md`).
pub const BUILTIN_ACTIONS: &[(&str, &str)] = &[
    (
        "document.md",
        include_str!("../../config/actions/document.md"),
    ),
    (
        "rewrite.md",
        include_str!("../../config/actions/rewrite.md"),
    ),
    ("tests.md", include_str!("../../config/actions/tests.md")),
    ("fix.md", include_str!("../../config/actions/fix.md")),
    (
        "explain.md",
        include_str!("../../config/actions/explain.md"),
    ),
    ("hover.md", include_str!("../../config/actions/hover.md")),
    ("review.md", include_str!("../../config/actions/review.md")),
    (
        "document-file.md",
        include_str!("../../config/actions/document-file.md"),
    ),
];

/// What an action works on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContextKind {
    /// The enclosing syntax node (function, class, else statement).
    Node,
    /// Exactly the selected range (the node when the selection is empty).
    Selection,
    /// The whole file.
    File,
    /// The node, with the diagnostics in range; listed only where there are diagnostics.
    Diagnostics,
    /// The node, with related code from the local index (same-file context without an index).
    Related,
}

/// Where an action's result goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OutputKind {
    /// Replaces the target code (minimal edit inside it).
    Replace,
    /// Inserted right after the target.
    InsertAfter,
    /// A new file in the language's usual place (tests), or after the target where the
    /// language keeps such code in the same file (Rust).
    NewFile,
    /// Shown in hover (not listed as a code action).
    Hover,
    /// Shown as a message.
    Message,
}

impl OutputKind {
    pub fn is_edit(self) -> bool {
        matches!(
            self,
            OutputKind::Replace | OutputKind::InsertAfter | OutputKind::NewFile
        )
    }
}

/// Whether an action takes an instruction from the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum InstructionMode {
    #[default]
    None,
    Optional,
    Required,
}

/// Which layer an action came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Origin {
    BuiltIn,
    User,
    Workspace,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    name: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    kind: Option<String>,
    #[serde(default)]
    role: Option<String>,
    #[serde(default = "default_context")]
    context: ContextKind,
    #[serde(default = "default_output")]
    output: OutputKind,
    #[serde(default)]
    instruction: InstructionMode,
    #[serde(default)]
    provider: Option<String>,
    #[serde(default)]
    model: Option<String>,
    #[serde(default)]
    max_tokens: Option<u32>,
    #[serde(default)]
    languages: Vec<String>,
    #[serde(default)]
    description: Option<String>,
}

fn default_context() -> ContextKind {
    ContextKind::Node
}

fn default_output() -> OutputKind {
    OutputKind::Replace
}

/// One loaded action.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ActionDef {
    pub name: String,
    /// Title template (`{{kind}}` is the target's node kind).
    pub title: Option<String>,
    /// Code-action kind; `None`: not listed in the editor.
    pub kind: Option<String>,
    pub role: String,
    pub context: ContextKind,
    pub output: OutputKind,
    pub instruction: InstructionMode,
    pub provider: Option<String>,
    pub model: Option<String>,
    pub max_tokens: Option<u32>,
    /// Empty: every language.
    pub languages: Vec<Lang>,
    pub description: Option<String>,
    /// The prompt template (the file's body).
    pub template: String,
    pub origin: Origin,
    /// `builtin:config/actions/x.md` or a filesystem path.
    pub source: String,
}

impl ActionDef {
    /// Whether the action applies to files of `lang`.
    pub fn applies_to(&self, lang: Lang) -> bool {
        self.languages.is_empty() || self.languages.contains(&lang)
    }

    /// The title for a target of `kind` (a node kind, `file`, `selection`).
    pub fn title_for(&self, kind: &str) -> String {
        let what = kind.replace('_', " ");
        match &self.title {
            Some(t) => t.replace("{{kind}}", &what),
            None => format!("AI: {}", self.name),
        }
    }
}

/// A problem with an action file; the file (or key) is skipped, everything else loads.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct ActionWarning {
    pub file: String,
    pub message: String,
}

/// Parses one action file.
pub fn parse_action(
    source: &str,
    text: &str,
    origin: Origin,
) -> Result<(ActionDef, Vec<ActionWarning>), ActionWarning> {
    let warn = |message: String| ActionWarning {
        file: source.to_string(),
        message,
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or("");
    if first.trim_end() != "---" {
        return Err(warn(
            "an action file starts with a `---` line, then YAML front matter, then `---`".into(),
        ));
    }
    let mut front = String::new();
    let mut closed = false;
    let mut consumed = first.len();
    for line in lines {
        consumed += line.len();
        if line.trim_end() == "---" {
            closed = true;
            break;
        }
        front.push_str(line);
    }
    if !closed {
        return Err(warn("the front matter has no closing `---` line".into()));
    }
    let body = text[consumed..]
        .trim_start_matches(['\r', '\n'])
        .to_string();
    let fm: FrontMatter =
        serde_saphyr::from_str(&front).map_err(|e| warn(format!("front matter: {e}")))?;
    let name = fm.name.trim().to_string();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(warn(format!(
            "`name: {name}` must be non-empty and made of letters, digits, `-`, `_` and `.`"
        )));
    }
    if body.trim().is_empty() {
        return Err(warn(
            "the prompt template (the text after the front matter) is empty".into(),
        ));
    }
    let mut warnings = Vec::new();
    if let Some(kind) = &fm.kind
        && !(kind == "quickfix"
            || kind.starts_with("quickfix.")
            || kind == "refactor"
            || kind.starts_with("refactor.")
            || kind.starts_with("source"))
    {
        warnings.push(warn(format!(
            "`kind: {kind}` is not a quickfix, refactor or source kind; the action is listed anyway"
        )));
    }
    let mut languages = Vec::new();
    for l in &fm.languages {
        match Lang::from_name(l) {
            Some(lang) => languages.push(lang),
            None => warnings.push(warn(format!(
                "unknown language `{l}` in `languages`; ignored"
            ))),
        }
    }
    let (mut provider, mut model) = (fm.provider.clone(), fm.model.clone());
    if origin == Origin::Workspace && (provider.is_some() || model.is_some()) {
        warnings.push(warn(
            "a workspace action may not choose a provider or a model (they could send your code elsewhere); \
             `provider`/`model` ignored, the role's choice from your user config is used"
                .into(),
        ));
        provider = None;
        model = None;
    }
    if fm.output == OutputKind::Hover && fm.kind.is_some() {
        warnings.push(warn(
            "an `output: hover` action is not listed as a code action; `kind` ignored".into(),
        ));
    }
    let kind = if fm.output == OutputKind::Hover {
        None
    } else {
        fm.kind.clone()
    };
    let def = ActionDef {
        role: fm
            .role
            .clone()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| name.clone()),
        name,
        title: fm.title,
        kind,
        context: fm.context,
        output: fm.output,
        instruction: fm.instruction,
        provider,
        model,
        max_tokens: fm.max_tokens,
        languages,
        description: fm.description,
        template: body,
        origin,
        source: source.to_string(),
    };
    Ok((def, warnings))
}

/// Every action that applies, by name, later layers replacing earlier ones.
#[derive(Debug, Clone, Default)]
pub struct Catalog {
    actions: BTreeMap<String, ActionDef>,
    pub warnings: Vec<ActionWarning>,
}

impl Catalog {
    /// Built-ins, then `<user_dir>/actions/*.md`, then `<workspace>/.codomyrmex/actions/*.md`.
    pub fn load(user_dir: Option<&Path>, workspace_root: Option<&Path>) -> Catalog {
        let mut catalog = Catalog::default();
        for (file, text) in BUILTIN_ACTIONS {
            catalog.add(
                &format!("builtin:config/actions/{file}"),
                text,
                Origin::BuiltIn,
            );
        }
        if let Some(dir) = user_dir {
            catalog.load_dir(&dir.join("actions"), Origin::User);
        }
        if let Some(root) = workspace_root {
            catalog.load_dir(
                &crate::config::paths::workspace_config_dir(root).join("actions"),
                Origin::Workspace,
            );
        }
        catalog
    }

    /// [`Catalog::load`] with the real user config dir.
    pub fn load_default(workspace_root: Option<&Path>) -> Catalog {
        Catalog::load(
            crate::config::paths::user_config_dir().as_deref(),
            workspace_root,
        )
    }

    fn load_dir(&mut self, dir: &Path, origin: Origin) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        let mut files: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().and_then(|e| e.to_str()) == Some("md") && p.is_file())
            .collect();
        files.sort();
        for path in files {
            let shown = path.display().to_string();
            if path.file_name().and_then(|n| n.to_str()) == Some("README.md") {
                continue;
            }
            match std::fs::read_to_string(&path) {
                Ok(text) => self.add(&shown, &text, origin),
                Err(e) => self.warnings.push(ActionWarning {
                    file: shown,
                    message: format!("cannot read: {e}"),
                }),
            }
        }
    }

    fn add(&mut self, source: &str, text: &str, origin: Origin) {
        match parse_action(source, text, origin) {
            Ok((def, warnings)) => {
                self.warnings.extend(warnings);
                if origin == Origin::Workspace
                    && let Some(existing) = self.actions.get(&def.name)
                    && existing.origin != Origin::Workspace
                {
                    // A workspace may add actions, not replace the user's or the shipped ones.
                    self.warnings.push(ActionWarning {
                        file: source.to_string(),
                        message: format!(
                            "a workspace action may not replace the {} action `{}`; ignored (rename it)",
                            if existing.origin == Origin::User { "user" } else { "built-in" },
                            def.name
                        ),
                    });
                    return;
                }
                self.actions.insert(def.name.clone(), def);
            }
            Err(w) => self.warnings.push(w),
        }
    }

    pub fn get(&self, name: &str) -> Option<&ActionDef> {
        self.actions.get(name)
    }

    /// All actions, by name.
    pub fn iter(&self) -> impl Iterator<Item = &ActionDef> {
        self.actions.values()
    }

    /// The action whose code-action kind is `kind` (the first by name).
    pub fn by_kind(&self, kind: &str) -> Option<&ActionDef> {
        self.actions
            .values()
            .find(|a| a.kind.as_deref() == Some(kind))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtins_parse_without_warnings() {
        let catalog = Catalog::load(None, None);
        assert!(catalog.warnings.is_empty(), "{:?}", catalog.warnings);
        for name in [
            "document",
            "rewrite",
            "tests",
            "fix",
            "explain",
            "hover",
            "review",
            "document-file",
        ] {
            assert!(catalog.get(name).is_some(), "{name}");
        }
        assert_eq!(
            catalog.by_kind("quickfix.ai").map(|a| a.name.as_str()),
            Some("fix")
        );
        let rewrite = catalog.get("rewrite").map(|a| a.instruction);
        assert_eq!(rewrite, Some(InstructionMode::Required));
        assert_eq!(catalog.get("hover").and_then(|a| a.kind.clone()), None);
    }

    #[test]
    fn workspace_actions_cannot_pick_a_provider_or_replace_builtins() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let actions = dir.path().join(".codomyrmex/actions");
        std::fs::create_dir_all(&actions).unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            actions.join("shout.md"),
            "---\nname: shout\nkind: refactor.ai.shout\nprovider: openai\nmodel: gpt-4o\n---\nShout {{code}}\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(
            actions.join("doc.md"),
            "---\nname: document\n---\nEvil {{code}}\n",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        std::fs::write(actions.join("broken.md"), "no front matter")
            .unwrap_or_else(|e| panic!("{e}"));
        let catalog = Catalog::load(None, Some(dir.path()));
        let shout = catalog
            .get("shout")
            .unwrap_or_else(|| panic!("shout missing"));
        assert_eq!(shout.provider, None);
        assert_eq!(shout.model, None);
        assert_eq!(shout.origin, Origin::Workspace);
        assert_eq!(
            catalog.get("document").map(|a| a.origin),
            Some(Origin::BuiltIn)
        );
        let text: Vec<String> = catalog.warnings.iter().map(|w| w.to_string()).collect();
        assert!(
            text.iter().any(|w| w.contains("may not choose a provider")),
            "{text:?}"
        );
        assert!(
            text.iter().any(|w| w.contains("may not replace")),
            "{text:?}"
        );
        assert!(text.iter().any(|w| w.contains("broken.md")), "{text:?}");
    }

    #[test]
    fn front_matter_errors_name_the_file() {
        let err = parse_action(
            "x.md",
            "---\nname: a\noutput: sideways\n---\nbody\n",
            Origin::User,
        )
        .err();
        assert!(err.is_some_and(|e| e.to_string().starts_with("x.md: front matter")));
        let err = parse_action("y.md", "---\nname: a\n", Origin::User).err();
        assert!(err.is_some_and(|e| e.message.contains("closing")));
    }
}
