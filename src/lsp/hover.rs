//! `textDocument/hover`: what the name under the cursor is (see `analysis::hover`).

use lsp_types::{Hover, HoverContents, HoverParams, MarkupContent, MarkupKind};

use super::documents::Documents;
use super::position::Lines;

pub fn hover(docs: &Documents, params: &HoverParams) -> Option<Hover> {
    let at = &params.text_document_position_params;
    let doc = docs.get(&at.text_document.uri)?;
    let lines = Lines::new(doc.text());
    let offset = lines.offset(at.position);
    let (span, markdown) = proviso::internals::analysis::hover(&doc.analysis, offset)?;
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value: markdown,
        }),
        range: Some(lines.range(span)),
    })
}
