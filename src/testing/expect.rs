//! A decision compared with what a case expects of it: each difference named and worded.

use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Difference, Expectation, Money};
use crate::decision::{format_money, Amount, Decision};

/// Every way `d` differs from `e`, in the order the expectation's keys are documented.
pub fn compare(e: &Expectation, d: &Decision) -> Vec<Difference> {
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
    for (name, expected) in &e.deadlines {
        let field = format!("deadlines.{name}");
        let shown = |v: &Option<String>| v.clone().unwrap_or_else(|| "null".into());
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

/// The difference between an expected amount and the decision's, if any. The currency is
/// compared only when the expectation names one.
fn money(field: &str, expected: &Money, actual: Option<&Amount>) -> Option<Difference> {
    let shown = match &expected.currency {
        Some(c) => format!("{} {c}", format_money(expected.amount)),
        None => format_money(expected.amount),
    };
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
