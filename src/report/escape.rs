//! Text made safe for HTML: markup characters as entities, and the characters that could
//! hide or reorder text shown as escapes, as the command's text output shows them.
//!
//! Everything the report takes from a policy (names, clause texts, source, file names)
//! goes through [`html`], in element content and in attribute values alike.

use std::fmt::Write;

/// Characters never written raw: the hidden characters of every output but line breaks
/// and tabs, which the report's text blocks keep.
fn is_hidden(c: char) -> bool {
    c != '\n' && c != '\t' && crate::hidden::is_hidden(c)
}

/// `s` as HTML text or a double- or single-quoted attribute value: `&`, `<`, `>`, `"`
/// and `'` as entities, hidden characters as `\u{..}` escapes (`\r` as `\r`).
pub fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\r' => out.push_str("\\r"),
            c if is_hidden(c) => {
                let _ = write!(out, "{}", c.escape_unicode());
            }
            c => out.push(c),
        }
    }
    out
}

/// A fragment identifier (or part of a file name) made of `s`: ASCII letters, digits, `-`
/// and `_` kept, any other character as its code in hex between two `.` (`/` is `.2f.`),
/// so that two different texts never make the same identifier and none needs escaping in
/// an address.
pub fn anchor(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else {
            let _ = write!(out, ".{:x}.", u32::from(c));
        }
    }
    out
}
