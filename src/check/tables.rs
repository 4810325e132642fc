//! Banded tables: rows must run from `up to` (or `under`) through contiguous rows to `over`
//! (or `from`), each value in exactly one row (in each currency, when the bounds are
//! amounts in each currency).

use std::sync::Arc;

use rust_decimal::Decimal;

use super::expr::{Scope, Typed};
use super::Checker;
use crate::ast::{self, ExprKind};
use crate::ir::{Amounts, Ex};
use crate::span::Span;
use crate::types::{Base, Type};

/// A row's bound: a number, or a constant written as an amount in each currency
/// (`up to small_order`), read in the document's currency.
#[derive(Clone, Debug)]
pub enum Bound {
    Num(Decimal),
    Amounts(Arc<Amounts>),
}

impl Bound {
    /// The bound for a document in `currency`; `None` when it is an amount in each
    /// currency that gives none in `currency`.
    pub fn of(&self, currency: &str) -> Option<Decimal> {
        match self {
            Bound::Num(n) => Some(*n),
            Bound::Amounts(a) => a.of(currency),
        }
    }

    /// As a row writes it: the number, or the constant's name.
    fn written(&self) -> String {
        match self {
            Bound::Num(n) => n.to_string(),
            Bound::Amounts(a) => a.name.to_string(),
        }
    }
}

/// The values two bounds take in one currency, each pair with its currency: one pair
/// without a currency when both are numbers, else one for each currency both give an
/// amount in (a number gives every one), in the order the first amounts give them.
fn in_each_currency(a: &Bound, b: &Bound) -> Vec<(Option<Arc<str>>, Decimal, Decimal)> {
    let codes = match (a, b) {
        (Bound::Num(x), Bound::Num(y)) => return vec![(None, *x, *y)],
        (Bound::Amounts(m), _) | (Bound::Num(_), Bound::Amounts(m)) => &m.amounts,
    };
    codes
        .iter()
        .filter_map(|(code, _)| Some((Some(Arc::clone(code)), a.of(code)?, b.of(code)?)))
        .collect()
}

/// A bound in a message: the number, or the constant with its amount in `currency`
/// (`` `small_order` (EUR 45) ``), or the constant alone when `alone`.
fn shown(b: &Bound, value: Decimal, currency: Option<&Arc<str>>, alone: bool) -> String {
    match (b, currency) {
        (Bound::Amounts(a), _) if alone => format!("`{}`", a.name),
        (Bound::Amounts(a), Some(c)) => format!("`{}` ({c} {value})", a.name),
        _ => value.to_string(),
    }
}

/// Whether two bounds are the same constant's amounts (equal in every currency).
fn same_amounts(a: &Bound, b: &Bound) -> bool {
    matches!((a, b), (Bound::Amounts(x), Bound::Amounts(y)) if x.name == y.name)
}

/// A checked table: `bounds[i]` is the upper bound of row `i` (the last row is open).
#[derive(Clone, Debug)]
pub struct TableDef {
    pub name: String,
    pub doc: String,
    pub bounds: Vec<Bound>,
    pub values: Vec<Ex>,
    pub ty: Type,
    /// Every value is a literal, so a number table adapts to money.
    pub literal: bool,
    /// `open[i]`: row `i` ends `under` its bound, which it leaves out.
    pub open: Vec<bool>,
    /// The rows compute from the parameter: each call holds its own values
    /// ([`Ex::Rows`]), and `values` is empty.
    pub parametric: bool,
}

pub(crate) enum TableSlot {
    Todo,
    InProgress,
    Done(Option<TableDef>),
}

impl TableSlot {
    pub fn into_def(self) -> Option<TableDef> {
        match self {
            TableSlot::Done(d) => d,
            _ => None,
        }
    }
}

