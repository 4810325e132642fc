//! Documents: YAML or JSON decoded straight into a policy's fact layout, errors naming the path.
//!
//! Decoding is driven by the policy's [`Schema`]: a serde seed walks the document and
//! builds the fact record, converting each scalar by its declared type. Money and
//! decimals are read from their text (YAML scalars, JSON numbers with arbitrary
//! precision), never through a float. Fields the policy does not declare are skipped.

use std::cell::RefCell;
use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use crate::schema::{FieldSchema, Schema};
use crate::types::{Base, RecordId};
use crate::value::Value;

/// The text formats a document may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Yaml,
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
}

/// The fields read before the policy is known: which policy, and the dates that pick its version.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Envelope {
    pub policy: Option<String>,
    pub id: Option<String>,
    pub purchased_at: Option<String>,
    pub placed_at: Option<String>,
}

/// Reads the envelope of a document.
pub fn envelope(text: &str, format: Format) -> Result<Envelope, DocError> {
    let dc = Dc {
        schema: &EMPTY,
        format,
        err: RefCell::new(None),
    };
    run(text, format, &dc, EnvelopeSeed)
}

/// Decodes a document into a fact record laid out by `schema`.
pub fn decode(text: &str, format: Format, schema: &Schema) -> Result<Value, DocError> {
    let dc = Dc {
        schema,
        format,
        err: RefCell::new(None),
    };
    let root = PathNode {
        parent: None,
        seg: Seg::Root,
    };
    run(
        text,
        format,
        &dc,
        RecordSeed {
            dc: &dc,
            record: Schema::ROOT,
            path: &root,
        },
    )
}

static EMPTY: Schema = Schema {
    records: Vec::new(),
    enums: Vec::new(),
};

fn run<'c, T, S>(text: &'c str, format: Format, dc: &Dc<'_>, seed: S) -> Result<T, DocError>
where
    S: for<'de> DeserializeSeed<'de, Value = T>,
{
    let (line_col, message) = match format {
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
    let (path, message) = match dc.err.borrow_mut().take() {
        Some((path, msg)) => (Some(path).filter(|p| !p.is_empty()), msg),
        None => (None, clean(&message)),
    };
    Err(DocError {
        message,
        path,
        line_col,
    })
}

/// Serde's messages, reworded: location suffixes dropped, "invalid type" turned around.
fn clean(message: &str) -> String {
    let mut m = message;
    for cut in [" at line ", " at position "] {
        if let Some(i) = m.rfind(cut) {
            m = m.get(..i).unwrap_or(m);
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

/// Decoding context: the schema, the format, and the first error with its path.
struct Dc<'s> {
    schema: &'s Schema,
    format: Format,
    err: RefCell<Option<(String, String)>>,
}

impl Dc<'_> {
    fn fail<E: de::Error>(&self, path: &PathNode, message: String) -> E {
        let mut slot = self.err.borrow_mut();
        if slot.is_none() {
            *slot = Some((path.to_string(), message.clone()));
        }
        E::custom(message)
    }

    /// Records serde's own error at this path, unless a deeper one was recorded.
    fn note<E: de::Error + fmt::Display>(&self, path: &PathNode, e: E) -> E {
        let mut slot = self.err.borrow_mut();
        if slot.is_none() {
            *slot = Some((path.to_string(), clean(&e.to_string())));
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

// ---- scalars ---------------------------------------------------------------

/// A scalar as the document wrote it, borrowed for as long as it is converted.
#[derive(Clone, Copy)]
enum Scalar<'t> {
    /// YAML scalar text, or a JSON string.
    Text(&'t str),
    /// A JSON number's exact text.
    Number(&'t str),
    Bool(bool),
    Null,
    Map,
    List,
}

impl fmt::Display for Scalar<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Text(t) => {
                let short: String = t.chars().take(40).collect();
                let more = if t.chars().count() > 40 { "..." } else { "" };
                write!(f, "\"{}{more}\"", short.escape_debug())
            }
            Scalar::Number(n) => f.write_str(n),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Null => f.write_str("null"),
            Scalar::Map => f.write_str("a mapping"),
            Scalar::List => f.write_str("a list"),
        }
    }
}

/// Reads one scalar and converts it to `base` on the spot, so its text is never copied.
struct ScalarSeed<'c> {
    base: &'c Base,
    schema: &'c Schema,
}

impl ScalarSeed<'_> {
    fn convert(&self, s: Scalar<'_>) -> Result<Value, String> {
        convert(self.base, s, self.schema)
    }
}

impl<'de> Visitor<'de> for ScalarSeed<'_> {
    /// The value, or what was wrong with the scalar.
    type Value = Result<Value, String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.convert(Scalar::Text(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.convert(Scalar::Bool(v)))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.convert(Scalar::Number(&v.to_string())))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.convert(Scalar::Number(&v.to_string())))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.convert(Scalar::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.convert(Scalar::Null))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(match map_scalar(map)? {
            Some(n) => self.convert(Scalar::Number(&n)),
            None => self.convert(Scalar::Map),
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        skip_seq(seq)?;
        Ok(self.convert(Scalar::List))
    }
}

