//! The VS Code client under `editors/vscode/`: its JSON files parse, and its TextMate
//! grammar highlights every keyword of the language's grammar (`grammar/proviso.pest`).
#![allow(clippy::panic, clippy::expect_used, clippy::unwrap_used)]

mod support;

use std::collections::BTreeSet;

use serde_json::Value;

fn read_json(path: &str) -> Value {
    let text = std::fs::read_to_string(support::root().join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

#[test]
fn the_client_files_parse_and_name_each_other() {
    let package = read_json("editors/vscode/package.json");
    assert_eq!(package["main"], "./extension.js");
    assert_eq!(
        package["contributes"]["languages"][0]["extensions"][0],
        ".proviso"
    );
    assert_eq!(
        package["contributes"]["grammars"][0]["scopeName"],
        "source.proviso"
    );
    assert_eq!(
        package["contributes"]["configuration"]["properties"]["proviso.server.path"]["default"],
        "proviso"
    );
    assert!(package["dependencies"]["vscode-languageclient"].is_string());
    let config = read_json("editors/vscode/language-configuration.json");
    assert_eq!(config["comments"]["lineComment"], "#");
    let grammar = read_json("editors/vscode/syntaxes/proviso.tmLanguage.json");
    assert_eq!(grammar["scopeName"], "source.proviso");
    let js = std::fs::read_to_string(support::root().join("editors/vscode/extension.js"))
        .unwrap_or_else(|e| panic!("{e}"));
    assert!(
        js.contains(r#"["lsp", "#),
        "the extension starts `proviso lsp`"
    );
    assert!(js.contains(r#"config.get("server.path")"#));
}

/// Every word between `\b(` and `)` in the grammar's `match` patterns.
fn highlighted(v: &Value, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                if let (true, Some(pattern)) = (k == "match", x.as_str()) {
                    for group in pattern.split("\\b(").skip(1) {
                        let words = group.split(')').next().unwrap_or("");
                        out.extend(words.split('|').map(String::from));
                    }
                }
                highlighted(x, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|x| highlighted(x, out)),
        _ => {}
    }
}

/// The words of the pest grammar: each `kw_*` keyword, the reserved words, the rule
/// kinds, the scalar types, the aggregates, the time units and the booleans.
fn pest_words() -> BTreeSet<String> {
    let pest = std::fs::read_to_string(support::root().join("grammar/proviso.pest"))
        .unwrap_or_else(|e| panic!("{e}"));
    let mut words = BTreeSet::new();
    let mut rule = String::new();
    for line in pest.lines() {
        if let Some((name, _)) = line.split_once('=') {
            if !line.starts_with(' ') && !line.starts_with('/') {
                rule = name.trim().to_string();
            }
        }
        let wanted = rule.starts_with("kw_")
            || [
                "reserved",
                "rule_kind",
                "scalar_type",
                "agg_fn",
                "time_unit",
                "bool_lit",
            ]
            .contains(&rule.as_str());
        if !wanted || line.trim_start().starts_with("//") {
            continue;
        }
        for (i, part) in line.split('"').enumerate() {
            if i % 2 == 1
                && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
                && !part.is_empty()
            {
                words.insert(part.to_string());
            }
        }
    }
    words
}

#[test]
fn the_textmate_grammar_highlights_every_keyword_of_the_pest_grammar() {
    let words = pest_words();
    // The extraction found the grammar's words (a check on this test itself).
    for w in [
        "policy",
        "coverage",
        "refusal",
        "otherwise",
        "datetime",
        "sum",
        "hours",
        "true",
    ] {
        assert!(words.contains(w), "`{w}` not found in grammar/proviso.pest");
    }
    let mut shown = BTreeSet::new();
    highlighted(
        &read_json("editors/vscode/syntaxes/proviso.tmLanguage.json"),
        &mut shown,
    );
    let missing: Vec<&String> = words.difference(&shown).collect();
    assert!(missing.is_empty(), "not highlighted: {missing:?}");
}
