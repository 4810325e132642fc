//! Banded tables: rows must run from `up to` (or `under`) through contiguous rows to `over`
//! (or `from`), each value in exactly one row.

use rust_decimal::Decimal;

use super::expr::{Scope, Typed};
use super::Checker;
use crate::ast::{self, ExprKind};
use crate::ir::Ex;
use crate::span::Span;
use crate::types::{Base, Type};

/// A checked table: `bounds[i]` is the upper bound of row `i` (the last row is open).
#[derive(Clone, Debug)]
pub struct TableDef {
    pub name: String,
    pub doc: String,
    pub bounds: Vec<Decimal>,
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
        let mut bounds: Vec<Decimal> = Vec::new();
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
                lo = Some(lo_value);
                if let (Some(prev), Some(prev_open)) = (bounds.last(), open.last()) {
                    ok &= self.joins(*prev, *prev_open, lo_value, band.from, over.span);
                }
            }
            if let Some(up_to) = &band.up_to {
                let hi = self.bound(up_to)?;
                // A row holds a value unless it ends below its start, or at it with
                // either end left out.
                let empty =
                    lo.is_some_and(|lo| hi < lo || (hi == lo && (band.under || !band.from)));
                if let (true, Some(lo)) = (empty, lo) {
                    self.error(
                        up_to.span,
                        format!("{hi} is not above {lo}"),
                        "empty row",
                        None,
                    );
                    ok = false;
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

    /// Whether a row starting at `lo` (`from lo` when `from`, else `over lo`) follows on
    /// from a row that ends at `prev` (`under prev` when `prev_open`, else `up to prev`);
    /// reports the value that falls in no row or in two.
    fn joins(&mut self, prev: Decimal, prev_open: bool, lo: Decimal, from: bool, at: Span) -> bool {
        let start = |v: Decimal| {
            if prev_open {
                format!("start this row `from {v}`")
            } else {
                format!("start this row `over {v}`")
            }
        };
        if lo > prev {
            self.error(
                at,
                format!("gap between {prev} and {lo}"),
                "no row covers values in between",
                Some(start(prev)),
            );
            return false;
        }
        if lo < prev {
            let end = if prev_open { "under" } else { "up to" };
            self.error(
                at,
                format!("this row overlaps the previous one, which goes {end} {prev}"),
                "overlap",
                Some(start(prev)),
            );
            return false;
        }
        match (prev_open, from) {
            (true, false) => {
                self.error(
                    at,
                    format!("{prev} falls in no row: the previous row stops under it, and this one starts over it"),
                    "no row covers this value",
                    Some(start(prev)),
                );
                false
            }
            (false, true) => {
                self.error(
                    at,
                    format!("{prev} falls in two rows: the previous row goes up to it, and this one starts from it"),
                    "overlap",
                    Some(start(prev)),
                );
                false
            }
            _ => true,
        }
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

    /// A row bound: a number literal.
    fn bound(&mut self, e: &ast::Expr) -> Option<Decimal> {
        match &e.kind {
            ExprKind::Number(n, _) => Some(*n),
            _ => {
                self.error(
                    e.span,
                    "a table bound is a number",
                    "not a number",
                    Some("write the amount, like `up to 500`".into()),
                );
                None
            }
        }
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
