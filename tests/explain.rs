//! Traces (`PolicySet::explain`): every rule considered, in order, with its condition part
//! by part and the values it read; payout breakdowns; and rule coverage over traces.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;
mod support;

use minimal::{claim, Engine};
use proviso::internals::coverage::{Coverage, RuleCoverage};
use proviso::internals::trace::{Considered, Part, Trace};
use proviso::{Document, PolicySet};
use serde_json::json;
use support::{proviso, read};

/// Rules from line 30 on (see `tests/minimal`).
const RULES: &str = "\
const big = 50
let double = claim.amount * 2
exclusion too_late
  doc \"Late.\"
  when claim.count > 10
coverage lost
  doc \"Lost.\"
  when claim.type == \"lost\" and claim.amount > big and (claim.flag or double > 150)
  pays claim.amount
compensation fee
  doc \"Fee.\"
  when claim.fee is present
  reduce by claim.fee
";

fn at(line_col: &str) -> String {
    format!("test.proviso:{line_col}")
}

fn fact(name: &str, line_col: &str, value: &str) -> serde_json::Value {
    json!({"name": name, "kind": "fact", "source": at(line_col), "value": value})
}

#[test]
fn a_trace_lists_each_rule_considered_with_its_parts_and_the_values_read() {
    let (d, t) = Engine::claim(RULES).explain(&claim("fee: \"10.00\""));
    assert_eq!(d.decision.as_str(), "approved");
    let leaf = |text: &str, lc: &str, value: &str, reads: serde_json::Value| json!({"text": text, "source": at(lc), "value": value, "reads": reads});
    let expected = json!({
        "policy": {"name": "test/policy", "version": "1"},
        "rules": [
            {
                "rule": "too_late", "kind": "exclusion", "source": at("32:1"),
                "stage": "decide", "held": "false",
                "condition": leaf("claim.count > 10", "34:8", "false",
                    json!([fact("claim.count", "34:8", "3")])),
            },
            {
                "rule": "lost", "kind": "coverage", "source": at("35:1"),
                "stage": "decide", "held": "true",
                "condition": {
                    "text": "claim.type == \"lost\" and claim.amount > big and (claim.flag or double > 150)",
                    "source": at("37:8"), "value": "true", "op": "and",
                    "parts": [
                        leaf("claim.type == \"lost\"", "37:8", "true",
                            json!([fact("claim.type", "37:8", "lost")])),
                        leaf("claim.amount > big", "37:33", "true", json!([
                            fact("claim.amount", "37:33", "100.00"),
                            {"name": "big", "kind": "constant", "source": at("37:48"), "value": "50"},
                        ])),
                        {
                            "text": "(claim.flag or double > 150)", "source": at("37:56"),
                            "value": "true", "op": "or",
                            "parts": [
                                leaf("claim.flag", "37:57", "false",
                                    json!([fact("claim.flag", "37:57", "false")])),
                                leaf("double > 150", "37:71", "true", json!([
                                    {"name": "double", "kind": "value", "source": at("37:71"), "value": "200.00"},
                                ])),
                            ],
                        },
                    ],
                },
                "amount": {
                    "clause": "pays", "value": "100.00", "after": "100.00",
                    "reads": [fact("claim.amount", "38:8", "100.00")],
                },
            },
            {
                "rule": "fee", "kind": "compensation", "source": at("39:1"),
                "stage": "decide", "held": "true",
                "condition": leaf("claim.fee is present", "41:8", "true",
                    json!([fact("claim.fee", "41:8", "10.00")])),
                "amount": {
                    "clause": "reduce by", "value": "10.00", "before": "100.00", "after": "90.00",
                    "reads": [fact("claim.fee", "42:13", "10.00")],
                },
            },
        ],
    });
    assert_eq!(serde_json::to_value(&t).unwrap(), expected);
    // The trace does not change the decision.
    let plain = Engine::claim(RULES).decide(&claim("fee: \"10.00\""));
    assert_eq!(d, plain);
}

