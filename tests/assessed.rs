//! Assessed inputs: facts a person supplies (`share: assessed decimal`). A claim that needs
//! one the document does not give is referred, naming every input it waits for; with them
//! it is decided; an exclusion that holds without them denies it all the same.
#![allow(clippy::unwrap_used, clippy::panic)]

mod minimal;
mod support;

use minimal::{errors, summary, Engine, FILE};
use proviso::Decision;

/// A product plan: "the payout is determined by the evaluation, up to 100% of the item's
/// value", accidental damage "at our discretion", and misuse excluded, whether the claim
/// says so or the evaluation finds it. Facts start on line 7 (the currency), `item` on 8.
const FACTS: &str = "
  item: record {
    value: money
  }
  claim: record {
    id: string
    cause: enum { mechanical, accidental, misuse, wear }
    filed_at: datetime
    receipt: optional string
  }
  assessment: record {
    share:        assessed decimal
    goodwill:     assessed bool
    misuse_found: assessed bool
  }";

/// Rules start on line 25.
const RULES: &str = "
exclusion misuse
  doc \"Not covered: damage caused by misuse.\"
  when claim.cause == \"misuse\"

exclusion misuse_found
  doc \"Not covered: misuse the evaluation finds.\"
  when assessment.misuse_found

coverage evaluated
  doc \"The payout is determined by the evaluation, up to 100% of the item's value.\"
  when claim.cause == \"mechanical\"
  pays item.value * assessment.share

coverage discretion
  doc \"Accidental damage is paid at our discretion, half the item's value.\"
  when claim.cause == \"accidental\" and assessment.goodwill
  pays item.value / 2

compensation up_to_value
  doc \"Never more than 100% of the item's value.\"
  cap at item.value

compensation not_below_zero
  doc \"Never less than nothing.\"
  floor at 0
";

fn plan() -> Engine {
    Engine::new(FACTS, RULES)
}

/// A claim for an item worth 400.00, with `cause`, then `rest` (YAML lines).
fn claim(cause: &str, rest: &str) -> String {
    format!(
        "item: {{value: \"400.00\"}}\nclaim: {{id: C-1, cause: {cause}, filed_at: 2025-07-01T10:00:00Z}}\n{rest}"
    )
}

fn awaiting(d: &Decision) -> Vec<String> {
    d.awaiting
        .iter()
        .map(|a| format!("{} {}", a.input, a.source))
        .collect()
}

fn waiting(d: &Decision) -> Vec<String> {
    d.reasons
        .iter()
        .map(|r| match &r.failure {
            Some(f) => format!(
                "{}: {} at {}",
                r.rule,
                f.message,
                f.source.as_deref().unwrap_or("-")
            ),
            None => r.rule.to_string(),
        })
        .collect()
}

#[test]
fn without_the_assessment_the_claim_is_referred_awaiting_every_input_it_needs() {
    let d = plan().decide(&claim("mechanical", ""));
    assert_eq!(
        summary(&d),
        (
            "referred".into(),
            "0.00".into(),
            vec!["misuse_found".into(), "evaluated".into()]
        )
    );
    assert_eq!(
        awaiting(&d),
        [
            format!("assessment.misuse_found {FILE}:20:5"),
            format!("assessment.share {FILE}:18:5"),
        ]
    );
    let json = serde_json::to_string(&d).unwrap();
    let sha = &d.policy.sha256;
    assert_eq!(
        json,
        format!(
            "{{\"document\":\"C-1\",\"policy\":{{\"name\":\"test/policy\",\"version\":\"1\",\
             \"sha256\":\"{sha}\",\"in_force_on\":\"2025-06-01\",\"date_from\":\"--at\"}},\
             \"decision\":\"referred\",\
             \"payout\":{{\"amount\":\"0.00\",\"currency\":\"USD\",\"breakdown\":[]}},\
             \"refund\":null,\"missing_evidence\":[],\
             \"awaiting\":[\
             {{\"input\":\"assessment.misuse_found\",\"source\":\"test.proviso:20:5\"}},\
             {{\"input\":\"assessment.share\",\"source\":\"test.proviso:18:5\"}}],\
             \"reasons\":[\
             {{\"rule\":\"misuse_found\",\"kind\":\"exclusion\",\
             \"text\":\"Not covered: misuse the evaluation finds.\",\
             \"source\":\"test.proviso:28:1\",\"failure\":{{\
             \"message\":\"waits for the assessed input `assessment.misuse_found`\",\
             \"source\":\"test.proviso:30:8\"}}}},\
             {{\"rule\":\"evaluated\",\"kind\":\"coverage\",\
             \"text\":\"The payout is determined by the evaluation, up to 100% of the item's value.\",\
             \"source\":\"test.proviso:32:1\",\"failure\":{{\
             \"message\":\"waits for the assessed input `assessment.share`\",\
             \"source\":\"test.proviso:35:21\"}}}}],\
             \"deadlines\":{{}},\"input\":{{\"path\":\"doc.yaml\"}}}}"
        )
    );
    // The hand-written writer writes the same bytes, and they read back to the decision.
    let mut written = Vec::new();
    d.write_json(&mut written).unwrap();
    assert_eq!(String::from_utf8(written).unwrap(), json);
    let read: Decision = serde_json::from_str(&json).unwrap();
    assert_eq!(read, d);
}

