//! Loading policy files: large enumerations and records load in linear time, a file is
//! read only up to its size limit and must be UTF-8 (a byte order mark is skipped), and
//! long names are shortened in messages. Each case asserts its exact outcome; with the
//! old quadratic checks the large cases took minutes in a debug build.

#![allow(clippy::panic, clippy::unwrap_used, clippy::expect_used)]

mod minimal;

use minimal::{compile_text, errors_of, located, policy, Engine};
use proviso::{LoadError, PolicySet};

/// The first line of the facts block (see `minimal`).
const FACTS_LINE: usize = 7;

/// `n` enum variants `v0, v1, ...` on one line.
fn variants(n: usize) -> String {
    (0..n)
        .map(|i| format!("v{i}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn an_enum_of_sixty_thousand_variants_loads_and_decodes() {
    let text = policy(
        &format!("  e: enum {{ {} }}", variants(60_000)),
        "note n doc \"e\" when true shows e",
    );
    assert!(text.len() > 400_000, "{}", text.len());
    let set = compile_text(&text).unwrap_or_else(|e| panic!("{}", located(&e[0])));
    let doc = format!("policy: {}\ne: v59999\n", minimal::NAME);
    let at = chrono::NaiveDate::from_ymd_opt(2025, 6, 1);
    let d = set
        .evaluate_at(&proviso::Document::yaml("d.yaml", &doc), at)
        .unwrap();
    assert_eq!(d.notes.get("n"), Some("v59999"));
}

#[test]
fn a_repeated_variant_in_a_large_enum_is_found() {
    let list = format!("{},v7", variants(60_000));
    let text = policy(&format!("  e: enum {{ {list} }}"), "");
    let col = "  e: enum { ".len() + list.len() - 1;
    assert_eq!(
        errors_of(&text),
        [format!("{FACTS_LINE}:{col} `v7` is listed twice")]
    );
}

#[test]
fn a_repeated_field_in_a_large_record_is_found() {
    let fields: Vec<String> = (0..40_000).map(|i| format!("    f{i}: bool")).collect();
    let facts = format!("  r: record {{\n{}\n    f5: bool\n  }}", fields.join("\n"));
    let errors = compile_text(&policy(&facts, "")).unwrap_err();
    assert_eq!(errors.len(), 1);
    let repeat = FACTS_LINE + 1 + 40_000;
    assert_eq!(
        located(&errors[0]),
        format!("{repeat}:5 field `f5` is declared twice")
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some(format!("the first is on line {}", FACTS_LINE + 6).as_str())
    );
}

#[test]
fn a_message_lists_at_most_twenty_variants() {
    let e = Engine::new(
        &format!("  e: enum {{ {} }}", variants(1_000)),
        "note n doc \"e\" when true shows e",
    );
    let err = e.fail("e: nothing\n");
    let first: Vec<String> = (0..20).map(|i| format!("v{i}")).collect();
    assert_eq!(
        err.message,
        format!(
            "expected one of {}, \u{2026} and 980 more, found \"nothing\"",
            first.join(", ")
        )
    );
}

// ---- reading the file ------------------------------------------------------------------

/// A fresh scratch file under the target directory.
fn scratch(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("loading");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    path
}

fn load_errors(path: &std::path::Path) -> Vec<String> {
    match PolicySet::load(path) {
        Err(LoadError::Policy(e)) => e
            .errors
            .iter()
            .map(|e| {
                format!(
                    "{} {} | {}",
                    e.location(),
                    e.message,
                    e.help.as_deref().unwrap_or("")
                )
            })
            .collect(),
        other => panic!("expected policy errors, got {other:?}"),
    }
}

#[test]
fn a_policy_file_that_is_not_utf8_names_the_first_bad_byte() {
    let text = policy("  a: bool", "").replace("A policy for tests.", "Caf\u{e9} terms");
    let latin1: Vec<u8> = text
        .chars()
        .map(|c| u8::try_from(u32::from(c)).unwrap())
        .collect();
    let path = scratch("latin1.proviso", &latin1);
    assert_eq!(
        load_errors(&path),
        [format!(
            "{}:5:9 policy file is not UTF-8: byte 0xE9 at line 5, column 9 is not part of a \
             UTF-8 character | a policy file must be UTF-8 text: save it with the UTF-8 encoding",
            path.display()
        )]
    );
}

#[test]
fn a_policy_file_over_the_limit_is_refused_without_reading_it_all() {
    let mut text = policy("  a: bool", "").into_bytes();
    text.resize(proviso::internals::parse::MAX_POLICY_BYTES + 1, b'\n');
    let path = scratch("big.proviso", &text);
    assert_eq!(
        load_errors(&path),
        [format!(
            "{}:1:1 policy file is too large | a policy file may hold at most 1048576 bytes",
            path.display()
        )]
    );
    // One byte fewer is within the limit.
    text.pop();
    std::fs::write(&path, &text).unwrap();
    assert!(PolicySet::load(&path).is_ok());
}

#[test]
fn a_byte_order_mark_opening_a_policy_is_skipped() {
    let text = format!("\u{feff}{}", policy("  a: bool", ""));
    assert!(compile_text(&text).is_ok());
    // Columns on the first line do not count it.
    let broken = format!(
        "\u{feff}{}",
        policy("  a: bool", "").replacen("policy ", "policy 1", 1)
    );
    assert_eq!(errors_of(&broken), ["1:8 unexpected `1`"]);
}

#[test]
fn a_byte_order_mark_elsewhere_is_named() {
    let text = policy("  a: bool", "exclusion x doc \"x\" when \u{feff}a");
    let errors = compile_text(&text).unwrap_err();
    assert_eq!(
        located(&errors[0]),
        format!("{}:26 unexpected byte order mark (U+FEFF)", FACTS_LINE + 2)
    );
    assert_eq!(
        errors[0].help.as_deref(),
        Some("delete it: it does not show in most editors, and is easily pasted in")
    );
    let nbsp = policy("  a: bool", "exclusion x doc \"x\" when\u{a0}a");
    assert_eq!(
        compile_text(&nbsp).unwrap_err()[0].message,
        "unexpected non-breaking space (U+00A0)"
    );
}

// ---- long names --------------------------------------------------------------------------

#[test]
fn a_long_name_is_shortened_in_messages() {
    let long = format!("claim_{}_end", "x".repeat(5_000));
    let errors = errors_of(&policy(
        "  a: bool",
        &format!("exclusion x doc \"x\" when {long}"),
    ));
    assert_eq!(
        errors,
        [format!(
            "{}:26 unknown name `claim_xxxxxxxxxxxxxxxxxxxx\u{2026}xxxxxxxxx_end`",
            FACTS_LINE + 2
        )]
    );
}

#[test]
fn a_long_token_is_shortened_in_a_syntax_error() {
    let long = "9".repeat(3_000);
    let errors = errors_of(&policy(
        "  a: bool",
        &format!("exclusion x doc \"x\" when a {long}"),
    ));
    assert_eq!(
        errors,
        [format!(
            "{}:28 unexpected `99999999999999999999999999\u{2026}9999999999999`",
            FACTS_LINE + 2
        )]
    );
}

#[test]
fn names_of_forty_characters_and_suggested_code_are_kept_whole() {
    let forty = "a".repeat(40);
    let errors = errors_of(&policy(
        "  a: bool",
        &format!("exclusion x doc \"x\" when {forty}"),
    ));
    assert_eq!(
        errors,
        [format!("{}:26 unknown name `{forty}`", FACTS_LINE + 2)]
    );
    assert_eq!(
        proviso::internals::diagnostic::shorten_quoted(
            "read its items with an aggregate: `sum(x in order.items_of_the_order: x.quantity)`"
        ),
        "read its items with an aggregate: `sum(x in order.items_of_the_order: x.quantity)`"
    );
}

// ---- a missing comma ---------------------------------------------------------------------

#[test]
fn a_missing_comma_in_an_enum_is_reported_at_the_gap() {
    let text = policy("  t: enum { lost, damaged stolen }", "");
    let errors = compile_text(&text).unwrap_err();
    assert_eq!(
        located(&errors[0]),
        format!("{FACTS_LINE}:26 missing `,` between `damaged` and `stolen`")
    );
    assert_eq!(errors[0].label, "expected `,`");
    assert_eq!(minimal::underlined(&errors[0]), " ");
}

#[test]
fn a_missing_comma_in_a_list_or_call_is_reported_at_the_gap() {
    assert_eq!(
        errors_of(&policy("  a: money", "const l = [lost damaged]")),
        [format!(
            "{}:16 missing `,` between `lost` and `damaged`",
            FACTS_LINE + 2
        )]
    );
    assert_eq!(
        errors_of(&policy("  a: money", "let m = min(a 2)")),
        [format!(
            "{}:14 missing `,` between `a` and `2`",
            FACTS_LINE + 2
        )]
    );
}

// ---- many errors ---------------------------------------------------------------------------

#[test]
fn proviso_check_draws_the_first_fifty_errors_of_a_file_and_counts_the_rest() {
    let dir = std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("loading");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("repeats.proviso");
    let repeats = vec!["a"; 200].join(",\n    ");
    std::fs::write(
        &path,
        policy(&format!("  e: enum {{\n    {repeats}\n  }}"), ""),
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_proviso"))
        .arg("check")
        .arg(&path)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(stderr.matches("× `a` is listed twice").count(), 50);
    // The last one drawn is the 51st `a`, on line 8 + 50 of the file.
    assert!(
        stderr.contains(&format!("{}:58:5\n", path.display())),
        "{stderr}"
    );
    assert!(
        stderr.ends_with(
            "error: 199 errors in policies; 149 more not shown (the first 50 of each file are)\n"
        ),
        "{stderr}"
    );
}
