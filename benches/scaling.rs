//! Scaling benchmarks: deciding a lost claim whose order has from 1 to 20,000 lines, and
//! compiling policies of 10 to 1,000 rules.
//!
//! Run with `cargo bench --bench scaling`; see `benches/README.md` for the figures measured.

#![allow(clippy::panic)]

use std::hint::black_box;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use proviso::internals::span::Source;
use proviso::{Document, PolicyErrors, PolicySet};
use rust_decimal::Decimal;
use serde_json::{json, Value};

mod corpus;
use corpus::{policies, quick, Rng};

/// Order sizes for the lost claim.
const LINES: [usize; 5] = [1, 10, 100, 1_000, 20_000];

/// Rule counts for the generated policies.
const RULES: [usize; 3] = [10, 100, 1_000];

/// A lost domestic claim, filed after the waiting period with tracking evidence, whose
/// order has `lines` lines; and the payout it must get (the discounted order value).
fn lost_claim(lines: usize) -> (String, Decimal) {
    let mut r = Rng(0x2545_F491_4F6C_DD1D);
    let mut value = Decimal::ZERO;
    let items: Vec<Value> = (0..lines)
        .map(|k| {
            let quantity = 1 + r.below(3);
            let price = r.cents(5, 200);
            let discount = if r.chance(30) {
                r.cents(0, 5)
            } else {
                "0.00".into()
            };
            let dec = |s: &str| s.parse::<Decimal>().unwrap_or_else(|e| panic!("{s}: {e}"));
            value += Decimal::from(quantity) * dec(&price) - dec(&discount);
            json!({
                "sku": format!("SKU-{k}"),
                "name": format!("Item {k}"),
                "quantity": quantity,
                "unit_price": price,
                "discount": discount,
            })
        })
        .collect();
    let doc = json!({
        "policy": "xcotton/shipping-protection",
        "protection": { "id": "SP-1", "price": "3.99", "purchased_at": "2025-06-01" },
        "order": {
            "id": "XC-1",
            "placed_at": "2025-06-01",
            "currency": "USD",
            "region": "domestic",
            "state": "CA",
            "items": items,
            "shipping_fee": "6.00",
            "tax": "3.60",
        },
        "shipment": {
            "status": "in_transit",
            "carrier": "UPS",
            "tracking_number": "1Z999AA10123456784",
            "shipped_at": "2025-06-02",
            "delivered_at": null,
            "last_update_at": "2025-06-04",
        },
        "claim": {
            "id": "CLM-1",
            "type": "lost",
            "filed_at": "2025-07-10T09:30:00Z",
            "evidence": [{ "kind": "tracking_screenshot", "tracking_number": "1Z999AA10123456784" }],
            "courier_compensation": "0.00",
        },
    });
    (doc.to_string(), value)
}

fn order_lines(c: &mut Criterion) {
    let set = policies();
    let claims: Vec<(usize, String)> = LINES
        .iter()
        .map(|&n| {
            let (json, value) = lost_claim(n);
            let d = set
                .evaluate(&Document::json("lost.json", &json))
                .unwrap_or_else(|e| panic!("{n} lines: {e}"));
            assert_eq!(d.decision.as_str(), "approved", "{n} lines");
            assert_eq!(d.payout.map(|p| p.amount), Some(value), "{n} lines");
            let s = if n == 1 { "" } else { "s" };
            let size = json.len();
            eprintln!("scaling: a lost claim of {n} order line{s} is {size} bytes");
            (n, json)
        })
        .collect();

    let mut g = c.benchmark_group("scaling");
    g.sampling_mode(SamplingMode::Flat);
    for (n, json) in &claims {
        let doc = Document::json("lost.json", json);
        let prepared = set
            .prepare(&doc, None)
            .unwrap_or_else(|e| panic!("{n} lines: {e}"));
        g.throughput(Throughput::Elements(*n as u64));
        g.bench_with_input(BenchmarkId::new("decide_decoded", n), &prepared, |b, p| {
            b.iter(|| black_box(p).decide())
        });
        g.bench_with_input(BenchmarkId::new("evaluate_json", n), &doc, |b, doc| {
            b.iter(|| set.evaluate(black_box(doc)))
        });
    }
    g.finish();
}

/// A policy of `rules` exclusions `when claim.n == K` and a fallback.
fn policy_text(rules: usize) -> String {
    let mut text = String::from(
        "policy \"bench/rules\"\nversion \"1\"\neffective 2025-01-01\ncurrency USD\n\
         doc \"Generated for the compile benchmark.\"\n\n\
         facts {\n  claim: record {\n    n: integer\n  }\n}\n",
    );
    for k in 0..rules {
        text.push_str(&format!(
            "\nexclusion excluded_{k}\n  doc \"A claim numbered {k} is not covered.\"\n  \
             when claim.n == {k}\n"
        ));
    }
    text.push_str("\nfallback not_covered\n  doc \"No other claim is covered either.\"\n");
    text
}

fn compile(policy: &str) -> Result<PolicySet, PolicyErrors> {
    PolicySet::from_sources(vec![Source::new("rules.proviso", policy)])
}

fn rule_counts(c: &mut Criterion) {
    let texts: Vec<(usize, String)> = RULES.iter().map(|&n| (n, policy_text(n))).collect();
    for (n, text) in &texts {
        let set = compile(text).unwrap_or_else(|e| panic!("{n} rules: {e}"));
        for (claim, reason) in [
            (n - 1, format!("excluded_{}", n - 1)),
            (*n, "not_covered".into()),
        ] {
            let doc = format!("{{\"policy\": \"bench/rules\", \"claim\": {{\"n\": {claim}}}}}");
            let d = set
                .evaluate_at(
                    &Document::json("claim.json", &doc),
                    chrono::NaiveDate::from_ymd_opt(2025, 6, 1),
                )
                .unwrap_or_else(|e| panic!("{n} rules, claim {claim}: {e}"));
            assert_eq!(d.decision.as_str(), "denied", "{n} rules, claim {claim}");
            let rules: Vec<&str> = d.reasons.iter().map(|r| &*r.rule).collect();
            assert_eq!(rules, [reason.as_str()], "{n} rules, claim {claim}");
        }
        eprintln!("scaling: a policy of {n} rules is {} bytes", text.len());
    }

    let mut g = c.benchmark_group("compile_rules");
    g.sampling_mode(SamplingMode::Flat);
    for (n, text) in &texts {
        g.throughput(Throughput::Elements(*n as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), text, |b, text| {
            b.iter(|| compile(black_box(text)))
        });
    }
    g.finish();
}

criterion_group! {
    name = benches;
    config = quick();
    targets = order_lines, rule_counts
}
criterion_main!(benches);
