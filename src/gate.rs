//! What is settled before any rule is read: that the document's amounts are in a currency
//! the policy pays in, and that each is a whole number of cents.
//!
//! A document that fails either check fits its policy's facts, so it still gets a decision:
//! it is `referred` to a person, with a reason naming the fact and where the policy declares
//! it. No rule then runs, so no computation ever mixes two currencies or pays a cent that was
//! never charged.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::compile::Program;
use crate::decision::Reason;
use crate::eval::Ctx;
use crate::schema::Schema;
use crate::span::Span;
use crate::types::{Base, RecordId};
use crate::value::Value;

/// The code an amount has when the document states no currency the policy can read:
/// ISO 4217's "no currency".
const NO_CURRENCY: &str = "XXX";

/// The currency the decision's amounts are in, and a referral reason when the policy does
/// not pay in the document's currency (the header's `currency CODE from PATH`, `currency
/// CODE, CODE from PATH`, or `currency from PATH` for any code of three capital letters).
pub fn currency(prog: &Program, facts: &Value) -> (Arc<str>, Option<Reason>) {
    let meta = &prog.meta;
    let first = meta.currencies.first().cloned();
    let Some(from) = &prog.currency_from else {
        return (first.unwrap_or_else(|| meta.currency.clone()), None);
    };
    let cx = Ctx::new(facts, &[]);
    let stated = match cx.path(&from.path) {
        Ok(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let any = meta.currencies.is_empty();
    let paid = match &stated {
        Some(code) if any => is_code(code).then(|| code.clone()),
        Some(code) => meta.currencies.iter().find(|c| ***c == **code).cloned(),
        None => None,
    };
    if let Some(code) = paid {
        return (code, None);
    }
    let pays = match meta.currencies.split_last() {
        _ if any => "the currency the document states".to_string(),
        Some((last, [])) => last.to_string(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
        None => meta.currency.to_string(),
    };
    let text = match &stated {
        Some(code) if any => format!(
            "This policy pays and refunds in {pays}; `{code}` (`{}`) is not a currency \
             code of three capital letters, so a person establishes the currency.",
            from.name
        ),
        Some(code) => format!(
            "This policy pays and refunds in {pays}; the document's amounts are in `{code}` \
             (`{}`), so a person settles the exchange.",
            from.name
        ),
        None => format!(
            "This policy pays and refunds in {pays}; the document does not state the currency \
             of its amounts (`{}`), so a person establishes it.",
            from.name
        ),
    };
    let reason = Reason {
        rule: "currency".into(),
        kind: "currency".into(),
        text: text.into(),
        source: from.source.clone(),
        failure: None,
    };
    let shown = stated
        .filter(|c| is_code(c))
        .or(first)
        .unwrap_or_else(|| NO_CURRENCY.into());
    (shown, Some(reason))
}

/// Whether `code` is written as an ISO 4217 code: three capital letters.
fn is_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// A referral reason when some money fact of the document holds a fraction of a cent
/// (`1999.995`): the decision's amounts are whole cents, so rounding such a price or value
/// could pay or refund more than was ever charged.
pub fn cents(prog: &Program, facts: &Value, currency: &str) -> Option<Reason> {
    let hit = find(&prog.schema, Schema::ROOT, facts)?;
    // Segments were gathered innermost first, as the search returned.
    let shown: String = hit
        .path
        .iter()
        .rev()
        .enumerate()
        .map(|(i, segment)| match segment {
            Segment::Field(name) if i == 0 => (*name).to_string(),
            Segment::Field(name) => format!(".{name}"),
            Segment::Index(n) => format!("[{n}]"),
        })
        .collect();
    let text = format!(
        "`{shown}` is {} {}, a fraction of a cent; amounts are paid and refunded in \
         whole cents, so a person settles this one rather than round it.",
        hit.amount, currency
    );
    Some(Reason {
        rule: "cents".into(),
        kind: "cents".into(),
        text: text.into(),
        source: prog.meta.file.location(hit.span?).into(),
        failure: None,
    })
}

/// A money value with a fraction of a cent, where it lies, and the span of the innermost
/// field that declares it (filled in as the search returns).
struct Hit<'s> {
    amount: Decimal,
    /// Innermost first: `unit_price`, `[1]`, `items`, `order`.
    path: Vec<Segment<'s>>,
    span: Option<Span>,
}

enum Segment<'s> {
    Field(&'s str),
    Index(usize),
}

/// The first money value under `record` with a fraction of a cent. Nothing is allocated
/// until one is found: the search runs on every document.
fn find<'s>(schema: &'s Schema, record: RecordId, value: &Value) -> Option<Hit<'s>> {
    let (Some(rec), Value::Record(values)) = (schema.records.get(record), value) else {
        return None;
    };
    rec.fields.iter().zip(values.iter()).find_map(|(field, v)| {
        let mut hit = within(schema, &field.ty, v)?;
        hit.path.push(Segment::Field(&field.name));
        hit.span = hit.span.or(Some(field.span));
        Some(hit)
    })
}

/// Like [`find`], for a value of type `ty`.
fn within<'s>(schema: &'s Schema, ty: &Base, value: &Value) -> Option<Hit<'s>> {
    match (ty, value) {
        (Base::Money, Value::Num(n)) if n.normalize().scale() > 2 => Some(Hit {
            amount: *n,
            path: Vec::new(),
            span: None,
        }),
        (Base::Record(id), v) => find(schema, *id, v),
        (Base::List(inner), Value::List(items)) => items.iter().enumerate().find_map(|(i, v)| {
            let mut hit = within(schema, inner, v)?;
            hit.path.push(Segment::Index(i));
            Some(hit)
        }),
        _ => None,
    }
}
