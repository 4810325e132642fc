//! Outcome semantics: how the rules of a policy decide a claim or a cancellation.
//!
//! A document is a **cancellation** when the policy declares a `cancellation` fact and the
//! document has it; otherwise it is a **claim**. Rules for claims may read `claim` as
//! present, rules for cancellations `cancellation`.
//!
//! A claim:
//! 1. Any exclusion whose condition holds denies it; every such exclusion is a reason.
//! 2. Otherwise any referral whose condition holds refers it to a person.
//! 3. Otherwise every evidence requirement that applies and is not met is listed in
//!    `missing_evidence`, and the claim is `incomplete`.
//! 4. Otherwise the first coverage rule (in file order) whose condition holds approves,
//!    paying its amount; compensation rules then adjust it in file order, and each one
//!    that changes the amount is a reason.
//! 5. Otherwise the first fallback rule that applies denies it.
//!
//! Supporting evidence that applies and is missing is listed in `recommended_evidence`
//! but never blocks; the first priority rule that applies is reported as `priority`.
//!
//! A cancellation: any refusal denies it (refund 0); otherwise the first refund rule that
//! applies gives the base refund and the deduction rules adjust it in file order, each
//! applicable step listed in the refund's breakdown; otherwise the fallback denies it.
//!
//! Every computed amount (a base amount and each adjustment) is rounded to the cent, half
//! away from zero, as it is computed. An amount below zero after the adjustments is an
//! error: the policy must say what happens (`floor at 0`). Deadlines are computed last,
//! with the outcome readable as `decision`; notes are reported whenever they apply; a
//! denied decision names the first appeal rule that applies.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::ast::RuleKind;
use crate::check::{Action, Alt};
use crate::compile::{CompiledRule, Program};
use crate::decision::{
    Amount, Deadlines, Decision, Missing, Outcome, PolicyId, Reason, Refund, Step,
};
use crate::eval::{round_money, Ctx, EvalError};
use crate::types::Base;
use crate::value::{display, Value};

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

