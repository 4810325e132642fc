//! `# allow(NAME, ...)`: a comment that silences the named lints at one place.
//!
//! The comment applies to warnings whose span starts on its own line (a comment after the
//! code) or on the first line of code below it (a comment on lines of its own, directly
//! above). Text after the closing parenthesis is free: it says why. The same comment with
//! the name `uncovered` exempts a rule from rule coverage ([`crate::coverage`]).

use crate::diagnostic::PolicyWarning;
use crate::span::Source;

/// Whether a comment allows the warning where it is.
pub fn allowed(file: &Source, w: &PolicyWarning) -> bool {
    allowing(file, w.error.span.start, w.lint.name()).is_some()
}

/// The comment that allows `name` at byte `at` of the file (on that line, or on the comment
/// lines directly above it), from its `#`.
pub fn allowing<'a>(file: &'a Source, at: usize, name: &str) -> Option<&'a str> {
    let text: &str = &file.text;
    let start = at.min(text.len());
    let line_start = text
        .get(..start)
        .and_then(|t| t.rfind('\n'))
        .map_or(0, |i| i + 1);
    let line_end = text
        .get(start..)
        .and_then(|t| t.find('\n'))
        .map_or(text.len(), |i| start + i);
    if let Some(c) = text
        .get(line_start..line_end)
        .and_then(comment)
        .filter(|c| allows(c, name))
    {
        return Some(c);
    }
    // The comment lines directly above.
    let above = text.get(..line_start.saturating_sub(1)).unwrap_or("");
    for line in above.lines().rev() {
        let trimmed = line.trim_start();
        if !trimmed.starts_with('#') {
            return None;
        }
        if allows(trimmed, name) {
            return Some(trimmed);
        }
    }
    None
}

/// What an allow comment says after its parenthesis: `# allow(x): why` gives `why`.
pub fn why(comment: &str) -> &str {
    comment
        .find(')')
        .and_then(|i| comment.get(i + 1..))
        .unwrap_or("")
        .trim_start_matches(':')
        .trim()
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
