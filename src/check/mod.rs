//! Names and types: turns a syntax tree into resolved, well-typed rules, or reports every error.
//!
//! The checker builds the fact [`Schema`] from the `facts` block, resolves every name in
//! every expression (facts to field indices, constants and derived values to slots),
//! types each expression, and validates the shape of every rule. Errors are collected,
//! not thrown: one broken rule does not hide the next.

mod expr;
mod names;
mod tables;

use std::collections::HashMap;

use chrono::NaiveDate;

use crate::ast::{self, Alternative, Clause, PolicyFile, RuleKind, ScalarType, TypeKind};
use crate::diagnostic::PolicyError;
use crate::ir::Ex;
use crate::schema::{EnumSchema, FieldSchema, RecordSchema, Schema};
use crate::span::{Source, Span};
use crate::types::{Base, RecordId, Type};
use crate::value::Value;

pub use expr::Typed;
pub(crate) use names::suggest;
pub use tables::TableDef;

/// A policy whose every name resolves and every expression is well typed.
#[derive(Debug)]
pub struct Checked {
    pub name: String,
    pub version: String,
    pub effective: NaiveDate,
    pub until: Option<NaiveDate>,
    pub currency: String,
    pub doc: String,
    /// Where the version label and the effective date are written.
    pub version_span: Span,
    pub effective_span: Span,
    pub schema: Schema,
    pub consts: Vec<Named>,
    pub lets: Vec<Named>,
    pub evidence: Option<EvidenceSource>,
    pub tables: Vec<TableDef>,
    pub hooks: Vec<HookSig>,
    pub rules: Vec<CheckedRule>,
    pub decision_enum: usize,
}

/// A hook's declared signature and the script file it names (relative to the policy).
#[derive(Clone, Debug)]
pub struct HookSig {
    pub name: String,
    pub params: Vec<Type>,
    pub ret: Type,
    pub file: String,
    pub span: Span,
}

/// A constant or derived value.
#[derive(Debug)]
pub struct Named {
    pub name: String,
    pub ex: Ex,
    pub ty: Type,
    pub span: Span,
}

/// Where evidence items are found in a document, and which field names their kind.
#[derive(Debug)]
pub struct EvidenceSource {
    pub list: Ex,
    pub kind_field: usize,
    pub record: RecordId,
}

#[derive(Debug)]
pub struct CheckedRule {
    pub kind: RuleKind,
    pub name: String,
    pub doc: String,
    pub span: Span,
    pub when: Option<Ex>,
    pub action: Action,
}

#[derive(Debug)]
pub enum Action {
    None,
    Pays(Ex),
    Reduce(Ex),
    Cap(Ex),
    Floor(Ex),
    By(Ex),
    /// A value shown in the decision's notes, with its type for display.
    Shows(Ex, Base),
    Requires(Vec<Alt>),
}

#[derive(Debug)]
pub enum Alt {
    /// An evidence item of this kind whose attributes satisfy the condition.
    Kind {
        kind: String,
        value: Value,
        condition: Option<Ex>,
    },
    /// Facts that stand in for a document when every one is present.
    Facts { paths: Vec<(String, Ex)> },
}

pub(crate) struct Checker<'a> {
    pub file: &'a Source,
    pub ast: &'a PolicyFile,
    pub schema: Schema,
    pub errors: Vec<PolicyError>,
    pub consts: Vec<Slot>,
    pub lets: Vec<Slot>,
    pub const_index: HashMap<&'a str, usize>,
    pub let_index: HashMap<&'a str, usize>,
    pub decision_enum: usize,
    pub tables: Vec<tables::TableSlot>,
    pub table_index: HashMap<&'a str, usize>,
    pub hooks: Vec<HookSig>,
    pub hook_index: HashMap<&'a str, usize>,
    /// Constants and values being checked, outermost first, to explain a cycle.
    pub in_progress: Vec<&'a str>,
}

/// A constant or let being checked: not yet, in progress (cycle guard), or done.
pub(crate) enum Slot {
    Todo,
    InProgress,
    Done(Option<Typed>),
}

const DECISIONS: [&str; 4] = ["approved", "denied", "incomplete", "referred"];

