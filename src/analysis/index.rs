//! Every name defined or read in a policy file, resolved as the checker resolves it.

use crate::ast::{Alternative, Clause, ExprKind, FieldDecl, Path, PolicyFile};
use crate::lint::{fields, walk, Name, Policy, Scope};
use crate::span::{Source, Span};

/// What a name stands for.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Symbol {
    /// A fact, by its path through records and list elements (`order.items.sku`).
    Fact(Vec<String>),
    /// A constant, a `let` value, a table, a hook or a rule, by its place in the file.
    Const(usize),
    Let(usize),
    Table(usize),
    Hook(usize),
    Rule(usize),
    /// A function (`let NAME(PARAM) = ...`), by its place among the functions.
    Function(usize),
    /// A function's parameter: the function, then the parameter's place.
    Param(usize, usize),
    /// A holiday calendar, by its place among the calendars.
    Calendar(usize),
}

/// One place a name is written.
#[derive(Clone, Debug, PartialEq)]
pub struct Occurrence {
    /// The name as written (one segment of a dotted path).
    pub span: Span,
    pub symbol: Symbol,
    /// Whether this is where the name is defined.
    pub definition: bool,
}

/// The names of one file, in the order of the text.
#[derive(Clone, Debug, Default)]
pub struct Index {
    pub occurrences: Vec<Occurrence>,
}

impl Index {
    /// Indexes every definition and every name read in `ast`, parsed from `file`.
    pub fn new(file: &Source, ast: &PolicyFile) -> Index {
        let p = Policy::new(file, ast);
        let mut out = Vec::new();
        define_facts(&ast.facts, &[], &mut out);
        let defs = [
            ast.consts.iter().map(|b| b.name.span).collect::<Vec<_>>(),
            ast.lets.iter().map(|b| b.name.span).collect(),
            ast.tables.iter().map(|t| t.name.span).collect(),
            ast.hooks.iter().map(|h| h.name.span).collect(),
            ast.rules.iter().map(|r| r.name.span).collect(),
            ast.calendars.iter().map(|c| c.name.span).collect(),
        ];
        let makers: [fn(usize) -> Symbol; 6] = [
            Symbol::Const,
            Symbol::Let,
            Symbol::Table,
            Symbol::Hook,
            Symbol::Rule,
            Symbol::Calendar,
        ];
        for (spans, make) in defs.iter().zip(makers) {
            for (i, &span) in spans.iter().enumerate() {
                out.push(Occurrence {
                    span,
                    symbol: make(i),
                    definition: true,
                });
            }
        }
        for (i, f) in ast.functions.iter().enumerate() {
            out.push(Occurrence {
                span: f.name.span,
                symbol: Symbol::Function(i),
                definition: true,
            });
            for (k, param) in f.params.iter().enumerate() {
                out.push(Occurrence {
                    span: param.span,
                    symbol: Symbol::Param(i, k),
                    definition: true,
                });
            }
            let mut sc = Scope::with_params(f.params.iter().map(|p| p.name.as_str()));
            walk(&p, &f.body, &mut sc, &mut |e, sc| {
                let ExprKind::Path(path) = &e.kind else {
                    return;
                };
                let Some(first) = path.segments.first() else {
                    return;
                };
                // The parameter, unless an aggregate's variable of its name hides it.
                if let Some(k) = sc.innermost(&first.name).filter(|&k| k < f.params.len()) {
                    out.push(Occurrence {
                        span: first.span,
                        symbol: Symbol::Param(i, k),
                        definition: false,
                    });
                }
            });
        }
        let top = Scope::default();
        for path in ast.header.currency_from.iter().chain(&ast.evidence_source) {
            read_path(&p, path, &top, &mut out);
        }
        for rule in &ast.rules {
            for clause in &rule.clauses {
                let Clause::Requires(alts) = clause else {
                    continue;
                };
                for alt in alts {
                    if let Alternative::Facts { paths, .. } = alt {
                        for path in paths {
                            read_path(&p, path, &top, &mut out);
                        }
                    }
                }
            }
        }
        for (expr, scope) in p.expressions() {
            let mut scope = scope;
            walk(&p, expr, &mut scope, &mut |e, sc| match &e.kind {
                ExprKind::Path(path) => read_path(&p, path, sc, &mut out),
                ExprKind::Aggregate { list, .. } => read_path(&p, list, sc, &mut out),
                ExprKind::Call(name, args) => {
                    // `add_business_days(d, n, NAME)` names a calendar.
                    if let Some(ExprKind::Path(cal)) = args.get(2).map(|a| &a.kind) {
                        let found = ast
                            .calendars
                            .iter()
                            .position(|c| cal.segments.len() == 1 && c.name.name == cal.dotted());
                        if let (Some(i), "add_business_days") = (found, name.name.as_str()) {
                            out.push(Occurrence {
                                span: cal.span,
                                symbol: Symbol::Calendar(i),
                                definition: false,
                            });
                        }
                    }
                    let table = ast.tables.iter().position(|t| t.name.name == name.name);
                    let hook = ast.hooks.iter().position(|h| h.name.name == name.name);
                    let function = ast.functions.iter().position(|f| f.name.name == name.name);
                    let symbol = table
                        .map(Symbol::Table)
                        .or(hook.map(Symbol::Hook))
                        .or(function.map(Symbol::Function));
                    if let Some(symbol) = symbol {
                        out.push(Occurrence {
                            span: name.span,
                            symbol,
                            definition: false,
                        });
                    }
                }
                _ => {}
            });
        }
        out.sort_by_key(|o| (o.span.start, o.span.end));
        out.dedup();
        Index { occurrences: out }
    }

