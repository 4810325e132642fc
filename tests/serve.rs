//! `proviso serve` over real HTTP on 127.0.0.1: decisions byte for byte as `proviso eval
//! --format json` prints them (one document, YAML, JSON Lines streamed), problem details for
//! every refusal, the policy listing and schemas, hot reload (a valid edit, a broken one, requests
//! during reloads), the body limit, the decision log replayed, health, readiness, metrics,
//! the timeout, the concurrency limit and a graceful SIGTERM.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::io::Read;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use support::http::{
    self, chunk, connect, post_chunked, read_until, scratch_with_policies, Server,
};

const LOST_DOMESTIC: &str = "examples/shipping/lost-domestic.yaml";
const SHIPPING: &str = "xcotton/shipping-protection";
const MARKETPLACE_FILE: &str = "policies/marketplace/shipping-insurance/2025-01-01.proviso";

/// Runs `proviso eval --format json ARGS policies request` in `dir`, with `request` holding
/// `text`: what the service must answer for the same document. Its standard output.
fn eval_in(dir: &Path, args: &[&str], text: &[u8]) -> String {
    std::fs::write(dir.join("request"), text).unwrap();
    eval_file(dir, args, "policies")
}

fn eval_file(dir: &Path, args: &[&str], policies: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(["eval", "--format", "json"])
        .args(args)
        .args([policies, "request"])
        .current_dir(dir)
        .output()
        .unwrap();
    String::from_utf8(out.stdout).unwrap()
}

/// The first `n` lines of the JSON Lines corpus, each with its line break.
fn corpus_lines(n: usize) -> Vec<String> {
    support::read("examples/corpus/shipping-2024.jsonl")
        .lines()
        .take(n)
        .map(|l| format!("{l}\n"))
        .collect()
}

#[test]
fn a_json_document_is_decided_as_eval_prints_it() {
    let dir = scratch_with_policies("json");
    let server = Server::start(&dir, &["policies"]);
    let doc = corpus_lines(1).concat();
    let expected = eval_in(&dir, &["--input-format", "json"], doc.as_bytes());
    assert!(
        expected.starts_with("{\"document\":\"CLM-2401\""),
        "{expected}"
    );
    assert!(
        expected.ends_with(",\"input\":{\"path\":\"request\"}}\n"),
        "{expected}"
    );
    for content_type in ["application/json", "application/json; charset=utf-8"] {
        let r = server.post("/v1/decisions", content_type, doc.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.header("content-type"), Some("application/json"));
        assert_eq!(r.text(), expected);
    }
    // No content type: JSON.
    let r = http::request(&server.addr, "POST", "/v1/decisions", &[], doc.as_bytes());
    assert_eq!(r.text(), expected);
}

#[test]
fn a_yaml_document_is_decided_as_eval_prints_it() {
    let dir = scratch_with_policies("yaml");
    let server = Server::start(&dir, &["policies"]);
    let doc = support::read(LOST_DOMESTIC);
    let expected = eval_in(&dir, &[], doc.as_bytes());
    assert!(expected.contains("\"decision\":\"approved\",\"payout\":{\"amount\":\"44.00\""));
    for content_type in ["application/yaml", "application/x-yaml", "text/yaml"] {
        let r = server.post("/v1/decisions", content_type, doc.as_bytes());
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.text(), expected, "{content_type}");
    }
}

#[test]
fn at_and_explain_are_evals_options() {
    let dir = scratch_with_policies("at-explain");
    let server = Server::start(&dir, &["policies"]);
    let doc = support::read(LOST_DOMESTIC);
    let cases: [(&str, &[&str]); 4] = [
        ("?at=2024-06-01", &["--at", "2024-06-01"]),
        ("?explain=true", &["--explain"]),
        (
            "?at=2024-06-01&explain=true",
            &["--at", "2024-06-01", "--explain"],
        ),
        ("?explain=false", &[]),
    ];
    for (query, args) in cases {
        let expected = eval_in(&dir, args, doc.as_bytes());
        let r = server.post(
            &format!("/v1/decisions{query}"),
            "application/yaml",
            doc.as_bytes(),
        );
        assert_eq!(r.status, 200, "{}", r.text());
        assert_eq!(r.text(), expected, "{query}");
    }
    let at = server.post(
        "/v1/decisions?at=2024-06-01",
        "application/yaml",
        doc.as_bytes(),
    );
    assert!(
        at.text().contains("\"version\":\"2024-01-01\""),
        "{}",
        at.text()
    );
    assert!(at
        .text()
        .contains("\"in_force_on\":\"2024-06-01\",\"date_from\":\"--at\""));
    let explained = server.post(
        "/v1/decisions?explain=true",
        "application/yaml",
        doc.as_bytes(),
    );
    assert!(
        explained.text().contains(",\"explain\":{"),
        "{}",
        explained.text()
    );
}

