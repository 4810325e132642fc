//! Semantic diff of two policy versions: what changed in meaning, compared on the syntax tree.
//!
//! Both files are reduced to canonical forms ([`crate::print`]): facts by path with their
//! types, constants and derived values by name with their expressions, rules by name with
//! their kind and clauses. Spans, comments, whitespace, the order of items and the
//! wrapping of doc strings never show, so a reformatted or reordered file has no changes.
//!
//! Rule order does matter in two places, and the diff says so: the first coverage rule
//! that holds pays, and compensation rules adjust the payout in file order. A change in
//! the relative order of the coverage (or compensation) rules both versions share is a
//! change of its own, and an added rule of those kinds says where it is evaluated.
//!
//! The version label and the dates in force (`version`, `effective`, `until`) are listed
//! with the header changes but not counted as changes: two versions always differ there.

use std::collections::{BTreeMap, BTreeSet};

use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

use crate::ast::{Alternative, Binding, Clause, Expr, ExprKind, FieldDecl, PolicyFile, Rule};
use crate::ast::{RuleKind, TypeKind, CLAUSE_KEYWORDS};
use crate::hooks::Hooks;
use crate::print;

/// Header fields that date a version; they are expected to differ between versions.
#[doc(hidden)]
pub const DATING: [&str; 3] = ["version", "effective", "until"];

/// Rule kinds whose order in the file decides the outcome.
#[doc(hidden)]
pub const ORDERED: [RuleKind; 7] = [
    RuleKind::Coverage,
    RuleKind::Compensation,
    RuleKind::Refund,
    RuleKind::Deduction,
    RuleKind::Fallback,
    RuleKind::Priority,
    RuleKind::Appeal,
];

/// How a thing differs between the old and the new version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// Only the new version has it.
    Added,
    /// Only the old version has it.
    Removed,
    /// Both have it, differently.
    Changed,
}

/// Everything that differs between two versions, each part sorted by name.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct PolicyDiff {
    /// Header fields (`currency`, `doc`, and the dating fields, see [`PolicyDiff::dating`]).
    pub header: Vec<Change>,
    /// Fact paths, with their types.
    pub facts: Vec<Change>,
    /// Constants, with their values.
    pub constants: Vec<Change>,
    /// Derived values (`let`), with their expressions.
    pub lets: Vec<Change>,
    /// The evidence source declaration.
    pub evidence_source: Vec<Change>,
    /// Tables, with their rows.
    pub tables: Vec<Change>,
    /// Hook declarations.
    pub hooks: Vec<Change>,
    /// Hooks both versions declare alike whose scripts differ (filled by [`scripts`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hook_scripts: Vec<Change>,
    /// Calendars, with the holidays they list and the file they read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub calendars: Vec<Change>,
    /// Rules added, removed or changed.
    pub rules: Vec<RuleChange>,
    /// Order-sensitive kinds whose shared rules are evaluated in another order.
    pub rule_order: Vec<OrderChange>,
}

/// One named thing that differs: a header field, a fact path, a constant, a derived value,
/// or one clause of a rule. `old` and `new` are canonical text; `None` where it is absent.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Change {
    /// What differs (`currency`, `claim.type`, a constant's name, a clause).
    pub name: String,
    /// How it differs.
    pub change: ChangeKind,
    /// Its old canonical text.
    pub old: Option<String>,
    /// Its new canonical text.
    pub new: Option<String>,
    /// For constants and derived values: what reads them, directly or through derived
    /// values (`let wait`, `exclusion lost_waiting_period`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub affects: Vec<String>,
}

/// A rule added, removed or changed, with its whole old and new form.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RuleChange {
    /// The rule's name.
    pub rule: String,
    /// The kind in the new version (the old one for a removed rule).
    pub kind: &'static str,
    /// How it differs.
    pub change: ChangeKind,
    /// Where an added coverage or compensation rule is evaluated: `first` or `after NAME`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub position: Option<String>,
    /// The old rule (absent when added).
    pub old: Option<RuleForm>,
    /// The new rule (absent when removed).
    pub new: Option<RuleForm>,
    /// For a changed rule: its kind if that changed, then each clause that differs.
    pub differences: Vec<Change>,
}

/// A rule in canonical form: its kind, then its clauses in a fixed order.
#[derive(Clone, Debug, PartialEq)]
pub struct RuleForm {
    /// The rule's kind.
    pub kind: &'static str,
    /// Each clause's keyword (`when`, `pays`) and canonical text.
    pub clauses: Vec<(&'static str, String)>,
}

/// The shared rules of one order-sensitive kind, in old and in new evaluation order.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct OrderChange {
    /// The rule kind (`coverage`, `compensation`, ...).
    pub kind: &'static str,
    /// The shared rules in old order.
    pub old: Vec<String>,
    /// The shared rules in new order.
    pub new: Vec<String>,
}

