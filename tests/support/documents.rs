//! Proptest strategies for valid claim and cancellation documents, for each bundled policy.
//!
//! Every document generated fits its policy's `facts` block (only declared fields, each of
//! its declared type) and has a version in force, so it always gets a decision; what the
//! decision is varies: claim types, shipment statuses, dates, order lines with awkward
//! quantities (3 and 7 units), prices and discounts, claimed items, evidence lists,
//! courier compensation, resolutions, cancellations early and late. Amounts are written
//! as strings or as JSON numbers, optional fields are left out or written as `null`.
//! Documents are `serde_json::Value`s; `serde_json::to_string` gives one line of JSON
//! Lines. Include this file with `#[path = "support/documents.rs"] mod documents;`.

#![allow(dead_code)]

use chrono::{Duration, NaiveDate};
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::{json, Map, Value};

/// The bundled policies documents are generated for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    /// `xcotton/shipping-protection` (2024 and 2025 terms).
    Shipping,
    /// `xcotton/product-protection`.
    Product,
    /// `marketplace/shipping-insurance`.
    Marketplace,
}

impl Policy {
    pub const ALL: [Policy; 3] = [Policy::Shipping, Policy::Product, Policy::Marketplace];

    /// The name a document gives in its `policy` field.
    pub fn name(self) -> &'static str {
        match self {
            Policy::Shipping => "xcotton/shipping-protection",
            Policy::Product => "xcotton/product-protection",
            Policy::Marketplace => "marketplace/shipping-insurance",
        }
    }

    /// The first day a version of the policy is in force.
    fn first_day(self) -> NaiveDate {
        let year = if self == Policy::Shipping { 2024 } else { 2025 };
        NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or_default()
    }

    fn claim_types(self) -> &'static [&'static str] {
        match self {
            Policy::Shipping => &[
                "lost",
                "delivered_not_received",
                "damaged",
                "partial_loss",
                "wrong_address",
                "delivery_disruption",
                "return_damaged",
                "wrong_item",
            ],
            Policy::Product => &["product"],
            Policy::Marketplace => &["logistics_abnormality", "product_damage"],
        }
    }

    /// Evidence kinds the policy's rules ask for, and one they never name.
    fn evidence_kinds(self) -> &'static [&'static str] {
        match self {
            Policy::Shipping => &[
                "tracking_screenshot",
                "police_report",
                "theft_video",
                "package_photos",
                "damage_photos",
                "weight_proof",
                "order_screenshot",
                "receipt",
            ],
            Policy::Product => &[
                "incident_description",
                "damage_media",
                "serial_number",
                "receipt",
            ],
            Policy::Marketplace => &[
                "logistics_screenshot",
                "unboxing_video",
                "courier_chat",
                "product_photos",
                "receipt",
            ],
        }
    }
}

/// Any valid document: any bundled policy, a claim or a cancellation.
pub fn document() -> BoxedStrategy<Value> {
    select(Policy::ALL.to_vec())
        .prop_flat_map(document_for)
        .boxed()
}

/// A valid claim or cancellation for `policy` (claims four times as often).
pub fn document_for(policy: Policy) -> BoxedStrategy<Value> {
    prop_oneof![4 => claim(policy), 1 => cancellation(policy)].boxed()
}

/// A valid claim for `policy`: half of them plausible (see [`plausible`]), the others
/// drawn field by field, so that most are denied, referred or incomplete.
pub fn claim(policy: Policy) -> BoxedStrategy<Value> {
    with_dates(policy, move |d| {
        let body = match policy {
            Policy::Shipping => shipping_claim(d),
            Policy::Product => product_claim(d),
            Policy::Marketplace => marketplace_claim(d),
        };
        (
            envelope(policy, d, ("claim", body)),
            any::<bool>(),
            any::<u64>(),
        )
            .prop_map(move |(mut doc, tidy, seed)| {
                if tidy {
                    plausible(policy, d, &mut doc, seed);
                }
                doc
            })
            .boxed()
    })
}

