//! What a name is, for an editor's hover: a fact's declared type, a constant's or value's
//! expression and type, a table's rows, a rule's kind and clause text.

use crate::ast::{Clause, PolicyFile};
use crate::lint::Policy;
use crate::span::Span;

use super::index::Symbol;
use super::written::{enum_values, one_line, text, type_text};
use super::Analysis;

/// The name at byte `offset` and what it is, in Markdown.
pub fn hover(a: &Analysis, offset: usize) -> Option<(Span, String)> {
    let ast = a.ast.as_ref()?;
    let at = a.index.at(offset)?;
    Some((at.span, describe(a, ast, &at.symbol)?))
}

/// `symbol` described in Markdown.
pub fn describe(a: &Analysis, ast: &PolicyFile, symbol: &Symbol) -> Option<String> {
    let file = &a.source;
    let code = |s: &str| format!("```proviso\n{s}\n```");
    Some(match symbol {
        Symbol::Fact(path) => {
            let decl = Policy::new(file, ast).fact_decl(path)?;
            let default = decl
                .default
                .as_ref()
                .map(|d| format!(" default {}", one_line(file, d.span)))
                .unwrap_or_default();
            let assessed = if decl.assessed.is_some() {
                "assessed "
            } else {
                ""
            };
            let mut out = code(&format!(
                "{}: {assessed}{}{default}",
                path.join("."),
                type_text(&decl.ty)
            ));
            out.push_str("\n\nfact");
            if decl.assessed.is_some() {
                out.push_str(
                    ", assessed: a person gives it; a rule that needs it waits for it, and the \
                     claim is referred until it is given",
                );
            }
            if let Some(values) = enum_values(&decl.ty) {
                let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
                out.push_str(&format!("; values: {}", quoted.join(", ")));
            }
            out
        }
        Symbol::Const(i) | Symbol::Let(i) => {
            let (keyword, b) = match symbol {
                Symbol::Const(_) => ("const", ast.consts.get(*i)?),
                _ => ("let", ast.lets.get(*i)?),
            };
            let mut out = code(&format!(
                "{keyword} {} = {}",
                b.name.name,
                text(file, b.value.span)
            ));
            let what = if keyword == "const" {
                "constant"
            } else {
                "value, computed once per document"
            };
            out.push_str(&format!("\n\n{what}"));
            if let Some(ty) = a.types.get(&b.name.name) {
                out.push_str(&format!("; type: {ty}"));
            }
            out
        }
        Symbol::Table(i) => {
            let t = ast.tables.get(*i)?;
            let ty =
                t.ty.as_ref()
                    .map(|ty| format!(" -> {}", type_text(ty)))
                    .unwrap_or_default();
            let mut lines = vec![format!("table {}({}){ty}", t.name.name, t.param.name)];
            lines.extend(
                t.bands
                    .iter()
                    .map(|b| format!("  {}", one_line(file, b.span))),
            );
            format!("{}\n\n{}", code(&lines.join("\n")), t.doc.value)
        }
        Symbol::Function(i) => {
            let f = ast.functions.get(*i)?;
            let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
            let mut out = code(&format!(
                "let {}({}) = {}",
                f.name.name,
                params.join(", "),
                text(file, f.body.span)
            ));
            out.push_str("\n\nfunction, computed at each call");
            out
        }
        Symbol::Param(i, k) => {
            let f = ast.functions.get(*i)?;
            let p = f.params.get(*k)?;
            format!(
                "{}\n\nparameter of `{}`: the value it is called with",
                code(&p.name),
                f.name.name
            )
        }
        Symbol::Hook(i) => {
            let h = ast.hooks.get(*i)?;
            format!("{}\n\nhook", code(&one_line(file, h.span)))
        }
        Symbol::Calendar(i) => {
            let c = ast.calendars.get(*i)?;
            let from = c
                .file
                .as_ref()
                .map(|f| format!(" from {}", crate::print::string(&f.value)))
                .unwrap_or_default();
            let listed = match c.holidays.len() {
                0 => String::new(),
                1 => "; 1 holiday listed".to_string(),
                n => format!("; {n} holidays listed"),
            };
            format!(
                "{}\n\n{}\n\ncalendar{listed}",
                code(&format!("calendar {}{from}", c.name.name)),
                c.doc.value
            )
        }
        Symbol::Rule(i) => {
            let r = ast.rules.get(*i)?;
            let doc = r.clauses.iter().find_map(|c| match c {
                Clause::Doc(s) => Some(s.value.as_str()),
                _ => None,
            });
            let mut out = format!("**{}** rule `{}`", r.kind.as_str(), r.name.name);
            if let Some(doc) = doc {
                out.push_str(&format!("\n\n> {doc}"));
            }
            out
        }
    })
}
