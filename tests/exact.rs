//! Exact arithmetic: the fraction type, decimals that would round, and amounts rounded once.
//!
//! A partial claim's value is a sum of line shares (line value x claimed units / line
//! units). Computed as 28-digit decimals, thirds and sevenths could sum to
//! 567.38499999999999999999999999 where the exact value is 567.385, paying a cent too
//! little; these tests hold the engine to the exact value, rounded once.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use std::cmp::Ordering;
use std::path::PathBuf;
use std::sync::OnceLock;

use minimal::{payout, Engine};
use proptest::prelude::*;
use proviso::internals::exact::{self, Fault};
use proviso::internals::ir::Arith;
use proviso::internals::ratio::Ratio;
use proviso::internals::value::Value;
use proviso::{Document, PolicySet};
use rust_decimal::Decimal;

fn r(num: i128, den: i128) -> Ratio {
    Ratio::new(num, den).unwrap()
}

fn dec(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn num(s: &str) -> Value {
    Value::Num(dec(s))
}

fn frac(num: i128, den: i128) -> Value {
    Value::Ratio(Box::new(r(num, den)))
}

// ---- the fraction type -----------------------------------------------------

#[test]
fn fractions_are_kept_in_lowest_terms_with_a_positive_denominator() {
    let parts = |x: Ratio| (x.numer(), x.denom());
    assert_eq!(parts(r(6, 4)), (3, 2));
    assert_eq!(parts(r(1, -2)), (-1, 2));
    assert_eq!(parts(r(-3, -6)), (1, 2));
    assert_eq!(parts(r(0, -7)), (0, 1));
    assert_eq!(parts(r(i128::MAX, i128::MAX)), (1, 1));
    assert_eq!(parts(Ratio::from_decimal(dec("1.50"))), (3, 2));
    assert_eq!(parts(Ratio::from_decimal(dec("-0.125"))), (-1, 8));
    assert_eq!(Ratio::new(1, 0), None);
    assert_eq!(Ratio::new(i128::MIN, 1), None);
    assert_eq!(Ratio::new(1, i128::MIN), None);
    assert_eq!(
        Ratio::new(i128::MIN, 2).map(parts),
        Some((i128::MIN / 2, 1))
    );
    assert_eq!(r(7, 3).to_string(), "7/3");
    assert_eq!(r(-8, 2).to_string(), "-4");
}

#[test]
fn fraction_arithmetic_is_exact() {
    assert_eq!(r(1, 3).checked_add(r(1, 6)), Some(r(1, 2)));
    assert_eq!(r(1, 3).checked_sub(r(1, 2)), Some(r(-1, 6)));
    assert_eq!(r(2, 3).checked_mul(r(9, 4)), Some(r(3, 2)));
    assert_eq!(r(2, 3).checked_div(r(-4, 9)), Some(r(-3, 2)));
    assert_eq!(r(2, 3).checked_div(Ratio::ZERO), None);
    assert_eq!(r(-5, 7).neg(), r(5, 7));
    assert_eq!(r(-5, 7).abs(), r(5, 7));
    // 200/3 + 100/7, exactly.
    assert_eq!(r(200, 3).checked_add(r(100, 7)), Some(r(1700, 21)));
}

#[test]
fn fraction_overflow_is_none_never_a_rounded_value() {
    let big = r(i128::MAX, 1);
    assert_eq!(big.checked_add(r(1, 1)), None);
    assert_eq!(big.checked_mul(r(2, 1)), None);
    assert_eq!(r(1, i128::MAX).checked_mul(r(1, 2)), None);
    // Denominators 2^64 + 1 and 2^64 - 1 are coprime: their product does not fit.
    let (a, b) = ((1i128 << 64) + 1, (1i128 << 64) - 1);
    assert_eq!(r(1, a).checked_add(r(1, b)), None);
    // Cancelling first keeps a product in range that would not fit multiplied out.
    assert_eq!(r(a, b).checked_mul(r(b, a)), Some(r(1, 1)));
}

#[test]
fn fractions_compare_exactly_without_overflow() {
    assert_eq!(r(1, 3).cmp(&r(1, 2)), Ordering::Less);
    assert_eq!(r(-1, 3).cmp(&r(-1, 2)), Ordering::Greater);
    assert_eq!(r(2, 4).cmp(&r(1, 2)), Ordering::Equal);
    assert_eq!(r(-7, 2).cmp(&r(-3, 1)), Ordering::Less);
    // Cross-multiplying these would overflow an i128.
    let m = i128::MAX;
    assert_eq!(r(m - 1, m).cmp(&r(m - 2, m - 1)), Ordering::Greater);
    assert_eq!(r(-(m - 1), m).cmp(&r(-(m - 2), m - 1)), Ordering::Less);
    assert_eq!(r(m, m - 1).cmp(&r(m - 1, m - 2)), Ordering::Less);
}

#[test]
fn rounding_is_half_away_from_zero_on_exact_halves() {
    assert_eq!(r(567_385, 1000).round_to_scale(2), Some(56_739));
    assert_eq!(r(-567_385, 1000).round_to_scale(2), Some(-56_739));
    assert_eq!(r(-5, 1000).round_to_scale(2), Some(-1));
    assert_eq!(r(5, 1000).round_to_scale(2), Some(1));
    assert_eq!(r(4_999, 1_000_000).round_to_scale(2), Some(0));
    assert_eq!(r(2, 3).round_to_scale(2), Some(67));
    assert_eq!(r(-2, 3).round_to_scale(2), Some(-67));
    assert_eq!(r(1, 3).round_to_scale(2), Some(33));
    assert_eq!(r(1, 3).round_to_scale(0), Some(0));
    assert_eq!(r(5, 2).round_to_scale(0), Some(3));
    assert_eq!(r(-5, 2).round_to_scale(0), Some(-3));
    assert_eq!(r(1, 3).round_dp(2), Some(dec("0.33")));
    // The digits of a fraction whose denominator is near the top of the i128 range.
    let m = i128::MAX;
    assert_eq!(r(m - 1, m).round_to_scale(3), Some(1000));
    assert_eq!(r(1, m).round_to_scale(30), Some(0));
    // A mantissa past i128 is an overflow.
    assert_eq!(r(m, 1).round_to_scale(2), None);
}

#[test]
fn a_fraction_is_a_decimal_only_when_one_holds_it_exactly() {
    assert_eq!(r(1, 4).to_decimal(), Some(dec("0.25")));
    assert_eq!(r(-567_385, 1000).to_decimal(), Some(dec("-567.385")));
    assert_eq!(r(1, 3).to_decimal(), None);
    assert_eq!(r(1, 1 << 28).to_decimal().map(|d| d.scale()), Some(28));
    assert_eq!(r(1, 1 << 29).to_decimal(), None);
    assert_eq!(r(10i128.pow(29), 1).to_decimal(), None);
    assert_eq!(
        r(1, 3).nearest_decimal(),
        Some(dec("0.3333333333333333333333333333"))
    );
    assert_eq!(
        r(200, 3).nearest_decimal(),
        Some(dec("66.666666666666666666666666667"))
    );
    assert_eq!(r(10i128.pow(30), 3).nearest_decimal(), None);
}

// ---- numbers at run time ---------------------------------------------------

fn op(o: Arith, a: &Value, b: &Value) -> Result<Value, Fault> {
    exact::arith(o, a, b)
}

#[test]
fn a_division_no_decimal_holds_is_a_fraction_and_exact_results_are_decimals() {
    assert_eq!(op(Arith::Div, &num("200"), &num("3")), Ok(frac(200, 3)));
    assert_eq!(op(Arith::Div, &num("1"), &num("8")), Ok(num("0.125")));
    let third = op(Arith::Div, &num("200"), &num("3")).unwrap();
    assert_eq!(op(Arith::Mul, &third, &num("3")), Ok(num("200")));
    assert_eq!(op(Arith::Add, &third, &frac(100, 3)), Ok(num("100")));
    assert_eq!(op(Arith::Sub, &third, &third), Ok(num("0")));
    assert_eq!(
        op(Arith::Div, &third, &num("0")),
        Err(Fault::DivisionByZero)
    );
    assert_eq!(
        op(Arith::Div, &num("1"), &num("0")),
        Err(Fault::DivisionByZero)
    );
    assert_eq!(exact::neg(&third), Ok(frac(-200, 3)));
    assert_eq!(exact::abs(&frac(-200, 3)), Ok(third.clone()));
    assert_eq!(exact::round_cents(&third), Ok(dec("66.67")));
    assert_eq!(exact::round_cents(&frac(-200, 3)), Ok(dec("-66.67")));
    assert_eq!(exact::cmp(&third, &num("66.67")), Some(Ordering::Less));
    assert_eq!(exact::cmp(&num("66.66"), &third), Some(Ordering::Less));
    assert_eq!(
        exact::cmp_decimal(&third, dec("66.6667")),
        Some(Ordering::Less)
    );
    assert_eq!(exact::shown(&third), "200/3");
}

#[test]
fn a_decimal_product_past_28_places_is_not_rounded() {
    // rust_decimal rounds 1e-14 * 1e-15 to zero.
    let tiny = op(
        Arith::Mul,
        &num("0.00000000000001"),
        &num("0.000000000000001"),
    )
    .unwrap();
    assert_eq!(tiny, frac(1, 10i128.pow(29)));
    assert_eq!(exact::cmp(&tiny, &num("0")), Some(Ordering::Greater));
    // 1 + 1e-13 + 1e-16 + 1e-29: 29 places, which rust_decimal rounds to 28.
    let p = op(
        Arith::Mul,
        &num("1.0000000000000001"),
        &num("1.0000000000001"),
    )
    .unwrap();
    let (e13, e16, e29) = (10i128.pow(13), 10i128.pow(16), 10i128.pow(29));
    assert_eq!(p, frac(e29 + e16 + e13 + 1, e29));
    assert_eq!(op(Arith::Sub, &p, &num("1")), Ok(frac(e16 + e13 + 1, e29)));
}

#[test]
fn a_decimal_sum_past_96_bits_is_not_rounded() {
    // rust_decimal gives 10000000000000000000000000000 for this sum.
    let max = "9999999999999999999999999999";
    let s = op(Arith::Add, &num(max), &num("0.1")).unwrap();
    assert_eq!(s, frac(99_999_999_999_999_999_999_999_999_991, 10));
    assert_eq!(
        op(Arith::Sub, &s, &num(max)),
        Ok(num("0.1")),
        "the tenth is still there"
    );
    // Its cents do not fit a decimal: an overflow, not a rounded amount.
    assert_eq!(exact::round_cents(&s), Err(Fault::Overflow));
    assert_eq!(
        op(Arith::Sub, &num("-0.1"), &num(max)),
        Ok(frac(-99_999_999_999_999_999_999_999_999_991, 10))
    );
}

#[test]
fn numbers_keep_the_range_of_decimals() {
    let max = "79228162514264337593543950335";
    assert_eq!(op(Arith::Add, &num(max), &num("1")), Err(Fault::Overflow));
    assert_eq!(op(Arith::Div, &num(max), &num("0.5")), Err(Fault::Overflow));
    assert_eq!(op(Arith::Mul, &num(max), &frac(4, 3)), Err(Fault::Overflow));
    // 2^96 - 1 is a multiple of 3, so two thirds of it is a decimal again.
    assert_eq!(
        op(Arith::Mul, &num(max), &frac(2, 3)),
        Ok(num("52818775009509558395695966890"))
    );
}

#[test]
fn a_whole_number_is_required_where_one_is_needed() {
    assert_eq!(exact::whole(&num("3")), Some(3));
    assert_eq!(exact::whole(&num("3.00")), Some(3));
    assert_eq!(exact::whole(&num("3.5")), None);
    assert_eq!(exact::whole(&frac(7, 3)), None);
    assert_eq!(exact::whole(&num("99999999999999999999")), None);
    assert_eq!(
        exact::nearest_decimal(&frac(2, 3)),
        Some(dec("0.6666666666666666666666666667"))
    );
}

// ---- through the engine ----------------------------------------------------

/// What `coverage c pays <expr>` pays for the claim with `fields`.
fn pays(expr: &str, fields: &str) -> String {
    let e = Engine::claim(&format!("coverage c doc \"c\" pays {expr}"));
    let d = e.claim_decision(fields);
    assert_eq!(d.decision.as_str(), "approved");
    payout(&d)
}

/// Whether `expr` holds for the claim with `fields`.
fn holds(expr: &str, fields: &str) -> bool {
    let e = Engine::claim(&format!(
        "exclusion x doc \"x\" when {expr}\nfallback f doc \"f\""
    ));
    let d = e.claim_decision(fields);
    match d.reasons.first().map(|r| r.rule.to_string()).as_deref() {
        Some("x") => true,
        Some("f") => false,
        other => panic!("unexpected reasons {other:?}"),
    }
}

/// The notes of `rules` for the claim with `fields`, as `name=value`.
fn notes(rules: &str, fields: &str) -> Vec<String> {
    let d = Engine::claim(rules).claim_decision(fields);
    let json = serde_json::to_value(&d).unwrap();
    json["notes"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or("null")))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn thirds_add_up_exactly_before_the_one_rounding() {
    assert_eq!(
        pays("claim.amount / 3 + claim.amount * 2 / 3", ""),
        "100.00"
    );
    // Three thirds of a cent and half a cent are 0.015: rounded up. As 28-digit
    // decimals the thirds summed to 0.0099999999999999999999999999, giving 0.01.
    let third = "claim.amount / 3";
    assert_eq!(
        pays(
            &format!("{third} + {third} + {third} + 0.005"),
            "amount: \"0.01\""
        ),
        "0.02"
    );
    assert!(holds(
        &format!("round(0.005 - {third} - {third} - {third}) == -0.01"),
        "amount: \"0.01\""
    ));
}

#[test]
fn fractions_compare_min_max_and_round_exactly() {
    assert!(holds("claim.amount / 3 * 3 == claim.amount", "amount: 1"));
    assert!(holds("claim.amount / 3 > 33.333333333333333333333333", ""));
    assert!(holds(
        "claim.amount / 3 < 33.33333333333333333333333334",
        ""
    ));
    assert!(holds(
        "claim.amount / 3 != 33.3333333333333333333333333",
        ""
    ));
    assert!(holds("-(claim.amount / 3) < -33.3333", ""));
    assert!(holds("abs(-(claim.amount / 3)) == claim.amount / 3", ""));
    assert!(holds("round(claim.amount / 3) == 33.33", ""));
    assert!(holds("round(-(claim.amount * 2 / 3)) == -66.67", ""));
    assert!(holds(
        "min(claim.amount / 3, 33.34) == claim.amount / 3",
        ""
    ));
    assert!(holds(
        "max(claim.amount / 7, claim.amount / 6) == claim.amount / 6",
        ""
    ));
    assert_eq!(pays("max(claim.amount / 3, 10) * 3", ""), "100.00");
    assert_eq!(pays("round(claim.amount / 3) * 3", ""), "99.99");
}

#[test]
fn a_sum_of_fractions_is_exact() {
    let items = "items:\n  - { sku: A, qty: 3, price: \"10.00\" }\n  - { sku: B, qty: 3, price: \"20.00\" }";
    // 10/3 + 20/3 = 10, exactly: no 9.99999... rounding up or down.
    assert_eq!(
        pays("sum(i in claim.items: i.price / i.qty) * 1000", items),
        "10000.00"
    );
    assert!(holds("sum(i in claim.items: i.price / i.qty) == 10", items));
}

#[test]
fn a_table_looks_up_a_fraction_exactly() {
    let rules = "table band(value)\n  doc \"t\"\n  up to 33.33: 1\n  over 33.33 up to 33.34: 2\n  over 33.34: 3\n\
                 coverage c doc \"c\" pays band(claim.amount / 3)";
    let d = Engine::claim(rules).claim_decision("");
    assert_eq!(payout(&d), "2.00");
    // Exactly 1: the first row. As 28-digit decimals, 1.0000000000000000000000000001.
    let rules = "table band(value)\n  doc \"t\"\n  up to 1: 1\n  over 1: 2\n\
                 coverage c doc \"c\" pays band(2 - claim.amount / 3 * 3)";
    assert_eq!(
        payout(&Engine::claim(rules).claim_decision("amount: 1")),
        "1.00"
    );
}

#[test]
fn a_note_shows_a_fraction_as_money_to_the_cent_or_as_the_nearest_decimal() {
    let rules = "note share doc \"s\" shows claim.amount / 3\n\
                 note rate doc \"r\" shows claim.rate / 3\n\
                 coverage c doc \"c\" pays 1";
    assert_eq!(
        notes(rules, ""),
        ["rate=0.1666666666666666666666666667", "share=33.33"]
    );
}

/// Writes a policy with a hook that reports the exact decimal it was given.
#[test]
fn a_hook_is_given_the_nearest_decimal_of_a_fraction() {
    let dir = std::env::temp_dir().join(format!("proviso-exact-hook-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let policy = r#"policy "test/exact-hook"
version "1"
effective 2025-01-01
currency USD from claim.currency
doc "A claim paid 1.00 or 2.00, as the hook sees its argument."

facts {
  claim: record { id: string  amount: money  currency: string default "USD" }
}

hook seen(amount: money) -> money from "seen.rhai"

coverage c doc "Pays what the hook says." pays seen(claim.amount / 3)
fallback f doc "Not reached."
"#;
    std::fs::write(dir.join("policy.proviso"), policy).unwrap();
    std::fs::write(
        dir.join("seen.rhai"),
        "fn seen(amount) { if amount == 33.333333333333333333333333333 { 1 } else { 2 } }\n",
    )
    .unwrap();
    let set = PolicySet::load(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    let set = set.unwrap_or_else(|e| panic!("{e:?}"));
    let doc = r#"{"policy": "test/exact-hook", "claim": {"id": "C-1", "amount": "100.00"}}"#;
    let at = chrono::NaiveDate::from_ymd_opt(2025, 6, 1);
    let d = set.evaluate_at(&Document::json("c.json", doc), at).unwrap();
    assert_eq!(payout(&d), "1.00");
}

// ---- the bundled shipping policy -------------------------------------------

fn policies() -> &'static PolicySet {
    static SET: OnceLock<PolicySet> = OnceLock::new();
    SET.get_or_init(|| {
        let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("policies");
        PolicySet::load(dir).unwrap_or_else(|e| panic!("{e:?}"))
    })
}

/// An order line: quantity, unit price and discount in cents, and the units claimed (0: none).
#[derive(Clone, Debug)]
struct Line {
    quantity: i64,
    price: i64,
    discount: i64,
    claimed: i64,
}

/// An amount in cents as text: `12.34`.
fn cents(c: impl Into<i128>) -> String {
    let c: i128 = c.into();
    let sign = if c < 0 { "-" } else { "" };
    format!("{sign}{}.{:02}", c.abs() / 100, c.abs() % 100)
}

/// A partial-loss claim under Xcotton's shipping protection for the claimed units of `lines`.
fn partial_loss(lines: &[Line]) -> String {
    let items: Vec<String> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                r#"{{"sku": "SKU-{i}", "quantity": {}, "unit_price": "{}", "discount": "{}"}}"#,
                l.quantity,
                cents(l.price),
                cents(l.discount)
            )
        })
        .collect();
    let claimed: Vec<String> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.claimed > 0)
        .map(|(i, l)| format!(r#"{{"sku": "SKU-{i}", "quantity": {}}}"#, l.claimed))
        .collect();
    format!(
        r#"{{"policy": "xcotton/shipping-protection",
  "protection": {{"id": "SP-1", "price": "3.99", "purchased_at": "2025-06-03"}},
  "order": {{"id": "XC-1", "placed_at": "2025-06-03", "currency": "USD", "region": "domestic",
             "items": [{}]}},
  "shipment": {{"status": "delivered", "shipped_at": "2025-06-04", "delivered_at": "2025-06-09"}},
  "claim": {{"id": "CLM-1", "type": "partial_loss", "filed_at": "2025-06-09T22:10:00Z",
             "items": [{}],
             "evidence": [{{"kind": "tracking_screenshot"}}, {{"kind": "weight_proof"}}]}}}}"#,
        items.join(", "),
        claimed.join(", ")
    )
}

