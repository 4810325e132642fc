//! Traces: how a decision was reached, rule by rule, for people who check a policy.
//!
//! A trace lists every rule the semantics of [`crate::decide`] considered for one document,
//! in the order they considered it: exclusions, referrals, evidence requirements, then the
//! coverage rules up to the first that holds and the compensation rules that adjust its
//! amount (or the fallbacks), and last what is reported alongside the outcome: supporting
//! evidence, priority, deadlines, the appeal route and notes (cancellations: refusals,
//! refunds, deductions, fallbacks, then notes). A rule the semantics never reached (a
//! coverage rule after the one that approved, the referrals after an exclusion denied) is
//! not listed: [`crate::coverage`] knows every rule of a version and reports those as
//! never considered. A rule considered twice is listed twice, in each place: a coverage
//! rule read with some facts taken as unknown (stage `could_be_covered`, see step 3 of
//! [`crate::decide`]) and again when the claim is denied, or a report made again after a
//! rule failed while reporting.
//!
//! For each rule considered: its name, kind and `file:line:col`; whether its condition
//! `held` (`true`, `false`, `unknown` when it read a fact taken as unknown in the three-
//! valued reading of step 3, or `failed` when it could not be computed); its condition
//! part by part: each `and`/`or` operand as written, with its place and its value
//! (`skipped` when the operands before it settled the condition, as evaluation skips it);
//! and, for each part evaluated, the facts (by path), constants and `let` values it names,
//! with their values in this document (`null` when absent). A rule that pays or adjusts an
//! amount also shows the amount: the value of its `pays`, `reduce by`, `cap at` or `floor
//! at` expression, the amount before and after it, and what that expression read.
//!
//! Tracing costs nothing when it is off: the evaluator carries an empty slot, and each rule
//! considered tests it once. When it is on, the parts of a condition are evaluated again,
//! one by one, after the rule was decided, with the same document and the same `let`
//! values, so a trace never changes a decision.

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;
use serde::{de, Deserialize, Deserializer, Serialize, Serializer};

use crate::check::{CondMap, CondNode, ReadMap, ReadOf};
use crate::compile::{CompiledRule, Program};
use crate::decision::{format_money, Decision, Failure, Input};
use crate::eval::{Ctx, EvalError};
use crate::ir::Ex;
use crate::schema::Schema;
use crate::span::Source;
use crate::types::Base;
use crate::value::{display, Value};

/// How one document was decided: every rule considered, in order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    /// The policy version that decided.
    pub policy: TracedPolicy,
    /// Every rule considered, in the order considered; empty when the document was referred
    /// before any rule was read (its currency, or an amount with a fraction of a cent).
    pub rules: Vec<Considered>,
}

/// A decision with its trace, as `proviso eval --format json --explain` writes each line:
/// the decision's fields, then `explain` (the trace), then `input`. Reading a line back
/// and writing it again gives the same bytes.
#[derive(Clone, Debug, PartialEq)]
pub struct Explained {
    /// The decision, with its `input`.
    pub decision: Decision,
    /// How it was reached.
    pub trace: Trace,
}

/// The JSON layout of [`Explained`].
#[derive(Serialize)]
struct ExplainedOut<'a> {
    #[serde(flatten)]
    decision: &'a Decision,
    explain: &'a Trace,
    #[serde(skip_serializing_if = "Option::is_none")]
    input: Option<&'a Input>,
}

/// Read back: `input` is read here, so the decision's own fields never hold a number.
#[derive(Deserialize)]
struct ExplainedIn {
    #[serde(flatten)]
    decision: Decision,
    explain: Trace,
    #[serde(default)]
    input: Option<Input>,
}

impl Serialize for Explained {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let bare = Decision {
            input: None,
            ..self.decision.clone()
        };
        ExplainedOut {
            decision: &bare,
            explain: &self.trace,
            input: self.decision.input.as_ref(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Explained {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let line = ExplainedIn::deserialize(d)?;
        Ok(Explained {
            decision: Decision {
                input: line.input,
                ..line.decision
            },
            trace: line.explain,
        })
    }
}

/// The policy version a trace is of.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TracedPolicy {
    /// The policy's name.
    pub name: Arc<str>,
    /// The version label.
    pub version: Arc<str>,
}

/// Why a rule was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Deciding the outcome.
    Decide,
    /// Whether a claim with missing evidence could still be covered: the facts the missing
    /// requirements ask for are taken as unknown.
    CouldBeCovered,
    /// Reporting alongside the outcome: supporting evidence, priority, deadlines, appeal, notes.
    Report,
}

