//! Hooks in their sandbox: each test writes a small policy and its `fee.rhai` to a fresh
//! directory under the system's temporary directory, then checks the exact diagnostic a
//! misbehaving hook produces, that a runaway hook ends quickly, that a batch goes on past a
//! failing document, and that the policy's sha256 covers the hook.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use proviso::{Document, LoadError, PolicySet};
use sha2::{Digest, Sha256};

const POLICY: &str = r#"policy "test/hooks"
version "1"
effective 2025-01-01
currency USD
doc "A cancellation refunding 100.00 less a fee from a hook."

facts {
  order: record { id: string  placed_at: date  state: optional string }
  cancellation: optional record { id: string  requested_at: date }
}

hook admin_fee(state: string, price: money, prorated: money) -> money from "fee.rhai"

refund price doc "Refund the price." pays 100
deduction fee doc "Less the fee." reduce by admin_fee(order.state otherwise "", 100, 80)
deduction never_negative doc "Never below zero." floor at 0
fallback nothing doc "Nothing to refund."
"#;

/// The `fee` rule's own part of every runtime failure message.
const IN_FEE: &str = "rule `fee` failed: ";

/// A policy directory that removes itself.
struct Dir(PathBuf);

impl Dir {
    fn new(test: &str, hook: &str) -> Dir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("proviso-hooks-{}-{test}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("policy.proviso"), POLICY).unwrap();
        std::fs::write(dir.join("fee.rhai"), hook).unwrap();
        Dir(dir)
    }

    fn path(&self) -> &Path {
        &self.0
    }

    fn hook_file(&self) -> String {
        self.0.join("fee.rhai").display().to_string()
    }