fn fail<T>(message: String) -> R<T> {
    Err(RuleFailure {
        rule: None,
        error: EvalError {
            message,
            span: None,
        },
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

/// What the rules found, before it is assembled into a [`Decision`].
struct Found {
    outcome: Outcome,
    amount: Decimal,
    reasons: Vec<Reason>,
    missing: Vec<Missing>,
    steps: Vec<Step>,
}

/// Decides one document whose facts have been decoded against `prog`'s schema.
pub fn decide(prog: &Program, facts: &Value, document: String) -> R<Decision> {
    let mut cx = Ctx::new(facts, &prog.lets).with_functions(&prog.tables, &prog.hooks);
    let cancellation = is_cancellation(prog, facts)?;
    let found = if cancellation {
        cancel(&mut cx, prog)?
    } else {
        claim(&mut cx, prog)?
    };
    cx.decision = Some(found.outcome.index());
    let (recommended, priority, deadlines) = if cancellation {
        (Vec::new(), None, Deadlines::default())
    } else {
        (
            recommended(&mut cx, prog)?,
            first(&mut cx, prog, RuleKind::Priority)?.map(reason),
            deadlines(&mut cx, prog)?,
        )
    };
    let appeal = match found.outcome {
        Outcome::Denied => first(&mut cx, prog, RuleKind::Appeal)?.map(reason),
        _ => None,
    };
    let notes = notes(&mut cx, prog)?;
    let meta = &prog.meta;
    let paid = if found.outcome == Outcome::Approved {
        found.amount
    } else {
        Decimal::ZERO
    };
    let (payout, refund) = if cancellation {
        (
            None,
            Some(Refund {
                amount: paid,
                currency: meta.currency.clone(),
                breakdown: found.steps,
            }),
        )
    } else {
        (
            Some(Amount {
                amount: paid,
                currency: meta.currency.clone(),
            }),
            None,
        )
    };
    Ok(Decision {
        document,
        policy: PolicyId {
            name: meta.name.clone(),
            version: meta.version.clone(),
            sha256: meta.sha256.clone(),
            in_force_on: None,
            date_from: None,
        },
        decision: found.outcome,
        payout,
        refund,
        missing_evidence: found.missing,
        recommended_evidence: recommended,
        reasons: found.reasons,
        deadlines,
        priority,
        appeal,
        notes,
    })
}

/// Whether the document is a cancellation: it has a `cancellation` (when the policy
/// declares one). A document with both a `claim` and a `cancellation`, or (when the policy
/// declares a `claim`) with neither, is an error.
fn is_cancellation(prog: &Program, facts: &Value) -> R<bool> {
    let present = |field: Option<usize>| {
        let Value::Record(fields) = facts else {
            return None;
        };
        Some(fields.get(field?).is_some_and(|v| !v.is_absent()))
    };
    match (present(prog.claim_field), present(prog.cancellation_field)) {
        (Some(true), Some(true)) => {
            fail("the document has both `claim` and `cancellation`; send each on its own".into())
        }
        (_, Some(true)) => Ok(true),
        (Some(false), _) => fail("the document has neither `claim` nor `cancellation`".into()),
        _ => Ok(false),
    }
}

impl Found {
    fn new() -> Self {
        Found {
            outcome: Outcome::Denied,
            amount: Decimal::ZERO,
            reasons: Vec::new(),
            missing: Vec::new(),
            steps: Vec::new(),
        }
    }

    /// Ends with `outcome` when any rule of `kind` applies; every such rule is a reason.
    fn any<'a>(
        &mut self,
        cx: &mut Ctx<'a>,
        prog: &'a Program,
        kind: RuleKind,
        outcome: Outcome,
    ) -> R<bool> {
        for rule in prog.rules_of(kind) {
            if applies(cx, rule)? {
                self.reasons.push(reason(rule));
            }
        }
        if self.reasons.is_empty() {
            return Ok(false);
        }
        self.outcome = outcome;
        Ok(true)
    }

    /// Approves with the first `grant` rule that applies, its amount adjusted by the
    /// `adjust` rules; otherwise denies with the first fallback that applies.
    fn grant<'a>(
        &mut self,
        cx: &mut Ctx<'a>,
        prog: &'a Program,
        grant: RuleKind,
        adjust_by: RuleKind,
    ) -> R<()> {
        if let Some(rule) = first(cx, prog, grant)? {
            if let Action::Pays(pays) = &rule.action {
                self.amount = round_money(in_rule(rule, cx.number(pays))?);
                self.reasons.push(reason(rule));
                self.steps.push(step(rule, self.amount));
                self.amount = adjust(
                    cx,
                    prog,
                    adjust_by,
                    self.amount,
                    &mut self.reasons,
                    &mut self.steps,
                )?;
                self.outcome = Outcome::Approved;
                return Ok(());
            }
        }
        self.reasons
            .extend(first(cx, prog, RuleKind::Fallback)?.map(reason));
        Ok(())
    }
}

fn claim<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Found> {
    let mut f = Found::new();
    if f.any(cx, prog, RuleKind::Exclusion, Outcome::Denied)?
        || f.any(cx, prog, RuleKind::Referral, Outcome::Referred)?
    {
        return Ok(f);
    }
    f.missing = unmet(cx, prog, RuleKind::Evidence, Some(&mut f.reasons))?;
    if !f.missing.is_empty() {
        f.outcome = Outcome::Incomplete;
        return Ok(f);
    }
    f.grant(cx, prog, RuleKind::Coverage, RuleKind::Compensation)?;
    Ok(f)
}

fn cancel<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Found> {
    let mut f = Found::new();
    if !f.any(cx, prog, RuleKind::Refusal, Outcome::Denied)? {
        f.grant(cx, prog, RuleKind::Refund, RuleKind::Deduction)?;
    }
    Ok(f)
}

fn step(rule: &CompiledRule, amount: Decimal) -> Step {
    Step {
        rule: rule.name.clone(),
        kind: rule.kind.as_str(),
        amount,
        text: rule.text.clone(),
        source: rule.source.clone(),
    }
}

fn applies<'a>(cx: &mut Ctx<'a>, rule: &'a CompiledRule) -> R<bool> {
    match &rule.when {
        None => Ok(true),
        Some(w) => in_rule(rule, cx.truth(w)),
    }
}

