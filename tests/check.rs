//! The checker: names, types, presence narrowing, money rules and rule shapes, each error at its span.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{located, policy, policy_errors, underlined, FALLBACK_TEXT};
use proviso::PolicyError;

/// Facts on lines 7 to 19; rules start on line 21.
const FACTS: &str = "  fee: optional money
  amount: money
  n: integer
  rate: decimal
  kind: enum { lost, damaged, stolen }
  t: optional enum { a, b }
  p: optional record { id: string n: optional integer }
  day: date
  filed: datetime
  flag: bool
  note: optional string
  items: list of record { sku: string qty: integer price: money }
  evidence: optional list of record { kind: string sides: optional integer }";

/// A `when` expression starts at this column of line 21.
const WHEN: &str = "exclusion x doc \"x\" when ";

fn all(rules: &str) -> Vec<PolicyError> {
    policy_errors(&policy(FACTS, rules))
}

fn accepted(rules: &str) {
    let shown: Vec<String> = all(rules).iter().map(located).collect();
    assert!(shown.is_empty(), "rejected: {shown:?}\n{rules}");
}

fn rejected(rules: &str) -> PolicyError {
    let errors = all(rules);
    let shown: Vec<String> = errors.iter().map(located).collect();
    assert_eq!(errors.len(), 1, "{shown:?}");
    errors.into_iter().next().unwrap()
}

fn when_ok(expr: &str) {
    accepted(&format!("{WHEN}{expr}"));
}

fn when_err(expr: &str) -> PolicyError {
    rejected(&format!("{WHEN}{expr}"))
}

fn help(e: &PolicyError) -> &str {
    e.help.as_deref().unwrap_or("")
}

// ---- presence ----------------------------------------------------------------

#[test]
fn a_presence_check_narrows_the_rest_of_an_and() {
    when_ok("fee is present and fee > 0");
    when_ok("fee is absent or fee > 0");
    when_ok("not (fee is absent) and fee > 0");
    when_ok("if fee is present then fee > 0 else false");
    when_ok("if fee is absent then false else fee > 0");
}

#[test]
fn an_optional_fact_used_unchecked_is_rejected_at_its_span() {
    let e = when_err("fee > 0");
    assert_eq!(located(&e), "21:26 `fee` may be absent");
    assert_eq!(underlined(&e), "fee");
    assert_eq!(
        help(&e),
        "check `fee is present` first, or write `fee otherwise VALUE`"
    );
}

#[test]
fn presence_under_or_does_not_narrow() {
    let e = when_err("(fee is present or flag) and fee > 0");
    assert_eq!(located(&e), "21:55 `fee` may be absent");
    let e = when_err("fee is present or fee > 0");
    assert_eq!(located(&e), "21:44 `fee` may be absent");
}

#[test]
fn a_when_clause_narrows_its_rule_but_not_the_next() {
    accepted("coverage c doc \"c\" when fee is present pays fee");
    let e = rejected(
        "coverage c doc \"c\" when fee is present pays fee\nexclusion x doc \"x\" when fee > 1",
    );
    assert_eq!(located(&e), "22:26 `fee` may be absent");
    let e = rejected("coverage c doc \"c\" pays fee");
    assert_eq!(
        located(&e),
        "21:25 expected money, but this is optional money"
    );
    assert_eq!(
        help(&e),
        "write `... otherwise 0` to say what an absent amount means"
    );
}

#[test]
fn a_present_record_has_its_required_fields() {
    when_ok("p is present and p.id == \"x\"");
    let e = when_err("p.id == \"x\"");
    assert_eq!(located(&e), "21:26 `p.id` may be absent");
    let e = when_err("p is present and p.n == 1");
    assert_eq!(located(&e), "21:43 `p.n` may be absent");
}

#[test]
fn an_aggregate_filter_narrows_its_body() {
    when_ok("sum(e in evidence where e.sides is present: e.sides) > 0");
    let e = when_err("sum(e in evidence: e.sides) > 0");
    assert_eq!(located(&e), "21:45 `e.sides` may be absent");
}

#[test]
fn is_present_on_a_required_fact_is_rejected() {
    let e = when_err("amount is present");
    assert_eq!(
        located(&e),
        "21:26 `amount` is never absent, so `is present` is always true"
    );
}

