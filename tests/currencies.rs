//! Policies that pay in several currencies: the header's list (`currency USD, EUR from
//! order.currency`) or any currency (`currency from order.currency`), amounts per currency
//! (`const delay_fee = { USD: 5, EUR: 5 }`) read in the document's currency, the checker's
//! refusal of amounts that name no currency, and the layout of the new forms.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{compile_text, located, one_error, policy_errors, FILE};
use proviso::internals::span::Source;
use proviso::{format_money, Decision, Document};

/// A policy with `header` as its currency line, an order with a currency and a value, a
/// claim type, and `items` (constants and rules).
fn policy(header: &str, items: &str) -> String {
    format!(
        "policy \"test/policy\"\nversion \"1\"\neffective 2025-01-01\n{header}\n\
         doc \"A policy for tests.\"\nfacts {{\n  order: record {{\n    currency: optional string\n    \
         value: money\n  }}\n  claim: record {{\n    type: enum {{ late, lost }}\n  }}\n}}\n\
         {items}\nfallback not_covered doc \"Nothing matched.\"\n"
    )
}

/// The delay compensation of the task: a fixed amount in each currency plus the order's value.
const DELAY: &str = "const delay_fee = { USD: 5, EUR: 5 }
coverage late_delivery
  doc \"A late parcel is compensated with {delay_fee} plus the order's value.\"
  when claim.type == \"late\"
  pays delay_fee + order.value";

/// Decides a late claim on an order of `value` in `currency` (`None`: the order states none).
fn decide(text: &str, currency: Option<&str>, value: &str) -> Decision {
    let set = compile_text(text).unwrap_or_else(|e| {
        let shown: Vec<String> = e.iter().map(located).collect();
        panic!("{shown:?}\n{text}")
    });
    let currency = currency.map_or(String::new(), |c| format!("\n  currency: {c}"));
    let doc =
        format!("policy: test/policy\norder:{currency}\n  value: {value}\nclaim:\n  type: late\n");
    let at = chrono::NaiveDate::from_ymd_opt(2025, 6, 1);
    set.evaluate_at(&Document::yaml("doc.yaml", &doc), at)
        .unwrap_or_else(|e| panic!("not decided: {e}"))
}

/// Outcome, payout amount and currency.
fn outcome(d: &Decision) -> (String, String, String) {
    let p = d.payout.as_ref().expect("a claim has a payout");
    (
        d.decision.as_str().to_string(),
        format_money(p.amount),
        p.currency.to_string(),
    )
}

/// `line:col` of the first `needle` in `text`.
fn at(text: &str, needle: &str) -> String {
    let i = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} not in\n{text}"));
    let (line, col) = Source::new(FILE, text).line_col(i);
    format!("{line}:{col}")
}

const SEVERAL: &str = "an amount in a policy that pays in several currencies says which currency";

#[test]
fn a_two_currency_policy_pays_in_the_documents_currency() {
    let text = policy("currency USD, EUR from order.currency", DELAY);
    let usd = decide(&text, Some("USD"), "20.00");
    assert_eq!(
        outcome(&usd),
        ("approved".into(), "25.00".into(), "USD".into())
    );
    let eur = decide(&text, Some("EUR"), "18.40");
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "23.40".into(), "EUR".into())
    );
    // The clause text is the same for every document: the amounts as written.
    assert_eq!(
        &*eur.reasons[0].text,
        "A late parcel is compensated with USD 5, EUR 5 plus the order's value."
    );
    assert_eq!(eur.reasons[0].text, usd.reasons[0].text);
}

#[test]
fn each_currency_reads_its_own_amount() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "const delay_fee = { USD: 5, EUR: 4.50 }
coverage late_delivery doc \"Pays {delay_fee}.\" when claim.type == \"late\" pays delay_fee",
    );
    let usd = decide(&text, Some("USD"), "20");
    assert_eq!(
        outcome(&usd),
        ("approved".into(), "5.00".into(), "USD".into())
    );
    let eur = decide(&text, Some("EUR"), "20");
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "4.50".into(), "EUR".into())
    );
    assert_eq!(&*eur.reasons[0].text, "Pays USD 5, EUR 4.50.");
}

