//! The layout of a file's header and items: facts and types, constants, tables, hooks
//! and rules, with the comments between and inside them.

use super::comments::{Comment, Trivia};
use super::doc::{align, cat, group, nest, render, text, Doc};
use super::WIDTH;
use crate::ast::{
    Alternative, Binding, Calendar, Clause, FieldDecl, Function, Header, HookDecl, Ident, Path,
    PolicyFile, Rule, Table, TypeExpr, TypeKind,
};
use crate::print::{scalar, string};
use crate::span::Span;

/// Builds the layout of one file, taking its comments in order of position.
pub struct Layout<'t> {
    pub(super) trivia: Trivia<'t>,
}

/// A top-level item, in written order.
enum Item<'a> {
    Facts(&'a [FieldDecl], Span),
    Binding(&'static str, &'a Binding),
    Function(&'a Function),
    Evidence(&'a Path, usize),
    Table(&'a Table),
    Hook(&'a HookDecl),
    Calendar(&'a Calendar),
    Rule(&'a Rule),
}

impl Item<'_> {
    fn start(&self) -> usize {
        match self {
            Item::Facts(_, span) => span.start,
            Item::Binding(_, b) => b.span.start,
            Item::Function(f) => f.span.start,
            Item::Evidence(_, start) => *start,
            Item::Table(t) => t.span.start,
            Item::Hook(h) => h.span.start,
            Item::Calendar(c) => c.span.start,
            Item::Rule(r) => r.span.start,
        }
    }
}

/// `comment` then a line break.
pub(super) fn comment_doc(c: Comment, own_line: bool) -> [Doc; 2] {
    [
        Doc::Comment {
            text: c.text,
            own_line,
        },
        Doc::Hard,
    ]
}

impl<'t> Layout<'t> {
    pub fn new(trivia: Trivia<'t>) -> Self {
        Layout { trivia }
    }

    /// The comments before `pos` not yet placed, each ending its line.
    pub(super) fn comments(&mut self, pos: usize) -> Doc {
        let found = self.trivia.take_before(pos);
        cat(found
            .into_iter()
            .flat_map(|c| {
                let own = c.own_line;
                comment_doc(c, own)
            })
            .collect())
    }

    pub fn file(&mut self, f: &PolicyFile) -> Doc {
        let mut parts = Vec::new();
        let start = f.header.span.start;
        let leading = self.trivia.take_before(start);
        if !leading.is_empty() {
            self.between(&mut parts, leading, false);
            if self.trivia.blank_before(start) {
                parts.push(Doc::Blank);
            }
        }
        let (header, mut after_header) = self.header(&f.header);
        parts.push(header);
        // The previous item, when it is a `const` or `let` on one line: the next of the
        // same kind stays on the line after it if it was written there.
        let mut previous: Option<&str> = None;
        for item in items(f, &self.trivia) {
            let start = item.start();
            let mut found = std::mem::take(&mut after_header);
            found.extend(self.trivia.take_before(start));
            let leading = found.iter().any(|c| c.own_line) || found.len() > 1;
            self.between(&mut parts, found, true);
            let doc = self.item(&item);
            let word = match &item {
                Item::Binding(word, _) if !render(&doc, WIDTH).trim_end().contains('\n') => {
                    Some(*word)
                }
                Item::Function(_) if !render(&doc, WIDTH).trim_end().contains('\n') => Some("let"),
                _ => None,
            };
            let together = word.is_some() && word == previous;
            let blank = if leading {
                self.trivia.blank_before(start)
            } else {
                !together || self.trivia.blank_before(start)
            };
            if blank {
                parts.push(Doc::Blank);
            }
            parts.push(doc);
            previous = word;
        }
        after_header.extend(self.trivia.take_rest());
        self.between(&mut parts, after_header, false);
        cat(parts)
    }

    /// Comments between two items: the first at the end of the line before when it was
    /// written there, the others on lines of their own, with the empty lines before them
    /// kept (after an item, always one).
    fn between(&mut self, parts: &mut Vec<Doc>, found: Vec<Comment>, after_item: bool) {
        let mut found = found.into_iter().peekable();
        if let Some(c) = found.next_if(|c| !c.own_line) {
            parts.extend(comment_doc(c, false));
        }
        parts.push(Doc::Hard);
        let mut first = true;
        for c in found {
            if (first && after_item) || c.blank_before {
                parts.push(Doc::Blank);
            }
            first = false;
            parts.extend(comment_doc(c, true));
        }
    }

    fn item(&mut self, item: &Item) -> Doc {
        match item {
            Item::Facts(fields, span) => {
                let body = self.record_body(fields, span.end.saturating_sub(1));
                cat(vec![text("facts "), body])
            }
            Item::Binding(word, b) => {
                let name = self.comments(b.name.span.start);
                let after = self.comments(b.value.span.start);
                let value = self.expr(&b.value);
                group(cat(vec![
                    text(format!("{word} ")),
                    name,
                    text(format!("{} =", b.name.name)),
                    after,
                    nest(2, cat(vec![Doc::Line, value])),
                ]))
            }
            Item::Function(f) => {
                let name = self.comments(f.name.span.start);
                let after = self.comments(f.body.span.start);
                let body = self.expr(&f.body);
                let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
                group(cat(vec![
                    text("let "),
                    name,
                    text(format!("{}({}) =", f.name.name, params.join(", "))),
                    after,
                    nest(2, cat(vec![Doc::Line, body])),
                ]))
            }
            Item::Evidence(path, _) => {
                let c = self.comments(path.span.start);
                cat(vec![text("evidence from "), c, text(path.dotted())])
            }
            Item::Table(t) => self.table(t),
            Item::Hook(h) => self.hook(h),
            Item::Calendar(c) => self.calendar(c),
            Item::Rule(r) => self.rule(r),
        }
    }

    /// The header, its fields in a fixed order, each with the comments around it: those
    /// before its keyword, and the one after it on its line.
    fn header(&mut self, h: &Header) -> (Doc, Vec<Comment>) {
        let mut fields = vec![Field::new(
            h.span.start,
            0,
            text(format!("policy {}", string(&h.name.value))),
        )];
        let t = &self.trivia;
        if let Some(v) = &h.version {
            let at = t.keyword_before(v.span.start, "version".len());
            fields.push(Field::new(
                at,
                1,
                text(format!("version {}", string(&v.value))),
            ));
        }
        for (rank, word, date) in [(2, "effective", &h.effective), (3, "until", &h.until)] {
            if let Some(d) = date {
                let at = t.keyword_before(d.span.start, word.len());
                let line = format!("{word} {}", d.value.format("%Y-%m-%d"));
                fields.push(Field::new(at, rank, text(line)));
            }
        }
        let keyword = match (&h.any_currency, &h.currency) {
            (Some(span), _) => Some(span.start),
            (None, Some(c)) => Some(t.keyword_before(c.span.start, "currency".len())),
            (None, None) => None,
        };
        if let (Some(at), Some(c)) = (keyword, crate::print::currency(h)) {
            fields.push(Field::new(at, 4, text(format!("currency {c}"))));
        }
        if let Some(d) = &h.doc {
            let at = t.keyword_before(d.span.start, "doc".len());
            fields.push(Field::new(at, 5, doc_clause(&d.value, 0)));
        }
        fields.sort_by_key(|f| f.at);
        let mut found = self.trivia.take_before(h.span.end);
        found.extend(self.trivia.take_trailing(h.span.end));
        // Comments after the last field that do not end its line go before the first item.
        let mut after = Vec::new();
        for c in found {
            let i = fields.partition_point(|f| f.at < c.start).saturating_sub(1);
            let gap_empty = fields.get(i).is_some_and(|f| f.trail.is_empty())
                && fields
                    .get(i + 1)
                    .map_or(after.is_empty(), |f| f.lead.is_empty());
            let target = if !c.own_line && gap_empty {
                fields.get_mut(i).map(|f| &mut f.trail)
            } else {
                fields.get_mut(i + 1).map(|f| &mut f.lead)
            };
            match target {
                Some(list) => list.push(c),
                None => after.push(Comment {
                    own_line: true,
                    ..c
                }),
            }
        }
        fields.sort_by_key(|f| f.rank);
        let mut parts = Vec::new();
        for (i, f) in fields.into_iter().enumerate() {
            if i > 0 {
                parts.push(Doc::Hard);
            }
            for c in f.lead {
                parts.extend(comment_doc(c, true));
            }
            parts.push(f.doc);
            for (j, c) in f.trail.into_iter().enumerate() {
                let own = j > 0 || c.own_line;
                parts.extend(comment_doc(c, own));
            }
        }
        (cat(parts), after)
    }

    fn rule(&mut self, r: &Rule) -> Doc {
        let name = self.comments(r.name.span.start);
        let mut body = Vec::new();
        for (i, c) in r.clauses.iter().enumerate() {
            let start = match c {
                Clause::Requires(alts) => alts.first().map_or(c.span(), Alternative::span).start,
                _ => c.span().start,
            };
            body.push(self.comments(start));
            body.push(Doc::Hard);
            body.push(self.clause(c, r.component_of(i)));
        }
        cat(vec![
            text(format!("{} ", r.kind.as_str())),
            name,
            text(r.name.name.clone()),
            nest(2, cat(body)),
        ])
    }

    /// A clause; `component` is the payout component it names (`pays X as cash`,
    /// `cap cash at 50`).
    fn clause(&mut self, c: &Clause, component: Option<&Ident>) -> Doc {
        let (word, e) = match c {
            Clause::Doc(s) => return doc_clause(&s.value, 2),
            Clause::Requires(alts) => return self.requires(alts),
            Clause::When(e) => ("when", e),
            Clause::Pays(e) => ("pays", e),
            Clause::Reduce(e) => ("reduce by", e),
            Clause::Cap(e) => ("cap at", e),
            Clause::Floor(e) => ("floor at", e),
            Clause::Add(e) => ("add", e),
            Clause::By(e) => ("by", e),
            Clause::Shows(e) => ("shows", e),
            Clause::EligibleFrom(e) => ("eligible from", e),
        };
        let Some(name) = component else {
            return cat(vec![text(format!("{word} ")), self.expr(e)]);
        };
        match word.split_once(' ') {
            Some((verb, prep)) => cat(vec![
                text(format!("{verb} {} {prep} ", name.name)),
                self.expr(e),
            ]),
            None => cat(vec![
                text(format!("{word} ")),
                self.expr(e),
                text(format!(" as {}", name.name)),
            ]),
        }
    }

    /// `requires ALT`, or `requires any of { A, B }` (one alternative a line when long).
    fn requires(&mut self, alts: &[Alternative]) -> Doc {
        if let [one] = alts {
            return cat(vec![text("requires "), self.alternative(one)]);
        }
        let mut inner = Vec::new();
        for (i, a) in alts.iter().enumerate() {
            if i > 0 {
                inner.push(text(","));
                inner.push(self.comments(a.span().start));
            }
            inner.push(Doc::Line);
            inner.push(self.alternative(a));
        }
        group(cat(vec![
            text("requires any of {"),
            nest(2, cat(inner)),
            Doc::Line,
            text("}"),
        ]))
    }

    fn alternative(&mut self, a: &Alternative) -> Doc {
        match a {
            Alternative::Kind {
                kind,
                condition: None,
            } => text(kind.name.clone()),
            Alternative::Kind {
                kind,
                condition: Some(cond),
            } => {
                let cond = self.expr(cond);
                group(cat(vec![
                    text(kind.name.clone()),
                    nest(2, cat(vec![Doc::Line, text("where "), cond])),
                ]))
            }
            Alternative::Facts { paths, .. } => {
                let list = self.fill_list(paths, |p| p.span.start, |_, p| text(p.dotted()));
                group(cat(vec![text("facts("), list, text(")")]))
            }
        }
    }

    fn table(&mut self, t: &Table) -> Doc {
        let mut head = vec![text(format!("table {}({})", t.name.name, t.param.name))];
        if let Some(ty) = &t.ty {
            head.push(text(" -> "));
            head.push(self.comments(ty.span.start));
            head.push(self.type_expr(ty));
        }
        let mut body = vec![
            self.comments(t.doc.span.start),
            Doc::Hard,
            doc_clause(&t.doc.value, 2),
        ];
        for b in &t.bands {
            body.push(self.comments(b.span.start));
            body.push(Doc::Hard);
            let mut row = Vec::new();
            if let Some(lo) = &b.over {
                row.push(text(if b.from { "from " } else { "over " }));
                row.push(self.expr(lo));
            }
            if let Some(hi) = &b.up_to {
                let word = if b.under { "under " } else { "up to " };
                row.push(text(if b.over.is_some() {
                    format!(" {word}")
                } else {
                    word.to_string()
                }));
                row.push(self.expr(hi));
            }
            row.push(text(": "));
            row.push(self.expr(&b.value));
            body.push(cat(row));
        }
        head.push(nest(2, cat(body)));
        cat(head)
    }

    /// `calendar NAME from "file"`, its doc, then `holidays` filling the lines.
    fn calendar(&mut self, c: &Calendar) -> Doc {
        let mut head = vec![text(format!("calendar {}", c.name.name))];
        if let Some(f) = &c.file {
            head.push(text(format!(" from {}", string(&f.value))));
        }
        let mut body = vec![
            self.comments(c.doc.span.start),
            Doc::Hard,
            doc_clause(&c.doc.value, 2),
        ];
        if let Some(first) = c.holidays.first() {
            body.push(self.comments(first.span.start));
            body.push(Doc::Hard);
            body.push(text("holidays "));
            let dates: Vec<crate::ast::DateLit> = c.holidays.clone();
            body.push(self.fill_list(
                &dates,
                |d| d.span.start,
                |_, d| text(crate::value::format_date(d.value)),
            ));
        }
        head.push(nest(2, cat(body)));
        cat(head)
    }

    fn hook(&mut self, h: &HookDecl) -> Doc {
        let params = self.fill_list(
            &h.params,
            |p| p.0.span.start,
            |l, p| cat(vec![text(format!("{}: ", p.0.name)), l.type_expr(&p.1)]),
        );
        let ret = self.type_expr(&h.ret);
        group(cat(vec![
            text(format!("hook {}(", h.name.name)),
            params,
            text(") -> "),
            ret,
            text(format!(" from {}", string(&h.file.value))),
        ]))
    }
}

/// A header field, with the comments that go before it and after it.
struct Field {
    /// Where its keyword is written.
    at: usize,
    /// Its place in the fixed order.
    rank: usize,
    doc: Doc,
    lead: Vec<Comment>,
    trail: Vec<Comment>,
}

impl Field {
    fn new(at: usize, rank: usize, doc: Doc) -> Self {
        Field {
            at,
            rank,
            doc,
            lead: Vec::new(),
            trail: Vec::new(),
        }
    }
}

/// The items of a file in written order.
fn items<'a>(f: &'a PolicyFile, trivia: &Trivia) -> Vec<Item<'a>> {
    let mut out = Vec::new();
    if let Some(span) = f.facts_span {
        out.push(Item::Facts(&f.facts, span));
    }
    out.extend(f.consts.iter().map(|b| Item::Binding("const", b)));
    out.extend(f.lets.iter().map(|b| Item::Binding("let", b)));
    out.extend(f.functions.iter().map(Item::Function));
    if let Some(p) = &f.evidence_source {
        let from = trivia.keyword_before(p.span.start, "from".len());
        out.push(Item::Evidence(
            p,
            trivia.keyword_before(from, "evidence".len()),
        ));
    }
    out.extend(f.tables.iter().map(Item::Table));
    out.extend(f.hooks.iter().map(Item::Hook));
    out.extend(f.calendars.iter().map(Item::Calendar));
    out.extend(f.rules.iter().map(Item::Rule));
    out.sort_by_key(Item::start);
    out
}

/// `doc "..."` with the text broken at spaces into strings that fill the width from
/// column `col`, one a line, aligned with the first.
pub(super) fn doc_clause(value: &str, col: usize) -> Doc {
    let room = WIDTH.saturating_sub(col + "doc ".len() + 2);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in value.split(' ') {
        let word = escaped(word);
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > room {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(&word);
    }
    lines.push(line);
    let mut parts = Vec::new();
    for (i, l) in lines.into_iter().enumerate() {
        if i > 0 {
            parts.push(Doc::Hard);
        }
        parts.push(text(format!("\"{l}\"")));
    }
    cat(vec![text("doc "), align(cat(parts))])
}

/// A string's text as the grammar reads it, without the quotes.
fn escaped(s: &str) -> String {
    let quoted = string(s);
    quoted
        .get(1..quoted.len().saturating_sub(1))
        .unwrap_or_default()
        .to_string()
}

impl Layout<'_> {
    /// `{`, the fields one a line with their types aligned, `}`; `{}` when empty.
    /// `close` is where the `}` was written, so that comments before it stay inside.
    fn record_body(&mut self, fields: &[FieldDecl], close: usize) -> Doc {
        let widths = aligned_widths(fields);
        let mut inner = Vec::new();
        for (f, width) in fields.iter().zip(widths) {
            inner.push(self.comments(f.span.start));
            inner.push(Doc::Hard);
            inner.push(self.field(f, width));
        }
        inner.push(self.comments(close));
        let body = cat(inner);
        if fields.is_empty() && empty(&body) {
            return text("{}");
        }
        cat(vec![text("{"), nest(2, body), Doc::Hard, text("}")])
    }

    /// `name: type default value`, the type starting `name_width + 2` columns in.
    fn field(&mut self, f: &FieldDecl, name_width: usize) -> Doc {
        let pad = name_width.saturating_sub(f.name.name.chars().count()) + 1;
        let mut parts = vec![text(format!("{}:{}", f.name.name, " ".repeat(pad)))];
        if let Some(word) = f.assessed {
            parts.push(self.comments(word.start));
            parts.push(text("assessed "));
        }
        parts.push(self.comments(f.ty.span.start));
        parts.push(self.type_expr(&f.ty));
        if let Some(d) = &f.default {
            parts.push(text(" default "));
            parts.push(self.expr(d));
        }
        cat(parts)
    }

    pub(super) fn type_expr(&mut self, t: &TypeExpr) -> Doc {
        let mut parts = Vec::new();
        if t.optional {
            parts.push(text("optional "));
        }
        match &t.kind {
            TypeKind::Scalar(s) => parts.push(text(scalar(*s))),
            TypeKind::Enum(variants) => {
                let list = self.fill_list(variants, |v| v.span.start, |_, v| text(v.name.clone()));
                parts.push(group(cat(vec![text("enum { "), list, text(" }")])));
            }
            TypeKind::Record(fields) => {
                parts.push(text("record "));
                parts.push(self.record_body(fields, t.span.end.saturating_sub(1)));
            }
            TypeKind::List(inner) => {
                parts.push(text("list of "));
                parts.push(self.type_expr(inner));
            }
            TypeKind::Decision { extra, .. } => {
                parts.push(text("decision"));
                if let Some(fields) = extra {
                    parts.push(text(" "));
                    parts.push(self.record_body(fields, t.span.end.saturating_sub(1)));
                }
            }
        }
        cat(parts)
    }

    /// Members separated by `, `, filling the lines from the column of the first. The
    /// comments before a member end the line of the one before (or start the list).
    pub(super) fn fill_list<T>(
        &mut self,
        members: &[T],
        start: impl Fn(&T) -> usize,
        build: impl Fn(&mut Self, &T) -> Doc,
    ) -> Doc {
        let lead = match members.first() {
            Some(m) => self.comments(start(m)),
            None => cat(Vec::new()),
        };
        let mut parts = Vec::new();
        for (i, m) in members.iter().enumerate() {
            let doc = build(self, m);
            match members.get(i + 1) {
                Some(next) => {
                    let after = self.comments(start(next));
                    parts.push(cat(vec![doc, text(","), after]));
                    parts.push(Doc::Line);
                }
                None => parts.push(doc),
            }
        }
        align(cat(vec![lead, Doc::Fill(parts)]))
    }
}

/// The width each field's name is padded to: the longest name of its run of fields whose
/// types hold no record (so fit on one line); a field whose type holds a record is not
/// padded, and ends the run.
fn aligned_widths(fields: &[FieldDecl]) -> Vec<usize> {
    let len = |f: &FieldDecl| f.name.name.chars().count();
    let mut out = vec![0; fields.len()];
    let mut run_start = 0;
    for i in 0..=fields.len() {
        let ends_run = fields.get(i).is_none_or(|f| holds_record(&f.ty));
        if ends_run {
            let run = fields.get(run_start..i).unwrap_or_default();
            let width = run.iter().map(len).max().unwrap_or(0);
            for slot in out.get_mut(run_start..i).unwrap_or_default() {
                *slot = width;
            }
            run_start = i + 1;
        }
    }
    out
}

fn holds_record(t: &TypeExpr) -> bool {
    match &t.kind {
        TypeKind::Record(_) | TypeKind::Decision { extra: Some(_), .. } => true,
        TypeKind::Decision { extra: None, .. } => false,
        TypeKind::List(inner) => holds_record(inner),
        TypeKind::Scalar(_) | TypeKind::Enum(_) => false,
    }
}

fn empty(d: &Doc) -> bool {
    match d {
        Doc::Cat(parts) => parts.iter().all(empty),
        Doc::Text(s) => s.is_empty(),
        _ => false,
    }
}
