//! Payout components: `pays X as cash`, `add X as reshipment`, `cap cash at 50`, and the
//! final amounts deadlines and notes read (`decision.payout`, `decision.payout.cash`).

use super::expr::Typed;
use super::{names, Checker};
use crate::ast::{self, Clause, RuleKind};
use crate::ir::Ex;
use crate::types::{Base, Type};

impl<'a> Checker<'a> {
    /// The components the policy pays, in order of first appearance: the names after `as`
    /// on coverage and compensation rules.
    pub(super) fn index_components(&mut self) {
        for rule in &self.ast.rules {
            if !matches!(rule.kind, RuleKind::Coverage | RuleKind::Compensation) {
                continue;
            }
            for (i, name) in &rule.components {
                let pays = matches!(rule.clauses.get(*i), Some(Clause::Pays(_) | Clause::Add(_)));
                if pays && !self.components.contains(&name.name.as_str()) {
                    self.components.push(&name.name);
                }
            }
        }
    }

    /// The component a rule's amount clause acts on, by index; `None` for the coverage's
    /// own (or the whole payout, in a policy without components). Reports misuse.
    pub(super) fn rule_component(&mut self, rule: &'a ast::Rule) -> Option<Option<usize>> {
        let mut out = None;
        let mut ok = true;
        for (i, name) in &rule.components {
            let kw = rule.clauses.get(*i).map_or("pays", Clause::keyword);
            if !matches!(rule.kind, RuleKind::Coverage | RuleKind::Compensation) {
                let kind = rule.kind.as_str();
                self.error(
                    name.span,
                    format!("a {kind} rule cannot name a payout component"),
                    "component",
                    Some(format!(
                        "write `{kw} ...` without `{}`; components divide a claim's payout, on \
                         `coverage` and `compensation` rules",
                        name.name
                    )),
                );
                ok = false;
                continue;
            }
            match self.components.iter().position(|c| *c == name.name) {
                Some(k) => out = Some(k),
                None => {
                    let help = match names::suggest(&name.name, &self.components) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => format!(
                            "name it where an amount is paid: `pays ... as {0}` on a coverage \
                             or `add ... as {0}` on a compensation",
                            name.name
                        ),
                    };
                    self.error(
                        name.span,
                        format!("payout component `{}` is never paid", name.name),
                        "no rule pays it",
                        Some(help),
                    );
                    ok = false;
                }
            }
        }
        let named_pays = rule
            .clauses
            .iter()
            .enumerate()
            .any(|(i, c)| matches!(c, Clause::Pays(_)) && rule.component_of(i).is_some());
        if rule.kind == RuleKind::Coverage && !named_pays && !self.components.is_empty() {
            let list = self
                .components
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let first = self.components.first().copied().unwrap_or("cash");
            self.error(
                rule.name.span,
                format!(
                    "coverage `{}` does not say which payout component it pays",
                    rule.name.name
                ),
                "no component",
                Some(format!(
                    "this policy pays in components ({list}): write `pays ... as {first}`"
                )),
            );
            ok = false;
        }
        ok.then_some(out)
    }

    /// `decision.payout`, `decision.refund` or `decision.payout.NAME`: a final amount.
    pub(super) fn final_amount(&mut self, path: &ast::Path, rest: &[ast::Ident]) -> Option<Typed> {
        let money = |slot: usize| Typed {
            ex: Ex::Paid(slot),
            ty: Type::new(Base::Money),
            lit: false,
        };
        let help = "a deadline or note reads `decision` (the outcome), `decision.payout` or \
                    `decision.refund` (the final amount, 0.00 unless approved), or a payout \
                    component such as `decision.payout.cash`";
        match rest {
            [what] if what.name == "payout" => Some(money(Ex::PAYOUT)),
            [what] if what.name == "refund" => Some(money(Ex::REFUND)),
            [what, part] if what.name == "payout" => {
                match self.components.iter().position(|c| *c == part.name) {
                    Some(k) => Some(money(Ex::COMPONENTS + k)),
                    None => {
                        let help = if self.components.is_empty() {
                            "this policy names no payout components: read `decision.payout`"
                                .to_string()
                        } else {
                            let list = self
                                .components
                                .iter()
                                .map(|c| format!("`decision.payout.{c}`"))
                                .collect::<Vec<_>>()
                                .join(", ");
                            match names::suggest(&part.name, &self.components) {
                                Some(s) => format!("did you mean `decision.payout.{s}`?"),
                                None => format!("the components are {list}"),
                            }
                        };
                        self.error(
                            part.span,
                            format!("the payout has no component `{}`", part.name),
                            "not a component of this policy",
                            Some(help),
                        );
                        None
                    }
                }
            }
            [what, ..] if what.name != "payout" && what.name != "refund" => {
                self.error(
                    what.span,
                    format!("`decision` has no `{}`", what.name),
                    "not a part of the decision",
                    Some(help.into()),
                );
                None
            }
            _ => {
                let span = rest.last().map_or(path.span, |last| last.span);
                self.error(
                    span,
                    format!("`{}` is not a part of the decision", path.dotted()),
                    "not a part of the decision",
                    Some(help.into()),
                );
                None
            }
        }
    }
}
