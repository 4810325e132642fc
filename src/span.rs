//! Source spans: byte ranges into a named source text, renderable by miette.

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::{Arc, Weak};

use miette::{MietteError, MietteSpanContents, SourceCode, SourceSpan, SpanContents};

/// A byte range into one source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct Span {
    /// The first byte.
    pub start: usize,
    /// The byte after the last.
    pub end: usize,
}

impl Span {
    /// The bytes `start..end`.
    pub fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

impl From<Span> for SourceSpan {
    fn from(s: Span) -> Self {
        SourceSpan::new(s.start.into(), s.end.saturating_sub(s.start))
    }
}

/// A source text and the name it is shown under (a path, or `<stdin>`).
#[derive(Clone, Debug)]
pub struct Source {
    /// The file name, as messages show it.
    pub name: Arc<str>,
    /// The whole text.
    pub text: Arc<str>,
}

/// Where each line of a text starts.
struct Lines {
    /// The text indexed, while it lives: the index belongs to this allocation only.
    text: Weak<str>,
    starts: Rc<[usize]>,
    /// A text of ASCII only has a column for every byte.
    ascii: bool,
}

thread_local! {
    /// The line index of the text last placed, so that placing many errors (or rules) in
    /// one large file takes time in proportion to them, not to the file each time. It is
    /// kept here rather than in [`Source`], which every diagnostic carries. (Its weak
    /// reference keeps the last text's memory until another text is placed.)
    static LINES: RefCell<Option<Lines>> = const { RefCell::new(None) };
}

impl Source {
    /// A source named `name` holding `text`.
    pub fn new(name: impl Into<Arc<str>>, text: impl Into<Arc<str>>) -> Self {
        Source {
            name: name.into(),
            text: text.into(),
        }
    }

    /// Where each line starts, and whether the text is ASCII.
    fn lines(&self) -> (Rc<[usize]>, bool) {
        LINES.with(|cell| {
            let mut cached = cell.borrow_mut();
            if let Some(l) = cached.as_ref() {
                if l.text
                    .upgrade()
                    .is_some_and(|t| Arc::ptr_eq(&t, &self.text))
                {
                    return (l.starts.clone(), l.ascii);
                }
            }
            let newlines = self.text.match_indices('\n').map(|(i, _)| i + 1);
            let starts: Rc<[usize]> = std::iter::once(0).chain(newlines).collect();
            let ascii = self.text.is_ascii();
            *cached = Some(Lines {
                text: Arc::downgrade(&self.text),
                starts: starts.clone(),
                ascii,
            });
            (starts, ascii)
        })
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let (starts, ascii) = self.lines();
        let line = starts.partition_point(|&s| s <= offset).max(1);
        let line_start = starts.get(line - 1).copied().unwrap_or(0);
        let col = if ascii {
            offset - line_start
        } else {
            self.text
                .get(line_start..offset)
                .map_or(0, |s| s.chars().count())
        };
        // A byte order mark opening the file shows in no editor, so it takes no column.
        let bom = line == 1 && col > 0 && self.text.starts_with('\u{FEFF}');
        (line, col + 1 - usize::from(bom))
    }

    /// Byte offset of a 1-based line and column, clamped to the text.
    pub fn offset_of(&self, line: usize, col: usize) -> usize {
        let (starts, _) = self.lines();
        let Some(&start) = starts.get(line.wrapping_sub(1)) else {
            return self.text.len();
        };
        let end = starts.get(line).copied().unwrap_or(self.text.len());
        let l = self.text.get(start..end).unwrap_or("");
        let within: usize = l
            .chars()
            .take(col.saturating_sub(1))
            .map(char::len_utf8)
            .sum();
        start + within.min(l.trim_end_matches('\n').len())
    }

    /// `name:line:col` for a span's start.
    pub fn location(&self, span: Span) -> String {
        let (line, col) = self.line_col(span.start);
        format!("{}:{line}:{col}", self.name)
    }
}

impl SourceCode for Source {
    fn read_span<'a>(
        &'a self,
        span: &SourceSpan,
        context_lines_before: usize,
        context_lines_after: usize,
    ) -> Result<Box<dyn SpanContents<'a> + 'a>, MietteError> {
        let inner = self
            .text
            .read_span(span, context_lines_before, context_lines_after)?;
        Ok(Box::new(MietteSpanContents::new_named(
            self.name.to_string(),
            inner.data(),
            *inner.span(),
            inner.line(),
            inner.column(),
            inner.line_count(),
        )))
    }
}
