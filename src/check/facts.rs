//! The facts block: record and enumeration layouts, defaults, and the evidence source.

use std::collections::{HashMap, HashSet};

use super::expr::{self};
use super::{Checker, CurrencyFrom, EvidenceSource, Slot, DECISIONS};
use crate::ast::{self, ScalarType, TypeKind};
use crate::ir::Ex;
use crate::schema::{decision_keys, EnumSchema, FieldSchema, RecordSchema, Schema};
use crate::span::Span;
use crate::types::{Base, Type};
use crate::value::Value;

/// The keys of a decision ([`crate::schema::decision_keys`]) that every decision gives;
/// it gives the others only when they have something to say (`docs/contract.md`), so an
/// extra field named like one of those must be optional.
const ALWAYS: [&str; 2] = ["missing_evidence", "deadlines"];

impl<'a> Checker<'a> {
    pub(super) fn build_schema(&mut self) {
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
        self.schema
            .records
            .push(RecordSchema::new(String::new(), Vec::new()));
        let fields = self.fields(&self.ast.facts, "");
        self.schema.records[Schema::ROOT] = RecordSchema::new(String::new(), fields);
        self.decision_enum = self.schema.enums.len();
        self.schema.enums.push(EnumSchema::new(
            "decision".into(),
            DECISIONS.iter().map(|s| s.to_string()).collect(),
        ));
    }

