//! `textDocument/hover`: what the rule under the cursor means and how to fix it.

use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;

use crate::lsp::convert;
use crate::lsp::server::Backend;
use crate::rules::Rule;

/// Markdown help for one rule.
pub fn rule_help(rule: &Rule, message: &str) -> String {
    let mut md = format!("**codomyrmex** `{}` — {}\n", rule.id(), message);
    if !rule.meta.cwe.is_empty() || rule.meta.confidence.is_some() {
        let mut meta = Vec::new();
        if !rule.meta.cwe.is_empty() {
            meta.push(rule.meta.cwe.join(", "));
        }
        if !rule.meta.owasp.is_empty() {
            meta.push(rule.meta.owasp.join(", "));
        }
        md.push_str(&format!("\n_{}_\n", meta.join(" · ")));
    }
    if !rule.meta.explanation.trim().is_empty() {
        md.push_str(&format!("\n{}\n", rule.meta.explanation.trim()));
    }
    if let Some(fix) = &rule.meta.fix {
        md.push_str(&format!("\n**Quick fix:** {}\n", fix.title));
    }
    md.push_str(&format!(
        "\nSilence it on this line with a `codomyrmex-ignore: {}` comment.\n",
        rule.id()
    ));
    if let Some(docs) = &rule.meta.docs {
        md.push_str(&format!("\n[Documentation]({docs})\n"));
    }
    md
}

pub async fn hover(backend: &Backend, params: HoverParams) -> Result<Option<Hover>> {
    let uri = params.text_document_position_params.text_document.uri;
    let Some(snapshot) = backend.store.snapshot(uri.as_str()) else {
        return Ok(None);
    };
    let enc = backend.state.encoding();
    let offset = convert::offset(
        &snapshot.text,
        params.text_document_position_params.position,
        enc,
    );
    let rules = backend.state.rules();
    let mut sections = Vec::new();
    let mut range = None;
    // Findings computed for an older text would sit at wrong positions.
    let current = snapshot.findings_version == snapshot.version;
    for f in snapshot
        .findings
        .iter()
        .filter(|f| current && f.range.start <= offset && offset <= f.range.end)
    {
        if let Some(rule) = rules.rule(&f.rule_id) {
            sections.push(rule_help(rule, &f.message));
            range.get_or_insert_with(|| convert::lsp_range(&snapshot.text, f.range.clone(), enc));
        }
    }
    if let Some(ai) = crate::lsp::handlers::ai::hover_section(backend, &snapshot, offset) {
        sections.push(ai);
    }
    if sections.is_empty() {
        return Ok(None);
    }
    Ok(Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: sections.join("\n---\n"),
        }),
        range,
    }))
}
