//! `proviso replay`: decide a corpus under two versions and report what a change would do.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use std::sync::Arc;

use proviso::decision::format_money;
use proviso::replay::{replay, Changed, Replay, Side, Totals, Verdict};
use proviso::Document;
use rust_decimal::Decimal;
use serde::Serialize;

use super::input;
use super::pick::{self, Version};
use super::versions::Row;
use super::{render, OutputFormat, EXIT_DOCUMENT, EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

#[derive(clap::Args)]
pub struct Args {
    /// OLD NEW CORPUS: two policy files; or NAME OLD_VERSION NEW_VERSION CORPUS: a policy and
    /// two of its version labels. CORPUS is a directory of .yaml/.json/.jsonl files or one file
    #[arg(required = true, num_args = 3..=4, value_names = ["OLD|NAME", "NEW|OLD_VERSION", "CORPUS|NEW_VERSION", "CORPUS"])]
    args: Vec<String>,
    /// The policy tree NAME's versions are read from [default: policies]
    #[arg(long)]
    policies: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value = "text")]
    format: OutputFormat,
    /// Refuse every document field the policy version does not declare
    #[arg(long)]
    strict: bool,
}

/// Exits 0 when every document was decided under both versions, whatever changed;
/// 4 when a document could not be read or decided (the others are still replayed).
pub fn run(args: &Args) -> i32 {
    let Some((corpus, versions)) = args.args.split_last() else {
        return EXIT_USAGE;
    };
    let (old, new) = match pick::two(versions, args.policies.as_deref()) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let mut unreadable = false;
    let mut inputs = Vec::new();
    for path in input::expand(std::slice::from_ref(corpus)) {
        match input::read(&path, None) {
            Ok(i) => inputs.push(i),
            Err(message) => {
                eprintln!("error: {message}");
                unreadable = true;
            }
        }
    }
    let documents: Vec<Document<'_>> = inputs.iter().flat_map(|i| i.documents()).collect();
    if documents.is_empty() && !unreadable {
        eprintln!("warning: no documents found in `{corpus}`");
    }
    let r = replay(&old.program, &new.program, &documents, args.strict);
    for f in &r.failed {
        render::eprint(&f.error);
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    let written = match args.format {
        OutputFormat::Text => text(&mut out, &old, &new, &r),
        OutputFormat::Json => serde_json::to_writer(&mut out, &report(&old, &new, &r))
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
    };
    if written.and_then(|()| out.flush()).is_err() {
        return EXIT_FAILURE;
    }
    if unreadable || !r.failed.is_empty() {
        EXIT_DOCUMENT
    } else {
        EXIT_OK
    }
}

fn text(out: &mut impl Write, old: &Version, new: &Version, r: &Replay) -> std::io::Result<()> {
    for (mark, v) in [("---", old), ("+++", new)] {
        let m = &v.program.meta;
        writeln!(out, "{mark} {} {}  {}", m.name, m.version, m.file.name)?;
    }
    for c in &r.changed {
        changed(out, c, r)?;
    }
    writeln!(out)?;
    let rows = [
        ("documents evaluated", r.evaluated.to_string()),
        ("documents changed", r.changed.len().to_string()),
        ("decisions changed", r.decisions_changed().to_string()),
        ("total payout", amounts(r.before.payout, r.after.payout, r)),
    ];
    for (label, value) in rows {
        writeln!(out, "{label:<21}{value}")?;
    }
    if !r.before.refund.is_zero() || !r.after.refund.is_zero() {
        writeln!(
            out,
            "{:<21}{}",
            "total refund",
            amounts(r.before.refund, r.after.refund, r)
        )?;
    }
    if !r.failed.is_empty() {
        writeln!(
            out,
            "{:<21}{} (errors above)",
            "not evaluated",
            r.failed.len()
        )?;
    }
    Ok(())
}

/// `80.00 -> 0.00 USD`, naming both currencies when they differ.
fn amounts(a: Decimal, b: Decimal, r: &Replay) -> String {
    let (x, y) = (format_money(a), format_money(b));
    let (before, after) = (&r.before.currency, &r.after.currency);
    if before == after {
        format!("{x} -> {y} {after}")
    } else {
        format!("{x} {before} -> {y} {after}")
    }
}

fn changed(out: &mut impl Write, c: &Changed, r: &Replay) -> std::io::Result<()> {
    writeln!(out, "\n{} ({})", c.document, c.source)?;
    let (a, b) = (c.before.decision.as_str(), c.after.decision.as_str());
    if a == b {
        writeln!(out, "  decision  {a}")?;
    } else {
        writeln!(out, "  decision  {a} -> {b}")?;
    }
    writeln!(
        out,
        "  payout    {}",
        amounts(c.before.payout, c.after.payout, r)
    )?;
    if c.before.refund.is_some() || c.after.refund.is_some() {
        let (x, y) = (c.before.refund, c.after.refund);
        writeln!(
            out,
            "  refund    {}",
            amounts(x.unwrap_or_default(), y.unwrap_or_default(), r)
        )?;
    }
    for (i, d) in c.rules.iter().enumerate() {
        let label = if i == 0 { "rules" } else { "" };
        writeln!(out, "  {label:<9} {} {} ({})", mark(d.side), d.rule, d.kind)?;
    }
    Ok(())
}

fn mark(side: Side) -> &'static str {
    match side {
        Side::Before => "-",
        Side::After => "+",
        Side::Both => "=",
    }
}

