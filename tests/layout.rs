//! Snapshots of `proviso fmt`: every policy under `tests/layout/in/` laid out must equal
//! the file of the same name under `tests/layout/out/`, which lays out to itself
//! (`PROVISO_BLESS=1 cargo test --test layout` rewrites them).
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::Path;

use proviso::internals::format::layout;
use proviso::internals::span::Source;

fn laid(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    let name = path.display().to_string();
    layout(&Source::new(name.as_str(), text.as_str()))
        .unwrap_or_else(|e| panic!("{name}: {} at {}", e[0], e[0].location()))
}

#[test]
fn every_input_lays_out_as_its_snapshot() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/layout");
    let mut inputs: Vec<_> = std::fs::read_dir(root.join("in"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    inputs.sort();
    assert!(inputs.len() >= 5, "the snapshots are missing");
    let bless = std::env::var_os("PROVISO_BLESS").is_some();
    let mut failed = Vec::new();
    for input in inputs {
        let out = root.join("out").join(input.file_name().unwrap());
        let got = laid(&input);
        if bless {
            std::fs::write(&out, &got).unwrap();
        }
        let expected = std::fs::read_to_string(&out).unwrap_or_default();
        if got != expected {
            failed.push(format!(
                "{}:\n--- expected\n{expected}--- got\n{got}",
                input.display()
            ));
        }
        assert_eq!(laid(&out), expected, "{} is not laid out", out.display());
    }
    assert!(failed.is_empty(), "{}", failed.join("\n"));
}
