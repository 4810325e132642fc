//! Names and types: turns a syntax tree into resolved, well-typed rules, or reports every error.
//!
//! The checker builds the fact [`Schema`] from the `facts` block, resolves every name in
//! every expression (facts to field indices, constants and derived values to slots),
//! types each expression, and validates the shape of every rule. Errors are collected,
//! not thrown: one broken rule does not hide the next.

mod calendars;
mod calls;
mod components;
mod currencies;
mod depth;
mod explain;
mod expr;
mod facts;
mod functions;
mod names;
mod operators;
mod rules;
mod tables;
mod through_list;
mod units;
mod version_dates;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::ast::{self, PolicyFile, RuleKind};
use crate::diagnostic::PolicyError;
use crate::ir::Ex;
use crate::schema::Schema;
use crate::span::{Source, Span};
use crate::types::{Base, RecordId, Type};
use crate::value::Value;

pub use calendars::CalendarSig;
pub use explain::{CondMap, CondNode, ReadMap, ReadOf};
pub use expr::Typed;
pub(crate) use names::suggest;
pub use tables::{Bound, TableDef};

/// A policy whose every name resolves and every expression is well typed.
#[derive(Debug)]
pub struct Checked {
    pub name: String,
    pub version: String,
    pub effective: NaiveDate,
    pub until: Option<NaiveDate>,
    /// The header's currencies as shown (`USD`, `USD, EUR`, or `any` for `currency from`).
    pub currency: String,
    /// The currencies the policy pays in; empty when it pays in any (`currency from`).
    pub currencies: Vec<String>,
    pub doc: String,
    /// Where the version label and the effective date are written.
    pub version_span: Span,
    pub effective_span: Span,
    pub schema: Schema,
    pub consts: Vec<Named>,
    pub lets: Vec<Named>,
    pub evidence: Option<EvidenceSource>,
    /// The fact stating the currency of a document's amounts (`currency USD from PATH`).
    pub currency_from: Option<CurrencyFrom>,
    pub tables: Vec<TableDef>,
    pub hooks: Vec<HookSig>,
    /// The calendars, in declaration order: what `Ex::Calendar` indexes.
    pub calendars: Vec<CalendarSig>,
    pub rules: Vec<CheckedRule>,
    pub decision_enum: usize,
    /// The payout components the policy names, in order of first appearance (empty when
    /// it names none: the payout is one amount).
    pub components: Vec<String>,
}

/// A hook's declared signature and the script file it names (relative to the policy).
#[derive(Clone, Debug)]
pub struct HookSig {
    pub name: String,
    pub params: Vec<Type>,
    pub ret: Type,
    pub file: String,
    pub span: Span,
}

/// A constant or derived value.
#[derive(Debug)]
pub struct Named {
    pub name: String,
    pub ex: Ex,
    pub ty: Type,
    pub span: Span,
    /// The value's span when it is a number or duration literal (`48 hours`, `5`,
    /// `-2.50`): clause text quotes it as written there.
    pub written: Option<Span>,
    /// The value's span, as written.
    pub value_span: Span,
}

/// The fact that states the currency of a document's amounts.
#[derive(Debug)]
pub struct CurrencyFrom {
    /// The fact, resolved.
    pub path: Ex,
    /// As written (`order.currency`).
    pub name: String,
    pub span: Span,
}

/// Where evidence items are found in a document, and which field names their kind.
#[derive(Debug)]
pub struct EvidenceSource {
    pub list: Ex,
    pub kind_field: usize,
    pub record: RecordId,
}

#[derive(Debug)]
pub struct CheckedRule {
    pub kind: RuleKind,
    pub name: String,
    pub doc: String,
    pub span: Span,
    pub when: Option<Ex>,
    /// A coverage rule's `and` operands with their spans (see `rules::split_conjuncts`).
    pub conjuncts: Vec<(Ex, Span)>,
    pub action: Action,
    /// The payout component the action names (`pays X as cash`, `cap cash at 50`), by
    /// index into [`Checked::components`]; `None` for the coverage's own.
    pub component: Option<usize>,
    /// The condition as written, part by part, for traces.
    pub condition_map: Option<CondMap>,
    /// What the action's expression (`pays`, `reduce by`, `by`, ...) reads, for traces.
    pub action_reads: Vec<ReadMap>,
}

