//! Arbitrary bytes as a policy file: parse, check and compile it; when it loads, decide a
//! few example documents under it, and lay it out as `proviso fmt` does: the layout is
//! stable, and the laid-out file parses and loads to the same meaning and decides the same.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proviso::internals::format::layout;
use proviso::internals::parse::parse_file;
use proviso::internals::policy_set::prepare_with;
use proviso::internals::span::Source;
use proviso::{Document, PolicySet};
use proviso_fuzz::{diagnostic, outcome, read, repo, text};
use serde_json::Value;

/// Example documents decided under every fuzzed policy that loads, one of each kind: a
/// shipping claim, a product claim, a cancellation that calls the hook, a marketplace claim.
const EXAMPLES: [&str; 4] = [
    "examples/shipping/lost-domestic.yaml",
    "examples/product/mechanical-wear-and-tear.yaml",
    "examples/cancellations/after-60-days-ca.yaml",
    "examples/marketplace/q8-worked-example.yaml",
];

fn examples() -> &'static [String] {
    static DOCS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    DOCS.get_or_init(|| EXAMPLES.iter().map(|p| read(p)).collect())
}

/// The fuzzed file sits next to the bundled hook, so that a policy declaring
/// `admin-fee.rhai` finds it.
fn name() -> String {
    repo("policies/xcotton/product-protection/fuzz.proviso")
        .display()
        .to_string()
}

fuzz_target!(|data: &[u8]| {
    let text = text(data);
    let source = Source::new(name(), text.as_ref());
    let loaded = load(&source);

    // `layout` checks its own result (same meaning, same comments, stable) and refuses
    // otherwise: a file that parses must be laid out, and one that does not must not.
    let laid = match (parse_file(&source), layout(&source)) {
        (Ok(_), Ok(laid)) => laid,
        (Err(_), Err(_)) => return,
        (Ok(_), Err(e)) => panic!("the file parses but is not laid out: {}", e[0]),
        (Err(_), Ok(_)) => panic!("the file does not parse but is laid out"),
    };
    let laid_source = Source::new(name(), laid.as_str());
    assert_eq!(
        layout(&laid_source).ok().as_deref(),
        Some(laid.as_str()),
        "laying out a laid-out file changes it"
    );
    let Some(set) = loaded else { return };
    let Some(laid_set) = load(&laid_source) else {
        panic!("the file loads but its layout does not");
    };
    assert_eq!(
        decisions(&set),
        decisions(&laid_set),
        "the layout decides differently"
    );
});

/// Loads one policy source; every error is rendered and checked.
fn load(source: &Source) -> Option<PolicySet> {
    match PolicySet::from_sources(vec![source.clone()]) {
        Ok(set) => Some(set),
        Err(errors) => {
            for e in &errors.errors {
                diagnostic(e);
            }
            None
        }
    }
}

/// The example documents decided under the one policy in `set`, renamed to name it, with
/// what depends on the file's text and layout (its hash, line numbers) left out.
fn decisions(set: &PolicySet) -> Vec<Option<Value>> {
    let Some(program) = set.versions().next() else {
        return Vec::new();
    };
    let named = format!("policy: {}\n", yaml_string(&program.meta.name));
    examples()
        .iter()
        .map(|doc| {
            let doc = renamed(doc, &named);
            let result = prepare_with(program, &Document::yaml("example.yaml", &doc), false)
                .and_then(|p| p.decide());
            outcome(&result).map(|mut json| {
                strip_layout(&mut json);
                json
            })
        })
        .collect()
}

/// A YAML document whose `policy:` line names another policy.
fn renamed(doc: &str, named: &str) -> String {
    doc.lines()
        .map(|line| {
            if line.starts_with("policy:") {
                named.to_string()
            } else {
                format!("{line}\n")
            }
        })
        .collect()
}

/// A double-quoted YAML scalar (JSON's string syntax is valid YAML).
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Removes what a layout may change without changing meaning: the hash of the text, and
/// `file:line:col` of rules.
fn strip_layout(json: &mut Value) {
    match json {
        Value::Object(map) => {
            map.remove("sha256");
            map.remove("source");
            map.values_mut().for_each(strip_layout);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_layout),
        _ => {}
    }
}
