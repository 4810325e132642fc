//! `unused-const`, `unused-let` (values and functions), `unused-fact`: declarations nothing
//! reads.
//!
//! A constant or `let` is used when a rule or table reads it, or a constant or `let` that
//! is used does; a rule's clause text quoting a constant (`{name}`) uses it too.
//!
//! A fact declaration also states the shape of documents (`eval --strict` refuses fields
//! the policy does not declare), so a field may be declared only to be accepted. Hence
//! only a top-level fact, or a record (or list of records) inside a fact that is read,
//! is reported, and only when nothing in it is read: not by a rule, a used `let`, the
//! header's `currency ... from`, `evidence from`, nor the engine itself (`claim`,
//! `cancellation`, their `id`s and the dates that pick a version). A scalar field of a
//! record that is read is never reported.

use std::collections::HashSet;

use super::{rule_expressions, segments, walk, warning, Lint, Name, Policy, Scope};
use crate::ast::{Alternative, Clause, ExprKind, FieldDecl};
use crate::diagnostic::PolicyWarning;

/// What some expressions read.
#[derive(Default)]
struct Reads {
    consts: Vec<usize>,
    lets: Vec<usize>,
    facts: Vec<Vec<String>>,
    /// Functions called (`let NAME(PARAM) = ...`).
    functions: Vec<usize>,
}

impl Reads {
    fn add(&mut self, name: Name) {
        match name {
            Name::Const(i) => self.consts.push(i),
            Name::Let(i) => self.lets.push(i),
            Name::Fact(path) => self.facts.push(path),
            Name::Other => {}
        }
    }
}

/// Facts the engine reads whatever the rules say.
const ENGINE_READS: [&str; 8] = [
    "claim",
    "claim.id",
    "claim.filed_at",
    "cancellation",
    "cancellation.id",
    "cancellation.requested_at",
    "protection.purchased_at",
    "order.placed_at",
];

pub fn warnings(p: &Policy) -> Vec<PolicyWarning> {
    let ast = p.ast;
    let reads_of = |e, sc: Scope| {
        let mut r = Reads::default();
        collect(p, e, sc, &mut r);
        r
    };
    let const_reads: Vec<Reads> = ast
        .consts
        .iter()
        .map(|b| reads_of(&b.value, Scope::default()))
        .collect();
    let let_reads: Vec<Reads> = ast
        .lets
        .iter()
        .map(|b| reads_of(&b.value, Scope::default()))
        .collect();
    let function_reads: Vec<Reads> = ast
        .functions
        .iter()
        .map(|f| {
            let params = f.params.iter().map(|p| p.name.as_str());
            reads_of(&f.body, Scope::with_params(params))
        })
        .collect();
    let mut roots = Reads::default();
    for t in &ast.tables {
        for band in &t.bands {
            for e in band.over.iter().chain(&band.up_to) {
                collect(p, e, Scope::default(), &mut roots);
            }
            let sc = Scope::with_params([t.param.name.as_str()]);
            collect(p, &band.value, sc, &mut roots);
        }
    }
    for rule in &ast.rules {
        for (e, sc) in rule_expressions(rule) {
            collect(p, e, sc, &mut roots);
        }
        for clause in &rule.clauses {
            match clause {
                Clause::Doc(doc) => roots.consts.extend(quoted(p, &doc.value)),
                Clause::Requires(alts) => {
                    for alt in alts {
                        if let Alternative::Facts { paths, .. } = alt {
                            for path in paths {
                                roots.add(p.resolve(path, &Scope::default()));
                            }
                        }
                    }
                }
                _ => {}
            }
        }
    }
    for path in ast.header.currency_from.iter().chain(&ast.evidence_source) {
        roots.facts.push(segments(path));
    }
    for path in ENGINE_READS {
        roots
            .facts
            .push(path.split('.').map(String::from).collect());
    }

    // Everything the roots read, through the constants and values they read.
    let mut used_consts = vec![false; ast.consts.len()];
    let mut used_lets = vec![false; ast.lets.len()];
    let mut used_functions = vec![false; ast.functions.len()];
    let mut facts: HashSet<Vec<String>> = HashSet::new();
    let mut todo = vec![&roots];
    while let Some(r) = todo.pop() {
        for path in &r.facts {
            for n in 1..=path.len() {
                facts.insert(path.get(..n).unwrap_or(&[]).to_vec());
            }
        }
        for &i in &r.consts {
            if let (Some(seen @ false), Some(next)) = (used_consts.get_mut(i), const_reads.get(i)) {
                *seen = true;
                todo.push(next);
            }
        }
        for &i in &r.lets {
            if let (Some(seen @ false), Some(next)) = (used_lets.get_mut(i), let_reads.get(i)) {
                *seen = true;
                todo.push(next);
            }
        }
        for &i in &r.functions {
            if let (Some(seen @ false), Some(next)) =
                (used_functions.get_mut(i), function_reads.get(i))
            {
                *seen = true;
                todo.push(next);
            }
        }
    }

    let mut out = Vec::new();
    for (b, used) in ast.consts.iter().zip(&used_consts) {
        if !used {
            let name = &b.name.name;
            out.push(warning(
                p,
                Lint::UnusedConst,
                b.name.span,
                (format!("the constant `{name}` is never used"), "never used"),
                format!(
                    "remove it, or use it in a rule (a clause's text may quote it as `{{{name}}}`)"
                ),
            ));
        }
    }
    for (b, used) in ast.lets.iter().zip(&used_lets) {
        if !used {
            out.push(warning(
                p,
                Lint::UnusedLet,
                b.name.span,
                (
                    format!("the value `{}` is never used", b.name.name),
                    "never used",
                ),
                "remove it, or use it in a rule".into(),
            ));
        }
    }
    for (f, used) in ast.functions.iter().zip(&used_functions) {
        if !used {
            out.push(warning(
                p,
                Lint::UnusedLet,
                f.name.span,
                (
                    format!("the function `{}` is never used", f.name.name),
                    "never used",
                ),
                "remove it, or call it in a rule".into(),
            ));
        }
    }
    unread_facts(p, &ast.facts, &mut Vec::new(), &facts, &mut out);
    out
}