impl<'a> Checker<'a> {
    /// Checks table `i` once; returns its result type.
    pub(super) fn ensure_table(&mut self, i: usize) -> Option<(Type, bool)> {
        match self.tables.get(i)? {
            TableSlot::Done(d) => return d.as_ref().map(|d| (d.ty.clone(), d.literal)),
            TableSlot::InProgress => {
                let t = self.ast.tables.get(i)?;
                self.error(
                    t.name.span,
                    format!("table `{}` is defined in terms of itself", t.name.name),
                    "cycle",
                    None,
                );
                return None;
            }
            TableSlot::Todo => {}
        }
        let ast = self.ast;
        let t = ast.tables.get(i)?;
        self.reading_ok(&t.name)?;
        self.tables[i] = TableSlot::InProgress;
        let def = self.table(t);
        if let Some(def) = &def {
            let depth = def.values.iter().map(|v| self.eval_depth(v)).max();
            if let (Some(d), Some(depth)) = (self.table_depths.get_mut(i), depth) {
                *d = depth;
            }
        }
        let ty = def.as_ref().map(|d| (d.ty.clone(), d.literal));
        self.tables[i] = TableSlot::Done(def);
        ty
    }

    fn table(&mut self, t: &ast::Table) -> Option<TableDef> {
        let n = t.bands.len();
        if n < 2 {
            self.error(
                t.span,
                format!(
                    "table `{}` needs at least an `up to` row and an `over` row",
                    t.name.name
                ),
                "incomplete table",
                None,
            );
            return None;
        }
        let mut bounds: Vec<Bound> = Vec::new();
        let mut open: Vec<bool> = Vec::new();
        let (mut ok, mut misplaced) = (true, false);
        for (i, band) in t.bands.iter().enumerate() {
            let (first, last) = (i == 0, i + 1 == n);
            let shape_ok = match (&band.over, &band.up_to) {
                (None, Some(_)) => first && !last,
                (Some(_), Some(_)) => !first && !last,
                (Some(_), None) => last && !first,
                (None, None) => false,
            };
            if !shape_ok {
                let help = "a table runs `up to A: ...` (or `under A`), then `over A up to B: ...` rows (or `from A under B`), and ends `over B: ...` (or `from B`)";
                self.error(
                    band.span,
                    "this row is out of place",
                    "misplaced row",
                    Some(help.into()),
                );
                (ok, misplaced) = (false, true);
                continue;
            }
            if misplaced {
                // After a misplaced row the bounds no longer line up: only shapes are checked.
                continue;
            }
            let mut lo = None;
            if let Some(over) = &band.over {
                let lo_value = self.bound(over)?;
                if let (Some(prev), Some(prev_open)) = (bounds.last(), open.last()) {
                    ok &= self.joins((prev, *prev_open), (&lo_value, band.from), over.span);
                }
                lo = Some(lo_value);
            }
            if let Some(up_to) = &band.up_to {
                let hi = self.bound(up_to)?;
                if let Some(lo) = &lo {
                    ok &= self.holds_a_value(lo, &hi, band, up_to.span);
                }
                bounds.push(hi);
                open.push(band.under);
            }
        }
        let parametric = t.bands.iter().any(|b| mentions(&b.value, &t.param.name));
        let (values, ty, literal) = if parametric {
            // The rows compute from the value looked up: they are typed at each call.
            (Vec::new(), Type::new(Base::Decimal), false)
        } else {
            self.rows(t, None)?
        };
        ok.then(|| TableDef {
            name: t.name.name.clone(),
            doc: t.doc.value.clone(),
            bounds,
            values,
            ty,
            literal,
            open,
            parametric,
        })
    }

    /// Whether a row from `lo` to `hi` holds a value (in every currency): it does unless it
    /// ends below its start, or at it with either end left out.
    fn holds_a_value(&mut self, lo: &Bound, hi: &Bound, band: &ast::Band, at: Span) -> bool {
        let alone = same_amounts(lo, hi);
        for (cur, l, h) in in_each_currency(lo, hi) {
            if h < l || (h == l && (band.under || !band.from)) {
                let (h, l) = (
                    shown(hi, h, cur.as_ref(), alone),
                    shown(lo, l, cur.as_ref(), alone),
                );
                self.error(at, format!("{h} is not above {l}"), "empty row", None);
                return false;
            }
        }
        true
    }

