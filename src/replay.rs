//! Impact analysis: a corpus of documents decided under two policy versions, and what changed.
//!
//! Each document is decided under both versions whatever its dates say
//! ([`crate::policy_set::prepare_with`]). A document is reported when its decision,
//! payout or refund differs; the rules responsible are the reasons given under one
//! version and not the other (or, when both versions give the same reasons, those
//! reasons). Totals add the amounts of every document decided under both versions,
//! exactly, in decimals.

use std::borrow::Cow;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::compile::Program;
use crate::decision::{Decision, Outcome, Reason};
use crate::error::DocumentError;
use crate::policy_set::{prepare_with, Document};

/// What replaying a corpus found.
#[derive(Debug, Default)]
pub struct Replay {
    /// Documents decided under both versions.
    pub evaluated: usize,
    /// Documents whose decision, payout or refund differs, in corpus order.
    pub changed: Vec<Changed>,
    /// Documents that could not be decided under one version or both.
    pub failed: Vec<Failed>,
    /// The amounts under the old version.
    pub before: ReplayTotals,
    /// The amounts under the new version.
    pub after: ReplayTotals,
}

/// The sums of every decided document's amounts under one version.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ReplayTotals {
    /// Every payout, added exactly.
    pub payout: Decimal,
    /// Every refund, added exactly.
    pub refund: Decimal,
    /// The version's currency.
    pub currency: Arc<str>,
}

/// One document whose outcome changed.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    /// The document's id (`claim.id`).
    pub document: String,
    /// Where it came from: a file, or `file:line` in JSON Lines.
    pub source: Arc<str>,
    /// Under the old version.
    pub before: Verdict,
    /// Under the new version.
    pub after: Verdict,
    /// The rules responsible.
    pub rules: Vec<RuleDelta>,
}

/// A decision and its amounts: what is compared.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Verdict {
    /// The outcome.
    pub decision: Outcome,
    /// The payout (zero when none).
    pub payout: Decimal,
    /// The refund, for a cancellation.
    pub refund: Option<Decimal>,
}

/// Which version gave a reason.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// Only the old version.
    Before,
    /// Only the new version.
    After,
    /// Both versions, with a different result.
    Both,
}

/// A rule responsible for a change.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleDelta {
    /// The rule's name.
    pub rule: Arc<str>,
    /// The rule's kind (`coverage`, `exclusion`, ...).
    pub kind: Cow<'static, str>,
    /// Which version gave it.
    pub side: Side,
}

/// A document that got no decision under one version.
#[derive(Debug, Clone)]
pub struct Failed {
    /// Where it came from: a file, or `file:line` in JSON Lines.
    pub source: Arc<str>,
    /// The version label it failed under.
    pub version: Arc<str>,
    /// Why it got no decision.
    pub error: DocumentError,
}

impl Replay {
    /// How many of the changed documents changed decision (not only amount).
    pub fn decisions_changed(&self) -> usize {
        self.changed
            .iter()
            .filter(|c| c.before.decision != c.after.decision)
            .count()
    }
}

/// Decides every document under `old` and under `new` and compares the outcomes;
/// `strict` reads the documents strictly (see [`crate::PolicySet::strict`]).
#[doc(hidden)]
pub fn replay(old: &Program, new: &Program, documents: &[Document<'_>], strict: bool) -> Replay {
    let mut out = Replay {
        before: ReplayTotals::new(old),
        after: ReplayTotals::new(new),
        ..Replay::default()
    };
    for doc in documents {
        let decide =
            |p: &Program| prepare_with(p, doc, strict).and_then(|prepared| prepared.decide());
        let (a, b) = match (decide(old), decide(new)) {
            (Ok(a), Ok(b)) => (a, b),
            (a, b) => {
                for (r, p) in [(a, old), (b, new)] {
                    if let Err(error) = r {
                        out.failed.push(Failed {
                            source: doc.label(),
                            version: p.meta.version.clone(),
                            error,
                        });
                    }
                }
                continue;
            }
        };
        out.evaluated += 1;
        let (before, after) = (Verdict::of(&a), Verdict::of(&b));
        out.before.add(&before);
        out.after.add(&after);
        if before != after {
            out.changed.push(Changed {
                document: b.document.clone(),
                source: doc.label(),
                before,
                after,
                rules: responsible(&a.reasons, &b.reasons),
            });
        }
    }
    out
}

impl ReplayTotals {
    fn new(p: &Program) -> ReplayTotals {
        ReplayTotals {
            currency: p.meta.currency.clone(),
            ..ReplayTotals::default()
        }
    }

    fn add(&mut self, o: &Verdict) {
        self.payout += o.payout;
        self.refund += o.refund.unwrap_or_default();
    }
}

impl Verdict {
    fn of(d: &Decision) -> Verdict {
        Verdict {
            decision: d.decision,
            payout: d.payout.as_ref().map_or(Decimal::ZERO, |p| p.amount),
            refund: d.refund.as_ref().map(|r| r.amount),
        }
    }
}

/// Reasons given under one version only; the shared ones when there are none.
fn responsible(before: &[Reason], after: &[Reason]) -> Vec<RuleDelta> {
    let key = |r: &Reason| (r.rule.clone(), r.kind.clone());
    let only = |these: &[Reason], those: &[Reason], side: Side| -> Vec<RuleDelta> {
        these
            .iter()
            .filter(|r| !those.iter().any(|o| key(o) == key(r)))
            .map(|r| RuleDelta {
                rule: r.rule.clone(),
                kind: r.kind.clone(),
                side,
            })
            .collect()
    };
    let mut out = only(before, after, Side::Before);
    out.extend(only(after, before, Side::After));
    if out.is_empty() {
        out = after
            .iter()
            .map(|r| RuleDelta {
                rule: r.rule.clone(),
                kind: r.kind.clone(),
                side: Side::Both,
            })
            .collect();
    }
    out
}
