//! The fast path for JSON: one pass over the bytes straight into the fact layout, or "not mine".
//!
//! A JSON document is read byte by byte into the record the policy's [`Schema`] lays
//! out, with no value tree between: each key is compared with the declared fields where
//! it is written, each scalar converted by its declared type from its text (numbers from
//! their exact text, as `scalar` converts them), each string borrowed from the document
//! unless it holds escapes. Undeclared values are read past, checked as the serde path
//! checks them (valid JSON, no key given twice in a mapping).
//!
//! This path only has to be right when it succeeds. Whenever the document holds
//! anything the serde path would refuse, or anything this path does not handle (a
//! repeated key, an undeclared key that reads as a misspelling, a key written with
//! escapes, a value of the wrong type, a number that is not plain, more undeclared keys
//! than it keeps, nesting deeper than [`MAX_DEPTH`]...), it gives up and the serde path
//! decodes the document from the start, so that every error is that path's own. What it
//! gives when it succeeds is exactly what the serde path gives (`tests/fast.rs` compares
//! them over every example, the benchmark corpus and variants of both).

use super::record::{closest, fill_defaults, Given};
use super::scalar::{convert, Scalar};
use super::scan::MAX_DEPTH;
use super::{engine_key, MAX_LIST_ITEMS};
use crate::schema::{FieldSchema, Schema};
use crate::types::{Base, RecordId};
use crate::value::Value;

/// Decodes a JSON document into a fact record laid out by `schema` (`strict` as for the
/// serde path), or `None` when the serde path must say what it makes of the document.
pub(super) fn decode(text: &str, schema: &Schema, strict: bool) -> Option<Value> {
    read(text, schema, strict, None)
}

/// Decodes as [`decode`] does, and also confirms a [`policy_guess`]: `None` unless the
/// document's top-level `policy` value starts at byte `policy_at`.
pub(super) fn decode_confirming(
    text: &str,
    schema: &Schema,
    strict: bool,
    policy_at: usize,
) -> Option<Value> {
    read(text, schema, strict, Some(policy_at))
}

fn read(text: &str, schema: &Schema, strict: bool, policy_at: Option<usize>) -> Option<Value> {
    let mut r = Reader::new(text, schema, strict, policy_at);
    r.ws();
    let value = r.record(Schema::ROOT)?;
    r.ws();
    let confirmed = policy_at.is_none() || r.policy_seen;
    (r.at == text.len() && confirmed).then_some(value)
}

/// A guess at the document's `policy`, without reading the keys before it: the first
/// `"policy"` in the text that is followed by `:` and a string written without escapes,
/// that string, and the byte its opening quote is at.
///
/// In valid JSON such a `"policy"` can only be a key, but it may be a nested one, and a
/// key that ends in an escaped quote (`"x\"policy"`) is refused here: the guess is only
/// taken once [`decode_confirming`] has read the document and found its top-level
/// `policy` at that byte.
pub(super) fn policy_guess(text: &str) -> Option<(&str, usize)> {
    const KEY: &str = "\"policy\"";
    // Built once: building a searcher costs about what one search does.
    static FINDER: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(KEY));
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(found) = FINDER.find(bytes.get(from..)?) {
        let start = from + found;
        from = start + KEY.len();
        if start > 0 && bytes.get(start - 1) == Some(&b'\\') {
            return None;
        }
        let mut r = Reader::new(text, &super::EMPTY, false, None);
        r.at = from;
        r.ws();
        r.eat(b':')?;
        r.ws();
        if r.peek() != Some(b'"') {
            continue;
        }
        let at = r.at;
        let (s, e, escaped) = r.string_span()?;
        return match escaped {
            false => Some((text.get(s..e)?, at)),
            true => None,
        };
    }
    None
}

/// The document's `policy` as the serde path reads it (the first top-level `policy`, when
/// it is a string), for a document whose keys up to it are written without escapes and
/// whose values before it are valid JSON, and a name written without escapes; `None`
/// whenever that path must read the name.
pub(super) fn policy_name(text: &str) -> Option<String> {
    let mut r = Reader::new(text, &super::EMPTY, false, None);
    r.ws();
    r.eat(b'{')?;
    r.enter()?;
    r.ws();
    loop {
        let key = r.key()?;
        r.ws();
        r.eat(b':')?;
        r.ws();
        if key == "policy" {
            let (s, e, escaped) = r.string_span()?;
            return match escaped {
                false => text.get(s..e).map(str::to_string),
                true => None,
            };
        }
        // Keys are not remembered: a repeat before `policy` is the decoding's to refuse.
        r.skip()?;
        r.ws();
        r.eat(b',')?;
        r.ws();
    }
}

/// Most undeclared keys kept at once (those of the mappings being read): a document with
/// more is left to the serde path, which keeps any number.
const ROOM: usize = 48;

