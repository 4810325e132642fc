//! `textDocument/documentSymbol`: the outline of a file (see `analysis::outline`).

use lsp_types::{DocumentSymbol, DocumentSymbolParams, DocumentSymbolResponse, SymbolKind};
use proviso::internals::analysis::{outline, Entry, EntryKind};

use super::documents::Documents;
use super::position::Lines;

pub fn symbols(docs: &Documents, params: &DocumentSymbolParams) -> Option<DocumentSymbolResponse> {
    let doc = docs.get(&params.text_document.uri)?;
    let ast = doc.analysis.ast.as_ref()?;
    let lines = Lines::new(doc.text());
    let entries = outline(ast);
    Some(DocumentSymbolResponse::Nested(
        entries.iter().map(|e| symbol(&lines, e)).collect(),
    ))
}

#[allow(deprecated)] // `deprecated` is a required field of the type, deprecated in favour of tags
fn symbol(lines: &Lines, e: &Entry) -> DocumentSymbol {
    let children: Vec<DocumentSymbol> = e.children.iter().map(|c| symbol(lines, c)).collect();
    DocumentSymbol {
        name: e.name.clone(),
        detail: Some(e.detail.clone()),
        kind: kind(e.kind),
        tags: None,
        deprecated: None,
        range: lines.range(e.span),
        selection_range: lines.range(e.name_span),
        children: (!children.is_empty()).then_some(children),
    }
}

fn kind(k: EntryKind) -> SymbolKind {
    match k {
        EntryKind::Fact => SymbolKind::FIELD,
        EntryKind::Const => SymbolKind::CONSTANT,
        EntryKind::Let => SymbolKind::VARIABLE,
        EntryKind::Table => SymbolKind::STRUCT,
        EntryKind::Hook => SymbolKind::FUNCTION,
        EntryKind::Calendar => SymbolKind::CONSTANT,
        EntryKind::Rule => SymbolKind::METHOD,
    }
}