/// The decision's outcome and payout.
fn decide(doc: &str) -> (String, String) {
    let d = policies()
        .evaluate(&Document::json("claim.json", doc))
        .unwrap_or_else(|e| panic!("{e}\n{doc}"));
    (d.decision.as_str().to_string(), payout(&d))
}

fn gcd(a: i64, b: i64) -> i64 {
    if b == 0 {
        a
    } else {
        gcd(b, a % b)
    }
}

/// The value of the claimed units, computed independently of the engine: every share is
/// a whole number of 1/L cents (L the lcm of the claimed lines' quantities). Returns L
/// and the value in those units.
fn exact_value(lines: &[Line]) -> (i64, i128) {
    let claimed = || lines.iter().filter(|l| l.claimed > 0);
    let lcm = claimed().fold(1, |acc, l| acc / gcd(acc, l.quantity) * l.quantity);
    let total = claimed()
        .map(|l| {
            let value = i128::from(l.quantity * l.price - l.discount);
            value * i128::from(l.claimed) * i128::from(lcm / l.quantity)
        })
        .sum();
    (lcm, total)
}

/// The payout: the exact value rounded half away from zero to the cent, capped at the
/// order's value.
fn expected_payout(lines: &[Line]) -> String {
    let (lcm, total) = exact_value(lines);
    let lcm = i128::from(lcm);
    let rounded = (2 * total + lcm) / (2 * lcm);
    let order: i128 = lines
        .iter()
        .map(|l| i128::from(l.quantity * l.price - l.discount))
        .sum();
    cents(rounded.min(order))
}

