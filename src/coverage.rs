//! Rule coverage: which rules of each policy version a set of decided documents exercised.
//!
//! A [`Coverage`] takes the [`Trace`] and [`Decision`] of many documents and reports, per
//! policy version (name, version), every rule (name, kind, `file:line:col`) with three
//! counts of documents:
//!
//! - `decided`: the rule decided or contributed to the decision: it is named in the
//!   decision's `reasons`, `priority`, `appeal`, `missing_evidence`,
//!   `recommended_evidence`, the payout's or refund's `breakdown`, or gave a deadline or a
//!   note a value;
//! - `seen_true`: its condition was seen to hold (a rule without `when` always holds when
//!   it is considered);
//! - `seen_false`: its condition was seen not to hold.
//!
//! A rule with a condition (`when`) is fully exercised when it decided and its condition
//! was seen both to hold and not to hold ([`VersionReport::one_sided`] lists the others);
//! a rule without one always holds when considered.
//!
//! (`seen_unknown` counts the three-valued readings that could not tell, see
//! [`crate::trace`].) A rule written under a comment `# allow(uncovered): why` (on its first
//! line, or on the comment lines directly above it) is `exempt`, with the comment's reason:
//! a safety net that the other rules leave no document to reach. While no document makes it
//! decide, it is left out of the rules to cover ([`VersionReport::to_cover`]). A rule the semantics never reached for any document has all counts 0.
//! Registering a version first ([`Coverage::register`]) lists every rule it has, in file
//! order, including those no document reached; a version seen only through traces lists
//! the rules its traces name, in the order first seen.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde::Serialize;

use crate::compile::Program;
use crate::decision::Decision;
use crate::span::Source;
use crate::trace::{Trace, Truth};

/// Rule coverage accumulated over many decisions.
#[derive(Clone, Debug, Default)]
pub struct Coverage {
    versions: Vec<VersionReport>,
}

/// The coverage of one policy version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VersionReport {
    pub name: Arc<str>,
    pub version: Arc<str>,
    /// How many documents this version decided.
    pub documents: usize,
    /// Every rule, in file order (see the module's documentation).
    pub rules: Vec<RuleCoverage>,
}

/// How many documents exercised one rule, and how.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RuleCoverage {
    pub rule: Arc<str>,
    pub kind: std::borrow::Cow<'static, str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
    /// The rule decided or contributed to the decision.
    pub decided: usize,
    /// Its condition held.
    pub seen_true: usize,
    /// Its condition did not hold.
    pub seen_false: usize,
    /// Its condition was unknown (three-valued reading).
    pub seen_unknown: usize,
    /// Whether the rule has a condition (`when`).
    pub condition: bool,
    /// Why the policy exempts the rule from coverage (`# allow(uncovered): why`), when it does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exempt: Option<Arc<str>>,
}

/// What a coverage report holds: every version, in the order registered or first seen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Report {
    pub versions: Vec<VersionReport>,
}

impl RuleCoverage {
    /// Whether any document reached this rule at all.
    pub fn considered(&self) -> bool {
        self.seen_true + self.seen_false + self.seen_unknown > 0
    }

    /// The file and line of the rule, from its `file:line:col`.
    pub fn file_line(&self) -> (&str, usize) {
        let mut parts = self.source.rsplitn(3, ':');
        let _col = parts.next();
        let line = parts.next().and_then(|l| l.parse().ok()).unwrap_or(0);
        let file = parts.next().unwrap_or(&self.source);
        (file, line)
    }
}

impl VersionReport {
    /// The rules no document made decide or contribute, but for those exempt.
    pub fn undecided(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules
            .iter()
            .filter(|r| r.decided == 0 && r.exempt.is_none())
    }

    /// The exempt rules no document made decide.
    pub fn exempt(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules
            .iter()
            .filter(|r| r.decided == 0 && r.exempt.is_some())
    }

    /// The rules that decided and have a condition that was seen to hold but never not to,
    /// or the reverse (a rule no document made decide is listed by
    /// [`VersionReport::undecided`] or [`VersionReport::exempt`] instead).
    pub fn one_sided(&self) -> impl Iterator<Item = &RuleCoverage> {
        self.rules
            .iter()
            .filter(|r| r.decided > 0 && r.condition && (r.seen_true > 0) != (r.seen_false > 0))
    }

    /// How many rules some document made decide, and how many there are to cover: every
    /// rule but the exempt ones no document made decide.
    pub fn to_cover(&self) -> (usize, usize) {
        let decided = self.rules.iter().filter(|r| r.decided > 0).count();
        (decided, self.rules.len() - self.exempt().count())
    }
}

impl Coverage {
    pub fn new() -> Self {
        Coverage::default()
    }

