//! Rules: the clauses each kind takes, their expressions, and evidence alternatives.

use super::expr::{self, Typed};
use super::{names, Action, Alt, CheckedRule, Checker, EvidenceSource};
use crate::ast::{self, Alternative, BinOp, Clause, Expr, ExprKind, RuleKind};
use crate::ir::Ex;
use crate::schema::Schema;
use crate::span::Span;
use crate::types::Base;
use crate::value::Value;
use std::collections::HashMap;

impl<'a> Checker<'a> {
    pub(super) fn rules(&mut self, evidence: Option<&EvidenceSource>) -> Vec<CheckedRule> {
        let mut out = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut fallbacks = 0;
        for rule in &self.ast.rules {
            if let Some(prev) = seen.insert(&rule.name.name, rule.name.span) {
                let (line, _) = self.file.line_col(prev.start);
                self.error(
                    rule.name.span,
                    format!("rule `{}` is defined twice", rule.name.name),
                    "second rule of this name",
                    Some(format!(
                        "the first is on line {line}; rule names must be unique"
                    )),
                );
            }
            fallbacks += usize::from(rule.kind == RuleKind::Fallback);
            if let Some(r) = self.rule(rule, evidence) {
                out.push(r);
            }
        }
        if fallbacks == 0 && self.ast.facts_span.is_some() {
            self.error(
                self.ast.header.name.span,
                "policy has no fallback rule",
                "in this policy",
                Some("add `fallback not_covered doc \"...\"`: the reason given when no coverage rule matches".into()),
            );
        }
        out
    }

