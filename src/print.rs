//! Canonical text of expressions, types and evidence alternatives: one spelling per meaning.
//!
//! The printer reads the syntax tree, so spans, comments, line breaks and redundant
//! parentheses never show. Parentheses are printed exactly where precedence needs them;
//! chains of `and` (or of `or`) print flat however they were grouped; the members of an
//! `in [...]` list, of `facts(...)` and of `any of { ... }` are sorted, since their order
//! means nothing; an `otherwise` inside arithmetic or a comparison keeps its parentheses
//! for readers. Everything else keeps the order it was written in. The text parses back
//! to the same tree.

use rust_decimal::Decimal;

use crate::ast::{
    AggKind, Alternative, BinOp, Expr, ExprKind, FieldDecl, HookDecl, PolicyFile, ScalarType,
    Table, TypeExpr, TypeKind,
};

/// Loosest to tightest, as in the grammar. `if` is an atom that swallows everything after
/// `else`, so it is printed in parentheses wherever an operator touches it.
const IF: u8 = 0;
const OR: u8 = 1;
const AND: u8 = 2;
const NOT: u8 = 3;
const CMP: u8 = 4;
const ADD: u8 = 5;
const MUL: u8 = 6;
const NEG: u8 = 7;
const POSTFIX: u8 = 8;
const ATOM: u8 = 9;

/// A whole policy file in canonical form: header, facts, constants, derived values,
/// functions, the evidence source, hooks, tables, calendars, then the rules in written order (their order can matter), one clause
/// per line. No comments survive. It parses back to the same meaning.
pub fn policy(f: &PolicyFile) -> String {
    let h = &f.header;
    let mut out = format!("policy {}\n", string(&h.name.value));
    if let Some(v) = &h.version {
        out.push_str(&format!("version {}\n", string(&v.value)));
    }
    if let Some(d) = &h.effective {
        out.push_str(&format!("effective {}\n", d.value));
    }
    if let Some(d) = &h.until {
        out.push_str(&format!("until {}\n", d.value));
    }
    if let Some(c) = currency(h) {
        out.push_str(&format!("currency {c}\n"));
    }
    if let Some(d) = &h.doc {
        out.push_str(&format!("doc {}\n", string(&d.value)));
    }
    if f.facts_span.is_some() {
        out.push_str("\nfacts {\n");
        for fd in &f.facts {
            out.push_str(&format!("  {}\n", field_text(fd, Some(2))));
        }
        out.push_str("}\n");
    }
    if !f.consts.is_empty()
        || !f.lets.is_empty()
        || !f.functions.is_empty()
        || f.evidence_source.is_some()
    {
        out.push('\n');
    }
    for (word, list) in [("const", &f.consts), ("let", &f.lets)] {
        for b in list {
            out.push_str(&format!("{word} {} = {}\n", b.name.name, expr(&b.value)));
        }
    }
    for func in &f.functions {
        let params: Vec<&str> = func.params.iter().map(|p| p.name.as_str()).collect();
        out.push_str(&format!(
            "let {}({}) = {}\n",
            func.name.name,
            params.join(", "),
            expr(&func.body)
        ));
    }
    if let Some(p) = &f.evidence_source {
        out.push_str(&format!("evidence from {}\n", p.dotted()));
    }
    for h in &f.hooks {
        out.push_str(&format!("\n{}\n", hook(h)));
    }
    for t in &f.tables {
        out.push_str(&format!("\n{}\n", table(t).replace("; ", "\n  ")));
    }
    for c in &f.calendars {
        let mut text = format!("calendar {}", c.name.name);
        if let Some(file) = &c.file {
            text.push_str(&format!(" from {}", string(&file.value)));
        }
        text.push_str(&format!(" doc {}", string(&c.doc.value)));
        let dates: Vec<String> = c
            .holidays
            .iter()
            .map(|d| crate::value::format_date(d.value))
            .collect();
        if !dates.is_empty() {
            text.push_str(&format!(" holidays {}", dates.join(", ")));
        }
        out.push_str(&format!("\n{text}\n"));
    }
    for r in &f.rules {
        out.push_str(&format!("\n{} {}\n", r.kind.as_str(), r.name.name));
        for (keyword, text) in crate::diff::rule_form(r).clauses {
            out.push_str(&format!("  {}\n", clause(keyword, &text)));
        }
    }
    out
}

/// A clause of [`crate::diff::rule_form`] as written: `pays X as cash` stays, an
/// adjustment's component moves before its `by` or `at` (`cap cash at X`).
fn clause(keyword: &str, text: &str) -> String {
    let named = text.rsplit_once(" as ").filter(|(_, name)| {
        name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    });
    match (keyword.split_once(' '), named) {
        (Some((verb, prep)), Some((expr, name))) => format!("{verb} {name} {prep} {expr}"),
        _ => format!("{keyword} {text}"),
    }
}