#[test]
fn json_lines_stream_one_line_out_per_line_in() {
    let dir = scratch_with_policies("stream");
    let server = Server::start(&dir, &["policies"]);
    let good = corpus_lines(3);
    let lines = [
        good[0].clone(),
        "not json\n".to_string(),
        good[1].clone(),
        "\n".to_string(),
        "{\"policy\": \"nope\", \"order\": {\"placed_at\": \"2025-01-01\"}}\n".to_string(),
        good[2].clone(),
    ];
    let expected = eval_in(
        &dir,
        &["--input-format", "jsonl"],
        lines.concat().as_bytes(),
    );
    let expected_lines: Vec<&str> = expected.lines().collect();
    assert_eq!(expected_lines.len(), 5, "{expected}");
    assert_eq!(
        expected_lines[1],
        r#"{"document":null,"error":{"message":"expected ident","path":null},"input":{"path":"request","line":2}}"#
    );

    // Each line is answered before the next is sent.
    let mut stream = post_chunked(&server.addr, "application/x-ndjson");
    let mut seen = Vec::new();
    chunk(&mut stream, lines[0].as_bytes());
    read_until(
        &mut stream,
        &mut seen,
        "\"input\":{\"path\":\"request\",\"line\":1}}\n",
    );
    chunk(&mut stream, lines[1].as_bytes());
    read_until(
        &mut stream,
        &mut seen,
        "\"input\":{\"path\":\"request\",\"line\":2}}\n",
    );
    for line in &lines[2..] {
        chunk(&mut stream, line.as_bytes());
    }
    chunk(&mut stream, b"");
    stream.read_to_end(&mut seen).unwrap();
    let r = http::parse(&seen);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(r.text(), expected);

    // The same in one piece, and the refusals counted by the status they would have.
    let r = server.post(
        "/v1/decisions",
        "application/x-ndjson",
        lines.concat().as_bytes(),
    );
    assert_eq!(r.text(), expected);
    let metrics = server.get("/metrics").text();
    for line in [
        "proviso_documents_refused_total{status=\"400\"} 2",
        "proviso_documents_refused_total{status=\"404\"} 2",
    ] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in\n{metrics}"
        );
    }
}

/// Posts `body` and checks the problem details that come back, exactly.
fn assert_problem(server: &Server, path: &str, content_type: &str, body: &[u8], expected: &str) {
    let r = server.post(path, content_type, body);
    assert_eq!(
        r.header("content-type"),
        Some("application/problem+json"),
        "{}",
        r.text()
    );
    assert_eq!(r.text(), format!("{expected}\n"));
    let status = r.json()["status"].as_u64().unwrap();
    assert_eq!(u64::from(r.status), status);
}

#[test]
fn every_refusal_is_a_problem_with_its_status() {
    let dir = scratch_with_policies("problems");
    let server = Server::start(&dir, &["policies", "--max-body-bytes", "2KiB"]);
    let json = "application/json";
    assert_problem(
        &server,
        "/v1/decisions",
        json,
        b"{\"policy\": ",
        r#"{"type":"urn:proviso:problem:unreadable-document","title":"the document cannot be read","status":400,"detail":"EOF while parsing a value","location":"request:1:11"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions",
        "application/yaml",
        b"policy: [unclosed\n",
        r#"{"type":"urn:proviso:problem:unreadable-document","title":"the document cannot be read","status":400,"detail":"did not find expected ',' or ']', while parsing a flow sequence","location":"request:2:1"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions",
        json,
        b"{\"policy\": \"\xff\"}",
        r#"{"type":"urn:proviso:problem:unreadable-document","title":"the document cannot be read","status":400,"detail":"not valid UTF-8: byte 0xFF at line 1, column 13"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions",
        json,
        br#"{"policy": "xcotton/shiping-protection", "order": {"placed_at": "2025-01-01"}}"#,
        r#"{"type":"urn:proviso:problem:unknown-policy","title":"the document names a policy that is not loaded","status":404,"detail":"no policy named `xcotton/shiping-protection` is loaded; did you mean `xcotton/shipping-protection`?","path":"policy","location":"request:1:12"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions",
        json,
        br#"{"policy": "xcotton/shipping-protection", "order": {"placed_at": "2020-01-01"}}"#,
        r#"{"type":"urn:proviso:problem:document-invalid","title":"the document does not fit its policy","status":422,"detail":"no version of `xcotton/shipping-protection` is in force on 2020-01-01 (versions: 2024-01-01 from 2024-01-01 until 2024-12-31; 2025-01-01 from 2025-01-01)","path":"policy","location":"request:1:66"}"#,
    );
    let misfit = support::read(LOST_DOMESTIC).replace("quantity: 2", "quantity: two");
    assert_problem(
        &server,
        "/v1/decisions",
        "application/yaml",
        misfit.as_bytes(),
        r#"{"type":"urn:proviso:problem:document-invalid","title":"the document does not fit its policy","status":422,"detail":"expected an integer, found \"two\"","document":"CLM-0001","path":"order.items[0].quantity","location":"request:15:17"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions",
        "text/plain",
        b"{}",
        r#"{"type":"urn:proviso:problem:unsupported-media-type","title":"the request body's content type is not one that is read","status":415,"detail":"cannot read a body of type `text/plain`","help":"send `application/json`, `application/yaml` (or `application/x-yaml`, `text/yaml`), or `application/x-ndjson` for JSON Lines"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions",
        json,
        &vec![b' '; 4096],
        r#"{"type":"urn:proviso:problem:body-too-large","title":"the request body is too large","status":413,"detail":"the request body is larger than 2 KiB, the most one document may hold","help":"send a smaller document, or start the server with a larger `--max-body-bytes SIZE`"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions?at=2025-02-30",
        json,
        b"{}",
        r#"{"type":"urn:proviso:problem:bad-request","title":"the request is wrong","status":400,"detail":"expected a date written YYYY-MM-DD (years 0001 to 9999), like 2025-06-01, found `2025-02-30`","parameter":"at","help":"give the date whose policy version applies, like `at=2025-06-01`"}"#,
    );
    assert_problem(
        &server,
        "/v1/decisions?explain=yes",
        json,
        b"{}",
        r#"{"type":"urn:proviso:problem:bad-request","title":"the request is wrong","status":400,"detail":"expected `true` or `false`, found `yes`","parameter":"explain","help":"write `explain=true` to have each decision explained"}"#,
    );
    assert_problem(
        &server,
        "/v1/decision",
        json,
        b"{}",
        r#"{"type":"urn:proviso:problem:not-found","title":"nothing is here","status":404,"detail":"nothing is served at `/v1/decision`","help":"the endpoints are /v1/decisions, /v1/policies, /v1/status, /healthz, /readyz, /metrics and the playground at /"}"#,
    );
}

