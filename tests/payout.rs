//! Compensation that adds (`add`), payout components (`pays X as cash`, `cap cash at 20`)
//! and the final amounts deadlines and notes read (`decision.payout`, `decision.payout.cash`).

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{errors, located, policy, policy_errors, underlined, Engine};
use proviso::{Decision, PolicyError};

/// Facts on lines 7 to 15; rules start on line 16.
const FACTS: &str = "  claim: record {
    id: string
    value: money
    reship: money default 0
    extra: money default 0
    courier: money default 0
    kind: enum { parcel, parts }
  }";

fn claim(fields: &str) -> String {
    format!("claim:\n  id: C-1\n  kind: parcel\n{fields}")
}

/// `(rule, kind, amount, component)` of each breakdown step.
fn steps(d: &Decision) -> Vec<(String, String, String, Option<String>)> {
    d.payout
        .as_ref()
        .unwrap()
        .breakdown
        .iter()
        .map(|s| {
            (
                s.rule.to_string(),
                s.kind.to_string(),
                proviso::format_money(s.amount),
                s.component.as_deref().map(str::to_string),
            )
        })
        .collect()
}

fn step(
    rule: &str,
    kind: &str,
    amount: &str,
    component: Option<&str>,
) -> (String, String, String, Option<String>) {
    (
        rule.into(),
        kind.into(),
        amount.into(),
        component.map(str::to_string),
    )
}

fn paid(d: &Decision) -> String {
    proviso::format_money(d.payout.as_ref().unwrap().amount)
}

/// `name amount` of each component.
fn components(d: &Decision) -> Vec<String> {
    d.payout
        .as_ref()
        .unwrap()
        .components
        .iter()
        .map(|c| format!("{} {}", c.name, proviso::format_money(c.amount)))
        .collect()
}

/// The decision's JSON, checked to be written by the hand-written writer as serde_json
/// writes it, and to read back to the same decision and bytes.
fn json(d: &Decision) -> serde_json::Value {
    let mut ours = Vec::new();
    d.write_json(&mut ours).unwrap();
    let ours = String::from_utf8(ours).unwrap();
    assert_eq!(ours, serde_json::to_string(d).unwrap());
    let back: Decision = serde_json::from_str(&ours).unwrap();
    assert_eq!(&back, d);
    assert_eq!(serde_json::to_string(&back).unwrap(), ours);
    serde_json::from_str(&ours).unwrap()
}

const ADD: &str = "\
coverage lost doc \"Lost parcels: the items' value.\" pays claim.value
compensation reshipping doc \"Reshipping costs are paid on top of the items' value.\"
  add claim.reship
compensation at_most doc \"Never more than 100.\" cap at 100
note paid doc \"The final payout.\" shows decision.payout";

#[test]
fn add_pays_more_and_is_listed_as_a_signed_change() {
    let e = Engine::new(FACTS, ADD);
    let d = e.decide(&claim("  value: 40\n  reship: 12.5"));
    assert_eq!(d.decision.as_str(), "approved");
    assert_eq!(paid(&d), "52.50");
    assert_eq!(
        steps(&d),
        [
            step("lost", "coverage", "40.00", None),
            step("reshipping", "compensation", "12.50", None),
        ]
    );
    let reasons: Vec<&str> = d.reasons.iter().map(|r| &*r.rule).collect();
    assert_eq!(reasons, ["lost", "reshipping"]);
    assert_eq!(d.notes.get("paid"), Some("52.50"));
    assert!(components(&d).is_empty());
    // No component: the payout has no `components` and its steps no `component`.
    let j = json(&d);
    assert_eq!(j["payout"].get("components"), None);
    assert_eq!(j["payout"]["breakdown"][1].get("component"), None);

    // A later cap acts on the amount with the addition.
    let d = e.decide(&claim("  value: 95\n  reship: 10"));
    assert_eq!(paid(&d), "100.00");
    assert_eq!(
        steps(&d),
        [
            step("lost", "coverage", "95.00", None),
            step("reshipping", "compensation", "10.00", None),
            step("at_most", "compensation", "-5.00", None),
        ]
    );

    // Adding nothing is listed, as `reduce by` is, but is no reason.
    let d = e.decide(&claim("  value: 40"));
    assert_eq!(paid(&d), "40.00");
    assert_eq!(
        steps(&d),
        [
            step("lost", "coverage", "40.00", None),
            step("reshipping", "compensation", "0.00", None),
        ]
    );
    let reasons: Vec<&str> = d.reasons.iter().map(|r| &*r.rule).collect();
    assert_eq!(reasons, ["lost"]);
}

