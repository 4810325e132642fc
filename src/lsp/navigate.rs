//! `textDocument/definition` and `textDocument/references` for facts, constants, `let`
//! values, tables and hooks: the names of one file, resolved as the checker resolves them.

use lsp_types::{GotoDefinitionParams, Location, ReferenceParams, TextDocumentPositionParams};
use proviso::internals::analysis::Symbol;

use super::documents::{Document, Documents};
use super::position::Lines;

/// The document and the symbol at a position.
fn symbol_at<'d>(
    docs: &'d Documents,
    at: &TextDocumentPositionParams,
) -> Option<(&'d Document, Symbol)> {
    let doc = docs.get(&at.text_document.uri)?;
    let offset = Lines::new(doc.text()).offset(at.position);
    let symbol = doc.analysis.index.at(offset)?.symbol.clone();
    Some((doc, symbol))
}

pub fn definition(docs: &Documents, params: &GotoDefinitionParams) -> Option<Location> {
    let at = &params.text_document_position_params;
    let (doc, symbol) = symbol_at(docs, at)?;
    let span = doc.analysis.index.definition(&symbol)?;
    let range = Lines::new(doc.text()).range(span);
    Some(Location::new(at.text_document.uri.clone(), range))
}

pub fn references(docs: &Documents, params: &ReferenceParams) -> Option<Vec<Location>> {
    let at = &params.text_document_position;
    let (doc, symbol) = symbol_at(docs, at)?;
    let with_definition = params.context.include_declaration;
    let lines = Lines::new(doc.text());
    let spans = doc.analysis.index.references(&symbol, with_definition);
    let uri = &at.text_document.uri;
    Some(
        spans
            .into_iter()
            .map(|s| Location::new(uri.clone(), lines.range(s)))
            .collect(),
    )
}
