//! Document errors: a document that cannot be read, matched to a policy, or evaluated.

use std::fmt;
use std::sync::Arc;

use miette::{
    Diagnostic, LabeledSpan, MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents,
};

use crate::compile::Program;
use crate::decide::RuleFailure;
use crate::document::{DocError, Format, Place};
use crate::policy_set::Document;
use crate::span::{Source, Span};

/// What kind of failure kept a document from a decision.
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
    /// What kind of failure.
    pub kind: DocumentErrorKind,
    /// The document's id (`claim.id`), when it could be read.
    pub document: Option<String>,
    /// The file (or stream position) the document came from.
    pub name: Arc<str>,
    /// What is wrong (lowercase, user input in backticks).
    pub message: String,
    /// Dotted path of the offending value.
    pub path: Option<String>,
    /// Text to underline: the document at the offending value, or the failing policy expression.
    /// Boxed, as every `Result` of the evaluation path carries an error.
    pub at: Option<Box<Underline>>,
    /// What to do about it, when there is something to say.
    pub help: Option<Box<str>>,
}

/// A span of a source to underline, and what to say under it.
#[derive(Clone, Debug)]
pub struct Underline {
    /// The document's text (or the part of it shown).
    pub source: Source,
    /// Lines of the file before the source text (one line of JSON Lines is a document).
    pub lines_before: usize,
    /// The offending text, in bytes of `source`.
    pub span: Span,
    /// The label under it.
    pub label: String,
    /// A second place in the same source, and what to say under it (the first of two keys).
    pub also: Option<(Span, String)>,
}

impl Underline {
    /// `file:line:col` of the span, counting lines in the whole file.
    fn location(&self) -> String {
        let (line, col) = self.source.line_col(self.span.start);
        format!("{}:{}:{col}", self.source.name, line + self.lines_before)
    }
}

impl SourceCode for Underline {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        before: usize,
        after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self.source.read_span(span, before, after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.source.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line() + self.lines_before,
            inner.column(),
            inner.line_count(),
        )))
    }
}

impl DocumentError {
    pub(crate) fn invalid(doc: &Document<'_>, id: Option<&str>, e: DocError) -> Self {
        let path = e.path.as_deref().unwrap_or("");
        let key = last_field(path);
        let (parent, _) = path.rsplit_once('.').unwrap_or(("", path));
        let mut message = e.message;
        let mut help = None;
        let lines_before = doc.line.saturating_sub(1);
        let at = e.line_col.map(|(line, col)| {
            let mut label = "here".to_string();
            let mut also = None;
            let src = doc.source();
            let reported = src.offset_of(line, col);
            let span = match (&e.place, key) {
                (Place::Repeated(twice), k) => {
                    label = "given again here".into();
                    help = Some("give it once".into());
                    match (twice.first, twice.again) {
                        (first, Some(again)) => {
                            let again = with_quotes(&src.text, again);
                            if let Some(first) = first.map(|f| with_quotes(&src.text, f)) {
                                let place = |s: Span| {
                                    let (l, c) = src.line_col(s.start);
                                    format!("{}:{c}", l + lines_before)
                                };
                                message = format!(
                                    "{message} (first at {}, again at {})",
                                    place(first),
                                    place(again)
                                );
                                also = Some((first, "first given here".to_string()));
                            }
                            Some(again)
                        }
                        // The key was written with escapes: found in the text after the parser's place.
                        (_, None) => {
                            k.and_then(|k| value_span(&src.text, reported, k, doc.format, 1))
                        }
                    }
                }
                (Place::Unknown(undeclared), k) => {
                    label = "not declared by the policy".into();
                    help = Some(undeclared.help.as_str().into());
                    match (undeclared.key, k) {
                        (Some(at), _) => Some(with_quotes(&src.text, at)),
                        (None, Some(k)) => value_span(&src.text, reported, k, doc.format, 0),
                        (None, None) => None,
                    }
                }
                (Place::Missing, Some(k)) => {
                    let parent_key = last_field(parent).filter(|_| !parent.is_empty());
                    label = match parent_key {
                        Some(p) => format!("`{p}` has no `{k}`"),
                        None if parent.is_empty() => format!("the document has no `{k}`"),
                        None => format!("this item has no `{k}`"),
                    };
                    parent_key.and_then(|p| key_before(&src.text, reported, p, doc.format))
                }
                (_, Some(k)) => value_span(&src.text, reported, k, doc.format, 0),
                // No path: the text itself is broken; the parser's position is a point.
                (_, None) => {
                    let len = src.text.get(reported..).and_then(|r| r.chars().next());
                    Some(Span::new(
                        reported,
                        reported + len.map_or(0, char::len_utf8),
                    ))
                }
            };
            let span = span.unwrap_or_else(|| token_at(&src.text, reported));
            Box::new(Underline {
                source: src,
                lines_before,
                span,
                label,
                also,
            })
        });
        DocumentError {
            kind: DocumentErrorKind::Invalid,
            document: id.map(str::to_string).filter(|s| !s.is_empty()),
            name: doc.label(),
            message,
            path: e.path,
            at,
            help,
        }
    }

