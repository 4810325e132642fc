//! Baseline benchmarks: a hand-written decision of the Xcotton shipping policy, to measure
//! the engine against.
//!
//! `benches/baseline/program.rs` codes `policies/xcotton/shipping-protection/2025-01-01.proviso`
//! in plain Rust. Before measuring, every generated claim and every example document of that
//! policy version is decided by both, and they must agree on the outcome, the amount, the
//! reasons (rule and text), the missing evidence and the deadlines.
//!
//! Measured: `baseline/decide_decoded` (the example `lost-domestic` claim, already read, as
//! `claim/decide_decoded` in `engine.rs`), `baseline/jsonl_decode_only/1000` (reading each of
//! the 1,000 generated lines into the typed structs) and `baseline/jsonl_end_to_end/1000`
//! (reading, deciding and writing each decision as a JSON line, as
//! `jsonl/evaluate_and_write/1000`).
//!
//! Run with `cargo bench --bench baseline`; see `benches/README.md` for the figures measured.

#![allow(clippy::panic)]

use std::hint::black_box;
use std::path::Path;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use proviso::{Document, PolicySet};
use serde_json::{json, Value};

mod corpus;
#[path = "baseline/program.rs"]
mod program;

use corpus::{batch, policies, quick, root};

/// The parts of a decision both write, as JSON: outcome, amounts, reasons, missing
/// evidence (requirement names) and deadlines.
fn common(decision: &Value) -> Value {
    let amount = |key: &str| match &decision[key] {
        Value::Null => Value::Null,
        p => json!({ "amount": p["amount"], "currency": p["currency"] }),
    };
    let reasons: Vec<Value> = decision["reasons"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| json!({ "rule": r["rule"], "text": r["text"], "failed": !r["failure"].is_null() }))
        .collect();
    let missing: Vec<Value> = decision["missing_evidence"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| m.get("requirement").unwrap_or(m).clone())
        .collect();
    json!({
        "document": decision["document"],
        "decision": decision["decision"],
        "payout": amount("payout"),
        "refund": amount("refund"),
        "reasons": reasons,
        "missing_evidence": missing,
        "deadlines": decision["deadlines"],
    })
}

/// How a document compared: decided alike, or decided by the engine under other terms
/// than the 2025-01-01 version the baseline codes.
enum Agreement {
    Alike,
    BothFail,
    OtherTerms,
}

/// Decides `json` with both and panics, showing both, unless they agree.
fn agree(set: &PolicySet, label: &str, json: &str) -> Agreement {
    let engine = set.evaluate(&Document::json(label.to_string(), json));
    let baseline = program::parse(json).and_then(|doc| {
        program::decide(&doc).map(|d| {
            (
                d.decision.as_str(),
                d.payout.as_ref().or(d.refund.as_ref()).map(|p| p.amount),
                serde_json::to_value(&d).unwrap_or_else(|e| panic!("{label}: {e}")),
            )
        })
    });
    let engine = match engine {
        Ok(d) if &*d.policy.version != "2025-01-01" => return Agreement::OtherTerms,
        Ok(d) => d,
        Err(e) => match baseline {
            Err(_) => return Agreement::BothFail,
            Ok((_, _, b)) => panic!("{label}: the engine fails ({e}) and the baseline decides {b}"),
        },
    };
    let (outcome, amount, written) =
        baseline.unwrap_or_else(|e| panic!("{label}: the baseline fails ({e})\n{json}"));
    let engine_amount = engine
        .payout
        .as_ref()
        .map(|p| p.amount)
        .or(engine.refund.as_ref().map(|r| r.amount));
    assert_eq!(
        (engine.decision.as_str(), engine_amount),
        (outcome, amount),
        "{label}: outcome and amount (engine, baseline)\n{json}"
    );
    let engine_json = serde_json::to_value(&engine).unwrap_or_else(|e| panic!("{label}: {e}"));
    assert_eq!(
        common(&engine_json),
        common(&written),
        "{label}: decision (engine, baseline)\n{json}"
    );
    Agreement::Alike
}

/// Every example document of the Xcotton shipping policy under `dir`, as one line of JSON
/// each (YAML read into a JSON value first), with its label.
fn example_documents(dir: &Path, out: &mut Vec<(String, String)>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(Result::ok)
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .display()
            .to_string();
        if path.is_dir() {
            example_documents(&path, out);
            continue;
        }
        if name.contains(".expected.") {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains("xcotton/shipping-protection") {
            continue;
        }
        match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => {
                if let Ok(v) = serde_yaml::from_str::<Value>(&text) {
                    out.push((name, v.to_string()));
                }
            }
            Some("json") => out.push((name, text.trim().to_string())),
            Some("jsonl") => {
                for (i, line) in text.lines().enumerate() {
                    if !line.trim().is_empty() {
                        out.push((format!("{name}:{}", i + 1), line.to_string()));
                    }
                }
            }
            _ => {}
        }
    }
}

fn baseline(c: &mut Criterion) {
    const CLAIMS: usize = 1_000;
    let set = policies();
    let text = batch(CLAIMS);
    for (i, line) in text.lines().enumerate() {
        let label = format!("batch.jsonl:{}", i + 1);
        if !matches!(agree(&set, &label, line), Agreement::Alike) {
            panic!("{label}: a generated claim is not decided by both under the same terms");
        }
    }
    let mut examples = Vec::new();
    example_documents(&root().join("examples"), &mut examples);
    let (mut alike, mut both_fail, mut other_terms) = (0, 0, 0);
    for (label, json) in &examples {
        match agree(&set, label, json) {
            Agreement::Alike => alike += 1,
            Agreement::BothFail => both_fail += 1,
            Agreement::OtherTerms => other_terms += 1,
        }
    }
    eprintln!(
        "baseline: decides as the engine does all {CLAIMS} generated claims and {alike} \
         example documents; {both_fail} more are refused by both, {other_terms} fall under \
         other terms (not compared)"
    );

    let json: Value = serde_yaml::from_str(
        &std::fs::read_to_string(root().join("examples/shipping/lost-domestic.yaml"))
            .unwrap_or_else(|e| panic!("example: {e}")),
    )
    .unwrap_or_else(|e| panic!("example: {e}"));
    let json = json.to_string();
    let doc = program::parse(&json).unwrap_or_else(|e| panic!("example: {e}"));

    let mut out = Vec::with_capacity(text.len());
    let engine_bytes: usize = text
        .lines()
        .filter_map(|line| set.evaluate(&Document::json("batch", line)).ok())
        .map(|d| serde_json::to_vec(&d).map_or(0, |v| v.len() + 1))
        .sum();
    eprintln!(
        "baseline: {} bytes of claims; the baseline writes {} bytes of decisions, the engine {engine_bytes}",
        text.len(),
        program::lines(&text, &mut out)
    );

    let mut g = c.benchmark_group("baseline");
    g.bench_function("decide_decoded", |b| {
        b.iter(|| program::decide(black_box(&doc)))
    });
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_with_input(
        BenchmarkId::new("jsonl_decode_only", CLAIMS),
        &text,
        |b, text| {
            b.iter(|| {
                for line in text.lines() {
                    black_box(program::parse(line).is_ok());
                }
            })
        },
    );
    g.bench_with_input(
        BenchmarkId::new("jsonl_end_to_end", CLAIMS),
        &text,
        |b, text| b.iter(|| program::lines(text, &mut out)),
    );
    g.finish();
}

criterion_group! {
    name = benches;
    config = quick();
    targets = baseline
}
criterion_main!(benches);