/// The constants a clause text quotes as `{name}`.
fn quoted(p: &Policy, text: &str) -> Vec<usize> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or("");
        let Some(close) = after.find(['}', '{']) else {
            break;
        };
        if after.get(close..).is_some_and(|t| t.starts_with('}')) {
            out.extend(p.const_index(after.get(..close).unwrap_or("")));
        }
        rest = after.get(close..).unwrap_or("");
    }
    out
}

/// Everything `e` reads, in scope `sc`.
fn collect(p: &Policy, e: &crate::ast::Expr, mut sc: Scope, out: &mut Reads) {
    walk(p, e, &mut sc, &mut |x, sc| match &x.kind {
        ExprKind::Path(path) => out.add(p.resolve(path, sc)),
        ExprKind::Aggregate { list, .. } => out.add(p.resolve(list, sc)),
        ExprKind::Call(name, _) => out.functions.extend(
            p.ast
                .functions
                .iter()
                .position(|f| f.name.name == name.name),
        ),
        _ => {}
    });
}

/// The fields the author declares in a type: a decision's built-in fields are part of the
/// type, not the author's to remove.
fn declared(ty: &crate::ast::TypeExpr) -> Option<&[FieldDecl]> {
    match &ty.kind {
        crate::ast::TypeKind::Decision { fields, .. } => {
            fields.get(crate::ast::DECISION_FIELDS.len()..)
        }
        crate::ast::TypeKind::List(inner) => declared(inner),
        _ => super::fields(ty),
    }
}

/// Warns for each unread fact among `decls` (top-level, or records inside a read fact).
fn unread_facts(
    p: &Policy,
    decls: &[FieldDecl],
    at: &mut Vec<String>,
    read: &HashSet<Vec<String>>,
    out: &mut Vec<PolicyWarning>,
) {
    let top = at.is_empty();
    for d in decls {
        at.push(d.name.name.clone());
        let inner = super::fields(&d.ty);
        if read.contains(at.as_slice()) {
            if let Some(inner) = declared(&d.ty) {
                unread_facts(p, inner, at, read, out);
            }
        } else if top || inner.is_some() {
            let dotted = at.join(".");
            let message = match inner {
                Some(_) => format!("the fact `{dotted}` is never read, nor any of its fields"),
                None => format!("the fact `{dotted}` is never read"),
            };
            out.push(warning(
                p,
                Lint::UnusedFact,
                d.name.span,
                (message, "never read"),
                "remove it; or, if documents carry it and `eval --strict` must accept them, \
                 say so with a comment `# allow(unused-fact)` on its line"
                    .into(),
            ));
        }
        at.pop();
    }
}