#[test]
fn a_document_in_a_currency_the_list_leaves_out_is_referred() {
    let text = policy("currency USD, EUR from order.currency", DELAY);
    let gbp = decide(&text, Some("GBP"), "20.00");
    assert_eq!(
        outcome(&gbp),
        ("referred".into(), "0.00".into(), "GBP".into())
    );
    let r = &gbp.reasons[0];
    assert_eq!((&*r.rule, &*r.kind), ("currency", "currency"));
    assert_eq!(
        &*r.text,
        "This policy pays and refunds in USD or EUR; the document's amounts are in `GBP` \
         (`order.currency`), so a person settles the exchange."
    );
    assert_eq!(
        &*r.source,
        format!("{FILE}:{}", at(&text, "order.currency"))
    );
    let none = decide(&text, None, "20.00");
    assert_eq!(
        outcome(&none),
        ("referred".into(), "0.00".into(), "USD".into())
    );
    assert_eq!(
        &*none.reasons[0].text,
        "This policy pays and refunds in USD or EUR; the document does not state the \
         currency of its amounts (`order.currency`), so a person establishes it."
    );
}

#[test]
fn three_listed_currencies_are_named_in_the_referral() {
    let text = policy(
        "currency USD, EUR, CAD from order.currency",
        "const fee = { USD: 5, EUR: 5, CAD: 7 }
coverage late doc \"late\" when claim.type == \"late\" pays fee",
    );
    let cad = decide(&text, Some("CAD"), "1");
    assert_eq!(
        outcome(&cad),
        ("approved".into(), "7.00".into(), "CAD".into())
    );
    let jpy = decide(&text, Some("JPY"), "1");
    assert_eq!(
        &*jpy.reasons[0].text,
        "This policy pays and refunds in USD, EUR or CAD; the document's amounts are in \
         `JPY` (`order.currency`), so a person settles the exchange."
    );
}

#[test]
fn any_currency_pays_in_the_documents_currency() {
    let text = policy("currency from order.currency", DELAY);
    let eur = decide(&text, Some("EUR"), "10");
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "15.00".into(), "EUR".into())
    );
    let usd = decide(&text, Some("USD"), "10");
    assert_eq!(
        outcome(&usd),
        ("approved".into(), "15.00".into(), "USD".into())
    );
}

#[test]
fn any_currency_refers_a_document_whose_currency_the_constant_lacks() {
    let text = policy("currency from order.currency", DELAY);
    let gbp = decide(&text, Some("GBP"), "10");
    assert_eq!(
        outcome(&gbp),
        ("referred".into(), "0.00".into(), "GBP".into())
    );
    let failed: Vec<_> = gbp.reasons.iter().filter(|r| r.failure.is_some()).collect();
    assert_eq!(failed.len(), 1, "{:?}", gbp.reasons);
    assert_eq!(&*failed[0].rule, "late_delivery");
    let f = failed[0].failure.as_ref().unwrap();
    assert_eq!(
        f.message,
        "`delay_fee` has no amount in GBP, the document's currency; it gives USD, EUR"
    );
    assert_eq!(
        f.source.as_deref(),
        Some(format!("{FILE}:{}", at(&text, "const delay_fee")).as_str())
    );
}

#[test]
fn any_currency_refers_a_document_without_a_currency_code() {
    let text = policy("currency from order.currency", DELAY);
    let lower = decide(&text, Some("eur"), "10");
    assert_eq!(
        outcome(&lower),
        ("referred".into(), "0.00".into(), "XXX".into())
    );
    assert_eq!(
        &*lower.reasons[0].text,
        "This policy pays and refunds in the currency the document states; `eur` \
         (`order.currency`) is not a currency code of three capital letters, so a person \
         establishes the currency."
    );
    let none = decide(&text, None, "10");
    assert_eq!(
        outcome(&none),
        ("referred".into(), "0.00".into(), "XXX".into())
    );
    assert_eq!(
        &*none.reasons[0].text,
        "This policy pays and refunds in the currency the document states; the document \
         does not state the currency of its amounts (`order.currency`), so a person \
         establishes it."
    );
}

