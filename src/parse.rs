//! Text to syntax tree: the only module that touches pest; spans become our own.

use std::str::FromStr;

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;
use rust_decimal::Decimal;

use crate::ast::*;
use crate::diagnostic::PolicyError;
use crate::span::{Source, Span};

mod syntax;

use syntax::syntax_error;

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/proviso.pest"]
struct Grammar;

/// Largest policy file read, in bytes.
pub const MAX_POLICY_BYTES: usize = 1 << 20;
/// Deepest bracket nesting accepted (`(`, `[`, `{`).
pub const MAX_BRACKET_DEPTH: usize = 32;
/// Most `if` and `list` words a file may use; each may nest without brackets.
pub const MAX_NESTING_WORDS: usize = 128;
/// Deepest expression tree accepted (long operator chains included).
pub const MAX_EXPR_DEPTH: usize = 128;

/// Parses one policy file. Syntax errors stop at the first; structural ones are all reported.
pub fn parse_file(file: &Source) -> Result<PolicyFile, Vec<PolicyError>> {
    prescan(file).map_err(|e| vec![e])?;
    pest::set_call_limit(std::num::NonZeroUsize::new(20_000_000));
    let mut pairs =
        Grammar::parse(Rule::file, &file.text).map_err(|e| vec![syntax_error(file, e)])?;
    let root = pairs
        .next()
        .ok_or_else(|| vec![internal(file, Span::default())])?;
    Builder {
        file,
        errors: Vec::new(),
    }
    .file(root)
}

/// Rejects input that would nest deeper than the parser should recurse, before pest sees it.
fn prescan(file: &Source) -> Result<(), PolicyError> {
    let text = &file.text;
    if text.len() > MAX_POLICY_BYTES {
        return Err(PolicyError::new(
            file,
            Span::new(0, 0),
            "policy file is too large",
            "this file",
        )
        .with_help(format!(
            "a policy file may hold at most {MAX_POLICY_BYTES} bytes"
        )));
    }
    let bytes = text.as_bytes();
    let (mut depth, mut words, mut i) = (0usize, 0usize, 0usize);
    let mut prev_word = "";
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_BRACKET_DEPTH {
                    return Err(PolicyError::new(
                        file,
                        Span::new(i, i + 1),
                        "brackets nest too deeply",
                        "this bracket",
                    )
                    .with_help(format!(
                        "nest at most {MAX_BRACKET_DEPTH} levels; name inner parts with `let`"
                    )));
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            c if c.is_ascii_alphabetic() || c == b'_' => {
                let start = i;
                while i < bytes.len() && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'_') {
                    i += 1;
                }
                let word = text.get(start..i).unwrap_or("");
                if (word == "if" && prev_word != "else") || word == "list" {
                    words += 1;
                    if words > MAX_NESTING_WORDS {
                        return Err(PolicyError::new(
                            file,
                            Span::new(start, i),
                            "too many nested `if` or `list` forms",
                            "one too many",
                        )
                        .with_help(format!(
                            "a file may use at most {MAX_NESTING_WORDS}; use `else if` chains or `let`"
                        )));
                    }
                }
                prev_word = word;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

fn internal(file: &Source, span: Span) -> PolicyError {
    PolicyError::new(file, span, "internal error: unexpected parse tree", "here")
        .with_help("this is a bug in proviso; please report it with this file")
}

struct Builder<'s> {
    file: &'s Source,
    errors: Vec<PolicyError>,
}

type R<T> = Result<T, PolicyError>;

/// A node's span, without the whitespace and comments pest lets trail it
/// (`x ` in `x > 0` would otherwise be underlined and quoted with its space).
fn span_of(p: &Pair<Rule>) -> Span {
    let start = p.as_span().start();
    Span::new(start, start + token_len(p.as_str()))
}

/// Length of `text` up to the end of its last token.
fn token_len(text: &str) -> usize {
    if !text.ends_with(|c: char| c.is_ascii_whitespace()) {
        return text.len();
    }
    let bytes = text.as_bytes();
    let (mut i, mut end) = (0, 0);
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() && bytes[i] != b'"' {
                    i += if bytes[i] == b'\\' { 2 } else { 1 };
                }
                end = (i + 1).min(bytes.len());
            }
            b' ' | b'\t' | b'\r' | b'\n' => {}
            _ => end = i + 1,
        }
        i += 1;
    }
    end
}

