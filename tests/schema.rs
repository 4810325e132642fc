//! JSON Schemas: every example document fits the schema of the policy version that decides
//! it, every decision and error line `proviso eval --format json` prints fits the decision
//! schema, the schemas refuse what the engine refuses (at the exact place), and `proviso
//! schema` prints them.
//!
//! `tests/schemas/` holds the generated schema of one bundled policy version;
//! `PROVISO_BLESS=1 cargo test --test schema` rewrites it (review the diff).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod minimal;
mod support;

use std::path::{Path, PathBuf};

use jsonschema::Validator;
use proviso::internals::json_schema;
use proviso::{Document, PolicySet};
use serde_json::{json, Value};

/// A validator for `schema` (draft 2020-12) that asserts `format` (dates and instants) too.
fn validator(schema: &Value) -> Validator {
    assert!(
        jsonschema::draft202012::meta::is_valid(schema),
        "not a valid draft 2020-12 schema: {:?}",
        jsonschema::draft202012::meta::validate(schema).err()
    );
    jsonschema::draft202012::options()
        .should_validate_formats(true)
        .build(schema)
        .unwrap()
}

/// The instance paths of every error, sorted (empty when `instance` is valid).
fn failing(v: &Validator, instance: &Value) -> Vec<String> {
    let mut paths: Vec<String> = v
        .iter_errors(instance)
        .map(|e| e.instance_path().to_string())
        .collect();
    paths.sort();
    paths.dedup();
    paths
}

/// Every error of `instance`, for a failure message.
fn errors(v: &Validator, instance: &Value) -> String {
    let shown: Vec<String> = v
        .iter_errors(instance)
        .map(|e| format!("  {}: {e}", e.instance_path()))
        .collect();
    shown.join("\n")
}

fn decision_schema() -> Value {
    serde_json::from_str(json_schema::DECISION).unwrap()
}

fn document_schema(set: &PolicySet, name: &str, version: &str) -> Value {
    let program = set
        .versions()
        .find(|p| &*p.meta.name == name && &*p.meta.version == version)
        .unwrap_or_else(|| panic!("no version {version} of {name}"));
    json_schema::document(program)
}

/// Each document of an example file: its text, its format and its line (0 for a whole file).
fn example_documents() -> Vec<(PathBuf, String, proviso::Format, usize)> {
    let files = support::document_files(Path::new("examples"));
    let mut out = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).unwrap();
        let ext = path.extension().unwrap().to_string_lossy().to_string();
        match ext.as_str() {
            "jsonl" | "ndjson" => {
                for (i, line) in text.lines().enumerate() {
                    if !line.trim().is_empty() {
                        out.push((path.clone(), line.to_string(), proviso::Format::Json, i + 1));
                    }
                }
            }
            "json" => out.push((path, text, proviso::Format::Json, 0)),
            _ => out.push((path, text, proviso::Format::Yaml, 0)),
        }
    }
    out
}

