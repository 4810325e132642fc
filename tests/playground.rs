//! The playground of `proviso serve` over real HTTP on 127.0.0.1: the page at `/` (whole,
//! with nothing fetched from elsewhere), the example documents, decisions of a policy sent
//! in the request as `proviso eval` prints them for the same text, the diagnostics of a
//! broken one (at most 50 of them, and a policy no larger than a policy file), hook files
//! taken from the request only, and diffs as `proviso diff` prints them.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};
use support::http::{scratch_with_policies, Server};

const JSON: &str = "application/json";
const PRODUCT: &str = "policies/xcotton/product-protection/2025-01-01.proviso";
const ADMIN_FEE: &str = "policies/xcotton/product-protection/admin-fee.rhai";
const CAPPED: &str = "examples/cancellations/after-60-days-fl-fee-capped-at-50.yaml";

/// Runs the binary with `args` in `dir`: its standard output.
fn proviso_in(dir: &Path, args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// Posts `body` as JSON to a playground endpoint.
fn post(server: &Server, path: &str, body: &Value) -> support::http::Response {
    server.post(path, JSON, body.to_string().as_bytes())
}

#[test]
fn the_page_is_served_whole_and_fetches_nothing_from_elsewhere() {
    let dir = scratch_with_policies("playground-page");
    let server = Server::start(&dir, &["policies"]);
    let r = server.get("/");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/html; charset=utf-8"));
    assert_eq!(
        r.header("content-security-policy"),
        Some("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'")
    );
    let page = r.text();
    assert_eq!(page, support::read("src/serve/playground/index.html"));
    assert!(page.starts_with("<!doctype html>"));
    assert!(page.contains("<title>Proviso playground</title>"));
    for external in [
        "http://", "https://", "//fonts.", "@import", "url(", "src=", "href=",
    ] {
        assert!(!page.contains(external), "the page holds `{external}`");
    }
    // Every endpoint the page calls is served.
    for called in [
        "\"/v1/policies\"",
        "\"/v1/policies/\"",
        "\"/v1/playground/examples\"",
        "\"/v1/playground/decide\"",
        "\"/v1/playground/diff\"",
    ] {
        assert!(page.contains(called), "{called}");
    }
}

#[test]
fn the_examples_are_the_repositorys_files() {
    let dir = scratch_with_policies("playground-examples");
    let server = Server::start(&dir, &["policies"]);
    let r = server.get("/v1/playground/examples");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some(JSON));
    let list = r.json();
    let rows: Vec<(String, String, String)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            assert_eq!(
                x["text"].as_str().unwrap(),
                support::read(x["file"].as_str().unwrap())
            );
            (
                x["name"].as_str().unwrap().to_string(),
                x["file"].as_str().unwrap().to_string(),
                x["policy"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (
            "lost-domestic",
            "examples/shipping/lost-domestic.yaml",
            "xcotton/shipping-protection",
        ),
        (
            "damaged-full",
            "examples/shipping/damaged-full.yaml",
            "xcotton/shipping-protection",
        ),
        (
            "delivered-not-received-no-theft-proof",
            "examples/shipping/delivered-not-received-no-theft-proof.yaml",
            "xcotton/shipping-protection",
        ),
        (
            "cancel-after-shipment",
            "examples/shipping/cancel-after-shipment.yaml",
            "xcotton/shipping-protection",
        ),
        (
            "accidental-drop",
            "examples/product/accidental-drop.yaml",
            "xcotton/product-protection",
        ),
        (
            "excluded-battery-degradation",
            "examples/product/excluded-battery-degradation.yaml",
            "xcotton/product-protection",
        ),
        (
            "day-61-pro-rated",
            "examples/cancellations/day-61-pro-rated.yaml",
            "xcotton/product-protection",
        ),
        (
            "after-60-days-fl-fee-capped-at-50",
            "examples/cancellations/after-60-days-fl-fee-capped-at-50.yaml",
            "xcotton/product-protection",
        ),
        (
            "q7-tier-1-value-300",
            "examples/marketplace/q7-tier-1-value-300.yaml",
            "marketplace/shipping-insurance",
        ),
        (
            "q5-unboxing-video-missing",
            "examples/marketplace/q5-unboxing-video-missing.yaml",
            "marketplace/shipping-insurance",
        ),
    ]
    .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()));
    assert_eq!(rows, expected);
}

