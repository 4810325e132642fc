//! Bad input never crashes: every bundled policy and example, corrupted in many small
//! ways (a character dropped, doubled or replaced, a line swapped), is loaded or decided
//! in-process; each attempt must end in a decision or a diagnostic, never a panic and
//! never an "internal error". The corruptions come from a fixed seed, so a failure
//! reproduces.
#![allow(clippy::unwrap_used, clippy::panic)]

use std::path::{Path, PathBuf};

use proviso::internals::span::Source;
use proviso::{Document, PolicySet};

/// xorshift64*: a small, fixed pseudo-random sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const ALPHABET: &[u8] = b"(){}[]<>=!+-*/.,:;\"# \n\tazAZ09_";

/// One small corruption of `text`, on character boundaries.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = chars.clone();
    let at = rng.below(chars.len());
    match rng.below(4) {
        0 => {
            out.remove(at.min(out.len().saturating_sub(1)));
        }
        1 => out.insert(at, char::from(ALPHABET[rng.below(ALPHABET.len())])),
        2 => {
            if let Some(c) = out.get_mut(at) {
                *c = char::from(ALPHABET[rng.below(ALPHABET.len())]);
            }
        }
        _ => {
            let lines: Vec<&str> = text.lines().collect();
            if lines.len() > 1 {
                let (a, b) = (rng.below(lines.len()), rng.below(lines.len()));
                let mut lines = lines;
                lines.swap(a, b);
                return lines.join("\n");
            }
        }
    }
    out.into_iter().collect()
}

fn files(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            files(&p, ext, out);
        } else if ext.iter().any(|x| name.ends_with(x)) && !name.contains(".expected.") {
            out.push(p);
        }
    }
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn corrupted_policies_get_diagnostics() {
    let mut policies = Vec::new();
    files(&root().join("policies"), &[".proviso"], &mut policies);
    let mut rng = Rng(0x5EED_0001);
    let mut rejected = 0;
    for path in &policies {
        let text = std::fs::read_to_string(path).unwrap();
        for _ in 0..60 {
            let bad = mutate(&text, &mut rng);
            // Keep the real file name, so that a hook beside it is still found.
            let source = Source::new(path.display().to_string(), bad.as_str());
            if let Err(e) = PolicySet::from_sources(vec![source]) {
                rejected += 1;
                for err in &e.errors {
                    assert!(
                        !err.message.contains("internal error"),
                        "{}: {}\n--- input:\n{bad}",
                        path.display(),
                        err.message
                    );
                }
            }
        }
    }
    // Most corruptions break a policy; a test that never saw one would prove nothing.
    assert!(
        rejected > policies.len() * 30,
        "only {rejected} corrupted policies were rejected"
    );
}

#[test]
fn corrupted_documents_get_decisions_or_diagnostics() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let mut documents = Vec::new();
    files(
        &root().join("examples"),
        &[".yaml", ".json"],
        &mut documents,
    );
    let mut rng = Rng(0x5EED_0002);
    let (mut decided, mut rejected) = (0, 0);
    for path in &documents {
        let text = std::fs::read_to_string(path).unwrap();
        let yaml = path.extension().is_some_and(|x| x == "yaml");
        for _ in 0..6 {
            let bad = mutate(&text, &mut rng);
            let name = path.display().to_string();
            let doc = if yaml {
                Document::yaml(name, &bad)
            } else {
                Document::json(name, &bad)
            };
            match set.evaluate(&doc) {
                Ok(_) => decided += 1,
                Err(e) => {
                    rejected += 1;
                    assert!(
                        !e.message.contains("internal error"),
                        "{}: {}\n--- input:\n{bad}",
                        path.display(),
                        e.message
                    );
                }
            }
        }
    }
    assert!(
        decided > 0 && rejected > 0,
        "decided {decided}, rejected {rejected}"
    );
}
