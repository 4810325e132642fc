//! Holiday calendars: `add_business_days(d, n, CALENDAR)` skips weekends and the calendar's
//! holidays, listed in the policy or read from a file beside it (part of the sha256).
#![allow(clippy::unwrap_used, clippy::panic)]

mod minimal;

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use minimal::*;
use proviso::{Document, LoadError, PolicySet};

/// A calendar with Independence Day and Labor Day 2025 (a Friday and a Monday), and a
/// deadline two business days after `claim.day`, with and without it.
const RULES: &str = "
calendar us
  doc \"US holidays.\"
  holidays 2025-07-04, 2025-09-01

deadline respond_by
  doc \"Within two business days.\"
  when claim.day is present
  by add_business_days(claim.day, claim.count, us)

deadline plain_by
  doc \"Within two days, Monday to Friday.\"
  when claim.day is present
  by add_business_days(claim.day, claim.count)
";

fn deadlines(fields: &str) -> (String, String) {
    let d = Engine::claim(RULES).claim_decision(fields);
    let get = |n: &str| d.deadlines.get(n).unwrap_or("-").to_string();
    (get("respond_by"), get("plain_by"))
}

#[test]
fn business_days_skip_a_holiday_and_the_weekend() {
    // Thursday 2025-07-03: Friday is a holiday, then the weekend.
    assert_eq!(
        deadlines("day: 2025-07-03\ncount: 2"),
        ("2025-07-08".into(), "2025-07-07".into())
    );
    assert_eq!(
        deadlines("day: 2025-07-03\ncount: 1"),
        ("2025-07-07".into(), "2025-07-04".into())
    );
    // Friday 2025-08-29: the weekend, then Labor Day.
    assert_eq!(
        deadlines("day: 2025-08-29\ncount: 1"),
        ("2025-09-02".into(), "2025-09-01".into())
    );
    // On the holiday itself: counted from the business day before; 0 days is the day.
    assert_eq!(
        deadlines("day: 2025-07-04\ncount: 1"),
        ("2025-07-07".into(), "2025-07-07".into())
    );
    assert_eq!(
        deadlines("day: 2025-07-04\ncount: 0"),
        ("2025-07-04".into(), "2025-07-04".into())
    );
    // No holiday in between: as without the calendar.
    assert_eq!(
        deadlines("day: 2025-07-14\ncount: 5"),
        ("2025-07-21".into(), "2025-07-21".into())
    );
}

#[test]
fn a_negative_or_huge_count_fails_the_rule_quickly() {
    let e = Engine::claim(RULES);
    let start = std::time::Instant::now();
    let (failed, at) = e.failed_rule(&claim("day: 2025-07-03\ncount: -1"));
    assert_eq!(
        failed,
        "rule `respond_by` failed: cannot add -1 business days to 2025-07-03"
    );
    assert_eq!(at.as_deref(), Some("38:6"));
    let (failed, _) = e.failed_rule(&claim("day: 9999-12-01\ncount: 1000000"));
    assert_eq!(
        failed,
        "rule `respond_by` failed: cannot add 1000000 business days to 9999-12-01"
    );
    let (failed, _) = e.failed_rule(&claim("day: 2025-07-03\ncount: 99999999999"));
    assert_eq!(
        failed,
        "rule `respond_by` failed: cannot add 99999999999 business days to 2025-07-03"
    );
    assert!(start.elapsed() < std::time::Duration::from_secs(2));
}

#[test]
fn many_holidays_are_counted_past_each_other() {
    // Every weekday of July 2025 is a holiday: one business day after 2025-06-30 is
    // Friday 2025-08-01.
    let july: Vec<String> = (1..=31)
        .map(|d| format!("2025-07-{d:02}"))
        .filter(|d| {
            let day: chrono::NaiveDate = d.parse().unwrap();
            use chrono::Datelike;
            day.weekday().num_days_from_monday() < 5
        })
        .collect();
    let rules = format!(
        "calendar july doc \"A long holiday.\" holidays {}
deadline respond_by doc \"x\" when claim.day is present by add_business_days(claim.day, 1, july)",
        july.join(", ")
    );
    let d = Engine::claim(&rules).claim_decision("day: 2025-06-30");
    assert_eq!(d.deadlines.get("respond_by"), Some("2025-08-01"));
}

