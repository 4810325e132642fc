//! Rules, tables, hooks and evidence alternatives.

use super::{internal, span_of, Builder, Rule, Rule_, R};
use crate::ast::*;
use pest::iterators::Pair;

impl Builder<'_> {
    pub(super) fn rule(&self, pair: Pair<Rule>) -> R<Rule_> {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let kind_pair = self.next(&mut it, span)?;
        let kind = match kind_pair.as_str() {
            "coverage" => RuleKind::Coverage,
            "exclusion" => RuleKind::Exclusion,
            "referral" => RuleKind::Referral,
            "evidence" => RuleKind::Evidence,
            "compensation" => RuleKind::Compensation,
            "deadline" => RuleKind::Deadline,
            "fallback" => RuleKind::Fallback,
            "supporting" => RuleKind::Supporting,
            "priority" => RuleKind::Priority,
            "appeal" => RuleKind::Appeal,
            "note" => RuleKind::Note,
            "refund" => RuleKind::Refund,
            "deduction" => RuleKind::Deduction,
            "refusal" => RuleKind::Refusal,
            _ => return Err(internal(self.file, span_of(&kind_pair))),
        };
        let name = self.ident(self.next(&mut it, span)?);
        let mut clauses = Vec::new();
        let mut components = Vec::new();
        for c in it {
            let cspan = span_of(&c);
            let which = c.as_rule();
            let mut ci = c.into_inner();
            let _kw = self.next(&mut ci, cspan)?;
            let clause = match which {
                Rule::doc_decl => {
                    let first = self.next(&mut ci, cspan)?;
                    Clause::Doc(self.doc(first, ci, cspan)?)
                }
                Rule::requires_clause => {
                    Clause::Requires(self.alternatives(self.next(&mut ci, cspan)?)?)
                }
                Rule::when_clause => Clause::When(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::pays_clause | Rule::add_clause => {
                    let e = self.expr(self.next(&mut ci, cspan)?)?;
                    // `as NAME`: the keyword, then the component.
                    if let (Some(_as), Some(name)) = (ci.next(), ci.next()) {
                        components.push((clauses.len(), self.ident(name)));
                    }
                    match which {
                        Rule::pays_clause => Clause::Pays(e),
                        _ => Clause::Add(e),
                    }
                }
                Rule::by_clause => Clause::By(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::shows_clause => Clause::Shows(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::reduce_clause
                | Rule::cap_clause
                | Rule::floor_clause
                | Rule::eligible_clause => {
                    let mut second = self.next(&mut ci, cspan)?;
                    // `cap cash at 50`: the component before `at` (or `by`).
                    if second.as_rule() == Rule::ident {
                        components.push((clauses.len(), self.ident(second)));
                        second = self.next(&mut ci, cspan)?;
                    }
                    let _second_kw = second;
                    let e = self.expr(self.next(&mut ci, cspan)?)?;
                    match which {
                        Rule::reduce_clause => Clause::Reduce(e),
                        Rule::cap_clause => Clause::Cap(e),
                        Rule::eligible_clause => Clause::EligibleFrom(e),
                        _ => Clause::Floor(e),
                    }
                }
                _ => return Err(internal(self.file, cspan)),
            };
            clauses.push(clause);
        }
        Ok(Rule_ {
            kind,
            name,
            clauses,
            components,
            span,
        })
    }

    pub(super) fn table(&self, pair: Pair<Rule>) -> R<Table> {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let _kw = self.next(&mut it, span)?;
        let name = self.ident(self.next(&mut it, span)?);
        let param = self.ident(self.next(&mut it, span)?);
        let mut doc_pair = self.next(&mut it, span)?;
        let mut ty = None;
        if doc_pair.as_rule() == Rule::type_expr {
            ty = Some(self.type_expr(doc_pair)?);
            doc_pair = self.next(&mut it, span)?;
        }
        let dspan = span_of(&doc_pair);
        let mut di = doc_pair.into_inner();
        let _doc_kw = self.next(&mut di, dspan)?;
        let first = self.next(&mut di, dspan)?;
        let doc = self.doc(first, di, dspan)?;
        let mut bands = Vec::new();
        for band in it {
            let bspan = span_of(&band);
            let (mut over, mut up_to, mut from, mut under) = (None, None, false, false);
            let mut value = None;
            for part in band.into_inner() {
                match part.as_rule() {
                    Rule::band_lower | Rule::band_upper => {
                        let lower = part.as_rule() == Rule::band_lower;
                        let mut pi = part.into_inner();
                        let kw = self.next(&mut pi, bspan)?;
                        let closed_or_open = matches!(kw.as_rule(), Rule::kw_from | Rule::kw_under);
                        let mut bound = None;
                        for p in pi {
                            if p.as_rule() == Rule::expr {
                                bound = Some(self.expr(p)?);
                            }
                        }
                        if lower {
                            (over, from) = (bound, closed_or_open);
                        } else {
                            (up_to, under) = (bound, closed_or_open);
                        }
                    }
                    _ => value = Some(self.expr(part)?),
                }
            }
            let value = value.ok_or_else(|| internal(self.file, bspan))?;
            bands.push(Band {
                over,
                up_to,
                from,
                under,
                value,
                span: bspan,
            });
        }
        Ok(Table {
            name,
            param,
            ty,
            doc,
            bands,
            span,
        })
    }

    pub(super) fn hook(&self, pair: Pair<Rule>) -> R<HookDecl> {
        let span = span_of(&pair);
        let mut params = Vec::new();
        let (mut name, mut ret, mut file) = (None, None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::param => {
                    let pspan = span_of(&p);
                    let mut pi = p.into_inner();
                    let n = self.ident(self.next(&mut pi, pspan)?);
                    params.push((n, self.type_expr(self.next(&mut pi, pspan)?)?));
                }
                Rule::type_expr => ret = Some(self.type_expr(p)?),
                Rule::string => file = Some(self.string(Some(p), span)?),
                _ => {}
            }
        }
        match (name, ret, file) {
            (Some(name), Some(ret), Some(file)) => Ok(HookDecl {
                name,
                params,
                ret,
                file,
                span,
            }),
            _ => Err(internal(self.file, span)),
        }
    }

    pub(super) fn calendar(&self, pair: Pair<Rule>) -> R<Calendar> {
        let span = span_of(&pair);
        let (mut name, mut file, mut doc) = (None, None, None);
        let mut holidays = Vec::new();
        for p in pair.into_inner() {
            let pspan = span_of(&p);
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::calendar_file => {
                    let s = p.into_inner().find(|s| s.as_rule() == Rule::string);
                    file = Some(self.string(s, pspan)?);
                }
                Rule::doc_decl => {
                    let mut di = p.into_inner();
                    let _kw = self.next(&mut di, pspan)?;
                    let first = self.next(&mut di, pspan)?;
                    doc = Some(self.doc(first, di, pspan)?);
                }
                Rule::holidays => {
                    for d in p.into_inner().filter(|d| d.as_rule() == Rule::date_lit) {
                        holidays.push(self.date(d)?);
                    }
                }
                _ => {}
            }
        }
        match (name, doc) {
            (Some(name), Some(doc)) => Ok(Calendar {
                name,
                file,
                doc,
                holidays,
                span,
            }),
            _ => Err(internal(self.file, span)),
        }
    }

    pub(super) fn alternatives(&self, body: Pair<Rule>) -> R<Vec<Alternative>> {
        let span = span_of(&body);
        match body.as_rule() {
            Rule::any_of => body
                .into_inner()
                .filter(|p| p.as_rule() == Rule::alternative)
                .map(|a| self.alternative(a))
                .collect(),
            Rule::alternative => Ok(vec![self.alternative(body)?]),
            _ => Err(internal(self.file, span)),
        }
    }

    pub(super) fn alternative(&self, pair: Pair<Rule>) -> R<Alternative> {
        let span = span_of(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        let ispan = span_of(&inner);
        match inner.as_rule() {
            Rule::kind_alt => {
                let mut it = inner.into_inner();
                let kind = self.ident(self.next(&mut it, ispan)?);
                let condition = match (it.next(), it.next()) {
                    (Some(_where), Some(e)) => Some(self.expr(e)?),
                    _ => None,
                };
                Ok(Alternative::Kind { kind, condition })
            }
            Rule::fact_alt => {
                let paths = inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::path)
                    .map(|p| self.path(p))
                    .collect();
                Ok(Alternative::Facts { paths, span: ispan })
            }
            _ => Err(internal(self.file, ispan)),
        }
    }
}