#[test]
fn thirds_and_sevenths_of_a_partial_loss_are_paid_to_the_exact_cent() {
    // Shares: 48.30, 15.89/2, 43.79/3, 196.53/7, 99.05*2/3, 704.26*4/7: exactly 567.385.
    // As 28-digit decimals they summed to 567.38499999999999999999999999, paying 567.38.
    let line = |quantity, price, discount, claimed| Line {
        quantity,
        price,
        discount,
        claimed,
    };
    let lines = [
        line(1, 4830, 0, 1),
        line(2, 878, 167, 1),
        line(3, 1460, 1, 1),
        line(7, 2905, 682, 1),
        line(3, 3356, 163, 2),
        line(7, 10571, 3571, 4),
    ];
    assert_eq!(expected_payout(&lines), "567.39");
    assert_eq!(
        decide(&partial_loss(&lines)),
        ("approved".to_string(), "567.39".to_string())
    );
}

/// The shipping policy's `affected_value`, in a test policy that asks whether it is
/// exactly the independent value (a whole number of 1/L cents, L given).
const AFFECTED: &str = "\
let affected_value =
  sum(c in claim.items:
    sum(i in order.items where i.sku == c.sku:
      (i.quantity * i.unit_price - i.discount) * (c.quantity otherwise i.quantity) / i.quantity))