    fn load(&self) -> Result<PolicySet, LoadError> {
        PolicySet::load(&self.0)
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn doc(id: &str, state: &str) -> String {
    format!(
        r#"{{"policy": "test/hooks", "order": {{"id": "O-{id}", "placed_at": "2025-01-01", "state": "{state}"}}, "cancellation": {{"id": "{id}", "requested_at": "2025-02-01"}}}}"#
    )
}

/// Evaluates one document: the refund, or (when a rule cannot be computed, so that the
/// document is referred) `rule `NAME` failed: MESSAGE`, with the time taken.
fn run(dir: &Dir) -> (Result<String, String>, Duration) {
    let set = dir.load().unwrap_or_else(|e| panic!("{e:?}"));
    let text = doc("C-1", "CA");
    let start = Instant::now();
    let d = set.evaluate(&Document::json("c.json", &text));
    let elapsed = start.elapsed();
    let d = d.unwrap_or_else(|e| panic!("not decided: {e}"));
    let failed = d
        .reasons
        .iter()
        .find_map(|r| Some((&r.rule, r.failure.as_ref()?)));
    let r = match failed {
        Some((rule, f)) => {
            assert_eq!(d.decision.as_str(), "referred");
            Err(format!("rule `{rule}` failed: {}", f.message))
        }
        None => Ok(proviso::internals::decision::format_money(
            d.refund.unwrap().amount,
        )),
    };
    (r, elapsed)
}

/// Asserts the hook fails the document with `message`, in well under a second.
fn fails(test: &str, hook: &str, message: &str) {
    let dir = Dir::new(test, hook);
    let (r, elapsed) = run(&dir);
    let message = message.replace("{file}", &dir.hook_file());
    assert_eq!(r, Err(format!("{IN_FEE}{message}")), "{hook}");
    assert!(elapsed < Duration::from_secs(1), "{test} took {elapsed:?}");
}

/// Asserts the policy does not load, with one error `message` at `location`.
fn rejected(test: &str, hook: &str, message: &str, location: &str) {
    let dir = Dir::new(test, hook);
    let errors = match dir.load() {
        Err(LoadError::Policy(e)) => e.errors,
        other => panic!("{test}: expected a policy error, got {other:?}"),
    };
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.message, message);
    let at = dir.path().join(location).display().to_string();
    assert_eq!(e.location(), at);
}

#[test]
fn a_well_behaved_hook_computes_the_fee() {
    let dir = Dir::new(
        "ok",
        "fn admin_fee(state, price, prorated) { price * 0.10 }\n",
    );
    assert_eq!(run(&dir).0, Ok("90.00".into()));
}

// ---- runaway hooks end quickly, failing only their document --------------------------

#[test]
fn a_hook_that_loops_forever() {
    fails(
        "loop",
        "fn admin_fee(state, price, prorated) {\n    loop { }\n}\n",
        "hook `admin_fee` failed: more than 200000 operations (a loop that never ends?)",
    );
    fails(
        "while",
        "fn admin_fee(state, price, prorated) {\n    let x = 0;\n    while true { x += 1; }\n    x\n}\n",
        "hook `admin_fee` failed: more than 200000 operations (a loop that never ends?)",
    );
}

#[test]
fn a_hook_that_recurses_without_end() {
    fails(
        "recursion",
        "fn admin_fee(state, price, prorated) { admin_fee(state, price, prorated) }\n",
        "hook `admin_fee` failed: calls nested more than 32 deep (a recursion that never ends?)",
    );
    fails(
        "mutual",
        "fn other(n) { admin_fee(\"\", n, n) }\nfn admin_fee(state, price, prorated) { other(price) }\n",
        "hook `admin_fee` failed: calls nested more than 32 deep (a recursion that never ends?)",
    );
}

#[test]
fn a_hook_that_allocates_without_end() {
    fails(
        "string",
        "fn admin_fee(state, price, prorated) {\n    let s = \"fee\";\n    loop { s += s; }\n}\n",
        "hook `admin_fee` failed: a string longer than 16384 bytes",
    );
    fails(
        "array",
        "fn admin_fee(state, price, prorated) {\n    let a = [];\n    loop { a.push(price); }\n}\n",
        "hook `admin_fee` failed: an array of more than 4096 items",
    );
    fails(
        "map",
        "fn admin_fee(state, price, prorated) {\n    let m = #{ fee: price };\n    loop { m = #{ a: m, b: m }; }\n}\n",
        "hook `admin_fee` failed: a map of more than 1024 entries",
    );
    // A map grown one key at a time is measured when it is next used as a whole; the
    // operation limit ends the loop that never uses it.
    fails(
        "map-keys",
        "fn admin_fee(state, price, prorated) {\n    let m = #{};\n    let i = 0;\n    loop { m[`k${i}`] = i; i += 1; }\n}\n",
        "hook `admin_fee` failed: more than 200000 operations (a loop that never ends?)",
    );
}

// ---- results are checked against the declared type ------------------------------------

#[test]
fn a_hook_that_returns_a_string() {
    fails(
        "string-result",
        "fn admin_fee(state, price, prorated) { \"10.00\" }\n",
        "hook `admin_fee` returned a string, not money",
    );
}

#[test]
fn a_hook_that_returns_nothing() {
    fails(
        "unit-result",
        "fn admin_fee(state, price, prorated) { }\n",
        "hook `admin_fee` returned nothing, not money",
    );
}

#[test]
fn a_hook_that_returns_a_negative_fee() {
    fails(
        "negative",
        "fn admin_fee(state, price, prorated) { -price * 0.10 }\n",
        "hook `admin_fee` returned a negative amount (-10.00)",
    );
}

#[test]
fn a_hook_that_fails_at_run_time_names_the_place() {
    fails(
        "unknown-function",
        "fn admin_fee(state, price, prorated) {\n    open_file(\"/etc/passwd\")\n}\n",
        "hook `admin_fee` failed at {file}:2:5: no function `open_file` takes these values",
    );
    fails(
        "division",
        "fn admin_fee(state, price, prorated) {\n    price / 0\n}\n",
        "hook `admin_fee` failed at {file}:2:11: division by zero: 100 / 0",
    );
}

// ---- hooks that do not compile are policy errors, located in the hook file -------------

#[test]
fn a_hook_that_does_not_compile() {
    rejected(
        "syntax",
        "fn admin_fee(state, price, prorated) {\n    price * 0.10 +\n}\n",
        "hook `admin_fee` does not compile: unexpected '}'",
        "fee.rhai:3:1",
    );
}

#[test]
fn a_hook_with_an_undefined_variable() {
    rejected(
        "undefined",
        "fn admin_fee(state, price, prorated) {\n    price * rate\n}\n",
        "hook `admin_fee` does not compile: undefined variable: rate",
        "fee.rhai:2:13",
    );
}

#[test]
fn a_hook_that_imports() {
    rejected(
        "import",
        "import \"rates\" as rates;\nfn admin_fee(state, price, prorated) { 0 }\n",
        "hook `admin_fee` does not compile: a hook cannot import modules",
        "fee.rhai:1:1",
    );
}

#[test]
fn a_hook_that_calls_eval() {
    rejected(
        "eval",
        "fn admin_fee(state, price, prorated) { eval(\"price\") }\n",
        "hook `admin_fee` does not compile: reserved keyword 'eval' is disabled",
        "fee.rhai:1:40",
    );
}

#[test]
fn a_hook_with_the_wrong_arity() {
    let dir = Dir::new("arity", "fn admin_fee(state, price) { 0 }\n");
    let Err(LoadError::Policy(e)) = dir.load() else {
        panic!("expected a policy error");
    };
    let hook = dir.hook_file();
    assert_eq!(
        e.errors[0].message,
        format!("`{hook}` defines `admin_fee` with 2 parameters, but the policy passes 3")
    );
    // The error points at the declaration in the policy.
    let policy = dir.path().join("policy.proviso").display().to_string();
    assert_eq!(e.errors[0].location(), format!("{policy}:12:1"));
}

#[test]
fn a_hook_file_that_is_missing_or_outside_the_policy_folder() {
    let dir = Dir::new("missing", "");
    std::fs::remove_file(dir.path().join("fee.rhai")).unwrap();
    let Err(LoadError::Policy(e)) = dir.load() else {
        panic!("expected a policy error");
    };
    assert!(
        e.errors[0].message.starts_with("cannot read hook file `"),
        "{}",
        e.errors[0].message
    );
    let outside = Dir::new("outside", "fn admin_fee(s, p, r) { 0 }\n");
    let policy = POLICY.replace("\"fee.rhai\"", "\"../fee.rhai\"");
    std::fs::write(outside.path().join("policy.proviso"), policy).unwrap();
    let Err(LoadError::Policy(e)) = outside.load() else {
        panic!("expected a policy error");
    };
    assert_eq!(
        e.errors[0].message,
        "hook file `../fee.rhai` is outside the policy's folder"
    );
}

// ---- hook files are bounded in size and in what they define -----------------------------

#[test]
fn a_hook_file_over_the_size_limit_is_refused() {
    let mut hook = "fn admin_fee(state, price, prorated) { price * 0.10 }\n".to_string();
    while hook.len() <= proviso::internals::hooks::MAX_HOOK_BYTES {
        hook.push_str("// a line of comment, to make the file larger than a hook may be\n");
    }
    let dir = Dir::new("too-large", &hook);
    let errors = match dir.load() {
        Err(LoadError::Policy(e)) => e.errors,
        other => panic!("expected a policy error, got {other:?}"),
    };
    let shown: Vec<(String, String, Option<String>)> = errors
        .iter()
        .map(|e| (e.location(), e.message.clone(), e.help.clone()))
        .collect();
    let policy = dir.path().join("policy.proviso").display().to_string();
    assert_eq!(
        shown,
        [(
            format!("{policy}:12:1"),
            format!("hook file `{}` is too large", dir.hook_file()),
            Some(
                "a hook file may hold at most 65536 bytes; a hook is a small computation, and \
                 the rules belong in the policy"
                    .to_string()
            )
        )]
    );
}

#[test]
fn a_hook_file_may_define_at_most_256_functions() {
    let helpers = |n: usize| -> String {
        (0..n)
            .map(|i| format!("fn helper{i}() {{ {i} }}\n"))
            .collect::<String>()
    };
    let fee = "fn admin_fee(state, price, prorated) { price * 0.10 }\n";
    let most = Dir::new("functions-ok", &format!("{}{fee}", helpers(255)));
    assert_eq!(run(&most).0, Ok("90.00".into()));
    rejected(
        "functions",
        &format!("{}{fee}", helpers(256)),
        "hook `admin_fee` does not compile: more than 256 functions",
        "fee.rhai:257:1",
    );
}

#[test]
fn a_hook_may_hold_at_most_256_variables_at_once() {
    let lets: String = (0..257).map(|i| format!("    let v{i} = {i};\n")).collect();
    fails(
        "variables",
        &format!("fn admin_fee(state, price, prorated) {{\n{lets}    price * 0.10\n}}\n"),
        "hook `admin_fee` failed: more than 256 variables at once",
    );
}

#[test]
fn a_hook_expression_nested_too_deeply_does_not_compile() {
    let deep = format!("{}price{}", "(".repeat(40), ")".repeat(40));
    rejected(
        "deep",
        &format!("fn admin_fee(state, price, prorated) {{ {deep} }}\n"),
        "hook `admin_fee` does not compile: an expression nested more than 64 levels deep \
         (32 inside a function)",
        "fee.rhai:1:54",
    );
}

#[test]
fn a_hook_file_that_is_not_utf8_names_the_first_bad_byte() {
    let dir = Dir::new("latin1", "");
    std::fs::write(
        dir.path().join("fee.rhai"),
        b"// Caf\xe9\nfn admin_fee(state, price, prorated) { 0 }\n",
    )
    .unwrap();
    let errors = match dir.load() {
        Err(LoadError::Policy(e)) => e.errors,
        other => panic!("expected a policy error, got {other:?}"),
    };
    let shown: Vec<(String, String)> = errors
        .iter()
        .map(|e| (e.location(), e.message.clone()))
        .collect();
    assert_eq!(
        shown,
        [(
            format!("{}:1:7", dir.hook_file()),
            "hook file is not UTF-8: byte 0xE9 at line 1, column 7 is not part of a UTF-8 \
             character"
                .to_string()
        )]
    );
}

#[test]
fn a_byte_order_mark_opening_a_hook_file_is_skipped() {
    let dir = Dir::new(
        "bom",
        "\u{feff}fn admin_fee(state, price, prorated) { price * 0.10 }\n",
    );
    assert_eq!(run(&dir).0, Ok("90.00".into()));
    rejected(
        "bom-error",
        "\u{feff}fn admin_fee(state, price, prorated) { price * }\n",
        "hook `admin_fee` does not compile: unexpected '}'",
        "fee.rhai:1:48",
    );
}

// ---- a panic inside Rhai or the decimal library fails only its document ----------------

#[test]
fn a_hook_whose_decimal_function_panics_fails_its_document() {
    // As the `proviso` command does, keep the contained panic quiet: the default panic
    // hook would print it (and, with RUST_BACKTRACE set, take a second to symbolise a
    // backtrace). Any other panic in this test binary is still shown.
    let show = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if !proviso::running_hook() {
            show(info);
        }
    }));
    // `tan` at pi/2 panics inside rust_decimal; the panic is caught and named.
    for (test, body) in [
        ("tan", "tan(PI() / 2)"),
        ("tan-negative", "-tan(-PI() / 2)"),
    ] {
        let dir = Dir::new(
            test,
            &format!("fn admin_fee(state, price, prorated) {{\n    {body}\n}}\n"),
        );
        assert_eq!(
            run(&dir).0,
            Err(format!(
                "{IN_FEE}hook `admin_fee` failed: a built-in function could not compute its \
                 result (tan overflowed)"
            ))
        );
    }
    assert!(!proviso::running_hook());
}

