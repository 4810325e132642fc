//! Properties over generated inputs: `proviso fmt` is idempotent and keeps a policy's
//! meaning, decisions are deterministic (and the same when traced), every valid document
//! gets a decision, and a batch
//! answers every line in order whatever lines are broken.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

#[path = "support/documents.rs"]
mod documents;

use std::sync::OnceLock;

use proptest::prelude::*;
use proptest::sample::{select, Index};
use proviso::internals::diff::{diff, PolicyDiff};
use proviso::internals::format::layout;
use proviso::internals::parse::parse_file;
use proviso::internals::policy_set::prepare_with;
use proviso::internals::span::Source;
use proviso::{Decision, Document, DocumentError, PolicySet};
use serde_json::Value;

use support::{proviso_stdin, read, root};

// ---- fmt: idempotent, and the same meaning --------------------------------------------

/// The bundled policies, each with an example decided under it before and after layout.
const POLICIES: [(&str, &str); 4] = [
    (
        "policies/xcotton/shipping-protection/2025-01-01.proviso",
        "examples/shipping/lost-domestic.yaml",
    ),
    (
        "policies/xcotton/shipping-protection/2024-01-01.proviso",
        "examples/shipping/damaged-partial-two-items.yaml",
    ),
    (
        "policies/xcotton/product-protection/2025-01-01.proviso",
        "examples/cancellations/after-60-days-ca.yaml",
    ),
    (
        "policies/marketplace/shipping-insurance/2025-01-01.proviso",
        "examples/marketplace/q8-worked-example.yaml",
    ),
];

/// Whitespace and comments a policy's author might put between two tokens.
const PADDING: [&str; 10] = [
    " ",
    "   ",
    "\t",
    "\n",
    "\n\n\n\n",
    "  # a comment\n",
    "\t\n\t\t",
    "   \n",
    "\r\n",
    "\n# a comment line\n\n",
];

/// Byte offsets where whitespace may go without changing the meaning: outside strings and
/// comments, next to whitespace that is already there (so never inside a token).
fn boundaries(text: &str) -> Vec<usize> {
    let bytes = text.as_bytes();
    let (mut in_string, mut in_comment, mut escaped) = (false, false, false);
    let mut out = Vec::new();
    for (i, &b) in bytes.iter().enumerate() {
        let code = !in_string && !in_comment;
        let space = |c: u8| c == b' ' || c == b'\n';
        if code && (space(b) || i > 0 && space(bytes[i - 1])) {
            out.push(i);
        }
        match b {
            _ if escaped => escaped = false,
            b'\\' if in_string => escaped = true,
            b'"' if !in_comment => in_string = !in_string,
            b'#' if !in_string => in_comment = true,
            b'\n' if in_comment => in_comment = false,
            _ => {}
        }
    }
    out
}

/// A bundled policy with padding inserted at some of its token boundaries.
fn padded_policy() -> impl Strategy<Value = (usize, String)> {
    padded_with(&PADDING)
}

/// A bundled policy with some of `padding` inserted at some of its token boundaries.
fn padded_with(padding: &[&'static str]) -> impl Strategy<Value = (usize, String)> {
    (
        0..POLICIES.len(),
        prop::collection::vec((any::<Index>(), select(padding.to_vec())), 0..40),
    )
        .prop_map(|(p, pads)| {
            let text = read(POLICIES[p].0);
            let spots = boundaries(&text);
            let mut at: Vec<(usize, &str)> =
                pads.iter().map(|(i, pad)| (*i.get(&spots), *pad)).collect();
            at.sort_by_key(|a| std::cmp::Reverse(a.0));
            let mut out = text;
            for (i, pad) in at {
                out.insert_str(i, pad);
            }
            (p, out)
        })
}

/// The layout of `text` as policy `p`, which must succeed.
fn laid(p: usize, text: &str) -> String {
    layout(&source(p, text)).unwrap_or_else(|e| panic!("not laid out: {}", e[0]))
}

/// A source named as the bundled policy is, so that its hook is found next to it.
fn source(p: usize, text: &str) -> Source {
    Source::new(root().join(POLICIES[p].0).display().to_string(), text)
}

/// The decision on policy `p`'s example under a policy text, without what depends on the
/// text's layout: its hash and the line and column of each rule.
fn example_decision(p: usize, text: &str) -> Value {
    let set = PolicySet::from_sources(vec![source(p, text)])
        .unwrap_or_else(|e| panic!("the policy does not load: {:?}", e.errors));
    let program = set.versions().next().unwrap();
    let doc = read(POLICIES[p].1);
    let decision = prepare_with(program, &Document::yaml("example.yaml", &doc), false)
        .and_then(|d| d.decide())
        .unwrap_or_else(|e| panic!("the example is not decided: {}", e.message));
    let mut json = serde_json::to_value(decision).unwrap();
    strip(&mut json, &["sha256", "source"]);
    json
}

fn strip(json: &mut Value, keys: &[&str]) {
    match json {
        Value::Object(map) => {
            keys.iter().for_each(|k| {
                map.remove(*k);
            });
            map.values_mut().for_each(|v| strip(v, keys));
        }
        Value::Array(items) => items.iter_mut().for_each(|v| strip(v, keys)),
        _ => {}
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(support::cases(24)))]

    #[test]
    fn layout_is_idempotent_and_keeps_the_meaning((p, text) in padded_policy()) {
        let original = parse_file(&source(p, &read(POLICIES[p].0))).unwrap();
        let padded = parse_file(&source(p, &text))
            .unwrap_or_else(|e| panic!("padding broke the policy: {}", e[0]));
        prop_assert_eq!(diff(&original, &padded), PolicyDiff::default());

        let laid = laid(p, &text);
        prop_assert_eq!(self::laid(p, &laid), laid.clone());
        let laid_out = parse_file(&source(p, &laid))
            .unwrap_or_else(|e| panic!("the layout does not parse: {}", e[0]));
        prop_assert_eq!(diff(&padded, &laid_out), PolicyDiff::default());
        prop_assert_eq!(example_decision(p, &text), example_decision(p, &laid));
    }

    #[test]
    fn spaces_and_tabs_between_tokens_are_laid_out_away((p, text) in padded_with(&[" ", "   ", "\t"])) {
        prop_assert_eq!(laid(p, &text), read(POLICIES[p].0));
    }
}

