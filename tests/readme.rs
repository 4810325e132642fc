//! The README's first policy fragment is a policy `proviso check` accepts, laid out as
//! `proviso fmt` lays it out, and it decides; the author's loop prints what it shows, and
//! so does the shortened `--explain` sample.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use proviso::internals::span::Source;
use proviso::{Document, PolicySet};

#[test]
fn the_readme_policy_fragment_checks_and_decides() {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let start = readme.find("```proviso\n").unwrap() + "```proviso\n".len();
    let end = start + readme[start..].find("```").unwrap();
    let fragment = &readme[start..end];
    assert_eq!(
        proviso::internals::format::layout(&Source::new("README.md", fragment)).unwrap(),
        fragment,
        "the fragment is not laid out"
    );
    let set = PolicySet::from_sources(vec![Source::new("README.md", fragment)])
        .unwrap_or_else(|e| panic!("{}", e.errors[0].message));
    let claim = "policy: xcotton/shipping-protection\norder: {placed_at: 2025-03-01, currency: USD, \
                 items: [{sku: A, quantity: 2, unit_price: \"24.00\", discount: \"4.00\"}]}\n\
                 shipment: {status: in_transit, shipped_at: 2025-03-02}\n\
                 claim: {type: lost, filed_at: 2025-04-10T09:00:00Z, courier_compensation: \"4.00\"}\n";
    let d = set.evaluate(&Document::yaml("claim.yaml", claim)).unwrap();
    assert_eq!(d.decision.as_str(), "approved");
    assert_eq!(
        proviso::internals::decision::format_money(d.payout.unwrap().amount),
        "40.00"
    );
}

/// The tutorial policy the author's loop edits.
const TUTORIAL_POLICY: &str = "docs/tutorial/acme/shipping-protection/2026-01-01.proviso";

