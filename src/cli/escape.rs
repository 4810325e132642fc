//! Control characters shown as escapes, so that quoted text cannot forge or restyle output.
//!
//! A document's id, its notes, a file name or a snippet of a document could hold a line
//! break, terminal escape codes or a bidirectional override; printed raw, they could write
//! a line of their own ("FAKE: approved") or repaint the screen. Text output shows each
//! such character as an escape instead: `\n`, `\r`, `\t`, or `\u{1b}`.

use std::borrow::Cow;
use std::fmt;

/// Characters never printed raw (see the library's list).
pub use proviso::internals::hidden::is_hidden;

/// Text quoted in output, every hidden character (line breaks too) escaped.
pub struct Shown<'a>(pub &'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `pad`, so that a width (`{:<10}`) applies to the text as shown.
        f.pad(&shown(self.0))
    }
}

fn write_escape(f: &mut impl fmt::Write, c: char) -> fmt::Result {
    match c {
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        c => write!(f, "{}", c.escape_unicode()),
    }
}

/// Text quoted in output, every hidden character escaped.
pub fn shown(s: &str) -> Cow<'_, str> {
    if !s.contains(is_hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if is_hidden(c) {
            let _ = write_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Text laid out in lines by the command (a rendered diagnostic): hidden characters are
/// escaped, except the line breaks `\n` that end its lines and tabs.
pub fn keep_lines(s: &str) -> Cow<'_, str> {
    let hidden = |c: char| c != '\n' && c != '\t' && is_hidden(c);
    if !s.contains(hidden) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        if hidden(c) {
            let _ = write_escape(&mut out, c);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}