/// The undeclared keys of the mappings being read, innermost last, as slices of the text.
struct Keys<'t> {
    names: [&'t str; ROOM],
    len: usize,
}

impl<'t> Keys<'t> {
    /// Remembers a key of the mapping whose keys start at `from`; `None` when it repeats
    /// one of them, or there is no room.
    fn push(&mut self, from: usize, name: &'t str) -> Option<()> {
        let own = self.names.get(from..self.len)?;
        if own.contains(&name) {
            return None;
        }
        *self.names.get_mut(self.len)? = name;
        self.len += 1;
        Some(())
    }

    fn own(&self, from: usize) -> &[&'t str] {
        self.names.get(from..self.len).unwrap_or(&[])
    }
}

struct Reader<'t, 's> {
    text: &'t str,
    at: usize,
    schema: &'s Schema,
    strict: bool,
    depth: usize,
    keys: Keys<'t>,
    /// A string that held escapes, unescaped; reused.
    scratch: String,
    /// The items of the lists being read, innermost last: each list is moved into an
    /// allocation of its exact size once it is complete.
    values: Vec<Value>,
    /// Where the top-level `policy` value must start, when a guess is being confirmed.
    policy_at: Option<usize>,
    /// Whether the top-level `policy` was read, at that byte.
    policy_seen: bool,
}

impl<'t, 's> Reader<'t, 's> {
    /// A reader at the start of `text` (see [`decode_confirming`] for `policy_at`).
    fn new(text: &'t str, schema: &'s Schema, strict: bool, policy_at: Option<usize>) -> Self {
        Reader {
            text,
            at: 0,
            schema,
            strict,
            depth: 0,
            keys: Keys {
                names: [""; ROOM],
                len: 0,
            },
            scratch: String::new(),
            values: Vec::new(),
            policy_at,
            policy_seen: false,
        }
    }
}