/// A copy of `docs/tutorial/` under `root`, with `edit` (a diff block: `-` lines replaced
/// by `+` lines, ` ` lines kept) applied to the tutorial policy.
fn tutorial_copy(root: &Path, edit: Option<&str>) {
    let _ = std::fs::remove_dir_all(root);
    copy_dir(&repo().join("docs/tutorial"), &root.join("docs/tutorial"));
    let Some(edit) = edit else { return };
    let (mut old, mut new) = (String::new(), String::new());
    for line in edit.lines() {
        let (mark, text) = line.split_at(line.len().min(1));
        match mark {
            "-" => old.push_str(text),
            "+" => new.push_str(text),
            _ => {
                old.push_str(text);
                new.push_str(text);
            }
        }
        if mark != "+" {
            old.push('\n');
        }
        if mark != "-" {
            new.push('\n');
        }
    }
    let path = root.join(TUTORIAL_POLICY);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(
        text.matches(&old).count(),
        1,
        "the edit does not apply:\n{edit}"
    );
    std::fs::write(&path, text.replacen(&old, &new, 1)).unwrap();
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What `$ proviso ARGS` lines print (standard output, then standard error), run in `dir`.
fn run_console(dir: &Path, commands: &[&str]) -> String {
    let mut out = String::new();
    for command in commands {
        let mut words = command.split_whitespace().skip(1);
        assert_eq!(words.next(), Some("proviso"), "{command}");
        let args: Vec<&str> = words.collect();
        out.push_str(command);
        out.push('\n');
        let run = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .args(&args)
            .current_dir(dir)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        out.push_str(&String::from_utf8(run.stdout).unwrap());
        out.push_str(&String::from_utf8(run.stderr).unwrap());
    }
    out
}

/// Every `console` block of the README's "author's loop" prints what it shows, run on a
/// copy of `docs/tutorial/` with the `diff` block just above it (if any) applied.
/// `PROVISO_BLESS=1` rewrites the blocks' output from the commands.
#[test]
fn the_authors_loop_prints_what_the_readme_shows() {
    let path = repo().join("README.md");
    let readme = std::fs::read_to_string(&path).unwrap();
    let start = readme.find("\n## The author's loop\n").unwrap();
    let end = start + 1 + readme[start + 1..].find("\n## ").unwrap();
    let bless = std::env::var_os("PROVISO_BLESS").is_some();
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("readme-loop");
    let mut section = String::new();
    let mut edit: Option<String> = None;
    let mut blocks = 0;
    let mut rest = &readme[start..end];
    while let Some(open) = rest.find("```") {
        let after = &rest[open + 3..];
        let kind_end = after.find('\n').unwrap();
        let kind = &after[..kind_end];
        let body_start = open + 3 + kind_end + 1;
        let body_len = rest[body_start..].find("```").unwrap();
        let body = &rest[body_start..body_start + body_len];
        section.push_str(&rest[..body_start]);
        match kind {
            "diff" => {
                edit = Some(body.to_string());
                section.push_str(body);
            }
            "console" => {
                let commands: Vec<&str> = body.lines().filter(|l| l.starts_with("$ ")).collect();
                assert!(!commands.is_empty(), "a console block without a command");
                tutorial_copy(&dir, edit.as_deref());
                let actual = run_console(&dir, &commands);
                if bless {
                    section.push_str(&actual);
                } else {
                    assert_eq!(body, actual, "README console block {blocks} differs");
                    section.push_str(body);
                }
                edit = None;
                blocks += 1;
            }
            _ => section.push_str(body),
        }
        section.push_str("```");
        rest = &rest[body_start + body_len + 3..];
    }
    section.push_str(rest);
    assert!(blocks >= 5, "{blocks} console blocks");
    if bless {
        let text = format!("{}{section}{}", &readme[..start], &readme[end..]);
        std::fs::write(&path, text).unwrap();
    }
}

/// The tutorial is what it says: it checks without warnings, is laid out, and every rule
/// decides in one of its cases.
#[test]
fn the_tutorial_checks_and_its_cases_cover_every_rule() {
    let dir = repo();
    for args in [
        &["check", "--deny-warnings", "docs/tutorial"][..],
        &["fmt", "--check", "docs/tutorial"],
        &["test", "--min-coverage", "100", "docs/tutorial"],
    ] {
        let run = Command::new(env!("CARGO_BIN_EXE_proviso"))
            .args(args)
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(
            run.status.code(),
            Some(0),
            "{args:?}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

/// The README's `--explain` sample is what the command prints, shortened: its lines, with
/// each `...` standing for lines left out, come in that order in the real output.
#[test]
fn the_explain_sample_is_what_eval_prints() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let intro =
        "(`eval policies examples/shipping/lost-domestic.yaml --explain`, shortened):\n\n```\n";
    let start = readme.find(intro).unwrap() + intro.len();
    let sample = &readme[start..start + readme[start..].find("```").unwrap()];
    let run = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args([
            "eval",
            "policies",
            "examples/shipping/lost-domestic.yaml",
            "--explain",
        ])
        .current_dir(repo())
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    let printed = String::from_utf8(run.stdout).unwrap();
    let mut lines = printed.lines();
    // The sample starts where the explanation does, after the decision's own lines.
    let mut gap = true;
    for want in sample.lines() {
        if want.trim() == "..." {
            gap = true;
            continue;
        }
        let found = if gap {
            lines.any(|l| l == want)
        } else {
            lines.next() == Some(want)
        };
        assert!(
            found,
            "README `--explain` sample line not printed in order:\n{want}\n\nprinted:\n{printed}"
        );
        gap = false;
    }
}

/// The README's sample of a failing case is what `proviso test` prints when the
/// `lost-domestic` case of the bundled shipping tests expects a denial, on a copy of the
/// policies and examples.
#[test]
fn the_failing_case_sample_is_what_test_prints() {
    let readme = std::fs::read_to_string(repo().join("README.md")).unwrap();
    let intro = "summary; passing cases are not listed:\n\n```\n";
    let start = readme.find(intro).unwrap() + intro.len();
    let sample = &readme[start..start + readme[start..].find("```").unwrap()];
    let root = Path::new(env!("CARGO_TARGET_TMPDIR")).join("readme-failing-case");
    let _ = std::fs::remove_dir_all(&root);
    copy_dir(&repo().join("policies"), &root.join("policies"));
    copy_dir(&repo().join("examples"), &root.join("examples"));
    let tests = root.join("policies/xcotton/shipping-protection/tests/shipping.yaml");
    let text = std::fs::read_to_string(&tests).unwrap();
    let case = "  - name: lost-domestic\n    document: ../../../../examples/shipping/lost-domestic.yaml\n    expect:\n      decision: approved\n      payout: \"44.00 USD\"\n";
    assert_eq!(
        text.matches(case).count(),
        1,
        "the case is not in {tests:?}"
    );
    let edited = case
        .replace("decision: approved", "decision: denied")
        .replace("\"44.00 USD\"", "\"0.00\"");
    std::fs::write(&tests, text.replacen(case, &edited, 1)).unwrap();
    let run = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(["test", "policies"])
        .current_dir(&root)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8(run.stdout).unwrap(), sample);
    assert_eq!(run.status.code(), Some(5));
}
