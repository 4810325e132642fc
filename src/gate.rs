//! What is settled before any rule is read: that the document's amounts are in a currency
//! the policy pays in (those of the earlier decisions it carries in the document's own),
//! and that each is a whole number of cents.
//!
//! A document that fails either check fits its policy's facts, so it still gets a decision:
//! it is `referred` to a person, with a reason naming the fact and where the policy declares
//! it. No rule then runs, so no computation ever mixes two currencies or pays a cent that was
//! never charged.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::compile::Program;
use crate::decision::Reason;
use crate::eval::walk;
use crate::ir::Ex;
use crate::schema::{FieldSchema, RecordSchema, Schema};
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
    // Read in place: before any rule, nothing is taken as unknown or awaited, so no
    // evaluation context is needed.
    let stated = match &from.path {
        Ex::Fact(path) => match walk(facts, path) {
            Value::Str(s) => Some(s.clone()),
            _ => None,
        },
        _ => None,
    };
    let any = meta.currencies.is_empty();
    let paid = match &stated {
        Some(code) if any => is_code(code).then(|| code.to_arc()),
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
        eligible_from: None,
        failure: None,
    };
    let shown = stated
        .filter(|c| is_code(c))
        .map(|c| c.to_arc())
        .or(first)
        .unwrap_or_else(|| NO_CURRENCY.into());
    (shown, Some(reason))
}

/// A referral reason when an earlier decision the document carries (a `decision` fact)
/// paid or refunded in another currency than the document's (`currency`, the one the
/// policy pays it in): its amounts cannot be added to this claim's, so a person settles
/// the exchange. The reason names the first such currency by its path (`protection.earlier[2].payout.currency`, items counted from 0)
/// and where the policy declares the decisions.
pub fn earlier_currency(prog: &Program, facts: &Value, currency: &str) -> Option<Reason> {
    let hit = foreign(&prog.schema, &prog.gate, Schema::ROOT, facts, currency)?;
    let text = format!(
        "`{}` is `{}`: an earlier decision in another currency than {currency}, whose \
         amounts this policy cannot add to its own, so a person settles the exchange.",
        shown(&hit.path),
        hit.code
    );
    Some(Reason {
        rule: "currency".into(),
        kind: "currency".into(),
        text: text.into(),
        source: prog.meta.file.location(hit.span?).into(),
        failure: None,
        eligible_from: None,
    })
}

/// An earlier decision's currency that is not the policy's, where it lies, and the span of
/// the innermost field that holds the decision.
struct Foreign<'s> {
    code: Arc<str>,
    /// Innermost first, as [`Hit::path`].
    path: Vec<Segment<'s>>,
    span: Option<Span>,
}

/// The first currency of a `payout` or `refund` of a decision under `record` that is not
/// `currency`. Nothing is allocated until one is found.
fn foreign<'s>(
    schema: &'s Schema,
    plan: &Plan,
    record: RecordId,
    value: &Value,
    currency: &str,
) -> Option<Foreign<'s>> {
    let (Some(rec), Some(walked), Value::Record(values)) = (
        schema.records.get(record),
        plan.decisions.get(record),
        value,
    ) else {
        return None;
    };
    walked.iter().find_map(|&i| {
        let (field, v) = (rec.fields.get(i)?, values.get(i)?);
        let mut hit = if paid(rec, field) {
            paid_in(schema, &field.ty, v, currency)?
        } else {
            foreign_within(schema, plan, &field.ty, v, currency)?
        };
        hit.path.push(Segment::Field(&field.name));
        if !rec.decision {
            hit.span = hit.span.or(Some(field.span));
        }
        Some(hit)
    })
}

/// The currency of a decision's `payout` or `refund` (a record of `amount` and
/// `currency`), when it is not `currency`.
fn paid_in<'s>(
    schema: &'s Schema,
    ty: &Base,
    value: &Value,
    currency: &str,
) -> Option<Foreign<'s>> {
    let (Base::Record(id), Value::Record(values)) = (ty, value) else {
        return None;
    };
    let i = schema.field_index(*id, "currency")?;
    match values.get(i)? {
        Value::Str(code) if &**code != currency => Some(Foreign {
            code: code.to_arc(),
            path: vec![Segment::Field("currency")],
            span: None,
        }),
        _ => None,
    }
}

/// Like [`foreign`], for a value of type `ty`.
fn foreign_within<'s>(
    schema: &'s Schema,
    plan: &Plan,
    ty: &Base,
    value: &Value,
    currency: &str,
) -> Option<Foreign<'s>> {
    match (ty, value) {
        (Base::Record(id), v) => foreign(schema, plan, *id, v, currency),
        (Base::List(inner), Value::List(items)) => items.iter().enumerate().find_map(|(i, v)| {
            let mut hit = foreign_within(schema, plan, inner, v, currency)?;
            hit.path.push(Segment::Index(i));
            Some(hit)
        }),
        _ => None,
    }
}

/// A path gathered innermost first, written outermost first: `order.items[1].unit_price`.
fn shown(path: &[Segment<'_>]) -> String {
    path.iter()
        .rev()
        .enumerate()
        .map(|(i, segment)| match segment {
            Segment::Field(name) if i == 0 => (*name).to_string(),
            Segment::Field(name) => format!(".{name}"),
            Segment::Index(n) => format!("[{n}]"),
        })
        .collect()
}

/// Whether `code` is written as an ISO 4217 code: three capital letters.
fn is_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

/// A referral reason when some money fact of the document holds a fraction of a cent
/// (`1999.995`): the decision's amounts are whole cents, so rounding such a price or value
/// could pay or refund more than was ever charged.
pub fn cents(prog: &Program, facts: &Value, currency: &str) -> Option<Reason> {
    // Most documents hold no fraction of a cent: a search that only says whether one does
    // is cheaper than one that keeps the path it took.
    if !has_fraction(&prog.schema, &prog.gate, Schema::ROOT, facts) {
        return None;
    }
    let hit = find(&prog.schema, &prog.gate, Schema::ROOT, facts)?;
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
        eligible_from: None,
        failure: None,
    })
}

