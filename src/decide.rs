//! Outcome semantics: exclusions, then referrals, then evidence, then coverage and compensation.
//!
//! 1. Any exclusion whose condition holds denies the claim; every such exclusion is a reason.
//! 2. Otherwise any referral whose condition holds refers the claim to a person.
//! 3. Otherwise every evidence requirement that applies and is not met is listed in
//!    `missing_evidence`, and the claim is `incomplete`.
//! 4. Otherwise the first coverage rule (in file order) whose condition holds approves,
//!    paying its amount; compensation rules then adjust it in file order (a reduction
//!    that takes something off, a cap or floor that changes the amount is a reason);
//!    the payout is rounded to the cent, half away from zero. A payout below zero is an
//!    error: the policy must say what happens (`floor at 0`).
//! 5. Otherwise the fallback rule denies.
//!
//! Deadlines are evaluated last, with the outcome readable as `decision`.

use std::sync::Arc;

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_decimal::Decimal;

use crate::ast::RuleKind;
use crate::check::{Action, Alt};
use crate::compile::{CompiledRule, Program};
use crate::decision::{Amount, Deadlines, Decision, Missing, Outcome, PolicyId, Reason};
use crate::eval::{round_money, Ctx, EvalError};
use crate::value::Value;

/// An evaluation failure and the rule it happened in.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFailure {
    pub rule: Option<Arc<str>>,
    pub error: EvalError,
}

type R<T> = Result<T, RuleFailure>;

fn in_rule<T>(rule: &CompiledRule, r: Result<T, EvalError>) -> R<T> {
    r.map_err(|error| RuleFailure {
        rule: Some(rule.name.clone()),
        error,
    })
}

fn reason(rule: &CompiledRule) -> Reason {
    Reason {
        rule: rule.name.clone(),
        kind: rule.kind.as_str(),
        text: rule.text.clone(),
        source: rule.source.clone(),
    }
}

/// Decides one document whose facts have been decoded against `prog`'s schema.
pub fn decide(prog: &Program, facts: &Value, document: String) -> R<Decision> {
    let mut cx = Ctx::new(facts, &prog.lets);
    let mut reasons = Vec::new();
    let mut missing = Vec::new();
    let mut payout = Decimal::ZERO;

    let outcome = 'outcome: {
        for kind in [RuleKind::Exclusion, RuleKind::Referral] {
            for rule in prog.rules_of(kind) {
                if applies(&mut cx, rule)? {
                    reasons.push(reason(rule));
                }
            }
            if !reasons.is_empty() {
                break 'outcome if kind == RuleKind::Exclusion {
                    Outcome::Denied
                } else {
                    Outcome::Referred
                };
            }
        }
        for rule in prog.rules_of(RuleKind::Evidence) {
            if let Action::Requires(alts) = &rule.action {
                if applies(&mut cx, rule)? && !satisfied(&mut cx, prog, rule, alts)? {
                    missing.push(Missing {
                        requirement: rule.name.clone(),
                        any_of: alts.iter().map(alt_name).collect(),
                    });
                    reasons.push(reason(rule));
                }
            }
        }
        if !missing.is_empty() {
            break 'outcome Outcome::Incomplete;
        }
        if let Some((rule, pays)) = first_coverage(&mut cx, prog)? {
            payout = in_rule(rule, cx.number(pays))?;
            reasons.push(reason(rule));
            payout = compensate(&mut cx, prog, payout, &mut reasons)?;
            break 'outcome Outcome::Approved;
        }
        if let Some(rule) = prog.rules_of(RuleKind::Fallback).next() {
            reasons.push(reason(rule));
        }
        Outcome::Denied
    };

    cx.decision = Some(outcome.index());
    let deadlines = deadlines(&mut cx, prog)?;
    let meta = &prog.meta;
    Ok(Decision {
        document,
        policy: PolicyId {
            name: meta.name.clone(),
            version: meta.version.clone(),
            sha256: meta.sha256.clone(),
        },
        decision: outcome,
        payout: Some(Amount {
            amount: if outcome == Outcome::Approved {
                payout
            } else {
                Decimal::ZERO
            },
            currency: meta.currency.clone(),
        }),
        refund: None,
        missing_evidence: missing,
        reasons,
        deadlines,
    })
}

fn applies<'a>(cx: &mut Ctx<'a>, rule: &'a CompiledRule) -> R<bool> {
    match &rule.when {
        None => Ok(true),
        Some(w) => in_rule(rule, cx.truth(w)),
    }
}

fn first_coverage<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
) -> R<Option<(&'a CompiledRule, &'a crate::ir::Ex)>> {
    for rule in prog.rules_of(RuleKind::Coverage) {
        if let Action::Pays(pays) = &rule.action {
            if applies(cx, rule)? {
                return Ok(Some((rule, pays)));
            }
        }
    }
    Ok(None)
}

