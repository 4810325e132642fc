//! Hostile input never crashes or hangs `proviso`: every case must end within a time limit,
//! fail with the expected status and a diagnostic, and never print a panic.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::io::Read;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// How long a run may take before it counts as hung. A guard against hangs, not a measure of
/// speed (benches/ measures that): each run takes well under a second on an idle machine, and
/// the margin keeps the test steady on a machine busy with other builds.
const LIMIT: Duration = Duration::from_secs(60);
const HEADER: &str = "policy \"acme/parcel\"\nversion \"2025-01-01\"\neffective 2025-01-01\n\
                      currency USD\ndoc \"Robustness cases.\"\n";

/// Writes `content` to a fresh file in the test's scratch directory.
fn file(name: &str, content: impl AsRef<[u8]>) -> String {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("robustness");
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write case");
    path.to_string_lossy().into_owned()
}

/// Runs `proviso args...`, killing it after [`LIMIT`]; expects `status`, a diagnostic
/// containing `says`, and no panic.
fn expect(args: &[&str], status: i32, says: &str) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run proviso");
    // Drain both pipes while waiting, so that a long diagnostic cannot block the child.
    let drain = |mut r: Box<dyn Read + Send>| {
        thread::spawn(move || {
            let mut out = Vec::new();
            let _ = r.read_to_end(&mut out);
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let stdout = drain(Box::new(child.stdout.take().expect("stdout")));
    let stderr = drain(Box::new(child.stderr.take().expect("stderr")));
    let start = Instant::now();
    let code = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s.code();
        }
        if start.elapsed() > LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not finish within {LIMIT:?}");
        }
        thread::sleep(Duration::from_millis(10));
    };
    let (_, stderr) = (
        stdout.join().expect("stdout"),
        stderr.join().expect("stderr"),
    );
    let shown: String = stderr.chars().take(2000).collect();
    assert!(!stderr.contains("panicked"), "{args:?} panicked:\n{shown}");
    assert_eq!(code, Some(status), "{args:?}:\n{shown}");
    // miette wraps long messages, continuing them on a line that starts with `│`.
    let unwrapped = stderr.replace("\n  │ ", " ");
    assert!(
        unwrapped.contains(says),
        "{args:?} should say {says:?}:\n{shown}"
    );
}

fn policy(name: &str, content: impl AsRef<[u8]>, says: &str) {
    expect(&["check", &file(name, content)], 3, says);
}

fn document(name: &str, content: impl AsRef<[u8]>, says: &str) {
    expect(&["eval", "policies", &file(name, content)], 4, says);
}

fn claim_yaml() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/examples/shipping/lost-domestic.yaml"
    );
    std::fs::read_to_string(path).expect("example claim")
}

fn claim_json() -> serde_json::Value {
    let v: serde_yaml::Value = serde_yaml::from_str(&claim_yaml()).expect("example claim");
    serde_json::to_value(v).expect("as JSON")
}

/// The example claim in JSON with `description` (JSON text) as the claim's description.
fn json_with(description: &str) -> String {
    let mut v = claim_json();
    v["claim"]["description"] = serde_json::Value::String("@".into());
    v.to_string().replace("\"@\"", description)
}

#[test]
fn deeply_nested_policies() {
    let nest = |n: usize, open: &str, inner: &str, close: &str| {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    };
    let parens = nest(10_000, "(", "1", ")");
    policy(
        "parens.proviso",
        format!("{HEADER}let x = {parens}\n"),
        "brackets nest too deeply",
    );
    let nots = format!("{HEADER}let x = {}true\n", "not ".repeat(100_000));
    policy("nots.proviso", nots, "expression is nested too deeply");
    let negs = format!("{HEADER}let x = {}1\n", "- ".repeat(100_000));
    policy("negations.proviso", negs, "expression is nested too deeply");
    let sum = format!("{HEADER}let x = {}\n", vec!["1"; 100_000].join(" + "));
    policy("sum.proviso", sum, "expression is nested too deeply");
    let ifs = nest(500, "if true then ", "1", " else 2");
    policy(
        "ifs.proviso",
        format!("{HEADER}let x = {ifs}\n"),
        "too many nested `if`",
    );
    let lists = format!("{HEADER}facts {{ a: {}string }}\n", "list of ".repeat(500));
    policy(
        "lists.proviso",
        lists,
        "too many nested `if`, `list` or `the` forms",
    );
    let selections = nest(500, "(the i in l where ", "true", ").x == 1");
    policy(
        "selections.proviso",
        format!("{HEADER}let x = {selections}\n"),
        "brackets nest too deeply",
    );
    let selections = format!("{HEADER}let x = {}true\n", "the i in l where ".repeat(500));
    policy(
        "the.proviso",
        selections,
        "too many nested `if`, `list` or `the` forms",
    );
}

