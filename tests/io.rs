//! The binary's input and output: aliases whatever the line breaks, JSON Lines read line by
//! line, byte order marks, size limits, unreadable inputs, directory symlink loops, every
//! result naming its input, escaped control characters, and output that cannot be written.
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

const EXAMPLE: &str = "examples/shipping/lost-domestic.yaml";
const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// How long a run may take before it is taken to hang (a guard, not a measurement).
const HANG: Duration = Duration::from_secs(60);

/// A fresh scratch directory for one test.
fn scratch(test: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"))
        .join("io")
        .join(test);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch directory");
    dir
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> String {
    let path = dir.join(name);
    std::fs::write(&path, content).expect("write case");
    path.to_string_lossy().into_owned()
}

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path)).expect("read fixture")
}

/// The example claim as one line of JSON.
fn claim_json() -> String {
    let v: serde_yaml::Value = serde_yaml::from_str(&read(EXAMPLE)).expect("example claim");
    serde_json::to_string(&v).expect("as JSON")
}

fn proviso() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_proviso"));
    c.current_dir(ROOT).env("NO_COLOR", "1");
    c
}

/// Waits for a child, draining its output, killing it if it hangs: (status, stdout, stderr).
fn finish(mut child: Child) -> (i32, String, String) {
    let drain = |r: Option<Box<dyn Read + Send>>| {
        thread::spawn(move || {
            let mut out = Vec::new();
            if let Some(mut r) = r {
                let _ = r.read_to_end(&mut out);
            }
            String::from_utf8_lossy(&out).into_owned()
        })
    };
    let out = drain(child.stdout.take().map(|s| Box::new(s) as _));
    let err = drain(child.stderr.take().map(|s| Box::new(s) as _));
    let (tx, rx) = mpsc::channel();
    let id = child.id();
    let waiter = thread::spawn(move || {
        let status = child.wait().expect("wait");
        let _ = tx.send(());
        status
    });
    if rx.recv_timeout(HANG).is_err() {
        let _ = Command::new("kill").arg("-9").arg(id.to_string()).status();
        panic!("proviso did not finish within {HANG:?}");
    }
    let status = waiter.join().expect("waiter").code().unwrap_or(-1);
    let (out, err) = (out.join().expect("stdout"), err.join().expect("stderr"));
    assert!(!err.contains("panicked"), "panicked:\n{err}");
    (status, out, err)
}

/// Runs `proviso args...` with `stdin` as its standard input.
fn run_with(args: &[&str], stdin: &[u8]) -> (i32, String, String) {
    let mut child = proviso()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run proviso");
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let feeder = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let result = finish(child);
    feeder.join().expect("feeder");
    result
}

fn run(args: &[&str]) -> (i32, String, String) {
    run_with(args, b"")
}

/// The output lines as JSON values.
fn json_lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

// ---- 1. YAML aliases, whatever the line breaks -------------------------------------------

/// A billion-laughs bomb: nine levels of nine aliases each.
fn bomb() -> String {
    let mut bomb = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let refs = vec![format!("*{prev}"); 9].join(", ");
        bomb += &format!("{name}: &{name} [{refs}]\n");
    }
    bomb
}