#[test]
fn a_constant_computed_from_amounts_is_read_in_the_documents_currency() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "const fee = { USD: 5, EUR: 4 }
const twice = fee * 2
coverage late doc \"Pays {twice}.\" when claim.type == \"late\" pays twice",
    );
    let eur = decide(&text, Some("EUR"), "1");
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "8.00".into(), "EUR".into())
    );
    assert_eq!(&*eur.reasons[0].text, "Pays USD 10.00, EUR 8.00.");
    let usd = decide(&text, Some("USD"), "1");
    assert_eq!(
        outcome(&usd),
        ("approved".into(), "10.00".into(), "USD".into())
    );
}

#[test]
fn a_constant_computed_from_amounts_is_quoted_as_its_amount_in_each_currency() {
    // Written amounts are quoted as written, also through a constant that names them; a
    // computed constant as the decision shows its value in each currency, as a computed
    // duration reads "2 days".
    let items = "const fee = { USD: 5, EUR: 4.50 }
const other = { EUR: 1, USD: 2, GBP: 3 }
const twice = fee * 2
const same = fee
const third = fee / 3
const both = other + fee
const rate = fee / fee
coverage late
  doc \"{fee}; {twice}; {same}; {third}; {both}; {rate}.\"
  when claim.type == \"late\"
  pays twice + same + third + both";
    let text = policy("currency from order.currency", items);
    let eur = decide(&text, Some("EUR"), "1");
    assert_eq!(
        &*eur.reasons[0].text,
        "USD 5, EUR 4.50; USD 10.00, EUR 9.00; USD 5, EUR 4.50; USD 1.67, EUR 1.50; \
         EUR 5.50, USD 7.00; USD 1, EUR 1."
    );
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "20.50".into(), "EUR".into())
    );
}

#[test]
fn a_constant_computed_from_amounts_that_fails_in_a_currency_is_an_error() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "const fee = { USD: 5, EUR: 0 }
const share = fee / fee
coverage late doc \"late\" when claim.type == \"late\" pays order.value * share",
    );
    let errs: Vec<String> = policy_errors(&text).iter().map(located).collect();
    assert_eq!(
        errs,
        [format!(
            "{} constant `share` cannot be evaluated in EUR: division by zero",
            at(&text, "const share")
        )]
    );
}

#[test]
fn zero_and_numbers_that_are_not_money_need_no_currency() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "const fee = { USD: 5, EUR: 5 }
coverage late doc \"late\" when claim.type == \"late\" and order.value > 0
  pays order.value * 0.5 + fee
compensation floor doc \"never below nothing\" floor at 0",
    );
    let eur = decide(&text, Some("EUR"), "10");
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "10.00".into(), "EUR".into())
    );
}

#[test]
fn a_plain_amount_in_a_several_currency_policy_is_an_error() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "coverage late doc \"late\" when claim.type == \"late\" pays order.value
compensation cap doc \"cap\" cap at 500",
    );
    assert_eq!(
        one_error(&text),
        (
            format!("{} {SEVERAL}", at(&text, "500")),
            "500".into(),
            "name it in each currency, `const amount = { USD: 500, EUR: 500 }`, and write \
             `amount` here"
                .into()
        )
    );
}

#[test]
fn a_plain_amount_in_an_any_currency_policy_is_an_error() {
    let text = policy(
        "currency from order.currency",
        "coverage late doc \"late\" when claim.type == \"late\" pays 5",
    );
    assert_eq!(
        one_error(&text),
        (
            format!("{} {SEVERAL}", at(&text, "5\n")),
            "5".into(),
            "name it in each currency, `const amount = { USD: 5, EUR: 5 }`, and write \
             `amount` here"
                .into()
        )
    );
}

