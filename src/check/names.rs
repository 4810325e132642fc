//! Name resolution: a dotted path becomes a fact, variable, constant or derived value.

use super::expr::{Scope, Typed};
use super::{Checker, Slot};
use crate::ast;
use crate::ir::Ex;
use crate::schema::Schema;
use crate::types::{Base, Type};

impl<'a> Checker<'a> {
    /// Resolves a dotted name in scope: variables, then evidence fields, then
    /// `decision`, constants, derived values and facts.
    pub(super) fn resolve(&mut self, path: &ast::Path, sc: &Scope) -> Option<Typed> {
        let first = path.segments.first()?;
        let rest = path.segments.get(1..).unwrap_or(&[]);
        let name = first.name.as_str();
        if let Some(slot) = sc.vars.iter().rposition(|(n, _)| n == name) {
            let ty = sc.vars.get(slot)?.1.clone();
            return self.walk(Ex::Var(slot, Box::new([])), ty, rest, path, sc);
        }
        if let Some((_, arg)) = sc.params.iter().rev().find(|(n, _)| n == name) {
            let arg = arg.clone();
            return self.walk(arg.ex, arg.ty, rest, path, sc).map(|x| Typed {
                lit: arg.lit && rest.is_empty(),
                ..x
            });
        }
        if let Some(record) = sc.evidence {
            if let Some(idx) = self.schema.field_index(record, name) {
                let f = self.schema.records.get(record)?.fields.get(idx)?;
                let ty = Type {
                    base: f.ty.clone(),
                    optional: f.optional,
                };
                return self.walk(Ex::Var(0, Box::new([idx])), ty, rest, path, sc);
            }
        }
        if name == "decision" && sc.allow_decision {
            if !rest.is_empty() {
                return self.final_amount(path, rest);
            }
            return self.walk(
                Ex::Decision,
                Type::new(Base::Enum(self.decision_enum)),
                rest,
                path,
                sc,
            );
        }
        if let Some(&i) = self.const_index.get(name) {
            let t = self.ensure_const(i)?;
            return self
                .walk(Ex::ConstRef(i), t.ty, rest, path, sc)
                .map(|x| Typed { lit: t.lit, ..x });
        }
        if let Some(&i) = self.let_index.get(name) {
            if sc.in_const {
                self.error(
                    first.span,
                    format!("constant reads `{name}`, which depends on the document"),
                    "not constant",
                    Some("use `let` for values computed from facts".into()),
                );
                return None;
            }
            let t = self.ensure_let(i)?;
            return self.walk(Ex::Let(i), t.ty, rest, path, sc);
        }
        if let Some(idx) = self.schema.field_index(Schema::ROOT, name) {
            if sc.in_const {
                self.error(
                    path.span,
                    format!("constant reads the fact `{}`", path.dotted()),
                    "not constant",
                    Some("use `let` for values computed from facts".into()),
                );
                return None;
            }
            let f = self.schema.records.first()?.fields.get(idx)?;
            let ty = Type {
                base: f.ty.clone(),
                optional: f.optional,
            };
            return self.walk(Ex::Fact(Box::new([idx])), ty, rest, path, sc);
        }
        if let Some(&i) = self.function_index.get(name) {
            let params: Vec<&str> = self
                .ast
                .functions
                .get(i)
                .map(|f| f.params.iter().map(|p| p.name.as_str()).collect())
                .unwrap_or_default();
            self.error(
                first.span,
                format!("`{name}` is a function, called with its arguments"),
                "no arguments",
                Some(format!("write `{name}({})`", params.join(", "))),
            );
            return None;
        }
        if name == "decision" {
            self.decision_too_early(path);
            return None;
        }
        let mut candidates: Vec<&str> = sc.vars.iter().map(|(n, _)| n.as_str()).collect();
        candidates.extend(sc.params.iter().map(|(n, _)| n.as_str()));
        candidates.extend(self.const_index.keys().copied());
        candidates.extend(self.let_index.keys().copied());
        if let Some(r) = self.schema.records.first() {
            candidates.extend(r.fields.iter().map(|f| f.name.as_str()));
        }
        let help = suggest(name, &candidates).map(|s| format!("did you mean `{s}`?"));
        self.error(
            first.span,
            format!("unknown name `{name}`"),
            "not a fact, constant or value of this policy",
            help,
        );
        None
    }

