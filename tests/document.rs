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
    // -0.01 reads exactly: negative, so referred.
    let d = e.run_json(&json_claim("\"amount\": -0.01")).unwrap();
    assert_eq!(d.decision.as_str(), "referred");
    let failure = d.reasons[0].failure.as_ref().unwrap();
    assert_eq!(
        failure.message,
        "the amount is negative (-0.01) and no rule says what then; add a compensation rule `floor at 0`"
    );
}

#[test]
fn json_and_yaml_forms_decide_alike() {
    let e = paying("claim.amount * claim.rate + (claim.fee otherwise 0)");
    let mut yaml = e.decide(&claim(
        "fee: \"1.25\"\nitems:\n  - { sku: A, qty: 2, price: \"3.00\" }",
    ));
    let mut json = e
        .run_json(&json_claim(
            "\"fee\": 1.25, \"items\": [{\"sku\": \"A\", \"qty\": 2, \"price\": 3.00}]",
        ))
        .unwrap();
    assert_eq!(payout(&yaml), "51.25");
    // Alike but for where each was read from.
    let path = |d: &mut proviso::Decision| d.input.take().map(|i| i.path.to_string());
    assert_eq!(path(&mut yaml).as_deref(), Some("doc.yaml"));
    assert_eq!(path(&mut json).as_deref(), Some("doc.json"));
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
    for text in [
        "2025-13-01",
        "2025-6-1",
        "+2025-06-01",
        "0000-01-01",
        "12025-06-01",
    ] {
        let err = e.run(&claim(&format!("day: \"{text}\""))).unwrap_err();
        assert_eq!(
            shown(&err),
            format!("claim.day: expected a date (YYYY-MM-DD), found \"{text}\"")
        );
    }
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

/// Where an error points: `line:col` in the file, the underlined text, and its label.
fn pointed(e: &DocumentError) -> (String, String, String) {
    let Some(u) = e.at.as_deref() else {
        panic!("no place: {e}");
    };
    let (line, col) = u.source.line_col(u.span.start);
    let text = u.source.text.get(u.span.start..u.span.end).unwrap_or("");
    (
        format!("{}:{col}", line + u.lines_before),
        text.to_string(),
        u.label.clone(),
    )
}

/// A policy whose claim declares the names the misspelling rule is tried on.
fn near_engine() -> Engine {
    Engine::new(
        "  claim: record {
    id: string
    type: enum { lost }
    filed_at: datetime
    courier_compensation: money default 0
    delivered_at: optional date
    tax: optional money
  }",
        "coverage c doc \"c\" pays 50 - claim.courier_compensation",
    )
}

const NEAR_CLAIM: &str = "claim:\n  id: C-1\n  type: lost\n  filed_at: 2025-07-10T09:30:00Z\n";

#[test]
fn a_misspelt_field_is_refused_at_its_key_with_the_field_it_misspells() {
    let e = near_engine();
    let err = e
        .run(&format!("{NEAR_CLAIM}  courier_compensaton: \"44.00\"\n"))
        .unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.courier_compensaton: unknown field `courier_compensaton` in `claim`"
    );
    assert_eq!(
        err.help.as_deref(),
        Some("did you mean `courier_compensation`?")
    );
    let at = pointed(&err);
    assert_eq!(
        at,
        (
            "6:3".into(),
            "courier_compensaton".into(),
            "not declared by the policy".into()
        )
    );
    // JSON: the key is underlined with its quotes.
    let json = format!(
        "{{\"policy\": \"{NAME}\", \"claim\": {{\"id\": \"C-1\", \"type\": \"lost\", \
         \"filed_at\": \"2025-07-10T09:30:00Z\", \"Courier_Compensaton\": 44}}}}"
    );
    let err = e.run_json(&json).unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.Courier_Compensaton: unknown field `Courier_Compensaton` in `claim`"
    );
    let col = json.find("\"Courier_").unwrap() + 1;
    assert_eq!(pointed(&err).0, format!("1:{col}"));
    assert_eq!(pointed(&err).1, "\"Courier_Compensaton\"");
}