// ---- otherwise -------------------------------------------------------------

#[test]
fn otherwise_gives_an_absent_value_a_fallback() {
    when_ok("(fee otherwise 0) > 0");
    when_ok("(note otherwise \"none\") == \"x\"");
    let e = when_err("(amount otherwise 0) > 0");
    assert_eq!(located(&e), "21:27 `amount` is never absent here");
    assert_eq!(help(&e), "remove `otherwise ...`");
}

#[test]
fn otherwise_needs_a_fallback_of_the_same_type() {
    let e = when_err("(fee otherwise \"x\") > 0");
    assert_eq!(
        located(&e),
        "21:41 fallback is string, but the value is money"
    );
    assert_eq!(underlined(&e), "\"x\"");
    let e = when_err("(fee otherwise n) > 0");
    assert_eq!(
        located(&e),
        "21:41 fallback is integer, but the value is money"
    );
}

// ---- enumerations ----------------------------------------------------------

#[test]
fn enum_values_are_written_as_strings() {
    when_ok("kind in [\"lost\", \"stolen\"]");
    when_ok("\"damaged\" == kind or kind != \"lost\"");
    when_ok("kind not in [\"lost\"]");
}

#[test]
fn an_unknown_enum_value_is_rejected_with_a_suggestion() {
    let e = when_err("kind == \"stollen\"");
    assert_eq!(located(&e), "21:34 \"stollen\" is not a value of `kind`");
    assert_eq!(underlined(&e), "\"stollen\"");
    assert_eq!(help(&e), "did you mean \"stolen\"?");
    let e = when_err("kind in [\"lost\", \"gone\"]");
    assert_eq!(located(&e), "21:43 \"gone\" is not a value of `kind`");
    assert_eq!(help(&e), "`kind` is one of: lost, damaged, stolen");
}

#[test]
fn enum_values_have_no_order() {
    let e = when_err("kind < \"lost\"");
    assert_eq!(located(&e), "21:33 `kind` values have no order");
    assert_eq!(help(&e), "compare with `==`, `!=` or `in`");
}

#[test]
fn a_string_constant_compared_with_an_enum_is_checked() {
    accepted("const k = \"lost\"\nexclusion x doc \"x\" when kind == k");
    let e = rejected("const k = \"lots\"\nexclusion x doc \"x\" when kind == k");
    assert_eq!(located(&e), "22:34 \"lots\" is not a value of `kind`");
}

#[test]
fn enum_values_in_if_branches_and_fallbacks_are_checked() {
    when_ok("(if flag then kind else \"lost\") == \"lost\"");
    let e = when_err("(if flag then kind else \"lots\") == \"lost\"");
    assert_eq!(located(&e), "21:50 \"lots\" is not a value of `kind`");
    when_ok("(t otherwise \"a\") == \"b\"");
    let e = when_err("(t otherwise \"c\") == \"a\"");
    assert_eq!(located(&e), "21:39 \"c\" is not a value of `t`");
}

#[test]
fn an_enum_default_must_name_a_variant() {
    let errors = policy_errors(&policy(
        "  s: enum { a, b } default \"c\"",
        "exclusion x doc \"x\" when s == \"a\"",
    ));
    let shown: Vec<String> = errors.iter().map(located).collect();
    assert_eq!(shown, ["7:28 \"c\" is not a value of `s`"]);
}

// ---- money -----------------------------------------------------------------

#[test]
fn money_takes_literal_amounts_and_rates() {
    when_ok("amount + 1 > 0");
    when_ok("1.50 - amount > 0");
    when_ok("amount * rate > 0");
    when_ok("amount * n > 0");
    when_ok("n * amount / 2 > 0.5");
    when_ok("amount / amount > rate");
}

#[test]
fn money_plus_an_integer_fact_is_rejected() {
    let e = when_err("amount + n > 0");
    assert_eq!(located(&e), "21:26 cannot apply `+` to money and integer");
    assert_eq!(underlined(&e), "amount + n");
    assert_eq!(
        help(&e),
        "money adds to money; multiply a rate by money instead"
    );
    let e = when_err("amount * amount > 0");
    assert_eq!(located(&e), "21:26 cannot apply `*` to money and money");
}

