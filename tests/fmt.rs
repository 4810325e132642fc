//! `proviso fmt`: whitespace laid out, comments and strings kept, meaning unchanged.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;

use proviso::format::layout;

#[test]
fn layout_trims_untabs_and_collapses_blank_lines() {
    let messy = "\n\npolicy \"t/x\"   \n\n\n\n\tversion \"1\"\t\n# a comment   \ndoc \"two  spaces\tand a tab\"\n\n\n";
    assert_eq!(
        layout(messy),
        "policy \"t/x\"\n\n  version \"1\"\n# a comment\ndoc \"two  spaces\tand a tab\"\n"
    );
}

#[test]
fn layout_keeps_trailing_space_inside_a_string_that_spans_lines() {
    let text = "doc \"first line   \nsecond\"   \n";
    assert_eq!(layout(text), "doc \"first line   \nsecond\"\n");
}

#[test]
fn layout_keeps_line_breaks_and_blank_lines_inside_a_string() {
    // Found by fuzzing: with CRLF line breaks, the `\r` of a string that spans lines was
    // dropped, and blank lines inside a string were collapsed, changing its text.
    let text = "policy \"a\r\nb\"\r\ndoc \"one\n\n\n\ntwo\"\r\n\r\n\r\n\r\nversion \"1\"\r\n";
    assert_eq!(
        layout(text),
        "policy \"a\r\nb\"\ndoc \"one\n\n\n\ntwo\"\n\nversion \"1\"\n"
    );
    assert_eq!(layout(&layout(text)), layout(text));
}

#[test]
fn layout_is_stable() {
    let text =
        std::fs::read_to_string("policies/xcotton/shipping-protection/2025-01-01.proviso").unwrap();
    assert_eq!(layout(&text), text);
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
    let good =
        std::fs::read_to_string("policies/xcotton/shipping-protection/2025-01-01.proviso").unwrap();
    let messy = good.replace("\n\n", "\n\n\n").replace(
        "currency USD from order.currency\n",
        "currency USD from order.currency   \n",
    );
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
    assert_eq!(proviso(&["fmt", "--check", &path]).0, 0);

    let broken = dir.join("broken.proviso");
    std::fs::write(&broken, "policy \"t/x\"   \nversion\n").unwrap();
    let (code, _, stderr) = proviso(&["fmt", &broken.display().to_string()]);
    assert_eq!(code, 3);
    assert!(stderr.contains("does not parse; fix it first"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "policy \"t/x\"   \nversion\n"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
