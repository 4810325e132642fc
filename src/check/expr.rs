//! Expression typing: every operator, call and aggregate gets a type or an error.

use super::names::{key, suggest};
use super::{Checker, Slot};
use crate::ast::{self, BinOp, ExprKind, TimeUnit};
use crate::ir::{Arith, Cmp, Ex};
use crate::span::Span;
use crate::types::{Base, RecordId, Shown, Type};
use crate::value::{Value, SECONDS_PER_DAY};

/// A checked expression, its type, and whether it is a literal (a literal number
/// adapts to money; a literal string to an enumeration).
#[derive(Clone, Debug)]
pub struct Typed {
    pub ex: Ex,
    pub ty: Type,
    pub lit: bool,
}

impl Typed {
    pub fn is_numeric_lit(&self) -> bool {
        self.lit && self.ty.is_numeric()
    }
}

/// What a name can mean at one point of an expression.
pub(crate) struct Scope {
    /// Bound variables; a variable's slot is its index.
    pub vars: Vec<(String, Type)>,
    /// Inside an evidence condition: the evidence record, bound at slot 0, whose fields are bare names.
    pub evidence: Option<RecordId>,
    pub allow_decision: bool,
    pub in_const: bool,
    /// Optional paths known to be present here (see [`presence`]).
    pub present: Vec<String>,
}

impl Scope {
    fn new(allow_decision: bool, in_const: bool, present: &[String]) -> Self {
        Scope {
            vars: Vec::new(),
            evidence: None,
            allow_decision,
            in_const,
            present: present.to_vec(),
        }
    }
}

/// Paths an expression proves present when it is `positive` (or false, when not).
pub fn presence(ex: &Ex, positive: bool) -> Vec<String> {
    match ex {
        Ex::IsPresent(inner, p) if *p == positive => key(inner).into_iter().collect(),
        Ex::And(a, b) if positive => [presence(a, true), presence(b, true)].concat(),
        Ex::Or(a, b) if !positive => [presence(a, false), presence(b, false)].concat(),
        Ex::Not(a) => presence(a, !positive),
        _ => Vec::new(),
    }
}

/// Whether a value of type `t` may stand where `want` is expected.
pub fn assignable(t: &Typed, want: &Type) -> bool {
    if t.ty.optional && !want.optional {
        return false;
    }
    match (&t.ty.base, &want.base) {
        (a, b) if a == b => true,
        (Base::Integer, Base::Decimal) => true,
        (Base::Integer | Base::Decimal, Base::Money) => t.lit,
        (Base::Str, Base::Enum(_)) => t.lit,
        _ => false,
    }
}

pub(super) fn is_num(b: &Base) -> bool {
    matches!(b, Base::Money | Base::Decimal | Base::Integer)
}

impl<'a> Checker<'a> {
    pub(super) fn const_expr(&mut self, e: &ast::Expr) -> Option<Typed> {
        self.expr(e, &mut Scope::new(false, true, &[]))
    }

    pub(super) fn top_expr(&mut self, e: &ast::Expr, allow_decision: bool) -> Option<Typed> {
        self.expr(e, &mut Scope::new(allow_decision, false, &[]))
    }

    pub(super) fn narrowed_expr(
        &mut self,
        e: &ast::Expr,
        present: &[String],
        allow_decision: bool,
    ) -> Option<Typed> {
        self.expr(e, &mut Scope::new(allow_decision, false, present))
    }

    pub(super) fn evidence_condition(
        &mut self,
        e: &ast::Expr,
        record: RecordId,
        present: &[String],
    ) -> Option<Typed> {
        let mut sc = Scope::new(false, false, present);
        sc.vars
            .push((String::new(), Type::new(Base::Record(record))));
        sc.evidence = Some(record);
        self.expr(e, &mut sc)
    }