/// Checks one parsed policy file.
pub fn check(file: &Source, ast: &PolicyFile) -> Result<Checked, Vec<PolicyError>> {
    let mut c = Checker {
        file,
        ast,
        schema: Schema::default(),
        errors: Vec::new(),
        consts: ast.consts.iter().map(|_| Slot::Todo).collect(),
        lets: ast.lets.iter().map(|_| Slot::Todo).collect(),
        const_index: HashMap::new(),
        let_index: HashMap::new(),
        decision_enum: 0,
        tables: ast.tables.iter().map(|_| tables::TableSlot::Todo).collect(),
        table_index: HashMap::new(),
        hooks: Vec::new(),
        hook_index: HashMap::new(),
        in_progress: Vec::new(),
    };
    c.index_bindings();
    c.build_schema();
    c.index_functions();
    let header = c.header();
    for i in 0..ast.consts.len() {
        c.ensure_const(i);
    }
    for i in 0..ast.lets.len() {
        c.ensure_let(i);
    }
    for i in 0..ast.tables.len() {
        c.ensure_table(i);
    }
    let evidence = c.evidence_source();
    let rules = c.rules(evidence.as_ref());
    if !c.errors.is_empty() {
        return Err(c.errors);
    }
    let (name, version, effective, until, currency, doc) = header.ok_or_else(Vec::new)?;
    let take = |slots: Vec<Slot>, decls: &[ast::Binding]| -> Vec<Named> {
        slots
            .into_iter()
            .zip(decls)
            .filter_map(|(s, d)| match s {
                Slot::Done(Some(t)) => Some(Named {
                    name: d.name.name.clone(),
                    ex: t.ex,
                    ty: t.ty,
                    span: d.span,
                }),
                _ => None,
            })
            .collect()
    };
    let tables = std::mem::take(&mut c.tables)
        .into_iter()
        .filter_map(tables::TableSlot::into_def)
        .collect();
    let consts = take(std::mem::take(&mut c.consts), &ast.consts);
    let lets = take(std::mem::take(&mut c.lets), &ast.lets);
    let h = &ast.header;
    Ok(Checked {
        name,
        version,
        effective,
        until,
        currency,
        doc,
        version_span: h.version.as_ref().map_or(h.name.span, |v| v.span),
        effective_span: h.effective.as_ref().map_or(h.name.span, |e| e.span),
        schema: c.schema,
        consts,
        lets,
        evidence,
        tables,
        hooks: c.hooks,
        rules,
        decision_enum: c.decision_enum,
    })
}

type Header = (String, String, NaiveDate, Option<NaiveDate>, String, String);

impl<'a> Checker<'a> {
    pub fn error(
        &mut self,
        span: Span,
        message: impl Into<String>,
        label: impl Into<String>,
        help: Option<String>,
    ) {
        let mut e = PolicyError::new(self.file, span, message, label);
        e.help = help;
        self.errors.push(e);
    }

    fn header(&mut self) -> Option<Header> {
        let h = &self.ast.header;
        let name = h.name.value.clone();
        let valid_name = !name.is_empty()
            && name.split('/').all(|p| {
                !p.is_empty()
                    && p.chars().all(|c| {
                        c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_'
                    })
            });
        if !valid_name {
            self.error(
                h.name.span,
                format!("`{name}` is not a policy name"),
                "policy name",
                Some(
                    "use lowercase words separated by `/`, like `xcotton/shipping-protection`"
                        .into(),
                ),
            );
        }
        let missing = |what: &str, example: &str| {
            (
                format!("policy header has no `{what}`"),
                format!("add `{what} {example}` after the policy name"),
            )
        };
        let need = |c: &mut Self, ok: bool, what: &str, example: &str| {
            if !ok {
                let (m, help) = missing(what, example);
                c.error(h.name.span, m, "in this policy", Some(help));
            }
        };
        need(self, h.version.is_some(), "version", "\"2025-01-01\"");
        need(self, h.effective.is_some(), "effective", "2025-01-01");
        need(self, h.currency.is_some(), "currency", "USD");
        need(self, h.doc.is_some(), "doc", "\"what this policy covers\"");
        if let Some(cur) = &h.currency {
            if cur.name.len() != 3 || !cur.name.chars().all(|c| c.is_ascii_uppercase()) {
                self.error(
                    cur.span,
                    format!("`{}` is not a currency code", cur.name),
                    "currency",
                    Some("use an ISO 4217 code such as `USD`".into()),
                );
            }
        }
        if let (Some(from), Some(until)) = (&h.effective, &h.until) {
            if until.value < from.value {
                self.error(
                    until.span,
                    "policy ends before it takes effect",
                    format!("before {}", from.value),
                    Some("`until` is the last day the version is in force".into()),
                );
            }
        }
        Some((
            name,
            h.version.as_ref()?.value.clone(),
            h.effective.as_ref()?.value,
            h.until.as_ref().map(|u| u.value),
            h.currency.as_ref()?.name.clone(),
            h.doc.as_ref()?.value.clone(),
        ))
    }

