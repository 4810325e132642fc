//! Outcomes: which rule decides, evidence alternatives, compensation order and deadlines.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{payout, summary, Engine, FALLBACK_TEXT};
use proviso::internals::decision::Missing;

fn outcome(e: &Engine, fields: &str) -> (String, String, Vec<String>) {
    summary(&e.claim_decision(fields))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

fn missing(d: &[Missing]) -> Vec<(String, Vec<String>)> {
    d.iter()
        .map(|m| {
            let any: Vec<String> = m.any_of.iter().map(|a| a.to_string()).collect();
            (m.requirement.to_string(), any)
        })
        .collect()
}

// ---- which rule decides ----------------------------------------------------

#[test]
fn the_first_coverage_rule_that_holds_wins() {
    let e = Engine::claim(
        "coverage first doc \"f\" when claim.count > 1 pays 10\n\
         coverage second doc \"s\" pays 20",
    );
    assert_eq!(
        outcome(&e, ""),
        ("approved".into(), "10.00".into(), strings(&["first"]))
    );
    assert_eq!(
        outcome(&e, "count: 1"),
        ("approved".into(), "20.00".into(), strings(&["second"]))
    );
}

#[test]
fn an_exclusion_beats_coverage_and_every_exclusion_is_a_reason() {
    let e = Engine::claim(
        "coverage c doc \"c\" pays claim.amount\n\
         exclusion stolen doc \"s\" when claim.type == \"stolen\"\n\
         exclusion flagged doc \"f\" when claim.flag",
    );
    assert_eq!(
        outcome(&e, ""),
        ("approved".into(), "100.00".into(), strings(&["c"]))
    );
    assert_eq!(
        outcome(&e, "flag: true"),
        ("denied".into(), "0.00".into(), strings(&["flagged"]))
    );
    assert_eq!(
        outcome(&e, "flag: true\ntype: stolen"),
        (
            "denied".into(),
            "0.00".into(),
            strings(&["stolen", "flagged"])
        )
    );
}

#[test]
fn an_exclusion_beats_a_referral() {
    let e = Engine::claim(
        "referral big doc \"b\" when claim.amount > 1000\n\
         exclusion flagged doc \"f\" when claim.flag\ncoverage c doc \"c\" pays 1",
    );
    assert_eq!(
        outcome(&e, "amount: 5000\nflag: true"),
        ("denied".into(), "0.00".into(), strings(&["flagged"]))
    );
    assert_eq!(
        outcome(&e, "amount: 5000"),
        ("referred".into(), "0.00".into(), strings(&["big"]))
    );
}

const EVIDENCE: &str = "evidence from claim.evidence\n";

#[test]
fn a_referral_beats_missing_evidence() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}referral big doc \"b\" when claim.amount > 1000\n\
         evidence photos doc \"p\" requires photo\ncoverage c doc \"c\" pays 1"
    ));
    let d = e.claim_decision("amount: 5000");
    assert_eq!(
        summary(&d),
        ("referred".into(), "0.00".into(), strings(&["big"]))
    );
    assert!(d.missing_evidence.is_empty());
    let d = e.claim_decision("amount: 500");
    assert_eq!(
        summary(&d),
        ("incomplete".into(), "0.00".into(), strings(&["photos"]))
    );
}

#[test]
fn missing_evidence_beats_coverage() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}coverage c doc \"c\" pays claim.amount\n\
         evidence photos doc \"p\" requires photo\n\
         evidence receipt doc \"r\" when claim.type == \"stolen\" requires receipt"
    ));
    let d = e.claim_decision("type: stolen");
    assert_eq!(
        summary(&d),
        (
            "incomplete".into(),
            "0.00".into(),
            strings(&["photos", "receipt"])
        )
    );
    assert_eq!(
        missing(&d.missing_evidence),
        [
            ("photos".into(), strings(&["photo"])),
            ("receipt".into(), strings(&["receipt"]))
        ]
    );
    let d = e.claim_decision("evidence: [{ kind: photo }]");
    assert_eq!(
        summary(&d),
        ("approved".into(), "100.00".into(), strings(&["c"]))
    );
}

#[test]
fn the_fallback_is_the_reason_when_nothing_matches() {
    let e = Engine::claim("coverage c doc \"c\" when claim.flag pays 1");
    let d = e.claim_decision("");
    assert_eq!(
        summary(&d),
        ("denied".into(), "0.00".into(), strings(&["not_covered"]))
    );
    let r = &d.reasons[0];
    assert_eq!((&*r.kind, r.text.as_ref()), ("fallback", FALLBACK_TEXT));
    assert_eq!(r.source.as_ref(), "test.proviso:32:1");
    assert_eq!(d.payout.as_ref().map(|p| p.currency.as_ref()), Some("USD"));
}