/// A table on one line: `table NAME(param) doc "..."; up to 500: 500; over 500: 2000`.
pub fn table(t: &Table) -> String {
    let mut out = format!(
        "table {}({}) doc {}",
        t.name.name,
        t.param.name,
        string(&t.doc.value)
    );
    for b in &t.bands {
        let lower = if b.from { "from" } else { "over" };
        let upper = if b.under { "under" } else { "up to" };
        let range = match (&b.over, &b.up_to) {
            (None, Some(hi)) => format!("{upper} {}", expr(hi)),
            (Some(lo), Some(hi)) => format!("{lower} {} {upper} {}", expr(lo), expr(hi)),
            (Some(lo), None) => format!("{lower} {}", expr(lo)),
            (None, None) => String::new(),
        };
        out.push_str(&format!("; {range}: {}", expr(&b.value)));
    }
    out
}

/// A calendar: `calendar NAME from "file" holidays DATE, ...`, its listed holidays in order.
pub fn calendar(c: &crate::ast::Calendar) -> String {
    let mut out = format!("calendar {}", c.name.name);
    if let Some(f) = &c.file {
        out.push_str(&format!(" from {}", string(&f.value)));
    }
    let mut dates: Vec<chrono::NaiveDate> = c.holidays.iter().map(|d| d.value).collect();
    dates.sort_unstable();
    if !dates.is_empty() {
        let shown: Vec<String> = dates.into_iter().map(crate::value::format_date).collect();
        out.push_str(&format!(" holidays {}", shown.join(", ")));
    }
    out
}

/// A hook declaration: `hook NAME(p: type, ...) -> type from "file"`.
pub fn hook(h: &HookDecl) -> String {
    let params: Vec<String> = h
        .params
        .iter()
        .map(|(n, t)| format!("{}: {}", n.name, type_expr(t)))
        .collect();
    format!(
        "hook {}({}) -> {} from {}",
        h.name.name,
        params.join(", "),
        type_expr(&h.ret),
        string(&h.file.value)
    )
}

/// The canonical text of an expression.
pub fn expr(e: &Expr) -> String {
    let mut out = String::new();
    write(&mut out, e, IF);
    out
}

/// A string literal, quoted and escaped as the grammar reads it.
pub fn string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A type with its record fields spelled out: `optional list of record { sku: string }`.
pub fn type_expr(t: &TypeExpr) -> String {
    type_text(t, None)
}

/// `record { ... }` (or `decision { ... }`) with its fields, on one line (`indent` is
/// `None`) or each on a line of its own.
fn braced(word: &str, fields: &[FieldDecl], indent: Option<usize>) -> String {
    match indent {
        None => {
            let inner: Vec<String> = fields.iter().map(|f| field_text(f, None)).collect();
            format!("{word} {{ {} }}", inner.join("  "))
        }
        Some(n) => {
            let mut out = format!("{word} {{\n");
            for f in fields {
                out.push_str(&" ".repeat(n + 2));
                out.push_str(&field_text(f, Some(n + 2)));
                out.push('\n');
            }
            out.push_str(&" ".repeat(n));
            out.push('}');
            out
        }
    }
}

/// A type on one line (`indent` is `None`), or with each record field on a line of its own.
fn type_text(t: &TypeExpr, indent: Option<usize>) -> String {
    let mut out = String::new();
    if t.optional {
        out.push_str("optional ");
    }
    match &t.kind {
        TypeKind::Record(fields) => out.push_str(&braced("record", fields, indent)),
        TypeKind::List(inner) => out.push_str(&format!("list of {}", type_text(inner, indent))),
        TypeKind::Decision { extra: None, .. } => out.push_str("decision"),
        TypeKind::Decision {
            extra: Some(fields),
            ..
        } => out.push_str(&braced("decision", fields, indent)),
        TypeKind::Scalar(_) | TypeKind::Enum(_) => out.push_str(&head_body(t, false)),
    }
    out
}

/// A type without the fields of its records: `optional list of record`. Enumerations keep
/// their variants in written order; compare them with [`type_key`].
pub fn type_head(t: &TypeExpr) -> String {
    head(t, false)
}

/// [`type_head`] with enumeration variants sorted: equal keys mean the same type.
pub fn type_key(t: &TypeExpr) -> String {
    head(t, true)
}

fn head(t: &TypeExpr, sorted: bool) -> String {
    if t.optional {
        format!("optional {}", head_body(t, sorted))
    } else {
        head_body(t, sorted)
    }
}

