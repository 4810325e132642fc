//! Warnings on a policy that loads: places that are legal but fail for some document, or
//! that are probably not what the author meant.
//!
//! Every warning names its lint with a code (`proviso::lint::zero-divisor`), points at the
//! policy text and says what to do. One module per family: [`divisor`] (a divisor that may
//! be zero), [`unused`] (constants, values and facts nothing reads), [`conditions`] (a
//! condition that can never hold), [`rules`] (a rule that can never decide, an amount that
//! can end below zero) and [`enums`] (a value of a dispatching enum no rule names). A
//! comment `# allow(NAME)` on the warning's line, or on the comment lines just above it,
//! silences it ([`allow`]).
//!
//! The lints other than [`divisor`] read the syntax tree, which keeps every span; this
//! module resolves its names as the checker does (see [`Policy::resolve`]).

pub(crate) mod allow;
mod conditions;
mod divisor;
mod enums;
mod evidence;
mod rules;
mod unused;

use std::cmp::Ordering;
use std::collections::HashMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;

use crate::ast::{Alternative, Clause, Expr, ExprKind, FieldDecl, PolicyFile, TimeUnit, TypeExpr};
use crate::ast::{Path, TypeKind};
use crate::compile::Program;
use crate::diagnostic::{PolicyError, PolicyWarning};
use crate::span::{Source, Span};

/// A kind of warning.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Lint {
    UnusedConst,
    UnusedLet,
    UnusedFact,
    NeverTrue,
    UnreachableRule,
    NegativeAmount,
    ZeroDivisor,
    UnhandledEnumValue,
}

impl Lint {
    pub const ALL: [Lint; 8] = [
        Lint::UnusedConst,
        Lint::UnusedLet,
        Lint::UnusedFact,
        Lint::NeverTrue,
        Lint::UnreachableRule,
        Lint::NegativeAmount,
        Lint::ZeroDivisor,
        Lint::UnhandledEnumValue,
    ];

    /// The name an `# allow(...)` comment uses: `zero-divisor`.
    pub fn name(self) -> &'static str {
        match self {
            Lint::UnusedConst => "unused-const",
            Lint::UnusedLet => "unused-let",
            Lint::UnusedFact => "unused-fact",
            Lint::NeverTrue => "never-true",
            Lint::UnreachableRule => "unreachable-rule",
            Lint::NegativeAmount => "negative-amount",
            Lint::ZeroDivisor => "zero-divisor",
            Lint::UnhandledEnumValue => "unhandled-enum-value",
        }
    }

    /// The code shown with the warning: `proviso::lint::zero-divisor`.
    pub fn code(self) -> &'static str {
        match self {
            Lint::UnusedConst => "proviso::lint::unused-const",
            Lint::UnusedLet => "proviso::lint::unused-let",
            Lint::UnusedFact => "proviso::lint::unused-fact",
            Lint::NeverTrue => "proviso::lint::never-true",
            Lint::UnreachableRule => "proviso::lint::unreachable-rule",
            Lint::NegativeAmount => "proviso::lint::negative-amount",
            Lint::ZeroDivisor => "proviso::lint::zero-divisor",
            Lint::UnhandledEnumValue => "proviso::lint::unhandled-enum-value",
        }
    }
}

/// Every warning for one policy version, in the order of the policy text.
pub fn warnings(prog: &Program) -> Vec<PolicyWarning> {
    let file = &prog.meta.file;
    let mut out = divisor::warnings(prog);
    // The program loaded, so its text parses; the syntax tree keeps the spans.
    if let Ok(ast) = crate::parse::parse_file(file) {
        let p = Policy::new(file, &ast);
        out.extend(unused::warnings(&p));
        out.extend(conditions::warnings(&p));
        out.extend(rules::warnings(&p));
        out.extend(enums::warnings(&p));
        out.extend(evidence::warnings(&p));
    }
    out.retain(|w| !allow::allowed(file, w));
    out.sort_by_key(|w| (w.error.span.start, w.error.span.end, w.lint.code()));
    out
}

/// A warning of `lint` at `span`.
pub(crate) fn warning(
    p: &Policy,
    lint: Lint,
    span: Span,
    (message, label): (String, &str),
    help: String,
) -> PolicyWarning {
    PolicyWarning::new(
        lint,
        PolicyError::new(p.file, span, message, label).with_help(help),
    )
}

