//! Banded tables: rows must run from `up to` through contiguous `over .. up to` rows to `over`.

use rust_decimal::Decimal;

use super::expr::Typed;
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
                let help = "a table runs `up to A: ...`, then `over A up to B: ...` rows, and ends `over B: ...`";
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
            if let Some(over) = &band.over {
                let lo = self.bound(over)?;
                match bounds.last() {
                    Some(prev) if lo > *prev => {
                        self.error(
                            over.span,
                            format!("gap between {prev} and {lo}"),
                            "no row covers values in between",
                            Some(format!("start this row `over {prev}`")),
                        );
                        ok = false;
                    }
                    Some(prev) if lo < *prev => {
                        self.error(
                            over.span,
                            format!("this row overlaps the previous one, which goes up to {prev}"),
                            "overlap",
                            Some(format!("start this row `over {prev}`")),
                        );
                        ok = false;
                    }
                    _ => {}
                }
            }
            if let Some(up_to) = &band.up_to {
                let hi = self.bound(up_to)?;
                if let Some(prev) = bounds.last() {
                    if hi <= *prev {
                        self.error(
                            up_to.span,
                            format!("{hi} is not above {prev}"),
                            "empty row",
                            None,
                        );
                        ok = false;
                    }
                }
                bounds.push(hi);
            }
        }
        let mut typed: Vec<Typed> = Vec::new();
        for band in &t.bands {
            typed.push(self.top_expr(&band.value, false)?);
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
        let values = typed.into_iter().map(|tv| tv.ex).collect();
        ok.then(|| TableDef {
            name: t.name.name.clone(),
            doc: t.doc.value.clone(),
            bounds,
            values,
            ty,
            literal,
        })
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

    /// Checks a call to a table: one numeric argument.
    pub(super) fn table_call(
        &mut self,
        i: usize,
        arg: Typed,
        span: Span,
        arg_span: Span,
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
        Some(Typed {
            ex: Ex::Table(i, Box::new(arg.ex), span),
            ty,
            lit,
        })
    }
}