impl PolicyDiff {
    /// How many changes in meaning: every entry except the dating header fields.
    pub fn changes(&self) -> usize {
        let header = self
            .header
            .iter()
            .filter(|c| !DATING.contains(&c.name.as_str()))
            .count();
        header
            + self.facts.len()
            + self.constants.len()
            + self.lets.len()
            + self.evidence_source.len()
            + self.tables.len()
            + self.hooks.len()
            + self.hook_scripts.len()
            + self.calendars.len()
            + self.rules.len()
            + self.rule_order.len()
    }

    /// The dating header fields that differ.
    pub fn dating(&self) -> Vec<&str> {
        self.header
            .iter()
            .map(|c| c.name.as_str())
            .filter(|n| DATING.contains(n))
            .collect()
    }
}

/// Compares two parsed policy files.
#[doc(hidden)]
pub fn diff(old: &PolicyFile, new: &PolicyFile) -> PolicyDiff {
    let mut facts_old = BTreeMap::new();
    let mut facts_new = BTreeMap::new();
    flatten_facts(&old.facts, "", &mut facts_old);
    flatten_facts(&new.facts, "", &mut facts_new);
    PolicyDiff {
        header: in_header_order(compare(&header(old), &header(new), |_| Vec::new())),
        facts: compare(&facts_old, &facts_new, |_| Vec::new()),
        constants: compare(&bindings(&old.consts), &bindings(&new.consts), |n| {
            affects(old, new, n)
        }),
        lets: compare(&lets(old), &lets(new), |n| affects(old, new, n)),
        evidence_source: compare(&evidence(old), &evidence(new), |_| Vec::new()),
        tables: compare(&tables(old), &tables(new), |n| affects(old, new, n)),
        hooks: compare(&hooks(old), &hooks(new), |n| affects(old, new, n)),
        hook_scripts: Vec::new(),
        calendars: compare(&calendars(old), &calendars(new), |_| Vec::new()),
        rules: rules(old, new),
        rule_order: order(old, new),
    }
}

/// A canonical text for each name, and the key that decides equality (usually the same).
#[derive(Clone, Debug)]
struct Form {
    text: String,
    key: String,
}

impl Form {
    fn plain(text: String) -> Form {
        Form {
            key: text.clone(),
            text,
        }
    }
}

/// How one named thing changed between versions, if it did.
fn classify<T: PartialEq>(old: Option<&T>, new: Option<&T>) -> Option<ChangeKind> {
    match (old, new) {
        (Some(a), Some(b)) if a == b => None,
        (Some(_), Some(_)) => Some(ChangeKind::Changed),
        (Some(_), None) => Some(ChangeKind::Removed),
        (None, Some(_)) => Some(ChangeKind::Added),
        (None, None) => None,
    }
}

fn compare(
    old: &BTreeMap<String, Form>,
    new: &BTreeMap<String, Form>,
    affects: impl Fn(&str) -> Vec<String>,
) -> Vec<Change> {
    let names: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (o, n) = (old.get(name), new.get(name));
        let Some(change) = classify(o.map(|f| &f.key), n.map(|f| &f.key)) else {
            continue;
        };
        out.push(Change {
            name: name.clone(),
            change,
            old: o.map(|f| f.text.clone()),
            new: n.map(|f| f.text.clone()),
            affects: affects(name),
        });
    }
    out
}

/// The header fields, in the order a file declares them.
const HEADER: [&str; 6] = ["name", "version", "effective", "until", "currency", "doc"];

fn in_header_order(mut changes: Vec<Change>) -> Vec<Change> {
    changes.sort_by_key(|c| HEADER.iter().position(|h| *h == c.name));
    changes
}

fn header(f: &PolicyFile) -> BTreeMap<String, Form> {
    let h = &f.header;
    let fields = [
        ("name", Some(print::string(&h.name.value))),
        (
            "version",
            h.version.as_ref().map(|v| print::string(&v.value)),
        ),
        (
            "effective",
            h.effective.as_ref().map(|d| d.value.to_string()),
        ),
        ("until", h.until.as_ref().map(|d| d.value.to_string())),
        ("currency", print::currency(h)),
        ("doc", h.doc.as_ref().map(|d| print::string(&d.value))),
    ];
    fields
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), Form::plain(v))))
        .collect()
}