/// A scratch directory with the product policy edited (its fee capped at 40 rather than
/// 50) as `policy.proviso`, its hook file, and the capped cancellation as `request`.
fn edited_product(dir: &Path) -> String {
    let edited = support::read(PRODUCT).replace(
        "reduce by min(admin_fee(order.state otherwise \"\", price, prorated), 50)",
        "reduce by min(admin_fee(order.state otherwise \"\", price, prorated), 40)",
    );
    assert_ne!(edited, support::read(PRODUCT));
    std::fs::write(dir.join("policy.proviso"), &edited).unwrap();
    std::fs::write(dir.join("admin-fee.rhai"), support::read(ADMIN_FEE)).unwrap();
    std::fs::write(dir.join("request"), support::read(CAPPED)).unwrap();
    edited
}

#[test]
fn an_edited_policy_decides_as_eval_prints_it_for_that_text() {
    let dir = scratch_with_policies("playground-edited");
    let server = Server::start(&dir, &["policies"]);
    let edited = edited_product(&dir);
    let hooks = json!({"admin-fee.rhai": support::read(ADMIN_FEE)});
    let line = proviso_in(
        &dir,
        &["eval", "--format", "json", "policy.proviso", "request"],
    );
    assert!(
        line.contains(
            "\"decision\":\"approved\",\"payout\":null,\"refund\":{\"amount\":\"613.42\""
        ),
        "{line}"
    );
    assert!(
        line.contains("\"source\":\"policy.proviso:384:1\""),
        "{line}"
    );
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": edited, "hooks": hooks, "document": support::read(CAPPED)}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some(JSON));
    assert_eq!(
        r.text(),
        format!(
            "{{\"decision\":{},\"explanation\":null,\"warnings\":[]}}\n",
            line.trim_end()
        )
    );

    // Explained: the line of `eval --explain --format json`, and the explanation `eval
    // --explain` prints after the decision.
    let line = proviso_in(
        &dir,
        &[
            "eval",
            "--format",
            "json",
            "--explain",
            "--at",
            "2025-06-01",
            "policy.proviso",
            "request",
        ],
    );
    let text = proviso_in(
        &dir,
        &[
            "eval",
            "--explain",
            "--at",
            "2025-06-01",
            "policy.proviso",
            "request",
        ],
    );
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": edited, "hooks": hooks, "document": support::read(CAPPED), "explain": true, "at": "2025-06-01"}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    let body = r.json();
    assert_eq!(
        body["decision"],
        serde_json::from_str::<Value>(&line).unwrap()
    );
    assert!(r
        .text()
        .starts_with(&format!("{{\"decision\":{},", line.trim_end())));
    let explanation = body["explanation"].as_str().unwrap();
    assert!(explanation.starts_with("  explain\n"), "{explanation}");
    // `eval` ends each decision's text with a blank line.
    assert!(
        text.ends_with(&format!("{explanation}\n")),
        "{text}\n---\n{explanation}"
    );
}

#[test]
fn without_a_policy_the_policies_served_decide() {
    let dir = scratch_with_policies("playground-served");
    let server = Server::start(&dir, &["policies"]);
    let doc = support::read("examples/shipping/lost-domestic.yaml");
    std::fs::write(dir.join("request"), &doc).unwrap();
    let line = proviso_in(&dir, &["eval", "--format", "json", "policies", "request"]);
    assert!(line.contains("\"decision\":\"approved\",\"payout\":{\"amount\":\"44.00\""));
    let r = post(&server, "/v1/playground/decide", &json!({"document": doc}));
    assert_eq!(
        r.text(),
        format!(
            "{{\"decision\":{},\"explanation\":null,\"warnings\":[]}}\n",
            line.trim_end()
        )
    );
    // A JSON document is read as JSON: its problems are located in it.
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"document": "{\"policy\": \"xcotton/shiping-protection\", \"order\": {\"placed_at\": \"2025-01-01\"}}"}),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text(),
        "{\"type\":\"urn:proviso:problem:unknown-policy\",\"title\":\"the document names a policy that is not loaded\",\"status\":404,\"detail\":\"no policy named `xcotton/shiping-protection` is loaded; did you mean `xcotton/shipping-protection`?\",\"path\":\"policy\",\"location\":\"request:1:12\"}\n"
    );
}