    fn index_bindings(&mut self) {
        let ast = self.ast;
        for (kind, list, is_const) in [("constant", &ast.consts, true), ("value", &ast.lets, false)]
        {
            for (i, b) in list.iter().enumerate() {
                let taken = self.const_index.contains_key(b.name.name.as_str())
                    || self.let_index.contains_key(b.name.name.as_str());
                if taken {
                    self.error(
                        b.name.span,
                        format!("`{}` is defined twice", b.name.name),
                        format!("second {kind} of this name"),
                        Some("rename one of them".into()),
                    );
                    continue;
                }
                if is_const {
                    self.const_index.insert(&b.name.name, i);
                } else {
                    self.let_index.insert(&b.name.name, i);
                }
            }
        }
    }

    fn build_schema(&mut self) {
        if self.ast.facts_span.is_none() {
            self.error(
                self.ast.header.name.span,
                "policy declares no facts",
                "in this policy",
                Some(
                    "add a `facts { ... }` block naming the document fields the rules read".into(),
                ),
            );
        }
        self.schema.records.push(RecordSchema {
            name: String::new(),
            fields: Vec::new(),
        });
        let fields = self.fields(&self.ast.facts, "");
        self.schema.records[Schema::ROOT].fields = fields;
        self.decision_enum = self.schema.enums.len();
        self.schema.enums.push(EnumSchema {
            name: "decision".into(),
            variants: DECISIONS.iter().map(|s| s.to_string()).collect(),
        });
    }

    fn fields(&mut self, decls: &[ast::FieldDecl], prefix: &str) -> Vec<FieldSchema> {
        let mut out: Vec<FieldSchema> = Vec::new();
        for d in decls {
            if let Some(prev) = out.iter().find(|f| f.name == d.name.name) {
                let (line, _) = self.file.line_col(prev.span.start);
                self.error(
                    d.name.span,
                    format!("field `{}` is declared twice", d.name.name),
                    "second declaration",
                    Some(format!("the first is on line {line}")),
                );
                continue;
            }
            let path = if prefix.is_empty() {
                d.name.name.clone()
            } else {
                format!("{prefix}.{}", d.name.name)
            };
            let ty = self.type_of(&d.ty, &path);
            let default = d
                .default
                .as_ref()
                .and_then(|e| self.default_value(e, &ty, d.ty.span));
            out.push(FieldSchema {
                name: d.name.name.clone(),
                optional: d.ty.optional && default.is_none(),
                ty,
                default,
                span: d.span,
            });
        }
        out
    }

    fn type_of(&mut self, t: &ast::TypeExpr, path: &str) -> Base {
        match &t.kind {
            TypeKind::Scalar(s) => match s {
                ScalarType::Money => Base::Money,
                ScalarType::Decimal => Base::Decimal,
                ScalarType::Integer => Base::Integer,
                ScalarType::Bool => Base::Bool,
                ScalarType::String => Base::Str,
                ScalarType::Date => Base::Date,
                ScalarType::DateTime => Base::DateTime,
            },
            TypeKind::Enum(variants) => {
                let mut names: Vec<String> = Vec::new();
                for v in variants {
                    if names.contains(&v.name) {
                        self.error(
                            v.span,
                            format!("`{}` is listed twice", v.name),
                            "repeated variant",
                            None,
                        );
                    } else {
                        names.push(v.name.clone());
                    }
                }
                self.schema.enums.push(EnumSchema {
                    name: path.to_string(),
                    variants: names,
                });
                Base::Enum(self.schema.enums.len() - 1)
            }
            TypeKind::Record(fields) => {
                let id = self.schema.records.len();
                self.schema.records.push(RecordSchema {
                    name: path.to_string(),
                    fields: Vec::new(),
                });
                let fs = self.fields(fields, path);
                self.schema.records[id].fields = fs;
                Base::Record(id)
            }
            TypeKind::List(inner) => {
                if inner.optional {
                    self.error(
                        inner.span,
                        "list elements cannot be optional",
                        "optional element",
                        Some("make the list itself optional: `optional list of ...`".into()),
                    );
                }
                Base::List(Box::new(self.type_of(inner, &format!("{path}[]"))))
            }
        }
    }

