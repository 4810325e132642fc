//! Arbitrary bytes as a document, against the bundled policies (loaded once): read as
//! YAML, as JSON, and as JSON Lines, evaluated, and every decision serialised and every
//! error rendered as the command does.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proviso::Document;
use proviso_fuzz::{bundled, json_lines, outcome, text};

fuzz_target!(|data: &[u8]| {
    let set = bundled();
    let text = text(data);
    outcome(&set.evaluate(&Document::yaml("fuzz.yaml", &text)));
    outcome(&set.evaluate(&Document::json("fuzz.json", &text)));
    for doc in json_lines("fuzz.jsonl", &text) {
        outcome(&set.evaluate(&doc));
    }
});
