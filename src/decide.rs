//! Outcome semantics: how the rules of a policy decide a claim or a cancellation.
//!
//! A document is a **cancellation** when the policy declares a `cancellation` fact and the
//! document has it; otherwise it is a **claim**. Rules for claims may read `claim` as
//! present, rules for cancellations `cancellation`.
//!
//! First, the currency: a policy pays in the currency its header names (or in any of those
//! it lists, or in any the document states), and reads the document's currency from the
//! fact its header names (`currency USD, EUR from order.currency`). Every amount is then in
//! the document's currency: a per-currency constant (`{ USD: 5, EUR: 5 }`) reads as its
//! amount in it. A document in another currency (or that states none) is `referred` before
//! any rule is read, so that no computation ever mixes two currencies; so is a document
//! with a money fact that holds a fraction of a cent (`1999.995`), which no whole-cent payout or refund
//! could match, and a document that carries an earlier decision paid or refunded in
//! another currency (see [`crate::gate`]).
//!
//! A claim:
//! 1. Any exclusion whose condition holds denies it; every such exclusion is a reason.
//! 2. Otherwise any referral whose condition holds refers it to a person.
//! 3. Otherwise, when evidence requirements apply and are not met, the claim is
//!    `incomplete` (listing them in `missing_evidence`) only if it could still be covered:
//!    some coverage rule's condition holds, or depends on a fact a requirement asks for
//!    (`requires facts(...)`) and the document does not state. Evidence is never asked of
//!    a claim that no evidence could make covered: that claim goes on to step 5.
//! 4. Otherwise the first coverage rule (in file order) whose condition holds approves,
//!    paying its amount; compensation rules then adjust it in file order, and each one
//!    that changes the amount is a reason.
//! 5. Otherwise the first fallback rule that applies denies it, and `not_met` names the
//!    covered scenarios the claim came closest to (those whose first condition holds),
//!    each with the first of its conditions that did not.
//!
//! Supporting evidence that applies and is missing is listed in `recommended_evidence`
//! but never blocks; the first priority rule that applies is reported as `priority`.
//!
//! A cancellation: any refusal denies it (refund 0); otherwise the first refund rule that
//! applies gives the base refund and the deduction rules adjust it in file order, each
//! applicable step listed in the refund's breakdown; otherwise the fallback denies it.
//!
//! Every computed amount (a base amount and each adjustment) is rounded to the cent, half
//! away from zero, as it is computed. Deadlines are computed last, with the outcome
//! readable as `decision`; notes, which may read it too, are reported whenever they apply;
//! a denied decision names the first appeal rule that applies.
//!
//! A rule that cannot be computed for the document (division by zero, overflow, a hook
//! failure, or an amount left below zero with no rule saying what then) never approves or
//! denies: the document is `referred` to a person, and the reason names that rule, the
//! failure and where in the policy it happened. Referral reasons found before the failure
//! are kept; no other outcome, amount or evidence list survives it.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::ast::RuleKind;
use crate::check::{Action, Alt};
use crate::compile::{CompiledRule, Program};
use crate::decision::{
    Awaiting, Component, Deadlines, Decision, Failure, Missing, NotMet, Outcome, Payout, PolicyId,
    Reason, Refund, Step,
};
use crate::eval::{Ctx, EvalError};
use crate::gate;
use crate::trace::{self, Recorder, Stage, Trace};
use crate::types::Base;
use crate::value::{display, Value};

/// An evaluation failure and the rule it happened in.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleFailure {
    pub rule: Option<Arc<str>>,
    pub error: EvalError,
    /// The rule's reason, to cite when the failure refers the document.
    reason: Option<Box<Reason>>,
}

type R<T> = Result<T, RuleFailure>;

fn in_rule<T>(rule: &CompiledRule, r: Result<T, EvalError>) -> R<T> {
    match r {
        Ok(v) => Ok(v),
        Err(error) => Err(failed_in(rule, error)),
    }
}

/// `error`, as a failure of `rule`: out of line, so that [`in_rule`] stays a test of the
/// result where nothing failed.
#[cold]
#[inline(never)]
fn failed_in(rule: &CompiledRule, error: EvalError) -> RuleFailure {
    RuleFailure {
        rule: Some(rule.name.clone()),
        error,
        reason: Some(Box::new(reason(rule))),
    }
}

fn fail<T>(message: String) -> R<T> {
    Err(RuleFailure {
        rule: None,
        error: EvalError::bare(message),
        reason: None,
    })
}

fn reason(rule: &CompiledRule) -> Reason {
    Reason {
        rule: rule.name.clone(),
        kind: rule.kind.as_str().into(),
        text: rule.text.clone(),
        source: rule.source.clone(),
        eligible_from: None,
        failure: None,
    }
}

