//! Expression evaluation over decoded facts: exact, checked, and allocation-light.

use std::borrow::Cow;
use std::cmp::Ordering;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, Utc};
use rust_decimal::Decimal;

use crate::ast::AggKind;
use crate::check::{Bound, TableDef};
use crate::exact::{self, Fault};
use crate::hooks::Hooks;
use crate::ir::{Arith, Builtin, Cmp, Ex};
use crate::span::Span;
use crate::value::{writable_date, writable_instant, Value, SECONDS_PER_DAY};

/// A failure while evaluating an expression for one document: boxed, so that a result
/// of the evaluator is no larger than its value and a success moves as little as one.
#[derive(Clone, Debug, PartialEq)]
pub struct EvalError(Box<Failed>);

/// What an [`EvalError`] says.
#[derive(Clone, Debug, PartialEq)]
pub struct Failed {
    pub message: String,
    /// Where in the policy, when known.
    pub span: Option<Span>,
    /// The value read a fact that is taken as not yet known (see [`Ctx::truth3`]): not a
    /// failure, but a third truth value.
    pub unknown: bool,
    /// The value read an assessed fact the document does not give (by index into the
    /// program's assessed inputs): the rule waits for it. Such an error is also `unknown`.
    pub awaiting: Option<usize>,
}

impl std::ops::Deref for EvalError {
    type Target = Failed;

    fn deref(&self) -> &Failed {
        &self.0
    }
}

impl std::ops::DerefMut for EvalError {
    fn deref_mut(&mut self) -> &mut Failed {
        &mut self.0
    }
}

impl EvalError {
    /// What went wrong, as the decision says it.
    pub fn into_message(self) -> String {
        self.0.message
    }

    #[cold]
    pub fn at(span: Span, message: impl Into<String>) -> Self {
        EvalError(Box::new(Failed {
            message: message.into(),
            span: Some(span),
            unknown: false,
            awaiting: None,
        }))
    }

    #[cold]
    pub fn bare(message: impl Into<String>) -> Self {
        EvalError(Box::new(Failed {
            message: message.into(),
            span: None,
            unknown: false,
            awaiting: None,
        }))
    }

    #[cold]
    fn unknown() -> Self {
        EvalError(Box::new(Failed {
            message: "the value is not known yet".into(),
            span: None,
            unknown: true,
            awaiting: None,
        }))
    }

    /// The assessed input `index` (named `name`), which the document does not give, is needed.
    #[cold]
    fn awaiting(index: usize, name: &str) -> Self {
        EvalError(Box::new(Failed {
            message: format!("waits for the assessed input `{name}`"),
            span: None,
            unknown: true,
            awaiting: Some(index),
        }))
    }
}

type R<T> = Result<T, EvalError>;

static ABSENT: Value = Value::Absent;

pub use crate::exact::round_money;

