//! Expression forms: `min`/`max` over lists, `the x in L where C`, membership in a list fact,
//! calendar months and years, string functions; each evaluated, checked (every misuse at its
//! span, with a help line), printed and laid out.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{claim, holds, payout, pays, policy, summary, Engine, FACTS};
use proviso::internals::span::Source;

/// Rules start on this line of a policy over [`FACTS`].
const RULES_LINE: usize = 30;

/// What `note n shows <expr>` shows for the claim with `fields`.
fn shows(expr: &str, fields: &str) -> String {
    let e = Engine::claim(&format!("note n doc \"n\" shows {expr}"));
    let d = e.claim_decision(fields);
    d.notes
        .get("n")
        .map(|v| v.to_string())
        .unwrap_or_else(|| panic!("no note in {d:?}"))
}

/// The one error of `exclusion x doc "x" when <expr>` over [`FACTS`]: `line:col message`,
/// the text underlined, and the help line.
fn when_error(expr: &str) -> (String, String, String) {
    rules_error(&format!("exclusion x doc \"x\" when {expr}"))
}

/// The one error of `rules` over [`FACTS`]: `line:col message`, underlined text, help.
fn rules_error(rules: &str) -> (String, String, String) {
    minimal::one_error(&policy(FACTS, rules))
}

/// `file:line:col` where a `when` expression starts, plus `offset` columns.
fn when_at(offset: usize) -> String {
    format!("{RULES_LINE}:{}", 26 + offset)
}

/// The policy with `rules` prints canonically, parses back to the same tree (no semantic
/// difference, the same print), compiles, and is laid out by `fmt` stably.
fn round_trips(rules: &str) -> String {
    use proviso::internals::{diff, format, parse, policy_set, print};
    let text = policy(FACTS, rules);
    let parsed = parse::parse_file(&Source::new("a.proviso", text.as_str())).unwrap();
    let printed = print::policy(&parsed);
    let src = Source::new("printed.proviso", printed.as_str());
    let reparsed = parse::parse_file(&src)
        .unwrap_or_else(|e| panic!("printed policy does not parse: {e:?}\n{printed}"));
    assert_eq!(print::policy(&reparsed), printed);
    assert!(
        policy_set::compile_ast(&src, &reparsed).is_ok(),
        "{printed}"
    );
    assert_eq!(diff::diff(&parsed, &reparsed), diff::PolicyDiff::default());
    let laid = format::layout(&Source::new("a.proviso", text.as_str())).unwrap();
    assert_eq!(
        format::layout(&Source::new("b.proviso", laid.as_str())).unwrap(),
        laid
    );
    let relaid = parse::parse_file(&Source::new("b.proviso", laid.as_str())).unwrap();
    assert_eq!(print::policy(&relaid), printed);
    printed
}

/// The line of a printed policy that starts with `start`.
fn line_of<'t>(text: &'t str, start: &str) -> &'t str {
    text.lines()
        .find(|l| l.trim_start().starts_with(start))
        .unwrap_or_else(|| panic!("no line {start:?} in\n{text}"))
}

