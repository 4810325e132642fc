//! Holiday calendars: the holidays a `calendar` reads from a file beside the policy, and
//! business days counted past weekends and holidays.
//!
//! A calendar file holds one date `YYYY-MM-DD` a line; `#` starts a comment, and blank
//! lines are skipped. The file is part of the policy's sha256, as a hook file is (see
//! [`crate::compile::hash`]).

use std::collections::BTreeMap;
use std::path::{Component, Path};

use chrono::{Datelike, NaiveDate, Weekday};

use crate::check::CalendarSig;
use crate::diagnostic::PolicyError;
use crate::hooks::HookFile;
use crate::read::{read_text, Unreadable};
use crate::span::Source;
use crate::value::Value;

/// Largest calendar file read, in bytes (some 20,000 dates).
pub const MAX_CALENDAR_BYTES: usize = 256 << 10;

/// The holidays of a calendar file's text, in the order written; or the line (from 1) of
/// the first that is not a date, or of a date given twice, with what is wrong.
pub fn parse_holidays(text: &str) -> Result<Vec<NaiveDate>, (usize, String)> {
    let mut out: Vec<NaiveDate> = Vec::new();
    let mut seen: BTreeMap<NaiveDate, usize> = BTreeMap::new();
    for (i, line) in text.lines().enumerate() {
        let n = i + 1;
        let content = line.split('#').next().unwrap_or("").trim();
        if content.is_empty() {
            continue;
        }
        let date = crate::document::parse_date(content)
            .filter(|d| crate::value::YEARS.contains(&d.year()))
            .ok_or_else(|| (n, format!("`{content}` is not a date (YYYY-MM-DD)")))?;
        if let Some(first) = seen.insert(date, n) {
            return Err((
                n,
                format!("{content} is listed twice (first on line {first})"),
            ));
        }
        out.push(date);
    }
    Ok(out)
}