#[test]
fn with_the_assessment_the_claim_is_paid_the_evaluated_share_up_to_the_value() {
    let e = plan();
    let given = |share: &str| {
        e.decide(&claim(
            "mechanical",
            &format!("assessment: {{share: \"{share}\", misuse_found: false}}"),
        ))
    };
    let d = given("0.625");
    assert_eq!(
        summary(&d),
        ("approved".into(), "250.00".into(), vec!["evaluated".into()])
    );
    assert!(d.awaiting.is_empty());
    assert!(!serde_json::to_string(&d).unwrap().contains("awaiting"));
    let d = given("1.5");
    assert_eq!(
        summary(&d),
        (
            "approved".into(),
            "400.00".into(),
            vec!["evaluated".into(), "up_to_value".into()]
        )
    );
    // An assessed share of a third is computed exactly and rounded once.
    assert_eq!(summary(&given("0.3333333333")).1, "133.33");
}

#[test]
fn an_exclusion_that_holds_without_the_assessment_denies_and_nothing_is_awaited() {
    let d = plan().decide(&claim("misuse", ""));
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), vec!["misuse".into()])
    );
    assert!(d.awaiting.is_empty());
    assert!(d.reasons.iter().all(|r| r.failure.is_none()));
}

#[test]
fn an_assessed_exclusion_that_holds_denies() {
    let d = plan().decide(&claim("mechanical", "assessment: {misuse_found: true}"));
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), vec!["misuse_found".into()])
    );
    assert!(d.awaiting.is_empty());
}

#[test]
fn a_claim_no_coverage_could_approve_is_denied_whatever_the_inputs() {
    // `misuse_found` waits, but no coverage rule holds for wear, or could with any input.
    let d = plan().decide(&claim("wear", ""));
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), vec!["not_covered".into()])
    );
    assert!(d.awaiting.is_empty());
}

#[test]
fn at_our_discretion_is_an_assessed_bool() {
    let e = plan();
    let d = e.decide(&claim("accidental", "assessment: {misuse_found: false}"));
    assert_eq!(
        (summary(&d), awaiting(&d), waiting(&d)),
        (
            ("referred".into(), "0.00".into(), vec!["discretion".into()]),
            vec![format!("assessment.goodwill {FILE}:19:5")],
            vec![format!(
                "discretion: waits for the assessed input `assessment.goodwill` at {FILE}:39:40"
            )]
        )
    );
    let d = e.decide(&claim(
        "accidental",
        "assessment: {misuse_found: false, goodwill: true}",
    ));
    assert_eq!(
        summary(&d),
        (
            "approved".into(),
            "200.00".into(),
            vec!["discretion".into()]
        )
    );
    let d = e.decide(&claim(
        "accidental",
        "assessment: {misuse_found: false, goodwill: false}",
    ));
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), vec!["not_covered".into()])
    );
    assert_eq!(d.not_met.len(), 1);
    assert_eq!(&*d.not_met[0].condition, "assessment.goodwill");
    assert_eq!(d.not_met[0].condition_source.as_ref(), "test.proviso:39:40");
}

