//! The semantic diff: golden outputs, meaning-preserving rewrites, and the canonical printer.
//!
//! Every directory under `tests/versions/diff/` holds `old.proviso`, `new.proviso` and
//! `expected.txt`, the exact output of `proviso diff old.proviso new.proviso`. Adding a
//! case means adding a directory; `PROVISO_BLESS=1 cargo test --test diff` rewrites the
//! expected files (read the changes before committing them).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

use proviso::internals::ast::PolicyFile;
use proviso::internals::diff::{diff, ChangeKind};
use proviso::internals::span::Source;
use support::{proviso, read, root};

const V2024: &str = "policies/xcotton/shipping-protection/2024-01-01.proviso";
const V2025: &str = "policies/xcotton/shipping-protection/2025-01-01.proviso";

fn bless() -> bool {
    std::env::var_os("PROVISO_BLESS").is_some()
}

/// Compares with a golden file, or rewrites it under `PROVISO_BLESS`.
fn golden(path: &str, actual: &str) {
    if bless() {
        std::fs::write(root().join(path), actual).unwrap();
        return;
    }
    let expected = read(path);
    assert!(
        expected == actual,
        "output differs from {path} (PROVISO_BLESS=1 rewrites it)\n--- expected\n{expected}\n--- actual\n{actual}"
    );
}

#[test]
fn the_two_shipping_versions_differ_in_exactly_two_ways() {
    let by_label = proviso(&[
        "diff",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
    ]);
    assert_eq!(by_label.code, 0, "{}", by_label.stderr);
    golden("tests/versions/diff-2024-2025.txt", &by_label.stdout);
    let by_file = proviso(&["diff", V2024, V2025]);
    assert_eq!(by_file.code, 0, "{}", by_file.stderr);
    assert_eq!(by_file.stdout, by_label.stdout);
}

