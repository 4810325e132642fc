//! `unreachable-rule` and `negative-amount`: what the order of rules implies.
//!
//! The first coverage, refund, fallback, priority or appeal rule whose condition holds is
//! the one that decides; after one with no condition, or one that always holds (see
//! [`always_true`]), no later rule of its kind ever decides.
//!
//! An amount left below zero by the compensation (or deduction) rules refers the document
//! to a person (see [`crate::decide`]). A `reduce by`, or a `cap at` an amount not known
//! to be zero or more, can leave it there; unless a later rule of the same kind floors it
//! at an amount known to be zero or more (`floor at 0`) whenever the first applies (the
//! floor has no condition, or only conditions the first has too), that is reported. In a
//! policy with payout components, a floor keeps only the component it names above zero.
//! An `add` of an amount that can be below zero fails its rule whatever follows it, so it
//! is reported without looking for a floor.

use super::conditions::always_true;
use rust_decimal::Decimal;

use super::{lit, warning, when, Lint, Policy, Scope};
use crate::ast::{BinOp, Clause, Expr, ExprKind, Rule, RuleKind, TypeKind};
use crate::diagnostic::PolicyWarning;
use crate::print;

/// Kinds where the first rule that applies is the one that counts.
const FIRST_DECIDES: [RuleKind; 5] = [
    RuleKind::Coverage,
    RuleKind::Refund,
    RuleKind::Fallback,
    RuleKind::Priority,
    RuleKind::Appeal,
];

pub fn warnings(p: &Policy) -> Vec<PolicyWarning> {
    let mut out = unreachable(p);
    out.extend(negative(p, RuleKind::Compensation, "payout"));
    out.extend(negative(p, RuleKind::Deduction, "refund"));
    out
}

fn unreachable(p: &Policy) -> Vec<PolicyWarning> {
    let mut out = Vec::new();
    for kind in FIRST_DECIDES {
        let mut always: Option<&Rule> = None;
        for rule in p.ast.rules.iter().filter(|r| r.kind == kind) {
            if let Some(first) = always {
                let (line, _) = p.file.line_col(first.span.start);
                let k = kind.as_str();
                out.push(warning(
                    p,
                    Lint::UnreachableRule,
                    rule.name.span,
                    (
                        format!(
                            "{k} `{}` can never decide: `{}` (line {line}) always applies first",
                            rule.name.name, first.name.name
                        ),
                        "never decides",
                    ),
                    format!(
                        "the first {k} rule whose condition holds decides; give `{}` a \
                         condition, or move `{}` before it",
                        first.name.name, rule.name.name
                    ),
                ));
            } else if when(rule).is_none_or(|w| always_true(p, w, &Scope::default())) {
                always = Some(rule);
            }
        }
    }
    out
}

/// The adjustment a rule makes, and the payout component it names (`None`: the approving
/// coverage's own, or the one payout).
fn adjustment(rule: &Rule) -> Option<(&Clause, Option<&str>)> {
    let (i, clause) = rule
        .clauses
        .iter()
        .enumerate()
        .find(|(_, c)| matches!(c, Clause::Reduce(_) | Clause::Cap(_) | Clause::Floor(_)))?;
    Some((clause, component(rule, i)))
}

/// The payout component clause `i` of `rule` names (`reduce cash by ...`), if any.
fn component(rule: &Rule, i: usize) -> Option<&str> {
    rule.components
        .iter()
        .find(|(at, _)| *at == i)
        .map(|(_, name)| name.name.as_str())
}

/// An `add` whose amount can be below zero: such an `add` fails its rule, whatever the
/// rules after it do, so a floor does not help.
fn negative_add(p: &Policy, rule: &Rule) -> Option<PolicyWarning> {
    let (i, e) = rule.clauses.iter().enumerate().find_map(|(i, c)| match c {
        Clause::Add(e) => Some((i, e)),
        _ => None,
    })?;
    if non_negative(p, e, 0) {
        return None;
    }
    let component = component(rule, i).map_or(String::new(), |name| format!(" as {name}"));
    Some(warning(
        p,
        Lint::NegativeAmount,
        e.span,
        (
            format!(
                "`{}` adds an amount that can be below zero, and an `add` below zero cannot \
                 be computed",
                rule.name.name
            ),
            "may be below zero",
        ),
        format!(
            "a claim for which it is below zero is referred to a person, whatever a later \
             `floor` says; to add nothing then, write `add max({}, 0){component}`",
            print::expr(e)
        ),
    ))
}

/// A floor at an amount known not to be negative: its position among the rules of its
/// kind, the component it floors, and its conditions (`None`: always).
type Floor<'p> = (usize, Option<&'p str>, Option<Vec<String>>);