#[test]
fn a_negative_addition_fails_its_rule_and_refers() {
    let e = Engine::new(
        FACTS,
        "coverage lost doc \"Lost.\" pays claim.value\n\
         compensation extra doc \"Extra costs.\" add claim.extra - claim.courier",
    );
    let (failed, at) = e.failed_rule(&claim("  value: 40\n  extra: 2\n  courier: 7.25"));
    assert_eq!(
        failed,
        "rule `extra` failed: `add` pays more, but the amount to add is negative (-5.25)"
    );
    assert_eq!(at.as_deref(), Some("17:43"));
}

const PARTS: &str = "\
coverage damaged doc \"Damaged: reshipment of the items plus cash compensation.\"
  when claim.kind == \"parcel\"
  pays claim.value as reshipment
compensation cash_part doc \"Cash compensation for the trouble.\" add claim.extra as cash
compensation cash_cap doc \"Cash compensation is at most 20.\" cap cash at 20
compensation courier doc \"The carrier's compensation is deducted from the reshipment.\"
  reduce by claim.courier
note paid doc \"The payout.\" shows decision.payout
note cash doc \"The cash part.\" shows decision.payout.cash
note reshipment doc \"The reshipment part.\" shows decision.payout.reshipment
note refunded doc \"Nothing is refunded on a claim.\" shows decision.refund
deadline settle_by doc \"Settled within 2 days when cash is paid.\"
  when decision.payout.cash > 0
  by date(claim.filed_at) + 2 days";

const PARTS_FACTS: &str = "  claim: record {
    id: string
    value: money
    reship: money default 0
    extra: money default 0
    courier: money default 0
    kind: enum { parcel, parts }
    filed_at: datetime
  }";

fn parts_claim(fields: &str) -> String {
    claim(&format!("  filed_at: 2025-06-02T10:00:00Z\n{fields}"))
}

#[test]
fn components_are_paid_and_adjusted_each_on_its_own() {
    let e = Engine::new(PARTS_FACTS, PARTS);
    let d = e.decide(&parts_claim("  value: 40\n  extra: 25.5\n  courier: 3.33"));
    assert_eq!(d.decision.as_str(), "approved");
    assert_eq!(paid(&d), "56.67");
    assert_eq!(components(&d), ["reshipment 36.67", "cash 20.00"]);
    assert_eq!(
        steps(&d),
        [
            step("damaged", "coverage", "40.00", Some("reshipment")),
            step("cash_part", "compensation", "25.50", Some("cash")),
            step("cash_cap", "compensation", "-5.50", Some("cash")),
            step("courier", "compensation", "-3.33", Some("reshipment")),
        ]
    );
    assert_eq!(d.notes.get("paid"), Some("56.67"));
    assert_eq!(d.notes.get("cash"), Some("20.00"));
    assert_eq!(d.notes.get("reshipment"), Some("36.67"));
    assert_eq!(d.notes.get("refunded"), Some("0.00"));
    assert_eq!(d.deadlines.get("settle_by"), Some("2025-06-04"));
    let j = json(&d);
    assert_eq!(
        j["payout"]["components"],
        serde_json::json!([
            {"name": "reshipment", "amount": "36.67"},
            {"name": "cash", "amount": "20.00"}
        ])
    );
    assert_eq!(j["payout"]["amount"], "56.67");
    assert_eq!(j["payout"]["breakdown"][2]["component"], "cash");
    // `components` after `currency`, and a step's `component` after its `amount`.
    let line = serde_json::to_string(&d).unwrap();
    assert!(
        line.contains(
            "\"amount\":\"56.67\",\"currency\":\"USD\",\"components\":[{\"name\":\"reshipment\""
        ),
        "{line}"
    );
    assert!(
        line.contains("\"amount\":\"-5.50\",\"component\":\"cash\",\"text\""),
        "{line}"
    );

    // No cash: the deadline that reads the cash part does not apply.
    let d = e.decide(&parts_claim("  value: 40"));
    assert_eq!(components(&d), ["reshipment 40.00", "cash 0.00"]);
    assert_eq!(d.deadlines.0, [("settle_by".into(), None)]);
}

