//! `cargo run --example embed`, the program that embeds the engine, prints what it should.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::process::Command;

#[test]
fn the_embedding_example_decides_and_reads_back() {
    let out = Command::new(env!("CARGO"))
        .args(["run", "--quiet", "--example", "embed"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo: {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "CLM-0001: approved\n\
         payout: 44.00\n\
         because: coverage lost_package\n\
         read back: approved 44.00, same JSON: true\n"
    );
}