    /// The policy text under a span, for messages.
    pub(super) fn snippet(&self, span: Span) -> String {
        self.file
            .text
            .get(span.start..span.end)
            .unwrap_or("value")
            .to_string()
    }

    pub(super) fn shown(&self, t: &Type) -> String {
        Shown(t, &self.schema).to_string()
    }

    /// Reports an optional operand used where a value is required.
    pub(super) fn present_or_err(&mut self, t: &Typed, e: &ast::Expr) -> Option<()> {
        if !t.ty.optional {
            return Some(());
        }
        let text = self.snippet(e.span);
        self.error(
            e.span,
            format!("`{text}` may be absent"),
            "may be absent here",
            Some(format!(
                "check `{text} is present` first, or write `{text} otherwise VALUE`"
            )),
        );
        None
    }

    pub(super) fn expr(&mut self, e: &ast::Expr, sc: &mut Scope) -> Option<Typed> {
        let lit = |ex, base| {
            Some(Typed {
                ex: Ex::Const(ex),
                ty: Type::new(base),
                lit: true,
            })
        };
        match &e.kind {
            ExprKind::Number(n, dot) => lit(
                Value::Num(*n),
                if *dot { Base::Decimal } else { Base::Integer },
            ),
            ExprKind::Str(s) => lit(Value::Str(s.as_str().into()), Base::Str),
            ExprKind::Bool(b) => Some(Typed {
                ex: Ex::Const(Value::Bool(*b)),
                ty: Type::new(Base::Bool),
                lit: false,
            }),
            ExprKind::Date(d) => Some(Typed {
                ex: Ex::Const(Value::Date(*d)),
                ty: Type::new(Base::Date),
                lit: false,
            }),
            ExprKind::Duration(n, unit) => {
                let per = match unit {
                    TimeUnit::Days => SECONDS_PER_DAY,
                    TimeUnit::Hours => 3_600,
                };
                let secs = i64::try_from(n.trunc().mantissa())
                    .ok()
                    .and_then(|n| n.checked_mul(per));
                match secs {
                    Some(s) => Some(Typed {
                        ex: Ex::Const(Value::Duration(s)),
                        ty: Type::new(Base::Duration),
                        lit: false,
                    }),
                    None => {
                        self.error(e.span, "duration is too long", "here", None);
                        None
                    }
                }
            }
            ExprKind::Path(p) => self.resolve(p, sc),
            ExprKind::List(_) => {
                self.error(
                    e.span,
                    "a list can only follow `in`",
                    "list here",
                    Some("write `x in [\"a\", \"b\"]`".into()),
                );
                None
            }
            ExprKind::Not(inner) => {
                let t = self.expr(inner, sc)?;
                self.bool_operand(&t, inner)?;
                Some(Typed {
                    ex: Ex::Not(Box::new(t.ex)),
                    ty: Type::new(Base::Bool),
                    lit: false,
                })
            }
            ExprKind::Neg(inner) => {
                let t = self.expr(inner, sc)?;
                self.present_or_err(&t, inner)?;
                if !is_num(&t.ty.base) && t.ty.base != Base::Duration {
                    let shown = self.shown(&t.ty);
                    self.error(
                        inner.span,
                        format!("cannot negate {shown}"),
                        "not a number",
                        None,
                    );
                    return None;
                }
                Some(Typed {
                    ex: Ex::Neg(Box::new(t.ex), e.span),
                    ..t
                })
            }
            ExprKind::Binary(op, l, r) => self.binary(*op, l, r, e, sc),
            ExprKind::Otherwise(x, d) => {
                let tx = self.expr(x, sc)?;
                if !tx.ty.optional {
                    let text = self.snippet(x.span);
                    self.error(
                        x.span,
                        format!("`{text}` is never absent here"),
                        "always present",
                        Some("remove `otherwise ...`".into()),
                    );
                    return None;
                }
                let td = self.expr(d, sc)?;
                self.present_or_err(&td, d)?;
                let want = Type::new(tx.ty.base.clone());
                if !assignable(&td, &want) {
                    let (a, b) = (self.shown(&want), self.shown(&td.ty));
                    self.error(
                        d.span,
                        format!("fallback is {b}, but the value is {a}"),
                        "wrong type",
                        None,
                    );
                    return None;
                }
                let dex = self.adapt(td, &want.base, d.span)?;
                Some(Typed {
                    ex: Ex::Otherwise(Box::new(tx.ex), Box::new(dex)),
                    ty: want,
                    lit: false,
                })
            }
            ExprKind::IsPresent(x, positive) => {
                let tx = self.expr(x, sc)?;
                if !tx.ty.optional {
                    let text = self.snippet(x.span);
                    let word = if *positive { "present" } else { "absent" };
                    self.error(
                        x.span,
                        format!(
                            "`{text}` is never absent, so `is {word}` is always {}",
                            *positive
                        ),
                        "always present",
                        None,
                    );
                    return None;
                }
                Some(Typed {
                    ex: Ex::IsPresent(Box::new(tx.ex), *positive),
                    ty: Type::new(Base::Bool),
                    lit: false,
                })
            }
            ExprKind::If(c, t, f) => {
                let tc = self.expr(c, sc)?;
                self.bool_operand(&tc, c)?;
                let base = sc.present.len();
                sc.present.extend(presence(&tc.ex, true));
                let tt = self.expr(t, sc);
                sc.present.truncate(base);
                sc.present.extend(presence(&tc.ex, false));
                let tf = self.expr(f, sc);
                sc.present.truncate(base);
                let (tt, tf) = (tt?, tf?);
                let (bt, lit) = self.unify(&tt, &tf, e)?;
                let ty = Type {
                    base: bt.clone(),
                    optional: tt.ty.optional || tf.ty.optional,
                };
                let a = self.adapt(tt, &bt, t.span)?;
                let b = self.adapt(tf, &bt, f.span)?;
                Some(Typed {
                    ex: Ex::If(Box::new(tc.ex), Box::new(a), Box::new(b)),
                    ty,
                    lit,
                })
            }
            ExprKind::Call(name, args) => self.call(name, args, e, sc),
            ExprKind::Aggregate {
                kind,
                var,
                list,
                filter,
                body,
            } => self.aggregate(*kind, var, list, filter.as_deref(), body.as_deref(), e, sc),
        }
    }