#[test]
fn a_money_constant_written_as_a_number_is_an_error_where_it_is_money() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "const fee = 7.50
coverage late doc \"late\" when claim.type == \"late\" pays order.value - fee",
    );
    assert_eq!(
        one_error(&text),
        (
            format!("{} {SEVERAL}", at(&text, "fee\n")),
            "fee".into(),
            "write `fee` in each currency: `const fee = { USD: 7.50, EUR: 7.50 }`".into()
        )
    );
}

#[test]
fn comparisons_defaults_tables_and_fallbacks_need_a_currency_too() {
    let cases = [
        (
            "coverage late doc \"late\" when order.value >= 100 pays order.value",
            "100",
        ),
        (
            "const hundred = { USD: 100, EUR: 100 }
table tier(v) -> money doc \"tiers\" up to hundred: 0 over hundred: 20
coverage late doc \"late\" when claim.type == \"late\" pays tier(order.value)",
            "20",
        ),
        (
            "coverage late doc \"late\" when claim.type == \"late\" pays min(order.value, 250)",
            "250",
        ),
        (
            "coverage late doc \"late\" when claim.type == \"late\"
  pays if order.value > 0 then order.value else 3",
            "3",
        ),
    ];
    for (items, amount) in cases {
        let text = policy("currency USD, EUR from order.currency", items);
        let (message, underlined, _) = one_error(&text);
        assert_eq!(underlined, amount, "{text}");
        assert!(message.ends_with(SEVERAL), "{message}");
    }
}

/// Fees banded by the order's value, bounds and fees given in each currency.
const BANDED: &str = "const small = { USD: 100, EUR: 90 }
const large = { USD: 1000, EUR: 900 }
const low_fee = { USD: 5, EUR: 4.50 }
const high_fee = { USD: 20, EUR: 18 }
table fee(value) -> money
  doc \"Orders up to {small}: {low_fee}; up to {large}: {high_fee}; above: 10%.\"
  up to 0: 0
  over 0 up to small: low_fee
  over small up to large: high_fee
  over large: 10% of value
coverage late doc \"late\" when claim.type == \"late\" pays fee(order.value)";

#[test]
fn a_table_looks_up_an_amount_between_bounds_in_the_documents_currency() {
    let text = policy("currency USD, EUR from order.currency", BANDED);
    let cases = [
        ("USD", "95", "5.00"),
        ("EUR", "95", "18.00"),
        ("EUR", "90", "4.50"),
        ("EUR", "90.01", "18.00"),
        ("USD", "1000", "20.00"),
        ("USD", "2000", "200.00"),
        ("EUR", "950", "95.00"),
        ("EUR", "0", "0.00"),
    ];
    for (currency, value, paid) in cases {
        let d = decide(&text, Some(currency), value);
        assert_eq!(
            outcome(&d),
            ("approved".into(), paid.into(), currency.into()),
            "{currency} {value}"
        );
    }
    // With any currency, a document in one a bound does not give is referred.
    let any = policy("currency from order.currency", BANDED);
    let gbp = decide(&any, Some("GBP"), "50");
    assert_eq!(
        outcome(&gbp),
        ("referred".into(), "0.00".into(), "GBP".into())
    );
    let failed: Vec<_> = gbp
        .reasons
        .iter()
        .filter_map(|r| r.failure.as_ref())
        .collect();
    assert_eq!(
        failed[0].message,
        "`small` has no amount in GBP, the document's currency; it gives USD, EUR"
    );
    assert_eq!(
        failed[0].source.as_deref(),
        Some(format!("{FILE}:{}", at(&any, "const small")).as_str())
    );
}

