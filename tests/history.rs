//! Claim history: a `decision` fact holds earlier decisions as `proviso eval --format json`
//! wrote them, read with the usual aggregates. The plan under `tests/history/` limits claims
//! per plan and per rolling twelve months, caps the total paid at the item value, asks for
//! photos of a repeated accident and ends with a cash payout; each term is tested with
//! exact decisions, then the checker's messages on misuse.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;
mod support;

use minimal::{errors, located, policy, policy_errors, summary, underlined, Engine};
use proviso::internals::span::Source;
use proviso::{Decision, Document, DocumentError, PolicySet};
use serde_json::Value;

const POLICY: &str = "tests/history/acme/product-plan/2025-01-01.proviso";

fn plan(strict: bool) -> PolicySet {
    let text = support::read(POLICY);
    match PolicySet::from_sources(vec![Source::new(POLICY, text.as_str())]) {
        Ok(set) => set.strict(strict),
        Err(e) => panic!("{:?}", e.errors.iter().map(located).collect::<Vec<_>>()),
    }
}

/// An earlier decision as a line of `proviso eval --format json` (every key it writes),
/// with `filed_at` added; `amount` and `currency` are the payout's, `rule` the coverage rule
/// that decided (or the fallback), `notes` the `notes` object, if any.
struct Earlier<'a> {
    outcome: &'a str,
    amount: &'a str,
    currency: &'a str,
    rule: &'a str,
    filed_at: &'a str,
    notes: Option<&'a str>,
}

impl Earlier<'_> {
    fn approved<'a>(amount: &'a str, filed_at: &'a str) -> Earlier<'a> {
        Earlier {
            outcome: "approved",
            amount,
            currency: "USD",
            rule: "breakdown",
            filed_at,
            notes: Some(r#"{"resolution":"repair"}"#),
        }
    }

    fn denied(filed_at: &str) -> Earlier<'_> {
        Earlier {
            outcome: "denied",
            amount: "0.00",
            currency: "USD",
            rule: "not_covered",
            filed_at,
            notes: None,
        }
    }

    fn json(&self) -> String {
        let kind = if self.rule == "not_covered" {
            "fallback"
        } else {
            "coverage"
        };
        let breakdown = if self.outcome == "approved" {
            format!(
                r#"[{{"rule":"{}","kind":"coverage","amount":"{}","text":"t","source":"{POLICY}:55:1"}}]"#,
                self.rule, self.amount
            )
        } else {
            "[]".to_string()
        };
        let notes = self
            .notes
            .map(|n| format!(r#","notes":{n}"#))
            .unwrap_or_default();
        format!(
            r#"{{"document":"C-0","policy":{{"name":"acme/product-plan","version":"2025-01-01","sha256":"{sha}","in_force_on":"2025-01-15","date_from":"protection.purchased_at"}},"decision":"{outcome}","payout":{{"amount":"{amount}","currency":"{currency}","breakdown":{breakdown}}},"refund":null,"missing_evidence":[],"reasons":[{{"rule":"{rule}","kind":"{kind}","text":"t","source":"{POLICY}:55:1"}}],"deadlines":{{}}{notes},"input":{{"path":"c0.yaml"}},"filed_at":"{filed_at}"}}"#,
            sha = "0".repeat(64),
            outcome = self.outcome,
            amount = self.amount,
            currency = self.currency,
            rule = self.rule,
            filed_at = self.filed_at,
        )
    }
}

/// A claim on the plan (item value 500.00, bought 2025-01-15) with the earlier decisions
/// given as JSON, filed at `filed_at`.
fn claim(earlier: &[String], cause: &str, cost: &str, filed_at: &str, evidence: &str) -> String {
    format!(
        r#"{{"policy":"acme/product-plan",
"protection":{{"currency":"USD","item_value":"500.00","purchased_at":"2025-01-15",
"earlier":[{}]}},
"claim":{{"id":"C-9","filed_at":"{filed_at}","cause":"{cause}","repair_cost":"{cost}","resolution":"repair"}},
"evidence":[{evidence}]}}"#,
        earlier.join(",\n")
    )
}

