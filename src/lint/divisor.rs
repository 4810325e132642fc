//! `zero-divisor`: a division whose divisor may be zero.
//!
//! A division whose divisor may be zero for some document that fits the policy is a
//! warning: such a document cannot be decided by that rule and is referred to a person.
//! A divisor is known not to be zero when it is a non-zero constant (an amount in each
//! currency, or a value computed from such amounts alone, when it is zero in no currency),
//! `max(..)` of a positive constant and anything, or a value the surrounding conditions
//! compare with zero (or with an amount in each currency, in every currency): the rule's
//! `when`, the left side of an `and`, the condition of an `if` (in its `then` branch) or
//! an aggregate's `where` (in its body), through `> 0`, `>= k` (k > 0), `!= 0`, `< 0` or
//! `<= k` (k < 0). Values of `let`s are checked where they are defined,
//! knowing nothing, since they are computed whatever rule reads them first.

use std::cmp::Ordering;

use rust_decimal::Decimal;

use super::Lint;
use crate::check::{Action, Alt};
use crate::compile::Program;
use crate::diagnostic::{PolicyError, PolicyWarning};
use crate::exact;
use crate::ir::{Arith, Builtin, Cmp, Ex};
use crate::span::Span;
use crate::value::Value;

/// A warning for every division whose divisor may be zero.
pub fn warnings(prog: &Program) -> Vec<PolicyWarning> {
    let mut spans = Vec::new();
    let mut known = Vec::new();
    for ex in &prog.lets {
        visit(ex, &mut known, &mut spans);
    }
    for t in &prog.tables {
        for ex in &t.values {
            visit(ex, &mut known, &mut spans);
        }
    }
    for rule in &prog.rules {
        let depth = known.len();
        if let Some(w) = &rule.when {
            visit(w, &mut known, &mut spans);
            nonzero(w, &mut known);
        }
        match &rule.action {
            Action::Pays(e)
            | Action::Reduce(e)
            | Action::Cap(e)
            | Action::Floor(e)
            | Action::Add(e, _)
            | Action::By(e)
            | Action::EligibleFrom(e)
            | Action::Shows(e, _) => visit(e, &mut known, &mut spans),
            Action::Requires(alts) => {
                for alt in alts {
                    if let Alt::Kind {
                        condition: Some(c), ..
                    } = alt
                    {
                        visit(c, &mut known, &mut spans);
                    }
                }
            }
            Action::None => {}
        }
        known.truncate(depth);
    }
    spans.sort_by_key(|s| (s.start, s.end));
    spans.dedup();
    spans
        .into_iter()
        .map(|span| {
            let e = PolicyError::new(
                &prog.meta.file,
                span,
                "this division may divide by zero for some document",
                "the divisor may be zero",
            )
            .with_help(
                "a document for which it does is referred to a person; to decide it instead, \
                 say what zero means: `if x > 0 then a / x else ...`, or `where x > 0` in an \
                 aggregate",
            );
            PolicyWarning::new(Lint::ZeroDivisor, e)
        })
        .collect()
}

/// Finds divisions in `ex` whose divisor is not known to be non-zero.
fn visit(ex: &Ex, known: &mut Vec<String>, out: &mut Vec<Span>) {
    let depth = known.len();
    match ex {
        Ex::And(a, b) => {
            visit(a, known, out);
            nonzero(a, known);
            visit(b, known, out);
        }
        Ex::If(c, t, f) => {
            visit(c, known, out);
            nonzero(c, known);
            visit(t, known, out);
            known.truncate(depth);
            visit(f, known, out);
        }
        Ex::Aggregate {
            list, filter, body, ..
        } => {
            visit(list, known, out);
            if let Some(f) = filter {
                visit(f, known, out);
                nonzero(f, known);
            }
            if let Some(b) = body {
                visit(b, known, out);
            }
        }
        Ex::Arith(Arith::Div, a, b, span) => {
            visit(a, known, out);
            visit(b, known, out);
            if !safe(b, known) {
                out.push(*span);
            }
        }
        other => other.for_each_child(&mut |c| visit(c, known, out)),
    }
    known.truncate(depth);
}

/// Whether a divisor is known not to be zero.
fn safe(ex: &Ex, known: &[String]) -> bool {
    let positive = |a: &Ex| signs(a).is_some_and(|s| s.iter().all(|o| *o == Ordering::Greater));
    match ex {
        Ex::Call(Builtin::Max, args, _) => args.iter().any(positive),
        _ => match signs(ex) {
            Some(s) => s.iter().all(|o| *o != Ordering::Equal),
            None => key(ex).is_some_and(|k| known.contains(&k)),
        },
    }
}

/// How a value written in the policy compares with zero: a number, or an amount in each
/// currency (or a value computed from such amounts only) in each currency it can be
/// computed in. `None` for anything else.
fn signs(ex: &Ex) -> Option<Vec<Ordering>> {
    if let Ex::Const(v @ Value::Num(_)) = ex {
        return Some(vec![exact::cmp_decimal(v, Decimal::ZERO)?]);
    }
    if !ex.is_fixed() {
        return None;
    }
    let currencies = ex.common_currencies();
    if currencies.is_empty() {
        return None;
    }
    currencies
        .into_iter()
        .map(|c| {
            let v = crate::eval::const_value_in(ex, &[], Some(c)).ok()?;
            exact::cmp_decimal(&v, Decimal::ZERO)
        })
        .collect()
}

/// The values that `cond` holding proves not to be zero, added to `known`.
fn nonzero(cond: &Ex, known: &mut Vec<String>) {
    match cond {
        Ex::And(a, b) => {
            nonzero(a, known);
            nonzero(b, known);
        }
        Ex::Cmp(op, x, y) => {
            let (value, op, signs) = match (signs(y), signs(x)) {
                (Some(s), _) => (&**x, *op, s),
                (None, Some(s)) => (&**y, flip(*op), s),
                (None, None) => return,
            };
            // `value op n` for every value `n` the other side takes.
            let excludes_zero = signs.iter().all(|n| match op {
                Cmp::Gt => *n != Ordering::Less,
                Cmp::Ge => *n == Ordering::Greater,
                Cmp::Ne => *n == Ordering::Equal,
                Cmp::Lt => *n != Ordering::Greater,
                Cmp::Le => *n == Ordering::Less,
                Cmp::Eq => *n != Ordering::Equal,
            });
            if let (true, Some(k)) = (excludes_zero, key(value)) {
                known.push(k);
            }
        }
        _ => {}
    }
}

/// `a op b` as `b op' a`.
fn flip(op: Cmp) -> Cmp {
    match op {
        Cmp::Lt => Cmp::Gt,
        Cmp::Le => Cmp::Ge,
        Cmp::Gt => Cmp::Lt,
        Cmp::Ge => Cmp::Le,
        other => other,
    }
}

/// A name for a value that conditions can speak of: a fact, a bound variable or a `let`.
fn key(ex: &Ex) -> Option<String> {
    match ex {
        Ex::Fact(_) | Ex::Var(..) | Ex::Let(_) => Some(format!("{ex:?}")),
        _ => None,
    }
}
