//! `docs/contract.md` shows what the engine does, byte for byte: every `console` block's
//! commands print exactly what the block shows, and every `json` block is the last line
//! printed by the `console` block above it, laid out as `serde_json` lays out JSON.
//! A command exits 0, or 4 when it prints an error line. `PROVISO_BLESS=1 cargo test
//! --test contract` rewrites both kinds of block from the engine (a policy edit changes the
//! `sha256` shown). The contract also cannot fall behind the engine or the policies: every
//! key of a decision has a row in its tables, and every rule whose clause text says
//! "Assumed" is named in its policy's section.
#![allow(clippy::unwrap_used, clippy::panic)]

mod support;

use serde_json::Value;

const DOC: &str = "docs/contract.md";

/// What `$ COMMAND` prints, run from the repository root: `cat FILE` prints the file;
/// `proviso ARGS` runs the binary and prints its standard output, then standard error.
fn run(command: &str) -> String {
    let words: Vec<&str> = command.split_whitespace().collect();
    match words.split_first() {
        Some((&"cat", [file])) => support::read(file),
        Some((&"proviso", args)) => {
            let run = support::proviso(args);
            let error = run.stdout.lines().any(|l| l.contains(r#""error":{"#));
            let code = if error { 4 } else { 0 };
            assert_eq!(
                run.code, code,
                "`{command}` exits {}: {}",
                run.code, run.stderr
            );
            run.stdout + &run.stderr
        }
        _ => panic!("{DOC}: cannot run `{command}`: only `cat FILE` and `proviso ...`"),
    }
}

/// `json` (compact, as `--format json` prints it) laid out as `serde_json::to_string_pretty`
/// lays it out: two spaces a level, `"key": value`, `[]` and `{}` when empty.
fn lay_out(json: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = json.trim_end().chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' if matches!(chars.peek(), Some('}' | ']')) => {
                out.push(c);
                out.extend(chars.next());
            }
            '{' | '[' => {
                out.push(c);
                depth += 1;
                newline(&mut out, depth);
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out.push('\n');
    out
}

#[test]
fn laying_out_matches_serde_json() {
    let compact = r#"{"a":[],"b":{"c":"x\"}:,[","d":[1,{"e":null}]},"f":{}}"#;
    let value: Value = serde_json::from_str(compact).unwrap();
    assert_eq!(
        lay_out(compact),
        serde_json::to_string_pretty(&value).unwrap() + "\n"
    );
}

/// Every fenced block of the document: its info string, and where its body starts and ends.
fn blocks(text: &str) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(open) = text[at..].find("```").map(|i| at + i) {
        let info_end = open + text[open..].find('\n').unwrap();
        let body = info_end + 1;
        let close = body + text[body..].find("```").unwrap();
        out.push((text[open + 3..info_end].to_string(), body, close));
        at = close + 3;
    }
    out
}

#[test]
fn the_contract_shows_what_the_engine_prints() {
    let bless = std::env::var_os("PROVISO_BLESS").is_some();
    let text = support::read(DOC);
    let mut rewritten = String::new();
    let mut copied = 0;
    let mut last_line: Option<String> = None;
    let (mut consoles, mut laid_out) = (0, 0);
    for (info, body, close) in blocks(&text) {
        let shown = &text[body..close];
        let actual = match info.as_str() {
            "console" => {
                let mut actual = String::new();
                for command in shown.lines().filter_map(|l| l.strip_prefix("$ ")) {
                    let printed = run(command);
                    last_line = printed.lines().last().map(str::to_string);
                    actual.push_str(&format!("$ {command}\n{printed}"));
                }
                assert!(
                    !actual.is_empty(),
                    "{DOC}: a console block without a command"
                );
                consoles += 1;
                actual
            }
            "json" => {
                let line = last_line
                    .take()
                    .unwrap_or_else(|| panic!("{DOC}: a json block with no console block above"));
                let decision: Value = serde_json::from_str(&line).unwrap();
                let actual = lay_out(&line);
                assert_eq!(serde_json::from_str::<Value>(&actual).unwrap(), decision);
                laid_out += 1;
                actual
            }
            _ => shown.to_string(),
        };
        if !bless {
            assert_eq!(shown, actual, "{DOC}: a {info} block differs");
        }
        rewritten.push_str(&text[copied..body]);
        rewritten.push_str(&actual);
        copied = close;
    }
    rewritten.push_str(&text[copied..]);
    assert!(consoles >= 3, "{consoles} console blocks");
    assert!(laid_out >= 1, "{laid_out} json blocks");
    if bless {
        std::fs::write(support::root().join(DOC), rewritten).unwrap();
    }
}

