//! Evaluation: operators, dates, aggregates, builtins and failures, on small claim documents.
//!
//! Outcome precedence, evidence, compensation and deadlines are in `tests/decide.rs`.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{claim, holds, payout, pays, summary, Engine, FACTS};

/// The deadline `by <expr>` for the claim with `fields`.
fn by(expr: &str, fields: &str) -> Option<String> {
    let e = Engine::claim(&format!("deadline d doc \"d\" by {expr}"));
    e.claim_decision(fields)
        .deadlines
        .get("d")
        .map(str::to_string)
}

/// The rule of `rules` that cannot be computed on the claim with `fields` (which is then
/// referred): message and `line:col` in the policy.
fn failure(rules: &str, fields: &str) -> (String, Option<String>) {
    Engine::claim(rules).failed_rule(&claim(fields))
}

// ---- operators -------------------------------------------------------------

#[test]
fn and_binds_tighter_than_or() {
    assert!(holds("true or false and not true", ""));
    assert!(!holds("(true or false) and not true", ""));
    assert!(holds("not claim.flag and claim.flag or true", ""));
    assert!(!holds("not (claim.flag or true)", ""));
}

#[test]
fn multiplication_binds_tighter_than_addition() {
    assert_eq!(pays("1 + 2 * 3", ""), "7.00");
    assert_eq!(pays("(1 + 2) * 3", ""), "9.00");
    assert_eq!(pays("10 - 3 - 2", ""), "5.00");
    assert_eq!(pays("12 / 2 / 3", ""), "2.00");
    assert_eq!(pays("-2 * -3 + claim.amount", ""), "106.00");
}

#[test]
fn comparisons_of_numbers_ignore_trailing_zeros() {
    assert!(holds("claim.amount == 100", ""));
    assert!(holds("claim.rate == 0.50 and claim.rate < 0.5000001", ""));
    assert!(holds(
        "claim.count >= 3 and claim.count <= 3 and claim.count != 4",
        ""
    ));
}

#[test]
fn strings_compare_after_escapes() {
    assert!(holds(
        r#"claim.note is present and claim.note == "say \"hi\"\\now""#,
        r#"note: 'say "hi"\now'"#
    ));
    assert!(!holds(
        r#"claim.note is present and claim.note == "say hi""#,
        r#"note: 'say "hi"\now'"#
    ));
}

// ---- otherwise, presence, enumerations -------------------------------------

#[test]
fn otherwise_stands_in_for_an_absent_value() {
    assert_eq!(pays("claim.fee otherwise 7", ""), "7.00");
    assert_eq!(pays("claim.fee otherwise 7", "fee: null"), "7.00");
    assert_eq!(pays("claim.fee otherwise 7", "fee: \"2.50\""), "2.50");
    assert_eq!(pays("(claim.fee otherwise 1) + 1", "fee: 0"), "1.00");
}

#[test]
fn presence_tests_read_null_as_absent() {
    assert!(holds("claim.fee is absent", "fee: ~"));
    assert!(holds("claim.fee is present", "fee: 0"));
    assert!(!holds("claim.fee is present and claim.fee > 0", "fee: 0"));
}

#[test]
fn enum_membership() {
    let e = Engine::claim("exclusion x doc \"x\" when claim.type in [\"lost\", \"stolen\"]");
    let reasons = |t: &str| summary(&e.claim_decision(&format!("type: {t}"))).2;
    assert_eq!(reasons("lost"), ["x"]);
    assert_eq!(reasons("stolen"), ["x"]);
    assert_eq!(reasons("damaged"), ["not_covered"]);
    assert!(holds("claim.type not in [\"lost\"]", "type: damaged"));
    assert!(!holds(
        "claim.type not in [\"lost\", \"damaged\"]",
        "type: damaged"
    ));
}