/// A parsed policy with its names indexed.
pub(crate) struct Policy<'a> {
    pub file: &'a Source,
    pub ast: &'a PolicyFile,
    consts: HashMap<&'a str, usize>,
    lets: HashMap<&'a str, usize>,
    /// The fact path of the evidence list (`evidence from claim.evidence`).
    evidence: Option<Vec<String>>,
}

/// What a dotted name stands for.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Name {
    /// A fact, by its path from the document root through records and list elements
    /// (`order.items.sku` for `i.sku` in `sum(i in order.items: ...)`).
    Fact(Vec<String>),
    Const(usize),
    Let(usize),
    /// Anything else: `decision`, a variable bound to something that is not a fact.
    Other,
}

/// The names bound where an expression is: aggregate variables, innermost last, each with
/// the fact path of its list's elements; and whether bare evidence fields are in scope.
#[derive(Clone, Debug, Default)]
pub(crate) struct Scope {
    vars: Vec<(String, Option<Vec<String>>)>,
    evidence: bool,
}

impl Scope {
    /// Whether `name` is an aggregate's variable here.
    pub fn binds(&self, name: &str) -> bool {
        self.vars.iter().any(|(n, _)| n == name)
    }

    /// The place of the innermost variable named `name`, counting from the outermost.
    pub fn innermost(&self, name: &str) -> Option<usize> {
        self.vars.iter().rposition(|(n, _)| n == name)
    }

    /// The scope of a function's body or a table's rows: the parameters are names that
    /// stand for the arguments.
    pub fn with_params<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        Scope {
            vars: names.into_iter().map(|n| (n.to_string(), None)).collect(),
            evidence: false,
        }
    }

    /// The scope of an evidence requirement's `where` condition.
    pub fn evidence() -> Self {
        Scope {
            vars: Vec::new(),
            evidence: true,
        }
    }
}

impl<'a> Policy<'a> {
    pub fn new(file: &'a Source, ast: &'a PolicyFile) -> Self {
        let index = |items: &'a [crate::ast::Binding]| {
            items
                .iter()
                .enumerate()
                .map(|(i, b)| (b.name.name.as_str(), i))
                .collect()
        };
        let evidence = ast.evidence_source.as_ref().map(segments);
        Policy {
            file,
            ast,
            consts: index(&ast.consts),
            lets: index(&ast.lets),
            evidence,
        }
    }

    /// The index of the constant named `name`.
    pub fn const_index(&self, name: &str) -> Option<usize> {
        self.consts.get(name).copied()
    }

    /// Resolves a dotted name in scope, in the checker's order: variables, then evidence
    /// fields, then constants, values and facts.
    pub fn resolve(&self, path: &Path, sc: &Scope) -> Name {
        let all = segments(path);
        let Some((first, rest)) = all.split_first() else {
            return Name::Other;
        };
        if let Some((_, base)) = sc.vars.iter().rev().find(|(n, _)| n == first) {
            return match base {
                Some(b) => Name::Fact(b.iter().chain(rest).cloned().collect()),
                None => Name::Other,
            };
        }
        if let (true, Some(ev)) = (sc.evidence, &self.evidence) {
            let mut field = ev.clone();
            field.push(first.clone());
            if self.fact_decl(&field).is_some() {
                return Name::Fact(field.into_iter().chain(rest.iter().cloned()).collect());
            }
        }
        if let Some(&i) = self.consts.get(first.as_str()) {
            return Name::Const(i);
        }
        if let Some(&i) = self.lets.get(first.as_str()) {
            return Name::Let(i);
        }
        if self.ast.facts.iter().any(|f| &f.name.name == first) {
            return Name::Fact(all);
        }
        Name::Other
    }

    /// The declaration of a fact, by its path (list elements are passed through).
    pub fn fact_decl(&self, path: &[String]) -> Option<&'a FieldDecl> {
        let (first, rest) = path.split_first()?;
        let mut decl = self.ast.facts.iter().find(|f| &f.name.name == first)?;
        for name in rest {
            decl = fields(&decl.ty)?.iter().find(|f| &f.name.name == name)?;
        }
        Some(decl)
    }

    /// The expressions of every rule, `let`, constant and table, each with its scope.
    pub fn expressions(&self) -> Vec<(&'a Expr, Scope)> {
        let ast = self.ast;
        let mut out: Vec<(&Expr, Scope)> = Vec::new();
        for b in ast.consts.iter().chain(&ast.lets) {
            out.push((&b.value, Scope::default()));
        }
        for t in &ast.tables {
            for band in &t.bands {
                let bounds = band.over.iter().chain(&band.up_to);
                out.extend(bounds.map(|e| (e, Scope::default())));
                out.push((&band.value, Scope::with_params([t.param.name.as_str()])));
            }
        }
        for f in &ast.functions {
            let params = f.params.iter().map(|p| p.name.as_str());
            out.push((&f.body, Scope::with_params(params)));
        }
        for rule in &ast.rules {
            out.extend(rule_expressions(rule));
        }
        out
    }

    /// The value of a constant, when it is a literal (or a constant that is one).
    fn const_lit(&self, i: usize, depth: usize) -> Option<Lit> {
        let b = self.ast.consts.get(i)?;
        lit_at(self, &b.value, &Scope::default(), depth + 1)
    }
}

