//! Currencies: the header's list, per-currency constants, and amounts that name no currency.
//!
//! A policy pays in one currency (`currency USD from order.currency`), in any of a list
//! (`currency USD, EUR from order.currency`) or in any currency the document states
//! (`currency from order.currency`). With more than one, a plain amount (`cap at 500`) has
//! no currency: amounts are per-currency constants (`const fee = { USD: 5, EUR: 5 }`), and
//! only 0, the same in every currency, is written as a number.

use std::sync::Arc;

use super::expr::Typed;
use super::tables::TableSlot;
use super::{Checker, Slot};
use crate::ast::{self, ExprKind, Header};
use crate::ir::{Amounts, Ex};
use crate::span::Span;
use crate::types::{Base, Type};
use crate::value::Value;

/// The header's currencies as shown: `USD`, `USD, EUR`, or `any` for `currency from`.
pub(super) fn shown(h: &Header) -> Option<String> {
    if h.any_currency.is_some() {
        return Some("any".into());
    }
    let first = h.currency.as_ref()?;
    let codes: Vec<&str> = std::iter::once(first)
        .chain(&h.more_currencies)
        .map(|c| c.name.as_str())
        .collect();
    Some(codes.join(", "))
}

/// The currencies the policy pays in, as listed; empty when it pays in any.
pub(super) fn listed(h: &Header) -> Vec<String> {
    h.currency
        .iter()
        .chain(&h.more_currencies)
        .map(|c| c.name.clone())
        .collect()
}

/// Whether `code` is written as an ISO 4217 code: three capital letters.
pub fn is_code(code: &str) -> bool {
    code.len() == 3 && code.bytes().all(|b| b.is_ascii_uppercase())
}