/// Every key of every decision the examples get, and of an error line, has a row of its
/// own in the contract's tables (its first cell names it: `` | `key` | `` or
/// `` | `a`, `key` | ``), so a key added to decisions must be documented. The names under `deadlines` and `notes` are the policies' rule names.
#[test]
fn the_contract_documents_every_key_of_a_decision() {
    fn keys(v: &Value, out: &mut std::collections::BTreeSet<String>) {
        match v {
            Value::Object(map) => {
                for (k, v) in map {
                    out.insert(k.clone());
                    if k != "deadlines" && k != "notes" {
                        keys(v, out);
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
            _ => {}
        }
    }
    let mut found = std::collections::BTreeSet::new();
    let all = support::proviso(&["eval", "policies", "examples", "--format", "json"]);
    assert_eq!(all.code, 0, "{}", all.stderr);
    let error = support::proviso_stdin(&["eval", "policies", "-", "--format", "json"], "{}\n");
    assert_eq!(error.code, 4, "{}", error.stderr);
    for line in all.stdout.lines().chain(error.stdout.lines()) {
        keys(&serde_json::from_str(line).unwrap(), &mut found);
    }
    for key in [
        "error",
        "failure",
        "not_met",
        "recommended_evidence",
        "priority",
        "appeal",
    ] {
        assert!(found.contains(key), "no example shows `{key}`");
    }
    let text = support::read(DOC);
    let rows: std::collections::BTreeSet<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("| ")?.split(" |").next())
        .flat_map(|cell| cell.split(", "))
        .filter_map(|key| key.strip_prefix('`')?.strip_suffix('`'))
        .collect();
    let missing: Vec<_> = found
        .iter()
        .filter(|k| !rows.contains(k.as_str()))
        .collect();
    assert!(missing.is_empty(), "{DOC}: no table row for {missing:?}");
}

/// Every rule (or table) whose clause text pins an interpretation ("Assumed") is named in
/// its policy's section of the contract, `` ### `NAME` `` up to the next heading of that
/// level or above; so is every bundled policy.
#[test]
fn the_contract_names_every_pinned_interpretation() {
    const KINDS: [&str; 15] = [
        "exclusion",
        "referral",
        "evidence",
        "supporting",
        "coverage",
        "compensation",
        "refusal",
        "refund",
        "deduction",
        "deadline",
        "priority",
        "note",
        "appeal",
        "fallback",
        "table",
    ];
    let text = support::read(DOC);
    let mut files: Vec<_> = glob_policies(&support::root().join("policies"));
    files.sort();
    assert!(files.len() >= 4, "{files:?}");
    let mut pinned = 0;
    for file in files {
        let source = std::fs::read_to_string(&file).unwrap();
        let name = source
            .lines()
            .find_map(|l| l.strip_prefix("policy \"")?.strip_suffix('"'))
            .unwrap();
        let heading = format!("### `{name}`\n");
        let start = text
            .find(&heading)
            .unwrap_or_else(|| panic!("{DOC}: no section {heading}"));
        let section = &text[start + heading.len()..];
        let section = &section[..section.find("\n#").unwrap_or(section.len())];
        for item in source.split("\n\n") {
            let Some(first) = item.lines().find(|l| !l.starts_with('#')) else {
                continue;
            };
            let mut words = first.split([' ', '(']);
            let (Some(kind), Some(rule)) = (words.next(), words.next()) else {
                continue;
            };
            if KINDS.contains(&kind) && item.contains("Assumed") {
                pinned += 1;
                assert!(
                    section.contains(&format!("`{rule}`")),
                    "{DOC}: the section on `{name}` does not name {kind} `{rule}` ({})",
                    file.strip_prefix(support::root())
                        .unwrap_or(&file)
                        .display()
                );
            }
        }
    }
    assert!(pinned >= 60, "{pinned} pinned interpretations found");
}

/// The `.proviso` files under `dir`, at any depth.
fn glob_policies(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(glob_policies(&path));
        } else if path.extension().is_some_and(|x| x == "proviso") {
            out.push(path);
        }
    }
    out
}
