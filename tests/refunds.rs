//! Product-protection refunds, to the cent: every branch of the refund terms and every state
//! of the admin-fee schedule, with the arithmetic worked out by hand in each case.
//!
//! Days used = `requested_at` - `purchased_at`. Within 60 days (day 60 included): price -
//! paid claims. After: round((term - days used) x price / term) - paid claims - min(fee, 50),
//! never below zero; every amount rounded to the cent, half away from zero, as computed.
#![allow(clippy::unwrap_used, clippy::panic)]

use proviso::{Document, PolicySet};
use serde_json::Value;

thread_local! {
    static POLICIES: PolicySet = PolicySet::load("policies").unwrap();
}

/// A cancellation of an Xcotton product protection; defaults: price 300.00 bought on
/// 2025-01-01 for 365 days, a California order, no claims paid.
struct Cancel {
    price: Option<&'static str>,
    purchased: Option<&'static str>,
    term: Option<&'static str>,
    state: Option<&'static str>,
    requested: &'static str,
    paid: Option<&'static str>,
    protection: bool,
}

fn on(requested: &'static str) -> Cancel {
    Cancel {
        price: Some("300.00"),
        purchased: Some("2025-01-01"),
        term: Some("365"),
        state: Some("CA"),
        requested,
        paid: None,
        protection: true,
    }
}

impl Cancel {
    fn price(mut self, p: &'static str) -> Self {
        self.price = Some(p);
        self
    }
    fn purchased(mut self, d: &'static str) -> Self {
        self.purchased = Some(d);
        self
    }
    fn term(mut self, t: &'static str) -> Self {
        self.term = Some(t);
        self
    }
    fn state(mut self, s: Option<&'static str>) -> Self {
        self.state = s;
        self
    }
    fn paid(mut self, p: &'static str) -> Self {
        self.paid = Some(p);
        self
    }

    fn yaml(&self) -> String {
        let mut y = String::from("policy: xcotton/product-protection\n");
        if self.protection {
            y += "protection:\n  id: PP-1\n";
            let fields = [
                ("price", self.price.map(|p| format!("\"{p}\""))),
                ("purchased_at", self.purchased.map(str::to_string)),
                ("term_days", self.term.map(str::to_string)),
            ];
            for (k, v) in fields {
                if let Some(v) = v {
                    y += &format!("  {k}: {v}\n");
                }
            }
        }
        y += "order:\n  id: XC-1\n  placed_at: 2025-01-01\n  currency: USD\n";
        if let Some(s) = self.state {
            y += &format!("  state: {s}\n");
        }
        y += "  items: [{ sku: A, quantity: 1, unit_price: \"10.00\" }]\n";
        y += "shipment: { status: delivered, shipped_at: 2025-01-02 }\n";
        y += &format!(
            "cancellation:\n  id: CAN-1\n  requested_at: {}\n",
            self.requested
        );
        if let Some(p) = self.paid {
            y += &format!("  paid_claims: \"{p}\"\n");
        }
        y
    }

    /// The decision as the public JSON.
    fn decide(&self) -> Value {
        let text = self.yaml();
        let d = POLICIES
            .with(|set| set.evaluate(&Document::yaml("cancellation.yaml", &text)))
            .unwrap_or_else(|e| panic!("{e}\n{text}"));
        serde_json::to_value(&d).unwrap()
    }

