//! Scalars: read from the parser's text and converted to their declared type on the spot.

use std::fmt;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::Format;
use crate::schema::Schema;
use crate::types::Base;
use crate::value::Value;

/// A scalar as the document wrote it, borrowed for as long as it is converted.
#[derive(Clone, Copy)]
pub(super) enum Scalar<'t> {
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
/// The parser's own messages say what `base` expects.
pub(super) struct ScalarSeed<'c> {
    pub base: &'c Base,
    pub schema: &'c Schema,
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
        f.write_str(&expected(self.base, self.schema))
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

/// Reads one scalar of `seed.base`: the value, or what was wrong with it.
pub(super) fn read_scalar<'de, D: Deserializer<'de>>(
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

/// The key under which serde_json (with arbitrary precision) hands over a number's text.
const JSON_NUMBER_KEY: &str = "$serde_json::private::Number";

/// A mapping where a scalar was expected: a JSON number's exact text (serde_json passes
/// one as a one-entry mapping), or `None`. Any other mapping is read to its end, so that
/// the parser can go on to say what was wrong (serde_yaml cannot resume a mapping left
/// half read).
pub(super) fn map_scalar<'de, A: MapAccess<'de>>(mut map: A) -> Result<Option<String>, A::Error> {
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
pub(super) fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Matches a key against a few names without allocating: the index of the one it is.
pub(super) struct KeyIn<'k>(pub &'k [&'k str]);

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

/// Converts a scalar to a value of the declared type, or says what was expected.
pub(super) fn convert(base: &Base, s: Scalar<'_>, schema: &Schema) -> Result<Value, String> {
    let wrong = |what: &str, s: Scalar| Err(format!("expected {what}, found {s}"));
    match (base, s) {
        (Base::Money | Base::Decimal | Base::Integer, Scalar::Text(t) | Scalar::Number(t)) => {
            let what = match base {
                Base::Money => "money",
                Base::Decimal => "a decimal",
                _ => "an integer",
            };
            if !plain_decimal(t) || (*base == Base::Integer && t.contains('.')) {
                return wrong(what, s);
            }
            match decimal(t) {
                Some(d) => Ok(Value::Num(d)),
                None => wrong(&format!("{what} of at most {MAX_DIGITS} digits"), s),
            }
        }
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
                    .map(|e| crate::diagnostic::listing(&e.variants))
                    .unwrap_or_default();
                wrong(&format!("one of {variants}"), s)
            }
        },
        (Base::Date, Scalar::Text(t)) => match parse_date(t) {
            Some(d) => Ok(Value::Date(d)),
            None => wrong("a date (YYYY-MM-DD)", s),
        },
        (Base::DateTime, Scalar::Text(t)) => match parse_instant(t) {
            Some(d) => Ok(Value::DateTime(d)),
            None if t.parse::<chrono::NaiveDateTime>().is_ok() => wrong(
                "an instant with a time zone (`Z` or an offset, like 2025-07-10T09:30:00Z)",
                s,
            ),
            None => wrong(&expected(base, schema), s),
        },
        (b, _) => wrong(&expected(b, schema), s),
    }
}

/// What a document must hold for a declared type, in the words of a document's author.
pub(super) fn expected(base: &Base, schema: &Schema) -> String {
    match base {
        Base::Money => "money".into(),
        Base::Decimal => "a decimal".into(),
        Base::Integer => "an integer".into(),
        Base::Bool => "true or false".into(),
        Base::Str => "a string".into(),
        Base::Date => "a date (YYYY-MM-DD)".into(),
        Base::DateTime => "an instant (RFC 3339, like 2025-07-10T09:30:00Z)".into(),
        Base::Duration => "a duration".into(),
        Base::Months => "a number of calendar months".into(),
        Base::Enum(id) => schema.enums.get(*id).map_or("a name".into(), |e| {
            format!("one of {}", crate::diagnostic::listing(&e.variants))
        }),
        Base::Record(_) => "a mapping".into(),
        Base::List(_) => "a list".into(),
    }
}

/// A date written exactly `YYYY-MM-DD`: a four-digit year from 0001 to 9999, then a
/// two-digit month and day. No sign, no other widths (`2025-6-1` and `+2025-06-01` are
/// refused), and nothing a date cannot be written back as.
pub fn parse_date(t: &str) -> Option<NaiveDate> {
    let b = t.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        b.get(r)?.iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    if b.len() != 10 || b.get(4) != Some(&b'-') || b.get(7) != Some(&b'-') {
        return None;
    }
    let (y, m, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, m, d).and_then(crate::value::writable_date)
}

/// An instant in RFC 3339 with a four-digit year (`2025-07-10T09:30:00Z`, or with an
/// offset), whose UTC time falls in the years 0001 to 9999.
pub fn parse_instant(t: &str) -> Option<DateTime<Utc>> {
    let year = t.as_bytes().get(..5)?;
    if !year.iter().take(4).all(u8::is_ascii_digit) || year.get(4) != Some(&b'-') {
        return None;
    }
    let utc = DateTime::parse_from_rfc3339(t).ok()?.with_timezone(&Utc);
    crate::value::writable_instant(utc)
}

fn plain_decimal(t: &str) -> bool {
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, "0"));
    !int.is_empty()
        && !frac.is_empty()
        && int.bytes().all(|b| b.is_ascii_digit())
        && frac.bytes().all(|b| b.is_ascii_digit())
}

/// Most significant digits a number in a document may have (what a decimal holds exactly).
pub const MAX_DIGITS: usize = 28;

/// A plain decimal (`-12.50`, `24`) of at most [`MAX_DIGITS`] digits: no exponent, no
/// separators, no spaces, and nothing rounded away.
fn decimal(t: &str) -> Option<Decimal> {
    if !plain_decimal(t) {
        return None;
    }
    let digits = t.strip_prefix('-').unwrap_or(t);
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let int = int.trim_start_matches('0');
    let frac = frac.trim_end_matches('0');
    if int.len() + frac.len() > MAX_DIGITS {
        return None;
    }
    t.parse::<Decimal>().ok()
}
