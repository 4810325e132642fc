//! Rule conditions tested in their prepared form (`internals::cond`): every shape answers
//! as the evaluator does, and where it cannot say (a failure, an absent value compared) the
//! evaluator's answer and failure stand.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{claim, holds, Engine};
use proviso::internals::cond::Cond;
use proviso::internals::eval::Ctx;
use proviso::Document;

/// Conditions of every prepared shape, and of shapes left to the evaluator.
const CONDITIONS: &[&str] = &[
    "claim.type == \"lost\"",
    "claim.type != \"lost\"",
    "claim.amount > 50",
    "claim.amount <= 100.00 and claim.count >= 3",
    "claim.rate < 0.5 or claim.count == 3",
    "claim.type in [\"lost\", \"stolen\"]",
    "claim.type not in [\"lost\", \"stolen\"]",
    "\"stolen\" == claim.type",
    "\"stolen\" != claim.type and claim.type in [\"damaged\"]",
    "claim.fee is present",
    "claim.fee is absent",
    "claim.flag",
    "not claim.flag and claim.type == \"lost\"",
    "(claim.fee otherwise 0) < 0",
    "claim.fee is present and claim.fee > 1",
    "claim.note is present and claim.note == \"x\"",
    "claim.day is present and claim.day < 2025-07-01",
    "claim.type == \"lost\" and any(i in claim.items: i.qty > 1)",
    "not (claim.flag or claim.amount * 2 > 150)",
    // Over a list (absent, empty, or of several elements): filtered, nested, and with a
    // part left to the evaluator.
    "any(i in claim.items: i.qty > 1)",
    "all(i in claim.items: i.qty >= 2)",
    "any(i in claim.items where i.sku == \"A\": i.qty > 1 and i.sku in [\"A\", \"B\"])",
    "all(i in claim.items where i.qty > 5: i.sku == \"Z\")",
    "any(i in claim.items: not any(j in claim.items: j.sku == i.sku))",
    "any(i in claim.items: i.qty * 2 > claim.count)",
    "any(i in claim.items: i.price > 0.5)",
];

const DOCUMENTS: &[&str] = &[
    "",
    "type: stolen\namount: \"20.00\"\nflag: true",
    "fee: \"-1\"\nnote: x\nday: 2025-06-30\nitems:\n- {sku: A, qty: 2, price: \"1\"}",
    "count: 0\nrate: \"0.25\"\nfee: \"3\"\nday: 2025-07-02\nitems: []",
    "count: 3\nitems:\n- {sku: A, qty: 2, price: \"1\"}\n- {sku: B, qty: 1, price: \"3\"}\n- {sku: A, qty: 7, price: \"0.25\"}",
];

#[test]
fn each_prepared_condition_answers_as_the_evaluator_does() {
    for condition in CONDITIONS {
        let e = Engine::claim(&format!("exclusion x doc \"x\" when {condition}"));
        for fields in DOCUMENTS {
            let text = format!("policy: {}\n{}", minimal::NAME, claim(fields));
            let doc = Document::yaml("doc.yaml", &text);
            let prepared = e.set.prepare(&doc, None).unwrap();
            let prog = prepared.program;
            let rule = prog.rules.iter().find(|r| &*r.name == "x").unwrap();
            let (when, cond) = (rule.when.as_ref().unwrap(), rule.cond.as_ref().unwrap());
            let mut cx = Ctx::new(&prepared.facts, &prog.lets);
            let slow = cx.truth(when).unwrap();
            let mut cx = Ctx::new(&prepared.facts, &prog.lets);
            assert_eq!(cond.test(&mut cx), Some(slow), "{condition} for {fields:?}");
            assert_eq!(holds(condition, fields), slow, "{condition} for {fields:?}");
        }
    }
}

#[test]
fn a_condition_that_fails_is_left_to_the_evaluator_and_refers_the_claim() {
    let e = Engine::claim("exclusion x doc \"x\" when claim.type == \"lost\" and claim.amount / (claim.count - 3) > 1");
    let (failure, at) = e.failed_rule(&claim(""));
    assert_eq!(failure, "rule `x` failed: division by zero");
    assert_eq!(at.as_deref(), Some("30:51"));
    // Not reached when the first part does not hold.
    let d = e.claim_decision("type: stolen");
    assert_eq!(minimal::summary(&d).2, vec!["not_covered".to_string()]);
}

