//! Exact arithmetic on numbers: decimals while they suffice, fractions when they do not, rounded once.
//!
//! A number at run time is a [`Value::Num`] (a [`Decimal`]: the fast, common case) or a
//! [`Value::Ratio`] (a [`Ratio`] in lowest terms). The rules:
//!
//! - **Decimals first.** `+ - * /` on two decimals use `rust_decimal`, whose checked
//!   operations round silently when a result needs more than 28 places or more than
//!   96 bits of mantissa. Each result is therefore verified: a sum or difference must
//!   keep the larger operand scale, a product the sum of the operand scales (either
//!   operand zero is always exact), and a quotient `q` of `a / b` must give back `a` as
//!   the exact product `q * b`. A result that fails its check is recomputed as fractions.
//! - **Fractions when needed.** A quotient like `200 / 3` becomes the fraction `200/3`;
//!   any operation with a fraction operand is done on fractions (a decimal converts to
//!   one exactly), with checked `i128` arithmetic.
//! - **Normal form.** A result a decimal holds exactly (its denominator divides 10^k,
//!   k <= 28, and its mantissa fits 96 bits) is always a [`Value::Num`]; only the others
//!   are [`Value::Ratio`]. So a number has one representation, and equal numbers compare
//!   equal whichever way they were computed.
//! - **Range.** Numbers keep the range of a decimal: a result of magnitude 2^96
//!   (about 7.9e28) or more, or one whose numerator or denominator outgrows an `i128`, is
//!   an arithmetic overflow: an evaluation error, never a rounded value.
//! - **Comparison** (`== < >`, `min`, `max`, `in`, table rows) is exact and never fails.
//!
//! A number leaves exact arithmetic only at these points, each explicit:
//!
//! - an **amount** (a `pays`, `reduce by`, `cap at` or `floor at` value) and `round(x)`
//!   are rounded to the cent, half away from zero, by integer arithmetic ([`round_cents`]);
//! - a **note** shows money rounded to the cent, and a decimal as the nearest 28-place
//!   decimal ([`nearest_decimal`]), as does a **hook argument** declared `money` or
//!   `decimal` (hooks compute with decimals);
//! - where a **whole number** is needed (a hook's `integer` argument, a duration's
//!   multiplier, a count of business days), the number must be one ([`whole`]); a
//!   fraction there is an evaluation error, never truncated.

use std::cmp::Ordering;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::ir::Arith;
use crate::ratio::Ratio;
use crate::value::Value;

/// Why an arithmetic operation has no result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Overflow,
    DivisionByZero,
    /// An operand is not a number.
    NotANumber,
}

/// The largest magnitude plus one: numbers stay below 2^96, as decimals do.
const LIMIT: u128 = 1 << 96;

/// Whether a value is a number.
pub fn is_number(v: &Value) -> bool {
    matches!(v, Value::Num(_) | Value::Ratio(_))
}

/// `a op b`, exactly.
#[inline]
pub fn arith(op: Arith, a: &Value, b: &Value) -> Result<Value, Fault> {
    if let (Value::Num(x), Value::Num(y)) = (a, b) {
        if let Some(d) = decimal_op(op, *x, *y)? {
            return Ok(Value::Num(d));
        }
    }
    let (x, y) = (ratio(a)?, ratio(b)?);
    let r = match op {
        Arith::Add => x.checked_add(y),
        Arith::Sub => x.checked_sub(y),
        Arith::Mul => x.checked_mul(y),
        Arith::Div if y.is_zero() => return Err(Fault::DivisionByZero),
        Arith::Div => x.checked_div(y),
    };
    normal(r.ok_or(Fault::Overflow)?)
}

/// `a + b`, exactly.
#[inline]
pub fn add(a: &Value, b: &Value) -> Result<Value, Fault> {
    arith(Arith::Add, a, b)
}

/// The result of a decimal operation when `rust_decimal` computes it exactly; `None`
/// when it would round (or overflow), so the caller must use fractions.
#[inline]
fn decimal_op(op: Arith, a: Decimal, b: Decimal) -> Result<Option<Decimal>, Fault> {
    Ok(match op {
        Arith::Add => exact_sum(a, b, a.checked_add(b)),
        Arith::Sub => exact_sum(a, b, a.checked_sub(b)),
        Arith::Mul => exact_mul(a, b),
        Arith::Div if b.is_zero() => return Err(Fault::DivisionByZero),
        Arith::Div => a.checked_div(b).filter(|q| exact_mul(*q, b) == Some(a)),
    })
}

