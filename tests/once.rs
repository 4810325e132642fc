//! Reading a document once: `PolicySet::prepare` (the policy's name up to its key, then the
//! facts, then the dates from the facts) gives exactly what reading the envelope first
//! gives (`PolicySet::prepare_two_pass`), for every example and for documents made to
//! tell them apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use proviso::{Document, PolicySet, Prepared};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// What a preparation gives, for comparing: the version, id, date, facts; or the error.
fn shown(p: Result<Prepared<'_>, proviso::DocumentError>) -> String {
    match p {
        Ok(p) => format!(
            "{} {} id={:?} picked_by={:?} facts={:?}",
            p.program.meta.name, p.program.meta.version, p.id, p.picked_by, p.facts
        ),
        Err(e) => format!("error {:?} at {:?}: {}", e.path, e.document, e.message),
    }
}

fn agree(set: &PolicySet, doc: &Document<'_>, at: Option<NaiveDate>) -> String {
    let once = shown(set.prepare(doc, at));
    let twice = shown(set.prepare_two_pass(doc, at));
    assert_eq!(once, twice, "{} (at {at:?})", doc.name);
    once
}

fn documents(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            documents(&path, out);
        } else if !path.to_string_lossy().contains(".expected.") {
            out.push(path);
        }
    }
}

#[test]
fn every_example_prepares_alike_either_way() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let mut paths = Vec::new();
    documents(&root().join("examples"), &mut paths);
    paths.sort();
    let at = NaiveDate::from_ymd_opt(2024, 6, 1);
    let mut n = 0;
    for path in &paths {
        let text = std::fs::read_to_string(path).unwrap();
        let name = path.display().to_string();
        let docs: Vec<Document<'_>> = match path.extension().and_then(|e| e.to_str()) {
            Some("yaml") => vec![Document::yaml(name.as_str(), &text)],
            Some("json") => vec![Document::json(name.as_str(), &text)],
            Some("jsonl") => text
                .lines()
                .map(|l| Document::json(name.as_str(), l))
                .collect(),
            _ => continue,
        };
        for doc in &docs {
            agree(&set, doc, None);
            agree(&set, doc, at);
            n += 1;
        }
    }
    assert!(n > 150, "{n} documents");
}

const CLAIM: &str = r#"{"policy": "xcotton/shipping-protection",
 "protection": {"id": "P", "price": "3.99", "purchased_at": "2025-06-01"},
 "order": {"id": "O", "placed_at": "2025-06-01", "currency": "USD", "region": "domestic",
           "items": [{"sku": "A", "quantity": 1, "unit_price": "10.00"}]},
 "shipment": {"status": "in_transit", "shipped_at": "2025-06-02"},
 "claim": {"id": "C-1", "type": "lost", "filed_at": "2025-07-10T09:30:00Z",
           "evidence": [{"kind": "tracking_screenshot"}]}}"#;

#[test]
fn documents_made_to_tell_the_two_apart_prepare_alike() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let strict = PolicySet::load(root().join("policies"))
        .unwrap()
        .strict(true);
    let variants = [
        // As written; the policy named last; named twice; not text; of no policy loaded.
        CLAIM.to_string(),
        format!(
            "{}, \"policy\": \"xcotton/shipping-protection\"}}",
            CLAIM.trim_end_matches('}').replacen(
                "\"policy\": \"xcotton/shipping-protection\",",
                "",
                1
            )
        ),
        CLAIM.replacen("{\"policy\"", "{\"policy\": \"x/y\", \"policy\"", 1),
        CLAIM.replace("\"xcotton/shipping-protection\"", "42"),
        CLAIM.replace("xcotton/shipping-protection", "xcotton/shipping-protectio"),
        // Dates: bought in 2024 (the other version), as an instant, not a date, none.
        CLAIM.replace(
            "\"purchased_at\": \"2025-06-01\"",
            "\"purchased_at\": \"2024-06-01\"",
        ),
        CLAIM.replace("2025-06-01\"}", "2025-06-01T23:30:00-05:00\"}"),
        CLAIM.replace(
            "\"purchased_at\": \"2025-06-01\"",
            "\"purchased_at\": \"June\"",
        ),
        CLAIM
            .replace(", \"purchased_at\": \"2025-06-01\"", "")
            .replace("\"placed_at\": \"2025-06-01\", ", "")
            .replace("\"filed_at\": \"2025-07-10T09:30:00Z\",", ""),
        CLAIM.replace(", \"purchased_at\": \"2025-06-01\"", ""),
        // A claim and a cancellation; an id that is a number; an undeclared field.
        CLAIM.replacen(
            "\"claim\":",
            "\"cancellation\": {\"id\": \"X\", \"requested_at\": \"2025-06-03\"}, \"claim\":",
            1,
        ),
        CLAIM.replace("\"id\": \"C-1\"", "\"id\": 7"),
        CLAIM.replace("\"id\": \"C-1\"", "\"id\": \"C-1\", \"colour\": \"red\""),
        CLAIM.replace(
            "\"claim\": {",
            "\"claim\": {\"courier_compensaton\": \"1.00\", ",
        ),
        // Broken: not JSON past the policy; a repeated claim.
        format!("{}, \"x\": ]", &CLAIM[..60]),
        CLAIM.replacen("\"claim\":", "\"claim\": {\"id\": \"A\"}, \"claim\":", 1),
    ];
    let at = NaiveDate::from_ymd_opt(2024, 6, 1);
    let mut outcomes = Vec::new();
    for (i, text) in variants.iter().enumerate() {
        let name = format!("variant-{i}.json");
        for set in [&set, &strict] {
            let doc = Document::json(name.as_str(), text);
            outcomes.push(agree(set, &doc, None));
            agree(set, &doc, at);
            let yaml = Document::yaml(name.as_str(), text);
            agree(set, &yaml, None);
        }
    }
    // The variants do reach both the decided and the refused sides.
    assert!(outcomes.iter().any(|o| o.contains("2025-01-01 id=\"C-1\"")));
    assert!(outcomes.iter().any(|o| o.contains("2024-01-01")));
    assert!(outcomes.iter().filter(|o| o.starts_with("error")).count() >= 8);
}

