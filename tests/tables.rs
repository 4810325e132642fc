//! Banded tables: the checker's errors (message and line:col) for malformed rows, and the
//! row each value falls in, boundaries included.
#![allow(clippy::unwrap_used, clippy::panic)]

use proviso::internals::span::Source;
use proviso::{Document, PolicySet};

/// A policy around one table, `tier`, declared on line 10 with its rows from line 12. The
/// coverage pays the looked-up value; the note shows it as the table types it.
fn policy(table: &str) -> String {
    format!(
        r#"policy "t/tables"
version "1"
effective 2025-01-01
currency USD from claim.currency
doc "a table under test"
facts {{
  order: record {{ placed_at: date }}
  claim: record {{ value: money  currency: string default "USD" }}
}}
{table}
coverage pay
  doc "pays the row's value"
  pays tier(claim.value)
note row
  doc "the row's value"
  shows tier(claim.value)
fallback none
  doc "not covered"
"#
    )
}

/// `table tier(value)` with these rows, one a line.
fn rows(rows: &[&str]) -> String {
    let mut t = String::from("table tier(value)\n  doc \"tiers\"");
    for r in rows {
        t.push_str("\n  ");
        t.push_str(r);
    }
    t
}

/// Every error as `(message, "line:col")`.
fn errors(table: &str) -> Vec<(String, String)> {
    let src = Source::new("t.proviso", policy(table));
    match PolicySet::from_sources(vec![src]) {
        Ok(_) => panic!("the policy was accepted:\n{}", policy(table)),
        Err(e) => e
            .errors
            .iter()
            .map(|e| {
                let at = e.location();
                (
                    e.message.clone(),
                    at.trim_start_matches("t.proviso:").into(),
                )
            })
            .collect(),
    }
}

fn err(message: &str, at: &str) -> Vec<(String, String)> {
    vec![(message.into(), at.into())]
}

#[test]
fn a_gap_between_rows_is_an_error_at_the_lower_bound() {
    let table = rows(&["up to 500: 1", "over 600 up to 2000: 2", "over 2000: 3"]);
    assert_eq!(errors(&table), err("gap between 500 and 600", "13:8"));
}

#[test]
fn an_overlap_between_rows_is_an_error_at_the_lower_bound() {
    let table = rows(&["up to 500: 1", "over 400 up to 2000: 2", "over 2000: 3"]);
    assert_eq!(
        errors(&table),
        err(
            "this row overlaps the previous one, which goes up to 500",
            "13:8"
        )
    );
}

#[test]
fn every_gap_is_reported() {
    let table = rows(&["up to 500: 1", "over 600 up to 2000: 2", "over 2100: 3"]);
    let mut want = err("gap between 500 and 600", "13:8");
    want.extend(err("gap between 2000 and 2100", "14:8"));
    assert_eq!(errors(&table), want);
}

#[test]
fn a_row_that_ends_below_its_start_is_empty() {
    let table = rows(&["up to 500: 1", "over 500 up to 500: 2", "over 500: 3"]);
    assert_eq!(errors(&table), err("500 is not above 500", "13:18"));
}

#[test]
fn a_misplaced_row_is_an_error_at_the_row() {
    // A second `up to` row: only the misplaced row is reported, not the gap it leaves.
    let table = rows(&["up to 500: 1", "up to 2000: 2", "over 2000: 3"]);
    assert_eq!(errors(&table), err("this row is out of place", "13:3"));
}

#[test]
fn an_open_row_before_the_end_is_misplaced_and_so_is_the_row_left_last() {
    let table = rows(&["up to 500: 1", "over 2000: 3", "over 500 up to 2000: 2"]);
    let mut want = err("this row is out of place", "13:3");
    want.extend(err("this row is out of place", "14:3"));
    assert_eq!(errors(&table), want);
}

#[test]
fn a_bound_that_is_not_a_number_is_an_error_at_the_bound() {
    let table = rows(&["up to claim.value: 1", "over 500: 2"]);
    assert_eq!(errors(&table), err("a table bound is a number", "12:9"));
}