#[test]
fn a_hook_whose_decimal_function_has_no_result_names_the_place() {
    let cases = [
        ("ln", "ln(0.0)", "2:5: error taking the natural log of 0.0"),
        ("log", "log(-price)", "2:5: error taking the log of -100"),
        (
            "sqrt",
            "sqrt(-price)",
            "2:5: error taking the square root of -100",
        ),
        (
            "exp",
            "exp(price * 10)",
            "2:5: exponential overflow: e ** 1000",
        ),
        (
            "pow",
            "price ** 1000",
            "2:11: exponential overflow: 100 ** 1000",
        ),
        (
            "to-int",
            "to_int(price * 1000000000000000000)",
            "2:5: integer overflow: to_int(100000000000000000000)",
        ),
        ("divide", "price / 0.0", "2:11: division by zero: 100 / 0.0"),
    ];
    for (test, body, at) in cases {
        fails(
            test,
            &format!("fn admin_fee(state, price, prorated) {{\n    {body}\n}}\n"),
            &format!("hook `admin_fee` failed at {{file}}:{at}"),
        );
    }
}

#[test]
fn a_batch_refers_the_document_whose_hook_panics_and_prints_no_panic() {
    let dir = Dir::new(
        "batch-panic",
        "fn admin_fee(state, price, prorated) {\n    if state == \"XX\" { return tan(PI() / 2); }\n    price * 0.10\n}\n",
    );
    let batch = dir.path().join("batch.jsonl");
    let lines = [doc("C-1", "CA"), doc("C-2", "XX"), doc("C-3", "NY")];
    std::fs::write(&batch, lines.join("\n") + "\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .arg("eval")
        .arg(dir.path())
        .arg(&batch)
        .args(["--format", "json"])
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<String> = stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            format!(
                "{} {} {}",
                v["document"], v["decision"], v["refund"]["amount"]
            )
        })
        .collect();
    assert_eq!(
        ids,
        [
            "\"C-1\" \"approved\" \"90.00\"",
            "\"C-2\" \"referred\" \"0.00\"",
            "\"C-3\" \"approved\" \"90.00\""
        ]
    );
    let line: serde_json::Value = serde_json::from_str(stdout.lines().nth(1).unwrap()).unwrap();
    assert_eq!(
        line["reasons"][0]["failure"]["message"],
        "hook `admin_fee` failed: a built-in function could not compute its result (tan overflowed)"
    );
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr, "", "a contained panic prints nothing");
}