#[derive(Debug)]
pub enum Action {
    None,
    Pays(Ex),
    Reduce(Ex),
    Cap(Ex),
    Floor(Ex),
    /// `add EXPR`: the amount is increased (a compensation); the span of the expression,
    /// which must not be negative.
    Add(Ex, Span),
    By(Ex),
    /// A value shown in the decision's notes, with its type for display.
    Shows(Ex, Base),
    /// An exclusion's or referral's `eligible from`: a date or an instant.
    EligibleFrom(Ex),
    Requires(Vec<Alt>),
}

#[derive(Debug)]
pub enum Alt {
    /// An evidence item of this kind whose attributes satisfy the condition.
    Kind {
        kind: String,
        value: Value,
        condition: Option<Ex>,
    },
    /// Facts that stand in for a document when every one is present.
    Facts { paths: Vec<(String, Ex)> },
}

pub(crate) struct Checker<'a> {
    pub file: &'a Source,
    pub ast: &'a PolicyFile,
    pub schema: Schema,
    pub errors: Vec<PolicyError>,
    pub consts: Vec<Slot>,
    pub lets: Vec<Slot>,
    pub const_index: HashMap<&'a str, usize>,
    pub let_index: HashMap<&'a str, usize>,
    pub decision_enum: usize,
    pub tables: Vec<tables::TableSlot>,
    pub table_index: HashMap<&'a str, usize>,
    pub hooks: Vec<HookSig>,
    pub hook_index: HashMap<&'a str, usize>,
    pub calendars: Vec<CalendarSig>,
    pub calendar_index: HashMap<&'a str, usize>,
    /// Constants and values being checked, outermost first, to explain a cycle.
    pub in_progress: Vec<&'a str>,
    /// How deeply each checked `let` value and table nests (see [`Checker::eval_depth`]).
    pub let_depths: Vec<usize>,
    pub table_depths: Vec<usize>,
    /// Tables whose rows failed to check for an argument of this type (and literalness),
    /// so that each error is reported once.
    pub failed_rows: Vec<(usize, Base, bool)>,
    /// Tables whose rows compute from the parameter and were checked at a call.
    pub rows_called: Vec<usize>,
    /// Tables looked up with an amount whose bounds were checked for a currency.
    pub money_bounds: Vec<usize>,
    /// Functions (`let NAME(PARAM) = ...`) by name.
    pub function_index: HashMap<&'a str, usize>,
    /// Functions whose body is being expanded, outermost first, to explain recursion.
    pub calling: Vec<usize>,
    /// Calls whose body failed to check for arguments of these types, so that each error
    /// is reported once.
    pub failed_calls: Vec<(usize, Vec<(Type, bool)>)>,
    /// Function calls expanded so far (see `functions.rs`).
    pub expansions: usize,
    /// Functions whose reads were collected for the expression being explained.
    pub explained: std::cell::RefCell<Vec<usize>>,
    /// Expressions being checked, one inside the other, across the definitions they read.
    pub nesting: usize,
    /// The payout components, in order of first appearance.
    pub components: Vec<&'a str>,
}

/// A constant or let being checked: not yet, in progress (cycle guard), or done.
pub(crate) enum Slot {
    Todo,
    InProgress,
    Done(Option<Typed>),
}

const DECISIONS: [&str; 4] = ["approved", "denied", "incomplete", "referred"];