/// Each step is rounded to the cent once, so each component is a whole number of cents and
/// the total is their sum: thirds pay 3.33 twice, 6.66 in all (not 6.67).
#[test]
fn the_components_add_up_to_the_payout_exactly() {
    let e = Engine::new(
        FACTS,
        "coverage damaged doc \"Damaged.\" pays claim.value / 3 as reshipment\n\
         compensation cash doc \"Cash.\" add claim.extra / 3 as cash",
    );
    let d = e.decide(&claim("  value: 10\n  extra: 10"));
    assert_eq!(paid(&d), "6.66");
    assert_eq!(components(&d), ["reshipment 3.33", "cash 3.33"]);
    for value in ["0", "0.01", "0.02", "1", "7.77", "100", "999.99"] {
        for extra in ["0", "0.01", "5.05", "123.45"] {
            let d = e.decide(&claim(&format!("  value: {value}\n  extra: {extra}")));
            let p = d.payout.as_ref().unwrap();
            let sum: proviso::Decimal = p.components.iter().map(|c| c.amount).sum();
            assert_eq!(sum, p.amount, "{value} {extra}");
            for c in &p.components {
                assert_eq!(c.amount.round_dp(2), c.amount);
            }
        }
    }
}

#[test]
fn a_denied_claim_pays_nothing_in_any_component() {
    let e = Engine::new(PARTS_FACTS, PARTS);
    let d = e.decide(
        "claim:\n  id: C-2\n  kind: parts\n  filed_at: 2025-06-02T10:00:00Z\n  value: 40\n  \
         extra: 5",
    );
    assert_eq!(d.decision.as_str(), "denied");
    assert_eq!(paid(&d), "0.00");
    assert_eq!(components(&d), ["reshipment 0.00", "cash 0.00"]);
    assert!(steps(&d).is_empty());
    assert_eq!(d.notes.get("paid"), Some("0.00"));
    assert_eq!(d.notes.get("cash"), Some("0.00"));
    json(&d);
}

#[test]
fn a_component_left_below_zero_fails_the_rule_that_set_it() {
    let e = Engine::new(
        FACTS,
        "coverage damaged doc \"Damaged.\" pays claim.value as reshipment\n\
         compensation cash doc \"Cash.\" add claim.extra as cash\n\
         compensation courier doc \"Less the courier's.\" reduce cash by claim.courier",
    );
    let (failed, at) = e.failed_rule(&claim("  value: 40\n  extra: 2\n  courier: 5"));
    assert_eq!(
        failed,
        "rule `courier` failed: the `cash` amount is negative (-3) and no rule says what \
         then; add a compensation rule `floor cash at 0`"
    );
    assert_eq!(at, None);
    // The other component does not make up for it, and a floor on it mends it.
    let e = Engine::new(
        FACTS,
        "coverage damaged doc \"Damaged.\" pays claim.value as reshipment\n\
         compensation cash doc \"Cash.\" add claim.extra as cash\n\
         compensation courier doc \"Less the courier's.\" reduce cash by claim.courier\n\
         compensation no_less doc \"Never below zero.\" floor cash at 0",
    );
    let d = e.decide(&claim("  value: 40\n  extra: 2\n  courier: 5"));
    assert_eq!(paid(&d), "40.00");
    assert_eq!(components(&d), ["reshipment 40.00", "cash 0.00"]);
}