#[test]
fn money_compares_with_money_or_a_literal() {
    when_ok("amount > 10 and amount <= 2.5 and amount != amount");
    let e = when_err("amount > n");
    assert_eq!(
        located(&e),
        "21:26 cannot compare money with integer using `>`"
    );
    assert_eq!(help(&e), "money compares with money or a literal amount");
}

#[test]
fn a_payout_is_money_or_a_literal_amount() {
    accepted("coverage c doc \"c\" pays 10");
    accepted("coverage c doc \"c\" pays 2.5");
    accepted("coverage c doc \"c\" pays amount * rate");
    let e = rejected("coverage c doc \"c\" pays n");
    assert_eq!(located(&e), "21:25 expected money, but this is integer");
    let e = rejected("coverage c doc \"c\" pays amount / amount");
    assert_eq!(located(&e), "21:25 expected money, but this is decimal");
}

#[test]
fn min_and_max_take_values_of_one_type() {
    accepted("coverage c doc \"c\" pays min(amount, 50)");
    accepted("coverage c doc \"c\" pays max(amount - 10, 0, amount * rate)");
    when_ok("min(day, day) == day and max(1, 2.5) > 2");
    let e = rejected("coverage c doc \"c\" pays min(amount, n)");
    assert_eq!(
        located(&e),
        "21:37 these values have different types: money and integer"
    );
    let e = when_err("min(amount) > 0");
    assert_eq!(located(&e), "21:26 `min` takes two or more arguments");
    assert_eq!(e.label, "1 given");
    let e = when_err("max(kind, kind) == \"lost\"");
    assert_eq!(
        located(&e),
        "21:26 `max` takes numbers, money, dates or durations of one type, but was given (`kind` (enum), `kind` (enum))"
    );
}

// ---- dates and durations ---------------------------------------------------

#[test]
fn dates_and_datetimes_do_not_mix() {
    when_ok("date(filed) - day > 1 day");
    when_ok("filed + 24 hours > filed and day + 2 days > day and day - 1 day < day");
    when_ok("days_between(day, date(filed)) > 3 and 2 * 30 days > 1 hour");
    let e = when_err("filed - day > 1 day");
    assert_eq!(located(&e), "21:26 cannot apply `-` to datetime and date");
    assert_eq!(help(&e), "take the date of a datetime with `date(...)`");
    let e = when_err("filed > day");
    assert_eq!(
        located(&e),
        "21:26 cannot compare datetime with date using `>`"
    );
    let e = when_err("days_between(day, filed) > 0");
    assert_eq!(
        located(&e),
        "21:26 `days_between` takes (date, date), but was given (date, datetime)"
    );
    let e = when_err("add_business_days(day, 1.5) > day");
    assert_eq!(
        located(&e),
        "21:26 `add_business_days` takes (date, integer), but was given (date, decimal)"
    );
}

// ---- names -----------------------------------------------------------------

#[test]
fn unknown_names_get_suggestions() {
    let e = when_err("amout > 0");
    assert_eq!(located(&e), "21:26 unknown name `amout`");
    assert_eq!(help(&e), "did you mean `amount`?");
    let e = when_err("p is present and p.idd == \"x\"");
    assert_eq!(located(&e), "21:45 unknown fact `p.idd`");
    assert_eq!(help(&e), "did you mean `p.id`?");
    let e = when_err("mins(1, 2) > 0");
    assert_eq!(located(&e), "21:26 unknown function `mins`");
    assert_eq!(help(&e), "did you mean `min`?");
    let e = when_err("items.sku == \"a\"");
    assert_eq!(
        located(&e),
        "21:32 `items` is a list; it has no field `sku`"
    );
}

