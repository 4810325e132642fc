//! Diagnostics that tell policy authors what to write (`==` for `=`, `and` for `&&`, the rule
//! kind meant, amounts without separators or currencies, durations with their unit), and
//! the keywords that may also be names (`cap`, `floor`, `by`, `from`, `default`).
#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;
mod support;

use minimal::{compile_text, errors, located, policy, policy_errors, summary, underlined, Engine};
use support::proviso;

/// The facts the hint tests read.
const FACTS: &str = "  order: record { total: money  placed_at: date }
  claim: record { type: enum { lost, damaged }  filed_at: datetime  extra: optional money }";

/// The one error of `rules` over [`FACTS`]: `line:col message`, the text underlined, the
/// label and the help.
fn hint(rules: &str) -> (String, String, String, String) {
    let text = policy(FACTS, rules);
    let errors = policy_errors(&text);
    assert_eq!(
        errors.len(),
        1,
        "{rules}: {:?}",
        errors.iter().map(located).collect::<Vec<_>>()
    );
    let e = &errors[0];
    (
        located(e),
        underlined(e).to_string(),
        e.label.clone(),
        e.help.clone().unwrap_or_default(),
    )
}

/// Asserts the hint for a `when` condition of a coverage rule (on line 12, column 6 + offset).
fn when_hint(condition: &str) -> (String, String, String, String) {
    hint(&format!(
        "coverage c\n  doc \"c\"\n  when {condition}\n  pays order.total\n"
    ))
}

#[test]
fn a_single_equals_sign_in_a_condition_asks_for_two() {
    assert_eq!(
        when_hint("claim.type = \"lost\""),
        (
            "12:19 two values are compared with `==`; a single `=` only names a value in `let` and `const`".into(),
            "=".into(),
            "write `==`".into(),
            "write `when claim.type == \"lost\"`".into()
        )
    );
    for (written, word, fixed) in [
        ("order.total => 10", "=>", "when order.total >= 10"),
        ("order.total =< 10", "=<", "when order.total <= 10"),
        ("order.total <> 10", "<>", "when order.total != 10"),
        (
            "claim.type === \"lost\"",
            "===",
            "when claim.type == \"lost\"",
        ),
    ] {
        let (_, underlined, _, help) = when_hint(written);
        assert_eq!(
            (underlined.as_str(), help),
            (word, format!("write `{fixed}`"))
        );
    }
}

#[test]
fn symbols_for_and_or_not_ask_for_the_words() {
    let cases = [
        (
            "claim.type == \"lost\" && order.total > 10",
            "12:29 conditions are joined with the word `and`, not `&&`",
            "&&",
            "write `and`",
            "write `when claim.type == \"lost\" and order.total > 10`",
        ),
        (
            "claim.type == \"lost\" & order.total > 10",
            "12:29 conditions are joined with the word `and`, not `&`",
            "&",
            "write `and`",
            "write `when claim.type == \"lost\" and order.total > 10`",
        ),
        (
            "claim.type == \"lost\" || order.total > 10",
            "12:29 alternatives are joined with the word `or`, not `||`",
            "||",
            "write `or`",
            "write `when claim.type == \"lost\" or order.total > 10`",
        ),
        (
            "!(claim.type == \"lost\")",
            "12:8 a condition is negated with the word `not`, not with `!`",
            "!",
            "write `not`",
            "write `when not (claim.type == \"lost\")`",
        ),
        (
            "!claim.extra is present",
            "12:8 a condition is negated with the word `not`, not with `!`",
            "!",
            "write `not`",
            "write `when not claim.extra is present`",
        ),
    ];
    for (condition, at, word, label, help) in cases {
        assert_eq!(
            when_hint(condition),
            (at.into(), word.into(), label.into(), help.into()),
            "{condition}"
        );
    }
}

#[test]
fn a_long_line_is_not_quoted_in_the_help() {
    let long =
        "claim.type == \"lost\" && order.total > 10 + 10 + 10 + 10 + 10 + 10 + 10 + 10 + 10 + 10";
    let (_, _, _, help) = when_hint(long);
    assert_eq!(help, "write `and`");
}