/// What the rules found, before it is assembled into a [`Decision`].
struct Found {
    outcome: Outcome,
    amount: Decimal,
    /// The payout's components, by [`Program::components`] index (empty when the policy
    /// names none, or nothing was approved).
    parts: Vec<Decimal>,
    reasons: Vec<Reason>,
    missing: Vec<Missing>,
    steps: Vec<Step>,
    not_met: Vec<NotMet>,
    /// Whether a rule failed, so the outcome is `referred` whatever else was found.
    failed: bool,
    /// When every exclusion (or referral) that decided has an `eligible from`: the latest.
    eligible_from: Option<Arc<str>>,
    /// The assessed inputs the rules read so far need, and the rules that need them.
    waiting: Waiting,
}

/// Assessed inputs that rules need and the document does not give (see
/// [`crate::eval::EvalError::awaiting`]), and those rules.
#[derive(Default)]
struct Waiting {
    /// Indices into the program's assessed inputs, each once, in the order needed.
    inputs: Vec<usize>,
    /// Each rule that needs one, once, with a `failure` naming what it waits for.
    reasons: Vec<Reason>,
    /// The inputs each of `reasons` waits for.
    of_rule: Vec<Vec<usize>>,
}

impl Waiting {
    fn is_empty(&self) -> bool {
        self.inputs.is_empty()
    }

    fn clear(&mut self) {
        self.inputs.clear();
        self.reasons.clear();
        self.of_rule.clear();
    }

    /// The reasons, leaving none.
    fn take_reasons(&mut self) -> Vec<Reason> {
        self.of_rule.clear();
        std::mem::take(&mut self.reasons)
    }

    /// `rule` cannot be decided without `inputs` (indices, repeats allowed).
    fn add(&mut self, prog: &Program, rule: &CompiledRule, inputs: Vec<usize>) {
        if inputs.is_empty() {
            return;
        }
        for &i in &inputs {
            if !self.inputs.contains(&i) {
                self.inputs.push(i);
            }
        }
        // The same rule again (its amount after its condition): one reason, every input.
        let at = match self.reasons.iter().position(|r| r.rule == rule.name) {
            Some(at) => at,
            None => {
                self.reasons.push(reason(rule));
                self.of_rule.push(Vec::new());
                self.reasons.len() - 1
            }
        };
        let Some(mine) = self.of_rule.get_mut(at) else {
            return;
        };
        for i in inputs {
            if !mine.contains(&i) {
                mine.push(i);
            }
        }
        let names: Vec<String> = mine
            .iter()
            .filter_map(|&i| prog.assessed.get(i))
            .map(|a| format!("`{}`", a.name))
            .collect();
        let message = match names.as_slice() {
            [one] => format!("waits for the assessed input {one}"),
            _ => format!("waits for the assessed inputs {}", names.join(", ")),
        };
        let source = read_at(prog, rule, mine);
        if let Some(r) = self.reasons.get_mut(at) {
            r.failure = Some(Failure { message, source });
        }
    }
}

/// Where `rule` reads the first of the assessed `inputs` it names directly (in its
/// condition, then its amount), as `file:line:col`; `None` when it reads them only through
/// a `let`.
fn read_at(prog: &Program, rule: &CompiledRule, inputs: &[usize]) -> Option<Arc<str>> {
    fn in_cond(c: &trace::Cond, path: &[usize]) -> Option<Arc<str>> {
        match &c.node {
            trace::Node::Junction(a, b) => in_cond(a, path).or_else(|| in_cond(b, path)),
            trace::Node::Leaf(reads) => in_reads(reads, path),
        }
    }
    fn in_reads(reads: &[trace::ReadAt], path: &[usize]) -> Option<Arc<str>> {
        reads.iter().find_map(|r| match &r.of {
            trace::Of::Fact(crate::ir::Ex::Fact(p), _) if **p == *path => Some(r.source.clone()),
            _ => None,
        })
    }
    inputs.iter().find_map(|&i| {
        let path = &prog.assessed.get(i)?.path;
        let map = &rule.explain;
        map.condition
            .as_ref()
            .and_then(|c| in_cond(c, path))
            .or_else(|| in_reads(&map.action, path))
    })
}

/// The input `e` carries, if any, then those awaited since `mark`.
fn awaited_since(cx: &mut Ctx<'_>, mark: usize, e: Option<&EvalError>) -> Vec<usize> {
    // The error's input is read first; those noted meanwhile are operands after it.
    let mut out: Vec<usize> = e.and_then(|e| e.awaiting).into_iter().collect();
    out.extend(cx.awaited.drain(mark.min(cx.awaited.len())..));
    out
}

/// Decides one document whose facts have been decoded against `prog`'s schema.
///
/// Fails only when the document is not a claim or a cancellation of this policy; a rule
/// that cannot be computed refers the document instead (see the module's semantics).
pub fn decide(prog: &Program, facts: &Value, document: String) -> R<Decision> {
    decide_with(prog, facts, document, None).map(|(d, _)| d)
}

/// Decides as [`decide`] does, and says how: every rule considered (see [`crate::Trace`]).
pub fn decide_traced(prog: &Program, facts: &Value, document: String) -> R<(Decision, Trace)> {
    let (d, rec) = decide_with(prog, facts, document, Some(Recorder::new(prog)))?;
    let trace = rec.map_or_else(|| Recorder::new(prog).trace, |r| r.trace);
    Ok((d, trace))
}

