//! `eligible from` on exclusions and referrals: the date from which a claim denied (or
//! referred) too early could be decided otherwise, in its reasons and in the decision.
#![allow(clippy::unwrap_used, clippy::panic)]

mod minimal;

use minimal::*;
use proviso::Decision;

/// The decision's `eligible_from`, and each reason's (`rule=date`).
fn eligible(d: &Decision) -> (Option<String>, Vec<String>) {
    let reasons = d
        .reasons
        .iter()
        .map(|r| format!("{}={}", r.rule, r.eligible_from.as_deref().unwrap_or("-")))
        .collect();
    (d.eligible_from.as_deref().map(str::to_string), reasons)
}

fn pair(decision: Option<&str>, reasons: &[&str]) -> (Option<String>, Vec<String>) {
    (
        decision.map(str::to_string),
        reasons.iter().map(|r| r.to_string()).collect(),
    )
}

/// The exclusion of the design: filed within two days of `claim.day`.
const TOO_EARLY: &str = "
exclusion too_early
  doc \"A claim can be filed two days after the delivery date.\"
  when claim.day is present and date(claim.filed_at) < claim.day + 2 days
  eligible from claim.day + 2 days
";

#[test]
fn a_claim_filed_too_early_is_denied_with_the_date_it_can_be_filed() {
    let e = Engine::claim(TOO_EARLY);
    let d = e.claim_decision("day: 2025-07-09");
    assert_eq!(summary(&d).0, "denied");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-07-11"), &["too_early=2025-07-11"])
    );
    // Filed in time: the exclusion does not apply, and nothing says `eligible_from`.
    let d = e.claim_decision("day: 2025-07-01");
    assert_eq!(summary(&d).2, ["not_covered"]);
    assert_eq!(eligible(&d), pair(None, &["not_covered=-"]));
}

#[test]
fn a_datetime_is_written_as_an_instant() {
    let e = Engine::claim(
        "exclusion cooling_off doc \"Not within 48 hours of filing.\"
           when claim.type == \"lost\"
           eligible from claim.filed_at + 48 hours",
    );
    let d = e.claim_decision("");
    assert_eq!(
        eligible(&d),
        pair(
            Some("2025-07-12T09:30:00Z"),
            &["cooling_off=2025-07-12T09:30:00Z"]
        )
    );
}

#[test]
fn the_latest_date_of_all_the_exclusions_is_the_decisions() {
    let rules = format!(
        "{TOO_EARLY}
exclusion cooling_off doc \"Not within 48 hours of filing.\"
  when claim.type == \"lost\"
  eligible from claim.filed_at + 48 hours"
    );
    let e = Engine::claim(&rules);
    // 2025-07-11 (a date, 00:00 UTC) and 2025-07-12T09:30:00Z: the instant is later.
    let d = e.claim_decision("day: 2025-07-09");
    assert_eq!(
        eligible(&d),
        pair(
            Some("2025-07-12T09:30:00Z"),
            &["too_early=2025-07-11", "cooling_off=2025-07-12T09:30:00Z"]
        )
    );
    // 2025-07-13 is later than the instant: written as the instant of its start.
    let d = e.claim_decision("day: 2025-07-11");
    assert_eq!(
        eligible(&d),
        pair(
            Some("2025-07-13T00:00:00Z"),
            &["too_early=2025-07-13", "cooling_off=2025-07-12T09:30:00Z"]
        )
    );
}

#[test]
fn an_exclusion_without_a_date_leaves_the_decision_without_one() {
    let rules = format!(
        "{TOO_EARLY}
exclusion stolen doc \"Theft is not covered.\" when claim.type == \"stolen\""
    );
    let e = Engine::claim(&rules);
    let d = e.claim_decision("type: stolen\nday: 2025-07-09");
    assert_eq!(
        eligible(&d),
        pair(None, &["too_early=2025-07-11", "stolen=-"])
    );
    // Only the exclusion with a date applies: the decision has it.
    let d = e.claim_decision("day: 2025-07-09");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-07-11"), &["too_early=2025-07-11"])
    );
}

#[test]
fn an_absent_optional_value_gives_no_date() {
    let e = Engine::claim(
        "exclusion early doc \"Not before the other day.\"
           when claim.type == \"lost\"
           eligible from claim.other_day",
    );
    let d = e.claim_decision("");
    assert_eq!(summary(&d).0, "denied");
    assert_eq!(eligible(&d), pair(None, &["early=-"]));
    let d = e.claim_decision("other_day: 2025-08-01");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-08-01"), &["early=2025-08-01"])
    );
}