/// A small policy refunding 100.00 less a fee from a hook named `from "FILE"`.
fn hooked(file: &str) -> String {
    format!(
        r#"policy "test/hooks"
version "1"
effective 2025-01-01
currency USD
doc "A cancellation refunding 100.00 less a fee from a hook."

facts {{
  order: record {{ id: string  placed_at: date  state: optional string }}
  cancellation: optional record {{ id: string  requested_at: date }}
}}

hook admin_fee(state: string, price: money, prorated: money) -> money from "{file}"

refund price doc "Refund the price." pays 100
deduction fee doc "Less the fee." reduce by admin_fee(order.state otherwise "", 100, 80)
deduction never_negative doc "Never below zero." floor at 0
fallback nothing doc "Nothing to refund."
"#
    )
}

const HOOKED_DOC: &str = r#"{"policy": "test/hooks", "order": {"id": "O-1", "placed_at": "2025-01-01"}, "cancellation": {"id": "C-1", "requested_at": "2025-02-01"}}"#;

#[test]
fn a_broken_policy_is_answered_with_its_diagnostics() {
    let dir = scratch_with_policies("playground-broken");
    let server = Server::start(&dir, &["policies"]);
    let broken = hooked("fee.rhai")
        .replace("pays 100", "pays 100 +")
        .replace("floor at 0", "floor at nothing_declared");
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": broken, "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(
        r.json(),
        json!({
            "type": "urn:proviso:problem:policy-invalid",
            "title": "the policy does not compile",
            "status": 422,
            "detail": "1 error in the policy",
            "help": "fix the errors at the places shown; each says what is wrong",
            "diagnostics": [{
                "severity": "error",
                "message": "the expression before `deduction` is incomplete",
                "label": "expected an expression before this",
                "help": "write what comes after `+`, or delete `+`",
                "location": "policy.proviso:15:1",
                "file": "policy.proviso",
                "span": {"start": {"line": 15, "col": 1}, "end": {"line": 15, "col": 10}}
            }]
        })
    );
    // Parsed, but with a name not declared: its span is marked whole.
    let broken = hooked("fee.rhai").replace("floor at 0", "floor at nothing_declared");
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": broken, "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 422);
    let diags = r.json()["diagnostics"].clone();
    assert_eq!(
        diags,
        json!([{
            "severity": "error",
            "message": "unknown name `nothing_declared`",
            "label": "not a fact, constant or value of this policy",
            "help": null,
            "location": "policy.proviso:16:59",
            "file": "policy.proviso",
            "span": {"start": {"line": 16, "col": 59}, "end": {"line": 16, "col": 75}}
        }])
    );
}

#[test]
fn a_policy_sent_reads_no_file_on_the_server() {
    let dir = scratch_with_policies("playground-hooks");
    // A hook file the policy names, in the directory the server runs in: never read.
    let hook = "fn admin_fee(state, price, prorated) { price * 0.10 }\n";
    std::fs::write(dir.join("fee.rhai"), hook).unwrap();
    let server = Server::start(&dir, &["policies"]);
    let not_given = |file: &str, line_col: &str, message: &str, help: &str| {
        json!({
            "type": "urn:proviso:problem:policy-invalid",
            "title": "the policy does not compile",
            "status": 422,
            "detail": "1 error in the policy",
            "help": "fix the errors at the places shown; each says what is wrong",
            "diagnostics": [{
                "severity": "error",
                "message": message,
                "label": "this hook",
                "help": help,
                "location": format!("policy.proviso:{line_col}"),
                "file": "policy.proviso",
                "span": {"start": {"line": 12, "col": 1}, "end": {"line": 12, "col": 78 + file.len()}}
            }]
        })
    };
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": hooked("fee.rhai"), "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.json(),
        not_given(
            "fee.rhai",
            "12:1",
            "hook file `fee.rhai` is not given",
            "give the text of `fee.rhai` with the policy (hook files given: none)"
        )
    );
    for file in ["../../../etc/passwd", "/etc/passwd", "policies/../fee.rhai"] {
        let r = post(
            &server,
            "/v1/playground/decide",
            &json!({"policy": hooked(file), "hooks": {file: hook}, "document": HOOKED_DOC}),
        );
        assert_eq!(r.status, 422);
        assert_eq!(
            r.json(),
            not_given(
                file,
                "12:1",
                &format!("hook file `{file}` is outside the policy's folder"),
                "name a file in the policy's folder or below it, like \"admin-fee.rhai\""
            ),
            "{file}"
        );
    }
    // Sent with the policy, the hook file is used.
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": hooked("fee.rhai"), "hooks": {"fee.rhai": hook}, "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.json()["decision"]["refund"]["amount"], "90.00");
    assert_eq!(
        r.json()["decision"]["reasons"][0]["source"],
        "policy.proviso:14:1"
    );
}

