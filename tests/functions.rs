//! Functions (`let NAME(PARAM) = EXPR`): calls anywhere an expression stands, the checker's
//! messages for each misuse (message and line:col), failures inside a body, and the tools
//! that list names (lints, editor analysis, diff, fmt).
#![allow(clippy::unwrap_used, clippy::panic)]

mod minimal;

use minimal::{errors, payout, policy, Engine, FACTS};

/// Rules start on this line of a policy over [`FACTS`].
const RULES_LINE: usize = 30;

const LINE: &str = "let line(item) = item.qty * item.price\n";

const ITEMS: &str = "items:\n  - { sku: A, qty: 2, price: \"10.25\" }\n  - { sku: B, qty: 3, price: \"1.10\" }";

#[test]
fn a_function_is_called_inside_an_aggregate() {
    let e = Engine::claim(&format!(
        "{LINE}coverage c doc \"c\" pays sum(i in claim.items otherwise []: line(i))"
    ));
    assert_eq!(payout(&e.claim_decision(ITEMS)), "23.80");
}

#[test]
fn a_function_takes_values_calls_functions_and_reads_facts() {
    let e = Engine::claim(
        "let twice(x) = x * 2\nlet plus_amount(a, b) = twice(a) + b + claim.amount\ncoverage c doc \"c\" pays plus_amount(claim.amount, 1)",
    );
    assert_eq!(payout(&e.claim_decision("")), "301.00");
}

#[test]
fn each_call_is_typed_with_its_arguments() {
    // The same body is money with money, an integer with an integer.
    let e = Engine::claim(
        "let twice(x) = x * 2\ncoverage c doc \"c\" when twice(claim.count) == 6 pays twice(claim.amount)",
    );
    assert_eq!(payout(&e.claim_decision("")), "200.00");
}

#[test]
fn a_function_calling_itself_is_an_error_naming_the_cycle() {
    let rules = "let f(x) = g(x) + 1\nlet g(y) = f(y)\ncoverage c doc \"c\" pays f(claim.amount)";
    assert_eq!(
        errors(FACTS, rules),
        vec![format!(
            "{}:12 function `f` calls itself: `f` -> `g` -> `f`, in the call to `g` at test.proviso:{}:12, in the call to `f` at test.proviso:{}:25",
            RULES_LINE + 1,
            RULES_LINE,
            RULES_LINE + 2
        )]
    );
}

#[test]
fn a_call_with_the_wrong_number_of_arguments_is_an_error() {
    let rules = format!("{LINE}coverage c doc \"c\" pays line(claim.amount, 2)");
    assert_eq!(
        errors(FACTS, &rules),
        vec![format!("{}:25 function `line` takes one value", RULES_LINE + 1)]
    );
}

#[test]
fn an_unknown_function_suggests_the_nearest_name() {
    let rules = format!("{LINE}coverage c doc \"c\" pays lien(claim.amount)");
    let errs = minimal::policy_errors(&policy(FACTS, &rules));
    assert_eq!(errs.len(), 1);
    assert_eq!(
        minimal::located(&errs[0]),
        format!("{}:25 unknown function `lien`", RULES_LINE + 1)
    );
    assert_eq!(errs[0].help.as_deref(), Some("did you mean `line`?"));
}

#[test]
fn a_function_named_without_arguments_is_an_error() {
    let rules = format!("{LINE}coverage c doc \"c\" pays line");
    let errs = minimal::policy_errors(&policy(FACTS, &rules));
    assert_eq!(
        minimal::located(&errs[0]),
        format!("{}:25 `line` is a function, called with its arguments", RULES_LINE + 1)
    );
    assert_eq!(errs[0].help.as_deref(), Some("write `line(item)`"));
}

#[test]
fn a_value_called_with_arguments_is_an_error() {
    let rules = "let total = claim.amount\ncoverage c doc \"c\" pays total(1)";
    assert_eq!(
        errors(FACTS, rules),
        vec![format!("{}:25 `total` is a value, not a function", RULES_LINE + 1)]
    );
}

#[test]
fn a_mistake_in_the_body_is_reported_in_the_body_naming_the_call() {
    let rules = "let flagged(x) = x and claim.flag\ncoverage c doc \"c\" when flagged(claim.amount) pays 1";
    assert_eq!(
        errors(FACTS, rules),
        vec![format!(
            "{RULES_LINE}:18 expected a bool, but this is money, in the call to `flagged` at test.proviso:{}:25",
            RULES_LINE + 1
        )]
    );
}

#[test]
fn a_function_shares_the_names_of_values_tables_and_hooks() {
    let rules = "let total = claim.amount\nlet total(x) = x\ncoverage c doc \"c\" pays total";
    assert_eq!(
        errors(FACTS, rules),
        vec![format!("{}:5 `total` is defined twice", RULES_LINE + 1)]
    );
}

#[test]
fn a_division_by_zero_in_a_body_refers_the_document_at_the_body() {
    let e = Engine::claim(
        "let share(x, n) = x / n\ncoverage c doc \"c\" pays share(claim.amount, claim.count - 3)",
    );
    let d = e.claim_decision("");
    assert_eq!(d.decision.as_str(), "referred");
    let text = serde_json::to_string(&d).unwrap();
    assert!(
        text.contains(&format!("test.proviso:{RULES_LINE}:19")),
        "{text}"
    );
}