    /// Whether a row starting at `lo` (`from lo` when `from`, else `over lo`) follows on
    /// from a row that ends at `prev` (`under prev` when `prev_open`, else `up to prev`), in
    /// every currency; reports the first value that falls in no row or in two.
    fn joins(&mut self, prev: (&Bound, bool), lo: (&Bound, bool), at: Span) -> bool {
        let ((prev, prev_open), (lo, from)) = (prev, lo);
        let start = if prev_open {
            format!("start this row `from {}`", prev.written())
        } else {
            format!("start this row `over {}`", prev.written())
        };
        let alone = same_amounts(prev, lo);
        for (cur, p, l) in in_each_currency(prev, lo) {
            let (p_shown, l_shown) = (
                shown(prev, p, cur.as_ref(), alone),
                shown(lo, l, cur.as_ref(), alone),
            );
            if l > p {
                self.error(
                    at,
                    format!("gap between {p_shown} and {l_shown}"),
                    "no row covers values in between",
                    Some(start),
                );
                return false;
            }
            if l < p {
                let end = if prev_open { "under" } else { "up to" };
                let from_here = match cur {
                    Some(_) => format!(": this one starts at {l_shown}"),
                    None => String::new(),
                };
                self.error(
                    at,
                    format!(
                        "this row overlaps the previous one, which goes {end} {p_shown}{from_here}"
                    ),
                    "overlap",
                    Some(start),
                );
                return false;
            }
            match (prev_open, from) {
                (true, false) => {
                    self.error(
                        at,
                        format!("{p_shown} falls in no row: the previous row stops under it, and this one starts over it"),
                        "no row covers this value",
                        Some(start),
                    );
                    return false;
                }
                (false, true) => {
                    self.error(
                        at,
                        format!("{p_shown} falls in two rows: the previous row goes up to it, and this one starts from it"),
                        "overlap",
                        Some(start),
                    );
                    return false;
                }
                _ => {}
            }
        }
        true
    }

    /// The rows' values, their type, and whether they are all literals; `param` is the
    /// value looked up, for rows that compute from it.
    fn rows(
        &mut self,
        t: &ast::Table,
        param: Option<(&Typed, &Scope)>,
    ) -> Option<(Vec<Ex>, Type, bool)> {
        let mut typed: Vec<Typed> = Vec::new();
        let mut failed = false;
        for band in &t.bands {
            let tv = match param {
                None => self.top_expr(&band.value, false),
                Some((arg, caller)) => {
                    let mut sc = Scope::inside(caller, vec![(t.param.name.clone(), arg.clone())]);
                    let tv = self.expr(&band.value, &mut sc);
                    self.within_depth(tv, band.value.span)
                }
            };
            match tv {
                Some(tv) => typed.push(tv),
                None => failed = true,
            }
        }
        if failed {
            return None;
        }
        let mut acc = typed.first()?.clone();
        for (tv, band) in typed.iter().zip(&t.bands).skip(1) {
            let (base, lit) = self.unify(&acc, tv, &band.value)?;
            acc = Typed {
                ex: Ex::Const(crate::value::Value::Absent),
                ty: Type::new(base),
                lit,
            };
        }
        if typed.iter().any(|tv| tv.ty.optional) {
            self.error(
                t.span,
                "table values cannot be absent",
                "optional value",
                None,
            );
            return None;
        }
        let (ty, literal) = match &t.ty {
            None => (Type::new(acc.ty.base.clone()), acc.lit),
            Some(decl) => (self.declared_table_type(t, decl, &acc)?, false),
        };
        if ty.base == Base::Money {
            for (tv, band) in typed.iter().zip(&t.bands) {
                self.in_currency(tv, band.value.span);
            }
        }
        Some((typed.into_iter().map(|tv| tv.ex).collect(), ty, literal))
    }

    /// Checks the rows of each table that computes from its parameter and that no rule
    /// calls, as if it looked up money, so that their mistakes are still reported.
    pub(super) fn uncalled_rows(&mut self) {
        let ast = self.ast;
        for (i, t) in ast.tables.iter().enumerate() {
            let parametric =
                matches!(self.tables.get(i), Some(TableSlot::Done(Some(d))) if d.parametric);
            if !parametric || self.rows_called.contains(&i) {
                continue;
            }
            let money = Typed {
                ex: Ex::Const(crate::value::Value::Absent),
                ty: Type::new(Base::Money),
                lit: false,
            };
            let sc = Scope::inside(&Scope::top(), Vec::new());
            let _ = self.rows(t, Some((&money, &sc)));
        }
    }