#[test]
fn aliases_are_refused_whatever_the_line_breaks() {
    let dir = scratch("aliases");
    let text = format!("{}{}", read(EXAMPLE), bomb());
    let alias = text.find("*a").unwrap();
    for (name, brk) in [
        ("lf", "\n"),
        ("crlf", "\r\n"),
        ("cr", "\r"),
        ("nel", "\u{85}"),
        ("ls", "\u{2028}"),
        ("ps", "\u{2029}"),
    ] {
        let doc = text.replace('\n', brk);
        let path = write(&dir, &format!("{name}.yaml"), &doc);
        let (status, stdout, stderr) = run(&["eval", "policies", &path, "--format", "json"]);
        assert_eq!(status, 4, "{name}: {stderr}");
        // Lines as diagnostics count them, ended by `\n`; columns in characters.
        let before = &doc[..doc.find("*a").unwrap()];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().unwrap().chars().count() + 1;
        assert!(
            stderr.starts_with(&format!("{path}:{line}:{col}\n")),
            "{name}: {stderr}"
        );
        let message = "YAML aliases (`*name`) are not accepted in documents; write the value out";
        assert!(stderr.contains(message), "{name}: {stderr}");
        let expected = serde_json::json!({
            "document": null,
            "error": {"message": message, "path": null},
            "input": {"path": path},
        });
        assert_eq!(json_lines(&stdout), vec![expected], "{name}");
    }
    // With `\n` breaks the alias is on the line after the claim, at `b: &b [*a`.
    let claim_lines = read(EXAMPLE).lines().count();
    assert_eq!(text[..alias].matches('\n').count() + 1, claim_lines + 2);
}

#[test]
fn a_star_that_is_no_alias_is_read() {
    let dir = scratch("stars");
    let claim = read(EXAMPLE);
    for (name, description) in [
        ("multiplied", "description: 5 * 3 parcels"),
        ("quoted", "description: \"*never* arrived\""),
        ("single", "description: '*never* arrived'"),
        (
            "comment",
            "description: Parcel never arrived. # *not an alias",
        ),
    ] {
        let doc = claim.replace("description: Parcel never arrived.", description);
        assert_ne!(doc, claim);
        let path = write(&dir, &format!("{name}.yaml"), doc);
        let (status, stdout, stderr) = run(&["eval", "policies", &path, "--format", "json"]);
        assert_eq!((status, stderr.as_str()), (0, ""), "{name}");
        assert_eq!(json_lines(&stdout)[0]["decision"], "approved", "{name}");
    }
    // An alias in a document that does not parse: libyaml's own error, at its place.
    let broken = claim.replace("description: Parcel never arrived.", "description: [*a");
    let path = write(&dir, "broken.yaml", broken);
    let (status, _, stderr) = run(&["eval", "policies", &path]);
    assert_eq!(status, 4);
    assert!(stderr.contains("\n  × unknown anchor\n"), "{stderr}");
    // A text libyaml reads but the event parser (YAML 1.2) does not: refused, at its place.
    let unchecked = claim.replace(
        "description: Parcel never arrived.",
        "description: \"5 * 3 parcels,\nnever arrived\"",
    );
    let line = unchecked
        .lines()
        .position(|l| l.contains("\"5 * 3"))
        .unwrap()
        + 1;
    // The quoted scalar starts after `description: `.
    let col = "  description: \"".len();
    let path = write(&dir, "unchecked.yaml", unchecked);
    let (status, _, stderr) = run(&["eval", "policies", &path]);
    assert_eq!(status, 4);
    assert!(
        stderr.starts_with(&format!("{path}:{line}:{col}\n")),
        "{stderr}"
    );
    let message = "cannot check the document for YAML aliases, as YAML 1.2 reads it: \
                   invalid indentation in quoted scalar";
    assert!(stderr.replace("\n  │ ", " ").contains(message), "{stderr}");
}

#[test]
fn nesting_after_a_comment_is_found_whatever_the_line_breaks() {
    let dir = scratch("nesting");
    let deep = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
    for (name, brk) in [("cr", "\r"), ("nel", "\u{85}"), ("ls", "\u{2028}")] {
        let doc = format!("{}# note{brk}extra: {deep}\n", read(EXAMPLE));
        let path = write(&dir, &format!("{name}.yaml"), doc);
        let (status, _, stderr) = run(&["eval", "policies", &path]);
        assert_eq!(status, 4, "{name}");
        assert!(
            stderr.contains("the document nests deeper than 64 levels"),
            "{name}: {stderr}"
        );
    }
}

// ---- 2. JSON Lines line by line; byte order marks; sniffing standard input -----------------

