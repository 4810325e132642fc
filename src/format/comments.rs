//! What the syntax tree leaves out and the layout keeps: comments (with whether each
//! stands on a line of its own, and whether an empty line comes before it), empty lines
//! between items, and brackets as written. Found in the text of a file that parsed, by
//! the scan the parser's pre-scan makes: strings and `#` comments, nothing else.

use crate::span::Span;

/// A `# ...` comment, up to the end of its line.
#[derive(Clone, Debug)]
pub struct Comment {
    pub start: usize,
    /// Where its line ends.
    pub end: usize,
    /// The comment as written, without trailing whitespace.
    pub text: String,
    /// Nothing but whitespace before it on its line.
    pub own_line: bool,
    /// An empty line just before it.
    pub blank_before: bool,
}

/// The comments of a text, handed out in order of position.
pub struct Trivia<'t> {
    text: &'t str,
    comments: Vec<Comment>,
    next: usize,
}

impl<'t> Trivia<'t> {
    pub fn new(text: &'t str) -> Self {
        let bytes = text.as_bytes();
        let mut comments = Vec::new();
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => {
                    i += 1;
                    while let Some(&c) = bytes.get(i) {
                        if c == b'"' {
                            break;
                        }
                        i += if c == b'\\' { 2 } else { 1 };
                    }
                }
                b'#' => {
                    let end = text
                        .get(i..)
                        .and_then(|rest| rest.find('\n'))
                        .map_or(text.len(), |n| i + n);
                    let line_start = text
                        .get(..i)
                        .and_then(|t| t.rfind('\n'))
                        .map_or(0, |n| n + 1);
                    let before = text.get(line_start..i).unwrap_or("");
                    comments.push(Comment {
                        start: i,
                        end,
                        text: text.get(i..end).unwrap_or("#").trim_end().to_string(),
                        own_line: before.trim_start_matches('\u{FEFF}').trim().is_empty(),
                        blank_before: blank_before(text, i),
                    });
                    i = end;
                    continue;
                }
                _ => {}
            }
            i += 1;
        }
        Trivia {
            text,
            comments,
            next: 0,
        }
    }

    /// The comments not yet taken that start before `pos`, in order.
    pub fn take_before(&mut self, pos: usize) -> Vec<Comment> {
        let from = self.next;
        while self.comments.get(self.next).is_some_and(|c| c.start < pos) {
            self.next += 1;
        }
        self.comments
            .get(from..self.next)
            .unwrap_or_default()
            .to_vec()
    }

    /// The next comment, when it ends the line that `after` is on.
    pub fn take_trailing(&mut self, after: usize) -> Option<Comment> {
        let c = self.comments.get(self.next)?.clone();
        if self
            .text
            .get(after..c.start)
            .is_none_or(|gap| gap.contains('\n'))
        {
            return None;
        }
        self.next += 1;
        Some(c)
    }

    /// Every comment not yet taken.
    pub fn take_rest(&mut self) -> Vec<Comment> {
        self.take_before(usize::MAX)
    }

    /// Whether an empty line comes just before `pos`.
    pub fn blank_before(&self, pos: usize) -> bool {
        blank_before(self.text, pos)
    }

    /// The end of the token before `pos`, past whitespace and comments.
    pub fn token_end_before(&self, mut pos: usize) -> usize {
        loop {
            pos = self
                .text
                .get(..pos)
                .map_or(0, |t| t.trim_end_matches(SPACE).len());
            let within = self.comments.partition_point(|c| c.start < pos);
            match within.checked_sub(1).and_then(|i| self.comments.get(i)) {
                Some(c) if pos <= c.end => pos = c.start,
                _ => return pos,
            }
        }
    }

    /// The start of the keyword of `len` bytes written before `pos` (`version` before
    /// its string).
    pub fn keyword_before(&self, pos: usize, len: usize) -> usize {
        self.token_end_before(pos).saturating_sub(len)
    }

    /// Whether the text of `span` is one bracketed expression: `(a + b)`, not `(a) + (b)`.
    pub fn parenthesized(&self, span: Span) -> bool {
        let Some(inner) = self.text.get(span.start..span.end) else {
            return false;
        };
        let bytes = inner.as_bytes();
        if bytes.first() != Some(&b'(') || bytes.last() != Some(&b')') {
            return false;
        }
        let (mut depth, mut i) = (0usize, 0usize);
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' => {
                    i += 1;
                    while bytes.get(i).is_some_and(|&c| c != b'"') {
                        i += if bytes.get(i) == Some(&b'\\') { 2 } else { 1 };
                    }
                }
                b'#' => {
                    while bytes.get(i).is_some_and(|&c| c != b'\n') {
                        i += 1;
                    }
                }
                b'(' => depth += 1,
                b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i + 1 == bytes.len();
                    }
                }
                _ => {}
            }
            i += 1;
        }
        false
    }
}

/// The whitespace the grammar skips between tokens.
const SPACE: [char; 4] = [' ', '\t', '\r', '\n'];

/// Whether the whitespace just before `pos` holds an empty line.
fn blank_before(text: &str, pos: usize) -> bool {
    let before = text.get(..pos).unwrap_or("");
    let code = before.trim_end_matches(SPACE).len();
    before.get(code..).unwrap_or("").matches('\n').count() >= 2
}