#[test]
fn only_the_evaluator_reads_a_fact_taken_as_not_yet_known() {
    // The coverage reads `claim.fee`, which the unmet requirement asks for: the claim could
    // still be covered, so it is incomplete rather than denied.
    let e = Engine::claim(
        "evidence from claim.evidence\n\
         evidence fee_stated doc \"f\" requires facts(claim.fee)\n\
         coverage c doc \"c\" when claim.fee is present and claim.fee > 1 pays claim.amount",
    );
    let d = e.claim_decision("");
    assert_eq!(d.decision.as_str(), "incomplete");
    let d = e.claim_decision("fee: \"2\"");
    assert_eq!(
        minimal::summary(&d),
        ("approved".into(), "100.00".into(), vec!["c".into()])
    );
}

#[test]
fn decision_compared_with_outcomes_is_read_as_the_evaluator_reads_it() {
    let e = Engine::claim(
        "coverage c doc \"c\" when claim.amount > 50 pays claim.amount\n\
         deadline paid_by doc \"p\" when decision == \"approved\" by claim.filed_at + 24 hours\n\
         deadline reply_by doc \"r\" when \"approved\" != decision by claim.filed_at + 48 hours\n\
         deadline review_by doc \"v\" when decision in [\"denied\", \"referred\"] \
           by claim.filed_at + 72 hours\n\
         deadline never_by doc \"n\" when decision not in [\"approved\", \"denied\"] \
           by claim.filed_at + 96 hours",
    );
    let prog = e.set.versions().next().unwrap();
    for rule in prog.rules_of(proviso::internals::ast::RuleKind::Deadline) {
        let cond = rule.cond.as_ref().unwrap();
        assert!(matches!(cond, Cond::Outcome(..)), "{}: {cond:?}", rule.name);
    }
    let deadlines = |fields: &str| {
        let d = e.claim_decision(fields);
        let names = ["paid_by", "reply_by", "review_by", "never_by"];
        let got: Vec<Option<String>> = names
            .iter()
            .map(|n| d.deadlines.get(n).map(str::to_string))
            .collect();
        (d.decision.as_str().to_string(), got)
    };
    let at = |s: &str| Some(s.to_string());
    assert_eq!(
        deadlines(""),
        (
            "approved".into(),
            vec![at("2025-07-11T09:30:00Z"), None, None, None]
        )
    );
    assert_eq!(
        deadlines("amount: \"20.00\""),
        (
            "denied".into(),
            vec![
                None,
                at("2025-07-12T09:30:00Z"),
                at("2025-07-13T09:30:00Z"),
                None
            ]
        )
    );
}

#[test]
fn an_enumeration_of_more_than_64_variants_is_compared_by_its_own_variant() {
    // Variants v0 to v69: `v65` sits 64 places after `v1`, so a mask test that wrapped
    // the shift would read it as `v1`.
    let variants: Vec<String> = (0..70).map(|k| format!("v{k}")).collect();
    let facts = format!(
        "  shipment: record {{\n    zone: enum {{ {} }}\n  }}",
        variants.join(", ")
    );
    let e = Engine::new(
        &facts,
        "exclusion near doc \"n\" when shipment.zone == \"v1\"\n\
         exclusion listed doc \"l\" when shipment.zone in [\"v2\", \"v3\"]\n\
         referral far doc \"f\" when shipment.zone not in [\"v1\", \"v2\"] and shipment.zone != \"v3\"",
    );
    let prog = e.set.versions().next().unwrap();
    for rule in &prog.rules {
        if let Some(cond) = &rule.cond {
            assert!(
                matches!(cond, Cond::Variant(..) | Cond::All(..)),
                "{}: {cond:?}",
                rule.name
            );
        }
    }
    let outcome = |zone: &str| {
        let d = e.decide(&format!("shipment:\n  zone: {zone}\n"));
        let reasons: Vec<String> = d.reasons.iter().map(|r| r.rule.to_string()).collect();
        (d.decision.as_str().to_string(), reasons)
    };
    let said = |o: &str, r: &str| (o.to_string(), vec![r.to_string()]);
    assert_eq!(outcome("v1"), said("denied", "near"));
    assert_eq!(outcome("v3"), said("denied", "listed"));
    assert_eq!(outcome("v65"), said("referred", "far"));
    assert_eq!(outcome("v66"), said("referred", "far"));
    assert_eq!(outcome("v67"), said("referred", "far"));
    assert_eq!(outcome("v0"), said("referred", "far"));
}

