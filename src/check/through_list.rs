//! The help for a field read through a list (`c.reasons.rule`): an aggregate that fits the
//! field's type and the place it is read in.

use super::expr::Scope;
use super::Checker;
use crate::ast::{self, BinOp};
use crate::types::Base;

/// How a field read through a list is best read, by its type.
enum Reading {
    /// Numbers and money add up.
    Number,
    /// A condition holds for any (or all) of the items.
    Bool,
    /// Dates, instants and durations have a least and a greatest.
    Ordered,
    /// Text, enumerations and the rest compare with a value.
    Other,
}

impl Checker<'_> {
    /// The help line for `so_far.fields` where `so_far` is a list of `item`s: an aggregate
    /// over the list that reads the fields of each item, fitting their type and, when the
    /// read is an operand of a comparison, rewriting the comparison inside it.
    pub(super) fn through_list(
        &self,
        so_far: &str,
        item: &Base,
        fields: &[ast::Ident],
        path: &ast::Path,
        sc: &Scope,
    ) -> String {
        let var = self.item_name(so_far, sc);
        let read = std::iter::once(var.as_str())
            .chain(fields.iter().map(|f| f.name.as_str()))
            .collect::<Vec<_>>()
            .join(".");
        let reading = match self.field_type(item, fields) {
            Some(Base::Money | Base::Decimal | Base::Integer) => Reading::Number,
            Some(Base::Bool) => Reading::Bool,
            Some(Base::Date | Base::DateTime | Base::Duration) => Reading::Ordered,
            _ => Reading::Other,
        };
        let over = format!("{var} in {so_far}");
        if let Some(c) = sc.compared.filter(|c| c.operand == path.span) {
            // The comparison with `with` in place of the read.
            let whole = self.snippet(c.whole);
            let (a, b) = (path.span.start, path.span.end);
            let instead = |with: &str| -> Option<String> {
                let before = whole.get(..a.checked_sub(c.whole.start)?)?;
                let after = whole.get(b.checked_sub(c.whole.start)?..)?;
                Some(format!("{before}{with}{after}"))
            };
            if let Some(cond) = instead(&read) {
                let each = match c.op {
                    BinOp::Ne | BinOp::NotIn => format!(
                        "`all({over}: {cond})` holds when it holds for all of them, `any(...)` \
                         when for one"
                    ),
                    _ => format!(
                        "`any({over}: {cond})` holds when it holds for one of them, `all(...)` \
                         when for all"
                    ),
                };
                let ordering = matches!(c.op, BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge);
                let total = instead(&format!("sum({over}: {read})"));
                return match (reading, total) {
                    (Reading::Number, Some(total)) if ordering => format!(
                        "read its items with an aggregate: `{total}` compares their total; {each}"
                    ),
                    _ => format!("read its items with an aggregate: {each}"),
                };
            }
        }
        match reading {
            Reading::Number => {
                format!("read its items with an aggregate: `sum({over}: {read})` adds them up")
            }
            Reading::Bool => format!(
                "read its items with an aggregate: `any({over}: {read})` holds when one of \
                 them does, `all({over}: {read})` when all do"
            ),
            Reading::Ordered => format!(
                "read its items with an aggregate: `max({over}: {read})` is the greatest, \
                 `min(...)` the least"
            ),
            Reading::Other => format!(
                "read its items with an aggregate: `any({over}: {read} == VALUE)` holds when \
                 one of them is VALUE, or `the {over} where ...` picks one"
            ),
        }
    }

    /// The type of `fields` read in an item of type `item`, when each is a field of a record.
    fn field_type<'b>(&'b self, item: &'b Base, fields: &[ast::Ident]) -> Option<&'b Base> {
        let mut ty = item;
        for f in fields {
            let Base::Record(id) = ty else {
                return None;
            };
            let record = self.schema.records.get(*id)?;
            ty = &record
                .fields
                .get(self.schema.field_index(*id, &f.name)?)?
                .ty;
        }
        Some(ty)
    }

    /// A name for an item of the list `so_far`: its initial (`r` for `c.reasons`), or
    /// another letter when that one is taken.
    fn item_name(&self, so_far: &str, sc: &Scope) -> String {
        let last = so_far.rsplit('.').next().unwrap_or(so_far);
        let initial = last
            .chars()
            .find(|c| c.is_ascii_alphabetic())
            .map(|c| c.to_ascii_lowercase().to_string());
        let taken = |n: &str| {
            sc.vars.iter().any(|(v, _)| v == n)
                || sc.params.iter().any(|(p, _)| p == n)
                || self.const_index.contains_key(n)
                || self.let_index.contains_key(n)
                || self
                    .schema
                    .field_index(crate::schema::Schema::ROOT, n)
                    .is_some()
        };
        initial
            .into_iter()
            .chain(["x", "y", "z"].map(String::from))
            .chain((1..).map(|i| format!("x{i}")))
            .find(|n| !taken(n))
            .unwrap_or_else(|| "x".into())
    }
}