    pub(super) fn bool_operand(&mut self, t: &Typed, e: &ast::Expr) -> Option<()> {
        self.present_or_err(t, e)?;
        if t.ty.base != Base::Bool {
            let shown = self.shown(&t.ty);
            self.error(
                e.span,
                format!("expected a bool, but this is {shown}"),
                "not true or false",
                None,
            );
            return None;
        }
        Some(())
    }

    pub(super) fn unify_types(
        &mut self,
        a: &Typed,
        b: &Typed,
        at: &ast::Expr,
    ) -> Option<(Base, bool)> {
        self.unify(a, b, at)
    }

    /// The common type of two values (if branches, min/max arguments).
    pub(super) fn unify(&mut self, a: &Typed, b: &Typed, at: &ast::Expr) -> Option<(Base, bool)> {
        let lit = a.lit && b.lit;
        let base = match (&a.ty.base, &b.ty.base) {
            (x, y) if x == y => x.clone(),
            (Base::Money, y) if is_num(y) && b.lit => Base::Money,
            (x, Base::Money) if is_num(x) && a.lit => Base::Money,
            (Base::Integer | Base::Decimal, Base::Integer | Base::Decimal) => Base::Decimal,
            (Base::Enum(id), Base::Str) if b.lit => Base::Enum(*id),
            (Base::Str, Base::Enum(id)) if a.lit => Base::Enum(*id),
            _ => {
                let (x, y) = (self.shown(&a.ty), self.shown(&b.ty));
                self.error(
                    at.span,
                    format!("these values have different types: {x} and {y}"),
                    "mixed types",
                    None,
                );
                return None;
            }
        };
        Some((base, lit))
    }

