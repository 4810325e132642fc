//! The facts block: record and enumeration layouts, defaults, and the evidence source.

use std::collections::{HashMap, HashSet};

use super::expr::{self};
use super::{Checker, CurrencyFrom, EvidenceSource, Slot, DECISIONS};
use crate::ast::{self, ScalarType, TypeKind};
use crate::ir::Ex;
use crate::schema::{EnumSchema, FieldSchema, RecordSchema, Schema};
use crate::span::Span;
use crate::types::{Base, Type};
use crate::value::Value;

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
