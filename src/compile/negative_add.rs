//! An `add` whose amount is known before any document: refused when it is below zero.

use crate::check::{Action, CheckedRule};
use crate::diagnostic::PolicyError;
use crate::ir::Ex;
use crate::span::Source;
use crate::value::Value;

/// The errors for every `add` of a constant amount below zero (`add -5`, `add -fee`): such
/// a rule could never be computed, so every claim it applies to would be referred. `ex` is
/// each rule's `add` amount with the constants folded.
pub(super) fn errors<'r>(
    file: &Source,
    rules: impl Iterator<Item = (&'r CheckedRule, Ex)>,
    components: &[String],
    consts: &[Value],
) -> Vec<PolicyError> {
    let mut out = Vec::new();
    for (rule, ex) in rules {
        let Action::Add(_, span) = &rule.action else {
            continue;
        };
        if !ex.is_fixed() {
            continue;
        }
        let value = match crate::eval::const_value(&ex, consts) {
            Ok(Value::Num(n)) if n.is_sign_negative() && !n.is_zero() => n,
            Ok(Value::Ratio(r)) if r.is_negative() => match r.nearest_decimal() {
                Some(n) => n,
                None => continue,
            },
            _ => continue,
        };
        let written = file.text.get(span.start..span.end).unwrap_or("").trim();
        let component = rule
            .component
            .and_then(|k| components.get(k))
            .map_or(String::new(), |c| format!("{c} "));
        // The amount to take off: what follows the minus of `-5` or `-fee`, else the
        // amount negated.
        let single = |t: &str| {
            !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
        };
        let taken = match written.strip_prefix('-').map(str::trim_start) {
            Some(rest) if single(rest) => rest.to_string(),
            _ if single(written) => format!("-{written}"),
            _ => format!("-({written})"),
        };
        let number = |t: &str| t.bytes().all(|b| b.is_ascii_digit() || b == b'.');
        let shown = match written.strip_prefix('-').map(str::trim_start) {
            Some(rest) if number(rest) => format!("`{written}`"),
            _ => format!("`{written}` ({})", crate::decision::format_money(value)),
        };
        out.push(
            PolicyError::new(
                file,
                *span,
                format!(
                    "`add` pays more, but {shown} is below zero, so rule `{}` could never be computed",
                    rule.name
                ),
                "below zero",
            )
            .with_help(format!(
                "to lower the payout, write `reduce {component}by {taken}`: an `add` of an \
                 amount below zero refers every claim it applies to"
            )),
        );
    }
    out
}