impl Checker<'_> {
    /// Every listed code is a currency code, listed once, and a policy that pays in several
    /// names the fact that states a document's currency.
    pub(super) fn header_currencies(&mut self) {
        let h = &self.ast.header;
        let mut seen: Vec<&str> = Vec::new();
        for cur in h.currency.iter().chain(&h.more_currencies) {
            if !is_code(&cur.name) {
                self.error(
                    cur.span,
                    format!("`{}` is not a currency code", cur.name),
                    "currency",
                    Some("use an ISO 4217 code such as `USD`".into()),
                );
            } else if seen.contains(&cur.name.as_str()) {
                self.error(
                    cur.span,
                    format!("`{}` is listed twice", cur.name),
                    "listed again",
                    Some("list each currency once".into()),
                );
            }
            seen.push(&cur.name);
        }
        if let (Some(first), Some(last), None) =
            (&h.currency, h.more_currencies.last(), &h.currency_from)
        {
            let codes = listed(h).join(", ");
            self.error(
                first.span.to(last.span),
                "a policy that pays in several currencies names the fact that states a \
                 document's currency",
                "which one applies?",
                Some(format!("write `currency {codes} from order.currency`")),
            );
        }
    }

    /// Whether the policy pays in more than one currency (a list, or any).
    pub(super) fn several_currencies(&self) -> bool {
        let h = &self.ast.header;
        h.any_currency.is_some() || !h.more_currencies.is_empty()
    }

    /// A constant written as an amount in each currency (`{ USD: 5, EUR: 5 }`): money, read in
    /// the document's currency. Every code is a currency code, given once; when the header
    /// lists the currencies, the constant gives each of them and no other.
    pub(super) fn amounts_const(
        &mut self,
        b: &ast::Binding,
        entries: &[(ast::Ident, ast::Expr)],
    ) -> Option<Typed> {
        let mut ok = true;
        let mut amounts: Vec<(Arc<str>, rust_decimal::Decimal)> = Vec::new();
        // The codes given, with an amount or not (a wrong amount is not a missing one).
        let mut given: Vec<&str> = Vec::new();
        let listed = listed(&self.ast.header);
        let any = self.ast.header.any_currency.is_some();
        for (code, amount) in entries {
            let n = self.written_amount(b, code, amount);
            ok &= n.is_some();
            if !is_code(&code.name) {
                self.error(
                    code.span,
                    format!("`{}` is not a currency code", code.name),
                    "currency",
                    Some("use an ISO 4217 code such as `USD`".into()),
                );
                ok = false;
            } else if given.contains(&code.name.as_str()) {
                self.error(
                    code.span,
                    format!("`{}` is given twice in `{}`", code.name, b.name.name),
                    "given again",
                    Some("give each currency's amount once".into()),
                );
                ok = false;
            } else if !any && !listed.contains(&code.name) {
                self.error(
                    code.span,
                    format!("this policy does not pay in `{}`", code.name),
                    "not in the header",
                    Some(format!(
                        "the header lists {}: add `{}` there, or remove this amount",
                        listed.join(", "),
                        code.name
                    )),
                );
                ok = false;
            }
            given.push(&code.name);
            if let Some(n) = n {
                amounts.push((code.name.as_str().into(), n));
            }
        }
        let missing: Vec<&str> = listed
            .iter()
            .filter(|l| !given.contains(&l.as_str()))
            .map(String::as_str)
            .collect();
        if !any && !missing.is_empty() {
            let shown: Vec<String> = missing.iter().map(|m| format!("`{m}`")).collect();
            let example: Vec<String> = missing.iter().map(|m| format!("{m}: ...")).collect();
            self.error(
                b.value.span,
                format!(
                    "`{}` gives no amount in {}, which this policy pays in",
                    b.name.name,
                    shown.join(", ")
                ),
                format!("no {}", missing.join(", ")),
                Some(format!(
                    "give an amount in every currency the header lists: add `{}`",
                    example.join(", ")
                )),
            );
            ok = false;
        }
        ok.then(|| Typed {
            ex: Ex::Amounts(Arc::new(Amounts {
                name: b.name.name.as_str().into(),
                amounts: amounts.into(),
                span: b.span,
            })),
            ty: Type::new(Base::Money),
            lit: false,
        })
    }

    /// The amount `code` is given in a per-currency constant: a number written out, `5` or
    /// `4.50`, or below zero, `-5`, as a money constant may be. Anything else is reported at
    /// the amount.
    fn written_amount(
        &mut self,
        b: &ast::Binding,
        code: &ast::Ident,
        amount: &ast::Expr,
    ) -> Option<rust_decimal::Decimal> {
        match &amount.kind {
            ExprKind::Number(n, _) => return Some(*n),
            ExprKind::Neg(inner) => {
                if let ExprKind::Number(n, _) = inner.kind {
                    return Some(-n);
                }
            }
            _ => {}
        }
        let what = match &amount.kind {
            ExprKind::Str(_) => "a string",
            ExprKind::Path(_) => "a name",
            ExprKind::Percent(_) | ExprKind::PercentOf(..) => "a percentage",
            ExprKind::Duration(..) => "a duration",
            ExprKind::Date(_) => "a date",
            ExprKind::Bool(_) => "a truth value",
            _ => "a computation",
        };
        let label = format!("{what}, not a number");
        let (c, name) = (&code.name, &b.name.name);
        self.error(
            amount.span,
            "an amount in each currency is a number written out",
            label,
            Some(format!(
                "write `{name}`'s amount in {c} as a number, like `{c}: 5` or `{c}: 4.50` \
                 (`{c}: -5` below zero)"
            )),
        );
        None
    }

    /// Reports a literal number taken as money (`cap at 500`) in a policy that pays in
    /// several currencies: it says in none which currency it is. 0 is 0 in every currency.
    pub(super) fn in_currency(&mut self, t: &Typed, span: Span) {
        if !self.several_currencies()
            || !t.lit
            || !matches!(t.ty.base, Base::Integer | Base::Decimal)
            || !self.nonzero(&t.ex, 0)
        {
            return;
        }
        let text = self.snippet(span);
        let (name, amount) = match &t.ex {
            Ex::ConstRef(i) => {
                let value = self.ast.consts.get(*i).map(|b| self.snippet(b.value.span));
                (text.clone(), value.unwrap_or_else(|| "5".into()))
            }
            _ if text.parse::<rust_decimal::Decimal>().is_ok() => ("amount".into(), text.clone()),
            _ => ("amount".into(), "5".into()),
        };
        let each = self.example_amounts(&amount);
        let help = if name == text {
            format!("write `{name}` in each currency: `const {name} = {{ {each} }}`")
        } else {
            format!(
                "name it in each currency, `const {name} = {{ {each} }}`, and write `{name}` here"
            )
        };
        self.error(
            span,
            "an amount in a policy that pays in several currencies says which currency",
            "in no currency",
            Some(help),
        );
    }

    /// `amount` in each currency, for a help: `USD: 5, EUR: 5` (the header's currencies
    /// when it lists several).
    pub(super) fn example_amounts(&self, amount: &str) -> String {
        let h = &self.ast.header;
        let codes = match listed(h) {
            l if l.len() > 1 && h.any_currency.is_none() => l,
            _ => vec!["USD".to_string(), "EUR".to_string()],
        };
        let each: Vec<String> = codes.iter().map(|c| format!("{c}: {amount}")).collect();
        each.join(", ")
    }

    /// Whether a literal value holds a number other than 0 (through the constants and
    /// tables it reads).
    fn nonzero(&self, ex: &Ex, depth: usize) -> bool {
        if depth > 64 {
            return false;
        }
        match ex {
            Ex::Const(Value::Num(n)) => !n.is_zero(),
            Ex::ConstRef(i) => match self.consts.get(*i) {
                Some(Slot::Done(Some(t))) => self.nonzero(&t.ex, depth + 1),
                _ => false,
            },
            Ex::Table(i, _, _) => match self.tables.get(*i) {
                Some(TableSlot::Done(Some(def))) => {
                    def.values.iter().any(|v| self.nonzero(v, depth + 1))
                }
                _ => false,
            },
            _ => {
                let mut any = false;
                ex.for_each_child(&mut |c| any = any || self.nonzero(c, depth + 1));
                any
            }
        }
    }
}
