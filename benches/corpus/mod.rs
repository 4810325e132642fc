//! Shared by the benchmarks: the bundled policies, and 1,000 generated JSON Lines claims.
//!
//! Each benchmark target includes this module with `mod corpus;` and uses part of it.

#![allow(dead_code)]

use std::path::PathBuf;

use chrono::{NaiveDate, TimeDelta};
use criterion::Criterion;
use std::io::Write;

use proviso::{Document, PolicySet};
use serde_json::{json, Value};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn policies() -> PolicySet {
    match PolicySet::load(root().join("policies")) {
        Ok(set) => set,
        Err(e) => panic!("bundled policies do not load: {e}"),
    }
}

/// A small deterministic generator, so every run benchmarks the same claims.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }

    pub fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }

    pub fn cents(&mut self, low: u64, high: u64) -> String {
        let c = low * 100 + self.below((high - low) * 100);
        format!("{}.{:02}", c / 100, c % 100)
    }
}

pub const TYPES: [&str; 10] = [
    "lost",
    "lost",
    "lost",
    "delivered_not_received",
    "damaged",
    "partial_loss",
    "wrong_address",
    "delivery_disruption",
    "return_damaged",
    "wrong_item",
];

/// One claim in the shape of `examples/shipping/lost-domestic.yaml`, varied by `i`.
pub fn claim(i: usize, r: &mut Rng) -> Value {
    let kind = r.pick(&TYPES);
    let region = if r.chance(80) {
        "domestic"
    } else {
        "international"
    };
    let purchased = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap_or_default()
        + TimeDelta::days(r.below(300) as i64);
    let shipped = purchased + TimeDelta::days(1 + r.below(3) as i64);
    let filed = shipped + TimeDelta::days(5 + r.below(90) as i64);
    let lines = 1 + r.below(4) as usize;
    let items: Vec<Value> = (0..lines)
        .map(|k| {
            let mut item = json!({
                "sku": format!("SKU-{k}"),
                "name": format!("Item {k}"),
                "quantity": 1 + r.below(3),
                "unit_price": r.cents(5, 200),
            });
            if r.chance(30) {
                item["discount"] = json!(r.cents(0, 5));
            }
            item
        })
        .collect();
    let status = match kind {
        "delivered_not_received" | "damaged" | "wrong_item" => "delivered",
        "return_damaged" => "returned",
        _ if r.chance(5) => r.pick(&["label_created", "seized", "refused"]),
        _ => "in_transit",
    };
    let mut evidence = Vec::new();
    if r.chance(92) {
        evidence.push(json!({
            "kind": "tracking_screenshot",
            "tracking_number": format!("1Z{i:016}"),
            "updated_at": (shipped + TimeDelta::days(2)).to_string(),
        }));
    }
    let mut claim = json!({
        "id": format!("CLM-{i:05}"),
        "type": kind,
        "filed_at": format!("{filed}T{:02}:{:02}:00Z", r.below(24), r.below(60)),
        "description": "Generated for the benchmark.",
        "courier_compensation": if r.chance(20) { r.cents(0, 30) } else { "0.00".into() },
    });
    match kind {
        "delivered_not_received" if r.chance(85) => {
            evidence.push(json!({ "kind": r.pick(&["police_report", "theft_video"]) }));
        }
        "damaged" => {
            claim["damage"] = json!(r.pick(&["full", "partial"]));
            claim["items"] = json!([{ "sku": "SKU-0", "quantity": 1 }]);
            let sides = if r.chance(80) { 6 } else { 4 };
            evidence.push(json!({ "kind": "package_photos", "sides": sides }));
            evidence.push(json!({ "kind": "damage_photos" }));
        }
        "partial_loss" => {
            claim["items"] = json!([{ "sku": format!("SKU-{}", r.below(lines as u64)) }]);
            if r.chance(85) {
                evidence.push(json!({ "kind": "weight_proof" }));
            }
        }
        "wrong_address" => {
            claim["address_error"] = json!(if r.chance(85) { "carrier" } else { "customer" });
            let traceable = r.chance(50);
            claim["traceable"] = json!(traceable);
            if traceable {
                claim["reship_cost"] = json!(r.cents(5, 25));
            }
            evidence.push(json!({ "kind": "order_screenshot" }));
        }
        "delivery_disruption" => claim["extra_costs"] = json!(r.cents(1, 40)),
        "return_damaged" => {
            let restockable = r.chance(50);
            claim["restockable"] = json!(restockable);
            claim["return_shipping"] = json!(r.cents(3, 15));
            claim["part_costs"] = json!(r.cents(0, 10));
            if !restockable {
                claim["salvage_value"] = json!(r.cents(0, 5));
            }
            evidence.push(json!({ "kind": "damage_photos" }));
        }
        _ => {}
    }
    claim["evidence"] = json!(evidence);
    let mut shipment = json!({
        "status": status,
        "carrier": r.pick(&["UPS", "USPS", "FedEx", "DHL"]),
        "tracking_number": format!("1Z{i:016}"),
        "shipped_at": shipped.to_string(),
        "delivered_at": null,
        "last_update_at": (shipped + TimeDelta::days(2)).to_string(),
    });
    if status == "delivered" {
        shipment["delivered_at"] = json!((shipped + TimeDelta::days(4)).to_string());
    }
    json!({
        "policy": "xcotton/shipping-protection",
        "protection": {
            "id": format!("SP-{i:05}"),
            "price": r.cents(1, 10),
            "purchased_at": purchased.to_string(),
        },
        "order": {
            "id": format!("XC-{i:06}"),
            "placed_at": purchased.to_string(),
            "currency": if r.chance(3) { "EUR" } else { "USD" },
            "region": region,
            "state": r.pick(&["CA", "TX", "NY", "FL", "IL"]),
            "items": items,
            "shipping_fee": r.cents(0, 12),
            "tax": r.cents(0, 20),
        },
        "shipment": shipment,
        "claim": claim,
    })
}

/// The criterion settings of the benchmarks: a short warm-up and measurement, so that a
/// full run stays short.
pub fn quick() -> Criterion {
    Criterion::default()
        .warm_up_time(std::time::Duration::from_millis(500))
        .measurement_time(std::time::Duration::from_secs(3))
        .sample_size(30)
}

/// `n` varied claims, one JSON object per line.
pub fn batch(n: usize) -> String {
    let mut r = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::new();
    for i in 0..n {
        out.push_str(&claim(i, &mut r).to_string());
        out.push('\n');
    }
    out
}

/// Evaluates every line as `proviso eval --format json` does, each decision written by
/// `Decision::write_json` as the command writes it; returns the bytes written.
pub fn evaluate_lines(set: &PolicySet, text: &str, out: &mut Vec<u8>) -> usize {
    out.clear();
    for (i, line) in text.lines().enumerate() {
        let doc = Document::json(format!("batch.jsonl:{}", i + 1), line);
        match set.evaluate(&doc) {
            Ok(d) => {
                let _ = d.write_json(&mut *out);
            }
            Err(e) => {
                let _ = write!(
                    out,
                    "{}",
                    json!({ "document": e.document, "error": e.message })
                );
            }
        }
        out.push(b'\n');
    }
    out.len()
}
