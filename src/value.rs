//! Runtime values: what facts hold and what expressions produce.

use chrono::{DateTime, Datelike, NaiveDate, Timelike, Utc};
use rust_decimal::Decimal;

use crate::exact;
use crate::ratio::Ratio;
use crate::schema::Schema;
use crate::types::Base;

pub use crate::text::Text;

/// One value. Integers, decimals and money are all exact numbers at run time: a
/// [`Decimal`], or a [`Ratio`] for a result no decimal holds exactly (see
/// `crate::exact`); the checker keeps the types apart.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Absent,
    Bool(bool),
    Num(Decimal),
    /// A fraction no decimal holds exactly (`200/3`); boxed, as it is rare and twice as
    /// large as any other value.
    Ratio(Box<Ratio>),
    /// A string: short ones held in place (see [`Text`]).
    Str(Text),
    /// An enumeration variant, by index into its declaration.
    Enum(u32),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    /// A span of time in seconds.
    Duration(i64),
    /// A number of calendar months (a year is twelve).
    Months(i64),
    Record(Box<[Value]>),
    List(Box<[Value]>),
}

impl Value {
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }

    /// `n` absent values. Not `vec![Value::Absent; n]`, which clones a value n times
    /// through its `Clone` (about 1,900 instructions for a claim's records).
    pub fn absent(n: usize) -> Vec<Value> {
        std::iter::repeat_with(|| Value::Absent).take(n).collect()
    }

    /// `n` values not yet computed, as [`Value::absent`] makes them.
    pub fn none(n: usize) -> Vec<Option<Value>> {
        std::iter::repeat_with(|| None).take(n).collect()
    }
}

pub const SECONDS_PER_DAY: i64 = 86_400;

/// A value as the decision shows it: money to the cent, a fraction as the nearest
/// 28-place decimal.
pub fn display(v: &Value, base: &Base, schema: &Schema) -> String {
    match (v, base) {
        (Value::Num(n), Base::Money) => crate::decision::format_money(*n),
        (Value::Num(n), _) => n.normalize().to_string(),
        (Value::Ratio(r), Base::Money) => match r.round_dp(2) {
            Some(cents) => crate::decision::format_money(cents),
            None => exact::shown(v),
        },
        (Value::Ratio(r), _) => match r.nearest_decimal() {
            Some(d) => d.normalize().to_string(),
            None => exact::shown(v),
        },
        (Value::Str(s), _) => s.to_string(),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Enum(i), Base::Enum(id)) => schema
            .enums
            .get(*id)
            .and_then(|e| e.variants.get(*i as usize))
            .cloned()
            .unwrap_or_default(),
        (Value::Enum(i), _) => i.to_string(),
        (Value::Date(d), _) => format_date(*d),
        (Value::DateTime(t), _) => format_instant(*t),
        (Value::Duration(s), _) => duration(*s),
        (Value::Months(n), _) => match n {
            1 | -1 => format!("{n} month"),
            _ => format!("{n} months"),
        },
        (Value::Absent | Value::Record(_) | Value::List(_), _) => String::new(),
    }
}

/// The years a date or instant may fall in: what `YYYY-MM-DD` and RFC 3339 can write.
/// (Year 0 would be 1 BC; no plan covers it.)
pub const YEARS: std::ops::RangeInclusive<i32> = 1..=9999;

/// `d`, if its year is in [`YEARS`].
pub fn writable_date(d: NaiveDate) -> Option<NaiveDate> {
    YEARS.contains(&d.year()).then_some(d)
}

/// `t`, if its year (in UTC) is in [`YEARS`].
pub fn writable_instant(t: DateTime<Utc>) -> Option<DateTime<Utc>> {
    YEARS.contains(&t.naive_utc().year()).then_some(t)
}

/// `2025-07-14`, as chrono's `%Y-%m-%d` writes it, without the formatting machinery.
pub fn format_date(d: NaiveDate) -> String {
    if !(0..=9999).contains(&d.year()) {
        return d.format("%Y-%m-%d").to_string();
    }
    let mut out = String::with_capacity(10);
    push_date(&mut out, d.year().unsigned_abs(), d.month(), d.day());
    out
}

/// `2025-07-11T09:30:00Z`, as chrono's RFC 3339 writer with `AutoSi` and `Z` writes it;
/// an instant with a fraction of a second (`2025-07-11T09:30:00.250Z`) goes to chrono.
pub fn format_instant(t: DateTime<Utc>) -> String {
    // The fields read from the UTC time itself: each read of a `DateTime` first adds its
    // (zero) offset.
    let n = t.naive_utc();
    if !(0..=9999).contains(&n.year()) || n.nanosecond() != 0 {
        return t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    }
    let mut out = String::with_capacity(20);
    push_date(&mut out, n.year().unsigned_abs(), n.month(), n.day());
    out.push('T');
    push_digits(&mut out, n.hour(), 2);
    out.push(':');
    push_digits(&mut out, n.minute(), 2);
    out.push(':');
    push_digits(&mut out, n.second(), 2);
    out.push('Z');
    out
}

fn push_date(out: &mut String, year: u32, month: u32, day: u32) {
    push_digits(out, year, 4);
    out.push('-');
    push_digits(out, month, 2);
    out.push('-');
    push_digits(out, day, 2);
}

/// The last `width` decimal digits of `n`, zero-padded.
fn push_digits(out: &mut String, n: u32, width: u32) {
    for place in (0..width).rev() {
        let digit = n / 10u32.pow(place) % 10;
        out.push(char::from_digit(digit, 10).unwrap_or('0'));
    }
}

/// A duration in the largest unit that divides it: `30 days`, `1 day`, `36 hours`,
/// `90 minutes`, `45 seconds`.
fn duration(seconds: i64) -> String {
    let (n, unit) = [(SECONDS_PER_DAY, "day"), (3_600, "hour"), (60, "minute")]
        .into_iter()
        .find(|(size, _)| seconds % size == 0)
        .map_or((seconds, "second"), |(size, unit)| (seconds / size, unit));
    let plural = if n == 1 || n == -1 { "" } else { "s" };
    format!("{n} {unit}{plural}")
}