#[test]
fn misspellings_are_told_by_case_separators_and_a_few_edits() {
    let e = near_engine();
    let verdict = |key: &str| match e.run(&format!("{NEAR_CLAIM}  {key}: \"1.00\"\n")) {
        Ok(d) => format!("decided {}", payout(&d)),
        Err(err) => err.help.map_or(err.message, String::from),
    };
    let refused = |field: &str| format!("did you mean `{field}`?");
    let cases = [
        // Same up to case and separators, whatever the length.
        ("courierCompensation", refused("courier_compensation")),
        ("Courier-Compensation", refused("courier_compensation")),
        ("TAX", refused("tax")),
        ("T_a_x", refused("tax")),
        // Two edits for names of 10 characters or more, one for 4 to 9.
        ("courier_compnesation", refused("courier_compensation")),
        ("courir_compensaton", refused("courier_compensation")),
        ("cuorier_compnsatin", "decided 50.00".into()),
        ("delivred_at", refused("delivered_at")),
        ("delivere_at", refused("delivered_at")),
        // A whole word replaced is another name, not a misspelling.
        ("delivered_by", "decided 50.00".into()),
        ("delivered_on", "decided 50.00".into()),
        // Names of 3 characters or fewer: no edits.
        ("tag", "decided 50.00".into()),
        ("taxes", "decided 50.00".into()),
        // Unrelated names stay allowed: real documents carry many.
        ("gift_note", "decided 50.00".into()),
        ("courier", "decided 50.00".into()),
    ];
    for (key, expected) in cases {
        assert_eq!(verdict(key), expected, "{key}");
    }
}

#[test]
fn a_near_name_beside_the_field_it_resembles_is_allowed() {
    let e = near_engine();
    let both = format!("{NEAR_CLAIM}  courier_compensation: \"20.00\"\n  courier_compensaton: x\n");
    assert_eq!(payout(&e.decide(&both)), "30.00");
    // Declared after the near name: the whole mapping is read first.
    let both = format!("{NEAR_CLAIM}  courier_compensaton: x\n  courier_compensation: \"20.00\"\n");
    assert_eq!(payout(&e.decide(&both)), "30.00");
}

#[test]
fn a_misspelt_required_field_is_named_rather_than_missing() {
    let e = near_engine();
    let err = e
        .run("claim:\n  id: C-1\n  tpye: lost\n  filed_at: 2025-07-10T09:30:00Z\n")
        .unwrap_err();
    assert_eq!(shown(&err), "claim.tpye: unknown field `tpye` in `claim`");
    assert_eq!(err.help.as_deref(), Some("did you mean `type`?"));
    assert_eq!(pointed(&err).0, "4:3");
}

#[test]
fn a_misspelt_top_level_record_is_named() {
    let e = near_engine();
    let err = e.run(&NEAR_CLAIM.replace("claim:", "Claim:")).unwrap_err();
    assert_eq!(shown(&err), "Claim: unknown field `Claim` in the document");
    assert_eq!(err.help.as_deref(), Some("did you mean `claim`?"));
    assert_eq!(pointed(&err).0, "2:1");
}

#[test]
fn read_strictly_every_undeclared_field_is_refused_but_the_engines_own() {
    let facts = "  protection: optional record { price: optional money }
  claim: record {
    type: enum { lost }
    amount: money
  }";
    let e = Engine::new(facts, "coverage c doc \"c\" pays claim.amount");
    let strict = Engine {
        set: Engine::new(facts, "coverage c doc \"c\" pays claim.amount")
            .set
            .strict(true),
    };
    assert!(strict.set.is_strict());
    // `policy`, `claim.id`, `claim.filed_at` and `protection.purchased_at` are the engine's.
    let doc = "protection:\n  purchased_at: 2025-06-01\nclaim:\n  id: C-1\n  type: lost\n  \
               filed_at: 2025-07-10T09:30:00Z\n  amount: \"12.00\"\n";
    assert_eq!(payout(&strict.decide(doc)), "12.00");
    let extra = format!("{doc}  gift_note: thanks\n");
    assert_eq!(payout(&e.decide(&extra)), "12.00");
    let err = strict.run(&extra).unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.gift_note: unknown field `gift_note` in `claim`"
    );
    assert_eq!(
        err.help.as_deref(),
        Some("read strictly, a document gives only the fields the policy declares; here: type, amount")
    );
    assert_eq!(pointed(&err).0, "9:3");
    // A near name still gets its suggestion, and the top level is checked too.
    let misspelt = doc.replace("amount", "amont");
    let err = strict.run(&misspelt).unwrap_err();
    assert_eq!(err.help.as_deref(), Some("did you mean `amount`?"));
    let err = strict.run(&format!("notes: x\n{doc}")).unwrap_err();
    assert_eq!(shown(&err), "notes: unknown field `notes` in the document");
    assert_eq!(
        err.help.as_deref(),
        Some("read strictly, a document gives only the fields the policy declares; here: currency, protection, claim")
    );
}