/// Definitions that read definitions nest like one expression: a long chain of `let`
/// values, constants or tables is refused, not followed until the stack runs out.
#[test]
fn long_chains_of_definitions() {
    let chain = |line: &dyn Fn(usize) -> String| -> String {
        let lines: Vec<String> = (0..5_000).map(line).collect();
        format!("{HEADER}{}\n", lines.join("\n"))
    };
    let says = "expression is nested too deeply, counting the values it reads";
    let lets = chain(&|i| format!("let v{i} = v{} + 1", i + 1));
    policy("let-chain.proviso", lets, says);
    let consts = chain(&|i| format!("const v{i} = v{} + 1", i + 1));
    policy("const-chain.proviso", consts, says);
    let tables = chain(&|i| format!("table v{i}(x) doc \"t\" up to 1: v{}(1) over 1: 0", i + 1));
    policy("table-chain.proviso", tables, says);
}

#[test]
fn malformed_policies() {
    let big = format!("{HEADER}# {}\n", "x".repeat(1 << 20));
    policy("big.proviso", big, "policy file is too large");
    policy("empty.proviso", "", "the file holds no policy");
    policy(
        "garbage.proviso",
        (0..=255u8).cycle().take(4096).collect::<Vec<u8>>(),
        "policy file is not UTF-8: byte 0x80 at line 2, column 118 is not part of a UTF-8 character",
    );
    policy("nul.proviso", format!("{HEADER}\0\0\0"), "unexpected `\\0`");
    policy(
        "invalid-utf8.proviso",
        b"policy \"a/\xff\xfe\"\n",
        "policy file is not UTF-8: byte 0xFF at line 1, column 11 is not part of a UTF-8 character",
    );
    let number = format!("{HEADER}let x = 99999999999999999999999999999999\n");
    policy("number.proviso", number, "number is too large");
}

#[test]
fn deeply_nested_documents() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let yaml = claim_yaml();
    let says = "the document nests deeper than 64 levels";
    let declared = yaml.replace(
        "description: Parcel never arrived.",
        &format!("description: {deep}"),
    );
    document("deep-declared.yaml", declared, says);
    document(
        "deep-undeclared.yaml",
        format!("{yaml}extra: {deep}\n"),
        says,
    );
    let compact = format!("{yaml}extra:\n  {}x\n", "- ".repeat(100_000));
    document("deep-compact.yaml", compact, says);
    document("deep-declared.json", json_with(&deep), says);
    let mut undeclared = claim_json().to_string();
    undeclared.insert_str(1, &format!("\"extra\": {deep},"));
    document("deep-undeclared.json", undeclared, says);
}

#[test]
fn alias_bombs_and_long_lists() {
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        bomb += &format!(
            "{name}: &{name} [{}]\n",
            vec![format!("*{prev}"); 9].join(", ")
        );
    }
    let yaml = claim_yaml();
    let says = "YAML aliases (`*name`) are not accepted";
    document("bomb-undeclared.yaml", format!("{yaml}{bomb}"), says);
    let declared = yaml.replace("description: Parcel never arrived.", "description: *i");
    document("bomb-declared.yaml", format!("{bomb}{declared}"), says);

    let mut many = claim_json();
    many["claim"]["evidence"] =
        serde_json::Value::Array(vec![serde_json::json!({"kind": "x"}); 200_000]);
    document(
        "long-list.json",
        many.to_string(),
        "list holds more than 100000 items",
    );
}

