//! The one-pass JSON decoder: what it reads (exactly what the serde seeds read), what it
//! leaves to them (with their error), and a differential run over every example, the
//! benchmark corpus and variants of both, where it must either give up or agree.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod minimal;

#[allow(dead_code, clippy::all)]
#[path = "../benches/corpus/mod.rs"]
mod corpus;

use std::path::{Path, PathBuf};

use proviso::internals::document::{DocError, Format, Scanned};
use proviso::internals::schema::Schema;
use proviso::internals::span::Source;
use proviso::internals::types::Base;
use proviso::internals::value::Value;
use proviso::PolicySet;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The schema of a minimal policy with `facts`.
fn schema_of(facts: &str) -> Schema {
    let text = minimal::policy(facts, "");
    let set = PolicySet::from_sources(vec![Source::new(minimal::FILE, text)]).unwrap();
    let schema = set.versions().next().unwrap().schema.clone();
    schema
}

fn facts() -> Schema {
    schema_of(minimal::FACTS)
}

/// A claim of the minimal facts, its fields replaced by those of `more` (written
/// `"key": value, ...`) or followed by those the claim does not have.
fn claim(more: &str) -> String {
    let base = [
        ("\"id\"", "\"C-1\""),
        ("\"type\"", "\"lost\""),
        ("\"filed_at\"", "\"2025-07-10T09:30:00Z\""),
        ("\"amount\"", "12.50"),
        ("\"count\"", "2"),
        ("\"rate\"", "0.25"),
    ];
    let mut fields: Vec<String> = Vec::new();
    let mut rest = more.to_string();
    for (key, value) in base {
        match rest.find(&format!("{key}: ")) {
            // Replaced where the base has it: the value up to the next top-level comma.
            Some(i) => {
                let from = i + key.len() + 2;
                let end = next_comma(&rest, from);
                fields.push(format!("{key}: {}", &rest[from..end]));
                let cut = if end < rest.len() { end + 2 } else { end };
                rest.replace_range(i..cut.min(rest.len()), "");
            }
            None => fields.push(format!("{key}: {value}")),
        }
    }
    let rest = rest.trim().trim_end_matches(',').trim().to_string();
    if !rest.is_empty() {
        fields.push(rest);
    }
    format!(
        "{{\"policy\": \"test/policy\", \"claim\": {{{}}}}}",
        fields.join(", ")
    )
}

/// Where the value starting at `from` ends: the next comma outside brackets and strings.
fn next_comma(s: &str, from: usize) -> usize {
    let (mut depth, mut quoted, mut escaped) = (0, false, false);
    for (i, c) in s[from..].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' if quoted => escaped = true,
            '"' => quoted = !quoted,
            '[' | '{' if !quoted => depth += 1,
            ']' | '}' if !quoted => depth -= 1,
            ',' if !quoted && depth == 0 => return from + i,
            _ => {}
        }
    }
    s.len()
}

fn fast(schema: &Schema, text: &str, strict: bool) -> Option<Value> {
    Scanned::new(text, Format::Json)
        .unwrap()
        .decode_fast(schema, strict)
}

fn serde(schema: &Schema, text: &str, strict: bool) -> Result<Value, DocError> {
    Scanned::new(text, Format::Json)
        .unwrap()
        .decode_serde(schema, strict)
}

/// Decoded by the fast path, and exactly as the serde path decodes it.
fn read(schema: &Schema, text: &str) -> Value {
    let quick = fast(schema, text, false).unwrap_or_else(|| panic!("deferred: {text}"));
    let slow = serde(schema, text, false).unwrap();
    assert_eq!(format!("{quick:?}"), format!("{slow:?}"), "{text}");
    quick
}

/// Left to the serde path, which reads it as `Ok` or as the error shown.
fn deferred(schema: &Schema, text: &str) -> Result<Value, String> {
    assert!(fast(schema, text, false).is_none(), "read: {text}");
    let full = Scanned::new(text, Format::Json)
        .unwrap()
        .decode(schema, false);
    let slow = serde(schema, text, false);
    assert_eq!(full, slow);
    slow.map_err(|e| {
        format!(
            "{} at {} {:?}",
            e.message,
            e.path.unwrap_or_default(),
            e.line_col
        )
    })
}

