//! Nesting through definitions: a value or table an expression reads is as deep as its definition.

use super::expr::Typed;
use super::Checker;
use crate::ast;
use crate::ir::Ex;
use crate::parse::MAX_EXPR_DEPTH;
use crate::span::Span;

impl Checker<'_> {
    /// How deeply evaluating `ex` nests, each `let` value or table it reads counting as
    /// deep as its definition.
    pub(super) fn eval_depth(&self, ex: &Ex) -> usize {
        let mut deepest = match ex {
            Ex::Let(i) => self.let_depths.get(*i).copied().unwrap_or(0),
            Ex::Table(t, ..) => self.table_depths.get(*t).copied().unwrap_or(0),
            _ => 0,
        };
        ex.for_each_child(&mut |c| deepest = deepest.max(self.eval_depth(c)));
        deepest + 1
    }

    /// A checked expression, refused when evaluating it would nest deeper than the parser
    /// lets one expression nest (evaluation recurses once per level).
    pub(super) fn within_depth(&mut self, t: Option<Typed>, span: Span) -> Option<Typed> {
        let t = t?;
        if self.eval_depth(&t.ex) <= MAX_EXPR_DEPTH {
            return Some(t);
        }
        self.error(
            span,
            "expression is nested too deeply, counting the values it reads",
            "this expression",
            Some(format!(
                "at most {MAX_EXPR_DEPTH} levels, each `let` value or table it reads counting as deep as its definition"
            )),
        );
        None
    }

    /// Refuses to check a definition read from an expression already nested too deeply:
    /// checking follows each value and table into its definition, so a long chain of them
    /// would otherwise recurse once per level until the stack runs out.
    pub(super) fn reading_ok(&mut self, name: &ast::Ident) -> Option<()> {
        if self.nesting < MAX_EXPR_DEPTH {
            return Some(());
        }
        self.error(
            name.span,
            "expression is nested too deeply, counting the values it reads",
            "read too deeply",
            Some(format!(
                "at most {MAX_EXPR_DEPTH} levels, each `let` value or table it reads counting as deep as its definition"
            )),
        );
        None
    }
}
