//! Renders diagnostics for a terminal (colour) or a pipe (plain unicode).

use std::io::{IsTerminal, Write};

use miette::{Diagnostic, GraphicalReportHandler, GraphicalTheme};

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
    if handler.render_report(&mut out, d).is_err() {
        out = format!("error: {d}\n");
    }
    out
}

/// Writes a diagnostic to standard error.
pub fn eprint(d: &dyn Diagnostic) {
    message(&diagnostic(d));
}

/// Writes text to standard error; a closed standard error is ignored (`eprint!` would panic).
pub fn message(text: &str) {
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}