/// The policy's name is guessed from the first `"policy": "..."` in the text, and the guess
/// is kept only when the facts' reading finds the top-level `policy` there: a `policy` key
/// nested before it, one ending in an escaped quote, or one quoted inside a string never
/// decides which policy reads the document.
#[test]
fn a_guessed_policy_name_is_kept_only_where_the_document_puts_it() {
    let set = PolicySet::load(root().join("policies")).unwrap();
    let strict = PolicySet::load(root().join("policies"))
        .unwrap()
        .strict(true);
    let last = CLAIM.replacen("{\"policy\": \"xcotton/shipping-protection\",", "{", 1);
    let last = format!(
        "{}, \"policy\": \"xcotton/shipping-protection\"}}",
        last.strip_suffix('}').unwrap()
    );
    let before = |extra: &str| last.replacen('{', &format!("{{{extra}, "), 1);
    let variants = [
        // Nested `policy` keys before the top-level one: a string naming another policy,
        // and an object, as an earlier decision writes it.
        before(r#""meta": {"policy": "marketplace/shipping-insurance"}"#),
        before(r#""meta": {"policy": {"name": "marketplace/shipping-insurance"}}"#),
        // A key that ends in an escaped quote, and a quoted key inside a string.
        before(r#""x\"policy": "marketplace/shipping-insurance""#),
        before(r#""note": "say \"policy\": \"marketplace/shipping-insurance\"""#),
        // The name written with an escape; spaces around the colon.
        last.replace(
            "\"xcotton/shipping-protection\"",
            "\"xcotton\\/shipping-protection\"",
        ),
        last.replace("\"policy\": ", "\"policy\"  :\n  "),
    ];
    let decided = "xcotton/shipping-protection 2025-01-01 id=\"C-1\"";
    let mut shown = Vec::new();
    for (i, text) in variants.iter().enumerate() {
        let name = format!("guess-{i}.json");
        let doc = Document::json(name.as_str(), text);
        shown.push(agree(&set, &doc, None));
        agree(&strict, &doc, None);
    }
    for (i, s) in shown.iter().enumerate() {
        assert!(s.starts_with(decided), "variant {i}: {s}");
    }
}

/// Two policies that read the same facts: a nested `policy` naming the other one, before
/// the document's own, decodes under either, so only the check of where the guess was
/// found keeps the document with its own policy.
#[test]
fn a_nested_policy_key_naming_another_policy_never_picks_it() {
    let policy = |name: &str| {
        format!(
            "policy \"{name}\"\nversion \"1\"\neffective 2025-01-01\ncurrency USD\n\
             doc \"Two policies alike.\"\n\nfacts {{\n\
               protection: optional record {{ purchased_at: optional date }}\n\
               order: optional record {{ placed_at: optional date }}\n\
               claim: optional record {{ id: string  n: integer  filed_at: datetime }}\n\
               cancellation: optional record {{ id: string  requested_at: date }}\n}}\n\
             \nexclusion numbered\n  doc \"A claim numbered 1 is not covered.\"\n  when claim.n == 1\n\
             \nfallback not_covered\n  doc \"No other claim is covered either.\"\n"
        )
    };
    let sources = vec![
        proviso::Source::new("a.proviso", policy("a/x")),
        proviso::Source::new("b.proviso", policy("b/x")),
    ];
    let set = PolicySet::from_sources(sources).unwrap();
    let at = NaiveDate::from_ymd_opt(2025, 6, 1);
    for text in [
        r#"{"claim": {"id": "C", "n": 1, "filed_at": "2025-06-01T00:00:00Z"}, "meta": {"policy": "b/x"}, "policy": "a/x"}"#,
        r#"{"claim": {"id": "C", "n": 1, "filed_at": "2025-06-01T00:00:00Z", "policy": "b/x"}, "policy": "a/x"}"#,
        r#"{"meta": [{"policy": "b/x"}], "policy": "a/x", "claim": {"id": "C", "n": 1, "filed_at": "2025-06-01T00:00:00Z"}}"#,
    ] {
        let doc = Document::json("nested.json", text);
        let shown = agree(&set, &doc, at);
        assert!(shown.starts_with("a/x 1 "), "{text}: {shown}");
    }
}
