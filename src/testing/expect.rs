//! A decision compared with what a case expects of it: each difference named and worded.

use std::sync::Arc;

use std::str::FromStr;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;

use super::{Difference, Expectation, Money};
use crate::ast::RuleKind;
use crate::compile::Program;
use crate::decision::{format_money, Amount, Decision};

/// Every way `d` differs from `e`, in the order the expectation's keys are documented.
/// `program` is the policy version that decided, when known: a note the decision does not
/// have is one that did not apply only when the policy has a note of that name.
pub fn compare(e: &Expectation, d: &Decision, program: Option<&Program>) -> Vec<Difference> {
    let mut out = Vec::new();
    if e.decision != d.decision {
        out.push(Difference::new(
            "decision",
            e.decision.as_str().into(),
            d.decision.as_str().into(),
        ));
    }
    let amount = |amount, currency: &Arc<str>| Amount {
        amount,
        currency: currency.clone(),
    };
    let payout = d.payout.as_ref().map(|p| amount(p.amount, &p.currency));
    let refund = d.refund.as_ref().map(|r| amount(r.amount, &r.currency));
    let amounts = [
        ("payout", &e.payout, payout.as_ref()),
        ("refund", &e.refund, refund.as_ref()),
    ];
    for (field, expected, actual) in amounts {
        if let Some(expected) = expected {
            if let Some(diff) = money(field, expected, actual) {
                out.push(diff);
            }
        }
        if field == "payout" {
            components(e, d, &mut out);
        }
    }
    let reasons: Vec<&str> = d.reasons.iter().map(|r| r.rule.as_ref()).collect();
    if let Some(expected) = &e.reasons {
        if *expected != reasons {
            out.push(Difference::new("reasons", list(expected), list(&reasons)));
        }
    }
    if let Some(expected) = &e.reasons_include {
        let absent: Vec<&String> = expected
            .iter()
            .filter(|name| !reasons.contains(&name.as_str()))
            .collect();
        if !absent.is_empty() {
            let mut diff = Difference::new("reasons_include", list(expected), list(&reasons));
            diff.message = format!(
                "reasons expected to include {}, got {}",
                list(&absent),
                list(&reasons)
            );
            out.push(diff);
        }
    }
    if let Some(expected) = &e.missing_evidence {
        let actual: Vec<&str> = d
            .missing_evidence
            .iter()
            .map(|m| m.requirement.as_ref())
            .collect();
        if *expected != actual {
            out.push(Difference::new(
                "missing_evidence",
                list(expected),
                list(&actual),
            ));
        }
    }
    if let Some(expected) = &e.awaiting {
        let actual: Vec<&str> = d.awaiting.iter().map(|a| a.input.as_ref()).collect();
        if *expected != actual {
            out.push(Difference::new("awaiting", list(expected), list(&actual)));
        }
    }
    if let Some(expected) = &e.eligible_from {
        let actual = d.eligible_from.as_deref();
        if !same_moment(expected.as_deref(), actual) {
            out.push(Difference::new(
                "eligible_from",
                shown(expected.as_deref()),
                shown(actual),
            ));
        }
    }
    for (name, expected) in &e.deadlines {
        let field = format!("deadlines.{name}");
        let shown = |v: &Option<String>| shown(v.as_deref());
        match d.deadlines.0.iter().find(|(k, _)| k.as_ref() == name) {
            None => {
                let mut diff = Difference::new(&field, shown(expected), "no such deadline".into());
                diff.message = format!(
                    "deadline {name} expected {}, but the decision has no deadline of that name",
                    shown(expected)
                );
                out.push(diff);
            }
            Some((_, actual)) if !same_moment(expected.as_deref(), actual.as_deref()) => {
                let mut diff = Difference::new(&field, shown(expected), shown(actual));
                diff.message = format!(
                    "deadline {name} expected {}, got {}",
                    diff.expected, diff.actual
                );
                out.push(diff);
            }
            Some(_) => {}
        }
    }
    notes(e, d, program, &mut out);
    if let Some(expected) = &e.policy_version {
        if **expected != *d.policy.version {
            out.push(Difference::new(
                "policy_version",
                expected.clone(),
                d.policy.version.to_string(),
            ));
        }
    }
    out
}

/// The payout components named by `e`, each compared with the decision's amount.
fn components(e: &Expectation, d: &Decision, out: &mut Vec<Difference>) {
    for (name, expected) in &e.components {
        let field = format!("components.{name}");
        let actual = d.payout.as_ref().and_then(|p| {
            let c = p.components.iter().find(|c| c.name.as_ref() == name)?;
            Some(Amount {
                amount: c.amount,
                currency: p.currency.clone(),
            })
        });
        let Some(actual) = actual else {
            let mut diff =
                Difference::new(&field, money_shown(expected), "no such component".into());
            diff.message = format!(
                "component {name} expected {}, but the decision has no component of that name",
                diff.expected
            );
            out.push(diff);
            continue;
        };
        if let Some(mut diff) = money(&field, expected, Some(&actual)) {
            diff.message = format!(
                "component {name} expected {}, got {}",
                diff.expected, diff.actual
            );
            out.push(diff);
        }
    }
}