/// A field read through a list gets help with an aggregate that fits the field's type, and
/// that holds the comparison it is read in: `sum` only for numbers and money.
#[test]
fn a_field_read_through_a_list_gets_an_aggregate_that_fits_it() {
    let history = "  earlier: optional list of decision\n  items: list of record { sku: string qty: integer price: money gift: bool }";
    let one = |rules: &str| {
        let errors = policy_errors(&policy(history, rules));
        let shown: Vec<String> = errors.iter().map(located).collect();
        assert_eq!(errors.len(), 1, "{shown:?}");
        let e = &errors[0];
        (located(e), underlined(e).to_string(), help(e).to_string())
    };
    // Line 10 holds the rules.
    assert_eq!(
        one("exclusion x doc \"x\" when any(c in earlier: c.reasons.rule == \"x\")"),
        (
            "10:54 `c.reasons` is a list; it has no field `rule`".to_string(),
            "rule".to_string(),
            "read its items with an aggregate: `any(r in c.reasons: r.rule == \"x\")` holds when \
             it holds for one of them, `all(...)` when for all"
                .to_string()
        )
    );
    let (_, _, h) =
        one("exclusion x doc \"x\" when any(c in earlier: c.reasons.rule not in [\"a\"])");
    assert_eq!(
        h,
        "read its items with an aggregate: `all(r in c.reasons: r.rule not in [\"a\"])` holds \
         when it holds for all of them, `any(...)` when for one"
    );
    let (_, _, h) = one("exclusion x doc \"x\" when 5 < items.qty");
    assert_eq!(
        h,
        "read its items with an aggregate: `5 < sum(i in items: i.qty)` compares their total; \
         `any(i in items: 5 < i.qty)` holds when it holds for one of them, `all(...)` when for all"
    );
    let (_, _, h) = one("coverage c doc \"c\" pays items.price");
    assert_eq!(
        h,
        "read its items with an aggregate: `sum(i in items: i.price)` adds them up"
    );
    let (_, _, h) = one("exclusion x doc \"x\" when items.gift");
    assert_eq!(
        h,
        "read its items with an aggregate: `any(i in items: i.gift)` holds when one of them \
         does, `all(i in items: i.gift)` when all do"
    );
    // Not a comparison: no `sum` of text.
    let (_, _, h) = one("note n doc \"n\" shows any(c in earlier: c.reasons.rule)");
    assert_eq!(
        h,
        "read its items with an aggregate: `any(r in c.reasons: r.rule == VALUE)` holds when one \
         of them is VALUE, or `the r in c.reasons where ...` picks one"
    );
    // A name already bound is not reused for the item.
    let (_, _, h) = one("exclusion x doc \"x\" when any(i in earlier: items.sku == \"x\")");
    assert!(
        h.starts_with("read its items with an aggregate: `any(x in items: x.sku == \"x\")`"),
        "{h}"
    );
}

/// `decision` is known only once the outcome is: deadlines and notes read it, a rule that
/// decides cannot.
#[test]
fn decision_is_readable_by_deadlines_and_notes_only() {
    accepted("deadline d doc \"d\" when decision == \"approved\" by day");
    accepted("note n doc \"n\" when decision != \"denied\" shows decision");
    let e = when_err("decision == \"approved\"");
    assert_eq!(
        located(&e),
        "21:26 `decision` is read only by deadlines and notes"
    );
    assert_eq!(underlined(&e), "decision");
    assert_eq!(
        help(&e),
        "the outcome and the final amounts (`decision`, `decision.payout`, `decision.refund`) \
         are decided after the other rules, so only a deadline's `when` and `by` and a note's \
         `when` and `shows` read them: move this to such a rule, or test the facts that decide \
         the outcome (an earlier claim's outcome is `c.decision`, for `c` in a `list of \
         decision` fact)"
    );
    // Nor does a value, which every rule may read.
    let e = rejected("let outcome = decision\nnote n doc \"n\" shows outcome");
    assert_eq!(
        located(&e),
        "21:15 `decision` is read only by deadlines and notes"
    );
}

#[test]
fn constants_read_no_facts_and_values_do_not_loop() {
    let e = rejected("const c = amount");
    assert_eq!(located(&e), "21:11 constant reads the fact `amount`");
    let errors = all("let a1 = a2 + 1\nlet a2 = a1 + 1");
    let shown: Vec<String> = errors.iter().map(located).collect();
    assert_eq!(shown, ["21:5 `a1` is defined in terms of itself"]);
}