#[test]
fn a_misspelt_rule_kind_suggests_the_kind() {
    for (written, meant) in [
        ("exclude", "exclusion"),
        ("exclusions", "exclusion"),
        ("excluded", "exclusion"),
        ("cover", "coverage"),
        ("covered", "coverage"),
        ("coverge", "coverage"),
        ("refer", "referral"),
        ("refuse", "refusal"),
        ("refunds", "refund"),
        ("deduct", "deduction"),
        ("compensate", "compensation"),
        ("notes", "note"),
        ("deadlines", "deadline"),
    ] {
        let (at, underlined, label, help) = hint(&format!(
            "{written} late\n  doc \"late\"\n  when order.total > 10\n"
        ));
        assert_eq!(
            (at, underlined, label, help),
            (
                format!("10:1 `{written}` is not a kind of rule"),
                written.to_string(),
                "unknown rule kind".to_string(),
                format!("did you mean `{meant}`?")
            )
        );
    }
    let (at, _, _, help) = hint("Coverage c\n  doc \"c\"\n  pays order.total\n");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "10:1 `Coverage` is not a kind of rule",
            "keywords are written in lower case: `coverage`"
        )
    );
}

#[test]
fn an_unknown_rule_kind_lists_the_kinds() {
    let (at, _, label, help) = hint("payout c\n  doc \"c\"\n  pays order.total\n");
    assert_eq!(at, "10:1 `payout` is not a kind of rule");
    assert_eq!(label, "unknown rule kind");
    assert_eq!(
        help,
        "a rule starts with its kind: `coverage`, `exclusion`, `referral`, `evidence`, \
         `supporting`, `compensation`, `deadline`, `priority`, `note`, `appeal`, `refusal`, \
         `refund`, `deduction` or `fallback`"
    );
}

#[test]
fn a_misspelt_clause_or_unit_suggests_the_word() {
    let (at, _, label, help) = hint("coverage c\n  doc \"c\"\n  pay order.total\n");
    assert_eq!(
        (at.as_str(), label.as_str(), help.as_str()),
        (
            "12:3 `pay` is not a clause of a rule",
            "unknown clause",
            "did you mean `pays`?"
        )
    );
    let (at, _, _, help) = when_hint("date(claim.filed_at) > order.placed_at + 3 dayz");
    assert_eq!(
        (at.as_str(), help.as_str()),
        ("12:51 `dayz` is not a unit of time", "did you mean `days`?")
    );
}

/// Any word after a number is taken for a unit of time when it is near one: misspelt
/// (`monht`), cut short (`mont`) or abbreviated (`hrs`); weeks are counted in days.
#[test]
fn a_word_after_a_number_suggests_the_nearest_unit() {
    for (word, unit) in [
        ("monht", "months"),
        ("mont", "months"),
        ("mon", "months"),
        ("mths", "months"),
        ("hrs", "hours"),
        ("h", "hours"),
        ("yrs", "years"),
        ("yeras", "years"),
        ("dayss", "days"),
        ("d", "days"),
    ] {
        assert_eq!(
            when_hint(&format!("claim.filed_at > order.placed_at + 1 {word}")),
            (
                format!("12:45 `{word}` is not a unit of time"),
                word.to_string(),
                "unknown unit".to_string(),
                format!("did you mean `{unit}`?")
            ),
            "{word}"
        );
    }
    let (at, _, _, help) = when_hint("claim.filed_at > order.placed_at + 2 weeks");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "12:45 `weeks` is not a unit of time",
            "a week is 7 days: write `14 days` (durations are in `days` or `hours`, calendar \
             periods in `months` or `years`)"
        )
    );
    // A word far from every unit is not taken for one.
    let (at, _, _, help) = when_hint("claim.filed_at > order.placed_at + 1 fortnight");
    assert_eq!(
        (at.as_str(), help.as_str()),
        ("12:45 unexpected `fortnight`", "")
    );
}