    /// The same error, with what to do about it.
    pub(crate) fn with_help(mut self, help: &str) -> Self {
        self.help = Some(help.into());
        self
    }

    /// An error found after reading the document: `shown` is the dotted path of the value to
    /// underline (found by searching the text) and its label.
    pub(crate) fn plain(
        doc: &Document<'_>,
        id: &str,
        message: String,
        path: Option<&str>,
        shown: Option<(&str, &str)>,
    ) -> Self {
        DocumentError {
            kind: DocumentErrorKind::Invalid,
            document: Some(id.to_string()).filter(|s| !s.is_empty()),
            name: doc.label(),
            message,
            path: path.map(str::to_string),
            at: shown.and_then(|(p, label)| {
                Some(Box::new(Underline {
                    span: locate(doc.text, p, doc.format)?,
                    source: doc.source(),
                    lines_before: doc.line.saturating_sub(1),
                    label: label.to_string(),
                    also: None,
                }))
            }),
            help: None,
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
                    lines_before: 0,
                    span,
                    label: "while evaluating this".into(),
                    also: None,
                })
            }),
            help: None,
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
            Some(u) if self.kind == DocumentErrorKind::Invalid => u.location(),
            _ => self.name.to_string(),
        };
        Some(Box::new(loc))
    }

    fn source_code(&self) -> Option<&dyn SourceCode> {
        self.at.as_deref().map(|u| u as &dyn SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let u = self.at.as_deref()?;
        let main = LabeledSpan::new_primary_with_span(Some(u.label.clone()), u.span);
        let also = u
            .also
            .as_ref()
            .map(|(span, label)| LabeledSpan::new_with_span(Some(label.clone()), *span));
        Some(Box::new(also.into_iter().chain(std::iter::once(main))))
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_deref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display + 'a>)
    }
}

