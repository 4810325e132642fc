//! Document errors: a document that cannot be read, matched to a policy, or evaluated.

use std::fmt;
use std::sync::Arc;

use miette::{Diagnostic, LabeledSpan, SourceCode};

use crate::compile::Program;
use crate::decide::RuleFailure;
use crate::document::{DocError, Format};
use crate::policy_set::Document;
use crate::span::{Source, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocumentErrorKind {
    /// The document does not fit the policy's facts, or names no policy in force.
    Invalid,
    /// A rule failed while evaluating the document (overflow, division by zero).
    Evaluation,
}

/// Why one document got no decision.
#[derive(Clone, Debug)]
pub struct DocumentError {
    pub kind: DocumentErrorKind,
    /// The document's id (`claim.id`), when it could be read.
    pub document: Option<String>,
    /// The file (or stream position) the document came from.
    pub name: Arc<str>,
    pub message: String,
    /// Dotted path of the offending value.
    pub path: Option<String>,
    /// Text to underline: the document at the offending value, or the failing policy expression.
    /// Boxed, as every `Result` of the evaluation path carries an error.
    pub at: Option<Box<Underline>>,
}

/// A span of a source to underline, and what to say under it.
#[derive(Clone, Debug)]
pub struct Underline {
    pub source: Source,
    pub span: Span,
    pub label: String,
}

impl DocumentError {
    pub(crate) fn invalid(doc: &Document<'_>, id: Option<&str>, e: DocError) -> Self {
        let at = e.line_col.map(|(line, col)| {
            let src = Source::new(doc.name.clone(), doc.text);
            let reported = src.offset_of(line, col);
            let key = e.path.as_deref().and_then(last_field);
            let span = key
                .and_then(|k| value_span(&src.text, reported, k, doc.format))
                .unwrap_or_else(|| token_at(&src.text, reported));
            Box::new(Underline {
                source: src,
                span,
                label: "here".into(),
            })
        });
        DocumentError {
            kind: DocumentErrorKind::Invalid,
            document: id.map(str::to_string).filter(|s| !s.is_empty()),
            name: doc.name.clone(),
            message: e.message,
            path: e.path,
            at,
        }
    }

    pub(crate) fn plain(doc: &Document<'_>, id: &str, message: String, path: Option<&str>) -> Self {
        DocumentError {
            kind: DocumentErrorKind::Invalid,
            document: Some(id.to_string()).filter(|s| !s.is_empty()),
            name: doc.name.clone(),
            message,
            path: path.map(str::to_string),
            at: None,
        }
    }

    pub(crate) fn evaluation(name: &Arc<str>, id: &str, program: &Program, f: RuleFailure) -> Self {
        let message = match &f.rule {
            Some(rule) => format!("rule `{rule}` failed: {}", f.error.message),
            None => f.error.message.clone(),
        };
        DocumentError {
            kind: DocumentErrorKind::Evaluation,
            document: Some(id.to_string()).filter(|s| !s.is_empty()),
            name: name.clone(),
            message,
            path: None,
            at: f.error.span.map(|span| {
                Box::new(Underline {
                    source: program.meta.file.clone(),
                    span,
                    label: "while evaluating this".into(),
                })
            }),
        }
    }
}

impl fmt::Display for DocumentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.path {
            Some(p) => write!(f, "{p}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for DocumentError {}

impl Diagnostic for DocumentError {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        let loc = match self.at.as_deref() {
            Some(u) if self.kind == DocumentErrorKind::Invalid => u.source.location(u.span),
            _ => self.name.to_string(),
        };
        Some(Box::new(loc))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.at.as_deref().map(|u| &u.source as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let u = self.at.as_deref()?;
        Some(Box::new(std::iter::once(LabeledSpan::new_with_span(
            Some(u.label.clone()),
            u.span,
        ))))
    }
}

/// The last field name of a path (`order.items[0].unit_price` -> `unit_price`), if it ends in one.
fn last_field(path: &str) -> Option<&str> {
    let last = path.rsplit('.').next()?;
    (!last.ends_with(']') && !last.is_empty()).then_some(last)
}

/// The span of one token starting at `at`.
fn token_at(text: &str, at: usize) -> Span {
    let rest = text.get(at..).unwrap_or("");
    let len = rest
        .find(['\n', ',', '}', ']'])
        .unwrap_or(rest.len())
        .max(1)
        .min(rest.len().max(1));
    Span::new(at, (at + len).min(text.len()))
}

/// Narrows a parser's position to the value of `key`: YAML parsers report the enclosing
/// mapping, so the key is searched forward; JSON parsers report the end of the value,
/// so it is searched backward.
fn value_span(text: &str, reported: usize, key: &str, format: Format) -> Option<Span> {
    let key_at = match format {
        Format::Yaml => {
            let rest = text.get(reported..)?;
            let mut from = 0;
            loop {
                let i = rest.get(from..)?.find(key)? + from;
                let before_ok = i == 0
                    || rest
                        .get(..i)?
                        .ends_with(|c: char| c.is_whitespace() || c == '{' || c == ',' || c == '-');
                let after = rest.get(i + key.len()..)?.trim_start_matches([' ', '\t']);
                if before_ok && after.starts_with(':') {
                    break reported + i;
                }
                from = i + key.len();
            }
        }
        Format::Json => text.get(..reported)?.rfind(&format!("\"{key}\""))?,
    };
    let colon = key_at + text.get(key_at..)?.find(':')?;
    let start = colon + 1 + text.get(colon + 1..)?.len()
        - text.get(colon + 1..)?.trim_start_matches([' ', '\t']).len();
    let value = text.get(start..)?;
    let end = match format {
        Format::Yaml => value.find('\n').unwrap_or(value.len()),
        Format::Json => reported.saturating_sub(start).max(1).min(value.len()),
    };
    let trimmed = value.get(..end)?.trim_end();
    Some(Span::new(
        start,
        start + trimmed.len().max(1).min(value.len()),
    ))
}
