//! Condition maps for traces: where each `and`/`or` operand of a rule's condition is
//! written, and which facts, constants and values each part reads.
//!
//! The checked expression keeps no names or places; a map keeps them beside it, operand
//! for operand, so that [`crate::trace`] can report a condition part by part without the
//! evaluator carrying anything for it.

use super::{Checker, Slot};
use crate::ast::{self, BinOp, Expr, ExprKind};
use crate::ir::Ex;
use crate::schema::Schema;
use crate::span::Span;
use crate::types::Base;

/// A condition as written: an `and` or `or` with its two operands, or a leaf and what it reads.
#[derive(Debug)]
pub struct CondMap {
    pub span: Span,
    pub node: CondNode,
}

#[derive(Debug)]
pub enum CondNode {
    /// The operands of an `and` or `or` (which one, the checked expression says).
    Junction(Box<CondMap>, Box<CondMap>),
    /// Any other condition, and the names it reads, each once, in the order written.
    Leaf(Vec<ReadMap>),
}

/// A name an expression reads, as written, and what it resolves to.
#[derive(Debug)]
pub struct ReadMap {
    pub name: String,
    pub span: Span,
    pub of: ReadOf,
}

#[derive(Debug)]
pub enum ReadOf {
    /// A fact: field indices from the document root, and its type.
    Fact(Box<[usize]>, Base),
    /// A constant by index.
    Const(usize, Base),
    /// A `let` value by index.
    Let(usize, Base),
}

impl Checker<'_> {
    /// The map of a condition `written`, checked as `checked`: `and`/`or` operands are
    /// followed as long as the checked expression mirrors the written one.
    pub(super) fn cond_map(&self, written: &Expr, checked: &Ex, deadline: bool) -> CondMap {
        let node = match (&written.kind, checked) {
            (ExprKind::Binary(BinOp::And, a, b), Ex::And(x, y))
            | (ExprKind::Binary(BinOp::Or, a, b), Ex::Or(x, y)) => CondNode::Junction(
                Box::new(self.cond_map(a, x, deadline)),
                Box::new(self.cond_map(b, y, deadline)),
            ),
            _ => CondNode::Leaf(self.reads(written, deadline)),
        };
        CondMap {
            span: written.span,
            node,
        }
    }

    /// The facts, constants and values an expression reads, each once.
    pub(super) fn reads(&self, e: &Expr, deadline: bool) -> Vec<ReadMap> {
        let mut out = Vec::new();
        self.explained.borrow_mut().clear();
        self.collect_reads(e, &mut Vec::new(), deadline, &mut out);
        out
    }

    fn collect_reads<'e>(
        &self,
        e: &'e Expr,
        bound: &mut Vec<&'e str>,
        deadline: bool,
        out: &mut Vec<ReadMap>,
    ) {
        let mut go = |x: &'e Expr, bound: &mut Vec<&'e str>| {
            self.collect_reads(x, bound, deadline, out);
        };
        match &e.kind {
            ExprKind::Path(p) => self.read_path(p, bound, deadline, out),
            ExprKind::List(items) => {
                for x in items {
                    go(x, bound);
                }
            }
            ExprKind::Call(name, items) => {
                for x in items {
                    go(x, bound);
                }
                self.function_reads(&name.name, deadline, out);
            }
            ExprKind::Not(a)
            | ExprKind::Neg(a)
            | ExprKind::IsPresent(a, _)
            | ExprKind::Access(a, _) => go(a, bound),
            ExprKind::Binary(_, a, b) | ExprKind::Otherwise(a, b) | ExprKind::PercentOf(a, b) => {
                go(a, bound);
                go(b, bound);
            }
            ExprKind::If(a, b, c) => {
                go(a, bound);
                go(b, bound);
                go(c, bound);
            }
            ExprKind::Aggregate {
                var,
                list,
                filter,
                body,
                ..
            } => {
                self.read_path(list, bound, deadline, out);
                bound.push(&var.name);
                for x in [filter, body].into_iter().flatten() {
                    self.collect_reads(x, bound, deadline, out);
                }
                bound.pop();
            }
            ExprKind::Number(..)
            | ExprKind::Percent(_)
            | ExprKind::Str(_)
            | ExprKind::Bool(_)
            | ExprKind::Date(_)
            | ExprKind::Amounts(_)
            | ExprKind::Duration(..) => {}
        }
    }

    /// What the body of the function `name` reads besides its parameters, when `name` is
    /// a function (the arguments' reads are the caller's).
    fn function_reads(&self, name: &str, deadline: bool, out: &mut Vec<ReadMap>) {
        let Some(f) = self
            .function_index
            .get(name)
            .and_then(|&i| self.ast.functions.get(i))
        else {
            return;
        };
        // Each function's reads are listed once (which also ends a recursive one).
        let Some(i) = self.function_index.get(name).copied() else {
            return;
        };
        if self.explained.borrow().contains(&i) {
            return;
        }
        self.explained.borrow_mut().push(i);
        let mut params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
        self.collect_reads(&f.body, &mut params, deadline, out);
    }

    /// Resolves a path as the checker does: variables, `decision`, constants, values, facts.
    fn read_path(&self, p: &ast::Path, bound: &[&str], deadline: bool, out: &mut Vec<ReadMap>) {
        let Some(first) = p.segments.first() else {
            return;
        };
        let name = first.name.as_str();
        if bound.contains(&name) || (deadline && name == "decision") {
            return;
        }
        let slot_type = |slots: &[Slot], i: usize| match slots.get(i) {
            Some(Slot::Done(Some(t))) => Some(t.ty.base.clone()),
            _ => None,
        };
        let (dotted, of) = if let Some(&i) = self.const_index.get(name) {
            let Some(base) = slot_type(&self.consts, i) else {
                return;
            };
            (name.to_string(), ReadOf::Const(i, base))
        } else if let Some(&i) = self.let_index.get(name) {
            let Some(base) = slot_type(&self.lets, i) else {
                return;
            };
            (name.to_string(), ReadOf::Let(i, base))
        } else {
            let mut record = Schema::ROOT;
            let mut path = Vec::new();
            let mut base = None;
            for seg in &p.segments {
                if base.is_some() {
                    match base {
                        Some(Base::Record(id)) => record = id,
                        _ => return,
                    }
                }
                let Some(i) = self.schema.field_index(record, &seg.name) else {
                    return;
                };
                let Some(f) = self
                    .schema
                    .records
                    .get(record)
                    .and_then(|r| r.fields.get(i))
                else {
                    return;
                };
                path.push(i);
                base = Some(f.ty.clone());
            }
            let Some(base) = base else {
                return;
            };
            (p.dotted(), ReadOf::Fact(path.into(), base))
        };
        if out.iter().any(|r| r.name == dotted) {
            return;
        }
        out.push(ReadMap {
            name: dotted,
            span: p.span,
            of,
        });
    }
}