fn decide_with<'a>(
    prog: &'a Program,
    facts: &'a Value,
    document: String,
    recorder: Option<Box<Recorder<'a>>>,
) -> R<(Decision, Option<Box<Recorder<'a>>>)> {
    let cancellation = is_cancellation(prog, facts)?;
    let mut cx = Ctx::new(facts, &prog.lets)
        .with_functions(&prog.tables, &prog.hooks)
        .with_assessed(&prog.assessed);
    cx.trace = recorder;
    let (currency, referral) = gate::currency(prog, facts);
    cx.currency = Some(currency.clone());
    let referral = referral
        .or_else(|| gate::earlier_currency(prog, facts, &currency))
        .or_else(|| gate::cents(prog, facts, &currency));
    let mut found = match referral {
        Some(reason) => Found::referred(reason),
        None => {
            let found = if cancellation {
                cancel(&mut cx, prog)
            } else {
                claim(&mut cx, prog)
            };
            found.unwrap_or_else(|f| Found::new().failure(prog, f))
        }
    };
    let mut after = After::default();
    trace::stage(&mut cx, Stage::Report);
    // A failure while reporting (deadlines, notes, priority) refers the document, and the
    // report is then made again for the outcome `referred`, skipping what fails.
    for attempt in 0..2 {
        cx.decision = Some(found.outcome.index());
        cx.paid = final_amounts(prog, &found, cancellation);
        match after_outcome(&mut cx, prog, &found, cancellation, attempt > 0) {
            Ok(a) => {
                after = a;
                break;
            }
            Err(f) => found = found.failure(prog, f),
        }
    }
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
                currency: currency.clone(),
                breakdown: found.steps,
            }),
        )
    } else {
        (
            Some(Payout {
                amount: paid,
                currency: currency.clone(),
                components: prog
                    .components
                    .iter()
                    .enumerate()
                    .map(|(k, name)| Component {
                        name: name.clone(),
                        amount: match found.outcome {
                            Outcome::Approved => found.parts.get(k).copied().unwrap_or_default(),
                            _ => Decimal::ZERO,
                        },
                    })
                    .collect(),
                breakdown: found.steps,
            }),
            None,
        )
    };
    let decision = Decision {
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
        recommended_evidence: after.recommended,
        awaiting: found
            .waiting
            .inputs
            .iter()
            .filter_map(|&i| prog.assessed.get(i))
            .map(|a| Awaiting {
                input: a.name.clone(),
                source: a.source.clone(),
            })
            .collect(),
        reasons: found.reasons,
        eligible_from: found.eligible_from,
        deadlines: after.deadlines,
        priority: after.priority,
        appeal: after.appeal,
        notes: after.notes,
        not_met: found.not_met,
        input: None,
    };
    Ok((decision, cx.trace))
}

/// The final amounts deadlines and notes read, by [`crate::ir::Ex::Paid`] slot: the
/// payout, the refund, then the payout's components; all `0.00` unless approved.
fn final_amounts(prog: &Program, found: &Found, cancellation: bool) -> Vec<Decimal> {
    let approved = found.outcome == Outcome::Approved;
    let total = |wanted: bool| {
        if approved && wanted {
            found.amount
        } else {
            Decimal::ZERO
        }
    };
    let mut out = vec![total(!cancellation), total(cancellation)];
    out.extend((0..prog.components.len()).map(|k| match approved {
        true => found.parts.get(k).copied().unwrap_or_default(),
        false => Decimal::ZERO,
    }));
    out
}

/// What is reported alongside the outcome.
#[derive(Default)]
struct After {
    recommended: Vec<Missing>,
    priority: Option<Reason>,
    deadlines: Deadlines,
    appeal: Option<Reason>,
    notes: Deadlines,
}

/// Reports alongside the outcome; with `lenient`, an item that fails is left out.
fn after_outcome<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    found: &Found,
    cancellation: bool,
    lenient: bool,
) -> R<After> {
    let mut a = After::default();
    if !cancellation {
        a.recommended = keep(unmet(cx, prog, RuleKind::Supporting, None), lenient)?;
        a.priority = keep(first(cx, prog, RuleKind::Priority), lenient)?.map(reason);
        a.deadlines = deadlines(cx, prog, lenient)?;
    }
    if found.outcome == Outcome::Denied {
        a.appeal = keep(first(cx, prog, RuleKind::Appeal), lenient)?.map(reason);
    }
    a.notes = notes(cx, prog, lenient)?;
    Ok(a)
}