    /// The declared type of a table's values (`-> money`): the rows must have it, or be
    /// literal numbers when it is money or decimal.
    fn declared_table_type(
        &mut self,
        t: &ast::Table,
        decl: &ast::TypeExpr,
        rows: &Typed,
    ) -> Option<Type> {
        if self.decision_outside_facts(decl, "table") {
            return None;
        }
        let scalar = matches!(decl.kind, ast::TypeKind::Scalar(_));
        if !scalar || decl.optional {
            self.error(
                decl.span,
                "a table holds money, decimal, integer, bool, string, date or datetime values",
                "unsupported type",
                None,
            );
            return None;
        }
        let base = self.type_of(decl, "table");
        let fits = rows.ty.base == base
            || (rows.lit && rows.ty.is_numeric() && matches!(base, Base::Money | Base::Decimal))
            || (rows.ty.base == Base::Integer && base == Base::Decimal);
        if !fits {
            let (declared, found) = (Type::new(base), &rows.ty);
            let declared = crate::types::Shown(&declared, &self.schema).to_string();
            let found = crate::types::Shown(found, &self.schema).to_string();
            self.error(
                decl.span,
                format!(
                    "table `{}` is declared {declared}, but its rows are {found}",
                    t.name.name
                ),
                "declared type",
                None,
            );
            return None;
        }
        Some(Type::new(base))
    }

    /// A row bound: a number literal, or the name of a constant that gives an amount in
    /// each currency.
    fn bound(&mut self, e: &ast::Expr) -> Option<Bound> {
        match &e.kind {
            ExprKind::Number(n, _) => return Some(Bound::Num(*n)),
            ExprKind::Path(p) if p.segments.len() == 1 => {
                let name = p.segments.first().map_or("", |s| s.name.as_str());
                if let Some(&i) = self.const_index.get(name) {
                    // A constant in error is reported where it is declared.
                    if let Ex::Amounts(a) = self.ensure_const(i)?.ex {
                        return Some(Bound::Amounts(a));
                    }
                }
            }
            _ => {}
        }
        let (message, help) = if self.several_currencies() {
            (
                "a table bound is a number, or a constant written as an amount in each currency",
                format!(
                    "write the number, like `up to 500`, or name an amount in each currency, \
                     `const bound = {{ {} }}`, and write `up to bound`",
                    self.example_amounts("500")
                ),
            )
        } else {
            (
                "a table bound is a number",
                "write the amount, like `up to 500`".to_string(),
            )
        };
        self.error(e.span, message, "not a number", Some(help));
        None
    }

    /// Checks that the bounds of table `i` fit a lookup of `arg`: bounds that are amounts
    /// in each currency look up an amount; in a policy that pays in several currencies,
    /// bounds that look up an amount are amounts in each currency (or 0), each reported
    /// once. `None` when the lookup cannot be made.
    fn bounds_fit(&mut self, i: usize, arg: &Typed, (arg_span, call): (Span, Span)) -> Option<()> {
        let Some(TableSlot::Done(Some(def))) = self.tables.get(i) else {
            return Some(());
        };
        let per_currency = def.bounds.iter().any(|b| matches!(b, Bound::Amounts(_)));
        let name = def.name.clone();
        if per_currency && arg.lit {
            // A number written out looked up as an amount: it needs a currency too (and
            // rows computed from it would only repeat that).
            let before = self.errors.len();
            self.in_currency(arg, arg_span);
            if self.errors.len() > before {
                return None;
            }
        } else if per_currency && arg.ty.base != Base::Money {
            let shown = crate::types::Shown(&arg.ty, &self.schema).to_string();
            self.error(
                arg_span,
                format!(
                    "table `{name}` looks up an amount (its bounds are amounts in each \
                     currency), but this is {shown}"
                ),
                "not money",
                Some("look up an amount, or write the bounds as numbers".into()),
            );
            return None;
        }
        let money = arg.ty.base == Base::Money && !arg.lit;
        if !money || !self.several_currencies() || self.money_bounds.contains(&i) {
            return Some(());
        }
        self.money_bounds.push(i);
        let ast = self.ast;
        let t = ast.tables.get(i)?;
        let (line, _) = self.file.line_col(call.start);
        let call = self.snippet(call);
        for band in &t.bands {
            let words = [
                (&band.over, if band.from { "from" } else { "over" }),
                (&band.up_to, if band.under { "under" } else { "up to" }),
            ];
            for (bound, word) in words {
                let Some(ExprKind::Number(n, _)) = bound.as_ref().map(|b| &b.kind) else {
                    continue;
                };
                if n.is_zero() {
                    continue;
                }
                let span = bound.as_ref().map_or(t.span, |b| b.span);
                self.error(
                    span,
                    "an amount in a policy that pays in several currencies says which currency",
                    "in no currency",
                    Some(format!(
                        "`{name}` looks up an amount (`{call}`, line {line}): name the bound in \
                         each currency, `const bound = {{ {} }}`, and write `{word} bound`",
                        self.example_amounts(&n.to_string())
                    )),
                );
            }
        }
        Some(())
    }