#[test]
fn an_enum_compares_with_a_string_constant() {
    let e = Engine::claim("const gone = \"lost\"\nexclusion x doc \"x\" when claim.type == gone");
    assert_eq!(summary(&e.claim_decision("type: lost")).2, ["x"]);
    assert_eq!(
        summary(&e.claim_decision("type: stolen")).2,
        ["not_covered"]
    );
    let e = Engine::claim(
        "exclusion x doc \"x\" when (if claim.flag then claim.type else \"stolen\") == \"lost\"",
    );
    assert_eq!(summary(&e.claim_decision("flag: true")).2, ["x"]);
    assert_eq!(summary(&e.claim_decision("flag: false")).2, ["not_covered"]);
}

#[test]
fn a_default_may_name_a_constant() {
    let e = Engine::new(
        "  n: integer default k\n  s: enum { a, b } default j",
        "const k = 5\nconst j = \"b\"\nexclusion x doc \"x\" when n == 5 and s == \"b\"",
    );
    assert_eq!(summary(&e.decide("")).2, ["x"]);
    assert_eq!(summary(&e.decide("n: 4")).2, ["not_covered"]);
    assert_eq!(summary(&e.decide("s: a")).2, ["not_covered"]);
}

/// Items come in any order: a constant may read one written after it.
#[test]
fn a_constant_may_read_one_defined_after_it() {
    let e = Engine::claim(
        "const times = base + 1\nconst base = 2\nconst wait = times * 1 days\n\
         coverage c doc \"pays {times} times\" pays claim.amount * times\n\
         deadline d doc \"d\" by date(claim.filed_at) + wait",
    );
    let d = e.claim_decision("");
    assert_eq!(payout(&d), "300.00");
    assert_eq!(&*d.reasons[0].text, "pays 3 times");
    assert_eq!(d.deadlines.get("d"), Some("2025-07-13"));
}

// ---- money -----------------------------------------------------------------

#[test]
fn money_arithmetic_is_exact_and_rounded_once() {
    assert_eq!(pays("claim.amount + 1", ""), "101.00");
    assert_eq!(pays("claim.amount * claim.rate", ""), "50.00");
    assert_eq!(pays("claim.amount * 0.125", ""), "12.50");
    assert_eq!(pays("claim.amount * claim.count", ""), "300.00");
    assert_eq!(pays("claim.amount / 3", ""), "33.33");
    assert_eq!(pays("claim.amount / 3 * 3", ""), "100.00");
    assert_eq!(
        pays("claim.amount * claim.rate", "rate: \"0.33333\""),
        "33.33"
    );
    assert_eq!(
        pays("claim.amount * claim.rate", "amount: \"0.1\"\nrate: 3"),
        "0.30"
    );
}

#[test]
fn min_and_max() {
    assert_eq!(pays("min(claim.amount, 50)", ""), "50.00");
    assert_eq!(
        pays("min(claim.amount, 500, claim.fee otherwise 1000)", ""),
        "100.00"
    );
    assert_eq!(pays("max(claim.amount - 150, 0)", ""), "0.00");
    assert_eq!(
        pays("max(claim.amount - 150, claim.amount / 4)", ""),
        "25.00"
    );
    assert!(holds("min(2025-03-01, 2025-02-01) == 2025-02-01", ""));
    assert!(holds("max(1 day, 23 hours) == 24 hours", ""));
}

#[test]
fn round_is_half_away_from_zero_to_the_cent() {
    // `* 100` after rounding keeps the result clear of the payout's own rounding.
    let r = "claim.amount * round(claim.rate) * 100";
    assert_eq!(pays(r, "amount: 1\nrate: \"2.345\""), "235.00");
    assert_eq!(pays(r, "amount: -1\nrate: \"-2.345\""), "235.00");
    assert_eq!(pays(r, "amount: 1\nrate: \"2.344\""), "234.00");
    assert_eq!(pays(r, "amount: 1\nrate: \"2.355\""), "236.00");
    assert_eq!(pays(r, "amount: -1\nrate: \"-0.005\""), "1.00");
    assert!(holds(
        "round(-2.345) == -2.35 and round(2.345) == 2.35 and round(2.344) == 2.34",
        ""
    ));
    assert_eq!(pays("2.345", ""), "2.35");
    assert_eq!(
        pays("claim.amount * claim.rate", "amount: 1\nrate: \"2.3449\""),
        "2.34"
    );
}