fn compensate<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    mut amount: Decimal,
    reasons: &mut Vec<Reason>,
) -> R<Decimal> {
    for rule in prog.rules_of(RuleKind::Compensation) {
        if !applies(cx, rule)? {
            continue;
        }
        let changed = match &rule.action {
            Action::Reduce(e) => {
                let by = in_rule(rule, cx.number(e))?;
                let overflow = EvalError {
                    message: "arithmetic overflow".into(),
                    span: None,
                };
                amount = in_rule(rule, amount.checked_sub(by).ok_or(overflow))?;
                !by.is_zero()
            }
            Action::Cap(e) => {
                let cap = in_rule(rule, cx.number(e))?;
                let bites = amount > cap;
                amount = amount.min(cap);
                bites
            }
            Action::Floor(e) => {
                let floor = in_rule(rule, cx.number(e))?;
                let lifts = amount < floor;
                amount = amount.max(floor);
                lifts
            }
            _ => false,
        };
        if changed {
            reasons.push(reason(rule));
        }
    }
    let amount = round_money(amount);
    if amount.is_sign_negative() && !amount.is_zero() {
        let error = EvalError {
            message: format!("payout is negative ({amount}); add a compensation rule `floor at 0`"),
            span: None,
        };
        return Err(RuleFailure { rule: None, error });
    }
    Ok(amount)
}

fn satisfied<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    rule: &'a CompiledRule,
    alts: &'a [Alt],
) -> R<bool> {
    let Some(source) = &prog.evidence else {
        return Ok(false);
    };
    let items: &'a [Value] = match in_rule(rule, cx.path(&source.list))? {
        Value::List(items) => items,
        _ => &[],
    };
    for alt in alts {
        match alt {
            Alt::Kind {
                value, condition, ..
            } => {
                for item in items {
                    let Value::Record(fields) = item else {
                        continue;
                    };
                    if fields.get(source.kind_field) != Some(value) {
                        continue;
                    }
                    let ok = match condition {
                        None => true,
                        Some(c) => {
                            matches!(in_rule(rule, cx.with_item(item, c))?, Value::Bool(true))
                        }
                    };
                    if ok {
                        return Ok(true);
                    }
                }
            }
            Alt::Facts { paths } => {
                let mut all = true;
                for (_, ex) in paths {
                    all &= !in_rule(rule, cx.path(ex))?.is_absent();
                }
                if all {
                    return Ok(true);
                }
            }
        }
    }
    Ok(false)
}

fn alt_name(alt: &Alt) -> Arc<str> {
    match alt {
        Alt::Kind { kind, .. } => kind.as_str().into(),
        Alt::Facts { paths } => paths
            .iter()
            .map(|(p, _)| p.as_str())
            .collect::<Vec<_>>()
            .join(" + ")
            .into(),
    }
}

fn deadlines<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Deadlines> {
    let mut out = Vec::new();
    for rule in prog.rules_of(RuleKind::Deadline) {
        let value = match (&rule.action, applies(cx, rule)?) {
            (Action::By(e), true) => match in_rule(rule, cx.eval(e))? {
                Value::Date(d) => Some(format_date(d)),
                Value::DateTime(t) => Some(format_instant(t)),
                _ => None,
            },
            _ => None,
        };
        out.push((rule.name.clone(), value));
    }
    Ok(Deadlines(out))
}

/// `2025-07-14`, as chrono's `%Y-%m-%d` writes it, without the formatting machinery.
fn format_date(d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut out = String::with_capacity(20);
    push_date(&mut out, d.year().unsigned_abs(), d.month(), d.day());
    out
}

/// `2025-07-11T09:30:00Z`, as chrono's `%Y-%m-%dT%H:%M:%SZ` writes it.
fn format_instant(t: DateTime<Utc>) -> String {
    if !(0..=9999).contains(&t.year()) || t.nanosecond() >= 1_000_000_000 {
        return t.format("%Y-%m-%dT%H:%M:%SZ").to_string();
    }
    let mut out = String::with_capacity(20);
    push_date(&mut out, t.year().unsigned_abs(), t.month(), t.day());
    out.push('T');
    push_digits(&mut out, t.hour(), 2);
    out.push(':');
    push_digits(&mut out, t.minute(), 2);
    out.push(':');
    push_digits(&mut out, t.second(), 2);
    out.push('Z');
    out
}

fn push_date(out: &mut String, year: u32, month: u32, day: u32) {
    push_digits(out, year, 4);
    out.push('-');
    push_digits(out, month, 2);
    out.push('-');
    push_digits(out, day, 2);
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}