/// The key under which serde_json, with arbitrary precision, hands over a number's text.
const JSON_NUMBER_KEY: &str = "$serde_json::private::Number";

/// A mapping where a scalar was expected: a JSON number's exact text (serde_json passes
/// one as a one-entry mapping), or `None`. Any other mapping is read to its end, as a
/// parser cannot go on from a mapping left half read (serde_yaml panics).
fn map_scalar<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<String>, A::Error> {
    match map.next_key_seed(KeyIn(&[JSON_NUMBER_KEY]))? {
        None => Ok(None),
        Some(Some(_)) => map.next_value::<String>().map(Some),
        Some(None) => {
            map.next_value::<IgnoredAny>()?;
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(None)
        }
    }
}

/// Reads a list where a scalar was expected to its end.
fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

fn read_scalar<'de, D: Deserializer<'de>>(
    format: Format,
    d: D,
    seed: ScalarSeed<'_>,
) -> Result<Result<Value, String>, D::Error> {
    match format {
        // YAML: ask for text, so that `24.10` arrives as written.
        Format::Yaml => d.deserialize_str(seed),
        Format::Json => d.deserialize_any(seed),
    }
}

/// Converts a scalar to a value of the declared type, or says what was expected.
fn convert(base: &Base, s: Scalar<'_>, schema: &Schema) -> Result<Value, String> {
    let wrong = |what: &str, s: &Scalar| Err(format!("expected {what}, found {s}"));
    match (base, s) {
        (Base::Money | Base::Decimal, Scalar::Text(t) | Scalar::Number(t)) => match decimal(t) {
            Some(d) => Ok(Value::Num(d)),
            None if plain_decimal(t) => Err(format!("{t} has more than 28 significant digits")),
            None => wrong(
                if *base == Base::Money {
                    "money"
                } else {
                    "a decimal"
                },
                &s,
            ),
        },
        (Base::Integer, Scalar::Text(t) | Scalar::Number(t)) => match decimal(t) {
            Some(d) if !t.contains('.') => Ok(Value::Num(d)),
            _ => wrong("an integer", &s),
        },
        (Base::Bool, Scalar::Bool(b)) => Ok(Value::Bool(b)),
        (Base::Bool, Scalar::Text(t)) if t == "true" || t == "false" => {
            Ok(Value::Bool(t == "true"))
        }
        (Base::Str, Scalar::Text(t) | Scalar::Number(t)) => Ok(Value::Str(t.into())),
        (Base::Enum(id), Scalar::Text(t)) => match schema.variant_index(*id, t) {
            Some(i) => Ok(Value::Enum(i)),
            None => {
                let variants = schema
                    .enums
                    .get(*id)
                    .map(|e| e.variants.join(", "))
                    .unwrap_or_default();
                wrong(&format!("one of {variants}"), &s)
            }
        },
        (Base::Date, Scalar::Text(t)) => match parse_date(t) {
            Some(d) => Ok(Value::Date(d)),
            None => wrong("a date (YYYY-MM-DD)", &s),
        },
        (Base::DateTime, Scalar::Text(t)) => match DateTime::parse_from_rfc3339(t) {
            Ok(d) => Ok(Value::DateTime(d.with_timezone(&Utc))),
            Err(_) => wrong("an instant (RFC 3339, like 2025-07-10T09:30:00Z)", &s),
        },
        (b, _) => wrong(&b.describe(schema), &s),
    }
}