// ---- the checker -------------------------------------------------------------

fn rejected(rules: &str) -> (String, String, String) {
    let errors = policy_errors(&policy(FACTS, rules));
    assert_eq!(
        errors.len(),
        1,
        "{:?}",
        errors.iter().map(located).collect::<Vec<_>>()
    );
    let e = &errors[0];
    (
        located(e),
        underlined(e).to_string(),
        e.help.clone().unwrap_or_default(),
    )
}

const CALENDAR: &str = "calendar us doc \"US holidays.\" holidays 2025-07-04\n";

#[test]
fn an_unknown_calendar_is_named_with_the_nearest() {
    let (at, text, help) = rejected(&format!(
        "{CALENDAR}deadline d doc \"d\" when claim.day is present by add_business_days(claim.day, 2, usa)"
    ));
    assert_eq!(at, "31:81 unknown calendar `usa`");
    assert_eq!(text, "usa");
    assert_eq!(help, "did you mean `us`?");
    let (at, _, help) = rejected(
        "deadline d doc \"d\" when claim.day is present by add_business_days(claim.day, 2, us)",
    );
    assert_eq!(at, "30:81 unknown calendar `us`");
    assert_eq!(
        help,
        "declare one: `calendar us_federal doc \"...\" holidays 2025-01-01, 2025-12-25`"
    );
    let (at, text, _) = rejected(&format!(
        "{CALENDAR}deadline d doc \"d\" when claim.day is present by add_business_days(claim.day, 2, 3)"
    ));
    assert_eq!(
        at,
        "31:81 the third argument of `add_business_days` names a calendar"
    );
    assert_eq!(text, "3");
}

#[test]
fn a_calendar_has_a_name_of_its_own() {
    let (at, text, _) = rejected("calendar round doc \"x\" holidays 2025-07-04");
    assert_eq!(at, "30:10 `round` is already a built-in function");
    assert_eq!(text, "round");
    let (at, _, _) = rejected(&format!(
        "{CALENDAR}calendar us doc \"y\" holidays 2025-07-05"
    ));
    assert_eq!(at, "31:10 `us` is already a calendar");
    let (at, _, _) = rejected(
        "table us(x) doc \"t\" up to 1: 1 over 1: 2\ncalendar us doc \"y\" holidays 2025-07-05",
    );
    assert_eq!(at, "31:10 `us` is already a table");
}

#[test]
fn a_holiday_is_listed_once_and_a_calendar_lists_some() {
    let (at, text, help) =
        rejected("calendar us doc \"x\" holidays 2025-07-04, 2025-09-01, 2025-07-04");
    assert_eq!(at, "30:54 calendar `us` lists 2025-07-04 twice");
    assert_eq!(text, "2025-07-04");
    assert_eq!(help, "remove one: the first is at 30:30");
    let (at, _, _) = rejected("calendar us doc \"x\"");
    assert_eq!(at, "30:10 calendar `us` has no holidays");
    let (at, text, _) = rejected("calendar us doc \"x\" holidays 2025-02-30");
    assert_eq!(at, "30:30 `2025-02-30` is not a calendar date");
    assert_eq!(text, "2025-02-30");
}

#[test]
fn broken_calendars_give_a_diagnostic() {
    for rules in [
        "calendar",
        "calendar us",
        "calendar us holidays 2025-07-04",
        "calendar us doc \"x\" holidays",
        "calendar us doc \"x\" holidays 2025-07-04,",
        "calendar us from doc \"x\"",
        "calendar us doc \"x\" holidays 2025-07-04 2025-07-05",
        "deadline d doc \"d\" by add_business_days(2025-07-01, 1, us, us)",
    ] {
        assert!(!policy_errors(&policy(FACTS, rules)).is_empty(), "{rules}");
    }
}

