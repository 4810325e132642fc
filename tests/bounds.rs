//! Decisions that never pay more than the goods: over generated documents for every bundled
//! policy, a claim's payout never exceeds the discounted value of the order, a refund never
//! exceeds the protection's price, and every amount is in the order's currency.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

#[path = "support/documents.rs"]
mod documents;

use std::str::FromStr;
use std::sync::OnceLock;

use proptest::prelude::*;
use proviso::{Document, PolicySet};
use rust_decimal::Decimal;
use serde_json::Value;

fn set() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| PolicySet::load(support::root().join("policies")).unwrap())
}

/// A money or number field as the document writes it (a string or a JSON number).
fn amount(v: &Value) -> Option<Decimal> {
    match v {
        Value::String(s) => Decimal::from_str(s).ok(),
        Value::Number(n) => Decimal::from_str(&n.to_string()).ok(),
        _ => None,
    }
}

/// The discounted order value: quantity x unit price - discount, summed over the lines,
/// computed here independently of the policies.
fn discounted_order_value(doc: &Value) -> Decimal {
    let items = doc["order"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    items
        .iter()
        .map(|i| {
            let q = amount(&i["quantity"]).unwrap_or_default();
            let price = amount(&i["unit_price"]).unwrap_or_default();
            let discount = amount(&i["discount"]).unwrap_or_default();
            q * price - discount
        })
        .sum()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(support::cases(400)))]

    #[test]
    fn no_decision_pays_more_than_the_goods_or_refunds_more_than_the_price(
        doc in documents::document()
    ) {
        let text = serde_json::to_string(&doc).unwrap();
        let d = set().evaluate(&Document::json("doc.json", &text));
        let d = match d {
            Ok(d) => d,
            Err(e) => return Err(TestCaseError::fail(format!("{text}\nnot decided: {e}"))),
        };
        let currency = doc["order"]["currency"].as_str().unwrap_or("");
        if let Some(p) = &d.payout {
            prop_assert!(!p.amount.is_sign_negative() || p.amount.is_zero(), "{text}");
            prop_assert!(
                p.amount <= discounted_order_value(&doc).max(Decimal::ZERO),
                "{text}\npays {} of an order worth {}", p.amount, discounted_order_value(&doc)
            );
            prop_assert_eq!(&*p.currency, currency, "{}", text);
        }
        if let Some(r) = &d.refund {
            let price = amount(&doc["protection"]["price"]).unwrap_or_default();
            prop_assert!(!r.amount.is_sign_negative() || r.amount.is_zero(), "{text}");
            prop_assert!(r.amount <= price.max(Decimal::ZERO), "{text}\nrefunds {} of {price}", r.amount);
            prop_assert_eq!(&*r.currency, currency, "{}", text);
        }
        if d.decision.as_str() != "approved" {
            let zero = d.payout.as_ref().map(|p| p.amount).or(d.refund.as_ref().map(|r| r.amount));
            prop_assert_eq!(zero, Some(Decimal::ZERO), "{}", text);
        }
    }
}