/// Each rule considered as `kind name: held`, and its condition's parts as `text: value`.
fn outline(t: &Trace) -> Vec<String> {
    fn parts(p: &Part, depth: usize, out: &mut Vec<String>) {
        out.push(format!(
            "{}{}: {}",
            "  ".repeat(depth),
            p.text,
            p.value.as_str()
        ));
        for sub in &p.parts {
            parts(sub, depth + 1, out);
        }
        for r in &p.reads {
            let v = match (&r.value, r.unknown) {
                (Some(v), _) => v.clone(),
                (None, true) => "unknown".into(),
                (None, false) => "absent".into(),
            };
            out.push(format!("{}{} = {v}", "  ".repeat(depth + 1), r.name));
        }
    }
    let mut out = Vec::new();
    for Considered {
        rule,
        kind,
        held,
        condition,
        stage,
        ..
    } in &t.rules
    {
        out.push(format!("{kind} {rule}: {} ({stage:?})", held.as_str()));
        if let Some(c) = condition {
            parts(c, 1, &mut out);
        }
    }
    out
}

#[test]
fn unreached_rules_are_not_listed() {
    // An exclusion denies: referrals, evidence, coverage and compensation are never read.
    let (d, t) = Engine::claim(RULES).explain(&claim("count: 11"));
    assert_eq!(d.decision.as_str(), "denied");
    assert_eq!(
        outline(&t),
        [
            "exclusion too_late: true (Decide)",
            "  claim.count > 10: true",
            "    claim.count = 11",
        ]
    );
}

#[test]
fn a_fallback_denial_shows_every_coverage_condition_and_the_part_that_failed() {
    let e = Engine::claim(
        "coverage lost
  doc \"Lost.\"
  when claim.type == \"lost\" and claim.count > 5 and claim.flag
  pays claim.amount
coverage damaged
  doc \"Damaged.\"
  when claim.type == \"damaged\" or claim.rate > 1
  pays claim.amount
",
    );
    let (d, t) = e.explain(&claim(""));
    assert_eq!(d.decision.as_str(), "denied");
    assert_eq!(d.not_met.len(), 1);
    assert_eq!(&*d.not_met[0].condition, "claim.count > 5");
    assert_eq!(
        outline(&t),
        [
            "coverage lost: false (Decide)",
            "  claim.type == \"lost\" and claim.count > 5 and claim.flag: false",
            "    claim.type == \"lost\": true",
            "      claim.type = lost",
            "    claim.count > 5: false",
            "      claim.count = 3",
            "    claim.flag: skipped",
            "coverage damaged: false (Decide)",
            "  claim.type == \"damaged\" or claim.rate > 1: false",
            "    claim.type == \"damaged\": false",
            "      claim.type = lost",
            "    claim.rate > 1: false",
            "      claim.rate = 0.5",
            "fallback not_covered: true (Decide)",
        ]
    );
}

#[test]
fn facts_the_missing_evidence_asks_for_are_unknown() {
    let e = Engine::claim(
        "evidence from claim.evidence
evidence needs_day
  doc \"Day.\"
  requires facts(claim.day)
coverage lost
  doc \"Lost.\"
  when claim.type == \"lost\" and claim.day is present and claim.day < 2025-07-01
  pays claim.amount
",
    );
    let (d, t) = e.explain(&claim(""));
    assert_eq!(d.decision.as_str(), "incomplete");
    assert_eq!(
        outline(&t),
        [
            "evidence needs_day: true (Decide)",
            "coverage lost: unknown (CouldBeCovered)",
            "  claim.type == \"lost\" and claim.day is present and claim.day < 2025-07-01: unknown",
            "    claim.type == \"lost\": true",
            "      claim.type = lost",
            "    claim.day is present: unknown",
            "      claim.day = unknown",
            "    claim.day < 2025-07-01: unknown",
            "      claim.day = unknown",
        ]
    );
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(json["rules"][1]["stage"], "could_be_covered");
    assert_eq!(
        json["rules"][1]["condition"]["parts"][1]["reads"][0],
        json!({"name": "claim.day", "kind": "fact", "source": at("36:33"), "value": null, "unknown": true})
    );
}

