//! Conversions between our types and LSP types: positions (through [`crate::text`], in the
//! negotiated encoding), ranges, findings → diagnostics. Every LSP position passes through here.

use serde_json::json;
use tower_lsp_server::ls_types::{
    CodeDescription, Diagnostic, DiagnosticSeverity, NumberOrString, Position,
    PositionEncodingKind, Range, Uri,
};

use crate::rules::{Finding, RuleSet, Severity};
use crate::text::{Pos, PosRange, PositionEncoding, Text};

/// Picks `utf-8` when the client offers it, else `utf-16` (the LSP default).
pub fn negotiate_encoding(offered: Option<&[PositionEncodingKind]>) -> PositionEncoding {
    match offered {
        Some(list) if list.iter().any(|k| k.as_str() == "utf-8") => PositionEncoding::Utf8,
        _ => PositionEncoding::Utf16,
    }
}

pub fn encoding_kind(enc: PositionEncoding) -> PositionEncodingKind {
    match enc {
        PositionEncoding::Utf8 => PositionEncodingKind::UTF8,
        PositionEncoding::Utf16 => PositionEncodingKind::UTF16,
    }
}

pub fn pos_from_lsp(p: Position) -> Pos {
    Pos::new(p.line, p.character)
}

pub fn pos_to_lsp(p: Pos) -> Position {
    Position::new(p.line, p.character)
}

pub fn range_from_lsp(r: Range) -> PosRange {
    PosRange {
        start: pos_from_lsp(r.start),
        end: pos_from_lsp(r.end),
    }
}

pub fn range_to_lsp(r: PosRange) -> Range {
    Range::new(pos_to_lsp(r.start), pos_to_lsp(r.end))
}

/// Byte offset of an LSP position in `text` (clamped).
pub fn offset(text: &Text, p: Position, enc: PositionEncoding) -> usize {
    text.offset_of(pos_from_lsp(p), enc)
}

/// Byte range of an LSP range in `text` (clamped).
pub fn byte_range(text: &Text, r: Range, enc: PositionEncoding) -> std::ops::Range<usize> {
    text.byte_range_of(range_from_lsp(r), enc)
}

/// LSP range of a byte range in `text`.
pub fn lsp_range(text: &Text, r: std::ops::Range<usize>, enc: PositionEncoding) -> Range {
    range_to_lsp(text.range_of(r, enc))
}

pub fn severity(s: Severity) -> DiagnosticSeverity {
    match s {
        Severity::Error => DiagnosticSeverity::ERROR,
        Severity::Warning => DiagnosticSeverity::WARNING,
        Severity::Info => DiagnosticSeverity::INFORMATION,
        Severity::Hint => DiagnosticSeverity::HINT,
    }
}

/// A finding as an LSP diagnostic: `source: "codomyrmex"`, `code` = rule id, docs link, CWE in the
/// message and in `data`.
pub fn diagnostic(text: &Text, f: &Finding, rules: &RuleSet, enc: PositionEncoding) -> Diagnostic {
    let rule = rules.rule(&f.rule_id);
    let cwe: Vec<String> = rule.map(|r| r.meta.cwe.clone()).unwrap_or_default();
    let mut message = f.message.clone();
    if !cwe.is_empty() && !cwe.iter().all(|c| message.contains(c.as_str())) {
        message = format!("{message} ({})", cwe.join(", "));
    }
    let code_description = rule
        .and_then(|r| r.meta.docs.as_deref())
        .and_then(|d| d.parse::<Uri>().ok())
        .map(|href| CodeDescription { href });
    Diagnostic {
        range: lsp_range(text, f.range.clone(), enc),
        severity: Some(severity(f.severity)),
        code: Some(NumberOrString::String(f.rule_id.to_string())),
        code_description,
        source: Some("codomyrmex".to_string()),
        message,
        related_information: None,
        tags: None,
        data: Some(json!({
            "rule_id": &*f.rule_id,
            "cwe": cwe,
            "confidence": f.confidence.map(|c| c.as_str()),
            "has_fix": f.fix.is_some(),
        })),
    }
}