#[test]
fn a_condition_the_rest_settles_does_not_wait() {
    // `claim.cause == "accidental"` is false for a mechanical claim, so `discretion` does
    // not hold whatever `goodwill` would be: only `share` is awaited.
    let d = plan().decide(&claim("mechanical", "assessment: {misuse_found: false}"));
    assert_eq!(
        (summary(&d).0, awaiting(&d)),
        (
            "referred".to_string(),
            vec![format!("assessment.share {FILE}:18:5")]
        )
    );
}

#[test]
fn missing_evidence_is_asked_for_before_the_assessment() {
    let facts = format!("{FACTS}\n  evidence: optional list of record {{\n    kind: string\n  }}");
    let rules = format!(
        "{RULES}
evidence from evidence

evidence receipt
  doc \"A receipt.\"
  requires facts(claim.receipt)
"
    );
    let e = Engine::new(&facts, &rules);
    let d = e.decide(&claim("mechanical", ""));
    assert_eq!(
        summary(&d),
        ("incomplete".into(), "0.00".into(), vec!["receipt".into()])
    );
    assert!(d.awaiting.is_empty());
    let d = e.decide(
        "item: {value: \"400.00\"}\nclaim: {id: C-1, cause: mechanical, receipt: R-1, \
         filed_at: 2025-07-01T10:00:00Z}\n",
    );
    assert_eq!(summary(&d).0, "referred");
    assert_eq!(d.awaiting.len(), 2);
}

#[test]
fn every_input_of_an_amount_and_of_its_adjustments_is_awaited() {
    let facts = "
  item: record {
    value: money
  }
  claim: record {
    id: string
    filed_at: datetime
  }
  assessment: record {
    share:      assessed decimal
    limit:      assessed money
    deductible: assessed money
  }";
    let rules = "
coverage evaluated
  doc \"Evaluated.\"
  pays min(item.value * assessment.share, assessment.limit)

compensation deductible
  doc \"Less the deductible the evaluation sets.\"
  reduce by assessment.deductible

compensation not_below_zero
  doc \"Never less than nothing.\"
  floor at 0
";
    let e = Engine::new(facts, rules);
    let doc = "item: {value: \"400.00\"}\nclaim: {id: C-1, filed_at: 2025-07-01T10:00:00Z}\n";
    let d = e.decide(doc);
    assert_eq!(
        (summary(&d), awaiting(&d), waiting(&d)),
        (
            (
                "referred".into(),
                "0.00".into(),
                vec!["evaluated".into(), "deductible".into()]
            ),
            vec![
                format!("assessment.share {FILE}:16:5"),
                format!("assessment.limit {FILE}:17:5"),
                format!("assessment.deductible {FILE}:18:5"),
            ],
            vec![
                format!(
                    "evaluated: waits for the assessed inputs `assessment.share`, \
                     `assessment.limit` at {FILE}:24:25"
                ),
                format!(
                    "deductible: waits for the assessed input `assessment.deductible` at {FILE}:28:13"
                ),
            ]
        )
    );
    // With the amount's inputs, the adjustment still waits.
    let d = e.decide(&format!(
        "{doc}assessment: {{share: \"0.5\", limit: \"150.00\"}}\n"
    ));
    assert_eq!(
        (summary(&d).0, awaiting(&d)),
        (
            "referred".to_string(),
            vec![format!("assessment.deductible {FILE}:18:5")]
        )
    );
    let d = e.decide(&format!(
        "{doc}assessment: {{share: \"0.5\", limit: \"150.00\", deductible: \"25.00\"}}\n"
    ));
    assert_eq!(
        summary(&d),
        (
            "approved".into(),
            "125.00".into(),
            vec!["evaluated".into(), "deductible".into()]
        )
    );
}

#[test]
fn an_input_read_through_a_let_waits_without_a_source() {
    let facts = "
  claim: record {
    id: string
    filed_at: datetime
  }
  assessment: record {
    amount: assessed money
  }";
    let rules = "
let assessed_amount = assessment.amount

coverage evaluated
  doc \"Evaluated.\"
  pays assessed_amount
";
    let e = Engine::new(facts, rules);
    let d = e.decide("claim: {id: C-1, filed_at: 2025-07-01T10:00:00Z}\n");
    assert_eq!(
        waiting(&d),
        ["evaluated: waits for the assessed input `assessment.amount` at -"]
    );
    let d = e.decide(
        "claim: {id: C-1, filed_at: 2025-07-01T10:00:00Z}\nassessment: {amount: \"80.00\"}\n",
    );
    assert_eq!(summary(&d).1, "80.00");
}