#[test]
fn a_line_that_is_not_utf8_fails_alone() {
    let dir = scratch("utf8");
    let good = claim_json();
    // One byte 0xFF in the description: the line is not UTF-8.
    let bad = good.replacen("Parcel never", "Parcel @ never", 1);
    let col = bad.find('@').unwrap() + 1;
    let mut bytes = format!("{good}\n").into_bytes();
    bytes.extend(bad.bytes().map(|b| if b == b'@' { 0xFF } else { b }));
    bytes.extend(format!("\n\n{good}\n").as_bytes());
    let path = write(&dir, "batch.jsonl", &bytes);
    let message = format!("not valid UTF-8: byte 0xFF at column {col}");
    for (arg, stdin, name) in [
        (path.as_str(), &b""[..], path.as_str()),
        ("-", &bytes[..], "-"),
    ] {
        let (status, stdout, stderr) =
            run_with(&["eval", "policies", arg, "--format", "json"], stdin);
        assert_eq!(status, 4, "{arg}");
        let lines = json_lines(&stdout);
        assert_eq!(lines.len(), 3, "{stdout}");
        assert_eq!(lines[0]["decision"], "approved");
        assert_eq!(
            lines[0]["input"],
            serde_json::json!({"path": name, "line": 1})
        );
        assert_eq!(
            lines[1],
            serde_json::json!({
                "document": null,
                "error": {"message": message, "path": null},
                "input": {"path": name, "line": 2},
            })
        );
        assert_eq!(lines[2]["decision"], "approved");
        // Line 3 is blank: the third document is on line 4.
        assert_eq!(
            lines[2]["input"],
            serde_json::json!({"path": name, "line": 4})
        );
        assert_eq!(stderr, format!("{name}:2\n\n  × {message}\n"));
    }
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let dir = scratch("bom");
    let bom = "\u{feff}";
    let yaml = write(&dir, "claim.yaml", format!("{bom}{}", read(EXAMPLE)));
    let json = write(&dir, "claim.json", format!("{bom}{}", claim_json()));
    let jsonl = write(
        &dir,
        "claims.jsonl",
        format!("{bom}{}\n{}\n", claim_json(), claim_json()),
    );
    let (status, stdout, stderr) =
        run(&["eval", "policies", &yaml, &json, &jsonl, "--format", "json"]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert_eq!(json_lines(&stdout).len(), 4);
    for text in [
        format!("{bom}{}", read(EXAMPLE)),
        format!("{bom}{}", claim_json()),
        format!("{bom}{}\n{}\n", claim_json(), claim_json()),
    ] {
        let (status, stdout, stderr) = run_with(
            &["eval", "policies", "-", "--format", "json"],
            text.as_bytes(),
        );
        assert_eq!((status, stderr.as_str()), (0, ""), "{text}");
        assert!(json_lines(&stdout)
            .iter()
            .all(|d| d["decision"] == "approved"));
    }
}

#[test]
fn a_bad_first_line_does_not_make_json_lines_one_yaml_document() {
    let good = claim_json();
    let stdin = format!("oops, not JSON\n{good}\n{good}\n");
    let (status, stdout, _) = run_with(
        &["eval", "policies", "-", "--format", "json"],
        stdin.as_bytes(),
    );
    assert_eq!(status, 4);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 3, "{stdout}");
    assert_eq!(lines[0]["document"], serde_json::Value::Null);
    assert_eq!(lines[0]["error"]["message"], "expected value");
    assert_eq!(
        lines[0]["input"],
        serde_json::json!({"path": "-", "line": 1})
    );
    for (i, d) in lines.iter().enumerate().skip(1) {
        assert_eq!(d["decision"], "approved");
        assert_eq!(d["input"], serde_json::json!({"path": "-", "line": i + 1}));
    }
}

