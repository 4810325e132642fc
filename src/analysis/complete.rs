//! Completions at a place in a policy file being written: the fields of a fact after
//! `claim.`, the values of an enum fact compared with `==`, `!=` or `in [...]`, evidence
//! kinds after `requires`, rule kinds and clause keywords at the start of a line, and the
//! names in scope in an expression.
//!
//! The text being written rarely parses, so names come from the last version of the file
//! that did (`known`), and the place is read from the text of the line before the cursor.

use crate::ast::{Alternative, Clause, PolicyFile};
use crate::ir::Builtin;
use crate::lint::{fields, segments, Policy};
use crate::span::Source;

use super::written::{enum_values, type_text};

/// What a completion is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    Fact,
    Field,
    EnumValue,
    EvidenceKind,
    Const,
    Let,
    Table,
    Hook,
    Calendar,
    Function,
    RuleKind,
    Keyword,
}

/// One completion.
#[derive(Clone, Debug, PartialEq)]
pub struct Completion {
    pub label: String,
    pub kind: CompletionKind,
    pub detail: Option<String>,
    /// The text inserted, when it is not the label (an enum value in quotes).
    pub insert: Option<String>,
}

impl Completion {
    fn new(label: impl Into<String>, kind: CompletionKind, detail: Option<String>) -> Self {
        Completion {
            label: label.into(),
            kind,
            detail,
            insert: None,
        }
    }
}

/// The rule kinds, each with what it does.
pub const RULE_KINDS: [(&str, &str); 14] = [
    ("coverage", "approves a claim, paying the amount"),
    ("exclusion", "denies a claim whatever else holds"),
    ("referral", "the claim needs a person: referred"),
    ("evidence", "required evidence"),
    ("supporting", "recommended evidence, never blocking"),
    ("compensation", "adjusts a claim's payout"),
    ("deadline", "a date or instant in the decision"),
    ("fallback", "the reason given when nothing is covered"),
    ("priority", "the claim is handled first"),
    ("appeal", "the appeal route, named in denied decisions"),
    ("note", "a value reported with the decision"),
    ("refund", "grants a cancellation, refunding the amount"),
    ("deduction", "adjusts a refund"),
    ("refusal", "denies a cancellation"),
];

/// The words that open an item other than a rule.
pub const ITEM_KEYWORDS: [&str; 7] = [
    "facts",
    "const",
    "let",
    "evidence from",
    "table",
    "hook",
    "calendar",
];

/// The words that open a rule's clauses.
pub use crate::ast::CLAUSE_KEYWORDS;

/// The words of expressions.
pub const EXPRESSION_KEYWORDS: [&str; 14] = [
    "and",
    "or",
    "not",
    "in",
    "is present",
    "is absent",
    "otherwise",
    "if",
    "then",
    "else",
    "where",
    "the",
    "true",
    "false",
];

const AGGREGATES: [&str; 4] = ["sum", "count", "any", "all"];