#[test]
fn the_body_limit_refuses_larger_bodies_and_lines() {
    let dir = scratch_with_policies("limit");
    let server = Server::start(&dir, &["policies", "--max-body-bytes", "512"]);
    let doc = support::read(LOST_DOMESTIC);
    assert!(doc.len() > 512);
    let expected = r#"{"type":"urn:proviso:problem:body-too-large","title":"the request body is too large","status":413,"detail":"the request body is larger than 512 bytes, the most one document may hold","help":"send a smaller document, or start the server with a larger `--max-body-bytes SIZE`"}"#;
    // Announced by Content-Length, and found while reading a chunked body.
    assert_problem(
        &server,
        "/v1/decisions",
        "application/yaml",
        doc.as_bytes(),
        expected,
    );
    let mut stream = post_chunked(&server.addr, "application/yaml");
    chunk(&mut stream, &doc.as_bytes()[..400]);
    chunk(&mut stream, &doc.as_bytes()[400..]);
    chunk(&mut stream, b"");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let r = http::parse(&raw);
    assert_eq!(r.status, 413);
    assert_eq!(r.text(), format!("{expected}\n"));
    // In JSON Lines, the limit is per line.
    let short = "{\"policy\": 1}\n";
    let long = format!("{{\"policy\": \"{}\"}}\n", "x".repeat(600));
    let r = server.post(
        "/v1/decisions",
        "application/x-ndjson",
        format!("{short}{long}{short}").as_bytes(),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.text().lines().nth(1),
        Some(
            r#"{"document":null,"error":{"message":"line 2 is longer than 512 bytes, the most one document may hold; the rest of `request` is not read","path":null},"input":{"path":"request","line":2}}"#
        )
    );
    assert_eq!(r.text().lines().count(), 2, "{}", r.text());
}