/// The value of a condition or of one of its parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Truth {
    /// It held.
    True,
    /// It did not hold.
    False,
    /// It read a fact taken as unknown (three-valued reading, stage `could_be_covered`).
    Unknown,
    /// Not evaluated: the parts before it settled the condition.
    Skipped,
    /// It could not be computed (the rule's `failure` says why).
    Failed,
}

impl Truth {
    /// As the JSON writes it (`true`, `skipped`).
    pub fn as_str(self) -> &'static str {
        match self {
            Truth::True => "true",
            Truth::False => "false",
            Truth::Unknown => "unknown",
            Truth::Skipped => "skipped",
            Truth::Failed => "failed",
        }
    }
}

impl From<bool> for Truth {
    fn from(b: bool) -> Self {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// One rule, as considered once.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Considered {
    /// The rule's name.
    pub rule: Arc<str>,
    /// The rule's kind (`coverage`, `exclusion`, ...).
    pub kind: Cow<'static, str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
    /// Why it was read.
    pub stage: Stage,
    /// Whether its condition held (`true` for a rule without `when`).
    pub held: Truth,
    /// Its condition, part by part; absent for a rule without `when`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<Part>,
    /// The amount it paid or adjusted, when it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<AmountTrace>,
    /// Why it could not be computed, and where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// A condition, or one operand of an `and`/`or`, as written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Part {
    /// As written.
    pub text: Arc<str>,
    /// `file:line:col` where it is written.
    pub source: Arc<str>,
    /// Its value.
    pub value: Truth,
    /// `and` or `or`, with its operands in `parts` (a chain `a and b and c` is one `and`
    /// of three parts).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub op: Option<Cow<'static, str>>,
    /// The operands of an `and`/`or`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<Part>,
    /// What this part reads (for a part that is not an `and`/`or`, and was evaluated).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<Read>,
}

/// A fact, constant or value read, with its value in this document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Read {
    /// As written: a fact's path (`claim.type`), a constant's or a value's name.
    pub name: Arc<str>,
    /// `fact`, `constant` or `value` (a `let`).
    pub kind: Cow<'static, str>,
    /// `file:line:col` where the condition names it.
    pub source: Arc<str>,
    /// As the decision shows values; `null` when absent, unknown or not computable. A
    /// list shows its items when they are few plain values, else their number (`3 items`).
    pub value: Option<String>,
    /// The fact is taken as unknown here (stage `could_be_covered`).
    #[serde(default, skip_serializing_if = "is_false")]
    pub unknown: bool,
    /// Why the value could not be computed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<String>,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// The amount a rule paid (`pays`) or adjusted (`reduce by`, `cap at`, `floor at`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AmountTrace {
    /// `pays`, `reduce by`, `cap at` or `floor at`.
    pub clause: Cow<'static, str>,
    /// The value of the clause's expression, rounded to the cent.
    #[serde(serialize_with = "money", deserialize_with = "read_money")]
    pub value: Decimal,
    /// The amount before this rule (absent for `pays`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_money",
        deserialize_with = "read_optional_money"
    )]
    pub before: Option<Decimal>,
    /// The amount after this rule, rounded to the cent.
    #[serde(serialize_with = "money", deserialize_with = "read_money")]
    pub after: Decimal,
    /// What the clause's expression reads.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reads: Vec<Read>,
}

fn money<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_money(*d))
}

fn optional_money<S: Serializer>(d: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => money(d, s),
        None => s.serialize_none(),
    }
}

/// An amount written as a string (`"44.00"`), as [`money`] writes it.
fn read_money<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let text = Cow::<'de, str>::deserialize(d)?;
    Decimal::from_str_exact(&text)
        .map_err(|_| de::Error::custom(format!("`{text}` is not an amount (`12.50`)")))
}

fn read_optional_money<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    #[derive(Deserialize)]
    struct Money(#[serde(deserialize_with = "read_money")] Decimal);
    Ok(Option::<Money>::deserialize(d)?.map(|Money(m)| m))
}

