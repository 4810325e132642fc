//! Runtime values: what facts hold and what expressions produce.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

/// One value. Integers, decimals and money are all exact [`Decimal`]s at run time;
/// the checker keeps them apart.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Absent,
    Bool(bool),
    Num(Decimal),
    Str(Arc<str>),
    /// An enumeration variant, by index into its declaration.
    Enum(u32),
    Date(NaiveDate),
    DateTime(DateTime<Utc>),
    /// A span of time in seconds.
    Duration(i64),
    Record(Box<[Value]>),
    List(Box<[Value]>),
}

impl Value {
    pub fn is_absent(&self) -> bool {
        matches!(self, Value::Absent)
    }
}

pub const SECONDS_PER_DAY: i64 = 86_400;