#[test]
fn amounts_are_written_as_plain_numbers() {
    let pays = |amount: &str| hint(&format!("coverage c\n  doc \"c\"\n  pays {amount}\n"));
    let in_usd = "every amount in this policy is in USD, the currency its header names";
    assert_eq!(
        pays("1,000"),
        (
            "12:8 a number is written without thousands separators".into(),
            "1,000".into(),
            "write `1000`".into(),
            format!("write `pays 1000`: amounts are plain numbers (`1000`, `1000.50`); {in_usd}")
        )
    );
    // In a call, `1,000` would otherwise read as two arguments.
    let (at, underlined, label, _) = pays("min(order.total, 1,000,000.50)");
    assert_eq!(
        (at.as_str(), underlined.as_str(), label.as_str()),
        (
            "12:25 a number is written without thousands separators",
            "1,000,000.50",
            "write `1000000.50`"
        )
    );
    for (amount, at, code, fixed) in [
        ("1000 USD", "12:13", "USD", "pays 1000"),
        ("USD 1000", "12:8", "USD", "pays 1000"),
        ("1000USD", "12:12", "USD", "pays 1000"),
        ("1000 EUR", "12:13", "EUR", "pays 1000"),
        ("1000 usd", "12:13", "usd", "pays 1000"),
        (
            "min(order.total, 50 USD)",
            "12:28",
            "USD",
            "pays min(order.total, 50)",
        ),
    ] {
        assert_eq!(
            pays(amount),
            (
                format!("{at} an amount is written without its currency"),
                code.to_string(),
                format!("remove `{code}`"),
                format!("write `{fixed}`: {in_usd}")
            ),
            "{amount}"
        );
    }
    assert_eq!(
        pays("$1000"),
        (
            "12:8 an amount is written without a currency sign".into(),
            "$".into(),
            "remove `$`".into(),
            format!("write `pays 1000`: {in_usd}")
        )
    );
    assert_eq!(
        pays("0050"),
        (
            "12:8 a number is written without leading zeros".into(),
            "0050".into(),
            "write `50`".into(),
            "write `pays 50`".into()
        )
    );
}

#[test]
fn a_duration_compared_with_a_plain_number_asks_for_the_unit() {
    let age = "let age = date(claim.filed_at) - order.placed_at\n";
    let e = errors(
        FACTS,
        &format!("{age}exclusion late doc \"late\" when age >= 21\n"),
    );
    assert_eq!(
        e,
        ["11:39 a duration cannot be compared with the plain number `21`"]
    );
    let err = &policy_errors(&policy(
        FACTS,
        &format!("{age}exclusion late doc \"late\" when 21 < age\n"),
    ))[0];
    assert_eq!(underlined(err), "21");
    assert_eq!(
        err.help.as_deref(),
        Some("write the number with its unit, `21 days` or `21 hours`: `21 days < age`")
    );
    let err = &policy_errors(&policy(
        FACTS,
        "exclusion late doc \"late\" when days_between(order.placed_at, date(claim.filed_at)) > 30 days\n",
    ))[0];
    assert_eq!(
        (located(err).as_str(), underlined(err), err.label.as_str()),
        (
            "10:86 a plain number cannot be compared with the duration `30 days`",
            "30 days",
            "a duration"
        )
    );
    assert_eq!(
        err.help.as_deref(),
        Some(
            "a number compares with a number: write `30`, without the unit: \
             `days_between(order.placed_at, date(claim.filed_at)) > 30`"
        )
    );
    let err = &policy_errors(&policy(
        FACTS,
        "exclusion late doc \"late\" when date(claim.filed_at) > order.placed_at + 30\n",
    ))[0];
    assert_eq!(
        (located(err).as_str(), underlined(err)),
        (
            "10:73 a date moves by a duration, not by the plain number `30`",
            "30"
        )
    );
    assert_eq!(
        err.help.as_deref(),
        Some(
            "write the number with its unit, `30 days` or `30 hours`: `order.placed_at + 30 days`"
        )
    );
}