/// Takes away what most often denies a claim, so that many are approved: the protection
/// is bought with the order, the order is in US dollars, the parcel has shipped, the
/// claimed items are in the order, the evidence is all there, the damage is not the
/// customer's doing, and (product protection) the cause is covered and the incident falls
/// in the term. What is left varies as before: type, status, amounts, items, resolution.
pub fn plausible(policy: Policy, d: Dates, doc: &mut Value, seed: u64) {
    let day = |n: i64| date(d.shipped + Duration::days(n));
    let instant = |n: i64| Value::from(format!("{}T12:00:00Z", d.shipped + Duration::days(n)));
    let pick = |options: &[&'static str], salt: u32| -> Value {
        options[(seed >> salt) as usize % options.len()].into()
    };
    let mut protection = json!({"id": "PR-1", "price": "3.99", "purchased_at": date(d.placed)});
    if policy == Policy::Product {
        protection["term_days"] = 365.into();
    }
    doc["protection"] = protection;
    doc["order"]["currency"] = "USD".into();
    doc["shipment"]["shipped_at"] = day(0);
    let skus: Vec<Value> = doc["order"]["items"]
        .as_array()
        .map(|items| items.iter().map(|i| i["sku"].clone()).collect())
        .unwrap_or_default();
    let evidence: Vec<Value> = policy
        .evidence_kinds()
        .iter()
        .map(|kind| match policy {
            Policy::Product => json!({"kind": kind}),
            Policy::Shipping => json!({"kind": kind, "tracking_number": "1Z999AA10123456784",
                                       "updated_at": day(1), "sides": 6}),
            Policy::Marketplace => json!({"kind": kind, "tracking_number": "1Z999AA10123456784",
                                          "updated_at": day(0), "sides_shown": 6,
                                          "label_visible": true, "continuous": true}),
        })
        .collect();
    // Filed a week to two months after shipping (shipping protection: after the waiting
    // period for lost parcels, 70 to 100 days).
    let filed = match policy {
        Policy::Shipping => 70 + (seed % 30) as i64,
        _ => 7 + (seed % 50) as i64,
    };
    let claim = &mut doc["claim"];
    if let Some(items) = claim.get_mut("items").and_then(Value::as_array_mut) {
        items.retain(|c| skus.contains(&c["sku"]));
        items
            .iter_mut()
            .filter_map(Value::as_object_mut)
            .for_each(|c| {
                c.remove("quantity");
            });
    }
    if let Some(c) = claim.as_object_mut() {
        c.remove("pre_existing_damage");
        c.remove("address_error");
    }
    claim["filed_at"] = instant(filed);
    claim["evidence"] = Value::Array(evidence);
    let claim_type = claim["type"].clone();
    match policy {
        Policy::Shipping => {
            claim["damage"] = pick(&["full", "partial"], 8);
            claim["traceable"] = true.into();
            if claim
                .get("items")
                .is_none_or(|i| i.as_array().is_none_or(Vec::is_empty))
            {
                claim["items"] = json!([{"sku": skus.first().cloned().unwrap_or_default()}]);
            }
            doc["order"]["region"] = pick(&["domestic", "international"], 16);
            doc["shipment"]["status"] = pick(&["in_transit", "delivered"], 24);
        }
        Policy::Product => {
            claim["cause"] = pick(&CAUSES[..12], 8);
            claim["incident_at"] = day(filed - 1 - (seed >> 40) as i64 % 5);
            if claim.get("resolution").is_none_or(Value::is_null) {
                claim["resolution"] = pick(&["cash", "reship", "parts", "parts_and_cash"], 16);
            }
            if claim.get("amount_requested").is_none_or(Value::is_null) {
                claim["amount_requested"] = "25.00".into();
            }
        }
        Policy::Marketplace => {
            doc["shipment"]["last_update_at"] = day(0);
            doc["shipment"]["status"] = if claim_type == "logistics_abnormality" {
                "in_transit".into()
            } else {
                "delivered".into()
            };
        }
    }
}