/// The completions at byte `offset` of `text`, with the names of `known` (the last
/// version of the file that parsed, and its source).
pub fn complete(
    text: &str,
    offset: usize,
    known: Option<(&Source, &PolicyFile)>,
) -> Vec<Completion> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let upto = text.get(..offset).unwrap_or("");
    let line = upto.rsplit('\n').next().unwrap_or("");
    let head = line.trim_end_matches(is_name_char);
    let policy = known.map(|(src, ast)| Policy::new(src, ast));
    let policy = policy.as_ref();

    if let Some(stem) = head.strip_suffix('.') {
        let typed = trailing_path(stem);
        if !typed.is_empty() {
            return policy
                .and_then(|p| fact_fields(p, upto, typed))
                .unwrap_or_default();
        }
    }
    let (unquoted, quoted) = match head.strip_suffix('"') {
        Some(h) => (h, true),
        None => (head, false),
    };
    if let Some(compared) = compared_path(unquoted.trim_end()) {
        if let Some(values) = policy.and_then(|p| enum_of(p, upto, compared)) {
            return values
                .into_iter()
                .map(|v| Completion {
                    insert: (!quoted).then(|| format!("\"{v}\"")),
                    ..Completion::new(v, CompletionKind::EnumValue, None)
                })
                .collect();
        }
    }
    if after_requires(head.trim_end()) {
        return evidence_kinds(policy);
    }
    if head.trim().is_empty() {
        return if head.is_empty() {
            let kinds = RULE_KINDS.iter().map(|(kind, what)| {
                Completion::new(*kind, CompletionKind::RuleKind, Some((*what).into()))
            });
            let items = ITEM_KEYWORDS
                .iter()
                .map(|k| Completion::new(*k, CompletionKind::Keyword, None));
            kinds.chain(items).collect()
        } else {
            CLAUSE_KEYWORDS
                .iter()
                .map(|k| Completion::new(*k, CompletionKind::Keyword, None))
                .collect()
        };
    }
    names(policy)
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

/// The dotted name that ends `s` (`claim.items` in `when count(i in claim.items`).
fn trailing_path(s: &str) -> &str {
    let start = s
        .trim_end_matches(|c: char| is_name_char(c) || c == '.')
        .len();
    s.get(start..).unwrap_or("").trim_start_matches('.')
}

/// The dotted name compared in `head`: `claim.type` in `claim.type ==`, `claim.type !=`,
/// `claim.type in [` and `claim.type not in ["lost", `.
fn compared_path(head: &str) -> Option<&str> {
    let left = if let Some(l) = head.strip_suffix("==").or_else(|| head.strip_suffix("!=")) {
        l
    } else {
        let open = head.rfind('[')?;
        let inside = head.get(open + 1..)?;
        if inside.contains(']') {
            return None;
        }
        let before = head.get(..open)?.trim_end();
        let l = before.strip_suffix("in")?;
        if l.ends_with(is_name_char) {
            return None;
        }
        let l = l.trim_end();
        l.strip_suffix("not")
            .filter(|r| r.ends_with(' '))
            .unwrap_or(l)
    };
    let path = trailing_path(left.trim_end());
    (!path.is_empty()).then_some(path)
}

/// Whether `head` ends where an evidence kind is written: after `requires`, or inside
/// `any of { ... }` on the same line.
fn after_requires(head: &str) -> bool {
    if head.ends_with("requires") {
        let before = head.trim_end_matches("requires");
        return before.is_empty() || before.ends_with(' ');
    }
    let Some(open) = head.rfind("any of {") else {
        return false;
    };
    let inside = head.get(open + "any of {".len()..).unwrap_or("");
    let listed = inside.trim_end();
    !inside.contains('}') && (listed.is_empty() || listed.ends_with(','))
}

/// The fact path a dotted name written before `offset` reads: a fact's own path, or,
/// through an aggregate's variable (`i` in `sum(i in order.items: ...)`), the path of the
/// list's elements.
fn fact_path(p: &Policy, upto: &str, typed: &str, depth: usize) -> Option<Vec<String>> {
    let mut parts = typed.split('.').map(str::to_string);
    let first = parts.next()?;
    let rest: Vec<String> = parts.collect();
    if p.ast.facts.iter().any(|f| f.name.name == first) {
        return Some(std::iter::once(first).chain(rest).collect());
    }
    if depth > 8 {
        return None;
    }
    let binding = format!("{first} in ");
    for (at, _) in upto
        .match_indices(&binding)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
    {
        let opens = upto.get(..at).unwrap_or("").trim_end().ends_with('(');
        if !opens {
            continue;
        }
        let after = upto.get(at + binding.len()..).unwrap_or("");
        let end = after
            .find(|c: char| !(is_name_char(c) || c == '.'))
            .unwrap_or(after.len());
        let list = after.get(..end).unwrap_or("");
        let mut base = fact_path(p, upto.get(..at).unwrap_or(""), list, depth + 1)?;
        base.extend(rest);
        return Some(base);
    }
    None
}