const ITEMS: &str = "items:
  - { sku: A, qty: 2, price: \"10.00\" }
  - { sku: B, qty: 1, price: \"5.50\" }
  - { sku: A, qty: 1, price: \"1.25\" }";

// ---- min and max over a list --------------------------------------------------

#[test]
fn min_and_max_over_a_list_pick_the_least_and_the_greatest() {
    assert_eq!(
        pays("min(i in claim.items: i.price) otherwise 0", ITEMS),
        "1.25"
    );
    assert_eq!(
        pays("max(i in claim.items: i.price) otherwise 0", ITEMS),
        "10.00"
    );
    assert_eq!(
        pays("max(i in claim.items: i.price * i.qty) otherwise 0", ITEMS),
        "20.00"
    );
    assert_eq!(
        pays(
            "min(i in claim.items where i.sku == \"A\": i.price) otherwise 0",
            ITEMS
        ),
        "1.25"
    );
    assert_eq!(
        pays(
            "max(i in claim.items where i.sku == \"B\": i.price) otherwise 0",
            ITEMS
        ),
        "5.50"
    );
    assert!(holds(
        "(min(i in claim.items: i.qty) otherwise 0) == 1",
        ITEMS
    ));
    assert!(holds(
        "(max(i in claim.items: i.qty) otherwise 0) == 2",
        ITEMS
    ));
    // Decimals, exactly, fractions included.
    assert!(holds(
        "(max(i in claim.items: i.qty / 3) otherwise 0) == 2 / 3",
        ITEMS
    ));
}

#[test]
fn min_and_max_of_no_element_are_absent() {
    // An absent list, an empty one, and a `where` that keeps nothing.
    assert_eq!(
        pays("min(i in claim.items: i.price) otherwise 7", ""),
        "7.00"
    );
    assert_eq!(
        pays("max(i in claim.items: i.price) otherwise 7", "items: []"),
        "7.00"
    );
    assert_eq!(
        pays(
            "max(i in claim.items where i.sku == \"Z\": i.price) otherwise 7",
            ITEMS
        ),
        "7.00"
    );
    assert!(holds(
        "min(i in claim.items: i.price) is absent",
        "items: []"
    ));
    assert!(!holds("min(i in claim.items: i.price) is absent", ITEMS));
    assert!(holds("max(i in claim.items: i.qty) is present", ITEMS));
    // A `let` holding one narrows like a fact.
    let e = Engine::claim(
        "let cheapest = min(i in claim.items: i.price)\n\
         coverage c doc \"c\" when cheapest is present and cheapest < 2 pays cheapest",
    );
    assert_eq!(
        summary(&e.claim_decision(ITEMS)),
        ("approved".into(), "1.25".into(), vec!["c".into()])
    );
    assert_eq!(summary(&e.claim_decision("")).0, "denied");
}

#[test]
fn min_and_max_of_dates_datetimes_and_durations() {
    let fields = "evidence:\n  - { kind: photo, sides: 2 }\n  - { kind: video, sides: 5 }";
    assert!(holds(
        "(max(e in claim.evidence: e.sides otherwise 0) otherwise 0) == 5",
        fields
    ));
    assert_eq!(
        shows(
            "min(i in claim.items: claim.filed_at + i.qty * 1 days) otherwise claim.filed_at",
            ITEMS
        ),
        "2025-07-11T09:30:00Z"
    );
    assert_eq!(
        shows(
            "max(i in claim.items: date(claim.filed_at) + i.qty * 1 days) otherwise 2025-01-01",
            ITEMS
        ),
        "2025-07-12"
    );
    assert_eq!(
        shows(
            "max(i in claim.items: i.qty * 1 hours) otherwise 0 hours",
            ITEMS
        ),
        "2 hours"
    );
}

#[test]
fn min_and_max_used_bare_say_they_may_be_absent() {
    let (at, under, help) = when_error("min(i in claim.items: i.price) > 5");
    assert_eq!(
        at,
        format!(
            "{} `min` has no value when `claim.items` is empty",
            when_at(0)
        )
    );
    assert_eq!(under, "min(i in claim.items: i.price)");
    assert_eq!(
        help,
        "say what it is then: `min(i in claim.items: i.price) otherwise VALUE`, \
         or name it with `let` and check `NAME is present` first"
    );
    let (at, under, _) =
        rules_error("coverage c doc \"c\" pays max(i in claim.items where i.qty > 1: i.price)");
    assert_eq!(
        at,
        format!(
            "{RULES_LINE}:25 `max` has no value when `claim.items` is empty or `where` keeps no element"
        )
    );
    assert_eq!(under, "max(i in claim.items where i.qty > 1: i.price)");
    let (at, _, _) = rules_error("note n doc \"n\" shows min(i in claim.items: i.qty)");
    assert_eq!(
        at,
        format!("{RULES_LINE}:22 `min` has no value when `claim.items` is empty")
    );
}

#[test]
fn min_and_max_take_an_ordered_value() {
    let (at, under, help) = when_error("(min(i in claim.items: i.sku) otherwise \"\") == \"A\"");
    assert_eq!(
        at,
        format!(
            "{} `min` picks among numbers, money, dates, datetimes or durations, but this is string",
            when_at(23)
        )
    );
    assert_eq!(under, "i.sku");
    assert_eq!(
        help,
        "write a value that orders after `:`, such as `min(i in order.items: i.unit_price)`"
    );
    let (at, _, help) = when_error("(max(i in claim.items where i.qty > 1) otherwise 0) > 1");
    assert_eq!(at, format!("{} `max` needs a value after `:`", when_at(1)));
    assert_eq!(help, "write `max(x in list: expression)`");
    // The value must be present for every element.
    let (at, _, _) = when_error("(max(e in claim.evidence: e.sides) otherwise 0) > 1");
    assert_eq!(at, format!("{} `e.sides` may be absent", when_at(26)));
    // Two-argument `min` and `max` are calls as before.
    assert!(holds(
        "min(claim.count, 2) == 2 and max(claim.count, 2) == 3",
        ""
    ));
}

#[test]
fn min_and_max_print_parse_back_and_lay_out() {
    let printed = round_trips(
        "coverage c doc \"c\" pays min(i in claim.items where (i.qty > 1): (i.price)) otherwise 0",
    );
    assert_eq!(
        line_of(&printed, "pays"),
        "  pays min(i in claim.items where i.qty > 1: i.price) otherwise 0"
    );
    let printed = round_trips("note n doc \"n\" shows max(i in claim.items: i.qty) otherwise 0");
    assert_eq!(
        line_of(&printed, "shows"),
        "  shows max(i in claim.items: i.qty) otherwise 0"
    );
}

#[test]
fn the_trace_shows_what_min_reads() {
    let e = Engine::claim(
        "let cheapest = min(i in claim.items: i.price)\n\
         exclusion x doc \"x\" when (cheapest otherwise 0) > 5",
    );
    let (_, t) = e.explain(&claim(ITEMS));
    let v = serde_json::to_value(&t).unwrap();
    let x = &v["rules"][0];
    assert_eq!(x["rule"], "x");
    assert_eq!(x["condition"]["value"], "false");
    assert_eq!(x["condition"]["reads"][0]["name"], "cheapest");
    assert_eq!(x["condition"]["reads"][0]["value"], "1.25");
    let (_, t) = e.explain(&claim(""));
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(
        v["rules"][0]["condition"]["reads"][0]["value"],
        serde_json::Value::Null
    );
}

// ---- the one element that matches -------------------------------------------------

#[test]
fn the_selects_the_one_element_that_matches() {
    assert_eq!(
        pays("(the i in claim.items where i.sku == \"B\").price", ITEMS),
        "5.50"
    );
    assert_eq!(
        pays(
            "(the i in claim.items where i.sku == \"A\" and i.qty == 2).price * (the i in claim.items where i.sku == \"B\").qty",
            ITEMS
        ),
        "10.00"
    );
    assert!(holds(
        "(the i in claim.items where i.price < 2).qty == 1",
        ITEMS
    ));
    // A selection as a whole, and over a list of values.
    let e = Engine::new(
        "  tags: list of string\n  codes: list of record { code: string item: record { sku: string } }",
        "note n doc \"n\" shows the t in tags where t != \"a\"\n\
         note m doc \"m\" shows ((the c in codes where c.code == \"x\").item).sku",
    );
    let d =
        e.decide("tags: [a, b]\ncodes: [{code: x, item: {sku: S-1}}, {code: y, item: {sku: S-2}}]");
    assert_eq!(d.notes.get("n"), Some("b"));
    assert_eq!(d.notes.get("m"), Some("S-1"));
}

#[test]
fn the_fails_when_none_or_several_match() {
    let rules = "coverage c doc \"c\" pays (the i in claim.items where i.sku == \"A\").price";
    let e = Engine::claim(rules);
    let (message, at) = e.failed_rule(&claim(ITEMS));
    assert_eq!(
        message,
        "rule `c` failed: `the` needs exactly one element that matches, but 2 match"
    );
    assert_eq!(at.as_deref(), Some(format!("{RULES_LINE}:25").as_str()));
    let (message, _) = e.failed_rule(&claim("items: []"));
    assert_eq!(
        message,
        "rule `c` failed: `the` needs exactly one element that matches, but none matches"
    );
    let (message, _) = e.failed_rule(&claim(""));
    assert_eq!(
        message,
        "rule `c` failed: `the` needs exactly one element that matches, but none matches"
    );
}

#[test]
fn the_is_checked_like_an_aggregate() {
    let (at, under, help) = when_error("(the i in claim.items where i.sku == \"A\").skus == \"A\"");
    assert_eq!(
        at,
        format!(
            "{} unknown fact `(the i in claim.items where i.sku == \"A\").skus`",
            when_at(42)
        )
    );
    assert_eq!(under, "skus");
    assert_eq!(
        help,
        "did you mean `(the i in claim.items where i.sku == \"A\").sku`?"
    );
    let (at, _, _) = when_error("(the i in claim.items where i.qty).qty > 1");
    assert_eq!(
        at,
        format!("{} expected a bool, but this is integer", when_at(28))
    );
    let (at, _, help) = when_error("(the i in claim.amount where true).qty > 1");
    assert_eq!(
        at,
        format!("{} `claim.amount` is money, not a list", when_at(10))
    );
    assert_eq!(
        help,
        "`the` picks from a list, such as `the i in order.items where i.sku == \"A\"`"
    );
    let (at, under, _) = when_error("(claim.count).qty > 1");
    assert_eq!(
        at,
        format!(
            "{} `(claim.count)` is integer; it has no fields",
            when_at(14)
        )
    );
    assert_eq!(under, "qty");
}

/// `let pick(s) = the i in claim.items where i.sku == s`: a function whose result is an item.
const PICK: &str = "let pick(s) = the i in claim.items where i.sku == s\n";

#[test]
fn the_fields_of_a_call_result_follow_the_call() {
    let e = Engine::claim(&format!(
        "{PICK}coverage c doc \"c\" when pick(\"B\").qty == 1 pays pick(\"B\").price * 2"
    ));
    let d = e.claim_decision(
        "items:\n  - { sku: A, qty: 2, price: \"10.00\" }\n  - { sku: B, qty: 1, price: \"5.50\" }",
    );
    assert_eq!(payout(&d), "11.00");
    // As with `the` alone, no match (or several) fails the rule.
    let (message, _) = e.failed_rule(&claim("items: []"));
    assert_eq!(
        message,
        "rule `c` failed: `the` needs exactly one element that matches, but none matches"
    );
    // Printed without brackets, which a call's result does not need.
    let printed = round_trips(&format!(
        "{PICK}coverage c doc \"c\" pays pick(\"B\").price + (pick(\"A\")).price"
    ));
    assert_eq!(
        line_of(&printed, "pays"),
        "  pays pick(\"B\").price + pick(\"A\").price"
    );
}

#[test]
fn a_field_the_call_result_lacks_is_a_check_error() {
    let (at, under, help) = rules_error(&format!(
        "{PICK}coverage c doc \"c\" pays pick(\"B\").prise"
    ));
    assert_eq!(
        at,
        format!("{}:35 unknown fact `pick(\"B\").prise`", RULES_LINE + 1)
    );
    assert_eq!(under, "prise");
    assert_eq!(help, "did you mean `pick(\"B\").price`?");
    let (at, under, _) = when_error("max(claim.count, 2).qty > 1");
    assert_eq!(
        at,
        format!(
            "{} `max(claim.count, 2)` is integer; it has no fields",
            when_at(20)
        )
    );
    assert_eq!(under, "qty");
}

#[test]
fn the_trace_shows_the_list_a_selection_reads() {
    let e = Engine::claim(
        "exclusion x doc \"x\" when (the i in claim.items where i.sku == \"B\").qty > 1",
    );
    let (d, t) = e.explain(&claim(ITEMS));
    assert_eq!(summary(&d).2, ["not_covered"]);
    let v = serde_json::to_value(&t).unwrap();
    let x = &v["rules"][0];
    assert_eq!(x["rule"], "x");
    assert_eq!(x["held"], "false");
    assert_eq!(
        x["condition"]["text"],
        "(the i in claim.items where i.sku == \"B\").qty > 1"
    );
    assert_eq!(x["condition"]["reads"][0]["name"], "claim.items");
    assert_eq!(
        x["condition"]["reads"][0]["source"],
        format!("test.proviso:{RULES_LINE}:36")
    );
    // A selection that fails is traced as failed.
    let (d, t) = e.explain(&claim(""));
    assert_eq!(d.decision.as_str(), "referred");
    let v = serde_json::to_value(&t).unwrap();
    assert_eq!(v["rules"][0]["held"], "failed");
}

#[test]
fn the_prints_parses_back_and_lays_out() {
    let printed = round_trips(
        "coverage c doc \"c\" pays (the i in claim.items where (i.sku == \"A\")).price * 2",
    );
    assert_eq!(
        line_of(&printed, "pays"),
        "  pays (the i in claim.items where i.sku == \"A\").price * 2"
    );
    let printed = round_trips(
        "note n doc \"n\" shows ((the i in claim.items where i.sku == \"A\").qty + 1) * 2",
    );
    assert_eq!(
        line_of(&printed, "shows"),
        "  shows ((the i in claim.items where i.sku == \"A\").qty + 1) * 2"
    );
    let printed = round_trips(
        "let chosen = the i in claim.items where (i.sku == \"A\" and i.qty > 1)\n\
         note n doc \"n\" shows chosen.sku",
    );
    assert_eq!(
        line_of(&printed, "let chosen"),
        "let chosen = the i in claim.items where i.sku == \"A\" and i.qty > 1"
    );
    // A `let` holding a record is read field by field.
    let e = Engine::claim(
        "let chosen = the i in claim.items where i.qty == 2\n\
         note n doc \"n\" shows chosen.sku",
    );
    assert_eq!(e.claim_decision(ITEMS).notes.get("n"), Some("A"));
}

// ---- membership in a list the document holds ------------------------------------------

/// Facts with lists of values, on lines 7 to 13 (rules start on line 15).
const LISTS: &str = "  tags: list of string
  kinds: optional list of enum { lost, damaged }
  amounts: list of money
  counts: list of integer
  days: list of date
  kind: enum { lost, damaged }
  items: list of record { sku: string }";

/// Whether `exclusion x when <expr>` holds for the document `doc` over [`LISTS`].
fn list_holds(expr: &str, doc: &str) -> bool {
    let e = Engine::new(LISTS, &format!("exclusion x doc \"x\" when {expr}"));
    let base = "tags: [gift, fragile]\namounts: [\"10.00\", \"2.50\"]\ncounts: [1, 3]\n\
                days: [2025-03-01]\nkind: lost\nitems: []\n";
    let d = e.decide(&format!("{base}{doc}"));
    summary(&d).2 == ["x"]
}

/// The one error of `exclusion x when <expr>` over [`LISTS`]: `line:col message`, help.
fn list_error(expr: &str) -> (String, String) {
    let text = policy(LISTS, &format!("exclusion x doc \"x\" when {expr}"));
    let errs = minimal::policy_errors(&text);
    let shown: Vec<String> = errs.iter().map(minimal::located).collect();
    assert_eq!(errs.len(), 1, "{shown:?}");
    (shown[0].clone(), errs[0].help.clone().unwrap_or_default())
}

#[test]
fn in_tests_membership_in_a_list_fact() {
    assert!(list_holds("\"gift\" in tags", ""));
    assert!(!list_holds("\"gif\" in tags", ""));
    assert!(list_holds("\"gif\" not in tags", ""));
    assert!(!list_holds("\"gift\" not in tags", ""));
    // Literal amounts adapt to money; numbers compare exactly.
    assert!(list_holds(
        "2.5 in amounts and 10 in amounts and 3 in counts",
        ""
    ));
    assert!(!list_holds("2.51 in amounts", ""));
    assert!(list_holds("2025-03-01 in days", ""));
    // Enumerations: a string naming a value.
    assert!(list_holds("\"damaged\" in kinds", "kinds: [damaged, lost]"));
    assert!(!list_holds("\"lost\" in kinds", "kinds: [damaged]"));
    // An absent list holds nothing.
    assert!(!list_holds("\"lost\" in kinds", ""));
    assert!(list_holds("\"lost\" not in kinds", ""));
    // A constant list is still read as written.
    let e = Engine::new(
        LISTS,
        "const wanted = [\"gift\", \"wrap\"]\nexclusion x doc \"x\" when \"wrap\" in wanted",
    );
    let d = e.decide("tags: []\namounts: []\ncounts: []\ndays: []\nkind: lost\nitems: []");
    assert_eq!(summary(&d).2, ["x"]);
}

#[test]
fn in_a_list_fact_is_checked() {
    let (at, help) = list_error("1 in tags");
    assert_eq!(at, "15:26 `1` is integer, but `tags` holds string");
    assert_eq!(
        help,
        "`in` compares a value with values of its own type: test string against `tags`"
    );
    let (at, _) = list_error("kind not in tags");
    assert_eq!(at, "15:26 `kind` is `kind` (enum), but `tags` holds string");
    // Each enumeration is its own type.
    let (at, _) = list_error("kind in kinds");
    assert_eq!(
        at,
        "15:26 `kind` is `kind` (enum), but `kinds` holds `kinds[]` (enum)"
    );
    let (at, help) = list_error("\"a\" in items");
    assert_eq!(
        at,
        "15:33 `in` tests a value against a list of values, but `items` holds records"
    );
    assert_eq!(help, "test its elements with `any(x in items: ...)`");
    let (at, help) = list_error("\"a\" in kind");
    assert_eq!(at, "15:33 `kind` is `kind` (enum), not a list");
    assert_eq!(
        help,
        "`in` takes a list: write `in [\"a\", \"b\"]`, name a `const` list or a list fact"
    );
    let (at, help) = list_error("\"wrong\" in kinds");
    assert_eq!(at, "15:26 \"wrong\" is not a value of `kinds[]`");
    assert_eq!(help, "`kinds[]` is one of: lost, damaged");
    let (at, _) = list_error("(claim_amount otherwise 0) in counts");
    assert_eq!(at, "15:27 unknown name `claim_amount`");
}

#[test]
fn in_a_list_fact_prints_and_lays_out() {
    let text = policy(
        LISTS,
        "exclusion x doc \"x\" when \"lost\" in kinds and \"a\" not in tags",
    );
    let parsed =
        proviso::internals::parse::parse_file(&Source::new("a.proviso", text.as_str())).unwrap();
    let printed = proviso::internals::print::policy(&parsed);
    assert_eq!(
        line_of(&printed, "when"),
        "  when \"lost\" in kinds and \"a\" not in tags"
    );
}

// ---- calendar months and years ----------------------------------------------------

/// The deadline `by <expr>` for a claim with `fields`.
fn by(expr: &str, fields: &str) -> String {
    let e = Engine::claim(&format!("deadline d doc \"d\" by {expr}"));
    let d = e.claim_decision(fields);
    d.deadlines
        .get("d")
        .map(str::to_string)
        .unwrap_or_else(|| panic!("no deadline in {d:?}"))
}

#[test]
fn months_and_years_move_dates_by_the_calendar() {
    let on = |day: &str, expr: &str| {
        by(
            &format!("(claim.day otherwise 2000-01-01) + {expr}"),
            &format!("day: {day}"),
        )
    };
    assert_eq!(on("2025-01-15", "1 month"), "2025-02-15");
    assert_eq!(on("2025-01-15", "12 months"), "2026-01-15");
    assert_eq!(on("2025-01-15", "2 years"), "2027-01-15");
    // The end-of-month rule: a day the month does not have is its last day.
    assert_eq!(on("2025-01-31", "1 month"), "2025-02-28");
    assert_eq!(on("2024-01-31", "1 month"), "2024-02-29");
    assert_eq!(on("2024-02-29", "1 year"), "2025-02-28");
    assert_eq!(on("2024-02-29", "4 years"), "2028-02-29");
    assert_eq!(on("2025-03-31", "-1 month"), "2025-02-28");
    assert_eq!(on("2025-08-31", "1 month + 1 month"), "2025-10-30");
    assert_eq!(on("2025-08-31", "2 * 1 months"), "2025-10-31");
    assert_eq!(
        by(
            "(claim.day otherwise 2000-01-01) - 1 month",
            "day: 2024-03-31"
        ),
        "2024-02-29"
    );
    assert_eq!(
        by(
            "(claim.day otherwise 2000-01-01) - 1 year",
            "day: 2025-01-31"
        ),
        "2024-01-31"
    );
    assert_eq!(
        by(
            "6 months + (claim.day otherwise 2000-01-01)",
            "day: 2025-08-31"
        ),
        "2026-02-28"
    );
    // Instants keep their time of day (in UTC).
    assert_eq!(
        by("claim.filed_at + 1 month", "filed_at: 2025-01-31T23:15:00Z"),
        "2025-02-28T23:15:00Z"
    );
    assert_eq!(
        by(
            "claim.filed_at - 1 year",
            "filed_at: 2024-02-29T08:00:00+02:00"
        ),
        "2023-02-28T06:00:00Z"
    );
    // Compared as dates.
    assert!(holds(
        "claim.day is present and date(claim.filed_at) <= claim.day + 12 months",
        "day: 2024-07-10"
    ));
    assert!(!holds(
        "claim.day is present and date(claim.filed_at) <= claim.day + 12 months",
        "day: 2024-07-09"
    ));
    assert!(holds("12 months == 1 year and 13 months > 1 year", ""));
    assert_eq!(shows("1 year", ""), "12 months");
    assert_eq!(shows("1 month", ""), "1 month");
}

#[test]
fn a_date_moved_beyond_9999_is_an_evaluation_error() {
    let e = Engine::claim("deadline d doc \"d\" by claim.day otherwise 2025-01-01 + 9000 years");
    let (message, at) = e.failed_rule(&claim("day: 2025-01-01"));
    assert_eq!(
        message,
        "rule `d` failed: the date falls outside the years 0001 to 9999"
    );
    assert_eq!(at.as_deref(), Some("30:23"));
}

#[test]
fn months_do_not_mix_with_durations() {
    let (at, under, help) = when_error("claim.filed_at - claim.filed_at <= 12 months");
    assert_eq!(
        at,
        format!(
            "{} `12 months` is in calendar months, which have no fixed length, so it cannot be compared with a duration using `<=`",
            when_at(0)
        )
    );
    assert_eq!(under, "claim.filed_at - claim.filed_at <= 12 months");
    assert_eq!(
        help,
        "compare dates instead, moving one by the months: `claim.filed_at <= order.placed_at + 12 months`"
    );
    let (at, _, help) =
        when_error("claim.day is present and claim.day + (1 year + 30 days) > claim.day");
    assert_eq!(
        at,
        format!(
            "{} `1 year` is in calendar months, which have no fixed length, so `+` cannot combine it with a duration",
            when_at(38)
        )
    );
    assert_eq!(
        help,
        "move a date by each in turn: `order.placed_at + 12 months + 30 days`"
    );
    let (at, _, _) = when_error("30 days - 1 month > 1 day");
    assert!(
        at.ends_with("so `-` cannot combine it with a duration"),
        "{at}"
    );
    let (at, _, _) = when_error("claim.count + 1 month > 1");
    assert_eq!(
        at,
        format!(
            "{} cannot apply `+` to integer and calendar months",
            when_at(0)
        )
    );
    let (at, _, help) = rules_error("const forever = 10000 years");
    assert_eq!(at, format!("{RULES_LINE}:17 calendar period is too long"));
    assert_eq!(help, "at most 9999 years");
    let (at, _, help) = rules_error("const half = 1.5 months");
    assert_eq!(
        at,
        format!("{RULES_LINE}:14 a calendar period is a whole number of months or years")
    );
    assert_eq!(help, "write months for part of a year");
}

#[test]
fn months_and_years_print_parse_back_and_lay_out() {
    let printed = round_trips(
        "const warranty = 1 year\n\
         deadline d doc \"d\" by claim.filed_at + warranty + 1 month - 2 months",
    );
    assert_eq!(
        line_of(&printed, "const warranty"),
        "const warranty = 1 year"
    );
    assert_eq!(
        line_of(&printed, "by "),
        "  by claim.filed_at + warranty + 1 month - 2 months"
    );
    let e = Engine::claim(
        "const warranty = 2 years\ndeadline d doc \"d\" by claim.filed_at + warranty",
    );
    assert_eq!(
        e.claim_decision("").deadlines.get("d"),
        Some("2027-07-10T09:30:00Z")
    );
}

// ---- string functions -----------------------------------------------------------

#[test]
fn string_functions() {
    let note = |text: &str| format!("note: \"{text}\"");
    let when_note = |cond: &str| format!("claim.note is present and {cond}");
    assert!(holds(
        &when_note("lower(claim.note) == \"gift wrap\""),
        &note("Gift WRAP")
    ));
    assert!(holds(
        &when_note("upper(claim.note) == \"GIFT WRAP\""),
        &note("Gift wrap")
    ));
    assert!(holds(
        &when_note("trim(claim.note) == \"gift\""),
        &note("  gift\\t\\n")
    ));
    assert!(holds(
        &when_note("contains(claim.note, \"wrap\")"),
        &note("gift wrap")
    ));
    assert!(!holds(
        &when_note("contains(claim.note, \"Wrap\")"),
        &note("gift wrap")
    ));
    assert!(holds(
        &when_note("contains(lower(claim.note), lower(\"WRAP\"))"),
        &note("Gift Wrap")
    ));
    assert!(holds(
        &when_note("starts_with(claim.note, \"gi\")"),
        &note("gift")
    ));
    assert!(!holds(
        &when_note("starts_with(claim.note, \"if\")"),
        &note("gift")
    ));
    assert!(holds(
        &when_note("ends_with(claim.note, \"ft\")"),
        &note("gift")
    ));
    assert!(!holds(
        &when_note("ends_with(claim.note, \"gi\")"),
        &note("gift")
    ));
    // Unicode letters change case; the empty string is in every string.
    assert!(holds(
        &when_note("upper(claim.note) == \"ÉTÉ\""),
        &note("été")
    ));
    assert!(holds(&when_note("contains(claim.note, \"\")"), &note("")));
    assert_eq!(shows("upper(claim.id)", "id: c-9"), "C-9");
    assert!(holds("starts_with(claim.id, \"C-\")", ""));
}

#[test]
fn string_functions_are_checked() {
    let (at, under, help) = when_error("lower(claim.id, \"x\") == \"c\"");
    assert_eq!(at, format!("{} `lower` takes one argument", when_at(0)));
    assert_eq!(under, "lower(claim.id, \"x\")");
    assert_eq!(help, "write `lower(order.note)`");
    let (at, _, help) = when_error("contains(claim.id)");
    assert_eq!(at, format!("{} `contains` takes two arguments", when_at(0)));
    assert_eq!(
        help,
        "write `contains(text, part)`, such as `contains(order.note, \"gift\")`"
    );
    let (at, _, help) = when_error("starts_with(claim.count, \"1\")");
    assert_eq!(
        at,
        format!(
            "{} `starts_with` takes (string, string), but was given (integer, string)",
            when_at(0)
        )
    );
    assert_eq!(
        help,
        "these functions read text: pass `string` facts or quoted strings"
    );
    let (at, _, help) = when_error("upper(claim.type) == \"LOST\"");
    assert_eq!(
        at,
        format!(
            "{} `upper` takes (string), but was given (`claim.type` (enum))",
            when_at(0)
        )
    );
    assert_eq!(
        help,
        "a value of an enumeration is not text: compare it with `==` or `in`"
    );
    let (at, _, _) = when_error("trim(claim.note) == \"\"");
    assert_eq!(at, format!("{} `claim.note` may be absent", when_at(5)));
    let (at, _, _) = when_error("ends_with(claim.id, \"x\") + 1 > 0");
    assert!(at.contains("cannot apply `+` to bool and integer"), "{at}");
    let (at, _, help) = when_error("lowr(claim.id) == \"c\"");
    assert_eq!(at, format!("{} unknown function `lowr`", when_at(0)));
    assert_eq!(help, "did you mean `lower`?");
    let (_, _, help) = when_error("lowercase(claim.id) == \"c\"");
    assert_eq!(
        help,
        "the functions are: min, max, round, abs, days_between, date, add_business_days, \
         lower, upper, trim, contains, starts_with, ends_with"
    );
    // A table cannot take a function's name.
    let (at, _, help) = rules_error("table trim(v) doc \"t\" up to 1: 1 over 1: 2");
    assert_eq!(at, format!("{RULES_LINE}:7 `trim` is already a function"));
    assert_eq!(help, "rename the table");
}

#[test]
fn string_functions_print_and_lay_out() {
    let printed = round_trips(
        "exclusion x doc \"x\" when contains(lower(trim(claim.id)), \"c\") and ends_with(upper(claim.id), \"1\")",
    );
    assert_eq!(
        line_of(&printed, "when"),
        "  when contains(lower(trim(claim.id)), \"c\") and ends_with(upper(claim.id), \"1\")"
    );
}

// ---- version dates given as instants --------------------------------------------

#[test]
fn a_version_date_declared_as_a_datetime_picks_the_version_by_its_utc_date() {
    use proviso::{Document, PolicySet};
    let version = |label: &str, effective: &str, until: &str, pays: &str| {
        format!(
            "policy \"test/instants\"\nversion \"{label}\"\neffective {effective}\n{until}\
             currency USD from order.currency\ndoc \"Versions picked by instants.\"\n\
             facts {{\n  order: record {{\n    currency: string\n    placed_at: datetime\n  }}\n  \
             protection: optional record {{ purchased_at: datetime }}\n}}\n\
             coverage c doc \"c\" pays {pays}\n\
             fallback f doc \"f\"\n"
        )
    };
    let set = PolicySet::from_sources(vec![
        Source::new(
            "a.proviso",
            version("2025-01-01", "2025-01-01", "until 2025-06-30\n", "10").as_str(),
        ),
        Source::new(
            "b.proviso",
            version("2025-07-01", "2025-07-01", "", "20").as_str(),
        ),
    ])
    .unwrap_or_else(|e| panic!("{:?}", e.errors));
    let decide = |doc: &str| {
        let text = format!("policy: test/instants\n{doc}");
        set.evaluate(&Document::yaml("doc.yaml", &text))
            .unwrap_or_else(|e| panic!("not decided: {e}"))
    };
    // 2025-07-01T01:30:00+02:00 is June 30 in UTC: the first version.
    let d = decide("order: {currency: USD, placed_at: \"2025-07-01T01:30:00+02:00\"}");
    assert_eq!(d.decision.as_str(), "approved");
    assert_eq!(payout(&d), "10.00");
    assert_eq!(d.policy.version.as_ref(), "2025-01-01");
    assert_eq!(
        d.policy.in_force_on.map(|x| x.to_string()).as_deref(),
        Some("2025-06-30")
    );
    assert_eq!(d.policy.date_from.as_deref(), Some("order.placed_at"));
    let d = decide("order: {currency: USD, placed_at: 2025-07-01T00:00:00Z}");
    assert_eq!(payout(&d), "20.00");
    assert_eq!(
        d.policy.in_force_on.map(|x| x.to_string()).as_deref(),
        Some("2025-07-01")
    );
    // `protection.purchased_at` comes first.
    let d = decide(
        "order: {currency: USD, placed_at: 2025-07-02T00:00:00Z}\n\
         protection: {purchased_at: 2025-06-30T23:59:59Z}",
    );
    assert_eq!(payout(&d), "10.00");
    assert_eq!(
        d.policy.in_force_on.map(|x| x.to_string()).as_deref(),
        Some("2025-06-30")
    );
    assert_eq!(
        d.policy.date_from.as_deref(),
        Some("protection.purchased_at")
    );
}

#[test]
fn a_version_date_that_is_neither_a_date_nor_an_instant_says_both_would_do() {
    use proviso::{Document, PolicySet};
    let text = "policy \"test/instants\"\nversion \"1\"\neffective 2025-01-01\n\
                currency USD from order.currency\ndoc \"d\"\nfacts {\n  order: record {\n    \
                currency: string\n    placed_at: datetime\n  }\n}\n\
                coverage c doc \"c\" pays 10\nfallback f doc \"f\"\n";
    let set = PolicySet::from_sources(vec![Source::new("p.proviso", text)]).unwrap();
    let doc = "policy: test/instants\norder: {currency: USD, placed_at: \"2025-07-01 01:30\"}\n";
    let e = set
        .evaluate(&Document::yaml("doc.yaml", doc))
        .expect_err("decided");
    assert_eq!(
        e.to_string(),
        "order.placed_at: expected a date (YYYY-MM-DD) or an instant (RFC 3339, like \
         2025-07-10T09:30:00Z), found \"2025-07-01 01:30\""
    );
}

/// A policy whose facts are `facts`, laid out from line 7, deciding claims and cancellations.
fn version_dates_policy(facts: &str) -> String {
    format!(
        "policy \"test/dates\"\nversion \"1\"\neffective 2025-01-01\ncurrency USD\n\
         doc \"d\"\nfacts {{\n{facts}\n}}\ncoverage c doc \"c\" pays 0\n\
         refund r doc \"r\" pays 0\nfallback f doc \"f\"\n"
    )
}

#[test]
fn a_version_date_of_a_type_that_gives_no_date_is_refused_at_its_type() {
    let one = |facts: &str| minimal::one_error(&version_dates_policy(facts));
    assert_eq!(
        one("  order: record {\n    placed_at: integer\n  }"),
        (
            "8:16 `order.placed_at` picks the policy version by its date, so it is a `date` or a \
             `datetime`, not `integer`"
                .to_string(),
            "integer".to_string(),
            "write `placed_at: date` (or `placed_at: datetime`, whose UTC date picks the \
             version): with `integer`, no document that gives `order.placed_at` could be decided"
                .to_string()
        )
    );
    assert_eq!(
        one("  protection: optional record { purchased_at: optional integer }"),
        (
            "7:47 `protection.purchased_at` picks the policy version by its date, so it is a \
             `date` or a `datetime`, not `optional integer`"
                .to_string(),
            "optional integer".to_string(),
            "write `purchased_at: optional date` (or `purchased_at: optional datetime`, whose \
             UTC date picks the version): with `optional integer`, no document that gives \
             `protection.purchased_at` could be decided"
                .to_string()
        )
    );
    let (at, underlined, _) = one("  order: record { placed_at: string }");
    assert_eq!(
        (at.as_str(), underlined.as_str()),
        (
            "7:30 `order.placed_at` picks the policy version by its date, so it is a `date` or \
             a `datetime`, not `string`",
            "string"
        )
    );
    let (at, _, _) = one("  claim: optional record { id: string filed_at: optional bool }");
    assert!(at.ends_with("not `optional bool`"), "{at}");
    let (at, _, _) =
        one("  cancellation: optional record { id: string requested_at: record { d: date } }");
    assert!(
        at.starts_with("7:60 `cancellation.requested_at` picks"),
        "{at}"
    );
    assert!(at.ends_with("not `record`"), "{at}");
    // A field of that name in a list, or in another record, picks nothing.
    let ok = |facts: &str| {
        let shown = minimal::errors_of(&version_dates_policy(facts));
        assert!(shown.is_empty(), "{facts}: {shown:?}");
    };
    ok("  order: record { lines: list of record { placed_at: integer } }");
    ok("  shipment: record { placed_at: integer }");
}

#[test]
fn every_version_date_may_be_a_date_or_an_instant() {
    use proviso::{Document, PolicySet};
    let text = version_dates_policy(
        "  protection: optional record { purchased_at: optional date }\n  \
         order: optional record { placed_at: optional datetime }\n  \
         claim: optional record { id: string filed_at: date }\n  \
         cancellation: optional record { id: string requested_at: datetime }",
    );
    let set = PolicySet::from_sources(vec![Source::new("p.proviso", text.as_str())])
        .unwrap_or_else(|e| panic!("{:?}", e.errors));
    let picked = |doc: &str| {
        let text = format!("policy: test/dates\n{doc}");
        let d = set
            .evaluate(&Document::yaml("doc.yaml", &text))
            .unwrap_or_else(|e| panic!("not decided: {e}"));
        (
            d.decision.as_str().to_string(),
            d.policy
                .in_force_on
                .map(|x| x.to_string())
                .unwrap_or_default(),
            d.policy
                .date_from
                .as_deref()
                .unwrap_or_default()
                .to_string(),
        )
    };
    let p = |on: &str, from: &str| ("approved".to_string(), on.to_string(), from.to_string());
    assert_eq!(
        picked("claim: {id: A, filed_at: 2025-03-01}"),
        p("2025-03-01", "claim.filed_at")
    );
    assert_eq!(
        picked("cancellation: {id: B, requested_at: \"2025-03-02T01:00:00+02:00\"}"),
        p("2025-03-01", "cancellation.requested_at")
    );
    assert_eq!(
        picked("order: {placed_at: 2025-02-01T10:00:00Z}\nclaim: {id: A, filed_at: 2025-03-01}"),
        p("2025-02-01", "order.placed_at")
    );
}

#[test]
fn a_percentage_is_a_hundredth_and_of_takes_it_of_a_value() {
    assert_eq!(pays("80% of claim.amount", ""), "80.00");
    assert_eq!(pays("claim.amount * 2%", ""), "2.00");
    assert_eq!(pays("2.5% of claim.amount + 1", ""), "3.50");
    assert_eq!(pays("12.5% of (claim.amount + 0.10)", ""), "12.51");
    assert!(holds("2% == 0.02", ""));
    assert!(holds("-2% == -0.02", ""));
    assert!(holds("100% of claim.amount == claim.amount", ""));
}

#[test]
fn percent_after_something_other_than_a_number_is_a_parse_error_with_a_hint() {
    assert_eq!(
        rules_error("coverage c doc \"c\" pays claim.amount%"),
        (
            format!("{RULES_LINE}:37 `%` only follows a number written out, like `2%`"),
            "%".to_string(),
            "to take a percentage of a value, write `N% of VALUE`, like `80% of claim.repair_cost`"
                .to_string()
        )
    );
}

#[test]
fn percentages_print_and_read_back_the_same() {
    round_trips("coverage c doc \"c\" pays 80% of claim.amount + 2% * claim.amount - -1.5%");
    round_trips("coverage c doc \"c\" pays 2% of (claim.fee otherwise 0) + 3% of claim.amount");
}

#[test]
fn a_constant_written_as_a_percentage_is_quoted_as_written() {
    let e = Engine::claim(
        "const rate = 2%\ncoverage c doc \"pays {rate} of the amount\" pays rate * claim.amount",
    );
    let d = e.claim_decision("");
    assert_eq!(payout(&d), "2.00");
    assert_eq!(d.reasons[0].text.to_string(), "pays 2% of the amount");
}

#[test]
fn the_default_after_otherwise_may_be_negated() {
    // `otherwise` binds to one operand, which may carry a sign: `x otherwise -1` is
    // `x otherwise (-1)`, not a syntax error, and binds tighter than `*` and `+`.
    assert!(holds("(claim.fee otherwise -1) < 0", ""));
    assert!(!holds("(claim.fee otherwise -1) < 0", "fee: \"2.00\""));
    assert_eq!(pays("claim.fee otherwise -1 * -50", ""), "50.00");
    assert_eq!(
        pays("claim.amount + claim.fee otherwise -claim.amount", ""),
        "0.00"
    );
    assert_eq!(
        pays("claim.amount + claim.fee otherwise --2", "amount: 3"),
        "5.00"
    );
}
