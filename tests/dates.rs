//! Dates and instants: read exactly as `YYYY-MM-DD` and RFC 3339 with a four-digit year,
//! in documents, policy literals and `--at`; years 0001 to 9999 only, so that every date
//! a decision shows is written the same way, and arithmetic that leaves them fails the rule.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;
mod support;

use minimal::{claim, errors, Engine};

/// The message of a document that fails.
fn failure(e: &Engine, fields: &str) -> String {
    e.fail(&claim(fields)).message
}

/// The rule that cannot be computed on a claim (which is then referred), with its failure.
fn rule_failure(e: &Engine, fields: &str) -> String {
    e.failed_rule(&claim(fields)).0
}

#[test]
fn a_document_date_is_exactly_four_two_and_two_digits() {
    let e = Engine::claim("deadline d doc \"d\" when claim.day is present by claim.day");
    let day = |text: &str| {
        let d = e.claim_decision(&format!("day: \"{text}\""));
        d.deadlines.get("d").map(str::to_string)
    };
    assert_eq!(day("0001-01-01").as_deref(), Some("0001-01-01"));
    assert_eq!(day("9999-12-31").as_deref(), Some("9999-12-31"));
    for text in [
        "2025-6-1",
        "2025-06-1",
        "+2025-06-01",
        "-2025-06-01",
        "02025-06-01",
        "10000-01-01",
        "0000-12-31",
        "2025-06-01T00:00:00Z",
        " 2025-06-01",
    ] {
        assert_eq!(
            failure(&e, &format!("day: \"{text}\"")),
            format!("expected a date (YYYY-MM-DD), found \"{text}\""),
            "{text}"
        );
    }
}

#[test]
fn a_document_instant_is_rfc_3339_with_a_four_digit_year_in_years_0001_to_9999() {
    let e = Engine::claim("deadline d doc \"d\" when true by claim.filed_at");
    let instant = |text: &str| {
        let d = e.claim_decision(&format!("filed_at: \"{text}\""));
        d.deadlines.get("d").map(str::to_string)
    };
    assert_eq!(
        instant("2025-07-10T09:30:00+02:00").as_deref(),
        Some("2025-07-10T07:30:00Z")
    );
    assert_eq!(
        instant("0001-01-01T00:00:00Z").as_deref(),
        Some("0001-01-01T00:00:00Z")
    );
    assert_eq!(
        instant("9999-12-31T23:59:59Z").as_deref(),
        Some("9999-12-31T23:59:59Z")
    );
    let expected = "expected an instant (RFC 3339, like 2025-07-10T09:30:00Z)";
    for text in [
        "+2025-07-10T09:30:00Z",
        "12025-07-10T09:30:00Z",
        // In UTC, these fall in year 0 and year 10000.
        "0001-01-01T00:30:00+01:00",
        "9999-12-31T23:00:00-02:00",
    ] {
        assert_eq!(
            failure(&e, &format!("filed_at: \"{text}\"")),
            format!("{expected}, found \"{text}\""),
            "{text}"
        );
    }
}

#[test]
fn a_computed_date_outside_years_0001_to_9999_fails_its_rule() {
    let e = Engine::claim(
        "deadline late doc \"d\" when claim.day is present by claim.day + 2 days\n\
         deadline early doc \"d\" when claim.day is present by claim.day - 2 days",
    );
    assert_eq!(
        rule_failure(&e, "day: \"9999-12-30\""),
        "rule `late` failed: the date falls outside the years 0001 to 9999"
    );
    assert_eq!(
        rule_failure(&e, "day: \"0001-01-02\""),
        "rule `early` failed: the date falls outside the years 0001 to 9999"
    );
    let d = e.claim_decision("day: \"9999-12-29\"");
    assert_eq!(d.deadlines.get("late"), Some("9999-12-31"));
}

#[test]
fn a_computed_instant_outside_years_0001_to_9999_fails_its_rule() {
    let e = Engine::claim("deadline respond doc \"d\" when true by claim.filed_at + 24 hours");
    assert_eq!(
        rule_failure(&e, "filed_at: \"9999-12-31T00:00:01Z\""),
        "rule `respond` failed: the instant falls outside the years 0001 to 9999"
    );
    let d = e.claim_decision("filed_at: \"9999-12-30T23:59:59Z\"");
    assert_eq!(d.deadlines.get("respond"), Some("9999-12-31T23:59:59Z"));
}

#[test]
fn business_days_past_year_9999_fail_their_rule() {
    let e = Engine::claim(
        "deadline d doc \"d\" when claim.day is present by add_business_days(claim.day, 1)",
    );
    assert_eq!(
        rule_failure(&e, "day: \"9999-12-31\""),
        "rule `d` failed: cannot add 1 business days to 9999-12-31"
    );
}

#[test]
fn a_policy_date_literal_is_in_years_0001_to_9999() {
    let text =
        minimal::policy("  a: bool", "").replace("effective 2025-01-01", "effective 0000-01-01");
    let e = minimal::policy_errors(&text);
    assert_eq!(e.len(), 1);
    assert_eq!(
        minimal::located(&e[0]),
        "3:11 `0000-01-01` is not a calendar date"
    );
    assert_eq!(
        e[0].help.as_deref(),
        Some("dates run from 0001-01-01 to 9999-12-31")
    );
    assert_eq!(
        errors(
            "  a: bool",
            "exclusion x doc \"x\" when 2025-02-29 > 2025-01-01"
        ),
        ["9:26 `2025-02-29` is not a calendar date"]
    );
}

#[test]
fn the_at_option_takes_exactly_yyyy_mm_dd() {
    let doc = "examples/shipping/lost-domestic.yaml";
    for at in ["2025-6-1", "+2025-06-01", "0000-06-01", "10000-06-01"] {
        let run = support::proviso(&["eval", "policies", doc, "--at", at]);
        assert_eq!((run.code, run.stdout.as_str()), (2, ""), "{at}");
        assert!(
            run.stderr.contains(&format!(
                "expected a date written YYYY-MM-DD (years 0001 to 9999), like 2025-06-01, \
                 found `{at}`"
            )),
            "{}",
            run.stderr
        );
    }
    let run = support::proviso(&["eval", "policies", doc, "--at", "2025-06-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}