/// [`head`] without `optional`.
fn head_body(t: &TypeExpr, sorted: bool) -> String {
    match &t.kind {
        TypeKind::Scalar(s) => scalar(*s).to_string(),
        TypeKind::Enum(variants) => {
            let mut names: Vec<&str> = variants.iter().map(|v| v.name.as_str()).collect();
            if sorted {
                names.sort_unstable();
            }
            format!("enum {{ {} }}", names.join(", "))
        }
        TypeKind::Record(_) => "record".to_string(),
        TypeKind::Decision { .. } => "decision".to_string(),
        TypeKind::List(inner) => format!("list of {}", head(inner, sorted)),
    }
}

/// `name: type default value`, record fields spelled out on one line.
pub fn field(f: &FieldDecl) -> String {
    field_text(f, None)
}

fn field_text(f: &FieldDecl, indent: Option<usize>) -> String {
    let assessed = if f.assessed.is_some() {
        "assessed "
    } else {
        ""
    };
    let mut out = format!("{}: {assessed}{}", f.name.name, type_text(&f.ty, indent));
    if let Some(d) = &f.default {
        out.push_str(" default ");
        out.push_str(&expr(d));
    }
    out
}

pub fn scalar(s: ScalarType) -> &'static str {
    match s {
        ScalarType::Money => "money",
        ScalarType::Decimal => "decimal",
        ScalarType::Integer => "integer",
        ScalarType::Bool => "bool",
        ScalarType::String => "string",
        ScalarType::Date => "date",
        ScalarType::DateTime => "datetime",
    }
}

/// The body of a `requires` clause: one alternative, or `any of { ... }` sorted.
pub fn requirement(alts: &[Alternative]) -> String {
    let mut parts: Vec<String> = alts.iter().map(alternative).collect();
    parts.sort_unstable();
    parts.dedup();
    match parts.as_slice() {
        [one] => one.clone(),
        _ => format!("any of {{ {} }}", parts.join(", ")),
    }
}

/// One evidence alternative: `kind`, `kind where COND`, or `facts(a, b)` sorted.
pub fn alternative(a: &Alternative) -> String {
    match a {
        Alternative::Kind { kind, condition } => match condition {
            Some(c) => format!("{} where {}", kind.name, expr(c)),
            None => kind.name.clone(),
        },
        Alternative::Facts { paths, .. } => {
            let mut names: Vec<String> = paths.iter().map(|p| p.dotted()).collect();
            names.sort_unstable();
            names.dedup();
            format!("facts({})", names.join(", "))
        }
    }
}

fn precedence(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => binary(*op),
        ExprKind::Not(_) => NOT,
        ExprKind::Neg(_) => NEG,
        ExprKind::Number(n, _) | ExprKind::Percent(n) if n.is_sign_negative() => NEG,
        ExprKind::PercentOf(..) => NEG,
        ExprKind::Otherwise(..) | ExprKind::IsPresent(..) => POSTFIX,
        ExprKind::If(..)
        | ExprKind::Aggregate {
            kind: AggKind::The, ..
        } => IF,
        _ => ATOM,
    }
}

fn binary(op: BinOp) -> u8 {
    match op {
        BinOp::Or => OR,
        BinOp::And => AND,
        BinOp::Add | BinOp::Sub => ADD,
        BinOp::Mul | BinOp::Div => MUL,
        BinOp::Eq
        | BinOp::Ne
        | BinOp::Lt
        | BinOp::Le
        | BinOp::Gt
        | BinOp::Ge
        | BinOp::In
        | BinOp::NotIn => CMP,
    }
}