/// The JSON report: both versions' identities, the totals, then each change and error.
#[derive(Serialize)]
struct Report<'a> {
    old: Row,
    new: Row,
    documents_evaluated: usize,
    documents_changed: usize,
    decisions_changed: usize,
    total_payout: Pair,
    total_refund: Pair,
    changed: Vec<ChangedJson<'a>>,
    errors: Vec<ErrorJson<'a>>,
}

#[derive(Serialize)]
struct Pair {
    before: Amount,
    after: Amount,
}

#[derive(Serialize)]
struct Amount {
    amount: String,
    currency: Arc<str>,
}

#[derive(Serialize)]
struct ChangedJson<'a> {
    document: &'a str,
    source: &'a str,
    before: VerdictJson,
    after: VerdictJson,
    rules: Vec<RuleJson<'a>>,
}

#[derive(Serialize)]
struct VerdictJson {
    decision: &'static str,
    payout: String,
    refund: Option<String>,
}

#[derive(Serialize)]
struct RuleJson<'a> {
    rule: &'a str,
    kind: &'static str,
    /// `before`, `after`, or `both` (the same reason under both versions).
    given: &'static str,
}

#[derive(Serialize)]
struct ErrorJson<'a> {
    document: Option<&'a str>,
    source: &'a str,
    version: &'a str,
    message: &'a str,
    path: Option<&'a str>,
}

fn pair(r: &Replay, amount: fn(&Totals) -> Decimal) -> Pair {
    let one = |t: &Totals| Amount {
        amount: format_money(amount(t)),
        currency: t.currency.clone(),
    };
    Pair {
        before: one(&r.before),
        after: one(&r.after),
    }
}

fn verdict(v: &Verdict) -> VerdictJson {
    VerdictJson {
        decision: v.decision.as_str(),
        payout: format_money(v.payout),
        refund: v.refund.map(format_money),
    }
}

fn report<'a>(old: &Version, new: &Version, r: &'a Replay) -> Report<'a> {
    let changed = r
        .changed
        .iter()
        .map(|c| ChangedJson {
            document: &c.document,
            source: &c.source,
            before: verdict(&c.before),
            after: verdict(&c.after),
            rules: c
                .rules
                .iter()
                .map(|d| RuleJson {
                    rule: &d.rule,
                    kind: d.kind,
                    given: match d.side {
                        Side::Before => "before",
                        Side::After => "after",
                        Side::Both => "both",
                    },
                })
                .collect(),
        })
        .collect();
    let errors = r
        .failed
        .iter()
        .map(|f| ErrorJson {
            document: f.error.document.as_deref(),
            source: &f.source,
            version: &f.version,
            message: &f.error.message,
            path: f.error.path.as_deref(),
        })
        .collect();
    Report {
        old: Row::of(&old.program),
        new: Row::of(&new.program),
        documents_evaluated: r.evaluated,
        documents_changed: r.changed.len(),
        decisions_changed: r.decisions_changed(),
        total_payout: pair(r, |t| t.payout),
        total_refund: pair(r, |t| t.refund),
        changed,
        errors,
    }
}
