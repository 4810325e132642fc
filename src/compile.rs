//! Checked policy to executable program: constants folded, rules tabled by kind, identity hashed.

use std::sync::Arc;

use chrono::NaiveDate;
use sha2::{Digest, Sha256};

mod negative_add;

use crate::ast::RuleKind;
use crate::check::{Action, Checked, EvidenceSource, Named, TableDef};
use crate::diagnostic::PolicyError;
use crate::hooks::{HookFile, Hooks};
use crate::ir::Ex;
use crate::schema::Schema;
use crate::span::{Source, Span};
use crate::value::Value;

/// A policy version ready to evaluate documents.
#[derive(Debug)]
pub struct Program {
    pub meta: Meta,
    pub schema: Schema,
    pub lets: Vec<Ex>,
    pub evidence: Option<EvidenceSource>,
    /// The fact that states the currency of a document's amounts.
    pub currency_from: Option<CurrencyFrom>,
    pub tables: Vec<TableDef>,
    pub hooks: Hooks,
    pub rules: Vec<CompiledRule>,
    /// The indices into `rules` of each kind's rules, in file order, by
    /// [`RuleKind::index`] (up to the last kind the policy has): a decision asks for a
    /// dozen kinds, and reading only a kind's rules spares walking every rule for each.
    pub by_kind: Box<[Box<[usize]>]>,
    pub decision_enum: usize,
    /// The payout components the policy names, in order of first appearance (empty when
    /// the payout is one amount).
    pub components: Vec<Arc<str>>,
    /// Where the root record keeps `claim` and `cancellation`, when the policy declares them.
    pub claim_field: Option<usize>,
    pub cancellation_field: Option<usize>,
    /// Where the facts hold the envelope's fields, when they hold them all.
    pub envelope: Option<crate::document::EnvelopeFields>,
    /// The facts declared `assessed`, in declaration order.
    pub assessed: Vec<AssessedInput>,
    /// The fields the checks before the rules walk into (see [`crate::gate`]).
    pub gate: crate::gate::Plan,
}

/// A fact declared `assessed`: a value a person supplies, which a rule waits for.
#[derive(Debug)]
pub struct AssessedInput {
    /// Field indices from the document root.
    pub path: Box<[usize]>,
    /// As a document writes it (`assessment.share`).
    pub name: Arc<str>,
    /// `file:line:col` of its declaration.
    pub source: Arc<str>,
}