#[test]
fn standard_input_is_answered_before_it_ends() {
    for jobs in ["1", "3"] {
        answered_before_the_end(jobs);
    }
}

/// Decisions of standard input are written while it stays open, with `--jobs jobs`.
fn answered_before_the_end(jobs: &str) {
    let mut child = proviso()
        .args(["eval", "policies", "-", "--format", "json", "--jobs", jobs])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("run proviso");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = mpsc::channel();
    let reader = thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.expect("a line"));
        }
    });
    let good = claim_json();
    // Two lines make it JSON Lines; both are answered while standard input stays open.
    writeln!(stdin, "{good}\n{good}").expect("write");
    stdin.flush().expect("flush");
    for n in 1..=2 {
        let line = rx.recv_timeout(HANG).unwrap_or_else(|_| {
            let _ = child.kill();
            panic!("decision {n} was not written before the input ended (--jobs {jobs})")
        });
        let d: serde_json::Value = serde_json::from_str(&line).expect("a decision");
        assert_eq!(d["input"], serde_json::json!({"path": "-", "line": n}));
    }
    writeln!(stdin, "{good}").expect("write");
    drop(stdin);
    let status = child.wait().expect("wait");
    reader.join().expect("reader");
    let rest: Vec<String> = rx.try_iter().collect();
    assert_eq!((status.code(), rest.len()), (Some(0), 1));
}

#[test]
fn several_jobs_write_what_one_job_writes_in_the_same_order() {
    let dir = scratch("jobs");
    let good = claim_json();
    let mut lines = String::new();
    // Six chunks (`batch::CHUNK` documents each, the last one short): with 2 jobs, each
    // decides several.
    for i in 0..1_300 {
        match i % 7 {
            // Not JSON, a document of no policy, and a date that is none: errors in order.
            3 => lines.push_str("{not json\n"),
            5 => lines.push_str("{\"policy\": \"nobody/none\"}\n"),
            6 => lines.push_str(&good.replace("2025-07-10T09:30:00Z", "yesterday")),
            _ => lines.push_str(&good),
        }
        if i % 7 != 3 && i % 7 != 5 {
            lines.push('\n');
        }
    }
    let path = write(&dir, "batch.jsonl", &lines);
    for format in ["json", "text"] {
        let one = run(&["eval", "policies", &path, "--format", format, "--jobs", "1"]);
        for jobs in ["2", "5"] {
            let many = run(&[
                "eval", "policies", &path, "--format", format, "--jobs", jobs,
            ]);
            assert_eq!(many, one, "--format {format} --jobs {jobs}");
        }
        assert_eq!(one.0, 4, "{}", one.2);
    }
    // 186 lines not JSON, 185 of no policy, 185 with a bad date: each an error line, in place.
    let one = run(&["eval", "policies", &path, "--format", "json", "--jobs", "1"]);
    let decisions = json_lines(&one.1);
    let errors: Vec<usize> = decisions
        .iter()
        .enumerate()
        .filter(|(_, d)| d.get("error").is_some())
        .map(|(i, _)| i)
        .collect();
    assert_eq!((decisions.len(), errors.len()), (1_300, 556));
    assert!(errors
        .iter()
        .all(|i| i % 7 == 3 || i % 7 == 5 || i % 7 == 6));
}

// ---- 3. Output that cannot be written --------------------------------------------------------

/// A policy file that is not laid out (trailing spaces), in a directory of its own.
fn unlaid_policy(dir: &Path) -> String {
    let text = read("policies/xcotton/shipping-protection/2025-01-01.proviso");
    write(dir, "policy.proviso", text.replacen('\n', "   \n", 1))
}

