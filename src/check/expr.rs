//! Expression typing: every operator, call and aggregate gets a type or an error.

use super::names::{key, suggest};
use super::{Checker, Slot};
use crate::ast::{self, AggKind, ExprKind, TimeUnit};
use crate::ir::Ex;
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
    /// Names that stand for an argument's expression: a table's parameter in a row that
    /// computes from it.
    pub params: Vec<(String, Typed)>,
    /// The comparison whose operand is being checked, for help that rewrites it.
    pub compared: Option<Compared>,
    /// Optional paths an `eligible from` reads as present (it gives no date when one is
    /// absent): testing one there is worded as such.
    pub assumed: Vec<String>,
}

/// An operand of a comparison (`c.reasons.rule == "x"`), while it is checked.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Compared {
    pub op: ast::BinOp,
    /// The operand.
    pub operand: Span,
    /// The whole comparison.
    pub whole: Span,
}

impl Scope {
    fn new(allow_decision: bool, in_const: bool, present: &[String]) -> Self {
        Scope {
            vars: Vec::new(),
            evidence: None,
            allow_decision,
            in_const,
            present: present.to_vec(),
            params: Vec::new(),
            compared: None,
            assumed: Vec::new(),
        }
    }

    /// The scope of a rule's expression.
    pub fn top() -> Self {
        Scope::new(false, false, &[])
    }

