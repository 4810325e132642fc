//! `proviso test`: test files read strictly (every error located), cases decided and compared
//! with their partial expectations, test files found beside the policies, and the reports
//! (text, JSON Lines, JUnit XML) and exit statuses of the command.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::path::{Path, PathBuf};

use miette::Diagnostic;
use proviso::internals::span::Source;
use proviso::internals::testing::{self, CaseResult, TestFileError};
use proviso::PolicySet;
use support::proviso;

const EXAMPLE: &str = "examples/shipping/lost-domestic.yaml";

/// A failed case's differences as (key, expected, actual); fails the test if it passed.
fn differences(result: &CaseResult) -> Vec<(&str, &str, &str)> {
    let CaseResult::Failed(_, diffs) = result else {
        panic!("not failed")
    };
    diffs
        .iter()
        .map(|d| (d.field.as_str(), d.expected.as_str(), d.actual.as_str()))
        .collect()
}

/// The test file's error: `file:line:col`, message and help.
fn parse_error(text: &str) -> (String, String, String) {
    let e = testing::parse(&Source::new("t.yaml", text)).unwrap_err();
    let help = e.help().map(|h| h.to_string()).unwrap_or_default();
    (e.location(), e.message(), help)
}

fn case(expect: &str) -> String {
    format!("cases:\n  - name: lost\n    document: {EXAMPLE}\n    expect:\n{expect}")
}