/// Every command, writing something to standard output.
fn commands(fmt_target: &str) -> Vec<Vec<String>> {
    let v = |a: &[&str]| a.iter().map(|s| s.to_string()).collect();
    vec![
        v(&["eval", "policies", EXAMPLE]),
        v(&["eval", "policies", EXAMPLE, "--format", "json"]),
        v(&["check", "policies"]),
        v(&["versions", "policies"]),
        v(&[
            "diff",
            "xcotton/shipping-protection",
            "2024-01-01",
            "2025-01-01",
        ]),
        v(&[
            "replay",
            "xcotton/shipping-protection",
            "2024-01-01",
            "2025-01-01",
            "examples/corpus",
        ]),
        v(&["fmt", fmt_target]),
        v(&["--help"]),
    ]
}

#[test]
fn a_full_standard_output_exits_1() {
    let dir = scratch("full");
    for args in commands(&unlaid_policy(&dir)) {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .expect("/dev/full");
        let child = proviso()
            .args(&args)
            .stdout(full)
            .stderr(Stdio::piped())
            .spawn()
            .expect("run proviso");
        let (status, _, stderr) = finish(child);
        assert_eq!(status, 1, "{args:?}: {stderr}");
        if args[0] != "--help" {
            assert_eq!(
                stderr,
                "error: cannot write to standard output: No space left on device (os error 28)\n",
                "{args:?}"
            );
        }
    }
    // `fmt` laid the file out before it could not say so.
    let laid = std::fs::read_to_string(dir.join("policy.proviso")).unwrap();
    assert!(!laid.contains("   \n"));
}

#[test]
fn a_closed_standard_output_exits_1() {
    let dir = scratch("closed-stdout");
    for args in commands(&unlaid_policy(&dir)) {
        let child = Command::new("sh")
            .arg("-c")
            .arg("exec \"$0\" \"$@\" >&-")
            .arg(env!("CARGO_BIN_EXE_proviso"))
            .args(&args)
            .current_dir(ROOT)
            .stderr(Stdio::piped())
            .spawn()
            .expect("run proviso");
        let (status, _, stderr) = finish(child);
        assert_eq!(status, 1, "{args:?}: {stderr}");
        if args[0] != "--help" {
            assert_eq!(
                stderr, "error: cannot write to standard output: standard output is closed\n",
                "{args:?}"
            );
        }
    }
}

/// Runs `proviso args...` with standard error closed, or on a pipe nobody reads.
fn with_stderr(args: &[&str], closed: bool) -> (i32, String) {
    let mut cmd = if closed {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg("exec \"$0\" \"$@\" 2>&-")
            .arg(env!("CARGO_BIN_EXE_proviso"))
            .current_dir(ROOT);
        c
    } else {
        proviso()
    };
    cmd.args(args).stdout(Stdio::piped()).stdin(Stdio::null());
    if !closed {
        // A pipe whose only reader has exited: every write to it fails.
        let mut cat = Command::new("cat")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("run cat");
        let pipe = cat.stdin.take().expect("pipe");
        cat.kill().expect("end cat");
        cat.wait().expect("wait for cat");
        cmd.stderr(Stdio::from(pipe));
    }
    let (status, stdout, _) = finish(cmd.spawn().expect("run proviso"));
    (status, stdout)
}

#[test]
fn an_unwritable_standard_error_exits_1() {
    let bad = "tests/diagnostics/document/money_with_comma.yaml";
    let dir = scratch("stderr");
    let policy = unlaid_policy(&dir);
    for closed in [true, false] {
        // A diagnostic that cannot be written: exit 1, the JSON error line still written.
        let (status, stdout) = with_stderr(&["eval", "policies", bad, "--format", "json"], closed);
        assert_eq!(status, 1, "closed: {closed}");
        assert_eq!(
            json_lines(&stdout)[0]["error"]["path"],
            "order.items[0].unit_price"
        );
        for args in [
            &["check", "no/such/policies"][..],
            &["eval", "policies", "no-such.yaml"],
            &["fmt", "--check", &policy],
            &["diff", "xcotton/shipping-protection", "1999", "2025-01-01"],
            &["eval", "policies", EXAMPLE, "--bogus"],
        ] {
            assert_eq!(with_stderr(args, closed).0, 1, "{args:?} closed: {closed}");
        }
        // Nothing to say on standard error: nothing fails.
        let (status, stdout) = with_stderr(&["eval", "policies", EXAMPLE], closed);
        assert_eq!(status, 0);
        assert!(stdout.starts_with(EXAMPLE), "{stdout}");
    }
}

