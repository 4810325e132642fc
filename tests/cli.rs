//! The `proviso` binary: exit statuses, help, standard input, JSON Lines batches, output.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

const EXAMPLE: &str = "examples/shipping/lost-domestic.yaml";

/// Runs `proviso args...` from the crate root, feeding `stdin`; returns (status, stdout, stderr).
fn run_with(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run proviso");
    let mut input = child.stdin.take().expect("stdin");
    input.write_all(stdin).expect("write stdin");
    drop(input);
    let out = child.wait_with_output().expect("wait for proviso");
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8 output");
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_with(args, b"")
}

fn read(path: &str) -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path))
        .expect("read fixture")
}

#[test]
fn text_output_of_the_example_claim() {
    let (status, stdout, stderr) = run(&["eval", "policies", EXAMPLE]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    // The fixture holds `{sha256}` where the policy's hash prefix goes: the hash is the
    // policy file's own, computed here, so editing the policy does not stale the fixture.
    let policy = read("policies/xcotton/shipping-protection/2025-01-01.proviso");
    let sha = proviso::internals::compile::hash(policy.as_bytes(), &[]);
    let expected = read("tests/cli/lost-domestic.txt").replace("{sha256}", &sha[..12]);
    assert_eq!(stdout, expected);
}

#[test]
fn usage_errors_exit_2() {
    let (status, _, stderr) = run(&["eval", "policies", EXAMPLE, "--bogus"]);
    assert_eq!(status, 2);
    assert!(stderr.contains("--bogus"), "{stderr}");

    let (status, stdout, stderr) = run(&["eval", "policies", EXAMPLE, "--at", "2025-13-01"]);
    assert_eq!((status, stdout.as_str()), (2, ""));
    assert!(
        stderr.contains("expected a date written YYYY-MM-DD (years 0001 to 9999), like 2025-06-01, found `2025-13-01`"),
        "{stderr}"
    );

    assert_eq!(run(&[]).0, 2);
    assert_eq!(run(&["frobnicate"]).0, 2);
}

#[test]
fn help_lists_the_exit_statuses() {
    let all = [
        &["--help"][..],
        &["check", "--help"],
        &["eval", "--help"],
        &["test", "--help"],
    ];
    for args in all {
        let (status, stdout, _) = run(args);
        assert_eq!(status, 0, "{args:?}");
        let codes = stdout.split("Exit status:").nth(1).expect("exit statuses");
        for code in 0..=6 {
            assert!(codes.contains(&format!("\n  {code}  ")), "{args:?}: {code}");
        }
    }
}

#[test]
fn missing_or_invalid_policies_exit_3() {
    let (status, _, stderr) = run(&["check", "no/such/policies"]);
    assert_eq!(status, 3);
    assert!(
        stderr.contains("cannot read `no/such/policies`"),
        "{stderr}"
    );

    assert_eq!(run(&["eval", "no/such/policies", EXAMPLE]).0, 3);

    let broken = "tests/diagnostics/policy/overlapping_versions";
    let (status, stdout, stderr) = run(&["eval", broken, EXAMPLE]);
    assert_eq!((status, stdout.as_str()), (3, ""));
    assert!(
        stderr.contains("are both in force on 2025-06-01"),
        "{stderr}"
    );
}

#[test]
fn missing_or_invalid_documents_exit_4() {
    let (status, stdout, stderr) = run(&["eval", "policies", "no-such-claim.yaml"]);
    assert_eq!((status, stdout.as_str()), (4, ""));
    assert!(
        stderr.contains("cannot read `no-such-claim.yaml`"),
        "{stderr}"
    );

    let bad = "tests/diagnostics/document/money_with_comma.yaml";
    let (status, _, stderr) = run(&["eval", "policies", bad]);
    assert_eq!(status, 4);
    assert!(
        stderr.contains("expected money, found \"12,00\""),
        "{stderr}"
    );
}

#[test]
fn check_lists_the_bundled_policy() {
    let (status, stdout, stderr) = run(&["check", "policies"]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    let line = "ok  xcotton/shipping-protection 2025-01-01  \
                policies/xcotton/shipping-protection/2025-01-01.proviso";
    assert!(stdout.lines().any(|l| l == line), "{stdout}");
}

#[test]
fn standard_input_takes_yaml_and_json() {
    let (_, from_file, _) = run(&["eval", "policies", EXAMPLE, "--format", "json"]);
    // On standard input, the document is named `-`, at the line it starts on.
    let file_input = format!(r#","input":{{"path":"{EXAMPLE}"}}}}"#);
    assert!(
        from_file.ends_with(&format!("{file_input}\n")),
        "{from_file}"
    );
    let from_stdin = from_file.replace(&file_input, r#","input":{"path":"-","line":1}}"#);
    for text in [read(EXAMPLE), read("tests/cli/lost-domestic.json")] {
        let (status, stdout, stderr) = run_with(
            &["eval", "policies", "-", "--format", "json"],
            text.as_bytes(),
        );
        assert_eq!((status, stderr.as_str()), (0, ""));
        assert_eq!(stdout, from_stdin);
    }
}

#[test]
fn a_bad_line_in_a_batch_does_not_stop_the_others() {
    let (status, stdout, stderr) = run(&[
        "eval",
        "policies",
        "tests/cli/batch.jsonl",
        "--format",
        "json",
    ]);
    assert_eq!(status, 4);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    let input = |line: usize| serde_json::json!({"path": "tests/cli/batch.jsonl", "line": line});
    assert_eq!(lines[0]["document"], "CLM-0101");
    assert_eq!(lines[0]["decision"], "approved");
    assert_eq!(lines[0]["input"], input(1));
    assert_eq!(
        lines[1],
        serde_json::json!({
            "document": "CLM-0102",
            "error": {
                "message": "expected money, found \"12,00\"",
                "path": "order.items[0].unit_price"
            },
            "input": input(2)
        })
    );
    assert_eq!(lines[2]["document"], "CLM-0103");
    assert_eq!(lines[2]["decision"], "denied");
    assert_eq!(lines[2]["input"], input(3));
    // The error line's keys, in order; `input` is a decision's last key too.
    assert_eq!(
        stdout.lines().nth(1).unwrap(),
        r#"{"document":"CLM-0102","error":{"message":"expected money, found \"12,00\"","path":"order.items[0].unit_price"},"input":{"path":"tests/cli/batch.jsonl","line":2}}"#
    );
    assert!(stdout
        .lines()
        .next()
        .unwrap()
        .ends_with(",\"input\":{\"path\":\"tests/cli/batch.jsonl\",\"line\":1}}"));
    assert!(stderr.contains("tests/cli/batch.jsonl:2:298"), "{stderr}");
}

#[test]
fn at_a_date_in_the_same_version_changes_nothing() {
    let plain = run(&["eval", "policies", EXAMPLE, "--format", "json"]);
    let at = run(&[
        "eval",
        "policies",
        EXAMPLE,
        "--format",
        "json",
        "--at",
        "2025-12-31",
    ]);
    assert_eq!((plain.0, at.0), (0, 0));
    let decision = |out: &str| serde_json::from_str::<Value>(out).expect("a decision");
    let (mut plain, mut at) = (decision(&plain.1), decision(&at.1));
    // Only the date that picked the version, and where it came from, differ.
    assert_eq!(plain["policy"]["in_force_on"], "2025-06-01");
    assert_eq!(plain["policy"]["date_from"], "protection.purchased_at");
    assert_eq!(at["policy"]["in_force_on"], "2025-12-31");
    assert_eq!(at["policy"]["date_from"], "--at");
    for d in [&mut plain, &mut at] {
        let policy = d["policy"].as_object_mut().expect("a policy object");
        policy.remove("in_force_on");
        policy.remove("date_from");
    }
    assert_eq!(plain, at);
}

#[test]
fn a_zero_quantity_line_is_referred_not_divided_by() {
    let claim = "tests/cli/partial-zero-quantity.yaml";
    let (status, stdout, _) = run(&["eval", "policies", claim, "--format", "json"]);
    assert_eq!(status, 0);
    let d: Value = serde_json::from_str(&stdout).expect("a decision");
    assert_eq!(d["decision"], "referred");
    assert_eq!(d["reasons"][0]["rule"], "implausible_order_lines");
}

#[test]
fn a_closed_output_is_a_failure_not_a_panic() {
    let mut args = vec!["eval", "policies"];
    args.extend([EXAMPLE; 200]);
    for args in [args, vec!["check", "policies"]] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .args(&args)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run proviso");
        drop(child.stdout.take());
        let out = child.wait_with_output().expect("wait for proviso");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{stderr}");
        // 200 decisions overflow the pipe, so `eval` always meets the closed end; `check`'s one
        // line may be written before the end is closed.
        let expected: &[i32] = if args[0] == "eval" { &[1] } else { &[0, 1] };
        let status = out.status.code().unwrap_or(-1);
        assert!(
            expected.contains(&status),
            "{:?}: {status} {stderr}",
            &args[..2]
        );
    }
}

/// The example claim with a field no policy declares, written to a scratch file.
fn with_gift_note(name: &str) -> String {
    let text = read(EXAMPLE).replace("claim:\n", "claim:\n  gift_note: for Sam\n");
    let path = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    std::fs::write(&path, text).expect("write scratch document");
    path.display().to_string()
}

#[test]
fn strict_eval_refuses_fields_the_policy_does_not_declare() {
    let doc = with_gift_note("gift-note-eval.yaml");
    let (status, stdout, stderr) = run(&["eval", "policies", &doc, "--format", "json"]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert_eq!(
        serde_json::from_str::<Value>(&stdout).expect("a decision")["decision"],
        "approved"
    );
    let (status, stdout, stderr) = run(&["eval", "policies", &doc, "--format", "json", "--strict"]);
    assert_eq!(status, 4);
    let line: Value = serde_json::from_str(&stdout).expect("an error line");
    assert_eq!(
        line,
        serde_json::json!({
            "document": "CLM-0001",
            "error": {
                "message": "unknown field `gift_note` in `claim`",
                "path": "claim.gift_note"
            },
            "input": { "path": doc }
        })
    );
    assert!(stderr.contains(&format!("{doc}:28:3")), "{stderr}");
    // Every bundled example gives only declared fields.
    let (status, _, stderr) = run(&["eval", "policies", "examples", "--strict"]);
    assert_eq!((status, stderr.as_str()), (0, ""));
}

#[test]
fn strict_replay_refuses_fields_the_policy_does_not_declare() {
    let doc = with_gift_note("gift-note-replay.yaml");
    let args = [
        "replay",
        "xcotton/shipping-protection",
        "2024-01-01",
        "2025-01-01",
        &doc,
    ];
    let (status, _, stderr) = run(&args);
    assert_eq!((status, stderr.as_str()), (0, ""));
    let mut strict = args.to_vec();
    strict.push("--strict");
    let (status, stdout, stderr) = run(&strict);
    assert_eq!(status, 4);
    assert!(
        stdout.contains("not evaluated        2 (errors above)"),
        "{stdout}"
    );
    let message = "claim.gift_note: unknown field `gift_note` in `claim`";
    assert_eq!(stderr.matches(message).count(), 2, "{stderr}");
}

#[test]
fn a_key_given_twice_in_json_lines_is_placed_on_its_line() {
    let line = read("tests/cli/lost-domestic.json").replace('\n', "");
    let twice = line.replacen("\"claim\": {", "\"claim\": {\"type\": \"damaged\", ", 1);
    assert_ne!(twice, line);
    let batch = format!("{line}\n{line}\n{twice}\n");
    let (status, stdout, stderr) = run_with(
        &["eval", "policies", "-", "--format", "json"],
        batch.as_bytes(),
    );
    assert_eq!(status, 4);
    let first = twice.find("\"type\"").expect("type") + 1;
    let again = twice.rfind("\"type\"").expect("type") + 1;
    let last: Value =
        serde_json::from_str(stdout.lines().nth(2).expect("three lines")).expect("JSON");
    assert_eq!(
        last["error"]["message"],
        format!("field is given twice (first at 3:{first}, again at 3:{again})")
    );
    assert!(stderr.contains(&format!("-:3:{again}")), "{stderr}");
}

#[test]
fn text_output_names_the_date_that_picked_the_version() {
    let (status, stdout, _) = run(&["eval", "policies", EXAMPLE, "--at", "2025-12-31"]);
    assert_eq!(status, 0);
    let line = stdout.lines().nth(2).expect("a policy line");
    assert!(
        line.ends_with("...), in force on 2025-12-31 (--at)"),
        "{line}"
    );
}

// ---- The summary that ends a batch's text output ----------------------------------------

#[test]
fn text_output_of_a_batch_ends_with_a_summary() {
    let inputs = [
        "eval",
        "policies",
        "tests/cli/batch.jsonl",
        "examples/cancellations/day-61-pro-rated.yaml",
        EXAMPLE,
        "examples/shipping/foreign-currency.json",
    ];
    let (status, stdout, _) = run(&inputs);
    assert_eq!(status, 4);
    // Five decisions and a line that could not be decided; payouts and refunds of the
    // approved ones (44.00 twice; 224.86), by currency.
    assert!(
        stdout.ends_with(
            "\n\nsummary: 6 documents; 3 approved, 1 denied, 0 incomplete, 1 referred; 1 error\n  \
             total payout   88.00 USD\n  total refunds  224.86 USD\n"
        ),
        "{stdout}"
    );
    // JSON output stays one decision (or error) per line.
    let mut json = inputs.to_vec();
    json.extend(["--format", "json"]);
    let (status, stdout, _) = run(&json);
    assert_eq!(status, 4);
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 6);
    assert!(
        lines.iter().all(|l| l.get("document").is_some()),
        "{stdout}"
    );
    // One document: no summary (see `text_output_of_the_example_claim`).
    let (_, stdout, _) = run(&["eval", "policies", EXAMPLE]);
    assert!(!stdout.contains("summary"), "{stdout}");
}

#[test]
fn the_summary_totals_each_currency_apart() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("cli-summary");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let usd = read("policies/xcotton/shipping-protection/2025-01-01.proviso");
    let eur = usd
        .replace(
            "policy \"xcotton/shipping-protection\"",
            "policy \"eu/shipping\"",
        )
        .replace("currency USD from", "currency EUR from");
    std::fs::write(dir.join("usd.proviso"), usd).unwrap();
    std::fs::write(dir.join("eur.proviso"), eur).unwrap();
    let claim = read(EXAMPLE);
    let euro = claim
        .replace("policy: xcotton/shipping-protection", "policy: eu/shipping")
        .replace("currency: USD", "currency: EUR");
    std::fs::write(dir.join("a.yaml"), &claim).unwrap();
    std::fs::write(dir.join("b.yaml"), &euro).unwrap();
    std::fs::write(dir.join("c.yaml"), &euro).unwrap();
    let dir = dir.display().to_string();
    let (status, stdout, stderr) = run(&["eval", &dir, &dir]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert!(
        stdout.ends_with(
            "\n\nsummary: 3 documents; 3 approved, 0 denied, 0 incomplete, 0 referred; 0 errors\n  \
             total payout   88.00 EUR, 44.00 USD\n  total refunds  none\n"
        ),
        "{stdout}"
    );
}