/// `r`, or with `lenient` the empty value in place of a failure; a report that waits for
/// an assessed input is left out (it never changes the outcome).
fn keep<T: Default>(r: R<T>, lenient: bool) -> R<T> {
    match r {
        Err(_) if lenient => Ok(T::default()),
        Err(f) if f.error.awaiting.is_some() => Ok(T::default()),
        r => r,
    }
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
            parts: Vec::new(),
            reasons: Vec::new(),
            missing: Vec::new(),
            steps: Vec::new(),
            not_met: Vec::new(),
            failed: false,
            eligible_from: None,
            waiting: Waiting::default(),
        }
    }

    /// Referred before any rule is read, for this reason.
    fn referred(reason: Reason) -> Self {
        let mut found = Found::new();
        found.outcome = Outcome::Referred;
        found.reasons.push(reason);
        found
    }

    /// A rule could not be computed: the document is referred, citing it. Referral
    /// reasons already found are kept; nothing else is.
    fn failure(mut self, prog: &Program, f: RuleFailure) -> Self {
        if let Some(i) = f.error.awaiting {
            // A rule read outside the steps that wait for inputs (a fallback's condition,
            // an evidence rule's): it waits all the same.
            let rule = f
                .rule
                .as_ref()
                .and_then(|name| prog.rules.iter().find(|r| r.name == *name));
            if let Some(rule) = rule {
                self.waiting.add(prog, rule, vec![i]);
                return self.wait();
            }
        }
        if self.outcome != Outcome::Referred || self.failed {
            self.reasons.retain(|r| r.failure.is_some());
        }
        let waiting = self.waiting.take_reasons();
        self.reasons.extend(waiting);
        let source = f
            .error
            .span
            .map(|span| prog.meta.file.location(span).into());
        let failure = Failure {
            message: f.error.into_message(),
            source,
        };
        let mut r = f.reason.map_or_else(
            || Reason {
                rule: "evaluation".into(),
                kind: "evaluation".into(),
                text: "The document could not be decided automatically.".into(),
                source: prog.meta.file.name.clone(),
                eligible_from: None,
                failure: None,
            },
            |r| *r,
        );
        r.failure = Some(failure);
        self.reasons.push(r);
        self.outcome = Outcome::Referred;
        self.amount = Decimal::ZERO;
        self.parts.clear();
        self.missing.clear();
        self.steps.clear();
        self.not_met.clear();
        self.failed = true;
        self.eligible_from = None;
        self
    }

    /// Referred until the assessed inputs waited for are given: the rules that wait for
    /// them are the reasons (after any that failed), and nothing else found is kept.
    fn wait(mut self) -> Self {
        if !self.failed {
            self.reasons.clear();
        }
        let waiting = self.waiting.take_reasons();
        self.reasons.extend(waiting);
        self.outcome = Outcome::Referred;
        self.amount = Decimal::ZERO;
        self.parts.clear();
        self.eligible_from = None;
        self.missing.clear();
        self.steps.clear();
        self.not_met.clear();
        self
    }

    /// Ends with `outcome` when any rule of `kind` applies; every such rule is a reason,
    /// with its own `eligible from` when it has one. When every one has, the latest of
    /// them is the decision's `eligible_from`. A rule that waits for an assessed input does not apply yet (see [`holds`]);
    /// when one that does not wait applies, nothing is waited for.
    fn any<'a>(
        &mut self,
        cx: &mut Ctx<'a>,
        prog: &'a Program,
        kind: RuleKind,
        outcome: Outcome,
    ) -> R<bool> {
        let mut latest = Some(Latest::default());
        for rule in prog.rules_of(kind) {
            if holds(cx, prog, rule, &mut self.waiting)? == Some(true) {
                let mut r = reason(rule);
                match &rule.action {
                    Action::EligibleFrom(e) => {
                        let v = in_rule(rule, eligible(cx, e)).inspect_err(|f| {
                            trace::failed(cx, rule, &f.error);
                        })?;
                        match (v, latest.as_mut()) {
                            (None, _) => latest = None,
                            (Some(v), l) => {
                                r.eligible_from =
                                    Some(display(&v, &Base::Date, &prog.schema).into());
                                if let Some(l) = l {
                                    l.add(&v);
                                }
                            }
                        }
                    }
                    _ => latest = None,
                }
                self.reasons.push(r);
            }
        }
        if self.reasons.is_empty() {
            return Ok(false);
        }
        self.outcome = outcome;
        self.eligible_from = latest.and_then(Latest::shown);
        self.waiting.clear();
        Ok(true)
    }

    /// Approves with the first `grant` rule that applies, its amount adjusted by the
    /// `adjust` rules; otherwise denies with the first fallback that applies.
    ///
    /// A `grant` rule that waits for an assessed input may be the one that applies: the
    /// later ones are read on (each noting what it waits for) up to the first that
    /// applies, whose amount and adjustments are read too; the document is then referred,
    /// waiting for them all. So it is whenever something waits and a `grant` rule applies
    /// or may apply; when none may, the fallback denies whatever the inputs would be.
    fn grant<'a>(
        &mut self,
        cx: &mut Ctx<'a>,
        prog: &'a Program,
        grant: RuleKind,
        adjust_by: RuleKind,
    ) -> R<()> {
        let mut chosen = None;
        let mut may_apply = false;
        for rule in prog.rules_of(grant) {
            match holds(cx, prog, rule, &mut self.waiting)? {
                Some(true) => {
                    chosen = Some(rule);
                    break;
                }
                Some(false) => {}
                None => may_apply = true,
            }
        }
        if chosen.is_none() && !may_apply {
            // No input could make the claim covered: what waited does not matter.
            self.waiting.clear();
        }
        if !self.waiting.is_empty() {
            if let Some(rule) = chosen {
                self.collect(cx, prog, rule, adjust_by)?;
            }
            *self = std::mem::replace(self, Found::new()).wait();
            return Ok(());
        }
        if let Some(rule) = chosen {
            if let Action::Pays(pays) = &rule.action {
                let mark = cx.awaited.len();
                let paid = match cx.amount(pays) {
                    Ok(a) => a,
                    Err(e) if e.awaiting.is_some() => {
                        trace::failed(cx, rule, &e);
                        let inputs = awaited_since(cx, mark, Some(&e));
                        self.waiting.add(prog, rule, inputs);
                        collect_adjustments(cx, prog, adjust_by, &mut self.waiting)?;
                        *self = std::mem::replace(self, Found::new()).wait();
                        return Ok(());
                    }
                    Err(e) => {
                        trace::failed(cx, rule, &e);
                        return in_rule(rule, Err(e));
                    }
                };
                trace::amount(cx, rule, "pays", paid, (None, paid));
                self.reasons.push(reason(rule));
                self.steps.push(step(prog, rule, paid, rule.component));
                // One amount per component (one in all when the policy names none); the
                // coverage pays its own.
                let mut parts = vec![Decimal::ZERO; prog.components.len().max(1)];
                if let Some(own) = parts.get_mut(rule.component.unwrap_or(0)) {
                    *own = paid;
                }
                let adjusted = adjust(
                    cx,
                    prog,
                    (rule, adjust_by),
                    &mut parts,
                    (&mut self.reasons, &mut self.steps),
                    &mut self.waiting,
                )?;
                if adjusted.is_none() {
                    *self = std::mem::replace(self, Found::new()).wait();
                    return Ok(());
                }
                let mut total = Decimal::ZERO;
                for part in &parts {
                    total = in_rule(
                        rule,
                        total
                            .checked_add(*part)
                            .ok_or_else(|| EvalError::bare("arithmetic overflow")),
                    )?;
                }
                self.amount = total;
                if !prog.components.is_empty() {
                    self.parts = parts;
                }
                self.outcome = Outcome::Approved;
                return Ok(());
            }
        }
        self.deny(cx, prog, grant)
    }

    /// Notes what the amount of `rule` and the adjustments wait for, when the outcome
    /// already waits for something.
    fn collect<'a>(
        &mut self,
        cx: &mut Ctx<'a>,
        prog: &'a Program,
        rule: &'a CompiledRule,
        adjust_by: RuleKind,
    ) -> R<()> {
        if let Action::Pays(pays) = &rule.action {
            collect_value(cx, prog, rule, pays, &mut self.waiting);
        }
        collect_adjustments(cx, prog, adjust_by, &mut self.waiting)
    }

    /// Denies with the first fallback that applies, naming the scenarios of `kind` the
    /// document came closest to.
    fn deny<'a>(&mut self, cx: &mut Ctx<'a>, prog: &'a Program, kind: RuleKind) -> R<()> {
        self.outcome = Outcome::Denied;
        self.reasons
            .extend(first(cx, prog, RuleKind::Fallback)?.map(reason));
        self.not_met = not_met(cx, prog, kind)?;
        Ok(())
    }
}

