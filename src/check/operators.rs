//! Operator typing: logic, comparisons and membership, and the arithmetic of money, numbers, dates and durations.

use super::expr::{is_num, presence, Compared, Scope, Typed};
use super::{units, Checker};
use crate::ast::{self, BinOp, ExprKind};
use crate::ir::{Arith, Cmp, Ex};
use crate::types::{Base, Type};

impl<'a> Checker<'a> {
    /// Checks an operand of the comparison `e`, so that a help line may rewrite `e`.
    fn operand(
        &mut self,
        op: BinOp,
        operand: &ast::Expr,
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<Typed> {
        let outer = sc.compared.replace(Compared {
            op,
            operand: operand.span,
            whole: e.span,
        });
        let t = self.expr(operand, sc);
        sc.compared = outer;
        t
    }

    pub(super) fn binary(
        &mut self,
        op: BinOp,
        l: &ast::Expr,
        r: &ast::Expr,
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<Typed> {
        let bool_ty = Type::new(Base::Bool);
        match op {
            BinOp::And | BinOp::Or => {
                let tl = self.expr(l, sc)?;
                self.bool_operand(&tl, l)?;
                let base = sc.present.len();
                sc.present.extend(presence(&tl.ex, op == BinOp::And));
                let tr = self.expr(r, sc);
                sc.present.truncate(base);
                let tr = tr?;
                self.bool_operand(&tr, r)?;
                let ex = if op == BinOp::And {
                    Ex::And(Box::new(tl.ex), Box::new(tr.ex))
                } else {
                    Ex::Or(Box::new(tl.ex), Box::new(tr.ex))
                };
                Some(Typed {
                    ex,
                    ty: bool_ty,
                    lit: false,
                })
            }
            BinOp::In | BinOp::NotIn => {
                let tl = self.operand(op, l, e, sc)?;
                self.present_or_err(&tl, l)?;
                if let ExprKind::Path(p) = &r.kind {
                    if !self.is_list_const(p) {
                        return self.member(tl, l, p, op == BinOp::In, sc);
                    }
                }
                let items = self.list_items(r)?;
                let mut out = Vec::new();
                for item in items {
                    let ti = self.expr(item, sc)?;
                    let (_, ex) = self.comparable(BinOp::Eq, tl.clone(), ti, l, item)?;
                    out.push(ex);
                }
                Some(Typed {
                    ex: Ex::In(Box::new(tl.ex), out.into(), op == BinOp::In),
                    ty: bool_ty,
                    lit: false,
                })
            }
            BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => {
                let tl = self.operand(op, l, e, sc)?;
                let tr = self.operand(op, r, e, sc)?;
                self.present_or_err(&tl, l)?;
                self.present_or_err(&tr, r)?;
                let (a, b) = self.comparable(op, tl, tr, l, r)?;
                let cmp = match op {
                    BinOp::Eq => Cmp::Eq,
                    BinOp::Ne => Cmp::Ne,
                    BinOp::Lt => Cmp::Lt,
                    BinOp::Le => Cmp::Le,
                    BinOp::Gt => Cmp::Gt,
                    _ => Cmp::Ge,
                };
                Some(Typed {
                    ex: Ex::Cmp(cmp, Box::new(a), Box::new(b)),
                    ty: bool_ty,
                    lit: false,
                })
            }
            BinOp::Add | BinOp::Sub | BinOp::Mul | BinOp::Div => {
                let (tl, tr) = (self.expr(l, sc)?, self.expr(r, sc)?);
                self.present_or_err(&tl, l)?;
                self.present_or_err(&tr, r)?;
                let base = self.arith_type(op, &tl, &tr, e)?;
                if base == Base::Money && matches!(op, BinOp::Add | BinOp::Sub) {
                    self.in_currency(&tl, l.span);
                    self.in_currency(&tr, r.span);
                }
                let aop = match op {
                    BinOp::Add => Arith::Add,
                    BinOp::Sub => Arith::Sub,
                    BinOp::Mul => Arith::Mul,
                    _ => Arith::Div,
                };
                let lit = tl.lit && tr.lit;
                Some(Typed {
                    ex: Ex::Arith(aop, Box::new(tl.ex), Box::new(tr.ex), e.span),
                    ty: Type::new(base),
                    lit,
                })
            }
        }
    }

    /// Whether `p` names a constant (whose items `in` reads as written).
    fn is_list_const(&self, p: &ast::Path) -> bool {
        match p.segments.as_slice() {
            [one] => self.const_index.contains_key(one.name.as_str()),
            _ => false,
        }
    }

    /// `x in L` where `L` is a list of values the document holds (a list fact, or a field
    /// of a list variable): whether one of them equals `x`. An absent list holds nothing.
    fn member(
        &mut self,
        tl: Typed,
        l: &ast::Expr,
        p: &ast::Path,
        positive: bool,
        sc: &mut Scope,
    ) -> Option<Typed> {
        let tr = self.resolve(p, sc)?;
        let list = p.dotted();
        let keyword = if positive { "in" } else { "not in" };
        let Base::List(elem) = &tr.ty.base else {
            let shown = self.shown(&tr.ty);
            self.error(
                p.span,
                format!("`{list}` is {shown}, not a list"),
                "expected a list",
                Some(format!(
                    "`{keyword}` takes a list: write `{keyword} [\"a\", \"b\"]`, name a `const` list or a list fact"
                )),
            );
            return None;
        };
        let elem = (**elem).clone();
        if matches!(elem, Base::Record(_) | Base::List(_)) {
            let shown = match elem {
                Base::Record(_) => "records",
                _ => "lists",
            };
            self.error(
                p.span,
                format!("`{keyword}` tests a value against a list of values, but `{list}` holds {shown}"),
                "not a list of values",
                Some(format!(
                    "test its elements with `any(x in {list}: ...)`"
                )),
            );
            return None;
        }
        let fits = match (&tl.ty.base, &elem) {
            (a, b) if a == b => true,
            (Base::Str, Base::Enum(_)) => tl.lit,
            (Base::Integer, Base::Decimal) | (Base::Decimal, Base::Integer) => true,
            (Base::Integer | Base::Decimal, Base::Money) if tl.lit => {
                self.in_currency(&tl, l.span);
                true
            }
            _ => false,
        };
        if !fits {
            let (a, b) = (self.shown(&tl.ty), elem.describe(&self.schema));
            let text = self.snippet(l.span);
            self.error(
                l.span.to(p.span),
                format!("`{text}` is {a}, but `{list}` holds {b}"),
                "mismatched membership",
                Some(format!(
                    "`{keyword}` compares a value with values of its own type: test {b} against `{list}`"
                )),
            );
            return None;
        }
        let telem = Typed {
            ex: Ex::Const(crate::value::Value::Absent),
            ty: Type::new(elem),
            lit: false,
        };
        let (x, _) = self.comparable(BinOp::Eq, tl, telem, l, l)?;
        Some(Typed {
            ex: Ex::Member(Box::new(x), Box::new(tr.ex), positive),
            ty: Type::new(Base::Bool),
            lit: false,
        })
    }

    /// The items after `in`: a list literal, or a constant defined as one.
    pub(super) fn list_items<'e>(&mut self, r: &'e ast::Expr) -> Option<&'e [ast::Expr]>
    where
        'a: 'e,
    {
        match &r.kind {
            ExprKind::List(items) => Some(items),
            ExprKind::Path(p) if p.segments.len() == 1 => {
                let name = p.segments.first().map(|s| s.name.as_str()).unwrap_or("");
                let ast = self.ast;
                match self.const_index.get(name).and_then(|i| ast.consts.get(*i)) {
                    Some(ast::Binding {
                        value:
                            ast::Expr {
                                kind: ExprKind::List(items),
                                ..
                            },
                        ..
                    }) => Some(items),
                    _ => {
                        self.error(
                            r.span,
                            format!("`{name}` is not a list constant"),
                            "expected a list",
                            Some("write `in [\"a\", \"b\"]` or name a `const` list".into()),
                        );
                        None
                    }
                }
            }
            _ => {
                self.error(
                    r.span,
                    "`in` needs a list",
                    "expected a list",
                    Some("write `in [\"a\", \"b\"]` or name a `const` list".into()),
                );
                None
            }
        }
    }

    /// Checks that two values can be compared with `op`; converts enum literals.
    pub(super) fn comparable(
        &mut self,
        op: BinOp,
        tl: Typed,
        tr: Typed,
        l: &ast::Expr,
        r: &ast::Expr,
    ) -> Option<(Ex, Ex)> {
        let ordered = !matches!(op, BinOp::Eq | BinOp::Ne | BinOp::In | BinOp::NotIn);
        let ok = match (&tl.ty.base, &tr.ty.base) {
            (Base::Enum(id), Base::Str) if tr.lit => {
                return self.enum_literal(*id, tl, tr, r, false, ordered)
            }
            (Base::Str, Base::Enum(id)) if tl.lit => {
                return self.enum_literal(*id, tr, tl, l, true, ordered)
            }
            (Base::Money, Base::Money) => true,
            (Base::Money, y) if is_num(y) => {
                if tr.lit {
                    self.in_currency(&tr, r.span);
                }
                tr.lit
            }
            (x, Base::Money) if is_num(x) => {
                if tl.lit {
                    self.in_currency(&tl, l.span);
                }
                tl.lit
            }
            (x, y) if is_num(x) && is_num(y) => true,
            (Base::Date, Base::Date)
            | (Base::DateTime, Base::DateTime)
            | (Base::Duration, Base::Duration)
            | (Base::Months, Base::Months) => true,
            (Base::Bool, Base::Bool) | (Base::Str, Base::Str) => !ordered,
            (Base::Enum(a), Base::Enum(b)) => a == b && !ordered,
            _ => false,
        };
        if !ok {
            if let Some((span, message, label, help)) =
                units::calendar_compared(op, (&tl.ty.base, l), (&tr.ty.base, r))
            {
                self.error(span, message, label, Some(help));
                return None;
            }
            if let Some((span, message, label, help)) =
                units::compared(op, (&tl.ty.base, l), (&tr.ty.base, r))
            {
                self.error(span, message, label, Some(help));
                return None;
            }
            let (a, b) = (self.shown(&tl.ty), self.shown(&tr.ty));
            let help = match (&tl.ty.base, &tr.ty.base) {
                (Base::Date, Base::DateTime) | (Base::DateTime, Base::Date) => {
                    Some("take the date of a datetime with `date(...)`".to_string())
                }
                (Base::Money, _) | (_, Base::Money) => {
                    Some("money compares with money or a literal amount".to_string())
                }
                _ if ordered => {
                    Some("only numbers, money, dates and durations are ordered".to_string())
                }
                _ => None,
            };
            let verb = op.symbol();
            self.error(
                l.span.to(r.span),
                format!("cannot compare {a} with {b} using `{verb}`"),
                "mismatched comparison",
                help,
            );
            return None;
        }
        Some((tl.ex, tr.ex))
    }

    pub(super) fn enum_literal(
        &mut self,
        id: usize,
        tenum: Typed,
        tstr: Typed,
        at: &ast::Expr,
        swapped: bool,
        ordered: bool,
    ) -> Option<(Ex, Ex)> {
        if ordered {
            let ename = self.schema.enums.get(id).map_or("", |e| e.name.as_str());
            let message = format!("`{ename}` values have no order");
            self.error(
                at.span,
                message,
                "ordered comparison",
                Some("compare with `==`, `!=` or `in`".into()),
            );
            return None;
        }
        let c = self.enum_value(id, tstr.ex, at.span)?;
        Some(if swapped {
            (c, tenum.ex)
        } else {
            (tenum.ex, c)
        })
    }

    pub(super) fn arith_type(
        &mut self,
        op: BinOp,
        a: &Typed,
        b: &Typed,
        e: &ast::Expr,
    ) -> Option<Base> {
        use Base::*;
        let (x, y) = (&a.ty.base, &b.ty.base);
        let out = match (op, x, y) {
            (BinOp::Add | BinOp::Sub, Money, Money) => Some(Money),
            (BinOp::Add | BinOp::Sub, Money, Integer | Decimal) if b.lit => Some(Money),
            (BinOp::Add | BinOp::Sub, Integer | Decimal, Money) if a.lit => Some(Money),
            (BinOp::Mul, Money, Integer | Decimal) | (BinOp::Mul, Integer | Decimal, Money) => {
                Some(Money)
            }
            (BinOp::Div, Money, Integer | Decimal) => Some(Money),
            (BinOp::Div, Money, Money) => Some(Decimal),
            (BinOp::Add | BinOp::Sub | BinOp::Mul, Integer, Integer) => Some(Integer),
            (_, Integer | Decimal, Integer | Decimal) => Some(Decimal),
            (BinOp::Add, Date, Duration)
            | (BinOp::Add, Duration, Date)
            | (BinOp::Sub, Date, Duration) => Some(Date),
            (BinOp::Add, DateTime, Duration)
            | (BinOp::Add, Duration, DateTime)
            | (BinOp::Sub, DateTime, Duration) => Some(DateTime),
            (BinOp::Sub, Date, Date) | (BinOp::Sub, DateTime, DateTime) => Some(Duration),
            (BinOp::Add | BinOp::Sub, Duration, Duration) => Some(Duration),
            (BinOp::Mul, Duration, Integer) | (BinOp::Mul, Integer, Duration) => Some(Duration),
            (BinOp::Add, Date, Months)
            | (BinOp::Add, Months, Date)
            | (BinOp::Sub, Date, Months) => Some(Date),
            (BinOp::Add, DateTime, Months)
            | (BinOp::Add, Months, DateTime)
            | (BinOp::Sub, DateTime, Months) => Some(DateTime),
            (BinOp::Add | BinOp::Sub, Months, Months) => Some(Months),
            (BinOp::Mul, Months, Integer) | (BinOp::Mul, Integer, Months) => Some(Months),
            _ => None,
        };
        if out.is_none() {
            if let ExprKind::Binary(_, l, r) = &e.kind {
                if let Some((span, message, label, help)) =
                    units::calendar_moved(op, (x, l), (y, r))
                {
                    self.error(span, message, label, Some(help));
                    return None;
                }
                if let Some((span, message, label, help)) = units::moved(op, (x, l), (y, r)) {
                    self.error(span, message, label, Some(help));
                    return None;
                }
            }
            let (sa, sb) = (self.shown(&a.ty), self.shown(&b.ty));
            let help = match (x, y) {
                (Money, Integer | Decimal) | (Integer | Decimal, Money) => {
                    Some("money adds to money; multiply a rate by money instead".to_string())
                }
                (Date, DateTime) | (DateTime, Date) => {
                    Some("take the date of a datetime with `date(...)`".to_string())
                }
                (Date | DateTime, _) | (_, Date | DateTime) => Some(
                    "a date moves by a duration (`date + 30 days`); two dates subtract to one"
                        .to_string(),
                ),
                _ => None,
            };
            self.error(
                e.span,
                format!("cannot apply `{}` to {sa} and {sb}", op.symbol()),
                "mismatched operands",
                help,
            );
        }
        out
    }
}
