//! The decision for one document, serialized as `docs/contract.md` specifies its JSON, and
//! read back from it.
//!
//! Every type here implements `Serialize` and `Deserialize`: a line of
//! `proviso eval --format json` reads back into a [`Decision`], and writing that decision
//! again gives the same bytes. Amounts are written as strings with exactly two decimals
//! (`"44.00"`) and read back as [`Decimal`]s, never through a float.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::de::{self, MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// What was decided: the `decision` field, written in lowercase (`approved`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// The claim is paid (see [`Decision::payout`]), or the cancellation refunded.
    Approved,
    /// The claim or cancellation is refused; [`Decision::reasons`] say why.
    Denied,
    /// Evidence is missing; [`Decision::missing_evidence`] lists it.
    Incomplete,
    /// A person must decide (a referral rule held, or a rule could not be computed).
    Referred,
}

impl fmt::Display for Outcome {
    /// The same lowercase word as the JSON (`approved`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Outcome {
    /// The same lowercase word as the JSON (`approved`).
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Denied => "denied",
            Outcome::Incomplete => "incomplete",
            Outcome::Referred => "referred",
        }
    }

    /// Index into the `decision` enumeration that deadlines read.
    #[doc(hidden)]
    pub fn index(self) -> u32 {
        match self {
            Outcome::Approved => 0,
            Outcome::Denied => 1,
            Outcome::Incomplete => 2,
            Outcome::Referred => 3,
        }
    }
}

/// The decision on one document: the outcome, the amounts and how they were computed, and
/// the rules that decided, each with the clause it implements and its `file:line:col`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Decision {
    /// The document's id (`claim.id` or `cancellation.id`; empty when it has none).
    pub document: String,
    /// The policy version that decided.
    pub policy: PolicyId,
    /// The outcome.
    pub decision: Outcome,
    /// What a claim pays; `None` unless an approved claim.
    pub payout: Option<Payout>,
    /// What a cancellation refunds; `None` unless a cancellation was decided.
    pub refund: Option<Refund>,
    /// The evidence requirements the document did not meet (an `incomplete` decision).
    pub missing_evidence: Vec<Missing>,
    /// Supporting evidence the policy recommends and the claim did not supply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recommended_evidence: Vec<Missing>,
    /// The assessed inputs (values a person supplies) the decision waits for: a `referred`
    /// decision that could not be made without them, in the order the rules needed them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub awaiting: Vec<Awaiting>,
    /// The rules that decided the outcome.
    pub reasons: Vec<Reason>,
    /// When the document could be decided otherwise: on a denial, when every exclusion
    /// that applies has an `eligible from`; on a referral, when every referral that applies
    /// has one (and no rule failed). The latest of those dates (`2025-07-12`), or an
    /// instant (`2025-07-12T09:30:00Z`) when any of them is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible_from: Option<Arc<str>>,
    /// The deadlines the policy computes, by name.
    pub deadlines: Deadlines,
    /// Why the claim is handled first, when a priority rule applies.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<Reason>,
    /// The appeal route, on denied decisions of policies that state one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub appeal: Option<Reason>,
    /// Values the policy reports with the decision (`resolution: cash`).
    #[serde(default, skip_serializing_if = "Deadlines::is_empty")]
    pub notes: Deadlines,
    /// On a denial by a fallback: the covered scenarios the claim came closest to, each
    /// with the first of its conditions that did not hold.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub not_met: Vec<NotMet>,
    /// Where the document was read from; set by [`crate::PolicySet::evaluate`] and
    /// [`crate::Prepared::decide`], absent from a decision made straight from facts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input: Option<Input>,
}

impl Decision {
    /// Writes the decision as JSON, without a line break: the same bytes as
    /// `serde_json::to_writer(out, self)`, in a fraction of the time (strings are checked
    /// for escapes a word at a time, and nothing goes through serde).
    pub fn write_json(&self, out: &mut impl std::io::Write) -> std::io::Result<()> {
        crate::write::decision(out, self)
    }
}

/// Where a document was read from: its file (`-` for standard input) and, for one line of
/// JSON Lines or a document on standard input, the line it starts on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Input {
    /// The file, as named.
    pub path: Arc<str>,
    /// The line the document starts on, when not the whole file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

/// A covered scenario a denied claim did not meet, and the condition it failed on.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotMet {
    /// The coverage rule's name.
    pub rule: Arc<str>,
    /// The clause it implements.
    pub text: Arc<str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
    /// The condition that did not hold, as written in the policy.
    pub condition: Arc<str>,
    /// `file:line:col` of that condition.
    pub condition_source: Arc<str>,
}

/// A claim's payout and how it was computed, step by step: the coverage rule's amount,
/// then each compensation rule that applied (a reduction always, a cap or floor when it
/// changed the amount), each signed. Empty unless the claim was approved.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Payout {
    /// The amount paid, rounded to the cent.
    #[serde(serialize_with = "two_decimals", deserialize_with = "money")]
    pub amount: Decimal,
    /// The currency the amount was computed in: the document's (`USD`).
    pub currency: Arc<str>,
    /// The parts of the amount paid differently (`cash`, `reshipment`), when the policy
    /// names payout components: every component it names, in order of first appearance,
    /// `0.00` unless approved. They add up to [`Payout::amount`] exactly.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub components: Vec<Component>,
    /// How the amount was computed, step by step.
    pub breakdown: Vec<Step>,
}