/// Evaluation state for one document.
pub struct Ctx<'a> {
    root: &'a Value,
    lets: &'a [Ex],
    tables: &'a [TableDef],
    hooks: Option<&'a Hooks>,
    let_cache: Vec<Option<Value>>,
    vars: Vec<&'a Value>,
    /// Fact paths taken as not yet known, by [`Ctx::truth3`].
    unknown: Vec<&'a [usize]>,
    /// The facts declared `assessed`: reading one the document does not give fails with
    /// [`EvalError::awaiting`].
    assessed: &'a [crate::compile::AssessedInput],
    /// Assessed inputs found missing besides the one an error carries: by a three-valued
    /// condition that went on past one, or by both operands of an operator (see
    /// [`Ctx::also_awaited`]). Indices into the assessed inputs, in the order found.
    pub(crate) awaited: Vec<usize>,
    /// The outcome, once decided (index into the `decision` enumeration).
    pub decision: Option<u32>,
    /// The document's currency: per-currency constants are read in it.
    pub currency: Option<std::sync::Arc<str>>,
    /// The final amounts, once decided, by [`Ex::Paid`] slot.
    pub paid: Vec<Decimal>,
    /// The trace being made, when tracing (see [`crate::trace`]).
    pub(crate) trace: Option<Box<crate::trace::Recorder<'a>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(root: &'a Value, lets: &'a [Ex]) -> Self {
        Ctx {
            root,
            lets,
            tables: &[],
            hooks: None,
            let_cache: Value::none(lets.len()),
            vars: Vec::with_capacity(4),
            unknown: Vec::new(),
            assessed: &[],
            awaited: Vec::new(),
            decision: None,
            currency: None,
            paid: Vec::new(),
            trace: None,
        }
    }

    /// Makes a policy's tables and hooks callable.
    pub fn with_functions(mut self, tables: &'a [TableDef], hooks: &'a Hooks) -> Self {
        self.tables = tables;
        self.hooks = Some(hooks);
        self
    }

    /// Makes reading an absent assessed fact wait for it (see [`EvalError::awaiting`]).
    pub fn with_assessed(mut self, assessed: &'a [crate::compile::AssessedInput]) -> Self {
        self.assessed = assessed;
        self
    }

    /// Notes the input an error awaits, if any.
    pub(crate) fn note_awaited(&mut self, e: &EvalError) {
        if let Some(i) = e.awaiting {
            self.awaited.push(i);
        }
    }

    /// `first` failed: when it awaits an input, evaluates `other` too (an operand the
    /// failure skipped), noting what it awaits, so that a rule names every input it needs.
    fn also_awaited(&mut self, first: &EvalError, other: &'a Ex) {
        if first.awaiting.is_some() {
            if let Err(e) = self.eval(other) {
                self.note_awaited(&e);
            }
        }
    }

    /// Evaluates both operands of an operator; when the first awaits an assessed input,
    /// the second is evaluated all the same (see [`Ctx::also_awaited`]).
    fn both(&mut self, a: &'a Ex, b: &'a Ex) -> R<(Value, Value)> {
        let x = match self.eval(a) {
            Ok(x) => x,
            Err(e) => {
                self.also_awaited(&e, b);
                return Err(e);
            }
        };
        Ok((x, self.eval(b)?))
    }

    /// Evaluates with `item` bound at variable slot 0 (an evidence item).
    pub fn with_item(&mut self, item: &'a Value, ex: &'a Ex) -> R<Value> {
        let saved = std::mem::take(&mut self.vars);
        self.vars.push(item);
        let out = self.eval(ex);
        self.vars = saved;
        out
    }

    pub fn truth(&mut self, ex: &'a Ex) -> R<bool> {
        match ex {
            Ex::And(a, b) => Ok(self.truth(a)? && self.truth(b)?),
            Ex::Or(a, b) => Ok(self.truth(a)? || self.truth(b)?),
            Ex::Not(a) => Ok(!self.truth(a)?),
            Ex::Cmp(op, a, b) => self.comparison(*op, a, b),
            Ex::IsPresent(a, positive) => Ok(self.operand(a)?.is_absent() != *positive),
            _ => match self.eval(ex)? {
                Value::Bool(b) => Ok(b),
                other => Err(EvalError::bare(format!(
                    "internal error: expected a bool, found {other:?}"
                ))),
            },
        }
    }

    /// Three-valued truth: `None` when the condition depends on a fact in `unknown` (a fact
    /// a requirement asks for and the document does not state yet). `and` is false as soon
    /// as one side is false, `or` true as soon as one side is true, whatever the other side;
    /// any other expression that reads an unknown fact is unknown. Values of `let`s computed
    /// meanwhile are kept apart, since they may have read a fact taken as unknown here.
    pub fn truth3(&mut self, ex: &'a Ex, unknown: Vec<&'a [usize]>) -> R<Option<bool>> {
        let saved = self.enter_unknown(unknown);
        let out = self.tri(ex);
        self.leave_unknown(saved);
        out
    }

    /// Takes the facts `unknown` as not yet known, with `let` values kept apart, until
    /// [`Ctx::leave_unknown`] restores the values returned here.
    pub(crate) fn enter_unknown(&mut self, unknown: Vec<&'a [usize]>) -> Vec<Option<Value>> {
        self.unknown = unknown;
        std::mem::replace(&mut self.let_cache, Value::none(self.lets.len()))
    }

    pub(crate) fn leave_unknown(&mut self, saved: Vec<Option<Value>>) {
        self.unknown.clear();
        self.let_cache = saved;
    }

    /// Three-valued truth with the unknown facts already set (see [`Ctx::truth3`]).
    pub(crate) fn tri(&mut self, ex: &'a Ex) -> R<Option<bool>> {
        Ok(match ex {
            Ex::And(a, b) => match self.tri(a)? {
                Some(false) => Some(false),
                x => match (x, self.tri(b)?) {
                    (_, Some(false)) => Some(false),
                    (Some(true), y) => y,
                    _ => None,
                },
            },
            Ex::Or(a, b) => match self.tri(a)? {
                Some(true) => Some(true),
                x => match (x, self.tri(b)?) {
                    (_, Some(true)) => Some(true),
                    (Some(false), y) => y,
                    _ => None,
                },
            },
            Ex::Not(a) => self.tri(a)?.map(|v| !v),
            Ex::If(c, t, f) => match self.tri(c)? {
                Some(true) => self.tri(t)?,
                Some(false) => self.tri(f)?,
                None => None,
            },
            _ => match self.truth(ex) {
                Ok(v) => Some(v),
                Err(e) if e.unknown => {
                    self.note_awaited(&e);
                    None
                }
                Err(e) => return Err(e),
            },
        })
    }

    /// A value to read: borrowed when it is a fact, a variable or a constant, computed otherwise.
    fn operand(&mut self, ex: &'a Ex) -> R<Cow<'a, Value>> {
        Ok(match ex {
            Ex::Const(v) => Cow::Borrowed(v),
            Ex::Fact(_) | Ex::Var(..) => Cow::Borrowed(self.path(ex)?),
            _ => Cow::Owned(self.eval(ex)?),
        })
    }

    fn comparison(&mut self, op: Cmp, a: &'a Ex, b: &'a Ex) -> R<bool> {
        let x = match self.operand(a) {
            Ok(x) => x,
            Err(e) => {
                self.also_awaited(&e, b);
                return Err(e);
            }
        };
        let y = self.operand(b)?;
        Ok(op.holds(compare(&x, &y)?))
    }

    /// A number: a decimal, or a fraction no decimal holds exactly.
    fn number(&mut self, ex: &'a Ex) -> R<Value> {
        match self.eval(ex)? {
            n @ (Value::Num(_) | Value::Ratio(_)) => Ok(n),
            other => Err(EvalError::bare(format!(
                "internal error: expected a number, found {other:?}"
            ))),
        }
    }

    /// An amount: the number, computed exactly, then rounded to the cent (half away from
    /// zero) once.
    pub fn amount(&mut self, ex: &'a Ex) -> R<Decimal> {
        let n = self.number(ex)?;
        exact::round_cents(&n).map_err(|f| fault(f, None))
    }

    /// Whether every fact is read as the document gives it: none is taken as not yet known
    /// (see [`Ctx::truth3`]).
    pub(crate) fn knows_all(&self) -> bool {
        self.unknown.is_empty()
    }

    /// The fact at `path` from the document root, as the document gives it (absent when it
    /// does not): no fact is taken as unknown and none waits, unlike [`Ctx::path`].
    pub(crate) fn fact(&self, path: &[usize]) -> &'a Value {
        walk(self.root, path)
    }

    /// Field `path` of the element bound at `slot` (see [`Ctx::bind`]); `None` when no
    /// element is bound there.
    pub(crate) fn var(&self, slot: usize, path: &[usize]) -> Option<&'a Value> {
        self.vars.get(slot).map(|item| walk(item, path))
    }

    /// How many aggregate elements are bound: the slot the next one takes.
    pub(crate) fn bound(&self) -> usize {
        self.vars.len()
    }

    /// Binds `item` to the next slot, as an aggregate binds each element it reads.
    pub(crate) fn bind(&mut self, item: &'a Value) {
        self.vars.push(item);
    }

    /// Unbinds the element [`Ctx::bind`] bound last.
    pub(crate) fn unbind(&mut self) {
        self.vars.pop();
    }

    /// The value a fact or variable path points at, without copying.
    pub fn path(&self, ex: &Ex) -> R<&'a Value> {
        match ex {
            Ex::Fact(p) => {
                if !self.unknown.is_empty() && self.unknown.iter().any(|u| p.starts_with(u)) {
                    return Err(EvalError::unknown());
                }
                let v = self.fact(p);
                if v.is_absent() && !self.assessed.is_empty() {
                    return self.absent(p);
                }
                Ok(v)
            }
            Ex::Var(slot, p) => match self.vars.get(*slot) {
                Some(item) => Ok(walk(item, p)),
                None => Err(EvalError::bare("internal error: unbound variable")),
            },
            _ => Err(EvalError::bare("internal error: not a path")),
        }
    }

    /// An absent fact at `path`: a wait when it is an assessed input.
    #[cold]
    fn absent(&self, path: &[usize]) -> R<&'a Value> {
        match self.assessed.iter().position(|a| *a.path == *path) {
            Some(i) => {
                let name = self.assessed.get(i).map_or("", |a| &a.name);
                Err(EvalError::awaiting(i, name))
            }
            None => Ok(&ABSENT),
        }
    }

    pub fn eval(&mut self, ex: &'a Ex) -> R<Value> {
        // The forms a deep expression nests through are read here, so that each level costs
        // one small frame (a debug build gives every arm's temporaries their own slots);
        // the others are read in `eval_rest`.
        Ok(match ex {
            Ex::Const(v) => v.clone(),
            Ex::Fact(_) | Ex::Var(..) => self.path(ex)?.clone(),
            Ex::Let(i) => {
                if let Some(Some(v)) = self.let_cache.get(*i) {
                    return Ok(v.clone());
                }
                let body = self
                    .lets
                    .get(*i)
                    .ok_or_else(|| EvalError::bare("internal error: unknown value"))?;
                let saved = std::mem::take(&mut self.vars);
                let v = self.eval(body);
                self.vars = saved;
                let v = v?;
                if let Some(slot) = self.let_cache.get_mut(*i) {
                    *slot = Some(v.clone());
                }
                v
            }
            Ex::Not(a) => Value::Bool(!self.truth(a)?),
            Ex::And(a, b) => Value::Bool(self.truth(a)? && self.truth(b)?),
            Ex::Or(a, b) => Value::Bool(self.truth(a)? || self.truth(b)?),
            Ex::Cmp(op, a, b) => Value::Bool(self.comparison(*op, a, b)?),
            Ex::Arith(op, a, b, span) => {
                let (x, y) = self.both(a, b)?;
                arith(*op, x, y, *span)?
            }
            Ex::Otherwise(a, d) => match self.eval(a)? {
                Value::Absent => self.eval(d)?,
                v => v,
            },
            Ex::IsPresent(a, positive) => Value::Bool(self.operand(a)?.is_absent() != *positive),
            Ex::If(c, t, f) => {
                if self.truth(c)? {
                    self.eval(t)?
                } else {
                    self.eval(f)?
                }
            }
            _ => return self.eval_rest(ex),
        })
    }

    /// The forms [`Ctx::eval`] does not read itself.
    #[inline(never)]
    fn eval_rest(&mut self, ex: &'a Ex) -> R<Value> {
        Ok(match ex {
            Ex::ConstRef(_) => return Err(EvalError::bare("internal error: unfolded constant")),
            Ex::Amounts(a) => {
                let currency = self.currency.as_deref().unwrap_or("");
                match a.of(currency) {
                    Some(n) => Value::Num(n),
                    None => return Err(no_amount(a, currency)),
                }
            }
            Ex::Field(of, path) => {
                let mut v = self.eval(of)?;
                for &i in path.iter() {
                    v = match v {
                        Value::Record(fields) => fields
                            .into_vec()
                            .into_iter()
                            .nth(i)
                            .unwrap_or(Value::Absent),
                        _ => Value::Absent,
                    };
                }
                v
            }
            Ex::Decision => Value::Enum(
                self.decision
                    .ok_or_else(|| EvalError::bare("`decision` is not known yet"))?,
            ),
            Ex::Paid(slot) => Value::Num(
                self.paid
                    .get(*slot)
                    .copied()
                    .ok_or_else(|| EvalError::bare("the final amounts are not known yet"))?,
            ),
            Ex::Neg(a, span) => match self.eval(a)? {
                Value::Num(n) => Value::Num(-n),
                n @ Value::Ratio(_) => exact::neg(&n).map_err(|f| fault(f, Some(*span)))?,
                Value::Duration(s) => Value::Duration(
                    s.checked_neg()
                        .ok_or_else(|| EvalError::at(*span, "duration overflow"))?,
                ),
                Value::Months(n) => Value::Months(
                    n.checked_neg()
                        .ok_or_else(|| EvalError::at(*span, "arithmetic overflow"))?,
                ),
                _ => {
                    return Err(EvalError::at(
                        *span,
                        "internal error: negating a non-number",
                    ))
                }
            },
            Ex::In(a, items, positive) => {
                let x = self.operand(a)?;
                let mut found = false;
                for item in items.iter() {
                    let y = self.operand(item)?;
                    if compare(&x, &y)? == Ordering::Equal {
                        found = true;
                        break;
                    }
                }
                Value::Bool(found == *positive)
            }
            Ex::Member(a, list, positive) => {
                let x = self.operand(a)?;
                let found = match &*self.operand(list)? {
                    Value::List(items) => {
                        let mut found = false;
                        for y in items.iter() {
                            if compare(&x, y)? == Ordering::Equal {
                                found = true;
                                break;
                            }
                        }
                        found
                    }
                    Value::Absent => false,
                    _ => return Err(EvalError::bare("internal error: membership in a non-list")),
                };
                Value::Bool(found == *positive)
            }
            Ex::Call(f, args, span) => self.call(*f, args, *span)?,
            Ex::Calendar(_) => {
                return Err(EvalError::bare("internal error: calendar not compiled"))
            }
            Ex::Table(t, arg, span) => {
                let x = self.number(arg)?;
                let table = self
                    .tables
                    .get(*t)
                    .ok_or_else(|| EvalError::at(*span, "internal error: unknown table"))?;
                let value = table
                    .values
                    .get(row_of(table, &x, self.currency.as_deref())?)
                    .ok_or_else(|| EvalError::at(*span, "internal error: table row"))?;
                self.eval(value)?
            }
            Ex::Rows(t, arg, rows, span) => {
                let x = self.number(arg)?;
                let table = self
                    .tables
                    .get(*t)
                    .ok_or_else(|| EvalError::at(*span, "internal error: unknown table"))?;
                let value = rows
                    .get(row_of(table, &x, self.currency.as_deref())?)
                    .ok_or_else(|| EvalError::at(*span, "internal error: table row"))?;
                self.eval(value)?
            }
            Ex::Hook(h, args, span) => {
                let mut vals = Vec::with_capacity(args.len());
                for a in args.iter() {
                    vals.push(self.eval(a)?);
                }
                let hooks = self
                    .hooks
                    .ok_or_else(|| EvalError::at(*span, "hooks cannot run here"))?;
                hooks.call(*h, vals).map_err(|m| EvalError::at(*span, m))?
            }
            Ex::Aggregate {
                kind,
                slot,
                list,
                filter,
                body,
                span,
            } => self.aggregate(
                *kind,
                *slot,
                list,
                filter.as_deref(),
                body.as_deref(),
                *span,
            )?,
            Ex::Const(_)
            | Ex::Fact(_)
            | Ex::Var(..)
            | Ex::Let(_)
            | Ex::Not(_)
            | Ex::And(..)
            | Ex::Or(..)
            | Ex::Cmp(..)
            | Ex::Arith(..)
            | Ex::Otherwise(..)
            | Ex::IsPresent(..)
            | Ex::If(..) => return Err(EvalError::bare("internal error: misrouted expression")),
        })
    }

    fn call(&mut self, f: Builtin, args: &'a [Ex], span: Span) -> R<Value> {
        // A calendar's holidays are read where they are, not copied.
        if let (Builtin::AddBusinessDays, [d, n, Ex::Const(Value::List(holidays))]) = (f, args) {
            let (d, n) = (self.eval(d)?, self.eval(n)?);
            let Value::Date(d) = d else {
                return Err(EvalError::at(span, "internal error: bad arguments"));
            };
            return exact::whole(&n)
                .and_then(|days| crate::calendar::add_business_days(d, days, holidays))
                .map(Value::Date)
                .ok_or_else(|| {
                    let n = exact::shown(&n);
                    EvalError::at(span, format!("cannot add {n} business days to {d}"))
                });
        }
        // One or two arguments (most calls) are held in place rather than in a vector.
        match args {
            [a] => {
                let x = self.eval(a)?;
                return self.builtin(f, std::slice::from_ref(&x), span);
            }
            [a, b] => {
                let (x, y) = self.both(a, b)?;
                return self.builtin(f, &[x, y], span);
            }
            _ => {}
        }
        let mut vals = Vec::with_capacity(args.len());
        for (i, a) in args.iter().enumerate() {
            match self.eval(a) {
                Ok(v) => vals.push(v),
                Err(e) => {
                    for other in args.get(i + 1..).unwrap_or_default() {
                        self.also_awaited(&e, other);
                    }
                    return Err(e);
                }
            }
        }
        self.builtin(f, &vals, span)
    }

    /// A builtin applied to its arguments' values.
    fn builtin(&self, f: Builtin, vals: &[Value], span: Span) -> R<Value> {
        let internal = || EvalError::at(span, "internal error: bad arguments");
        Ok(match (f, vals) {
            (Builtin::Min | Builtin::Max, [first, rest @ ..]) => {
                let mut best = first;
                for v in rest {
                    let ord = compare(v, best)?;
                    if (f == Builtin::Min && ord == Ordering::Less)
                        || (f == Builtin::Max && ord == Ordering::Greater)
                    {
                        best = v;
                    }
                }
                best.clone()
            }
            (Builtin::Round, [n]) => {
                Value::Num(exact::round_cents(n).map_err(|f| fault(f, Some(span)))?)
            }
            (Builtin::Abs, [n]) => exact::abs(n).map_err(|f| fault(f, Some(span)))?,
            (Builtin::DateOf, [Value::DateTime(t)]) => Value::Date(t.naive_utc().date()),
            (Builtin::DaysBetween, [Value::Date(a), Value::Date(b)]) => {
                Value::Num(Decimal::from((*b - *a).num_days()))
            }
            (Builtin::AddBusinessDays, [Value::Date(d), n]) => Value::Date(
                exact::whole(n)
                    .and_then(|days| add_business_days(*d, days))
                    .ok_or_else(|| {
                        let n = exact::shown(n);
                        EvalError::at(span, format!("cannot add {n} business days to {d}"))
                    })?,
            ),
            (Builtin::Lower, [Value::Str(s)]) => Value::Str(s.to_lowercase().into()),
            (Builtin::Upper, [Value::Str(s)]) => Value::Str(s.to_uppercase().into()),
            (Builtin::Trim, [Value::Str(s)]) => Value::Str(s.trim().into()),
            (Builtin::Contains, [Value::Str(s), Value::Str(t)]) => Value::Bool(s.contains(&**t)),
            (Builtin::StartsWith, [Value::Str(s), Value::Str(t)]) => {
                Value::Bool(s.starts_with(&**t))
            }
            (Builtin::EndsWith, [Value::Str(s), Value::Str(t)]) => Value::Bool(s.ends_with(&**t)),
            _ => return Err(internal()),
        })
    }

    fn aggregate(
        &mut self,
        kind: AggKind,
        slot: usize,
        list: &'a Ex,
        filter: Option<&'a Ex>,
        body: Option<&'a Ex>,
        span: Span,
    ) -> R<Value> {
        let items: &'a [Value] = match self.path(list)? {
            Value::List(items) => items,
            Value::Absent => &[],
            _ => {
                return Err(EvalError::at(
                    span,
                    "internal error: aggregate over a non-list",
                ))
            }
        };
        if self.vars.len() != slot {
            return Err(EvalError::at(
                span,
                "internal error: variable slot mismatch",
            ));
        }
        if kind == AggKind::The {
            return self.select(items, filter, span);
        }
        let mut acc = Acc {
            sum: Value::Num(Decimal::ZERO),
            count: 0,
            result: matches!(kind, AggKind::All),
            best: Value::Absent,
        };
        for item in items {
            self.vars.push(item);
            let step = self.aggregate_step(kind, filter, body, span, &mut acc);
            self.vars.pop();
            if !step? {
                break;
            }
        }
        Ok(match kind {
            AggKind::Sum => acc.sum,
            AggKind::Count => Value::Num(Decimal::from(acc.count)),
            AggKind::Any | AggKind::All => Value::Bool(acc.result),
            AggKind::Min | AggKind::Max => acc.best,
            AggKind::The => Value::Absent,
        })
    }

    /// `the x in L where C`: the one element that matches; a failure naming how many match
    /// when that is not one.
    fn select(&mut self, items: &'a [Value], filter: Option<&'a Ex>, span: Span) -> R<Value> {
        let mut found: Option<&'a Value> = None;
        let mut matched: usize = 0;
        for item in items {
            self.vars.push(item);
            let hit = filter.map_or(Ok(true), |f| self.truth(f));
            self.vars.pop();
            if hit? {
                matched += 1;
                found = found.or(Some(item));
            }
        }
        match (matched, found) {
            (1, Some(item)) => Ok(item.clone()),
            _ => {
                let how_many = match matched {
                    0 => "none matches".to_string(),
                    n => format!("{n} match"),
                };
                Err(EvalError::at(
                    span,
                    format!("`the` needs exactly one element that matches, but {how_many}"),
                ))
            }
        }
    }

    /// One element of an aggregate; returns whether to go on.
    fn aggregate_step(
        &mut self,
        kind: AggKind,
        filter: Option<&'a Ex>,
        body: Option<&'a Ex>,
        span: Span,
        acc: &mut Acc,
    ) -> R<bool> {
        if let Some(f) = filter {
            if !self.truth(f)? {
                return Ok(true);
            }
        }
        match (kind, body) {
            (AggKind::Count, _) => acc.count += 1,
            (AggKind::Sum, Some(b)) => {
                let n = self.number(b)?;
                acc.sum = exact::add(&acc.sum, &n).map_err(|f| match f {
                    Fault::Overflow => EvalError::at(span, "arithmetic overflow in sum"),
                    f => fault(f, Some(span)),
                })?;
            }
            (AggKind::Min | AggKind::Max, Some(b)) => {
                let v = self.eval(b)?;
                let better = match &acc.best {
                    Value::Absent => true,
                    best => {
                        let ord = compare(&v, best)?;
                        (kind == AggKind::Min && ord == Ordering::Less)
                            || (kind == AggKind::Max && ord == Ordering::Greater)
                    }
                };
                if better {
                    acc.best = v;
                }
            }
            (AggKind::Any, Some(b)) => {
                if self.truth(b)? {
                    acc.result = true;
                    return Ok(false);
                }
            }
            (AggKind::All, Some(b)) => {
                if !self.truth(b)? {
                    acc.result = false;
                    return Ok(false);
                }
            }
            _ => {
                return Err(EvalError::at(
                    span,
                    "internal error: aggregate without a body",
                ))
            }
        }
        Ok(true)
    }
}