#[test]
fn a_note_shows_the_final_payout_of_an_approved_and_a_denied_claim() {
    let e = Engine::new(
        FACTS,
        "coverage lost doc \"Lost.\" when claim.kind == \"parcel\" pays claim.value\n\
         compensation courier doc \"Less the courier's.\" reduce by claim.courier\n\
         note payout doc \"What is paid.\" shows decision.payout\n\
         note outcome doc \"What a denial means.\" when decision.payout == 0\n\
           shows \"nothing is paid\"",
    );
    let d = e.decide(&claim("  value: 40\n  courier: 4.5"));
    assert_eq!(d.decision.as_str(), "approved");
    assert_eq!(d.notes.0, [("payout".into(), Some("35.50".into()))]);
    let d = e.decide("claim:\n  id: C-3\n  kind: parts\n  value: 40");
    assert_eq!(d.decision.as_str(), "denied");
    assert_eq!(
        d.notes.0,
        [
            ("payout".into(), Some("0.00".into())),
            ("outcome".into(), Some("nothing is paid".into()))
        ]
    );
}

/// `(line:col message, underlined, help)` of the error of `rules` whose message starts
/// with `message`.
fn rejected(rules: &str, message: &str) -> (String, String, String) {
    let errors: Vec<PolicyError> = policy_errors(&policy(FACTS, rules));
    let Some(e) = errors.iter().find(|e| e.message.starts_with(message)) else {
        panic!("{:?}", errors.iter().map(located).collect::<Vec<_>>());
    };
    (
        located(e),
        underlined(e).to_string(),
        e.help.clone().unwrap_or_default(),
    )
}

const COVER: &str = "coverage c doc \"c\" pays claim.value\n";

#[test]
fn misuse_of_add_is_reported_at_its_place() {
    let (at, text, help) = rejected(&format!("{COVER}deduction d doc \"d\" add 5"), "`add`");
    assert_eq!(at, "17:21 `add` does not belong in a deduction rule");
    assert_eq!(text, "add 5");
    assert_eq!(
        help,
        "a deduction rule takes `doc`, `when`, `reduce by`, `cap at`, `floor at`"
    );
    let (at, text, _) = rejected(
        &format!("{COVER}compensation x doc \"x\" add 5 cap at 10"),
        "compensation rule",
    );
    assert_eq!(
        at,
        "17:14 compensation rule `x` needs exactly one of `reduce by`, `cap at`, `floor at`, `add`"
    );
    assert_eq!(text, "x");
    let (at, text, _) = rejected(
        &format!("{COVER}compensation x doc \"x\" add claim.kind"),
        "expected money",
    );
    assert!(at.starts_with("17:28 expected money, but this is "), "{at}");
    assert_eq!(text, "claim.kind");
}

/// An `add` of an amount known to be below zero could never be computed: it is refused by
/// `proviso check`, with the reduction to write instead.
#[test]
fn an_add_of_a_constant_below_zero_is_a_check_error() {
    let (at, text, help) = rejected(
        &format!("{COVER}compensation x doc \"x\" add -5"),
        "`add` pays more",
    );
    assert_eq!(
        at,
        "17:28 `add` pays more, but `-5` is below zero, so rule `x` could never be computed"
    );
    assert_eq!(text, "-5");
    assert_eq!(
        help,
        "to lower the payout, write `reduce by 5`: an `add` of an amount below zero refers \
         every claim it applies to"
    );
    let cover = "coverage c doc \"c\" pays claim.value as reshipment\n";
    let (at, text, help) = rejected(
        &format!("const back = 2 - 7.25\n{cover}compensation x doc \"x\" add back as cash"),
        "`add` pays more",
    );
    assert_eq!(
        at,
        "18:28 `add` pays more, but `back` (-5.25) is below zero, so rule `x` could never be \
         computed"
    );
    assert_eq!(text, "back");
    assert_eq!(
        help,
        "to lower the payout, write `reduce cash by -back`: an `add` of an amount below zero \
         refers every claim it applies to"
    );
    let (_, _, help) = rejected(
        &format!("const fee = 5\n{COVER}compensation x doc \"x\" add fee - 7"),
        "`add` pays more",
    );
    assert!(
        help.starts_with("to lower the payout, write `reduce by -(fee - 7)`"),
        "{help}"
    );
    // Zero, and an amount the document gives, are not refused.
    assert!(errors(FACTS, &format!("{COVER}compensation x doc \"x\" add -0")).is_empty());
    assert!(errors(
        FACTS,
        &format!("{COVER}compensation x doc \"x\" add claim.extra - 5")
    )
    .is_empty());
}

