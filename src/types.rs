//! Static types of facts and expressions, as the checker sees them.

use std::fmt;

use crate::schema::Schema;

/// Index of an enumeration in a policy's [`Schema`].
pub type EnumId = usize;
/// Index of a record type in a policy's [`Schema`].
pub type RecordId = usize;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Base {
    Money,
    Decimal,
    Integer,
    Bool,
    Str,
    Date,
    DateTime,
    Duration,
    /// Calendar months (`12 months`, `1 year`): no fixed length in days.
    Months,
    Enum(EnumId),
    Record(RecordId),
    List(Box<Base>),
}

/// A type, and whether the value may be absent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Type {
    pub base: Base,
    pub optional: bool,
}

impl Type {
    pub fn new(base: Base) -> Self {
        Type {
            base,
            optional: false,
        }
    }

    pub fn optional(self, optional: bool) -> Self {
        Type {
            optional: self.optional || optional,
            ..self
        }
    }

    pub fn is_numeric(&self) -> bool {
        matches!(self.base, Base::Money | Base::Decimal | Base::Integer)
    }
}

impl Base {
    /// The name shown to policy authors.
    pub fn describe(&self, schema: &Schema) -> String {
        match self {
            Base::Money => "money".into(),
            Base::Decimal => "decimal".into(),
            Base::Integer => "integer".into(),
            Base::Bool => "bool".into(),
            Base::Str => "string".into(),
            Base::Date => "date".into(),
            Base::DateTime => "datetime".into(),
            Base::Duration => "duration".into(),
            Base::Months => "calendar months".into(),
            Base::Enum(id) => schema
                .enums
                .get(*id)
                .map_or("enum".into(), |e| format!("`{}` (enum)", e.name)),
            Base::Record(id) => schema
                .records
                .get(*id)
                .map_or("record".into(), |r| format!("`{}` (record)", r.name)),
            Base::List(inner) => format!("list of {}", inner.describe(schema)),
        }
    }
}

/// Displays a type with its schema.
pub struct Shown<'a>(pub &'a Type, pub &'a Schema);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.optional {
            f.write_str("optional ")?;
        }
        f.write_str(&self.0.base.describe(self.1))
    }
}