#[test]
fn a_plain_table_bound_on_an_amount_in_a_several_currency_policy_is_an_error() {
    let items = "const fee = { USD: 5, EUR: 5 }
table tier(value) doc \"tiers\" up to 0: 1 over 0 up to 100: 2 over 100: 3
coverage late doc \"late\" when tier(order.value) > 1 and tier(order.value * 2) > 1 pays fee";
    for header in [
        "currency USD, EUR from order.currency",
        "currency from order.currency",
    ] {
        let text = policy(header, items);
        let errs = policy_errors(&text);
        let shown: Vec<String> = errs.iter().map(located).collect();
        assert_eq!(
            shown,
            [
                format!("{} {SEVERAL}", at(&text, "100: 2")),
                format!("{} {SEVERAL}", at(&text, "100: 3")),
            ],
            "{text}"
        );
        let line = at(&text, "tier(order.value)")
            .split(':')
            .next()
            .unwrap()
            .to_string();
        assert_eq!(
            errs[0].help.as_deref(),
            Some(
                format!(
                    "`tier` looks up an amount (`tier(order.value)`, line {line}): name the \
                     bound in each currency, `const bound = {{ USD: 100, EUR: 100 }}`, and \
                     write `up to bound`"
                )
                .as_str()
            )
        );
        assert_eq!(errs[0].label, "in no currency");
        assert!(
            errs[1]
                .help
                .as_deref()
                .unwrap()
                .ends_with("write `over bound`"),
            "{:?}",
            errs[1].help
        );
    }
    // The same table looking up a number that is not an amount needs no currency.
    let counts = policy(
        "currency USD, EUR from order.currency",
        &items.replace(
            "tier(order.value) > 1 and tier(order.value * 2) > 1",
            "tier(order.value / fee) > 1",
        ),
    );
    assert_eq!(policy_errors(&counts).len(), 0, "{counts}");
    // And a policy that pays in one currency keeps plain bounds on amounts.
    let one = policy(
        "currency USD from order.currency",
        &items.replace("{ USD: 5, EUR: 5 }", "5"),
    );
    assert_eq!(policy_errors(&one).len(), 0, "{one}");
}

#[test]
fn a_table_bound_is_a_number_or_an_amount_in_each_currency() {
    // A plain constant, and one computed from amounts in each currency.
    for limit in [
        "const limit = 100",
        "const base = { USD: 50, EUR: 45 }\nconst limit = base * 2",
    ] {
        let text = policy(
            "currency USD, EUR from order.currency",
            &format!(
                "{limit}
table tier(value) doc \"tiers\" up to limit: 1 over limit: 2
coverage late doc \"late\" when tier(order.value) > 1 pays order.value"
            ),
        );
        a_bound_that_is_neither(&text);
    }
}

/// The error of a policy whose first bound is neither a number nor written in each currency.
fn a_bound_that_is_neither(text: &str) {
    let errs = policy_errors(text);
    let shown: Vec<String> = errs.iter().map(located).collect();
    assert_eq!(
        shown,
        [format!(
            "{} a table bound is a number, or a constant written as an amount in each currency",
            at(text, "limit: 1")
        )]
    );
    assert_eq!(
        errs[0].help.as_deref(),
        Some(
            "write the number, like `up to 500`, or name an amount in each currency, \
             `const bound = { USD: 500, EUR: 500 }`, and write `up to bound`"
        )
    );
}

#[test]
fn bounds_in_each_currency_look_up_amounts_only() {
    let text = policy("currency USD, EUR from order.currency", BANDED);
    let literal = text.replace("pays fee(order.value)", "pays fee(2)");
    assert_eq!(
        one_error(&literal),
        (
            format!("{} {SEVERAL}", at(&literal, "2)")),
            "2".into(),
            "name it in each currency, `const amount = { USD: 2, EUR: 2 }`, and write \
             `amount` here"
                .into()
        )
    );
    let rate = text.replace(
        "pays fee(order.value)",
        "pays fee(order.value / small) * small",
    );
    assert_eq!(
        one_error(&rate),
        (
            format!(
                "{} table `fee` looks up an amount (its bounds are amounts in each currency), \
                 but this is decimal",
                at(&rate, "order.value / small")
            ),
            "order.value / small".into(),
            "look up an amount, or write the bounds as numbers".into()
        )
    );
}