/// A valid cancellation for `policy`.
pub fn cancellation(policy: Policy) -> BoxedStrategy<Value> {
    with_dates(policy, move |d| {
        let requested = day(d.purchased, -3..400);
        let body = if policy == Policy::Product {
            (id("CAN"), requested, opt(money()))
                .prop_map(|(id, requested_at, paid)| {
                    fields([
                        ("id", Some(id)),
                        ("requested_at", Some(requested_at)),
                        ("paid_claims", paid),
                    ])
                })
                .boxed()
        } else {
            (id("CAN"), requested)
                .prop_map(|(id, requested_at)| json!({"id": id, "requested_at": requested_at}))
                .boxed()
        };
        envelope(policy, d, ("cancellation", body))
    })
}

/// The days a document's dates are counted from.
#[derive(Clone, Copy, Debug)]
pub struct Dates {
    /// The day the order is placed.
    pub placed: NaiveDate,
    /// The day the protection is bought: the order's day, or the day before or after.
    pub purchased: NaiveDate,
    /// The day the parcel ships (stated or not).
    pub shipped: NaiveDate,
}

fn with_dates(
    policy: Policy,
    then: impl Fn(Dates) -> BoxedStrategy<Value> + 'static,
) -> BoxedStrategy<Value> {
    (2i64..700, -1i64..=1, 0i64..6)
        .prop_flat_map(move |(start, bought, ships)| {
            let placed = policy.first_day() + Duration::days(start);
            then(Dates {
                placed,
                purchased: placed + Duration::days(bought),
                shipped: placed + Duration::days(ships),
            })
        })
        .boxed()
}

