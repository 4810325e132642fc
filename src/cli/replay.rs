//! `proviso replay`: decide a corpus under two versions and report what a change would do.

use std::io::Write;
use std::path::PathBuf;

use std::sync::Arc;

use proviso::{
    format_money, replay, Changed, Decimal, Document, Format, PolicyVersion, Replay,
    ReplayTotals as Totals, Side, Verdict,
};
use serde::Serialize;

use super::escape::Shown;
use super::input::{self, InputError, Options, Sink};
use super::pick;
use super::versions::Row;
use super::{output, render, OutputFormat, EXIT_DOCUMENT, EXIT_OK, EXIT_USAGE};

#[derive(clap::Args)]
pub struct Args {
    /// OLD NEW CORPUS: two policy files; or NAME OLD_VERSION NEW_VERSION CORPUS: a policy and
    /// two of its version labels. CORPUS is a directory of .yaml/.json/.jsonl files or one file
    /// (directories are walked recursively; a symbolic link to a directory is followed, but
    /// each real directory is read once)
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
    /// The largest document read: a whole YAML or JSON file, or one line of JSON Lines.
    /// In bytes, or with a unit: 64KiB, 16MiB, 1GiB
    #[arg(long, value_name = "SIZE", value_parser = input::parse_size, default_value = "16MiB")]
    max_document_bytes: u64,
}

/// The corpus, read whole: each document's text and where it came from.
#[derive(Default)]
struct Corpus {
    documents: Vec<(Arc<str>, String, Format, usize)>,
    unreadable: bool,
}

impl Sink for Corpus {
    fn document(&mut self, doc: &Document<'_>) -> std::io::Result<()> {
        let text = doc.text.to_string();
        self.documents
            .push((doc.name.clone(), text, doc.format, doc.line));
        Ok(())
    }

    fn error(&mut self, e: &InputError) -> std::io::Result<()> {
        render::eprint(e);
        self.unreadable = true;
        Ok(())
    }

    fn idle(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Exits 0 when every document was decided under both versions, whatever changed;
/// 4 when a document could not be read or decided (the others are still replayed).
pub fn run(args: &Args) -> i32 {
    let Some((corpus_arg, versions)) = args.args.split_last() else {
        return EXIT_USAGE;
    };
    let (old, new) = match pick::two(versions, args.policies.as_deref()) {
        Ok(v) => v,
        Err(code) => return code,
    };
    let opts = Options {
        format: None,
        max_bytes: args.max_document_bytes,
    };
    let mut corpus = Corpus::default();
    // The corpus sink writes nothing to standard output, so it cannot fail.
    let _ = input::read_all(std::slice::from_ref(corpus_arg), &opts, &mut corpus);
    let documents: Vec<Document<'_>> = corpus
        .documents
        .iter()
        .map(|(name, text, format, line)| Document {
            name: name.clone(),
            text,
            format: *format,
            line: *line,
        })
        .collect();
    if documents.is_empty() && !corpus.unreadable {
        render::message(&format!(
            "warning: no documents found in `{}`\n",
            Shown(corpus_arg)
        ));
    }
    let r = replay(&old, &new, &documents, args.strict);
    for f in &r.failed {
        render::eprint(&f.error);
    }
    let mut out = output::stdout();
    let written = match args.format {
        OutputFormat::Text => text(&mut out, &old, &new, &r),
        OutputFormat::Json => serde_json::to_writer(&mut out, &report(&old, &new, &r))
            .map_err(std::io::Error::other)
            .and_then(|()| writeln!(out)),
    };
    if let Err(e) = written.and_then(|()| out.flush()) {
        return output::stdout_failed(&e);
    }
    if corpus.unreadable || !r.failed.is_empty() {
        EXIT_DOCUMENT
    } else {
        EXIT_OK
    }
}

fn text(
    out: &mut impl Write,
    old: &PolicyVersion,
    new: &PolicyVersion,
    r: &Replay,
) -> std::io::Result<()> {
    for (mark, v) in [("---", old), ("+++", new)] {
        let m = v.info();
        writeln!(
            out,
            "{mark} {} {}  {}",
            Shown(&m.name),
            Shown(&m.version),
            Shown(&m.file)
        )?;
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
    writeln!(out, "\n{} ({})", Shown(&c.document), Shown(&c.source))?;
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
        writeln!(
            out,
            "  {label:<9} {} {} ({})",
            mark(d.side),
            Shown(&d.rule),
            d.kind
        )?;
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
    kind: &'a str,
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

fn report<'a>(old: &PolicyVersion, new: &PolicyVersion, r: &'a Replay) -> Report<'a> {
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
                    kind: &d.kind,
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
        old: Row::of(&old.info()),
        new: Row::of(&new.info()),
        documents_evaluated: r.evaluated,
        documents_changed: r.changed.len(),
        decisions_changed: r.decisions_changed(),
        total_payout: pair(r, |t| t.payout),
        total_refund: pair(r, |t| t.refund),
        changed,
        errors,
    }
}
