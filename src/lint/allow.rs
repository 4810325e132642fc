//! `# allow(NAME, ...)`: a comment that silences the named lints at one place.
//!
//! The comment applies to warnings whose span starts on its own line (a comment after the
//! code) or on the first line of code below it (a comment on lines of its own, directly
//! above). Text after the closing parenthesis is free: it says why.

use crate::diagnostic::PolicyWarning;
use crate::span::Source;

/// Whether a comment allows the warning where it is.
pub fn allowed(file: &Source, w: &PolicyWarning) -> bool {
    let text: &str = &file.text;
    let start = w.error.span.start.min(text.len());
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| start + i);
    let name = w.lint.name();
    if text
        .get(line_start..line_end)
        .and_then(comment)
        .is_some_and(|c| allows(c, name))
    {
        return true;
    }
    // The comment lines directly above.
    let above = text.get(..line_start.saturating_sub(1)).unwrap_or("");
    for line in above.lines().rev() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            return false;
        }
        if allows(trimmed, name) {
            return true;
        }
    }
    false
}

/// The comment on a line of policy text (from its `#`), outside string literals.
fn comment(line: &str) -> Option<&str> {
    let mut in_string = false;
    let mut escaped = false;
    for (i, c) in line.char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if in_string => escaped = true,
            '"' => in_string = !in_string,
            '#' if !in_string => return line.get(i..),
            _ => {}
        }
    }
    None
}

/// Whether a comment (`# allow(a, b) why`) names the lint `name`.
fn allows(comment: &str, name: &str) -> bool {
    let body = comment.trim_start_matches('#').trim_start();
    let Some(list) = body.strip_prefix("allow(") else {
        return false;
    };
    let Some(end) = list.find(')') else {
        return false;
    };
    list.get(..end)
        .unwrap_or("")
        .split(',')
        .any(|n| n.trim() == name)
}
