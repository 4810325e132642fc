//! `unhandled-enum-value`: a value of a dispatching enum that no deciding rule names.
//!
//! Coverage rules tell claims apart by enum facts (`claim.type == "lost"`): an enum fact
//! that a coverage condition compares with `==` or `in` is a dispatching enum. Each of its
//! values should be named by a coverage, exclusion, referral or fallback condition (with
//! `==` or `in`), or be covered by a coverage condition that excludes other values
//! (`shipment.status != "delivered"` covers every other status). A value that is not is
//! decided by the fallback alone, which usually means a rule was forgotten.

use std::collections::HashSet;

use super::{lit, lit_list, walk, warning, Lint, Lit, Name, Policy, Scope};
use crate::ast::{BinOp, Expr, ExprKind, RuleKind, TypeKind};
use crate::diagnostic::PolicyWarning;

/// A comparison of a fact with literal values: (the fact, whether it is `==`/`in`, values).
pub(super) type Comparison = (Vec<String>, bool, Vec<Lit>);

pub fn warnings(p: &Policy) -> Vec<PolicyWarning> {
    let mut dispatch: Vec<Vec<String>> = Vec::new();
    // Enum values are strings: (fact, value).
    let mut handled: HashSet<(Vec<String>, String)> = HashSet::new();
    for rule in &p.ast.rules {
        let deciding = matches!(
            rule.kind,
            RuleKind::Coverage | RuleKind::Exclusion | RuleKind::Referral | RuleKind::Fallback
        );
        let Some(cond) = super::when(rule).filter(|_| deciding) else {
            continue;
        };
        let coverage = rule.kind == RuleKind::Coverage;
        for (fact, positive, values) in comparisons(p, cond) {
            let Some(variants) = variants(p, &fact) else {
                continue;
            };
            if positive {
                if coverage && !dispatch.contains(&fact) {
                    dispatch.push(fact.clone());
                }
                handled.extend(values.into_iter().filter_map(|v| named(&fact, v)));
            } else if coverage {
                let others = variants.into_iter().filter(|v| !values.contains(v));
                handled.extend(others.filter_map(|v| named(&fact, v)));
            }
        }
    }
    let mut out = Vec::new();
    for fact in &dispatch {
        let Some(decl) = p.fact_decl(fact) else {
            continue;
        };
        let TypeKind::Enum(idents) = &decl.ty.kind else {
            continue;
        };
        let dotted = fact.join(".");
        for ident in idents {
            if handled.contains(&(fact.clone(), ident.name.clone())) {
                continue;
            }
            out.push(warning(
                p,
                Lint::UnhandledEnumValue,
                ident.span,
                (
                    format!(
                        "no coverage, exclusion, referral or fallback names `{}` of `{dotted}`",
                        ident.name
                    ),
                    "named by no rule that decides",
                ),
                format!(
                    "coverage rules tell the values of `{dotted}` apart, but a document with \
                     this one is decided by the fallback alone; cover or exclude it by name, \
                     or say that this is meant with a comment `# allow(unhandled-enum-value)` \
                     on its line"
                ),
            ));
        }
    }
    out
}

/// A value of an enum fact, keyed for the set of values handled.
fn named(fact: &[String], value: Lit) -> Option<(Vec<String>, String)> {
    match value {
        Lit::Str(s) => Some((fact.to_vec(), s)),
        _ => None,
    }
}

/// The values of an enum fact, as literals; `None` for a fact that is not an enum.
fn variants(p: &Policy, fact: &[String]) -> Option<Vec<Lit>> {
    match &p.fact_decl(fact)?.ty.kind {
        TypeKind::Enum(idents) => Some(idents.iter().map(|i| Lit::Str(i.name.clone())).collect()),
        _ => None,
    }
}

/// Every comparison of a fact with literal values in `cond`.
fn comparisons(p: &Policy, cond: &Expr) -> Vec<Comparison> {
    let mut out = Vec::new();
    walk(p, cond, &mut Scope::default(), &mut |e, sc| {
        out.extend(comparison(p, e, sc));
    });
    out
}

/// `e` as a comparison of a fact with literal values (`==`, `!=`, `in`, `not in`), if it
/// is one.
pub(super) fn comparison(p: &Policy, e: &Expr, sc: &Scope) -> Option<Comparison> {
    let ExprKind::Binary(op, a, b) = &e.kind else {
        return None;
    };
    let fact = |x: &Expr| match &x.kind {
        ExprKind::Path(path) => match p.resolve(path, sc) {
            Name::Fact(f) => Some(f),
            _ => None,
        },
        _ => None,
    };
    match op {
        BinOp::In | BinOp::NotIn => fact(a)
            .zip(lit_list(p, b, sc))
            .map(|(f, v)| (f, *op == BinOp::In, v)),
        BinOp::Eq | BinOp::Ne => {
            let one = |x: &Expr, y: &Expr| fact(x).zip(lit(p, y, sc));
            one(a, b)
                .or_else(|| one(b, a))
                .map(|(f, v)| (f, *op == BinOp::Eq, vec![v]))
        }
        _ => None,
    }
}