/// The expressions of one rule's clauses, each with its scope.
pub(crate) fn rule_expressions(rule: &crate::ast::Rule) -> Vec<(&Expr, Scope)> {
    let mut out = Vec::new();
    for clause in &rule.clauses {
        match clause {
            Clause::Requires(alts) => {
                for alt in alts {
                    if let Alternative::Kind {
                        condition: Some(c), ..
                    } = alt
                    {
                        out.push((c, Scope::evidence()));
                    }
                }
            }
            other => out.extend(other.expr().map(|e| (e, Scope::default()))),
        }
    }
    out
}

/// The text of a span as written, its line breaks and indentation joined into single spaces.
pub(crate) fn written(p: &Policy, span: Span) -> String {
    let text = p.file.text.get(span.start..span.end).unwrap_or("");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The `when` condition of a rule, if it has one.
pub(crate) fn when(rule: &crate::ast::Rule) -> Option<&Expr> {
    rule.clauses.iter().find_map(|c| match c {
        Clause::When(e) => Some(e),
        _ => None,
    })
}

/// The names of a path's segments.
pub(crate) fn segments(path: &Path) -> Vec<String> {
    path.segments.iter().map(|s| s.name.clone()).collect()
}

/// The fields of a record type, or of the records of a list type.
pub(crate) fn fields(ty: &TypeExpr) -> Option<&[FieldDecl]> {
    match &ty.kind {
        TypeKind::Record(fields) | TypeKind::Decision { fields, .. } => Some(fields),
        TypeKind::List(inner) => fields(inner),
        _ => None,
    }
}

/// Calls `f` on `e` and every expression in it, before their children, with the scope
/// each is in: an aggregate binds its variable in its filter and body.
pub(crate) fn walk<'e>(
    p: &Policy,
    e: &'e Expr,
    sc: &mut Scope,
    f: &mut dyn FnMut(&'e Expr, &Scope),
) {
    f(e, sc);
    match &e.kind {
        ExprKind::Number(..)
        | ExprKind::Percent(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Date(_)
        | ExprKind::Duration(..)
        | ExprKind::Amounts(_)
        | ExprKind::Path(_) => {}
        ExprKind::List(items) | ExprKind::Call(_, items) => {
            for x in items {
                walk(p, x, sc, f);
            }
        }
        ExprKind::Not(a)
        | ExprKind::Neg(a)
        | ExprKind::IsPresent(a, _)
        | ExprKind::Access(a, _) => walk(p, a, sc, f),
        ExprKind::Binary(_, a, b) | ExprKind::Otherwise(a, b) | ExprKind::PercentOf(a, b) => {
            walk(p, a, sc, f);
            walk(p, b, sc, f);
        }
        ExprKind::If(a, b, c) => {
            walk(p, a, sc, f);
            walk(p, b, sc, f);
            walk(p, c, sc, f);
        }
        ExprKind::Aggregate {
            var,
            list,
            filter,
            body,
            ..
        } => {
            let base = match p.resolve(list, sc) {
                Name::Fact(path) => Some(path),
                _ => None,
            };
            sc.vars.push((var.name.clone(), base));
            for x in filter.iter().chain(body) {
                walk(p, x, sc, f);
            }
            sc.vars.pop();
        }
    }
}

/// A literal value a condition compares with.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Lit {
    Num(Decimal),
    Str(String),
    Bool(bool),
    Date(NaiveDate),
    Duration(Decimal, TimeUnit),
    /// An amount in each currency (`{ USD: 5, EUR: 4.50 }`): one of these values, the
    /// document's currency picking which.
    Amounts(Vec<(String, Decimal)>),
}

impl Lit {
    /// How two values order, when they are of a kind that orders. An amount in each
    /// currency orders with a number, or with another such amount in the currencies both
    /// give, only when every currency orders it the same way.
    pub fn order(&self, other: &Lit) -> Option<Ordering> {
        match (self, other) {
            (Lit::Num(a), Lit::Num(b)) => Some(a.cmp(b)),
            (Lit::Date(a), Lit::Date(b)) => Some(a.cmp(b)),
            (Lit::Duration(a, u), Lit::Duration(b, v)) if u == v => Some(a.cmp(b)),
            (Lit::Amounts(a), Lit::Num(b)) => same(a.iter().map(|(_, a)| a.cmp(b))),
            (Lit::Num(a), Lit::Amounts(b)) => same(b.iter().map(|(_, b)| a.cmp(b))),
            (Lit::Amounts(a), Lit::Amounts(b)) => same(a.iter().filter_map(|(code, a)| {
                let (_, b) = b.iter().find(|(c, _)| c == code)?;
                Some(a.cmp(b))
            })),
            _ => None,
        }
    }

    /// Whether a number, or every amount of an amount in each currency, meets `test`;
    /// false for other values.
    pub fn every_number(&self, test: impl Fn(Decimal) -> bool) -> bool {
        match self {
            Lit::Num(n) => test(*n),
            Lit::Amounts(a) => a.iter().all(|(_, n)| test(*n)),
            _ => false,
        }
    }
}

/// The one ordering of a non-empty run, or `None` when they differ.
fn same(mut orders: impl Iterator<Item = Ordering>) -> Option<Ordering> {
    let first = orders.next()?;
    orders.all(|o| o == first).then_some(first)
}

/// How many constants a literal is looked up through (constants may name constants).
const MAX_CONST_CHAIN: usize = 16;

/// The literal value of `e`: a literal, or a constant whose value is one.
pub(crate) fn lit(p: &Policy, e: &Expr, sc: &Scope) -> Option<Lit> {
    lit_at(p, e, sc, 0)
}

fn lit_at(p: &Policy, e: &Expr, sc: &Scope, depth: usize) -> Option<Lit> {
    if depth > MAX_CONST_CHAIN {
        return None;
    }
    match &e.kind {
        ExprKind::Number(n, _) => Some(Lit::Num(*n)),
        ExprKind::Percent(n) => n.checked_div(Decimal::ONE_HUNDRED).map(Lit::Num),
        ExprKind::Str(s) => Some(Lit::Str(s.clone())),
        ExprKind::Bool(b) => Some(Lit::Bool(*b)),
        ExprKind::Date(d) => Some(Lit::Date(*d)),
        ExprKind::Duration(n, u) => Some(Lit::Duration(*n, *u)),
        ExprKind::Neg(inner) => match lit_at(p, inner, sc, depth)? {
            Lit::Num(n) => Some(Lit::Num(-n)),
            Lit::Amounts(a) => Some(Lit::Amounts(
                a.into_iter().map(|(code, n)| (code, -n)).collect(),
            )),
            _ => None,
        },
        ExprKind::Amounts(entries) => entries
            .iter()
            .map(|(code, amount)| match lit_at(p, amount, sc, depth)? {
                Lit::Num(n) => Some((code.name.clone(), n)),
                _ => None,
            })
            .collect::<Option<Vec<_>>>()
            .map(Lit::Amounts),
        ExprKind::Path(path) if path.segments.len() == 1 => match p.resolve(path, sc) {
            Name::Const(i) => p.const_lit(i, depth),
            _ => None,
        },
        _ => None,
    }
}

/// The literal values of a list: `["a", "b"]`, or a constant that holds one.
pub(crate) fn lit_list(p: &Policy, e: &Expr, sc: &Scope) -> Option<Vec<Lit>> {
    lit_list_at(p, e, sc, 0)
}

fn lit_list_at(p: &Policy, e: &Expr, sc: &Scope, depth: usize) -> Option<Vec<Lit>> {
    if depth > MAX_CONST_CHAIN {
        return None;
    }
    match &e.kind {
        ExprKind::List(items) => items.iter().map(|x| lit_at(p, x, sc, depth)).collect(),
        ExprKind::Path(path) if path.segments.len() == 1 => match p.resolve(path, sc) {
            Name::Const(i) => {
                let b = p.ast.consts.get(i)?;
                lit_list_at(p, &b.value, &Scope::default(), depth + 1)
            }
            _ => None,
        },
        _ => None,
    }
}