    pub(super) fn fields(&mut self, decls: &[ast::FieldDecl], prefix: &str) -> Vec<FieldSchema> {
        let mut out: Vec<FieldSchema> = Vec::new();
        // Each name's first declaration, so that a large record is checked in linear time.
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for d in decls {
            if let Some(prev) = seen.get(d.name.name.as_str()) {
                let (line, _) = self.file.line_col(prev.start);
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
            seen.insert(&d.name.name, d.span);
            let assessed = match d.assessed {
                Some(word) => self.assessed_field(d, word, prefix),
                None => self.all_assessed(&ty),
            };
            out.push(FieldSchema {
                name: d.name.name.clone(),
                optional: d.ty.optional && default.is_none(),
                assessed,
                ty,
                default,
                span: d.span,
            });
        }
        out
    }

    /// Checks a field declared `assessed`; true when it may be (a single value, in a record
    /// outside any list, neither optional nor defaulted).
    fn assessed_field(&mut self, d: &ast::FieldDecl, word: Span, prefix: &str) -> bool {
        let name = &d.name.name;
        let ty = crate::print::type_head(&d.ty);
        let ty = ty.strip_prefix("optional ").unwrap_or(&ty);
        if let Some(default) = &d.default {
            self.error(
                default.span,
                format!("the assessed field `{name}` cannot have a default"),
                "a default",
                Some(format!(
                    "a rule that needs an assessed value waits for the person who gives it, \
                     and a default would decide without them: write `{name}: assessed {ty}`, \
                     or drop `assessed` for a value the document states"
                )),
            );
            return false;
        }
        if d.ty.optional {
            self.error(
                d.ty.span,
                format!("the assessed field `{name}` cannot be optional"),
                "optional",
                Some(format!(
                    "a document may leave an assessed field out already, and a rule that needs \
                     it waits for it rather than reading it as absent: write `{name}: assessed {ty}`"
                )),
            );
            return false;
        }
        if !matches!(d.ty.kind, TypeKind::Scalar(_) | TypeKind::Enum(_)) {
            self.error(
                word.to(d.ty.span),
                format!("`{name}` is {ty}; only a single value can be assessed"),
                "not a single value",
                Some(format!(
                    "mark the fields inside instead, such as `{name}: record {{ share: assessed decimal }}`"
                )),
            );
            return false;
        }
        if prefix.contains("[]") {
            self.error(
                word,
                format!("`{prefix}.{name}` is inside a list; an assessed field cannot be"),
                "in a list",
                Some(format!(
                    "declare it once for the document, outside the list, such as \
                     `assessment: record {{ {name}: assessed {ty} }}`"
                )),
            );
            return false;
        }
        true
    }

    /// Whether `ty` is a record whose fields are all assessed (so the record as a whole
    /// may be left out).
    fn all_assessed(&self, ty: &Base) -> bool {
        let Base::Record(id) = ty else {
            return false;
        };
        self.schema
            .records
            .get(*id)
            .is_some_and(|r| !r.fields.is_empty() && r.fields.iter().all(|f| f.assessed))
    }

    /// Whether `ex` reads a fact declared `assessed` (a single value, not a record of them).
    pub(super) fn is_assessed(&self, ex: &Ex) -> bool {
        let Ex::Fact(path) = ex else {
            return false;
        };
        let mut record = Schema::ROOT;
        let mut assessed = false;
        for &i in path.iter() {
            let Some(f) = self
                .schema
                .records
                .get(record)
                .and_then(|r| r.fields.get(i))
            else {
                return false;
            };
            assessed = f.assessed && !matches!(f.ty, Base::Record(_));
            if let Base::Record(id) = f.ty {
                record = id;
            }
        }
        assessed
    }

    /// Reports `is present`, `is absent` or `otherwise` (`what`) on an assessed fact.
    pub(super) fn assessed_presence(&mut self, span: Span, what: &str) {
        let text = self.snippet(span);
        self.error(
            span,
            format!("`{text}` is assessed, so a rule reads it as given and never as absent"),
            "assessed",
            Some(format!(
                "remove `{what}`: a rule that needs `{text}` waits for it, and the claim is \
                 referred until it is given"
            )),
        );
    }

    pub(super) fn type_of(&mut self, t: &ast::TypeExpr, path: &str) -> Base {
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
                let mut seen: HashSet<&str> = HashSet::new();
                for v in variants {
                    if !seen.insert(&v.name) {
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
                self.schema
                    .enums
                    .push(EnumSchema::new(path.to_string(), names));
                Base::Enum(self.schema.enums.len() - 1)
            }
            TypeKind::Record(fields) => {
                let id = self.schema.records.len();
                self.schema
                    .records
                    .push(RecordSchema::new(path.to_string(), Vec::new()));
                let fs = self.fields(fields, path);
                self.schema.records[id] = RecordSchema::new(path.to_string(), fs);
                Base::Record(id)
            }
            TypeKind::Decision { extra, fields } => {
                self.decision_type(extra.as_deref(), fields, path)
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

    /// A `decision` record: the built-in fields, then the extra ones (none may reuse a
    /// built-in name); the other keys of a decision are skipped when read.
    fn decision_type(
        &mut self,
        extra: Option<&[ast::FieldDecl]>,
        fields: &[ast::FieldDecl],
        path: &str,
    ) -> Base {
        let builtins = ast::DECISION_FIELDS.len();
        let mut decls: Vec<ast::FieldDecl> = fields.get(..builtins).unwrap_or_default().to_vec();
        for f in extra.unwrap_or_default() {
            let name = f.name.name.as_str();
            if ast::DECISION_FIELDS.contains(&name) {
                self.error(
                    f.name.span,
                    format!("`{name}` is a built-in field of `decision`"),
                    "built-in field",
                    Some(format!(
                        "a decision already has `{name}` (its fields: {}); read it as it is, \
                         or give the extra field another name",
                        ast::DECISION_FIELDS.join(", ")
                    )),
                );
                continue;
            }
            let sometimes =
                crate::schema::decision_keys("").contains(&name) && !ALWAYS.contains(&name);
            if sometimes && !f.ty.optional && f.default.is_none() {
                self.error(
                    f.ty.span,
                    format!("a decision has `{name}` only when it has something to say"),
                    "required here",
                    Some(format!(
                        "declare it optional, so that a decision without it still reads: \
                         `{name}: optional {}`",
                        crate::print::type_head(&f.ty)
                    )),
                );
            }
            decls.push(f.clone());
        }
        let id = self.schema.records.len();
        self.schema
            .records
            .push(RecordSchema::new(path.to_string(), Vec::new()));
        let fs = self.fields(&decls, path);
        let mut record = RecordSchema::new(path.to_string(), fs);
        record.skips = decision_keys("");
        record.decision = true;
        // The built-in records skip the keys they do not read (`payout.breakdown`).
        let mut inner = Vec::new();
        for name in ["payout", "refund", "policy", "reasons"] {
            let ty = record.fields.iter().find(|f| f.name == name).map(|f| &f.ty);
            if let Some(Base::Record(r)) = ty.map(|t| match t {
                Base::List(elem) => elem.as_ref(),
                other => other,
            }) {
                inner.push((*r, decision_keys(name)));
            }
        }
        self.schema.records[id] = record;
        for (r, keys) in inner {
            if let Some(rec) = self.schema.records.get_mut(r) {
                rec.skips = keys;
            }
        }
        Base::Record(id)
    }

    /// Reports `decision` written as the type of a hook or a table (`what`): decisions are
    /// read from documents only.
    pub(super) fn decision_outside_facts(&mut self, t: &ast::TypeExpr, what: &str) -> bool {
        let mut t = t;
        while let TypeKind::List(inner) = &t.kind {
            t = inner;
        }
        if !matches!(t.kind, TypeKind::Decision { .. }) {
            return false;
        }
        self.error(
            t.span,
            format!("`decision` is a type of facts, not of a {what}"),
            "not a fact",
            Some(format!(
                "declare earlier decisions in `facts` (`earlier: list of decision`), and give \
                 the {what} one of their fields, such as `c.payout.amount`"
            )),
        );
        true
    }

    pub(super) fn default_value(&mut self, e: &ast::Expr, ty: &Base, span: Span) -> Option<Value> {
        let typed = self.const_expr(e)?;
        let want = Type::new(ty.clone());
        if *ty == Base::Money {
            self.in_currency(&typed, e.span);
        }
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
    pub(super) fn inline_consts(&self, ex: Ex) -> Ex {
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

    /// The header's `currency CODE from PATH`: PATH must be a string fact. A policy that
    /// reads money from documents must name it, so that a document's amounts are never
    /// taken for the policy's currency unchecked.
    pub(super) fn currency_from(&mut self) -> Option<CurrencyFrom> {
        let header = &self.ast.header;
        let Some(path) = header.currency_from.clone() else {
            // A list of currencies without the fact is reported with the header.
            let several = !header.more_currencies.is_empty();
            if let Some(money) = self.first_money_fact().filter(|_| !several) {
                let code = header.currency.as_ref().map_or("USD", |c| c.name.as_str());
                self.error(
                    money,
                    "the policy reads amounts from documents but does not say which fact \
                     states their currency",
                    "an amount from the document",
                    Some(format!(
                        "name the fact in the header, e.g. `currency {code} from order.currency`: \
                         a document in another currency is then referred, never paid in {code}"
                    )),
                );
            }
            return None;
        };
        let e = ast::Expr {
            kind: ast::ExprKind::Path(path.clone()),
            span: path.span,
        };
        let typed = self.top_expr(&e, false)?;
        if typed.ty.base != Base::Str {
            let shown = crate::types::Shown(&typed.ty, &self.schema).to_string();
            self.error(
                path.span,
                format!(
                    "the currency must come from a string fact, but `{}` is {shown}",
                    path.dotted()
                ),
                "not a string",
                Some("declare it as `currency: string`".into()),
            );
            return None;
        }
        Some(CurrencyFrom {
            path: typed.ex,
            name: path.dotted(),
            span: path.span,
        })
    }

    /// Where the first `money` field of the facts is declared, if any.
    fn first_money_fact(&self) -> Option<Span> {
        fn find(fields: &[ast::FieldDecl]) -> Option<Span> {
            fields.iter().find_map(|f| find_in(&f.ty))
        }
        fn find_in(t: &ast::TypeExpr) -> Option<Span> {
            match &t.kind {
                TypeKind::Scalar(ScalarType::Money) => Some(t.span),
                TypeKind::Record(fields) => find(fields),
                TypeKind::List(inner) => find_in(inner),
                _ => None,
            }
        }
        find(&self.ast.facts)
    }

    pub(super) fn evidence_source(&mut self) -> Option<EvidenceSource> {
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
}
