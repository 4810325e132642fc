//! Runs the `proviso` binary from the repository root, as a user would.

#![allow(dead_code)]

pub mod http;

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one run printed, and its exit status.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// How many cases a property test runs: `default`, or `PROPTEST_CASES` when it is set, for
/// a deeper run (`PROPTEST_CASES=20000 cargo test --release --test bounds`).
pub fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(default)
}

/// The repository root: paths in outputs are relative to it.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn proviso(args: &[&str]) -> Run {
    proviso_stdin(args, "")
}

pub fn proviso_stdin(args: &[&str], stdin: &str) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(root())
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run proviso: {e}"));
    if let Some(mut input) = child.stdin.take() {
        input
            .write_all(stdin.as_bytes())
            .unwrap_or_else(|e| panic!("cannot write to proviso: {e}"));
    }
    let out = child
        .wait_with_output()
        .unwrap_or_else(|e| panic!("proviso did not finish: {e}"));
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The text of a file under the repository root.
pub fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
}

/// The document dates that pick a policy version, in order of precedence (after `--at`).
pub const VERSION_DATES: [&str; 4] = [
    "protection.purchased_at",
    "order.placed_at",
    "claim.filed_at",
    "cancellation.requested_at",
];

/// Checks a decision's `policy.in_force_on` and `policy.date_from` against the document it
/// decided: `date_from` is `--at` and `in_force_on` is `at`; or `date_from` is the first of
/// [`VERSION_DATES`] the document has, and `in_force_on` is that field's date (an instant's
/// UTC date).
pub fn check_picked_date(
    document: &serde_json::Value,
    policy: &serde_json::Value,
    at: Option<&str>,
) -> Result<(), String> {
    let on = policy["in_force_on"]
        .as_str()
        .ok_or("no policy.in_force_on")?;
    let from = policy["date_from"].as_str().ok_or("no policy.date_from")?;
    if let Some(at) = at {
        return match (from, on == at) {
            ("--at", true) => Ok(()),
            _ => Err(format!(
                "with --at {at}: date_from {from}, in_force_on {on}"
            )),
        };
    }
    let value = |path: &str| {
        let (record, field) = path.split_once('.')?;
        let v = &document[record][field];
        (!v.is_null()).then_some(v)
    };
    let Some(first) = VERSION_DATES.into_iter().find(|p| value(p).is_some()) else {
        return Err(format!(
            "date_from {from}, but the document has none of the dates"
        ));
    };
    if from != first {
        return Err(format!(
            "date_from {from}, but the first date the document has is {first}"
        ));
    }
    let text = value(first).and_then(|v| v.as_str()).unwrap_or_default();
    let date = match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t.with_timezone(&chrono::Utc).date_naive().to_string(),
        Err(_) => text.to_string(),
    };
    match date == on {
        true => Ok(()),
        false => Err(format!("in_force_on {on}, but {first} is {text}")),
    }
}

/// What `proviso eval` reads from a directory; `.jsonl` and `.ndjson` hold one document a line.
pub const DOCUMENT: [&str; 5] = [".yaml", ".yml", ".json", ".jsonl", ".ndjson"];

/// Every document file under `dir`, in sorted order as `proviso eval` walks a directory,
/// without the `*.expected.*` files beside them.
pub fn document_files(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    collect_documents(dir, &mut out);
    out
}

fn collect_documents(dir: &std::path::Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        let document = DOCUMENT.iter().any(|x| name.ends_with(x));
        if path.is_dir() {
            collect_documents(&path, out);
        } else if document && !name.contains(".expected.") {
            out.push(path);
        }
    }
}