#[test]
fn abs_of_a_number() {
    assert_eq!(
        pays("claim.amount * abs(claim.rate)", "rate: \"-0.25\""),
        "25.00"
    );
}

// ---- dates and durations ---------------------------------------------------

#[test]
fn durations_move_dates_and_datetimes() {
    assert_eq!(
        by("date(claim.filed_at) + 2 days", "").as_deref(),
        Some("2025-07-12")
    );
    assert_eq!(
        by("date(claim.filed_at) - 10 days", "").as_deref(),
        Some("2025-06-30")
    );
    assert_eq!(
        by("claim.filed_at + 36 hours", "").as_deref(),
        Some("2025-07-11T21:30:00Z")
    );
    assert_eq!(
        by("claim.filed_at - 1 day", "").as_deref(),
        Some("2025-07-09T09:30:00Z")
    );
    assert_eq!(
        by("claim.filed_at + 2 * 1 hour", "").as_deref(),
        Some("2025-07-10T11:30:00Z")
    );
    assert_eq!(
        by("2024-02-28 + 24 hours", "").as_deref(),
        Some("2024-02-29")
    );
}

#[test]
fn datetime_plus_24_hours_crosses_month_and_year_ends() {
    let next = |at: &str| by("claim.filed_at + 24 hours", &format!("filed_at: {at}"));
    assert_eq!(
        next("2025-01-31T12:00:00Z").as_deref(),
        Some("2025-02-01T12:00:00Z")
    );
    assert_eq!(
        next("2025-02-28T23:59:59Z").as_deref(),
        Some("2025-03-01T23:59:59Z")
    );
    assert_eq!(
        next("2024-02-28T23:00:00Z").as_deref(),
        Some("2024-02-29T23:00:00Z")
    );
    assert_eq!(
        next("2025-12-31T10:00:00Z").as_deref(),
        Some("2026-01-01T10:00:00Z")
    );
    // An offset is read and the result given in UTC.
    assert_eq!(
        next("2025-06-30T23:30:00-02:00").as_deref(),
        Some("2025-07-02T01:30:00Z")
    );
}

#[test]
fn the_date_of_a_datetime_is_its_utc_date() {
    let day = |at: &str| by("date(claim.filed_at)", &format!("filed_at: {at}"));
    assert_eq!(
        day("2025-06-30T23:30:00-02:00").as_deref(),
        Some("2025-07-01")
    );
    assert_eq!(
        day("2025-07-01T00:30:00+02:00").as_deref(),
        Some("2025-06-30")
    );
}

#[test]
fn a_date_moved_by_part_of_a_day_is_an_evaluation_error() {
    let (message, at) = failure(
        "deadline d doc \"d\" when claim.day is present by claim.day + 1 hour",
        "day: 2025-01-01",
    );
    assert_eq!(message, "rule `d` failed: a date moves by whole days only");
    assert_eq!(at.as_deref(), Some("30:49"));
    assert_eq!(
        by("claim.day otherwise 2025-01-01", "").as_deref(),
        Some("2025-01-01")
    );
}

#[test]
fn date_minus_date_is_a_duration() {
    let f = "day: 2025-01-31\nother_day: 2025-03-02";
    let both = "claim.day is present and claim.other_day is present and ";
    assert!(holds(
        &format!("{both}claim.other_day - claim.day == 30 days"),
        f
    ));
    assert!(!holds(
        &format!("{both}claim.other_day - claim.day < 30 days"),
        f
    ));
    assert!(holds(
        &format!("{both}claim.day - claim.other_day == -720 hours"),
        f
    ));
    assert!(holds("date(claim.filed_at) - 2025-07-09 == 1 day", ""));
}