/// Every fact by path (`order.items[].sku`) with its type; records are listed field by field.
fn flatten_facts(fields: &[FieldDecl], prefix: &str, out: &mut BTreeMap<String, Form>) {
    for f in fields {
        let path = format!("{prefix}{}", f.name.name);
        let default = f
            .default
            .as_ref()
            .map(|d| format!(" default {}", print::expr(d)))
            .unwrap_or_default();
        let assessed = if f.assessed.is_some() {
            "assessed "
        } else {
            ""
        };
        out.insert(
            path.clone(),
            Form {
                text: format!("{assessed}{}{default}", print::type_head(&f.ty)),
                key: format!("{assessed}{}{default}", print::type_key(&f.ty)),
            },
        );
        let mut ty = &f.ty;
        let mut inner = path;
        loop {
            match &ty.kind {
                TypeKind::List(t) => {
                    inner.push_str("[]");
                    ty = t;
                }
                TypeKind::Record(fields) => {
                    flatten_facts(fields, &format!("{inner}."), out);
                    break;
                }
                // The built-in fields of a decision are the same in every version.
                TypeKind::Decision { extra, .. } => {
                    let fields = extra.as_deref().unwrap_or_default();
                    flatten_facts(fields, &format!("{inner}."), out);
                    break;
                }
                TypeKind::Scalar(_) | TypeKind::Enum(_) => break,
            }
        }
    }
}

fn bindings(list: &[Binding]) -> BTreeMap<String, Form> {
    list.iter()
        .map(|b| (b.name.name.clone(), Form::plain(print::expr(&b.value))))
        .collect()
}

/// Derived values and functions (`let NAME(PARAM) = ...`, shown `(PARAM) = ...`): they
/// share one namespace.
fn lets(f: &PolicyFile) -> BTreeMap<String, Form> {
    let mut out = bindings(&f.lets);
    for g in &f.functions {
        let params: Vec<&str> = g.params.iter().map(|p| p.name.as_str()).collect();
        let text = format!("({}) = {}", params.join(", "), print::expr(&g.body));
        out.insert(g.name.name.clone(), Form::plain(text));
    }
    out
}

fn evidence(f: &PolicyFile) -> BTreeMap<String, Form> {
    f.evidence_source
        .iter()
        .map(|p| ("evidence from".to_string(), Form::plain(p.dotted())))
        .collect()
}

fn tables(f: &PolicyFile) -> BTreeMap<String, Form> {
    f.tables
        .iter()
        .map(|t| (t.name.name.clone(), Form::plain(print::table(t))))
        .collect()
}

fn hooks(f: &PolicyFile) -> BTreeMap<String, Form> {
    f.hooks
        .iter()
        .map(|h| (h.name.name.clone(), Form::plain(print::hook(h))))
        .collect()
}

fn calendars(f: &PolicyFile) -> BTreeMap<String, Form> {
    f.calendars
        .iter()
        .map(|c| (c.name.name.clone(), Form::plain(print::calendar(c))))
        .collect()
}

/// Decision order: the order in which a reviewer reads the kinds.
fn rank(kind: RuleKind) -> u8 {
    match kind {
        RuleKind::Exclusion => 0,
        RuleKind::Referral => 1,
        RuleKind::Evidence => 2,
        RuleKind::Coverage => 3,
        RuleKind::Compensation => 4,
        RuleKind::Deadline => 5,
        RuleKind::Fallback => 6,
        RuleKind::Supporting => 7,
        RuleKind::Priority => 8,
        RuleKind::Note => 9,
        RuleKind::Appeal => 10,
        RuleKind::Refusal => 11,
        RuleKind::Refund => 12,
        RuleKind::Deduction => 13,
    }
}

/// Where a clause is shown, whatever order it was written in.
fn clause_rank(keyword: &str) -> usize {
    CLAUSE_KEYWORDS
        .iter()
        .position(|k| *k == keyword)
        .unwrap_or(CLAUSE_KEYWORDS.len())
}

/// The canonical form of a rule.
#[doc(hidden)]
pub fn rule_form(rule: &Rule) -> RuleForm {
    let mut clauses: Vec<(&'static str, String)> = rule
        .clauses
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut text = match c {
                Clause::Doc(s) => print::string(&s.value),
                Clause::Requires(alts) => print::requirement(alts),
                other => other.expr().map(print::expr).unwrap_or_default(),
            };
            // The payout component it names, as `pays X as cash` writes it.
            if let Some(name) = rule.component_of(i) {
                text = format!("{text} as {}", name.name);
            }
            (c.keyword(), text)
        })
        .collect();
    clauses.sort_by_key(|(k, _)| clause_rank(k));
    RuleForm {
        kind: rule.kind.as_str(),
        clauses,
    }
}

