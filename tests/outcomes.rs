//! Decisions that hold up: evidence is asked only when it can matter, a rule that cannot be
//! computed refers the document, and amounts stay in the currency they were computed in.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{errors, summary, Engine, FACTS};

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

const EVIDENCE: &str = "evidence from claim.evidence\n";

// ---- evidence only when it can matter ---------------------------------------

/// A scenario selected by its claim type, then met by a fact; the claim must show a photo.
const SCENARIO: &str = "coverage stolen_goods doc \"Stolen goods are paid their amount.\"
  when claim.type == \"stolen\" and claim.flag
  pays claim.amount
evidence photos doc \"p\" requires photo";

#[test]
fn evidence_is_asked_when_a_coverage_rule_would_approve_once_it_arrives() {
    let e = Engine::claim(&format!("{EVIDENCE}{SCENARIO}"));
    let d = e.claim_decision("type: stolen\nflag: true");
    assert_eq!(
        summary(&d),
        ("incomplete".into(), "0.00".into(), strings(&["photos"]))
    );
    assert!(d.not_met.is_empty());
}

#[test]
fn evidence_is_not_asked_of_a_claim_no_evidence_could_make_covered() {
    let e = Engine::claim(&format!("{EVIDENCE}{SCENARIO}"));
    let d = e.claim_decision("type: stolen");
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), strings(&["not_covered"]))
    );
    assert!(d.missing_evidence.is_empty());
    assert_eq!(d.not_met.len(), 1);
    let n = &d.not_met[0];
    assert_eq!(n.rule.as_ref(), "stolen_goods");
    assert_eq!(n.text.as_ref(), "Stolen goods are paid their amount.");
    assert_eq!(n.source.as_ref(), "test.proviso:31:1");
    assert_eq!(n.condition.as_ref(), "claim.flag");
    assert_eq!(n.condition_source.as_ref(), "test.proviso:32:35");
    // A claim of another type is far from the scenario: none is named.
    let d = e.claim_decision("type: lost\nflag: true");
    assert_eq!(summary(&d).0, "denied");
    assert!(d.not_met.is_empty());
}

#[test]
fn a_missing_fact_that_decides_which_coverage_applies_makes_the_claim_incomplete() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}coverage some doc \"s\" when claim.fee is present and claim.fee > 10 pays claim.fee
evidence fee_stated doc \"the claim states its fee\" requires facts(claim.fee)"
    ));
    let d = e.claim_decision("");
    assert_eq!(
        summary(&d),
        ("incomplete".into(), "0.00".into(), strings(&["fee_stated"]))
    );
    assert_eq!(
        summary(&e.claim_decision("fee: 20")),
        ("approved".into(), "20.00".into(), strings(&["some"]))
    );
    assert_eq!(summary(&e.claim_decision("fee: 5")).0, "denied");
}

#[test]
fn a_missing_fact_that_cannot_change_the_outcome_does_not_hold_the_claim_up() {
    // Whatever the fee, a claim of type `lost` is never covered: `and` is false as soon as
    // one side is, `or` true as soon as one side is.
    let e = Engine::claim(&format!(
        "{EVIDENCE}coverage some doc \"s\" when claim.type == \"stolen\" and (claim.fee otherwise 0) > 10 pays 1
coverage other doc \"o\" when claim.type == \"damaged\" or claim.fee is present and not claim.flag pays 2
evidence fee_stated doc \"f\" requires facts(claim.fee)"
    ));
    let d = e.claim_decision("flag: true");
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), strings(&["not_covered"]))
    );
    let d = e.claim_decision("type: damaged");
    assert_eq!(summary(&d).0, "incomplete");
    let d = e.claim_decision("type: stolen");
    assert_eq!(summary(&d).0, "incomplete");
}

#[test]
fn a_derived_value_that_reads_a_missing_fact_is_not_known_either() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}let fee = claim.fee otherwise 0
exclusion e doc \"e\" when fee > 1000
coverage some doc \"s\" when fee > 10 pays 1
evidence fee_stated doc \"f\" requires facts(claim.fee)"
    ));
    // The exclusion read `fee` as 0 (absent); coverage must not reuse that value.
    assert_eq!(summary(&e.claim_decision("")).0, "incomplete");
}

// ---- a rule that cannot be computed refers the document ---------------------

#[test]
fn a_failure_keeps_the_referrals_already_found() {
    let e = Engine::claim(
        "referral r doc \"a person looks\" when claim.flag
priority p doc \"first\" when claim.amount / claim.rate > 1",
    );
    let d = e.claim_decision("flag: true\nrate: 0");
    assert_eq!(
        summary(&d),
        ("referred".into(), "0.00".into(), strings(&["r", "p"]))
    );
    assert!(d.reasons[0].failure.is_none());
    let f = d.reasons[1].failure.as_ref().unwrap();
    assert_eq!(f.message, "division by zero");
    assert_eq!(f.source.as_deref(), Some("test.proviso:31:29"));
    assert!(d.priority.is_none());
}

#[test]
fn a_failing_deadline_refers_an_approved_claim_and_the_others_are_still_set() {
    let e = Engine::claim(
        "coverage c doc \"c\" pays 1
deadline respond_by doc \"r\" by claim.filed_at + 24 hours
deadline odd doc \"o\" when decision == \"approved\" by add_business_days(date(claim.filed_at), claim.count)",
    );
    let d = e.claim_decision("count: -1");
    assert_eq!(
        summary(&d),
        ("referred".into(), "0.00".into(), strings(&["odd"]))
    );
    assert_eq!(d.deadlines.get("respond_by"), Some("2025-07-11T09:30:00Z"));
    assert_eq!(d.deadlines.get("odd"), None);
    assert_eq!(summary(&e.claim_decision("count: 2")).0, "approved");
}