    /// Lists every rule of `program`, so that rules no document reaches are reported too.
    /// Registering a version twice changes nothing.
    pub fn register(&mut self, program: &Program) {
        let meta = &program.meta;
        let i = self.version(&meta.name, &meta.version);
        if let Some(v) = self.versions.get_mut(i) {
            for rule in &program.rules {
                let r = rule_index(v, &rule.name, rule.kind.as_str().into(), &rule.source);
                if let Some(entry) = v.rules.get_mut(r) {
                    entry.exempt = exemption(&meta.file, &rule.source);
                    entry.condition = rule.when.is_some();
                }
            }
        }
    }

    /// Adds one document's decision and trace.
    pub fn record(&mut self, decision: &Decision, trace: &Trace) {
        let i = self.version(&trace.policy.name, &trace.policy.version);
        let Some(v) = self.versions.get_mut(i) else {
            return;
        };
        v.documents += 1;
        // Each count says how many documents, so a rule read twice counts once.
        let mut seen: BTreeSet<(usize, Truth)> = BTreeSet::new();
        for c in &trace.rules {
            let r = rule_index(v, &c.rule, c.kind.clone(), &c.source);
            if let (Some(rule), Some(_)) = (v.rules.get_mut(r), &c.condition) {
                rule.condition = true;
            }
            seen.insert((r, c.held));
        }
        for (r, held) in seen {
            if let Some(rule) = v.rules.get_mut(r) {
                match held {
                    Truth::True => rule.seen_true += 1,
                    Truth::False => rule.seen_false += 1,
                    Truth::Unknown => rule.seen_unknown += 1,
                    Truth::Skipped | Truth::Failed => {}
                }
            }
        }
        let named: BTreeSet<&str> = decided_by(decision).collect();
        for rule in &mut v.rules {
            if named.contains(rule.rule.as_ref()) {
                rule.decided += 1;
            }
        }
    }

    /// The coverage so far.
    pub fn report(&self) -> Report {
        Report {
            versions: self.versions.clone(),
        }
    }

    /// The index of a version, added when new.
    fn version(&mut self, name: &Arc<str>, version: &Arc<str>) -> usize {
        if let Some(i) = self
            .versions
            .iter()
            .position(|v| v.name == *name && v.version == *version)
        {
            return i;
        }
        self.versions.push(VersionReport {
            name: name.clone(),
            version: version.clone(),
            documents: 0,
            rules: Vec::new(),
        });
        self.versions.len() - 1
    }
}

/// The index of a rule in a version's report, added when new.
fn rule_index(
    v: &mut VersionReport,
    name: &Arc<str>,
    kind: std::borrow::Cow<'static, str>,
    source: &Arc<str>,
) -> usize {
    if let Some(i) = v.rules.iter().position(|r| r.rule == *name) {
        return i;
    }
    v.rules.push(RuleCoverage {
        rule: name.clone(),
        kind,
        source: source.clone(),
        decided: 0,
        seen_true: 0,
        seen_false: 0,
        seen_unknown: 0,
        condition: false,
        exempt: None,
    });
    v.rules.len() - 1
}

/// The reason of a `# allow(uncovered): why` comment at the rule written at `source`
/// (`file:line:col`) in `file`.
fn exemption(file: &Source, source: &str) -> Option<Arc<str>> {
    let mut parts = source.rsplitn(3, ':');
    let _col = parts.next();
    let line: usize = parts.next()?.parse().ok()?;
    let at = if line <= 1 {
        0
    } else {
        file.text
            .match_indices('\n')
            .nth(line - 2)
            .map(|(i, _)| i + 1)?
    };
    let comment = crate::lint::allow::allowing(file, at, "uncovered")?;
    Some(Arc::from(crate::lint::allow::why(comment)))
}

/// The rules a decision names as deciding or contributing to it.
fn decided_by(d: &Decision) -> impl Iterator<Item = &str> {
    let reasons = d.reasons.iter().map(|r| r.rule.as_ref());
    let single = [&d.priority, &d.appeal]
        .into_iter()
        .flatten()
        .map(|r| r.rule.as_ref());
    let evidence = d
        .missing_evidence
        .iter()
        .chain(&d.recommended_evidence)
        .map(|m| m.requirement.as_ref());
    let valued = d
        .deadlines
        .0
        .iter()
        .chain(&d.notes.0)
        .filter(|(_, v)| v.is_some())
        .map(|(k, _)| k.as_ref());
    let steps = d
        .payout
        .iter()
        .flat_map(|p| &p.breakdown)
        .chain(d.refund.iter().flat_map(|r| &r.breakdown))
        .map(|s| s.rule.as_ref());
    reasons
        .chain(single)
        .chain(evidence)
        .chain(valued)
        .chain(steps)
}
