//! Runtime values: what facts hold and what expressions produce.

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;

use crate::schema::Schema;
use crate::types::Base;

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

/// A value as the decision shows it.
pub fn display(v: &Value, base: &Base, schema: &Schema) -> String {
    match (v, base) {
        (Value::Num(n), Base::Money) => crate::decision::format_money(*n),
        (Value::Num(n), _) => n.normalize().to_string(),
        (Value::Str(s), _) => s.to_string(),
        (Value::Bool(b), _) => b.to_string(),
        (Value::Enum(i), Base::Enum(id)) => schema
            .enums
            .get(*id)
            .and_then(|e| e.variants.get(*i as usize))
            .cloned()
            .unwrap_or_default(),
        (Value::Enum(i), _) => i.to_string(),
        (Value::Date(d), _) => d.format("%Y-%m-%d").to_string(),
        (Value::DateTime(t), _) => t.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
        (Value::Duration(s), _) if s % SECONDS_PER_DAY == 0 => {
            format!("{} days", s / SECONDS_PER_DAY)
        }
        (Value::Duration(s), _) => format!("{} hours", s / 3_600),
        (Value::Absent | Value::Record(_) | Value::List(_), _) => String::new(),
    }
}