#[test]
fn days_between_counts_calendar_days() {
    let between = |a: &str, b: &str| {
        pays(
            &format!("claim.amount * days_between({a}, {b})"),
            "amount: 1",
        )
    };
    assert_eq!(between("2025-01-31", "2025-03-01"), "29.00");
    assert_eq!(between("2024-01-31", "2024-03-01"), "30.00");
    assert_eq!(between("2025-07-10", "2025-07-10"), "0.00");
    assert!(holds("days_between(2025-03-01, 2025-01-31) == -29", ""));
    assert!(holds(
        "days_between(2024-12-31, date(claim.filed_at)) == 191",
        ""
    ));
}

#[test]
fn add_business_days_skips_weekends() {
    // 2025-07-10 is a Thursday.
    let add = |from: &str, n: i32| {
        let fields = format!("filed_at: {from}T09:30:00Z\ncount: {n}");
        by(
            "add_business_days(date(claim.filed_at), claim.count)",
            &fields,
        )
        .unwrap()
    };
    assert_eq!(add("2025-07-10", 2), "2025-07-14", "Thursday");
    assert_eq!(add("2025-07-11", 2), "2025-07-15", "Friday");
    assert_eq!(
        add("2025-07-12", 2),
        "2025-07-15",
        "Saturday counts from Friday"
    );
    assert_eq!(
        add("2025-07-13", 2),
        "2025-07-15",
        "Sunday counts from Friday"
    );
    assert_eq!(add("2025-07-11", 1), "2025-07-14", "Friday plus one");
    assert_eq!(add("2025-07-12", 1), "2025-07-14", "Saturday plus one");
    assert_eq!(add("2025-07-10", 0), "2025-07-10", "none on a weekday");
    assert_eq!(add("2025-07-12", 0), "2025-07-12", "none on a weekend");
    assert_eq!(add("2025-07-10", 5), "2025-07-17", "a week");
    assert_eq!(add("2025-07-10", 10), "2025-07-24", "two weeks");
    assert_eq!(add("2025-07-14", 4), "2025-07-18", "Monday to Friday");
    assert_eq!(add("2025-07-14", 5), "2025-07-21", "Monday to Monday");
    assert_eq!(add("2025-07-13", 5), "2025-07-18", "Sunday plus a week");
    assert_eq!(add("2025-12-31", 2), "2026-01-02", "across a year end");
}

#[test]
fn add_business_days_refuses_a_negative_count() {
    let (message, at) = failure(
        "deadline d doc \"d\" by add_business_days(date(claim.filed_at), claim.count)",
        "count: -1",
    );
    assert_eq!(
        message,
        "rule `d` failed: cannot add -1 business days to 2025-07-10"
    );
    assert_eq!(at.as_deref(), Some("30:23"));
}

// ---- aggregates ------------------------------------------------------------

