//! Golden decisions: every document under `examples/` is evaluated and its decision compared
//! with the `<name>.expected.json` (or `.expected.jsonl`, one decision a line) beside it.
//!
//! `policy.sha256` is checked against the hash of the policy file that decided, then left
//! out of the comparison, so a policy edit does not rewrite every expected file. So are
//! `policy.in_force_on` and `policy.date_from`, checked against the document's own dates
//! (the first of the version dates it has, and its date). Likewise `input` is checked to
//! name the example's path (and, in JSON Lines, its line), then left out.
//! `PROVISO_BLESS=1 cargo test --test golden` rewrites the expected files from the engine:
//! only for changes whose decisions have been checked by hand.
//!
//! The policies' test files (`policies/*/*/tests/*.yaml`), which state the examples'
//! decisions in the authors' partial form, must pass under `proviso test policies`.
#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use std::path::{Path, PathBuf};

use proviso::{Document, PolicySet};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// The documented identity of a policy version, computed here from the files alone: the
/// SHA-256 of the policy file followed, for each `hook ... from "FILE"` it declares (in
/// order), by a NUL byte, FILE as written, a NUL byte and the bytes of that file.
fn policy_hash(file: &proviso::internals::span::Source) -> String {
    let mut h = Sha256::new();
    h.update(file.text.as_bytes());
    let dir = Path::new(file.name.as_ref()).parent().unwrap();
    for line in file
        .text
        .lines()
        .filter(|l| l.trim_start().starts_with("hook "))
    {
        let name = line
            .split("from \"")
            .nth(1)
            .and_then(|r| r.split('"').next())
            .unwrap();
        h.update([0]);
        h.update(name.as_bytes());
        h.update([0]);
        h.update(std::fs::read(dir.join(name)).unwrap());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The decision as JSON text (pretty for a whole file, one line for JSON Lines), with
/// `policy.sha256`, `policy.in_force_on`, `policy.date_from` and `input` checked and
/// removed. `line` is the line of a JSON Lines document, 0 for a whole file.
fn decide(set: &PolicySet, path: &Path, text: &str, line: usize) -> String {
    let name = path.display().to_string();
    let mut doc = match path.extension().is_some_and(|x| x == "yaml" || x == "yml") {
        true => Document::yaml(name.clone(), text),
        false => Document::json(name.clone(), text),
    };
    doc.line = line;
    let mut d = set
        .evaluate(&doc)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let input = d.input.take().unwrap();
    assert_eq!(*input.path, name, "{name}: input.path");
    assert_eq!(
        input.line,
        Some(line).filter(|&n| n > 0),
        "{name}: input.line"
    );
    let pretty = line == 0;
    let (name, version) = (&d.policy.name, &d.policy.version);
    let p = set
        .versions()
        .find(|p| &p.meta.name == name && &p.meta.version == version);
    let hash = policy_hash(&p.unwrap().meta.file);
    assert_eq!(*d.policy.sha256, hash, "{}: policy.sha256", path.display());
    let document: Value = match doc.format {
        proviso::Format::Yaml => serde_yaml::from_str(text).unwrap(),
        proviso::Format::Json => serde_json::from_str(text).unwrap(),
    };
    let policy = serde_json::to_value(&d.policy).unwrap();
    if let Err(e) = support::check_picked_date(&document, &policy, None) {
        panic!("{}: {e}", path.display());
    }
    let mut out = match pretty {
        true => serde_json::to_string_pretty(&d).unwrap(),
        false => serde_json::to_string(&d).unwrap(),
    };
    for (key, value) in [
        ("sha256", hash.as_str()),
        ("in_force_on", policy["in_force_on"].as_str().unwrap()),
        ("date_from", policy["date_from"].as_str().unwrap()),
    ] {
        out = out
            .replace(&format!(",\n    \"{key}\": \"{value}\""), "")
            .replace(&format!(",\"{key}\":\"{value}\""), "");
    }
    out
}

/// Every place where `actual` differs from `expected`, as `path: expected X, actual Y` lines.
fn diff(path: &str, expected: Option<&Value>, actual: Option<&Value>, out: &mut Vec<String>) {
    let show = |v: Option<&Value>| v.map_or("(absent)".into(), Value::to_string);
    match (expected, actual) {
        (Some(Value::Object(e)), Some(Value::Object(a))) => {
            for k in e.keys().chain(a.keys().filter(|k| !e.contains_key(*k))) {
                diff(&format!("{path}.{k}"), e.get(k), a.get(k), out);
            }
        }
        (Some(Value::Array(e)), Some(Value::Array(a))) if e.len() == a.len() => {
            for (i, (e, a)) in e.iter().zip(a).enumerate() {
                diff(&format!("{path}[{i}]"), Some(e), Some(a), out);
            }
        }
        (e, a) if e != a => out.push(format!(
            "  {path}: expected {}, actual {}",
            show(e),
            show(a)
        )),
        _ => {}
    }
}

#[test]
fn golden_decisions() {
    let set = PolicySet::load("policies").unwrap();
    let bless = std::env::var_os("PROVISO_BLESS").is_some_and(|v| v == "1");
    let docs = support::document_files(Path::new("examples"));
    assert!(!docs.is_empty(), "no example documents under examples/");
    // The non-blank lines, each with its line number.
    let lines = |t: String| -> Vec<(usize, String)> {
        let lines = t.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
        lines.map(|(i, l)| (i + 1, l.to_string())).collect()
    };
    let mut failures = Vec::new();
    for path in &docs {
        let jsonl = path
            .extension()
            .is_some_and(|x| x == "jsonl" || x == "ndjson");
        let text = std::fs::read_to_string(path).unwrap();
        let expected_path =
            path.with_extension(["expected.json", "expected.jsonl"][jsonl as usize]);
        let inputs: Vec<(usize, String)> = if jsonl { lines(text) } else { vec![(0, text)] };
        let actual: Vec<String> = inputs
            .iter()
            .map(|(line, t)| decide(&set, path, t, *line))
            .collect();
        if bless {
            std::fs::write(
                &expected_path,
                actual.iter().map(|d| d.clone() + "\n").collect::<String>(),
            )
            .unwrap();
        }
        let Ok(expected) = std::fs::read_to_string(&expected_path) else {
            let (p, x) = (path.display(), expected_path.display());
            failures.push(format!("{p}: no expected decision, add {x}"));
            continue;
        };
        let expected: Vec<String> = if jsonl {
            lines(expected).into_iter().map(|(_, l)| l).collect()
        } else {
            vec![expected]
        };
        if expected.len() != actual.len() {
            let (p, e, a) = (path.display(), expected.len(), actual.len());
            failures.push(format!("{p}: {e} expected decisions, {a} documents"));
        }
        for (i, (e, a)) in expected.iter().zip(&actual).enumerate() {
            let mut out = Vec::new();
            let parse = |s: &str| serde_json::from_str::<Value>(s).unwrap();
            diff("", Some(&parse(e)), Some(&parse(a)), &mut out);
            if !out.is_empty() {
                let (p, n, x) = (path.display(), i + 1, expected_path.display());
                failures.push(format!(
                    "{p} (document {n}) differs from {x}:\n{}\nactual:\n{a}",
                    out.join("\n")
                ));
            }
        }
    }
    let n = docs.len();
    assert!(
        failures.is_empty(),
        "{} of {n} example files failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_policies_test_files_pass() {
    let found = proviso::internals::testing::find(&[PathBuf::from("policies")]);
    assert!(!found.tests.is_empty(), "no test files under policies/");
    let cases: usize = found
        .tests
        .iter()
        .map(|p| {
            proviso::internals::testing::read_file(p)
                .unwrap()
                .cases
                .len()
        })
        .sum();
    let run = support::proviso(&["test", "policies"]);
    assert_eq!(
        (run.code, run.stdout.as_str(), run.stderr.as_str()),
        (
            0,
            format!("{cases} passed, 0 failed, 0 errors\n").as_str(),
            ""
        )
    );
}
