//! `never-true`: a condition that can never hold, and conditions that always hold.
//!
//! Every chain of `and` anywhere in a policy is read as constraints on the values it
//! compares with literals (or constants that are literals): `x == a`, `x != a`,
//! `x in [a, b]`, `x not in L`, `n < 5` and the other orderings (numbers, dates,
//! durations), `x is present`, `x is absent`, and a bare `flag` or `not flag`. Two sides
//! are the same value when they are written the same (`claim.type`, `i.qty`,
//! `days_between(a, b)`). A chain whose constraints on one value leave it no possible
//! value (`x == "a" and x == "b"`, `n > 5 and n < 3`, `x == "a" and x != "a"`) is
//! reported, at the constraints that conflict. An amount in each currency
//! (`const limit = { USD: 100, EUR: 90 }`) bounds a value in the document's currency, so
//! two bounds conflict only when they do in every currency (`x > limit and x < limit`).
//! What `or` and `not` combine is not looked into: a warning is always a real
//! contradiction, not every one is found.

use std::cmp::Ordering;
use std::collections::HashSet;

use super::{lit, lit_list, walk, warning, written, Lint, Lit, Policy, Scope};
use crate::ast::{BinOp, Expr, ExprKind};
use crate::diagnostic::PolicyWarning;
use crate::print;

pub fn warnings(p: &Policy) -> Vec<PolicyWarning> {
    let mut out = Vec::new();
    for (e, mut sc) in p.expressions() {
        // The `and` nodes inside a chain already read, by address.
        let mut inner: HashSet<*const Expr> = HashSet::new();
        walk(p, e, &mut sc, &mut |x, sc| {
            if !matches!(x.kind, ExprKind::Binary(BinOp::And, ..))
                || inner.contains(&(x as *const Expr))
            {
                return;
            }
            let mut atoms = Vec::new();
            flatten(x, &mut atoms, &mut inner);
            if let Some(w) = contradiction(p, &atoms, sc) {
                out.push(w);
            }
        });
    }
    out
}

/// The operands of a chain of `and`, in order; its inner `and` nodes go to `inner`.
fn flatten<'e>(e: &'e Expr, atoms: &mut Vec<&'e Expr>, inner: &mut HashSet<*const Expr>) {
    match &e.kind {
        ExprKind::Binary(BinOp::And, a, b) => {
            inner.insert(e as *const Expr);
            flatten(a, atoms, inner);
            flatten(b, atoms, inner);
        }
        _ => atoms.push(e),
    }
}

/// What one operand says about one value.
#[derive(Clone, Debug)]
enum Constraint {
    OneOf(Vec<Lit>),
    NoneOf(Vec<Lit>),
    /// Below or above a bound: (bound, ordering the value must have to it, or equal).
    Bound(Lit, Ordering, bool),
    Present(bool),
}

/// The value an operand constrains (as written) and how, when it is one of the forms read.
fn constraint(p: &Policy, e: &Expr, sc: &Scope) -> Option<(String, Constraint)> {
    match &e.kind {
        ExprKind::Binary(op @ (BinOp::In | BinOp::NotIn), x, list) => {
            let values = lit_list(p, list, sc)?;
            if values.iter().any(|v| matches!(v, Lit::Amounts(_))) {
                return None;
            }
            let c = match op {
                BinOp::In => Constraint::OneOf(values),
                _ => Constraint::NoneOf(values),
            };
            Some((print::expr(x), c))
        }
        ExprKind::Binary(op, a, b) => {
            let (x, op, v) = match (lit(p, a, sc), lit(p, b, sc)) {
                (None, Some(v)) => (a, *op, v),
                (Some(v), None) => (b, flip(*op)?, v),
                _ => return None,
            };
            let c = match op {
                // Two amounts in each currency can be equal in one currency and not in
                // another: only their orderings are read.
                BinOp::Eq | BinOp::Ne if matches!(v, Lit::Amounts(_)) => return None,
                BinOp::Eq => Constraint::OneOf(vec![v]),
                BinOp::Ne => Constraint::NoneOf(vec![v]),
                BinOp::Lt => Constraint::Bound(v, Ordering::Less, false),
                BinOp::Le => Constraint::Bound(v, Ordering::Less, true),
                BinOp::Gt => Constraint::Bound(v, Ordering::Greater, false),
                BinOp::Ge => Constraint::Bound(v, Ordering::Greater, true),
                _ => return None,
            };
            Some((print::expr(x), c))
        }
        ExprKind::IsPresent(x, present) => Some((print::expr(x), Constraint::Present(*present))),
        ExprKind::Path(_) if lit(p, e, sc).is_none() => {
            Some((print::expr(e), Constraint::OneOf(vec![Lit::Bool(true)])))
        }
        ExprKind::Not(x) if matches!(x.kind, ExprKind::Path(_)) && lit(p, x, sc).is_none() => {
            Some((print::expr(x), Constraint::OneOf(vec![Lit::Bool(false)])))
        }
        _ => None,
    }
}

/// `a op b` as `b op' a`, for the comparisons.
fn flip(op: BinOp) -> Option<BinOp> {
    Some(match op {
        BinOp::Eq | BinOp::Ne => op,
        BinOp::Lt => BinOp::Gt,
        BinOp::Le => BinOp::Ge,
        BinOp::Gt => BinOp::Lt,
        BinOp::Ge => BinOp::Le,
        _ => return None,
    })
}

