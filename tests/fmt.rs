//! `proviso fmt`: the layout of whole files (the snapshots are in `tests/layout.rs`), its
//! checks, and the command.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;

use proviso::internals::format::{layout, WIDTH};
use proviso::internals::span::Source;

const BUNDLED: [&str; 4] = [
    "policies/xcotton/shipping-protection/2025-01-01.proviso",
    "policies/xcotton/shipping-protection/2024-01-01.proviso",
    "policies/xcotton/product-protection/2025-01-01.proviso",
    "policies/marketplace/shipping-insurance/2025-01-01.proviso",
];

fn laid(text: &str) -> String {
    layout(&Source::new("t.proviso", text)).unwrap_or_else(|e| panic!("{}", e[0]))
}

#[test]
fn the_bundled_policies_are_laid_out_within_the_width() {
    for path in BUNDLED {
        let text = std::fs::read_to_string(path).unwrap();
        assert_eq!(laid(&text), text, "{path} is not laid out");
        for (n, line) in text.lines().enumerate() {
            assert!(
                line.chars().count() <= WIDTH,
                "{path}:{}: {} columns",
                n + 1,
                line.chars().count()
            );
        }
    }
}

#[test]
fn whitespace_tabs_and_empty_lines_are_normalised() {
    let messy = "\n\npolicy \"t/x\"   \n\n\n\n\tversion \"1\"\t\n# a comment   \ndoc \"two  spaces\tand a tab\"\n\n\n";
    assert_eq!(
        laid(messy),
        "policy \"t/x\"\nversion \"1\"\n# a comment\ndoc \"two spaces and a tab\"\n"
    );
}

#[test]
fn strings_keep_their_text_with_canonical_escapes() {
    let text = "policy \"t/x\"\nconst s = \"a\ttab,\na line, a \\\"quote\\\" and \\\\\"\n";
    assert_eq!(
        laid(text),
        "policy \"t/x\"\n\nconst s = \"a\\ttab,\\na line, a \\\"quote\\\" and \\\\\"\n"
    );
}

#[test]
fn layout_keeps_line_breaks_and_blank_lines_inside_a_string() {
    // Found by fuzzing: with CRLF line breaks, the `\r` of a string that spans lines was
    // dropped, changing its text. A name keeps its `\r` and its line break (written as an
    // escape); a doc string is prose, refilled, so its blank lines are spaces as they read.
    let text = "policy \"a\r\nb\"\r\ndoc \"one\n\n\n\ntwo\"\r\n\r\n\r\n\r\nversion \"1\"\r\n";
    let once = laid(text);
    assert_eq!(once, "policy \"a\r\\nb\"\nversion \"1\"\ndoc \"one two\"\n");
    assert_eq!(laid(&once), once);
}

#[test]
fn a_doc_string_is_refilled_at_the_width_with_the_same_text() {
    let words: Vec<String> = (0..40).map(|i| format!("word{i}")).collect();
    let text = format!(
        "policy \"t/x\"\nfallback f\n  doc \"{}\"\n  \"{}\"\n",
        words[..5].join(" "),
        words[5..].join("   ")
    );
    let out = laid(&text);
    let doc: Vec<&str> = out.lines().skip(3).collect();
    assert_eq!(doc[0], "  doc \"word0 word1 word2 word3 word4 word5 word6 word7 word8 word9 word10 word11 word12\"");
    assert!(doc[1].starts_with("      \"word13 "), "{out}");
    assert!(doc.iter().all(|l| l.len() <= WIDTH), "{out}");
    let joined: Vec<&str> = doc
        .iter()
        .map(|l| l.trim_start().trim_start_matches("doc ").trim_matches('"'))
        .collect();
    assert_eq!(joined.join(" "), words.join(" "));
}

#[test]
fn a_file_that_does_not_parse_is_not_laid_out() {
    let e = layout(&Source::new("t.proviso", "policy \"t/x\"\nversion\n")).unwrap_err();
    assert_eq!(
        (e[0].message.as_str(), e[0].location().as_str()),
        ("unexpected end of file", "t.proviso:2:7")
    );
}

