//! Minimal policies for language tests: a fixed header, a facts block, and the rules under test.
//!
//! [`policy`] lays a policy out as
//!
//! ```text
//! 1  policy "test/policy"
//! 2  version "1"
//! 3  effective 2025-01-01
//! 4  currency USD from currency   (`currency USD` when the facts hold no money)
//! 5  doc "A policy for tests."
//! 6  facts {
//! 7  <first line of the facts>
//!    ...
//!    }
//!    <rules>
//!    fallback not_covered ...   (added when the rules have no fallback)
//! ```
//!
//! so facts start on line 7 and the rules on the line after the closing brace.

#![allow(dead_code)]

use chrono::NaiveDate;
use proviso::internals::span::Source;
use proviso::{Decision, Document, DocumentError, PolicyError, PolicySet};

/// The name every test policy has.
pub const NAME: &str = "test/policy";
/// The file name every test policy is shown under.
pub const FILE: &str = "test.proviso";
/// The text of the fallback rule added to rules that have none.
pub const FALLBACK_TEXT: &str = "Nothing in this policy matched.";

/// The facts most evaluation tests read.
pub const FACTS: &str = "\
  claim: record {
    id: string
    type: enum { lost, damaged, stolen }
    filed_at: datetime
    amount: money
    fee: optional money
    count: integer
    rate: decimal
    note: optional string
    day: optional date
    other_day: optional date
    flag: bool default false
    items: optional list of record {
      sku: string
      qty: integer
      price: money
    }
    evidence: optional list of record {
      kind: string
      sides: optional integer
    }
  }";

/// A policy text: the fixed header, `facts { <facts> }`, the rules, and a fallback if none.
pub fn policy(facts: &str, rules: &str) -> String {
    let fallback = if rules.contains("fallback ") {
        String::new()
    } else {
        format!("\nfallback not_covered doc \"{FALLBACK_TEXT}\"\n")
    };
    // A policy that reads amounts names the fact stating their currency; here a top-level
    // `currency` on the first line of the facts (so line numbers stay as laid out above),
    // which documents may leave out.
    let (currency, facts) = match facts.contains("money") {
        true => (
            "currency USD from currency",
            format!("  currency: string default \"USD\"{facts}"),
        ),
        false => ("currency USD", facts.to_string()),
    };
    format!(
        "policy \"{NAME}\"\nversion \"1\"\neffective 2025-01-01\n{currency}\n\
         doc \"A policy for tests.\"\nfacts {{\n{facts}\n}}\n{rules}\n{fallback}"
    )
}

/// Compiles a whole policy text.
pub fn compile_text(text: &str) -> Result<PolicySet, Vec<PolicyError>> {
    PolicySet::from_sources(vec![Source::new(FILE, text)]).map_err(|e| e.errors)
}

/// The errors of a policy text.
pub fn policy_errors(text: &str) -> Vec<PolicyError> {
    compile_text(text).err().unwrap_or_default()
}

/// The errors of a policy text, each as `line:col message`.
pub fn errors_of(text: &str) -> Vec<String> {
    match compile_text(text) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(located).collect(),
    }
}

/// The errors of `policy(facts, rules)`, each as `line:col message`.
pub fn errors(facts: &str, rules: &str) -> Vec<String> {
    errors_of(&policy(facts, rules))
}

/// `line:col message` of one error.
pub fn located(e: &PolicyError) -> String {
    let (line, col) = e.file.line_col(e.span.start);
    format!("{line}:{col} {}", e.message)
}

/// The text an error underlines.
pub fn underlined(e: &PolicyError) -> &str {
    e.file.text.get(e.span.start..e.span.end).unwrap_or("")
}

/// The one error of a policy text: `line:col message`, the text underlined, the help.
/// Fails the test, listing them, when there is not exactly one.
pub fn one_error(text: &str) -> (String, String, String) {
    let errs = policy_errors(text);
    let shown: Vec<String> = errs.iter().map(located).collect();
    assert_eq!(errs.len(), 1, "{shown:?}");
    let e = &errs[0];
    (
        located(e),
        underlined(e).to_string(),
        e.help.clone().unwrap_or_default(),
    )
}

/// A compiled test policy that evaluates small YAML documents.
pub struct Engine {
    pub set: PolicySet,
}

impl Engine {
    /// Compiles `policy(facts, rules)`; a policy error fails the test with its messages.
    pub fn new(facts: &str, rules: &str) -> Engine {
        let text = policy(facts, rules);
        match compile_text(&text) {
            Ok(set) => Engine { set },
            Err(errors) => {
                let shown: Vec<String> = errors.iter().map(located).collect();
                panic!(
                    "policy does not compile:\n{}\n---\n{text}",
                    shown.join("\n")
                )
            }
        }
    }

    /// Compiles a policy over [`FACTS`].
    pub fn claim(rules: &str) -> Engine {
        Engine::new(FACTS, rules)
    }

    /// Evaluates a YAML document (without its `policy:` line) on 2025-06-01.
    pub fn run(&self, yaml: &str) -> Result<Decision, DocumentError> {
        let text = format!("policy: {NAME}\n{yaml}");
        let at = NaiveDate::from_ymd_opt(2025, 6, 1);
        self.set.evaluate_at(&Document::yaml("doc.yaml", &text), at)
    }