#[test]
fn a_single_row_is_an_incomplete_table() {
    let message = "table `tier` needs at least an `up to` row and an `over` row";
    assert_eq!(errors(&rows(&["up to 500: 1"])), err(message, "10:1"));
    assert_eq!(errors(&rows(&["over 500: 1"])), err(message, "10:1"));
}

#[test]
fn a_declared_type_must_fit_the_rows() {
    let table = "table tier(value) -> string\n  doc \"tiers\"\n  up to 500: 1\n  over 500: 2";
    assert_eq!(
        errors(table),
        err(
            "table `tier` is declared string, but its rows are integer",
            "10:22"
        )
    );
    let table =
        "table tier(value) -> optional money\n  doc \"tiers\"\n  up to 500: 1\n  over 500: 2";
    assert_eq!(
        errors(table),
        err(
            "a table holds money, decimal, integer, bool, string, date or datetime values",
            "10:22"
        )
    );
}

/// The payout and the note for a claim of `value`.
fn lookup(table: &str, value: &str) -> (String, String) {
    let set = PolicySet::from_sources(vec![Source::new("t.proviso", policy(table))]).unwrap();
    let doc = format!(
        "policy: t/tables\norder: {{ placed_at: 2025-06-01 }}\nclaim: {{ value: \"{value}\" }}\n"
    );
    let d = set.evaluate(&Document::yaml("claim.yaml", &doc)).unwrap();
    let payout = d
        .payout
        .map(|p| proviso::internals::decision::format_money(p.amount));
    let note = d.notes.get("row").map(String::from);
    (payout.unwrap(), note.unwrap())
}

#[test]
fn each_value_falls_in_one_row_the_upper_bound_included() {
    let table = rows(&["up to 500: 1", "over 500 up to 2000: 2", "over 2000: 3"]);
    for (value, row) in [
        ("-1.00", "1"),
        ("0.00", "1"),
        ("499.99", "1"),
        ("500.00", "1"),
        ("500.01", "2"),
        ("1999.99", "2"),
        ("2000.00", "2"),
        ("2000.01", "3"),
        ("1000000.00", "3"),
    ] {
        let (payout, note) = lookup(&table, value);
        assert_eq!(
            (value, payout.as_str()),
            (value, format!("{row}.00").as_str())
        );
        // Undeclared, literal rows are plain numbers outside a money context.
        assert_eq!((value, note.as_str()), (value, row));
    }
}

#[test]
fn declared_money_rows_show_as_amounts() {
    let table = "table tier(value) -> money\n  doc \"tiers\"\n  up to 500: 500\n  over 500 up to 2000: 2000\n  over 2000: 5000";
    let amounts = |a: &str| (a.to_string(), a.to_string());
    assert_eq!(lookup(table, "500"), amounts("500.00"));
    assert_eq!(lookup(table, "500.01"), amounts("2000.00"));
    assert_eq!(lookup(table, "2000.01"), amounts("5000.00"));
}

#[test]
fn each_kind_of_bound_holds_or_leaves_out_its_value() {
    // `under` leaves its bound out, `from` takes it in; `up to` takes it, `over` not.
    let table = rows(&[
        "under 50: 1",
        "from 50 up to 100: 2",
        "over 100 under 200: 3",
        "from 200: 4",
    ]);
    for (value, row) in [
        ("49.99", "1"),
        ("50.00", "2"),
        ("50.01", "2"),
        ("99.99", "2"),
        ("100.00", "2"),
        ("100.01", "3"),
        ("199.99", "3"),
        ("200.00", "4"),
        ("200.01", "4"),
    ] {
        let (payout, note) = lookup(&table, value);
        assert_eq!((value, payout), (value, format!("{row}.00")));
        assert_eq!((value, note.as_str()), (value, row));
    }
}

#[test]
fn an_open_end_then_a_closed_start_at_the_same_value_is_complete() {
    let table = rows(&["up to 50: 1", "over 50 under 100: 2", "from 100: 3"]);
    for (value, row) in [
        ("50.00", "1"),
        ("50.01", "2"),
        ("99.99", "2"),
        ("100.00", "3"),
    ] {
        assert_eq!((value, lookup(&table, value).1), (value, row.to_string()));
    }
}