fn negative(p: &Policy, kind: RuleKind, amount: &str) -> Vec<PolicyWarning> {
    let rules: Vec<&Rule> = p.ast.rules.iter().filter(|r| r.kind == kind).collect();
    // The floors at an amount known not to be negative, by position, each with the
    // component it floors (a floor keeps only that one above zero) and the conditions
    // under which it applies (`None`: always).
    let floors: Vec<Floor> = rules
        .iter()
        .enumerate()
        .filter_map(|(i, r)| match adjustment(r) {
            Some((Clause::Floor(f), component)) if non_negative(p, f, 0) => {
                Some((i, component, condition(p, r)))
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        out.extend(negative_add(p, rule));
        let Some((clause, component)) = adjustment(rule) else {
            continue;
        };
        let part = component.map_or(amount.to_string(), |c| format!("{amount} component `{c}`"));
        let (e, what) = match clause {
            Clause::Reduce(e) if !non_positive(p, e) => (
                e,
                format!("`{}` can leave the {part} below zero", rule.name.name),
            ),
            Clause::Cap(e) if !non_negative(p, e, 0) => (
                e,
                format!(
                    "`{}` caps the {part} at an amount that can be below zero",
                    rule.name.name
                ),
            ),
            _ => continue,
        };
        let have = condition(p, rule).unwrap_or_default();
        let floored = floors.iter().any(|(j, floors, need)| {
            *j > i
                && *floors == component
                && need
                    .as_ref()
                    .is_none_or(|need| need.iter().all(|n| have.contains(n)))
        });
        if !floored {
            let k = kind.as_str();
            out.push(warning(
                p,
                Lint::NegativeAmount,
                e.span,
                (
                    format!("{what}, and no later rule floors it"),
                    "may go below zero",
                ),
                format!(
                    "a {part} below zero is referred to a person; add a later {k} rule \
                     `floor {}at 0` to pay nothing instead",
                    component.map_or(String::new(), |c| format!("{c} "))
                ),
            ));
        }
    }
    out
}

/// The `and` operands of a rule's condition, as written; `None` when it has no condition
/// or one that always holds.
fn condition(p: &Policy, rule: &Rule) -> Option<Vec<String>> {
    let cond = when(rule)?;
    if always_true(p, cond, &Scope::default()) {
        return None;
    }
    let mut out = Vec::new();
    conjuncts(cond, &mut out);
    Some(out)
}

/// The operands of a chain of `and`, as written.
fn conjuncts(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Binary(BinOp::And, a, b) => {
            conjuncts(a, out);
            conjuncts(b, out);
        }
        _ => out.push(print::expr(e)),
    }
}

/// Whether a `reduce by` amount is a constant of zero or less (it never lowers the amount);
/// an amount in each currency is, when every one of its amounts is.
fn non_positive(p: &Policy, e: &Expr) -> bool {
    lit(p, e, &Scope::default()).is_some_and(|l| l.every_number(|n| n <= Decimal::ZERO))
}

/// How deeply [`non_negative`] looks through tables and constants.
const MAX_DEPTH: usize = 16;

/// Whether an amount is known to be zero or more for every document: a constant of zero
/// or more (an amount in each currency whose every amount is), `abs(..)`, `max` of something that is, `min`, `round`, `+`, `*` and `if` of
/// things that are, a table whose every value is, or a hook returning money (checked not
/// to be negative).
fn non_negative(p: &Policy, e: &Expr, depth: usize) -> bool {
    if depth > MAX_DEPTH {
        return false;
    }
    let nn = |x: &Expr| non_negative(p, x, depth + 1);
    match &e.kind {
        ExprKind::Binary(BinOp::Add | BinOp::Mul, a, b) => nn(a) && nn(b),
        ExprKind::If(_, a, b) => nn(a) && nn(b),
        ExprKind::Call(f, args) => match f.name.as_str() {
            "abs" => true,
            "max" => args.iter().any(nn),
            "min" => !args.is_empty() && args.iter().all(nn),
            "round" => args.iter().all(nn),
            name => {
                let table = p.ast.tables.iter().find(|t| t.name.name == name);
                let hook = p.ast.hooks.iter().find(|h| h.name.name == name);
                match (table, hook) {
                    (Some(t), _) => t.bands.iter().all(|b| nn(&b.value)),
                    (None, Some(h)) => {
                        matches!(h.ret.kind, TypeKind::Scalar(crate::ast::ScalarType::Money))
                    }
                    (None, None) => false,
                }
            }
        },
        _ => lit(p, e, &Scope::default()).is_some_and(|l| l.every_number(|n| n >= Decimal::ZERO)),
    }
}