/// The value of an `eligible from`: a date or an instant, or none when it reads an absent
/// value.
fn eligible<'a>(cx: &mut Ctx<'a>, e: &'a crate::ir::Ex) -> Result<Option<Value>, EvalError> {
    match cx.eval(e)? {
        v @ (Value::Date(_) | Value::DateTime(_)) => Ok(Some(v)),
        Value::Absent => Ok(None),
        _ => Err(EvalError::bare("`eligible from` is not a date")),
    }
}

/// The latest of the `eligible from` values of the rules that decided: a date means its
/// start (00:00 UTC), and the latest is written as an instant when any of them is one.
#[derive(Default)]
struct Latest {
    at: Option<chrono::DateTime<chrono::Utc>>,
    instant: bool,
}

impl Latest {
    fn add(&mut self, v: &Value) {
        let at = match v {
            Value::Date(d) => d.and_time(chrono::NaiveTime::MIN).and_utc(),
            Value::DateTime(t) => {
                self.instant = true;
                *t
            }
            _ => return,
        };
        self.at = self.at.max(Some(at));
    }

    fn shown(self) -> Option<Arc<str>> {
        let at = self.at?;
        Some(if self.instant {
            crate::value::format_instant(at).into()
        } else {
            crate::value::format_date(at.date_naive()).into()
        })
    }
}

/// A rule's condition, three-valued: `None` when it needs an assessed input the document
/// does not give (and the rest of the condition does not settle it); the rule and the
/// inputs are then noted in `waiting`.
#[inline(always)]
fn holds<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    rule: &'a CompiledRule,
    waiting: &mut Waiting,
) -> R<Option<bool>> {
    if ruled_out(cx, rule) {
        return Ok(Some(false));
    }
    read_holds(cx, prog, rule, waiting)
}