/// The top level: `policy`, `protection`, `order`, `shipment`, and the claim or
/// cancellation. The version is picked by `protection.purchased_at`, or without it by
/// `order.placed_at`, so at least one of them is stated.
fn envelope(
    policy: Policy,
    d: Dates,
    (key, body): (&'static str, BoxedStrategy<Value>),
) -> BoxedStrategy<Value> {
    (
        protection(policy, d),
        order(),
        shipment(d),
        body,
        any::<bool>(),
    )
        .prop_map(
            move |(protection, mut order, shipment, body, placed_stated)| {
                let dated = protection
                    .as_ref()
                    .is_some_and(|p| p.get("purchased_at").is_some_and(|v| !v.is_null()));
                if let Some(o) = order.as_object_mut() {
                    if placed_stated || !dated {
                        o.insert("placed_at".into(), date(d.placed));
                    }
                }
                let mut doc = Map::new();
                doc.insert("policy".into(), policy.name().into());
                if let Some(p) = protection {
                    doc.insert("protection".into(), p);
                }
                doc.insert("order".into(), order);
                doc.insert("shipment".into(), shipment);
                doc.insert(key.into(), body);
                Value::Object(doc)
            },
        )
        .boxed()
}

fn protection(policy: Policy, d: Dates) -> impl Strategy<Value = Option<Value>> {
    let term = if policy == Policy::Product {
        opt(prop_oneof![Just(365), Just(730), Just(30), 1i64..1100].prop_map(Value::from)).boxed()
    } else {
        Just(None).boxed()
    };
    let record = (
        opt(id("PR")),
        opt(prop_oneof![
            3 => select(vec!["3.99", "19.99", "300.00", "0.00", "0.01", "49.995"]).prop_map(Value::from),
            1 => money(),
        ]),
        opt(Just(date(d.purchased))),
        term,
    )
        .prop_map(|(id, price, purchased_at, term_days)| {
            fields([
                ("id", id),
                ("price", price),
                ("purchased_at", purchased_at),
                ("term_days", term_days),
            ])
        });
    prop_oneof![6 => record.prop_map(Some), 1 => Just(None)]
}

/// Skus order lines and claimed items are drawn from: a claimed item is usually, not
/// always, in the order, and one sku may be on two lines.
const SKUS: [&str; 4] = ["MUG-01", "LAMP-02", "TEE-01", "KETTLE-01"];

fn order() -> impl Strategy<Value = Value> {
    (
        id("XC"),
        prop_oneof![8 => Just("USD"), 1 => Just("EUR")],
        opt(select(vec!["domestic", "international"]).prop_map(Value::from)),
        opt(select(vec!["CA", "FL", "IL", "NY", "TX", "OK", " ca", ""]).prop_map(Value::from)),
        prop::collection::vec(order_line(), 1..5),
        opt(money()),
        opt(money()),
    )
        .prop_map(|(id, currency, region, state, items, fee, tax)| {
            fields([
                ("id", Some(id)),
                ("currency", Some(currency.into())),
                ("region", region),
                ("state", state),
                ("items", Some(Value::Array(items))),
                ("shipping_fee", fee),
                ("tax", tax),
            ])
        })
}

/// One order line: quantity x unit price, less a discount between nothing and the line.
fn order_line() -> impl Strategy<Value = Value> {
    (
        select(SKUS.to_vec()),
        opt(
            select(vec!["Stoneware mug", "Desk lamp", "Tee", "Électrique 電気"])
                .prop_map(Value::from),
        ),
        prop_oneof![Just(1i64), Just(2), Just(3), Just(7), 1i64..13],
        prop_oneof![
            select(vec![
                0i64, 1, 999, 2400, 3333, 7900, 50000, 50001, 199_999, 200_001
            ]),
            0i64..500_000,
        ],
        prop_oneof![Just(0u8), Just(1), Just(2), 3u8..=100],
        any::<bool>(),
    )
        .prop_map(|(sku, name, quantity, cents, share, numeric)| {
            let line = quantity * cents;
            // No discount, one cent, or a share (in percent) of the line.
            let discount = match share {
                0 => None,
                1 => Some(line.min(1)),
                2 => Some(line / 3),
                p => Some(line * i64::from(p) / 100),
            };
            fields([
                ("sku", Some(sku.into())),
                ("name", name),
                ("quantity", Some(quantity.into())),
                ("unit_price", Some(amount(cents, numeric))),
                ("discount", discount.map(|c| amount(c, numeric))),
            ])
        })
}

const STATUSES: [&str; 7] = [
    "label_created",
    "pre_shipment",
    "in_transit",
    "delivered",
    "returned",
    "refused",
    "seized",
];

fn shipment(d: Dates) -> impl Strategy<Value = Value> {
    (
        prop_oneof![3 => Just("in_transit"), 3 => Just("delivered"), 2 => select(STATUSES.to_vec())],
        opt(select(vec!["UPS", "USPS", "DHL"]).prop_map(Value::from)),
        opt(Just(Value::from("1Z999AA10123456784"))),
        prop_oneof![5 => Just(true), 1 => Just(false)],
        opt(day(d.shipped, 1..12)),
        opt(day(d.shipped, 0..40)),
    )
        .prop_map(move |(status, carrier, tracking, shipped, delivered, update)| {
            fields([
                ("status", Some(status.into())),
                ("carrier", carrier),
                ("tracking_number", tracking),
                ("shipped_at", shipped.then(|| date(d.shipped))),
                ("delivered_at", delivered),
                ("last_update_at", update),
            ])
        })
}

fn shipping_claim(d: Dates) -> BoxedStrategy<Value> {
    let costs = (
        opt(money()),
        opt(money()),
        opt(any::<bool>().prop_map(Value::from)),
        opt(money()),
        opt(money()),
        opt(money()),
    );
    let facts = (
        opt(select(vec!["full", "partial"]).prop_map(Value::from)),
        opt(select(vec!["carrier", "customer"]).prop_map(Value::from)),
        opt(any::<bool>().prop_map(Value::from)),
        opt(any::<bool>().prop_map(Value::from)),
        opt(courier_compensation()),
    );
    (common(Policy::Shipping, d), costs, facts)
        .prop_map(|(mut claim, costs, facts)| {
            let (reship, extra, restockable, ret, parts, salvage) = costs;
            let (damage, address_error, traceable, pre_existing, courier) = facts;
            extend(
                &mut claim,
                [
                    ("reship_cost", reship),
                    ("extra_costs", extra),
                    ("restockable", restockable),
                    ("return_shipping", ret),
                    ("part_costs", parts),
                    ("salvage_value", salvage),
                    ("damage", damage),
                    ("address_error", address_error),
                    ("traceable", traceable),
                    ("pre_existing_damage", pre_existing),
                    ("courier_compensation", courier),
                ],
            );
            claim
        })
        .boxed()
}

const CAUSES: [&str; 15] = [
    "wear_and_tear",
    "manufacturing_defect",
    "design_flaw",
    "environmental_conditions",
    "power_supply_failure",
    "circuit_fault",
    "component_failure",
    "power_surge",
    "drop",
    "screen_crack",
    "liquid_spill",
    "battery_external_force",
    "incorrect_operation",
    "battery_degradation",
    "cosmic_rays",
];

fn product_claim(d: Dates) -> BoxedStrategy<Value> {
    (
        common(Policy::Product, d),
        opt(select(CAUSES.to_vec()).prop_map(Value::from)),
        opt(day(d.shipped, -3..400)),
        opt(money()),
        opt(select(vec!["cash", "reship", "parts", "parts_and_cash"]).prop_map(Value::from)),
        opt(money()),
    )
        .prop_map(
            |(mut claim, cause, incident, requested, resolution, paid)| {
                extend(
                    &mut claim,
                    [
                        ("cause", cause),
                        ("incident_at", incident),
                        ("amount_requested", requested),
                        ("resolution", resolution),
                        ("paid_claims", paid),
                    ],
                );
                claim
            },
        )
        .boxed()
}

fn marketplace_claim(d: Dates) -> BoxedStrategy<Value> {
    (
        common(Policy::Marketplace, d),
        opt(select(vec!["carrier", "customer"]).prop_map(Value::from)),
        opt(any::<bool>().prop_map(Value::from)),
        opt(courier_compensation()),
    )
        .prop_map(|(mut claim, address_error, pre_existing, courier)| {
            extend(
                &mut claim,
                [
                    ("address_error", address_error),
                    ("pre_existing_damage", pre_existing),
                    ("courier_compensation", courier),
                ],
            );
            claim
        })
        .boxed()
}

/// What every claim has: id, type, filing instant, description, claimed items, evidence.
fn common(policy: Policy, d: Dates) -> impl Strategy<Value = Value> {
    (
        id("CLM"),
        select(policy.claim_types().to_vec()),
        instant(d.shipped, 0..120),
        opt(select(vec![
            "Parcel never arrived.",
            "Box crushed; mug broken.",
            "",
        ])
        .prop_map(Value::from)),
        opt(prop::collection::vec(claimed_item(), 0..4).prop_map(Value::Array)),
        opt(prop::collection::vec(evidence(policy, d), 0..5).prop_map(Value::Array)),
    )
        .prop_map(|(id, kind, filed_at, description, items, evidence)| {
            fields([
                ("id", Some(id)),
                ("type", Some(kind.into())),
                ("filed_at", Some(filed_at)),
                ("description", description),
                ("items", items),
                ("evidence", evidence),
            ])
        })
}

fn claimed_item() -> impl Strategy<Value = Value> {
    (
        prop_oneof![8 => select(SKUS.to_vec()), 1 => Just("SOCK-99")],
        opt(prop_oneof![Just(1i64), Just(3), Just(7), 0i64..9].prop_map(Value::from)),
    )
        .prop_map(|(sku, quantity)| fields([("sku", Some(sku.into())), ("quantity", quantity)]))
}

fn evidence(policy: Policy, d: Dates) -> impl Strategy<Value = Value> {
    (
        select(policy.evidence_kinds().to_vec()),
        opt(Just(Value::from("1Z999AA10123456784"))),
        opt(day(d.shipped, 0..30)),
        opt(prop_oneof![Just(6i64), Just(4), 0i64..9].prop_map(Value::from)),
        opt(any::<bool>().prop_map(Value::from)),
        opt(any::<bool>().prop_map(Value::from)),
    )
        .prop_map(move |(kind, tracking, updated, sides, label, continuous)| {
            let mut e = json!({ "kind": kind });
            match policy {
                Policy::Product => {}
                Policy::Shipping => extend(
                    &mut e,
                    [
                        ("tracking_number", tracking),
                        ("updated_at", updated),
                        ("sides", sides),
                    ],
                ),
                Policy::Marketplace => extend(
                    &mut e,
                    [
                        ("tracking_number", tracking),
                        ("updated_at", updated),
                        ("sides_shown", sides),
                        ("label_visible", label),
                        ("continuous", continuous),
                    ],
                ),
            }
            e
        })
}

fn courier_compensation() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::from("0.00")),
        Just(Value::from("500.00")),
        Just(Value::from("0.01")),
        money(),
    ]
}