// ---- 4. Directory symlink loops ---------------------------------------------------------

#[cfg(unix)]
#[test]
fn a_directory_symlink_loop_is_walked_once() {
    use std::os::unix::fs::symlink;
    let dir = scratch("loop");
    let docs = dir.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    write(&docs, "claim.yaml", read(EXAMPLE));
    symlink(".", docs.join("again")).unwrap();
    symlink(&docs, docs.join("absolute")).unwrap();
    let docs = docs.to_string_lossy().into_owned();
    let (status, stdout, stderr) = run(&["eval", "policies", &docs, "--format", "json"]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 1, "{stdout}");
    assert_eq!(lines[0]["input"]["path"], format!("{docs}/claim.yaml"));

    let old = "policies/xcotton/shipping-protection/2024-01-01.proviso";
    let new = "policies/xcotton/shipping-protection/2025-01-01.proviso";
    let (status, stdout, _) = run(&["replay", old, new, &docs, "--format", "json"]);
    assert_eq!(status, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["documents_evaluated"], 1);
    assert_eq!(report["total_payout"]["after"]["amount"], "44.00");

    // A policy tree with a loop loads each policy file once.
    let tree = dir.join("policies");
    std::fs::create_dir_all(&tree).unwrap();
    std::fs::copy(Path::new(ROOT).join(new), tree.join("2025-01-01.proviso")).unwrap();
    symlink("..", tree.join("up")).unwrap();
    let tree = tree.to_string_lossy().into_owned();
    let (status, stdout, stderr) = run(&["check", &tree]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    let (status, stdout, _) = run(&["eval", &tree, &docs, "--format", "json"]);
    assert_eq!((status, json_lines(&stdout).len()), (0, 1));
}

// ---- 5. Size limits -----------------------------------------------------------------------

const LIMIT_HELP: &str =
    "help: to read a larger document, raise the limit with `--max-document-bytes SIZE`";

#[test]
fn an_endless_document_is_refused_at_the_limit() {
    let (status, stdout, stderr) = run(&["eval", "policies", "/dev/zero", "--format", "json"]);
    assert_eq!(status, 4);
    let message = "`/dev/zero` is larger than 16 MiB, the most one document may hold";
    assert_eq!(
        stderr,
        format!("/dev/zero\n\n  × {message}\n  {LIMIT_HELP}\n")
    );
    assert_eq!(
        json_lines(&stdout),
        vec![serde_json::json!({
            "document": null,
            "error": {"message": message, "path": null},
            "input": {"path": "/dev/zero"},
        })]
    );
    let (status, _, stderr) = run(&["eval", "policies", "/dev/zero", "--input-format", "jsonl"]);
    assert_eq!(status, 4);
    // miette wraps long messages, continuing them on a line that starts with `│`.
    let unwrapped = stderr.replace("\n  │ ", " ");
    let message = "line 1 is longer than 16 MiB, the most one document may hold; \
                   the rest of `/dev/zero` is not read";
    assert_eq!(
        unwrapped,
        format!("/dev/zero:1\n\n  × {message}\n  {LIMIT_HELP}\n")
    );

    let zero = std::fs::File::open("/dev/zero").unwrap();
    let child = proviso()
        .args(["eval", "policies", "-"])
        .stdin(zero)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (status, _, stderr) = finish(child);
    assert_eq!(status, 4);
    assert!(
        stderr.contains("standard input is larger than 16 MiB, the most one document may hold"),
        "{stderr}"
    );
}

#[test]
fn max_document_bytes_bounds_files_and_lines() {
    let dir = scratch("limits");
    let good = claim_json();
    let long = format!("{}{}", good, " ".repeat(1100));
    assert!(good.len() < 1024);
    let limit = good.len() + 50;
    let path = write(&dir, "batch.jsonl", format!("{good}\n{long}\n{good}\n"));
    let max = limit.to_string();
    let (status, stdout, _) = run(&[
        "eval",
        "policies",
        &path,
        "--format",
        "json",
        "--max-document-bytes",
        &max,
    ]);
    assert_eq!(status, 4);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 2, "{stdout}");
    assert_eq!(lines[0]["decision"], "approved");
    let message = format!(
        "line 2 is longer than {limit} bytes, the most one document may hold; the rest of `{path}` is not read"
    );
    assert_eq!(
        lines[1],
        serde_json::json!({
            "document": null,
            "error": {"message": message, "path": null},
            "input": {"path": path, "line": 2},
        })
    );
    let (status, stdout, _) = run(&[
        "eval",
        "policies",
        &path,
        "--format",
        "json",
        "--max-document-bytes",
        "1KiB",
    ]);
    assert_eq!((status, json_lines(&stdout).len()), (4, 2));
    let (status, stdout, _) = run(&[
        "eval",
        "policies",
        &path,
        "--format",
        "json",
        "--max-document-bytes",
        "1M",
    ]);
    assert_eq!((status, json_lines(&stdout).len()), (0, 3));

    let (status, _, stderr) = run(&["eval", "policies", EXAMPLE, "--max-document-bytes", "100"]);
    assert_eq!(status, 4);
    assert_eq!(
        stderr.replace("\n  │ ", " "),
        format!("{EXAMPLE}\n\n  × `{EXAMPLE}` is larger than 100 bytes, the most one document may hold\n  {LIMIT_HELP}\n")
    );
    for bad in ["0", "16XB", "-1", "", "99999999999999999999"] {
        let flag = format!("--max-document-bytes={bad}");
        let (status, _, stderr) = run(&["eval", "policies", EXAMPLE, &flag]);
        assert_eq!(status, 2, "{bad}");
        assert!(
            stderr.contains(&format!(
                "expected a size like 16MiB or 1048576, found `{bad}`"
            )),
            "{stderr}"
        );
    }
}

