//! Rule conditions made ready for the commonest shapes: a fact compared with a constant,
//! `is present`, `in` a list of constants, a yes/no fact, `any`/`all` over a list the
//! document holds, and `and`/`or`/`not` of those, each read in place, with no value built
//! and no error carried.
//!
//! A condition is first tested here; any part of another shape is handed to the evaluator
//! ([`Ctx::truth`]). When anything fails, or the answer may not be a plain yes or no (a fact
//! taken as not yet known, an assessed input the document leaves out, values that do not
//! compare), the test gives up and the whole condition is evaluated again by the evaluator,
//! which then says what went wrong exactly as it always does. Conditions read no state they
//! change, so reading them twice gives the same answer.

use crate::ast::AggKind;
use crate::eval::{order, Ctx};
use crate::ir::{Cmp, Ex};
use crate::value::Value;

/// A rule's condition, ready to be tested.
#[derive(Clone, Debug)]
pub enum Cond {
    /// Every part holds (an `and` chain, in order).
    All(Box<[Cond]>),
    /// Some part holds (an `or` chain, in order).
    Any(Box<[Cond]>),
    /// The part does not hold.
    Not(Box<Cond>),
    /// Two operands compared.
    Cmp(Cmp, Operand, Operand),
    /// `x in [..]` (or `not in` when the flag is false) with a list of constants.
    In(Operand, Box<[Value]>, bool),
    /// `fact is present` (or `is absent` when the flag is false).
    Present(Box<[usize]>, bool),
    /// An enumeration fact compared with variants numbered below 64: `fact == "v"` or
    /// `fact in ["v", "w"]`, or `!=` and `not in` when the flag is false. The mask has one
    /// bit a variant named, so the test is one bit of it.
    Variant(Box<[usize]>, u64, bool),
    /// `decision` compared with outcomes, as [`Cond::Variant`] compares a fact.
    Outcome(u64, bool),
    /// A yes/no fact.
    Flag(Box<Operand>),
    /// `any(x in L where F: C)`, or `all(...)` when the flag is true: the list, the
    /// variable's slot, the filter and the condition, each element bound in turn.
    Each {
        /// The list read.
        list: Operand,
        /// The slot each element is bound to.
        slot: usize,
        /// Which elements count (`where F`); all of them when none.
        filter: Option<Box<Cond>>,
        /// The condition tested of each element that counts.
        body: Box<Cond>,
        /// `all` rather than `any`.
        all: bool,
    },
    /// Any other expression, read by the evaluator.
    Other(Ex),
}

/// A rule's first test when it is an enumeration fact compared with variants: when the
/// fact holds a variant the test rules out, the whole condition is false (an `and` chain
/// stops at its first part), so the rule need not be read further.
#[derive(Clone, Debug)]
pub struct Guard {
    /// The fact, by field indices from the document root.
    path: Box<[usize]>,
    /// The variants for which the test holds, one bit each (those below 64).
    admits: u64,
}

impl Guard {
    /// Whether the condition is false for these facts, settled by the first test alone:
    /// the fact is a variant the test rules out. Anything else (the fact absent, a variant
    /// numbered 64 or more, a fact taken as not yet known) settles nothing.
    #[inline]
    pub fn rules_out(&self, cx: &Ctx<'_>) -> bool {
        match cx.fact(&self.path) {
            Value::Enum(k) => *k < 64 && !names(self.admits, *k) && cx.knows_all(),
            _ => false,
        }
    }
}

/// What a comparison reads.
#[derive(Clone, Debug)]
pub enum Operand {
    /// A constant.
    Const(Value),
    /// A fact, by field indices from the document root.
    Fact(Box<[usize]>),
    /// `fact otherwise constant`.
    FactOr(Box<[usize]>, Value),
    /// A bound variable (an element of an `any` or `all` being read) and field indices
    /// into it.
    Var(usize, Box<[usize]>),
}