    /// Checks a call to a table: one numeric argument. The rows of a table that compute
    /// from its parameter are typed here, with the argument's type.
    pub(super) fn table_call(
        &mut self,
        i: usize,
        arg: Typed,
        span: Span,
        arg_span: Span,
        sc: &Scope,
    ) -> Option<Typed> {
        let (ty, lit) = self.ensure_table(i)?;
        if !arg.ty.is_numeric() || arg.ty.optional {
            let shown = crate::types::Shown(&arg.ty, &self.schema).to_string();
            self.error(
                arg_span,
                format!("a table looks up a number or money, but this is {shown}"),
                "not a number",
                None,
            );
            return None;
        }
        self.bounds_fit(i, &arg, (arg_span, span))?;
        let parametric = match self.tables.get(i) {
            Some(TableSlot::Done(Some(d))) => d.parametric,
            _ => false,
        };
        if !parametric {
            return Some(Typed {
                ex: Ex::Table(i, Box::new(arg.ex), span),
                ty,
                lit,
            });
        }
        let ast = self.ast;
        let t = ast.tables.get(i)?;
        self.rows_called.push(i);
        let key = (i, arg.ty.base.clone(), arg.lit);
        if self.failed_rows.contains(&key) {
            // The rows were reported for an argument of this type already.
            return None;
        }
        let Some((values, ty, lit)) = self.rows(t, Some((&arg, sc))) else {
            self.failed_rows.push(key);
            return None;
        };
        Some(Typed {
            ex: Ex::Rows(i, Box::new(arg.ex), values.into(), span),
            ty,
            lit,
        })
    }
}

/// Whether an expression reads `name` (a row reading the table's parameter).
fn mentions(e: &ast::Expr, name: &str) -> bool {
    let m = |x: &ast::Expr| mentions(x, name);
    match &e.kind {
        ExprKind::Path(p) => p.segments.first().is_some_and(|s| s.name == name),
        ExprKind::Number(..)
        | ExprKind::Percent(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Date(_)
        | ExprKind::Duration(..)
        | ExprKind::Amounts(_) => false,
        ExprKind::List(items) => items.iter().any(m),
        ExprKind::Not(a)
        | ExprKind::Neg(a)
        | ExprKind::IsPresent(a, _)
        | ExprKind::Access(a, _) => m(a),
        ExprKind::PercentOf(a, b) | ExprKind::Binary(_, a, b) | ExprKind::Otherwise(a, b) => {
            m(a) || m(b)
        }
        ExprKind::If(a, b, c) => m(a) || m(b) || m(c),
        ExprKind::Call(_, args) => args.iter().any(m),
        ExprKind::Aggregate {
            list, filter, body, ..
        } => {
            list.segments.first().is_some_and(|s| s.name == name)
                || filter.as_deref().is_some_and(m)
                || body.as_deref().is_some_and(m)
        }
    }
}