/// Evaluating an expression evaluates the values it reads, so they nest as one expression:
/// two `let`s of 100 levels each are as deep as one of 200.
#[test]
fn the_values_an_expression_reads_count_towards_its_depth() {
    let deep = |name: &str, first: &str| format!("let {name} = {first}{}\n", " + 0".repeat(100));
    accepted(&format!(
        "{}coverage c doc \"c\" pays a",
        deep("a", "amount")
    ));
    let rules = format!(
        "{}{}coverage c doc \"c\" pays b",
        deep("a", "amount"),
        deep("b", "a")
    );
    let e = rejected(&rules);
    assert_eq!(
        located(&e),
        "22:9 expression is nested too deeply, counting the values it reads"
    );
    assert_eq!(
        help(&e),
        "at most 128 levels, each `let` value or table it reads counting as deep as its definition"
    );
}

// ---- aggregates ------------------------------------------------------------

#[test]
fn aggregates_check_their_parts() {
    when_ok("count(i in items where i.qty > 1) == 2 and all(i in items: i.price > 0)");
    when_ok("sum(i in items where i.sku != \"x\": i.price * i.qty) > amount");
    let e = when_err("count(i in items: i.qty) > 0");
    assert_eq!(
        located(&e),
        "21:44 `count` takes a `where` condition, not a value"
    );
    let e = when_err("sum(i in items: i.sku) > 0");
    assert_eq!(
        located(&e),
        "21:42 `sum` adds numbers or money, but this is string"
    );
    let e = when_err("any(i in items)");
    assert_eq!(located(&e), "21:26 `any` needs a value after `:`");
    let e = when_err("any(i in n: true)");
    assert_eq!(located(&e), "21:35 `n` is integer, not a list");
}

// ---- rule shapes -----------------------------------------------------------

#[test]
fn conditions_are_bools_and_deadlines_are_dates() {
    let e = when_err("amount");
    assert_eq!(
        located(&e),
        "21:26 a `when` condition must be a bool, but this is money"
    );
    let e = rejected("deadline d doc \"d\" by amount");
    assert_eq!(
        located(&e),
        "21:23 a deadline is a date or datetime, but this is money"
    );
}

#[test]
fn rules_have_the_clauses_their_kind_needs() {
    let e = rejected("coverage c doc \"c\" when flag");
    assert_eq!(located(&e), "21:10 coverage rule `c` has no `pays`");
    let e = rejected("coverage c when flag pays 1");
    assert_eq!(located(&e), "21:10 coverage rule `c` has no `doc`");
    let e = rejected("compensation k doc \"k\" cap at 1 floor at 0");
    assert_eq!(
        located(&e),
        "21:14 compensation rule `k` needs exactly one of `reduce by`, `cap at`, `floor at`, `add`"
    );
    let e = rejected("coverage c doc \"c\" pays 1 requires photos");
    assert_eq!(
        located(&e),
        "21:27 `requires` does not belong in a coverage rule"
    );
    assert_eq!(help(&e), "a coverage rule takes `doc`, `when`, `pays`");
}

#[test]
fn rule_names_are_unique_and_there_is_a_fallback() {
    let e = rejected("coverage c doc \"c\" pays 1\ncoverage c doc \"c\" pays 2");
    assert_eq!(located(&e), "22:10 rule `c` is defined twice");
    assert_eq!(
        help(&e),
        "the first is on line 21; rule names must be unique"
    );
    // Several fallbacks are allowed: the first that applies denies.
    accepted("fallback a doc \"a\" when flag\nfallback b doc \"b\"");
    let text = policy(FACTS, "coverage c doc \"c\" pays 1")
        .replace(&format!("fallback not_covered doc \"{FALLBACK_TEXT}\""), "");
    let shown: Vec<String> = policy_errors(&text).iter().map(located).collect();
    assert_eq!(shown, ["1:8 policy has no fallback rule"]);
}

#[test]
fn every_broken_rule_is_reported() {
    let errors =
        all("exclusion a doc \"a\" when fee > 0\nexclusion b doc \"b\" when kind == \"x\"");
    let shown: Vec<String> = errors.iter().map(located).collect();
    assert_eq!(
        shown,
        [
            "21:26 `fee` may be absent",
            "22:34 \"x\" is not a value of `kind`"
        ]
    );
}

// ---- evidence --------------------------------------------------------------

