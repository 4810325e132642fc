//! The end-to-end loops of the benchmarks, run a given number of times for an instruction
//! count: `benches/instructions` runs this under callgrind and gives each loop's
//! instructions a line, which unlike a time do not move with the machine's load.
//!
//! `instructions LOOP PASSES` (with none, each loop runs once, as a check), where LOOP is `engine` (`jsonl/evaluate_and_write`),
//! `parse` (`jsonl/parse_only`), `baseline` (`baseline/jsonl_end_to_end`) or
//! `baseline-decode` (`baseline/jsonl_decode_only`), over the same 1,000 generated lines;
//! or `decide` (`claim/decide_decoded`) or `baseline-decide` (`baseline/decide_decoded`),
//! which decide the example `lost-domestic` claim, already read, 1,000 times a pass.
//! Everything but the passes (loading the policies, generating the lines) is done for
//! any number of passes, so that the difference between two counts is the passes' alone.

#![allow(clippy::panic)]

use std::hint::black_box;
use std::process::ExitCode;

mod corpus;
// Only its parser and its loop are used here.
#[allow(dead_code)]
#[path = "baseline/program.rs"]
mod program;

use corpus::{batch, evaluate_lines, policies};

/// The loops, by name.
const LOOPS: [&str; 6] = [
    "engine",
    "parse",
    "baseline",
    "baseline-decode",
    "decide",
    "baseline-decide",
];

fn main() -> ExitCode {
    // `cargo bench` and `cargo test --benches` pass flags (`--bench`); with no loop named,
    // every loop runs once, as a check that each works.
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let set = policies();
    let text = batch(1_000);
    let example = Example::read(&set);
    let mut out = Vec::with_capacity(2 << 20);
    let (which, passes): (Vec<&str>, usize) = match (args.first(), args.get(1)) {
        (None, _) => {
            eprintln!("instructions: each loop once; benches/instructions counts them");
            (LOOPS.to_vec(), 1)
        }
        (Some(which), Some(passes)) if LOOPS.contains(&which.as_str()) => match passes.parse() {
            Ok(n) => (vec![which.as_str()], n),
            Err(_) => return usage(),
        },
        _ => return usage(),
    };
    for which in which {
        let mut bytes = 0;
        for _ in 0..passes {
            bytes += match which {
                "decide" => example.decide(),
                "baseline-decide" => example.baseline_decide(),
                _ => run(which, &set, &text, &mut out),
            };
        }
        if passes > 0 && bytes == 0 {
            eprintln!("instructions: `{which}` read nothing");
            return ExitCode::FAILURE;
        }
        black_box(bytes);
    }
    ExitCode::SUCCESS
}

fn usage() -> ExitCode {
    eprintln!("usage: instructions [{} PASSES]", LOOPS.join("|"));
    ExitCode::from(2)
}

/// One pass of a loop over the lines; what it wrote, or how many lines it read.
fn run(which: &str, set: &proviso::PolicySet, text: &str, out: &mut Vec<u8>) -> usize {
    match which {
        "engine" => evaluate_lines(set, text, out),
        "parse" => text
            .lines()
            .map(|line| {
                let v = serde_json::from_str::<serde_json::Value>(line);
                usize::from(black_box(v.is_ok()))
            })
            .sum(),
        "baseline" => program::lines(text, out),
        _ => text
            .lines()
            .map(|line| usize::from(black_box(program::parse(line).is_ok())))
            .sum(),
    }
}

/// The example `lost-domestic` claim, read once for the engine and once for the baseline.
struct Example<'p> {
    prepared: proviso::Prepared<'p>,
    json: String,
}

impl<'p> Example<'p> {
    fn read(set: &'p proviso::PolicySet) -> Example<'p> {
        let path = corpus::root().join("examples/shipping/lost-domestic.yaml");
        let yaml =
            std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let value: serde_json::Value =
            serde_yaml::from_str(&yaml).unwrap_or_else(|e| panic!("example: {e}"));
        let prepared = set
            .prepare(&proviso::Document::yaml("lost-domestic.yaml", &yaml), None)
            .unwrap_or_else(|e| panic!("example: {e}"));
        Example {
            prepared,
            json: value.to_string(),
        }
    }

    /// 1,000 decisions by the engine; how many were made.
    fn decide(&self) -> usize {
        (0..1_000)
            .map(|_| usize::from(black_box(&self.prepared).decide().is_ok()))
            .sum()
    }

    /// 1,000 decisions by the baseline; how many were made.
    fn baseline_decide(&self) -> usize {
        let doc = program::parse(&self.json).unwrap_or_else(|e| panic!("example: {e}"));
        (0..1_000)
            .map(|_| usize::from(program::decide(black_box(&doc)).is_ok()))
            .sum()
    }
}