const ITEMS: &str = "items:
  - { sku: A, qty: 2, price: \"10.00\" }
  - { sku: B, qty: 1, price: \"5.50\" }
  - { sku: A, qty: 1, price: \"1.25\" }";

#[test]
fn sum_with_and_without_a_filter() {
    assert_eq!(
        pays("sum(i in claim.items: i.price * i.qty)", ITEMS),
        "26.75"
    );
    assert_eq!(
        pays(
            "sum(i in claim.items where i.sku == \"A\": i.price * i.qty)",
            ITEMS
        ),
        "21.25"
    );
    assert_eq!(
        pays("sum(i in claim.items where i.qty > 5: i.price)", ITEMS),
        "0.00"
    );
    assert!(holds("sum(i in claim.items: i.qty) == 4", ITEMS));
}

#[test]
fn count_any_and_all() {
    assert!(holds("count(i in claim.items) == 3", ITEMS));
    assert!(holds(
        "count(i in claim.items where i.sku == \"A\") == 2",
        ITEMS
    ));
    assert!(holds("any(i in claim.items: i.price >= 10)", ITEMS));
    assert!(!holds("any(i in claim.items: i.price > 10)", ITEMS));
    assert!(holds(
        "any(i in claim.items where i.sku == \"B\": i.qty == 1)",
        ITEMS
    ));
    assert!(holds("all(i in claim.items: i.qty >= 1)", ITEMS));
    assert!(!holds("all(i in claim.items: i.sku == \"A\")", ITEMS));
    assert!(holds(
        "all(i in claim.items where i.sku == \"A\": i.price > 1)",
        ITEMS
    ));
}

#[test]
fn an_absent_or_empty_list_aggregates_to_nothing() {
    for fields in ["", "items: []", "items: null"] {
        let all = "count(i in claim.items) == 0 and not any(i in claim.items: true) \
                   and all(i in claim.items: false) and sum(i in claim.items: i.qty) == 0";
        assert!(holds(all, fields), "{fields:?}");
    }
}

#[test]
fn nested_aggregates_see_their_own_variables() {
    let per_sku = "sum(i in claim.items where i.sku == \"A\": \
                   i.price * i.qty * count(j in claim.items where j.sku == i.sku))";
    assert_eq!(pays(per_sku, ITEMS), "42.50");
    assert!(holds(
        "all(i in claim.items: any(j in claim.items: j.sku == i.sku and j.qty == i.qty))",
        ITEMS
    ));
}

#[test]
fn a_derived_value_is_computed_once_and_reused() {
    let e = Engine::claim(
        "let total = sum(i in claim.items: i.price * i.qty)\n\
         exclusion x doc \"x\" when total > 100\n\
         coverage c doc \"c\" when total > 0 pays total / 2",
    );
    assert_eq!(
        summary(&e.claim_decision(ITEMS)),
        ("approved".into(), "13.38".into(), vec!["c".into()])
    );
}

// ---- failures --------------------------------------------------------------

#[test]
fn division_by_zero_names_the_rule_and_the_expression() {
    let (message, at) = failure(
        "coverage c doc \"c\" pays claim.amount / claim.rate",
        "rate: 0",
    );
    assert_eq!(message, "rule `c` failed: division by zero");
    assert_eq!(at.as_deref(), Some("30:25"));
    let (message, _) = failure(
        "exclusion x doc \"x\" when claim.count / (claim.count - 3) > 1",
        "",
    );
    assert_eq!(message, "rule `x` failed: division by zero");
}

#[test]
fn decimal_overflow_names_the_rule() {
    // The largest number a document may hold has 28 digits (a 29th is refused on reading).
    let max = "9999999999999999999999999999";
    let (message, at) = failure(
        "coverage c doc \"c\" pays claim.amount * 9",
        &format!("amount: {max}"),
    );
    assert_eq!(message, "rule `c` failed: arithmetic overflow");
    assert_eq!(at.as_deref(), Some("30:25"));
    let items: String = (0..9)
        .map(|_| format!("\n  - {{ sku: A, qty: 1, price: {max} }}"))
        .collect();
    let (message, _) = failure(
        "coverage c doc \"c\" pays sum(i in claim.items: i.price)",
        &format!("items:{items}"),
    );
    assert_eq!(message, "rule `c` failed: arithmetic overflow in sum");
    let (message, _) = failure(
        "coverage c doc \"c\" pays claim.amount * 7\ncompensation r doc \"r\" reduce by claim.fee otherwise 0",
        &format!("amount: {max}\nfee: -{max}"),
    );
    assert_eq!(message, "rule `r` failed: arithmetic overflow");
    let (message, _) = failure(
        "exclusion x doc \"x\" when claim.amount / claim.rate > 0",
        &format!("amount: {max}\nrate: \"0.1\""),
    );
    assert_eq!(message, "rule `x` failed: arithmetic overflow");
}

#[test]
fn a_failure_in_a_derived_value_names_the_rule_that_read_it() {
    let (message, _) = failure(
        "let share = claim.amount / claim.rate\nexclusion first doc \"f\" when claim.flag\n\
         coverage c doc \"c\" when share > 0 pays 1",
        "rate: 0",
    );
    assert_eq!(message, "rule `c` failed: division by zero");
}

#[test]
fn facts_reach_the_engine_through_the_declared_schema() {
    // Every declared fact decodes; an undeclared one is ignored.
    let e = Engine::new(FACTS, "exclusion x doc \"x\" when claim.count == 3");
    let d = e.decide(&(claim("") + "extra: [1, 2]\n"));
    assert_eq!(summary(&d).2, ["x"]);
}

#[test]
fn business_days_added_at_once_land_where_counting_day_by_day_does() {
    use chrono::{Datelike, NaiveDate, Weekday};
    use proviso::internals::eval::add_business_days;
    // Day by day: back to Friday from a weekend, then one weekday at a time.
    let reference = |d: NaiveDate, n: i64| -> Option<NaiveDate> {
        let back = match d.weekday() {
            Weekday::Sat => 1,
            Weekday::Sun => 2,
            _ => 0,
        };
        if n == 0 {
            return Some(d);
        }
        let mut day = d - chrono::Days::new(back);
        let mut left = n;
        while left > 0 {
            day = day.succ_opt()?;
            if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
                left -= 1;
            }
        }
        (day.year() <= 9999).then_some(day)
    };
    let first = NaiveDate::from_ymd_opt(2025, 7, 7).unwrap();
    for start in 0..14 {
        let d = first + chrono::Days::new(start);
        for n in (0..=40).chain([99, 100, 101, 1_000, 12_345]) {
            assert_eq!(add_business_days(d, n), reference(d, n), "{d} + {n}");
        }
    }
    let late = NaiveDate::from_ymd_opt(9999, 12, 24).unwrap();
    for n in 0..10 {
        assert_eq!(
            add_business_days(late, n),
            reference(late, n),
            "{late} + {n}"
        );
    }
    assert_eq!(add_business_days(first, -1), None);
    assert_eq!(add_business_days(first, 1_000_001), None);
    assert_eq!(
        add_business_days(first, 1_000_000),
        NaiveDate::from_ymd_opt(2025, 7, 7).map(|d| d + chrono::Days::new(1_400_000))
    );
}

#[test]
fn facts_several_records_deep_are_read_as_written() {
    let e = Engine::new(
        "  claim: record {
    id: string
    filed_at: datetime
    parcel: optional record {
      box: optional record {
        size: enum { small, large }
        weight: decimal
        seal: optional record {
          intact: bool
        }
      }
    }
  }",
        "exclusion broken_seal doc \"b\" when claim.parcel is present and claim.parcel.box is present\n\
           and claim.parcel.box.seal is present and not claim.parcel.box.seal.intact\n\
         referral heavy doc \"h\" when claim.parcel is present and claim.parcel.box is present\n\
           and claim.parcel.box.size == \"large\" and claim.parcel.box.weight * 2 > 40\n\
         coverage c doc \"c\" pays 1",
    );
    let outcome = |parcel: &str| {
        let d = e.decide(&format!(
            "claim:\n  id: C-1\n  filed_at: 2025-07-10T09:30:00Z\n{parcel}"
        ));
        let reasons: Vec<String> = d.reasons.iter().map(|r| r.rule.to_string()).collect();
        (d.decision.as_str().to_string(), reasons)
    };
    let said = |o: &str, r: &str| (o.to_string(), vec![r.to_string()]);
    assert_eq!(outcome(""), said("approved", "c"));
    assert_eq!(outcome("  parcel: {}\n"), said("approved", "c"));
    let parcel = |size: &str, weight: &str, seal: &str| {
        format!("  parcel:\n    box:\n      size: {size}\n      weight: \"{weight}\"\n{seal}")
    };
    let sealed = |intact: bool| format!("      seal:\n        intact: {intact}\n");
    assert_eq!(outcome(&parcel("large", "20", "")), said("approved", "c"));
    assert_eq!(
        outcome(&parcel("large", "20.5", "")),
        said("referred", "heavy")
    );
    assert_eq!(
        outcome(&parcel("small", "99", &sealed(true))),
        said("approved", "c")
    );
    assert_eq!(
        outcome(&parcel("small", "99", &sealed(false))),
        said("denied", "broken_seal")
    );
}