/// A rule's condition and action as written, compiled beside the rule for traces.
#[doc(hidden)]
#[derive(Debug, Default)]
pub struct RuleMap {
    pub condition: Option<Cond>,
    pub action: Vec<ReadAt>,
}

/// A condition part with its text and place; see [`crate::check::CondMap`].
#[doc(hidden)]
#[derive(Debug)]
pub struct Cond {
    pub text: Arc<str>,
    pub source: Arc<str>,
    pub node: Node,
}

#[doc(hidden)]
#[derive(Debug)]
pub enum Node {
    Junction(Box<Cond>, Box<Cond>),
    Leaf(Vec<ReadAt>),
}

/// A name read, its place, and how to read its value.
#[doc(hidden)]
#[derive(Debug)]
pub struct ReadAt {
    pub name: Arc<str>,
    pub source: Arc<str>,
    pub of: Of,
}

#[doc(hidden)]
#[derive(Debug)]
pub enum Of {
    /// An [`Ex::Fact`].
    Fact(Ex, Base),
    Const(Value, Base),
    /// An [`Ex::Let`].
    Let(Ex, Base),
}

/// Places a rule's maps in its file, with the values of the policy's constants.
pub(crate) fn compile_map(
    file: &Source,
    consts: &[Value],
    condition: Option<CondMap>,
    action: Vec<ReadMap>,
) -> RuleMap {
    fn cond(file: &Source, consts: &[Value], m: CondMap) -> Cond {
        Cond {
            text: file.text.get(m.span.start..m.span.end).unwrap_or("").into(),
            source: file.location(m.span).into(),
            node: match m.node {
                CondNode::Junction(a, b) => Node::Junction(
                    Box::new(cond(file, consts, *a)),
                    Box::new(cond(file, consts, *b)),
                ),
                CondNode::Leaf(reads) => Node::Leaf(compile_reads(file, consts, reads)),
            },
        }
    }
    RuleMap {
        condition: condition.map(|c| cond(file, consts, c)),
        action: compile_reads(file, consts, action),
    }
}

fn compile_reads(file: &Source, consts: &[Value], reads: Vec<ReadMap>) -> Vec<ReadAt> {
    reads
        .into_iter()
        .map(|r| ReadAt {
            name: r.name.into(),
            source: file.location(r.span).into(),
            of: match r.of {
                ReadOf::Fact(path, base) => Of::Fact(Ex::Fact(path), base),
                ReadOf::Const(i, base) => {
                    Of::Const(consts.get(i).cloned().unwrap_or(Value::Absent), base)
                }
                ReadOf::Let(i, base) => Of::Let(Ex::Let(i), base),
            },
        })
        .collect()
}

/// The trace being made for one document, carried by the evaluator while it decides.
pub(crate) struct Recorder<'a> {
    prog: &'a Program,
    stage: Stage,
    pub(crate) trace: Trace,
}

impl<'a> Recorder<'a> {
    pub(crate) fn new(prog: &'a Program) -> Box<Self> {
        Box::new(Recorder {
            prog,
            stage: Stage::Decide,
            trace: Trace {
                policy: TracedPolicy {
                    name: prog.meta.name.clone(),
                    version: prog.meta.version.clone(),
                },
                rules: Vec::new(),
            },
        })
    }
}

/// From now on, rules are read for this reason.
#[inline]
pub(crate) fn stage(cx: &mut Ctx<'_>, stage: Stage) {
    if let Some(r) = cx.trace.as_mut() {
        r.stage = stage;
    }
}

/// `rule` was considered and its condition evaluated to `held` (two-valued).
#[inline]
pub(crate) fn considered<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a CompiledRule,
    held: Result<bool, &EvalError>,
) {
    if cx.trace.is_some() {
        record(cx, rule, None, held.map(Some));
    }
}

/// `rule` was considered, its condition three-valued (unknown when it waits for an
/// assessed input the document does not give).
#[inline]
pub(crate) fn considered_tri<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a CompiledRule,
    held: Result<Option<bool>, &EvalError>,
) {
    if cx.trace.is_some() {
        record(cx, rule, None, held);
    }
}