/// What an aggregate has gathered so far.
struct Acc {
    sum: Value,
    count: i64,
    /// `any` and `all`.
    result: bool,
    /// `min` and `max`: the value kept, absent until an element is read.
    best: Value,
}

/// The value at `path` of field indices within `v`; absent where a step finds no record.
#[inline]
pub(crate) fn walk<'v>(v: &'v Value, path: &[usize]) -> &'v Value {
    // Most paths are one or two fields deep (`claim.type`): those steps are unrolled.
    match path {
        [i] => field(v, *i),
        [i, j] => field(field(v, *i), *j),
        _ => path.iter().fold(v, |v, &i| field(v, i)),
    }
}

/// Field `i` of a record; absent when `v` is not a record or has no such field.
#[inline]
fn field(v: &Value, i: usize) -> &Value {
    match v {
        Value::Record(fields) => fields.get(i).unwrap_or(&ABSENT),
        _ => &ABSENT,
    }
}

/// Orders two values of one type; absent values cannot be compared. Numbers compare
/// exactly, decimals and fractions alike.
pub fn compare(a: &Value, b: &Value) -> R<Ordering> {
    match order(a, b) {
        Some(ord) => Ok(ord),
        None => Err(unordered(a, b)),
    }
}

/// How two values of one type order, as [`compare`] orders them; `None` where it fails.
/// Prepared conditions ([`crate::cond`]) read it so, without building the failure.
pub(crate) fn order(a: &Value, b: &Value) -> Option<Ordering> {
    Some(match (a, b) {
        (Value::Num(x), Value::Num(y)) => x.cmp(y),
        (Value::Num(_) | Value::Ratio(_), Value::Num(_) | Value::Ratio(_)) => exact::cmp(a, b)?,
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x.cmp(y),
        (Value::Duration(x), Value::Duration(y)) => x.cmp(y),
        (Value::Months(x), Value::Months(y)) => x.cmp(y),
        (Value::Str(x), Value::Str(y)) => x.cmp(y),
        (Value::Enum(x), Value::Enum(y)) => x.cmp(y),
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => return None,
    })
}

