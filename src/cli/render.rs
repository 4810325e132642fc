//! Renders diagnostics for a terminal (colour) or a pipe (plain unicode), quoted text escaped.

use std::fmt;
use std::io::IsTerminal;

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan, SourceSpan};

use super::escape::{self, Shown};
use super::output;

/// Spans that start or end further right than this column, or in a snippet with a line
/// longer than this, are not drawn: such a snippet is unreadable, and miette cannot pad an
/// underline past column 65535.
const MAX_COLUMN: usize = 1000;

/// The diagnostic as text, coloured only when standard error is a terminal.
///
/// A diagnostic quotes documents and file names, which may hold control characters: they
/// are shown as escapes (see [`escape`]), and a diagnostic that quotes any is shown
/// without colour, so that every escape sequence in the output is the command's own.
pub fn diagnostic(d: &dyn Diagnostic) -> String {
    let plain = render(d, GraphicalTheme::unicode_nocolor());
    if let std::borrow::Cow::Owned(escaped) = escape::keep_lines(&plain) {
        return escaped;
    }
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    if color {
        render(d, GraphicalTheme::unicode())
    } else {
        plain
    }
}

/// The diagnostic as plain text (no colour, control characters escaped), for a log or a
/// response body.
pub fn plain(d: &dyn Diagnostic) -> String {
    let plain = render(d, GraphicalTheme::unicode_nocolor());
    escape::keep_lines(&plain).into_owned()
}

fn render(d: &dyn Diagnostic, theme: GraphicalTheme) -> String {
    let mut out = String::new();
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(100)
        .with_links(false)
        .with_word_separator(textwrap::WordSeparator::AsciiSpace)
        .with_word_splitter(textwrap::WordSplitter::NoHyphenation);
    let quoted = Quoted {
        inner: d,
        sourced: drawable(d),
    };
    if handler.render_report(&mut out, &quoted).is_err() {
        out = format!("error: {}\n", Shown(&d.to_string()));
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

/// A diagnostic as shown: its message, location and labels with line breaks and other
/// control characters escaped; without its source snippet when that cannot be drawn.
struct Quoted<'a> {
    inner: &'a dyn Diagnostic,
    sourced: bool,
}

impl fmt::Debug for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.inner, f)
    }
}

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Shown(&self.inner.to_string()).fmt(f)
    }
}

impl std::error::Error for Quoted<'_> {}

impl Diagnostic for Quoted<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let code = self.inner.code()?.to_string();
        Some(Box::new(escape::shown(&code).into_owned()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        self.inner.severity()
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.help()
    }

    fn url<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.inner.url()
    }

    fn diagnostic_source(&self) -> Option<&dyn Diagnostic> {
        self.inner.diagnostic_source()
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.inner.source_code().filter(|_| self.sourced)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if !self.sourced {
            return None;
        }
        let labels = self.inner.labels()?.map(|l| {
            let text = l.label().map(|t| escape::shown(t).into_owned());
            let span = SourceSpan::new(l.offset().into(), l.len());
            if l.primary() {
                LabeledSpan::new_primary_with_span(text, span)
            } else {
                LabeledSpan::new_with_span(text, span)
            }
        });
        Some(Box::new(labels))
    }

    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        self.inner.related().filter(|_| self.sourced)
    }
}

/// Writes a diagnostic to standard error.
pub fn eprint(d: &dyn Diagnostic) {
    output::message(&diagnostic(d));
}

/// Writes a line of the command's own to standard error (`error: ...`, `warning: ...`).
pub fn message(text: &str) {
    output::message(text);
}