    /// Asserts an approved refund of `amount` with exactly these breakdown steps.
    fn refunds(&self, amount: &str, steps: &[(&str, &str)]) {
        let d = self.decide();
        let text = self.yaml();
        assert_eq!(d["decision"], "approved", "{text}\n{d:#}");
        assert_eq!(d["payout"], Value::Null);
        assert_eq!(d["refund"]["currency"], "USD");
        assert_eq!(d["refund"]["amount"], amount, "{text}\n{d:#}");
        let got: Vec<(String, String)> = d["refund"]["breakdown"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let text = s["text"].as_str().unwrap();
                assert!(!text.is_empty(), "every step carries its clause text");
                (
                    s["rule"].as_str().unwrap().to_string(),
                    s["amount"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let want: Vec<(String, String)> = steps
            .iter()
            .map(|(r, a)| (r.to_string(), a.to_string()))
            .collect();
        assert_eq!(got, want, "{text}");
    }

    /// Asserts a refused cancellation: refund 0.00, no breakdown, `rule` the reason.
    fn refused(&self, rule: &str) {
        let d = self.decide();
        assert_eq!(d["decision"], "denied", "{d:#}");
        assert_eq!(d["refund"]["amount"], "0.00");
        assert_eq!(d["refund"]["breakdown"], serde_json::json!([]));
        let reasons: Vec<&str> = d["reasons"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["rule"].as_str().unwrap())
            .collect();
        assert_eq!(reasons, [rule]);
    }
}

// ---- within 60 days: price - paid claims ----------------------------------------------

#[test]
fn within_60_days_without_claims_refunds_the_full_price() {
    on("2025-02-10").refunds("300.00", &[("within_60_days", "300.00")]); // day 40
    on("2025-01-01").refunds("300.00", &[("within_60_days", "300.00")]); // day 0
}

#[test]
fn within_60_days_paid_claims_are_deducted() {
    on("2025-02-10").paid("30.00").refunds(
        "270.00",
        &[("within_60_days", "300.00"), ("paid_claims", "-30.00")],
    );
}

#[test]
fn within_60_days_claims_above_the_price_refund_zero() {
    // 300.00 - 350.00 = -50.00, floored: +50.00.
    on("2025-02-10").paid("350.00").refunds(
        "0.00",
        &[
            ("within_60_days", "300.00"),
            ("paid_claims", "-350.00"),
            ("refund_never_negative", "50.00"),
        ],
    );
}

#[test]
fn within_60_days_no_state_fee_applies_in_any_state() {
    for state in ["CA", "IL", "TX", "FL", "OK", "NY"] {
        on("2025-02-10")
            .state(Some(state))
            .refunds("300.00", &[("within_60_days", "300.00")]);
    }
}

#[test]
fn day_60_is_within_60_days_and_day_61_is_not() {
    // 2025-01-01 + 60 days = 2025-03-02 (31 + 28 + 1).
    on("2025-03-02").refunds("300.00", &[("within_60_days", "300.00")]);
    // Day 61: 304 x 300.00 / 365 = 249.8630... -> 249.86; CA min(30.00, 25.00) = 25.00.
    on("2025-03-03").refunds(
        "224.86",
        &[("after_60_days", "249.86"), ("admin_fee", "-25.00")],
    );
}

#[test]
fn days_are_calendar_days_and_a_leap_day_counts() {
    // 2028-01-15 -> 2028-03-15: 31 + 29 = 60 days: still within 60.
    on("2028-03-15")
        .purchased("2028-01-15")
        .refunds("300.00", &[("within_60_days", "300.00")]);
    // Day 61: 304 x 300.00 / 365 -> 249.86, less the CA fee 25.00.
    on("2028-03-16").purchased("2028-01-15").refunds(
        "224.86",
        &[("after_60_days", "249.86"), ("admin_fee", "-25.00")],
    );
}

#[test]
fn a_request_dated_before_the_purchase_is_within_60_days() {
    on("2024-12-20").refunds("300.00", &[("within_60_days", "300.00")]);
}

// ---- after 60 days: every state of the schedule ----------------------------------------

/// Day 100 (2025-04-11) of 365: 265 x 300.00 / 365 = 217.8082... -> 217.81.
#[test]
fn after_60_days_every_state_at_price_300() {
    let cases = [
        (Some("CA"), "-25.00", "192.81"), // min(30.00, 25.00)
        (Some("IL"), "-30.00", "187.81"), // min(30.00, 50.00)
        (Some("TX"), "-30.00", "187.81"), // min(30.00, 50.00)
        (Some("FL"), "-21.78", "196.03"), // 10% of 217.81 = 21.781
        (Some("OK"), "-21.78", "196.03"), // 10% of 217.81 = 21.781
        (Some("NY"), "-30.00", "187.81"), // plan default min(30.00, 50.00)
        (Some(""), "-30.00", "187.81"),   // an empty state is no state: plan default
        (None, "-30.00", "187.81"),       // no state: plan default
    ];
    for (state, fee, refund) in cases {
        on("2025-04-11")
            .state(state)
            .refunds(refund, &[("after_60_days", "217.81"), ("admin_fee", fee)]);
    }
}

/// Day 100 of 365 at 120.00: 265 x 120.00 / 365 = 87.1232... -> 87.12.
#[test]
fn after_60_days_every_state_at_price_120() {
    let cases = [
        (Some("CA"), "-12.00", "75.12"), // min(12.00, 25.00)
        (Some("IL"), "-12.00", "75.12"),
        (Some("TX"), "-12.00", "75.12"),
        (Some("FL"), "-8.71", "78.41"), // 10% of 87.12 = 8.712
        (Some("OK"), "-8.71", "78.41"),
        (Some("WA"), "-12.00", "75.12"),
        (None, "-12.00", "75.12"),
    ];
    for (state, fee, refund) in cases {
        on("2025-04-11")
            .price("120.00")
            .state(state)
            .refunds(refund, &[("after_60_days", "87.12"), ("admin_fee", fee)]);
    }
}

/// Day 100 of 365 at 900.00: 265 x 900.00 / 365 = 653.4246... -> 653.42. Ten percent is
/// 90.00 of the price, 65.342 of the pro-rated amount: every fee reaches a cap.
#[test]
fn after_60_days_every_state_at_its_cap() {
    let cases = [
        (Some("CA"), "-25.00", "628.42"), // the state's own cap, 25.00
        (Some("IL"), "-50.00", "603.42"), // the schedule's 50.00
        (Some("TX"), "-50.00", "603.42"),
        (Some("FL"), "-50.00", "603.42"), // 65.342: the plan's 50.00 cap, applied by the policy
        (Some("OK"), "-50.00", "603.42"),
        (Some("NV"), "-50.00", "603.42"),
        (None, "-50.00", "603.42"),
    ];
    for (state, fee, refund) in cases {
        on("2025-04-11")
            .price("900.00")
            .state(state)
            .refunds(refund, &[("after_60_days", "653.42"), ("admin_fee", fee)]);
    }
}

#[test]
fn the_specs_example_refunds_45_12() {
    // 265 x 120.00 / 365 -> 87.12; less 30.00 paid; less CA min(12.00, 25.00).
    on("2025-04-11").price("120.00").paid("30.00").refunds(
        "45.12",
        &[
            ("after_60_days", "87.12"),
            ("paid_claims", "-30.00"),
            ("admin_fee", "-12.00"),
        ],
    );
}

#[test]
fn after_60_days_deductions_above_the_pro_rated_amount_refund_zero() {
    // 87.12 - 100.00 - 12.00 = -24.88, floored: +24.88.
    on("2025-04-11").price("120.00").paid("100.00").refunds(
        "0.00",
        &[
            ("after_60_days", "87.12"),
            ("paid_claims", "-100.00"),
            ("admin_fee", "-12.00"),
            ("refund_never_negative", "24.88"),
        ],
    );
}

#[test]
fn at_and_after_the_end_of_the_term_nothing_is_left() {
    // Day 364: 1 x 300.00 / 365 = 0.8219... -> 0.82; CA fee 25.00; floored.
    on("2025-12-31").refunds(
        "0.00",
        &[
            ("after_60_days", "0.82"),
            ("admin_fee", "-25.00"),
            ("refund_never_negative", "24.18"),
        ],
    );
    // Day 365 and day 374: no days left.
    for day in ["2026-01-01", "2026-01-10"] {
        on(day).refunds(
            "0.00",
            &[
                ("after_60_days", "0.00"),
                ("admin_fee", "-25.00"),
                ("refund_never_negative", "25.00"),
            ],
        );
    }
}

// ---- rounding: to the cent, half away from zero, once per computed amount ---------------

#[test]
fn a_pro_rated_half_cent_rounds_away_from_zero() {
    // Term 730, day 365: 365 x 99.97 / 730 = 49.985 exactly -> 49.99 (half to even: 49.98).
    // NY fee: 10% of 99.97 = 9.997 -> 10.00.
    on("2026-01-01")
        .price("99.97")
        .term("730")
        .state(Some("NY"))
        .refunds(
            "39.99",
            &[("after_60_days", "49.99"), ("admin_fee", "-10.00")],
        );
}

#[test]
fn a_pro_rated_half_cent_behind_a_repeating_fraction_rounds_away_from_zero() {
    // Term 730, day 715 (2026-12-17): 15 x 100.01 / 730 = 2.055 exactly, though 15 / 730 has
    // no finite decimal: the policy multiplies before dividing, so this rounds to 2.06 (a
    // quotient rounded first would give 2.0549999... -> 2.05). FL: 10% of 2.06 = 0.206 -> 0.21.
    on("2026-12-17")
        .price("100.01")
        .term("730")
        .state(Some("FL"))
        .refunds("1.85", &[("after_60_days", "2.06"), ("admin_fee", "-0.21")]);
}

#[test]
fn a_half_cent_fee_rounds_away_from_zero() {
    // FL, term 730, day 365: 365 x 174.50 / 730 = 87.25; fee 8.725 -> 8.73 (to even: 8.72).
    on("2026-01-01")
        .price("174.50")
        .term("730")
        .state(Some("FL"))
        .refunds(
            "78.52",
            &[("after_60_days", "87.25"), ("admin_fee", "-8.73")],
        );
    // CA, day 100 of 365 at 12.25: 3246.25 / 365 = 8.8938... -> 8.89; fee 1.225 -> 1.23.
    on("2025-04-11")
        .price("12.25")
        .refunds("7.66", &[("after_60_days", "8.89"), ("admin_fee", "-1.23")]);
}

// ---- what the terms need ------------------------------------------------------------------

#[test]
fn cancellations_without_the_terms_needed_are_refused() {
    let mut none = on("2025-02-10");
    none.protection = false;
    none.refused("no_protection_to_cancel");
    let mut no_price = on("2025-02-10");
    no_price.price = None;
    no_price.refused("missing_protection_terms");
    let mut no_date = on("2025-02-10");
    no_date.purchased = None;
    no_date.refused("missing_protection_terms");
    let mut no_term = on("2025-04-11");
    no_term.term = None;
    no_term.refused("missing_protection_terms");
    on("2025-04-11")
        .term("0")
        .refused("missing_protection_terms");
    on("2025-02-10")
        .paid("-5.00")
        .refused("implausible_refund_amounts");
    on("2025-02-10")
        .price("-1.00")
        .refused("implausible_refund_amounts");
}

#[test]
fn the_term_is_not_needed_within_60_days() {
    let mut no_term = on("2025-02-10");
    no_term.term = None;
    no_term.refunds("300.00", &[("within_60_days", "300.00")]);
}

#[test]
fn a_cancellation_reports_no_payout_deadlines_or_notes() {
    let d = on("2025-04-11").decide();
    assert_eq!(d["document"], "CAN-1");
    assert_eq!(d["payout"], Value::Null);
    assert_eq!(d["deadlines"], serde_json::json!({}));
    assert!(d.get("notes").is_none());
    assert_eq!(d["missing_evidence"], serde_json::json!([]));
}