impl<'t> Reader<'t, '_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.at += 1)
    }

    /// Enters a mapping or list: refuses nesting deeper than the pre-scan allows.
    fn enter(&mut self) -> Option<()> {
        self.depth += 1;
        (self.depth <= MAX_DEPTH).then_some(())
    }

    /// Reads a string; its content's byte range, and whether it holds escapes. The
    /// escapes are checked as serde_json checks them (a surrogate must be half of a pair).
    fn string_span(&mut self) -> Option<(usize, usize, bool)> {
        self.eat(b'"')?;
        let bytes = self.text.as_bytes();
        let start = self.at;
        let mut escaped = false;
        loop {
            // Eight bytes at a time up to the first that is `"`, `\\` or a control character.
            while let Some(chunk) = bytes.get(self.at..self.at + 8) {
                let word = u64::from_le_bytes(chunk.try_into().ok()?);
                let special = crate::json_bytes::special(word);
                if special != 0 {
                    // The lowest flagged byte is a true one (only those above it may not be).
                    self.at += (special.trailing_zeros() / 8) as usize;
                    break;
                }
                self.at += 8;
            }
            let c = *bytes.get(self.at)?;
            self.at += 1;
            match c {
                b'"' => return Some((start, self.at - 1, escaped)),
                b'\\' => {
                    escaped = true;
                    match *bytes.get(self.at)? {
                        b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.at += 1,
                        b'u' => {
                            self.at += 1;
                            let u = self.hex4()?;
                            if (0xDC00..0xE000).contains(&u) {
                                return None;
                            }
                            if (0xD800..0xDC00).contains(&u) {
                                self.eat(b'\\')?;
                                self.eat(b'u')?;
                                let low = self.hex4()?;
                                if !(0xDC00..0xE000).contains(&low) {
                                    return None;
                                }
                            }
                        }
                        _ => return None,
                    }
                }
                0..0x20 => return None,
                _ => {}
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let digits = self.text.as_bytes().get(self.at..self.at + 4)?;
        let mut n = 0;
        for d in digits {
            n = n * 16 + char::from(*d).to_digit(16)?;
        }
        self.at += 4;
        Some(n)
    }

    /// A mapping key, which must be written without escapes.
    fn key(&mut self) -> Option<&'t str> {
        let (s, e, escaped) = self.string_span()?;
        if escaped {
            return None;
        }
        self.text.get(s..e)
    }

    /// A string value: borrowed from the text, or unescaped into the scratch buffer.
    fn string(&mut self) -> Option<Text<'t>> {
        let (s, e, escaped) = self.string_span()?;
        let raw = self.text.get(s..e)?;
        if !escaped {
            return Some(Text::Borrowed(raw));
        }
        self.scratch.clear();
        unescape(raw, &mut self.scratch)?;
        Some(Text::Scratch)
    }

    /// A number, as written: only the form JSON allows.
    fn number(&mut self) -> Option<&'t str> {
        let bytes = self.text.as_bytes();
        let start = self.at;
        let digits = |at: &mut usize| {
            let from = *at;
            while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
                *at += 1;
            }
            *at > from
        };
        let mut at = self.at;
        if bytes.get(at) == Some(&b'-') {
            at += 1;
        }
        match bytes.get(at)? {
            b'0' => at += 1,
            b'1'..=b'9' => {
                digits(&mut at);
            }
            _ => return None,
        }
        if bytes.get(at) == Some(&b'.') {
            at += 1;
            if !digits(&mut at) {
                return None;
            }
        }
        if let Some(b'e' | b'E') = bytes.get(at) {
            at += 1;
            if let Some(b'+' | b'-') = bytes.get(at) {
                at += 1;
            }
            if !digits(&mut at) {
                return None;
            }
        }
        self.at = at;
        self.text.get(start..at)
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        let end = self.at + word.len();
        (self.text.as_bytes().get(self.at..end)? == word.as_bytes()).then(|| self.at = end)
    }

    /// A record laid out as `record`: a mapping, read as `record::RecordSeed` reads it.
    fn record(&mut self, record: RecordId) -> Option<Value> {
        let schema = self.schema;
        let layout = schema.records.get(record);
        let (name, fields): (&str, &[FieldSchema]) =
            layout.map_or(("", &[]), |r| (&r.name, &r.fields));
        let skips: &[&str] = layout.map_or(&[], |r| r.skips);
        self.eat(b'{')?;
        self.enter()?;
        let mut values = Value::absent(fields.len());
        let mut given = Given::new(fields.len());
        let from = self.keys.len;
        self.ws();
        if self.eat(b'}').is_none() {
            loop {
                let key = self.key()?;
                self.ws();
                self.eat(b':')?;
                self.ws();
                if self.depth == 1 && key == "policy" {
                    if let Some(at) = self.policy_at {
                        if at != self.at {
                            return None;
                        }
                        self.policy_seen = true;
                    }
                }
                match fields.iter().position(|f| f.name == key) {
                    Some(i) => {
                        if given.mark(i) {
                            return None;
                        }
                        let field = fields.get(i)?;
                        let value = self.field(&field.ty)?;
                        fill(values.get_mut(i)?, value);
                    }
                    None => {
                        if self.strict && !engine_key(name, key) && !skips.contains(&key) {
                            return None;
                        }
                        self.keys.push(from, key)?;
                        self.skip()?;
                    }
                }
                self.ws();
                if self.eat(b',').is_some() {
                    self.ws();
                    continue;
                }
                self.eat(b'}')?;
                break;
            }
        }
        for key in self.keys.own(from) {
            if engine_key(name, key) || skips.contains(key) {
                continue;
            }
            if closest(key, fields, &given).is_some() {
                return None;
            }
        }
        self.keys.len = from;
        self.depth -= 1;
        fill_defaults(fields, &mut values).ok()?;
        Some(Value::Record(values.into_boxed_slice()))
    }

    /// A declared field's value: `null` is absent.
    fn field(&mut self, base: &Base) -> Option<Value> {
        if self.peek()? == b'n' {
            self.literal("null")?;
            return Some(Value::Absent);
        }
        self.typed(base)
    }

    /// A value of the declared type.
    fn typed(&mut self, base: &Base) -> Option<Value> {
        match base {
            Base::Record(id) => self.record(*id),
            Base::List(elem) => self.list(elem),
            base => self.scalar(base),
        }
    }

    fn list(&mut self, elem: &Base) -> Option<Value> {
        self.eat(b'[')?;
        self.enter()?;
        let start = self.values.len();
        self.ws();
        if self.eat(b']').is_none() {
            loop {
                if self.values.len() - start >= MAX_LIST_ITEMS {
                    return None;
                }
                let item = self.typed(elem)?;
                self.values.push(item);
                self.ws();
                if self.eat(b',').is_some() {
                    self.ws();
                    continue;
                }
                self.eat(b']')?;
                break;
            }
        }
        self.depth -= 1;
        Some(Value::List(self.values.split_off(start).into_boxed_slice()))
    }

    /// A scalar converted to `base` exactly as `scalar` converts it; any error defers.
    fn scalar(&mut self, base: &Base) -> Option<Value> {
        let schema = self.schema;
        let converted = match self.peek()? {
            b'"' => match self.string()? {
                Text::Borrowed(t) => match plain_number(base, t) {
                    Some(v) => return Some(v),
                    None => convert(base, Scalar::Text(t), schema),
                },
                Text::Scratch => convert(base, Scalar::Text(&self.scratch), schema),
            },
            b't' => {
                self.literal("true")?;
                convert(base, Scalar::Bool(true), schema)
            }
            b'f' => {
                self.literal("false")?;
                convert(base, Scalar::Bool(false), schema)
            }
            _ => {
                let n = self.number()?;
                // serde_json hands over a number's text as written; this path takes
                // only the plain ones, the only ones a number field accepts.
                if n.bytes().any(|b| matches!(b, b'e' | b'E')) {
                    return None;
                }
                match plain_number(base, n) {
                    Some(v) => return Some(v),
                    None => convert(base, Scalar::Number(n), schema),
                }
            }
        };
        converted.ok()
    }

    /// Reads past any value, refusing a key given twice in a mapping within.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'"' => self.string_span().map(|_| ()),
            b't' => self.literal("true"),
            b'f' => self.literal("false"),
            b'n' => self.literal("null"),
            b'[' => {
                self.at += 1;
                self.enter()?;
                self.ws();
                if self.eat(b']').is_none() {
                    loop {
                        self.skip()?;
                        self.ws();
                        if self.eat(b',').is_some() {
                            self.ws();
                            continue;
                        }
                        self.eat(b']')?;
                        break;
                    }
                }
                self.depth -= 1;
                Some(())
            }
            b'{' => {
                self.at += 1;
                self.enter()?;
                let from = self.keys.len;
                self.ws();
                if self.eat(b'}').is_none() {
                    loop {
                        let key = self.key()?;
                        self.keys.push(from, key)?;
                        self.ws();
                        self.eat(b':')?;
                        self.ws();
                        self.skip()?;
                        self.ws();
                        if self.eat(b',').is_some() {
                            self.ws();
                            continue;
                        }
                        self.eat(b'}')?;
                        break;
                    }
                }
                self.keys.len = from;
                self.depth -= 1;
                Some(())
            }
            _ => self.number().map(|_| ()),
        }
    }
}

