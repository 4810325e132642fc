//! The facts that pick a policy version: each is declared as a date or an instant.

use super::Checker;
use crate::ast::{FieldDecl, ScalarType, TypeKind};
use crate::policy_set::VERSION_DATES;

impl Checker<'_> {
    /// Reports a version date (`order.placed_at`, ...; see [`VERSION_DATES`]) declared with
    /// a type that never gives a date: the engine picks the version by it before reading
    /// any rule, so every document that gives it would fail.
    pub(super) fn version_dates(&mut self) {
        for path in VERSION_DATES {
            let Some((record, field)) = path.split_once('.') else {
                continue;
            };
            let Some(decl) = declared(&self.ast.facts, record).and_then(|r| match &r.ty.kind {
                TypeKind::Record(fields) => declared(fields, field),
                _ => None,
            }) else {
                continue;
            };
            let ty = &decl.ty;
            if matches!(
                ty.kind,
                TypeKind::Scalar(ScalarType::Date | ScalarType::DateTime)
            ) {
                continue;
            }
            let written = crate::print::type_head(ty);
            let optional = if ty.optional { "optional " } else { "" };
            self.error(
                ty.span,
                format!(
                    "`{path}` picks the policy version by its date, so it is a `date` or a \
                     `datetime`, not `{written}`"
                ),
                "not a date",
                Some(format!(
                    "write `{field}: {optional}date` (or `{field}: {optional}datetime`, whose \
                     UTC date picks the version): with `{written}`, no document that gives \
                     `{path}` could be decided"
                )),
            );
        }
    }
}

/// The declaration of `name` among `fields`, the first when it is declared twice.
fn declared<'f>(fields: &'f [FieldDecl], name: &str) -> Option<&'f FieldDecl> {
    fields.iter().find(|f| f.name.name == name)
}