#[test]
fn policies_are_listed_as_versions_prints_them() {
    let dir = scratch_with_policies("policies");
    let server = Server::start(&dir, &["policies"]);
    let versions = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(["versions", "--format", "json", "policies"])
        .current_dir(&dir)
        .output()
        .unwrap();
    let r = server.get("/v1/policies");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/x-ndjson"));
    assert_eq!(r.text(), String::from_utf8(versions.stdout).unwrap());
    assert_eq!(r.text().lines().count(), 4);

    let r = server.get("/v1/policies/xcotton/product-protection/2025-01-01");
    assert_eq!(r.status, 200, "{}", r.text());
    let v = r.json();
    assert_eq!(v["name"], "xcotton/product-protection");
    assert_eq!(v["version"], "2025-01-01");
    assert_eq!(v["effective"], "2025-01-01");
    assert_eq!(v["until"], serde_json::Value::Null);
    assert_eq!(
        v["file"],
        "policies/xcotton/product-protection/2025-01-01.proviso"
    );
    let row = server
        .get("/v1/policies")
        .text()
        .lines()
        .find(|l| l.contains("product-protection"))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .unwrap();
    assert_eq!(v["sha256"], row["sha256"]);
    assert_eq!(
        v["source"],
        support::read("policies/xcotton/product-protection/2025-01-01.proviso")
    );
    assert_eq!(
        v["hooks"],
        serde_json::json!([{
            "name": "admin_fee",
            "file": "admin-fee.rhai",
            "source": support::read("policies/xcotton/product-protection/admin-fee.rhai"),
        }])
    );
    let r = server.get("/v1/policies/xcotton/shipping-protection/2024-01-01");
    assert_eq!(r.json()["until"], "2024-12-31");
    assert_eq!(r.json()["hooks"], serde_json::json!([]));

    let r = server.get("/v1/policies/xcotton/shipping-protection/2023-01-01");
    assert_eq!(r.status, 404);
    assert_eq!(
        r.text(),
        "{\"type\":\"urn:proviso:problem:not-found\",\"title\":\"nothing is here\",\"status\":404,\"detail\":\"no version `2023-01-01` of a policy `xcotton/shipping-protection` is loaded\",\"help\":\"ask for one of: marketplace/shipping-insurance/2025-01-01, xcotton/product-protection/2025-01-01, xcotton/shipping-protection/2024-01-01, xcotton/shipping-protection/2025-01-01\"}\n"
    );
}

#[test]
fn a_policy_schema_is_what_proviso_schema_prints() {
    let dir = scratch_with_policies("schema");
    let server = Server::start(&dir, &["policies"]);
    let schema = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .args(["schema", "policies"])
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8(out.stdout).unwrap()
    };
    let latest = schema(&[SHIPPING]);
    assert!(
        latest.contains("\"$id\": \"urn:proviso:xcotton/shipping-protection:2025-01-01:document\""),
        "{latest}"
    );
    let r = server.get("/v1/policies/xcotton/shipping-protection/schema");
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/schema+json"));
    assert_eq!(r.text(), latest);
    let older = schema(&[SHIPPING, "--version", "2024-01-01"]);
    assert_ne!(older, latest);
    let r = server.get("/v1/policies/xcotton/shipping-protection/schema?version=2024-01-01");
    assert_eq!(r.text(), older);
    let r = server.get("/v1/policies/marketplace/shipping-insurance/schema?version=2025-01-01");
    assert_eq!(
        r.text(),
        schema(&["marketplace/shipping-insurance", "--version", "2025-01-01"])
    );

    for (path, expected) in [
        (
            "/v1/policies/xcotton/shiping-protection/schema",
            r#"{"type":"urn:proviso:problem:not-found","title":"nothing is here","status":404,"detail":"no policy named `xcotton/shiping-protection` is loaded","help":"ask for one of: marketplace/shipping-insurance, xcotton/product-protection, xcotton/shipping-protection"}"#,
        ),
        (
            "/v1/policies/xcotton/shipping-protection/schema?version=2023-01-01",
            r#"{"type":"urn:proviso:problem:not-found","title":"nothing is here","status":404,"detail":"no version `2023-01-01` of a policy `xcotton/shipping-protection` is loaded","parameter":"version","help":"give one of its versions (2024-01-01, 2025-01-01), or leave out `version` for the latest"}"#,
        ),
        (
            "/v1/policies/xcotton/shipping-protection/schema?at=2025-01-01",
            r#"{"type":"urn:proviso:problem:bad-request","title":"the request is wrong","status":400,"detail":"unknown query parameter `at`","help":"the parameter is `version=LABEL` (the latest version without it)"}"#,
        ),
    ] {
        let r = server.get(path);
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert_eq!(r.text(), format!("{expected}\n"), "{path}");
        assert_eq!(u64::from(r.status), r.json()["status"].as_u64().unwrap());
    }
}

/// Replaces a file whole (a new file renamed over the old), so that no reader sees it
/// half written.
fn replace(dir: &Path, path: &str, text: &str) {
    let staged = dir.join("staged");
    std::fs::write(&staged, text).unwrap();
    std::fs::rename(&staged, dir.join(path)).unwrap();
}

