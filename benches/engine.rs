//! Engine benchmarks: compiling the bundled policies, deciding one claim, and JSON Lines throughput.
//!
//! Run with `cargo bench --bench engine`; see `benches/README.md` for the figures measured.

#![allow(clippy::panic)]

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use proviso::{Document, PolicySet};
use serde_json::Value;

mod corpus;
use corpus::{batch, evaluate_lines, policies, quick, root};

fn example_yaml() -> String {
    let path = root().join("examples/shipping/lost-domestic.yaml");
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The example claim as one line of JSON.
fn example_json(yaml: &str) -> String {
    let value: Value = serde_yaml::from_str(yaml).unwrap_or_else(|e| panic!("example: {e}"));
    value.to_string()
}

fn compile(c: &mut Criterion) {
    let dir = root().join("policies");
    c.bench_function("compile/policies_dir", |b| {
        b.iter(|| PolicySet::load(black_box(&dir)))
    });
}

fn decide(c: &mut Criterion) {
    let set = policies();
    let yaml = example_yaml();
    let json = example_json(&yaml);
    let yaml_doc = Document::yaml("lost-domestic.yaml", &yaml);
    let json_doc = Document::json("lost-domestic.json", &json);
    let prepared = set
        .prepare(&yaml_doc, None)
        .unwrap_or_else(|e| panic!("example: {e}"));
    let expected = prepared.decide().unwrap_or_else(|e| panic!("example: {e}"));
    let mut from_json = set
        .evaluate(&json_doc)
        .unwrap_or_else(|e| panic!("example as JSON: {e}"));
    // The decisions differ only in the input they name.
    from_json.input.clone_from(&expected.input);
    assert_eq!(expected, from_json, "YAML and JSON forms decide alike");

    let mut g = c.benchmark_group("claim");
    g.bench_function("decide_decoded", |b| {
        b.iter(|| black_box(&prepared).decide())
    });
    g.bench_function("prepare_and_decide_yaml", |b| {
        b.iter(|| set.evaluate(black_box(&yaml_doc)))
    });
    g.bench_function("prepare_and_decide_json", |b| {
        b.iter(|| set.evaluate(black_box(&json_doc)))
    });
    g.finish();
}

fn jsonl(c: &mut Criterion) {
    const CLAIMS: usize = 1_000;
    let set = policies();
    let text = batch(CLAIMS);
    let mut outcomes: BTreeMap<String, usize> = BTreeMap::new();
    for line in text.lines() {
        let key = match set.evaluate(&Document::json("batch", line)) {
            Ok(d) => d.decision.as_str().to_string(),
            Err(e) => panic!("a generated claim failed: {e}\n{line}"),
        };
        *outcomes.entry(key).or_default() += 1;
    }
    eprintln!(
        "jsonl: {CLAIMS} claims, {} bytes, outcomes {outcomes:?}",
        text.len()
    );

    let mut g = c.benchmark_group("jsonl");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_with_input(BenchmarkId::new("parse_only", CLAIMS), &text, |b, text| {
        b.iter(|| {
            for line in text.lines() {
                black_box(serde_json::from_str::<Value>(line).is_ok());
            }
        })
    });
    g.bench_with_input(BenchmarkId::new("evaluate", CLAIMS), &text, |b, text| {
        b.iter(|| {
            for (i, line) in text.lines().enumerate() {
                let doc = Document::json(format!("batch.jsonl:{}", i + 1), line);
                black_box(set.evaluate(&doc).is_ok());
            }
        })
    });
    let mut out = Vec::with_capacity(text.len());
    g.bench_with_input(
        BenchmarkId::new("evaluate_and_write", CLAIMS),
        &text,
        |b, text| b.iter(|| evaluate_lines(&set, text, &mut out)),
    );
    g.finish();
}

criterion_group! {
    name = benches;
    config = quick();
    targets = compile, decide, jsonl
}
criterion_main!(benches);