/// Why two values do not order (see [`compare`]).
#[cold]
fn unordered(a: &Value, b: &Value) -> EvalError {
    EvalError::bare(match (a, b) {
        (Value::Num(_) | Value::Ratio(_), Value::Num(_) | Value::Ratio(_)) => {
            "internal error: comparing a non-number"
        }
        (Value::Absent, _) | (_, Value::Absent) => "internal error: comparing an absent value",
        _ => "internal error: comparing values of different types",
    })
}

fn arith(op: Arith, x: Value, y: Value, span: Span) -> R<Value> {
    let overflow = || EvalError::at(span, "arithmetic overflow");
    let beyond = |what: &str| {
        EvalError::at(
            span,
            format!("the {what} falls outside the years 0001 to 9999"),
        )
    };
    let days = |secs: i64| -> R<i64> {
        if secs % SECONDS_PER_DAY != 0 {
            return Err(EvalError::at(span, "a date moves by whole days only"));
        }
        Ok(secs / SECONDS_PER_DAY)
    };
    if exact::is_number(&x) && exact::is_number(&y) {
        return exact::arith(op, &x, &y).map_err(|f| fault(f, Some(span)));
    }
    Ok(match (op, x, y) {
        (Arith::Add, Value::Date(d), Value::Duration(s))
        | (Arith::Add, Value::Duration(s), Value::Date(d)) => {
            Value::Date(shift_date(d, days(s)?).ok_or_else(|| beyond("date"))?)
        }
        (Arith::Sub, Value::Date(d), Value::Duration(s)) => {
            Value::Date(shift_date(d, -days(s)?).ok_or_else(|| beyond("date"))?)
        }
        (Arith::Add, Value::DateTime(t), Value::Duration(s))
        | (Arith::Add, Value::Duration(s), Value::DateTime(t)) => Value::DateTime(
            TimeDelta::try_seconds(s)
                .and_then(|d| t.checked_add_signed(d))
                .and_then(writable_instant)
                .ok_or_else(|| beyond("instant"))?,
        ),
        (Arith::Sub, Value::DateTime(t), Value::Duration(s)) => Value::DateTime(
            TimeDelta::try_seconds(s)
                .and_then(|d| t.checked_sub_signed(d))
                .and_then(writable_instant)
                .ok_or_else(|| beyond("instant"))?,
        ),
        (Arith::Add, Value::Date(d), Value::Months(n))
        | (Arith::Add, Value::Months(n), Value::Date(d)) => {
            Value::Date(add_months(d, n).ok_or_else(|| beyond("date"))?)
        }
        (Arith::Sub, Value::Date(d), Value::Months(n)) => Value::Date(
            n.checked_neg()
                .and_then(|n| add_months(d, n))
                .ok_or_else(|| beyond("date"))?,
        ),
        (Arith::Add, Value::DateTime(t), Value::Months(n))
        | (Arith::Add, Value::Months(n), Value::DateTime(t)) => {
            Value::DateTime(add_months_instant(t, n).ok_or_else(|| beyond("instant"))?)
        }
        (Arith::Sub, Value::DateTime(t), Value::Months(n)) => Value::DateTime(
            n.checked_neg()
                .and_then(|n| add_months_instant(t, n))
                .ok_or_else(|| beyond("instant"))?,
        ),
        (Arith::Add, Value::Months(a), Value::Months(b)) => {
            Value::Months(a.checked_add(b).ok_or_else(overflow)?)
        }
        (Arith::Sub, Value::Months(a), Value::Months(b)) => {
            Value::Months(a.checked_sub(b).ok_or_else(overflow)?)
        }
        (Arith::Mul, Value::Months(m), n) | (Arith::Mul, n, Value::Months(m))
            if exact::is_number(&n) =>
        {
            let n = exact::whole(&n).ok_or_else(|| {
                let n = exact::shown(&n);
                EvalError::at(
                    span,
                    format!("calendar months are multiplied by a whole number, not `{n}`"),
                )
            })?;
            Value::Months(m.checked_mul(n).ok_or_else(overflow)?)
        }
        (Arith::Sub, Value::Date(a), Value::Date(b)) => Value::Duration(
            (a - b)
                .num_days()
                .checked_mul(SECONDS_PER_DAY)
                .ok_or_else(overflow)?,
        ),
        (Arith::Sub, Value::DateTime(a), Value::DateTime(b)) => {
            Value::Duration((a - b).num_seconds())
        }
        (Arith::Add, Value::Duration(a), Value::Duration(b)) => {
            Value::Duration(a.checked_add(b).ok_or_else(overflow)?)
        }
        (Arith::Sub, Value::Duration(a), Value::Duration(b)) => {
            Value::Duration(a.checked_sub(b).ok_or_else(overflow)?)
        }
        (Arith::Mul, Value::Duration(s), n) | (Arith::Mul, n, Value::Duration(s))
            if exact::is_number(&n) =>
        {
            let n = exact::whole(&n).ok_or_else(|| {
                let n = exact::shown(&n);
                EvalError::at(
                    span,
                    format!("a duration is multiplied by a whole number, not `{n}`"),
                )
            })?;
            Value::Duration(s.checked_mul(n).ok_or_else(overflow)?)
        }
        (_, Value::Absent, _) | (_, _, Value::Absent) => {
            return Err(EvalError::at(
                span,
                "internal error: arithmetic on an absent value",
            ))
        }
        _ => {
            return Err(EvalError::at(
                span,
                "internal error: arithmetic on mismatched values",
            ))
        }
    })
}

