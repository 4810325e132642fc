//! Writing a decision as one line of JSON: the bytes `serde_json::to_writer` writes for
//! it, without serde's machinery, and with strings checked for escapes eight bytes at a time.
//!
//! A decision is mostly text that needs no escape: the clause texts, sources and the
//! policy's identity (about 1.3 KB of a shipping claim's decision). serde_json looks each
//! of those bytes up in a table, one by one; here a word of eight bytes is tested at once
//! for a control character, `"` or `\`, and only a word that holds one is walked byte by
//! byte. Escapes are serde_json's: `\"`, `\\`, `\b`, `\f`, `\n`, `\r`, `\t`, and `\u00xx`
//! in lowercase hex for the other control characters; everything else, non-ASCII
//! included, is copied as it is. The tests compare the bytes with serde_json's.

use std::io::{self, Write};

use rust_decimal::Decimal;

use crate::decision::{
    Awaiting, Component, Deadlines, Decision, Failure, Input, Missing, NotMet, Payout, PolicyId,
    Reason, Refund, Step,
};

/// Writes `d` as JSON, without a line break: the same bytes as `serde_json::to_writer`.
pub fn decision(out: &mut impl Write, d: &Decision) -> io::Result<()> {
    out.write_all(b"{\"document\":")?;
    string(out, &d.document)?;
    out.write_all(b",\"policy\":")?;
    policy(out, &d.policy)?;
    out.write_all(b",\"decision\":\"")?;
    out.write_all(d.decision.as_str().as_bytes())?;
    out.write_all(b"\",\"payout\":")?;
    match &d.payout {
        Some(Payout {
            amount,
            currency,
            components,
            breakdown,
        }) => account(out, *amount, currency, components, breakdown)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\"refund\":")?;
    match &d.refund {
        Some(Refund {
            amount,
            currency,
            breakdown,
        }) => account(out, *amount, currency, &[], breakdown)?,
        None => out.write_all(b"null")?,
    }
    out.write_all(b",\"missing_evidence\":")?;
    list(out, &d.missing_evidence, missing)?;
    if !d.recommended_evidence.is_empty() {
        out.write_all(b",\"recommended_evidence\":")?;
        list(out, &d.recommended_evidence, missing)?;
    }
    if !d.awaiting.is_empty() {
        out.write_all(b",\"awaiting\":")?;
        list(out, &d.awaiting, awaiting)?;
    }
    out.write_all(b",\"reasons\":")?;
    list(out, &d.reasons, reason)?;
    if let Some(e) = &d.eligible_from {
        out.write_all(b",\"eligible_from\":")?;
        string(out, e)?;
    }
    out.write_all(b",\"deadlines\":")?;
    named(out, &d.deadlines)?;
    if let Some(r) = &d.priority {
        out.write_all(b",\"priority\":")?;
        reason(out, r)?;
    }
    if let Some(r) = &d.appeal {
        out.write_all(b",\"appeal\":")?;
        reason(out, r)?;
    }
    if !d.notes.is_empty() {
        out.write_all(b",\"notes\":")?;
        named(out, &d.notes)?;
    }
    if !d.not_met.is_empty() {
        out.write_all(b",\"not_met\":")?;
        list(out, &d.not_met, not_met)?;
    }
    if let Some(i) = &d.input {
        out.write_all(b",\"input\":")?;
        input(out, i)?;
    }
    out.write_all(b"}")
}

fn policy(out: &mut impl Write, p: &PolicyId) -> io::Result<()> {
    out.write_all(b"{\"name\":")?;
    string(out, &p.name)?;
    out.write_all(b",\"version\":")?;
    string(out, &p.version)?;
    out.write_all(b",\"sha256\":")?;
    string(out, &p.sha256)?;
    if let Some(d) = p.in_force_on {
        out.write_all(b",\"in_force_on\":")?;
        string(out, &crate::value::format_date(d))?;
    }
    if let Some(from) = &p.date_from {
        out.write_all(b",\"date_from\":")?;
        string(out, from)?;
    }
    out.write_all(b"}")
}

