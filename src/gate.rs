//! What is settled before any rule is read: that the document's amounts are in the policy's
//! currency, and that each is a whole number of cents.
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

/// The currency the decision's amounts are in, and a referral reason when the document's
/// currency is not the policy's (the header's `currency CODE from PATH`).
pub fn currency(prog: &Program, facts: &Value) -> (Arc<str>, Option<Reason>) {
    let meta = &prog.meta;
    let Some(from) = &prog.currency_from else {
        return (meta.currency.clone(), None);
    };
    let cx = Ctx::new(facts, &[]);
    let stated = match cx.path(&from.path) {
        Ok(Value::Str(s)) => Some(s.clone()),
        _ => None,
    };
    if stated.as_deref() == Some(&*meta.currency) {
        return (meta.currency.clone(), None);
    }
    let text = match &stated {
        Some(code) => format!(
            "This policy pays and refunds in {}; the document's amounts are in `{code}` \
             (`{}`), so a person settles the exchange.",
            meta.currency, from.name
        ),
        None => format!(
            "This policy pays and refunds in {}; the document does not state the currency \
             of its amounts (`{}`), so a person establishes it.",
            meta.currency, from.name
        ),
    };
    let reason = Reason {
        rule: "currency".into(),
        kind: "currency".into(),
        text: text.into(),
        source: from.source.clone(),
        eligible_from: None,
        failure: None,
    };
    let shown = stated
        .filter(|c| c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()))
        .unwrap_or_else(|| meta.currency.clone());
    (shown, Some(reason))
}

/// A referral reason when some money fact of the document holds a fraction of a cent
/// (`1999.995`): the decision's amounts are whole cents, so rounding such a price or value
/// could pay or refund more than was ever charged.
pub fn cents(prog: &Program, facts: &Value) -> Option<Reason> {
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
        hit.amount, prog.meta.currency
    );
    Some(Reason {
        rule: "cents".into(),
        kind: "cents".into(),
        text: text.into(),
        source: prog.meta.file.location(hit.span?).into(),
        eligible_from: None,
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