#[test]
fn a_value_left_out_by_both_rows_is_a_gap_at_that_value() {
    let table = rows(&["under 50: 1", "over 50: 2"]);
    assert_eq!(
        errors(&table),
        err(
            "50 falls in no row: the previous row stops under it, and this one starts over it",
            "13:8"
        )
    );
}

#[test]
fn a_value_taken_in_by_both_rows_is_an_overlap_at_that_value() {
    let table = rows(&["up to 50: 1", "from 50: 2"]);
    assert_eq!(
        errors(&table),
        err(
            "50 falls in two rows: the previous row goes up to it, and this one starts from it",
            "13:8"
        )
    );
    let table = rows(&["under 50: 1", "from 40: 2"]);
    assert_eq!(
        errors(&table),
        err(
            "this row overlaps the previous one, which goes under 50",
            "13:8"
        )
    );
    let table = rows(&["under 50: 1", "from 60: 2"]);
    assert_eq!(errors(&table), err("gap between 50 and 60", "13:8"));
}

#[test]
fn a_row_from_a_value_under_the_same_value_is_empty() {
    let table = rows(&["under 50: 1", "from 50 under 50: 2", "from 50: 3"]);
    assert_eq!(errors(&table), err("50 is not above 50", "13:17"));
}

#[test]
fn a_row_may_compute_from_the_value_looked_up() {
    // A rate card: a flat fee under 50.00, then 2% of the value. The amount is rounded
    // once, at the payout (123.45 * 2% = 2.469 pays 2.47).
    let table = rows(&[
        "under 50.00: 1.28",
        "from 50.00 up to 2000: 2% of value",
        "over 2000: value * 0.02 + 5",
    ]);
    assert_eq!(lookup(&table, "49.99").0, "1.28");
    assert_eq!(lookup(&table, "50.00").0, "1.00");
    assert_eq!(lookup(&table, "123.45").0, "2.47");
    assert_eq!(lookup(&table, "2000.00").0, "40.00");
    assert_eq!(lookup(&table, "2500.00").0, "55.00");
}

#[test]
fn a_row_that_computes_is_typed_with_the_value_looked_up() {
    // Looked up with money, `value * 2` is money; with an integer (`claim.value > 0`
    // counts nothing), the rows are integers and compare with one.
    let table = rows(&["up to 10: value * 2", "over 10: value"]);
    assert_eq!(lookup(&table, "7.25").0, "14.50");
    let src = policy(&table).replace(
        "note row\n  doc \"the row's value\"\n  shows tier(claim.value)",
        "note row\n  doc \"the row's value\"\n  shows tier(3) == 6",
    );
    let set = PolicySet::from_sources(vec![Source::new("t.proviso", src)]).unwrap();
    let doc = "policy: t/tables\norder: { placed_at: 2025-06-01 }\nclaim: { value: \"1\" }\n";
    let d = set.evaluate(&Document::yaml("claim.yaml", doc)).unwrap();
    assert_eq!(d.notes.get("row").map(String::from), Some("true".into()));
}

#[test]
fn a_row_with_an_unknown_name_is_an_error_at_the_name() {
    let table = rows(&["up to 500: 1", "over 500: valeu * 2"]);
    assert_eq!(errors(&table), err("unknown name `valeu`", "13:13"));
}

#[test]
fn a_row_of_the_wrong_type_is_an_error_at_the_row() {
    let table = rows(&["up to 500: value", "over 500: value > 2"]);
    let found = errors(&table);
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].1, "13:13");
}

#[test]
fn a_table_whose_rows_compute_is_checked_even_when_nothing_calls_it() {
    let table = format!(
        "{}\ntable unused(amount)\n  doc \"unused\"\n  up to 1: amount\n  over 1: amout",
        rows(&["up to 500: 1", "over 500: 2"])
    );
    assert_eq!(errors(&table), err("unknown name `amout`", "17:11"));
}
