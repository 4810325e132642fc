//! Text to syntax tree: the only module that touches pest; spans become our own.

use pest::iterators::{Pair, Pairs};
use pest::Parser as _;

use crate::ast::*;
use crate::diagnostic::PolicyError;
use crate::span::{Source, Span};

mod expr;
mod hints;
mod rules;
mod syntax;

use syntax::{syntax_error, Furthest};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/proviso.pest"]
struct Grammar;

/// Largest policy file read, in bytes.
pub const MAX_POLICY_BYTES: usize = 1 << 20;
/// Deepest bracket nesting accepted (`(`, `[`, `{`).
pub const MAX_BRACKET_DEPTH: usize = 32;
/// Most `if`, `list` and `the` words a file may use; each may nest without brackets.
pub const MAX_NESTING_WORDS: usize = 128;
/// Deepest expression tree accepted (long operator chains included).
pub const MAX_EXPR_DEPTH: usize = 128;
/// Largest file whose syntax error is placed where the parser got furthest (see [`furthest`]).
const FURTHEST_MAX_BYTES: usize = 256 << 10;

/// Parses one policy file. Syntax errors stop at the first; structural ones are all reported.
pub fn parse_file(file: &Source) -> Result<PolicyFile, Vec<PolicyError>> {
    prescan(file).map_err(|e| vec![e])?;
    crate::stack::deep(|| parse_checked(file))
        .map_err(|message| vec![PolicyError::new(file, Span::default(), message, "")])?
}

/// [`parse_file`] on the calling thread, which must have a stack as deep as
/// [`crate::stack::deep`] gives.
pub(crate) fn parse_on_deep_stack(file: &Source) -> Result<PolicyFile, Vec<PolicyError>> {
    prescan(file).map_err(|e| vec![e])?;
    parse_checked(file)
}

/// Parses a file the pre-scan has admitted (on a stack deep enough for it).
fn parse_checked(file: &Source) -> Result<PolicyFile, Vec<PolicyError>> {
    pest::set_call_limit(std::num::NonZeroUsize::new(20_000_000));
    let mut pairs = Grammar::parse(Rule::file, &file.text)
        .map_err(|e| vec![syntax_error(file, e, furthest(&file.text))])?;
    let root = pairs
        .next()
        .ok_or_else(|| vec![internal(file, Span::default())])?;
    Builder {
        file,
        errors: Vec::new(),
    }
    .file(root)
}

/// Parses a text that failed again, tracking every token tried: the furthest position the
/// parser reached and the tokens it would have accepted there. pest reports a failure where
/// the rule that backtracked began (`enum` in `enum { lost, damaged stolen }`); this says
/// where the text went wrong (after `damaged`). Tracking is a process-wide switch, so it is
/// on only for this second parse; a parse on another thread meanwhile merely tracks too.
/// The second parse costs about twice the first, so a file larger than
/// [`FURTHEST_MAX_BYTES`] (a generated one) gets pest's own report.
fn furthest(text: &str) -> Option<Furthest> {
    if text.len() > FURTHEST_MAX_BYTES {
        return None;
    }
    pest::set_error_detail(true);
    let attempts = Grammar::parse(Rule::file, text)
        .err()
        .and_then(|e| e.parse_attempts());
    pest::set_error_detail(false);
    let attempts = attempts?;
    let expected = attempts
        .expected_tokens()
        .iter()
        .map(ToString::to_string)
        .collect();
    Some(Furthest {
        at: attempts.max_position,
        expected,
    })
}