#[test]
fn rows_between_bounds_in_each_currency_leave_no_gap_and_no_overlap_in_any() {
    let header = "currency USD, EUR from order.currency";
    let consts = "const small = { USD: 100, EUR: 90 }
const wider = { USD: 100, EUR: 95 }
const narrower = { USD: 100, EUR: 80 }
";
    let cases = [
        (
            "up to small: 1 over wider: 2",
            "wider: 2",
            "gap between `small` (EUR 90) and `wider` (EUR 95)",
            "start this row `over small`",
        ),
        (
            "under small: 1 from narrower: 2",
            "narrower: 2",
            "this row overlaps the previous one, which goes under `small` (EUR 90): this one \
             starts at `narrower` (EUR 80)",
            "start this row `from small`",
        ),
        (
            "up to small: 1 from small: 2",
            "small: 2",
            "`small` falls in two rows: the previous row goes up to it, and this one starts \
             from it",
            "start this row `over small`",
        ),
        (
            "up to small: 1 over small up to small: 2 over small: 3",
            "small: 2",
            "`small` is not above `small`",
            "",
        ),
        (
            "under wider: 1 from wider up to narrower: 2 over narrower: 3",
            "narrower: 2",
            "`narrower` (EUR 80) is not above `wider` (EUR 95)",
            "",
        ),
        (
            "up to 0: 1 over small: 2",
            "small: 2",
            "gap between 0 and `small` (USD 100)",
            "start this row `over 0`",
        ),
    ];
    for (rows, at_text, message, help) in cases {
        let text = policy(
            header,
            &format!(
                "{consts}table tier(value) doc \"tiers\" {rows}
coverage late doc \"late\" when tier(order.value) > 1 pays order.value"
            ),
        );
        assert_eq!(
            one_error(&text),
            (
                format!("{} {message}", at(&text, at_text)),
                at_text.split(':').next().unwrap().into(),
                help.into()
            ),
            "{text}"
        );
    }
}

#[test]
fn a_one_currency_policy_keeps_plain_amounts() {
    let text = policy(
        "currency USD from order.currency",
        "coverage late doc \"late\" when claim.type == \"late\" pays order.value + 5
compensation cap doc \"cap\" cap at 500",
    );
    let usd = decide(&text, Some("USD"), "1000");
    assert_eq!(
        outcome(&usd),
        ("approved".into(), "500.00".into(), "USD".into())
    );
    let eur = decide(&text, Some("EUR"), "1000");
    assert_eq!(
        outcome(&eur),
        ("referred".into(), "0.00".into(), "EUR".into())
    );
    assert_eq!(
        &*eur.reasons[0].text,
        "This policy pays and refunds in USD; the document's amounts are in `EUR` \
         (`order.currency`), so a person settles the exchange."
    );
}

#[test]
fn a_per_currency_constant_gives_every_listed_currency() {
    let text = policy(
        "currency USD, EUR, CAD from order.currency",
        "const delay_fee = { USD: 5 }
coverage late doc \"late\" when claim.type == \"late\" pays delay_fee",
    );
    assert_eq!(
        one_error(&text),
        (
            format!(
                "{} `delay_fee` gives no amount in `EUR`, `CAD`, which this policy pays in",
                at(&text, "{ USD: 5 }")
            ),
            "{ USD: 5 }".into(),
            "give an amount in every currency the header lists: add `EUR: ..., CAD: ...`".into()
        )
    );
}