#[test]
fn every_example_document_fits_the_schema_of_its_policy_version() {
    let set = PolicySet::load("policies").unwrap();
    let docs = example_documents();
    assert!(docs.len() > 100, "only {} example documents", docs.len());
    let mut failures = Vec::new();
    let mut versions = std::collections::BTreeSet::new();
    for (path, text, format, line) in &docs {
        let name = path.display().to_string();
        let mut doc = match format {
            proviso::Format::Yaml => Document::yaml(name.clone(), text),
            proviso::Format::Json => Document::json(name.clone(), text),
        };
        doc.line = *line;
        let decision = set
            .evaluate(&doc)
            .unwrap_or_else(|e| panic!("{name}:{line}: {e}"));
        let (policy, version) = (&*decision.policy.name, &*decision.policy.version);
        versions.insert(format!("{policy} {version}"));
        let v = validator(&document_schema(&set, policy, version));
        let instance: Value = match format {
            proviso::Format::Yaml => serde_yaml::from_str(text).unwrap(),
            proviso::Format::Json => serde_json::from_str(text).unwrap(),
        };
        if !v.is_valid(&instance) {
            failures.push(format!("{name}:{line}:\n{}", errors(&v, &instance)));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every bundled version decides some example, so every schema was exercised.
    let all: std::collections::BTreeSet<String> = set
        .versions()
        .map(|p| format!("{} {}", p.meta.name, p.meta.version))
        .collect();
    assert_eq!(versions, all);
}

/// The lines `proviso eval` prints with `args`, each parsed.
fn eval_lines(args: &[&str], stdin: &str) -> (i32, Vec<Value>) {
    let run = support::proviso_stdin(args, stdin);
    let lines = run
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    (run.code, lines)
}

fn assert_all_fit(v: &Validator, lines: &[Value]) {
    let failures: Vec<String> = lines
        .iter()
        .filter(|l| !v.is_valid(l))
        .map(|l| format!("{}\n{}", l["input"], errors(v, l)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_decision_of_the_examples_fits_the_decision_schema() {
    let v = validator(&decision_schema());
    let expected = example_documents().len();
    let (code, lines) = eval_lines(&["eval", "policies", "examples", "--format", "json"], "");
    assert_eq!(code, 0);
    assert_eq!(lines.len(), expected);
    assert_all_fit(&v, &lines);
    // The examples show every outcome, claims and cancellations, and every optional part.
    let mut outcomes: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["decision"].as_str())
        .collect();
    outcomes.sort();
    outcomes.dedup();
    assert_eq!(outcomes, ["approved", "denied", "incomplete", "referred"]);
    for key in [
        "recommended_evidence",
        "priority",
        "appeal",
        "notes",
        "not_met",
    ] {
        assert!(lines.iter().any(|l| l.get(key).is_some()), "no `{key}`");
    }
    assert!(lines.iter().any(|l| l["refund"].is_object()));
    assert!(lines.iter().any(|l| l["payout"].is_object()));
    let failure = |l: &&Value| {
        l["reasons"]
            .as_array()
            .is_some_and(|r| r.iter().any(|r| r.get("failure").is_some()))
    };
    assert!(
        lines.iter().any(|l| failure(&l)),
        "no reason with a failure"
    );
}

#[test]
fn every_explained_decision_of_the_examples_fits_the_decision_schema() {
    let v = validator(&decision_schema());
    let args = [
        "eval",
        "policies",
        "examples",
        "--format",
        "json",
        "--explain",
    ];
    let (code, lines) = eval_lines(&args, "");
    assert_eq!(code, 0);
    assert_eq!(lines.len(), example_documents().len());
    assert!(lines.iter().all(|l| l["explain"]["rules"].is_array()));
    assert_all_fit(&v, &lines);
    // Each part of a trace is exercised: operators, amounts before and after, unknown reads.
    let text = serde_json::to_string(&lines).unwrap();
    for part in [
        "\"op\":\"and\"",
        "\"op\":\"or\"",
        "\"before\":",
        "\"unknown\":true",
        "\"stage\":\"could_be_covered\"",
        "\"held\":\"failed\"",
    ] {
        assert!(text.contains(part), "no {part} in the traces");
    }
}

#[test]
fn decisions_picked_by_at_and_read_from_standard_input_fit_the_decision_schema() {
    let v = validator(&decision_schema());
    let doc = support::read("examples/shipping/lost-domestic.yaml");
    let args = [
        "eval",
        "policies",
        "-",
        "--format",
        "json",
        "--at",
        "2025-06-01",
    ];
    let (code, lines) = eval_lines(&args, &doc);
    assert_eq!(code, 0);
    assert_eq!(lines.len(), 1);
    assert_eq!(lines[0]["policy"]["date_from"], "--at");
    assert_eq!(lines[0]["input"], json!({"path": "-", "line": 1}));
    assert_all_fit(&v, &lines);
}

#[test]
fn error_lines_fit_the_decision_schema() {
    let v = validator(&decision_schema());
    let doc = "{\"policy\": \"xcotton/shipping-protection\", \"claim\": {\"id\": \"CLM-9\"}}\n\
               {\"policy\": \"nobody/nothing\"}\n";
    let args = ["eval", "policies", "-", "missing.yaml", "--format", "json"];
    let (code, lines) = eval_lines(&args, doc);
    assert_eq!(code, 4);
    assert_eq!(lines.len(), 3);
    assert!(lines.iter().all(|l| l.get("error").is_some()));
    assert_eq!(lines[0]["document"], "CLM-9");
    assert_eq!(lines[2]["document"], Value::Null);
    assert_all_fit(&v, &lines);
}

/// A change made to a valid document or decision, to see it refused.
type Change = Box<dyn Fn(&mut Value)>;

/// The first decision of `examples/shipping/lost-domestic.yaml`, as `eval` prints it.
fn lost_domestic() -> Value {
    let args = [
        "eval",
        "policies",
        "examples/shipping/lost-domestic.yaml",
        "--format",
        "json",
    ];
    let (code, lines) = eval_lines(&args, "");
    assert_eq!(code, 0);
    lines.into_iter().next().unwrap()
}

#[test]
fn the_decision_schema_refuses_what_no_decision_holds() {
    let v = validator(&decision_schema());
    let good = lost_domestic();
    assert_eq!(failing(&v, &good), Vec::<String>::new());
    let cases: Vec<(&str, Change, Vec<&str>)> = vec![
        (
            "an amount as a number",
            Box::new(|d| d["payout"]["amount"] = json!(44)),
            vec!["/payout/amount"],
        ),
        (
            "an amount without its cents",
            Box::new(|d| d["payout"]["amount"] = json!("44")),
            vec!["/payout/amount"],
        ),
        (
            "an unknown outcome",
            // Not `approved` either, so its amount and breakdown are wrong too.
            Box::new(|d| d["decision"] = json!("maybe")),
            vec!["/decision", "/payout/amount", "/payout/breakdown"],
        ),
        (
            "a denial that pays",
            Box::new(|d| d["decision"] = json!("denied")),
            vec!["/payout/amount", "/payout/breakdown"],
        ),
        (
            "incomplete with nothing missing",
            Box::new(|d| {
                d["decision"] = json!("incomplete");
                d["payout"]["amount"] = json!("0.00");
                d["payout"]["breakdown"] = json!([]);
            }),
            vec!["/missing_evidence"],
        ),
        (
            "both a payout and a refund",
            Box::new(|d| d["refund"] = d["payout"].clone()),
            vec![""],
        ),
        (
            "no input",
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("input");
            }),
            vec![""],
        ),
        (
            "a key no decision has",
            Box::new(|d| d["score"] = json!(1)),
            vec![""],
        ),
        (
            "a hash in capitals",
            Box::new(|d| {
                let upper = d["policy"]["sha256"].as_str().unwrap().to_uppercase();
                d["policy"]["sha256"] = json!(upper);
            }),
            vec!["/policy/sha256"],
        ),
        (
            "a deadline that is no date",
            Box::new(|d| d["deadlines"]["settle_by"] = json!("in two days")),
            vec!["/deadlines/settle_by"],
        ),
        (
            "a reason of an unknown kind",
            Box::new(|d| d["reasons"][0]["kind"] = json!("bonus")),
            vec!["/reasons/0/kind"],
        ),
    ];
    for (what, change, paths) in cases {
        let mut d = good.clone();
        change(&mut d);
        assert_eq!(failing(&v, &d), paths, "{what}");
    }
    let error_line = json!({"document": null, "error": {"message": "m"}, "input": {"path": "-"}});
    assert_eq!(failing(&v, &error_line), ["/error"]);
}

/// `examples/shipping/lost-domestic.yaml` as JSON.
fn lost_domestic_document() -> Value {
    serde_yaml::from_str(&support::read("examples/shipping/lost-domestic.yaml")).unwrap()
}

#[test]
fn the_document_schema_refuses_what_the_engine_refuses_at_the_same_place() {
    let set = PolicySet::load("policies").unwrap();
    let schema = document_schema(&set, "xcotton/shipping-protection", "2025-01-01");
    let v = validator(&schema);
    let good = lost_domestic_document();
    assert_eq!(failing(&v, &good), Vec::<String>::new());
    // Each change, the schema's failing instance path, and the engine's error path.
    let cases: Vec<(Change, &str, Option<&str>)> = vec![
        (
            Box::new(|d| {
                d["order"]["items"][0]
                    .as_object_mut()
                    .unwrap()
                    .remove("sku");
            }),
            "/order/items/0",
            Some("order.items[0].sku"),
        ),
        (
            Box::new(|d| d["claim"]["type"] = json!("stolen")),
            "/claim/type",
            Some("claim.type"),
        ),
        (
            Box::new(|d| d["shipment"]["shipped_at"] = json!("2025-6-2")),
            "/shipment/shipped_at",
            Some("shipment.shipped_at"),
        ),
        (
            Box::new(|d| d["shipment"]["last_update_at"] = json!("2025-02-30")),
            "/shipment/last_update_at",
            Some("shipment.last_update_at"),
        ),
        (
            Box::new(|d| d["claim"]["filed_at"] = json!("2025-07-10T09:30:00")),
            "/claim/filed_at",
            Some("claim.filed_at"),
        ),
        (
            Box::new(|d| d["order"]["items"][0]["unit_price"] = json!("24,00")),
            "/order/items/0/unit_price",
            Some("order.items[0].unit_price"),
        ),
        (
            Box::new(|d| d["order"]["items"][0]["quantity"] = json!("2.0")),
            "/order/items/0/quantity",
            Some("order.items[0].quantity"),
        ),
        (
            Box::new(|d| d["claim"]["traceable"] = json!("yes")),
            "/claim/traceable",
            Some("claim.traceable"),
        ),
        (
            Box::new(|d| d["order"]["id"] = Value::Null),
            "/order/id",
            Some("order.id"),
        ),
        (
            Box::new(|d| d["shipment"] = json!([])),
            "/shipment",
            Some("shipment"),
        ),
        (
            Box::new(|d| d["policy"] = json!("xcotton/product-protection")),
            "/policy",
            Some("policy"),
        ),
        (
            Box::new(|d| {
                d["cancellation"] = json!({"id": "CAN-1", "requested_at": "2025-07-10"});
            }),
            "",
            None,
        ),
        (
            Box::new(|d| {
                d.as_object_mut().unwrap().remove("claim");
            }),
            "",
            None,
        ),
    ];
    for (change, schema_path, engine_path) in cases {
        let mut d = good.clone();
        change(&mut d);
        assert_eq!(failing(&v, &d), [schema_path], "{d}");
        let text = d.to_string();
        let only = PolicySet::load("policies/xcotton/shipping-protection/2025-01-01.proviso");
        let err = only
            .unwrap()
            .evaluate(&Document::json("doc.json", &text))
            .expect_err(schema_path);
        assert_eq!(err.path.as_deref(), engine_path, "{}", err.message);
    }
}

/// What a minimal policy's documents may be: the schema and the engine agree on each.
#[test]
fn the_document_schema_accepts_exactly_what_the_engine_reads() {
    let engine = minimal::Engine::claim("");
    let v = validator(&json_schema::document(
        engine.set.versions().next().unwrap(),
    ));
    let base = json!({
        "policy": minimal::NAME,
        "claim": {
            "id": "C-1", "type": "lost", "filed_at": "2025-06-01T10:00:00Z",
            "amount": "10.00", "count": 2, "rate": "0.5"
        }
    });
    let claim = |key: &str, value: Value| {
        let mut d = base.clone();
        d["claim"][key] = value;
        d
    };
    let mut cases: Vec<(Value, bool)> = vec![(base.clone(), true)];
    let accepted = [
        ("amount", json!(10.5)),
        ("amount", json!("-0.125")),
        ("amount", json!(7)),
        ("count", json!("2")),
        ("count", json!(-3)),
        ("rate", json!(1)),
        ("flag", json!("true")),
        ("flag", json!(false)),
        ("flag", Value::Null),
        ("id", json!(42)),
        ("fee", Value::Null),
        ("note", json!(1.5)),
        ("type", json!("stolen")),
        ("filed_at", json!("2025-06-01T10:00:00+02:00")),
        ("filed_at", json!("2025-06-01t10:00:00.5z")),
        ("filed_at", json!("2016-12-31T23:59:60Z")),
        ("day", json!("0001-01-01")),
        ("day", json!("2024-02-29")),
        ("items", json!([])),
        ("items", Value::Null),
        ("items", json!([{"sku": 7, "qty": "1", "price": 1}])),
        ("evidence", json!([{"kind": "photo", "sides": null}])),
        ("colour", json!({"any": ["thing"]})),
    ];
    let refused = [
        ("amount", json!("1e3")),
        ("amount", json!("1,000")),
        ("amount", json!(".5")),
        ("amount", json!("5.")),
        ("amount", json!(true)),
        ("amount", Value::Null),
        ("count", json!("2.0")),
        ("count", json!("two")),
        ("rate", json!([1])),
        ("flag", json!("yes")),
        ("flag", json!(1)),
        ("id", json!(true)),
        ("id", json!({})),
        ("type", json!("Lost")),
        ("type", json!(1)),
        ("filed_at", json!("2025-06-01T10:00:00")),
        ("filed_at", json!("2025-06-01")),
        ("filed_at", json!("+2025-06-01T10:00:00Z")),
        ("filed_at", json!("2025-06-01T24:00:00Z")),
        ("day", json!("2025-6-1")),
        ("day", json!("0000-01-01")),
        ("day", json!("2025-13-01")),
        ("day", json!("2023-02-29")),
        ("day", json!("2025-06-01T10:00:00Z")),
        ("items", json!({})),
        ("items", json!([null])),
        ("items", json!([{"sku": "A", "qty": 1}])),
        ("evidence", json!([{"sides": 6}])),
    ];
    cases.extend(accepted.into_iter().map(|(k, v)| (claim(k, v), true)));
    cases.extend(refused.into_iter().map(|(k, v)| (claim(k, v), false)));
    let mut root = |change: &dyn Fn(&mut serde_json::Map<String, Value>), ok: bool| {
        let mut d = base.clone();
        change(d.as_object_mut().unwrap());
        cases.push((d, ok));
    };
    root(
        &|d| {
            d.remove("policy");
        },
        false,
    );
    root(
        &|d| drop(d.insert("policy".into(), json!("test/other"))),
        false,
    );
    root(&|d| drop(d.insert("claim".into(), Value::Null)), false);
    root(&|d| drop(d.insert("currency".into(), json!("EUR"))), true);
    root(&|d| drop(d.insert("currency".into(), Value::Null)), true);
    cases.push((json!([base.clone()]), false));
    let mut disagree = Vec::new();
    for (doc, ok) in &cases {
        let schema_ok = v.is_valid(doc);
        let engine_ok = engine.run_json(&doc.to_string()).is_ok();
        if (schema_ok, engine_ok) != (*ok, *ok) {
            disagree.push(format!(
                "{doc}: expected {ok}, schema {schema_ok}, engine {engine_ok}"
            ));
        }
    }
    assert!(disagree.is_empty(), "{}", disagree.join("\n"));
    // The one spelling the engine reads and the `date-time` format does not: a space for `T`.
    let spaced = claim("filed_at", json!("2025-06-01 10:00:00Z"));
    assert!(engine.run_json(&spaced.to_string()).is_ok());
    assert_eq!(failing(&v, &spaced), ["/claim/filed_at"]);
}

#[test]
fn the_document_schema_states_the_policy_version_and_what_each_fact_may_be() {
    let set = PolicySet::load("policies").unwrap();
    let s = document_schema(&set, "xcotton/product-protection", "2025-01-01");
    assert_eq!(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(
        s["$id"],
        "urn:proviso:xcotton/product-protection:2025-01-01:document"
    );
    assert_eq!(s["title"], "xcotton/product-protection 2025-01-01 document");
    let doc = set
        .versions()
        .find(|p| &*p.meta.name == "xcotton/product-protection")
        .map(|p| p.meta.doc.to_string());
    assert_eq!(s["description"].as_str(), doc.as_deref());
    assert_eq!(
        s["properties"]["policy"]["const"],
        "xcotton/product-protection"
    );
    assert_eq!(s["required"], json!(["policy", "order", "shipment"]));
    let claim = &s["properties"]["claim"];
    assert_eq!(claim["type"], json!(["object", "null"]));
    assert_eq!(claim["required"], json!(["id", "type", "filed_at"]));
    assert_eq!(
        claim["properties"]["resolution"]["enum"],
        json!(["cash", "reship", "parts", "parts_and_cash", null])
    );
    assert_eq!(claim["properties"]["paid_claims"]["default"], json!(0));
    assert_eq!(
        claim["properties"]["paid_claims"]["type"],
        json!(["string", "number", "null"])
    );
    let items = &s["properties"]["order"]["properties"]["items"];
    assert_eq!(
        items["maxItems"],
        json!(proviso::internals::document::MAX_LIST_ITEMS)
    );
    assert_eq!(items["items"]["additionalProperties"], json!(true));
    assert_eq!(
        json_schema::document_id("a b:c", "v 1"),
        "urn:proviso:a%20b%3Ac:v%201:document"
    );
}

#[test]
fn defaults_of_every_kind_are_stated_as_a_document_writes_them() {
    let facts = "  claim: record {
    id: string
    kind: enum { a, b } default \"b\"
    on: date default 2025-01-02
    flag: bool default true
    rate: decimal default 0.25
    n: integer default 3
    label: string default \"x\"
  }";
    let engine = minimal::Engine::new(facts, "");
    let s = json_schema::document(engine.set.versions().next().unwrap());
    let p = &s["properties"]["claim"]["properties"];
    let defaults: Vec<&Value> = ["kind", "on", "flag", "rate", "n", "label"]
        .iter()
        .map(|k| &p[*k]["default"])
        .collect();
    assert_eq!(
        defaults,
        [
            &json!("b"),
            &json!("2025-01-02"),
            &json!(true),
            &json!(0.25),
            &json!(3),
            &json!("x")
        ]
    );
    assert_eq!(s["properties"]["claim"]["required"], json!(["id"]));
    // A policy of claims alone: the claim must be there.
    assert_eq!(
        s["allOf"],
        json!([{"required": ["claim"], "properties": {"claim": {"not": {"type": "null"}}}}])
    );
}

const GOLDEN: &str = "tests/schemas/xcotton-shipping-protection-2025-01-01.json";

#[test]
fn proviso_schema_prints_the_golden_schema_of_a_bundled_policy() {
    let run = support::proviso(&["schema", "policies", "xcotton/shipping-protection"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    if std::env::var_os("PROVISO_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(support::root().join(GOLDEN), &run.stdout).unwrap();
    }
    assert_eq!(run.stdout, support::read(GOLDEN));
    assert!(run
        .stdout
        .starts_with("{\n  \"$comment\": \"Generated by `proviso schema`"));
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    let set = PolicySet::load("policies").unwrap();
    assert_eq!(
        printed,
        document_schema(&set, "xcotton/shipping-protection", "2025-01-01")
    );
}

#[test]
fn proviso_schema_version_picks_a_version() {
    let args = [
        "schema",
        "policies",
        "xcotton/shipping-protection",
        "--version",
        "2024-01-01",
    ];
    let run = support::proviso(&args);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        printed["$id"],
        "urn:proviso:xcotton/shipping-protection:2024-01-01:document"
    );
    let types = &printed["properties"]["claim"]["properties"]["type"]["enum"];
    assert_eq!(types.as_array().map(Vec::len), Some(8));
}

#[test]
fn proviso_schema_decision_prints_the_decision_schema() {
    let run = support::proviso(&["schema", "--decision"]);
    assert_eq!((run.code, run.stderr.as_str()), (0, ""));
    assert_eq!(run.stdout, support::read("docs/decision.schema.json"));
    let printed: Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(printed["$id"], "urn:proviso:decision");
    assert_eq!(
        printed["$defs"]["decision"]["required"],
        json!([
            "document",
            "policy",
            "decision",
            "payout",
            "refund",
            "missing_evidence",
            "reasons",
            "deadlines",
            "input"
        ])
    );
}

#[test]
fn proviso_schema_names_an_unknown_policy_or_version() {
    let run = support::proviso(&["schema", "policies", "acme/nothing"]);
    assert_eq!(run.code, 3);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: no policy named `acme/nothing` under `policies` (loaded: \
         marketplace/shipping-insurance, xcotton/product-protection, \
         xcotton/shipping-protection)\n  help: name a policy as its documents do in \
         `policy`; `proviso versions policies` lists them\n"
    );
    let args = [
        "schema",
        "policies",
        "xcotton/shipping-protection",
        "--version",
        "2023-01-01",
    ];
    let run = support::proviso(&args);
    assert_eq!(run.code, 3);
    assert_eq!(run.stdout, "");
    assert_eq!(
        run.stderr,
        "error: `xcotton/shipping-protection` has no version `2023-01-01` under `policies` \
         (versions: 2024-01-01, 2025-01-01)\n  help: give one of its version labels, or \
         leave out `--version` for the latest\n"
    );
}

#[test]
fn proviso_schema_usage_errors_and_missing_policies() {
    let missing = support::proviso(&["schema", "policies"]);
    assert_eq!((missing.code, missing.stdout.as_str()), (2, ""));
    assert!(missing.stderr.contains("<NAME>"), "{}", missing.stderr);
    let both = support::proviso(&["schema", "--decision", "policies", "x"]);
    assert_eq!((both.code, both.stdout.as_str()), (2, ""));
    assert!(
        both.stderr.contains("cannot be used with"),
        "{}",
        both.stderr
    );
    let missing = support::proviso(&["schema", "tests/nothing-here", "x"]);
    assert_eq!((missing.code, missing.stdout.as_str()), (3, ""));
    assert!(
        missing
            .stderr
            .starts_with("  × cannot read `tests/nothing-here`: ")
            && missing.stderr.ends_with(
                "\n  help: check the path; POLICIES is a policy file or a directory of them\n"
            ),
        "{}",
        missing.stderr
    );
}
