//! The outline of a policy file: its facts (with their fields), constants, values, tables,
//! hooks and rules, in the order of the text.

use crate::ast::{FieldDecl, PolicyFile};
use crate::lint::fields;
use crate::span::Span;

use super::written::type_text;

/// What an outline entry is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Fact,
    Const,
    Let,
    Table,
    Hook,
    Calendar,
    Rule,
}

/// One entry of the outline.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    pub name: String,
    /// A fact's type, a rule's kind.
    pub detail: String,
    pub kind: EntryKind,
    /// The whole declaration.
    pub span: Span,
    /// Its name.
    pub name_span: Span,
    /// The fields of a record fact.
    pub children: Vec<Entry>,
}

/// The outline of `ast`, in the order of the text.
pub fn outline(ast: &PolicyFile) -> Vec<Entry> {
    let mut out = facts(&ast.facts);
    let entry = |kind, name: &crate::ast::Ident, detail: String, span| Entry {
        name: name.name.clone(),
        detail,
        kind,
        span,
        name_span: name.span,
        children: Vec::new(),
    };
    for b in &ast.consts {
        out.push(entry(EntryKind::Const, &b.name, "const".into(), b.span));
    }
    for b in &ast.lets {
        out.push(entry(EntryKind::Let, &b.name, "let".into(), b.span));
    }
    for f in &ast.functions {
        let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
        let detail = format!("let ({})", params.join(", "));
        out.push(entry(EntryKind::Let, &f.name, detail, f.span));
    }
    for t in &ast.tables {
        out.push(entry(EntryKind::Table, &t.name, "table".into(), t.span));
    }
    for h in &ast.hooks {
        out.push(entry(EntryKind::Hook, &h.name, "hook".into(), h.span));
    }
    for c in &ast.calendars {
        out.push(entry(
            EntryKind::Calendar,
            &c.name,
            "calendar".into(),
            c.span,
        ));
    }
    for r in &ast.rules {
        out.push(entry(
            EntryKind::Rule,
            &r.name,
            r.kind.as_str().into(),
            r.span,
        ));
    }
    out.sort_by_key(|e| e.span.start);
    out
}

fn facts(decls: &[FieldDecl]) -> Vec<Entry> {
    decls
        .iter()
        .map(|d| Entry {
            name: d.name.name.clone(),
            detail: match d.assessed {
                Some(_) => format!("assessed {}", type_text(&d.ty)),
                None => type_text(&d.ty),
            },
            kind: EntryKind::Fact,
            span: d.span,
            name_span: d.name.span,
            children: fields(&d.ty).map(facts).unwrap_or_default(),
        })
        .collect()
}