    pub(super) fn rule(
        &mut self,
        rule: &'a ast::Rule,
        evidence: Option<&EvidenceSource>,
    ) -> Option<CheckedRule> {
        let (allowed, required): (&[&str], &[&str]) = match rule.kind {
            RuleKind::Coverage => (&["doc", "when", "pays"], &["doc", "pays"]),
            RuleKind::Exclusion | RuleKind::Referral => {
                (&["doc", "when", "eligible from"], &["doc", "when"])
            }
            RuleKind::Evidence => (&["doc", "when", "requires"], &["doc", "requires"]),
            RuleKind::Compensation => (
                &["doc", "when", "reduce by", "cap at", "floor at", "add"],
                &["doc"],
            ),
            RuleKind::Deadline => (&["doc", "when", "by"], &["doc", "by"]),
            RuleKind::Fallback | RuleKind::Appeal => (&["doc", "when"], &["doc"]),
            RuleKind::Supporting => (&["doc", "when", "requires"], &["doc", "requires"]),
            RuleKind::Priority | RuleKind::Refusal => (&["doc", "when"], &["doc", "when"]),
            RuleKind::Note => (&["doc", "when", "shows"], &["doc", "shows"]),
            RuleKind::Refund => (&["doc", "when", "pays"], &["doc", "pays"]),
            RuleKind::Deduction => (
                &["doc", "when", "reduce by", "cap at", "floor at"],
                &["doc"],
            ),
        };
        let kind = rule.kind.as_str();
        let article = if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
            "an"
        } else {
            "a"
        };
        let a_kind = format!("{article} {kind}");
        let errors_before = self.errors.len();
        let mut seen: Vec<&str> = Vec::new();
        for c in &rule.clauses {
            let kw = c.keyword();
            if !allowed.contains(&kw) && kw == "eligible from" {
                self.error(
                    self.clause_span(c),
                    format!("`eligible from` does not belong in {a_kind} rule"),
                    "not allowed here",
                    Some(
                        "`eligible from` belongs on an exclusion or a referral: the date from \
                         which the document could be decided otherwise"
                            .into(),
                    ),
                );
            } else if !allowed.contains(&kw) {
                let list = allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    self.clause_span(c),
                    format!("`{kw}` does not belong in {a_kind} rule"),
                    "not allowed here",
                    Some(format!("{a_kind} rule takes {list}")),
                );
            } else if seen.contains(&kw) {
                self.error(
                    self.clause_span(c),
                    format!("`{kw}` is given twice in rule `{}`", rule.name.name),
                    "second clause",
                    Some(twice_help(rule, c)),
                );
            }
            seen.push(kw);
        }
        for need in required {
            if !seen.contains(need) {
                let what = if *need == "doc" {
                    "the clause text it implements".to_string()
                } else {
                    format!("a `{need}` clause")
                };
                self.error(
                    rule.name.span,
                    format!("{kind} rule `{}` has no `{need}`", rule.name.name),
                    format!("needs {what}"),
                    None,
                );
            }
        }
        if matches!(rule.kind, RuleKind::Compensation | RuleKind::Deduction) {
            let n = seen
                .iter()
                .filter(|k| ["reduce by", "cap at", "floor at", "add"].contains(k))
                .count();
            let add = if rule.kind == RuleKind::Compensation {
                ", `add`"
            } else {
                ""
            };
            if n != 1 {
                self.error(
                    rule.name.span,
                    format!(
                        "{kind} rule `{}` needs exactly one of `reduce by`, `cap at`, `floor at`{add}",
                        rule.name.name
                    ),
                    "this rule",
                    None,
                );
            }
        }
        if matches!(rule.kind, RuleKind::Evidence | RuleKind::Supporting)
            && self.ast.evidence_source.is_none()
        {
            self.error(
                rule.name.span,
                "evidence rule without an evidence source",
                "needs evidence",
                Some("declare where evidence is listed: `evidence from claim.evidence`".into()),
            );
        }
        let component = self.rule_component(rule);
        if self.errors.len() > errors_before {
            return None;
        }
        let component = component?;
        let doc = rule.clauses.iter().find_map(|c| {
            if let Clause::Doc(s) = c {
                Some(s.value.clone())
            } else {
                None
            }
        })?;
        self.check_quotes(rule)?;
        // Deadlines and notes are computed after the outcome, so they may read `decision`.
        let deadline = matches!(rule.kind, RuleKind::Deadline | RuleKind::Note);
        let mut when = None;
        let mut conjuncts = Vec::new();
        let mut condition_map = None;
        let mut action_reads = Vec::new();
        let mut present = self.document_presence(rule.kind);
        if let Some(e) = rule.clauses.iter().find_map(|c| {
            if let Clause::When(e) = c {
                Some(e)
            } else {
                None
            }
        }) {
            let t = self.narrowed_expr(e, &present, deadline)?;
            self.expect_bool(&t, e.span, "a `when` condition")?;
            present.extend(expr::presence(&t.ex, true));
            if rule.kind == RuleKind::Coverage {
                conjuncts = split_conjuncts(e, &t.ex);
            }
            condition_map = Some(self.cond_map(e, &t.ex, deadline));
            when = Some(t.ex);
        }
        let mut action = Action::None;
        for c in &rule.clauses {
            if let Some(e) = c.expr().filter(|_| !matches!(c, Clause::When(_))) {
                action_reads = self.reads(e, deadline);
            }
            action = match c {
                Clause::Pays(e)
                | Clause::Reduce(e)
                | Clause::Cap(e)
                | Clause::Floor(e)
                | Clause::Add(e) => {
                    let t = self.money_expr(e, &present)?;
                    match c {
                        Clause::Pays(_) => Action::Pays(t),
                        Clause::Reduce(_) => Action::Reduce(t),
                        Clause::Cap(_) => Action::Cap(t),
                        Clause::Add(_) => Action::Add(t, e.span),
                        _ => Action::Floor(t),
                    }
                }
                Clause::By(e) => {
                    let t = self.narrowed_expr(e, &present, true)?;
                    if t.ty.optional && self.absent_aggregate(e) {
                        return None;
                    }
                    if t.ty.optional || !matches!(t.ty.base, Base::Date | Base::DateTime) {
                        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
                        self.error(
                            e.span,
                            format!("a deadline is a date or datetime, but this is {shown}"),
                            "not a date",
                            None,
                        );
                        return None;
                    }
                    Action::By(t.ex)
                }
                Clause::EligibleFrom(e) => {
                    // A value the document may leave out gives no date when it is absent:
                    // the date is computed as if each optional value it names were
                    // present, and only when they all are.
                    let mut guards = Vec::new();
                    let mut assumed: Vec<String> = Vec::new();
                    // Probing a path reports nothing: the whole expression is checked below.
                    let reported = self.errors.len();
                    for path in operands(e) {
                        let read = ast::Expr {
                            kind: ast::ExprKind::Path(path),
                            span: e.span,
                        };
                        let Some(t) = self.narrowed_expr(&read, &present, false) else {
                            continue;
                        };
                        let Some(key) = names::key(&t.ex) else {
                            continue;
                        };
                        if t.ty.optional && !assumed.contains(&key) {
                            guards.push(Ex::IsPresent(Box::new(t.ex), true));
                            assumed.push(key);
                        }
                    }
                    self.errors.truncate(reported);
                    let mut t = self.eligible_expr(e, &present, &assumed)?;
                    if let Some(all) = guards
                        .into_iter()
                        .reduce(|a, b| Ex::And(Box::new(a), Box::new(b)))
                    {
                        t.ex = Ex::If(
                            Box::new(all),
                            Box::new(t.ex),
                            Box::new(Ex::Const(Value::Absent)),
                        );
                    }
                    if !matches!(t.ty.base, Base::Date | Base::DateTime) {
                        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
                        self.error(
                            e.span,
                            format!(
                                "`eligible from` takes a date or datetime, but this is {shown}"
                            ),
                            "not a date",
                            Some(
                                "write the date from which the document could be decided \
                                 otherwise: `eligible from shipment.estimated_delivery + 48 hours`"
                                    .into(),
                            ),
                        );
                        return None;
                    }
                    Action::EligibleFrom(t.ex)
                }
                Clause::Shows(e) => {
                    let t = self.narrowed_expr(e, &present, true)?;
                    if t.ty.optional && self.absent_aggregate(e) {
                        return None;
                    }
                    if t.ty.optional || matches!(t.ty.base, Base::Record(_) | Base::List(_)) {
                        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
                        let help =
                            t.ty.optional
                                .then(|| "say when it is present: `when x is present`".to_string());
                        self.error(
                            e.span,
                            format!("a note shows one present value, but this is {shown}"),
                            "cannot show this",
                            help,
                        );
                        return None;
                    }
                    Action::Shows(t.ex, t.ty.base)
                }
                Clause::Requires(alts) => {
                    Action::Requires(self.alternatives(alts, evidence?, &present)?)
                }
                Clause::Doc(_) | Clause::When(_) => continue,
            };
        }
        Some(CheckedRule {
            kind: rule.kind,
            name: rule.name.name.clone(),
            doc,
            span: rule.span,
            when,
            conjuncts,
            action,
            component,
            condition_map,
            action_reads,
        })
    }

    /// Clause text may quote a constant as `{name}`; the name must be a constant.
    pub(super) fn check_quotes(&mut self, rule: &ast::Rule) -> Option<()> {
        for c in &rule.clauses {
            let Clause::Doc(s) = c else { continue };
            for name in quoted_names(&s.value) {
                if !self.const_index.contains_key(name) {
                    let mut names: Vec<&str> = self.const_index.keys().copied().collect();
                    names.sort_unstable();
                    let help = match names::suggest(name, &names) {
                        Some(n) => format!("did you mean `{{{n}}}`?"),
                        None => "clause text quotes constants: `{name}` for a `const name = ...`"
                            .to_string(),
                    };
                    self.error(
                        s.span,
                        format!("clause text quotes `{{{name}}}`, which is not a constant"),
                        "in this text",
                        Some(help),
                    );
                    return None;
                }
                let ast = self.ast;
                let quoted = self.const_index.get(name).and_then(|i| ast.consts.get(*i));
                if let Some(ast::Binding {
                    value:
                        ast::Expr {
                            kind: ast::ExprKind::List(_),
                            ..
                        },
                    ..
                }) = quoted
                {
                    self.error(
                        s.span,
                        format!("clause text quotes `{{{name}}}`, which is a list"),
                        "in this text",
                        Some("clause text can quote a constant that holds one value".into()),
                    );
                    return None;
                }
            }
        }
        Some(())
    }

    /// Rules for claims may read `claim` as present, rules for cancellations `cancellation`.
    pub(super) fn document_presence(&self, kind: RuleKind) -> Vec<String> {
        let root = if kind.for_claims() {
            "claim"
        } else if kind.for_cancellations() {
            "cancellation"
        } else {
            return Vec::new();
        };
        self.schema
            .field_index(Schema::ROOT, root)
            .map(|i| format!("f:{i}"))
            .into_iter()
            .collect()
    }

    /// A clause's span from its keyword: the tree keeps only the span of what follows it.
    pub(super) fn clause_span(&self, c: &Clause) -> Span {
        let span = c.span();
        let first = c.keyword().split(' ').next().unwrap_or("");
        let start = self
            .file
            .text
            .get(..span.start)
            .and_then(|t| t.rfind(first))
            .unwrap_or(span.start);
        Span::new(start, span.end)
    }

    pub(super) fn money_expr(&mut self, e: &ast::Expr, present: &[String]) -> Option<Ex> {
        let t = self.narrowed_expr(e, present, false)?;
        if t.ty.optional && self.absent_aggregate(e) {
            return None;
        }
        if t.ty.base != Base::Money || t.ty.optional {
            if t.lit && t.is_numeric_lit() {
                self.in_currency(&t, e.span);
                return Some(t.ex);
            }
            let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
            let help = if t.ty.optional {
                Some("write `... otherwise 0` to say what an absent amount means".to_string())
            } else {
                None
            };
            self.error(
                e.span,
                format!("expected money, but this is {shown}"),
                "not money",
                help,
            );
            return None;
        }
        Some(t.ex)
    }

    pub(super) fn alternatives(
        &mut self,
        alts: &[Alternative],
        evidence: &EvidenceSource,
        present: &[String],
    ) -> Option<Vec<Alt>> {
        let mut out = Vec::new();
        let kind_ty = self
            .schema
            .records
            .get(evidence.record)
            .and_then(|r| r.fields.get(evidence.kind_field))
            .map(|f| f.ty.clone());
        for alt in alts {
            match alt {
                Alternative::Kind { kind, condition } => {
                    let value = match &kind_ty {
                        Some(Base::Enum(id)) => match self.schema.variant_index(*id, &kind.name) {
                            Some(i) => Value::Enum(i),
                            None => {
                                let variants = self
                                    .schema
                                    .enums
                                    .get(*id)
                                    .map(|e| crate::diagnostic::listing(&e.variants))
                                    .unwrap_or_default();
                                self.error(
                                    kind.span,
                                    format!("`{}` is not an evidence kind", kind.name),
                                    "unknown kind",
                                    Some(format!("the kinds are: {variants}")),
                                );
                                return None;
                            }
                        },
                        _ => Value::Str(kind.name.as_str().into()),
                    };
                    let condition = match condition {
                        None => None,
                        Some(c) => {
                            let t = self.evidence_condition(c, evidence.record, present)?;
                            self.expect_bool(&t, c.span, "an evidence condition")?;
                            Some(t.ex)
                        }
                    };
                    out.push(Alt::Kind {
                        kind: kind.name.clone(),
                        value,
                        condition,
                    });
                }
                Alternative::Facts { paths, .. } => {
                    let mut resolved = Vec::new();
                    for p in paths {
                        let e = ast::Expr {
                            kind: ast::ExprKind::Path(p.clone()),
                            span: p.span,
                        };
                        let t = self.top_expr(&e, false)?;
                        if self.is_assessed(&t.ex) {
                            self.error(
                                p.span,
                                format!(
                                    "`{}` is assessed: the insurer gives it, not the claimant",
                                    p.dotted()
                                ),
                                "assessed",
                                Some(
                                    "ask the claimant for evidence here; a rule that needs an \
                                     assessed value waits for it by itself"
                                        .into(),
                                ),
                            );
                            return None;
                        }
                        if !t.ty.optional {
                            self.error(
                                p.span,
                                format!(
                                    "`{}` is never absent, so it always satisfies this",
                                    p.dotted()
                                ),
                                "always present",
                                Some("list only optional facts here".into()),
                            );
                            return None;
                        }
                        resolved.push((p.dotted(), t.ex));
                    }
                    out.push(Alt::Facts { paths: resolved });
                }
            }
        }
        Some(out)
    }

    pub(super) fn expect_bool(&mut self, t: &Typed, span: Span, what: &str) -> Option<()> {
        if t.ty.base == Base::Bool && !t.ty.optional {
            return Some(());
        }
        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
        self.error(
            span,
            format!("{what} must be a bool, but this is {shown}"),
            "not true or false",
            None,
        );
        None
    }
}