fn decide_with(set: &PolicySet, doc: &str) -> Result<Decision, DocumentError> {
    set.evaluate(&Document::json("claim.json", doc))
}

fn decide(doc: &str) -> Decision {
    decide_with(&plan(false), doc).unwrap_or_else(|e| panic!("not decided: {e}"))
}

fn outcome(
    earlier: &[Earlier],
    cause: &str,
    cost: &str,
    filed_at: &str,
) -> (String, String, Vec<String>) {
    let earlier: Vec<String> = earlier.iter().map(Earlier::json).collect();
    summary(&decide(&claim(&earlier, cause, cost, filed_at, "")))
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn expect(got: (String, String, Vec<String>), decision: &str, payout: &str, reasons: &[&str]) {
    assert_eq!(got, (decision.to_string(), payout.to_string(), s(reasons)));
}

// ---- the plan's terms ---------------------------------------------------------------

#[test]
fn a_first_claim_pays_the_repair_and_notes_how_it_is_settled() {
    let d = decide(&claim(
        &[],
        "mechanical",
        "300.00",
        "2025-03-01T10:00:00Z",
        "",
    ));
    expect(summary(&d), "approved", "300.00", &["breakdown"]);
    assert_eq!(
        d.notes.get("resolution").map(|v| v.to_string()),
        Some("repair".into())
    );
}

#[test]
fn the_total_paid_is_capped_at_the_item_value() {
    let earlier = [Earlier::approved("300.00", "2025-02-01T10:00:00Z")];
    expect(
        outcome(&earlier, "mechanical", "400.00", "2025-06-01T10:00:00Z"),
        "approved",
        "200.00",
        &["breakdown", "item_value_cap"],
    );
    // Once the item value is paid, nothing is left: the cap is 0, never below.
    let earlier = [
        Earlier::approved("300.00", "2025-02-01T10:00:00Z"),
        Earlier::approved("200.00", "2025-03-01T10:00:00Z"),
    ];
    expect(
        outcome(&earlier, "mechanical", "400.00", "2026-06-01T10:00:00Z"),
        "approved",
        "0.00",
        &["breakdown", "item_value_cap"],
    );
}

#[test]
fn earlier_denials_neither_count_nor_pay() {
    let earlier = [
        Earlier::denied("2025-02-01T10:00:00Z"),
        Earlier::denied("2025-03-01T10:00:00Z"),
        Earlier::denied("2025-04-01T10:00:00Z"),
        Earlier::denied("2025-05-01T10:00:00Z"),
    ];
    expect(
        outcome(&earlier, "mechanical", "400.00", "2025-06-01T10:00:00Z"),
        "approved",
        "400.00",
        &["breakdown"],
    );
}

#[test]
fn two_claims_per_rolling_twelve_months() {
    let earlier = [
        Earlier::approved("50.00", "2025-07-01T10:00:00Z"),
        Earlier::approved("50.00", "2026-01-10T10:00:00Z"),
    ];
    expect(
        outcome(&earlier, "mechanical", "100.00", "2026-06-30T10:00:00Z"),
        "denied",
        "0.00",
        &["year_used_up"],
    );
    // Twelve calendar months after the first claim, to the second, it no longer counts.
    expect(
        outcome(&earlier, "mechanical", "100.00", "2026-07-01T10:00:00Z"),
        "approved",
        "100.00",
        &["breakdown"],
    );
    expect(
        outcome(&earlier, "mechanical", "100.00", "2026-07-01T09:59:59Z"),
        "denied",
        "0.00",
        &["year_used_up"],
    );
}

#[test]
fn four_claims_per_plan() {
    let three = [
        Earlier::approved("50.00", "2025-02-01T10:00:00Z"),
        Earlier::approved("50.00", "2026-03-01T10:00:00Z"),
        Earlier::approved("50.00", "2027-04-01T10:00:00Z"),
    ];
    expect(
        outcome(&three, "mechanical", "100.00", "2028-06-01T10:00:00Z"),
        "approved",
        "100.00",
        &["breakdown"],
    );
    let four = [
        Earlier::approved("50.00", "2025-02-01T10:00:00Z"),
        Earlier::approved("50.00", "2026-03-01T10:00:00Z"),
        Earlier::approved("50.00", "2027-04-01T10:00:00Z"),
        Earlier::approved("50.00", "2028-05-01T10:00:00Z"),
    ];
    expect(
        outcome(&four, "mechanical", "100.00", "2029-06-01T10:00:00Z"),
        "denied",
        "0.00",
        &["plan_used_up"],
    );
}

#[test]
fn a_cash_payout_ends_the_plan() {
    let cash = Earlier {
        notes: Some(r#"{"resolution":"cash"}"#),
        ..Earlier::approved("120.00", "2025-02-01T10:00:00Z")
    };
    expect(
        outcome(&[cash], "mechanical", "100.00", "2025-06-01T10:00:00Z"),
        "denied",
        "0.00",
        &["plan_ended"],
    );
    // A decision without notes reads as one without a resolution.
    let silent = Earlier {
        notes: None,
        ..Earlier::approved("120.00", "2025-02-01T10:00:00Z")
    };
    expect(
        outcome(&[silent], "mechanical", "100.00", "2025-06-01T10:00:00Z"),
        "approved",
        "100.00",
        &["breakdown"],
    );
}

#[test]
fn a_repeated_accident_needs_photos() {
    let accident = Earlier {
        rule: "accident",
        ..Earlier::approved("80.00", "2025-02-01T10:00:00Z")
    };
    let earlier = [accident.json()];
    let d = decide(&claim(
        &earlier,
        "accidental",
        "90.00",
        "2025-06-01T10:00:00Z",
        "",
    ));
    expect(summary(&d), "incomplete", "0.00", &["repeat_accident"]);
    let missing: Vec<(String, Vec<String>)> = d
        .missing_evidence
        .iter()
        .map(|m| {
            (
                m.requirement.to_string(),
                m.any_of.iter().map(|k| k.to_string()).collect(),
            )
        })
        .collect();
    assert_eq!(
        missing,
        vec![("repeat_accident".to_string(), s(&["photo"]))]
    );
    let d = decide(&claim(
        &earlier,
        "accidental",
        "90.00",
        "2025-06-01T10:00:00Z",
        r#"{"kind":"photo"}"#,
    ));
    expect(summary(&d), "approved", "90.00", &["accident"]);
    // A first accident after a breakdown is no repeat.
    let earlier = [Earlier::approved("80.00", "2025-02-01T10:00:00Z").json()];
    let d = decide(&claim(
        &earlier,
        "accidental",
        "90.00",
        "2025-06-01T10:00:00Z",
        "",
    ));
    expect(summary(&d), "approved", "90.00", &["accident"]);
}

// ---- currency and cents -------------------------------------------------------------

#[test]
fn an_earlier_payout_in_another_currency_refers_the_claim_before_any_rule() {
    let euro = Earlier {
        currency: "EUR",
        ..Earlier::approved("100.00", "2025-03-01T10:00:00Z")
    };
    let earlier = [
        Earlier::approved("50.00", "2025-02-01T10:00:00Z").json(),
        euro.json(),
    ];
    let d = decide(&claim(
        &earlier,
        "mechanical",
        "100.00",
        "2025-06-01T10:00:00Z",
        "",
    ));
    expect(summary(&d), "referred", "0.00", &["currency"]);
    let reason = &d.reasons[0];
    assert_eq!(reason.kind.as_ref(), "currency");
    assert_eq!(
        reason.text.as_ref(),
        "`protection.earlier[1].payout.currency` is `EUR`: an earlier decision in another \
         currency than USD, whose amounts this policy cannot add to its own, so a person \
         settles the exchange."
    );
    assert_eq!(reason.source.as_ref(), format!("{POLICY}:13:5"));
    assert_eq!(d.payout.as_ref().unwrap().currency.as_ref(), "USD");
}

#[test]
fn an_earlier_refund_in_another_currency_refers_the_claim_too() {
    let mut refunded = Earlier::denied("2025-03-01T10:00:00Z").json();
    refunded = refunded.replace(
        r#""payout":{"amount":"0.00","currency":"USD","breakdown":[]},"refund":null"#,
        r#""payout":null,"refund":{"amount":"12.50","currency":"GBP","breakdown":[]}"#,
    );
    assert!(refunded.contains("GBP"));
    let d = decide(&claim(
        &[refunded],
        "mechanical",
        "100.00",
        "2025-06-01T10:00:00Z",
        "",
    ));
    expect(summary(&d), "referred", "0.00", &["currency"]);
    assert!(
        d.reasons[0]
            .text
            .starts_with("`protection.earlier[0].refund.currency` is `GBP`: "),
        "{}",
        d.reasons[0].text
    );
}

#[test]
fn an_earlier_amount_with_a_fraction_of_a_cent_is_referred_like_any_amount() {
    let odd = Earlier::approved("10.005", "2025-02-01T10:00:00Z");
    let d = decide(&claim(
        &[odd.json()],
        "mechanical",
        "100.00",
        "2025-06-01T10:00:00Z",
        "",
    ));
    expect(summary(&d), "referred", "0.00", &["cents"]);
    assert!(
        d.reasons[0].text.starts_with(
            "`protection.earlier[0].payout.amount` is 10.005 USD, a fraction of a cent;"
        ),
        "{}",
        d.reasons[0].text
    );
}

// ---- reading decisions ---------------------------------------------------------------

#[test]
fn every_other_key_of_a_decision_is_skipped_also_when_read_strictly() {
    let earlier = [Earlier::approved("300.00", "2025-02-01T10:00:00Z").json()];
    let doc = claim(&earlier, "mechanical", "400.00", "2025-06-01T10:00:00Z", "");
    let d = decide_with(&plan(true), &doc).unwrap();
    expect(
        summary(&d),
        "approved",
        "200.00",
        &["breakdown", "item_value_cap"],
    );
}

#[test]
fn the_keys_a_decision_gives_only_sometimes_are_skipped_strictly_too() {
    // A payout in components, a date from which a denial could change, inputs awaited.
    let line = Earlier::approved("300.00", "2025-02-01T10:00:00Z").json();
    let line = line
        .replace(
            r#""breakdown":["#,
            r#""components":[{"name":"cash","amount":"300.00"}],"breakdown":["#,
        )
        .replace(
            r#""text":"t","source""#,
            r#""text":"t","eligible_from":"2025-01-20","source""#,
        )
        .replace(
            r#""input":"#,
            r#""eligible_from":"2025-01-20","awaiting":[{"input":"a.b","source":"p:1:1"}],"input":"#,
        );
    assert!(line.contains("components") && line.contains("awaiting"));
    let doc = claim(&[line], "mechanical", "400.00", "2025-06-01T10:00:00Z", "");
    let d = decide_with(&plan(true), &doc).unwrap();
    expect(
        summary(&d),
        "approved",
        "200.00",
        &["breakdown", "item_value_cap"],
    );
}

#[test]
fn strictly_a_key_a_decision_never_has_is_refused_and_a_misspelling_always() {
    let line = Earlier::approved("300.00", "2025-02-01T10:00:00Z").json();
    let odd = line.replace(r#""input":"#, r#""flagged":true,"input":"#);
    let doc = claim(&[odd], "mechanical", "400.00", "2025-06-01T10:00:00Z", "");
    assert!(decide_with(&plan(false), &doc).is_ok());
    let e = decide_with(&plan(true), &doc).unwrap_err();
    assert_eq!(
        e.message,
        "unknown field `flagged` in `protection.earlier[0]`"
    );
    let misspelt = line.replace(r#""filed_at":"#, r#""fild_at":"#);
    let doc = claim(
        &[misspelt],
        "mechanical",
        "400.00",
        "2025-06-01T10:00:00Z",
        "",
    );
    let e = decide_with(&plan(false), &doc).unwrap_err();
    assert_eq!(
        e.message,
        "unknown field `fild_at` in `protection.earlier[0]`"
    );
    assert_eq!(e.help.as_deref(), Some("did you mean `filed_at`?"));
}

#[test]
fn a_decision_that_is_not_one_is_a_clear_document_error() {
    let line = Earlier::approved("300.00", "2025-02-01T10:00:00Z").json();
    let cases = [
        (
            line.replace(r#""decision":"approved""#, r#""decision":"paid""#),
            "protection.earlier[0].decision",
        ),
        (
            line.replace(
                r#""amount":"300.00","currency""#,
                r#""amount":"lots","currency""#,
            ),
            "protection.earlier[0].payout.amount",
        ),
        (
            line.replace(r#""decision":"approved","#, ""),
            "protection.earlier[0].decision",
        ),
        (
            line.replace(r#""filed_at":"2025-02-01T10:00:00Z""#, r#""filed_at":3"#),
            "protection.earlier[0].filed_at",
        ),
    ];
    for (line, path) in cases {
        let doc = claim(&[line], "mechanical", "400.00", "2025-06-01T10:00:00Z", "");
        let e = decide_with(&plan(false), &doc).unwrap_err();
        assert_eq!(e.path.as_deref(), Some(path), "{}", e.message);
    }
}

// ---- end to end ------------------------------------------------------------------------

fn eval_json(args: &[&str], doc: &str) -> Value {
    let run = support::proviso_stdin(args, doc);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let line = run.stdout.lines().next().unwrap_or_default();
    serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// `doc` with the decision `d`, `filed_at` added, as its only earlier decision.
fn next_claim(d: &Value, filed_at: &str, cost: &str, resolution: &str) -> String {
    let mut earlier = d.clone();
    earlier["filed_at"] = Value::from(filed_at);
    let doc = claim(
        &[earlier.to_string()],
        "mechanical",
        cost,
        "2025-06-01T10:00:00Z",
        "",
    );
    doc.replace(
        r#""resolution":"repair""#,
        &format!(r#""resolution":"{resolution}""#),
    )
}

#[test]
fn a_decision_written_by_eval_reads_back_as_an_earlier_claim() {
    let args = ["eval", "tests/history", "-", "--format", "json"];
    let first = claim(&[], "mechanical", "300.00", "2025-03-01T10:00:00Z", "");
    let d = eval_json(&args, &first);
    assert_eq!(d["decision"], "approved");
    assert_eq!(d["payout"]["amount"], "300.00");
    // The decision as written, `input` and `policy.sha256` included, is the next claim's history.
    let second = next_claim(&d, "2025-03-01T10:00:00Z", "400.00", "repair");
    let e = eval_json(&args, &second);
    assert_eq!(e["decision"], "approved");
    assert_eq!(e["payout"]["amount"], "200.00");
    let strict = ["eval", "tests/history", "-", "--format", "json", "--strict"];
    assert_eq!(eval_json(&strict, &second)["payout"]["amount"], "200.00");
    // A first claim paid in cash ends the plan.
    let cash = first.replace(r#""resolution":"repair""#, r#""resolution":"cash""#);
    let d = eval_json(&args, &cash);
    assert_eq!(d["notes"]["resolution"], "cash");
    let after = next_claim(&d, "2025-03-01T10:00:00Z", "100.00", "repair");
    let e = eval_json(&strict, &after);
    assert_eq!(e["decision"], "denied");
    assert_eq!(e["reasons"][0]["rule"], "plan_ended");
}

#[test]
fn the_document_schema_describes_a_decision_and_allows_its_other_keys() {
    let run = support::proviso(&["schema", "tests/history", "acme/product-plan"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let schema: Value = serde_json::from_str(&run.stdout).unwrap();
    let earlier = &schema["properties"]["protection"]["properties"]["earlier"];
    // An optional list: null, or a list of decisions.
    assert_eq!(earlier["type"], serde_json::json!(["array", "null"]));
    let item = &earlier["items"];
    assert_eq!(item["additionalProperties"], true);
    assert!(item["description"]
        .as_str()
        .unwrap()
        .starts_with("An earlier decision, as a line of `proviso eval --format json` writes it"));
    let mut fields: Vec<&str> = item["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    fields.sort_unstable();
    assert_eq!(
        fields,
        ["decision", "document", "filed_at", "notes", "payout", "policy", "reasons", "refund"]
    );
    assert_eq!(
        item["required"],
        serde_json::json!(["decision", "reasons", "filed_at"])
    );
    assert_eq!(
        item["properties"]["decision"]["enum"],
        serde_json::json!(["approved", "denied", "incomplete", "referred"])
    );
}

// ---- the checker -----------------------------------------------------------------------

/// Facts on line 7 (after the `currency` line the minimal header adds for money), rules
/// from line 13.
const FACTS: &str = "
  claim: record { filed_at: datetime amount: money }
  protection: record {
    earlier: list of decision { filed_at: datetime }
  }";

fn checked(rules: &str) -> Vec<String> {
    errors(FACTS, rules)
}

fn one(rules: &str) -> proviso::PolicyError {
    let errs = policy_errors(&policy(FACTS, rules));
    assert_eq!(
        errs.len(),
        1,
        "{:?}",
        errs.iter().map(located).collect::<Vec<_>>()
    );
    errs.into_iter().next().unwrap()
}

#[test]
fn the_typical_reads_check() {
    let rules = "
let approved = count(c in protection.earlier where c.decision == \"approved\")
let last_year = count(c in protection.earlier where c.filed_at > claim.filed_at - 12 months)
let paid = sum(c in protection.earlier where c.payout is present: c.payout.amount)
let paid_too = sum(c in protection.earlier: c.payout.amount otherwise 0)
let last = max(c in protection.earlier: c.filed_at)
let refused = all(c in protection.earlier: c.decision in [\"denied\", \"referred\"])
let by_rule = any(c in protection.earlier: any(r in c.reasons: r.kind == \"exclusion\"))
let named = any(c in protection.earlier: c.document otherwise \"\" == \"C-1\")
exclusion x doc \"x\" when approved + last_year > 3 and paid + paid_too > 0 and refused and by_rule and named and last is present
";
    assert_eq!(checked(rules), Vec::<String>::new());
}

#[test]
fn a_field_named_decision_reads_as_the_field_where_decision_is_the_outcome() {
    let e = Engine::new(
        FACTS,
        "coverage c doc \"c\" pays claim.amount
note approvals doc \"n\" when decision == \"approved\"
  shows count(c in protection.earlier where c.decision == \"approved\")",
    );
    let d = e.decide(
        "claim: { filed_at: 2025-06-01T10:00:00Z, amount: 10 }
protection:
  earlier:
    - { decision: approved, filed_at: 2025-01-01T10:00:00Z, reasons: [] }
    - { decision: denied, filed_at: 2025-02-01T10:00:00Z, reasons: [] }
    - { decision: approved, filed_at: 2025-03-01T10:00:00Z, reasons: [] }",
    );
    assert_eq!(summary(&d).0, "approved");
    assert_eq!(
        d.notes.get("approvals").map(|v| v.to_string()),
        Some("2".into())
    );
}

#[test]
fn reading_an_amount_of_a_payout_that_may_be_absent_says_what_to_write() {
    let e = one("let paid = sum(c in protection.earlier: c.payout.amount)");
    assert_eq!(
        located(&e),
        "13:41 `c.payout.amount` may be absent: `c.payout` is absent from some elements"
    );
    assert_eq!(underlined(&e), "c.payout.amount");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "keep the elements that have it, `where c.payout is present`, or say what one \
             without it counts as: `c.payout.amount otherwise 0`"
        )
    );
}

#[test]
fn an_unknown_field_of_a_decision_names_the_built_in_ones() {
    let e = one("let d = count(c in protection.earlier where c.deadlines is present)");
    assert_eq!(located(&e), "13:47 unknown fact `c.deadlines`");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "`c` is a decision: it has the built-in fields document, decision, payout, refund, \
             policy, reasons and the declared filed_at; to read another field stored with \
             it, declare it: `decision { deadlines: TYPE }`"
        )
    );
}

#[test]
fn an_extra_field_cannot_reuse_a_built_in_name() {
    let errs = errors("\n  h: list of decision { payout: money note: string }", "");
    assert_eq!(
        errs,
        s(&["8:25 `payout` is a built-in field of `decision`"])
    );
    let e = policy_errors(&policy("\n  h: list of decision { payout: money }", "")).remove(0);
    assert_eq!(underlined(&e), "payout");
    assert_eq!(
        e.help.as_deref(),
        Some(
            "a decision already has `payout` (its fields: document, decision, payout, refund, \
             policy, reasons); read it as it is, or give the extra field another name"
        )
    );
}

#[test]
fn notes_are_declared_optional_since_a_decision_has_them_only_when_a_note_applies() {
    let facts = "  h: list of decision { notes: record { resolution: optional string } }";
    let errs = policy_errors(&policy(facts, ""));
    let shown: Vec<String> = errs.iter().map(located).collect();
    assert_eq!(
        shown,
        s(&["7:32 a decision has `notes` only when it has something to say"])
    );
    assert_eq!(
        errs[0].help.as_deref(),
        Some(
            "declare it optional, so that a decision without it still reads: \
             `notes: optional record`"
        )
    );
    assert_eq!(
        errors(
            "  h: list of decision { notes: optional record { resolution: optional string } }",
            ""
        ),
        Vec::<String>::new()
    );
}

#[test]
fn decision_is_a_type_of_facts_only() {
    let table = "table t(x) -> decision doc \"t\" up to 1: 1 over 1: 2";
    assert_eq!(
        checked(table),
        s(&["13:15 `decision` is a type of facts, not of a table"])
    );
    let hook = "hook h(d: decision) -> money from \"h.rhai\"";
    let shown = checked(hook);
    assert_eq!(
        shown.first().map(String::as_str),
        Some("13:11 `decision` is a type of facts, not of a hook")
    );
}

#[test]
fn a_broken_decision_type_is_a_syntax_error_not_a_panic() {
    for facts in [
        "  h: list of decision {",
        "  h: list of decision { filed_at }",
        "  h: decision decision",
        "  h: optional decision { x: decision { y: decision } }",
    ] {
        let _ = policy_errors(&policy(facts, ""));
    }
    assert!(!errors("  h: list of decision {", "").is_empty());
    // A decision within a decision is a decision too.
    assert_eq!(
        errors(
            "  h: optional decision { x: optional decision { y: optional decision } }",
            ""
        ),
        Vec::<String>::new()
    );
}

#[test]
fn the_plan_checks_without_warnings_and_its_built_in_fields_are_not_unused_facts() {
    let run = support::proviso(&["check", "--deny-warnings", "tests/history"]);
    assert_eq!(
        (run.code, run.stdout.as_str()),
        (
            0,
            "ok  acme/product-plan 2025-01-01  tests/history/acme/product-plan/2025-01-01.proviso\n"
        ),
        "{}",
        run.stderr
    );
}

/// A caller that stores less than a whole decision declares the part it keeps as an
/// ordinary record, and the policy reads it the same way.
#[test]
fn a_declared_subset_of_earlier_decisions_is_read_as_a_record() {
    let facts = "
  claim: record {
    id: string
    amount: money
    earlier: optional list of record {
      decision: enum { approved, denied, incomplete, referred }
      paid: optional money
    }
  }";
    let e = Engine::new(
        facts,
        "exclusion limit doc \"Up to two paid claims per plan.\"\n  \
         when count(c in claim.earlier where c.decision == \"approved\") >= 2\n\
         coverage claimed doc \"Pays the amount claimed, less what was paid before.\"\n  \
         pays claim.amount - sum(c in claim.earlier: c.paid otherwise 0)",
    );
    let doc =
        |earlier: &str| format!("claim:\n  id: C-2\n  amount: \"50.00\"\n  earlier: {earlier}");
    let once = e
        .run(&doc(
            r#"[{decision: approved, paid: "10.00"}, {decision: denied}]"#,
        ))
        .unwrap();
    assert_eq!(
        summary(&once),
        (
            "approved".into(),
            "40.00".into(),
            vec!["claimed".to_string()]
        )
    );
    let twice = e
        .run(&doc(
            r#"[{decision: approved, paid: "10.00"}, {decision: approved, paid: "5.00"}]"#,
        ))
        .unwrap();
    assert_eq!(
        summary(&twice),
        ("denied".into(), "0.00".into(), vec!["limit".to_string()])
    );
}