#[test]
fn evidence_conditions_read_the_item_fields_by_name() {
    let source = "evidence from evidence\n";
    accepted(&format!(
        "{source}evidence e doc \"e\" requires photos where sides is present and sides >= 6"
    ));
    accepted(&format!(
        "{source}evidence e doc \"e\" requires any of {{ video, photos where (sides otherwise 0) > 5, facts(fee, note) }}"
    ));
    let e = rejected(&format!(
        "{source}evidence e doc \"e\" requires photos where sides >= 6"
    ));
    assert_eq!(located(&e), "22:42 `sides` may be absent");
    let e = rejected(&format!(
        "{source}evidence e doc \"e\" requires facts(amount)"
    ));
    assert_eq!(
        located(&e),
        "22:35 `amount` is never absent, so it always satisfies this"
    );
    let e = rejected("evidence e doc \"e\" requires photos");
    assert_eq!(
        located(&e),
        "21:10 evidence rule without an evidence source"
    );
}

/// Clause text quotes constants that hold one value; a list constant is refused, by name.
#[test]
fn clause_text_cannot_quote_a_list_constant() {
    let e = rejected(
        "const kinds = [\"a\", \"b\"]\nexclusion x doc \"kinds {kinds}\" when claim.flag\n",
    );
    assert_eq!(e.message, "clause text quotes `{kinds}`, which is a list");
    assert_eq!(
        help(&e),
        "clause text can quote a constant that holds one value"
    );
}

/// Clause text quotes a literal constant as the author wrote it (`48 hours`, not `2 days`;
/// `5`, not `5.00`), and a computed one as decisions show values.
#[test]
fn clause_text_quotes_literals_as_written_and_computed_values_as_shown() {
    let rules = "const wait = 48   hours\nconst fee = 5\nconst refund = -2.50\n\
        const longer = 24 hours + 24 hours\nconst total = 2 * 5.5\n\
        exclusion x doc \"after {wait} ({longer}); a fee of ${fee}, {refund}, {total}\" \
        when claim.amount > 0\n";
    let e = minimal::Engine::claim(rules);
    let d = e.claim_decision("");
    let texts: Vec<&str> = d.reasons.iter().map(|r| r.text.as_ref()).collect();
    assert_eq!(texts, ["after 48 hours (2 days); a fee of $5, -2.50, 11"]);
}

/// A constant that names another (`const w2 = wait`) stands for the value the author wrote
/// there, and is quoted so, down a chain of them; a computed one still as decisions show it.
#[test]
fn clause_text_quotes_a_constant_naming_another_as_the_literal_it_stands_for() {
    let rules = "const wait = 48 hours\nconst w2 = wait\nconst w3 = (w2)\nconst fee = 5.0\n\
        const f2 = fee\nconst pct = 2%\nconst p2 = pct\nconst longer = 24 hours + 24 hours\n\
        const l2 = longer\nconst neg = -w2\n\
        exclusion x doc \"{w2}, {w3}, {f2}, {p2}, {l2}, {neg}\" when claim.amount > 0 and w3 > neg \
        and f2 > 0 and p2 > 0 and l2 > neg\n";
    let e = minimal::Engine::claim(rules);
    let d = e.claim_decision("");
    let texts: Vec<&str> = d.reasons.iter().map(|r| r.text.as_ref()).collect();
    assert_eq!(texts, ["48 hours, 48 hours, 5.0, 2%, 2 days, -2 days"]);
}

/// The policies the hooks fuzz target loads (with the fuzzed script as their hook) still
/// check, so that a change to the language cannot leave the fuzzing silently broken.
#[test]
fn the_fuzz_harness_policies_check() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/hooks");
    let mut checked = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "proviso") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let source =
            proviso::internals::span::Source::new(path.display().to_string(), text.as_str());
        let ast = proviso::internals::parse::parse_file(&source).unwrap();
        let c = proviso::internals::check::check(&source, &ast)
            .unwrap_or_else(|e| panic!("{}: {}", path.display(), e[0]));
        assert_eq!(c.hooks.len(), 1, "{}", path.display());
        checked.push(path.file_stem().unwrap().to_string_lossy().into_owned());
    }
    checked.sort();
    assert_eq!(checked, ["bool", "decimal", "integer", "money", "string"]);
}