/// A date as chrono's `%Y-%m-%d` reads it; the usual `2025-06-01` shape is read directly.
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() == 10 && b.get(4) == Some(&b'-') && b.get(7) == Some(&b'-') {
        if let (Some(y), Some(m), Some(d)) = (digits(0..4), digits(5..7), digits(8..10)) {
            return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d);
        }
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d").ok()
}

fn plain_decimal(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// A plain decimal (`-12.50`, `24`): no exponent, no separators, no spaces.
fn decimal(t: &str) -> Option<Decimal> {
    if !plain_decimal(t) {
        return None;
    }
    t.parse::<Decimal>().ok()
}

// ---- records, lists, fields ------------------------------------------------

struct RecordSeed<'c, 's> {
    dc: &'c Dc<'s>,
    record: RecordId,
    path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for RecordSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (dc, path) = (self.dc, self.path);
        d.deserialize_map(self).map_err(|e| dc.note(path, e))
    }
}

impl<'de> Visitor<'de> for RecordSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping of fields")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let fields: &[FieldSchema] = self
            .dc
            .schema
            .records
            .get(self.record)
            .map_or(&[], |r| &r.fields);
        let mut values: Vec<Value> = vec![Value::Absent; fields.len()];
        let mut given = Given::new(fields.len());
        while let Some(key) = map.next_key_seed(KeySeed(fields))? {
            let Some(i) = key else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let Some(field) = fields.get(i) else { continue };
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Field(&field.name),
            };
            let value = map.next_value_seed(FieldSeed {
                dc: self.dc,
                field,
                path: &child,
            })?;
            if given.mark(i) {
                return Err(self.dc.fail(&child, "field is given twice".into()));
            }
            if let Some(slot) = values.get_mut(i) {
                *slot = value;
            }
        }
        for (field, slot) in fields.iter().zip(values.iter_mut()) {
            if !slot.is_absent() {
                continue;
            }
            match (&field.default, field.optional) {
                (Some(d), _) => *slot = d.clone(),
                (None, true) => {}
                (None, false) => {
                    let child = PathNode {
                        parent: Some(self.path),
                        seg: Seg::Field(&field.name),
                    };
                    let what = field.ty.describe(self.dc.schema);
                    return Err(self.dc.fail(
                        &child,
                        format!("required field is missing (expected {what})"),
                    ));
                }
            }
        }
        Ok(Value::Record(values.into_boxed_slice()))
    }
}

/// Which fields of one record a document has given.
struct Given {
    first: u64,
    rest: Vec<bool>,
}

impl Given {
    fn new(fields: usize) -> Self {
        Given {
            first: 0,
            rest: if fields > 64 {
                vec![false; fields]
            } else {
                Vec::new()
            },
        }
    }

    /// Marks field `i` given; says whether it already was.
    fn mark(&mut self, i: usize) -> bool {
        if i < 64 {
            let bit = 1u64 << i;
            let was = self.first & bit != 0;
            self.first |= bit;
            was
        } else {
            self.rest
                .get_mut(i)
                .is_some_and(|b| std::mem::replace(b, true))
        }
    }
}

/// Matches a key against the record's field names without allocating.
struct KeySeed<'f>(&'f [FieldSchema]);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|f| f.name == v))
    }
}

struct FieldSeed<'c, 's> {
    dc: &'c Dc<'s>,
    field: &'c FieldSchema,
    path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for FieldSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (dc, path) = (self.dc, self.path);
        d.deserialize_option(self).map_err(|e| dc.note(path, e))
    }
}

impl<'de> Visitor<'de> for FieldSeed<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(&self.field.ty.describe(self.dc.schema))
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Absent)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Absent)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        TypeSeed {
            dc: self.dc,
            base: &self.field.ty,
            path: self.path,
        }
        .deserialize(d)
    }
}