// ---- 6. Every named input gets its result, in order -------------------------------------

#[test]
fn an_unreadable_input_gets_an_error_line_in_order() {
    let dir = scratch("unreadable");
    let latin1 = write(&dir, "latin1.yaml", b"policy: caf\xe9\n");
    let missing = dir.join("missing.yaml").to_string_lossy().into_owned();
    let (status, stdout, stderr) = run(&[
        "eval", "policies", EXAMPLE, &missing, &latin1, EXAMPLE, "--format", "json",
    ]);
    assert_eq!(status, 4);
    let lines = json_lines(&stdout);
    assert_eq!(lines.len(), 4, "{stdout}");
    assert_eq!(lines[0]["input"], serde_json::json!({"path": EXAMPLE}));
    let error = |path: &str, message: String| {
        serde_json::json!({
            "document": null,
            "error": {"message": message, "path": null},
            "input": {"path": path},
        })
    };
    let not_found = format!("cannot read `{missing}`: No such file or directory (os error 2)");
    assert_eq!(lines[1], error(&missing, not_found));
    let not_utf8 = "not valid UTF-8: byte 0xE9 at line 1, column 12".to_string();
    assert_eq!(lines[2], error(&latin1, not_utf8));
    assert_eq!(lines[3]["input"], serde_json::json!({"path": EXAMPLE}));
    assert!(
        stderr.contains(&format!("{latin1}\n\n  × not valid UTF-8")),
        "{stderr}"
    );
}

// ---- 7. Control characters are escaped in text output -----------------------------------