impl Cond {
    /// `ex` made ready; a fact at one of the `assessed` paths is left to the evaluator,
    /// which waits for it when the document leaves it out.
    pub fn new(ex: &Ex, assessed: &[&[usize]]) -> Cond {
        let plain = |p: &[usize]| !assessed.contains(&p);
        let operand = |e: &Ex| match e {
            Ex::Const(v) => Some(Operand::Const(v.clone())),
            Ex::Fact(p) if plain(p) => Some(Operand::Fact(p.clone())),
            Ex::Var(slot, p) => Some(Operand::Var(*slot, p.clone())),
            Ex::Otherwise(a, d) => match (&**a, &**d) {
                (Ex::Fact(p), Ex::Const(v)) if plain(p) => {
                    Some(Operand::FactOr(p.clone(), v.clone()))
                }
                _ => None,
            },
            _ => None,
        };
        match variants(ex) {
            Some((Some(path), mask, positive)) if plain(&path) => {
                return Cond::Variant(path, mask, positive)
            }
            Some((None, mask, positive)) => return Cond::Outcome(mask, positive),
            _ => {}
        }
        match ex {
            Ex::And(..) => Cond::All(chain(ex, assessed, true)),
            Ex::Or(..) => Cond::Any(chain(ex, assessed, false)),
            Ex::Not(a) => Cond::Not(Box::new(Cond::new(a, assessed))),
            Ex::Cmp(op, a, b) => match (operand(a), operand(b)) {
                (Some(x), Some(y)) => Cond::Cmp(*op, x, y),
                _ => Cond::Other(ex.clone()),
            },
            Ex::In(a, items, positive) => {
                let consts: Option<Box<[Value]>> = items
                    .iter()
                    .map(|i| match i {
                        Ex::Const(v) => Some(v.clone()),
                        _ => None,
                    })
                    .collect();
                match (operand(a), consts) {
                    (Some(x), Some(consts)) => Cond::In(x, consts, *positive),
                    _ => Cond::Other(ex.clone()),
                }
            }
            Ex::IsPresent(a, positive) => match &**a {
                Ex::Fact(p) if plain(p) => Cond::Present(p.clone(), *positive),
                _ => Cond::Other(ex.clone()),
            },
            Ex::Fact(p) if plain(p) => Cond::Flag(Box::new(Operand::Fact(p.clone()))),
            Ex::Var(slot, p) => Cond::Flag(Box::new(Operand::Var(*slot, p.clone()))),
            Ex::Aggregate {
                kind: kind @ (AggKind::Any | AggKind::All),
                slot,
                list,
                filter,
                body: Some(body),
                ..
            } => {
                // A list that holds an assessed input is the evaluator's to wait for.
                let list = match &**list {
                    Ex::Fact(p) if !assessed.iter().any(|a| a.starts_with(p)) => {
                        Operand::Fact(p.clone())
                    }
                    Ex::Var(slot, p) => Operand::Var(*slot, p.clone()),
                    _ => return Cond::Other(ex.clone()),
                };
                Cond::Each {
                    list,
                    slot: *slot,
                    filter: filter.as_ref().map(|f| Box::new(Cond::new(f, assessed))),
                    body: Box::new(Cond::new(body, assessed)),
                    all: *kind == AggKind::All,
                }
            }
            _ => Cond::Other(ex.clone()),
        }
    }

    /// The condition's [`Guard`], when its first test (or the test itself) compares an
    /// enumeration fact with variants.
    pub fn guard(&self) -> Option<Guard> {
        match self {
            Cond::Variant(path, mask, positive) => Some(Guard {
                path: path.clone(),
                admits: if *positive { *mask } else { !*mask },
            }),
            Cond::All(parts) => parts.first()?.guard(),
            _ => None,
        }
    }

