//! `unreachable-rule` for evidence: a requirement no claim is ever asked for.
//!
//! Evidence is asked only of a claim that some coverage rule would approve once it arrives
//! (see [`crate::decide`]). An evidence rule whose condition names values of an enum fact
//! (`claim.type == "delivery_disruption"`) that no coverage rule's condition admits is
//! therefore never asked for: the claims it is written for are denied by the fallback
//! first. Only the operands of a condition's top-level `and` are read, and only `==`,
//! `!=`, `in` and `not in` between an enum fact and literals; any other condition admits
//! every value, so the lint never reports a requirement that can be asked for.

use std::collections::{BTreeMap, BTreeSet};

use super::{warning, when, Lint, Lit, Policy, Scope};
use crate::ast::{BinOp, Expr, ExprKind, RuleKind, TypeKind};
use crate::diagnostic::PolicyWarning;

/// The values each enum fact may have for a condition to hold, for the facts it restricts.
type Admitted = BTreeMap<Vec<String>, BTreeSet<String>>;

pub fn warnings(p: &Policy) -> Vec<PolicyWarning> {
    let coverage: Vec<Admitted> = p
        .ast
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::Coverage)
        .map(|r| when(r).map_or_else(Admitted::new, |w| admitted(p, w)))
        .collect();
    let mut out = Vec::new();
    for rule in p.ast.rules.iter().filter(|r| r.kind == RuleKind::Evidence) {
        let Some(cond) = when(rule) else {
            continue;
        };
        for (fact, values) in admitted(p, cond) {
            // Every value some coverage rule admits; a rule silent on the fact admits all.
            let covered = coverage.iter().try_fold(BTreeSet::new(), |mut acc, c| {
                let admits = c.get(&fact)?;
                acc.extend(admits.iter().cloned());
                Some(acc)
            });
            let Some(covered) = covered else {
                continue;
            };
            if values.iter().any(|v| covered.contains(v)) {
                continue;
            }
            let dotted = fact.join(".");
            let shown: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
            let which = match shown.as_slice() {
                [one] => format!("`{dotted}` is {one}"),
                _ => format!("`{dotted}` is one of {}", shown.join(", ")),
            };
            out.push(warning(
                p,
                Lint::UnreachableRule,
                rule.name.span,
                (
                    format!(
                        "evidence `{}` is never asked for: no coverage rule applies when {which}",
                        rule.name.name
                    ),
                    "never asked for",
                ),
                format!(
                    "evidence is asked only of a claim that some coverage would approve once \
                     it arrives, and the fallback denies these claims first; add the coverage \
                     rule they need, or remove `{}`",
                    rule.name.name
                ),
            ));
            break;
        }
    }
    out
}

/// What the operands of `cond`'s top-level `and` say about enum facts.
fn admitted(p: &Policy, cond: &Expr) -> Admitted {
    let mut out = Admitted::new();
    let mut operands = vec![cond];
    while let Some(e) = operands.pop() {
        if let ExprKind::Binary(BinOp::And, a, b) = &e.kind {
            operands.push(a);
            operands.push(b);
            continue;
        }
        let Some((fact, values)) = restriction(p, e) else {
            continue;
        };
        let set = out.entry(fact).or_insert_with(|| values.clone());
        set.retain(|v| values.contains(v));
    }
    out
}

/// The enum fact an operand compares with literals, and the values for which it holds.
fn restriction(p: &Policy, e: &Expr) -> Option<(Vec<String>, BTreeSet<String>)> {
    let (path, positive, listed) = super::enums::comparison(p, e, &Scope::default())?;
    let TypeKind::Enum(variants) = &p.fact_decl(&path)?.ty.kind else {
        return None;
    };
    let listed: BTreeSet<String> = listed
        .into_iter()
        .filter_map(|l| match l {
            Lit::Str(s) => Some(s),
            _ => None,
        })
        .collect();
    let values = variants
        .iter()
        .map(|v| v.name.clone())
        .filter(|v| listed.contains(v) == positive)
        .collect();
    Some((path, values))
}