#[test]
fn a_per_currency_constant_names_currencies_the_policy_pays_in_once() {
    let header = "currency USD, EUR from order.currency";
    let rules = "coverage late doc \"late\" when claim.type == \"late\" pays fee";
    let text = policy(
        header,
        &format!("const fee = {{ USD: 5, EUR: 5, GBP: 4 }}\n{rules}"),
    );
    assert_eq!(
        one_error(&text),
        (
            format!("{} this policy does not pay in `GBP`", at(&text, "GBP")),
            "GBP".into(),
            "the header lists USD, EUR: add `GBP` there, or remove this amount".into()
        )
    );
    let text = policy(
        header,
        &format!("const fee = {{ USD: 5, EUR: 5, USD: 6 }}\n{rules}"),
    );
    assert_eq!(
        one_error(&text),
        (
            format!("{} `USD` is given twice in `fee`", at(&text, "USD: 6")),
            "USD".into(),
            "give each currency's amount once".into()
        )
    );
    let text = policy(
        header,
        &format!("const fee = {{ USD: 5, eur: 5 }}\n{rules}"),
    );
    let errs: Vec<String> = policy_errors(&text).iter().map(located).collect();
    assert_eq!(
        errs,
        [
            format!("{} `eur` is not a currency code", at(&text, "eur")),
            format!(
                "{} `fee` gives no amount in `EUR`, which this policy pays in",
                at(&text, "{ USD")
            ),
        ]
    );
}

#[test]
fn an_amount_in_each_currency_is_a_number_written_out() {
    let rules = "coverage late doc \"late\" when claim.type == \"late\" pays fee";
    for (amount, what) in [
        ("\"x\"", "a string"),
        ("order.value", "a name"),
        ("2 * 3", "a computation"),
        ("5%", "a percentage"),
        ("-order.value", "a computation"),
    ] {
        let text = policy(
            "currency USD, EUR from order.currency",
            &format!("const fee = {{ USD: 5, EUR: {amount} }}\n{rules}"),
        );
        assert_eq!(
            one_error(&text),
            (
                format!(
                    "{} an amount in each currency is a number written out",
                    at(&text, &format!("{amount} }}"))
                ),
                amount.to_string(),
                "write `fee`'s amount in EUR as a number, like `EUR: 5` or `EUR: 4.50` \
                 (`EUR: -5` below zero)"
                    .into()
            ),
            "{text}"
        );
        let errs: Vec<String> = policy_errors(&text)
            .iter()
            .map(|e| e.label.clone())
            .collect();
        assert_eq!(errs, [format!("{what}, not a number")]);
    }
}

#[test]
fn an_amount_in_each_currency_may_be_below_zero() {
    let text = policy(
        "currency USD, EUR from order.currency",
        "const adjustment = { USD: -1, EUR: -2.50 }
coverage late doc \"Pays the order's value {adjustment}.\" when claim.type == \"late\"
  pays order.value + adjustment",
    );
    let eur = decide(&text, Some("EUR"), "20");
    assert_eq!(
        outcome(&eur),
        ("approved".into(), "17.50".into(), "EUR".into())
    );
    assert_eq!(
        &*eur.reasons[0].text,
        "Pays the order's value USD -1, EUR -2.50."
    );
    let usd = decide(&text, Some("USD"), "20");
    assert_eq!(
        outcome(&usd),
        ("approved".into(), "19.00".into(), "USD".into())
    );
    use proviso::internals::format;
    let laid = format::layout(&Source::new(
        "a.proviso",
        text.replace("{ USD: -1, EUR: -2.50 }", "{USD:-1,EUR:  -2.50}")
            .as_str(),
    ))
    .unwrap();
    assert!(
        laid.contains("\nconst adjustment = { USD: -1, EUR: -2.50 }\n"),
        "{laid}"
    );
}

#[test]
fn the_header_lists_codes_once_and_names_the_currency_fact() {
    let rules = "coverage late doc \"late\" when claim.type == \"late\" pays order.value";
    let text = policy("currency USD, EUR", rules);
    assert_eq!(
        one_error(&text),
        (
            format!(
                "{} a policy that pays in several currencies names the fact that states a \
                 document's currency",
                at(&text, "USD, EUR")
            ),
            "USD, EUR".into(),
            "write `currency USD, EUR from order.currency`".into()
        )
    );
    let text = policy("currency USD, USD from order.currency", rules);
    assert_eq!(
        one_error(&text),
        (
            format!("{} `USD` is listed twice", at(&text, "USD from")),
            "USD".into(),
            "list each currency once".into()
        )
    );
    let text = policy("currency USD, euro from order.currency", rules);
    assert_eq!(
        one_error(&text).0,
        format!("{} `euro` is not a currency code", at(&text, "euro"))
    );
}

