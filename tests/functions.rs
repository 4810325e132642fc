//! Functions (`let NAME(PARAM) = EXPR`): calls anywhere an expression stands, the checker's
//! messages for each misuse (message and line:col), failures inside a body, and the tools
//! that list names (lints, editor analysis, diff, fmt).
#![allow(clippy::unwrap_used, clippy::panic)]

mod minimal;

use minimal::{errors, payout, policy, Engine, FACTS};

/// Rules start on this line of a policy over [`FACTS`].
const RULES_LINE: usize = 30;

const LINE: &str = "let line(item) = item.qty * item.price\n";

const ITEMS: &str =
    "items:\n  - { sku: A, qty: 2, price: \"10.25\" }\n  - { sku: B, qty: 3, price: \"1.10\" }";

#[test]
fn a_function_is_called_inside_an_aggregate() {
    let e = Engine::claim(&format!(
        "{LINE}coverage c doc \"c\" pays sum(i in claim.items: line(i))"
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
            "{}:12 function `f` calls itself: `f` -> `g` -> `f`, in the call to `g` at test.proviso:{}:12",
            RULES_LINE + 1,
            RULES_LINE,
        )]
    );
}

#[test]
fn a_call_with_the_wrong_number_of_arguments_is_an_error() {
    let rules = format!("{LINE}coverage c doc \"c\" pays line(claim.amount, 2)");
    assert_eq!(
        errors(FACTS, &rules),
        vec![format!(
            "{}:25 function `line` takes one value",
            RULES_LINE + 1
        )]
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
        format!(
            "{}:25 `line` is a function, called with its arguments",
            RULES_LINE + 1
        )
    );
    assert_eq!(errs[0].help.as_deref(), Some("write `line(item)`"));
}

#[test]
fn a_value_called_with_arguments_is_an_error() {
    let rules = "let total = claim.amount\ncoverage c doc \"c\" pays total(1)";
    assert_eq!(
        errors(FACTS, rules),
        vec![format!(
            "{}:25 `total` is a value, not a function",
            RULES_LINE + 1
        )]
    );
}

#[test]
fn a_mistake_in_the_body_is_reported_in_the_body_naming_the_call() {
    let rules =
        "let flagged(x) = x and claim.flag\ncoverage c doc \"c\" when flagged(claim.amount) pays 1";
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

#[test]
fn functions_that_call_each_other_many_times_are_refused_not_expanded_forever() {
    // f0 calls f1 twice, which calls f2 twice...: 2^40 calls if expanded.
    let mut rules = String::new();
    for i in 0..40 {
        rules.push_str(&format!("let f{i}(x) = f{}(x) + f{}(x)\n", i + 1, i + 1));
    }
    rules.push_str("let f40(x) = x\ncoverage c doc \"c\" pays f0(claim.amount)");
    let errs = errors(FACTS, &rules);
    assert!(
        errs.iter()
            .any(|e| e.contains("functions are expanded too many times")),
        "{errs:?}"
    );
}

#[test]
fn the_editor_knows_a_function_and_its_parameters() {
    use proviso::internals::analysis::{hover, Analysis, Symbol};
    use proviso::internals::span::Source;
    let rules = format!("{LINE}coverage c doc \"c\" pays sum(i in claim.items: line(i))");
    let text = policy(FACTS, &rules);
    let a = Analysis::new(Source::new("t.proviso", text.as_str()));
    let def = text.find("line(item)").unwrap();
    let call = text.rfind("line(i)").unwrap();
    let param = text.find("item)").unwrap();
    let uses: Vec<usize> = text.match_indices("item.").map(|(i, _)| i).collect();
    let at_call = a.index.at(call).unwrap();
    assert_eq!(at_call.symbol, Symbol::Function(0));
    assert_eq!(a.index.definition(&Symbol::Function(0)).unwrap().start, def);
    let refs: Vec<usize> = a
        .index
        .references(&Symbol::Param(0, 0), true)
        .iter()
        .map(|s| s.start)
        .collect();
    assert_eq!(refs, [vec![param], uses].concat());
    let (_, shown) = hover(&a, call).unwrap();
    assert_eq!(
        shown,
        "```proviso\nlet line(item) = item.qty * item.price\n```\n\nfunction, computed at each call"
    );
}

#[test]
fn diff_shows_a_changed_function_and_what_calls_it() {
    use proviso::internals::{diff, parse, span::Source};
    let old = policy(
        FACTS,
        &format!("{LINE}coverage c doc \"c\" pays sum(i in claim.items: line(i))"),
    );
    let new = old.replace("item.qty * item.price", "item.qty * item.price * 2");
    let a = parse::parse_file(&Source::new("a.proviso", old.as_str())).unwrap();
    let b = parse::parse_file(&Source::new("b.proviso", new.as_str())).unwrap();
    let d = diff::diff(&a, &b);
    let json = serde_json::to_value(&d).unwrap();
    assert_eq!(
        json["lets"],
        serde_json::json!([{
            "name": "line",
            "change": "changed",
            "old": "(item) = item.qty * item.price",
            "new": "(item) = item.qty * item.price * 2",
            "affects": ["coverage c"]
        }])
    );
}
