//! Checked, name-resolved expressions: fact paths are field indices, names are slots.

use std::sync::Arc;

use rust_decimal::Decimal;

use crate::ast::AggKind;
use crate::span::Span;
use crate::value::Value;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Cmp {
    /// Whether two values in the order `ord` satisfy the comparison.
    pub fn holds(self, ord: std::cmp::Ordering) -> bool {
        match self {
            Cmp::Eq => ord.is_eq(),
            Cmp::Ne => ord.is_ne(),
            Cmp::Lt => ord.is_lt(),
            Cmp::Le => ord.is_le(),
            Cmp::Gt => ord.is_gt(),
            Cmp::Ge => ord.is_ge(),
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arith {
    Add,
    Sub,
    Mul,
    Div,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Min,
    Max,
    Round,
    Abs,
    DaysBetween,
    DateOf,
    AddBusinessDays,
    /// `lower(s)`: the string in lower case.
    Lower,
    /// `upper(s)`: the string in upper case.
    Upper,
    /// `trim(s)`: the string without white space at either end.
    Trim,
    /// `contains(s, t)`: whether `t` occurs in `s`.
    Contains,
    /// `starts_with(s, t)`: whether `s` begins with `t`.
    StartsWith,
    /// `ends_with(s, t)`: whether `s` ends with `t`.
    EndsWith,
}

impl Builtin {
    pub fn by_name(name: &str) -> Option<Builtin> {
        Some(match name {
            "min" => Builtin::Min,
            "max" => Builtin::Max,
            "round" => Builtin::Round,
            "abs" => Builtin::Abs,
            "days_between" => Builtin::DaysBetween,
            "date" => Builtin::DateOf,
            "add_business_days" => Builtin::AddBusinessDays,
            "lower" => Builtin::Lower,
            "upper" => Builtin::Upper,
            "trim" => Builtin::Trim,
            "contains" => Builtin::Contains,
            "starts_with" => Builtin::StartsWith,
            "ends_with" => Builtin::EndsWith,
            _ => return None,
        })
    }

    pub const NAMES: [&'static str; 13] = [
        "min",
        "max",
        "round",
        "abs",
        "days_between",
        "date",
        "add_business_days",
        "lower",
        "upper",
        "trim",
        "contains",
        "starts_with",
        "ends_with",
    ];
}

/// A constant's amount in each currency (`const delay_fee = { USD: 5, EUR: 5 }`): its value
/// is the amount in the document's currency.
#[derive(Debug, PartialEq)]
pub struct Amounts {
    /// The constant's name, for the failure when the document's currency has no amount.
    pub name: Arc<str>,
    /// Code and amount, as written.
    pub amounts: Box<[(Arc<str>, Decimal)]>,
    /// The constant's declaration.
    pub span: Span,
}

impl Amounts {
    /// The amount in `currency`, if the constant gives one.
    pub fn of(&self, currency: &str) -> Option<Decimal> {
        self.amounts
            .iter()
            .find(|(c, _)| &**c == currency)
            .map(|(_, n)| *n)
    }
}

/// A resolved expression.
#[derive(Clone, Debug)]
pub enum Ex {
    Const(Value),
    /// An amount per currency, read in the document's currency.
    Amounts(Arc<Amounts>),
    /// A constant by index, folded to [`Ex::Const`] by the compiler.
    ConstRef(usize),
    /// A fact: field indices from the document root.
    Fact(Box<[usize]>),
    /// A bound variable (aggregate element or evidence item) and field indices into it.
    Var(usize, Box<[usize]>),
    Let(usize),
    /// Field indices into a computed record (`(the i in L where C).quantity`).
    Field(Box<Ex>, Box<[usize]>),
    /// The outcome being decided, readable by deadlines.
    Decision,
    /// A final amount, readable by deadlines and notes: [`Ex::PAYOUT`], [`Ex::REFUND`], or
    /// `Ex::COMPONENTS + n` for payout component `n`.
    Paid(usize),
    Not(Box<Ex>),
    Neg(Box<Ex>, Span),
    And(Box<Ex>, Box<Ex>),
    Or(Box<Ex>, Box<Ex>),
    Cmp(Cmp, Box<Ex>, Box<Ex>),
    Arith(Arith, Box<Ex>, Box<Ex>, Span),
    /// Membership in a list of values, negated when the flag is false.
    In(Box<Ex>, Box<[Ex]>, bool),
    /// Membership in a list the document holds (the second), negated when the flag is false.
    Member(Box<Ex>, Box<Ex>, bool),
    Otherwise(Box<Ex>, Box<Ex>),
    IsPresent(Box<Ex>, bool),
    If(Box<Ex>, Box<Ex>, Box<Ex>),
    Call(Builtin, Box<[Ex]>, Span),
    /// A lookup in table `n` of the policy.
    Table(usize, Box<Ex>, Span),
    /// A lookup in table `n` whose rows compute from the value looked up: the rows'
    /// values for this call, each reading the argument.
    Rows(usize, Box<Ex>, Box<[Ex]>, Span),
    /// A call to hook `n` of the policy.
    Hook(usize, Box<[Ex]>, Span),
    /// Calendar `n` of the policy, the last argument of `add_business_days`; the compiler
    /// replaces it with the calendar's holidays, a list of dates in order.
    Calendar(usize),
    Aggregate {
        kind: AggKind,
        slot: usize,
        list: Box<Ex>,
        filter: Option<Box<Ex>>,
        body: Option<Box<Ex>>,
        span: Span,
    },
}

impl Ex {
    /// [`Ex::Paid`] slots: the payout, the refund, then the payout's components.
    pub const PAYOUT: usize = 0;
    pub const REFUND: usize = 1;
    pub const COMPONENTS: usize = 2;

    /// Calls `f` on each direct child.
    pub fn for_each_child(&self, f: &mut dyn FnMut(&Ex)) {
        match self {
            Ex::Const(_)
            | Ex::Amounts(_)
            | Ex::ConstRef(_)
            | Ex::Fact(_)
            | Ex::Var(..)
            | Ex::Let(_)
            | Ex::Calendar(_)
            | Ex::Decision
            | Ex::Paid(_) => {}
            Ex::Not(a)
            | Ex::Neg(a, _)
            | Ex::IsPresent(a, _)
            | Ex::Table(_, a, _)
            | Ex::Field(a, _) => f(a),
            Ex::And(a, b)
            | Ex::Or(a, b)
            | Ex::Cmp(_, a, b)
            | Ex::Arith(_, a, b, _)
            | Ex::Otherwise(a, b)
            | Ex::Member(a, b, _) => {
                f(a);
                f(b)
            }
            Ex::In(a, items, _) => {
                f(a);
                items.iter().for_each(f)
            }
            Ex::If(a, b, c) => {
                f(a);
                f(b);
                f(c)
            }
            Ex::Call(_, args, _) | Ex::Hook(_, args, _) => args.iter().for_each(f),
            Ex::Rows(_, a, rows, _) => {
                f(a);
                rows.iter().for_each(f)
            }
            Ex::Aggregate {
                list, filter, body, ..
            } => {
                f(list);
                if let Some(x) = filter {
                    f(x)
                }
                if let Some(x) = body {
                    f(x)
                }
            }
        }
    }

    /// The currencies in which every amount in each currency that this expression reads
    /// gives an amount, in the order the first gives them: those it can be computed in.
    /// Empty when it reads none.
    pub fn common_currencies(&self) -> Vec<Arc<str>> {
        fn all(ex: &Ex, out: &mut Vec<Arc<Amounts>>) {
            if let Ex::Amounts(a) = ex {
                out.push(Arc::clone(a));
            }
            ex.for_each_child(&mut |c| all(c, out));
        }
        let mut found = Vec::new();
        all(self, &mut found);
        let Some((first, rest)) = found.split_first() else {
            return Vec::new();
        };
        first
            .amounts
            .iter()
            .map(|(code, _)| code)
            .filter(|code| rest.iter().all(|a| a.of(code).is_some()))
            .cloned()
            .collect()
    }

    /// Whether the value is the same for every document in a currency: it reads only
    /// values written in the policy (no fact, value, table, hook or final amount).
    pub fn is_fixed(&self) -> bool {
        match self {
            Ex::Const(_) | Ex::Amounts(_) => true,
            Ex::ConstRef(_)
            | Ex::Fact(_)
            | Ex::Var(..)
            | Ex::Let(_)
            | Ex::Decision
            | Ex::Paid(_)
            | Ex::Table(..)
            | Ex::Rows(..)
            | Ex::Hook(..)
            | Ex::Calendar(_)
            | Ex::Aggregate { .. } => false,
            _ => {
                let mut fixed = true;
                self.for_each_child(&mut |c| fixed = fixed && c.is_fixed());
                fixed
            }
        }
    }

    /// Rewrites every node bottom-up with `f`.
    pub fn map(self, f: &mut dyn FnMut(Ex) -> Ex) -> Ex {
        fn b(mut e: Box<Ex>, f: &mut dyn FnMut(Ex) -> Ex) -> Box<Ex> {
            // Rewrites in place, keeping the allocation.
            let inner = std::mem::replace(&mut *e, Ex::Decision);
            *e = inner.map(f);
            e
        }
        fn all(es: Box<[Ex]>, f: &mut dyn FnMut(Ex) -> Ex) -> Box<[Ex]> {
            es.into_vec().into_iter().map(|x| x.map(f)).collect()
        }
        let node = match self {
            Ex::Not(a) => Ex::Not(b(a, f)),
            Ex::Field(a, p) => Ex::Field(b(a, f), p),
            Ex::Neg(a, s) => Ex::Neg(b(a, f), s),
            Ex::IsPresent(a, p) => Ex::IsPresent(b(a, f), p),
            Ex::And(x, y) => Ex::And(b(x, f), b(y, f)),
            Ex::Or(x, y) => Ex::Or(b(x, f), b(y, f)),
            Ex::Cmp(c, x, y) => Ex::Cmp(c, b(x, f), b(y, f)),
            Ex::Arith(o, x, y, s) => Ex::Arith(o, b(x, f), b(y, f), s),
            Ex::Otherwise(x, y) => Ex::Otherwise(b(x, f), b(y, f)),
            Ex::In(x, items, p) => Ex::In(b(x, f), all(items, f), p),
            Ex::Member(x, list, p) => Ex::Member(b(x, f), b(list, f), p),
            Ex::If(x, y, z) => Ex::If(b(x, f), b(y, f), b(z, f)),
            Ex::Call(c, args, s) => Ex::Call(c, all(args, f), s),
            Ex::Table(t, a, s) => Ex::Table(t, b(a, f), s),
            Ex::Hook(h, args, s) => Ex::Hook(h, all(args, f), s),
            Ex::Rows(t, a, rows, s) => Ex::Rows(t, b(a, f), all(rows, f), s),
            Ex::Aggregate {
                kind,
                slot,
                list,
                filter,
                body,
                span,
            } => Ex::Aggregate {
                kind,
                slot,
                list: b(list, f),
                filter: filter.map(|x| b(x, f)),
                body: body.map(|x| b(x, f)),
                span,
            },
            leaf => leaf,
        };
        f(node)
    }
}
