//! Declarations shown as short text: a type as declared, a span's text as written.

use crate::ast::{TypeExpr, TypeKind};
use crate::span::{Source, Span};

/// A declared type in one line: `optional enum { lost, damaged }`, `list of record { sku,
/// quantity }` (a record by its field names).
pub fn type_text(ty: &TypeExpr) -> String {
    let optional = if ty.optional { "optional " } else { "" };
    let kind = match &ty.kind {
        TypeKind::Scalar(s) => scalar(*s).to_string(),
        TypeKind::Enum(values) => format!("enum {{ {} }}", names(values.iter().map(|v| &v.name))),
        TypeKind::Record(fields) => {
            format!(
                "record {{ {} }}",
                names(fields.iter().map(|f| &f.name.name))
            )
        }
        TypeKind::List(inner) => format!("list of {}", type_text(inner)),
        TypeKind::Decision { extra: None, .. } => "decision".to_string(),
        TypeKind::Decision {
            extra: Some(fields),
            ..
        } => format!(
            "decision {{ {} }}",
            names(fields.iter().map(|f| &f.name.name))
        ),
    };
    format!("{optional}{kind}")
}

fn names<'a>(items: impl Iterator<Item = &'a String>) -> String {
    items.map(String::as_str).collect::<Vec<_>>().join(", ")
}

/// A scalar type as a policy writes it.
pub use crate::print::scalar;

/// The values of an enum type (optional or not), if it is one.
pub fn enum_values(ty: &TypeExpr) -> Option<Vec<&str>> {
    match &ty.kind {
        TypeKind::Enum(values) => Some(values.iter().map(|v| v.name.as_str()).collect()),
        _ => None,
    }
}

/// The text of `span`, as written.
pub fn text(file: &Source, span: Span) -> &str {
    file.text.get(span.start..span.end).unwrap_or("")
}

/// The text of `span` with its line breaks and runs of spaces joined into single spaces.
pub fn one_line(file: &Source, span: Span) -> String {
    text(file, span)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}
