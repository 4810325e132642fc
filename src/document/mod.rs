//! Documents: YAML or JSON decoded straight into a policy's fact layout, errors naming the path.
//!
//! Decoding is driven by the policy's [`Schema`]: a serde seed walks the document and
//! builds the fact record, converting each scalar by its declared type straight from the
//! parser's text. Money and decimals are read from their text (YAML scalars, JSON numbers
//! with arbitrary precision), never through a float.
//!
//! No field is silently ignored. A key given twice in any mapping is an error naming both
//! places. A key the policy does not declare is skipped (documents carry many), unless it
//! reads as a misspelling of a declared field the mapping leaves out (see `near` for the
//! rule): `courier_compensaton` must not let `courier_compensation` default to 0. Read
//! strictly, every undeclared key is an error, except those the engine itself reads
//! ([`ENGINE_KEYS`]).
//!
//! A JSON document is first given to `fast`, which reads its bytes once straight into
//! the fact layout and gives up on anything it is not sure of (an error of any kind, a
//! repeated or misspelt key, a number that is not plain, ...); the serde seeds then decode
//! it from the start and say what is wrong. Both give the same facts for a document the
//! fast path reads. YAML is always decoded by the serde seeds.
//!
//! The parts: `scan` checks the text's nesting before any parser sees it; `fast` reads a
//! JSON document in one pass; `envelope` reads the fields that pick the policy; `record`
//! walks the fact layout and `scalar` converts each leaf; `keys` reads keys with their
//! place and finds repeats, `skip` reads past undeclared values, and `near` tells a
//! misspelling.

use std::cell::RefCell;
use std::fmt;

use serde::de::{self, DeserializeSeed};

mod envelope;
mod fast;
mod keys;
mod near;
mod record;
mod scalar;
mod scan;
mod skip;

pub use envelope::{EnvelopeFields, FactEnvelope};
pub use scalar::MAX_DIGITS;
pub use scalar::{parse_date, parse_instant};

use crate::schema::Schema;
use crate::span::Span;
use crate::value::Value;

/// The text formats a document may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[warn(missing_docs)]
pub enum Format {
    /// YAML (a JSON text is also YAML).
    Yaml,
    /// JSON.
    Json,
}

/// Most items a list in a document may hold.
pub const MAX_LIST_ITEMS: usize = 100_000;

/// A document that could not be read: what is wrong, at which path, and where in the text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocError {
    pub message: String,
    /// Dotted path of the offending value (`order.items[0].unit_price`).
    pub path: Option<String>,
    /// 1-based line and column in the document text.
    pub line_col: Option<(usize, usize)>,
    /// What the path names: the offending value, a missing field, or a repeated one.
    pub place: Place,
}

/// What a [`DocError`]'s path names, so that the right text can be underlined.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub enum Place {
    /// The value at the path is wrong (or the text could not be read there).
    #[default]
    Value,
    /// The field at the path is required but absent: its parent is shown.
    Missing,
    /// The key at the path is given twice in its mapping.
    Repeated(Box<Twice>),
    /// The key at the path is not declared by the policy.
    Unknown(Box<Undeclared>),
}

/// Where a key given twice is written: the byte spans of both keys in the text, when the
/// parser lent them (a key written with escapes is not).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Twice {
    pub first: Option<Span>,
    pub again: Option<Span>,
}

/// A key the policy does not declare: where it is written, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undeclared {
    pub key: Option<Span>,
    pub help: String,
}

/// Keys the engine reads whether or not the policy declares them, by record (`""` is the
/// top level): the policy's name, the document's id and the dates that pick the version.
/// Strict reading accepts them; they are never taken for misspellings.
pub const ENGINE_KEYS: &[(&str, &[&str])] = &[
    ("", &["policy"]),
    ("protection", &["purchased_at"]),
    ("order", &["placed_at"]),
    ("claim", &["id", "filed_at"]),
    ("cancellation", &["id", "requested_at"]),
];