#[test]
fn a_missing_or_unfinished_expression_names_the_keyword() {
    let (at, underlined, label, help) =
        hint("coverage c\n  doc \"c\"\n  when\n  pays order.total\n");
    assert_eq!(
        (
            at.as_str(),
            underlined.as_str(),
            label.as_str(),
            help.as_str()
        ),
        (
            "13:3 `when` is not followed by a condition",
            "pays",
            "expected a condition here",
            "write a condition after `when`, such as `when claim.type == \"lost\"`"
        )
    );
    // `cap` and `by` may be names, so they are read as the missing operand; the message
    // still names the clause.
    let (at, _, _, help) = hint("compensation c\n  doc \"c\"\n  when order.total >\n  cap at 10\n");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "13:3 the expression before `cap` is incomplete",
            "write what comes after `>`, or delete `>`"
        )
    );
    let (at, _, _, help) = hint("compensation c\n  doc \"c\"\n  when\n  cap at 10\n");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "13:3 `when` is not followed by a condition",
            "write a condition after `when`, such as `when claim.type == \"lost\"`"
        )
    );
    let (at, _, _, help) =
        hint("deadline d\n  doc \"d\"\n  when claim.type ==\n  by claim.filed_at + 30 days\n");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "13:3 the expression before `by` is incomplete",
            "write what comes after `==`, or delete `==`"
        )
    );
    // A value named `by` followed by a stray bracket is not taken for a clause.
    let (at, _, _, _) = hint("let by = 5\nexclusion x doc \"x\" when order.total > 3 + by )\n");
    assert_eq!(at, "11:47 unexpected `)`");
    let (at, _, _, help) = hint("compensation c\n  doc \"c\"\n  reduce by\n");
    assert_eq!(
        (at.as_str(), help.as_str()),
        (
            "15:1 `by` is not followed by an amount",
            "write an amount after `by`, such as `reduce by claim.courier_compensation`"
        )
    );
}

#[test]
fn a_reserved_word_as_a_name_suggests_another() {
    for (rules, at, other) in [
        (
            "let when = 1\n",
            "10:5 `when` is a reserved word",
            "when_value",
        ),
        (
            "coverage doc doc \"c\" pays 1\n",
            "10:10 `doc` is a reserved word",
            "doc_rule",
        ),
    ] {
        let (located, _, label, help) = hint(rules);
        assert_eq!(located, format!("{at} and cannot be a name"));
        assert_eq!(label, "reserved word");
        assert_eq!(help, format!("choose another name, such as `{other}`"));
    }
}

#[test]
fn long_lists_of_expected_tokens_are_summarised() {
    let (at, _, label, help) = hint("coverage c\n  doc \"c\"\n  pays order.total )\n");
    assert_eq!(at, "12:20 unexpected `)`");
    assert_eq!(
        label,
        "expected an operator, another clause (`when`, `pays`, ...) or the next rule"
    );
    assert_eq!(help, "");
    let text = "policy \"t/p\"\nversion \"1\"\n)";
    let e = &policy_errors(text)[0];
    assert_eq!(
        e.label,
        "expected a header line (`version`, `effective`, `until`, `currency`, `doc`) or the next rule"
    );
    let e = &policy_errors("policy \"t/p\"\nversion \"1\"\nfacts { }\n42")[0];
    assert_eq!(
        e.label,
        "expected a rule such as `coverage`, `exclusion`, ..., or `let`, `const`, `facts`, `table`, `hook`"
    );
}

// ---- keywords that are also names ------------------------------------------

/// Facts, values and rules named with the words `cap`, `floor`, `by`, `from` and `default`.
const NAMED_FACTS: &str = "  order: record { total: money  from: date  by: optional date  default: optional string }
  claim: record { type: enum { lost, damaged }  filed_at: datetime  cap: money  floor: money default 0 }";

const NAMED_RULES: &str = "const by = 5
let default = 30 days