/// The sha256 `/v1/status` shows for a policy's only (or first) version.
fn served_sha(server: &Server, name: &str) -> String {
    let status = server.get("/v1/status").json();
    status["policies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == name)
        .map(|p| p["sha256"].as_str().unwrap().to_string())
        .unwrap()
}

#[test]
fn a_valid_edit_is_served_and_a_broken_one_keeps_the_previous_set() {
    let dir = scratch_with_policies("reload");
    let server = Server::start(&dir, &["policies", "--watch-interval", "50ms"]);
    let before = served_sha(&server, "marketplace/shipping-insurance");
    let original = std::fs::read_to_string(dir.join(MARKETPLACE_FILE)).unwrap();

    // A valid edit: a new sha256 is served, in the listing and in decisions.
    replace(&dir, MARKETPLACE_FILE, &format!("{original}# edited\n"));
    let status = server.poll("/v1/status", "the edit to be loaded", |r| {
        r.json()["last_reload"]["result"] == "ok"
    });
    let edited = served_sha(&server, "marketplace/shipping-insurance");
    assert_ne!(edited, before);
    assert_eq!(status.json()["reloads"], 1);
    assert_eq!(status.json()["reload_failures"], 0);
    assert_eq!(status.json()["last_reload"]["trigger"], "change");
    assert_eq!(
        status.json()["last_reload"]["diagnostics"],
        serde_json::Value::Null
    );
    let doc = support::read("examples/marketplace/q1-bought-after-the-order.yaml");
    let r = server.post("/v1/decisions", "application/yaml", doc.as_bytes());
    assert!(
        r.text().contains(&format!("\"sha256\":\"{edited}\"")),
        "{}",
        r.text()
    );
    assert_eq!(r.text(), eval_in(&dir, &[], doc.as_bytes()));

    // A broken edit: the edited set keeps serving; the status and the log say why.
    let broken = original.replacen("when", "whenn", 1);
    replace(&dir, MARKETPLACE_FILE, &broken);
    let status = server.poll("/v1/status", "the broken edit to be tried", |r| {
        r.json()["last_reload"]["result"] == "failed"
    });
    let status = status.json();
    assert_eq!(status["reloads"], 2);
    assert_eq!(status["reload_failures"], 1);
    let diagnostics = status["last_reload"]["diagnostics"].as_str().unwrap();
    assert!(
        diagnostics.starts_with(
            "policies/marketplace/shipping-insurance/2025-01-01.proviso:118:3\n\n  × `whenn` is not a clause of a rule\n"
        ),
        "{diagnostics}"
    );
    assert!(
        diagnostics.contains("help: did you mean `when`?"),
        "{diagnostics}"
    );
    assert!(
        diagnostics.ends_with("error: 1 error in policies\n"),
        "{diagnostics}"
    );
    assert_eq!(
        served_sha(&server, "marketplace/shipping-insurance"),
        edited
    );
    let r = server.post("/v1/decisions", "application/yaml", doc.as_bytes());
    assert_eq!(r.status, 200);
    assert!(
        r.text().contains(&format!("\"sha256\":\"{edited}\"")),
        "{}",
        r.text()
    );
    assert!(server.get("/readyz").status == 200);
    let metrics = server.get("/metrics").text();
    for line in ["proviso_reloads_total 2", "proviso_reload_failures_total 1"] {
        assert!(
            metrics.lines().any(|l| l == line),
            "{line} not in\n{metrics}"
        );
    }
    let log = server.stderr();
    assert!(
        log.contains("policy reload failed; the policies loaded before keep serving"),
        "{log}"
    );
    assert!(log.contains("2025-01-01.proviso:118:3"), "{log}");

    // Fixed again: the original is served again.
    replace(&dir, MARKETPLACE_FILE, &original);
    server.poll("/v1/status", "the fix to be loaded", |r| {
        r.json()["last_reload"]["result"] == "ok"
    });
    assert_eq!(
        served_sha(&server, "marketplace/shipping-insurance"),
        before
    );
}

#[test]
fn requests_during_reloads_all_succeed() {
    let dir = scratch_with_policies("concurrent");
    let server = Arc::new(Server::start(&dir, &["policies"]));
    let doc = support::read(LOST_DOMESTIC);
    let expected = eval_in(&dir, &[], doc.as_bytes());
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let (server, stop, doc, expected) = (
                Arc::clone(&server),
                Arc::clone(&stop),
                doc.clone(),
                expected.clone(),
            );
            std::thread::spawn(move || {
                let mut answered = 0;
                while !stop.load(Ordering::Relaxed) || answered < 10 {
                    let r = server.post("/v1/decisions", "application/yaml", doc.as_bytes());
                    assert_eq!(r.status, 200, "{}", r.text());
                    assert_eq!(r.text(), expected);
                    answered += 1;
                }
                answered
            })
        })
        .collect();
    for n in 1..=5 {
        server.signal("HUP");
        server.poll("/v1/status", "a reload on SIGHUP", |r| {
            r.json()["reloads"] == n
        });
    }
    let status = server.get("/v1/status").json();
    assert_eq!(status["last_reload"]["trigger"], "SIGHUP");
    assert_eq!(status["reload_failures"], 0);
    stop.store(true, Ordering::Relaxed);
    let answered: usize = workers.into_iter().map(|w| w.join().unwrap()).sum();
    assert!(answered >= 40);
}

