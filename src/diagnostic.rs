//! Policy diagnostics: one message, the offending span underlined, and help.

use std::fmt;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::span::{Source, Span};

/// An error in a policy file (syntax, names, types, structure), pointing at its span.
#[derive(Clone, Debug)]
pub struct PolicyError {
    pub message: String,
    pub label: String,
    pub help: Option<String>,
    pub span: Span,
    pub file: Source,
}

impl PolicyError {
    pub fn new(
        file: &Source,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
    ) -> Self {
        PolicyError {
            message: message.into(),
            label: label.into(),
            help: None,
            span,
            file: file.clone(),
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
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

/// Every error found in a set of policy files, in file order.
#[derive(Clone, Debug, Default)]
pub struct PolicyErrors {
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
#[derive(Clone, Debug)]
pub struct PolicyWarning(pub PolicyError);

impl fmt::Display for PolicyWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for PolicyWarning {}

impl Diagnostic for PolicyWarning {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.code()
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(miette::Severity::Warning)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.0.help()
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.0.source_code()
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        self.0.labels()
    }
}