/// Whether the engine reads `key` in the record laid out as `record` (its schema name).
fn engine_key(record: &str, key: &str) -> bool {
    ENGINE_KEYS
        .iter()
        .any(|(r, keys)| *r == record && keys.contains(&key))
}

/// The fields read before the policy is known: which policy, and the dates that pick its version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    pub policy: Option<String>,
    pub id: Option<String>,
    pub purchased_at: Option<String>,
    pub placed_at: Option<String>,
    /// `claim.filed_at`, as written.
    pub filed_at: Option<String>,
    /// `cancellation.requested_at`, as written.
    pub requested_at: Option<String>,
}

/// A document's text that passed the pre-scan (nesting, and no YAML aliases), so it may
/// be given to the parsers: scanned once, then read for its envelope and decoded.
#[derive(Clone, Copy, Debug)]
pub struct Scanned<'t> {
    text: &'t str,
    format: Format,
}

impl<'t> Scanned<'t> {
    /// Scans `text`; refuses a document that nests too deeply or (YAML) uses an alias.
    pub fn new(text: &'t str, format: Format) -> Result<Self, DocError> {
        scan::check(text, format)?;
        Ok(Scanned { text, format })
    }

    /// Reads the envelope of the document.
    pub fn envelope(self) -> Result<Envelope, DocError> {
        let dc = Dc::new(self, &EMPTY, false);
        run(self, &dc, envelope::EnvelopeSeed { dc: &dc })
    }

    /// Decodes the document into a fact record laid out by `schema`. `strict` refuses
    /// every key the policy does not declare, except the [`ENGINE_KEYS`]; otherwise only
    /// those that read as misspellings of declared fields the document leaves out.
    pub fn decode(self, schema: &Schema, strict: bool) -> Result<Value, DocError> {
        if let Some(facts) = self.decode_fast(schema, strict) {
            return Ok(facts);
        }
        self.decode_serde(schema, strict)
    }

    /// [`Scanned::decode`]'s one-pass reading of a JSON document: the facts, or `None`
    /// when the document is YAML or the serde seeds must decode it (see `fast`). Public
    /// so that tests can compare the two ways.
    #[doc(hidden)]
    pub fn decode_fast(self, schema: &Schema, strict: bool) -> Option<Value> {
        match self.format {
            Format::Json => fast::decode(self.text, schema, strict),
            Format::Yaml => None,
        }
    }

    /// [`Scanned::decode`] by the serde seeds only, which say what is wrong with a
    /// document. Public so that tests can compare the two ways.
    #[doc(hidden)]
    pub fn decode_serde(self, schema: &Schema, strict: bool) -> Result<Value, DocError> {
        let dc = Dc::new(self, schema, strict);
        let root = PathNode {
            parent: None,
            seg: Seg::Root,
        };
        let seed = record::RecordSeed {
            dc: &dc,
            record: Schema::ROOT,
            path: &root,
        };
        run(self, &dc, seed)
    }
}

impl<'t> Scanned<'t> {
    /// A JSON document's `policy`, guessed without reading the keys before it, and where
    /// its value starts; only to be used once [`Scanned::decode_confirming`] confirms it.
    /// `None` for YAML, or when no guess can be made ([`Scanned::policy_name`] then reads
    /// the name).
    pub fn policy_guess(self) -> Option<(&'t str, usize)> {
        match self.format {
            Format::Json => fast::policy_guess(self.text),
            Format::Yaml => None,
        }
    }

    /// [`Scanned::decode_fast`], when the document's top-level `policy` value starts at
    /// byte `policy_at` (a [`Scanned::policy_guess`]); `None` when it does not, or the
    /// one-pass reader gives up.
    pub fn decode_confirming(
        self,
        schema: &Schema,
        strict: bool,
        policy_at: usize,
    ) -> Option<Value> {
        match self.format {
            Format::Json => fast::decode_confirming(self.text, schema, strict, policy_at),
            Format::Yaml => None,
        }
    }