impl<'s> Builder<'s> {
    fn next<'i>(&self, it: &mut Pairs<'i, Rule>, parent: Span) -> R<Pair<'i, Rule>> {
        it.next().ok_or_else(|| internal(self.file, parent))
    }

    fn err(&self, span: Span, msg: impl Into<String>, label: impl Into<String>) -> PolicyError {
        PolicyError::new(self.file, span, msg, label)
    }

    fn file(mut self, root: Pair<Rule>) -> Result<PolicyFile, Vec<PolicyError>> {
        let span = span_of(&root);
        let mut it = root.into_inner();
        let header = match it.next() {
            Some(h) => self.header(h),
            None => Err(internal(self.file, span)),
        }
        .map_err(|e| vec![e])?;
        let mut out = PolicyFile {
            header,
            facts: Vec::new(),
            facts_span: None,
            consts: Vec::new(),
            lets: Vec::new(),
            evidence_source: None,
            tables: Vec::new(),
            hooks: Vec::new(),
            rules: Vec::new(),
        };
        for item in it {
            if let Err(e) = self.item(item, &mut out) {
                self.errors.push(e);
            }
        }
        if self.errors.is_empty() {
            Ok(out)
        } else {
            Err(self.errors)
        }
    }

    fn header(&self, pair: Pair<Rule>) -> R<Header> {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let decl = self.next(&mut it, span)?;
        let mut di = decl.into_inner();
        let _kw = self.next(&mut di, span)?;
        let name = self.string(di.next(), span)?;
        let mut h = Header {
            name,
            version: None,
            effective: None,
            until: None,
            currency: None,
            doc: None,
            span,
        };
        for field in it {
            let fspan = span_of(&field);
            let which = field.as_rule();
            let mut inner = field.into_inner();
            let _keyword = self.next(&mut inner, fspan)?;
            let value = self.next(&mut inner, fspan)?;
            let duplicate = match which {
                Rule::version_decl => h
                    .version
                    .replace(self.string(Some(value), fspan)?)
                    .is_some(),
                Rule::effective_decl => h.effective.replace(self.date(value)?).is_some(),
                Rule::until_decl => h.until.replace(self.date(value)?).is_some(),
                Rule::currency_decl => h.currency.replace(self.ident(value)).is_some(),
                Rule::doc_decl => h.doc.replace(self.doc(value, inner, fspan)?).is_some(),
                _ => return Err(internal(self.file, fspan)),
            };
            if duplicate {
                return Err(self
                    .err(fspan, "header field given twice", "second declaration")
                    .with_help("keep one"));
            }
        }
        Ok(h)
    }

    fn item(&mut self, pair: Pair<Rule>, out: &mut PolicyFile) -> R<()> {
        let span = span_of(&pair);
        match pair.as_rule() {
            Rule::facts_block => {
                if out.facts_span.is_some() {
                    return Err(self
                        .err(span, "second `facts` block", "facts are declared above")
                        .with_help("declare all facts in one block"));
                }
                out.facts_span = Some(span);
                let mut it = pair.into_inner();
                let _kw = self.next(&mut it, span)?;
                for f in it {
                    match self.field(f) {
                        Ok(f) => out.facts.push(f),
                        Err(e) => self.errors.push(e),
                    }
                }
            }
            Rule::const_decl | Rule::let_decl => {
                let is_const = pair.as_rule() == Rule::const_decl;
                let mut it = pair.into_inner();
                let _kw = self.next(&mut it, span)?;
                let name = self.ident(self.next(&mut it, span)?);
                let value = self.expr(self.next(&mut it, span)?)?;
                let b = Binding { name, value, span };
                if is_const {
                    out.consts.push(b)
                } else {
                    out.lets.push(b)
                }
            }
            Rule::evidence_source => {
                let mut it = pair.into_inner();
                let (_kw, _from) = (self.next(&mut it, span)?, self.next(&mut it, span)?);
                let path = self.path(self.next(&mut it, span)?);
                if out.evidence_source.replace(path).is_some() {
                    return Err(self.err(
                        span,
                        "evidence source declared twice",
                        "second declaration",
                    ));
                }
            }
            Rule::table_decl => out.tables.push(self.table(pair)?),
            Rule::hook_decl => out.hooks.push(self.hook(pair)?),
            Rule::rule => out.rules.push(self.rule(pair)?),
            Rule::EOI => {}
            _ => return Err(internal(self.file, span)),
        }
        Ok(())
    }

    fn field(&self, pair: Pair<Rule>) -> R<FieldDecl> {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let name = self.ident(self.next(&mut it, span)?);
        let ty = self.type_expr(self.next(&mut it, span)?)?;
        let default = match it.next() {
            Some(d) => {
                let dspan = span_of(&d);
                let mut di = d.into_inner();
                let _kw = self.next(&mut di, dspan)?;
                Some(self.expr(self.next(&mut di, dspan)?)?)
            }
            None => None,
        };
        Ok(FieldDecl {
            name,
            ty,
            default,
            span,
        })
    }

    fn type_expr(&self, pair: Pair<Rule>) -> R<TypeExpr> {
        let span = span_of(&pair);
        let mut it = pair.into_inner().peekable();
        let optional = it.peek().is_some_and(|p| p.as_rule() == Rule::kw_optional);
        if optional {
            it.next();
        }
        let t = it.next().ok_or_else(|| internal(self.file, span))?;
        let tspan = span_of(&t);
        let kind = match t.as_rule() {
            Rule::scalar_type => TypeKind::Scalar(match t.as_str() {
                "money" => ScalarType::Money,
                "decimal" => ScalarType::Decimal,
                "integer" => ScalarType::Integer,
                "bool" => ScalarType::Bool,
                "string" => ScalarType::String,
                "date" => ScalarType::Date,
                "datetime" => ScalarType::DateTime,
                _ => return Err(internal(self.file, tspan)),
            }),
            Rule::enum_type => TypeKind::Enum(
                t.into_inner()
                    .filter(|p| p.as_rule() == Rule::ident)
                    .map(|p| self.ident(p))
                    .collect(),
            ),
            Rule::record_type => {
                let fields = t
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::field_decl)
                    .map(|f| self.field(f))
                    .collect::<R<Vec<_>>>()?;
                TypeKind::Record(fields)
            }
            Rule::list_type => {
                let inner = t
                    .into_inner()
                    .find(|p| p.as_rule() == Rule::type_expr)
                    .ok_or_else(|| internal(self.file, tspan))?;
                TypeKind::List(Box::new(self.type_expr(inner)?))
            }
            _ => return Err(internal(self.file, tspan)),
        };
        Ok(TypeExpr {
            optional,
            kind,
            span,
        })
    }

    fn rule(&self, pair: Pair<Rule>) -> R<Rule_> {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let kind_pair = self.next(&mut it, span)?;
        let kind = match kind_pair.as_str() {
            "coverage" => RuleKind::Coverage,
            "exclusion" => RuleKind::Exclusion,
            "referral" => RuleKind::Referral,
            "evidence" => RuleKind::Evidence,
            "compensation" => RuleKind::Compensation,
            "deadline" => RuleKind::Deadline,
            "fallback" => RuleKind::Fallback,
            "supporting" => RuleKind::Supporting,
            "priority" => RuleKind::Priority,
            "appeal" => RuleKind::Appeal,
            "note" => RuleKind::Note,
            "refund" => RuleKind::Refund,
            "deduction" => RuleKind::Deduction,
            "refusal" => RuleKind::Refusal,
            _ => return Err(internal(self.file, span_of(&kind_pair))),
        };
        let name = self.ident(self.next(&mut it, span)?);
        let mut clauses = Vec::new();
        for c in it {
            let cspan = span_of(&c);
            let which = c.as_rule();
            let mut ci = c.into_inner();
            let _kw = self.next(&mut ci, cspan)?;
            let clause = match which {
                Rule::doc_decl => {
                    let first = self.next(&mut ci, cspan)?;
                    Clause::Doc(self.doc(first, ci, cspan)?)
                }
                Rule::requires_clause => {
                    Clause::Requires(self.alternatives(self.next(&mut ci, cspan)?)?)
                }
                Rule::when_clause => Clause::When(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::pays_clause => Clause::Pays(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::by_clause => Clause::By(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::shows_clause => Clause::Shows(self.expr(self.next(&mut ci, cspan)?)?),
                Rule::reduce_clause | Rule::cap_clause | Rule::floor_clause => {
                    let _second_kw = self.next(&mut ci, cspan)?;
                    let e = self.expr(self.next(&mut ci, cspan)?)?;
                    match which {
                        Rule::reduce_clause => Clause::Reduce(e),
                        Rule::cap_clause => Clause::Cap(e),
                        _ => Clause::Floor(e),
                    }
                }
                _ => return Err(internal(self.file, cspan)),
            };
            clauses.push(clause);
        }
        Ok(Rule_ {
            kind,
            name,
            clauses,
            span,
        })
    }

    fn table(&self, pair: Pair<Rule>) -> R<Table> {
        let span = span_of(&pair);
        let mut it = pair.into_inner();
        let _kw = self.next(&mut it, span)?;
        let name = self.ident(self.next(&mut it, span)?);
        let param = self.ident(self.next(&mut it, span)?);
        let mut doc_pair = self.next(&mut it, span)?;
        let mut ty = None;
        if doc_pair.as_rule() == Rule::type_expr {
            ty = Some(self.type_expr(doc_pair)?);
            doc_pair = self.next(&mut it, span)?;
        }
        let dspan = span_of(&doc_pair);
        let mut di = doc_pair.into_inner();
        let _doc_kw = self.next(&mut di, dspan)?;
        let first = self.next(&mut di, dspan)?;
        let doc = self.doc(first, di, dspan)?;
        let mut bands = Vec::new();
        for band in it {
            let bspan = span_of(&band);
            let mut bi = band.into_inner();
            let range = self.next(&mut bi, bspan)?;
            let which = range.as_rule();
            let exprs: Vec<Pair<Rule>> = range
                .into_inner()
                .filter(|p| p.as_rule() == Rule::expr)
                .collect();
            let mut bounds = Vec::new();
            for e in exprs {
                bounds.push(self.expr(e)?);
            }
            let value = self.expr(self.next(&mut bi, bspan)?)?;
            let mut bounds = bounds.into_iter();
            let (over, up_to) = match which {
                Rule::band_first => (None, bounds.next()),
                Rule::band_middle => (bounds.next(), bounds.next()),
                _ => (bounds.next(), None),
            };
            bands.push(Band {
                over,
                up_to,
                value,
                span: bspan,
            });
        }
        Ok(Table {
            name,
            param,
            ty,
            doc,
            bands,
            span,
        })
    }

    fn hook(&self, pair: Pair<Rule>) -> R<HookDecl> {
        let span = span_of(&pair);
        let mut params = Vec::new();
        let (mut name, mut ret, mut file) = (None, None, None);
        for p in pair.into_inner() {
            match p.as_rule() {
                Rule::ident => name = Some(self.ident(p)),
                Rule::param => {
                    let pspan = span_of(&p);
                    let mut pi = p.into_inner();
                    let n = self.ident(self.next(&mut pi, pspan)?);
                    params.push((n, self.type_expr(self.next(&mut pi, pspan)?)?));
                }
                Rule::type_expr => ret = Some(self.type_expr(p)?),
                Rule::string => file = Some(self.string(Some(p), span)?),
                _ => {}
            }
        }
        match (name, ret, file) {
            (Some(name), Some(ret), Some(file)) => Ok(HookDecl {
                name,
                params,
                ret,
                file,
                span,
            }),
            _ => Err(internal(self.file, span)),
        }
    }

    fn alternatives(&self, body: Pair<Rule>) -> R<Vec<Alternative>> {
        let span = span_of(&body);
        match body.as_rule() {
            Rule::any_of => body
                .into_inner()
                .filter(|p| p.as_rule() == Rule::alternative)
                .map(|a| self.alternative(a))
                .collect(),
            Rule::alternative => Ok(vec![self.alternative(body)?]),
            _ => Err(internal(self.file, span)),
        }
    }

    fn alternative(&self, pair: Pair<Rule>) -> R<Alternative> {
        let span = span_of(&pair);
        let inner = self.next(&mut pair.into_inner(), span)?;
        let ispan = span_of(&inner);
        match inner.as_rule() {
            Rule::kind_alt => {
                let mut it = inner.into_inner();
                let kind = self.ident(self.next(&mut it, ispan)?);
                let condition = match (it.next(), it.next()) {
                    (Some(_where), Some(e)) => Some(self.expr(e)?),
                    _ => None,
                };
                Ok(Alternative::Kind { kind, condition })
            }
            Rule::fact_alt => {
                let paths = inner
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::path)
                    .map(|p| self.path(p))
                    .collect();
                Ok(Alternative::Facts { paths, span: ispan })
            }
            _ => Err(internal(self.file, ispan)),
        }
    }

    fn doc<'i>(&self, first: Pair<'i, Rule>, rest: Pairs<'i, Rule>, span: Span) -> R<Str> {
        let mut parts = vec![self.string(Some(first), span)?];
        for p in rest {
            parts.push(self.string(Some(p), span)?);
        }
        let joined: Vec<&str> = parts.iter().map(|s| s.value.as_str()).collect();
        let value = joined
            .join(" ")
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let sspan = parts
            .first()
            .map_or(span, |f| f.span.to(parts.last().map_or(f.span, |l| l.span)));
        Ok(Str { value, span: sspan })
    }

    fn string(&self, pair: Option<Pair<Rule>>, parent: Span) -> R<Str> {
        let pair = pair.ok_or_else(|| internal(self.file, parent))?;
        let span = span_of(&pair);
        let raw = pair.into_inner().next().map_or("", |p| p.as_str());
        let mut value = String::with_capacity(raw.len());
        let mut chars = raw.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                value.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '"')) => value.push('"'),
                Some((_, '\\')) => value.push('\\'),
                Some((_, 'n')) => value.push('\n'),
                Some((_, 't')) => value.push('\t'),
                Some((j, other)) => {
                    let at = span.start + 1 + i;
                    return Err(self
                        .err(
                            Span::new(at, span.start + 1 + j + other.len_utf8()),
                            format!("unknown escape `\\{other}`"),
                            "not an escape",
                        )
                        .with_help("the escapes are \\\" \\\\ \\n \\t"));
                }
                None => value.push('\\'),
            }
        }
        Ok(Str { value, span })
    }

    fn date(&self, pair: Pair<Rule>) -> R<DateLit> {
        let span = span_of(&pair);
        chrono::NaiveDate::parse_from_str(pair.as_str(), "%Y-%m-%d")
            .map(|value| DateLit { value, span })
            .map_err(|_| {
                self.err(
                    span,
                    format!("`{}` is not a calendar date", pair.as_str()),
                    "no such date",
                )
            })
    }

    fn ident(&self, pair: Pair<Rule>) -> Ident {
        Ident {
            name: pair.as_str().to_string(),
            span: span_of(&pair),
        }
    }

    fn path(&self, pair: Pair<Rule>) -> Path {
        let span = span_of(&pair);
        Path {
            segments: pair.into_inner().map(|p| self.ident(p)).collect(),
            span,
        }
    }

    fn expr(&self, pair: Pair<Rule>) -> R<Expr> {
        let (e, _) = self.expr_d(pair)?;
        Ok(e)
    }

    /// Builds an expression and its depth; deeper than [`MAX_EXPR_DEPTH`] is an error.
    fn expr_d(&self, pair: Pair<Rule>) -> R<(Expr, usize)> {
        let span = span_of(&pair);
        let which = pair.as_rule();
        let out = match which {
            Rule::expr => return self.expr_d(self.next(&mut pair.into_inner(), span)?),
            Rule::or_expr | Rule::and_expr | Rule::add_expr | Rule::mul_expr => {
                let mut it = pair.into_inner();
                let (mut acc, mut depth) = self.expr_d(self.next(&mut it, span)?)?;
                while let Some(op) = it.next() {
                    let bop = match (which, op.as_str()) {
                        (Rule::or_expr, _) => BinOp::Or,
                        (Rule::and_expr, _) => BinOp::And,
                        (_, "+") => BinOp::Add,
                        (_, "-") => BinOp::Sub,
                        (_, "*") => BinOp::Mul,
                        (_, "/") => BinOp::Div,
                        _ => return Err(internal(self.file, span_of(&op))),
                    };
                    let (rhs, d) = self.expr_d(self.next(&mut it, span)?)?;
                    depth = depth.max(d) + 1;
                    let s = acc.span.to(rhs.span);
                    acc = Expr {
                        kind: ExprKind::Binary(bop, Box::new(acc), Box::new(rhs)),
                        span: s,
                    };
                    self.depth_ok(depth, s)?;
                }
                (acc, depth)
            }
            Rule::not_expr => {
                let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
                self.prefixes_ok(&parts)?;
                let mut iter = parts.into_iter().rev();
                let last = iter.next().ok_or_else(|| internal(self.file, span))?;
                let (mut acc, mut depth) = self.expr_d(last)?;
                for not_kw in iter {
                    depth += 1;
                    let s = span_of(&not_kw).to(acc.span);
                    acc = Expr {
                        kind: ExprKind::Not(Box::new(acc)),
                        span: s,
                    };
                    self.depth_ok(depth, s)?;
                }
                (acc, depth)
            }
            Rule::cmp_expr => {
                let mut it = pair.into_inner();
                let (lhs, d1) = self.expr_d(self.next(&mut it, span)?)?;
                match it.next() {
                    None => (lhs, d1),
                    Some(op) => {
                        let bop = match op.as_str() {
                            "==" => BinOp::Eq,
                            "!=" => BinOp::Ne,
                            "<=" => BinOp::Le,
                            ">=" => BinOp::Ge,
                            "<" => BinOp::Lt,
                            ">" => BinOp::Gt,
                            "in" => BinOp::In,
                            _ => BinOp::NotIn,
                        };
                        let (rhs, d2) = self.expr_d(self.next(&mut it, span)?)?;
                        (
                            Expr {
                                kind: ExprKind::Binary(bop, Box::new(lhs), Box::new(rhs)),
                                span,
                            },
                            d1.max(d2) + 1,
                        )
                    }
                }
            }
            Rule::unary => {
                let parts: Vec<Pair<Rule>> = pair.into_inner().collect();
                self.prefixes_ok(&parts)?;
                let mut iter = parts.into_iter().rev();
                let last = iter.next().ok_or_else(|| internal(self.file, span))?;
                let (mut acc, mut depth) = self.expr_d(last)?;
                for neg in iter {
                    depth += 1;
                    let s = span_of(&neg).to(acc.span);
                    acc = match acc.kind {
                        ExprKind::Number(n, dot) => Expr {
                            kind: ExprKind::Number(-n, dot),
                            span: s,
                        },
                        kind => Expr {
                            kind: ExprKind::Neg(Box::new(Expr {
                                kind,
                                span: acc.span,
                            })),
                            span: s,
                        },
                    };
                    self.depth_ok(depth, s)?;
                }
                (acc, depth)
            }
            Rule::postfix => {
                let mut it = pair.into_inner();
                let (mut acc, mut depth) = self.expr_d(self.next(&mut it, span)?)?;
                for tail in it {
                    let tspan = span_of(&tail);
                    let s = acc.span.to(tspan);
                    acc = match tail.as_rule() {
                        Rule::otherwise_tail => {
                            let mut ti = tail.into_inner();
                            let _kw = self.next(&mut ti, tspan)?;
                            let (dflt, d) = self.expr_d(self.next(&mut ti, tspan)?)?;
                            depth = depth.max(d);
                            Expr {
                                kind: ExprKind::Otherwise(Box::new(acc), Box::new(dflt)),
                                span: s,
                            }
                        }
                        Rule::present_tail => Expr {
                            kind: ExprKind::IsPresent(Box::new(acc), true),
                            span: s,
                        },
                        _ => Expr {
                            kind: ExprKind::IsPresent(Box::new(acc), false),
                            span: s,
                        },
                    };
                    depth += 1;
                    self.depth_ok(depth, s)?;
                }
                (acc, depth)
            }
            Rule::number => (
                Expr {
                    kind: ExprKind::Number(self.number(&pair)?, pair.as_str().contains('.')),
                    span,
                },
                1,
            ),
            Rule::duration => {
                let mut it = pair.into_inner();
                let n = self.next(&mut it, span)?;
                let unit = match self.next(&mut it, span)?.as_str() {
                    "day" | "days" => TimeUnit::Days,
                    _ => TimeUnit::Hours,
                };
                let value = self.number(&n)?;
                if !value.fract().is_zero() {
                    return Err(self
                        .err(
                            span,
                            "a duration is a whole number of days or hours",
                            "not whole",
                        )
                        .with_help("write hours for part of a day"));
                }
                (
                    Expr {
                        kind: ExprKind::Duration(value, unit),
                        span,
                    },
                    1,
                )
            }
            Rule::date_lit => (
                Expr {
                    kind: ExprKind::Date(self.date(pair)?.value),
                    span,
                },
                1,
            ),
            Rule::string => (
                Expr {
                    kind: ExprKind::Str(self.string(Some(pair), span)?.value),
                    span,
                },
                1,
            ),
            Rule::bool_lit => (
                Expr {
                    kind: ExprKind::Bool(pair.as_str() == "true"),
                    span,
                },
                1,
            ),
            Rule::path => (
                Expr {
                    kind: ExprKind::Path(self.path(pair)),
                    span,
                },
                1,
            ),
            Rule::list_lit => {
                let mut items = Vec::new();
                let mut depth = 1;
                for p in pair.into_inner() {
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    items.push(e);
                }
                (
                    Expr {
                        kind: ExprKind::List(items),
                        span,
                    },
                    depth,
                )
            }
            Rule::if_expr => {
                let parts: Vec<Pair<Rule>> = pair
                    .into_inner()
                    .filter(|p| p.as_rule() == Rule::expr)
                    .collect();
                let mut depth = 1;
                let mut exprs = Vec::new();
                for p in parts {
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    exprs.push(e);
                }
                let [c, t, e]: [Expr; 3] =
                    exprs.try_into().map_err(|_| internal(self.file, span))?;
                (
                    Expr {
                        kind: ExprKind::If(Box::new(c), Box::new(t), Box::new(e)),
                        span,
                    },
                    depth,
                )
            }
            Rule::call => {
                let mut it = pair.into_inner();
                let name = self.ident(self.next(&mut it, span)?);
                let mut args = Vec::new();
                let mut depth = 1;
                for p in it {
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    args.push(e);
                }
                (
                    Expr {
                        kind: ExprKind::Call(name, args),
                        span,
                    },
                    depth,
                )
            }
            Rule::aggregate => {
                let mut it = pair.into_inner();
                let kind = match self.next(&mut it, span)?.as_str() {
                    "sum" => AggKind::Sum,
                    "count" => AggKind::Count,
                    "any" => AggKind::Any,
                    _ => AggKind::All,
                };
                let var = self.ident(self.next(&mut it, span)?);
                let _in = self.next(&mut it, span)?;
                let list = self.path(self.next(&mut it, span)?);
                let (mut filter, mut body, mut depth) = (None, None, 1);
                let mut after_where = false;
                for p in it {
                    if p.as_rule() == Rule::kw_where {
                        after_where = true;
                        continue;
                    }
                    let (e, d) = self.expr_d(p)?;
                    depth = depth.max(d + 1);
                    if std::mem::take(&mut after_where) {
                        filter = Some(Box::new(e));
                    } else {
                        body = Some(Box::new(e));
                    }
                }
                (
                    Expr {
                        kind: ExprKind::Aggregate {
                            kind,
                            var,
                            list,
                            filter,
                            body,
                        },
                        span,
                    },
                    depth,
                )
            }
            _ => return Err(internal(self.file, span)),
        };
        self.depth_ok(out.1, span)?;
        Ok(out)
    }

    /// Rejects a run of prefix operators (`not`, `-`) deeper than [`MAX_EXPR_DEPTH`] at its first.
    fn prefixes_ok(&self, parts: &[Pair<Rule>]) -> R<()> {
        match parts.first() {
            Some(first) if parts.len() > MAX_EXPR_DEPTH => {
                self.depth_ok(usize::MAX, span_of(first))
            }
            _ => Ok(()),
        }
    }

    fn depth_ok(&self, depth: usize, span: Span) -> R<()> {
        if depth > MAX_EXPR_DEPTH {
            return Err(self
                .err(span, "expression is nested too deeply", "this expression")
                .with_help(format!(
                    "at most {MAX_EXPR_DEPTH} levels; name parts of it with `let`"
                )));
        }
        Ok(())
    }

    fn number(&self, pair: &Pair<Rule>) -> R<Decimal> {
        Decimal::from_str(pair.as_str()).map_err(|_| {
            self.err(span_of(pair), "number is too large or too precise", "here")
                .with_help("numbers hold at most 28 significant digits")
        })
    }
}

type Rule_ = crate::ast::Rule;