#[test]
fn the_policy_s_warnings_come_with_its_decision() {
    let dir = scratch_with_policies("playground-warnings");
    let server = Server::start(&dir, &["policies"]);
    let hook = "fn admin_fee(state, price, prorated) { price * 0.10 }\n";
    let policy =
        hooked("fee.rhai").replace("\nrefund price", "\nconst unused_rate = 5\n\nrefund price");
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": policy, "hooks": {"fee.rhai": hook}, "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(
        r.json()["warnings"],
        json!([{
            "severity": "warning",
            "code": "proviso::lint::unused-const",
            "message": "the constant `unused_rate` is never used",
            "label": "never used",
            "help": "remove it, or use it in a rule (a clause's text may quote it as `{unused_rate}`)",
            "location": "policy.proviso:14:7",
            "file": "policy.proviso",
            "span": {"start": {"line": 14, "col": 7}, "end": {"line": 14, "col": 18}}
        }])
    );
}

#[test]
fn diffs_are_what_proviso_diff_prints() {
    let dir = scratch_with_policies("playground-diff");
    let server = Server::start(&dir, &["policies"]);
    let expected = proviso_in(
        &dir,
        &[
            "diff",
            "xcotton/shipping-protection",
            "2024-01-01",
            "2025-01-01",
            "--policies",
            "policies",
        ],
    );
    assert!(expected.starts_with("--- xcotton/shipping-protection 2024-01-01  policies/xcotton/shipping-protection/2024-01-01.proviso\n"), "{expected}");
    let r = post(
        &server,
        "/v1/playground/diff",
        &json!({
            "old": {"name": "xcotton/shipping-protection", "version": "2024-01-01"},
            "new": {"name": "xcotton/shipping-protection", "version": "2025-01-01"}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/plain; charset=utf-8"));
    assert_eq!(r.text(), expected);

    // A version served against an edited text, hook scripts included.
    let edited = edited_product(&dir);
    let hook =
        support::read(ADMIN_FEE).replace("min(price * 0.10, 25.00)", "min(price * 0.10, 20.00)");
    std::fs::write(dir.join("admin-fee.rhai"), &hook).unwrap();
    let expected = proviso_in(&dir, &["diff", PRODUCT, "policy.proviso"]);
    assert!(expected.contains("\nhook scripts\n"), "{expected}");
    assert!(
        expected.contains(
            "\n          + min(admin_fee(order.state otherwise \"\", price, prorated), 40)\n"
        ),
        "{expected}"
    );
    let r = post(
        &server,
        "/v1/playground/diff",
        &json!({
            "old": {"name": "xcotton/product-protection", "version": "2025-01-01"},
            "new": {"policy": edited, "hooks": {"admin-fee.rhai": hook}}
        }),
    );
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), expected);

    // A version not served.
    let r = post(
        &server,
        "/v1/playground/diff",
        &json!({
            "old": {"name": "xcotton/shipping-protection", "version": "2023-01-01"},
            "new": {"name": "xcotton/shipping-protection", "version": "2025-01-01"}
        }),
    );
    assert_eq!(r.status, 404);
    assert_eq!(
        r.json()["detail"],
        "no version `2023-01-01` of a policy `xcotton/shipping-protection` is loaded"
    );
}

#[test]
fn malformed_playground_requests_are_problems() {
    let dir = scratch_with_policies("playground-problems");
    let server = Server::start(&dir, &["policies", "--max-body-bytes", "4KiB"]);
    let cases: [(&str, &str, Vec<u8>, &str); 5] = [
        (
            "/v1/playground/decide",
            JSON,
            b"{\"document\": ".to_vec(),
            r#"{"type":"urn:proviso:problem:bad-request","title":"the request is wrong","status":400,"detail":"cannot read the request: EOF while parsing a value at line 1 column 13","help":"send a JSON object as the playground's page does (see the README's section on the playground)"}"#,
        ),
        (
            "/v1/playground/decide",
            JSON,
            br#"{"document": "x", "hook": {}}"#.to_vec(),
            r#"{"type":"urn:proviso:problem:bad-request","title":"the request is wrong","status":400,"detail":"cannot read the request: unknown field `hook`, expected one of `policy`, `hooks`, `document`, `format`, `at`, `explain` at line 1 column 24","help":"send a JSON object as the playground's page does (see the README's section on the playground)"}"#,
        ),
        (
            "/v1/playground/decide",
            JSON,
            br#"{"document": "x", "at": "2025-13-01"}"#.to_vec(),
            r#"{"type":"urn:proviso:problem:bad-request","title":"the request is wrong","status":400,"detail":"expected a date written YYYY-MM-DD (years 0001 to 9999), like 2025-06-01, found `2025-13-01`","help":"give the date whose policy version applies, like `2025-06-01`"}"#,
        ),
        (
            "/v1/playground/diff",
            "text/plain",
            b"{}".to_vec(),
            r#"{"type":"urn:proviso:problem:unsupported-media-type","title":"the request body's content type is not one that is read","status":415,"detail":"cannot read a body of type `text/plain`","help":"send `application/json`"}"#,
        ),
        (
            "/v1/playground/decide",
            JSON,
            json!({"document": "x", "policy": "p".repeat(5000)})
                .to_string()
                .into_bytes(),
            r#"{"type":"urn:proviso:problem:body-too-large","title":"the request body is too large","status":413,"detail":"the request body is larger than 4 KiB, the most one document may hold","help":"send a smaller document, or start the server with a larger `--max-body-bytes SIZE`"}"#,
        ),
    ];
    for (path, content_type, body, expected) in cases {
        let r = server.post(path, content_type, &body);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.text(), format!("{expected}\n"));
        assert_eq!(u64::from(r.status), r.json()["status"].as_u64().unwrap());
    }
}