coverage default
  doc \"Lost within 30 days of the order: its value.\"
  when claim.type == \"lost\" and date(claim.filed_at) - order.from <= default
  pays order.total

compensation cap
  doc \"At most the claim's cap.\"
  cap at claim.cap

compensation by
  doc \"Less a fixed fee of {by}.\"
  reduce by by

compensation floor
  doc \"At least the claim's floor.\"
  floor at claim.floor

deadline from
  doc \"Answer within 30 days of the order.\"
  by (order.by otherwise order.from) + default
";

const NAMED_CLAIM: &str = "order:
  total: \"100.00\"
  from: 2025-05-01
  default: gift
claim:
  type: lost
  filed_at: 2025-05-10T00:00:00Z
  cap: \"80.00\"
";

#[test]
fn keywords_that_are_not_reserved_can_be_names() {
    let engine = Engine::new(NAMED_FACTS, NAMED_RULES);
    let d = engine.decide(NAMED_CLAIM);
    assert_eq!(
        summary(&d),
        (
            "approved".to_string(),
            "75.00".to_string(),
            vec!["default".to_string(), "cap".to_string(), "by".to_string()]
        )
    );
    assert_eq!(
        &*d.reasons[0].text,
        "Lost within 30 days of the order: its value."
    );
    assert_eq!(
        d.deadlines.get("from").map(str::to_string),
        Some("2025-05-31".to_string())
    );
    let d = engine.decide(&NAMED_CLAIM.replace("filed_at: 2025-05-10", "filed_at: 2025-06-10"));
    assert_eq!(summary(&d).0, "denied");
    let d = engine.decide(
        &format!("{NAMED_CLAIM}  floor: \"90.00\"\n")
            .replace("order:\n", "order:\n  by: 2025-05-03\n"),
    );
    assert_eq!(summary(&d).1, "90.00");
    assert_eq!(
        d.deadlines.get("from").map(str::to_string),
        Some("2025-06-02".to_string())
    );
}

#[test]
fn names_that_are_keywords_print_and_parse_back() {
    use proviso::internals::span::Source;
    let text = policy(NAMED_FACTS, NAMED_RULES);
    let parsed =
        proviso::internals::parse::parse_file(&Source::new("a.proviso", text.as_str())).unwrap();
    let printed = proviso::internals::print::policy(&parsed);
    let src = Source::new("printed.proviso", printed.as_str());
    let reparsed = proviso::internals::parse::parse_file(&src).unwrap();
    assert_eq!(proviso::internals::print::policy(&reparsed), printed);
    assert!(proviso::internals::policy_set::compile_ast(&src, &reparsed).is_ok());
    assert_eq!(
        proviso::internals::diff::diff(&parsed, &reparsed),
        proviso::internals::diff::PolicyDiff::default()
    );
    assert!(compile_text(&printed).is_ok(), "{printed}");
}

#[test]
fn fmt_lays_out_a_policy_whose_names_are_keywords() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hints-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = policy(NAMED_FACTS, NAMED_RULES);
    let messy = good
        .replace("\n\n", "\n\n\n")
        .replace("reduce by by\n", "reduce by by   \n");
    let (file, laid_out) = (dir.join("named.proviso"), dir.join("laid-out.proviso"));
    std::fs::write(&file, &messy).unwrap();
    std::fs::write(&laid_out, &good).unwrap();
    for f in [&file, &laid_out] {
        let run = proviso(&["fmt", &f.display().to_string()]);
        assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    }
    let text = std::fs::read_to_string(&file).unwrap();
    assert_eq!(text, std::fs::read_to_string(&laid_out).unwrap());
    assert!(text.contains("\n  reduce by by\n"), "{text}");
    let path = file.display().to_string();
    let run = proviso(&["fmt", "--check", &path]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    // It checks clean of errors; the lints still warn about what the sample leaves open.
    let run = proviso(&["check", &path]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.ends_with("warning: 3 warnings in policies\n"),
        "{}",
        run.stderr
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