#[test]
fn a_key_given_twice_names_both_places_in_every_mapping() {
    let e = paying("claim.amount");
    let twice = |yaml: &str| {
        let err = e.run(yaml).unwrap_err();
        let at = pointed(&err);
        (
            shown(&err),
            at.0,
            at.1,
            err.help.unwrap_or_default().to_string(),
        )
    };
    let given_twice = |path: &str, first: &str, again: &str| {
        format!("{path}: field is given twice (first at {first}, again at {again})")
    };
    // An undeclared key of a declared record.
    assert_eq!(
        twice(&claim("extra: 1\nextra: 2")),
        (
            given_twice("claim.extra", "9:3", "10:3"),
            "10:3".into(),
            "extra".into(),
            "give it once".into()
        )
    );
    // A key of a mapping inside an undeclared value, in a list.
    assert_eq!(
        twice(&claim("extra:\n  - { a: 1, b: 2, a: 3 }")).0,
        given_twice("claim.extra[0].a", "10:9", "10:21")
    );
    // A top-level key the envelope reads, and one it reads inside `claim`.
    assert_eq!(
        twice(&format!("policy: {NAME}\n{}", claim(""))).0,
        given_twice("policy", "1:1", "2:1")
    );
    assert_eq!(
        twice(&claim("filed_at: 2025-07-11T09:30:00Z").replace("  filed", "  id: C-2\n  filed")).0,
        given_twice("claim.id", "3:3", "8:3")
    );
}

#[test]
fn a_key_given_twice_in_json_names_both_places() {
    let e = paying("claim.amount");
    let policy_twice =
        json_claim("").replacen("\"claim\"", "\"policy\": \"other/policy\", \"claim\"", 1);
    let err = e.run_json(&policy_twice).unwrap_err();
    let first = policy_twice.find("\"policy\"").unwrap() + 1;
    let again = policy_twice.rfind("\"policy\"").unwrap() + 1;
    assert_eq!(
        shown(&err),
        format!("policy: field is given twice (first at 1:{first}, again at 1:{again})")
    );
    assert_eq!(pointed(&err).1, "\"policy\"");
    // Past the linear search: the 41st undeclared key repeats the 3rd.
    let many: Vec<String> = (0..40).map(|i| format!("\"k{i}\":{i}")).collect();
    let with = |keys: &str| json_claim("").replace("\"count\":3", &format!("\"count\":3,{keys}"));
    let distinct = with(&many.join(","));
    assert_eq!(payout(&e.run_json(&distinct).unwrap()), "100.00");
    let repeated = with(&format!("{},\"k2\":0", many.join(",")));
    let err = e.run_json(&repeated).unwrap_err();
    let first = repeated.find("\"k2\"").unwrap() + 1;
    let again = repeated.rfind("\"k2\"").unwrap() + 1;
    assert_eq!(
        shown(&err),
        format!("claim.k2: field is given twice (first at 1:{first}, again at 1:{again})")
    );
}

#[test]
fn a_key_written_with_escapes_is_still_caught_given_twice() {
    let e = paying("claim.amount");
    // `co\u0075nt` is `count`: the parser unescapes it, so only the second place is known.
    let json = json_claim("").replace("\"count\":3", "\"co\\u0075nt\":3,\"count\":4");
    let err = e.run_json(&json).unwrap_err();
    assert_eq!(shown(&err), "claim.count: field is given twice");
    let again = json.find("\"count\"").unwrap() + 1;
    assert_eq!(pointed(&err).0, format!("1:{again}"));
    let json = json_claim("").replace("\"count\":3", "\"count\":3,\"x\":1,\"\\u0078\":2");
    let err = e.run_json(&json).unwrap_err();
    assert_eq!(shown(&err), "claim.x: field is given twice");
}