/// Whether `rule`'s condition is false at a glance (see [`crate::cond::Guard`]), so that
/// it need not be read. A trace records every rule considered, so when tracing each is
/// read in full.
#[inline]
fn ruled_out(cx: &Ctx<'_>, rule: &CompiledRule) -> bool {
    rule.guard.as_ref().is_some_and(|g| g.rules_out(cx)) && cx.trace.is_none()
}

/// [`holds`] for a rule its guard does not rule out: the condition read in full.
fn read_holds<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    rule: &'a CompiledRule,
    waiting: &mut Waiting,
) -> R<Option<bool>> {
    let Some(w) = &rule.when else {
        trace::considered(cx, rule, Ok(true));
        return Ok(Some(true));
    };
    let mark = cx.awaited.len();
    let held = match rule.cond.as_ref().and_then(|c| c.test(cx)) {
        Some(b) => Ok(Some(b)),
        None => cx.tri(w),
    };
    match &held {
        Ok(Some(_)) | Err(_) => cx.awaited.truncate(mark),
        Ok(None) => {
            let inputs = awaited_since(cx, mark, None);
            waiting.add(prog, rule, inputs);
        }
    }
    trace::considered_tri(cx, rule, held.as_ref().copied());
    in_rule(rule, held)
}

/// Evaluates `ex` only to note in `waiting` the assessed inputs it waits for; any other
/// failure shows once they are given.
fn collect_value<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    rule: &'a CompiledRule,
    ex: &'a crate::ir::Ex,
    waiting: &mut Waiting,
) {
    let mark = cx.awaited.len();
    match cx.eval(ex) {
        Err(e) if e.awaiting.is_some() => {
            trace::failed(cx, rule, &e);
            let inputs = awaited_since(cx, mark, Some(&e));
            waiting.add(prog, rule, inputs);
        }
        _ => cx.awaited.truncate(mark),
    }
}

/// Notes in `waiting` what each adjustment rule of `kind` that applies or may apply waits
/// for (its condition, then its amount).
fn collect_adjustments<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    kind: RuleKind,
    waiting: &mut Waiting,
) -> R<()> {
    for rule in prog.rules_of(kind) {
        collect_adjustment(cx, prog, rule, waiting)?;
    }
    Ok(())
}

fn collect_adjustment<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    rule: &'a CompiledRule,
    waiting: &mut Waiting,
) -> R<()> {
    if holds(cx, prog, rule, waiting)? != Some(false) {
        if let Action::Reduce(e) | Action::Cap(e) | Action::Floor(e) | Action::Add(e, _) =
            &rule.action
        {
            collect_value(cx, prog, rule, e, waiting);
        }
    }
    Ok(())
}

fn claim<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Found> {
    let mut f = Found::new();
    if f.any(cx, prog, RuleKind::Exclusion, Outcome::Denied)?
        || f.any(cx, prog, RuleKind::Referral, Outcome::Referred)?
    {
        return Ok(f);
    }
    let mut requirements = Vec::new();
    let missing = unmet(cx, prog, RuleKind::Evidence, Some(&mut requirements))?;
    if missing.is_empty() {
        f.grant(cx, prog, RuleKind::Coverage, RuleKind::Compensation)?;
    } else if could_be_covered(cx, prog, &requirements)? {
        // The evidence comes first: an assessor needs it.
        f.waiting.clear();
        f.outcome = Outcome::Incomplete;
        f.missing = missing;
        f.reasons = requirements.into_iter().map(reason).collect();
    } else {
        // No coverage could hold, whatever the evidence or the assessed inputs.
        f.waiting.clear();
        f.deny(cx, prog, RuleKind::Coverage)?;
    }
    Ok(f)
}

/// Whether some coverage rule holds, or could hold once the facts that the unmet
/// requirements ask for are stated.
fn could_be_covered<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    unmet: &[&'a CompiledRule],
) -> R<bool> {
    let mut unknown: Vec<&'a [usize]> = Vec::new();
    for rule in unmet {
        if let Action::Requires(alts) = &rule.action {
            for alt in alts {
                if let Alt::Facts { paths } = alt {
                    unknown.extend(paths.iter().filter_map(|(_, ex)| match ex {
                        crate::ir::Ex::Fact(p) => Some(&**p),
                        _ => None,
                    }));
                }
            }
        }
    }
    for rule in prog.rules_of(RuleKind::Coverage) {
        let mark = cx.awaited.len();
        let holds = match &rule.when {
            None => Ok(Some(true)),
            Some(w) => cx.truth3(w, unknown.clone()),
        };
        cx.awaited.truncate(mark);
        trace::considered3(cx, rule, &unknown, holds.as_ref().copied());
        let holds = in_rule(rule, holds)?;
        if holds != Some(false) {
            return Ok(true);
        }
    }
    Ok(false)
}