    /// Converts a literal to the representation of `base` (a string literal to an enum variant).
    fn adapt(&mut self, t: Typed, base: &Base, span: Span) -> Option<Ex> {
        match base {
            Base::Enum(id) if t.ty.base == Base::Str => self.enum_value(*id, t.ex, span),
            _ => Some(t.ex),
        }
    }

    /// Turns a literal string (or a constant, or an `if` choosing between them) into a
    /// variant of enumeration `id`; reports a string that names no variant.
    pub(super) fn enum_value(&mut self, id: usize, ex: Ex, span: Span) -> Option<Ex> {
        match ex {
            Ex::Const(Value::Str(s)) => match self.schema.variant_index(id, &s) {
                Some(i) => Some(Ex::Const(Value::Enum(i))),
                None => {
                    self.unknown_variant(id, &s, span);
                    None
                }
            },
            Ex::ConstRef(i) => {
                let inner = match self.consts.get(i) {
                    Some(Slot::Done(Some(t))) if !matches!(t.ex, Ex::ConstRef(j) if j == i) => {
                        t.ex.clone()
                    }
                    _ => return self.not_a_variant(id, span),
                };
                self.enum_value(id, inner, span)
            }
            Ex::If(c, a, b) => {
                let a = self.enum_value(id, *a, span)?;
                let b = self.enum_value(id, *b, span)?;
                Some(Ex::If(c, Box::new(a), Box::new(b)))
            }
            _ => self.not_a_variant(id, span),
        }
    }

    fn unknown_variant(&mut self, id: usize, s: &str, span: Span) {
        let Some(e) = self.schema.enums.get(id) else {
            return;
        };
        let (ename, variants) = (e.name.clone(), e.variants.clone());
        let refs: Vec<&str> = variants.iter().map(String::as_str).collect();
        let help = match suggest(s, &refs) {
            Some(v) => format!("did you mean \"{v}\"?"),
            None => format!("`{ename}` is one of: {}", variants.join(", ")),
        };
        self.error(
            span,
            format!("\"{s}\" is not a value of `{ename}`"),
            "unknown value",
            Some(help),
        );
    }

    fn not_a_variant(&mut self, id: usize, span: Span) -> Option<Ex> {
        let ename = self.schema.enums.get(id).map_or("", |e| e.name.as_str());
        let message = format!("expected a value of `{ename}` written as a string");
        self.error(
            span,
            message,
            "not a literal value",
            Some("write the value itself, like `\"lost\"`".into()),
        );
        None
    }

    fn binary(
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
                let tl = self.expr(l, sc)?;
                self.present_or_err(&tl, l)?;
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
                let (tl, tr) = (self.expr(l, sc)?, self.expr(r, sc)?);
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

    /// The items after `in`: a list literal, or a constant defined as one.
    fn list_items<'e>(&mut self, r: &'e ast::Expr) -> Option<&'e [ast::Expr]>
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
    fn comparable(
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
            (Base::Money, y) if is_num(y) => tr.lit,
            (x, Base::Money) if is_num(x) => tl.lit,
            (x, y) if is_num(x) && is_num(y) => true,
            (Base::Date, Base::Date)
            | (Base::DateTime, Base::DateTime)
            | (Base::Duration, Base::Duration) => true,
            (Base::Bool, Base::Bool) | (Base::Str, Base::Str) => !ordered,
            (Base::Enum(a), Base::Enum(b)) => a == b && !ordered,
            _ => false,
        };
        if !ok {
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

    fn enum_literal(
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

    fn arith_type(&mut self, op: BinOp, a: &Typed, b: &Typed, e: &ast::Expr) -> Option<Base> {
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
            _ => None,
        };
        if out.is_none() {
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
