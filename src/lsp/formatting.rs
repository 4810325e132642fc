//! `textDocument/formatting`: the layout of `proviso fmt`, as one edit of the whole text
//! (none when the file is laid out already). A file that does not parse is not laid out:
//! the request fails with the first error, and the text is left as it is.

use lsp_types::{DocumentFormattingParams, TextEdit};
use proviso::internals::format::layout;

use super::documents::Documents;
use super::position::Lines;

/// The edits, or why there are none.
pub fn formatting(
    docs: &Documents,
    params: &DocumentFormattingParams,
) -> Result<Option<Vec<TextEdit>>, String> {
    let Some(doc) = docs.get(&params.text_document.uri) else {
        return Ok(None);
    };
    let laid = layout(&doc.analysis.source).map_err(|errors| match errors.first() {
        Some(e) => {
            let lines = Lines::new(doc.text());
            let at = lines.position(e.span.start);
            format!(
                "cannot lay out a file with errors: {} (line {}, column {})",
                e.message,
                at.line + 1,
                at.character + 1
            )
        }
        None => "cannot lay out this file".to_string(),
    })?;
    if laid == doc.text() {
        return Ok(Some(Vec::new()));
    }
    let whole = Lines::new(doc.text()).whole();
    Ok(Some(vec![TextEdit::new(whole, laid)]))
}