/// Checks one parsed policy file.
pub fn check(file: &Source, ast: &PolicyFile) -> Result<Checked, Vec<PolicyError>> {
    let mut c = Checker {
        file,
        ast,
        schema: Schema::default(),
        errors: Vec::new(),
        consts: ast.consts.iter().map(|_| Slot::Todo).collect(),
        lets: ast.lets.iter().map(|_| Slot::Todo).collect(),
        const_index: HashMap::new(),
        let_index: HashMap::new(),
        decision_enum: 0,
        tables: ast.tables.iter().map(|_| tables::TableSlot::Todo).collect(),
        table_index: HashMap::new(),
        hooks: Vec::new(),
        hook_index: HashMap::new(),
        calendars: Vec::new(),
        calendar_index: HashMap::new(),
        in_progress: Vec::new(),
        let_depths: vec![0; ast.lets.len()],
        table_depths: vec![0; ast.tables.len()],
        failed_rows: Vec::new(),
        rows_called: Vec::new(),
        money_bounds: Vec::new(),
        function_index: HashMap::new(),
        calling: Vec::new(),
        failed_calls: Vec::new(),
        explained: std::cell::RefCell::new(Vec::new()),
        expansions: 0,
        nesting: 0,
        components: Vec::new(),
    };
    c.index_bindings();
    c.index_components();
    c.build_schema();
    c.version_dates();
    c.index_functions();
    c.index_lets_with_params();
    c.index_calendars();
    let header = c.header();
    for i in 0..ast.consts.len() {
        c.ensure_const(i);
    }
    for i in 0..ast.lets.len() {
        c.ensure_let(i);
    }
    for i in 0..ast.tables.len() {
        c.ensure_table(i);
    }
    let evidence = c.evidence_source();
    let currency_from = c.currency_from();
    let rules = c.rules(evidence.as_ref());
    c.uncalled_rows();
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let (name, version, effective, until, currency, doc) = header.ok_or_else(Vec::new)?;
    let const_index = std::mem::take(&mut c.const_index);
    let take = |slots: Vec<Slot>, decls: &[ast::Binding]| -> Vec<Named> {
        slots
            .into_iter()
            .zip(decls)
            .filter_map(|(s, d)| match s {
                Slot::Done(Some(t)) => Some(Named {
                    name: d.name.name.clone(),
                    ex: t.ex,
                    ty: t.ty,
                    span: d.span,
                    written: written(ast, &const_index, &d.value),
                    value_span: d.value.span,
                }),
                _ => None,
            })
            .collect()
    };
    let tables = std::mem::take(&mut c.tables)
        .into_iter()
        .filter_map(tables::TableSlot::into_def)
        .collect();
    let consts = take(std::mem::take(&mut c.consts), &ast.consts);
    let lets = take(std::mem::take(&mut c.lets), &ast.lets);
    let h = &ast.header;
    Ok(Checked {
        name,
        version,
        effective,
        until,
        currency,
        currencies: currencies::listed(h),
        doc,
        version_span: h.version.as_ref().map_or(h.name.span, |v| v.span),
        effective_span: h.effective.as_ref().map_or(h.name.span, |e| e.span),
        schema: c.schema,
        consts,
        lets,
        evidence,
        currency_from,
        tables,
        hooks: c.hooks,
        calendars: c.calendars,
        rules,
        decision_enum: c.decision_enum,
        components: c.components.iter().map(|c| (*c).to_string()).collect(),
    })
}

type Header = (String, String, NaiveDate, Option<NaiveDate>, String, String);

