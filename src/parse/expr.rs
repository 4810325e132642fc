//! Expressions: precedence levels folded into a tree, with a bound on its depth.

use super::{internal, span_of, token_len, Builder, Rule, MAX_EXPR_DEPTH, R};
use crate::ast::*;
use crate::span::Span;
use pest::iterators::Pair;
use rust_decimal::Decimal;
use std::str::FromStr;

impl Builder<'_> {
    /// A constant's amount in each currency: `{ USD: 5, EUR: 4.50 }`.
    pub(super) fn amounts(&self, pair: Pair<Rule>) -> R<Expr> {
        let span = span_of(&pair);
        let mut entries = Vec::new();
        for entry in pair.into_inner() {
            let espan = span_of(&entry);
            let mut it = entry.into_inner();
            let code = self.ident(self.next(&mut it, espan)?);
            // Any expression: the checker says when it is not a number written out.
            let amount = self.expr(self.next(&mut it, espan)?)?;
            entries.push((code, amount));
        }
        Ok(Expr {
            kind: ExprKind::Amounts(entries),
            span,
        })
    }

    pub(super) fn expr(&self, pair: Pair<Rule>) -> R<Expr> {
        let (e, _) = self.expr_d(pair)?;
        Ok(e)
    }

    /// Builds an expression and its depth; deeper than [`MAX_EXPR_DEPTH`] is an error.
    pub(super) fn expr_d(&self, pair: Pair<Rule>) -> R<(Expr, usize)> {
        // A node's span without the whitespace after it is found by scanning its text, so
        // it is made only where a node keeps it: most levels pass their one operand through.
        let (start, text) = (pair.as_span().start(), pair.as_str());
        let span = || Span::new(start, start + token_len(text));
        let raw = Span::new(start, start + text.len());
        let which = pair.as_rule();
        let out = match which {
            Rule::expr => return self.expr_d(self.next(&mut pair.into_inner(), raw)?),
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                let mut it = pair.into_inner();
                let (mut acc, mut depth) = self.expr_d(self.next(&mut it, raw)?)?;
                while let Some(op) = it.next() {
                    let bop = match (which, op.as_str()) {
                        (Rule::or_expr, _) => BinOp::Or,
                        (Rule::and_expr, _) => BinOp::And,
                        (_, "+") => BinOp::Add,
                        (_, "-") => BinOp::Sub,
                        (_, "*") => BinOp::Mul,
                        (_, "/") => BinOp::Div,
                        _ => return Err(internal(self.file, span_of(&op))),
                    };
                    let (rhs, d) = self.expr_d(self.next(&mut it, raw)?)?;
                    depth = depth.max(d) + 1;
                    let s = acc.span.to(rhs.span);
                    acc = Expr {
                        kind: ExprKind::Binary(bop, Box::new(acc), Box::new(rhs)),
                        span: s,
                    };
                    self.depth_ok(depth, s)?;
                }
                (acc, depth)
            }
            Rule::not_expr => {
                let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
                self.prefixes_ok(&parts)?;
                self.prefixed(parts, raw, |acc, span| Expr {
                    kind: ExprKind::Not(Box::new(acc)),
                    span,
                })?
            }
            Rule::cmp_expr => {
                let mut it = pair.into_inner();
                let (lhs, d1) = self.expr_d(self.next(&mut it, raw)?)?;
                match it.next() {
                    None => (lhs, d1),
                    Some(op) => {
                        let bop = match op.as_str() {
                            "==" => BinOp::Eq,
                            "!=" => BinOp::Ne,
                            "<=" => BinOp::Le,
                            ">=" => BinOp::Ge,
                            "<" => BinOp::Lt,
                            ">" => BinOp::Gt,
                            "in" => BinOp::In,
                            _ => BinOp::NotIn,
                        };
                        let (rhs, d2) = self.expr_d(self.next(&mut it, raw)?)?;
                        (
                            Expr {
                                kind: ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)),
                                span: span(),
                            },
                            d1.max(d2) + 1,
                        )
                    }
                }
            }
            Rule::unary => {
                let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
                self.prefixes_ok(&parts)?;
                self.negated(parts, raw)?
            }
            Rule::postfix => {
                let mut it = pair.into_inner();
                let (mut acc, mut depth) = self.expr_d(self.next(&mut it, raw)?)?;
                for tail in it {
                    let tspan = span_of(&tail);
                    let s = acc.span.to(tspan);
                    acc = match tail.as_rule() {
                        Rule::otherwise_tail => {
                            // The keyword, then the default: an atom, maybe negated.
                            let parts: Vec<Pair<Rule>> = tail.into_inner().skip(1).collect();
                            self.prefixes_ok(&parts)?;
                            let (dflt, d) = self.negated(parts, tspan)?;
                            depth = depth.max(d);
                            Expr {
                                kind: ExprKind::Otherwise(Box::new(acc), Box::new(dflt)),
                                span: s,
                            }
                        }
                        Rule::present_tail => Expr {
                            kind: ExprKind::IsPresent(Box::new(acc), true),
                            span: s,
                        },
                        _ => Expr {
                            kind: ExprKind::IsPresent(Box::new(acc), false),
                            span: s,
                        },
                    };
                    depth += 1;
                    self.depth_ok(depth, s)?;
                }
                (acc, depth)
            }
            Rule::number => (
                Expr {
                    kind: ExprKind::Number(self.number(&pair)?, pair.as_str().contains('.')),
                    span: span(),
                },
                1,
            ),
            Rule::percent => {
                let written = pair.as_str().trim_end_matches('%');
                let n = Decimal::from_str(written)
                    .ok()
                    .filter(|n| n.scale() <= 26)
                    .ok_or_else(|| {
                        self.err(span(), "percentage is too large or too precise", "here")
                            .with_help("a percentage holds at most 26 digits after the point")
                    })?;
                (
                    Expr {
                        kind: ExprKind::Percent(n),
                        span: span(),
                    },
                    1,
                )
            }
            Rule::percent_of => {
                let mut it = pair.into_inner();
                let (pct, _) = self.expr_d(self.next(&mut it, raw)?)?;
                let _of = self.next(&mut it, raw)?;
                let (of, d) = self.expr_d(self.next(&mut it, raw)?)?;
                let s = pct.span.to(of.span);
                self.depth_ok(d + 1, s)?;
                (
                    Expr {
                        kind: ExprKind::PercentOf(Box::new(pct), Box::new(of)),
                        span: s,
                    },
                    d + 1,
                )
            }
            Rule::duration => {
                let mut it = pair.into_inner();
                let n = self.next(&mut it, raw)?;
                let unit = match self.next(&mut it, raw)?.as_str() {
                    "day" | "days" => TimeUnit::Days,
                    "month" | "months" => TimeUnit::Months,
                    "year" | "years" => TimeUnit::Years,
                    _ => TimeUnit::Hours,
                };
                let value = self.number(&n)?;
                if !value.fract().is_zero() && unit.is_calendar() {
                    return Err(self
                        .err(
                            span(),
                            "a calendar period is a whole number of months or years",
                            "not whole",
                        )
                        .with_help("write months for part of a year"));
                }
                if !value.fract().is_zero() {
                    return Err(self
                        .err(
                            span(),
                            "a duration is a whole number of days or hours",
                            "not whole",
                        )
                        .with_help("write hours for part of a day"));
                }
                (
                    Expr {
                        kind: ExprKind::Duration(value, unit),
                        span: span(),
                    },
                    1,
                )
            }
            Rule::date_lit => (
                Expr {
                    kind: ExprKind::Date(self.date(pair)?.value),
                    span: span(),
                },
                1,
            ),
            Rule::string => (
                Expr {
                    kind: ExprKind::Str(self.string(Some(pair), span())?.value),
                    span: span(),
                },
                1,
            ),
            Rule::bool_lit => (
                Expr {
                    kind: ExprKind::Bool(pair.as_str() == "true"),
                    span: span(),
                },
                1,
            ),
            Rule::path => (
                Expr {
                    kind: ExprKind::Path(self.path(pair)),
                    span: span(),
                },
                1,
            ),
            Rule::paren => {
                // The brackets belong to the operand, so messages underline them too.
                let mut it = pair.into_inner();
                let first = self.next(&mut it, raw)?;
                let inner_end = first.as_span().end();
                let (inner, depth) = self.expr_d(first)?;
                let fields: Vec<Ident> = it.map(|p| self.ident(p)).collect();
                if fields.is_empty() {
                    (
                        Expr {
                            kind: inner.kind,
                            span: span(),
                        },
                        depth,
                    )
                } else {
                    // `(expr).field`: the bracketed operand ends at its closing bracket.
                    let close = self.closing_bracket(inner_end).unwrap_or(raw.end);
                    let bracketed = Expr {
                        kind: inner.kind,
                        span: Span::new(start, close),
                    };
                    (
                        Expr {
                            kind: ExprKind::Access(Box::new(bracketed), fields),
                            span: span(),
                        },
                        depth + 1,
                    )
                }
            }
            Rule::list_lit => {
                let mut items = Vec::new();
                let mut depth = 1;
                for p in pair.into_inner() {
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    items.push(e);
                }
                (
                    Expr {
                        kind: ExprKind::List(items),
                        span: span(),
                    },
                    depth,
                )
            }
            Rule::if_expr => {
                let parts: Vec<Pair<Rule>> = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .collect();
                let mut depth = 1;
                let mut exprs = Vec::new();
                for p in parts {
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    exprs.push(e);
                }
                let [c, t, e]: [Expr; 3] =
                    exprs.try_into().map_err(|_| internal(self.file, raw))?;
                (
                    Expr {
                        kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(e)),
                        span: span(),
                    },
                    depth,
                )
            }
            Rule::call => {
                let mut it = pair.into_inner();
                let name = self.ident(self.next(&mut it, raw)?);
                let mut args = Vec::new();
                let mut fields = Vec::new();
                let mut depth = 1;
                let mut args_end = name.span.end;
                for p in it {
                    if p.as_rule() == Rule::ident {
                        fields.push(self.ident(p));
                        continue;
                    }
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    args_end = e.span.end;
                    args.push(e);
                }
                let call = ExprKind::Call(name, args);
                if fields.is_empty() {
                    (
                        Expr {
                            kind: call,
                            span: span(),
                        },
                        depth,
                    )
                } else {
                    // `f(x).field`: the call ends at its closing bracket.
                    let close = self.closing_bracket(args_end).unwrap_or(raw.end);
                    let call = Expr {
                        kind: call,
                        span: Span::new(start, close),
                    };
                    (
                        Expr {
                            kind: ExprKind::Access(Box::new(call), fields),
                            span: span(),
                        },
                        depth + 1,
                    )
                }
            }
            Rule::selection => {
                let mut it = pair.into_inner();
                let _the = self.next(&mut it, raw)?;
                let var = self.ident(self.next(&mut it, raw)?);
                let _in = self.next(&mut it, raw)?;
                let list = self.path(self.next(&mut it, raw)?);
                let _where = self.next(&mut it, raw)?;
                let (filter, d) = self.expr_d(self.next(&mut it, raw)?)?;
                (
                    Expr {
                        kind: ExprKind::Aggregate {
                            kind: AggKind::The,
                            var,
                            list,
                            filter: Some(Box::new(filter)),
                            body: None,
                        },
                        span: span(),
                    },
                    d + 1,
                )
            }
            Rule::aggregate => {
                let mut it = pair.into_inner();
                let kind = match self.next(&mut it, raw)?.as_str() {
                    "sum" => AggKind::Sum,
                    "count" => AggKind::Count,
                    "any" => AggKind::Any,
                    "min" => AggKind::Min,
                    "max" => AggKind::Max,
                    _ => AggKind::All,
                };
                let var = self.ident(self.next(&mut it, raw)?);
                let _in = self.next(&mut it, raw)?;
                let list = self.path(self.next(&mut it, raw)?);
                let (mut filter, mut body, mut depth) = (None, None, 1);
                let mut after_where = false;
                for p in it {
                    if p.as_rule() == Rule::kw_where {
                        after_where = true;
                        continue;
                    }
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    if std::mem::take(&mut after_where) {
                        filter = Some(Box::new(e));
                    } else {
                        body = Some(Box::new(e));
                    }
                }
                (
                    Expr {
                        kind: ExprKind::Aggregate {
                            kind,
                            var,
                            list,
                            filter,
                            body,
                        },
                        span: span(),
                    },
                    depth,
                )
            }
            _ => return Err(internal(self.file, raw)),
        };
        if out.1 > MAX_EXPR_DEPTH {
            self.depth_ok(out.1, span())?;
        }
        Ok(out)
    }

    /// The end of the `)` that closes a bracketed expression ending at `from`: the first
    /// after it, past white space and comments.
    fn closing_bracket(&self, from: usize) -> Option<usize> {
        let rest = self.file.text.get(from..)?;
        let mut in_comment = false;
        for (i, c) in rest.char_indices() {
            match c {
                '\n' => in_comment = false,
                '#' => in_comment = true,
                ')' if !in_comment => return Some(from + i + 1),
                _ => {}
            }
        }
        None
    }

    /// An operand after any number of `-` (`parts`: the signs, then the operand). A
    /// negated number or percentage is a negative constant; anything else is negated.
    fn negated(&self, parts: Vec<Pair<Rule>>, raw: Span) -> R<(Expr, usize)> {
        self.prefixed(parts, raw, |acc, span| match acc.kind {
            ExprKind::Number(n, dot) => Expr {
                kind: ExprKind::Number(-n, dot),
                span,
            },
            ExprKind::Percent(n) => Expr {
                kind: ExprKind::Percent(-n),
                span,
            },
            kind => Expr {
                kind: ExprKind::Neg(Box::new(Expr {
                    kind,
                    span: acc.span,
                })),
                span,
            },
        })
    }

    /// An operand after a run of prefix operators (`parts`: the operators, then the
    /// operand), each applied from the innermost out by `apply` (the operand so far, and
    /// the span from the operator to the operand's end); each level counts once against
    /// the nesting limit.
    fn prefixed(
        &self,
        parts: Vec<Pair<Rule>>,
        raw: Span,
        apply: impl Fn(Expr, Span) -> Expr,
    ) -> R<(Expr, usize)> {
        let mut iter = parts.into_iter().rev();
        let last = iter.next().ok_or_else(|| internal(self.file, raw))?;
        let (mut acc, mut depth) = self.expr_d(last)?;
        for prefix in iter {
            depth += 1;
            let span = span_of(&prefix).to(acc.span);
            acc = apply(acc, span);
            self.depth_ok(depth, span)?;
        }
        Ok((acc, depth))
    }

    /// Rejects a run of prefix operators (`not`, `-`) deeper than [`MAX_EXPR_DEPTH`] at its first.
    pub(super) fn prefixes_ok(&self, parts: &[Pair<Rule>]) -> R<()> {
        match parts.first() {
            Some(first) if parts.len() > MAX_EXPR_DEPTH => {
                self.depth_ok(usize::MAX, span_of(first))
            }
            _ => Ok(()),
        }
    }

    pub(super) fn depth_ok(&self, depth: usize, span: Span) -> R<()> {
        if depth > MAX_EXPR_DEPTH {
            return Err(self
                .err(span, "expression is nested too deeply", "this expression")
                .with_help(format!(
                    "at most {MAX_EXPR_DEPTH} levels; name parts of it with `let`"
                )));
        }
        Ok(())
    }

    pub(super) fn number(&self, pair: &Pair<Rule>) -> R<Decimal> {
        Decimal::from_str(pair.as_str()).map_err(|_| {
            self.err(span_of(pair), "number is too large or too precise", "here")
                .with_help("numbers hold at most 28 significant digits")
        })
    }
}