/// An arithmetic fault as an evaluation error.
fn fault(f: Fault, span: Option<Span>) -> EvalError {
    let message = match f {
        Fault::Overflow => "arithmetic overflow",
        Fault::DivisionByZero => "division by zero",
        Fault::NotANumber => "internal error: arithmetic on a non-number",
    };
    EvalError(Box::new(Failed {
        message: message.into(),
        span,
        unknown: false,
        awaiting: None,
    }))
}

/// `d` moved by `days`, if the result is a date that can be written (years 0001 to 9999).
fn shift_date(d: NaiveDate, days: i64) -> Option<NaiveDate> {
    d.checked_add_signed(TimeDelta::try_days(days)?)
        .and_then(writable_date)
}

/// `d` moved by `n` calendar months (back when negative), if the result can be written.
///
/// The end-of-month rule: the day of the month is kept when the month has it, and is
/// otherwise the month's last day. So Jan 31 + 1 month is Feb 28 (Feb 29 in a leap year),
/// Feb 29 + 1 year is Feb 28, and Mar 31 - 1 month is Feb 28 (or 29).
pub fn add_months(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    let months = chrono::Months::new(u32::try_from(n.unsigned_abs()).ok()?);
    let moved = if n >= 0 {
        d.checked_add_months(months)
    } else {
        d.checked_sub_months(months)
    };
    moved.and_then(writable_date)
}