// ---- a batch goes on past a failing hook -----------------------------------------------

#[test]
fn a_batch_refers_the_document_whose_hook_fails_and_decides_the_others() {
    let dir = Dir::new(
        "batch",
        "fn admin_fee(state, price, prorated) {\n    if state == \"XX\" { loop { } }\n    price * 0.10\n}\n",
    );
    let batch = dir.path().join("batch.jsonl");
    let lines = [doc("C-1", "CA"), doc("C-2", "XX"), doc("C-3", "NY")];
    std::fs::write(&batch, lines.join("\n") + "\n").unwrap();
    let start = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .arg("eval")
        .arg(dir.path())
        .arg(&batch)
        .args(["--format", "json"])
        .output()
        .unwrap();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0]["document"], "C-1");
    assert_eq!(lines[0]["refund"]["amount"], "90.00");
    assert_eq!(lines[1]["document"], "C-2");
    assert_eq!(lines[1]["decision"], "referred");
    assert_eq!(lines[1]["refund"]["amount"], "0.00");
    assert_eq!(lines[1]["reasons"][0]["rule"], "fee");
    assert_eq!(
        lines[1]["reasons"][0]["failure"]["message"],
        "hook `admin_fee` failed: more than 200000 operations (a loop that never ends?)"
    );
    assert_eq!(lines[2]["document"], "C-3");
    assert_eq!(lines[2]["refund"]["amount"], "90.00");
}