#[test]
fn control_characters_in_text_output_are_escaped() {
    let dir = scratch("escapes");
    let forged = r#"id: "CLM\e[2J\nFAKE: approved, pays 99999.00 USD\u202E""#;
    let doc = read(EXAMPLE).replace("id: CLM-0001", forged);
    assert!(doc.contains("FAKE"));
    let path = write(&dir, "forged\u{1b}[31m.yaml", doc);
    let (status, stdout, stderr) = run(&["eval", "policies", &path]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    let mut lines = stdout.lines();
    assert_eq!(
        lines.next(),
        Some(path.replace('\u{1b}', "\\u{1b}").as_str())
    );
    assert_eq!(
        lines.next(),
        Some(r"CLM\u{1b}[2J\nFAKE: approved, pays 99999.00 USD\u{202e}: approved, pays 44.00 USD")
    );
    assert!(!stdout.contains('\u{1b}') && !stdout.contains('\u{202e}'));

    // A note showing a document's string.
    let policy = write(
        &dir,
        "notes.proviso",
        "policy \"t/notes\"\nversion \"1\"\neffective 2025-01-01\ncurrency USD\ndoc \"notes\"\n\
         facts { claim: record { id: string  said: string } }\n\
         coverage c doc \"c\" pays 1\n\
         note said doc \"what the claimant said\" when true shows claim.said\n\
         fallback f doc \"f\"\n",
    );
    let claim = "policy: t/notes\nclaim: {id: C1, said: \"ok\\r\\nFAKE: approved\\u0085\"}\n";
    let claim = write(&dir, "note.yaml", claim);
    let (status, stdout, stderr) = run(&["eval", &policy, &claim, "--at", "2025-02-01"]);
    assert_eq!((status, stderr.as_str()), (0, ""));
    assert!(
        stdout.contains("\n  said       ok\\r\\nFAKE: approved\\u{85}\n"),
        "{stdout}"
    );

    // A diagnostic quoting the document.
    let bad = read(EXAMPLE).replace("unit_price: \"24.00\"", "unit_price: \"24\\e[31m.00\"");
    let bad = write(&dir, "bad.yaml", bad);
    let (status, _, stderr) = run(&["eval", "policies", &bad]);
    assert_eq!(status, 4);
    assert!(
        stderr.contains(r#"expected money, found "24\u{1b}[31m.00""#),
        "{stderr}"
    );
    assert!(!stderr.contains('\u{1b}'), "{stderr}");
    // A snippet line holding a control character is escaped too.
    let raw = read(EXAMPLE).replace(
        "unit_price: \"24.00\"",
        "unit_price: \"24,00\" # \u{202e}reversed",
    );
    let raw = write(&dir, "raw.yaml", raw);
    let (status, _, stderr) = run(&["eval", "policies", &raw]);
    assert_eq!(status, 4);
    assert!(stderr.contains(r"# \u{202e}reversed"), "{stderr}");
    assert!(!stderr.contains('\u{202e}'), "{stderr}");
}

// ---- 8. Every result names its input ------------------------------------------------------

#[test]
fn text_output_heads_each_decision_with_its_input() {
    let (status, stdout, _) = run(&["eval", "policies", "tests/cli/batch.jsonl"]);
    assert_eq!(status, 4);
    let heads: Vec<&str> = stdout.lines().filter(|l| l.starts_with("tests/")).collect();
    assert_eq!(
        heads,
        ["tests/cli/batch.jsonl:1", "tests/cli/batch.jsonl:3"]
    );
    assert!(
        stdout.starts_with("tests/cli/batch.jsonl:1\nCLM-0101: approved"),
        "{stdout}"
    );

    let (status, stdout, _) = run_with(&["eval", "policies", "-"], read(EXAMPLE).as_bytes());
    assert_eq!(status, 0);
    assert!(
        stdout.starts_with("-:1\nCLM-0001: approved, pays 44.00 USD\n"),
        "{stdout}"
    );
}