#[test]
fn a_date_computed_from_an_absent_optional_value_gives_no_date() {
    // The waiting period of a parcel that may not have shipped: no shipment date, no date
    // from which the claim could be filed.
    let e = Engine::claim(
        "exclusion waiting doc \"Not before two days after the other day.\"
           when claim.type == \"lost\"
             and (claim.other_day is absent or date(claim.filed_at) < claim.other_day + 2 days)
           eligible from claim.other_day + 2 days",
    );
    let d = e.claim_decision("");
    assert_eq!(summary(&d).0, "denied");
    assert_eq!(eligible(&d), pair(None, &["waiting=-"]));
    let d = e.claim_decision("other_day: 2025-07-09");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-07-11"), &["waiting=2025-07-11"])
    );
    // A default the rule gives is used, not taken for absence.
    let e = Engine::claim(
        "exclusion waiting doc \"Not before two days after the other day, or July 1.\"
           when claim.type == \"lost\"
           eligible from (claim.other_day otherwise 2025-07-01) + 2 days",
    );
    let d = e.claim_decision("");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-07-03"), &["waiting=2025-07-03"])
    );
    let d = e.claim_decision("other_day: 2025-07-20");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-07-22"), &["waiting=2025-07-22"])
    );
}

#[test]
fn a_referral_says_from_when_it_could_be_decided() {
    let e = Engine::claim(
        "referral settling doc \"A claim is reviewed once tracking settles, 7 days after the day.\"
           when claim.day is present and date(claim.filed_at) < claim.day + 7 days
           eligible from claim.day + 7 days
         coverage lost doc \"Lost parcels.\" pays claim.amount",
    );
    let d = e.claim_decision("day: 2025-07-09");
    assert_eq!(summary(&d).0, "referred");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-07-16"), &["settling=2025-07-16"])
    );
    let d = e.claim_decision("day: 2025-07-01");
    assert_eq!(
        summary(&d),
        ("approved".into(), "100.00".into(), vec!["lost".into()])
    );
    assert_eq!(d.eligible_from, None);
}

#[test]
fn an_eligible_date_that_cannot_be_computed_fails_its_rule() {
    let e = Engine::claim(
        "exclusion early doc \"Not before the day, years on.\"
           when claim.day is present
           eligible from claim.day + claim.count * 1000 years",
    );
    let (failed, at) = e.failed_rule("claim:\n  id: C-1\n  type: lost\n  filed_at: 2025-07-10T09:30:00Z\n  amount: \"100.00\"\n  count: 9\n  rate: \"0.5\"\n  day: 2025-07-09\n");
    assert_eq!(
        failed,
        "rule `early` failed: the date falls outside the years 0001 to 9999"
    );
    assert_eq!(at.as_deref(), Some("32:26"));
    let d = e.decide("claim:\n  id: C-1\n  type: lost\n  filed_at: 2025-07-10T09:30:00Z\n  amount: \"100.00\"\n  count: 9\n  rate: \"0.5\"\n  day: 2025-07-09\n");
    assert_eq!(d.eligible_from, None);
}

#[test]
fn the_decision_json_has_eligible_from_only_when_it_is_known() {
    let e = Engine::claim(TOO_EARLY);
    let d = e.claim_decision("day: 2025-07-09");
    let json = serde_json::to_string(&d).unwrap();
    let mut ours = Vec::new();
    d.write_json(&mut ours).unwrap();
    assert_eq!(String::from_utf8(ours).unwrap(), json);
    assert!(
        json.contains(
            "\"eligible_from\":\"2025-07-11\"}],\"eligible_from\":\"2025-07-11\",\"deadlines\":{}"
        ),
        "{json}"
    );
    let back: Decision = serde_json::from_str(&json).unwrap();
    assert_eq!(back, d);
    assert_eq!(serde_json::to_string(&back).unwrap(), json);
    let d = e.claim_decision("day: 2025-07-01");
    let json = serde_json::to_string(&d).unwrap();
    assert!(!json.contains("eligible_from"), "{json}");
}

// ---- the checker ---------------------------------------------------------------