// ---- the policy's identity covers its hooks --------------------------------------------

fn sha256(dir: &Dir) -> String {
    let set = dir.load().unwrap();
    let text = doc("C-1", "CA");
    let d = set.evaluate(&Document::json("c.json", &text)).unwrap();
    d.policy.sha256.to_string()
}

#[test]
fn the_sha256_changes_when_only_the_hook_changes() {
    let hook = "fn admin_fee(state, price, prorated) { price * 0.10 }\n";
    let dir = Dir::new("sha", hook);
    let before = sha256(&dir);
    // The same fee, written differently: the decision is the same, the identity is not.
    std::fs::write(
        dir.path().join("fee.rhai"),
        "fn admin_fee(state, price, prorated) { price / 10 }\n",
    )
    .unwrap();
    let after = sha256(&dir);
    assert_ne!(before, after);
    assert_eq!(run(&dir).0, Ok("90.00".into()));
}

#[test]
fn the_sha256_is_the_policy_then_each_hook_by_name() {
    let hook = "fn admin_fee(state, price, prorated) { price * 0.10 }\n";
    let dir = Dir::new("sha-parts", hook);
    let mut h = Sha256::new();
    h.update(POLICY.as_bytes());
    h.update(b"\0fee.rhai\0");
    h.update(hook.as_bytes());
    let want: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
    assert_eq!(sha256(&dir), want);
    // Where the policy tree sits does not change its identity.
    let elsewhere = Dir::new("sha-elsewhere", hook);
    assert_eq!(sha256(&elsewhere), want);
}

