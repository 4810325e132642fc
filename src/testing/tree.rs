//! A test file's YAML as a tree of located nodes, read from a YAML parser's events.
//!
//! Every node keeps the byte span it is written at, so that each error in a test file
//! names its line and column, and an inline document can be handed to the document reader
//! as the very text it is written as (read by the same parser as any other document).

use saphyr_parser::{Event, Parser, ScalarStyle, ScanError};

use crate::span::Span;

/// Deepest nesting of lists and mappings a test file may use: a document's own limit (64)
/// and room for the cases around it.
pub const MAX_DEPTH: usize = 72;

/// One YAML node and where it is written.
#[derive(Clone, Debug)]
pub struct Node {
    /// From the node's first character to the end of its last. A block mapping or list
    /// ends where the next node starts, so its span may hold trailing comments and blanks.
    pub span: Span,
    /// 1-based line and 0-based column (in characters) of the node's start.
    pub line: usize,
    pub col: usize,
    pub kind: Kind,
}

#[derive(Clone, Debug)]
pub enum Kind {
    /// A scalar's value; `plain` when written without quotes or block indicators (so
    /// `null`, `~` and nothing at all mean no value).
    Scalar {
        text: String,
        plain: bool,
    },
    List(Vec<Node>),
    /// Key and value pairs, in order; every key is a scalar.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// Whether the node is YAML's null: `~`, `null` or nothing, unquoted.
    pub fn is_null(&self) -> bool {
        matches!(&self.kind, Kind::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// The scalar's text, unless the node is a list, a mapping or null.
    pub fn scalar(&self) -> Option<&str> {
        match &self.kind {
            Kind::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// What the node is, for messages: `a list`, `a mapping`, `null`, `"text"`.
    pub fn what(&self) -> String {
        match &self.kind {
            _ if self.is_null() => "null".into(),
            Kind::Scalar { text, .. } => {
                let shown: String = text.chars().take(40).collect();
                let more = if text.chars().count() > 40 { "..." } else { "" };
                format!("\"{}{more}\"", shown.escape_debug())
            }
            Kind::List(_) => "a list".into(),
            Kind::Map(_) => "a mapping".into(),
        }
    }
}

/// Why a text is not a test file's YAML: the message and the byte offset it applies to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TreeError {
    pub message: String,
    pub span: Span,
}

/// Character indices (as the parser counts) turned into byte offsets of the text.
struct Offsets<'t> {
    text: &'t str,
    ascii: bool,
    /// The last index turned, and its offset: the parser's places mostly move forward.
    chars: usize,
    bytes: usize,
}

impl Offsets<'_> {
    fn byte(&mut self, index: usize) -> usize {
        if self.ascii {
            return index.min(self.text.len());
        }
        if index < self.chars {
            (self.chars, self.bytes) = (0, 0);
        }
        let rest = self.text.get(self.bytes..).unwrap_or("");
        let ahead = index - self.chars;
        let moved = rest
            .char_indices()
            .nth(ahead)
            .map_or(rest.len(), |(i, _)| i);
        self.chars = index;
        self.bytes += moved;
        self.bytes
    }
}

/// A list or mapping being read, with the start of the node.
struct Open {
    start: usize,
    line: usize,
    col: usize,
    flow: bool,
    items: Vec<Node>,
    map: bool,
}

/// Reads the one YAML document of `text` as a tree.
pub fn read(text: &str) -> Result<Node, TreeError> {
    let mut offsets = Offsets {
        text,
        ascii: text.is_ascii(),
        chars: 0,
        bytes: 0,
    };
    let mut parser = Parser::new_from_str(text);
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Node> = None;
    let mut documents = 0;
    while let Some(next) = parser.next_event() {
        let (event, at) = next.map_err(|e| scan_error(&e, &mut offsets))?;
        let start = offsets.byte(at.start.index());
        let end = offsets.byte(at.end.index());
        let (line, col) = (at.start.line(), at.start.col());
        let node = match event {
            Event::DocumentStart(_) => {
                documents += 1;
                if documents > 1 {
                    return Err(TreeError {
                        message: "a test file holds one YAML document, and this is a second".into(),
                        span: Span::new(start, end.max(start + 1)),
                    });
                }
                continue;
            }
            Event::Alias(_) => {
                return Err(TreeError {
                    message: "YAML aliases (`*name`) are not accepted in test files; write the \
                              value out"
                        .into(),
                    span: Span::new(start, end),
                })
            }
            Event::Scalar(value, style, _, _) => Node {
                span: Span::new(start, end),
                line,
                col,
                kind: Kind::Scalar {
                    text: value.into_owned(),
                    plain: style == ScalarStyle::Plain,
                },
            },
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                if stack.len() >= MAX_DEPTH {
                    return Err(TreeError {
                        message: format!("the test file nests deeper than {MAX_DEPTH} levels"),
                        span: Span::new(start, end.max(start + 1)),
                    });
                }
                stack.push(Open {
                    start,
                    line,
                    col,
                    flow: end > start,
                    items: Vec::new(),
                    map: matches!(event, Event::MappingStart(..)),
                });
                continue;
            }
            Event::SequenceEnd | Event::MappingEnd => {
                let Some(open) = stack.pop() else {
                    continue;
                };
                // A flow collection ends after its bracket; a block one where the next
                // token starts.
                let end = if open.flow { end } else { start };
                let kind = if open.map {
                    Kind::Map(pairs(open.items)?)
                } else {
                    Kind::List(open.items)
                };
                Node {
                    span: Span::new(open.start, end),
                    line: open.line,
                    col: open.col,
                    kind,
                }
            }
            Event::StreamEnd => break,
            Event::Nothing | Event::StreamStart | Event::DocumentEnd => continue,
        };
        match stack.last_mut() {
            Some(open) => open.items.push(node),
            None => root = Some(node),
        }
    }
    root.ok_or_else(|| TreeError {
        message: "the test file is empty".into(),
        span: Span::new(0, 0),
    })
}

/// A mapping's keys and values, read in turn; every key must be a scalar.
fn pairs(items: Vec<Node>) -> Result<Vec<(Node, Node)>, TreeError> {
    let mut out = Vec::with_capacity(items.len() / 2);
    let mut items = items.into_iter();
    while let (Some(key), Some(value)) = (items.next(), items.next()) {
        if !matches!(key.kind, Kind::Scalar { .. }) {
            return Err(TreeError {
                message: format!("expected a name as a key, found {}", key.what()),
                span: key.span,
            });
        }
        out.push((key, value));
    }
    Ok(out)
}

fn scan_error(e: &ScanError, offsets: &mut Offsets<'_>) -> TreeError {
    let at = offsets.byte(e.marker().index());
    TreeError {
        message: format!("the test file is not valid YAML: {}", e.info()),
        span: Span::new(at, at),
    }
}