    /// Evaluates a JSON document (given whole, `policy` included) on 2025-06-01.
    pub fn run_json(&self, json: &str) -> Result<Decision, DocumentError> {
        let at = NaiveDate::from_ymd_opt(2025, 6, 1);
        self.set.evaluate_at(&Document::json("doc.json", json), at)
    }

    /// Evaluates a YAML document (without its `policy:` line) on 2025-06-01, with its trace.
    pub fn explain(&self, yaml: &str) -> (Decision, proviso::Trace) {
        let text = format!("policy: {NAME}\n{yaml}");
        let at = NaiveDate::from_ymd_opt(2025, 6, 1);
        match self.set.explain_at(&Document::yaml("doc.yaml", &text), at) {
            Ok(x) => x,
            Err(e) => panic!("document was not decided: {e}"),
        }
    }

    /// Evaluates a document that must be decided.
    pub fn decide(&self, yaml: &str) -> Decision {
        match self.run(yaml) {
            Ok(d) => d,
            Err(e) => panic!("document was not decided: {e}"),
        }
    }

    /// Evaluates a document that must fail, returning the error.
    pub fn fail(&self, yaml: &str) -> DocumentError {
        match self.run(yaml) {
            Ok(d) => panic!("document was decided: {}", d.decision.as_str()),
            Err(e) => e,
        }
    }

    /// Evaluates a document on which a rule cannot be computed: it must be referred, citing
    /// the rule with its failure. Returns `rule `NAME` failed: MESSAGE` and the `line:col`
    /// of the failing expression in the policy.
    pub fn failed_rule(&self, yaml: &str) -> (String, Option<String>) {
        let d = self.decide(yaml);
        assert_eq!(d.decision.as_str(), "referred", "{d:?}");
        assert_eq!(
            d.payout.as_ref().map(|p| p.amount.to_string()).as_deref(),
            Some("0")
        );
        let failed: Vec<_> = d.reasons.iter().filter(|r| r.failure.is_some()).collect();
        assert_eq!(failed.len(), 1, "{:?}", d.reasons);
        let r = failed[0];
        let f = r.failure.as_ref().unwrap();
        let at = f.source.as_ref().map(|s| {
            let rest = s.strip_prefix(&format!("{FILE}:")).unwrap();
            rest.to_string()
        });
        (format!("rule `{}` failed: {}", r.rule, f.message), at)
    }

    /// Evaluates a claim built by [`claim`].
    pub fn claim_decision(&self, fields: &str) -> Decision {
        self.decide(&claim(fields))
    }
}

/// A claim document over [`FACTS`]: `claim.id` C-1, type `lost`, filed 2025-07-10T09:30:00Z,
/// amount 100.00, count 3, rate 0.5, then `fields` (YAML lines under `claim`, top-level
/// keys unindented). A key given in `fields` replaces the default of the same name.
pub fn claim(fields: &str) -> String {
    let defaults = [
        ("id", "C-1"),
        ("type", "lost"),
        ("filed_at", "2025-07-10T09:30:00Z"),
        ("amount", "\"100.00\""),
        ("count", "3"),
        ("rate", "\"0.5\""),
    ];
    let given: Vec<&str> = fields
        .lines()
        .filter(|l| !l.starts_with(' ') && !l.starts_with('-'))
        .filter_map(|l| l.split(':').next())
        .map(str::trim)
        .collect();
    let mut doc = String::from("claim:\n");
    for (key, value) in defaults {
        if !given.contains(&key) {
            doc.push_str(&format!("  {key}: {value}\n"));
        }
    }
    for line in fields.lines().filter(|l| !l.trim().is_empty()) {
        doc.push_str("  ");
        doc.push_str(line);
        doc.push('\n');
    }
    doc
}

/// The outcome, the payout, and the rules given as reasons.
pub fn summary(d: &Decision) -> (String, String, Vec<String>) {
    let payout = d
        .payout
        .as_ref()
        .map(|p| proviso::internals::decision::format_money(p.amount))
        .unwrap_or_default();
    let rules = d.reasons.iter().map(|r| r.rule.to_string()).collect();
    (d.decision.as_str().to_string(), payout, rules)
}

/// The payout as text with two decimals.
pub fn payout(d: &Decision) -> String {
    summary(d).1
}

/// Whether `expr` holds for the claim with `fields`.
pub fn holds(expr: &str, fields: &str) -> bool {
    let e = Engine::claim(&format!("exclusion x doc \"x\" when {expr}"));
    let d = e.claim_decision(fields);
    match summary(&d).2.as_slice() {
        [only] if only == "x" => true,
        [only] if only == "not_covered" => false,
        other => panic!("unexpected reasons {other:?}"),
    }
}

/// What `coverage c pays <expr>` pays for the claim with `fields`.
pub fn pays(expr: &str, fields: &str) -> String {
    let e = Engine::claim(&format!("coverage c doc \"c\" pays {expr}"));
    let d = e.claim_decision(fields);
    assert_eq!(d.decision.as_str(), "approved");
    payout(&d)
}