/// The names quoted as `{name}` in a clause text.
pub fn quoted_names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or("");
        match after.find('}') {
            Some(close) => {
                let name = after.get(..close).unwrap_or("");
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.push(name);
                }
                rest = after.get(close + 1..).unwrap_or("");
            }
            None => break,
        }
    }
    out
}

/// The top-level `and` operands of a coverage rule's condition, each with its span, so a
/// denial can say which condition of a scenario did not hold. Empty when the checked
/// expression does not mirror the written one operand for operand.
fn split_conjuncts(written: &Expr, checked: &Ex) -> Vec<(Ex, Span)> {
    fn spans(e: &Expr, out: &mut Vec<Span>) {
        match &e.kind {
            ExprKind::Binary(BinOp::And, a, b) => {
                spans(a, out);
                spans(b, out);
            }
            _ => out.push(e.span),
        }
    }
    fn parts<'e>(e: &'e Ex, out: &mut Vec<&'e Ex>) {
        match e {
            Ex::And(a, b) => {
                parts(a, out);
                parts(b, out);
            }
            _ => out.push(e),
        }
    }
    let (mut s, mut p) = (Vec::new(), Vec::new());
    spans(written, &mut s);
    parts(checked, &mut p);
    if s.len() != p.len() {
        return Vec::new();
    }
    p.into_iter().cloned().zip(s).collect()
}