    /// Whether the condition holds; `None` when the evaluator is to say (see the module).
    pub fn test<'a>(&'a self, cx: &mut Ctx<'a>) -> Option<bool> {
        if !cx.knows_all() {
            return None;
        }
        let mark = cx.awaited.len();
        let held = self.holds(cx);
        if held.is_none() {
            cx.awaited.truncate(mark);
        }
        held
    }

    fn holds<'a>(&'a self, cx: &mut Ctx<'a>) -> Option<bool> {
        Some(match self {
            Cond::All(parts) => {
                for part in parts.iter() {
                    if !part.holds(cx)? {
                        return Some(false);
                    }
                }
                true
            }
            Cond::Any(parts) => {
                for part in parts.iter() {
                    if part.holds(cx)? {
                        return Some(true);
                    }
                }
                false
            }
            Cond::Not(a) => !a.holds(cx)?,
            Cond::Cmp(op, a, b) => op.holds(order(a.read(cx)?, b.read(cx)?)?),
            Cond::In(a, items, positive) => {
                let x = a.read(cx)?;
                let mut found = false;
                for y in items.iter() {
                    if order(x, y)?.is_eq() {
                        found = true;
                        break;
                    }
                }
                found == *positive
            }
            Cond::Present(p, positive) => cx.fact(p).is_absent() != *positive,
            Cond::Variant(p, mask, positive) => match cx.fact(p) {
                Value::Enum(k) => names(*mask, *k) == *positive,
                _ => return None,
            },
            Cond::Outcome(mask, positive) => names(*mask, cx.decision?) == *positive,
            Cond::Flag(a) => match a.read(cx)? {
                Value::Bool(b) => *b,
                _ => return None,
            },
            Cond::Each {
                list,
                slot,
                filter,
                body,
                all,
            } => {
                let items: &'a [Value] = match list.read(cx)? {
                    Value::List(items) => items,
                    Value::Absent => &[],
                    _ => return None,
                };
                if cx.bound() != *slot {
                    return None;
                }
                for item in items {
                    cx.bind(item);
                    let held = Cond::element(filter.as_deref(), body, cx);
                    cx.unbind();
                    // `any` stops at the first element that holds, `all` at the first
                    // that does not; an element the filter leaves out decides nothing.
                    if let Some(b) = held? {
                        if b != *all {
                            return Some(b);
                        }
                    }
                }
                *all
            }
            Cond::Other(ex) => cx.truth(ex).ok()?,
        })
    }

    /// An element of [`Cond::Each`], bound: `Some(None)` when the filter leaves it out,
    /// else whether the condition holds for it.
    fn element<'a>(
        filter: Option<&'a Cond>,
        body: &'a Cond,
        cx: &mut Ctx<'a>,
    ) -> Option<Option<bool>> {
        if let Some(f) = filter {
            if !f.holds(cx)? {
                return Some(None);
            }
        }
        Some(Some(body.holds(cx)?))
    }
}

/// Whether `mask` names variant `k`. A variant numbered 64 or more is named by no mask
/// (masks are made only of variants below 64), and is not read as the one 64 places
/// before it, as a wrapped shift would read it.
fn names(mask: u64, k: u32) -> bool {
    mask.checked_shr(k).is_some_and(|m| m & 1 == 1)
}

/// What an enumeration comparison reads (a fact's path, or `None` for `decision`), the
/// mask of the variants it names, and whether it asks for one of them.
type Variants = (Option<Box<[usize]>>, u64, bool);

/// The [`Variants`] of `ex`, when it compares a fact or `decision` with enumeration
/// constants (`==`, `!=`, `in`, `not in`) of variants numbered below 64.
fn variants(ex: &Ex) -> Option<Variants> {
    let (fact, items, positive) = match ex {
        Ex::Cmp(op @ (Cmp::Eq | Cmp::Ne), a, b) => match (&**a, &**b) {
            (Ex::Const(_), _) => (&**b, std::slice::from_ref(&**a), *op == Cmp::Eq),
            _ => (&**a, std::slice::from_ref(&**b), *op == Cmp::Eq),
        },
        Ex::In(a, items, positive) => (&**a, &items[..], *positive),
        _ => return None,
    };
    let path = match fact {
        Ex::Fact(path) => Some(path.clone()),
        Ex::Decision => None,
        _ => return None,
    };
    let mut mask = 0u64;
    for item in items {
        match item {
            Ex::Const(Value::Enum(k)) if *k < 64 => mask |= 1 << k,
            _ => return None,
        }
    }
    Some((path, mask, positive))
}

/// The operands of a chain of `and` (`all`) or `or`, in order, each made ready.
fn chain(ex: &Ex, assessed: &[&[usize]], all: bool) -> Box<[Cond]> {
    fn gather<'e>(ex: &'e Ex, all: bool, out: &mut Vec<&'e Ex>) {
        match ex {
            Ex::And(a, b) if all => {
                gather(a, all, out);
                gather(b, all, out);
            }
            Ex::Or(a, b) if !all => {
                gather(a, all, out);
                gather(b, all, out);
            }
            _ => out.push(ex),
        }
    }
    let mut parts = Vec::new();
    gather(ex, all, &mut parts);
    parts.into_iter().map(|p| Cond::new(p, assessed)).collect()
}

impl Operand {
    /// The value read; `None` for a variable not bound (the evaluator then says why).
    fn read<'a>(&'a self, cx: &Ctx<'a>) -> Option<&'a Value> {
        Some(match self {
            Operand::Const(v) => v,
            Operand::Fact(p) => cx.fact(p),
            Operand::FactOr(p, default) => match cx.fact(p) {
                Value::Absent => default,
                v => v,
            },
            Operand::Var(slot, p) => cx.var(*slot, p)?,
        })
    }
}