/// A sum or difference is exact when it keeps the larger scale: `rust_decimal` gives up
/// places (rounding) only when the mantissa overflows at that scale. With a zero
/// operand the result is the other operand, unchanged.
#[inline]
fn exact_sum(a: Decimal, b: Decimal, r: Option<Decimal>) -> Option<Decimal> {
    let r = r?;
    (r.scale() == a.scale().max(b.scale()) || a.is_zero() || b.is_zero()).then_some(r)
}

/// A product is exact when it keeps the sum of the scales: `rust_decimal` gives up
/// places (rounding) when that sum passes 28 or the mantissa passes 96 bits.
#[inline]
fn exact_mul(a: Decimal, b: Decimal) -> Option<Decimal> {
    let r = a.checked_mul(b)?;
    (r.scale() == a.scale() + b.scale() || a.is_zero() || b.is_zero()).then_some(r)
}

/// A number as a fraction.
fn ratio(v: &Value) -> Result<Ratio, Fault> {
    match v {
        Value::Num(d) => Ok(Ratio::from_decimal(*d)),
        Value::Ratio(r) => Ok(**r),
        _ => Err(Fault::NotANumber),
    }
}

/// A fraction in normal form: a decimal when one holds it exactly; an overflow beyond
/// the range of decimals.
pub fn normal(r: Ratio) -> Result<Value, Fault> {
    if r.numer().unsigned_abs() / r.denom().unsigned_abs() >= LIMIT {
        return Err(Fault::Overflow);
    }
    Ok(match r.to_decimal() {
        Some(d) => Value::Num(d),
        None => Value::Ratio(Box::new(r)),
    })
}

/// `-v`.
pub fn neg(v: &Value) -> Result<Value, Fault> {
    match v {
        Value::Num(n) => Ok(Value::Num(-*n)),
        Value::Ratio(r) => Ok(Value::Ratio(Box::new(r.neg()))),
        _ => Err(Fault::NotANumber),
    }
}

/// `|v|`.
pub fn abs(v: &Value) -> Result<Value, Fault> {
    match v {
        Value::Num(n) => Ok(Value::Num(n.abs())),
        Value::Ratio(r) => Ok(Value::Ratio(Box::new(r.abs()))),
        _ => Err(Fault::NotANumber),
    }
}

/// Orders two numbers exactly; `None` when either is not a number.
#[inline]
pub fn cmp(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Num(x), Value::Num(y)) => Some(x.cmp(y)),
        _ => Some(ratio(a).ok()?.cmp(&ratio(b).ok()?)),
    }
}

/// Orders a number against a decimal (a table bound) exactly.
pub fn cmp_decimal(a: &Value, b: Decimal) -> Option<Ordering> {
    match a {
        Value::Num(x) => Some(x.cmp(&b)),
        _ => Some(ratio(a).ok()?.cmp(&Ratio::from_decimal(b))),
    }
}

/// Money is rounded to the cent, half away from zero.
pub fn round_money(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

/// A number rounded to the cent, half away from zero: the one rounding of an amount.
pub fn round_cents(v: &Value) -> Result<Decimal, Fault> {
    match v {
        Value::Num(n) => Ok(round_money(*n)),
        Value::Ratio(r) => r.round_dp(2).ok_or(Fault::Overflow),
        _ => Err(Fault::NotANumber),
    }
}

/// A number as the nearest decimal of at most 28 places, half away from zero (exact for
/// a decimal); `None` when it is not a number.
pub fn nearest_decimal(v: &Value) -> Option<Decimal> {
    match v {
        Value::Num(n) => Some(*n),
        // Normal fractions lie within the range of decimals, so one is always found.
        Value::Ratio(r) => r.nearest_decimal(),
        _ => None,
    }
}

/// A number that must be whole, as an `i64`; `None` for a fraction or one out of range.
pub fn whole(v: &Value) -> Option<i64> {
    match v {
        // Written without a fraction (`2`), the mantissa is the number.
        Value::Num(n) if n.scale() == 0 => i64::try_from(n.mantissa()).ok(),
        Value::Num(n) if n.fract().is_zero() => i64::try_from(*n).ok(),
        // A whole number within range is always a decimal, never a fraction.
        _ => None,
    }
}

/// A number as people read it in a message: the decimal, or `200/3` for a fraction.
pub fn shown(v: &Value) -> String {
    match v {
        Value::Num(n) => n.normalize().to_string(),
        Value::Ratio(r) => r.to_string(),
        _ => String::new(),
    }
}