#[test]
fn misuse_of_components_is_reported_at_its_place() {
    let cover = "coverage c doc \"c\" pays claim.value as reshipment\n";
    let (at, text, help) = rejected(
        &format!(
            "{cover}compensation x doc \"x\" add claim.extra as cash\n\
             compensation y doc \"y\" cap cashh at 10"
        ),
        "payout component",
    );
    assert_eq!(at, "18:28 payout component `cashh` is never paid");
    assert_eq!(text, "cashh");
    assert_eq!(help, "did you mean `cash`?");

    let (at, text, help) = rejected(
        &format!("{COVER}compensation y doc \"y\" floor spare at 1"),
        "payout component",
    );
    assert_eq!(at, "17:30 payout component `spare` is never paid");
    assert_eq!(text, "spare");
    assert_eq!(
        help,
        "name it where an amount is paid: `pays ... as spare` on a coverage or `add ... as \
         spare` on a compensation"
    );

    let (at, text, help) = rejected(
        &format!("{cover}coverage d doc \"d\" pays claim.extra"),
        "coverage `d`",
    );
    assert_eq!(
        at,
        "17:10 coverage `d` does not say which payout component it pays"
    );
    assert_eq!(text, "d");
    assert_eq!(
        help,
        "this policy pays in components (`reshipment`): write `pays ... as reshipment`"
    );

    let (at, text, help) = rejected(
        &format!("{cover}refund r doc \"r\" when claim.value > 0 pays claim.value as cash"),
        "a refund rule",
    );
    assert_eq!(at, "17:59 a refund rule cannot name a payout component");
    assert_eq!(text, "cash");
    assert_eq!(
        help,
        "write `pays ...` without `cash`; components divide a claim's payout, on `coverage` \
         and `compensation` rules"
    );

    let (at, text, _) = rejected(
        &format!(
            "{cover}refund r doc \"r\" when claim.value > 0 pays 1\n\
             deduction d doc \"d\" reduce reshipment by 1"
        ),
        "a deduction rule",
    );
    assert_eq!(at, "18:28 a deduction rule cannot name a payout component");
    assert_eq!(text, "reshipment");
}

#[test]
fn final_amounts_are_read_by_deadlines_and_notes_only() {
    let cover = "coverage c doc \"c\" pays claim.value as cash\n";
    let (at, text, help) = rejected(
        &format!("{cover}note n doc \"n\" shows decision.payout.cashh"),
        "the payout",
    );
    assert_eq!(at, "17:38 the payout has no component `cashh`");
    assert_eq!(text, "cashh");
    assert_eq!(help, "did you mean `decision.payout.cash`?");

    let (at, _, help) = rejected(
        &format!("{COVER}note n doc \"n\" shows decision.payout.cash"),
        "the payout",
    );
    assert_eq!(at, "17:38 the payout has no component `cash`");
    assert_eq!(
        help,
        "this policy names no payout components: read `decision.payout`"
    );

    let (at, text, help) = rejected(
        &format!("{cover}note n doc \"n\" shows decision.total"),
        "`decision`",
    );
    assert_eq!(at, "17:31 `decision` has no `total`");
    assert_eq!(text, "total");
    assert_eq!(
        help,
        "a deadline or note reads `decision` (the outcome), `decision.payout` or \
         `decision.refund` (the final amount, 0.00 unless approved), or a payout component \
         such as `decision.payout.cash`"
    );

    let (at, text, _) = rejected(
        &format!("{cover}note n doc \"n\" shows decision.payout.cash.x"),
        "`decision.payout.cash.x`",
    );
    assert_eq!(
        at,
        "17:43 `decision.payout.cash.x` is not a part of the decision"
    );
    assert_eq!(text, "x");

    let (at, text, _) = rejected(
        &format!("{cover}compensation x doc \"x\" when decision.payout > 5 cap at 5"),
        "`decision.payout`",
    );
    assert_eq!(
        at,
        "17:29 `decision.payout` is read only by deadlines and notes"
    );
    assert_eq!(text, "decision.payout");
}