/// Whether some value meets every constraint (incomparable bounds count as met).
fn satisfiable(cs: &[&Constraint]) -> bool {
    let presence: Vec<bool> = cs
        .iter()
        .filter_map(|c| match c {
            Constraint::Present(b) => Some(*b),
            _ => None,
        })
        .collect();
    if presence.contains(&true) && presence.contains(&false) {
        return false;
    }
    let excluded: Vec<&Lit> = cs
        .iter()
        .filter_map(|c| match c {
            Constraint::NoneOf(v) => Some(v),
            _ => None,
        })
        .flatten()
        .collect();
    let bounds: Vec<(&Lit, Ordering, bool)> = cs
        .iter()
        .filter_map(|c| match c {
            Constraint::Bound(v, o, eq) => Some((v, *o, *eq)),
            _ => None,
        })
        .collect();
    let within = |v: &Lit| {
        bounds.iter().all(|(b, want, eq)| match v.order(b) {
            Some(Ordering::Equal) => *eq,
            Some(o) => o == *want,
            None => true,
        })
    };
    let mut candidates: Option<Vec<&Lit>> = None;
    for c in cs {
        if let Constraint::OneOf(values) = c {
            candidates = Some(match candidates {
                None => values.iter().collect(),
                Some(prev) => prev.into_iter().filter(|v| values.contains(v)).collect(),
            });
        }
    }
    if let Some(candidates) = candidates {
        return candidates
            .iter()
            .any(|v| !excluded.contains(v) && within(v));
    }
    // Only bounds (and exclusions): the tightest lower and upper bound must leave room.
    for (lo, o1, eq1) in &bounds {
        for (hi, o2, eq2) in &bounds {
            if *o1 != Ordering::Greater || *o2 != Ordering::Less {
                continue;
            }
            match lo.order(hi) {
                Some(Ordering::Greater) => return false,
                Some(Ordering::Equal) if !(*eq1 && *eq2) || excluded.contains(lo) => return false,
                _ => {}
            }
        }
    }
    true
}

/// The first value of a chain whose constraints conflict, as a warning.
fn contradiction(p: &Policy, atoms: &[&Expr], sc: &Scope) -> Option<PolicyWarning> {
    let read: Vec<(String, Constraint, &Expr)> = atoms
        .iter()
        .filter_map(|a| constraint(p, a, sc).map(|(k, c)| (k, c, *a)))
        .collect();
    let mut keys: Vec<&str> = Vec::new();
    for (k, ..) in &read {
        if !keys.contains(&k.as_str()) {
            keys.push(k);
        }
    }
    for key in keys {
        let on: Vec<&(String, Constraint, &Expr)> = read.iter().filter(|r| r.0 == key).collect();
        let pair = on.iter().enumerate().find_map(|(i, a)| {
            on.iter()
                .skip(i + 1)
                .find(|b| !satisfiable(&[&a.1, &b.1]))
                .map(|b| vec![a.2, b.2])
        });
        let all: Vec<&Constraint> = on.iter().map(|r| &r.1).collect();
        let conflict = match pair {
            Some(pair) => pair,
            None if !satisfiable(&all) => on.iter().map(|r| r.2).collect(),
            None => continue,
        };
        return Some(report(p, &conflict));
    }
    None
}

fn report(p: &Policy, conflict: &[&Expr]) -> PolicyWarning {
    let shown: Vec<String> = conflict
        .iter()
        .map(|e| format!("`{}`", written(p, e.span)))
        .collect();
    let what = match shown.as_slice() {
        [a, b] => format!("{a} and {b} cannot both be true"),
        [init @ .., last] => format!("{} and {last} cannot all be true", init.join(", ")),
        [] => String::new(),
    };
    let span = match (conflict.first(), conflict.last()) {
        (Some(a), Some(b)) => a.span.to(b.span),
        _ => Default::default(),
    };
    warning(
        p,
        Lint::NeverTrue,
        span,
        (
            format!("this condition can never hold: {what}"),
            "never true",
        ),
        "a rule never applies where its condition cannot hold; correct the values compared, \
         or join the alternatives with `or`"
            .into(),
    )
}

/// Whether a condition holds for every document: `true`, a constant that is `true`, or
/// `or`, `and` and `not` of such (`x is present or x is absent` too).
pub fn always_true(p: &Policy, e: &Expr, sc: &Scope) -> bool {
    match &e.kind {
        ExprKind::Binary(BinOp::Or, a, b) => {
            always_true(p, a, sc)
                || always_true(p, b, sc)
                || matches!((&a.kind, &b.kind), (ExprKind::IsPresent(x, u), ExprKind::IsPresent(y, v))
                    if u != v && print::expr(x) == print::expr(y))
        }
        ExprKind::Binary(BinOp::And, a, b) => always_true(p, a, sc) && always_true(p, b, sc),
        ExprKind::Not(a) => lit(p, a, sc) == Some(Lit::Bool(false)),
        _ => lit(p, e, sc) == Some(Lit::Bool(true)),
    }
}
