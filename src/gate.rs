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
        kind: "currency",
        text: text.into(),
        source: from.source.clone(),
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
    let mut path = Vec::new();
    let (amount, span) = find(&prog.schema, Schema::ROOT, facts, &mut path)?;
    let shown = path.concat();
    let text = format!(
        "`{shown}` is {amount} {}, a fraction of a cent; amounts are paid and refunded in \
         whole cents, so a person settles this one rather than round it.",
        prog.meta.currency
    );
    Some(Reason {
        rule: "cents".into(),
        kind: "cents",
        text: text.into(),
        source: prog.meta.file.location(span?).into(),
        failure: None,
    })
}

/// The first money value under `record` with a fraction of a cent, and the span of the
/// innermost field that declares it; `path` is left naming it (`order`, `.items`, `[1]`,
/// `.unit_price`).
fn find(schema: &Schema, record: RecordId, value: &Value, path: &mut Vec<String>) -> Hit {
    let (Some(rec), Value::Record(values)) = (schema.records.get(record), value) else {
        return None;
    };
    for (field, v) in rec.fields.iter().zip(values.iter()) {
        path.push(if path.is_empty() {
            field.name.clone()
        } else {
            format!(".{}", field.name)
        });
        if let Some((amount, span)) = within(schema, &field.ty, v, path) {
            return Some((amount, span.or(Some(field.span))));
        }
        path.pop();
    }
    None
}

/// A sub-cent amount and, when it lies in a nested record, the span of its field.
type Hit = Option<(Decimal, Option<Span>)>;

/// Like [`find`], for a value of type `ty`.
fn within(schema: &Schema, ty: &Base, value: &Value, path: &mut Vec<String>) -> Hit {
    match (ty, value) {
        (Base::Money, Value::Num(n)) if n.normalize().scale() > 2 => Some((*n, None)),
        (Base::Record(id), v) => find(schema, *id, v, path),
        (Base::List(inner), Value::List(items)) => items.iter().enumerate().find_map(|(i, v)| {
            path.push(format!("[{i}]"));
            let hit = within(schema, inner, v, path);
            if hit.is_none() {
                path.pop();
            }
            hit
        }),
        _ => None,
    }
}