exclusion exact doc \"The value is exact.\"
  when affected_value * claim.lcm == claim.scaled
fallback inexact doc \"The value is not exact.\"";

const AFFECTED_FACTS: &str = "\
  order: record {
    items: list of record { sku: string  quantity: integer  unit_price: money  discount: money }
  }
  claim: record {
    id: string
    items: list of record { sku: string  quantity: optional integer }
    lcm: integer
    scaled: money
  }";

/// Whether the engine computes `affected_value` for `lines` exactly.
fn affected_value_is_exact(lines: &[Line]) -> bool {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    let engine = ENGINE.get_or_init(|| Engine::new(AFFECTED_FACTS, AFFECTED));
    let (lcm, scaled) = exact_value(lines);
    let doc = partial_loss(lines).replace(
        r#""type": "partial_loss","#,
        &format!(r#""lcm": {lcm}, "scaled": "{}","#, cents(scaled)),
    );
    let doc = doc.replace("xcotton/shipping-protection", minimal::NAME);
    let d = engine
        .run_json(&doc)
        .unwrap_or_else(|e| panic!("{e}\n{doc}"));
    d.reasons.first().map(|r| &*r.rule) == Some("exact")
}

fn line() -> impl Strategy<Value = Line> {
    (1i64..=12, 1i64..=50_000, 0i64..=25).prop_flat_map(|(quantity, price, discount_pct)| {
        // A discount of up to a quarter of the line value, in cents; mostly some of
        // the units claimed, sometimes none.
        let discount = quantity * price * discount_pct / 100;
        (0i64..=quantity).prop_map(move |claimed| Line {
            quantity,
            price,
            discount,
            claimed,
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 1000,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    /// Generated orders and partial-loss claims pay the exact value of the claimed units,
    /// rounded once, half away from zero; before rounding, that value is exact.
    #[test]
    fn partial_losses_pay_the_exact_rounded_value(
        lines in prop::collection::vec(line(), 1..=8)
            .prop_filter("something is claimed", |ls| ls.iter().any(|l| l.claimed > 0))
    ) {
        let doc = partial_loss(&lines);
        prop_assert_eq!(decide(&doc), ("approved".to_string(), expected_payout(&lines)));
        prop_assert!(affected_value_is_exact(&lines), "{}", doc);
    }

    /// Fraction arithmetic and comparison agree with cross-multiplication on small parts.
    #[test]
    fn fraction_arithmetic_agrees_with_cross_multiplication(
        a in -1_000_000i128..=1_000_000, b in 1i128..=1_000_000,
        c in -1_000_000i128..=1_000_000, d in 1i128..=1_000_000,
    ) {
        let (x, y) = (r(a, b), r(c, d));
        let same = |q: Ratio, n: i128, m: i128| q.numer() * m == n * q.denom();
        prop_assert!(same(x.checked_add(y).unwrap(), a * d + c * b, b * d));
        prop_assert!(same(x.checked_sub(y).unwrap(), a * d - c * b, b * d));
        prop_assert!(same(x.checked_mul(y).unwrap(), a * c, b * d));
        if c != 0 {
            let q = x.checked_div(y).unwrap();
            prop_assert!(same(q, a * d * c.signum(), b * c.abs()));
        }
        prop_assert_eq!(x.cmp(&y), (a * d).cmp(&(c * b)));
        // Half away from zero, to the cent: |a| * 100 / b, rounded, with a's sign.
        let cents = (2 * a.abs() * 100 + b) / (2 * b) * a.signum();
        prop_assert_eq!(x.round_to_scale(2), Some(cents));
    }
}