/// The fields of the record fact a dotted name reads.
fn fact_fields(p: &Policy, upto: &str, typed: &str) -> Option<Vec<Completion>> {
    let path = fact_path(p, upto, typed, 0)?;
    let decl = p.fact_decl(&path)?;
    let out = fields(&decl.ty)?
        .iter()
        .map(|f| {
            Completion::new(
                f.name.name.clone(),
                CompletionKind::Field,
                Some(type_text(&f.ty)),
            )
        })
        .collect();
    Some(out)
}

/// The values of the enum fact a dotted name reads.
fn enum_of(p: &Policy, upto: &str, typed: &str) -> Option<Vec<String>> {
    let path = fact_path(p, upto, typed, 0)?;
    let decl = p.fact_decl(&path)?;
    Some(
        enum_values(&decl.ty)?
            .into_iter()
            .map(String::from)
            .collect(),
    )
}

/// The evidence kinds: the values of the evidence records' `kind` when it is an enum,
/// else the kinds the rules already require.
fn evidence_kinds(policy: Option<&Policy>) -> Vec<Completion> {
    let Some(p) = policy else {
        return Vec::new();
    };
    let declared = p.ast.evidence_source.as_ref().and_then(|ev| {
        let mut path = segments(ev);
        path.push("kind".into());
        enum_values(&p.fact_decl(&path)?.ty).map(|v| v.into_iter().map(String::from).collect())
    });
    let kinds: Vec<String> = declared.unwrap_or_else(|| {
        let mut named: Vec<String> = p
            .ast
            .rules
            .iter()
            .flat_map(|r| &r.clauses)
            .filter_map(|c| match c {
                Clause::Requires(alts) => Some(alts),
                _ => None,
            })
            .flatten()
            .filter_map(|a| match a {
                Alternative::Kind { kind, .. } => Some(kind.name.clone()),
                Alternative::Facts { .. } => None,
            })
            .collect();
        named.sort();
        named.dedup();
        named
    });
    kinds
        .into_iter()
        .map(|k| Completion::new(k, CompletionKind::EvidenceKind, None))
        .collect()
}

/// The names an expression may read: facts, constants, values, tables, hooks, functions,
/// then the words of expressions.
fn names(policy: Option<&Policy>) -> Vec<Completion> {
    let mut out = Vec::new();
    if let Some(p) = policy {
        let ast = p.ast;
        for f in &ast.facts {
            let detail = Some(type_text(&f.ty));
            out.push(Completion::new(
                f.name.name.clone(),
                CompletionKind::Fact,
                detail,
            ));
        }
        for b in &ast.consts {
            out.push(Completion::new(
                b.name.name.clone(),
                CompletionKind::Const,
                None,
            ));
        }
        for b in &ast.lets {
            out.push(Completion::new(
                b.name.name.clone(),
                CompletionKind::Let,
                None,
            ));
        }
        for f in &ast.functions {
            out.push(Completion::new(
                f.name.name.clone(),
                CompletionKind::Function,
                None,
            ));
        }
        for t in &ast.tables {
            out.push(Completion::new(
                t.name.name.clone(),
                CompletionKind::Table,
                None,
            ));
        }
        for h in &ast.hooks {
            out.push(Completion::new(
                h.name.name.clone(),
                CompletionKind::Hook,
                None,
            ));
        }
        for c in &ast.calendars {
            out.push(Completion::new(
                c.name.name.clone(),
                CompletionKind::Calendar,
                Some("calendar".into()),
            ));
        }
    }
    for f in Builtin::NAMES.iter().chain(&AGGREGATES) {
        out.push(Completion::new(*f, CompletionKind::Function, None));
    }
    for k in EXPRESSION_KEYWORDS {
        out.push(Completion::new(k, CompletionKind::Keyword, None));
    }
    out
}