// ---- amounts in their own currency ------------------------------------------

#[test]
fn a_document_in_another_currency_is_referred_and_its_amounts_keep_their_currency() {
    let e = Engine::claim("coverage c doc \"c\" pays claim.amount");
    let d = e.decide("currency: EUR\nclaim: { id: C-1, type: lost, filed_at: 2025-07-10T09:30:00Z, amount: 10, count: 1, rate: 1 }");
    assert_eq!(
        summary(&d),
        ("referred".into(), "0.00".into(), strings(&["currency"]))
    );
    assert_eq!(d.payout.as_ref().unwrap().currency.as_ref(), "EUR");
    let r = &d.reasons[0];
    assert_eq!(r.kind, "currency");
    assert_eq!(
        r.text.as_ref(),
        "This policy pays and refunds in USD; the document's amounts are in `EUR` (`currency`), so a person settles the exchange."
    );
    assert_eq!(r.source.as_ref(), "test.proviso:4:19");
    assert_eq!(summary(&e.claim_decision("")).0, "approved");
}

#[test]
fn an_amount_with_a_fraction_of_a_cent_is_referred_before_any_rule_rounds_it() {
    let e = Engine::claim("coverage c doc \"c\" pays claim.amount");
    let d = e.claim_decision("amount: \"1999.995\"");
    assert_eq!(
        summary(&d),
        ("referred".into(), "0.00".into(), strings(&["cents"]))
    );
    let r = &d.reasons[0];
    assert_eq!(r.kind, "cents");
    assert_eq!(
        r.text.as_ref(),
        "`claim.amount` is 1999.995 USD, a fraction of a cent; amounts are paid and refunded in whole cents, so a person settles this one rather than round it."
    );
    assert_eq!(r.source.as_ref(), "test.proviso:11:5");
    // In a list, the entry is named, and the source is the nested field's declaration.
    let d = e.claim_decision(
        "items: [{ sku: A, qty: 1, price: \"2.00\" }, { sku: B, qty: 1, price: 0.001 }]",
    );
    assert_eq!(summary(&d).0, "referred");
    assert!(d.reasons[0]
        .text
        .starts_with("`claim.items[1].price` is 0.001 USD,"));
    assert_eq!(d.reasons[0].source.as_ref(), "test.proviso:22:7");
    // Trailing zeros are still whole cents.
    assert_eq!(
        summary(&e.claim_decision("amount: \"24.0100\"")),
        ("approved".into(), "24.01".into(), strings(&["c"]))
    );
}

#[test]
fn a_policy_that_reads_amounts_must_say_which_fact_states_their_currency() {
    let text = "policy \"t/p\"\nversion \"1\"\neffective 2025-01-01\ncurrency USD\ndoc \"d\"\n\
                facts {\n  claim: record { amount: money }\n}\n\
                coverage c doc \"c\" pays claim.amount\nfallback f doc \"f\"\n";
    assert_eq!(
        minimal::errors_of(text),
        ["7:27 the policy reads amounts from documents but does not say which fact states their currency"]
    );
    let text = text.replace("currency USD\n", "currency USD from claim.amount\n");
    assert_eq!(
        minimal::errors_of(&text),
        ["4:19 the currency must come from a string fact, but `claim.amount` is money"]
    );
    // Without money facts, no currency fact is needed.
    assert!(errors(
        "  claim: record { n: integer }",
        "coverage c doc \"c\" pays 1"
    )
    .is_empty());
    assert!(!FACTS.is_empty());
}

// ---- check warns where a divisor can be zero --------------------------------

fn warnings(rules: &str) -> Vec<String> {
    let set = minimal::compile_text(&minimal::policy(FACTS, rules)).unwrap();
    set.warnings()
        .iter()
        .filter(|w| w.lint == proviso::internals::lint::Lint::ZeroDivisor)
        .map(|w| format!("{} {}", w.location(), w.error.message))
        .collect()
}

#[test]
fn check_warns_where_a_divisor_can_be_zero() {
    let rules = "let share = claim.amount / claim.count
coverage guarded doc \"g\" when claim.count > 0 pays claim.amount / claim.count
coverage in_branch doc \"b\" pays if claim.count >= 1 then claim.amount / claim.count else 0
coverage filtered doc \"f\" pays sum(i in claim.items where i.qty != 0: i.price / i.qty)
coverage constant doc \"c\" pays claim.amount / 4 + claim.amount / max(claim.count, 1)
coverage unguarded doc \"u\" when claim.count < 5 pays claim.amount / claim.count
coverage or_is_no_guard doc \"o\" when claim.count > 0 or claim.flag pays claim.amount / claim.rate";
    assert_eq!(
        warnings(rules),
        [
            "test.proviso:30:13 this division may divide by zero for some document",
            "test.proviso:35:54 this division may divide by zero for some document",
            "test.proviso:36:73 this division may divide by zero for some document",
        ]
    );
}

#[test]
fn the_bundled_policies_have_no_warnings() {
    let set = proviso::PolicySet::load(concat!(env!("CARGO_MANIFEST_DIR"), "/policies")).unwrap();
    let shown: Vec<String> = set
        .warnings()
        .iter()
        .map(|w| format!("{} {} {}", w.location(), w.lint.code(), w.error.message))
        .collect();
    assert!(shown.is_empty(), "{shown:?}");
}