/// One part of a payout, paid in its own way (`cash`, `reshipment`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// The component's name, as the policy writes it after `as`.
    pub name: Arc<str>,
    /// The amount of this part, rounded to the cent.
    #[serde(serialize_with = "two_decimals", deserialize_with = "money")]
    pub amount: Decimal,
}

/// A refund and how it was computed, step by step.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Refund {
    /// The amount refunded, rounded to the cent.
    #[serde(serialize_with = "two_decimals", deserialize_with = "money")]
    pub amount: Decimal,
    /// The currency the amount was computed in: the document's (`USD`).
    pub currency: Arc<str>,
    /// How the amount was computed, step by step.
    pub breakdown: Vec<Step>,
}

/// One step of a payout or refund: the base amount, or an addition, reduction, cap or floor
/// (signed).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Step {
    /// The rule's name.
    pub rule: Arc<str>,
    /// The rule's kind (`coverage`, `compensation`, `refund`, `deduction`).
    pub kind: Cow<'static, str>,
    /// The amount it contributed, signed, rounded to the cent.
    #[serde(serialize_with = "two_decimals", deserialize_with = "money")]
    pub amount: Decimal,
    /// The payout component it paid or adjusted, when the policy names components.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub component: Option<Arc<str>>,
    /// The clause the rule implements.
    pub text: Arc<str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
}

/// Which policy version decided, the hash of its sources, and the date that picked it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PolicyId {
    /// The policy's name (`xcotton/shipping-protection`).
    pub name: Arc<str>,
    /// The version label (`2025-01-01`).
    pub version: Arc<str>,
    /// Hex SHA-256 of the policy's source and its hooks.
    pub sha256: Arc<str>,
    /// The date the version is in force on that picked it (`2025-06-01`); absent when the
    /// version was given rather than picked (`proviso replay`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        serialize_with = "optional_date",
        deserialize_with = "read_optional_date"
    )]
    pub in_force_on: Option<NaiveDate>,
    /// Where that date came from: a document path (`protection.purchased_at`,
    /// `order.placed_at`, `claim.filed_at`, `cancellation.requested_at`), or `--at` when the
    /// caller chose it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_from: Option<Cow<'static, str>>,
}

fn optional_date<S: Serializer>(d: &Option<NaiveDate>, s: S) -> Result<S::Ok, S::Error> {
    match d {
        Some(d) => s.serialize_str(&crate::value::format_date(*d)),
        None => s.serialize_none(),
    }
}

fn read_optional_date<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
    match Option::<Cow<'de, str>>::deserialize(d)? {
        None => Ok(None),
        Some(text) => crate::document::parse_date(&text)
            .map(Some)
            .ok_or_else(|| de::Error::custom(format!("`{text}` is not a date (YYYY-MM-DD)"))),
    }
}

/// An amount of money, rounded to the cent and shown with exactly two decimals.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Amount {
    /// The amount.
    #[serde(serialize_with = "two_decimals", deserialize_with = "money")]
    pub amount: Decimal,
    /// Its currency (`USD`).
    pub currency: Arc<str>,
}

fn two_decimals<S: Serializer>(d: &Decimal, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(&format_money(*d))
}

/// An amount written as a string (`"44.00"`), as [`two_decimals`] writes it.
fn money<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    let text = Cow::<'de, str>::deserialize(d)?;
    Decimal::from_str_exact(&text)
        .ok()
        .ok_or_else(|| de::Error::custom(format!("`{text}` is not an amount (`12.50`)")))
}

/// `12.5` -> `12.50`, rounding half away from zero first.
pub fn format_money(d: Decimal) -> String {
    crate::write::Money::of(d).as_str().to_string()
}

/// An evidence requirement a claim did not meet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Missing {
    /// The evidence rule's name.
    pub requirement: Arc<str>,
    /// The pieces of evidence, any one of which meets it.
    pub any_of: Arc<[Arc<str>]>,
}

/// An assessed input the decision waits for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Awaiting {
    /// The fact, as a document writes it (`assessment.share`).
    pub input: Arc<str>,
    /// `file:line:col` of its declaration in the policy.
    pub source: Arc<str>,
}

/// A rule that decided the outcome, with the clause it implements and where it is written.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    /// The rule's name.
    pub rule: Arc<str>,
    /// The rule's kind (`coverage`, `exclusion`, `referral`, ...; `evaluation` for a rule
    /// that could not be computed).
    pub kind: Cow<'static, str>,
    /// The clause it implements.
    pub text: Arc<str>,
    /// `file:line:col` of the rule.
    pub source: Arc<str>,
    /// An exclusion's or referral's own `eligible from`: a date or an instant.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub eligible_from: Option<Arc<str>>,
    /// When the rule could not be computed for this document: why, and where.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

/// Why a rule could not be computed for a document (division by zero, overflow, a hook
/// failure), and where in the policy: the decision is then `referred` to a person.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    /// What went wrong.
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

impl<'de> Deserialize<'de> for Deadlines {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Deadlines;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a map of names to dates, instants, values or null")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Deadlines, A::Error> {
                let mut entries = Vec::new();
                while let Some((k, v)) = map.next_entry::<Arc<str>, Option<String>>()? {
                    entries.push((k, v));
                }
                Ok(Deadlines(entries))
            }
        }
        d.deserialize_map(InOrder)
    }
}

impl Deadlines {
    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value named `name`, when it has one.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .and_then(|(_, v)| v.as_deref())
    }
}
