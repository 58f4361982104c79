//! `textDocument/codeAction`: rule fixes and "suppress on this line" for findings in range.

use std::collections::HashMap;

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::server::Backend;
use crate::rules::suppress::{line_of, line_starts, suppression_edit};

pub async fn code_action(
    backend: &Backend,
    params: CodeActionParams,
) -> Result<Option<CodeActionResponse>> {
    let uri = params.text_document.uri.clone();
    let Some(snapshot) = backend.store.snapshot(uri.as_str()) else {
        return Ok(None);
    };
    let enc = backend.state.encoding();
    let text = &snapshot.text;
    let range = convert::byte_range(text, params.range, enc);
    let only = params.context.only.clone();
    let wants = |kind: &CodeActionKind| match &only {
        None => true,
        Some(list) => list.iter().any(|k| {
            kind.as_str() == k.as_str() || kind.as_str().starts_with(&format!("{}.", k.as_str()))
        }),
    };
    let mut actions: Vec<CodeActionOrCommand> = Vec::new();
    if snapshot.findings_version == snapshot.version {
        let source = text.source();
        let starts = line_starts(&source);
        let client_diags = &params.context.diagnostics;
        for f in snapshot
            .findings
            .iter()
            .filter(|f| f.range.start <= range.end && range.start <= f.range.end)
        {
            let diag_range = convert::lsp_range(text, f.range.clone(), enc);
            let diagnostic = client_diags
                .iter()
                .find(|d| {
                    d.range == diag_range
                        && d.code == Some(NumberOrString::String(f.rule_id.to_string()))
                })
                .cloned();
            let diagnostics = diagnostic.map(|d| vec![d]);
            if let Some(fix) = &f.fix
                && wants(&CodeActionKind::QUICKFIX)
            {
                let edit = TextEdit {
                    range: convert::lsp_range(text, fix.range.clone(), enc),
                    new_text: fix.replacement.clone(),
                };
                actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{} ({})", fix.title, f.rule_id),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: diagnostics.clone(),
                    edit: Some(WorkspaceEdit {
                        changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                        ..Default::default()
                    }),
                    is_preferred: Some(true),
                    ..Default::default()
                }));
            }
            if wants(&CodeActionKind::QUICKFIX) {
                let line = line_of(&starts, f.range.start);
                if let Some((r, insert)) =
                    suppression_edit(&source, snapshot.lang, line, &f.rule_id)
                {
                    let edit = TextEdit {
                        range: convert::lsp_range(text, r, enc),
                        new_text: insert,
                    };
                    actions.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!("Suppress {} on this line", f.rule_id),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics,
                        edit: Some(WorkspaceEdit {
                            changes: Some(HashMap::from([(uri.clone(), vec![edit])])),
                            ..Default::default()
                        }),
                        ..Default::default()
                    }));
                }
            }
        }
    }
    actions.extend(crate::lsp::handlers::ai::list_actions(
        backend, &snapshot, &params,
    ));
    Ok(Some(actions))
}