struct TypeSeed<'c, 's> {
    dc: &'c Dc<'s>,
    base: &'c Base,
    path: &'c PathNode<'c>,
}

impl<'de> DeserializeSeed<'de> for TypeSeed<'_, '_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        let (dc, path) = (self.dc, self.path);
        match self.base {
            Base::Record(id) => RecordSeed {
                dc,
                record: *id,
                path,
            }
            .deserialize(d),
            Base::List(elem) => d
                .deserialize_seq(ListVisitor { dc, elem, path })
                .map_err(|e| dc.note(path, e)),
            base => {
                let seed = ScalarSeed {
                    base,
                    schema: dc.schema,
                };
                read_scalar(dc.format, d, seed)
                    .map_err(|e| dc.note(path, e))?
                    .map_err(|msg| dc.fail(path, msg))
            }
        }
    }
}

struct ListVisitor<'c, 's> {
    dc: &'c Dc<'s>,
    elem: &'c Base,
    path: &'c PathNode<'c>,
}

impl<'de> Visitor<'de> for ListVisitor<'_, '_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        loop {
            let child = PathNode {
                parent: Some(self.path),
                seg: Seg::Index(items.len()),
            };
            if items.len() >= MAX_LIST_ITEMS {
                return Err(self.dc.fail(
                    &child,
                    format!("list holds more than {MAX_LIST_ITEMS} items"),
                ));
            }
            match seq.next_element_seed(TypeSeed {
                dc: self.dc,
                base: self.elem,
                path: &child,
            })? {
                Some(v) => items.push(v),
                None => break,
            }
        }
        Ok(Value::List(items.into()))
    }
}

// ---- envelope --------------------------------------------------------------

struct EnvelopeSeed;

impl<'de> DeserializeSeed<'de> for EnvelopeSeed {
    type Value = Envelope;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Envelope, D::Error> {
        d.deserialize_map(EnvelopeSeed)
    }
}

impl<'de> Visitor<'de> for EnvelopeSeed {
    type Value = Envelope;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a document (a mapping with `policy` and the facts it reads)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope, A::Error> {
        let mut env = Envelope::default();
        const KEYS: &[&str] = &["policy", "protection", "order", "claim", "cancellation"];
        while let Some(key) = map.next_key_seed(KeyIn(KEYS))? {
            match key {
                Some(0) => env.policy = map.next_value::<Loose>()?.0,
                Some(1) => env.purchased_at = map.next_value_seed(Pick("purchased_at"))?,
                Some(2) => env.placed_at = map.next_value_seed(Pick("placed_at"))?,
                Some(_) => {
                    let id = map.next_value_seed(Pick("id"))?;
                    env.id = env.id.or(id);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(env)
    }
}

/// Any scalar as text; anything else as nothing.
struct Loose(Option<String>);

impl<'de> Deserialize<'de> for Loose {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Loose, D::Error> {
        Ok(Loose(d.deserialize_any(LooseVisitor)?))
    }
}

struct LooseVisitor;

impl<'de> Visitor<'de> for LooseVisitor {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Option<String>, E> {
        Ok(Some(v.to_string()))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<String>, A::Error> {
        map_scalar(map)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<String>, A::Error> {
        skip_seq(seq)?;
        Ok(None)
    }
}

/// Matches a key against a few names without allocating.
struct KeyIn<'k>(&'k [&'k str]);

impl<'de> DeserializeSeed<'de> for KeyIn<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeyIn<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|k| *k == v))
    }
}

/// One scalar field of a nested mapping, as text; the rest is skipped.
struct Pick(&'static str);

impl<'de> DeserializeSeed<'de> for Pick {
    type Value = Option<String>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<String>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pick {
    type Value = Option<String>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a mapping")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Option<String>, A::Error> {
        let mut out = None;
        while let Some(key) = map.next_key_seed(KeyIn(std::slice::from_ref(&self.0)))? {
            if key.is_some() {
                out = map.next_value::<Loose>()?.0;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(out)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Option<String>, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<String>, E> {
        Ok(None)
    }

    fn visit_unit<E: de::Error>(self) -> Result<Option<String>, E> {
        Ok(None)
    }
}
