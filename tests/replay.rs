//! Replay: the example corpus decided under both shipping versions, totals to the cent.
//!
//! `tests/versions/replay-2024-2025.txt` is the exact text output;
//! `PROVISO_BLESS=1 cargo test --test replay` rewrites it (check the totals by hand
//! against `examples/corpus/README.md` before committing).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use support::{proviso, read, root};

const V2024: &str = "policies/xcotton/shipping-protection/2024-01-01.proviso";
const V2025: &str = "policies/xcotton/shipping-protection/2025-01-01.proviso";
const CORPUS: &str = "examples/corpus/shipping-2024.jsonl";

#[test]
fn replay_of_the_corpus_reports_the_claims_the_two_changes_affect() {
    let run = proviso(&[
        "replay",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
        "examples/corpus",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let golden = "tests/versions/replay-2024-2025.txt";
    if std::env::var_os("PROVISO_BLESS").is_some() {
        std::fs::write(root().join(golden), &run.stdout).unwrap();
    }
    assert_eq!(run.stdout, read(golden));
    assert!(run.stdout.ends_with(
        "documents evaluated  16\n\
         documents changed    6\n\
         decisions changed    6\n\
         total payout         577.65 -> 438.25 USD\n"
    ));
}

#[test]
fn replay_as_json_with_exact_totals() {
    let run = proviso(&["replay", V2024, V2025, CORPUS, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let r: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(r["old"]["version"], "2024-01-01");
    assert_eq!(r["new"]["version"], "2025-01-01");
    assert_eq!(r["documents_evaluated"], 16);
    assert_eq!(r["documents_changed"], 6);
    assert_eq!(r["decisions_changed"], 6);
    assert_eq!(
        r["total_payout"],
        serde_json::json!({
            "before": { "amount": "577.65", "currency": "USD" },
            "after": { "amount": "438.25", "currency": "USD" },
        })
    );
    let changed: Vec<(&str, &str, &str, &str, &str)> = r["changed"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["document"].as_str().unwrap(),
                c["before"]["decision"].as_str().unwrap(),
                c["before"]["payout"].as_str().unwrap(),
                c["after"]["decision"].as_str().unwrap(),
                c["after"]["payout"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        changed,
        [
            ("CLM-2402", "approved", "80.00", "denied", "0.00"),
            ("CLM-2403", "approved", "107.90", "denied", "0.00"),
            ("CLM-2406", "approved", "44.00", "denied", "0.00"),
            ("CLM-2407", "denied", "0.00", "approved", "12.50"),
            ("CLM-2408", "denied", "0.00", "approved", "80.00"),
            ("CLM-2409", "denied", "0.00", "incomplete", "0.00"),
        ]
    );
    assert_eq!(
        r["changed"][0]["rules"],
        serde_json::json!([
            { "rule": "lost_package", "kind": "coverage", "given": "before" },
            { "rule": "lost_waiting_period", "kind": "exclusion", "given": "after" },
        ])
    );
    assert_eq!(r["changed"][0]["source"], format!("{CORPUS}:2"));
    assert_eq!(r["errors"], serde_json::json!([]));
}

#[test]
fn replay_of_a_version_against_itself_changes_nothing() {
    let run = proviso(&["replay", V2025, V2025, CORPUS]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with(
            "documents evaluated  16\n\
             documents changed    0\n\
             decisions changed    0\n\
             total payout         438.25 -> 438.25 USD\n"
        ),
        "{}",
        run.stdout
    );
}

#[test]
fn replay_forces_both_versions_whatever_the_dates_and_reports_documents_it_cannot_decide() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("replay-corpus-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    // Bought in 2023, when no version was in force: `eval` refuses it, replay does not.
    let old_claim = read("examples/shipping/lost-domestic.yaml")
        .replace("purchased_at: 2025-06-01", "purchased_at: 2023-06-01");
    assert!(old_claim.contains("2023-06-01"));
    std::fs::write(dir.join("a-bought-2023.yaml"), &old_claim).unwrap();
    let other = old_claim.replace(
        "policy: xcotton/shipping-protection",
        "policy: xcotton/product-protection",
    );
    std::fs::write(dir.join("b-other-policy.yaml"), other).unwrap();
    let corpus = dir.display().to_string();

    let eval = proviso(&["eval", "policies", &format!("{corpus}/a-bought-2023.yaml")]);
    assert_eq!(eval.code, 4, "{}", eval.stdout);

    let run = proviso(&["replay", V2024, V2025, &corpus, "--format", "json"]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(run.code, 4, "{}", run.stderr);
    let r: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(r["documents_evaluated"], 1);
    assert_eq!(r["documents_changed"], 0);
    assert_eq!(r["total_payout"]["before"]["amount"], "44.00");
    assert_eq!(r["total_payout"]["after"]["amount"], "44.00");
    let errors = r["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2, "one per version: {errors:?}");
    for (e, version) in errors.iter().zip(["2024-01-01", "2025-01-01"]) {
        assert_eq!(e["document"], "CLM-0001");
        assert_eq!(e["version"], version);
        assert_eq!(e["path"], "policy");
        assert_eq!(
            e["message"],
            "document is for policy `xcotton/product-protection`, not `xcotton/shipping-protection`"
        );
        assert!(e["source"]
            .as_str()
            .unwrap()
            .ends_with("b-other-policy.yaml"));
    }
    assert!(
        run.stderr
            .contains("document is for policy `xcotton/product-protection`"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_corpus_is_decided_by_the_2024_terms_when_judged_by_its_dates() {
    let run = proviso(&["eval", "policies", CORPUS, "--format", "json"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = read("examples/corpus/shipping-2024.expected.jsonl");
    let corpus = read(CORPUS);
    let actual: Vec<String> = run
        .stdout
        .lines()
        .zip(corpus.lines())
        .enumerate()
        .map(|(i, (l, doc))| {
            let mut d: serde_json::Value = serde_json::from_str(l).unwrap();
            let input = d.as_object_mut().unwrap().remove("input").unwrap();
            assert_eq!(input, serde_json::json!({"path": CORPUS, "line": i + 1}));
            let sha = d["policy"]["sha256"].as_str().unwrap().to_string();
            assert_eq!(
                sha,
                proviso::internals::compile::hash(read(V2024).as_bytes(), &[])
            );
            let doc: serde_json::Value = serde_json::from_str(doc).unwrap();
            let checked = support::check_picked_date(&doc, &d["policy"], None);
            assert_eq!(checked, Ok(()), "{doc}");
            let policy = d["policy"].as_object_mut().unwrap();
            for key in ["sha256", "in_force_on", "date_from"] {
                policy.remove(key);
            }
            d.to_string()
        })
        .collect();
    let expected: Vec<String> = expected
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l)
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(actual, expected);
}