/// A payout or a refund: they have the same fields (a refund has no components).
fn account(
    out: &mut impl Write,
    amount: Decimal,
    currency: &str,
    components: &[Component],
    steps: &[Step],
) -> io::Result<()> {
    out.write_all(b"{\"amount\":")?;
    money(out, amount)?;
    out.write_all(b",\"currency\":")?;
    string(out, currency)?;
    if !components.is_empty() {
        out.write_all(b",\"components\":")?;
        list(out, components, component)?;
    }
    out.write_all(b",\"breakdown\":")?;
    list(out, steps, step)?;
    out.write_all(b"}")
}

fn step(out: &mut impl Write, s: &Step) -> io::Result<()> {
    out.write_all(b"{\"rule\":")?;
    string(out, &s.rule)?;
    out.write_all(b",\"kind\":")?;
    string(out, &s.kind)?;
    out.write_all(b",\"amount\":")?;
    money(out, s.amount)?;
    if let Some(c) = &s.component {
        out.write_all(b",\"component\":")?;
        string(out, c)?;
    }
    out.write_all(b",\"text\":")?;
    string(out, &s.text)?;
    out.write_all(b",\"source\":")?;
    string(out, &s.source)?;
    out.write_all(b"}")
}

fn component(out: &mut impl Write, c: &Component) -> io::Result<()> {
    out.write_all(b"{\"name\":")?;
    string(out, &c.name)?;
    out.write_all(b",\"amount\":")?;
    money(out, c.amount)?;
    out.write_all(b"}")
}

fn missing(out: &mut impl Write, m: &Missing) -> io::Result<()> {
    out.write_all(b"{\"requirement\":")?;
    string(out, &m.requirement)?;
    out.write_all(b",\"any_of\":")?;
    list(out, &m.any_of, |out, s| string(out, s))?;
    out.write_all(b"}")
}

fn awaiting(out: &mut impl Write, a: &Awaiting) -> io::Result<()> {
    out.write_all(b"{\"input\":")?;
    string(out, &a.input)?;
    out.write_all(b",\"source\":")?;
    string(out, &a.source)?;
    out.write_all(b"}")
}

fn reason(out: &mut impl Write, r: &Reason) -> io::Result<()> {
    out.write_all(b"{\"rule\":")?;
    string(out, &r.rule)?;
    out.write_all(b",\"kind\":")?;
    string(out, &r.kind)?;
    out.write_all(b",\"text\":")?;
    string(out, &r.text)?;
    out.write_all(b",\"source\":")?;
    string(out, &r.source)?;
    if let Some(e) = &r.eligible_from {
        out.write_all(b",\"eligible_from\":")?;
        string(out, e)?;
    }
    if let Some(f) = &r.failure {
        out.write_all(b",\"failure\":")?;
        failure(out, f)?;
    }
    out.write_all(b"}")
}

fn failure(out: &mut impl Write, f: &Failure) -> io::Result<()> {
    out.write_all(b"{\"message\":")?;
    string(out, &f.message)?;
    if let Some(s) = &f.source {
        out.write_all(b",\"source\":")?;
        string(out, s)?;
    }
    out.write_all(b"}")
}

fn not_met(out: &mut impl Write, n: &NotMet) -> io::Result<()> {
    out.write_all(b"{\"rule\":")?;
    string(out, &n.rule)?;
    out.write_all(b",\"text\":")?;
    string(out, &n.text)?;
    out.write_all(b",\"source\":")?;
    string(out, &n.source)?;
    out.write_all(b",\"condition\":")?;
    string(out, &n.condition)?;
    out.write_all(b",\"condition_source\":")?;
    string(out, &n.condition_source)?;
    out.write_all(b"}")
}

fn input(out: &mut impl Write, i: &Input) -> io::Result<()> {
    out.write_all(b"{\"path\":")?;
    string(out, &i.path)?;
    if let Some(line) = i.line {
        write!(out, ",\"line\":{line}")?;
    }
    out.write_all(b"}")
}

/// Deadlines and notes: an object of names to strings or null, in their order.
fn named(out: &mut impl Write, d: &Deadlines) -> io::Result<()> {
    out.write_all(b"{")?;
    for (i, (name, value)) in d.0.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        string(out, name)?;
        out.write_all(b":")?;
        match value {
            Some(v) => string(out, v)?,
            None => out.write_all(b"null")?,
        }
    }
    out.write_all(b"}")
}

fn list<T, W: Write>(
    out: &mut W,
    items: &[T],
    each: impl Fn(&mut W, &T) -> io::Result<()>,
) -> io::Result<()> {
    out.write_all(b"[")?;
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        each(out, item)?;
    }
    out.write_all(b"]")
}

