//! The assumptions a clause text states: each passage from "Assumed:" to the end of the
//! text or the next "Assumed:", as the bundled policies mark where the published terms are
//! silent and the policy decides in their place.

/// The word that opens an assumption.
pub const MARKER: &str = "Assumed:";

/// Every assumption in `text`, each starting with [`MARKER`], in order.
pub fn passages(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(MARKER) {
        let after = rest.get(at + MARKER.len()..).unwrap_or("");
        let end = after.find(MARKER).unwrap_or(after.len());
        let body = after.get(..end).unwrap_or("").trim();
        if !body.is_empty() {
            out.push(format!("{MARKER} {body}"));
        }
        rest = after.get(end..).unwrap_or("");
    }
    out
}