/// `rule` was considered with the facts `unknown` taken as unknown (three-valued).
#[inline]
pub(crate) fn considered3<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a CompiledRule,
    unknown: &[&'a [usize]],
    held: Result<Option<bool>, &EvalError>,
) {
    if cx.trace.is_some() {
        record(cx, rule, Some(unknown), held);
    }
}

#[inline(never)]
fn record<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a CompiledRule,
    unknown: Option<&[&'a [usize]]>,
    held: Result<Option<bool>, &EvalError>,
) {
    let Some(mut rec) = cx.trace.take() else {
        return;
    };
    // What tracing evaluates again is not what the decision waits for.
    let mark = cx.awaited.len();
    let condition = match (&rule.when, &rule.explain.condition) {
        (Some(w), Some(map)) => Some(match unknown {
            None => part(cx, &rec.prog.schema, w, map, false),
            Some(u) => {
                let saved = cx.enter_unknown(u.to_vec());
                let p = part(cx, &rec.prog.schema, w, map, true);
                cx.leave_unknown(saved);
                p
            }
        }),
        _ => None,
    };
    let (held, failure) = match held {
        Ok(Some(b)) => (Truth::from(b), None),
        Ok(None) => (Truth::Unknown, None),
        Err(e) => (Truth::Failed, Some(failure(&rec.prog.meta.file, e))),
    };
    let stage = match unknown {
        Some(_) => Stage::CouldBeCovered,
        None => rec.stage,
    };
    rec.trace.rules.push(Considered {
        rule: rule.name.clone(),
        kind: rule.kind.as_str().into(),
        source: rule.source.clone(),
        stage,
        held,
        condition,
        amount: None,
        failure,
    });
    cx.awaited.truncate(mark);
    cx.trace = Some(rec);
}

/// `rule`, just considered, paid or adjusted an amount.
#[inline]
pub(crate) fn amount<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a CompiledRule,
    clause: &'static str,
    value: Decimal,
    (before, after): (Option<Decimal>, Decimal),
) {
    if cx.trace.is_some() {
        record_amount(cx, rule, clause, value, (before, after));
    }
}

#[inline(never)]
fn record_amount<'a>(
    cx: &mut Ctx<'a>,
    rule: &'a CompiledRule,
    clause: &'static str,
    value: Decimal,
    (before, after): (Option<Decimal>, Decimal),
) {
    let Some(mut rec) = cx.trace.take() else {
        return;
    };
    let mark = cx.awaited.len();
    let reads = reads(cx, &rec.prog.schema, &rule.explain.action);
    cx.awaited.truncate(mark);
    let last = rec
        .trace
        .rules
        .iter_mut()
        .rev()
        .find(|c| Arc::ptr_eq(&c.rule, &rule.name));
    if let Some(c) = last {
        c.amount = Some(AmountTrace {
            clause: clause.into(),
            value,
            before,
            after,
            reads,
        });
    }
    cx.trace = Some(rec);
}

/// The rule failed: the trace's entry for it says so.
#[inline]
pub(crate) fn failed<'a>(cx: &mut Ctx<'a>, rule: &'a CompiledRule, e: &EvalError) {
    if let Some(rec) = cx.trace.as_mut() {
        let f = failure(&rec.prog.meta.file, e);
        if let Some(c) = rec
            .trace
            .rules
            .iter_mut()
            .rev()
            .find(|c| Arc::ptr_eq(&c.rule, &rule.name))
        {
            c.failure = Some(f);
        }
    }
}

fn failure(file: &Source, e: &EvalError) -> Failure {
    Failure {
        message: e.message.clone(),
        source: e.span.map(|s| file.location(s).into()),
    }
}