/// The escape of byte `b`, when JSON needs one.
fn escape(b: u8) -> Option<&'static [u8]> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    static CONTROL: [[u8; 6]; 32] = {
        let mut table = [[0u8; 6]; 32];
        let mut i = 0;
        while i < 32 {
            table[i] = [b'\\', b'u', b'0', b'0', HEX[i >> 4], HEX[i & 0xf]];
            i += 1;
        }
        table
    };
    Some(match b {
        b'"' => b"\\\"",
        b'\\' => b"\\\\",
        0x08 => b"\\b",
        0x0c => b"\\f",
        b'\n' => b"\\n",
        b'\r' => b"\\r",
        b'\t' => b"\\t",
        0..=0x1f => CONTROL.get(usize::from(b))?,
        _ => return None,
    })
}

/// Writes `s` as a JSON string, quotes included.
pub fn string(out: &mut impl Write, s: &str) -> io::Result<()> {
    let bytes = s.as_bytes();
    out.write_all(b"\"")?;
    match clean(bytes) {
        true => out.write_all(bytes)?,
        false => escaped(out, bytes)?,
    }
    out.write_all(b"\"")
}

/// Whether `bytes` need no escape: tested sixteen bytes at a time, the last few padded
/// with spaces (which need none), never byte by byte.
fn clean(bytes: &[u8]) -> bool {
    let mut at = 0;
    while let Some(pair) = bytes.get(at..at + 16) {
        // Always sixteen bytes; were it not, the string would count as needing escapes,
        // which writes any string correctly.
        match pair.try_into() {
            Ok(pair) if no_special(pair) => at += 16,
            _ => return false,
        }
    }
    let tail = bytes.get(at..).unwrap_or_default();
    let mut rest = [b' '; 16];
    if let Some(to) = rest.get_mut(..tail.len()) {
        to.copy_from_slice(tail);
    }
    no_special(rest)
}

/// Whether none of sixteen bytes needs an escape, tested as two words.
fn no_special(pair: [u8; 16]) -> bool {
    let pair = u128::from_le_bytes(pair);
    let (low, high) = (pair as u64, (pair >> 64) as u64);
    crate::json_bytes::special(low) | crate::json_bytes::special(high) == 0
}

/// Writes the content of a string that holds bytes to escape, escaped. Eight bytes at a
/// time are passed over up to the next byte to escape (a clause text quoting the terms
/// has a few in a few hundred bytes); the last few are read one by one.
fn escaped(out: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if let Some(word) = bytes
            .get(i..i + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
        {
            // The lowest byte flagged is one to escape (see `json_bytes::special`).
            let flagged = crate::json_bytes::special(u64::from_le_bytes(word));
            if flagged == 0 {
                i += 8;
                continue;
            }
            let skip = (flagged.trailing_zeros() / 8) as usize;
            if skip > 0 {
                i += skip;
                continue;
            }
        }
        if let Some(esc) = escape(b) {
            out.write_all(bytes.get(start..i).unwrap_or_default())?;
            out.write_all(esc)?;
            start = i + 1;
        }
        i += 1;
    }
    out.write_all(bytes.get(start..).unwrap_or_default())
}

/// An amount as the decision writes it: a string with exactly two decimals, rounded half
/// away from zero.
fn money(out: &mut impl Write, d: Decimal) -> io::Result<()> {
    out.write_all(b"\"")?;
    out.write_all(Money::of(d).as_str().as_bytes())?;
    out.write_all(b"\"")
}

/// The text of an amount (`12.5` -> `12.50`, `-0.005` -> `-0.01`), rounded half away from
/// zero to the cent, built on the stack without `fmt`: the one implementation behind
/// [`crate::decision::format_money`] and the decision's JSON.
pub struct Money {
    /// Sign, digits and point, right-aligned: the mantissa is at most 96 bits (29 digits).
    buf: [u8; 40],
    at: usize,
}