/// The value at a dotted path of fields (`claim.amount`).
fn at<'v>(schema: &Schema, v: &'v Value, path: &str) -> &'v Value {
    let mut record = Schema::ROOT;
    let mut v = v;
    for name in path.split('.') {
        let i = schema.field_index(record, name).unwrap();
        let Value::Record(fields) = v else {
            panic!("not a record at {name}")
        };
        if let Base::Record(id) = schema.records[record].fields[i].ty {
            record = id;
        }
        v = &fields[i];
    }
    v
}

fn text(v: &Value) -> String {
    match v {
        Value::Str(s) => s.to_string(),
        Value::Num(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

#[test]
fn a_plain_claim_is_read_by_the_fast_path() {
    let s = facts();
    let v = read(&s, &claim(""));
    assert_eq!(text(at(&s, &v, "claim.id")), "C-1");
    assert_eq!(text(at(&s, &v, "claim.amount")), "12.50");
    assert_eq!(text(at(&s, &v, "claim.rate")), "0.25");
    assert_eq!(text(at(&s, &v, "claim.count")), "2");
    assert_eq!(text(at(&s, &v, "currency")), "USD");
    assert_eq!(at(&s, &v, "claim.flag"), &Value::Bool(false));
    assert_eq!(at(&s, &v, "claim.fee"), &Value::Absent);
    assert_eq!(
        format!("{:?}", at(&s, &v, "claim.filed_at")),
        "DateTime(2025-07-10T09:30:00Z)"
    );
    assert_eq!(at(&s, &v, "claim.type"), &Value::Enum(0));
}

#[test]
fn escapes_and_unicode_are_read_as_serde_json_reads_them() {
    let s = facts();
    let v = read(
        &s,
        &claim(r#""note": "a\"b\\c\/d\u00e9\n\t\b\f\r \ud83d\ude00 Zoë 😀""#),
    );
    assert_eq!(
        text(at(&s, &v, "claim.note")),
        "a\"b\\c/dé\n\t\u{8}\u{c}\r 😀 Zoë 😀"
    );
    let v = read(&s, &claim(r#""note": "\u0000\u001f\u20AC""#));
    assert_eq!(text(at(&s, &v, "claim.note")), "\u{0}\u{1f}€");
    // An escaped enum variant and an escaped date are converted after unescaping.
    let v = read(
        &s,
        &claim(r#""type": "d\u0061maged", "day": "2025\u002d06\u002d01""#),
    );
    assert_eq!(at(&s, &v, "claim.type"), &Value::Enum(1));
    assert_eq!(text(at(&s, &v, "claim.day")), "Date(2025-06-01)");
}

#[test]
fn bad_escapes_and_control_characters_are_left_to_serde() {
    let s = facts();
    assert_eq!(
        deferred(&s, &claim(r#""note": "\ud83d""#)).unwrap_err(),
        "unexpected end of hex escape at claim.note Some((1, 160))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""note": "\ude00x""#)).unwrap_err(),
        "lone leading surrogate in hex escape at claim.note Some((1, 159))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""note": "\x""#)).unwrap_err(),
        "invalid escape at claim.note Some((1, 155))"
    );
    assert_eq!(
        deferred(&s, &claim("\"note\": \"a\u{1}b\"")).unwrap_err(),
        "control character (\\u0000-\\u001F) found while parsing a string at claim.note Some((1, 155))"
    );
    // Also in a value no field declares.
    assert_eq!(
        deferred(&s, &claim(r#""other": ["\ud800"]"#)).unwrap_err(),
        "unexpected end of hex escape at claim.other[0] Some((1, 162))"
    );
}

#[test]
fn numbers_are_read_from_their_text() {
    let s = facts();
    let v = read(&s, &claim(r#""amount": -0, "rate": -0.000"#));
    assert_eq!(text(at(&s, &v, "claim.amount")), "0");
    assert_eq!(text(at(&s, &v, "claim.rate")), "0.000");
    assert_eq!(format!("{:?}", at(&s, &v, "claim.rate")), "Num(0.000)");
    let big = "1234567890123456789012345678";
    let v = read(
        &s,
        &claim(&format!(r#""amount": {big}, "rate": "0.{big}""#)),
    );
    assert_eq!(text(at(&s, &v, "claim.amount")), big);
    assert_eq!(text(at(&s, &v, "claim.rate")), format!("0.{big}"));
    // Zeros that hold no digit are not counted.
    let v = read(
        &s,
        &claim(r#""amount": "00012.5000000000000000000000000000000""#),
    );
    assert_eq!(
        text(at(&s, &v, "claim.amount")),
        "12.500000000000000000000000000"
    );
    // Number text as a string field.
    let v = read(&s, &claim(r#""id": -12.50"#));
    assert_eq!(text(at(&s, &v, "claim.id")), "-12.50");
}

#[test]
fn numbers_that_are_not_plain_are_left_to_serde() {
    let s = facts();
    assert_eq!(
        deferred(&s, &claim(r#""amount": 1e2"#)).unwrap_err(),
        "expected money, found 1e+2 at claim.amount Some((1, 114))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""amount": 12345678901234567890123456789"#)).unwrap_err(),
        "expected money of at most 28 digits, found 12345678901234567890123456789 at claim.amount Some((1, 140))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""count": 2.0"#)).unwrap_err(),
        "expected an integer, found 2.0 at claim.count Some((1, 130))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""amount": 01"#)).unwrap_err(),
        "invalid number at claim.amount Some((1, 113))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""amount": 1."#)).unwrap_err(),
        "invalid number at claim.amount Some((1, 114))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""amount": "1 000""#)).unwrap_err(),
        "expected money, found \"1 000\" at claim.amount Some((1, 118))"
    );
    // A string field takes an exponent number as serde_json writes it; the fast path
    // leaves it.
    let v = deferred(&s, &claim(r#""id": 1E+5"#)).unwrap();
    assert_eq!(text(at(&s, &v, "claim.id")), "1e+5");
}

#[test]
fn null_is_absent_in_a_field_and_an_error_in_a_list() {
    let s = facts();
    let v = read(
        &s,
        &claim(r#""fee": null, "flag": null, "note": null, "items": null"#),
    );
    assert_eq!(at(&s, &v, "claim.fee"), &Value::Absent);
    assert_eq!(at(&s, &v, "claim.flag"), &Value::Bool(false));
    assert_eq!(at(&s, &v, "claim.items"), &Value::Absent);
    assert_eq!(
        deferred(&s, &claim(r#""amount": null"#)).unwrap_err(),
        "required field is missing (expected money) at claim.amount Some((1, 142))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""items": [null]"#)).unwrap_err(),
        "expected a mapping of fields, found null at claim.items[0] Some((1, 158))"
    );
}

#[test]
fn nested_lists_and_records_are_read_into_the_layout() {
    let s = schema_of(
        "  grid: list of list of integer\n  rows: list of record { cells: list of record { v: money } }",
    );
    let v = read(
        &s,
        r#"{"policy": "test/policy", "grid": [[1, -2], [], [3]],
            "rows": [{"cells": [{"v": "1.10"}, {"v": 2}]}, {"cells": []}]}"#,
    );
    assert_eq!(
        format!("{:?}", at(&s, &v, "grid")),
        "List([List([Num(1), Num(-2)]), List([]), List([Num(3)])])"
    );
    assert_eq!(
        format!("{:?}", at(&s, &v, "rows")),
        "List([Record([List([Record([Num(1.10)]), Record([Num(2)])])]), Record([List([])])])"
    );
    assert_eq!(
        deferred(&s, r#"{"grid": [[1], 2], "rows": []}"#).unwrap_err(),
        "expected a list, found integer `2` at grid[1] Some((1, 16))"
    );
}

#[test]
fn repeated_keys_are_left_to_serde() {
    let s = facts();
    let twice = claim("").replace("\"amount\": 12.50", "\"amount\": 12.50, \"amount\": 1");
    assert_eq!(
        deferred(&s, &twice).unwrap_err(),
        "field is given twice at claim.amount Some((1, 120))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""x": 1, "x": 2"#)).unwrap_err(),
        "field is given twice at claim.x Some((1, 154))"
    );
    assert_eq!(
        deferred(&s, &claim(r#""x": [{"a": 1, "b": {"c": 1, "c": 2}}]"#)).unwrap_err(),
        "field is given twice at claim.x[0].b.c Some((1, 175))"
    );
    // The same key in two mappings is no repeat.
    read(&s, &claim(r#""x": {"a": 1}, "y": {"a": {"a": 2}}"#));
}

#[test]
fn misspelt_and_undeclared_keys() {
    let s = facts();
    // Undeclared keys that read as no field are skipped.
    let v = read(
        &s,
        &claim(r#""extra": {"deep": [1, "two", true, null, {}]}, "claim_no": 7"#),
    );
    assert_eq!(text(at(&s, &v, "claim.id")), "C-1");
    assert_eq!(
        deferred(&s, &claim(r#""notes": "x""#)).unwrap_err(),
        "unknown field `notes` in `claim` at claim.notes Some((1, 146))"
    );
    // A misspelling of a field the mapping gives is allowed.
    read(&s, &claim(r#""note": "y", "notes": "x""#));
    // A key written with escapes is left to serde, which reads it as the field.
    let v = deferred(&s, &claim(r#""n\u006fte": "x""#)).unwrap();
    assert_eq!(text(at(&s, &v, "claim.note")), "x");
}

#[test]
fn strict_reading_defers_every_undeclared_key_but_the_engines_own() {
    let s = facts();
    let doc = claim("");
    let quick = fast(&s, &doc, true).unwrap();
    assert_eq!(
        format!("{quick:?}"),
        format!("{:?}", serde(&s, &doc, true).unwrap())
    );
    let doc = claim(r#""extra": 1"#);
    assert!(fast(&s, &doc, true).is_none());
    assert_eq!(
        serde(&s, &doc, true).unwrap_err().message,
        "unknown field `extra` in `claim`"
    );
    assert!(fast(&s, &doc, false).is_some());
}

#[test]
fn malformed_json_is_left_to_serde() {
    let s = facts();
    let doc = claim("");
    let body = doc.strip_suffix('}').unwrap();
    let cases = [
        (format!("{body},}}"), "trailing comma at  Some((1, 145))"),
        (format!("{doc} x"), "trailing characters at  Some((1, 146))"),
        (
            body.to_string(),
            "EOF while parsing an object at  Some((1, 143))",
        ),
        (
            doc.replace("\"test/policy\"", "tru"),
            "expected ident at policy Some((1, 15))",
        ),
        (format!("\u{feff}{doc}"), "expected value at  Some((1, 1))"),
        (
            format!("[{doc}]"),
            "expected a mapping of fields, found a list at  Some((1, 0))",
        ),
    ];
    for (doc, want) in cases {
        assert_eq!(deferred(&s, &doc).unwrap_err(), want, "{doc}");
    }
}

#[test]
fn the_policy_name_is_read_from_the_first_key() {
    let name = |t: &str| Scanned::new(t, Format::Json).unwrap().policy_name();
    assert_eq!(name(r#" {"policy": "a/b", "x": ["#).as_deref(), Some("a/b"));
    // Other starts are read by serde, as before.
    assert_eq!(name(r#"{"x": 1, "policy": "a/b"}"#).as_deref(), Some("a/b"));
    assert_eq!(name(r#"{"policy": "a\/b"}"#).as_deref(), Some("a/b"));
    assert_eq!(name(r#"{"policy": 12}"#).as_deref(), Some("12"));
    assert_eq!(name(r#"{"policy": null}"#), None);
}

// The differential run.

/// What one way of decoding gives, for comparing.
fn shown(v: &Result<Value, DocError>) -> String {
    format!("{v:?}")
}

struct Tally {
    read: usize,
    deferred: usize,
}

/// Decodes `text` against every schema, both ways and strictly or not: the fast path
/// either gives up or gives what the serde path gives.
fn compare(schemas: &[Schema], text: &str, tally: &mut Tally) {
    let Ok(scanned) = Scanned::new(text, Format::Json) else {
        return;
    };
    for schema in schemas {
        for strict in [false, true] {
            match scanned.decode_fast(schema, strict) {
                None => tally.deferred += 1,
                Some(v) => {
                    tally.read += 1;
                    let slow = scanned.decode_serde(schema, strict);
                    assert_eq!(
                        shown(&Ok(v)),
                        shown(&slow),
                        "the fast path disagrees (strict: {strict}) on {text}"
                    );
                }
            }
        }
    }
}

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files(&path, out);
        } else if !path.to_string_lossy().contains(".expected.") {
            out.push(path);
        }
    }
}

/// Every example as JSON: the JSON and JSON Lines ones as written, the YAML ones converted.
fn examples() -> Vec<String> {
    let mut paths = Vec::new();
    files(&root().join("examples"), &mut paths);
    paths.sort();
    let mut out = Vec::new();
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        match path.extension().and_then(|e| e.to_str()) {
            Some("json") => out.push(text),
            Some("jsonl") => out.extend(text.lines().map(str::to_string)),
            Some("yaml") => {
                if let Ok(v) = serde_yaml::from_str::<serde_json::Value>(&text) {
                    out.push(serde_json::to_string_pretty(&v).unwrap());
                }
            }
            _ => {}
        }
    }
    out
}

/// Variants of a document made to trip a decoder: bytes dropped, doubled and replaced at
/// every `step`-th place, and tokens rewritten everywhere they occur.
fn variants(text: &str, step: usize) -> Vec<String> {
    let mut out = Vec::new();
    let cuts: Vec<usize> = (0..text.len())
        .step_by(step)
        .filter(|i| text.is_char_boundary(*i))
        .collect();
    for &i in &cuts {
        let (head, tail) = text.split_at(i);
        let mut rest = tail.chars();
        let dropped = rest.next();
        out.push(format!("{head}{}", rest.as_str()));
        if let Some(c) = dropped {
            out.push(format!("{head}{c}{c}{}", rest.as_str()));
        }
        for with in [
            "\"", "\\", ",", "}", "]", "e", "-", "0", "null", "\\u00e9", "\u{1}",
        ] {
            out.push(format!("{head}{with}{}", rest.as_str()));
        }
    }
    let rewrites = [
        ("\"id\"", "\"i\\u0064\""),
        ("\"type\"", "\"typ\""),
        ("\"type\"", "\"Type\""),
        ("\"items\"", "\"itmes\""),
        ("\"currency\"", "\"currency\": \"USD\", \"currency\""),
        ("\"evidence\"", "\"evidence\": [], \"evidence\""),
        ("\"status\"", "\"x\": {\"a\": 1, \"a\": 2}, \"status\""),
        ("\"sku\"", "\"sku\": 1, \"sku2\""),
        ("\"quantity\": 1", "\"quantity\": 1.0"),
        ("\"quantity\": 1", "\"quantity\": 1e0"),
        ("\"quantity\": 1", "\"quantity\": -0"),
        ("\"quantity\": 2", "\"quantity\": \"2\""),
        (".00", ".00e0"),
        (".00", "00000000000000000000000000000"),
        ("\"2025-", "\"+2025-"),
        ("T09", "t09"),
        ("Z\"", "+00:00\""),
        ("Z\"", "\""),
        ("\": \"", "\": \"\\u0041"),
        ("\": \"", "\": \"\\ud83d\\ude00"),
        ("\": \"", "\": \"\\ude00"),
        ("\": \"", "\": null, \"x\": \""),
        ("\": [", "\": [null, "),
        ("\": [", "\": [[], "),
        ("\": {", "\": {\"\": 1, "),
        ("true", "\"true\""),
        ("false", "0"),
        (": ", ":\t\r\n "),
    ];
    for (from, to) in rewrites {
        if text.contains(from) {
            out.push(text.replacen(from, to, 1));
            out.push(text.replace(from, to));
        }
    }
    out
}

#[test]
fn the_fast_path_agrees_with_serde_or_gives_up() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let schemas: Vec<Schema> = set.versions().map(|p| p.schema.clone()).collect();
    let mut tally = Tally {
        read: 0,
        deferred: 0,
    };
    let examples = examples();
    assert!(examples.len() > 180, "{} examples", examples.len());
    for doc in &examples {
        compare(&schemas, doc, &mut tally);
    }
    let lines = corpus::batch(300);
    for line in lines.lines() {
        compare(&schemas, line, &mut tally);
    }
    // Every document is read by the fast path for some version of its policy.
    assert!(tally.read > 400, "{} read", tally.read);
    for (n, doc) in examples
        .iter()
        .chain(lines.lines().map(str::to_string).collect::<Vec<_>>().iter())
        .enumerate()
    {
        // The variants of every example, and of a few corpus lines.
        if n % 37 != 0 && n >= examples.len() {
            continue;
        }
        for variant in variants(doc, 97) {
            compare(&schemas, &variant, &mut tally);
        }
    }
    assert!(
        tally.read > 20_000,
        "{} read, {} deferred",
        tally.read,
        tally.deferred
    );
    assert!(
        tally.deferred > 20_000,
        "{} read, {} deferred",
        tally.read,
        tally.deferred
    );
}

#[test]
fn every_corpus_line_is_read_by_the_fast_path_for_its_policy() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let lines = corpus::batch(200);
    for line in lines.lines() {
        let scanned = Scanned::new(line, Format::Json).unwrap();
        let name = scanned.policy_name().unwrap();
        let latest = set
            .versions()
            .filter(|p| *p.meta.name == *name)
            .last()
            .unwrap();
        let quick = scanned.decode_fast(&latest.schema, false);
        let slow = scanned.decode_serde(&latest.schema, false).unwrap();
        assert_eq!(format!("{quick:?}"), format!("{:?}", Some(slow)), "{line}");
    }
}
