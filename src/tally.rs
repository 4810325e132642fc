//! Totals over a batch of decisions: how many of each outcome, and the money paid and refunded.

use std::collections::BTreeMap;
use std::sync::Arc;

use rust_decimal::Decimal;

use crate::decision::Decision;
use crate::Outcome;

/// Counts and totals of the decisions of one run, and how many documents got none.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    pub approved: usize,
    pub denied: usize,
    pub incomplete: usize,
    pub referred: usize,
    /// Documents (or inputs) that got no decision.
    pub errors: usize,
    /// The payouts of approved claims, by currency.
    pub payout: Totals,
    /// The refunds of approved cancellations, by currency.
    pub refunds: Totals,
}

/// Sums of money by currency code, in code order. A sum beyond the range of a decimal is
/// kept as `None`, never wrapped or rounded.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Totals(pub BTreeMap<Arc<str>, Option<Decimal>>);

impl Totals {
    fn add(&mut self, currency: &Arc<str>, amount: Decimal) {
        let sum = self
            .0
            .entry(currency.clone())
            .or_insert(Some(Decimal::ZERO));
        *sum = sum.and_then(|s| s.checked_add(amount));
    }
}

/// What a [`Tally`] counts of one decision: its outcome and, when approved, what it pays
/// or refunds. Small, so that a decision made on another thread can be dropped there.
#[derive(Clone, Debug, PartialEq)]
pub struct Counted {
    outcome: Outcome,
    /// The amount paid (`false`) or refunded (`true`), in its currency.
    amount: Option<(bool, Arc<str>, Decimal)>,
}

impl Counted {
    /// What [`Tally::add`] counts of `d`.
    pub fn of(d: &Decision) -> Counted {
        let amount = match (d.decision, &d.refund, &d.payout) {
            (Outcome::Approved, Some(r), _) => Some((true, r.currency.clone(), r.amount)),
            (Outcome::Approved, None, Some(p)) => Some((false, p.currency.clone(), p.amount)),
            _ => None,
        };
        Counted {
            outcome: d.decision,
            amount,
        }
    }
}

impl Tally {
    /// Counts one decision, and adds its payout or refund when it is approved.
    pub fn add(&mut self, d: &Decision) {
        self.count(&Counted::of(d));
    }

    /// Counts a decision as [`Tally::add`] does, from what [`Counted::of`] kept of it.
    pub fn count(&mut self, c: &Counted) {
        match c.outcome {
            Outcome::Approved => self.approved += 1,
            Outcome::Denied => self.denied += 1,
            Outcome::Incomplete => self.incomplete += 1,
            Outcome::Referred => self.referred += 1,
        }
        match &c.amount {
            Some((true, currency, amount)) => self.refunds.add(currency, *amount),
            Some((false, currency, amount)) => self.payout.add(currency, *amount),
            None => {}
        }
    }

    /// Counts a document that got no decision.
    pub fn error(&mut self) {
        self.errors += 1;
    }

    /// Every document counted: those decided and those that got none.
    pub fn documents(&self) -> usize {
        self.approved + self.denied + self.incomplete + self.referred + self.errors
    }
}