/// Comments at every token boundary of every bundled policy at once, on a line of their
/// own and at the end of one: the layout keeps each (in order), means the same and lays out
/// to itself (`layout` checks all three), and a second layout changes nothing.
#[test]
fn a_comment_at_every_token_boundary_is_kept() {
    for (p, (path, _)) in POLICIES.iter().enumerate() {
        for pad in ["  # c\n", "\n# c\n\n"] {
            let text = read(path);
            let mut out = text.clone();
            for (n, i) in boundaries(&text).into_iter().rev().enumerate() {
                out.insert_str(i, &pad.replace('c', &n.to_string()));
            }
            let laid = laid(p, &out);
            assert_eq!(self::laid(p, &laid), laid, "{path}");
        }
    }
}

/// Runs `proviso fmt` with `args` on one file: exit status, standard output and error.
fn fmt(args: &[&str]) -> (i32, String, String) {
    let run = proviso_stdin(args, "");
    (run.code, run.stdout, run.stderr)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(support::cases(8)))]

    #[test]
    fn proviso_fmt_lays_out_once_and_then_leaves_the_file_alone((p, text) in padded_policy()) {
        static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("properties-fmt-{}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("policy.proviso");
        std::fs::write(&file, &text).unwrap();
        let path = file.display().to_string();
        let laid = laid(p, &text);

        let changed = laid != text;
        let expect_check = if changed {
            (3, String::new(), format!("not laid out: {path}\n"))
        } else {
            (0, String::new(), String::new())
        };
        prop_assert_eq!(fmt(&["fmt", "--check", &path]), expect_check);
        let expect_fmt = if changed { format!("laid out: {path}\n") } else { String::new() };
        prop_assert_eq!(fmt(&["fmt", &path]), (0, expect_fmt, String::new()));
        prop_assert_eq!(std::fs::read_to_string(&file).unwrap(), laid);
        prop_assert_eq!(fmt(&["fmt", &path]), (0, String::new(), String::new()));
        prop_assert_eq!(fmt(&["fmt", "--check", &path]), (0, String::new(), String::new()));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

// ---- decisions: deterministic, and every valid document decided -----------------------

/// The bundled policies, loaded twice.
fn sets() -> &'static (PolicySet, PolicySet) {
    static SETS: OnceLock<(PolicySet, PolicySet)> = OnceLock::new();
    SETS.get_or_init(|| {
        let load = || PolicySet::load(root().join("policies")).unwrap();
        (load(), load())
    })
}

/// A decision as the command prints it (`--format json`), or the error's message and path.
fn printed(result: Result<Decision, DocumentError>) -> Result<String, String> {
    result
        .map(|d| serde_json::to_string(&d).unwrap())
        .map_err(|e| format!("{} (at {:?})", e.message, e.path))
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(support::cases(160)))]

    #[test]
    fn every_valid_document_gets_the_same_decision_every_time(doc in documents::document()) {
        let text = serde_json::to_string(&doc).unwrap();
        let (a, b) = sets();
        let json = || Document::json("doc.json", &text);
        let first = printed(a.evaluate(&json()));
        prop_assert!(first.is_ok(), "{text}\nis not decided: {first:?}");
        prop_assert_eq!(&first, &printed(a.evaluate(&json())), "evaluated twice");
        prop_assert_eq!(&first, &printed(b.evaluate(&json())), "under a second load");
        // Traced, every rule is read in full (no rule is passed over at a glance by its
        // guard): the decision is the same.
        let traced = printed(a.explain(&json()).map(|(d, _)| d));
        prop_assert_eq!(&first, &traced, "traced");
        // JSON is YAML: read as YAML, the document gets the very same decision.
        let yaml = Document::yaml("doc.yaml", &text);
        let as_yaml = printed(a.evaluate(&yaml))
            .map(|d| d.replace("\"input\":{\"path\":\"doc.yaml\"}", "\"input\":{\"path\":\"doc.json\"}"));
        prop_assert_eq!(&first, &as_yaml, "read as YAML");
    }
}