#[test]
fn the_shipping_diff_as_json() {
    let run = proviso(&[
        "diff",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
        "--policies",
        "policies",
        "--format",
        "json",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let d: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Two ways: the waiting period, and strikes or riots (their coverage and the evidence
    // it needs).
    assert_eq!(d["changes"], 3);
    assert_eq!(d["old"]["version"], "2024-01-01");
    assert_eq!(d["new"]["version"], "2025-01-01");
    assert_eq!(d["new"]["until"], serde_json::Value::Null);
    assert_eq!(
        d["constants"],
        serde_json::json!([{
            "name": "international_wait", "change": "changed",
            "old": "45 days", "new": "60 days",
            "affects": ["let wait", "exclusion lost_waiting_period"],
        }])
    );
    assert_eq!(
        d["rules"],
        serde_json::json!([{
            "rule": "disruption_costs", "kind": "evidence", "change": "added",
            "old": null,
            "new": {
                "kind": "evidence",
                "doc": "\"A delivery-disruption claim (strike or riot) states the additional costs due to the disruption.\"",
                "when": "claim.type == \"delivery_disruption\"",
                "requires": "facts(claim.extra_costs)",
            },
            "differences": [],
        }, {
            "rule": "delivery_disruption", "kind": "coverage", "change": "added",
            "position": "after misdelivered_lost",
            "old": null,
            "new": {
                "kind": "coverage",
                "doc": "\"Strikes or Riots: additional costs due to delivery disruptions.\"",
                "when": "claim.type == \"delivery_disruption\" and claim.extra_costs is present",
                "pays": "claim.extra_costs",
            },
            "differences": [],
        }])
    );
    for empty in ["facts", "lets", "evidence_source", "rule_order"] {
        assert_eq!(d[empty], serde_json::json!([]), "{empty}");
    }
    let header: Vec<&str> = d["header"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(header, ["version", "effective", "until"]);
}

#[test]
fn golden_cases() {
    let dir = root().join("tests/versions/diff");
    let mut cases: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    cases.sort();
    assert!(!cases.is_empty());
    for case in cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let base = format!("tests/versions/diff/{name}");
        let run = proviso(&[
            "diff",
            &format!("{base}/old.proviso"),
            &format!("{base}/new.proviso"),
        ]);
        assert_eq!(run.code, 0, "{name}: {}", run.stderr);
        golden(&format!("{base}/expected.txt"), &run.stdout);
    }
}

/// The 2025 file with comments dropped, every item on one line, the header fields and
/// the items in another order. Coverage, compensation, refund and fallback rules keep their
/// relative order, which decides the outcome; everything else is reversed.
fn reformat_and_reorder(text: &str) -> String {
    let mut blocks: Vec<String> = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        match blocks.last_mut() {
            Some(b) if line.starts_with(' ') || line.starts_with('}') => {
                b.push(' ');
                b.push_str(trimmed);
            }
            _ => blocks.push(trimmed.to_string()),
        }
    }
    let first = |b: &String| b.split_whitespace().next().unwrap_or("").to_string();
    let is_header = |b: &String| {
        ["policy", "version", "effective", "until", "currency", "doc"].contains(&first(b).as_str())
    };
    let (header, items): (Vec<String>, Vec<String>) = blocks.into_iter().partition(is_header);
    let mut out: Vec<String> = header.iter().take(1).cloned().collect();
    out.extend(header.iter().skip(1).rev().cloned());
    let groups = [
        ("refund", false),
        ("refusal", true),
        ("deadline", true),
        ("compensation", false),
        ("fallback", false),
        ("coverage", false),
        ("evidence", true),
        ("referral", true),
        ("exclusion", true),
        ("let", true),
        ("const", true),
        ("facts", false),
    ];
    for (word, reverse) in groups {
        let mut group: Vec<String> = items
            .iter()
            .filter(|b| first(b) == word && !b.starts_with("evidence from"))
            .cloned()
            .collect();
        if reverse {
            group.reverse();
        }
        out.extend(group);
    }
    out.extend(
        items
            .iter()
            .filter(|b| b.starts_with("evidence from"))
            .cloned(),
    );
    assert_eq!(out.len(), header.len() + items.len(), "every block placed");
    out.join("\n\n") + "\n"
}

#[test]
fn a_reformatted_and_reordered_copy_of_the_2025_terms_shows_no_change() {
    let copy = reformat_and_reorder(&read(V2025));
    assert_ne!(copy, read(V2025));
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("reordered-2025-{}.proviso", std::process::id()));
    std::fs::write(&path, &copy).unwrap();
    let run = proviso(&["diff", V2025, &path.display().to_string()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.ends_with("\nno changes\n"),
        "{}\n--- the copy:\n{copy}",
        run.stdout
    );
}

#[test]
fn diff_of_an_invalid_policy_exits_3() {
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("broken-{}.proviso", std::process::id()));
    std::fs::write(
        &path,
        read(V2025).replace("pays claim.extra_costs", "pays claim.no_such_field"),
    )
    .unwrap();
    let run = proviso(&["diff", V2025, &path.display().to_string()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert_eq!(run.stdout, "");
    assert!(run.stderr.contains("no_such_field"), "{}", run.stderr);
}

#[test]
fn diff_of_an_unknown_version_label_exits_3() {
    let run = proviso(&["diff", "xcotton/shipping-protection", "2024-01-01", "2023"]);
    assert_eq!(run.code, 3, "{}", run.stderr);
    assert!(
        run.stderr.contains(
            "`xcotton/shipping-protection` has no version `2023` under `policies` (versions: 2024-01-01, 2025-01-01)"
        ),
        "{}",
        run.stderr
    );
}

// ---- the library ------------------------------------------------------------

fn parse(text: &str) -> PolicyFile {
    let src = Source::new("test.proviso", text);
    match proviso::internals::parse::parse_file(&src) {
        Ok(f) => f,
        Err(e) => panic!("{}: {text}", e[0].message),
    }
}

/// A one-rule policy whose condition is `expr`; the diff needs no type checking.
fn with_condition(expr: &str) -> PolicyFile {
    parse(&format!(
        "policy \"t/t\"\nexclusion r\n  doc \"d\"\n  when {expr}\n"
    ))
}

fn condition(expr: &str) -> String {
    let f = with_condition(expr);
    proviso::internals::diff::rule_form(&f.rules[0]).clauses[1]
        .1
        .clone()
}

fn same(a: &str, b: &str) -> bool {
    diff(&with_condition(a), &with_condition(b)).changes() == 0
}

#[test]
fn grouping_that_changes_the_meaning_is_a_change() {
    for (a, b) in [
        ("a - (b - c)", "a - b - c"),
        ("a / (b * c)", "a / b * c"),
        ("(x or y) and z", "x or y and z"),
        ("not (p and q)", "not p and q"),
        ("-(a + b) > 0", "-a + b > 0"),
        ("(if c then a else b) + 1 > 0", "if c then a else b + 1 > 0"),
        ("x otherwise (y + 1) > 0", "x otherwise y + 1 > 0"),
        ("n == 2", "n == 2.0"),
        ("d < 24 hours", "d < 1 day"),
        ("x in [\"a\", \"b\"]", "x not in [\"a\", \"b\"]"),
    ] {
        assert!(!same(a, b), "`{a}` and `{b}` should differ");
    }
}

#[test]
fn spellings_of_the_same_meaning_are_no_change() {
    for (a, b) in [
        ("(a and b) and c", "a and (b and c)"),
        ("((a)) or (b or c)", "a or b or c"),
        ("(a - b) - c > 0", "a - b - c > 0"),
        ("x in [\"b\", \"a\", \"b\"]", "x in [\"a\", \"b\"]"),
        ("n == 1.50", "n == 1.5"),
        ("d < 1 days", "d < 1 day"),
        ("not (x == 1)", "not x == 1"),
        ("-(5) < x", "-5 < x"),
    ] {
        assert!(same(a, b), "`{a}` and `{b}` should be the same");
    }
}

#[test]
fn the_printer_adds_parentheses_only_where_needed() {
    for (written, canonical) in [
        ("(a - b) - c", "a - b - c"),
        ("a - (b - c)", "a - (b - c)"),
        ("(x or y) and not (z)", "(x or y) and not z"),
        ("-(a + b) * c", "-(a + b) * c"),
        ("(if c then 1 else 2) + 3", "(if c then 1 else 2) + 3"),
        ("(-5) otherwise 3", "(-5) otherwise 3"),
        (
            "a * (b otherwise c) / d > (e otherwise 0)",
            "a * (b otherwise c) / d > (e otherwise 0)",
        ),
        ("(a otherwise b) otherwise c", "a otherwise b otherwise c"),
        (
            "sum(i in l where (i.a > 1): (i.b))",
            "sum(i in l where i.a > 1: i.b)",
        ),
        ("x   in [ \"b\" , \"a\" ]", "x in [\"a\", \"b\"]"),
        ("s == \"say \\\"hi\\\"\"", "s == \"say \\\"hi\\\"\""),
        ("2.000 + 2.50 + 3", "2.0 + 2.5 + 3"),
    ] {
        assert_eq!(condition(written), canonical, "{written}");
        assert_eq!(condition(canonical), canonical, "{canonical} is stable");
    }
}

fn rules(body: &str) -> PolicyFile {
    parse(&format!("policy \"t/t\"\n{body}"))
}

#[test]
fn the_order_of_coverage_and_compensation_rules_is_a_change() {
    let a = "coverage one doc \"1\" pays 1\ncoverage two doc \"2\" pays 2\n";
    let b = "coverage two doc \"2\" pays 2\ncoverage one doc \"1\" pays 1\n";
    let d = diff(&rules(a), &rules(b));
    assert_eq!(d.changes(), 1);
    assert_eq!(d.rule_order[0].old, ["one", "two"]);
    assert_eq!(d.rule_order[0].new, ["two", "one"]);

    let a = "compensation most doc \"c\" cap at 10\ncompensation less doc \"l\" reduce by 1\n";
    let b = "compensation less doc \"l\" reduce by 1\ncompensation most doc \"c\" cap at 10\n";
    assert_eq!(
        diff(&rules(a), &rules(b)).rule_order[0].kind,
        "compensation"
    );

    let a = "exclusion one doc \"1\" when a\nexclusion two doc \"2\" when b\ncoverage c doc \"c\" pays 1\n";
    let b = "coverage c doc \"c\" pays 1\nexclusion two doc \"2\" when b\nexclusion one doc \"1\" when a\n";
    assert_eq!(diff(&rules(a), &rules(b)).changes(), 0);
}

#[test]
fn an_added_coverage_rule_says_where_it_is_evaluated() {
    let a = "coverage one doc \"1\" pays 1\n";
    let b = "coverage zero doc \"0\" pays 0\ncoverage one doc \"1\" pays 1\n";
    let d = diff(&rules(a), &rules(b));
    assert_eq!(d.rules[0].change, ChangeKind::Added);
    assert_eq!(d.rules[0].position.as_deref(), Some("first"));
    assert!(d.rule_order.is_empty());
}

#[test]
fn the_canonical_print_of_the_bundled_policies_means_the_same_and_is_stable() {
    for path in [V2024, V2025] {
        let original = parse(&read(path));
        let printed = proviso::internals::print::policy(&original);
        let src = Source::new("printed.proviso", printed.as_str());
        let reparsed = proviso::internals::parse::parse_file(&src).unwrap_or_else(|e| {
            panic!("{path}: {} at {}\n{printed}", e[0].message, e[0].location())
        });
        if let Err(e) = proviso::internals::policy_set::compile_ast(&src, &reparsed) {
            panic!("{path}: {} at {}\n{printed}", e[0].message, e[0].location());
        }
        let d = diff(&original, &reparsed);
        assert_eq!(d, proviso::internals::diff::PolicyDiff::default(), "{path}");
        assert_eq!(
            proviso::internals::print::policy(&reparsed),
            printed,
            "{path}"
        );
    }
}

/// A hook keeps its declaration but its script changes: the diff names the hook and both
/// scripts' SHA-256, and counts it as a change.
#[test]
fn a_changed_hook_script_is_a_change() {
    use sha2::{Digest, Sha256};
    let base = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("hook-diff-{}", std::process::id()));
    let (old, new) = (base.join("old"), base.join("new"));
    for dir in [&old, &new] {
        std::fs::create_dir_all(dir).unwrap();
        for f in ["2025-01-01.proviso", "admin-fee.rhai"] {
            std::fs::copy(
                format!("policies/xcotton/product-protection/{f}"),
                dir.join(f),
            )
            .unwrap();
        }
    }
    let script = std::fs::read_to_string(old.join("admin-fee.rhai")).unwrap();
    let changed = script.replace("min(price * 0.10, 25.00)", "min(price * 0.10, 30.00)");
    assert_ne!(changed, script);
    std::fs::write(new.join("admin-fee.rhai"), &changed).unwrap();
    let hex = |t: &str| {
        Sha256::digest(t.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let policy = |d: &std::path::Path| d.join("2025-01-01.proviso").display().to_string();
    let run = proviso(&["diff", &policy(&old), &policy(&new)]);
    let _ = std::fs::remove_dir_all(&base);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let expected = format!(
        "hook scripts\n  ~ admin_fee\n      - script sha256 {}\n      + script sha256 {}\n\n1 change\n",
        hex(&script),
        hex(&changed)
    );
    assert!(run.stdout.ends_with(&expected), "{}", run.stdout);
}

#[test]
fn a_decision_fact_differs_by_its_extra_fields_only() {
    let facts = |extra: &str| {
        parse(&format!(
            "policy \"t/t\"\nfacts {{\n  p: record {{\n    earlier: list of decision {extra}\n  }}\n}}\n"
        ))
    };
    let d = diff(
        &facts("{ filed_at: datetime }"),
        &facts("{ filed_at: date }"),
    );
    let shown: Vec<(String, Option<String>, Option<String>)> = d
        .facts
        .iter()
        .map(|c| (c.name.clone(), c.old.clone(), c.new.clone()))
        .collect();
    assert_eq!(
        shown,
        [(
            "p.earlier[].filed_at".to_string(),
            Some("datetime".to_string()),
            Some("date".to_string())
        )]
    );
    assert!(matches!(d.facts[0].change, ChangeKind::Changed));
    let d = diff(&facts(""), &facts("{ filed_at: datetime }"));
    let names: Vec<&str> = d.facts.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["p.earlier[].filed_at"]);
    assert_eq!(diff(&facts(""), &facts("")).changes(), 0);
}