    /// The name written at byte `offset` (or just before it, at the end of a name).
    pub fn at(&self, offset: usize) -> Option<&Occurrence> {
        let within = |o: &&Occurrence| o.span.start <= offset && offset < o.span.end;
        let ending = |o: &&Occurrence| o.span.end == offset;
        let found = self.occurrences.iter().find(within);
        found.or_else(|| self.occurrences.iter().find(ending))
    }

    /// Where `symbol` is defined.
    pub fn definition(&self, symbol: &Symbol) -> Option<Span> {
        self.occurrences
            .iter()
            .find(|o| o.definition && &o.symbol == symbol)
            .map(|o| o.span)
    }

    /// Every place `symbol` is written, its definition first when `with_definition`.
    pub fn references(&self, symbol: &Symbol, with_definition: bool) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        if with_definition {
            out.extend(self.definition(symbol));
        }
        out.extend(
            self.occurrences
                .iter()
                .filter(|o| !o.definition && &o.symbol == symbol)
                .map(|o| o.span),
        );
        out
    }
}

/// The definitions of the facts declared in `decls`, under the path `prefix`.
fn define_facts(decls: &[FieldDecl], prefix: &[String], out: &mut Vec<Occurrence>) {
    for decl in decls {
        let mut path = prefix.to_vec();
        path.push(decl.name.name.clone());
        out.push(Occurrence {
            span: decl.name.span,
            symbol: Symbol::Fact(path.clone()),
            definition: true,
        });
        if let Some(inner) = fields(&decl.ty) {
            define_facts(inner, &path, out);
        }
    }
}

/// The names a dotted path reads, in scope `sc`: each segment of a fact path reads the
/// fact it reaches (`order.items` reads `order`, then `order.items`); a constant or `let`
/// is read by its name. An aggregate's variable (`i` in `i.sku`) names no fact itself.
fn read_path(p: &Policy, path: &Path, sc: &Scope, out: &mut Vec<Occurrence>) {
    let Some(first) = path.segments.first() else {
        return;
    };
    let symbol = match p.resolve(path, sc) {
        Name::Fact(full) => {
            let n = path.segments.len();
            let variable = sc.binds(&first.name);
            for (j, seg) in path.segments.iter().enumerate() {
                let keep = (full.len() + j + 1).saturating_sub(n);
                if (j == 0 && variable) || keep == 0 {
                    continue;
                }
                let fact = full.get(..keep).map(<[String]>::to_vec).unwrap_or_default();
                out.push(Occurrence {
                    span: seg.span,
                    symbol: Symbol::Fact(fact),
                    definition: false,
                });
            }
            return;
        }
        Name::Const(i) => Symbol::Const(i),
        Name::Let(i) => Symbol::Let(i),
        Name::Other => return,
    };
    out.push(Occurrence {
        span: first.span,
        symbol,
        definition: false,
    });
}