/// Rejects input that would nest deeper than the parser should recurse, before pest sees it.
fn prescan(file: &Source) -> Result<(), PolicyError> {
    let text = &file.text;
    if text.len() > MAX_POLICY_BYTES {
        return Err(too_large(file));
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
                if (word == "if" && prev_word != "else") || word == "list" || word == "the" {
                    words += 1;
                    if words > MAX_NESTING_WORDS {
                        return Err(PolicyError::new(
                            file,
                            Span::new(start, i),
                            "too many nested `if`, `list` or `the` forms",
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

/// A policy file over [`MAX_POLICY_BYTES`]; `file` may be only its start.
pub fn too_large(file: &Source) -> PolicyError {
    PolicyError::new(
        file,
        Span::new(0, 0),
        "policy file is too large",
        "this file",
    )
    .with_help(format!(
        "a policy file may hold at most {MAX_POLICY_BYTES} bytes"
    ))
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
    // What trails the last token is blanks and comments. The last character that is not a
    // blank ends that token, unless a comment holds it: without a `#` on its line, none does.
    let trimmed = text.trim_end_matches([' ', '\t', '\r', '\n']);
    let line = trimmed.rfind('\n').map_or(0, |i| i + 1);
    if trimmed.get(line..).is_some_and(|last| !last.contains('#')) {
        return trimmed.len();
    }
    scanned_token_len(text)
}

/// [`token_len`] by scanning the whole text for strings and comments.
fn scanned_token_len(text: &str) -> usize {
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
            functions: Vec::new(),
            hooks: Vec::new(),
            calendars: Vec::new(),
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
            currency_from: None,
            more_currencies: Vec::new(),
            any_currency: None,
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
                Rule::currency_decl if value.as_rule() == Rule::currency_any => {
                    let mut any = value.into_inner();
                    let (_from, path) = (self.next(&mut any, fspan)?, self.next(&mut any, fspan)?);
                    let given = h.currency.is_some() || h.any_currency.is_some();
                    h.currency_from = Some(self.path(path));
                    h.any_currency = Some(Span::new(fspan.start, fspan.start + "currency".len()));
                    given
                }
                Rule::currency_decl => {
                    let given = h.currency.is_some() || h.any_currency.is_some();
                    for next in inner {
                        match next.as_rule() {
                            Rule::ident => h.more_currencies.push(self.ident(next)),
                            Rule::path => h.currency_from = Some(self.path(next)),
                            _ => {}
                        }
                    }
                    h.currency = Some(self.ident(value));
                    given
                }
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
                let next = self.next(&mut it, span)?;
                if next.as_rule() == Rule::let_params {
                    let params = next.into_inner().map(|p| self.ident(p)).collect();
                    let body = self.expr(self.next(&mut it, span)?)?;
                    out.functions.push(Function {
                        name,
                        params,
                        body,
                        span,
                    });
                    return Ok(());
                }
                let value = if next.as_rule() == Rule::amounts {
                    self.amounts(next)?
                } else {
                    self.expr(next)?
                };
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
            Rule::calendar_decl => out.calendars.push(self.calendar(pair)?),
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
        let mut next = self.next(&mut it, span)?;
        let assessed = if next.as_rule() == Rule::kw_assessed {
            let word = span_of(&next);
            next = self.next(&mut it, span)?;
            Some(word)
        } else {
            None
        };
        let ty = self.type_expr(next)?;
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
            assessed,
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
            Rule::decision_type => {
                let braces = t.as_str().contains('{');
                let mut inner = t.into_inner();
                let kw = inner.next().ok_or_else(|| internal(self.file, tspan))?;
                let extra = inner
                    .filter(|p| p.as_rule() == Rule::field_decl)
                    .map(|f| self.field(f))
                    .collect::<R<Vec<_>>>()?;
                let mut fields = crate::ast::decision_fields(span_of(&kw));
                fields.extend(extra.iter().cloned());
                TypeKind::Decision {
                    extra: braces.then_some(extra),
                    fields,
                }
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

    pub(super) fn date(&self, pair: Pair<Rule>) -> R<DateLit> {
        let span = span_of(&pair);
        let text = pair.as_str();
        crate::document::parse_date(text)
            .map(|value| DateLit { value, span })
            .ok_or_else(|| {
                let err = self.err(
                    span,
                    format!("`{text}` is not a calendar date"),
                    "no such date",
                );
                if text.starts_with("0000") {
                    err.with_help("dates run from 0001-01-01 to 9999-12-31")
                } else {
                    err
                }
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
}

type Rule_ = crate::ast::Rule;

#[cfg(test)]
mod tests {
    use super::{scanned_token_len, token_len};

    #[test]
    fn the_end_of_the_last_token_is_found_without_scanning_when_no_comment_can_hide_it() {
        let cases = [
            ("x", 1),
            ("x > 0 \n", 5),
            ("x > 0 # zero\n  ", 5),
            ("a and\n  b  \n\n", 9),
            ("\"a # b\" \n", 7),
            ("\"a # b\" # c\n", 7),
            ("\"two\nlines\"\n", 11),
            ("\"x\" and y # \"q\"\n# more\n", 9),
            ("f(1) # one\n# two\n  ", 4),
            ("", 0),
        ];
        for (text, end) in cases {
            assert_eq!(token_len(text), end, "{text:?}");
            assert_eq!(scanned_token_len(text), end, "{text:?}");
        }
    }
}