#[test]
fn the_new_forms_print_and_lay_out_as_they_parse() {
    use proviso::internals::span::Source;
    use proviso::internals::{diff, format, parse, policy_set, print};
    let text = policy(PARTS_FACTS, PARTS);
    let parsed = parse::parse_file(&Source::new("a.proviso", text.as_str())).unwrap();
    let printed = print::policy(&parsed);
    assert!(
        printed.contains("\n  pays claim.value as reshipment\n"),
        "{printed}"
    );
    assert!(
        printed.contains("\n  add claim.extra as cash\n"),
        "{printed}"
    );
    assert!(printed.contains("\n  cap cash at 20\n"), "{printed}");
    let src = Source::new("printed.proviso", printed.as_str());
    let reparsed = parse::parse_file(&src).unwrap();
    assert_eq!(print::policy(&reparsed), printed);
    assert!(policy_set::compile_ast(&src, &reparsed).is_ok());
    assert_eq!(diff::diff(&parsed, &reparsed), diff::PolicyDiff::default());

    let laid = format::layout(&Source::new("a.proviso", text.as_str())).unwrap();
    for line in [
        "  pays claim.value as reshipment\n",
        "  add claim.extra as cash\n",
        "  cap cash at 20\n",
        "  reduce by claim.courier\n",
    ] {
        assert!(laid.contains(line), "{line}: {laid}");
    }
    assert_eq!(
        format::layout(&Source::new("b.proviso", laid.as_str())).unwrap(),
        laid
    );
    // `reduce by by` still reads a value named `by`; `add` may name one too.
    let named = "let by = claim.courier\nlet add = claim.extra\n\
                 coverage c doc \"c\" pays claim.value\n\
                 compensation add_more doc \"a\" add add\n\
                 compensation by_less doc \"b\" reduce by by";
    assert_eq!(errors(FACTS, named), Vec::<String>::new());
    let laid = format::layout(&Source::new("a.proviso", policy(FACTS, named).as_str())).unwrap();
    assert!(
        laid.contains("  add add\n") && laid.contains("  reduce by by\n"),
        "{laid}"
    );
}

#[test]
fn a_component_change_is_a_change_in_diff() {
    use proviso::internals::span::Source;
    use proviso::internals::{diff, parse};
    let a = policy(FACTS, "coverage c doc \"c\" pays claim.value as cash");
    let b = policy(FACTS, "coverage c doc \"c\" pays claim.value as reshipment");
    let pa = parse::parse_file(&Source::new("a.proviso", a.as_str())).unwrap();
    let pb = parse::parse_file(&Source::new("b.proviso", b.as_str())).unwrap();
    assert_ne!(diff::diff(&pa, &pb), diff::PolicyDiff::default());
}

#[test]
fn broken_component_syntax_is_a_diagnostic() {
    for rules in [
        "coverage c doc \"c\" pays claim.value as",
        "coverage c doc \"c\" pays claim.value as 5",
        "coverage c doc \"c\" pays 1\ncompensation x doc \"x\" add",
        "coverage c doc \"c\" pays 1\ncompensation x doc \"x\" cap cash 5",
        "coverage c doc \"c\" pays 1\ncompensation x doc \"x\" add 1 as cash as cash",
        "coverage c doc \"c\" pays 1 as cash\nnote n doc \"n\" shows decision.payout.",
    ] {
        let found = errors(FACTS, rules);
        assert!(!found.is_empty(), "{rules}");
    }
}
