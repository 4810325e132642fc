//! An arbitrary Rhai script as a policy's hook, compiled as the policy loads and called
//! while documents are decided.
//!
//! The input's first byte picks the policy: one of `fuzz/hooks/*.proviso`, whose hook
//! `admin_fee(state: string, price: money, prorated: money)` returns money, a decimal, an
//! integer, a bool or a string (each used where that type goes), or the bundled
//! `xcotton/product-protection` with the script in place of `admin-fee.rhai`. The rest of
//! the input is the script. A script that does not compile is a policy error; one that
//! fails, runs away or returns the wrong type fails the document it was deciding.
#![no_main]

use libfuzzer_sys::fuzz_target;
use proviso::internals::ast::PolicyFile;
use proviso::internals::check::check;
use proviso::internals::compile::compile;
use proviso::internals::hooks::{HookFile, Hooks};
use proviso::internals::parse::parse_file;
use proviso::internals::policy_set::prepare_with;
use proviso::internals::span::Source;
use proviso::Document;
use proviso_fuzz::{diagnostic, fail, outcome, read, repo, text};

/// A policy whose hook the fuzzed script replaces, and the documents decided under it.
struct Variant {
    source: Source,
    ast: PolicyFile,
    /// Where the script is said to be, for messages.
    script: String,
    documents: Vec<String>,
}

fn variant(policy: &str, documents: Vec<String>) -> Variant {
    let path = repo(policy);
    let source = Source::new(path.display().to_string(), read(policy));
    let ast = match parse_file(&source) {
        Ok(ast) => ast,
        Err(e) => fail(&format!("`{policy}` does not parse: {}", e[0])),
    };
    let script = path.with_file_name("fuzz.rhai").display().to_string();
    Variant {
        source,
        ast,
        script,
        documents,
    }
}

fn variants() -> &'static [Variant] {
    static VARIANTS: std::sync::OnceLock<Vec<Variant>> = std::sync::OnceLock::new();
    VARIANTS.get_or_init(|| {
        let claims: Vec<String> = read("fuzz/hooks/claims.yaml")
            .split("\n---\n")
            .map(str::to_string)
            .collect();
        let mut all: Vec<Variant> = ["money", "decimal", "integer", "bool", "string"]
            .iter()
            .map(|t| variant(&format!("fuzz/hooks/{t}.proviso"), claims.clone()))
            .collect();
        let cancellations = ["ca", "fl", "no-state", "paid-claims"]
            .iter()
            .map(|c| read(&format!("examples/cancellations/after-60-days-{c}.yaml")))
            .collect();
        all.push(variant(
            "policies/xcotton/product-protection/2025-01-01.proviso",
            cancellations,
        ));
        all
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&pick, script)) = data.split_first() else {
        return;
    };
    let all = variants();
    let v = &all[usize::from(pick) % all.len()];
    let checked = match check(&v.source, &v.ast) {
        Ok(c) => c,
        Err(e) => fail(&format!("`{}` does not check: {}", v.source.name, e[0])),
    };
    let files: Vec<HookFile> = checked
        .hooks
        .iter()
        .map(|sig| HookFile {
            name: sig.file.clone(),
            source: Source::new(v.script.as_str(), text(script).as_ref()),
        })
        .collect();
    let hooks = match Hooks::compile(&v.source, &checked.hooks, &files) {
        Ok(h) => h,
        Err(errors) => return errors.iter().for_each(|e| diagnostic(e)),
    };
    let program = match compile(&v.source, checked, hooks, &files) {
        Ok(p) => p,
        Err(errors) => return errors.iter().for_each(|e| diagnostic(e)),
    };
    for doc in &v.documents {
        let result = prepare_with(&program, &Document::yaml("claim.yaml", doc), false)
            .and_then(|p| p.decide());
        if let Err(e) = &result {
            assert!(
                e.kind == proviso::DocumentErrorKind::Evaluation,
                "a fixed document no longer fits its policy: {}",
                e.message
            );
        }
        outcome(&result);
    }
});