#[test]
fn the_decision_log_replays_byte_for_byte() {
    #[derive(serde::Deserialize)]
    struct Entry<'a> {
        time: String,
        request_id: String,
        input_sha256: String,
        input_format: String,
        input: Option<String>,
        policy: serde_json::Value,
        outcome: String,
        payout: serde_json::Value,
        refund: serde_json::Value,
        #[serde(borrow)]
        decision: &'a serde_json::value::RawValue,
    }
    let dir = scratch_with_policies("log");
    let server = Server::start(&dir, &["policies", "--decision-log", "decisions.jsonl"]);
    let doc = support::read(LOST_DOMESTIC);
    let r = http::request(
        &server.addr,
        "POST",
        "/v1/decisions",
        &[
            ("Content-Type", "application/yaml"),
            ("X-Request-Id", "claim-desk-42"),
        ],
        doc.as_bytes(),
    );
    assert_eq!(r.header("x-request-id"), Some("claim-desk-42"));
    let log = std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    let entry: Entry = serde_json::from_str(log.trim_end()).unwrap();
    assert_eq!(entry.decision.get(), r.text().trim_end());
    assert_eq!(entry.request_id, "claim-desk-42");
    assert!(
        chrono::DateTime::parse_from_rfc3339(&entry.time).is_ok(),
        "{}",
        entry.time
    );
    assert!(entry.time.ends_with('Z'), "{}", entry.time);
    assert_eq!(entry.input_format, "yaml");
    assert_eq!(entry.outcome, "approved");
    assert_eq!(
        entry.payout,
        serde_json::json!({"amount": "44.00", "currency": "USD"})
    );
    assert_eq!(entry.refund, serde_json::Value::Null);
    assert_eq!(entry.policy["name"], SHIPPING);
    assert_eq!(entry.policy["version"], "2025-01-01");
    let input = entry.input.unwrap();
    assert_eq!(input, doc);
    use sha2::Digest;
    let sha: String = sha2::Sha256::digest(input.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(entry.input_sha256, sha);

    // Replayed: the logged input, under the logged version's file alone.
    let listing = server.get("/v1/policies").text();
    let file = listing
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .find(|row| {
            row["name"] == entry.policy["name"] && row["version"] == entry.policy["version"]
        })
        .map(|row| row["file"].as_str().unwrap().to_string())
        .unwrap();
    assert_eq!(
        listing
            .lines()
            .find(|l| l.contains(&file))
            .map(|l| l.contains(entry.policy["sha256"].as_str().unwrap())),
        Some(true)
    );
    std::fs::write(dir.join("request"), &input).unwrap();
    let replayed = eval_file(&dir, &["--input-format", &entry.input_format], &file);
    assert_eq!(replayed, format!("{}\n", entry.decision.get()));

    // Without the input: its sha256 only. A refused document is not logged.
    let dir = scratch_with_policies("log-omit");
    let server = Server::start(
        &dir,
        &[
            "policies",
            "--decision-log",
            "decisions.jsonl",
            "--decision-log-omit-input",
        ],
    );
    let r = server.post("/v1/decisions", "application/yaml", doc.as_bytes());
    let generated = r.header("x-request-id").unwrap();
    assert_eq!(generated.len(), 32);
    assert!(
        generated.bytes().all(|b| b.is_ascii_hexdigit()),
        "{generated}"
    );
    server.post("/v1/decisions", "application/json", b"{}");
    let log = std::fs::read_to_string(dir.join("decisions.jsonl")).unwrap();
    assert_eq!(log.lines().count(), 1, "{log}");
    let entry: serde_json::Value = serde_json::from_str(log.trim_end()).unwrap();
    assert_eq!(entry.get("input"), None);
    assert_eq!(entry["input_sha256"], sha);
    assert_eq!(entry["request_id"], generated);
}

#[test]
fn health_readiness_and_metrics() {
    let dir = scratch_with_policies("health");
    let server = Server::start(&dir, &["policies"]);
    let r = server.get("/healthz");
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "{\"status\":\"alive\"}\n")
    );
    let r = server.get("/readyz");
    assert_eq!(
        (r.status, r.text().as_str()),
        (200, "{\"status\":\"ready\",\"policy_versions\":4}\n")
    );
    let doc = support::read(LOST_DOMESTIC);
    server.post("/v1/decisions", "application/yaml", doc.as_bytes());
    server.post("/v1/decisions", "application/yaml", doc.as_bytes());
    server.post(
        "/v1/decisions?at=2024-06-01",
        "application/yaml",
        doc.as_bytes(),
    );
    server.post("/v1/decisions", "application/json", b"{\"policy\": 1}");
    server.post("/v1/decisions", "text/csv", b"a,b");
    let r = server.get("/metrics");
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("content-type"),
        Some("text/plain; version=0.0.4; charset=utf-8")
    );
    let metrics = r.text();
    for line in [
        "# TYPE proviso_decisions_total counter",
        "proviso_decisions_total{policy=\"xcotton/shipping-protection\",version=\"2024-01-01\",outcome=\"approved\"} 1",
        "proviso_decisions_total{policy=\"xcotton/shipping-protection\",version=\"2025-01-01\",outcome=\"approved\"} 2",
        "# TYPE proviso_documents_refused_total counter",
        "proviso_documents_refused_total{status=\"415\"} 1",
        "proviso_documents_refused_total{status=\"422\"} 1",
        "# TYPE proviso_decision_duration_seconds histogram",
        "proviso_decision_duration_seconds_bucket{le=\"+Inf\"} 3",
        "proviso_decision_duration_seconds_count 3",
        "proviso_reloads_total 0",
        "proviso_reload_failures_total 0",
        "proviso_decision_log_failures_total 0",
        "proviso_policy_versions_loaded 4",
    ] {
        assert!(metrics.lines().any(|l| l == line), "{line} not in\n{metrics}");
    }
    let status = server.get("/v1/status").json();
    assert_eq!(status["ready"], true);
    assert_eq!(status["policies"].as_array().map(Vec::len), Some(4));
    assert_eq!(status["last_reload"], serde_json::Value::Null);
    assert_eq!(status["reloads"], 0);
}

