//! The README's first policy fragment is a policy `proviso check` accepts, laid out as
//! `proviso fmt` lays it out, and it decides.
#![allow(clippy::unwrap_used, clippy::panic)]

use proviso::span::Source;
use proviso::{Document, PolicySet};

#[test]
fn the_readme_policy_fragment_checks_and_decides() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```proviso\n").unwrap() + "```proviso\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let fragment = &readme[start..end];
    assert_eq!(
        proviso::format::layout(&Source::new("README.md", fragment)).unwrap(),
        fragment,
        "the fragment is not laid out"
    );
    let set = PolicySet::from_sources(vec![Source::new("README.md", fragment)])
        .unwrap_or_else(|e| panic!("{}", e.errors[0].message));
    let claim = "policy: xcotton/shipping-protection\norder: {placed_at: 2025-03-01, currency: USD, \
                 items: [{sku: A, quantity: 2, unit_price: \"24.00\", discount: \"4.00\"}]}\n\
                 shipment: {status: in_transit, shipped_at: 2025-03-02}\n\
                 claim: {type: lost, filed_at: 2025-04-10T09:00:00Z, courier_compensation: \"4.00\"}\n";
    let d = set.evaluate(&Document::yaml("claim.yaml", claim)).unwrap();
    assert_eq!(d.decision.as_str(), "approved");
    assert_eq!(
        proviso::decision::format_money(d.payout.unwrap().amount),
        "40.00"
    );
}