/// What to write instead of a clause given twice in `rule`: `second` is the repeated one.
fn twice_help(rule: &ast::Rule, second: &Clause) -> String {
    match second {
        Clause::Requires(alts) => {
            let first: Vec<Alternative> = rule
                .clauses
                .iter()
                .find_map(|c| match c {
                    Clause::Requires(a) => Some(a.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            let either: Vec<Alternative> = first.iter().chain(alts).cloned().collect();
            format!(
                "a rule requires one thing: to require both, give `{}` {} rule of its own; to \
                 accept either, write `requires {}`",
                crate::print::requirement(alts),
                match rule.kind {
                    RuleKind::Evidence => "an evidence",
                    _ => "a supporting",
                },
                crate::print::requirement(&either),
            )
        }
        Clause::When(_) => "join the conditions with `and`: `when A and B`".to_string(),
        Clause::Doc(_) => {
            "write the clause text once; adjacent strings join: `doc \"...\" \"...\"`".to_string()
        }
        _ => format!(
            "a rule has one `{}`: keep one, or write a second rule",
            second.keyword()
        ),
    }
}

/// The paths an `eligible from` expression computes with directly: not those it only tests
/// (`is present`, an `if`'s condition), gives a default for (`otherwise`), or reads inside
/// an aggregate, where absence is already said.
fn operands(e: &ast::Expr) -> Vec<ast::Path> {
    fn walk(e: &ast::Expr, out: &mut Vec<ast::Path>) {
        use ast::ExprKind as K;
        match &e.kind {
            K::Path(p) => out.push(p.clone()),
            K::Binary(_, a, b) | K::PercentOf(a, b) => {
                walk(a, out);
                walk(b, out);
            }
            K::Neg(a) | K::Not(a) | K::Access(a, _) => walk(a, out),
            K::Otherwise(_, b) => walk(b, out),
            K::If(_, a, b) => {
                walk(a, out);
                walk(b, out);
            }
            K::Call(_, args) => args.iter().for_each(|a| walk(a, out)),
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk(e, &mut out);
    out
}