#[test]
fn brackets_stay_as_written_and_operators_keep_their_order() {
    let text = "policy \"t/x\"\nconst a = ((1 + 2)) * 3\nconst b = (1) + (2) - -3\nconst c = not (true and false) or 1.50 > 2\n";
    assert_eq!(
        laid(text),
        "policy \"t/x\"\n\nconst a = (1 + 2) * 3\nconst b = (1) + (2) - -3\nconst c = not (true and false) or 1.50 > 2\n"
    );
}

#[test]
fn a_long_condition_breaks_before_and_or_with_two_more_columns() {
    let cond: Vec<String> = (0..12).map(|i| format!("claim.field_{i} > {i}")).collect();
    let text = format!(
        "policy \"t/x\"\nexclusion x\n  doc \"X.\"\n  when {}\n",
        cond.join(" and ")
    );
    assert_eq!(
        laid(&text),
        "policy \"t/x\"\n\nexclusion x\n  doc \"X.\"\n  \
         when claim.field_0 > 0 and claim.field_1 > 1 and claim.field_2 > 2 and claim.field_3 > 3\n    \
         and claim.field_4 > 4 and claim.field_5 > 5 and claim.field_6 > 6 and claim.field_7 > 7\n    \
         and claim.field_8 > 8 and claim.field_9 > 9 and claim.field_10 > 10\n    \
         and claim.field_11 > 11\n"
    );
}

fn proviso(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_proviso"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn fmt_checks_rewrites_and_leaves_broken_files_alone() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let good = std::fs::read_to_string(BUNDLED[0]).unwrap();
    let messy = good
        .replace("\n\n", "\n\n\n")
        .replace("\n  ", "\n\t")
        .replace(" == ", "==");
    let file = dir.join("messy.proviso");
    std::fs::write(&file, &messy).unwrap();
    let path = file.display().to_string();

    let (code, _, stderr) = proviso(&["fmt", "--check", &path]);
    assert_eq!(
        (code, stderr.as_str()),
        (3, format!("not laid out: {path}\n").as_str())
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        messy,
        "--check changes nothing"
    );

    let (code, stdout, _) = proviso(&["fmt", &path]);
    assert_eq!((code, stdout), (0, format!("laid out: {path}\n")));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), good);
    assert_eq!(
        proviso(&["fmt", "--check", &path]),
        (0, String::new(), String::new())
    );

    let broken = dir.join("broken.proviso");
    std::fs::write(&broken, "policy \"t/x\"   \nversion\n").unwrap();
    let broken_path = broken.display().to_string();
    for args in [vec!["fmt"], vec!["fmt", "--check"]] {
        let mut args = args.clone();
        args.push(&broken_path);
        let (code, stdout, stderr) = proviso(&args);
        assert_eq!((code, stdout.as_str()), (3, ""), "{args:?}");
        assert!(
            stderr.contains(&format!("{broken_path}:2:7"))
                && stderr.contains("unexpected end of file")
                && stderr.contains("expected a string after this"),
            "{stderr}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "policy \"t/x\"   \nversion\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bands_percentages_and_functions_are_laid_out_and_read_back_the_same() {
    let text = "policy \"t/x\"\nconst rate   =  2%\nlet  line(item,  n) =  item * n\ntable fee(value) -> money\n  doc \"fees\"\n  under 50 : 1.28\n  from 50   under 100: 2.5% of value\n  over 99.99 up to 200 : -1%\n  from 200: value\n";
    let want = "policy \"t/x\"\n\nconst rate = 2%\n\nlet line(item, n) = item * n\n\ntable fee(value) -> money\n  doc \"fees\"\n  under 50: 1.28\n  from 50 under 100: 2.5% of value\n  over 99.99 up to 200: -1%\n  from 200: value\n";
    assert_eq!(laid(text), want);
    assert_eq!(laid(want), want);
}

#[test]
fn a_negated_default_after_otherwise_is_laid_out_as_written() {
    let text = "policy \"t/x\"\nconst a = (x otherwise -1) * 2\nconst b = x otherwise -y + 1\n";
    assert_eq!(
        laid(text),
        "policy \"t/x\"\n\nconst a = (x otherwise -1) * 2\nconst b = x otherwise -y + 1\n"
    );
}
