//! Policy diagnostics: one message, the offending span underlined, and help.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::span::{Source, Span};

/// An error in a policy file (syntax, names, types, structure), pointing at its span.
#[derive(Clone, Debug)]
pub struct PolicyError {
    /// What is wrong (lowercase, user input in backticks).
    pub message: String,
    /// The label under the offending text.
    pub label: String,
    /// What to do about it.
    pub help: Option<String>,
    /// The offending text, in bytes of `file`.
    pub span: Span,
    /// The policy file.
    pub file: Source,
}

impl PolicyError {
    /// An error at `span` of `file`.
    pub fn new(
        file: &Source,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        PolicyError {
            message: shorten_quoted(&message.into()),
            label: label.into(),
            help: None,
            span,
            file: file.clone(),
        }
    }

    /// The error with a help line.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(shorten_quoted(&help.into()));
        self
    }

    /// `file:line:col` of the error.
    pub fn location(&self) -> String {
        self.file.location(self.span)
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for PolicyError {}

impl Diagnostic for PolicyError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.location()))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        Some(&self.file)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let label = LabeledSpan::new_with_span(Some(self.label.clone()), self.span);
        Some(Box::new(std::iter::once(label)))
    }
}

/// Longest name or token a message quotes whole; a longer one keeps its start and end.
pub const MAX_QUOTED_CHARS: usize = 40;

/// `text` with every quoted name or token (between backticks or double quotes) longer than
/// [`MAX_QUOTED_CHARS`] shortened with an ellipsis: `very_long_name_that_goes_on_and_…_and_ends_here`.
/// Paths, and code with spaces between backticks (a suggested fix), are kept whole.
pub fn shorten_quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find(['`', '"']) {
        let (before, from) = rest.split_at(open);
        out.push_str(before);
        let quote = if from.starts_with('`') { '`' } else { '"' };
        let inner = &from[1..];
        let Some(close) = inner.find(quote) else {
            out.push_str(from);
            return out;
        };
        let quoted = &inner[..close];
        let is_code = quote == '`' && quoted.contains(char::is_whitespace);
        let is_path = quoted.contains(['/', '\\']);
        out.push(quote);
        if quoted.chars().count() > MAX_QUOTED_CHARS && !is_code && !is_path {
            out.push_str(&shorten(quoted));
        } else {
            out.push_str(quoted);
        }
        out.push(quote);
        rest = &inner[close + 1..];
    }
    out.push_str(rest);
    out
}

/// The first and last characters of `s` around an ellipsis, [`MAX_QUOTED_CHARS`] in all.
fn shorten(s: &str) -> String {
    let tail = MAX_QUOTED_CHARS / 3;
    let head = MAX_QUOTED_CHARS - tail - 1;
    let count = s.chars().count();
    let start: String = s.chars().take(head).collect();
    let end: String = s.chars().skip(count - tail).collect();
    format!("{start}\u{2026}{end}")
}

/// Most items a message lists; a longer list ends with how many more there are.
pub const MAX_LISTED: usize = 20;

/// Items joined with commas, at most [`MAX_LISTED`] of them: `a, b, c, … and 119980 more`.
pub fn listing<S: AsRef<str>>(items: &[S]) -> String {
    let shown: Vec<&str> = items.iter().take(MAX_LISTED).map(AsRef::as_ref).collect();
    let mut out = shown.join(", ");
    if items.len() > MAX_LISTED {
        out.push_str(&format!(", \u{2026} and {} more", items.len() - MAX_LISTED));
    }
    out
}

/// Every error found in a set of policy files, in file order.
#[derive(Clone, Debug, Default)]
pub struct PolicyErrors {
    /// The errors, in file order.
    pub errors: Vec<PolicyError>,
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.len() {
            1 => f.write_str("1 error in policies"),
            n => write!(f, "{n} errors in policies"),
        }
    }
}

impl std::error::Error for PolicyErrors {}

impl Diagnostic for PolicyErrors {
    fn related<'a>(&'a self) -> Option<Box<dyn Iterator<Item = &'a dyn Diagnostic> + 'a>> {
        Some(Box::new(self.errors.iter().map(|e| e as &dyn Diagnostic)))
    }
}

impl From<PolicyError> for PolicyErrors {
    fn from(e: PolicyError) -> Self {
        PolicyErrors { errors: vec![e] }
    }
}

impl From<Vec<PolicyError>> for PolicyErrors {
    fn from(errors: Vec<PolicyError>) -> Self {
        PolicyErrors { errors }
    }
}

/// A warning on a policy that loads: shown like an error, but it does not stop the policy.
/// Its code names the lint that found it (`proviso::lint::zero-divisor`).
#[derive(Clone, Debug)]
pub struct PolicyWarning {
    #[doc(hidden)]
    pub lint: crate::lint::Lint,
    /// The message, place and help, as for an error.
    pub error: PolicyError,
}

impl PolicyWarning {
    #[doc(hidden)]
    pub fn new(lint: crate::lint::Lint, error: PolicyError) -> Self {
        PolicyWarning { lint, error }
    }

    /// The lint that found it, as `check` names it (`zero-divisor`).
    pub fn lint_name(&self) -> &'static str {
        self.lint.name()
    }

    /// `file:line:col` of the warning.
    pub fn location(&self) -> String {
        self.error.location()
    }
}

impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.error.fmt(f)
    }
}

impl std::error::Error for PolicyWarning {}

impl Diagnostic for PolicyWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new(self.lint.code()))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.error.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.error.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.error.labels()
    }
}