/// A number field's value from a plain decimal of at most 19 digits (`-12.50`, `24`),
/// as `scalar` reads it: every digit kept, the scale that of the text; `None` for
/// anything else (negative zero too), which `scalar` converts.
fn plain_number(base: &Base, t: &str) -> Option<Value> {
    if !matches!(base, Base::Money | Base::Decimal | Base::Integer) {
        return None;
    }
    let (negative, digits) = match t.as_bytes().split_first()? {
        (b'-', rest) => (true, rest),
        _ => (false, t.as_bytes()),
    };
    let (mut mantissa, mut count, mut scale, mut point) = (0u64, 0u32, 0u32, false);
    for &c in digits {
        match c {
            b'0'..=b'9' => {
                count += 1;
                if count > 19 {
                    return None;
                }
                mantissa = mantissa * 10 + u64::from(c - b'0');
                scale += u32::from(point);
            }
            b'.' if !point && count > 0 => point = true,
            _ => return None,
        }
    }
    if count == 0 || (point && (scale == 0 || *base == Base::Integer)) {
        return None;
    }
    if negative && mantissa == 0 {
        return None;
    }
    let signed = i64::try_from(mantissa).ok()?;
    let signed = if negative { -signed } else { signed };
    rust_decimal::Decimal::try_new(signed, scale)
        .ok()
        .map(Value::Num)
}

/// Puts `value` in a slot not given before (so [`Value::Absent`], which owns nothing):
/// forgetting the old value spares the call to a value's drop glue that an assignment makes.
fn fill(slot: &mut Value, value: Value) {
    let old = std::mem::replace(slot, value);
    match old {
        Value::Absent => std::mem::forget(old),
        old => drop(old),
    }
}

/// Where a string value's text is.
enum Text<'t> {
    Borrowed(&'t str),
    /// In the reader's scratch buffer.
    Scratch,
}

/// Unescapes a string's content (whose escapes [`Reader::string_span`] checked) into `out`.
fn unescape(raw: &str, out: &mut String) -> Option<()> {
    let mut rest = raw;
    while let Some(i) = rest.find('\\') {
        out.push_str(rest.get(..i)?);
        let esc = rest.get(i + 1..)?;
        let mut chars = esc.chars();
        let c = match chars.next()? {
            '"' => '"',
            '\\' => '\\',
            '/' => '/',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'u' => {
                let hex = |s: &str| u32::from_str_radix(s, 16).ok();
                let high = hex(esc.get(1..5)?)?;
                if (0xD800..0xDC00).contains(&high) {
                    // `\uD83D\uDE00`: the low half follows, as the reader checked.
                    let low = hex(esc.get(7..11)?)?;
                    let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                    out.push(char::from_u32(code)?);
                    rest = esc.get(11..)?;
                } else {
                    out.push(char::from_u32(high)?);
                    rest = esc.get(5..)?;
                }
                continue;
            }
            _ => return None,
        };
        out.push(c);
        rest = esc.get(1..)?;
    }
    out.push_str(rest);
    Some(())
}