#[test]
fn a_reason_carries_the_joined_clause_text_and_its_location() {
    let rules = "\n# a comment\ncoverage lost_parcel\n  doc \"Lost parcels are\"\n      \"covered \\\"in full\\\".\"\n  pays 1";
    let e = Engine::claim(rules);
    let d = e.claim_decision("");
    let r = &d.reasons[0];
    assert_eq!(r.rule.as_ref(), "lost_parcel");
    assert_eq!(r.text.as_ref(), "Lost parcels are covered \"in full\".");
    assert_eq!(r.source.as_ref(), "test.proviso:32:1");
    assert_eq!(d.document, "C-1");
    assert_eq!(d.policy.name.as_ref(), "test/policy");
    assert_eq!(d.policy.version.as_ref(), "1");
    let text = minimal::policy(minimal::FACTS, rules);
    assert_eq!(
        d.policy.sha256.as_ref(),
        proviso::internals::compile::hash(text.as_bytes(), &[])
    );
}

// ---- evidence alternatives -------------------------------------------------

#[test]
fn an_evidence_kind_with_a_condition() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}evidence photos doc \"p\" requires package_photos where sides is present and sides >= 6\n\
         coverage c doc \"c\" pays 1"
    ));
    let decide = |ev: &str| e.claim_decision(&format!("evidence: [{ev}]"));
    assert_eq!(
        decide("{ kind: package_photos, sides: 6 }")
            .decision
            .as_str(),
        "approved"
    );
    let d = decide("{ kind: package_photos, sides: 4 }");
    assert_eq!(d.decision.as_str(), "incomplete");
    assert_eq!(
        missing(&d.missing_evidence),
        [("photos".into(), strings(&["package_photos"]))]
    );
    assert_eq!(
        decide("{ kind: package_photos }").decision.as_str(),
        "incomplete"
    );
    assert_eq!(
        decide("{ kind: other_photos, sides: 6 }").decision.as_str(),
        "incomplete"
    );
    let two = "{ kind: package_photos, sides: 2 }, { kind: package_photos, sides: 8 }";
    assert_eq!(decide(two).decision.as_str(), "approved");
}

#[test]
fn any_of_several_kinds() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}evidence theft doc \"t\" when claim.type == \"stolen\"\n  requires any of {{ police_report, theft_video }}\n\
         coverage c doc \"c\" pays 1"
    ));
    let decide = |fields: &str| e.claim_decision(&format!("type: stolen\n{fields}"));
    assert_eq!(
        decide("evidence: [{ kind: theft_video }]")
            .decision
            .as_str(),
        "approved"
    );
    assert_eq!(
        decide("evidence: [{ kind: police_report }]")
            .decision
            .as_str(),
        "approved"
    );
    let d = decide("evidence: [{ kind: selfie }]");
    assert_eq!(
        missing(&d.missing_evidence),
        [("theft".into(), strings(&["police_report", "theft_video"]))]
    );
    assert_eq!(decide("").decision.as_str(), "incomplete");
    // The rule does not apply to other claims.
    assert_eq!(e.claim_decision("").decision.as_str(), "approved");
}

#[test]
fn facts_stand_in_for_a_document_when_all_are_present() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}evidence details doc \"d\" requires facts(claim.note, claim.day)\n\
         evidence proof doc \"p\" requires any of {{ receipt, facts(claim.fee) }}\n\
         coverage c doc \"c\" pays 1"
    ));
    let d = e.claim_decision("note: n\nday: 2025-01-01\nfee: 0");
    assert_eq!(d.decision.as_str(), "approved");
    let d = e.claim_decision("note: n\nevidence: [{ kind: receipt }]");
    assert_eq!(
        missing(&d.missing_evidence),
        [("details".into(), strings(&["claim.note + claim.day"]))]
    );
    let d = e.claim_decision("note: n\nday: 2025-01-01");
    assert_eq!(
        missing(&d.missing_evidence),
        [("proof".into(), strings(&["receipt", "claim.fee"]))]
    );
}

// ---- compensation ----------------------------------------------------------