    fn default_value(&mut self, e: &ast::Expr, ty: &Base, span: Span) -> Option<Value> {
        let typed = self.const_expr(e)?;
        let want = Type::new(ty.clone());
        if !expr::assignable(&typed, &want) {
            let shown = crate::types::Shown(&typed.ty, &self.schema).to_string();
            let expected = ty.describe(&self.schema);
            self.error(
                e.span,
                format!("default is {shown}, but the field is {expected}"),
                "this default",
                None,
            );
            return None;
        }
        let ex = self.inline_consts(typed.ex);
        let ex = match ty {
            Base::Enum(id) if typed.ty.base == Base::Str => self.enum_value(*id, ex, e.span)?,
            _ => ex,
        };
        match crate::eval::const_value(&ex, &[]) {
            Ok(Value::Absent) => {
                self.error(e.span, "this default has no value", "in this default", None);
                None
            }
            Ok(v) => Some(v),
            Err(msg) => {
                self.error(span, msg, "in this default", None);
                None
            }
        }
    }

    /// `ex` with every constant it reads replaced by that constant's expression.
    fn inline_consts(&self, ex: Ex) -> Ex {
        ex.map(&mut |e| match e {
            Ex::ConstRef(i) => match self.consts.get(i) {
                Some(Slot::Done(Some(t))) if !matches!(t.ex, Ex::ConstRef(j) if j == i) => {
                    self.inline_consts(t.ex.clone())
                }
                _ => Ex::ConstRef(i),
            },
            other => other,
        })
    }

    fn evidence_source(&mut self) -> Option<EvidenceSource> {
        let path = self.ast.evidence_source.as_ref()?;
        let e = ast::Expr {
            kind: ast::ExprKind::Path(path.clone()),
            span: path.span,
        };
        let typed = self.top_expr(&e, false)?;
        let Base::List(inner) = &typed.ty.base else {
            let shown = crate::types::Shown(&typed.ty, &self.schema).to_string();
            self.error(
                path.span,
                format!(
                    "evidence must come from a list of records, but `{}` is {shown}",
                    path.dotted()
                ),
                "not a list",
                None,
            );
            return None;
        };
        let Base::Record(record) = **inner else {
            self.error(
                path.span,
                "evidence items must be records",
                "not a list of records",
                Some("declare `list of record { kind: string, ... }`".into()),
            );
            return None;
        };
        let Some(kind_field) = self.schema.field_index(record, "kind") else {
            self.error(
                path.span,
                "evidence records have no `kind` field",
                "no `kind`",
                Some("add `kind: string` to the evidence record".into()),
            );
            return None;
        };
        Some(EvidenceSource {
            list: typed.ex,
            kind_field,
            record,
        })
    }

    fn rules(&mut self, evidence: Option<&EvidenceSource>) -> Vec<CheckedRule> {
        let mut out = Vec::new();
        let mut seen: HashMap<&str, Span> = HashMap::new();
        let mut fallbacks = 0;
        for rule in &self.ast.rules {
            if let Some(prev) = seen.insert(&rule.name.name, rule.name.span) {
                let (line, _) = self.file.line_col(prev.start);
                self.error(
                    rule.name.span,
                    format!("rule `{}` is defined twice", rule.name.name),
                    "second rule of this name",
                    Some(format!(
                        "the first is on line {line}; rule names must be unique"
                    )),
                );
            }
            fallbacks += usize::from(rule.kind == RuleKind::Fallback);
            if let Some(r) = self.rule(rule, evidence) {
                out.push(r);
            }
        }
        if fallbacks == 0 && self.ast.facts_span.is_some() {
            self.error(
                self.ast.header.name.span,
                "policy has no fallback rule",
                "in this policy",
                Some("add `fallback not_covered doc \"...\"`: the reason given when no coverage rule matches".into()),
            );
        }
        out
    }

