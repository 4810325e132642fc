//! `textDocument/completion`: fact fields after `claim.`, enum values in comparisons,
//! evidence kinds, rule kinds and clause keywords, names (see `analysis::complete`).

use lsp_types::{CompletionItem, CompletionItemKind, CompletionParams, CompletionResponse};
use proviso::internals::analysis::{complete, CompletionKind};

use super::documents::Documents;
use super::position::Lines;

pub fn completion(docs: &Documents, params: &CompletionParams) -> Option<CompletionResponse> {
    let at = &params.text_document_position;
    let doc = docs.get(&at.text_document.uri)?;
    let offset = Lines::new(doc.text()).offset(at.position);
    let known = doc
        .known()
        .and_then(|a| a.ast.as_ref().map(|ast| (&a.source, ast)));
    let items = complete(doc.text(), offset, known)
        .into_iter()
        .map(|c| CompletionItem {
            label: c.label,
            kind: Some(kind(c.kind)),
            detail: c.detail,
            insert_text: c.insert,
            ..CompletionItem::default()
        })
        .collect();
    Some(CompletionResponse::Array(items))
}

fn kind(k: CompletionKind) -> CompletionItemKind {
    match k {
        CompletionKind::Fact | CompletionKind::Field => CompletionItemKind::FIELD,
        CompletionKind::EnumValue => CompletionItemKind::ENUM_MEMBER,
        CompletionKind::EvidenceKind => CompletionItemKind::VALUE,
        CompletionKind::Const => CompletionItemKind::CONSTANT,
        CompletionKind::Let => CompletionItemKind::VARIABLE,
        CompletionKind::Calendar => CompletionItemKind::CONSTANT,
        CompletionKind::Table | CompletionKind::Hook | CompletionKind::Function => {
            CompletionItemKind::FUNCTION
        }
        CompletionKind::RuleKind | CompletionKind::Keyword => CompletionItemKind::KEYWORD,
    }
}
