//! Exact rational numbers: an `i128` numerator over a positive `i128` denominator, in lowest terms.
//!
//! A [`Ratio`] holds the numbers a 28-digit decimal cannot: `200/3`, or a sum of thirds
//! and sevenths. Every operation is exact or fails: a result whose numerator or
//! denominator would not fit an `i128` is `None` (the caller reports an arithmetic
//! overflow), never a rounded value. Comparison never fails. Rounding, the one step that
//! leaves exact arithmetic, is explicit: [`Ratio::round_to_scale`] rounds half away from
//! zero with integer arithmetic only. How the evaluator uses this type is described in
//! [`crate::exact`].

use std::cmp::Ordering;
use std::fmt;

use rust_decimal::Decimal;

/// The most decimal places a [`Decimal`] holds.
pub const MAX_SCALE: u32 = 28;

/// A fraction `num / den` with `den > 0` and `gcd(num, den) == 1`; `num` is never
/// `i128::MIN`, so negation cannot overflow.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Ratio {
    num: i128,
    den: i128,
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    /// `num / den` in lowest terms; `None` when `den` is zero or a part would be `i128::MIN`.
    pub fn new(num: i128, den: i128) -> Option<Ratio> {
        if den == 0 {
            return None;
        }
        let negative = (num < 0) != (den < 0);
        from_magnitudes(negative, num.unsigned_abs(), den.unsigned_abs())
    }

    /// The integer `n`; `None` for `i128::MIN`.
    pub fn integer(n: i128) -> Option<Ratio> {
        Ratio::new(n, 1)
    }

    /// A decimal, exactly. Never fails: a decimal's mantissa is below 2^96 and its
    /// denominator at most 10^28.
    pub fn from_decimal(d: Decimal) -> Ratio {
        let m = d.mantissa();
        let den = pow10(d.scale().min(MAX_SCALE));
        let g = gcd(m.unsigned_abs(), den.unsigned_abs());
        // `g` divides both exactly, and both are far from `i128::MIN`.
        let g = i128::try_from(g).unwrap_or(1);
        Ratio {
            num: m / g,
            den: den / g,
        }
    }

    pub fn numer(&self) -> i128 {
        self.num
    }

    pub fn denom(&self) -> i128 {
        self.den
    }

    pub fn is_zero(&self) -> bool {
        self.num == 0
    }

    pub fn is_integer(&self) -> bool {
        self.den == 1
    }

    pub fn is_negative(&self) -> bool {
        self.num < 0
    }

    pub fn checked_add(self, other: Ratio) -> Option<Ratio> {
        if self.den == other.den {
            return Ratio::new(self.num.checked_add(other.num)?, self.den);
        }
        // a/b + c/d = (a*(d/g) + c*(b/g)) / (b/g * d), g = gcd(b, d).
        let g = gcd_i(self.den, other.den);
        let (b, d) = (self.den / g, other.den / g);
        let num = self
            .num
            .checked_mul(d)?
            .checked_add(other.num.checked_mul(b)?)?;
        Ratio::new(num, b.checked_mul(other.den)?)
    }

    pub fn checked_sub(self, other: Ratio) -> Option<Ratio> {
        self.checked_add(other.neg())
    }

    pub fn checked_mul(self, other: Ratio) -> Option<Ratio> {
        if self.num == 0 || other.num == 0 {
            return Some(Ratio::ZERO);
        }
        // Cancel across before multiplying: (a/g1)(c/g2) / ((b/g2)(d/g1)) is in lowest terms.
        let g1 = gcd_i(self.num, other.den);
        let g2 = gcd_i(other.num, self.den);
        let num = (self.num / g1).checked_mul(other.num / g2)?;
        let den = (self.den / g2).checked_mul(other.den / g1)?;
        Ratio::new(num, den)
    }

    /// `None` when `other` is zero or the result does not fit.
    pub fn checked_div(self, other: Ratio) -> Option<Ratio> {
        self.checked_mul(other.recip()?)
    }

    /// `1 / self`; `None` for zero.
    pub fn recip(self) -> Option<Ratio> {
        Ratio::new(self.den, self.num)
    }

    /// `-self`: never overflows, as `num` is never `i128::MIN`.
    #[allow(clippy::should_implement_trait)]
    pub fn neg(self) -> Ratio {
        Ratio {
            num: -self.num,
            den: self.den,
        }
    }

    pub fn abs(self) -> Ratio {
        Ratio {
            num: self.num.abs(),
            den: self.den,
        }
    }

    /// The mantissa of `self` rounded to `scale` decimal places, half away from zero: the
    /// rounded value is `mantissa / 10^scale`. `None` when the mantissa does not fit an `i128`.
    pub fn round_to_scale(self, scale: u32) -> Option<i128> {
        let d = self.den.unsigned_abs();
        let n = self.num.unsigned_abs();
        let mut m = n / d;
        let mut r = n % d;
        for _ in 0..scale {
            let (digit, rest) = next_digit(r, d);
            m = m.checked_mul(10)?.checked_add(digit)?;
            r = rest;
        }
        // The rest is at least half a unit of the last place: away from zero. `r < d <= 2^127`,
        // so `2r` fits.
        if r * 2 >= d {
            m = m.checked_add(1)?;
        }
        let m = i128::try_from(m).ok()?;
        Some(if self.num < 0 { -m } else { m })
    }

    /// `self` rounded to `scale` (at most 28) decimal places, half away from zero, as a
    /// decimal; `None` when it does not fit one.
    pub fn round_dp(self, scale: u32) -> Option<Decimal> {
        if scale > MAX_SCALE {
            return None;
        }
        Decimal::try_from_i128_with_scale(self.round_to_scale(scale)?, scale).ok()
    }

    /// `self` as a decimal, when one holds it exactly: the denominator divides 10^k for
    /// some k <= 28 and the mantissa fits 96 bits.
    pub fn to_decimal(self) -> Option<Decimal> {
        let den = self.den.unsigned_abs();
        let twos = den.trailing_zeros();
        let mut rest = den >> twos;
        let mut fives = 0;
        while rest % 5 == 0 {
            rest /= 5;
            fives += 1;
        }
        let scale = twos.max(fives);
        if rest != 1 || scale > MAX_SCALE {
            return None;
        }
        let factor = pow10(scale) / self.den;
        Decimal::try_from_i128_with_scale(self.num.checked_mul(factor)?, scale).ok()
    }

    /// The decimal nearest `self` with as many places (up to 28) as fit, half away from
    /// zero; `None` when even the integer part does not fit a decimal.
    pub fn nearest_decimal(self) -> Option<Decimal> {
        (0..=MAX_SCALE).rev().find_map(|scale| self.round_dp(scale))
    }
}

