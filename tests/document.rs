//! Documents as the engine reads them: exact numbers, nulls, defaults, and malformed values.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{claim, payout, summary, Engine, NAME};
use proviso::DocumentError;

fn paying(expr: &str) -> Engine {
    Engine::claim(&format!("coverage c doc \"c\" pays {expr}"))
}

/// A JSON claim with `fields` replacing or adding to the required ones.
fn json_claim(fields: &str) -> String {
    let mut base = serde_json::json!({
        "id": "C-1", "type": "lost", "filed_at": "2025-07-10T09:30:00Z",
        "amount": "100.00", "count": 3, "rate": "0.5"
    });
    let extra: serde_json::Value = serde_json::from_str(&format!("{{{fields}}}")).unwrap();
    for (k, v) in extra.as_object().unwrap() {
        base[k] = v.clone();
    }
    format!("{{\"policy\": \"{NAME}\", \"claim\": {base}}}")
}

/// `path: message` of a document error.
fn shown(e: &DocumentError) -> String {
    e.to_string()
}

#[test]
fn json_numbers_are_read_from_their_text() {
    let e = paying("claim.amount * claim.count");
    let d = e.run_json(&json_claim("\"amount\": 24.10")).unwrap();
    assert_eq!(payout(&d), "72.30");
    let e = paying("claim.amount");
    let d = e
        .run_json(&json_claim("\"amount\": 12345678901234567.89"))
        .unwrap();
    assert_eq!(payout(&d), "12345678901234567.89");
    let d = e.run_json(&json_claim("\"amount\": -0.005")).unwrap_err();
    assert_eq!(
        d.message,
        "the amount is negative (-0.01); add a compensation rule `floor at 0`"
    );
}

#[test]
fn json_and_yaml_forms_decide_alike() {
    let e = paying("claim.amount * claim.rate + (claim.fee otherwise 0)");
    let yaml = e.decide(&claim(
        "fee: \"1.25\"\nitems:\n  - { sku: A, qty: 2, price: \"3.00\" }",
    ));
    let json = e
        .run_json(&json_claim(
            "\"fee\": 1.25, \"items\": [{\"sku\": \"A\", \"qty\": 2, \"price\": 3.00}]",
        ))
        .unwrap();
    assert_eq!(payout(&yaml), "51.25");
    assert_eq!(yaml, json);
}

#[test]
fn scalars_of_the_wrong_kind_are_rejected_with_their_path() {
    let e = paying("claim.amount");
    let err = |fields: &str| shown(&e.run_json(&json_claim(fields)).unwrap_err());
    assert_eq!(
        err("\"count\": 2.5"),
        "claim.count: expected an integer, found 2.5"
    );
    // serde_json hands over an exponent with its sign.
    assert_eq!(
        err("\"amount\": 1e3"),
        "claim.amount: expected money, found 1e+3"
    );
    assert_eq!(
        err("\"amount\": {\"a\": 1}"),
        "claim.amount: expected money, found a mapping"
    );
    assert_eq!(
        err("\"amount\": [1, 2]"),
        "claim.amount: expected money, found a list"
    );
    assert_eq!(
        err("\"amount\": true"),
        "claim.amount: expected money, found true"
    );
    assert_eq!(
        err("\"type\": \"lots\""),
        "claim.type: expected one of lost, damaged, stolen, found \"lots\""
    );
    assert_eq!(
        err("\"day\": \"2025-02-30\""),
        "claim.day: expected a date (YYYY-MM-DD), found \"2025-02-30\""
    );
    assert_eq!(
        err("\"amount\": null"),
        "claim.amount: required field is missing (expected money)"
    );
}

#[test]
fn dates_are_read_as_written() {
    let e = Engine::claim("deadline d doc \"d\" when claim.day is present by claim.day");
    let day = |text: &str| {
        let d = e.decide(&claim(&format!("day: \"{text}\"")));
        d.deadlines.get("d").map(str::to_string)
    };
    assert_eq!(day("2024-02-29").as_deref(), Some("2024-02-29"));
    assert_eq!(day("2025-6-1").as_deref(), Some("2025-06-01"));
    let err = e.run(&claim("day: \"2025-13-01\"")).unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.day: expected a date (YYYY-MM-DD), found \"2025-13-01\""
    );
}

#[test]
fn a_mapping_or_list_where_the_policy_name_belongs_is_an_error() {
    let e = paying("claim.amount");
    for policy in ["{a: 1}", "[1, 2]", "{}"] {
        let yaml = format!("policy: {policy}\n{}", claim(""));
        let doc = proviso::Document::yaml("doc.yaml", &yaml);
        let err = e.set.evaluate_at(&doc, None).unwrap_err();
        assert_eq!(
            shown(&err),
            "policy: the document names no policy (loaded: test/policy)",
            "{policy}"
        );
    }
    let json = json_claim("").replace(&format!("\"{NAME}\""), "{\"a\": [1, {\"b\": 2}]}");
    let err = e.run_json(&json).unwrap_err();
    assert_eq!(
        shown(&err),
        "policy: the document names no policy (loaded: test/policy)"
    );
}

#[test]
fn a_mapping_where_a_claim_id_belongs_is_read_past() {
    let e = paying("claim.amount");
    let yaml = claim("").replace("id: C-1", "id: {a: 1, b: [2]}");
    let err = e.run(&yaml).unwrap_err();
    assert_eq!(err.path.as_deref(), Some("claim.id"));
    assert_eq!(err.document, None);
}

#[test]
fn null_takes_the_default_and_a_field_may_be_given_once() {
    let e = Engine::claim("exclusion x doc \"x\" when claim.flag");
    assert_eq!(summary(&e.decide(&claim("flag: null"))).2, ["not_covered"]);
    assert_eq!(summary(&e.decide(&claim("flag: true"))).2, ["x"]);
    let twice = json_claim("").replace("\"count\":3", "\"count\":3,\"count\":4");
    let err = e.run_json(&twice).unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.count: field is given twice (first at 1:55, again at 1:65)"
    );
}

#[test]
fn undeclared_fields_are_skipped() {
    let e = paying("claim.amount");
    let json = json_claim("\"extra\": {\"deep\": [1, {\"x\": null}]}, \"more\": 1.5e300");
    assert_eq!(payout(&e.run_json(&json).unwrap()), "100.00");
}

#[test]
fn json_nesting_is_limited_to_64_levels_outside_strings() {
    let e = paying("claim.amount");
    // The document and the claim are two levels; `extra` adds the rest.
    let nested = |n: usize| format!("\"extra\": {}{}", "[".repeat(n), "]".repeat(n));
    assert_eq!(
        payout(&e.run_json(&json_claim(&nested(62))).unwrap()),
        "100.00"
    );
    let err = e.run_json(&json_claim(&nested(63))).unwrap_err();
    assert_eq!(shown(&err), "the document nests deeper than 64 levels");
    let at = err.at.as_ref().map(|u| u.source.line_col(u.span.start));
    let text = json_claim(&nested(63));
    let Some(col) = text.find("[".repeat(63).as_str()) else {
        panic!("no brackets");
    };
    assert_eq!(at, Some((1, col + 63)));
    // Brackets in strings do not nest.
    let brackets = format!("\"extra\": \"{}\"", "[{".repeat(100));
    assert_eq!(
        payout(&e.run_json(&json_claim(&brackets)).unwrap()),
        "100.00"
    );
}
