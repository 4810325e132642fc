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

impl Tally {
    /// Counts one decision, and adds its payout or refund when it is approved.
    pub fn add(&mut self, d: &Decision) {
        match d.decision {
            Outcome::Approved => self.approved += 1,
            Outcome::Denied => self.denied += 1,
            Outcome::Incomplete => self.incomplete += 1,
            Outcome::Referred => self.referred += 1,
        }
        if d.decision != Outcome::Approved {
            return;
        }
        match (&d.refund, &d.payout) {
            (Some(r), _) => self.refunds.add(&r.currency, r.amount),
            (None, Some(p)) => self.payout.add(&p.currency, p.amount),
            (None, None) => {}
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