#[test]
fn a_stream_longer_than_the_timeout_ends_with_an_error_line() {
    let dir = scratch_with_policies("timeout");
    let server = Server::start(&dir, &["policies", "--timeout", "300ms"]);
    let line = corpus_lines(1).concat();
    let mut stream = post_chunked(&server.addr, "application/x-ndjson");
    chunk(&mut stream, line.as_bytes());
    // The rest never comes: the server gives up on reading, answers, and closes.
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let r = http::parse(&raw);
    let lines: Vec<String> = r.text().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 2, "{}", r.text());
    assert!(lines[0].starts_with("{\"document\":\"CLM-2401\""));
    assert_eq!(
        lines[1],
        r#"{"document":null,"error":{"message":"cannot read `request`: the request took longer than 300ms, the most one may take","path":null},"input":{"path":"request","line":2}}"#
    );
}

#[test]
fn a_document_not_sent_within_the_timeout_is_a_503_problem() {
    let dir = scratch_with_policies("timeout-one");
    let server = Server::start(&dir, &["policies", "--timeout", "300ms"]);
    let mut stream = connect(&server.addr);
    let head = format!(
        "POST /v1/decisions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: 100\r\nConnection: close\r\n\r\n{{\"policy\": ",
        server.addr
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).unwrap();
    let r = http::parse(&raw);
    assert_eq!(r.status, 503);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(
        r.text(),
        "{\"type\":\"urn:proviso:problem:timeout\",\"title\":\"the request took too long\",\"status\":503,\"detail\":\"the request took longer than 300ms, the most one may take\",\"help\":\"retry later, or start the server with a longer `--timeout DURATION`\"}\n"
    );
    let metrics = server.get("/metrics").text();
    let line = "proviso_documents_refused_total{status=\"503\"} 1";
    assert!(
        metrics.lines().any(|l| l == line),
        "{line} not in\n{metrics}"
    );
}