#[test]
fn a_test_file_with_a_typo_is_an_error_at_its_line_and_column() {
    // The help for a misspelt key of `expect`: the nearest key, then every key it takes.
    let suggest = |key: &str| {
        format!(
            "did you mean `{key}`? `expect` takes `decision`, `payout`, `components`, `refund`, \
             `reasons`, `reasons_include`, `missing_evidence`, `awaiting`, `eligible_from`, \
             `deadlines`, `notes` and `policy_version`"
        )
    };
    let decision_help = suggest("decision");
    let eligible_from_help = suggest("eligible_from");
    let awaiting_help = suggest("awaiting");
    let notes_help = suggest("notes");
    let components_help = suggest("components");
    let cases: Vec<(String, &str, &str, &str)> = vec![
        (
            case("      decison: approved\n"),
            "t.yaml:5:7",
            "unknown key `decison` in `expect`",
            &decision_help,
        ),
        (
            case("      decision: denied\n      eligible_form: 2025-07-03\n"),
            "t.yaml:6:7",
            "unknown key `eligible_form` in `expect`",
            &eligible_from_help,
        ),
        (
            case("      decision: referred\n      awaitng: [assessment.share]\n"),
            "t.yaml:6:7",
            "unknown key `awaitng` in `expect`",
            &awaiting_help,
        ),
        (
            case("      decision: approved\n      note: {resolution: cash}\n"),
            "t.yaml:6:7",
            "unknown key `note` in `expect`",
            &notes_help,
        ),
        (
            case("      decision: approved\n      component: {cash: \"10.00\"}\n"),
            "t.yaml:6:7",
            "unknown key `component` in `expect`",
            &components_help,
        ),
        (
            case("      decision: denied\n      eligible_from: next week\n"),
            "t.yaml:6:22",
            "expected a date (YYYY-MM-DD), an instant (RFC 3339, like 2025-07-11T09:30:00Z), or \
             null for a decision without one, found \"next week\"",
            "",
        ),
        (
            case("      decision: referred\n      awaiting: assessment.share\n"),
            "t.yaml:6:17",
            "expected a list of assessed inputs, like `[assessment.share]`, found \
             \"assessment.share\"",
            "",
        ),
        (
            case("      decision: approved\n      notes: [resolution]\n"),
            "t.yaml:6:14",
            "expected a mapping of note names to values, found a list",
            "",
        ),
        (
            case("      decision: approved\n      notes: {resolution: [cash]}\n"),
            "t.yaml:6:27",
            "expected a note's value as the decision shows it (`cash`, `71.40`), or null for a \
             note that does not apply, found a list",
            "",
        ),
        (
            case("      decision: approved\n      notes: {paid: \"1.00\", paid: null}\n"),
            "t.yaml:6:29",
            "note `paid` is given twice (first at 6:15)",
            "give it once",
        ),
        (
            case("      decision: approved\n      components: {cash: 10.001}\n"),
            "t.yaml:6:26",
            "expected an amount in whole cents, like \"44.00\" or \"44.00 USD\", found \"10.001\"",
            "",
        ),
        (
            case("      decision: approved\n      components: \"10.00\"\n"),
            "t.yaml:6:19",
            "expected a mapping of payout component names to amounts, like {cash: \"10.00\"}, \
             found \"10.00\"",
            "",
        ),
        (
            format!("cases:\n  - name: lost\n    document: {EXAMPLE}\n    decision: approved\n"),
            "t.yaml:4:5",
            "unknown key `decision` in a case",
            "what a case expects goes under `expect:` (`expect: {decision: ...}`)",
        ),
        (
            "case:\n  - name: x\n".into(),
            "t.yaml:1:1",
            "unknown key `case` in the test file",
            "did you mean `cases`? the test file takes `cases`",
        ),
        (
            case("      payout: \"44.00\"\n"),
            "t.yaml:5:7",
            "`expect` has no `decision`",
            "add `decision:`",
        ),
        (
            case("      decision: aproved\n"),
            "t.yaml:5:17",
            "expected a decision: approved, denied, incomplete or referred, found \"aproved\"",
            "did you mean `approved`?",
        ),
        (
            case("      decision: approved\n      payout: 44.001\n"),
            "t.yaml:6:15",
            "expected an amount in whole cents, like \"44.00\" or \"44.00 USD\", found \"44.001\"",
            "",
        ),
        (
            case("      decision: approved\n      decision: denied\n"),
            "t.yaml:6:7",
            "`decision` is given twice in `expect` (first at 5:7)",
            "give it once",
        ),
        (
            case("      decision: approved\n      reasons: lost_package\n"),
            "t.yaml:6:16",
            "expected a list of rule or requirement names, like `[a, b]`, found \"lost_package\"",
            "",
        ),
        (
            case("      decision: approved\n      deadlines: {settle_by: next week}\n"),
            "t.yaml:6:30",
            "expected a date (YYYY-MM-DD), an instant (RFC 3339, like 2025-07-11T09:30:00Z), or \
             null for a deadline that does not apply, found \"next week\"",
            "",
        ),
        (
            format!("cases:\n  - name: x\n    document: {EXAMPLE}\n    at: 2025-02-30\n    expect: {{decision: denied}}\n"),
            "t.yaml:4:9",
            "expected a date (YYYY-MM-DD), like 2025-06-01, found \"2025-02-30\"",
            "",
        ),
        (
            format!("cases:\n  - name: x\n    document: {EXAMPLE}\n    line: 2\n    expect: {{decision: denied}}\n"),
            "t.yaml:4:11",
            "`line` picks a line of a JSON Lines document",
            "give `line` only with a `document` ending in `.jsonl` or `.ndjson`, or remove it",
        ),
        (
            format!("cases:\n  - name: x\n    document: {EXAMPLE}\n"),
            "t.yaml:2:5",
            "the case has no `expect`",
            "add `expect:`",
        ),
        (
            format!(
                "cases:\n  - name: x\n    document: {EXAMPLE}\n    expect: {{decision: denied}}\n  \
                 - name: x\n    document: {EXAMPLE}\n    expect: {{decision: denied}}\n"
            ),
            "t.yaml:5:5",
            "two cases are named `x`",
            "the other is at line 2; give each case its own name",
        ),
        (
            "cases: []\n".into(),
            "t.yaml:1:8",
            "the test file holds no case",
            "add a case: `- name: ...`, `document: ...`, `expect: {decision: ...}`",
        ),
        (
            "".into(),
            "t.yaml:1:1",
            "the test file is empty",
            "a test file is a YAML mapping with `cases:`, a list of cases with `name`, \
             `document` and `expect`",
        ),
        (
            "cases:\n  - name: x\n    document: &d {policy: a}\n  - name: y\n    document: *d\n"
                .into(),
            "t.yaml:5:15",
            "YAML aliases (`*name`) are not accepted in test files; write the value out",
            "a test file is a YAML mapping with `cases:`, a list of cases with `name`, \
             `document` and `expect`",
        ),
        (
            "cases: [a]\n---\ncases: [b]\n".into(),
            "t.yaml:2:1",
            "a test file holds one YAML document, and this is a second",
            "a test file is a YAML mapping with `cases:`, a list of cases with `name`, \
             `document` and `expect`",
        ),
        (
            "cases:\n  - name: [x\n".into(),
            "t.yaml:3:1",
            "the test file is not valid YAML: while parsing a flow sequence, expected ',' or ']'",
            "a test file is a YAML mapping with `cases:`, a list of cases with `name`, \
             `document` and `expect`",
        ),
    ];
    let mut failures = Vec::new();
    for (text, location, message, help) in &cases {
        let got = parse_error(text);
        let want = (location.to_string(), message.to_string(), help.to_string());
        if got != want {
            failures.push(format!("{text}\n  got  {got:?}\n  want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn an_unreadable_test_file_names_its_path() {
    let e = testing::read_file(Path::new("no/such/tests/x.yaml")).unwrap_err();
    assert!(matches!(e, TestFileError::Io { .. }));
    assert_eq!(
        e.message(),
        "cannot read `no/such/tests/x.yaml`: No such file or directory (os error 2)"
    );
}

/// Runs the cases of `text` (a test file at the repository root) with the bundled policies.
fn run(text: &str) -> Vec<(String, CaseResult)> {
    let set = PolicySet::load("policies").unwrap();
    let file = testing::parse(&Source::new("t.yaml", text)).unwrap();
    testing::run_file(&set, &file)
        .into_iter()
        .map(|c| (c.name, c.result))
        .collect()
}

/// The difference messages of a failed case; `passed` or the error otherwise.
fn outcome(result: &CaseResult) -> Vec<String> {
    match result {
        CaseResult::Passed(_) => vec!["passed".into()],
        CaseResult::Failed(_, diffs) => diffs.iter().map(|d| d.message.clone()).collect(),
        CaseResult::Error(e) => vec![format!("error: {}", e.message())],
    }
}

#[test]
fn only_what_a_case_states_is_compared() {
    let results = run(&case(
        "      decision: approved\n      payout: \"44.00 USD\"\n      reasons: [lost_package]\n      \
         missing_evidence: []\n      deadlines:\n        respond_by: 2025-07-11T11:30:00+02:00\n        \
         settle_by: 2025-07-14\n      policy_version: \"2025-01-01\"\n",
    ));
    assert_eq!(outcome(&results[0].1), ["passed"]);
    let results = run(&case("      decision: approved\n"));
    assert_eq!(outcome(&results[0].1), ["passed"]);
}

#[test]
fn every_difference_is_named_with_what_was_expected_and_what_came() {
    let results = run(&case(
        "      decision: denied\n      payout: \"40.00 EUR\"\n      reasons: [not_covered]\n      \
         reasons_include: [lost_package, unfulfilled]\n      missing_evidence: [tracking]\n      \
         deadlines: {settle_by: null, pay_by: 2025-07-20}\n      policy_version: \"2024-01-01\"\n      \
         refund: \"3.99\"\n",
    ));
    assert_eq!(
        outcome(&results[0].1),
        [
            "decision expected denied, got approved",
            "payout expected 40.00 EUR, got 44.00 USD",
            "refund expected 3.99, got no refund (a claim has a payout)",
            "reasons expected [not_covered], got [lost_package]",
            "reasons expected to include [unfulfilled], got [lost_package]",
            "missing_evidence expected [tracking], got []",
            "deadline settle_by expected null, got 2025-07-14",
            "deadline pay_by expected 2025-07-20, but the decision has no deadline of that name",
            "policy_version expected 2024-01-01, got 2025-01-01",
        ]
    );
    let fields = differences(&results[0].1);
    assert_eq!(
        fields[..3],
        [
            ("decision", "denied", "approved"),
            ("payout", "40.00 EUR", "44.00 USD"),
            ("refund", "3.99", "no refund (a claim has a payout)"),
        ]
    );
    // Without a currency, the amount alone is compared (and shown).
    let results = run(&case("      decision: approved\n      payout: \"40.00\"\n"));
    assert_eq!(outcome(&results[0].1), ["payout expected 40.00, got 44.00"]);
}

#[test]
fn reasons_include_takes_rules_in_any_order() {
    let doc = "examples/shipping/payout-capped-then-courier-deducted.yaml";
    let text = format!(
        "cases:\n  - name: in order\n    document: {doc}\n    expect:\n      decision: approved\n      \
         reasons: [misdelivered_traceable, order_value_cap, courier_reduction]\n  - name: any order\n    document: {doc}\n    \
         expect:\n      decision: approved\n      reasons_include: [courier_reduction, misdelivered_traceable]\n  - name: exact \
         order\n    document: {doc}\n    expect:\n      decision: approved\n      \
         reasons: [courier_reduction, order_value_cap, misdelivered_traceable]\n"
    );
    let results = run(&text);
    let got: Vec<Vec<String>> = results.iter().map(|(_, r)| outcome(r)).collect();
    assert_eq!(
        got,
        [
            vec!["passed".to_string()],
            vec!["passed".to_string()],
            vec![
                "reasons expected [courier_reduction, order_value_cap, misdelivered_traceable], \
                 got [misdelivered_traceable, order_value_cap, courier_reduction]"
                    .to_string()
            ],
        ]
    );
}

/// A parcel plan paid in parts (`cash`, `reshipment`), with a waiting period that says from
/// when (`eligible from`), an assessed input, and notes: what the newer keys of `expect`
/// assert.
const PARTS: &str = r#"policy "t/parts"
version "2025-01-01"
effective 2025-01-01
currency USD from order.currency
doc "A parcel plan paid in parts."

facts {
  order: record {
    currency: string
    value:    money
  }
  shipment: record {
    estimated_delivery: datetime
  }
  claim: record {
    id:          string
    type:        enum { lost, damaged }
    filed_at:    datetime
    reship_cost: money default 0
    resolution:  optional enum { cash, reshipment }
  }
  assessment: record {
    share: assessed decimal
  }
}

exclusion too_early
  doc "A claim can be filed 48 hours after the estimated delivery."
  when claim.filed_at < shipment.estimated_delivery + 48 hours
  eligible from shipment.estimated_delivery + 48 hours

coverage lost
  doc "Lost: the order's value, in cash."
  when claim.type == "lost"
  pays order.value as cash

coverage damaged
  doc "Damaged: the assessed share of the order's value, reshipped."
  when claim.type == "damaged"
  pays assessment.share * order.value as reshipment

compensation reship
  doc "Reshipping costs are paid on top."
  add claim.reship_cost as reshipment

note resolution
  doc "The resolution chosen."
  when claim.resolution is present
  shows claim.resolution

note paid
  doc "What was paid."
  shows decision.payout

fallback not_covered
  doc "Not covered."
"#;

/// A case of the parts plan: a claim of `kind` filed at `filed`, with `claim` fields more,
/// and what it should `expect` (lines of YAML under `expect:`).
fn parts_case(name: &str, kind: &str, filed: &str, claim: &str, expect: &str) -> String {
    format!(
        "  - name: {name}\n    document:\n      policy: t/parts\n      \
         order: {{currency: USD, value: \"40.00\"}}\n      \
         shipment: {{estimated_delivery: 2025-07-01T12:00:00Z}}\n      \
         claim: {{id: C-1, type: {kind}, filed_at: {filed}{claim}}}\n    expect:\n{expect}"
    )
}

/// Runs the cases (`parts_case`s) with the parts plan.
fn run_parts(cases: &[String]) -> Vec<Vec<String>> {
    let set = PolicySet::from_sources(vec![Source::new("parts.proviso", PARTS)]).unwrap();
    let text = format!("cases:\n{}", cases.concat());
    let file = testing::parse(&Source::new("t.yaml", text.as_str())).unwrap();
    testing::run_file(&set, &file)
        .iter()
        .map(|c| outcome(&c.result))
        .collect()
}

const EARLY: &str = "2025-07-02T09:00:00Z";
const LATER: &str = "2025-07-10T09:00:00Z";

#[test]
fn eligible_from_awaiting_notes_and_components_are_asserted() {
    let cases = [
        parts_case(
            "too early",
            "lost",
            EARLY,
            "",
            "      decision: denied\n      eligible_from: 2025-07-03T12:00:00Z\n      \
             awaiting: []\n      components: {cash: \"0.00\", reshipment: \"0.00\"}\n      \
             notes: {paid: \"0.00\", resolution: null}\n",
        ),
        // The same instant in another offset is the same `eligible_from`, as for deadlines.
        parts_case(
            "too early, in Paris",
            "lost",
            EARLY,
            "",
            "      decision: denied\n      eligible_from: 2025-07-03T14:00:00+02:00\n",
        ),
        parts_case(
            "lost, in cash",
            "lost",
            LATER,
            ", resolution: cash",
            "      decision: approved\n      payout: \"40.00\"\n      eligible_from: null\n      \
             components: {cash: \"40.00 USD\"}\n      notes: {resolution: cash, paid: \"40.0\"}\n",
        ),
        parts_case(
            "waits for the share",
            "damaged",
            LATER,
            ", reship_cost: \"7.50\"",
            "      decision: referred\n      awaiting: [assessment.share]\n      \
             eligible_from: null\n",
        ),
    ];
    let passed = vec!["passed".to_string()];
    assert_eq!(run_parts(&cases), vec![passed; 4]);
}

#[test]
fn eligible_from_awaiting_notes_and_components_name_each_difference() {
    let cases = [
        parts_case(
            "too early",
            "lost",
            EARLY,
            "",
            "      decision: denied\n      components: {cash: \"40.00\", parcel: \"1.00\"}\n      \
             awaiting: [assessment.share]\n      eligible_from: 2025-07-03\n      \
             notes: {paid: \"40.00\", resolution: cash, reslution: null}\n",
        ),
        parts_case(
            "lost, in cash",
            "lost",
            LATER,
            "",
            "      decision: approved\n      components: {cash: \"40.00 EUR\"}\n      \
             eligible_from: 2025-07-03T12:00:00Z\n      notes: {resolution: null, paid: null}\n",
        ),
        parts_case(
            "waits for the share",
            "damaged",
            LATER,
            "",
            "      decision: referred\n      awaiting: []\n",
        ),
    ];
    assert_eq!(
        run_parts(&cases),
        [
            vec![
                "component cash expected 40.00, got 0.00",
                "component parcel expected 1.00, but the decision has no component of that name",
                "awaiting expected [assessment.share], got []",
                "eligible_from expected 2025-07-03, got 2025-07-03T12:00:00Z",
                "note paid expected 40.00, got 0.00",
                "note resolution expected cash, got null",
                "note reslution expected null, but the policy has no note of that name",
            ],
            vec![
                "component cash expected 40.00 EUR, got 40.00 USD",
                "eligible_from expected 2025-07-03T12:00:00Z, got null",
                "note paid expected null, got 40.00",
            ],
            vec!["awaiting expected [], got [assessment.share]"],
        ]
    );
    // Each difference is named by its key, as `--format json` lists them.
    let set = PolicySet::from_sources(vec![Source::new("parts.proviso", PARTS)]).unwrap();
    let text = format!("cases:\n{}", cases[0]);
    let file = testing::parse(&Source::new("t.yaml", text.as_str())).unwrap();
    let reports = testing::run_file(&set, &file);
    let fields = differences(&reports[0].result);
    assert_eq!(
        fields,
        [
            ("components.cash", "40.00", "0.00"),
            ("components.parcel", "1.00", "no such component"),
            ("awaiting", "[assessment.share]", "[]"),
            ("eligible_from", "2025-07-03", "2025-07-03T12:00:00Z"),
            ("notes.paid", "40.00", "0.00"),
            ("notes.resolution", "cash", "null"),
            ("notes.reslution", "null", "no such note"),
        ]
    );
}

#[test]
fn documents_are_files_lines_of_json_lines_or_written_in_place() {
    let corpus = "examples/corpus/shipping-2024.jsonl";
    let text = format!(
        "cases:\n  - name: line 2\n    document: {corpus}\n    line: 2\n    expect:\n      \
         decision: approved\n      payout: \"80.00\"\n      policy_version: \"2024-01-01\"\n  \
         - name: line 99\n    document: {corpus}\n    line: 99\n    expect: {{decision: denied}}\n  \
         - name: no line\n    document: {corpus}\n    expect: {{decision: denied}}\n  \
         - name: missing\n    document: examples/no-such.yaml\n    expect: {{decision: denied}}\n  \
         - name: in place\n    at: 2025-06-01\n    document:\n      policy: xcotton/shipping-protection\n      \
         order: {{id: X, currency: USD, items: [{{sku: A, quantity: two, unit_price: \"1.00\"}}]}}\n    \
         expect: {{decision: denied}}\n"
    );
    let results = run(&text);
    let got: Vec<Vec<String>> = results.iter().map(|(_, r)| outcome(r)).collect();
    assert_eq!(
        got,
        [
            vec!["passed".to_string()],
            vec![format!("error: `{corpus}` has no document on line 99")],
            vec![format!(
                "error: `{corpus}` holds JSON Lines; a case's document is one of its lines"
            )],
            vec![
                "error: cannot read `examples/no-such.yaml`: No such file or directory (os error 2)"
                    .to_string()
            ],
            vec!["error: order.items[0].quantity: expected an integer, found \"two\"".to_string()],
        ]
    );
    // The document written in place is read where it is written: its errors name the test
    // file's line and column.
    let CaseResult::Error(e) = &results[4].1 else {
        panic!()
    };
    assert_eq!(e.code().unwrap().to_string(), "t.yaml:23:64");
    let CaseResult::Error(e) = &results[3].1 else {
        panic!()
    };
    assert_eq!(e.code().unwrap().to_string(), "t.yaml:17:15");
}

#[test]
fn test_files_are_found_in_tests_folders_beside_the_policies() {
    let shipping = "policies/xcotton/shipping-protection";
    let found = testing::find(&[PathBuf::from("policies")]);
    assert_eq!(found.policies, [PathBuf::from("policies")]);
    let tests: Vec<String> = found
        .tests
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert_eq!(
        tests,
        [
            "policies/marketplace/shipping-insurance/tests/marketplace.yaml".to_string(),
            "policies/xcotton/product-protection/tests/cancellations.yaml".into(),
            "policies/xcotton/product-protection/tests/implausible.yaml".into(),
            "policies/xcotton/product-protection/tests/product.yaml".into(),
            format!("{shipping}/tests/corpus.yaml"),
            format!("{shipping}/tests/evidence.yaml"),
            format!("{shipping}/tests/implausible.yaml"),
            format!("{shipping}/tests/shipping.yaml"),
            format!("{shipping}/tests/under-2024-terms.yaml"),
            format!("{shipping}/tests/waiting-period.yaml"),
        ]
    );
    // A policy file: the test files beside it.
    let found = testing::find(&[PathBuf::from(format!("{shipping}/2025-01-01.proviso"))]);
    assert_eq!(found.tests.len(), 6);
    assert_eq!(
        found.policies,
        [PathBuf::from(format!("{shipping}/2025-01-01.proviso"))]
    );
    // A test file, or a `tests` folder: with the policies of the folder that holds it.
    let file = PathBuf::from(format!("{shipping}/tests/waiting-period.yaml"));
    let found = testing::find(std::slice::from_ref(&file));
    assert_eq!(found.policies, [PathBuf::from(shipping)]);
    assert_eq!(found.tests, [file]);
    let found = testing::find(&[PathBuf::from(format!("{shipping}/tests"))]);
    assert_eq!(found.policies, [PathBuf::from(shipping)]);
    assert_eq!(found.tests.len(), 6);
    // The same test file named twice runs once.
    let found = testing::find(&[PathBuf::from("policies"), PathBuf::from(shipping)]);
    assert_eq!(found.tests.len(), 10);
}

// ---- The command ------------------------------------------------------------------------

/// A scratch folder holding the 2025 shipping policy and `tests/t.yaml` with `cases`.
fn scratch(name: &str, cases: &str) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("testing")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("tests")).unwrap();
    let policy = support::read("policies/xcotton/shipping-protection/2025-01-01.proviso");
    std::fs::write(dir.join("2025-01-01.proviso"), policy).unwrap();
    let example = support::root().join(EXAMPLE);
    let text = cases.replace("EXAMPLE", &example.display().to_string());
    std::fs::write(dir.join("tests/t.yaml"), text).unwrap();
    dir.display().to_string()
}

const WRONG: &str = "\
cases:
  - name: right
    document: EXAMPLE
    expect: {decision: approved, payout: \"44.00\"}
  - name: wrong
    document: EXAMPLE
    expect:
      decision: denied
      payout: \"0.00\"
";

const LOST_PACKAGE: &str = "Lost Packages: logistics does not show delivery; package not \
delivered within 30 days (domestic) or 60 days (international). Lost goods are refunded or \
reshipped based on discounted order value.";

#[test]
fn a_wrong_expectation_fails_with_the_difference_and_the_reasons() {
    let dir = scratch("wrong", WRONG);
    let run = proviso(&["test", &dir]);
    assert_eq!((run.code, run.stderr.as_str()), (5, ""));
    assert_eq!(
        run.stdout,
        format!(
            "FAIL {dir}/tests/t.yaml:5 wrong: decision expected denied, got approved; payout \
             expected 0.00, got 44.00\n  because lost_package (coverage) \"{LOST_PACKAGE}\"\n\
             1 passed, 1 failed, 0 errors\n"
        )
    );
}

#[test]
fn json_output_is_one_object_per_case_then_the_summary() {
    let dir = scratch("json", WRONG);
    let run = proviso(&["test", &dir, "--format", "json"]);
    assert_eq!((run.code, run.stderr.as_str()), (5, ""));
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    let file = format!("{dir}/tests/t.yaml");
    assert_eq!(lines[0]["file"], file.as_str());
    assert_eq!(
        (&lines[0]["line"], &lines[0]["case"], &lines[0]["status"]),
        (&2.into(), &"right".into(), &"passed".into())
    );
    assert_eq!(lines[0]["decision"]["payout"]["amount"], "44.00");
    assert_eq!(
        (&lines[1]["line"], &lines[1]["status"]),
        (&5.into(), &"failed".into())
    );
    assert_eq!(
        lines[1]["differences"],
        serde_json::json!([
            {"field": "decision", "expected": "denied", "actual": "approved",
             "message": "decision expected denied, got approved"},
            {"field": "payout", "expected": "0.00", "actual": "44.00",
             "message": "payout expected 0.00, got 44.00"},
        ])
    );
    assert_eq!(
        lines[2],
        serde_json::json!({"summary": {"passed": 1, "failed": 1, "errors": 0}})
    );
}

#[test]
fn junit_output_escapes_what_it_quotes() {
    let cases = "\
cases:
  - name: \"<right> & \\\"proper\\\"\"
    document: EXAMPLE
    expect: {decision: approved}
  - name: \"wrong\\u0001\"
    document: EXAMPLE
    expect: {decision: denied}
";
    let dir = scratch("junit", cases);
    let run = proviso(&["test", &dir, "--format", "junit"]);
    assert_eq!((run.code, run.stderr.as_str()), (5, ""));
    let file = format!("{dir}/tests/t.yaml");
    assert_eq!(
        run.stdout,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
             <testsuites name=\"proviso test\" tests=\"2\" failures=\"1\" errors=\"0\">\n  \
             <testsuite name=\"{file}\" tests=\"2\" failures=\"1\" errors=\"0\">\n    \
             <testcase name=\"&lt;right&gt; &amp; &quot;proper&quot;\" classname=\"{file}\" file=\"{file}\" line=\"2\"/>\n    \
             <testcase name=\"wrong\\u{{1}}\" classname=\"{file}\" file=\"{file}\" line=\"5\">\n      \
             <failure message=\"decision expected denied, got approved\" type=\"expectation\">decision expected denied, got approved\n\
             because lost_package (coverage) \"{LOST_PACKAGE}\"</failure>\n    \
             </testcase>\n  </testsuite>\n</testsuites>\n"
        )
    );
}

#[test]
fn names_with_control_characters_are_escaped_in_text() {
    let cases = "\
cases:
  - name: \"wrong\\e[2J\\nFAKE 1 passed\"
    document: EXAMPLE
    expect: {decision: denied}
";
    let dir = scratch("escapes", cases);
    let run = proviso(&["test", &dir]);
    assert_eq!(run.code, 5);
    let first = run.stdout.lines().next().unwrap();
    assert_eq!(
        first,
        format!(
            "FAIL {dir}/tests/t.yaml:2 wrong\\u{{1b}}[2J\\nFAKE 1 passed: decision expected \
             denied, got approved"
        )
    );
}

#[test]
fn exit_statuses() {
    // Errors (exit 4) outrank failures (exit 5): a case without a decision, beside a failing one.
    let dir = scratch(
        "errors",
        &format!("{WRONG}  - name: unreadable\n    document: no-such.yaml\n    expect: {{decision: denied}}\n"),
    );
    let run = proviso(&["test", &dir]);
    assert_eq!(run.code, 4);
    assert!(
        run.stdout.ends_with(&format!(
            "ERROR {dir}/tests/t.yaml:10 unreadable: cannot read `{dir}/tests/no-such.yaml`: \
             No such file or directory (os error 2)\n1 passed, 1 failed, 1 error\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr.contains(&format!("{dir}/tests/t.yaml:11:15")),
        "{}",
        run.stderr
    );

    // An invalid test file: exit 4, its error located, the other files still run.
    let dir = scratch("invalid", "cases:\n  - name: x\n    documnet: a.yaml\n");
    std::fs::write(
        format!("{dir}/tests/u.yaml"),
        WRONG.replace(
            "EXAMPLE",
            &support::root().join(EXAMPLE).display().to_string(),
        ),
    )
    .unwrap();
    let run = proviso(&["test", &dir]);
    assert_eq!(run.code, 4);
    assert!(
        run.stdout.starts_with(&format!(
            "ERROR {dir}/tests/t.yaml:3:5: unknown key `documnet` in a case\nFAIL {dir}/tests/u.yaml:5 wrong"
        )),
        "{}",
        run.stdout
    );
    assert!(run.stdout.ends_with("\n1 passed, 1 failed, 1 error\n"));
    assert!(
        run.stderr.contains("help: did you mean `document`?"),
        "{}",
        run.stderr
    );

    // Invalid policies: exit 3, nothing run.
    let dir = scratch("policy", WRONG);
    std::fs::write(format!("{dir}/2025-01-01.proviso"), "policy \"x\"\n").unwrap();
    let run = proviso(&["test", &dir]);
    assert_eq!((run.code, run.stdout.as_str()), (3, ""));

    // No test file at all: exit 4.
    let run = proviso(&["test", "examples"]);
    assert_eq!((run.code, run.stdout.as_str()), (4, ""));
    assert_eq!(
        run.stderr,
        "error: no test files found in `examples`\n  help: write test files as \
         `tests/NAME.yaml` beside the policies they test (`policies/NAME/tests/NAME.yaml`)\n"
    );

    // All passed: exit 0.
    let dir = scratch(
        "passed",
        "cases:\n  - name: ok\n    document: EXAMPLE\n    expect: {decision: approved}\n",
    );
    let run = proviso(&["test", &dir]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (0, "1 passed, 0 failed, 0 errors\n", "")
    );
}

#[test]
fn test_files_are_bounded() {
    // Deep nesting stops at the limit (the YAML reader's own, for text nested deeper
    // still), however deep the text goes.
    let help = "a test file is a YAML mapping with `cases:`, a list of cases with `name`, \
                `document` and `expect`";
    let deep = format!("cases: {}", "[".repeat(100));
    assert_eq!(
        parse_error(&deep),
        (
            "t.yaml:1:79".to_string(),
            "the test file nests deeper than 72 levels".to_string(),
            help.to_string()
        )
    );
    let deeper = format!("cases: {}", "[".repeat(100_000));
    assert_eq!(
        parse_error(&deeper),
        (
            "t.yaml:1:263".to_string(),
            "the test file is not valid YAML: recursion limit exceeded".to_string(),
            help.to_string()
        )
    );
    // Not UTF-8: located at the byte.
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("testing-bounds");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.yaml");
    std::fs::write(&path, b"cases:\n  - name: caf\xe9\n").unwrap();
    let e = testing::read_file(&path).unwrap_err();
    assert_eq!(
        (e.location(), e.message()),
        (
            format!("{}:2:14", path.display()),
            "test file is not UTF-8: byte 0xE9 at line 2, column 14 is not part of a UTF-8 \
             character"
                .to_string()
        )
    );
}

#[test]
fn coverage_lists_the_rules_no_case_made_decide() {
    let dir = scratch(
        "coverage",
        "cases:\n  - name: ok\n    document: EXAMPLE\n    expect: {decision: approved}\n",
    );
    let policy = format!("{dir}/2025-01-01.proviso");
    let set = PolicySet::load(&policy).unwrap();
    let rules: Vec<(String, usize)> = set
        .versions()
        .flat_map(|p| &p.rules)
        .map(|r| {
            let source = r.source.to_string();
            let mut parts = source.rsplitn(3, ':');
            let _col = parts.next();
            (r.name.to_string(), parts.next().unwrap().parse().unwrap())
        })
        .collect();
    let decided = [
        "lost_package",
        "courier_reduction",
        "respond_by",
        "settle_by",
    ];
    let total = rules.len();
    let percent = proviso::internals::testing::percent(4, total);
    // Below the minimum: exit 6, the version's rules that no case made decide, each at
    // its file and line.
    let run = proviso(&["test", &dir, "--min-coverage", "100"]);
    assert_eq!((run.code, run.stderr.as_str()), (6, ""));
    let mut expected = format!(
        "coverage xcotton/shipping-protection 2025-01-01: 4 of {total} rules decided \
         ({percent}%), below the minimum of 100%\n"
    );
    for (name, line) in rules.iter().filter(|(n, _)| !decided.contains(&n.as_str())) {
        let kind = set
            .versions()
            .flat_map(|p| &p.rules)
            .find(|r| *r.name == **name)
            .unwrap()
            .kind
            .as_str();
        expected.push_str(&format!(
            "  never decided  {name} ({kind}) {policy}:{line}\n"
        ));
    }
    // Rules that decided with a condition seen only one way: one document, so only held.
    for name in ["lost_package", "settle_by"] {
        let (_, line) = rules.iter().find(|(n, _)| n == name).unwrap();
        let kind = if name == "lost_package" {
            "coverage"
        } else {
            "deadline"
        };
        expected.push_str(&format!(
            "  always held    {name} ({kind}) {policy}:{line}\n"
        ));
    }
    expected.push_str("1 passed, 0 failed, 0 errors\n");
    assert_eq!(run.stdout, expected);
    assert_eq!(percent, "8.3");

    // At or above it: exit 0; `--coverage` alone never fails.
    assert_eq!(proviso(&["test", &dir, "--min-coverage", "8"]).code, 0);
    assert_eq!(proviso(&["test", &dir, "--min-coverage", "9"]).code, 6);
    assert_eq!(proviso(&["test", &dir, "--coverage"]).code, 0);
    assert_eq!(proviso(&["test", &dir, "--min-coverage", "101"]).code, 2);

    // JSON: a coverage object before the summary, every rule with its counts.
    let run = proviso(&["test", &dir, "--coverage", "--format", "json"]);
    let lines: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let v = &lines[1]["coverage"][0];
    assert_eq!(
        (
            &v["name"],
            &v["version"],
            &v["documents"],
            &v["decided"],
            &v["total"],
            &v["percent"]
        ),
        (
            &"xcotton/shipping-protection".into(),
            &"2025-01-01".into(),
            &1.into(),
            &4.into(),
            &total.into(),
            &"8.3".into()
        )
    );
    let lost = v["rules"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["rule"] == "lost_package")
        .unwrap();
    assert_eq!(
        (&lost["decided"], &lost["seen_true"], &lost["seen_false"]),
        (&1.into(), &1.into(), &0.into())
    );
    assert!(lines[2].get("summary").is_some());

    // JUnit: a `rule coverage` suite, failed below the minimum.
    let run = proviso(&["test", &dir, "--min-coverage", "50", "--format", "junit"]);
    assert_eq!(run.code, 6);
    assert!(run
        .stdout
        .contains("<testsuites name=\"proviso test\" tests=\"2\" failures=\"1\" errors=\"0\">"));
    assert!(run.stdout.contains(&format!(
        "  <testsuite name=\"rule coverage\" tests=\"1\" failures=\"1\" errors=\"0\">\n    \
         <testcase name=\"xcotton/shipping-protection 2025-01-01\" classname=\"rule coverage\">\n      \
         <failure message=\"coverage xcotton/shipping-protection 2025-01-01: 4 of {total} rules \
         decided (8.3%), below the minimum of 50%\" type=\"coverage\">"
    )));
}

#[test]
fn an_exempt_rule_is_left_out_of_coverage_until_a_case_makes_it_decide() {
    let dir = scratch(
        "exempt",
        "cases:\n  - name: ok\n    document: EXAMPLE\n    expect: {decision: approved}\n",
    );
    let policy = format!("{dir}/2025-01-01.proviso");
    let text = std::fs::read_to_string(&policy).unwrap();
    let text = text.replace(
        "\nfallback not_covered\n",
        "\n# The coverage rules above name every scenario.\n\
         # allow(uncovered): a net for claims no coverage names\n\
         fallback not_covered\n",
    );
    std::fs::write(&policy, &text).unwrap();
    let line = text
        .lines()
        .position(|l| l == "fallback not_covered")
        .unwrap()
        + 1;
    let total = PolicySet::load(&policy)
        .unwrap()
        .versions()
        .map(|p| p.rules.len())
        .sum::<usize>();

    // Not decided: listed as exempt, with the comment's reason, and not counted.
    let run = proviso(&["test", &dir, "--coverage"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let head = run.stdout.lines().next().unwrap();
    assert_eq!(
        head,
        format!(
            "coverage xcotton/shipping-protection 2025-01-01: 4 of {} rules decided ({}%), \
             1 exempt",
            total - 1,
            proviso::internals::testing::percent(4, total - 1)
        )
    );
    assert!(
        run.stdout.contains(&format!(
            "\n  exempt         not_covered (fallback) {policy}:{line}: a net for claims no \
             coverage names\n"
        )),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("never decided  not_covered"));
    let run = proviso(&["test", &dir, "--coverage", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(run.stdout.lines().nth(1).unwrap()).unwrap();
    let v = &v["coverage"][0];
    assert_eq!(
        (&v["total"], &v["decided"]),
        (&(total - 1).into(), &4.into())
    );
    let rules = v["rules"].as_array().unwrap();
    let fallback = rules.iter().find(|r| r["rule"] == "not_covered").unwrap();
    assert_eq!(fallback["exempt"], "a net for claims no coverage names");
    let lost = rules.iter().find(|r| r["rule"] == "lost_package").unwrap();
    assert_eq!(lost.get("exempt"), None);

    // Decided by a case: counted like any other rule.
    let denied = support::root().join("examples/shipping/delivered-not-received-in-transit.yaml");
    std::fs::write(
        format!("{dir}/tests/t.yaml"),
        format!(
            "cases:\n  - name: denied\n    document: {}\n    expect: {{decision: denied}}\n",
            denied.display()
        ),
    )
    .unwrap();
    let run = proviso(&["test", &dir, "--coverage"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let head = run.stdout.lines().next().unwrap();
    assert!(
        head.contains(&format!(" of {total} rules decided (")),
        "{head}"
    );
    assert!(!run.stdout.contains("\n  exempt "), "{}", run.stdout);
    assert!(
        !run.stdout.contains("never decided  not_covered"),
        "{}",
        run.stdout
    );
}