    fn rule(
        &mut self,
        rule: &'a ast::Rule,
        evidence: Option<&EvidenceSource>,
    ) -> Option<CheckedRule> {
        let (allowed, required): (&[&str], &[&str]) = match rule.kind {
            RuleKind::Coverage => (&["doc", "when", "pays"], &["doc", "pays"]),
            RuleKind::Exclusion | RuleKind::Referral => (&["doc", "when"], &["doc", "when"]),
            RuleKind::Evidence => (&["doc", "when", "requires"], &["doc", "requires"]),
            RuleKind::Compensation => (
                &["doc", "when", "reduce by", "cap at", "floor at"],
                &["doc"],
            ),
            RuleKind::Deadline => (&["doc", "when", "by"], &["doc", "by"]),
            RuleKind::Fallback | RuleKind::Appeal => (&["doc", "when"], &["doc"]),
            RuleKind::Supporting => (&["doc", "when", "requires"], &["doc", "requires"]),
            RuleKind::Priority | RuleKind::Refusal => (&["doc", "when"], &["doc", "when"]),
            RuleKind::Note => (&["doc", "when", "shows"], &["doc", "shows"]),
            RuleKind::Refund => (&["doc", "when", "pays"], &["doc", "pays"]),
            RuleKind::Deduction => (
                &["doc", "when", "reduce by", "cap at", "floor at"],
                &["doc"],
            ),
        };
        let kind = rule.kind.as_str();
        let a_kind = match rule.kind {
            RuleKind::Exclusion | RuleKind::Evidence => format!("an {kind}"),
            _ => format!("a {kind}"),
        };
        let errors_before = self.errors.len();
        let mut seen: Vec<&str> = Vec::new();
        for c in &rule.clauses {
            let kw = c.keyword();
            if !allowed.contains(&kw) {
                let list = allowed
                    .iter()
                    .map(|a| format!("`{a}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                self.error(
                    self.clause_span(c),
                    format!("`{kw}` does not belong in {a_kind} rule"),
                    "not allowed here",
                    Some(format!("{a_kind} rule takes {list}")),
                );
            } else if seen.contains(&kw) {
                self.error(
                    self.clause_span(c),
                    format!("`{kw}` is given twice in rule `{}`", rule.name.name),
                    "second clause",
                    None,
                );
            }
            seen.push(kw);
        }
        for need in required {
            if !seen.contains(need) {
                let what = if *need == "doc" {
                    "the clause text it implements".to_string()
                } else {
                    format!("a `{need}` clause")
                };
                self.error(
                    rule.name.span,
                    format!("{kind} rule `{}` has no `{need}`", rule.name.name),
                    format!("needs {what}"),
                    None,
                );
            }
        }
        if matches!(rule.kind, RuleKind::Compensation | RuleKind::Deduction) {
            let n = seen
                .iter()
                .filter(|k| ["reduce by", "cap at", "floor at"].contains(k))
                .count();
            if n != 1 {
                self.error(
                    rule.name.span,
                    format!(
                        "{kind} rule `{}` needs exactly one of `reduce by`, `cap at`, `floor at`",
                        rule.name.name
                    ),
                    "this rule",
                    None,
                );
            }
        }
        if matches!(rule.kind, RuleKind::Evidence | RuleKind::Supporting)
            && self.ast.evidence_source.is_none()
        {
            self.error(
                rule.name.span,
                "evidence rule without an evidence source",
                "needs evidence",
                Some("declare where evidence is listed: `evidence from claim.evidence`".into()),
            );
        }
        if self.errors.len() > errors_before {
            return None;
        }
        let doc = rule.clauses.iter().find_map(|c| {
            if let Clause::Doc(s) = c {
                Some(s.value.clone())
            } else {
                None
            }
        })?;
        self.check_quotes(rule)?;
        let deadline = rule.kind == RuleKind::Deadline;
        let mut when = None;
        let mut present = self.document_presence(rule.kind);
        if let Some(e) = rule.clauses.iter().find_map(|c| {
            if let Clause::When(e) = c {
                Some(e)
            } else {
                None
            }
        }) {
            let t = self.narrowed_expr(e, &present, deadline)?;
            self.expect_bool(&t, e.span, "a `when` condition")?;
            present.extend(expr::presence(&t.ex, true));
            when = Some(t.ex);
        }
        let mut action = Action::None;
        for c in &rule.clauses {
            action = match c {
                Clause::Pays(e) | Clause::Reduce(e) | Clause::Cap(e) | Clause::Floor(e) => {
                    let t = self.money_expr(e, &present)?;
                    match c {
                        Clause::Pays(_) => Action::Pays(t),
                        Clause::Reduce(_) => Action::Reduce(t),
                        Clause::Cap(_) => Action::Cap(t),
                        _ => Action::Floor(t),
                    }
                }
                Clause::By(e) => {
                    let t = self.narrowed_expr(e, &present, true)?;
                    if t.ty.optional || !matches!(t.ty.base, Base::Date | Base::DateTime) {
                        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
                        self.error(
                            e.span,
                            format!("a deadline is a date or datetime, but this is {shown}"),
                            "not a date",
                            None,
                        );
                        return None;
                    }
                    Action::By(t.ex)
                }
                Clause::Shows(e) => {
                    let t = self.narrowed_expr(e, &present, false)?;
                    if t.ty.optional || matches!(t.ty.base, Base::Record(_) | Base::List(_)) {
                        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
                        let help =
                            t.ty.optional
                                .then(|| "say when it is present: `when x is present`".to_string());
                        self.error(
                            e.span,
                            format!("a note shows one present value, but this is {shown}"),
                            "cannot show this",
                            help,
                        );
                        return None;
                    }
                    Action::Shows(t.ex, t.ty.base)
                }
                Clause::Requires(alts) => {
                    Action::Requires(self.alternatives(alts, evidence?, &present)?)
                }
                Clause::Doc(_) | Clause::When(_) => continue,
            };
        }
        Some(CheckedRule {
            kind: rule.kind,
            name: rule.name.name.clone(),
            doc,
            span: rule.span,
            when,
            action,
        })
    }

    /// Clause text may quote a constant as `{name}`; the name must be a constant.
    fn check_quotes(&mut self, rule: &ast::Rule) -> Option<()> {
        for c in &rule.clauses {
            let Clause::Doc(s) = c else { continue };
            for name in quoted_names(&s.value) {
                if !self.const_index.contains_key(name) {
                    let mut names: Vec<&str> = self.const_index.keys().copied().collect();
                    names.sort_unstable();
                    let help = match names::suggest(name, &names) {
                        Some(n) => format!("did you mean `{{{n}}}`?"),
                        None => "clause text quotes constants: `{name}` for a `const name = ...`"
                            .to_string(),
                    };
                    self.error(
                        s.span,
                        format!("clause text quotes `{{{name}}}`, which is not a constant"),
                        "in this text",
                        Some(help),
                    );
                    return None;
                }
            }
        }
        Some(())
    }

    /// Rules for claims may read `claim` as present, rules for cancellations `cancellation`.
    fn document_presence(&self, kind: RuleKind) -> Vec<String> {
        let root = if kind.for_claims() {
            "claim"
        } else if kind.for_cancellations() {
            "cancellation"
        } else {
            return Vec::new();
        };
        self.schema
            .field_index(Schema::ROOT, root)
            .map(|i| format!("f:{i}"))
            .into_iter()
            .collect()
    }

    /// Indexes tables and hooks by name, and checks hook signatures.
    fn index_functions(&mut self) {
        let ast = self.ast;
        for (i, t) in ast.tables.iter().enumerate() {
            if crate::ir::Builtin::by_name(&t.name.name).is_some()
                || self.table_index.insert(&t.name.name, i).is_some()
            {
                self.error(
                    t.name.span,
                    format!("`{}` is already a function", t.name.name),
                    "name taken",
                    Some("rename the table".into()),
                );
            }
        }
        for h in &ast.hooks {
            let taken = crate::ir::Builtin::by_name(&h.name.name).is_some()
                || self.table_index.contains_key(h.name.name.as_str())
                || self.hook_index.contains_key(h.name.name.as_str());
            if taken {
                self.error(
                    h.name.span,
                    format!("`{}` is already a function", h.name.name),
                    "name taken",
                    Some("rename the hook".into()),
                );
                continue;
            }
            let mut ok = true;
            let mut sig = |c: &mut Self, t: &ast::TypeExpr| -> Type {
                let base = c.type_of(t, "hook");
                if !matches!(
                    base,
                    Base::Money | Base::Decimal | Base::Integer | Base::Bool | Base::Str
                ) || t.optional
                {
                    c.error(
                        t.span,
                        "hooks take and return money, decimal, integer, bool or string",
                        "unsupported type",
                        None,
                    );
                    ok = false;
                }
                Type::new(base)
            };
            let params = h.params.iter().map(|(_, t)| sig(self, t)).collect();
            let ret = sig(self, &h.ret);
            if ok {
                self.hook_index.insert(&h.name.name, self.hooks.len());
                self.hooks.push(HookSig {
                    name: h.name.name.clone(),
                    params,
                    ret,
                    file: h.file.value.clone(),
                    span: h.span,
                });
            }
        }
    }

    /// A clause's span from its keyword: the tree keeps only the span of what follows it.
    fn clause_span(&self, c: &Clause) -> Span {
        let span = c.span();
        let first = c.keyword().split(' ').next().unwrap_or("");
        let start = self
            .file
            .text
            .get(..span.start)
            .and_then(|t| t.rfind(first))
            .unwrap_or(span.start);
        Span::new(start, span.end)
    }

    fn money_expr(&mut self, e: &ast::Expr, present: &[String]) -> Option<Ex> {
        let t = self.narrowed_expr(e, present, false)?;
        if t.ty.base != Base::Money || t.ty.optional {
            if t.lit && t.is_numeric_lit() {
                return Some(t.ex);
            }
            let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
            let help = if t.ty.optional {
                Some("write `... otherwise 0` to say what an absent amount means".to_string())
            } else {
                None
            };
            self.error(
                e.span,
                format!("expected money, but this is {shown}"),
                "not money",
                help,
            );
            return None;
        }
        Some(t.ex)
    }

    fn alternatives(
        &mut self,
        alts: &[Alternative],
        evidence: &EvidenceSource,
        present: &[String],
    ) -> Option<Vec<Alt>> {
        let mut out = Vec::new();
        let kind_ty = self
            .schema
            .records
            .get(evidence.record)
            .and_then(|r| r.fields.get(evidence.kind_field))
            .map(|f| f.ty.clone());
        for alt in alts {
            match alt {
                Alternative::Kind { kind, condition } => {
                    let value = match &kind_ty {
                        Some(Base::Enum(id)) => match self.schema.variant_index(*id, &kind.name) {
                            Some(i) => Value::Enum(i),
                            None => {
                                let variants = self
                                    .schema
                                    .enums
                                    .get(*id)
                                    .map(|e| e.variants.join(", "))
                                    .unwrap_or_default();
                                self.error(
                                    kind.span,
                                    format!("`{}` is not an evidence kind", kind.name),
                                    "unknown kind",
                                    Some(format!("the kinds are: {variants}")),
                                );
                                return None;
                            }
                        },
                        _ => Value::Str(kind.name.as_str().into()),
                    };
                    let condition = match condition {
                        None => None,
                        Some(c) => {
                            let t = self.evidence_condition(c, evidence.record, present)?;
                            self.expect_bool(&t, c.span, "an evidence condition")?;
                            Some(t.ex)
                        }
                    };
                    out.push(Alt::Kind {
                        kind: kind.name.clone(),
                        value,
                        condition,
                    });
                }
                Alternative::Facts { paths, .. } => {
                    let mut resolved = Vec::new();
                    for p in paths {
                        let e = ast::Expr {
                            kind: ast::ExprKind::Path(p.clone()),
                            span: p.span,
                        };
                        let t = self.top_expr(&e, false)?;
                        if !t.ty.optional {
                            self.error(
                                p.span,
                                format!(
                                    "`{}` is never absent, so it always satisfies this",
                                    p.dotted()
                                ),
                                "always present",
                                Some("list only optional facts here".into()),
                            );
                            return None;
                        }
                        resolved.push((p.dotted(), t.ex));
                    }
                    out.push(Alt::Facts { paths: resolved });
                }
            }
        }
        Some(out)
    }

    fn expect_bool(&mut self, t: &Typed, span: Span, what: &str) -> Option<()> {
        if t.ty.base == Base::Bool && !t.ty.optional {
            return Some(());
        }
        let shown = crate::types::Shown(&t.ty, &self.schema).to_string();
        self.error(
            span,
            format!("{what} must be a bool, but this is {shown}"),
            "not true or false",
            None,
        );
        None
    }
}

/// The names quoted as `{name}` in a clause text.
pub fn quoted_names(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        let after = rest.get(open + 1..).unwrap_or("");
        match after.find('}') {
            Some(close) => {
                let name = after.get(..close).unwrap_or("");
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    out.push(name);
                }
                rest = after.get(close + 1..).unwrap_or("");
            }
            None => break,
        }
    }
    out
}