#[test]
fn compensation_applies_cap_reduce_and_floor_in_the_order_written() {
    let e = Engine::claim(
        "coverage c doc \"c\" pays claim.amount\n\
         compensation limit doc \"cap\" cap at 80\n\
         compensation courier doc \"r\" reduce by claim.fee otherwise 0\n\
         compensation minimum doc \"f\" floor at 0",
    );
    assert_eq!(
        outcome(&e, "fee: 30"),
        (
            "approved".into(),
            "50.00".into(),
            strings(&["c", "limit", "courier"])
        )
    );
    assert_eq!(
        outcome(&e, "fee: 95"),
        (
            "approved".into(),
            "0.00".into(),
            strings(&["c", "limit", "courier", "minimum"])
        )
    );
    assert_eq!(
        outcome(&e, "amount: 60"),
        ("approved".into(), "60.00".into(), strings(&["c"]))
    );

    let e = Engine::claim(
        "coverage c doc \"c\" pays claim.amount\n\
         compensation courier doc \"r\" reduce by claim.fee otherwise 0\n\
         compensation limit doc \"cap\" cap at 80\n\
         compensation minimum doc \"f\" floor at 60",
    );
    assert_eq!(
        outcome(&e, "fee: 30"),
        (
            "approved".into(),
            "70.00".into(),
            strings(&["c", "courier"])
        )
    );
    assert_eq!(
        outcome(&e, "fee: 10"),
        (
            "approved".into(),
            "80.00".into(),
            strings(&["c", "courier", "limit"])
        )
    );
    assert_eq!(
        outcome(&e, "fee: 50"),
        (
            "approved".into(),
            "60.00".into(),
            strings(&["c", "courier", "minimum"])
        )
    );
}

#[test]
fn a_compensation_rule_may_be_conditional() {
    let e = Engine::claim(
        "coverage c doc \"c\" pays claim.amount\n\
         compensation half doc \"h\" when claim.flag cap at claim.amount / 2",
    );
    assert_eq!(payout(&e.claim_decision("")), "100.00");
    assert_eq!(payout(&e.claim_decision("flag: true")), "50.00");
}

#[test]
fn a_negative_payout_without_a_floor_refers_the_claim() {
    let e = Engine::claim(
        "coverage c doc \"c\" pays claim.amount\ncompensation r doc \"r\" reduce by claim.fee otherwise 0",
    );
    let (message, at) = e.failed_rule(&minimal::claim("fee: \"105.50\""));
    assert_eq!(
        message,
        "rule `r` failed: the amount is negative (-5.50) and no rule says what then; add a compensation rule `floor at 0`"
    );
    assert_eq!(at, None);
    assert_eq!(payout(&e.claim_decision("fee: 100")), "0.00");
    // Left negative by the coverage itself (the reduction changes nothing): the coverage fails.
    let (message, _) = e.failed_rule(&minimal::claim("amount: \"-1.00\""));
    assert_eq!(
        message,
        "rule `c` failed: the amount is negative (-1.00) and no rule says what then; add a compensation rule `floor at 0`"
    );
}

// ---- deadlines -------------------------------------------------------------

const DEADLINES: &str = "coverage c doc \"c\" when not claim.flag pays 1
deadline respond_by doc \"r\" by claim.filed_at + 24 hours
deadline settle_by doc \"s\" when decision == \"approved\" by add_business_days(date(claim.filed_at), 2)";

#[test]
fn deadlines_are_set_when_approved() {
    let d = Engine::claim(DEADLINES).claim_decision("");
    assert_eq!(d.deadlines.get("respond_by"), Some("2025-07-11T09:30:00Z"));
    assert_eq!(d.deadlines.get("settle_by"), Some("2025-07-14"));
}

#[test]
fn a_deadline_for_approved_claims_is_null_otherwise() {
    let d = Engine::claim(DEADLINES).claim_decision("flag: true");
    assert_eq!(d.decision.as_str(), "denied");
    assert_eq!(d.deadlines.get("respond_by"), Some("2025-07-11T09:30:00Z"));
    assert_eq!(d.deadlines.get("settle_by"), None);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json["deadlines"],
        serde_json::json!({ "respond_by": "2025-07-11T09:30:00Z", "settle_by": null })
    );
    assert_eq!(
        json["payout"],
        serde_json::json!({ "amount": "0.00", "currency": "USD", "breakdown": [] })
    );
}

#[test]
fn an_instant_keeps_its_fraction_of_a_second_and_is_shown_in_utc() {
    let e = Engine::claim(DEADLINES);
    let respond_by = |filed_at: &str| {
        e.claim_decision(&format!("filed_at: \"{filed_at}\""))
            .deadlines
            .get("respond_by")
            .map(str::to_string)
    };
    assert_eq!(
        respond_by("2025-07-10T09:30:00.250Z").as_deref(),
        Some("2025-07-11T09:30:00.250Z")
    );
    assert_eq!(
        respond_by("2025-07-10T11:30:00+02:00").as_deref(),
        Some("2025-07-11T09:30:00Z")
    );
}