impl<'a> Checker<'a> {
    pub fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let mut e = PolicyError::new(self.file, span, message, label);
        if let Some(help) = help {
            e = e.with_help(help);
        }
        self.errors.push(e);
    }

    fn header(&mut self) -> Option<Header> {
        let h = &self.ast.header;
        let name = h.name.value.clone();
        let valid_name = !name.is_empty()
            && name.split('/').all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
            });
        if !valid_name {
            self.error(
                h.name.span,
                format!("`{name}` is not a policy name"),
                "policy name",
                Some(
                    "use lowercase words separated by `/`, like `xcotton/shipping-protection`"
                        .into(),
                ),
            );
        }
        let missing = |what: &str, example: &str| {
            (
                format!("policy header has no `{what}`"),
                format!("add `{what} {example}` after the policy name"),
            )
        };
        let need = |c: &mut Self, ok: bool, what: &str, example: &str| {
            if !ok {
                let (m, help) = missing(what, example);
                c.error(h.name.span, m, "in this policy", Some(help));
            }
        };
        need(self, h.version.is_some(), "version", "\"2025-01-01\"");
        need(self, h.effective.is_some(), "effective", "2025-01-01");
        need(
            self,
            h.currency.is_some() || h.any_currency.is_some(),
            "currency",
            "USD",
        );
        need(self, h.doc.is_some(), "doc", "\"what this policy covers\"");
        self.header_currencies();
        if let (Some(from), Some(until)) = (&h.effective, &h.until) {
            if until.value < from.value {
                self.error(
                    until.span,
                    "policy ends before it takes effect",
                    format!("before {}", from.value),
                    Some("`until` is the last day the version is in force".into()),
                );
            }
        }
        Some((
            name,
            h.version.as_ref()?.value.clone(),
            h.effective.as_ref()?.value,
            h.until.as_ref().map(|u| u.value),
            currencies::shown(h)?,
            h.doc.as_ref()?.value.clone(),
        ))
    }

    fn index_bindings(&mut self) {
        let ast = self.ast;
        for (kind, list, is_const) in [("constant", &ast.consts, true), ("value", &ast.lets, false)]
        {
            for (i, b) in list.iter().enumerate() {
                let taken = self.const_index.contains_key(b.name.name.as_str())
                    || self.let_index.contains_key(b.name.name.as_str());
                if taken {
                    self.error(
                        b.name.span,
                        format!("`{}` is defined twice", b.name.name),
                        format!("second {kind} of this name"),
                        Some("rename one of them".into()),
                    );
                    continue;
                }
                if is_const {
                    self.const_index.insert(&b.name.name, i);
                } else {
                    self.let_index.insert(&b.name.name, i);
                }
            }
        }
    }

    /// Indexes tables and hooks by name, and checks hook signatures.
    fn index_functions(&mut self) {
        let ast = self.ast;
        for (i, t) in ast.tables.iter().enumerate() {
            if crate::ir::Builtin::by_name(&t.name.name).is_some()
                || self.table_index.insert(&t.name.name, i).is_some()
            {
                self.error(
                    t.name.span,
                    format!("`{}` is already a function", t.name.name),
                    "name taken",
                    Some("rename the table".into()),
                );
            }
        }
        for h in &ast.hooks {
            let taken = crate::ir::Builtin::by_name(&h.name.name).is_some()
                || self.table_index.contains_key(h.name.name.as_str())
                || self.hook_index.contains_key(h.name.name.as_str());
            if taken {
                self.error(
                    h.name.span,
                    format!("`{}` is already a function", h.name.name),
                    "name taken",
                    Some("rename the hook".into()),
                );
                continue;
            }
            let mut ok = true;
            let mut sig = |c: &mut Self, t: &ast::TypeExpr| -> Type {
                if c.decision_outside_facts(t, "hook") {
                    ok = false;
                    return Type::new(Base::Bool);
                }
                let base = c.type_of(t, "hook");
                if !matches!(
                    base,
                    Base::Money | Base::Decimal | Base::Integer | Base::Bool | Base::Str
                ) || t.optional
                {
                    c.error(
                        t.span,
                        "hooks take and return money, decimal, integer, bool or string",
                        "unsupported type",
                        None,
                    );
                    ok = false;
                }
                Type::new(base)
            };
            let params = h.params.iter().map(|(_, t)| sig(self, t)).collect();
            let ret = sig(self, &h.ret);
            if ok {
                self.hook_index.insert(&h.name.name, self.hooks.len());
                self.hooks.push(HookSig {
                    name: h.name.name.clone(),
                    params,
                    ret,
                    file: h.file.value.clone(),
                    span: h.span,
                });
            }
        }
    }
}

/// Where the value `e` stands for is written as a literal (`48 hours`, `5`), for clause text
/// to quote as written: `e` itself, or the literal a chain of constants names
/// (`const w2 = wait`, with `const wait = 48 hours`).
fn written<'a>(
    ast: &'a PolicyFile,
    consts: &HashMap<&str, usize>,
    mut e: &'a ast::Expr,
) -> Option<Span> {
    // Each step names another constant; a chain is at most as long as there are constants.
    for _ in 0..=ast.consts.len() {
        if literal(e) {
            return Some(e.span);
        }
        let ast::ExprKind::Path(p) = &e.kind else {
            return None;
        };
        let [name] = p.segments.as_slice() else {
            return None;
        };
        e = &ast.consts.get(*consts.get(name.name.as_str())?)?.value;
    }
    None
}

/// Whether `e` is a number, percentage or duration literal, negated or not: a value quoted
/// as written.
fn literal(e: &ast::Expr) -> bool {
    match &e.kind {
        ast::ExprKind::Number(..) | ast::ExprKind::Percent(_) | ast::ExprKind::Duration(..) => true,
        ast::ExprKind::Neg(inner) => matches!(
            inner.kind,
            ast::ExprKind::Number(..) | ast::ExprKind::Duration(..)
        ),
        _ => false,
    }
}