/// An instant moved by `n` calendar months in UTC, by [`add_months`]'s rule; the time of
/// day is kept.
fn add_months_instant(t: DateTime<Utc>, n: i64) -> Option<DateTime<Utc>> {
    let date = add_months(t.date_naive(), n)?;
    writable_instant(date.and_time(t.time()).and_utc())
}

/// The date `n` business days (Monday to Friday) after `d`, a weekend start counting from
/// its Friday; `None` for a negative `n`, one above a million, or a date past the year
/// 9999. Added in one move: whole weeks, then the days left, two more when they reach past
/// a Friday.
pub fn add_business_days(d: NaiveDate, n: i64) -> Option<NaiveDate> {
    if !(0..=1_000_000).contains(&n) {
        return None;
    }
    if n == 0 {
        return Some(d);
    }
    // From Monday (0) to Friday (4), a weekend day taken back to its Friday.
    let (back, weekday) = match d.weekday().num_days_from_monday() {
        5 => (1, 4),
        6 => (2, 4),
        w => (0, i64::from(w)),
    };
    let left = n % 5;
    let weekend = if weekday + left > 4 { 2 } else { 0 };
    shift_date(d, -back + (n / 5) * 7 + left + weekend)
}

/// Evaluates an expression that reads no facts (a constant or a default).
pub fn const_value(ex: &Ex, consts: &[Value]) -> Result<Value, String> {
    const_value_in(ex, consts, None)
}