/// An amount of money: a few awkward ones, or any number of cents up to 10,000.00,
/// written as a string or as a JSON number.
pub fn money() -> impl Strategy<Value = Value> {
    prop_oneof![
        select(vec![
            "0", "0.00", "0.01", "0.005", "9.99", "33.33", "500.00", "500.01", "2000.00",
            "2000.01", "1999.995",
        ])
        .prop_map(Value::from),
        (0i64..1_000_000, any::<bool>()).prop_map(|(cents, numeric)| amount(cents, numeric)),
    ]
}

/// Cents as a money amount with two decimals.
fn amount(cents: i64, numeric: bool) -> Value {
    let text = format!("{}.{:02}", cents / 100, cents % 100);
    if numeric {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    } else {
        Value::String(text)
    }
}

fn id(prefix: &'static str) -> impl Strategy<Value = Value> {
    (0u32..100_000).prop_map(move |n| Value::from(format!("{prefix}-{n:05}")))
}

fn date(d: NaiveDate) -> Value {
    Value::from(d.format("%Y-%m-%d").to_string())
}

/// A date some days after `from`.
fn day(from: NaiveDate, days: std::ops::Range<i64>) -> impl Strategy<Value = Value> {
    days.prop_map(move |n| date(from + Duration::days(n)))
}