#[test]
fn sigterm_finishes_the_requests_in_flight_and_exits_0() {
    let dir = scratch_with_policies("sigterm");
    let mut server = Server::start(&dir, &["policies"]);
    let lines = corpus_lines(2);
    let mut stream = connect(&server.addr);
    let head = format!(
        "POST /v1/decisions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n",
        server.addr
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).unwrap();
    chunk(&mut stream, lines[0].as_bytes());
    let mut seen = Vec::new();
    read_until(&mut stream, &mut seen, "\"line\":1}}\n");
    server.signal("TERM");
    let deadline = std::time::Instant::now() + http::PATIENCE;
    while !server.stderr().contains("shutting down") {
        assert!(std::time::Instant::now() < deadline, "{}", server.stderr());
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    chunk(&mut stream, lines[1].as_bytes());
    chunk(&mut stream, b"");
    stream.read_to_end(&mut seen).unwrap();
    let r = http::parse(&seen);
    assert_eq!(
        r.text(),
        eval_in(
            &dir,
            &["--input-format", "jsonl"],
            lines.concat().as_bytes()
        )
    );
    assert_eq!(server.wait(), Some(0));
    assert!(server.stderr().contains("stopped"), "{}", server.stderr());
}

#[test]
fn sigint_right_after_start_exits_0() {
    let dir = scratch_with_policies("sigint");
    let mut server = Server::start(&dir, &["policies"]);
    server.signal("INT");
    assert_eq!(server.wait(), Some(0));
    assert!(
        server.stderr().contains("signal=\"SIGINT\""),
        "{}",
        server.stderr()
    );
}

/// Runs `proviso serve ARGS` in `dir` to its end: exit status and standard error.
fn serve_to_end(dir: &Path, args: &[&str]) -> (Option<i32>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .arg("serve")
        .args(args)
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn what_keeps_the_service_from_starting_is_said() {
    let dir = scratch_with_policies("no-start");
    let original = std::fs::read_to_string(dir.join(MARKETPLACE_FILE)).unwrap();
    std::fs::write(
        dir.join(MARKETPLACE_FILE),
        original.replacen("when", "whenn", 1),
    )
    .unwrap();
    let (code, stderr) = serve_to_end(&dir, &["policies", "--addr", "127.0.0.1:0"]);
    assert_eq!(code, Some(3));
    assert!(
        stderr.starts_with("policies/marketplace/shipping-insurance/2025-01-01.proviso:118:3\n"),
        "{stderr}"
    );
    assert!(stderr.ends_with("error: 1 error in policies\n"), "{stderr}");
    std::fs::write(dir.join(MARKETPLACE_FILE), original).unwrap();

    let server = Server::start(&dir, &["policies"]);
    let (code, stderr) = serve_to_end(&dir, &["policies", "--addr", &server.addr]);
    assert_eq!(code, Some(1));
    assert!(
        stderr.contains(&format!("error: cannot listen on `{}`: ", server.addr)),
        "{stderr}"
    );
    assert!(
        stderr
            .ends_with("  help: give a free address with `--addr HOST:PORT` (port 0 picks one)\n"),
        "{stderr}"
    );

    let (code, stderr) = serve_to_end(
        &dir,
        &[
            "policies",
            "--addr",
            "127.0.0.1:0",
            "--decision-log",
            "no/such/dir/log.jsonl",
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        stderr.ends_with("error: cannot open the decision log `no/such/dir/log.jsonl`: No such file or directory (os error 2)\n  help: give a file that can be written with `--decision-log FILE`\n"),
        "{stderr}"
    );

    let (code, stderr) = serve_to_end(&dir, &["policies", "--timeout", "soon"]);
    assert_eq!(code, Some(2));
    assert!(
        stderr.contains("expected a duration like 30s, 500ms or 2m, found `soon`"),
        "{stderr}"
    );
}

/// Opens a JSON Lines stream, sends `line` and reads its decision: the stream then holds
/// one of the service's places until it is ended with [`chunk`] of nothing.
fn held_stream(server: &Server, line: &str) -> std::net::TcpStream {
    let mut stream = post_chunked(&server.addr, "application/x-ndjson");
    chunk(&mut stream, line.as_bytes());
    let mut seen = Vec::new();
    read_until(
        &mut stream,
        &mut seen,
        "\"input\":{\"path\":\"request\",\"line\":1}}\n",
    );
    stream
}

/// Sends the lost-domestic example as one YAML document on a connection of its own; the
/// connection, to read the answer from.
fn send_example(server: &Server) -> std::net::TcpStream {
    let body = support::read(LOST_DOMESTIC);
    let mut stream = connect(&server.addr);
    let head = format!(
        "POST /v1/decisions HTTP/1.1\r\nHost: {}\r\nContent-Type: application/yaml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        server.addr,
        body.len()
    );
    std::io::Write::write_all(&mut stream, head.as_bytes()).unwrap();
    std::io::Write::write_all(&mut stream, body.as_bytes()).unwrap();
    stream
}

#[test]
fn max_concurrency_makes_a_request_wait_for_a_place() {
    let line = corpus_lines(1).concat();
    let dir = scratch_with_policies("concurrency-one");
    let expected = eval_in(&dir, &[], support::read(LOST_DOMESTIC).as_bytes());

    // One place: while a stream holds it, a document waits (it cannot be answered however
    // long it is given), and is decided once the stream ends.
    let server = Server::start(&dir, &["policies", "--max-concurrency", "1"]);
    let mut holder = held_stream(&server, &line);
    let mut waiting = send_example(&server);
    waiting
        .set_read_timeout(Some(std::time::Duration::from_millis(500)))
        .unwrap();
    let mut byte = [0u8; 1];
    let early = waiting.read(&mut byte);
    assert!(
        matches!(&early, Err(e) if matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut)),
        "answered while the only place was taken: {early:?}"
    );
    chunk(&mut holder, b"");
    let mut rest = Vec::new();
    holder.read_to_end(&mut rest).unwrap();
    waiting.set_read_timeout(None).unwrap();
    let mut raw = Vec::new();
    waiting.read_to_end(&mut raw).unwrap();
    let r = http::parse(&raw);
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), expected);

    // Two places: the same document is answered while the stream holds one.
    let dir = scratch_with_policies("concurrency-two");
    let server = Server::start(&dir, &["policies", "--max-concurrency", "2"]);
    let mut holder = held_stream(&server, &line);
    let mut raw = Vec::new();
    send_example(&server).read_to_end(&mut raw).unwrap();
    assert_eq!(http::parse(&raw).text(), expected);
    chunk(&mut holder, b"");
    holder.read_to_end(&mut Vec::new()).unwrap();
}