#[test]
fn a_policy_s_errors_are_bounded_and_so_is_its_size() {
    let dir = scratch_with_policies("playground-bounds");
    let server = Server::start(&dir, &["policies"]);
    let hook = "fn admin_fee(state, price, prorated) { price * 0.10 }\n";
    let mut policy = hooked("fee.rhai");
    for i in 0..60 {
        policy.push_str(&format!(
            "deduction d{i} doc \"Less nothing.\" reduce by unknown_{i}\n"
        ));
    }
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": policy, "hooks": {"fee.rhai": hook}, "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 422);
    let body = r.json();
    assert_eq!(
        body["detail"],
        "60 errors in the policy; 10 more not shown (the first 50 are)"
    );
    let diags = body["diagnostics"].as_array().unwrap();
    assert_eq!(diags.len(), 50);
    assert_eq!(diags[49]["message"], "unknown name `unknown_49`");
    assert_eq!(diags[49]["location"], "policy.proviso:67:45");

    // Larger than a policy file may be: refused before it is parsed.
    let large = format!(
        "{}{}",
        hooked("fee.rhai"),
        "#".repeat(proviso::internals::parse::MAX_POLICY_BYTES)
    );
    let r = post(
        &server,
        "/v1/playground/decide",
        &json!({"policy": large, "hooks": {"fee.rhai": hook}, "document": HOOKED_DOC}),
    );
    assert_eq!(r.status, 422);
    let d = &r.json()["diagnostics"];
    assert_eq!(d.as_array().unwrap().len(), 1);
    assert_eq!(d[0]["location"], "policy.proviso:1:1");
    assert_eq!(d[0]["message"], "policy file is too large");
}
