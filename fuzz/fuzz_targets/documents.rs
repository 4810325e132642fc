//! Arbitrary bytes as a document, against the bundled policies (loaded once): read as
//! YAML, as JSON, and as JSON Lines, evaluated, and every decision serialised and every
//! error rendered as the command does; prepared both ways (reading the document once,
//! and reading its envelope first), which must agree; and, as JSON, decoded against every
//! bundled version's layout by the one-pass reader, which must either give up or give
//! exactly what the serde seeds give.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proviso::internals::document::{Format, Scanned};
use proviso::{Document, DocumentError, PolicySet, Prepared};
use proviso_fuzz::{bundled, json_lines, outcome, text};

/// What a preparation gives, for comparing.
fn shown(p: Result<Prepared<'_>, DocumentError>) -> String {
    match p {
        Ok(p) => format!(
            "{} {} {:?} {:?} {:?}",
            p.program.meta.name, p.program.meta.version, p.id, p.picked_by, p.facts
        ),
        Err(e) => format!("{:?} {:?} {}", e.path, e.document, e.message),
    }
}

/// Reading once and reading the envelope first agree.
fn agree(set: &PolicySet, doc: &Document<'_>) {
    let once = shown(set.prepare(doc, None));
    let twice = shown(set.prepare_two_pass(doc, None));
    assert_eq!(once, twice, "prepared differently");
}

/// The one-pass JSON reader gives up or agrees with the serde seeds, strict or not.
fn same_facts(set: &PolicySet, text: &str) {
    let Ok(scanned) = Scanned::new(text, Format::Json) else {
        return;
    };
    for program in set.versions() {
        for strict in [false, true] {
            if let Some(fast) = scanned.decode_fast(&program.schema, strict) {
                let serde = scanned.decode_serde(&program.schema, strict);
                assert_eq!(
                    serde.as_ref().ok(),
                    Some(&fast),
                    "the one-pass reader read what the serde seeds read otherwise: {serde:?}"
                );
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let set = bundled();
    let text = text(data);
    same_facts(set, &text);
    let yaml = Document::yaml("fuzz.yaml", &text);
    let json = Document::json("fuzz.json", &text);
    agree(&set, &yaml);
    agree(&set, &json);
    outcome(&set.evaluate(&yaml));
    outcome(&set.evaluate(&json));
    for doc in json_lines("fuzz.jsonl", &text) {
        agree(&set, &doc);
        outcome(&set.evaluate(&doc));
    }
});