/// An instant some days after `from`, at any second of the day, in UTC or with an offset.
fn instant(from: NaiveDate, days: std::ops::Range<i64>) -> impl Strategy<Value = Value> {
    (
        days,
        0u32..86_400,
        select(vec!["Z", "Z", "+02:00", "-08:00"]),
    )
        .prop_map(move |(n, second, zone)| {
            let d = from + Duration::days(n);
            let (h, m, s) = (second / 3600, second / 60 % 60, second % 60);
            Value::from(format!(
                "{}T{h:02}:{m:02}:{s:02}{zone}",
                d.format("%Y-%m-%d")
            ))
        })
}

/// An optional field: absent (`None`), `null`, or a value.
fn opt<S: Strategy<Value = Value>>(s: S) -> impl Strategy<Value = Option<Value>> {
    prop_oneof![3 => Just(None), 1 => Just(Some(Value::Null)), 6 => s.prop_map(Some)]
}

/// A record of the fields that are given.
fn fields<const N: usize>(entries: [(&str, Option<Value>); N]) -> Value {
    let mut v = Value::Object(Map::new());
    extend(&mut v, entries);
    v
}

fn extend<const N: usize>(record: &mut Value, entries: [(&str, Option<Value>); N]) {
    if let Some(map) = record.as_object_mut() {
        for (k, v) in entries {
            if let Some(v) = v {
                map.insert(k.into(), v);
            }
        }
    }
}