#[test]
fn a_rule_that_cannot_be_computed_is_traced_with_its_failure() {
    let e = Engine::claim(
        "coverage lost
  doc \"Lost.\"
  pays claim.amount / (claim.count - 3)
",
    );
    let (d, t) = e.explain(&claim(""));
    assert_eq!(d.decision.as_str(), "referred");
    let json = serde_json::to_value(&t).unwrap();
    assert_eq!(
        json["rules"][0],
        json!({
            "rule": "lost", "kind": "coverage", "source": at("30:1"),
            "stage": "decide", "held": "true",
            "failure": {"message": "division by zero", "source": at("32:8")},
        })
    );
}

#[test]
fn reports_alongside_the_outcome_are_traced_last() {
    let e = Engine::claim(
        "coverage lost
  doc \"Lost.\"
  when claim.type == \"lost\"
  pays claim.amount
deadline respond_by
  doc \"Respond within a day.\"
  when decision == \"approved\"
  by claim.filed_at + 24 hours
note kind
  doc \"The claim's type.\"
  shows claim.type
",
    );
    let (_, t) = e.explain(&claim(""));
    assert_eq!(
        outline(&t),
        [
            "coverage lost: true (Decide)",
            "  claim.type == \"lost\": true",
            "    claim.type = lost",
            "deadline respond_by: true (Report)",
            "  decision == \"approved\": true",
            "note kind: true (Report)",
        ]
    );
}

fn marketplace_q8() -> (proviso::Decision, Trace) {
    let set = PolicySet::load("policies").unwrap();
    let text = read("examples/marketplace/q8-worked-example.yaml");
    set.explain(&Document::yaml(
        "examples/marketplace/q8-worked-example.yaml",
        &text,
    ))
    .unwrap()
}

#[test]
fn the_payout_breakdown_of_the_marketplace_q8_example() {
    let (d, t) = marketplace_q8();
    let payout = d.payout.as_ref().unwrap();
    let steps: Vec<(&str, &str, String)> = payout
        .breakdown
        .iter()
        .map(|s| {
            (
                &*s.rule,
                &*s.kind,
                proviso::internals::decision::format_money(s.amount),
            )
        })
        .collect();
    assert_eq!(
        steps,
        [
            ("logistics_abnormality", "coverage", "2000.00".to_string()),
            (
                "courier_compensation",
                "compensation",
                "-500.00".to_string()
            ),
        ]
    );
    let json = serde_json::to_value(&t).unwrap();
    let amounts: Vec<_> = json["rules"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r.get("amount").is_some())
        .map(|r| (r["rule"].clone(), r["amount"].clone()))
        .collect();
    let file = "policies/marketplace/shipping-insurance/2025-01-01.proviso";
    assert_eq!(
        amounts,
        [
            (
                json!("logistics_abnormality"),
                json!({"clause": "pays", "value": "2000.00", "after": "2000.00", "reads": [
                    {"name": "product_value", "kind": "value", "source": format!("{file}:274:8"), "value": "2000.00"},
                ]})
            ),
            (
                json!("courier_compensation"),
                json!({"clause": "reduce by", "value": "500.00", "before": "2000.00", "after": "1500.00", "reads": [
                    {"name": "claim.courier_compensation", "kind": "fact", "source": format!("{file}:294:13"), "value": "500.00"},
                ]})
            ),
            (
                json!("courier_paid_in_full"),
                json!({"clause": "floor at", "value": "0.00", "before": "1500.00", "after": "1500.00"})
            ),
            (
                json!("within_tier_maximum"),
                json!({"clause": "cap at", "value": "2000.00", "before": "1500.00", "after": "1500.00", "reads": [
                    {"name": "product_value", "kind": "value", "source": format!("{file}:306:23"), "value": "2000.00"},
                ]})
            ),
        ]
    );
}