/// A condition part: an `and`/`or` evaluated operand by operand, or a leaf and its reads.
fn part<'a>(cx: &mut Ctx<'a>, schema: &Schema, ex: &'a Ex, map: &'a Cond, three: bool) -> Part {
    let is_and = matches!(ex, Ex::And(..));
    if let (Node::Junction(..), Ex::And(..) | Ex::Or(..)) = (&map.node, ex) {
        let mut operands = Vec::new();
        flatten(ex, map, is_and, &mut operands);
        let mut value = Truth::from(is_and);
        let mut parts = Vec::with_capacity(operands.len());
        for (e, m) in operands {
            if matches!(value, Truth::Failed)
                || (is_and && value == Truth::False)
                || (!is_and && value == Truth::True)
            {
                parts.push(skipped(m));
                continue;
            }
            let p = part(cx, schema, e, m, three);
            value = match (p.value, value) {
                (Truth::Failed, _) => Truth::Failed,
                (Truth::False, _) if is_and => Truth::False,
                (Truth::True, _) if !is_and => Truth::True,
                (Truth::Unknown, _) => Truth::Unknown,
                (_, v) => v,
            };
            parts.push(p);
        }
        return Part {
            text: map.text.clone(),
            source: map.source.clone(),
            value,
            op: Some(if is_and { "and" } else { "or" }.into()),
            parts,
            reads: Vec::new(),
        };
    }
    let value = if three {
        match cx.tri(ex) {
            Ok(Some(b)) => Truth::from(b),
            Ok(None) => Truth::Unknown,
            Err(_) => Truth::Failed,
        }
    } else {
        match cx.truth(ex) {
            Ok(b) => Truth::from(b),
            Err(e) if e.unknown => Truth::Unknown,
            Err(_) => Truth::Failed,
        }
    };
    let reads = match &map.node {
        Node::Leaf(r) => reads(cx, schema, r),
        Node::Junction(..) => Vec::new(),
    };
    Part {
        text: map.text.clone(),
        source: map.source.clone(),
        value,
        op: None,
        parts: Vec::new(),
        reads,
    }
}

/// The operands of a chain of one operator (`a and b and c`), in order.
fn flatten<'a>(ex: &'a Ex, map: &'a Cond, is_and: bool, out: &mut Vec<(&'a Ex, &'a Cond)>) {
    match (ex, &map.node) {
        (Ex::And(a, b), Node::Junction(x, y)) if is_and => {
            flatten(a, x, is_and, out);
            flatten(b, y, is_and, out);
        }
        (Ex::Or(a, b), Node::Junction(x, y)) if !is_and => {
            flatten(a, x, is_and, out);
            flatten(b, y, is_and, out);
        }
        _ => out.push((ex, map)),
    }
}

fn skipped(map: &Cond) -> Part {
    Part {
        text: map.text.clone(),
        source: map.source.clone(),
        value: Truth::Skipped,
        op: None,
        parts: Vec::new(),
        reads: Vec::new(),
    }
}

fn reads<'a>(cx: &mut Ctx<'a>, schema: &Schema, reads: &'a [ReadAt]) -> Vec<Read> {
    reads
        .iter()
        .map(|r| {
            let (kind, got, base) = match &r.of {
                Of::Fact(ex, base) => ("fact", cx.path(ex).map(std::borrow::Cow::Borrowed), base),
                Of::Const(v, base) => ("constant", Ok(std::borrow::Cow::Borrowed(v)), base),
                Of::Let(ex, base) => ("value", cx.eval(ex).map(std::borrow::Cow::Owned), base),
            };
            let (value, unknown, failure) = match got {
                Ok(v) => (shown(&v, base, schema), false, None),
                Err(e) if e.unknown => (None, true, None),
                Err(e) => (None, false, Some(e.into_message())),
            };
            Read {
                name: r.name.clone(),
                kind: kind.into(),
                source: r.source.clone(),
                value,
                unknown,
                failure,
            }
        })
        .collect()
}

/// Most items a list shows one by one.
const LIST_SHOWN: usize = 10;

/// A value as a trace shows it; `None` when absent.
fn shown(v: &Value, base: &Base, schema: &Schema) -> Option<String> {
    match (v, base) {
        (Value::Absent, _) => None,
        (Value::List(items), Base::List(inner))
            if items.len() <= LIST_SHOWN
                && items
                    .iter()
                    .all(|i| !matches!(i, Value::Record(_) | Value::List(_) | Value::Absent)) =>
        {
            let shown: Vec<String> = items.iter().map(|i| display(i, inner, schema)).collect();
            Some(format!("[{}]", shown.join(", ")))
        }
        (Value::List(items), _) => Some(match items.len() {
            1 => "1 item".to_string(),
            n => format!("{n} items"),
        }),
        (Value::Record(_), _) => Some("(record)".to_string()),
        _ => Some(display(v, base, schema)),
    }
}