#[test]
fn a_rule_ruled_out_by_its_first_test_decides_as_read_and_is_still_traced() {
    let e = Engine::claim(
        "evidence from claim.evidence\n\
         exclusion stolen doc \"s\" when claim.type == \"stolen\"\n\
         referral costly doc \"c\" when claim.type not in [\"lost\"] and claim.amount > 100\n\
         referral broken doc \"b\" when claim.type == \"damaged\" and claim.amount / (claim.count - 3) > 1\n\
         evidence photos doc \"p\" when claim.type == \"damaged\" requires photo\n\
         coverage late doc \"l\" when claim.amount > 50 and claim.type == \"lost\" pays claim.amount\n\
         coverage any doc \"a\" when claim.type in [\"lost\", \"damaged\"] pays 10\n\
         deadline lost_by doc \"d\" when claim.type == \"lost\" by claim.filed_at + 24 hours",
    );
    let prog = e.set.versions().next().unwrap();
    let guarded: Vec<&str> = prog
        .rules
        .iter()
        .filter(|r| r.guard.is_some())
        .map(|r| &*r.name)
        .collect();
    // `late` begins with another test, and the fallback has no enumeration test.
    assert_eq!(
        guarded,
        ["stolen", "costly", "broken", "photos", "any", "lost_by"]
    );
    // Outcome, reasons, missing evidence and the deadline, as decided and as traced.
    let seen = |fields: &str| {
        let d = e.claim_decision(fields);
        let (traced, trace) = e.explain(&claim(fields));
        assert_eq!(d, traced, "{fields}");
        let reasons: Vec<String> = d.reasons.iter().map(|r| r.rule.to_string()).collect();
        let missing: Vec<String> = d
            .missing_evidence
            .iter()
            .map(|m| m.requirement.to_string())
            .collect();
        let considered: Vec<String> = trace
            .rules
            .iter()
            .map(|c| format!("{} {}", c.rule, c.held.as_str()))
            .collect();
        (
            d.decision.as_str().to_string(),
            reasons,
            missing,
            d.deadlines.get("lost_by").map(str::to_string),
            considered,
        )
    };
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    assert_eq!(
        seen("type: stolen"),
        (
            "denied".into(),
            names(&["stolen"]),
            vec![],
            None,
            names(&["stolen true", "lost_by false"]),
        )
    );
    // `broken` would divide by zero (count 3) only for a damaged claim.
    assert_eq!(
        seen("type: lost\ncount: 3"),
        (
            "approved".into(),
            names(&["late"]),
            vec![],
            Some("2025-07-11T09:30:00Z".into()),
            names(&[
                "stolen false",
                "costly false",
                "broken false",
                "photos false",
                "late true",
                "lost_by true"
            ]),
        )
    );
    assert_eq!(
        seen("type: damaged\namount: \"20.00\"\ncount: 30\nevidence:\n- {kind: photo}"),
        (
            "approved".into(),
            names(&["any"]),
            vec![],
            None,
            names(&[
                "stolen false",
                "costly false",
                "broken false",
                "photos true",
                "late false",
                "any true",
                "lost_by false"
            ]),
        )
    );
    let d = e.claim_decision("type: damaged\ncount: 3");
    assert_eq!(
        d.reasons
            .iter()
            .map(|r| r.rule.to_string())
            .collect::<Vec<_>>(),
        ["broken"]
    );
    assert_eq!(d.decision.as_str(), "referred");
}