    /// The document's `policy` when it is text, read from the start of the document up to
    /// that key only; `None` when the document has none, or it is not text, or the text
    /// cannot be read that far (the envelope says why).
    pub fn policy_name(self) -> Option<String> {
        if self.format == Format::Json {
            if let Some(name) = fast::policy_name(self.text) {
                return Some(name);
            }
        }
        let found = std::cell::Cell::new(None);
        let seed = envelope::PolicySeed { found: &found };
        // The seed stops with an error right after it sets `found`, and sets it nowhere
        // else: whatever the error, a name found is the document's first `policy`.
        match self.format {
            Format::Json => {
                let _ = seed.deserialize(&mut serde_json::Deserializer::from_str(self.text));
            }
            Format::Yaml => {
                let _ = seed.deserialize(serde_yaml::Deserializer::from_str(self.text));
            }
        }
        found.into_inner()
    }
}

/// Reads the envelope of a document.
pub fn envelope(text: &str, format: Format) -> Result<Envelope, DocError> {
    Scanned::new(text, format)?.envelope()
}

/// Decodes a document into a fact record laid out by `schema` (`strict`: see [`Scanned::decode`]).
pub fn decode(
    text: &str,
    format: Format,
    schema: &Schema,
    strict: bool,
) -> Result<Value, DocError> {
    Scanned::new(text, format)?.decode(schema, strict)
}

static EMPTY: Schema = Schema {
    records: Vec::new(),
    enums: Vec::new(),
};