#[test]
fn a_deadline_or_note_that_needs_an_input_is_left_out() {
    let facts = "
  claim: record {
    id: string
    filed_at: datetime
  }
  assessment: record {
    assessed_on: assessed date
  }";
    let rules = "
coverage covered
  doc \"Covered.\"
  pays 10

deadline settle_by
  doc \"Settled within 5 days of the assessment.\"
  by assessment.assessed_on + 5 days

note assessed
  doc \"The day of the assessment.\"
  shows assessment.assessed_on
";
    let e = Engine::new(facts, rules);
    let d = e.decide("claim: {id: C-1, filed_at: 2025-07-01T10:00:00Z}\n");
    assert_eq!(
        summary(&d),
        ("approved".into(), "10.00".into(), vec!["covered".into()])
    );
    assert_eq!(d.deadlines.0, vec![("settle_by".into(), None)]);
    assert!(d.notes.is_empty());
    assert!(d.awaiting.is_empty());
    let d = e.decide(
        "claim: {id: C-1, filed_at: 2025-07-01T10:00:00Z}\nassessment: {assessed_on: 2025-07-03}\n",
    );
    assert_eq!(d.deadlines.get("settle_by"), Some("2025-07-08"));
    assert_eq!(d.notes.get("assessed"), Some("2025-07-03"));
}

#[test]
fn a_cancellation_waits_as_a_claim_does() {
    let facts = "
  claim: optional record {
    id: string
    filed_at: datetime
  }
  cancellation: optional record {
    id: string
    requested_at: date
    price: money
  }
  assessment: record {
    abuse: assessed bool
  }";
    let rules = "
refusal abuse
  doc \"No refund where the plan was abused.\"
  when assessment.abuse

refund full
  doc \"The price is refunded.\"
  pays cancellation.price
";
    let e = Engine::new(facts, rules);
    let doc = "cancellation: {id: X-1, requested_at: 2025-07-01, price: \"30.00\"}\n";
    let d = e.decide(doc);
    assert_eq!(
        (
            summary(&d).0,
            awaiting(&d),
            d.refund.as_ref().map(|r| r.amount.to_string())
        ),
        (
            "referred".to_string(),
            vec![format!("assessment.abuse {FILE}:18:5")],
            Some("0".to_string())
        )
    );
    let d = e.decide(&format!("{doc}assessment: {{abuse: false}}\n"));
    assert_eq!(summary(&d).0, "approved");
    assert_eq!(d.refund.unwrap().amount.to_string(), "30.00");
}