#[test]
fn broken_per_currency_forms_are_diagnosed_without_panicking() {
    let rules = "coverage late doc \"late\" when claim.type == \"late\" pays order.value";
    for broken in [
        "const fee = { USD: }",
        "const fee = { USD 5 }",
        "const fee = { }",
        "const fee = { USD: 5, EUR: order.value }",
        "const fee = { USD: 5 } + 1",
        "coverage x doc \"x\" pays { USD: 5 }",
    ] {
        let text = policy(
            "currency USD, EUR from order.currency",
            &format!("{broken}\n{rules}"),
        );
        let errs = policy_errors(&text);
        assert!(!errs.is_empty(), "{text}");
    }
    for header in [
        "currency from",
        "currency , from order.currency",
        "currency USD,",
    ] {
        let text = policy(header, rules);
        assert!(!policy_errors(&text).is_empty(), "{text}");
    }
}

#[test]
fn the_new_forms_are_laid_out_and_printed_back_to_the_same_tree() {
    use proviso::internals::{diff, format, parse, print};
    let text = policy(
        "currency   USD ,EUR   from order.currency",
        "const  fee={USD:5,EUR:4.50 ,}\ncoverage late doc \"late\" when claim.type == \"late\" pays fee",
    );
    let laid = format::layout(&Source::new("a.proviso", text.as_str())).unwrap();
    assert!(
        laid.contains("\ncurrency USD, EUR from order.currency\n"),
        "{laid}"
    );
    assert!(
        laid.contains("\nconst fee = { USD: 5, EUR: 4.50 }\n"),
        "{laid}"
    );
    assert_eq!(
        format::layout(&Source::new("b.proviso", laid.as_str())).unwrap(),
        laid
    );
    let any = policy("currency  from  order.currency", DELAY);
    let laid_any = format::layout(&Source::new("a.proviso", any.as_str())).unwrap();
    assert!(
        laid_any.contains("\ncurrency from order.currency\n"),
        "{laid_any}"
    );
    for text in [text, any] {
        let parsed = parse::parse_file(&Source::new("a.proviso", text.as_str())).unwrap();
        let printed = print::policy(&parsed);
        let reparsed = parse::parse_file(&Source::new("p.proviso", printed.as_str()))
            .unwrap_or_else(|e| panic!("{e:?}\n{printed}"));
        assert_eq!(print::policy(&reparsed), printed);
        assert_eq!(diff::diff(&parsed, &reparsed), diff::PolicyDiff::default());
        assert!(compile_text(&printed).is_ok(), "{printed}");
    }
}

#[test]
fn diff_names_a_change_of_currencies_and_of_amounts() {
    use proviso::internals::{diff, parse};
    let old = policy("currency USD, EUR from order.currency", DELAY);
    let new = policy(
        "currency from order.currency",
        &DELAY.replace("EUR: 5", "EUR: 6"),
    );
    let a = parse::parse_file(&Source::new("old.proviso", old.as_str())).unwrap();
    let b = parse::parse_file(&Source::new("new.proviso", new.as_str())).unwrap();
    let d = diff::diff(&a, &b);
    let header: Vec<_> = d
        .header
        .iter()
        .map(|c| (c.name.as_str(), c.old.as_deref(), c.new.as_deref()))
        .collect();
    assert_eq!(
        header,
        [(
            "currency",
            Some("USD, EUR from order.currency"),
            Some("from order.currency")
        )]
    );
    let constants: Vec<_> = d
        .constants
        .iter()
        .map(|c| (c.name.as_str(), c.old.as_deref(), c.new.as_deref()))
        .collect();
    assert_eq!(
        constants,
        [(
            "delay_fee",
            Some("{ USD: 5, EUR: 5 }"),
            Some("{ USD: 5, EUR: 6 }")
        )]
    );
}