/// A loaded policy set, hooks included, can be shared between threads.
#[test]
fn a_policy_set_is_send_and_sync() {
    fn shared<T: Send + Sync>() {}
    shared::<proviso::PolicySet>();
    let set = std::sync::Arc::new(proviso::PolicySet::load("policies").unwrap());
    let text = std::fs::read_to_string("examples/cancellations/after-60-days-ca.yaml").unwrap();
    let amounts: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let (set, text) = (set.clone(), text.clone());
                s.spawn(move || {
                    let d = set
                        .evaluate(&proviso::Document::yaml("ca.yaml", &text))
                        .unwrap();
                    proviso::internals::decision::format_money(d.refund.unwrap().amount)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(amounts, ["192.81", "192.81"]);
}

// ---- hook files given in memory: nothing is read from disk ----------------------------

/// Compiles `POLICY` from memory, its hook named `from "FILE"`, with `given` hook files.
fn compile_given(file: &str, given: &[(&str, &str)]) -> Result<PolicySet, Vec<String>> {
    let text = POLICY.replace("\"fee.rhai\"", &format!("\"{file}\""));
    let src = proviso::internals::span::Source::new("policy.proviso", text);
    let given = given
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let (_, program) =
        proviso::internals::policy_set::compile_given(&src, &given).map_err(|errors| {
            errors
                .iter()
                .map(|e| {
                    format!(
                        "{} {}; help: {}",
                        e.location(),
                        e.message,
                        e.help.clone().unwrap_or_default()
                    )
                })
                .collect::<Vec<_>>()
        })?;
    Ok(PolicySet::from_programs(vec![program]).unwrap())
}

#[test]
fn a_policy_compiled_from_memory_takes_its_hook_files_from_memory() {
    let set = compile_given(
        "fee.rhai",
        &[(
            "fee.rhai",
            "fn admin_fee(state, price, prorated) { price * 0.10 }\n",
        )],
    )
    .unwrap();
    let d = set
        .evaluate(&Document::json("c.json", &doc("C-1", "CA")))
        .unwrap();
    assert_eq!(
        proviso::internals::decision::format_money(d.refund.unwrap().amount),
        "90.00"
    );
    let hooks: Vec<(&str, &str)> = set.versions().flat_map(|p| p.hooks.files()).collect();
    assert_eq!(
        hooks,
        [(
            "fee.rhai",
            "fn admin_fee(state, price, prorated) { price * 0.10 }\n"
        )]
    );
}

#[test]
fn a_policy_compiled_from_memory_reads_no_hook_file_from_disk() {
    // The tests run in the crate's root, where `Cargo.toml` is: it is not read.
    assert!(Path::new("Cargo.toml").is_file());
    assert_eq!(
        compile_given("Cargo.toml", &[]).err(),
        Some(vec![
            "policy.proviso:12:1 hook file `Cargo.toml` is not given; help: give the text of `Cargo.toml` with the policy (hook files given: none)".to_string()
        ])
    );
    assert_eq!(
        compile_given("Cargo.toml", &[("fee.rhai", "fn admin_fee(s, p, r) { 1 }"), ("b.rhai", "")]).err(),
        Some(vec![
            "policy.proviso:12:1 hook file `Cargo.toml` is not given; help: give the text of `Cargo.toml` with the policy (hook files given: `b.rhai`, `fee.rhai`)".to_string()
        ])
    );
    assert_eq!(
        compile_given("../../../etc/passwd", &[("../../../etc/passwd", "fn admin_fee(s, p, r) { 1 }")]).err(),
        Some(vec![
            "policy.proviso:12:1 hook file `../../../etc/passwd` is outside the policy's folder; help: name a file in the policy's folder or below it, like \"admin-fee.rhai\"".to_string()
        ])
    );
    assert_eq!(
        compile_given("/etc/passwd", &[]).err(),
        Some(vec![
            "policy.proviso:12:1 hook file `/etc/passwd` is outside the policy's folder; help: name a file in the policy's folder or below it, like \"admin-fee.rhai\"".to_string()
        ])
    );
    let large = format!(
        "fn admin_fee(s, p, r) {{ 1 }}\n{}",
        " ".repeat(proviso::internals::hooks::MAX_HOOK_BYTES)
    );
    assert_eq!(
        compile_given("fee.rhai", &[("fee.rhai", &large)]).err(),
        Some(vec![
            "policy.proviso:12:1 hook file `fee.rhai` is too large; help: a hook file may hold at most 65536 bytes; a hook is a small computation, and the rules belong in the policy".to_string()
        ])
    );
}
