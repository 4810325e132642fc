//! The decision for one document, serialized as `docs/contract.md` specifies its JSON.

use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::ser::SerializeMap;
use serde::{Serialize, Serializer};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Approved,
    Denied,
    Incomplete,
    Referred,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Denied => "denied",
            Outcome::Incomplete => "incomplete",
            Outcome::Referred => "referred",
        }
    }

    /// Index into the `decision` enumeration that deadlines read.
    pub fn index(self) -> u32 {
        match self {
            Outcome::Approved => 0,
            Outcome::Denied => 1,
            Outcome::Incomplete => 2,
            Outcome::Referred => 3,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Decision {
    pub document: String,
    pub policy: PolicyId,
    pub decision: Outcome,
    pub payout: Option<Payout>,
    pub refund: Option<Refund>,
    pub missing_evidence: Vec<Missing>,
    /// Supporting evidence the policy recommends and the claim did not supply.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub recommended_evidence: Vec<Missing>,
    pub reasons: Vec<Reason>,
    pub deadlines: Deadlines,
    /// Why the claim is handled first, when a priority rule applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Reason>,
    /// The appeal route, on denied decisions of policies that state one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal: Option<Reason>,
    /// Values the policy reports with the decision (`resolution: cash`).
    #[serde(skip_serializing_if = "Deadlines::is_empty")]
    pub notes: Deadlines,
    /// On a denial by a fallback: the covered scenarios the claim came closest to, each
    /// with the first of its conditions that did not hold.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_met: Vec<NotMet>,
    /// Where the document was read from; set by [`crate::PolicySet::evaluate`] and
    /// [`crate::Prepared::decide`], absent from a decision made straight from facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
}

/// Where a document was read from: its file (`-` for standard input) and, for one line of
/// JSON Lines or a document on standard input, the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Input {
    pub path: Arc<str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// A covered scenario a denied claim did not meet, and the condition it failed on.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct NotMet {
    pub rule: Arc<str>,
    pub text: Arc<str>,
    pub source: Arc<str>,
    /// The condition that did not hold, as written in the policy.
    pub condition: Arc<str>,
    /// `file:line:col` of that condition.
    pub condition_source: Arc<str>,
}

/// A claim's payout and how it was computed, step by step: the coverage rule's amount,
/// then each compensation rule that applied (a reduction always, a cap or floor when it
/// changed the amount), each signed. Empty unless the claim was approved.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Payout {
    #[serde(serialize_with = "two_decimals")]
    pub amount: Decimal,
    pub currency: Arc<str>,
    pub breakdown: Vec<Step>,
}

/// A refund and how it was computed, step by step.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Refund {
    #[serde(serialize_with = "two_decimals")]
    pub amount: Decimal,
    pub currency: Arc<str>,
    pub breakdown: Vec<Step>,
}

/// One step of a payout or refund: the base amount, or a reduction, cap or floor (signed).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step {
    pub rule: Arc<str>,
    pub kind: &'static str,
    #[serde(serialize_with = "two_decimals")]
    pub amount: Decimal,
    pub text: Arc<str>,
    pub source: Arc<str>,
}

/// Which policy version decided, the hash of its sources, and the date that picked it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct PolicyId {
    pub name: Arc<str>,
    pub version: Arc<str>,
    pub sha256: Arc<str>,
    /// The date the version is in force on that picked it (`2025-06-01`); absent when the
    /// version was given rather than picked (`proviso replay`).
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_date"
    )]
    pub in_force_on: Option<NaiveDate>,
    /// Where that date came from: a document path (`protection.purchased_at`,
    /// `order.placed_at`, `claim.filed_at`, `cancellation.requested_at`), or `--at` when the
    /// caller chose it (see [`crate::policy_set::version_date`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date_from: Option<&'static str>,
}

fn optional_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&crate::value::format_date(*d)),
        None => s.serialize_none(),
    }
}

/// An amount of money, rounded to the cent and shown with exactly two decimals.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Amount {
    #[serde(serialize_with = "two_decimals")]
    pub amount: Decimal,
    pub currency: Arc<str>,
}

fn two_decimals<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_money(*d))
}

/// `12.5` -> `12.50`, rounding half away from zero first.
pub fn format_money(d: Decimal) -> String {
    let mut r = crate::eval::round_money(d);
    r.rescale(2);
    r.to_string()
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Missing {
    pub requirement: Arc<str>,
    pub any_of: Arc<[Arc<str>]>,
}

/// A rule that decided the outcome, with the clause it implements and where it is written.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Reason {
    pub rule: Arc<str>,
    pub kind: &'static str,
    pub text: Arc<str>,
    pub source: Arc<str>,
    /// When the rule could not be computed for this document: why, and where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// Why a rule could not be computed for a document (division by zero, overflow, a hook
/// failure), and where in the policy: the decision is then `referred` to a person.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Failure {
    pub message: String,
    /// `file:line:col` of the expression that failed, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Arc<str>>,
}

/// Name to value, in rule order: deadlines (a date `2025-07-14` or an instant
/// `2025-07-11T09:30:00Z`, null when not applicable) and notes.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Deadlines(pub Vec<(Arc<str>, Option<String>)>);

impl Serialize for Deadlines {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            m.serialize_entry(k.as_ref(), v)?;
        }
        m.end()
    }
}

impl Deadlines {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .and_then(|(_, v)| v.as_deref())
    }
}