/// A key's span, widened to its quotes when it is written in quotes.
fn with_quotes(text: &str, key: Span) -> Span {
    let before = text.get(..key.start).and_then(|t| t.chars().next_back());
    let after = text.get(key.end..).and_then(|t| t.chars().next());
    match (before, after) {
        (Some(q @ ('"' | '\'')), Some(a)) if a == q => Span::new(key.start - 1, key.end + 1),
        _ => key,
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

/// The span of the value at a dotted path of mapping keys (`protection.purchased_at`),
/// found by searching the text forward key by key.
fn locate(text: &str, path: &str, format: Format) -> Option<Span> {
    let mut from = 0;
    let mut key_at = 0;
    for seg in path.split('.') {
        key_at = key_after(text, from, seg, format)?;
        from = key_at + seg.len();
    }
    let colon = from + text.get(from..)?.find(':')?;
    let value = text.get(colon + 1..)?;
    let start = colon + 1 + value.len() - value.trim_start().len();
    let value = text.get(start..)?;
    let len = scalar_len(value, format).unwrap_or(1);
    let shown = value.get(..len)?.trim_end();
    (key_at <= start).then(|| Span::new(start, start + shown.len().max(1).min(value.len())))
}

/// The length of the scalar that starts `value`: the rest of the line in YAML, one token in
/// JSON (`None` for a JSON mapping or list).
fn scalar_len(value: &str, format: Format) -> Option<usize> {
    if format == Format::Yaml {
        return Some(value.find('\n').unwrap_or(value.len()));
    }
    let mut chars = value.char_indices();
    match chars.next()?.1 {
        '{' | '[' => None,
        '"' => {
            let mut escaped = false;
            for (i, c) in chars {
                match c {
                    '"' if !escaped => return Some(i + 1),
                    '\\' => escaped = !escaped,
                    _ => escaped = false,
                }
            }
            Some(value.len())
        }
        _ => Some(
            value
                .find(|c: char| c == ',' || c == '}' || c == ']' || c.is_whitespace())
                .unwrap_or(value.len()),
        ),
    }
}

/// Where the mapping key `key` is first written at or after `from`.
fn key_after(text: &str, from: usize, key: &str, format: Format) -> Option<usize> {
    let quoted = format!("\"{key}\"");
    let needle = if format == Format::Json {
        quoted.as_str()
    } else {
        key
    };
    let mut at = from;
    loop {
        let i = at + text.get(at..)?.find(needle)?;
        let before_ok = format == Format::Json
            || text
                .get(..i)?
                .ends_with(|c: char| c.is_whitespace() || c == '{' || c == ',')
            || i == 0;
        let after = text.get(i + needle.len()..)?.trim_start();
        if before_ok && after.starts_with(':') {
            return Some(i + usize::from(format == Format::Json));
        }
        at = i + needle.len();
    }
}

/// The span of the mapping key `key` last written before `at` (a missing field's parent).
fn key_before(text: &str, at: usize, key: &str, format: Format) -> Option<Span> {
    let before = text.get(..at)?;
    let start = match format {
        Format::Yaml => {
            let mut end = before.len();
            loop {
                let i = before.get(..end)?.rfind(key)?;
                let prev_ok = before
                    .get(..i)?
                    .ends_with(|c: char| c.is_whitespace() || c == '{' || c == ',' || c == '-')
                    || i == 0;
                let after = text.get(i + key.len()..)?.trim_start_matches([' ', '\t']);
                if prev_ok && after.starts_with(':') {
                    break i;
                }
                end = i;
            }
        }
        Format::Json => before.rfind(&format!("\"{key}\""))?,
    };
    let len = key.len() + usize::from(format == Format::Json) * 2;
    Some(Span::new(start, start + len))
}

/// Narrows a parser's position to the value of `key`: YAML parsers report the enclosing
/// mapping, so the key is searched forward (`skip` occurrences passed over, for a repeated
/// key); JSON parsers report the end of the value, so it is searched backward.
fn value_span(text: &str, reported: usize, key: &str, format: Format, skip: usize) -> Option<Span> {
    let key_at = match format {
        Format::Yaml => {
            let rest = text.get(reported..)?;
            let (mut from, mut skip) = (0, skip);
            loop {
                let i = rest.get(from..)?.find(key)? + from;
                let before_ok = i == 0
                    || rest
                        .get(..i)?
                        .ends_with(|c: char| c.is_whitespace() || c == '{' || c == ',' || c == '-');
                let after = rest.get(i + key.len()..)?.trim_start_matches([' ', '\t']);
                if before_ok && after.starts_with(':') {
                    if skip == 0 {
                        break reported + i;
                    }
                    skip -= 1;
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
    // A JSON parser reports the last character of a mapping or list value.
    let end = scalar_len(value, format)
        .unwrap_or_else(|| (reported + 1).saturating_sub(start).max(1).min(value.len()));
    let trimmed = value.get(..end)?.trim_end();
    Some(Span::new(
        start,
        start + trimmed.len().max(1).min(value.len()),
    ))
}