/// Reads the files of the calendars that name one (`calendar x from "file.txt"`), beside
/// `policy`, or from `given` (by the name the policy writes) when given; each file's
/// holidays are added to its calendar. Returns the files read, for the policy's hash.
pub fn read_files(
    policy: &Source,
    calendars: &mut [CalendarSig],
    given: Option<&BTreeMap<String, String>>,
) -> Result<Vec<HookFile>, Vec<PolicyError>> {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for cal in calendars.iter_mut() {
        let Some((name, span)) = cal.file.clone() else {
            continue;
        };
        let error = |message: String, help: &str| {
            PolicyError::new(policy, span, message, "this file").with_help(help.to_string())
        };
        let rel = Path::new(&name);
        if name.is_empty() || rel.components().any(|c| !matches!(c, Component::Normal(_))) {
            errors.push(error(
                format!("calendar file `{name}` is outside the policy's folder"),
                "name a file in the policy's folder or below it, like \"us-federal-holidays.txt\"",
            ));
            continue;
        }
        let dir = Path::new(policy.name.as_ref())
            .parent()
            .unwrap_or(Path::new(""));
        let path = dir.join(rel);
        let shown = path.display().to_string();
        let text = match given {
            Some(g) => match g.get(&name) {
                Some(t) if t.len() > MAX_CALENDAR_BYTES => Err(too_large(&shown)),
                Some(t) => Ok(t.clone()),
                None => Err((
                    format!("calendar file `{name}` is not given"),
                    format!("give the text of `{name}` with the policy"),
                )),
            },
            None => {
                read_text(&path, &shown, MAX_CALENDAR_BYTES, "calendar file").map_err(|e| match e {
                    Unreadable::Io(e) => (
                        format!("cannot read calendar file `{shown}`: {e}"),
                        "put the file beside the policy: one date YYYY-MM-DD a line, `#` for \
                         comments"
                            .to_string(),
                    ),
                    Unreadable::TooLarge(_) => too_large(&shown),
                    Unreadable::NotUtf8(_) => (
                        format!("calendar file `{shown}` is not UTF-8 text"),
                        "save it as UTF-8: one date YYYY-MM-DD a line".to_string(),
                    ),
                })
            }
        };
        let text = match text {
            Ok(t) => t,
            Err((message, help)) => {
                errors.push(error(message, &help));
                continue;
            }
        };
        match parse_holidays(&text) {
            Ok(dates) => {
                for d in dates {
                    if cal.holidays.contains(&d) {
                        errors.push(error(
                            format!(
                                "calendar `{}` lists {} twice: in `{name}` and after `holidays`",
                                cal.name,
                                crate::value::format_date(d)
                            ),
                            "list each holiday once",
                        ));
                    } else {
                        cal.holidays.push(d);
                    }
                }
            }
            Err((line, message)) => errors.push(error(
                format!("calendar file `{shown}`, line {line}: {message}"),
                "write one date YYYY-MM-DD a line (`#` starts a comment), each once",
            )),
        }
        files.push(HookFile {
            name,
            source: Source::new(shown, text),
        });
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}

fn too_large(shown: &str) -> (String, String) {
    (
        format!("calendar file `{shown}` is too large"),
        format!("a calendar file may hold at most {MAX_CALENDAR_BYTES} bytes"),
    )
}

/// A calendar's holidays as the value its calls read: the dates in order.
pub fn value(holidays: &[NaiveDate]) -> Value {
    let mut dates = holidays.to_vec();
    dates.sort_unstable();
    dates.dedup();
    Value::List(dates.into_iter().map(Value::Date).collect())
}

/// The date `n` business days after `d`, skipping weekends and the `holidays` (dates in
/// order, as [`value`] gives them); a start on a weekend or a holiday counts from the
/// business day before it, and `n` = 0 is `d` itself. `None` for a negative `n`, one above
/// a million, or a date past the year 9999.
pub fn add_business_days(d: NaiveDate, n: i64, holidays: &[Value]) -> Option<NaiveDate> {
    let mut end = crate::eval::add_business_days(d, n)?;
    let mut from = d;
    // Each round adds as many business days as the holidays on weekdays in (from, end]:
    // the end moves on, and no holiday is counted twice, so this ends within one round a
    // holiday.
    loop {
        let skipped = weekday_holidays(holidays, from, end);
        if skipped == 0 {
            return Some(end);
        }
        from = end;
        end = crate::eval::add_business_days(end, i64::try_from(skipped).ok()?)?;
    }
}

/// How many of `holidays` fall on a weekday after `from`, up to `to`.
fn weekday_holidays(holidays: &[Value], from: NaiveDate, to: NaiveDate) -> usize {
    let start = holidays.partition_point(|h| matches!(h, Value::Date(x) if *x <= from));
    let end = holidays.partition_point(|h| matches!(h, Value::Date(x) if *x <= to));
    holidays
        .get(start..end)
        .unwrap_or(&[])
        .iter()
        .filter(
            |h| matches!(h, Value::Date(x) if !matches!(x.weekday(), Weekday::Sat | Weekday::Sun)),
        )
        .count()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn files_hold_a_date_a_line_with_comments() {
        let text = "# US federal\n2025-01-01  # New Year\n\n2025-01-20\n";
        assert_eq!(
            parse_holidays(text),
            Ok(vec![day("2025-01-01"), day("2025-01-20")])
        );
        assert_eq!(
            parse_holidays("2025-01-01\n2025-02-30\n"),
            Err((2, "`2025-02-30` is not a date (YYYY-MM-DD)".into()))
        );
        assert_eq!(
            parse_holidays("2025-01-01\n\n2025-01-01\n"),
            Err((3, "2025-01-01 is listed twice (first on line 1)".into()))
        );
    }

    #[test]
    fn business_days_skip_weekends_and_holidays() {
        let hs = value(&[day("2025-07-04"), day("2025-07-05"), day("2025-07-07")]);
        let Value::List(hs) = hs else { panic!() };
        // Thu 07-03 + 1: Fri 07-04 is a holiday, Mon 07-07 too: Tue 07-08.
        assert_eq!(
            add_business_days(day("2025-07-03"), 1, &hs),
            Some(day("2025-07-08"))
        );
        assert_eq!(
            add_business_days(day("2025-07-03"), 2, &hs),
            Some(day("2025-07-09"))
        );
        assert_eq!(
            add_business_days(day("2025-07-04"), 0, &hs),
            Some(day("2025-07-04"))
        );
        assert_eq!(
            add_business_days(day("2025-07-04"), 1, &hs),
            Some(day("2025-07-08"))
        );
        assert_eq!(add_business_days(day("2025-07-03"), -1, &hs), None);
        assert_eq!(add_business_days(day("9999-12-01"), 1_000_000, &hs), None);
    }
}