/// The first rule of a kind, in file order, whose condition holds.
fn first<'a>(cx: &mut Ctx<'a>, prog: &'a Program, kind: RuleKind) -> R<Option<&'a CompiledRule>> {
    for rule in prog.rules_of(kind) {
        if applies(cx, rule)? {
            return Ok(Some(rule));
        }
    }
    Ok(None)
}

/// Applies compensation (claims) or deduction (cancellations) rules in file order. Every
/// applicable step is recorded in `steps`; a step that changes the amount is a reason.
fn adjust<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    kind: RuleKind,
    mut amount: Decimal,
    reasons: &mut Vec<Reason>,
    steps: &mut Vec<Step>,
) -> R<Decimal> {
    let overflow = || EvalError {
        message: "arithmetic overflow".into(),
        span: None,
    };
    for rule in prog.rules_of(kind) {
        if !applies(cx, rule)? {
            continue;
        }
        let target = match &rule.action {
            Action::Reduce(e) => {
                let by = round_money(in_rule(rule, cx.number(e))?);
                in_rule(rule, amount.checked_sub(by).ok_or_else(overflow))?
            }
            Action::Cap(e) => amount.min(round_money(in_rule(rule, cx.number(e))?)),
            Action::Floor(e) => amount.max(round_money(in_rule(rule, cx.number(e))?)),
            _ => amount,
        };
        let change = in_rule(rule, target.checked_sub(amount).ok_or_else(overflow))?;
        let is_reduction = matches!(rule.action, Action::Reduce(_));
        if is_reduction || !change.is_zero() {
            steps.push(step(rule, change));
        }
        if !change.is_zero() {
            reasons.push(reason(rule));
        }
        amount = target;
    }
    if amount.is_sign_negative() && !amount.is_zero() {
        return fail(format!(
            "the amount is negative ({amount}); add a {} rule `floor at 0`",
            kind.as_str()
        ));
    }
    Ok(amount)
}

/// Requirements of `kind` that apply and are not met; their rules are added to `reasons`.
fn unmet<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    kind: RuleKind,
    mut reasons: Option<&mut Vec<Reason>>,
) -> R<Vec<Missing>> {
    let mut missing = Vec::new();
    for rule in prog.rules_of(kind) {
        if let Action::Requires(alts) = &rule.action {
            if applies(cx, rule)? && !satisfied(cx, prog, rule, alts)? {
                missing.push(Missing {
                    requirement: rule.name.clone(),
                    any_of: alts.iter().map(alt_name).collect(),
                });
                if let Some(r) = reasons.as_deref_mut() {
                    r.push(reason(rule));
                }
            }
        }
    }
    Ok(missing)
}

fn recommended<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Vec<Missing>> {
    unmet(cx, prog, RuleKind::Supporting, None)
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
                    // An empty list states nothing, as an absent one does.
                    all &= match in_rule(rule, cx.path(ex))? {
                        Value::Absent => false,
                        Value::List(items) => !items.is_empty(),
                        _ => true,
                    };
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
            (Action::By(e), true) => Some(display(
                &in_rule(rule, cx.eval(e))?,
                &Base::Date,
                &prog.schema,
            )),
            _ => None,
        };
        out.push((rule.name.clone(), value));
    }
    Ok(Deadlines(out))
}

fn notes<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Deadlines> {
    let mut out = Vec::new();
    for rule in prog.rules_of(RuleKind::Note) {
        if let Action::Shows(e, base) = &rule.action {
            if applies(cx, rule)? {
                out.push((
                    rule.name.clone(),
                    Some(display(&in_rule(rule, cx.eval(e))?, base, &prog.schema)),
                ));
            }
        }
    }
    Ok(Deadlines(out))
}