fn rules(old: &PolicyFile, new: &PolicyFile) -> Vec<RuleChange> {
    let by_name = |f: &PolicyFile| -> BTreeMap<String, (RuleKind, RuleForm)> {
        f.rules
            .iter()
            .map(|r| (r.name.name.clone(), (r.kind, rule_form(r))))
            .collect()
    };
    let (olds, news) = (by_name(old), by_name(new));
    let names: BTreeSet<&String> = olds.keys().chain(news.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (o, n) = (olds.get(name), news.get(name));
        let (kind, change, differences) = match (o, n) {
            (Some((_, a)), Some((k, b))) => {
                let d = differences(a, b);
                if d.is_empty() {
                    continue;
                }
                (*k, ChangeKind::Changed, d)
            }
            (Some((k, _)), None) => (*k, ChangeKind::Removed, Vec::new()),
            (None, Some((k, _))) => (*k, ChangeKind::Added, Vec::new()),
            (None, None) => continue,
        };
        let kind_changed = o.zip(n).is_some_and(|((a, _), (b, _))| a != b);
        let position = (ORDERED.contains(&kind) && (change == ChangeKind::Added || kind_changed))
            .then(|| position(new, name))
            .flatten();
        out.push(RuleChange {
            rule: name.clone(),
            kind: kind.as_str(),
            change,
            position,
            old: o.map(|(_, f)| f.clone()),
            new: n.map(|(_, f)| f.clone()),
            differences,
        });
    }
    out.sort_by_key(|r| {
        let kind = news
            .get(&r.rule)
            .or(olds.get(&r.rule))
            .map(|(k, _)| rank(*k));
        (kind, r.rule.clone())
    });
    out
}

fn differences(old: &RuleForm, new: &RuleForm) -> Vec<Change> {
    let mut out = Vec::new();
    if old.kind != new.kind {
        out.push(Change {
            name: "kind".into(),
            change: ChangeKind::Changed,
            old: Some(old.kind.into()),
            new: Some(new.kind.into()),
            affects: Vec::new(),
        });
    }
    let mut keywords: Vec<&'static str> = Vec::new();
    for (k, _) in old.clauses.iter().chain(&new.clauses) {
        if !keywords.contains(k) {
            keywords.push(k);
        }
    }
    keywords.sort_by_key(|k| clause_rank(k));
    for k in keywords {
        let get = |f: &RuleForm| {
            f.clauses
                .iter()
                .find(|(c, _)| *c == k)
                .map(|(_, t)| t.clone())
        };
        let (a, b) = (get(old), get(new));
        let Some(change) = classify(a.as_ref(), b.as_ref()) else {
            continue;
        };
        out.push(Change {
            name: k.into(),
            change,
            old: a,
            new: b,
            affects: Vec::new(),
        });
    }
    out
}

/// `first`, or `after NAME`: the rule of the same kind evaluated just before `name`.
fn position(file: &PolicyFile, name: &str) -> Option<String> {
    let rule = file.rules.iter().find(|r| r.name.name == name)?;
    let before = file
        .rules
        .iter()
        .filter(|r| r.kind == rule.kind)
        .take_while(|r| r.name.name != name)
        .last();
    Some(match before {
        Some(r) => format!("after {}", r.name.name),
        None => "first".into(),
    })
}

fn order(old: &PolicyFile, new: &PolicyFile) -> Vec<OrderChange> {
    let mut out = Vec::new();
    for kind in ORDERED {
        let shared = |a: &PolicyFile, b: &PolicyFile| -> Vec<String> {
            a.rules
                .iter()
                .filter(|r| r.kind == kind)
                .filter(|r| {
                    b.rules
                        .iter()
                        .any(|o| o.kind == kind && o.name.name == r.name.name)
                })
                .map(|r| r.name.name.clone())
                .collect()
        };
        let (o, n) = (shared(old, new), shared(new, old));
        if o != n {
            out.push(OrderChange {
                kind: kind.as_str(),
                old: o,
                new: n,
            });
        }
    }
    out
}

