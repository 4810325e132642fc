//! Functions (`let NAME(PARAM, ...) = EXPR`): each call expands the body with the
//! arguments in place of the parameters, typed with the arguments' types.

use super::expr::{Scope, Typed};
use super::Checker;
use crate::ast;
use crate::types::Type;

/// How many calls to functions a policy may expand in all.
const MAX_EXPANSIONS: usize = 20_000;

impl<'a> Checker<'a> {
    /// Indexes functions by name: a function's name is not a table's, a hook's, a value's
    /// or a constant's.
    pub(super) fn index_lets_with_params(&mut self) {
        let ast = self.ast;
        for (i, f) in ast.functions.iter().enumerate() {
            let name = f.name.name.as_str();
            let taken = crate::ir::Builtin::by_name(name).is_some()
                || self.table_index.contains_key(name)
                || self.hook_index.contains_key(name)
                || self.let_index.contains_key(name)
                || self.const_index.contains_key(name)
                || self.function_index.contains_key(name);
            if taken {
                self.error(
                    f.name.span,
                    format!("`{name}` is defined twice"),
                    "name taken",
                    Some("rename the function".into()),
                );
                continue;
            }
            for (k, p) in f.params.iter().enumerate() {
                if f.params.iter().take(k).any(|q| q.name == p.name) {
                    self.error(
                        p.span,
                        format!("parameter `{}` is named twice", p.name),
                        "second parameter of this name",
                        Some("rename one of them".into()),
                    );
                }
            }
            self.function_index.insert(name, i);
        }
    }

    /// Checks a call to function `i`: its arguments in the caller's scope, then its body
    /// with the parameters standing for them.
    pub(super) fn function_call(
        &mut self,
        i: usize,
        name: &ast::Ident,
        args: &[ast::Expr],
        e: &ast::Expr,
        sc: &mut Scope,
    ) -> Option<Typed> {
        let ast = self.ast;
        let f = ast.functions.get(i)?;
        if args.len() != f.params.len() {
            let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
            let takes = match params.len() {
                1 => "one value".to_string(),
                n => format!("{n} values"),
            };
            self.error(
                e.span,
                format!("function `{}` takes {takes}", name.name),
                format!("{} given", args.len()),
                Some(format!("write `{}({})`", name.name, params.join(", "))),
            );
            return None;
        }
        let mut typed = Vec::new();
        let mut ok = true;
        for a in args {
            match self.expr(a, sc) {
                Some(t) => typed.push(t),
                None => ok = false,
            }
        }
        if !ok {
            return None;
        }
        if let Some(at) = self.calling.iter().position(|&j| j == i) {
            let mut names: Vec<String> = self
                .calling
                .get(at..)
                .unwrap_or(&[])
                .iter()
                .filter_map(|&j| ast.functions.get(j))
                .map(|g| format!("`{}`", g.name.name))
                .collect();
            names.push(format!("`{}`", name.name));
            self.error(
                name.span,
                format!("function `{}` calls itself: {}", name.name, names.join(" -> ")),
                "recursive call",
                Some("a function cannot call itself, directly or through others: compute the value without recursion".into()),
            );
            return None;
        }
        // Each call expands the body, and calls in it expand theirs: a chain of functions
        // is bounded in depth, and calls that call others many times in number.
        self.reading_ok(name)?;
        self.expansions += 1;
        if self.expansions > MAX_EXPANSIONS {
            if self.expansions == MAX_EXPANSIONS + 1 {
                self.error(
                    name.span,
                    "functions are expanded too many times",
                    "one call too many",
                    Some(format!(
                        "at most {MAX_EXPANSIONS} calls in all, counting the calls inside functions: compute a shared part once, with `let NAME = ...`"
                    )),
                );
            }
            return None;
        }
        let key: Vec<(Type, bool)> = typed.iter().map(|t| (t.ty.clone(), t.lit)).collect();
        if self.failed_calls.iter().any(|(j, k)| *j == i && *k == key) {
            // The body was reported for arguments of these types already.
            return None;
        }
        let params = f.params.iter().map(|p| p.name.clone()).zip(typed).collect();
        let mut inner = Scope::inside(sc, params);
        let before = self.errors.len();
        self.calling.push(i);
        let body = self.expr(&f.body, &mut inner);
        self.calling.pop();
        if body.is_none() {
            // Errors in the body say which call they come from.
            let at = self.file.location(e.span);
            // (The innermost call: a call that holds it is not named again.)
            let marked = |m: &str| m.contains(", in the call to `");
            for err in self
                .errors
                .iter_mut()
                .skip(before)
                .filter(|e| !marked(&e.message))
            {
                err.message = format!("{}, in the call to `{}` at {at}", err.message, name.name);
            }
            self.failed_calls.push((i, key));
        }
        body
    }
}