#[test]
fn misuses_of_assessed_are_check_errors_with_what_to_write() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "  a: record {\n    share: assessed decimal default 1\n  }",
            "8:37 the assessed field `share` cannot have a default",
            "a rule that needs an assessed value waits for the person who gives it, and a default \
             would decide without them: write `share: assessed decimal`, or drop `assessed` for a \
             value the document states",
        ),
        (
            "  a: record {\n    share: assessed optional decimal\n  }",
            "8:21 the assessed field `share` cannot be optional",
            "a document may leave an assessed field out already, and a rule that needs it waits \
             for it rather than reading it as absent: write `share: assessed decimal`",
        ),
        // The other order is read as a type that cannot start with `assessed`: the same
        // mistake, the same message, at `optional`.
        (
            "  a: record {\n    share: optional assessed decimal\n  }",
            "8:12 the assessed field `share` cannot be optional",
            "a document may leave an assessed field out already, and a rule that needs it waits \
             for it rather than reading it as absent: write `share: assessed decimal`",
        ),
        (
            "  a: record { kind: optional assessed enum { minor, major } }",
            "7:21 the assessed field `kind` cannot be optional",
            "a document may leave an assessed field out already, and a rule that needs it waits \
             for it rather than reading it as absent: write `kind: assessed enum { minor, major }`",
        ),
        (
            "  a: record {\n    both: assessed record { x: decimal }\n  }",
            "8:11 `both` is record; only a single value can be assessed",
            "mark the fields inside instead, such as `both: record { share: assessed decimal }`",
        ),
        (
            "  a: record {\n    items: list of record { share: assessed decimal }\n  }",
            "8:36 `a.items[].share` is inside a list; an assessed field cannot be",
            "declare it once for the document, outside the list, such as \
             `assessment: record { share: assessed decimal }`",
        ),
    ];
    for (facts, message, help) in cases {
        let text = minimal::policy(facts, "coverage c doc \"c\" pays 1");
        let errs = minimal::policy_errors(&text);
        assert_eq!(errs.len(), 1, "{facts}: {:?}", minimal::errors_of(&text));
        assert_eq!(minimal::located(&errs[0]), message);
        assert_eq!(errs[0].help.as_deref(), Some(help));
    }
    let facts = "  a: record {\n    share: assessed decimal\n    ev: optional list of record { kind: string }\n  }";
    let rule_errors = [
        (
            "coverage c doc \"c\" when a.share is present pays 1",
            "12:25 `a.share` is assessed, so a rule reads it as given and never as absent",
            "remove `is present`: a rule that needs `a.share` waits for it, and the claim is \
             referred until it is given",
        ),
        (
            "coverage c doc \"c\" when a.share is absent pays 1",
            "12:25 `a.share` is assessed, so a rule reads it as given and never as absent",
            "remove `is absent`: a rule that needs `a.share` waits for it, and the claim is \
             referred until it is given",
        ),
        (
            "coverage c doc \"c\" pays 10 * (a.share otherwise 1)",
            "12:31 `a.share` is assessed, so a rule reads it as given and never as absent",
            "remove `otherwise ...`: a rule that needs `a.share` waits for it, and the claim is \
             referred until it is given",
        ),
        (
            "evidence e doc \"e\" requires facts(a.share)\nevidence from a.ev\ncoverage c doc \"c\" pays 1",
            "12:35 `a.share` is assessed: the insurer gives it, not the claimant",
            "ask the claimant for evidence here; a rule that needs an assessed value waits for it \
             by itself",
        ),
    ];
    for (rules, message, help) in rule_errors {
        let text = minimal::policy(facts, rules);
        let errs = minimal::policy_errors(&text);
        assert_eq!(errs.len(), 1, "{rules}: {:?}", minimal::errors_of(&text));
        assert_eq!(minimal::located(&errs[0]), message);
        assert_eq!(minimal::underlined(&errs[0]), "a.share");
        assert_eq!(errs[0].help.as_deref(), Some(help));
    }
    // Read as a required value: no `is present` needed, and it type-checks as its type.
    assert!(errors(facts, "coverage c doc \"c\" when a.share > 0.5 pays 10").is_empty());
    assert_eq!(
        errors(facts, "coverage c doc \"c\" when a.share pays 1"),
        ["12:25 a `when` condition must be a bool, but this is decimal"]
    );
}

#[test]
fn broken_declarations_get_a_diagnostic_not_a_panic() {
    for facts in [
        "  a: record {\n    share: assessed\n  }",
        "  a: record {\n    share: assessed assessed decimal\n  }",
        "  a: record {\n    share: optional assessed decimal\n  }",
        "  assessed: record {\n    assessed: assessed bool\n  }",
    ] {
        let text = minimal::policy(facts, "coverage c doc \"c\" pays 1");
        let _ = minimal::errors_of(&text);
    }
    // `assessed` stays a name where a name stands.
    let facts = "  assessed: record {\n    assessed: assessed bool\n  }";
    assert!(errors(facts, "coverage c doc \"c\" when assessed.assessed pays 1").is_empty());
    // A document that gives a value of the wrong type is refused, as for any fact.
    let e = plan();
    let err = e.fail(&claim("mechanical", "assessment: {share: lots}"));
    assert!(err.to_string().contains("assessment.share"), "{err}");
}

#[test]
fn the_layout_keeps_assessed_and_reads_back_the_same() {
    use proviso::internals::format::layout;
    use proviso::internals::span::Source;
    let text = minimal::policy(
        "  assessment: record {\n    share:  assessed   decimal # by the evaluation\n    ok: assessed bool\n  }",
        "coverage c doc \"c\" when assessment.ok pays 1",
    );
    let laid =
        layout(&Source::new("t.proviso", text.as_str())).unwrap_or_else(|e| panic!("{}", e[0]));
    assert!(
        laid.contains(
            "  assessment: record {\n    share: assessed decimal  # by the evaluation\n    ok:    assessed bool\n  }"
        ),
        "{laid}"
    );
    let again =
        layout(&Source::new("t.proviso", laid.as_str())).unwrap_or_else(|e| panic!("{}", e[0]));
    assert_eq!(again, laid);
}