    /// The scope of a definition expanded where it is called: the caller's variables keep
    /// their slots but cannot be named, and `params` stand for the arguments.
    pub fn inside(caller: &Scope, params: Vec<(String, Typed)>) -> Self {
        Scope {
            vars: caller
                .vars
                .iter()
                .map(|(_, t)| (String::new(), t.clone()))
                .collect(),
            evidence: None,
            allow_decision: false,
            in_const: caller.in_const,
            present: Vec::new(),
            params,
            compared: None,
            assumed: Vec::new(),
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
        let t = self.expr(e, &mut Scope::new(allow_decision, false, &[]));
        self.within_depth(t, e.span)
    }

    pub(super) fn narrowed_expr(
        &mut self,
        e: &ast::Expr,
        present: &[String],
        allow_decision: bool,
    ) -> Option<Typed> {
        let t = self.expr(e, &mut Scope::new(allow_decision, false, present));
        self.within_depth(t, e.span)
    }

    /// An `eligible from` expression, checked with the optional paths it reads as present
    /// (`assumed`) besides those known present (`present`).
    pub(super) fn eligible_expr(
        &mut self,
        e: &ast::Expr,
        present: &[String],
        assumed: &[String],
    ) -> Option<Typed> {
        let mut sc = Scope::new(false, false, present);
        sc.present.extend(assumed.iter().cloned());
        sc.assumed = assumed.to_vec();
        let t = self.expr(e, &mut sc);
        self.within_depth(t, e.span)
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
        let t = self.expr(e, &mut sc);
        self.within_depth(t, e.span)
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
        if self.absent_aggregate(e) {
            return None;
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

    /// Reports a `min` or `max` aggregate (which has no value when no element is left) used
    /// where a value is required; false for any other expression.
    pub(super) fn absent_aggregate(&mut self, e: &ast::Expr) -> bool {
        let ExprKind::Aggregate {
            kind: kind @ (AggKind::Min | AggKind::Max),
            list,
            filter,
            ..
        } = &e.kind
        else {
            return false;
        };
        let when = match filter {
            Some(_) => format!("`{}` is empty or `where` keeps no element", list.dotted()),
            None => format!("`{}` is empty", list.dotted()),
        };
        let text = self.snippet(e.span);
        self.error(
            e.span,
            format!("`{}` has no value when {when}", kind.as_str()),
            "may be absent",
            Some(format!(
                "say what it is then: `{text} otherwise VALUE`, or name it with `let` and check `NAME is present` first"
            )),
        );
        true
    }

    pub(super) fn expr(&mut self, e: &ast::Expr, sc: &mut Scope) -> Option<Typed> {
        self.nesting += 1;
        let t = self.expr_here(e, sc);
        self.nesting -= 1;
        t
    }

    fn expr_here(&mut self, e: &ast::Expr, sc: &mut Scope) -> Option<Typed> {
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
            ExprKind::Percent(n) => match n.checked_div(rust_decimal::Decimal::ONE_HUNDRED) {
                Some(v) => lit(Value::Num(v), Base::Decimal),
                None => {
                    self.error(e.span, "percentage is out of range", "here", None);
                    None
                }
            },
            ExprKind::PercentOf(pct, of) => {
                // `N% of X` is `X * (N/100)`, typed as that product.
                let ExprKind::Percent(n) = pct.kind else {
                    self.error(pct.span, "expected a percentage", "here", None);
                    return None;
                };
                let Some(v) = n.checked_div(rust_decimal::Decimal::ONE_HUNDRED) else {
                    self.error(pct.span, "percentage is out of range", "here", None);
                    return None;
                };
                let rate = ast::Expr {
                    kind: ExprKind::Number(v, true),
                    span: pct.span,
                };
                self.binary(ast::BinOp::Mul, of, &rate, e, sc)
            }
            ExprKind::Str(s) => lit(Value::Str(s.as_str().into()), Base::Str),
            ExprKind::Amounts(_) => {
                self.error(
                    e.span,
                    "an amount in each currency is written only as a constant's value",
                    "not a constant",
                    Some("name it: `const fee = { USD: 5, EUR: 5 }`, then write `fee` here".into()),
                );
                None
            }
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
            ExprKind::Duration(n, unit) if unit.is_calendar() => {
                let per = if *unit == TimeUnit::Years { 12 } else { 1 };
                // Within the years a date can be written in, whatever it moves.
                let months = i64::try_from(n.trunc().mantissa())
                    .ok()
                    .and_then(|n| n.checked_mul(per))
                    .filter(|m| m.abs() <= 12 * 9_999);
                match months {
                    Some(m) => Some(Typed {
                        ex: Ex::Const(Value::Months(m)),
                        ty: Type::new(Base::Months),
                        lit: false,
                    }),
                    None => {
                        self.error(
                            e.span,
                            "calendar period is too long",
                            "here",
                            Some("at most 9999 years".into()),
                        );
                        None
                    }
                }
            }
            ExprKind::Duration(n, unit) => {
                let per = match unit {
                    TimeUnit::Hours => 3_600,
                    _ => SECONDS_PER_DAY,
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
                if !is_num(&t.ty.base) && !matches!(t.ty.base, Base::Duration | Base::Months) {
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
                if self.is_assessed(&tx.ex) {
                    self.assessed_presence(x.span, "otherwise ...");
                    return None;
                }
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
                if want.base == Base::Money {
                    self.in_currency(&td, d.span);
                }
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
                if self.is_assessed(&tx.ex) {
                    let word = if *positive { "is present" } else { "is absent" };
                    self.assessed_presence(x.span, word);
                    return None;
                }
                if !tx.ty.optional {
                    let text = self.snippet(x.span);
                    let word = if *positive { "present" } else { "absent" };
                    let assumed = super::names::key(&tx.ex).filter(|k| sc.assumed.contains(k));
                    if assumed.is_some() {
                        self.error(
                            x.span,
                            format!(
                                "`eligible from` reads `{text}` as present (when the document \
                                 leaves it out, the rule gives no date), so `is {word}` is always {}",
                                *positive
                            ),
                            "read as present",
                            Some(format!(
                                "to fall back on another date when `{text}` is absent, compute \
                                 the date in a `let` (`let since = if {text} is present then \
                                 {text} else OTHER_DATE`) and write `eligible from since + ...`"
                            )),
                        );
                        return None;
                    }
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
                if bt == Base::Money {
                    self.in_currency(&tt, t.span);
                    self.in_currency(&tf, f.span);
                }
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
            ExprKind::Access(inner, fields) => {
                let t = self.expr(inner, sc)?;
                // Messages name the fields after the bracketed expression, as written.
                let head = ast::Ident {
                    name: self.snippet(inner.span),
                    span: inner.span,
                };
                let path = ast::Path {
                    segments: std::iter::once(head)
                        .chain(fields.iter().cloned())
                        .collect(),
                    span: e.span,
                };
                self.walk(t.ex, t.ty, fields, &path, sc)
            }
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
        let ename = e.name.clone();
        let refs: Vec<&str> = e.variants.iter().map(String::as_str).collect();
        let help = match suggest(s, &refs) {
            Some(v) => format!("did you mean \"{v}\"?"),
            None => format!("`{ename}` is one of: {}", crate::diagnostic::listing(&refs)),
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
}