/// Writes `e`, in parentheses when it binds looser than `min` allows. `otherwise` binds
/// tighter than arithmetic, but `a * (b otherwise c)` is kept in parentheses for readers.
fn write(out: &mut String, e: &Expr, min: u8) {
    let otherwise_operand = matches!(e.kind, ExprKind::Otherwise(..)) && (ADD..=NEG).contains(&min);
    let wrap = precedence(e) < min || otherwise_operand;
    if wrap {
        out.push('(');
    }
    match &e.kind {
        ExprKind::Number(n, dotted) => out.push_str(&number(*n, *dotted)),
        ExprKind::Percent(n) => {
            out.push_str(&number(*n, false));
            out.push('%');
        }
        ExprKind::PercentOf(p, x) => {
            write(out, p, ATOM);
            out.push_str(" of ");
            write(out, x, POSTFIX);
        }
        ExprKind::Str(s) => out.push_str(&string(s)),
        ExprKind::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        ExprKind::Date(d) => out.push_str(&d.format("%Y-%m-%d").to_string()),
        ExprKind::Duration(n, unit) => {
            out.push_str(&format!("{} {}", n.normalize(), unit.word(*n)));
        }
        ExprKind::Path(p) => out.push_str(&p.dotted()),
        ExprKind::Amounts(entries) => {
            let shown: Vec<String> = entries
                .iter()
                .map(|(code, n)| format!("{}: {}", code.name, expr(n)))
                .collect();
            out.push_str(&format!("{{ {} }}", shown.join(", ")));
        }
        ExprKind::List(items) => list(out, items.iter().map(expr).collect()),
        ExprKind::Not(a) => {
            out.push_str("not ");
            write(out, a, NOT);
        }
        ExprKind::Neg(a) => {
            out.push('-');
            write(out, a, NEG);
        }
        ExprKind::Binary(op @ (BinOp::And | BinOp::Or), ..) => {
            let mut operands = Vec::new();
            flatten(e, *op, &mut operands);
            let sep = format!(" {} ", op.symbol());
            for (i, x) in operands.into_iter().enumerate() {
                if i > 0 {
                    out.push_str(&sep);
                }
                write(out, x, binary(*op) + 1);
            }
        }
        ExprKind::Binary(op, l, r) => {
            let p = binary(*op);
            let (lmin, rmin) = if p == CMP { (ADD, ADD) } else { (p, p + 1) };
            write(out, l, lmin);
            out.push(' ');
            out.push_str(op.symbol());
            out.push(' ');
            match (&r.kind, op) {
                (ExprKind::List(items), BinOp::In | BinOp::NotIn) => {
                    let mut members: Vec<String> = items.iter().map(expr).collect();
                    members.sort_unstable();
                    members.dedup();
                    list(out, members);
                }
                _ => write(out, r, rmin),
            }
        }
        ExprKind::Otherwise(a, b) => {
            write(out, a, POSTFIX);
            out.push_str(" otherwise ");
            write(out, b, ATOM);
        }
        ExprKind::IsPresent(a, present) => {
            write(out, a, POSTFIX);
            out.push_str(if *present {
                " is present"
            } else {
                " is absent"
            });
        }
        ExprKind::If(c, t, f) => {
            out.push_str("if ");
            write(out, c, IF);
            out.push_str(" then ");
            write(out, t, IF);
            out.push_str(" else ");
            write(out, f, IF);
        }
        ExprKind::Call(name, args) => {
            out.push_str(&name.name);
            out.push('(');
            let args: Vec<String> = args.iter().map(expr).collect();
            out.push_str(&args.join(", "));
            out.push(')');
        }
        ExprKind::Access(inner, fields) => {
            // A call's result needs no brackets: `pick(items, "B").quantity`.
            if matches!(inner.kind, ExprKind::Call(..)) {
                write(out, inner, IF);
            } else {
                out.push('(');
                write(out, inner, IF);
                out.push(')');
            }
            for f in fields {
                out.push('.');
                out.push_str(&f.name);
            }
        }
        ExprKind::Aggregate {
            kind: AggKind::The,
            var,
            list,
            filter,
            ..
        } => {
            out.push_str(&format!("the {} in {} where ", var.name, list.dotted()));
            if let Some(f) = filter {
                write(out, f, IF);
            }
        }
        ExprKind::Aggregate {
            kind,
            var,
            list,
            filter,
            body,
        } => {
            out.push_str(&format!(
                "{}({} in {}",
                kind.as_str(),
                var.name,
                list.dotted()
            ));
            if let Some(f) = filter {
                out.push_str(" where ");
                write(out, f, IF);
            }
            if let Some(b) = body {
                out.push_str(": ");
                write(out, b, IF);
            }
            out.push(')');
        }
    }
    if wrap {
        out.push(')');
    }
}

/// The operands of a chain of one associative operator, however it was grouped.
fn flatten<'e>(e: &'e Expr, op: BinOp, out: &mut Vec<&'e Expr>) {
    match &e.kind {
        ExprKind::Binary(o, l, r) if *o == op => {
            flatten(l, op, out);
            flatten(r, op, out);
        }
        _ => out.push(e),
    }
}

fn list(out: &mut String, items: Vec<String>) {
    out.push('[');
    out.push_str(&items.join(", "));
    out.push(']');
}

/// Integers as written; decimals without trailing zeros but with a point (`1.50` -> `1.5`,
/// `2.0` stays `2.0`), since the point makes a literal a decimal rather than an integer.
fn number(n: Decimal, dotted: bool) -> String {
    let n = n.normalize();
    if dotted && n.scale() == 0 {
        format!("{n}.0")
    } else {
        n.to_string()
    }
}

/// The header's currencies after the word `currency`: `USD from order.currency`,
/// `USD, EUR from order.currency`, or `from order.currency` (any currency).
pub fn currency(h: &crate::ast::Header) -> Option<String> {
    let from = h
        .currency_from
        .as_ref()
        .map(|p| format!("from {}", p.dotted()));
    if h.any_currency.is_some() {
        return from;
    }
    let first = h.currency.as_ref()?;
    let codes: Vec<&str> = std::iter::once(first)
        .chain(&h.more_currencies)
        .map(|c| c.name.as_str())
        .collect();
    Some(match from {
        Some(from) => format!("{} {from}", codes.join(", ")),
        None => codes.join(", "),
    })
}