/// Whether [`find`] finds an amount with a fraction of a cent.
fn has_fraction(schema: &Schema, plan: &Plan, record: RecordId, value: &Value) -> bool {
    let (Some(rec), Some(walked), Value::Record(values)) =
        (schema.records.get(record), plan.money.get(record), value)
    else {
        return false;
    };
    walked
        .iter()
        .any(|&i| match (rec.fields.get(i), values.get(i)) {
            (Some(field), Some(v)) => fraction_within(schema, plan, &field.ty, v),
            _ => false,
        })
}

/// Whether [`within`] finds an amount with a fraction of a cent.
fn fraction_within(schema: &Schema, plan: &Plan, ty: &Base, value: &Value) -> bool {
    match (ty, value) {
        (Base::Money, Value::Num(n)) => is_fraction(n),
        (Base::Record(id), v) => has_fraction(schema, plan, *id, v),
        (Base::List(inner), Value::List(items)) => items
            .iter()
            .any(|v| fraction_within(schema, plan, inner, v)),
        _ => false,
    }
}

/// Whether `n` holds a fraction of a cent. Normalising (dropping trailing zeros) only ever
/// lowers the scale.
fn is_fraction(n: &Decimal) -> bool {
    n.scale() > 2 && n.normalize().scale() > 2
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
fn find<'s>(schema: &'s Schema, plan: &Plan, record: RecordId, value: &Value) -> Option<Hit<'s>> {
    let (Some(rec), Some(walked), Value::Record(values)) =
        (schema.records.get(record), plan.money.get(record), value)
    else {
        return None;
    };
    walked.iter().find_map(|&i| {
        let (field, v) = (rec.fields.get(i)?, values.get(i)?);
        let mut hit = within(schema, plan, &field.ty, v)?;
        hit.path.push(Segment::Field(&field.name));
        hit.span = hit.span.or(Some(field.span));
        Some(hit)
    })
}

/// Like [`find`], for a value of type `ty`.
fn within<'s>(schema: &'s Schema, plan: &Plan, ty: &Base, value: &Value) -> Option<Hit<'s>> {
    match (ty, value) {
        (Base::Money, Value::Num(n)) if is_fraction(n) => Some(Hit {
            amount: *n,
            path: Vec::new(),
            span: None,
        }),
        (Base::Record(id), v) => find(schema, plan, *id, v),
        (Base::List(inner), Value::List(items)) => items.iter().enumerate().find_map(|(i, v)| {
            let mut hit = within(schema, plan, inner, v)?;
            hit.path.push(Segment::Index(i));
            Some(hit)
        }),
        _ => None,
    }
}

/// Whether `field` of `rec` is a decision's `payout` or `refund`, whose currency is read.
fn paid(rec: &RecordSchema, field: &FieldSchema) -> bool {
    rec.decision && (field.name == "payout" || field.name == "refund")
}

/// The fields of each record that the checks walk into, found once when the policy is
/// compiled, so that a document's other values are never visited: those that hold money
/// (for [`cents`]) and those that hold an earlier decision's payout or refund (for
/// [`earlier_currency`]), directly or further down.
#[derive(Debug, Default)]
pub struct Plan {
    /// By record: the indices of its fields that hold money, in order.
    money: Vec<Box<[usize]>>,
    /// By record: the indices of its fields that hold a payout or refund of a decision.
    decisions: Vec<Box<[usize]>>,
}

impl Plan {
    pub fn of(schema: &Schema) -> Plan {
        let money = fields_holding(schema, |_, field| field.ty == Base::Money);
        let decisions = fields_holding(schema, paid);
        Plan { money, decisions }
    }
}

/// By record, the indices of the fields for which `direct` holds, or whose type holds a
/// record that has such a field, at any depth.
fn fields_holding(
    schema: &Schema,
    direct: impl Fn(&RecordSchema, &FieldSchema) -> bool,
) -> Vec<Box<[usize]>> {
    fn reaches(ty: &Base, holds: &[bool]) -> bool {
        match ty {
            Base::Record(id) => holds.get(*id).copied().unwrap_or(false),
            Base::List(inner) => reaches(inner, holds),
            _ => false,
        }
    }
    let wanted = |rec: &RecordSchema, field: &FieldSchema, holds: &[bool]| {
        direct(rec, field) || reaches(&field.ty, holds)
    };
    // Whether each record holds one: grown until nothing changes (a record may be
    // declared after a record that holds it).
    let mut holds = vec![false; schema.records.len()];
    loop {
        let next: Vec<bool> = schema
            .records
            .iter()
            .map(|rec| rec.fields.iter().any(|f| wanted(rec, f, &holds)))
            .collect();
        if next == holds {
            break;
        }
        holds = next;
    }
    schema
        .records
        .iter()
        .map(|rec| {
            let fields = rec.fields.iter().enumerate();
            fields
                .filter(|(_, f)| wanted(rec, f, &holds))
                .map(|(i, _)| i)
                .collect()
        })
        .collect()
}
