//! A file's diagnostics as `proviso check` reports them: its errors, or the lints of a
//! policy that loads as warnings with their codes (`proviso::lint::unused-const`), each
//! with its message, span and help line.

use lsp_types::{Diagnostic, DiagnosticSeverity, NumberOrString, PublishDiagnosticsParams, Uri};
use proviso::internals::analysis::Analysis;
use proviso::PolicyError;

use super::position::Lines;

/// The diagnostics of one analysed file.
pub fn diagnostics(a: &Analysis) -> Vec<Diagnostic> {
    let lines = Lines::new(&a.source.text);
    let errors = a
        .errors
        .iter()
        .map(|e| diagnostic(&lines, e, DiagnosticSeverity::ERROR, None));
    let warnings = a.warnings.iter().map(|w| {
        let code = Some(w.lint.code());
        diagnostic(&lines, &w.error, DiagnosticSeverity::WARNING, code)
    });
    errors.chain(warnings).collect()
}

fn diagnostic(
    lines: &Lines,
    e: &PolicyError,
    severity: DiagnosticSeverity,
    code: Option<&str>,
) -> Diagnostic {
    let mut message = e.message.clone();
    if let Some(help) = &e.help {
        message.push_str("\nhelp: ");
        message.push_str(help);
    }
    Diagnostic {
        range: lines.range(e.span),
        severity: Some(severity),
        code: code.map(|c| NumberOrString::String(c.to_string())),
        source: Some("proviso".into()),
        message,
        ..Diagnostic::default()
    }
}

/// The `textDocument/publishDiagnostics` parameters for a file.
pub fn publish(uri: &Uri, version: Option<i32>, a: Option<&Analysis>) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams {
        uri: uri.clone(),
        diagnostics: a.map(diagnostics).unwrap_or_default(),
        version,
    }
}