#[test]
fn dates_and_instants_are_shown_as_chrono_writes_them() {
    use chrono::{DateTime, NaiveDate, SecondsFormat, TimeDelta};
    use proviso::internals::schema::Schema;
    use proviso::internals::types::Base;
    use proviso::internals::value::{display, Value};

    let schema = Schema::default();
    let days = [
        (-1, 12, 31),
        (0, 1, 1),
        (1, 2, 3),
        (999, 9, 9),
        (2024, 2, 29),
    ];
    let more = [(2025, 7, 14), (9999, 12, 31), (10000, 1, 1), (-10000, 6, 6)];
    for (y, m, d) in days.into_iter().chain(more) {
        let Some(day) = NaiveDate::from_ymd_opt(y, m, d) else {
            panic!("{y}-{m}-{d}");
        };
        let shown = display(&Value::Date(day), &Base::Date, &schema);
        assert_eq!(shown, day.format("%Y-%m-%d").to_string());
        let midnight = day.and_time(chrono::NaiveTime::MIN).and_utc();
        for offset in [0, 1, 59, 3_599, 45_296, 86_399] {
            for nanos in [0, 1_000_000, 250_000_000, 123_456_789] {
                let t = midnight + TimeDelta::seconds(offset) + TimeDelta::nanoseconds(nanos);
                let shown = display(&Value::DateTime(t), &Base::DateTime, &schema);
                assert_eq!(shown, t.to_rfc3339_opts(SecondsFormat::AutoSi, true));
            }
        }
    }
    let Ok(t) = DateTime::parse_from_rfc3339("2025-07-11T09:30:00.250Z") else {
        panic!("instant");
    };
    let shown = display(&Value::DateTime(t.to_utc()), &Base::DateTime, &schema);
    assert_eq!(shown, "2025-07-11T09:30:00.250Z");
}

#[test]
fn deadlines_read_every_outcome() {
    let e = Engine::claim(&format!(
        "{EVIDENCE}evidence photos doc \"p\" when claim.type == \"damaged\" requires photo\n\
         referral big doc \"b\" when claim.amount > 1000\n\
         coverage c doc \"c\" when not claim.flag pays 1\n\
         deadline d doc \"d\" when decision in [\"incomplete\", \"referred\"] by date(claim.filed_at) + 7 days"
    ));
    let d = |fields: &str| {
        e.claim_decision(fields)
            .deadlines
            .get("d")
            .map(str::to_string)
    };
    assert_eq!(d("type: damaged").as_deref(), Some("2025-07-17"));
    assert_eq!(d("amount: 2000").as_deref(), Some("2025-07-17"));
    assert_eq!(d(""), None);
    assert_eq!(d("flag: true"), None);
}

/// A note reads the outcome, as a deadline does: it is computed after it.
#[test]
fn notes_read_the_outcome() {
    let e = Engine::claim(
        "exclusion big doc \"big\" when claim.amount > 500\n\
         coverage c doc \"c\" pays claim.amount\n\
         note outcome doc \"outcome\" shows decision\n\
         note appeal doc \"appeal\" when decision == \"denied\" shows \"within 30 days\"\n",
    );
    let notes = |fields: &str| -> Vec<(String, String)> {
        let d = e.claim_decision(fields);
        d.notes
            .0
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone().unwrap_or_default()))
            .collect()
    };
    assert_eq!(
        notes("amount: 900"),
        [
            ("outcome".to_string(), "denied".to_string()),
            ("appeal".to_string(), "within 30 days".to_string())
        ]
    );
    assert_eq!(
        notes("amount: 100"),
        [("outcome".to_string(), "approved".to_string())]
    );
}

/// A note shows a duration in the largest unit that divides it, singular or plural.
#[test]
fn notes_show_durations_in_whole_units() {
    let facts = "claim: record { id: string  filed_at: datetime  seen_at: datetime }";
    let e = Engine::new(
        facts,
        "note gap doc \"gap\" shows claim.seen_at - claim.filed_at\n\
         note day doc \"day\" shows claim.filed_at + 24 hours - claim.filed_at\n\
         note hours doc \"hours\" shows claim.filed_at + 36 hours - claim.filed_at\n",
    );
    let d = e.decide(
        "claim: {id: C-1, filed_at: 2025-07-10T09:30:00Z, seen_at: 2025-07-10T11:00:00Z}\n",
    );
    let notes: Vec<(String, String)> = d
        .notes
        .0
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone().unwrap_or_default()))
        .collect();
    let expected = [
        ("gap", "90 minutes"),
        ("day", "1 day"),
        ("hours", "36 hours"),
    ];
    assert_eq!(notes, expected.map(|(k, v)| (k.to_string(), v.to_string())));
}
