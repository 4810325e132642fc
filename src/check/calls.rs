//! Calls and aggregates: builtins, tables and hooks by signature; sum, count, min, max, any
//! and all over lists, and `the` element of a list that matches.

use super::expr::{assignable, is_num, presence, Scope, Typed};
use super::names::suggest;
use super::Checker;
use crate::ast::{self, AggKind};
use crate::ir::{Builtin, Ex};
use crate::types::{Base, Type};
use crate::value::Value;

impl<'a> Checker<'a> {
    pub(super) fn call(
        &mut self,
        name: &ast::Ident,
        args: &[ast::Expr],
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<Typed> {
        if let Some(&i) = self.function_index.get(name.name.as_str()) {
            return self.function_call(i, name, args, e, sc);
        }
        if self.let_index.contains_key(name.name.as_str())
            || self.const_index.contains_key(name.name.as_str())
        {
            self.error(
                e.span,
                format!("`{}` is a value, not a function", name.name),
                "called with arguments",
                Some(format!(
                    "write `{}` without arguments, or give it parameters: `let {}(PARAM) = ...`",
                    name.name, name.name
                )),
            );
            return None;
        }
        if let Some(&i) = self.table_index.get(name.name.as_str()) {
            let [arg] = args else {
                self.error(
                    e.span,
                    format!("table `{}` takes one value", name.name),
                    format!("{} given", args.len()),
                    None,
                );
                return None;
            };
            let t = self.expr(arg, sc)?;
            return self.table_call(i, t, e.span, arg.span, sc);
        }
        if let Some(&i) = self.hook_index.get(name.name.as_str()) {
            return self.hook_call(i, name, args, e, sc);
        }
        let Some(f) = Builtin::by_name(&name.name) else {
            let mut known: Vec<&str> = Builtin::NAMES.to_vec();
            known.extend(self.function_index.keys().copied());
            known.extend(self.table_index.keys().copied());
            known.extend(self.hook_index.keys().copied());
            let help = suggest(&name.name, &known).map_or_else(
                || format!("the functions are: {}", Builtin::NAMES.join(", ")),
                |s| format!("did you mean `{s}`?"),
            );
            self.error(
                name.span,
                format!("unknown function `{}`", name.name),
                "no such function",
                Some(help),
            );
            return None;
        };
        // `add_business_days(d, n, NAME)`: the third argument names a calendar.
        let (args, calendar) = match (f, args) {
            (Builtin::AddBusinessDays, [_, _, cal]) => {
                let i = self.calendar_arg(cal)?;
                (args.get(..2).unwrap_or(args), Some(Ex::Calendar(i)))
            }
            _ => (args, None),
        };
        let mut typed = Vec::new();
        for a in args {
            let t = self.expr(a, sc)?;
            self.present_or_err(&t, a)?;
            typed.push(t);
        }
        let one = matches!(
            f,
            Builtin::Round
                | Builtin::Abs
                | Builtin::DateOf
                | Builtin::Lower
                | Builtin::Upper
                | Builtin::Trim
        );
        let arity_ok = match f {
            Builtin::Min | Builtin::Max => typed.len() >= 2,
            _ if one => typed.len() == 1,
            _ => typed.len() == 2,
        };
        if !arity_ok {
            let want = match f {
                Builtin::Min | Builtin::Max => "two or more arguments",
                Builtin::AddBusinessDays => "two arguments, or three with a calendar",
                _ if one => "one argument",
                _ => "two arguments",
            };
            let help = match f {
                Builtin::Lower | Builtin::Upper | Builtin::Trim => {
                    Some(format!("write `{}(order.note)`", name.name))
                }
                Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => Some(format!(
                    "write `{}(text, part)`, such as `{}(order.note, \"gift\")`",
                    name.name, name.name
                )),
                Builtin::AddBusinessDays => Some(
                    "write `add_business_days(claim.filed_on, 2)`, or name a calendar of \
                     holidays to skip: `add_business_days(claim.filed_on, 2, us_federal)`"
                        .into(),
                ),
                _ => None,
            };
            self.error(
                e.span,
                format!("`{}` takes {want}", name.name),
                format!("{} given", typed.len()),
                help,
            );
            return None;
        }
        let bases: Vec<&Base> = typed.iter().map(|t| &t.ty.base).collect();
        let result = match (f, bases.as_slice()) {
            (Builtin::Min | Builtin::Max, _) => {
                let mut acc = typed.first()?.clone();
                for (t, a) in typed.iter().zip(args).skip(1) {
                    let (b, lit) = self.unify(&acc, t, a)?;
                    acc = Typed {
                        ex: Ex::Const(Value::Absent),
                        ty: Type::new(b),
                        lit,
                    };
                }
                if acc.ty.base == Base::Money {
                    for (t, a) in typed.iter().zip(args) {
                        self.in_currency(t, a.span);
                    }
                }
                let orderable = is_num(&acc.ty.base)
                    || matches!(acc.ty.base, Base::Date | Base::DateTime | Base::Duration);
                orderable.then(|| acc.ty.base.clone())
            }
            (Builtin::Round | Builtin::Abs, [b]) if is_num(b) => Some((*b).clone()),
            (Builtin::DateOf, [Base::DateTime]) => Some(Base::Date),
            (Builtin::DaysBetween, [Base::Date, Base::Date]) => Some(Base::Integer),
            (Builtin::AddBusinessDays, [Base::Date, Base::Integer]) => Some(Base::Date),
            (Builtin::Lower | Builtin::Upper | Builtin::Trim, [Base::Str]) => Some(Base::Str),
            (
                Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith,
                [Base::Str, Base::Str],
            ) => Some(Base::Bool),
            _ => None,
        };
        let Some(base) = result else {
            let sig = match f {
                Builtin::Min | Builtin::Max => "numbers, money, dates or durations of one type",
                Builtin::Round | Builtin::Abs => "a number or money",
                Builtin::DateOf => "(datetime)",
                Builtin::DaysBetween => "(date, date)",
                Builtin::AddBusinessDays => "(date, integer)",
                Builtin::Lower | Builtin::Upper | Builtin::Trim => "(string)",
                Builtin::Contains | Builtin::StartsWith | Builtin::EndsWith => "(string, string)",
            };
            let got: Vec<String> = typed.iter().map(|t| self.shown(&t.ty)).collect();
            let strings = matches!(
                f,
                Builtin::Lower
                    | Builtin::Upper
                    | Builtin::Trim
                    | Builtin::Contains
                    | Builtin::StartsWith
                    | Builtin::EndsWith
            );
            let help = if bases.contains(&&Base::DateTime) && f != Builtin::DateOf {
                Some("take the date of a datetime with `date(...)`".to_string())
            } else if strings && bases.iter().any(|b| matches!(b, Base::Enum(_))) {
                Some(
                    "a value of an enumeration is not text: compare it with `==` or `in`"
                        .to_string(),
                )
            } else if strings {
                Some("these functions read text: pass `string` facts or quoted strings".to_string())
            } else {
                None
            };
            self.error(
                e.span,
                format!(
                    "`{}` takes {sig}, but was given ({})",
                    name.name,
                    got.join(", ")
                ),
                "wrong arguments",
                help,
            );
            return None;
        };
        let lit = typed.iter().all(|t| t.lit) && is_num(&base);
        let exs: Vec<Ex> = typed.into_iter().map(|t| t.ex).chain(calendar).collect();
        Some(Typed {
            ex: Ex::Call(f, exs.into(), e.span),
            ty: Type::new(base),
            lit,
        })
    }

    pub(super) fn hook_call(
        &mut self,
        i: usize,
        name: &ast::Ident,
        args: &[ast::Expr],
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<Typed> {
        let sig = self.hooks.get(i)?.clone();
        if sig.params.len() != args.len() {
            let want = sig.params.len();
            self.error(
                e.span,
                format!("hook `{}` takes {want} values", name.name),
                format!("{} given", args.len()),
                None,
            );
            return None;
        }
        let mut exs = Vec::new();
        for (a, want) in args.iter().zip(&sig.params) {
            let t = self.expr(a, sc)?;
            if want.base == Base::Money {
                self.in_currency(&t, a.span);
            }
            if !assignable(&t, want) {
                let (w, g) = (self.shown(want), self.shown(&t.ty));
                self.error(
                    a.span,
                    format!("hook `{}` expects {w} here, but this is {g}", name.name),
                    "wrong type",
                    None,
                );
                return None;
            }
            exs.push(t.ex);
        }
        Some(Typed {
            ex: Ex::Hook(i, exs.into(), e.span),
            ty: sig.ret.clone(),
            lit: false,
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn aggregate(
        &mut self,
        kind: AggKind,
        var: &ast::Ident,
        list: &ast::Path,
        filter: Option<&ast::Expr>,
        body: Option<&ast::Expr>,
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<Typed> {
        let tl = self.resolve(list, sc)?;
        let Base::List(elem) = &tl.ty.base else {
            let shown = self.shown(&tl.ty);
            let help = (kind == AggKind::The).then(|| {
                "`the` picks from a list, such as `the i in order.items where i.sku == \"A\"`"
                    .to_string()
            });
            self.error(
                list.span,
                format!("`{}` is {shown}, not a list", list.dotted()),
                "not a list",
                help,
            );
            return None;
        };
        let slot = sc.vars.len();
        sc.vars
            .push((var.name.clone(), Type::new((**elem).clone())));
        let result = self.aggregate_body(kind, filter, body, e, sc);
        sc.vars.truncate(slot);
        let (filter, body, base) = result?;
        // `the` is the element itself.
        let base = if kind == AggKind::The {
            (**elem).clone()
        } else {
            base
        };
        // `min` and `max` of no element have no value.
        let optional = matches!(kind, AggKind::Min | AggKind::Max);
        Some(Typed {
            ex: Ex::Aggregate {
                kind,
                slot,
                list: Box::new(tl.ex),
                filter,
                body,
                span: e.span,
            },
            ty: Type::new(base).optional(optional),
            lit: false,
        })
    }

    /// Reports the value of a `sum`, `min` or `max` that reads a field through a record
    /// absent from some elements (`c.payout.amount`, where an earlier decision's `payout`
    /// may be absent), saying how to keep the elements that have it. `None` when reported.
    fn optional_record_in(
        &mut self,
        t: &Typed,
        b: &ast::Expr,
        kind: AggKind,
        sc: &Scope,
    ) -> Option<()> {
        let ast::ExprKind::Path(path) = &b.kind else {
            return Some(());
        };
        if !t.ty.optional {
            return Some(());
        }
        for len in 2..path.segments.len() {
            let segments = path.segments.get(..len).unwrap_or_default().to_vec();
            let prefix = ast::Path {
                span: segments
                    .iter()
                    .map(|s| s.span)
                    .reduce(|a, b| a.to(b))
                    .unwrap_or(path.span),
                segments,
            };
            let before = self.errors.len();
            let found = self.resolve(&prefix, sc);
            self.errors.truncate(before);
            if !found.is_some_and(|p| p.ty.optional) {
                continue;
            }
            let (record, text) = (prefix.dotted(), path.dotted());
            let absent = match kind {
                AggKind::Sum => "0",
                _ => "VALUE",
            };
            self.error(
                b.span,
                format!("`{text}` may be absent: `{record}` is absent from some elements"),
                "may be absent here",
                Some(format!(
                    "keep the elements that have it, `where {record} is present`, or say \
                     what one without it counts as: `{text} otherwise {absent}`"
                )),
            );
            return None;
        }
        Some(())
    }

    #[allow(clippy::type_complexity)]
    pub(super) fn aggregate_body(
        &mut self,
        kind: AggKind,
        filter: Option<&ast::Expr>,
        body: Option<&ast::Expr>,
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<(Option<Box<Ex>>, Option<Box<Ex>>, Base)> {
        let mut tf = None;
        let base = sc.present.len();
        if let Some(f) = filter {
            let t = self.expr(f, sc)?;
            self.bool_operand(&t, f)?;
            sc.present.extend(presence(&t.ex, true));
            tf = Some(Box::new(t.ex));
        }
        let tb = body.map(|b| (self.expr(b, sc), b));
        sc.present.truncate(base);
        let name = kind.as_str();
        let out = match (kind, tb) {
            (AggKind::Count, None) => (None, Base::Integer),
            // The element's type is set by the caller.
            (AggKind::The, _) => (None, Base::Bool),
            (AggKind::Count, Some((_, b))) => {
                self.error(
                    b.span,
                    "`count` takes a `where` condition, not a value",
                    "unexpected value",
                    Some("write `count(x in list where condition)`".into()),
                );
                return None;
            }
            (_, None) => {
                self.error(
                    e.span,
                    format!("`{name}` needs a value after `:`"),
                    "no value",
                    Some(format!("write `{name}(x in list: expression)`")),
                );
                return None;
            }
            (AggKind::Sum, Some((t, b))) => {
                let t = t?;
                self.optional_record_in(&t, b, kind, sc)?;
                self.present_or_err(&t, b)?;
                if !is_num(&t.ty.base) {
                    let shown = self.shown(&t.ty);
                    self.error(
                        b.span,
                        format!("`sum` adds numbers or money, but this is {shown}"),
                        "not a number",
                        None,
                    );
                    return None;
                }
                (Some(Box::new(t.ex)), t.ty.base)
            }
            (AggKind::Min | AggKind::Max, Some((t, b))) => {
                let t = t?;
                self.optional_record_in(&t, b, kind, sc)?;
                self.present_or_err(&t, b)?;
                let orderable = is_num(&t.ty.base)
                    || matches!(t.ty.base, Base::Date | Base::DateTime | Base::Duration);
                if !orderable {
                    let shown = self.shown(&t.ty);
                    self.error(
                        b.span,
                        format!(
                            "`{name}` picks among numbers, money, dates, datetimes or durations, but this is {shown}"
                        ),
                        "not ordered",
                        Some(format!(
                            "write a value that orders after `:`, such as `{name}(i in order.items: i.unit_price)`"
                        )),
                    );
                    return None;
                }
                (Some(Box::new(t.ex)), t.ty.base)
            }
            (_, Some((t, b))) => {
                let t = t?;
                self.bool_operand(&t, b)?;
                (Some(Box::new(t.ex)), Base::Bool)
            }
        };
        Some((tf, out.0, out.1))
    }
}
