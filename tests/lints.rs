//! Lints: `proviso check` warnings, each with its code, message, span and help, and the
//! correct forms they leave alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod minimal;
mod support;

use proviso::internals::lint::Lint;
use proviso::PolicyWarning;

/// Facts of the lint tests. With the currency line `policy` adds, `claim` is on line 8 and
/// the rules start on line 19.
const FACTS: &str = "
  claim: record {
    id: string
    type: enum { lost, damaged, stolen }
    amount: money
    fee: money default 0
    n: integer
    note: optional string
    flag: bool default false
    items: optional list of record { sku: string  qty: integer }
  }";

fn all_warnings(facts: &str, rules: &str) -> Vec<PolicyWarning> {
    let text = minimal::policy(facts, rules);
    let set = minimal::compile_text(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    set.warnings()
}

/// A warning as `line:col [underlined text] message`.
fn shown(w: &PolicyWarning) -> String {
    format!(
        "{} [{}] {}",
        minimal::located(&w.error).split_once(' ').unwrap().0,
        minimal::underlined(&w.error),
        w.error.message
    )
}

/// The warnings of one lint, each as `line:col [underlined text] message`.
fn lints(facts: &str, rules: &str, lint: Lint) -> Vec<String> {
    all_warnings(facts, rules)
        .iter()
        .filter(|w| w.lint == lint)
        .map(shown)
        .collect()
}

/// The help line of the only warning of `lint`.
fn help(facts: &str, rules: &str, lint: Lint) -> String {
    let found: Vec<PolicyWarning> = all_warnings(facts, rules)
        .into_iter()
        .filter(|w| w.lint == lint)
        .collect();
    assert_eq!(found.len(), 1, "{found:?}");
    found[0].error.help.clone().unwrap_or_default()
}

#[test]
fn every_lint_has_a_code_and_a_name() {
    let codes: Vec<&str> = Lint::ALL.iter().map(|l| l.code()).collect();
    assert_eq!(
        codes,
        [
            "proviso::lint::unused-const",
            "proviso::lint::unused-let",
            "proviso::lint::unused-fact",
            "proviso::lint::never-true",
            "proviso::lint::unreachable-rule",
            "proviso::lint::negative-amount",
            "proviso::lint::zero-divisor",
            "proviso::lint::unhandled-enum-value",
        ]
    );
    for l in Lint::ALL {
        assert_eq!(l.code(), format!("proviso::lint::{}", l.name()));
    }
    // The library names a warning's lint without the internal type.
    let w = all_warnings(FACTS, "const unused = 7");
    let named: Vec<&str> = w.iter().map(PolicyWarning::lint_name).collect();
    assert_eq!(named, ["unused-fact", "unused-const"]);
}

// ---- unused constants and values ---------------------------------------------

#[test]
fn unused_constants_and_values() {
    let rules = "const used = 5
const quoted = 30 days
const unused = 7
const only_for_unused = 2
let unused_value = claim.amount * only_for_unused
let helper = claim.amount + used
let total = helper - claim.fee
coverage c doc \"Paid within {quoted}.\" pays total";
    assert_eq!(
        lints(FACTS, rules, Lint::UnusedConst),
        [
            "21:7 [unused] the constant `unused` is never used",
            "22:7 [only_for_unused] the constant `only_for_unused` is never used",
        ]
    );
    assert_eq!(
        lints(FACTS, rules, Lint::UnusedLet),
        ["23:5 [unused_value] the value `unused_value` is never used"]
    );
    assert_eq!(
        help(FACTS, "const unused = 7", Lint::UnusedConst),
        "remove it, or use it in a rule (a clause's text may quote it as `{unused}`)"
    );
    assert_eq!(
        help(FACTS, "let unused = 7", Lint::UnusedLet),
        "remove it, or use it in a rule"
    );
}

#[test]
fn constants_used_by_tables_evidence_conditions_and_lists_are_used() {
    let facts = "
  claim: record {
    type: enum { lost, damaged }
    amount: money
    evidence: optional list of record { kind: string  sides: optional integer }
  }";
    let rules = "evidence from claim.evidence
const bound = 100
const sides_needed = 6
const kinds = [\"lost\"]
table tier(v) doc \"t\"
  up to 100: bound
  over 100: 2
evidence photos doc \"p\" requires photos where sides is present and sides >= sides_needed
coverage c doc \"c\" when claim.type in kinds pays claim.amount * tier(claim.amount)";
    assert_eq!(lints(facts, rules, Lint::UnusedConst), Vec::<String>::new());
    assert_eq!(lints(facts, rules, Lint::UnusedFact), Vec::<String>::new());
}

// ---- unused facts ------------------------------------------------------------

#[test]
fn facts_nothing_reads() {
    let facts = "
  claim: record { id: string  amount: money  note: optional string }
  order: record {
    id: string
    name: optional string
    lines: list of record { sku: string  quantity: integer }
    gift: optional record { message: string }
  }
  customer: optional record { email: string }
  channel: optional string
  protection: optional record { purchased_at: optional date }";
    let rules = "coverage c doc \"c\" when order.id != \"\" pays claim.amount";
    assert_eq!(
        lints(facts, rules, Lint::UnusedFact),
        [
            "12:5 [lines] the fact `order.lines` is never read, nor any of its fields",
            "13:5 [gift] the fact `order.gift` is never read, nor any of its fields",
            "15:3 [customer] the fact `customer` is never read, nor any of its fields",
            "16:3 [channel] the fact `channel` is never read",
        ]
    );
    assert_eq!(
        help(
            "\n  claim: record { amount: money }\n  channel: optional string",
            "coverage c doc \"c\" pays claim.amount",
            Lint::UnusedFact
        ),
        "remove it; or, if documents carry it and `eval --strict` must accept them, say so \
         with a comment `# allow(unused-fact)` on its line"
    );
}

#[test]
fn facts_read_anywhere_are_used_and_a_comment_allows_the_others() {
    // `claim.note` and `order.name` are never read, but their records are: they declare
    // the documents' shape. `order.lines` is read by an aggregate, `customer` by a
    // `requires facts(...)`, `order.gift` through a variable; `channel` is allowed.
    let facts = "
  claim: record { id: string  amount: money  note: optional string
                  evidence: optional list of record { kind: string } }
  order: record {
    id: string
    name: optional string
    lines: list of record { sku: string  quantity: integer  gift: optional record { to: string } }
  }
  customer: optional record { email: string }
  # allow(unused-fact): sent by the shop, accepted under --strict
  channel: optional string
  region: optional string  # allow(unused-fact, unused-const)";
    let rules = "evidence from claim.evidence
evidence contact doc \"e\" requires facts(customer.email)
coverage c doc \"c\" when count(l in order.lines where l.gift is present) > 0 pays claim.amount";
    assert_eq!(lints(facts, rules, Lint::UnusedFact), Vec::<String>::new());
}

// ---- conditions that can never hold --------------------------------------------

#[test]
fn contradictory_comparisons() {
    let rules = "const limit = 3
exclusion two_types doc \"a\" when claim.type == \"lost\" and claim.type == \"damaged\"
exclusion range doc \"b\" when claim.n > 5 and claim.note is present and claim.n < limit
exclusion equal_and_not doc \"c\" when claim.type == \"lost\" and claim.type != \"lost\"
exclusion outside doc \"d\" when claim.type in [\"lost\", \"damaged\"] and claim.type not in [\"damaged\", \"lost\"]
exclusion three doc \"e\" when claim.type in [\"lost\", \"damaged\"] and claim.type != \"lost\" and claim.type != \"damaged\"
exclusion flag doc \"f\" when claim.flag and claim.n > 1 and not claim.flag
exclusion presence doc \"g\" when claim.note is absent and claim.note is present
exclusion inside doc \"h\" when any(i in claim.items: i.qty >= 5 and i.qty <= 4)
exclusion one_disjunct doc \"i\" when claim.n == 1 or (claim.n == 2 and 2 == claim.n and claim.n != 2)";
    assert_eq!(
        lints(FACTS, rules, Lint::NeverTrue),
        [
            "20:34 [claim.type == \"lost\" and claim.type == \"damaged\"] this condition can never hold: `claim.type == \"lost\"` and `claim.type == \"damaged\"` cannot both be true",
            "21:30 [claim.n > 5 and claim.note is present and claim.n < limit] this condition can never hold: `claim.n > 5` and `claim.n < limit` cannot both be true",
            "22:38 [claim.type == \"lost\" and claim.type != \"lost\"] this condition can never hold: `claim.type == \"lost\"` and `claim.type != \"lost\"` cannot both be true",
            "23:32 [claim.type in [\"lost\", \"damaged\"] and claim.type not in [\"damaged\", \"lost\"]] this condition can never hold: `claim.type in [\"lost\", \"damaged\"]` and `claim.type not in [\"damaged\", \"lost\"]` cannot both be true",
            "24:30 [claim.type in [\"lost\", \"damaged\"] and claim.type != \"lost\" and claim.type != \"damaged\"] this condition can never hold: `claim.type in [\"lost\", \"damaged\"]`, `claim.type != \"lost\"` and `claim.type != \"damaged\"` cannot all be true",
            "25:29 [claim.flag and claim.n > 1 and not claim.flag] this condition can never hold: `claim.flag` and `not claim.flag` cannot both be true",
            "26:33 [claim.note is absent and claim.note is present] this condition can never hold: `claim.note is absent` and `claim.note is present` cannot both be true",
            "27:53 [i.qty >= 5 and i.qty <= 4] this condition can never hold: `i.qty >= 5` and `i.qty <= 4` cannot both be true",
            "28:54 [claim.n == 2 and 2 == claim.n and claim.n != 2] this condition can never hold: `claim.n == 2` and `claim.n != 2` cannot both be true",
        ]
    );
    assert_eq!(
        help(
            FACTS,
            "exclusion x doc \"x\" when claim.n > 5 and claim.n < 3",
            Lint::NeverTrue
        ),
        "a rule never applies where its condition cannot hold; correct the values compared, \
         or join the alternatives with `or`"
    );
}

#[test]
fn conditions_that_can_hold_are_left_alone() {
    let rules = "const limit = 5
exclusion a doc \"a\" when claim.type == \"lost\" or claim.type == \"damaged\"
exclusion b doc \"b\" when claim.n >= 5 and claim.n <= limit
exclusion c doc \"c\" when claim.n > 3 and claim.n < 5 and claim.n != 4
exclusion d doc \"d\" when claim.type == \"lost\" and claim.n == 2
exclusion e doc \"e\" when claim.type in [\"lost\", \"damaged\"] and claim.type != \"lost\"
exclusion f doc \"f\" when claim.note is present and claim.note != \"x\" and claim.flag
exclusion g doc \"g\" when claim.n > 1 and any(i in claim.items: i.qty < 1)
exclusion h doc \"h\" when any(i in claim.items: i.qty > 5) and any(i in claim.items: i.qty < 2)";
    assert_eq!(lints(FACTS, rules, Lint::NeverTrue), Vec::<String>::new());
}

// ---- rules that can never decide ---------------------------------------------

#[test]
fn rules_after_one_that_always_applies() {
    let rules = "const always = true
coverage first doc \"a\" when claim.type == \"lost\" pays claim.amount
coverage everything doc \"b\" pays claim.amount
coverage never doc \"c\" when claim.type == \"damaged\" pays claim.amount
fallback catch_all doc \"d\" when always or claim.flag
fallback never_reached doc \"e\" when claim.flag";
    assert_eq!(
        lints(FACTS, rules, Lint::UnreachableRule),
        [
            "22:10 [never] coverage `never` can never decide: `everything` (line 21) always applies first",
            "24:10 [never_reached] fallback `never_reached` can never decide: `catch_all` (line 23) always applies first",
        ]
    );
    assert_eq!(
        help(
            FACTS,
            "coverage a doc \"a\" pays 1\ncoverage b doc \"b\" pays 2",
            Lint::UnreachableRule
        ),
        "the first coverage rule whose condition holds decides; give `a` a condition, or \
         move `b` before it"
    );
}

#[test]
fn rules_after_conditional_ones_and_of_other_kinds_can_decide() {
    let rules = "coverage lost doc \"a\" when claim.type == \"lost\" pays claim.amount
coverage rest doc \"b\" pays claim.amount
exclusion flagged doc \"x\" when claim.flag
exclusion more doc \"y\" when claim.n > 2
compensation cap_a doc \"c\" cap at 100
compensation cap_b doc \"d\" cap at 50
fallback when_flagged doc \"e\" when claim.flag
fallback remaining doc \"f\"";
    assert_eq!(
        lints(FACTS, rules, Lint::UnreachableRule),
        Vec::<String>::new()
    );
}

// ---- amounts that can end below zero -------------------------------------------

#[test]
fn reductions_without_a_later_floor() {
    let rules = "coverage c doc \"c\" pays claim.amount
compensation early_floor doc \"f\" floor at 0
compensation fee doc \"a\" reduce by claim.fee
compensation limit doc \"b\" cap at claim.amount - claim.fee
compensation flagged doc \"g\" when claim.flag reduce by 5
compensation floor_unflagged doc \"h\" when claim.n > 1 floor at 0";
    assert_eq!(
        lints(FACTS, rules, Lint::NegativeAmount),
        [
            "21:36 [claim.fee] `fee` can leave the payout below zero, and no later rule floors it",
            "22:35 [claim.amount - claim.fee] `limit` caps the payout at an amount that can be below zero, and no later rule floors it",
            "23:56 [5] `flagged` can leave the payout below zero, and no later rule floors it",
        ]
    );
    let cancellations = "
  claim: optional record { amount: money }
  cancellation: optional record { price: money  fee: money }";
    let rules = "coverage c doc \"c\" pays claim.amount
refund r doc \"r\" pays cancellation.price
deduction fee doc \"f\" reduce by cancellation.fee";
    assert_eq!(
        lints(cancellations, rules, Lint::NegativeAmount),
        ["13:33 [cancellation.fee] `fee` can leave the refund below zero, and no later rule floors it"]
    );
    assert_eq!(
        help(cancellations, rules, Lint::NegativeAmount),
        "a refund below zero is referred to a person; add a later deduction rule `floor at 0` \
         to pay nothing instead"
    );
}

#[test]
fn reductions_with_a_later_floor_and_caps_that_cannot_go_negative() {
    let rules = "table tier(v) doc \"t\"
  up to 100: 10
  over 100: 20
coverage c doc \"c\" pays claim.amount
compensation fee doc \"a\" reduce by claim.fee
compensation tiered doc \"b\" cap at tier(claim.amount) + max(claim.fee, 0)
compensation constant doc \"d\" cap at 100
compensation flagged doc \"g\" when claim.flag and claim.n > 1 reduce by 5
compensation nothing doc \"h\" reduce by 0
compensation floor_flagged doc \"i\" when claim.flag floor at 0
compensation floor_all doc \"j\" floor at 0";
    assert_eq!(
        lints(FACTS, rules, Lint::NegativeAmount),
        Vec::<String>::new()
    );
}

/// An `add` of an amount that can be below zero fails its rule, so no floor helps.
#[test]
fn an_add_that_can_be_below_zero_whatever_floors_follow() {
    let rules = "coverage c doc \"c\" pays claim.amount
compensation extra doc \"e\" add claim.amount - claim.fee
compensation fee doc \"f\" add claim.fee
compensation safe doc \"s\" add max(claim.amount - claim.fee, 0)
compensation table doc \"t\" add abs(claim.fee) + 5
compensation floor_all doc \"j\" floor at 0";
    assert_eq!(
        lints(FACTS, rules, Lint::NegativeAmount),
        [
            "20:32 [claim.amount - claim.fee] `extra` adds an amount that can be below zero, and an `add` below zero cannot be computed",
            "21:30 [claim.fee] `fee` adds an amount that can be below zero, and an `add` below zero cannot be computed",
        ]
    );
    let one = "coverage c doc \"c\" pays claim.amount as parcel
compensation extra doc \"e\" add claim.fee as cash";
    assert_eq!(
        help(FACTS, one, Lint::NegativeAmount),
        "a claim for which it is below zero is referred to a person, whatever a later `floor` \
         says; to add nothing then, write `add max(claim.fee, 0) as cash`"
    );
}

/// In a policy with payout components, a floor keeps only the component it names above zero.
#[test]
fn a_floor_of_another_component_does_not_floor_a_reduction() {
    let rules = "coverage c doc \"c\" pays claim.amount as parcel
compensation cash doc \"a\" add 5 as cash
compensation fee doc \"f\" reduce by claim.fee
compensation cash_fee doc \"g\" reduce cash by claim.fee
compensation cash_floor doc \"h\" floor cash at 0";
    assert_eq!(
        lints(FACTS, rules, Lint::NegativeAmount),
        ["21:36 [claim.fee] `fee` can leave the payout below zero, and no later rule floors it"]
    );
    let rules = "coverage c doc \"c\" pays claim.amount as parcel
compensation cash doc \"a\" add 5 as cash
compensation cash_fee doc \"g\" reduce cash by claim.fee
compensation floor_all doc \"h\" floor at 0";
    assert_eq!(
        lints(FACTS, rules, Lint::NegativeAmount),
        ["21:46 [claim.fee] `cash_fee` can leave the payout component `cash` below zero, and no later rule floors it"]
    );
    assert_eq!(
        help(FACTS, rules, Lint::NegativeAmount),
        "a payout component `cash` below zero is referred to a person; add a later compensation \
         rule `floor cash at 0` to pay nothing instead"
    );
}

// ---- divisors that can be zero -------------------------------------------------

#[test]
fn a_divisor_that_can_be_zero_has_its_code_and_help() {
    let rules = "coverage c doc \"c\" pays claim.amount / claim.n";
    assert_eq!(
        lints(FACTS, rules, Lint::ZeroDivisor),
        ["19:25 [claim.amount / claim.n] this division may divide by zero for some document"]
    );
    assert_eq!(
        help(FACTS, rules, Lint::ZeroDivisor),
        "a document for which it does is referred to a person; to decide it instead, say \
         what zero means: `if x > 0 then a / x else ...`, or `where x > 0` in an aggregate"
    );
    let guarded = "coverage c doc \"c\" when claim.n > 0 pays claim.amount / claim.n";
    assert_eq!(
        lints(FACTS, guarded, Lint::ZeroDivisor),
        Vec::<String>::new()
    );
}

// ---- amounts in each currency ---------------------------------------------------

/// The warnings of one lint in a policy that pays in USD or EUR, as [`lints`] shows them.
fn two_currency_lints(rules: &str, lint: Lint) -> Vec<String> {
    let text = minimal::policy(FACTS, rules).replace(
        "currency USD from currency",
        "currency USD, EUR from currency",
    );
    let set = minimal::compile_text(&text).unwrap_or_else(|e| panic!("{e:?}\n{text}"));
    set.warnings()
        .iter()
        .filter(|w| w.lint == lint)
        .map(shown)
        .collect()
}

#[test]
fn an_amount_in_each_currency_caps_and_reduces_by_the_amounts_it_gives() {
    let rules = "const limit = { USD: 100, EUR: 90 }
const nothing = { USD: 0, EUR: -1 }
const owed = { USD: 5, EUR: -1 }
const back = { USD: -1, EUR: 2 }
coverage c doc \"c\" pays claim.amount
compensation capped doc \"a\" cap at limit
compensation none doc \"b\" reduce by nothing
compensation tiered doc \"c\" cap at max(claim.fee, 0) + limit
compensation owing doc \"d\" cap at owed
compensation giving doc \"e\" reduce by back
compensation owing_less doc \"f\" cap at -limit";
    assert_eq!(
        two_currency_lints(rules, Lint::NegativeAmount),
        [
            "27:35 [owed] `owing` caps the payout at an amount that can be below zero, and no later rule floors it",
            "28:39 [back] `giving` can leave the payout below zero, and no later rule floors it",
            "29:40 [-limit] `owing_less` caps the payout at an amount that can be below zero, and no later rule floors it",
        ]
    );
}

#[test]
fn an_amount_in_each_currency_divides_when_it_is_zero_in_no_currency() {
    let rules = "const limit = { USD: 100, EUR: 90 }
const twice = limit * 2
const partly = { USD: 5, EUR: 0 }
const low = { USD: 0, EUR: -1 }
coverage c doc \"c\" pays claim.amount * (limit / limit) + limit * (claim.amount / twice)
note share doc \"s\" shows claim.amount / partly
note guarded doc \"g\" when claim.amount > limit shows limit / claim.amount
note ungarded doc \"u\" when claim.amount > low shows limit / claim.amount
note bigger doc \"b\" shows claim.amount / max(limit, claim.fee)";
    assert_eq!(
        two_currency_lints(rules, Lint::ZeroDivisor),
        [
            "24:26 [claim.amount / partly] this division may divide by zero for some document",
            "26:53 [limit / claim.amount] this division may divide by zero for some document",
        ]
    );
}

#[test]
fn bounds_in_each_currency_conflict_when_they_do_in_every_currency() {
    let rules = "const limit = { USD: 100, EUR: 90 }
const low = { USD: 10, EUR: 50 }
const high = { USD: 20, EUR: 40 }
exclusion never doc \"a\" when claim.amount > limit and claim.amount < limit
exclusion below doc \"b\" when claim.amount > limit and claim.amount < low
exclusion at doc \"c\" when claim.amount >= limit and claim.amount <= limit
exclusion usd_only doc \"d\" when claim.amount > low and claim.amount < high
exclusion equal doc \"e\" when claim.amount == low and claim.amount == high
exclusion zero doc \"f\" when claim.amount < 0 and claim.amount > limit";
    assert_eq!(
        two_currency_lints(rules, Lint::NeverTrue),
        [
            "22:30 [claim.amount > limit and claim.amount < limit] this condition can never hold: `claim.amount > limit` and `claim.amount < limit` cannot both be true",
            "23:30 [claim.amount > limit and claim.amount < low] this condition can never hold: `claim.amount > limit` and `claim.amount < low` cannot both be true",
            "27:29 [claim.amount < 0 and claim.amount > limit] this condition can never hold: `claim.amount < 0` and `claim.amount > limit` cannot both be true",
        ]
    );
}

// ---- enum values no rule decides -----------------------------------------------

#[test]
fn a_claim_type_no_rule_names() {
    let rules = "exclusion stolen doc \"s\" when claim.type == \"stolen\" and claim.flag
coverage lost doc \"l\" when claim.type == \"lost\" pays claim.amount";
    assert_eq!(
        lints(FACTS, rules, Lint::UnhandledEnumValue),
        ["10:24 [damaged] no coverage, exclusion, referral or fallback names `damaged` of `claim.type`"]
    );
    assert_eq!(
        help(FACTS, rules, Lint::UnhandledEnumValue),
        "coverage rules tell the values of `claim.type` apart, but a document with this one \
         is decided by the fallback alone; cover or exclude it by name, or say that this is \
         meant with a comment `# allow(unhandled-enum-value)` on its line"
    );
    // An enum no coverage condition compares is not a dispatching one.
    let rules = "exclusion stolen doc \"s\" when claim.type == \"stolen\"
coverage all doc \"a\" when claim.n > 0 pays claim.amount";
    assert_eq!(
        lints(FACTS, rules, Lint::UnhandledEnumValue),
        Vec::<String>::new()
    );
}

#[test]
fn every_claim_type_named_or_covered_by_exclusion_of_others() {
    let forms = [
        // Named by a referral, a fallback, a list constant.
        "const covered = [\"lost\"]
referral review doc \"r\" when claim.type == \"stolen\"
coverage lost doc \"l\" when claim.type in covered pays claim.amount
fallback damaged doc \"d\" when claim.type == \"damaged\"
fallback rest doc \"f\"",
        // A coverage condition that excludes a value covers all the others.
        "coverage lost doc \"l\" when claim.type == \"lost\" pays claim.amount
coverage others doc \"o\" when claim.type != \"lost\" and claim.flag pays claim.amount",
    ];
    for rules in forms {
        assert_eq!(
            lints(FACTS, rules, Lint::UnhandledEnumValue),
            Vec::<String>::new(),
            "{rules}"
        );
    }
    let facts = FACTS.replace(
        "enum { lost, damaged, stolen }",
        "enum { lost, damaged,\n      stolen }  # allow(unhandled-enum-value): not covered",
    );
    // Line 10 now holds `lost, damaged` only; `stolen` is allowed on line 11.
    let rules =
        "coverage lost doc \"l\" when claim.type in [\"lost\", \"damaged\"] pays claim.amount";
    assert_eq!(
        lints(&facts, rules, Lint::UnhandledEnumValue),
        Vec::<String>::new()
    );
}

/// The lint tests' facts with an evidence list (one line more: the rules start on line 20).
fn evidence_facts() -> String {
    FACTS.replace(
        "    items:",
        "    evidence: optional list of record { kind: string }\n    items:",
    )
}

/// Rules after `evidence from claim.evidence` (on line 20).
fn with_source(rules: &str) -> String {
    format!("evidence from claim.evidence\n{rules}")
}

#[test]
fn evidence_for_claims_no_coverage_applies_to() {
    // `damaged` claims meet no coverage: the fallback denies them before evidence is asked.
    let rules = "evidence photos doc \"p\" when claim.type == \"damaged\" requires facts(claim.note)
evidence receipt doc \"r\" when claim.type in [\"damaged\", \"stolen\"] and claim.flag
  requires facts(claim.note)
coverage lost doc \"l\" when claim.type == \"lost\" and claim.n > 0 pays claim.amount
coverage other doc \"o\" when claim.type not in [\"lost\", \"damaged\", \"stolen\"] pays claim.amount
fallback rest doc \"f\"";
    assert_eq!(
        lints(
            &evidence_facts(),
            &with_source(rules),
            Lint::UnreachableRule
        ),
        [
            "21:10 [photos] evidence `photos` is never asked for: no coverage rule applies when \
             `claim.type` is `damaged`",
            "22:10 [receipt] evidence `receipt` is never asked for: no coverage rule applies \
             when `claim.type` is one of `damaged`, `stolen`",
        ]
    );
    assert_eq!(
        help(
            &evidence_facts(),
            &with_source("evidence photos doc \"p\" when claim.type == \"damaged\" requires facts(claim.note)
coverage lost doc \"l\" when claim.type == \"lost\" pays claim.amount
fallback rest doc \"f\""),
            Lint::UnreachableRule
        ),
        "evidence is asked only of a claim that some coverage would approve once it arrives, \
         and the fallback denies these claims first; add the coverage rule they need, or \
         remove `photos`"
    );
}

#[test]
fn evidence_some_coverage_may_need_is_left_alone() {
    let forms = [
        // A coverage that names the value, or excludes others, or says nothing of the fact.
        "coverage damaged doc \"d\" when claim.type == \"damaged\" pays claim.amount",
        "coverage others doc \"o\" when claim.type != \"lost\" pays claim.amount",
        "coverage any doc \"a\" when claim.n > 0 pays claim.amount",
        "coverage all doc \"a\" pays claim.amount",
        // An `or`, or a `not`, is not read: it may admit the value.
        "coverage either doc \"e\" when claim.type == \"lost\" or claim.flag pays claim.amount",
        "coverage neither doc \"n\" when not (claim.type == \"lost\") pays claim.amount",
    ];
    for coverage in forms {
        let rules = format!(
            "evidence photos doc \"p\" when claim.type == \"damaged\" requires facts(claim.note)
{coverage}
fallback rest doc \"f\""
        );
        assert_eq!(
            lints(
                &evidence_facts(),
                &with_source(&rules),
                Lint::UnreachableRule
            ),
            Vec::<String>::new(),
            "{rules}"
        );
    }
}

// ---- the command ---------------------------------------------------------------

const WARNED: &str = "tests/lints/warnings.proviso";

#[test]
fn check_prints_warnings_and_exits_0() {
    let run = support::proviso(&["check", WARNED]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout,
        "ok  test/warnings 1  tests/lints/warnings.proviso\n"
    );
    assert_eq!(run.stderr, support::read("tests/lints/warnings.stderr"));
}

#[test]
fn check_deny_warnings_exits_3_when_there_is_any() {
    let run = support::proviso(&["check", "--deny-warnings", WARNED]);
    assert_eq!(run.code, 3);
    let expected = support::read("tests/lints/warnings.stderr").replace(
        "warning: 8 warnings in policies\n",
        "error: 8 warnings in policies, denied by --deny-warnings\n",
    );
    assert_eq!(run.stderr, expected);
    let clean = support::proviso(&["check", "--deny-warnings", "policies"]);
    assert_eq!((clean.code, clean.stderr.as_str()), (0, ""));
}

#[test]
fn an_allow_comment_silences_only_the_lints_it_names_where_it_is() {
    let rules = "coverage first doc \"a\" pays claim.amount
# Kept for the next version of the terms.
# allow(unreachable-rule)
coverage kept doc \"b\" pays claim.amount
coverage other_lint doc \"c\" pays claim.amount  # allow(unused-let)
coverage in_a_string doc \"# allow(unreachable-rule)\" pays claim.amount
coverage below_code doc \"d\" pays claim.amount";
    assert_eq!(
        lints(FACTS, rules, Lint::UnreachableRule),
        [
            "23:10 [other_lint] coverage `other_lint` can never decide: `first` (line 19) always applies first",
            "24:10 [in_a_string] coverage `in_a_string` can never decide: `first` (line 19) always applies first",
            "25:10 [below_code] coverage `below_code` can never decide: `first` (line 19) always applies first",
        ]
    );
}

#[test]
fn check_help_names_the_flag() {
    let run = support::proviso(&["check", "--help"]);
    assert_eq!(run.code, 0);
    assert!(
        run.stdout.contains(
            "--deny-warnings  Exit 3 when there is any warning (warnings are printed either way; \
             without this flag they do not change the exit status)"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn unused_functions_and_what_functions_and_table_rows_use() {
    // `rate` is used by a table row, `line` by the rule; `scaled` only by the unused `spare`,
    // so neither is used by a rule.
    let rules = "const rate = 2%
const factor = 3
let scaled(x) = x * factor
let spare(x) = scaled(x)
let line(i) = i.qty * 2
table fee(value)
  doc \"fees\"
  up to 100: 1
  over 100: rate * value
coverage c doc \"c\" pays fee(claim.amount) * sum(i in claim.items: line(i))";
    assert_eq!(
        lints(FACTS, rules, Lint::UnusedLet),
        [
            "21:5 [scaled] the function `scaled` is never used",
            "22:5 [spare] the function `spare` is never used"
        ]
    );
    // `factor` is read only by `scaled`, which no rule uses.
    assert_eq!(
        lints(FACTS, rules, Lint::UnusedConst),
        ["20:7 [factor] the constant `factor` is never used"]
    );
}
