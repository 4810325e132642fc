//! The library's public surface: decisions read back from `proviso eval --format json`
//! (with and without `--explain`) write out to the same bytes, `Outcome` displays as the
//! JSON does, and listing, diff and replay through the public entry points agree with the
//! command.
#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use proviso::{
    diff, replay, Decimal, Decision, Document, Explained, Outcome, PolicySet, PolicyVersion,
    Report, Side, Source,
};
use support::{proviso, read, root};

/// The JSON lines `proviso eval policies examples --format json` prints, plus `extra`.
fn eval_lines(extra: &[&str]) -> Vec<String> {
    let mut args = vec!["eval", "policies", "examples", "--format", "json"];
    args.extend_from_slice(extra);
    let run = proviso(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout.lines().map(str::to_string).collect()
}

#[test]
fn every_example_decision_reads_back_to_the_same_bytes() {
    let lines = eval_lines(&[]);
    assert!(lines.len() > 100, "only {} decisions", lines.len());
    let mut with_line = 0;
    for line in &lines {
        let d: Decision = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(&serde_json::to_string(&d).unwrap(), line);
        with_line += usize::from(d.input.as_ref().is_some_and(|i| i.line.is_some()));
    }
    // JSON Lines corpora give each decision its line: numbers read back too.
    assert!(with_line > 0);
}

#[test]
fn every_explained_example_reads_back_to_the_same_bytes() {
    let plain = eval_lines(&[]);
    let explained = eval_lines(&["--explain"]);
    assert_eq!(plain.len(), explained.len());
    for (plain, line) in plain.iter().zip(&explained) {
        let e: Explained = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert_eq!(&serde_json::to_string(&e).unwrap(), line);
        // Read as a bare decision, an explained line is the plain decision.
        let d: Decision = serde_json::from_str(line).unwrap();
        assert_eq!(&serde_json::to_string(&d).unwrap(), plain);
        assert_eq!(d, e.decision);
    }
}

#[test]
fn an_outcome_displays_as_its_json_word() {
    for (o, word) in [
        (Outcome::Approved, "approved"),
        (Outcome::Denied, "denied"),
        (Outcome::Incomplete, "incomplete"),
        (Outcome::Referred, "referred"),
    ] {
        assert_eq!(o.to_string(), word);
        assert_eq!(serde_json::to_string(&o).unwrap(), format!("\"{word}\""));
        assert_eq!(
            serde_json::from_str::<Outcome>(&format!("\"{word}\"")).unwrap(),
            o
        );
    }
}

#[test]
fn amounts_read_back_exactly_and_bad_ones_are_refused() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let text = read("examples/marketplace/q8-worked-example.yaml");
    let d = set.evaluate(&Document::yaml("q8.yaml", &text)).unwrap();
    let line = serde_json::to_string(&d).unwrap();
    let back: Decision = serde_json::from_str(&line).unwrap();
    assert_eq!(back.payout.unwrap().amount, Decimal::new(150000, 2));
    let bad = line.replacen("\"amount\":\"1500.00\"", "\"amount\":\"15e2\"", 1);
    assert_ne!(bad, line);
    let err = serde_json::from_str::<Decision>(&bad)
        .unwrap_err()
        .to_string();
    assert!(
        err.starts_with("`15e2` is not an amount (`12.50`)"),
        "{err}"
    );
}

#[test]
fn listing_names_every_bundled_version() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let listed: Vec<String> = set
        .listing()
        .map(|v| {
            let until = v.until.map_or("open".to_string(), |u| u.to_string());
            let file = v.file.strip_prefix(&format!("{}/", root().display()));
            let file = file.unwrap_or_else(|| panic!("{} is not under the root", v.file));
            format!("{} {} {} {until} {file}", v.name, v.version, v.effective)
        })
        .collect();
    assert_eq!(
        listed,
        [
            "marketplace/shipping-insurance 2025-01-01 2025-01-01 open policies/marketplace/shipping-insurance/2025-01-01.proviso",
            "xcotton/product-protection 2025-01-01 2025-01-01 open policies/xcotton/product-protection/2025-01-01.proviso",
            "xcotton/shipping-protection 2024-01-01 2024-01-01 2024-12-31 policies/xcotton/shipping-protection/2024-01-01.proviso",
            "xcotton/shipping-protection 2025-01-01 2025-01-01 open policies/xcotton/shipping-protection/2025-01-01.proviso",
        ]
    );
}

/// The two bundled shipping versions, through the public entry points.
fn shipping_versions() -> (PolicyVersion, PolicyVersion) {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let name = "xcotton/shipping-protection";
    let old = set.version(name, "2024-01-01").unwrap().unwrap();
    let new = set.version(name, "2025-01-01").unwrap().unwrap();
    assert!(set.version(name, "2023-01-01").is_none());
    (old, new)
}

#[test]
fn diff_agrees_with_the_command() {
    let (old, new) = shipping_versions();
    let d = diff(&old, &new);
    let run = proviso(&[
        "diff",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(cli["changes"], d.changes());
    assert_eq!(cli["rules"], serde_json::to_value(&d.rules).unwrap());
    assert_eq!(d.dating(), ["version", "effective", "until"]);
    // A version read from a file is the same version.
    let file =
        PolicyVersion::read(root().join("policies/xcotton/shipping-protection/2025-01-01.proviso"))
            .unwrap();
    assert_eq!(file.info(), new.info());
    assert_eq!(diff(&file, &new).changes(), 0);
}

#[test]
fn replay_finds_what_the_command_finds() {
    let (old, new) = shipping_versions();
    let path = "examples/shipping/lost-international-within-waiting-period.yaml";
    let text = read(path);
    let r = replay(&old, &new, &[Document::yaml(path, &text)], false);
    assert_eq!((r.evaluated, r.changed.len(), r.failed.len()), (1, 1, 0));
    let c = &r.changed[0];
    assert_eq!((c.document.as_str(), c.source.as_ref()), ("CLM-1004", path));
    assert_eq!(
        (
            c.before.decision,
            c.before.payout,
            c.after.decision,
            c.after.payout
        ),
        (
            Outcome::Approved,
            Decimal::new(5600, 2),
            Outcome::Denied,
            Decimal::ZERO
        )
    );
    let rules: Vec<(&str, &str, Side)> = c
        .rules
        .iter()
        .map(|d| (&*d.rule, &*d.kind, d.side))
        .collect();
    assert_eq!(
        rules,
        [
            ("lost_package", "coverage", Side::Before),
            ("lost_waiting_period", "exclusion", Side::After)
        ]
    );
    assert_eq!(
        (r.before.payout, r.after.payout),
        (Decimal::new(5600, 2), Decimal::ZERO)
    );
    let run = proviso(&[
        "replay",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
        path,
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cli: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(cli["documents_changed"], 1);
    assert_eq!(cli["total_payout"]["before"]["amount"], "56.00");
}

#[test]
fn a_version_that_does_not_check_is_refused_with_its_errors() {
    let err =
        PolicyVersion::from_source(Source::new("broken.proviso", "policy \"x\"\n")).unwrap_err();
    let first = &err.errors[0];
    assert_eq!(
        (first.location().as_str(), first.message.as_str()),
        ("broken.proviso:1:8", "policy declares no facts")
    );
    // Errors are miette diagnostics: a Report renders them with their source and help.
    let shown = format!("{:?}", Report::new(first.clone()));
    assert!(shown.contains("policy declares no facts"), "{shown}");
    assert!(
        shown.contains(
            "help: add a `facts { ... }` block naming the document fields the rules read"
        ),
        "{shown}"
    );
}
