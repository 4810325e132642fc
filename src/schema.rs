//! The facts a policy reads: record and enumeration layouts, built by the checker.

use std::collections::HashMap;

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
    /// Field name to index in `fields`, so that a lookup does not scan a large record.
    by_name: HashMap<String, usize>,
    /// Keys a document may give beside the fields, skipped even when read strictly and
    /// never taken for misspellings: the other keys of a decision ([`DECISION_KEYS`]).
    pub skips: &'static [&'static str],
    /// Whether this record is a `decision` (see `ast::TypeKind::Decision`).
    pub decision: bool,
}

/// The keys of a decision (`docs/contract.md`) that a `decision` record does not read, by
/// the built-in field they sit in (`""`: the decision itself); they are skipped.
pub const DECISION_KEYS: &[(&str, &[&str])] = &[
    (
        "",
        &[
            "missing_evidence",
            "recommended_evidence",
            "deadlines",
            "priority",
            "appeal",
            "notes",
            "not_met",
            "eligible_from",
            "awaiting",
            "explain",
            "input",
        ],
    ),
    ("payout", &["breakdown", "components"]),
    ("refund", &["breakdown"]),
    ("policy", &["sha256", "in_force_on", "date_from"]),
    ("reasons", &["text", "source", "failure", "eligible_from"]),
];

/// The keys [`DECISION_KEYS`] lists for the built-in field `field` (`""`: the decision).
pub fn decision_keys(field: &str) -> &'static [&'static str] {
    DECISION_KEYS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(&[], |(_, keys)| keys)
}

impl RecordSchema {
    /// A record of these fields; their names must differ (the checker drops repeats).
    pub fn new(name: String, fields: Vec<FieldSchema>) -> Self {
        let by_name = fields
            .iter()
            .enumerate()
            .map(|(i, f)| (f.name.clone(), i))
            .collect();
        RecordSchema {
            name,
            fields,
            by_name,
            skips: &[],
            decision: false,
        }
    }
}

#[derive(Clone, Debug)]
pub struct FieldSchema {
    pub name: String,
    pub ty: Base,
    pub optional: bool,
    /// `assessed`: a value a person supplies, which a document may leave out (rules read it
    /// as required, and wait for it); also a record whose fields are all assessed.
    pub assessed: bool,
    /// Used when the document leaves the field out or sets it to null.
    pub default: Option<Value>,
    pub span: Span,
}

#[derive(Clone, Debug)]
pub struct EnumSchema {
    pub name: String,
    pub variants: Vec<String>,
    /// Variant name to index in `variants`, so that a lookup does not scan a large enum.
    by_name: HashMap<String, u32>,
}

/// Enumerations of at most this many variants are looked up by scanning them.
const SCANNED_VARIANTS: usize = 16;

impl EnumSchema {
    /// An enumeration of these variants; they must differ (the checker drops repeats).
    /// Variants past `u32::MAX` cannot be looked up (a policy file is far too small to
    /// declare that many).
    pub fn new(name: String, variants: Vec<String>) -> Self {
        let by_name = variants
            .iter()
            .zip(0u32..)
            .map(|(v, i)| (v.clone(), i))
            .collect();
        EnumSchema {
            name,
            variants,
            by_name,
        }
    }
}

impl Schema {
    /// The record every document is decoded into.
    pub const ROOT: RecordId = 0;

    pub fn field_index(&self, record: RecordId, name: &str) -> Option<usize> {
        self.records.get(record)?.by_name.get(name).copied()
    }

    pub fn variant_index(&self, id: usize, name: &str) -> Option<u32> {
        let e = self.enums.get(id)?;
        // A short enumeration is scanned: cheaper than hashing the name.
        if e.variants.len() <= SCANNED_VARIANTS {
            return (0u32..)
                .zip(&e.variants)
                .find(|(_, v)| *v == name)
                .map(|(i, _)| i);
        }
        e.by_name.get(name).copied()
    }

    /// Whether a document decodes to the same facts under both layouts: the same records
    /// and fields (names, types, optional, defaults) and enumerations, in the same order.
    /// Where the fields are declared does not count.
    pub fn same_layout(&self, other: &Schema) -> bool {
        let records = self.records.len() == other.records.len()
            && self.records.iter().zip(&other.records).all(|(a, b)| {
                a.fields.len() == b.fields.len()
                    && a.skips == b.skips
                    && a.decision == b.decision
                    && a.fields.iter().zip(&b.fields).all(|(f, g)| {
                        f.name == g.name
                            && f.ty == g.ty
                            && f.optional == g.optional
                            && f.assessed == g.assessed
                            && f.default == g.default
                    })
            });
        records
            && self.enums.len() == other.enums.len()
            && self
                .enums
                .iter()
                .zip(&other.enums)
                .all(|(a, b)| a.variants == b.variants)
    }
}
