//! Golden diagnostics: every case under `tests/diagnostics/` runs the real binary and must
//! print exactly its expected files. `PROVISO_BLESS=1 cargo test --test diagnostics` rewrites
//! them; see `tests/diagnostics/README.md`.
#![allow(clippy::panic, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// Runs `proviso args...` from the crate root; returns (status, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .current_dir(ROOT)
        .env("NO_COLOR", "1")
        .output()
        .unwrap_or_else(|e| panic!("cannot run proviso: {e}"));
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (
        out.status.code().unwrap_or(-1),
        text(out.stdout),
        text(out.stderr),
    )
}

/// Sorted paths (relative to the crate root) of a directory's entries.
fn entries(dir: &str) -> Vec<String> {
    let mut out: Vec<String> = fs::read_dir(Path::new(ROOT).join(dir))
        .unwrap_or_else(|e| panic!("cannot list {dir}: {e}"))
        .map(|e| format!("{dir}/{}", e.expect("entry").file_name().to_string_lossy()))
        .collect();
    out.sort();
    out
}

/// Checks one output against `<case><ext>`, or rewrites that file when blessing.
fn compare(case: &str, ext: &str, actual: &str, failures: &mut Vec<String>) {
    let path: PathBuf = Path::new(ROOT).join(format!("{case}{ext}"));
    if std::env::var_os("PROVISO_BLESS").is_some() {
        fs::write(&path, actual).unwrap_or_else(|e| panic!("cannot write {case}{ext}: {e}"));
        return;
    }
    let expected = fs::read_to_string(&path).unwrap_or_default();
    if expected != actual {
        failures.push(format!(
            "{case}{ext} differs\n--- expected\n{expected}--- actual\n{actual}---"
        ));
    }
}

fn check_status(case: &str, default: i32, actual: i32, failures: &mut Vec<String>) {
    let expected = fs::read_to_string(Path::new(ROOT).join(format!("{case}.status")))
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(default);
    if actual != expected {
        failures.push(format!("{case}: exit status {actual}, expected {expected}"));
    }
}

fn finish(failures: Vec<String>) {
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A policy case is a `.proviso` file or a directory of them; `proviso check` must fail with exit 3.
#[test]
fn policy_diagnostics() {
    let mut failures = Vec::new();
    for path in entries("tests/diagnostics/policy") {
        let case = match path.strip_suffix(".proviso") {
            Some(case) => case.to_string(),
            None if Path::new(ROOT).join(&path).is_dir() => path.clone(),
            None => continue,
        };
        let (status, stdout, stderr) = run(&["check", &path]);
        check_status(&case, 3, status, &mut failures);
        if !stdout.is_empty() {
            failures.push(format!("{case}: unexpected output\n{stdout}"));
        }
        compare(&case, ".stderr", &stderr, &mut failures);
    }
    finish(failures);
}

/// A document case is a `.yaml`/`.json` file evaluated against `policies` (or the `policies`
/// directory next to it): the text run prints the diagnostic, the JSON run the error object.
#[test]
fn document_diagnostics() {
    let mut failures = Vec::new();
    let mut dirs = vec!["tests/diagnostics/document".to_string()];
    while let Some(dir) = dirs.pop() {
        let local = format!("{dir}/policies");
        let policies = if Path::new(ROOT).join(&local).is_dir() {
            local.as_str()
        } else {
            "policies"
        };
        for path in entries(&dir) {
            if Path::new(ROOT).join(&path).is_dir() {
                if path != local {
                    dirs.push(path);
                }
                continue;
            }
            let Some((case, _)) = path
                .rsplit_once('.')
                .filter(|(_, x)| ["yaml", "json"].contains(x))
            else {
                continue;
            };
            let (status, stdout, stderr) = run(&["eval", policies, &path]);
            check_status(case, 4, status, &mut failures);
            if !stdout.is_empty() {
                failures.push(format!("{case}: unexpected text output\n{stdout}"));
            }
            compare(case, ".stderr", &stderr, &mut failures);
            let (status, stdout, json_stderr) = run(&["eval", policies, &path, "--format", "json"]);
            check_status(case, 4, status, &mut failures);
            if json_stderr != stderr {
                failures.push(format!(
                    "{case}: --format json printed another diagnostic\n{json_stderr}"
                ));
            }
            compare(case, ".stdout", &stdout, &mut failures);
        }
    }
    finish(failures);
}