impl Money {
    /// Rounds `d` to the cent and writes its digits.
    pub fn of(d: Decimal) -> Money {
        let mut r = crate::exact::round_money(d);
        r.rescale(2);
        let mut buf = [0u8; 40];
        let mut at = buf.len();
        let mut m = r.mantissa().unsigned_abs();
        let mut put = |b: u8| {
            at = at.saturating_sub(1);
            if let Some(slot) = buf.get_mut(at) {
                *slot = b;
            }
        };
        // Two decimals, unless the amount is too large to have them (the scale then stays
        // lower, as `Decimal::rescale` leaves it).
        let scale = r.scale();
        for digit in 0.. {
            if digit == scale && digit > 0 {
                put(b'.');
            }
            put(b'0' + (m % 10) as u8);
            m /= 10;
            if m == 0 && digit >= scale {
                break;
            }
        }
        if r.is_sign_negative() {
            put(b'-');
        }
        Money { buf, at }
    }

    /// The text: ASCII only.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(self.buf.get(self.at..).unwrap_or_default()).unwrap_or_default()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use std::borrow::Cow;
    use std::sync::Arc;

    use chrono::NaiveDate;
    use proptest::prelude::*;

    use super::*;
    use crate::decision::Outcome;

    fn ours(s: &str) -> String {
        let mut out = Vec::new();
        string(&mut out, s).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn every_ascii_byte_is_escaped_as_serde_json_escapes_it() {
        for b in 0u8..0x80 {
            let s = format!("ab{}cdefghijk", b as char);
            assert_eq!(
                ours(&s),
                serde_json::to_string(&s).unwrap(),
                "byte {b:#04x}"
            );
            let alone = (b as char).to_string();
            assert_eq!(ours(&alone), serde_json::to_string(&alone).unwrap());
        }
    }

    #[test]
    fn escapes_at_every_place_of_a_word_and_non_ascii_text_are_kept() {
        let s = "\"0123456\\789\u{1}abcdé – “quoted” \u{7f}\u{1f}\n";
        assert_eq!(
            ours(s),
            "\"\\\"0123456\\\\789\\u0001abcdé – “quoted” \u{7f}\\u001f\\n\""
        );
        assert_eq!(ours(s), serde_json::to_string(s).unwrap());
        assert_eq!(ours(""), "\"\"");
    }

    #[test]
    fn a_byte_to_escape_is_found_at_any_place_of_any_length() {
        // Lengths across two runs of sixteen bytes and the padded tail after them.
        for len in 1..=40 {
            for at in 0..len {
                for special in ['"', '\\', '\n', '\u{1f}'] {
                    let s: String = (0..len)
                        .map(|i| if i == at { special } else { 'x' })
                        .collect();
                    assert_eq!(ours(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
                }
            }
            let plain = "y".repeat(len);
            assert_eq!(ours(&plain), format!("\"{plain}\""));
        }
    }

    proptest! {
        #[test]
        fn any_string_is_written_as_serde_json_writes_it(s in "\\PC*|[\\x00-\\x7f]*") {
            prop_assert_eq!(ours(&s), serde_json::to_string(&s).unwrap());
        }
    }

    fn reason(rule: &str, failure: Option<Failure>) -> Reason {
        Reason {
            rule: rule.into(),
            kind: Cow::Borrowed("coverage"),
            text: "Lost \"parcels\"\tare\ncovered".into(),
            source: "p.proviso:3:1".into(),
            eligible_from: None,
            failure,
        }
    }

    fn step(amount: &str) -> Step {
        Step {
            rule: "base".into(),
            kind: Cow::Borrowed("coverage"),
            amount: amount.parse().unwrap(),
            component: None,
            text: "The items' value".into(),
            source: "p.proviso:9:1".into(),
        }
    }

    fn check(d: &Decision) {
        let mut out = Vec::new();
        decision(&mut out, d).unwrap();
        assert_eq!(
            String::from_utf8(out).unwrap(),
            serde_json::to_string(d).unwrap()
        );
    }

    #[test]
    fn a_decision_with_every_field_is_written_as_serde_json_writes_it() {
        let full = Decision {
            document: "CLM-\"1\"".into(),
            policy: PolicyId {
                name: "xcotton/shipping-protection".into(),
                version: "2025-01-01".into(),
                sha256: "ab".repeat(32).into(),
                in_force_on: NaiveDate::from_ymd_opt(2025, 6, 1),
                date_from: Some(Cow::Borrowed("protection.purchased_at")),
            },
            decision: Outcome::Approved,
            payout: Some(Payout {
                amount: "104.105".parse().unwrap(),
                currency: "USD".into(),
                components: vec![
                    Component {
                        name: "cash".into(),
                        amount: "100.1".parse().unwrap(),
                    },
                    Component {
                        name: "re\"ship\"".into(),
                        amount: "4.005".parse().unwrap(),
                    },
                ],
                breakdown: vec![
                    step("104.105"),
                    Step {
                        component: Some("cash".into()),
                        ..step("-0.5")
                    },
                    step("-1.004"),
                ],
            }),
            refund: Some(Refund {
                amount: "-2".parse().unwrap(),
                currency: "EUR".into(),
                breakdown: vec![step("3")],
            }),
            missing_evidence: vec![Missing {
                requirement: "photos".into(),
                any_of: Arc::from(vec![Arc::from("photo"), Arc::from("video")]),
            }],
            recommended_evidence: vec![Missing {
                requirement: "receipt".into(),
                any_of: Arc::from(vec![Arc::from("receipt")]),
            }],
            awaiting: vec![
                Awaiting {
                    input: "assessment.share".into(),
                    source: "p.proviso:9:5".into(),
                },
                Awaiting {
                    input: "claim.\"odd\"".into(),
                    source: "p.proviso:10:5".into(),
                },
            ],
            reasons: vec![
                reason("lost", None),
                reason(
                    "cap",
                    Some(Failure {
                        message: "division by zero".into(),
                        source: Some("p.proviso:4:9".into()),
                    }),
                ),
                Reason {
                    eligible_from: Some("2025-07-12".into()),
                    ..reason("early", None)
                },
                Reason {
                    eligible_from: Some("2025-07-12T09:30:00Z".into()),
                    ..reason(
                        "too_soon",
                        Some(Failure {
                            message: "overflow".into(),
                            source: None,
                        }),
                    )
                },
                reason(
                    "other",
                    Some(Failure {
                        message: "hook failed".into(),
                        source: None,
                    }),
                ),
            ],
            eligible_from: Some("2025-07-12T09:30:00Z".into()),
            deadlines: Deadlines(vec![
                ("respond_by".into(), Some("2025-07-11T09:30:00Z".into())),
                ("settle_by".into(), None),
            ]),
            priority: Some(reason("urgent", None)),
            appeal: Some(reason("appeal", None)),
            notes: Deadlines(vec![("resolution".into(), Some("cash".into()))]),
            not_met: vec![NotMet {
                rule: "damaged".into(),
                text: "Damaged parcels".into(),
                source: "p.proviso:20:1".into(),
                condition: "claim.type == damaged".into(),
                condition_source: "p.proviso:21:9".into(),
            }],
            input: Some(Input {
                path: "claims/one.json".into(),
                line: Some(7),
            }),
        };
        check(&full);
        let bare = Decision {
            payout: None,
            refund: None,
            missing_evidence: vec![],
            recommended_evidence: vec![],
            awaiting: vec![],
            reasons: vec![],
            eligible_from: None,
            deadlines: Deadlines::default(),
            priority: None,
            appeal: None,
            notes: Deadlines::default(),
            not_met: vec![],
            input: Some(Input {
                path: "-".into(),
                line: None,
            }),
            decision: Outcome::Denied,
            policy: PolicyId {
                in_force_on: None,
                date_from: None,
                ..full.policy.clone()
            },
            ..full.clone()
        };
        check(&bare);
        check(&Decision {
            input: None,
            ..bare
        });
    }

    /// Against `Decimal`'s own text of the rounded amount, rescaled to two decimals.
    #[test]
    fn amounts_are_written_as_decimal_writes_them_rounded_to_the_cent() {
        let amounts = [
            "0",
            "-0",
            "0.001",
            "-0.001",
            "-0.005",
            "0.005",
            "0.5",
            "1",
            "-1",
            "12.345",
            "104.1",
            "-9.999",
            "100",
            "1000000.004",
            "79228162514264337593543950335",
            "-79228162514264337593543950335",
            "0.0000000000000000000000000001",
        ];
        for a in amounts {
            let d: Decimal = a.parse().unwrap();
            let mut out = Vec::new();
            money(&mut out, d).unwrap();
            let mut r = crate::exact::round_money(d);
            r.rescale(2);
            let expected = format!("\"{r}\"");
            assert_eq!(String::from_utf8(out).unwrap(), expected, "{a}");
        }
    }
}