#[test]
fn eligible_from_is_a_date_or_a_datetime() {
    let errors = errors(
        FACTS,
        "exclusion x doc \"x\" when claim.type == \"lost\" eligible from claim.amount",
    );
    assert_eq!(
        errors,
        ["30:61 `eligible from` takes a date or datetime, but this is money"]
    );
}

/// `eligible from` reads an optional value as present (with it absent, the rule gives no
/// date), so testing it there says so and shows the `let` that falls back on another date.
#[test]
fn testing_presence_in_eligible_from_points_to_a_let() {
    let errs = policy_errors(&policy(
        FACTS,
        "exclusion x doc \"x\" when claim.type == \"lost\"
           eligible from if claim.day is present then claim.day else claim.other_day",
    ));
    let shown: Vec<String> = errs.iter().map(located).collect();
    assert_eq!(
        shown,
        [
            "31:29 `eligible from` reads `claim.day` as present (when the document leaves it \
          out, the rule gives no date), so `is present` is always true"
        ]
    );
    assert_eq!(underlined(&errs[0]), "claim.day");
    assert_eq!(
        errs[0].help.as_deref(),
        Some(
            "to fall back on another date when `claim.day` is absent, compute the date in a \
             `let` (`let since = if claim.day is present then claim.day else OTHER_DATE`) and \
             write `eligible from since + ...`"
        )
    );
    // As the help says: the date falls back on the other one, and with neither there is none.
    let e = Engine::claim(
        "let since = if claim.day is present then claim.day else claim.other_day
         exclusion early doc \"Not before the day.\"
           when claim.type == \"lost\"
           eligible from since + 1 day",
    );
    let d = e.claim_decision("day: 2025-08-01\nother_day: 2025-09-01");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-08-02"), &["early=2025-08-02"])
    );
    let d = e.claim_decision("other_day: 2025-09-01");
    assert_eq!(
        eligible(&d),
        pair(Some("2025-09-02"), &["early=2025-09-02"])
    );
    let d = e.claim_decision("");
    assert_eq!(eligible(&d), pair(None, &["early=-"]));
}

#[test]
fn eligible_from_belongs_on_exclusions_and_referrals() {
    let errs = policy_errors(&policy(
        FACTS,
        "coverage c doc \"c\" pays claim.amount eligible from claim.filed_at",
    ));
    let shown: Vec<String> = errs.iter().map(located).collect();
    assert_eq!(
        shown,
        ["30:38 `eligible from` does not belong in a coverage rule"]
    );
    assert_eq!(underlined(&errs[0]), "eligible from claim.filed_at");
    assert_eq!(
        errs[0].help.as_deref(),
        Some(
            "`eligible from` belongs on an exclusion or a referral: the date from which the \
             document could be decided otherwise"
        )
    );
}

#[test]
fn eligible_from_is_given_once() {
    let errors = errors(
        FACTS,
        "exclusion x doc \"x\" when claim.type == \"lost\"
           eligible from claim.filed_at
           eligible from claim.filed_at + 1 day",
    );
    assert_eq!(errors, ["32:12 `eligible from` is given twice in rule `x`"]);
}

#[test]
fn broken_eligible_from_gives_a_diagnostic() {
    for rules in [
        "exclusion x doc \"x\" when claim.type == \"lost\" eligible from",
        "exclusion x doc \"x\" when claim.type == \"lost\" eligible claim.filed_at",
        "exclusion x doc \"x\" when claim.type == \"lost\" eligible from from",
        "exclusion x doc \"x\" eligible from claim.filed_at + ",
    ] {
        let errors = errors(FACTS, rules);
        assert!(!errors.is_empty(), "{rules}");
    }
}

#[test]
fn fmt_prints_eligible_from_and_reads_it_back() {
    use proviso::internals::format::layout;
    use proviso::internals::span::Source;
    let text = policy(
        FACTS,
        "exclusion   too_early doc \"x\"   when claim.type == \"lost\"  eligible   from claim.filed_at+48 hours",
    );
    let laid = layout(&Source::new("t.proviso", text.as_str())).unwrap();
    assert!(
        laid.contains(
            "exclusion too_early\n  doc \"x\"\n  when claim.type == \"lost\"\n  eligible from claim.filed_at + 48 hours\n"
        ),
        "{laid}"
    );
    assert_eq!(
        layout(&Source::new("t.proviso", laid.as_str())).unwrap(),
        laid
    );
}