/// What reads a constant or derived value: derived values first, then rules, each sorted.
fn affects(old: &PolicyFile, new: &PolicyFile, name: &str) -> Vec<String> {
    let declares = |f: &PolicyFile| {
        f.consts.iter().chain(&f.lets).any(|b| b.name.name == name)
            || f.functions.iter().any(|g| g.name.name == name)
    };
    let file = if declares(new) { new } else { old };
    let mut targets: BTreeSet<&str> = BTreeSet::from([name]);
    let mut lets: BTreeSet<&str> = BTreeSet::new();
    loop {
        let before = lets.len();
        for b in &file.lets {
            if !lets.contains(b.name.name.as_str()) && reads(&b.value, &targets) {
                lets.insert(&b.name.name);
                targets.insert(&b.name.name);
            }
        }
        for g in &file.functions {
            if !lets.contains(g.name.name.as_str()) && reads(&g.body, &targets) {
                lets.insert(&g.name.name);
                targets.insert(&g.name.name);
            }
        }
        if lets.len() == before {
            break;
        }
    }
    let mut rules: Vec<&Rule> = file
        .rules
        .iter()
        .filter(|r| rule_exprs(r).iter().any(|e| reads(e, &targets)))
        .collect();
    rules.sort_by_key(|r| (rank(r.kind), r.name.name.clone()));
    lets.into_iter()
        .filter(|l| *l != name)
        .map(|l| format!("let {l}"))
        .chain(
            rules
                .into_iter()
                .map(|r| format!("{} {}", r.kind.as_str(), r.name.name)),
        )
        .collect()
}

fn rule_exprs(rule: &Rule) -> Vec<&Expr> {
    let mut out = Vec::new();
    for c in &rule.clauses {
        out.extend(c.expr());
        if let Clause::Requires(alts) = c {
            for a in alts {
                if let Alternative::Kind {
                    condition: Some(e), ..
                } = a
                {
                    out.push(e);
                }
            }
        }
    }
    out
}

/// Whether `e` names any of `targets` outside the scope of an aggregate variable of that name.
fn reads(e: &Expr, targets: &BTreeSet<&str>) -> bool {
    let sub = |x: &Expr| reads(x, targets);
    match &e.kind {
        ExprKind::Path(p) => p
            .segments
            .first()
            .is_some_and(|s| targets.contains(s.name.as_str())),
        ExprKind::Number(..)
        | ExprKind::Percent(_)
        | ExprKind::Str(_)
        | ExprKind::Bool(_)
        | ExprKind::Date(_)
        | ExprKind::Amounts(_)
        | ExprKind::Duration(..) => false,
        ExprKind::List(items) => items.iter().any(sub),
        // A call reads the function (or table, or hook) it calls.
        ExprKind::Call(f, items) => targets.contains(f.name.as_str()) || items.iter().any(sub),
        ExprKind::PercentOf(a, b) => sub(a) || sub(b),
        ExprKind::Not(a)
        | ExprKind::Neg(a)
        | ExprKind::IsPresent(a, _)
        | ExprKind::Access(a, _) => sub(a),
        ExprKind::Binary(_, a, b) | ExprKind::Otherwise(a, b) => sub(a) || sub(b),
        ExprKind::If(a, b, c) => sub(a) || sub(b) || sub(c),
        ExprKind::Aggregate {
            var,
            list,
            filter,
            body,
            ..
        } => {
            let in_list = list
                .segments
                .first()
                .is_some_and(|s| targets.contains(s.name.as_str()));
            let mut inner = targets.clone();
            inner.remove(var.name.as_str());
            in_list
                || filter.as_deref().is_some_and(|f| reads(f, &inner))
                || body.as_deref().is_some_and(|b| reads(b, &inner))
        }
    }
}

impl Serialize for RuleForm {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.clauses.len() + 1))?;
        m.serialize_entry("kind", self.kind)?;
        for (k, v) in &self.clauses {
            m.serialize_entry(k, v)?;
        }
        m.end()
    }
}

/// Hooks both compiled versions have whose script text differs, each shown by the SHA-256
/// of its script: a change to a hook file changes the terms as much as a rule does.
#[doc(hidden)]
pub fn scripts(old: &Hooks, new: &Hooks) -> Vec<Change> {
    let new_scripts: BTreeMap<&str, &str> = new.scripts().collect();
    let sha = |text: &str| {
        format!(
            "script sha256 {}",
            crate::compile::hash(text.as_bytes(), &[])
        )
    };
    old.scripts()
        .filter_map(|(name, text)| {
            let other = *new_scripts.get(name)?;
            (text != other).then(|| Change {
                name: name.to_string(),
                change: ChangeKind::Changed,
                old: Some(sha(text)),
                new: Some(sha(other)),
                affects: Vec::new(),
            })
        })
        .collect()
}