#[test]
fn numbers_out_of_range() {
    let yaml = claim_yaml();
    let price = |p: &str| yaml.replace("unit_price: \"24.00\"", &format!("unit_price: {p}"));
    document(
        "e400.yaml",
        price("1e400"),
        "expected money, found \"1e400\"",
    );
    document(
        "digits.yaml",
        price("99999999999999999999999999999999"),
        "at most 28 digits",
    );
    let mut json = claim_json();
    json["order"]["items"][0]["unit_price"] = serde_json::Value::String("@".into());
    let json = json.to_string();
    document(
        "e400.json",
        json.replace("\"@\"", "1e400"),
        "expected money, found 1e+400",
    );
    let digits = json.replace("\"@\"", "99999999999999999999999999999999");
    document("digits.json", digits, "at most 28 digits");

    // Fifty lines at the largest decimal: rejected as a value; just below it, the sum overflows.
    let lines = |price: &str| {
        let line = format!("    - sku: S\n      quantity: 1\n      unit_price: \"{price}\"\n");
        let start = yaml.find("    - sku: MUG-01").expect("items");
        let end = yaml.find("  shipping_fee").expect("after items");
        format!("{}{}{}", &yaml[..start], line.repeat(50), &yaml[end..])
    };
    document(
        "max.yaml",
        lines("79228162514264337593543950335"),
        "at most 28 digits",
    );
    // Fifty lines of the largest price fit the document but not a sum: the claim cannot be
    // computed, so it is referred to a person, citing the rule and the failing expression.
    let overflow = file("overflow.yaml", lines("9999999999999999999999999999"));
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(["eval", "policies", &overflow, "--format", "json"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run proviso");
    assert_eq!(out.status.code(), Some(0));
    let d: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one decision");
    assert_eq!(d["decision"], "referred");
    assert_eq!(d["reasons"][0]["rule"], "lost_package");
    assert_eq!(
        d["reasons"][0]["failure"]["message"],
        "arithmetic overflow in sum"
    );
    assert_eq!(
        d["reasons"][0]["failure"]["source"],
        "policies/xcotton/shipping-protection/2025-01-01.proviso:87:30"
    );
}

#[test]
fn malformed_documents() {
    let garbage: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    document("garbage.yaml", &garbage, "valid UTF-8");
    document("garbage.json", &garbage, "valid UTF-8");
    document(
        "invalid-utf8.yaml",
        b"policy: \"a/\xff\xfe\"\n",
        "valid UTF-8",
    );
    let nul = claim_yaml().replace("Parcel never", "Parcel\0never");
    document("nul.yaml", nul, "control characters are not allowed");
    document(
        "nul.json",
        json_with("\"Parcel\u{0}never\""),
        "control character",
    );
    document("empty.yaml", "", "the document names no policy");
    document("empty.json", "", "EOF while parsing");
}

/// The values an expression reads count towards its depth, so the deepest chain of them
/// the checker admits decides on an ordinary test thread's stack too.
/// Loads a one-coverage policy over `claim.a` with `items` (lets, constants) before the
/// rule, decides a claim with `a: 1.00` on this test thread, and gives the payout.
fn deep_payout(items: &str, when: &str, pays: &str) -> String {
    let policy = format!(
        "policy \"t/deep\"\nversion \"1\"\neffective 2025-01-01\ncurrency USD from claim.cur\ndoc \"deep\"\n\
         facts {{ claim: record {{ id: string  a: money  cur: string default \"USD\" }} }}\n{items}\
         coverage c doc \"c\" {when} pays {pays}\nfallback f doc \"f\"\n"
    );
    let set = proviso::PolicySet::from_sources(vec![proviso::internals::span::Source::new(
        "deep.proviso",
        policy,
    )])
    .unwrap_or_else(|e| panic!("{}", e.errors[0].message));
    let doc = "policy: t/deep\nclaim: {id: C1, a: \"1.00\"}\n";
    let at = chrono::NaiveDate::from_ymd_opt(2025, 2, 1);
    let d = set
        .evaluate_at(&proviso::Document::yaml("deep.yaml", doc), at)
        .unwrap();
    proviso::internals::decision::format_money(d.payout.unwrap().amount)
}

#[test]
fn the_deepest_admitted_chain_of_values_decides_on_a_small_stack() {
    // Each value is 40 additions deep, and reads the one before it: 123 levels in all.
    let mut lets = String::new();
    let mut read = "claim.a".to_string();
    for i in 0..3 {
        lets.push_str(&format!("let v{i} = {read}{}\n", " + 1".repeat(40)));
        read = format!("v{i}");
    }
    assert_eq!(deep_payout(&lets, "", &read), "121.00");
}

/// The deepest policy the pre-scan admits (32 bracket levels; a 120-way `or`) loads and
/// decides on an ordinary test thread's stack, in any build.
#[test]
fn the_deepest_admitted_policy_loads_and_decides_on_a_small_stack() {
    let mut amount = "claim.a".to_string();
    for _ in 0..proviso::internals::parse::MAX_BRACKET_DEPTH {
        amount = format!("({amount} + 1)");
    }
    let when = format!("when {}", vec!["claim.a > 0"; 120].join(" or "));
    assert_eq!(deep_payout("", &when, &amount), "33.00");
}