/// The rules of `kind` whose first condition holds, each with the first condition that
/// does not (conditions after it are not read: they may rely on it).
fn not_met<'a>(cx: &mut Ctx<'a>, prog: &'a Program, kind: RuleKind) -> R<Vec<NotMet>> {
    let mut out = Vec::new();
    for rule in prog.rules_of(kind) {
        if rule.conjuncts.len() < 2 {
            continue;
        }
        let mut failed = None;
        for (i, c) in rule.conjuncts.iter().enumerate() {
            let mark = cx.awaited.len();
            let held = cx.truth(&c.ex);
            cx.awaited.truncate(mark);
            match held {
                // Not known without an assessed input: not the condition that failed.
                Err(e) if e.awaiting.is_some() => continue,
                held => {
                    if !in_rule(rule, held)? {
                        failed = Some((i, c));
                        break;
                    }
                }
            }
        }
        if let Some((_, c)) = failed.filter(|(i, _)| *i > 0) {
            out.push(NotMet {
                rule: rule.name.clone(),
                text: rule.text.clone(),
                source: rule.source.clone(),
                condition: c.text.clone(),
                condition_source: c.source.clone(),
            });
        }
    }
    Ok(out)
}

fn cancel<'a>(cx: &mut Ctx<'a>, prog: &'a Program) -> R<Found> {
    let mut f = Found::new();
    if !f.any(cx, prog, RuleKind::Refusal, Outcome::Denied)? {
        f.grant(cx, prog, RuleKind::Refund, RuleKind::Deduction)?;
    }
    Ok(f)
}

/// A step of the breakdown; in a policy with components, it names the one it changed.
fn step(prog: &Program, rule: &CompiledRule, amount: Decimal, component: Option<usize>) -> Step {
    Step {
        rule: rule.name.clone(),
        kind: rule.kind.as_str().into(),
        amount,
        component: component.and_then(|k| prog.components.get(k).cloned()),
        text: rule.text.clone(),
        source: rule.source.clone(),
    }
}

/// Whether a rule's condition holds (a rule without one always applies); a failure is the
/// rule's.
#[inline(always)]
fn applies<'a>(cx: &mut Ctx<'a>, rule: &'a CompiledRule) -> R<bool> {
    if ruled_out(cx, rule) {
        return Ok(false);
    }
    read_applies(cx, rule)
}

/// [`applies`] for a rule its guard does not rule out: the condition read in full.
fn read_applies<'a>(cx: &mut Ctx<'a>, rule: &'a CompiledRule) -> R<bool> {
    let held = match (&rule.when, &rule.cond) {
        (None, _) => Ok(true),
        (Some(w), cond) => match cond.as_ref().and_then(|c| c.test(cx)) {
            Some(b) => Ok(b),
            None => cx.truth(w),
        },
    };
    trace::considered(cx, rule, held.as_ref().copied());
    in_rule(rule, held)
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

