//! The end-to-end loops of the benchmarks, run a given number of times for an instruction
//! count: `benches/instructions` runs this under callgrind and gives each loop's
//! instructions a line, which unlike a time do not move with the machine's load.
//!
//! `instructions LOOP PASSES`, where LOOP is `engine` (`jsonl/evaluate_and_write`),
//! `parse` (`jsonl/parse_only`), `baseline` (`baseline/jsonl_end_to_end`) or
//! `baseline-decode` (`baseline/jsonl_decode_only`), over the same 1,000 generated lines.
//! Everything but the passes (loading the policies, generating the lines) is done for
//! any number of passes, so that the difference between two counts is the passes' alone.

use std::hint::black_box;
use std::process::ExitCode;

mod corpus;
// Only its parser and its loop are used here.
#[allow(dead_code)]
#[path = "baseline/program.rs"]
mod program;

use corpus::{batch, evaluate_lines, policies};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(which), Some(Ok(passes))) = (args.first(), args.get(1).map(|p| p.parse::<usize>()))
    else {
        eprintln!("usage: instructions engine|parse|baseline|baseline-decode PASSES");
        return ExitCode::from(2);
    };
    let set = policies();
    let text = batch(1_000);
    let mut out = Vec::with_capacity(2 << 20);
    let mut bytes = 0;
    for _ in 0..passes {
        bytes += match which.as_str() {
            "engine" => evaluate_lines(&set, &text, &mut out),
            "parse" => text
                .lines()
                .map(|line| {
                    let v = serde_json::from_str::<serde_json::Value>(line);
                    usize::from(black_box(v.is_ok()))
                })
                .sum(),
            "baseline" => program::lines(&text, &mut out),
            "baseline-decode" => text
                .lines()
                .map(|line| usize::from(black_box(program::parse(line).is_ok())))
                .sum(),
            other => {
                eprintln!("no loop `{other}`: engine, parse, baseline or baseline-decode");
                return ExitCode::from(2);
            }
        };
    }
    black_box(bytes);
    ExitCode::SUCCESS
}
