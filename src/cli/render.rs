//! Renders diagnostics for a terminal (colour) or a pipe (plain unicode).

use std::fmt;
use std::io::{IsTerminal, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, SourceSpan};

/// Spans that start or end further right than this column, or in a snippet with a line
/// longer than this, are not drawn: such a snippet is unreadable, and miette cannot pad an
/// underline past column 65535.
const MAX_COLUMN: usize = 1000;

/// The diagnostic as text, coloured only when standard error is a terminal.
pub fn diagnostic(d: &dyn Diagnostic) -> String {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let rendered = if drawable(d) {
        handler.render_report(&mut out, d)
    } else {
        handler.render_report(&mut out, &Unsourced(d))
    };
    if rendered.is_err() {
        out = format!("error: {d}\n");
    }
    out
}

/// Whether every label of the diagnostic (and of those related to it) can be drawn, and
/// every line of its snippet is short enough to read (a generated policy may put a
/// hundred thousand names on one line).
fn drawable(d: &dyn Diagnostic) -> bool {
    let labels_ok = match (d.source_code(), d.labels()) {
        (Some(src), Some(mut labels)) => labels.all(|l| {
            let ends_ok = [l.offset(), l.offset() + l.len()].into_iter().all(|at| {
                src.read_span(&SourceSpan::new(at.into(), 0), 0, 0)
                    .is_ok_and(|c| c.column() <= MAX_COLUMN)
            });
            ends_ok
                && src.read_span(l.inner(), 1, 1).is_ok_and(|c| {
                    String::from_utf8_lossy(c.data())
                        .lines()
                        .all(|line| line.chars().count() <= MAX_COLUMN)
                })
        }),
        _ => true,
    };
    labels_ok && d.related().is_none_or(|mut r| r.all(drawable))
}

/// A diagnostic shown without its source snippet.
struct Unsourced<'a>(&'a dyn Diagnostic);

impl fmt::Debug for Unsourced<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.0, f)
    }
}

impl fmt::Display for Unsourced<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self.0, f)
    }
}

impl std::error::Error for Unsourced<'_> {}

impl Diagnostic for Unsourced<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.code()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }
}

/// Writes a diagnostic to standard error.
pub fn eprint(d: &dyn Diagnostic) {
    message(&diagnostic(d));
}

/// Writes text to standard error; a closed standard error is ignored (`eprint!` would panic).
pub fn message(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