/// The notes named by `e`, each compared with the decision's value: a note the decision
/// does not have did not apply (null), if the policy has a note of that name.
fn notes(e: &Expectation, d: &Decision, program: Option<&Program>, out: &mut Vec<Difference>) {
    for (name, expected) in &e.notes {
        let field = format!("notes.{name}");
        let actual = d.notes.0.iter().find(|(k, _)| k.as_ref() == name);
        let known = actual.is_some()
            || program.is_none_or(|p| p.rules_of(RuleKind::Note).any(|r| r.name.as_ref() == name));
        if !known {
            let mut diff =
                Difference::new(&field, shown(expected.as_deref()), "no such note".into());
            diff.message = format!(
                "note {name} expected {}, but the policy has no note of that name",
                diff.expected
            );
            out.push(diff);
            continue;
        }
        let actual = actual.and_then(|(_, v)| v.as_deref());
        if !same_value(expected.as_deref(), actual) {
            let mut diff = Difference::new(&field, shown(expected.as_deref()), shown(actual));
            diff.message = format!(
                "note {name} expected {}, got {}",
                diff.expected, diff.actual
            );
            out.push(diff);
        }
    }
}

/// Whether a note's value is the one expected: the same text, the same day or instant
/// (as for deadlines), or the same number (`71.4` is `71.40`).
fn same_value(expected: Option<&str>, actual: Option<&str>) -> bool {
    let number = |t: &str| -> Option<Decimal> {
        let plain = t
            .strip_prefix('-')
            .unwrap_or(t)
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.');
        Decimal::from_str(t).ok().filter(|_| plain)
    };
    same_moment(expected, actual)
        || matches!(
            (expected.and_then(number), actual.and_then(number)),
            (Some(x), Some(y)) if x == y
        )
}

/// A value as a difference shows it: `null` for none.
fn shown(v: Option<&str>) -> String {
    v.unwrap_or("null").to_string()
}

/// An expected amount as written: `44.00`, or `44.00 USD` when it names the currency.
fn money_shown(expected: &Money) -> String {
    match &expected.currency {
        Some(c) => format!("{} {c}", format_money(expected.amount)),
        None => format_money(expected.amount),
    }
}

/// The difference between an expected amount and the decision's, if any. The currency is
/// compared only when the expectation names one.
fn money(field: &str, expected: &Money, actual: Option<&Amount>) -> Option<Difference> {
    let shown = money_shown(expected);
    let Some(actual) = actual else {
        let kind = if field == "payout" {
            "a cancellation has a refund"
        } else {
            "a claim has a payout"
        };
        return Some(Difference::new(
            field,
            shown,
            format!("no {field} ({kind})"),
        ));
    };
    let same_currency = expected
        .currency
        .as_deref()
        .is_none_or(|c| c == &*actual.currency);
    if expected.amount == actual.amount && same_currency {
        return None;
    }
    let got = match expected.currency {
        Some(_) => format!("{} {}", format_money(actual.amount), actual.currency),
        None => format_money(actual.amount),
    };
    Some(Difference::new(field, shown, got))
}

/// Whether two deadline values are the same day or the same instant (`2025-07-11T09:30:00Z`
/// is `2025-07-11T11:30:00+02:00`); `None` is a deadline that does not apply.
fn same_moment(expected: Option<&str>, actual: Option<&str>) -> bool {
    let instant = |t: &str| -> Option<DateTime<Utc>> { crate::document::parse_instant(t) };
    match (expected, actual) {
        (None, None) => true,
        (Some(e), Some(a)) => {
            e == a
                || matches!((instant(e), instant(a)), (Some(x), Some(y)) if x == y)
                || matches!(
                    (crate::document::parse_date(e), crate::document::parse_date(a)),
                    (Some(x), Some(y)) if x == y
                )
        }
        _ => false,
    }
}

/// `[a, b]`.
fn list<S: AsRef<str>>(names: &[S]) -> String {
    let names: Vec<&str> = names.iter().map(AsRef::as_ref).collect();
    format!("[{}]", names.join(", "))
}

impl Difference {
    fn new(field: &str, expected: String, actual: String) -> Self {
        let message = format!("{field} expected {expected}, got {actual}");
        Difference {
            field: field.to_string(),
            expected,
            actual,
            message,
        }
    }
}