/// Every assessed field of the facts (never inside a list: the checker refuses that).
fn assessed_inputs(file: &Source, schema: &Schema) -> Vec<AssessedInput> {
    fn walk(
        file: &Source,
        schema: &Schema,
        record: usize,
        at: (&[usize], &str),
        out: &mut Vec<AssessedInput>,
    ) {
        let Some(r) = schema.records.get(record) else {
            return;
        };
        for (i, f) in r.fields.iter().enumerate() {
            let path: Vec<usize> = at.0.iter().copied().chain([i]).collect();
            let name = if at.1.is_empty() {
                f.name.clone()
            } else {
                format!("{}.{}", at.1, f.name)
            };
            match &f.ty {
                crate::types::Base::Record(id) => walk(file, schema, *id, (&path, &name), out),
                _ if f.assessed => out.push(AssessedInput {
                    path: path.into(),
                    name: name.into(),
                    source: file.location(f.span).into(),
                }),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    walk(file, schema, Schema::ROOT, (&[], ""), &mut out);
    out
}

/// The fact that states the currency of a document's amounts, and where the header names it.
#[derive(Debug)]
pub struct CurrencyFrom {
    pub path: Ex,
    /// As written (`order.currency`).
    pub name: Arc<str>,
    /// `file:line:col` of the header's `currency ... from ...`.
    pub source: Arc<str>,
}

/// What identifies a policy version.
#[derive(Clone, Debug)]
pub struct Meta {
    pub name: Arc<str>,
    pub version: Arc<str>,
    pub effective: NaiveDate,
    pub until: Option<NaiveDate>,
    /// The header's currencies as shown: `USD`, `USD, EUR`, or `any` (`currency from`).
    pub currency: Arc<str>,
    /// The currencies the policy pays in, as listed; empty when it pays in any currency
    /// the document states (`currency from PATH`).
    pub currencies: Arc<[Arc<str>]>,
    pub doc: Arc<str>,
    /// Where the version label and the effective date are written, for messages.
    pub version_span: Span,
    pub effective_span: Span,
    /// Hex SHA-256 of the policy source and its hooks (see [`hash`]).
    pub sha256: Arc<str>,
    pub file: Source,
}

#[derive(Debug)]
pub struct CompiledRule {
    pub kind: RuleKind,
    pub name: Arc<str>,
    pub text: Arc<str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
    pub when: Option<Ex>,
    /// `when`, made ready for its commonest shapes (see [`crate::cond`]).
    pub cond: Option<crate::cond::Cond>,
    /// The condition's first test when it settles the rule at a glance (see
    /// [`crate::cond::Guard`]).
    pub guard: Option<crate::cond::Guard>,
    /// A coverage rule's conditions, one per `and` operand of its `when`, each with its
    /// text and `file:line:col`: a denial names the first that did not hold.
    pub conjuncts: Vec<Conjunct>,
    pub action: Action,
    /// The payout component the action names, by index into [`Program::components`];
    /// `None` for the approving coverage's own.
    pub component: Option<usize>,
    /// The condition and action as written, for traces.
    pub explain: crate::trace::RuleMap,
}

/// One `and` operand of a coverage rule's condition.
#[derive(Debug)]
pub struct Conjunct {
    pub ex: Ex,
    pub text: Arc<str>,
    pub source: Arc<str>,
}

impl Program {
    pub fn rules_of(&self, kind: RuleKind) -> impl Iterator<Item = &CompiledRule> {
        let indices = self.by_kind.get(kind.index()).map_or(&[][..], |k| &k[..]);
        indices.iter().filter_map(|&i| self.rules.get(i))
    }
}

/// Compiles a checked policy with its compiled hooks; fails only when a constant cannot be evaluated.
pub fn compile(
    file: &Source,
    checked: Checked,
    hooks: Hooks,
    hook_files: &[HookFile],
) -> Result<Program, Vec<PolicyError>> {
    let (values, inline) = const_values(file, &checked.consts)?;
    let computed = computed_amounts(file, &checked, &inline)?;
    let calendars: Vec<Value> = checked
        .calendars
        .iter()
        .map(|c| crate::calendar::value(&c.holidays))
        .collect();
    let fold = |ex: Ex| fold_consts(ex, &values, &inline, &calendars);
    let adds = checked.rules.iter().filter_map(|r| match &r.action {
        Action::Add(e, _) => Some((r, fold(e.clone()))),
        _ => None,
    });
    let negative = negative_add::errors(file, adds, &checked.components, &values);
    if !negative.is_empty() {
        return Err(negative);
    }
    let fold_action = |a: Action| match a {
        Action::Pays(e) => Action::Pays(fold(e)),
        Action::Reduce(e) => Action::Reduce(fold(e)),
        Action::Cap(e) => Action::Cap(fold(e)),
        Action::Floor(e) => Action::Floor(fold(e)),
        Action::Add(e, span) => Action::Add(fold(e), span),
        Action::By(e) => Action::By(fold(e)),
        Action::EligibleFrom(e) => Action::EligibleFrom(fold(e)),
        Action::Shows(e, base) => Action::Shows(fold(e), base),
        Action::Requires(alts) => Action::Requires(
            alts.into_iter()
                .map(|alt| match alt {
                    crate::check::Alt::Kind {
                        kind,
                        value,
                        condition,
                    } => crate::check::Alt::Kind {
                        kind,
                        value,
                        condition: condition.map(fold),
                    },
                    facts => facts,
                })
                .collect(),
        ),
        Action::None => Action::None,
    };
    let quotes: Vec<(String, String)> = checked
        .consts
        .iter()
        .zip(&values)
        .enumerate()
        .map(|(i, (c, v))| {
            // A literal is quoted as the author wrote it (`48 hours`, not `2 days`);
            // a computed value as the decision shows values.
            // (Its blanks as one space; one with a comment inside is shown as the value.)
            let written = c
                .written
                .and_then(|s| file.text.get(s.start..s.end))
                .filter(|w| !w.contains(['#', '\n', '\r']))
                .map(|w| w.split_whitespace().collect::<Vec<_>>().join(" "));
            let shown = match (written, inline.get(i), computed.get(i)) {
                (Some(w), ..) => w,
                // An amount in each currency reads `USD 5, EUR 4.50`, as written (also
                // through a constant that names it: `const same = fee`); a constant
                // computed from one as the decision shows its value in each currency
                // (`USD 10.00, EUR 9.00`).
                (None, Some(Some(Ex::Amounts(a))), _) => amounts_written(file, a),
                (None, _, Some(Some(each))) => each.clone(),
                (None, ..) => crate::value::display(v, &c.ty.base, &checked.schema),
            };
            (format!("{{{}}}", c.name), shown)
        })
        .collect();
    let quote = |text: String| {
        quotes.iter().fold(text, |t, (k, v)| {
            if t.contains(k.as_str()) {
                t.replace(k.as_str(), v)
            } else {
                t
            }
        })
    };
    let assessed = assessed_inputs(file, &checked.schema);
    let assessed_paths: Vec<&[usize]> = assessed.iter().map(|a| &*a.path).collect();
    let rules = checked
        .rules
        .into_iter()
        .map(|mut r| {
            let when = r.when.take().map(fold);
            let cond = when
                .as_ref()
                .map(|w| crate::cond::Cond::new(w, &assessed_paths));
            (r, when, cond)
        })
        .map(|(r, when, cond)| CompiledRule {
            kind: r.kind,
            name: r.name.into(),
            text: quote(r.doc).into(),
            source: file.location(r.span).into(),
            when,
            guard: cond.as_ref().and_then(crate::cond::Cond::guard),
            cond,
            conjuncts: r
                .conjuncts
                .into_iter()
                .map(|(ex, span)| Conjunct {
                    ex: fold(ex),
                    text: file.text.get(span.start..span.end).unwrap_or("").into(),
                    source: file.location(span).into(),
                })
                .collect(),
            action: fold_action(r.action),
            component: r.component,
            explain: crate::trace::compile_map(file, &values, r.condition_map, r.action_reads),
        })
        .collect::<Vec<CompiledRule>>();
    let mut by_kind: Vec<Vec<usize>> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        let k = rule.kind.index();
        if by_kind.len() <= k {
            by_kind.resize_with(k + 1, Vec::new);
        }
        if let Some(of_kind) = by_kind.get_mut(k) {
            of_kind.push(i);
        }
    }
    let meta = Meta {
        name: checked.name.into(),
        version: checked.version.into(),
        effective: checked.effective,
        until: checked.until,
        currency: checked.currency.into(),
        currencies: checked.currencies.into_iter().map(Arc::from).collect(),
        doc: checked.doc.into(),
        version_span: checked.version_span,
        effective_span: checked.effective_span,
        sha256: hash(file.text.as_bytes(), hook_files).into(),
        file: file.clone(),
    };
    let claim_field = checked.schema.field_index(Schema::ROOT, "claim");
    let cancellation_field = checked.schema.field_index(Schema::ROOT, "cancellation");
    let envelope = crate::document::EnvelopeFields::of(&checked.schema);
    let gate = crate::gate::Plan::of(&checked.schema);
    Ok(Program {
        meta,
        schema: checked.schema,
        lets: checked.lets.into_iter().map(|l| fold(l.ex)).collect(),
        evidence: checked.evidence.map(|e| EvidenceSource {
            list: fold(e.list),
            ..e
        }),
        currency_from: checked.currency_from.map(|c| CurrencyFrom {
            path: c.path,
            name: c.name.into(),
            source: file.location(c.span).into(),
        }),
        tables: checked
            .tables
            .into_iter()
            .map(|t| TableDef {
                values: t.values.into_iter().map(fold).collect(),
                ..t
            })
            .collect(),
        hooks,
        rules,
        by_kind: by_kind.into_iter().map(Vec::into_boxed_slice).collect(),
        decision_enum: checked.decision_enum,
        components: checked.components.into_iter().map(Arc::from).collect(),
        claim_field,
        cancellation_field,
        envelope,
        assessed,
        gate,
    })
}

/// The constants of a policy: the value of each by declaration index, and, for a constant
/// whose value depends on the document's currency (an amount in each currency, or one
/// computed from it), its expression, evaluated for each document instead.
type Consts = (Vec<Value>, Vec<Option<Ex>>);

/// Every constant's value or expression (see [`Consts`]). Items come in any order, so each
/// constant is evaluated after the constants it reads (the checker has refused cycles).
fn const_values(file: &Source, consts: &[Named]) -> Result<Consts, Vec<PolicyError>> {
    let mut values = vec![Value::Absent; consts.len()];
    let mut inline = vec![None; consts.len()];
    let mut started = vec![false; consts.len()];
    let mut errors = Vec::new();
    for i in 0..consts.len() {
        const_value_of(
            i,
            file,
            consts,
            (&mut values, &mut inline, &mut started),
            &mut errors,
        );
    }
    if errors.is_empty() {
        Ok((values, inline))
    } else {
        Err(errors)
    }
}

/// Replaces each constant an expression reads with its value, or with its expression when
/// it depends on the document's currency.
fn fold_consts(ex: Ex, values: &[Value], inline: &[Option<Ex>], calendars: &[Value]) -> Ex {
    ex.map(&mut |e| match e {
        Ex::Calendar(i) => Ex::Const(calendars.get(i).cloned().unwrap_or(Value::Absent)),
        Ex::ConstRef(i) => match inline.get(i) {
            Some(Some(ex)) => ex.clone(),
            _ => Ex::Const(values.get(i).cloned().unwrap_or(Value::Absent)),
        },
        other => other,
    })
}

/// Whether an expression reads an amount in each currency.
fn per_currency(ex: &Ex) -> bool {
    let mut found = matches!(ex, Ex::Amounts(_));
    ex.for_each_child(&mut |c| found = found || per_currency(c));
    found
}

/// For each constant computed from amounts in each currency (`const twice = fee * 2`),
/// its value in each currency it can be computed in, as clause text quotes it: `USD 10.00,
/// EUR 9.00`, in the order the amounts it reads give them (with none, its expression as
/// written). A value that cannot be computed in one of them (a division by zero, an
/// overflow) is an error, as it is for any constant.
fn computed_amounts(
    file: &Source,
    checked: &Checked,
    inline: &[Option<Ex>],
) -> Result<Vec<Option<String>>, Vec<PolicyError>> {
    let mut errors = Vec::new();
    let mut out = Vec::with_capacity(checked.consts.len());
    for (c, ex) in checked.consts.iter().zip(inline) {
        // A constant written as amounts, or naming one, is quoted as written.
        let written = |ex: &&Ex| matches!(ex, Ex::Amounts(_));
        let Some(ex) = ex.as_ref().filter(|ex| !written(ex)) else {
            out.push(None);
            continue;
        };
        let currencies = ex.common_currencies();
        if currencies.is_empty() {
            let text = file.text.get(c.value_span.start..c.value_span.end);
            out.push(text.map(|w| w.split_whitespace().collect::<Vec<_>>().join(" ")));
            continue;
        }
        let mut each = Vec::with_capacity(currencies.len());
        for code in currencies {
            match crate::eval::const_value_in(ex, &[], Some(Arc::clone(&code))) {
                Ok(v) => {
                    let shown = crate::value::display(&v, &c.ty.base, &checked.schema);
                    each.push(format!("{code} {shown}"));
                }
                Err(msg) => errors.push(PolicyError::new(
                    file,
                    c.span,
                    format!("constant `{}` cannot be evaluated in {code}: {msg}", c.name),
                    "this constant",
                )),
            }
        }
        out.push(Some(each.join(", ")));
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// A constant's amounts as clause text quotes them: `USD 5, EUR 4.50`, each as written.
fn amounts_written(file: &Source, a: &crate::ir::Amounts) -> String {
    let text = file.text.get(a.span.start..a.span.end).unwrap_or("");
    let parsed: Vec<String> = text
        .split_once('{')
        .map(|(_, rest)| rest.trim_end().trim_end_matches('}'))
        .unwrap_or("")
        .split(',')
        .filter_map(|entry| {
            let (code, amount) = entry.split_once(':')?;
            Some(format!("{} {}", code.trim(), amount.trim()))
        })
        .collect();
    // With a comment inside, the amounts are shown as the decision shows amounts.
    if parsed.len() == a.amounts.len() && !text.contains('#') {
        parsed.join(", ")
    } else {
        let shown: Vec<String> = a
            .amounts
            .iter()
            .map(|(c, n)| format!("{c} {}", crate::format_money(*n)))
            .collect();
        shown.join(", ")
    }
}

/// Evaluates constant `i` once, after those it reads; one that fails stays absent.
fn const_value_of(
    i: usize,
    file: &Source,
    consts: &[Named],
    (values, inline, started): (&mut Vec<Value>, &mut Vec<Option<Ex>>, &mut Vec<bool>),
    errors: &mut Vec<PolicyError>,
) {
    let (Some(c), Some(seen)) = (consts.get(i), started.get_mut(i)) else {
        return;
    };
    if std::mem::replace(seen, true) {
        return;
    }
    let mut reads = Vec::new();
    const_reads(&c.ex, &mut reads);
    for j in reads {
        const_value_of(
            j,
            file,
            consts,
            (&mut *values, &mut *inline, &mut *started),
            errors,
        );
    }
    let folded = fold_consts(c.ex.clone(), values, inline, &[]);
    if per_currency(&folded) {
        if let Some(slot) = inline.get_mut(i) {
            *slot = Some(folded);
        }
        return;
    }
    match crate::eval::const_value(&folded, values) {
        Ok(v) => {
            if let Some(slot) = values.get_mut(i) {
                *slot = v;
            }
        }
        Err(msg) => errors.push(PolicyError::new(
            file,
            c.span,
            format!("constant `{}` cannot be evaluated: {msg}", c.name),
            "this constant",
        )),
    }
}

/// The constants an expression reads.
fn const_reads(ex: &Ex, out: &mut Vec<usize>) {
    if let Ex::ConstRef(i) = ex {
        out.push(*i);
    }
    ex.for_each_child(&mut |c| const_reads(c, out));
}

/// Hex SHA-256 identifying a policy version. Without hooks it is the SHA-256 of the policy
/// file, as `sha256sum` prints it; with hooks, of the policy file followed, for each hook
/// in declaration order, by a NUL byte, the hook file's name as the policy writes it
/// (relative to the policy's folder, so the hash does not depend on where the policy tree
/// sits or how it was named on the command line), a NUL byte and its bytes.
pub fn hash(source: &[u8], hooks: &[HookFile]) -> String {
    let mut h = Sha256::new();
    h.update(source);
    for f in hooks {
        h.update([0]);
        h.update(f.name.as_bytes());
        h.update([0]);
        h.update(f.source.text.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}