/// Evaluates an expression that reads no facts for a document in `currency`: an amount in
/// each currency it reads is its amount in that currency.
pub fn const_value_in(
    ex: &Ex,
    consts: &[Value],
    currency: Option<std::sync::Arc<str>>,
) -> Result<Value, String> {
    let folded = ex.clone().map(&mut |e| match e {
        Ex::ConstRef(i) => Ex::Const(consts.get(i).cloned().unwrap_or(Value::Absent)),
        other => other,
    });
    let root = Value::Record(Box::new([]));
    let mut cx = Ctx::new(&root, &[]);
    cx.currency = currency;
    cx.eval(&folded).map_err(EvalError::into_message)
}

/// The failure of reading an amount in each currency that gives none in the document's.
fn no_amount(a: &crate::ir::Amounts, currency: &str) -> EvalError {
    let given: Vec<&str> = a.amounts.iter().map(|(c, _)| &**c).collect();
    EvalError::at(
        a.span,
        format!(
            "`{}` has no amount in {currency}, the document's currency; it gives {}",
            a.name,
            given.join(", ")
        ),
    )
}

/// The row of `table` that `x` falls in: the first whose upper bound holds it (`up to B`:
/// `x <= B`; `under B`: `x < B`), else the last row. A bound that is an amount in each
/// currency is read in `currency`, and fails when it gives none there.
fn row_of(table: &TableDef, x: &Value, currency: Option<&str>) -> R<usize> {
    for (i, b) in table.bounds.iter().enumerate() {
        let b = match b {
            Bound::Num(n) => *n,
            Bound::Amounts(a) => {
                let currency = currency.unwrap_or("");
                a.of(currency).ok_or_else(|| no_amount(a, currency))?
            }
        };
        let c = exact::cmp_decimal(x, b);
        let holds = if table.open.get(i).copied().unwrap_or(false) {
            c == Some(Ordering::Less)
        } else {
            c != Some(Ordering::Greater)
        };
        if holds {
            return Ok(i);
        }
    }
    Ok(table.bounds.len())
}