impl Ord for Ratio {
    /// Exact, and never overflows: compares integer parts, then the reciprocals of the
    /// fractional parts (the steps of Euclid's algorithm), so no product is ever formed.
    fn cmp(&self, other: &Ratio) -> Ordering {
        let (mut a, mut b, mut c, mut d) = (self.num, self.den, other.num, other.den);
        loop {
            // b, d > 0 and a, c are never i128::MIN, so these cannot overflow.
            let (qa, ra) = (a.div_euclid(b), a.rem_euclid(b));
            let (qc, rc) = (c.div_euclid(d), c.rem_euclid(d));
            if qa != qc {
                return qa.cmp(&qc);
            }
            match (ra == 0, rc == 0) {
                (true, true) => return Ordering::Equal,
                (true, false) => return Ordering::Less,
                (false, true) => return Ordering::Greater,
                (false, false) => {}
            }
            // ra/b against rc/d orders as d/rc against b/ra; both fractions are in (0, 1),
            // so the new numerators are positive and the denominators shrink.
            (a, b, c, d) = (d, rc, b, ra);
        }
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Ratio) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// `7/3`, or `5` for an integer.
impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.den == 1 {
            write!(f, "{}", self.num)
        } else {
            write!(f, "{}/{}", self.num, self.den)
        }
    }
}

fn from_magnitudes(negative: bool, n: u128, d: u128) -> Option<Ratio> {
    let g = gcd(n, d);
    let (n, d) = (n / g, d / g);
    let num = i128::try_from(n).ok()?;
    let den = i128::try_from(d).ok()?;
    Some(Ratio {
        num: if negative { -num } else { num },
        den,
    })
}

/// 10^k for k <= 28 (which fits an `i128` with room to spare).
fn pow10(k: u32) -> i128 {
    10i128.pow(k.min(MAX_SCALE))
}

/// The next decimal digit of the fraction `r / d` (`r < d <= 2^127`) and the rest:
/// `10r = digit * d + rest`, computed without ever forming `10r`.
fn next_digit(r: u128, d: u128) -> (u128, u128) {
    let (mut acc, mut digit) = (0u128, 0u128);
    for _ in 0..10 {
        // acc < d and r < d, so acc + r < 2d <= 2^128.
        acc += r;
        if acc >= d {
            acc -= d;
            digit += 1;
        }
    }
    (digit, acc)
}

/// Greatest common divisor (Stein's algorithm); `gcd(0, n) == n`.
fn gcd(mut a: u128, mut b: u128) -> u128 {
    if a == 0 {
        return b;
    }
    if b == 0 {
        return a;
    }
    let shift = (a | b).trailing_zeros();
    a >>= a.trailing_zeros();
    loop {
        b >>= b.trailing_zeros();
        if a > b {
            std::mem::swap(&mut a, &mut b);
        }
        b -= a;
        if b == 0 {
            return a << shift;
        }
    }
}

/// The gcd of two parts of ratios (never `i128::MIN`), as an `i128`; 1 when both are zero.
fn gcd_i(a: i128, b: i128) -> i128 {
    let g = gcd(a.unsigned_abs(), b.unsigned_abs()).max(1);
    // A divisor of a part that is at most i128::MAX in magnitude fits.
    i128::try_from(g).unwrap_or(1)
}
