//! Policy versions on disk: which version judges a claim, `--at`, overlap checks, audit identity.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{proviso, proviso_stdin, Run};

/// A shipping claim; the purchase date picks the version.
fn claim(id: &str, purchased_at: &str, rest: &str) -> String {
    format!(
        "policy: xcotton/shipping-protection
protection: {{ id: SP-{id}, price: \"3.99\", purchased_at: {purchased_at} }}
order:
  id: XC-{id}
  placed_at: {purchased_at}
  currency: USD
  region: international
  items: [{{ sku: LAMP-02, quantity: 1, unit_price: \"80.00\" }}]
{rest}"
    )
}

/// Lost abroad, filed 50 days after shipment: past 45 days (2024), short of 60 (2025).
fn lost_international(id: &str, purchased_at: &str) -> String {
    claim(
        id,
        purchased_at,
        "shipment: { status: in_transit, shipped_at: 2025-01-02, tracking_number: T1 }
claim:
  id: CLM-{id}
  type: lost
  filed_at: 2025-02-21T10:00:00Z
  evidence: [{ kind: tracking_screenshot, tracking_number: T1 }]
",
    )
    .replace("{id}", id)
}

/// Extra costs from a strike: covered from 2025 only.
fn disruption(id: &str, purchased_at: &str) -> String {
    claim(
        id,
        purchased_at,
        "shipment: { status: delivered, shipped_at: 2025-01-02, delivered_at: 2025-01-20 }
claim:
  id: CLM-{id}
  type: delivery_disruption
  filed_at: 2025-01-21T10:00:00Z
  extra_costs: \"12.50\"
  evidence: [{ kind: tracking_screenshot }]
",
    )
    .replace("{id}", id)
}

fn decide(doc: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec!["eval", "policies", "-", "--format", "json"];
    args.extend_from_slice(extra);
    let run = proviso_stdin(&args, doc);
    assert_eq!(run.code, 0, "{}", run.stderr);
    match serde_json::from_str(&run.stdout) {
        Ok(v) => v,
        Err(e) => panic!("not JSON ({e}): {}", run.stdout),
    }
}

/// (version, decision, payout, first reason)
fn outcome(d: &serde_json::Value) -> (String, String, String, String) {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (
        s(&d["policy"]["version"]),
        s(&d["decision"]),
        s(&d["payout"]["amount"]),
        s(&d["reasons"][0]["rule"]),
    )
}

fn o(version: &str, decision: &str, payout: &str, rule: &str) -> (String, String, String, String) {
    (version.into(), decision.into(), payout.into(), rule.into())
}

#[test]
fn lost_abroad_at_50_days_is_judged_by_the_terms_bought() {
    let before = decide(&lost_international("A", "2024-12-31"), &[]);
    let after = decide(&lost_international("B", "2025-01-01"), &[]);
    assert_eq!(
        outcome(&before),
        o("2024-01-01", "approved", "80.00", "lost_package")
    );
    assert_eq!(
        outcome(&after),
        o("2025-01-01", "denied", "0.00", "lost_waiting_period")
    );
}

#[test]
fn strikes_are_covered_from_2025_only() {
    let before = decide(&disruption("C", "2024-12-31"), &[]);
    let after = decide(&disruption("D", "2025-01-01"), &[]);
    assert_eq!(
        outcome(&before),
        o("2024-01-01", "denied", "0.00", "not_covered")
    );
    assert_eq!(
        outcome(&after),
        o("2025-01-01", "approved", "12.50", "delivery_disruption")
    );
}

#[test]
fn at_overrides_the_purchase_date_on_both_sides_of_the_boundary() {
    let bought_2024 = lost_international("E", "2024-12-31");
    let bought_2025 = lost_international("F", "2025-01-01");
    assert_eq!(
        outcome(&decide(&bought_2024, &["--at", "2025-01-01"])),
        o("2025-01-01", "denied", "0.00", "lost_waiting_period")
    );
    assert_eq!(
        outcome(&decide(&bought_2025, &["--at", "2024-12-31"])),
        o("2024-01-01", "approved", "80.00", "lost_package")
    );
    assert_eq!(
        outcome(&decide(
            &disruption("G", "2024-06-01"),
            &["--at", "2025-06-01"]
        )),
        o("2025-01-01", "approved", "12.50", "delivery_disruption")
    );
}

#[test]
fn a_date_with_no_version_in_force_is_a_clear_error() {
    let run = proviso_stdin(
        &["eval", "policies", "-", "--format", "json"],
        &lost_international("H", "2023-12-31"),
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    let expected = "no version of `xcotton/shipping-protection` is in force on 2023-12-31 \
                    (versions: 2024-01-01 from 2024-01-01 until 2024-12-31; 2025-01-01 from 2025-01-01)";
    assert!(
        run.stderr
            .contains("no version of `xcotton/shipping-protection` is in force on 2023-12-31"),
        "{}",
        run.stderr
    );
    let line: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(line["document"], "CLM-H");
    assert_eq!(line["error"]["path"], "policy");
    assert_eq!(line["error"]["message"], expected);
}

/// A claim with only the required fields: no protection, no `order.placed_at`.
fn bare_claim(id: &str, filed_at: &str) -> String {
    format!(
        "policy: xcotton/shipping-protection
order:
  id: XC-{id}
  currency: USD
  items: [{{ sku: MUG-01, quantity: 1, unit_price: \"24.00\" }}]
shipment: {{ status: in_transit }}
claim:
  id: CLM-{id}
  type: lost
  filed_at: {filed_at}
"
    )
}

/// (version, in_force_on, date_from) of a decision.
fn picked(d: &serde_json::Value) -> (String, String, String) {
    let s = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    let p = &d["policy"];
    (s(&p["version"]), s(&p["in_force_on"]), s(&p["date_from"]))
}

fn p(version: &str, on: &str, from: &str) -> (String, String, String) {
    (version.into(), on.into(), from.into())
}

#[test]
fn a_claim_without_purchase_dates_is_judged_by_the_terms_in_force_when_filed() {
    let d = decide(&bare_claim("J", "2025-07-10T09:30:00Z"), &[]);
    assert_eq!(
        outcome(&d),
        o("2025-01-01", "denied", "0.00", "no_protection")
    );
    assert_eq!(picked(&d), p("2025-01-01", "2025-07-10", "claim.filed_at"));
    // The filing instant's UTC date counts, on both sides of the boundary between versions.
    let d = decide(&bare_claim("K", "2025-01-01T01:30:00+02:00"), &[]);
    assert_eq!(picked(&d), p("2024-01-01", "2024-12-31", "claim.filed_at"));
    let d = decide(&bare_claim("L", "2024-12-31T23:30:00-01:00"), &[]);
    assert_eq!(picked(&d), p("2025-01-01", "2025-01-01", "claim.filed_at"));
}

#[test]
fn the_version_date_comes_from_at_the_purchase_the_order_the_filing_in_that_order() {
    // Bought 2024-12-31 (2024 terms), ordered and filed in 2025.
    let all = lost_international("M", "2024-12-31")
        .replace("placed_at: 2024-12-31", "placed_at: 2025-01-05");
    let d = decide(&all, &[]);
    assert_eq!(
        picked(&d),
        p("2024-01-01", "2024-12-31", "protection.purchased_at")
    );
    let d = decide(&all, &["--at", "2025-03-01"]);
    assert_eq!(picked(&d), p("2025-01-01", "2025-03-01", "--at"));
    let no_protection = all.replace(
        "protection: { id: SP-M, price: \"3.99\", purchased_at: 2024-12-31 }\n",
        "",
    );
    assert_ne!(no_protection, all);
    let d = decide(&no_protection, &[]);
    assert_eq!(picked(&d), p("2025-01-01", "2025-01-05", "order.placed_at"));
    let d = decide(
        &bare_claim("N", "2025-02-21T10:00:00Z"),
        &["--at", "2024-06-01"],
    );
    assert_eq!(picked(&d), p("2024-01-01", "2024-06-01", "--at"));
}

#[test]
fn a_cancellation_without_purchase_dates_is_judged_by_its_request_date() {
    let doc = "policy: xcotton/product-protection
protection: { id: PP-1, price: \"300.00\", term_days: 365 }
order:
  id: XC-9001
  currency: USD
  items: [{ sku: KETTLE-01, quantity: 1, unit_price: \"79.00\" }]
shipment: { status: delivered }
cancellation: { id: CAN-1, requested_at: 2025-03-03 }
";
    let d = decide(doc, &[]);
    assert_eq!(
        picked(&d),
        p("2025-01-01", "2025-03-03", "cancellation.requested_at")
    );
    assert_eq!(d["decision"], "denied");
    assert_eq!(d["reasons"][0]["rule"], "missing_protection_terms");
}

#[test]
fn a_document_without_any_date_says_which_it_looked_for() {
    let doc = bare_claim("P", "x").replace("  filed_at: x\n", "");
    let run = proviso_stdin(&["eval", "policies", "-", "--format", "json"], &doc);
    assert_eq!(run.code, 4, "{}", run.stderr);
    let message = "cannot tell which policy version applies: the document has no \
                   `protection.purchased_at`, `order.placed_at`, `claim.filed_at` or \
                   `cancellation.requested_at`";
    let line: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(
        line,
        serde_json::json!({
            "document": "CLM-P",
            "error": {"message": message, "path": null},
            "input": {"path": "-", "line": 1}
        })
    );
    let help = "help: give one of these dates, or the date whose terms apply with --at DATE";
    assert!(run.stderr.contains(help), "{}", run.stderr);
    // Given --at, the version is known, and the policy itself asks for the filing instant.
    let run = proviso_stdin(
        &[
            "eval",
            "policies",
            "-",
            "--format",
            "json",
            "--at",
            "2025-07-10",
        ],
        &doc,
    );
    let line: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(
        line["error"],
        serde_json::json!({
            "message": "required field is missing (expected an instant (RFC 3339, like 2025-07-10T09:30:00Z))",
            "path": "claim.filed_at"
        })
    );
}

#[test]
fn a_filing_instant_that_is_not_one_is_refused_when_it_picks_the_version() {
    let run = proviso_stdin(
        &["eval", "policies", "-", "--format", "json"],
        &bare_claim("Q", "yesterday"),
    );
    assert_eq!(run.code, 4, "{}", run.stderr);
    let line: serde_json::Value = serde_json::from_str(&run.stdout).unwrap_or_default();
    assert_eq!(
        line["error"],
        serde_json::json!({
            "message": "expected an instant (RFC 3339, like 2025-07-10T09:30:00Z), found \"yesterday\"",
            "path": "claim.filed_at"
        })
    );
    assert!(run.stderr.contains("-:10:13"), "{}", run.stderr);
}

/// A scratch directory of small policies, removed when dropped.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str, files: &[(&str, &str, &str, &str)]) -> Scratch {
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        for (file, version, effective, until) in files {
            std::fs::write(dir.join(file), tiny(version, effective, until))
                .unwrap_or_else(|e| panic!("{e}"));
        }
        Scratch(dir)
    }

    fn path(&self, file: &str) -> String {
        self.0.join(file).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tiny(version: &str, effective: &str, until: &str) -> String {
    let until = if until.is_empty() {
        String::new()
    } else {
        format!("until {until}\n")
    };
    format!(
        "policy \"acme/tiny\"
version \"{version}\"
effective {effective}
{until}currency USD
doc \"A tiny policy.\"

facts {{
  claim: record {{ id: string }}
}}

fallback not_covered
  doc \"Nothing is covered.\"
"
    )
}

#[test]
fn check_rejects_versions_in_force_on_the_same_day_at_the_later_effective_line() {
    let dir = Scratch::new(
        "overlap",
        &[
            ("v1.proviso", "v1", "2024-01-01", ""),
            ("v2.proviso", "v2", "2025-01-01", ""),
        ],
    );
    let run = proviso(&["check", &dir.0.display().to_string()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    let v1 = dir.path("v1.proviso");
    let v2 = dir.path("v2.proviso");
    assert!(
        run.stderr.contains(&format!("{v2}:3:11")),
        "expected the `effective` line of v2:\n{}",
        run.stderr
    );
    // The help line names a scratch path whose length varies with the checkout's location
    // and the process id, so it may wrap anywhere: compare with whitespace runs collapsed.
    let collapse = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let stderr = collapse(&run.stderr);
    for part in [
        "versions `v1` and `v2` of `acme/tiny` are both in force on 2025-01-01",
        "3 │ effective 2025-01-01",
        "in force from here, while `v1` still is",
        &format!("help: end `v1` ({v1}) with `until 2024-12-31`"),
        "error: 1 error in policies",
    ] {
        // miette wraps a long help (a long scratch path) onto lines indented under it.
        assert!(
            stderr.contains(&collapse(part)),
            "missing {part:?} in\n{}",
            run.stderr
        );
    }
}

#[test]
fn check_accepts_versions_that_end_the_day_before_the_next_starts() {
    let dir = Scratch::new(
        "adjacent",
        &[
            ("v1.proviso", "v1", "2024-01-01", "2024-12-31"),
            ("v2.proviso", "v2", "2025-01-01", ""),
        ],
    );
    let run = proviso(&["check", &dir.0.display().to_string()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn check_rejects_a_version_label_given_twice_at_its_version_line() {
    let dir = Scratch::new(
        "twice",
        &[
            ("a.proviso", "v1", "2024-01-01", "2024-06-30"),
            ("b.proviso", "v1", "2024-07-01", ""),
        ],
    );
    let run = proviso(&["check", &dir.0.display().to_string()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr
            .contains(&format!("{}:2:9", dir.path("b.proviso"))),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("version `v1` of `acme/tiny` is defined twice"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_same_document_and_version_give_byte_identical_json() {
    let args = [
        "eval",
        "policies",
        "examples/shipping/lost-domestic.yaml",
        "--format",
        "json",
    ];
    let first: Run = proviso(&args);
    let second: Run = proviso(&args);
    assert_eq!(first.code, 0, "{}", first.stderr);
    assert!(!first.stdout.is_empty());
    assert_eq!(first.stdout.as_bytes(), second.stdout.as_bytes());
    let d: serde_json::Value = serde_json::from_str(&first.stdout).unwrap_or_default();
    let source = std::fs::read(
        support::root().join("policies/xcotton/shipping-protection/2025-01-01.proviso"),
    )
    .unwrap_or_default();
    assert_eq!(d["policy"]["name"], "xcotton/shipping-protection");
    assert_eq!(d["policy"]["version"], "2025-01-01");
    assert_eq!(
        d["policy"]["sha256"],
        proviso::internals::compile::hash(&source, &[])
    );
}

const V2024: &str = "policies/xcotton/shipping-protection/2024-01-01.proviso";
const V2025: &str = "policies/xcotton/shipping-protection/2025-01-01.proviso";

fn sha(file: &str) -> String {
    proviso::internals::compile::hash(support::read(file).as_bytes(), &[])
}

#[test]
fn versions_lists_every_version_with_its_dates_and_hash() {
    let run = proviso(&["versions", "policies/xcotton/shipping-protection"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let (a, b) = (sha(V2024), sha(V2025));
    let pad = " ".repeat(64 - "sha256".len());
    let expected = format!(
        "name                         version     effective   until       sha256{pad}  file
xcotton/shipping-protection  2024-01-01  2024-01-01  2024-12-31  {a}  {V2024}
xcotton/shipping-protection  2025-01-01  2025-01-01  open        {b}  {V2025}
"
    );
    assert_eq!(run.stdout, expected);
}

#[test]
fn versions_as_json_lines() {
    let run = proviso(&[
        "versions",
        "policies/xcotton/shipping-protection",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let rows: Vec<serde_json::Value> = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(
        rows,
        [
            serde_json::json!({
                "name": "xcotton/shipping-protection", "version": "2024-01-01",
                "effective": "2024-01-01", "until": "2024-12-31",
                "sha256": sha(V2024), "file": V2024,
            }),
            serde_json::json!({
                "name": "xcotton/shipping-protection", "version": "2025-01-01",
                "effective": "2025-01-01", "until": null,
                "sha256": sha(V2025), "file": V2025,
            }),
        ]
    );
}

#[test]
fn versions_of_an_invalid_tree_exits_3() {
    let dir = Scratch::new(
        "versions-overlap",
        &[
            ("v1.proviso", "v1", "2024-01-01", ""),
            ("v2.proviso", "v2", "2024-02-01", ""),
        ],
    );
    let run = proviso(&["versions", &dir.0.display().to_string()]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stdout, "");
}