#[test]
fn eval_explain_as_text() {
    let run = proviso(&[
        "eval",
        "policies",
        "examples/marketplace/q8-worked-example.yaml",
        "--explain",
    ]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let policy = read("policies/marketplace/shipping-insurance/2025-01-01.proviso");
    let sha = proviso::internals::compile::hash(policy.as_bytes(), &[]);
    let expected = read("tests/cli/q8-explain.txt").replace("{sha256}", &sha[..12]);
    assert_eq!(run.stdout, expected);
}

#[test]
fn eval_explain_as_json_adds_an_explain_field_before_input() {
    let path = "examples/marketplace/q8-worked-example.yaml";
    let run = proviso(&["eval", "policies", path, "--format", "json", "--explain"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let (d, t) = marketplace_q8();
    let line: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(line["explain"], serde_json::to_value(&t).unwrap());
    // Without `explain`, the line is the decision as `eval --format json` writes it.
    let mut bare = line.clone();
    bare.as_object_mut().unwrap().remove("explain");
    assert_eq!(bare, serde_json::to_value(&d).unwrap());
    assert!(
        run.stdout
            .trim_end()
            .ends_with(&format!(",\"input\":{{\"path\":\"{path}\"}}}}")),
        "{}",
        run.stdout
    );
    let plain = proviso(&["eval", "policies", path, "--format", "json"]);
    assert!(!plain.stdout.contains("\"explain\""));
}

fn counts(r: &RuleCoverage) -> (&str, &str, usize, usize, usize) {
    (&r.rule, &*r.kind, r.decided, r.seen_true, r.seen_false)
}

#[test]
fn coverage_accumulates_over_documents() {
    let e = Engine::claim(&format!(
        "{RULES}appeal review
  doc \"Ask for a review.\"
referral big_claims
  doc \"Big claims.\"
  when claim.amount > 1000
"
    ));
    let mut cov = Coverage::new();
    for p in e.set.versions() {
        cov.register(p);
    }
    for fields in ["fee: \"10.00\"", "count: 11", "type: damaged", "flag: true"] {
        let (d, t) = e.explain(&claim(fields));
        cov.record(&d, &t);
    }
    let report = cov.report();
    assert_eq!(report.versions.len(), 1);
    let v = &report.versions[0];
    assert_eq!(
        (&*v.name, &*v.version, v.documents),
        ("test/policy", "1", 4)
    );
    let rules: Vec<_> = v.rules.iter().map(counts).collect();
    assert_eq!(
        rules,
        [
            ("too_late", "exclusion", 1, 1, 3),
            ("lost", "coverage", 2, 2, 1),
            ("fee", "compensation", 1, 1, 1),
            ("review", "appeal", 2, 2, 0),
            ("big_claims", "referral", 0, 0, 3),
            ("not_covered", "fallback", 1, 1, 0),
        ]
    );
    assert_eq!(v.rules[0].file_line(), ("test.proviso", 32));
    let undecided: Vec<&str> = v.undecided().map(|r| &*r.rule).collect();
    assert_eq!(undecided, ["big_claims"]);
    assert!(v.rules.iter().all(RuleCoverage::considered));
    // As JSON, for a report to render.
    assert_eq!(
        serde_json::to_value(&v.rules[4]).unwrap(),
        json!({"rule": "big_claims", "kind": "referral", "source": at("45:1"),
               "decided": 0, "seen_true": 0, "seen_false": 3, "seen_unknown": 0,
               "condition": true})
    );
}

#[test]
fn coverage_lists_rules_no_document_reached() {
    let e = Engine::claim(RULES);
    let mut cov = Coverage::new();
    for p in e.set.versions() {
        cov.register(p);
    }
    let (d, t) = e.explain(&claim("count: 11"));
    cov.record(&d, &t);
    let report = cov.report();
    let rules: Vec<_> = report.versions[0].rules.iter().map(counts).collect();
    assert_eq!(
        rules,
        [
            ("too_late", "exclusion", 1, 1, 0),
            ("lost", "coverage", 0, 0, 0),
            ("fee", "compensation", 0, 0, 0),
            ("not_covered", "fallback", 0, 0, 0),
        ]
    );
    // A version seen only through traces lists the rules they name.
    let mut unregistered = Coverage::new();
    unregistered.record(&d, &t);
    let report = unregistered.report();
    let rules: Vec<_> = report.versions[0].rules.iter().map(counts).collect();
    assert_eq!(rules, [("too_late", "exclusion", 1, 1, 0)]);
}