/// Applies compensation (claims) or deduction (cancellations) rules in file order, each to
/// the component it names or else the granting rule's own (`parts` holds one amount per
/// component, or one in all). Every applicable step is recorded in `steps`; a step that
/// changes the amount is a reason. An amount left below zero fails the last rule that set
/// it (`grant`, or an adjustment); an `add` of a negative amount fails its rule.
///
///
/// An adjustment that waits for an assessed input (its condition or its amount) leaves the
/// amount unknown: the later ones are read only to note what they wait for, and the
/// result is `None`.
fn adjust<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    (grant, kind): (&'a CompiledRule, RuleKind),
    parts: &mut [Decimal],
    (reasons, steps): (&mut Vec<Reason>, &mut Vec<Step>),
    waiting: &mut Waiting,
) -> R<Option<()>> {
    let overflow = || EvalError::bare("arithmetic overflow");
    // The rule that last changed each component's amount, where one did (the granting
    // rule's otherwise); most claims change none, so this is seldom allocated.
    let mut last: Vec<(usize, &'a CompiledRule)> = Vec::new();
    for rule in prog.rules_of(kind) {
        if !waiting.is_empty() {
            collect_adjustment(cx, prog, rule, waiting)?;
            continue;
        }
        let component = rule.component.or(grant.component);
        let index = component.unwrap_or(0);
        let Some(amount) = parts.get(index).copied() else {
            continue;
        };
        match holds(cx, prog, rule, waiting)? {
            Some(true) => {}
            Some(false) => continue,
            None => {
                if let Action::Reduce(e) | Action::Cap(e) | Action::Floor(e) | Action::Add(e, _) =
                    &rule.action
                {
                    collect_value(cx, prog, rule, e, waiting);
                }
                continue;
            }
        }
        let mark = cx.awaited.len();
        let adjusted = (|| match &rule.action {
            Action::Reduce(e) => {
                let by = cx.amount(e)?;
                Ok(Some((
                    "reduce by",
                    by,
                    amount.checked_sub(by).ok_or_else(overflow)?,
                )))
            }
            Action::Add(e, span) => {
                let more = cx.amount(e)?;
                if more.is_sign_negative() && !more.is_zero() {
                    return Err(EvalError::at(
                        *span,
                        format!(
                            "`add` pays more, but the amount to add is negative ({})",
                            crate::decision::format_money(more)
                        ),
                    ));
                }
                Ok(Some((
                    "add",
                    more,
                    amount.checked_add(more).ok_or_else(overflow)?,
                )))
            }
            Action::Cap(e) => cx.amount(e).map(|v| Some(("cap at", v, amount.min(v)))),
            Action::Floor(e) => cx.amount(e).map(|v| Some(("floor at", v, amount.max(v)))),
            _ => Ok(None),
        })();
        let target = match adjusted {
            Ok(Some((clause, value, target))) => {
                trace::amount(cx, rule, clause, value, (Some(amount), target));
                target
            }
            Ok(None) => amount,
            Err(e) if e.awaiting.is_some() => {
                trace::failed(cx, rule, &e);
                let inputs = awaited_since(cx, mark, Some(&e));
                waiting.add(prog, rule, inputs);
                continue;
            }
            Err(e) => {
                trace::failed(cx, rule, &e);
                return in_rule(rule, Err(e));
            }
        };
        let change = in_rule(rule, target.checked_sub(amount).ok_or_else(overflow))?;
        let always_listed = matches!(rule.action, Action::Reduce(_) | Action::Add(..));
        if always_listed || !change.is_zero() {
            steps.push(step(prog, rule, change, component));
        }
        if !change.is_zero() {
            reasons.push(reason(rule));
            match last.iter_mut().find(|(k, _)| *k == index) {
                Some((_, l)) => *l = rule,
                None => last.push((index, rule)),
            }
        }
        if let Some(slot) = parts.get_mut(index) {
            *slot = target;
        }
    }
    if !waiting.is_empty() {
        return Ok(None);
    }
    for (k, amount) in parts.iter().enumerate() {
        if amount.is_sign_negative() && !amount.is_zero() {
            let message = match prog.components.get(k) {
                Some(name) => format!(
                    "the `{name}` amount is negative ({amount}) and no rule says what then; add a {} rule `floor {name} at 0`",
                    kind.as_str()
                ),
                None => format!(
                    "the amount is negative ({amount}) and no rule says what then; add a {} rule `floor at 0`",
                    kind.as_str()
                ),
            };
            let rule = last
                .iter()
                .find(|(i, _)| *i == k)
                .map_or(grant, |(_, r)| *r);
            return in_rule(rule, Err(EvalError::bare(message)));
        }
    }
    Ok(Some(()))
}

/// Requirements of `kind` that apply and are not met; their rules are added to `rules`.
fn unmet<'a>(
    cx: &mut Ctx<'a>,
    prog: &'a Program,
    kind: RuleKind,
    mut rules: Option<&mut Vec<&'a CompiledRule>>,
) -> R<Vec<Missing>> {
    let mut missing = Vec::new();
    for rule in prog.rules_of(kind) {
        if let Action::Requires(alts) = &rule.action {
            if applies(cx, rule)? && !satisfied(cx, prog, rule, alts)? {
                missing.push(Missing {
                    requirement: rule.name.clone(),
                    any_of: alts.iter().map(alt_name).collect(),
                });
                if let Some(r) = rules.as_deref_mut() {
                    r.push(rule);
                }
            }
        }
    }
    Ok(missing)
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

/// Deadlines in rule order, null where they do not apply; with `lenient`, one that fails
/// is null too.
fn deadlines<'a>(cx: &mut Ctx<'a>, prog: &'a Program, lenient: bool) -> R<Deadlines> {
    let mut out = Vec::new();
    for rule in prog.rules_of(RuleKind::Deadline) {
        let value: R<Option<String>> = (|| match (&rule.action, applies(cx, rule)?) {
            (Action::By(e), true) => Ok(Some(display(
                &in_rule(rule, cx.eval(e))?,
                &Base::Date,
                &prog.schema,
            ))),
            _ => Ok(None),
        })();
        let value = match value {
            Err(_) if lenient => None,
            Err(f) if f.error.awaiting.is_some() => None,
            v => v?,
        };
        out.push((rule.name.clone(), value));
    }
    Ok(Deadlines(out))
}

/// Notes that apply, in rule order; with `lenient`, one that fails is left out.
fn notes<'a>(cx: &mut Ctx<'a>, prog: &'a Program, lenient: bool) -> R<Deadlines> {
    let mut out = Vec::new();
    for rule in prog.rules_of(RuleKind::Note) {
        if let Action::Shows(e, base) = &rule.action {
            let value = (|| -> R<Option<String>> {
                if !applies(cx, rule)? {
                    return Ok(None);
                }
                Ok(Some(display(
                    &in_rule(rule, cx.eval(e))?,
                    base,
                    &prog.schema,
                )))
            })();
            match value {
                Err(_) if lenient => {}
                Err(f) if f.error.awaiting.is_some() => {}
                v => {
                    if let Some(v) = v? {
                        out.push((rule.name.clone(), Some(v)));
                    }
                }
            }
        }
    }
    Ok(Deadlines(out))
}
