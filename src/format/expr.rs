//! The layout of expressions: operators, brackets as written, and where long ones break.

use rust_decimal::Decimal;

use super::doc::{align, cat, group, nest, text, Doc};
use super::items::Layout;
use crate::ast::{AggKind, BinOp, Expr, ExprKind, TimeUnit};
use crate::print::string;

/// Operators that chain at one level: `a and b and c`, `a + b - c`.
fn level(op: BinOp) -> u8 {
    match op {
        BinOp::Or => 1,
        BinOp::And => 2,
        BinOp::Add | BinOp::Sub => 4,
        BinOp::Mul | BinOp::Div => 5,
        // Comparisons do not chain.
        _ => 0,
    }
}

impl Layout<'_> {
    /// An expression, with the comments before it and its brackets as written.
    pub(super) fn expr(&mut self, e: &Expr) -> Doc {
        let lead = self.comments(e.span.start);
        let body = self.bare(e);
        if self.trivia.parenthesized(e.span) {
            cat(vec![lead, text("("), align(body), text(")")])
        } else {
            cat(vec![lead, body])
        }
    }

    /// An expression without the brackets around it.
    fn bare(&mut self, e: &Expr) -> Doc {
        match &e.kind {
            ExprKind::Number(n, _) => text(n.to_string()),
            ExprKind::Percent(n) => text(format!("{n}%")),
            ExprKind::PercentOf(p, x) => cat(vec![self.expr(p), text(" of "), self.expr(x)]),
            ExprKind::Str(s) => text(string(s)),
            ExprKind::Bool(b) => text(if *b { "true" } else { "false" }),
            ExprKind::Date(d) => text(d.format("%Y-%m-%d").to_string()),
            ExprKind::Duration(n, unit) => text(duration(*n, *unit)),
            ExprKind::Path(p) => text(p.dotted()),
            ExprKind::Amounts(entries) => {
                let shown: Vec<String> = entries
                    .iter()
                    .map(|(code, n)| match &n.kind {
                        ExprKind::Number(n, _) => format!("{}: {n}", code.name),
                        _ => format!("{}: {}", code.name, crate::print::expr(n)),
                    })
                    .collect();
                text(format!("{{ {} }}", shown.join(", ")))
            }
            ExprKind::List(items) => {
                let list = self.fill_list(items, |i| i.span.start, |l, i| l.expr(i));
                group(cat(vec![text("["), list, text("]")]))
            }
            ExprKind::Not(a) => cat(vec![text("not "), self.expr(a)]),
            ExprKind::Neg(a) => cat(vec![text("-"), self.expr(a)]),
            ExprKind::Binary(..) => self.chain(e),
            ExprKind::Otherwise(a, b) => {
                let a = self.expr(a);
                let b = self.expr(b);
                group(cat(vec![
                    a,
                    nest(2, cat(vec![Doc::Line, text("otherwise "), b])),
                ]))
            }
            ExprKind::IsPresent(a, present) => {
                let word = if *present {
                    " is present"
                } else {
                    " is absent"
                };
                cat(vec![self.expr(a), text(word)])
            }
            ExprKind::If(c, t, f) => {
                let c = self.expr(c);
                let t = self.expr(t);
                let f = self.expr(f);
                align(group(cat(vec![
                    text("if "),
                    align(c),
                    Doc::Line,
                    text("then "),
                    align(t),
                    Doc::Line,
                    text("else "),
                    align(f),
                ])))
            }
            ExprKind::Call(name, args) => {
                let list = self.fill_list(args, |a| a.span.start, |l, a| l.expr(a));
                group(cat(vec![text(format!("{}(", name.name)), list, text(")")]))
            }
            ExprKind::Access(inner, fields) => {
                let names: Vec<&str> = fields.iter().map(|f| f.name.as_str()).collect();
                cat(vec![
                    self.expr(inner),
                    text(format!(".{}", names.join("."))),
                ])
            }
            ExprKind::Aggregate {
                kind: AggKind::The,
                var,
                list,
                filter,
                ..
            } => {
                let mut parts = vec![text(format!(
                    "the {} in {} where ",
                    var.name,
                    list.dotted()
                ))];
                if let Some(f) = filter {
                    parts.push(align(self.expr(f)));
                }
                group(cat(parts))
            }
            ExprKind::Aggregate {
                kind,
                var,
                list,
                filter,
                body,
            } => {
                let mut parts = vec![text(format!(
                    "{}({} in {}",
                    kind.as_str(),
                    var.name,
                    list.dotted()
                ))];
                if let Some(f) = filter {
                    parts.push(text(" where "));
                    parts.push(align(self.expr(f)));
                }
                if let Some(b) = body {
                    let b = self.expr(b);
                    parts.push(text(":"));
                    parts.push(nest(2, cat(vec![Doc::Line, b])));
                }
                parts.push(text(")"));
                group(cat(parts))
            }
        }
    }

    /// A chain of operators of one level (or one comparison): the operands fill the
    /// lines, each line after the first starting with its operator, two columns in.
    fn chain(&mut self, e: &Expr) -> Doc {
        let mut operands = Vec::new();
        self.flatten(e, &mut operands);
        let mut parts = Vec::new();
        let mut pending: Option<Doc> = None;
        for (op, x) in operands {
            // Comments before an operand end the line of the one before it.
            let before = self.comments(x.span.start);
            let operand = self.expr(x);
            let part = match (op, pending.take()) {
                (Some(op), Some(prev)) => {
                    parts.push(cat(vec![prev, before]));
                    parts.push(Doc::Line);
                    cat(vec![text(format!("{} ", op.symbol())), operand])
                }
                (_, _) => cat(vec![before, operand]),
            };
            pending = Some(part);
        }
        if let Some(last) = pending {
            parts.push(last);
        }
        nest(2, Doc::Fill(parts))
    }

    /// The operands of a chain, each with the operator before it: `a and b and c`, `a + b
    /// - c`, `a == b`. A bracketed operand is one operand.
    fn flatten<'e>(&self, e: &'e Expr, out: &mut Vec<(Option<BinOp>, &'e Expr)>) {
        let ExprKind::Binary(op, l, r) = &e.kind else {
            out.push((None, e));
            return;
        };
        let same_level = |x: &Expr| {
            matches!(&x.kind, ExprKind::Binary(o, ..) if level(*o) != 0 && level(*o) == level(*op))
                && !self.trivia.parenthesized(x.span)
        };
        if same_level(l) {
            self.flatten(l, out);
        } else {
            out.push((None, l));
        }
        out.push((Some(*op), r));
    }
}

/// `1 day`, `30 days`, `24 hours`, `12 months`.
fn duration(n: Decimal, unit: TimeUnit) -> String {
    format!("{} {}", n.normalize(), unit.word(n))
}