    /// Reports `decision` (or a final amount, `decision.payout`) read where the outcome is
    /// not known yet: anywhere but a deadline or a note.
    fn decision_too_early(&mut self, path: &ast::Path) {
        self.error(
            path.span,
            format!("`{}` is read only by deadlines and notes", path.dotted()),
            "not decided yet",
            Some(
                "the outcome and the final amounts (`decision`, `decision.payout`, \
                 `decision.refund`) are decided after the other rules, so only a deadline's \
                 `when` and `by` and a note's `when` and `shows` read them: move this to such a \
                 rule, or test the facts that decide the outcome (an earlier claim's outcome is \
                 `c.decision`, for `c` in a `list of decision` fact)"
                    .into(),
            ),
        );
    }

    /// Follows `.field` segments through records.
    pub(super) fn walk(
        &mut self,
        mut ex: Ex,
        mut ty: Type,
        rest: &[ast::Ident],
        path: &ast::Path,
        sc: &Scope,
    ) -> Option<Typed> {
        for (i, seg) in rest.iter().enumerate() {
            narrow(&ex, &mut ty, sc);
            let so_far = path
                .segments
                .get(..=i)
                .map(|s| {
                    s.iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            let record = match &ty.base {
                Base::Record(id) => *id,
                Base::List(item) => {
                    let fields = rest.get(i..).unwrap_or(&[]);
                    let help = self.through_list(&so_far, item, fields, path, sc);
                    self.error(
                        seg.span,
                        format!("`{so_far}` is a list; it has no field `{}`", seg.name),
                        "field of a list",
                        Some(help),
                    );
                    return None;
                }
                other => {
                    let shown = other.describe(&self.schema);
                    self.error(
                        seg.span,
                        format!("`{so_far}` is {shown}; it has no fields"),
                        "no such field",
                        None,
                    );
                    return None;
                }
            };
            let Some(idx) = self.schema.field_index(record, &seg.name) else {
                let names: Vec<&str> = self
                    .schema
                    .records
                    .get(record)
                    .map(|r| r.fields.iter().map(|f| f.name.as_str()).collect())
                    .unwrap_or_default();
                let decision = self.schema.records.get(record).is_some_and(|r| r.decision);
                let help = match suggest(&seg.name, &names) {
                    Some(s) => format!("did you mean `{so_far}.{s}`?"),
                    None if decision => decision_help(&so_far, &seg.name, &names),
                    None => format!("`{so_far}` has: {}", crate::diagnostic::listing(&names)),
                };
                self.error(
                    seg.span,
                    format!("unknown fact `{so_far}.{}`", seg.name),
                    "not declared in `facts`",
                    Some(help),
                );
                return None;
            };
            let f = self.schema.records.get(record)?.fields.get(idx)?;
            ty = Type {
                base: f.ty.clone(),
                optional: ty.optional || f.optional,
            };
            ex = match ex {
                Ex::Fact(p) => Ex::Fact(p.iter().copied().chain([idx]).collect()),
                Ex::Var(s, p) => Ex::Var(s, p.iter().copied().chain([idx]).collect()),
                Ex::Field(of, p) => Ex::Field(of, p.iter().copied().chain([idx]).collect()),
                other => Ex::Field(Box::new(other), Box::new([idx])),
            };
        }
        narrow(&ex, &mut ty, sc);
        Some(Typed { ex, ty, lit: false })
    }

    /// Checks constant `i` (once), guarding against cycles.
    pub(super) fn ensure_const(&mut self, i: usize) -> Option<Typed> {
        match self.consts.get(i)? {
            Slot::Done(t) => return t.clone(),
            Slot::InProgress => {
                let b = self.ast.consts.get(i)?;
                let help = self.cycle_help(&b.name.name);
                self.error(
                    b.name.span,
                    format!("constant `{}` is defined in terms of itself", b.name.name),
                    "cycle",
                    help,
                );
                return None;
            }
            Slot::Todo => {}
        }
        let ast = self.ast;
        let b = ast.consts.get(i)?;
        self.reading_ok(&b.name)?;
        self.consts[i] = Slot::InProgress;
        self.in_progress.push(&b.name.name);
        let t = if let ast::ExprKind::Amounts(entries) = &b.value.kind {
            self.amounts_const(b, entries)
        } else if let ast::ExprKind::List(_) = &b.value.kind {
            // A list constant is checked where it is used, against the value it is compared with.
            Some(Typed {
                ex: Ex::ConstRef(i),
                ty: Type::new(Base::List(Box::new(Base::Str))),
                lit: true,
            })
        } else {
            self.const_expr(&b.value)
        };
        self.in_progress.pop();
        self.consts[i] = Slot::Done(t.clone());
        t
    }

    /// The chain of definitions that leads from `name` back to itself, when it is not direct.
    fn cycle_help(&self, name: &str) -> Option<String> {
        let from = self.in_progress.iter().rposition(|n| *n == name)?;
        let chain = self.in_progress.get(from..)?;
        let (first, rest) = chain.split_first()?;
        let mut help = format!("`{first}`");
        for (i, n) in rest.iter().chain([&name]).enumerate() {
            help.push_str(if i == 0 { " uses " } else { ", which uses " });
            help.push_str(&format!("`{n}`"));
        }
        (!rest.is_empty()).then_some(help)
    }

    /// Checks derived value `i` (once), guarding against cycles.
    pub(super) fn ensure_let(&mut self, i: usize) -> Option<Typed> {
        match self.lets.get(i)? {
            Slot::Done(t) => {
                return t.clone().map(|t| Typed {
                    ex: Ex::Let(i),
                    ..t
                })
            }
            Slot::InProgress => {
                let b = self.ast.lets.get(i)?;
                let help = self.cycle_help(&b.name.name);
                self.error(
                    b.name.span,
                    format!("`{}` is defined in terms of itself", b.name.name),
                    "cycle",
                    help,
                );
                return None;
            }
            Slot::Todo => {}
        }
        let ast = self.ast;
        let b = ast.lets.get(i)?;
        self.reading_ok(&b.name)?;
        self.lets[i] = Slot::InProgress;
        self.in_progress.push(&b.name.name);
        let t = self.top_expr(&b.value, false);
        self.in_progress.pop();
        if let Some(t) = &t {
            let depth = self.eval_depth(&t.ex);
            if let Some(d) = self.let_depths.get_mut(i) {
                *d = depth;
            }
        }
        self.lets[i] = Slot::Done(t.clone());
        t.map(|t| Typed {
            ex: Ex::Let(i),
            ..t
        })
    }
}

/// What a decision has, for a field it does not: its built-in fields, the extra ones, and
/// how to read another key of the decision.
fn decision_help(so_far: &str, field: &str, names: &[&str]) -> String {
    let builtin = crate::diagnostic::listing(&crate::ast::DECISION_FIELDS);
    let extra: Vec<&str> = names
        .iter()
        .copied()
        .filter(|n| !crate::ast::DECISION_FIELDS.contains(n))
        .collect();
    let extra = match extra.is_empty() {
        true => String::new(),
        false => format!(" and the declared {}", crate::diagnostic::listing(&extra)),
    };
    format!(
        "`{so_far}` is a decision: it has the built-in fields {builtin}{extra}; to read \
         another field stored with it, declare it: `decision {{ {field}: TYPE }}`"
    )
}

/// A path known to be present here is not optional; neither is a required field of it.
fn narrow(ex: &Ex, ty: &mut Type, sc: &Scope) {
    if ty.optional && key(ex).is_some_and(|k| sc.present.contains(&k)) {
        ty.optional = false;
    }
}

/// The key under which a path's presence is remembered for narrowing.
pub(super) fn key(ex: &Ex) -> Option<String> {
    let join = |p: &[usize]| {
        p.iter()
            .map(|i| i.to_string())
            .collect::<Vec<_>>()
            .join(".")
    };
    match ex {
        Ex::Fact(p) => Some(format!("f:{}", join(p))),
        Ex::Var(s, p) => Some(format!("v{s}:{}", join(p))),
        Ex::Let(i) => Some(format!("l:{i}")),
        _ => None,
    }
}

/// The closest candidate within a small edit distance, for "did you mean".
pub(crate) fn suggest<'c>(name: &str, candidates: &[&'c str]) -> Option<&'c str> {
    let limit = (name.len() / 3).max(1);
    let chars = name.chars().count();
    candidates
        .iter()
        // Names whose lengths differ by more than the limit are further apart than it.
        .filter(|c| c.chars().count().abs_diff(chars) <= limit)
        .map(|c| (distance(name, c), *c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

/// Edit distance counting a swap of two neighbouring letters as one edit (`lots` -> `lost`).
fn distance(a: &str, b: &str) -> usize {
    let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
    let width = b.len() + 1;
    let mut d = vec![0usize; (a.len() + 1) * width];
    for (i, row) in d.chunks_mut(width).enumerate() {
        if let Some(first) = row.first_mut() {
            *first = i;
        }
    }
    for (j, cell) in d.iter_mut().take(width).enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (d[(i - 1) * width + j] + 1)
                .min(d[i * width + j - 1] + 1)
                .min(d[(i - 1) * width + j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(d[(i - 2) * width + j - 2] + 1);
            }
            d[i * width + j] = best;
        }
    }
    d[a.len() * width + b.len()]
}
