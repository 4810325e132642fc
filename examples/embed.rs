//! Embedding the engine: load the bundled policies, decide a claim held in a string, and
//! read the decision back from its JSON. Run it with `cargo run --example embed`.

use std::process::ExitCode;

use proviso::{Decimal, Decision, Document, PolicySet, Report};

/// A lost parcel under Xcotton's shipping protection (`examples/shipping/lost-domestic.yaml`,
/// shortened): two mugs at 24.00 less 4.00 discount.
const CLAIM: &str = r#"
policy: xcotton/shipping-protection
protection: {id: SP-1, price: "3.99", purchased_at: 2025-06-01}
order:
  id: XC-100234
  placed_at: 2025-06-01
  currency: USD
  region: domestic
  items:
    - {sku: MUG-01, quantity: 2, unit_price: "24.00", discount: "4.00"}
shipment: {status: in_transit, shipped_at: 2025-06-02, last_update_at: 2025-06-04}
claim:
  id: CLM-0001
  type: lost
  filed_at: 2025-07-10T09:30:00Z
  evidence:
    - {kind: tracking_screenshot, updated_at: 2025-06-04}
  courier_compensation: "0.00"
"#;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(report) => {
            // A policy or document error, drawn with its place, the text underlined, and help.
            eprintln!("{report:?}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Report> {
    let policies = concat!(env!("CARGO_MANIFEST_DIR"), "/policies");
    let set = PolicySet::load(policies)?;
    let decision = set.evaluate(&Document::yaml("claim.yaml", CLAIM))?;

    let payout: Decimal = decision.payout.as_ref().map_or(Decimal::ZERO, |p| p.amount);
    println!("{}: {}", decision.document, decision.decision);
    println!("payout: {payout}");
    for reason in &decision.reasons {
        println!("because: {} {}", reason.kind, reason.rule);
    }

    // The JSON of `proviso eval --format json`, and the decision read back from it.
    let json = serde_json::to_string(&decision).map_err(Report::msg)?;
    let read: Decision = serde_json::from_str(&json).map_err(Report::msg)?;
    let again = serde_json::to_string(&read).map_err(Report::msg)?;
    println!(
        "read back: {} {}, same JSON: {}",
        read.decision,
        read.payout.map_or(Decimal::ZERO, |p| p.amount),
        again == json
    );
    Ok(())
}