// ---- batches: one answer per line, in order -------------------------------------------

/// One line of a JSON Lines batch.
#[derive(Clone, Debug)]
enum Line {
    /// A valid document, with the id its decision must carry.
    Valid(String, String),
    /// A line that cannot be decided, and why not.
    Broken(String, &'static str),
    /// A blank line: no answer.
    Blank(&'static str),
}

/// Ways to break a valid document; every one still starts with `{`, as a JSON Lines
/// line does.
const BREAKS: [&str; 6] = [
    "cut short",
    "not JSON",
    "list for a record",
    "no shipment",
    "unknown policy",
    "claim and cancellation",
];

fn broken(doc: &Value, how: &'static str, cut: Index) -> String {
    let mut doc = doc.clone();
    let map = doc.as_object_mut().unwrap();
    match how {
        "cut short" => {
            let text = serde_json::to_string(&doc).unwrap();
            let ends: Vec<usize> = (1..text.len())
                .filter(|&i| text.is_char_boundary(i))
                .collect();
            return text[..*cut.get(&ends)].to_string();
        }
        "not JSON" => return "{not json".into(),
        "list for a record" => {
            map.insert("order".into(), serde_json::json!(["XC-1"]));
        }
        "no shipment" => {
            map.remove("shipment");
        }
        "unknown policy" => {
            map.insert("policy".into(), "nobody/nothing".into());
        }
        _ => {
            let both =
                serde_json::json!({"id": "X", "type": "lost", "filed_at": "2025-01-01T00:00:00Z"});
            map.insert("claim".into(), both.clone());
            map.insert(
                "cancellation".into(),
                serde_json::json!({"id": "X", "requested_at": "2025-01-01"}),
            );
        }
    }
    serde_json::to_string(&doc).unwrap()
}

/// The document's id, set to `id` (a claim's or a cancellation's).
fn with_id(mut doc: Value, id: &str) -> Value {
    for key in ["claim", "cancellation"] {
        if let Some(body) = doc.get_mut(key).and_then(Value::as_object_mut) {
            body.insert("id".into(), id.into());
        }
    }
    doc
}

fn batch() -> impl Strategy<Value = Vec<Line>> {
    let line = prop_oneof![
        5 => (documents::document(), any::<u32>()).prop_map(|(doc, n)| {
            let id = format!("DOC-{n}");
            Line::Valid(serde_json::to_string(&with_id(doc, &id)).unwrap(), id)
        }),
        3 => (documents::document(), select(BREAKS.to_vec()), any::<Index>())
            .prop_map(|(doc, how, cut)| Line::Broken(broken(&doc, how, cut), how)),
        1 => select(vec!["", "   ", "\t"]).prop_map(Line::Blank),
    ];
    prop::collection::vec(line, 2..10).prop_filter(
        "JSON Lines has two documents or more",
        |lines| {
            lines
                .iter()
                .filter(|l| !matches!(l, Line::Blank(_)))
                .count()
                >= 2
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(support::cases(16)))]

    #[test]
    fn a_batch_answers_every_line_in_order(lines in batch()) {
        let input: String = lines
            .iter()
            .map(|l| match l {
                Line::Valid(text, _) | Line::Broken(text, _) => format!("{text}\n"),
                Line::Blank(b) => format!("{b}\n"),
            })
            .collect();
        let run = proviso_stdin(&["eval", "policies", "-", "--format", "json"], &input);
        let answers: Vec<Value> = run
            .stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
            .collect();
        let asked: Vec<(usize, &Line)> = lines
            .iter()
            .enumerate()
            .filter(|(_, l)| !matches!(l, Line::Blank(_)))
            .map(|(i, l)| (i + 1, l))
            .collect();
        prop_assert_eq!(answers.len(), asked.len(), "one answer per line:\n{}", run.stdout);
        for ((number, line), answer) in asked.iter().zip(&answers) {
            if let Some(from) = answer.get("input") {
                prop_assert_eq!(from, &serde_json::json!({"path": "-", "line": number}));
            }
            match line {
                Line::Valid(_, id) => {
                    prop_assert!(answer.get("decision").is_some(), "line {number}: {answer}");
                    prop_assert_eq!(&answer["document"], &Value::from(id.as_str()));
                }
                Line::Broken(_, how) => {
                    prop_assert!(answer.get("decision").is_none(), "line {number} ({how}): {answer}");
                    prop_assert!(answer["error"]["message"].is_string(), "line {number} ({how}): {answer}");
                }
                Line::Blank(_) => unreachable!(),
            }
        }
        let broken = asked.iter().any(|(_, l)| matches!(l, Line::Broken(..)));
        prop_assert_eq!(run.code, if broken { 4 } else { 0 }, "{}", run.stderr);
    }
}
