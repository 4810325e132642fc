//! The facts a policy reads: record and enumeration layouts, built by the checker.

use crate::span::Span;
use crate::types::{Base, RecordId};
use crate::value::Value;

#[derive(Clone, Debug, Default)]
pub struct Schema {
    pub records: Vec<RecordSchema>,
    pub enums: Vec<EnumSchema>,
}

#[derive(Clone, Debug)]
pub struct RecordSchema {
    /// Dotted path of the record for messages (`order`, `order.items[]`); empty for the root.
    pub name: String,
    pub fields: Vec<FieldSchema>,
}

#[derive(Clone, Debug)]
pub struct FieldSchema {
    pub name: String,
    pub ty: Base,
    pub optional: bool,
    /// Used when the document leaves the field out or sets it to null.
    pub default: Option<Value>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumSchema {
    pub name: String,
    pub variants: Vec<String>,
}

impl Schema {
    /// The record every document is decoded into.
    pub const ROOT: RecordId = 0;

    pub fn field_index(&self, record: RecordId, name: &str) -> Option<usize> {
        self.records
            .get(record)?
            .fields
            .iter()
            .position(|f| f.name == name)
    }

    pub fn variant_index(&self, id: usize, name: &str) -> Option<u32> {
        let e = self.enums.get(id)?;
        e.variants
            .iter()
            .position(|v| v == name)
            .and_then(|i| u32::try_from(i).ok())
    }
}