#[test]
fn the_document_schema_marks_an_assessed_field_not_required_and_says_why() {
    let e = plan();
    let program = e.set.versions().next().unwrap();
    let schema = proviso::internals::json_schema::document(program);
    let assessment = &schema["properties"]["assessment"];
    assert!(assessment.get("required").is_none(), "{assessment}");
    assert_eq!(
        assessment["properties"]["goodwill"],
        serde_json::json!({
            "enum": [true, false, "true", "false", null],
            "description": "Assessed: given by a person (an assessor, the insurer); left out \
                            until it is, and a claim that needs it is referred meanwhile."
        })
    );
    // The record of assessed fields may be left out whole.
    let required = schema["required"].as_array().unwrap();
    assert!(!required.iter().any(|r| r == "assessment"), "{required:?}");
    assert!(required.iter().any(|r| r == "claim"), "{required:?}");
}

#[test]
fn hover_and_outline_show_that_a_field_is_assessed() {
    use proviso::internals::analysis::{hover, outline, Analysis};
    use proviso::internals::span::Source;
    let text = minimal::policy(FACTS, RULES);
    let a = Analysis::new(Source::new(FILE, text.as_str()));
    let at = text.find("assessment.share").unwrap() + "assessment.s".len();
    let (_, shown) = hover(&a, at).unwrap();
    assert_eq!(
        shown,
        "```proviso\nassessment.share: assessed decimal\n```\n\nfact, assessed: a person gives \
         it; a rule that needs it waits for it, and the claim is referred until it is given"
    );
    let ast = proviso::internals::parse::parse_file(&Source::new(FILE, text.as_str())).unwrap();
    let entries = outline(&ast);
    let assessment = entries.iter().find(|e| e.name == "assessment").unwrap();
    let details: Vec<&str> = assessment
        .children
        .iter()
        .map(|c| c.detail.as_str())
        .collect();
    assert_eq!(
        details,
        ["assessed decimal", "assessed bool", "assessed bool"]
    );
}

#[test]
fn the_text_output_and_explain_show_what_is_awaited() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("assessed-text");
    std::fs::create_dir_all(&dir).unwrap();
    let text = minimal::policy(FACTS, RULES);
    std::fs::write(dir.join("plan.proviso"), &text).unwrap();
    let at = dir.to_str().unwrap();
    let doc = format!("policy: test/policy\n{}", claim("mechanical", ""));
    let run = support::proviso_stdin(&["eval", at, "-", "--at", "2025-06-01"], &doc);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let f = format!("{at}/plan.proviso");
    let sha = run
        .stdout
        .split("sha256 ")
        .nth(1)
        .unwrap()
        .get(..12)
        .unwrap();
    assert_eq!(
        run.stdout,
        format!(
            "-:1\n\
             C-1: referred\n\
             \x20 policy     test/policy 1 (sha256 {sha}...), in force on 2025-06-01 (--at)\n\
             \x20 because    misuse_found (exclusion, {f}:28:1)\n\
             \x20            \"Not covered: misuse the evaluation finds.\"\n\
             \x20 waiting    waits for the assessed input `assessment.misuse_found` at {f}:30:8\n\
             \x20 because    evaluated (coverage, {f}:32:1)\n\
             \x20            \"The payout is determined by the evaluation, up to 100% of the item's value.\"\n\
             \x20 waiting    waits for the assessed input `assessment.share` at {f}:35:21\n\
             \x20 awaiting   assessment.misuse_found ({f}:20:5)\n\
             \x20 awaiting   assessment.share ({f}:18:5)\n\n"
        )
    );
    let run = support::proviso_stdin(&["eval", at, "-", "--at", "2025-06-01", "--explain"], &doc);
    assert!(
        run.stdout.contains(&format!(
            "    exclusion misuse_found: unknown, waits for an assessed input ({f}:28:1)\n\
             \x20     assessment.misuse_found: unknown ({f}:30:8)\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains("      waiting: waits for the assessed input `assessment.share`\n"),
        "{}",
        run.stdout
    );
}