#[test]
fn fmt_lays_out_a_calendar_and_reads_it_back() {
    use proviso::internals::format::layout;
    use proviso::internals::span::Source;
    let text = policy(
        FACTS,
        "calendar   us from \"us.txt\"   doc \"US holidays.\" holidays 2025-07-04,2025-09-01",
    );
    let laid = layout(&Source::new("t.proviso", text.as_str())).unwrap();
    assert!(
        laid.contains(
            "calendar us from \"us.txt\"\n  doc \"US holidays.\"\n  holidays 2025-07-04, 2025-09-01\n"
        ),
        "{laid}"
    );
    assert_eq!(
        layout(&Source::new("t.proviso", laid.as_str())).unwrap(),
        laid
    );
}

// ---- calendar files ------------------------------------------------------------

const POLICY: &str = r#"policy "test/calendars"
version "1"
effective 2025-01-01
currency USD
doc "A deadline in business days."

facts {
  claim: record { id: string  day: date }
}

calendar us from "us-holidays.txt"
  doc "US holidays, from a file."

deadline respond_by
  doc "Within two business days."
  by add_business_days(claim.day, 2, us)

fallback nothing doc "Nothing is covered."
"#;

/// A policy directory with `us-holidays.txt` (when given), removed when dropped.
struct Dir(PathBuf);

impl Dir {
    fn new(holidays: Option<&str>) -> Dir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("proviso-calendars-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("policy.proviso"), POLICY).unwrap();
        if let Some(h) = holidays {
            std::fs::write(dir.join("us-holidays.txt"), h).unwrap();
        }
        Dir(dir)
    }

    fn errors(&self) -> Vec<(String, String)> {
        match PolicySet::load(&self.0) {
            Err(LoadError::Policy(e)) => e
                .errors
                .iter()
                .map(|e| (e.location(), e.message.clone()))
                .collect(),
            other => panic!("expected a policy error, got {other:?}"),
        }
    }

    fn at(&self, line_col: &str) -> String {
        format!("{}:{line_col}", self.0.join("policy.proviso").display())
    }

    fn file(&self) -> String {
        self.0.join("us-holidays.txt").display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const FILE: &str = "# US federal holidays, 2025\n2025-07-04  # Independence Day\n\n2025-09-01\n";

#[test]
fn a_calendar_file_is_read_and_hashed_with_the_policy() {
    let dir = Dir::new(Some(FILE));
    let set = PolicySet::load(&dir.0).unwrap_or_else(|e| panic!("{e:?}"));
    let doc = r#"{"policy": "test/calendars", "claim": {"id": "C-1", "day": "2025-07-03"}}"#;
    let at = chrono::NaiveDate::from_ymd_opt(2025, 6, 1);
    let d = set.evaluate_at(&Document::json("c.json", doc), at).unwrap();
    assert_eq!(d.deadlines.get("respond_by"), Some("2025-07-08"));
    let mut bytes = POLICY.as_bytes().to_vec();
    bytes.extend(b"\0us-holidays.txt\0");
    bytes.extend(FILE.as_bytes());
    use sha2::{Digest, Sha256};
    let expected: String = Sha256::digest(&bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(d.policy.sha256.as_ref(), expected);
}

#[test]
fn a_missing_or_broken_calendar_file_is_an_error_at_its_name() {
    let dir = Dir::new(None);
    let errors = dir.errors();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].0, dir.at("11:18"));
    assert!(
        errors[0]
            .1
            .starts_with(&format!("cannot read calendar file `{}`: ", dir.file())),
        "{errors:?}"
    );
    let dir = Dir::new(Some("2025-07-04\nJuly 5\n"));
    assert_eq!(
        dir.errors(),
        [(
            dir.at("11:18"),
            format!(
                "calendar file `{}`, line 2: `July 5` is not a date (YYYY-MM-DD)",
                dir.file()
            )
        )]
    );
    let dir = Dir::new(Some("2025-07-04\n2025-09-01\n2025-07-04\n"));
    assert_eq!(
        dir.errors(),
        [(
            dir.at("11:18"),
            format!(
                "calendar file `{}`, line 3: 2025-07-04 is listed twice (first on line 1)",
                dir.file()
            )
        )]
    );
}