#[test]
fn a_mapping_of_many_keys_is_checked_for_repeats_in_linear_time() {
    let e = paying("claim.amount");
    // Compared pair by pair, 100,000 keys would take over a billion comparisons.
    let many: Vec<String> = (0..50_000).map(|i| format!("\"k{i}\":{i}")).collect();
    let with = |keys: &str| json_claim("").replace("\"count\":3", &format!("\"count\":3,{keys}"));
    assert_eq!(
        payout(&e.run_json(&with(&many.join(","))).unwrap()),
        "100.00"
    );
    let err = e
        .run_json(&with(&format!("{},\"k49998\":0", many.join(","))))
        .unwrap_err();
    assert_eq!(err.path.as_deref(), Some("claim.k49998"));
}

#[test]
fn undeclared_values_are_read_as_json_shaped_data() {
    let e = paying("claim.amount");
    // Tagged and nested values are read through; keys are text, so `1` and `01` differ.
    let fine = claim("extra: [~, 1.5, !!binary aGVsbG8=, {1: a, 01: b}]");
    assert_eq!(payout(&e.decide(&fine)), "100.00");
    let err = e.run(&claim("extra: !note {a: 1, a: 2}")).unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.extra.a: field is given twice (first at 9:17, again at 9:23)"
    );
    // A list or mapping as a key has no JSON form.
    let err = e.run(&claim("extra: {[1, 2]: x}")).unwrap_err();
    assert_eq!(
        shown(&err),
        "claim.extra: expected a field name, found a list"
    );
}

#[test]
fn a_record_of_more_than_64_fields_keeps_track_of_those_past_the_64th() {
    // The fields given are kept as bits of one word up to the 64th, on the heap past it.
    let fields: String = (0..69)
        .map(|i| format!("    f{i}: optional integer\n"))
        .collect();
    let e = Engine::new(
        &format!("  claim: record {{\n{fields}    f69: integer\n  }}"),
        "exclusion sixty_eight doc \"The 69th field is one.\" \
         when claim.f68 is present and claim.f68 == 1",
    );
    let json = |claim: &str| format!("{{\"policy\": \"{NAME}\", \"claim\": {{{claim}}}}}");
    for d in [
        e.run("claim:\n  f68: 1\n  f69: 5\n").unwrap(),
        e.run_json(&json("\"f68\": 1, \"f69\": 5")).unwrap(),
    ] {
        assert_eq!(
            summary(&d),
            ("denied".into(), "0.00".into(), vec!["sixty_eight".into()])
        );
    }
    // A key that misspells a field is refused only while that field is not given.
    for d in [
        e.run("claim:\n  f68: 1\n  f69: 5\n  F68: 2\n").unwrap(),
        e.run_json(&json("\"f68\": 1, \"f69\": 5, \"F68\": 2"))
            .unwrap(),
    ] {
        assert_eq!(summary(&d).0, "denied");
    }
    for err in [
        e.run("claim:\n  f69: 5\n  F68: 2\n").unwrap_err(),
        e.run_json(&json("\"f69\": 5, \"F68\": 2")).unwrap_err(),
    ] {
        assert_eq!(shown(&err), "claim.F68: unknown field `F68` in `claim`");
        assert_eq!(err.help.as_deref(), Some("did you mean `f68`?"));
    }
    let missing = "claim.f69: required field is missing (expected an integer)";
    assert_eq!(shown(&e.run("claim:\n  f68: 0\n").unwrap_err()), missing);
    assert_eq!(
        shown(&e.run_json(&json("\"f68\": 0")).unwrap_err()),
        missing
    );
    assert_eq!(
        shown(&e.run("claim:\n  f67: 1\n  f69: 3\n  f67: 2\n").unwrap_err()),
        "claim.f67: field is given twice (first at 3:3, again at 5:3)"
    );
    let twice = json("\"f67\": 1, \"f69\": 3, \"f67\": 2");
    let first = twice.find("\"f67\"").unwrap() + 1;
    let again = twice.rfind("\"f67\"").unwrap() + 1;
    assert_eq!(
        shown(&e.run_json(&twice).unwrap_err()),
        format!("claim.f67: field is given twice (first at 1:{first}, again at 1:{again})")
    );
}