/// Runs `seed` over a scanned document; on error, says where and what.
fn run<T, S>(doc: Scanned<'_>, dc: &Dc<'_>, seed: S) -> Result<T, DocError>
where
    S: for<'de> DeserializeSeed<'de, Value = T>,
{
    let text = doc.text;
    let (line_col, message) = match doc.format {
        Format::Json => {
            let mut de = serde_json::Deserializer::from_str(text);
            match seed.deserialize(&mut de).and_then(|v| de.end().map(|_| v)) {
                Ok(v) => return Ok(v),
                Err(e) => (
                    Some((e.line(), e.column())).filter(|(l, _)| *l > 0),
                    e.to_string(),
                ),
            }
        }
        Format::Yaml => match seed.deserialize(serde_yaml::Deserializer::from_str(text)) {
            Ok(v) => return Ok(v),
            Err(e) => (e.location().map(|l| (l.line(), l.column())), e.to_string()),
        },
    };
    let (path, message, place) = match dc.err.borrow_mut().take() {
        Some((path, msg, place)) => (Some(path).filter(|p| !p.is_empty()), msg, place),
        None => (None, clean(&message), Place::Value),
    };
    // A key's own place beats the parser's, which is the mapping's (YAML) or past the value (JSON).
    let key = match &place {
        Place::Repeated(twice) => twice.again,
        Place::Unknown(undeclared) => undeclared.key,
        _ => None,
    };
    let line_col = key.map_or(line_col, |at| Some(line_col_of(text, at.start)));
    Err(DocError {
        message,
        path,
        line_col,
        place,
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col_of(text: &str, at: usize) -> (usize, usize) {
    let before = text.get(..at).unwrap_or(text);
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before.get(line_start..).map_or(0, |l| l.chars().count());
    (before.matches('\n').count() + 1, col + 1)
}

/// Serde's messages, reworded: path prefixes and locations dropped (the error carries
/// both), "invalid type" turned around.
fn clean(message: &str) -> String {
    let mut owned = message.to_string();
    for cut in [" at line ", " at position "] {
        while let Some(i) = owned.find(cut) {
            // Drop ` at line 11 column 8` up to the next punctuation.
            let rest = owned.get(i + cut.len()..).unwrap_or("");
            let tail = rest
                .trim_start_matches(|c: char| c.is_ascii_alphanumeric() || c == ' ')
                .to_string();
            owned.truncate(i);
            owned.push_str(&tail);
        }
    }
    // serde_yaml puts the path first (`shipment: invalid type: ...`).
    let mut m = owned.as_str();
    if let Some((head, rest)) = m.split_once(": ") {
        if !head.contains(char::is_whitespace) && !rest.is_empty() {
            m = rest;
        }
    }
    if let Some(rest) = m.strip_prefix("invalid type: ") {
        if let Some((found, expected)) = rest.split_once(", expected ") {
            let found = match found {
                "map" => "a mapping",
                "sequence" => "a list",
                "unit value" => "null",
                other => other,
            };
            return format!("expected {expected}, found {found}");
        }
    }
    m.to_string()
}

/// Decoding context: the schema, the text, the keys of the mappings being read, and the
/// first error with its path.
struct Dc<'s> {
    schema: &'s Schema,
    format: Format,
    text: &'s str,
    strict: bool,
    keys: RefCell<keys::KeyStack>,
    err: RefCell<Option<(String, String, Place)>>,
}

impl<'s> Dc<'s> {
    fn new(doc: Scanned<'s>, schema: &'s Schema, strict: bool) -> Self {
        Dc {
            schema,
            format: doc.format,
            text: doc.text,
            strict,
            keys: RefCell::default(),
            err: RefCell::new(None),
        }
    }

    /// A key given a second time in its mapping (`first`, `again`: where each is written).
    fn repeated<E: de::Error>(
        &self,
        path: &PathNode,
        first: Option<Span>,
        again: Option<Span>,
    ) -> E {
        let place = Place::Repeated(Box::new(Twice { first, again }));
        self.fail_at(path, "field is given twice".into(), place)
    }

    /// A key the policy does not declare, refused; `path` is the key's.
    fn unknown<E: de::Error>(&self, path: &PathNode, at: Option<Span>, help: String) -> E {
        let (name, record) = match (path.seg, path.parent) {
            (Seg::Field(name), Some(parent)) => (name, parent.to_string()),
            _ => ("", String::new()),
        };
        let within = match record.as_str() {
            "" => "the document".to_string(),
            r => format!("`{r}`"),
        };
        let message = format!("unknown field `{name}` in {within}");
        let place = Place::Unknown(Box::new(Undeclared { key: at, help }));
        self.fail_at(path, message, place)
    }

    fn fail<E: de::Error>(&self, path: &PathNode, message: String) -> E {
        self.fail_at(path, message, Place::Value)
    }

    fn fail_at<E: de::Error>(&self, path: &PathNode, message: String, place: Place) -> E {
        let mut slot = self.err.borrow_mut();
        if slot.is_none() {
            *slot = Some((path.to_string(), message.clone(), place));
        }
        E::custom(message)
    }

    /// Records serde's own error at this path, unless a deeper one was recorded.
    fn note<E: de::Error + fmt::Display>(&self, path: &PathNode, e: E) -> E {
        let mut slot = self.err.borrow_mut();
        if slot.is_none() {
            *slot = Some((path.to_string(), clean(&e.to_string()), Place::Value));
        }
        e
    }
}

#[derive(Clone, Copy)]
enum Seg<'a> {
    Root,
    Field(&'a str),
    Index(usize),
}

/// A path into the document, as a chain of stack frames: built for free, rendered on error.
struct PathNode<'a> {
    parent: Option<&'a PathNode<'a>>,
    seg: Seg<'a>,
}

impl fmt::Display for PathNode<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = self.parent {
            p.fmt(f)?;
        }
        match self.seg {
            Seg::Root => Ok(()),
            Seg::Field(name)
                if matches!(self.parent, Some(PathNode { seg: Seg::Root, .. }) | None) =>
            {
                f.write_str(name)
            }
            Seg::Field(name) => write!(f, ".{name}"),
            Seg::Index(i) => write!(f, "[{i}]"),
        }
    }
}
